//! Scenario 3 of DESIGN.md end to end: the metropolitan minimum standard — 30 pilot schools,
//! 300 library and culture-centre staff under an EEA grant, an AMIF exchange, each member's
//! plan and the association's roll-up — and a participant's erasure that leaves the figures
//! standing.

use kompetens_tests::spawn_app;
use serde_json::{Value, json};

#[tokio::test]
async fn the_metropolitan_standard_is_planned_run_reported_and_survives_an_erasure() {
    let app = spawn_app().await;
    let s = app.scenario("metropolitan").await;
    app.check_scenario(&s).await;
    let o = &s.organiser.token;
    let (pilot, includes) = (&s.programmes[0], &s.programmes[1]);
    assert_eq!(
        s.expected[pilot].completed, 87,
        "three directors missed a workshop"
    );
    assert_eq!(
        s.expected[includes].completed, 290,
        "300 trained, ten missed a session"
    );

    // The association sees its members' plans rolled up; totals add up both ways.
    let rollup = app
        .get(
            &format!(
                "/api/v1/organisations/{}/competence-plans/rollup",
                s.organisation
            ),
            Some(o),
        )
        .await;
    assert_eq!(rollup.status, 200, "{}", rollup.text);
    assert_eq!(rollup.body["plans"], 4);
    let sum = |list: &Value, metric: &str| -> u64 {
        list.as_array()
            .unwrap()
            .iter()
            .map(|i| i[metric].as_u64().unwrap())
            .sum()
    };
    for metric in ["staff_needed", "staff_met"] {
        let total = rollup.body["totals"][metric].as_u64().unwrap();
        assert_eq!(sum(&rollup.body["by_theme"], metric), total);
        assert_eq!(sum(&rollup.body["by_organisation"], metric), total);
    }
    assert_eq!(rollup.body["totals"]["staff_needed"], 4 * 80 + 3 * 30);
    let listed = app
        .get(
            &format!(
                "/api/v1/organisations/{}/competence-plans?subtree=true",
                s.organisation
            ),
            Some(o),
        )
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 4);
    // A member's librarian sees neither plans nor reports.
    let (member, plan) = &s.plans[0];
    let r = app
        .get(
            &format!("/api/v1/organisations/{member}/competence-plans/{plan}"),
            Some(&s.participant.token),
        )
        .await;
    assert_eq!(r.status, 404);

    // Rūta erases her account: the EEA grant's figures stay, her name goes.
    let eea = &s.grants[1];
    let before = app
        .get(&format!("/api/v1/grants/{eea}/report"), Some(o))
        .await
        .body;
    let mine = app
        .get("/api/v1/me/certificates", Some(&s.participant.token))
        .await;
    let code = mine.body["items"][0]["code"].as_str().unwrap().to_string();
    let listed_before = app
        .get_csv(
            &format!("/api/v1/programmes/{includes}/registrations?limit=200"),
            o,
        )
        .await;
    assert!(listed_before.contains("Rūta Kazlauskienė"));
    let r = app
        .call(
            reqwest::Method::DELETE,
            "/api/v1/me",
            Some(&s.participant.token),
            Some(json!({"password": s.participant.password})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        app.get("/api/v1/me", Some(&s.participant.token))
            .await
            .status,
        401
    );
    assert_eq!(app.tokens(&s.participant.email).await.status, 401);
    let after = app
        .get(&format!("/api/v1/grants/{eea}/report"), Some(o))
        .await
        .body;
    for figure in [
        "participants",
        "participants_by_workplace",
        "participants_by_job_role",
        "registrations",
        "minutes",
        "minutes_total",
    ] {
        assert_eq!(
            before[figure], after[figure],
            "{figure} unchanged by the erasure"
        );
    }
    assert_eq!(
        before["certificates"]["issued"],
        after["certificates"]["issued"]
    );
    assert_eq!(
        after["certificates"]["revoked"].as_u64().unwrap(),
        before["certificates"]["revoked"].as_u64().unwrap() + 1,
        "her certificate no longer stands"
    );
    let verified = app
        .get(&format!("/api/v1/certificates/verify/{code}"), None)
        .await;
    assert_eq!(verified.body["genuine"], false);
    assert_ne!(verified.body["holder_name"], "Rūta Kazlauskienė");
    let csv = app
        .get_csv(
            &format!("/api/v1/programmes/{includes}/registrations?limit=200"),
            o,
        )
        .await;
    assert!(
        !csv.contains("Rūta") && !csv.contains(&s.participant.email),
        "no trace in the lists"
    );
    kompetens_tests::assert_report_adds_up(&after);
}
