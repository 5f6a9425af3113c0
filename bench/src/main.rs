//! `registration-load`: registers N participants with C concurrent clients against one
//! programme (the hot case) and against many (the spread case), on PostgreSQL, through the
//! release server; checks that nothing was overbooked; and runs pgbench's equivalent bare
//! transaction on the same PostgreSQL for the ratio. See bench/README.md.

mod api;
mod cli;
mod load;
mod pg;
mod replay;
mod server;
mod statements;
mod sys;
mod verify;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::cli::Config;
use crate::load::{Job, Phase};
use crate::server::{ADMIN_EMAIL, Server};
use crate::sys::{CpuMark, CpuUse, RssSampler};

/// Targets of the issue: API registrations/s over pgbench TPS.
const HOT_TARGET: f64 = 0.6;
const SPREAD_TARGET: f64 = 0.5;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("registration-load: the checks FAILED (see above)");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("registration-load: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// splitmix64: a fixed, seedable choice of programme per participant.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Places in spread programme `i`: 50–100 % of the average demand, so most get a waiting list.
fn spread_capacity(participants: usize, programmes: usize, i: usize) -> usize {
    let average = (participants / programmes).max(1);
    (average * (50 + (i * 37) % 51) / 100).max(1)
}

fn mib(kb: u64) -> String {
    format!("{:.1} MiB", kb as f64 / 1024.0)
}

struct Measured {
    phase: Phase,
    cpu: CpuUse,
    peak_rss_kb: u64,
    peak_exact: bool,
    /// What else ran meanwhile (other processes' CPU, checkpoints, other databases).
    notes: Vec<String>,
}

impl Measured {
    fn registered(&self) -> usize {
        self.phase
            .outcomes
            .iter()
            .filter(|o| o.registered.is_some())
            .count()
    }

    fn rate(&self) -> f64 {
        self.registered() as f64 / self.phase.wall.as_secs_f64().max(1e-9)
    }
}

struct Ctx<'a> {
    config: &'a Config,
    client: reqwest::Client,
    base: String,
    pid: u32,
    sampler: &'a RssSampler,
    ticks: f64,
    admin_url: String,
    database: String,
}

impl Ctx<'_> {
    async fn timed(
        &self,
        programmes: &[String],
        tokens: &[String],
        jobs: Vec<Job>,
    ) -> anyhow::Result<Measured> {
        let exact = sys::reset_peak(self.pid);
        self.sampler.take();
        let pg_before = pg::activity(&self.admin_url, &self.database);
        let before = CpuMark::now(Some(self.pid));
        let phase = load::run(
            &self.client,
            &self.base,
            programmes,
            tokens,
            jobs,
            self.config.clients,
        )
        .await?;
        let after = CpuMark::now(Some(self.pid));
        let pg_after = pg::activity(&self.admin_url, &self.database);
        let hwm = if exact {
            sys::status_kb(self.pid, "VmHWM").unwrap_or(0)
        } else {
            0
        };
        let cpu = CpuUse::between(&before, &after, self.ticks);
        Ok(Measured {
            notes: notes(&cpu, &pg_before, &pg_after),
            cpu,
            peak_rss_kb: hwm.max(self.sampler.take()),
            peak_exact: exact,
            phase,
        })
    }
}

fn notes(cpu: &CpuUse, before: &pg::Activity, after: &pg::Activity) -> Vec<String> {
    interference(cpu)
        .into_iter()
        .chain(pg::disturbance(before, after))
        .collect()
}

fn report(name: &str, what: &str, m: &Measured) {
    let ok = m.registered();
    let confirmed = m
        .phase
        .outcomes
        .iter()
        .filter(|o| o.registered.as_ref().is_some_and(|r| r.confirmed))
        .count();
    let l = load::latencies(&m.phase.outcomes);
    println!("\n== {name} case: {what}");
    println!(
        "  {ok} of {} registered ({confirmed} confirmed, {} waitlisted) in {:.2} s: {:.1} registrations/s",
        m.phase.outcomes.len(),
        ok - confirmed,
        m.phase.wall.as_secs_f64(),
        m.rate()
    );
    println!(
        "  latency ms (each registration, retries included): p50 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1}  mean {:.1}",
        l.p50, l.p95, l.p99, l.max, l.mean
    );
    let answers: Vec<String> = m
        .phase
        .attempts
        .iter()
        .map(|(k, v)| format!("{k} × {v}"))
        .collect();
    println!(
        "  answers: {} (a 503 is waited out for its Retry-After and retried)",
        answers.join(", ")
    );
    for s in &m.phase.samples {
        println!("  unexpected: {s}");
    }
    println!(
        "  server peak RSS during the phase: {}{}",
        mib(m.peak_rss_kb),
        if m.peak_exact {
            " (VmHWM, reset at the start)"
        } else {
            " (sampled VmRSS every 20 ms)"
        }
    );
    println!("  {}", m.cpu.describe(ok));
    if !m.notes.is_empty() {
        println!("  INTERFERENCE: {}", m.notes.join("; "));
    }
}

async fn check(
    api: &api::Api,
    organiser: &str,
    programmes: &[(String, usize)],
    jobs: &[Job],
    m: &Measured,
) -> anyhow::Result<(verify::Tally, Vec<String>)> {
    let mut by_programme: Vec<Vec<&load::Registered>> = vec![Vec::new(); programmes.len()];
    for o in &m.phase.outcomes {
        if let (Some(r), Some(job)) = (&o.registered, jobs.get(o.job))
            && let Some(list) = by_programme.get_mut(job.programme)
        {
            list.push(r);
        }
    }
    let mut total = verify::Tally::default();
    let mut problems = Vec::new();
    for ((id, capacity), answers) in programmes.iter().zip(&by_programme) {
        let (t, p) = verify::programme(api, organiser, id, *capacity, answers).await?;
        total.programmes += t.programmes;
        total.confirmed += t.confirmed;
        total.waiting += t.waiting;
        problems.extend(p);
    }
    Ok((total, problems))
}

fn print_check(name: &str, tally: verify::Tally, problems: &[String], capacity: usize) {
    if problems.is_empty() {
        println!(
            "  check ({name}): {} programme(s), {} confirmed ≤ {capacity} places, {} waiting at positions exactly 1..k in order of arrival; counters agree: zero overbooking",
            tally.programmes, tally.confirmed, tally.waiting
        );
    } else {
        println!("  check ({name}) FAILED:");
        for p in problems.iter().take(20) {
            println!("    {p}");
        }
    }
}

struct Baseline {
    result: pg::PgbenchResult,
    cpu: CpuUse,
    notes: Vec<String>,
}

fn baseline(
    config: &Config,
    url: &str,
    (admin_url, database): (&str, &str),
    programmes: usize,
    capacity: usize,
    ticks: f64,
) -> anyhow::Result<Baseline> {
    let pg_before = pg::activity(admin_url, database);
    let before = CpuMark::now(None);
    let result = pg::bare(
        url,
        programmes,
        capacity,
        config.clients,
        config.pgbench_threads,
        config.pgbench_seconds,
    )?;
    let after = CpuMark::now(None);
    let pg_after = pg::activity(admin_url, database);
    let cpu = CpuUse::between(&before, &after, ticks);
    Ok(Baseline {
        result,
        notes: notes(&cpu, &pg_before, &pg_after),
        cpu,
    })
}

fn report_baseline(name: &str, rows: usize, config: &Config, b: &Baseline) {
    println!(
        "  pgbench {name}: {} clients, {} s, {rows} row(s): {:.1} TPS ({} transactions, {} failed, latency average {:.2} ms)",
        config.clients,
        config.pgbench_seconds,
        b.result.tps,
        b.result.transactions,
        b.result.failed,
        b.result.latency_ms.unwrap_or(0.0)
    );
    println!(
        "    {}",
        b.cpu
            .describe(usize::try_from(b.result.transactions).unwrap_or(usize::MAX))
    );
    if !b.notes.is_empty() {
        println!("    INTERFERENCE: {}", b.notes.join("; "));
    }
}

/// Other processes' CPU during a phase when it exceeds 5 % of the machine: the figures of that
/// phase are not to be trusted.
fn interference(cpu: &CpuUse) -> Option<String> {
    let ours = |c: &str| {
        c == "pgbench/psql"
            || [
                "kworker",
                "kdamond",
                "ksoftirqd",
                "rcu_",
                "migration",
                "kswapd",
                "jbd2",
            ]
            .iter()
            .any(|k| c.starts_with(k))
    };
    let foreign: Vec<&(String, f64)> = cpu.others.iter().filter(|(c, _)| !ours(c)).collect();
    let total: f64 = foreign.iter().map(|(_, t)| t).sum();
    (total > 0.05 * sys::cores() as f64 * cpu.wall).then(|| {
        foreign
            .iter()
            .map(|(c, t)| format!("{c} {t:.1} s"))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

struct Round {
    hot: Measured,
    spread: Measured,
    pg_hot: Option<Baseline>,
    pg_spread: Option<Baseline>,
}

/// The programmes of one round: the hot one, and the spread ones with their capacities.
struct Targets {
    hot: String,
    spread: Vec<(String, usize)>,
}

async fn run() -> anyhow::Result<bool> {
    let Some(config) = cli::parse(std::env::args().skip(1))? else {
        print!("{}", cli::USAGE);
        return Ok(true);
    };
    let ticks = sys::clock_ticks();
    let n = config.participants;
    let m_count = config.programmes;
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let admin_url = format!("{}/postgres", config.postgres);
    let version = pg::psql(&admin_url, "SHOW server_version")?;
    println!(
        "registration-load {}  ({} cores, load average {})",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        sys::cores(),
        loadavg
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "N {n} participants, C {} clients, hot capacity {}, {m_count} spread programmes, {} round(s), pool {}, workers {}, pgbench {} s, PostgreSQL {version}, server {}",
        config.clients,
        config.hot_capacity,
        config.rounds,
        config.pool_size,
        if config.workers == 0 {
            format!("default ({})", sys::cores())
        } else {
            config.workers.to_string()
        },
        config.pgbench_seconds,
        config.server.display()
    );

    let mut db = pg::BenchDatabase::create(&config.postgres, config.keep_database)?;
    println!("database {}", db.name);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(config.clients * 2)
        .timeout(Duration::from_secs(120))
        .build()?;
    let mut server = Server::new(&config, &db.url())?;
    server.create_admin()?;
    server.start(&client).await?;
    let pid = server.pid().context("the server has no pid")?;
    let sampler = RssSampler::start(pid);
    let api = api::Api {
        client: client.clone(),
        base: server.base.clone(),
    };

    // Untimed setup: every round's programmes, and the participants (who register once per
    // programme, so the same people serve every round).
    let setup = Instant::now();
    let admin = api.sign_in(ADMIN_EMAIL).await?;
    let organisation = api.organisation(&admin).await?;
    let organiser_email = "bench-organiser@example.org";
    api.signup(organiser_email).await?;
    api.grant(&admin, &organisation, organiser_email, "organiser")
        .await?;
    let organiser = api.sign_in(organiser_email).await?;
    let mut targets = Vec::with_capacity(config.rounds);
    for r in 0..config.rounds {
        let hot = api
            .open_programme(
                &organiser,
                &organisation,
                &format!("Hot {r}"),
                config.hot_capacity,
            )
            .await?;
        let mut spread = Vec::with_capacity(m_count);
        for i in 0..m_count {
            let capacity = spread_capacity(n, m_count, i);
            let id = api
                .open_programme(
                    &organiser,
                    &organisation,
                    &format!("Spread {r}.{i}"),
                    capacity,
                )
                .await?;
            spread.push((id, capacity));
        }
        targets.push(Targets { hot, spread });
    }
    let sample = if config.statement_log.is_some() {
        config.statement_sample
    } else {
        0
    };
    let emails: Vec<String> = (0..n + sample)
        .map(|i| format!("participant-{i}@bench.example.org"))
        .collect();
    let tokens = api.signups(emails, config.signup_concurrency).await?;
    let setup_peak = sys::status_kb(pid, "VmHWM").unwrap_or(0);
    drop(sampler);
    println!(
        "setup (untimed): {} sign-ups, {} programmes in {:.1} s; server peak RSS {} (argon2 at 19 MiB a hash)",
        n + sample + 1,
        config.rounds * (m_count + 1),
        setup.elapsed().as_secs_f64(),
        mib(setup_peak)
    );
    // A fresh server process for the timed part, so that its memory is the registrations'
    // alone (the allocator keeps what the sign-ups' hashing took). Tokens survive: the signing
    // secret is in the data directory and the sessions in the database.
    server.stop();
    server.start(&client).await?;
    let pid = server.pid().context("the server has no pid")?;
    let sampler = RssSampler::start(pid);
    let fresh_rss = sys::status_kb(pid, "VmRSS").unwrap_or(0);
    println!(
        "server restarted for the timed part: RSS {} before load",
        mib(fresh_rss)
    );

    let ctx = Ctx {
        config: &config,
        client: client.clone(),
        base: server.base.clone(),
        pid,
        sampler: &sampler,
        ticks,
        admin_url: admin_url.clone(),
        database: db.name.clone(),
    };
    let mut ok = true;
    let mut rounds: Vec<Round> = Vec::with_capacity(config.rounds);
    let mut timed_peak = 0;
    let average_capacity = {
        let places: usize = (0..m_count).map(|i| spread_capacity(n, m_count, i)).sum();
        (places / m_count).max(1)
    };
    for (r, t) in targets.iter().enumerate() {
        println!("\n#### round {} of {}", r + 1, config.rounds);
        // The hot case: everyone to one programme.
        let hot_jobs: Vec<Job> = (0..n)
            .map(|p| Job {
                programme: 0,
                participant: p,
            })
            .collect();
        let hot = ctx
            .timed(std::slice::from_ref(&t.hot), &tokens, hot_jobs.clone())
            .await?;
        report(
            "hot",
            &format!(
                "{n} participants → 1 programme of {} places, {} clients",
                config.hot_capacity, config.clients
            ),
            &hot,
        );
        let hot_programmes = vec![(t.hot.clone(), config.hot_capacity)];
        let (tally, problems) = check(&api, &organiser, &hot_programmes, &hot_jobs, &hot).await?;
        print_check("hot", tally, &problems, config.hot_capacity);
        ok &= problems.is_empty() && hot.registered() == n;
        // The peak since the hot phase began, its check included (the spread phase resets it).
        timed_peak = timed_peak.max(sys::status_kb(pid, "VmHWM").unwrap_or(0));

        // The spread case: the same participants, each to one programme chosen at random.
        let spread_jobs: Vec<Job> = (0..n)
            .map(|p| Job {
                programme: (mix(config.seed ^ (p as u64).wrapping_mul(0x2545_F491))
                    % m_count as u64) as usize,
                participant: p,
            })
            .collect();
        let spread_ids: Vec<String> = t.spread.iter().map(|(id, _)| id.clone()).collect();
        let spread = ctx.timed(&spread_ids, &tokens, spread_jobs.clone()).await?;
        let places: usize = t.spread.iter().map(|(_, c)| c).sum();
        report(
            "spread",
            &format!(
                "the same {n} participants → one of {m_count} programmes each (at random; {places} places in all), {} clients",
                config.clients
            ),
            &spread,
        );
        let (tally, problems) = check(&api, &organiser, &t.spread, &spread_jobs, &spread).await?;
        print_check("spread", tally, &problems, places);
        ok &= problems.is_empty() && spread.registered() == n;
        timed_peak = timed_peak.max(sys::status_kb(pid, "VmHWM").unwrap_or(0));

        // The baseline on the same PostgreSQL, same client count (the server idles meanwhile).
        let (pg_hot, pg_spread) = if config.pgbench_seconds > 0 {
            let pg_ids = (admin_url.as_str(), db.name.as_str());
            let h = baseline(&config, &db.url(), pg_ids, 1, config.hot_capacity, ticks)?;
            report_baseline("hot", 1, &config, &h);
            let s = baseline(&config, &db.url(), pg_ids, m_count, average_capacity, ticks)?;
            report_baseline("spread", m_count, &config, &s);
            println!(
                "  ratio: hot {:.2}× (target {HOT_TARGET}×), spread {:.2}× (target {SPREAD_TARGET}×)",
                hot.rate() / h.result.tps.max(1e-9),
                spread.rate() / s.result.tps.max(1e-9)
            );
            (Some(h), Some(s))
        } else {
            (None, None)
        };
        rounds.push(Round {
            hot,
            spread,
            pg_hot,
            pg_spread,
        });
    }
    drop(sampler);

    // Optional: the SQL statements of one registration, from PostgreSQL's log.
    if let Some(log) = &config.statement_log {
        let name = &db.name;
        for setting in ["log_statement = 'all'", "log_duration = on"] {
            pg::psql(&admin_url, &format!("ALTER DATABASE {name} SET {setting}"))?;
        }
        // New connections pick the settings up: restart the server.
        server.stop();
        server.start(&client).await?;
        let profile = api
            .open_programme(&organiser, &organisation, "Profile", (sample / 2).max(1))
            .await?;
        let offset = statements::log_length(log)?;
        let jobs: Vec<Job> = (n..n + sample)
            .map(|p| Job {
                programme: 0,
                participant: p,
            })
            .collect();
        let phase = load::run(&client, &server.base, &[profile], &tokens, jobs, 1).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let count = statements::count(log, offset, name)?;
        for setting in ["log_statement", "log_duration"] {
            pg::psql(
                &admin_url,
                &format!("ALTER DATABASE {name} RESET {setting}"),
            )?;
        }
        let done = phase
            .outcomes
            .iter()
            .filter(|o| o.registered.is_some())
            .count()
            .max(1);
        println!(
            "\n== SQL per registration ({done} sequential registrations, one client, half of them waitlisted; from {})",
            log.display()
        );
        println!(
            "  {:.2} statements per registration, {:.3} ms of server-side execution each (log_duration), on {} backend(s)",
            count.total as f64 / done as f64,
            count.duration_ms / done as f64,
            count.backends
        );
        for (sql, times) in &count.statements {
            println!("  {:>6.2}  {sql}", *times as f64 / done as f64);
        }
    }
    server.stop();

    // Optional: the replays.
    let bare_hot = median(
        rounds
            .iter()
            .filter_map(|r| r.pg_hot.as_ref().map(|b| b.result.tps))
            .collect(),
    );
    let bare_spread = median(
        rounds
            .iter()
            .filter_map(|r| r.pg_spread.as_ref().map(|b| b.result.tps))
            .collect(),
    );
    if config.replay
        && config.pgbench_seconds > 0
        && let Some(first) = targets.first()
    {
        let spread_ids: Vec<String> = first.spread.iter().map(|(id, _)| id.clone()).collect();
        let people = replay::prepare(&db.url(), &first.hot, &spread_ids)?;
        println!(
            "\n== Replays: one registration's SQL by pgbench ({} clients, {} s each; bench/replay/*.sql); ratio to the median bare pgbench",
            config.clients, config.pgbench_seconds
        );
        println!(
            "| replay | hot TPS | ratio | spread TPS | ratio | postgres CPU ms/tx hot, spread |"
        );
        println!("|---|---|---|---|---|---|");
        for (name, template) in replay::SCRIPTS {
            let mut row = Vec::new();
            let mut notes = Vec::new();
            for (hot, bare) in [(true, bare_hot), (false, bare_spread)] {
                let script = replay::script(&db.url(), template, hot)?;
                let vars = [
                    ("people", people.to_string()),
                    (
                        "targets",
                        if hot { 1 } else { spread_ids.len() }.to_string(),
                    ),
                ];
                let pg_before = pg::activity(&admin_url, &db.name);
                let before = CpuMark::now(None);
                let result = pg::run(
                    &db.url(),
                    &script,
                    &vars,
                    config.clients,
                    config.pgbench_threads,
                    config.pgbench_seconds,
                )?;
                let cpu = CpuUse::between(&before, &CpuMark::now(None), ticks);
                let found = self::notes(&cpu, &pg_before, &pg::activity(&admin_url, &db.name));
                if !found.is_empty() {
                    notes.push(format!(
                        "INTERFERENCE ({}): {}",
                        if hot { "hot" } else { "spread" },
                        found.join(", ")
                    ));
                }
                if result.failed > 0 {
                    notes.push(format!("{} transactions failed", result.failed));
                }
                row.push((result, cpu, bare));
            }
            let cell = |i: usize| {
                row.get(i).map_or("–".to_string(), |(r, _, bare)| {
                    format!("{:.0} | {:.2}×", r.tps, r.tps / bare.max(1e-9))
                })
            };
            let cpu = |i: usize| {
                row.get(i).map_or(0.0, |(r, c, _)| {
                    c.postgres * 1000.0 / (r.transactions.max(1) as f64)
                })
            };
            println!(
                "| {name} | {} | {} | {:.2}, {:.2} |{}",
                cell(0),
                cell(1),
                cpu(0),
                cpu(1),
                if notes.is_empty() {
                    String::new()
                } else {
                    format!(" {}", notes.join("; "))
                }
            );
        }
    }

    println!(
        "\n== Summary (N {n}, C {}, pool {}, workers {})",
        config.clients,
        config.pool_size,
        if config.workers == 0 {
            "default".to_string()
        } else {
            config.workers.to_string()
        }
    );
    println!(
        "| round | hot reg/s | hot p50/p95/p99 ms | pgbench hot TPS | hot ratio | spread reg/s | spread p50/p95/p99 ms | pgbench spread TPS | spread ratio | notes |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let ratio =
        |m: &Measured, b: &Option<Baseline>| b.as_ref().map(|b| m.rate() / b.result.tps.max(1e-9));
    let show =
        |x: Option<f64>, unit: &str| x.map_or("–".to_string(), |x| format!("{x:.2}{unit}"));
    for (i, r) in rounds.iter().enumerate() {
        let (lh, ls) = (
            load::latencies(&r.hot.phase.outcomes),
            load::latencies(&r.spread.phase.outcomes),
        );
        let mut notes = Vec::new();
        for (what, found) in [
            ("API hot", Some(&r.hot.notes)),
            ("API spread", Some(&r.spread.notes)),
            ("pgbench hot", r.pg_hot.as_ref().map(|b| &b.notes)),
            ("pgbench spread", r.pg_spread.as_ref().map(|b| &b.notes)),
        ] {
            if let Some(found) = found.filter(|f| !f.is_empty()) {
                notes.push(format!("{what}: {}", found.join(", ")));
            }
        }
        println!(
            "| {} | {:.0} | {:.0}/{:.0}/{:.0} | {} | {} | {:.0} | {:.0}/{:.0}/{:.0} | {} | {} | {} |",
            i + 1,
            r.hot.rate(),
            lh.p50,
            lh.p95,
            lh.p99,
            r.pg_hot
                .as_ref()
                .map_or("–".to_string(), |b| format!("{:.0}", b.result.tps)),
            show(ratio(&r.hot, &r.pg_hot), "×"),
            r.spread.rate(),
            ls.p50,
            ls.p95,
            ls.p99,
            r.pg_spread
                .as_ref()
                .map_or("–".to_string(), |b| format!("{:.0}", b.result.tps)),
            show(ratio(&r.spread, &r.pg_spread), "×"),
            if notes.is_empty() {
                "quiet".to_string()
            } else {
                format!("interference: {}", notes.join("; "))
            }
        );
    }
    let med = |f: &dyn Fn(&Round) -> Option<f64>| {
        let v: Vec<f64> = rounds.iter().filter_map(f).collect();
        (!v.is_empty()).then(|| median(v))
    };
    let hot_ratio = med(&|r| ratio(&r.hot, &r.pg_hot));
    let spread_ratio = med(&|r| ratio(&r.spread, &r.pg_spread));
    println!(
        "| median | {:.0} | {:.0}/{:.0}/{:.0} | {} | {} | {:.0} | {:.0}/{:.0}/{:.0} | {} | {} | |",
        med(&|r| Some(r.hot.rate())).unwrap_or(0.0),
        med(&|r| Some(load::latencies(&r.hot.phase.outcomes).p50)).unwrap_or(0.0),
        med(&|r| Some(load::latencies(&r.hot.phase.outcomes).p95)).unwrap_or(0.0),
        med(&|r| Some(load::latencies(&r.hot.phase.outcomes).p99)).unwrap_or(0.0),
        med(&|r| r.pg_hot.as_ref().map(|b| b.result.tps))
            .map_or("–".to_string(), |t| format!("{t:.0}")),
        show(hot_ratio, "×"),
        med(&|r| Some(r.spread.rate())).unwrap_or(0.0),
        med(&|r| Some(load::latencies(&r.spread.phase.outcomes).p50)).unwrap_or(0.0),
        med(&|r| Some(load::latencies(&r.spread.phase.outcomes).p95)).unwrap_or(0.0),
        med(&|r| Some(load::latencies(&r.spread.phase.outcomes).p99)).unwrap_or(0.0),
        med(&|r| r.pg_spread.as_ref().map(|b| b.result.tps))
            .map_or("–".to_string(), |t| format!("{t:.0}")),
        show(spread_ratio, "×"),
    );
    let per =
        |m: &Measured, f: fn(&CpuUse) -> f64| f(&m.cpu) * 1000.0 / m.registered().max(1) as f64;
    println!(
        "CPU per registration (median): hot server {:.2} ms + postgres {:.2} ms; spread server {:.2} ms + postgres {:.2} ms; bare pgbench postgres {} ms (hot), {} ms (spread)",
        med(&|r| Some(per(&r.hot, |c| c.server))).unwrap_or(0.0),
        med(&|r| Some(per(&r.hot, |c| c.postgres))).unwrap_or(0.0),
        med(&|r| Some(per(&r.spread, |c| c.server))).unwrap_or(0.0),
        med(&|r| Some(per(&r.spread, |c| c.postgres))).unwrap_or(0.0),
        show(
            med(&|r| r
                .pg_hot
                .as_ref()
                .map(|b| b.cpu.postgres * 1000.0 / b.result.transactions.max(1) as f64)),
            ""
        ),
        show(
            med(&|r| r
                .pg_spread
                .as_ref()
                .map(|b| b.cpu.postgres * 1000.0 / b.result.transactions.max(1) as f64)),
            ""
        ),
    );
    println!(
        "server peak RSS: timed process {} (started at {}; VmHWM over every phase and check); setup process (argon2 sign-ups) {}",
        mib(timed_peak.max(fresh_rss)),
        mib(fresh_rss),
        mib(setup_peak)
    );
    if let (Some(h), Some(s)) = (hot_ratio, spread_ratio) {
        println!(
            "target: hot {h:.2}× of pgbench (≥ {HOT_TARGET}×: {}), spread {s:.2}× (≥ {SPREAD_TARGET}×: {})",
            if h >= HOT_TARGET { "met" } else { "NOT met" },
            if s >= SPREAD_TARGET { "met" } else { "NOT met" },
        );
    }
    println!(
        "overbooking: {}",
        if ok {
            "none — every check passed in every round"
        } else {
            "CHECKS FAILED"
        }
    );
    drop(server);
    db.drop_now()?;
    Ok(ok)
}
