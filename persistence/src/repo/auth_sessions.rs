//! Sessions and their rotating refresh tokens.
//!
//! A refresh token is used once: using it marks it used and issues a successor in the same
//! session. Presenting a used token again means it was copied, so the whole session (every
//! token rotated from the same sign-in, and the access tokens bound to it) is revoked.

use chrono::{DateTime, Utc};
use kompetens_domain::ids::{AccountId, AuthSessionId};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entities::{auth_session, refresh_token};
use crate::error::StoreError;

/// What a presented refresh token turned out to be.
pub enum RefreshLookup {
    /// Unused, unexpired, in a live session: it may be rotated.
    Usable {
        token_id: uuid::Uuid,
        session_id: AuthSessionId,
        account_id: AccountId,
    },
    /// Already rotated: a replay. The caller revokes the session.
    Reused { session_id: AuthSessionId },
    /// Unknown, expired, or its session is revoked.
    Invalid,
}

pub async fn create_session(
    conn: &impl ConnectionTrait,
    account_id: AccountId,
    now: DateTime<Utc>,
) -> Result<AuthSessionId, StoreError> {
    let id = AuthSessionId::new();
    auth_session::ActiveModel {
        id: Set(id.as_uuid()),
        account_id: Set(account_id.as_uuid()),
        created_at: Set(now),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(id)
}

pub async fn insert_refresh_token(
    conn: &impl ConnectionTrait,
    session_id: AuthSessionId,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    refresh_token::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        session_id: Set(session_id.as_uuid()),
        token_hash: Set(token_hash.to_string()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(())
}

pub async fn lookup_refresh_token(
    conn: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<RefreshLookup, StoreError> {
    let Some(token) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash))
        .one(conn)
        .await?
    else {
        return Ok(RefreshLookup::Invalid);
    };
    let Some(session) = auth_session::Entity::find_by_id(token.session_id)
        .one(conn)
        .await?
    else {
        return Ok(RefreshLookup::Invalid);
    };
    if session.revoked_at.is_some() {
        return Ok(RefreshLookup::Invalid);
    }
    if token.used_at.is_some() {
        return Ok(RefreshLookup::Reused {
            session_id: session.id.into(),
        });
    }
    if token.expires_at <= now {
        return Ok(RefreshLookup::Invalid);
    }
    Ok(RefreshLookup::Usable {
        token_id: token.id,
        session_id: session.id.into(),
        account_id: session.account_id.into(),
    })
}

/// Marks a token used; false when another request used it first (the conditional update is
/// the guard, so two concurrent refreshes with one token cannot both rotate it).
pub async fn mark_used(
    conn: &impl ConnectionTrait,
    token_id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let result = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(token_id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn revoke_session(
    conn: &impl ConnectionTrait,
    session_id: AuthSessionId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    auth_session::Entity::update_many()
        .col_expr(auth_session::Column::RevokedAt, Expr::value(now))
        .col_expr(auth_session::Column::RevokedReason, Expr::value(reason))
        .filter(auth_session::Column::Id.eq(session_id.as_uuid()))
        .filter(auth_session::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}
