//! Funders: who pays for training.

use kompetens_domain::country::CountryCode;
use kompetens_domain::funding::FunderKind;
use kompetens_domain::ids::FunderId;
use kompetens_domain::organisation::OrganisationPath;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use super::{into_page, page_query};
use crate::Page;
use crate::entities::funder::{ActiveModel, Column, Entity, Model};
use crate::error::{StoreError, corrupt};

pub use kompetens_domain::funding::Funder;

impl TryFrom<Model> for Funder {
    type Error = StoreError;

    fn try_from(m: Model) -> Result<Self, StoreError> {
        Ok(Funder {
            id: m.id.into(),
            organisation_id: m.organisation_id.into(),
            organisation_path: OrganisationPath::decode(&m.organisation_path)
                .map_err(|e| corrupt("funders.organisation_path", e))?,
            name: m.name,
            kind: FunderKind::parse(&m.kind).map_err(|e| corrupt("funders.kind", e))?,
            country: m
                .country
                .as_deref()
                .map(CountryCode::parse)
                .transpose()
                .map_err(|e| corrupt("funders.country", e))?,
            website: m.website,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn active(f: &Funder) -> ActiveModel {
    ActiveModel {
        id: Set(f.id.as_uuid()),
        organisation_id: Set(f.organisation_id.as_uuid()),
        organisation_path: Set(f.organisation_path.encode()),
        name: Set(f.name.clone()),
        kind: Set(f.kind.as_str().to_string()),
        country: Set(f.country.as_ref().map(|c| c.as_str().to_string())),
        website: Set(f.website.clone()),
        version: Set(f.version),
        created_at: Set(f.created_at),
        updated_at: Set(f.updated_at),
    }
}

pub async fn insert(conn: &impl ConnectionTrait, funder: &Funder) -> Result<(), StoreError> {
    active(funder).insert(conn).await?;
    Ok(())
}

/// Writes every field back; call inside the transaction that read the row with `lock`.
pub async fn save(conn: &impl ConnectionTrait, funder: &Funder) -> Result<(), StoreError> {
    active(funder).update(conn).await?;
    Ok(())
}

/// Reads a funder; with `lock`, holds its row until the transaction ends (PostgreSQL
/// `FOR UPDATE`; SQLite's IMMEDIATE write transaction already excludes other writers).
pub async fn find(
    conn: &impl ConnectionTrait,
    id: FunderId,
    lock: bool,
) -> Result<Option<Funder>, StoreError> {
    let mut query = Entity::find_by_id(id.as_uuid());
    if lock {
        query = query.lock_exclusive();
    }
    query.one(conn).await?.map(Funder::try_from).transpose()
}

#[derive(Debug, Default)]
pub struct FunderFilter {
    pub kind: Option<FunderKind>,
    pub country: Option<CountryCode>,
    /// Lower-cased text the name must contain.
    pub name_contains: Option<String>,
}

pub async fn list(
    conn: &impl ConnectionTrait,
    filter: &FunderFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<Funder>, StoreError> {
    let mut query = Entity::find();
    if let Some(kind) = filter.kind {
        query = query.filter(Column::Kind.eq(kind.as_str()));
    }
    if let Some(country) = &filter.country {
        query = query.filter(Column::Country.eq(country.as_str()));
    }
    if let Some(text) = &filter.name_contains {
        query = query.filter(super::lower_contains(Column::Name, text));
    }
    let rows = page_query(query, Column::Id, after, limit)
        .all(conn)
        .await?;
    let items = rows
        .into_iter()
        .map(Funder::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(into_page(items, limit, |f| f.id.as_uuid()))
}
