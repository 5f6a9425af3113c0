//! Reading requests: raw JSON bodies (for `crate::body`), pagination, `If-Match`, and the error
//! handlers that turn actix's own extractor failures into problem responses.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::error::{ApiError, FieldError};

/// The largest body accepted unless configured otherwise.
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;

/// The configured body limit, stored in app data.
#[derive(Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON request body, read whole and parsed, not yet validated: what `crate::body::Json`
/// starts from (415 unless JSON, 413 past the limit, 400 unless it parses).
pub struct JsonBody(pub Value);

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<BodyLimit>()
            .map_or(DEFAULT_MAX_BODY_BYTES, |l| l.0);
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            });
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            let is_json = content_type.as_deref().is_some_and(|t| {
                t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"))
            });
            if !is_json {
                return Err(ApiError::UnsupportedMediaType);
            }
            let body = read_limited(&mut payload, declared_length, limit).await?;
            if body.is_empty() {
                return Err(ApiError::MalformedJson(
                    "the body is empty; send a JSON object".into(),
                ));
            }
            serde_json::from_slice::<Value>(&body)
                .map(JsonBody)
                .map_err(|e| ApiError::MalformedJson(format!("the body is not valid JSON: {e}")))
        })
    }
}

/// The whole body, or 413 as soon as it is known to be longer than `limit` bytes (from its
/// declared `Content-Length`, or while it arrives).
pub async fn read_limited(
    payload: &mut Payload,
    declared_length: Option<usize>,
    limit: usize,
) -> Result<web::BytesMut, ApiError> {
    if declared_length.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::MalformedJson(format!("the body could not be read: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A JSON body that may be left out: no body at all (or an empty one) is `None`; anything
/// else is read exactly as [`JsonBody`] reads it (415, 413 and 400 included).
pub struct OptionalJsonBody(pub Option<JsonBody>);

impl FromRequest for OptionalJsonBody {
    type Error = ApiError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let typed = req.headers().contains_key(header::CONTENT_TYPE);
        let length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if !typed && length.unwrap_or(0) == 0 {
            return Box::pin(async { Ok(OptionalJsonBody(None)) });
        }
        let body = JsonBody::from_request(req, payload);
        Box::pin(async move {
            match body.await {
                Ok(body) => Ok(OptionalJsonBody(Some(body))),
                Err(ApiError::MalformedJson(_)) if length == Some(0) => Ok(OptionalJsonBody(None)),
                Err(other) => Err(other),
            }
        })
    }
}

/// `?limit=&cursor=` on every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to return: 1–200, default 50.
    #[param(minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page; omit for the first page.
    pub cursor: Option<String>,
}

pub const DEFAULT_PAGE_LIMIT: u64 = 50;
pub const MAX_PAGE_LIMIT: u64 = 200;

impl PageParams {
    /// The validated limit and the id to continue after.
    pub fn parse(&self) -> Result<(u64, Option<Uuid>), ApiError> {
        let mut errors = Vec::new();
        let parsed = self.parse_collecting(&mut errors);
        if errors.is_empty() {
            Ok(parsed)
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    /// The page asked for, adding problems to `errors` so a list reports them with its filters'.
    pub fn request(&self, errors: &mut Vec<FieldError>) -> kompetens_app::PageRequest {
        let (limit, after) = self.parse_collecting(errors);
        kompetens_app::PageRequest { limit, after }
    }

    /// Like `parse`, adding problems to `errors` so a list reports them with its filters'.
    pub fn parse_collecting(&self, errors: &mut Vec<FieldError>) -> (u64, Option<Uuid>) {
        let limit = match self.limit {
            None => DEFAULT_PAGE_LIMIT,
            Some(n) if (1..=200).contains(&n) => n.unsigned_abs(),
            Some(_) => {
                errors.push(FieldError::parameter(
                    "limit",
                    format!("must be between 1 and {MAX_PAGE_LIMIT}"),
                ));
                DEFAULT_PAGE_LIMIT
            }
        };
        let after = match self.cursor.as_deref() {
            None => None,
            Some(raw) => match decode_cursor(raw) {
                Some(id) => Some(id),
                None => {
                    errors.push(FieldError::parameter(
                        "cursor",
                        "is not a cursor this API returned",
                    ));
                    None
                }
            },
        };
        (limit, after)
    }
}

/// Cursors are opaque to clients: the last id of the page, base64url-encoded.
pub fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

fn decode_cursor(raw: &str) -> Option<Uuid> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    Uuid::from_slice(&bytes).ok()
}

/// The version named by `If-Match` (RFC 9110 §13.1.1), if the header was sent.
///
/// Our ETags are strong, `"<version>"`. `*` matches any current version. A value that names
/// no version of ours can never match, so it yields `Some(-1)`, which fails with 412.
pub fn if_match(req: &HttpRequest) -> Result<Option<i32>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| ApiError::InvalidHeader("If-Match must be an ETag such as \"3\"".into()))?
        .trim();
    if text == "*" {
        return Ok(None);
    }
    let version = text.split(',').map(str::trim).find_map(|tag| {
        tag.strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .and_then(|t| t.parse::<i32>().ok())
    });
    Ok(Some(version.unwrap_or(-1)))
}

/// The ETag header value for a version.
pub fn etag(version: i32) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// Query strings that do not deserialise: 400 with serde's explanation.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &HttpRequest,
) -> actix_web::Error {
    ApiError::InvalidQuery(format!("the query string is not valid: {err}")).into()
}

/// Path segments that do not parse (a malformed UUID): no resource can have that id, so 404.
pub fn path_error(_err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::NotFound.into()
}

/// For `web::Json` users (none in our handlers, but kept consistent should one appear).
pub fn json_error(err: actix_web::error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    match err {
        E::OverflowKnownLength { limit, .. } | E::Overflow { limit } => {
            ApiError::PayloadTooLarge { limit }
        }
        E::ContentType => ApiError::UnsupportedMediaType,
        other => ApiError::MalformedJson(other.to_string()),
    }
    .into()
}
