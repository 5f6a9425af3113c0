//! Scenario 1 of DESIGN.md end to end: a city academy of intercultural assistants, its
//! workshop cycle (attendance, completion, certificates) and its two-venue conference with
//! parallel thematic sessions of their own places.

use kompetens_tests::spawn_app;

#[tokio::test]
async fn the_academy_runs_its_cycle_and_fills_its_conference() {
    let app = spawn_app().await;
    let s = app.scenario("academy").await;
    app.check_scenario(&s).await;
    let (cycle, conference) = (&s.programmes[0], &s.programmes[1]);
    // The cycle: eleven of twelve completed (one missed half of it), one still waits.
    assert_eq!(s.expected[cycle].completed, 11);
    let mine = app
        .get("/api/v1/me/certificates", Some(&s.participant.token))
        .await;
    assert_eq!(
        mine.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        mine.text
    );
    assert_eq!(mine.body["items"][0]["programme_id"], cycle.as_str());
    assert_eq!(mine.body["items"][0]["language"], "pl");

    // The conference: six registered, all wanting the same thematic session of two places.
    let list = app
        .all_pages(
            &format!("/api/v1/programmes/{conference}/registrations"),
            Some(&s.organiser.token),
            50,
        )
        .await;
    assert_eq!(list.len(), 6);
    let mut seated = 0;
    let mut waiting = Vec::new();
    for r in &list {
        let choice = &r["session_choices"][0];
        match choice["status"].as_str() {
            Some("confirmed") => seated += 1,
            Some("waitlisted") => waiting.push(choice["waitlist_position"].as_u64().unwrap()),
            other => panic!("unexpected choice {other:?}"),
        }
    }
    assert_eq!(seated, 2);
    assert_eq!(waiting, [1, 2, 3, 4], "in order of arrival, gapless");
    // Two venues, two days, published and open for registration.
    let p = app
        .get(&format!("/api/v1/programmes/{conference}"), None)
        .await;
    assert_eq!(p.body["open_for_registration"], true);
    let sessions = app
        .all_pages(
            &format!("/api/v1/programmes/{conference}/sessions"),
            None,
            50,
        )
        .await;
    let venues: std::collections::BTreeSet<&str> = sessions
        .iter()
        .filter_map(|s| s["venue_id"].as_str())
        .collect();
    assert_eq!(venues.len(), 2);
    let calendar = app
        .get(
            &format!("/api/v1/programmes/{conference}/calendar.ics"),
            None,
        )
        .await;
    assert_eq!(calendar.text.matches("BEGIN:VEVENT").count(), 6);
}
