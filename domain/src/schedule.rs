//! Double-booking: a trainer teaches one session at a time, and a venue hosts at most its
//! `concurrent_sessions` at once, across every programme. Times are half-open, so a session
//! may start at the minute another ends.

use std::collections::BTreeMap;

use crate::ids::{AccountId, SessionId, VenueId};
use crate::session::{Session, SessionStatus, SessionTime};
use crate::time_zone::TimeZone;
use crate::venue::ConcurrentSessions;

/// Another session a session cannot be scheduled beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booked {
    pub id: SessionId,
    pub time: SessionTime,
}

impl Booked {
    fn of(s: &Session) -> Booked {
        Booked {
            id: s.id,
            time: s.time,
        }
    }
}

/// Why a session cannot be scheduled where and when it asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clash {
    /// `trainer` already teaches `other` at an overlapping time (the earliest such session).
    TrainerDoubleBooked { trainer: AccountId, other: Booked },
    /// At some instant of the session, `venue` already hosts `limit` other sessions; `other` is
    /// the earliest of the sessions that fill it.
    VenueDoubleBooked {
        venue: VenueId,
        limit: ConcurrentSessions,
        other: Booked,
    },
}

impl Clash {
    /// The session that stands in the way.
    pub fn other(&self) -> Booked {
        match self {
            Clash::TrainerDoubleBooked { other, .. } | Clash::VenueDoubleBooked { other, .. } => {
                *other
            }
        }
    }

    /// What is wrong and what to do, with the other session's times in `zone`.
    pub fn detail(&self, zone: TimeZone) -> String {
        let other = self.other();
        let when = format!(
            "session {} from {} to {}",
            other.id,
            zone.local(other.time.starts_at).to_rfc3339(),
            zone.local(other.time.ends_at).to_rfc3339()
        );
        match self {
            Clash::TrainerDoubleBooked { trainer, .. } => format!(
                "trainer {trainer} already teaches {when}, which overlaps this session; \
                 choose another time or another trainer"
            ),
            Clash::VenueDoubleBooked { venue, limit, .. } if limit.get() == 1 => format!(
                "venue {venue} hosts one session at a time (concurrent_sessions 1) and already \
                 hosts {when}; choose another time or venue, or raise the venue's \
                 concurrent_sessions"
            ),
            Clash::VenueDoubleBooked { venue, limit, .. } => format!(
                "venue {venue} hosts at most {} sessions at once (concurrent_sessions) and \
                 already hosts that many during this session, the earliest being {when}; choose \
                 another time or venue, or raise the venue's concurrent_sessions",
                limit.get()
            ),
        }
    }
}

/// The first reason `session` cannot take place beside `others` (any sessions, in any
/// programme, in any order; those cancelled, not overlapping, or `session` itself are
/// passed over), or `None` when it can. `venue_limit` is the `concurrent_sessions` of the
/// session's venue (unused when it has none). A busy trainer is reported before a full venue;
/// of several sessions in the way, the earliest (by start, then id) is named.
pub fn first_clash(
    session: &Session,
    others: &[Session],
    venue_limit: ConcurrentSessions,
) -> Option<Clash> {
    if session.status != SessionStatus::Scheduled {
        return None;
    }
    // Each candidate once, in order of start.
    let mut running: Vec<&Session> = others
        .iter()
        .filter(|o| {
            o.id != session.id
                && o.status == SessionStatus::Scheduled
                && o.time.overlaps(&session.time)
        })
        .map(|o| (o.id, o))
        .collect::<BTreeMap<_, _>>()
        .into_values()
        .collect();
    running.sort_by_key(|o| (o.time.starts_at, o.id));

    for o in &running {
        if let Some(trainer) = session
            .trainer_ids
            .iter()
            .filter(|t| o.trainer_ids.contains(t))
            .min()
        {
            return Some(Clash::TrainerDoubleBooked {
                trainer: *trainer,
                other: Booked::of(o),
            });
        }
    }

    let venue = session.venue_id?;
    let here: Vec<&Session> = running
        .into_iter()
        .filter(|o| o.venue_id == Some(venue))
        .collect();
    fullest(session.time, &here, venue_limit).map(|other| Clash::VenueDoubleBooked {
        venue,
        limit: venue_limit,
        other: Booked::of(other),
    })
}

/// Of `here` (sessions at one venue overlapping `time`, in order of start), the earliest that
/// runs at an instant of `time` when `limit` of them run at once; `None` if no instant is full.
fn fullest<'a>(
    time: SessionTime,
    here: &[&'a Session],
    limit: ConcurrentSessions,
) -> Option<&'a Session> {
    let limit = usize::try_from(limit.get()).unwrap_or(usize::MAX);
    // Each session clipped to `time`. How many run at once only rises where one of them
    // starts, so the fullest instants are among those starts.
    let clipped: Vec<_> = here
        .iter()
        .map(|o| {
            (
                o.time.starts_at.max(time.starts_at),
                o.time.ends_at.min(time.ends_at),
            )
        })
        .collect();
    let mut full = vec![false; here.len()];
    for &(instant, _) in &clipped {
        let at_once: Vec<usize> = clipped
            .iter()
            .enumerate()
            .filter(|(_, (from, to))| *from <= instant && instant < *to)
            .map(|(i, _)| i)
            .collect();
        if at_once.len() >= limit {
            for i in at_once {
                full[i] = true;
            }
        }
    }
    // `here` is in order of start, so the first one marked is the earliest.
    here.iter().zip(full).find(|(_, f)| *f).map(|(o, _)| *o)
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::Invalid;
    use crate::hour_budget::ActivityType;
    use crate::ids::ProgrammeId;
    use crate::text::LocalizedText;

    fn at(hhmm: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2026-12-10T{hhmm}:00Z"))
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn time(from: &str, to: &str) -> Result<SessionTime, Invalid> {
        SessionTime::new(at(from), at(to))
    }

    fn session(
        from: &str,
        to: &str,
        trainers: &[AccountId],
        venue: Option<VenueId>,
    ) -> Result<Session, Invalid> {
        Ok(Session {
            id: SessionId::new(),
            programme_id: ProgrammeId::new(),
            title: LocalizedText::parse([("pl", "Sesja")], 100).map_err(|e| e.1)?,
            activity_type: ActivityType::Workshop,
            time: time(from, to)?,
            venue_id: venue,
            online_url: None,
            trainer_ids: trainers.to_vec(),
            capacity: None,
            language: None,
            credit_minutes: 60,
            parallel_group: None,
            status: SessionStatus::Scheduled,
            attendance_recorded_at: None,
            version: 1,
            created_at: at("00:00"),
            updated_at: at("00:00"),
        })
    }

    #[test]
    fn overlap_is_half_open() -> Result<(), Invalid> {
        let cases = [
            (("09:00", "10:00"), ("10:00", "11:00"), false),
            (("09:00", "10:01"), ("10:00", "11:00"), true),
            (("09:00", "12:00"), ("10:00", "11:00"), true),
            (("10:00", "11:00"), ("10:00", "11:00"), true),
            (("08:00", "09:00"), ("10:00", "11:00"), false),
        ];
        for ((a, b), (c, d), overlaps) in cases {
            let (one, two) = (time(a, b)?, time(c, d)?);
            assert_eq!(one.overlaps(&two), overlaps, "{a}-{b} vs {c}-{d}");
            assert_eq!(two.overlaps(&one), overlaps, "{c}-{d} vs {a}-{b}");
        }
        Ok(())
    }

    #[test]
    fn a_trainer_teaches_one_session_at_a_time() -> Result<(), Invalid> {
        let one = ConcurrentSessions::default();
        let (anna, piotr) = (AccountId::new(), AccountId::new());
        let new = session("10:00", "12:00", &[anna, piotr], None)?;
        let before = session("08:00", "10:00", &[anna], None)?;
        let after = session("12:00", "13:00", &[piotr], None)?;
        let someone_else = session("10:00", "12:00", &[AccountId::new()], None)?;
        let later = session("11:00", "13:00", &[piotr], None)?;
        let earlier = session("09:30", "10:30", &[piotr, anna], None)?;
        let mut cancelled = session("09:00", "13:00", &[anna], None)?;
        cancelled.status = SessionStatus::Cancelled;

        assert_eq!(
            first_clash(&new, &[before.clone(), after, someone_else], one),
            None,
            "back to back, or someone else teaching"
        );
        assert_eq!(first_clash(&new, &[cancelled], one), None);
        assert_eq!(
            first_clash(&new, std::slice::from_ref(&new), one),
            None,
            "not with itself"
        );
        assert_eq!(
            first_clash(
                &new,
                &[later.clone(), earlier.clone(), before, later.clone()],
                one
            ),
            Some(Clash::TrainerDoubleBooked {
                trainer: anna.min(piotr),
                other: Booked::of(&earlier)
            }),
            "the earliest session in the way, and the first trainer it shares"
        );
        let mut cancelled_new = new.clone();
        cancelled_new.status = SessionStatus::Cancelled;
        assert_eq!(first_clash(&cancelled_new, &[later], one), None);
        Ok(())
    }

    #[test]
    fn a_venue_hosts_at_most_its_concurrent_sessions() -> Result<(), Invalid> {
        let hall = VenueId::new();
        let new = session("10:00", "12:00", &[], Some(hall))?;
        let a = session("09:00", "10:30", &[], Some(hall))?;
        let b = session("10:15", "11:00", &[], Some(hall))?;
        let c = session("11:30", "13:00", &[], Some(hall))?;
        let d = session("10:45", "11:45", &[], Some(hall))?;
        let back_to_back = session("12:00", "13:00", &[], Some(hall))?;
        let away = session("10:00", "12:00", &[], Some(VenueId::new()))?;
        let online = session("10:00", "12:00", &[], None)?;

        // (others, concurrent_sessions, the session named or none)
        let cases: Vec<(Vec<&Session>, i64, Option<&Session>)> = vec![
            (vec![], 1, None),
            (vec![&away, &online, &back_to_back], 1, None),
            (vec![&c, &b], 1, Some(&b)),
            // a and b run together from 10:15 to 10:30.
            (vec![&a, &b], 2, Some(&a)),
            (vec![&a, &b], 3, None),
            // Never more than two at once: a+b, then b+d, then d+c.
            (vec![&c, &d, &b, &a], 2, Some(&a)),
            (vec![&c, &d, &b, &a], 3, None),
            // a runs alone; only d and c fill the venue (11:30–11:45), so d is named.
            (vec![&a, &c, &d], 2, Some(&d)),
        ];
        for (i, (others, n, named)) in cases.into_iter().enumerate() {
            let limit = ConcurrentSessions::new(n)?;
            let others: Vec<Session> = others.into_iter().cloned().collect();
            let want = named.map(|o| Clash::VenueDoubleBooked {
                venue: hall,
                limit,
                other: Booked::of(o),
            });
            assert_eq!(first_clash(&new, &others, limit), want, "case {i}");
        }

        // A busy trainer is reported first; a session without a venue fills none.
        let one = ConcurrentSessions::default();
        let anna = AccountId::new();
        let mut teaching = new.clone();
        teaching.trainer_ids = vec![anna];
        let late = session("11:00", "12:00", &[anna], None)?;
        assert!(matches!(
            first_clash(&teaching, &[b.clone(), late], one),
            Some(Clash::TrainerDoubleBooked { .. })
        ));
        let mut nowhere = new.clone();
        nowhere.venue_id = None;
        assert_eq!(first_clash(&nowhere, &[a, b], one), None);
        Ok(())
    }

    #[test]
    fn the_detail_names_the_trainer_or_venue_and_the_other_session() -> Result<(), Invalid> {
        let zone = TimeZone::parse("Europe/Warsaw")?;
        let other = session("09:00", "11:00", &[], None)?;
        let trainer = AccountId::new();
        let venue = VenueId::new();
        let busy = Clash::TrainerDoubleBooked {
            trainer,
            other: Booked::of(&other),
        }
        .detail(zone);
        assert!(busy.contains(&trainer.to_string()), "{busy}");
        assert!(busy.contains(&other.id.to_string()), "{busy}");
        assert!(
            busy.contains("from 2026-12-10T10:00:00+01:00 to 2026-12-10T12:00:00+01:00"),
            "{busy}"
        );
        for n in [1, 3] {
            let full = Clash::VenueDoubleBooked {
                venue,
                limit: ConcurrentSessions::new(n)?,
                other: Booked::of(&other),
            }
            .detail(zone);
            assert!(full.contains(&venue.to_string()), "{full}");
            assert!(full.contains(&other.id.to_string()), "{full}");
            assert!(full.contains("concurrent_sessions"), "{full}");
        }
        Ok(())
    }
}
