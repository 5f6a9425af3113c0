//! Authentication: password hashing, tokens, and the use cases that start, renew and end
//! sessions (sign-up, password setup, sign-in, refresh, logout).

mod logout;
pub mod password;
mod password_setup;
mod refresh;
mod resend_verification;
mod sign_in;
mod signup;
pub mod tokens;
mod verify_email;

use chrono::{DateTime, Utc};
use kompetens_domain::ids::{AccountId, AuthSessionId};
use kompetens_domain::notification::{self, Details, NotificationKind};
use kompetens_domain::verification;
use kompetens_persistence::ConnectionTrait;
use kompetens_persistence::repo::{
    auth_sessions, email_verifications, notifications, sign_in_failures,
};

pub use kompetens_persistence::repo::accounts::Account;
pub use logout::logout;
pub use password_setup::{PasswordSetupRequest, password_setup};
pub use refresh::{RefreshRequest, refresh};
pub use resend_verification::resend_verification;
pub use sign_in::{TokenRequest, sign_in};
pub use signup::{SignedUp, SignupRequest, signup};
pub use verify_email::{VerifyEmailRequest, verify_email};

use crate::{App, AppError};
use tokens::{REFRESH_TOKEN_PREFIX, digest, new_opaque};

/// A fresh access token and the refresh token to renew it with.
#[derive(Debug, Clone)]
pub struct TokenPair {
    /// A JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Opaque; exchanged once at `/auth/refresh`.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// Starts a session and issues its first token pair.
pub(crate) async fn start_session(
    app: &App,
    conn: &impl ConnectionTrait,
    account: AccountId,
    now: DateTime<Utc>,
) -> Result<TokenPair, AppError> {
    let session = auth_sessions::create_session(conn, account, now).await?;
    issue_pair(app, conn, account, session, now).await
}

pub(crate) async fn issue_pair(
    app: &App,
    conn: &impl ConnectionTrait,
    account: AccountId,
    session: AuthSessionId,
    now: DateTime<Utc>,
) -> Result<TokenPair, AppError> {
    let refresh_token = new_opaque(REFRESH_TOKEN_PREFIX)?;
    let ttl =
        chrono::Duration::from_std(app.config().refresh_token_ttl).map_err(anyhow::Error::from)?;
    auth_sessions::insert_refresh_token(conn, session, &digest(&refresh_token), now, now + ttl)
        .await?;
    Ok(TokenPair {
        access_token: app
            .tokens()
            .issue(account.as_uuid(), session.as_uuid(), now)?,
        refresh_token,
        expires_in: app.tokens().ttl.as_secs(),
    })
}

/// Sends `account` a new one-time code for its e-mail address, in its language, through the
/// outbox of the transaction `conn` is in: stored as a digest only, and never logged.
pub(crate) async fn send_verification(
    conn: &impl ConnectionTrait,
    account: &Account,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let code = new_opaque(verification::CODE_PREFIX)?;
    email_verifications::create(
        conn,
        account.id,
        &digest(&code),
        now + chrono::Duration::hours(verification::CODE_VALID_HOURS),
        now,
    )
    .await?;
    let kind = NotificationKind::EmailVerification;
    let details = Details {
        code: Some(code),
        ..Details::default()
    };
    let (subject, body) = notification::render(kind, account.locale.as_str(), &details);
    notifications::enqueue(
        conn,
        account.id,
        account.email.as_str(),
        kind,
        &subject,
        &body,
        now,
    )
    .await?;
    Ok(())
}

/// The argon2id hash of a new password, computed on the blocking pool.
pub(crate) async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing task failed: {e}")))?
        .map_err(AppError::Internal)
}

/// Whether `password` matches `stored` (one argon2 verification, against a dummy hash when
/// there is none), on the blocking pool.
pub(crate) async fn verify_password(
    stored: Option<String>,
    password: String,
) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || password::verify(stored.as_deref(), &password))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("verification task failed: {e}")))
}

/// The scope failed sign-ins with this e-mail are counted under. Scopes are digests, so the
/// table never holds an e-mail or an address in clear.
pub(crate) fn email_scope(normalised_email: &str) -> String {
    digest(&format!("email:{normalised_email}"))
}

/// The scope failed sign-ins from this client address are counted under.
pub(crate) fn address_scope(address: &str) -> String {
    digest(&format!("address:{address}"))
}

/// How far back failed sign-ins count.
pub(crate) fn failure_window(app: &App) -> Result<chrono::Duration, AppError> {
    Ok(chrono::Duration::from_std(app.config().sign_in_window).map_err(anyhow::Error::from)?)
}

/// 429 with the seconds to wait when `scope` has `limit` failures or more in the window.
pub(crate) async fn check_failure_limit(
    app: &App,
    scope: &str,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let window = failure_window(app)?;
    let (count, oldest) = sign_in_failures::recent(app.db(), scope, now - window).await?;
    if count >= limit {
        let retry_at = oldest.unwrap_or(now) + window;
        let retry_after = u64::try_from((retry_at - now).num_seconds())
            .unwrap_or(1)
            .max(1);
        tracing::info!("sign-in rate limit reached");
        return Err(AppError::RateLimited { retry_after });
    }
    Ok(())
}

/// Counts a failed attempt under each scope (and forgets those past the window), in its own
/// transaction so that it stays counted whatever the request answers.
pub(crate) async fn record_failure(
    app: &App,
    scopes: &[&str],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let window = failure_window(app)?;
    let tx = app.begin().await?;
    for scope in scopes {
        sign_in_failures::record(&tx, scope, now).await?;
    }
    sign_in_failures::prune(&tx, now - window).await?;
    tx.commit().await?;
    Ok(())
}
