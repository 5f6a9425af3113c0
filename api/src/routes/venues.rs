//! Venues: where sessions take place. Public places, so anyone may read them.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use kompetens_domain::country::CountryCode;
use kompetens_domain::ids::VenueId;
use kompetens_domain::policy::{self, Audience};
use kompetens_domain::programme::capacity;
use kompetens_domain::text;
use kompetens_domain::venue::Coordinates;
use kompetens_persistence::begin_write;
use kompetens_persistence::repo::venues::{self, Venue, VenueFilter};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{check_version, created_versioned, ok_versioned, organised_by, unreachable_missing};
use crate::auth::Caller;
use crate::auth::caller::MaybeCaller;
use crate::error::{ApiError, FieldError, Problem};
use crate::extract::{Fields, JsonBody, PageParams, Problems, encode_cursor, if_match, read};
use crate::state::AppState;

/// A point on the map (WGS 84).
#[derive(Serialize, ToSchema)]
pub struct CoordinatesBody {
    pub latitude: f64,
    pub longitude: f64,
}

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
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// How many people the venue holds, if known.
    pub capacity: Option<u32>,
    pub accessibility: Option<String>,
    pub coordinates: Option<CoordinatesBody>,
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
            country: v.country.as_str().to_string(),
            capacity: v.capacity,
            accessibility: v.accessibility.clone(),
            coordinates: v.coordinates.map(|c| CoordinatesBody {
                latitude: c.latitude,
                longitude: c.longitude,
            }),
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

/// A new venue, kept by an organisation you organise.
#[derive(ToSchema)]
#[schema(example = json!({"organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61", "name": "Hotel Górski Potok", "address": "ul. Oswalda Balzera 21", "city": "Zakopane", "postal_code": "34-500", "country": "PL", "capacity": 60, "accessibility": "Lift to all floors", "coordinates": {"latitude": 49.2992, "longitude": 19.9496}}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct CreateVenueRequest {
    organisation_id: Uuid,
    name: String,
    address: String,
    city: String,
    postal_code: Option<String>,
    country: String,
    capacity: Option<u32>,
    accessibility: Option<String>,
    #[schema(inline)]
    coordinates: Option<CoordinatesBody>,
}

/// Fields to change; `null` clears an optional one.
#[derive(ToSchema)]
#[schema(example = json!({"capacity": 450}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct UpdateVenueRequest {
    name: Option<String>,
    address: Option<String>,
    city: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    capacity: Option<u32>,
    accessibility: Option<String>,
    #[schema(inline)]
    coordinates: Option<CoordinatesBody>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VenueQuery {
    /// Venues kept by this organisation or any below it.
    pub organisation_id: Option<Uuid>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// Text the city contains, case-insensitively.
    pub city: Option<String>,
}

fn coordinates(value: &Value) -> Result<Coordinates, Problems> {
    let mut f = Fields::of(value)?;
    let lat = f.required("latitude", read::number);
    let lon = f.required("longitude", read::number);
    f.done()?;
    match (lat, lon) {
        (Some(lat), Some(lon)) => {
            Coordinates::new(lat, lon).map_err(|e| vec![FieldError::at("", e.0)])
        }
        _ => Err(vec![FieldError::at("", "is not a valid point")]),
    }
}

fn line(max: usize) -> impl Fn(&str) -> Result<String, kompetens_domain::Invalid> {
    move |raw| text::line(raw, max)
}

fn notes(raw: &str) -> Result<String, kompetens_domain::Invalid> {
    let value = raw.trim();
    if value.is_empty() || value.chars().count() > 4000 {
        return Err(kompetens_domain::Invalid::new("must be 1–4000 characters"));
    }
    Ok(value.to_string())
}

/// Create a venue.
#[utoipa::path(
    tag = "venues",
    security(("bearer" = [])),
    request_body = CreateVenueRequest,
    responses(
        (status = 201, description = "Created", body = VenueResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You do not organise that organisation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/venues")]
pub async fn create_venue(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let mut f = body.fields()?;
    let organisation_id = f.required("organisation_id", read::uuid);
    let name = f.required("name", read::parsed(line(300)));
    let address = f.required("address", read::parsed(line(300)));
    let city = f.required("city", read::parsed(line(200)));
    let postal_code = f.optional("postal_code", read::parsed(line(20)));
    let country = f.required("country", read::parsed(CountryCode::parse));
    let capacity = f.optional("capacity", read::int(capacity));
    let accessibility = f.optional("accessibility", read::parsed(notes));
    let coordinates = f.optional_with("coordinates", coordinates);
    f.finish()?;
    let (Some(organisation_id), Some(name), Some(address), Some(city), Some(country)) =
        (organisation_id, name, address, city, country)
    else {
        return Err(unreachable_missing());
    };
    let owner = organised_by(
        &state.db,
        &caller.actor,
        organisation_id,
        "/organisation_id",
    )
    .await?;
    let now = Utc::now();
    let venue = Venue {
        id: VenueId::new(),
        organisation_id: owner.id,
        organisation_path: owner.path,
        name,
        address,
        city,
        postal_code,
        country,
        capacity,
        accessibility,
        coordinates,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let tx = begin_write(&state.db).await?;
    venues::insert(&tx, &venue).await?;
    tx.commit().await?;
    tracing::info!(venue_id = %venue.id, "venue created");
    Ok(created_versioned(
        format!("/venues/{}", venue.id),
        venue.version,
        &VenueResponse::from(&venue),
    ))
}

/// List venues. Public: venues are where published sessions take place.
#[utoipa::path(
    tag = "venues",
    security((), ("bearer" = [])),
    params(PageParams, VenueQuery),
    responses(
        (status = 200, description = "A page of venues", body = VenueList),
        (status = 400, description = "Unreadable query string", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
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
    let (limit, after) = page.parse_collecting(&mut errors);
    let filter = VenueFilter {
        organisation_within: query.organisation_id.map(Into::into),
        country: super::query_param(
            &mut errors,
            "country",
            query.country.as_deref(),
            CountryCode::parse,
        ),
        city_contains: query.city.as_deref().map(str::to_lowercase),
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let page = venues::list(&state.db, &filter, after, limit).await?;
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
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such venue", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/venues/{id}")]
pub async fn get_venue(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let venue = venues::find(&state.db, VenueId::from_uuid(*id), false)
        .await?
        .ok_or(ApiError::NotFound)?;
    ApiError::check(policy::owned_record(
        caller.actor(),
        &venue.organisation_path,
        Audience::Anyone,
        false,
    ))?;
    Ok(ok_versioned(venue.version, &VenueResponse::from(&venue)))
}

/// Change a venue.
#[utoipa::path(
    tag = "venues",
    security(("bearer" = [])),
    request_body = UpdateVenueRequest,
    params(
        ("id" = Uuid, Path, description = "Venue id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "The updated venue", body = VenueResponse, headers(("ETag" = String))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only organisers of the keeping organisation change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such venue", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/venues/{id}")]
pub async fn update_venue(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let tx = begin_write(&state.db).await?;
    let mut venue = venues::find(&tx, VenueId::from_uuid(*id), true)
        .await?
        .ok_or(ApiError::NotFound)?;
    ApiError::check(policy::owned_record(
        Some(&caller.actor),
        &venue.organisation_path,
        Audience::Anyone,
        true,
    ))?;
    check_version(expected, venue.version)?;
    let mut f = body.fields()?;
    if let Some(v) = f.patch_required("name", read::parsed(line(300))) {
        venue.name = v;
    }
    if let Some(v) = f.patch_required("address", read::parsed(line(300))) {
        venue.address = v;
    }
    if let Some(v) = f.patch_required("city", read::parsed(line(200))) {
        venue.city = v;
    }
    if let Some(v) = f.patch("postal_code", read::parsed(line(20))).into_change() {
        venue.postal_code = v;
    }
    if let Some(v) = f.patch_required("country", read::parsed(CountryCode::parse)) {
        venue.country = v;
    }
    if let Some(v) = f.patch("capacity", read::int(capacity)).into_change() {
        venue.capacity = v;
    }
    if let Some(v) = f.patch("accessibility", read::parsed(notes)).into_change() {
        venue.accessibility = v;
    }
    if let Some(v) = f.patch_with("coordinates", coordinates).into_change() {
        venue.coordinates = v;
    }
    f.finish()?;
    venue.version += 1;
    venue.updated_at = Utc::now();
    venues::save(&tx, &venue).await?;
    tx.commit().await?;
    Ok(ok_versioned(venue.version, &VenueResponse::from(&venue)))
}
