//! What the redesign of issue 11 promises beyond the document's shape: text that cannot carry
//! NUL or bidi overrides, searches that take wildcards literally, `Idempotency-Key` on every
//! create, and the cancellation deadline in the programme's own time zone.

use kompetens_tests::spawn_app;
use serde_json::{Value, json};

async fn draft(app: &kompetens_tests::TestApp, org: &str, title: Value) -> kompetens_tests::Reply {
    app.post(
        "/api/v1/programmes",
        Some(&app.admin_token),
        json!({"organisation_id": org, "kind": "conference", "title": title,
               "starts_on": "2027-06-13", "ends_on": "2027-06-14", "time_zone": "Europe/Warsaw"}),
    )
    .await
}

fn pointers(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["pointer"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn text_refuses_nul_control_characters_and_bidi_overrides() {
    let app = spawn_app().await;
    let org = app.organisation(&app.admin_token, "Gdańsk", None).await;
    // NUL made PostgreSQL answer 500 and was stored as is on SQLite; a right-to-left override
    // would make a name printed on a certificate read differently from what was stored.
    for bad in [
        "Warsztat\u{0}",
        "Warsztat \u{202E}akswoK",
        "Line\nbreak",
        "\u{1B}[31mred",
    ] {
        let r = draft(&app, &org, json!({"pl": bad})).await;
        assert_eq!(r.status, 422, "{bad:?}: {}", r.text);
        assert_eq!(pointers(&r.body), ["/title/pl"], "{bad:?}: {}", r.text);
    }
    let r = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": "anna@example.org", "password": kompetens_tests::PASSWORD, "name": "Anna \u{202E}akswoK"}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), pointers(&r.body)),
        (422, vec!["/name".to_string()]),
        "{}",
        r.text
    );
    // Descriptions keep their line breaks; right-to-left text itself is welcome.
    let r = app
        .post(
            "/api/v1/programmes",
            Some(&app.admin_token),
            json!({"organisation_id": org, "kind": "conference", "title": {"ar": "مرحبا"},
                   "description": {"pl": "Dzień 1\nDzień 2"},
                   "starts_on": "2027-06-13", "ends_on": "2027-06-14"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["description"]["pl"], "Dzień 1\nDzień 2");
}

#[tokio::test]
async fn searches_take_percent_and_underscore_literally() {
    let app = spawn_app().await;
    let org = app.organisation(&app.admin_token, "Gdańsk", None).await;
    for title in ["100% integracji", "Warsztat_A", "Warsztaty otwarte"] {
        assert_eq!(draft(&app, &org, json!({"pl": title})).await.status, 201);
    }
    let titles = |r: kompetens_tests::Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|p| p["title"]["pl"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let token = Some(app.admin_token.as_str());
    assert_eq!(
        titles(app.get("/api/v1/programmes?q=%25", token).await),
        ["100% integracji"]
    );
    assert_eq!(
        titles(app.get("/api/v1/programmes?q=_", token).await),
        ["Warsztat_A"]
    );
    assert_eq!(
        titles(app.get("/api/v1/programmes?q=warsztat", token).await).len(),
        2
    );
    let r = app.get("/api/v1/programmes?q=%00", token).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["errors"][0]["parameter"], "q");

    // Funders are searched the same way.
    for name in ["Fundusz 100%", "Fundusz miejski"] {
        let body = json!({"organisation_id": org, "name": name, "kind": "municipality"});
        let r = app.post("/api/v1/funders", token, body).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let names: Vec<String> = app.get("/api/v1/funders?q=%25", token).await.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|f| f["name"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(names, ["Fundusz 100%"]);
    let r = app.get("/api/v1/funders?q=%00", token).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["errors"][0]["parameter"], "q");
}

#[tokio::test]
async fn a_retried_create_with_one_key_makes_one_resource() {
    let app = spawn_app().await;
    let org = app.organisation(&app.admin_token, "Gdańsk", None).await;
    let venue = json!({"organisation_id": org, "name": "Aula", "address": "ul. Długa 1", "city": "Gdańsk", "country": "PL"});
    let send = |body: Value, key: &'static str| {
        let app = &app;
        async move {
            let r = app
                .client
                .post(app.url("/api/v1/venues"))
                .bearer_auth(&app.admin_token)
                .header("idempotency-key", key)
                .json(&body)
                .send()
                .await
                .expect("sent");
            let replayed = r.headers().get("idempotent-replayed").is_some();
            let status = r.status().as_u16();
            (status, replayed, r.text().await.expect("body"))
        }
    };
    let first = send(venue.clone(), "venue-1").await;
    let second = send(venue.clone(), "venue-1").await;
    assert_eq!((first.0, first.1), (201, false), "{}", first.2);
    assert_eq!((second.0, second.1), (201, true), "{}", second.2);
    assert_eq!(
        first.2, second.2,
        "a replay is the first answer, byte for byte"
    );
    let listed = app
        .get(&format!("/api/v1/venues?organisation_id={org}"), None)
        .await;
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1));
    let mut other = venue.clone();
    other["name"] = json!("Another hall");
    let reused = send(other, "venue-1").await;
    assert_eq!(reused.0, 422, "{}", reused.2);
    assert!(reused.2.contains("/problems/idempotency-key-reused"));
    // The same key in the same order of members, or another: one request.
    let reordered = json!({"country": "PL", "city": "Gdańsk", "address": "ul. Długa 1", "name": "Aula", "organisation_id": org});
    assert_eq!(send(reordered, "venue-1").await.0, 201);
}

#[tokio::test]
async fn every_create_in_the_document_takes_an_idempotency_key() {
    let document = serde_json::to_value(kompetens_api::openapi::document()).expect("document");
    let mut missing = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        let Some(post) = item.get("post") else {
            continue;
        };
        let creates = post["responses"].get("201").is_some();
        // Sign-up has no account to keep a key under; a retry answers 409 email-taken.
        if !creates || path.ends_with("/auth/signup") {
            continue;
        }
        let takes_key = post["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"));
        if !takes_key {
            missing.push(path.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "creates without Idempotency-Key: {missing:?}"
    );
}

#[tokio::test]
async fn the_cancellation_deadline_is_settable_and_defaults_to_midnight_in_the_programmes_zone() {
    let app = spawn_app().await;
    let p = app
        .open_programme(Some(10), "first_come_first_served")
        .await;
    let path = format!("/api/v1/programmes/{}", p.id);
    // 2027-06-13 in Warsaw starts at 22:00 UTC the day before (summer time, UTC+2).
    let read = app.get(&path, Some(&p.organiser)).await;
    assert_eq!(read.body["cancellation_closes_at"], Value::Null);
    assert_eq!(read.body["cancellation_deadline"], "2027-06-12T22:00:00Z");
    let (_, anna) = app.signup("anna@example.org").await;
    let r = app
        .post(&format!("{path}/registrations"), Some(&anna), json!({}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let registration = r.body["id"].as_str().expect("id").to_string();
    // The organiser closes cancellation a minute ago: Anna may no longer cancel herself.
    let closed = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    let r = app
        .patch(
            &path,
            Some(&p.organiser),
            json!({"cancellation_closes_at": closed}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["cancellation_deadline"],
        r.body["cancellation_closes_at"]
    );
    let r = app
        .post(
            &format!("/api/v1/registrations/{registration}/cancel"),
            Some(&anna),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["type"], "/problems/cancellation-closed");
    // Back to the default: she may cancel until the programme's first day begins in Warsaw.
    let r = app
        .patch(
            &path,
            Some(&p.organiser),
            json!({"cancellation_closes_at": null}),
        )
        .await;
    assert_eq!(r.body["cancellation_deadline"], "2027-06-12T22:00:00Z");
    let r = app
        .post(
            &format!("/api/v1/registrations/{registration}/cancel"),
            Some(&anna),
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["status"].clone()),
        (200, json!("cancelled")),
        "{}",
        r.text
    );
}
