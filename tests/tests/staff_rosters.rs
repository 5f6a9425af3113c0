//! Staff rosters: kept by an organisation's organisers (or an API token of theirs), replaced
//! whole as JSON or CSV, read back in pages or as CSV; a person's verified employment comes
//! from them, and only for a verified address.

use kompetens_tests::{Reply, TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};

/// A city with a school below it, and an organiser of the city.
struct World {
    city: String,
    school: String,
    organiser: String,
}

async fn world(app: &TestApp) -> World {
    let city = app
        .organisation(&app.admin_token, "Miasto Gdańsk", None)
        .await;
    let school = app
        .organisation(&app.admin_token, "Szkoła Podstawowa nr 12", Some(&city))
        .await;
    let (_, organiser) = app
        .member(&city, "kadry@gdansk.example.pl", "organiser")
        .await;
    World {
        city,
        school,
        organiser,
    }
}

fn staff(organisation: &str) -> String {
    format!("/api/v1/organisations/{organisation}/staff")
}

/// PUTs `body` with `content_type` (the test client checks the answer like every other).
async fn put_as(
    app: &TestApp,
    organisation: &str,
    token: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> Reply {
    let r = app
        .client
        .put(app.url(&staff(organisation)))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("request sent");
    let status = r.status();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    Reply {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    }
}

async fn put_csv(app: &TestApp, organisation: &str, token: &str, csv: String) -> Reply {
    put_as(app, organisation, token, "text/csv", csv).await
}

fn counts(r: &Reply) -> [u64; 5] {
    ["added", "changed", "ended", "unchanged", "total"].map(|k| r.body[k].as_u64().unwrap())
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_json_roster_reads_back_in_pages_and_as_csv_and_a_second_put_says_what_changed() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .put(
            &staff(&w.school),
            Some(&w.organiser),
            json!([
                {"email": "Olena.Kovalenko@SP12.gdansk.pl", "job_role": "intercultural_assistant", "employed_from": "2025-09-01"},
                {"email": "jan.nowak@sp12.gdansk.pl", "job_role": "teacher", "employed_from": "2019-09-01", "employed_until": "2027-08-31"},
                {"email": "anna.wisniewska@sp12.gdansk.pl", "job_role": "school_director", "employed_from": "2015-09-01", "employed_until": null}
            ]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(counts(&r), [3, 0, 0, 0, 3]);
    assert_eq!(
        strings(&r.body["added_emails"]),
        [
            "anna.wisniewska@sp12.gdansk.pl",
            "jan.nowak@sp12.gdansk.pl",
            "olena.kovalenko@sp12.gdansk.pl"
        ]
    );

    // Pages of two, in order of address, addresses in lower case.
    let items = app
        .all_pages(&staff(&w.school), Some(&w.organiser), 2)
        .await;
    assert_eq!(
        items,
        [
            json!({"email": "anna.wisniewska@sp12.gdansk.pl", "job_role": "school_director", "employed_from": "2015-09-01", "employed_until": null}),
            json!({"email": "jan.nowak@sp12.gdansk.pl", "job_role": "teacher", "employed_from": "2019-09-01", "employed_until": "2027-08-31"}),
            json!({"email": "olena.kovalenko@sp12.gdansk.pl", "job_role": "intercultural_assistant", "employed_from": "2025-09-01", "employed_until": null}),
        ]
    );
    let first = app
        .get(&format!("{}?limit=2", staff(&w.school)), Some(&w.organiser))
        .await;
    assert!(first.body["next_cursor"].is_string());
    let bad = app
        .get(
            &format!("{}?limit=0&cursor=%21", staff(&w.school)),
            Some(&w.organiser),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);

    // The whole roster as CSV, whatever the page parameters say.
    let csv = app
        .get_csv(&format!("{}?limit=1", staff(&w.school)), &w.organiser)
        .await;
    assert_eq!(
        csv,
        "email,job_role,employed_from,employed_until\r\n\
         anna.wisniewska@sp12.gdansk.pl,school_director,2015-09-01,\r\n\
         jan.nowak@sp12.gdansk.pl,teacher,2019-09-01,2027-08-31\r\n\
         olena.kovalenko@sp12.gdansk.pl,intercultural_assistant,2025-09-01,\r\n"
    );

    // The next school year: Jan leaves (ended), Olena's contract gets an end (changed), Anna
    // stays, Piotr starts.
    let r = app
        .put(
            &staff(&w.school),
            Some(&w.organiser),
            json!([
                {"email": "piotr.zielinski@sp12.gdansk.pl", "job_role": "second_language_teacher", "employed_from": "2026-09-01"},
                {"email": "anna.wisniewska@sp12.gdansk.pl", "job_role": "school_director", "employed_from": "2015-09-01"},
                {"email": "olena.kovalenko@sp12.gdansk.pl", "job_role": "intercultural_assistant", "employed_from": "2025-09-01", "employed_until": "2027-06-30"}
            ]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(counts(&r), [1, 1, 1, 1, 3]);
    assert_eq!(
        strings(&r.body["added_emails"]),
        ["piotr.zielinski@sp12.gdansk.pl"]
    );
    assert_eq!(
        strings(&r.body["changed_emails"]),
        ["olena.kovalenko@sp12.gdansk.pl"]
    );
    assert_eq!(
        strings(&r.body["ended_emails"]),
        ["jan.nowak@sp12.gdansk.pl"]
    );
    let items = app
        .all_pages(&staff(&w.school), Some(&w.organiser), 50)
        .await;
    assert_eq!(items.len(), 3);
    assert_eq!(items[1]["employed_until"], "2027-06-30");
    // Each organisation has its own roster: the city's is still empty.
    assert!(
        app.all_pages(&staff(&w.city), Some(&w.organiser), 50)
            .await
            .is_empty()
    );
    // An empty array ends everyone.
    let r = app
        .put(&staff(&w.school), Some(&w.organiser), json!([]))
        .await;
    assert_eq!(counts(&r), [0, 0, 3, 0, 0]);
}

#[tokio::test]
async fn a_csv_roster_as_hr_exports_it_is_read_and_written_back_unchanged() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // A byte-order mark, CRLF, columns in another order and case, a quoted field, a blank line.
    let export = "\u{feff}Job_Role,Email,Employed_From,Employed_Until\r\n\
                  intercultural_assistant,\"olena.kovalenko@sp12.gdansk.pl\",2025-09-01,\r\n\
                  \r\n\
                  teacher, Jan.Nowak@sp12.gdansk.pl ,2019-09-01,2027-08-31\r\n";
    let r = put_csv(&app, &w.school, &w.organiser, export.to_string()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(counts(&r), [2, 0, 0, 0, 2]);
    let csv = app.get_csv(&staff(&w.school), &w.organiser).await;
    assert_eq!(
        csv,
        "email,job_role,employed_from,employed_until\r\n\
         jan.nowak@sp12.gdansk.pl,teacher,2019-09-01,2027-08-31\r\n\
         olena.kovalenko@sp12.gdansk.pl,intercultural_assistant,2025-09-01,\r\n"
    );
    // What the API wrote reads back as it was: nothing changes.
    let r = put_csv(&app, &w.school, &w.organiser, csv.clone()).await;
    assert_eq!(counts(&r), [0, 0, 0, 2, 2]);
    // LF line ends and a charset parameter are fine too.
    let r = put_as(
        &app,
        &w.school,
        &w.organiser,
        "text/csv; charset=utf-8",
        csv.replace("\r\n", "\n"),
    )
    .await;
    assert_eq!(counts(&r), [0, 0, 0, 2, 2]);
    // A body that is neither JSON nor CSV.
    let r = put_as(&app, &w.school, &w.organiser, "text/plain", csv).await;
    assert_eq!(r.status, 415, "{}", r.text);
    assert_eq!(
        r.body["detail"],
        "send the body as application/json or text/csv"
    );
}

#[tokio::test]
async fn invalid_rosters_are_refused_by_pointer_and_change_nothing() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let kept = json!([{"email": "kept@sp12.gdansk.pl", "job_role": "teacher", "employed_from": "2020-09-01"}]);
    assert_eq!(
        app.put(&staff(&w.school), Some(&w.organiser), kept.clone())
            .await
            .status,
        200
    );
    let ok =
        json!({"email": "ok@sp12.gdansk.pl", "job_role": "teacher", "employed_from": "2020-09-01"});
    let json_cases: Vec<Case<Value>> = vec![
        (
            "not an address",
            json!([ok, {"email": "nowak", "job_role": "teacher", "employed_from": "2020-09-01"}]),
            vec![("/1/email", "e-mail address")],
        ),
        (
            "a job role outside the vocabulary",
            json!([{"email": "a@b.pl", "job_role": "janitor", "employed_from": "2020-09-01"}]),
            vec![("/0/job_role", "must be one of")],
        ),
        (
            "a date in another form",
            json!([{"email": "a@b.pl", "job_role": "teacher", "employed_from": "01.09.2020"}]),
            vec![("/0/employed_from", "YYYY-MM-DD")],
        ),
        (
            "an end before the start",
            json!([ok, {"email": "a@b.pl", "job_role": "teacher", "employed_from": "2020-09-01", "employed_until": "2020-08-31"}]),
            vec![("/1/employed_until", "must not be before employed_from")],
        ),
        (
            "an address twice, in another case",
            json!([ok, ok, {"email": "OK@sp12.gdansk.pl", "job_role": "librarian", "employed_from": "2021-01-01"}]),
            vec![
                ("/1/email", "twice (first at /0)"),
                ("/2/email", "twice (first at /0)"),
            ],
        ),
        (
            "an unknown member and a missing one",
            json!([{"email": "a@b.pl", "job_role": "teacher", "salary": 5000}]),
            vec![
                ("/0/salary", "not a known field"),
                ("/0/employed_from", "is required"),
            ],
        ),
        (
            "not an array",
            json!({"entries": []}),
            vec![("", "must be an array")],
        ),
    ];
    for (what, body, expected) in json_cases {
        let r = app.put(&staff(&w.school), Some(&w.organiser), body).await;
        assert_eq!(r.status, 422, "{what}: {}", r.text);
        let got: Vec<(String, String)> = r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["pointer"].as_str().unwrap().to_string(),
                    e["detail"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_problems(what, &got, &expected);
    }

    const HEADER: &str = "email,job_role,employed_from,employed_until\r\n";
    let csv_cases: Vec<Case<String>> = vec![
        (
            "not an address on the fourth data row",
            format!(
                "{HEADER}a@b.pl,teacher,2020-01-01,\r\nc@b.pl,teacher,2020-01-01,\r\nd@b.pl,teacher,2020-01-01,\r\nnowak,teacher,2020-01-01,\r\n"
            ),
            vec![("/3/email", "line 5: must be an e-mail address")],
        ),
        (
            "an address twice",
            format!("{HEADER}a@b.pl,teacher,2020-01-01,\r\nA@B.PL,librarian,2021-01-01,\r\n"),
            vec![(
                "/1/email",
                "line 3: is on the roster twice (first at line 2)",
            )],
        ),
        (
            "an end before the start, a bad role and a bad date",
            format!(
                "{HEADER}a@b.pl,janitor,2020-01-01,2019-12-31\r\nc@b.pl,teacher,2020-02-30,\r\n"
            ),
            vec![
                ("/0/job_role", "line 2: must be one of"),
                ("/1/employed_from", "line 3: must be a date, YYYY-MM-DD"),
            ],
        ),
        (
            "a row with too few fields",
            format!("{HEADER}a@b.pl,teacher\r\n"),
            vec![("/0", "line 2: has 2 fields; the header has 4")],
        ),
        (
            "a header that is not a roster's",
            "name,email\r\nAnna,a@b.pl\r\n".to_string(),
            vec![
                ("", "\"name\" is not a column"),
                ("", "no job_role column"),
                ("", "no employed_from column"),
            ],
        ),
        ("an empty body", String::new(), vec![("", "is empty")]),
    ];
    for (what, body, expected) in csv_cases {
        let r = put_csv(&app, &w.school, &w.organiser, body).await;
        assert_eq!(r.status, 422, "{what}: {}", r.text);
        let got: Vec<(String, String)> = r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["pointer"].as_str().unwrap().to_string(),
                    e["detail"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_problems(what, &got, &expected);
    }
    // An end before the start on a row is reported with the row's other problems.
    let r = put_csv(
        &app,
        &w.school,
        &w.organiser,
        format!("{HEADER}a@b.pl,teacher,2020-01-01,2019-12-31\r\n"),
    )
    .await;
    assert_eq!(r.body["errors"][0]["pointer"], "/0/employed_until");
    // Not UTF-8.
    let r = put_as(
        &app,
        &w.school,
        &w.organiser,
        "text/csv",
        b"email,job_role,employed_from\r\n\xe6@b.pl,teacher,2020-01-01\r\n".to_vec(),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["errors"][0]["pointer"], "");
    // Nothing of any of it was written.
    let items = app
        .all_pages(&staff(&w.school), Some(&w.organiser), 50)
        .await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["email"], "kept@sp12.gdansk.pl");
}

#[tokio::test]
async fn only_organisers_of_the_organisation_or_above_and_their_tokens_keep_its_roster() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let roster = json!([{"email": "olena@sp12.gdansk.pl", "job_role": "intercultural_assistant", "employed_from": "2025-09-01"}]);
    // The school's own organiser, the city's (above it), an API token of the city's, and an
    // instance admin may.
    let (_, school_organiser) = app
        .member(&w.school, "dyrekcja@sp12.gdansk.pl", "organiser")
        .await;
    let created = app
        .post(
            "/api/v1/me/api-tokens",
            Some(&w.organiser),
            json!({"name": "HR import", "organisation_id": w.city, "role": "organiser"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let script = created.body["token"].as_str().unwrap().to_string();
    for (who, token) in [
        ("the school's organiser", &school_organiser),
        ("the city's organiser", &w.organiser),
        ("the city's HR script", &script),
        ("an instance admin", &app.admin_token),
    ] {
        let r = app
            .put(&staff(&w.school), Some(token), roster.clone())
            .await;
        assert_eq!(r.status, 200, "{who}: {}", r.text);
        let r = app.get(&staff(&w.school), Some(token)).await;
        assert_eq!(r.status, 200, "{who}: {}", r.text);
        assert_eq!(r.body["items"][0]["email"], "olena@sp12.gdansk.pl", "{who}");
    }
    // Nobody else may know it exists: an organiser of another organisation, the school's own
    // trainer and participant, an organiser of the school for the city above it, and a
    // participant's API token.
    let other = app
        .organisation(&app.admin_token, "Gmina Pruszcz", None)
        .await;
    let (_, stranger) = app
        .member(&other, "kadry@pruszcz.example.pl", "organiser")
        .await;
    let (_, trainer) = app
        .member(&w.school, "trener@sp12.gdansk.pl", "trainer")
        .await;
    let (_, participant) = app
        .member(&w.school, "uczen@sp12.gdansk.pl", "participant")
        .await;
    let created = app
        .post(
            "/api/v1/me/api-tokens",
            Some(&participant),
            json!({"name": "mine", "organisation_id": w.school, "role": "participant"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let participant_script = created.body["token"].as_str().unwrap().to_string();
    for (who, token, organisation) in [
        ("another organisation's organiser", &stranger, &w.school),
        ("the school's trainer", &trainer, &w.school),
        ("the school's participant", &participant, &w.school),
        ("a participant's API token", &participant_script, &w.school),
        (
            "the school's organiser, for the city",
            &school_organiser,
            &w.city,
        ),
    ] {
        let r = app.get(&staff(organisation), Some(token)).await;
        assert_eq!(r.status, 404, "GET by {who}: {}", r.text);
        let r = app
            .client
            .get(app.url(&staff(organisation)))
            .bearer_auth(token)
            .header("accept", "text/csv")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "CSV by {who}");
        let r = app.put(&staff(organisation), Some(token), json!([])).await;
        assert_eq!(r.status, 404, "PUT by {who}: {}", r.text);
        let r = put_csv(
            &app,
            organisation,
            token,
            "email,job_role,employed_from\r\n".into(),
        )
        .await;
        assert_eq!(r.status, 404, "CSV PUT by {who}: {}", r.text);
    }
    // Without a token, 401; an organisation that does not exist, 404.
    assert_eq!(app.get(&staff(&w.school), None).await.status, 401);
    let nowhere = staff(&uuid::Uuid::now_v7().to_string());
    assert_eq!(app.get(&nowhere, Some(&app.admin_token)).await.status, 404);
    assert_eq!(
        app.put(&nowhere, Some(&app.admin_token), json!([]))
            .await
            .status,
        404
    );
    // The roster is as the last permitted replacement left it.
    let r = app.get(&staff(&w.school), Some(&w.organiser)).await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
}

/// A bad body: what it is, the body, and the problems expected (pointer, words in the detail).
type Case<B> = (&'static str, B, Vec<(&'static str, &'static str)>);

/// Every expected problem is there (by pointer and words), and nothing at any other pointer.
fn assert_problems(what: &str, got: &[(String, String)], expected: &[(&str, &str)]) {
    for (pointer, detail) in expected {
        assert!(
            got.iter().any(|(p, d)| p == pointer && d.contains(detail)),
            "{what}: no {pointer} {detail:?} in {got:?}"
        );
    }
    for (pointer, _) in got {
        assert!(
            expected.iter().any(|(p, _)| p == pointer),
            "{what}: unexpected {pointer} in {got:?}"
        );
    }
}

fn big_csv(rows: impl Iterator<Item = (usize, &'static str, &'static str)>) -> String {
    let mut csv = String::from("email,job_role,employed_from,employed_until\r\n");
    for (i, role, until) in rows {
        csv.push_str(&format!(
            "pracownik.{i:05}@szkoly.gdansk.pl,{role},2020-09-01,{until}\r\n"
        ));
    }
    csv
}

#[tokio::test]
async fn five_thousand_rows_are_replaced_in_one_request_within_the_stated_limits() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let csv = big_csv((0..5000).map(|i| (i, "teacher", "")));
    assert!(csv.len() > 256 * 1024, "larger than the default body limit");
    let r = put_csv(&app, &w.city, &w.organiser, csv).await;
    assert_eq!(r.status, 200, "{}", &r.text[..r.text.len().min(500)]);
    assert_eq!(counts(&r), [5000, 0, 0, 0, 5000]);

    // The next export, as JSON this time: 100 become assistants, 50 get an end date, the last
    // 200 leave and 300 start.
    let entries: Vec<Value> = (0..5100)
        .filter(|i| !(4800..5000).contains(i))
        .map(|i| {
            let role = if i < 100 { "intercultural_assistant" } else { "teacher" };
            let mut e = json!({"email": format!("pracownik.{i:05}@szkoly.gdansk.pl"), "job_role": role, "employed_from": "2020-09-01"});
            if (100..150).contains(&i) {
                e["employed_until"] = json!("2026-12-31");
            }
            e
        })
        .collect();
    let r = app
        .put(&staff(&w.city), Some(&w.organiser), Value::Array(entries))
        .await;
    assert_eq!(r.status, 200, "{}", &r.text[..r.text.len().min(500)]);
    assert_eq!(counts(&r), [100, 150, 200, 4650, 4900]);
    assert_eq!(
        r.body["ended_emails"][0],
        "pracownik.04800@szkoly.gdansk.pl"
    );
    let csv = app.get_csv(&staff(&w.city), &w.organiser).await;
    assert_eq!(csv.lines().count(), 4901);
    assert!(csv.contains("pracownik.00120@szkoly.gdansk.pl,teacher,2020-09-01,2026-12-31\r\n"));
    assert!(
        csv.contains("pracownik.00007@szkoly.gdansk.pl,intercultural_assistant,2020-09-01,\r\n")
    );
    assert!(!csv.contains("pracownik.04999@"));

    // Past the limits: 20,001 entries (within 4 MiB) are 422, a body past 4 MiB is 413.
    let too_many = big_csv((0..20_001).map(|i| (i, "teacher", "")));
    assert!(too_many.len() < 4 * 1024 * 1024);
    let r = put_csv(&app, &w.city, &w.organiser, too_many).await;
    assert_eq!(r.status, 422, "{}", &r.text[..r.text.len().min(500)]);
    assert_eq!(r.body["errors"][0]["pointer"], "");
    assert!(
        r.body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("at most 20000")
    );
    let mut too_large = big_csv((0..100).map(|i| (i, "teacher", "")));
    too_large.push_str(&" ".repeat(4 * 1024 * 1024));
    let r = put_csv(&app, &w.city, &w.organiser, too_large).await;
    assert_eq!(r.status, 413, "{}", r.text);
    assert_eq!(r.body["detail"], "the body must be at most 4194304 bytes");
    // Neither touched the roster.
    let csv = app.get_csv(&staff(&w.city), &w.organiser).await;
    assert_eq!(csv.lines().count(), 4901);
}

#[tokio::test]
async fn employment_comes_from_rosters_and_only_once_the_address_is_verified() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let library = app
        .organisation(&app.admin_token, "Biblioteka Miejska", Some(&w.city))
        .await;
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today + chrono::Duration::days(1);
    let last_year = today - chrono::Duration::days(365);
    let r = app
        .put(
            &staff(&w.school),
            Some(&w.organiser),
            json!([{"email": "Olena@example.pl", "job_role": "intercultural_assistant", "employed_from": last_year.to_string()}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // At the library she worked until yesterday; at the city she starts tomorrow: neither is
    // current.
    let r = app
        .put(
            &staff(&library),
            Some(&w.organiser),
            json!([{"email": "olena@example.pl", "job_role": "librarian", "employed_from": last_year.to_string(), "employed_until": (today - chrono::Duration::days(1)).to_string()}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .put(
            &staff(&w.city),
            Some(&w.organiser),
            json!([{"email": "olena@example.pl", "job_role": "official", "employed_from": tomorrow.to_string()}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Anyone could sign up with her address: until it is verified, no roster vouches.
    let (_, token) = app.signup("olena@example.pl").await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(
        (&me.body["email_verified"], &me.body["employment"]),
        (&json!(false), &json!([]))
    );
    // Her own profile changes nothing about it.
    let r = app
        .patch(
            "/api/v1/me",
            Some(&token),
            json!({"workplace_organisation_id": library, "job_role": "librarian"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["employment"], json!([]));

    let code = app.mailbox.verification_code("olena@example.pl").await;
    let r = app
        .post("/api/v1/auth/verify-email", None, json!({ "code": code }))
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.body["email_verified"], true);
    assert_eq!(
        me.body["employment"],
        json!([{"organisation_id": w.school, "job_role": "intercultural_assistant", "employed_from": last_year.to_string(), "employed_until": null}])
    );
    // The profile stays what she says; the employment what the roster says.
    assert_eq!(me.body["job_role"], "librarian");
    let export = app.get("/api/v1/me/export", Some(&token)).await;
    assert_eq!(export.body["account"]["employment"], me.body["employment"]);

    // Her school's next roster no longer lists her: no employment.
    let r = app
        .put(&staff(&w.school), Some(&w.organiser), json!([]))
        .await;
    assert_eq!(counts(&r), [0, 0, 1, 0, 0]);
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.body["employment"], json!([]));
}

/// Two replacements of one roster at once, each with its own twenty people, both started on an
/// empty roster: `guard` on or off, with a pause after each has read the roster.
async fn race(guard: &str) -> (TestApp, World, [Reply; 2]) {
    let probe = format!("roster-lock:{guard}:400");
    let app = spawn_app_with(&[("KOMPETENS_RACE_PROBE", probe.as_str())]).await;
    let w = world(&app).await;
    let roster = |who: &str| -> String {
        let mut csv = String::from("email,job_role,employed_from\r\n");
        for i in 0..20 {
            csv.push_str(&format!("{who}{i}@sp12.gdansk.pl,teacher,2020-09-01\r\n"));
        }
        csv
    };
    let (a, b) = tokio::join!(
        put_csv(&app, &w.school, &w.organiser, roster("a")),
        put_csv(&app, &w.school, &w.organiser, roster("b")),
    );
    (app, w, [a, b])
}

#[tokio::test]
async fn concurrent_replacements_of_one_roster_never_interleave() {
    let (app, w, replies) = race("on").await;
    for r in &replies {
        assert_eq!(r.status, 200, "{}", r.text);
    }
    // One went first on the empty roster; the other replaced all of the first's.
    let mut seen: Vec<[u64; 5]> = replies.iter().map(counts).collect();
    seen.sort();
    assert_eq!(seen, [[20, 0, 0, 0, 20], [20, 0, 20, 0, 20]]);
    let items = app
        .all_pages(&staff(&w.school), Some(&w.organiser), 200)
        .await;
    assert_eq!(items.len(), 20);
    let last = if counts(&replies[0])[2] == 20 {
        "a"
    } else {
        "b"
    };
    assert!(
        items
            .iter()
            .all(|e| e["email"].as_str().unwrap().starts_with(last)),
        "the roster is the later replacement's, whole"
    );
}

#[tokio::test]
async fn without_the_lock_concurrent_replacements_mix_two_rosters() {
    let (app, w, replies) = race("off").await;
    if !app.on_postgres() {
        // SQLite's BEGIN IMMEDIATE serialises writers whatever the lock: no race to see.
        return;
    }
    for r in &replies {
        assert_eq!(r.status, 200, "{}", r.text);
    }
    // Both worked from the empty roster and both think they added everyone...
    assert_eq!(
        replies.iter().map(counts).collect::<Vec<_>>(),
        [[20, 0, 0, 0, 20]; 2]
    );
    // ...and the roster holds both: neither request's roster, which the lock prevents.
    let items = app
        .all_pages(&staff(&w.school), Some(&w.organiser), 200)
        .await;
    assert_eq!(items.len(), 40);
}
