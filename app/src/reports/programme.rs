//! A programme's report: the same figures as a grant's, for this programme alone, with the
//! grants that fund it. Organisers only.

use kompetens_domain::ids::ProgrammeId;
use kompetens_domain::money::Money;
use kompetens_domain::programme::Programme;
use kompetens_persistence::repo::{funders, grants};

use super::{Figures, Range, figures};
use crate::grants::{Grant, allocated_money};
use crate::programmes::organised;
use crate::{App, AppError, Caller};

/// A grant funding the programme, and the share of it the programme has.
#[derive(Debug, Clone)]
pub struct ProgrammeGrant {
    pub grant: Grant,
    /// `None` if the funder is gone.
    pub funder_name: Option<String>,
    /// `None`: funded, amount not stated.
    pub allocated: Option<Money>,
}

#[derive(Debug, Clone)]
pub struct ProgrammeReport {
    pub programme: Programme,
    pub grants: Vec<ProgrammeGrant>,
    /// The figures of this programme alone (`figures.programmes` holds just it).
    pub figures: Figures,
}

pub async fn programme_report(
    app: &App,
    caller: &Caller,
    id: ProgrammeId,
    range: Range,
) -> Result<ProgrammeReport, AppError> {
    let conn = app.db();
    let programme = organised(conn, &caller.actor, id, false).await?;
    let mut funding = Vec::new();
    let grant_ids = grants::for_programme(conn, programme.id).await?;
    for grant in grants::find_many(conn, &grant_ids).await? {
        let allocations = grants::allocations(conn, grant.id).await?;
        let allocated = allocated_money(&grant, &allocations)
            .get(&programme.id)
            .copied();
        let funder_name = funders::find(conn, grant.funder_id, false)
            .await?
            .map(|f| f.name);
        funding.push(ProgrammeGrant {
            grant,
            funder_name,
            allocated,
        });
    }
    let figures = figures(conn, vec![programme.clone()], range).await?;
    Ok(ProgrammeReport {
        programme,
        grants: funding,
        figures,
    })
}
