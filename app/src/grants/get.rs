//! Get a grant: organisers of the recipient's subtree only.

use kompetens_domain::ids::GrantId;

use super::{GrantView, managed, view};
use crate::{App, AppError, Caller};

pub async fn get(app: &App, caller: &Caller, id: GrantId) -> Result<GrantView, AppError> {
    let grant = managed(app.db(), caller, id, false).await?;
    view(app.db(), grant).await
}
