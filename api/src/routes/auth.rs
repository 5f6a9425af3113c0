//! Sign-up, sign-in, token refresh and logout.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Utc};
use kompetens_domain::account::PersonName;
use kompetens_domain::email::Email;
use kompetens_domain::ids::{AccountId, AuthSessionId};
use kompetens_domain::locale::Locale;
use kompetens_domain::password::NewPassword;
use kompetens_persistence::repo::accounts::{self, NewAccount};
use kompetens_persistence::repo::auth_sessions::{self, RefreshLookup};
use kompetens_persistence::repo::sign_in_failures;
use kompetens_persistence::{ConnectionTrait, StoreError, begin_write};
use serde::Serialize;
use utoipa::ToSchema;

use super::me::MeResponse;
use crate::auth::password;
use crate::auth::tokens::{REFRESH_TOKEN_PREFIX, digest, new_opaque};
use crate::error::{ApiError, Problem};
use crate::extract::{JsonBody, read};
use crate::state::AppState;

/// Self-sign-up of a participant.
#[derive(ToSchema)]
#[schema(example = json!({"email": "anna.kowalska@example.pl", "password": "correct horse battery", "name": "Anna Kowalska", "locale": "pl"}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct SignupRequest {
    /// Unique, case-insensitively.
    email: String,
    /// At least 12 characters.
    password: String,
    name: Option<String>,
    /// BCP 47 tag; defaults to `en`.
    locale: Option<String>,
}

/// E-mail and password.
#[derive(ToSchema)]
#[schema(example = json!({"email": "anna.kowalska@example.pl", "password": "correct horse battery"}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct TokenRequest {
    email: String,
    password: String,
}

/// A refresh token from an earlier token response.
#[derive(ToSchema)]
#[schema(example = json!({"refresh_token": "kpr_3q2-7wEvVxQk1dYpZ0yF8mJtR6nB4cXaLsHgUoIeK9w"}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct RefreshRequest {
    refresh_token: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl",
    "refresh_token": "kpr_3q2-7wEvVxQk1dYpZ0yF8mJtR6nB4cXaLsHgUoIeK9w",
    "expires_in": 900,
    "token_type": "Bearer"
}))]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Opaque; exchange it once at `/auth/refresh` for a new pair. Using it twice revokes the session.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Always `Bearer`.
    pub token_type: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct SignupResponse {
    pub account: MeResponse,
    pub tokens: TokenResponse,
}

/// Starts a session and issues its first token pair.
async fn start_session(
    state: &AppState,
    conn: &impl ConnectionTrait,
    account: AccountId,
    now: DateTime<Utc>,
) -> Result<TokenResponse, ApiError> {
    let session = auth_sessions::create_session(conn, account, now).await?;
    issue_pair(state, conn, account, session, now).await
}

async fn issue_pair(
    state: &AppState,
    conn: &impl ConnectionTrait,
    account: AccountId,
    session: AuthSessionId,
    now: DateTime<Utc>,
) -> Result<TokenResponse, ApiError> {
    let refresh_token = new_opaque(REFRESH_TOKEN_PREFIX)?;
    let ttl = chrono::Duration::from_std(state.settings.refresh_token_ttl)
        .map_err(anyhow::Error::from)?;
    auth_sessions::insert_refresh_token(conn, session, &digest(&refresh_token), now, now + ttl)
        .await?;
    Ok(TokenResponse {
        access_token: state.jwt.issue(account.as_uuid(), session.as_uuid(), now)?,
        refresh_token,
        expires_in: state.jwt.ttl.as_secs(),
        token_type: "Bearer",
    })
}

async fn hash_password(password: NewPassword) -> Result<String, ApiError> {
    web::block(move || password::hash(password.expose()))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing task failed: {e}")))?
        .map_err(ApiError::Internal)
}

/// Sign up as a participant.
///
/// Creates an account with no roles yet (an organiser grants roles) and signs it in.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = SignupRequest,
    responses(
        (status = 201, description = "Account created and signed in", body = SignupResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail is taken (`/problems/email-taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/auth/signup")]
pub async fn signup(state: web::Data<AppState>, body: JsonBody) -> Result<HttpResponse, ApiError> {
    let mut f = body.fields()?;
    let email = f.required("email", read::parsed(Email::parse));
    let password = f.required("password", read::parsed(NewPassword::parse));
    let name = f.optional("name", read::parsed(PersonName::parse));
    let locale = f.optional("locale", read::parsed(Locale::parse));
    f.finish()?;
    let (Some(email), Some(password)) = (email, password) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    let password_hash = hash_password(password).await?;
    let now = Utc::now();
    let tx = begin_write(&state.db).await?;
    let new = NewAccount {
        email,
        password_hash: Some(password_hash),
        name,
        locale: locale.unwrap_or_default(),
        workplace_organisation_id: None,
        job_role: None,
        is_admin: false,
    };
    let account = match accounts::insert(&tx, new, now).await {
        Ok(account) => account,
        Err(StoreError::Duplicate(_)) => {
            return Err(ApiError::conflict(
                "email-taken",
                "an account with this e-mail already exists; sign in instead",
            ));
        }
        Err(other) => return Err(other.into()),
    };
    let tokens = start_session(&state, &tx, account.id, now).await?;
    tx.commit().await?;
    tracing::info!(account_id = %account.id, "participant signed up");
    Ok(HttpResponse::Created()
        .insert_header(super::location("/me".into()))
        .json(SignupResponse {
            account: MeResponse::new(&account, &[]),
            tokens,
        }))
}

/// Sets the first password of an invited account with the one-time code it was e-mailed.
#[derive(ToSchema)]
#[schema(example = json!({"code": "kps_3q2-7wEr0eXl1…", "password": "a long password of my own"}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct PasswordSetupRequest {
    code: String,
    password: String,
}

/// Set your password with the code from your invitation e-mail.
///
/// People an organiser registers by e-mail get an account without a password and a one-time
/// code (valid 14 days). The code works once; afterwards sign in with `POST /auth/token`.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = PasswordSetupRequest,
    responses(
        (status = 204, description = "The password is set"),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A password that is too short, or a code that is unknown, used or expired", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/auth/password-setup")]
pub async fn password_setup(
    state: web::Data<AppState>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let mut f = body.fields()?;
    let code = f.required("code", read::string);
    let password = f.required("password", read::parsed(NewPassword::parse));
    f.finish()?;
    let (Some(code), Some(password)) = (code, password) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    let password_hash = hash_password(password).await?;
    let now = Utc::now();
    let tx = begin_write(&state.db).await?;
    let account = kompetens_persistence::repo::password_setups::consume(
        &tx,
        &crate::auth::tokens::digest(&code),
        now,
    )
    .await?
    .ok_or_else(|| ApiError::invalid("/code", "is unknown, used or expired"))?;
    let is_admin = accounts::find(&tx, account)
        .await?
        .is_some_and(|a| a.is_admin);
    accounts::set_password_and_admin(&tx, account, &password_hash, is_admin, now).await?;
    tx.commit().await?;
    tracing::info!(account_id = %account, "invited account set its password");
    Ok(HttpResponse::NoContent().finish())
}

/// The client address a failed sign-in is counted against.
fn client_address(req: &HttpRequest, state: &AppState) -> String {
    if state.settings.trust_forwarded_for
        && let Some(addr) = req.connection_info().realip_remote_addr()
    {
        return addr.to_string();
    }
    req.peer_addr()
        .map_or_else(|| "unknown".to_string(), |a| a.ip().to_string())
}

/// Sign in with e-mail and password.
///
/// Failed attempts are limited per e-mail and per client address; past the limit the answer is
/// 429 with `Retry-After`, whether or not the password is right. A wrong e-mail and a wrong
/// password give the same answer in the same time.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong e-mail or password (`/problems/invalid-credentials`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see `Retry-After`", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait")))
    )
)]
#[post("/auth/token")]
pub async fn token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let mut f = body.fields()?;
    let email = f.required("email", read::string);
    let password = f.required("password", read::string);
    f.finish()?;
    let (Some(email), Some(password)) = (email, password) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    let settings = &state.settings;
    let now = Utc::now();
    let window =
        chrono::Duration::from_std(settings.sign_in_window).map_err(anyhow::Error::from)?;
    // Scopes are digests, so the table never holds an e-mail or an address in clear.
    let normalised = Email::parse(&email)
        .map_or_else(|_| email.trim().to_lowercase(), |e| e.as_str().to_string());
    let email_scope = digest(&format!("email:{normalised}"));
    let address_scope = digest(&format!("address:{}", client_address(&req, &state)));
    for (scope, limit) in [
        (&email_scope, settings.sign_in_max_failures_per_account),
        (&address_scope, settings.sign_in_max_failures_per_address),
    ] {
        let (count, oldest) = sign_in_failures::recent(&state.db, scope, now - window).await?;
        if count >= limit {
            let retry_at = oldest.unwrap_or(now) + window;
            let retry_after = u64::try_from((retry_at - now).num_seconds())
                .unwrap_or(1)
                .max(1);
            tracing::info!("sign-in rate limit reached");
            return Err(ApiError::RateLimited { retry_after });
        }
    }
    let account = match Email::parse(&email) {
        Ok(email) => accounts::find_by_email(&state.db, &email).await?,
        Err(_) => None,
    };
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    // Always one argon2 verification, against a dummy hash when there is no account.
    let ok = web::block(move || password::verify(stored.as_deref(), &password))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("verification task failed: {e}")))?;
    let tx = begin_write(&state.db).await?;
    let Some(account) = account.filter(|_| ok) else {
        sign_in_failures::record(&tx, &email_scope, now).await?;
        sign_in_failures::record(&tx, &address_scope, now).await?;
        sign_in_failures::prune(&tx, now - window).await?;
        tx.commit().await?;
        return Err(ApiError::InvalidCredentials);
    };
    sign_in_failures::clear(&tx, &email_scope).await?;
    let tokens = start_session(&state, &tx, account.id, now).await?;
    tx.commit().await?;
    tracing::info!(account_id = %account.id, "signed in");
    Ok(HttpResponse::Ok().json(tokens))
}

/// Exchange a refresh token for a new token pair.
///
/// Each refresh token works once. Presenting one that was already used revokes its whole
/// session (every token descended from the same sign-in): a used token in someone's hands
/// means it was stolen.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair; the old refresh token is now used", body = TokenResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(state: web::Data<AppState>, body: JsonBody) -> Result<HttpResponse, ApiError> {
    let mut f = body.fields()?;
    let presented = f.required("refresh_token", read::string);
    f.finish()?;
    let Some(presented) = presented else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    let now = Utc::now();
    let rejected = || {
        ApiError::Unauthenticated(
            "the refresh token is invalid, expired or revoked; sign in again".into(),
        )
    };
    let tx = begin_write(&state.db).await?;
    match auth_sessions::lookup_refresh_token(&tx, &digest(&presented), now).await? {
        RefreshLookup::Invalid => Err(rejected()),
        RefreshLookup::Reused { session_id } => {
            auth_sessions::revoke_session(&tx, session_id, "refresh_token_reused", now).await?;
            tx.commit().await?;
            tracing::warn!(session_id = %session_id, "a rotated refresh token was reused; session revoked");
            Err(rejected())
        }
        RefreshLookup::Usable {
            token_id,
            session_id,
            account_id,
        } => {
            if !auth_sessions::mark_used(&tx, token_id, now).await? {
                // A concurrent refresh used it first: treat as reuse.
                auth_sessions::revoke_session(&tx, session_id, "refresh_token_reused", now).await?;
                tx.commit().await?;
                return Err(rejected());
            }
            let tokens = issue_pair(&state, &tx, account_id, session_id, now).await?;
            tx.commit().await?;
            Ok(HttpResponse::Ok().json(tokens))
        }
    }
}

/// Sign out: revoke the current session.
///
/// Every refresh token of the session stops working, and so do access tokens issued in it.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Called with an API token, which has no session", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    caller: crate::auth::Authenticated,
) -> Result<HttpResponse, ApiError> {
    let session = caller.require_session()?;
    let tx = begin_write(&state.db).await?;
    auth_sessions::revoke_session(&tx, session, "logout", Utc::now()).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
