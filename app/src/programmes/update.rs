//! Change a programme (with `If-Match`). A published programme must stay publishable; raising
//! its capacity confirms those waiting, in order, in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};
use kompetens_domain::attendance::WindowDays;
use kompetens_domain::certificate::CertificateIssuance;
use kompetens_domain::ids::{GrantId, ProgrammeId};
use kompetens_domain::locale::Locale;
use kompetens_domain::money::Money;
use kompetens_domain::policy::ProgrammeAction;
use kompetens_domain::programme::{Capacity, ProgrammeKind, RegistrationPolicy};
use kompetens_domain::text::{LocalizedLine, LocalizedParagraphs};
use kompetens_domain::time_zone::TimeZone;
use kompetens_persistence::repo::{grants, programmes, sessions};
use serde::Deserialize;
use utoipa::ToSchema;

use super::fields::{
    CompletionRuleRequest, ContactRequest, DESCRIPTION_CHARS, EligibilityRequest, Fields,
    MobilityRequest, PriorityRequest, QuestionRequest, SUMMARY_CHARS, SeatCapRequest, TITLE_CHARS,
};
use super::{ProgrammeView, authorised, ensure_editable, ensure_still_publishable, view};
use crate::patch::nullable;
use crate::{App, AppError, Caller, FieldError, check_version};

/// Fields to change (any of those of the create request but `organisation_id`); `null` clears
/// an optional one (`eligibility`, `completion_rule` and `contact` back to their defaults).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"capacity": 40, "registration_closes_at": "2026-06-05T22:00:00+02:00"}))]
pub struct ProgrammeChanges {
    #[serde(default)]
    #[schema(nullable = false)]
    pub kind: Option<ProgrammeKind>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub title: Option<LocalizedLine<{ TITLE_CHARS }>>,
    #[serde(default, deserialize_with = "nullable")]
    pub summary: Option<Option<LocalizedParagraphs<{ SUMMARY_CHARS }>>>,
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<LocalizedParagraphs<{ DESCRIPTION_CHARS }>>>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub starts_on: Option<NaiveDate>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub ends_on: Option<NaiveDate>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub time_zone: Option<TimeZone>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_items = 20)]
    pub languages: Option<Option<Vec<Locale>>>,
    #[serde(default, deserialize_with = "nullable")]
    pub target_audience: Option<Option<LocalizedParagraphs<{ SUMMARY_CHARS }>>>,
    #[serde(default, deserialize_with = "nullable")]
    pub capacity: Option<Option<Capacity>>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub registration_policy: Option<RegistrationPolicy>,
    #[serde(default, deserialize_with = "nullable")]
    pub registration_opens_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "nullable")]
    pub registration_closes_at: Option<Option<DateTime<Utc>>>,
    /// `null`: back to the default, the start of the first day in the programme's time zone.
    #[serde(default, deserialize_with = "nullable")]
    pub cancellation_closes_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "nullable")]
    pub eligibility: Option<Option<EligibilityRequest>>,
    #[serde(default, deserialize_with = "nullable")]
    pub completion_rule: Option<Option<CompletionRuleRequest>>,
    #[serde(default, deserialize_with = "nullable")]
    pub contact: Option<Option<ContactRequest>>,
    #[serde(default, deserialize_with = "nullable")]
    pub fee: Option<Option<Money>>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub attendance_window_days: Option<WindowDays>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub certificate_issuance: Option<CertificateIssuance>,
    #[serde(default, deserialize_with = "nullable")]
    pub mobility: Option<Option<MobilityRequest>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_items = 50)]
    pub grant_ids: Option<Option<Vec<GrantId>>>,
    /// `null`: no priority group. Changing it seats whoever it lets in at once.
    #[serde(default, deserialize_with = "nullable")]
    pub priority: Option<Option<PriorityRequest>>,
    /// `null` or `[]`: no caps. Caps govern the places given from now on: nobody loses one.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_items = 500)]
    pub seat_caps: Option<Option<Vec<SeatCapRequest>>>,
    /// `null` or `[]`: no questions. Answers already given stay as they were.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_items = 30)]
    pub questions: Option<Option<Vec<QuestionRequest>>>,
}

impl From<ProgrammeChanges> for Fields {
    fn from(c: ProgrammeChanges) -> Self {
        Fields {
            kind: c.kind,
            title: c.title,
            summary: c.summary,
            description: c.description,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            time_zone: c.time_zone,
            languages: c.languages,
            target_audience: c.target_audience,
            capacity: c.capacity,
            registration_policy: c.registration_policy,
            registration_opens_at: c.registration_opens_at,
            registration_closes_at: c.registration_closes_at,
            cancellation_closes_at: c.cancellation_closes_at,
            eligibility: c.eligibility,
            completion_rule: c.completion_rule,
            contact: c.contact,
            fee: c.fee,
            attendance_window_days: c.attendance_window_days,
            certificate_issuance: c.certificate_issuance,
            mobility: c.mobility,
            grant_ids: c.grant_ids,
            priority: c.priority,
            seat_caps: c.seat_caps,
            questions: c.questions,
        }
    }
}

pub async fn update(
    app: &App,
    caller: &Caller,
    id: ProgrammeId,
    expected_version: Option<i32>,
    changes: ProgrammeChanges,
) -> Result<ProgrammeView, AppError> {
    let fields = Fields::from(changes);
    fields.check_lists()?;
    let tx = app.begin().await?;
    let mut p = authorised(&tx, Some(&caller.actor), id, ProgrammeAction::Manage, true).await?;
    check_version(expected_version, p.version)?;
    ensure_editable(&p)?;
    let before = (p.period, p.time_zone);
    let seating_before = (p.capacity, p.priority.clone(), p.seat_caps.clone());
    let mut errors = Vec::new();
    let refs = fields.apply(&mut p, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let grant_ids = refs.resolve(&tx, &caller.actor, &mut p).await?;
    if p.capacity.is_some_and(|c| c < p.confirmed_count) {
        return Err(AppError::invalid(
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
            return Err(AppError::ConflictWith {
                code: "sessions-outside-period",
                detail: "sessions would fall outside the programme's new dates; move them first"
                    .into(),
                errors: outside,
            });
        }
    }
    ensure_still_publishable(&tx, &p).await?;
    p.version += 1;
    p.updated_at = Utc::now();
    programmes::save(&tx, &p).await?;
    if let Some(ids) = &grant_ids {
        grants::allocate(&tx, p.id, ids, p.updated_at).await?;
    }
    if seating_before.1 != p.priority {
        // A new reservation is released when it ends, whatever became of the old one.
        programmes::set_reservation_released(&tx, p.id, None).await?;
    }
    if seating_before != (p.capacity, p.priority.clone(), p.seat_caps.clone()) {
        // More places, a released reservation or looser caps: those waiting who fit now get
        // their places, in order, in this transaction.
        crate::registrations::promote(&tx, &p, p.updated_at).await?;
        p = programmes::find(&tx, p.id, false)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    let view = view(&tx, p).await?;
    tx.commit().await?;
    Ok(view)
}
