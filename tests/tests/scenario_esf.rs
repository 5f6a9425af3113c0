//! Scenario 5 of DESIGN.md end to end: the five-municipality ESF project — plans compiled per
//! municipality, trainings run on several occasions staff register for, process leaders, and
//! each plan's coverage and the project's roll-up.

use kompetens_tests::spawn_app;

#[tokio::test]
async fn the_esf_project_meets_its_plans_occasion_by_occasion() {
    let app = spawn_app().await;
    let s = app.scenario("esf").await;
    app.check_scenario(&s).await;
    let o = &s.organiser.token;
    let (training, leaders) = (&s.programmes[0], &s.programmes[1]);
    assert_eq!(
        s.expected[training].completed, 14,
        "two missed their trauma-awareness occasion"
    );
    assert_eq!(s.expected[leaders].completed, 5);
    // No occasion seats more than its eight places.
    let sessions = app
        .all_pages(
            &format!("/api/v1/programmes/{training}/sessions"),
            Some(o),
            50,
        )
        .await;
    for session in &sessions {
        let register = app
            .get(
                &format!(
                    "/api/v1/sessions/{}/attendance",
                    session["id"].as_str().unwrap()
                ),
                Some(o),
            )
            .await;
        assert!(
            register.body["entries"].as_array().unwrap().len() <= 8,
            "{}",
            register.text
        );
    }
    // Each municipality's plan: its process leader, and its staff who completed the training.
    let rollup = app
        .get(
            &format!(
                "/api/v1/organisations/{}/competence-plans/rollup?status=adopted",
                s.organisation
            ),
            Some(o),
        )
        .await;
    assert_eq!(rollup.body["plans"], 5);
    let leadership = rollup.body["by_theme"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["theme"] == "process_leadership")
        .unwrap();
    assert_eq!(leadership["staff_needed"], 5);
    assert_eq!(leadership["staff_met"], 5);
    assert_eq!(leadership["percent"], 100);
    // Certificates in Swedish for a Swedish programme.
    let mine = app
        .get("/api/v1/me/certificates", Some(&s.participant.token))
        .await;
    assert_eq!(mine.body["items"][0]["language"], "sv");
    let report = app
        .get(&format!("/api/v1/grants/{}/report", s.grants[0]), Some(o))
        .await;
    assert_eq!(report.body["funding"]["amount"]["currency"], "SEK");
    assert_eq!(report.body["participants"]["completed"], 19);
}
