//! A grant's report: the programmes it funds, the people they reached, minutes, completions,
//! certificates and how the grant's amount is allocated. Organisers of the recipient only.

use std::collections::BTreeMap;

use kompetens_domain::ids::{GrantId, ProgrammeId};
use kompetens_domain::money::Money;
use kompetens_persistence::repo::{funders, grants, programmes};

use super::{Figures, Range, figures};
use crate::grants::{Grant, allocated_money, managed, unallocated};
use crate::{App, AppError, Caller};

#[derive(Debug, Clone)]
pub struct GrantReport {
    pub grant: Grant,
    /// `None` if the funder is gone.
    pub funder_name: Option<String>,
    /// The stated share of each programme.
    pub allocated: BTreeMap<ProgrammeId, Money>,
    pub unallocated: Money,
    pub figures: Figures,
}

pub async fn grant_report(
    app: &App,
    caller: &Caller,
    id: GrantId,
    range: Range,
) -> Result<GrantReport, AppError> {
    let conn = app.db();
    let grant = managed(conn, caller, id, false).await?;
    let allocations = grants::allocations(conn, grant.id).await?;
    let ids: Vec<ProgrammeId> = allocations.iter().map(|a| a.programme_id).collect();
    let funded = programmes::find_many(conn, &ids).await?;
    let allocated = allocated_money(&grant, &allocations);
    let figures = figures(conn, funded, range).await?;
    let funder_name = funders::find(conn, grant.funder_id, false)
        .await?
        .map(|f| f.name);
    let unallocated = unallocated(&grant, &allocated);
    Ok(GrantReport {
        grant,
        funder_name,
        allocated,
        unallocated,
        figures,
    })
}
