//! Get a funder. Funders are public bodies: every signed-in caller sees every funder.

use kompetens_domain::funding::Funder;
use kompetens_domain::ids::FunderId;
use kompetens_domain::policy::{self, Audience};
use kompetens_persistence::repo::funders;

use crate::{App, AppError, Caller};

pub async fn get(app: &App, caller: &Caller, id: FunderId) -> Result<Funder, AppError> {
    let funder = funders::find(app.db(), id, false)
        .await?
        .ok_or(AppError::NotFound)?;
    AppError::check(policy::owned_record(
        Some(&caller.actor),
        &funder.organisation_path,
        Audience::SignedIn,
        false,
    ))?;
    Ok(funder)
}
