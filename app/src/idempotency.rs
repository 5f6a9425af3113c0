//! `Idempotency-Key` on creates: the first response is stored with a digest of the request, in
//! the transaction that made the resource; a retry within 24 hours gets that response back byte
//! for byte; the same key with another request is refused.
//!
//! A create use case takes a [`Once`] from the HTTP layer (the key, the request's digest and how
//! its response is rendered), asks [`Once::replay`] first thing in its transaction, and calls
//! [`Once::remember`] just before committing. Two concurrent requests with one key cannot both
//! create: the second one's insert of the key waits for the first transaction and then fails
//! on the key's primary key, rolling its own resource back (the client retries and replays).

use chrono::{DateTime, Utc};
use kompetens_domain::ids::AccountId;
use kompetens_persistence::repo::idempotency;
use kompetens_persistence::{ConnectionTrait, StoreError};

pub use kompetens_persistence::repo::idempotency::Stored;

use crate::AppError;

/// How long a key is remembered.
pub fn window() -> chrono::Duration {
    chrono::Duration::hours(24)
}

/// A response as the HTTP layer renders it, to be kept for replays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    /// Sent with the first response only (replays are the stored status, body and location).
    pub etag: Option<String>,
}

/// What a create use case returns: the new resource, or the stored first response to a retry.
pub enum Outcome<T> {
    Fresh(T),
    Replayed(Stored),
}

/// How the response to a create is rendered, for keeping.
pub type Render<'a, T> = dyn Fn(&T) -> Result<Reply, AppError> + 'a;

/// A create's idempotency: the caller's key (if they sent one), a digest of their request and
/// how the response to remember is rendered.
pub struct Once<'a, T> {
    key: Option<&'a str>,
    request_hash: String,
    render: &'a Render<'a, T>,
}

impl<'a, T> Once<'a, T> {
    pub fn new(key: Option<&'a str>, request_hash: String, render: &'a Render<'a, T>) -> Self {
        Self {
            key,
            request_hash,
            render,
        }
    }

    /// The stored response when this key came with this very request before; 422 when it came
    /// with another one; `None` without a key or when the key is new (or expired).
    pub async fn replay(
        &self,
        conn: &impl ConnectionTrait,
        account: AccountId,
        now: DateTime<Utc>,
    ) -> Result<Option<Stored>, AppError> {
        let Some(key) = self.key else {
            return Ok(None);
        };
        let Some(stored) = idempotency::find(conn, account, key, now - window()).await? else {
            return Ok(None);
        };
        if stored.request_hash != self.request_hash {
            return Err(AppError::IdempotencyKeyReused);
        }
        tracing::debug!("idempotent request replayed");
        Ok(Some(stored))
    }

    /// Keeps the response `value` renders to under the key, in the creating transaction.
    pub async fn remember(
        &self,
        conn: &impl ConnectionTrait,
        account: AccountId,
        value: &T,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let Some(key) = self.key else {
            return Ok(());
        };
        let reply = (self.render)(value)?;
        let stored = Stored {
            request_hash: self.request_hash.clone(),
            status: reply.status,
            body: reply.body,
            location: reply.location,
            created_at: now,
        };
        match idempotency::store(conn, account, key, &stored).await {
            Ok(()) => Ok(()),
            // Another request with this key committed first: this one rolls back, and its
            // retry replays the other's response.
            Err(StoreError::Duplicate(_)) => Err(AppError::Unavailable {
                retry_after: 1,
                detail: "a request with this Idempotency-Key is in progress; retry".into(),
            }),
            Err(other) => Err(other.into()),
        }
    }
}
