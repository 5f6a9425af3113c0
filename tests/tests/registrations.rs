//! Registrations under load: exact capacity, exact and gapless waiting lists in order of
//! arrival, promotion in the same transaction, idempotent retries, and privacy.

use std::collections::BTreeSet;

use futures_util::future::join_all;
use kompetens_tests::{OpenProgramme, TestApp, spawn_app};
use serde_json::{Value, json};

async fn register(
    client: &kompetens_tests::Client,
    base: &str,
    programme: &str,
    token: &str,
) -> (u16, Value) {
    let r = client
        .post(format!(
            "{base}/api/v1/programmes/{programme}/registrations"
        ))
        .bearer_auth(token)
        .json(&json!({}))
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

/// The invariants: confirmed ≤ capacity; positions 1..n, gapless, in order of arrival; the
/// programme's counters agree with the registrations.
async fn check_invariants(app: &TestApp, p: &OpenProgramme, capacity: usize) -> (usize, usize) {
    let all = all_registrations(app, p).await;
    let confirmed: Vec<&Value> = all.iter().filter(|r| r["status"] == "confirmed").collect();
    let mut waiting: Vec<&Value> = all.iter().filter(|r| r["status"] == "waitlisted").collect();
    assert!(
        confirmed.len() <= capacity,
        "{} confirmed for {capacity} places",
        confirmed.len()
    );
    waiting.sort_by_key(|r| r["arrival"].as_i64());
    let positions: Vec<u64> = waiting
        .iter()
        .map(|r| r["waitlist_position"].as_u64().unwrap())
        .collect();
    assert_eq!(
        positions,
        (1..=waiting.len() as u64).collect::<Vec<_>>(),
        "gapless, in order of arrival"
    );
    if !waiting.is_empty() {
        assert_eq!(
            confirmed.len(),
            capacity,
            "nobody waits while a place is free"
        );
    }
    let programme = app.get(&format!("/api/v1/programmes/{}", p.id), None).await;
    assert_eq!(programme.body["confirmed_count"], confirmed.len());
    assert_eq!(programme.body["waitlist_count"], waiting.len());
    (confirmed.len(), waiting.len())
}

async fn three_hundred_for_thirty(app: &TestApp, bases: &[String]) {
    let p = app
        .open_programme(Some(30), "first_come_first_served")
        .await;
    let people = app.participants("rush", 300).await;
    let client = app.client.clone();
    let results = join_all(people.iter().enumerate().map(|(i, (_, token))| {
        let base = &bases[i % bases.len()];
        register(&client, base, &p.id, token)
    }))
    .await;
    for (status, body) in &results {
        assert_eq!(*status, 201, "{body}");
    }
    let confirmed: Vec<&Value> = results
        .iter()
        .map(|r| &r.1)
        .filter(|b| b["status"] == "confirmed")
        .collect();
    let waiting: Vec<&Value> = results
        .iter()
        .map(|r| &r.1)
        .filter(|b| b["status"] == "waitlisted")
        .collect();
    assert_eq!(confirmed.len(), 30);
    assert_eq!(waiting.len(), 270);
    // The confirmed are the 30 earliest to commit: arrivals 1–30 (arrival is assigned under the
    // programme's lock, i.e. in commit order, and created_at follows it).
    let arrivals: BTreeSet<i64> = confirmed
        .iter()
        .map(|b| b["arrival"].as_i64().unwrap())
        .collect();
    assert_eq!(arrivals, (1..=30).collect());
    let positions: BTreeSet<u64> = waiting
        .iter()
        .map(|b| b["waitlist_position"].as_u64().unwrap())
        .collect();
    assert_eq!(
        positions,
        (1..=270).collect(),
        "positions 1..270, no gaps or duplicates"
    );
    for w in &waiting {
        assert_eq!(
            w["waitlist_position"].as_i64().unwrap(),
            w["arrival"].as_i64().unwrap() - 30
        );
    }
    let mut by_arrival: Vec<&Value> = results.iter().map(|r| &r.1).collect();
    by_arrival.sort_by_key(|b| b["arrival"].as_i64());
    let times: Vec<&str> = by_arrival
        .iter()
        .map(|b| b["created_at"].as_str().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "created_at follows arrival"
    );
    assert_eq!(check_invariants(app, &p, 30).await, (30, 270));
}

#[tokio::test]
async fn three_hundred_concurrent_registrations_for_thirty_places() {
    let app = spawn_app().await;
    three_hundred_for_thirty(&app, std::slice::from_ref(&app.address)).await;
}

/// The twin of the test above: with the programme's row lock switched off (a race probe that
/// also pauses between reading the counters and writing), the same rush must overbook — the
/// test can see the race the lock prevents.
#[tokio::test]
async fn without_the_programme_lock_a_rush_overbooks() {
    let app =
        kompetens_tests::spawn_app_with(&[("KOMPETENS_RACE_PROBE", "programme-lock:off:5")]).await;
    if !app.on_postgres() {
        // SQLite's BEGIN IMMEDIATE admits one writer at a time whatever the row locks say.
        eprintln!("skipped on SQLite: its write transactions are serialised");
        return;
    }
    let p = app
        .open_programme(Some(10), "first_come_first_served")
        .await;
    let people = app.participants("unguarded", 60).await;
    let results = join_all(
        people
            .iter()
            .map(|(_, token)| register(&app.client, &app.address, &p.id, token)),
    )
    .await;
    let confirmed = results
        .iter()
        .filter(|(_, b)| b["status"] == "confirmed")
        .count();
    assert!(
        confirmed > 10,
        "with the lock off the rush must overbook: {confirmed} confirmed for 10 places"
    );
}

#[tokio::test]
async fn two_instances_sharing_one_postgresql_database_never_overbook() {
    let app = spawn_app().await;
    if !app.on_postgres() {
        // One SQLite file belongs to one process; scale-out is a PostgreSQL deployment.
        return;
    }
    let second = app.second_instance().await;
    three_hundred_for_thirty(&app, &[app.address.clone(), second]).await;
}

#[tokio::test]
async fn cancellations_and_registrations_at_once_keep_capacity_and_order() {
    let app = spawn_app().await;
    let capacity = 20;
    let p = app
        .open_programme(Some(capacity as u32), "first_come_first_served")
        .await;
    let first = app.participants("first", 100).await;
    let mut registered = Vec::new();
    for (_, token) in &first {
        let (status, body) = register(&app.client, &app.address, &p.id, token).await;
        assert_eq!(status, 201, "{body}");
        registered.push((token.clone(), body["id"].as_str().unwrap().to_string()));
    }
    check_invariants(&app, &p, capacity).await;
    let second = app.participants("second", 100).await;

    // 100 cancel while 100 others register, while a watcher checks the invariant throughout.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let client = app.client.clone();
        let url = app.url(&format!("/api/v1/programmes/{}", p.id));
        let done = done.clone();
        tokio::spawn(async move {
            let mut checks = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                let body: Value = client.get(&url).send().await.unwrap().json().await.unwrap();
                let confirmed = body["confirmed_count"].as_u64().unwrap();
                assert!(
                    confirmed <= capacity as u64,
                    "{confirmed} confirmed for {capacity} places"
                );
                checks += 1;
            }
            checks
        })
    };
    let client = app.client.clone();
    let cancels = registered.iter().map(|(token, id)| {
        let client = client.clone();
        let url = app.url(&format!("/api/v1/registrations/{id}/cancel"));
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let registers = second
        .iter()
        .map(|(_, token)| register(&client, &app.address, &p.id, token));
    let (cancelled, joined) = tokio::join!(join_all(cancels), join_all(registers));
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let checks = watcher.await.unwrap();
    assert!(checks > 0);
    assert!(cancelled.iter().all(|s| *s == 200), "{cancelled:?}");
    assert!(joined.iter().all(|(s, _)| *s == 201));
    let (confirmed, waiting) = check_invariants(&app, &p, capacity).await;
    assert_eq!((confirmed, waiting), (capacity, 100 - capacity));
    // Every one of the second wave who got a place got it in order of arrival.
    let all = all_registrations(&app, &p).await;
    let mut active: Vec<&Value> = all
        .iter()
        .filter(|r| r["status"] == "confirmed" || r["status"] == "waitlisted")
        .collect();
    active.sort_by_key(|r| r["arrival"].as_i64());
    let statuses: Vec<&str> = active
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    let firsts = statuses.iter().take_while(|s| **s == "confirmed").count();
    assert_eq!(
        firsts, capacity,
        "the confirmed are the earliest arrivals: {statuses:?}"
    );
}

async fn status(
    app: &TestApp,
    ids: &[String],
    people: &[(String, String)],
    i: usize,
) -> (String, Option<u64>) {
    let r = app
        .get(
            &format!("/api/v1/registrations/{}", ids[i]),
            Some(&people[i].1),
        )
        .await;
    (
        r.body["status"].as_str().unwrap().to_string(),
        r.body["waitlist_position"].as_u64(),
    )
}

#[tokio::test]
async fn a_freed_place_goes_to_the_first_in_line_and_raising_capacity_promotes_in_order() {
    let app = spawn_app().await;
    let p = app.open_programme(Some(2), "first_come_first_served").await;
    let people = app.participants("line", 5).await;
    let mut ids = Vec::new();
    for (_, token) in &people {
        let (_, body) = register(&app.client, &app.address, &p.id, token).await;
        ids.push(body["id"].as_str().unwrap().to_string());
    }
    assert_eq!(
        status(&app, &ids, &people, 3).await,
        ("waitlisted".into(), Some(2))
    );
    // The participant cancels; the first in line (the third to arrive) gets the place at once.
    let r = app
        .post(
            &format!("/api/v1/registrations/{}/cancel", ids[0]),
            Some(&people[0].1),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        status(&app, &ids, &people, 2).await,
        ("confirmed".into(), None)
    );
    assert_eq!(
        status(&app, &ids, &people, 3).await,
        ("waitlisted".into(), Some(1))
    );
    assert_eq!(
        status(&app, &ids, &people, 4).await,
        ("waitlisted".into(), Some(2))
    );
    // An organiser cancels only with a reason.
    let r = app
        .post(
            &format!("/api/v1/registrations/{}/cancel", ids[1]),
            Some(&p.organiser),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    // Capacity raised by two: both waiting are confirmed, in order.
    let r = app
        .patch(
            &format!("/api/v1/programmes/{}", p.id),
            Some(&p.organiser),
            json!({"capacity": 4}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["confirmed_count"], 4);
    assert_eq!(
        status(&app, &ids, &people, 4).await,
        ("confirmed".into(), None)
    );
    // Capacity cannot drop below those holding places.
    let r = app
        .patch(
            &format!("/api/v1/programmes/{}", p.id),
            Some(&p.organiser),
            json!({"capacity": 3}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    // Registering twice points at the existing registration.
    let (status_code, body) = register(&app.client, &app.address, &p.id, &people[2].1).await;
    assert_eq!(status_code, 409);
    assert_eq!(body["type"], "/problems/already-registered");
    assert_eq!(
        body["existing"],
        format!("/api/v1/registrations/{}", ids[2])
    );
    // A cancelled participant may register again, at the back of the line.
    let (status_code, body) = register(&app.client, &app.address, &p.id, &people[0].1).await;
    assert_eq!(status_code, 201, "{body}");
    assert_eq!(body["arrival"], 6);
}

#[tokio::test]
async fn the_same_person_registering_twenty_times_at_once_holds_one_place() {
    let app = spawn_app().await;
    let p = app.open_programme(Some(1), "first_come_first_served").await;
    let (_, token) = app.signup("eager@example.org").await;
    let base = app.address.clone();
    let attempts = (0..20).map(|_| register(&app.client, &base, &p.id, &token));
    let results = join_all(attempts).await;
    let created: Vec<&Value> = results
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(created.len(), 1, "{results:?}");
    let id = created[0]["id"].as_str().unwrap();
    for (status, body) in results.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(*status, 409, "{body}");
        assert_eq!(body["type"], "/problems/already-registered");
        assert_eq!(body["existing"], format!("/api/v1/registrations/{id}"));
    }
    // One place taken, nobody waiting, one registration: the refused attempts left nothing.
    let (confirmed, waitlisted) = check_invariants(&app, &p, 1).await;
    assert_eq!((confirmed, waitlisted), (1, 0));
    assert_eq!(all_registrations(&app, &p).await.len(), 1);
    // The arrival counter did not skip: the next person arrives second.
    let (_, other) = app.signup("second@example.org").await;
    let (status, body) = register(&app.client, &base, &p.id, &other).await;
    assert_eq!(status, 201);
    assert_eq!(body["arrival"], 2);
    assert_eq!(body["waitlist_position"], 1);
}

#[tokio::test]
async fn fifty_concurrent_retries_with_one_key_create_one_registration() {
    let app = spawn_app().await;
    let p = app
        .open_programme(Some(30), "first_come_first_served")
        .await;
    let (_, token) = app.signup("retry@example.org").await;
    let url = app.url(&format!("/api/v1/programmes/{}/registrations", p.id));
    let attempts = (0..50).map(|_| {
        let client = app.client.clone();
        let url = url.clone();
        let token = token.clone();
        async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .header("idempotency-key", "8e0c1d7a-retry")
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let replayed = r.headers().get("idempotent-replayed").is_some();
            (r.status().as_u16(), replayed, r.text().await.unwrap())
        }
    });
    let results = join_all(attempts).await;
    assert!(
        results.iter().all(|(s, _, _)| *s == 201),
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    let bodies: BTreeSet<&str> = results.iter().map(|(_, _, b)| b.as_str()).collect();
    assert_eq!(bodies.len(), 1, "every reply is byte-for-byte the first");
    assert_eq!(
        results.iter().filter(|(_, replayed, _)| !replayed).count(),
        1
    );
    assert_eq!(all_registrations(&app, &p).await.len(), 1);
    // The same key with another body is refused.
    let r = app
        .client
        .post(&url)
        .bearer_auth(&token)
        .header("idempotency-key", "8e0c1d7a-retry")
        .json(&json!({"email": "x@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
}

#[tokio::test]
async fn participants_see_and_cancel_only_their_own_registrations() {
    let app = spawn_app().await;
    let p = app.open_programme(Some(5), "first_come_first_served").await;
    let (_, anna) = app.signup("anna@example.org").await;
    let (_, jan) = app.signup("jan@example.org").await;
    let (_, body) = register(&app.client, &app.address, &p.id, &anna).await;
    let annas = body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/registrations/{annas}");
    assert_eq!(app.get(&path, Some(&jan)).await.status, 404);
    assert_eq!(
        app.post(&format!("{path}/cancel"), Some(&jan), json!({}))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/programmes/{}/registrations", p.id),
            Some(&jan)
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/programmes/{}/registrations", p.id),
            Some(&anna)
        )
        .await
        .status,
        404
    );
    let mine = app.get("/api/v1/me/registrations", Some(&jan)).await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 0);
    let mine = app.get("/api/v1/me/registrations", Some(&anna)).await;
    assert_eq!(mine.body["items"][0]["id"], annas);
    assert_eq!(app.get(&path, Some(&anna)).await.status, 200);
    assert_eq!(app.get(&path, Some(&p.organiser)).await.status, 200);
}

#[tokio::test]
async fn a_batch_reports_each_entry_and_replays_as_a_whole() {
    let app = spawn_app().await;
    let p = app.open_programme(Some(2), "first_come_first_served").await;
    let url = app.url(&format!("/api/v1/programmes/{}/registrations/batch", p.id));
    let entries = json!({"entries": [
        {"email": "a@example.org", "name": "Ana"},
        {"email": "b@example.org", "locale": "sv"},
        {"email": "c@example.org"},
        {"email": "A@example.org"},
        {"participant_id": "not-a-uuid"},
        {"participant_id": "0190a000-0000-7000-8000-000000000000"}
    ]});
    let send = |body: Value| {
        let client = app.client.clone();
        let url = url.clone();
        let token = p.organiser.clone();
        async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .header("idempotency-key", "batch-1")
                .json(&body)
                .send()
                .await
                .unwrap();
            let replayed = r.headers().get("idempotent-replayed").is_some();
            (r.status().as_u16(), replayed, r.text().await.unwrap())
        }
    };
    let (status, replayed, text) = send(entries.clone()).await;
    assert_eq!((status, replayed), (200, false), "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    let statuses: Vec<u64> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [201, 201, 201, 409, 422, 422]);
    assert_eq!(
        (body["created"].as_u64(), body["failed"].as_u64()),
        (Some(3), Some(3))
    );
    let kinds: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["registration"]["status"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        kinds,
        ["confirmed", "confirmed", "waitlisted", "-", "-", "-"]
    );
    assert_eq!(
        body["results"][3]["problem"]["type"],
        "/problems/already-registered"
    );
    assert_eq!(
        body["results"][4]["problem"]["errors"][0]["pointer"],
        "/participant_id"
    );
    // The retry replays byte for byte and creates nothing.
    let (status, replayed, again) = send(entries).await;
    assert_eq!((status, replayed), (200, true));
    assert_eq!(again, text);
    assert_eq!(all_registrations(&app, &p).await.len(), 3);
    let (status, _, text) = send(json!({"entries": []})).await;
    assert_eq!(status, 422, "same key, other body: {text}");
    // Bounds and permissions.
    let many: Vec<Value> = (0..501)
        .map(|i| json!({"email": format!("p{i}@example.org")}))
        .collect();
    let r = app
        .post(
            &format!("/api/v1/programmes/{}/registrations/batch", p.id),
            Some(&p.organiser),
            json!({"entries": many}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let (_, participant) = app.signup("someone@example.org").await;
    let r = app
        .post(
            &format!("/api/v1/programmes/{}/registrations/batch", p.id),
            Some(&participant),
            json!({"entries": [{}]}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
}

#[tokio::test]
async fn organisers_export_registrations_as_csv_and_filter_them() {
    let app = spawn_app().await;
    let p = app.open_programme(Some(1), "first_come_first_served").await;
    let school = app
        .organisation(&app.admin_token, "SP 12", Some(&p.organisation))
        .await;
    let people = app.participants("csv", 3).await;
    app.grant(&school, "csv-0@example.org", "participant").await;
    let r = app.patch("/api/v1/me", Some(&people[0].1), json!({"workplace_organisation_id": school, "job_role": "teacher", "name": "Kowalska, \"Ania\""})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    for (_, token) in &people {
        register(&app.client, &app.address, &p.id, token).await;
    }
    let r = app
        .client
        .get(app.url(&format!("/api/v1/programmes/{}/registrations", p.id)))
        .bearer_auth(&p.organiser)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].starts_with("registration_id,participant_id,name,email"));
    assert!(
        lines[1].contains("\"Kowalska, \"\"Ania\"\"\",csv-0@example.org"),
        "{csv}"
    );
    // Where they worked when registering, and whether a roster said so.
    assert!(
        lines[1].contains(",teacher,false,false,confirmed,,"),
        "{csv}"
    );
    assert!(lines[3].contains(",waitlisted,2,"), "{csv}");
    let filtered = app
        .all_pages(
            &format!(
                "/api/v1/programmes/{}/registrations?status=waitlisted",
                p.id
            ),
            Some(&p.organiser),
            1,
        )
        .await;
    assert_eq!(filtered.len(), 2);
    let by_school = app
        .all_pages(
            &format!(
                "/api/v1/programmes/{}/registrations?organisation_id={school}&job_role=teacher",
                p.id
            ),
            Some(&p.organiser),
            5,
        )
        .await;
    assert_eq!(by_school.len(), 1);
    assert_eq!(by_school[0]["participant_id"], people[0].0);
}

#[tokio::test]
async fn sessions_with_their_own_places_fill_in_order_and_never_overbook() {
    let app = spawn_app().await;
    let p = app
        .open_programme(Some(40), "first_come_first_served")
        .await;
    let base = format!("/api/v1/programmes/{}/sessions", p.id);
    let slot = |n: u32| {
        json!({"title": {"pl": format!("Sesja tematyczna {n}")}, "activity_type": "thematic_session", "raise_budget": true,
        "starts_at": "2027-06-14T14:00:00+02:00", "ends_at": "2027-06-14T15:30:00+02:00", "capacity": 5, "parallel_group": "tematyczne"})
    };
    let first = app.create(&base, &p.organiser, slot(1)).await;
    let second = app.create(&base, &p.organiser, slot(2)).await;
    let plenary = app
        .create(
            &base,
            &p.organiser,
            json!({"title": {"pl": "Plenarna"}, "activity_type": "plenary", "raise_budget": true,
        "starts_at": "2027-06-14T09:00:00+02:00", "ends_at": "2027-06-14T10:00:00+02:00"}),
        )
        .await;
    let people = app.participants("chooser", 12).await;
    let mut registrations = Vec::new();
    for (_, token) in &people {
        let (_, body) = register(&app.client, &app.address, &p.id, token).await;
        registrations.push(body["id"].as_str().unwrap().to_string());
    }
    // Twelve choose the same five-place session at once.
    let choose = |i: usize, sessions: Value| {
        let client = app.client.clone();
        let url = app.url(&format!(
            "/api/v1/registrations/{}/sessions",
            registrations[i]
        ));
        let token = people[i].1.clone();
        async move {
            let r = client
                .put(url)
                .bearer_auth(token)
                .json(&json!({"session_ids": sessions}))
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let results = join_all((0..12).map(|i| choose(i, json!([first])))).await;
    assert!(results.iter().all(|(s, _)| *s == 200), "{results:?}");
    let states: Vec<(&str, Option<u64>)> = results
        .iter()
        .map(|(_, b)| {
            (
                b["session_choices"][0]["status"].as_str().unwrap(),
                b["session_choices"][0]["waitlist_position"].as_u64(),
            )
        })
        .collect();
    assert_eq!(states.iter().filter(|(s, _)| *s == "confirmed").count(), 5);
    let positions: BTreeSet<u64> = states.iter().filter_map(|(_, p)| *p).collect();
    assert_eq!(positions, (1..=7).collect());
    let holder = results
        .iter()
        .position(|(_, b)| b["session_ids"] == json!([first]))
        .unwrap();
    let first_in_line = results
        .iter()
        .position(|(_, b)| b["session_choices"][0]["waitlist_position"] == 1)
        .unwrap();
    // A holder switches to the other session: the first in line takes the freed place.
    let (status, body) = choose(holder, json!([second])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["session_ids"], json!([second]));
    let now = app
        .get(
            &format!("/api/v1/registrations/{}", registrations[first_in_line]),
            Some(&people[first_in_line].1),
        )
        .await;
    assert_eq!(now.body["session_ids"], json!([first]), "{}", now.text);
    // Cancelling a registration frees its session place too.
    let next_in_line = results
        .iter()
        .position(|(_, b)| b["session_choices"][0]["waitlist_position"] == 2)
        .unwrap();
    let r = app
        .post(
            &format!(
                "/api/v1/registrations/{}/cancel",
                registrations[first_in_line]
            ),
            Some(&people[first_in_line].1),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let now = app
        .get(
            &format!("/api/v1/registrations/{}", registrations[next_in_line]),
            Some(&people[next_in_line].1),
        )
        .await;
    assert_eq!(now.body["session_ids"], json!([first]));
    // One per parallel group; only sessions with their own places.
    let (status, body) = choose(holder, json!([first, second])).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["pointer"], "/session_ids/1");
    let (status, body) = choose(holder, json!([plenary])).await;
    assert_eq!(status, 422, "{body}");
    // Someone else's registration is invisible.
    let r = app
        .put(
            &format!("/api/v1/registrations/{}/sessions", registrations[0]),
            Some(&people[1].1),
            json!({"session_ids": []}),
        )
        .await;
    assert_eq!(r.status, 404);
}
