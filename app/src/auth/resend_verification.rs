//! Send the caller another code for their e-mail address: at most five verification e-mails
//! an hour per account (the sign-up's included), counted in the database so that every
//! instance enforces one limit.

use chrono::Utc;
use kompetens_domain::verification;
use kompetens_persistence::repo::{accounts, email_verifications};

use super::send_verification;
use crate::{App, AppError, Caller};

pub async fn resend_verification(app: &App, caller: &Caller) -> Result<(), AppError> {
    let now = Utc::now();
    let tx = app.begin().await?;
    // The account row is locked while the codes are counted and the new one written: two
    // concurrent resends cannot both see room for one more and exceed the limit.
    let account = accounts::lock(&tx, caller.account_id())
        .await?
        .ok_or(AppError::NotFound)?;
    if account.email_verified_at.is_some() {
        return Err(AppError::conflict(
            "email-already-verified",
            "your e-mail address is already verified",
        ));
    }
    let window = chrono::Duration::minutes(verification::SEND_WINDOW_MINUTES);
    let (sent, oldest) = email_verifications::sent_since(&tx, account.id, now - window).await?;
    if !verification::may_send(sent) {
        let retry_at = oldest.unwrap_or(now) + window;
        let retry_after = u64::try_from((retry_at - now).num_seconds())
            .unwrap_or(1)
            .max(1);
        tracing::info!(account_id = %account.id, "verification resend limit reached");
        return Err(AppError::RateLimited { retry_after });
    }
    send_verification(&tx, &account, now).await?;
    tx.commit().await?;
    tracing::info!(account_id = %account.id, "verification code sent again");
    Ok(())
}
