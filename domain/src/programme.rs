//! Programmes: what people register for, their lifecycle and what makes one ready to publish.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};

use crate::Invalid;
use crate::certificate::CertificateIssuance;
use crate::email::Email;
use crate::hour_budget::{ActivityType, HourBudget, Overrun};
use crate::ids::{OrganisationId, ProgrammeId};
use crate::locale::Locale;
use crate::money::Money;
use crate::organisation::OrganisationPath;
use crate::role::JobRole;
use crate::text::LocalizedText;
use crate::time_zone::TimeZone;
use crate::vocabulary;

vocabulary!(
    /// What sort of programme this is.
    ProgrammeKind {
        CourseCycle => "course_cycle",
        ResidentialTraining => "residential_training",
        Conference => "conference",
        Mobility => "mobility",
        Project => "project",
        Other => "other",
    }
);

vocabulary!(
    /// Where a programme is in its life: `draft → published → closed → archived`.
    ProgrammeStatus {
        /// Being prepared; seen only by its organisers (and the trainers of its sessions).
        Draft => "draft",
        /// Public, and open for registration within its window.
        Published => "published",
        /// No longer taking registrations; still visible.
        Closed => "closed",
        /// Finished and kept for the record; read-only.
        Archived => "archived",
    }
);

impl ProgrammeStatus {
    /// The one status each status may move on to.
    pub fn next(self) -> Option<ProgrammeStatus> {
        match self {
            ProgrammeStatus::Draft => Some(ProgrammeStatus::Published),
            ProgrammeStatus::Published => Some(ProgrammeStatus::Closed),
            ProgrammeStatus::Closed => Some(ProgrammeStatus::Archived),
            ProgrammeStatus::Archived => None,
        }
    }

    /// Whether participants and anonymous callers may see a programme in this status.
    pub fn is_public(self) -> bool {
        matches!(self, ProgrammeStatus::Published | ProgrammeStatus::Closed)
    }

    pub fn is_editable(self) -> bool {
        self != ProgrammeStatus::Archived
    }
}

vocabulary!(
    /// How registrations are decided.
    RegistrationPolicy {
        /// Confirmed in order of arrival while places last, then waitlisted.
        FirstComeFirstServed => "first_come_first_served",
        /// Pending until an organiser approves or rejects.
        Approval => "approval",
        /// Only people an organiser invited may register.
        Invitation => "invitation",
    }
);

crate::wire::bounded!(
    /// How many places there are (a programme's, a session's, a venue's).
    Capacity(u32): 1..=100_000,
    "How many places there are: 1 to 100000."
);

/// The largest capacity a programme or session may have.
pub const MAX_CAPACITY: u32 = Capacity::MAX;

/// How many places there are: 1–100 000.
pub fn capacity(raw: i64) -> Result<u32, Invalid> {
    Capacity::new(raw).map(Capacity::get)
}

/// Calendar dates a programme runs on, inclusive, in its own time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    starts_on: NaiveDate,
    ends_on: NaiveDate,
}

impl Period {
    pub fn new(starts_on: NaiveDate, ends_on: NaiveDate) -> Result<Self, Invalid> {
        if ends_on < starts_on {
            return Err(Invalid::new("must not be before starts_on"));
        }
        if (ends_on - starts_on).num_days() > 366 * 10 {
            return Err(Invalid::new("a programme may last at most ten years"));
        }
        Ok(Period { starts_on, ends_on })
    }

    pub fn starts_on(&self) -> NaiveDate {
        self.starts_on
    }

    pub fn ends_on(&self) -> NaiveDate {
        self.ends_on
    }

    /// Whether the instants fall on the period's dates as seen in `zone`.
    pub fn holds(&self, zone: TimeZone, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> bool {
        let first = zone
            .tz()
            .from_utc_datetime(&starts_at.naive_utc())
            .date_naive();
        // A session ending at midnight ends on the previous day.
        let last_instant = ends_at - chrono::Duration::seconds(1);
        let last = zone
            .tz()
            .from_utc_datetime(&last_instant.naive_utc())
            .date_naive();
        first >= self.starts_on && last <= self.ends_on
    }

    pub fn overlaps(&self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> bool {
        from.is_none_or(|f| self.ends_on >= f) && to.is_none_or(|t| self.starts_on <= t)
    }
}

/// When registration is open: `[opens_at, closes_at)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistrationWindow {
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

impl RegistrationWindow {
    pub fn new(opens_at: DateTime<Utc>, closes_at: DateTime<Utc>) -> Result<Self, Invalid> {
        if closes_at <= opens_at {
            return Err(Invalid::new("must be after registration_opens_at"));
        }
        Ok(RegistrationWindow {
            opens_at,
            closes_at,
        })
    }

    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.opens_at <= now && now < self.closes_at
    }
}

/// Who may register: both conditions optional; when both are given, both must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Eligibility {
    /// The participant's workplace must be this organisation or one below it.
    pub workplace_within: Option<OrganisationId>,
    /// The participant's job role must be one of these (any, when empty).
    pub job_roles: Vec<JobRole>,
    /// Both conditions are judged on the person's verified employment only: staff rosters
    /// matched by their verified e-mail address, never their own profile.
    pub verified_employment: bool,
}

/// When a participant has completed: a minimum share of the planned minutes attended, overall
/// and optionally per activity type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionRule {
    pub min_attended_percent: u8,
    pub per_activity_type: BTreeMap<ActivityType, u8>,
}

impl Default for CompletionRule {
    fn default() -> Self {
        CompletionRule {
            min_attended_percent: 80,
            per_activity_type: BTreeMap::new(),
        }
    }
}

/// What a mobility's Europass record names: where participants go, who mentors them there
/// and what they learn. The sending organisation is the participant's workplace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mobility {
    pub host_organisation: String,
    pub host_city: Option<String>,
    pub host_country: Option<crate::country::CountryCode>,
    pub mentor: Option<String>,
    /// Each a short sentence, printed as a bullet.
    pub learning_outcomes: Vec<String>,
}

/// The most learning outcomes a mobility may list.
pub const MAX_LEARNING_OUTCOMES: usize = 20;

crate::wire::bounded!(
    /// A share in percent.
    Percent(u8): 1..=100,
    "A share in percent: 1 to 100."
);

/// Stricter shares for particular activity types, e.g. `{"group_supervision": 100}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ActivityShares(pub BTreeMap<ActivityType, Percent>);

impl ActivityShares {
    pub fn into_percentages(self) -> BTreeMap<ActivityType, u8> {
        self.0.into_iter().map(|(a, p)| (a, p.get())).collect()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ActivityShares {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::ToSchema;
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Ref, Schema, Type};
        let names = match <ActivityType as utoipa::PartialSchema>::schema() {
            RefOr::T(schema) => schema,
            RefOr::Ref(_) => Schema::Object(ObjectBuilder::new().schema_type(Type::String).build()),
        };
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Shares in percent for particular activity types, e.g. `{\"group_supervision\": 100}`.",
            ))
            .property_names(Some(names))
            .additional_properties(Some(AdditionalProperties::RefOr(RefOr::Ref(
                Ref::from_schema_name(Percent::name()),
            ))))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ActivityShares {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("ActivityShares")
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::PartialSchema;
        schemas.push(("Percent".to_string(), Percent::schema()));
    }
}

/// A share in percent: 1–100.
pub fn percent(raw: i64) -> Result<u8, Invalid> {
    u8::try_from(raw)
        .ok()
        .filter(|p| (1..=100).contains(p))
        .ok_or_else(|| Invalid::new("must be a percentage between 1 and 100"))
}

/// What publishing needs to know of a programme.
pub struct Readiness<'a> {
    pub session_count: u64,
    pub budget: &'a HourBudget,
    pub overruns: &'a [Overrun],
    pub window: Option<RegistrationWindow>,
    pub period: Period,
}

/// Something that must be put right before a programme can be published: a JSON pointer into
/// the programme (or its sub-resources) and what is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub pointer: String,
    pub detail: String,
}

/// Everything that keeps a programme from being published; empty when it is ready.
pub fn missing_for_publication(p: &Readiness<'_>) -> Vec<Missing> {
    let mut missing = Vec::new();
    let mut add = |pointer: &str, detail: String| {
        missing.push(Missing {
            pointer: pointer.to_string(),
            detail,
        })
    };
    if p.session_count == 0 {
        add("/sessions", "the programme has no sessions".into());
    }
    if p.budget.is_empty() {
        add("/hour_budget", "the programme has no hour budget".into());
    }
    for overrun in p.overruns {
        add(
            &format!("/hour_budget/{}", overrun.activity_type),
            overrun.describe(),
        );
    }
    match p.window {
        None => add(
            "/registration_opens_at",
            "a registration window (registration_opens_at and registration_closes_at) is required"
                .into(),
        ),
        Some(window) => {
            let last_day_end = p
                .period
                .ends_on()
                .succ_opt()
                .unwrap_or(p.period.ends_on())
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc());
            if last_day_end.is_some_and(|end| window.opens_at >= end) {
                add(
                    "/registration_opens_at",
                    "registration must open before the programme ends".into(),
                );
            }
        }
    }
    missing
}

/// Who answers questions about a programme.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub name: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<String>,
}

/// A programme: what people register for.
#[derive(Debug, Clone)]
pub struct Programme {
    pub id: ProgrammeId,
    pub organisation_id: OrganisationId,
    pub organisation_path: OrganisationPath,
    pub status: ProgrammeStatus,
    pub kind: ProgrammeKind,
    pub title: LocalizedText,
    pub summary: Option<LocalizedText>,
    pub description: Option<LocalizedText>,
    pub period: Period,
    pub time_zone: TimeZone,
    pub languages: Vec<Locale>,
    pub target_audience: Option<LocalizedText>,
    /// `None`: unlimited.
    pub capacity: Option<u32>,
    pub registration_policy: RegistrationPolicy,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    /// Until when participants may cancel themselves; `None`: until the programme starts.
    pub cancellation_closes_at: Option<DateTime<Utc>>,
    pub eligibility: Eligibility,
    /// The group seated first, and the places held for it (`None`: everyone alike).
    pub priority: Option<crate::seating::Priority>,
    /// When the places held for the group went back to everyone (noticed by the first
    /// registration or cancellation after `reserved_until`, or a worker tick).
    pub reservation_released_at: Option<DateTime<Utc>>,
    /// At most so many places per member organisation's subtree.
    pub seat_caps: Vec<crate::seating::SeatCap>,
    /// The registration form.
    pub questions: Vec<crate::question::Question>,
    pub completion_rule: CompletionRule,
    pub contact: Contact,
    /// `None`: free for participants.
    pub fee: Option<Money>,
    /// Days after a session during which its attendance may still be recorded.
    pub attendance_window_days: u32,
    pub certificate_issuance: CertificateIssuance,
    /// The Europass fields of a mobility programme.
    pub mobility: Option<Mobility>,
    /// Places taken: confirmed and completed registrations (completion keeps the place).
    pub confirmed_count: u32,
    pub waitlist_count: u32,
    pub published_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Programme {
    /// What seats people: capacity, priority group and caps, at `now`.
    pub fn seating_rules(&self, now: DateTime<Utc>) -> crate::seating::Rules<'_> {
        crate::seating::Rules {
            capacity: self.capacity,
            priority: self.priority.as_ref(),
            caps: &self.seat_caps,
            now,
        }
    }

    /// The registration window, once both ends are set.
    pub fn window(&self) -> Option<RegistrationWindow> {
        match (self.registration_opens_at, self.registration_closes_at) {
            (Some(opens), Some(closes)) => RegistrationWindow::new(opens, closes).ok(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hour_budget::BudgetLine;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn lifecycle_moves_forward_only() {
        use ProgrammeStatus::*;
        assert_eq!(Draft.next(), Some(Published));
        assert_eq!(Published.next(), Some(Closed));
        assert_eq!(Closed.next(), Some(Archived));
        assert_eq!(Archived.next(), None);
        assert!(!Draft.is_public() && Published.is_public() && !Archived.is_editable());
    }

    #[test]
    fn periods_hold_sessions_by_local_date() -> Result<(), Invalid> {
        let warsaw = TimeZone::parse("Europe/Warsaw")?;
        let june = Period::new(date("2026-06-13"), date("2026-06-18"))?;
        // 13 June 00:30 in Warsaw is 12 June 22:30 UTC: inside, by local date.
        assert!(june.holds(
            warsaw,
            at("2026-06-12T22:30:00Z"),
            at("2026-06-13T01:00:00Z")
        ));
        assert!(!june.holds(
            warsaw,
            at("2026-06-12T21:30:00Z"),
            at("2026-06-13T01:00:00Z")
        ));
        // Ending at local midnight after the last day is still inside.
        assert!(june.holds(
            warsaw,
            at("2026-06-18T20:00:00Z"),
            at("2026-06-18T22:00:00Z")
        ));
        assert!(!june.holds(
            warsaw,
            at("2026-06-18T20:00:00Z"),
            at("2026-06-18T22:30:00Z")
        ));
        assert!(Period::new(date("2026-06-18"), date("2026-06-13")).is_err());
        assert!(june.overlaps(Some(date("2026-06-18")), None));
        assert!(!june.overlaps(Some(date("2026-06-19")), None));
        assert!(!june.overlaps(None, Some(date("2026-06-12"))));
        Ok(())
    }

    #[test]
    fn publishing_lists_everything_missing() -> Result<(), Invalid> {
        let period = Period::new(date("2026-06-13"), date("2026-06-18"))?;
        let empty = HourBudget::default();
        let missing = missing_for_publication(&Readiness {
            session_count: 0,
            budget: &empty,
            overruns: &[],
            window: None,
            period,
        });
        let pointers: Vec<_> = missing.iter().map(|m| m.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/sessions", "/hour_budget", "/registration_opens_at"]
        );

        let budget = HourBudget::parse(&[BudgetLine {
            activity_type: ActivityType::Workshop,
            planned_minutes: 600,
        }])
        .map_err(|e| e.1)?;
        let window =
            RegistrationWindow::new(at("2026-05-01T08:00:00Z"), at("2026-06-01T20:00:00Z"))?;
        assert!(
            missing_for_publication(&Readiness {
                session_count: 4,
                budget: &budget,
                overruns: &[],
                window: Some(window),
                period,
            })
            .is_empty()
        );
        Ok(())
    }

    #[test]
    fn windows_are_half_open() -> Result<(), Invalid> {
        let w = RegistrationWindow::new(at("2026-05-01T08:00:00Z"), at("2026-06-01T20:00:00Z"))?;
        assert!(w.is_open(at("2026-05-01T08:00:00Z")));
        assert!(!w.is_open(at("2026-06-01T20:00:00Z")));
        assert!(RegistrationWindow::new(w.closes_at, w.opens_at).is_err());
        assert!(capacity(0).is_err() && capacity(30).is_ok() && percent(101).is_err());
        Ok(())
    }
}
