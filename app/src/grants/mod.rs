//! Grants: money a funder awards to an organisation for training, allocated to programmes.
//! Seen only by organisers of the recipient's subtree (and admins).

mod allocations;
mod create;
mod get;
mod list;
mod update;

pub use allocations::{
    AllocationRequest, AllocationsRequest, AllocationsView, allocations, replace_allocations,
};
pub use create::{NewGrant, create};
pub use get::get;
pub use kompetens_domain::funding::{Allocation, Grant, GrantStatus};
pub use list::{GrantFilter, list};
pub use update::{GrantChanges, update};

use std::collections::BTreeMap;

use kompetens_domain::funding;
use kompetens_domain::ids::{GrantId, ProgrammeId};
use kompetens_domain::money::Money;
use kompetens_domain::policy::{self, Audience};
use kompetens_persistence::ConnectionTrait;
use kompetens_persistence::repo::grants;

use crate::{AppError, Caller};

/// A grant with the programmes it funds.
#[derive(Debug, Clone)]
pub struct GrantView {
    pub grant: Grant,
    /// The programmes this grant funds, oldest allocation first.
    pub programme_ids: Vec<ProgrammeId>,
}

/// Reads the programmes a grant funds, to show it.
pub(crate) async fn view(conn: &impl ConnectionTrait, grant: Grant) -> Result<GrantView, AppError> {
    let programme_ids = grants::programme_ids(conn, grant.id).await?;
    Ok(GrantView {
        grant,
        programme_ids,
    })
}

/// The grant, if the caller organises its recipient (404 otherwise: grants are private);
/// `lock` holds its row for the rest of the transaction.
pub(crate) async fn managed(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: GrantId,
    lock: bool,
) -> Result<Grant, AppError> {
    let grant = grants::find(conn, id, lock)
        .await?
        .ok_or(AppError::NotFound)?;
    AppError::check(policy::owned_record(
        Some(&caller.actor),
        &grant.organisation_path,
        Audience::Organisers,
        lock,
    ))?;
    Ok(grant)
}

/// The stated amount of each allocation, as money in the grant's currency.
pub(crate) fn allocated_money(
    grant: &Grant,
    allocations: &[Allocation],
) -> BTreeMap<ProgrammeId, Money> {
    allocations
        .iter()
        .filter_map(|a| {
            let amount = Money::new(a.amount_minor?, grant.amount.currency()).ok()?;
            Some((a.programme_id, amount))
        })
        .collect()
}

/// What is left of the grant once `allocated` is given. Stored allocations were checked when
/// set; should the grant shrink below them since, nothing is left rather than a negative
/// amount.
pub(crate) fn unallocated(grant: &Grant, allocated: &BTreeMap<ProgrammeId, Money>) -> Money {
    let amounts: Vec<Money> = allocated.values().copied().collect();
    funding::unallocated(grant.amount, &amounts)
        .unwrap_or_else(|_| Money::new(0, grant.amount.currency()).unwrap_or(grant.amount))
}
