//! For every endpoint: anonymous / participant / trainer / organiser of another organisation /
//! organiser / admin get exactly the status they should.

use kompetens_tests::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

struct World {
    city: String,
    school: String,
    tokens: Vec<(&'static str, Option<String>)>,
}

async fn world(app: &TestApp) -> World {
    let city = app.organisation(&app.admin_token, "Gdańsk", None).await;
    let school = app
        .organisation(&app.admin_token, "SP 12", Some(&city))
        .await;
    let other = app.organisation(&app.admin_token, "Gdynia", None).await;
    let (_, participant) = app.signup("participant@example.org").await;
    let (_, trainer) = app.signup("trainer@example.org").await;
    let (_, stranger) = app.signup("stranger@example.org").await;
    let (_, organiser) = app.signup("organiser@example.org").await;
    app.grant(&school, "participant@example.org", "participant")
        .await;
    app.grant(&school, "trainer@example.org", "trainer").await;
    app.grant(&other, "stranger@example.org", "organiser").await;
    app.grant(&city, "organiser@example.org", "organiser").await;
    for i in 0..6 {
        app.signup(&format!("extra{i}@example.org")).await;
    }
    World {
        city,
        school,
        tokens: vec![
            ("anonymous", None),
            ("participant", Some(participant)),
            ("trainer", Some(trainer)),
            ("other organiser", Some(stranger)),
            ("organiser", Some(organiser)),
            ("admin", Some(app.admin_token.clone())),
        ],
    }
}

/// Sends every row's request as each kind of caller; fails listing every status that differs
/// from the row's. `body(row, caller)` gives the body to send.
async fn run_rows(
    app: &TestApp,
    w: &World,
    rows: &[(Method, String, [u16; 6])],
    body: impl Fn(usize, usize) -> Option<Value>,
) {
    let mut failures = Vec::new();
    for (n, (method, path, expected)) in rows.iter().enumerate() {
        for (i, (who, token)) in w.tokens.iter().enumerate() {
            let r = app
                .call(method.clone(), path, token.as_deref(), body(n, i))
                .await;
            if r.status.as_u16() != expected[i] {
                failures.push(format!(
                    "{method} {path} as {who}: expected {}, got {} {}",
                    expected[i], r.status, r.text
                ));
            }
            if r.status.as_u16() >= 400 {
                assert_eq!(
                    r.header("content-type"),
                    Some("application/problem+json"),
                    "{method} {path} as {who}"
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix mismatches:\n{}",
        failures.join("\n")
    );
}

/// One row: a request built per actor (index 0–5) and the six expected statuses.
type Body = fn(usize, &World) -> Option<Value>;

#[tokio::test]
async fn every_endpoint_answers_each_kind_of_caller_as_it_should() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let school = w.school.clone();
    let city = w.city.clone();
    let rows: Vec<(Method, String, Body, [u16; 6])> = vec![
        (
            Method::GET,
            "/api/v1/me".into(),
            |_, _| None,
            [401, 200, 200, 200, 200, 200],
        ),
        (
            Method::PATCH,
            "/api/v1/me".into(),
            |_, _| Some(json!({"locale": "pl"})),
            [401, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/v1/organisations".into(),
            |_, _| None,
            [401, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/organisations/{school}"),
            |_, _| None,
            [401, 200, 200, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/organisations/{city}"),
            |_, _| None,
            [401, 404, 404, 404, 200, 200],
        ),
        (
            Method::PATCH,
            format!("/api/v1/organisations/{school}"),
            |_, _| Some(json!({"name": "SP 12 Gdańsk"})),
            [401, 403, 403, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/organisations/{school}/members"),
            |_, _| None,
            [401, 403, 403, 404, 200, 200],
        ),
        (
            Method::POST,
            format!("/api/v1/organisations/{school}/members"),
            |i, _| Some(json!({"email": format!("extra{i}@example.org"), "role": "participant"})),
            [401, 403, 403, 404, 201, 201],
        ),
        (
            Method::POST,
            "/api/v1/organisations".into(),
            |_, _| {
                Some(
                    json!({"name": "Top", "kind": "metropolitan_association", "country": "PL", "time_zone": "Europe/Warsaw"}),
                )
            },
            [401, 403, 403, 403, 403, 201],
        ),
        (
            Method::POST,
            "/api/v1/organisations".into(),
            |_, w| {
                Some(
                    json!({"name": "Przedszkole 3", "kind": "kindergarten", "parent_id": w.school}),
                )
            },
            [401, 403, 403, 422, 201, 201],
        ),
        (
            Method::POST,
            "/api/v1/me/api-tokens".into(),
            |_, w| {
                Some(json!({"name": "script", "organisation_id": w.school, "role": "participant"}))
            },
            [401, 201, 403, 422, 201, 201],
        ),
        (
            Method::GET,
            "/api/v1/me/api-tokens".into(),
            |_, _| None,
            [401, 200, 200, 200, 200, 200],
        ),
        (
            Method::POST,
            "/api/v1/auth/logout".into(),
            |_, _| None,
            [401, 204, 204, 204, 204, 204],
        ),
    ];
    let bodies: Vec<Body> = rows.iter().map(|r| r.2).collect();
    let rows: Vec<(Method, String, [u16; 6])> =
        rows.into_iter().map(|(m, p, _, e)| (m, p, e)).collect();
    run_rows(&app, &w, &rows, |n, i| bodies[n](i, &w)).await;
}

#[tokio::test]
async fn members_can_be_revoked_only_by_organisers_of_the_subtree() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let members = app
        .get(
            &format!("/api/v1/organisations/{}/members", w.school),
            Some(&app.admin_token),
        )
        .await;
    let trainer_membership = members.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "trainer")
        .and_then(|m| m["id"].as_str())
        .unwrap()
        .to_string();
    let path = format!(
        "/api/v1/organisations/{}/members/{trainer_membership}",
        w.school
    );
    let expected = [401, 403, 403, 404];
    for (i, (who, token)) in w.tokens.iter().take(4).enumerate() {
        assert_eq!(
            app.delete(&path, token.as_deref()).await.status.as_u16(),
            expected[i],
            "{who}"
        );
    }
    let organiser = w.tokens[4].1.clone();
    assert_eq!(app.delete(&path, organiser.as_deref()).await.status, 204);
    assert_eq!(app.delete(&path, organiser.as_deref()).await.status, 404);
}

#[tokio::test]
async fn lists_show_only_what_the_caller_may_see_and_paginate() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for i in 0..5 {
        app.organisation(&app.admin_token, &format!("Szkoła {i}"), Some(&w.school))
            .await;
    }
    let participant = w.tokens[1].1.clone().unwrap();
    let seen = app.get("/api/v1/organisations", Some(&participant)).await;
    assert_eq!(seen.body["items"].as_array().unwrap().len(), 1);
    let organiser = w.tokens[4].1.clone().unwrap();
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/organisations?limit=3&cursor={c}"),
            None => "/api/v1/organisations?limit=3".to_string(),
        };
        let page = app.get(&path, Some(&organiser)).await;
        assert_eq!(page.status, 200, "{}", page.text);
        for item in page.body["items"].as_array().unwrap() {
            ids.push(item["id"].as_str().unwrap().to_string());
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    // city + school + 5 schools, each once, in creation order; never the other city.
    assert_eq!(ids.len(), 7, "{ids:?}");
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, ids);
    let children = app
        .get(
            &format!("/api/v1/organisations?parent_id={}", w.school),
            Some(&organiser),
        )
        .await;
    assert_eq!(children.body["items"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn catalogue_endpoints_answer_each_kind_of_caller_as_they_should() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token.clone();
    let city = w.city.clone();
    // The trainer (of the school, below the city) teaches a session of the draft.
    let trainer_id = app.get("/api/v1/me", w.tokens[2].1.as_deref()).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let funder = app.create("/api/v1/funders", &admin, json!({"organisation_id": city, "name": "UNICEF", "kind": "international_organisation"})).await;
    let grant = app.create("/api/v1/grants", &admin, json!({"funder_id": funder, "recipient_organisation_id": city, "reference": "R", "title": "T", "amount": {"amount_minor": 100, "currency": "PLN"}, "starts_on": "2026-01-01", "ends_on": "2026-12-31"})).await;
    let venue = app.create("/api/v1/venues", &admin, json!({"organisation_id": city, "name": "Aula", "address": "ul. Długa 1", "city": "Gdańsk", "country": "PL"})).await;
    let new_programme = json!({"organisation_id": city, "kind": "course_cycle", "title": {"pl": "Cykl"}, "starts_on": "2027-01-01", "ends_on": "2027-01-31"});
    let draft = app
        .create("/api/v1/programmes", &admin, new_programme.clone())
        .await;
    let new_session = json!({"title": {"pl": "Warsztat"}, "activity_type": "workshop", "raise_budget": true, "starts_at": "2027-01-10T09:00:00+01:00", "ends_at": "2027-01-10T10:00:00+01:00", "trainer_ids": [trainer_id]});
    let draft_session = app
        .create(
            &format!("/api/v1/programmes/{draft}/sessions"),
            &admin,
            new_session,
        )
        .await;
    // The rows that create sessions do it twice each, at one hour: without a trainer, who would
    // be double-booked.
    let more_sessions = json!({"title": {"pl": "Warsztat"}, "activity_type": "workshop", "raise_budget": true, "starts_at": "2027-01-10T09:00:00+01:00", "ends_at": "2027-01-10T10:00:00+01:00"});
    let published = app.create("/api/v1/programmes", &admin, json!({"organisation_id": city, "kind": "conference", "title": {"pl": "Konferencja"}, "starts_on": "2027-01-01", "ends_on": "2027-01-31", "registration_opens_at": "2026-12-01T00:00:00Z", "registration_closes_at": "2026-12-31T00:00:00Z"})).await;
    let published_session = app.create(&format!("/api/v1/programmes/{published}/sessions"), &admin, json!({"title": {"pl": "Plenarna"}, "activity_type": "plenary", "raise_budget": true, "starts_at": "2027-01-10T09:00:00+01:00", "ends_at": "2027-01-10T10:00:00+01:00"})).await;
    let r = app
        .post(
            &format!("/api/v1/programmes/{published}/publish"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let d = format!("/api/v1/programmes/{draft}");
    let p = format!("/api/v1/programmes/{published}");
    let rows: Vec<(Method, String, Option<Value>, [u16; 6])> = vec![
        (
            Method::POST,
            "/api/v1/funders".into(),
            Some(json!({"organisation_id": city, "name": "ESF", "kind": "eu_fund"})),
            [401, 422, 422, 422, 201, 201],
        ),
        (
            Method::GET,
            "/api/v1/funders".into(),
            None,
            [401, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/funders/{funder}"),
            None,
            [401, 200, 200, 200, 200, 200],
        ),
        (
            Method::PATCH,
            format!("/api/v1/funders/{funder}"),
            Some(json!({"website": "https://www.unicef.pl"})),
            [401, 403, 403, 403, 200, 200],
        ),
        (
            Method::POST,
            "/api/v1/grants".into(),
            Some(
                json!({"funder_id": funder, "recipient_organisation_id": city, "reference": "R2", "title": "T", "amount": {"amount_minor": 5, "currency": "EUR"}, "starts_on": "2026-01-01", "ends_on": "2026-12-31"}),
            ),
            [401, 422, 422, 422, 201, 201],
        ),
        (
            Method::GET,
            "/api/v1/grants".into(),
            None,
            [401, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/grants/{grant}"),
            None,
            [401, 404, 404, 404, 200, 200],
        ),
        (
            Method::PATCH,
            format!("/api/v1/grants/{grant}"),
            Some(json!({"status": "active"})),
            [401, 404, 404, 404, 200, 200],
        ),
        (
            Method::POST,
            "/api/v1/venues".into(),
            Some(
                json!({"organisation_id": city, "name": "Sala", "address": "ul. Długa 2", "city": "Gdańsk", "country": "PL"}),
            ),
            [401, 422, 422, 422, 201, 201],
        ),
        (
            Method::GET,
            "/api/v1/venues".into(),
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/venues/{venue}"),
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        (
            Method::PATCH,
            format!("/api/v1/venues/{venue}"),
            Some(json!({"capacity": 100})),
            [401, 403, 403, 403, 200, 200],
        ),
        (
            Method::POST,
            "/api/v1/programmes".into(),
            Some(new_programme.clone()),
            [401, 422, 422, 422, 201, 201],
        ),
        (
            Method::GET,
            "/api/v1/programmes".into(),
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        (Method::GET, d.clone(), None, [404, 404, 200, 404, 200, 200]),
        (Method::GET, p.clone(), None, [200, 200, 200, 200, 200, 200]),
        (
            Method::PATCH,
            d.clone(),
            Some(json!({"capacity": 20})),
            [401, 404, 403, 404, 200, 200],
        ),
        (
            Method::PATCH,
            p.clone(),
            Some(json!({"capacity": 20})),
            [401, 403, 403, 403, 200, 200],
        ),
        // The draft has no budget line for its session's type yet: authorised callers learn
        // what is missing (409), the others are refused first.
        (
            Method::POST,
            format!("{d}/publish"),
            None,
            [401, 404, 403, 404, 409, 409],
        ),
        (
            Method::POST,
            format!("{d}/close"),
            None,
            [401, 404, 403, 404, 409, 409],
        ),
        (
            Method::POST,
            format!("{d}/archive"),
            None,
            [401, 404, 403, 404, 409, 409],
        ),
        (
            Method::GET,
            format!("{d}/hour-budget"),
            None,
            [404, 404, 200, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("{p}/hour-budget"),
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        (
            Method::PUT,
            format!("{d}/hour-budget"),
            Some(json!({"lines": [{"activity_type": "workshop", "planned_minutes": 600}]})),
            [401, 404, 403, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("{d}/calendar.ics"),
            None,
            [404, 404, 200, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("{p}/calendar.ics"),
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("{d}/sessions"),
            None,
            [404, 404, 200, 404, 200, 200],
        ),
        (
            Method::POST,
            format!("{d}/sessions"),
            Some(more_sessions.clone()),
            [401, 404, 403, 404, 201, 201],
        ),
        (
            Method::POST,
            format!("{p}/sessions"),
            Some(more_sessions.clone()),
            [401, 403, 403, 403, 201, 201],
        ),
        (
            Method::GET,
            format!("/api/v1/sessions/{draft_session}"),
            None,
            [404, 404, 200, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/sessions/{published_session}"),
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        (
            Method::PATCH,
            format!("/api/v1/sessions/{draft_session}"),
            Some(json!({"language": "pl"})),
            [401, 404, 403, 404, 200, 200],
        ),
        (
            Method::POST,
            format!("/api/v1/sessions/{published_session}/cancel"),
            None,
            [401, 403, 403, 403, 200, 200],
        ),
        (
            Method::DELETE,
            format!("/api/v1/sessions/{published_session}"),
            None,
            [401, 403, 403, 403, 409, 409],
        ),
        (
            Method::GET,
            "/api/v1/me/sessions".into(),
            None,
            [401, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/v1/me/calendar.ics".into(),
            None,
            [401, 200, 200, 200, 200, 200],
        ),
    ];
    let bodies: Vec<Option<Value>> = rows.iter().map(|r| r.2.clone()).collect();
    let rows: Vec<(Method, String, [u16; 6])> =
        rows.into_iter().map(|(m, p, _, e)| (m, p, e)).collect();
    run_rows(&app, &w, &rows, |n, _| {
        bodies[n]
            .clone()
            .or_else(|| (rows[n].0 == Method::POST).then(|| json!({})))
    })
    .await;
}

#[tokio::test]
async fn registration_endpoints_answer_each_kind_of_caller_as_they_should() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token.clone();
    let now = chrono::Utc::now();
    let programme = app.create("/api/v1/programmes", &admin, json!({"organisation_id": w.city, "kind": "course_cycle", "title": {"pl": "Kurs"},
        "starts_on": "2027-01-10", "ends_on": "2027-01-31", "capacity": 10,
        "registration_opens_at": (now - chrono::Duration::hours(1)).to_rfc3339(), "registration_closes_at": (now + chrono::Duration::days(1)).to_rfc3339()})).await;
    app.create(
        &format!("/api/v1/programmes/{programme}/sessions"),
        &admin,
        json!({"title": {"pl": "Warsztat"}, "activity_type": "workshop", "raise_budget": true,
        "starts_at": "2027-01-10T09:00:00+01:00", "ends_at": "2027-01-10T10:00:00+01:00"}),
    )
    .await;
    assert_eq!(
        app.post(
            &format!("/api/v1/programmes/{programme}/publish"),
            Some(&admin),
            json!({})
        )
        .await
        .status,
        200
    );
    // The participant's registration, made by themself.
    let participant = w.tokens[1].1.clone().unwrap();
    let registration = app
        .create(
            &format!("/api/v1/programmes/{programme}/registrations"),
            &participant,
            json!({}),
        )
        .await;
    // A second programme for the self-registration row, so the participant is not registered twice.
    let p = format!("/api/v1/programmes/{programme}");
    let r = format!("/api/v1/registrations/{registration}");
    let other = app.create("/api/v1/programmes", &admin, json!({"organisation_id": w.city, "kind": "course_cycle", "title": {"pl": "Kurs 2"},
        "starts_on": "2027-01-10", "ends_on": "2027-01-31",
        "registration_opens_at": (now - chrono::Duration::hours(1)).to_rfc3339(), "registration_closes_at": (now + chrono::Duration::days(1)).to_rfc3339()})).await;
    app.create(
        &format!("/api/v1/programmes/{other}/sessions"),
        &admin,
        json!({"title": {"pl": "Warsztat"}, "activity_type": "workshop", "raise_budget": true,
        "starts_at": "2027-01-10T09:00:00+01:00", "ends_at": "2027-01-10T10:00:00+01:00"}),
    )
    .await;
    assert_eq!(
        app.post(
            &format!("/api/v1/programmes/{other}/publish"),
            Some(&admin),
            json!({})
        )
        .await
        .status,
        200
    );
    let rows: Vec<(Method, String, Option<Value>, [u16; 6])> = vec![
        (
            Method::POST,
            format!("/api/v1/programmes/{other}/registrations"),
            Some(json!({})),
            [401, 201, 201, 201, 201, 201],
        ),
        (
            Method::POST,
            format!("{p}/registrations"),
            Some(json!({"email": "invited@example.org"})),
            [401, 403, 403, 403, 201, 409],
        ),
        (
            Method::POST,
            format!("{p}/registrations/batch"),
            Some(json!({"entries": []})),
            [401, 404, 404, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("{p}/registrations"),
            None,
            [401, 404, 404, 404, 200, 200],
        ),
        (Method::GET, r.clone(), None, [401, 200, 404, 404, 200, 200]),
        (
            Method::POST,
            format!("{r}/approve"),
            None,
            [401, 403, 404, 404, 409, 409],
        ),
        (
            Method::POST,
            format!("{r}/reject"),
            None,
            [401, 403, 404, 404, 422, 422],
        ),
        (
            Method::PUT,
            format!("{r}/sessions"),
            Some(json!({"session_ids": []})),
            [401, 200, 404, 404, 200, 200],
        ),
        (
            Method::GET,
            "/api/v1/me/registrations".into(),
            None,
            [401, 200, 200, 200, 200, 200],
        ),
        // Last: the participant cancels their own; after that it is over for everyone.
        (
            Method::POST,
            format!("{r}/cancel"),
            None,
            [401, 200, 404, 404, 409, 409],
        ),
    ];
    let bodies: Vec<Option<Value>> = rows.iter().map(|r| r.2.clone()).collect();
    let rows: Vec<(Method, String, [u16; 6])> =
        rows.into_iter().map(|(m, p, _, e)| (m, p, e)).collect();
    run_rows(&app, &w, &rows, |n, _| bodies[n].clone()).await;
}

#[tokio::test]
async fn attendance_and_certificate_endpoints_answer_each_kind_of_caller_as_they_should() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token.clone();
    let now = chrono::Utc::now();
    let yesterday = (now - chrono::Duration::days(1)).date_naive();
    let trainer = w.tokens[2].1.clone().unwrap();
    let trainer_id = app.get("/api/v1/me", Some(&trainer)).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let programme = app.create("/api/v1/programmes", &admin, json!({"organisation_id": w.city, "kind": "course_cycle", "title": {"pl": "Kurs"},
        "starts_on": yesterday.to_string(), "ends_on": yesterday.to_string(), "time_zone": "UTC", "capacity": 10,
        "registration_opens_at": (now - chrono::Duration::days(10)).to_rfc3339(), "registration_closes_at": (now + chrono::Duration::days(1)).to_rfc3339()})).await;
    let session = app
        .create(
            &format!("/api/v1/programmes/{programme}/sessions"),
            &admin,
            json!({"title": {"pl": "Warsztat"}, "activity_type": "workshop", "raise_budget": true, "trainer_ids": [trainer_id],
            "starts_at": format!("{yesterday}T09:00:00Z"), "ends_at": format!("{yesterday}T10:00:00Z")}),
        )
        .await;
    assert_eq!(
        app.post(
            &format!("/api/v1/programmes/{programme}/publish"),
            Some(&admin),
            json!({})
        )
        .await
        .status,
        200
    );
    let participant = w.tokens[1].1.clone().unwrap();
    let participant_id = app.get("/api/v1/me", Some(&participant)).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let registration = app
        .create(
            &format!("/api/v1/programmes/{programme}/registrations"),
            &participant,
            json!({}),
        )
        .await;
    let present = json!({"entries": [{"participant_id": participant_id, "status": "present"}]});
    let r = app
        .put(
            &format!("/api/v1/sessions/{session}/attendance"),
            Some(&trainer),
            present.clone(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mine = app.get("/api/v1/me/certificates", Some(&participant)).await;
    let certificate = mine.body["items"][0]["id"].as_str().unwrap().to_string();
    let code = mine.body["items"][0]["code"].as_str().unwrap().to_string();
    let s = format!("/api/v1/sessions/{session}");
    let c = format!("/api/v1/certificates/{certificate}");
    let r = format!("/api/v1/registrations/{registration}");
    let rows: Vec<(Method, String, Option<Value>, [u16; 6])> = vec![
        (
            Method::GET,
            format!("{s}/attendance"),
            None,
            [401, 200, 200, 404, 200, 200],
        ),
        (
            Method::PUT,
            format!("{s}/attendance"),
            Some(present),
            [401, 403, 200, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("{s}/attendance/changes"),
            None,
            [401, 200, 200, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("{r}/progress"),
            None,
            [401, 200, 404, 404, 200, 200],
        ),
        (Method::GET, c.clone(), None, [401, 200, 404, 404, 200, 200]),
        (
            Method::GET,
            format!("{c}.pdf"),
            None,
            [401, 200, 404, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/certificates/verify/{code}"),
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/programmes/{programme}/certificates"),
            None,
            [401, 404, 404, 404, 200, 200],
        ),
        (
            Method::GET,
            "/api/v1/me/certificates".into(),
            None,
            [401, 200, 200, 200, 200, 200],
        ),
        (
            Method::POST,
            format!("{r}/certificate"),
            None,
            [401, 403, 404, 404, 409, 409],
        ),
        // Last: the organiser revokes; after that it is revoked for the admin too.
        (
            Method::POST,
            format!("{c}/revoke"),
            Some(json!({"reason": "Issued in error"})),
            [401, 403, 404, 404, 200, 409],
        ),
    ];
    let bodies: Vec<Option<Value>> = rows.iter().map(|r| r.2.clone()).collect();
    let rows: Vec<(Method, String, [u16; 6])> =
        rows.into_iter().map(|(m, p, _, e)| (m, p, e)).collect();
    run_rows(&app, &w, &rows, |n, _| bodies[n].clone()).await;
}
