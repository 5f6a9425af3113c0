//! Attendance marks and the history of every change to them.
//!
//! Marks of a session are replaced as a whole, inside a write transaction that holds the
//! programme's row lock: completion (and certificates) are then decided on the marks as they
//! stand, one recording at a time per programme.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kompetens_domain::attendance::{AttendanceStatus, Mark};
use kompetens_domain::ids::{
    AccountId, AttendanceChangeId, ProgrammeId, RegistrationId, SessionId,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::{into_page, page_query};
use crate::Page;
use crate::entities::{attendance, attendance_change};
use crate::error::{StoreError, corrupt};

pub use kompetens_domain::attendance::{AttendanceRecord, Change};

fn status(what: &str, raw: &str) -> Result<AttendanceStatus, StoreError> {
    AttendanceStatus::parse(raw).map_err(|e| corrupt(what, e))
}

fn minutes(what: &str, raw: i32) -> Result<u32, StoreError> {
    u32::try_from(raw).map_err(|e| corrupt(what, e))
}

impl TryFrom<attendance::Model> for AttendanceRecord {
    type Error = StoreError;

    fn try_from(m: attendance::Model) -> Result<Self, StoreError> {
        Ok(AttendanceRecord {
            session_id: m.session_id.into(),
            participant_id: m.participant_id.into(),
            registration_id: m.registration_id.into(),
            mark: Mark {
                status: status("attendance.status", &m.status)?,
                attended_minutes: minutes("attendance.attended_minutes", m.attended_minutes)?,
            },
            recorded_by: m.recorded_by.into(),
            recorded_at: m.recorded_at,
        })
    }
}

fn rows(models: Vec<attendance::Model>) -> Result<Vec<AttendanceRecord>, StoreError> {
    models.into_iter().map(AttendanceRecord::try_from).collect()
}

/// A session's marks, by participant.
pub async fn for_session(
    conn: &impl ConnectionTrait,
    session: SessionId,
) -> Result<Vec<AttendanceRecord>, StoreError> {
    rows(
        attendance::Entity::find()
            .filter(attendance::Column::SessionId.eq(session.as_uuid()))
            .order_by_asc(attendance::Column::ParticipantId)
            .all(conn)
            .await?,
    )
}

/// A participant's marks in one programme.
pub async fn for_participant(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
    participant: AccountId,
) -> Result<Vec<AttendanceRecord>, StoreError> {
    rows(
        attendance::Entity::find()
            .filter(attendance::Column::ProgrammeId.eq(programme.as_uuid()))
            .filter(attendance::Column::ParticipantId.eq(participant.as_uuid()))
            .all(conn)
            .await?,
    )
}

/// Every mark of a programme (for reports).
pub async fn for_programme(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
) -> Result<Vec<AttendanceRecord>, StoreError> {
    rows(
        attendance::Entity::find()
            .filter(attendance::Column::ProgrammeId.eq(programme.as_uuid()))
            .all(conn)
            .await?,
    )
}

/// A mark to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewMark {
    pub participant_id: AccountId,
    pub registration_id: RegistrationId,
    pub mark: Mark,
}

/// Makes `marks` the session's whole list: new marks are added, changed ones updated, those
/// left out removed; each difference is kept in `attendance_changes`. Returns the participants
/// whose marks changed.
pub async fn replace(
    conn: &impl ConnectionTrait,
    session: SessionId,
    programme: ProgrammeId,
    marks: &[NewMark],
    by: AccountId,
    now: DateTime<Utc>,
) -> Result<Vec<AccountId>, StoreError> {
    let current: BTreeMap<Uuid, attendance::Model> = attendance::Entity::find()
        .filter(attendance::Column::SessionId.eq(session.as_uuid()))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.participant_id, m))
        .collect();
    let mut changed = Vec::new();
    let change = |participant: Uuid, new: Option<&Mark>, old: Option<&attendance::Model>| {
        attendance_change::ActiveModel {
            id: Set(AttendanceChangeId::new().as_uuid()),
            session_id: Set(session.as_uuid()),
            participant_id: Set(participant),
            status: Set(new.map(|m| m.status.as_str().to_string())),
            attended_minutes: Set(
                new.map(|m| i32::try_from(m.attended_minutes).unwrap_or(i32::MAX))
            ),
            previous_status: Set(old.map(|m| m.status.clone())),
            previous_minutes: Set(old.map(|m| m.attended_minutes)),
            changed_by: Set(by.as_uuid()),
            changed_at: Set(now),
        }
    };
    for new in marks {
        let participant = new.participant_id.as_uuid();
        let status = new.mark.status.as_str().to_string();
        let attended = i32::try_from(new.mark.attended_minutes).unwrap_or(i32::MAX);
        match current.get(&participant) {
            Some(old) if old.status == status && old.attended_minutes == attended => continue,
            Some(old) => {
                let mut row: attendance::ActiveModel = old.clone().into();
                row.status = Set(status);
                row.attended_minutes = Set(attended);
                row.registration_id = Set(new.registration_id.as_uuid());
                row.recorded_by = Set(by.as_uuid());
                row.recorded_at = Set(now);
                row.update(conn).await?;
                change(participant, Some(&new.mark), Some(old))
                    .insert(conn)
                    .await?;
            }
            None => {
                attendance::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    session_id: Set(session.as_uuid()),
                    programme_id: Set(programme.as_uuid()),
                    registration_id: Set(new.registration_id.as_uuid()),
                    participant_id: Set(participant),
                    status: Set(status),
                    attended_minutes: Set(attended),
                    recorded_by: Set(by.as_uuid()),
                    recorded_at: Set(now),
                }
                .insert(conn)
                .await?;
                change(participant, Some(&new.mark), None)
                    .insert(conn)
                    .await?;
            }
        }
        changed.push(new.participant_id);
    }
    for (participant, old) in &current {
        if marks
            .iter()
            .any(|m| m.participant_id.as_uuid() == *participant)
        {
            continue;
        }
        attendance::Entity::delete_by_id(old.id).exec(conn).await?;
        change(*participant, None, Some(old)).insert(conn).await?;
        changed.push((*participant).into());
    }
    Ok(changed)
}

impl TryFrom<attendance_change::Model> for Change {
    type Error = StoreError;

    fn try_from(m: attendance_change::Model) -> Result<Self, StoreError> {
        let what = "attendance_changes";
        Ok(Change {
            id: m.id.into(),
            participant_id: m.participant_id.into(),
            status: m.status.as_deref().map(|s| status(what, s)).transpose()?,
            attended_minutes: m.attended_minutes.map(|v| minutes(what, v)).transpose()?,
            previous_status: m
                .previous_status
                .as_deref()
                .map(|s| status(what, s))
                .transpose()?,
            previous_minutes: m.previous_minutes.map(|v| minutes(what, v)).transpose()?,
            changed_by: m.changed_by.into(),
            changed_at: m.changed_at,
        })
    }
}

/// A session's changes in the order they were made, keyset-paginated on the id.
pub async fn changes(
    conn: &impl ConnectionTrait,
    session: SessionId,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<Change>, StoreError> {
    let query = attendance_change::Entity::find()
        .filter(attendance_change::Column::SessionId.eq(session.as_uuid()));
    let models = page_query(query, attendance_change::Column::Id, after, limit)
        .all(conn)
        .await?;
    let items = models
        .into_iter()
        .map(Change::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(into_page(items, limit, |c| c.id.as_uuid()))
}

/// Every mark of a participant, in every programme (for their data export).
pub async fn for_account(
    conn: &impl ConnectionTrait,
    participant: AccountId,
) -> Result<Vec<AttendanceRecord>, StoreError> {
    rows(
        attendance::Entity::find()
            .filter(attendance::Column::ParticipantId.eq(participant.as_uuid()))
            .order_by_asc(attendance::Column::RecordedAt)
            .all(conn)
            .await?,
    )
}
