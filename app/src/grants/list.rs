//! List the grants the caller manages: those received by organisations they organise.

use kompetens_persistence::repo::grants;

pub use kompetens_persistence::repo::grants::GrantFilter;

use super::{GrantView, view};
use crate::{App, AppError, Caller, Page, PageRequest};

pub async fn list(
    app: &App,
    caller: &Caller,
    filter: &GrantFilter,
    page: PageRequest,
) -> Result<Page<GrantView>, AppError> {
    let visibility = caller.actor.visibility();
    let page = grants::list(app.db(), &visibility, filter, page.after, page.limit).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for grant in page.items {
        items.push(view(app.db(), grant).await?);
    }
    Ok(Page {
        items,
        next_after: page.next_after,
    })
}
