//! Failed sign-ins, counted per scope (a digest of an e-mail or a client address).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

use crate::entities::sign_in_failure::{ActiveModel, Column, Entity};
use crate::error::StoreError;

pub async fn record(
    conn: &impl ConnectionTrait,
    scope: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        scope: Set(scope.to_string()),
        failed_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// How many failures the scope has since `since`, and when the oldest of them happened.
pub async fn recent(
    conn: &impl ConnectionTrait,
    scope: &str,
    since: DateTime<Utc>,
) -> Result<(u64, Option<DateTime<Utc>>), StoreError> {
    let query = Entity::find()
        .filter(Column::Scope.eq(scope))
        .filter(Column::FailedAt.gt(since));
    let count = query.clone().count(conn).await?;
    if count == 0 {
        return Ok((0, None));
    }
    let oldest = query
        .order_by_asc(Column::FailedAt)
        .one(conn)
        .await?
        .map(|f| f.failed_at);
    Ok((count, oldest))
}

/// Forgets a scope's failures (after a successful sign-in for that e-mail).
pub async fn clear(conn: &impl ConnectionTrait, scope: &str) -> Result<(), StoreError> {
    Entity::delete_many()
        .filter(Column::Scope.eq(scope))
        .exec(conn)
        .await?;
    Ok(())
}

/// Deletes failures older than `before`, so the table stays small.
pub async fn prune(conn: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(Entity::delete_many()
        .filter(Column::FailedAt.lt(before))
        .exec(conn)
        .await?
        .rows_affected)
}
