//! The database going away under load: every answer is 201, 409 or a retryable 503 (never a
//! 500), the server recovers without a restart, and nothing is overbooked.
//!
//! On PostgreSQL every connection to the test database is ended from an admin connection
//! (`pg_terminate_backend`, as a failover or a restart would) while registrations are in
//! flight; on SQLite, whose file cannot be taken away, the same rush runs without the outage and
//! the same invariants are checked.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::future::join_all;
use kompetens_persistence::{ConnectionTrait, StoreError, TransactionTrait, begin_write};
use kompetens_tests::{OpenProgramme, TestApp, spawn_app};
use sea_orm::{DbBackend, Statement};
use serde_json::{Value, json};

const CAPACITY: usize = 25;
const PEOPLE: usize = 120;
/// How many times the connections are ended during the rush.
const BLOWS: usize = 3;

/// One answer, with what a client needs to retry it.
struct Answer {
    status: u16,
    retry_after: Option<String>,
    content_type: Option<String>,
    body: Value,
}

async fn register(
    client: &kompetens_tests::Client,
    base: &str,
    programme: &str,
    token: &str,
) -> Answer {
    let r = client
        .post(format!(
            "{base}/api/v1/programmes/{programme}/registrations"
        ))
        .bearer_auth(token)
        .json(&json!({}))
        .send()
        .await
        .expect("request sent");
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (retry_after, content_type) = (header("retry-after"), header("content-type"));
    Answer {
        status: r.status().as_u16(),
        retry_after,
        content_type,
        body: r.json().await.unwrap_or(Value::Null),
    }
}

/// A 503 is something a client can act on: problem details and a `Retry-After`.
fn assert_retryable(a: &Answer) {
    assert_eq!(
        a.content_type.as_deref(),
        Some("application/problem+json"),
        "{}",
        a.body
    );
    let seconds: Option<u64> = a.retry_after.as_deref().and_then(|s| s.parse().ok());
    assert!(seconds.is_some(), "503 without Retry-After: {}", a.body);
    assert_eq!(a.body["type"], "/problems/unavailable", "{}", a.body);
    assert_eq!(a.body["status"], 503);
}

/// confirmed ≤ capacity, nobody waits while a place is free, positions 1..n gapless in order of
/// arrival, and the programme's counters agree with the registrations. Returns them all.
async fn check_invariants(app: &TestApp, p: &OpenProgramme) -> Vec<Value> {
    let all = app
        .all_pages(
            &format!("/api/v1/programmes/{}/registrations", p.id),
            Some(&p.organiser),
            200,
        )
        .await;
    let confirmed = all.iter().filter(|r| r["status"] == "confirmed").count();
    let mut waiting: Vec<&Value> = all.iter().filter(|r| r["status"] == "waitlisted").collect();
    assert!(
        confirmed <= CAPACITY,
        "{confirmed} confirmed for {CAPACITY} places"
    );
    if !waiting.is_empty() {
        assert_eq!(confirmed, CAPACITY, "nobody waits while a place is free");
    }
    waiting.sort_by_key(|r| r["arrival"].as_i64());
    let positions: Vec<u64> = waiting
        .iter()
        .map(|r| r["waitlist_position"].as_u64().expect("a position"))
        .collect();
    assert_eq!(
        positions,
        (1..=waiting.len() as u64).collect::<Vec<_>>(),
        "waiting-list positions gapless, in order of arrival"
    );
    let programme = app.get(&format!("/api/v1/programmes/{}", p.id), None).await;
    assert_eq!(programme.status, 200, "{}", programme.text);
    assert_eq!(programme.body["confirmed_count"], confirmed);
    assert_eq!(programme.body["waitlist_count"], waiting.len());
    all
}

fn tally(answers: &[Answer]) -> BTreeMap<u16, usize> {
    let mut counts = BTreeMap::new();
    for a in answers {
        *counts.entry(a.status).or_insert(0) += 1;
    }
    counts
}

#[tokio::test]
async fn registrations_keep_their_invariants_while_the_database_drops_every_connection() {
    // Arrange: a programme with fewer places than people, everyone signed up beforehand.
    let app = spawn_app().await;
    let p = app
        .open_programme(Some(CAPACITY as u32), "first_come_first_served")
        .await;
    let people = app.participants("outage", PEOPLE).await;
    let (_, latecomer) = app.signup("latecomer@example.org").await;

    // Act: everyone registers at once; on PostgreSQL, every connection is ended BLOWS times
    // while they do. The blows wait for progress, not for the clock, so that on a slow machine
    // they still land in the middle of the rush.
    let answered = Arc::new(AtomicUsize::new(0));
    let (base, id) = (&app.address, &p.id);
    let rush = join_all(people.iter().map(|(_, token)| {
        let answered = answered.clone();
        let client = app.client.clone();
        async move {
            let answer = register(&client, base, id, token).await;
            answered.fetch_add(1, Ordering::SeqCst);
            answer
        }
    }));
    let blows = async {
        let mut ended = Vec::new();
        if !app.on_postgres() {
            return ended;
        }
        for blow in 1..=BLOWS {
            let after = PEOPLE * blow / (BLOWS + 1);
            while answered.load(Ordering::SeqCst) < after {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            ended.push(app.terminate_connections().await.unwrap_or(0));
        }
        ended
    };
    let (answers, ended) = tokio::join!(rush, blows);

    // Assert: each answer is one a client can act on.
    for a in &answers {
        assert!(
            matches!(a.status, 201 | 409 | 503),
            "{} {}",
            a.status,
            a.body
        );
        if a.status == 503 {
            assert_retryable(a);
        }
    }
    let first = tally(&answers);

    // Once more with everything idle, so that every pooled connection is dead: the very next
    // request must still succeed, since a dead connection is never handed out again.
    let after_rush = app.terminate_connections().await;
    let programme = app.get(&format!("/api/v1/programmes/{}", p.id), None).await;
    assert_eq!(programme.status, 200, "{}", programme.text);
    let late = register(&app.client, &app.address, &p.id, &latecomer).await;
    assert_eq!(late.status, 201, "{}", late.body);
    assert_eq!(late.body["status"], "waitlisted", "{}", late.body);

    // Those who got a 503 retry, as told by Retry-After: 201, or 409 when the first attempt had
    // committed before its connection died.
    let mut retries = Vec::new();
    for ((_, token), first) in people.iter().zip(&answers) {
        if first.status != 503 {
            continue;
        }
        let mut answer = register(&app.client, &app.address, &p.id, token).await;
        for _ in 0..5 {
            if answer.status != 503 {
                break;
            }
            assert_retryable(&answer);
            tokio::time::sleep(Duration::from_secs(1)).await;
            answer = register(&app.client, &app.address, &p.id, token).await;
        }
        assert!(
            matches!(answer.status, 201 | 409),
            "{} {}",
            answer.status,
            answer.body
        );
        if answer.status == 409 {
            assert_eq!(answer.body["type"], "/problems/already-registered");
        }
        retries.push(answer);
    }
    let retried = tally(&retries);
    eprintln!(
        "connections ended during the rush: {ended:?}, after it: {after_rush:?}; \
         first answers {first:?}; retries {retried:?}"
    );

    // Nothing overbooked, nothing acknowledged lost, nobody registered twice.
    let all = check_invariants(&app, &p).await;
    assert_eq!(all.len(), PEOPLE + 1, "everyone registered exactly once");
    for a in answers.iter().chain(&retries).filter(|a| a.status == 201) {
        assert!(
            all.iter().any(|r| r["id"] == a.body["id"]),
            "an acknowledged registration is missing: {}",
            a.body
        );
    }
    let confirmed = all.iter().filter(|r| r["status"] == "confirmed").count();
    assert_eq!(confirmed, CAPACITY);
}

#[tokio::test]
async fn while_the_database_refuses_connections_requests_get_503_and_recover_when_it_is_back() {
    let app = spawn_app().await;
    let p = app
        .open_programme(Some(CAPACITY as u32), "first_come_first_served")
        .await;
    let (_, token) = app.signup("patient@example.org").await;
    if !app.accept_connections(false).await {
        // SQLite: the database is a file the server holds open; nothing to take away.
        return;
    }

    let programme = format!("/api/v1/programmes/{}", p.id);
    let read = app.get(&programme, None).await;
    let write = register(&app.client, &app.address, &p.id, &token).await;
    let ready = app.get("/health/ready", None).await;

    assert_eq!(read.status, 503, "{}", read.text);
    assert_eq!(
        read.header("content-type"),
        Some("application/problem+json")
    );
    assert!(read.header("retry-after").is_some());
    assert_eq!(read.body["type"], "/problems/unavailable");
    assert_eq!(write.status, 503, "{}", write.body);
    assert_retryable(&write);
    assert_eq!(ready.status, 503, "{}", ready.text);

    // Back: the next requests succeed, on the same server and pool.
    app.accept_connections(true).await;
    assert_eq!(app.get(&programme, None).await.status, 200);
    let write = register(&app.client, &app.address, &p.id, &token).await;
    assert_eq!(write.status, 201, "{}", write.body);
    assert_eq!(app.get("/health/ready", None).await.status, 200);
}

fn sql(text: &str) -> Statement {
    Statement::from_string(DbBackend::Postgres, text.to_string())
}

fn assert_unreachable(err: sea_orm::DbErr) {
    let classified = StoreError::from(err);
    assert!(
        matches!(classified, StoreError::Unavailable(_)),
        "not classified as unreachable: {classified:?}"
    );
}

/// Generous: the point is that nothing waits forever, not how fast it gives up.
const NEVER_HANGS: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_transaction_whose_connection_dies_fails_cleanly_and_the_pool_recovers() {
    let app = spawn_app().await;
    let url = app.settings().effective_database_url();
    let db = kompetens_persistence::connect(&url, 2)
        .await
        .expect("connect");
    if app.on_postgres() {
        tokio::time::timeout(NEVER_HANGS, async {
            // A statement after the connection died, then COMMIT.
            let tx = begin_write(&db).await.expect("begin");
            tx.query_one_raw(sql("SELECT 1 AS one"))
                .await
                .expect("alive");
            app.terminate_connections().await;
            let lost = tx.query_one_raw(sql("SELECT 1 AS one")).await;
            assert_unreachable(lost.expect_err("the connection was ended"));
            let commit = tx.commit().await;
            assert_unreachable(commit.expect_err("nothing to commit on"));

            // ROLLBACK on a dead connection: an error or nothing, never a panic.
            let tx = begin_write(&db).await.expect("begin");
            app.terminate_connections().await;
            if let Err(e) = tx.rollback().await {
                assert_unreachable(e);
            }

            // Dropped without either: sea-orm queues the rollback, the pool discards it.
            let tx = begin_write(&db).await.expect("begin");
            app.terminate_connections().await;
            drop(tx);
        })
        .await
        .expect("a dead connection made a transaction hang");
    }
    // The next use of the pool succeeds: dead connections are replaced, not handed out.
    let tx = begin_write(&db).await.expect("begin after the outage");
    let one = tx
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT 1 AS one",
        ))
        .await
        .expect("a fresh connection");
    assert!(one.is_some());
    tx.commit().await.expect("commit after the outage");
    assert!(db.begin().await.is_ok());

    // A closed pool is unreachable too (on both databases), not an internal error.
    let closed = db.clone();
    db.close().await.expect("close");
    let err = closed
        .execute_unprepared("SELECT 1")
        .await
        .expect_err("the pool is closed");
    assert_unreachable(err);
}
