//! `Idempotency-Key` on creates, as HTTP sees it: the header, the digest of the request, and
//! the responses (first and replayed). What is kept and when is the use case's business
//! (`kompetens_app::idempotency`): the key is stored in the transaction that creates.

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
pub use kompetens_app::idempotency::{Once, Outcome, Render, Reply, Stored};
use serde_json::Value;

use crate::error::ApiError;

pub const HEADER: &str = "idempotency-key";
/// The longest key accepted; keys are visible ASCII (`KEY_PATTERN`).
pub const MAX_KEY_LENGTH: usize = 255;
pub const KEY_PATTERN: &str = "^[!-~]+$";
pub const REPLAYED: &str = "idempotent-replayed";

/// The `Idempotency-Key` header, if sent (1–255 visible ASCII characters), with what the
/// request's digest needs: its method and path.
pub struct IdempotencyKey {
    key: Option<String>,
    method: String,
    path: String,
}

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = match req.headers().get(HEADER) {
            None => Ok(None),
            Some(value) => match value.to_str() {
                Ok(key)
                    if !key.is_empty()
                        && key.len() <= MAX_KEY_LENGTH
                        && key.bytes().all(|b| b.is_ascii_graphic()) =>
                {
                    Ok(Some(key.to_string()))
                }
                _ => Err(ApiError::InvalidHeader(
                    "Idempotency-Key must be 1–255 visible ASCII characters, e.g. a UUID".into(),
                )),
            },
        };
        std::future::ready(key.map(|key| IdempotencyKey {
            key,
            method: req.method().to_string(),
            path: req.path().to_string(),
        }))
    }
}

impl IdempotencyKey {
    /// The key itself, for routes that keep it by hand.
    pub fn key(&self) -> Option<String> {
        self.key.clone()
    }

    /// The key as the use case takes it, for a request with `body` (`Value::Null`: none).
    pub fn once<'a, T>(&'a self, body: &Value, render: &'a Render<'a, T>) -> Once<'a, T> {
        let digest = kompetens_app::auth::tokens::digest(&format!(
            "{} {}\n{}",
            self.method,
            self.path,
            canonical(body)
        ));
        Once::new(self.key.as_deref(), digest, render)
    }
}

/// The body with every object's members sorted, so that the same JSON with members in another
/// order is the same request.
fn canonical(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sorted(v)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

/// The response to a create: the first one (with its `ETag`), or the stored one replayed.
pub fn respond<T>(outcome: Outcome<T>, render: &Render<'_, T>) -> Result<HttpResponse, ApiError> {
    match outcome {
        Outcome::Fresh(value) => Ok(reply(render(&value)?, false)),
        Outcome::Replayed(stored) => Ok(replayed(&stored)),
    }
}

/// A JSON response from its parts.
pub fn reply(reply: Reply, replayed: bool) -> HttpResponse {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    response.insert_header((
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    ));
    if let Some(location) = reply
        .location
        .as_deref()
        .and_then(|l| HeaderValue::from_str(l).ok())
    {
        response.insert_header((header::LOCATION, location));
    }
    if let Some(etag) = reply
        .etag
        .as_deref()
        .and_then(|e| HeaderValue::from_str(e).ok())
    {
        response.insert_header((header::ETAG, etag));
    }
    if replayed {
        response.insert_header((
            HeaderName::from_static(REPLAYED),
            HeaderValue::from_static("true"),
        ));
    }
    response.body(reply.body)
}

fn replayed(stored: &Stored) -> HttpResponse {
    reply(
        Reply {
            status: stored.status,
            body: stored.body.clone(),
            location: stored.location.clone(),
            etag: None,
        },
        true,
    )
}

/// A response to keep: `status` with `body` as JSON, its `Location` (under `/api/v1`) and
/// `ETag` if it has them.
pub fn render(
    status: u16,
    body: &impl serde::Serialize,
    location: Option<String>,
    version: Option<i32>,
) -> Result<Reply, kompetens_app::AppError> {
    Ok(Reply {
        status,
        body: serde_json::to_string(body)
            .map_err(|e| kompetens_app::AppError::Internal(e.into()))?,
        location: location.map(|path| format!("/api/v1{path}")),
        etag: version.map(|v| format!("\"{v}\"")),
    })
}
