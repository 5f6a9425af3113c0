//! Grants: money a funder awards to an organisation for training, allocated to programmes.
//! Seen only by organisers of the recipient's subtree (and admins).

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use kompetens_domain::funding::{GrantStatus, funded_minutes};
use kompetens_domain::ids::{FunderId, GrantId};
use kompetens_domain::policy::{self, Audience};
use kompetens_domain::programme::Period;
use kompetens_domain::text;
use kompetens_persistence::begin_write;
use kompetens_persistence::repo::funders;
use kompetens_persistence::repo::grants::{self, Grant, GrantFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    MoneyBody, check_version, created_versioned, ok_versioned, organised_by, unreachable_missing,
};
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::extract::{JsonBody, PageParams, encode_cursor, if_match, read};
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
    pub amount: MoneyBody,
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

fn response(g: &Grant, programme_ids: Vec<Uuid>) -> GrantResponse {
    GrantResponse {
        id: g.id.as_uuid(),
        funder_id: g.funder_id.as_uuid(),
        recipient_organisation_id: g.recipient_organisation_id.as_uuid(),
        reference: g.reference.clone(),
        title: g.title.clone(),
        amount: g.amount.into(),
        starts_on: g.starts_on,
        ends_on: g.ends_on,
        funded_minutes: g.funded_minutes,
        status: g.status,
        programme_ids,
        created_at: g.created_at,
        updated_at: g.updated_at,
        version: g.version,
    }
}

async fn with_programmes(
    conn: &impl kompetens_persistence::ConnectionTrait,
    g: &Grant,
) -> Result<GrantResponse, ApiError> {
    let ids = grants::programme_ids(conn, g.id).await?;
    Ok(response(g, ids.into_iter().map(|p| p.as_uuid()).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct GrantList {
    pub items: Vec<GrantResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A new grant to an organisation you organise.
#[derive(ToSchema)]
#[schema(example = json!({"funder_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e80", "recipient_organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61", "reference": "UNICEF/PL/2026/014", "title": "Wsparcie asystentów międzykulturowych w szkołach", "amount": {"amount_minor": 18900000, "currency": "PLN"}, "starts_on": "2026-03-01", "ends_on": "2026-12-31", "funded_minutes": 2400, "status": "active"}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct CreateGrantRequest {
    funder_id: Uuid,
    recipient_organisation_id: Uuid,
    reference: String,
    title: String,
    amount: MoneyBody,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    funded_minutes: Option<u32>,
    /// Default `awarded`.
    status: Option<GrantStatus>,
}

/// Fields to change; `null` clears `funded_minutes`.
#[derive(ToSchema)]
#[schema(example = json!({"status": "closed"}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct UpdateGrantRequest {
    reference: Option<String>,
    title: Option<String>,
    amount: Option<MoneyBody>,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    funded_minutes: Option<u32>,
    status: Option<GrantStatus>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GrantQuery {
    pub funder_id: Option<Uuid>,
    pub status: Option<String>,
    /// Grants received by this organisation or any below it.
    pub organisation_id: Option<Uuid>,
}

fn line(max: usize) -> impl Fn(&str) -> Result<String, kompetens_domain::Invalid> {
    move |raw| text::line(raw, max)
}

/// Create a grant.
#[utoipa::path(
    tag = "funding",
    security(("bearer" = [])),
    request_body = CreateGrantRequest,
    responses(
        (status = 201, description = "Created", body = GrantResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You do not organise the recipient", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or no such funder or organisation", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/grants")]
pub async fn create_grant(
    state: web::Data<AppState>,
    caller: Authenticated,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let mut f = body.fields()?;
    let funder_id = f.required("funder_id", read::uuid);
    let recipient = f.required("recipient_organisation_id", read::uuid);
    let reference = f.required("reference", read::parsed(line(200)));
    let title = f.required("title", read::parsed(line(300)));
    let amount = f.required_with("amount", read::money);
    let starts_on = f.required("starts_on", read::date);
    let ends_on = f.required("ends_on", read::date);
    let minutes = f.optional("funded_minutes", read::int(funded_minutes));
    let status = f.optional("status", read::parsed(GrantStatus::parse));
    if let (Some(s), Some(e)) = (starts_on, ends_on)
        && let Err(err) = Period::new(s, e)
    {
        f.reject("/ends_on", err.0);
    }
    f.finish()?;
    let (
        Some(funder_id),
        Some(recipient),
        Some(reference),
        Some(title),
        Some(amount),
        Some(starts_on),
        Some(ends_on),
    ) = (
        funder_id, recipient, reference, title, amount, starts_on, ends_on,
    )
    else {
        return Err(unreachable_missing());
    };
    let owner = organised_by(
        &state.db,
        &caller.actor,
        recipient,
        "/recipient_organisation_id",
    )
    .await?;
    if funders::find(&state.db, FunderId::from_uuid(funder_id), false)
        .await?
        .is_none()
    {
        return Err(ApiError::invalid("/funder_id", "no such funder"));
    }
    let now = Utc::now();
    let grant = Grant {
        id: GrantId::new(),
        funder_id: funder_id.into(),
        recipient_organisation_id: owner.id,
        organisation_path: owner.path,
        reference,
        title,
        amount,
        starts_on,
        ends_on,
        funded_minutes: minutes,
        status: status.unwrap_or(GrantStatus::Awarded),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let tx = begin_write(&state.db).await?;
    grants::insert(&tx, &grant).await?;
    tx.commit().await?;
    tracing::info!(grant_id = %grant.id, "grant created");
    Ok(created_versioned(
        format!("/grants/{}", grant.id),
        grant.version,
        &response(&grant, Vec::new()),
    ))
}

/// List the grants you manage.
#[utoipa::path(
    tag = "funding",
    security(("bearer" = [])),
    params(PageParams, GrantQuery),
    responses(
        (status = 200, description = "A page of grants", body = GrantList),
        (status = 400, description = "Unreadable query string", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
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
    let (limit, after) = page.parse_collecting(&mut errors);
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
    let page = grants::list(&state.db, &caller.actor.visibility(), &filter, after, limit).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for grant in &page.items {
        items.push(with_programmes(&state.db, grant).await?);
    }
    Ok(HttpResponse::Ok().json(GrantList {
        items,
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
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such grant, or not yours to see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/grants/{id}")]
pub async fn get_grant(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let grant = grants::find(&state.db, GrantId::from_uuid(*id), false)
        .await?
        .ok_or(ApiError::NotFound)?;
    ApiError::check(policy::owned_record(
        Some(&caller.actor),
        &grant.organisation_path,
        Audience::Organisers,
        false,
    ))?;
    Ok(ok_versioned(
        grant.version,
        &with_programmes(&state.db, &grant).await?,
    ))
}

/// Change a grant.
#[utoipa::path(
    tag = "funding",
    security(("bearer" = [])),
    request_body = UpdateGrantRequest,
    params(
        ("id" = Uuid, Path, description = "Grant id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "The updated grant", body = GrantResponse, headers(("ETag" = String))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such grant, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/grants/{id}")]
pub async fn update_grant(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let tx = begin_write(&state.db).await?;
    let mut grant = grants::find(&tx, GrantId::from_uuid(*id), true)
        .await?
        .ok_or(ApiError::NotFound)?;
    ApiError::check(policy::owned_record(
        Some(&caller.actor),
        &grant.organisation_path,
        Audience::Organisers,
        true,
    ))?;
    check_version(expected, grant.version)?;
    let mut f = body.fields()?;
    if let Some(v) = f.patch_required("reference", read::parsed(line(200))) {
        grant.reference = v;
    }
    if let Some(v) = f.patch_required("title", read::parsed(line(300))) {
        grant.title = v;
    }
    if let Some(v) = f.patch_required_with("amount", read::money) {
        grant.amount = v;
    }
    if let Some(v) = f.patch_required("starts_on", read::date) {
        grant.starts_on = v;
    }
    if let Some(v) = f.patch_required("ends_on", read::date) {
        grant.ends_on = v;
    }
    if let Some(v) = f
        .patch("funded_minutes", read::int(funded_minutes))
        .into_change()
    {
        grant.funded_minutes = v;
    }
    if let Some(v) = f.patch_required("status", read::parsed(GrantStatus::parse)) {
        grant.status = v;
    }
    if let Err(err) = Period::new(grant.starts_on, grant.ends_on) {
        f.reject("/ends_on", err.0);
    }
    f.finish()?;
    grant.version += 1;
    grant.updated_at = Utc::now();
    grants::save(&tx, &grant).await?;
    let body = with_programmes(&tx, &grant).await?;
    tx.commit().await?;
    Ok(ok_versioned(grant.version, &body))
}
