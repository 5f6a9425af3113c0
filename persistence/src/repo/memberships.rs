//! Roles held by accounts in organisations.

use chrono::{DateTime, Utc};
use kompetens_domain::ids::{AccountId, MembershipId, OrganisationId};
use kompetens_domain::organisation::OrganisationPath;
use kompetens_domain::policy::Grant;
use kompetens_domain::role::Role;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{into_page, page_query};
use crate::Page;
use crate::entities::{account, membership, organisation};
use crate::error::{StoreError, corrupt};

#[derive(Debug, Clone)]
pub struct Membership {
    pub id: MembershipId,
    pub account_id: AccountId,
    pub organisation_id: OrganisationId,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

/// A membership with the member's e-mail and name, for the organisation's member list.
#[derive(Debug, Clone)]
pub struct Member {
    pub membership: Membership,
    pub email: String,
    pub name: Option<String>,
}

impl TryFrom<membership::Model> for Membership {
    type Error = StoreError;

    fn try_from(m: membership::Model) -> Result<Self, StoreError> {
        Ok(Membership {
            id: m.id.into(),
            account_id: m.account_id.into(),
            organisation_id: m.organisation_id.into(),
            role: Role::parse(&m.role).map_err(|e| corrupt("memberships.role", e))?,
            created_at: m.created_at,
        })
    }
}

/// Grants `role`; granting a role already held is `Duplicate("ux_memberships_…")`.
pub async fn grant(
    conn: &impl ConnectionTrait,
    account_id: AccountId,
    organisation_id: OrganisationId,
    role: Role,
    now: DateTime<Utc>,
) -> Result<Membership, StoreError> {
    membership::ActiveModel {
        id: Set(MembershipId::new().as_uuid()),
        account_id: Set(account_id.as_uuid()),
        organisation_id: Set(organisation_id.as_uuid()),
        role: Set(role.as_str().to_string()),
        created_at: Set(now),
    }
    .insert(conn)
    .await?
    .try_into()
}

pub async fn find_in(
    conn: &impl ConnectionTrait,
    organisation_id: OrganisationId,
    id: MembershipId,
) -> Result<Option<Membership>, StoreError> {
    membership::Entity::find_by_id(id.as_uuid())
        .filter(membership::Column::OrganisationId.eq(organisation_id.as_uuid()))
        .one(conn)
        .await?
        .map(Membership::try_from)
        .transpose()
}

pub async fn revoke(conn: &impl ConnectionTrait, id: MembershipId) -> Result<bool, StoreError> {
    let result = membership::Entity::delete_by_id(id.as_uuid())
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

pub async fn list_for_organisation(
    conn: &impl ConnectionTrait,
    organisation_id: OrganisationId,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<Member>, StoreError> {
    let rows = page_query(
        membership::Entity::find()
            .filter(membership::Column::OrganisationId.eq(organisation_id.as_uuid())),
        membership::Column::Id,
        after,
        limit,
    )
    .all(conn)
    .await?;
    let account_ids: Vec<Uuid> = rows.iter().map(|m| m.account_id).collect();
    let accounts = account::Entity::find()
        .filter(account::Column::Id.is_in(account_ids))
        .all(conn)
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let holder = accounts
            .iter()
            .find(|a| a.id == row.account_id)
            .ok_or_else(|| corrupt("memberships.account_id", "account missing"))?;
        let (email, name) = (holder.email.clone(), holder.name.clone());
        items.push(Member {
            membership: row.try_into()?,
            email,
            name,
        });
    }
    Ok(into_page(items, limit, |m| m.membership.id.as_uuid()))
}

/// Every role the account holds, each with its organisation's place in the tree: one query
/// (memberships joined to their organisations), since every authenticated request asks.
pub async fn grants_for_account(
    conn: &impl ConnectionTrait,
    account_id: AccountId,
) -> Result<Vec<Grant>, StoreError> {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    let stmt = Query::select()
        .column((membership::Entity, membership::Column::Role))
        .column((organisation::Entity, organisation::Column::Path))
        .from(membership::Entity)
        .inner_join(
            organisation::Entity,
            Expr::col((organisation::Entity, organisation::Column::Id))
                .equals((membership::Entity, membership::Column::OrganisationId)),
        )
        .and_where(
            Expr::col((membership::Entity, membership::Column::AccountId)).eq(account_id.as_uuid()),
        )
        .to_owned();
    let rows = conn.query_all(&stmt).await?;
    let mut grants = Vec::with_capacity(rows.len());
    for row in rows {
        let role: String = row.try_get("", "role")?;
        let path: String = row.try_get("", "path")?;
        grants.push(Grant {
            organisation: OrganisationPath::decode(&path)
                .map_err(|e| corrupt("organisations.path", e))?,
            role: Role::parse(&role).map_err(|e| corrupt("memberships.role", e))?,
        });
    }
    Ok(grants)
}
