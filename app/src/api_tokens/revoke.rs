//! Revoke one of the caller's API tokens: it stops authenticating at once.

use chrono::Utc;
use kompetens_domain::ids::ApiTokenId;
use kompetens_persistence::repo::api_tokens;

use crate::{App, AppError, Caller};

pub async fn revoke(app: &App, caller: &Caller, id: ApiTokenId) -> Result<(), AppError> {
    caller.require_session()?;
    let tx = app.begin().await?;
    let revoked = api_tokens::revoke(&tx, caller.account_id(), id, Utc::now()).await?;
    tx.commit().await?;
    if revoked {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}
