//! From attendance to completion: a participant's progress, the `completed` status, and the
//! certificate issued when the completion rule is met.
//!
//! Everything here that writes runs in the caller's write transaction, after the programme's
//! row lock was taken: completion is decided on the marks as they stand, one recording at a
//! time per programme, and `ux_certificates_live_registration` backs up "one certificate in
//! force per registration" whatever the concurrency.

mod progress;

pub use progress::{ProgressView, progress};

use chrono::{DateTime, Utc};
use kompetens_domain::certificate::{
    self as wording, Certificate, CertifiedHours, Europass, VerificationCode,
};
use kompetens_domain::hour_budget::HourBudget;
use kompetens_domain::ids::{AccountId, CertificateId, FunderId};
use kompetens_domain::locale::Locale;
use kompetens_domain::notification::{Details, NotificationKind};
use kompetens_domain::programme::{Programme, ProgrammeKind};
use kompetens_domain::progress::{self as rules, OfferedSession, Progress};
use kompetens_domain::registration::{Registration, RegistrationStatus};
use kompetens_domain::session::Session;
use kompetens_domain::session::SessionStatus;
use kompetens_persistence::repo::{
    accounts, attendance, certificates, funders, grants, notifications, organisations, programmes,
    registrations, session_choices, sessions,
};
use kompetens_persistence::{ConnectionTrait, StoreError};

use crate::AppError;

/// What every participant's progress in a programme is computed from.
pub(crate) struct Facts {
    budget: HourBudget,
    sessions: Vec<Session>,
}

/// Reads the hour budget and the sessions once, for any number of participants.
pub(crate) async fn facts(
    conn: &impl ConnectionTrait,
    programme: &Programme,
) -> Result<Facts, AppError> {
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
) -> Result<(Progress, bool), AppError> {
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
    let progress = rules::progress(&facts.budget, &programme.completion_rule, &offered);
    Ok((progress, all_recorded))
}

/// A participant's progress through a programme, computed from the hour budget, the sessions
/// open to them and their attendance.
pub(crate) async fn progress_of(
    conn: &impl ConnectionTrait,
    programme: &Programme,
    registration: &Registration,
) -> Result<Progress, AppError> {
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
) -> Result<(), AppError> {
    if !matches!(
        registration.status,
        RegistrationStatus::Confirmed | RegistrationStatus::Completed
    ) {
        return Ok(());
    }
    let (progress, all_recorded) = progress_with(conn, facts, programme, registration).await?;
    let live = certificates::live_for_registration(conn, registration.id).await?;
    let decided = rules::settle(
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
fn new_code() -> Result<VerificationCode, AppError> {
    let mut bytes = [0u8; wording::CODE_RANDOM_BYTES];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
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
) -> Result<Issuer, AppError> {
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
) -> Result<Certificate, AppError> {
    let holder = accounts::find(conn, registration.participant_id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("registration without an account")))?;
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
pub(crate) fn certificate_exists(live: Option<CertificateId>) -> AppError {
    AppError::Conflict {
        code: "certificate-exists",
        detail: "a certificate for this registration is in force; revoke it before issuing another"
            .into(),
        existing: live.map(|id| format!("/api/v1/certificates/{id}")),
    }
}
