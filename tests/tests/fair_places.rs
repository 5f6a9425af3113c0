//! Fair places under load: a priority group that waits ahead of everyone else with places held
//! for it until an instant, seat caps per member organisation, and the reservation's end racing
//! registrations. Each race test has a twin with the programme lock switched off (a race
//! probe), which must break the rule it guards — proof that the test can see the race.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, Utc};
use futures_util::future::join_all;
use kompetens_tests::{OpenProgramme, TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};

/// Registers `email` as the programme's organiser, stating the job role and workplace.
async fn register_stated(
    app: &TestApp,
    base: &str,
    p: &OpenProgramme,
    email: &str,
    job_role: &str,
    workplace: Option<&str>,
) -> (u16, Value) {
    let mut body = json!({"email": email, "job_role": job_role});
    if let Some(w) = workplace {
        body["workplace_organisation_id"] = json!(w);
    }
    let r = app
        .client
        .post(format!("{base}/api/v1/programmes/{}/registrations", p.id))
        .bearer_auth(&p.organiser)
        .json(&body)
        .send()
        .await
        .expect("request sent");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Every registration of the programme, as its organiser sees them.
async fn all_registrations(app: &TestApp, p: &OpenProgramme) -> Vec<Value> {
    app.all_pages(
        &format!("/api/v1/programmes/{}/registrations", p.id),
        Some(&p.organiser),
        200,
    )
    .await
}

async fn change(app: &TestApp, p: &OpenProgramme, body: Value) -> Value {
    let r = app
        .patch(
            &format!("/api/v1/programmes/{}", p.id),
            Some(&p.organiser),
            body,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

/// The waiting list as the API shows it: in position order, (priority, arrival) each;
/// positions 1..n without gaps, the group first, each part in order of arrival.
fn waiting_list(all: &[Value]) -> Vec<&Value> {
    let mut waiting: Vec<&Value> = all.iter().filter(|r| r["status"] == "waitlisted").collect();
    waiting.sort_by_key(|r| r["waitlist_position"].as_u64());
    let positions: Vec<u64> = waiting
        .iter()
        .map(|r| r["waitlist_position"].as_u64().unwrap())
        .collect();
    assert_eq!(
        positions,
        (1..=waiting.len() as u64).collect::<Vec<_>>(),
        "positions are 1..n without gaps"
    );
    let order: Vec<(bool, i64)> = waiting
        .iter()
        .map(|r| {
            (
                r["priority"].as_bool().unwrap(),
                r["arrival"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut expected = order.clone();
    expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    assert_eq!(order, expected, "the group first, each part by arrival");
    waiting
}

/// A deterministic shuffle, so that the group arrives mixed with everyone else.
fn mixed<T>(items: Vec<T>) -> Vec<T> {
    let mut keyed: Vec<(u64, T)> = items
        .into_iter()
        .enumerate()
        .map(|(i, t)| ((i as u64).wrapping_mul(2_654_435_761) % 1_000_003, t))
        .collect();
    keyed.sort_by_key(|(k, _)| *k);
    keyed.into_iter().map(|(_, t)| t).collect()
}

/// `n` people register at once, `group` of them intercultural assistants (the priority
/// group), for `capacity` places of which `reserved` are held for the group.
async fn priority_rush(
    app: &TestApp,
    n: usize,
    group: usize,
    capacity: u32,
    reserved: u32,
) -> (OpenProgramme, Vec<(u16, Value)>) {
    let p = app
        .open_programme(Some(capacity), "first_come_first_served")
        .await;
    let until = Utc::now() + Duration::hours(1);
    let b = change(
        app,
        &p,
        json!({"priority": {"job_roles": ["intercultural_assistant"], "reserved_places": reserved, "reserved_until": until.to_rfc3339()}}),
    )
    .await;
    assert_eq!(b["priority"]["reservation_holds"], true, "{b}");
    let people = mixed(
        (0..n)
            .map(|i| {
                let role = if i < group {
                    "intercultural_assistant"
                } else {
                    "teacher"
                };
                (format!("rush-{i}@example.org"), role)
            })
            .collect(),
    );
    let results = join_all(
        people
            .iter()
            .map(|(email, role)| register_stated(app, &app.address, &p, email, role, None)),
    )
    .await;
    (p, results)
}

async fn two_hundred_for_forty_with_twenty_reserved(app: &TestApp) {
    let (p, results) = priority_rush(app, 200, 60, 40, 20).await;
    for (status, body) in &results {
        assert_eq!(*status, 201, "{body}");
    }
    let all = all_registrations(app, &p).await;
    assert_eq!(all.len(), 200);
    let confirmed: Vec<&Value> = all.iter().filter(|r| r["status"] == "confirmed").collect();
    assert_eq!(confirmed.len(), 40, "exactly the capacity");
    let group = confirmed.iter().filter(|r| r["priority"] == true).count();
    assert!(
        group >= 20,
        "the reserved places went to the group: {group}"
    );
    // Every registration says whether it was in the group, by the job role it came with.
    for r in &all {
        assert_eq!(
            r["priority"] == true,
            r["job_role"] == "intercultural_assistant",
            "{r}"
        );
    }
    let waiting = waiting_list(&all);
    assert_eq!(waiting.len(), 160);
    assert_eq!(
        waiting.iter().filter(|r| r["priority"] == true).count(),
        60 - group,
        "every assistant without a place waits ahead of everyone else"
    );
    // The answers each got when registering agree with the list as it stands: nobody was
    // given a position and then another.
    let by_id: BTreeMap<&str, &Value> =
        all.iter().map(|r| (r["id"].as_str().unwrap(), r)).collect();
    for (_, b) in &results {
        let now = by_id[b["id"].as_str().unwrap()];
        assert_eq!(b["status"], now["status"]);
    }
    let programme = app.get(&format!("/api/v1/programmes/{}", p.id), None).await;
    assert_eq!(programme.body["confirmed_count"], 40);
    assert_eq!(programme.body["waitlist_count"], 160);
}

#[tokio::test]
async fn two_hundred_registrations_for_forty_places_with_twenty_held_for_the_group() {
    // The same pause as the twin's, with the lock on: the rules hold however wide the window.
    let app = spawn_app_with(&[("KOMPETENS_RACE_PROBE", "programme-lock:on:2")]).await;
    two_hundred_for_forty_with_twenty_reserved(&app).await;
}

#[tokio::test]
async fn without_the_programme_lock_the_priority_rush_overbooks() {
    let app = spawn_app_with(&[("KOMPETENS_RACE_PROBE", "programme-lock:off:2")]).await;
    if !app.on_postgres() {
        // SQLite's BEGIN IMMEDIATE lets one writer in at a time whatever the row locks say,
        // so there is no race to see there; PostgreSQL is where the lock is the only guard.
        eprintln!("skipped on SQLite: its write transactions are serialised");
        return;
    }
    let (p, results) = priority_rush(&app, 80, 20, 10, 5).await;
    let confirmed = results
        .iter()
        .filter(|(_, b)| b["status"] == "confirmed")
        .count();
    let group = results
        .iter()
        .filter(|(_, b)| b["status"] == "confirmed" && b["priority"] == true)
        .count();
    assert!(
        confirmed > 10 || group < 5,
        "with the lock off the race must show: {confirmed} confirmed for 10, {group} of the group"
    );
    let _ = p;
}

#[tokio::test]
async fn the_reservation_ends_while_registrations_race_it() {
    let app = spawn_app().await;
    let p = app
        .open_programme(Some(10), "first_come_first_served")
        .await;
    let until = Utc::now() + Duration::seconds(4);
    change(
        &app,
        &p,
        json!({"priority": {"job_roles": ["intercultural_assistant"], "reserved_places": 5, "reserved_until": until.to_rfc3339()}}),
    )
    .await;
    // Before the end: five places for everyone, then only the reserved five remain.
    for i in 0..8 {
        let (status, b) = register_stated(
            &app,
            &app.address,
            &p,
            &format!("early-{i}@example.org"),
            "teacher",
            None,
        )
        .await;
        assert_eq!(status, 201);
        let expected = if i < 5 { "confirmed" } else { "waitlisted" };
        assert_eq!(b["status"], expected, "{b}");
    }
    let (_, b) = register_stated(
        &app,
        &app.address,
        &p,
        "assistant-0@example.org",
        "intercultural_assistant",
        None,
    )
    .await;
    assert_eq!(b["status"], "confirmed", "a reserved place: {b}");
    // Across the instant: thirty more, a third of them assistants, spread over two seconds
    // around it.
    let start = until - Duration::seconds(1);
    let wait = (start - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait).await;
    let racers = join_all((0..30).map(|i| {
        let app = &app;
        let p = &p;
        async move {
            tokio::time::sleep(std::time::Duration::from_millis(i * 66)).await;
            let role = if i % 3 == 0 {
                "intercultural_assistant"
            } else {
                "teacher"
            };
            register_stated(
                app,
                &app.address,
                p,
                &format!("racer-{i}@example.org"),
                role,
                None,
            )
            .await
        }
    }))
    .await;
    for (status, b) in &racers {
        assert_eq!(*status, 201, "{b}");
    }
    // Whatever came after the instant released the reserved places, in order.
    if Utc::now() <= until {
        tokio::time::sleep((until - Utc::now()).to_std().unwrap_or_default()).await;
    }
    let (_, last) =
        register_stated(&app, &app.address, &p, "after@example.org", "teacher", None).await;
    assert_eq!(last["status"], "waitlisted");
    let all = all_registrations(&app, &p).await;
    let confirmed = all.iter().filter(|r| r["status"] == "confirmed").count();
    assert_eq!(confirmed, 10, "no place lost, none given twice");
    let waiting = waiting_list(&all);
    assert_eq!(confirmed + waiting.len(), all.len());
    let programme = app.get(&format!("/api/v1/programmes/{}", p.id), None).await;
    assert_eq!(programme.body["confirmed_count"], 10);
    assert_eq!(programme.body["priority"]["reservation_holds"], false);
    assert!(
        programme.body["priority"]["released_at"].is_string(),
        "{}",
        programme.text
    );
    // The early teachers who waited for the reserved places got them first among the
    // non-members, in their order: whoever holds a place and arrived after an early waiter is
    // an assistant.
    let early_waiting: Vec<&Value> = all
        .iter()
        .filter(|r| (6..=8).contains(&r["arrival"].as_i64().unwrap()))
        .collect();
    for r in early_waiting {
        if r["status"] == "waitlisted" {
            let later_teacher_confirmed = all.iter().any(|o| {
                o["status"] == "confirmed"
                    && o["priority"] == false
                    && o["arrival"].as_i64() > r["arrival"].as_i64()
            });
            assert!(!later_teacher_confirmed, "{r}");
        }
    }
}

#[tokio::test]
async fn the_worker_releases_reserved_places_when_nobody_registers() {
    let app = spawn_app_with(&[("KOMPETENS_WORKER_TICK_MS", "200")]).await;
    let p = app.open_programme(Some(4), "first_come_first_served").await;
    let until = Utc::now() + Duration::seconds(2);
    change(
        &app,
        &p,
        json!({"priority": {"job_roles": ["intercultural_assistant"], "reserved_places": 2, "reserved_until": until.to_rfc3339()}}),
    )
    .await;
    let mut statuses = Vec::new();
    for i in 0..4 {
        let (_, b) = register_stated(
            &app,
            &app.address,
            &p,
            &format!("w-{i}@example.org"),
            "teacher",
            None,
        )
        .await;
        statuses.push(b["status"].as_str().unwrap_or_default().to_string());
    }
    assert_eq!(
        statuses,
        ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    );
    // No request comes; the worker's tick notices the end.
    for _ in 0..100 {
        let programme = app.get(&format!("/api/v1/programmes/{}", p.id), None).await;
        if programme.body["confirmed_count"] == 4 {
            assert!(programme.body["priority"]["released_at"].is_string());
            app.mailbox.wait_for("w-3@example.org", 3).await;
            let mails = app.mailbox.wait_for("w-2@example.org", 3).await;
            assert!(
                mails
                    .iter()
                    .any(|m| m.subject.starts_with("A place has opened"))
            );
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the reserved places were never released");
}

/// Five schools of one city, each capped; `per_school` of each register at once.
async fn capped_rush(
    app: &TestApp,
    per_school: usize,
    capacity: u32,
    caps: &[u32],
) -> (OpenProgramme, Vec<String>, Vec<(u16, Value)>) {
    let p = app
        .open_programme(Some(capacity), "first_come_first_served")
        .await;
    let mut schools = Vec::new();
    for i in 0..caps.len() {
        schools.push(
            app.organisation(
                &app.admin_token,
                &format!("Pilot school {i}"),
                Some(&p.organisation),
            )
            .await,
        );
    }
    let caps_body: Vec<Value> = schools
        .iter()
        .zip(caps)
        .map(|(s, c)| json!({"organisation_id": s, "places": c}))
        .collect();
    let b = change(app, &p, json!({"seat_caps": caps_body})).await;
    assert_eq!(b["seat_caps"].as_array().map(Vec::len), Some(caps.len()));
    let people = mixed(
        (0..per_school * caps.len())
            .map(|i| {
                (
                    format!("cap-{i}@example.org"),
                    schools[i % caps.len()].clone(),
                )
            })
            .collect(),
    );
    let results = join_all(people.iter().map(|(email, school)| {
        register_stated(app, &app.address, &p, email, "teacher", Some(school))
    }))
    .await;
    (p, schools, results)
}

/// Each school's confirmed places.
fn per_school(all: &[Value], schools: &[String]) -> Vec<usize> {
    schools
        .iter()
        .map(|s| {
            all.iter()
                .filter(|r| r["status"] == "confirmed" && r["workplace_organisation_id"] == *s)
                .count()
        })
        .collect()
}

#[tokio::test]
async fn seat_caps_hold_under_a_rush_and_promotion_skips_only_the_capped() {
    let app = spawn_app_with(&[("KOMPETENS_RACE_PROBE", "programme-lock:on:2")]).await;
    let caps = [8u32, 10, 12, 15, 20];
    let (p, schools, results) = capped_rush(&app, 30, 50, &caps).await;
    for (status, b) in &results {
        assert_eq!(*status, 201, "{b}");
    }
    let all = all_registrations(&app, &p).await;
    let taken = per_school(&all, &schools);
    for (t, c) in taken.iter().zip(&caps) {
        assert!(*t <= *c as usize, "{taken:?} against caps {caps:?}");
    }
    assert_eq!(
        taken.iter().sum::<usize>(),
        50,
        "every place taken: {taken:?}"
    );
    waiting_list(&all);
    // Cancel, one at a time, a place of a school at its cap and of one below it: each time the
    // place goes to the first in line whose school is under its cap, and nobody else moves.
    let mut all = all;
    for _ in 0..4 {
        let taken = per_school(&all, &schools);
        let at_cap = (0..schools.len()).find(|i| taken[*i] == caps[*i] as usize);
        let under = (0..schools.len()).find(|i| taken[*i] < caps[*i] as usize);
        for school in [at_cap, under].into_iter().flatten() {
            let victim = all
                .iter()
                .find(|r| {
                    r["status"] == "confirmed" && r["workplace_organisation_id"] == schools[school]
                })
                .cloned()
                .unwrap();
            let mut freed = per_school(&all, &schools);
            freed[school] -= 1;
            let waiting: Vec<Value> = waiting_list(&all).into_iter().cloned().collect();
            let expected = waiting.iter().find(|w| {
                let i = schools
                    .iter()
                    .position(|s| w["workplace_organisation_id"] == *s)
                    .unwrap();
                freed[i] < caps[i] as usize
            });
            let r = app
                .post(
                    &format!(
                        "/api/v1/registrations/{}/cancel",
                        victim["id"].as_str().unwrap()
                    ),
                    Some(&p.organiser),
                    json!({"reason": "Changed schools."}),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            let now = all_registrations(&app, &p).await;
            let promoted: Vec<&Value> = now
                .iter()
                .filter(|r| {
                    r["status"] == "confirmed" && waiting.iter().any(|w| w["id"] == r["id"])
                })
                .collect();
            match expected {
                Some(e) => {
                    assert_eq!(promoted.len(), 1, "one place, one promotion");
                    assert_eq!(promoted[0]["id"], e["id"], "the first in line who fits");
                }
                None => assert!(promoted.is_empty()),
            }
            let taken = per_school(&now, &schools);
            for (t, c) in taken.iter().zip(&caps) {
                assert!(*t <= *c as usize, "{taken:?}");
            }
            waiting_list(&now);
            all = now;
        }
    }
}

#[tokio::test]
async fn without_the_programme_lock_seat_caps_are_overrun() {
    let app = spawn_app_with(&[("KOMPETENS_RACE_PROBE", "programme-lock:off:2")]).await;
    if !app.on_postgres() {
        eprintln!("skipped on SQLite: its write transactions are serialised");
        return;
    }
    let caps = [3u32, 3];
    let (_, _, results) = capped_rush(&app, 20, 40, &caps).await;
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    for (_, b) in results.iter().filter(|(_, b)| b["status"] == "confirmed") {
        *per.entry(
            b["workplace_organisation_id"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
        .or_default() += 1;
    }
    assert!(
        per.values().any(|n| *n > 3),
        "with the lock off the race must show: {per:?} against caps of 3"
    );
}

#[tokio::test]
async fn loosening_a_cap_seats_those_it_held_back_at_once() {
    let app = spawn_app().await;
    let (p, schools, _) = capped_rush(&app, 3, 10, &[1, 1]).await;
    let all = all_registrations(&app, &p).await;
    assert_eq!(per_school(&all, &schools), [1, 1]);
    let b = change(
        &app,
        &p,
        json!({"seat_caps": [{"organisation_id": schools[0], "places": 3}, {"organisation_id": schools[1], "places": 1}]}),
    )
    .await;
    assert_eq!(b["confirmed_count"], 4, "{b}");
    let all = all_registrations(&app, &p).await;
    assert_eq!(per_school(&all, &schools), [3, 1]);
    waiting_list(&all);
}

#[tokio::test]
async fn priority_and_caps_are_checked_against_the_programme() {
    let app = spawn_app().await;
    let p = app
        .open_programme(Some(10), "first_come_first_served")
        .await;
    let nowhere = uuid::Uuid::now_v7();
    let until = (Utc::now() + Duration::days(3)).to_rfc3339();
    let cases = [
        (
            json!({"priority": {"job_roles": ["teacher"], "reserved_places": 11, "reserved_until": until}}),
            "/priority/reserved_places",
        ),
        (
            json!({"priority": {"job_roles": ["teacher"], "reserved_places": 2}}),
            "/priority/reserved_until",
        ),
        (
            json!({"priority": {"job_roles": [], "reserved_places": 0}}),
            "/priority/job_roles",
        ),
        (
            json!({"priority": {"job_roles": ["teacher"], "reserved_places": 5, "reserved_until": until}, "capacity": null}),
            "/priority/reserved_places",
        ),
        (
            json!({"seat_caps": [{"organisation_id": nowhere, "places": 2}]}),
            "/seat_caps/0/organisation_id",
        ),
        (
            json!({"seat_caps": [{"organisation_id": p.organisation, "places": 11}]}),
            "/seat_caps/0/places",
        ),
        (
            json!({"seat_caps": [{"organisation_id": p.organisation, "places": 1}, {"organisation_id": p.organisation, "places": 2}]}),
            "/seat_caps/1/organisation_id",
        ),
        (
            json!({"seat_caps": [{"organisation_id": p.organisation, "places": 0}]}),
            "/seat_caps/0/places",
        ),
    ];
    for (body, pointer) in cases {
        let r = app
            .patch(
                &format!("/api/v1/programmes/{}", p.id),
                Some(&p.organiser),
                body.clone(),
            )
            .await;
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        let pointers: BTreeSet<&str> = r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["pointer"].as_str())
            .collect();
        assert!(pointers.contains(pointer), "{body}: {}", r.text);
    }
    // Lowering the capacity under the reserved places is refused the same way.
    change(
        &app,
        &p,
        json!({"priority": {"job_roles": ["teacher"], "reserved_places": 8, "reserved_until": until}}),
    )
    .await;
    let r = app
        .patch(
            &format!("/api/v1/programmes/{}", p.id),
            Some(&p.organiser),
            json!({"capacity": 5}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
}
