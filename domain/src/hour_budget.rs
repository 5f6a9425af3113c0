//! Hour budgets: the planned minutes of a programme by activity type, set against the minutes
//! its sessions schedule and deliver.

use std::collections::BTreeMap;

use crate::Invalid;
use crate::vocabulary;

vocabulary!(
    /// What kind of activity a session is; hour budgets are kept per activity type.
    ActivityType {
        Workshop => "workshop",
        Lecture => "lecture",
        Plenary => "plenary",
        ThematicSession => "thematic_session",
        GroupSupervision => "group_supervision",
        IndividualSupervision => "individual_supervision",
        PsychosocialSupport => "psychosocial_support",
        SocialSkillsTraining => "social_skills_training",
        JobShadowing => "job_shadowing",
        StudyVisit => "study_visit",
        Webinar => "webinar",
        Other => "other",
    }
);

/// The largest number of minutes any one figure may hold (about 19 years of training).
pub const MAX_MINUTES: u32 = PlannedMinutes::MAX;

crate::wire::bounded!(
    /// The minutes a budget line plans for its activity type.
    PlannedMinutes(u32): 1..=10_000_000,
    "The minutes planned for the activity type: 1 to 10000000."
);

/// Minutes planned for one activity type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetLine {
    pub activity_type: ActivityType,
    pub planned_minutes: u32,
}

/// A programme's hour budget: at most one line per activity type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HourBudget(BTreeMap<ActivityType, u32>);

impl HourBudget {
    /// Errors carry the index of the offending line.
    pub fn parse(lines: &[BudgetLine]) -> Result<Self, (usize, Invalid)> {
        let mut map = BTreeMap::new();
        for (i, line) in lines.iter().enumerate() {
            if line.planned_minutes == 0 || line.planned_minutes > MAX_MINUTES {
                return Err((
                    i,
                    Invalid::new(format!("planned_minutes must be 1–{MAX_MINUTES}")),
                ));
            }
            if map
                .insert(line.activity_type, line.planned_minutes)
                .is_some()
            {
                return Err((
                    i,
                    Invalid::new(format!(
                        "{} appears twice; give one line per activity type",
                        line.activity_type
                    )),
                ));
            }
        }
        Ok(Self(map))
    }

    pub fn planned(&self, activity: ActivityType) -> Option<u32> {
        self.0.get(&activity).copied()
    }

    pub fn lines(&self) -> impl Iterator<Item = BudgetLine> + '_ {
        self.0.iter().map(|(a, m)| BudgetLine {
            activity_type: *a,
            planned_minutes: *m,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn total_planned(&self) -> u64 {
        self.0.values().map(|m| u64::from(*m)).sum()
    }

    /// This budget with each line raised (never lowered) to cover `tally`.
    pub fn raised_to_cover(&self, tally: &Tally) -> HourBudget {
        let mut lines = self.0.clone();
        for (activity, minutes) in &tally.scheduled {
            let planned = lines.entry(*activity).or_insert(0);
            *planned = (*planned).max(*minutes);
        }
        HourBudget(lines)
    }

    /// Lines whose scheduled minutes exceed what is planned (or that have no line at all).
    pub fn overruns(&self, tally: &Tally) -> Vec<Overrun> {
        tally
            .scheduled
            .iter()
            .filter_map(|(activity, scheduled)| {
                let planned = self.planned(*activity).unwrap_or(0);
                (*scheduled > planned).then_some(Overrun {
                    activity_type: *activity,
                    planned_minutes: planned,
                    scheduled_minutes: *scheduled,
                })
            })
            .collect()
    }
}

/// A budget line that sessions overrun.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overrun {
    pub activity_type: ActivityType,
    pub planned_minutes: u32,
    pub scheduled_minutes: u32,
}

impl Overrun {
    pub fn describe(&self) -> String {
        if self.planned_minutes == 0 {
            format!(
                "the hour budget has no {} line, but sessions schedule {} minutes of it",
                self.activity_type, self.scheduled_minutes
            )
        } else {
            format!(
                "the {} line plans {} minutes, but sessions would schedule {}",
                self.activity_type, self.planned_minutes, self.scheduled_minutes
            )
        }
    }
}

/// What the hour budget needs to know of one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionMinutes {
    pub activity_type: ActivityType,
    /// Sessions in one parallel group are alternatives: a participant attends one of them.
    pub parallel_group: Option<String>,
    pub credit_minutes: u32,
    pub delivered: bool,
}

/// Scheduled and delivered minutes per activity type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub scheduled: BTreeMap<ActivityType, u32>,
    pub delivered: BTreeMap<ActivityType, u32>,
}

impl Tally {
    /// Counts what one participant can be offered: a session alone counts its credit; a
    /// parallel group (thematic sessions at the same hour, individual-supervision slots) counts
    /// once, by its longest credit, since each participant attends only one of its sessions.
    pub fn of(sessions: &[SessionMinutes]) -> Tally {
        let mut groups: BTreeMap<(ActivityType, &str), (u32, u32)> = BTreeMap::new();
        let mut tally = Tally::default();
        for s in sessions {
            let delivered = if s.delivered { s.credit_minutes } else { 0 };
            match s.parallel_group.as_deref() {
                None => {
                    add(&mut tally.scheduled, s.activity_type, s.credit_minutes);
                    add(&mut tally.delivered, s.activity_type, delivered);
                }
                Some(group) => {
                    let entry = groups.entry((s.activity_type, group)).or_default();
                    entry.0 = entry.0.max(s.credit_minutes);
                    entry.1 = entry.1.max(delivered);
                }
            }
        }
        for ((activity, _), (scheduled, delivered)) in groups {
            add(&mut tally.scheduled, activity, scheduled);
            add(&mut tally.delivered, activity, delivered);
        }
        tally
    }

    pub fn scheduled(&self, activity: ActivityType) -> u32 {
        self.scheduled.get(&activity).copied().unwrap_or(0)
    }

    pub fn delivered(&self, activity: ActivityType) -> u32 {
        self.delivered.get(&activity).copied().unwrap_or(0)
    }
}

fn add(map: &mut BTreeMap<ActivityType, u32>, activity: ActivityType, minutes: u32) {
    let entry = map.entry(activity).or_insert(0);
    *entry = entry.saturating_add(minutes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActivityType::*;

    fn session(a: ActivityType, group: Option<&str>, minutes: u32) -> SessionMinutes {
        SessionMinutes {
            activity_type: a,
            parallel_group: group.map(str::to_string),
            credit_minutes: minutes,
            delivered: false,
        }
    }

    fn budget(lines: &[(ActivityType, u32)]) -> Result<HourBudget, (usize, Invalid)> {
        HourBudget::parse(
            &lines
                .iter()
                .map(|(a, m)| BudgetLine {
                    activity_type: *a,
                    planned_minutes: *m,
                })
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn one_line_per_activity_and_positive_minutes() {
        assert_eq!(
            budget(&[(Workshop, 60), (Workshop, 30)]).err().map(|e| e.0),
            Some(1)
        );
        assert_eq!(budget(&[(Workshop, 0)]).err().map(|e| e.0), Some(0));
        assert!(budget(&[(Workshop, 60), (Lecture, 30)]).is_ok());
    }

    #[test]
    fn parallel_groups_count_once_by_their_longest_session() {
        let tally = Tally::of(&[
            session(Plenary, None, 90),
            session(ThematicSession, Some("day1-pm"), 90),
            session(ThematicSession, Some("day1-pm"), 90),
            session(ThematicSession, Some("day1-pm"), 60),
            session(ThematicSession, None, 45),
            session(IndividualSupervision, Some("slots"), 60),
            session(IndividualSupervision, Some("slots"), 60),
        ]);
        assert_eq!(tally.scheduled(Plenary), 90);
        assert_eq!(tally.scheduled(ThematicSession), 135);
        assert_eq!(tally.scheduled(IndividualSupervision), 60);
        assert_eq!(tally.delivered(Plenary), 0);
    }

    #[test]
    fn overruns_name_the_line_and_raising_covers_them() -> Result<(), (usize, Invalid)> {
        let plan = budget(&[(Workshop, 120)])?;
        let tally = Tally::of(&[
            session(Workshop, None, 90),
            session(Workshop, None, 60),
            session(Lecture, None, 45),
        ]);
        let overruns = plan.overruns(&tally);
        assert_eq!(
            overruns,
            vec![
                Overrun {
                    activity_type: Workshop,
                    planned_minutes: 120,
                    scheduled_minutes: 150
                },
                Overrun {
                    activity_type: Lecture,
                    planned_minutes: 0,
                    scheduled_minutes: 45
                },
            ]
        );
        assert!(overruns[0].describe().contains("workshop"));
        let raised = plan.raised_to_cover(&tally);
        assert!(raised.overruns(&tally).is_empty());
        assert_eq!(raised.planned(Workshop), Some(150));
        // Raising never lowers a line that has room to spare.
        let roomy = budget(&[(Workshop, 600)])?.raised_to_cover(&tally);
        assert_eq!(roomy.planned(Workshop), Some(600));
        Ok(())
    }
}
