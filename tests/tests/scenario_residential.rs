//! Scenario 2 of DESIGN.md end to end: the residential training, from applications (one
//! refused, one waiting, one withdrawing) through forty hours of attendance to certificates and
//! the UNICEF grant's report.

use kompetens_tests::spawn_app;

#[tokio::test]
async fn the_residential_training_runs_from_applications_to_the_funder_report() {
    let app = spawn_app().await;
    let s = app.scenario("residential").await;
    app.check_scenario(&s).await;
    let programme = &s.programmes[0];
    let e = s.expected[programme];
    assert_eq!((e.completed, e.waitlisted, e.cancelled), (8, 1, 1));
    // Qualified people received the organisational details by e-mail, in their language.
    let mails = app
        .mailbox
        .wait_for_about_programmes(&s.participant.email, 2)
        .await;
    assert!(
        mails
            .iter()
            .any(|m| m.subject.starts_with("Potwierdzenie udziału")),
        "{mails:?}"
    );
    assert!(
        mails.iter().any(|m| m.body.contains("Anna Kowalska")),
        "the contact person is named"
    );
    // And the organisational details, in Polish for Olena and in Ukrainian for the colleagues
    // whose language it is.
    let details = app
        .mailbox
        .wait_for_about_programmes(&s.participant.email, 3)
        .await;
    assert!(
        details
            .iter()
            .any(|m| m.subject.contains("Szczegóły organizacyjne") && m.body.contains("7:00")),
        "{details:?}"
    );
    let ukrainian = app
        .mailbox
        .wait_for_about_programmes("kadra0@residential.kompetens.example", 3)
        .await;
    assert!(
        ukrainian
            .iter()
            .any(|m| m.subject.contains("Організаційні деталі")),
        "{ukrainian:?}"
    );
    let messages = app
        .get(
            &format!("/api/v1/programmes/{programme}/messages"),
            Some(&s.organiser.token),
        )
        .await;
    assert_eq!(messages.body["items"][0]["recipients"], 10);
    // Everyone came in by the rosters; the assistants waited ahead of everyone else, and each
    // answered the dietary question.
    let registrations = app
        .all_pages(
            &format!("/api/v1/programmes/{programme}/registrations"),
            Some(&s.organiser.token),
            50,
        )
        .await;
    assert_eq!(registrations.len(), 12);
    for r in &registrations {
        assert_eq!(r["employment_verified"], true, "{r}");
        assert_eq!(
            r["priority"] == true,
            r["job_role"] == "intercultural_assistant",
            "{r}"
        );
        assert!(r["answers"]["dietary_needs"].is_string(), "{r}");
    }
    let waiting: Vec<&serde_json::Value> = registrations
        .iter()
        .filter(|r| r["status"] == "waitlisted")
        .collect();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["job_role"], "teacher");
    // Olena signed up herself and confirmed her address with the code she was e-mailed.
    let me = app.get("/api/v1/me", Some(&s.participant.token)).await;
    assert_eq!(me.body["email_verified"], true);
    // The grant report: 189,000 PLN, all of it to the training; 40 hours planned and delivered.
    let report = app
        .get(
            &format!("/api/v1/grants/{}/report", s.grants[0]),
            Some(&s.organiser.token),
        )
        .await;
    assert_eq!(report.body["funding"]["amount"]["amount_minor"], 18_900_000);
    assert_eq!(report.body["funding"]["unallocated"]["amount_minor"], 0);
    assert_eq!(report.body["minutes_total"]["planned_minutes"], 2400);
    assert_eq!(report.body["minutes_total"]["delivered_minutes"], 2400);
    assert_eq!(report.body["participants"]["registered"], 12);
    assert_eq!(report.body["participants"]["completed"], 8);
    let roles: Vec<&str> = report.body["participants_by_job_role"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["job_role"].as_str())
        .collect();
    assert!(roles.contains(&"intercultural_assistant") && roles.contains(&"teacher"));
    // Olena completed and her certificate reads back from the PDF.
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
    assert!(
        text.contains("Olena Kovalenko") && text.contains("UNICEF Polska"),
        "{text}"
    );
}
