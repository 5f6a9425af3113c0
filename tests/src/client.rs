//! The HTTP client the tests use: reqwest underneath, the same calls as reqwest's (so tests read
//! as plain reqwest), and every response checked against the OpenAPI document before the test
//! sees it. A response the document does not allow fails the test that made the request.

use std::convert::Infallible;

use reqwest::{Method, StatusCode, header::HeaderMap};
use serde::{Serialize, de::DeserializeOwned};

use crate::contract;

/// A reqwest client whose every response is held to the document.
#[derive(Clone)]
pub struct Client {
    inner: reqwest::Client,
}

impl Client {
    /// A client that does not follow redirects (a test sees what the server answered).
    pub fn new() -> Client {
        Client {
            inner: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("HTTP client"),
        }
    }

    pub fn request(&self, method: Method, url: impl AsRef<str>) -> RequestBuilder {
        let url = url.as_ref().to_string();
        RequestBuilder {
            inner: self.inner.request(method.clone(), &url),
            method,
            url,
        }
    }

    pub fn get(&self, url: impl AsRef<str>) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    pub fn post(&self, url: impl AsRef<str>) -> RequestBuilder {
        self.request(Method::POST, url)
    }

    pub fn put(&self, url: impl AsRef<str>) -> RequestBuilder {
        self.request(Method::PUT, url)
    }

    pub fn patch(&self, url: impl AsRef<str>) -> RequestBuilder {
        self.request(Method::PATCH, url)
    }

    pub fn delete(&self, url: impl AsRef<str>) -> RequestBuilder {
        self.request(Method::DELETE, url)
    }
}

impl Default for Client {
    fn default() -> Client {
        Client::new()
    }
}

/// A request being built; `send` checks the response against the document.
pub struct RequestBuilder {
    inner: reqwest::RequestBuilder,
    method: Method,
    url: String,
}

impl RequestBuilder {
    pub fn bearer_auth(self, token: impl std::fmt::Display) -> RequestBuilder {
        RequestBuilder {
            inner: self.inner.bearer_auth(token),
            ..self
        }
    }

    pub fn header(self, name: &str, value: impl AsRef<str>) -> RequestBuilder {
        RequestBuilder {
            inner: self.inner.header(name, value.as_ref()),
            ..self
        }
    }

    pub fn json<T: Serialize + ?Sized>(self, body: &T) -> RequestBuilder {
        RequestBuilder {
            inner: self.inner.json(body),
            ..self
        }
    }

    pub fn body(self, body: impl Into<reqwest::Body>) -> RequestBuilder {
        RequestBuilder {
            inner: self.inner.body(body),
            ..self
        }
    }

    /// Sends the request and reads the whole response; panics (failing the test) when the
    /// document does not allow the response.
    pub async fn send(self) -> Result<Response, reqwest::Error> {
        let response = self.inner.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await?.to_vec();
        contract::enforce(&self.method, &self.url, status.as_u16(), &headers, &body);
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// A response, already read whole (it had to be, to be checked). Its readers are `async` and
/// return `Result`s, as reqwest's do, so tests read the same either way; they cannot fail.
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Response {
    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub async fn bytes(self) -> Result<Vec<u8>, Infallible> {
        Ok(self.body)
    }

    pub async fn text(self) -> Result<String, Infallible> {
        Ok(String::from_utf8_lossy(&self.body).into_owned())
    }

    pub async fn json<T: DeserializeOwned>(self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}
