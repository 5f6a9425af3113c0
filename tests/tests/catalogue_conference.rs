//! The academy's two-day conference at two venues, with plenaries and parallel thematic
//! sessions of their own capacity, and the calendars that publish it.

use chrono::{DateTime, NaiveDateTime, TimeZone};
use kompetens_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

/// (uid, DTSTART TZID parameter or "", DTSTART raw value, SEQUENCE, STATUS) per VEVENT, read
/// with a standard iCalendar parser.
fn parse_events(ics: &str) -> Vec<(String, String, String, String, String)> {
    let mut out = Vec::new();
    for calendar in ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes())) {
        let calendar = calendar.expect("a valid iCalendar document");
        for event in calendar.events {
            let prop = |name: &str| event.properties.iter().find(|p| p.name == name);
            let value = |name: &str| prop(name).and_then(|p| p.value.clone()).unwrap_or_default();
            let tzid = prop("DTSTART")
                .and_then(|p| p.params.as_ref())
                .and_then(|ps| ps.iter().find(|(k, _)| k == "TZID"))
                .and_then(|(_, v)| v.first().cloned())
                .unwrap_or_default();
            out.push((
                value("UID"),
                tzid,
                value("DTSTART"),
                value("SEQUENCE"),
                value("STATUS"),
            ));
        }
    }
    out
}

/// The instant a local DTSTART value names in `zone`.
fn instant(zone: &str, local: &str) -> DateTime<chrono::Utc> {
    let tz: chrono_tz::Tz = zone.parse().unwrap();
    let naive = NaiveDateTime::parse_from_str(local, "%Y%m%dT%H%M%S").unwrap();
    tz.from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&chrono::Utc)
}

fn api_instant(v: &Value) -> DateTime<chrono::Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc)
}

async fn ics(app: &TestApp, path: &str, token: Option<&str>) -> String {
    let r = app.get(path, token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(r.text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(r.text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Warsaw\r\n"));
    r.text
}

#[tokio::test]
async fn the_two_day_conference_at_two_venues_has_a_calendar_in_warsaw_time() {
    let app = spawn_app().await;
    let city = app
        .organisation(&app.admin_token, "Miasto Gdańsk", None)
        .await;
    let centre = app
        .organisation(
            &app.admin_token,
            "Poradnia Psychologiczno-Pedagogiczna nr 1",
            Some(&city),
        )
        .await;
    let (_, organiser) = app
        .member(&centre, "poradnia@gdansk.example", "organiser")
        .await;
    let (trainer_id, trainer) = app
        .member(&centre, "prelegentka@gdansk.example", "trainer")
        .await;
    let aula = app
        .create("/api/v1/venues", &organiser, json!({"organisation_id": centre, "name": "Aula Uniwersytetu Gdańskiego", "address": "ul. Jana Bażyńskiego 8", "city": "Gdańsk", "country": "PL", "capacity": 400, "concurrent_sessions": 3}))
        .await;
    let cmw = app
        .create("/api/v1/venues", &organiser, json!({"organisation_id": centre, "name": "Centrum Wielokulturowe", "address": "ul. Długa 1", "city": "Gdańsk", "country": "PL", "capacity": 120, "concurrent_sessions": 3}))
        .await;
    let programme = app
        .create(
            "/api/v1/programmes",
            &organiser,
            json!({
                "organisation_id": centre, "kind": "conference",
                "title": {"pl": "Konferencja Akademii Asystentów Międzykulturowych", "en": "Intercultural Assistants' Academy conference"},
                "starts_on": "2026-12-10", "ends_on": "2026-12-11", "languages": ["pl", "en"], "capacity": 250,
                "registration_opens_at": "2026-11-01T09:00:00+01:00", "registration_closes_at": "2026-12-08T23:59:00+01:00"
            }),
        )
        .await;
    let base = format!("/api/v1/programmes/{programme}");
    let r = app
        .put(
            &format!("{base}/hour-budget"),
            Some(&organiser),
            json!({"lines": [
                {"activity_type": "plenary", "planned_minutes": 360},
                {"activity_type": "thematic_session", "planned_minutes": 180}
            ]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut plenaries = Vec::new();
    for (day, venue, from, to) in [(10, &aula, "09:30", "12:30"), (11, &cmw, "09:30", "12:30")] {
        plenaries.push(
            app.create(&format!("{base}/sessions"), &organiser, json!({
                "title": {"pl": format!("Sesja plenarna, dzień {}", day - 9)}, "activity_type": "plenary",
                "starts_at": format!("2026-12-{day}T{from}:00+01:00"), "ends_at": format!("2026-12-{day}T{to}:00+01:00"),
                "venue_id": venue, "trainer_ids": [trainer_id]
            })).await,
        );
    }
    // Three parallel thematic sessions each afternoon, each with its own places (each venue has
    // three rooms: `concurrent_sessions` 3).
    let mut thematic = Vec::new();
    for (day, venue) in [(10, &aula), (11, &cmw)] {
        for (i, theme) in [
            "Trauma w klasie",
            "Komunikacja z rodzicami",
            "Język polski jako drugi",
        ]
        .iter()
        .enumerate()
        {
            let r = app.post(&format!("{base}/sessions"), Some(&organiser), json!({
                "title": {"pl": theme}, "activity_type": "thematic_session",
                "starts_at": format!("2026-12-{day}T14:00:00+01:00"), "ends_at": format!("2026-12-{day}T15:30:00+01:00"),
                "venue_id": venue, "capacity": 30 + 10 * i, "parallel_group": format!("tematyczne-{day}")
            })).await;
            assert_eq!(r.status, 201, "{}", r.text);
            assert_eq!(r.body["capacity"], 30 + 10 * i as u64);
            thematic.push(r.body["id"].as_str().unwrap().to_string());
        }
    }
    // Each parallel group counts once: 2 × 90 minutes of thematic sessions per participant.
    let budget = app
        .get(&format!("{base}/hour-budget"), Some(&organiser))
        .await;
    assert_eq!(
        budget.body["totals"]["scheduled_minutes"], 540,
        "{}",
        budget.text
    );
    // A group holds one activity type.
    let r = app.post(&format!("{base}/sessions"), Some(&organiser), json!({
        "title": {"pl": "Wykład w grupie"}, "activity_type": "lecture", "raise_budget": true,
        "starts_at": "2026-12-10T14:00:00+01:00", "ends_at": "2026-12-10T15:00:00+01:00", "parallel_group": "tematyczne-10"
    })).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["errors"][0]["pointer"], "/parallel_group");

    assert_eq!(
        app.post(&format!("{base}/publish"), Some(&organiser), json!({}))
            .await
            .status,
        200
    );

    // The public calendar parses, in Warsaw time, with stable UIDs.
    let text = ics(&app, &format!("{base}/calendar.ics"), None).await;
    let events = parse_events(&text);
    assert_eq!(events.len(), 8);
    let sessions = app.all_pages(&format!("{base}/sessions"), None, 50).await;
    for (uid, tzid, start, sequence, status) in &events {
        assert_eq!(tzid, "Europe/Warsaw");
        assert_eq!(sequence, "0");
        assert_eq!(status, "CONFIRMED");
        let id = uid.strip_suffix("@kompetens").unwrap();
        let session = sessions.iter().find(|s| s["id"] == *id).unwrap();
        assert_eq!(
            instant(tzid, start),
            api_instant(&session["starts_at"]),
            "{uid}"
        );
    }
    let first = events
        .iter()
        .find(|e| e.0 == format!("{}@kompetens", plenaries[0]))
        .unwrap();
    assert_eq!(first.2, "20261210T093000");
    assert!(
        text.contains("LOCATION:Aula Uniwersytetu Gdańskiego\\, ul. Jana Bażyńskiego 8\\, Gdańsk"),
        "{text}"
    );

    // Moving a session keeps its UID and raises its SEQUENCE; cancelling shows it cancelled.
    let path = format!("/api/v1/sessions/{}", plenaries[1]);
    let current = app.get(&path, Some(&organiser)).await;
    let etag = current.header("etag").unwrap().to_string();
    let moved = app.patch_if(&path, &organiser, &etag, json!({"starts_at": "2026-12-11T10:00:00+01:00", "ends_at": "2026-12-11T13:00:00+01:00"})).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let stale = app
        .patch_if(&path, &organiser, &etag, json!({"credit_minutes": 120}))
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    let cancelled = app
        .post(
            &format!("/api/v1/sessions/{}/cancel", thematic[0]),
            Some(&organiser),
            json!({}),
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text);
    let events = parse_events(&ics(&app, &format!("{base}/calendar.ics"), None).await);
    let moved_event = events
        .iter()
        .find(|e| e.0 == format!("{}@kompetens", plenaries[1]))
        .unwrap();
    assert_eq!(
        (moved_event.2.as_str(), moved_event.3.as_str()),
        ("20261211T100000", "1")
    );
    let cancelled_event = events
        .iter()
        .find(|e| e.0 == format!("{}@kompetens", thematic[0]))
        .unwrap();
    assert_eq!(cancelled_event.4, "CANCELLED");

    // The trainer sees what they teach, and has a calendar of it.
    let mine = app
        .all_pages("/api/v1/me/sessions", Some(&trainer), 1)
        .await;
    assert_eq!(kompetens_tests::ids(&mine), plenaries);
    let events = parse_events(&ics(&app, "/api/v1/me/calendar.ics", Some(&trainer)).await);
    assert_eq!(events.len(), 2);
}

#[tokio::test]
async fn calendars_keep_local_times_across_the_daylight_saving_change() {
    let app = spawn_app().await;
    let city = app
        .organisation(&app.admin_token, "Miasto Gdańsk", None)
        .await;
    let (_, organiser) = app
        .member(&city, "akademia@gdansk.example", "organiser")
        .await;
    let programme = app
        .create("/api/v1/programmes", &organiser, json!({
            "organisation_id": city, "kind": "course_cycle",
            "title": {"pl": "Cykl warsztatów wiosennych"},
            "starts_on": "2027-03-01", "ends_on": "2027-04-30",
            "registration_opens_at": "2026-11-01T09:00:00+01:00", "registration_closes_at": "2027-02-28T23:00:00+01:00"
        }))
        .await;
    let base = format!("/api/v1/programmes/{programme}");
    // Warsaw moves from +01:00 to +02:00 on 28 March 2027.
    for (date, offset) in [("2027-03-25", "+01:00"), ("2027-04-01", "+02:00")] {
        let r = app.post(&format!("{base}/sessions"), Some(&organiser), json!({
            "title": {"pl": "Warsztat"}, "activity_type": "workshop", "raise_budget": true,
            "starts_at": format!("{date}T17:00:00{offset}"), "ends_at": format!("{date}T20:00:00{offset}")
        })).await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["starts_at"], format!("{date}T17:00:00{offset}"));
    }
    let text = ics(&app, &format!("{base}/calendar.ics"), Some(&organiser)).await;
    let events = parse_events(&text);
    let starts: Vec<&str> = events.iter().map(|e| e.2.as_str()).collect();
    assert_eq!(starts, ["20270325T170000", "20270401T170000"]);
    assert!(
        text.contains("TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200"),
        "{text}"
    );
    // Drafts are not public, not even as calendars.
    assert_eq!(
        app.get(&format!("{base}/calendar.ics"), None).await.status,
        404
    );
}
