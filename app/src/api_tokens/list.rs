//! List the caller's live API tokens (never their secrets).

use kompetens_persistence::repo::api_tokens::{self, ApiToken};

use crate::{App, AppError, Caller, Page, PageRequest};

pub async fn list(
    app: &App,
    caller: &Caller,
    page: PageRequest,
) -> Result<Page<ApiToken>, AppError> {
    Ok(api_tokens::list_for_account(app.db(), caller.account_id(), page.after, page.limit).await?)
}
