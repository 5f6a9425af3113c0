//! One-time codes that prove an account's e-mail address, kept as digests; their rows also
//! count how many were sent, so that every instance enforces one resend limit.

use chrono::{DateTime, Utc};
use kompetens_domain::ids::AccountId;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

use crate::entities::email_verification::{ActiveModel, Column, Entity};
use crate::error::StoreError;

pub async fn create(
    conn: &impl ConnectionTrait,
    account: AccountId,
    code_hash: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ActiveModel {
        code_hash: Set(code_hash.to_string()),
        account_id: Set(account.as_uuid()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Uses the code once: the account it was sent to, if it is unused and unexpired. The
/// conditional update makes two concurrent uses of one code succeed at most once.
pub async fn consume(
    conn: &impl ConnectionTrait,
    code_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<AccountId>, StoreError> {
    let Some(row) = Entity::find_by_id(code_hash.to_string()).one(conn).await? else {
        return Ok(None);
    };
    let used = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(Some(now)))
        .filter(Column::CodeHash.eq(code_hash))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .exec(conn)
        .await?
        .rows_affected;
    Ok((used == 1).then(|| row.account_id.into()))
}

/// Ends every code of the account still open (once the address is proven, none is needed).
pub async fn retire_all(
    conn: &impl ConnectionTrait,
    account: AccountId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(Some(now)))
        .filter(Column::AccountId.eq(account.as_uuid()))
        .filter(Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// How many codes were sent to the account since `since`, and when the oldest of them was.
pub async fn sent_since(
    conn: &impl ConnectionTrait,
    account: AccountId,
    since: DateTime<Utc>,
) -> Result<(u64, Option<DateTime<Utc>>), StoreError> {
    let query = Entity::find()
        .filter(Column::AccountId.eq(account.as_uuid()))
        .filter(Column::CreatedAt.gt(since));
    let count = query.clone().count(conn).await?;
    if count == 0 {
        return Ok((0, None));
    }
    let oldest = query
        .order_by_asc(Column::CreatedAt)
        .one(conn)
        .await?
        .map(|v| v.created_at);
    Ok((count, oldest))
}

/// Forgets every code of the account (erasure).
pub async fn delete_for_account(
    conn: &impl ConnectionTrait,
    account: AccountId,
) -> Result<(), StoreError> {
    Entity::delete_many()
        .filter(Column::AccountId.eq(account.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}
