//! Every catalogue list is paginated and filtered; drafts stay invisible to those who may not
//! see them; amounts round-trip exactly; every PATCH honours If-Match.

use std::collections::BTreeSet;

use kompetens_tests::{TestApp, ids, spawn_app};
use serde_json::{Value, json};

struct World {
    city: String,
    district: String,
    other_city: String,
    organiser: String,
    district_organiser: String,
    other_organiser: String,
    participant: String,
    funder: String,
}

async fn world(app: &TestApp) -> World {
    let city = app.organisation(&app.admin_token, "Malmö stad", None).await;
    let district = app
        .organisation(&app.admin_token, "Rosengård", Some(&city))
        .await;
    let other_city = app.organisation(&app.admin_token, "Lund", None).await;
    let (_, organiser) = app
        .member(&city, "samordnare@malmo.example", "organiser")
        .await;
    let (_, district_organiser) = app
        .member(&district, "rosengard@malmo.example", "organiser")
        .await;
    let (_, other_organiser) = app
        .member(&other_city, "samordnare@lund.example", "organiser")
        .await;
    let (_, participant) = app
        .member(&district, "bibliotekarie@malmo.example", "participant")
        .await;
    let funder = app
        .create("/api/v1/funders", &organiser, json!({"organisation_id": city, "name": "Europeiska socialfonden", "kind": "eu_fund", "website": "https://www.esf.se"}))
        .await;
    World {
        city,
        district,
        other_city,
        organiser,
        district_organiser,
        other_organiser,
        participant,
        funder,
    }
}

fn programme(org: &str, title: Value, kind: &str, from: &str, to: &str, languages: Value) -> Value {
    json!({"organisation_id": org, "kind": kind, "title": title, "starts_on": from, "ends_on": to, "languages": languages})
}

/// Makes a draft publishable (a budget, one session, a window) and publishes it.
async fn publish(app: &TestApp, token: &str, id: &str, day: &str, window: (&str, &str)) {
    let base = format!("/api/v1/programmes/{id}");
    let r = app
        .patch(
            &base,
            Some(token),
            json!({"registration_opens_at": window.0, "registration_closes_at": window.1}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .put(
            &format!("{base}/hour-budget"),
            Some(token),
            json!({"lines": [{"activity_type": "workshop", "planned_minutes": 120}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.create(
        &format!("{base}/sessions"),
        token,
        json!({"title": {"sv": "Workshop"}, "activity_type": "workshop",
        "starts_at": format!("{day}T10:00:00Z"), "ends_at": format!("{day}T12:00:00Z")}),
    )
    .await;
    let r = app
        .post(&format!("{base}/publish"), Some(token), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn programme_lists_filter_paginate_and_hide_drafts() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let p = |t: &str| json!({"sv": t});
    let open = app
        .create(
            "/api/v1/programmes",
            &w.organiser,
            programme(
                &w.city,
                json!({"sv": "Kulturförståelse", "en": "Cultural understanding"}),
                "course_cycle",
                "2027-01-10",
                "2027-03-31",
                json!(["sv", "ar"]),
            ),
        )
        .await;
    publish(
        &app,
        &w.organiser,
        &open,
        "2027-01-12",
        ("2026-11-01T00:00:00Z", "2027-01-09T00:00:00Z"),
    )
    .await;
    let closed_window = app
        .create(
            "/api/v1/programmes",
            &w.district_organiser,
            programme(
                &w.district,
                p("Traumamedvetenhet för bibliotek"),
                "course_cycle",
                "2026-09-01",
                "2026-10-31",
                json!(["sv"]),
            ),
        )
        .await;
    publish(
        &app,
        &w.district_organiser,
        &closed_window,
        "2026-09-15",
        ("2026-08-01T00:00:00Z", "2026-08-31T00:00:00Z"),
    )
    .await;
    let draft = app
        .create(
            "/api/v1/programmes",
            &w.district_organiser,
            programme(
                &w.district,
                p("Interkulturell kommunikation – ÅÄÖ"),
                "project",
                "2027-02-01",
                "2027-02-28",
                json!(["sv", "en"]),
            ),
        )
        .await;
    let elsewhere = app
        .create(
            "/api/v1/programmes",
            &w.other_organiser,
            programme(
                &w.other_city,
                p("Processledarutbildning"),
                "course_cycle",
                "2027-05-01",
                "2027-06-30",
                json!(["sv"]),
            ),
        )
        .await;
    publish(
        &app,
        &w.other_organiser,
        &elsewhere,
        "2027-05-03",
        ("2026-11-01T00:00:00Z", "2027-04-30T00:00:00Z"),
    )
    .await;

    let list = |query: &'static str, token: Option<String>| {
        let app = &app;
        async move {
            let items = app
                .all_pages(&format!("/api/v1/programmes{query}"), token.as_deref(), 1)
                .await;
            ids(&items).into_iter().collect::<BTreeSet<_>>()
        }
    };
    let set = |xs: &[&String]| xs.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    let public = set(&[&open, &closed_window, &elsewhere]);
    // Anonymous callers, participants and organisers elsewhere see published programmes only.
    assert_eq!(list("", None).await, public);
    assert_eq!(list("", Some(w.participant.clone())).await, public);
    assert_eq!(list("", Some(w.other_organiser.clone())).await, public);
    // Organisers of the subtree see its drafts too.
    assert_eq!(
        list("", Some(w.organiser.clone())).await,
        set(&[&open, &closed_window, &draft, &elsewhere])
    );
    assert_eq!(list("", Some(app.admin_token.clone())).await.len(), 4);
    // A draft is 404 to everyone who may not see it.
    let draft_path = format!("/api/v1/programmes/{draft}");
    for token in [None, Some(&w.participant), Some(&w.other_organiser)] {
        assert_eq!(
            app.get(&draft_path, token.map(String::as_str)).await.status,
            404
        );
        assert_eq!(
            app.get(&format!("{draft_path}/sessions"), token.map(String::as_str))
                .await
                .status,
            404
        );
        assert_eq!(
            app.get(
                &format!("{draft_path}/hour-budget"),
                token.map(String::as_str)
            )
            .await
            .status,
            404
        );
    }
    assert_eq!(app.get(&draft_path, Some(&w.organiser)).await.status, 200);
    // Published programmes are read by all but changed only by their organisers.
    let r = app
        .patch(
            &format!("/api/v1/programmes/{open}"),
            Some(&w.other_organiser),
            json!({"capacity": 5}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);

    // Filters.
    let organiser = Some(w.organiser.clone());
    let district_filter = format!("?organisation_id={}", w.district);
    let r = app
        .all_pages(
            &format!("/api/v1/programmes{district_filter}"),
            organiser.as_deref(),
            10,
        )
        .await;
    assert_eq!(
        ids(&r).into_iter().collect::<BTreeSet<_>>(),
        set(&[&closed_window, &draft])
    );
    assert_eq!(
        list("?status=draft", organiser.clone()).await,
        set(&[&draft])
    );
    assert_eq!(
        list("?kind=project", organiser.clone()).await,
        set(&[&draft])
    );
    assert_eq!(
        list("?from=2027-01-01&to=2027-02-15", organiser.clone()).await,
        set(&[&open, &draft])
    );
    assert_eq!(list("?language=ar", None).await, set(&[&open]));
    assert_eq!(
        list("?language=en", organiser.clone()).await,
        set(&[&draft])
    );
    assert_eq!(list("?q=CULTURAL", None).await, set(&[&open]));
    assert_eq!(
        list("?q=%C3%A5%C3%A4%C3%B6", organiser.clone()).await,
        set(&[&draft]),
        "case-insensitive beyond ASCII: åäö finds ÅÄÖ"
    );
    assert_eq!(
        list("?open_for_registration=true", None).await,
        set(&[&open, &elsewhere])
    );
    let r = app
        .get("/api/v1/programmes?organisation_id=not-a-uuid", None)
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["type"], "/problems/invalid-query");
    let bad = app
        .get(
            "/api/v1/programmes?status=live&from=yesterday&limit=0",
            None,
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    let parameters: BTreeSet<_> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["parameter"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        parameters,
        ["from", "limit", "status"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );

    let listed = app.get("/api/v1/programmes?q=kultur", None).await;
    assert_eq!(listed.body["items"][0]["open_for_registration"], true);
    assert_eq!(
        listed.body["items"][0]["title"]["en"],
        "Cultural understanding"
    );
}

#[tokio::test]
async fn funders_grants_venues_and_sessions_paginate_filter_and_round_trip_amounts() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // Amounts are integers of minor units in and out, in any ISO 4217 currency.
    let eea = app.create("/api/v1/funders", &w.organiser, json!({"organisation_id": w.city, "name": "EEA and Norway Grants", "kind": "international_organisation"})).await;
    let grant_eur = app.create("/api/v1/grants", &w.organiser, json!({"funder_id": eea, "recipient_organisation_id": w.city, "reference": "EEA-PL-CULT-2026", "title": "Kultura włącza", "amount": {"amount_minor": 10_200_000, "currency": "EUR"}, "starts_on": "2026-01-01", "ends_on": "2027-12-31"})).await;
    let grant_pln = app.create("/api/v1/grants", &w.district_organiser, json!({"funder_id": w.funder, "recipient_organisation_id": w.district, "reference": "UNICEF/PL/2026/014", "title": "Trening", "amount": {"amount_minor": 18_900_000, "currency": "PLN"}, "starts_on": "2026-03-01", "ends_on": "2026-12-31", "funded_minutes": 2400})).await;
    let grant_sek = app.create("/api/v1/grants", &w.other_organiser, json!({"funder_id": w.funder, "recipient_organisation_id": w.other_city, "reference": "ESF-2016-0042", "title": "Kompetensutveckling", "amount": {"amount_minor": 123_456_789, "currency": "SEK"}, "starts_on": "2016-09-01", "ends_on": "2018-09-30", "status": "closed"})).await;
    let r = app
        .get(&format!("/api/v1/grants/{grant_eur}"), Some(&w.organiser))
        .await;
    assert_eq!(
        r.body["amount"],
        json!({"amount_minor": 10_200_000, "currency": "EUR"})
    );
    let r = app
        .get(&format!("/api/v1/grants/{grant_pln}"), Some(&w.organiser))
        .await;
    assert_eq!(
        r.body["amount"],
        json!({"amount_minor": 18_900_000, "currency": "PLN"})
    );
    assert_eq!(r.body["status"], "awarded", "the default status");
    for (amount, field) in [
        (
            json!({"amount_minor": 1.5, "currency": "EUR"}),
            "/amount/amount_minor",
        ),
        (
            json!({"amount_minor": 100, "currency": "EURO"}),
            "/amount/currency",
        ),
        (
            json!({"amount_minor": -1, "currency": "EUR"}),
            "/amount/amount_minor",
        ),
    ] {
        let r = app.post("/api/v1/grants", Some(&w.organiser), json!({"funder_id": eea, "recipient_organisation_id": w.city, "reference": "x", "title": "x", "amount": amount, "starts_on": "2026-01-01", "ends_on": "2025-12-31"})).await;
        assert_eq!(r.status, 422, "{}", r.text);
        let pointers: Vec<_> = r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["pointer"].as_str().unwrap())
            .collect();
        assert_eq!(pointers, [field, "/ends_on"]);
    }
    // Grants are seen only by organisers of the recipient's subtree.
    let all = |token: &str| {
        let app = &app;
        let token = token.to_string();
        async move {
            ids(&app.all_pages("/api/v1/grants", Some(&token), 1).await)
                .into_iter()
                .collect::<BTreeSet<_>>()
        }
    };
    assert_eq!(
        all(&w.organiser).await,
        [grant_eur.clone(), grant_pln.clone()].into_iter().collect()
    );
    assert_eq!(
        all(&w.district_organiser).await,
        vec![grant_pln.clone()].into_iter().collect()
    );
    assert_eq!(all(&w.participant).await.len(), 0);
    assert_eq!(
        app.get(&format!("/api/v1/grants/{grant_sek}"), Some(&w.organiser))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&format!("/api/v1/grants/{grant_pln}"), Some(&w.participant))
            .await
            .status,
        404
    );
    let filtered = app
        .all_pages(
            &format!("/api/v1/grants?funder_id={}&status=awarded", w.funder),
            Some(&app.admin_token),
            5,
        )
        .await;
    assert_eq!(ids(&filtered), vec![grant_pln.clone()]);
    let filtered = app
        .all_pages(
            &format!("/api/v1/grants?organisation_id={}", w.district),
            Some(&app.admin_token),
            5,
        )
        .await;
    assert_eq!(ids(&filtered), vec![grant_pln.clone()]);

    // Funders: seen by every signed-in caller, filtered by kind and name.
    let funders = app
        .all_pages("/api/v1/funders", Some(&w.participant), 1)
        .await;
    assert_eq!(funders.len(), 2);
    assert_eq!(
        ids(&app
            .all_pages("/api/v1/funders?kind=eu_fund", Some(&w.participant), 5)
            .await),
        vec![w.funder.clone()]
    );
    assert_eq!(
        ids(&app
            .all_pages("/api/v1/funders?q=norway", Some(&w.participant), 5)
            .await),
        vec![eea.clone()]
    );
    assert_eq!(app.get("/api/v1/funders", None).await.status, 401);

    // Venues: public, filtered by organisation subtree and city.
    let mut venues = Vec::new();
    for (org, token, city) in [
        (&w.city, &w.organiser, "Malmö"),
        (&w.district, &w.district_organiser, "Malmö"),
        (&w.other_city, &w.other_organiser, "Lund"),
    ] {
        venues.push(app.create("/api/v1/venues", token, json!({"organisation_id": org, "name": "Stadsbibliotek", "address": "Kung Oscars väg 11", "city": city, "country": "SE"})).await);
    }
    assert_eq!(app.all_pages("/api/v1/venues", None, 2).await.len(), 3);
    assert_eq!(
        ids(&app
            .all_pages(
                &format!("/api/v1/venues?organisation_id={}", w.city),
                None,
                2
            )
            .await),
        venues[..2].to_vec()
    );
    assert_eq!(
        ids(&app.all_pages("/api/v1/venues?city=lund", None, 2).await),
        vec![venues[2].clone()]
    );
    assert_eq!(
        app.get(&format!("/api/v1/venues/{}", venues[0]), None)
            .await
            .status,
        200
    );
    let r = app
        .patch(
            &format!("/api/v1/venues/{}", venues[0]),
            Some(&w.other_organiser),
            json!({"capacity": 10}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app.post("/api/v1/venues", Some(&w.other_organiser), json!({"organisation_id": w.city, "name": "x", "address": "x", "city": "x", "country": "SE"})).await;
    assert_eq!(
        r.status, 422,
        "an organisation you cannot see does not exist for you: {}",
        r.text
    );

    // Sessions: in order of start across pages, filtered by activity type and time.
    let prog = app
        .create(
            "/api/v1/programmes",
            &w.organiser,
            programme(
                &w.city,
                json!({"sv": "Biblioteksdagar"}),
                "course_cycle",
                "2027-01-01",
                "2027-01-31",
                json!(["sv"]),
            ),
        )
        .await;
    let base = format!("/api/v1/programmes/{prog}");
    let mut created = Vec::new();
    for day in [20, 3, 11, 27, 5] {
        let activity = if day % 2 == 0 { "lecture" } else { "workshop" };
        created.push((day, app.create(&format!("{base}/sessions"), &w.organiser, json!({"title": {"sv": format!("Dag {day}")}, "activity_type": activity, "raise_budget": true,
            "starts_at": format!("2027-01-{day:02}T09:00:00+01:00"), "ends_at": format!("2027-01-{day:02}T11:00:00+01:00"), "venue_id": venues[0]})).await));
    }
    created.sort();
    let listed = app
        .all_pages(&format!("{base}/sessions"), Some(&w.organiser), 2)
        .await;
    assert_eq!(
        ids(&listed),
        created.iter().map(|(_, id)| id.clone()).collect::<Vec<_>>()
    );
    let lectures = app
        .all_pages(
            &format!("{base}/sessions?activity_type=lecture"),
            Some(&w.organiser),
            2,
        )
        .await;
    assert_eq!(lectures.len(), 1);
    let window = app
        .all_pages(
            &format!(
                "{base}/sessions?from=2027-01-05T00:00:00%2B01:00&to=2027-01-20T00:00:00%2B01:00"
            ),
            Some(&w.organiser),
            2,
        )
        .await;
    assert_eq!(window.len(), 2);
}

#[tokio::test]
async fn every_patch_honours_if_match() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let grant = app.create("/api/v1/grants", &w.organiser, json!({"funder_id": w.funder, "recipient_organisation_id": w.city, "reference": "R", "title": "T", "amount": {"amount_minor": 100, "currency": "SEK"}, "starts_on": "2026-01-01", "ends_on": "2026-12-31"})).await;
    let venue = app.create("/api/v1/venues", &w.organiser, json!({"organisation_id": w.city, "name": "Aulan", "address": "Storgatan 1", "city": "Malmö", "country": "SE"})).await;
    let prog = app
        .create(
            "/api/v1/programmes",
            &w.organiser,
            programme(
                &w.city,
                json!({"sv": "Kurs"}),
                "course_cycle",
                "2027-01-01",
                "2027-01-31",
                json!(["sv"]),
            ),
        )
        .await;
    let session = app.create(&format!("/api/v1/programmes/{prog}/sessions"), &w.organiser, json!({"title": {"sv": "Pass"}, "activity_type": "lecture", "raise_budget": true, "starts_at": "2027-01-10T09:00:00+01:00", "ends_at": "2027-01-10T10:00:00+01:00"})).await;
    for (path, change) in [
        (
            format!("/api/v1/funders/{}", w.funder),
            json!({"name": "ESF+"}),
        ),
        (
            format!("/api/v1/grants/{grant}"),
            json!({"status": "active"}),
        ),
        (format!("/api/v1/venues/{venue}"), json!({"capacity": 80})),
        (
            format!("/api/v1/programmes/{prog}"),
            json!({"capacity": 25}),
        ),
        (
            format!("/api/v1/sessions/{session}"),
            json!({"credit_minutes": 45}),
        ),
    ] {
        let read = app.get(&path, Some(&w.organiser)).await;
        let etag = read.header("etag").expect("an ETag").to_string();
        assert_eq!(etag, format!("\"{}\"", read.body["version"]), "{path}");
        let first = app
            .patch_if(&path, &w.organiser, &etag, change.clone())
            .await;
        assert_eq!(first.status, 200, "{path}: {}", first.text);
        assert_ne!(first.header("etag").unwrap(), etag);
        let again = app.patch_if(&path, &w.organiser, &etag, change).await;
        assert_eq!(again.status, 412, "{path}: {}", again.text);
        assert_eq!(again.body["type"], "/problems/precondition-failed");
    }
}
