//! What /proc says: a process's memory and CPU, PostgreSQL's CPU, the machine's CPU.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Clock ticks per second of the `/proc/*/stat` times (`getconf CLK_TCK`, 100 on Linux).
pub fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|t| *t > 0.0)
        .unwrap_or(100.0)
}

/// A `kB` field of /proc/<pid>/status (VmRSS, VmHWM), in kB.
pub fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// Resets the process's peak RSS (VmHWM) to its current RSS; false if the kernel refused.
pub fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

/// (comm, utime + stime, cutime + cstime) of one process, in ticks.
fn stat(path: &str) -> Option<(String, u64, u64)> {
    let text = std::fs::read_to_string(path).ok()?;
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text.get(open + 1..close)?.to_string();
    // After ") ": state is field 3; utime, stime, cutime, cstime are fields 14–17.
    let rest: Vec<&str> = text.get(close + 2..)?.split_whitespace().collect();
    let field = |n: usize| rest.get(n - 3).and_then(|v| v.parse::<u64>().ok());
    Some((comm, field(14)? + field(15)?, field(16)? + field(17)?))
}

/// Every process: pid → (comm, own ticks, reaped children's ticks).
fn processes() -> BTreeMap<u32, (String, u64, u64)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return BTreeMap::new();
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_string_lossy().parse::<u32>().ok())
        .filter_map(|pid| stat(&format!("/proc/{pid}/stat")).map(|p| (pid, p)))
        .collect()
}

/// (busy, total) ticks of all CPUs, from the first line of /proc/stat.
pub fn machine_ticks() -> (u64, u64) {
    let Ok(text) = std::fs::read_to_string("/proc/stat") else {
        return (0, 0);
    };
    let Some(line) = text.lines().next() else {
        return (0, 0);
    };
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|x| x.parse().ok())
        .collect();
    if v.len() < 8 {
        return (0, 0);
    }
    // user nice system idle iowait irq softirq steal
    let busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    (busy, busy + v[3] + v[4])
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A snapshot of every CPU counter, to subtract.
#[derive(Debug, Clone)]
pub struct CpuMark {
    server: Option<u32>,
    processes: BTreeMap<u32, (String, u64, u64)>,
    busy: u64,
    total: u64,
    at: std::time::Instant,
}

impl CpuMark {
    pub fn now(server: Option<u32>) -> CpuMark {
        let (busy, total) = machine_ticks();
        CpuMark {
            server,
            processes: processes(),
            busy,
            total,
            at: std::time::Instant::now(),
        }
    }
}

/// CPU seconds spent between two marks.
#[derive(Debug, Clone, Default)]
pub struct CpuUse {
    pub wall: f64,
    pub server: f64,
    /// Every `postgres` process, backends that exited included (the postmaster reaped them
    /// into its children's times); other databases' work too.
    pub postgres: f64,
    pub client: f64,
    /// Everything else busy on the machine (pgbench itself, other processes, the kernel's
    /// network softirqs).
    pub other: f64,
    /// The biggest of those others, by command name.
    pub others: Vec<(String, f64)>,
    /// Busy share of all cores, 0–1.
    pub utilisation: f64,
}

impl CpuUse {
    pub fn between(a: &CpuMark, b: &CpuMark, ticks: f64) -> CpuUse {
        let own = std::process::id();
        let window_ticks =
            (b.at.duration_since(a.at).as_secs_f64() * ticks * cores() as f64) as u64;
        let mut by_comm: BTreeMap<String, u64> = BTreeMap::new();
        let (mut server, mut postgres, mut client) = (0, 0, 0);
        for (pid, (comm, own_t, children_t)) in &b.processes {
            // By pid alone: kernel workers rename themselves as they go.
            let (own_0, children_0) = a.processes.get(pid).map_or((0, 0), |(_, o, c)| (*o, *c));
            let own_delta = own_t.saturating_sub(own_0);
            let children_delta = children_t.saturating_sub(children_0);
            if Some(*pid) == b.server {
                server += own_delta + children_delta;
            } else if *pid == own {
                // This process's children are pgbench and psql.
                client += own_delta;
                if children_delta > 0 {
                    *by_comm.entry("pgbench/psql".into()).or_default() += children_delta;
                }
            } else if comm == "postgres" {
                postgres += own_delta + children_delta;
            } else {
                // A parent that reaps a long-lived child (a shell, cargo) is credited with the
                // child's whole life: count at most the window's worth of it.
                let foreign = own_delta + children_delta.min(window_ticks);
                if foreign > 0 {
                    *by_comm.entry(comm.clone()).or_default() += foreign;
                }
            }
        }
        let secs = |n: u64| n as f64 / ticks;
        let busy = secs(b.busy.saturating_sub(a.busy));
        let total = secs(b.total.saturating_sub(a.total));
        let (server, postgres, client) = (secs(server), secs(postgres), secs(client));
        let mut others: Vec<(String, f64)> =
            by_comm.into_iter().map(|(c, t)| (c, secs(t))).collect();
        others.sort_by(|x, y| y.1.total_cmp(&x.1));
        others.truncate(4);
        CpuUse {
            wall: b.at.duration_since(a.at).as_secs_f64(),
            server,
            postgres,
            client,
            other: (busy - server - postgres - client).max(0.0),
            others,
            utilisation: if total > 0.0 { busy / total } else { 0.0 },
        }
    }

    pub fn describe(&self, per: usize) -> String {
        let per = per.max(1) as f64;
        let mut others: Vec<String> = self
            .others
            .iter()
            .filter(|(_, t)| *t >= 0.05)
            .map(|(c, t)| format!("{c} {t:.1}"))
            .collect();
        others.push("kernel…".into());
        format!(
            "CPU s in {:.1} s wall (ms per transaction): server {:.1} ({:.2}), postgres {:.1} ({:.2}), load client {:.1} ({:.2}), other {:.1} [{}]; machine {:.0}% busy of {} cores",
            self.wall,
            self.server,
            self.server * 1000.0 / per,
            self.postgres,
            self.postgres * 1000.0 / per,
            self.client,
            self.client * 1000.0 / per,
            self.other,
            others.join(", "),
            self.utilisation * 100.0,
            cores()
        )
    }
}

/// Samples a process's RSS every 20 ms in a thread of its own, keeping the maximum.
pub struct RssSampler {
    peak_kb: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl RssSampler {
    pub fn start(pid: u32) -> RssSampler {
        let peak_kb = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (peak_kb.clone(), stop.clone());
        let handle = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                if let Some(kb) = status_kb(pid, "VmRSS") {
                    p.fetch_max(kb, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        RssSampler {
            peak_kb,
            stop,
            handle: Some(handle),
        }
    }

    /// The highest RSS seen since the last call, in kB; starts afresh.
    pub fn take(&self) -> u64 {
        self.peak_kb.swap(0, Ordering::Relaxed)
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
