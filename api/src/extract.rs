//! Reading requests: JSON bodies field by field, pagination, `If-Match`, and the error
//! handlers that turn actix's own extractor failures into problem responses.

use std::collections::BTreeSet;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::StreamExt;
use kompetens_domain::Invalid;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::error::{ApiError, FieldError};

/// The largest body accepted unless configured otherwise.
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;

/// The configured body limit, stored in app data.
#[derive(Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON request body, read whole and parsed, not yet validated.
///
/// Handlers read it field by field with [`Fields`], which collects every problem at once, so a
/// client learns of all its mistakes in one 422 instead of one per round trip.
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
            if declared_length.is_some_and(|n| n > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::MalformedJson(format!("the body could not be read: {e}"))
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
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

impl JsonBody {
    /// Starts reading the body as an object.
    pub fn fields(self) -> Result<Fields, ApiError> {
        match self.0 {
            Value::Object(members) => Ok(Fields {
                members,
                errors: Vec::new(),
                read: BTreeSet::new(),
            }),
            _ => Err(ApiError::invalid("", "the body must be a JSON object")),
        }
    }
}

/// A `PATCH` field: absent (leave it), `null` (clear it), or a new value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Patch<T> {
    Absent,
    Null,
    Value(T),
}

impl<T> Patch<T> {
    /// `None` when absent; `Some(None)` to clear; `Some(Some(v))` to set.
    pub fn into_change(self) -> Option<Option<T>> {
        match self {
            Patch::Absent => None,
            Patch::Null => Some(None),
            Patch::Value(v) => Some(Some(v)),
        }
    }
}

/// Reads an object's members one by one, collecting every error with its JSON pointer.
pub struct Fields {
    members: Map<String, Value>,
    errors: Vec<FieldError>,
    read: BTreeSet<String>,
}

/// Converts one JSON value; the error text is shown to the caller under the field's pointer.
pub type Reader<T> = fn(&Value) -> Result<T, String>;

/// What a nested reader returns on failure: each problem with a pointer relative to the value
/// it read (`""` for the value itself, `/pl` for one of its members).
pub type Problems = Vec<FieldError>;

fn one(detail: String) -> Problems {
    vec![FieldError::at("", detail)]
}

impl Fields {
    /// Starts reading a nested object (for readers of structured members).
    pub fn of(value: &Value) -> Result<Fields, Problems> {
        match value {
            Value::Object(members) => Ok(Fields {
                members: members.clone(),
                errors: Vec::new(),
                read: BTreeSet::new(),
            }),
            _ => Err(one("must be an object".into())),
        }
    }

    fn take(&mut self, name: &str) -> Option<&Value> {
        self.read.insert(name.to_string());
        self.members.get(name)
    }

    fn record<T>(&mut self, name: &str, result: Result<T, Problems>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(problems) => {
                let prefix = format!("/{}", escape_pointer(name));
                for problem in problems {
                    let pointer = format!("{prefix}{}", problem.pointer.unwrap_or_default());
                    self.errors.push(FieldError::at(pointer, problem.detail));
                }
                None
            }
        }
    }

    /// A member that must be present and not null.
    pub fn required<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        self.required_with(name, |v| read(v).map_err(one))
    }

    /// Like `required`, with a reader that locates problems inside the value.
    pub fn required_with<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(&Value) -> Result<T, Problems>,
    ) -> Option<T> {
        let result = match self.take(name) {
            None | Some(Value::Null) => Err(one("is required".to_string())),
            Some(value) => read(value),
        };
        self.record(name, result)
    }

    /// A member that may be absent or null.
    pub fn optional<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        self.optional_with(name, |v| read(v).map_err(one))
    }

    /// Like `optional`, with a reader that locates problems inside the value.
    pub fn optional_with<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(&Value) -> Result<T, Problems>,
    ) -> Option<T> {
        let result = match self.take(name) {
            None | Some(Value::Null) => return None,
            Some(value) => read(value),
        };
        self.record(name, result)
    }

    /// A member of a `PATCH` body that may be cleared with `null`.
    pub fn patch<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Patch<T> {
        self.patch_with(name, |v| read(v).map_err(one))
    }

    /// Like `patch`, with a reader that locates problems inside the value.
    pub fn patch_with<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(&Value) -> Result<T, Problems>,
    ) -> Patch<T> {
        let result = match self.take(name) {
            None => return Patch::Absent,
            Some(Value::Null) => return Patch::Null,
            Some(value) => read(value),
        };
        self.record(name, result)
            .map_or(Patch::Absent, Patch::Value)
    }

    /// A member of a `PATCH` body that may change but never be cleared.
    pub fn patch_required<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        self.patch_required_with(name, |v| read(v).map_err(one))
    }

    /// Like `patch_required`, with a reader that locates problems inside the value.
    pub fn patch_required_with<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(&Value) -> Result<T, Problems>,
    ) -> Option<T> {
        let result = match self.take(name) {
            None => return None,
            Some(Value::Null) => Err(one("may not be null".to_string())),
            Some(value) => read(value),
        };
        self.record(name, result)
    }

    /// Whether the member was sent at all (even as `null`).
    pub fn contains(&self, name: &str) -> bool {
        self.members.contains_key(name)
    }

    /// Records a problem found after reading, e.g. between two members.
    pub fn reject(&mut self, pointer: &str, detail: impl Into<String>) {
        self.errors.push(FieldError::at(pointer, detail));
    }

    /// Ends reading: unknown members are errors too (a typo should not be silently ignored).
    pub fn finish(self) -> Result<(), ApiError> {
        self.done().map_err(ApiError::Validation)
    }

    /// Ends reading a nested object, handing its problems to the enclosing reader.
    pub fn done(mut self) -> Result<(), Problems> {
        for name in self.members.keys() {
            if !self.read.contains(name) {
                self.errors.push(FieldError::at(
                    format!("/{}", escape_pointer(name)),
                    "is not a known field",
                ));
            }
        }
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }

    /// Like `finish`, for bodies where nothing may be sent besides what was read.
    pub fn is_empty_patch(&self) -> bool {
        self.members.is_empty()
    }
}

/// RFC 6901: `~` becomes `~0` and `/` becomes `~1`.
fn escape_pointer(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// Readers for common JSON shapes.
pub mod read {
    use super::*;

    pub fn string(value: &Value) -> Result<String, String> {
        value
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| "must be a string".to_string())
    }

    /// A string, then parsed by a domain constructor.
    pub fn parsed<T>(
        parse: impl Fn(&str) -> Result<T, Invalid>,
    ) -> impl Fn(&Value) -> Result<T, String> {
        move |value| {
            let text = value
                .as_str()
                .ok_or_else(|| "must be a string".to_string())?;
            parse(text).map_err(|e| e.0)
        }
    }

    pub fn uuid(value: &Value) -> Result<Uuid, String> {
        value
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| "must be a UUID".to_string())
    }

    pub fn boolean(value: &Value) -> Result<bool, String> {
        value
            .as_bool()
            .ok_or_else(|| "must be true or false".to_string())
    }

    /// An integer, then checked by a domain constructor.
    pub fn int<T>(
        check: impl FnOnce(i64) -> Result<T, Invalid>,
    ) -> impl FnOnce(&Value) -> Result<T, String> {
        move |value| {
            let n = value
                .as_i64()
                .ok_or_else(|| "must be a whole number".to_string())?;
            check(n).map_err(|e| e.0)
        }
    }

    pub fn number(value: &Value) -> Result<f64, String> {
        value.as_f64().ok_or_else(|| "must be a number".to_string())
    }

    /// A calendar date, `YYYY-MM-DD`.
    pub fn date(value: &Value) -> Result<chrono::NaiveDate, String> {
        value
            .as_str()
            .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .ok_or_else(|| "must be a date, YYYY-MM-DD".to_string())
    }

    /// Multilingual text: `{"pl": "…", "en": "…"}`, each entry at most `max` characters.
    pub fn localized(
        max: usize,
    ) -> impl FnOnce(&Value) -> Result<kompetens_domain::text::LocalizedText, Problems> {
        move |value| {
            let Value::Object(map) = value else {
                return Err(one(
                    "must be an object of language tags to text, e.g. {\"pl\": \"…\"}".into(),
                ));
            };
            let mut problems = Vec::new();
            let mut entries = Vec::new();
            for (tag, text) in map {
                match text.as_str() {
                    Some(t) => entries.push((tag.as_str(), t)),
                    None => problems.push(FieldError::at(
                        format!("/{}", escape_pointer(tag)),
                        "must be a string",
                    )),
                }
            }
            if !problems.is_empty() {
                return Err(problems);
            }
            kompetens_domain::text::LocalizedText::parse(entries, max).map_err(|(tag, e)| {
                vec![FieldError::at(
                    tag.map(|t| format!("/{}", escape_pointer(&t)))
                        .unwrap_or_default(),
                    e.0,
                )]
            })
        }
    }

    /// A JSON array, each item read by `item`; problems are located by index.
    pub fn list<T>(
        max_items: usize,
        item: impl Fn(&Value) -> Result<T, Problems>,
    ) -> impl FnOnce(&Value) -> Result<Vec<T>, Problems> {
        move |value| {
            let items = value
                .as_array()
                .ok_or_else(|| one("must be an array".into()))?;
            if items.len() > max_items {
                return Err(one(format!("may hold at most {max_items} items")));
            }
            let mut out = Vec::with_capacity(items.len());
            let mut problems = Vec::new();
            for (i, v) in items.iter().enumerate() {
                match item(v) {
                    Ok(t) => out.push(t),
                    Err(ps) => problems.extend(ps.into_iter().map(|p| {
                        FieldError::at(format!("/{i}{}", p.pointer.unwrap_or_default()), p.detail)
                    })),
                }
            }
            if problems.is_empty() {
                Ok(out)
            } else {
                Err(problems)
            }
        }
    }

    /// Adapts a simple reader to a nested one.
    pub fn simple<T>(
        read: impl Fn(&Value) -> Result<T, String>,
    ) -> impl Fn(&Value) -> Result<T, Problems> {
        move |v| read(v).map_err(one)
    }

    /// Money: `{"amount_minor": 18900000, "currency": "PLN"}`.
    pub fn money(value: &Value) -> Result<kompetens_domain::money::Money, Problems> {
        use kompetens_domain::money::{Currency, Money};
        let mut f = Fields::of(value)?;
        let amount = f.required("amount_minor", |v| {
            v.as_i64().ok_or_else(|| {
                "must be a whole number of minor units (e.g. grosze, cents)".to_string()
            })
        });
        let currency = f.required("currency", parsed(Currency::parse));
        f.done()?;
        match (amount, currency) {
            (Some(a), Some(c)) => {
                Money::new(a, c).map_err(|e| vec![FieldError::at("/amount_minor", e.0)])
            }
            _ => Err(one("is not valid money".into())),
        }
    }

    pub fn instant(value: &Value) -> Result<chrono::DateTime<chrono::Utc>, String> {
        value
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&chrono::Utc))
            .ok_or_else(|| {
                "must be an RFC 3339 instant with offset, e.g. 2026-06-13T09:00:00+02:00"
                    .to_string()
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

/// Parses a path id; used where the id is read by hand rather than by `web::Path`.
pub fn path_uuid(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)
}
