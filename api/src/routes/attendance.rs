//! Attendance: the trainer of a session (or an organiser) records who was there and for how
//! long; each recording decides completion for the people it changed.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::{HttpResponse, get, put, web};
use chrono::{DateTime, Duration, Utc};
use kompetens_domain::attendance::{self as rules, AttendanceStatus, Mark};
use kompetens_domain::ids::{AccountId, SessionId};
use kompetens_domain::policy::{self, AttendanceAction, Decision};
use kompetens_domain::programme::ProgrammeStatus;
use kompetens_domain::registration::RegistrationStatus;
use kompetens_domain::session::SessionStatus;
use kompetens_persistence::repo::attendance::{self as marks, AttendanceRecord, NewMark};
use kompetens_persistence::repo::programmes::{self, Programme};
use kompetens_persistence::repo::registrations::{self, Registration, RegistrationFilter};
use kompetens_persistence::repo::sessions::{self, Session};
use kompetens_persistence::repo::{accounts, session_choices};
use kompetens_persistence::{ConnectionTrait, begin_write};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::completion;
use crate::auth::{Authenticated, Caller};
use crate::error::{ApiError, FieldError, Problem};
use crate::extract::{Fields, JsonBody, PageParams, Problems, encode_cursor, read};
use crate::state::AppState;

/// The most entries one attendance list may hold.
pub const MAX_ENTRIES: usize = 1000;

/// What the caller may do with a session's attendance.
struct Access {
    session: Session,
    programme: Programme,
    /// Organisers and the session's trainers see everyone; participants only themselves.
    sees_everyone: bool,
}

/// Loads a session and its programme (locked, when recording) and asks the policy.
async fn access(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
    action: AttendanceAction,
    lock: bool,
) -> Result<Access, ApiError> {
    let session = sessions::find(conn, SessionId::from_uuid(id))
        .await?
        .ok_or(ApiError::NotFound)?;
    let programme = programmes::find(conn, session.programme_id, lock)
        .await?
        .ok_or(ApiError::NotFound)?;
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
        Decision::Forbidden => Err(ApiError::Forbidden(
            "only the session's trainers and the programme's organisers record attendance".into(),
        )),
        Decision::NotFound => Err(ApiError::NotFound),
    }
}

/// One participant on a session's list: their mark, or nulls while none is recorded.
#[derive(Serialize, ToSchema)]
pub struct AttendanceEntryResponse {
    pub participant_id: Uuid,
    pub registration_id: Uuid,
    /// The participant's name, for the trainer taking the register.
    pub name: Option<String>,
    /// `present`, `absent` or `excused`; `null` while not recorded.
    pub status: Option<AttendanceStatus>,
    pub attended_minutes: Option<u32>,
    pub recorded_by: Option<Uuid>,
    pub recorded_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "session_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ec0",
    "programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0",
    "length_minutes": 180,
    "credit_minutes": 180,
    "recorded_at": "2026-06-13T12:05:00Z",
    "open_from": "2026-06-13T07:00:00Z",
    "open_until": "2026-06-27T10:00:00Z",
    "entries": [
        {"participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f", "registration_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ed0", "name": "Olena Kovalenko", "status": "present", "attended_minutes": 180, "recorded_by": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e70", "recorded_at": "2026-06-13T12:05:00Z"},
        {"participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e60", "registration_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ed1", "name": "Anna Nowak", "status": "excused", "attended_minutes": 0, "recorded_by": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e70", "recorded_at": "2026-06-13T12:05:00Z"}
    ]
}))]
pub struct AttendanceResponse {
    pub session_id: Uuid,
    pub programme_id: Uuid,
    /// The session's length: no one attends longer.
    pub length_minutes: u32,
    /// What attending the whole session counts for.
    pub credit_minutes: u32,
    /// When attendance was first recorded (the session counts as delivered from then on).
    pub recorded_at: Option<DateTime<Utc>>,
    /// Attendance may be recorded from the session's start …
    pub open_from: DateTime<Utc>,
    /// … until this long after its end (the programme's `attendance_window_days`).
    pub open_until: DateTime<Utc>,
    /// For organisers and the session's trainers: every participant expected (confirmed in the
    /// programme, and in the session where it has its own places) and everyone marked. For a
    /// participant: their own entry only.
    pub entries: Vec<AttendanceEntryResponse>,
}

/// Who is expected at a session: the programme's confirmed (and completed) participants, and
/// for a session with its own places those holding one.
async fn roster(
    conn: &impl ConnectionTrait,
    programme: &Programme,
    session: &Session,
) -> Result<Vec<Registration>, ApiError> {
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

/// The register: `expected` (the session's roster) with their marks, and anyone else marked.
async fn attendance_response(
    conn: &impl ConnectionTrait,
    a: &Access,
    mut expected: Vec<Registration>,
    only: Option<AccountId>,
) -> Result<AttendanceResponse, ApiError> {
    let recorded = marks::for_session(conn, a.session.id).await?;
    if let Some(me) = only {
        expected.retain(|r| r.participant_id == me);
    }
    let mut entries: Vec<(Uuid, Uuid, Option<&AttendanceRecord>)> = expected
        .iter()
        .map(|r| {
            (
                r.participant_id.as_uuid(),
                r.id.as_uuid(),
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
        if !entries
            .iter()
            .any(|(p, _, _)| *p == m.participant_id.as_uuid())
        {
            entries.push((
                m.participant_id.as_uuid(),
                m.registration_id.as_uuid(),
                Some(m),
            ));
        }
    }
    let ids: Vec<AccountId> = entries
        .iter()
        .map(|(p, _, _)| AccountId::from_uuid(*p))
        .collect();
    let names: BTreeMap<AccountId, Option<String>> = accounts::find_many(conn, &ids)
        .await?
        .into_iter()
        .map(|acc| (acc.id, acc.name.map(|n| n.as_str().to_string())))
        .collect();
    let window = i64::from(a.programme.attendance_window_days);
    Ok(AttendanceResponse {
        session_id: a.session.id.as_uuid(),
        programme_id: a.programme.id.as_uuid(),
        length_minutes: a.session.time.duration_minutes(),
        credit_minutes: a.session.credit_minutes,
        recorded_at: a.session.attendance_recorded_at,
        open_from: a.session.time.starts_at,
        open_until: a.session.time.ends_at + Duration::days(window),
        entries: entries
            .into_iter()
            .map(
                |(participant, registration, mark)| AttendanceEntryResponse {
                    participant_id: participant,
                    registration_id: registration,
                    name: names
                        .get(&AccountId::from_uuid(participant))
                        .cloned()
                        .flatten(),
                    status: mark.map(|m| m.mark.status),
                    attended_minutes: mark.map(|m| m.mark.attended_minutes),
                    recorded_by: mark.map(|m| m.recorded_by.as_uuid()),
                    recorded_at: mark.map(|m| m.recorded_at),
                },
            )
            .collect(),
    })
}

/// A session's attendance list.
#[utoipa::path(
    tag = "attendance",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 200, description = "The list (a participant sees their own entry only)", body = AttendanceResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session, or its attendance is not yours to see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/sessions/{id}/attendance")]
pub async fn get_attendance(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let a = access(&state.db, &caller, *id, AttendanceAction::Read, false).await?;
    let only = (!a.sees_everyone).then_some(caller.account.id);
    let expected = roster(&state.db, &a.programme, &a.session).await?;
    Ok(HttpResponse::Ok().json(attendance_response(&state.db, &a, expected, only).await?))
}

/// The whole attendance list of a session.
#[derive(ToSchema)]
#[schema(example = json!({"entries": [
    {"participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f", "status": "present"},
    {"participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e60", "status": "present", "attended_minutes": 120},
    {"participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61", "status": "excused"}
]}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct RecordAttendanceRequest {
    /// At most 1000; participants left out have their earlier marks removed.
    entries: Vec<AttendanceEntryRequest>,
}

#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct AttendanceEntryRequest {
    participant_id: Uuid,
    status: AttendanceStatus,
    /// Defaults to the session's `credit_minutes` for `present` and to 0 otherwise; never
    /// more than the session's length, and only `present` may have any.
    attended_minutes: Option<u32>,
}

/// An entry as read, before it is checked against the session.
struct Entry {
    participant: Uuid,
    status: AttendanceStatus,
    minutes: Option<i64>,
}

fn entry(value: &Value) -> Result<Entry, Problems> {
    let mut f = Fields::of(value)?;
    let participant = f.required("participant_id", read::uuid);
    let status = f.required("status", read::parsed(AttendanceStatus::parse));
    let minutes = f.optional("attended_minutes", |v| {
        v.as_i64()
            .ok_or_else(|| "must be a whole number of minutes".to_string())
    });
    f.done()?;
    match (participant, status) {
        (Some(participant), Some(status)) => Ok(Entry {
            participant,
            status,
            minutes,
        }),
        _ => Err(vec![FieldError::at("", "is not a valid entry")]),
    }
}

/// Record a session's attendance: the whole list, replacing what was recorded before.
///
/// By the session's trainers or the programme's organisers, from the session's start until the
/// programme's `attendance_window_days` after its end. Only confirmed participants of the
/// programme (and of the session, where it has its own places) may be on it. Every change is
/// kept with who made it and when (`GET …/attendance/changes`). Participants who meet the
/// completion rule become `completed` and, where the programme issues them automatically,
/// receive their certificate in the same transaction.
#[utoipa::path(
    tag = "attendance",
    security(("bearer" = [])),
    request_body = RecordAttendanceRequest,
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 200, description = "The list as recorded", body = AttendanceResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A participant of the programme: you may see your attendance but not record it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session, or not one you teach or organise", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Too early or too late (`/problems/attendance-closed`), the session is cancelled (`/problems/session-cancelled`), or the programme is not running (`/problems/invalid-status-transition`)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/attendance-closed", "title": "Attendance cannot be recorded now", "status": 409, "detail": "attendance can be recorded from the session's start (2027-06-13T07:00:00+00:00)"})),
        (status = 422, description = "Invalid entries, each named by pointer: unknown or unconfirmed participants, duplicates, minutes out of range", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "The request is not valid", "status": 422, "detail": "1 field is invalid", "errors": [{"pointer": "/entries/2/participant_id", "detail": "not a confirmed participant of this programme"}]})),
        (status = 503, description = "The database is busy; retry", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/sessions/{id}/attendance")]
pub async fn record_attendance(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let mut f = body.fields()?;
    let entries = f.required_with("entries", read::list(MAX_ENTRIES, entry));
    f.finish()?;
    let entries = entries.unwrap_or_default();
    let now = Utc::now();
    let tx = begin_write(&state.db).await?;
    let a = access(&tx, &caller, *id, AttendanceAction::Record, true).await?;
    match a.programme.status {
        ProgrammeStatus::Published | ProgrammeStatus::Closed => {}
        ProgrammeStatus::Archived => super::legacy::ensure_editable(&a.programme)?,
        ProgrammeStatus::Draft => {
            return Err(ApiError::conflict(
                "invalid-status-transition",
                "the programme is a draft: it has no participants to record",
            ));
        }
    }
    if a.session.status != SessionStatus::Scheduled {
        return Err(ApiError::conflict(
            "session-cancelled",
            "the session is cancelled; there is no attendance to record",
        ));
    }
    if let Err(closed) = rules::may_record(&a.session.time, a.programme.attendance_window_days, now)
    {
        return Err(ApiError::conflict("attendance-closed", closed.describe()));
    }
    let mut expected = roster(&tx, &a.programme, &a.session).await?;
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    let mut new_marks = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        if !seen.insert(e.participant) {
            errors.push(FieldError::at(
                format!("/entries/{i}/participant_id"),
                "appears twice; give one entry per participant",
            ));
            continue;
        }
        let Some(registration) = expected
            .iter()
            .find(|r| r.participant_id.as_uuid() == e.participant)
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
        match Mark::new(
            e.status,
            e.minutes,
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
        return Err(ApiError::Validation(errors));
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
            .ok_or(ApiError::NotFound)?,
        ..a
    };
    // The roster is the same people: settling moves them between confirmed and completed only.
    let body = attendance_response(&tx, &fresh, expected, None).await?;
    tx.commit().await?;
    tracing::info!(session_id = %fresh.session.id, entries = new_marks.len(), changed = changed.len(), "attendance recorded");
    Ok(HttpResponse::Ok().json(body))
}

/// One change to a mark; `status` null: the mark was removed.
#[derive(Serialize, ToSchema)]
pub struct AttendanceChangeResponse {
    pub id: Uuid,
    pub participant_id: Uuid,
    pub status: Option<AttendanceStatus>,
    pub attended_minutes: Option<u32>,
    pub previous_status: Option<AttendanceStatus>,
    pub previous_minutes: Option<u32>,
    pub changed_by: Uuid,
    pub changed_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"items": [
    {"id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ee0", "participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f", "status": "present", "attended_minutes": 180, "previous_status": null, "previous_minutes": null, "changed_by": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e70", "changed_at": "2026-06-13T12:05:00Z"},
    {"id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ee1", "participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f", "status": "present", "attended_minutes": 120, "previous_status": "present", "previous_minutes": 180, "changed_by": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61", "changed_at": "2026-06-14T08:00:00Z"}
], "next_cursor": null}))]
pub struct AttendanceChangeList {
    pub items: Vec<AttendanceChangeResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Every change to a session's attendance, oldest first, with who made it and when (a
/// participant sees the changes to their own mark only).
#[utoipa::path(
    tag = "attendance",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id"), PageParams),
    responses(
        (status = 200, description = "A page of changes", body = AttendanceChangeList),
        (status = 400, description = "Unreadable query string", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session, or its attendance is not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `limit` or `cursor`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/sessions/{id}/attendance/changes")]
pub async fn attendance_changes(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = page.parse()?;
    let a = access(&state.db, &caller, *id, AttendanceAction::Read, false).await?;
    let page = marks::changes(&state.db, a.session.id, after, limit).await?;
    let items = page
        .items
        .into_iter()
        .filter(|c| a.sees_everyone || c.participant_id == caller.account.id)
        .map(|c| AttendanceChangeResponse {
            id: c.id.as_uuid(),
            participant_id: c.participant_id.as_uuid(),
            status: c.status,
            attended_minutes: c.attended_minutes,
            previous_status: c.previous_status,
            previous_minutes: c.previous_minutes,
            changed_by: c.changed_by.as_uuid(),
            changed_at: c.changed_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(AttendanceChangeList {
        items,
        next_cursor: page.next_after.map(encode_cursor),
    }))
}
