//! Get a venue. Public.

use kompetens_domain::ids::VenueId;
use kompetens_domain::policy::{self, Audience};
use kompetens_domain::venue::Venue;
use kompetens_persistence::repo::venues;

use crate::{App, AppError, Caller};

pub async fn get(app: &App, caller: Option<&Caller>, id: VenueId) -> Result<Venue, AppError> {
    let venue = venues::find(app.db(), id, false)
        .await?
        .ok_or(AppError::NotFound)?;
    AppError::check(policy::owned_record(
        caller.map(|c| &c.actor),
        &venue.organisation_path,
        Audience::Anyone,
        false,
    ))?;
    Ok(venue)
}
