//! Get a plan: each need with how many staff have completed a programme that answers it.

use kompetens_domain::ids::OrganisationId;
use uuid::Uuid;

use super::{PlanView, plan_of, view};
use crate::{App, AppError, Caller};

pub async fn get(
    app: &App,
    caller: &Caller,
    organisation: OrganisationId,
    plan: Uuid,
) -> Result<PlanView, AppError> {
    let plan = plan_of(app.db(), &caller.actor, organisation, plan).await?;
    view(app.db(), plan).await
}
