//! Messages organisers write to a programme's participants: who they go to, the messages
//! themselves, and their deliveries as counted from the outbox.

use std::collections::BTreeMap;

use kompetens_domain::ids::{MessageId, ProgrammeId};
use kompetens_domain::message::{Deliveries, MessageAudience, ProgrammeMessage};
use kompetens_domain::text::LocalizedText;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::accounts::Account;
use super::notifications::MAX_ATTEMPTS;
use super::{from_json, into_page, page_query};
use crate::Page;
use crate::entities::programme_message::{ActiveModel, Column, Entity, Model};
use crate::entities::{account, notification, registration};
use crate::error::{StoreError, corrupt};

fn text_from_json(what: &str, raw: &str) -> Result<LocalizedText, StoreError> {
    let map: BTreeMap<String, String> = from_json(what, raw)?;
    LocalizedText::parse(
        map.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        usize::MAX,
    )
    .map_err(|e| corrupt(what, e.1))
}

fn text_to_json(text: &LocalizedText) -> Result<String, StoreError> {
    serde_json::to_string(text.entries()).map_err(|e| corrupt("programme_messages.text", e))
}

impl TryFrom<Model> for ProgrammeMessage {
    type Error = StoreError;

    fn try_from(m: Model) -> Result<Self, StoreError> {
        Ok(ProgrammeMessage {
            id: m.id.into(),
            programme_id: m.programme_id.into(),
            sent_by: m.sent_by.into(),
            subject: text_from_json("programme_messages.subject", &m.subject)?,
            body: text_from_json("programme_messages.body", &m.body)?,
            audience: MessageAudience::parse(&m.audience)
                .map_err(|e| corrupt("programme_messages.audience", e))?,
            recipients: u32::try_from(m.recipients)
                .map_err(|e| corrupt("programme_messages.recipients", e))?,
            created_at: m.created_at,
        })
    }
}

pub async fn insert(conn: &impl ConnectionTrait, m: &ProgrammeMessage) -> Result<(), StoreError> {
    let model = ActiveModel {
        id: Set(m.id.as_uuid()),
        programme_id: Set(m.programme_id.as_uuid()),
        sent_by: Set(m.sent_by.as_uuid()),
        subject: Set(text_to_json(&m.subject)?),
        body: Set(text_to_json(&m.body)?),
        audience: Set(m.audience.as_str().to_string()),
        recipients: Set(
            i32::try_from(m.recipients).map_err(|e| corrupt("programme_messages.recipients", e))?
        ),
        created_at: Set(m.created_at),
    };
    Entity::insert(model).exec_without_returning(conn).await?;
    Ok(())
}

/// A message of `programme` (`None` when there is no such message, or it is another's).
pub async fn find(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
    id: MessageId,
) -> Result<Option<ProgrammeMessage>, StoreError> {
    Entity::find_by_id(id.as_uuid())
        .filter(Column::ProgrammeId.eq(programme.as_uuid()))
        .one(conn)
        .await?
        .map(ProgrammeMessage::try_from)
        .transpose()
}

/// A programme's messages, oldest first, keyset-paginated on the (time-ordered) id.
pub async fn list(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<ProgrammeMessage>, StoreError> {
    let query = Entity::find().filter(Column::ProgrammeId.eq(programme.as_uuid()));
    let items = page_query(query, Column::Id, after, limit)
        .all(conn)
        .await?
        .into_iter()
        .map(ProgrammeMessage::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(into_page(items, limit, |m| m.id.as_uuid()))
}

/// Where the e-mails of each of `messages` are, in one grouped query over the outbox (a
/// message with no e-mails is absent: all its counts are zero).
pub async fn deliveries(
    conn: &impl ConnectionTrait,
    messages: &[MessageId],
) -> Result<BTreeMap<MessageId, Deliveries>, StoreError> {
    if messages.is_empty() {
        return Ok(BTreeMap::new());
    }
    use notification::Column as N;
    // Given up: never sent, and the outbox has made its last attempt.
    let failed = Expr::case(
        N::SentAt.is_null().and(N::Attempts.gte(MAX_ATTEMPTS)),
        Expr::val(1),
    )
    .finally(Expr::val(0));
    let rows: Vec<(Uuid, i64, i64, Option<i64>)> = notification::Entity::find()
        .select_only()
        .column(N::MessageId)
        .column_as(Expr::col(N::Id).count(), "total")
        .column_as(Expr::col(N::SentAt).count(), "sent")
        .column_as(Expr::from(Func::sum(failed)), "failed")
        .filter(N::MessageId.is_in(messages.iter().map(|m| m.as_uuid())))
        .group_by(N::MessageId)
        .into_tuple()
        .all(conn)
        .await?;
    let count = |n: i64| u32::try_from(n).map_err(|e| corrupt("notifications.message_id", e));
    let mut out = BTreeMap::new();
    for (id, total, sent, failed) in rows {
        let (total, sent, failed) = (count(total)?, count(sent)?, count(failed.unwrap_or(0))?);
        out.insert(
            MessageId::from_uuid(id),
            Deliveries {
                queued: total.saturating_sub(sent + failed),
                sent,
                failed,
            },
        );
    }
    Ok(out)
}

/// The participants of `programme` whose registrations are in `audience`: one query (the
/// registrations are a subquery). Erased accounts are left out: a completed registration
/// outlives its erased participant, who has no address any more.
pub async fn recipients(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
    audience: MessageAudience,
) -> Result<Vec<Account>, StoreError> {
    let registered = Query::select()
        .column(registration::Column::ParticipantId)
        .from(registration::Entity)
        .and_where(registration::Column::ProgrammeId.eq(programme.as_uuid()))
        .and_where(
            registration::Column::Status.is_in(audience.statuses().iter().map(|s| s.as_str())),
        )
        .to_owned();
    account::Entity::find()
        .filter(account::Column::Id.in_subquery(registered))
        .filter(account::Column::ErasedAt.is_null())
        .order_by_asc(account::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(Account::try_from)
        .collect()
}
