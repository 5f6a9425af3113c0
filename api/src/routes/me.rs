//! The caller's own account and profile.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, web};
use chrono::{DateTime, Utc};
use kompetens_app::me::{self, EraseRequest, UpdateMeRequest};
use kompetens_domain::role::{JobRole, Role};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::ok_versioned;
use crate::auth::Authenticated;
use crate::body::{Json, JsonOrEmpty};
use crate::error::{ApiError, Problem};
use crate::extract::if_match;
use crate::state::AppState;
use crate::views::account::MeResponse;

/// Your account.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your account", body = MeResponse, headers(("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/me")]
pub async fn get_me(
    state: web::Data<AppState>,
    caller: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let me = me::get(&state.app, &caller).await?;
    Ok(ok_versioned(
        me.account.version,
        &MeResponse::new(&me.account, &caller.actor.grants, &me.employment),
    ))
}

/// Change your profile.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = UpdateMeRequest,
    params(("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")),
    responses(
        (status = 200, description = "The updated account", body = MeResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or a workplace that is no organisation", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/me")]
pub async fn update_me(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    body: Json<UpdateMeRequest>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let me = me::update(&state.app, &caller, expected, body.into_inner()).await?;
    Ok(ok_versioned(
        me.account.version,
        &MeResponse::new(&me.account, &caller.actor.grants, &me.employment),
    ))
}

/// Erase your account (GDPR art. 17).
///
/// Send your current password as `{"password": "…"}`, also when you call with an API token:
/// without it the answer is 422 (at `/password`); a wrong one is 403
/// (`/problems/password-mismatch`) and counts as a failed sign-in, so past the sign-in limit the
/// answer is 429 with `Retry-After`.
///
/// Your registrations that still hold or wait for a place are cancelled (their places go to
/// those waiting, in order), you are signed out everywhere, your API tokens and roles end, and
/// your name, e-mail, workplace and job role are removed. Your certificates are revoked and
/// no longer show your name. What you took part in still counts in funders' reports, without
/// anything that identifies you. Instance admins must first be replaced.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body(content = Option<EraseRequest>, description = "Your current password; required (422 at `/password` without it)"),
    responses(
        (status = 204, description = "Erased"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The password is wrong (`/problems/password-mismatch`), or an instance admin would erase themself (`/problems/forbidden`)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/password-mismatch", "title": "The password is wrong", "status": 403, "detail": "the password is wrong; send your current password to erase your account"})),
        (status = 422, description = "No password sent (`/password`)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "The request is not valid", "status": 422, "detail": "1 field is invalid", "errors": [{"pointer": "/password", "detail": "is required"}]})),
        (status = 429, description = "Too many failed sign-ins for this account; see `Retry-After`", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The database is busy; retry", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/me")]
pub async fn erase_me(
    state: web::Data<AppState>,
    caller: Authenticated,
    body: JsonOrEmpty<EraseRequest>,
) -> Result<HttpResponse, ApiError> {
    me::erase(&state.app, &caller, body.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One registration, as exported.
#[derive(Serialize, ToSchema)]
pub struct ExportedRegistration {
    pub id: Uuid,
    pub programme_id: Uuid,
    pub status: kompetens_domain::registration::RegistrationStatus,
    pub workplace_organisation_id: Option<Uuid>,
    pub job_role: Option<JobRole>,
    pub employment_verified: bool,
    pub priority: bool,
    /// Your answers to the programme's questions.
    pub answers: kompetens_domain::question::Answers,
    pub created_at: DateTime<Utc>,
}

/// One attendance mark, as exported.
#[derive(Serialize, ToSchema)]
pub struct ExportedMark {
    pub session_id: Uuid,
    pub status: kompetens_domain::attendance::AttendanceStatus,
    pub attended_minutes: u32,
    pub recorded_at: DateTime<Utc>,
}

/// One certificate, as exported.
#[derive(Serialize, ToSchema)]
pub struct ExportedCertificate {
    pub id: Uuid,
    pub programme_id: Uuid,
    pub code: String,
    pub holder_name: String,
    pub total_minutes: u64,
    pub issued_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// One API token, as exported (never its secret).
#[derive(Serialize, ToSchema)]
pub struct ExportedApiToken {
    pub id: Uuid,
    pub name: String,
    pub organisation_id: Uuid,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "exported_at": "2026-12-01T10:00:00Z",
    "account": {"id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f", "email": "anna.kowalska@example.pl", "name": "Anna Kowalska", "locale": "pl", "workplace_organisation_id": null, "job_role": "teacher", "is_admin": false, "email_verified": false, "employment": [], "memberships": [], "created_at": "2026-11-22T10:00:00Z", "updated_at": "2026-11-22T10:00:00Z", "version": 2},
    "registrations": [{"id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ed0", "programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0", "status": "completed", "workplace_organisation_id": null, "job_role": "teacher", "employment_verified": false, "priority": false, "answers": {"dietary_needs": "vegetarian"}, "created_at": "2026-05-04T08:00:01Z"}],
    "attendance": [{"session_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ec0", "status": "present", "attended_minutes": 180, "recorded_at": "2026-06-13T12:05:00Z"}],
    "certificates": [],
    "api_tokens": []
}))]
pub struct ExportResponse {
    pub exported_at: DateTime<Utc>,
    pub account: MeResponse,
    pub registrations: Vec<ExportedRegistration>,
    pub attendance: Vec<ExportedMark>,
    pub certificates: Vec<ExportedCertificate>,
    pub api_tokens: Vec<ExportedApiToken>,
}

/// Everything Kompetens keeps about you (GDPR art. 15), as one JSON document.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your data", body = ExportResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/me/export")]
pub async fn export_me(
    state: web::Data<AppState>,
    caller: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let export = me::export(&state.app, &caller).await?;
    Ok(HttpResponse::Ok().json(ExportResponse {
        exported_at: export.exported_at,
        account: MeResponse::new(&caller.account, &caller.actor.grants, &export.employment),
        registrations: export
            .registrations
            .iter()
            .map(|r| ExportedRegistration {
                id: r.id.as_uuid(),
                programme_id: r.programme_id.as_uuid(),
                status: r.status,
                workplace_organisation_id: r.workplace_organisation_id.map(|o| o.as_uuid()),
                job_role: r.job_role,
                employment_verified: r.employment_verified,
                priority: r.priority,
                answers: r.answers.clone(),
                created_at: r.created_at,
            })
            .collect(),
        attendance: export
            .attendance
            .iter()
            .map(|m| ExportedMark {
                session_id: m.session_id.as_uuid(),
                status: m.mark.status,
                attended_minutes: m.mark.attended_minutes,
                recorded_at: m.recorded_at,
            })
            .collect(),
        certificates: export
            .certificates
            .iter()
            .map(|c| ExportedCertificate {
                id: c.id.as_uuid(),
                programme_id: c.programme_id.as_uuid(),
                code: c.code.grouped(),
                holder_name: c.holder_name.clone(),
                total_minutes: c.total_minutes,
                issued_at: c.issued_at,
                revoked_at: c.revoked_at,
            })
            .collect(),
        api_tokens: export
            .api_tokens
            .iter()
            .map(|t| ExportedApiToken {
                id: t.id.as_uuid(),
                name: t.name.clone(),
                organisation_id: t.organisation_id.as_uuid(),
                role: t.role,
                created_at: t.created_at,
                revoked_at: t.revoked_at,
            })
            .collect(),
    }))
}
