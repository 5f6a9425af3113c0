//! Attendance: the trainer of a session (or an organiser) records who was there and for how
//! long; each recording decides completion for the people it changed
//! (`kompetens_app::attendance`).

use actix_web::{HttpResponse, get, put, web};
use chrono::{DateTime, Utc};
use kompetens_app::attendance::{
    self, AttendanceSheet, Change, RecordAttendanceRequest, SheetEntry,
};
use kompetens_domain::attendance::AttendanceStatus;
use kompetens_domain::ids::SessionId;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::body::Json;
use crate::error::{ApiError, Problem};
use crate::extract::{PageParams, encode_cursor};
use crate::state::AppState;

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

impl From<&SheetEntry> for AttendanceEntryResponse {
    fn from(e: &SheetEntry) -> Self {
        let record = e.record.as_ref();
        AttendanceEntryResponse {
            participant_id: e.participant_id.as_uuid(),
            registration_id: e.registration_id.as_uuid(),
            name: e.name.clone(),
            status: record.map(|m| m.mark.status),
            attended_minutes: record.map(|m| m.mark.attended_minutes),
            recorded_by: record.map(|m| m.recorded_by.as_uuid()),
            recorded_at: record.map(|m| m.recorded_at),
        }
    }
}

impl From<&AttendanceSheet> for AttendanceResponse {
    fn from(s: &AttendanceSheet) -> Self {
        AttendanceResponse {
            session_id: s.session_id.as_uuid(),
            programme_id: s.programme_id.as_uuid(),
            length_minutes: s.length_minutes,
            credit_minutes: s.credit_minutes,
            recorded_at: s.recorded_at,
            open_from: s.open_from,
            open_until: s.open_until,
            entries: s
                .entries
                .iter()
                .map(AttendanceEntryResponse::from)
                .collect(),
        }
    }
}

/// A session's attendance list.
#[utoipa::path(
    tag = "attendance",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 200, description = "The list (a participant sees their own entry only)", body = AttendanceResponse),
        (status = 404, description = "No such session, or its attendance is not yours to see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/sessions/{id}/attendance")]
pub async fn get_attendance(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let sheet = attendance::get(&state.app, &caller, SessionId::from_uuid(*id)).await?;
    Ok(HttpResponse::Ok().json(AttendanceResponse::from(&sheet)))
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
        (status = 403, description = "A participant of the programme: you may see your attendance but not record it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session, or not one you teach or organise", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Too early or too late (`/problems/attendance-closed`), the session is cancelled (`/problems/session-cancelled`), or the programme is not running (`/problems/invalid-status-transition`)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/attendance-closed", "title": "Attendance cannot be recorded now", "status": 409, "detail": "attendance can be recorded from the session's start (2027-06-13T07:00:00+00:00)"})),
        (status = 422, description = "Invalid entries, each named by pointer: unknown or unconfirmed participants, duplicates, minutes out of range", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "The request is not valid", "status": 422, "detail": "1 field is invalid", "errors": [{"pointer": "/entries/2/participant_id", "detail": "not a confirmed participant of this programme"}]}))
    )
)]
#[put("/sessions/{id}/attendance")]
pub async fn record_attendance(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: Json<RecordAttendanceRequest>,
) -> Result<HttpResponse, ApiError> {
    let sheet = attendance::record(
        &state.app,
        &caller,
        SessionId::from_uuid(*id),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(AttendanceResponse::from(&sheet)))
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

impl From<&Change> for AttendanceChangeResponse {
    fn from(c: &Change) -> Self {
        AttendanceChangeResponse {
            id: c.id.as_uuid(),
            participant_id: c.participant_id.as_uuid(),
            status: c.status,
            attended_minutes: c.attended_minutes,
            previous_status: c.previous_status,
            previous_minutes: c.previous_minutes,
            changed_by: c.changed_by.as_uuid(),
            changed_at: c.changed_at,
        }
    }
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
    let mut errors = Vec::new();
    let page = page.request(&mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let page = attendance::changes(&state.app, &caller, SessionId::from_uuid(*id), page).await?;
    Ok(HttpResponse::Ok().json(AttendanceChangeList {
        items: page
            .items
            .iter()
            .map(AttendanceChangeResponse::from)
            .collect(),
        next_cursor: page.next_after.map(encode_cursor),
    }))
}
