//! Sessions and the trainers who teach them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kompetens_domain::hour_budget::ActivityType;
use kompetens_domain::ids::{AccountId, ProgrammeId, SessionId, VenueId};
use kompetens_domain::locale::Locale;
use kompetens_domain::session::{SessionStatus, SessionTime};
use kompetens_domain::text::LocalizedText;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Select, Set, Statement,
};
use uuid::Uuid;

use super::from_json;
use crate::Page;
use crate::entities::session::{ActiveModel, Column, Entity, Model};
use crate::entities::session_trainer;
use crate::error::{StoreError, corrupt};

pub use kompetens_domain::session::Session;

fn from_model(m: Model, trainer_ids: Vec<AccountId>) -> Result<Session, StoreError> {
    let title: BTreeMap<String, String> = from_json("sessions.title", &m.title)?;
    Ok(Session {
        id: m.id.into(),
        programme_id: m.programme_id.into(),
        title: LocalizedText::parse(
            title.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            usize::MAX,
        )
        .map_err(|e| corrupt("sessions.title", e.1))?,
        activity_type: ActivityType::parse(&m.activity_type)
            .map_err(|e| corrupt("sessions.activity_type", e))?,
        time: SessionTime::new(m.starts_at, m.ends_at)
            .map_err(|e| corrupt("sessions.ends_at", e))?,
        venue_id: m.venue_id.map(Into::into),
        online_url: m.online_url,
        trainer_ids,
        capacity: m
            .capacity
            .map(u32::try_from)
            .transpose()
            .map_err(|e| corrupt("sessions.capacity", e))?,
        language: m
            .language
            .as_deref()
            .map(Locale::parse)
            .transpose()
            .map_err(|e| corrupt("sessions.language", e))?,
        credit_minutes: u32::try_from(m.credit_minutes)
            .map_err(|e| corrupt("sessions.credit_minutes", e))?,
        parallel_group: m.parallel_group,
        status: SessionStatus::parse(&m.status).map_err(|e| corrupt("sessions.status", e))?,
        attendance_recorded_at: m.attendance_recorded_at,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn active(s: &Session) -> ActiveModel {
    ActiveModel {
        id: Set(s.id.as_uuid()),
        programme_id: Set(s.programme_id.as_uuid()),
        title: Set(serde_json::to_string(s.title.entries()).unwrap_or_else(|_| "{}".into())),
        activity_type: Set(s.activity_type.as_str().to_string()),
        starts_at: Set(s.time.starts_at),
        ends_at: Set(s.time.ends_at),
        venue_id: Set(s.venue_id.map(|v| v.as_uuid())),
        online_url: Set(s.online_url.clone()),
        capacity: Set(s.capacity.and_then(|c| i32::try_from(c).ok())),
        language: Set(s.language.as_ref().map(|l| l.as_str().to_string())),
        credit_minutes: Set(i32::try_from(s.credit_minutes).unwrap_or(i32::MAX)),
        parallel_group: Set(s.parallel_group.clone()),
        status: Set(s.status.as_str().to_string()),
        attendance_recorded_at: Set(s.attendance_recorded_at),
        version: Set(s.version),
        created_at: Set(s.created_at),
        updated_at: Set(s.updated_at),
    }
}

async fn write_trainers(conn: &impl ConnectionTrait, s: &Session) -> Result<(), StoreError> {
    session_trainer::Entity::delete_many()
        .filter(session_trainer::Column::SessionId.eq(s.id.as_uuid()))
        .exec(conn)
        .await?;
    if s.trainer_ids.is_empty() {
        return Ok(());
    }
    session_trainer::Entity::insert_many(s.trainer_ids.iter().map(|t| {
        session_trainer::ActiveModel {
            session_id: Set(s.id.as_uuid()),
            account_id: Set(t.as_uuid()),
        }
    }))
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub async fn insert(conn: &impl ConnectionTrait, session: &Session) -> Result<(), StoreError> {
    active(session).insert(conn).await?;
    write_trainers(conn, session).await
}

pub async fn save(conn: &impl ConnectionTrait, session: &Session) -> Result<(), StoreError> {
    active(session).update(conn).await?;
    write_trainers(conn, session).await
}

/// Records that the session's attendance was taken (the first time only): from then on it
/// counts as delivered.
pub async fn mark_delivered(
    conn: &impl ConnectionTrait,
    id: SessionId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(
            Column::AttendanceRecordedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(Column::Id.eq(id.as_uuid()))
        .filter(Column::AttendanceRecordedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &impl ConnectionTrait, id: SessionId) -> Result<(), StoreError> {
    Entity::delete_by_id(id.as_uuid()).exec(conn).await?;
    Ok(())
}

/// Loads the trainers of the given rows and builds the sessions.
async fn with_trainers(
    conn: &impl ConnectionTrait,
    rows: Vec<Model>,
) -> Result<Vec<Session>, StoreError> {
    let ids: Vec<Uuid> = rows.iter().map(|m| m.id).collect();
    let mut trainers: BTreeMap<Uuid, Vec<AccountId>> = BTreeMap::new();
    if !ids.is_empty() {
        for row in session_trainer::Entity::find()
            .filter(session_trainer::Column::SessionId.is_in(ids))
            .order_by_asc(session_trainer::Column::AccountId)
            .all(conn)
            .await?
        {
            trainers
                .entry(row.session_id)
                .or_default()
                .push(row.account_id.into());
        }
    }
    rows.into_iter()
        .map(|m| {
            let t = trainers.remove(&m.id).unwrap_or_default();
            from_model(m, t)
        })
        .collect()
}

/// Reads a session (the programme's lock, not the session's, guards changes to it).
pub async fn find(
    conn: &impl ConnectionTrait,
    id: SessionId,
) -> Result<Option<Session>, StoreError> {
    let Some(row) = Entity::find_by_id(id.as_uuid()).one(conn).await? else {
        return Ok(None);
    };
    Ok(with_trainers(conn, vec![row]).await?.pop())
}

/// Every session of a programme, in order of start.
pub async fn all_for_programme(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
) -> Result<Vec<Session>, StoreError> {
    let rows = Entity::find()
        .filter(Column::ProgrammeId.eq(programme.as_uuid()))
        .order_by_asc(Column::StartsAt)
        .order_by_asc(Column::Id)
        .all(conn)
        .await?;
    with_trainers(conn, rows).await
}

/// Scheduled sessions other than `except` whose time overlaps `time` (half-open: touching
/// ends do not count), in order of start.
fn scheduled_overlapping(time: SessionTime, except: SessionId) -> Select<Entity> {
    Entity::find()
        .filter(Column::Status.eq(SessionStatus::Scheduled.as_str()))
        .filter(Column::StartsAt.lt(time.ends_at))
        .filter(Column::EndsAt.gt(time.starts_at))
        .filter(Column::Id.ne(except.as_uuid()))
        .order_by_asc(Column::StartsAt)
        .order_by_asc(Column::Id)
}

/// The scheduled sessions, in any programme, that any of `trainers` teaches at a time
/// overlapping `time`, other than `except` (the session being written).
pub async fn overlapping_for_trainers(
    conn: &impl ConnectionTrait,
    trainers: &[AccountId],
    time: SessionTime,
    except: SessionId,
) -> Result<Vec<Session>, StoreError> {
    if trainers.is_empty() {
        return Ok(Vec::new());
    }
    let taught = Query::select()
        .column(session_trainer::Column::SessionId)
        .from(session_trainer::Entity)
        .and_where(session_trainer::Column::AccountId.is_in(trainers.iter().map(|t| t.as_uuid())))
        .to_owned();
    let rows = scheduled_overlapping(time, except)
        .filter(Column::Id.in_subquery(taught))
        .all(conn)
        .await?;
    with_trainers(conn, rows).await
}

/// The scheduled sessions, in any programme, at `venue` at a time overlapping `time`, other
/// than `except` (the session being written).
pub async fn overlapping_at_venue(
    conn: &impl ConnectionTrait,
    venue: VenueId,
    time: SessionTime,
    except: SessionId,
) -> Result<Vec<Session>, StoreError> {
    let rows = scheduled_overlapping(time, except)
        .filter(Column::VenueId.eq(venue.as_uuid()))
        .all(conn)
        .await?;
    with_trainers(conn, rows).await
}

/// Kinds of schedule lock, so that a trainer's key and a venue's never meet by design.
const TRAINER_SCHEDULE: &[u8] = b"kompetens/schedule/trainer/";
const VENUE_SCHEDULE: &[u8] = b"kompetens/schedule/venue/";

/// A stable 64-bit key for an advisory lock (FNV-1a over the kind and the UUID): the same on
/// every instance and every build. Two ids sharing a key only wait for each other.
fn schedule_key(kind: &[u8], id: Uuid) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in kind.iter().chain(id.as_bytes()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// Locks the schedules of `trainers` and `venue` until the transaction ends, so that the
/// invariants "a trainer never teaches two overlapping sessions" and "a venue never hosts more
/// than its `concurrent_sessions` at once" hold across programmes: two session writes in
/// different programmes hold different programme locks, so without these both could look for
/// overlaps, find none, and both write. Take it after the programme's lock and before looking.
///
/// PostgreSQL: `pg_advisory_xact_lock` per trainer and venue, in ascending key order so that
/// two transactions never wait for each other in a cycle. SQLite: nothing, as the IMMEDIATE
/// write transaction (`begin_write`) already admits one writer at a time.
pub async fn lock_schedules(
    conn: &impl ConnectionTrait,
    trainers: &[AccountId],
    venue: Option<VenueId>,
) -> Result<(), StoreError> {
    if conn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let mut keys: Vec<i64> = trainers
        .iter()
        .map(|t| schedule_key(TRAINER_SCHEDULE, t.as_uuid()))
        .chain(venue.map(|v| schedule_key(VENUE_SCHEDULE, v.as_uuid())))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        conn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}

pub async fn count_scheduled(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(Entity::find()
        .filter(Column::ProgrammeId.eq(programme.as_uuid()))
        .filter(Column::Status.eq(SessionStatus::Scheduled.as_str()))
        .count(conn)
        .await?)
}

/// Keyset pagination in order of start: after the session `after`, `limit` more.
async fn page_by_start(
    conn: &impl ConnectionTrait,
    query: Select<Entity>,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<Session>, StoreError> {
    let mut query = query;
    if let Some(after) = after {
        // The cursor names the last session of the previous page; continue from its start.
        let Some(last) = Entity::find_by_id(after).one(conn).await? else {
            return Ok(Page {
                items: Vec::new(),
                next_after: None,
            });
        };
        query = query.filter(
            Condition::any()
                .add(Column::StartsAt.gt(last.starts_at))
                .add(
                    Condition::all()
                        .add(Column::StartsAt.eq(last.starts_at))
                        .add(Column::Id.gt(after)),
                ),
        );
    }
    let rows = query
        .order_by_asc(Column::StartsAt)
        .order_by_asc(Column::Id)
        .limit(limit + 1)
        .all(conn)
        .await?;
    let items = with_trainers(conn, rows).await?;
    Ok(super::into_page(items, limit, |s| s.id.as_uuid()))
}

#[derive(Debug, Default)]
pub struct SessionFilter {
    pub activity_type: Option<ActivityType>,
    pub venue_id: Option<VenueId>,
    /// Sessions starting at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Sessions starting before this instant.
    pub to: Option<DateTime<Utc>>,
}

fn filtered(mut query: Select<Entity>, filter: &SessionFilter) -> Select<Entity> {
    if let Some(a) = filter.activity_type {
        query = query.filter(Column::ActivityType.eq(a.as_str()));
    }
    if let Some(v) = filter.venue_id {
        query = query.filter(Column::VenueId.eq(v.as_uuid()));
    }
    if let Some(from) = filter.from {
        query = query.filter(Column::StartsAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(Column::StartsAt.lt(to));
    }
    query
}

pub async fn list_for_programme(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
    filter: &SessionFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<Session>, StoreError> {
    let query = filtered(
        Entity::find().filter(Column::ProgrammeId.eq(programme.as_uuid())),
        filter,
    );
    page_by_start(conn, query, after, limit).await
}

/// The sessions an account teaches, in order of start.
pub async fn list_for_trainer(
    conn: &impl ConnectionTrait,
    trainer: AccountId,
    filter: &SessionFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<Session>, StoreError> {
    let taught = Query::select()
        .column(session_trainer::Column::SessionId)
        .from(session_trainer::Entity)
        .and_where(session_trainer::Column::AccountId.eq(trainer.as_uuid()))
        .to_owned();
    let query = filtered(
        Entity::find().filter(Column::Id.in_subquery(taught)),
        filter,
    );
    page_by_start(conn, query, after, limit).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_keys_are_stable_and_kept_apart_by_kind() {
        let id = Uuid::from_u128(0x019a_5f3e_7c1d_7b2a_9e4f_0a1b_2c3d_4e5f);
        // The keys are shared by every instance, old and new: they must never change.
        assert_eq!(
            schedule_key(TRAINER_SCHEDULE, id),
            6_389_919_518_210_669_150
        );
        assert_eq!(schedule_key(VENUE_SCHEDULE, id), 63_555_147_013_056_328);
        assert_ne!(
            schedule_key(TRAINER_SCHEDULE, id),
            schedule_key(TRAINER_SCHEDULE, Uuid::from_u128(1))
        );
    }
}
