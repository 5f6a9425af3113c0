//! Idempotency keys: the first response to a create, kept so that retries replay it.

use chrono::{DateTime, Utc};
use kompetens_domain::ids::AccountId;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entities::idempotency_key::{ActiveModel, Column, Entity};
use crate::error::StoreError;

/// A stored response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub request_hash: String,
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The stored response for `key` of `account`, if one younger than `since` exists.
pub async fn find(
    conn: &impl ConnectionTrait,
    account: AccountId,
    key: &str,
    since: DateTime<Utc>,
) -> Result<Option<Stored>, StoreError> {
    Ok(Entity::find()
        .filter(Column::AccountId.eq(account.as_uuid()))
        .filter(Column::Key.eq(key))
        .filter(Column::CreatedAt.gte(since))
        .one(conn)
        .await?
        .map(|m| Stored {
            request_hash: m.request_hash,
            status: u16::try_from(m.status).unwrap_or(500),
            body: m.body,
            location: m.location,
            created_at: m.created_at,
        }))
}

/// Stores the response, replacing an expired one under the same key. Insert it in the
/// transaction that made the resource: the key and the resource commit together or not at
/// all, and a concurrent request with the same key fails on the primary key (then replays).
pub async fn store(
    conn: &impl ConnectionTrait,
    account: AccountId,
    key: &str,
    stored: &Stored,
) -> Result<(), StoreError> {
    Entity::delete_many()
        .filter(Column::AccountId.eq(account.as_uuid()))
        .filter(Column::Key.eq(key))
        .filter(Column::CreatedAt.lt(stored.created_at - chrono::Duration::hours(24)))
        .exec(conn)
        .await?;
    ActiveModel {
        account_id: Set(account.as_uuid()),
        key: Set(key.to_string()),
        request_hash: Set(stored.request_hash.clone()),
        status: Set(i16::try_from(stored.status).unwrap_or(500)),
        body: Set(stored.body.clone()),
        location: Set(stored.location.clone()),
        created_at: Set(stored.created_at),
    }
    .insert(conn)
    .await?;
    Ok(())
}
