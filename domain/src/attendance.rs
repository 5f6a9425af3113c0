//! Attendance: who was at a session, for how many minutes, and when it may be recorded.

use chrono::{DateTime, Duration, Utc};

use crate::Invalid;
use crate::ids::{AccountId, AttendanceChangeId, RegistrationId, SessionId};
use crate::session::SessionTime;
use crate::vocabulary;

vocabulary!(
    /// Whether a participant was at a session.
    AttendanceStatus {
        Present => "present",
        Absent => "absent",
        /// Absent with a reason the organiser accepts; counts no minutes either.
        Excused => "excused",
    }
);

/// The default number of days after a session ends during which attendance may be recorded.
pub const DEFAULT_WINDOW_DAYS: u32 = 14;

crate::wire::bounded!(
    /// How many days after a session its attendance may still be recorded.
    WindowDays(u32): 0..=366,
    "Days after a session during which its attendance may still be recorded: 0 to 366."
);

crate::wire::bounded!(
    /// The minutes a participant attended a session, as sent when recording: never more than
    /// the longest session (31 days); the session's own length is checked when recording.
    AttendedMinutes(u32): 0..=44_640,
    "Defaults to the session's `credit_minutes` for `present` and to 0 otherwise; never more than the session's length, and only `present` may have any."
);

/// The most days after a session that attendance may still be recorded.
pub const MAX_WINDOW_DAYS: u32 = WindowDays::MAX;

/// How many days after a session its attendance may be recorded: 0–366.
pub fn window_days(raw: i64) -> Result<u32, Invalid> {
    u32::try_from(raw)
        .ok()
        .filter(|d| *d <= MAX_WINDOW_DAYS)
        .ok_or_else(|| Invalid::new(format!("must be between 0 and {MAX_WINDOW_DAYS} days")))
}

/// One participant's attendance at one session, checked against the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub status: AttendanceStatus,
    pub attended_minutes: u32,
}

impl Mark {
    /// `present` defaults to the session's credit, the others to 0; minutes never exceed the
    /// session's length, and only someone present has any.
    pub fn new(
        status: AttendanceStatus,
        requested: Option<i64>,
        time: &SessionTime,
        credit_minutes: u32,
    ) -> Result<Mark, Invalid> {
        let length = time.duration_minutes();
        let attended_minutes = match (status, requested) {
            (AttendanceStatus::Present, None) => credit_minutes.min(length),
            (_, None) => 0,
            (AttendanceStatus::Present, Some(m)) => u32::try_from(m)
                .ok()
                .filter(|m| *m <= length)
                .ok_or_else(|| {
                    Invalid::new(format!(
                        "must be between 0 and the session's length ({length} minutes)"
                    ))
                })?,
            (_, Some(0)) => 0,
            (other, Some(_)) => {
                return Err(Invalid::new(format!(
                    "must be 0 (or left out) for someone {other}"
                )));
            }
        };
        Ok(Mark {
            status,
            attended_minutes,
        })
    }

    /// The minutes this mark counts towards a participant's hours: what they attended, never
    /// more than the session counts for.
    pub fn credited(&self, credit_minutes: u32) -> u32 {
        self.attended_minutes.min(credit_minutes)
    }
}

/// Why attendance cannot be recorded now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// The session has not started.
    NotStarted { starts_at: DateTime<Utc> },
    /// The window after the session has passed.
    Passed { closed_at: DateTime<Utc> },
}

impl Closed {
    pub fn describe(&self) -> String {
        match self {
            Closed::NotStarted { starts_at } => format!(
                "attendance can be recorded from the session's start ({})",
                starts_at.to_rfc3339()
            ),
            Closed::Passed { closed_at } => format!(
                "attendance could be recorded until {}; the programme's attendance_window_days has passed",
                closed_at.to_rfc3339()
            ),
        }
    }
}

/// Attendance is taken from the session's start until `window_days` after it ends.
pub fn may_record(time: &SessionTime, window_days: u32, now: DateTime<Utc>) -> Result<(), Closed> {
    if now < time.starts_at {
        return Err(Closed::NotStarted {
            starts_at: time.starts_at,
        });
    }
    let closed_at = time.ends_at + Duration::days(i64::from(window_days));
    if now > closed_at {
        return Err(Closed::Passed { closed_at });
    }
    Ok(())
}

/// One participant's mark at one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceRecord {
    pub session_id: SessionId,
    pub participant_id: AccountId,
    pub registration_id: RegistrationId,
    pub mark: Mark,
    pub recorded_by: AccountId,
    pub recorded_at: DateTime<Utc>,
}

/// One change to a mark: `status` `None` means the mark was removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: AttendanceChangeId,
    pub participant_id: AccountId,
    pub status: Option<AttendanceStatus>,
    pub attended_minutes: Option<u32>,
    pub previous_status: Option<AttendanceStatus>,
    pub previous_minutes: Option<u32>,
    pub changed_by: AccountId,
    pub changed_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttendanceStatus::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn session() -> Result<SessionTime, Invalid> {
        SessionTime::new(at("2026-06-13T09:00:00Z"), at("2026-06-13T12:00:00Z"))
    }

    #[test]
    fn minutes_default_to_the_credit_and_never_exceed_the_length() -> Result<(), Invalid> {
        let t = session()?;
        assert_eq!(Mark::new(Present, None, &t, 150)?.attended_minutes, 150);
        assert_eq!(Mark::new(Absent, None, &t, 150)?.attended_minutes, 0);
        assert_eq!(Mark::new(Excused, Some(0), &t, 150)?.attended_minutes, 0);
        assert_eq!(
            Mark::new(Present, Some(180), &t, 150)?.attended_minutes,
            180
        );
        assert!(Mark::new(Present, Some(181), &t, 150).is_err());
        assert!(Mark::new(Present, Some(-1), &t, 150).is_err());
        assert!(Mark::new(Absent, Some(30), &t, 150).is_err());
        // Credited minutes stop at what the session counts for.
        assert_eq!(Mark::new(Present, Some(180), &t, 150)?.credited(150), 150);
        assert_eq!(Mark::new(Present, Some(90), &t, 150)?.credited(150), 90);
        Ok(())
    }

    #[test]
    fn recorded_from_the_start_until_the_window_closes() -> Result<(), Invalid> {
        let t = session()?;
        assert!(matches!(
            may_record(&t, 14, at("2026-06-13T08:59:59Z")),
            Err(Closed::NotStarted { .. })
        ));
        assert_eq!(may_record(&t, 14, at("2026-06-13T09:00:00Z")), Ok(()));
        assert_eq!(may_record(&t, 14, at("2026-06-27T12:00:00Z")), Ok(()));
        assert!(matches!(
            may_record(&t, 14, at("2026-06-27T12:00:01Z")),
            Err(Closed::Passed { .. })
        ));
        assert_eq!(may_record(&t, 0, at("2026-06-13T12:00:00Z")), Ok(()));
        assert!(window_days(367).is_err() && window_days(-1).is_err());
        Ok(())
    }
}
