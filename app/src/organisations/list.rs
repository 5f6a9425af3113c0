//! List the organisations the caller can see: admins every one, organisers their subtrees,
//! trainers and participants the organisations they belong to.

use kompetens_domain::ids::OrganisationId;
use kompetens_persistence::repo::organisations as repo;

use super::Organisation;
use crate::{App, AppError, Caller, Page, PageRequest};

pub async fn list(
    app: &App,
    caller: &Caller,
    parent: Option<OrganisationId>,
    page: PageRequest,
) -> Result<Page<Organisation>, AppError> {
    let visibility = caller.actor.visibility();
    Ok(repo::list(app.db(), &visibility, parent, page.after, page.limit).await?)
}
