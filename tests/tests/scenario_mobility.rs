//! Scenario 4 of DESIGN.md end to end: Erasmus+ job shadowing in Barcelona (done, with
//! Europass records issued by the organiser) and in Paris (ahead, by invitation).

use kompetens_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn staff_go_job_shadowing_and_come_back_with_europass_records() {
    let app = spawn_app().await;
    let s = app.scenario("mobility").await;
    app.check_scenario(&s).await;
    let (barcelona, paris) = (&s.programmes[0], &s.programmes[1]);
    let certificates = app
        .get(
            &format!("/api/v1/programmes/{barcelona}/certificates"),
            Some(&s.organiser.token),
        )
        .await;
    let items = certificates.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    for c in items {
        assert_eq!(
            c["europass"]["host_organisation"],
            "Centre Cívic Barceloneta"
        );
        assert_eq!(
            c["europass"]["sending_organisation"],
            "Dzielnicowy Dom Kultury Śródmieście"
        );
        assert!(
            c["issued_by"].is_string(),
            "issued by the organiser, not automatically"
        );
    }
    let mine = app
        .get("/api/v1/me/certificates", Some(&s.participant.token))
        .await;
    let id = mine.body["items"][0]["id"].as_str().unwrap();
    let pdf = app
        .client
        .get(app.url(&format!("/api/v1/certificates/{id}.pdf")))
        .bearer_auth(&s.participant.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = kompetens_tests::pdf_text(&pdf);
    for printed in ["Sofia Lindqvist", "Europass", "Marta Puig", "Barcelona"] {
        assert!(text.contains(printed), "{printed}: {text}");
    }
    // Paris is by invitation: staff cannot put themselves forward.
    let r = app
        .post(
            &format!("/api/v1/programmes/{paris}/registrations"),
            Some(&s.participant.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["type"], "/problems/invitation-required");
    let report = app
        .get(
            &format!("/api/v1/grants/{}/report", s.grants[0]),
            Some(&s.organiser.token),
        )
        .await;
    assert_eq!(report.body["funding"]["unallocated"]["amount_minor"], 0);
    assert_eq!(report.body["funding"]["amount"]["currency"], "EUR");
}
