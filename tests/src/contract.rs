//! The OpenAPI document as a contract: every response a test receives is checked against what
//! the document says its operation answers — the status must be listed, the content type must
//! be one listed for that status, and a JSON body must validate against that status's schema.
//!
//! The document is the one the server builds in-process (`kompetens_api::openapi::document()`),
//! compiled once per test process into JSON Schema (draft 2020-12) validators. The document is
//! registered whole as one resource, so `#/components/schemas/...` references resolve inside it
//! exactly as OpenAPI 3.1 says they do; each response schema is compiled as a reference to its
//! own place in the document.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use jsonschema::{Draft, Registry, Validator};
use reqwest::{Method, header::HeaderMap};
use serde_json::Value;

/// Where the document lives as a JSON Schema resource (a name only: nothing is fetched).
const DOCUMENT_URI: &str = "urn:kompetens:openapi";

/// How much of a body a failure message quotes.
const BODY_QUOTE: usize = 2_000;

/// The compiled contract of this test process.
pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let document = serde_json::to_value(kompetens_api::openapi::document())
            .expect("the OpenAPI document serialises");
        Contract::new(document).unwrap_or_else(|e| panic!("the OpenAPI document compiles: {e}"))
    })
}

/// Checks one exchange against the document; panics with what is wrong.
#[track_caller]
pub fn enforce(method: &Method, url: &str, status: u16, headers: &HeaderMap, body: &[u8]) {
    if let Err(message) = check(method, url, status, headers, body) {
        panic!("{message}");
    }
}

/// Checks one exchange against the document. `url` is a path (`/api/v1/venues?limit=5`) or a
/// full URL; the query string is not part of the match.
pub fn check(
    method: &Method,
    url: &str,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), String> {
    contract().check(method, url, status, headers, body)
}

/// The document's operations, with a validator for each schema a response may carry.
pub struct Contract {
    document: Value,
    templates: Vec<PathTemplate>,
    /// The `Problem` schema, for the error bodies of requests the document does not describe.
    problem: Option<Arc<Validator>>,
}

struct PathTemplate {
    text: String,
    segments: Vec<Segment>,
    /// By upper-case method name.
    operations: BTreeMap<String, Operation>,
}

enum Segment {
    Literal(String),
    /// `{name}`, with whatever literal text stands around it in the segment (`{id}.pdf`).
    Parameter {
        prefix: String,
        suffix: String,
    },
}

struct Operation {
    /// By response key as the document writes it: `200`, `4XX`, `default`.
    responses: BTreeMap<String, Response>,
}

struct Response {
    /// By media type (or range) as the document writes it; the schema's validator, if any.
    content: BTreeMap<String, Option<Arc<Validator>>>,
}

impl Contract {
    /// Compiles every response schema of `document` (an OpenAPI 3.1 document as JSON).
    pub fn new(document: Value) -> Result<Contract, String> {
        let compiler = SchemaCompiler::new(&document)?;
        let mut templates = Vec::new();
        let paths = document["paths"]
            .as_object()
            .ok_or("the document has no paths")?;
        for (text, item) in paths {
            let mut operations = BTreeMap::new();
            for (method, op) in item.as_object().into_iter().flatten() {
                let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                    continue; // `parameters`, `summary` and the like, not an operation
                };
                let mut documented = BTreeMap::new();
                for (key, response) in responses {
                    let at = format!("/paths/{}/{method}/responses/{}", escape(text), escape(key));
                    let (pointer, response) = dereference(&document, &at, response)?;
                    let mut content = BTreeMap::new();
                    for (media, entry) in response
                        .get("content")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                    {
                        let validator =
                            match entry.get("schema") {
                                Some(_) => Some(compiler.compile(&format!(
                                    "{pointer}/content/{}/schema",
                                    escape(media)
                                ))?),
                                None => None,
                            };
                        content.insert(media.to_ascii_lowercase(), validator);
                    }
                    documented.insert(key.to_ascii_uppercase(), Response { content });
                }
                operations.insert(
                    method.to_ascii_uppercase(),
                    Operation {
                        responses: documented,
                    },
                );
            }
            templates.push(PathTemplate {
                text: text.clone(),
                segments: parse_template(text),
                operations,
            });
        }
        let problem = match document.pointer("/components/schemas/Problem") {
            Some(_) => Some(compiler.compile("/components/schemas/Problem")?),
            None => None,
        };
        Ok(Contract {
            document,
            templates,
            problem,
        })
    }

    /// The document this contract was compiled from, as JSON.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// The path template a concrete path is an instance of: literal segments beat templated
    /// ones, and a templated segment with literal text around its parameter (`{id}.pdf`) beats
    /// a bare `{id}`, position by position from the left.
    pub fn template_of(&self, path: &str) -> Option<&str> {
        self.find(path).map(|t| t.text.as_str())
    }

    fn find(&self, path: &str) -> Option<&PathTemplate> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        self.templates
            .iter()
            .filter_map(|t| specificity(&t.segments, &segments).map(|s| (s, t)))
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, t)| t)
    }

    /// Checks one exchange; the error says what is wrong, where, and quotes the body.
    pub fn check(
        &self,
        method: &Method,
        url: &str,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), String> {
        let path = path_of(url);
        let media = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(essence);
        let fail = |what: String| {
            Err(format!(
                "{method} {path} answered {status} {}: {what}\nbody: {}",
                media.as_deref().unwrap_or("(no content type)"),
                quote(body)
            ))
        };
        let Some((template, operation)) = self
            .find(path)
            .and_then(|t| Some((t, t.operations.get(method.as_str())?)))
        else {
            // Not an operation of the document (health, docs, a path or method a test gets
            // wrong on purpose): an error must still be a problem, as every error is.
            if status < 400 {
                return Ok(());
            }
            if media.as_deref() != Some("application/problem+json") {
                return fail(
                    "an error of an undocumented operation, not application/problem+json".into(),
                );
            }
            let Ok(json) = serde_json::from_slice::<Value>(body) else {
                return fail("the body is not JSON".into());
            };
            if let Some(problem) = &self.problem
                && let Err(errors) = validate(problem, &json)
            {
                return fail(format!("the body is not a Problem:\n{errors}"));
            }
            return Ok(());
        };
        let operation_name = format!("{method} {}", template.text);
        let key = status.to_string();
        let range = format!("{}XX", status / 100);
        let Some(response) = operation
            .responses
            .get(&key)
            .or_else(|| operation.responses.get(&range))
            .or_else(|| operation.responses.get("DEFAULT"))
        else {
            let listed: Vec<&str> = operation.responses.keys().map(String::as_str).collect();
            return fail(format!(
                "{status} is not documented for {operation_name} (documented: {})",
                listed.join(", ")
            ));
        };
        if response.content.is_empty() {
            if body.is_empty() {
                return Ok(());
            }
            return fail(format!(
                "{operation_name} documents no content for {status}, but a body came"
            ));
        }
        let listed = || {
            response
                .content
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some(media) = media.as_deref() else {
            return fail(format!(
                "no content type, but {operation_name} documents {} for {status}",
                listed()
            ));
        };
        let Some(schema) = response
            .content
            .iter()
            .find(|(range, _)| media_matches(range, media))
            .map(|(_, schema)| schema)
        else {
            return fail(format!(
                "{media} is not documented for {status} of {operation_name} (documented: {})",
                listed()
            ));
        };
        if !is_json(media) {
            return Ok(());
        }
        let Ok(json) = serde_json::from_slice::<Value>(body) else {
            return fail(format!("the body is not {media}"));
        };
        if let Some(schema) = schema
            && let Err(errors) = validate(schema, &json)
        {
            return fail(format!(
                "the body does not match the schema {operation_name} documents for {status} {media}:\n{errors}"
            ));
        }
        Ok(())
    }
}

/// Compiles schemas that live somewhere in the document, by JSON pointer, sharing one prepared
/// registry and reusing the validator of a schema already compiled.
pub struct SchemaCompiler {
    registry: Registry<'static>,
    document: Value,
    compiled: std::sync::Mutex<BTreeMap<String, Arc<Validator>>>,
}

impl SchemaCompiler {
    pub fn new(document: &Value) -> Result<SchemaCompiler, String> {
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(DOCUMENT_URI, document.clone())
            .and_then(|builder| builder.prepare())
            .map_err(|e| format!("registering the document: {e}"))?;
        Ok(SchemaCompiler {
            registry,
            document: document.clone(),
            compiled: Default::default(),
        })
    }

    /// The validator of the schema at `pointer` (e.g. `/components/schemas/Problem`). Formats
    /// the document names (`uuid`, `date`, `date-time`) are checked: they are part of the
    /// contract clients generate their types from.
    pub fn compile(&self, pointer: &str) -> Result<Arc<Validator>, String> {
        let schema = self
            .document
            .pointer(pointer)
            .ok_or_else(|| format!("nothing at {pointer} in the document"))?;
        // Two places holding the same schema (most often one `$ref`) share one validator.
        let key = schema.to_string();
        let mut compiled = self.compiled.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(validator) = compiled.get(&key) {
            return Ok(validator.clone());
        }
        let reference =
            serde_json::json!({ "$ref": format!("{DOCUMENT_URI}#{}", fragment(pointer)) });
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .with_registry(&self.registry)
            .should_validate_formats(true)
            .build(&reference)
            .map_err(|e| format!("compiling the schema at {pointer}: {e}"))?;
        let validator = Arc::new(validator);
        compiled.insert(key, validator.clone());
        Ok(validator)
    }
}

/// Follows a `$ref` to a response, parameter or example object (`#/components/responses/..`)
/// within `document`; the pointer to where `object` (found at `pointer`) really lives, and it.
pub fn dereference<'a>(
    document: &'a Value,
    pointer: &str,
    object: &'a Value,
) -> Result<(String, &'a Value), String> {
    let mut pointer = pointer.to_string();
    let mut object = object;
    for _ in 0..16 {
        let Some(reference) = object.get("$ref").and_then(Value::as_str) else {
            return Ok((pointer, object));
        };
        let target = reference
            .strip_prefix('#')
            .ok_or_else(|| format!("{pointer}: an external reference {reference}"))?;
        object = document
            .pointer(target)
            .ok_or_else(|| format!("{pointer}: {reference} leads nowhere"))?;
        pointer = target.to_string();
    }
    Err(format!("{pointer}: references in a loop"))
}

/// Validates `instance`; on failure every error, one a line, with where it is in the instance
/// and in the schema (and, for `oneOf`/`anyOf`, why each option refused it).
pub fn validate(validator: &Validator, instance: &Value) -> Result<(), String> {
    let mut lines = Vec::new();
    for error in validator.iter_errors(instance) {
        describe(&error, 1, &mut lines);
    }
    if lines.is_empty() {
        Ok(())
    } else {
        Err(lines.join("\n"))
    }
}

fn describe(error: &jsonschema::ValidationError<'_>, depth: usize, lines: &mut Vec<String>) {
    let at = error.instance_path().to_string();
    let at = if at.is_empty() { "/" } else { at.as_str() };
    lines.push(format!(
        "{:indent$}at {at}: {} (schema {})",
        "",
        shorten(&error.to_string(), 600),
        error.evaluation_path(),
        indent = depth * 2
    ));
    if let jsonschema::error::ValidationErrorKind::AnyOf { context }
    | jsonschema::error::ValidationErrorKind::OneOfNotValid { context } = error.kind()
        && depth < 4
    {
        for (i, option) in context.iter().enumerate() {
            lines.push(format!("{:indent$}option {i}:", "", indent = depth * 2 + 2));
            for error in option {
                describe(error, depth + 2, lines);
            }
        }
    }
}

/// `~` and `/` escaped for a JSON pointer token (RFC 6901).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// A JSON pointer as a URI fragment (RFC 6901, section 6): what a fragment may not hold, such as
/// the braces of a path template, percent-encoded.
fn fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn parse_template(text: &str) -> Vec<Segment> {
    text.trim_start_matches('/')
        .split('/')
        .map(|segment| match (segment.find('{'), segment.rfind('}')) {
            (Some(open), Some(close)) if open < close => Segment::Parameter {
                prefix: segment[..open].to_string(),
                suffix: segment[close + 1..].to_string(),
            },
            _ => Segment::Literal(segment.to_string()),
        })
        .collect()
}

/// Whether `segments` is an instance of `template`, and if so how specific the match is: per
/// position, 2 for a literal, 1 for a parameter with literal text around it, 0 for a bare one.
fn specificity(template: &[Segment], segments: &[&str]) -> Option<Vec<u8>> {
    if template.len() != segments.len() {
        return None;
    }
    template
        .iter()
        .zip(segments)
        .map(|(t, s)| match t {
            Segment::Literal(l) => (l == s).then_some(2),
            Segment::Parameter { prefix, suffix } => (s.len() > prefix.len() + suffix.len()
                && s.starts_with(prefix.as_str())
                && s.ends_with(suffix.as_str()))
            .then_some(u8::from(!prefix.is_empty() || !suffix.is_empty())),
        })
        .collect()
}

/// The path of a path or URL, without query or fragment.
fn path_of(url: &str) -> &str {
    let rest = match url.find("://") {
        Some(i) => {
            let after = &url[i + 3..];
            after.find('/').map_or("/", |j| &after[j..])
        }
        None => url,
    };
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    &rest[..end]
}

/// `application/json; charset=utf-8` -> `application/json`.
fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn is_json(media: &str) -> bool {
    media == "application/json" || media.ends_with("+json")
}

/// Whether a documented media type or range (`text/*`, `*/*`) covers `media`.
fn media_matches(range: &str, media: &str) -> bool {
    let range = essence(range);
    if range == "*/*" || range == media {
        return true;
    }
    match range.strip_suffix("/*") {
        Some(kind) => media.split('/').next() == Some(kind),
        None => false,
    }
}

fn quote(body: &[u8]) -> String {
    if body.is_empty() {
        return "(empty)".into();
    }
    shorten(&String::from_utf8_lossy(body), BODY_QUOTE)
}

fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn contract() -> Contract {
        let problem = json!({"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}});
        Contract::new(json!({
            "openapi": "3.1.0",
            "paths": {
                "/certificates/{id}": {"get": {"responses": {
                    "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "404": {"content": problem}
                }}},
                "/certificates/{id}.pdf": {"get": {"responses": {
                    "200": {"content": {"application/pdf": {}}},
                    "4XX": {"content": problem}
                }}},
                "/certificates/verify/{code}": {"get": {"responses": {
                    "200": {"content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}}}
                }}},
                "/things": {"delete": {"responses": {"204": {"description": "Gone"}}}}
            },
            "components": {"schemas": {
                "Thing": {"type": "object", "required": ["id", "kind"], "additionalProperties": false, "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "kind": {"$ref": "#/components/schemas/Kind"},
                    "note": {"type": ["string", "null"]}
                }},
                "Kind": {"type": "string", "enum": ["intercultural_assistant", "teacher"]},
                "Problem": {"type": "object", "required": ["type", "title", "status"], "properties": {
                    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}
                }}
            }}
        }))
        .unwrap()
    }

    fn headers(content_type: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("content-type", content_type.parse().unwrap());
        h
    }

    const ID: &str = "0190a000-0000-7000-8000-000000000000";

    #[test]
    fn literal_and_suffixed_segments_beat_bare_parameters() {
        let c = contract();
        assert_eq!(
            c.template_of("/certificates/verify/abc"),
            Some("/certificates/verify/{code}")
        );
        assert_eq!(
            c.template_of(&format!("/certificates/{ID}.pdf")),
            Some("/certificates/{id}.pdf")
        );
        assert_eq!(
            c.template_of(&format!("/certificates/{ID}")),
            Some("/certificates/{id}")
        );
        assert_eq!(
            c.template_of("/certificates/.pdf"),
            Some("/certificates/{id}")
        );
        assert_eq!(c.template_of("/certificates"), None);
    }

    #[test]
    fn a_matching_body_passes_and_a_mismatch_names_its_pointer() {
        let c = contract();
        let good = json!({"id": ID, "kind": "teacher", "note": null}).to_string();
        let url = format!("http://127.0.0.1:1/certificates/{ID}?x=1");
        c.check(
            &Method::GET,
            &url,
            200,
            &headers("application/json"),
            good.as_bytes(),
        )
        .unwrap();
        let bad = json!({"id": "nope", "kind": "Teacher", "extra": 1}).to_string();
        let e = c
            .check(
                &Method::GET,
                &url,
                200,
                &headers("application/json; charset=utf-8"),
                bad.as_bytes(),
            )
            .unwrap_err();
        assert!(
            e.contains(&format!("GET /certificates/{ID} answered 200")),
            "{e}"
        );
        assert!(e.contains("at /kind"), "{e}");
        assert!(e.contains("at /id"), "{e}");
        assert!(e.contains("'extra' was unexpected"), "{e}");
        // Arrays of references resolve too.
        let list = json!([{"id": ID, "kind": "Teacher"}]).to_string();
        let e = c
            .check(
                &Method::GET,
                "/certificates/verify/x",
                200,
                &headers("application/json"),
                list.as_bytes(),
            )
            .unwrap_err();
        assert!(e.contains("at /0/kind"), "{e}");
    }

    #[test]
    fn statuses_and_content_types_must_be_documented() {
        let c = contract();
        let problem = br#"{"type": "/problems/conflict", "title": "Conflict", "status": 409}"#;
        let e = c
            .check(
                &Method::GET,
                &format!("/certificates/{ID}"),
                409,
                &headers("application/problem+json"),
                problem,
            )
            .unwrap_err();
        assert!(
            e.contains("409 is not documented for GET /certificates/{id} (documented: 200, 404)"),
            "{e}"
        );
        // A range covers it.
        c.check(
            &Method::GET,
            &format!("/certificates/{ID}.pdf"),
            409,
            &headers("application/problem+json"),
            problem,
        )
        .unwrap();
        c.check(
            &Method::GET,
            &format!("/certificates/{ID}.pdf"),
            200,
            &headers("application/pdf"),
            b"%PDF-",
        )
        .unwrap();
        let e = c
            .check(
                &Method::GET,
                &format!("/certificates/{ID}.pdf"),
                200,
                &headers("application/json"),
                b"{}",
            )
            .unwrap_err();
        assert!(e.contains("application/json is not documented"), "{e}");
        c.check(&Method::DELETE, "/things", 204, &HeaderMap::new(), b"")
            .unwrap();
        assert!(
            c.check(
                &Method::DELETE,
                "/things",
                204,
                &headers("application/json"),
                b"{}"
            )
            .is_err()
        );
    }

    #[test]
    fn undocumented_operations_need_only_answer_errors_as_problems() {
        let c = contract();
        c.check(
            &Method::GET,
            "/health/live",
            200,
            &headers("text/plain"),
            b"ok",
        )
        .unwrap();
        let problem = br#"{"type": "/problems/method-not-allowed", "title": "No", "status": 405}"#;
        c.check(
            &Method::PUT,
            "/things",
            405,
            &headers("application/problem+json"),
            problem,
        )
        .unwrap();
        assert!(
            c.check(&Method::PUT, "/things", 405, &headers("text/plain"), b"no")
                .is_err()
        );
        assert!(
            c.check(
                &Method::GET,
                "/nowhere",
                404,
                &headers("application/problem+json"),
                b"{}"
            )
            .is_err()
        );
    }
}
