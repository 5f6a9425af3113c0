//! Double-booking: a trainer teaches one session at a time and a venue hosts at most its
//! `concurrent_sessions` at once, across every programme; times are half-open.

use kompetens_tests::{Reply, TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};

/// An organisation with an organiser, two trainers and two programmes on 10–12 March 2027
/// (Europe/Warsaw, +01:00).
struct World {
    organisation: String,
    organiser: String,
    trainer: String,
    colleague: String,
    programmes: [String; 2],
}

async fn world(app: &TestApp) -> World {
    let organisation = app
        .organisation(&app.admin_token, "Miasto Gdańsk", None)
        .await;
    let (_, organiser) = app
        .member(&organisation, "koordynatorka@gdansk.example", "organiser")
        .await;
    let (trainer, _) = app
        .member(&organisation, "trenerka@gdansk.example", "trainer")
        .await;
    let (colleague, _) = app
        .member(&organisation, "trener@gdansk.example", "trainer")
        .await;
    let mut programmes = Vec::new();
    for title in ["Akademia asystentów", "Szkolenie dla bibliotekarzy"] {
        programmes.push(
            app.create(
                "/api/v1/programmes",
                &organiser,
                json!({
                    "organisation_id": organisation, "kind": "course_cycle",
                    "title": {"pl": title}, "starts_on": "2027-03-10", "ends_on": "2027-03-12",
                    "time_zone": "Europe/Warsaw"
                }),
            )
            .await,
        );
    }
    let [first, second] = <[String; 2]>::try_from(programmes).expect("two programmes");
    World {
        organisation,
        organiser,
        trainer,
        colleague,
        programmes: [first, second],
    }
}

/// A session on 10 March from `from` to `to`, Warsaw time.
fn session(from: &str, to: &str, trainers: &[&str], venue: Option<&str>) -> Value {
    json!({
        "title": {"pl": format!("Warsztat {from}–{to}")},
        "activity_type": "workshop",
        "starts_at": format!("2027-03-10T{from}:00+01:00"),
        "ends_at": format!("2027-03-10T{to}:00+01:00"),
        "trainer_ids": trainers,
        "venue_id": venue,
        "raise_budget": true
    })
}

impl World {
    async fn add(&self, app: &TestApp, programme: usize, body: Value) -> Reply {
        app.post(
            &format!("/api/v1/programmes/{}/sessions", self.programmes[programme]),
            Some(&self.organiser),
            body,
        )
        .await
    }

    async fn added(&self, app: &TestApp, programme: usize, body: Value) -> String {
        let r = self.add(app, programme, body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body["id"].as_str().unwrap_or_default().to_string()
    }

    async fn venue(&self, app: &TestApp, concurrent_sessions: Option<u32>) -> Value {
        let mut body = json!({"organisation_id": self.organisation, "name": "Centrum Wielokulturowe", "address": "ul. Długa 1", "city": "Gdańsk", "country": "PL"});
        if let Some(n) = concurrent_sessions {
            body["concurrent_sessions"] = json!(n);
        }
        let r = app
            .post("/api/v1/venues", Some(&self.organiser), body)
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body
    }
}

/// Asserts a 409 of `kind` naming the session `other` (its id, start and end) and `who`.
fn assert_double_booked(r: &Reply, kind: &str, other: &str, times: (&str, &str), who: &str) {
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["type"], format!("/problems/{kind}"), "{}", r.text);
    assert_eq!(
        r.body["existing"],
        format!("/api/v1/sessions/{other}"),
        "{}",
        r.text
    );
    let detail = r.body["detail"].as_str().unwrap_or_default();
    for part in [
        other,
        who,
        &format!("from 2027-03-10T{}:00+01:00", times.0),
        &format!("to 2027-03-10T{}:00+01:00", times.1),
    ] {
        assert!(detail.contains(part), "{part:?} missing from {detail:?}");
    }
}

#[tokio::test]
async fn a_trainer_booked_in_another_programme_is_refused_naming_that_session() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let taken = w
        .added(&app, 0, session("10:00", "12:00", &[&w.trainer], None))
        .await;

    // (from, to, trainers, refused) for a session of the other programme.
    let cases: [(&str, &str, Vec<&str>, bool); 7] = [
        ("11:00", "13:00", vec![&w.trainer], true),
        ("09:00", "10:01", vec![&w.trainer], true),
        ("10:00", "12:00", vec![&w.trainer], true),
        ("10:30", "11:00", vec![&w.colleague, &w.trainer], true),
        // Back to back: half-open times do not overlap.
        ("09:00", "10:00", vec![&w.trainer], false),
        ("12:00", "13:30", vec![&w.trainer], false),
        // Someone else, at the same time.
        ("10:00", "12:00", vec![&w.colleague], false),
    ];
    let mut created = Vec::new();
    for (from, to, trainers, refused) in cases {
        let r = w.add(&app, 1, session(from, to, &trainers, None)).await;
        if r.status == 201 {
            created.push(r.body["id"].as_str().unwrap().to_string());
        }
        if refused {
            assert_double_booked(
                &r,
                "trainer-double-booked",
                &taken,
                ("10:00", "12:00"),
                &w.trainer,
            );
        } else {
            assert_eq!(r.status, 201, "{from}–{to}: {}", r.text);
        }
    }
    // Nothing of the refused sessions stays.
    let listed = app
        .all_pages(
            &format!("/api/v1/programmes/{}/sessions", w.programmes[1]),
            Some(&w.organiser),
            50,
        )
        .await;
    let mut listed = kompetens_tests::ids(&listed);
    let mut kept = created.clone();
    listed.sort();
    kept.sort();
    assert_eq!(listed, kept);

    // Of several sessions in the way, the earliest is named: 09:00–10:00 (the first created
    // above) before 10:00–12:00.
    let r = w
        .add(&app, 0, session("09:30", "10:30", &[&w.trainer], None))
        .await;
    assert_double_booked(
        &r,
        "trainer-double-booked",
        &created[0],
        ("09:00", "10:00"),
        &w.trainer,
    );
}

#[tokio::test]
async fn a_cancelled_session_does_not_block_its_trainer() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let called_off = w
        .added(&app, 0, session("10:00", "12:00", &[&w.trainer], None))
        .await;
    let r = app
        .post(
            &format!("/api/v1/sessions/{called_off}/cancel"),
            Some(&w.organiser),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    w.added(&app, 1, session("10:00", "12:00", &[&w.trainer], None))
        .await;
    // A cancelled session may still be edited: it books nobody.
    let r = app
        .patch(
            &format!("/api/v1/sessions/{called_off}"),
            Some(&w.organiser),
            json!({"starts_at": "2027-03-10T10:30:00+01:00"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn moving_a_session_into_a_trainers_other_session_is_refused() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let taken = w
        .added(&app, 0, session("10:00", "12:00", &[&w.trainer], None))
        .await;
    let moving = w
        .added(&app, 1, session("13:00", "14:00", &[&w.trainer], None))
        .await;
    let unassigned = w.added(&app, 1, session("11:00", "12:00", &[], None)).await;
    let path = |id: &str| format!("/api/v1/sessions/{id}");

    // (session, change, refused)
    let cases = [
        (
            &moving,
            json!({"starts_at": "2027-03-10T11:00:00+01:00"}),
            true,
        ),
        (&unassigned, json!({"trainer_ids": [w.trainer]}), true),
        (&moving, json!({"title": {"pl": "Nowy tytuł"}}), false),
        (
            &moving,
            json!({"starts_at": "2027-03-10T12:00:00+01:00"}),
            false,
        ),
        (&unassigned, json!({"trainer_ids": [w.colleague]}), false),
    ];
    for (id, change, refused) in cases {
        let before = app.get(&path(id), Some(&w.organiser)).await;
        let r = app
            .patch(&path(id), Some(&w.organiser), change.clone())
            .await;
        if refused {
            assert_double_booked(
                &r,
                "trainer-double-booked",
                &taken,
                ("10:00", "12:00"),
                &w.trainer,
            );
            let after = app.get(&path(id), Some(&w.organiser)).await;
            assert_eq!(after.body, before.body, "a refused change changes nothing");
        } else {
            assert_eq!(r.status, 200, "{change}: {}", r.text);
        }
    }
}

#[tokio::test]
async fn a_venue_hosts_at_most_its_concurrent_sessions() {
    let app = spawn_app().await;
    let w = world(&app).await;

    let room = w.venue(&app, None).await;
    assert_eq!(room["concurrent_sessions"], 1, "one at a time by default");
    let room = room["id"].as_str().unwrap_or_default().to_string();
    let first = w
        .added(&app, 0, session("10:00", "12:00", &[], Some(&room)))
        .await;
    let r = w
        .add(&app, 1, session("11:00", "13:00", &[], Some(&room)))
        .await;
    assert_double_booked(&r, "venue-double-booked", &first, ("10:00", "12:00"), &room);
    w.added(&app, 1, session("12:00", "13:00", &[], Some(&room)))
        .await;

    let centre = w.venue(&app, Some(3)).await;
    assert_eq!(centre["concurrent_sessions"], 3);
    let centre = centre["id"].as_str().unwrap_or_default().to_string();
    let mut hosted = Vec::new();
    for (programme, from) in [(0, "09:00"), (1, "09:30"), (0, "10:00")] {
        hosted.push(
            w.added(&app, programme, session(from, "11:00", &[], Some(&centre)))
                .await,
        );
    }
    let r = w
        .add(&app, 1, session("10:30", "11:30", &[], Some(&centre)))
        .await;
    assert_double_booked(
        &r,
        "venue-double-booked",
        &hosted[0],
        ("09:00", "11:00"),
        &centre,
    );
    // From 11:00 the centre is free again; and a fourth hall makes room for the fourth.
    w.added(&app, 1, session("11:00", "12:00", &[], Some(&centre)))
        .await;
    let r = app
        .patch(
            &format!("/api/v1/venues/{centre}"),
            Some(&w.organiser),
            json!({"concurrent_sessions": 4}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["concurrent_sessions"], 4);
    w.added(&app, 1, session("10:30", "11:30", &[], Some(&centre)))
        .await;
}

#[tokio::test]
async fn concurrent_sessions_must_be_one_to_a_thousand() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for bad in [json!(0), json!(1001), json!(2.5), json!("3"), json!(null)] {
        let r = app
            .post(
                "/api/v1/venues",
                Some(&w.organiser),
                json!({"organisation_id": w.organisation, "name": "Sala", "address": "ul. Długa 1", "city": "Gdańsk", "country": "PL", "concurrent_sessions": bad}),
            )
            .await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
        assert_eq!(
            r.body["errors"][0]["pointer"], "/concurrent_sessions",
            "{}",
            r.text
        );
    }
    let venue = w.venue(&app, Some(1000)).await;
    assert_eq!(venue["concurrent_sessions"], 1000);
    let r = app
        .patch(
            &format!(
                "/api/v1/venues/{}",
                venue["id"].as_str().unwrap_or_default()
            ),
            Some(&w.organiser),
            json!({"concurrent_sessions": null}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["errors"][0]["pointer"], "/concurrent_sessions");
}

/// Two sessions for one trainer at the same hour, posted at once to two programmes; returns
/// the two answers.
async fn race(app: &TestApp) -> Vec<Reply> {
    let w = world(app).await;
    let body = session("10:00", "12:00", &[&w.trainer], None);
    let (one, two) = tokio::join!(w.add(app, 0, body.clone()), w.add(app, 1, body));
    vec![one, two]
}

#[tokio::test]
async fn two_programmes_racing_for_one_trainer_get_one_201_and_one_409() {
    // The probe widens the window between the overlap check and the insert to 300 ms.
    let app = spawn_app_with(&[("KOMPETENS_RACE_PROBE", "schedule:on:300")]).await;
    let answers = race(&app).await;
    let mut statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [201, 409],
        "{:?}",
        answers.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    let refused = answers.iter().find(|r| r.status == 409).expect("a refusal");
    let created = answers.iter().find(|r| r.status == 201).expect("a session");
    assert_eq!(refused.body["type"], "/problems/trainer-double-booked");
    assert_eq!(
        refused.body["existing"],
        format!(
            "/api/v1/sessions/{}",
            created.body["id"].as_str().unwrap_or_default()
        )
    );
}

#[tokio::test]
async fn without_the_schedule_locks_the_race_double_books() {
    let app = spawn_app_with(&[("KOMPETENS_RACE_PROBE", "schedule:off:300")]).await;
    if !app.on_postgres() {
        // SQLite admits one writer at a time (every write transaction is BEGIN IMMEDIATE), so
        // the second request waits for the first to commit and sees its session whether or
        // not the schedule locks are taken: there is no race to see here.
        return;
    }
    let answers = race(&app).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses,
        [201, 201],
        "with the locks off both must pass the check, or the test could not see a race: {:?}",
        answers.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
}
