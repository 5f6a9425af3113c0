//! The caller's own account and profile.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, web};
use chrono::{DateTime, Utc};
use kompetens_domain::account::PersonName;
use kompetens_domain::ids::OrganisationId;
use kompetens_domain::locale::Locale;
use kompetens_domain::policy::Grant;
use kompetens_domain::role::{JobRole, Role};
use kompetens_persistence::begin_write;
use kompetens_persistence::repo::Updated;
use kompetens_persistence::repo::accounts::{self, Account, ProfileChanges};
use kompetens_persistence::repo::organisations;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::extract::{JsonBody, etag, if_match, read};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct MembershipSummary {
    pub organisation_id: Uuid,
    pub role: Role,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f",
    "email": "anna.kowalska@example.pl",
    "name": "Anna Kowalska",
    "locale": "pl",
    "workplace_organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e60",
    "job_role": "intercultural_assistant",
    "is_admin": false,
    "memberships": [{"organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e60", "role": "participant"}],
    "created_at": "2026-11-22T10:00:00Z",
    "updated_at": "2026-11-22T10:00:00Z",
    "version": 1
}))]
pub struct MeResponse {
    pub id: Uuid,
    pub email: String,
    pub name: Option<String>,
    /// BCP 47 tag used for e-mails and documents.
    pub locale: String,
    /// Where the person works; eligibility rules use it.
    pub workplace_organisation_id: Option<Uuid>,
    pub job_role: Option<JobRole>,
    /// Instance administrator.
    pub is_admin: bool,
    /// Roles held, by organisation.
    pub memberships: Vec<MembershipSummary>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also sent as the `ETag` header; send it back in `If-Match` when patching.
    pub version: i32,
}

impl MeResponse {
    pub fn new(account: &Account, grants: &[Grant]) -> Self {
        MeResponse {
            id: account.id.as_uuid(),
            email: account.email.as_str().to_string(),
            name: account.name.as_ref().map(|n| n.as_str().to_string()),
            locale: account.locale.as_str().to_string(),
            workplace_organisation_id: account.workplace_organisation_id.map(|w| w.as_uuid()),
            job_role: account.job_role,
            is_admin: account.is_admin,
            memberships: grants
                .iter()
                .map(|g| MembershipSummary {
                    organisation_id: g.organisation.id().as_uuid(),
                    role: g.role,
                })
                .collect(),
            created_at: account.created_at,
            updated_at: account.updated_at,
            version: account.version,
        }
    }
}

/// Fields to change; `null` clears a field that may be empty.
#[derive(ToSchema)]
#[schema(example = json!({"name": "Anna Kowalska", "locale": "pl", "workplace_organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e60", "job_role": "intercultural_assistant"}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct UpdateMeRequest {
    name: Option<String>,
    locale: Option<String>,
    /// An organisation id; `null` to clear.
    workplace_organisation_id: Option<Uuid>,
    job_role: Option<JobRole>,
}

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
pub async fn get_me(caller: Authenticated) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(etag(caller.account.version))
        .json(MeResponse::new(&caller.account, &caller.actor.grants))
}

/// Change your profile.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = UpdateMeRequest,
    params(("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")),
    responses(
        (status = 200, description = "The updated account", body = MeResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/me")]
pub async fn update_me(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let mut f = body.fields()?;
    let name = f.patch("name", read::parsed(PersonName::parse));
    let locale = f.patch_required("locale", read::parsed(Locale::parse));
    let workplace = f.patch("workplace_organisation_id", read::uuid);
    let job_role = f.patch("job_role", read::parsed(JobRole::parse));
    f.finish()?;
    let workplace = workplace
        .into_change()
        .map(|w| w.map(OrganisationId::from_uuid));
    if let Some(Some(id)) = workplace
        && organisations::find(&state.db, id).await?.is_none()
    {
        return Err(ApiError::invalid(
            "/workplace_organisation_id",
            "no such organisation",
        ));
    }
    let changes = ProfileChanges {
        name: name.into_change(),
        locale,
        workplace_organisation_id: workplace,
        job_role: job_role.into_change(),
    };
    let tx = begin_write(&state.db).await?;
    let account =
        match accounts::update_profile(&tx, caller.account_id(), expected, changes, Utc::now())
            .await?
        {
            Updated::Done(account) => account,
            Updated::Stale => return Err(ApiError::PreconditionFailed),
            Updated::NotFound => return Err(ApiError::NotFound),
        };
    tx.commit().await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(account.version))
        .json(MeResponse::new(&account, &caller.actor.grants)))
}

/// Erase your account (GDPR art. 17).
///
/// Your registrations that still hold or wait for a place are cancelled (their places go to
/// those waiting, in order), you are signed out everywhere, your API tokens and roles end, and
/// your name, e-mail, workplace and job role are removed. Your certificates are revoked and
/// no longer show your name. What you took part in still counts in funders' reports, without
/// anything that identifies you. Instance admins must first be replaced.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Erased"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API token cannot erase a person, nor can an instance admin erase themself", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/forbidden", "title": "You may not do this", "status": 403, "detail": "API tokens cannot erase a person; sign in as that person"})),
        (status = 503, description = "The database is busy; retry", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/me")]
pub async fn erase_me(
    state: web::Data<AppState>,
    caller: Authenticated,
) -> Result<HttpResponse, ApiError> {
    use kompetens_domain::registration::RegistrationStatus;
    use kompetens_persistence::repo::{erasure, programmes, registrations};
    if matches!(
        caller.credential,
        crate::auth::caller::Credential::ApiToken(_)
    ) {
        return Err(ApiError::Forbidden(
            "API tokens cannot erase a person; sign in as that person".into(),
        ));
    }
    if caller.account.is_admin {
        return Err(ApiError::Forbidden(
            "an instance admin cannot erase themself; have another admin take over first".into(),
        ));
    }
    let now = Utc::now();
    let tx = begin_write(&state.db).await?;
    let held = registrations::cancellable_for_participant(&tx, caller.account.id).await?;
    let mut programme_ids: Vec<_> = held.iter().map(|r| r.programme_id).collect();
    // Programme rows are locked in one order, so two erasures never wait on each other.
    programme_ids.sort_unstable();
    programme_ids.dedup();
    for id in programme_ids {
        let Some(programme) = programmes::find(&tx, id, true).await? else {
            continue;
        };
        for r in held.iter().filter(|r| r.programme_id == id) {
            // Re-read under the lock.
            let Some(mut r) = registrations::find(&tx, r.id).await? else {
                continue;
            };
            if r.status.is_cancellable() {
                super::legacy::end(
                    &tx,
                    &mut r,
                    RegistrationStatus::Cancelled,
                    Some("the participant erased their account".into()),
                    now,
                )
                .await?;
            }
        }
        super::legacy::promote(&tx, &programme, now).await?;
    }
    erasure::erase(&tx, caller.account.id, now).await?;
    tx.commit().await?;
    tracing::info!(account_id = %caller.account.id, "account erased");
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
    "account": {"id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f", "email": "anna.kowalska@example.pl", "name": "Anna Kowalska", "locale": "pl", "workplace_organisation_id": null, "job_role": "teacher", "is_admin": false, "memberships": [], "created_at": "2026-11-22T10:00:00Z", "updated_at": "2026-11-22T10:00:00Z", "version": 2},
    "registrations": [{"id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ed0", "programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0", "status": "completed", "workplace_organisation_id": null, "job_role": "teacher", "created_at": "2026-05-04T08:00:01Z"}],
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
    use kompetens_persistence::repo::{api_tokens, attendance, certificates, registrations};
    let me = caller.account.id;
    let mut all_registrations = Vec::new();
    let mut after = None;
    loop {
        let page = registrations::list_for_participant(&state.db, me, after, 200).await?;
        all_registrations.extend(page.items);
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let mut all_certificates = Vec::new();
    let mut after = None;
    loop {
        let page = certificates::list_for_participant(&state.db, me, after, 200).await?;
        all_certificates.extend(page.items);
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let mut tokens = Vec::new();
    let mut after = None;
    loop {
        let page = api_tokens::list_for_account(&state.db, me, after, 200).await?;
        tokens.extend(page.items);
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let marks = attendance::for_account(&state.db, me).await?;
    Ok(HttpResponse::Ok().json(ExportResponse {
        exported_at: Utc::now(),
        account: MeResponse::new(&caller.account, &caller.actor.grants),
        registrations: all_registrations
            .iter()
            .map(|r| ExportedRegistration {
                id: r.id.as_uuid(),
                programme_id: r.programme_id.as_uuid(),
                status: r.status,
                workplace_organisation_id: r.workplace_organisation_id.map(|o| o.as_uuid()),
                job_role: r.job_role,
                created_at: r.created_at,
            })
            .collect(),
        attendance: marks
            .iter()
            .map(|m| ExportedMark {
                session_id: m.session_id.as_uuid(),
                status: m.mark.status,
                attended_minutes: m.mark.attended_minutes,
                recorded_at: m.recorded_at,
            })
            .collect(),
        certificates: all_certificates
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
        api_tokens: tokens
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
