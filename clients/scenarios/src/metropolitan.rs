//! Scenario 3: A metropolitan minimum standard for integration: member municipalities and a county of a
//! metropolitan association each run a set of tasks. A pilot "inclusive school" with 30
//! schools (training for directors, form teachers and teachers of Polish as a second
//! language); "Culture includes": 300 library and culture-centre staff trained, funded by
//! 102,000 EUR from the EEA Financial Mechanism; partners abroad in an AMIF-funded exchange.
//! Each member keeps a competence-development plan; the association sees them rolled up.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono_tz::Europe::Warsaw;
use serde_json::{Value, json};

use crate::{
    Ctx, Expected, Register, Scenario, at, days, instant, invitee, person, take_registers, today,
};

pub const ORGANISATION: &str = "Górnośląsko-Zagłębiowska Metropolia";
pub const LOGINS: [&str; 3] = [
    "koordynator@metropolia.kompetens.example",
    "metodyczka@metropolia.kompetens.example",
    "bibliotekarka@metropolia.kompetens.example",
];

/// Staff of libraries and culture centres trained in "Culture includes".
pub const CULTURE_STAFF: usize = 300;

pub async fn build(ctx: &Ctx<'_>) -> Result<Scenario> {
    let api = ctx.api;
    let zone = "Europe/Warsaw";
    let metro = api
        .organisation(
            ctx.admin,
            ORGANISATION,
            "metropolitan_association",
            "PL",
            zone,
            None,
        )
        .await?;
    let mut members = Vec::new();
    for (name, kind) in [
        ("Miasto Katowice", "municipality"),
        ("Miasto Sosnowiec", "municipality"),
        ("Miasto Gliwice", "municipality"),
        ("Powiat będziński", "county"),
    ] {
        members.push(
            api.organisation(ctx.admin, name, kind, "PL", zone, Some(&metro))
                .await?,
        );
    }
    // Ten pilot schools in each of the three cities.
    let mut schools = Vec::new();
    for (m, city) in ["Katowice", "Sosnowiec", "Gliwice"].iter().enumerate() {
        for n in 1..=10 {
            schools.push((
                m,
                api.organisation(
                    ctx.admin,
                    &format!("Szkoła Podstawowa nr {} w {city}", n * 3),
                    "school",
                    "PL",
                    zone,
                    Some(&members[m]),
                )
                .await?,
            ));
        }
    }
    // A library and a culture centre in each member: (member index, id, job role of its staff).
    let mut culture = Vec::new();
    for (m, place) in ["Katowicach", "Sosnowcu", "Gliwicach", "Będzinie"]
        .iter()
        .enumerate()
    {
        culture.push((
            m,
            api.organisation(
                ctx.admin,
                &format!("Biblioteka Publiczna w {place}"),
                "library",
                "PL",
                zone,
                Some(&members[m]),
            )
            .await?,
            "librarian",
        ));
        culture.push((
            m,
            api.organisation(
                ctx.admin,
                &format!("Dom Kultury w {place}"),
                "culture_centre",
                "PL",
                zone,
                Some(&members[m]),
            )
            .await?,
            "culture_centre_staff",
        ));
    }
    let organiser = api
        .member(
            ctx.admin,
            &metro,
            LOGINS[0],
            "Tomasz Nowak",
            ctx.password,
            "organiser",
        )
        .await?;
    let trainer = api
        .member(
            ctx.admin,
            &metro,
            LOGINS[1],
            "Ewa Wiśniewska",
            ctx.password,
            "trainer",
        )
        .await?;
    let participant = api
        .signup(
            LOGINS[2],
            "Rūta Kazlauskienė",
            ctx.password,
            Some(json!({"workplace_organisation_id": culture[0].1, "job_role": "librarian"})),
        )
        .await?;
    let o = &organiser.token;
    let now = chrono::Utc::now();
    let t = today(Warsaw);
    let grant = |funder: &str, reference: &str, title: &str, amount: i64, currency: &str| {
        json!({"funder_id": funder, "recipient_organisation_id": metro, "reference": reference, "title": title,
            "amount": {"amount_minor": amount, "currency": currency},
            "starts_on": (t - days(200)).to_string(), "ends_on": (t + days(400)).to_string(), "status": "active"})
    };
    let eea = api.create("/api/v1/funders", o, json!({"organisation_id": metro, "name": "Mechanizm Finansowy EOG (EEA Grants)", "kind": "eu_fund", "website": "https://eeagrants.org"})).await?;
    let amif = api.create("/api/v1/funders", o, json!({"organisation_id": metro, "name": "Fundusz Azylu, Migracji i Integracji (AMIF)", "kind": "eu_fund"})).await?;
    let own = api.create("/api/v1/funders", o, json!({"organisation_id": metro, "name": "Metropolia GZM — budżet", "kind": "municipality", "country": "PL"})).await?;
    let culture_grant = api
        .create(
            "/api/v1/grants",
            o,
            grant(
                &eea,
                "EOG/KULTURA/2026/07",
                "Kultura włącza",
                10_200_000,
                "EUR",
            ),
        )
        .await?;
    let exchange_grant = api
        .create(
            "/api/v1/grants",
            o,
            grant(
                &amif,
                "AMIF/PL/2026/112",
                "Wymiana z partnerami zagranicznymi",
                4_000_000,
                "EUR",
            ),
        )
        .await?;
    let school_grant = api
        .create(
            "/api/v1/grants",
            o,
            grant(&own, "GZM/SW/2026", "Szkoła włączająca", 25_000_000, "PLN"),
        )
        .await?;
    let hall = api.create("/api/v1/venues", o, json!({"organisation_id": metro, "name": "Centrum Kongresowe", "address": "pl. Sławika i Antoniewicza 1", "city": "Katowice", "country": "PL", "capacity": 400})).await?;

    // The inclusive school: 90 staff of the 30 pilot schools, two workshops, both required.
    let first = t - days(20);
    let pilot = programme(
        api,
        o,
        &metro,
        "Szkoła włączająca: szkolenia dla kadry 30 szkół pilotażowych",
        first,
        first + days(7),
        100,
        100,
        &school_grant,
    )
    .await?;
    // Three places per pilot school, so that no school takes more than its share.
    let caps: Vec<Value> = schools
        .iter()
        .map(|(_, school)| json!({"organisation_id": school, "places": 3}))
        .collect();
    api.ok(
        "PATCH",
        &format!("/api/v1/programmes/{pilot}"),
        Some(o),
        Some(json!({"seat_caps": caps})),
    )
    .await?;
    api.ok(
        "PUT",
        &format!("/api/v1/programmes/{pilot}/hour-budget"),
        Some(o),
        Some(json!({"lines": [{"activity_type": "workshop", "planned_minutes": 480}]})),
    )
    .await?;
    let mut pilot_sessions = Vec::new();
    for (w, title) in [
        "Dyrektor, wychowawca, nauczyciel PJN: role w szkole włączającej",
        "Uczeń z doświadczeniem migracji w klasie",
    ]
    .iter()
    .enumerate()
    {
        let day = first + days(7 * w as i64);
        let id = api.create(&format!("/api/v1/programmes/{pilot}/sessions"), o, json!({"title": {"pl": title}, "activity_type": "workshop", "starts_at": at(Warsaw, day, "09:00")?, "ends_at": at(Warsaw, day, "13:00")?, "venue_id": hall, "trainer_ids": [trainer.id]})).await?;
        pilot_sessions.push(Register {
            id,
            minutes: 240,
            holders: None,
        });
    }
    api.ok(
        "POST",
        &format!("/api/v1/programmes/{pilot}/publish"),
        Some(o),
        Some(json!({})),
    )
    .await?;
    let roles = ["school_director", "form_teacher", "second_language_teacher"];
    let mut staff: Vec<(usize, &str)> = Vec::new();
    let entries: Vec<Value> = (0..90)
        .map(|i| {
            let (m, school) = &schools[i / 3];
            let role = roles[i % 3];
            staff.push((*m, role));
            invitee(
                &format!("kadra{i}@szkoly.metropolia.kompetens.example"),
                &person(i),
                "pl",
                school,
                role,
            )
        })
        .collect();
    let pilot_people: Vec<String> = api
        .batch(o, &pilot, entries)
        .await?
        .iter()
        .map(|r| r["participant_id"].as_str().unwrap_or_default().to_string())
        .collect();
    // A fourth teacher of the first school waits, though places are left: the school has its
    // three.
    let fourth = api
        .create(
            &format!("/api/v1/programmes/{pilot}/registrations"),
            o,
            invitee(
                "kadra90@szkoly.metropolia.kompetens.example",
                &person(90),
                "pl",
                &schools[0].1,
                "form_teacher",
            ),
        )
        .await?;
    let status = api
        .ok(
            "GET",
            &format!("/api/v1/registrations/{fourth}"),
            Some(o),
            None,
        )
        .await?;
    anyhow::ensure!(
        status["status"] == "waitlisted",
        "the fourth teacher of a capped school should wait: {status}"
    );
    // Three directors missed the second workshop.
    let pilot_attended = take_registers(
        api,
        &trainer.token,
        &pilot_sessions,
        &pilot_people,
        |i, s| s == 1 && i % 3 == 0 && i < 9,
    )
    .await?;
    let pilot_completed = pilot_attended.iter().filter(|m| **m >= 480).count() as u64;

    // Culture includes: 300 places; Rūta first, then 300 more: the last one waits.
    let first = t - days(10);
    let includes = programme(
        api,
        o,
        &metro,
        "Kultura włącza: szkolenie pracowników bibliotek i domów kultury",
        first,
        first + days(7),
        CULTURE_STAFF as u32,
        100,
        &culture_grant,
    )
    .await?;
    api.ok(
        "PUT",
        &format!("/api/v1/programmes/{includes}/hour-budget"),
        Some(o),
        Some(json!({"lines": [{"activity_type": "workshop", "planned_minutes": 360}]})),
    )
    .await?;
    let mut includes_sessions = Vec::new();
    for (w, title) in [
        "Instytucja kultury otwarta na migrantów",
        "Dobre praktyki: podręcznik i studia przypadków",
    ]
    .iter()
    .enumerate()
    {
        let day = first + days(7 * w as i64);
        let id = api.create(&format!("/api/v1/programmes/{includes}/sessions"), o, json!({"title": {"pl": title}, "activity_type": "workshop", "starts_at": at(Warsaw, day, "10:00")?, "ends_at": at(Warsaw, day, "13:00")?, "venue_id": hall, "trainer_ids": [trainer.id]})).await?;
        includes_sessions.push(Register {
            id,
            minutes: 180,
            holders: None,
        });
    }
    api.ok(
        "POST",
        &format!("/api/v1/programmes/{includes}/publish"),
        Some(o),
        Some(json!({})),
    )
    .await?;
    let mine = api
        .create(
            &format!("/api/v1/programmes/{includes}/registrations"),
            &participant.token,
            json!({}),
        )
        .await?;
    let mut people = vec![(participant.id.clone(), mine, 0usize, "librarian")];
    let entries: Vec<Value> = (0..CULTURE_STAFF)
        .map(|i| {
            let (_, place, role) = &culture[i % culture.len()];
            invitee(
                &format!("kultura{i}@metropolia.kompetens.example"),
                &person(i + 90),
                "pl",
                place,
                role,
            )
        })
        .collect();
    for (i, r) in api.batch(o, &includes, entries).await?.iter().enumerate() {
        let (m, _, role) = culture[i % culture.len()];
        people.push((
            r["participant_id"].as_str().unwrap_or_default().to_string(),
            r["id"].as_str().unwrap_or_default().to_string(),
            m,
            role,
        ));
    }
    let (_, withdrawn, _, _) = people.remove(10);
    api.ok(
        "POST",
        &format!("/api/v1/registrations/{withdrawn}/cancel"),
        Some(o),
        Some(json!({"reason": "Długotrwałe zwolnienie lekarskie"})),
    )
    .await?;
    let ids: Vec<String> = people.iter().map(|p| p.0.clone()).collect();
    // Every thirtieth person missed the second session.
    let includes_attended =
        take_registers(api, &trainer.token, &includes_sessions, &ids, |i, s| {
            s == 1 && i % 30 == 29
        })
        .await?;
    let includes_completed = includes_attended.iter().filter(|m| **m >= 360).count() as u64;

    // The AMIF exchange with partners abroad: invitation only, ahead.
    let visit_day = t + days(30);
    let exchange = api
        .create("/api/v1/programmes", o, json!({
            "organisation_id": metro, "kind": "project", "registration_policy": "invitation",
            "title": {"pl": "Wymiana doświadczeń z partnerami zagranicznymi", "en": "Exchange with partners abroad"},
            "starts_on": visit_day.to_string(), "ends_on": (visit_day + days(2)).to_string(), "time_zone": zone,
            "languages": ["en"], "capacity": 8,
            "registration_opens_at": instant(now - days(5)), "registration_closes_at": instant(now + days(20)),
            "grant_ids": [exchange_grant]
        }))
        .await?;
    api.ok(
        "PUT",
        &format!("/api/v1/programmes/{exchange}/hour-budget"),
        Some(o),
        Some(json!({"lines": [{"activity_type": "study_visit", "planned_minutes": 960}]})),
    )
    .await?;
    for d in 0..2 {
        let day = visit_day + days(d);
        api.create(&format!("/api/v1/programmes/{exchange}/sessions"), o, json!({"title": {"en": "Study visit: Malmö stad"}, "activity_type": "study_visit", "starts_at": at(Warsaw, day, "09:00")?, "ends_at": at(Warsaw, day, "17:00")?, "online_url": "https://malmo.se"})).await?;
    }
    api.ok(
        "POST",
        &format!("/api/v1/programmes/{exchange}/publish"),
        Some(o),
        Some(json!({})),
    )
    .await?;
    for p in pilot_people.iter().take(4) {
        api.create(
            &format!("/api/v1/programmes/{exchange}/registrations"),
            o,
            json!({"participant_id": p}),
        )
        .await?;
    }

    // Each member's plan: the inclusive-school staff of its pilot schools, and the staff of its
    // library and culture centre.
    let mut plans = Vec::new();
    for (m, member) in members.iter().enumerate() {
        let mut needs = vec![
            json!({"theme": "intercultural_communication", "job_roles": ["librarian", "culture_centre_staff"], "staff_count": 80, "priority": "high", "programme_ids": [includes],
            "description": "Kultura włącza: pracownicy bibliotek i domów kultury"}),
        ];
        if m < 3 {
            needs.push(json!({"theme": "inclusive_education", "job_roles": roles, "staff_count": 30, "priority": "high", "programme_ids": [pilot]}));
        }
        let plan = api
            .create(&format!("/api/v1/organisations/{member}/competence-plans"), o, json!({
                "title": "Minimalny standard integracji: plan rozwoju kompetencji",
                "starts_on": (t - days(200)).to_string(), "ends_on": (t + days(400)).to_string(),
                "status": "adopted", "needs": needs
            }))
            .await?;
        plans.push((member.clone(), plan));
    }
    for (grant, programme, amount) in [
        (&culture_grant, &includes, 9_000_000),
        (&exchange_grant, &exchange, 4_000_000),
        (&school_grant, &pilot, 20_000_000),
    ] {
        let currency = if grant == &school_grant { "PLN" } else { "EUR" };
        api.ok("PUT", &format!("/api/v1/grants/{grant}/allocations"), Some(o), Some(json!({"allocations": [{"programme_id": programme, "amount": {"amount_minor": amount, "currency": currency}}]}))).await?;
    }
    // What each member's plan should show: completers by member, per need.
    let mut coverage: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
    for (i, (_, _, m, _)) in people.iter().enumerate() {
        if includes_attended[i] >= 360 {
            coverage.entry(*m).or_default().0 += 1;
        }
    }
    for (i, (m, _)) in staff.iter().enumerate() {
        if pilot_attended[i] >= 480 {
            coverage.entry(*m).or_default().1 += 1;
        }
    }
    let expected: BTreeMap<String, Expected> = [
        (
            pilot.clone(),
            Expected {
                confirmed: 90 - pilot_completed,
                waitlisted: 1,
                completed: pilot_completed,
                certificates: pilot_completed,
                attended_minutes: pilot_attended.iter().sum(),
                ..Expected::default()
            },
        ),
        (
            includes.clone(),
            Expected {
                confirmed: CULTURE_STAFF as u64 - includes_completed,
                cancelled: 1,
                completed: includes_completed,
                certificates: includes_completed,
                attended_minutes: includes_attended.iter().sum(),
                ..Expected::default()
            },
        ),
        (
            exchange.clone(),
            Expected {
                confirmed: 4,
                ..Expected::default()
            },
        ),
    ]
    .into_iter()
    .collect();
    // Each plan's needs in order: the culture staff, then (cities only) the pilot staff.
    let mut plan_coverage = BTreeMap::new();
    for (m, (_, plan)) in plans.iter().enumerate() {
        let (c, s) = coverage.get(&m).copied().unwrap_or_default();
        plan_coverage.insert(plan.clone(), if m < 3 { vec![c, s] } else { vec![c] });
    }
    Ok(Scenario {
        key: "metropolitan",
        title: "A metropolitan minimum standard for integration",
        organisation: metro,
        organiser,
        trainer,
        participant,
        programmes: vec![pilot, includes, exchange],
        grants: vec![school_grant, culture_grant, exchange_grant],
        plans,
        expected,
        coverage: plan_coverage,
    })
}

/// A published-to-be course of the association with a window open now.
#[expect(
    clippy::too_many_arguments,
    reason = "one call per programme reads best with its facts in a row"
)]
async fn programme(
    api: &crate::Api,
    token: &str,
    owner: &str,
    title: &str,
    starts_on: chrono::NaiveDate,
    ends_on: chrono::NaiveDate,
    capacity: u32,
    percent: u8,
    grant: &str,
) -> Result<String> {
    let now = chrono::Utc::now();
    api
        .create("/api/v1/programmes", token, json!({
            "organisation_id": owner, "kind": "course_cycle",
            "title": {"pl": title}, "starts_on": starts_on.to_string(), "ends_on": ends_on.to_string(),
            "time_zone": "Europe/Warsaw", "languages": ["pl"], "capacity": capacity,
            "registration_opens_at": instant(now - days(60)), "registration_closes_at": instant(now + days(30)),
            "completion_rule": {"min_attended_percent": percent}, "attendance_window_days": 60,
            "grant_ids": [grant]
        }))
        .await
}
