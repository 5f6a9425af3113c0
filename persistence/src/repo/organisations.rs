//! Organisations and the tree they form.

use chrono::{DateTime, Utc};
use kompetens_domain::country::CountryCode;
use kompetens_domain::ids::OrganisationId;
use kompetens_domain::organisation::{OrganisationKind, OrganisationName, OrganisationPath};
use kompetens_domain::policy::Visibility;
use kompetens_domain::time_zone::TimeZone;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::{Updated, into_page, page_query, under_any};
use crate::Page;
use crate::entities::organisation::{ActiveModel, Column, Entity, Model};
use crate::error::{StoreError, corrupt};

#[derive(Debug, Clone)]
pub struct Organisation {
    pub id: OrganisationId,
    pub parent_id: Option<OrganisationId>,
    pub path: OrganisationPath,
    pub name: OrganisationName,
    pub kind: OrganisationKind,
    pub country: CountryCode,
    pub time_zone: TimeZone,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub struct NewOrganisation {
    pub path: OrganisationPath,
    pub name: OrganisationName,
    pub kind: OrganisationKind,
    pub country: CountryCode,
    pub time_zone: TimeZone,
}

/// Fields to change; `None` leaves a field as it is.
#[derive(Default)]
pub struct OrganisationChanges {
    pub name: Option<OrganisationName>,
    pub kind: Option<OrganisationKind>,
    pub country: Option<CountryCode>,
    pub time_zone: Option<TimeZone>,
}

impl TryFrom<Model> for Organisation {
    type Error = StoreError;

    fn try_from(m: Model) -> Result<Self, StoreError> {
        Ok(Organisation {
            id: m.id.into(),
            parent_id: m.parent_id.map(Into::into),
            path: OrganisationPath::decode(&m.path)
                .map_err(|e| corrupt("organisations.path", e))?,
            name: OrganisationName::from_stored(m.name),
            kind: OrganisationKind::parse(&m.kind).map_err(|e| corrupt("organisations.kind", e))?,
            country: CountryCode::parse(&m.country)
                .map_err(|e| corrupt("organisations.country", e))?,
            time_zone: TimeZone::parse(&m.time_zone)
                .map_err(|e| corrupt("organisations.time_zone", e))?,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    new: NewOrganisation,
    now: DateTime<Utc>,
) -> Result<Organisation, StoreError> {
    let ids = new.path.ids();
    let parent_id = ids.len().checked_sub(2).map(|i| ids[i].as_uuid());
    let model = ActiveModel {
        id: Set(new.path.id().as_uuid()),
        parent_id: Set(parent_id),
        path: Set(new.path.encode()),
        name: Set(new.name.as_str().to_string()),
        kind: Set(new.kind.as_str().to_string()),
        country: Set(new.country.as_str().to_string()),
        time_zone: Set(new.time_zone.name().to_string()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    model.try_into()
}

pub async fn find(
    conn: &impl ConnectionTrait,
    id: OrganisationId,
) -> Result<Option<Organisation>, StoreError> {
    Entity::find_by_id(id.as_uuid())
        .one(conn)
        .await?
        .map(Organisation::try_from)
        .transpose()
}

/// Organisations the visibility allows, optionally only the children of `parent`.
pub async fn list(
    conn: &impl ConnectionTrait,
    visibility: &Visibility,
    parent: Option<OrganisationId>,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<Organisation>, StoreError> {
    let mut query = Entity::find();
    if let Visibility::Some { subtrees, single } = visibility {
        let ids: Vec<Uuid> = single.iter().map(|id| id.as_uuid()).collect();
        query = query.filter(
            Condition::any()
                .add(under_any(Column::Path, subtrees))
                .add(Column::Id.is_in(ids)),
        );
    }
    if let Some(parent) = parent {
        query = query.filter(Column::ParentId.eq(parent.as_uuid()));
    }
    let rows = page_query(query, Column::Id, after, limit)
        .all(conn)
        .await?;
    let items = rows
        .into_iter()
        .map(Organisation::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(into_page(items, limit, |o| o.id.as_uuid()))
}

/// Applies `changes` if the stored version is `expected` (or unconditionally when `None`).
pub async fn update(
    conn: &impl ConnectionTrait,
    id: OrganisationId,
    expected: Option<i32>,
    changes: OrganisationChanges,
    now: DateTime<Utc>,
) -> Result<Updated<Organisation>, StoreError> {
    let mut update = Entity::update_many()
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id.as_uuid()));
    if let Some(name) = changes.name {
        update = update.col_expr(Column::Name, Expr::value(name.as_str()));
    }
    if let Some(kind) = changes.kind {
        update = update.col_expr(Column::Kind, Expr::value(kind.as_str()));
    }
    if let Some(country) = changes.country {
        update = update.col_expr(Column::Country, Expr::value(country.as_str()));
    }
    if let Some(zone) = changes.time_zone {
        update = update.col_expr(Column::TimeZone, Expr::value(zone.name()));
    }
    if let Some(expected) = expected {
        // Compare-and-set on the version: two concurrent PATCHes with the same If-Match
        // cannot both succeed, whatever the isolation level.
        update = update.filter(Column::Version.eq(expected));
    }
    let affected = update.exec(conn).await?.rows_affected;
    match find(conn, id).await? {
        None => Ok(Updated::NotFound),
        Some(_) if affected == 0 => Ok(Updated::Stale),
        Some(org) => Ok(Updated::Done(org)),
    }
}
