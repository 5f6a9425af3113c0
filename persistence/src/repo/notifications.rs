//! The outbox: e-mails written in the transaction that caused them, sent later by a worker.

use chrono::{DateTime, Utc};
use kompetens_domain::ids::{AccountId, MessageId, NotificationId};
use kompetens_domain::notification::NotificationKind;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::entities::notification::{ActiveModel, Column, Entity, Model};
use crate::error::StoreError;

/// After this many failed attempts a notification is left alone (its `last_error` says why):
/// the outbox worker stops there, and a message's deliveries count it as failed.
pub const MAX_ATTEMPTS: i32 = 12;

#[derive(Debug, Clone)]
pub struct Notification {
    pub id: NotificationId,
    pub account_id: AccountId,
    pub recipient: String,
    pub kind: NotificationKind,
    pub subject: String,
    pub body: String,
    pub attempts: i32,
}

pub async fn enqueue(
    conn: &impl ConnectionTrait,
    account_id: AccountId,
    recipient: &str,
    kind: NotificationKind,
    subject: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<NotificationId, StoreError> {
    let id = NotificationId::new();
    let model = ActiveModel {
        id: Set(id.as_uuid()),
        account_id: Set(account_id.as_uuid()),
        recipient: Set(recipient.to_string()),
        kind: Set(kind.as_str().to_string()),
        subject: Set(subject.to_string()),
        body: Set(body.to_string()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        sent_at: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        message_id: Set(None),
    };
    // Written without reading it back: one round trip in the deciding transaction.
    Entity::insert(model).exec_without_returning(conn).await?;
    Ok(id)
}

/// One e-mail of many to queue at once.
#[derive(Debug, Clone)]
pub struct Queued {
    pub account_id: AccountId,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

/// Rows per INSERT: 12 values each keeps a statement far below SQLite's 32,766 bound
/// parameters and PostgreSQL's 65,535.
const ROWS_PER_INSERT: usize = 500;

/// Queues one e-mail per entry of `mails` as copies of `message`, in multi-row INSERTs (a
/// programme may have thousands of participants: a statement per 500, not one per e-mail).
pub async fn enqueue_many(
    conn: &impl ConnectionTrait,
    kind: NotificationKind,
    message: Option<MessageId>,
    mails: Vec<Queued>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut mails = mails.into_iter().peekable();
    while mails.peek().is_some() {
        let models: Vec<ActiveModel> = mails
            .by_ref()
            .take(ROWS_PER_INSERT)
            .map(|mail| ActiveModel {
                id: Set(NotificationId::new().as_uuid()),
                account_id: Set(mail.account_id.as_uuid()),
                recipient: Set(mail.recipient),
                kind: Set(kind.as_str().to_string()),
                subject: Set(mail.subject),
                body: Set(mail.body),
                attempts: Set(0),
                next_attempt_at: Set(now),
                sent_at: Set(None),
                last_error: Set(None),
                created_at: Set(now),
                message_id: Set(message.map(|m| m.as_uuid())),
            })
            .collect();
        Entity::insert_many(models)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

fn from_model(m: Model) -> Option<Notification> {
    Some(Notification {
        id: m.id.into(),
        account_id: m.account_id.into(),
        recipient: m.recipient,
        kind: NotificationKind::parse(&m.kind).ok()?,
        subject: m.subject,
        body: m.body,
        attempts: m.attempts,
    })
}

/// Claims up to `n` due notifications for `lease`: each is pushed into the future so that no
/// other worker (on any instance) picks it up meanwhile. A claim is a conditional update on
/// the due time, so two workers never claim the same notification.
pub async fn claim_due(
    conn: &impl ConnectionTrait,
    n: u64,
    max_attempts: i32,
    now: DateTime<Utc>,
    lease: chrono::Duration,
) -> Result<Vec<Notification>, StoreError> {
    let candidates = Entity::find()
        .filter(Column::SentAt.is_null())
        .filter(Column::Attempts.lt(max_attempts))
        .filter(Column::NextAttemptAt.lte(now))
        .order_by_asc(Column::NextAttemptAt)
        .limit(n)
        .all(conn)
        .await?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for m in candidates {
        let won = Entity::update_many()
            .col_expr(Column::NextAttemptAt, Expr::value(now + lease))
            .filter(Column::Id.eq(m.id))
            .filter(Column::NextAttemptAt.eq(m.next_attempt_at))
            .filter(Column::SentAt.is_null())
            .exec(conn)
            .await?
            .rows_affected
            == 1;
        if won {
            claimed.extend(from_model(m));
        }
    }
    Ok(claimed)
}

pub async fn mark_sent(
    conn: &impl ConnectionTrait,
    id: NotificationId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(Column::SentAt, Expr::value(Some(now)))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .filter(Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Records a failed attempt and when to try again.
pub async fn mark_failed(
    conn: &impl ConnectionTrait,
    id: NotificationId,
    error: &str,
    retry_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(Column::LastError, Expr::value(Some(error.to_string())))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .col_expr(Column::NextAttemptAt, Expr::value(retry_at))
        .filter(Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// How many notifications are still unsent (for readiness and tests).
pub async fn pending(conn: &impl ConnectionTrait) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(Entity::find()
        .filter(Column::SentAt.is_null())
        .count(conn)
        .await?)
}

/// The latest notification of `kind` queued for `recipient`, sent or not (the demonstration
/// data reads the verification codes it e-mailed from here, having no mail server).
pub async fn latest_for(
    conn: &impl ConnectionTrait,
    recipient: &str,
    kind: NotificationKind,
) -> Result<Option<Notification>, StoreError> {
    Ok(Entity::find()
        .filter(Column::Recipient.eq(recipient))
        .filter(Column::Kind.eq(kind.as_str()))
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .one(conn)
        .await?
        .and_then(from_model))
}
