//! Scenario 5: A two-year ESF project across five municipalities: a planning phase in which each
//! workplace's needs are compiled into competence-development plans (culture and leisure,
//! libraries), then trainings in cultural understanding and trauma awareness for staff who
//! meet asylum seekers, refugees and unaccompanied minors, each run on several occasions that
//! staff register for; process leaders are trained to carry the work on after the project.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono_tz::Europe::Stockholm;
use serde_json::{Value, json};

use crate::{
    Ctx, Expected, Register, Scenario, at, days, instant, invitee, person, take_registers, today,
};

pub const ORGANISATION: &str = "Samordningsförbundet Skåne Nordväst";
pub const LOGINS: [&str; 3] = [
    "projektledare@esf.kompetens.example",
    "utbildare@esf.kompetens.example",
    "bibliotekarie@esf.kompetens.example",
];

const KOMMUNER: [&str; 5] = ["Helsingborg", "Höganäs", "Bjuv", "Åstorp", "Ängelholm"];

pub async fn build(ctx: &Ctx<'_>) -> Result<Scenario> {
    let api = ctx.api;
    let zone = "Europe/Stockholm";
    let top = api
        .organisation(ctx.admin, ORGANISATION, "other", "SE", zone, None)
        .await?;
    let mut kommuner = Vec::new();
    let mut workplaces = Vec::new();
    for (k, name) in KOMMUNER.iter().enumerate() {
        let kommun = api
            .organisation(
                ctx.admin,
                &format!("{name}s kommun"),
                "municipality",
                "SE",
                zone,
                Some(&top),
            )
            .await?;
        workplaces.push((
            k,
            api.organisation(
                ctx.admin,
                &format!("Stadsbiblioteket {name}"),
                "library",
                "SE",
                zone,
                Some(&kommun),
            )
            .await?,
            "librarian",
        ));
        workplaces.push((
            k,
            api.organisation(
                ctx.admin,
                &format!("Kultur och fritid {name}"),
                "culture_centre",
                "SE",
                zone,
                Some(&kommun),
            )
            .await?,
            "culture_centre_staff",
        ));
        kommuner.push(kommun);
    }
    let organiser = api
        .member(
            ctx.admin,
            &top,
            LOGINS[0],
            "Ingrid Andersson",
            ctx.password,
            "organiser",
        )
        .await?;
    let trainer = api
        .member(
            ctx.admin,
            &top,
            LOGINS[1],
            "Lars Öberg",
            ctx.password,
            "trainer",
        )
        .await?;
    let participant = api
        .signup(LOGINS[2], "Amal Al-Sayed", ctx.password, Some(json!({"workplace_organisation_id": workplaces[0].1, "job_role": "librarian", "locale": "sv"})))
        .await?;
    let o = &organiser.token;
    let t = today(Stockholm);
    let now = chrono::Utc::now();
    let esf = api.create("/api/v1/funders", o, json!({"organisation_id": top, "name": "Svenska ESF-rådet", "kind": "eu_fund", "country": "SE", "website": "https://www.esf.se"})).await?;
    let grant = api
        .create("/api/v1/grants", o, json!({
            "funder_id": esf, "recipient_organisation_id": top,
            "reference": "2016/00123", "title": "Mötet — kompetensutveckling för personal som möter nyanlända",
            "amount": {"amount_minor": 850_000_000, "currency": "SEK"}, "funded_minutes": 6000,
            "starts_on": (t - days(300)).to_string(), "ends_on": (t + days(430)).to_string(), "status": "active"
        }))
        .await?;

    // The training: cultural understanding and trauma awareness, each on two occasions with
    // their own places; staff register for one occasion of each.
    let first = t - days(14);
    let training = api
        .create("/api/v1/programmes", o, json!({
            "organisation_id": top, "kind": "project",
            "title": {"sv": "Kulturförståelse och traumamedvetenhet", "en": "Cultural understanding and trauma awareness"},
            "target_audience": {"sv": "Personal inom kultur och fritid och bibliotek som möter asylsökande, nyanlända och ensamkommande barn"},
            "starts_on": first.to_string(), "ends_on": (first + days(8)).to_string(), "time_zone": zone,
            "languages": ["sv"], "capacity": 20,
            "registration_opens_at": instant(now - days(60)), "registration_closes_at": instant(now + days(30)),
            "completion_rule": {"min_attended_percent": 100}, "attendance_window_days": 60,
            "grant_ids": [grant]
        }))
        .await?;
    let base = format!("/api/v1/programmes/{training}");
    api.ok(
        "PUT",
        &format!("{base}/hour-budget"),
        Some(o),
        Some(json!({"lines": [{"activity_type": "workshop", "planned_minutes": 360}]})),
    )
    .await?;
    let mut occasions = Vec::new();
    for (group, title, offsets) in [
        ("kulturforstaelse", "Kulturförståelse", [0, 1]),
        ("traumamedvetenhet", "Traumamedvetenhet", [7, 8]),
    ] {
        for (n, offset) in offsets.iter().enumerate() {
            let day = first + days(*offset);
            occasions.push(api.create(&format!("{base}/sessions"), o, json!({
                "title": {"sv": format!("{title}, tillfälle {}", n + 1)}, "activity_type": "workshop",
                "parallel_group": group, "capacity": 8,
                "starts_at": at(Stockholm, day, "09:00")?, "ends_at": at(Stockholm, day, "12:00")?,
                "trainer_ids": [trainer.id], "language": "sv"
            })).await?);
        }
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
    let mut staff = vec![(participant.id.clone(), mine, 0usize)];
    let entries: Vec<Value> = (0..15)
        .map(|i| {
            let (_, place, role) = &workplaces[(i + 1) % workplaces.len()];
            invitee(
                &format!("personal{i}@esf.kompetens.example"),
                &person(i + 120),
                "sv",
                place,
                role,
            )
        })
        .collect();
    for (i, r) in api.batch(o, &training, entries).await?.iter().enumerate() {
        let (k, _, _) = workplaces[(i + 1) % workplaces.len()];
        staff.push((
            r["participant_id"].as_str().unwrap_or_default().to_string(),
            r["id"].as_str().unwrap_or_default().to_string(),
            k,
        ));
    }
    // Each registers for the first occasion of each theme while it has places, then the second.
    let mut holders = vec![Vec::new(); 4];
    for (i, (_, registration, _)) in staff.iter().enumerate() {
        let (a, b) = if i < 8 { (0, 2) } else { (1, 3) };
        api.ok(
            "PUT",
            &format!("/api/v1/registrations/{registration}/sessions"),
            Some(o),
            Some(json!({"session_ids": [occasions[a], occasions[b]]})),
        )
        .await?;
        holders[a].push(i);
        holders[b].push(i);
    }
    let registers: Vec<Register> = occasions
        .iter()
        .zip(holders)
        .map(|(id, h)| Register {
            id: id.clone(),
            minutes: 180,
            holders: Some(h),
        })
        .collect();
    let ids: Vec<String> = staff.iter().map(|s| s.0.clone()).collect();
    // Two missed their trauma-awareness occasion.
    let attended = take_registers(api, &trainer.token, &registers, &ids, |i, s| {
        s >= 2 && (i == 3 || i == 12)
    })
    .await?;
    let completed = attended.iter().filter(|m| **m >= 360).count() as u64;

    // Process leaders, one per municipality, to carry the work on.
    let leaders_first = t - days(5);
    let leaders = api
        .create("/api/v1/programmes", o, json!({
            "organisation_id": top, "kind": "course_cycle",
            "title": {"sv": "Processledarutbildning"},
            "starts_on": leaders_first.to_string(), "ends_on": (leaders_first + days(1)).to_string(), "time_zone": zone,
            "languages": ["sv"], "capacity": 10,
            "registration_opens_at": instant(now - days(60)), "registration_closes_at": instant(now + days(30)),
            "eligibility": {"job_roles": ["process_leader"]},
            "completion_rule": {"min_attended_percent": 100}, "attendance_window_days": 60,
            "grant_ids": [grant]
        }))
        .await?;
    let lbase = format!("/api/v1/programmes/{leaders}");
    api.ok(
        "PUT",
        &format!("{lbase}/hour-budget"),
        Some(o),
        Some(json!({"lines": [{"activity_type": "workshop", "planned_minutes": 480}]})),
    )
    .await?;
    let mut leader_sessions = Vec::new();
    for d in 0..2 {
        let day = leaders_first + days(d);
        let id = api.create(&format!("{lbase}/sessions"), o, json!({"title": {"sv": "Att leda förändringsarbete"}, "activity_type": "workshop", "starts_at": at(Stockholm, day, "13:00")?, "ends_at": at(Stockholm, day, "17:00")?, "trainer_ids": [trainer.id]})).await?;
        leader_sessions.push(Register {
            id,
            minutes: 240,
            holders: None,
        });
    }
    api.ok(
        "POST",
        &format!("{lbase}/publish"),
        Some(o),
        Some(json!({})),
    )
    .await?;
    let entries: Vec<Value> = (0..5)
        .map(|k| {
            invitee(
                &format!("processledare{k}@esf.kompetens.example"),
                &person(k + 140),
                "sv",
                &kommuner[k],
                "process_leader",
            )
        })
        .collect();
    let leader_ids: Vec<String> = api
        .batch(o, &leaders, entries)
        .await?
        .iter()
        .map(|r| r["participant_id"].as_str().unwrap_or_default().to_string())
        .collect();
    // Only process leaders: a librarian is refused.
    let refused = api
        .call(
            "POST",
            &format!("{lbase}/registrations"),
            Some(o),
            Some(json!({"participant_id": participant.id})),
        )
        .await?;
    anyhow::ensure!(
        refused.status == 403,
        "a librarian was let in: {}",
        refused.body
    );
    let leader_attended = take_registers(
        api,
        &trainer.token,
        &leader_sessions,
        &leader_ids,
        |_, _| false,
    )
    .await?;

    // The plans compiled in the planning phase, one per municipality.
    let mut plans = Vec::new();
    let mut coverage = BTreeMap::new();
    for (k, kommun) in kommuner.iter().enumerate() {
        let plan = api
            .create(&format!("/api/v1/organisations/{kommun}/competence-plans"), o, json!({
                "title": format!("Kompetensutvecklingsplan {}", KOMMUNER[k]),
                "starts_on": (t - days(300)).to_string(), "ends_on": (t + days(430)).to_string(),
                "status": "adopted",
                "needs": [
                    {"theme": "cultural_understanding", "job_roles": ["librarian", "culture_centre_staff"], "staff_count": 4, "priority": "high", "programme_ids": [training], "description": "Kultur och fritid, bibliotek"},
                    {"theme": "trauma_awareness", "job_roles": ["librarian", "culture_centre_staff", "social_worker"], "staff_count": 4, "priority": "high", "programme_ids": [training]},
                    {"theme": "process_leadership", "job_roles": ["process_leader"], "staff_count": 1, "priority": "medium", "programme_ids": [leaders]}
                ]
            }))
            .await?;
        let done = staff
            .iter()
            .enumerate()
            .filter(|(i, s)| s.2 == k && attended[*i] >= 360)
            .count() as u64;
        coverage.insert(plan.clone(), vec![done, done, 1]);
        plans.push((kommun.clone(), plan));
    }
    api.ok(
        "PUT",
        &format!("/api/v1/grants/{grant}/allocations"),
        Some(o),
        Some(json!({"allocations": [
            {"programme_id": training, "amount": {"amount_minor": 600_000_000, "currency": "SEK"}},
            {"programme_id": leaders, "amount": {"amount_minor": 150_000_000, "currency": "SEK"}}
        ]})),
    )
    .await?;
    let expected = [
        (
            training.clone(),
            Expected {
                confirmed: 16 - completed,
                completed,
                certificates: completed,
                attended_minutes: attended.iter().sum(),
                ..Expected::default()
            },
        ),
        (
            leaders.clone(),
            Expected {
                completed: 5,
                certificates: 5,
                attended_minutes: leader_attended.iter().sum(),
                ..Expected::default()
            },
        ),
    ]
    .into_iter()
    .collect();
    Ok(Scenario {
        key: "esf",
        title: "A two-year ESF project across five municipalities",
        organisation: top,
        organiser,
        trainer,
        participant,
        programmes: vec![training, leaders],
        grants: vec![grant],
        plans,
        expected,
        coverage,
    })
}
