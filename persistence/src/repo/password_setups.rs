//! One-time codes with which invited people set their first password.

use chrono::{DateTime, Utc};
use kompetens_domain::ids::AccountId;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entities::password_setup::{ActiveModel, Column, Entity};
use crate::error::StoreError;

pub async fn create(
    conn: &impl ConnectionTrait,
    account: AccountId,
    token_hash: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ActiveModel {
        token_hash: Set(token_hash.to_string()),
        account_id: Set(account.as_uuid()),
        expires_at: Set(expires_at),
        used_at: Set(None),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Uses the code once: the account it was made for, if it is unused and unexpired. The
/// conditional update makes two concurrent uses of one code succeed at most once.
pub async fn consume(
    conn: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<AccountId>, StoreError> {
    let Some(row) = Entity::find_by_id(token_hash.to_string()).one(conn).await? else {
        return Ok(None);
    };
    let used = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(Some(now)))
        .filter(Column::TokenHash.eq(token_hash))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .exec(conn)
        .await?
        .rows_affected;
    Ok((used == 1).then(|| row.account_id.into()))
}
