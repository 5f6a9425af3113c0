//! Sessions: the dated occurrences of a programme, their trainers, and calendars of them.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, FixedOffset, Utc};
use kompetens_domain::calendar::{self, CalendarEvent};
use kompetens_domain::hour_budget::ActivityType;
use kompetens_domain::ids::{AccountId, ProgrammeId, SessionId, VenueId};
use kompetens_domain::locale::Locale;
use kompetens_domain::policy::ProgrammeAction;
use kompetens_domain::programme::{ProgrammeStatus, capacity};
use kompetens_domain::session::{self as rules, SessionStatus, SessionTime};
use kompetens_domain::text::{self, LocalizedText};
use kompetens_persistence::repo::programmes::{self, Programme};
use kompetens_persistence::repo::sessions::{self, Session, SessionFilter};
use kompetens_persistence::repo::{accounts, memberships, venues};
use kompetens_persistence::{ConnectionTrait, begin_write};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::legacy::{authorised, budget_exceeded, ensure_editable, tally};
use super::{TextMap, check_version, created_versioned, ok_versioned, text_map};
use crate::auth::Authenticated;
use crate::auth::caller::MaybeCaller;
use crate::error::{ApiError, FieldError, Problem};
use crate::extract::{Fields, JsonBody, PageParams, encode_cursor, if_match, read};
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
    /// The programme's IANA time zone.
    pub time_zone: String,
    pub venue_id: Option<Uuid>,
    pub online_url: Option<String>,
    pub trainer_ids: Vec<Uuid>,
    /// Places in this session, when it has its own list (parallel sessions, supervision slots).
    pub capacity: Option<u32>,
    pub language: Option<String>,
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

fn response(s: &Session, p: &Programme) -> SessionResponse {
    let zone = p.time_zone;
    SessionResponse {
        id: s.id.as_uuid(),
        programme_id: s.programme_id.as_uuid(),
        title: text_map(&s.title),
        activity_type: s.activity_type,
        starts_at: zone.local(s.time.starts_at),
        ends_at: zone.local(s.time.ends_at),
        time_zone: p.time_zone.name().to_string(),
        venue_id: s.venue_id.map(|v| v.as_uuid()),
        online_url: s.online_url.clone(),
        trainer_ids: s.trainer_ids.iter().map(|t| t.as_uuid()).collect(),
        capacity: s.capacity,
        language: s.language.as_ref().map(|l| l.as_str().to_string()),
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

/// A new session. Instants are RFC 3339 with offset; the session must fall on the programme's
/// dates in its time zone. `credit_minutes` defaults to the session's length. A session that
/// would take its activity type past the hour budget is refused with 409 unless
/// `raise_budget` is `true`, which raises the line to fit.
#[derive(ToSchema)]
#[schema(example = json!({
    "title": {"pl": "Superwizja grupowa"},
    "activity_type": "group_supervision",
    "starts_at": "2026-06-14T15:00:00+02:00",
    "ends_at": "2026-06-14T18:00:00+02:00",
    "venue_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e90",
    "trainer_ids": ["019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f"],
    "language": "pl"
}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct CreateSessionRequest {
    #[schema(value_type = BTreeMap<String, String>)]
    title: TextMap,
    activity_type: ActivityType,
    starts_at: DateTime<FixedOffset>,
    ends_at: DateTime<FixedOffset>,
    venue_id: Option<Uuid>,
    online_url: Option<String>,
    trainer_ids: Option<Vec<Uuid>>,
    capacity: Option<u32>,
    language: Option<String>,
    credit_minutes: Option<u32>,
    parallel_group: Option<String>,
    raise_budget: Option<bool>,
}

/// Fields to change; `null` clears an optional one. Moving a session raises its `version`,
/// which calendars publish as the event's SEQUENCE.
#[derive(ToSchema)]
#[schema(example = json!({"starts_at": "2026-06-14T16:00:00+02:00", "ends_at": "2026-06-14T19:00:00+02:00"}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct UpdateSessionRequest {
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    title: Option<TextMap>,
    activity_type: Option<ActivityType>,
    starts_at: Option<DateTime<FixedOffset>>,
    ends_at: Option<DateTime<FixedOffset>>,
    venue_id: Option<Uuid>,
    online_url: Option<String>,
    trainer_ids: Option<Vec<Uuid>>,
    capacity: Option<u32>,
    language: Option<String>,
    credit_minutes: Option<u32>,
    parallel_group: Option<String>,
    raise_budget: Option<bool>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    pub activity_type: Option<String>,
    pub venue_id: Option<Uuid>,
    /// Sessions starting at or after this instant (RFC 3339).
    pub from: Option<String>,
    /// Sessions starting before this instant (RFC 3339).
    pub to: Option<String>,
}

impl SessionQuery {
    /// The filter and the page, or every problem with either.
    fn parse(&self, page: &PageParams) -> Result<(SessionFilter, u64, Option<Uuid>), ApiError> {
        let mut errors = Vec::new();
        let (limit, after) = page.parse_collecting(&mut errors);
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
            Ok((filter, limit, after))
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// What a session body asks for beyond the session's own fields.
struct Requested {
    /// `Some(None)`: back to the default (the session's length).
    credit: Option<Option<i64>>,
    raise_budget: bool,
    trainer_ids: Option<Vec<Uuid>>,
}

/// Reads the members shared by create and patch onto `s` (patch semantics; when `creating`,
/// `title`, `activity_type`, `starts_at` and `ends_at` are required).
fn apply(s: &mut Session, f: &mut Fields, creating: bool) -> Requested {
    let title = if creating {
        f.required_with("title", read::localized(300))
    } else {
        f.patch_required_with("title", read::localized(300))
    };
    if let Some(v) = title {
        s.title = v;
    }
    let activity = if creating {
        f.required("activity_type", read::parsed(ActivityType::parse))
    } else {
        f.patch_required("activity_type", read::parsed(ActivityType::parse))
    };
    if let Some(v) = activity {
        s.activity_type = v;
    }
    let (starts, ends) = if creating {
        (
            f.required("starts_at", read::instant),
            f.required("ends_at", read::instant),
        )
    } else {
        (
            f.patch_required("starts_at", read::instant),
            f.patch_required("ends_at", read::instant),
        )
    };
    if starts.is_some() || ends.is_some() {
        match SessionTime::new(
            starts.unwrap_or(s.time.starts_at),
            ends.unwrap_or(s.time.ends_at),
        ) {
            Ok(t) => s.time = t,
            Err(e) if starts.is_some() && ends.is_some() || !creating => f.reject("/ends_at", e.0),
            Err(_) => {}
        }
    }
    if let Some(v) = f.patch("venue_id", read::uuid).into_change() {
        s.venue_id = v.map(VenueId::from_uuid);
    }
    if let Some(v) = f
        .patch("online_url", read::parsed(text::web_url))
        .into_change()
    {
        s.online_url = v;
    }
    let trainer_ids = f
        .patch_with("trainer_ids", read::list(20, read::simple(read::uuid)))
        .into_change()
        .map(|ids| {
            let mut ids = ids.unwrap_or_default();
            ids.sort_unstable();
            ids.dedup();
            ids
        });
    if let Some(v) = f.patch("capacity", read::int(capacity)).into_change() {
        s.capacity = v;
    }
    if let Some(v) = f
        .patch("language", read::parsed(Locale::parse))
        .into_change()
    {
        s.language = v;
    }
    let credit = f
        .patch("credit_minutes", |v| {
            v.as_i64()
                .ok_or_else(|| "must be a whole number".to_string())
        })
        .into_change();
    if let Some(v) = f
        .patch("parallel_group", read::parsed(rules::parallel_group))
        .into_change()
    {
        s.parallel_group = v;
    }
    let raise_budget = f.optional("raise_budget", read::boolean).unwrap_or(false);
    Requested {
        credit,
        raise_budget,
        trainer_ids,
    }
}

/// Checks a session against its programme and what it refers to, and the hour budget with it;
/// raises the budget when asked. Call with the programme locked.
async fn validate_and_fit(
    conn: &impl ConnectionTrait,
    p: &Programme,
    s: &mut Session,
    req: &Requested,
    mut errors: Vec<FieldError>,
) -> Result<(), ApiError> {
    if !p
        .period
        .holds(p.time_zone, s.time.starts_at, s.time.ends_at)
    {
        errors.push(FieldError::at(
            "/starts_at",
            format!(
                "the session must fall within the programme's dates, {} to {} in {}",
                p.period.starts_on(),
                p.period.ends_on(),
                p.time_zone.name()
            ),
        ));
    }
    match req.credit {
        Some(requested) => match s.time.credit(requested) {
            Ok(c) => s.credit_minutes = c,
            Err(e) => errors.push(FieldError::at("/credit_minutes", e.0)),
        },
        // Unchanged: keep the credit unless the session became shorter than it.
        None => match s.time.credit(Some(i64::from(s.credit_minutes))) {
            Ok(c) => s.credit_minutes = c,
            Err(_) => s.credit_minutes = s.time.duration_minutes(),
        },
    }
    if let Some(venue) = s.venue_id
        && venues::find(conn, venue, false).await?.is_none()
    {
        errors.push(FieldError::at("/venue_id", "no such venue"));
    }
    if let Some(ids) = &req.trainer_ids {
        let mut trainers = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            let account = AccountId::from_uuid(*id);
            let may = match accounts::find(conn, account).await? {
                None => false,
                Some(_) => {
                    let grants = memberships::grants_for_account(conn, account).await?;
                    rules::may_teach(&grants, &p.organisation_path)
                }
            };
            if may {
                trainers.push(account);
            } else {
                errors.push(FieldError::at(
                    format!("/trainer_ids/{i}"),
                    "no such trainer: the account must hold the trainer role in the programme's organisation, above it or below it",
                ));
            }
        }
        s.trainer_ids = trainers;
    }
    let mut others: Vec<Session> = sessions::all_for_programme(conn, p.id)
        .await?
        .into_iter()
        .filter(|o| o.id != s.id)
        .collect();
    if let Some(group) = &s.parallel_group
        && let Some(other) = others.iter().find(|o| {
            o.parallel_group.as_ref() == Some(group) && o.activity_type != s.activity_type
        })
    {
        errors.push(FieldError::at(
            "/parallel_group",
            format!(
                "the sessions of parallel group {group} are {}; a group holds one activity type",
                other.activity_type
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    others.push(s.clone());
    let tally = tally(&others);
    let budget = programmes::budget(conn, p.id).await?;
    let overruns: Vec<_> = budget
        .overruns(&tally)
        .into_iter()
        .filter(|o| o.activity_type == s.activity_type)
        .collect();
    if !overruns.is_empty() {
        if !req.raise_budget {
            return Err(budget_exceeded(&overruns));
        }
        programmes::replace_budget(conn, p.id, &budget.raised_to_cover(&tally)).await?;
    }
    Ok(())
}

/// Bumps the programme's version: its budget or sessions changed.
async fn touch(conn: &impl ConnectionTrait, p: &mut Programme) -> Result<(), ApiError> {
    p.version += 1;
    p.updated_at = Utc::now();
    programmes::save(conn, p).await?;
    Ok(())
}

/// Add a session to a programme.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    request_body = CreateSessionRequest,
    params(("id" = Uuid, Path, description = "Programme id")),
    responses(
        (status = 201, description = "Created", body = SessionResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You may see the programme but not change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The session would exceed its hour-budget line (`/problems/hour-budget-exceeded`), or the programme is archived", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/hour-budget-exceeded", "title": "The sessions would exceed the hour budget", "status": 409, "detail": "the workshop line plans 900 minutes, but sessions would schedule 990. Raise the line (PUT …/hour-budget, or send \"raise_budget\": true with the session) or shorten the sessions", "errors": [{"pointer": "/hour_budget/workshop", "detail": "the workshop line plans 900 minutes, but sessions would schedule 990"}]})),
        (status = 422, description = "Invalid fields: times, outside the programme's dates, unknown venue or trainer", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/programmes/{id}/sessions")]
pub async fn create_session(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let tx = begin_write(&state.db).await?;
    let mut p = authorised(
        &tx,
        Some(&caller.actor),
        (*id).into(),
        ProgrammeAction::Manage,
        true,
    )
    .await?;
    ensure_editable(&p)?;
    let now = Utc::now();
    let mut session = Session {
        id: SessionId::new(),
        programme_id: p.id,
        title: LocalizedText::parse([("en", "-")], 1).map_err(|_| super::unreachable_missing())?,
        activity_type: ActivityType::Other,
        time: SessionTime::new(now, now + chrono::Duration::hours(1))
            .map_err(|_| super::unreachable_missing())?,
        venue_id: None,
        online_url: None,
        trainer_ids: Vec::new(),
        capacity: None,
        language: None,
        credit_minutes: 0,
        parallel_group: None,
        status: SessionStatus::Scheduled,
        attendance_recorded_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut f = body.fields()?;
    let mut requested = apply(&mut session, &mut f, true);
    f.finish()?;
    if requested.credit.is_none() {
        requested.credit = Some(None);
    }
    validate_and_fit(&tx, &p, &mut session, &requested, Vec::new()).await?;
    sessions::insert(&tx, &session).await?;
    touch(&tx, &mut p).await?;
    tx.commit().await?;
    tracing::info!(session_id = %session.id, programme_id = %p.id, "session created");
    Ok(created_versioned(
        format!("/sessions/{}", session.id),
        session.version,
        &response(&session, &p),
    ))
}

/// List a programme's sessions, in order of start.
#[utoipa::path(
    tag = "sessions",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id"), PageParams, SessionQuery),
    responses(
        (status = 200, description = "A page of sessions", body = SessionList),
        (status = 400, description = "Unreadable query string", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `limit`, `cursor` or filter", body = Problem, content_type = "application/problem+json")
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
    let p = authorised(
        &state.db,
        caller.actor(),
        (*id).into(),
        ProgrammeAction::Read,
        false,
    )
    .await?;
    let (filter, limit, after) = query.parse(&page)?;
    let page = sessions::list_for_programme(&state.db, p.id, &filter, after, limit).await?;
    Ok(HttpResponse::Ok().json(SessionList {
        items: page.items.iter().map(|s| response(s, &p)).collect(),
        next_cursor: page.next_after.map(encode_cursor),
    }))
}

/// Loads a session and its programme, checking the caller may do `action`.
async fn session_and_programme(
    conn: &impl ConnectionTrait,
    caller: Option<&kompetens_domain::policy::Actor>,
    id: Uuid,
    action: ProgrammeAction,
    lock: bool,
) -> Result<(Session, Programme), ApiError> {
    let session = sessions::find(conn, SessionId::from_uuid(id))
        .await?
        .ok_or(ApiError::NotFound)?;
    let programme = authorised(conn, caller, session.programme_id, action, lock).await?;
    Ok((session, programme))
}

/// Get a session.
#[utoipa::path(
    tag = "sessions",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 200, description = "The session", body = SessionResponse, headers(("ETag" = String))),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session, or not visible to you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/sessions/{id}")]
pub async fn get_session(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (s, p) =
        session_and_programme(&state.db, caller.actor(), *id, ProgrammeAction::Read, false).await?;
    Ok(ok_versioned(s.version, &response(&s, &p)))
}

/// Change a session.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    request_body = UpdateSessionRequest,
    params(
        ("id" = Uuid, Path, description = "Session id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "The updated session", body = SessionResponse, headers(("ETag" = String))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You may see it but not change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The change would exceed the hour budget (`/problems/hour-budget-exceeded`), or the programme is archived", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/sessions/{id}")]
pub async fn update_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let tx = begin_write(&state.db).await?;
    let (mut s, mut p) =
        session_and_programme(&tx, Some(&caller.actor), *id, ProgrammeAction::Manage, true).await?;
    check_version(expected, s.version)?;
    ensure_editable(&p)?;
    let mut f = body.fields()?;
    let requested = apply(&mut s, &mut f, false);
    f.finish()?;
    validate_and_fit(&tx, &p, &mut s, &requested, Vec::new()).await?;
    s.version += 1;
    s.updated_at = Utc::now();
    sessions::save(&tx, &s).await?;
    touch(&tx, &mut p).await?;
    tx.commit().await?;
    Ok(ok_versioned(s.version, &response(&s, &p)))
}

/// Cancel a session: it stays listed (calendars show it cancelled) and counts nowhere.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 200, description = "The cancelled session", body = SessionResponse, headers(("ETag" = String))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
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
    let tx = begin_write(&state.db).await?;
    let (mut s, mut p) =
        session_and_programme(&tx, Some(&caller.actor), *id, ProgrammeAction::Manage, true).await?;
    ensure_editable(&p)?;
    if s.status != SessionStatus::Cancelled {
        s.status = SessionStatus::Cancelled;
        s.version += 1;
        s.updated_at = Utc::now();
        sessions::save(&tx, &s).await?;
        touch(&tx, &mut p).await?;
    }
    tx.commit().await?;
    Ok(ok_versioned(s.version, &response(&s, &p)))
}

/// Delete a session of a draft programme (published programmes cancel instead).
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
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
    let tx = begin_write(&state.db).await?;
    let (s, mut p) =
        session_and_programme(&tx, Some(&caller.actor), *id, ProgrammeAction::Manage, true).await?;
    if p.status != ProgrammeStatus::Draft {
        return Err(ApiError::conflict(
            "invalid-status-transition",
            "sessions of a published programme are cancelled (POST /sessions/{id}/cancel), not deleted",
        ));
    }
    sessions::delete(&tx, s.id).await?;
    touch(&tx, &mut p).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The sessions you teach, in order of start.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(PageParams, SessionQuery),
    responses(
        (status = 200, description = "A page of sessions", body = SessionList),
        (status = 400, description = "Unreadable query string", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `limit`, `cursor` or filter", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/me/sessions")]
pub async fn my_sessions(
    state: web::Data<AppState>,
    caller: Authenticated,
    page: web::Query<PageParams>,
    query: web::Query<SessionQuery>,
) -> Result<HttpResponse, ApiError> {
    let (filter, limit, after) = query.parse(&page)?;
    let page =
        sessions::list_for_trainer(&state.db, caller.account_id(), &filter, after, limit).await?;
    let programmes = programmes_of(&state.db, &page.items).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for s in &page.items {
        let p = programmes
            .get(&s.programme_id)
            .ok_or_else(super::unreachable_missing)?;
        items.push(response(s, p));
    }
    Ok(HttpResponse::Ok().json(SessionList {
        items,
        next_cursor: page.next_after.map(encode_cursor),
    }))
}

async fn programmes_of(
    conn: &impl ConnectionTrait,
    sessions: &[Session],
) -> Result<BTreeMap<ProgrammeId, Programme>, ApiError> {
    let mut ids: Vec<ProgrammeId> = sessions.iter().map(|s| s.programme_id).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(programmes::find_many(conn, &ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Calendars

async fn events(
    conn: &impl ConnectionTrait,
    sessions: &[Session],
    programmes: &BTreeMap<ProgrammeId, Programme>,
) -> Result<Vec<CalendarEvent>, ApiError> {
    let mut venue_ids: Vec<VenueId> = sessions.iter().filter_map(|s| s.venue_id).collect();
    venue_ids.sort_unstable();
    venue_ids.dedup();
    let venues: BTreeMap<VenueId, venues::Venue> = venues::find_many(conn, &venue_ids)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let mut out = Vec::with_capacity(sessions.len());
    for s in sessions {
        let Some(p) = programmes.get(&s.programme_id) else {
            continue;
        };
        let languages: Vec<&str> = p.languages.iter().map(Locale::as_str).collect();
        let location = s
            .venue_id
            .and_then(|v| venues.get(&v))
            .map(|v| format!("{}, {}, {}", v.name, v.address, v.city))
            .or_else(|| s.online_url.clone());
        out.push(CalendarEvent {
            uid: format!("{}@kompetens", s.id),
            sequence: u32::try_from(s.version - 1).unwrap_or(0),
            starts_at: s.time.starts_at,
            ends_at: s.time.ends_at,
            time_zone: p.time_zone.tz(),
            summary: s.title.best(&languages).to_string(),
            description: Some(p.title.best(&languages).to_string()),
            location,
            url: s.online_url.clone(),
            cancelled: s.status == SessionStatus::Cancelled,
            last_modified: s.updated_at,
        });
    }
    Ok(out)
}

fn ics(name: &str, events: &[CalendarEvent]) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .body(calendar::render(name, events, Utc::now()))
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
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/programmes/{id}/calendar.ics")]
pub async fn programme_calendar(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let p = authorised(
        &state.db,
        caller.actor(),
        (*id).into(),
        ProgrammeAction::Read,
        false,
    )
    .await?;
    let all = sessions::all_for_programme(&state.db, p.id).await?;
    let languages: Vec<&str> = p.languages.iter().map(Locale::as_str).collect();
    let name = p.title.best(&languages).to_string();
    let programmes = BTreeMap::from([(p.id, p)]);
    let events = events(&state.db, &all, &programmes).await?;
    Ok(ics(&name, &events))
}

/// Your sessions as an iCalendar feed (RFC 5545): those you teach, and those of the programmes
/// in which you hold a place (sessions with their own places: where you hold one).
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The calendar", content_type = "text/calendar", body = String,
            example = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kompetens//Kompetens API//EN\r\n…\r\nEND:VCALENDAR\r\n"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/me/calendar.ics")]
pub async fn my_calendar(
    state: web::Data<AppState>,
    caller: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let mut all = Vec::new();
    let mut after = None;
    // A calendar is one document: gather every page (bounded: a trainer's sessions).
    for _ in 0..50 {
        let page = sessions::list_for_trainer(
            &state.db,
            caller.account_id(),
            &SessionFilter::default(),
            after,
            200,
        )
        .await?;
        all.extend(page.items);
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    // And the sessions of the programmes the caller holds a place in.
    use kompetens_domain::registration::RegistrationStatus;
    use kompetens_persistence::repo::{registrations, session_choices};
    let mut after = None;
    for _ in 0..50 {
        let page =
            registrations::list_for_participant(&state.db, caller.account_id(), after, 200).await?;
        for r in page.items.iter().filter(|r| {
            matches!(
                r.status,
                RegistrationStatus::Confirmed | RegistrationStatus::Completed
            )
        }) {
            let held: Vec<SessionId> = session_choices::active_for_registration(&state.db, r.id)
                .await?
                .into_iter()
                .filter(|c| c.status == session_choices::CONFIRMED)
                .map(|c| c.session_id)
                .collect();
            for s in sessions::all_for_programme(&state.db, r.programme_id).await? {
                let mine = s.capacity.is_none() || held.contains(&s.id);
                if mine && !all.iter().any(|t: &Session| t.id == s.id) {
                    all.push(s);
                }
            }
        }
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let programmes = programmes_of(&state.db, &all).await?;
    // Drafts stay private, even to those registered in them (they cannot be, but be sure).
    all.retain(|s| {
        programmes.get(&s.programme_id).is_some_and(|p| {
            p.status != ProgrammeStatus::Draft || s.trainer_ids.contains(&caller.account_id())
        })
    });
    let events = events(&state.db, &all, &programmes).await?;
    Ok(ics("Kompetens", &events))
}
