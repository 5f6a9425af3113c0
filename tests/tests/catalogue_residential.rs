//! The residential training of DESIGN.md: 40 hours split across five activity types, sessions
//! on six consecutive days in Europe/Warsaw, funded by a 189,000 PLN UNICEF grant.

use std::collections::BTreeSet;

use kompetens_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

struct Training {
    organiser: String,
    programme: String,
    venue: String,
    trainer_id: String,
}

/// One session of the training, at local Warsaw times (June: +02:00).
fn session(title: &str, activity: &str, day: u32, from: &str, to: &str) -> Value {
    json!({
        "title": {"pl": title},
        "activity_type": activity,
        "starts_at": format!("2026-06-{day:02}T{from}:00+02:00"),
        "ends_at": format!("2026-06-{day:02}T{to}:00+02:00"),
    })
}

async fn residential_training(app: &TestApp) -> Training {
    let city = app
        .organisation(&app.admin_token, "Miasto Gdańsk", None)
        .await;
    let schools = app
        .organisation(&app.admin_token, "Szkoły miejskie", Some(&city))
        .await;
    let (_, organiser) = app
        .member(&city, "koordynatorka@gdansk.example", "organiser")
        .await;
    let (trainer_id, _) = app.member(&city, "trener@gdansk.example", "trainer").await;

    let unicef = app
        .create(
            "/api/v1/funders",
            &organiser,
            json!({"organisation_id": city, "name": "UNICEF Polska", "kind": "international_organisation", "country": "PL", "website": "https://www.unicef.pl"}),
        )
        .await;
    let grant = app
        .create(
            "/api/v1/grants",
            &organiser,
            json!({
                "funder_id": unicef, "recipient_organisation_id": city,
                "reference": "UNICEF/PL/2026/014", "title": "Wsparcie asystentów międzykulturowych",
                "amount": {"amount_minor": 18_900_000, "currency": "PLN"},
                "starts_on": "2026-03-01", "ends_on": "2026-12-31", "funded_minutes": 2400, "status": "active"
            }),
        )
        .await;
    let venue = app
        .create(
            "/api/v1/venues",
            &organiser,
            json!({"organisation_id": city, "name": "Ośrodek Górski Potok", "address": "ul. Oswalda Balzera 21", "city": "Zakopane", "postal_code": "34-500", "country": "PL", "capacity": 60, "coordinates": {"latitude": 49.2992, "longitude": 19.9496}}),
        )
        .await;
    let programme = app
        .create(
            "/api/v1/programmes",
            &organiser,
            json!({
                "organisation_id": city,
                "kind": "residential_training",
                "title": {"pl": "Trening wyjazdowy dla kadry szkół", "en": "Residential training for school staff"},
                "summary": {"pl": "Warsztaty rozwojowe, superwizja grupowa i indywidualna, wsparcie psychospołeczne i trening umiejętności społecznych w nowym kontekście kulturowym."},
                "starts_on": "2026-06-13",
                "ends_on": "2026-06-18",
                "time_zone": "Europe/Warsaw",
                "languages": ["pl"],
                "capacity": 30,
                "registration_policy": "first_come_first_served",
                "registration_opens_at": "2026-05-04T10:00:00+02:00",
                "registration_closes_at": "2026-06-05T22:00:00+02:00",
                "eligibility": {"workplace_organisation_id": schools, "job_roles": ["intercultural_assistant", "teacher", "school_director"]},
                "completion_rule": {"min_attended_percent": 80},
                "contact": {"name": "Anna Kowalska", "email": "anna.kowalska@gdansk.example", "phone": "+48 58 000 00 00"},
                "fee": null,
                "grant_ids": [grant]
            }),
        )
        .await;
    Training {
        organiser,
        programme,
        venue,
        trainer_id,
    }
}

/// 40 hours: 900 + 480 + 300 + 360 + 360 minutes.
fn budget() -> Value {
    json!({"lines": [
        {"activity_type": "workshop", "planned_minutes": 900},
        {"activity_type": "group_supervision", "planned_minutes": 480},
        {"activity_type": "individual_supervision", "planned_minutes": 300},
        {"activity_type": "psychosocial_support", "planned_minutes": 360},
        {"activity_type": "social_skills_training", "planned_minutes": 360}
    ]})
}

/// Sessions on 13–18 June filling the budget exactly. Individual supervision on the last day
/// is three parallel one-hour slots (each participant takes one): the group counts 60 minutes.
fn sessions() -> Vec<Value> {
    let mut all = Vec::new();
    for day in 13..=17 {
        all.push(session(
            "Warsztat rozwojowy",
            "workshop",
            day,
            "09:00",
            "12:00",
        ));
    }
    for day in 14..=17 {
        all.push(session(
            "Superwizja grupowa",
            "group_supervision",
            day,
            "15:00",
            "17:00",
        ));
    }
    for day in 13..=16 {
        all.push(session(
            "Superwizja indywidualna",
            "individual_supervision",
            day,
            "17:30",
            "18:30",
        ));
    }
    for slot in ["10:00", "11:00", "12:00"] {
        let end = format!("{}:00", &slot[..2].parse::<u32>().unwrap() + 1);
        let mut s = session(
            "Superwizja indywidualna (slot)",
            "individual_supervision",
            18,
            slot,
            &end,
        );
        s["parallel_group"] = json!("indywidualna-18");
        s["capacity"] = json!(1);
        all.push(s);
    }
    for day in [13, 16, 18] {
        all.push(session(
            "Wsparcie psychospołeczne",
            "psychosocial_support",
            day,
            "13:00",
            "15:00",
        ));
    }
    all.push(session(
        "Trening umiejętności społecznych",
        "social_skills_training",
        17,
        "18:00",
        "21:00",
    ));
    all.push(session(
        "Trening umiejętności społecznych",
        "social_skills_training",
        18,
        "15:00",
        "18:00",
    ));
    all
}

#[tokio::test]
async fn the_residential_training_fills_its_40_hour_budget_exactly() {
    let app = spawn_app().await;
    let t = residential_training(&app).await;
    let base = format!("/api/v1/programmes/{}", t.programme);

    // Publishing an empty draft says everything that is missing.
    let r = app
        .post(&format!("{base}/publish"), Some(&t.organiser), json!({}))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["type"], "/problems/programme-incomplete");
    let pointers: BTreeSet<_> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        pointers,
        BTreeSet::from(["/sessions".to_string(), "/hour_budget".to_string()])
    );

    let r = app
        .put(&format!("{base}/hour-budget"), Some(&t.organiser), budget())
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["totals"]["planned_minutes"], 2400);

    for mut s in sessions() {
        s["venue_id"] = json!(t.venue);
        s["trainer_ids"] = json!([t.trainer_id]);
        app.create(&format!("{base}/sessions"), &t.organiser, s)
            .await;
    }

    let r = app
        .get(&format!("{base}/hour-budget"), Some(&t.organiser))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["totals"]["planned_minutes"], 2400);
    assert_eq!(r.body["totals"]["scheduled_minutes"], 2400);
    // The sessions are past, but a session counts as delivered only once its attendance is
    // recorded (see attendance_certificates.rs, where they are).
    assert_eq!(r.body["totals"]["delivered_minutes"], 0);
    let lines = r.body["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 5);
    for line in lines {
        assert_eq!(line["planned_minutes"], line["scheduled_minutes"], "{line}");
    }

    // Sessions run on six consecutive days, shown in Warsaw time.
    let listed = app
        .all_pages(&format!("{base}/sessions"), Some(&t.organiser), 7)
        .await;
    assert_eq!(listed.len(), 21);
    let days: BTreeSet<String> = listed
        .iter()
        .map(|s| s["starts_at"].as_str().unwrap()[..10].to_string())
        .collect();
    let expected: BTreeSet<String> = (13..=18).map(|d| format!("2026-06-{d}")).collect();
    assert_eq!(days, expected);
    assert!(
        listed
            .iter()
            .all(|s| s["starts_at"].as_str().unwrap().ends_with("+02:00"))
    );
    let starts: Vec<&str> = listed
        .iter()
        .map(|s| s["starts_at"].as_str().unwrap())
        .collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted, "sessions are listed in order of start");

    // One more workshop is refused, naming the line.
    let extra = session("Warsztat dodatkowy", "workshop", 18, "19:00", "20:30");
    let r = app
        .post(
            &format!("{base}/sessions"),
            Some(&t.organiser),
            extra.clone(),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["type"], "/problems/hour-budget-exceeded");
    assert_eq!(r.body["errors"][0]["pointer"], "/hour_budget/workshop");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("workshop line plans 900 minutes"),
        "{}",
        r.body["detail"]
    );

    // The grant's amount comes back exactly, and it lists the programme it funds.
    let programme = app.get(&base, Some(&t.organiser)).await;
    let grant_id = programme.body["grant_ids"][0].as_str().unwrap().to_string();
    let grant = app
        .get(&format!("/api/v1/grants/{grant_id}"), Some(&t.organiser))
        .await;
    assert_eq!(
        grant.body["amount"],
        json!({"amount_minor": 18_900_000, "currency": "PLN"})
    );
    assert_eq!(grant.body["programme_ids"], json!([t.programme]));

    // Now complete: it publishes, and anyone can read it.
    assert_eq!(
        app.get(&base, None).await.status,
        404,
        "a draft is invisible anonymously"
    );
    let r = app
        .post(&format!("{base}/publish"), Some(&t.organiser), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "published");
    let public = app.get(&base, None).await;
    assert_eq!(public.status, 200);
    assert_eq!(public.body["capacity"], 30);
    assert_eq!(public.body["fee"], Value::Null);
    assert_eq!(public.body["time_zone"], "Europe/Warsaw");
    let budget = app.get(&format!("{base}/hour-budget"), None).await;
    assert_eq!(budget.body["totals"]["scheduled_minutes"], 2400);
    // Publishing twice is a state conflict.
    let r = app
        .post(&format!("{base}/publish"), Some(&t.organiser), json!({}))
        .await;
    assert_eq!(r.body["type"], "/problems/invalid-status-transition");
}

#[tokio::test]
async fn the_organiser_may_raise_the_budget_explicitly_and_concurrent_sessions_never_overrun_it() {
    let app = spawn_app().await;
    let t = residential_training(&app).await;
    let base = format!("/api/v1/programmes/{}", t.programme);
    let r = app
        .put(&format!("{base}/hour-budget"), Some(&t.organiser), budget())
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Twelve three-hour workshops race for a 900-minute line: exactly five fit.
    let mut handles = Vec::new();
    for i in 0..12 {
        let app_url = app.url(&format!("{base}/sessions"));
        let client = app.client.clone();
        let token = t.organiser.clone();
        let body = session(
            &format!("Warsztat {i}"),
            "workshop",
            13 + (i % 6),
            "09:00",
            "12:00",
        );
        handles.push(tokio::spawn(async move {
            client
                .post(app_url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for h in handles {
        statuses.push(h.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        5,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    let r = app
        .get(&format!("{base}/hour-budget"), Some(&t.organiser))
        .await;
    let workshop = r.body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["activity_type"] == "workshop")
        .unwrap()
        .clone();
    assert_eq!(workshop["scheduled_minutes"], 900);

    // Explicitly raising the budget with the session lets it in and moves the line up.
    let mut extra = session("Warsztat dodatkowy", "workshop", 18, "19:00", "20:30");
    extra["raise_budget"] = json!(true);
    app.create(&format!("{base}/sessions"), &t.organiser, extra)
        .await;
    let r = app
        .get(&format!("{base}/hour-budget"), Some(&t.organiser))
        .await;
    let workshop = r.body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["activity_type"] == "workshop")
        .unwrap()
        .clone();
    assert_eq!(workshop["planned_minutes"], 990);
    assert_eq!(workshop["scheduled_minutes"], 990);

    // The budget cannot be cut below what is scheduled.
    let r = app
        .put(&format!("{base}/hour-budget"), Some(&t.organiser), budget())
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["type"], "/problems/hour-budget-exceeded");

    // Sessions outside the programme's dates (by Warsaw date) are invalid, naming the field.
    let early = json!({"title": {"pl": "Za wcześnie"}, "activity_type": "lecture",
        "starts_at": "2026-06-12T23:30:00+02:00", "ends_at": "2026-06-13T01:00:00+02:00", "raise_budget": true});
    let r = app
        .post(&format!("{base}/sessions"), Some(&t.organiser), early)
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["errors"][0]["pointer"], "/starts_at");
    let backwards = json!({"title": {"pl": "Wstecz"}, "activity_type": "lecture",
        "starts_at": "2026-06-14T12:00:00+02:00", "ends_at": "2026-06-14T11:00:00+02:00", "credit_minutes": 0});
    let r = app
        .post(&format!("{base}/sessions"), Some(&t.organiser), backwards)
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let pointers: Vec<_> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert!(pointers.contains(&"/ends_at"), "{pointers:?}");

    // A trainer must hold the trainer role around the programme's organisation.
    let other = app.organisation(&app.admin_token, "Gdynia", None).await;
    let (stranger, _) = app.member(&other, "trener@gdynia.example", "trainer").await;
    let mut s = session("Wykład", "lecture", 14, "19:00", "20:00");
    s["trainer_ids"] = json!([t.trainer_id, stranger]);
    s["raise_budget"] = json!(true);
    let r = app
        .post(&format!("{base}/sessions"), Some(&t.organiser), s)
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["errors"][0]["pointer"], "/trainer_ids/1");
}
