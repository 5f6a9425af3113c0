//! `Idempotency-Key` on the funding creates, as on every other: a retry of `POST /funders` or
//! `POST /grants` with the same key and body makes one resource and gets the first answer back
//! (marked `Idempotent-Replayed: true`); the same key with another body is refused.

use kompetens_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

/// What a create answered: status, whether it was a replay, `Location`, and the body.
struct Answer {
    status: u16,
    replayed: bool,
    location: Option<String>,
    text: String,
}

async fn send(app: &TestApp, path: &str, key: &str, body: &Value) -> Answer {
    let r = app
        .client
        .post(app.url(path))
        .bearer_auth(&app.admin_token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .expect("sent");
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let replayed = header("idempotent-replayed").as_deref() == Some("true");
    let location = header("location");
    Answer {
        status: r.status().as_u16(),
        replayed,
        location,
        text: r.text().await.expect("body"),
    }
}

/// Sends `body` twice with one key, then changed with the same key; returns the id created.
async fn retried_once(app: &TestApp, path: &str, key: &str, body: Value, change: &str) -> String {
    let first = send(app, path, key, &body).await;
    let second = send(app, path, key, &body).await;
    assert_eq!(
        (first.status, first.replayed),
        (201, false),
        "{}",
        first.text
    );
    assert_eq!(
        (second.status, second.replayed),
        (201, true),
        "{}",
        second.text
    );
    assert_eq!(
        first.text, second.text,
        "{path}: a replay is the first answer, byte for byte"
    );
    assert!(first.location.is_some(), "{path}: a Location");
    assert_eq!(first.location, second.location, "{path}: the same Location");
    // The same members in another order are the same request.
    let mut reordered = serde_json::Map::new();
    for (k, v) in body.as_object().expect("an object").iter().rev() {
        reordered.insert(k.clone(), v.clone());
    }
    let third = send(app, path, key, &Value::Object(reordered)).await;
    assert_eq!(
        (third.status, third.replayed),
        (201, true),
        "{}",
        third.text
    );
    let mut other = body.clone();
    other[change] = json!("Something else");
    let reused = send(app, path, key, &other).await;
    assert_eq!(reused.status, 422, "{}", reused.text);
    assert!(
        reused.text.contains("/problems/idempotency-key-reused"),
        "{}",
        reused.text
    );
    let created: Value = serde_json::from_str(&first.text).expect("JSON");
    created["id"].as_str().expect("an id").to_string()
}

#[tokio::test]
async fn a_retried_funder_or_grant_create_with_one_key_makes_one_resource() {
    let app = spawn_app().await;
    let org = app.organisation(&app.admin_token, "Gdańsk", None).await;
    let token = Some(app.admin_token.as_str());

    let funder = retried_once(
        &app,
        "/api/v1/funders",
        "funder-1",
        json!({"organisation_id": org, "name": "UNICEF Polska", "kind": "international_organisation", "country": "PL", "website": "https://www.unicef.pl"}),
        "name",
    )
    .await;
    let funders = app.get("/api/v1/funders?q=unicef", token).await;
    assert_eq!(funders.status, 200, "{}", funders.text);
    assert_eq!(
        funders.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        funders.text
    );
    assert_eq!(funders.body["items"][0]["id"], funder.as_str());

    let grant = retried_once(
        &app,
        "/api/v1/grants",
        "grant-1",
        json!({"funder_id": funder, "recipient_organisation_id": org, "reference": "UNICEF/PL/2026/014",
               "title": "Trening", "amount": {"amount_minor": 18_900_000, "currency": "PLN"},
               "starts_on": "2026-03-01", "ends_on": "2026-12-31", "funded_minutes": 2400}),
        "title",
    )
    .await;
    let grants = app
        .get(&format!("/api/v1/grants?funder_id={funder}"), token)
        .await;
    assert_eq!(grants.status, 200, "{}", grants.text);
    assert_eq!(
        grants.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        grants.text
    );
    assert_eq!(grants.body["items"][0]["id"], grant.as_str());

    // A key belongs to one create: the funder's key sent to the grants is another request.
    let r = send(
        &app,
        "/api/v1/grants",
        "funder-1",
        &json!({"funder_id": funder, "recipient_organisation_id": org, "reference": "R",
                "title": "T", "amount": {"amount_minor": 1, "currency": "PLN"},
                "starts_on": "2026-01-01", "ends_on": "2026-12-31"}),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
}
