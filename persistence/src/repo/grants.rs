//! Grants: money a funder awards to an organisation, allocated to programmes.

use chrono::{DateTime, Utc};
use kompetens_domain::funding::GrantStatus;
use kompetens_domain::ids::{FunderId, GrantId, OrganisationId, ProgrammeId};
use kompetens_domain::money::{Currency, Money};
use kompetens_domain::organisation::OrganisationPath;
use kompetens_domain::policy::Visibility;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::{into_page, page_query, under_any};
use crate::Page;
use crate::entities::grant::{ActiveModel, Column, Entity, Model};
use crate::entities::grant_allocation;
use crate::error::{StoreError, corrupt};

pub use kompetens_domain::funding::{Allocation, Grant};

impl TryFrom<Model> for Grant {
    type Error = StoreError;

    fn try_from(m: Model) -> Result<Self, StoreError> {
        let currency = Currency::parse(&m.currency).map_err(|e| corrupt("grants.currency", e))?;
        Ok(Grant {
            id: m.id.into(),
            funder_id: m.funder_id.into(),
            recipient_organisation_id: m.recipient_organisation_id.into(),
            organisation_path: OrganisationPath::decode(&m.organisation_path)
                .map_err(|e| corrupt("grants.organisation_path", e))?,
            reference: m.reference,
            title: m.title,
            amount: Money::new(m.amount_minor, currency)
                .map_err(|e| corrupt("grants.amount_minor", e))?,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            funded_minutes: m
                .funded_minutes
                .map(u32::try_from)
                .transpose()
                .map_err(|e| corrupt("grants.funded_minutes", e))?,
            status: GrantStatus::parse(&m.status).map_err(|e| corrupt("grants.status", e))?,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn active(g: &Grant) -> ActiveModel {
    ActiveModel {
        id: Set(g.id.as_uuid()),
        funder_id: Set(g.funder_id.as_uuid()),
        recipient_organisation_id: Set(g.recipient_organisation_id.as_uuid()),
        organisation_path: Set(g.organisation_path.encode()),
        reference: Set(g.reference.clone()),
        title: Set(g.title.clone()),
        amount_minor: Set(g.amount.amount_minor()),
        currency: Set(g.amount.currency().code().to_string()),
        starts_on: Set(g.starts_on),
        ends_on: Set(g.ends_on),
        funded_minutes: Set(g.funded_minutes.and_then(|m| i32::try_from(m).ok())),
        status: Set(g.status.as_str().to_string()),
        version: Set(g.version),
        created_at: Set(g.created_at),
        updated_at: Set(g.updated_at),
    }
}

pub async fn insert(conn: &impl ConnectionTrait, grant: &Grant) -> Result<(), StoreError> {
    active(grant).insert(conn).await?;
    Ok(())
}

pub async fn save(conn: &impl ConnectionTrait, grant: &Grant) -> Result<(), StoreError> {
    active(grant).update(conn).await?;
    Ok(())
}

/// Reads a grant; with `lock`, holds its row until the transaction ends.
pub async fn find(
    conn: &impl ConnectionTrait,
    id: GrantId,
    lock: bool,
) -> Result<Option<Grant>, StoreError> {
    let mut query = Entity::find_by_id(id.as_uuid());
    if lock {
        query = query.lock_exclusive();
    }
    query.one(conn).await?.map(Grant::try_from).transpose()
}

pub async fn find_many(
    conn: &impl ConnectionTrait,
    ids: &[GrantId],
) -> Result<Vec<Grant>, StoreError> {
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().map(|id| id.as_uuid())))
        .all(conn)
        .await?
        .into_iter()
        .map(Grant::try_from)
        .collect()
}

#[derive(Debug, Default)]
pub struct GrantFilter {
    pub funder_id: Option<FunderId>,
    pub status: Option<GrantStatus>,
    /// Grants received by this organisation or any below it.
    pub recipient_within: Option<OrganisationId>,
}

/// Grants are seen only by organisers of the recipient's subtree (and admins).
pub async fn list(
    conn: &impl ConnectionTrait,
    visibility: &Visibility,
    filter: &GrantFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<Grant>, StoreError> {
    let mut query = Entity::find();
    if let Visibility::Some { subtrees, .. } = visibility {
        query = query.filter(under_any(Column::OrganisationPath, subtrees));
    }
    if let Some(funder) = filter.funder_id {
        query = query.filter(Column::FunderId.eq(funder.as_uuid()));
    }
    if let Some(status) = filter.status {
        query = query.filter(Column::Status.eq(status.as_str()));
    }
    if let Some(root) = filter.recipient_within {
        query = query.filter(under_any(Column::OrganisationPath, &[root]));
    }
    let rows = page_query(query, Column::Id, after, limit)
        .all(conn)
        .await?;
    let items = rows
        .into_iter()
        .map(Grant::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(into_page(items, limit, |g| g.id.as_uuid()))
}

/// The programmes a grant is allocated to, oldest allocation first.
pub async fn programme_ids(
    conn: &impl ConnectionTrait,
    grant: GrantId,
) -> Result<Vec<ProgrammeId>, StoreError> {
    Ok(grant_allocation::Entity::find()
        .filter(grant_allocation::Column::GrantId.eq(grant.as_uuid()))
        .order_by_asc(grant_allocation::Column::ProgrammeId)
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.programme_id.into())
        .collect())
}

/// The grants funding a programme.
pub async fn for_programme(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
) -> Result<Vec<GrantId>, StoreError> {
    Ok(grant_allocation::Entity::find()
        .filter(grant_allocation::Column::ProgrammeId.eq(programme.as_uuid()))
        .order_by_asc(grant_allocation::Column::GrantId)
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.grant_id.into())
        .collect())
}

/// Replaces the grants funding a programme; allocations that stay keep their amounts.
pub async fn allocate(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
    grants: &[GrantId],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let wanted: Vec<Uuid> = grants.iter().map(|g| g.as_uuid()).collect();
    grant_allocation::Entity::delete_many()
        .filter(grant_allocation::Column::ProgrammeId.eq(programme.as_uuid()))
        .filter(grant_allocation::Column::GrantId.is_not_in(wanted.clone()))
        .exec(conn)
        .await?;
    let existing: Vec<Uuid> = for_programme(conn, programme)
        .await?
        .into_iter()
        .map(|g| g.as_uuid())
        .collect();
    let new: Vec<Uuid> = wanted
        .into_iter()
        .filter(|g| !existing.contains(g))
        .collect();
    if new.is_empty() {
        return Ok(());
    }
    grant_allocation::Entity::insert_many(new.into_iter().map(|g| grant_allocation::ActiveModel {
        grant_id: Set(g),
        programme_id: Set(programme.as_uuid()),
        created_at: Set(now),
        amount_minor: Set(None),
    }))
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The programmes a grant funds, with their amounts.
pub async fn allocations(
    conn: &impl ConnectionTrait,
    grant: GrantId,
) -> Result<Vec<Allocation>, StoreError> {
    Ok(grant_allocation::Entity::find()
        .filter(grant_allocation::Column::GrantId.eq(grant.as_uuid()))
        .order_by_asc(grant_allocation::Column::ProgrammeId)
        .all(conn)
        .await?
        .into_iter()
        .map(|a| Allocation {
            programme_id: a.programme_id.into(),
            amount_minor: a.amount_minor,
        })
        .collect())
}

/// Replaces the amounts of a grant's allocations: each named programme gets its amount (and is
/// linked to the grant if it was not), programmes left out are no longer funded by it.
pub async fn set_allocations(
    conn: &impl ConnectionTrait,
    grant: GrantId,
    allocations: &[Allocation],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    grant_allocation::Entity::delete_many()
        .filter(grant_allocation::Column::GrantId.eq(grant.as_uuid()))
        .exec(conn)
        .await?;
    if allocations.is_empty() {
        return Ok(());
    }
    grant_allocation::Entity::insert_many(allocations.iter().map(|a| {
        grant_allocation::ActiveModel {
            grant_id: Set(grant.as_uuid()),
            programme_id: Set(a.programme_id.as_uuid()),
            created_at: Set(now),
            amount_minor: Set(a.amount_minor),
        }
    }))
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
