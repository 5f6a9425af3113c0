//! Scenario 4: An Erasmus+ staff mobility project of a district culture centre: one-week job-shadowing
//! placements abroad (four staff to Barcelona, then four to Paris) to learn to work with adults
//! with special educational needs; each participant receives a Europass-style mobility
//! record; funded through the national agency.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::Datelike;
use chrono_tz::Europe::{Madrid, Paris, Warsaw};
use serde_json::json;

use crate::{Ctx, Expected, Scenario, at, days, instant, invitee, person, today};

pub const ORGANISATION: &str = "Miasto Stołeczne Warszawa";
pub const LOGINS: [&str; 3] = [
    "koordynatorka@mobility.kompetens.example",
    "mentor@mobility.kompetens.example",
    "animatorka@mobility.kompetens.example",
];

pub async fn build(ctx: &Ctx<'_>) -> Result<Scenario> {
    let api = ctx.api;
    let city = api
        .organisation(
            ctx.admin,
            ORGANISATION,
            "municipality",
            "PL",
            "Europe/Warsaw",
            None,
        )
        .await?;
    let centre = api
        .organisation(
            ctx.admin,
            "Dzielnicowy Dom Kultury Śródmieście",
            "culture_centre",
            "PL",
            "Europe/Warsaw",
            Some(&city),
        )
        .await?;
    let organiser = api
        .member(
            ctx.admin,
            &centre,
            LOGINS[0],
            "Maja Wiśniewska",
            ctx.password,
            "organiser",
        )
        .await?;
    let trainer = api
        .member(
            ctx.admin,
            &centre,
            LOGINS[1],
            "Piotr Zieliński",
            ctx.password,
            "trainer",
        )
        .await?;
    let participant = api
        .signup(
            LOGINS[2],
            "Sofia Lindqvist",
            ctx.password,
            Some(json!({"workplace_organisation_id": centre, "job_role": "culture_centre_staff"})),
        )
        .await?;
    let o = &organiser.token;
    let agency = api
        .create("/api/v1/funders", o, json!({"organisation_id": centre, "name": "Fundacja Rozwoju Systemu Edukacji — Narodowa Agencja Erasmus+", "kind": "national_agency", "country": "PL", "website": "https://www.erasmusplus.org.pl"}))
        .await?;
    let t = today(Warsaw);
    let grant = api
        .create("/api/v1/grants", o, json!({
            "funder_id": agency, "recipient_organisation_id": centre,
            "reference": "2026-1-PL01-KA122-ADU-000123456", "title": "Kultura dostępna: job shadowing za granicą",
            "amount": {"amount_minor": 3_200_000, "currency": "EUR"},
            "starts_on": (t - days(120)).to_string(), "ends_on": (t + days(240)).to_string(), "status": "active"
        }))
        .await?;
    // The Monday a week and a half ago, and the Monday about six weeks ahead.
    let monday = |d: chrono::NaiveDate| d - days(i64::from(d.weekday().num_days_from_monday()));
    let barcelona_monday = monday(t - days(10));
    let paris_monday = monday(t + days(42));
    let now = chrono::Utc::now();
    let mut programmes = Vec::new();
    for (city_name, zone, tz, monday, host, host_city, country, mentor) in [
        (
            "Barcelonie",
            "Europe/Madrid",
            Madrid,
            barcelona_monday,
            "Centre Cívic Barceloneta",
            "Barcelona",
            "ES",
            "Marta Puig",
        ),
        (
            "Paryżu",
            "Europe/Paris",
            Paris,
            paris_monday,
            "Maison des Métallos",
            "Paris",
            "FR",
            "Claire Martin",
        ),
    ] {
        let friday = monday + days(4);
        let id = api
            .create("/api/v1/programmes", o, json!({
                "organisation_id": centre, "kind": "mobility", "registration_policy": "invitation",
                "title": {"pl": format!("Job shadowing w {city_name}"), "en": format!("Job shadowing in {host_city}")},
                "summary": {"pl": "Tydzień obserwacji pracy z dorosłymi ze specjalnymi potrzebami edukacyjnymi."},
                "starts_on": monday.to_string(), "ends_on": friday.to_string(), "time_zone": zone,
                "languages": ["pl"], "capacity": 4,
                "registration_opens_at": instant(now - days(90)), "registration_closes_at": instant(now + days(30)),
                "completion_rule": {"min_attended_percent": 100}, "attendance_window_days": 60,
                "certificate_issuance": "manual",
                "mobility": {"host_organisation": host, "host_city": host_city, "host_country": country, "mentor": mentor,
                    "learning_outcomes": [
                        "Plans cultural activities accessible to adults with special educational needs",
                        "Adapts communication to participants' needs, including easy-to-read materials",
                        "Works with carers and support staff as partners"
                    ]},
                "grant_ids": [grant]
            }))
            .await?;
        let base = format!("/api/v1/programmes/{id}");
        api.ok(
            "PUT",
            &format!("{base}/hour-budget"),
            Some(o),
            Some(json!({"lines": [{"activity_type": "job_shadowing", "planned_minutes": 1800}]})),
        )
        .await?;
        let session = api
            .create(&format!("{base}/sessions"), o, json!({
                "title": {"pl": format!("Job shadowing: {host}")}, "activity_type": "job_shadowing",
                "starts_at": at(tz, monday, "09:00")?, "ends_at": at(tz, friday, "17:00")?,
                "credit_minutes": 1800, "trainer_ids": [trainer.id], "language": "en"
            }))
            .await?;
        api.ok("POST", &format!("{base}/publish"), Some(o), Some(json!({})))
            .await?;
        programmes.push((id, session));
    }
    let (barcelona, barcelona_session) = &programmes[0];
    let (paris, _) = &programmes[1];
    // Barcelona: Sofia and four colleagues are put forward for four places; one withdraws and
    // the fifth goes instead.
    let mut registrations = vec![(
        participant.id.clone(),
        api.create(
            &format!("/api/v1/programmes/{barcelona}/registrations"),
            o,
            json!({"participant_id": participant.id}),
        )
        .await?,
    )];
    let entries = (0..4)
        .map(|i| {
            invitee(
                &format!("kadra{i}@mobility.kompetens.example"),
                &person(i + 60),
                "pl",
                &centre,
                "culture_centre_staff",
            )
        })
        .collect();
    for r in api.batch(o, barcelona, entries).await? {
        registrations.push((
            r["participant_id"].as_str().unwrap_or_default().to_string(),
            r["id"].as_str().unwrap_or_default().to_string(),
        ));
    }
    let (_, withdrawn) = registrations.remove(2);
    api.ok(
        "POST",
        &format!("/api/v1/registrations/{withdrawn}/cancel"),
        Some(o),
        Some(json!({"reason": "Konflikt terminów"})),
    )
    .await?;
    let present: Vec<serde_json::Value> = registrations
        .iter()
        .map(|(p, _)| json!({"participant_id": p, "status": "present"}))
        .collect();
    api.attendance(
        &trainer.token,
        barcelona_session,
        json!({"entries": present}),
    )
    .await?;
    // The programme issues certificates by hand: the organiser issues each, with its Europass record.
    for (_, r) in &registrations {
        api.ok(
            "POST",
            &format!("/api/v1/registrations/{r}/certificate"),
            Some(o),
            Some(json!({})),
        )
        .await?;
    }
    // Paris: four others, ahead.
    let entries = (4..8)
        .map(|i| {
            invitee(
                &format!("kadra{i}@mobility.kompetens.example"),
                &person(i + 60),
                "pl",
                &centre,
                "culture_centre_staff",
            )
        })
        .collect();
    api.batch(o, paris, entries).await?;
    api.ok(
        "PUT",
        &format!("/api/v1/grants/{grant}/allocations"),
        Some(o),
        Some(json!({"allocations": [
            {"programme_id": barcelona, "amount": {"amount_minor": 1_600_000, "currency": "EUR"}},
            {"programme_id": paris, "amount": {"amount_minor": 1_600_000, "currency": "EUR"}}
        ]})),
    )
    .await?;
    let expected = [
        (
            barcelona.clone(),
            Expected {
                cancelled: 1,
                completed: 4,
                certificates: 4,
                attended_minutes: 4 * 1800,
                ..Expected::default()
            },
        ),
        (
            paris.clone(),
            Expected {
                confirmed: 4,
                ..Expected::default()
            },
        ),
    ]
    .into_iter()
    .collect();
    Ok(Scenario {
        key: "mobility",
        title: "An Erasmus+ staff mobility project",
        organisation: city,
        organiser,
        trainer,
        participant,
        programmes: vec![barcelona.clone(), paris.clone()],
        grants: vec![grant],
        plans: Vec::new(),
        expected,
        coverage: BTreeMap::new(),
    })
}
