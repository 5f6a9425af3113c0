//! Read an organisation's roster: a page at a time, in order of e-mail address, or whole (CSV).

use kompetens_domain::ids::OrganisationId;
use kompetens_domain::staff::StaffEntry;
use kompetens_persistence::repo::staff;

use super::kept_by;
use crate::page::DEFAULT_PAGE_LIMIT;
use crate::{App, AppError, Caller};

/// Which page: at most `limit` entries after the address `after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffPageRequest {
    pub limit: u64,
    pub after: Option<String>,
}

impl Default for StaffPageRequest {
    fn default() -> Self {
        Self {
            limit: DEFAULT_PAGE_LIMIT,
            after: None,
        }
    }
}

/// A page of a roster and the address to continue after, if there is more.
pub struct StaffPage {
    pub items: Vec<StaffEntry>,
    pub next_after: Option<String>,
}

pub async fn list(
    app: &App,
    caller: &Caller,
    organisation: OrganisationId,
    page: StaffPageRequest,
) -> Result<StaffPage, AppError> {
    let organisation = kept_by(app.db(), &caller.actor, organisation).await?;
    let (items, next_after) =
        staff::page(app.db(), organisation.id, page.after.as_deref(), page.limit).await?;
    Ok(StaffPage { items, next_after })
}

/// The whole roster, for CSV.
pub async fn list_all(
    app: &App,
    caller: &Caller,
    organisation: OrganisationId,
) -> Result<Vec<StaffEntry>, AppError> {
    let organisation = kept_by(app.db(), &caller.actor, organisation).await?;
    Ok(staff::roster(app.db(), organisation.id).await?)
}
