//! Competence-development plans: an organisation's compiled needs for a period, each answered
//! by programmes, with how many of the staff needed have completed one. Organisers' business:
//! members of the organisation get 403, everyone else 404.
//!
//! A plan's path segment matches only the shape of a UUID (five groups of hex digits joined by
//! hyphens; the regex has no `{n}` counts, which the OpenAPI path would mistake for parameters),
//! so `/organisations/{id}/competence-plans/rollup` is never taken for a plan and no plan id for
//! `rollup`, whatever order the routes are registered in.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use kompetens_app::AppError;
use kompetens_app::competence_plans::{
    self, CreatePlanRequest, PlanFilter, PlanView, Rollup, UpdatePlanRequest,
};
use kompetens_domain::competence::{
    Coverage, CoverageTotals as Totals, PlanStatus, Priority, Theme,
};
use kompetens_domain::ids::OrganisationId;
use kompetens_domain::role::JobRole;
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

#[derive(Serialize, ToSchema, Clone, Copy)]
pub struct CoverageBody {
    pub staff_needed: u32,
    /// Distinct staff of the organisation's subtree, with one of the need's job roles (as
    /// they were when they registered), who completed one of its programmes.
    pub staff_completed: u32,
    /// Of those needed, in whole percent (at most 100).
    pub percent: u8,
}

impl From<Coverage> for CoverageBody {
    fn from(c: Coverage) -> Self {
        CoverageBody {
            staff_needed: c.staff_needed,
            staff_completed: c.staff_completed,
            percent: c.percent,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NeedResponse {
    pub id: Uuid,
    pub theme: Theme,
    pub description: Option<String>,
    /// Empty: staff of any job role.
    pub job_roles: Vec<JobRole>,
    pub staff_count: u32,
    pub priority: Priority,
    pub programme_ids: Vec<Uuid>,
    pub coverage: CoverageBody,
}

/// Needed and met, counting each need at most up to what it needs.
#[derive(Serialize, ToSchema, Clone, Copy)]
pub struct CoverageTotals {
    pub staff_needed: u64,
    /// Per need at most its `staff_count`, then added up.
    pub staff_met: u64,
    pub percent: u8,
}

impl From<Totals> for CoverageTotals {
    fn from(t: Totals) -> Self {
        CoverageTotals {
            staff_needed: t.staff_needed,
            staff_met: t.staff_met,
            percent: t.percent,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4f10",
    "organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61",
    "title": "Plan rozwoju kompetencji 2017–2018",
    "starts_on": "2017-04-01",
    "ends_on": "2018-09-30",
    "status": "adopted",
    "needs": [{
        "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4f11",
        "theme": "trauma_awareness",
        "description": "Staff who meet unaccompanied minors",
        "job_roles": ["librarian", "culture_centre_staff"],
        "staff_count": 12,
        "priority": "high",
        "programme_ids": ["019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0"],
        "coverage": {"staff_needed": 12, "staff_completed": 9, "percent": 75}
    }],
    "totals": {"staff_needed": 12, "staff_met": 9, "percent": 75},
    "created_at": "2017-01-10T10:00:00Z",
    "updated_at": "2017-04-01T10:00:00Z",
    "version": 3
}))]
pub struct PlanResponse {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: PlanStatus,
    pub needs: Vec<NeedResponse>,
    pub totals: CoverageTotals,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also sent as the `ETag` header.
    pub version: i32,
}

#[derive(Serialize, ToSchema)]
pub struct PlanList {
    pub items: Vec<PlanResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl From<&PlanView> for PlanResponse {
    fn from(v: &PlanView) -> Self {
        let plan = &v.plan;
        PlanResponse {
            id: plan.id,
            organisation_id: plan.organisation_id.as_uuid(),
            title: plan.title.clone(),
            starts_on: plan.starts_on,
            ends_on: plan.ends_on,
            status: plan.status,
            needs: plan
                .needs
                .iter()
                .zip(&v.coverage)
                .map(|(n, c)| NeedResponse {
                    id: n.id,
                    theme: n.theme,
                    description: n.description.clone(),
                    job_roles: n.job_roles.clone(),
                    staff_count: n.staff_count,
                    priority: n.priority,
                    programme_ids: n.programme_ids.iter().map(|p| p.as_uuid()).collect(),
                    coverage: (*c).into(),
                })
                .collect(),
            totals: v.totals.into(),
            created_at: plan.created_at,
            updated_at: plan.updated_at,
            version: plan.version,
        }
    }
}

fn created(view: &PlanView) -> Result<idempotency::Reply, AppError> {
    idempotency::render(
        201,
        &PlanResponse::from(view),
        Some(format!(
            "/organisations/{}/competence-plans/{}",
            view.plan.organisation_id, view.plan.id
        )),
        Some(view.plan.version),
    )
}

/// Create a competence-development plan for an organisation you organise.
///
/// Send `Idempotency-Key` to make retries safe: a retry within 24 hours gets the first
/// response back.
#[utoipa::path(
    tag = "competence-plans",
    security(("bearer" = [])),
    request_body = CreatePlanRequest,
    params(("id" = Uuid, Path, description = "Organisation id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry for 24 hours")),
    responses(
        (status = 201, description = "Created", body = PlanResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "You belong to the organisation but do not organise it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, programmes you cannot see, or an Idempotency-Key reused for another request", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/organisations/{id}/competence-plans")]
pub async fn create_plan(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: Checked<CreatePlanRequest>,
) -> Result<HttpResponse, ApiError> {
    let Checked(body) = body;
    let once = key.once(body.raw(), &created);
    let outcome = competence_plans::create(
        &state.app,
        &caller,
        OrganisationId::from_uuid(*id),
        body.into_inner(),
        once,
    )
    .await?;
    idempotency::respond(outcome, &created)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// `true`: the plans of every organisation below this one too (a metropolitan
    /// association's view of its members').
    pub subtree: Option<bool>,
    /// `draft`, `adopted` or `closed`.
    pub status: Option<String>,
}

/// An organisation's competence-development plans, with their coverage.
#[utoipa::path(
    tag = "competence-plans",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id"), PageParams, PlanQuery),
    responses(
        (status = 200, description = "A page of plans", body = PlanList),
        (status = 403, description = "You belong to the organisation but do not organise it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `limit`, `cursor` or `status`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/organisations/{id}/competence-plans")]
pub async fn list_plans(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
    query: web::Query<PlanQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let page = page.request(&mut errors);
    let status = super::query_param(
        &mut errors,
        "status",
        query.status.as_deref(),
        PlanStatus::parse,
    );
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let filter = PlanFilter {
        subtree: query.subtree.unwrap_or(false),
        status,
    };
    let page = competence_plans::list(
        &state.app,
        &caller,
        OrganisationId::from_uuid(*id),
        filter,
        page,
    )
    .await?;
    Ok(HttpResponse::Ok().json(PlanList {
        items: page.items.iter().map(PlanResponse::from).collect(),
        next_cursor: page.next_after.map(encode_cursor),
    }))
}

/// Get a plan: each need with how many staff have completed a programme that answers it.
#[utoipa::path(
    tag = "competence-plans",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id"), ("plan_id" = Uuid, Path, description = "Plan id")),
    responses(
        (status = 200, description = "The plan", body = PlanResponse, headers(("ETag" = String))),
        (status = 403, description = "You belong to the organisation but do not organise it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan, or not visible to you", body = Problem, content_type = "application/problem+json")
    )
)]
// `plan_id` matches the shape of a UUID only, so that `rollup` is never taken for a plan.
#[get(
    "/organisations/{id}/competence-plans/{plan_id:[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+}"
)]
pub async fn get_plan(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (organisation, plan) = path.into_inner();
    let view = competence_plans::get(
        &state.app,
        &caller,
        OrganisationId::from_uuid(organisation),
        plan,
    )
    .await?;
    Ok(ok_versioned(view.plan.version, &PlanResponse::from(&view)))
}

/// Change a plan.
#[utoipa::path(
    tag = "competence-plans",
    security(("bearer" = [])),
    request_body = UpdatePlanRequest,
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("plan_id" = Uuid, Path, description = "Plan id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "The updated plan", body = PlanResponse, headers(("ETag" = String))),
        (status = 403, description = "You belong to the organisation but do not organise it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A status change other than one step forward (`/problems/invalid-status-transition`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
// `plan_id` matches the shape of a UUID only, so that `rollup` is never taken for a plan.
#[patch(
    "/organisations/{id}/competence-plans/{plan_id:[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+}"
)]
pub async fn update_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<UpdatePlanRequest>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (organisation, id) = path.into_inner();
    let view = competence_plans::update(
        &state.app,
        &caller,
        OrganisationId::from_uuid(organisation),
        id,
        expected,
        body.into_inner(),
    )
    .await?;
    Ok(ok_versioned(view.plan.version, &PlanResponse::from(&view)))
}

#[derive(Serialize, ToSchema)]
pub struct ThemeRollup {
    pub theme: Theme,
    #[serde(flatten)]
    pub coverage: CoverageTotals,
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationRollup {
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub plans: u64,
    #[serde(flatten)]
    pub coverage: CoverageTotals,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61",
    "plans": 5,
    "totals": {"staff_needed": 120, "staff_met": 84, "percent": 70},
    "by_theme": [{"theme": "trauma_awareness", "staff_needed": 60, "staff_met": 45, "percent": 75}, {"theme": "intercultural_communication", "staff_needed": 60, "staff_met": 39, "percent": 65}],
    "by_organisation": [{"organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e62", "organisation_name": "Kommun A", "plans": 1, "staff_needed": 24, "staff_met": 20, "percent": 83}]
}))]
pub struct RollupResponse {
    pub organisation_id: Uuid,
    pub plans: u64,
    /// Adds up over `by_theme` and over `by_organisation`.
    pub totals: CoverageTotals,
    pub by_theme: Vec<ThemeRollup>,
    pub by_organisation: Vec<OrganisationRollup>,
}

impl From<&Rollup> for RollupResponse {
    fn from(r: &Rollup) -> Self {
        RollupResponse {
            organisation_id: r.organisation_id.as_uuid(),
            plans: r.plans,
            totals: r.totals.into(),
            by_theme: r
                .by_theme
                .iter()
                .map(|(theme, totals)| ThemeRollup {
                    theme: *theme,
                    coverage: (*totals).into(),
                })
                .collect(),
            by_organisation: r
                .by_organisation
                .iter()
                .map(|o| OrganisationRollup {
                    organisation_id: o.organisation_id.as_uuid(),
                    organisation_name: o.organisation_name.clone(),
                    plans: o.plans,
                    coverage: o.totals.into(),
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RollupQuery {
    /// Only plans in this status (`draft`, `adopted` or `closed`); default: all.
    pub status: Option<String>,
}

/// The plans of an organisation and every organisation below it, rolled up: staff needed and
/// met, by theme and by organisation (a metropolitan association's view of its members).
#[utoipa::path(
    tag = "competence-plans",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id"), RollupQuery),
    responses(
        (status = 200, description = "The roll-up", body = RollupResponse),
        (status = 403, description = "You belong to the organisation but do not organise it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `status`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/organisations/{id}/competence-plans/rollup")]
pub async fn rollup(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    query: web::Query<RollupQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let status = super::query_param(
        &mut errors,
        "status",
        query.status.as_deref(),
        PlanStatus::parse,
    );
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let rollup =
        competence_plans::rollup(&state.app, &caller, OrganisationId::from_uuid(*id), status)
            .await?;
    Ok(HttpResponse::Ok().json(RollupResponse::from(&rollup)))
}
