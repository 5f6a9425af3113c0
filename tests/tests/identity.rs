//! Sign-up, tokens, refresh rotation, reuse revocation, logout, API tokens, rate limits.

use kompetens_tests::{PASSWORD, spawn_app, spawn_app_with};
use serde_json::json;

#[tokio::test]
async fn signup_then_sign_in_and_read_me() {
    let app = spawn_app().await;
    let (id, token) = app.signup("Anna.Kowalska@Example.PL").await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["id"], id.as_str());
    assert_eq!(me.body["email"], "anna.kowalska@example.pl");
    assert_eq!(me.header("etag"), Some("\"1\""));
    // E-mail is unique case-insensitively.
    let again = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": "ANNA.kowalska@example.pl", "password": PASSWORD}),
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["type"], "/problems/email-taken");
    let token = app.tokens("anna.kowalska@EXAMPLE.pl").await;
    assert_eq!(token.status, 200, "{}", token.text);
    assert_eq!(token.body["token_type"], "Bearer");
    assert_eq!(token.body["expires_in"], 900);
}

#[tokio::test]
async fn short_passwords_are_refused() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": "x@example.org", "password": "elevenchars"}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["pointer"], "/password");
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_family() {
    let app = spawn_app().await;
    app.signup("rotor@example.org").await;
    let first = app.tokens("rotor@example.org").await;
    let r1 = first.body["refresh_token"].as_str().unwrap().to_string();
    let access1 = first.body["access_token"].as_str().unwrap().to_string();

    let second = app
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": r1}))
        .await;
    assert_eq!(second.status, 200, "{}", second.text);
    let r2 = second.body["refresh_token"].as_str().unwrap().to_string();
    let access2 = second.body["access_token"].as_str().unwrap().to_string();
    assert_ne!(r1, r2);
    assert_eq!(app.get("/api/v1/me", Some(&access2)).await.status, 200);

    // Replaying the rotated token is theft: 401, and the family is revoked.
    let replay = app
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": r1}))
        .await;
    assert_eq!(replay.status, 401);
    let after = app
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": r2}))
        .await;
    assert_eq!(after.status, 401, "the successor must be revoked too");
    assert_eq!(app.get("/api/v1/me", Some(&access1)).await.status, 401);
    assert_eq!(app.get("/api/v1/me", Some(&access2)).await.status, 401);

    // Another sign-in is a separate family and still works.
    let other = app.tokens("rotor@example.org").await;
    assert_eq!(other.status, 200);
}

#[tokio::test]
async fn logout_revokes_access_and_refresh_tokens() {
    let app = spawn_app().await;
    app.signup("leaver@example.org").await;
    let pair = app.tokens("leaver@example.org").await;
    let access = pair.body["access_token"].as_str().unwrap();
    let refresh = pair.body["refresh_token"].as_str().unwrap();
    let out = app
        .post("/api/v1/auth/logout", Some(access), json!({}))
        .await;
    assert_eq!(out.status, 204, "{}", out.text);
    assert_eq!(app.get("/api/v1/me", Some(access)).await.status, 401);
    assert_eq!(
        app.post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": refresh})
        )
        .await
        .status,
        401
    );
}

#[tokio::test]
async fn wrong_email_and_wrong_password_look_the_same() {
    let app = spawn_app().await;
    app.signup("known@example.org").await;
    let wrong_password = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"email": "known@example.org", "password": "not the password at all"}),
        )
        .await;
    let wrong_email = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"email": "unknown@example.org", "password": PASSWORD}),
        )
        .await;
    assert_eq!(wrong_password.status, 401);
    assert_eq!(wrong_password.text, wrong_email.text);
}

#[tokio::test]
async fn failed_sign_ins_are_rate_limited_per_account_and_per_address() {
    let app = spawn_app_with(&[("KOMPETENS_SIGN_IN_MAX_FAILURES_PER_ADDRESS", "8")]).await;
    app.signup("target@example.org").await;
    for _ in 0..5 {
        let r = app
            .post(
                "/api/v1/auth/token",
                None,
                json!({"email": "target@example.org", "password": "wrong wrong wrong"}),
            )
            .await;
        assert_eq!(r.status, 401);
    }
    // Even the right password is refused now, with Retry-After.
    let limited = app.tokens("target@example.org").await;
    assert_eq!(limited.status, 429, "{}", limited.text);
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 900);
    // Per address: other e-mails from the same client run into the address limit.
    for i in 0..3 {
        let r = app
            .post(
                "/api/v1/auth/token",
                None,
                json!({"email": format!("nobody{i}@example.org"), "password": "wrong wrong wrong"}),
            )
            .await;
        assert_eq!(r.status, 401);
    }
    let r = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"email": "fresh@example.org", "password": "wrong wrong wrong"}),
        )
        .await;
    assert_eq!(r.status, 429);
}

#[tokio::test]
async fn api_tokens_are_shown_once_scoped_and_revocable() {
    let app = spawn_app().await;
    let city = app.organisation(&app.admin_token, "Gdańsk", None).await;
    let school = app
        .organisation(&app.admin_token, "SP 12", Some(&city))
        .await;
    let other = app.organisation(&app.admin_token, "Gdynia", None).await;
    let (_, organiser) = app.signup("org@example.org").await;
    app.grant(&city, "org@example.org", "organiser").await;

    let created = app
        .post(
            "/api/v1/me/api-tokens",
            Some(&organiser),
            json!({"name": "import", "organisation_id": school, "role": "organiser"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let secret = created.body["token"].as_str().unwrap().to_string();
    assert!(secret.starts_with("kpt_"));
    let id = created.body["id"].as_str().unwrap().to_string();

    let list = app.get("/api/v1/me/api-tokens", Some(&organiser)).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert!(!list.text.contains(&secret), "the secret is never listed");
    assert!(list.body["items"][0].get("token").is_none());

    // The token works as a bearer token, within its scope only.
    assert_eq!(
        app.get(&format!("/api/v1/organisations/{school}"), Some(&secret))
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/organisations/{city}"), Some(&secret))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&format!("/api/v1/organisations/{other}"), Some(&secret))
            .await
            .status,
        404
    );
    // It cannot mint tokens.
    let minted = app
        .post(
            "/api/v1/me/api-tokens",
            Some(&secret),
            json!({"name": "x", "organisation_id": school, "role": "organiser"}),
        )
        .await;
    assert_eq!(minted.status, 403);
    // Not beyond the owner's rights.
    let beyond = app
        .post(
            "/api/v1/me/api-tokens",
            Some(&organiser),
            json!({"name": "x", "organisation_id": other, "role": "organiser"}),
        )
        .await;
    assert_eq!(beyond.status, 422);

    let revoked = app
        .delete(&format!("/api/v1/me/api-tokens/{id}"), Some(&organiser))
        .await;
    assert_eq!(revoked.status, 204);
    assert_eq!(
        app.get(&format!("/api/v1/organisations/{school}"), Some(&secret))
            .await
            .status,
        401
    );
    assert_eq!(
        app.delete(&format!("/api/v1/me/api-tokens/{id}"), Some(&organiser))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn profile_patch_honours_if_match() {
    let app = spawn_app().await;
    let city = app.organisation(&app.admin_token, "Gdańsk", None).await;
    let (_, token) = app.signup("p@example.org").await;
    let ok = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/me",
            Some(&token),
            Some(json!({"name": "Łucja Žemaitytė-Öberg", "job_role": "intercultural_assistant", "workplace_organisation_id": city, "locale": "lt"})),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["name"], "Łucja Žemaitytė-Öberg");
    assert_eq!(ok.header("etag"), Some("\"2\""));
    let stale = app
        .client
        .patch(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .header("if-match", "\"1\"")
        .json(&json!({"name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    let bad = app.patch("/api/v1/me", Some(&token), json!({"job_role": "astronaut", "locale": "??", "workplace_organisation_id": uuid::Uuid::now_v7()})).await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.body["errors"].as_array().unwrap().len(),
        2,
        "{}",
        bad.text
    );
}
