//! Funders: who pays for training (UNICEF, an ESF managing authority, a city budget).

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use kompetens_app::funders::{self, Funder, FunderChanges, FunderFilter, FunderKind, NewFunder};
use kompetens_domain::country::CountryCode;
use kompetens_domain::ids::FunderId;
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
    "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e80",
    "organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61",
    "name": "UNICEF Polska",
    "kind": "international_organisation",
    "country": "PL",
    "website": "https://www.unicef.pl",
    "created_at": "2026-11-23T10:00:00Z",
    "updated_at": "2026-11-23T10:00:00Z",
    "version": 1
}))]
pub struct FunderResponse {
    pub id: Uuid,
    /// The organisation that keeps this record; its organisers may change it.
    pub organisation_id: Uuid,
    pub name: String,
    pub kind: FunderKind,
    /// ISO 3166-1 alpha-2, if the funder is national.
    pub country: Option<String>,
    pub website: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also sent as the `ETag` header.
    pub version: i32,
}

impl From<&Funder> for FunderResponse {
    fn from(f: &Funder) -> Self {
        FunderResponse {
            id: f.id.as_uuid(),
            organisation_id: f.organisation_id.as_uuid(),
            name: f.name.clone(),
            kind: f.kind,
            country: f.country.as_ref().map(|c| c.as_str().to_string()),
            website: f.website.clone(),
            created_at: f.created_at,
            updated_at: f.updated_at,
            version: f.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FunderList {
    pub items: Vec<FunderResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FunderQuery {
    pub kind: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// Text the name contains, case-insensitively; `%` and `_` are plain characters.
    #[param(max_length = 300)]
    pub q: Option<String>,
}

fn created(funder: &Funder) -> Result<idempotency::Reply, kompetens_app::AppError> {
    idempotency::render(
        201,
        &FunderResponse::from(funder),
        Some(format!("/funders/{}", funder.id)),
        Some(funder.version),
    )
}

/// Create a funder.
///
/// Send `Idempotency-Key` to make retries safe: a retry within 24 hours gets the first
/// response back.
#[utoipa::path(
    tag = "funding",
    security(("bearer" = [])),
    request_body = NewFunder,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry for 24 hours")),
    responses(
        (status = 201, description = "Created", body = FunderResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "You do not organise that organisation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an Idempotency-Key reused for another request", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/funders")]
pub async fn create_funder(
    state: web::Data<AppState>,
    caller: Authenticated,
    key: IdempotencyKey,
    body: Json<NewFunder>,
) -> Result<HttpResponse, ApiError> {
    let once = key.once(body.raw(), &created);
    let outcome = funders::create(&state.app, &caller, body.into_inner(), once).await?;
    idempotency::respond(outcome, &created)
}

/// List funders.
///
/// Funders are public bodies: every signed-in caller sees every funder.
#[utoipa::path(
    tag = "funding",
    security(("bearer" = [])),
    params(PageParams, FunderQuery),
    responses(
        (status = 200, description = "A page of funders", body = FunderList),
        (status = 422, description = "Invalid `limit`, `cursor` or filter", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/funders")]
pub async fn list_funders(
    state: web::Data<AppState>,
    _caller: Authenticated,
    page: web::Query<PageParams>,
    query: web::Query<FunderQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let page = page.request(&mut errors);
    let filter = FunderFilter {
        kind: super::query_param(
            &mut errors,
            "kind",
            query.kind.as_deref(),
            FunderKind::parse,
        ),
        country: super::query_param(
            &mut errors,
            "country",
            query.country.as_deref(),
            CountryCode::parse,
        ),
        name_contains: super::query_text(&mut errors, "q", query.q.as_deref(), 300),
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let page = funders::list(&state.app, &filter, page).await?;
    Ok(HttpResponse::Ok().json(FunderList {
        items: page.items.iter().map(FunderResponse::from).collect(),
        next_cursor: page.next_after.map(encode_cursor),
    }))
}

/// Get a funder.
#[utoipa::path(
    tag = "funding",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Funder id")),
    responses(
        (status = 200, description = "The funder", body = FunderResponse, headers(("ETag" = String))),
        (status = 404, description = "No such funder", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/funders/{id}")]
pub async fn get_funder(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let funder = funders::get(&state.app, &caller, FunderId::from_uuid(*id)).await?;
    Ok(ok_versioned(funder.version, &FunderResponse::from(&funder)))
}

/// Change a funder.
#[utoipa::path(
    tag = "funding",
    security(("bearer" = [])),
    request_body = FunderChanges,
    params(
        ("id" = Uuid, Path, description = "Funder id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "The updated funder", body = FunderResponse, headers(("ETag" = String))),
        (status = 403, description = "Only organisers of the keeping organisation change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such funder", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/funders/{id}")]
pub async fn update_funder(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: Json<FunderChanges>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let funder = funders::update(
        &state.app,
        &caller,
        FunderId::from_uuid(*id),
        expected,
        body.into_inner(),
    )
    .await?;
    Ok(ok_versioned(funder.version, &FunderResponse::from(&funder)))
}
