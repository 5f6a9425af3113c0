//! Competence-development plans: an organisation's compiled needs for a period, each answered
//! by programmes, with how many of the staff needed have completed one. Organisers' business:
//! members of the organisation get 403, everyone else 404.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use kompetens_domain::competence::{
    self as rules, Completer, Coverage, MAX_NEEDS, Need, PlanStatus, Priority, Theme,
};
use kompetens_domain::ids::{OrganisationId, ProgrammeId};
use kompetens_domain::policy::{self, OrganisationAction, ProgrammeAction};
use kompetens_domain::role::JobRole;
use kompetens_domain::text;
use kompetens_persistence::repo::Updated;
use kompetens_persistence::repo::competence_plans::{self, Plan};
use kompetens_persistence::repo::organisations::{self, Organisation};
use kompetens_persistence::repo::{programmes, registrations};
use kompetens_persistence::{ConnectionTrait, begin_write};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{check_version, created_versioned, ok_versioned};
use crate::auth::{Authenticated, Caller};
use crate::error::{ApiError, FieldError, Problem};
use crate::extract::{Fields, JsonBody, PageParams, Problems, encode_cursor, if_match, read};
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
#[derive(Serialize, ToSchema, Clone, Copy, Default)]
pub struct CoverageTotals {
    pub staff_needed: u64,
    /// Per need at most its `staff_count`, then added up.
    pub staff_met: u64,
    pub percent: u8,
}

impl CoverageTotals {
    fn add(&mut self, c: Coverage) {
        self.staff_needed += u64::from(c.staff_needed);
        self.staff_met += u64::from(c.staff_completed.min(c.staff_needed));
        self.percent = percent(self.staff_met, self.staff_needed);
    }
}

fn percent(part: u64, whole: u64) -> u8 {
    (part.min(whole) * 100)
        .checked_div(whole)
        .and_then(|p| u8::try_from(p).ok())
        .unwrap_or(0)
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

/// Everyone who completed any of `programmes`, placed against the plan's organisation.
async fn completers(
    conn: &impl ConnectionTrait,
    organisation: OrganisationId,
    programmes: &[ProgrammeId],
) -> Result<Vec<Completer>, ApiError> {
    let done = registrations::completed_in(conn, programmes).await?;
    let mut paths = BTreeMap::new();
    let mut out = Vec::with_capacity(done.len());
    for r in done {
        let within = match r.workplace_organisation_id {
            None => false,
            Some(w) => {
                let path = match paths.get(&w) {
                    Some(path) => path,
                    None => {
                        let found = organisations::find(conn, w).await?.map(|o| o.path);
                        paths.entry(w).or_insert(found)
                    }
                };
                path.as_ref().is_some_and(|p| p.contains(organisation))
            }
        };
        out.push(Completer {
            participant: r.participant_id,
            programme: r.programme_id,
            within,
            job_role: r.job_role,
        });
    }
    Ok(out)
}

async fn with_coverage(conn: &impl ConnectionTrait, plan: &Plan) -> Result<PlanResponse, ApiError> {
    let mut programme_ids: Vec<ProgrammeId> = plan
        .needs
        .iter()
        .flat_map(|n| n.programme_ids.iter().copied())
        .collect();
    programme_ids.sort_unstable();
    programme_ids.dedup();
    let completers = completers(conn, plan.organisation_id, &programme_ids).await?;
    let mut totals = CoverageTotals::default();
    let needs = plan
        .needs
        .iter()
        .map(|n| {
            let coverage = n.coverage(&completers);
            totals.add(coverage);
            NeedResponse {
                id: n.id,
                theme: n.theme,
                description: n.description.clone(),
                job_roles: n.job_roles.clone(),
                staff_count: n.staff_count,
                priority: n.priority,
                programme_ids: n.programme_ids.iter().map(|p| p.as_uuid()).collect(),
                coverage: coverage.into(),
            }
        })
        .collect();
    Ok(PlanResponse {
        id: plan.id,
        organisation_id: plan.organisation_id.as_uuid(),
        title: plan.title.clone(),
        starts_on: plan.starts_on,
        ends_on: plan.ends_on,
        status: plan.status,
        needs,
        totals,
        created_at: plan.created_at,
        updated_at: plan.updated_at,
        version: plan.version,
    })
}

/// The organisation, if the caller organises it (403 for its members, 404 for others).
async fn organised(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> Result<Organisation, ApiError> {
    let organisation = organisations::find(conn, OrganisationId::from_uuid(id))
        .await?
        .ok_or(ApiError::NotFound)?;
    ApiError::check(policy::organisation(
        &caller.actor,
        &organisation.path,
        OrganisationAction::Plans,
    ))?;
    Ok(organisation)
}

async fn plan_of(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    organisation: Uuid,
    plan: Uuid,
) -> Result<Plan, ApiError> {
    let organisation = organised(conn, caller, organisation).await?;
    competence_plans::find(conn, plan)
        .await?
        .filter(|p| p.organisation_id == organisation.id)
        .ok_or(ApiError::NotFound)
}

/// One need as sent (a create, or the whole list in a patch).
#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct NeedRequest {
    /// Keep an existing need's id when resending it; left out, a new need.
    id: Option<Uuid>,
    theme: Theme,
    description: Option<String>,
    job_roles: Option<Vec<JobRole>>,
    staff_count: u32,
    /// Default `medium`.
    priority: Option<Priority>,
    /// Programmes that answer the need (yours, or published ones).
    programme_ids: Option<Vec<Uuid>>,
}

#[derive(ToSchema)]
#[schema(example = json!({
    "title": "Plan rozwoju kompetencji 2017–2018",
    "starts_on": "2017-04-01",
    "ends_on": "2018-09-30",
    "needs": [
        {"theme": "trauma_awareness", "job_roles": ["librarian", "culture_centre_staff"], "staff_count": 12, "priority": "high"},
        {"theme": "intercultural_communication", "staff_count": 30}
    ]
}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct CreatePlanRequest {
    title: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    /// Default `draft`.
    status: Option<PlanStatus>,
    needs: Option<Vec<NeedRequest>>,
}

/// Fields to change; `needs` replaces the whole list (resend an id to keep a need). `status`
/// moves forward one step: `draft → adopted → closed`.
#[derive(ToSchema)]
#[schema(example = json!({"status": "adopted"}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct UpdatePlanRequest {
    title: Option<String>,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    status: Option<PlanStatus>,
    needs: Option<Vec<NeedRequest>>,
}

/// A need as read, before its programmes are checked.
fn need(value: &Value) -> Result<Need, Problems> {
    let mut f = Fields::of(value)?;
    let id = f.optional("id", read::uuid);
    let theme = f.required("theme", read::parsed(Theme::parse));
    let description = f.optional("description", read::parsed(|s| text::line(s, 1000)));
    let job_roles = f
        .optional_with(
            "job_roles",
            read::list(
                JobRole::ALL.len(),
                read::simple(read::parsed(JobRole::parse)),
            ),
        )
        .unwrap_or_default();
    let staff = f.required("staff_count", read::int(rules::staff_count));
    let priority = f
        .optional("priority", read::parsed(Priority::parse))
        .unwrap_or(Priority::Medium);
    let programme_ids = f
        .optional_with("programme_ids", read::list(50, read::simple(read::uuid)))
        .unwrap_or_default();
    f.done()?;
    let (Some(theme), Some(staff_count)) = (theme, staff) else {
        return Err(vec![FieldError::at("", "is not a valid need")]);
    };
    let mut job_roles = job_roles;
    job_roles.sort_unstable();
    job_roles.dedup();
    let mut programme_ids: Vec<ProgrammeId> = programme_ids
        .into_iter()
        .map(ProgrammeId::from_uuid)
        .collect();
    programme_ids.sort_unstable();
    programme_ids.dedup();
    Ok(Need {
        id: id.unwrap_or_else(Uuid::now_v7),
        theme,
        description,
        job_roles,
        staff_count,
        priority,
        programme_ids,
    })
}

/// Each programme a need names must be one the caller can see.
async fn check_programmes(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    needs: &[Need],
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (i, n) in needs.iter().enumerate() {
        for (j, id) in n.programme_ids.iter().enumerate() {
            let visible = match programmes::find(conn, *id, false).await? {
                Some(p) => policy::programme(
                    Some(&caller.actor),
                    &p.organisation_path,
                    p.status,
                    false,
                    ProgrammeAction::Read,
                )
                .is_allowed(),
                None => false,
            };
            if !visible {
                errors.push(FieldError::at(
                    format!("/needs/{i}/programme_ids/{j}"),
                    "no such programme",
                ));
            }
        }
    }
    let mut seen = Vec::new();
    for (i, n) in needs.iter().enumerate() {
        if seen.contains(&n.id) {
            errors.push(FieldError::at(format!("/needs/{i}/id"), "appears twice"));
        }
        seen.push(n.id);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Create a competence-development plan for an organisation you organise.
#[utoipa::path(
    tag = "competence-plans",
    security(("bearer" = [])),
    request_body = CreatePlanRequest,
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 201, description = "Created", body = PlanResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You belong to the organisation but do not organise it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or programmes you cannot see", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/organisations/{id}/competence-plans")]
pub async fn create_plan(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let organisation = organised(&state.db, &caller, *id).await?;
    let mut f = body.fields()?;
    let title = f.required("title", read::parsed(|s| text::line(s, 300)));
    let starts_on = f.required("starts_on", read::date);
    let ends_on = f.required("ends_on", read::date);
    let status = f
        .optional("status", read::parsed(PlanStatus::parse))
        .unwrap_or(PlanStatus::Draft);
    let needs = f
        .optional_with("needs", read::list(MAX_NEEDS, need))
        .unwrap_or_default();
    if let (Some(s), Some(e)) = (starts_on, ends_on)
        && let Err(err) = rules::period(s, e)
    {
        f.reject("/ends_on", err.0);
    }
    f.finish()?;
    let (Some(title), Some(starts_on), Some(ends_on)) = (title, starts_on, ends_on) else {
        return Err(super::unreachable_missing());
    };
    check_programmes(&state.db, &caller, &needs).await?;
    let now = Utc::now();
    let plan = Plan {
        id: Uuid::now_v7(),
        organisation_id: organisation.id,
        organisation_path: organisation.path.clone(),
        title,
        starts_on,
        ends_on,
        status,
        needs,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let tx = begin_write(&state.db).await?;
    competence_plans::insert(&tx, &plan).await?;
    tx.commit().await?;
    Ok(created_versioned(
        format!(
            "/organisations/{}/competence-plans/{}",
            organisation.id, plan.id
        ),
        plan.version,
        &with_coverage(&state.db, &plan).await?,
    ))
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
        (status = 400, description = "Unreadable query string", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
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
    let organisation = organised(&state.db, &caller, *id).await?;
    let mut errors = Vec::new();
    let (limit, after) = page.parse_collecting(&mut errors);
    let status = super::query_param(
        &mut errors,
        "status",
        query.status.as_deref(),
        PlanStatus::parse,
    );
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let page = competence_plans::list(
        &state.db,
        organisation.id,
        query.subtree.unwrap_or(false),
        status,
        after,
        limit,
    )
    .await?;
    let mut items = Vec::with_capacity(page.items.len());
    for plan in &page.items {
        items.push(with_coverage(&state.db, plan).await?);
    }
    Ok(HttpResponse::Ok().json(PlanList {
        items,
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
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You belong to the organisation but do not organise it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan, or not visible to you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/organisations/{id}/competence-plans/{plan_id}")]
pub async fn get_plan(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (organisation, plan) = path.into_inner();
    let plan = plan_of(&state.db, &caller, organisation, plan).await?;
    Ok(ok_versioned(
        plan.version,
        &with_coverage(&state.db, &plan).await?,
    ))
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
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You belong to the organisation but do not organise it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A status change other than one step forward (`/problems/invalid-status-transition`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/organisations/{id}/competence-plans/{plan_id}")]
pub async fn update_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (organisation, id) = path.into_inner();
    let mut plan = plan_of(&state.db, &caller, organisation, id).await?;
    check_version(expected, plan.version)?;
    let read_version = plan.version;
    let mut f = body.fields()?;
    if let Some(v) = f.patch_required("title", read::parsed(|s| text::line(s, 300))) {
        plan.title = v;
    }
    let starts_on = f.patch_required("starts_on", read::date);
    let ends_on = f.patch_required("ends_on", read::date);
    let status = f.patch_required("status", read::parsed(PlanStatus::parse));
    let needs = f.patch_required_with("needs", read::list(MAX_NEEDS, need));
    let (s, e) = (
        starts_on.unwrap_or(plan.starts_on),
        ends_on.unwrap_or(plan.ends_on),
    );
    match rules::period(s, e) {
        Ok((s, e)) => {
            plan.starts_on = s;
            plan.ends_on = e;
        }
        Err(err) => f.reject("/ends_on", err.0),
    }
    f.finish()?;
    if let Some(next) = status {
        if !plan.status.may_become(next) {
            return Err(ApiError::conflict(
                "invalid-status-transition",
                format!(
                    "a {} plan cannot become {next}; plans go draft → adopted → closed",
                    plan.status
                ),
            ));
        }
        plan.status = next;
    }
    if let Some(needs) = needs {
        check_programmes(&state.db, &caller, &needs).await?;
        plan.needs = needs;
    }
    plan.version += 1;
    plan.updated_at = Utc::now();
    let tx = begin_write(&state.db).await?;
    match competence_plans::update(&tx, &plan, read_version).await? {
        Updated::Done(()) => {}
        Updated::Stale => return Err(ApiError::PreconditionFailed),
        Updated::NotFound => return Err(ApiError::NotFound),
    }
    tx.commit().await?;
    Ok(ok_versioned(
        plan.version,
        &with_coverage(&state.db, &plan).await?,
    ))
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
        (status = 400, description = "Unreadable query string", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
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
    let organisation = organised(&state.db, &caller, *id).await?;
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
    let plans = competence_plans::all_in_subtree(&state.db, organisation.id, status).await?;
    let mut totals = CoverageTotals::default();
    let mut by_theme: BTreeMap<Theme, CoverageTotals> = BTreeMap::new();
    let mut by_organisation: BTreeMap<OrganisationId, (u64, CoverageTotals)> = BTreeMap::new();
    for plan in &plans {
        let mut ids: Vec<ProgrammeId> = plan
            .needs
            .iter()
            .flat_map(|n| n.programme_ids.iter().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        // Each plan counts the staff of its own organisation's subtree.
        let completers = completers(&state.db, plan.organisation_id, &ids).await?;
        let entry = by_organisation.entry(plan.organisation_id).or_default();
        entry.0 += 1;
        for need in &plan.needs {
            let c = need.coverage(&completers);
            totals.add(c);
            by_theme.entry(need.theme).or_default().add(c);
            entry.1.add(c);
        }
    }
    let mut organisations_out = Vec::with_capacity(by_organisation.len());
    for (id, (count, coverage)) in by_organisation {
        let name = organisations::find(&state.db, id)
            .await?
            .map(|o| o.name.as_str().to_string())
            .unwrap_or_default();
        organisations_out.push(OrganisationRollup {
            organisation_id: id.as_uuid(),
            organisation_name: name,
            plans: count,
            coverage,
        });
    }
    Ok(HttpResponse::Ok().json(RollupResponse {
        organisation_id: organisation.id.as_uuid(),
        plans: u64::try_from(plans.len()).unwrap_or(u64::MAX),
        totals,
        by_theme: by_theme
            .into_iter()
            .map(|(theme, coverage)| ThemeRollup { theme, coverage })
            .collect(),
        by_organisation: organisations_out,
    }))
}
