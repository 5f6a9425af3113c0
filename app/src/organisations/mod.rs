//! Organisations: the tenant tree, its members and what other resources need of it.

mod add_member;
mod create;
mod get;
mod list;
mod list_members;
mod remove_member;
mod update;

use kompetens_domain::ids::OrganisationId;
use kompetens_domain::policy::{self, Actor, Decision, OrganisationAction};
use kompetens_persistence::ConnectionTrait;
use kompetens_persistence::repo::organisations as repo;

pub use add_member::{AddMemberRequest, add_member};
pub use create::{CreateOrganisationRequest, create};
pub use get::get;
pub use kompetens_persistence::repo::memberships::Member;
pub use kompetens_persistence::repo::organisations::Organisation;
pub use list::list;
pub use list_members::list_members;
pub use remove_member::remove_member;
pub use update::{UpdateOrganisationRequest, update};

use crate::AppError;

/// The organisation named at `pointer` in a body, which the caller must organise: 422 when the
/// caller cannot see it (as if it did not exist), 403 when they see it but do not organise it.
pub(crate) async fn organised_by(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: OrganisationId,
    pointer: &str,
) -> Result<Organisation, AppError> {
    let organisation = repo::find(conn, id).await?;
    let decision = organisation.as_ref().map_or(Decision::NotFound, |o| {
        policy::organisation(actor, &o.path, OrganisationAction::Update)
    });
    match (decision, organisation) {
        (Decision::Allow, Some(o)) => Ok(o),
        (Decision::Forbidden, _) => Err(AppError::Forbidden(
            "only organisers of this organisation may do this".into(),
        )),
        _ => Err(AppError::invalid(pointer, "no such organisation")),
    }
}

/// The organisation at `id` (the path's), if the caller may do `action` to it: 404 when they
/// cannot see it, 403 when they see it but may not.
pub(crate) async fn authorised(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: OrganisationId,
    action: OrganisationAction,
) -> Result<Organisation, AppError> {
    let organisation = repo::find(conn, id).await?.ok_or(AppError::NotFound)?;
    AppError::check(policy::organisation(actor, &organisation.path, action))?;
    Ok(organisation)
}
