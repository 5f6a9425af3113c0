//! Change a venue: organisers of the keeping organisation, with `If-Match`.

use chrono::Utc;
use kompetens_domain::country::CountryCode;
use kompetens_domain::ids::VenueId;
use kompetens_domain::policy::{self, Audience};
use kompetens_domain::programme::Capacity;
use kompetens_domain::text::{Line, Paragraphs};
use kompetens_domain::venue::{
    CITY_CHARS, ConcurrentSessions, Coordinates, NAME_CHARS, NOTES_CHARS, POSTAL_CODE_CHARS, Venue,
};
use kompetens_persistence::repo::venues;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::patch::{apply, nullable, set};
use crate::{App, AppError, Caller, check_version};

/// Fields to change; `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"capacity": 450}))]
pub struct VenueChanges {
    #[serde(default)]
    #[schema(nullable = false)]
    pub name: Option<Line<{ NAME_CHARS }>>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub address: Option<Line<{ NAME_CHARS }>>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub city: Option<Line<{ CITY_CHARS }>>,
    #[serde(default, deserialize_with = "nullable")]
    pub postal_code: Option<Option<Line<{ POSTAL_CODE_CHARS }>>>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub country: Option<CountryCode>,
    #[serde(default, deserialize_with = "nullable")]
    pub capacity: Option<Option<Capacity>>,
    #[serde(default, deserialize_with = "nullable")]
    pub accessibility: Option<Option<Paragraphs<{ NOTES_CHARS }>>>,
    #[serde(default, deserialize_with = "nullable")]
    pub coordinates: Option<Option<Coordinates>>,
    /// How many sessions may take place here at once. Lowering it leaves the sessions already
    /// scheduled as they are; new ones and moves are checked against it.
    #[serde(default)]
    #[schema(nullable = false)]
    pub concurrent_sessions: Option<ConcurrentSessions>,
}

pub async fn update(
    app: &App,
    caller: &Caller,
    id: VenueId,
    expected_version: Option<i32>,
    changes: VenueChanges,
) -> Result<Venue, AppError> {
    let tx = app.begin().await?;
    let mut venue = venues::find(&tx, id, true)
        .await?
        .ok_or(AppError::NotFound)?;
    AppError::check(policy::owned_record(
        Some(&caller.actor),
        &venue.organisation_path,
        Audience::Anyone,
        true,
    ))?;
    check_version(expected_version, venue.version)?;
    set(&mut venue.name, changes.name.map(Into::into));
    set(&mut venue.address, changes.address.map(Into::into));
    set(&mut venue.city, changes.city.map(Into::into));
    apply(
        &mut venue.postal_code,
        changes.postal_code.map(|v| v.map(Into::into)),
    );
    set(&mut venue.country, changes.country);
    apply(
        &mut venue.capacity,
        changes.capacity.map(|v| v.map(Capacity::get)),
    );
    apply(
        &mut venue.accessibility,
        changes.accessibility.map(|v| v.map(Into::into)),
    );
    apply(&mut venue.coordinates, changes.coordinates);
    set(&mut venue.concurrent_sessions, changes.concurrent_sessions);
    venue.version += 1;
    venue.updated_at = Utc::now();
    venues::save(&tx, &venue).await?;
    tx.commit().await?;
    Ok(venue)
}
