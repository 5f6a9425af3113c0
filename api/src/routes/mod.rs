//! HTTP handlers, one module per resource. Every handler is registered with `.service(..)` on
//! a `utoipa_actix_web` app, so every route is in the OpenAPI document by construction.

pub mod api_tokens;
pub mod auth;
pub mod health;
pub mod me;
pub mod organisations;
pub mod problems;

use utoipa_actix_web::service_config::ServiceConfig;

/// Everything under `/api/v1`.
pub fn configure_v1(cfg: &mut ServiceConfig) {
    cfg.service(auth::signup)
        .service(auth::token)
        .service(auth::refresh)
        .service(auth::logout)
        .service(me::get_me)
        .service(me::update_me)
        .service(api_tokens::create_api_token)
        .service(api_tokens::list_api_tokens)
        .service(api_tokens::revoke_api_token)
        .service(organisations::create_organisation)
        .service(organisations::list_organisations)
        .service(organisations::get_organisation)
        .service(organisations::update_organisation)
        .service(organisations::list_members)
        .service(organisations::add_member)
        .service(organisations::remove_member);
}

/// Outside the versioned API: health checks and problem-type documentation.
pub fn configure_root(cfg: &mut ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(problems::get_problem_type);
}

/// `Location` for a created resource.
pub fn location(path: String) -> (actix_web::http::header::HeaderName, String) {
    (actix_web::http::header::LOCATION, format!("/api/v1{path}"))
}
