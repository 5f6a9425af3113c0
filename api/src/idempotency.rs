//! `Idempotency-Key` on creates: the first response is stored with a hash of the request, in
//! the transaction that made the resource; a retry within 24 hours gets that response back
//! byte for byte (with `Idempotent-Replayed: true`); the same key with another request is 422.

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use kompetens_domain::ids::AccountId;
use kompetens_persistence::repo::idempotency::{self, Stored};
use kompetens_persistence::{ConnectionTrait, StoreError};
use serde_json::Value;

use crate::error::ApiError;

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED: &str = "idempotent-replayed";

/// How long a key is remembered.
pub fn window() -> chrono::Duration {
    chrono::Duration::hours(24)
}

/// The `Idempotency-Key` header, if sent: 1–255 visible ASCII characters.
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = match req.headers().get(HEADER) {
            None => Ok(IdempotencyKey(None)),
            Some(value) => match value.to_str() {
                Ok(key)
                    if !key.is_empty()
                        && key.len() <= 255
                        && key.bytes().all(|b| b.is_ascii_graphic()) =>
                {
                    Ok(IdempotencyKey(Some(key.to_string())))
                }
                _ => Err(ApiError::InvalidHeader(
                    "Idempotency-Key must be 1–255 visible ASCII characters, e.g. a UUID".into(),
                )),
            },
        };
        std::future::ready(result)
    }
}

/// SHA-256 over the method, the path and the body (serde_json sorts object keys, so the same
/// JSON with members in another order is the same request).
pub fn request_hash(req: &HttpRequest, body: &Value) -> String {
    crate::auth::tokens::digest(&format!("{} {}\n{body}", req.method(), req.path()))
}

/// The stored response to replay, or 422 when the key was used for another request.
pub async fn replay(
    conn: &impl ConnectionTrait,
    account: AccountId,
    key: &str,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<HttpResponse>, ApiError> {
    let Some(stored) = idempotency::find(conn, account, key, now - window()).await? else {
        return Ok(None);
    };
    if stored.request_hash != hash {
        return Err(ApiError::IdempotencyKeyReused);
    }
    Ok(Some(respond(&stored, true)))
}

/// Stores the response under the key (inside the creating transaction) and returns it.
pub async fn remember(
    conn: &impl ConnectionTrait,
    account: AccountId,
    key: Option<&str>,
    stored: Stored,
) -> Result<HttpResponse, ApiError> {
    if let Some(key) = key {
        match idempotency::store(conn, account, key, &stored).await {
            Ok(()) => {}
            // Another request with this key committed first: the caller retries and replays.
            Err(StoreError::Duplicate(_)) => {
                return Err(ApiError::Unavailable {
                    retry_after: 1,
                    detail: "a request with this Idempotency-Key is in progress; retry".into(),
                });
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(respond(&stored, false))
}

/// A JSON response from its parts.
pub fn respond(stored: &Stored, replayed: bool) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    response.insert_header((
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    ));
    if let Some(location) = stored
        .location
        .as_deref()
        .and_then(|l| HeaderValue::from_str(l).ok())
    {
        response.insert_header((header::LOCATION, location));
    }
    if replayed {
        response.insert_header((
            HeaderName::from_static(REPLAYED),
            HeaderValue::from_static("true"),
        ));
    }
    response.body(stored.body.clone())
}

/// A response to be sent (and stored, if a key was given).
pub fn response(
    status: u16,
    body: &impl serde::Serialize,
    location: Option<String>,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Stored, ApiError> {
    Ok(Stored {
        request_hash: hash.to_string(),
        status,
        body: serde_json::to_string(body).map_err(|e| ApiError::Internal(e.into()))?,
        location,
        created_at: now,
    })
}
