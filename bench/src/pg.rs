//! PostgreSQL through its own clients: `psql` for setup and checks, `pgbench` for the baseline.

use std::process::Command;

use anyhow::{Context, bail};

/// Runs SQL with `psql` against `url`; returns its unaligned, tuples-only output.
pub fn psql(url: &str, sql: &str) -> anyhow::Result<String> {
    let out = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url,
            "-c",
            sql,
        ])
        .output()
        .context("running psql (is the PostgreSQL client installed?)")?;
    if !out.status.success() {
        bail!(
            "psql failed on {sql:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A database of the bench's own, created on construction and dropped with `drop_now`.
pub struct BenchDatabase {
    pub server: String,
    pub name: String,
    dropped: bool,
    keep: bool,
}

impl BenchDatabase {
    pub fn create(server: &str, keep: bool) -> anyhow::Result<BenchDatabase> {
        let name = format!("bench_{}", uuid::Uuid::now_v7().simple());
        psql(
            &format!("{server}/postgres"),
            &format!("CREATE DATABASE {name}"),
        )?;
        Ok(BenchDatabase {
            server: server.to_string(),
            name,
            dropped: false,
            keep,
        })
    }

    pub fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }

    pub fn drop_now(&mut self) -> anyhow::Result<()> {
        if self.dropped || self.keep {
            return Ok(());
        }
        self.dropped = true;
        psql(
            &format!("{}/postgres", self.server),
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        )?;
        Ok(())
    }
}

impl Drop for BenchDatabase {
    fn drop(&mut self) {
        if let Err(e) = self.drop_now() {
            eprintln!("could not drop database {}: {e:#}", self.name);
        }
    }
}

/// The bare transaction of a first-come-first-served registration, on tables of its own: take
/// the programme's row lock with a conditional counter update (a place while there is one,
/// else the waiting list), read the outcome back, insert the registration, commit.
const SCRIPT: &str = r"\set p random(1, :programmes)
BEGIN;
UPDATE bench_programme SET confirmed = confirmed + (confirmed < capacity)::int, waitlisted = waitlisted + (confirmed >= capacity)::int WHERE id = :p RETURNING waitlisted AS w \gset
INSERT INTO bench_registration (programme_id, client, status, waitlist_position) VALUES (:p, :client_id, CASE WHEN :w = 0 THEN 'confirmed' ELSE 'waitlisted' END, NULLIF(:w, 0));
END;
";

pub struct PgbenchResult {
    pub tps: f64,
    pub transactions: u64,
    pub latency_ms: Option<f64>,
    pub failed: u64,
}

/// (Re)creates the bench tables with `programmes` rows of `capacity` places each.
fn prepare(url: &str, programmes: usize, capacity: usize) -> anyhow::Result<()> {
    psql(
        url,
        &format!(
            "DROP TABLE IF EXISTS bench_registration, bench_programme;
             CREATE TABLE bench_programme (id int PRIMARY KEY, capacity int NOT NULL, confirmed int NOT NULL DEFAULT 0, waitlisted int NOT NULL DEFAULT 0);
             CREATE TABLE bench_registration (id bigserial PRIMARY KEY, programme_id int NOT NULL REFERENCES bench_programme, client int NOT NULL, status text NOT NULL, waitlist_position int, created_at timestamptz NOT NULL DEFAULT now());
             CREATE INDEX ON bench_registration (programme_id);
             INSERT INTO bench_programme (id, capacity) SELECT g, {capacity} FROM generate_series(1, {programmes}) g;"
        ),
    )?;
    psql(url, "VACUUM ANALYZE bench_programme")?;
    Ok(())
}

/// Runs a pgbench script (prepared statements, no vacuum) with `clients` connections for
/// `seconds`, with `-D` variables.
pub fn run(
    url: &str,
    script: &str,
    vars: &[(&str, String)],
    clients: usize,
    threads: usize,
    seconds: u64,
) -> anyhow::Result<PgbenchResult> {
    let path = std::env::temp_dir().join(format!(
        "kompetens-bench-{}.sql",
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::write(&path, script).context("writing the pgbench script")?;
    let mut command = Command::new("pgbench");
    command
        .args(["-n", "-M", "prepared"])
        .arg(format!("-c{clients}"))
        .arg(format!("-j{}", threads.clamp(1, clients)))
        .arg(format!("-T{seconds}"));
    for (k, v) in vars {
        command.arg(format!("-D{k}={v}"));
    }
    let out = command
        .arg("-f")
        .arg(&path)
        .arg(url)
        .output()
        .context("running pgbench (is it installed?)");
    let _ = std::fs::remove_file(&path);
    let out = out?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if !out.status.success() {
        bail!(
            "pgbench failed: {}{}",
            text,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let after = |prefix: &str| -> Option<String> {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(str::to_string))
    };
    let first_number = |s: String| -> Option<f64> {
        s.split_whitespace()
            .find_map(|w| w.trim_start_matches(['=', ':']).parse().ok())
    };
    let tps = after("tps = ")
        .and_then(first_number)
        .with_context(|| format!("no tps in pgbench's output:\n{text}"))?;
    let transactions = after("number of transactions actually processed:")
        .and_then(|s| s.split('/').next()?.trim().parse().ok())
        .unwrap_or(0);
    let failed = after("number of failed transactions:")
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let latency_ms = after("latency average =").and_then(first_number);
    Ok(PgbenchResult {
        tps,
        transactions,
        latency_ms,
        failed,
    })
}

/// Runs the bare transaction with `clients` connections for `seconds` against `programmes`
/// rows (1: the hot case) and checks that no row was overbooked.
pub fn bare(
    url: &str,
    programmes: usize,
    capacity: usize,
    clients: usize,
    threads: usize,
    seconds: u64,
) -> anyhow::Result<PgbenchResult> {
    prepare(url, programmes, capacity)?;
    let result = run(
        url,
        SCRIPT,
        &[("programmes", programmes.to_string())],
        clients,
        threads,
        seconds,
    )?;
    // No overbooking in the baseline either.
    let over = psql(
        url,
        "SELECT count(*) FROM bench_programme p WHERE confirmed > capacity
           OR confirmed <> (SELECT count(*) FROM bench_registration r WHERE r.programme_id = p.id AND r.status = 'confirmed')",
    )?;
    if over != "0" {
        bail!("pgbench baseline overbooked or miscounted {over} programme rows");
    }
    Ok(result)
}

/// What else PostgreSQL did: checkpoints (CREATE DATABASE forces one) and other databases'
/// transactions. Either disturbs a measurement on a shared server.
#[derive(Debug, Clone, Copy, Default)]
pub struct Activity {
    checkpoints: i64,
    foreign_transactions: i64,
}

pub fn activity(admin_url: &str, ours: &str) -> Activity {
    let sql = format!(
        "SELECT (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter),
                (SELECT coalesce(sum(xact_commit + xact_rollback), 0) FROM pg_stat_database
                  WHERE datname IS NOT NULL AND datname NOT IN ('{ours}', 'postgres'))"
    );
    let Ok(out) = psql(admin_url, &sql) else {
        return Activity::default();
    };
    let mut fields = out.split('|').map(|f| f.trim().parse::<i64>().unwrap_or(0));
    Activity {
        checkpoints: fields.next().unwrap_or(0),
        foreign_transactions: fields.next().unwrap_or(0),
    }
}

/// A note when a checkpoint ran or other databases were busy between the two readings.
pub fn disturbance(before: &Activity, after: &Activity) -> Option<String> {
    let checkpoints = after.checkpoints - before.checkpoints;
    let foreign = after.foreign_transactions - before.foreign_transactions;
    let mut notes = Vec::new();
    if checkpoints > 0 {
        notes.push(format!("{checkpoints} checkpoint(s)"));
    }
    if foreign > 100 {
        notes.push(format!("{foreign} transactions in other databases"));
    }
    (!notes.is_empty()).then(|| notes.join(", "))
}
