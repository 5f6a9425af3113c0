//! Create a venue, kept by an organisation the caller organises.

use chrono::Utc;
use kompetens_domain::country::CountryCode;
use kompetens_domain::ids::{OrganisationId, VenueId};
use kompetens_domain::programme::Capacity;
use kompetens_domain::text::{Line, Paragraphs};
use kompetens_domain::venue::{
    CITY_CHARS, ConcurrentSessions, Coordinates, NAME_CHARS, NOTES_CHARS, POSTAL_CODE_CHARS, Venue,
};
use kompetens_persistence::repo::venues;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::organisations::organised_by;
use crate::{App, AppError, Caller, Once, Outcome};

/// A new venue, kept by an organisation you organise.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61", "name": "Hotel Górski Potok", "address": "ul. Oswalda Balzera 21", "city": "Zakopane", "postal_code": "34-500", "country": "PL", "capacity": 60, "accessibility": "Lift to all floors", "coordinates": {"latitude": 49.2992, "longitude": 19.9496}, "concurrent_sessions": 3}))]
pub struct NewVenue {
    /// The organisation that keeps the venue; you must organise it.
    pub organisation_id: OrganisationId,
    pub name: Line<{ NAME_CHARS }>,
    pub address: Line<{ NAME_CHARS }>,
    pub city: Line<{ CITY_CHARS }>,
    #[serde(default)]
    pub postal_code: Option<Line<{ POSTAL_CODE_CHARS }>>,
    pub country: CountryCode,
    /// How many people the venue holds, if known.
    #[serde(default)]
    pub capacity: Option<Capacity>,
    /// Step-free access, induction loops, quiet rooms: what participants should know.
    #[serde(default)]
    pub accessibility: Option<Paragraphs<{ NOTES_CHARS }>>,
    #[serde(default)]
    pub coordinates: Option<Coordinates>,
    /// How many sessions may take place here at once (default 1): a session that would
    /// exceed it is refused with 409 `venue-double-booked`.
    #[serde(default)]
    #[schema(default = 1)]
    pub concurrent_sessions: ConcurrentSessions,
}

pub async fn create(
    app: &App,
    caller: &Caller,
    new: NewVenue,
    once: Once<'_, Venue>,
) -> Result<Outcome<Venue>, AppError> {
    let now = Utc::now();
    let tx = app.begin().await?;
    if let Some(first) = once.replay(&tx, caller.account_id(), now).await? {
        return Ok(Outcome::Replayed(first));
    }
    let owner = organised_by(&tx, &caller.actor, new.organisation_id, "/organisation_id").await?;
    let venue = Venue {
        id: VenueId::new(),
        organisation_id: owner.id,
        organisation_path: owner.path,
        name: new.name.into(),
        address: new.address.into(),
        city: new.city.into(),
        postal_code: new.postal_code.map(Into::into),
        country: new.country,
        capacity: new.capacity.map(Capacity::get),
        accessibility: new.accessibility.map(Into::into),
        coordinates: new.coordinates,
        concurrent_sessions: new.concurrent_sessions,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    venues::insert(&tx, &venue).await?;
    once.remember(&tx, caller.account_id(), &venue, now).await?;
    tx.commit().await?;
    tracing::info!(venue_id = %venue.id, "venue created");
    Ok(Outcome::Fresh(venue))
}
