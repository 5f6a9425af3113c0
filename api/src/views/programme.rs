//! A programme as the API shows it.

use chrono::{DateTime, NaiveDate, Utc};
use kompetens_app::programmes::ProgrammeView;
use kompetens_domain::certificate::CertificateIssuance;
use kompetens_domain::country::CountryCode;
use kompetens_domain::locale::Locale;
use kompetens_domain::money::Money;
use kompetens_domain::programme::{
    ActivityShares, Mobility, Percent, ProgrammeKind, ProgrammeStatus, RegistrationPolicy,
};
use kompetens_domain::question::QuestionKind;
use kompetens_domain::registration;
use kompetens_domain::role::JobRole;
use kompetens_domain::time_zone::TimeZone;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::routes::{TextMap, text_map};

/// Who may register.
#[derive(Serialize, ToSchema)]
pub struct EligibilityBody {
    /// The participant's workplace must be this organisation or one below it.
    pub workplace_organisation_id: Option<Uuid>,
    /// The participant's job role must be one of these; empty: any.
    pub job_roles: Vec<JobRole>,
    /// Both conditions, the priority group and seat caps go by verified employment (staff
    /// rosters matched by a verified e-mail address), never the person's profile.
    pub verified_employment: bool,
}

/// When a participant has completed the programme.
#[derive(Serialize, ToSchema)]
pub struct CompletionRuleBody {
    /// The share of the planned minutes a participant must attend, in percent.
    pub min_attended_percent: u8,
    /// Stricter shares for particular activity types, e.g. `{"group_supervision": 100}`.
    pub per_activity_type: ActivityShares,
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
    pub host_country: Option<CountryCode>,
    pub mentor: Option<String>,
    /// At most 20, each at most 300 characters.
    pub learning_outcomes: Vec<String>,
}

impl From<&Mobility> for MobilityBody {
    fn from(m: &Mobility) -> Self {
        MobilityBody {
            host_organisation: m.host_organisation.clone(),
            host_city: m.host_city.clone(),
            host_country: m.host_country,
            mentor: m.mentor.clone(),
            learning_outcomes: m.learning_outcomes.clone(),
        }
    }
}

/// The priority group: its people wait ahead of everyone else; until `reserved_until`,
/// `reserved_places` are held for them.
#[derive(Serialize, ToSchema)]
pub struct PriorityBody {
    pub job_roles: Vec<JobRole>,
    pub reserved_places: u32,
    pub reserved_until: Option<DateTime<Utc>>,
    /// Whether places are held for the group now.
    pub reservation_holds: bool,
    /// When the held places went back to everyone (the first registration, cancellation or
    /// worker tick after `reserved_until`); `null` until then.
    pub released_at: Option<DateTime<Utc>>,
}

/// At most `places` confirmed from the subtree of `organisation_id`.
#[derive(Serialize, ToSchema)]
pub struct SeatCapBody {
    pub organisation_id: Uuid,
    pub places: u32,
}

/// An option of a choice question.
#[derive(Serialize, ToSchema)]
pub struct QuestionOptionBody {
    pub id: String,
    #[schema(value_type = BTreeMap<String, String>)]
    pub label: TextMap,
}

/// A question of the registration form; registrations answer it in `answers.<id>`.
#[derive(Serialize, ToSchema)]
pub struct QuestionBody {
    pub id: String,
    #[schema(value_type = BTreeMap<String, String>)]
    pub label: TextMap,
    pub kind: QuestionKind,
    pub required: bool,
    /// The options of a `choice` question; empty for the other kinds.
    pub options: Vec<QuestionOptionBody>,
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
    "cancellation_closes_at": null,
    "cancellation_deadline": "2026-06-12T22:00:00Z",
    "open_for_registration": false,
    "eligibility": {"workplace_organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61", "job_roles": ["intercultural_assistant", "teacher"], "verified_employment": true},
    "priority": {"job_roles": ["intercultural_assistant"], "reserved_places": 20, "reserved_until": "2026-05-18T20:00:00Z", "reservation_holds": false, "released_at": null},
    "seat_caps": [],
    "questions": [{"id": "dietary_needs", "label": {"pl": "Wymagania żywieniowe", "en": "Dietary needs"}, "kind": "choice", "required": true, "options": [{"id": "none", "label": {"pl": "Brak", "en": "None"}}, {"id": "vegetarian", "label": {"pl": "Wegetariańska", "en": "Vegetarian"}}]}],
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
    /// Session times are shown in this zone.
    pub time_zone: TimeZone,
    /// The languages the programme is taught in.
    pub languages: Vec<Locale>,
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    pub target_audience: Option<TextMap>,
    /// Places; `null` for unlimited.
    pub capacity: Option<u32>,
    pub registration_policy: RegistrationPolicy,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    /// Until when participants may cancel their own registration, as set; `null`: the
    /// default, `cancellation_deadline`.
    pub cancellation_closes_at: Option<DateTime<Utc>>,
    /// Until when participants may cancel their own registration: `cancellation_closes_at`,
    /// or else the start of the programme's first day in its time zone.
    pub cancellation_deadline: DateTime<Utc>,
    /// Published, and now within the registration window.
    pub open_for_registration: bool,
    pub eligibility: EligibilityBody,
    /// The priority group; `null`: everyone alike.
    pub priority: Option<PriorityBody>,
    /// Caps on the places one member organisation's subtree may take.
    pub seat_caps: Vec<SeatCapBody>,
    /// The registration form.
    pub questions: Vec<QuestionBody>,
    pub completion_rule: CompletionRuleBody,
    pub contact: ContactBody,
    /// What participants pay; `null`: free.
    pub fee: Option<Money>,
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

pub(crate) fn response(v: &ProgrammeView, now: DateTime<Utc>) -> ProgrammeResponse {
    let p = &v.programme;
    let grant_ids = &v.grant_ids;
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
        time_zone: p.time_zone,
        languages: p.languages.clone(),
        target_audience: p.target_audience.as_ref().map(text_map),
        capacity: p.capacity,
        registration_policy: p.registration_policy,
        registration_opens_at: p.registration_opens_at,
        registration_closes_at: p.registration_closes_at,
        cancellation_closes_at: p.cancellation_closes_at,
        cancellation_deadline: registration::cancellation_deadline(
            p.cancellation_closes_at,
            p.period.starts_on(),
            p.time_zone,
        ),
        open_for_registration: p.status == ProgrammeStatus::Published
            && p.window().is_some_and(|w| w.is_open(now)),
        eligibility: EligibilityBody {
            workplace_organisation_id: p.eligibility.workplace_within.map(|o| o.as_uuid()),
            job_roles: p.eligibility.job_roles.clone(),
            verified_employment: p.eligibility.verified_employment,
        },
        priority: p.priority.as_ref().map(|g| PriorityBody {
            job_roles: g.job_roles.clone(),
            reserved_places: g.reserved_places,
            reserved_until: g.reserved_until,
            reservation_holds: g.reservation_holds(now),
            released_at: p.reservation_released_at,
        }),
        seat_caps: p
            .seat_caps
            .iter()
            .map(|c| SeatCapBody {
                organisation_id: c.organisation_id.as_uuid(),
                places: c.places,
            })
            .collect(),
        questions: p
            .questions
            .iter()
            .map(|q| QuestionBody {
                id: q.id.as_str().to_string(),
                label: text_map(&q.label),
                kind: q.kind,
                required: q.required,
                options: q
                    .options
                    .iter()
                    .map(|o| QuestionOptionBody {
                        id: o.id.as_str().to_string(),
                        label: text_map(&o.label),
                    })
                    .collect(),
            })
            .collect(),
        completion_rule: CompletionRuleBody {
            min_attended_percent: p.completion_rule.min_attended_percent,
            per_activity_type: ActivityShares(
                p.completion_rule
                    .per_activity_type
                    .iter()
                    .filter_map(|(a, share)| Some((*a, Percent::new(i64::from(*share)).ok()?)))
                    .collect(),
            ),
        },
        contact: ContactBody {
            name: p.contact.name.clone(),
            email: p.contact.email.as_ref().map(|e| e.as_str().to_string()),
            phone: p.contact.phone.clone(),
        },
        fee: p.fee,
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

#[derive(Serialize, ToSchema)]
pub struct ProgrammeList {
    pub items: Vec<ProgrammeResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}
