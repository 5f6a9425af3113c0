//! A participant's progress: minutes planned, offered and attended per activity type, and
//! whether the programme's completion rule is met.

use std::collections::{BTreeMap, BTreeSet};

use crate::attendance::Mark;
use crate::certificate::CertificateIssuance;
use crate::hour_budget::{ActivityType, HourBudget};
use crate::programme::CompletionRule;
use crate::registration::RegistrationStatus;

/// A session offered to one participant, with their attendance if it has been recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedSession {
    pub activity_type: ActivityType,
    /// Alternatives (parallel thematic sessions, supervision slots) count once.
    pub parallel_group: Option<String>,
    pub credit_minutes: u32,
    pub mark: Option<Mark>,
}

/// Minutes of one activity type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressLine {
    pub activity_type: ActivityType,
    /// From the hour budget.
    pub planned_minutes: u32,
    /// What the sessions open to this participant count for.
    pub offered_minutes: u32,
    /// What the participant attended, each session credited at most its `credit_minutes`.
    pub attended_minutes: u32,
}

/// What the completion rule still asks for: overall (`activity_type` `None`) or per type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortfall {
    pub activity_type: Option<ActivityType>,
    pub required_percent: u8,
    pub required_minutes: u32,
    pub attended_minutes: u32,
    pub missing_minutes: u32,
}

/// Whether the rule is met, and if not, every shortfall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub met: bool,
    pub shortfalls: Vec<Shortfall>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub lines: Vec<ProgressLine>,
    pub planned_minutes: u64,
    pub offered_minutes: u64,
    pub attended_minutes: u64,
    pub completion: Completion,
}

/// What follows from a participant's progress: the status their registration takes, and
/// whether a certificate is to be issued now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settlement {
    pub status: RegistrationStatus,
    pub issue_certificate: bool,
}

/// Decides completion after attendance changed.
///
/// A confirmed registration that meets the rule becomes `completed` at once; a completed one
/// goes back to `confirmed` when a correction means the rule is no longer met, unless a
/// certificate is already in force (an organiser revokes it first). With automatic issuance the
/// certificate follows once every session open to the participant has had its attendance
/// recorded (`all_recorded`), so it certifies their final hours, not those of the day the rule
/// was first met.
pub fn settle(
    status: RegistrationStatus,
    met: bool,
    certified: bool,
    all_recorded: bool,
    issuance: CertificateIssuance,
) -> Settlement {
    let status = match (status, met, certified) {
        (RegistrationStatus::Confirmed, true, _) => RegistrationStatus::Completed,
        (RegistrationStatus::Completed, false, false) => RegistrationStatus::Confirmed,
        (other, _, _) => other,
    };
    Settlement {
        status,
        issue_certificate: status == RegistrationStatus::Completed
            && !certified
            && all_recorded
            && issuance == CertificateIssuance::Automatic,
    }
}

/// `percent` of `minutes`, rounded up: 80% of 2 400 is 1 920; 80% of 45 is 36.
pub fn share_of(minutes: u64, percent: u8) -> u32 {
    let required = (minutes * u64::from(percent)).div_ceil(100);
    u32::try_from(required).unwrap_or(u32::MAX)
}

impl CompletionRule {
    /// Checks attended minutes (per activity type) against the planned ones.
    pub fn evaluate(
        &self,
        budget: &HourBudget,
        attended: &BTreeMap<ActivityType, u32>,
    ) -> Completion {
        let attended_of = |a: ActivityType| attended.get(&a).copied().unwrap_or(0);
        let mut shortfalls = Vec::new();
        let total: u64 = attended.values().map(|m| u64::from(*m)).sum();
        let required = share_of(budget.total_planned(), self.min_attended_percent);
        if total < u64::from(required) {
            let total = u32::try_from(total).unwrap_or(u32::MAX);
            shortfalls.push(Shortfall {
                activity_type: None,
                required_percent: self.min_attended_percent,
                required_minutes: required,
                attended_minutes: total,
                missing_minutes: required - total,
            });
        }
        for (activity, percent) in &self.per_activity_type {
            let planned = budget.planned(*activity).unwrap_or(0);
            let required = share_of(u64::from(planned), *percent);
            let got = attended_of(*activity);
            if got < required {
                shortfalls.push(Shortfall {
                    activity_type: Some(*activity),
                    required_percent: *percent,
                    required_minutes: required,
                    attended_minutes: got,
                    missing_minutes: required - got,
                });
            }
        }
        Completion {
            met: shortfalls.is_empty(),
            shortfalls,
        }
    }
}

/// Adds `minutes` to an activity's figure.
fn add(map: &mut BTreeMap<ActivityType, u32>, activity: ActivityType, minutes: u32) {
    let entry = map.entry(activity).or_insert(0);
    *entry = entry.saturating_add(minutes);
}

/// A participant's progress through a programme.
///
/// A parallel group counts once, as the hour budget counts it: offered by its longest
/// session, attended by the best of the participant's marks in it.
pub fn progress(
    budget: &HourBudget,
    rule: &CompletionRule,
    sessions: &[OfferedSession],
) -> Progress {
    let mut offered = BTreeMap::new();
    let mut attended = BTreeMap::new();
    let mut groups: BTreeMap<(ActivityType, &str), (u32, u32)> = BTreeMap::new();
    for s in sessions {
        let credited = s.mark.map_or(0, |m| m.credited(s.credit_minutes));
        match s.parallel_group.as_deref() {
            None => {
                add(&mut offered, s.activity_type, s.credit_minutes);
                add(&mut attended, s.activity_type, credited);
            }
            Some(group) => {
                let entry = groups.entry((s.activity_type, group)).or_default();
                entry.0 = entry.0.max(s.credit_minutes);
                entry.1 = entry.1.max(credited);
            }
        }
    }
    for ((activity, _), (o, a)) in groups {
        add(&mut offered, activity, o);
        add(&mut attended, activity, a);
    }
    let activities: BTreeSet<ActivityType> = budget
        .lines()
        .map(|l| l.activity_type)
        .chain(offered.keys().copied())
        .chain(attended.keys().copied())
        .collect();
    let lines: Vec<ProgressLine> = activities
        .into_iter()
        .map(|a| ProgressLine {
            activity_type: a,
            planned_minutes: budget.planned(a).unwrap_or(0),
            offered_minutes: offered.get(&a).copied().unwrap_or(0),
            attended_minutes: attended.get(&a).copied().unwrap_or(0),
        })
        .collect();
    let sum = |f: fn(&ProgressLine) -> u32| lines.iter().map(|l| u64::from(f(l))).sum();
    Progress {
        planned_minutes: sum(|l| l.planned_minutes),
        offered_minutes: sum(|l| l.offered_minutes),
        attended_minutes: sum(|l| l.attended_minutes),
        completion: rule.evaluate(budget, &attended),
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attendance::AttendanceStatus;
    use crate::hour_budget::BudgetLine;
    use ActivityType::*;

    fn budget(lines: &[(ActivityType, u32)]) -> HourBudget {
        HourBudget::parse(
            &lines
                .iter()
                .map(|(a, m)| BudgetLine {
                    activity_type: *a,
                    planned_minutes: *m,
                })
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default()
    }

    fn offered(
        a: ActivityType,
        group: Option<&str>,
        credit: u32,
        attended: Option<u32>,
    ) -> OfferedSession {
        OfferedSession {
            activity_type: a,
            parallel_group: group.map(str::to_string),
            credit_minutes: credit,
            mark: attended.map(|m| Mark {
                status: if m > 0 {
                    AttendanceStatus::Present
                } else {
                    AttendanceStatus::Absent
                },
                attended_minutes: m,
            }),
        }
    }

    fn rule(min: u8, per: &[(ActivityType, u8)]) -> CompletionRule {
        CompletionRule {
            min_attended_percent: min,
            per_activity_type: per.iter().copied().collect(),
        }
    }

    #[test]
    fn completion_follows_the_rule_and_certificates_wait_for_the_last_register() {
        use CertificateIssuance::*;
        use RegistrationStatus::*;
        let s = |status, met, certified, all, issuance| {
            let r = settle(status, met, certified, all, issuance);
            (r.status, r.issue_certificate)
        };
        assert_eq!(
            s(Confirmed, true, false, false, Automatic),
            (Completed, false)
        );
        assert_eq!(
            s(Confirmed, true, false, true, Automatic),
            (Completed, true)
        );
        assert_eq!(
            s(Completed, true, false, true, Automatic),
            (Completed, true)
        );
        assert_eq!(
            s(Completed, true, true, true, Automatic),
            (Completed, false)
        );
        assert_eq!(s(Confirmed, true, false, true, Manual), (Completed, false));
        assert_eq!(
            s(Confirmed, false, false, true, Automatic),
            (Confirmed, false)
        );
        // A correction below the rule undoes completion, unless a certificate stands.
        assert_eq!(
            s(Completed, false, false, true, Automatic),
            (Confirmed, false)
        );
        assert_eq!(
            s(Completed, false, true, true, Automatic),
            (Completed, false)
        );
        // Registrations that hold no place are left alone.
        assert_eq!(
            s(Cancelled, true, false, true, Automatic),
            (Cancelled, false)
        );
        assert_eq!(
            s(Waitlisted, true, false, true, Automatic),
            (Waitlisted, false)
        );
    }

    #[test]
    fn shares_round_up() {
        assert_eq!(share_of(2400, 80), 1920);
        assert_eq!(share_of(45, 80), 36);
        assert_eq!(share_of(1, 1), 1);
        assert_eq!(share_of(0, 80), 0);
    }

    #[test]
    fn eighty_percent_of_forty_hours() {
        let plan = budget(&[(Workshop, 1800), (GroupSupervision, 600)]);
        // Five workshops of 360 minutes and two supervisions of 300.
        let mut sessions: Vec<_> = (0..5)
            .map(|_| offered(Workshop, None, 360, Some(360)))
            .collect();
        sessions.push(offered(GroupSupervision, None, 300, Some(300)));
        sessions.push(offered(GroupSupervision, None, 300, Some(0)));
        let p = progress(&plan, &rule(80, &[]), &sessions);
        assert_eq!(p.planned_minutes, 2400);
        assert_eq!(p.offered_minutes, 2400);
        assert_eq!(p.attended_minutes, 2100);
        assert!(p.completion.met);

        // Missing two workshops: 1 380 of the 1 920 required.
        sessions[0] = offered(Workshop, None, 360, Some(0));
        sessions[1] = offered(Workshop, None, 360, None);
        let p = progress(&plan, &rule(80, &[]), &sessions);
        assert_eq!(p.attended_minutes, 1380);
        assert_eq!(
            p.completion.shortfalls,
            vec![Shortfall {
                activity_type: None,
                required_percent: 80,
                required_minutes: 1920,
                attended_minutes: 1380,
                missing_minutes: 540
            }]
        );
    }

    #[test]
    fn per_activity_shares_are_checked_too() {
        let plan = budget(&[(Workshop, 600), (GroupSupervision, 300)]);
        let sessions = vec![
            offered(Workshop, None, 600, Some(600)),
            offered(GroupSupervision, None, 150, Some(150)),
            offered(GroupSupervision, None, 150, Some(0)),
        ];
        let p = progress(&plan, &rule(80, &[(GroupSupervision, 100)]), &sessions);
        assert!(!p.completion.met);
        assert_eq!(p.completion.shortfalls.len(), 1);
        assert_eq!(
            p.completion.shortfalls[0].activity_type,
            Some(GroupSupervision)
        );
        assert_eq!(p.completion.shortfalls[0].missing_minutes, 150);
    }

    #[test]
    fn parallel_groups_count_once_and_attendance_is_capped_at_credit() {
        let plan = budget(&[(ThematicSession, 90), (Plenary, 60)]);
        let sessions = vec![
            offered(ThematicSession, Some("day1"), 90, Some(0)),
            offered(ThematicSession, Some("day1"), 90, Some(90)),
            offered(Plenary, None, 60, Some(60)),
        ];
        let p = progress(&plan, &rule(100, &[]), &sessions);
        assert_eq!(p.offered_minutes, 150);
        assert_eq!(p.attended_minutes, 150);
        assert!(p.completion.met);
        // Attending longer than the credit counts the credit only.
        let capped = progress(
            &plan,
            &rule(100, &[]),
            &[OfferedSession {
                mark: Some(Mark {
                    status: AttendanceStatus::Present,
                    attended_minutes: 120,
                }),
                ..offered(Plenary, None, 60, None)
            }],
        );
        assert_eq!(capped.attended_minutes, 60);
    }
}
