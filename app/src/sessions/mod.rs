//! Sessions: the dated occurrences of a programme, their trainers, and calendars of them.
//!
//! Every change to a session first locks its programme's row (like every change to a
//! programme, its budget and registrations), then re-reads the sessions and checks the budget:
//! two concurrent sessions cannot both take the last minutes of a budget line. Then, under the
//! schedule locks of its trainers and venue, it looks for sessions in any programme that
//! would double-book them (`ensure_bookable`).

mod calendar;
mod cancel;
mod create;
mod delete;
mod get;
mod list;
mod update;

pub use calendar::{Calendar, my_calendar, programme_calendar};
pub use cancel::cancel;
pub use create::{NewSession, create};
pub use delete::delete;
pub use get::get;
pub use kompetens_domain::session::Session;
pub use list::{SessionFilter, list_for_programme, mine};
pub use update::{SessionChanges, update};

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kompetens_domain::hour_budget::ActivityType;
use kompetens_domain::ids::{AccountId, ProgrammeId, SessionId, VenueId};
use kompetens_domain::locale::Locale;
use kompetens_domain::policy::{Actor, ProgrammeAction};
use kompetens_domain::programme::{Capacity, Programme};
use kompetens_domain::schedule::{self, Clash};
use kompetens_domain::session::{
    self as rules, CreditMinutes, ParallelGroup, SessionStatus, SessionTime,
};
use kompetens_domain::text::{LocalizedLine, WebUrl};
use kompetens_domain::venue::ConcurrentSessions;
use kompetens_persistence::ConnectionTrait;
use kompetens_persistence::repo::{accounts, memberships, programmes, sessions, venues};

use crate::probe::Guard;
use crate::programmes::{authorised, budget_exceeded, tally};
use crate::{App, AppError, FieldError};

/// The most trainers one session may have.
pub const MAX_TRAINERS: usize = 20;

/// The longest session title, in each language.
pub const TITLE_CHARS: usize = 300;

/// A session with the programme it belongs to (its time zone shows the session's times).
pub struct SessionView {
    pub session: Session,
    pub programme: Programme,
}

/// What a create or a change asks of a session, field by field (`None`: leave it as it is;
/// `Some(None)`: clear it).
#[derive(Default)]
pub(crate) struct Fields {
    pub title: Option<LocalizedLine<{ TITLE_CHARS }>>,
    pub activity_type: Option<ActivityType>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub venue_id: Option<Option<VenueId>>,
    pub online_url: Option<Option<WebUrl>>,
    pub trainer_ids: Option<Option<Vec<AccountId>>>,
    pub capacity: Option<Option<Capacity>>,
    pub language: Option<Option<Locale>>,
    /// `Some(None)`: back to the default, the session's length.
    pub credit_minutes: Option<Option<CreditMinutes>>,
    pub parallel_group: Option<Option<ParallelGroup>>,
    pub raise_budget: bool,
}

/// What the fields ask beyond the session's own members.
pub(crate) struct Requested {
    credit: Option<Option<i64>>,
    raise_budget: bool,
    trainer_ids: Option<Vec<AccountId>>,
}

impl Fields {
    /// Applies the fields to `s`; the problems found between fields go to `errors`.
    pub(crate) fn apply(
        self,
        s: &mut Session,
        creating: bool,
        errors: &mut Vec<FieldError>,
    ) -> Requested {
        if let Some(v) = self.title {
            s.title = v.into_inner();
        }
        if let Some(v) = self.activity_type {
            s.activity_type = v;
        }
        if self.starts_at.is_some() || self.ends_at.is_some() {
            match SessionTime::new(
                self.starts_at.unwrap_or(s.time.starts_at),
                self.ends_at.unwrap_or(s.time.ends_at),
            ) {
                Ok(t) => s.time = t,
                Err(e) => {
                    if !creating || (self.starts_at.is_some() && self.ends_at.is_some()) {
                        errors.push(FieldError::at("/ends_at", e.0));
                    }
                }
            }
        }
        if let Some(v) = self.venue_id {
            s.venue_id = v;
        }
        if let Some(v) = self.online_url {
            s.online_url = v.map(WebUrl::into_string);
        }
        if let Some(v) = self.capacity {
            s.capacity = v.map(Capacity::get);
        }
        if let Some(v) = self.language {
            s.language = v;
        }
        if let Some(v) = self.parallel_group {
            s.parallel_group = v.map(ParallelGroup::into_string);
        }
        let trainer_ids = self.trainer_ids.map(|ids| {
            let mut ids = ids.unwrap_or_default();
            ids.sort_unstable();
            ids.dedup();
            ids
        });
        Requested {
            credit: self.credit_minutes.map(|c| c.map(|m| i64::from(m.get()))),
            raise_budget: self.raise_budget,
            trainer_ids,
        }
    }
}

/// Loads a session and its programme, checking the caller may do `action` (`lock` holds the
/// programme's row).
pub(crate) async fn session_and_programme(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    id: SessionId,
    action: ProgrammeAction,
    lock: bool,
) -> Result<(Session, Programme), AppError> {
    let session = sessions::find(conn, id).await?.ok_or(AppError::NotFound)?;
    let programme = authorised(conn, actor, session.programme_id, action, lock).await?;
    Ok((session, programme))
}

/// Checks a session against its programme and what it refers to, and the hour budget with it;
/// raises the budget when asked. Call with the programme locked.
pub(crate) async fn validate_and_fit(
    conn: &impl ConnectionTrait,
    p: &Programme,
    s: &mut Session,
    req: &Requested,
    mut errors: Vec<FieldError>,
) -> Result<(), AppError> {
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
        for (i, account) in ids.iter().enumerate() {
            let may = match accounts::find(conn, *account).await? {
                None => false,
                Some(_) => {
                    let grants = memberships::grants_for_account(conn, *account).await?;
                    rules::may_teach(&grants, &p.organisation_path)
                }
            };
            if may {
                trainers.push(*account);
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
        return Err(AppError::Validation(errors));
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

/// Refuses `s` with 409 when one of its trainers already teaches a scheduled session that
/// overlaps it, in any programme (`trainer-double-booked`), or when its venue already hosts
/// its `concurrent_sessions` at some instant of it (`venue-double-booked`), naming the other
/// session. Call with the programme locked and `s` validated, right before writing it: the
/// schedule locks taken here keep the answer true until the transaction ends.
pub(crate) async fn ensure_bookable(
    app: &App,
    conn: &impl ConnectionTrait,
    p: &Programme,
    s: &Session,
) -> Result<(), AppError> {
    if s.status != SessionStatus::Scheduled || (s.trainer_ids.is_empty() && s.venue_id.is_none()) {
        return Ok(());
    }
    if app.guarded(Guard::Schedule) {
        sessions::lock_schedules(conn, &s.trainer_ids, s.venue_id).await?;
    }
    let mut others = sessions::overlapping_for_trainers(conn, &s.trainer_ids, s.time, s.id).await?;
    let mut limit = ConcurrentSessions::default();
    if let Some(venue) = s.venue_id {
        if let Some(v) = venues::find(conn, venue, false).await? {
            limit = v.concurrent_sessions;
        }
        others.extend(sessions::overlapping_at_venue(conn, venue, s.time, s.id).await?);
    }
    if let Some(clash) = schedule::first_clash(s, &others, limit) {
        let code = match clash {
            Clash::TrainerDoubleBooked { .. } => "trainer-double-booked",
            Clash::VenueDoubleBooked { .. } => "venue-double-booked",
        };
        return Err(AppError::Conflict {
            code,
            detail: clash.detail(p.time_zone),
            existing: Some(format!("/api/v1/sessions/{}", clash.other().id)),
        });
    }
    // What was found holds under the locks until commit: a race test widens the gap between
    // this check and the write that follows.
    app.after_check(Guard::Schedule).await;
    Ok(())
}

/// Bumps the programme's version: its budget or sessions changed.
pub(crate) async fn touch(conn: &impl ConnectionTrait, p: &mut Programme) -> Result<(), AppError> {
    p.version += 1;
    p.updated_at = Utc::now();
    programmes::save(conn, p).await?;
    Ok(())
}

/// The programmes of `sessions`, by id (one query).
pub(crate) async fn programmes_of(
    conn: &impl ConnectionTrait,
    sessions: &[Session],
) -> Result<BTreeMap<ProgrammeId, Programme>, AppError> {
    let mut ids: Vec<ProgrammeId> = sessions.iter().map(|s| s.programme_id).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(programmes::find_many(conn, &ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}
