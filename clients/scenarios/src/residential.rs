//! Scenario 2: A residential training, six days in a mountain resort: 40 hours of development
//! workshops, group and individual supervision, psychosocial support and social-skills
//! training. Free; only staff of the city's schools may apply, places by order of
//! application; funded by a UNICEF grant of 189,000 PLN; a named contact person.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono_tz::Europe::Warsaw;
use serde_json::{Value, json};

use crate::{
    Ctx, Expected, Register, Scenario, at, days, instant, person, required, take_registers, today,
};

pub const ORGANISATION: &str = "Miasto Gdańsk";
pub const LOGINS: [&str; 3] = [
    "anna.kowalska@residential.kompetens.example",
    "trener@residential.kompetens.example",
    "olena@residential.kompetens.example",
];

pub async fn build(ctx: &Ctx<'_>) -> Result<Scenario> {
    let api = ctx.api;
    let zone = "Europe/Warsaw";
    let city = api
        .organisation(ctx.admin, ORGANISATION, "municipality", "PL", zone, None)
        .await?;
    let schools = api
        .organisation(
            ctx.admin,
            "Szkoły miejskie Gdańska",
            "other",
            "PL",
            zone,
            Some(&city),
        )
        .await?;
    let mut school_ids = Vec::new();
    for name in [
        "Szkoła Podstawowa nr 12",
        "Szkoła Podstawowa nr 45",
        "Przedszkole nr 3",
    ] {
        let kind = if name.starts_with("Przedszkole") {
            "kindergarten"
        } else {
            "school"
        };
        school_ids.push(
            api.organisation(ctx.admin, name, kind, "PL", zone, Some(&schools))
                .await?,
        );
    }
    let library = api
        .organisation(
            ctx.admin,
            "Biblioteka Miejska w Gdańsku",
            "library",
            "PL",
            zone,
            Some(&city),
        )
        .await?;
    let organiser = api
        .member(
            ctx.admin,
            &city,
            LOGINS[0],
            "Anna Kowalska",
            ctx.password,
            "organiser",
        )
        .await?;
    let trainer = api
        .member(
            ctx.admin,
            &city,
            LOGINS[1],
            "Marek Trener",
            ctx.password,
            "trainer",
        )
        .await?;
    // Olena signs up herself and confirms her address: the city's rosters can vouch for her.
    let participant = api
        .signup_verified(
            ctx.codes,
            LOGINS[2],
            "Olena Kovalenko",
            ctx.password,
            Some(json!({"workplace_organisation_id": school_ids[0], "job_role": "intercultural_assistant", "locale": "pl"})),
        )
        .await?;
    let o = &organiser.token;

    let unicef = api
        .create(
            "/api/v1/funders",
            o,
            json!({"organisation_id": city, "name": "UNICEF Polska", "kind": "international_organisation", "country": "PL", "website": "https://www.unicef.pl"}),
        )
        .await?;
    let first = today(Warsaw) - days(8);
    let last = first + days(5);
    let grant = api
        .create(
            "/api/v1/grants",
            o,
            json!({
                "funder_id": unicef, "recipient_organisation_id": city,
                "reference": "UNICEF/PL/ICA/014", "title": "Wsparcie asystentów międzykulturowych w szkołach",
                "amount": {"amount_minor": 18_900_000, "currency": "PLN"},
                "starts_on": (first - days(90)).to_string(), "ends_on": (last + days(90)).to_string(),
                "funded_minutes": 2400, "status": "active"
            }),
        )
        .await?;
    let venue = api
        .create(
            "/api/v1/venues",
            o,
            json!({"organisation_id": city, "name": "Ośrodek Górski Potok", "address": "ul. Oswalda Balzera 21", "city": "Zakopane", "postal_code": "34-500", "country": "PL", "capacity": 60, "accessibility": "Parter bez progów; winda do sal na piętrze."}),
        )
        .await?;
    let now = chrono::Utc::now();
    let programme = api
        .create(
            "/api/v1/programmes",
            o,
            json!({
                "organisation_id": city,
                "kind": "residential_training",
                "title": {"pl": "Trening wyjazdowy dla kadry szkół", "en": "Residential training for school staff"},
                "summary": {"pl": "40 godzin: warsztaty rozwojowe, superwizja grupowa i indywidualna, wsparcie psychospołeczne i trening umiejętności społecznych w nowym kontekście kulturowym. Udział bezpłatny."},
                "target_audience": {"pl": "Osoby zatrudnione w szkołach miasta, w pierwszej kolejności asystenci międzykulturowi"},
                "starts_on": first.to_string(), "ends_on": last.to_string(), "time_zone": zone,
                "languages": ["pl"], "capacity": 10, "registration_policy": "first_come_first_served",
                "registration_opens_at": instant(now - days(60)), "registration_closes_at": instant(now + days(10)),
                "eligibility": {"workplace_organisation_id": schools, "job_roles": ["intercultural_assistant", "teacher", "school_director"], "verified_employment": true},
                // Intercultural assistants first: they wait ahead of everyone else, and four
                // places are theirs until the last days of the registration window.
                "priority": {"job_roles": ["intercultural_assistant"], "reserved_places": 4, "reserved_until": instant(now + days(5))},
                "questions": [{
                    "id": "dietary_needs", "kind": "choice", "required": true,
                    "label": {"pl": "Wymagania żywieniowe", "en": "Dietary needs", "uk": "Харчові потреби"},
                    "options": [
                        {"id": "none", "label": {"pl": "Brak", "en": "None", "uk": "Немає"}},
                        {"id": "vegetarian", "label": {"pl": "Wegetariańska", "en": "Vegetarian", "uk": "Вегетаріанська"}},
                        {"id": "gluten_free", "label": {"pl": "Bezglutenowa", "en": "Gluten-free", "uk": "Безглютенова"}}
                    ]
                }],
                "completion_rule": {"min_attended_percent": 80},
                "attendance_window_days": 30,
                "contact": {"name": "Anna Kowalska", "email": LOGINS[0], "phone": "+48 58 000 00 00"},
                "grant_ids": [grant]
            }),
        )
        .await?;
    let base = format!("/api/v1/programmes/{programme}");
    api.ok(
        "PUT",
        &format!("{base}/hour-budget"),
        Some(o),
        Some(json!({"lines": [
            {"activity_type": "workshop", "planned_minutes": 900},
            {"activity_type": "group_supervision", "planned_minutes": 480},
            {"activity_type": "individual_supervision", "planned_minutes": 300},
            {"activity_type": "psychosocial_support", "planned_minutes": 360},
            {"activity_type": "social_skills_training", "planned_minutes": 360}
        ]})),
    )
    .await?;
    // (activity, day, from, to, minutes, slot)
    let mut plan: Vec<(&str, i64, &str, &str, u32, bool)> = Vec::new();
    for d in 0..5 {
        plan.push(("workshop", d, "09:00", "12:00", 180, false));
    }
    for d in 1..5 {
        plan.push(("group_supervision", d, "15:00", "17:00", 120, false));
    }
    for d in 0..4 {
        plan.push(("individual_supervision", d, "17:30", "18:30", 60, false));
    }
    for (from, to) in [("10:00", "11:00"), ("11:00", "12:00"), ("12:00", "13:00")] {
        plan.push(("individual_supervision", 5, from, to, 60, true));
    }
    for d in [0, 3, 5] {
        plan.push(("psychosocial_support", d, "13:00", "15:00", 120, false));
    }
    plan.push(("social_skills_training", 4, "18:00", "21:00", 180, false));
    plan.push(("social_skills_training", 5, "15:00", "18:00", 180, false));
    let mut sessions = Vec::new();
    for (activity, d, from, to, minutes, slot) in &plan {
        let day = first + days(*d);
        let mut body = json!({
            "title": {"pl": match *activity {
                "workshop" => "Warsztat rozwojowy",
                "group_supervision" => "Superwizja grupowa",
                "individual_supervision" => "Superwizja indywidualna",
                "psychosocial_support" => "Wsparcie psychospołeczne",
                _ => "Trening umiejętności społecznych",
            }},
            "activity_type": activity,
            "starts_at": at(Warsaw, day, from)?, "ends_at": at(Warsaw, day, to)?,
            "venue_id": venue, "trainer_ids": [trainer.id], "language": "pl"
        });
        if *slot {
            body["parallel_group"] = json!("superwizja-indywidualna");
            body["capacity"] = json!(1);
        }
        let id = api.create(&format!("{base}/sessions"), o, body).await?;
        sessions.push((id, *minutes, *slot));
    }
    api.ok("POST", &format!("{base}/publish"), Some(o), Some(json!({})))
        .await?;

    // Who works where comes from the schools' staff rosters, kept by the city (one sent as
    // CSV, as the city's HR system exports it): a person's own profile proves nothing.
    let roles = [
        "intercultural_assistant",
        "teacher",
        "intercultural_assistant",
        "school_director",
    ];
    let staff: Vec<(String, usize, &str)> = (0..11)
        .map(|i| {
            (
                format!("kadra{i}@residential.kompetens.example"),
                i % school_ids.len(),
                roles[i % roles.len()],
            )
        })
        .collect();
    for (n, school) in school_ids.iter().enumerate() {
        let mut rows = vec![(LOGINS[2].to_string(), "intercultural_assistant")];
        rows.retain(|_| n == 0);
        rows.extend(
            staff
                .iter()
                .filter(|(_, s, _)| *s == n)
                .map(|(email, _, role)| (email.clone(), *role)),
        );
        let path = format!("/api/v1/organisations/{school}/staff");
        if n == 0 {
            let mut csv = String::from("email,job_role,employed_from,employed_until\r\n");
            for (email, role) in &rows {
                csv.push_str(&format!("{email},{role},2019-09-01,\r\n"));
            }
            let r = api.put_csv(&path, o, csv).await?;
            anyhow::ensure!(r.status == 200, "the CSV roster was refused: {}", r.body);
        } else {
            let entries: Vec<Value> = rows
                .iter()
                .map(|(email, role)| json!({"email": email, "job_role": role, "employed_from": "2021-09-01"}))
                .collect();
            api.ok("PUT", &path, Some(o), Some(json!(entries))).await?;
        }
    }
    let library_staff = "bibliotekarka@residential.kompetens.example";
    api.ok(
        "PUT",
        &format!("/api/v1/organisations/{library}/staff"),
        Some(o),
        Some(json!([{"email": library_staff, "job_role": "librarian", "employed_from": "2018-02-01"}])),
    )
    .await?;

    // Olena applies first; then eleven colleagues, each signing up and confirming their
    // address, in this order. The rosters say who they are.
    let diet = |i: usize| match i % 4 {
        1 => "vegetarian",
        3 => "gluten_free",
        _ => "none",
    };
    let mine = api
        .create(
            &format!("{base}/registrations"),
            &participant.token,
            json!({"answers": {"dietary_needs": "vegetarian"}}),
        )
        .await?;
    let mut registrations = vec![(participant.id.clone(), mine)];
    for (i, (email, _, _)) in staff.iter().enumerate() {
        let locale = if i % 3 == 0 { "uk" } else { "pl" };
        let person = api
            .signup_verified(
                ctx.codes,
                email,
                &person(i),
                ctx.password,
                Some(json!({"locale": locale})),
            )
            .await?;
        let id = api
            .create(
                &format!("{base}/registrations"),
                &person.token,
                json!({"answers": {"dietary_needs": diet(i)}}),
            )
            .await?;
        registrations.push((person.id, id));
    }
    // A librarian is not school staff by any roster: refused, whatever her profile says.
    let librarian = api
        .signup_verified(
            ctx.codes,
            library_staff,
            &person(40),
            ctx.password,
            Some(json!({"workplace_organisation_id": school_ids[1], "job_role": "teacher"})),
        )
        .await?;
    let refused = api
        .call(
            "POST",
            &format!("{base}/registrations"),
            Some(&librarian.token),
            Some(json!({"answers": {"dietary_needs": "none"}})),
        )
        .await?;
    anyhow::ensure!(
        refused.status == 403,
        "the librarian was not refused: {}",
        refused.body
    );
    // Ten places: the last two applicants wait, the assistant (kadra10) ahead of the teacher
    // (kadra9) who applied before her.
    let teacher = registrations[10].1.clone();
    let assistant = registrations[11].1.clone();
    let position = |id: String| async move {
        api.ok("GET", &format!("/api/v1/registrations/{id}"), Some(o), None)
            .await
            .map(|r| r["waitlist_position"].as_u64())
    };
    anyhow::ensure!(
        position(assistant.clone()).await? == Some(1)
            && position(teacher.clone()).await? == Some(2),
        "the priority group should wait ahead of everyone else"
    );
    // A school director with a place changes jobs: the first in line — the assistant — takes it.
    let (_, leaving) = registrations.remove(4);
    api.ok(
        "POST",
        &format!("/api/v1/registrations/{leaving}/cancel"),
        Some(o),
        Some(json!({"reason": "Zmiana miejsca pracy"})),
    )
    .await?;
    anyhow::ensure!(
        position(teacher.clone()).await? == Some(1),
        "the teacher should now be first in line"
    );
    // Everyone but the teacher holds a place.
    let waiting = registrations.iter().position(|(_, id)| *id == teacher);
    let in_line = waiting.map(|i| registrations.remove(i));
    anyhow::ensure!(in_line.is_some(), "the teacher's registration is missing");
    let confirmed: Vec<&(String, String)> = registrations.iter().collect();
    // The qualified get the organisational details by e-mail, each in their language.
    let sent = api
        .call(
            "POST",
            &format!("{base}/messages"),
            Some(o),
            Some(json!({
                "to": "confirmed",
                "subject": {"pl": "Szczegóły organizacyjne wyjazdu", "uk": "Організаційні деталі виїзду"},
                "body": {
                    "pl": "Zbiórka pierwszego dnia o 7:00 przy dworcu głównym; autokar do Zakopanego. Zabierz wygodne buty i dowód osobisty.",
                    "uk": "Збір у перший день о 7:00 біля головного вокзалу; автобус до Закопаного. Візьміть зручне взуття та посвідчення особи."
                }
            })),
        )
        .await?;
    anyhow::ensure!(
        sent.status == 201 && sent.body["recipients"] == 10,
        "the organisational details should reach the ten with a place: {}",
        sent.body
    );
    // The first three take an individual-supervision slot each.
    let slots: Vec<&String> = sessions.iter().filter(|s| s.2).map(|s| &s.0).collect();
    for (i, slot) in slots.iter().enumerate() {
        api.ok(
            "PUT",
            &format!("/api/v1/registrations/{}/sessions", confirmed[i].1),
            Some(o),
            Some(json!({"session_ids": [slot]})),
        )
        .await?;
    }
    let mut slot_index = 0;
    let registers: Vec<Register> = sessions
        .iter()
        .map(|(id, minutes, slot)| Register {
            id: id.clone(),
            minutes: *minutes,
            holders: slot.then(|| {
                slot_index += 1;
                vec![slot_index - 1]
            }),
        })
        .collect();
    let people: Vec<String> = confirmed.iter().map(|(p, _)| p.clone()).collect();
    // Two missed three workshops (sessions 0–2): 1 620 minutes, short of the 1 920 required.
    let attended = take_registers(api, &trainer.token, &registers, &people, |i, s| {
        (i == 7 || i == 8) && s < 3
    })
    .await?;
    let rule = required(2400, 80);
    let completed = attended.iter().filter(|m| **m >= rule).count() as u64;
    api.ok(
        "PUT",
        &format!("/api/v1/grants/{grant}/allocations"),
        Some(o),
        Some(json!({"allocations": [{"programme_id": programme, "amount": {"amount_minor": 18_900_000, "currency": "PLN"}}]})),
    )
    .await?;
    let expected = Expected {
        confirmed: 10 - completed,
        waitlisted: 1,
        cancelled: 1,
        completed,
        certificates: completed,
        attended_minutes: attended.iter().sum(),
    };
    Ok(Scenario {
        key: "residential",
        title: "A residential training in a mountain resort",
        organisation: city,
        organiser,
        trainer,
        participant,
        programmes: vec![programme.clone()],
        grants: vec![grant],
        plans: Vec::new(),
        expected: [(programme, expected)].into_iter().collect(),
        coverage: BTreeMap::new(),
    })
}
