//! Revoke a role: organisers of the organisation.

use kompetens_domain::ids::{MembershipId, OrganisationId};
use kompetens_domain::policy::OrganisationAction;
use kompetens_persistence::repo::memberships;

use super::authorised;
use crate::{App, AppError, Caller};

pub async fn remove_member(
    app: &App,
    caller: &Caller,
    id: OrganisationId,
    membership: MembershipId,
) -> Result<(), AppError> {
    let tx = app.begin().await?;
    let organisation =
        authorised(&tx, &caller.actor, id, OrganisationAction::ManageMembers).await?;
    let membership = memberships::find_in(&tx, organisation.id, membership)
        .await?
        .ok_or(AppError::NotFound)?;
    memberships::revoke(&tx, membership.id).await?;
    tx.commit().await?;
    Ok(())
}
