//! Sessions: one dated occurrence of a programme's activity.

use chrono::{DateTime, Utc};

use crate::Invalid;
use crate::hour_budget::{ActivityType, SessionMinutes};
use crate::ids::{AccountId, ProgrammeId, SessionId, VenueId};
use crate::locale::Locale;
use crate::organisation::OrganisationPath;
use crate::policy::Grant;
use crate::role::Role;
use crate::text::LocalizedText;
use crate::vocabulary;

vocabulary!(
    /// Whether a session will take place.
    SessionStatus {
        Scheduled => "scheduled",
        /// Called off: kept (calendars show it as cancelled), counted nowhere.
        Cancelled => "cancelled",
    }
);

/// The longest a single session may run (a one-week job-shadowing placement fits).
pub const MAX_SESSION_DAYS: i64 = 31;

/// When a session runs: `ends_at` after `starts_at`, at most 31 days long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTime {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl SessionTime {
    pub fn new(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Result<Self, Invalid> {
        if ends_at <= starts_at {
            return Err(Invalid::new("must be after starts_at"));
        }
        if (ends_at - starts_at).num_days() >= MAX_SESSION_DAYS {
            return Err(Invalid::new(format!(
                "a session may last at most {MAX_SESSION_DAYS} days"
            )));
        }
        Ok(SessionTime { starts_at, ends_at })
    }

    /// Whether the two run at some common instant. Times are half-open, `[starts_at,
    /// ends_at)`: a session ending at 10:00 and one starting at 10:00 do not overlap.
    pub fn overlaps(&self, other: &SessionTime) -> bool {
        self.starts_at < other.ends_at && other.starts_at < self.ends_at
    }

    pub fn duration_minutes(&self) -> u32 {
        u32::try_from((self.ends_at - self.starts_at).num_minutes()).unwrap_or(u32::MAX)
    }

    /// The minutes a session counts for: its duration unless stated, never more, never zero.
    pub fn credit(&self, requested: Option<i64>) -> Result<u32, Invalid> {
        let duration = self.duration_minutes();
        match requested {
            None if duration == 0 => Err(Invalid::new(
                "the session is shorter than a minute; state credit_minutes",
            )),
            None => Ok(duration),
            Some(m) => u32::try_from(m)
                .ok()
                .filter(|m| (1..=duration).contains(m))
                .ok_or_else(|| {
                    Invalid::new(format!(
                        "must be between 1 and the session's length ({duration} minutes)"
                    ))
                }),
        }
    }
}

/// One dated occurrence of a programme's activity.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: SessionId,
    pub programme_id: ProgrammeId,
    pub title: LocalizedText,
    pub activity_type: ActivityType,
    pub time: SessionTime,
    pub venue_id: Option<VenueId>,
    pub online_url: Option<String>,
    pub trainer_ids: Vec<AccountId>,
    pub capacity: Option<u32>,
    pub language: Option<Locale>,
    pub credit_minutes: u32,
    pub parallel_group: Option<String>,
    pub status: SessionStatus,
    /// When attendance was first recorded: from then on the session counts as delivered.
    pub attendance_recorded_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Session {
    /// What the hour budget counts of this session; cancelled sessions count nothing.
    pub fn minutes(&self) -> Option<SessionMinutes> {
        (self.status == SessionStatus::Scheduled).then(|| SessionMinutes {
            activity_type: self.activity_type,
            parallel_group: self.parallel_group.clone(),
            credit_minutes: self.credit_minutes,
            // Delivered is a fact someone recorded, not a guess from the clock.
            delivered: self.attendance_recorded_at.is_some(),
        })
    }
}

/// The pattern of a parallel group's key: what [`parallel_group`] accepts.
pub const PARALLEL_GROUP_PATTERN: &str = r"^[A-Za-z0-9._-]{1,100}$";

/// A parallel group's key: 1–100 ASCII letters, digits, `-`, `_` or `.` (it appears in
/// calendars and exports, so it keeps to characters every tool reads alike).
pub fn parallel_group(raw: &str) -> Result<String, Invalid> {
    let ok = (1..=100).contains(&raw.len())
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(raw.to_string())
    } else {
        Err(Invalid::new(
            "must be 1–100 letters, digits, '-', '_' or '.', e.g. day1-afternoon",
        ))
    }
}

/// A parallel group's key, as a request carries it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ParallelGroup(String);

impl ParallelGroup {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        parallel_group(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

crate::wire::wire_text!(ParallelGroup, {
    crate::wire::string_schema(
        Some(1),
        Some(100),
        Some(PARALLEL_GROUP_PATTERN),
        "Sessions sharing a parallel group are alternatives (parallel thematic sessions, \
         individual-supervision slots): 1–100 letters, digits, '-', '_' or '.'.",
    )
    .examples(["day1-afternoon"])
});

crate::wire::bounded!(
    /// The minutes a session counts for: at least one, at most the longest session (31 days);
    /// never more than the session's own length.
    CreditMinutes(u32): 1..=44_640,
    "The minutes the session counts for: by default its length; never more than its length."
);

/// Whether someone with these grants may teach a programme of the organisation at `programme`:
/// they hold the trainer role at that organisation, above it or below it.
pub fn may_teach(grants: &[Grant], programme: &OrganisationPath) -> bool {
    grants.iter().any(|g| {
        g.role == Role::Trainer
            && (programme.contains(g.organisation.id()) || g.organisation.contains(programme.id()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OrganisationId;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn times_and_credit() -> Result<(), Invalid> {
        let t = SessionTime::new(
            at("2026-06-13T09:00:00+02:00"),
            at("2026-06-13T12:00:00+02:00"),
        )?;
        assert_eq!(t.duration_minutes(), 180);
        assert_eq!(t.credit(None)?, 180);
        assert_eq!(t.credit(Some(135))?, 135);
        assert!(t.credit(Some(181)).is_err());
        assert!(t.credit(Some(0)).is_err());
        assert!(SessionTime::new(t.ends_at, t.starts_at).is_err());
        assert!(SessionTime::new(t.starts_at, t.starts_at).is_err());
        assert!(SessionTime::new(t.starts_at, at("2026-07-20T09:00:00Z")).is_err());
        assert!(parallel_group("day1-pm").is_ok() && parallel_group("a b").is_err());
        Ok(())
    }

    #[test]
    fn trainers_teach_up_and_down_their_tree() -> Result<(), Invalid> {
        let city = OrganisationPath::root(OrganisationId::new());
        let centre = city.child(OrganisationId::new())?;
        let other = OrganisationPath::root(OrganisationId::new());
        let grant = |path: &OrganisationPath, role| Grant {
            organisation: path.clone(),
            role,
        };
        assert!(may_teach(&[grant(&city, Role::Trainer)], &centre));
        assert!(may_teach(&[grant(&centre, Role::Trainer)], &city));
        assert!(!may_teach(&[grant(&other, Role::Trainer)], &centre));
        assert!(!may_teach(&[grant(&centre, Role::Participant)], &centre));
        Ok(())
    }
}
