//! List venues. Public: venues are where published sessions take place.

use kompetens_domain::venue::Venue;
use kompetens_persistence::repo::venues;

pub use kompetens_persistence::repo::venues::VenueFilter;

use crate::{App, AppError, Page, PageRequest};

pub async fn list(
    app: &App,
    filter: &VenueFilter,
    page: PageRequest,
) -> Result<Page<Venue>, AppError> {
    Ok(venues::list(app.db(), filter, page.after, page.limit).await?)
}
