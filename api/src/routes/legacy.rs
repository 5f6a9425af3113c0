//! Helpers of the routes not yet moved to a use case in `kompetens_app`; each goes when the
//! last route using it has moved.

use chrono::{DateTime, Utc};
use kompetens_domain::ids::ProgrammeId;
use kompetens_domain::locale::Locale;
use kompetens_domain::notification::{self, Details, NotificationKind};
use kompetens_domain::policy::{self, Actor, Decision, ProgrammeAction};
use kompetens_domain::registration::{self as rules, RegistrationStatus};
use kompetens_persistence::repo::accounts::{self, Account};
use kompetens_persistence::repo::programmes::{self, Programme};
use kompetens_persistence::repo::registrations::{self, Registration};
use kompetens_persistence::repo::sessions;
use kompetens_persistence::repo::{notifications, session_choices};
use kompetens_persistence::{ConnectionTrait, DatabaseTransaction};

use crate::error::ApiError;

/// Loads a programme and checks the caller may do `action` to it; `lock` holds its row for
/// the rest of the transaction.
pub(crate) async fn authorised(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    id: ProgrammeId,
    action: ProgrammeAction,
    lock: bool,
) -> Result<Programme, ApiError> {
    let programme = programmes::find(conn, id, lock)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut decision = policy::programme(
        actor,
        &programme.organisation_path,
        programme.status,
        false,
        action,
    );
    if decision == Decision::NotFound {
        // Only then is it worth asking whether the caller teaches in it.
        if let Some(actor) = actor
            && programmes::is_taught_by(conn, programme.id, actor.account_id).await?
        {
            decision = policy::programme(
                Some(actor),
                &programme.organisation_path,
                programme.status,
                true,
                action,
            );
        }
    }
    ApiError::check(decision)?;
    Ok(programme)
}

/// A programme the caller organises; to anyone else it does not exist (404), even where they
/// can read it: registrations, certificates and reports are the organisers' business.
pub(crate) async fn organised_programme(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: ProgrammeId,
    lock: bool,
) -> Result<Programme, ApiError> {
    authorised(conn, Some(actor), id, ProgrammeAction::Manage, lock)
        .await
        .map_err(|e| match e {
            ApiError::Forbidden(_) => ApiError::NotFound,
            other => other,
        })
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

/// Confirms as many of those waiting as there are free places, strictly in order of arrival,
/// in the caller's transaction (which holds the programme's lock), and tells each of them.
pub(crate) async fn promote(
    tx: &DatabaseTransaction,
    programme: &Programme,
    now: DateTime<Utc>,
) -> Result<Vec<Registration>, ApiError> {
    let Some(fresh) = programmes::find(tx, programme.id, false).await? else {
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
