//! Sessions: the dated occurrences of a programme, their trainers, and calendars of them. Each
//! handler reads the request, calls one use case of `kompetens_app::sessions` and renders what
//! it returns.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, FixedOffset, Utc};
use kompetens_app::sessions::{
    self, Calendar, NewSession, SessionChanges, SessionFilter, SessionView,
};
use kompetens_domain::hour_budget::ActivityType;
use kompetens_domain::ids::{ProgrammeId, SessionId};
use kompetens_domain::locale::Locale;
use kompetens_domain::session::SessionStatus;
use kompetens_domain::time_zone::TimeZone;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{TextMap, ok_versioned, text_map};
use crate::auth::Authenticated;
use crate::auth::caller::MaybeCaller;
use crate::body::{Checked, Json};
use crate::error::{ApiError, Problem};
use crate::extract::{PageParams, encode_cursor, if_match};
use crate::idempotency::{self, IdempotencyKey, Reply};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ec0",
    "programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0",
    "title": {"pl": "Warsztat: komunikacja międzykulturowa w szkole"},
    "activity_type": "workshop",
    "starts_at": "2026-06-13T09:00:00+02:00",
    "ends_at": "2026-06-13T12:00:00+02:00",
    "time_zone": "Europe/Warsaw",
    "venue_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e90",
    "online_url": null,
    "trainer_ids": ["019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f"],
    "capacity": null,
    "language": "pl",
    "credit_minutes": 180,
    "parallel_group": null,
    "status": "scheduled",
    "created_at": "2026-04-20T10:00:00Z",
    "updated_at": "2026-04-20T10:00:00Z",
    "version": 1
}))]
pub struct SessionResponse {
    pub id: Uuid,
    pub programme_id: Uuid,
    #[schema(value_type = BTreeMap<String, String>)]
    pub title: TextMap,
    pub activity_type: ActivityType,
    /// In the programme's time zone (its offset on that day).
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    /// The programme's time zone.
    pub time_zone: TimeZone,
    pub venue_id: Option<Uuid>,
    pub online_url: Option<String>,
    pub trainer_ids: Vec<Uuid>,
    /// Places in this session, when it has its own list (parallel sessions, supervision slots).
    pub capacity: Option<u32>,
    pub language: Option<Locale>,
    /// The minutes this session counts for.
    pub credit_minutes: u32,
    /// Sessions sharing a parallel group are alternatives: a participant attends one of them.
    pub parallel_group: Option<String>,
    pub status: SessionStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also sent as the `ETag` header.
    pub version: i32,
}

fn response(v: &SessionView) -> SessionResponse {
    let (s, p) = (&v.session, &v.programme);
    let zone = p.time_zone;
    SessionResponse {
        id: s.id.as_uuid(),
        programme_id: s.programme_id.as_uuid(),
        title: text_map(&s.title),
        activity_type: s.activity_type,
        starts_at: zone.local(s.time.starts_at),
        ends_at: zone.local(s.time.ends_at),
        time_zone: p.time_zone,
        venue_id: s.venue_id.map(|v| v.as_uuid()),
        online_url: s.online_url.clone(),
        trainer_ids: s.trainer_ids.iter().map(|t| t.as_uuid()).collect(),
        capacity: s.capacity,
        language: s.language.clone(),
        credit_minutes: s.credit_minutes,
        parallel_group: s.parallel_group.clone(),
        status: s.status,
        created_at: s.created_at,
        updated_at: s.updated_at,
        version: s.version,
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<SessionResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    #[param(value_type = Option<ActivityType>)]
    pub activity_type: Option<String>,
    pub venue_id: Option<Uuid>,
    /// Sessions starting at or after this instant (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub from: Option<String>,
    /// Sessions starting before this instant (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub to: Option<String>,
}

impl SessionQuery {
    /// The filter and the page, or every problem with either.
    fn parse(
        &self,
        page: &PageParams,
    ) -> Result<(SessionFilter, kompetens_app::PageRequest), ApiError> {
        let mut errors = Vec::new();
        let page = page.request(&mut errors);
        let instant = |raw: &str| {
            DateTime::parse_from_rfc3339(raw)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| kompetens_domain::Invalid::new("must be an RFC 3339 instant"))
        };
        let filter = SessionFilter {
            activity_type: super::query_param(
                &mut errors,
                "activity_type",
                self.activity_type.as_deref(),
                ActivityType::parse,
            ),
            venue_id: self.venue_id.map(Into::into),
            from: super::query_param(&mut errors, "from", self.from.as_deref(), instant),
            to: super::query_param(&mut errors, "to", self.to.as_deref(), instant),
        };
        if errors.is_empty() {
            Ok((filter, page))
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

fn created(v: &SessionView) -> Result<Reply, kompetens_app::AppError> {
    idempotency::render(
        201,
        &response(v),
        Some(format!("/sessions/{}", v.session.id)),
        Some(v.session.version),
    )
}

/// Add a session to a programme.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    request_body = NewSession,
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry for 24 hours")
    ),
    responses(
        (status = 201, description = "Created", body = SessionResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "You may see the programme but not change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The session would exceed its hour-budget line (`/problems/hour-budget-exceeded`); one of its trainers already teaches a scheduled session, in any programme, at an overlapping time (`/problems/trainer-double-booked`); its venue already hosts its `concurrent_sessions` at that time (`/problems/venue-double-booked`); or the programme is archived. A double-booking names the earliest session in the way in `existing`, and `detail` says which trainer or venue, and that session's id, start and end. Times are half-open: a session may start when another ends", body = Problem, content_type = "application/problem+json",
            examples(
                ("hour-budget-exceeded" = (value = json!({"type": "/problems/hour-budget-exceeded", "title": "The sessions would exceed the hour budget", "status": 409, "detail": "the workshop line plans 900 minutes, but sessions would schedule 990. Raise the line (PUT …/hour-budget, or send \"raise_budget\": true with the session) or shorten the sessions", "errors": [{"pointer": "/hour_budget/workshop", "detail": "the workshop line plans 900 minutes, but sessions would schedule 990"}]}))),
                ("trainer-double-booked" = (value = json!({"type": "/problems/trainer-double-booked", "title": "A trainer already teaches another session at that time", "status": 409, "detail": "trainer 019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f already teaches session 019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ec1 from 2026-06-14T14:00:00+02:00 to 2026-06-14T16:00:00+02:00, which overlaps this session; choose another time or another trainer", "existing": "/api/v1/sessions/019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ec1"}))),
                ("venue-double-booked" = (value = json!({"type": "/problems/venue-double-booked", "title": "The venue already hosts as many sessions as it can at that time", "status": 409, "detail": "venue 019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e90 hosts one session at a time (concurrent_sessions 1) and already hosts session 019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ec2 from 2026-06-14T15:00:00+02:00 to 2026-06-14T17:00:00+02:00; choose another time or venue, or raise the venue's concurrent_sessions", "existing": "/api/v1/sessions/019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ec2"})))
            )),
        (status = 422, description = "Invalid fields: times, outside the programme's dates, unknown venue or trainer", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/programmes/{id}/sessions")]
pub async fn create_session(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: Checked<NewSession>,
) -> Result<HttpResponse, ApiError> {
    let Checked(body) = body;
    let once = key.once(body.raw(), &created);
    let outcome = sessions::create(
        &state.app,
        &caller,
        ProgrammeId::from_uuid(*id),
        body.into_inner(),
        once,
    )
    .await?;
    idempotency::respond(outcome, &created)
}

/// List a programme's sessions, in order of start.
#[utoipa::path(
    tag = "sessions",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id"), PageParams, SessionQuery),
    responses(
        (status = 200, description = "A page of sessions", body = SessionList),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/programmes/{id}/sessions")]
pub async fn list_sessions(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
    query: web::Query<SessionQuery>,
) -> Result<HttpResponse, ApiError> {
    let programme = ProgrammeId::from_uuid(*id);
    let (filter, page) = match query.parse(&page) {
        Ok(parsed) => parsed,
        Err(problems) => {
            // An invisible programme is 404 whatever the query says.
            kompetens_app::programmes::get(&state.app, caller.caller(), programme).await?;
            return Err(problems);
        }
    };
    let found =
        sessions::list_for_programme(&state.app, caller.caller(), programme, &filter, page).await?;
    Ok(HttpResponse::Ok().json(SessionList {
        items: found.items.iter().map(response).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}

/// Get a session.
#[utoipa::path(
    tag = "sessions",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 200, description = "The session", body = SessionResponse, headers(("ETag" = String))),
        (status = 404, description = "No such session, or not visible to you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/sessions/{id}")]
pub async fn get_session(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let v = sessions::get(&state.app, caller.caller(), SessionId::from_uuid(*id)).await?;
    Ok(ok_versioned(v.session.version, &response(&v)))
}

/// Change a session.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    request_body = SessionChanges,
    params(
        ("id" = Uuid, Path, description = "Session id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "The updated session", body = SessionResponse, headers(("ETag" = String))),
        (status = 403, description = "You may see it but not change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The change would exceed the hour budget (`/problems/hour-budget-exceeded`); the session, moved or given other trainers or another venue, would have a trainer teach two overlapping scheduled sessions in any programme (`/problems/trainer-double-booked`) or its venue host more than its `concurrent_sessions` at once (`/problems/venue-double-booked`), the earliest session in the way named in `existing`; or the programme is archived", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/sessions/{id}")]
pub async fn update_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: Json<SessionChanges>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let v = sessions::update(
        &state.app,
        &caller,
        SessionId::from_uuid(*id),
        expected,
        body.into_inner(),
    )
    .await?;
    Ok(ok_versioned(v.session.version, &response(&v)))
}

/// Cancel a session: it stays listed (calendars show it cancelled) and counts nowhere.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 200, description = "The cancelled session", body = SessionResponse, headers(("ETag" = String))),
        (status = 403, description = "You may see it but not change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The programme is archived", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/sessions/{id}/cancel")]
pub async fn cancel_session(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let v = sessions::cancel(&state.app, &caller, SessionId::from_uuid(*id)).await?;
    Ok(ok_versioned(v.session.version, &response(&v)))
}

/// Delete a session of a draft programme (published programmes cancel instead).
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "You may see it but not change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The programme is no longer a draft: cancel the session instead (`/problems/invalid-status-transition`)", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/sessions/{id}")]
pub async fn delete_session(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    sessions::delete(&state.app, &caller, SessionId::from_uuid(*id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The sessions you teach, in order of start.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(PageParams, SessionQuery),
    responses(
        (status = 200, description = "A page of sessions", body = SessionList)
    )
)]
#[get("/me/sessions")]
pub async fn my_sessions(
    state: web::Data<AppState>,
    caller: Authenticated,
    page: web::Query<PageParams>,
    query: web::Query<SessionQuery>,
) -> Result<HttpResponse, ApiError> {
    let (filter, page) = query.parse(&page)?;
    let found = sessions::mine(&state.app, &caller, &filter, page).await?;
    Ok(HttpResponse::Ok().json(SessionList {
        items: found.items.iter().map(response).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}

fn ics(calendar: &Calendar) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .body(calendar.render())
}

/// A programme's sessions as an iCalendar feed (RFC 5545).
///
/// Times are local to the programme's time zone (with a VTIMEZONE); UIDs are stable and
/// SEQUENCE rises each time a session changes, so subscribed calendars follow moves.
#[utoipa::path(
    tag = "sessions",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id")),
    responses(
        (status = 200, description = "The calendar", content_type = "text/calendar", body = String,
            example = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kompetens//Kompetens API//EN\r\n…\r\nEND:VCALENDAR\r\n"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/programmes/{id}/calendar.ics")]
pub async fn programme_calendar(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let calendar =
        sessions::programme_calendar(&state.app, caller.caller(), ProgrammeId::from_uuid(*id))
            .await?;
    Ok(ics(&calendar))
}

/// Your sessions as an iCalendar feed (RFC 5545): those you teach, and those of the programmes
/// in which you hold a place (sessions with their own places: where you hold one).
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The calendar", content_type = "text/calendar", body = String,
            example = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kompetens//Kompetens API//EN\r\n…\r\nEND:VCALENDAR\r\n")
    )
)]
#[get("/me/calendar.ics")]
pub async fn my_calendar(
    state: web::Data<AppState>,
    caller: Authenticated,
) -> Result<HttpResponse, ApiError> {
    Ok(ics(&sessions::my_calendar(&state.app, &caller).await?))
}
