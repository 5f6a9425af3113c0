//! Programmes: what organisers publish and people register for, with their lifecycle and
//! hour budgets. Each handler reads the request, calls one use case of
//! `kompetens_app::programmes` and renders what it returns.

use std::collections::BTreeSet;

use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::{NaiveDate, Utc};
use kompetens_app::programmes::{
    self, HourBudgetRequest, HourBudgetView, NewProgramme, ProgrammeChanges, ProgrammeFilter,
    ProgrammeView,
};
use kompetens_domain::hour_budget::ActivityType;
use kompetens_domain::ids::ProgrammeId;
use kompetens_domain::locale::Locale;
use kompetens_domain::programme::{ProgrammeKind, ProgrammeStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::ok_versioned;
use crate::auth::Authenticated;
use crate::auth::caller::MaybeCaller;
use crate::body::{Checked, Json};
use crate::error::{ApiError, Problem};
use crate::extract::{PageParams, encode_cursor, if_match};
use crate::idempotency::{self, IdempotencyKey, Reply};
use crate::state::AppState;
use crate::views::programme::{ProgrammeList, ProgrammeResponse, response};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeQuery {
    /// Programmes of this organisation or any below it.
    pub organisation_id: Option<Uuid>,
    #[param(value_type = Option<ProgrammeStatus>)]
    pub status: Option<String>,
    #[param(value_type = Option<ProgrammeKind>)]
    pub kind: Option<String>,
    /// Programmes running on or after this date.
    #[param(value_type = Option<NaiveDate>)]
    pub from: Option<String>,
    /// Programmes running on or before this date.
    #[param(value_type = Option<NaiveDate>)]
    pub to: Option<String>,
    /// A language the programme is taught in.
    #[param(value_type = Option<Locale>)]
    pub language: Option<String>,
    /// Text a title (in any language) contains, case-insensitively; `%` and `_` are plain
    /// characters.
    #[param(max_length = 300)]
    pub q: Option<String>,
    /// `true`: only published programmes whose registration window is open now.
    pub open_for_registration: Option<bool>,
}

fn created(v: &ProgrammeView) -> Result<Reply, kompetens_app::AppError> {
    idempotency::render(
        201,
        &response(v, Utc::now()),
        Some(format!("/programmes/{}", v.programme.id)),
        Some(v.programme.version),
    )
}

fn ok(v: &ProgrammeView) -> HttpResponse {
    ok_versioned(v.programme.version, &response(v, Utc::now()))
}

/// Create a programme (as a draft).
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    request_body = NewProgramme,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry for 24 hours")),
    responses(
        (status = 201, description = "Created as a draft", body = ProgrammeResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "You do not organise that organisation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or references to what does not exist or is not yours", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/programmes")]
pub async fn create_programme(
    state: web::Data<AppState>,
    caller: Authenticated,
    key: IdempotencyKey,
    body: Checked<NewProgramme>,
) -> Result<HttpResponse, ApiError> {
    let Checked(body) = body;
    let once = key.once(body.raw(), &created);
    let outcome = programmes::create(&state.app, &caller, body.into_inner(), once).await?;
    idempotency::respond(outcome, &created)
}

/// List programmes.
///
/// Anyone sees published (and closed) programmes; organisers also see the drafts and archived
/// programmes of their subtree, and trainers those they teach in.
#[utoipa::path(
    tag = "programmes",
    security((), ("bearer" = [])),
    params(PageParams, ProgrammeQuery),
    responses(
        (status = 200, description = "A page of programmes", body = ProgrammeList)
    )
)]
#[get("/programmes")]
pub async fn list_programmes(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    page: web::Query<PageParams>,
    query: web::Query<ProgrammeQuery>,
) -> Result<HttpResponse, ApiError> {
    let now = Utc::now();
    let mut errors = Vec::new();
    let page = page.request(&mut errors);
    let date = |raw: &str| {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map_err(|_| kompetens_domain::Invalid::new("must be a date, YYYY-MM-DD"))
    };
    let filter = ProgrammeFilter {
        organisation_within: query.organisation_id.map(Into::into),
        status: super::query_param(
            &mut errors,
            "status",
            query.status.as_deref(),
            ProgrammeStatus::parse,
        ),
        kind: super::query_param(
            &mut errors,
            "kind",
            query.kind.as_deref(),
            ProgrammeKind::parse,
        ),
        from: super::query_param(&mut errors, "from", query.from.as_deref(), date),
        to: super::query_param(&mut errors, "to", query.to.as_deref(), date),
        language: super::query_param(
            &mut errors,
            "language",
            query.language.as_deref(),
            Locale::parse,
        ),
        title_contains: super::query_text(&mut errors, "q", query.q.as_deref(), 300),
        open_at: (query.open_for_registration == Some(true)).then_some(now),
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let found = programmes::list(&state.app, caller.caller(), &filter, page).await?;
    Ok(HttpResponse::Ok().json(ProgrammeList {
        items: found.items.iter().map(|v| response(v, now)).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}

/// Get a programme.
#[utoipa::path(
    tag = "programmes",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id")),
    responses(
        (status = 200, description = "The programme", body = ProgrammeResponse, headers(("ETag" = String))),
        (status = 404, description = "No such programme, or a draft you may not see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/programmes/{id}")]
pub async fn get_programme(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let v = programmes::get(&state.app, caller.caller(), ProgrammeId::from_uuid(*id)).await?;
    Ok(ok(&v))
}

/// Change a programme.
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    request_body = ProgrammeChanges,
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "The updated programme", body = ProgrammeResponse, headers(("ETag" = String))),
        (status = 403, description = "You may see it but not change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Archived (`/problems/programme-archived`), sessions would fall outside new dates (`/problems/sessions-outside-period`), or a published programme would stop being publishable (`/problems/programme-incomplete`)", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/programmes/{id}")]
pub async fn update_programme(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: Json<ProgrammeChanges>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let v = programmes::update(
        &state.app,
        &caller,
        ProgrammeId::from_uuid(*id),
        expected,
        body.into_inner(),
    )
    .await?;
    Ok(ok(&v))
}

/// Publish a draft.
///
/// The programme must have sessions, an hour budget its sessions do not exceed, and a
/// registration window; otherwise 409 `programme-incomplete` lists what is missing.
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "Published", body = ProgrammeResponse, headers(("ETag" = String))),
        (status = 403, description = "You may see it but not publish it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft (`/problems/invalid-status-transition`) or not ready (`/problems/programme-incomplete`, with `errors`)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/programme-incomplete", "title": "The programme is not ready to be published", "status": 409, "detail": "the programme is not ready to be published; `errors` lists what is missing", "errors": [{"pointer": "/sessions", "detail": "the programme has no sessions"}, {"pointer": "/registration_opens_at", "detail": "a registration window (registration_opens_at and registration_closes_at) is required"}]}))
    )
)]
#[post("/programmes/{id}/publish")]
pub async fn publish_programme(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let v = programmes::publish(&state.app, &caller, ProgrammeId::from_uuid(*id), expected).await?;
    Ok(ok(&v))
}

/// Close a published programme to registrations.
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "Closed", body = ProgrammeResponse, headers(("ETag" = String))),
        (status = 403, description = "You may see it but not close it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not published (`/problems/invalid-status-transition`)", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/programmes/{id}/close")]
pub async fn close_programme(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let v = programmes::close(&state.app, &caller, ProgrammeId::from_uuid(*id), expected).await?;
    Ok(ok(&v))
}

/// Archive a closed programme; it becomes read-only and is seen by its organisers only.
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "Archived", body = ProgrammeResponse, headers(("ETag" = String))),
        (status = 403, description = "You may see it but not archive it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not closed (`/problems/invalid-status-transition`)", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/programmes/{id}/archive")]
pub async fn archive_programme(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let v = programmes::archive(&state.app, &caller, ProgrammeId::from_uuid(*id), expected).await?;
    Ok(ok(&v))
}

// ---------------------------------------------------------------------------------------------
// Hour budget

#[derive(Serialize, ToSchema)]
pub struct HourBudgetLineResponse {
    pub activity_type: ActivityType,
    pub planned_minutes: u32,
    /// Minutes of scheduled sessions; a parallel group counts once, by its longest session.
    pub scheduled_minutes: u32,
    /// Minutes of sessions whose attendance has been recorded (a parallel group once).
    pub delivered_minutes: u32,
}

#[derive(Serialize, ToSchema)]
pub struct HourBudgetTotals {
    pub planned_minutes: u64,
    pub scheduled_minutes: u64,
    pub delivered_minutes: u64,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0",
    "lines": [
        {"activity_type": "workshop", "planned_minutes": 900, "scheduled_minutes": 900, "delivered_minutes": 0},
        {"activity_type": "group_supervision", "planned_minutes": 480, "scheduled_minutes": 480, "delivered_minutes": 0}
    ],
    "totals": {"planned_minutes": 1380, "scheduled_minutes": 1380, "delivered_minutes": 0},
    "version": 4
}))]
pub struct HourBudgetResponse {
    pub programme_id: Uuid,
    pub lines: Vec<HourBudgetLineResponse>,
    pub totals: HourBudgetTotals,
    /// The programme's version (its `ETag`): send it as `If-Match` when replacing the budget.
    pub version: i32,
}

fn budget_response(v: &HourBudgetView) -> HourBudgetResponse {
    let (p, budget, tally) = (&v.programme, &v.budget, &v.tally);
    let activities: BTreeSet<ActivityType> = budget
        .lines()
        .map(|l| l.activity_type)
        .chain(tally.scheduled.keys().copied())
        .collect();
    let lines: Vec<_> = activities
        .into_iter()
        .map(|a| HourBudgetLineResponse {
            activity_type: a,
            planned_minutes: budget.planned(a).unwrap_or(0),
            scheduled_minutes: tally.scheduled(a),
            delivered_minutes: tally.delivered(a),
        })
        .collect();
    let totals = HourBudgetTotals {
        planned_minutes: lines.iter().map(|l| u64::from(l.planned_minutes)).sum(),
        scheduled_minutes: lines.iter().map(|l| u64::from(l.scheduled_minutes)).sum(),
        delivered_minutes: lines.iter().map(|l| u64::from(l.delivered_minutes)).sum(),
    };
    HourBudgetResponse {
        programme_id: p.id.as_uuid(),
        lines,
        totals,
        version: p.version,
    }
}

/// Get a programme's hour budget: planned, scheduled and delivered minutes per activity type.
#[utoipa::path(
    tag = "programmes",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id")),
    responses(
        (status = 200, description = "The hour budget", body = HourBudgetResponse, headers(("ETag" = String))),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/programmes/{id}/hour-budget")]
pub async fn get_hour_budget(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let v =
        programmes::hour_budget(&state.app, caller.caller(), ProgrammeId::from_uuid(*id)).await?;
    Ok(ok_versioned(v.programme.version, &budget_response(&v)))
}

/// Replace a programme's hour budget.
///
/// No line may fall below the minutes its sessions already schedule (409
/// `hour-budget-exceeded`, naming each such line).
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    request_body = HourBudgetRequest,
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("If-Match" = Option<String>, Header, description = "The programme's ETag; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "The new hour budget", body = HourBudgetResponse, headers(("ETag" = String))),
        (status = 403, description = "You may see it but not change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Lines below what sessions schedule (`/problems/hour-budget-exceeded`), or archived", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/programmes/{id}/hour-budget")]
pub async fn replace_hour_budget(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: Json<HourBudgetRequest>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let v = programmes::replace_hour_budget(
        &state.app,
        &caller,
        ProgrammeId::from_uuid(*id),
        expected,
        body.into_inner(),
    )
    .await?;
    Ok(ok_versioned(v.programme.version, &budget_response(&v)))
}
