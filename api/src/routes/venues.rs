//! Venues: where sessions take place. Public places, so anyone may read them.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use kompetens_app::venues::{self, Coordinates, NewVenue, Venue, VenueChanges, VenueFilter};
use kompetens_domain::country::CountryCode;
use kompetens_domain::ids::VenueId;
use kompetens_domain::venue::ConcurrentSessions;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::ok_versioned;
use crate::auth::Authenticated;
use crate::auth::caller::MaybeCaller;
use crate::body::Json;
use crate::error::{ApiError, Problem};
use crate::extract::{PageParams, encode_cursor, if_match};
use crate::idempotency::{self, IdempotencyKey};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e90",
    "organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61",
    "name": "Aula Uniwersytetu Gdańskiego",
    "address": "ul. Jana Bażyńskiego 8",
    "city": "Gdańsk",
    "postal_code": "80-309",
    "country": "PL",
    "capacity": 400,
    "accessibility": "Step-free entrance from the car park; induction loop in the auditorium.",
    "coordinates": {"latitude": 54.3951, "longitude": 18.5713},
    "concurrent_sessions": 1,
    "created_at": "2026-11-23T10:00:00Z",
    "updated_at": "2026-11-23T10:00:00Z",
    "version": 1
}))]
pub struct VenueResponse {
    pub id: Uuid,
    /// The organisation that keeps this venue; its organisers may change it.
    pub organisation_id: Uuid,
    pub name: String,
    pub address: String,
    pub city: String,
    pub postal_code: Option<String>,
    pub country: CountryCode,
    /// How many people the venue holds, if known.
    pub capacity: Option<u32>,
    pub accessibility: Option<String>,
    pub coordinates: Option<Coordinates>,
    /// How many sessions may take place here at once; a session beyond it is refused with 409
    /// `venue-double-booked`.
    pub concurrent_sessions: ConcurrentSessions,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also sent as the `ETag` header.
    pub version: i32,
}

impl From<&Venue> for VenueResponse {
    fn from(v: &Venue) -> Self {
        VenueResponse {
            id: v.id.as_uuid(),
            organisation_id: v.organisation_id.as_uuid(),
            name: v.name.clone(),
            address: v.address.clone(),
            city: v.city.clone(),
            postal_code: v.postal_code.clone(),
            country: v.country,
            capacity: v.capacity,
            accessibility: v.accessibility.clone(),
            coordinates: v.coordinates,
            concurrent_sessions: v.concurrent_sessions,
            created_at: v.created_at,
            updated_at: v.updated_at,
            version: v.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VenueList {
    pub items: Vec<VenueResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VenueQuery {
    /// Venues kept by this organisation or any below it.
    pub organisation_id: Option<Uuid>,
    /// ISO 3166-1 alpha-2.
    #[param(value_type = Option<CountryCode>)]
    pub country: Option<String>,
    /// Text the city contains, case-insensitively.
    #[param(max_length = 200)]
    pub city: Option<String>,
}

fn created(venue: &Venue) -> Result<idempotency::Reply, kompetens_app::AppError> {
    idempotency::render(
        201,
        &VenueResponse::from(venue),
        Some(format!("/venues/{}", venue.id)),
        Some(venue.version),
    )
}

/// Create a venue.
///
/// Send `Idempotency-Key` to make retries safe: a retry within 24 hours gets the first
/// response back.
#[utoipa::path(
    tag = "venues",
    security(("bearer" = [])),
    request_body = NewVenue,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry for 24 hours")),
    responses(
        (status = 201, description = "Created", body = VenueResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "You do not organise that organisation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an Idempotency-Key reused for another request", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/venues")]
pub async fn create_venue(
    state: web::Data<AppState>,
    caller: Authenticated,
    key: IdempotencyKey,
    body: Json<NewVenue>,
) -> Result<HttpResponse, ApiError> {
    let once = key.once(body.raw(), &created);
    let outcome = venues::create(&state.app, &caller, body.into_inner(), once).await?;
    idempotency::respond(outcome, &created)
}

/// List venues. Public: venues are where published sessions take place.
#[utoipa::path(
    tag = "venues",
    security((), ("bearer" = [])),
    params(PageParams, VenueQuery),
    responses(
        (status = 200, description = "A page of venues", body = VenueList),
        (status = 422, description = "Invalid `limit`, `cursor` or filter", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/venues")]
pub async fn list_venues(
    state: web::Data<AppState>,
    _caller: MaybeCaller,
    page: web::Query<PageParams>,
    query: web::Query<VenueQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let page = page.request(&mut errors);
    let filter = VenueFilter {
        organisation_within: query.organisation_id.map(Into::into),
        country: super::query_param(
            &mut errors,
            "country",
            query.country.as_deref(),
            CountryCode::parse,
        ),
        city_contains: super::query_text(&mut errors, "city", query.city.as_deref(), 200),
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let page = venues::list(&state.app, &filter, page).await?;
    Ok(HttpResponse::Ok().json(VenueList {
        items: page.items.iter().map(VenueResponse::from).collect(),
        next_cursor: page.next_after.map(encode_cursor),
    }))
}

/// Get a venue. Public.
#[utoipa::path(
    tag = "venues",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Venue id")),
    responses(
        (status = 200, description = "The venue", body = VenueResponse, headers(("ETag" = String))),
        (status = 404, description = "No such venue", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/venues/{id}")]
pub async fn get_venue(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let venue = venues::get(&state.app, caller.caller(), VenueId::from_uuid(*id)).await?;
    Ok(ok_versioned(venue.version, &VenueResponse::from(&venue)))
}

/// Change a venue.
#[utoipa::path(
    tag = "venues",
    security(("bearer" = [])),
    request_body = VenueChanges,
    params(
        ("id" = Uuid, Path, description = "Venue id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "The updated venue", body = VenueResponse, headers(("ETag" = String))),
        (status = 403, description = "Only organisers of the keeping organisation change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such venue", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/venues/{id}")]
pub async fn update_venue(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: Json<VenueChanges>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let venue = venues::update(
        &state.app,
        &caller,
        VenueId::from_uuid(*id),
        expected,
        body.into_inner(),
    )
    .await?;
    Ok(ok_versioned(venue.version, &VenueResponse::from(&venue)))
}
