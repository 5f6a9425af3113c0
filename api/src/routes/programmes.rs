//! Programmes: what organisers publish and people register for, with their lifecycle and
//! hour budgets.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use kompetens_domain::certificate::CertificateIssuance;
use kompetens_domain::country::CountryCode;
use kompetens_domain::email::Email;
use kompetens_domain::hour_budget::{ActivityType, BudgetLine, HourBudget, Tally};
use kompetens_domain::ids::{GrantId, OrganisationId, ProgrammeId};
use kompetens_domain::locale::Locale;
use kompetens_domain::money::Money;
use kompetens_domain::policy::{self, Actor, Audience, Decision, ProgrammeAction};
use kompetens_domain::programme::{
    self as rules, CompletionRule, Eligibility, Mobility, Period, ProgrammeKind, ProgrammeStatus,
    RegistrationPolicy, RegistrationWindow,
};
use kompetens_domain::role::JobRole;
use kompetens_domain::text::{self, LocalizedText};
use kompetens_domain::time_zone::TimeZone;
use kompetens_persistence::repo::programmes::{
    self, Contact, Programme, ProgrammeFilter, ProgrammeScope,
};
use kompetens_persistence::repo::sessions::{self, Session};
use kompetens_persistence::repo::{grants, organisations};
use kompetens_persistence::{ConnectionTrait, begin_write};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    MoneyBody, TextMap, check_version, created_versioned, ok_versioned, organised_by, text_map,
    unreachable_missing,
};
use crate::auth::{Authenticated, Caller};
use crate::auth::caller::MaybeCaller;
use crate::error::{ApiError, FieldError, Problem};
use crate::extract::{Fields, JsonBody, PageParams, Problems, encode_cursor, if_match, read};
use crate::state::AppState;

/// Who may register.
#[derive(Serialize, ToSchema)]
pub struct EligibilityBody {
    /// The participant's workplace must be this organisation or one below it.
    pub workplace_organisation_id: Option<Uuid>,
    /// The participant's job role must be one of these; empty: any.
    pub job_roles: Vec<JobRole>,
}

/// When a participant has completed the programme.
#[derive(Serialize, ToSchema)]
pub struct CompletionRuleBody {
    /// The share of the planned minutes a participant must attend, in percent.
    pub min_attended_percent: u8,
    /// Stricter shares for particular activity types, e.g. `{"group_supervision": 100}`.
    #[schema(value_type = BTreeMap<String, u8>)]
    pub per_activity_type: BTreeMap<ActivityType, u8>,
}

/// The Europass fields of a mobility (job shadowing abroad): where participants go, who mentors
/// them and what they learn. Printed on their certificates; the sending organisation is each
/// participant's workplace.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "host_organisation": "Centre Cívic Barceloneta",
    "host_city": "Barcelona",
    "host_country": "ES",
    "mentor": "Marta Puig",
    "learning_outcomes": ["Plans cultural activities accessible to adults with special educational needs"]
}))]
pub struct MobilityBody {
    pub host_organisation: String,
    pub host_city: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub host_country: Option<String>,
    pub mentor: Option<String>,
    /// At most 20, each at most 300 characters.
    pub learning_outcomes: Vec<String>,
}

impl From<&Mobility> for MobilityBody {
    fn from(m: &Mobility) -> Self {
        MobilityBody {
            host_organisation: m.host_organisation.clone(),
            host_city: m.host_city.clone(),
            host_country: m.host_country.map(|c| c.as_str().to_string()),
            mentor: m.mentor.clone(),
            learning_outcomes: m.learning_outcomes.clone(),
        }
    }
}

/// Who answers questions.
#[derive(Serialize, ToSchema)]
pub struct ContactBody {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0",
    "organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61",
    "status": "published",
    "kind": "residential_training",
    "title": {"pl": "Trening wyjazdowy dla asystentów międzykulturowych", "en": "Residential training for intercultural assistants"},
    "summary": {"pl": "40 godzin warsztatów, superwizji i wsparcia psychospołecznego w górach."},
    "description": null,
    "starts_on": "2026-06-13",
    "ends_on": "2026-06-18",
    "time_zone": "Europe/Warsaw",
    "languages": ["pl", "uk"],
    "target_audience": {"pl": "Osoby zatrudnione w szkołach miasta, w pierwszej kolejności asystenci międzykulturowi"},
    "capacity": 30,
    "registration_policy": "first_come_first_served",
    "registration_opens_at": "2026-05-04T08:00:00Z",
    "registration_closes_at": "2026-05-29T20:00:00Z",
    "open_for_registration": false,
    "eligibility": {"workplace_organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61", "job_roles": ["intercultural_assistant", "teacher"]},
    "completion_rule": {"min_attended_percent": 80, "per_activity_type": {}},
    "contact": {"name": "Anna Kowalska", "email": "anna.kowalska@example.pl", "phone": "+48 58 000 00 00"},
    "fee": null,
    "attendance_window_days": 14,
    "certificate_issuance": "automatic",
    "mobility": null,
    "grant_ids": ["019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ea0"],
    "confirmed_count": 0,
    "waitlist_count": 0,
    "published_at": "2026-05-01T09:00:00Z",
    "created_at": "2026-04-20T10:00:00Z",
    "updated_at": "2026-05-01T09:00:00Z",
    "version": 7
}))]
pub struct ProgrammeResponse {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub status: ProgrammeStatus,
    pub kind: ProgrammeKind,
    #[schema(value_type = BTreeMap<String, String>)]
    pub title: TextMap,
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    pub summary: Option<TextMap>,
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    pub description: Option<TextMap>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// IANA time zone; session times are shown in it.
    pub time_zone: String,
    /// BCP 47 tags of the languages the programme is taught in.
    pub languages: Vec<String>,
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    pub target_audience: Option<TextMap>,
    /// Places; `null` for unlimited.
    pub capacity: Option<u32>,
    pub registration_policy: RegistrationPolicy,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    /// Until when participants may cancel themselves; `null`: until the programme starts.
    pub cancellation_closes_at: Option<DateTime<Utc>>,
    /// Published, and now within the registration window.
    pub open_for_registration: bool,
    pub eligibility: EligibilityBody,
    pub completion_rule: CompletionRuleBody,
    pub contact: ContactBody,
    /// What participants pay; `null`: free.
    pub fee: Option<MoneyBody>,
    /// Days after a session during which its attendance may still be recorded.
    pub attendance_window_days: u32,
    /// `automatic`: a certificate is issued as soon as the completion rule is met; `manual`: an
    /// organiser issues it (`POST /registrations/{id}/certificate`).
    pub certificate_issuance: CertificateIssuance,
    /// For mobilities: what the Europass record on each certificate says.
    pub mobility: Option<MobilityBody>,
    /// The grants that fund this programme.
    pub grant_ids: Vec<Uuid>,
    /// Places taken: confirmed and completed registrations.
    pub confirmed_count: u32,
    pub waitlist_count: u32,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also sent as the `ETag` header.
    pub version: i32,
}

fn response(p: &Programme, grant_ids: &[GrantId], now: DateTime<Utc>) -> ProgrammeResponse {
    ProgrammeResponse {
        id: p.id.as_uuid(),
        organisation_id: p.organisation_id.as_uuid(),
        status: p.status,
        kind: p.kind,
        title: text_map(&p.title),
        summary: p.summary.as_ref().map(text_map),
        description: p.description.as_ref().map(text_map),
        starts_on: p.period.starts_on(),
        ends_on: p.period.ends_on(),
        time_zone: p.time_zone.name().to_string(),
        languages: p.languages.iter().map(|l| l.as_str().to_string()).collect(),
        target_audience: p.target_audience.as_ref().map(text_map),
        capacity: p.capacity,
        registration_policy: p.registration_policy,
        registration_opens_at: p.registration_opens_at,
        registration_closes_at: p.registration_closes_at,
        cancellation_closes_at: p.cancellation_closes_at,
        open_for_registration: p.status == ProgrammeStatus::Published
            && p.window().is_some_and(|w| w.is_open(now)),
        eligibility: EligibilityBody {
            workplace_organisation_id: p.eligibility.workplace_within.map(|o| o.as_uuid()),
            job_roles: p.eligibility.job_roles.clone(),
        },
        completion_rule: CompletionRuleBody {
            min_attended_percent: p.completion_rule.min_attended_percent,
            per_activity_type: p.completion_rule.per_activity_type.clone(),
        },
        contact: ContactBody {
            name: p.contact.name.clone(),
            email: p.contact.email.as_ref().map(|e| e.as_str().to_string()),
            phone: p.contact.phone.clone(),
        },
        fee: p.fee.map(MoneyBody::from),
        attendance_window_days: p.attendance_window_days,
        certificate_issuance: p.certificate_issuance,
        mobility: p.mobility.as_ref().map(MobilityBody::from),
        grant_ids: grant_ids.iter().map(|g| g.as_uuid()).collect(),
        confirmed_count: p.confirmed_count,
        waitlist_count: p.waitlist_count,
        published_at: p.published_at,
        created_at: p.created_at,
        updated_at: p.updated_at,
        version: p.version,
    }
}

async fn full_response(
    conn: &impl ConnectionTrait,
    p: &Programme,
) -> Result<ProgrammeResponse, ApiError> {
    let grant_ids = grants::for_programme(conn, p.id).await?;
    Ok(response(p, &grant_ids, Utc::now()))
}

#[derive(Serialize, ToSchema)]
pub struct ProgrammeList {
    pub items: Vec<ProgrammeResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A new programme (created as a `draft`) of an organisation you organise.
///
/// `title`, `summary`, `description` and `target_audience` are multilingual:
/// `{"pl": "…", "en": "…"}`. `time_zone` defaults to the organisation's; `capacity` null or
/// absent means unlimited; `registration_policy` defaults to `first_come_first_served`;
/// `completion_rule` to 80% of the planned minutes.
#[derive(ToSchema)]
#[schema(example = json!({
    "organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61",
    "kind": "residential_training",
    "title": {"pl": "Trening wyjazdowy dla asystentów międzykulturowych", "en": "Residential training for intercultural assistants"},
    "starts_on": "2026-06-13",
    "ends_on": "2026-06-18",
    "languages": ["pl"],
    "capacity": 30,
    "registration_opens_at": "2026-05-04T10:00:00+02:00",
    "registration_closes_at": "2026-05-29T22:00:00+02:00",
    "eligibility": {"workplace_organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61", "job_roles": ["intercultural_assistant", "teacher"]},
    "completion_rule": {"min_attended_percent": 80},
    "contact": {"name": "Anna Kowalska", "email": "anna.kowalska@example.pl"},
    "grant_ids": ["019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ea0"]
}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct CreateProgrammeRequest {
    organisation_id: Uuid,
    kind: ProgrammeKind,
    #[schema(value_type = BTreeMap<String, String>)]
    title: TextMap,
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    summary: Option<TextMap>,
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    description: Option<TextMap>,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    time_zone: Option<String>,
    languages: Option<Vec<String>>,
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    target_audience: Option<TextMap>,
    capacity: Option<u32>,
    registration_policy: Option<RegistrationPolicy>,
    registration_opens_at: Option<DateTime<Utc>>,
    registration_closes_at: Option<DateTime<Utc>>,
    cancellation_closes_at: Option<DateTime<Utc>>,
    eligibility: Option<EligibilityBody>,
    completion_rule: Option<CompletionRuleBody>,
    contact: Option<ContactBody>,
    fee: Option<MoneyBody>,
    attendance_window_days: Option<u32>,
    certificate_issuance: Option<CertificateIssuance>,
    mobility: Option<MobilityBody>,
    grant_ids: Option<Vec<Uuid>>,
}

/// Fields to change (any of those of the create request but `organisation_id`); `null` clears
/// an optional one. A published programme must stay publishable.
#[derive(ToSchema)]
#[schema(example = json!({"capacity": 40, "registration_closes_at": "2026-06-05T22:00:00+02:00"}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct UpdateProgrammeRequest {
    kind: Option<ProgrammeKind>,
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    title: Option<TextMap>,
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    summary: Option<TextMap>,
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    description: Option<TextMap>,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    time_zone: Option<String>,
    languages: Option<Vec<String>>,
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    target_audience: Option<TextMap>,
    capacity: Option<u32>,
    registration_policy: Option<RegistrationPolicy>,
    registration_opens_at: Option<DateTime<Utc>>,
    registration_closes_at: Option<DateTime<Utc>>,
    cancellation_closes_at: Option<DateTime<Utc>>,
    eligibility: Option<EligibilityBody>,
    completion_rule: Option<CompletionRuleBody>,
    contact: Option<ContactBody>,
    fee: Option<MoneyBody>,
    attendance_window_days: Option<u32>,
    certificate_issuance: Option<CertificateIssuance>,
    mobility: Option<MobilityBody>,
    grant_ids: Option<Vec<Uuid>>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeQuery {
    /// Programmes of this organisation or any below it.
    pub organisation_id: Option<Uuid>,
    /// `draft`, `published`, `closed` or `archived`.
    pub status: Option<String>,
    pub kind: Option<String>,
    /// Programmes running on or after this date (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Programmes running on or before this date (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// A BCP 47 tag the programme is taught in.
    pub language: Option<String>,
    /// Text a title (in any language) contains, case-insensitively.
    pub q: Option<String>,
    /// `true`: only published programmes whose registration window is open now.
    pub open_for_registration: Option<bool>,
}

// ---------------------------------------------------------------------------------------------
// Reading bodies

const TITLE_CHARS: usize = 300;
const SUMMARY_CHARS: usize = 2_000;
const DESCRIPTION_CHARS: usize = 50_000;

fn eligibility(value: &Value) -> Result<(Option<Uuid>, Vec<JobRole>), Problems> {
    let mut f = Fields::of(value)?;
    let workplace = f.optional("workplace_organisation_id", read::uuid);
    let roles = f
        .optional_with(
            "job_roles",
            read::list(
                JobRole::ALL.len(),
                read::simple(read::parsed(JobRole::parse)),
            ),
        )
        .unwrap_or_default();
    f.done()?;
    let mut unique = roles;
    unique.sort_unstable();
    unique.dedup();
    Ok((workplace, unique))
}

fn completion_rule(value: &Value) -> Result<CompletionRule, Problems> {
    let mut f = Fields::of(value)?;
    let min = f.required("min_attended_percent", read::int(rules::percent));
    let per = f.optional_with("per_activity_type", |v| {
        let Value::Object(map) = v else {
            return Err(vec![FieldError::at(
                "",
                "must be an object of activity types to percentages",
            )]);
        };
        let mut out = BTreeMap::new();
        let mut problems = Vec::new();
        for (key, share) in map {
            let activity = ActivityType::parse(key);
            let share = share
                .as_i64()
                .ok_or_else(|| kompetens_domain::Invalid::new("must be a whole number"))
                .and_then(rules::percent);
            match (activity, share) {
                (Ok(a), Ok(s)) => {
                    out.insert(a, s);
                }
                (Err(e), _) | (_, Err(e)) => problems.push(FieldError::at(format!("/{key}"), e.0)),
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    });
    f.done()?;
    Ok(CompletionRule {
        min_attended_percent: min.ok_or_else(|| vec![FieldError::at("", "is not valid")])?,
        per_activity_type: per.unwrap_or_default(),
    })
}

fn contact(value: &Value) -> Result<Contact, Problems> {
    let mut f = Fields::of(value)?;
    let name = f.optional("name", read::parsed(|s| text::line(s, 200)));
    let email = f.optional("email", read::parsed(Email::parse));
    let phone = f.optional("phone", read::parsed(|s| text::line(s, 40)));
    f.done()?;
    Ok(Contact { name, email, phone })
}

fn mobility(value: &Value) -> Result<Mobility, Problems> {
    let mut f = Fields::of(value)?;
    let host = f.required("host_organisation", read::parsed(|s| text::line(s, 300)));
    let city = f.optional("host_city", read::parsed(|s| text::line(s, 200)));
    let country = f.optional("host_country", read::parsed(CountryCode::parse));
    let mentor = f.optional("mentor", read::parsed(|s| text::line(s, 200)));
    let outcomes = f
        .optional_with(
            "learning_outcomes",
            read::list(
                rules::MAX_LEARNING_OUTCOMES,
                read::simple(read::parsed(|s| text::line(s, 300))),
            ),
        )
        .unwrap_or_default();
    f.done()?;
    Ok(Mobility {
        host_organisation: host.ok_or_else(|| vec![FieldError::at("", "is not valid")])?,
        host_city: city,
        host_country: country,
        mentor,
        learning_outcomes: outcomes,
    })
}

/// What a body refers to that must be checked against the database.
#[derive(Default)]
struct References {
    workplace: Option<Option<Uuid>>,
    grant_ids: Option<Vec<Uuid>>,
}

/// Reads every member a create and a patch share, applying it to `p` (patch semantics: absent
/// leaves the field as it is).
///
/// When `creating`, `kind`, `title`, `starts_on` and `ends_on` are required.
fn apply(p: &mut Programme, f: &mut Fields, creating: bool) -> References {
    let mut refs = References::default();
    let kind = if creating {
        f.required("kind", read::parsed(ProgrammeKind::parse))
    } else {
        f.patch_required("kind", read::parsed(ProgrammeKind::parse))
    };
    if let Some(v) = kind {
        p.kind = v;
    }
    let title = if creating {
        f.required_with("title", read::localized(TITLE_CHARS))
    } else {
        f.patch_required_with("title", read::localized(TITLE_CHARS))
    };
    if let Some(v) = title {
        p.title = v;
    }
    if let Some(v) = f
        .patch_with("summary", read::localized(SUMMARY_CHARS))
        .into_change()
    {
        p.summary = v;
    }
    if let Some(v) = f
        .patch_with("description", read::localized(DESCRIPTION_CHARS))
        .into_change()
    {
        p.description = v;
    }
    let (starts_on, ends_on) = if creating {
        (
            f.required("starts_on", read::date),
            f.required("ends_on", read::date),
        )
    } else {
        (
            f.patch_required("starts_on", read::date),
            f.patch_required("ends_on", read::date),
        )
    };
    if (starts_on.is_some() && ends_on.is_some())
        || (!creating && (starts_on.is_some() || ends_on.is_some()))
    {
        let s = starts_on.unwrap_or(p.period.starts_on());
        let e = ends_on.unwrap_or(p.period.ends_on());
        match Period::new(s, e) {
            Ok(period) => p.period = period,
            Err(err) => f.reject("/ends_on", err.0),
        }
    }
    if let Some(v) = f.patch_required("time_zone", read::parsed(TimeZone::parse)) {
        p.time_zone = v;
    }
    if let Some(v) = f
        .patch("languages", |v| {
            read::list(20, read::simple(read::parsed(Locale::parse)))(v).map_err(|ps| {
                ps.into_iter()
                    .map(|p| p.detail)
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        })
        .into_change()
    {
        let mut langs = v.unwrap_or_default();
        langs.dedup();
        p.languages = langs;
    }
    if let Some(v) = f
        .patch_with("target_audience", read::localized(SUMMARY_CHARS))
        .into_change()
    {
        p.target_audience = v;
    }
    if let Some(v) = f
        .patch("capacity", read::int(rules::capacity))
        .into_change()
    {
        p.capacity = v;
    }
    if let Some(v) = f.patch_required(
        "registration_policy",
        read::parsed(RegistrationPolicy::parse),
    ) {
        p.registration_policy = v;
    }
    if let Some(v) = f
        .patch("registration_opens_at", read::instant)
        .into_change()
    {
        p.registration_opens_at = v;
    }
    if let Some(v) = f
        .patch("registration_closes_at", read::instant)
        .into_change()
    {
        p.registration_closes_at = v;
    }
    if let (Some(opens), Some(closes)) = (p.registration_opens_at, p.registration_closes_at)
        && let Err(err) = RegistrationWindow::new(opens, closes)
    {
        f.reject("/registration_closes_at", err.0);
    }
    if let Some(v) = f.patch_with("eligibility", eligibility).into_change() {
        let (workplace, roles) = v.unwrap_or_default();
        p.eligibility.job_roles = roles;
        refs.workplace = Some(workplace);
    }
    if let Some(v) = f
        .patch_with("completion_rule", completion_rule)
        .into_change()
    {
        p.completion_rule = v.unwrap_or_default();
    }
    if let Some(v) = f.patch_with("contact", contact).into_change() {
        p.contact = v.unwrap_or_default();
    }
    if let Some(v) = f.patch_with("fee", read::money).into_change() {
        // A fee of zero is no fee: the programme is free.
        p.fee = v.filter(|m: &Money| !m.is_zero());
    }
    if let Some(v) = f.patch_required(
        "attendance_window_days",
        read::int(kompetens_domain::attendance::window_days),
    ) {
        p.attendance_window_days = v;
    }
    if let Some(v) = f.patch_required(
        "certificate_issuance",
        read::parsed(CertificateIssuance::parse),
    ) {
        p.certificate_issuance = v;
    }
    if let Some(v) = f.patch_with("mobility", mobility).into_change() {
        p.mobility = v;
    }
    if let Some(v) = f
        .patch_with("grant_ids", read::list(50, read::simple(read::uuid)))
        .into_change()
    {
        let mut ids = v.unwrap_or_default();
        ids.sort_unstable();
        ids.dedup();
        refs.grant_ids = Some(ids);
    }
    if p.mobility.is_some() && p.kind != ProgrammeKind::Mobility {
        f.reject(
            "/mobility",
            "only programmes of kind mobility carry Europass details; clear it or change the kind",
        );
    }
    refs
}

/// Checks what the body refers to and applies it: the eligible workplace must exist, and each
/// grant must be one the caller manages.
async fn resolve(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    p: &mut Programme,
    refs: &References,
) -> Result<Option<Vec<GrantId>>, ApiError> {
    let mut errors = Vec::new();
    if let Some(workplace) = refs.workplace {
        p.eligibility.workplace_within = match workplace {
            None => None,
            Some(id) => {
                if organisations::find(conn, OrganisationId::from_uuid(id))
                    .await?
                    .is_none()
                {
                    errors.push(FieldError::at(
                        "/eligibility/workplace_organisation_id",
                        "no such organisation",
                    ));
                }
                Some(id.into())
            }
        };
    }
    let mut grant_ids = None;
    if let Some(ids) = &refs.grant_ids {
        let wanted: Vec<GrantId> = ids.iter().map(|id| GrantId::from_uuid(*id)).collect();
        let found = grants::find_many(conn, &wanted).await?;
        for (i, id) in wanted.iter().enumerate() {
            let visible = found.iter().find(|g| g.id == *id).is_some_and(|g| {
                policy::owned_record(
                    Some(actor),
                    &g.organisation_path,
                    Audience::Organisers,
                    false,
                ) == Decision::Allow
            });
            if !visible {
                errors.push(FieldError::at(format!("/grant_ids/{i}"), "no such grant"));
            }
        }
        grant_ids = Some(wanted);
    }
    if errors.is_empty() {
        Ok(grant_ids)
    } else {
        Err(ApiError::Validation(errors))
    }
}

// ---------------------------------------------------------------------------------------------
// Loading with permission

/// Loads a programme and checks the caller may do `action` to it; `lock` holds its row for
/// the rest of the transaction.
pub(crate) async fn authorised(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    id: ProgrammeId,
    action: ProgrammeAction,
    lock: bool,
) -> Result<Programme, ApiError> {
    let programme = programmes::find(conn, id, lock)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut decision = policy::programme(
        actor,
        &programme.organisation_path,
        programme.status,
        false,
        action,
    );
    if decision == Decision::NotFound {
        // Only then is it worth asking whether the caller teaches in it.
        if let Some(actor) = actor
            && programmes::is_taught_by(conn, programme.id, actor.account_id).await?
        {
            decision = policy::programme(
                Some(actor),
                &programme.organisation_path,
                programme.status,
                true,
                action,
            );
        }
    }
    ApiError::check(decision)?;
    Ok(programme)
}

/// A programme the caller organises; to anyone else it does not exist (404), even where they
/// can read it: registrations, certificates and reports are the organisers' business.
pub(crate) async fn organised_programme(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: ProgrammeId,
    lock: bool,
) -> Result<Programme, ApiError> {
    authorised(conn, Some(actor), id, ProgrammeAction::Manage, lock)
        .await
        .map_err(|e| match e {
            ApiError::Forbidden(_) => ApiError::NotFound,
            other => other,
        })
}

/// 409 unless the programme can still change.
pub(crate) fn ensure_editable(p: &Programme) -> Result<(), ApiError> {
    if p.status.is_editable() {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "programme-archived",
            "the programme is archived and can no longer change",
        ))
    }
}

/// The budget tally of a programme's sessions.
pub(crate) fn tally(sessions: &[Session]) -> Tally {
    let minutes: Vec<_> = sessions.iter().filter_map(Session::minutes).collect();
    Tally::of(&minutes)
}

/// Everything that keeps a programme from being published (empty when ready).
async fn missing_for_publication(
    conn: &impl ConnectionTrait,
    p: &Programme,
) -> Result<Vec<FieldError>, ApiError> {
    let budget = programmes::budget(conn, p.id).await?;
    let all = sessions::all_for_programme(conn, p.id).await?;
    let tally = tally(&all);
    let overruns = budget.overruns(&tally);
    let session_count = sessions::count_scheduled(conn, p.id).await?;
    Ok(rules::missing_for_publication(&rules::Readiness {
        session_count,
        budget: &budget,
        overruns: &overruns,
        window: p.window(),
        period: p.period,
    })
    .into_iter()
    .map(|m| FieldError::at(m.pointer, m.detail))
    .collect())
}

fn incomplete(errors: Vec<FieldError>) -> ApiError {
    ApiError::ConflictWith {
        code: "programme-incomplete",
        detail: "the programme is not ready to be published; `errors` lists what is missing".into(),
        errors,
    }
}

// ---------------------------------------------------------------------------------------------
// Handlers

/// Create a programme (as a draft).
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    request_body = CreateProgrammeRequest,
    responses(
        (status = 201, description = "Created as a draft", body = ProgrammeResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You do not organise that organisation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or references to what does not exist or is not yours", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/programmes")]
pub async fn create_programme(
    state: web::Data<AppState>,
    caller: Authenticated,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let mut f = body.fields()?;
    let organisation_id = f.required("organisation_id", read::uuid);
    let now = Utc::now();
    // Read as a patch on top of defaults; `apply` insists on the required members.
    let nil = OrganisationId::from_uuid(Uuid::nil());
    let mut programme = Programme {
        id: ProgrammeId::new(),
        organisation_id: nil,
        organisation_path: kompetens_domain::organisation::OrganisationPath::root(nil),
        status: ProgrammeStatus::Draft,
        kind: ProgrammeKind::Other,
        title: LocalizedText::parse([("en", "-")], 1).map_err(|_| unreachable_missing())?,
        summary: None,
        description: None,
        period: Period::new(now.date_naive(), now.date_naive())
            .map_err(|_| unreachable_missing())?,
        time_zone: TimeZone::parse("UTC").map_err(|_| unreachable_missing())?,
        languages: Vec::new(),
        target_audience: None,
        capacity: None,
        registration_policy: RegistrationPolicy::FirstComeFirstServed,
        registration_opens_at: None,
        registration_closes_at: None,
        cancellation_closes_at: None,
        eligibility: Eligibility::default(),
        completion_rule: CompletionRule::default(),
        contact: Contact::default(),
        fee: None,
        attendance_window_days: kompetens_domain::attendance::DEFAULT_WINDOW_DAYS,
        certificate_issuance: CertificateIssuance::Automatic,
        mobility: None,
        confirmed_count: 0,
        waitlist_count: 0,
        published_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let zone_given = f.contains("time_zone");
    let refs = apply(&mut programme, &mut f, true);
    f.finish()?;
    let organisation_id = organisation_id.ok_or_else(unreachable_missing)?;
    let owner = organised_by(
        &state.db,
        &caller.actor,
        organisation_id,
        "/organisation_id",
    )
    .await?;
    if !zone_given {
        programme.time_zone = owner.time_zone;
    }
    programme.organisation_id = owner.id;
    programme.organisation_path = owner.path;
    let tx = begin_write(&state.db).await?;
    let grant_ids = resolve(&tx, &caller.actor, &mut programme, &refs).await?;
    programmes::insert(&tx, &programme).await?;
    if let Some(ids) = &grant_ids {
        grants::allocate(&tx, programme.id, ids, now).await?;
    }
    tx.commit().await?;
    tracing::info!(programme_id = %programme.id, "programme created");
    Ok(created_versioned(
        format!("/programmes/{}", programme.id),
        programme.version,
        &response(&programme, grant_ids.as_deref().unwrap_or_default(), now),
    ))
}

/// List programmes.
///
/// Anyone sees published (and closed) programmes; organisers also see the drafts and archived
/// programmes of their subtree, and trainers those they teach in.
#[utoipa::path(
    tag = "programmes",
    security((), ("bearer" = [])),
    params(PageParams, ProgrammeQuery),
    responses(
        (status = 200, description = "A page of programmes", body = ProgrammeList),
        (status = 400, description = "Unreadable query string", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `limit`, `cursor` or filter", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/programmes")]
pub async fn list_programmes(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    page: web::Query<PageParams>,
    query: web::Query<ProgrammeQuery>,
) -> Result<HttpResponse, ApiError> {
    let now = Utc::now();
    let mut errors = Vec::new();
    let (limit, after) = page.parse_collecting(&mut errors);
    let date = |raw: &str| {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map_err(|_| kompetens_domain::Invalid::new("must be a date, YYYY-MM-DD"))
    };
    let filter = ProgrammeFilter {
        organisation_within: query.organisation_id.map(Into::into),
        status: super::query_param(
            &mut errors,
            "status",
            query.status.as_deref(),
            ProgrammeStatus::parse,
        ),
        kind: super::query_param(
            &mut errors,
            "kind",
            query.kind.as_deref(),
            ProgrammeKind::parse,
        ),
        from: super::query_param(&mut errors, "from", query.from.as_deref(), date),
        to: super::query_param(&mut errors, "to", query.to.as_deref(), date),
        language: super::query_param(
            &mut errors,
            "language",
            query.language.as_deref(),
            Locale::parse,
        ),
        title_contains: query
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_lowercase),
        open_at: (query.open_for_registration == Some(true)).then_some(now),
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let scope = match caller.actor() {
        Some(actor) if actor.is_admin => ProgrammeScope::Everything,
        Some(actor) => {
            let kompetens_domain::policy::Visibility::Some { subtrees, .. } = actor.visibility()
            else {
                return Err(unreachable_missing());
            };
            ProgrammeScope::Some {
                subtrees,
                teacher: Some(actor.account_id),
            }
        }
        None => ProgrammeScope::Some {
            subtrees: Vec::new(),
            teacher: None,
        },
    };
    let page = programmes::list(&state.db, &scope, &filter, after, limit).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for p in &page.items {
        let grant_ids = grants::for_programme(&state.db, p.id).await?;
        items.push(response(p, &grant_ids, now));
    }
    Ok(HttpResponse::Ok().json(ProgrammeList {
        items,
        next_cursor: page.next_after.map(encode_cursor),
    }))
}

/// Get a programme.
#[utoipa::path(
    tag = "programmes",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id")),
    responses(
        (status = 200, description = "The programme", body = ProgrammeResponse, headers(("ETag" = String))),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or a draft you may not see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/programmes/{id}")]
pub async fn get_programme(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let p = authorised(
        &state.db,
        caller.actor(),
        (*id).into(),
        ProgrammeAction::Read,
        false,
    )
    .await?;
    Ok(ok_versioned(
        p.version,
        &full_response(&state.db, &p).await?,
    ))
}

/// Change a programme.
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    request_body = UpdateProgrammeRequest,
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "The updated programme", body = ProgrammeResponse, headers(("ETag" = String))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You may see it but not change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Archived (`/problems/programme-archived`), sessions would fall outside new dates (`/problems/sessions-outside-period`), or a published programme would stop being publishable (`/problems/programme-incomplete`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/programmes/{id}")]
pub async fn update_programme(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let tx = begin_write(&state.db).await?;
    let mut p = authorised(
        &tx,
        Some(&caller.actor),
        (*id).into(),
        ProgrammeAction::Manage,
        true,
    )
    .await?;
    check_version(expected, p.version)?;
    ensure_editable(&p)?;
    let before = (p.period, p.time_zone);
    let capacity_before = p.capacity;
    let mut f = body.fields()?;
    let refs = apply(&mut p, &mut f, false);
    f.finish()?;
    let grant_ids = resolve(&tx, &caller.actor, &mut p, &refs).await?;
    if p.capacity.is_some_and(|c| c < p.confirmed_count) {
        return Err(ApiError::invalid(
            "/capacity",
            format!(
                "{} people already hold places; cancel registrations before lowering capacity below that",
                p.confirmed_count
            ),
        ));
    }
    if before != (p.period, p.time_zone) {
        let outside: Vec<FieldError> = sessions::all_for_programme(&tx, p.id)
            .await?
            .iter()
            .filter(|s| {
                !p.period
                    .holds(p.time_zone, s.time.starts_at, s.time.ends_at)
            })
            .map(|s| {
                FieldError::at(
                    format!("/sessions/{}", s.id),
                    format!(
                        "starts {} and would fall outside the programme's dates",
                        s.time.starts_at
                    ),
                )
            })
            .collect();
        if !outside.is_empty() {
            return Err(ApiError::ConflictWith {
                code: "sessions-outside-period",
                detail: "sessions would fall outside the programme's new dates; move them first"
                    .into(),
                errors: outside,
            });
        }
    }
    if p.status == ProgrammeStatus::Published {
        let missing = missing_for_publication(&tx, &p).await?;
        if !missing.is_empty() {
            return Err(incomplete(missing));
        }
    }
    p.version += 1;
    p.updated_at = Utc::now();
    programmes::save(&tx, &p).await?;
    if let Some(ids) = &grant_ids {
        grants::allocate(&tx, p.id, ids, p.updated_at).await?;
    }
    if capacity_before.is_some_and(|before| p.capacity.is_none_or(|now| now > before)) {
        // Raised capacity frees places: those waiting get them, in order, in this transaction.
        super::legacy::promote(&tx, &p, p.updated_at).await?;
        p = programmes::find(&tx, p.id, false)
            .await?
            .ok_or(ApiError::NotFound)?;
    }
    let body = full_response(&tx, &p).await?;
    tx.commit().await?;
    Ok(ok_versioned(p.version, &body))
}

async fn transition(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    from: ProgrammeStatus,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(req)?;
    let tx = begin_write(&state.db).await?;
    let mut p = authorised(
        &tx,
        Some(&caller.actor),
        id.into(),
        ProgrammeAction::Manage,
        true,
    )
    .await?;
    check_version(expected, p.version)?;
    let Some(to) = from.next() else {
        return Err(unreachable_missing());
    };
    if p.status != from {
        return Err(ApiError::conflict(
            "invalid-status-transition",
            format!(
                "only a {from} programme can become {to}; this one is {}",
                p.status
            ),
        ));
    }
    let now = Utc::now();
    if to == ProgrammeStatus::Published {
        let missing = missing_for_publication(&tx, &p).await?;
        if !missing.is_empty() {
            return Err(incomplete(missing));
        }
        p.published_at = Some(now);
    }
    p.status = to;
    p.version += 1;
    p.updated_at = now;
    programmes::save(&tx, &p).await?;
    let body = full_response(&tx, &p).await?;
    tx.commit().await?;
    tracing::info!(programme_id = %p.id, status = %to, "programme status changed");
    Ok(ok_versioned(p.version, &body))
}

/// Publish a draft.
///
/// The programme must have sessions, an hour budget its sessions do not exceed, and a
/// registration window; otherwise 409 `programme-incomplete` lists what is missing.
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "Published", body = ProgrammeResponse, headers(("ETag" = String))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You may see it but not publish it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft (`/problems/invalid-status-transition`) or not ready (`/problems/programme-incomplete`, with `errors`)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/programme-incomplete", "title": "The programme is not ready to be published", "status": 409, "detail": "the programme is not ready to be published; `errors` lists what is missing", "errors": [{"pointer": "/sessions", "detail": "the programme has no sessions"}, {"pointer": "/registration_opens_at", "detail": "a registration window (registration_opens_at and registration_closes_at) is required"}]})),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/programmes/{id}/publish")]
pub async fn publish_programme(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    transition(&req, &state, &caller, *id, ProgrammeStatus::Draft).await
}

/// Close a published programme to registrations.
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "Closed", body = ProgrammeResponse, headers(("ETag" = String))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You may see it but not close it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not published (`/problems/invalid-status-transition`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/programmes/{id}/close")]
pub async fn close_programme(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    transition(&req, &state, &caller, *id, ProgrammeStatus::Published).await
}

/// Archive a closed programme; it becomes read-only and is seen by its organisers only.
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "Archived", body = ProgrammeResponse, headers(("ETag" = String))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You may see it but not archive it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not closed (`/problems/invalid-status-transition`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/programmes/{id}/archive")]
pub async fn archive_programme(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    transition(&req, &state, &caller, *id, ProgrammeStatus::Closed).await
}

// ---------------------------------------------------------------------------------------------
// Hour budget

#[derive(Serialize, ToSchema)]
pub struct HourBudgetLineResponse {
    pub activity_type: ActivityType,
    pub planned_minutes: u32,
    /// Minutes of scheduled sessions; a parallel group counts once, by its longest session.
    pub scheduled_minutes: u32,
    /// Minutes of sessions whose attendance has been recorded (a parallel group once).
    pub delivered_minutes: u32,
}

#[derive(Serialize, ToSchema)]
pub struct HourBudgetTotals {
    pub planned_minutes: u64,
    pub scheduled_minutes: u64,
    pub delivered_minutes: u64,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0",
    "lines": [
        {"activity_type": "workshop", "planned_minutes": 900, "scheduled_minutes": 900, "delivered_minutes": 0},
        {"activity_type": "group_supervision", "planned_minutes": 480, "scheduled_minutes": 480, "delivered_minutes": 0}
    ],
    "totals": {"planned_minutes": 1380, "scheduled_minutes": 1380, "delivered_minutes": 0},
    "version": 4
}))]
pub struct HourBudgetResponse {
    pub programme_id: Uuid,
    pub lines: Vec<HourBudgetLineResponse>,
    pub totals: HourBudgetTotals,
    /// The programme's version (its `ETag`): send it as `If-Match` when replacing the budget.
    pub version: i32,
}

fn budget_response(p: &Programme, budget: &HourBudget, tally: &Tally) -> HourBudgetResponse {
    let activities: BTreeSet<ActivityType> = budget
        .lines()
        .map(|l| l.activity_type)
        .chain(tally.scheduled.keys().copied())
        .collect();
    let lines: Vec<_> = activities
        .into_iter()
        .map(|a| HourBudgetLineResponse {
            activity_type: a,
            planned_minutes: budget.planned(a).unwrap_or(0),
            scheduled_minutes: tally.scheduled(a),
            delivered_minutes: tally.delivered(a),
        })
        .collect();
    let totals = HourBudgetTotals {
        planned_minutes: lines.iter().map(|l| u64::from(l.planned_minutes)).sum(),
        scheduled_minutes: lines.iter().map(|l| u64::from(l.scheduled_minutes)).sum(),
        delivered_minutes: lines.iter().map(|l| u64::from(l.delivered_minutes)).sum(),
    };
    HourBudgetResponse {
        programme_id: p.id.as_uuid(),
        lines,
        totals,
        version: p.version,
    }
}

/// The whole hour budget, replacing the previous one.
#[derive(ToSchema)]
#[schema(example = json!({"lines": [
    {"activity_type": "workshop", "planned_minutes": 900},
    {"activity_type": "group_supervision", "planned_minutes": 480},
    {"activity_type": "individual_supervision", "planned_minutes": 300},
    {"activity_type": "psychosocial_support", "planned_minutes": 360},
    {"activity_type": "social_skills_training", "planned_minutes": 360}
]}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct ReplaceHourBudgetRequest {
    lines: Vec<BudgetLineRequest>,
}

#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct BudgetLineRequest {
    activity_type: ActivityType,
    planned_minutes: u32,
}

fn budget_line(value: &Value) -> Result<BudgetLine, Problems> {
    let mut f = Fields::of(value)?;
    let activity = f.required("activity_type", read::parsed(ActivityType::parse));
    let minutes = f.required(
        "planned_minutes",
        read::int(|m| {
            u32::try_from(m)
                .ok()
                .filter(|m| (1..=kompetens_domain::hour_budget::MAX_MINUTES).contains(m))
                .ok_or_else(|| {
                    kompetens_domain::Invalid::new(format!(
                        "must be between 1 and {}",
                        kompetens_domain::hour_budget::MAX_MINUTES
                    ))
                })
        }),
    );
    f.done()?;
    match (activity, minutes) {
        (Some(activity_type), Some(planned_minutes)) => Ok(BudgetLine {
            activity_type,
            planned_minutes,
        }),
        _ => Err(vec![FieldError::at("", "is not a valid line")]),
    }
}

/// Get a programme's hour budget: planned, scheduled and delivered minutes per activity type.
#[utoipa::path(
    tag = "programmes",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id")),
    responses(
        (status = 200, description = "The hour budget", body = HourBudgetResponse, headers(("ETag" = String))),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/programmes/{id}/hour-budget")]
pub async fn get_hour_budget(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let p = authorised(
        &state.db,
        caller.actor(),
        (*id).into(),
        ProgrammeAction::Read,
        false,
    )
    .await?;
    let budget = programmes::budget(&state.db, p.id).await?;
    let all = sessions::all_for_programme(&state.db, p.id).await?;
    let tally = tally(&all);
    Ok(ok_versioned(
        p.version,
        &budget_response(&p, &budget, &tally),
    ))
}

/// Replace a programme's hour budget.
///
/// No line may fall below the minutes its sessions already schedule (409
/// `hour-budget-exceeded`, naming each such line).
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    request_body = ReplaceHourBudgetRequest,
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("If-Match" = Option<String>, Header, description = "The programme's ETag; 412 if it is no longer current")
    ),
    responses(
        (status = 200, description = "The new hour budget", body = HourBudgetResponse, headers(("ETag" = String))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You may see it but not change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or not visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Lines below what sessions schedule (`/problems/hour-budget-exceeded`), or archived", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid lines", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/programmes/{id}/hour-budget")]
pub async fn replace_hour_budget(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let tx = begin_write(&state.db).await?;
    let mut p = authorised(
        &tx,
        Some(&caller.actor),
        (*id).into(),
        ProgrammeAction::Manage,
        true,
    )
    .await?;
    check_version(expected, p.version)?;
    ensure_editable(&p)?;
    let mut f = body.fields()?;
    let lines = f.required_with("lines", read::list(ActivityType::ALL.len(), budget_line));
    f.finish()?;
    let lines = lines.ok_or_else(unreachable_missing)?;
    let budget = HourBudget::parse(&lines)
        .map_err(|(i, e)| ApiError::invalid(&format!("/lines/{i}/activity_type"), e.0))?;
    let all = sessions::all_for_programme(&tx, p.id).await?;
    let tally = tally(&all);
    let overruns = budget.overruns(&tally);
    if !overruns.is_empty() {
        return Err(budget_exceeded(&overruns));
    }
    if p.status == ProgrammeStatus::Published && budget.is_empty() {
        return Err(incomplete(vec![FieldError::at(
            "/hour_budget",
            "a published programme must keep an hour budget",
        )]));
    }
    programmes::replace_budget(&tx, p.id, &budget).await?;
    p.version += 1;
    p.updated_at = Utc::now();
    programmes::save(&tx, &p).await?;
    tx.commit().await?;
    Ok(ok_versioned(
        p.version,
        &budget_response(&p, &budget, &tally),
    ))
}

/// 409 naming each overrun line.
pub(crate) fn budget_exceeded(overruns: &[kompetens_domain::hour_budget::Overrun]) -> ApiError {
    let detail = overruns
        .iter()
        .map(kompetens_domain::hour_budget::Overrun::describe)
        .collect::<Vec<_>>()
        .join("; ");
    ApiError::ConflictWith {
        code: "hour-budget-exceeded",
        detail: format!(
            "{detail}. Raise the line (PUT …/hour-budget, or send \"raise_budget\": true with the session) or shorten the sessions"
        ),
        errors: overruns
            .iter()
            .map(|o| FieldError::at(format!("/hour_budget/{}", o.activity_type), o.describe()))
            .collect(),
    }
}
