//! Organisations (the tenant tree) and their members.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use kompetens_app::AppError;
use kompetens_app::organisations::{
    self, AddMemberRequest, CreateOrganisationRequest, Member, Organisation,
    UpdateOrganisationRequest,
};
use kompetens_domain::ids::{MembershipId, OrganisationId};
use kompetens_domain::organisation::OrganisationKind;
use kompetens_domain::role::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::ok_versioned;
use crate::auth::Authenticated;
use crate::body::Json;
use crate::error::{ApiError, Problem};
use crate::extract::{PageParams, encode_cursor, if_match};
use crate::idempotency::{self, IdempotencyKey};
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganisationFilter {
    /// Only the direct children of this organisation.
    pub parent_id: Option<Uuid>,
}

fn created(organisation: &Organisation) -> Result<idempotency::Reply, AppError> {
    idempotency::render(
        201,
        &OrganisationResponse::from(organisation),
        Some(format!("/organisations/{}", organisation.id)),
        Some(organisation.version),
    )
}

/// Create an organisation.
///
/// Send `Idempotency-Key` to make retries safe: a retry within 24 hours gets the first
/// response back.
#[utoipa::path(
    tag = "organisations",
    security(("bearer" = [])),
    request_body = CreateOrganisationRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry for 24 hours")),
    responses(
        (status = 201, description = "Created", body = OrganisationResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Not an admin (top level) or not an organiser of the parent", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, a parent you cannot see, or an Idempotency-Key reused for another request", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/organisations")]
pub async fn create_organisation(
    state: web::Data<AppState>,
    caller: Authenticated,
    key: IdempotencyKey,
    body: Json<CreateOrganisationRequest>,
) -> Result<HttpResponse, ApiError> {
    let once = key.once(body.raw(), &created);
    let outcome = organisations::create(&state.app, &caller, body.into_inner(), once).await?;
    idempotency::respond(outcome, &created)
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
    let mut errors = Vec::new();
    let page = page.request(&mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let parent = filter.parent_id.map(OrganisationId::from_uuid);
    let page = organisations::list(&state.app, &caller, parent, page).await?;
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
        (status = 404, description = "No such organisation, or not visible to you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/organisations/{id}")]
pub async fn get_organisation(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let organisation =
        organisations::get(&state.app, &caller, OrganisationId::from_uuid(*id)).await?;
    Ok(ok_versioned(
        organisation.version,
        &OrganisationResponse::from(&organisation),
    ))
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
    body: Json<UpdateOrganisationRequest>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let organisation = organisations::update(
        &state.app,
        &caller,
        OrganisationId::from_uuid(*id),
        expected,
        body.into_inner(),
    )
    .await?;
    Ok(ok_versioned(
        organisation.version,
        &OrganisationResponse::from(&organisation),
    ))
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

/// List the members of an organisation.
#[utoipa::path(
    tag = "organisations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id"), PageParams),
    responses(
        (status = 200, description = "A page of members", body = MemberList),
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
    let mut errors = Vec::new();
    let page = page.request(&mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let page =
        organisations::list_members(&state.app, &caller, OrganisationId::from_uuid(*id), page)
            .await?;
    Ok(HttpResponse::Ok().json(MemberList {
        items: page.items.iter().map(MemberResponse::from).collect(),
        next_cursor: page.next_after.map(encode_cursor),
    }))
}

fn member_created(member: &Member) -> Result<idempotency::Reply, AppError> {
    idempotency::render(
        201,
        &MemberResponse::from(member),
        Some(format!(
            "/organisations/{}/members/{}",
            member.membership.organisation_id, member.membership.id
        )),
        None,
    )
}

/// Grant a role in an organisation.
///
/// Send `Idempotency-Key` to make retries safe: a retry within 24 hours gets the first
/// response back.
#[utoipa::path(
    tag = "organisations",
    security(("bearer" = [])),
    request_body = AddMemberRequest,
    params(("id" = Uuid, Path, description = "Organisation id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry for 24 hours")),
    responses(
        (status = 201, description = "Role granted", body = MemberResponse, headers(("Location" = String))),
        (status = 403, description = "Only organisers grant roles", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account already holds this role here (`/problems/membership-exists`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, no such account, or an Idempotency-Key reused for another request", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/organisations/{id}/members")]
pub async fn add_member(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: Json<AddMemberRequest>,
) -> Result<HttpResponse, ApiError> {
    let once = key.once(body.raw(), &member_created);
    let outcome = organisations::add_member(
        &state.app,
        &caller,
        OrganisationId::from_uuid(*id),
        body.into_inner(),
        once,
    )
    .await?;
    idempotency::respond(outcome, &member_created)
}

/// Revoke a role.
#[utoipa::path(
    tag = "organisations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id"), ("membership_id" = Uuid, Path, description = "Membership id")),
    responses(
        (status = 204, description = "Role revoked"),
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
    organisations::remove_member(
        &state.app,
        &caller,
        OrganisationId::from_uuid(id),
        MembershipId::from_uuid(membership_id),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
