//! Grants: money a funder awards to an organisation for training, allocated to programmes.
//! Seen only by organisers of the recipient's subtree (and admins), who also allocate them across
//! the programmes they fund.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use kompetens_app::grants::{
    self, AllocationsRequest, AllocationsView, GrantChanges, GrantFilter, GrantStatus, GrantView,
    NewGrant,
};
use kompetens_domain::ids::GrantId;
use kompetens_domain::money::Money;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::ok_versioned;
use crate::auth::Authenticated;
use crate::body::{Checked, Json};
use crate::error::{ApiError, Problem};
use crate::extract::{PageParams, encode_cursor, if_match};
use crate::idempotency::{self, IdempotencyKey};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ea0",
    "funder_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e80",
    "recipient_organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61",
    "reference": "UNICEF/PL/2026/014",
    "title": "Wsparcie asystentów międzykulturowych w szkołach",
    "amount": {"amount_minor": 18900000, "currency": "PLN"},
    "starts_on": "2026-03-01",
    "ends_on": "2026-12-31",
    "funded_minutes": 2400,
    "status": "active",
    "programme_ids": ["019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0"],
    "created_at": "2026-11-23T10:00:00Z",
    "updated_at": "2026-11-23T10:00:00Z",
    "version": 1
}))]
pub struct GrantResponse {
    pub id: Uuid,
    pub funder_id: Uuid,
    /// The organisation that receives the money; its organisers manage the grant.
    pub recipient_organisation_id: Uuid,
    /// The funder's reference (agreement or decision number).
    pub reference: String,
    pub title: String,
    pub amount: Money,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The minutes of training the grant pays for, if it says.
    pub funded_minutes: Option<u32>,
    pub status: GrantStatus,
    /// The programmes this grant funds (set on each programme's `grant_ids`).
    pub programme_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also sent as the `ETag` header.
    pub version: i32,
}

impl From<&GrantView> for GrantResponse {
    fn from(v: &GrantView) -> Self {
        let g = &v.grant;
        GrantResponse {
            id: g.id.as_uuid(),
            funder_id: g.funder_id.as_uuid(),
            recipient_organisation_id: g.recipient_organisation_id.as_uuid(),
            reference: g.reference.clone(),
            title: g.title.clone(),
            amount: g.amount,
            starts_on: g.starts_on,
            ends_on: g.ends_on,
            funded_minutes: g.funded_minutes,
            status: g.status,
            programme_ids: v.programme_ids.iter().map(|p| p.as_uuid()).collect(),
            created_at: g.created_at,
            updated_at: g.updated_at,
            version: g.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GrantList {
    pub items: Vec<GrantResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GrantQuery {
    pub funder_id: Option<Uuid>,
    pub status: Option<String>,
    /// Grants received by this organisation or any below it.
    pub organisation_id: Option<Uuid>,
}

fn created(v: &GrantView) -> Result<idempotency::Reply, kompetens_app::AppError> {
    idempotency::render(
        201,
        &GrantResponse::from(v),
        Some(format!("/grants/{}", v.grant.id)),
        Some(v.grant.version),
    )
}

/// Create a grant.
///
/// Send `Idempotency-Key` to make retries safe: a retry within 24 hours gets the first
/// response back.
#[utoipa::path(
    tag = "funding",
    security(("bearer" = [])),
    request_body = NewGrant,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry for 24 hours")),
    responses(
        (status = 201, description = "Created", body = GrantResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "You do not organise the recipient", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, no such funder or organisation, or an Idempotency-Key reused for another request", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/grants")]
pub async fn create_grant(
    state: web::Data<AppState>,
    caller: Authenticated,
    key: IdempotencyKey,
    body: Checked<NewGrant>,
) -> Result<HttpResponse, ApiError> {
    let Checked(body) = body;
    let once = key.once(body.raw(), &created);
    let outcome = grants::create(&state.app, &caller, body.into_inner(), once).await?;
    idempotency::respond(outcome, &created)
}

/// List the grants you manage.
#[utoipa::path(
    tag = "funding",
    security(("bearer" = [])),
    params(PageParams, GrantQuery),
    responses(
        (status = 200, description = "A page of grants", body = GrantList),
        (status = 422, description = "Invalid `limit`, `cursor` or filter", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/grants")]
pub async fn list_grants(
    state: web::Data<AppState>,
    caller: Authenticated,
    page: web::Query<PageParams>,
    query: web::Query<GrantQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let page = page.request(&mut errors);
    let filter = GrantFilter {
        funder_id: query.funder_id.map(Into::into),
        status: super::query_param(
            &mut errors,
            "status",
            query.status.as_deref(),
            GrantStatus::parse,
        ),
        recipient_within: query.organisation_id.map(Into::into),
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let page = grants::list(&state.app, &caller, &filter, page).await?;
    Ok(HttpResponse::Ok().json(GrantList {
        items: page.items.iter().map(GrantResponse::from).collect(),
        next_cursor: page.next_after.map(encode_cursor),
    }))
}

/// Get a grant.
#[utoipa::path(
    tag = "funding",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id")),
    responses(
        (status = 200, description = "The grant", body = GrantResponse, headers(("ETag" = String))),
        (status = 404, description = "No such grant, or not yours to see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/grants/{id}")]
pub async fn get_grant(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let grant = grants::get(&state.app, &caller, GrantId::from_uuid(*id)).await?;
    Ok(ok_versioned(
        grant.grant.version,
        &GrantResponse::from(&grant),
    ))
}

/// Change a grant.
#[utoipa::path(
    tag = "funding",
    security(("bearer" = [])),
    request_body = GrantChanges,
    params(
        ("id" = Uuid, Path, description = "Grant id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "The updated grant", body = GrantResponse, headers(("ETag" = String))),
        (status = 404, description = "No such grant, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/grants/{id}")]
pub async fn update_grant(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: Json<GrantChanges>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let grant = grants::update(
        &state.app,
        &caller,
        GrantId::from_uuid(*id),
        expected,
        body.into_inner(),
    )
    .await?;
    Ok(ok_versioned(
        grant.grant.version,
        &GrantResponse::from(&grant),
    ))
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"grant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ea0", "amount": {"amount_minor": 10200000, "currency": "EUR"}, "allocations": [{"programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0", "amount": {"amount_minor": 6000000, "currency": "EUR"}}], "unallocated": {"amount_minor": 4200000, "currency": "EUR"}}))]
pub struct AllocationsResponse {
    pub grant_id: Uuid,
    pub amount: Money,
    pub allocations: Vec<AllocationResponse>,
    pub unallocated: Money,
}

#[derive(Serialize, ToSchema)]
pub struct AllocationResponse {
    pub programme_id: Uuid,
    pub amount: Option<Money>,
}

impl From<&AllocationsView> for AllocationsResponse {
    fn from(v: &AllocationsView) -> Self {
        AllocationsResponse {
            grant_id: v.grant.id.as_uuid(),
            amount: v.grant.amount,
            allocations: v
                .allocations
                .iter()
                .map(|a| AllocationResponse {
                    programme_id: a.programme_id.as_uuid(),
                    amount: v.allocated.get(&a.programme_id).copied(),
                })
                .collect(),
            unallocated: v.unallocated,
        }
    }
}

/// How a grant is allocated across the programmes it funds.
#[utoipa::path(
    tag = "funding",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id")),
    responses(
        (status = 200, description = "The allocations", body = AllocationsResponse),
        (status = 404, description = "No such grant, or not yours to see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/grants/{id}/allocations")]
pub async fn get_allocations(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let view = grants::allocations(&state.app, &caller, GrantId::from_uuid(*id)).await?;
    Ok(HttpResponse::Ok().json(AllocationsResponse::from(&view)))
}

/// Allocate a grant across programmes (each one you organise): amounts in the grant's
/// currency, together at most the grant's amount.
#[utoipa::path(
    tag = "funding",
    security(("bearer" = [])),
    request_body = AllocationsRequest,
    params(("id" = Uuid, Path, description = "Grant id")),
    responses(
        (status = 200, description = "The new allocations", body = AllocationsResponse),
        (status = 404, description = "No such grant, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown programmes, another currency, or more than the grant", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/grants/{id}/allocations")]
pub async fn replace_allocations(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: Json<AllocationsRequest>,
) -> Result<HttpResponse, ApiError> {
    let view = grants::replace_allocations(
        &state.app,
        &caller,
        GrantId::from_uuid(*id),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(AllocationsResponse::from(&view)))
}
