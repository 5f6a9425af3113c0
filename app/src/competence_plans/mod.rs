//! Competence-development plans: an organisation's compiled needs for a period, each answered
//! by programmes, with how many of the staff needed have completed one. Organisers' business:
//! members of the organisation get 403, everyone else 404.

mod create;
mod get;
mod list;
mod rollup;
mod update;

use std::collections::BTreeMap;

use kompetens_domain::competence::{
    Completer, Coverage, CoverageTotals, Need, Priority, StaffCount, Theme,
};
use kompetens_domain::ids::{OrganisationId, ProgrammeId};
use kompetens_domain::policy::{self, Actor, OrganisationAction, ProgrammeAction};
use kompetens_domain::role::JobRole;
use kompetens_domain::text::Line;
use kompetens_persistence::ConnectionTrait;
use kompetens_persistence::repo::{competence_plans, organisations, programmes, registrations};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub use create::{CreatePlanRequest, create};
pub use get::get;
pub use kompetens_persistence::repo::competence_plans::Plan;
pub use list::{PlanFilter, list};
pub use rollup::{OrganisationRollup, Rollup, rollup};
pub use update::{UpdatePlanRequest, update};

use crate::organisations::Organisation;
use crate::{AppError, FieldError};

/// The longest plan title, in characters.
pub const TITLE_CHARS: usize = 300;
/// The longest description of a need, in characters.
pub const DESCRIPTION_CHARS: usize = 1000;

/// One need as sent (a create, or the whole list in a patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"theme": "trauma_awareness", "job_roles": ["librarian", "culture_centre_staff"], "staff_count": 12, "priority": "high"}))]
pub struct NeedRequest {
    /// Keep an existing need's id when resending it; left out, a new need.
    #[serde(default)]
    pub id: Option<Uuid>,
    pub theme: Theme,
    #[serde(default)]
    pub description: Option<Line<{ DESCRIPTION_CHARS }>>,
    /// Staff with these job roles need it; empty or absent: any role.
    #[serde(default)]
    #[schema(max_items = 14)]
    pub job_roles: Option<Vec<JobRole>>,
    pub staff_count: StaffCount,
    /// Default `medium`.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// Programmes that answer the need (yours, or published ones).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub programme_ids: Option<Vec<ProgrammeId>>,
}

impl From<NeedRequest> for Need {
    fn from(n: NeedRequest) -> Self {
        let mut job_roles = n.job_roles.unwrap_or_default();
        job_roles.sort_unstable();
        job_roles.dedup();
        let mut programme_ids = n.programme_ids.unwrap_or_default();
        programme_ids.sort_unstable();
        programme_ids.dedup();
        Need {
            id: n.id.unwrap_or_else(Uuid::now_v7),
            theme: n.theme,
            description: n.description.map(Into::into),
            job_roles,
            staff_count: n.staff_count.get(),
            priority: n.priority.unwrap_or(Priority::Medium),
            programme_ids,
        }
    }
}

/// A plan with how far each of its needs is met, in the order of its needs.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub plan: Plan,
    /// One per need of `plan.needs`, in that order.
    pub coverage: Vec<Coverage>,
    pub totals: CoverageTotals,
}

/// Everyone who completed any of `programmes`, placed against the plan's organisation.
async fn completers(
    conn: &impl ConnectionTrait,
    organisation: OrganisationId,
    programmes: &[ProgrammeId],
) -> Result<Vec<Completer>, AppError> {
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

/// The completers of every programme a plan's needs name (each plan counts the staff of its
/// own organisation's subtree).
async fn plan_completers(
    conn: &impl ConnectionTrait,
    plan: &Plan,
) -> Result<Vec<Completer>, AppError> {
    let mut programme_ids: Vec<ProgrammeId> = plan
        .needs
        .iter()
        .flat_map(|n| n.programme_ids.iter().copied())
        .collect();
    programme_ids.sort_unstable();
    programme_ids.dedup();
    completers(conn, plan.organisation_id, &programme_ids).await
}

/// The plan with its coverage.
pub(crate) async fn view(conn: &impl ConnectionTrait, plan: Plan) -> Result<PlanView, AppError> {
    let completers = plan_completers(conn, &plan).await?;
    let mut totals = CoverageTotals::default();
    let coverage = plan
        .needs
        .iter()
        .map(|n| {
            let c = n.coverage(&completers);
            totals.add(c);
            c
        })
        .collect();
    Ok(PlanView {
        plan,
        coverage,
        totals,
    })
}

/// The organisation, if the caller organises it (403 for its members, 404 for others).
pub(crate) async fn organised(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: OrganisationId,
) -> Result<Organisation, AppError> {
    crate::organisations::authorised(conn, actor, id, OrganisationAction::Plans).await
}

/// A plan of an organisation the caller organises.
pub(crate) async fn plan_of(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    organisation: OrganisationId,
    plan: Uuid,
) -> Result<Plan, AppError> {
    let organisation = organised(conn, actor, organisation).await?;
    competence_plans::find(conn, plan)
        .await?
        .filter(|p| p.organisation_id == organisation.id)
        .ok_or(AppError::NotFound)
}

/// Each programme a need names must be one the caller can see; need ids must be distinct.
pub(crate) async fn check_programmes(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    needs: &[Need],
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    for (i, n) in needs.iter().enumerate() {
        for (j, id) in n.programme_ids.iter().enumerate() {
            let visible = match programmes::find(conn, *id, false).await? {
                Some(p) => policy::programme(
                    Some(actor),
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
        Err(AppError::Validation(errors))
    }
}
