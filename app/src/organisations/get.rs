//! Get an organisation the caller can see.

use kompetens_domain::ids::OrganisationId;
use kompetens_domain::policy::OrganisationAction;

use super::{Organisation, authorised};
use crate::{App, AppError, Caller};

pub async fn get(app: &App, caller: &Caller, id: OrganisationId) -> Result<Organisation, AppError> {
    authorised(app.db(), &caller.actor, id, OrganisationAction::Read).await
}
