//! The knobs: `--flag value` on the command line, else `BENCH_FLAG` in the environment, else
//! the default.

use std::path::PathBuf;

use anyhow::{Context, bail};

pub const USAGE: &str = "\
registration-load: registrations/s of the release server on PostgreSQL, next to pgbench

USAGE: registration-load [--flag value]...   (each flag also reads BENCH_<FLAG>, e.g. BENCH_CLIENTS)

  --participants N        participants registering in each case                  [2000]
  --clients C             concurrent HTTP clients, and pgbench clients             [32]
  --hot-capacity K        places in the hot programme                          [N / 4]
  --programmes M          programmes in the spread case                           [100]
  --pool-size P           KOMPETENS_DATABASE_POOL_SIZE of the server               [16]
  --workers W             KOMPETENS_WORKERS (0: actix's default, one per core)      [0]
  --rounds R              rounds of (API hot, API spread, pgbench hot, pgbench spread),
                          each on fresh programmes; the summary gives medians         [3]
  --pgbench-seconds S     length of each pgbench run (0: skip pgbench)             [15]
  --pgbench-threads J     pgbench -j                                                [2]
  --signup-concurrency S  sign-ups in flight during the untimed setup               [4]
  --server PATH           the kompetens binary              [<workspace>/target/release/kompetens]
  --postgres URL          PostgreSQL server (no database)   [postgres://postgres@127.0.0.1:5432]
  --port PORT             port for the server (0: pick a free one)                  [0]
  --seed X                seed for the spread case's choice of programmes            [1]
  --statement-log PATH    PostgreSQL's log file: also count the SQL statements of one
                          registration (restarts the server with log_statement=all on the
                          bench database only), e.g. /var/log/postgresql/postgresql-15-main.log
  --statement-sample K    registrations sampled for --statement-log                 [40]
  --replay                also replay the API's SQL for one registration, and leaner
                          variants of it, with pgbench (bench/replay/*.sql)
  --keep-database         do not drop the bench database at the end
";

#[derive(Debug, Clone)]
pub struct Config {
    pub participants: usize,
    pub clients: usize,
    pub hot_capacity: usize,
    pub programmes: usize,
    pub pool_size: u32,
    pub workers: usize,
    pub rounds: usize,
    pub pgbench_seconds: u64,
    pub pgbench_threads: usize,
    pub signup_concurrency: usize,
    pub server: PathBuf,
    pub postgres: String,
    pub port: u16,
    pub seed: u64,
    pub statement_log: Option<PathBuf>,
    pub statement_sample: usize,
    pub keep_database: bool,
    pub replay: bool,
}

const FLAGS: &[&str] = &[
    "participants",
    "clients",
    "hot-capacity",
    "programmes",
    "pool-size",
    "workers",
    "rounds",
    "pgbench-seconds",
    "pgbench-threads",
    "signup-concurrency",
    "server",
    "postgres",
    "port",
    "seed",
    "statement-log",
    "statement-sample",
];

struct Raw(Vec<(String, String)>);

impl Raw {
    fn get(&self, flag: &str) -> Option<String> {
        if let Some((_, v)) = self.0.iter().rev().find(|(k, _)| k == flag) {
            return Some(v.clone());
        }
        let var = format!("BENCH_{}", flag.to_ascii_uppercase().replace('-', "_"));
        std::env::var(var).ok().filter(|v| !v.is_empty())
    }

    fn number<T: std::str::FromStr>(&self, flag: &str, default: T) -> anyhow::Result<T> {
        match self.get(flag) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse()
                .ok()
                .with_context(|| format!("--{flag}: {v:?} is not a number")),
        }
    }
}

/// `Ok(None)`: help was asked for.
pub fn parse(args: impl Iterator<Item = String>) -> anyhow::Result<Option<Config>> {
    let mut raw = Raw(Vec::new());
    let mut keep_database = std::env::var("BENCH_KEEP_DATABASE").is_ok_and(|v| v == "1");
    let mut replay = std::env::var("BENCH_REPLAY").is_ok_and(|v| v == "1");
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(None);
        }
        if arg == "--keep-database" {
            keep_database = true;
            continue;
        }
        if arg == "--replay" {
            replay = true;
            continue;
        }
        let Some(flag) = arg.strip_prefix("--") else {
            bail!("unexpected argument {arg:?} (see --help)");
        };
        let (flag, value) = match flag.split_once('=') {
            Some((f, v)) => (f.to_string(), v.to_string()),
            None => {
                let value = args
                    .next()
                    .with_context(|| format!("--{flag} needs a value"))?;
                (flag.to_string(), value)
            }
        };
        if !FLAGS.contains(&flag.as_str()) {
            bail!("unknown flag --{flag} (see --help)");
        }
        raw.0.push((flag, value));
    }
    let participants: usize = raw.number("participants", 2000)?;
    let clients: usize = raw.number("clients", 32)?;
    let programmes: usize = raw.number("programmes", 100)?;
    if participants == 0 || clients == 0 || programmes == 0 {
        bail!("--participants, --clients and --programmes must be at least 1");
    }
    let hot_capacity = raw.number("hot-capacity", (participants / 4).max(1))?;
    let default_server = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target")
        .join("release")
        .join("kompetens");
    Ok(Some(Config {
        participants,
        clients,
        hot_capacity,
        programmes,
        pool_size: raw.number("pool-size", 16)?,
        workers: raw.number("workers", 0)?,
        rounds: raw.number::<usize>("rounds", 3)?.max(1),
        pgbench_seconds: raw.number("pgbench-seconds", 15)?,
        pgbench_threads: raw.number("pgbench-threads", 2)?,
        signup_concurrency: raw.number::<usize>("signup-concurrency", 4)?.max(1),
        server: raw.get("server").map_or(default_server, PathBuf::from),
        postgres: raw
            .get("postgres")
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432".to_string())
            .trim_end_matches('/')
            .to_string(),
        port: raw.number("port", 0)?,
        seed: raw.number("seed", 1)?,
        statement_log: raw.get("statement-log").map(PathBuf::from),
        statement_sample: raw.number::<usize>("statement-sample", 40)?.max(1),
        keep_database,
        replay,
    }))
}
