//! `POST /registrations/{id}/certificate` takes `Idempotency-Key` like every create: a retry
//! with the same key gets the first answer (the same certificate) back, marked
//! `Idempotent-Replayed: true`; without a key (or with another one) the certificate in force
//! is a 409.

use chrono::{Duration, Utc};
use chrono_tz::Europe::Warsaw;
use kompetens_tests::{TestApp, spawn_app};
use serde_json::json;

/// A manual-issuance programme whose one participant has met the completion rule: the
/// organiser's token and the registration id.
async fn completed_registration(app: &TestApp) -> (String, String, String) {
    let centre = app
        .organisation(&app.admin_token, "Dzielnicowy Dom Kultury", None)
        .await;
    let (_, organiser) = app
        .member(&centre, "koordynator@ddk.example", "organiser")
        .await;
    let (mentor_id, trainer) = app.member(&centre, "mentor@ddk.example", "trainer").await;
    let today = Utc::now().with_timezone(&Warsaw).date_naive();
    let monday = today - Duration::days(12);
    let friday = monday + Duration::days(4);
    let now = Utc::now();
    let programme = app
        .create(
            "/api/v1/programmes",
            &organiser,
            json!({
                "organisation_id": centre,
                "kind": "mobility",
                "title": {"pl": "Job shadowing w Barcelonie"},
                "starts_on": monday.to_string(), "ends_on": friday.to_string(),
                "time_zone": "Europe/Madrid", "languages": ["pl"], "capacity": 4,
                "registration_policy": "invitation",
                "registration_opens_at": (now - Duration::days(60)).to_rfc3339(),
                "registration_closes_at": (now + Duration::days(1)).to_rfc3339(),
                "certificate_issuance": "manual",
                "completion_rule": {"min_attended_percent": 100},
                "mobility": {
                    "host_organisation": "Centre Cívic Barceloneta", "host_city": "Barcelona", "host_country": "ES",
                    "learning_outcomes": ["Plans cultural activities for adults"]
                }
            }),
        )
        .await;
    let base = format!("/api/v1/programmes/{programme}");
    let session = app
        .create(
            &format!("{base}/sessions"),
            &organiser,
            json!({
                "title": {"pl": "Job shadowing"}, "activity_type": "job_shadowing", "raise_budget": true,
                "starts_at": format!("{monday}T09:00:00+02:00"), "ends_at": format!("{friday}T17:00:00+02:00"),
                "credit_minutes": 1800, "trainer_ids": [mentor_id]
            }),
        )
        .await;
    let r = app
        .post(&format!("{base}/publish"), Some(&organiser), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (id, token) = app.signup("rasa@example.lt").await;
    let r = app
        .post(
            &format!("{base}/registrations"),
            Some(&organiser),
            json!({"participant_id": id}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let registration = r.body["id"].as_str().unwrap().to_string();
    let r = app
        .put(
            &format!("/api/v1/sessions/{session}/attendance"),
            Some(&trainer),
            json!({"entries": [{"participant_id": id, "status": "present"}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    (organiser, token, registration)
}

/// Status, whether replayed, `Location` and the body as text.
async fn issue(
    app: &TestApp,
    token: &str,
    registration: &str,
    key: Option<&str>,
) -> (u16, bool, Option<String>, String) {
    let mut request = app
        .client
        .post(app.url(&format!("/api/v1/registrations/{registration}/certificate")))
        .bearer_auth(token);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let r = request.send().await.expect("sent");
    let replayed = r
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true");
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let status = r.status().as_u16();
    (status, replayed, location, r.text().await.expect("body"))
}

#[tokio::test]
async fn a_retried_issue_with_one_key_gives_the_same_certificate() {
    let app = spawn_app().await;
    let (organiser, participant, registration) = completed_registration(&app).await;

    let first = issue(&app, &organiser, &registration, Some("certificate-1")).await;
    assert_eq!((first.0, first.1), (201, false), "{}", first.3);
    let certificate: serde_json::Value = serde_json::from_str(&first.3).unwrap();
    let id = certificate["id"].as_str().unwrap().to_string();
    assert_eq!(
        first.2.as_deref(),
        Some(format!("/api/v1/certificates/{id}").as_str())
    );

    let retry = issue(&app, &organiser, &registration, Some("certificate-1")).await;
    assert_eq!((retry.0, retry.1), (201, true), "{}", retry.3);
    assert_eq!(
        retry.3, first.3,
        "a replay is the first answer, byte for byte"
    );
    assert_eq!(retry.2, first.2);

    // Without the key, or with another one, the certificate in force is a conflict.
    let unkeyed = issue(&app, &organiser, &registration, None).await;
    assert_eq!(unkeyed.0, 409, "{}", unkeyed.3);
    assert!(unkeyed.3.contains("/problems/certificate-exists"));
    let other = issue(&app, &organiser, &registration, Some("certificate-2")).await;
    assert_eq!(other.0, 409, "{}", other.3);

    // One certificate was issued.
    let mine = app.get("/api/v1/me/certificates", Some(&participant)).await;
    let items = mine.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", mine.text);
    assert_eq!(items[0]["id"], json!(id));

    // Keys are the caller's own: the participant's same key is a request of theirs (403).
    let theirs = issue(&app, &participant, &registration, Some("certificate-1")).await;
    assert_eq!(theirs.0, 403, "{}", theirs.3);

    // A malformed key is refused before anything happens.
    let bad = issue(&app, &organiser, &registration, Some("not a key")).await;
    assert_eq!(bad.0, 400, "{}", bad.3);
}
