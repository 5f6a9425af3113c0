//! A small client of the Kompetens API: JSON in and out, bearer tokens, and errors that say
//! which request failed and what the server answered.

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use reqwest::{Method, header::HeaderMap};
use serde_json::{Value, json};

/// A check of every response the client receives: method, path (with any query), status,
/// headers and body; an `Err` fails the request with its message. The end-to-end tests hold
/// responses to the OpenAPI document this way; `kompetens demo` sets none.
pub type ResponseCheck =
    Arc<dyn Fn(&Method, &str, u16, &HeaderMap, &[u8]) -> Result<(), String> + Send + Sync>;

/// The API at `base` (e.g. `http://127.0.0.1:8080`).
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    base: String,
    check: Option<ResponseCheck>,
}

/// A status and a JSON body (`Null` when there is none).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

/// Someone who signs in with a password.
#[derive(Debug, Clone)]
pub struct Login {
    pub id: String,
    pub email: String,
    pub password: String,
    pub token: String,
}

impl Api {
    pub fn new(base: impl Into<String>) -> Result<Api> {
        Ok(Api {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            base: base.into().trim_end_matches('/').to_string(),
            check: None,
        })
    }

    /// The same client, with `check` run on every response before it is read.
    pub fn with_response_check(self, check: ResponseCheck) -> Api {
        Api {
            check: Some(check),
            ..self
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Any request; the body is sent as JSON when given.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<Reply> {
        let method = Method::from_bytes(method.as_bytes())?;
        let mut request = self
            .client
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(method, path, request).await
    }

    /// Sends `request`, runs the response check, and reads the answer.
    async fn send(
        &self,
        method: Method,
        path: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<Reply> {
        let response = request
            .send()
            .await
            .with_context(|| format!("sending {path}"))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .with_context(|| format!("reading the answer to {method} {path}"))?;
        if let Some(check) = &self.check {
            check(&method, path, status, &headers, &bytes).map_err(anyhow::Error::msg)?;
        }
        Ok(Reply {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        })
    }

    /// A `PUT` of a CSV document (a staff roster as HR systems export it).
    pub async fn put_csv(&self, path: &str, token: &str, csv: String) -> Result<Reply> {
        let request = self
            .client
            .put(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "text/csv; charset=utf-8")
            .body(csv);
        self.send(Method::PUT, path, request).await
    }

    /// A request that must succeed (2xx); its body.
    pub async fn ok(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<Value> {
        let reply = self.call(method, path, token, body).await?;
        if !(200..300).contains(&reply.status) {
            bail!("{method} {path} answered {}: {}", reply.status, reply.body);
        }
        Ok(reply.body)
    }

    /// A create that must answer 201; the new resource's id.
    pub async fn create(&self, path: &str, token: &str, body: Value) -> Result<String> {
        let reply = self.call("POST", path, Some(token), Some(body)).await?;
        if reply.status != 201 {
            bail!("POST {path} answered {}: {}", reply.status, reply.body);
        }
        id(&reply.body)
    }

    /// Signs someone up and in; with `workplace` and `job_role` set on their profile.
    pub async fn signup(
        &self,
        email: &str,
        name: &str,
        password: &str,
        profile: Option<Value>,
    ) -> Result<Login> {
        let body = self
            .ok(
                "POST",
                "/api/v1/auth/signup",
                None,
                Some(json!({"email": email, "password": password, "name": name})),
            )
            .await?;
        let token = body["tokens"]["access_token"]
            .as_str()
            .context("sign-up gave no token")?
            .to_string();
        let login = Login {
            id: id(&body["account"])?,
            email: email.to_string(),
            password: password.to_string(),
            token,
        };
        if let Some(profile) = profile {
            self.ok("PATCH", "/api/v1/me", Some(&login.token), Some(profile))
                .await?;
        }
        Ok(login)
    }

    /// Signs someone up as [`Api::signup`] does, and confirms their address with the code the
    /// server e-mailed them (read from `codes`), so that staff rosters vouch for them.
    pub async fn signup_verified(
        &self,
        codes: &dyn crate::CodeSource,
        email: &str,
        name: &str,
        password: &str,
        profile: Option<Value>,
    ) -> Result<Login> {
        let login = self.signup(email, name, password, profile).await?;
        let code = codes
            .verification_code(email)
            .await
            .with_context(|| format!("the verification code sent to {email}"))?;
        self.ok(
            "POST",
            "/api/v1/auth/verify-email",
            None,
            Some(json!({ "code": code })),
        )
        .await?;
        Ok(login)
    }

    /// Signs in again (after roles changed, or for a fresh token).
    pub async fn sign_in(&self, login: &Login) -> Result<Login> {
        let body = self
            .ok(
                "POST",
                "/api/v1/auth/token",
                None,
                Some(json!({"email": login.email, "password": login.password})),
            )
            .await?;
        Ok(Login {
            token: body["access_token"]
                .as_str()
                .context("sign-in gave no token")?
                .to_string(),
            ..login.clone()
        })
    }

    /// An organisation (as the admin, or an organiser of its parent).
    pub async fn organisation(
        &self,
        token: &str,
        name: &str,
        kind: &str,
        country: &str,
        zone: &str,
        parent: Option<&str>,
    ) -> Result<String> {
        let mut body = json!({"name": name, "kind": kind, "country": country, "time_zone": zone});
        if let Some(parent) = parent {
            body["parent_id"] = json!(parent);
        }
        self.create("/api/v1/organisations", token, body).await
    }

    /// Gives the account with `email` a role in an organisation.
    pub async fn grant_role(
        &self,
        token: &str,
        organisation: &str,
        email: &str,
        role: &str,
    ) -> Result<()> {
        self.ok(
            "POST",
            &format!("/api/v1/organisations/{organisation}/members"),
            Some(token),
            Some(json!({"email": email, "role": role})),
        )
        .await
        .map(|_| ())
    }

    /// Signs someone up, gives them a role, and signs them in again.
    pub async fn member(
        &self,
        admin: &str,
        organisation: &str,
        email: &str,
        name: &str,
        password: &str,
        role: &str,
    ) -> Result<Login> {
        let login = self.signup(email, name, password, None).await?;
        self.grant_role(admin, organisation, email, role).await?;
        self.sign_in(&login).await
    }

    /// Registers many people at once; the registration id (or the problem) of each entry.
    pub async fn batch(
        &self,
        token: &str,
        programme: &str,
        entries: Vec<Value>,
    ) -> Result<Vec<Value>> {
        let mut out = Vec::with_capacity(entries.len());
        for chunk in entries.chunks(500) {
            let body = self
                .ok(
                    "POST",
                    &format!("/api/v1/programmes/{programme}/registrations/batch"),
                    Some(token),
                    Some(json!({"entries": chunk})),
                )
                .await?;
            for result in body["results"].as_array().into_iter().flatten() {
                if result["status"] != 201 {
                    bail!("a batch entry failed: {result}");
                }
                out.push(result["registration"].clone());
            }
        }
        Ok(out)
    }

    /// Records a session's attendance.
    pub async fn attendance(&self, token: &str, session: &str, body: Value) -> Result<Value> {
        self.ok(
            "PUT",
            &format!("/api/v1/sessions/{session}/attendance"),
            Some(token),
            Some(body),
        )
        .await
    }
}

/// The `id` of a JSON resource.
pub fn id(body: &Value) -> Result<String> {
    body["id"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("no id in {body}"))
}
