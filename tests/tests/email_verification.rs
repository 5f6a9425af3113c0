//! E-mail verification: sign-up e-mails a one-time code (in the person's language, to the real
//! SMTP server of the test), `POST /auth/verify-email` confirms the address with it once, and
//! resending is limited per account in the database.

use kompetens_tests::{PASSWORD, TestApp, spawn_app};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

async fn signup_in(app: &TestApp, email: &str, locale: &str) -> (Value, String) {
    let r = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": email, "password": PASSWORD, "name": "Olena Kovalenko", "locale": locale}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let token = r.body["tokens"]["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    (r.body["account"].clone(), token)
}

async fn verify(app: &TestApp, code: &str) -> kompetens_tests::Reply {
    app.post("/api/v1/auth/verify-email", None, json!({ "code": code }))
        .await
}

#[tokio::test]
async fn sign_up_emails_a_code_that_verifies_the_address_once() {
    let app = spawn_app().await;
    let (account, token) = signup_in(&app, "Olena.Kovalenko@Example.pl", "pl").await;
    assert_eq!(account["email_verified"], false);
    assert_eq!(account["employment"], json!([]));

    // The code arrives at the (normalised) address, in Polish, and nowhere in the answer.
    let mails = app.mailbox.wait_for("olena.kovalenko@example.pl", 1).await;
    assert_eq!(mails[0].subject, "Potwierdź adres e-mail w Kompetens");
    let code = app
        .mailbox
        .verification_code("olena.kovalenko@example.pl")
        .await;
    assert!(code.starts_with("kpv_") && code.len() > 40, "{code}");
    assert!(
        mails[0].body.contains("w ciągu 48 godzin"),
        "{}",
        mails[0].body
    );
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.body["email_verified"], false);
    assert!(!me.text.contains(&code));
    let before = me.header("etag").unwrap().to_string();

    let r = verify(&app, &code).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.body["email_verified"], true);
    assert_ne!(me.header("etag").unwrap(), before, "a new version");

    // Used twice: refused at /code; so is a code nobody was sent.
    for code in [code.as_str(), "kpv_not-a-code-anyone-was-sent"] {
        let r = verify(&app, code).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.body["errors"][0]["pointer"], "/code");
        assert_eq!(r.body["errors"][0]["detail"], "is unknown, used or expired");
    }
    // Nothing to resend once verified.
    let r = app
        .post("/api/v1/auth/verify-email/resend", Some(&token), json!({}))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["type"], "/problems/email-already-verified");
}

#[tokio::test]
async fn the_code_is_written_in_the_persons_language() {
    let app = spawn_app().await;
    for (email, locale, subject) in [
        (
            "ingrid@example.se",
            "sv-SE",
            "Bekräfta din e-postadress i Kompetens",
        ),
        (
            "rasa@example.lt",
            "lt",
            "Patvirtinkite el. pašto adresą Kompetens sistemoje",
        ),
        (
            "amal@example.org",
            "ar",
            "Confirm your e-mail address for Kompetens",
        ),
        (
            "john@example.org",
            "en",
            "Confirm your e-mail address for Kompetens",
        ),
    ] {
        signup_in(&app, email, locale).await;
        let mails = app.mailbox.wait_for(email, 1).await;
        assert_eq!(mails[0].subject, subject, "{locale}");
        assert!(
            kompetens_domain::verification::code_in(&mails[0].body).is_some(),
            "{locale}: {}",
            mails[0].body
        );
    }
}

#[tokio::test]
async fn an_expired_code_is_refused_and_a_new_one_works() {
    let app = spawn_app().await;
    let (_, token) = signup_in(&app, "late@example.org", "en").await;
    let old = app.mailbox.verification_code("late@example.org").await;
    let db = app.database().await;
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "UPDATE email_verifications SET expires_at = created_at".to_string(),
    ))
    .await
    .unwrap();
    let r = verify(&app, &old).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["errors"][0]["pointer"], "/code");
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.body["email_verified"], false);

    let r = app
        .post("/api/v1/auth/verify-email/resend", Some(&token), json!({}))
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    app.mailbox.wait_for("late@example.org", 2).await;
    let new = app.mailbox.verification_code("late@example.org").await;
    assert_ne!(new, old);
    assert_eq!(verify(&app, &new).await.status, 204);
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.body["email_verified"], true);
}

#[tokio::test]
async fn resending_is_limited_to_five_codes_an_hour_per_account() {
    let app = spawn_app().await;
    let (_, token) = signup_in(&app, "eager@example.org", "en").await;
    let (_, other) = signup_in(&app, "calm@example.org", "en").await;
    // The sign-up's code and four more.
    for _ in 0..4 {
        let r = app
            .post("/api/v1/auth/verify-email/resend", Some(&token), json!({}))
            .await;
        assert_eq!(r.status, 202, "{}", r.text);
    }
    let r = app
        .post("/api/v1/auth/verify-email/resend", Some(&token), json!({}))
        .await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.body["type"], "/problems/rate-limited");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((3000..=3600).contains(&wait), "Retry-After {wait}");
    // The limit is the account's: another account still gets its code.
    let r = app
        .post("/api/v1/auth/verify-email/resend", Some(&other), json!({}))
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    // Five e-mails went out, each with its own code, and any of them confirms the address;
    // after that, the others no longer work.
    let mails = app.mailbox.wait_for("eager@example.org", 5).await;
    let codes: Vec<String> = mails
        .iter()
        .map(|m| {
            kompetens_domain::verification::code_in(&m.body)
                .unwrap()
                .to_string()
        })
        .collect();
    let distinct: std::collections::BTreeSet<&String> = codes.iter().collect();
    assert_eq!(distinct.len(), 5);
    assert_eq!(verify(&app, &codes[2]).await.status, 204);
    assert_eq!(verify(&app, &codes[4]).await.status, 422);
    // Resending needs to know whose address: no token, no code.
    let r = app
        .post("/api/v1/auth/verify-email/resend", None, json!({}))
        .await;
    assert_eq!(r.status, 401, "{}", r.text);
}

#[tokio::test]
async fn invited_people_are_verified_when_they_set_their_password_and_admins_are() {
    let app = spawn_app().await;
    let me = app.get("/api/v1/me", Some(&app.admin_token)).await;
    assert_eq!(
        me.body["email_verified"], true,
        "kompetens admin create vouches"
    );

    let p = app.open_programme(Some(5), "first_come_first_served").await;
    let r = app
        .post(
            &format!("/api/v1/programmes/{}/registrations", p.id),
            Some(&p.organiser),
            json!({"email": "invited@example.org", "name": "Rasa Petrauskienė", "locale": "lt"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let mails = app.mailbox.wait_for("invited@example.org", 2).await;
    let invitation = mails
        .iter()
        .find(|m| m.subject.starts_with("Kvietimas"))
        .expect("an invitation");
    let code: String = invitation.body[invitation.body.find("kps_").unwrap()..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let r = app
        .post(
            "/api/v1/auth/password-setup",
            None,
            json!({"code": code, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let token = app.sign_in("invited@example.org").await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(
        me.body["email_verified"], true,
        "the invitation reached them"
    );
    // Nobody who signs up is verified by signing up.
    let (_, token) = app.signup("self@example.org").await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.body["email_verified"], false);
}
