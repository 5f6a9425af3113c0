//! Erasing one's account (`DELETE /me`) takes the current password: a token alone, whether an
//! access token or an API token, no longer erases anyone.

use kompetens_tests::{PASSWORD, Reply, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

async fn erase(app: &TestApp, token: &str, body: Option<Value>) -> Reply {
    app.call(Method::DELETE, "/api/v1/me", Some(token), body)
        .await
}

fn assert_password_required(r: &Reply) {
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["type"], "/problems/validation-failed");
    let errors = r.body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{}", r.text);
    assert_eq!(errors[0]["pointer"], "/password", "{}", r.text);
}

#[tokio::test]
async fn a_bare_access_token_no_longer_erases() {
    let app = spawn_app().await;
    let (_, token) = app.signup("bare@example.org").await;
    // No body at all.
    assert_password_required(&erase(&app, &token, None).await);
    // A body without the password.
    assert_password_required(&erase(&app, &token, Some(json!({}))).await);
    // A password that is not text.
    let r = erase(&app, &token, Some(json!({"password": 12}))).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["errors"][0]["pointer"], "/password");
    // The account is untouched.
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, 200);
    assert_eq!(app.tokens("bare@example.org").await.status, 200);
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_counts_as_a_failed_sign_in() {
    let app = spawn_app().await;
    let (_, token) = app.signup("wrong@example.org").await;
    let r = erase(
        &app,
        &token,
        Some(json!({"password": "not my password at all"})),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["type"], "/problems/password-mismatch");
    assert_eq!(r.body["title"], "The password is wrong");
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, 200);
    // The problem type is documented.
    let described = app.get("/problems/password-mismatch", None).await;
    assert_eq!(described.status, 200, "{}", described.text);
    assert_eq!(described.body["status"], 403);
    // Four more wrong guesses reach the account's sign-in limit (5 by default): now even the
    // right password is refused, at sign-in and here.
    for _ in 0..4 {
        let r = erase(&app, &token, Some(json!({"password": "still not it"}))).await;
        assert_eq!(r.status, 403, "{}", r.text);
    }
    let limited = app.tokens("wrong@example.org").await;
    assert_eq!(limited.status, 429, "{}", limited.text);
    let r = erase(&app, &token, Some(json!({"password": PASSWORD}))).await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert!(r.header("retry-after").is_some());
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, 200);
}

#[tokio::test]
async fn the_right_password_erases() {
    let app = spawn_app().await;
    let (_, token) = app.signup("right@example.org").await;
    let other = app.sign_in("right@example.org").await;
    let r = erase(&app, &token, Some(json!({"password": PASSWORD}))).await;
    assert_eq!(r.status, 204, "{}", r.text);
    // Signed out everywhere, and the e-mail no longer signs in.
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, 401);
    assert_eq!(app.get("/api/v1/me", Some(&other)).await.status, 401);
    assert_eq!(app.tokens("right@example.org").await.status, 401);
}

#[tokio::test]
async fn an_api_token_must_send_the_password_too() {
    let app = spawn_app().await;
    let org = app.organisation(&app.admin_token, "Gdańsk", None).await;
    let (_, session) = app.signup("script@example.org").await;
    app.grant(&org, "script@example.org", "organiser").await;
    let created = app
        .post(
            "/api/v1/me/api-tokens",
            Some(&session),
            json!({"name": "import", "organisation_id": org, "role": "organiser"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let secret = created.body["token"].as_str().unwrap().to_string();
    // Signed out: the account is kept by its API token alone.
    assert_eq!(
        app.post("/api/v1/auth/logout", Some(&session), json!({}))
            .await
            .status,
        204
    );
    assert_password_required(&erase(&app, &secret, None).await);
    let r = erase(
        &app,
        &secret,
        Some(json!({"password": "a guess of a script"})),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["type"], "/problems/password-mismatch");
    let r = erase(&app, &secret, Some(json!({"password": PASSWORD}))).await;
    assert_eq!(r.status, 204, "{}", r.text);
    // The token ended with the account.
    assert_eq!(
        app.get(&format!("/api/v1/organisations/{org}"), Some(&secret))
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn an_instance_admin_cannot_erase_themself_even_with_the_password() {
    let app = spawn_app().await;
    let r = erase(&app, &app.admin_token, Some(json!({"password": PASSWORD}))).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["type"], "/problems/forbidden");
    assert_eq!(
        app.get("/api/v1/me", Some(&app.admin_token)).await.status,
        200
    );
}
