//! Sign-up, sign-in, token refresh and logout.

use actix_web::{HttpRequest, HttpResponse, post, web};
use kompetens_app::auth::{
    self, PasswordSetupRequest, RefreshRequest, SignupRequest, TokenPair, TokenRequest,
    VerifyEmailRequest,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::body::Json;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use crate::views::account::MeResponse;

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

impl From<TokenPair> for TokenResponse {
    fn from(t: TokenPair) -> Self {
        TokenResponse {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            expires_in: t.expires_in,
            token_type: "Bearer",
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SignupResponse {
    pub account: MeResponse,
    pub tokens: TokenResponse,
}

/// Sign up as a participant.
///
/// Creates an account with no roles yet (an organiser grants roles) and signs it in, and
/// e-mails a one-time code (valid 48 hours, in the account's language) that proves the
/// address: send it to `POST /auth/verify-email`. Until then `email_verified` is false and no
/// staff roster vouches for the person (`employment` stays empty).
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = SignupRequest,
    responses(
        (status = 201, description = "Account created and signed in", body = SignupResponse, headers(("Location" = String))),
        (status = 409, description = "The e-mail is taken (`/problems/email-taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/auth/signup")]
pub async fn signup(
    state: web::Data<AppState>,
    body: Json<SignupRequest>,
) -> Result<HttpResponse, ApiError> {
    let signed_up = auth::signup(&state.app, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(super::location("/me".into()))
        .json(SignupResponse {
            account: MeResponse::new(&signed_up.account, &[], &[]),
            tokens: signed_up.tokens.into(),
        }))
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
        (status = 422, description = "A password that is too short, or a code that is unknown, used or expired", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/auth/password-setup")]
pub async fn password_setup(
    state: web::Data<AppState>,
    body: Json<PasswordSetupRequest>,
) -> Result<HttpResponse, ApiError> {
    auth::password_setup(&state.app, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Confirm your e-mail address with the code e-mailed to it.
///
/// No bearer token is needed: the code says whose address it is. A code works once, for 48
/// hours; once the address is confirmed every other code sent to it stops working too. From
/// then on the staff rosters that list the address give you your verified employment
/// (`GET /me`, `employment`).
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = VerifyEmailRequest,
    responses(
        (status = 204, description = "The address is verified"),
        (status = 422, description = "A code that is unknown, used or expired (at `/code`)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "The request is not valid", "status": 422, "detail": "1 field is invalid", "errors": [{"pointer": "/code", "detail": "is unknown, used or expired"}]}))
    )
)]
#[post("/auth/verify-email")]
pub async fn verify_email(
    state: web::Data<AppState>,
    body: Json<VerifyEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    auth::verify_email(&state.app, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Send another code to your e-mail address.
///
/// The new code is e-mailed in your language; earlier codes keep working until they expire.
/// At most 5 verification e-mails go to an account per hour (the sign-up's included): past
/// that, 429 with `Retry-After`.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 202, description = "A new code is on its way"),
        (status = 409, description = "Your address is already verified (`/problems/email-already-verified`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Five codes were sent in the last hour; see `Retry-After`", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait")))
    )
)]
#[post("/auth/verify-email/resend")]
pub async fn resend_verification(
    state: web::Data<AppState>,
    caller: crate::auth::Authenticated,
) -> Result<HttpResponse, ApiError> {
    auth::resend_verification(&state.app, &caller).await?;
    Ok(HttpResponse::Accepted().finish())
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
        (status = 401, description = "Wrong e-mail or password (`/problems/invalid-credentials`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see `Retry-After`", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait")))
    )
)]
#[post("/auth/token")]
pub async fn token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req, &state);
    let tokens = auth::sign_in(&state.app, body.into_inner(), &address).await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(tokens)))
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
        (status = 401, description = "Unknown, expired, revoked or reused refresh token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let tokens = auth::refresh(&state.app, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(tokens)))
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
    auth::logout(&state.app, &caller).await?;
    Ok(HttpResponse::NoContent().finish())
}
