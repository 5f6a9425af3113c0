//! Sign in with e-mail and password. Failed attempts are limited per e-mail and per client
//! address; a wrong e-mail and a wrong password give the same answer in the same time.

use chrono::Utc;
use kompetens_domain::email::{Email, MAX_EMAIL_CHARS};
use kompetens_domain::password::Password;
use kompetens_domain::text::Line;
use kompetens_persistence::repo::{accounts, sign_in_failures};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    TokenPair, address_scope, check_failure_limit, email_scope, record_failure, start_session,
    verify_password,
};
use crate::{App, AppError};

/// E-mail and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "anna.kowalska@example.pl", "password": "correct horse battery"}))]
pub struct TokenRequest {
    /// The e-mail you signed up with (any case).
    pub email: Line<{ MAX_EMAIL_CHARS }>,
    pub password: Password,
}

/// Signs in from `address` (the client address failed attempts are counted against).
pub async fn sign_in(
    app: &App,
    request: TokenRequest,
    address: &str,
) -> Result<TokenPair, AppError> {
    let config = app.config();
    let now = Utc::now();
    let email = request.email.as_str();
    let parsed = Email::parse(email).ok();
    let normalised = parsed
        .as_ref()
        .map_or_else(|| email.trim().to_lowercase(), |e| e.as_str().to_string());
    let email_scope = email_scope(&normalised);
    let address_scope = address_scope(address);
    check_failure_limit(
        app,
        &email_scope,
        config.sign_in_max_failures_per_account,
        now,
    )
    .await?;
    check_failure_limit(
        app,
        &address_scope,
        config.sign_in_max_failures_per_address,
        now,
    )
    .await?;
    let account = match &parsed {
        Some(email) => accounts::find_by_email(app.db(), email).await?,
        None => None,
    };
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    // Always one argon2 verification, against a dummy hash when there is no account.
    let ok = verify_password(stored, request.password.into_string()).await?;
    let Some(account) = account.filter(|_| ok) else {
        record_failure(app, &[&email_scope, &address_scope], now).await?;
        return Err(AppError::InvalidCredentials);
    };
    let tx = app.begin().await?;
    sign_in_failures::clear(&tx, &email_scope).await?;
    let tokens = start_session(app, &tx, account.id, now).await?;
    tx.commit().await?;
    tracing::info!(account_id = %account.id, "signed in");
    Ok(tokens)
}
