//! Venues: where sessions take place.

use kompetens_domain::country::CountryCode;
use kompetens_domain::ids::{OrganisationId, VenueId};
use kompetens_domain::organisation::OrganisationPath;
use kompetens_domain::venue::{ConcurrentSessions, Coordinates};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use super::{into_page, page_query, under_any};
use crate::Page;
use crate::entities::venue::{ActiveModel, Column, Entity, Model};
use crate::error::{StoreError, corrupt};

pub use kompetens_domain::venue::Venue;

impl TryFrom<Model> for Venue {
    type Error = StoreError;

    fn try_from(m: Model) -> Result<Self, StoreError> {
        let coordinates = match (m.latitude, m.longitude) {
            (Some(lat), Some(lon)) => {
                Some(Coordinates::new(lat, lon).map_err(|e| corrupt("venues.latitude", e))?)
            }
            _ => None,
        };
        Ok(Venue {
            id: m.id.into(),
            organisation_id: m.organisation_id.into(),
            organisation_path: OrganisationPath::decode(&m.organisation_path)
                .map_err(|e| corrupt("venues.organisation_path", e))?,
            name: m.name,
            address: m.address,
            city: m.city,
            postal_code: m.postal_code,
            country: CountryCode::parse(&m.country).map_err(|e| corrupt("venues.country", e))?,
            capacity: m
                .capacity
                .map(u32::try_from)
                .transpose()
                .map_err(|e| corrupt("venues.capacity", e))?,
            accessibility: m.accessibility,
            coordinates,
            concurrent_sessions: ConcurrentSessions::new(i64::from(m.concurrent_sessions))
                .map_err(|e| corrupt("venues.concurrent_sessions", e))?,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn active(v: &Venue) -> ActiveModel {
    ActiveModel {
        id: Set(v.id.as_uuid()),
        organisation_id: Set(v.organisation_id.as_uuid()),
        organisation_path: Set(v.organisation_path.encode()),
        name: Set(v.name.clone()),
        address: Set(v.address.clone()),
        city: Set(v.city.clone()),
        postal_code: Set(v.postal_code.clone()),
        country: Set(v.country.as_str().to_string()),
        capacity: Set(v.capacity.and_then(|c| i32::try_from(c).ok())),
        accessibility: Set(v.accessibility.clone()),
        latitude: Set(v.coordinates.map(|c| c.latitude)),
        longitude: Set(v.coordinates.map(|c| c.longitude)),
        concurrent_sessions: Set(i32::try_from(v.concurrent_sessions.get()).unwrap_or(i32::MAX)),
        version: Set(v.version),
        created_at: Set(v.created_at),
        updated_at: Set(v.updated_at),
    }
}

pub async fn insert(conn: &impl ConnectionTrait, venue: &Venue) -> Result<(), StoreError> {
    active(venue).insert(conn).await?;
    Ok(())
}

pub async fn save(conn: &impl ConnectionTrait, venue: &Venue) -> Result<(), StoreError> {
    active(venue).update(conn).await?;
    Ok(())
}

/// Reads a venue; with `lock`, holds its row until the transaction ends.
pub async fn find(
    conn: &impl ConnectionTrait,
    id: VenueId,
    lock: bool,
) -> Result<Option<Venue>, StoreError> {
    let mut query = Entity::find_by_id(id.as_uuid());
    if lock {
        query = query.lock_exclusive();
    }
    query.one(conn).await?.map(Venue::try_from).transpose()
}

pub async fn find_many(
    conn: &impl ConnectionTrait,
    ids: &[VenueId],
) -> Result<Vec<Venue>, StoreError> {
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().map(|id| id.as_uuid())))
        .all(conn)
        .await?
        .into_iter()
        .map(Venue::try_from)
        .collect()
}

#[derive(Debug, Default)]
pub struct VenueFilter {
    /// Venues kept by this organisation or any below it.
    pub organisation_within: Option<OrganisationId>,
    pub country: Option<CountryCode>,
    /// Lower-cased text the city must contain.
    pub city_contains: Option<String>,
}

/// Venues are public places: every caller sees every venue.
pub async fn list(
    conn: &impl ConnectionTrait,
    filter: &VenueFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<Venue>, StoreError> {
    let mut query = Entity::find();
    if let Some(root) = filter.organisation_within {
        query = query.filter(under_any(Column::OrganisationPath, &[root]));
    }
    if let Some(country) = &filter.country {
        query = query.filter(Column::Country.eq(country.as_str()));
    }
    if let Some(text) = &filter.city_contains {
        query = query.filter(super::lower_contains(Column::City, text));
    }
    let rows = page_query(query, Column::Id, after, limit)
        .all(conn)
        .await?;
    let items = rows
        .into_iter()
        .map(Venue::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(into_page(items, limit, |v| v.id.as_uuid()))
}
