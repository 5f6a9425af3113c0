//! Registrations: limited places, first come first served, waiting lists that keep their order.
//!
//! Every change takes the programme's row lock first (`programmes::authorised(.., lock)`),
//! decides with the domain's rules (`kompetens_domain::registration`: the registration policy,
//! admission, counter changes, the cancellation deadline) on the counters read under it,
//! writes, and queues the notifications in the same transaction.

mod approve;
mod batch;
mod cancel;
mod choose_sessions;
mod get;
mod list;
mod register;
mod reject;
mod release;

pub use approve::approve;
pub use batch::{BatchEntry, BatchOutcome, BatchRequest, MAX_BATCH, batch};
pub use cancel::{ReasonRequest, cancel};
pub use choose_sessions::{SessionChoiceRequest, choose_sessions};
pub use get::get;
pub use list::{ExportRow, ProgrammeRegistrations, RegistrationFilter, list_for_programme, mine};
pub use register::{RegistrationRequest, register};
pub use reject::reject;
pub use release::release_reservations;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kompetens_domain::ids::{AccountId, RegistrationId, SessionId};
use kompetens_domain::locale::Locale;
use kompetens_domain::notification::{self, Details, NotificationKind};
use kompetens_domain::programme::Programme;
use kompetens_domain::registration::{
    self as rules, Admission, CounterChange, Occupancy, RegistrationStatus, counter_change,
};
use kompetens_domain::seating;
use kompetens_persistence::repo::accounts::{self, Account};
use kompetens_persistence::repo::session_choices::{self, SessionChoice};
use kompetens_persistence::repo::{
    notifications, organisations, programmes, registrations, sessions,
};
use kompetens_persistence::{ConnectionTrait, DatabaseTransaction};

pub use kompetens_domain::registration::Registration;

use crate::{AppError, Caller};

/// A registration as its reader sees it: with its place on the waiting list and the sessions
/// it chose.
#[derive(Debug, Clone)]
pub struct RegistrationView {
    pub registration: Registration,
    /// 1-based and gapless among those waiting; only while waitlisted.
    pub waitlist_position: Option<u32>,
    pub session_choices: Vec<ChoiceView>,
}

/// A session chosen: a place in it (`confirmed`) or a position on its waiting list.
#[derive(Debug, Clone)]
pub struct ChoiceView {
    pub session_id: SessionId,
    /// `confirmed` or `waitlisted`.
    pub status: String,
    pub waitlist_position: Option<u32>,
}

impl RegistrationView {
    /// A registration just decided, whose position is known (no choices yet).
    pub(crate) fn new(registration: Registration, waitlist_position: Option<u32>) -> Self {
        Self {
            registration,
            waitlist_position,
            session_choices: Vec::new(),
        }
    }
}

/// Reads a registration's position and session choices.
pub(crate) async fn view(
    conn: &impl ConnectionTrait,
    registration: Registration,
) -> Result<RegistrationView, AppError> {
    let position = registrations::waitlist_position(conn, &registration).await?;
    let choices = session_choices::active_for_registration(conn, registration.id).await?;
    let mut view = RegistrationView::new(registration, position);
    view.session_choices = choice_views(conn, view.registration.id, &choices).await?;
    Ok(view)
}

/// The views of `registration`'s choices among `choices`.
pub(crate) async fn choice_views(
    conn: &impl ConnectionTrait,
    registration: RegistrationId,
    choices: &[SessionChoice],
) -> Result<Vec<ChoiceView>, AppError> {
    let mut views = Vec::new();
    for choice in choices.iter().filter(|c| c.registration_id == registration) {
        views.push(ChoiceView {
            session_id: choice.session_id,
            status: choice.status.clone(),
            waitlist_position: session_choices::position(conn, choice).await?,
        });
    }
    Ok(views)
}

/// A registration the caller may see (their own, or as an organiser of its programme), with
/// its programme and whether the caller organises it. `lock` holds the programme's row.
pub(crate) async fn visible(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: RegistrationId,
    lock: bool,
) -> Result<(Registration, Programme, bool), AppError> {
    let registration = registrations::find(conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let programme = programmes::find(conn, registration.programme_id, lock)
        .await?
        .ok_or(AppError::NotFound)?;
    let organiser = caller.actor.is_admin || caller.actor.organises(&programme.organisation_path);
    if !organiser && registration.participant_id != caller.account.id {
        return Err(AppError::NotFound);
    }
    // Re-read under the lock: the row may have changed while we waited for it.
    let registration = if lock {
        registrations::find(conn, registration.id)
            .await?
            .ok_or(AppError::NotFound)?
    } else {
        registration
    };
    Ok((registration, programme, organiser))
}

/// The programme's counters as read under its lock.
pub(crate) fn occupancy(p: &Programme) -> Occupancy {
    registrations::occupancy(p)
}

/// Moves the programme's counters by `change`.
pub(crate) async fn count(
    conn: &impl ConnectionTrait,
    programme: &Programme,
    change: CounterChange,
) -> Result<(), AppError> {
    if !change.is_none() {
        registrations::adjust_counts(conn, programme.id, change.confirmed, change.waitlisted)
            .await?;
    }
    Ok(())
}

/// What every message about this programme says, in the participant's language.
pub(crate) fn details(participant: &Account, programme: &Programme) -> Details {
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

/// Queues the e-mail `kind` to `participant` in the caller's transaction (the outbox).
pub(crate) async fn enqueue(
    conn: &impl ConnectionTrait,
    participant: &Account,
    kind: NotificationKind,
    details: &Details,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
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

/// The e-mail about a registration, in the participant's language, queued in the same
/// transaction.
pub(crate) async fn notify(
    conn: &impl ConnectionTrait,
    participant: &Account,
    programme: &Programme,
    kind: NotificationKind,
    waitlist_position: Option<u32>,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let details = Details {
        waitlist_position,
        reason: reason.map(str::to_string),
        ..details(participant, programme)
    };
    enqueue(conn, participant, kind, &details, now).await
}

/// Confirms those waiting who have a place now — after a place was freed, the rules changed
/// or the reservation for the priority group ended — in the waiting list's order, in the
/// caller's transaction (which holds the programme's lock), and tells each of them.
///
/// A programme with neither a priority group nor seat caps goes by its counters alone: as many
/// as there are free places, the first in line. One with them reads its queue and asks
/// `seating::fill`, which seats each person in line who fits and leaves the others in place.
pub(crate) async fn promote(
    tx: &DatabaseTransaction,
    programme: &Programme,
    now: DateTime<Utc>,
) -> Result<Vec<Registration>, AppError> {
    // The counters and rules as this transaction left them.
    let Some(fresh) = programmes::find(tx, programme.id, false).await? else {
        return Ok(Vec::new());
    };
    let rules = fresh.seating_rules(now);
    let waiting = if rules.need_the_queue() {
        let queue = registrations::queue(tx, fresh.id).await?;
        let order = seating::fill(rules, &queue);
        in_order(registrations::find_many(tx, &order).await?, &order)
    } else {
        let n = occupancy(&fresh).promotable();
        registrations::first_waiting(tx, fresh.id, n).await?
    };
    let promoted = confirm_waiting(tx, &fresh, waiting, now).await?;
    notice_release(tx, &fresh, now).await?;
    Ok(promoted)
}

/// Where `candidate` — someone joining the queue now (new, or just approved) — goes: whether
/// they get a place, and who else waiting is seated with the same decision (someone who fits
/// now because the reservation ended). Under the programme's lock.
pub(crate) async fn seat_candidate(
    tx: &DatabaseTransaction,
    programme: &Programme,
    candidate: seating::Seat,
    now: DateTime<Utc>,
) -> Result<(bool, Vec<Registration>), AppError> {
    let rules = programme.seating_rules(now);
    if !rules.need_the_queue() {
        // One line in order of arrival: the counters read under the lock decide.
        let seated = rules::seat(occupancy(programme)) == Admission::Confirmed;
        return Ok((seated, Vec::new()));
    }
    let mut queue = registrations::queue(tx, programme.id).await?;
    queue.retain(|s| s.id != candidate.id);
    let id = candidate.id;
    queue.push(candidate);
    let order = seating::fill(rules, &queue);
    let seated = order.contains(&id);
    let others: Vec<RegistrationId> = order.into_iter().filter(|o| *o != id).collect();
    let others = in_order(registrations::find_many(tx, &others).await?, &others);
    Ok((seated, others))
}

/// A registration as the seating rules see it, with its workplace's place in the tree when a
/// seat cap could count it.
pub(crate) async fn seat_of(
    conn: &impl ConnectionTrait,
    programme: &Programme,
    r: &Registration,
) -> Result<seating::Seat, AppError> {
    let workplace = match r.workplace_organisation_id {
        Some(id) if !programme.seat_caps.is_empty() => {
            organisations::find(conn, id).await?.map(|o| o.path)
        }
        _ => None,
    };
    Ok(seating::Seat {
        id: r.id,
        arrival: r.arrival,
        priority: r.priority,
        workplace,
        holds_place: false,
    })
}

/// `found` in the order of `order`.
pub(crate) fn in_order(found: Vec<Registration>, order: &[RegistrationId]) -> Vec<Registration> {
    let mut by_id: BTreeMap<RegistrationId, Registration> =
        found.into_iter().map(|r| (r.id, r)).collect();
    order.iter().filter_map(|id| by_id.remove(id)).collect()
}

/// Moves `waiting` to confirmed, in order, with the counters, and tells each person.
pub(crate) async fn confirm_waiting(
    tx: &DatabaseTransaction,
    programme: &Programme,
    waiting: Vec<Registration>,
    now: DateTime<Utc>,
) -> Result<Vec<Registration>, AppError> {
    if waiting.is_empty() {
        return Ok(Vec::new());
    }
    let people: Vec<AccountId> = waiting.iter().map(|r| r.participant_id).collect();
    let people: BTreeMap<AccountId, Account> = accounts::find_many(tx, &people)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut promoted = Vec::with_capacity(waiting.len());
    let mut change = CounterChange::default();
    for mut r in waiting {
        let moved = counter_change(Some(r.status), RegistrationStatus::Confirmed);
        change.confirmed += moved.confirmed;
        change.waitlisted += moved.waitlisted;
        r.status = RegistrationStatus::Confirmed;
        r.version += 1;
        r.updated_at = now;
        registrations::save(tx, &r).await?;
        if let Some(person) = people.get(&r.participant_id) {
            notify(
                tx,
                person,
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
    count(tx, programme, change).await?;
    tracing::info!(programme_id = %programme.id, promoted = promoted.len(), "waiting list promoted");
    Ok(promoted)
}

/// Records that the places held for the priority group went back to everyone, once a
/// transaction deciding on the programme after `reserved_until` has seated people by that.
pub(crate) async fn notice_release(
    tx: &DatabaseTransaction,
    programme: &Programme,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let ended = programme.priority.as_ref().is_some_and(|p| {
        p.reserved_places > 0 && p.reserved_until.is_some_and(|until| until <= now)
    });
    if ended && programme.reservation_released_at.is_none() {
        programmes::set_reservation_released(tx, programme.id, Some(now)).await?;
        tracing::info!(programme_id = %programme.id, "reserved places released to everyone");
    }
    Ok(())
}

/// Frees whatever place or wait the registration held and moves it to `status` (cancelled or
/// rejected), with the places it held in sessions going to those waiting for them.
pub(crate) async fn end(
    tx: &DatabaseTransaction,
    programme: &Programme,
    r: &mut Registration,
    status: RegistrationStatus,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let change = counter_change(Some(r.status), status);
    r.status = status;
    r.reason = reason;
    r.version += 1;
    r.updated_at = now;
    registrations::save(tx, r).await?;
    count(tx, programme, change).await?;
    for choice in session_choices::active_for_registration(tx, r.id).await? {
        session_choices::set_status(tx, choice.id, session_choices::CANCELLED, now).await?;
        promote_in_session(tx, choice.session_id, now).await?;
    }
    Ok(())
}

/// Places taken and people waiting in a session with its own capacity (under the lock).
pub(crate) async fn session_occupancy(
    tx: &DatabaseTransaction,
    session: SessionId,
    capacity: Option<u32>,
) -> Result<Occupancy, AppError> {
    let count = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(Occupancy {
        capacity,
        confirmed: count(session_choices::count(tx, session, session_choices::CONFIRMED).await?),
        waitlisted: count(session_choices::count(tx, session, session_choices::WAITLISTED).await?),
    })
}

/// Confirms those waiting for a session while it has free places, in order of arrival.
pub(crate) async fn promote_in_session(
    tx: &DatabaseTransaction,
    session: SessionId,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
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

/// The seat a newcomer takes in a session (confirmed or waiting), by the domain's rule.
pub(crate) fn session_status(occupancy: Occupancy) -> &'static str {
    match rules::seat(occupancy) {
        Admission::Confirmed => session_choices::CONFIRMED,
        _ => session_choices::WAITLISTED,
    }
}
