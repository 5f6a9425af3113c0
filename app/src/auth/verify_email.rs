//! Confirm an e-mail address with the code sent to it. No bearer token: the code says whose
//! address it is.

use chrono::Utc;
use kompetens_domain::text::Line;
use kompetens_persistence::repo::{accounts, email_verifications};
use serde::Deserialize;
use utoipa::ToSchema;

use super::password_setup::CODE_CHARS;
use super::tokens::digest;
use crate::{App, AppError};

/// The code from the verification e-mail.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "kpv_3q2-7wEr0eXl1dYpZ0yF8mJtR6nB4cXaLsHgUoIeK9w"}))]
pub struct VerifyEmailRequest {
    /// The one-time code (`kpv_…`) e-mailed at sign-up or by a resend; valid 48 hours, once.
    pub code: Line<{ CODE_CHARS }>,
}

pub async fn verify_email(app: &App, request: VerifyEmailRequest) -> Result<(), AppError> {
    let now = Utc::now();
    let tx = app.begin().await?;
    let account = email_verifications::consume(&tx, &digest(request.code.as_str()), now)
        .await?
        .ok_or_else(|| AppError::invalid("/code", "is unknown, used or expired"))?;
    accounts::mark_email_verified(&tx, account, now).await?;
    // The address is proven: the other codes sent to it are no longer needed.
    email_verifications::retire_all(&tx, account, now).await?;
    tx.commit().await?;
    tracing::info!(account_id = %account, "e-mail address verified");
    Ok(())
}
