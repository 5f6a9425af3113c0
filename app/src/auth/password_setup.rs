//! An invited person sets their first password with the one-time code they were e-mailed;
//! using it proves the address too.

use chrono::Utc;
use kompetens_domain::password::NewPassword;
use kompetens_domain::text::Line;
use kompetens_persistence::repo::{accounts, password_setups};
use serde::Deserialize;
use utoipa::ToSchema;

use super::hash_password;
use super::tokens::digest;
use crate::{App, AppError};

/// The longest code accepted (codes are `kps_` and 43 characters).
pub const CODE_CHARS: usize = 100;

/// Sets the first password of an invited account with the one-time code it was e-mailed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "kps_3q2-7wEr0eXl1dYpZ0yF8mJtR6nB4cXaLsHgUoIeK9w", "password": "a long password of my own"}))]
pub struct PasswordSetupRequest {
    /// The code from the invitation e-mail.
    pub code: Line<{ CODE_CHARS }>,
    /// At least 12 characters.
    pub password: NewPassword,
}

pub async fn password_setup(app: &App, request: PasswordSetupRequest) -> Result<(), AppError> {
    let password_hash = hash_password(request.password.expose().to_string()).await?;
    let now = Utc::now();
    let tx = app.begin().await?;
    let account = password_setups::consume(&tx, &digest(request.code.as_str()), now)
        .await?
        .ok_or_else(|| AppError::invalid("/code", "is unknown, used or expired"))?;
    let is_admin = accounts::find(&tx, account)
        .await?
        .is_some_and(|a| a.is_admin);
    accounts::set_password_and_admin(&tx, account, &password_hash, is_admin, now).await?;
    // The code reached them at that address: it is theirs.
    accounts::mark_email_verified(&tx, account, now).await?;
    tx.commit().await?;
    tracing::info!(account_id = %account, "invited account set its password");
    Ok(())
}
