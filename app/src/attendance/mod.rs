//! Attendance: the trainer of a session (or an organiser) records who was there and for how
//! long; each recording decides completion for the people it changed.

mod changes;
mod get;
mod record;

pub use changes::changes;
pub use get::get;
pub use kompetens_domain::attendance::{AttendanceRecord, Change};
pub use record::{AttendanceEntryRequest, MAX_ENTRIES, RecordAttendanceRequest, record};

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use kompetens_domain::ids::{AccountId, ProgrammeId, RegistrationId, SessionId};
use kompetens_domain::policy::{self, AttendanceAction, Decision};
use kompetens_domain::programme::Programme;
use kompetens_domain::registration::{Registration, RegistrationStatus};
use kompetens_domain::session::Session;
use kompetens_persistence::ConnectionTrait;
use kompetens_persistence::repo::registrations::{self, RegistrationFilter};
use kompetens_persistence::repo::{accounts, attendance, programmes, session_choices, sessions};

use crate::{AppError, Caller};

/// A session's attendance list as its reader may see it.
#[derive(Debug, Clone)]
pub struct AttendanceSheet {
    pub session_id: SessionId,
    pub programme_id: ProgrammeId,
    /// The session's length: no one attends longer.
    pub length_minutes: u32,
    /// What attending the whole session counts for.
    pub credit_minutes: u32,
    /// When attendance was first recorded.
    pub recorded_at: Option<DateTime<Utc>>,
    pub open_from: DateTime<Utc>,
    pub open_until: DateTime<Utc>,
    pub entries: Vec<SheetEntry>,
}

/// One participant on a session's list: their mark, if one is recorded.
#[derive(Debug, Clone)]
pub struct SheetEntry {
    pub participant_id: AccountId,
    pub registration_id: RegistrationId,
    pub name: Option<String>,
    pub record: Option<AttendanceRecord>,
}

/// What the caller may do with a session's attendance.
pub(crate) struct Access {
    pub(crate) session: Session,
    pub(crate) programme: Programme,
    /// Organisers and the session's trainers see everyone; participants only themselves.
    pub(crate) sees_everyone: bool,
}

/// Loads a session and its programme (locked, when recording) and asks the policy.
pub(crate) async fn access(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: SessionId,
    action: AttendanceAction,
    lock: bool,
) -> Result<Access, AppError> {
    let session = sessions::find(conn, id).await?.ok_or(AppError::NotFound)?;
    let programme = programmes::find(conn, session.programme_id, lock)
        .await?
        .ok_or(AppError::NotFound)?;
    let teaches = session.trainer_ids.contains(&caller.account.id);
    let organises = caller.actor.is_admin || caller.actor.organises(&programme.organisation_path);
    let registered = !organises
        && !teaches
        && registrations::active_for(conn, programme.id, caller.account.id)
            .await?
            .is_some();
    let decision = policy::attendance(
        &caller.actor,
        &programme.organisation_path,
        teaches,
        registered,
        action,
    );
    match decision {
        Decision::Allow => Ok(Access {
            session,
            programme,
            sees_everyone: organises || teaches,
        }),
        Decision::Forbidden => Err(AppError::Forbidden(
            "only the session's trainers and the programme's organisers record attendance".into(),
        )),
        Decision::NotFound => Err(AppError::NotFound),
    }
}

/// Who is expected at a session: the programme's confirmed (and completed) participants, and
/// for a session with its own places those holding one.
pub(crate) async fn roster(
    conn: &impl ConnectionTrait,
    programme: &Programme,
    session: &Session,
) -> Result<Vec<Registration>, AppError> {
    let mut all = Vec::new();
    for status in [RegistrationStatus::Confirmed, RegistrationStatus::Completed] {
        let filter = RegistrationFilter {
            status: Some(status),
            ..RegistrationFilter::default()
        };
        let mut after = None;
        loop {
            let page =
                registrations::list_for_programme(conn, programme.id, &filter, after, 200).await?;
            all.extend(page.items);
            match page.next_after {
                Some(next) => after = Some(next),
                None => break,
            }
        }
    }
    if session.capacity.is_some() {
        let ids: Vec<_> = all.iter().map(|r| r.id).collect();
        let holding: BTreeSet<_> = session_choices::active_for_registrations(conn, &ids)
            .await?
            .into_iter()
            .filter(|c| c.session_id == session.id && c.status == session_choices::CONFIRMED)
            .map(|c| c.registration_id)
            .collect();
        all.retain(|r| holding.contains(&r.id));
    }
    all.sort_by_key(|r| r.arrival);
    Ok(all)
}

/// The register: `expected` (the session's roster) with their marks, and anyone else marked;
/// `only`: that participant's entry alone.
pub(crate) async fn sheet(
    conn: &impl ConnectionTrait,
    a: &Access,
    mut expected: Vec<Registration>,
    only: Option<AccountId>,
) -> Result<AttendanceSheet, AppError> {
    let recorded = attendance::for_session(conn, a.session.id).await?;
    if let Some(me) = only {
        expected.retain(|r| r.participant_id == me);
    }
    let mut entries: Vec<(AccountId, RegistrationId, Option<&AttendanceRecord>)> = expected
        .iter()
        .map(|r| {
            (
                r.participant_id,
                r.id,
                recorded
                    .iter()
                    .find(|m| m.participant_id == r.participant_id),
            )
        })
        .collect();
    // Marks of people no longer expected (cancelled since) stay visible.
    for m in &recorded {
        if only.is_some_and(|me| me != m.participant_id) {
            continue;
        }
        if !entries.iter().any(|(p, _, _)| *p == m.participant_id) {
            entries.push((m.participant_id, m.registration_id, Some(m)));
        }
    }
    let ids: Vec<AccountId> = entries.iter().map(|(p, _, _)| *p).collect();
    let names: BTreeMap<AccountId, Option<String>> = accounts::find_many(conn, &ids)
        .await?
        .into_iter()
        .map(|acc| (acc.id, acc.name.map(|n| n.as_str().to_string())))
        .collect();
    let window = i64::from(a.programme.attendance_window_days);
    Ok(AttendanceSheet {
        session_id: a.session.id,
        programme_id: a.programme.id,
        length_minutes: a.session.time.duration_minutes(),
        credit_minutes: a.session.credit_minutes,
        recorded_at: a.session.attendance_recorded_at,
        open_from: a.session.time.starts_at,
        open_until: a.session.time.ends_at + Duration::days(window),
        entries: entries
            .into_iter()
            .map(|(participant, registration, record)| SheetEntry {
                participant_id: participant,
                registration_id: registration,
                name: names.get(&participant).cloned().flatten(),
                record: record.cloned(),
            })
            .collect(),
    })
}
