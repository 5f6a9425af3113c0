//! `Caller`: the authenticated account behind a request, with what the policy needs.
//!
//! Accepts `Authorization: Bearer <token>` where the token is a JWT access token (checked
//! against its live session, so logout takes effect at once) or an API token (`kpt_…`, bound
//! to one organisation and role, and never more than its owner still holds).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::Utc;
use kompetens_domain::ids::{AccountId, ApiTokenId, AuthSessionId};
use kompetens_domain::policy::{self, Actor, Grant};
use kompetens_persistence::repo::accounts::{self, Account};
use kompetens_persistence::repo::{api_tokens, memberships, organisations};

use super::tokens::{API_TOKEN_PREFIX, digest};
use crate::error::ApiError;
use crate::state::AppState;

/// How the caller authenticated.
#[derive(Debug, Clone, Copy)]
pub enum Credential {
    Session(AuthSessionId),
    ApiToken(ApiTokenId),
}

pub struct Caller {
    pub account: Account,
    pub actor: Actor,
    pub credential: Credential,
}

impl Caller {
    pub fn account_id(&self) -> AccountId {
        self.account.id
    }

    /// Managing credentials (API tokens) needs a signed-in person, not a script.
    pub fn require_session(&self) -> Result<AuthSessionId, ApiError> {
        match self.credential {
            Credential::Session(id) => Ok(id),
            Credential::ApiToken(_) => Err(ApiError::Forbidden(
                "API tokens cannot manage API tokens; sign in as a person".into(),
            )),
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().map(str::to_string));
        Box::pin(async move {
            let state = state
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
            let token = match header {
                None => {
                    return Err(ApiError::Unauthenticated(
                        "send Authorization: Bearer <token>".into(),
                    ));
                }
                Some(Err(_)) => {
                    return Err(ApiError::Unauthenticated(
                        "the Authorization header is not readable".into(),
                    ));
                }
                Some(Ok(value)) => match value.split_once(' ') {
                    Some((scheme, token))
                        if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
                    {
                        token.trim().to_string()
                    }
                    _ => {
                        return Err(ApiError::Unauthenticated(
                            "the Authorization header must be Bearer <token>".into(),
                        ));
                    }
                },
            };
            if token.starts_with(API_TOKEN_PREFIX) {
                from_api_token(&state, &token).await
            } else {
                from_access_token(&state, &token).await
            }
        })
    }
}

/// The caller when a request may also come anonymously: `None` without an `Authorization`
/// header; a header that does not authenticate is still 401 (never silently anonymous).
pub struct MaybeCaller(pub Option<Caller>);

impl MaybeCaller {
    pub fn actor(&self) -> Option<&Actor> {
        self.0.as_ref().map(|c| &c.actor)
    }
}

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if req.headers().contains_key(header::AUTHORIZATION) {
            let caller = Caller::from_request(req, payload);
            Box::pin(async move { caller.await.map(|c| MaybeCaller(Some(c))) })
        } else {
            Box::pin(async { Ok(MaybeCaller(None)) })
        }
    }
}

fn invalid_token() -> ApiError {
    ApiError::Unauthenticated("the token is invalid, expired or revoked".into())
}

async fn from_access_token(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let claims = state.jwt.verify(token).ok_or_else(invalid_token)?;
    let session = AuthSessionId::from_uuid(claims.sid);
    // The session must still be live (logout takes effect at once) and be the token's subject's.
    let account = accounts::find_by_live_session(&state.db, session)
        .await?
        .filter(|a| a.id == AccountId::from_uuid(claims.sub))
        .ok_or_else(invalid_token)?;
    let grants = memberships::grants_for_account(&state.db, account.id).await?;
    let actor = Actor {
        account_id: account.id,
        is_admin: account.is_admin,
        grants,
    };
    Ok(Caller {
        account,
        actor,
        credential: Credential::Session(session),
    })
}

async fn from_api_token(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let now = Utc::now();
    let api_token = api_tokens::find_live_by_hash(&state.db, &digest(token), now)
        .await?
        .ok_or_else(invalid_token)?;
    let account = accounts::find(&state.db, api_token.account_id)
        .await?
        .ok_or_else(invalid_token)?;
    let organisation = organisations::find(&state.db, api_token.organisation_id)
        .await?
        .ok_or_else(invalid_token)?;
    // The owner's rights are read afresh: a token stops working when its owner loses the role.
    let owner = Actor {
        account_id: account.id,
        is_admin: account.is_admin,
        grants: memberships::grants_for_account(&state.db, account.id).await?,
    };
    if !policy::api_token(&owner, &organisation.path, api_token.role).is_allowed() {
        return Err(invalid_token());
    }
    let actor = Actor {
        account_id: account.id,
        is_admin: false,
        grants: vec![Grant {
            organisation: organisation.path,
            role: api_token.role,
        }],
    };
    Ok(Caller {
        account,
        actor,
        credential: Credential::ApiToken(api_token.id),
    })
}
