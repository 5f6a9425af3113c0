//! Calendars (RFC 5545) of sessions: a programme's, and your own.

use std::collections::BTreeMap;

use chrono::Utc;
use kompetens_domain::calendar::{self, CalendarEvent};
use kompetens_domain::ids::{ProgrammeId, SessionId, VenueId};
use kompetens_domain::locale::Locale;
use kompetens_domain::policy::ProgrammeAction;
use kompetens_domain::programme::{Programme, ProgrammeStatus};
use kompetens_domain::registration::RegistrationStatus;
use kompetens_domain::session::SessionStatus;
use kompetens_domain::venue::Venue;
use kompetens_persistence::ConnectionTrait;
use kompetens_persistence::repo::{registrations, session_choices, sessions, venues};

use super::{Session, SessionFilter, programmes_of};
use crate::programmes::authorised;
use crate::{App, AppError, Caller};

/// A calendar: its name and its events.
pub struct Calendar {
    pub name: String,
    pub events: Vec<CalendarEvent>,
}

impl Calendar {
    /// The calendar as `text/calendar`.
    pub fn render(&self) -> String {
        calendar::render(&self.name, &self.events, Utc::now())
    }
}

async fn events(
    conn: &impl ConnectionTrait,
    sessions: &[Session],
    programmes: &BTreeMap<ProgrammeId, Programme>,
) -> Result<Vec<CalendarEvent>, AppError> {
    let mut venue_ids: Vec<VenueId> = sessions.iter().filter_map(|s| s.venue_id).collect();
    venue_ids.sort_unstable();
    venue_ids.dedup();
    let venues: BTreeMap<VenueId, Venue> = venues::find_many(conn, &venue_ids)
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

/// A programme's sessions as a calendar (public when the programme is).
pub async fn programme_calendar(
    app: &App,
    caller: Option<&Caller>,
    programme: ProgrammeId,
) -> Result<Calendar, AppError> {
    let db = app.db();
    let p = authorised(
        db,
        caller.map(|c| &c.actor),
        programme,
        ProgrammeAction::Read,
        false,
    )
    .await?;
    let all = sessions::all_for_programme(db, p.id).await?;
    let languages: Vec<&str> = p.languages.iter().map(Locale::as_str).collect();
    let name = p.title.best(&languages).to_string();
    let programmes = BTreeMap::from([(p.id, p)]);
    let events = events(db, &all, &programmes).await?;
    Ok(Calendar { name, events })
}

/// Your sessions as a calendar: those you teach, and those of the programmes in which you hold
/// a place (sessions with their own places: where you hold one).
pub async fn my_calendar(app: &App, caller: &Caller) -> Result<Calendar, AppError> {
    let db = app.db();
    let mut all = Vec::new();
    let mut after = None;
    // A calendar is one document: gather every page (bounded: a trainer's sessions).
    for _ in 0..50 {
        let page = sessions::list_for_trainer(
            db,
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
    let mut after = None;
    for _ in 0..50 {
        let page = registrations::list_for_participant(db, caller.account_id(), after, 200).await?;
        for r in page.items.iter().filter(|r| {
            matches!(
                r.status,
                RegistrationStatus::Confirmed | RegistrationStatus::Completed
            )
        }) {
            let held: Vec<SessionId> = session_choices::active_for_registration(db, r.id)
                .await?
                .into_iter()
                .filter(|c| c.status == session_choices::CONFIRMED)
                .map(|c| c.session_id)
                .collect();
            for s in sessions::all_for_programme(db, r.programme_id).await? {
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
    let programmes = programmes_of(db, &all).await?;
    // Drafts stay private, even to those registered in them (they cannot be, but be sure).
    all.retain(|s| {
        programmes.get(&s.programme_id).is_some_and(|p| {
            p.status != ProgrammeStatus::Draft || s.trainer_ids.contains(&caller.account_id())
        })
    });
    let events = events(db, &all, &programmes).await?;
    Ok(Calendar {
        name: "Kompetens".to_string(),
        events,
    })
}
