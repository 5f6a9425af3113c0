//! Record a session's attendance: the whole list, replacing what was recorded before.

use std::collections::BTreeSet;

use chrono::Utc;
use kompetens_domain::attendance::{self as rules, AttendanceStatus, AttendedMinutes, Mark};
use kompetens_domain::ids::{AccountId, SessionId};
use kompetens_domain::policy::AttendanceAction;
use kompetens_domain::programme::ProgrammeStatus;
use kompetens_domain::session::SessionStatus;
use kompetens_persistence::repo::attendance::{self as marks, NewMark};
use kompetens_persistence::repo::{registrations, sessions};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Access, AttendanceSheet, access, roster, sheet};
use crate::completion;
use crate::programmes::ensure_editable;
use crate::{App, AppError, Caller, FieldError};

/// The most entries one attendance list may hold.
pub const MAX_ENTRIES: usize = 1000;

/// The whole attendance list of a session.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"entries": [
    {"participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f", "status": "present"},
    {"participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e60", "status": "present", "attended_minutes": 120},
    {"participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61", "status": "excused"}
]}))]
pub struct RecordAttendanceRequest {
    /// At most 1000; participants left out have their earlier marks removed.
    #[schema(max_items = 1000)]
    pub entries: Vec<AttendanceEntryRequest>,
}

/// One participant's mark.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceEntryRequest {
    pub participant_id: AccountId,
    pub status: AttendanceStatus,
    /// Defaults to the session's `credit_minutes` for `present` and to 0 otherwise; never
    /// more than the session's length, and only `present` may have any. `null` is the same
    /// as leaving it out.
    #[serde(default)]
    pub attended_minutes: Option<AttendedMinutes>,
}

/// By the session's trainers or the programme's organisers, from the session's start until the
/// programme's `attendance_window_days` after its end; only confirmed participants of the
/// programme (and of the session, where it has its own places). Participants who meet the
/// completion rule become `completed` and, where the programme issues them automatically,
/// receive their certificate in the same transaction.
pub async fn record(
    app: &App,
    caller: &Caller,
    id: SessionId,
    request: RecordAttendanceRequest,
) -> Result<AttendanceSheet, AppError> {
    let entries = request.entries;
    if entries.len() > MAX_ENTRIES {
        return Err(AppError::invalid(
            "/entries",
            format!("may hold at most {MAX_ENTRIES} items"),
        ));
    }
    let now = Utc::now();
    let tx = app.begin().await?;
    let a = access(&tx, caller, id, AttendanceAction::Record, true).await?;
    match a.programme.status {
        ProgrammeStatus::Published | ProgrammeStatus::Closed => {}
        ProgrammeStatus::Archived => ensure_editable(&a.programme)?,
        ProgrammeStatus::Draft => {
            return Err(AppError::conflict(
                "invalid-status-transition",
                "the programme is a draft: it has no participants to record",
            ));
        }
    }
    if a.session.status != SessionStatus::Scheduled {
        return Err(AppError::conflict(
            "session-cancelled",
            "the session is cancelled; there is no attendance to record",
        ));
    }
    if let Err(closed) = rules::may_record(&a.session.time, a.programme.attendance_window_days, now)
    {
        return Err(AppError::conflict("attendance-closed", closed.describe()));
    }
    let mut expected = roster(&tx, &a.programme, &a.session).await?;
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    let mut new_marks = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        if !seen.insert(e.participant_id) {
            errors.push(FieldError::at(
                format!("/entries/{i}/participant_id"),
                "appears twice; give one entry per participant",
            ));
            continue;
        }
        let Some(registration) = expected
            .iter()
            .find(|r| r.participant_id == e.participant_id)
        else {
            errors.push(FieldError::at(
                format!("/entries/{i}/participant_id"),
                if a.session.capacity.is_some() {
                    "not a confirmed participant of this session (it has its own places)"
                } else {
                    "not a confirmed participant of this programme"
                },
            ));
            continue;
        };
        let requested = e.attended_minutes.map(|m| i64::from(m.get()));
        match Mark::new(
            e.status,
            requested,
            &a.session.time,
            a.session.credit_minutes,
        ) {
            Ok(mark) => new_marks.push(NewMark {
                participant_id: registration.participant_id,
                registration_id: registration.id,
                mark,
            }),
            Err(err) => errors.push(FieldError::at(
                format!("/entries/{i}/attended_minutes"),
                err.0,
            )),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let changed = marks::replace(
        &tx,
        a.session.id,
        a.programme.id,
        &new_marks,
        caller.account.id,
        now,
    )
    .await?;
    sessions::mark_delivered(&tx, a.session.id, now).await?;
    // Everyone expected (the session is now delivered for them all) and everyone whose mark
    // changed: completion is decided afresh for each.
    let facts = completion::facts(&tx, &a.programme).await?;
    let issuer = completion::issuer(&tx, &a.programme).await?;
    let mut settled = BTreeSet::new();
    for r in &mut expected {
        settled.insert(r.participant_id);
        completion::settle(&tx, &facts, &issuer, &a.programme, r, now).await?;
    }
    for participant in changed.iter().filter(|p| !settled.contains(p)) {
        if let Some(mut r) = registrations::active_for(&tx, a.programme.id, *participant).await? {
            completion::settle(&tx, &facts, &issuer, &a.programme, &mut r, now).await?;
        }
    }
    let fresh = Access {
        session: sessions::find(&tx, a.session.id)
            .await?
            .ok_or(AppError::NotFound)?,
        ..a
    };
    // The roster is the same people: settling moves them between confirmed and completed only.
    let recorded = sheet(&tx, &fresh, expected, None).await?;
    tx.commit().await?;
    tracing::info!(session_id = %fresh.session.id, entries = new_marks.len(), changed = changed.len(), "attendance recorded");
    Ok(recorded)
}
