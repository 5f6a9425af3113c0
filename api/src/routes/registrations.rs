//! Registrations: limited places, first come first served, waiting lists that keep their order.
//! Each handler reads the request, calls one use case of `kompetens_app::registrations` and
//! renders what it returns.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use kompetens_app::registrations::{
    self, BatchOutcome, ExportRow, ReasonRequest, RegistrationFilter, RegistrationRequest,
    RegistrationView, SessionChoiceRequest,
};
use kompetens_domain::ids::{ProgrammeId, RegistrationId};
use kompetens_domain::question::Question;
use kompetens_domain::registration::RegistrationStatus;
use kompetens_domain::role::JobRole;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::body::{self, Json, JsonOrEmpty};
use crate::error::{ApiError, Problem};
use crate::extract::{PageParams, encode_cursor};
use crate::idempotency::{self, IdempotencyKey, Reply};
use crate::state::AppState;
use crate::views::registration::{RegistrationList, RegistrationResponse};

fn created(view: &RegistrationView) -> Result<Reply, kompetens_app::AppError> {
    idempotency::render(
        201,
        &RegistrationResponse::from(view),
        Some(format!("/registrations/{}", view.registration.id)),
        None,
    )
}

/// Register for a programme.
///
/// First come first served: confirmed while places last, then waitlisted with an exact,
/// gapless position. Approval: pending until an organiser decides. Invitation: only organisers
/// register people. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "registrations",
    security(("bearer" = [])),
    request_body = RegistrationRequest,
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry for 24 hours")
    ),
    responses(
        (status = 201, description = "Registered (confirmed, waitlisted or pending)", body = RegistrationResponse, headers(("Location" = String))),
        (status = 403, description = "Not eligible (`/problems/not-eligible`), invitation only (`/problems/invitation-required`), or registering someone else without organising the programme", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not open (`/problems/registration-not-open`), or already registered (`/problems/already-registered`, with `existing`)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/already-registered", "title": "Already registered", "status": 409, "detail": "you are already registered for this programme (confirmed)", "existing": "/api/v1/registrations/019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ed0"}))
    )
)]
#[post("/programmes/{id}/registrations")]
pub async fn create_registration(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: Json<RegistrationRequest>,
) -> Result<HttpResponse, ApiError> {
    let once = key.once(body.raw(), &created);
    let outcome = registrations::register(
        &state.app,
        &caller,
        ProgrammeId::from_uuid(*id),
        body.into_inner(),
        once,
    )
    .await?;
    idempotency::respond(outcome, &created)
}

/// Get a registration (your own, or one of a programme you organise).
#[utoipa::path(
    tag = "registrations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "The registration", body = RegistrationResponse),
        (status = 404, description = "No such registration, or not yours to see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/registrations/{id}")]
pub async fn get_registration(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let view = registrations::get(&state.app, &caller, RegistrationId::from_uuid(*id)).await?;
    Ok(HttpResponse::Ok().json(RegistrationResponse::from(&view)))
}

/// Cancel a registration.
///
/// Participants cancel their own until the programme's `cancellation_closes_at` (by default
/// the start of its first day in its own time zone); organisers cancel any, any time, with a
/// reason. A freed place goes to the first person waiting, in the same transaction.
#[utoipa::path(
    tag = "registrations",
    security(("bearer" = [])),
    request_body(content = ReasonRequest, description = "Optional for participants; `reason` required for organisers"),
    params(("id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "Cancelled", body = RegistrationResponse),
        (status = 404, description = "No such registration, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already ended (`/problems/invalid-status-transition`) or too late (`/problems/cancellation-closed`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An organiser gave no reason", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/registrations/{id}/cancel")]
pub async fn cancel_registration(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: JsonOrEmpty<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let view =
        registrations::cancel(&state.app, &caller, RegistrationId::from_uuid(*id), body.0).await?;
    Ok(HttpResponse::Ok().json(RegistrationResponse::from(&view)))
}

/// Approve a pending registration: confirmed if a place is free and nobody waits ahead,
/// otherwise waitlisted in order of arrival.
#[utoipa::path(
    tag = "registrations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "Approved", body = RegistrationResponse),
        (status = 403, description = "Only the programme's organisers decide", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not pending (`/problems/invalid-status-transition`)", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/registrations/{id}/approve")]
pub async fn approve_registration(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let view = registrations::approve(&state.app, &caller, RegistrationId::from_uuid(*id)).await?;
    Ok(HttpResponse::Ok().json(RegistrationResponse::from(&view)))
}

/// Reject a registration (pending, waitlisted or confirmed) with a reason; a freed place goes
/// to the first person waiting.
#[utoipa::path(
    tag = "registrations",
    security(("bearer" = [])),
    request_body(content = ReasonRequest, description = "`reason` is required"),
    params(("id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "Rejected", body = RegistrationResponse),
        (status = 403, description = "Only the programme's organisers decide", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already ended (`/problems/invalid-status-transition`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/registrations/{id}/reject")]
pub async fn reject_registration(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: JsonOrEmpty<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let view =
        registrations::reject(&state.app, &caller, RegistrationId::from_uuid(*id), body.0).await?;
    Ok(HttpResponse::Ok().json(RegistrationResponse::from(&view)))
}

/// Your registrations.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of your registrations", body = RegistrationList)
    )
)]
#[get("/me/registrations")]
pub async fn my_registrations(
    state: web::Data<AppState>,
    caller: Authenticated,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let page = page.request(&mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let page = registrations::mine(&state.app, &caller, page).await?;
    Ok(HttpResponse::Ok().json(RegistrationList {
        items: page.items.iter().map(RegistrationResponse::from).collect(),
        next_cursor: page.next_after.map(encode_cursor),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegistrationQuery {
    #[param(value_type = Option<RegistrationStatus>)]
    pub status: Option<String>,
    /// Participants working at this organisation or any below it.
    pub organisation_id: Option<Uuid>,
    #[param(value_type = Option<JobRole>)]
    pub job_role: Option<String>,
}

/// The columns every export has; one `answer:<question id>` column per question follows.
const CSV_COLUMNS: &str = "registration_id,participant_id,name,email,workplace_organisation_id,job_role,employment_verified,priority,status,waitlist_position,created_at";

fn csv_header(questions: &[Question]) -> String {
    let mut header = String::from(CSV_COLUMNS);
    for q in questions {
        header.push_str(",answer:");
        header.push_str(q.id.as_str());
    }
    header.push_str("\r\n");
    header
}

/// A row: the workplace and job role as registered (what reports count), then the answers.
fn csv_row(row: &ExportRow, questions: &[Question]) -> String {
    let r = &row.view.registration;
    let person = row.participant.as_ref();
    let mut cells = vec![
        r.id.to_string(),
        r.participant_id.to_string(),
        person
            .and_then(|p| p.name.as_ref())
            .map(|n| n.as_str().to_string())
            .unwrap_or_default(),
        person
            .map(|p| p.email.as_str().to_string())
            .unwrap_or_default(),
        r.workplace_organisation_id
            .map(|o| o.to_string())
            .unwrap_or_default(),
        r.job_role
            .map(|j| j.as_str().to_string())
            .unwrap_or_default(),
        r.employment_verified.to_string(),
        r.priority.to_string(),
        r.status.as_str().to_string(),
        row.view
            .waitlist_position
            .map(|p| p.to_string())
            .unwrap_or_default(),
        r.created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    ];
    for q in questions {
        cells.push(
            r.answers
                .get(q.id.as_str())
                .map(ToString::to_string)
                .unwrap_or_default(),
        );
    }
    crate::csv::line(&cells)
}

/// A programme's registrations, in order of arrival (organisers). `Accept: text/csv` gives
/// the same page as CSV, with the participants' names and e-mails, and the next page in a
/// `Link` header.
#[utoipa::path(
    tag = "registrations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id"), PageParams, RegistrationQuery),
    responses(
        (status = 200, description = "A page of registrations", body = RegistrationList,
            content(
                (RegistrationList = "application/json"),
                (String = "text/csv", example = "registration_id,participant_id,name,email,workplace_organisation_id,job_role,employment_verified,priority,status,waitlist_position,created_at,answer:dietary_needs\r\n019a…,019a…,Anna Kowalska,anna@example.pl,019a…,teacher,true,false,confirmed,,2026-05-04T08:00:01Z,vegetarian\r\n")
            )),
        (status = 404, description = "No such programme, or you do not organise it", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/programmes/{id}/registrations")]
pub async fn list_registrations(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
    query: web::Query<RegistrationQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let page = page.request(&mut errors);
    let filter = RegistrationFilter {
        status: super::query_param(
            &mut errors,
            "status",
            query.status.as_deref(),
            RegistrationStatus::parse,
        ),
        workplace_within: query.organisation_id.map(Into::into),
        job_role: super::query_param(
            &mut errors,
            "job_role",
            query.job_role.as_deref(),
            JobRole::parse,
        ),
    };
    let csv = crate::csv::wants_csv(&req);
    // The programme is looked up first: to anyone but its organisers it does not exist (404),
    // whatever the query says.
    let found = registrations::list_for_programme(
        &state.app,
        &caller,
        ProgrammeId::from_uuid(*id),
        &filter,
        page,
        csv,
    )
    .await?;
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let questions = found.questions;
    let found = found.page;
    let next_cursor = found.next_after.map(encode_cursor);
    if csv {
        let mut body = csv_header(&questions);
        for row in &found.items {
            body.push_str(&csv_row(row, &questions));
        }
        let mut reply = HttpResponse::Ok();
        reply.content_type("text/csv; charset=utf-8");
        if let Some(next) = next_cursor {
            // RFC 8288: the next page of the same export.
            reply.insert_header((
                header::LINK,
                format!("<?cursor={next}&limit={}>; rel=\"next\"", page.limit),
            ));
        }
        return Ok(reply.body(body));
    }
    Ok(HttpResponse::Ok().json(RegistrationList {
        items: found
            .items
            .iter()
            .map(|row| RegistrationResponse::from(&row.view))
            .collect(),
        next_cursor,
    }))
}

/// The outcome of one entry: `status` 201 with the registration, or the problem.
#[derive(Serialize, ToSchema)]
pub struct BatchResult {
    /// The entry's index in the request.
    pub index: usize,
    pub status: u16,
    pub registration: Option<RegistrationResponse>,
    pub problem: Option<Problem>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"created": 1, "failed": 1, "results": [
    {"index": 0, "status": 201, "registration": {"id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ed0", "programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0", "participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5e", "status": "confirmed", "arrival": 1, "waitlist_position": null, "session_ids": [], "session_choices": [], "registered_by": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5d", "reason": null, "workplace_organisation_id": null, "job_role": "teacher", "employment_verified": false, "priority": false, "answers": {}, "created_at": "2026-05-04T08:00:01Z", "updated_at": "2026-05-04T08:00:01Z", "version": 1}, "problem": null},
    {"index": 1, "status": 409, "registration": null, "problem": {"type": "/problems/already-registered", "title": "Already registered", "status": 409, "detail": "the participant is already registered for this programme (confirmed)", "existing": "/api/v1/registrations/019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ed1"}}
]}))]
pub struct BatchResponse {
    pub created: usize,
    pub failed: usize,
    pub results: Vec<BatchResult>,
}

impl From<&BatchOutcome> for BatchResponse {
    fn from(outcome: &BatchOutcome) -> Self {
        let results: Vec<BatchResult> = outcome
            .results
            .iter()
            .enumerate()
            .map(|(index, result)| match result {
                Ok(view) => BatchResult {
                    index,
                    status: 201,
                    registration: Some(view.into()),
                    problem: None,
                },
                Err(e) => {
                    let problem = ApiError::from(clone_refusal(e)).problem();
                    BatchResult {
                        index,
                        status: problem.status,
                        registration: None,
                        problem: Some(problem),
                    }
                }
            })
            .collect();
        let created = outcome.created();
        BatchResponse {
            created,
            failed: results.len() - created,
            results,
        }
    }
}

/// A refusal of one entry as the error it renders as (refusals carry no infrastructure errors:
/// those end the whole batch).
fn clone_refusal(e: &kompetens_app::AppError) -> kompetens_app::AppError {
    use kompetens_app::AppError as E;
    match e {
        E::Validation(errors) => E::Validation(errors.clone()),
        E::Forbidden(d) => E::Forbidden(d.clone()),
        E::Refused { code, detail } => E::Refused {
            code,
            detail: detail.clone(),
        },
        E::NotFound => E::NotFound,
        E::Conflict {
            code,
            detail,
            existing,
        } => E::Conflict {
            code,
            detail: detail.clone(),
            existing: existing.clone(),
        },
        E::ConflictWith {
            code,
            detail,
            errors,
        } => E::ConflictWith {
            code,
            detail: detail.clone(),
            errors: errors.clone(),
        },
        other => E::Internal(anyhow::anyhow!("{other}")),
    }
}

/// Up to 500 registrations at once, for scripts.
///
/// Each entry is read on its own, as the body of a single registration: an entry that is not
/// valid fails alone, with its problems (pointers relative to the entry) as its result.
#[derive(ToSchema)]
#[schema(example = json!({"entries": [
    {"email": "olena.kovalenko@example.pl", "name": "Olena Kovalenko", "locale": "uk"},
    {"participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f"}
]}))]
#[expect(
    dead_code,
    reason = "the document's view of a batch: the body is read as a BatchEnvelope, then each entry into a RegistrationRequest, so that a bad entry fails alone instead of the batch"
)]
pub struct BatchRequest {
    /// Each entry as the body of a single registration; processed in order.
    #[schema(max_items = 500)]
    entries: Vec<RegistrationRequest>,
}

/// What the batch body is read as: the entries are read one by one afterwards.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct BatchEnvelope {
    #[schema(max_items = 500, value_type = Vec<Object>)]
    entries: Vec<serde_json::Value>,
}

fn batch_reply(outcome: &BatchOutcome) -> Result<Reply, kompetens_app::AppError> {
    idempotency::render(200, &BatchResponse::from(outcome), None, None)
}

/// Register many people at once (organisers; scripts with an API token).
///
/// Entries are processed in order, each all or nothing (a failed entry leaves no trace), with
/// a result per entry. With `Idempotency-Key`, a retried batch replays the first response.
#[utoipa::path(
    tag = "registrations",
    security(("bearer" = [])),
    request_body = BatchRequest,
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry for 24 hours")
    ),
    responses(
        (status = 200, description = "A result per entry", body = BatchResponse),
        (status = 404, description = "No such programme, or you do not organise it", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/programmes/{id}/registrations/batch")]
pub async fn create_registrations_batch(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: Json<BatchEnvelope>,
) -> Result<HttpResponse, ApiError> {
    let once = key.once(body.raw(), &batch_reply);
    let entries = body
        .into_inner()
        .entries
        .into_iter()
        .map(|entry| {
            body::parse::<RegistrationRequest>(entry).map_err(|e| match e {
                ApiError::Validation(errors) => kompetens_app::AppError::Validation(errors),
                other => kompetens_app::AppError::invalid("", other.to_string()),
            })
        })
        .collect();
    let outcome = registrations::batch(
        &state.app,
        &caller,
        ProgrammeId::from_uuid(*id),
        registrations::BatchRequest { entries },
        once,
    )
    .await?;
    idempotency::respond(outcome, &batch_reply)
}

/// Choose sessions with their own places (parallel thematic sessions, supervision slots).
///
/// Replaces the registration's choices. A new choice gets a place while the session has one
/// and nobody waits, otherwise a position on that session's waiting list; a choice given up
/// frees its place for the first in line, in the same transaction. One session per parallel
/// group. The participant (for their own) or an organiser.
#[utoipa::path(
    tag = "registrations",
    security(("bearer" = [])),
    request_body = SessionChoiceRequest,
    params(("id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "The registration with its session choices", body = RegistrationResponse),
        (status = 404, description = "No such registration, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The registration holds no place (`/problems/registration-not-confirmed`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Sessions not of this programme, without their own places, cancelled, or two of one parallel group", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/registrations/{id}/sessions")]
pub async fn choose_sessions(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: Json<SessionChoiceRequest>,
) -> Result<HttpResponse, ApiError> {
    let view = registrations::choose_sessions(
        &state.app,
        &caller,
        RegistrationId::from_uuid(*id),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(RegistrationResponse::from(&view)))
}
