//! Replays: the API's own SQL for one registration, and leaner variants of it, run by pgbench
//! on the bench database after the API phases. They separate what the SQL costs from what
//! the server adds, and estimate what a proposed change would buy (see bench/README.md).

use anyhow::Context;

use crate::pg::psql;

pub const SCRIPTS: &[(&str, &str)] = &[
    (
        "1 the API's SQL today",
        include_str!("../replay/1-current.sql"),
    ),
    (
        "2 + one auth query",
        include_str!("../replay/2-one-auth-query.sql"),
    ),
    ("3 + short lock", include_str!("../replay/3-short-lock.sql")),
    (
        "4 + one write statement",
        include_str!("../replay/4-one-write.sql"),
    ),
    (
        "5 + the write takes the lock",
        include_str!("../replay/5-write-locks.sql"),
    ),
];

/// Tables the scripts pick from: participants with their sessions, the hot programme, the
/// spread programmes; and the arrival counter the leaner variants use.
pub fn prepare(url: &str, hot: &str, spread: &[String]) -> anyhow::Result<usize> {
    let spread_list = spread
        .iter()
        .map(|id| format!("'{id}'::uuid"))
        .collect::<Vec<_>>()
        .join(", ");
    psql(
        url,
        &format!(
            "DROP TABLE IF EXISTS replay_people, replay_hot, replay_spread;
             CREATE TABLE replay_people AS SELECT row_number() OVER (ORDER BY a.id) AS n, a.id AS account_id, s.id AS session_id, a.email
               FROM accounts a JOIN auth_sessions s ON s.account_id = a.id WHERE a.email LIKE 'participant-%' AND s.revoked_at IS NULL;
             CREATE UNIQUE INDEX ON replay_people (n);
             CREATE TABLE replay_hot AS SELECT 1::bigint AS n, '{hot}'::uuid AS id;
             CREATE TABLE replay_spread AS SELECT row_number() OVER () AS n, id FROM unnest(ARRAY[{spread_list}]) AS id;
             CREATE UNIQUE INDEX ON replay_hot (n);
             CREATE UNIQUE INDEX ON replay_spread (n);
             ALTER TABLE programmes ADD COLUMN IF NOT EXISTS replay_last_arrival bigint NOT NULL DEFAULT 0;"
        ),
    )?;
    psql(url, "ANALYZE")?;
    let people = psql(url, "SELECT count(*) FROM replay_people")?;
    people
        .parse()
        .with_context(|| format!("counting replay participants: {people:?}"))
}

/// The script for one case, its arrival counters caught up with the registrations so far.
pub fn script(url: &str, template: &str, hot: bool) -> anyhow::Result<String> {
    psql(
        url,
        "UPDATE programmes p SET replay_last_arrival = (SELECT coalesce(max(arrival), 0) FROM registrations r WHERE r.programme_id = p.id)",
    )?;
    Ok(template.replace(
        "@TARGETS@",
        if hot { "replay_hot" } else { "replay_spread" },
    ))
}
