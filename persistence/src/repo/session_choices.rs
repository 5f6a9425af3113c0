//! Places in sessions with their own capacity (parallel thematic sessions, supervision slots).
//!
//! Changed only under the programme's row lock, like registrations: counts are read and
//! decided on inside that lock, so a session never seats more than its capacity and its
//! waiting list is promoted strictly in order of arrival.

use chrono::{DateTime, Utc};
use kompetens_domain::ids::{RegistrationId, SessionId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::entities::session_choice::{ActiveModel, Column, Entity, Model};
use crate::error::StoreError;

pub const CONFIRMED: &str = "confirmed";
pub const WAITLISTED: &str = "waitlisted";
pub const CANCELLED: &str = "cancelled";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionChoice {
    pub id: Uuid,
    pub session_id: SessionId,
    pub registration_id: RegistrationId,
    /// `confirmed`, `waitlisted` or `cancelled`.
    pub status: String,
    pub arrival: i64,
}

fn from_model(m: Model) -> SessionChoice {
    SessionChoice {
        id: m.id,
        session_id: m.session_id.into(),
        registration_id: m.registration_id.into(),
        status: m.status,
        arrival: m.arrival,
    }
}

/// The choices of a registration that are still in play.
pub async fn active_for_registration(
    conn: &impl ConnectionTrait,
    registration: RegistrationId,
) -> Result<Vec<SessionChoice>, StoreError> {
    Ok(Entity::find()
        .filter(Column::RegistrationId.eq(registration.as_uuid()))
        .filter(Column::Status.ne(CANCELLED))
        .order_by_asc(Column::SessionId)
        .all(conn)
        .await?
        .into_iter()
        .map(from_model)
        .collect())
}

pub async fn count(
    conn: &impl ConnectionTrait,
    session: SessionId,
    status: &str,
) -> Result<u64, StoreError> {
    Ok(Entity::find()
        .filter(Column::SessionId.eq(session.as_uuid()))
        .filter(Column::Status.eq(status))
        .count(conn)
        .await?)
}

/// 1 + how many arrived earlier and still wait for the session.
pub async fn position(
    conn: &impl ConnectionTrait,
    choice: &SessionChoice,
) -> Result<Option<u32>, StoreError> {
    if choice.status != WAITLISTED {
        return Ok(None);
    }
    let ahead = Entity::find()
        .filter(Column::SessionId.eq(choice.session_id.as_uuid()))
        .filter(Column::Status.eq(WAITLISTED))
        .filter(Column::Arrival.lt(choice.arrival))
        .count(conn)
        .await?;
    Ok(Some(u32::try_from(ahead).unwrap_or(u32::MAX - 1) + 1))
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    session: SessionId,
    registration: RegistrationId,
    status: &str,
    now: DateTime<Utc>,
) -> Result<SessionChoice, StoreError> {
    let last: Option<Option<i64>> = Entity::find()
        .select_only()
        .column_as(Column::Arrival.max(), "last")
        .filter(Column::SessionId.eq(session.as_uuid()))
        .into_tuple()
        .one(conn)
        .await?;
    let model = ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(session.as_uuid()),
        registration_id: Set(registration.as_uuid()),
        status: Set(status.to_string()),
        arrival: Set(last.flatten().unwrap_or(0) + 1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(from_model(model))
}

pub async fn set_status(
    conn: &impl ConnectionTrait,
    id: Uuid,
    status: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(id),
        status: Set(status.to_string()),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(conn)
    .await?;
    Ok(())
}

/// The first `n` waiting for the session, in order of arrival.
pub async fn first_waiting(
    conn: &impl ConnectionTrait,
    session: SessionId,
    n: u64,
) -> Result<Vec<SessionChoice>, StoreError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    Ok(Entity::find()
        .filter(Column::SessionId.eq(session.as_uuid()))
        .filter(Column::Status.eq(WAITLISTED))
        .order_by_asc(Column::Arrival)
        .limit(n)
        .all(conn)
        .await?
        .into_iter()
        .map(from_model)
        .collect())
}

/// The choices still in play of many registrations at once.
pub async fn active_for_registrations(
    conn: &impl ConnectionTrait,
    registrations: &[RegistrationId],
) -> Result<Vec<SessionChoice>, StoreError> {
    if registrations.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Entity::find()
        .filter(Column::RegistrationId.is_in(registrations.iter().map(|r| r.as_uuid())))
        .filter(Column::Status.ne(CANCELLED))
        .order_by_asc(Column::SessionId)
        .all(conn)
        .await?
        .into_iter()
        .map(from_model)
        .collect())
}
