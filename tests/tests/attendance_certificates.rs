//! Attendance, hours, completion and certificates: the residential training of DESIGN.md run
//! to its end with twenty participants, the certificate PDF, public verification, and who may
//! record what.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Warsaw;
use kompetens_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

/// A local Warsaw time on `day` as RFC 3339 with that day's offset.
fn at(day: NaiveDate, time: &str) -> String {
    let naive = day.and_time(chrono::NaiveTime::parse_from_str(time, "%H:%M").unwrap());
    Warsaw
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .to_rfc3339()
}

/// The six days of the training: the week that ended yesterday, so attendance can be taken.
fn days() -> Vec<NaiveDate> {
    let today = Utc::now().with_timezone(&Warsaw).date_naive();
    (0..6).map(|i| today - Duration::days(7 - i)).collect()
}

struct Planned {
    activity: &'static str,
    day: usize,
    from: &'static str,
    to: &'static str,
    /// `Some(group)`: one of three one-hour individual-supervision slots, one place each.
    slot: Option<&'static str>,
}

/// 40 hours, as DESIGN.md's residential training: 900 + 480 + 300 + 360 + 360 minutes.
fn plan() -> Vec<Planned> {
    let mut all = Vec::new();
    let p = |activity, day, from, to| Planned {
        activity,
        day,
        from,
        to,
        slot: None,
    };
    for day in 0..5 {
        all.push(p("workshop", day, "09:00", "12:00"));
    }
    for day in 1..5 {
        all.push(p("group_supervision", day, "15:00", "17:00"));
    }
    for day in 0..4 {
        all.push(p("individual_supervision", day, "17:30", "18:30"));
    }
    for (from, to) in [("10:00", "11:00"), ("11:00", "12:00"), ("12:00", "13:00")] {
        all.push(Planned {
            slot: Some("slots"),
            ..p("individual_supervision", 5, from, to)
        });
    }
    for day in [0, 3, 5] {
        all.push(p("psychosocial_support", day, "13:00", "15:00"));
    }
    all.push(p("social_skills_training", 4, "18:00", "21:00"));
    all.push(p("social_skills_training", 5, "15:00", "18:00"));
    all
}

struct Training {
    organiser: String,
    programme: String,
    trainer: String,
    second_trainer: String,
    /// (session id, plan), in plan order.
    sessions: Vec<(String, Planned)>,
    /// (account id, token, registration id).
    people: Vec<(String, String, String)>,
}

async fn residential_training(app: &TestApp, people: usize) -> Training {
    let city = app
        .organisation(&app.admin_token, "Miasto Gdańsk", None)
        .await;
    let (_, organiser) = app
        .member(&city, "koordynatorka@gdansk.example", "organiser")
        .await;
    let (trainer_id, trainer) = app.member(&city, "trener@gdansk.example", "trainer").await;
    let (second_id, second_trainer) = app
        .member(&city, "superwizorka@gdansk.example", "trainer")
        .await;
    let unicef = app
        .create(
            "/api/v1/funders",
            &organiser,
            json!({"organisation_id": city, "name": "UNICEF Polska", "kind": "international_organisation", "country": "PL"}),
        )
        .await;
    let grant = app
        .create(
            "/api/v1/grants",
            &organiser,
            json!({
                "funder_id": unicef, "recipient_organisation_id": city,
                "reference": "UNICEF/PL/2026/014", "title": "Wsparcie asystentów międzykulturowych",
                "amount": {"amount_minor": 18_900_000, "currency": "PLN"},
                "starts_on": "2026-01-01", "ends_on": "2027-12-31", "funded_minutes": 2400, "status": "active"
            }),
        )
        .await;
    let d = days();
    let now = Utc::now();
    let programme = app
        .create(
            "/api/v1/programmes",
            &organiser,
            json!({
                "organisation_id": city,
                "kind": "residential_training",
                "title": {"pl": "Trening wyjazdowy dla kadry szkół", "en": "Residential training for school staff"},
                "starts_on": d[0].to_string(),
                "ends_on": d[5].to_string(),
                "time_zone": "Europe/Warsaw",
                "languages": ["pl"],
                "capacity": 30,
                "registration_opens_at": (now - Duration::days(30)).to_rfc3339(),
                "registration_closes_at": (now + Duration::days(30)).to_rfc3339(),
                "completion_rule": {"min_attended_percent": 80},
                "grant_ids": [grant]
            }),
        )
        .await;
    let base = format!("/api/v1/programmes/{programme}");
    let r = app
        .put(
            &format!("{base}/hour-budget"),
            Some(&organiser),
            json!({"lines": [
                {"activity_type": "workshop", "planned_minutes": 900},
                {"activity_type": "group_supervision", "planned_minutes": 480},
                {"activity_type": "individual_supervision", "planned_minutes": 300},
                {"activity_type": "psychosocial_support", "planned_minutes": 360},
                {"activity_type": "social_skills_training", "planned_minutes": 360}
            ]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut sessions = Vec::new();
    for planned in plan() {
        // The group supervisions are the second trainer's; everything else the first's.
        let teacher = if planned.activity == "group_supervision" {
            &second_id
        } else {
            &trainer_id
        };
        let mut body = json!({
            "title": {"pl": planned.activity},
            "activity_type": planned.activity,
            "starts_at": at(d[planned.day], planned.from),
            "ends_at": at(d[planned.day], planned.to),
            "trainer_ids": [teacher],
        });
        if let Some(group) = planned.slot {
            body["parallel_group"] = json!(group);
            body["capacity"] = json!(1);
        }
        let id = app
            .create(&format!("{base}/sessions"), &organiser, body)
            .await;
        sessions.push((id, planned));
    }
    let r = app
        .post(&format!("{base}/publish"), Some(&organiser), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut registered = Vec::new();
    for (i, (id, token)) in app
        .participants("uczestnik", people)
        .await
        .into_iter()
        .enumerate()
    {
        let r = app
            .post(
                &format!("{base}/registrations"),
                Some(&organiser),
                json!({"participant_id": id}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["status"], "confirmed");
        let registration = r.body["id"].as_str().unwrap().to_string();
        // The first three each take one individual-supervision slot.
        if i < 3 {
            let slot = &sessions
                .iter()
                .filter(|(_, p)| p.slot.is_some())
                .nth(i)
                .unwrap()
                .0;
            let r = app
                .put(
                    &format!("/api/v1/registrations/{registration}/sessions"),
                    Some(&token),
                    json!({"session_ids": [slot]}),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
        registered.push((id, token, registration));
    }
    Training {
        organiser,
        programme,
        trainer,
        second_trainer,
        sessions,
        people: registered,
    }
}

/// What participant `i` did at a session: `None` absent, `Some(None)` present for the whole
/// session, `Some(Some(m))` present for `m` minutes.
fn attended(
    i: usize,
    session: usize,
    p: &Planned,
    slot_index: Option<usize>,
) -> Option<Option<u32>> {
    if let Some(slot) = slot_index {
        return (slot == i).then_some(None);
    }
    let workshop_no = session; // workshops are sessions 0–4
    match i {
        // Missed two workshops and one psychosocial session: 480 minutes short of all.
        14..=16 => {
            let missed = (p.activity == "workshop" && workshop_no < 2)
                || (p.activity == "psychosocial_support" && p.day == 0);
            (!missed).then_some(None)
        }
        // Came to every workshop, for two of its three hours.
        17 if p.activity == "workshop" => Some(Some(120)),
        // Excused from three workshops.
        18 if p.activity == "workshop" && workshop_no < 3 => None,
        // Missed exactly 420 minutes: lands on the 1 920 of the rule.
        19 if (p.activity == "social_skills_training" && p.day == 4)
            || (p.activity == "group_supervision" && p.day == 1)
            || (p.activity == "psychosocial_support" && p.day == 0) =>
        {
            None
        }
        _ => Some(None),
    }
}

fn entries(t: &Training, session: usize) -> Value {
    let (_, p) = &t.sessions[session];
    let slot_index = p.slot.map(|_| {
        t.sessions[..session]
            .iter()
            .filter(|(_, q)| q.slot.is_some())
            .count()
    });
    let mut list = Vec::new();
    for (i, (id, _, _)) in t.people.iter().enumerate() {
        if p.slot.is_some() && slot_index != Some(i) {
            continue;
        }
        list.push(match attended(i, session, p, slot_index) {
            None if i == 18 => json!({"participant_id": id, "status": "excused"}),
            None => json!({"participant_id": id, "status": "absent"}),
            Some(None) => json!({"participant_id": id, "status": "present"}),
            Some(Some(m)) => {
                json!({"participant_id": id, "status": "present", "attended_minutes": m})
            }
        });
    }
    json!({ "entries": list })
}

/// The minutes participant `i` should have attended, per activity type.
fn expected_minutes(t: &Training, i: usize) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let mut slot = 0;
    for (n, (_, p)) in t.sessions.iter().enumerate() {
        let slot_index = p.slot.map(|_| {
            slot += 1;
            slot - 1
        });
        let length = {
            let h = |s: &str| s[..2].parse::<u64>().unwrap() * 60 + s[3..].parse::<u64>().unwrap();
            h(p.to) - h(p.from)
        };
        let minutes = match attended(i, n, p, slot_index) {
            None => 0,
            Some(None) => length,
            Some(Some(m)) => u64::from(m),
        };
        *out.entry(p.activity.to_string()).or_insert(0) += minutes;
    }
    out
}

fn trainer_of<'a>(t: &'a Training, p: &Planned) -> &'a str {
    if p.activity == "group_supervision" {
        &t.second_trainer
    } else {
        &t.trainer
    }
}

#[tokio::test]
async fn the_residential_training_runs_from_attendance_to_certificates() {
    let app = spawn_app().await;
    let t = residential_training(&app, 20).await;
    // One of those completing has a name with Polish, Lithuanian and Swedish letters.
    let r = app
        .patch(
            "/api/v1/me",
            Some(&t.people[5].1),
            json!({"name": "Łucja Žemaitytė-Öberg"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Nothing is delivered before attendance is taken.
    let budget = app
        .get(
            &format!("/api/v1/programmes/{}/hour-budget", t.programme),
            Some(&t.organiser),
        )
        .await;
    assert_eq!(budget.body["totals"]["scheduled_minutes"], 2400);
    assert_eq!(budget.body["totals"]["delivered_minutes"], 0);

    // Each session's trainer takes the register.
    for (n, (session, p)) in t.sessions.iter().enumerate() {
        let r = app
            .put(
                &format!("/api/v1/sessions/{session}/attendance"),
                Some(trainer_of(&t, p)),
                entries(&t, n),
            )
            .await;
        assert_eq!(r.status, 200, "session {n}: {}", r.text);
        assert!(r.body["recorded_at"].is_string());
    }

    let budget = app
        .get(
            &format!("/api/v1/programmes/{}/hour-budget", t.programme),
            Some(&t.organiser),
        )
        .await;
    assert_eq!(budget.body["totals"]["delivered_minutes"], 2400);

    let rule = 1920; // 80% of 2 400
    let mut completed = 0;
    for (i, (_, token, registration)) in t.people.iter().enumerate() {
        let expected = expected_minutes(&t, i);
        let total: u64 = expected.values().sum();
        let progress = app
            .get(
                &format!("/api/v1/registrations/{registration}/progress"),
                Some(token),
            )
            .await;
        assert_eq!(progress.status, 200, "{}", progress.text);
        let lines = progress.body["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 5);
        for line in lines {
            let activity = line["activity_type"].as_str().unwrap();
            assert_eq!(
                line["attended_minutes"].as_u64(),
                Some(expected[activity]),
                "participant {i}, {activity}"
            );
        }
        // The slots are offered only to those holding one.
        let individual = lines
            .iter()
            .find(|l| l["activity_type"] == "individual_supervision")
            .unwrap();
        assert_eq!(individual["planned_minutes"], 300);
        assert_eq!(individual["offered_minutes"], if i < 3 { 300 } else { 240 });
        assert_eq!(progress.body["totals"]["planned_minutes"], 2400);
        assert_eq!(
            progress.body["totals"]["attended_minutes"].as_u64(),
            Some(total)
        );
        let met = total >= rule;
        assert_eq!(
            progress.body["completion"]["met"], met,
            "participant {i}: {total}"
        );
        let registration_now = app
            .get(
                &format!("/api/v1/registrations/{registration}"),
                Some(token),
            )
            .await;
        let mine = app.get("/api/v1/me/certificates", Some(token)).await;
        if met {
            completed += 1;
            assert_eq!(registration_now.body["status"], "completed");
            assert!(
                progress.body["completion"]["missing"]
                    .as_array()
                    .unwrap()
                    .is_empty()
            );
            assert_eq!(
                mine.body["items"].as_array().unwrap().len(),
                1,
                "{}",
                mine.text
            );
            let c = &mine.body["items"][0];
            assert_eq!(c["total_minutes"].as_u64(), Some(total));
            assert_eq!(c["status"], "valid");
            assert_eq!(c["funders"], json!(["UNICEF Polska"]));
            assert_eq!(c["organiser_name"], "Miasto Gdańsk");
            assert_eq!(progress.body["certificate_id"], c["id"]);
            let hours: u64 = c["hours"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["minutes"].as_u64().unwrap())
                .sum();
            assert_eq!(hours, total, "the hours add up to the total");
        } else {
            assert_eq!(registration_now.body["status"], "confirmed");
            assert!(mine.body["items"].as_array().unwrap().is_empty());
            let missing = &progress.body["completion"]["missing"][0];
            assert_eq!(missing["activity_type"], Value::Null);
            assert_eq!(missing["required_minutes"], rule);
            assert_eq!(missing["missing_minutes"].as_u64(), Some(rule - total));
        }
    }
    // Everyone but participants 14–16 (1 860) and 18 (1 800); 19 lands on 1 920 exactly.
    assert_eq!(completed, 16);
    assert_eq!(expected_minutes(&t, 19).values().sum::<u64>(), rule);

    // The certificate's holder is told, with the code, in their language.
    let mine = app
        .get("/api/v1/me/certificates", Some(&t.people[5].1))
        .await;
    let certificate = mine.body["items"][0].clone();
    assert_eq!(certificate["holder_name"], "Łucja Žemaitytė-Öberg");
    let code = certificate["code"].as_str().unwrap().to_string();
    // Three messages: the sign-up's verification code, the confirmation, the certificate.
    let mails = app.mailbox.wait_for("uczestnik-5@example.org", 3).await;
    assert!(
        mails
            .iter()
            .any(|m| m.subject.starts_with("Certificate") && m.body.contains(&code)),
        "{mails:?}"
    );

    // A correction is kept with who made it; enough minutes now complete participant 14.
    let (slow_id, slow_token, slow_registration) = &t.people[14];
    let (first_workshop, _) = &t.sessions[0];
    let mut list = entries(&t, 0);
    for e in list["entries"].as_array_mut().unwrap() {
        if e["participant_id"] == json!(slow_id) {
            *e = json!({"participant_id": slow_id, "status": "present"});
        }
    }
    let r = app
        .put(
            &format!("/api/v1/sessions/{first_workshop}/attendance"),
            Some(&t.organiser),
            list,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let changes = app
        .get(
            &format!("/api/v1/sessions/{first_workshop}/attendance/changes"),
            Some(&t.trainer),
        )
        .await;
    assert_eq!(changes.status, 200, "{}", changes.text);
    let theirs: Vec<&Value> = changes.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["participant_id"] == json!(slow_id))
        .collect();
    assert_eq!(theirs.len(), 2, "{}", changes.text);
    assert_eq!(theirs[1]["previous_status"], "absent");
    assert_eq!(theirs[1]["status"], "present");
    assert_ne!(theirs[0]["changed_by"], theirs[1]["changed_by"]);
    let progress = app
        .get(
            &format!("/api/v1/registrations/{slow_registration}/progress"),
            Some(slow_token),
        )
        .await;
    assert_eq!(progress.body["totals"]["attended_minutes"], 2040);
    assert_eq!(progress.body["completion"]["met"], true);
    assert!(progress.body["certificate_id"].is_string());

    // A participant sees their own attendance only, and cannot see anyone's progress but theirs.
    let r = app
        .get(
            &format!("/api/v1/sessions/{first_workshop}/attendance"),
            Some(slow_token),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["entries"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["entries"][0]["participant_id"], json!(slow_id));
    let r = app
        .get(
            &format!("/api/v1/registrations/{}/progress", t.people[0].2),
            Some(slow_token),
        )
        .await;
    assert_eq!(r.status, 404);
    // The trainer sees the whole list with names.
    let r = app
        .get(
            &format!("/api/v1/sessions/{first_workshop}/attendance"),
            Some(&t.trainer),
        )
        .await;
    assert_eq!(r.body["entries"].as_array().unwrap().len(), 20);
    assert!(
        r.body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == "Łucja Žemaitytė-Öberg")
    );

    // Verification: genuine, then revoked; the PDF reads back the holder's name.
    let verified = app
        .get(&format!("/api/v1/certificates/verify/{code}"), None)
        .await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    assert_eq!(verified.body["genuine"], true);
    assert_eq!(verified.body["holder_name"], "Łucja Žemaitytė-Öberg");
    assert!(
        verified.body.get("participant_id").is_none(),
        "only what is printed"
    );
    let typed = code.replace('-', "").to_lowercase();
    let again = app
        .get(&format!("/api/v1/certificates/verify/{typed}"), None)
        .await;
    assert_eq!(again.status, 200, "codes read as typed");

    let id = certificate["id"].as_str().unwrap();
    let pdf = app
        .client
        .get(app.url(&format!("/api/v1/certificates/{id}.pdf")))
        .bearer_auth(&t.people[5].1)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    let text = kompetens_tests::pdf_text(&bytes);
    assert!(text.contains("Łucja Žemaitytė-Öberg"), "{text}");
    assert!(text.contains("Trening wyjazdowy dla kadry szkół"), "{text}");
    assert!(text.contains(&code), "{text}");
    assert_eq!(kompetens_tests::pdf_pages(&bytes), 1);
    // Nobody else reads it.
    let r = app
        .get(&format!("/api/v1/certificates/{id}.pdf"), Some(slow_token))
        .await;
    assert_eq!(r.status, 404);

    // Only organisers revoke, with a reason.
    let r = app
        .post(
            &format!("/api/v1/certificates/{id}/revoke"),
            Some(&t.people[5].1),
            json!({"reason": "mine"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/certificates/{id}/revoke"),
            Some(&t.organiser),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/certificates/{id}/revoke"),
            Some(&t.organiser),
            json!({"reason": "Wystawiony omyłkowo"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let revoked = app
        .get(&format!("/api/v1/certificates/verify/{code}"), None)
        .await;
    assert_eq!(revoked.status, 200);
    assert_eq!(revoked.body["genuine"], false);
    assert_eq!(revoked.body["status"], "revoked");
    assert_eq!(revoked.body["revocation_reason"], "Wystawiony omyłkowo");

    // An unknown code reveals nothing: the same 404 as any other missing resource.
    let unknown = app
        .get("/api/v1/certificates/verify/0000-0000-0000-0000-0000", None)
        .await;
    let garbage = app.get("/api/v1/certificates/verify/nonsense", None).await;
    let elsewhere = app
        .get(
            &format!("/api/v1/registrations/{}", uuid::Uuid::now_v7()),
            Some(&t.organiser),
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body, garbage.body);
    assert_eq!(unknown.body, elsewhere.body);

    // After a revocation the organiser may issue a new one (the rule is still met).
    let holder_registration = &t.people[5].2;
    let r = app
        .post(
            &format!("/api/v1/registrations/{holder_registration}/certificate"),
            Some(&t.organiser),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_ne!(r.body["code"], json!(code));
    let r = app
        .post(
            &format!("/api/v1/registrations/{holder_registration}/certificate"),
            Some(&t.organiser),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.body["type"], "/problems/certificate-exists");
    // Below the rule, nothing is issued, and the answer says what is missing.
    let r = app
        .post(
            &format!("/api/v1/registrations/{}/certificate", t.people[18].2),
            Some(&t.organiser),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["type"], "/problems/completion-not-met");
    assert!(
        r.body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("120 missing")
    );
}

#[tokio::test]
async fn only_the_sessions_trainers_and_organisers_record_attendance() {
    let app = spawn_app().await;
    let t = residential_training(&app, 3).await;
    let other = app
        .open_programme(Some(10), "first_come_first_served")
        .await;
    let (_, outsider) = app.signup("outsider@example.org").await;
    let r = app
        .post(
            &format!("/api/v1/programmes/{}/registrations", other.id),
            Some(&outsider),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // A participant's calendar holds their programme's sessions: all but the two slots they
    // do not hold.
    let calendar = app
        .get("/api/v1/me/calendar.ics", Some(&t.people[0].1))
        .await;
    assert_eq!(calendar.status, 200);
    assert_eq!(
        calendar.text.matches("BEGIN:VEVENT").count(),
        t.sessions.len() - 2
    );
    let (workshop, _) = &t.sessions[0];
    let (supervision, _) = t
        .sessions
        .iter()
        .find(|(_, p)| p.activity == "group_supervision")
        .unwrap();
    let all_present = |ids: &[&String]| json!({"entries": ids.iter().map(|id| json!({"participant_id": id, "status": "present"})).collect::<Vec<_>>()});
    let ids: Vec<&String> = t.people.iter().map(|(id, _, _)| id).collect();
    let url = |s: &str| format!("/api/v1/sessions/{s}/attendance");

    // The supervisor does not teach the workshop: for her it does not exist.
    let r = app
        .put(&url(workshop), Some(&t.second_trainer), all_present(&ids))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app.get(&url(workshop), Some(&t.second_trainer)).await;
    assert_eq!(r.status, 404, "{}", r.text);
    // A participant of the programme: 403; of another programme: 404; anonymous: 401.
    let r = app
        .put(&url(workshop), Some(&t.people[0].1), all_present(&ids))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app
        .put(&url(workshop), Some(&outsider), all_present(&ids))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app.put(&url(workshop), None, all_present(&ids)).await;
    assert_eq!(r.status, 401, "{}", r.text);
    let r = app.get(&url(workshop), Some(&outsider)).await;
    assert_eq!(r.status, 404, "{}", r.text);
    // Their own trainers and the organiser may.
    let r = app
        .put(
            &url(supervision),
            Some(&t.second_trainer),
            all_present(&ids),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .put(&url(workshop), Some(&t.organiser), all_present(&ids))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Entries are checked one by one and named by pointer; nothing is written.
    let (stranger_id, _) = app.signup("stranger@example.org").await;
    let slot = &t.sessions.iter().find(|(_, p)| p.slot.is_some()).unwrap().0;
    let bad = json!({"entries": [
        {"participant_id": ids[0], "status": "present", "attended_minutes": 181},
        {"participant_id": stranger_id, "status": "present"},
        {"participant_id": ids[1], "status": "absent", "attended_minutes": 30},
        {"participant_id": ids[1], "status": "present"},
        {"participant_id": ids[2], "status": "asleep"}
    ]});
    let r = app.put(&url(workshop), Some(&t.trainer), bad).await;
    assert_eq!(r.status, 422, "{}", r.text);
    let pointers: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        ["/entries/4/status"],
        "shape errors come first: {}",
        r.text
    );
    let bad = json!({"entries": [
        {"participant_id": ids[0], "status": "present", "attended_minutes": 181},
        {"participant_id": stranger_id, "status": "present"},
        {"participant_id": ids[1], "status": "absent", "attended_minutes": 30},
        {"participant_id": ids[1], "status": "present"}
    ]});
    let r = app.put(&url(workshop), Some(&t.trainer), bad).await;
    assert_eq!(r.status, 422, "{}", r.text);
    let pointers: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        [
            "/entries/0/attended_minutes",
            "/entries/1/participant_id",
            "/entries/2/attended_minutes",
            "/entries/3/participant_id"
        ]
    );
    let r = app.get(&url(workshop), Some(&t.trainer)).await;
    assert!(
        r.body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["status"] == "present"),
        "the refused list changed nothing: {}",
        r.text
    );
    // A session with its own places takes only those holding one.
    let r = app
        .put(
            &url(slot),
            Some(&t.trainer),
            json!({"entries": [{"participant_id": ids[1], "status": "present"}]}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("session")
    );
    let r = app
        .put(
            &url(slot),
            Some(&t.trainer),
            json!({"entries": [{"participant_id": ids[0], "status": "present"}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn attendance_is_taken_from_the_start_until_the_window_closes() {
    let app = spawn_app().await;
    // Sessions next week: too early.
    let p = app
        .open_programme(Some(10), "first_come_first_served")
        .await;
    let (id, _) = app.signup("early@example.org").await;
    let r = app
        .post(
            &format!("/api/v1/programmes/{}/registrations", p.id),
            Some(&p.organiser),
            json!({"participant_id": id}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let sessions = app
        .get(&format!("/api/v1/programmes/{}/sessions", p.id), None)
        .await;
    let session = sessions.body["items"][0]["id"].as_str().unwrap();
    let r = app
        .put(
            &format!("/api/v1/sessions/{session}/attendance"),
            Some(&p.organiser),
            json!({"entries": [{"participant_id": id, "status": "present"}]}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["type"], "/problems/attendance-closed");

    // A training that ended ten days ago with a window of seven days: too late; widen it and
    // it is open again.
    let t = residential_training(&app, 1).await;
    let r = app
        .patch(
            &format!("/api/v1/programmes/{}", t.programme),
            Some(&t.organiser),
            json!({"attendance_window_days": 0}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["attendance_window_days"], 0);
    let (workshop, _) = &t.sessions[0];
    let body = json!({"entries": [{"participant_id": t.people[0].0, "status": "present"}]});
    let r = app
        .put(
            &format!("/api/v1/sessions/{workshop}/attendance"),
            Some(&t.trainer),
            body.clone(),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["type"], "/problems/attendance-closed");
    let r = app
        .patch(
            &format!("/api/v1/programmes/{}", t.programme),
            Some(&t.organiser),
            json!({"attendance_window_days": 367}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["errors"][0]["pointer"], "/attendance_window_days");
    let r = app
        .patch(
            &format!("/api/v1/programmes/{}", t.programme),
            Some(&t.organiser),
            json!({"attendance_window_days": 30}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .put(
            &format!("/api/v1/sessions/{workshop}/attendance"),
            Some(&t.trainer),
            body,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn a_mobility_certificate_carries_the_europass_record_and_waits_for_the_organiser() {
    let app = spawn_app().await;
    let centre = app
        .organisation(&app.admin_token, "Dzielnicowy Dom Kultury", None)
        .await;
    let (_, organiser) = app
        .member(&centre, "koordynator@ddk.example", "organiser")
        .await;
    let (mentor_id, trainer) = app.member(&centre, "mentor@ddk.example", "trainer").await;
    let today = Utc::now().with_timezone(&Warsaw).date_naive();
    let monday = today - Duration::days(12);
    let friday = monday + Duration::days(4);
    let now = Utc::now();
    let programme = app
        .create(
            "/api/v1/programmes",
            &organiser,
            json!({
                "organisation_id": centre,
                "kind": "mobility",
                "title": {"pl": "Job shadowing w Barcelonie", "en": "Job shadowing in Barcelona"},
                "starts_on": monday.to_string(), "ends_on": friday.to_string(),
                "time_zone": "Europe/Madrid", "languages": ["pl"], "capacity": 4,
                "registration_policy": "invitation",
                "registration_opens_at": (now - Duration::days(60)).to_rfc3339(),
                "registration_closes_at": (now + Duration::days(1)).to_rfc3339(),
                "certificate_issuance": "manual",
                "completion_rule": {"min_attended_percent": 100},
                "mobility": {
                    "host_organisation": "Centre Cívic Barceloneta", "host_city": "Barcelona", "host_country": "ES",
                    "mentor": "Marta Puig",
                    "learning_outcomes": ["Plans cultural activities accessible to adults with special educational needs"]
                }
            }),
        )
        .await;
    let base = format!("/api/v1/programmes/{programme}");
    let session = app
        .create(
            &format!("{base}/sessions"),
            &organiser,
            json!({
                "title": {"pl": "Job shadowing"}, "activity_type": "job_shadowing", "raise_budget": true,
                "starts_at": format!("{monday}T09:00:00+02:00"), "ends_at": format!("{friday}T17:00:00+02:00"),
                "credit_minutes": 1800, "trainer_ids": [mentor_id]
            }),
        )
        .await;
    let r = app
        .post(&format!("{base}/publish"), Some(&organiser), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (id, token) = app.signup("rasa@example.lt").await;
    let r = app
        .patch(
            "/api/v1/me",
            Some(&token),
            json!({"name": "Rasa Žemaitytė", "workplace_organisation_id": centre}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .post(
            &format!("{base}/registrations"),
            Some(&organiser),
            json!({"participant_id": id}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let registration = r.body["id"].as_str().unwrap().to_string();
    let r = app
        .put(
            &format!("/api/v1/sessions/{session}/attendance"),
            Some(&trainer),
            json!({"entries": [{"participant_id": id, "status": "present"}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["entries"][0]["attended_minutes"], 1800,
        "present counts the credit"
    );

    // Completed, but the programme's certificates are issued by hand.
    let r = app
        .get(
            &format!("/api/v1/registrations/{registration}"),
            Some(&token),
        )
        .await;
    assert_eq!(r.body["status"], "completed");
    let mine = app.get("/api/v1/me/certificates", Some(&token)).await;
    assert!(mine.body["items"].as_array().unwrap().is_empty());
    let r = app
        .post(
            &format!("/api/v1/registrations/{registration}/certificate"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/registrations/{registration}/certificate"),
            Some(&organiser),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let europass = &r.body["europass"];
    assert_eq!(europass["sending_organisation"], "Dzielnicowy Dom Kultury");
    assert_eq!(europass["host_organisation"], "Centre Cívic Barceloneta");
    assert_eq!(europass["mentor"], "Marta Puig");
    assert_eq!(
        r.body["hours"],
        json!([{"activity_type": "job_shadowing", "minutes": 1800}])
    );
    let listed = app
        .get(&format!("{base}/certificates"), Some(&organiser))
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    let r2 = app.get(&format!("{base}/certificates"), Some(&token)).await;
    assert_eq!(r2.status, 404);
    let pdf = app
        .client
        .get(app.url(&format!(
            "/api/v1/certificates/{}.pdf",
            r.body["id"].as_str().unwrap()
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = kompetens_tests::pdf_text(&pdf);
    for printed in [
        "Rasa Žemaitytė",
        "Centre Cívic Barceloneta",
        "Marta Puig",
        "Europass",
        "Job shadowing w Barcelonie",
    ] {
        assert!(text.contains(printed), "{printed} in {text}");
    }

    // Europass details belong to mobilities only.
    let r = app
        .patch(&base, Some(&organiser), json!({"kind": "course_cycle"}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["errors"][0]["pointer"], "/mobility");
}
