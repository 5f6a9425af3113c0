//! Funder reports: for a grant (every programme it funds) or one programme. Every total in
//! them is the sum of its breakdown (`kompetens_domain::report`); these use cases gather the
//! facts and the names the figures are shown with.

mod grant;
mod programme;

pub use grant::{GrantReport, grant_report};
pub use kompetens_domain::report::{Range, Report};
pub use programme::{ProgrammeGrant, ProgrammeReport, programme_report};

use std::collections::BTreeMap;

use kompetens_domain::ids::OrganisationId;
use kompetens_domain::programme::Programme;
use kompetens_domain::report;
use kompetens_persistence::ConnectionTrait;
use kompetens_persistence::repo::{organisations, reports};

use crate::AppError;

/// The figures every report has: the report over `programmes` (its `by_programme` in their
/// order) and the names of the workplaces it counts people by.
#[derive(Debug, Clone)]
pub struct Figures {
    pub range: Range,
    pub report: Report,
    pub programmes: Vec<Programme>,
    /// The name of each workplace in `report.by_workplace` that still exists.
    pub workplace_names: BTreeMap<OrganisationId, String>,
}

async fn figures(
    conn: &impl ConnectionTrait,
    programmes: Vec<Programme>,
    range: Range,
) -> Result<Figures, AppError> {
    let mut facts = Vec::with_capacity(programmes.len());
    for p in &programmes {
        facts.push(reports::programme_facts(conn, p).await?);
    }
    let report = report::report(&facts, range);
    let mut workplace_names = BTreeMap::new();
    for id in report.by_workplace.keys().flatten() {
        if let Some(o) = organisations::find(conn, *id).await? {
            workplace_names.insert(*id, o.name.as_str().to_string());
        }
    }
    Ok(Figures {
        range,
        report,
        programmes,
        workplace_names,
    })
}
