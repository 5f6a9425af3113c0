//! `Caller`: the authenticated account behind a request, with what the policy needs.
//!
//! A bearer token is a JWT access token (checked against its live session, so logout takes
//! effect at once) or an API token (`kpt_…`, bound to one organisation and role, and never more
//! than its owner still holds).

use chrono::Utc;
use kompetens_domain::ids::{AccountId, ApiTokenId, AuthSessionId};
use kompetens_domain::policy::{self, Actor, Grant};
use kompetens_persistence::repo::accounts::{self, Account};
use kompetens_persistence::repo::{api_tokens, memberships, organisations};

use crate::auth::tokens::{API_TOKEN_PREFIX, digest};
use crate::{App, AppError};

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
    pub fn require_session(&self) -> Result<AuthSessionId, AppError> {
        match self.credential {
            Credential::Session(id) => Ok(id),
            Credential::ApiToken(_) => Err(AppError::Forbidden(
                "API tokens cannot manage API tokens; sign in as a person".into(),
            )),
        }
    }
}

fn invalid_token() -> AppError {
    AppError::Unauthenticated("the token is invalid, expired or revoked".into())
}

impl App {
    /// The caller behind a bearer token: a JWT access token or an API token.
    pub async fn authenticate(&self, token: &str) -> Result<Caller, AppError> {
        if token.starts_with(API_TOKEN_PREFIX) {
            self.caller_of_api_token(token).await
        } else {
            self.caller_of_access_token(token).await
        }
    }

    async fn caller_of_access_token(&self, token: &str) -> Result<Caller, AppError> {
        let claims = self.tokens().verify(token).ok_or_else(invalid_token)?;
        let session = AuthSessionId::from_uuid(claims.sid);
        // The session must still be live (logout takes effect at once) and be the token's
        // subject's.
        let account = accounts::find_by_live_session(self.db(), session)
            .await?
            .filter(|a| a.id == AccountId::from_uuid(claims.sub))
            .ok_or_else(invalid_token)?;
        let grants = memberships::grants_for_account(self.db(), account.id).await?;
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

    async fn caller_of_api_token(&self, token: &str) -> Result<Caller, AppError> {
        let now = Utc::now();
        let api_token = api_tokens::find_live_by_hash(self.db(), &digest(token), now)
            .await?
            .ok_or_else(invalid_token)?;
        let account = accounts::find(self.db(), api_token.account_id)
            .await?
            .ok_or_else(invalid_token)?;
        let organisation = organisations::find(self.db(), api_token.organisation_id)
            .await?
            .ok_or_else(invalid_token)?;
        // The owner's rights are read afresh: a token stops working when its owner loses the
        // role.
        let owner = Actor {
            account_id: account.id,
            is_admin: account.is_admin,
            grants: memberships::grants_for_account(self.db(), account.id).await?,
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
}
