//! Get a programme (public once published).

use kompetens_domain::ids::ProgrammeId;
use kompetens_domain::policy::ProgrammeAction;

use super::{ProgrammeView, authorised, view};
use crate::{App, AppError, Caller};

pub async fn get(
    app: &App,
    caller: Option<&Caller>,
    id: ProgrammeId,
) -> Result<ProgrammeView, AppError> {
    let p = authorised(
        app.db(),
        caller.map(|c| &c.actor),
        id,
        ProgrammeAction::Read,
        false,
    )
    .await?;
    view(app.db(), p).await
}
