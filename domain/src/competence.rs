//! Competence-development plans: an organisation's compiled needs for a period, and how far
//! the programmes that answer them have met them.

use chrono::NaiveDate;

use crate::Invalid;
use crate::ids::{AccountId, ProgrammeId};
use crate::role::JobRole;
use crate::vocabulary;

vocabulary!(
    /// Where a plan is in its life: `draft → adopted → closed`.
    PlanStatus {
        /// Being compiled from the workplaces' needs.
        Draft => "draft",
        /// Agreed; programmes are run against it.
        Adopted => "adopted",
        /// The period is over; kept for the record.
        Closed => "closed",
    }
);

impl PlanStatus {
    /// Whether a plan may move from this status to `next` (forward only, one step at a time).
    pub fn may_become(self, next: PlanStatus) -> bool {
        matches!(
            (self, next),
            (PlanStatus::Draft, PlanStatus::Adopted) | (PlanStatus::Adopted, PlanStatus::Closed)
        ) || self == next
    }
}

vocabulary!(
    /// What staff need to learn.
    Theme {
        CulturalUnderstanding => "cultural_understanding",
        TraumaAwareness => "trauma_awareness",
        InterculturalCommunication => "intercultural_communication",
        SecondLanguageTeaching => "second_language_teaching",
        Supervision => "supervision",
        InclusiveEducation => "inclusive_education",
        WorkingWithInterpreters => "working_with_interpreters",
        AntiDiscrimination => "anti_discrimination",
        ProcessLeadership => "process_leadership",
        Other => "other",
    }
);

vocabulary!(
    /// How urgent a need is.
    Priority {
        High => "high",
        Medium => "medium",
        Low => "low",
    }
);

/// The most staff one need may ask for.
pub const MAX_STAFF: u32 = 100_000;

/// The most needs one plan may hold.
pub const MAX_NEEDS: usize = 100;

/// How many staff need training: 1–100 000.
pub fn staff_count(raw: i64) -> Result<u32, Invalid> {
    u32::try_from(raw)
        .ok()
        .filter(|n| (1..=MAX_STAFF).contains(n))
        .ok_or_else(|| Invalid::new(format!("must be between 1 and {MAX_STAFF}")))
}

/// A plan's period: `ends_on` not before `starts_on`.
pub fn period(starts_on: NaiveDate, ends_on: NaiveDate) -> Result<(NaiveDate, NaiveDate), Invalid> {
    if ends_on < starts_on {
        return Err(Invalid::new("must not be before starts_on"));
    }
    Ok((starts_on, ends_on))
}

/// One need of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub id: uuid::Uuid,
    pub theme: Theme,
    pub description: Option<String>,
    /// Staff with these job roles need it; empty: any role.
    pub job_roles: Vec<JobRole>,
    pub staff_count: u32,
    pub priority: Priority,
    /// The programmes that answer it.
    pub programme_ids: Vec<ProgrammeId>,
}

/// A person who completed a programme, as coverage counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completer {
    pub participant: AccountId,
    pub programme: ProgrammeId,
    /// Whether they worked within the plan's organisation (or below it) when they registered.
    pub within: bool,
    pub job_role: Option<JobRole>,
}

/// How far a need is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    pub staff_needed: u32,
    /// Distinct staff of the organisation's subtree, with one of the need's job roles, who
    /// completed one of its programmes.
    pub staff_completed: u32,
    /// `staff_completed` of `staff_needed`, in whole percent, at most 100.
    pub percent: u8,
}

impl Need {
    /// Counts each person once, however many of the need's programmes they completed.
    pub fn coverage(&self, completers: &[Completer]) -> Coverage {
        let mut people: Vec<AccountId> = completers
            .iter()
            .filter(|c| c.within && self.programme_ids.contains(&c.programme))
            .filter(|c| {
                self.job_roles.is_empty() || c.job_role.is_some_and(|r| self.job_roles.contains(&r))
            })
            .map(|c| c.participant)
            .collect();
        people.sort_unstable();
        people.dedup();
        let completed = u32::try_from(people.len()).unwrap_or(u32::MAX);
        let percent = (u64::from(completed.min(self.staff_count)) * 100)
            .checked_div(u64::from(self.staff_count))
            .unwrap_or(0);
        Coverage {
            staff_needed: self.staff_count,
            staff_completed: completed,
            percent: u8::try_from(percent).unwrap_or(100),
        }
    }
}

/// Needed and met over several needs, counting each need at most up to what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CoverageTotals {
    pub staff_needed: u64,
    /// Per need at most its `staff_count`, then added up.
    pub staff_met: u64,
    /// `staff_met` of `staff_needed`, in whole percent.
    pub percent: u8,
}

impl CoverageTotals {
    /// Adds one need's coverage.
    pub fn add(&mut self, c: Coverage) {
        self.staff_needed += u64::from(c.staff_needed);
        self.staff_met += u64::from(c.staff_completed.min(c.staff_needed));
        self.percent = (self.staff_met.min(self.staff_needed) * 100)
            .checked_div(self.staff_needed)
            .and_then(|p| u8::try_from(p).ok())
            .unwrap_or(0);
    }
}

crate::wire::bounded!(
    /// How many staff one need asks for.
    StaffCount(u32): 1..=100_000,
    "How many staff need it: 1 to 100000."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_counts_distinct_staff_of_the_subtree_with_the_roles() {
        let programmes = [ProgrammeId::new(), ProgrammeId::new(), ProgrammeId::new()];
        let need = Need {
            id: uuid::Uuid::nil(),
            theme: Theme::TraumaAwareness,
            description: None,
            job_roles: vec![JobRole::Librarian, JobRole::CultureCentreStaff],
            staff_count: 4,
            priority: Priority::High,
            programme_ids: vec![programmes[0], programmes[1]],
        };
        let (a, b, c, d) = (
            AccountId::new(),
            AccountId::new(),
            AccountId::new(),
            AccountId::new(),
        );
        let done = |participant, programme, within, role| Completer {
            participant,
            programme,
            within,
            job_role: role,
        };
        let completers = [
            done(a, programmes[0], true, Some(JobRole::Librarian)),
            // The same person twice counts once.
            done(a, programmes[1], true, Some(JobRole::Librarian)),
            done(b, programmes[1], true, Some(JobRole::CultureCentreStaff)),
            // Another role, another organisation, another programme: none of them count.
            done(c, programmes[0], true, Some(JobRole::Teacher)),
            done(d, programmes[0], false, Some(JobRole::Librarian)),
            done(d, programmes[2], true, Some(JobRole::Librarian)),
        ];
        let coverage = need.coverage(&completers);
        assert_eq!(coverage.staff_completed, 2);
        assert_eq!(coverage.percent, 50);
        let any_role = Need {
            job_roles: vec![],
            staff_count: 2,
            ..need
        };
        let coverage = any_role.coverage(&completers);
        assert_eq!(coverage.staff_completed, 3);
        assert_eq!(coverage.percent, 100, "never above 100");
    }

    #[test]
    fn plans_move_forward_one_step_at_a_time() {
        use PlanStatus::*;
        assert!(Draft.may_become(Adopted) && Adopted.may_become(Closed) && Draft.may_become(Draft));
        assert!(
            !Draft.may_become(Closed) && !Closed.may_become(Adopted) && !Adopted.may_become(Draft)
        );
        assert!(staff_count(0).is_err() && staff_count(300).is_ok());
    }
}
