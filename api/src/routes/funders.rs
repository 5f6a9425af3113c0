//! Funders: who pays for training (UNICEF, an ESF managing authority, a city budget).

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use kompetens_domain::country::CountryCode;
use kompetens_domain::funding::FunderKind;
use kompetens_domain::ids::FunderId;
use kompetens_domain::policy::{self, Audience};
use kompetens_domain::text;
use kompetens_persistence::begin_write;
use kompetens_persistence::repo::funders::{self, Funder, FunderFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{check_version, created_versioned, ok_versioned, organised_by, unreachable_missing};
use crate::auth::{Authenticated, Caller};
use crate::error::{ApiError, Problem};
use crate::extract::{JsonBody, PageParams, encode_cursor, if_match, read};
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

/// A new funder, kept by an organisation you organise.
#[derive(ToSchema)]
#[schema(example = json!({"organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61", "name": "UNICEF Polska", "kind": "international_organisation", "country": "PL", "website": "https://www.unicef.pl"}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct CreateFunderRequest {
    organisation_id: Uuid,
    name: String,
    kind: FunderKind,
    country: Option<String>,
    website: Option<String>,
}

/// Fields to change; `null` clears `country` or `website`.
#[derive(ToSchema)]
#[schema(example = json!({"website": "https://www.unicef.org/poland"}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct UpdateFunderRequest {
    name: Option<String>,
    kind: Option<FunderKind>,
    country: Option<String>,
    website: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FunderQuery {
    pub kind: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// Text the name contains, case-insensitively.
    pub q: Option<String>,
}

fn name(raw: &str) -> Result<String, kompetens_domain::Invalid> {
    text::line(raw, 300)
}

/// Create a funder.
#[utoipa::path(
    tag = "funding",
    security(("bearer" = [])),
    request_body = CreateFunderRequest,
    responses(
        (status = 201, description = "Created", body = FunderResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You do not organise that organisation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/funders")]
pub async fn create_funder(
    state: web::Data<AppState>,
    caller: Authenticated,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let mut f = body.fields()?;
    let organisation_id = f.required("organisation_id", read::uuid);
    let name = f.required("name", read::parsed(name));
    let kind = f.required("kind", read::parsed(FunderKind::parse));
    let country = f.optional("country", read::parsed(CountryCode::parse));
    let website = f.optional("website", read::parsed(text::web_url));
    f.finish()?;
    let (Some(organisation_id), Some(name), Some(kind)) = (organisation_id, name, kind) else {
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
    let funder = Funder {
        id: FunderId::new(),
        organisation_id: owner.id,
        organisation_path: owner.path,
        name,
        kind,
        country,
        website,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let tx = begin_write(&state.db).await?;
    funders::insert(&tx, &funder).await?;
    tx.commit().await?;
    tracing::info!(funder_id = %funder.id, "funder created");
    Ok(created_versioned(
        format!("/funders/{}", funder.id),
        funder.version,
        &FunderResponse::from(&funder),
    ))
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
        (status = 400, description = "Unreadable query string", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
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
    let (limit, after) = page.parse_collecting(&mut errors);
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
        name_contains: query.q.as_deref().map(str::to_lowercase),
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let page = funders::list(&state.db, &filter, after, limit).await?;
    Ok(HttpResponse::Ok().json(FunderList {
        items: page.items.iter().map(FunderResponse::from).collect(),
        next_cursor: page.next_after.map(encode_cursor),
    }))
}

async fn readable(state: &AppState, caller: &Caller, id: Uuid) -> Result<Funder, ApiError> {
    let funder = funders::find(&state.db, id.into(), false)
        .await?
        .ok_or(ApiError::NotFound)?;
    ApiError::check(policy::owned_record(
        Some(&caller.actor),
        &funder.organisation_path,
        Audience::SignedIn,
        false,
    ))?;
    Ok(funder)
}

/// Get a funder.
#[utoipa::path(
    tag = "funding",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Funder id")),
    responses(
        (status = 200, description = "The funder", body = FunderResponse, headers(("ETag" = String))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such funder", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/funders/{id}")]
pub async fn get_funder(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let funder = readable(&state, &caller, *id).await?;
    Ok(ok_versioned(funder.version, &FunderResponse::from(&funder)))
}

/// Change a funder.
#[utoipa::path(
    tag = "funding",
    security(("bearer" = [])),
    request_body = UpdateFunderRequest,
    params(
        ("id" = Uuid, Path, description = "Funder id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "The updated funder", body = FunderResponse, headers(("ETag" = String))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only organisers of the keeping organisation change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such funder", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/funders/{id}")]
pub async fn update_funder(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let tx = begin_write(&state.db).await?;
    let mut funder = funders::find(&tx, FunderId::from_uuid(*id), true)
        .await?
        .ok_or(ApiError::NotFound)?;
    ApiError::check(policy::owned_record(
        Some(&caller.actor),
        &funder.organisation_path,
        Audience::SignedIn,
        true,
    ))?;
    check_version(expected, funder.version)?;
    let mut f = body.fields()?;
    if let Some(v) = f.patch_required("name", read::parsed(name)) {
        funder.name = v;
    }
    if let Some(v) = f.patch_required("kind", read::parsed(FunderKind::parse)) {
        funder.kind = v;
    }
    if let Some(v) = f
        .patch("country", read::parsed(CountryCode::parse))
        .into_change()
    {
        funder.country = v;
    }
    if let Some(v) = f
        .patch("website", read::parsed(text::web_url))
        .into_change()
    {
        funder.website = v;
    }
    f.finish()?;
    funder.version += 1;
    funder.updated_at = Utc::now();
    funders::save(&tx, &funder).await?;
    tx.commit().await?;
    Ok(ok_versioned(funder.version, &FunderResponse::from(&funder)))
}
