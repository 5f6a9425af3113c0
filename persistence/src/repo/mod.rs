//! Repositories: store and load domain values; every function takes any connection or
//! transaction (`ConnectionTrait`), so callers decide the transaction boundaries.

pub mod accounts;
pub mod api_tokens;
pub mod auth_sessions;
pub mod memberships;
pub mod organisations;
pub mod sign_in_failures;

/// The outcome of a versioned update (`If-Match`).
pub enum Updated<T> {
    Done(T),
    /// The expected version is no longer current.
    Stale,
    NotFound,
}

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};

/// Applies keyset pagination on the id column: ids are UUID v7, so id order is creation order.
pub(crate) fn page_query<E, C>(
    query: Select<E>,
    id: C,
    after: Option<uuid::Uuid>,
    limit: u64,
) -> Select<E>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    let query = match after {
        Some(after) => query.filter(id.gt(after)),
        None => query,
    };
    query.order_by_asc(id).limit(limit + 1)
}

/// Splits the extra row fetched by `page_query` off into the continuation point.
pub(crate) fn into_page<T>(
    mut items: Vec<T>,
    limit: u64,
    id_of: impl Fn(&T) -> uuid::Uuid,
) -> crate::Page<T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next_after = if items.len() > limit {
        items.truncate(limit);
        items.last().map(&id_of)
    } else {
        None
    };
    crate::Page { items, next_after }
}
