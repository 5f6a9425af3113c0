//! Erasing a person (GDPR art. 17) everywhere but in the figures: credentials, roles, queued
//! e-mails, stored responses and the names printed on certificates go; registrations and
//! attendance stay, tied to an account row that no longer identifies anyone.

use chrono::{DateTime, Utc};
use kompetens_domain::ids::AccountId;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::accounts;
use super::notifications::MAX_ATTEMPTS;
use crate::entities::{
    api_token, auth_session, certificate, idempotency_key, membership, notification,
    password_setup, registration,
};
use crate::error::StoreError;

/// What a certificate of an erased holder says in place of the name.
pub const ERASED_HOLDER: &str = "—";

/// Erases everything that identifies `account` (call after its registrations were cancelled,
/// in the same transaction). Certificates stay counted but are revoked and lose the name.
pub async fn erase(
    conn: &impl ConnectionTrait,
    account: AccountId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let id = account.as_uuid();
    auth_session::Entity::update_many()
        .col_expr(auth_session::Column::RevokedAt, Expr::value(now))
        .col_expr(auth_session::Column::RevokedReason, Expr::value("erased"))
        .filter(auth_session::Column::AccountId.eq(id))
        .filter(auth_session::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .filter(api_token::Column::AccountId.eq(id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    membership::Entity::delete_many()
        .filter(membership::Column::AccountId.eq(id))
        .exec(conn)
        .await?;
    // Queued and sent e-mails carry the address and the name. Copies of an organiser's
    // message keep their row without either (nor the text), so that the message's deliveries
    // still add up to its recipients: one not sent yet is given up, and counts as failed.
    notification::Entity::update_many()
        .col_expr(notification::Column::Attempts, Expr::value(MAX_ATTEMPTS))
        .col_expr(
            notification::Column::LastError,
            Expr::value(Some("the recipient erased their account")),
        )
        .filter(notification::Column::AccountId.eq(id))
        .filter(notification::Column::MessageId.is_not_null())
        .filter(notification::Column::SentAt.is_null())
        .filter(notification::Column::Attempts.lt(MAX_ATTEMPTS))
        .exec(conn)
        .await?;
    notification::Entity::update_many()
        .col_expr(notification::Column::Recipient, Expr::value(""))
        .col_expr(notification::Column::Subject, Expr::value(""))
        .col_expr(notification::Column::Body, Expr::value(""))
        .filter(notification::Column::AccountId.eq(id))
        .filter(notification::Column::MessageId.is_not_null())
        .exec(conn)
        .await?;
    notification::Entity::delete_many()
        .filter(notification::Column::AccountId.eq(id))
        .filter(notification::Column::MessageId.is_null())
        .exec(conn)
        .await?;
    idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::AccountId.eq(id))
        .exec(conn)
        .await?;
    password_setup::Entity::delete_many()
        .filter(password_setup::Column::AccountId.eq(id))
        .exec(conn)
        .await?;
    super::email_verifications::delete_for_account(conn, account).await?;
    certificate::Entity::update_many()
        .col_expr(certificate::Column::RevokedAt, Expr::value(Some(now)))
        .col_expr(
            certificate::Column::RevocationReason,
            Expr::value(Some("the holder erased their account")),
        )
        .filter(certificate::Column::ParticipantId.eq(id))
        .filter(certificate::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    certificate::Entity::update_many()
        .col_expr(certificate::Column::HolderName, Expr::value(ERASED_HOLDER))
        .filter(certificate::Column::ParticipantId.eq(id))
        .exec(conn)
        .await?;
    // Answers to registration forms (dietary needs, notes) are personal; the registration
    // itself stays for the figures.
    registration::Entity::update_many()
        .col_expr(
            registration::Column::Answers,
            Expr::value(Option::<String>::None),
        )
        .filter(registration::Column::ParticipantId.eq(id))
        .exec(conn)
        .await?;
    accounts::erase(conn, account, now).await
}
