//! Change a plan: its organisation's organisers, with `If-Match`.

use chrono::{NaiveDate, Utc};
use kompetens_domain::competence::{self as rules, Need, PlanStatus};
use kompetens_domain::ids::OrganisationId;
use kompetens_domain::text::Line;
use kompetens_persistence::repo::Updated;
use kompetens_persistence::repo::competence_plans;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{NeedRequest, PlanView, TITLE_CHARS, check_programmes, plan_of, view};
use crate::patch::set;
use crate::{App, AppError, Caller, check_version};

/// Fields to change; `needs` replaces the whole list (resend an id to keep a need). `status`
/// moves forward one step: `draft → adopted → closed`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "adopted"}))]
pub struct UpdatePlanRequest {
    #[serde(default)]
    #[schema(nullable = false)]
    pub title: Option<Line<{ TITLE_CHARS }>>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub starts_on: Option<NaiveDate>,
    /// Not before `starts_on`.
    #[serde(default)]
    #[schema(nullable = false)]
    pub ends_on: Option<NaiveDate>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub status: Option<PlanStatus>,
    #[serde(default)]
    #[schema(nullable = false, max_items = 100)]
    pub needs: Option<Vec<NeedRequest>>,
}

pub async fn update(
    app: &App,
    caller: &Caller,
    organisation: OrganisationId,
    id: Uuid,
    expected_version: Option<i32>,
    changes: UpdatePlanRequest,
) -> Result<PlanView, AppError> {
    let tx = app.begin().await?;
    let mut plan = plan_of(&tx, &caller.actor, organisation, id).await?;
    check_version(expected_version, plan.version)?;
    let read_version = plan.version;
    let (starts_on, ends_on) = rules::period(
        changes.starts_on.unwrap_or(plan.starts_on),
        changes.ends_on.unwrap_or(plan.ends_on),
    )
    .map_err(|e| AppError::refused_value("/ends_on", e))?;
    plan.starts_on = starts_on;
    plan.ends_on = ends_on;
    set(&mut plan.title, changes.title.map(Into::into));
    if let Some(next) = changes.status {
        if !plan.status.may_become(next) {
            return Err(AppError::conflict(
                "invalid-status-transition",
                format!(
                    "a {} plan cannot become {next}; plans go draft → adopted → closed",
                    plan.status
                ),
            ));
        }
        plan.status = next;
    }
    if let Some(needs) = changes.needs {
        let needs: Vec<Need> = needs.into_iter().map(Need::from).collect();
        check_programmes(&tx, &caller.actor, &needs).await?;
        plan.needs = needs;
    }
    plan.version += 1;
    plan.updated_at = Utc::now();
    match competence_plans::update(&tx, &plan, read_version).await? {
        Updated::Done(()) => {}
        Updated::Stale => return Err(AppError::PreconditionFailed),
        Updated::NotFound => return Err(AppError::NotFound),
    }
    let plan = view(&tx, plan).await?;
    tx.commit().await?;
    Ok(plan)
}
