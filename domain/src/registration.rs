//! Registrations: who gets a place, who waits, and in what order.
//!
//! The rules here are decided on numbers the persistence layer reads under the programme's
//! row lock (places taken, people waiting), so the decision and the write that follows it are
//! one atomic step: a programme never confirms more people than its capacity, and the waiting
//! list is promoted strictly in order of arrival.

use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};

use crate::Invalid;
use crate::ids::{AccountId, OrganisationId, ProgrammeId, RegistrationId};
use crate::organisation::OrganisationPath;
use crate::programme::{Eligibility, ProgrammeStatus, RegistrationPolicy, RegistrationWindow};
use crate::role::JobRole;
use crate::time_zone::TimeZone;
use crate::vocabulary;

vocabulary!(
    /// Where a registration stands.
    RegistrationStatus {
        /// Awaiting an organiser's approval (programmes with the `approval` policy).
        Pending => "pending",
        /// Holds a place.
        Confirmed => "confirmed",
        /// On the waiting list; `waitlist_position` says where.
        Waitlisted => "waitlisted",
        Cancelled => "cancelled",
        Rejected => "rejected",
        /// Met the completion rule; still holds its place.
        Completed => "completed",
    }
);

impl RegistrationStatus {
    /// Whether the registration is still in play (blocks registering again).
    pub fn is_active(self) -> bool {
        matches!(
            self,
            RegistrationStatus::Pending
                | RegistrationStatus::Confirmed
                | RegistrationStatus::Waitlisted
                | RegistrationStatus::Completed
        )
    }

    /// Whether it may still be cancelled.
    pub fn is_cancellable(self) -> bool {
        matches!(
            self,
            RegistrationStatus::Pending
                | RegistrationStatus::Confirmed
                | RegistrationStatus::Waitlisted
        )
    }

    /// Whether it takes one of the programme's places (`confirmed_count` counts these).
    pub fn holds_place(self) -> bool {
        matches!(
            self,
            RegistrationStatus::Confirmed | RegistrationStatus::Completed
        )
    }
}

/// A participant in a programme.
#[derive(Debug, Clone)]
pub struct Registration {
    pub id: RegistrationId,
    pub programme_id: ProgrammeId,
    pub participant_id: AccountId,
    pub status: RegistrationStatus,
    /// 1, 2, 3, … within the programme, in the order registrations committed.
    pub arrival: i64,
    /// The organiser who registered the participant, when not the participant themself.
    pub registered_by: Option<AccountId>,
    /// The organiser's reason for a rejection or cancellation.
    pub reason: Option<String>,
    /// Where the participant worked when registering: reports count them there, whatever
    /// their profile (or its erasure) says later.
    pub workplace_organisation_id: Option<OrganisationId>,
    /// The participant's job role when registering.
    pub job_role: Option<JobRole>,
    /// Whether that workplace and job role came from a staff roster (verified employment)
    /// rather than the person's profile or an organiser's statement.
    pub employment_verified: bool,
    /// Whether the person was in the programme's priority group when registering: they wait
    /// ahead of everyone else.
    pub priority: bool,
    /// The answers to the programme's questions.
    pub answers: crate::question::Answers,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How a programme's counters move: places taken and people waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CounterChange {
    pub confirmed: i32,
    pub waitlisted: i32,
}

impl CounterChange {
    pub fn is_none(&self) -> bool {
        *self == CounterChange::default()
    }
}

/// The change to the counters when a registration moves from `from` (`None`: it is new) to
/// `to`. The one place that knows which statuses take a place and which wait, so a new
/// registration, an approval, a promotion, a cancellation and a rejection all count alike.
pub fn counter_change(from: Option<RegistrationStatus>, to: RegistrationStatus) -> CounterChange {
    let weight = |s: Option<RegistrationStatus>| match s {
        Some(s) if s.holds_place() => (1, 0),
        Some(RegistrationStatus::Waitlisted) => (0, 1),
        _ => (0, 0),
    };
    let (c0, w0) = weight(from);
    let (c1, w1) = weight(Some(to));
    CounterChange {
        confirmed: c1 - c0,
        waitlisted: w1 - w0,
    }
}

impl Admission {
    /// The status a registration admitted this way has.
    pub fn status(self) -> RegistrationStatus {
        match self {
            Admission::Confirmed => RegistrationStatus::Confirmed,
            Admission::Waitlisted => RegistrationStatus::Waitlisted,
            Admission::Pending => RegistrationStatus::Pending,
        }
    }
}

/// Why a registration is refused before anyone's place is looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Someone other than the programme's organisers tried to register another person.
    NotOrganiser,
    /// Only published programmes take registrations.
    NotPublished(ProgrammeStatus),
    /// Outside the registration window (people registering themselves only).
    WindowClosed,
    /// Only the organisers register people for this programme.
    InvitationOnly,
    /// The person does not meet the programme's eligibility rules.
    Ineligible(Ineligible),
}

impl Refusal {
    pub fn describe(&self) -> String {
        match self {
            Refusal::NotOrganiser => {
                "only the programme's organisers register other people".to_string()
            }
            Refusal::NotPublished(status) => {
                format!("the programme is {status}; only published programmes take registrations")
            }
            Refusal::WindowClosed => {
                "registration is not open now; see registration_opens_at and registration_closes_at"
                    .to_string()
            }
            Refusal::InvitationOnly => {
                "this programme accepts only people its organisers register".to_string()
            }
            Refusal::Ineligible(why) => why.describe().to_string(),
        }
    }
}

/// Who asks to register, as the registration policy sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registrant {
    /// Someone registers another person (by account or e-mail), not themself.
    pub for_someone_else: bool,
    /// The caller organises the programme (or is an admin).
    pub organiser: bool,
}

/// The registration policy, beside the programme policy: may this attempt go ahead, before
/// eligibility and places are considered? Organisers register others at any time while the
/// programme is published, whatever its policy; people register themselves within the window,
/// unless the programme is by invitation.
pub fn may_register(
    registrant: Registrant,
    status: ProgrammeStatus,
    policy: RegistrationPolicy,
    window: Option<RegistrationWindow>,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if registrant.for_someone_else && !registrant.organiser {
        return Err(Refusal::NotOrganiser);
    }
    if status != ProgrammeStatus::Published {
        return Err(Refusal::NotPublished(status));
    }
    if !registrant.for_someone_else {
        if !window.is_some_and(|w| w.is_open(now)) {
            return Err(Refusal::WindowClosed);
        }
        if policy == RegistrationPolicy::Invitation {
            return Err(Refusal::InvitationOnly);
        }
    }
    Ok(())
}

/// Until when participants may cancel their own registration: the programme's
/// `cancellation_closes_at`, or else the start of its first day in its own time zone (midnight
/// in Warsaw, not in UTC; where a zone skips midnight, the first instant of that day).
pub fn cancellation_deadline(
    cancellation_closes_at: Option<DateTime<Utc>>,
    starts_on: NaiveDate,
    zone: TimeZone,
) -> DateTime<Utc> {
    if let Some(explicit) = cancellation_closes_at {
        return explicit;
    }
    let midnight = starts_on.and_time(chrono::NaiveTime::MIN);
    let local = zone.tz().from_local_datetime(&midnight);
    match local.earliest() {
        Some(t) => t.with_timezone(&Utc),
        // Midnight falls in a gap (a zone that moves its clocks at 00:00): the day starts when
        // the clocks resume, an hour later at most in every zone in use.
        None => (1..=4)
            .find_map(|h| {
                zone.tz()
                    .from_local_datetime(&(midnight + chrono::Duration::hours(h)))
                    .earliest()
            })
            .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc)),
    }
}

/// Who ends a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Canceller {
    /// The participant, for their own registration: until the cancellation deadline.
    Participant,
    /// An organiser: at any time, with a reason.
    Organiser,
}

/// Why a cancellation is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelRefusal {
    /// The registration has already ended (or completed).
    NotCancellable(RegistrationStatus),
    /// Participants could cancel until this instant.
    Closed(DateTime<Utc>),
    /// Organisers say why.
    ReasonRequired,
}

/// Whether a registration in `status` may be cancelled now by `canceller`.
pub fn may_cancel(
    status: RegistrationStatus,
    canceller: Canceller,
    has_reason: bool,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), CancelRefusal> {
    if !status.is_cancellable() {
        return Err(CancelRefusal::NotCancellable(status));
    }
    match canceller {
        Canceller::Participant if now >= deadline => Err(CancelRefusal::Closed(deadline)),
        Canceller::Participant => Ok(()),
        Canceller::Organiser if !has_reason => Err(CancelRefusal::ReasonRequired),
        Canceller::Organiser => Ok(()),
    }
}

/// Places taken and people waiting, read under the programme's lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occupancy {
    /// `None`: unlimited.
    pub capacity: Option<u32>,
    pub confirmed: u32,
    pub waitlisted: u32,
}

impl Occupancy {
    /// Whether a place is free for the next person in line.
    pub fn has_free_place(&self) -> bool {
        self.capacity.is_none_or(|c| self.confirmed < c)
    }

    /// How many of those waiting can be confirmed now (after a cancellation or a raise).
    pub fn promotable(&self) -> u32 {
        match self.capacity {
            None => self.waitlisted,
            Some(c) => c.saturating_sub(self.confirmed).min(self.waitlisted),
        }
    }
}

/// What happens to someone admitted to a programme (or approved by an organiser).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Confirmed,
    Waitlisted,
    Pending,
}

/// The status a new registration starts in.
///
/// `first_come_first_served` and `invitation` confirm while places last, then waitlist;
/// `approval` starts pending (unless an organiser registers the person, which is approval).
/// Nobody jumps the queue: while anyone waits, a newcomer waits too.
pub fn admit(policy: RegistrationPolicy, by_organiser: bool, occupancy: Occupancy) -> Admission {
    if policy == RegistrationPolicy::Approval && !by_organiser {
        return Admission::Pending;
    }
    seat(occupancy)
}

/// Confirmed if a place is free and nobody is waiting ahead, else waitlisted.
pub fn seat(occupancy: Occupancy) -> Admission {
    if occupancy.has_free_place() && occupancy.waitlisted == 0 {
        Admission::Confirmed
    } else {
        Admission::Waitlisted
    }
}

/// Why someone may not register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ineligible {
    /// The programme asks for a workplace and the person has none, or works elsewhere.
    Workplace,
    /// The programme asks for certain job roles and the person has another, or none.
    JobRole,
    /// The programme goes by verified employment and the person's e-mail is not verified.
    EmailUnverified,
    /// The programme goes by verified employment and no roster lists the person as employed now.
    NotOnRoster,
    /// The rosters list the person, but none at an organisation or in a job role the programme
    /// is open to.
    RosterElsewhere,
}

impl Ineligible {
    pub fn describe(&self) -> &'static str {
        match self {
            Ineligible::Workplace => {
                "the programme is open only to staff of a particular organisation; set your workplace (PATCH /me) if it is one of them"
            }
            Ineligible::JobRole => {
                "the programme is open only to certain job roles; set your job role (PATCH /me) if it is one of them"
            }
            Ineligible::EmailUnverified => {
                "the programme admits staff by verified employment, and the e-mail address is not verified yet: confirm it with the code that was e-mailed (POST /auth/verify-email; POST /auth/verify-email/resend sends another)"
            }
            Ineligible::NotOnRoster => {
                "the programme admits staff by verified employment, and no staff roster lists this e-mail address as employed now: the employer's organisers keep the roster (PUT /organisations/{id}/staff)"
            }
            Ineligible::RosterElsewhere => {
                "the programme admits staff by verified employment, and the staff rosters list this person only at organisations or in job roles the programme is not open to"
            }
        }
    }
}

impl Eligibility {
    /// Whether a person working at `workplace` (its path) as `job_role` may register.
    pub fn admits(
        &self,
        workplace: Option<&OrganisationPath>,
        job_role: Option<JobRole>,
    ) -> Result<(), Ineligible> {
        if let Some(root) = self.workplace_within
            && !workplace.is_some_and(|w| w.contains(root))
        {
            return Err(Ineligible::Workplace);
        }
        if !self.job_roles.is_empty() && !job_role.is_some_and(|r| self.job_roles.contains(&r)) {
            return Err(Ineligible::JobRole);
        }
        Ok(())
    }

    pub fn workplace_root(&self) -> Option<OrganisationId> {
        self.workplace_within
    }

    /// For a programme that goes by verified employment: which of the person's current roster
    /// entries (workplace, job role) admits them, preferring one that puts them in the priority
    /// group; the index of that entry.
    pub fn admits_verified(
        &self,
        email_verified: bool,
        employments: &[(&OrganisationPath, JobRole)],
        priority: Option<&crate::seating::Priority>,
    ) -> Result<usize, Ineligible> {
        if !email_verified {
            return Err(Ineligible::EmailUnverified);
        }
        if employments.is_empty() {
            return Err(Ineligible::NotOnRoster);
        }
        let admitted: Vec<usize> = employments
            .iter()
            .enumerate()
            .filter(|(_, (path, role))| self.admits(Some(path), Some(*role)).is_ok())
            .map(|(i, _)| i)
            .collect();
        admitted
            .iter()
            .copied()
            .find(|i| priority.is_some_and(|p| p.includes(Some(employments[*i].1))))
            .or(admitted.first().copied())
            .ok_or(Ineligible::RosterElsewhere)
    }
}

/// A reason given by an organiser for a rejection or cancellation.
pub type Reason = crate::text::Paragraphs<1000>;

/// A reason given by an organiser: trimmed, 1–1000 characters.
pub fn reason(raw: &str) -> Result<String, Invalid> {
    Reason::parse(raw).map(Reason::into_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use RegistrationPolicy::*;

    fn occ(capacity: Option<u32>, confirmed: u32, waitlisted: u32) -> Occupancy {
        Occupancy {
            capacity,
            confirmed,
            waitlisted,
        }
    }

    #[test]
    fn places_go_in_order_and_nobody_jumps_the_queue() {
        assert_eq!(
            admit(FirstComeFirstServed, false, occ(Some(30), 29, 0)),
            Admission::Confirmed
        );
        assert_eq!(
            admit(FirstComeFirstServed, false, occ(Some(30), 30, 0)),
            Admission::Waitlisted
        );
        // A place has freed but someone is waiting: they get it, not the newcomer.
        assert_eq!(
            admit(FirstComeFirstServed, false, occ(Some(30), 29, 1)),
            Admission::Waitlisted
        );
        assert_eq!(
            admit(FirstComeFirstServed, false, occ(None, 10_000, 0)),
            Admission::Confirmed
        );
        assert_eq!(
            admit(Approval, false, occ(Some(30), 0, 0)),
            Admission::Pending
        );
        assert_eq!(
            admit(Approval, true, occ(Some(30), 30, 0)),
            Admission::Waitlisted
        );
        assert_eq!(
            admit(Invitation, true, occ(Some(1), 0, 0)),
            Admission::Confirmed
        );
    }

    #[test]
    fn promotion_fills_free_places_only() {
        assert_eq!(occ(Some(30), 29, 5).promotable(), 1);
        assert_eq!(occ(Some(30), 30, 5).promotable(), 0);
        assert_eq!(occ(Some(40), 30, 5).promotable(), 5);
        assert_eq!(occ(None, 30, 5).promotable(), 5);
    }

    #[test]
    fn eligibility_checks_workplace_subtree_and_job_role() -> Result<(), Invalid> {
        let city = OrganisationPath::root(crate::ids::OrganisationId::new());
        let school = city.child(crate::ids::OrganisationId::new())?;
        let elsewhere = OrganisationPath::root(crate::ids::OrganisationId::new());
        let rule = Eligibility {
            workplace_within: Some(city.id()),
            job_roles: vec![JobRole::InterculturalAssistant, JobRole::Teacher],
            verified_employment: false,
        };
        assert_eq!(rule.admits(Some(&school), Some(JobRole::Teacher)), Ok(()));
        assert_eq!(
            rule.admits(Some(&elsewhere), Some(JobRole::Teacher)),
            Err(Ineligible::Workplace)
        );
        assert_eq!(
            rule.admits(None, Some(JobRole::Teacher)),
            Err(Ineligible::Workplace)
        );
        assert_eq!(
            rule.admits(Some(&school), Some(JobRole::Librarian)),
            Err(Ineligible::JobRole)
        );
        assert_eq!(rule.admits(Some(&school), None), Err(Ineligible::JobRole));
        assert_eq!(Eligibility::default().admits(None, None), Ok(()));
        Ok(())
    }

    #[test]
    fn verified_employment_comes_from_the_rosters_and_prefers_the_priority_group()
    -> Result<(), Invalid> {
        let city = OrganisationPath::root(crate::ids::OrganisationId::new());
        let school = city.child(crate::ids::OrganisationId::new())?;
        let library = OrganisationPath::root(crate::ids::OrganisationId::new());
        let rule = Eligibility {
            workplace_within: Some(city.id()),
            job_roles: vec![],
            verified_employment: true,
        };
        let group = crate::seating::Priority {
            job_roles: vec![JobRole::InterculturalAssistant],
            reserved_places: 0,
            reserved_until: None,
        };
        let two_jobs = [
            (&library, JobRole::Librarian),
            (&school, JobRole::Teacher),
            (&school, JobRole::InterculturalAssistant),
        ];
        assert_eq!(rule.admits_verified(true, &two_jobs, Some(&group)), Ok(2));
        assert_eq!(rule.admits_verified(true, &two_jobs, None), Ok(1));
        assert_eq!(
            rule.admits_verified(false, &two_jobs, None),
            Err(Ineligible::EmailUnverified)
        );
        assert_eq!(
            rule.admits_verified(true, &[], None),
            Err(Ineligible::NotOnRoster)
        );
        assert_eq!(
            rule.admits_verified(true, &two_jobs[..1], None),
            Err(Ineligible::RosterElsewhere)
        );
        Ok(())
    }

    #[test]
    fn counters_move_with_every_transition() {
        use RegistrationStatus::*;
        let c = |confirmed, waitlisted| CounterChange {
            confirmed,
            waitlisted,
        };
        assert_eq!(counter_change(None, Confirmed), c(1, 0));
        assert_eq!(counter_change(None, Waitlisted), c(0, 1));
        assert_eq!(counter_change(None, Pending), c(0, 0));
        assert_eq!(counter_change(Some(Pending), Confirmed), c(1, 0));
        assert_eq!(counter_change(Some(Waitlisted), Confirmed), c(1, -1));
        assert_eq!(counter_change(Some(Confirmed), Cancelled), c(-1, 0));
        assert_eq!(counter_change(Some(Waitlisted), Rejected), c(0, -1));
        assert_eq!(counter_change(Some(Pending), Rejected), c(0, 0));
        // Completing keeps the place.
        assert_eq!(counter_change(Some(Confirmed), Completed), c(0, 0));
    }

    fn window(now: DateTime<Utc>) -> Option<RegistrationWindow> {
        RegistrationWindow::new(
            now - chrono::Duration::hours(1),
            now + chrono::Duration::hours(1),
        )
        .ok()
    }

    #[test]
    fn the_registration_policy_lets_organisers_in_at_any_time() {
        let now = Utc::now();
        let myself = Registrant {
            for_someone_else: false,
            organiser: false,
        };
        let organiser = Registrant {
            for_someone_else: true,
            organiser: true,
        };
        let stranger = Registrant {
            for_someone_else: true,
            organiser: false,
        };
        let published = ProgrammeStatus::Published;
        assert_eq!(
            may_register(myself, published, FirstComeFirstServed, window(now), now),
            Ok(())
        );
        assert_eq!(
            may_register(myself, published, FirstComeFirstServed, None, now),
            Err(Refusal::WindowClosed)
        );
        assert_eq!(
            may_register(myself, published, Invitation, window(now), now),
            Err(Refusal::InvitationOnly)
        );
        assert_eq!(
            may_register(organiser, published, Invitation, None, now),
            Ok(())
        );
        assert_eq!(
            may_register(stranger, published, FirstComeFirstServed, window(now), now),
            Err(Refusal::NotOrganiser)
        );
        assert_eq!(
            may_register(organiser, ProgrammeStatus::Draft, Invitation, None, now),
            Err(Refusal::NotPublished(ProgrammeStatus::Draft))
        );
    }

    #[test]
    fn the_cancellation_deadline_is_midnight_in_the_programmes_own_zone() -> Result<(), Invalid> {
        let warsaw = TimeZone::parse("Europe/Warsaw")?;
        let starts_on = NaiveDate::from_ymd_opt(2026, 6, 13).ok_or(Invalid::new("date"))?;
        // Summer time in Warsaw is UTC+2: the programme's first day starts at 22:00 UTC.
        let deadline = cancellation_deadline(None, starts_on, warsaw);
        assert_eq!(deadline.to_rfc3339(), "2026-06-12T22:00:00+00:00");
        let winter = NaiveDate::from_ymd_opt(2026, 12, 10).ok_or(Invalid::new("date"))?;
        assert_eq!(
            cancellation_deadline(None, winter, warsaw).to_rfc3339(),
            "2026-12-09T23:00:00+00:00"
        );
        // Santiago moves its clocks at midnight: on 2026-09-06 the day starts at 01:00.
        let santiago = TimeZone::parse("America/Santiago")?;
        let gap = NaiveDate::from_ymd_opt(2026, 9, 6).ok_or(Invalid::new("date"))?;
        assert_eq!(
            cancellation_deadline(None, gap, santiago).to_rfc3339(),
            "2026-09-06T04:00:00+00:00"
        );
        let explicit = Utc::now();
        assert_eq!(
            cancellation_deadline(Some(explicit), starts_on, warsaw),
            explicit
        );
        Ok(())
    }

    #[test]
    fn cancelling_participants_keep_to_the_deadline_and_organisers_give_reasons() {
        use RegistrationStatus::*;
        let now = Utc::now();
        let later = now + chrono::Duration::days(1);
        let earlier = now - chrono::Duration::days(1);
        assert_eq!(
            may_cancel(Confirmed, Canceller::Participant, false, later, now),
            Ok(())
        );
        assert_eq!(
            may_cancel(Confirmed, Canceller::Participant, false, earlier, now),
            Err(CancelRefusal::Closed(earlier))
        );
        assert_eq!(
            may_cancel(Confirmed, Canceller::Organiser, true, earlier, now),
            Ok(())
        );
        assert_eq!(
            may_cancel(Waitlisted, Canceller::Organiser, false, later, now),
            Err(CancelRefusal::ReasonRequired)
        );
        assert_eq!(
            may_cancel(Cancelled, Canceller::Organiser, true, later, now),
            Err(CancelRefusal::NotCancellable(Cancelled))
        );
    }

    #[test]
    fn statuses() {
        assert!(RegistrationStatus::Waitlisted.is_active());
        assert!(!RegistrationStatus::Cancelled.is_active());
        assert!(!RegistrationStatus::Completed.is_cancellable());
    }
}
