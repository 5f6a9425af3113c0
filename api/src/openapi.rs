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

/// The document for the routes this build serves.
///
/// Routes are collected by registering them on a throw-away `App` exactly as the server does,
/// so a handler cannot be served without being documented.
pub fn document() -> OpenApiDocument {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api/v1").configure(routes::configure_v1))
        .configure(routes::configure_root)
        .split_for_parts();
    api.info.version = env!("CARGO_PKG_VERSION").to_string();
    api
}

/// The document as YAML, as committed in `openapi.yaml`.
pub fn yaml() -> anyhow::Result<String> {
    Ok(document().to_yaml()?)
}
