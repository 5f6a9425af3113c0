//! The five programmes of DESIGN.md, built through the HTTP API alone, as any client would:
//! organisations, people, funders, grants, programmes, hour budgets, sessions, registrations
//! (some waitlisted, some cancelled), attendance, certificates and plans.
//!
//! `kompetens demo` loads them as demonstration data; the end-to-end tests build the same
//! world and check the reports and plans against what each scenario says it did. Dates are
//! relative to today, so past sessions can have their attendance taken and the scenarios
//! stay true whenever they run.

mod academy;
mod client;
mod esf;
mod metropolitan;
mod mobility;
mod residential;

pub use client::{Api, Login, Reply, ResponseCheck};

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

/// Who builds a scenario, and with which password the people it creates sign in.
pub struct Ctx<'a> {
    pub api: &'a Api,
    /// An instance admin's access token.
    pub admin: &'a str,
    /// The password of every account a scenario signs up.
    pub password: &'a str,
    /// Where the verification codes the server e-mails can be read, so that people sign up
    /// with verified addresses ([`Api::signup_verified`]).
    pub codes: &'a dyn CodeSource,
}

/// A future that a [`CodeSource`] returns.
pub type CodeFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<String>> + Send + 'a>>;

/// Reads the codes the server e-mails: the end-to-end tests from the mail server they run,
/// `kompetens demo` from the outbox (its e-mails are never sent).
pub trait CodeSource: Send + Sync {
    /// The latest e-mail verification code sent to `email` (waiting a little for it to
    /// arrive, where it travels).
    fn verification_code<'a>(&'a self, email: &'a str) -> CodeFuture<'a>;
}

/// What a scenario built, and what it expects the server to report about it.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub key: &'static str,
    pub title: &'static str,
    /// The organisation at the top of its tree (its name marks the scenario as loaded).
    pub organisation: String,
    pub organiser: Login,
    pub trainer: Login,
    pub participant: Login,
    pub programmes: Vec<String>,
    pub grants: Vec<String>,
    /// (organisation id, plan id).
    pub plans: Vec<(String, String)>,
    /// Per programme id, what the scenario made happen there.
    pub expected: BTreeMap<String, Expected>,
    /// Per plan id, the staff each of its needs should count as having completed, in order.
    pub coverage: BTreeMap<String, Vec<u64>>,
}

/// What a scenario expects of one programme, from what it did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expected {
    pub confirmed: u64,
    pub waitlisted: u64,
    pub cancelled: u64,
    pub completed: u64,
    pub certificates: u64,
    /// Participant-minutes attended (credited).
    pub attended_minutes: u64,
}

/// The five scenarios: key, title, the name of their top organisation, and the e-mails of the
/// organiser, trainer and participant who sign in with the scenario password.
pub const SCENARIOS: &[(&str, &str, &str, [&str; 3])] = &[
    (
        "academy",
        "A city academy of intercultural assistants",
        academy::ORGANISATION,
        academy::LOGINS,
    ),
    (
        "residential",
        "A residential training in a mountain resort",
        residential::ORGANISATION,
        residential::LOGINS,
    ),
    (
        "metropolitan",
        "A metropolitan minimum standard for integration",
        metropolitan::ORGANISATION,
        metropolitan::LOGINS,
    ),
    (
        "mobility",
        "An Erasmus+ staff mobility project",
        mobility::ORGANISATION,
        mobility::LOGINS,
    ),
    (
        "esf",
        "A two-year ESF project across five municipalities",
        esf::ORGANISATION,
        esf::LOGINS,
    ),
];

/// Builds one scenario by its key.
pub async fn build(ctx: &Ctx<'_>, key: &str) -> Result<Scenario> {
    match key {
        "academy" => academy::build(ctx).await,
        "residential" => residential::build(ctx).await,
        "metropolitan" => metropolitan::build(ctx).await,
        "mobility" => mobility::build(ctx).await,
        "esf" => esf::build(ctx).await,
        other => anyhow::bail!("no scenario {other:?}"),
    }
}

/// The names of every organisation the admin sees (to tell which scenarios are loaded).
pub async fn organisation_names(ctx: &Ctx<'_>) -> Result<Vec<String>> {
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/organisations?limit=200&cursor={c}"),
            None => "/api/v1/organisations?limit=200".to_string(),
        };
        let page = ctx.api.ok("GET", &path, Some(ctx.admin), None).await?;
        for item in page["items"].as_array().into_iter().flatten() {
            if let Some(name) = item["name"].as_str() {
                names.push(name.to_string());
            }
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return Ok(names),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What the scenarios share

/// Today and the instant the scenario was built, for dates relative to them.
pub(crate) fn today(zone: chrono_tz::Tz) -> NaiveDate {
    Utc::now().with_timezone(&zone).date_naive()
}

pub(crate) fn days(n: i64) -> Duration {
    Duration::days(n)
}

/// A local time on `day` in `zone`, as RFC 3339 with that day's offset.
pub(crate) fn at(zone: chrono_tz::Tz, day: NaiveDate, time: &str) -> Result<String> {
    let t = chrono::NaiveTime::parse_from_str(time, "%H:%M")?;
    let local = zone
        .from_local_datetime(&day.and_time(t))
        .earliest()
        .ok_or_else(|| anyhow::anyhow!("{day} {time} does not exist in {zone}"))?;
    Ok(local.to_rfc3339())
}

pub(crate) fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

/// First names and surnames of the people who work with migrants and refugees here.
const FIRST: &[&str] = &[
    "Anna",
    "Olena",
    "Łucja",
    "Rasa",
    "Ingrid",
    "Amal",
    "Piotr",
    "Mykola",
    "Žygimantas",
    "Sofia",
    "Fatima",
    "Katarzyna",
    "Oksana",
    "Jonas",
    "Maja",
    "Tomasz",
    "Aisha",
    "Ewa",
    "Lars",
    "Iryna",
];
const LAST: &[&str] = &[
    "Kowalska",
    "Kovalenko",
    "Žemaitytė",
    "Öberg",
    "Haddad",
    "Nowak",
    "Shevchenko",
    "Petrauskas",
    "Lindqvist",
    "Wiśniewska",
    "Bondarenko",
    "Kazlauskienė",
    "Al-Sayed",
    "Zielińska",
    "Andersson",
];

/// The `i`-th made-up person's name.
pub(crate) fn person(i: usize) -> String {
    format!(
        "{} {}",
        FIRST[i % FIRST.len()],
        LAST[(i / FIRST.len() + i * 7) % LAST.len()]
    )
}

/// One entry of a registration batch: an invited person with where they work.
pub(crate) fn invitee(email: &str, name: &str, locale: &str, workplace: &str, role: &str) -> Value {
    json!({"email": email, "name": name, "locale": locale, "workplace_organisation_id": workplace, "job_role": role})
}

/// A session's attendance: `None` absent, `Some(None)` present throughout, `Some(Some(m))`
/// present for `m` minutes.
pub(crate) type Marks = Vec<(String, Option<Option<u32>>)>;

pub(crate) fn attendance_body(marks: &Marks) -> Value {
    let entries: Vec<Value> = marks
        .iter()
        .map(|(id, mark)| match mark {
            None => json!({"participant_id": id, "status": "absent"}),
            Some(None) => json!({"participant_id": id, "status": "present"}),
            Some(Some(m)) => {
                json!({"participant_id": id, "status": "present", "attended_minutes": m})
            }
        })
        .collect();
    json!({ "entries": entries })
}

/// A session whose register a scenario takes.
pub(crate) struct Register {
    pub id: String,
    /// What attending it throughout credits.
    pub minutes: u32,
    /// For sessions with their own places: the indexes of the people holding one.
    pub holders: Option<Vec<usize>>,
}

/// Takes each session's register for `people` (ids): `absent(person, session)` says who
/// missed what. Returns the minutes each person attended.
pub(crate) async fn take_registers(
    api: &Api,
    token: &str,
    sessions: &[Register],
    people: &[String],
    absent: impl Fn(usize, usize) -> bool,
) -> Result<Vec<u64>> {
    let mut attended = vec![0u64; people.len()];
    for (s, session) in sessions.iter().enumerate() {
        let mut marks: Marks = Vec::new();
        for (i, person) in people.iter().enumerate() {
            if session.holders.as_ref().is_some_and(|h| !h.contains(&i)) {
                continue;
            }
            if absent(i, s) {
                marks.push((person.clone(), None));
            } else {
                marks.push((person.clone(), Some(None)));
                attended[i] += u64::from(session.minutes);
            }
        }
        api.attendance(token, &session.id, attendance_body(&marks))
            .await?;
    }
    Ok(attended)
}

/// `percent` of `minutes`, rounded up, as the completion rule counts it.
pub(crate) fn required(minutes: u64, percent: u64) -> u64 {
    (minutes * percent).div_ceil(100)
}
