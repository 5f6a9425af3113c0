//! The caller's own account and profile.

use actix_web::{HttpRequest, HttpResponse, get, patch, web};
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

use crate::auth::Caller;
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
pub async fn get_me(caller: Caller) -> HttpResponse {
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
    caller: Caller,
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
