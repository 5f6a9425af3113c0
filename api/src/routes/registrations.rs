//! Registrations: limited places, first come first served, waiting lists that keep their order.
//!
//! Every change takes the programme's row lock first (see `kompetens_persistence::repo::
//! registrations`), decides with the domain's rules on the counters read under it, writes, and
//! queues the notifications in the same transaction.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use kompetens_domain::account::PersonName;
use kompetens_domain::email::Email;
use kompetens_domain::ids::{AccountId, OrganisationId, ProgrammeId, RegistrationId};
use kompetens_domain::locale::Locale;
use kompetens_domain::notification::{self, Details, NotificationKind};
use kompetens_domain::policy::{self, Decision, ProgrammeAction};
use kompetens_domain::programme::{ProgrammeStatus, RegistrationPolicy};
use kompetens_domain::registration::{self as rules, Admission, RegistrationStatus};
use kompetens_domain::role::JobRole;
use kompetens_persistence::repo::accounts::{self, Account, NewAccount};
use kompetens_persistence::repo::programmes::Programme;
use kompetens_persistence::repo::registrations::{self, Registration, RegistrationFilter};
use kompetens_persistence::repo::session_choices::{self, SessionChoice};
use kompetens_persistence::repo::{notifications, organisations, password_setups, sessions};
use kompetens_persistence::{ConnectionTrait, DatabaseTransaction, begin_write};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::programmes::{authorised, organised_programme};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{JsonBody, OptionalJsonBody, PageParams, encode_cursor, read};
use crate::idempotency::{self, IdempotencyKey};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ed0",
    "programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0",
    "participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f",
    "status": "waitlisted",
    "arrival": 33,
    "waitlist_position": 3,
    "session_ids": [],
    "registered_by": null,
    "reason": null,
    "created_at": "2026-05-04T08:00:01Z",
    "updated_at": "2026-05-04T08:00:01Z",
    "version": 1
}))]
pub struct RegistrationResponse {
    pub id: Uuid,
    pub programme_id: Uuid,
    pub participant_id: Uuid,
    pub status: RegistrationStatus,
    /// The order of arrival within the programme (1 = first): registrations are decided one at
    /// a time in this order, which is the order in which they were committed.
    pub arrival: i64,
    /// 1-based and gapless among those waiting, in order of arrival; only while waitlisted.
    pub waitlist_position: Option<u32>,
    /// Sessions with their own places in which the participant holds a place.
    pub session_ids: Vec<Uuid>,
    /// Every session chosen, with the place or the position on its waiting list.
    pub session_choices: Vec<SessionChoiceResponse>,
    /// The organiser who registered the participant, if not the participant themself.
    pub registered_by: Option<Uuid>,
    /// The organiser's reason for a rejection or cancellation.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A chosen session: `confirmed` (a place) or `waitlisted` (with a position).
#[derive(Serialize, ToSchema, Clone)]
pub struct SessionChoiceResponse {
    pub session_id: Uuid,
    pub status: String,
    pub waitlist_position: Option<u32>,
}

fn response(r: &Registration, position: Option<u32>) -> RegistrationResponse {
    RegistrationResponse {
        id: r.id.as_uuid(),
        programme_id: r.programme_id.as_uuid(),
        participant_id: r.participant_id.as_uuid(),
        status: r.status,
        arrival: r.arrival,
        waitlist_position: position,
        session_ids: Vec::new(),
        session_choices: Vec::new(),
        registered_by: r.registered_by.map(|a| a.as_uuid()),
        reason: r.reason.clone(),
        created_at: r.created_at,
        updated_at: r.updated_at,
        version: r.version,
    }
}

async fn with_position(
    conn: &impl ConnectionTrait,
    r: &Registration,
) -> Result<RegistrationResponse, ApiError> {
    let position = registrations::waitlist_position(conn, r).await?;
    let mut body = response(r, position);
    let choices = session_choices::active_for_registration(conn, r.id).await?;
    with_choices(conn, &mut body, &choices).await?;
    Ok(body)
}

/// Fills in the session choices (and `session_ids`, the confirmed ones) of a response.
async fn with_choices(
    conn: &impl ConnectionTrait,
    body: &mut RegistrationResponse,
    choices: &[SessionChoice],
) -> Result<(), ApiError> {
    for choice in choices
        .iter()
        .filter(|c| c.registration_id.as_uuid() == body.id)
    {
        if choice.status == session_choices::CONFIRMED {
            body.session_ids.push(choice.session_id.as_uuid());
        }
        body.session_choices.push(SessionChoiceResponse {
            session_id: choice.session_id.as_uuid(),
            status: choice.status.clone(),
            waitlist_position: session_choices::position(conn, choice).await?,
        });
    }
    Ok(())
}

/// A registration: an empty body registers yourself. An organiser registers someone else by
/// `participant_id`, or by `email` (creating an invited account, with `name` and `locale`, that
/// can set a password later), and may state where they work (`workplace_organisation_id`,
/// `job_role`): eligibility and reports then go by what the organiser stated, and a new
/// invited account takes it as its profile.
#[derive(ToSchema)]
#[schema(example = json!({"email": "olena.kovalenko@example.pl", "name": "Olena Kovalenko", "locale": "uk", "workplace_organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e62", "job_role": "intercultural_assistant"}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct CreateRegistrationRequest {
    participant_id: Option<Uuid>,
    email: Option<String>,
    name: Option<String>,
    locale: Option<String>,
    workplace_organisation_id: Option<Uuid>,
    job_role: Option<JobRole>,
}

/// Who is registering whom.
pub(crate) enum Subject {
    Myself,
    Account {
        id: Uuid,
        stated: Stated,
    },
    Email {
        email: Email,
        name: Option<PersonName>,
        locale: Option<Locale>,
        stated: Stated,
    },
}

/// Where an organiser says the person works.
#[derive(Default, Clone, Copy)]
pub(crate) struct Stated {
    workplace: Option<Uuid>,
    job_role: Option<JobRole>,
}

fn read_subject(body: &serde_json::Value) -> Result<Subject, ApiError> {
    let mut f = JsonBody(body.clone()).fields()?;
    let participant = f.optional("participant_id", read::uuid);
    let email = f.optional("email", read::parsed(Email::parse));
    let name = f.optional("name", read::parsed(PersonName::parse));
    let locale = f.optional("locale", read::parsed(Locale::parse));
    let stated = Stated {
        workplace: f.optional("workplace_organisation_id", read::uuid),
        job_role: f.optional("job_role", read::parsed(JobRole::parse)),
    };
    f.finish()?;
    let nothing_stated = stated.workplace.is_none() && stated.job_role.is_none();
    match (participant, email) {
        (None, None) if name.is_none() && locale.is_none() && nothing_stated => Ok(Subject::Myself),
        (Some(id), None) if name.is_none() && locale.is_none() => {
            Ok(Subject::Account { id, stated })
        }
        (None, Some(email)) => Ok(Subject::Email {
            email,
            name,
            locale,
            stated,
        }),
        _ => Err(ApiError::invalid(
            "",
            "send nothing (to register yourself), or participant_id, or email with optional name and locale; an organiser may add workplace_organisation_id and job_role",
        )),
    }
}

/// What every message about this programme says, in the participant's language.
fn details(participant: &Account, programme: &Programme) -> Details {
    let locale = participant.locale.as_str();
    let language = locale.split('-').next().unwrap_or("en");
    let mut preferred = vec![locale, language];
    preferred.extend(programme.languages.iter().map(Locale::as_str));
    let contact = match (&programme.contact.name, &programme.contact.email) {
        (Some(n), Some(e)) => Some(format!("{n} <{}>", e.as_str())),
        (None, Some(e)) => Some(e.as_str().to_string()),
        (Some(n), None) => Some(n.clone()),
        (None, None) => None,
    };
    Details {
        programme_title: programme.title.best(&preferred).to_string(),
        contact,
        ..Details::default()
    }
}

async fn enqueue(
    conn: &impl ConnectionTrait,
    participant: &Account,
    kind: NotificationKind,
    details: &Details,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let (subject, body) = notification::render(kind, participant.locale.as_str(), details);
    notifications::enqueue(
        conn,
        participant.id,
        participant.email.as_str(),
        kind,
        &subject,
        &body,
        now,
    )
    .await?;
    Ok(())
}

/// The e-mail, in the participant's language, queued in the same transaction.
pub(crate) async fn notify(
    conn: &impl ConnectionTrait,
    participant: &Account,
    programme: &Programme,
    kind: NotificationKind,
    waitlist_position: Option<u32>,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let details = Details {
        waitlist_position,
        reason: reason.map(str::to_string),
        ..details(participant, programme)
    };
    enqueue(conn, participant, kind, &details, now).await
}

/// How long an invited person has to set a password.
const INVITATION_DAYS: i64 = 14;

/// Creates a one-time code for an invited account and sends it, in the same transaction.
async fn invite(
    conn: &impl ConnectionTrait,
    participant: &Account,
    programme: &Programme,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let code = crate::auth::tokens::new_opaque("kps_").map_err(ApiError::Internal)?;
    password_setups::create(
        conn,
        participant.id,
        &crate::auth::tokens::digest(&code),
        now + chrono::Duration::days(INVITATION_DAYS),
        now,
    )
    .await?;
    let details = Details {
        code: Some(code),
        ..details(participant, programme)
    };
    enqueue(conn, participant, NotificationKind::Invited, &details, now).await
}

/// Confirms as many of those waiting as there are free places, strictly in order of arrival,
/// in the caller's transaction (which holds the programme's lock), and tells each of them.
pub(crate) async fn promote(
    tx: &DatabaseTransaction,
    programme: &Programme,
    now: DateTime<Utc>,
) -> Result<Vec<Registration>, ApiError> {
    let Some(fresh) =
        kompetens_persistence::repo::programmes::find(tx, programme.id, false).await?
    else {
        return Ok(Vec::new());
    };
    let occupancy = registrations::occupancy(&fresh);
    let n = occupancy.promotable();
    let waiting = registrations::first_waiting(tx, programme.id, n).await?;
    let mut promoted = Vec::with_capacity(waiting.len());
    for mut r in waiting {
        r.status = RegistrationStatus::Confirmed;
        r.version += 1;
        r.updated_at = now;
        registrations::save(tx, &r).await?;
        if let Some(person) = accounts::find(tx, r.participant_id).await? {
            notify(
                tx,
                &person,
                programme,
                NotificationKind::Promoted,
                None,
                None,
                now,
            )
            .await?;
        }
        promoted.push(r);
    }
    let moved = i32::try_from(promoted.len()).unwrap_or(i32::MAX);
    registrations::adjust_counts(tx, programme.id, moved, -moved).await?;
    if !promoted.is_empty() {
        tracing::info!(programme_id = %programme.id, promoted = promoted.len(), "waiting list promoted");
    }
    Ok(promoted)
}

/// Why a registration attempt failed.
pub(crate) enum RegisterError {
    Api(ApiError),
    /// The participant already has a registration in play: the write failed, so the
    /// transaction (or savepoint) must be rolled back before `explain` looks it up.
    AlreadyRegistered {
        participant: AccountId,
        by_organiser: bool,
    },
}

impl From<ApiError> for RegisterError {
    fn from(e: ApiError) -> Self {
        RegisterError::Api(e)
    }
}

impl From<kompetens_persistence::StoreError> for RegisterError {
    fn from(e: kompetens_persistence::StoreError) -> Self {
        RegisterError::Api(e.into())
    }
}

impl RegisterError {
    /// The problem to answer, with where the existing registration is (read on `conn`, which
    /// must be usable: the pool, or a transaction after its savepoint was rolled back).
    pub(crate) async fn explain(
        self,
        conn: &impl ConnectionTrait,
        programme: ProgrammeId,
    ) -> ApiError {
        match self {
            RegisterError::Api(e) => e,
            RegisterError::AlreadyRegistered {
                participant,
                by_organiser,
            } => {
                let existing = match registrations::active_for(conn, programme, participant).await {
                    Ok(found) => found,
                    Err(e) => return e.into(),
                };
                ApiError::Conflict {
                    code: "already-registered",
                    detail: format!(
                        "{} already registered for this programme{}",
                        if by_organiser {
                            "the participant is"
                        } else {
                            "you are"
                        },
                        existing
                            .as_ref()
                            .map(|r| format!(" ({})", r.status))
                            .unwrap_or_default()
                    ),
                    existing: existing.map(|r| format!("/api/v1/registrations/{}", r.id)),
                }
            }
        }
    }
}

/// The outcome of one registration attempt inside a transaction.
pub(crate) struct Registered {
    pub registration: Registration,
    pub position: Option<u32>,
}

/// Registers `subject` for the programme: every check, the decision, the write and the
/// notification, inside `tx` (which must hold the programme's lock).
pub(crate) async fn register(
    tx: &DatabaseTransaction,
    caller: &Caller,
    programme: &Programme,
    subject: Subject,
    now: DateTime<Utc>,
) -> Result<Registered, RegisterError> {
    let organiser = policy::programme(
        Some(&caller.actor),
        &programme.organisation_path,
        programme.status,
        false,
        ProgrammeAction::Manage,
    ) == Decision::Allow;
    let by_organiser = !matches!(subject, Subject::Myself);
    let stated = match &subject {
        Subject::Myself => Stated::default(),
        Subject::Account { stated, .. } | Subject::Email { stated, .. } => *stated,
    };
    if by_organiser && !organiser {
        return Err(ApiError::Forbidden(
            "only the programme's organisers register other people".into(),
        )
        .into());
    }
    if programme.status != ProgrammeStatus::Published {
        return Err(ApiError::conflict(
            "registration-not-open",
            format!(
                "the programme is {}; only published programmes take registrations",
                programme.status
            ),
        )
        .into());
    }
    if !by_organiser {
        if !programme.window().is_some_and(|w| w.is_open(now)) {
            return Err(ApiError::conflict(
                "registration-not-open",
                "registration is not open now; see registration_opens_at and registration_closes_at",
            ).into());
        }
        if programme.registration_policy == RegistrationPolicy::Invitation {
            return Err(ApiError::Refused {
                code: "invitation-required",
                detail: "this programme accepts only people its organisers register".into(),
            }
            .into());
        }
    }
    let stated_workplace = match stated.workplace {
        Some(id) => Some(
            organisations::find(tx, OrganisationId::from_uuid(id))
                .await?
                .ok_or_else(|| {
                    ApiError::invalid("/workplace_organisation_id", "no such organisation")
                })?,
        ),
        None => None,
    };
    let participant = match subject {
        Subject::Myself => caller.account.clone(),
        Subject::Account { id, .. } => accounts::find(tx, AccountId::from_uuid(id))
            .await?
            .ok_or_else(|| ApiError::invalid("/participant_id", "no such account"))?,
        Subject::Email {
            email,
            name,
            locale,
            ..
        } => match accounts::find_by_email(tx, &email).await? {
            Some(account) => account,
            None => {
                let account = accounts::insert(
                    tx,
                    NewAccount {
                        email,
                        password_hash: None,
                        name,
                        locale: locale.unwrap_or_default(),
                        // A new invited account takes the stated workplace as its profile.
                        workplace_organisation_id: stated_workplace.as_ref().map(|o| o.id),
                        job_role: stated.job_role,
                        is_admin: false,
                    },
                    now,
                )
                .await?;
                tracing::info!(account_id = %account.id, "invited account created");
                invite(tx, &account, programme, now).await?;
                account
            }
        },
    };
    // What the organiser stated goes before the person's own profile.
    let workplace_id = stated_workplace
        .as_ref()
        .map(|o| o.id)
        .or(participant.workplace_organisation_id);
    let job_role = stated.job_role.or(participant.job_role);
    // The workplace's place in the tree matters only to a rule about workplaces: no query
    // under the lock otherwise.
    let workplace = match (&stated_workplace, participant.workplace_organisation_id) {
        (Some(o), _) => Some(o.path.clone()),
        (None, Some(id)) if programme.eligibility.workplace_within.is_some() => {
            organisations::find(tx, id).await?.map(|o| o.path)
        }
        _ => None,
    };
    if let Err(why) = programme.eligibility.admits(workplace.as_ref(), job_role) {
        return Err(ApiError::Refused {
            code: "not-eligible",
            detail: why.describe().to_string(),
        }
        .into());
    }
    let admission = rules::admit(
        programme.registration_policy,
        by_organiser,
        registrations::occupancy(programme),
    );
    let status = match admission {
        Admission::Confirmed => RegistrationStatus::Confirmed,
        Admission::Waitlisted => RegistrationStatus::Waitlisted,
        Admission::Pending => RegistrationStatus::Pending,
    };
    let (confirmed, waitlisted) = match status {
        RegistrationStatus::Confirmed => (1, 0),
        RegistrationStatus::Waitlisted => (0, 1),
        _ => (0, 0),
    };
    let registration = Registration {
        id: RegistrationId::new(),
        programme_id: programme.id,
        participant_id: participant.id,
        status,
        arrival: registrations::take_arrival(tx, programme.id, confirmed, waitlisted).await?,
        registered_by: by_organiser.then_some(caller.account.id),
        reason: None,
        workplace_organisation_id: workplace_id,
        job_role,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    // `ux_registrations_active_participant` answers "already registered" (the caller fills in
    // where the existing registration is, once this transaction or savepoint is rolled back).
    match registrations::insert(tx, &registration).await {
        Ok(()) => {}
        Err(e) if registrations::is_already_registered(&e) => {
            return Err(RegisterError::AlreadyRegistered {
                participant: participant.id,
                by_organiser,
            });
        }
        Err(e) => return Err(ApiError::from(e).into()),
    }
    let position = match status {
        // Everyone waiting arrived earlier: the newcomer is last.
        RegistrationStatus::Waitlisted => Some(programme.waitlist_count + 1),
        _ => None,
    };
    match status {
        RegistrationStatus::Confirmed => {
            notify(
                tx,
                &participant,
                programme,
                NotificationKind::Confirmed,
                None,
                None,
                now,
            )
            .await?
        }
        RegistrationStatus::Waitlisted => {
            notify(
                tx,
                &participant,
                programme,
                NotificationKind::Waitlisted,
                position,
                None,
                now,
            )
            .await?
        }
        _ => {}
    }
    Ok(Registered {
        registration,
        position,
    })
}

/// Register for a programme.
///
/// First come first served: confirmed while places last, then waitlisted with an exact,
/// gapless position. Approval: pending until an organiser decides. Invitation: only
/// organisers register people. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "registrations",
    security(("bearer" = [])),
    request_body = CreateRegistrationRequest,
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry for 24 hours")
    ),
    responses(
        (status = 201, description = "Registered (confirmed, waitlisted or pending)", body = RegistrationResponse, headers(("Location" = String))),
        (status = 400, description = "The body is not JSON, or a bad Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not eligible (`/problems/not-eligible`), invitation only (`/problems/invitation-required`), or registering someone else without organising the programme", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not open (`/problems/registration-not-open`), or already registered (`/problems/already-registered`, with `existing`)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/already-registered", "title": "Already registered", "status": 409, "detail": "you are already registered for this programme (confirmed)", "existing": "/api/v1/registrations/019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ed0"})),
        (status = 422, description = "Invalid fields, or an Idempotency-Key reused for another request", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is busy; retry", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/programmes/{id}/registrations")]
pub async fn create_registration(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let now = Utc::now();
    let hash = idempotency::request_hash(&req, &body.0);
    if let Some(key) = &key.0
        && let Some(replayed) =
            idempotency::replay(&state.db, caller.account.id, key, &hash, now).await?
    {
        return Ok(replayed);
    }
    let subject = read_subject(&body.0)?;
    let tx = begin_write(&state.db).await?;
    let programme = authorised(
        &tx,
        Some(&caller.actor),
        ProgrammeId::from_uuid(*id),
        ProgrammeAction::Read,
        true,
    )
    .await?;
    // Under the lock, a request with the same key that committed meanwhile is visible: replay.
    if let Some(key) = &key.0
        && let Some(replayed) = idempotency::replay(&tx, caller.account.id, key, &hash, now).await?
    {
        return Ok(replayed);
    }
    // Taken after the lock: `created_at` then follows the order of arrival.
    let now = Utc::now();
    let done = match register(&tx, &caller, &programme, subject, now).await {
        Ok(done) => done,
        Err(e) => {
            // Nothing of a refused registration stays; then say why.
            tx.rollback().await?;
            return Err(e.explain(&state.db, programme.id).await);
        }
    };
    let stored = idempotency::response(
        201,
        &response(&done.registration, done.position),
        Some(format!("/api/v1/registrations/{}", done.registration.id)),
        &hash,
        now,
    )?;
    let reply = idempotency::remember(&tx, caller.account.id, key.0.as_deref(), stored).await?;
    tx.commit().await?;
    tracing::info!(
        registration_id = %done.registration.id,
        programme_id = %programme.id,
        status = %done.registration.status,
        "registration created"
    );
    Ok(reply)
}

/// Loads a registration the caller may see (their own, or as an organiser of its programme).
pub(crate) async fn visible(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
    lock: bool,
) -> Result<(Registration, Programme, bool), ApiError> {
    let registration = registrations::find(conn, RegistrationId::from_uuid(id))
        .await?
        .ok_or(ApiError::NotFound)?;
    let programme =
        kompetens_persistence::repo::programmes::find(conn, registration.programme_id, lock)
            .await?
            .ok_or(ApiError::NotFound)?;
    let organiser = caller.actor.is_admin || caller.actor.organises(&programme.organisation_path);
    if !organiser && registration.participant_id != caller.account.id {
        return Err(ApiError::NotFound);
    }
    // Re-read under the lock: the row may have changed while we waited for it.
    let registration = if lock {
        registrations::find(conn, registration.id)
            .await?
            .ok_or(ApiError::NotFound)?
    } else {
        registration
    };
    Ok((registration, programme, organiser))
}

/// Get a registration (your own, or one of a programme you organise).
#[utoipa::path(
    tag = "registrations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "The registration", body = RegistrationResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration, or not yours to see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/registrations/{id}")]
pub async fn get_registration(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (r, _, _) = visible(&state.db, &caller, *id, false).await?;
    Ok(HttpResponse::Ok().json(with_position(&state.db, &r).await?))
}

/// Why: required when an organiser cancels or rejects.
#[derive(ToSchema)]
#[schema(example = json!({"reason": "The participant has changed jobs."}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct ReasonRequest {
    reason: Option<String>,
}

fn read_reason(body: OptionalJsonBody) -> Result<Option<String>, ApiError> {
    let Some(body) = body.0 else {
        return Ok(None);
    };
    let mut f = body.fields()?;
    let reason = f.optional("reason", read::parsed(rules::reason));
    f.finish()?;
    Ok(reason)
}

/// Frees whatever place or wait the registration held and moves it to `status`.
pub(crate) async fn end(
    tx: &DatabaseTransaction,
    r: &mut Registration,
    status: RegistrationStatus,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let (confirmed, waitlisted) = match r.status {
        RegistrationStatus::Confirmed => (-1, 0),
        RegistrationStatus::Waitlisted => (0, -1),
        _ => (0, 0),
    };
    r.status = status;
    r.reason = reason;
    r.version += 1;
    r.updated_at = now;
    registrations::save(tx, r).await?;
    registrations::adjust_counts(tx, r.programme_id, confirmed, waitlisted).await?;
    // Places held in sessions are freed too, and go to those waiting for them.
    for choice in session_choices::active_for_registration(tx, r.id).await? {
        session_choices::set_status(tx, choice.id, session_choices::CANCELLED, now).await?;
        promote_in_session(tx, choice.session_id, now).await?;
    }
    Ok(())
}

/// Places taken and people waiting in a session with its own capacity (under the lock).
async fn session_occupancy(
    tx: &DatabaseTransaction,
    session: kompetens_domain::ids::SessionId,
    capacity: Option<u32>,
) -> Result<rules::Occupancy, ApiError> {
    let count = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(rules::Occupancy {
        capacity,
        confirmed: count(session_choices::count(tx, session, session_choices::CONFIRMED).await?),
        waitlisted: count(session_choices::count(tx, session, session_choices::WAITLISTED).await?),
    })
}

/// Confirms those waiting for a session while it has free places, in order of arrival.
async fn promote_in_session(
    tx: &DatabaseTransaction,
    session: kompetens_domain::ids::SessionId,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(s) = sessions::find(tx, session).await? else {
        return Ok(());
    };
    let occupancy = session_occupancy(tx, session, s.capacity).await?;
    for choice in
        session_choices::first_waiting(tx, session, u64::from(occupancy.promotable())).await?
    {
        session_choices::set_status(tx, choice.id, session_choices::CONFIRMED, now).await?;
    }
    Ok(())
}

/// Cancel a registration.
///
/// Participants cancel their own until the programme's `cancellation_closes_at` (or its
/// start); organisers cancel any, any time, with a reason. A freed place goes to the first
/// person waiting, in the same transaction.
#[utoipa::path(
    tag = "registrations",
    security(("bearer" = [])),
    request_body(content = Option<ReasonRequest>, description = "Optional for participants; `reason` required for organisers"),
    params(("id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "Cancelled", body = RegistrationResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already ended (`/problems/invalid-status-transition`) or too late (`/problems/cancellation-closed`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An organiser gave no reason", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/registrations/{id}/cancel")]
pub async fn cancel_registration(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: OptionalJsonBody,
) -> Result<HttpResponse, ApiError> {
    let reason = read_reason(body)?;
    let now = Utc::now();
    let tx = begin_write(&state.db).await?;
    let (mut r, programme, organiser) = visible(&tx, &caller, *id, true).await?;
    let own = r.participant_id == caller.account.id;
    if !r.status.is_cancellable() {
        return Err(ApiError::conflict(
            "invalid-status-transition",
            format!("a {} registration cannot be cancelled", r.status),
        ));
    }
    let by_participant = own && !(organiser && reason.is_some());
    if by_participant {
        let deadline = programme.cancellation_closes_at.unwrap_or_else(|| {
            programme
                .period
                .starts_on()
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc())
                .unwrap_or(now)
        });
        if now >= deadline {
            return Err(ApiError::conflict(
                "cancellation-closed",
                format!("participants could cancel until {deadline}; ask the organiser"),
            ));
        }
    } else if reason.is_none() {
        return Err(ApiError::invalid(
            "/reason",
            "is required when an organiser cancels",
        ));
    }
    end(
        &tx,
        &mut r,
        RegistrationStatus::Cancelled,
        reason.clone(),
        now,
    )
    .await?;
    if let Some(person) = accounts::find(&tx, r.participant_id).await? {
        notify(
            &tx,
            &person,
            &programme,
            NotificationKind::Cancelled,
            None,
            reason.as_deref(),
            now,
        )
        .await?;
    }
    promote(&tx, &programme, now).await?;
    tx.commit().await?;
    Ok(HttpResponse::Ok().json(response(&r, None)))
}

/// Approve a pending registration: confirmed if a place is free and nobody waits ahead,
/// otherwise waitlisted in order of arrival.
#[utoipa::path(
    tag = "registrations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "Approved", body = RegistrationResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the programme's organisers decide", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not pending (`/problems/invalid-status-transition`)", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/registrations/{id}/approve")]
pub async fn approve_registration(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let now = Utc::now();
    let tx = begin_write(&state.db).await?;
    let (mut r, programme, organiser) = visible(&tx, &caller, *id, true).await?;
    if !organiser {
        return Err(ApiError::Forbidden(
            "only the programme's organisers decide".into(),
        ));
    }
    if r.status != RegistrationStatus::Pending {
        return Err(ApiError::conflict(
            "invalid-status-transition",
            format!(
                "only pending registrations are approved; this one is {}",
                r.status
            ),
        ));
    }
    let admission = rules::seat(registrations::occupancy(&programme));
    let (status, confirmed, waitlisted) = match admission {
        Admission::Confirmed => (RegistrationStatus::Confirmed, 1, 0),
        _ => (RegistrationStatus::Waitlisted, 0, 1),
    };
    r.status = status;
    r.version += 1;
    r.updated_at = now;
    registrations::save(&tx, &r).await?;
    registrations::adjust_counts(&tx, r.programme_id, confirmed, waitlisted).await?;
    let position = registrations::waitlist_position(&tx, &r).await?;
    if let Some(person) = accounts::find(&tx, r.participant_id).await? {
        notify(
            &tx,
            &person,
            &programme,
            NotificationKind::Approved,
            position,
            None,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(HttpResponse::Ok().json(response(&r, position)))
}

/// Reject a registration (pending, waitlisted or confirmed) with a reason; a freed place goes
/// to the first person waiting.
#[utoipa::path(
    tag = "registrations",
    security(("bearer" = [])),
    request_body(content = Option<ReasonRequest>, description = "`reason` is required"),
    params(("id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "Rejected", body = RegistrationResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the programme's organisers decide", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already ended (`/problems/invalid-status-transition`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/registrations/{id}/reject")]
pub async fn reject_registration(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: OptionalJsonBody,
) -> Result<HttpResponse, ApiError> {
    let reason = read_reason(body)?;
    let now = Utc::now();
    let tx = begin_write(&state.db).await?;
    let (mut r, programme, organiser) = visible(&tx, &caller, *id, true).await?;
    if !organiser {
        return Err(ApiError::Forbidden(
            "only the programme's organisers decide".into(),
        ));
    }
    if !r.status.is_cancellable() {
        return Err(ApiError::conflict(
            "invalid-status-transition",
            format!("a {} registration cannot be rejected", r.status),
        ));
    }
    let Some(reason) = reason else {
        return Err(ApiError::invalid("/reason", "is required"));
    };
    end(
        &tx,
        &mut r,
        RegistrationStatus::Rejected,
        Some(reason.clone()),
        now,
    )
    .await?;
    if let Some(person) = accounts::find(&tx, r.participant_id).await? {
        notify(
            &tx,
            &person,
            &programme,
            NotificationKind::Rejected,
            None,
            Some(&reason),
            now,
        )
        .await?;
    }
    promote(&tx, &programme, now).await?;
    tx.commit().await?;
    Ok(HttpResponse::Ok().json(response(&r, None)))
}

#[derive(Serialize, ToSchema)]
pub struct RegistrationList {
    pub items: Vec<RegistrationResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Your registrations.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of your registrations", body = RegistrationList),
        (status = 400, description = "Unreadable query string", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `limit` or `cursor`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/me/registrations")]
pub async fn my_registrations(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = page.parse()?;
    let page =
        registrations::list_for_participant(&state.db, caller.account.id, after, limit).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for r in &page.items {
        items.push(with_position(&state.db, r).await?);
    }
    Ok(HttpResponse::Ok().json(RegistrationList {
        items,
        next_cursor: page.next_after.map(encode_cursor),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegistrationQuery {
    /// `pending`, `confirmed`, `waitlisted`, `cancelled`, `rejected` or `completed`.
    pub status: Option<String>,
    /// Participants working at this organisation or any below it.
    pub organisation_id: Option<Uuid>,
    pub job_role: Option<String>,
}

/// A programme's registrations, in order of arrival (organisers). `Accept: text/csv` gives
/// the same page as CSV, with the participants' names and e-mails.
#[utoipa::path(
    tag = "registrations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id"), PageParams, RegistrationQuery),
    responses(
        (status = 200, description = "A page of registrations", body = RegistrationList,
            content(
                (RegistrationList = "application/json"),
                (String = "text/csv", example = "registration_id,participant_id,name,email,workplace_organisation_id,job_role,status,waitlist_position,created_at\r\n019a…,019a…,Anna Kowalska,anna@example.pl,019a…,teacher,confirmed,,2026-05-04T08:00:01Z\r\n")
            )),
        (status = 400, description = "Unreadable query string", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or you do not organise it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `limit`, `cursor` or filter", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/programmes/{id}/registrations")]
pub async fn list_registrations(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
    query: web::Query<RegistrationQuery>,
) -> Result<HttpResponse, ApiError> {
    // Registrations are the organisers' business: to anyone else they do not exist (404),
    // even on a programme they can read.
    let programme =
        organised_programme(&state.db, &caller.actor, ProgrammeId::from_uuid(*id), false).await?;
    let mut errors = Vec::new();
    let (limit, after) = page.parse_collecting(&mut errors);
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
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let page =
        registrations::list_for_programme(&state.db, programme.id, &filter, after, limit).await?;
    let waiting = registrations::waiting_arrivals(&state.db, programme.id).await?;
    let position = |r: &Registration| {
        (r.status == RegistrationStatus::Waitlisted)
            .then(|| waiting.binary_search(&r.arrival).ok())
            .flatten()
            .and_then(|i| u32::try_from(i + 1).ok())
    };
    let mut items: Vec<RegistrationResponse> = page
        .items
        .iter()
        .map(|r| response(r, position(r)))
        .collect();
    let ids: Vec<RegistrationId> = page.items.iter().map(|r| r.id).collect();
    let choices = session_choices::active_for_registrations(&state.db, &ids).await?;
    for item in &mut items {
        with_choices(&state.db, item, &choices).await?;
    }
    let next_cursor = page.next_after.map(encode_cursor);
    if wants_csv(&req) {
        let ids: Vec<AccountId> = page.items.iter().map(|r| r.participant_id).collect();
        let people: BTreeMap<AccountId, Account> = accounts::find_many(&state.db, &ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        let mut csv = String::from(
            "registration_id,participant_id,name,email,workplace_organisation_id,job_role,status,waitlist_position,created_at\r\n",
        );
        for (r, item) in page.items.iter().zip(&items) {
            let person = people.get(&r.participant_id);
            let fields = [
                r.id.to_string(),
                r.participant_id.to_string(),
                person
                    .and_then(|p| p.name.as_ref())
                    .map(|n| n.as_str().to_string())
                    .unwrap_or_default(),
                person
                    .map(|p| p.email.as_str().to_string())
                    .unwrap_or_default(),
                person
                    .and_then(|p| p.workplace_organisation_id)
                    .map(|o| o.to_string())
                    .unwrap_or_default(),
                person
                    .and_then(|p| p.job_role)
                    .map(|j| j.as_str().to_string())
                    .unwrap_or_default(),
                r.status.as_str().to_string(),
                item.waitlist_position
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                r.created_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ];
            csv.push_str(
                &fields
                    .iter()
                    .map(|f| csv_field(f))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            csv.push_str("\r\n");
        }
        let mut reply = HttpResponse::Ok();
        reply.content_type("text/csv; charset=utf-8");
        if let Some(next) = next_cursor {
            // RFC 8288: the next page of the same export.
            reply.insert_header((
                header::LINK,
                format!("<?cursor={next}&limit={limit}>; rel=\"next\""),
            ));
        }
        return Ok(reply.body(csv));
    }
    Ok(HttpResponse::Ok().json(RegistrationList { items, next_cursor }))
}

pub(crate) fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept.split(',').any(|part| {
                part.split(';')
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/csv"))
            })
        })
}

/// RFC 4180: quote fields holding a comma, quote or line break; double inner quotes. A
/// leading `=`, `+`, `-` or `@` is prefixed with `'` so spreadsheets do not run it as a formula.
pub(crate) fn csv_field(raw: &str) -> String {
    let guarded = if raw.starts_with(['=', '+', '-', '@']) {
        format!("'{raw}")
    } else {
        raw.to_string()
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formula_safe() {
        assert_eq!(csv_field("Anna"), "Anna");
        assert_eq!(csv_field("Kowalska, Anna"), "\"Kowalska, Anna\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
    }
}

/// Up to 500 registrations at once, for scripts.
#[derive(ToSchema)]
#[schema(example = json!({"entries": [
    {"email": "olena.kovalenko@example.pl", "name": "Olena Kovalenko", "locale": "uk"},
    {"participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f"}
]}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct BatchRequest {
    /// Each entry as the body of a single registration; processed in order.
    entries: Vec<CreateRegistrationRequest>,
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
    {"index": 0, "status": 201, "registration": {"id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ed0", "programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0", "participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5e", "status": "confirmed", "arrival": 1, "waitlist_position": null, "session_ids": [], "registered_by": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5d", "reason": null, "created_at": "2026-05-04T08:00:01Z", "updated_at": "2026-05-04T08:00:01Z", "version": 1}, "problem": null},
    {"index": 1, "status": 409, "registration": null, "problem": {"type": "/problems/already-registered", "title": "Already registered", "status": 409, "detail": "the participant is already registered for this programme (confirmed)", "existing": "/api/v1/registrations/019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ed1"}}
]}))]
pub struct BatchResponse {
    pub created: usize,
    pub failed: usize,
    pub results: Vec<BatchResult>,
}

/// The most entries one batch may hold.
pub const MAX_BATCH: usize = 500;

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
        (status = 400, description = "The body is not JSON, or a bad Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or you do not organise it", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a list of at most 500 entries, or an Idempotency-Key reused for another request", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/programmes/{id}/registrations/batch")]
pub async fn create_registrations_batch(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    use kompetens_persistence::TransactionTrait;
    let now = Utc::now();
    let hash = idempotency::request_hash(&req, &body.0);
    if let Some(key) = &key.0
        && let Some(replayed) =
            idempotency::replay(&state.db, caller.account.id, key, &hash, now).await?
    {
        return Ok(replayed);
    }
    let mut f = body.fields()?;
    let entries = f.required_with(
        "entries",
        read::list(
            MAX_BATCH,
            read::simple(|v: &serde_json::Value| Ok(v.clone())),
        ),
    );
    f.finish()?;
    let entries = entries.unwrap_or_default();
    let tx = begin_write(&state.db).await?;
    let programme =
        organised_programme(&tx, &caller.actor, ProgrammeId::from_uuid(*id), true).await?;
    if let Some(key) = &key.0
        && let Some(replayed) = idempotency::replay(&tx, caller.account.id, key, &hash, now).await?
    {
        return Ok(replayed);
    }
    let mut results = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        // Each entry in a savepoint: all of it, or none of it.
        let savepoint = tx.begin().await?;
        let outcome = match read_subject(entry) {
            Ok(subject) => {
                // Programme counters moved by earlier entries: read them again.
                match kompetens_persistence::repo::programmes::find(&savepoint, programme.id, false)
                    .await?
                {
                    Some(current) => {
                        register(&savepoint, &caller, &current, subject, Utc::now()).await
                    }
                    None => Err(ApiError::NotFound.into()),
                }
            }
            Err(err) => Err(err.into()),
        };
        let outcome = match outcome {
            Ok(done) => Ok(done),
            Err(RegisterError::Api(e)) => Err(e),
            Err(already) => {
                // The failed insert leaves the savepoint unusable on PostgreSQL: roll it back,
                // then look the existing registration up in the transaction.
                savepoint.rollback().await?;
                let err = already.explain(&tx, programme.id).await;
                results.push(BatchResult {
                    index,
                    status: actix_web::ResponseError::status_code(&err).as_u16(),
                    registration: None,
                    problem: Some(err.problem()),
                });
                continue;
            }
        };
        match outcome {
            Ok(done) => {
                savepoint.commit().await?;
                results.push(BatchResult {
                    index,
                    status: 201,
                    registration: Some(response(&done.registration, done.position)),
                    problem: None,
                });
            }
            Err(ApiError::Internal(err)) => return Err(ApiError::Internal(err)),
            Err(ApiError::Unavailable {
                retry_after,
                detail,
            }) => {
                return Err(ApiError::Unavailable {
                    retry_after,
                    detail,
                });
            }
            Err(err) => {
                savepoint.rollback().await?;
                results.push(BatchResult {
                    index,
                    status: actix_web::ResponseError::status_code(&err).as_u16(),
                    registration: None,
                    problem: Some(err.problem()),
                });
            }
        }
    }
    let created = results.iter().filter(|r| r.status == 201).count();
    let body = BatchResponse {
        created,
        failed: results.len() - created,
        results,
    };
    let stored = idempotency::response(200, &body, None, &hash, now)?;
    let reply = idempotency::remember(&tx, caller.account.id, key.0.as_deref(), stored).await?;
    tx.commit().await?;
    tracing::info!(programme_id = %programme.id, created, failed = body.failed, "registration batch processed");
    Ok(reply)
}

/// The sessions you choose (a confirmed registration, in sessions with their own places).
#[derive(ToSchema)]
#[schema(example = json!({"session_ids": ["019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ec1", "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ec7"]}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct ChooseSessionsRequest {
    /// The whole choice: sessions left out are given up (their places go to those waiting).
    session_ids: Vec<Uuid>,
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
    request_body = ChooseSessionsRequest,
    params(("id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "The registration with its session choices", body = RegistrationResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The registration holds no place (`/problems/registration-not-confirmed`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Sessions not of this programme, without their own places, cancelled, or two of one parallel group", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/registrations/{id}/sessions")]
pub async fn choose_sessions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    use crate::error::FieldError;
    use kompetens_domain::session::SessionStatus;
    let mut f = body.fields()?;
    let wanted = f.required_with("session_ids", read::list(50, read::simple(read::uuid)));
    f.finish()?;
    let wanted = wanted.unwrap_or_default();
    let now = Utc::now();
    let tx = begin_write(&state.db).await?;
    let (r, programme, _) = visible(&tx, &caller, *id, true).await?;
    if r.status != RegistrationStatus::Confirmed {
        return Err(ApiError::conflict(
            "registration-not-confirmed",
            format!(
                "only a confirmed registration chooses sessions; this one is {}",
                r.status
            ),
        ));
    }
    let all = sessions::all_for_programme(&tx, programme.id).await?;
    let mut errors = Vec::new();
    let mut chosen = Vec::new();
    let mut groups = std::collections::BTreeSet::new();
    for (i, id) in wanted.iter().enumerate() {
        let pointer = format!("/session_ids/{i}");
        match all.iter().find(|s| s.id.as_uuid() == *id) {
            None => errors.push(FieldError::at(pointer, "no such session in this programme")),
            Some(s) if s.status != SessionStatus::Scheduled => {
                errors.push(FieldError::at(pointer, "the session is cancelled"))
            }
            Some(s) if s.capacity.is_none() => errors.push(FieldError::at(
                pointer,
                "the session has no places of its own: every confirmed participant attends it",
            )),
            Some(s) => {
                if let Some(group) = &s.parallel_group
                    && !groups.insert(group.clone())
                {
                    errors.push(FieldError::at(
                        pointer,
                        format!("another session of parallel group {group} is chosen already; choose one"),
                    ));
                }
                if !chosen.contains(&(s.id, s.capacity)) {
                    chosen.push((s.id, s.capacity));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let current = session_choices::active_for_registration(&tx, r.id).await?;
    for choice in current
        .iter()
        .filter(|c| !chosen.iter().any(|(s, _)| *s == c.session_id))
    {
        session_choices::set_status(&tx, choice.id, session_choices::CANCELLED, now).await?;
        promote_in_session(&tx, choice.session_id, now).await?;
    }
    for (session, capacity) in chosen
        .iter()
        .filter(|(s, _)| !current.iter().any(|c| c.session_id == *s))
    {
        let status = match rules::seat(session_occupancy(&tx, *session, *capacity).await?) {
            Admission::Confirmed => session_choices::CONFIRMED,
            _ => session_choices::WAITLISTED,
        };
        session_choices::insert(&tx, *session, r.id, status, now).await?;
    }
    let body = with_position(&tx, &r).await?;
    tx.commit().await?;
    Ok(HttpResponse::Ok().json(body))
}
