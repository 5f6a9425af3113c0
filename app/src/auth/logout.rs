//! Sign out: revoke the current session, with every token issued in it.

use chrono::Utc;
use kompetens_persistence::repo::auth_sessions;

use crate::{App, AppError, Caller};

pub async fn logout(app: &App, caller: &Caller) -> Result<(), AppError> {
    let session = caller.require_session()?;
    let tx = app.begin().await?;
    auth_sessions::revoke_session(&tx, session, "logout", Utc::now()).await?;
    tx.commit().await?;
    Ok(())
}
