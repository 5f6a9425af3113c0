//! Repositories: store and load domain values; every function takes any connection or
//! transaction (`ConnectionTrait`), so callers decide the transaction boundaries.

pub mod accounts;
pub mod api_tokens;
pub mod attendance;
pub mod auth_sessions;
pub mod certificates;
pub mod competence_plans;
pub mod email_verifications;
pub mod erasure;
pub mod funders;
pub mod grants;
pub mod idempotency;
pub mod memberships;
pub mod notifications;
pub mod organisations;
pub mod password_setups;
pub mod programme_messages;
pub mod programmes;
pub mod registrations;
pub mod reports;
pub mod session_choices;
pub mod sessions;
pub mod sign_in_failures;
pub mod staff;
pub mod venues;

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

/// Rows whose organisation path lies under any of `roots` (none: no rows).
pub(crate) fn under_any<C: ColumnTrait>(
    path: C,
    roots: &[kompetens_domain::ids::OrganisationId],
) -> sea_orm::Condition {
    use sea_orm::sea_query::Expr;
    let mut condition = sea_orm::Condition::any();
    for id in roots {
        // Every organisation at or below `id` has `/id/` in its path.
        condition = condition.add(path.contains(format!("/{id}/")));
    }
    if roots.is_empty() {
        condition = condition.add(Expr::value(false));
    }
    condition
}

/// Decodes a JSON text column written by this crate.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    what: &str,
    raw: &str,
) -> Result<T, crate::StoreError> {
    serde_json::from_str(raw).map_err(|e| crate::error::corrupt(what, e))
}

/// `LOWER(column) LIKE '%text%'`, with `text` already lower-cased and its wildcards escaped.
pub(crate) fn lower_contains<C: ColumnTrait>(
    column: C,
    text: &str,
) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func};
    Expr::expr(Func::lower(Expr::col(column))).like(contains_pattern(text))
}

/// `column LIKE '%text%'` for a column that is already lower case, wildcards escaped.
pub(crate) fn contains<C: ColumnTrait>(column: C, text: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait};
    Expr::col(column).like(contains_pattern(text))
}

/// `%text%` with `text`'s own `%`, `_` and `\` escaped, so that a search for `%` finds a
/// percent sign rather than everything.
fn contains_pattern(text: &str) -> sea_orm::sea_query::LikeExpr {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\')
}
