//! An organisation's competence-development plans (or its subtree's), with their coverage.

use kompetens_domain::competence::PlanStatus;
use kompetens_domain::ids::OrganisationId;
use kompetens_persistence::repo::competence_plans;

use super::{PlanView, organised, view};
use crate::{App, AppError, Caller, Page, PageRequest};

/// Which plans.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanFilter {
    /// The plans of every organisation below this one too.
    pub subtree: bool,
    pub status: Option<PlanStatus>,
}

pub async fn list(
    app: &App,
    caller: &Caller,
    organisation: OrganisationId,
    filter: PlanFilter,
    page: PageRequest,
) -> Result<Page<PlanView>, AppError> {
    let organisation = organised(app.db(), &caller.actor, organisation).await?;
    let plans = competence_plans::list(
        app.db(),
        organisation.id,
        filter.subtree,
        filter.status,
        page.after,
        page.limit,
    )
    .await?;
    let mut items = Vec::with_capacity(plans.items.len());
    for plan in plans.items {
        items.push(view(app.db(), plan).await?);
    }
    Ok(Page {
        items,
        next_after: plans.next_after,
    })
}
