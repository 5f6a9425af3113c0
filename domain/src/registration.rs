//! Registrations: who gets a place, who waits, and in what order.
//!
//! The rules here are decided on numbers the persistence layer reads under the programme's
//! row lock (places taken, people waiting), so the decision and the write that follows it are
//! one atomic step: a programme never confirms more people than its capacity, and the waiting
//! list is promoted strictly in order of arrival.

use crate::Invalid;
use crate::ids::OrganisationId;
use crate::organisation::OrganisationPath;
use crate::programme::{Eligibility, RegistrationPolicy};
use crate::role::JobRole;
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
}

/// A reason given by an organiser: trimmed, 1–1000 characters.
pub fn reason(raw: &str) -> Result<String, Invalid> {
    let value = raw.trim();
    if value.is_empty() || value.chars().count() > 1000 {
        return Err(Invalid::new("must be 1–1000 characters"));
    }
    Ok(value.to_string())
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
    fn statuses() {
        assert!(RegistrationStatus::Waitlisted.is_active());
        assert!(!RegistrationStatus::Cancelled.is_active());
        assert!(!RegistrationStatus::Completed.is_cancellable());
    }
}
