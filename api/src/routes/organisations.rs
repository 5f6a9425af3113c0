//! Organisations (the tenant tree) and their members.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use kompetens_domain::country::CountryCode;
use kompetens_domain::email::Email;
use kompetens_domain::ids::{AccountId, MembershipId, OrganisationId};
use kompetens_domain::organisation::{OrganisationKind, OrganisationName, OrganisationPath};
use kompetens_domain::policy::{self, Decision, OrganisationAction};
use kompetens_domain::role::Role;
use kompetens_domain::time_zone::TimeZone;
use kompetens_persistence::repo::Updated;
use kompetens_persistence::repo::accounts;
use kompetens_persistence::repo::memberships::{self, Member};
use kompetens_persistence::repo::organisations::{
    self, NewOrganisation, Organisation, OrganisationChanges,
};
use kompetens_persistence::{StoreError, begin_write};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Authenticated, Caller};
use crate::error::{ApiError, Problem};
use crate::extract::{JsonBody, PageParams, encode_cursor, etag, if_match, read};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e60",
    "parent_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61",
    "name": "Szkoła Podstawowa nr 12 w Gdańsku",
    "kind": "school",
    "country": "PL",
    "time_zone": "Europe/Warsaw",
    "created_at": "2026-11-22T10:00:00Z",
    "updated_at": "2026-11-22T10:00:00Z",
    "version": 1
}))]
pub struct OrganisationResponse {
    pub id: Uuid,
    /// The organisation above this one; `null` at the top of a tree.
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub kind: OrganisationKind,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// IANA time zone.
    pub time_zone: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also sent as the `ETag` header.
    pub version: i32,
}

impl From<&Organisation> for OrganisationResponse {
    fn from(o: &Organisation) -> Self {
        OrganisationResponse {
            id: o.id.as_uuid(),
            parent_id: o.parent_id.map(|p| p.as_uuid()),
            name: o.name.as_str().to_string(),
            kind: o.kind,
            country: o.country.as_str().to_string(),
            time_zone: o.time_zone.name().to_string(),
            created_at: o.created_at,
            updated_at: o.updated_at,
            version: o.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationList {
    pub items: Vec<OrganisationResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A new organisation. Without `parent_id` it is a top-level organisation (admins only);
/// with one, a child of an organisation you organise. `country` and `time_zone` default to the
/// parent's.
#[derive(ToSchema)]
#[schema(example = json!({"name": "Szkoła Podstawowa nr 12 w Gdańsku", "kind": "school", "parent_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61", "country": "PL", "time_zone": "Europe/Warsaw"}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct CreateOrganisationRequest {
    name: String,
    kind: OrganisationKind,
    parent_id: Option<Uuid>,
    /// ISO 3166-1 alpha-2; required at the top level.
    country: Option<String>,
    /// IANA time zone; required at the top level.
    time_zone: Option<String>,
}

/// Fields to change.
#[derive(ToSchema)]
#[schema(example = json!({"name": "Szkoła Podstawowa nr 12 im. Marii Konopnickiej"}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct UpdateOrganisationRequest {
    name: Option<String>,
    kind: Option<OrganisationKind>,
    country: Option<String>,
    time_zone: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganisationFilter {
    /// Only the direct children of this organisation.
    pub parent_id: Option<Uuid>,
}

/// Reads an organisation and checks the caller may do `action` to it.
async fn authorised(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    action: OrganisationAction,
) -> Result<Organisation, ApiError> {
    let organisation = organisations::find(&state.db, OrganisationId::from_uuid(id))
        .await?
        .ok_or(ApiError::NotFound)?;
    ApiError::check(policy::organisation(
        &caller.actor,
        &organisation.path,
        action,
    ))?;
    Ok(organisation)
}

fn created(organisation: &Organisation) -> HttpResponse {
    HttpResponse::Created()
        .insert_header(super::location(format!(
            "/organisations/{}",
            organisation.id
        )))
        .insert_header(etag(organisation.version))
        .json(OrganisationResponse::from(organisation))
}

/// Create an organisation.
#[utoipa::path(
    tag = "organisations",
    security(("bearer" = [])),
    request_body = CreateOrganisationRequest,
    responses(
        (status = 201, description = "Created", body = OrganisationResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin (top level) or not an organiser of the parent", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or a parent you cannot see", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/organisations")]
pub async fn create_organisation(
    state: web::Data<AppState>,
    caller: Authenticated,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let mut f = body.fields()?;
    let name = f.required("name", read::parsed(OrganisationName::parse));
    let kind = f.required("kind", read::parsed(OrganisationKind::parse));
    let parent_id = f.optional("parent_id", read::uuid);
    let country = f.optional("country", read::parsed(CountryCode::parse));
    let time_zone = f.optional("time_zone", read::parsed(TimeZone::parse));
    f.finish()?;

    let id = OrganisationId::new();
    let (path, country, time_zone) = match parent_id {
        None => {
            ApiError::check(policy::create_top_level_organisation(&caller.actor))?;
            let mut errors = Vec::new();
            if country.is_none() {
                errors.push(crate::error::FieldError::at(
                    "/country",
                    "is required for a top-level organisation",
                ));
            }
            if time_zone.is_none() {
                errors.push(crate::error::FieldError::at(
                    "/time_zone",
                    "is required for a top-level organisation",
                ));
            }
            match (country, time_zone) {
                (Some(c), Some(t)) if errors.is_empty() => (OrganisationPath::root(id), c, t),
                _ => return Err(ApiError::Validation(errors)),
            }
        }
        Some(parent_id) => {
            let parent =
                organisations::find(&state.db, OrganisationId::from_uuid(parent_id)).await?;
            let decision = parent.as_ref().map_or(Decision::NotFound, |p| {
                policy::organisation(&caller.actor, &p.path, OrganisationAction::CreateChild)
            });
            let parent = match (decision, parent) {
                (Decision::Allow, Some(parent)) => parent,
                (Decision::Forbidden, _) => {
                    return Err(ApiError::Forbidden(
                        "only organisers of the parent may add organisations under it".into(),
                    ));
                }
                _ => return Err(ApiError::invalid("/parent_id", "no such organisation")),
            };
            let path = parent
                .path
                .child(id)
                .map_err(|e| ApiError::invalid("/parent_id", e.0))?;
            (
                path,
                country.unwrap_or(parent.country),
                time_zone.unwrap_or(parent.time_zone),
            )
        }
    };
    let (Some(name), Some(kind)) = (name, kind) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    let tx = begin_write(&state.db).await?;
    let organisation = organisations::insert(
        &tx,
        NewOrganisation {
            path,
            name,
            kind,
            country,
            time_zone,
        },
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(organisation_id = %organisation.id, "organisation created");
    Ok(created(&organisation))
}

/// List the organisations you can see.
///
/// Admins see every organisation; organisers their subtrees; trainers and participants the
/// organisations they belong to.
#[utoipa::path(
    tag = "organisations",
    security(("bearer" = [])),
    params(PageParams, OrganisationFilter),
    responses(
        (status = 200, description = "A page of organisations", body = OrganisationList),
        (status = 400, description = "Unreadable query string", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `limit` or `cursor`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/organisations")]
pub async fn list_organisations(
    state: web::Data<AppState>,
    caller: Authenticated,
    page: web::Query<PageParams>,
    filter: web::Query<OrganisationFilter>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = page.parse()?;
    let visibility = caller.actor.visibility();
    let page = organisations::list(
        &state.db,
        &visibility,
        filter.parent_id.map(OrganisationId::from_uuid),
        after,
        limit,
    )
    .await?;
    Ok(HttpResponse::Ok().json(OrganisationList {
        items: page.items.iter().map(OrganisationResponse::from).collect(),
        next_cursor: page.next_after.map(encode_cursor),
    }))
}

/// Get an organisation.
#[utoipa::path(
    tag = "organisations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "The organisation", body = OrganisationResponse, headers(("ETag" = String))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation, or not visible to you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/organisations/{id}")]
pub async fn get_organisation(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let organisation = authorised(&state, &caller, *id, OrganisationAction::Read).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(organisation.version))
        .json(OrganisationResponse::from(&organisation)))
}

/// Change an organisation.
#[utoipa::path(
    tag = "organisations",
    security(("bearer" = [])),
    request_body = UpdateOrganisationRequest,
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "The updated organisation", body = OrganisationResponse, headers(("ETag" = String))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You may see it but not change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/organisations/{id}")]
pub async fn update_organisation(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let organisation = authorised(&state, &caller, *id, OrganisationAction::Update).await?;
    let expected = if_match(&req)?;
    let mut f = body.fields()?;
    let changes = OrganisationChanges {
        name: f.patch_required("name", read::parsed(OrganisationName::parse)),
        kind: f.patch_required("kind", read::parsed(OrganisationKind::parse)),
        country: f.patch_required("country", read::parsed(CountryCode::parse)),
        time_zone: f.patch_required("time_zone", read::parsed(TimeZone::parse)),
    };
    f.finish()?;
    let tx = begin_write(&state.db).await?;
    let updated =
        match organisations::update(&tx, organisation.id, expected, changes, Utc::now()).await? {
            Updated::Done(o) => o,
            Updated::Stale => return Err(ApiError::PreconditionFailed),
            Updated::NotFound => return Err(ApiError::NotFound),
        };
    tx.commit().await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(updated.version))
        .json(OrganisationResponse::from(&updated)))
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e70",
    "account_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f",
    "email": "anna.kowalska@example.pl",
    "name": "Anna Kowalska",
    "role": "trainer",
    "created_at": "2026-11-22T10:00:00Z"
}))]
pub struct MemberResponse {
    /// The membership id (remove it with DELETE …/members/{id}).
    pub id: Uuid,
    pub account_id: Uuid,
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

impl From<&Member> for MemberResponse {
    fn from(m: &Member) -> Self {
        MemberResponse {
            id: m.membership.id.as_uuid(),
            account_id: m.membership.account_id.as_uuid(),
            email: m.email.clone(),
            name: m.name.clone(),
            role: m.membership.role,
            created_at: m.membership.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MemberList {
    pub items: Vec<MemberResponse>,
    pub next_cursor: Option<String>,
}

/// Grant a role to an account, named by `account_id` or `email`.
#[derive(ToSchema)]
#[schema(example = json!({"email": "jan.nowak@example.pl", "role": "trainer"}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct AddMemberRequest {
    account_id: Option<Uuid>,
    email: Option<String>,
    role: Role,
}

/// List the members of an organisation.
#[utoipa::path(
    tag = "organisations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id"), PageParams),
    responses(
        (status = 200, description = "A page of members", body = MemberList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only organisers see members", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `limit` or `cursor`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/organisations/{id}/members")]
pub async fn list_members(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let organisation = authorised(&state, &caller, *id, OrganisationAction::ListMembers).await?;
    let (limit, after) = page.parse()?;
    let page = memberships::list_for_organisation(&state.db, organisation.id, after, limit).await?;
    Ok(HttpResponse::Ok().json(MemberList {
        items: page.items.iter().map(MemberResponse::from).collect(),
        next_cursor: page.next_after.map(encode_cursor),
    }))
}

/// Grant a role in an organisation.
#[utoipa::path(
    tag = "organisations",
    security(("bearer" = [])),
    request_body = AddMemberRequest,
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 201, description = "Role granted", body = MemberResponse, headers(("Location" = String))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only organisers grant roles", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account already holds this role here (`/problems/membership-exists`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or no such account", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/organisations/{id}/members")]
pub async fn add_member(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let organisation = authorised(&state, &caller, *id, OrganisationAction::ManageMembers).await?;
    let mut f = body.fields()?;
    let account_id = f.optional("account_id", read::uuid);
    let email = f.optional("email", read::parsed(Email::parse));
    let role = f.required("role", read::parsed(Role::parse));
    f.finish()?;
    let Some(role) = role else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    let account = match (account_id, email) {
        (Some(id), None) => accounts::find(&state.db, AccountId::from_uuid(id))
            .await?
            .ok_or_else(|| ApiError::invalid("/account_id", "no such account"))?,
        (None, Some(email)) => accounts::find_by_email(&state.db, &email)
            .await?
            .ok_or_else(|| {
                ApiError::invalid(
                    "/email",
                    "no account with this e-mail; ask the person to sign up first",
                )
            })?,
        _ => {
            return Err(ApiError::invalid(
                "",
                "send exactly one of account_id and email",
            ));
        }
    };
    let now = Utc::now();
    let tx = begin_write(&state.db).await?;
    let membership = match memberships::grant(&tx, account.id, organisation.id, role, now).await {
        Ok(m) => m,
        Err(StoreError::Duplicate(_)) => {
            return Err(ApiError::Conflict {
                code: "membership-exists",
                detail: format!("the account is already {role} here"),
                existing: Some(format!("/api/v1/organisations/{}/members", organisation.id)),
            });
        }
        Err(other) => return Err(other.into()),
    };
    tx.commit().await?;
    tracing::info!(organisation_id = %organisation.id, account_id = %account.id, %role, "role granted");
    let member = Member {
        membership,
        email: account.email.as_str().to_string(),
        name: account.name.as_ref().map(|n| n.as_str().to_string()),
    };
    Ok(HttpResponse::Created()
        .insert_header(super::location(format!(
            "/organisations/{}/members/{}",
            organisation.id, member.membership.id
        )))
        .json(MemberResponse::from(&member)))
}

/// Revoke a role.
#[utoipa::path(
    tag = "organisations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id"), ("membership_id" = Uuid, Path, description = "Membership id")),
    responses(
        (status = 204, description = "Role revoked"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only organisers revoke roles", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation or membership", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/organisations/{id}/members/{membership_id}")]
pub async fn remove_member(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, membership_id) = path.into_inner();
    let organisation = authorised(&state, &caller, id, OrganisationAction::ManageMembers).await?;
    let tx = begin_write(&state.db).await?;
    let membership =
        memberships::find_in(&tx, organisation.id, MembershipId::from_uuid(membership_id))
            .await?
            .ok_or(ApiError::NotFound)?;
    memberships::revoke(&tx, membership.id).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
