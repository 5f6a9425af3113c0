//! The OpenAPI 3.1 document, generated from the handlers themselves.

use actix_web::App;
use utoipa::openapi::OpenApi as OpenApiDocument;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{FieldError, Problem};
use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kompetens API",
        description = "Professional-development programmes for people who work with migrants and refugees: \
programmes, registrations, sessions, attendance, certificates and funder reports.\n\n\
Errors are RFC 9457 problem details (`application/problem+json`); lists are paginated with `limit` and `cursor`; \
updates honour `If-Match`.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    modifiers(&BearerAuth),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "auth", description = "Sign-up, sign-in, token refresh and logout"),
        (name = "me", description = "Your own account"),
        (name = "api-tokens", description = "Bearer tokens for scripts"),
        (name = "organisations", description = "The organisation tree and its members"),
        (name = "funding", description = "Funders and the grants they award"),
        (name = "venues", description = "Where sessions take place"),
        (name = "programmes", description = "Programmes, their lifecycle and hour budgets"),
        (name = "sessions", description = "Dated sessions, their trainers and calendars"),
        (name = "registrations", description = "Places, waiting lists, approvals and cancellations"),
        (name = "messages", description = "Organisers' messages to a programme's participants, e-mailed in each one's language"),
        (name = "attendance", description = "Attendance per session, hours and progress towards completion"),
        (name = "certificates", description = "Certificates: issue, PDF, public verification and revocation"),
        (name = "competence-plans", description = "Organisations' competence-development plans and how far programmes meet them"),
        (name = "health", description = "Liveness and readiness"),
        (name = "problems", description = "What each problem type means")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDocument) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT or kpt_ API token")
                    .description(Some(
                        "An access token from POST /api/v1/auth/token, or an API token (kpt_…) from POST /api/v1/me/api-tokens.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Where the committed document says the API is: the embedded default. A running server
/// serves its document with its own `KOMPETENS_PUBLIC_URL` instead ([`document_for`]).
pub const DEFAULT_SERVER: &str = "http://localhost:8080";

/// The document for the routes this build serves.
///
/// Routes are collected by registering them on a throw-away `App` exactly as the server does,
/// so a handler cannot be served without being documented; then every operation is completed
/// with the answers every operation of its shape can give ([`complete`]).
pub fn document() -> OpenApiDocument {
    document_for(DEFAULT_SERVER)
}

/// The document as served by a server reached at `public_url`.
pub fn document_for(public_url: &str) -> OpenApiDocument {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api/v1").configure(routes::configure_v1))
        .configure(routes::configure_root)
        .split_for_parts();
    api.info.version = env!("CARGO_PKG_VERSION").to_string();
    api.servers = Some(vec![
        utoipa::openapi::ServerBuilder::new()
            .url(public_url.trim_end_matches('/'))
            .description(Some("This Kompetens server (paths start with /api/v1)"))
            .build(),
    ]);
    match serde_json::to_value(&api)
        .map(|mut value| {
            complete(&mut value);
            value
        })
        .and_then(serde_json::from_value)
    {
        Ok(completed) => completed,
        // Cannot happen (the document round-trips through its own types); serve it as built.
        Err(_) => api,
    }
}

/// The request headers every operation reads alike, described once: what the server accepts of
/// them (the same limits `crate::idempotency::IdempotencyKey` and `crate::extract::if_match`
/// check).
fn describe_headers(op: &mut serde_json::Map<String, serde_json::Value>) {
    use serde_json::json;
    let Some(parameters) = op.get_mut("parameters").and_then(|p| p.as_array_mut()) else {
        return;
    };
    for parameter in parameters {
        if parameter["in"] != "header" {
            continue;
        }
        match parameter["name"].as_str() {
            Some("Idempotency-Key") => {
                parameter["schema"] = json!({
                    "type": "string",
                    "minLength": 1,
                    "maxLength": crate::idempotency::MAX_KEY_LENGTH,
                    "pattern": crate::idempotency::KEY_PATTERN,
                    "examples": ["4f6d2a0e-3b1c-4f55-9a37-0c2d8e1b7a91"]
                });
                parameter["description"] = json!(
                    "Makes the request safe to retry: a retry with the same key and body within 24 hours gets the first response back (with `Idempotent-Replayed: true`); the same key with another body is 422. 1–255 visible ASCII characters, e.g. a UUID."
                );
            }
            Some("If-Match") => {
                parameter["schema"] = json!({"type": "string", "examples": ["\"3\""]});
            }
            _ => {}
        }
    }
}

/// The answers an operation can give by its shape alone, added where the handler's own list
/// does not already describe them:
///
/// - a body: 400 (not JSON), 413 (too large), 415 (not `application/json`), 422 (invalid);
/// - query parameters: 400 (unreadable) and 422 (invalid values);
/// - header parameters (`If-Match`, `Idempotency-Key`): 400 (unreadable); `If-Match` 412;
///   `Idempotency-Key` 422 (reused for another request);
/// - a bearer token accepted: 401 (missing, or not or no longer valid);
/// - an id in the path: 404 (no such resource, or a malformed id: no resource has it);
/// - anything that reads the database: 503 with `Retry-After`.
pub fn complete(document: &mut serde_json::Value) {
    use serde_json::{Value, json};
    let problem = |description: &str| {
        json!({
            "description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        })
    };
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (_, op) in item.iter_mut() {
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            describe_headers(op);
            let parameters: Vec<(String, String)> = op
                .get("parameters")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            (
                                p["in"].as_str().unwrap_or_default().to_string(),
                                p["name"].as_str().unwrap_or_default().to_ascii_lowercase(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let has = |place: &str, name: Option<&str>| {
                parameters
                    .iter()
                    .any(|(p, n)| p == place && name.is_none_or(|name| n == name))
            };
            let body = op.get("requestBody").is_some();
            let query = has("query", None);
            let headers = has("header", None);
            let bearer = op
                .get("security")
                .and_then(Value::as_array)
                .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
            let in_path = path.contains('{');
            let versioned = path.starts_with("/api/v1") || path == "/health/ready";
            let mut add = Vec::new();
            if body || query || headers {
                add.push((
                    "400",
                    "The body, the query string or a header cannot be read",
                ));
            }
            if bearer {
                add.push((
                    "401",
                    "No bearer token, or one that is not (or no longer) valid",
                ));
            }
            if in_path {
                add.push(("404", "No such resource, or not one you may see"));
            }
            if has("header", Some("if-match")) {
                add.push((
                    "412",
                    "`If-Match` names a version that is no longer current",
                ));
            }
            if body {
                add.push(("413", "The body is larger than the server accepts"));
                add.push(("415", "The body is not `application/json`"));
            }
            if body || query || has("header", Some("idempotency-key")) {
                add.push((
                    "422",
                    "Invalid input, every problem listed in `errors` with its pointer or parameter",
                ));
            }
            if versioned {
                add.push((
                    "503",
                    "The database is unreachable or busy; retry after `Retry-After` seconds",
                ));
            }
            let responses = op
                .entry("responses")
                .or_insert_with(|| json!({}))
                .as_object_mut();
            let Some(responses) = responses else {
                continue;
            };
            for (status, description) in add {
                if !responses.contains_key(status) {
                    let mut response = problem(description);
                    if status == "503" {
                        response["headers"] = json!({
                            "Retry-After": {
                                "description": "Seconds to wait before retrying",
                                "schema": {"type": "integer", "minimum": 0}
                            }
                        });
                    }
                    responses.insert(status.to_string(), response);
                }
            }
            // Statuses in numeric order, as readers expect.
            let mut sorted: Vec<(String, Value)> = std::mem::take(responses).into_iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            responses.extend(sorted);
        }
    }
}

/// The document as YAML, as committed in `openapi.yaml`.
pub fn yaml() -> anyhow::Result<String> {
    Ok(document().to_yaml()?)
}
