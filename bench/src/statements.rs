//! Counting the SQL statements of a registration from PostgreSQL's own log
//! (`log_statement = 'all'` and `log_duration = on`, set on the bench database only).

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use anyhow::Context;

pub fn log_length(path: &Path) -> anyhow::Result<u64> {
    Ok(std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .len())
}

pub struct Count {
    /// (statement, how many times), in order of first appearance.
    pub statements: Vec<(String, usize)>,
    pub total: usize,
    /// Server-side execution time summed over every logged step, in ms.
    pub duration_ms: f64,
    /// Distinct backends that ran them.
    pub backends: usize,
}

/// The statements the bench database ran since `offset` of the log.
pub fn count(path: &Path, offset: u64, database: &str) -> anyhow::Result<Count> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    file.seek(SeekFrom::Start(offset))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    let marker = format!("@{database} LOG:  ");
    let mut order: Vec<String> = Vec::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut duration_ms = 0.0;
    let mut backends = std::collections::BTreeSet::new();
    for line in text.lines() {
        let Some((head, message)) = line.split_once(&marker) else {
            continue;
        };
        if let Some(pid) = head.split('[').nth(1).and_then(|s| s.split(']').next()) {
            backends.insert(pid.to_string());
        }
        if let Some(d) = message.strip_prefix("duration: ") {
            duration_ms += d
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0);
            continue;
        }
        let sql = if let Some(sql) = message.strip_prefix("statement: ") {
            sql
        } else if let Some(rest) = message.strip_prefix("execute ") {
            rest.split_once(": ").map_or(rest, |(_, sql)| sql)
        } else {
            continue;
        };
        let key: String = sql.chars().take(110).collect();
        if !counts.contains_key(&key) {
            order.push(key.clone());
        }
        *counts.entry(key).or_default() += 1;
    }
    let statements: Vec<(String, usize)> = order
        .into_iter()
        .map(|k| {
            let n = counts.get(&k).copied().unwrap_or(0);
            (k, n)
        })
        .collect();
    Ok(Count {
        total: statements.iter().map(|(_, n)| n).sum(),
        statements,
        duration_ms,
        backends: backends.len(),
    })
}
