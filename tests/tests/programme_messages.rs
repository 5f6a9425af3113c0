//! Messages to participants (`/programmes/{id}/messages`): an organiser writes to those with a
//! place, those waiting or everyone in play; each gets one e-mail in their own language through
//! the outbox (a real SMTP catcher here), and the message counts its e-mails from queued to sent.

use kompetens_tests::{Mail, OpenProgramme, PASSWORD, Reply, TestApp, spawn_app, spawn_app_with};
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

/// The organisational details of the residential training, in Polish and English.
fn details(to: &str) -> Value {
    json!({
        "subject": {"pl": "Informacje organizacyjne", "en": "Organisational details"},
        "body": {
            "pl": "Zbiórka w poniedziałek o 8:00 przed dworcem.\n\nZabierzcie wygodne buty.",
            "en": "We meet on Monday at 8:00 in front of the station.\n\nBring comfortable shoes."
        },
        "to": to
    })
}

fn messages(p: &OpenProgramme) -> String {
    format!("/api/v1/programmes/{}/messages", p.id)
}

/// Signs up a participant writing in `locale` and registers them; returns the token and the
/// registration's id and status.
async fn registered(
    app: &TestApp,
    p: &OpenProgramme,
    email: &str,
    locale: &str,
) -> (String, String, String) {
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
    let id = r.body["id"].as_str().expect("id").to_string();
    let status = r.body["status"].as_str().expect("status").to_string();
    (token, id, status)
}

async fn send(app: &TestApp, p: &OpenProgramme, body: Value) -> Reply {
    app.post(&messages(p), Some(&p.organiser), body).await
}

/// Reads the message until every e-mail of it has left the outbox (sent or given up).
async fn delivered(app: &TestApp, p: &OpenProgramme, id: &str) -> Value {
    let path = format!("{}/{id}", messages(p));
    for _ in 0..200 {
        let r = app.get(&path, Some(&p.organiser)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        if r.body["deliveries"]["queued"] == 0 {
            return r.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the e-mails of message {id} never left the outbox");
}

/// The e-mails to `address` that are copies of an organiser's message about the programme.
fn copies(app: &TestApp, address: &str) -> Vec<Mail> {
    app.mailbox
        .all()
        .into_iter()
        .filter(|m| m.to.iter().any(|t| t == address))
        .filter(|m| {
            m.body.starts_with("Wiadomość od organizatorów")
                || m.body.starts_with("A message from the organisers")
        })
        .collect()
}

fn assert_adds_up(message: &Value) {
    let d = &message["deliveries"];
    let total =
        d["queued"].as_u64().unwrap() + d["sent"].as_u64().unwrap() + d["failed"].as_u64().unwrap();
    assert_eq!(Some(total), message["recipients"].as_u64(), "{message}");
}

#[tokio::test]
async fn a_message_to_those_confirmed_reaches_each_of_them_in_their_own_language() {
    let app = spawn_app().await;
    let p = app.open_programme(Some(2), "first_come_first_served").await;
    registered(&app, &p, "lucja@example.pl", "pl").await;
    registered(&app, &p, "brian@example.org", "en-GB").await;
    let (_, _, waiting) = registered(&app, &p, "cleo@example.org", "pl").await;
    assert_eq!(waiting, "waitlisted");

    let r = send(&app, &p, details("confirmed")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        r.header("location"),
        Some(format!("{}/{id}", messages(&p)).as_str())
    );
    assert_eq!(r.body["programme_id"], p.id.as_str());
    assert_eq!(r.body["to"], "confirmed");
    assert_eq!(r.body["subject"]["en"], "Organisational details");
    assert!(r.body["sent_by"].is_string());
    assert_eq!(r.body["recipients"], 2);
    // Just sent: both e-mails wait in the outbox.
    assert_eq!(
        r.body["deliveries"],
        json!({"queued": 2, "sent": 0, "failed": 0})
    );

    // The outbox delivers them: the counts move from queued to sent.
    let read = delivered(&app, &p, &id).await;
    assert_eq!(
        read["deliveries"],
        json!({"queued": 0, "sent": 2, "failed": 0})
    );
    assert_eq!(read["created_at"], r.body["created_at"]);

    // Łucja reads it in Polish, with the programme's Polish title and its contact.
    let mails = app
        .mailbox
        .wait_for_about_programmes("lucja@example.pl", 2)
        .await;
    let pl = mails
        .iter()
        .find(|m| m.subject.contains("Informacje organizacyjne"))
        .expect("the message in Polish");
    assert_eq!(pl.subject, "Trening wyjazdowy: Informacje organizacyjne");
    // (SMTP carries line breaks as CRLF.)
    let body = pl.body.replace("\r\n", "\n");
    assert!(
        body.starts_with(
            "Wiadomość od organizatorów programu „Trening wyjazdowy”:\n\nZbiórka w poniedziałek"
        ),
        "{body}"
    );
    assert!(pl.body.contains("Zabierzcie wygodne buty."), "{}", pl.body);
    assert!(
        pl.body
            .contains("Pytania: Anna Kowalska <anna@example.org>"),
        "{}",
        pl.body
    );
    // Brian (en-GB) reads it in English.
    let mails = app
        .mailbox
        .wait_for_about_programmes("brian@example.org", 2)
        .await;
    let en = mails
        .iter()
        .find(|m| m.subject.contains("Organisational details"))
        .expect("the message in English");
    assert_eq!(en.subject, "Residential training: Organisational details");
    assert!(
        en.body
            .replace("\r\n", "\n")
            .contains("A message from the organisers of “Residential training”:\n\nWe meet"),
        "{}",
        en.body
    );
    assert!(en.body.contains("Questions: Anna Kowalska"), "{}", en.body);
    // Cleo waits for a place: she was not written to.
    assert!(copies(&app, "cleo@example.org").is_empty());
    assert_eq!(copies(&app, "lucja@example.pl").len(), 1);
    assert_eq!(copies(&app, "brian@example.org").len(), 1);
}

#[tokio::test]
async fn a_message_in_one_language_reaches_everyone_in_it() {
    let app = spawn_app().await;
    let p = app.open_programme(Some(5), "first_come_first_served").await;
    registered(&app, &p, "sven@example.se", "sv-SE").await;
    // Only Polish is written: the Swedish reader gets Polish, framed in Polish.
    let r = send(
        &app,
        &p,
        json!({"subject": {"pl": "Dojazd"}, "body": {"pl": "Autokar odjeżdża o 7:00."}, "to": "all"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let mails = app
        .mailbox
        .wait_for_about_programmes("sven@example.se", 2)
        .await;
    let copy = mails
        .iter()
        .find(|m| m.subject.contains("Dojazd"))
        .expect("the message");
    assert_eq!(copy.subject, "Trening wyjazdowy: Dojazd");
    assert!(copy.body.contains("Autokar odjeżdża o 7:00."));
    assert!(
        copy.body.contains("Pytania: Anna Kowalska"),
        "{}",
        copy.body
    );
}

#[tokio::test]
async fn waitlisted_and_all_pick_the_right_people() {
    let app = spawn_app().await;
    // Approval: everyone is pending until an organiser decides; one place.
    let p = app.open_programme(Some(1), "approval").await;
    let (_, placed, _) = registered(&app, &p, "placed@example.org", "en").await;
    let (_, waiting, _) = registered(&app, &p, "waiting@example.org", "en").await;
    registered(&app, &p, "pending@example.org", "en").await;
    let (gone_token, gone, _) = registered(&app, &p, "gone@example.org", "en").await;
    for (id, status) in [(&placed, "confirmed"), (&waiting, "waitlisted")] {
        let r = app
            .post(
                &format!("/api/v1/registrations/{id}/approve"),
                Some(&p.organiser),
                json!({}),
            )
            .await;
        assert_eq!(r.body["status"], status, "{}", r.text);
    }
    let r = app
        .post(
            &format!("/api/v1/registrations/{gone}/cancel"),
            Some(&gone_token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let mut sent = Vec::new();
    for (to, expected) in [("waitlisted", 1), ("all", 3), ("confirmed", 1)] {
        let r = send(&app, &p, details(to)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["recipients"], expected, "to {to}");
        sent.push(r.body["id"].as_str().unwrap().to_string());
    }
    for id in &sent {
        let read = delivered(&app, &p, id).await;
        assert_eq!(read["deliveries"]["failed"], 0);
        assert_adds_up(&read);
    }
    // The one with a place: `all` and `confirmed`; the one waiting: `waitlisted` and `all`;
    // the pending one: `all` alone; the one who cancelled: nothing.
    assert_eq!(copies(&app, "placed@example.org").len(), 2);
    assert_eq!(copies(&app, "waiting@example.org").len(), 2);
    assert_eq!(copies(&app, "pending@example.org").len(), 1);
    assert!(copies(&app, "gone@example.org").is_empty());
}

#[tokio::test]
async fn only_the_programmes_organisers_write_or_read_its_messages() {
    let app = spawn_app().await;
    let p = app.open_programme(Some(5), "first_come_first_served").await;
    let (participant, _, _) = registered(&app, &p, "anna@example.org", "pl").await;
    let (_, trainer) = app
        .member(&p.organisation, "trainer@example.org", "trainer")
        .await;
    let other = app.open_programme(Some(5), "first_come_first_served").await;
    let r = send(&app, &p, details("all")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let one = format!("{}/{}", messages(&p), r.body["id"].as_str().unwrap());
    for (who, token) in [
        ("a participant", participant.as_str()),
        ("a trainer", trainer.as_str()),
        (
            "an organiser of another organisation",
            other.organiser.as_str(),
        ),
    ] {
        let r = app.post(&messages(&p), Some(token), details("all")).await;
        assert_eq!(r.status, 404, "{who} sending: {}", r.text);
        assert_eq!(r.body["type"], "/problems/not-found");
        assert_eq!(
            app.get(&messages(&p), Some(token)).await.status,
            404,
            "{who} listing"
        );
        assert_eq!(
            app.get(&one, Some(token)).await.status,
            404,
            "{who} reading"
        );
    }
    assert_eq!(app.get(&messages(&p), None).await.status, 401);
    // A message is found only under its own programme, and an unknown one not at all.
    let elsewhere = one.replace(&p.id, &other.id);
    assert_eq!(
        app.get(&elsewhere, Some(&other.organiser)).await.status,
        404
    );
    let unknown = format!("{}/{}", messages(&p), uuid::Uuid::now_v7());
    assert_eq!(app.get(&unknown, Some(&p.organiser)).await.status, 404);
    // The admin may, as everywhere.
    assert_eq!(app.get(&one, Some(&app.admin_token)).await.status, 200);
    // Only the organiser's message went out.
    let list = app.get(&messages(&p), Some(&p.organiser)).await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn bad_messages_are_refused_naming_the_field_and_nothing_is_sent() {
    let app = spawn_app().await;
    let p = app.open_programme(Some(5), "first_come_first_served").await;
    registered(&app, &p, "anna@example.org", "pl").await;
    let with = |field: &str, value: Value| {
        let mut body = details("confirmed");
        body[field] = value;
        body
    };
    let mut unknown_member = details("confirmed");
    unknown_member["cc"] = json!("everyone@example.org");
    let mut no_audience = details("confirmed");
    no_audience.as_object_mut().unwrap().remove("to");
    let cases: Vec<(&str, Value, &str)> = vec![
        ("an empty subject", with("subject", json!({})), "/subject"),
        (
            "a blank subject",
            with("subject", json!({"pl": "   "})),
            "/subject/pl",
        ),
        (
            "a subject of two lines",
            with("subject", json!({"pl": "Informacje\norganizacyjne"})),
            "/subject/pl",
        ),
        (
            "an over-long subject",
            with("subject", json!({"pl": "s".repeat(301)})),
            "/subject/pl",
        ),
        (
            "an over-long body",
            with("body", json!({"pl": "x".repeat(20_001)})),
            "/body/pl",
        ),
        (
            "a body keyed by no language",
            with("body", json!({"polski": "Tekst"})),
            "/body/polski",
        ),
        ("an unknown audience", with("to", json!("everyone")), "/to"),
        ("no audience", no_audience, "/to"),
        ("an unknown member", unknown_member, "/cc"),
    ];
    for (what, body, pointer) in cases {
        let r = send(&app, &p, body).await;
        assert_eq!(r.status, 422, "{what}: {}", r.text);
        assert_eq!(r.body["type"], "/problems/validation-failed", "{what}");
        let pointers: Vec<&str> = r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["pointer"].as_str())
            .collect();
        assert!(
            pointers.contains(&pointer),
            "{what}: expected {pointer} in {}",
            r.text
        );
    }
    // Exactly 20,000 characters is fine.
    let r = send(&app, &p, with("body", json!({"pl": "x".repeat(20_000)}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let list = app.get(&messages(&p), Some(&p.organiser)).await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
}

async fn message_copies_in_outbox(app: &TestApp) -> i64 {
    let db = app.database().await;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM notifications WHERE message_id IS NOT NULL AND kind = 'message'",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn a_replay_returns_the_same_message_and_queues_no_second_round() {
    let app = spawn_app().await;
    let p = app.open_programme(Some(5), "first_come_first_served").await;
    registered(&app, &p, "anna@example.org", "pl").await;
    registered(&app, &p, "brian@example.org", "en").await;
    let post = |body: Value, key: &'static str| {
        app.client
            .post(app.url(&messages(&p)))
            .bearer_auth(&p.organiser)
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    let first = post(details("confirmed"), "details-1").await.unwrap();
    assert_eq!(first.status(), 201);
    let location = first.headers().get("location").cloned();
    let first = first.text().await.unwrap();
    let again = post(details("confirmed"), "details-1").await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(
        again
            .headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    assert_eq!(again.headers().get("location").cloned(), location);
    assert_eq!(
        again.text().await.unwrap(),
        first,
        "the first answer, byte for byte"
    );
    // The same key with another message is refused.
    let other = post(details("all"), "details-1").await.unwrap();
    assert_eq!(other.status(), 422);
    assert!(
        other
            .text()
            .await
            .unwrap()
            .contains("/problems/idempotency-key-reused")
    );
    // One message, one e-mail per recipient.
    let list = app.get(&messages(&p), Some(&p.organiser)).await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(message_copies_in_outbox(&app).await, 2);
    let id = serde_json::from_str::<Value>(&first).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    delivered(&app, &p, &id).await;
    assert_eq!(copies(&app, "anna@example.org").len(), 1);
    assert_eq!(copies(&app, "brian@example.org").len(), 1);
}

#[tokio::test]
async fn the_list_pages_oldest_first_with_each_messages_counts() {
    let app = spawn_app().await;
    let p = app.open_programme(Some(2), "first_come_first_served").await;
    for i in 0..3 {
        registered(&app, &p, &format!("p{i}@example.org"), "pl").await;
    }
    // Nobody is pending: that message is kept all the same, with no one to reach.
    let mut sent = Vec::new();
    for to in ["confirmed", "waitlisted", "all"] {
        let r = send(&app, &p, details(to)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        sent.push((r.body["id"].as_str().unwrap().to_string(), to));
    }
    let (first_id, _) = &sent[0];
    delivered(&app, &p, &sent[2].0).await;
    delivered(&app, &p, first_id).await;

    let page = app
        .get(&format!("{}?limit=2", messages(&p)), Some(&p.organiser))
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let items = page.body["items"].as_array().unwrap().clone();
    let cursor = page.body["next_cursor"].as_str().expect("a next page");
    let rest = app
        .get(
            &format!("{}?limit=2&cursor={cursor}", messages(&p)),
            Some(&p.organiser),
        )
        .await;
    assert_eq!(rest.status, 200, "{}", rest.text);
    assert_eq!(rest.body["next_cursor"], Value::Null);
    let all: Vec<Value> = items
        .into_iter()
        .chain(rest.body["items"].as_array().unwrap().iter().cloned())
        .collect();
    assert_eq!(
        all.iter()
            .map(|m| m["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        sent.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
        "oldest first"
    );
    let recipients: Vec<u64> = all
        .iter()
        .map(|m| m["recipients"].as_u64().unwrap())
        .collect();
    assert_eq!(recipients, [2, 1, 3]);
    for m in &all {
        assert_adds_up(m);
        assert_eq!(m["deliveries"]["sent"], m["recipients"], "{m}");
    }
    // A programme without messages lists none.
    let empty = app.open_programme(Some(2), "first_come_first_served").await;
    let r = app.get(&messages(&empty), Some(&empty.organiser)).await;
    assert_eq!(r.body, json!({"items": [], "next_cursor": null}));
    let r = app
        .get(&format!("{}?limit=0", messages(&p)), Some(&p.organiser))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
}

#[tokio::test]
async fn a_message_with_nobody_to_reach_is_kept() {
    let app = spawn_app().await;
    let p = app.open_programme(Some(2), "first_come_first_served").await;
    let r = send(&app, &p, details("waitlisted")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["recipients"], 0);
    assert_eq!(
        r.body["deliveries"],
        json!({"queued": 0, "sent": 0, "failed": 0})
    );
    let read = app
        .get(
            &format!("{}/{}", messages(&p), r.body["id"].as_str().unwrap()),
            Some(&p.organiser),
        )
        .await;
    assert_eq!(read.body, r.body);
}

#[tokio::test]
async fn copies_given_up_count_as_failed_and_an_erased_recipient_keeps_no_address() {
    // A port where no mail server listens yet: nothing leaves the outbox.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(&[("KOMPETENS_SMTP_URL", url.as_str())]).await;
    let p = app.open_programme(Some(5), "first_come_first_served").await;
    let (erased, _, _) = registered(&app, &p, "erased@example.org", "pl").await;
    registered(&app, &p, "bounced@example.org", "pl").await;
    registered(&app, &p, "patient@example.org", "pl").await;
    let r = send(&app, &p, details("confirmed")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let one = format!("{}/{}", messages(&p), r.body["id"].as_str().unwrap());
    let read =
        async |app: &TestApp| app.get(&one, Some(&p.organiser)).await.body["deliveries"].clone();
    assert_eq!(
        read(&app).await,
        json!({"queued": 3, "sent": 0, "failed": 0})
    );

    // One recipient erases their account: their copy loses the address and is given up.
    let r = app
        .call(
            Method::DELETE,
            "/api/v1/me",
            Some(&erased),
            Some(json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        read(&app).await,
        json!({"queued": 2, "sent": 0, "failed": 1})
    );
    let db = app.database().await;
    let backend = db.get_database_backend();
    let sql = |s: &str| Statement::from_string(backend, s.to_string());
    let left = db
        .query_all_raw(sql(
            "SELECT recipient, subject, body FROM notifications WHERE recipient LIKE '%erased@example.org%' OR body LIKE '%erased@example.org%'",
        ))
        .await
        .unwrap();
    assert!(left.is_empty(), "the erased address is still in the outbox");

    // Another copy reaches the outbox's last attempt: given up, counted as failed.
    db.execute_raw(sql(
        "UPDATE notifications SET attempts = 12 WHERE recipient = 'bounced@example.org' AND kind = 'message'",
    ))
    .await
    .unwrap();
    assert_eq!(
        read(&app).await,
        json!({"queued": 1, "sent": 0, "failed": 2})
    );

    // The mail server comes up and the backoff is brought forward: the last copy is sent, the
    // given-up ones are not tried again.
    let mailbox = kompetens_tests::Mailbox::start_on(port);
    db.execute_raw(sql(
        "UPDATE notifications SET next_attempt_at = created_at WHERE sent_at IS NULL",
    ))
    .await
    .unwrap();
    let mails = mailbox
        .wait_for_about_programmes("patient@example.org", 2)
        .await;
    assert!(
        mails
            .iter()
            .any(|m| m.subject.contains("Informacje organizacyjne"))
    );
    let mut last = Value::Null;
    for _ in 0..200 {
        last = read(&app).await;
        if last["queued"] == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(last, json!({"queued": 0, "sent": 1, "failed": 2}));
    assert!(
        !mailbox
            .all()
            .iter()
            .any(|m| m.to.iter().any(|t| t == "bounced@example.org")
                && m.subject.contains("Informacje organizacyjne"))
    );
}

/// Registers `token` while a message is being sent, the registration starting first; returns
/// the message and the registration as answered.
async fn register_while_sending(app: &TestApp, p: &OpenProgramme, token: &str) -> (Value, Value) {
    let path = format!("/api/v1/programmes/{}/registrations", p.id);
    let register = app.post(&path, Some(token), json!({}));
    let message = async {
        // The registration has begun (and, with the probe, paused after its check).
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        send(app, p, details("confirmed")).await
    };
    let (registration, message) = tokio::join!(register, message);
    assert_eq!(registration.status, 201, "{}", registration.text);
    assert_eq!(message.status, 201, "{}", message.text);
    (message.body, registration.body)
}

fn instant(v: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc)
}

#[tokio::test]
async fn recipients_are_exactly_those_registered_when_the_message_is_stored() {
    // Every check is followed by a pause of 300 ms, under the programme's lock.
    let app = spawn_app_with(&[("KOMPETENS_RACE_PROBE", "programme-lock:on:300")]).await;
    let p = app.open_programme(Some(5), "first_come_first_served").await;
    let (_, token) = app.signup("early@example.org").await;
    let (message, registration) = register_while_sending(&app, &p, &token).await;
    // The registration went first and holds a place: the message, stored after it, reached it.
    assert_eq!(registration["status"], "confirmed");
    assert!(instant(&registration["created_at"]) < instant(&message["created_at"]));
    assert_eq!(message["recipients"], 1, "{message}");
}

#[tokio::test]
async fn without_the_programme_lock_a_message_misses_someone_registered_before_it() {
    let app = spawn_app_with(&[("KOMPETENS_RACE_PROBE", "programme-lock:off:300")]).await;
    if !app.on_postgres() {
        // SQLite's BEGIN IMMEDIATE lets one writer in at a time, lock or no lock: the race
        // cannot happen there.
        return;
    }
    let p = app.open_programme(Some(5), "first_come_first_served").await;
    let (_, token) = app.signup("early@example.org").await;
    let (message, registration) = register_while_sending(&app, &p, &token).await;
    // The registration is older than the message, yet the message read the audience before
    // the registration committed: the race the lock prevents.
    assert_eq!(registration["status"], "confirmed");
    assert!(instant(&registration["created_at"]) < instant(&message["created_at"]));
    assert_eq!(message["recipients"], 0, "{message}");
}

#[tokio::test]
async fn a_message_to_a_thousand_participants_queues_one_copy_each() {
    // No mail server: the copies stay in the outbox, where they are counted.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(&[("KOMPETENS_SMTP_URL", url.as_str())]).await;
    let p = app.open_programme(None, "first_come_first_served").await;
    // 1,200 people registered by the organiser (more than one INSERT's worth of copies).
    for batch in 0..3 {
        let entries: Vec<Value> = (0..400)
            .map(|i| json!({"email": format!("staff-{batch}-{i}@example.org"), "locale": if i % 2 == 0 { "pl" } else { "en" }}))
            .collect();
        let r = app
            .post(
                &format!("/api/v1/programmes/{}/registrations/batch", p.id),
                Some(&p.organiser),
                json!({"entries": entries}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["created"], 400, "{}", r.text);
    }
    let r = send(&app, &p, details("confirmed")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["recipients"], 1200);
    let id = r.body["id"].as_str().unwrap().to_string();
    let db = app.database().await;
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            // The only message: every copy of it.
            "SELECT subject, COUNT(*) AS n, COUNT(DISTINCT recipient) AS people FROM notifications \
             WHERE kind = 'message' AND message_id IS NOT NULL GROUP BY subject ORDER BY subject"
                .to_string(),
        ))
        .await
        .unwrap();
    let counted: Vec<(String, i64, i64)> = rows
        .iter()
        .map(|row| {
            (
                row.try_get("", "subject").unwrap(),
                row.try_get("", "n").unwrap(),
                row.try_get("", "people").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counted,
        [
            (
                "Residential training: Organisational details".to_string(),
                600,
                600
            ),
            (
                "Trening wyjazdowy: Informacje organizacyjne".to_string(),
                600,
                600
            ),
        ]
    );
    let read = app
        .get(&format!("{}/{id}", messages(&p)), Some(&p.organiser))
        .await;
    assert_eq!(read.body["deliveries"]["sent"], 0);
    assert_adds_up(&read.body);
}
