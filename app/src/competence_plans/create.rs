//! Create a competence-development plan for an organisation the caller organises.

use chrono::{NaiveDate, Utc};
use kompetens_domain::competence::{self as rules, Need, PlanStatus};
use kompetens_domain::ids::OrganisationId;
use kompetens_domain::text::Line;
use kompetens_persistence::repo::competence_plans;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{NeedRequest, Plan, PlanView, TITLE_CHARS, check_programmes, organised, view};
use crate::{App, AppError, Caller, FieldError, Once, Outcome};

/// A new plan. `status` defaults to `draft`; the needs may come later.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Plan rozwoju kompetencji 2017–2018",
    "starts_on": "2017-04-01",
    "ends_on": "2018-09-30",
    "needs": [
        {"theme": "trauma_awareness", "job_roles": ["librarian", "culture_centre_staff"], "staff_count": 12, "priority": "high"},
        {"theme": "intercultural_communication", "staff_count": 30}
    ]
}))]
pub struct CreatePlanRequest {
    pub title: Line<{ TITLE_CHARS }>,
    pub starts_on: NaiveDate,
    /// Not before `starts_on`.
    pub ends_on: NaiveDate,
    /// Default `draft`.
    #[serde(default)]
    pub status: Option<PlanStatus>,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub needs: Option<Vec<NeedRequest>>,
}

impl crate::Validate for CreatePlanRequest {
    fn validate(&self) -> Vec<FieldError> {
        match rules::period(self.starts_on, self.ends_on) {
            Ok(_) => Vec::new(),
            Err(e) => vec![FieldError::at("/ends_on", e.0)],
        }
    }
}

pub async fn create(
    app: &App,
    caller: &Caller,
    organisation: OrganisationId,
    new: CreatePlanRequest,
    once: Once<'_, PlanView>,
) -> Result<Outcome<PlanView>, AppError> {
    let now = Utc::now();
    let tx = app.begin().await?;
    if let Some(first) = once.replay(&tx, caller.account_id(), now).await? {
        return Ok(Outcome::Replayed(first));
    }
    let organisation = organised(&tx, &caller.actor, organisation).await?;
    let (starts_on, ends_on) = rules::period(new.starts_on, new.ends_on)
        .map_err(|e| AppError::refused_value("/ends_on", e))?;
    let needs: Vec<Need> = new
        .needs
        .unwrap_or_default()
        .into_iter()
        .map(Need::from)
        .collect();
    check_programmes(&tx, &caller.actor, &needs).await?;
    let plan = Plan {
        id: Uuid::now_v7(),
        organisation_id: organisation.id,
        organisation_path: organisation.path,
        title: new.title.into(),
        starts_on,
        ends_on,
        status: new.status.unwrap_or(PlanStatus::Draft),
        needs,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    competence_plans::insert(&tx, &plan).await?;
    let plan = view(&tx, plan).await?;
    once.remember(&tx, caller.account_id(), &plan, now).await?;
    tx.commit().await?;
    tracing::info!(plan_id = %plan.plan.id, "competence plan created");
    Ok(Outcome::Fresh(plan))
}
