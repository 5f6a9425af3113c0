//! Exchange a refresh token for a new pair. Each works once; presenting a used one revokes its
//! whole session (a used token in someone's hands means it was stolen).

use chrono::Utc;
use kompetens_domain::text::Line;
use kompetens_persistence::repo::auth_sessions::{self, RefreshLookup};
use serde::Deserialize;
use utoipa::ToSchema;

use super::tokens::digest;
use super::{TokenPair, issue_pair};
use crate::{App, AppError};

/// The longest refresh token accepted (they are `kpr_` and 43 characters).
pub const REFRESH_TOKEN_CHARS: usize = 100;

/// A refresh token from an earlier token response.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "kpr_3q2-7wEvVxQk1dYpZ0yF8mJtR6nB4cXaLsHgUoIeK9w"}))]
pub struct RefreshRequest {
    pub refresh_token: Line<{ REFRESH_TOKEN_CHARS }>,
}

fn rejected() -> AppError {
    AppError::Unauthenticated(
        "the refresh token is invalid, expired or revoked; sign in again".into(),
    )
}

pub async fn refresh(app: &App, request: RefreshRequest) -> Result<TokenPair, AppError> {
    let now = Utc::now();
    let tx = app.begin().await?;
    let presented = digest(request.refresh_token.as_str());
    match auth_sessions::lookup_refresh_token(&tx, &presented, now).await? {
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
            let tokens = issue_pair(app, &tx, account_id, session_id, now).await?;
            tx.commit().await?;
            Ok(tokens)
        }
    }
}
