//! Notifications: queued in the transaction that decided, sent over real SMTP by the outbox
//! worker, in each participant's language.

use kompetens_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn participants_are_told_in_their_language_what_happened() {
    let app = spawn_app().await;
    let p = app.open_programme(Some(1), "first_come_first_served").await;
    let mut people = Vec::new();
    for (email, locale) in [
        ("lucja@example.pl", "pl"),
        ("ingrid@example.se", "sv-SE"),
        ("rasa@example.lt", "lt"),
        ("amal@example.org", "ar"),
    ] {
        let (_, token) = app.signup(email).await;
        let r = app
            .patch("/api/v1/me", Some(&token), json!({"locale": locale}))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = app
            .post(
                &format!("/api/v1/programmes/{}/registrations", p.id),
                Some(&token),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        people.push((email, token, r.body["id"].as_str().unwrap().to_string()));
    }
    // Each of them signed up, and was first sent the code that verifies the address, in the
    // language of the sign-up (English: the locale was set afterwards).
    let first = app.mailbox.wait_for("lucja@example.pl", 2).await;
    assert!(
        first[0].subject.starts_with("Confirm your e-mail address"),
        "{}",
        first[0].subject
    );
    let confirmed = app
        .mailbox
        .wait_for_about_programmes("lucja@example.pl", 1)
        .await;
    assert_eq!(
        confirmed[0].subject,
        "Potwierdzenie udziału: Trening wyjazdowy"
    );
    assert!(
        confirmed[0].body.contains("Masz zapewnione miejsce"),
        "{}",
        confirmed[0].body
    );
    assert!(
        confirmed[0]
            .body
            .contains("Pytania: Anna Kowalska <anna@example.org>")
    );
    let waiting = app
        .mailbox
        .wait_for_about_programmes("ingrid@example.se", 1)
        .await;
    assert!(
        waiting[0].subject.starts_with("Reservlista"),
        "{}",
        waiting[0].subject
    );
    assert!(
        waiting[0].body.contains("på plats 1"),
        "{}",
        waiting[0].body
    );
    let waiting = app
        .mailbox
        .wait_for_about_programmes("rasa@example.lt", 1)
        .await;
    assert!(waiting[0].body.contains("2 vietoje"), "{}", waiting[0].body);
    // A language we do not write falls back to English, naming the English title.
    let waiting = app
        .mailbox
        .wait_for_about_programmes("amal@example.org", 1)
        .await;
    assert_eq!(waiting[0].subject, "Waiting list: Residential training");
    assert!(waiting[0].body.contains("position 3"));

    // Łucja cancels: Ingrid is promoted, and told so in Swedish; Łucja gets a cancellation.
    let r = app
        .post(
            &format!("/api/v1/registrations/{}/cancel", people[0].2),
            Some(&people[0].1),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mails = app
        .mailbox
        .wait_for_about_programmes("ingrid@example.se", 2)
        .await;
    assert!(
        mails[1].subject.starts_with("En plats har blivit ledig"),
        "{}",
        mails[1].subject
    );
    let mails = app
        .mailbox
        .wait_for_about_programmes("lucja@example.pl", 2)
        .await;
    assert!(
        mails[1].subject.starts_with("Rejestracja anulowana"),
        "{}",
        mails[1].subject
    );
    // The organiser rejects Rasa with a reason, which reaches her in Lithuanian.
    let r = app
        .post(
            &format!("/api/v1/registrations/{}/reject", people[2].2),
            Some(&p.organiser),
            json!({"reason": "Programa skirta tik mokyklų darbuotojams."}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mails = app
        .mailbox
        .wait_for_about_programmes("rasa@example.lt", 2)
        .await;
    assert!(mails[1].subject.starts_with("Paraiška atmesta"));
    assert!(
        mails[1]
            .body
            .contains("Programa skirta tik mokyklų darbuotojams.")
    );
}

#[tokio::test]
async fn approval_programmes_hold_applications_until_an_organiser_decides() {
    let app = spawn_app().await;
    let p = app.open_programme(Some(1), "approval").await;
    let (_, first) = app.signup("first@example.org").await;
    let (_, second) = app.signup("second@example.org").await;
    let mut ids = Vec::new();
    for token in [&first, &second] {
        let r = app
            .post(
                &format!("/api/v1/programmes/{}/registrations", p.id),
                Some(token),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["status"], "pending");
        ids.push(r.body["id"].as_str().unwrap().to_string());
    }
    // Participants cannot decide.
    assert_eq!(
        app.post(
            &format!("/api/v1/registrations/{}/approve", ids[0]),
            Some(&first),
            json!({})
        )
        .await
        .status,
        403
    );
    let r = app
        .post(
            &format!("/api/v1/registrations/{}/approve", ids[0]),
            Some(&p.organiser),
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["status"].as_str()),
        (200, Some("confirmed"))
    );
    let r = app
        .post(
            &format!("/api/v1/registrations/{}/approve", ids[1]),
            Some(&p.organiser),
            json!({}),
        )
        .await;
    assert_eq!(
        (
            r.body["status"].as_str(),
            r.body["waitlist_position"].as_u64()
        ),
        (Some("waitlisted"), Some(1))
    );
    let again = app
        .post(
            &format!("/api/v1/registrations/{}/approve", ids[1]),
            Some(&p.organiser),
            json!({}),
        )
        .await;
    assert_eq!(again.body["type"], "/problems/invalid-status-transition");
    let mails = app
        .mailbox
        .wait_for_about_programmes("second@example.org", 1)
        .await;
    assert!(
        mails[0].body.contains("waiting list at position 1"),
        "{}",
        mails[0].body
    );
    app.mailbox
        .wait_for_about_programmes("first@example.org", 1)
        .await;
}

#[tokio::test]
async fn invitation_programmes_take_only_those_organisers_register() {
    let app = spawn_app().await;
    let p = app.open_programme(Some(10), "invitation").await;
    let (_, token) = app.signup("self@example.org").await;
    let r = app
        .post(
            &format!("/api/v1/programmes/{}/registrations", p.id),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["type"], "/problems/invitation-required");
    // An organiser registers a new person by e-mail: an invited account is created.
    let r = app.post(&format!("/api/v1/programmes/{}/registrations", p.id), Some(&p.organiser), json!({"email": "Olena.Kovalenko@Example.org", "name": "Olena Kovalenko", "locale": "pl"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["status"], "confirmed");
    assert!(r.body["registered_by"].is_string());
    // Two messages: the invitation with a one-time code, and the confirmation.
    let mails = app
        .mailbox
        .wait_for_about_programmes("olena.kovalenko@example.org", 2)
        .await;
    let invitation = mails
        .iter()
        .find(|m| m.subject.starts_with("Zaproszenie do Kompetens"))
        .expect("an invitation");
    assert!(
        mails
            .iter()
            .any(|m| m.subject.starts_with("Potwierdzenie udziału"))
    );
    let code: String = invitation.body[invitation.body.find("kps_").expect("a code")..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert!(
        app.tokens("olena.kovalenko@example.org").await.status == 401,
        "no password yet"
    );
    let r = app
        .post(
            "/api/v1/auth/password-setup",
            None,
            json!({"code": code, "password": kompetens_tests::PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let signed_in = app.sign_in("olena.kovalenko@example.org").await;
    let mine = app.get("/api/v1/me/registrations", Some(&signed_in)).await;
    assert_eq!(mine.body["items"][0]["status"], "confirmed");
    // The code works once.
    let r = app
        .post(
            "/api/v1/auth/password-setup",
            None,
            json!({"code": code, "password": "another long password"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["errors"][0]["pointer"], "/code");
    // Registering the same person again (the e-mail in any case) is a conflict.
    let r = app
        .post(
            &format!("/api/v1/programmes/{}/registrations", p.id),
            Some(&p.organiser),
            json!({"email": "olena.kovalenko@example.org"}),
        )
        .await;
    assert_eq!(r.body["type"], "/problems/already-registered");
}

#[tokio::test]
async fn eligibility_and_the_registration_window_are_enforced() {
    let app = spawn_app().await;
    let p = app
        .open_programme(Some(10), "first_come_first_served")
        .await;
    let school = app
        .organisation(&app.admin_token, "SP 12", Some(&p.organisation))
        .await;
    let r = app.patch(&format!("/api/v1/programmes/{}", p.id), Some(&p.organiser), json!({"eligibility": {"workplace_organisation_id": p.organisation, "job_roles": ["intercultural_assistant"]}})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, token) = app.signup("assistant@example.org").await;
    let url = format!("/api/v1/programmes/{}/registrations", p.id);
    let r = app.post(&url, Some(&token), json!({})).await;
    assert_eq!(
        (r.status.as_u16(), r.body["type"].as_str()),
        (403, Some("/problems/not-eligible"))
    );
    // PATCH /me with a workplace requires membership there; grant it first.
    app.grant(&school, "assistant@example.org", "participant")
        .await;
    let r = app
        .patch(
            "/api/v1/me",
            Some(&token),
            json!({"workplace_organisation_id": school, "job_role": "teacher"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.post(&url, Some(&token), json!({})).await;
    assert_eq!(
        r.body["type"], "/problems/not-eligible",
        "a teacher is not an intercultural assistant"
    );
    app.patch(
        "/api/v1/me",
        Some(&token),
        json!({"job_role": "intercultural_assistant"}),
    )
    .await;
    let r = app.post(&url, Some(&token), json!({})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    // Closing the window stops self-registration.
    let (_, late) = app.signup("late@example.org").await;
    let r = app.patch(&format!("/api/v1/programmes/{}", p.id), Some(&p.organiser), json!({"registration_closes_at": "2026-01-02T00:00:00Z", "registration_opens_at": "2026-01-01T00:00:00Z", "eligibility": null})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.post(&url, Some(&late), json!({})).await;
    assert_eq!(
        (r.status.as_u16(), r.body["type"].as_str()),
        (409, Some("/problems/registration-not-open"))
    );
}

#[tokio::test]
async fn an_unreachable_mail_server_is_retried_with_backoff_and_nothing_is_lost() {
    use sea_orm::{ConnectionTrait, Statement};
    // A port where nothing listens (yet).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("smtp://127.0.0.1:{port}");
    let app = kompetens_tests::spawn_app_with(&[("KOMPETENS_SMTP_URL", url.as_str())]).await;
    let p = app.open_programme(Some(5), "first_come_first_served").await;
    let (_, token) = app.signup("patient@example.org").await;
    let r = app
        .post(
            &format!("/api/v1/programmes/{}/registrations", p.id),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let db = app.database().await;
    let backend = db.get_database_backend();
    let row = |sql: &str| Statement::from_string(backend, sql.to_string());
    // The attempt fails and is rescheduled about ten seconds on, with the error kept.
    let mut failed = None;
    for _ in 0..100 {
        let rows = db.query_all_raw(row("SELECT attempts, last_error, sent_at, created_at, next_attempt_at FROM notifications WHERE recipient = 'patient@example.org' AND kind = 'confirmed'")).await.unwrap();
        let attempts: i32 = rows[0].try_get("", "attempts").unwrap();
        if attempts >= 1 {
            let error: Option<String> = rows[0].try_get("", "last_error").unwrap();
            let sent: Option<chrono::DateTime<chrono::Utc>> =
                rows[0].try_get("", "sent_at").unwrap();
            let created: chrono::DateTime<chrono::Utc> = rows[0].try_get("", "created_at").unwrap();
            let next: chrono::DateTime<chrono::Utc> =
                rows[0].try_get("", "next_attempt_at").unwrap();
            assert!(
                (next - created).num_seconds() >= 9,
                "retried after {}s",
                (next - created).num_seconds()
            );
            failed = Some((attempts, error, sent));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (attempts, error, sent) = failed.expect("an attempt was made");
    assert_eq!(attempts, 1);
    assert!(error.is_some_and(|e| !e.is_empty()));
    assert!(sent.is_none());
    // The mail server comes up; once the backoff has passed (brought forward here rather than
    // waited for), the same notification goes out.
    let mailbox = kompetens_tests::Mailbox::start_on(port);
    db.execute_raw(row(
        "UPDATE notifications SET next_attempt_at = created_at WHERE sent_at IS NULL",
    ))
    .await
    .unwrap();
    let mails = mailbox
        .wait_for_about_programmes("patient@example.org", 1)
        .await;
    assert!(
        mails[0]
            .subject
            .starts_with("Confirmed: Residential training"),
        "{}",
        mails[0].subject
    );
}
