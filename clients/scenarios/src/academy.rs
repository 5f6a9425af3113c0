//! Scenario 1: A city academy of intercultural assistants: a cycle of workshops through the year for
//! people who want to become, or are, intercultural assistants in the city's schools and
//! kindergartens, ending in a two-day conference at two venues (day 1 a university auditorium,
//! day 2 a multicultural centre) with plenary and parallel thematic sessions. Organised by a
//! public psychological-pedagogical counselling centre.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono_tz::Europe::Warsaw;
use serde_json::json;

use crate::{
    Ctx, Expected, Register, Scenario, at, days, instant, invitee, person, required,
    take_registers, today,
};

pub const ORGANISATION: &str = "Miasto Poznań";
pub const LOGINS: [&str; 3] = [
    "koordynatorka@academy.kompetens.example",
    "trenerka@academy.kompetens.example",
    "mariam@academy.kompetens.example",
];
/// The trainers who teach the conference's parallel thematic sessions beside the academy's
/// own (a trainer teaches one session at a time); they sign in with the scenario password.
pub const CO_TRAINERS: [(&str, &str); 2] = [
    (
        "olena.kowalczuk@academy.kompetens.example",
        "Olena Kowalczuk",
    ),
    ("tomasz.nowicki@academy.kompetens.example", "Tomasz Nowicki"),
];

pub async fn build(ctx: &Ctx<'_>) -> Result<Scenario> {
    let api = ctx.api;
    let zone = "Europe/Warsaw";
    let city = api
        .organisation(ctx.admin, ORGANISATION, "municipality", "PL", zone, None)
        .await?;
    let centre = api
        .organisation(
            ctx.admin,
            "Poradnia Psychologiczno-Pedagogiczna nr 7",
            "counselling_centre",
            "PL",
            zone,
            Some(&city),
        )
        .await?;
    let mut schools = Vec::new();
    for (name, kind) in [
        ("Szkoła Podstawowa nr 7", "school"),
        ("Szkoła Podstawowa nr 21", "school"),
        ("Przedszkole nr 15", "kindergarten"),
    ] {
        schools.push(
            api.organisation(ctx.admin, name, kind, "PL", zone, Some(&city))
                .await?,
        );
    }
    let organiser = api
        .member(
            ctx.admin,
            &centre,
            LOGINS[0],
            "Katarzyna Zielińska",
            ctx.password,
            "organiser",
        )
        .await?;
    let trainer = api
        .member(
            ctx.admin,
            &centre,
            LOGINS[1],
            "Iryna Bondarenko",
            ctx.password,
            "trainer",
        )
        .await?;
    let mut co_trainers = Vec::new();
    for (email, name) in CO_TRAINERS {
        co_trainers.push(
            api.member(ctx.admin, &centre, email, name, ctx.password, "trainer")
                .await?,
        );
    }
    let participant = api
        .signup(
            LOGINS[2],
            "Mariam Haddad",
            ctx.password,
            Some(json!({"workplace_organisation_id": schools[0], "job_role": "intercultural_assistant"})),
        )
        .await?;
    let o = &organiser.token;
    let funder = api
        .create(
            "/api/v1/funders",
            o,
            json!({"organisation_id": centre, "name": "Miasto Poznań — budżet miasta", "kind": "municipality", "country": "PL"}),
        )
        .await?;
    let now = chrono::Utc::now();
    let grant = api
        .create(
            "/api/v1/grants",
            o,
            json!({
                "funder_id": funder, "recipient_organisation_id": centre,
                "reference": "BO/2026/ASYSTENCI", "title": "Akademia asystenta międzykulturowego",
                "amount": {"amount_minor": 6_000_000, "currency": "PLN"},
                "starts_on": (today(Warsaw) - days(120)).to_string(), "ends_on": (today(Warsaw) + days(120)).to_string(),
                "status": "active"
            }),
        )
        .await?;
    let aula = api
        .create(
            "/api/v1/venues",
            o,
            json!({"organisation_id": centre, "name": "Aula Nova, Uniwersytet im. Adama Mickiewicza", "address": "ul. Wieniawskiego 1", "city": "Poznań", "postal_code": "61-712", "country": "PL", "capacity": 300}),
        )
        .await?;
    let multicultural = api
        .create(
            "/api/v1/venues",
            o,
            json!({"organisation_id": centre, "name": "Centrum Wielokulturowe", "address": "ul. Kramarska 17", "city": "Poznań", "postal_code": "61-765", "country": "PL", "capacity": 120, "accessibility": "Pętla indukcyjna w sali głównej.", "concurrent_sessions": 3}),
        )
        .await?;

    // The workshop cycle: four past workshops, a week apart.
    let first = today(Warsaw) - days(29);
    let cycle = api
        .create(
            "/api/v1/programmes",
            o,
            json!({
                "organisation_id": centre, "kind": "course_cycle",
                "title": {"pl": "Akademia asystenta międzykulturowego: cykl warsztatów", "uk": "Академія міжкультурного асистента: цикл семінарів"},
                "starts_on": first.to_string(), "ends_on": (first + days(21)).to_string(), "time_zone": zone,
                "languages": ["pl", "uk"], "capacity": 12,
                "registration_opens_at": instant(now - days(60)), "registration_closes_at": instant(now + days(30)),
                "completion_rule": {"min_attended_percent": 75}, "attendance_window_days": 60,
                "contact": {"name": "Katarzyna Zielińska", "email": LOGINS[0]},
                "grant_ids": [grant]
            }),
        )
        .await?;
    let base = format!("/api/v1/programmes/{cycle}");
    api.ok(
        "PUT",
        &format!("{base}/hour-budget"),
        Some(o),
        Some(json!({"lines": [{"activity_type": "workshop", "planned_minutes": 720}]})),
    )
    .await?;
    let topics = [
        "Rola asystenta międzykulturowego w szkole",
        "Komunikacja z rodzicami z doświadczeniem migracji",
        "Trauma i dobrostan dzieci z doświadczeniem uchodźczym",
        "Współpraca z wychowawcą i pedagogiem",
    ];
    let mut workshops = Vec::new();
    for (w, topic) in topics.iter().enumerate() {
        let day = first + days(7 * w as i64);
        let id = api
            .create(
                &format!("{base}/sessions"),
                o,
                json!({"title": {"pl": topic}, "activity_type": "workshop", "starts_at": at(Warsaw, day, "10:00")?, "ends_at": at(Warsaw, day, "13:00")?, "venue_id": multicultural, "trainer_ids": [trainer.id], "language": "pl"}),
            )
            .await?;
        workshops.push(Register {
            id,
            minutes: 180,
            holders: None,
        });
    }
    api.ok("POST", &format!("{base}/publish"), Some(o), Some(json!({})))
        .await?;
    let mine = api
        .create(
            &format!("{base}/registrations"),
            &participant.token,
            json!({}),
        )
        .await?;
    let roles = [
        "intercultural_assistant",
        "teacher",
        "intercultural_assistant",
    ];
    let entries = (0..13)
        .map(|i| {
            invitee(
                &format!("asystent{i}@academy.kompetens.example"),
                &person(i + 3),
                if i % 2 == 0 { "uk" } else { "pl" },
                &schools[i % 3],
                roles[i % 3],
            )
        })
        .collect();
    let batch = api.batch(o, &cycle, entries).await?;
    let mut registrations = vec![(participant.id.clone(), mine)];
    registrations.extend(batch.iter().map(|r| {
        (
            r["participant_id"].as_str().unwrap_or_default().to_string(),
            r["id"].as_str().unwrap_or_default().to_string(),
        )
    }));
    // Twelve places, two waiting; one of those with a place withdraws and the first in line
    // takes it.
    let (_, withdrawn) = registrations.remove(3);
    api.ok(
        "POST",
        &format!("/api/v1/registrations/{withdrawn}/cancel"),
        Some(o),
        Some(json!({"reason": "Rezygnacja z udziału"})),
    )
    .await?;
    let people: Vec<String> = registrations
        .iter()
        .take(12)
        .map(|(p, _)| p.clone())
        .collect();
    // One missed two workshops (50%), one missed one (75%: exactly the rule).
    let attended = take_registers(api, &trainer.token, &workshops, &people, |i, s| {
        (i == 5 && s < 2) || (i == 6 && s == 0)
    })
    .await?;
    let completed = attended.iter().filter(|m| **m >= required(720, 75)).count() as u64;

    // The conference: two days ahead, day 1 in the auditorium, day 2 in the multicultural
    // centre with three parallel thematic sessions of their own places.
    let day1 = today(Warsaw) + days(9);
    let day2 = day1 + days(1);
    let conference = api
        .create(
            "/api/v1/programmes",
            o,
            json!({
                "organisation_id": centre, "kind": "conference",
                "title": {"pl": "Konferencja: Asystent międzykulturowy w szkole i przedszkolu", "en": "Conference: intercultural assistants in schools and kindergartens"},
                "starts_on": day1.to_string(), "ends_on": day2.to_string(), "time_zone": zone,
                "languages": ["pl", "en"], "capacity": 150,
                "registration_opens_at": instant(now - days(14)), "registration_closes_at": instant(now + days(7)),
                "completion_rule": {"min_attended_percent": 80},
                "contact": {"name": "Katarzyna Zielińska", "email": LOGINS[0]},
                "grant_ids": [grant]
            }),
        )
        .await?;
    let cbase = format!("/api/v1/programmes/{conference}");
    api.ok(
        "PUT",
        &format!("{cbase}/hour-budget"),
        Some(o),
        Some(json!({"lines": [
            {"activity_type": "plenary", "planned_minutes": 240},
            {"activity_type": "thematic_session", "planned_minutes": 90}
        ]})),
    )
    .await?;
    for (title, day, from, to, venue) in [
        ("Sesja plenarna: otwarcie", day1, "09:00", "10:30", &aula),
        (
            "Sesja plenarna: głosy asystentów",
            day1,
            "13:00",
            "14:30",
            &aula,
        ),
        (
            "Sesja plenarna: zamknięcie",
            day2,
            "13:00",
            "14:00",
            &multicultural,
        ),
    ] {
        api.create(&format!("{cbase}/sessions"), o, json!({"title": {"pl": title}, "activity_type": "plenary", "starts_at": at(Warsaw, day, from)?, "ends_at": at(Warsaw, day, to)?, "venue_id": venue})).await?;
    }
    // Three parallel sessions in the centre's three rooms, each with its own trainer.
    let mut thematic = Vec::new();
    for (title, teacher) in [
        ("Edukacja włączająca w praktyce", &trainer),
        ("Język polski jako drugi", &co_trainers[0]),
        ("Praca z tłumaczem", &co_trainers[1]),
    ] {
        thematic.push(
            api.create(&format!("{cbase}/sessions"), o, json!({"title": {"pl": title}, "activity_type": "thematic_session", "parallel_group": "dzien-2-rano", "capacity": 2, "starts_at": at(Warsaw, day2, "10:00")?, "ends_at": at(Warsaw, day2, "11:30")?, "venue_id": multicultural, "trainer_ids": [teacher.id]})).await?,
        );
    }
    api.ok(
        "POST",
        &format!("{cbase}/publish"),
        Some(o),
        Some(json!({})),
    )
    .await?;
    // Mariam registers herself; five graduates of the cycle are registered by the organiser;
    // all six want the first thematic session: two get places, four wait in order.
    let mut conference_registrations = vec![
        api.create(
            &format!("{cbase}/registrations"),
            &participant.token,
            json!({}),
        )
        .await?,
    ];
    for (p, _) in registrations.iter().skip(1).take(5) {
        conference_registrations.push(
            api.create(
                &format!("{cbase}/registrations"),
                o,
                json!({"participant_id": p}),
            )
            .await?,
        );
    }
    for r in &conference_registrations {
        api.ok(
            "PUT",
            &format!("/api/v1/registrations/{r}/sessions"),
            Some(o),
            Some(json!({"session_ids": [thematic[0]]})),
        )
        .await?;
    }
    api.ok(
        "PUT",
        &format!("/api/v1/grants/{grant}/allocations"),
        Some(o),
        Some(json!({"allocations": [
            {"programme_id": cycle, "amount": {"amount_minor": 4_000_000, "currency": "PLN"}},
            {"programme_id": conference, "amount": {"amount_minor": 1_500_000, "currency": "PLN"}}
        ]})),
    )
    .await?;
    let expected = [
        (
            cycle.clone(),
            Expected {
                confirmed: 12 - completed,
                waitlisted: 1,
                cancelled: 1,
                completed,
                certificates: completed,
                attended_minutes: attended.iter().sum(),
            },
        ),
        (
            conference.clone(),
            Expected {
                confirmed: 6,
                ..Expected::default()
            },
        ),
    ]
    .into_iter()
    .collect();
    Ok(Scenario {
        key: "academy",
        title: "A city academy of intercultural assistants",
        organisation: city,
        organiser,
        trainer,
        participant,
        programmes: vec![cycle, conference],
        grants: vec![grant],
        plans: Vec::new(),
        expected,
        coverage: BTreeMap::new(),
    })
}
