//! Typed request bodies: the body is checked against the very schema the OpenAPI document
//! publishes for its type, then deserialised into that type.
//!
//! `Json<T>` reads the body (415 unless JSON, 413 past the limit, 400 unless it parses), checks
//! it against `T`'s JSON Schema (draft 2020-12, built from `T: ToSchema`, so the check and the
//! document are one declaration) collecting every problem with its JSON pointer, and then
//! deserialises it into `T`, whose value types check what a schema cannot say (a date range in
//! order, text that is more than white space). Every problem of both steps comes back in one
//! RFC 9457 `errors` list, in the order the members came in the body.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{ApiError, FieldError};
use crate::extract::{JsonBody, OptionalJsonBody};

/// A request body of type `T`, valid against `T`'s published schema.
pub struct Json<T> {
    value: T,
    raw: Value,
}

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The body as sent (members in their order), for the `Idempotency-Key` digest.
    pub fn raw(&self) -> &Value {
        &self.raw
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: DeserializeOwned + ToSchema + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = JsonBody::from_request(req, payload);
        Box::pin(async move {
            let raw = body.await?.0;
            let value = parse::<T>(raw.clone())?;
            Ok(Json { value, raw })
        })
    }
}

/// A request body whose members are also checked against each other
/// ([`kompetens_app::Validate`]): those problems come in the same answer as the others.
pub struct Checked<T>(pub Json<T>);

impl<T: DeserializeOwned + ToSchema + kompetens_app::Validate + 'static> FromRequest
    for Checked<T>
{
    type Error = ApiError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = JsonBody::from_request(req, payload);
        Box::pin(async move {
            let raw = body.await?.0;
            let value = parse_with::<T>(raw.clone(), T::validate)?;
            Ok(Checked(Json { value, raw }))
        })
    }
}

/// A body that may be left out (no body, or an empty one): then `T::default()`.
pub struct JsonOrEmpty<T>(pub T);

impl<T: DeserializeOwned + ToSchema + Default + 'static> FromRequest for JsonOrEmpty<T> {
    type Error = ApiError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = OptionalJsonBody::from_request(req, payload);
        Box::pin(async move {
            match body.await?.0 {
                None => Ok(JsonOrEmpty(T::default())),
                Some(raw) => parse::<T>(raw.0).map(JsonOrEmpty),
            }
        })
    }
}

/// Checks `value` against `T`'s schema, then deserialises it; every problem of both steps.
pub fn parse<T: DeserializeOwned + ToSchema + 'static>(value: Value) -> Result<T, ApiError> {
    parse_with::<T>(value, |_| Vec::new())
}

/// Like [`parse`], and then `check` on what could be read (also when some members were refused,
/// as long as what is left deserialises), so that one answer lists every problem.
pub fn parse_with<T: DeserializeOwned + ToSchema + 'static>(
    value: Value,
    check: impl Fn(&T) -> Vec<FieldError>,
) -> Result<T, ApiError> {
    let validator = validator::<T>()?;
    let mut errors = Vec::new();
    for error in validator.iter_errors(&value) {
        describe(&error, &mut errors);
    }
    let mut cleaned = value.clone();
    let mut removed = BTreeSet::new();
    for e in &errors {
        if let Some(pointer) = &e.pointer
            && remove(&mut cleaned, pointer)
        {
            removed.insert(pointer.clone());
        }
    }
    if errors.iter().any(|e| e.pointer.as_deref() == Some("")) {
        return Err(ApiError::Validation(errors));
    }
    let outcome = deserialize::<T>(cleaned, &mut errors, &mut removed);
    if let Some(read) = &outcome {
        for problem in check(read) {
            // A member already refused on its own says so once.
            if !errors.iter().any(|e| e.pointer == problem.pointer) {
                errors.push(problem);
            }
        }
    }
    order(&value, &mut errors);
    match outcome {
        Some(v) if errors.is_empty() => Ok(v),
        _ if errors.is_empty() => Err(ApiError::Internal(anyhow::anyhow!(
            "a body valid against its schema did not deserialise"
        ))),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// Deserialises with serde, taking out each refused member and trying again, so that every
/// member the value types refuse is reported (serde itself stops at the first).
fn deserialize<T: DeserializeOwned>(
    mut value: Value,
    errors: &mut Vec<FieldError>,
    removed: &mut BTreeSet<String>,
) -> Option<T> {
    // Each round takes one member out; a body has far fewer members than this.
    for _ in 0..1000 {
        let error = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(v) => return Some(v),
            Err(e) => e,
        };
        let at = pointer_of(error.path());
        let message = error.inner().to_string();
        let (pointer, detail) = match missing_field(&message) {
            Some(field) => (format!("{at}/{}", escape(field)), "is required".to_string()),
            None => (at, message),
        };
        let inner = format!("{pointer}/");
        let about_a_reported_member = errors
            .iter()
            .filter_map(|e| e.pointer.as_deref())
            .any(|p| p.starts_with(&inner));
        if about_a_reported_member && !pointer.is_empty() {
            // What holds a member already reported (a map whose only entry was refused is now
            // empty): the member's own problem says it; take the holder out and carry on.
            if !remove(&mut value, &pointer) {
                return None;
            }
            removed.insert(pointer);
            continue;
        }
        let reported = errors
            .iter()
            .any(|e| e.pointer.as_deref() == Some(&pointer));
        if reported || removed.contains(&pointer) {
            // The member was taken out after its own problem was reported: take out what
            // holds it, to carry on with the rest of the body.
            let parent = parent(&pointer).filter(|p| !p.is_empty())?;
            if !remove(&mut value, parent) {
                return None;
            }
            removed.insert(parent.to_string());
            continue;
        }
        errors.push(FieldError::at(pointer.clone(), detail));
        if pointer.is_empty() || !remove(&mut value, &pointer) {
            return None;
        }
        removed.insert(pointer);
    }
    None
}

fn missing_field(message: &str) -> Option<&str> {
    message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => pointer.push_str(&format!("/{}", escape(key))),
            Segment::Enum { variant } => pointer.push_str(&format!("/{}", escape(variant))),
            Segment::Unknown => {}
        }
    }
    pointer
}

/// RFC 6901: `~` becomes `~0` and `/` becomes `~1`.
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

fn parent(pointer: &str) -> Option<&str> {
    pointer.rfind('/').map(|i| &pointer[..i])
}

/// Removes the member at `pointer` from an object (array items stay: indices must not move).
fn remove(value: &mut Value, pointer: &str) -> bool {
    let Some((parent_pointer, last)) = pointer.rsplit_once('/') else {
        return false;
    };
    let parent = if parent_pointer.is_empty() {
        Some(value)
    } else {
        value.pointer_mut(parent_pointer)
    };
    match parent {
        Some(Value::Object(map)) => map.shift_remove(&unescape(last)).is_some(),
        _ => false,
    }
}

/// Problems in the order the members they concern came in the body (members that were not
/// sent, such as missing required ones, after those of their object); stable otherwise.
fn order(body: &Value, errors: &mut [FieldError]) {
    let position = |pointer: &str| -> Vec<usize> {
        let mut here = body;
        let mut key = Vec::new();
        for segment in pointer.split('/').skip(1) {
            let segment = unescape(segment);
            let (index, next) = match here {
                Value::Object(map) => match map.keys().position(|k| *k == segment) {
                    Some(i) => (i, map.get(&segment)),
                    None => (usize::MAX, None),
                },
                Value::Array(items) => match segment.parse::<usize>() {
                    Ok(i) => (i, items.get(i)),
                    Err(_) => (usize::MAX, None),
                },
                _ => (usize::MAX, None),
            };
            key.push(index);
            match next {
                Some(v) => here = v,
                None => break,
            }
        }
        key
    };
    errors.sort_by_cached_key(|e| position(e.pointer.as_deref().unwrap_or_default()));
}

/// The compiled schema of `T`, built once per type.
fn validator<T: ToSchema + 'static>() -> Result<Arc<Validator>, ApiError> {
    static CACHE: OnceLock<Mutex<HashMap<std::any::TypeId, Arc<Validator>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let id = std::any::TypeId::of::<T>();
    if let Some(v) = cache.lock().ok().and_then(|c| c.get(&id).cloned()) {
        return Ok(v);
    }
    let compiled = Arc::new(compile(&schema_document::<T>()).map_err(ApiError::Internal)?);
    if let Ok(mut c) = cache.lock() {
        c.insert(id, compiled.clone());
    }
    Ok(compiled)
}

/// `T`'s schema as a standalone JSON Schema document: the schema itself, with every schema it
/// refers to under `components/schemas`, where the OpenAPI document's `$ref`s point.
pub fn schema_document<T: ToSchema>() -> Value {
    let mut dependencies = Vec::new();
    T::schemas(&mut dependencies);
    let mut components = serde_json::Map::new();
    for (name, schema) in dependencies {
        components.insert(name, serde_json::to_value(schema).unwrap_or(Value::Null));
    }
    let mut root = serde_json::to_value(T::schema()).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut root {
        map.insert(
            "components".to_string(),
            serde_json::json!({ "schemas": components }),
        );
    }
    root
}

/// Compiles a schema as draft 2020-12, with the formats the server itself checks.
pub fn compile(schema: &Value) -> anyhow::Result<Validator> {
    use kompetens_domain::email::Email;
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        // The formats are checked by the same functions the value types use.
        .with_format("email", |s: &str| Email::parse(s).is_ok())
        .with_format("uri", |s: &str| kompetens_domain::text::web_url(s).is_ok())
        .build(schema)
        .map_err(|e| anyhow::anyhow!("a request schema does not compile: {e}"))
}

/// Adds the problems `error` stands for, in the words the API uses.
fn describe(error: &ValidationError<'_>, out: &mut Vec<FieldError>) {
    let at = error.instance_path().as_str().to_string();
    let detail = match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            for name in unexpected {
                out.push(FieldError::at(
                    format!("{at}/{}", escape(name)),
                    "is not a known field",
                ));
            }
            return;
        }
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_string);
            out.push(FieldError::at(
                format!("{at}/{}", escape(&name)),
                "is required",
            ));
            return;
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            // `oneOf: [null, X]` is how an optional member is written: report what X says. Of
            // alternatives of different types (text or true/false), report what the branches
            // of the value's own type say, not that it is not of the other type.
            let of_its_type: Vec<bool> = context
                .iter()
                .map(|branch| {
                    !branch.iter().any(|e| {
                        matches!(e.kind(), ValidationErrorKind::Type { .. })
                            && e.instance_path().as_str() == at
                    })
                })
                .collect();
            let some_of_its_type = of_its_type.iter().any(|t| *t);
            let mut inner = Vec::new();
            for (branch, its_type) in context.iter().zip(&of_its_type) {
                if some_of_its_type && !its_type {
                    continue;
                }
                for e in branch {
                    if !only_not_null(e) {
                        describe(e, &mut inner);
                    }
                }
            }
            if inner.is_empty() {
                inner.push(FieldError::at(at, "is not valid"));
            }
            for e in inner {
                if !out.contains(&e) {
                    out.push(e);
                }
            }
            return;
        }
        ValidationErrorKind::Type { kind } => format!("must be {}", types(kind)),
        ValidationErrorKind::Enum { options } => match options.as_array() {
            Some(values) if values.len() <= 30 => format!(
                "must be one of: {}",
                values
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => "is not one of the values the schema lists".to_string(),
        },
        ValidationErrorKind::MinLength { limit: 1 } => "must not be empty".to_string(),
        ValidationErrorKind::MinLength { limit } => format!("must be at least {limit} characters"),
        ValidationErrorKind::MaxLength { limit } => format!("must be at most {limit} characters"),
        // The text patterns also ask for something besides white space (which trimming takes
        // away); an empty string is already reported by `minLength`.
        ValidationErrorKind::Pattern { pattern }
            if is_text_pattern(pattern) && error.instance().as_str() == Some("") =>
        {
            return;
        }
        ValidationErrorKind::Pattern { pattern }
            if is_text_pattern(pattern)
                && error
                    .instance()
                    .as_str()
                    .is_some_and(|s| s.trim().is_empty()) =>
        {
            "must not be empty".to_string()
        }
        ValidationErrorKind::Pattern { pattern } => pattern_detail(pattern),
        ValidationErrorKind::Minimum { limit } => format!("must be at least {limit}"),
        ValidationErrorKind::Maximum { limit } => format!("must be at most {limit}"),
        ValidationErrorKind::ExclusiveMinimum { limit } => format!("must be more than {limit}"),
        ValidationErrorKind::ExclusiveMaximum { limit } => format!("must be less than {limit}"),
        ValidationErrorKind::MinItems { limit } => format!("must hold at least {limit} items"),
        ValidationErrorKind::MaxItems { limit } => format!("may hold at most {limit} items"),
        ValidationErrorKind::MinProperties { limit: 1 } => {
            "must hold at least one entry, e.g. {\"pl\": \"…\"}".to_string()
        }
        ValidationErrorKind::MinProperties { limit } => {
            format!("must hold at least {limit} entries")
        }
        ValidationErrorKind::MaxProperties { limit } => format!("may hold at most {limit} entries"),
        ValidationErrorKind::PropertyNames { error } => match error.kind() {
            ValidationErrorKind::Pattern { .. } | ValidationErrorKind::MaxLength { .. } => {
                let key = error.instance().as_str().unwrap_or_default().to_string();
                out.push(FieldError::at(
                    format!("{at}/{}", escape(&key)),
                    "must be keyed by a BCP 47 language tag such as pl, en or sv-SE",
                ));
                return;
            }
            _ => format!("has a key that is not allowed: {error}"),
        },
        ValidationErrorKind::Format { format } => match format.as_str() {
            "email" => "must be an e-mail address such as name@example.org".to_string(),
            "uri" => "must be an http or https URL".to_string(),
            "date" => "must be a date, YYYY-MM-DD".to_string(),
            "date-time" => {
                "must be an RFC 3339 instant with offset, e.g. 2026-06-13T09:00:00+02:00"
                    .to_string()
            }
            "uuid" => "must be a UUID".to_string(),
            other => format!("must be a valid {other}"),
        },
        ValidationErrorKind::UniqueItems => "must not list an item twice".to_string(),
        ValidationErrorKind::Constant { expected_value } => format!("must be {expected_value}"),
        _ => error.to_string(),
    };
    out.push(FieldError::at(at, detail));
}

/// Whether the error only says "this is not null" (the null branch of an optional member).
fn only_not_null(error: &ValidationError<'_>) -> bool {
    matches!(
        error.kind(),
        ValidationErrorKind::Type { kind: TypeKind::Single(t) } if t.to_string() == "null"
    )
}

fn types(kind: &TypeKind) -> String {
    let names: Vec<String> = match kind {
        TypeKind::Single(t) => vec![t.to_string()],
        TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
    };
    let words: Vec<&str> = names
        .iter()
        .map(|n| match n.as_str() {
            "string" => "a string",
            "integer" => "a whole number",
            "number" => "a number",
            "boolean" => "true or false",
            "array" => "an array",
            "object" => "an object",
            "null" => "null",
            other => other,
        })
        .collect();
    words.join(" or ")
}

fn is_text_pattern(pattern: &str) -> bool {
    use kompetens_domain::text::{LINE_PATTERN, PARAGRAPHS_PATTERN};
    pattern == LINE_PATTERN || pattern == PARAGRAPHS_PATTERN
}

fn pattern_detail(pattern: &str) -> String {
    use kompetens_domain::text::{LINE_PATTERN, PARAGRAPHS_PATTERN, URL_PATTERN};
    use kompetens_domain::wire::LOCALE_PATTERN;
    if pattern == LINE_PATTERN {
        "must not contain control characters, line breaks or bidirectional overrides".to_string()
    } else if pattern == PARAGRAPHS_PATTERN {
        "must not contain control characters (other than tabs and line breaks) or bidirectional overrides".to_string()
    } else if pattern == LOCALE_PATTERN {
        "must be a BCP 47 language tag such as pl, en or sv-SE".to_string()
    } else if pattern == URL_PATTERN {
        "must be an http or https URL".to_string()
    } else if pattern == kompetens_domain::question::ANSWER_PATTERN {
        "must not contain control characters (other than tabs and line breaks) or bidirectional overrides".to_string()
    } else if pattern == kompetens_domain::question::KEY_PATTERN {
        "must be 1–40 lower-case letters, digits or _, starting with a letter, e.g. dietary_needs"
            .to_string()
    } else {
        format!("must match the pattern {pattern}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    #[expect(
        dead_code,
        reason = "only its schema and its deserialisation are tested"
    )]
    struct Sample {
        name: kompetens_domain::text::Line<10>,
        kind: kompetens_domain::organisation::OrganisationKind,
        #[serde(default)]
        time_zone: Option<kompetens_domain::time_zone::TimeZone>,
        #[serde(default)]
        tags: Vec<kompetens_domain::text::Line<5>>,
    }

    fn pointers(body: Value) -> Vec<(String, String)> {
        match parse::<Sample>(body) {
            Err(ApiError::Validation(errors)) => errors
                .into_iter()
                .map(|e| (e.pointer.unwrap_or_default(), e.detail))
                .collect(),
            Err(other) => vec![("!".into(), other.to_string())],
            Ok(v) => vec![("ok".into(), format!("{v:?}"))],
        }
    }

    #[test]
    fn every_problem_is_reported_in_body_order() {
        let got = pointers(serde_json::json!({
            "time_zone": "Mars/Base", "extra": 1, "name": "", "tags": ["ok", "far too long", 3]
        }));
        let at: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            at,
            [
                "/time_zone",
                "/extra",
                "/name",
                "/tags/1",
                "/tags/2",
                "/kind"
            ],
            "{got:?}"
        );
    }

    #[test]
    fn what_only_the_value_types_know_is_reported_too() {
        // Three spaces pass `minLength: 1`; the type trims them away.
        let got = pointers(serde_json::json!({"name": "   ", "kind": "school"}));
        assert_eq!(
            got,
            [("/name".to_string(), "must not be empty".to_string())]
        );
        // The schema says so too (its pattern asks for something besides white space), in the
        // same words, once; an empty string is reported once, by `minLength`.
        let got = pointers(serde_json::json!({"name": "", "kind": "school"}));
        assert_eq!(
            got,
            [("/name".to_string(), "must not be empty".to_string())]
        );
        let Ok(schema) = compile(&schema_document::<Sample>()) else {
            panic!("the sample schema compiles");
        };
        for blank in ["   ", "\u{a0}\u{2003}", ""] {
            assert!(!schema.is_valid(&serde_json::json!({"name": blank, "kind": "school"})));
        }
        assert!(schema.is_valid(&serde_json::json!({"name": " a b ", "kind": "school"})));
        let got = pointers(serde_json::json!({"name": "a\u{202E}b", "kind": "school"}));
        assert_eq!(got[0].0, "/name");
    }

    #[test]
    fn a_valid_body_deserialises() {
        let got =
            pointers(serde_json::json!({"name": " Aula ", "kind": "school", "time_zone": null}));
        assert_eq!(got[0].0, "ok", "{got:?}");
    }
}
