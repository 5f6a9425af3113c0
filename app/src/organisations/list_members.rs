//! List the members of an organisation: its organisers only.

use kompetens_domain::ids::OrganisationId;
use kompetens_domain::policy::OrganisationAction;
use kompetens_persistence::repo::memberships;

use super::{Member, authorised};
use crate::{App, AppError, Caller, Page, PageRequest};

pub async fn list_members(
    app: &App,
    caller: &Caller,
    id: OrganisationId,
    page: PageRequest,
) -> Result<Page<Member>, AppError> {
    let organisation =
        authorised(app.db(), &caller.actor, id, OrganisationAction::ListMembers).await?;
    Ok(
        memberships::list_for_organisation(app.db(), organisation.id, page.after, page.limit)
            .await?,
    )
}
