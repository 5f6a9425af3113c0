//! Accounts: people who sign in, and their profile.

use chrono::{DateTime, Utc};
use kompetens_domain::account::PersonName;
use kompetens_domain::email::Email;
use kompetens_domain::ids::{AccountId, OrganisationId};
use kompetens_domain::locale::Locale;
use kompetens_domain::role::JobRole;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::Updated;
use crate::entities::account::{ActiveModel, Column, Entity, Model};
use crate::error::{StoreError, corrupt};

#[derive(Debug, Clone)]
pub struct Account {
    pub id: AccountId,
    pub email: Email,
    /// The argon2id PHC string; `None` until an invited person sets a password.
    pub password_hash: Option<String>,
    pub name: Option<PersonName>,
    pub locale: Locale,
    pub workplace_organisation_id: Option<OrganisationId>,
    pub job_role: Option<JobRole>,
    pub is_admin: bool,
    /// When the person proved the address; until then no staff roster vouches for them.
    pub email_verified_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new account's address is unverified: see [`mark_email_verified`].
pub struct NewAccount {
    pub email: Email,
    pub password_hash: Option<String>,
    pub name: Option<PersonName>,
    pub locale: Locale,
    /// Where an organiser who invites the person says they work.
    pub workplace_organisation_id: Option<OrganisationId>,
    pub job_role: Option<JobRole>,
    pub is_admin: bool,
}

/// Profile fields to change: the outer `None` leaves a field alone, `Some(None)` clears it.
#[derive(Default)]
pub struct ProfileChanges {
    pub name: Option<Option<PersonName>>,
    pub locale: Option<Locale>,
    pub workplace_organisation_id: Option<Option<OrganisationId>>,
    pub job_role: Option<Option<JobRole>>,
}

impl TryFrom<Model> for Account {
    type Error = StoreError;

    fn try_from(m: Model) -> Result<Self, StoreError> {
        Ok(Account {
            id: m.id.into(),
            email: Email::parse(&m.email).map_err(|e| corrupt("accounts.email", e))?,
            password_hash: m.password_hash,
            name: m.name.map(PersonName::from_stored),
            locale: Locale::parse(&m.locale).map_err(|e| corrupt("accounts.locale", e))?,
            workplace_organisation_id: m.workplace_organisation_id.map(Into::into),
            job_role: m
                .job_role
                .map(|j| JobRole::parse(&j))
                .transpose()
                .map_err(|e| corrupt("accounts.job_role", e))?,
            is_admin: m.is_admin,
            email_verified_at: m.email_verified_at,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

/// Inserts an account; a taken e-mail is `StoreError::Duplicate("ux_accounts_email")`.
pub async fn insert(
    conn: &impl ConnectionTrait,
    new: NewAccount,
    now: DateTime<Utc>,
) -> Result<Account, StoreError> {
    let model = ActiveModel {
        id: Set(AccountId::new().as_uuid()),
        email: Set(new.email.as_str().to_string()),
        password_hash: Set(new.password_hash),
        name: Set(new.name.map(|n| n.as_str().to_string())),
        locale: Set(new.locale.as_str().to_string()),
        workplace_organisation_id: Set(new.workplace_organisation_id.map(|o| o.as_uuid())),
        job_role: Set(new.job_role.map(|j| j.as_str().to_string())),
        is_admin: Set(new.is_admin),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        erased_at: Set(None),
        email_verified_at: Set(None),
    }
    .insert(conn)
    .await?;
    model.try_into()
}

pub async fn find(
    conn: &impl ConnectionTrait,
    id: AccountId,
) -> Result<Option<Account>, StoreError> {
    Entity::find_by_id(id.as_uuid())
        .one(conn)
        .await?
        .map(Account::try_from)
        .transpose()
}

/// Reads an account and holds its row until the transaction ends (on SQLite the write
/// transaction already excludes other writers).
pub async fn lock(
    conn: &impl ConnectionTrait,
    id: AccountId,
) -> Result<Option<Account>, StoreError> {
    use sea_orm::QuerySelect;
    Entity::find_by_id(id.as_uuid())
        .lock_exclusive()
        .one(conn)
        .await?
        .map(Account::try_from)
        .transpose()
}

pub async fn find_many(
    conn: &impl ConnectionTrait,
    ids: &[AccountId],
) -> Result<Vec<Account>, StoreError> {
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().map(|id| id.as_uuid())))
        .all(conn)
        .await?
        .into_iter()
        .map(Account::try_from)
        .collect()
}

pub async fn find_by_email(
    conn: &impl ConnectionTrait,
    email: &Email,
) -> Result<Option<Account>, StoreError> {
    Entity::find()
        .filter(Column::Email.eq(email.as_str()))
        .one(conn)
        .await?
        .map(Account::try_from)
        .transpose()
}

pub async fn set_password_and_admin(
    conn: &impl ConnectionTrait,
    id: AccountId,
    password_hash: &str,
    is_admin: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(Column::PasswordHash, Expr::value(password_hash))
        .col_expr(Column::IsAdmin, Expr::value(is_admin))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Records that the person proved their address, unless they already had (the first proof
/// is kept). A new version, since `/me` shows it. Whether anything changed.
pub async fn mark_email_verified(
    conn: &impl ConnectionTrait,
    id: AccountId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = Entity::update_many()
        .col_expr(Column::EmailVerifiedAt, Expr::value(Some(now)))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id.as_uuid()))
        .filter(Column::EmailVerifiedAt.is_null())
        .exec(conn)
        .await?
        .rows_affected;
    Ok(changed == 1)
}

/// Applies profile changes if the stored version is `expected` (or unconditionally).
pub async fn update_profile(
    conn: &impl ConnectionTrait,
    id: AccountId,
    expected: Option<i32>,
    changes: ProfileChanges,
    now: DateTime<Utc>,
) -> Result<Updated<Account>, StoreError> {
    let mut update = Entity::update_many()
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id.as_uuid()));
    if let Some(name) = changes.name {
        update = update.col_expr(
            Column::Name,
            Expr::value(name.map(|n| n.as_str().to_string())),
        );
    }
    if let Some(locale) = changes.locale {
        update = update.col_expr(Column::Locale, Expr::value(locale.as_str()));
    }
    if let Some(workplace) = changes.workplace_organisation_id {
        update = update.col_expr(
            Column::WorkplaceOrganisationId,
            Expr::value(workplace.map(|w| w.as_uuid())),
        );
    }
    if let Some(job_role) = changes.job_role {
        update = update.col_expr(
            Column::JobRole,
            Expr::value(job_role.map(|j| j.as_str().to_string())),
        );
    }
    if let Some(expected) = expected {
        update = update.filter(Column::Version.eq(expected));
    }
    let affected = update.exec(conn).await?.rows_affected;
    match find(conn, id).await? {
        None => Ok(Updated::NotFound),
        Some(_) if affected == 0 => Ok(Updated::Stale),
        Some(account) => Ok(Updated::Done(account)),
    }
}

/// Erases a person (GDPR art. 17): the row stays, so registrations, attendance and the
/// figures built on them still count, but nothing that identifies the person does. The
/// e-mail becomes an address at the reserved `.invalid` domain that no one can sign in with.
pub async fn erase(
    conn: &impl ConnectionTrait,
    id: AccountId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(
            Column::Email,
            Expr::value(format!("erased-{}@erased.invalid", id.as_uuid().simple())),
        )
        .col_expr(Column::PasswordHash, Expr::value(Option::<String>::None))
        .col_expr(Column::Name, Expr::value(Option::<String>::None))
        .col_expr(
            Column::WorkplaceOrganisationId,
            Expr::value(Option::<uuid::Uuid>::None),
        )
        .col_expr(Column::JobRole, Expr::value(Option::<String>::None))
        .col_expr(Column::IsAdmin, Expr::value(false))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .col_expr(Column::ErasedAt, Expr::value(Some(now)))
        .col_expr(
            Column::EmailVerifiedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// The account behind a session that is still live: one query (the session is a subquery),
/// since every request with an access token asks.
pub async fn find_by_live_session(
    conn: &impl ConnectionTrait,
    session: kompetens_domain::ids::AuthSessionId,
) -> Result<Option<Account>, StoreError> {
    use crate::entities::auth_session;
    use sea_orm::sea_query::Query;
    let live = Query::select()
        .column(auth_session::Column::AccountId)
        .from(auth_session::Entity)
        .and_where(auth_session::Column::Id.eq(session.as_uuid()))
        .and_where(auth_session::Column::RevokedAt.is_null())
        .to_owned();
    Entity::find()
        .filter(Column::Id.in_subquery(live))
        .one(conn)
        .await?
        .map(Account::try_from)
        .transpose()
}
