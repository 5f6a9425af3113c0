//! Eligibility by verified employment: for a programme that asks for it, where a person works
//! and in which job comes from staff rosters matched by their verified e-mail address — never
//! from their own profile, nor an organiser's word — and so does their place in the priority
//! group. Each refusal says what is missing.

use kompetens_tests::{OpenProgramme, TestApp, spawn_app};
use serde_json::{Value, json};

struct City {
    p: OpenProgramme,
    school: String,
    library: String,
}

/// The city's schools and library, and a residential training for school staff by verified
/// employment, assistants first.
async fn city(app: &TestApp) -> City {
    let p = app
        .open_programme(Some(10), "first_come_first_served")
        .await;
    let schools = app
        .organisation(&app.admin_token, "Szkoły miejskie", Some(&p.organisation))
        .await;
    let school = app
        .organisation(&app.admin_token, "SP 12", Some(&schools))
        .await;
    let library = app
        .organisation(&app.admin_token, "Biblioteka", Some(&p.organisation))
        .await;
    let r = app
        .patch(
            &format!("/api/v1/programmes/{}", p.id),
            Some(&p.organiser),
            json!({
                "eligibility": {"workplace_organisation_id": schools, "job_roles": ["intercultural_assistant", "teacher"], "verified_employment": true},
                "priority": {"job_roles": ["intercultural_assistant"]}
            }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["eligibility"]["verified_employment"], true);
    City { p, school, library }
}

async fn roster(app: &TestApp, c: &City, organisation: &str, entries: Value) {
    let r = app
        .put(
            &format!("/api/v1/organisations/{organisation}/staff"),
            Some(&c.p.organiser),
            entries,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

async fn register(app: &TestApp, c: &City, token: &str, body: Value) -> kompetens_tests::Reply {
    app.post(
        &format!("/api/v1/programmes/{}/registrations", c.p.id),
        Some(token),
        body,
    )
    .await
}

fn refused_because(r: &kompetens_tests::Reply, words: &str) {
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["type"], "/problems/not-eligible", "{}", r.text);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains(words),
        "expected the detail to say {words:?}: {}",
        r.text
    );
}

#[tokio::test]
async fn nobody_becomes_eligible_by_editing_their_profile() {
    let app = spawn_app().await;
    let c = city(&app).await;
    // Olena says on her profile that she is an assistant at the school: it counts for nothing.
    let (_, olena) = app.signup("olena@example.org").await;
    let r = app
        .patch(
            "/api/v1/me",
            Some(&olena),
            json!({"workplace_organisation_id": c.school, "job_role": "intercultural_assistant"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    refused_because(&register(&app, &c, &olena, json!({})).await, "not verified");

    // Her address proven, she is still on nobody's roster.
    let code = app.mailbox.verification_code("olena@example.org").await;
    let r = app
        .post("/api/v1/auth/verify-email", None, json!({"code": code}))
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    refused_because(
        &register(&app, &c, &olena, json!({})).await,
        "no staff roster",
    );

    // The library lists her, but the programme is for the schools' staff.
    roster(&app, &c, &c.library, json!([{"email": "olena@example.org", "job_role": "librarian", "employed_from": "2020-09-01"}])).await;
    refused_because(&register(&app, &c, &olena, json!({})).await, "not open to");

    // A roster entry that has ended is not employment now.
    roster(&app, &c, &c.library, json!([])).await;
    roster(&app, &c, &c.school, json!([{"email": "olena@example.org", "job_role": "intercultural_assistant", "employed_from": "2020-09-01", "employed_until": "2021-06-30"}])).await;
    refused_because(
        &register(&app, &c, &olena, json!({})).await,
        "no staff roster",
    );

    // The school's roster says she teaches: she is in, as a teacher — not in the priority
    // group her profile would have put her in.
    roster(&app, &c, &c.school, json!([
        {"email": "olena@example.org", "job_role": "teacher", "employed_from": "2020-09-01"},
        {"email": "iryna@example.org", "job_role": "intercultural_assistant", "employed_from": "2023-09-01"}
    ])).await;
    let r = register(&app, &c, &olena, json!({})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["employment_verified"], true);
    assert_eq!(r.body["job_role"], "teacher");
    assert_eq!(r.body["workplace_organisation_id"], c.school.as_str());
    assert_eq!(r.body["priority"], false);

    // Iryna is an assistant by the roster, so she is in the group.
    let (_, iryna) = app.signup_verified("iryna@example.org").await;
    let r = register(&app, &c, &iryna, json!({})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["priority"], true);
    assert_eq!(r.body["job_role"], "intercultural_assistant");

    // What a registration recorded stays when the roster changes later (reports use it).
    roster(&app, &c, &c.school, json!([])).await;
    let id = r.body["id"].as_str().unwrap();
    let again = app
        .get(&format!("/api/v1/registrations/{id}"), Some(&iryna))
        .await;
    assert_eq!(again.body["job_role"], "intercultural_assistant");
    assert_eq!(again.body["employment_verified"], true);
}

#[tokio::test]
async fn an_organisers_word_does_not_replace_the_roster() {
    let app = spawn_app().await;
    let c = city(&app).await;
    // An invited person has not proven their address, whatever the organiser states.
    let r = register(
        &app,
        &c,
        &c.p.organiser,
        json!({"email": "new.teacher@example.org", "workplace_organisation_id": c.school, "job_role": "teacher"}),
    )
    .await;
    refused_because(&r, "not verified");
    // A verified member of staff on the roster can be registered by an organiser, as the
    // roster says.
    let (id, _) = app.signup_verified("marta@example.org").await;
    roster(&app, &c, &c.school, json!([{"email": "marta@example.org", "job_role": "intercultural_assistant", "employed_from": "2022-01-01"}])).await;
    let r = register(
        &app,
        &c,
        &c.p.organiser,
        json!({"participant_id": id, "workplace_organisation_id": c.library, "job_role": "librarian"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["job_role"], "intercultural_assistant");
    assert_eq!(r.body["workplace_organisation_id"], c.school.as_str());
    assert_eq!(r.body["priority"], true);
}
