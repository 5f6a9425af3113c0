//! Every kind of malformed request, sent to every endpoint, gets a problem+json answer with
//! the right status and never a 500. Endpoints are taken from the OpenAPI document itself.

use kompetens_tests::spawn_app;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn malformed_bodies_paths_and_queries_get_problem_responses() {
    let app = spawn_app().await;
    let org = app.organisation(&app.admin_token, "Gdańsk", None).await;
    // A real resource behind every `{id}`, so bodies are judged rather than ids.
    let admin = app.admin_token.clone();
    let funder = app
        .create(
            "/api/v1/funders",
            &admin,
            json!({"organisation_id": org, "name": "UNICEF", "kind": "international_organisation"}),
        )
        .await;
    let grant = app.create("/api/v1/grants", &admin, json!({"funder_id": funder, "recipient_organisation_id": org, "reference": "R", "title": "T", "amount": {"amount_minor": 1, "currency": "PLN"}, "starts_on": "2026-01-01", "ends_on": "2026-12-31"})).await;
    let venue = app.create("/api/v1/venues", &admin, json!({"organisation_id": org, "name": "Aula", "address": "ul. Długa 1", "city": "Gdańsk", "country": "PL"})).await;
    let programme = app.create("/api/v1/programmes", &admin, json!({"organisation_id": org, "kind": "conference", "title": {"pl": "Konferencja"}, "starts_on": "2026-12-10", "ends_on": "2026-12-11"})).await;
    let session = app.create(&format!("/api/v1/programmes/{programme}/sessions"), &admin, json!({"title": {"pl": "Plenarna"}, "activity_type": "plenary", "raise_budget": true, "starts_at": "2026-12-10T09:00:00+01:00", "ends_at": "2026-12-10T10:00:00+01:00"})).await;
    let now = chrono::Utc::now();
    let open = app.create("/api/v1/programmes", &admin, json!({"organisation_id": org, "kind": "course_cycle", "title": {"pl": "Kurs"}, "starts_on": "2027-01-10", "ends_on": "2027-01-11",
        "registration_opens_at": (now - chrono::Duration::hours(1)).to_rfc3339(), "registration_closes_at": (now + chrono::Duration::days(1)).to_rfc3339()})).await;
    app.create(&format!("/api/v1/programmes/{open}/sessions"), &admin, json!({"title": {"pl": "Warsztat"}, "activity_type": "workshop", "raise_budget": true, "starts_at": "2027-01-10T09:00:00+01:00", "ends_at": "2027-01-10T10:00:00+01:00"})).await;
    assert_eq!(
        app.post(
            &format!("/api/v1/programmes/{open}/publish"),
            Some(&admin),
            json!({})
        )
        .await
        .status,
        200
    );
    let registration = app
        .create(
            &format!("/api/v1/programmes/{open}/registrations"),
            &admin,
            json!({"email": "olena@example.org"}),
        )
        .await;
    let plan = app
        .create(
            &format!("/api/v1/organisations/{org}/competence-plans"),
            &admin,
            json!({"title": "Plan", "starts_on": "2027-01-01", "ends_on": "2027-12-31"}),
        )
        .await;
    let id_for = |template: &str| -> String {
        let resource = template
            .trim_start_matches("/api/v1/")
            .split('/')
            .next()
            .unwrap_or_default();
        match resource {
            "funders" => funder.clone(),
            "grants" => grant.clone(),
            "venues" => venue.clone(),
            "programmes" => programme.clone(),
            "sessions" => session.clone(),
            "registrations" => registration.clone(),
            _ => org.clone(),
        }
    };
    let document = serde_json::to_value(kompetens_api::openapi::document()).unwrap();
    let mut failures = Vec::new();
    let mut check = |what: String, status: u16, expected: u16, content_type: Option<String>| {
        if status != expected || content_type.as_deref() != Some("application/problem+json") {
            failures.push(format!(
                "{what}: expected {expected} problem+json, got {status} {content_type:?}"
            ));
        }
    };
    let huge = "x".repeat(300 * 1024);
    // Rosters have a limit of their own (4 MiB, for 20,000 entries).
    let huger = "x".repeat(kompetens_api::roster_body::MAX_BYTES + 1);
    for (template, item) in document["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let path = template
                .replace("{id}", &id_for(template))
                .replace("{membership_id}", &uuid::Uuid::now_v7().to_string())
                .replace("{plan_id}", &plan)
                .replace("{code}", "not-found");
            if op.get("requestBody").is_some() {
                let send = |body: Vec<u8>, ct: &'static str| {
                    app.client
                        .request(method.clone(), app.url(&path))
                        .bearer_auth(&app.admin_token)
                        .header("content-type", ct)
                        .body(body)
                        .send()
                };
                let cases: Vec<(&str, Vec<u8>, &'static str, u16)> = vec![
                    ("malformed JSON", b"{\"name\": ".to_vec(), "application/json", 400),
                    ("empty body", Vec::new(), "application/json", 400),
                    ("wrong content type", b"name=x".to_vec(), "application/x-www-form-urlencoded", 415),
                    ("not an object", b"[1,2,3]".to_vec(), "application/json", 422),
                    ("wrong types", serde_json::to_vec(&json!({"name": 5, "email": [], "password": {}, "role": "emperor", "kind": 7, "refresh_token": 1, "organisation_id": "nope", "locale": 3})).unwrap(), "application/json", 422),
                    ("unknown field only", serde_json::to_vec(&json!({"surprise": true})).unwrap(), "application/json", 422),
                    ("oversized", format!("{{\"name\": \"{}\"}}", if path.ends_with("/staff") { &huger } else { &huge }).into_bytes(), "application/json", 413),
                ];
                let optional = op["requestBody"]["required"] != json!(true);
                for (label, body, ct, expected) in cases {
                    // A body that may be left out may also be empty.
                    if optional && label == "empty body" {
                        continue;
                    }
                    let r = send(body, ct).await.unwrap();
                    let got = r.status().as_u16();
                    let ctype = r
                        .headers()
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    // Logout has a body-less contract and ignores bodies: it must still never 500.
                    if path.ends_with("/auth/logout") {
                        assert!(got < 500, "{label} to logout gave {got}");
                        continue;
                    }
                    check(format!("{label}: {method} {path}"), got, expected, ctype);
                }
            }
            if template.contains("{id}") {
                let bad = template
                    .replace("{id}", "not-a-uuid")
                    .replace("{membership_id}", "also-not");
                let r = app
                    .client
                    .request(method.clone(), app.url(&bad))
                    .bearer_auth(&app.admin_token)
                    .json(&json!({}))
                    .send()
                    .await
                    .unwrap();
                let ctype = r
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                check(
                    format!("bad uuid: {method} {bad}"),
                    r.status().as_u16(),
                    404,
                    ctype,
                );
            }
            let has_limit = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "limit"));
            if has_limit {
                for (query, expected) in [
                    ("limit=abc", 400),
                    ("limit=500", 422),
                    ("limit=0", 422),
                    ("limit=1.5", 400),
                    ("cursor=%%%", 422),
                    ("cursor=bm9wZQ", 422),
                ] {
                    let r = app
                        .client
                        .request(method.clone(), app.url(&format!("{path}?{query}")))
                        .bearer_auth(&app.admin_token)
                        .send()
                        .await
                        .unwrap();
                    let ctype = r
                        .headers()
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    check(
                        format!("{query}: {method} {path}"),
                        r.status().as_u16(),
                        expected,
                        ctype,
                    );
                }
            }
        }
    }
    let unknown = app.get("/api/v1/no-such-thing", None).await;
    check(
        "unknown route".into(),
        unknown.status.as_u16(),
        404,
        unknown.header("content-type").map(str::to_string),
    );
    let wrong = app
        .call(
            Method::PUT,
            "/api/v1/organisations",
            Some(&app.admin_token),
            Some(json!({})),
        )
        .await;
    check(
        "wrong method".into(),
        wrong.status.as_u16(),
        405,
        wrong.header("content-type").map(str::to_string),
    );
    assert_eq!(wrong.header("allow"), Some("GET, POST"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn validation_lists_every_bad_field_with_a_pointer() {
    let app = spawn_app().await;
    let r = app
        .post("/api/v1/organisations", Some(&app.admin_token), json!({"name": "", "kind": "castle", "country": "XX", "time_zone": "Mars/Base", "extra": 1}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["type"], "/problems/validation-failed");
    let pointers: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        ["/name", "/kind", "/country", "/time_zone", "/extra"]
    );
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    let app = spawn_app().await;
    let r = app.get("/health/live", None).await;
    assert!(r.header("x-request-id").is_some_and(|v| v.len() >= 32));
    let echoed = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "trace-123")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers().get("x-request-id").unwrap(), "trace-123");
    assert_eq!(app.get("/health/ready", None).await.status, 200);
    assert_eq!(app.get("/docs", None).await.status, 200);
    assert_eq!(
        app.get("/problems/not-found", None).await.body["status"],
        404
    );
}
