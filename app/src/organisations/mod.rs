//! Organisations: the tenant tree, its members and what other resources need of it.

use kompetens_domain::ids::OrganisationId;
use kompetens_domain::policy::{self, Actor, Decision, OrganisationAction};
use kompetens_persistence::ConnectionTrait;
use kompetens_persistence::repo::organisations::{self as repo, Organisation};

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
