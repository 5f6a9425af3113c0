//! After the load: no overbooking, exact counters, gapless waiting lists — through the API.

use serde_json::Value;

use crate::api::Api;
use crate::load::Registered;

#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub programmes: usize,
    pub confirmed: usize,
    pub waiting: usize,
}

/// Checks one programme against what its registrants were told; returns its counts and the
/// violations found (empty when all is well).
pub async fn programme(
    api: &Api,
    organiser: &str,
    id: &str,
    capacity: usize,
    answers: &[&Registered],
) -> anyhow::Result<(Tally, Vec<String>)> {
    let mut problems = Vec::new();
    let mut fail = |m: String| problems.push(format!("programme {id}: {m}"));
    let rows = api.registrations(organiser, id).await?;
    let status = |r: &Value, s: &str| r["status"] == s;
    let confirmed: Vec<&Value> = rows.iter().filter(|r| status(r, "confirmed")).collect();
    let mut waiting: Vec<&Value> = rows.iter().filter(|r| status(r, "waitlisted")).collect();
    if confirmed.len() + waiting.len() != rows.len() {
        fail(format!(
            "{} registrations neither confirmed nor waitlisted",
            rows.len() - confirmed.len() - waiting.len()
        ));
    }
    if confirmed.len() > capacity {
        fail(format!(
            "OVERBOOKED: {} confirmed for {capacity} places",
            confirmed.len()
        ));
    }
    if !waiting.is_empty() && confirmed.len() != capacity {
        fail(format!(
            "{} waiting while {} of {capacity} places are taken",
            waiting.len(),
            confirmed.len()
        ));
    }
    waiting.sort_by_key(|r| r["arrival"].as_i64());
    let positions: Vec<u64> = waiting
        .iter()
        .map(|r| r["waitlist_position"].as_u64().unwrap_or(0))
        .collect();
    if positions != (1..=waiting.len() as u64).collect::<Vec<_>>() {
        fail("the waiting list's positions are not exactly 1..k in order of arrival".into());
    }
    let mut arrivals: Vec<i64> = rows.iter().filter_map(|r| r["arrival"].as_i64()).collect();
    arrivals.sort_unstable();
    if arrivals != (1..=rows.len() as i64).collect::<Vec<_>>() {
        fail("arrival numbers are not exactly 1..n".into());
    }
    let p = api.get(&format!("/api/v1/programmes/{id}"), None).await?;
    if p["confirmed_count"].as_u64() != Some(confirmed.len() as u64) {
        fail(format!(
            "confirmed_count {} but {} confirmed rows",
            p["confirmed_count"],
            confirmed.len()
        ));
    }
    if p["waitlist_count"].as_u64() != Some(waiting.len() as u64) {
        fail(format!(
            "waitlist_count {} but {} waiting rows",
            p["waitlist_count"],
            waiting.len()
        ));
    }
    // What the clients were told agrees with what is stored.
    if answers.len() != rows.len() {
        fail(format!(
            "{} registrations answered 201 but {} stored",
            answers.len(),
            rows.len()
        ));
    }
    let told_confirmed = answers.iter().filter(|a| a.confirmed).count();
    if told_confirmed != confirmed.len() {
        fail(format!(
            "{told_confirmed} told confirmed, {} stored confirmed",
            confirmed.len()
        ));
    }
    let mut told: Vec<u64> = answers.iter().filter_map(|a| a.waitlist_position).collect();
    told.sort_unstable();
    if told != (1..=told.len() as u64).collect::<Vec<_>>() {
        fail("the positions told to those waiting are not exactly 1..k".into());
    }
    // First come, first served: the confirmed are the first `capacity` to arrive, and the
    // k-th to wait arrived k-th after them.
    for a in answers {
        let Some(arrival) = a.arrival else {
            fail("an answer without arrival".into());
            continue;
        };
        let in_order = match a.waitlist_position {
            Some(pos) => arrival == capacity as i64 + pos as i64,
            None => a.confirmed && arrival <= capacity as i64,
        };
        if !in_order {
            fail(format!(
                "arrival {arrival} was told {:?} (out of order)",
                a.waitlist_position
            ));
            break;
        }
    }
    Ok((
        Tally {
            programmes: 1,
            confirmed: confirmed.len(),
            waiting: waiting.len(),
        },
        problems,
    ))
}
