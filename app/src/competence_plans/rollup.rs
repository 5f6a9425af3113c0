//! The plans of an organisation and every organisation below it, rolled up: staff needed and
//! met, by theme and by organisation (a metropolitan association's view of its members).

use std::collections::BTreeMap;

use kompetens_domain::competence::{CoverageTotals, PlanStatus, Theme};
use kompetens_domain::ids::OrganisationId;
use kompetens_persistence::repo::{competence_plans, organisations};

use super::{organised, plan_completers};
use crate::{App, AppError, Caller};

/// One organisation's share of a roll-up.
#[derive(Debug, Clone)]
pub struct OrganisationRollup {
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub plans: u64,
    pub totals: CoverageTotals,
}

/// A subtree's plans rolled up; the totals add up over both breakdowns.
#[derive(Debug, Clone)]
pub struct Rollup {
    pub organisation_id: OrganisationId,
    pub plans: u64,
    pub totals: CoverageTotals,
    pub by_theme: Vec<(Theme, CoverageTotals)>,
    pub by_organisation: Vec<OrganisationRollup>,
}

pub async fn rollup(
    app: &App,
    caller: &Caller,
    organisation: OrganisationId,
    status: Option<PlanStatus>,
) -> Result<Rollup, AppError> {
    let organisation = organised(app.db(), &caller.actor, organisation).await?;
    let plans = competence_plans::all_in_subtree(app.db(), organisation.id, status).await?;
    let mut totals = CoverageTotals::default();
    let mut by_theme: BTreeMap<Theme, CoverageTotals> = BTreeMap::new();
    let mut by_organisation: BTreeMap<OrganisationId, (u64, CoverageTotals)> = BTreeMap::new();
    for plan in &plans {
        // Each plan counts the staff of its own organisation's subtree.
        let completers = plan_completers(app.db(), plan).await?;
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
    for (id, (count, sum)) in by_organisation {
        let name = organisations::find(app.db(), id)
            .await?
            .map(|o| o.name.as_str().to_string())
            .unwrap_or_default();
        organisations_out.push(OrganisationRollup {
            organisation_id: id,
            organisation_name: name,
            plans: count,
            totals: sum,
        });
    }
    Ok(Rollup {
        organisation_id: organisation.id,
        plans: u64::try_from(plans.len()).unwrap_or(u64::MAX),
        totals,
        by_theme: by_theme.into_iter().collect(),
        by_organisation: organisations_out,
    })
}
