//! Fair places: a priority group that waits ahead of everyone else (with places reserved for it
//! until an instant), and caps on how many places one member organisation's subtree may take.
//!
//! Decided on the queue the persistence layer reads under the programme's row lock: who holds
//! a place, who waits, in which group and from where. [`fill`] seats those waiting who fit, in
//! queue order, so every registration, cancellation, approval, change of rules and the
//! reservation's end goes through the same rule and no place is lost or given twice.

use chrono::{DateTime, Utc};

use crate::ids::{OrganisationId, RegistrationId};
use crate::organisation::OrganisationPath;
use crate::role::JobRole;

/// The people a programme seats first: those in `job_roles` wait ahead of everyone else, in
/// their own order of arrival, and until `reserved_until` `reserved_places` are held for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priority {
    pub job_roles: Vec<JobRole>,
    pub reserved_places: u32,
    pub reserved_until: Option<DateTime<Utc>>,
}

impl Priority {
    /// Whether someone in `job_role` belongs to the group.
    pub fn includes(&self, job_role: Option<JobRole>) -> bool {
        job_role.is_some_and(|r| self.job_roles.contains(&r))
    }

    /// Whether places are still held for the group at `now`.
    pub fn reservation_holds(&self, now: DateTime<Utc>) -> bool {
        self.reserved_places > 0 && self.reserved_until.is_some_and(|until| now < until)
    }

    /// Checks the group against the programme's capacity: the problems, each at its pointer
    /// below `/priority`.
    pub fn check(&self, capacity: Option<u32>) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if self.job_roles.is_empty() {
            problems.push((
                "/priority/job_roles",
                "name at least one job role: the priority group is made of them".to_string(),
            ));
        }
        if self.reserved_places > 0 {
            match capacity {
                None => problems.push((
                    "/priority/reserved_places",
                    "places can be reserved only in a programme with a capacity".to_string(),
                )),
                Some(c) if self.reserved_places > c => problems.push((
                    "/priority/reserved_places",
                    format!("must not exceed the programme's capacity ({c})"),
                )),
                Some(_) => {}
            }
            if self.reserved_until.is_none() {
                problems.push((
                    "/priority/reserved_until",
                    "say until when the reserved places are held".to_string(),
                ));
            }
        }
        problems
    }
}

/// At most `places` confirmed from the subtree of `organisation_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatCap {
    pub organisation_id: OrganisationId,
    pub places: u32,
}

/// The most seat caps a programme may have.
pub const MAX_SEAT_CAPS: usize = 500;

/// Checks a programme's caps: one per organisation, none above the capacity.
pub fn check_caps(caps: &[SeatCap], capacity: Option<u32>) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    for (i, cap) in caps.iter().enumerate() {
        if caps[..i]
            .iter()
            .any(|c| c.organisation_id == cap.organisation_id)
        {
            problems.push((
                format!("/seat_caps/{i}/organisation_id"),
                "is capped twice; give each organisation one cap".to_string(),
            ));
        }
        if let Some(c) = capacity
            && cap.places > c
        {
            problems.push((
                format!("/seat_caps/{i}/places"),
                format!("must not exceed the programme's capacity ({c})"),
            ));
        }
    }
    problems
}

/// A registration in the queue: holding a place, or waiting for one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    pub id: RegistrationId,
    pub arrival: i64,
    /// In the priority group when registering.
    pub priority: bool,
    /// Where the person worked when registering (seat caps count them there).
    pub workplace: Option<OrganisationPath>,
    /// Confirmed or completed: holds one of the programme's places.
    pub holds_place: bool,
}

/// What seats people in a programme.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// `None`: unlimited.
    pub capacity: Option<u32>,
    pub priority: Option<&'a Priority>,
    pub caps: &'a [SeatCap],
    pub now: DateTime<Utc>,
}

impl Rules<'_> {
    /// Whether the programme needs the queue read to decide (else its counters suffice: one
    /// line in arrival order, everyone alike).
    pub fn need_the_queue(&self) -> bool {
        self.priority.is_some() || !self.caps.is_empty()
    }
}

/// The order of the waiting list: the priority group first, each part in order of arrival.
pub fn queue_order(a: (bool, i64), b: (bool, i64)) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then(a.1.cmp(&b.1))
}

/// Why a waiting person cannot have a place now (for the tests and the logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    /// Every place is taken.
    Full,
    /// The free places are held for the priority group until the reservation ends.
    Reserved,
    /// The person's organisation has as many places as its cap allows.
    Capped(OrganisationId),
}

/// The tally a decision keeps while it seats people.
struct Tally<'a> {
    rules: Rules<'a>,
    confirmed: u32,
    group_confirmed: u32,
    capped: Vec<u32>,
}

impl<'a> Tally<'a> {
    fn of(rules: Rules<'a>, seats: &[Seat]) -> Self {
        let mut tally = Tally {
            rules,
            confirmed: 0,
            group_confirmed: 0,
            capped: vec![0; rules.caps.len()],
        };
        for seat in seats.iter().filter(|s| s.holds_place) {
            tally.take(seat);
        }
        tally
    }

    fn caps_of<'s>(&'s self, seat: &'s Seat) -> impl Iterator<Item = usize> + 's {
        self.rules
            .caps
            .iter()
            .enumerate()
            .filter(move |(_, cap)| {
                seat.workplace
                    .as_ref()
                    .is_some_and(|w| w.contains(cap.organisation_id))
            })
            .map(|(i, _)| i)
    }

    fn blocked(&self, seat: &Seat) -> Option<Blocked> {
        if let Some(capacity) = self.rules.capacity {
            if self.confirmed >= capacity {
                return Some(Blocked::Full);
            }
            let reserved = match self.rules.priority {
                Some(p) if !seat.priority && p.reservation_holds(self.rules.now) => {
                    p.reserved_places.saturating_sub(self.group_confirmed)
                }
                _ => 0,
            };
            if capacity - self.confirmed <= reserved {
                return Some(Blocked::Reserved);
            }
        }
        self.caps_of(seat)
            .find(|i| self.capped[*i] >= self.rules.caps[*i].places)
            .map(|i| Blocked::Capped(self.rules.caps[i].organisation_id))
    }

    fn take(&mut self, seat: &Seat) {
        self.confirmed += 1;
        if seat.priority {
            self.group_confirmed += 1;
        }
        let caps: Vec<usize> = self.caps_of(seat).collect();
        for i in caps {
            self.capped[i] += 1;
        }
    }
}

/// The waiting registrations who get a place now, in the order they get it: the queue is
/// walked in its order (the priority group first, each part by arrival), and each person who
/// fits — a free place not held for the group (unless they are in it), their organisation
/// under its cap — is seated; those who do not fit keep their place in line.
///
/// With `newcomer`, the decision for someone joining the queue now: they come last in their
/// part of the line, and are seated only if they fit once everyone ahead has been considered.
pub fn fill(rules: Rules<'_>, seats: &[Seat]) -> Vec<RegistrationId> {
    let mut tally = Tally::of(rules, seats);
    let mut waiting: Vec<&Seat> = seats.iter().filter(|s| !s.holds_place).collect();
    waiting.sort_by(|a, b| queue_order((a.priority, a.arrival), (b.priority, b.arrival)));
    let mut seated = Vec::new();
    for seat in waiting {
        if tally.blocked(seat).is_none() {
            tally.take(seat);
            seated.push(seat.id);
        }
    }
    seated
}

/// Why `seat` (waiting) cannot be seated now, given everyone else in `seats`; `None` if it can.
pub fn blocked(rules: Rules<'_>, seats: &[Seat], seat: &Seat) -> Option<Blocked> {
    let tally = Tally::of(rules, seats);
    tally.blocked(seat)
}

crate::wire::bounded!(
    /// Places held for the priority group until the reservation ends.
    ReservedPlaces(u32): 0..=100_000,
    "Places held for the priority group until `reserved_until`: 0 to the programme's capacity."
);

crate::wire::bounded!(
    /// The most confirmed places one organisation's subtree may take.
    CapPlaces(u32): 1..=100_000,
    "At most this many confirmed from the organisation's subtree: 1 to the programme's capacity."
);

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2027-05-04T10:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    struct World {
        seats: Vec<Seat>,
        next: i64,
    }

    impl World {
        fn new() -> Self {
            World {
                seats: Vec::new(),
                next: 1,
            }
        }

        fn add(&mut self, priority: bool, workplace: Option<&OrganisationPath>) -> RegistrationId {
            let id = RegistrationId::new();
            self.seats.push(Seat {
                id,
                arrival: self.next,
                priority,
                workplace: workplace.cloned(),
                holds_place: false,
            });
            self.next += 1;
            id
        }

        /// Registers someone and seats whoever fits, as a registration transaction does.
        fn arrive(
            &mut self,
            rules: Rules<'_>,
            priority: bool,
            workplace: Option<&OrganisationPath>,
        ) -> bool {
            let id = self.add(priority, workplace);
            self.settle(rules);
            self.holds(id)
        }

        fn settle(&mut self, rules: Rules<'_>) {
            for id in fill(rules, &self.seats) {
                if let Some(s) = self.seats.iter_mut().find(|s| s.id == id) {
                    s.holds_place = true;
                }
            }
        }

        fn holds(&self, id: RegistrationId) -> bool {
            self.seats.iter().any(|s| s.id == id && s.holds_place)
        }

        fn cancel(&mut self, id: RegistrationId, rules: Rules<'_>) {
            self.seats.retain(|s| s.id != id);
            self.settle(rules);
        }

        fn confirmed(&self) -> usize {
            self.seats.iter().filter(|s| s.holds_place).count()
        }
    }

    fn group(places: u32, until: Option<DateTime<Utc>>) -> Priority {
        Priority {
            job_roles: vec![JobRole::InterculturalAssistant],
            reserved_places: places,
            reserved_until: until,
        }
    }

    #[test]
    fn without_rules_places_go_in_order_of_arrival() {
        let rules = Rules {
            capacity: Some(2),
            priority: None,
            caps: &[],
            now: now(),
        };
        assert!(!rules.need_the_queue());
        let mut w = World::new();
        assert!(w.arrive(rules, false, None));
        assert!(w.arrive(rules, false, None));
        let third = w.add(false, None);
        let fourth = w.add(false, None);
        w.settle(rules);
        assert!(!w.holds(third) && !w.holds(fourth));
        let first = w.seats[0].id;
        w.cancel(first, rules);
        assert!(
            w.holds(third) && !w.holds(fourth),
            "the first in line gets it"
        );
    }

    #[test]
    fn reserved_places_wait_for_the_group_until_the_reservation_ends() {
        let until = now() + chrono::Duration::hours(1);
        let priority = group(2, Some(until));
        let held = Rules {
            capacity: Some(4),
            priority: Some(&priority),
            caps: &[],
            now: now(),
        };
        let mut w = World::new();
        // Two places are free for everyone; the other two are held.
        assert!(w.arrive(held, false, None));
        assert!(w.arrive(held, false, None));
        let third = w.add(false, None);
        w.settle(held);
        assert!(!w.holds(third), "only the reserved places are left");
        let seat = w.seats.iter().find(|s| s.id == third).cloned();
        assert_eq!(
            seat.map(|s| blocked(held, &w.seats, &s)),
            Some(Some(Blocked::Reserved))
        );
        // The group takes its reserved places, though someone else came first.
        assert!(w.arrive(held, true, None));
        assert!(w.arrive(held, true, None));
        assert_eq!(w.confirmed(), 4);
        // Full now: a group member waits, ahead of the earlier non-member.
        let late = w.add(true, None);
        w.settle(held);
        assert!(!w.holds(late));
        let first = w.seats[0].id;
        w.cancel(first, held);
        assert!(w.holds(late), "the group waits ahead of everyone else");
        assert!(!w.holds(third));
    }

    #[test]
    fn when_the_reservation_ends_its_places_go_to_the_waiting_list_in_order() {
        let until = now() + chrono::Duration::minutes(5);
        let priority = group(3, Some(until));
        let held = Rules {
            capacity: Some(4),
            priority: Some(&priority),
            caps: &[],
            now: now(),
        };
        let mut w = World::new();
        assert!(w.arrive(held, false, None));
        let second = w.add(false, None);
        let third = w.add(false, None);
        assert!(w.arrive(held, true, None));
        w.settle(held);
        assert!(!w.holds(second) && !w.holds(third));
        assert_eq!(w.confirmed(), 2);
        let released = Rules { now: until, ..held };
        w.settle(released);
        assert!(w.holds(second) && w.holds(third));
        assert_eq!(w.confirmed(), 4);
        // A group that fills its reservation holds nothing more back.
        let priority = group(1, Some(until));
        let rules = Rules {
            capacity: Some(2),
            priority: Some(&priority),
            caps: &[],
            now: now(),
        };
        let mut w = World::new();
        assert!(w.arrive(rules, true, None));
        assert!(w.arrive(rules, false, None));
    }

    #[test]
    fn caps_keep_one_organisation_from_taking_every_place_and_promotion_skips_only_the_capped() {
        let city = OrganisationPath::root(OrganisationId::new());
        let child = |p: &OrganisationPath| p.child(OrganisationId::new()).ok();
        let (Some(a), Some(b)) = (child(&city), child(&city)) else {
            panic!("paths");
        };
        let Some(a_class) = child(&a) else {
            panic!("path")
        };
        let caps = [SeatCap {
            organisation_id: a.id(),
            places: 2,
        }];
        let rules = Rules {
            capacity: Some(3),
            priority: None,
            caps: &caps,
            now: now(),
        };
        let mut w = World::new();
        let a1 = w.add(false, Some(&a));
        w.settle(rules);
        // The subtree counts: a class of school a is school a.
        assert!(w.arrive(rules, false, Some(&a_class)));
        let a3 = w.add(false, Some(&a));
        w.settle(rules);
        assert!(w.holds(a1) && !w.holds(a3), "school a is at its cap");
        let seat = w.seats.iter().find(|s| s.id == a3).cloned();
        assert_eq!(
            seat.map(|s| blocked(rules, &w.seats, &s)),
            Some(Some(Blocked::Capped(a.id())))
        );
        // Someone from b, after a3, takes the free place: a3 does not fit.
        assert!(w.arrive(rules, false, Some(&b)));
        let b2 = w.add(false, Some(&b));
        let nowhere = w.add(false, None);
        w.settle(rules);
        assert!(!w.holds(b2) && !w.holds(nowhere));
        // b leaves: the first in line who fits is b2 (a3 is still capped).
        let b1 = w.seats[3].id;
        w.cancel(b1, rules);
        assert!(w.holds(b2) && !w.holds(a3) && !w.holds(nowhere));
        // a leaves: a3 is first in line and fits again.
        w.cancel(a1, rules);
        assert!(w.holds(a3) && !w.holds(nowhere));
        assert_eq!(w.confirmed(), 3);
    }

    #[test]
    fn the_group_and_the_caps_together() {
        let city = OrganisationPath::root(OrganisationId::new());
        let Ok(school) = city.child(OrganisationId::new()) else {
            panic!("path");
        };
        let priority = group(2, Some(now() + chrono::Duration::days(1)));
        let caps = [SeatCap {
            organisation_id: school.id(),
            places: 1,
        }];
        let rules = Rules {
            capacity: Some(3),
            priority: Some(&priority),
            caps: &caps,
            now: now(),
        };
        let mut w = World::new();
        assert!(w.arrive(rules, true, Some(&school)));
        // The school is at its cap: its second assistant waits, though places are held for
        // assistants.
        assert!(!w.arrive(rules, true, Some(&school)));
        // One reserved place is left and one free: a non-member gets the free one only.
        assert!(w.arrive(rules, false, None));
        assert!(!w.arrive(rules, false, None));
        assert!(w.arrive(rules, true, None));
        assert_eq!(w.confirmed(), 3);
    }

    #[test]
    fn the_waiting_list_puts_the_group_first() {
        let mut order = vec![(false, 1), (true, 4), (false, 2), (true, 3)];
        order.sort_by(|a, b| queue_order(*a, *b));
        assert_eq!(order, vec![(true, 3), (true, 4), (false, 1), (false, 2)]);
    }

    #[test]
    fn a_group_and_caps_are_checked_against_the_capacity() {
        let p = group(5, None);
        let pointers: Vec<&str> = p.check(Some(3)).into_iter().map(|(at, _)| at).collect();
        assert_eq!(
            pointers,
            ["/priority/reserved_places", "/priority/reserved_until"]
        );
        assert_eq!(p.check(None).len(), 2);
        let empty = Priority {
            job_roles: vec![],
            reserved_places: 0,
            reserved_until: None,
        };
        assert_eq!(empty.check(Some(3)).len(), 1);
        let id = OrganisationId::new();
        let caps = [
            SeatCap {
                organisation_id: id,
                places: 2,
            },
            SeatCap {
                organisation_id: id,
                places: 9,
            },
        ];
        let problems = check_caps(&caps, Some(5));
        assert_eq!(
            problems.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(),
            ["/seat_caps/1/organisation_id", "/seat_caps/1/places"]
        );
        assert!(group(1, Some(now())).reservation_holds(now() - chrono::Duration::seconds(1)));
        assert!(!group(1, Some(now())).reservation_holds(now()));
        assert!(!group(0, Some(now())).reservation_holds(now() - chrono::Duration::days(1)));
    }
}
