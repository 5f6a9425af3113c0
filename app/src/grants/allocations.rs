//! How a grant is allocated across the programmes it funds: read it, or replace it as a whole
//! (each programme one the caller organises; amounts in the grant's currency, together at most
//! the grant's amount).

use std::collections::BTreeMap;

use chrono::Utc;
use kompetens_domain::funding;
use kompetens_domain::ids::{GrantId, ProgrammeId};
use kompetens_domain::money::Money;
use kompetens_domain::policy::{self, ProgrammeAction};
use kompetens_persistence::repo::{grants, programmes};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Allocation, Grant, allocated_money, managed, unallocated};
use crate::{App, AppError, Caller, FieldError};

/// The share of a grant each programme gets: the whole list, replacing the previous one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"allocations": [
    {"programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0", "amount": {"amount_minor": 6000000, "currency": "EUR"}},
    {"programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb1", "amount": {"amount_minor": 4200000, "currency": "EUR"}}
]}))]
pub struct AllocationsRequest {
    /// Programmes left out are no longer funded by the grant.
    #[schema(max_items = 200)]
    pub allocations: Vec<AllocationRequest>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationRequest {
    pub programme_id: ProgrammeId,
    /// In the grant's currency; `null`: funded, amount not stated.
    #[serde(default)]
    pub amount: Option<Money>,
}

/// A grant's allocations, with the amount of each that is stated and what is left.
#[derive(Debug, Clone)]
pub struct AllocationsView {
    pub grant: Grant,
    pub allocations: Vec<Allocation>,
    pub allocated: BTreeMap<ProgrammeId, Money>,
    pub unallocated: Money,
}

impl AllocationsView {
    fn of(grant: Grant, allocations: Vec<Allocation>) -> Self {
        let allocated = allocated_money(&grant, &allocations);
        let unallocated = unallocated(&grant, &allocated);
        Self {
            grant,
            allocations,
            allocated,
            unallocated,
        }
    }
}

pub async fn allocations(
    app: &App,
    caller: &Caller,
    id: GrantId,
) -> Result<AllocationsView, AppError> {
    let grant = managed(app.db(), caller, id, false).await?;
    let allocations = grants::allocations(app.db(), grant.id).await?;
    Ok(AllocationsView::of(grant, allocations))
}

pub async fn replace_allocations(
    app: &App,
    caller: &Caller,
    id: GrantId,
    request: AllocationsRequest,
) -> Result<AllocationsView, AppError> {
    let wanted = request.allocations;
    let tx = app.begin().await?;
    let grant = managed(&tx, caller, id, true).await?;
    let mut errors = Vec::new();
    let mut allocations = Vec::with_capacity(wanted.len());
    let mut seen = Vec::new();
    for (i, a) in wanted.iter().enumerate() {
        let pointer = format!("/allocations/{i}/programme_id");
        if seen.contains(&a.programme_id) {
            errors.push(FieldError::at(pointer, "appears twice"));
            continue;
        }
        seen.push(a.programme_id);
        let managed = match programmes::find(&tx, a.programme_id, false).await? {
            Some(p) => policy::programme(
                Some(&caller.actor),
                &p.organisation_path,
                p.status,
                false,
                ProgrammeAction::Manage,
            )
            .is_allowed(),
            None => false,
        };
        if !managed {
            errors.push(FieldError::at(pointer, "no such programme of yours"));
            continue;
        }
        allocations.push(Allocation {
            programme_id: a.programme_id,
            amount_minor: a.amount.map(|m| m.amount_minor()),
        });
    }
    let amounts: Vec<(usize, Money)> = wanted
        .iter()
        .enumerate()
        .filter_map(|(i, a)| a.amount.map(|m| (i, m)))
        .collect();
    if let Err((k, e)) = funding::unallocated(
        grant.amount,
        &amounts.iter().map(|(_, m)| *m).collect::<Vec<_>>(),
    ) {
        let index = amounts.get(k).map_or(0, |(i, _)| *i);
        errors.push(FieldError::at(format!("/allocations/{index}/amount"), e.0));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    grants::set_allocations(&tx, grant.id, &allocations, Utc::now()).await?;
    tx.commit().await?;
    Ok(AllocationsView::of(grant, allocations))
}
