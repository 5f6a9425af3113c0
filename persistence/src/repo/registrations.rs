//! Registrations and the seat counters they move.
//!
//! Every function that changes a registration's status runs inside a write transaction that
//! first locked the programme's row (`programmes::find(.., lock = true)`). That lock is what
//! makes the counters, the arrival numbers and the promotions exact under any concurrency and
//! any number of API instances: registrations for one programme are decided one at a time, in
//! the order their transactions take the lock, which is the order in which they commit.

use kompetens_domain::ids::{AccountId, OrganisationId, ProgrammeId, RegistrationId};
use kompetens_domain::organisation::OrganisationPath;
use kompetens_domain::question::Answers;
use kompetens_domain::registration::{Occupancy, RegistrationStatus};
use kompetens_domain::role::JobRole;
use kompetens_domain::seating::Seat;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{into_page, page_query, under_any};
use crate::Page;
use crate::entities::registration::{ActiveModel, Column, Entity, Model};
use crate::entities::{account, organisation, programme};
use crate::error::{StoreError, corrupt};

pub use kompetens_domain::registration::Registration;

impl TryFrom<Model> for Registration {
    type Error = StoreError;

    fn try_from(m: Model) -> Result<Self, StoreError> {
        Ok(Registration {
            id: m.id.into(),
            programme_id: m.programme_id.into(),
            participant_id: m.participant_id.into(),
            status: RegistrationStatus::parse(&m.status)
                .map_err(|e| corrupt("registrations.status", e))?,
            arrival: m.arrival,
            registered_by: m.registered_by.map(Into::into),
            reason: m.reason,
            workplace_organisation_id: m.workplace_organisation_id.map(Into::into),
            job_role: m
                .job_role
                .as_deref()
                .map(JobRole::parse)
                .transpose()
                .map_err(|e| corrupt("registrations.job_role", e))?,
            employment_verified: m.employment_verified,
            priority: m.priority,
            answers: match m.answers.as_deref() {
                Some(raw) => super::from_json("registrations.answers", raw)?,
                None => Answers::new(),
            },
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn active(r: &Registration) -> ActiveModel {
    ActiveModel {
        id: Set(r.id.as_uuid()),
        programme_id: Set(r.programme_id.as_uuid()),
        participant_id: Set(r.participant_id.as_uuid()),
        status: Set(r.status.as_str().to_string()),
        arrival: Set(r.arrival),
        registered_by: Set(r.registered_by.map(|a| a.as_uuid())),
        reason: Set(r.reason.clone()),
        workplace_organisation_id: Set(r.workplace_organisation_id.map(|o| o.as_uuid())),
        job_role: Set(r.job_role.map(|j| j.as_str().to_string())),
        employment_verified: Set(r.employment_verified),
        priority: Set(r.priority),
        answers: Set((!r.answers.is_empty())
            .then(|| serde_json::to_string(&r.answers).ok())
            .flatten()),
        version: Set(r.version),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    }
}

fn rows(models: Vec<Model>) -> Result<Vec<Registration>, StoreError> {
    models.into_iter().map(Registration::try_from).collect()
}

const ACTIVE: [RegistrationStatus; 4] = [
    RegistrationStatus::Pending,
    RegistrationStatus::Confirmed,
    RegistrationStatus::Waitlisted,
    RegistrationStatus::Completed,
];

pub async fn find(
    conn: &impl ConnectionTrait,
    id: RegistrationId,
) -> Result<Option<Registration>, StoreError> {
    Entity::find_by_id(id.as_uuid())
        .one(conn)
        .await?
        .map(Registration::try_from)
        .transpose()
}

/// The participant's registration in the programme that is still in play, if any.
pub async fn active_for(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
    participant: AccountId,
) -> Result<Option<Registration>, StoreError> {
    Entity::find()
        .filter(Column::ProgrammeId.eq(programme.as_uuid()))
        .filter(Column::ParticipantId.eq(participant.as_uuid()))
        .filter(Column::Status.is_in(ACTIVE.iter().map(|s| s.as_str())))
        .one(conn)
        .await?
        .map(Registration::try_from)
        .transpose()
}

/// Moves the seat counters and takes the next arrival number in one statement, under the
/// programme's row lock (which the transaction already holds): one round trip where a
/// `MAX(arrival)` and an UPDATE were two. `ux_registrations_programme_arrival` backs it up.
pub async fn take_arrival(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
    confirmed: i32,
    waitlisted: i32,
) -> Result<i64, StoreError> {
    let stmt = Query::update()
        .table(programme::Entity)
        .value(
            programme::Column::ConfirmedCount,
            Expr::col(programme::Column::ConfirmedCount).add(confirmed),
        )
        .value(
            programme::Column::WaitlistCount,
            Expr::col(programme::Column::WaitlistCount).add(waitlisted),
        )
        .value(
            programme::Column::LastArrival,
            Expr::col(programme::Column::LastArrival).add(1),
        )
        .and_where(programme::Column::Id.eq(programme.as_uuid()))
        .returning_col(programme::Column::LastArrival)
        .to_owned();
    let row = conn
        .query_one(&stmt)
        .await?
        .ok_or_else(|| corrupt("programmes", "the programme vanished under its lock"))?;
    Ok(row.try_get::<i64>("", "last_arrival")?)
}

/// Whether a write failed on `ux_registrations_active_participant`: the participant already
/// has a registration in play (SQLite names the columns, PostgreSQL the index).
pub fn is_already_registered(err: &StoreError) -> bool {
    matches!(err, StoreError::Duplicate(detail)
        if detail.contains("active_participant") || detail.contains("registrations.participant_id"))
}

/// Inserts without reading the row back. Fails with `is_already_registered` when the
/// participant already has a registration in play for the programme.
pub async fn insert(conn: &impl ConnectionTrait, r: &Registration) -> Result<(), StoreError> {
    Entity::insert(active(r))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn save(conn: &impl ConnectionTrait, r: &Registration) -> Result<(), StoreError> {
    active(r).update(conn).await?;
    Ok(())
}

/// Places taken and people waiting, from the programme's counters (read under its lock).
pub fn occupancy(p: &crate::repo::programmes::Programme) -> Occupancy {
    Occupancy {
        capacity: p.capacity,
        confirmed: p.confirmed_count,
        waitlisted: p.waitlist_count,
    }
}

/// Moves the programme's seat counters by the given amounts (under its lock).
pub async fn adjust_counts(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
    confirmed: i32,
    waitlisted: i32,
) -> Result<(), StoreError> {
    if confirmed == 0 && waitlisted == 0 {
        return Ok(());
    }
    programme::Entity::update_many()
        .col_expr(
            programme::Column::ConfirmedCount,
            Expr::col(programme::Column::ConfirmedCount).add(confirmed),
        )
        .col_expr(
            programme::Column::WaitlistCount,
            Expr::col(programme::Column::WaitlistCount).add(waitlisted),
        )
        .filter(programme::Column::Id.eq(programme.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// The first `n` people waiting, in the waiting list's order: the priority group first, each
/// part in order of arrival.
pub async fn first_waiting(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
    n: u32,
) -> Result<Vec<Registration>, StoreError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    rows(
        Entity::find()
            .filter(Column::ProgrammeId.eq(programme.as_uuid()))
            .filter(Column::Status.eq(RegistrationStatus::Waitlisted.as_str()))
            .order_by_desc(Column::Priority)
            .order_by_asc(Column::Arrival)
            .limit(u64::from(n))
            .all(conn)
            .await?,
    )
}

/// Where a waiting registration stands: 1 + how many wait ahead of it (the priority group
/// waits ahead of everyone else; within each part, those who arrived earlier).
pub async fn waitlist_position(
    conn: &impl ConnectionTrait,
    r: &Registration,
) -> Result<Option<u32>, StoreError> {
    if r.status != RegistrationStatus::Waitlisted {
        return Ok(None);
    }
    let ahead_in_part = Column::Priority
        .eq(r.priority)
        .and(Column::Arrival.lt(r.arrival));
    let ahead = if r.priority {
        ahead_in_part
    } else {
        ahead_in_part.or(Column::Priority.eq(true))
    };
    let ahead = Entity::find()
        .filter(Column::ProgrammeId.eq(r.programme_id.as_uuid()))
        .filter(Column::Status.eq(RegistrationStatus::Waitlisted.as_str()))
        .filter(ahead)
        .count(conn)
        .await?;
    Ok(Some(u32::try_from(ahead).unwrap_or(u32::MAX - 1) + 1))
}

/// The arrival numbers of everyone waiting for the programme, in the waiting list's order: a
/// registration's position is its index here plus one.
pub async fn waiting_order(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
) -> Result<Vec<i64>, StoreError> {
    Ok(Entity::find()
        .select_only()
        .column(Column::Arrival)
        .filter(Column::ProgrammeId.eq(programme.as_uuid()))
        .filter(Column::Status.eq(RegistrationStatus::Waitlisted.as_str()))
        .order_by_desc(Column::Priority)
        .order_by_asc(Column::Arrival)
        .into_tuple()
        .all(conn)
        .await?)
}

/// Everyone holding or waiting for one of the programme's places, with where they worked when
/// registering (its place in the tree, for seat caps): what [`kompetens_domain::seating::fill`]
/// decides on. One query; read under the programme's row lock.
pub async fn queue(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
) -> Result<Vec<Seat>, StoreError> {
    let rows: Vec<(Uuid, i64, bool, String, Option<String>)> = Entity::find()
        .select_only()
        .column(Column::Id)
        .column(Column::Arrival)
        .column(Column::Priority)
        .column(Column::Status)
        .column_as(organisation::Column::Path, "workplace_path")
        .join(
            sea_orm::JoinType::LeftJoin,
            Entity::belongs_to(organisation::Entity)
                .from(Column::WorkplaceOrganisationId)
                .to(organisation::Column::Id)
                .into(),
        )
        .filter(Column::ProgrammeId.eq(programme.as_uuid()))
        .filter(Column::Status.is_in([
            RegistrationStatus::Confirmed.as_str(),
            RegistrationStatus::Completed.as_str(),
            RegistrationStatus::Waitlisted.as_str(),
        ]))
        .into_tuple()
        .all(conn)
        .await?;
    rows.into_iter()
        .map(|(id, arrival, priority, status, path)| {
            let status = RegistrationStatus::parse(&status)
                .map_err(|e| corrupt("registrations.status", e))?;
            Ok(Seat {
                id: id.into(),
                arrival,
                priority,
                workplace: path
                    .as_deref()
                    .map(OrganisationPath::decode)
                    .transpose()
                    .map_err(|e| corrupt("organisations.path", e))?,
                holds_place: status.holds_place(),
            })
        })
        .collect()
}

/// The registrations with these ids.
pub async fn find_many(
    conn: &impl ConnectionTrait,
    ids: &[RegistrationId],
) -> Result<Vec<Registration>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    rows(
        Entity::find()
            .filter(Column::Id.is_in(ids.iter().map(|id| id.as_uuid())))
            .all(conn)
            .await?,
    )
}

#[derive(Debug, Default)]
pub struct RegistrationFilter {
    pub status: Option<RegistrationStatus>,
    /// Participants whose workplace is this organisation or one below it.
    pub workplace_within: Option<OrganisationId>,
    pub job_role: Option<JobRole>,
}

/// A programme's registrations in order of arrival, keyset-paginated on the id.
pub async fn list_for_programme(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
    filter: &RegistrationFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<Registration>, StoreError> {
    let mut query = Entity::find().filter(Column::ProgrammeId.eq(programme.as_uuid()));
    if let Some(status) = filter.status {
        query = query.filter(Column::Status.eq(status.as_str()));
    }
    if filter.workplace_within.is_some() || filter.job_role.is_some() {
        let mut people = Query::select()
            .column(account::Column::Id)
            .from(account::Entity)
            .to_owned();
        if let Some(root) = filter.workplace_within {
            let workplaces = Query::select()
                .column(organisation::Column::Id)
                .from(organisation::Entity)
                .cond_where(under_any(organisation::Column::Path, &[root]))
                .to_owned();
            people.and_where(account::Column::WorkplaceOrganisationId.in_subquery(workplaces));
        }
        if let Some(role) = filter.job_role {
            people.and_where(account::Column::JobRole.eq(role.as_str()));
        }
        query = query.filter(Column::ParticipantId.in_subquery(people));
    }
    let models = page_query(query, Column::Id, after, limit)
        .all(conn)
        .await?;
    Ok(into_page(rows(models)?, limit, |r| r.id.as_uuid()))
}

/// A participant's registrations, newest first by id order (ids are time-ordered).
pub async fn list_for_participant(
    conn: &impl ConnectionTrait,
    participant: AccountId,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<Registration>, StoreError> {
    let query = Entity::find().filter(Column::ParticipantId.eq(participant.as_uuid()));
    let models = page_query(query, Column::Id, after, limit)
        .all(conn)
        .await?;
    Ok(into_page(rows(models)?, limit, |r| r.id.as_uuid()))
}

/// Counts by status for a programme (for checks and reports).
pub async fn count(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
    status: RegistrationStatus,
) -> Result<u64, StoreError> {
    Ok(Entity::find()
        .filter(Column::ProgrammeId.eq(programme.as_uuid()))
        .filter(Column::Status.eq(status.as_str()))
        .count(conn)
        .await?)
}

/// Every registration of a programme, in order of arrival (for reports).
pub async fn all_for_programme(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
) -> Result<Vec<Registration>, StoreError> {
    rows(
        Entity::find()
            .filter(Column::ProgrammeId.eq(programme.as_uuid()))
            .order_by_asc(Column::Arrival)
            .all(conn)
            .await?,
    )
}

/// The completed registrations of any of `programmes` (for plan coverage).
pub async fn completed_in(
    conn: &impl ConnectionTrait,
    programmes: &[ProgrammeId],
) -> Result<Vec<Registration>, StoreError> {
    if programmes.is_empty() {
        return Ok(Vec::new());
    }
    rows(
        Entity::find()
            .filter(Column::ProgrammeId.is_in(programmes.iter().map(|p| p.as_uuid())))
            .filter(Column::Status.eq(RegistrationStatus::Completed.as_str()))
            .all(conn)
            .await?,
    )
}

/// A participant's registrations that still hold or wait for a place (for erasure).
pub async fn cancellable_for_participant(
    conn: &impl ConnectionTrait,
    participant: AccountId,
) -> Result<Vec<Registration>, StoreError> {
    rows(
        Entity::find()
            .filter(Column::ParticipantId.eq(participant.as_uuid()))
            .filter(Column::Status.is_in([
                RegistrationStatus::Pending.as_str(),
                RegistrationStatus::Confirmed.as_str(),
                RegistrationStatus::Waitlisted.as_str(),
            ]))
            .all(conn)
            .await?,
    )
}
