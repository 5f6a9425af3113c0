//! Get a registration: your own, or one of a programme you organise.

use kompetens_domain::ids::RegistrationId;

use super::{RegistrationView, view, visible};
use crate::{App, AppError, Caller};

pub async fn get(
    app: &App,
    caller: &Caller,
    id: RegistrationId,
) -> Result<RegistrationView, AppError> {
    let (r, _, _) = visible(app.db(), caller, id, false).await?;
    view(app.db(), r).await
}
