//! HTTP handlers, one module per resource. Every handler is registered with `.service(..)` on
//! a `utoipa_actix_web` app, so every route is in the OpenAPI document by construction.

pub mod api_tokens;
pub mod attendance;
pub mod auth;
pub mod certificates;
pub mod competence_plans;
pub mod completion;
pub mod funders;
pub mod grants;
pub mod health;
pub mod me;
pub mod messages;
pub mod organisations;
pub mod problems;
pub mod programmes;
pub mod registrations;
pub mod reports;
pub mod sessions;
pub mod staff;
pub mod venues;

use utoipa_actix_web::service_config::ServiceConfig;

/// Everything under `/api/v1`.
pub fn configure_v1(cfg: &mut ServiceConfig) {
    cfg.service(auth::signup)
        .service(auth::token)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::password_setup)
        .service(auth::verify_email)
        .service(auth::resend_verification)
        .service(me::get_me)
        .service(me::update_me)
        .service(me::erase_me)
        .service(me::export_me)
        .service(api_tokens::create_api_token)
        .service(api_tokens::list_api_tokens)
        .service(api_tokens::revoke_api_token)
        .service(organisations::create_organisation)
        .service(organisations::list_organisations)
        .service(organisations::get_organisation)
        .service(organisations::update_organisation)
        .service(organisations::list_members)
        .service(organisations::add_member)
        .service(organisations::remove_member)
        .service(staff::get_staff)
        .service(staff::replace_staff)
        .service(funders::create_funder)
        .service(funders::list_funders)
        .service(funders::get_funder)
        .service(funders::update_funder)
        .service(grants::create_grant)
        .service(grants::list_grants)
        .service(grants::get_grant)
        .service(grants::update_grant)
        .service(venues::create_venue)
        .service(venues::list_venues)
        .service(venues::get_venue)
        .service(venues::update_venue)
        .service(programmes::create_programme)
        .service(programmes::list_programmes)
        .service(programmes::get_programme)
        .service(programmes::update_programme)
        .service(programmes::publish_programme)
        .service(programmes::close_programme)
        .service(programmes::archive_programme)
        .service(programmes::get_hour_budget)
        .service(programmes::replace_hour_budget)
        .service(sessions::programme_calendar)
        .service(sessions::create_session)
        .service(sessions::list_sessions)
        .service(sessions::get_session)
        .service(sessions::update_session)
        .service(sessions::cancel_session)
        .service(sessions::delete_session)
        .service(sessions::my_sessions)
        .service(sessions::my_calendar)
        .service(registrations::create_registration)
        .service(registrations::create_registrations_batch)
        .service(registrations::list_registrations)
        .service(registrations::get_registration)
        .service(registrations::cancel_registration)
        .service(registrations::approve_registration)
        .service(registrations::reject_registration)
        .service(registrations::my_registrations)
        .service(registrations::choose_sessions)
        .service(attendance::get_attendance)
        .service(attendance::record_attendance)
        .service(attendance::attendance_changes)
        .service(completion::registration_progress)
        .service(certificates::issue_certificate)
        .service(certificates::my_certificates)
        .service(certificates::programme_certificates)
        // Before `/certificates/{id}`: the verification path and the `.pdf` suffix are more
        // specific than a bare id.
        .service(certificates::verify_certificate)
        .service(certificates::certificate_pdf)
        .service(certificates::get_certificate)
        .service(certificates::revoke_certificate)
        .service(reports::grant_report)
        .service(reports::programme_report)
        .service(grants::get_allocations)
        .service(grants::replace_allocations)
        .service(competence_plans::create_plan)
        .service(competence_plans::list_plans)
        // `{plan_id}` matches UUIDs only: `rollup` is never a plan, in any order.
        .service(competence_plans::rollup)
        .service(competence_plans::get_plan)
        .service(competence_plans::update_plan)
        .service(messages::send_message)
        .service(messages::list_messages)
        .service(messages::get_message);
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

use actix_web::HttpResponse;
use serde::Serialize;

use crate::extract::etag;

/// 200 with the resource and its `ETag`.
pub(crate) fn ok_versioned(version: i32, body: &impl Serialize) -> HttpResponse {
    HttpResponse::Ok().insert_header(etag(version)).json(body)
}

/// Multilingual text: BCP 47 language tags to text, at least one.
pub type TextMap = std::collections::BTreeMap<String, String>;

pub(crate) fn text_map(text: &kompetens_domain::text::LocalizedText) -> TextMap {
    text.entries().clone()
}

/// A free-text query parameter: trimmed and lower-cased (searches ignore case), at most `max`
/// characters and no control characters; empty means no filter.
pub(crate) fn query_text(
    errors: &mut Vec<crate::error::FieldError>,
    name: &str,
    raw: Option<&str>,
    max: usize,
) -> Option<String> {
    let text = raw.map(str::trim).filter(|t| !t.is_empty())?;
    match kompetens_domain::text::line(text, max) {
        Ok(t) => Some(t.to_lowercase()),
        Err(e) => {
            errors.push(crate::error::FieldError::parameter(name, e.0));
            None
        }
    }
}

/// Parses an optional query parameter, collecting a problem when it does not parse.
pub(crate) fn query_param<T>(
    errors: &mut Vec<crate::error::FieldError>,
    name: &str,
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, kompetens_domain::Invalid>,
) -> Option<T> {
    match raw.map(parse) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => {
            errors.push(crate::error::FieldError::parameter(name, e.0));
            None
        }
    }
}
