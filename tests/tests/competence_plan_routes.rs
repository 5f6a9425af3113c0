//! The routes of competence plans and organisations as the application layer serves them:
//! a plan's path segment is a UUID and nothing else, so `rollup` is never taken for a plan (nor
//! a plan for `rollup`), and the creates of organisations, members and plans are idempotent.

use kompetens_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

async fn plan(app: &TestApp, org: &str) -> String {
    let r = app
        .post(
            &format!("/api/v1/organisations/{org}/competence-plans"),
            Some(&app.admin_token),
            json!({"title": "Plan 2027", "starts_on": "2027-01-01", "ends_on": "2027-12-31",
                   "needs": [{"theme": "trauma_awareness", "staff_count": 12}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("plan id").to_string()
}

#[tokio::test]
async fn rollup_and_plan_ids_never_take_each_others_routes() {
    let app = spawn_app().await;
    let token = Some(app.admin_token.as_str());
    let org = app.organisation(&app.admin_token, "Gdańsk", None).await;
    let id = plan(&app, &org).await;
    let base = format!("/api/v1/organisations/{org}/competence-plans");

    let rollup = app.get(&format!("{base}/rollup"), token).await;
    assert_eq!(rollup.status, 200, "{}", rollup.text);
    assert_eq!(rollup.body["organisation_id"], org.as_str());
    assert_eq!(rollup.body["plans"], 1);
    assert_eq!(rollup.body["totals"]["staff_needed"], 12);

    let got = app.get(&format!("{base}/{id}"), token).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.body["id"], id.as_str());
    assert_eq!(got.body["title"], "Plan 2027");
    // Upper-case hex names the same plan.
    let upper = app
        .get(&format!("{base}/{}", id.to_uppercase()), token)
        .await;
    assert_eq!(upper.status, 200, "{}", upper.text);
    assert_eq!(upper.body["id"], id.as_str());

    let patched = app
        .patch(
            &format!("{base}/{id}"),
            token,
            json!({"title": "Plan 2027, revised"}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.body["id"], id.as_str());
    assert_eq!(patched.body["title"], "Plan 2027, revised");
    assert_eq!(patched.body["version"], 2);

    // A segment that is neither `rollup` nor a UUID names nothing.
    for segment in ["rollups", "latest", "not-a-plan", "0-0-0-0-0", "12345"] {
        for method in [reqwest::Method::GET, reqwest::Method::PATCH] {
            let body = (method == reqwest::Method::PATCH).then(|| json!({"title": "x"}));
            let r = app
                .call(method.clone(), &format!("{base}/{segment}"), token, body)
                .await;
            assert_eq!(r.status, 404, "{method} {segment}: {}", r.text);
            assert_eq!(
                r.header("content-type"),
                Some("application/problem+json"),
                "{method} {segment}"
            );
            assert_eq!(r.body["status"], 404, "{method} {segment}: {}", r.text);
        }
    }
    // `rollup` is read-only, and not a plan to patch either.
    let r = app
        .patch(&format!("{base}/rollup"), token, json!({"title": "x"}))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
}

/// Sends `body` to `path` as the admin with `Idempotency-Key: key`: (status, replayed, body).
async fn send(app: &TestApp, path: &str, key: &str, body: &Value) -> (u16, bool, String) {
    let r = app
        .client
        .post(app.url(path))
        .bearer_auth(&app.admin_token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .expect("sent");
    let replayed = r
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true");
    let status = r.status().as_u16();
    (status, replayed, r.text().await.expect("body"))
}

/// The first answer, its replay, and a reuse of the key with `other`: 201, 201 replayed byte
/// for byte, 422.
async fn once_only(app: &TestApp, path: &str, key: &str, body: &Value, other: &Value) -> Value {
    let first = send(app, path, key, body).await;
    let second = send(app, path, key, body).await;
    assert_eq!((first.0, first.1), (201, false), "{path}: {}", first.2);
    assert_eq!((second.0, second.1), (201, true), "{path}: {}", second.2);
    assert_eq!(first.2, second.2, "{path}: a replay is the first answer");
    let reused = send(app, path, key, other).await;
    assert_eq!(reused.0, 422, "{path}: {}", reused.2);
    assert!(
        reused.2.contains("/problems/idempotency-key-reused"),
        "{path}: {}",
        reused.2
    );
    serde_json::from_str(&first.2).expect("JSON")
}

fn count(reply: &kompetens_tests::Reply) -> usize {
    reply.body["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn creates_of_organisations_members_and_plans_are_idempotent() {
    let app = spawn_app().await;
    let token = Some(app.admin_token.as_str());
    let parent = app.organisation(&app.admin_token, "Gdańsk", None).await;

    let school = json!({"name": "Szkoła nr 12", "kind": "school", "parent_id": parent});
    let mut other = school.clone();
    other["name"] = json!("Szkoła nr 13");
    let created = once_only(&app, "/api/v1/organisations", "org-1", &school, &other).await;
    let school_id = created["id"].as_str().expect("id").to_string();
    let children = app
        .get(&format!("/api/v1/organisations?parent_id={parent}"), token)
        .await;
    assert_eq!(count(&children), 1, "{}", children.text);

    // Without the key, granting the same role twice is a conflict; with it, a replay.
    app.signup("jan.nowak@example.pl").await;
    let members = format!("/api/v1/organisations/{school_id}/members");
    let grant = json!({"email": "jan.nowak@example.pl", "role": "trainer"});
    let other = json!({"email": "jan.nowak@example.pl", "role": "organiser"});
    let member = once_only(&app, &members, "member-1", &grant, &other).await;
    assert_eq!(member["role"], "trainer");
    let listed = app.get(&members, token).await;
    assert_eq!(count(&listed), 1, "{}", listed.text);
    let again = app.post(&members, token, grant.clone()).await;
    assert_eq!(again.status, 409, "{}", again.text);

    let plans = format!("/api/v1/organisations/{school_id}/competence-plans");
    let new_plan = json!({"title": "Plan", "starts_on": "2027-01-01", "ends_on": "2027-12-31"});
    let mut other = new_plan.clone();
    other["title"] = json!("Another plan");
    once_only(&app, &plans, "plan-1", &new_plan, &other).await;
    let listed = app.get(&plans, token).await;
    assert_eq!(count(&listed), 1, "{}", listed.text);
}
