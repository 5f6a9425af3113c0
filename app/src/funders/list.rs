//! List funders. Funders are public bodies: every signed-in caller sees every funder.

use kompetens_domain::funding::Funder;
use kompetens_persistence::repo::funders;

pub use kompetens_persistence::repo::funders::FunderFilter;

use crate::{App, AppError, Page, PageRequest};

pub async fn list(
    app: &App,
    filter: &FunderFilter,
    page: PageRequest,
) -> Result<Page<Funder>, AppError> {
    Ok(funders::list(app.db(), filter, page.after, page.limit).await?)
}
