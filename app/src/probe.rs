//! Race probes: a test build can switch one guard off and widen the window right after the
//! check it protects, so that each race test comes with a twin that must see the race (as
//! pretix's do). Without the `race-probes` feature nothing can set one, and every guard holds.

use std::time::Duration;

/// A guard a race test can switch off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// The programme row lock every registration decision (places, waiting list, priority
    /// group, seat caps, reservation release) is taken under.
    ProgrammeLock,
    /// The schedule locks a session takes on each of its trainers and its venue before it
    /// looks for overlapping sessions in any programme.
    Schedule,
    /// The organisation row lock a roster replacement reads the roster under.
    RosterLock,
}

impl Guard {
    pub fn parse(name: &str) -> Option<Guard> {
        match name {
            "programme-lock" => Some(Guard::ProgrammeLock),
            "schedule" => Some(Guard::Schedule),
            "roster-lock" => Some(Guard::RosterLock),
            _ => None,
        }
    }
}

/// One probe: at `guard`'s check, pause for `pause`; with `guard_on` false, skip the guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RaceProbe {
    pub guard: Guard,
    pub guard_on: bool,
    pub pause: Duration,
}

impl RaceProbe {
    /// `programme-lock:off:200`: the guard, `on` or `off`, and the pause in milliseconds.
    pub fn parse(raw: &str) -> Result<RaceProbe, String> {
        let mut parts = raw.split(':');
        let guard = parts
            .next()
            .and_then(Guard::parse)
            .ok_or("must start with programme-lock, schedule or roster-lock")?;
        let guard_on = match parts.next() {
            Some("on") => true,
            Some("off") => false,
            _ => {
                return Err(
                    "must name on or off after the guard, e.g. programme-lock:off:200".into(),
                );
            }
        };
        let pause = parts
            .next()
            .and_then(|ms| ms.parse::<u64>().ok())
            .filter(|ms| *ms <= 10_000)
            .ok_or("must end with a pause of 0 to 10000 milliseconds")?;
        if parts.next().is_some() {
            return Err("has more than three parts".into());
        }
        Ok(RaceProbe {
            guard,
            guard_on,
            pause: Duration::from_millis(pause),
        })
    }
}

impl crate::App {
    /// Whether `guard` holds: always, unless a race probe switched it off.
    pub(crate) fn guarded(&self, guard: Guard) -> bool {
        match self.config().race_probe {
            Some(p) if p.guard == guard => p.guard_on,
            _ => true,
        }
    }

    /// Right after `guard`'s check, before the write it allows: a probe's pause, else nothing.
    pub(crate) async fn after_check(&self, guard: Guard) {
        if let Some(p) = self.config().race_probe
            && p.guard == guard
            && !p.pause.is_zero()
        {
            tokio::time::sleep(p.pause).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_name_a_guard_a_state_and_a_pause() {
        assert_eq!(
            RaceProbe::parse("programme-lock:off:200"),
            Ok(RaceProbe {
                guard: Guard::ProgrammeLock,
                guard_on: false,
                pause: Duration::from_millis(200)
            })
        );
        assert!(RaceProbe::parse("schedule:on:0").is_ok());
        assert!(RaceProbe::parse("roster-lock:off:300").is_ok());
        for bad in [
            "",
            "lock:off:1",
            "schedule:maybe:1",
            "schedule:on:x",
            "schedule:on:1:2",
        ] {
            assert!(RaceProbe::parse(bad).is_err(), "{bad}");
        }
    }
}
