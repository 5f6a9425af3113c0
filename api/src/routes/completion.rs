//! From attendance to completion: a participant's progress, the `completed` status, and the
//! certificate issued when the completion rule is met.
//!
//! Everything here that writes runs in the caller's write transaction, after the programme's
//! row lock was taken: completion is decided on the marks as they stand, one recording at a
//! time per programme, and `ux_certificates_live_registration` backs up "one certificate in
//! force per registration" whatever the concurrency.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use kompetens_domain::certificate::{self as wording, VerificationCode};
use kompetens_domain::hour_budget::{ActivityType, HourBudget};
use kompetens_domain::ids::{AccountId, CertificateId, FunderId};
use kompetens_domain::locale::Locale;
use kompetens_domain::notification::{Details, NotificationKind};
use kompetens_domain::programme::ProgrammeKind;
use kompetens_domain::progress::{self, OfferedSession, Progress};
use kompetens_domain::registration::RegistrationStatus;
use kompetens_domain::session::SessionStatus;
use kompetens_persistence::repo::certificates::{self, Certificate, CertifiedHours, Europass};
use kompetens_persistence::repo::programmes::{self, Programme};
use kompetens_persistence::repo::registrations::{self, Registration};
use kompetens_persistence::repo::sessions::Session;
use kompetens_persistence::repo::{
    accounts, attendance, funders, grants, notifications, organisations, session_choices, sessions,
};
use kompetens_persistence::{ConnectionTrait, StoreError};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// What every participant's progress in a programme is computed from.
pub(crate) struct Facts {
    budget: HourBudget,
    sessions: Vec<Session>,
}

/// Reads the hour budget and the sessions once, for any number of participants.
pub(crate) async fn facts(
    conn: &impl ConnectionTrait,
    programme: &Programme,
) -> Result<Facts, ApiError> {
    Ok(Facts {
        budget: programmes::budget(conn, programme.id).await?,
        sessions: sessions::all_for_programme(conn, programme.id).await?,
    })
}

/// A participant's progress, and whether every session open to them has had its attendance
/// recorded (when their hours are final).
pub(crate) async fn progress_with(
    conn: &impl ConnectionTrait,
    facts: &Facts,
    programme: &Programme,
    registration: &Registration,
) -> Result<(Progress, bool), ApiError> {
    let held: Vec<_> = session_choices::active_for_registration(conn, registration.id)
        .await?
        .into_iter()
        .filter(|c| c.status == session_choices::CONFIRMED)
        .map(|c| c.session_id)
        .collect();
    let marks =
        attendance::for_participant(conn, programme.id, registration.participant_id).await?;
    let mut all_recorded = true;
    let offered: Vec<OfferedSession> = facts
        .sessions
        .iter()
        .filter(|s| s.status == SessionStatus::Scheduled)
        .filter_map(|s| {
            let mark = marks.iter().find(|m| m.session_id == s.id).map(|m| m.mark);
            // Sessions with their own places are offered to those holding one; a mark
            // recorded for someone keeps counting even if they gave the place up later.
            let offered = s.capacity.is_none() || held.contains(&s.id) || mark.is_some();
            if offered && s.attendance_recorded_at.is_none() {
                all_recorded = false;
            }
            offered.then(|| OfferedSession {
                activity_type: s.activity_type,
                parallel_group: s.parallel_group.clone(),
                credit_minutes: s.credit_minutes,
                mark,
            })
        })
        .collect();
    let progress = progress::progress(&facts.budget, &programme.completion_rule, &offered);
    Ok((progress, all_recorded))
}

/// A participant's progress through a programme, computed from the hour budget, the sessions
/// open to them and their attendance.
pub(crate) async fn progress_of(
    conn: &impl ConnectionTrait,
    programme: &Programme,
    registration: &Registration,
) -> Result<Progress, ApiError> {
    let facts = facts(conn, programme).await?;
    Ok(progress_with(conn, &facts, programme, registration)
        .await?
        .0)
}

/// After a participant's attendance changed: `completed` once the rule is met, back to
/// `confirmed` if a correction means it no longer is and no certificate was issued.
///
/// Where the programme issues certificates automatically, the certificate follows once the
/// rule is met and every session open to the participant has had its attendance recorded: it
/// then certifies their final hours, not those of the day the rule was first met. (An organiser
/// can issue one earlier with `POST /registrations/{id}/certificate`.)
pub(crate) async fn settle(
    conn: &impl ConnectionTrait,
    facts: &Facts,
    issuer: &Issuer,
    programme: &Programme,
    registration: &mut Registration,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    if !matches!(
        registration.status,
        RegistrationStatus::Confirmed | RegistrationStatus::Completed
    ) {
        return Ok(());
    }
    let (progress, all_recorded) = progress_with(conn, facts, programme, registration).await?;
    let live = certificates::live_for_registration(conn, registration.id).await?;
    let decided = progress::settle(
        registration.status,
        progress.completion.met,
        live.is_some(),
        all_recorded,
        programme.certificate_issuance,
    );
    if decided.status != registration.status {
        registration.status = decided.status;
        registration.version += 1;
        registration.updated_at = now;
        registrations::save(conn, registration).await?;
        tracing::info!(registration_id = %registration.id, status = %decided.status, "completion settled");
    }
    if decided.issue_certificate {
        issue(conn, programme, issuer, registration, &progress, None, now).await?;
    }
    Ok(())
}

/// A new verification code from the operating system's randomness.
fn new_code() -> Result<VerificationCode, ApiError> {
    let mut bytes = [0u8; wording::CODE_RANDOM_BYTES];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    Ok(VerificationCode::from_random(bytes))
}

/// The language a programme's certificates are worded in: the first of its languages (then of
/// its title's) that certificates are written in, else English.
pub(crate) fn certificate_language(programme: &Programme) -> &'static str {
    wording::language(
        programme
            .languages
            .iter()
            .map(Locale::as_str)
            .chain(programme.title.entries().keys().map(String::as_str)),
    )
}

/// Who a programme's certificates name as organiser and funders, read once however many
/// certificates one request issues.
pub(crate) struct Issuer {
    organiser: String,
    funders: Vec<String>,
}

/// The organiser's name and the funders of the grants funding the programme.
pub(crate) async fn issuer(
    conn: &impl ConnectionTrait,
    programme: &Programme,
) -> Result<Issuer, ApiError> {
    let organiser = organisations::find(conn, programme.organisation_id)
        .await?
        .map(|o| o.name.as_str().to_string())
        .unwrap_or_default();
    let mut funder_ids: Vec<FunderId> = Vec::new();
    let grant_ids = grants::for_programme(conn, programme.id).await?;
    for grant in grants::find_many(conn, &grant_ids).await? {
        if !funder_ids.contains(&grant.funder_id) {
            funder_ids.push(grant.funder_id);
        }
    }
    let mut funders_named = Vec::with_capacity(funder_ids.len());
    for id in funder_ids {
        if let Some(f) = funders::find(conn, id, false).await? {
            funders_named.push(f.name);
        }
    }
    Ok(Issuer {
        organiser,
        funders: funders_named,
    })
}

/// Issues a certificate for a registration that met the completion rule, with everything it
/// says copied as it stands now, and tells the holder.
pub(crate) async fn issue(
    conn: &impl ConnectionTrait,
    programme: &Programme,
    issuer: &Issuer,
    registration: &Registration,
    progress: &Progress,
    issued_by: Option<AccountId>,
    now: DateTime<Utc>,
) -> Result<Certificate, ApiError> {
    let holder = accounts::find(conn, registration.participant_id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("registration without an account")))?;
    let europass = match (&programme.mobility, programme.kind) {
        (Some(m), ProgrammeKind::Mobility) => {
            let sending = match holder.workplace_organisation_id {
                Some(w) => organisations::find(conn, w)
                    .await?
                    .map(|o| o.name.as_str().to_string()),
                None => None,
            };
            Some(Europass {
                sending_organisation: sending.unwrap_or_else(|| issuer.organiser.clone()),
                host_organisation: m.host_organisation.clone(),
                host_city: m.host_city.clone(),
                host_country: m.host_country.map(|c| c.as_str().to_string()),
                mentor: m.mentor.clone(),
                learning_outcomes: m.learning_outcomes.clone(),
            })
        }
        _ => None,
    };
    let certificate = Certificate {
        id: CertificateId::new(),
        registration_id: registration.id,
        programme_id: programme.id,
        participant_id: holder.id,
        code: new_code()?,
        language: certificate_language(programme).to_string(),
        // The name as it is today; a certificate never changes with the profile.
        holder_name: holder.name.as_ref().map_or_else(
            || holder.email.as_str().to_string(),
            |n| n.as_str().to_string(),
        ),
        programme_title: programme.title.entries().clone(),
        organiser_name: issuer.organiser.clone(),
        funders: issuer.funders.clone(),
        hours: progress
            .lines
            .iter()
            .filter(|l| l.attended_minutes > 0)
            .map(|l| CertifiedHours {
                activity_type: l.activity_type,
                minutes: l.attended_minutes,
            })
            .collect(),
        total_minutes: progress.attended_minutes,
        starts_on: programme.period.starts_on(),
        ends_on: programme.period.ends_on(),
        europass,
        issued_at: now,
        issued_by,
        revoked_at: None,
        revoked_by: None,
        revocation_reason: None,
        version: 1,
    };
    match certificates::insert(conn, &certificate).await {
        Ok(()) => {}
        // The only unique constraint a fresh 100-bit code can meet in practice is
        // `ux_certificates_live_registration`: another certificate won the race.
        // (On PostgreSQL the failed insert aborts the transaction: nothing more is read.)
        Err(StoreError::Duplicate(_)) => return Err(certificate_exists(None)),
        Err(other) => return Err(other.into()),
    }
    let language = holder.locale.as_str().to_string();
    let details = Details {
        programme_title: programme
            .title
            .best(&[language.as_str(), certificate.language.as_str()])
            .to_string(),
        code: Some(certificate.code.grouped()),
        ..Details::default()
    };
    let (subject, body) = kompetens_domain::notification::render(
        NotificationKind::CertificateIssued,
        &language,
        &details,
    );
    notifications::enqueue(
        conn,
        holder.id,
        holder.email.as_str(),
        NotificationKind::CertificateIssued,
        &subject,
        &body,
        now,
    )
    .await?;
    tracing::info!(certificate_id = %certificate.id, registration_id = %registration.id, "certificate issued");
    Ok(certificate)
}

/// 409 pointing at the certificate already in force.
pub(crate) fn certificate_exists(live: Option<CertificateId>) -> ApiError {
    ApiError::Conflict {
        code: "certificate-exists",
        detail: "a certificate for this registration is in force; revoke it before issuing another"
            .into(),
        existing: live.map(|id| format!("/api/v1/certificates/{id}")),
    }
}

// ---------------------------------------------------------------------------------------------
// GET /registrations/{id}/progress

#[derive(Serialize, ToSchema)]
pub struct ProgressLineResponse {
    pub activity_type: ActivityType,
    /// From the hour budget.
    pub planned_minutes: u32,
    /// What the sessions open to this participant count for (a parallel group once; sessions
    /// with their own places only where the participant holds one).
    pub offered_minutes: u32,
    /// Attended, each session credited at most its `credit_minutes`.
    pub attended_minutes: u32,
}

#[derive(Serialize, ToSchema)]
pub struct ProgressTotals {
    pub planned_minutes: u64,
    pub offered_minutes: u64,
    pub attended_minutes: u64,
}

/// What the completion rule still asks for: overall (`activity_type` null) or for one type.
#[derive(Serialize, ToSchema)]
pub struct ShortfallResponse {
    pub activity_type: Option<ActivityType>,
    pub required_percent: u8,
    pub required_minutes: u32,
    pub attended_minutes: u32,
    pub missing_minutes: u32,
}

#[derive(Serialize, ToSchema)]
pub struct CompletionResponse {
    /// Whether the programme's completion rule is met.
    pub met: bool,
    /// Empty when met.
    pub missing: Vec<ShortfallResponse>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "registration_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ed0",
    "programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0",
    "participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f",
    "status": "confirmed",
    "lines": [
        {"activity_type": "workshop", "planned_minutes": 900, "offered_minutes": 900, "attended_minutes": 540},
        {"activity_type": "group_supervision", "planned_minutes": 480, "offered_minutes": 480, "attended_minutes": 480}
    ],
    "totals": {"planned_minutes": 1380, "offered_minutes": 1380, "attended_minutes": 1020},
    "completion": {"met": false, "missing": [
        {"activity_type": null, "required_percent": 80, "required_minutes": 1104, "attended_minutes": 1020, "missing_minutes": 84}
    ]},
    "certificate_id": null
}))]
pub struct ProgressResponse {
    pub registration_id: Uuid,
    pub programme_id: Uuid,
    pub participant_id: Uuid,
    pub status: RegistrationStatus,
    pub lines: Vec<ProgressLineResponse>,
    pub totals: ProgressTotals,
    pub completion: CompletionResponse,
    /// The certificate in force, once issued.
    pub certificate_id: Option<Uuid>,
}

pub(crate) fn progress_response(
    r: &Registration,
    p: &Progress,
    certificate: Option<&Certificate>,
) -> ProgressResponse {
    ProgressResponse {
        registration_id: r.id.as_uuid(),
        programme_id: r.programme_id.as_uuid(),
        participant_id: r.participant_id.as_uuid(),
        status: r.status,
        lines: p
            .lines
            .iter()
            .map(|l| ProgressLineResponse {
                activity_type: l.activity_type,
                planned_minutes: l.planned_minutes,
                offered_minutes: l.offered_minutes,
                attended_minutes: l.attended_minutes,
            })
            .collect(),
        totals: ProgressTotals {
            planned_minutes: p.planned_minutes,
            offered_minutes: p.offered_minutes,
            attended_minutes: p.attended_minutes,
        },
        completion: CompletionResponse {
            met: p.completion.met,
            missing: p
                .completion
                .shortfalls
                .iter()
                .map(|s| ShortfallResponse {
                    activity_type: s.activity_type,
                    required_percent: s.required_percent,
                    required_minutes: s.required_minutes,
                    attended_minutes: s.attended_minutes,
                    missing_minutes: s.missing_minutes,
                })
                .collect(),
        },
        certificate_id: certificate.map(|c| c.id.as_uuid()),
    }
}

/// A registration's progress: planned, offered and attended minutes per activity type, and
/// whether the completion rule is met (if not, what is missing). The participant sees their
/// own; the programme's organisers see everyone's.
#[utoipa::path(
    tag = "attendance",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "The progress", body = ProgressResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration, or not yours to see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/registrations/{id}/progress")]
pub async fn registration_progress(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (r, programme, _) = super::legacy::visible(&state.db, &caller, *id, false).await?;
    let progress = progress_of(&state.db, &programme, &r).await?;
    let live = certificates::live_for_registration(&state.db, r.id).await?;
    Ok(HttpResponse::Ok().json(progress_response(&r, &progress, live.as_ref())))
}
