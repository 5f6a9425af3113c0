//! A programme's registration form: questions an organiser sets, answers checked against them
//! when registering (422 naming the question), shown to the participant and the organisers, in
//! the CSV export and the GDPR export, and gone with the account.

use kompetens_tests::{OpenProgramme, PASSWORD, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

fn form() -> Value {
    json!([
        {"id": "dietary_needs", "label": {"pl": "Wymagania żywieniowe", "en": "Dietary needs"}, "kind": "choice", "required": true,
         "options": [{"id": "none", "label": {"pl": "Brak", "en": "None"}}, {"id": "vegetarian", "label": {"pl": "Wegetariańska", "en": "Vegetarian"}}]},
        {"id": "first_time", "label": {"pl": "Czy to Twój pierwszy wyjazd?"}, "kind": "boolean"},
        {"id": "notes", "label": {"pl": "Uwagi"}, "kind": "text"}
    ])
}

async fn programme_with_form(app: &TestApp) -> OpenProgramme {
    let p = app
        .open_programme(Some(10), "first_come_first_served")
        .await;
    let r = app
        .patch(
            &format!("/api/v1/programmes/{}", p.id),
            Some(&p.organiser),
            json!({"questions": form()}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["questions"][0]["options"][1]["id"], "vegetarian");
    assert_eq!(r.body["questions"][1]["required"], false);
    p
}

async fn register(
    app: &TestApp,
    p: &OpenProgramme,
    token: &str,
    body: Value,
) -> kompetens_tests::Reply {
    app.post(
        &format!("/api/v1/programmes/{}/registrations", p.id),
        Some(token),
        body,
    )
    .await
}

fn pointers(r: &kompetens_tests::Reply) -> Vec<String> {
    r.body["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|e| e["pointer"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn answers_are_checked_against_the_form_and_kept_with_the_registration() {
    let app = spawn_app().await;
    let p = programme_with_form(&app).await;
    let (_, token) = app.signup("olena@example.org").await;
    let refused = [
        (json!({}), vec!["/answers/dietary_needs"]),
        (
            json!({"answers": {"dietary_needs": "vegan"}}),
            vec!["/answers/dietary_needs"],
        ),
        (
            json!({"answers": {"dietary_needs": "  "}}),
            vec!["/answers/dietary_needs"],
        ),
        (
            json!({"answers": {"dietary_needs": "none", "first_time": "yes", "shoe_size": "42"}}),
            vec!["/answers/first_time", "/answers/shoe_size"],
        ),
        (
            json!({"answers": {"dietary_needs": true}}),
            vec!["/answers/dietary_needs"],
        ),
        (
            json!({"answers": {"dietary_needs": "none", "notes": "a\u{202E}b"}}),
            vec!["/answers/notes"],
        ),
        (json!({"answers": {"Dietary": "none"}}), vec!["/answers"]),
    ];
    for (body, expected) in refused {
        let r = register(&app, &p, &token, body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        let got = pointers(&r);
        assert_eq!(
            got.len(),
            expected.len(),
            "one problem per answer: {}",
            r.text
        );
        for pointer in expected {
            assert!(
                got.iter().any(|g| g.starts_with(pointer)),
                "{body}: {}",
                r.text
            );
        }
    }
    // Nothing of a refused registration stays.
    let mine = app.get("/api/v1/me/registrations", Some(&token)).await;
    assert_eq!(mine.body["items"].as_array().map(Vec::len), Some(0));

    let answers = json!({"dietary_needs": "vegetarian", "first_time": true, "notes": "Przyjadę pociągiem,\nok. 18:00"});
    let r = register(&app, &p, &token, json!({"answers": answers})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["answers"], answers);
    let id = r.body["id"].as_str().unwrap().to_string();
    let mine = app
        .get(&format!("/api/v1/registrations/{id}"), Some(&token))
        .await;
    assert_eq!(mine.body["answers"], answers);
    let listed = app
        .all_pages(
            &format!("/api/v1/programmes/{}/registrations", p.id),
            Some(&p.organiser),
            50,
        )
        .await;
    assert_eq!(listed[0]["answers"], answers);

    // The CSV export has a column per question.
    let csv = app
        .get_csv(
            &format!("/api/v1/programmes/{}/registrations", p.id),
            &p.organiser,
        )
        .await;
    let mut lines = csv.split("\r\n");
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &header[header.len() - 3..],
        ["answer:dietary_needs", "answer:first_time", "answer:notes"]
    );
    let row = lines.next().unwrap();
    assert!(
        row.ends_with(",vegetarian,true,\"Przyjadę pociągiem,\nok. 18:00\""),
        "{row}"
    );

    // The GDPR export has them; erasing the account takes them away.
    let export = app.get("/api/v1/me/export", Some(&token)).await;
    assert_eq!(export.status, 200, "{}", export.text);
    assert_eq!(export.body["registrations"][0]["answers"], answers);
    let r = app
        .call(
            Method::DELETE,
            "/api/v1/me",
            Some(&token),
            Some(json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = app
        .get(&format!("/api/v1/registrations/{id}"), Some(&p.organiser))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["answers"], json!({}), "{}", r.text);
    assert_eq!(r.body["status"], "cancelled");
}

#[tokio::test]
async fn a_batch_entry_with_bad_answers_fails_alone() {
    let app = spawn_app().await;
    let p = programme_with_form(&app).await;
    let r = app
        .post(
            &format!("/api/v1/programmes/{}/registrations/batch", p.id),
            Some(&p.organiser),
            json!({"entries": [
                {"email": "a@example.org", "answers": {"dietary_needs": "none"}},
                {"email": "b@example.org", "answers": {"dietary_needs": "fish"}},
                {"email": "c@example.org"}
            ]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let statuses: Vec<u64> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [201, 422, 422]);
    assert_eq!(
        r.body["results"][1]["problem"]["errors"][0]["pointer"],
        "/answers/dietary_needs"
    );
    assert_eq!(
        r.body["results"][0]["registration"]["answers"],
        json!({"dietary_needs": "none"})
    );
}

#[tokio::test]
async fn a_form_that_cannot_be_answered_is_refused() {
    let app = spawn_app().await;
    let p = app
        .open_programme(Some(10), "first_come_first_served")
        .await;
    let label = json!({"en": "Question"});
    let cases = [
        (
            json!([{"id": "a", "label": label, "kind": "text"}, {"id": "a", "label": label, "kind": "boolean"}]),
            "/questions/1/id",
        ),
        (
            json!([{"id": "a", "label": label, "kind": "choice", "options": [{"id": "x", "label": label}]}]),
            "/questions/0/options",
        ),
        (
            json!([{"id": "a", "label": label, "kind": "choice", "options": [{"id": "x", "label": label}, {"id": "x", "label": label}]}]),
            "/questions/0/options/1/id",
        ),
        (
            json!([{"id": "a", "label": label, "kind": "boolean", "options": [{"id": "x", "label": label}, {"id": "y", "label": label}]}]),
            "/questions/0/options",
        ),
        (
            json!([{"id": "A b", "label": label, "kind": "text"}]),
            "/questions/0/id",
        ),
        (
            json!([{"id": "a", "label": {}, "kind": "text"}]),
            "/questions/0/label",
        ),
        (
            json!([{"id": "a", "label": label, "kind": "scale"}]),
            "/questions/0/kind",
        ),
    ];
    for (questions, pointer) in cases {
        let r = app
            .patch(
                &format!("/api/v1/programmes/{}", p.id),
                Some(&p.organiser),
                json!({"questions": questions}),
            )
            .await;
        assert_eq!(r.status, 422, "{questions}: {}", r.text);
        assert!(
            pointers(&r).iter().any(|g| g == pointer),
            "{questions}: {}",
            r.text
        );
    }
    // Questions can be cleared again; registering then asks nothing.
    let r = app
        .patch(
            &format!("/api/v1/programmes/{}", p.id),
            Some(&p.organiser),
            json!({"questions": null}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["questions"], json!([]));
}
