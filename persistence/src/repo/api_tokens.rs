//! API tokens for scripts: bearer tokens bound to one organisation and one role.

use chrono::{DateTime, Utc};
use kompetens_domain::ids::{AccountId, ApiTokenId, OrganisationId};
use kompetens_domain::role::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{into_page, page_query};
use crate::Page;
use crate::entities::api_token::{ActiveModel, Column, Entity, Model};
use crate::error::{StoreError, corrupt};

#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub account_id: AccountId,
    pub organisation_id: OrganisationId,
    pub role: Role,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub struct NewApiToken {
    pub account_id: AccountId,
    pub organisation_id: OrganisationId,
    pub role: Role,
    pub name: String,
    pub token_hash: String,
    pub prefix: String,
    pub expires_at: Option<DateTime<Utc>>,
}

impl TryFrom<Model> for ApiToken {
    type Error = StoreError;

    fn try_from(m: Model) -> Result<Self, StoreError> {
        Ok(ApiToken {
            id: m.id.into(),
            account_id: m.account_id.into(),
            organisation_id: m.organisation_id.into(),
            role: Role::parse(&m.role).map_err(|e| corrupt("api_tokens.role", e))?,
            name: m.name,
            prefix: m.prefix,
            created_at: m.created_at,
            expires_at: m.expires_at,
            revoked_at: m.revoked_at,
        })
    }
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    new: NewApiToken,
    now: DateTime<Utc>,
) -> Result<ApiToken, StoreError> {
    ActiveModel {
        id: Set(ApiTokenId::new().as_uuid()),
        account_id: Set(new.account_id.as_uuid()),
        organisation_id: Set(new.organisation_id.as_uuid()),
        role: Set(new.role.as_str().to_string()),
        name: Set(new.name),
        token_hash: Set(new.token_hash),
        prefix: Set(new.prefix),
        created_at: Set(now),
        expires_at: Set(new.expires_at),
        revoked_at: Set(None),
        last_used_at: Set(None),
    }
    .insert(conn)
    .await?
    .try_into()
}

/// The live token with this digest: not revoked, not expired.
pub async fn find_live_by_hash(
    conn: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<ApiToken>, StoreError> {
    let token = Entity::find()
        .filter(Column::TokenHash.eq(token_hash))
        .one(conn)
        .await?
        .map(ApiToken::try_from)
        .transpose()?;
    Ok(token.filter(|t| t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now)))
}

pub async fn list_for_account(
    conn: &impl ConnectionTrait,
    account_id: AccountId,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<ApiToken>, StoreError> {
    let rows = page_query(
        Entity::find()
            .filter(Column::AccountId.eq(account_id.as_uuid()))
            .filter(Column::RevokedAt.is_null()),
        Column::Id,
        after,
        limit,
    )
    .all(conn)
    .await?;
    let items = rows
        .into_iter()
        .map(ApiToken::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(into_page(items, limit, |t| t.id.as_uuid()))
}

/// Revokes the caller's own token; false when there is no such live token of theirs.
pub async fn revoke(
    conn: &impl ConnectionTrait,
    account_id: AccountId,
    id: ApiTokenId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let result = Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(now))
        .filter(Column::Id.eq(id.as_uuid()))
        .filter(Column::AccountId.eq(account_id.as_uuid()))
        .filter(Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}
