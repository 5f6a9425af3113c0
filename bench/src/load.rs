//! The timed part: C closed-loop clients registering participants as fast as they are answered.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// One registration to make: this participant's token, this programme.
#[derive(Clone)]
pub struct Job {
    pub programme: usize,
    pub participant: usize,
}

/// What the API answered, in the end, for one job.
#[derive(Debug, Clone)]
pub struct Registered {
    pub confirmed: bool,
    pub waitlist_position: Option<u64>,
    pub arrival: Option<i64>,
}

pub struct Outcome {
    pub job: usize,
    /// From the first attempt to the final answer, retries and their waits included.
    pub latency: Duration,
    /// `None`: not registered (an error other than 503, or too many 503s).
    pub registered: Option<Registered>,
}

pub struct Phase {
    pub wall: Duration,
    pub outcomes: Vec<Outcome>,
    /// Every attempt's answer: "201", "503", …, "transport error".
    pub attempts: BTreeMap<String, usize>,
    /// A few bodies of unexpected answers, to show.
    pub samples: Vec<String>,
}

/// Gives up on a registration after this many 503s in a row.
const MAX_ATTEMPTS: u32 = 30;

struct Shared {
    client: reqwest::Client,
    base: String,
    programmes: Vec<String>,
    tokens: Vec<String>,
    jobs: Vec<Job>,
    next: AtomicUsize,
}

pub async fn run(
    client: &reqwest::Client,
    base: &str,
    programmes: &[String],
    tokens: &[String],
    jobs: Vec<Job>,
    clients: usize,
) -> anyhow::Result<Phase> {
    let shared = Arc::new(Shared {
        client: client.clone(),
        base: base.to_string(),
        programmes: programmes.to_vec(),
        tokens: tokens.to_vec(),
        jobs,
        next: AtomicUsize::new(0),
    });
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients.min(shared.jobs.len()).max(1) {
        tasks.spawn(worker(shared.clone()));
    }
    let mut phase = Phase {
        wall: Duration::ZERO,
        outcomes: Vec::with_capacity(shared.jobs.len()),
        attempts: BTreeMap::new(),
        samples: Vec::new(),
    };
    while let Some(joined) = tasks.join_next().await {
        let (outcomes, attempts, samples) = joined?;
        phase.outcomes.extend(outcomes);
        for (k, v) in attempts {
            *phase.attempts.entry(k).or_default() += v;
        }
        for s in samples {
            if phase.samples.len() < 5 {
                phase.samples.push(s);
            }
        }
    }
    phase.wall = started.elapsed();
    phase.outcomes.sort_by_key(|o| o.job);
    Ok(phase)
}

type WorkerResult = (Vec<Outcome>, BTreeMap<String, usize>, Vec<String>);

async fn worker(s: Arc<Shared>) -> WorkerResult {
    let mut outcomes = Vec::new();
    let mut attempts: BTreeMap<String, usize> = BTreeMap::new();
    let mut samples = Vec::new();
    loop {
        let i = s.next.fetch_add(1, Ordering::Relaxed);
        let Some(job) = s.jobs.get(i) else {
            return (outcomes, attempts, samples);
        };
        let (Some(programme), Some(token)) = (
            s.programmes.get(job.programme),
            s.tokens.get(job.participant),
        ) else {
            continue;
        };
        let url = format!("{}/api/v1/programmes/{programme}/registrations", s.base);
        let started = Instant::now();
        let mut registered = None;
        for _ in 0..MAX_ATTEMPTS {
            let sent = s
                .client
                .post(&url)
                .bearer_auth(token)
                .json(&json!({}))
                .send()
                .await;
            let response = match sent {
                Ok(r) => r,
                Err(e) => {
                    // Not retried: the registration may have committed.
                    *attempts.entry("transport error".into()).or_default() += 1;
                    if samples.len() < 5 {
                        samples.push(format!("transport error: {e}"));
                    }
                    break;
                }
            };
            let status = response.status().as_u16();
            *attempts.entry(status.to_string()).or_default() += 1;
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(1);
            let text = response.text().await.unwrap_or_default();
            match status {
                201 => {
                    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    registered = Some(Registered {
                        confirmed: body["status"] == "confirmed",
                        waitlist_position: body["waitlist_position"].as_u64(),
                        arrival: body["arrival"].as_i64(),
                    });
                    break;
                }
                // The database is busy: a legitimate answer under load; wait as told, retry.
                503 => {
                    tokio::time::sleep(Duration::from_secs(retry_after.min(10))).await;
                }
                _ => {
                    if samples.len() < 5 {
                        samples.push(format!("{status}: {text}"));
                    }
                    break;
                }
            }
        }
        outcomes.push(Outcome {
            job: i,
            latency: started.elapsed(),
            registered,
        });
    }
}

/// Latency percentiles (nearest rank) of the registrations that succeeded, in ms.
pub struct Latencies {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

pub fn latencies(outcomes: &[Outcome]) -> Latencies {
    let mut ms: Vec<f64> = outcomes
        .iter()
        .filter(|o| o.registered.is_some())
        .map(|o| o.latency.as_secs_f64() * 1000.0)
        .collect();
    ms.sort_by(f64::total_cmp);
    let rank = |q: f64| -> f64 {
        if ms.is_empty() {
            return 0.0;
        }
        let i = ((q * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1;
        ms[i]
    };
    Latencies {
        p50: rank(0.50),
        p95: rank(0.95),
        p99: rank(0.99),
        max: ms.last().copied().unwrap_or(0.0),
        mean: if ms.is_empty() {
            0.0
        } else {
            ms.iter().sum::<f64>() / ms.len() as f64
        },
    }
}
