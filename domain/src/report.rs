//! Funder reports: who was reached, how many minutes were planned, scheduled, delivered and
//! attended, and what was certified, for one programme or every programme a grant funds.
//!
//! Every figure here is a sum of its breakdown by construction, and the test below checks it:
//! people are counted once however many programmes they joined, and each person falls into
//! exactly one workplace and one job-role bucket (those of their latest registration in the
//! report), so the buckets add up to the total.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::hour_budget::{ActivityType, HourBudget, SessionMinutes, Tally};
use crate::ids::{AccountId, OrganisationId, ProgrammeId, RegistrationId, SessionId};
use crate::registration::RegistrationStatus;
use crate::role::JobRole;

/// Calendar dates a report covers, both ends inclusive and optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Range {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Range {
    pub fn holds(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }
}

/// A session as the report counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFacts {
    pub id: SessionId,
    /// Its date in the programme's time zone.
    pub day: NaiveDate,
    /// `None` for cancelled sessions: they count nowhere.
    pub minutes: Option<SessionMinutes>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationFacts {
    pub id: RegistrationId,
    pub participant: AccountId,
    pub status: RegistrationStatus,
    /// As it was when the person registered.
    pub workplace: Option<OrganisationId>,
    pub job_role: Option<JobRole>,
    pub created_on: NaiveDate,
}

/// One attendance mark, already credited (at most the session's credit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkFacts {
    pub session: SessionId,
    pub credited_minutes: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificateFacts {
    pub issued_on: NaiveDate,
    pub revoked: bool,
}

/// Everything a report needs to know of one programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeFacts {
    pub programme: ProgrammeId,
    pub budget: HourBudget,
    pub sessions: Vec<SessionFacts>,
    pub registrations: Vec<RegistrationFacts>,
    pub marks: Vec<MarkFacts>,
    pub certificates: Vec<CertificateFacts>,
}

/// Distinct people: those who registered, those who held a place, those who completed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reach {
    pub registered: u64,
    pub confirmed: u64,
    pub completed: u64,
}

impl Reach {
    fn add(&mut self, other: Reach) {
        self.registered += other.registered;
        self.confirmed += other.confirmed;
        self.completed += other.completed;
    }
}

/// Registrations by status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub by_status: BTreeMap<RegistrationStatus, u64>,
    pub total: u64,
}

impl StatusCounts {
    fn count(&mut self, status: RegistrationStatus) {
        *self.by_status.entry(status).or_insert(0) += 1;
        self.total += 1;
    }

    fn add(&mut self, other: &StatusCounts) {
        for (status, n) in &other.by_status {
            *self.by_status.entry(*status).or_insert(0) += n;
        }
        self.total += other.total;
    }

    pub fn of(&self, status: RegistrationStatus) -> u64 {
        self.by_status.get(&status).copied().unwrap_or(0)
    }
}

/// Minutes of one activity type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Minutes {
    pub planned: u64,
    pub scheduled: u64,
    pub delivered: u64,
    /// Participant-minutes: every participant's credited attendance, added up.
    pub attended: u64,
}

impl Minutes {
    fn add(&mut self, other: Minutes) {
        self.planned += other.planned;
        self.scheduled += other.scheduled;
        self.delivered += other.delivered;
        self.attended += other.attended;
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Certified {
    pub issued: u64,
    pub revoked: u64,
    pub in_force: u64,
}

impl Certified {
    fn add(&mut self, other: Certified) {
        self.issued += other.issued;
        self.revoked += other.revoked;
        self.in_force += other.in_force;
    }
}

/// The figures of one programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeFigures {
    pub programme: ProgrammeId,
    pub participants: Reach,
    pub registrations: StatusCounts,
    pub minutes: BTreeMap<ActivityType, Minutes>,
    pub minutes_total: Minutes,
    pub certificates: Certified,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Distinct people across every programme.
    pub participants: Reach,
    /// The same people by the workplace of their latest registration (`None`: not given).
    pub by_workplace: BTreeMap<Option<OrganisationId>, Reach>,
    /// The same people by the job role of their latest registration.
    pub by_job_role: BTreeMap<Option<JobRole>, Reach>,
    pub registrations: StatusCounts,
    pub minutes: BTreeMap<ActivityType, Minutes>,
    pub minutes_total: Minutes,
    pub certificates: Certified,
    pub by_programme: Vec<ProgrammeFigures>,
}

/// Where a registration puts its participant.
fn reach_of(statuses: impl Iterator<Item = RegistrationStatus> + Clone) -> Reach {
    let held = |s: RegistrationStatus| {
        matches!(
            s,
            RegistrationStatus::Confirmed | RegistrationStatus::Completed
        )
    };
    Reach {
        registered: 1,
        confirmed: u64::from(statuses.clone().any(held)),
        completed: u64::from(statuses.clone().any(|s| s == RegistrationStatus::Completed)),
    }
}

/// People reached among `registrations`, with the latest registration of each.
fn people<'a>(
    registrations: impl Iterator<Item = &'a RegistrationFacts>,
) -> BTreeMap<AccountId, Vec<&'a RegistrationFacts>> {
    let mut by_person: BTreeMap<AccountId, Vec<&RegistrationFacts>> = BTreeMap::new();
    for r in registrations {
        by_person.entry(r.participant).or_default().push(r);
    }
    for regs in by_person.values_mut() {
        // Latest last: by date, then by id (time-ordered).
        regs.sort_by_key(|r| (r.created_on, r.id));
    }
    by_person
}

fn programme_figures(p: &ProgrammeFacts, range: Range) -> ProgrammeFigures {
    let sessions: Vec<&SessionFacts> = p.sessions.iter().filter(|s| range.holds(s.day)).collect();
    let tally = Tally::of(
        &sessions
            .iter()
            .filter_map(|s| s.minutes.clone())
            .collect::<Vec<_>>(),
    );
    let mut minutes: BTreeMap<ActivityType, Minutes> = BTreeMap::new();
    for line in p.budget.lines() {
        minutes.entry(line.activity_type).or_default().planned += u64::from(line.planned_minutes);
    }
    for (activity, m) in &tally.scheduled {
        minutes.entry(*activity).or_default().scheduled += u64::from(*m);
    }
    for (activity, m) in &tally.delivered {
        minutes.entry(*activity).or_default().delivered += u64::from(*m);
    }
    for mark in &p.marks {
        let Some(session) = sessions.iter().find(|s| s.id == mark.session) else {
            continue;
        };
        let Some(m) = &session.minutes else {
            continue;
        };
        minutes.entry(m.activity_type).or_default().attended += u64::from(mark.credited_minutes);
    }
    let mut minutes_total = Minutes::default();
    for m in minutes.values() {
        minutes_total.add(*m);
    }
    let in_range: Vec<&RegistrationFacts> = p
        .registrations
        .iter()
        .filter(|r| range.holds(r.created_on))
        .collect();
    let mut registrations = StatusCounts::default();
    for r in &in_range {
        registrations.count(r.status);
    }
    let mut participants = Reach::default();
    for regs in people(in_range.into_iter()).values() {
        participants.add(reach_of(regs.iter().map(|r| r.status)));
    }
    let mut certificates = Certified::default();
    for c in p.certificates.iter().filter(|c| range.holds(c.issued_on)) {
        certificates.issued += 1;
        if c.revoked {
            certificates.revoked += 1;
        } else {
            certificates.in_force += 1;
        }
    }
    ProgrammeFigures {
        programme: p.programme,
        participants,
        registrations,
        minutes,
        minutes_total,
        certificates,
    }
}

/// The report over `programmes` for the dates in `range`: sessions (and their attendance) by
/// the day they take place, registrations by the day they were made, certificates by the day
/// they were issued. Planned minutes are the programmes' whole hour budgets.
pub fn report(programmes: &[ProgrammeFacts], range: Range) -> Report {
    let by_programme: Vec<ProgrammeFigures> = programmes
        .iter()
        .map(|p| programme_figures(p, range))
        .collect();
    let mut registrations = StatusCounts::default();
    let mut minutes: BTreeMap<ActivityType, Minutes> = BTreeMap::new();
    let mut certificates = Certified::default();
    for f in &by_programme {
        registrations.add(&f.registrations);
        for (activity, m) in &f.minutes {
            minutes.entry(*activity).or_default().add(*m);
        }
        certificates.add(f.certificates);
    }
    let mut minutes_total = Minutes::default();
    for m in minutes.values() {
        minutes_total.add(*m);
    }
    let all = programmes
        .iter()
        .flat_map(|p| p.registrations.iter())
        .filter(|r| range.holds(r.created_on));
    let mut participants = Reach::default();
    let mut by_workplace: BTreeMap<Option<OrganisationId>, Reach> = BTreeMap::new();
    let mut by_job_role: BTreeMap<Option<JobRole>, Reach> = BTreeMap::new();
    for regs in people(all).values() {
        let reach = reach_of(regs.iter().map(|r| r.status));
        let latest = regs.last();
        participants.add(reach);
        by_workplace
            .entry(latest.and_then(|r| r.workplace))
            .or_default()
            .add(reach);
        by_job_role
            .entry(latest.and_then(|r| r.job_role))
            .or_default()
            .add(reach);
    }
    Report {
        participants,
        by_workplace,
        by_job_role,
        registrations,
        minutes,
        minutes_total,
        certificates,
        by_programme,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hour_budget::BudgetLine;
    use RegistrationStatus::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, d).unwrap_or_default()
    }

    fn session(
        d: u32,
        a: ActivityType,
        group: Option<&str>,
        credit: u32,
        delivered: bool,
    ) -> SessionFacts {
        SessionFacts {
            id: SessionId::new(),
            day: day(d),
            minutes: Some(SessionMinutes {
                activity_type: a,
                parallel_group: group.map(str::to_string),
                credit_minutes: credit,
                delivered,
            }),
        }
    }

    fn registration(
        who: AccountId,
        status: RegistrationStatus,
        workplace: Option<OrganisationId>,
        role: Option<JobRole>,
        d: u32,
    ) -> RegistrationFacts {
        RegistrationFacts {
            id: RegistrationId::new(),
            participant: who,
            status,
            workplace,
            job_role: role,
            created_on: day(d),
        }
    }

    fn facts() -> (Vec<ProgrammeFacts>, [AccountId; 3], [OrganisationId; 2]) {
        let people = [AccountId::new(), AccountId::new(), AccountId::new()];
        let schools = [OrganisationId::new(), OrganisationId::new()];
        let budget = |m| {
            HourBudget::parse(&[BudgetLine {
                activity_type: ActivityType::Workshop,
                planned_minutes: m,
            }])
            .unwrap_or_default()
        };
        let a = vec![
            session(13, ActivityType::Workshop, None, 180, true),
            session(14, ActivityType::Workshop, None, 180, false),
        ];
        let b = vec![
            session(15, ActivityType::ThematicSession, Some("pm"), 90, true),
            session(15, ActivityType::ThematicSession, Some("pm"), 60, true),
        ];
        let marks_a = vec![
            MarkFacts {
                session: a[0].id,
                credited_minutes: 180,
            },
            MarkFacts {
                session: a[0].id,
                credited_minutes: 120,
            },
        ];
        let marks_b = vec![MarkFacts {
            session: b[1].id,
            credited_minutes: 60,
        }];
        let programmes = vec![
            ProgrammeFacts {
                programme: ProgrammeId::new(),
                budget: budget(360),
                sessions: a,
                registrations: vec![
                    registration(
                        people[0],
                        Completed,
                        Some(schools[0]),
                        Some(JobRole::Teacher),
                        1,
                    ),
                    registration(
                        people[1],
                        Confirmed,
                        Some(schools[1]),
                        Some(JobRole::InterculturalAssistant),
                        2,
                    ),
                    registration(people[2], Waitlisted, None, None, 3),
                ],
                marks: marks_a,
                certificates: vec![CertificateFacts {
                    issued_on: day(14),
                    revoked: false,
                }],
            },
            ProgrammeFacts {
                programme: ProgrammeId::new(),
                budget: HourBudget::default(),
                sessions: b,
                // Person 0 again, now working at the second school.
                registrations: vec![
                    registration(
                        people[0],
                        Confirmed,
                        Some(schools[1]),
                        Some(JobRole::Teacher),
                        10,
                    ),
                    registration(people[2], Cancelled, None, None, 11),
                ],
                marks: marks_b,
                certificates: vec![CertificateFacts {
                    issued_on: day(15),
                    revoked: true,
                }],
            },
        ];
        (programmes, people, schools)
    }

    #[test]
    fn totals_equal_their_breakdowns() {
        let (programmes, _, schools) = facts();
        let r = report(&programmes, Range::default());
        // Three people, counted once each.
        assert_eq!(
            r.participants,
            Reach {
                registered: 3,
                confirmed: 2,
                completed: 1
            }
        );
        fn sum<K>(m: &BTreeMap<K, Reach>) -> Reach {
            let mut total = Reach::default();
            for v in m.values() {
                total.add(*v);
            }
            total
        }
        assert_eq!(sum(&r.by_workplace), r.participants);
        assert_eq!(sum(&r.by_job_role), r.participants);
        // Person 0's latest registration is at the second school.
        assert_eq!(r.by_workplace[&Some(schools[1])].registered, 2);
        assert_eq!(r.by_workplace.get(&Some(schools[0])), None);
        assert_eq!(r.registrations.total, 5);
        assert_eq!(
            r.registrations.total,
            r.by_programme
                .iter()
                .map(|p| p.registrations.total)
                .sum::<u64>()
        );
        // Workshops: 360 planned, 360 scheduled, 180 delivered, 300 attended; the parallel
        // group counts once by its longest session, attendance per person.
        let w = r.minutes[&ActivityType::Workshop];
        assert_eq!(
            (w.planned, w.scheduled, w.delivered, w.attended),
            (360, 360, 180, 300)
        );
        let t = r.minutes[&ActivityType::ThematicSession];
        assert_eq!(
            (t.planned, t.scheduled, t.delivered, t.attended),
            (0, 90, 90, 60)
        );
        assert_eq!(r.minutes_total.attended, 360);
        assert_eq!(
            r.minutes_total.scheduled,
            r.by_programme
                .iter()
                .map(|p| p.minutes_total.scheduled)
                .sum::<u64>()
        );
        assert_eq!(
            r.certificates,
            Certified {
                issued: 2,
                revoked: 1,
                in_force: 1
            }
        );
    }

    #[test]
    fn a_range_counts_sessions_registrations_and_certificates_by_their_day() {
        let (programmes, _, _) = facts();
        let r = report(
            &programmes,
            Range {
                from: Some(day(13)),
                to: Some(day(13)),
            },
        );
        assert_eq!(r.minutes[&ActivityType::Workshop].scheduled, 180);
        assert_eq!(r.minutes[&ActivityType::Workshop].attended, 300);
        // Outside the range and planned nowhere: no line at all.
        assert!(!r.minutes.contains_key(&ActivityType::ThematicSession));
        assert_eq!(r.registrations.total, 0);
        assert_eq!(r.participants, Reach::default());
        assert_eq!(r.certificates.issued, 0);
        let june = report(
            &programmes,
            Range {
                from: Some(day(1)),
                to: Some(day(10)),
            },
        );
        assert_eq!(june.registrations.total, 4);
        assert_eq!(june.participants.registered, 3);
    }
}
