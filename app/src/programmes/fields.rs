//! The members a programme's create and change share, and how they apply to a programme.

use chrono::{DateTime, NaiveDate, Utc};
use kompetens_domain::attendance::WindowDays;
use kompetens_domain::certificate::CertificateIssuance;
use kompetens_domain::country::CountryCode;
use kompetens_domain::email::Email;
use kompetens_domain::ids::{GrantId, OrganisationId};
use kompetens_domain::locale::Locale;
use kompetens_domain::money::Money;
use kompetens_domain::policy::{self, Actor, Audience, Decision};
use kompetens_domain::programme::{
    ActivityShares, Capacity, CompletionRule, Contact, Mobility, Percent, Period, Programme,
    ProgrammeKind, RegistrationPolicy, RegistrationWindow,
};
use kompetens_domain::question::{self, ChoiceOption, Question, QuestionKey, QuestionKind};
use kompetens_domain::role::JobRole;
use kompetens_domain::seating::{
    self, CapPlaces, MAX_SEAT_CAPS, Priority, ReservedPlaces, SeatCap,
};
use kompetens_domain::text::{Line, LocalizedLine, LocalizedParagraphs};
use kompetens_domain::time_zone::TimeZone;
use kompetens_persistence::ConnectionTrait;
use kompetens_persistence::repo::{grants, organisations};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{AppError, FieldError};

pub const TITLE_CHARS: usize = 300;
pub const SUMMARY_CHARS: usize = 2_000;
pub const DESCRIPTION_CHARS: usize = 50_000;
/// The most languages a programme is taught in, and grants that fund it.
pub const MAX_LANGUAGES: usize = 20;
pub const MAX_GRANTS: usize = 50;

/// Who may register: both conditions optional; when both are given, both must hold.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"workplace_organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61", "job_roles": ["intercultural_assistant", "teacher"], "verified_employment": true}))]
pub struct EligibilityRequest {
    /// The participant's workplace must be this organisation or one below it.
    #[serde(default)]
    pub workplace_organisation_id: Option<OrganisationId>,
    /// The participant's job role must be one of these; empty or absent: any.
    #[serde(default)]
    #[schema(max_items = 14)]
    pub job_roles: Option<Vec<JobRole>>,
    /// `true`: both conditions (and the priority group and seat caps) go by verified
    /// employment only — staff rosters (`PUT /organisations/{id}/staff`) matched by the
    /// person's verified e-mail address, never their profile or an organiser's statement. A
    /// person without it is refused with 403 `not-eligible` saying what is missing. Default
    /// false.
    #[serde(default)]
    pub verified_employment: Option<bool>,
}

/// When a participant has completed the programme.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"min_attended_percent": 80, "per_activity_type": {"group_supervision": 100}}))]
pub struct CompletionRuleRequest {
    /// The share of the planned minutes a participant must attend.
    pub min_attended_percent: Percent,
    /// Stricter shares for particular activity types.
    #[serde(default)]
    pub per_activity_type: Option<ActivityShares>,
}

/// Who answers questions.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Anna Kowalska", "email": "anna.kowalska@example.pl", "phone": "+48 58 000 00 00"}))]
pub struct ContactRequest {
    #[serde(default)]
    pub name: Option<Line<200>>,
    #[serde(default)]
    pub email: Option<Email>,
    #[serde(default)]
    pub phone: Option<Line<40>>,
}

/// The Europass fields of a mobility (job shadowing abroad): where participants go, who mentors
/// them and what they learn. Printed on their certificates; the sending organisation is each
/// participant's workplace.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "host_organisation": "Centre Cívic Barceloneta",
    "host_city": "Barcelona",
    "host_country": "ES",
    "mentor": "Marta Puig",
    "learning_outcomes": ["Plans cultural activities accessible to adults with special educational needs"]
}))]
pub struct MobilityRequest {
    pub host_organisation: Line<300>,
    #[serde(default)]
    pub host_city: Option<Line<200>>,
    #[serde(default)]
    pub host_country: Option<CountryCode>,
    #[serde(default)]
    pub mentor: Option<Line<200>>,
    /// What participants learn, each a short sentence printed as a bullet.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub learning_outcomes: Option<Vec<Line<300>>>,
}

impl From<MobilityRequest> for Mobility {
    fn from(m: MobilityRequest) -> Self {
        Mobility {
            host_organisation: m.host_organisation.into(),
            host_city: m.host_city.map(Into::into),
            host_country: m.host_country,
            mentor: m.mentor.map(Into::into),
            learning_outcomes: m
                .learning_outcomes
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
        }
    }
}

/// The priority group: people in `job_roles` wait ahead of everyone else, in their own order of
/// arrival; until `reserved_until`, `reserved_places` of the programme's places are held for
/// them (others are waitlisted once only the reserved places remain), and after it those
/// places go to the waiting list in order.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"job_roles": ["intercultural_assistant"], "reserved_places": 20, "reserved_until": "2026-05-18T22:00:00+02:00"}))]
pub struct PriorityRequest {
    /// The job roles of the group (by verified employment where the programme asks for it,
    /// else the profile's or what an organiser stated).
    #[schema(min_items = 1, max_items = 14)]
    pub job_roles: Vec<JobRole>,
    /// Places held for the group until `reserved_until`; at most the capacity. Default 0.
    #[serde(default)]
    pub reserved_places: Option<ReservedPlaces>,
    /// Until when the reserved places are held; required with `reserved_places`.
    #[serde(default)]
    pub reserved_until: Option<DateTime<Utc>>,
}

/// At most `places` confirmed from the subtree of `organisation_id` (a member school, a
/// municipality): the others from there wait, and a freed place goes to the first in line who
/// fits.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e62", "places": 2}))]
pub struct SeatCapRequest {
    pub organisation_id: OrganisationId,
    /// At most the programme's capacity.
    pub places: CapPlaces,
}

/// One option of a choice question.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"id": "vegetarian", "label": {"pl": "Wegetariańska", "en": "Vegetarian"}}))]
pub struct QuestionOptionRequest {
    pub id: QuestionKey,
    pub label: LocalizedLine<{ question::LABEL_CHARS }>,
}

/// A question of the registration form; the answer comes as `answers.<id>` when registering.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "id": "dietary_needs",
    "label": {"pl": "Wymagania żywieniowe", "en": "Dietary needs"},
    "kind": "choice",
    "required": true,
    "options": [
        {"id": "none", "label": {"pl": "Brak", "en": "None"}},
        {"id": "vegetarian", "label": {"pl": "Wegetariańska", "en": "Vegetarian"}}
    ]
}))]
pub struct QuestionRequest {
    /// Stable and unique within the form, e.g. `dietary_needs`.
    pub id: QuestionKey,
    pub label: LocalizedLine<{ question::LABEL_CHARS }>,
    pub kind: QuestionKind,
    /// Whether a registration must answer it; default false.
    #[serde(default)]
    pub required: Option<bool>,
    /// The options of a `choice` question (at least two, ids unique); none for other kinds.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub options: Option<Vec<QuestionOptionRequest>>,
}

impl From<QuestionRequest> for Question {
    fn from(q: QuestionRequest) -> Self {
        Question {
            id: q.id,
            label: q.label.into_inner(),
            kind: q.kind,
            required: q.required.unwrap_or(false),
            options: q
                .options
                .unwrap_or_default()
                .into_iter()
                .map(|o| ChoiceOption {
                    id: o.id,
                    label: o.label.into_inner(),
                })
                .collect(),
        }
    }
}

/// Every member a create or a change may set: `None` leaves the field, `Some(None)` clears it.
#[derive(Default)]
pub(crate) struct Fields {
    pub kind: Option<ProgrammeKind>,
    pub title: Option<LocalizedLine<TITLE_CHARS>>,
    pub summary: Option<Option<LocalizedParagraphs<SUMMARY_CHARS>>>,
    pub description: Option<Option<LocalizedParagraphs<DESCRIPTION_CHARS>>>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub time_zone: Option<TimeZone>,
    pub languages: Option<Option<Vec<Locale>>>,
    pub target_audience: Option<Option<LocalizedParagraphs<SUMMARY_CHARS>>>,
    pub capacity: Option<Option<Capacity>>,
    pub registration_policy: Option<RegistrationPolicy>,
    pub registration_opens_at: Option<Option<DateTime<Utc>>>,
    pub registration_closes_at: Option<Option<DateTime<Utc>>>,
    pub cancellation_closes_at: Option<Option<DateTime<Utc>>>,
    pub eligibility: Option<Option<EligibilityRequest>>,
    pub completion_rule: Option<Option<CompletionRuleRequest>>,
    pub contact: Option<Option<ContactRequest>>,
    pub fee: Option<Option<Money>>,
    pub attendance_window_days: Option<WindowDays>,
    pub certificate_issuance: Option<CertificateIssuance>,
    pub mobility: Option<Option<MobilityRequest>>,
    pub grant_ids: Option<Option<Vec<GrantId>>>,
    pub priority: Option<Option<PriorityRequest>>,
    pub seat_caps: Option<Option<Vec<SeatCapRequest>>>,
    pub questions: Option<Option<Vec<QuestionRequest>>>,
}

/// What the fields refer to that must be checked against the database.
#[derive(Default)]
pub(crate) struct References {
    workplace: Option<Option<OrganisationId>>,
    grant_ids: Option<Vec<GrantId>>,
    capped: Vec<OrganisationId>,
}

impl Fields {
    /// Checks the lengths of the lists (their limits are in the schema too).
    pub(crate) fn check_lists(&self) -> Result<(), AppError> {
        let mut errors = Vec::new();
        if self
            .languages
            .as_ref()
            .and_then(Option::as_ref)
            .is_some_and(|l| l.len() > MAX_LANGUAGES)
        {
            errors.push(FieldError::at(
                "/languages",
                format!("may hold at most {MAX_LANGUAGES} items"),
            ));
        }
        if self
            .grant_ids
            .as_ref()
            .and_then(Option::as_ref)
            .is_some_and(|g| g.len() > MAX_GRANTS)
        {
            errors.push(FieldError::at(
                "/grant_ids",
                format!("may hold at most {MAX_GRANTS} items"),
            ));
        }
        if self
            .seat_caps
            .as_ref()
            .and_then(Option::as_ref)
            .is_some_and(|c| c.len() > MAX_SEAT_CAPS)
        {
            errors.push(FieldError::at(
                "/seat_caps",
                format!("may hold at most {MAX_SEAT_CAPS} items"),
            ));
        }
        if self
            .questions
            .as_ref()
            .and_then(Option::as_ref)
            .is_some_and(|q| q.len() > question::MAX_QUESTIONS)
        {
            errors.push(FieldError::at(
                "/questions",
                format!("may hold at most {} items", question::MAX_QUESTIONS),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(errors))
        }
    }

    /// Applies the fields to `p` (patch semantics); the problems found between fields go to
    /// `errors`.
    pub(crate) fn apply(self, p: &mut Programme, errors: &mut Vec<FieldError>) -> References {
        let mut refs = References::default();
        if let Some(v) = self.kind {
            p.kind = v;
        }
        if let Some(v) = self.title {
            p.title = v.into_inner();
        }
        if let Some(v) = self.summary {
            p.summary = v.map(LocalizedParagraphs::into_inner);
        }
        if let Some(v) = self.description {
            p.description = v.map(LocalizedParagraphs::into_inner);
        }
        if self.starts_on.is_some() || self.ends_on.is_some() {
            let s = self.starts_on.unwrap_or(p.period.starts_on());
            let e = self.ends_on.unwrap_or(p.period.ends_on());
            match Period::new(s, e) {
                Ok(period) => p.period = period,
                Err(err) => errors.push(FieldError::at("/ends_on", err.0)),
            }
        }
        if let Some(v) = self.time_zone {
            p.time_zone = v;
        }
        if let Some(v) = self.languages {
            let mut langs = v.unwrap_or_default();
            langs.dedup();
            p.languages = langs;
        }
        if let Some(v) = self.target_audience {
            p.target_audience = v.map(LocalizedParagraphs::into_inner);
        }
        if let Some(v) = self.capacity {
            p.capacity = v.map(Capacity::get);
        }
        if let Some(v) = self.registration_policy {
            p.registration_policy = v;
        }
        if let Some(v) = self.registration_opens_at {
            p.registration_opens_at = v;
        }
        if let Some(v) = self.registration_closes_at {
            p.registration_closes_at = v;
        }
        if let (Some(opens), Some(closes)) = (p.registration_opens_at, p.registration_closes_at)
            && let Err(err) = RegistrationWindow::new(opens, closes)
        {
            errors.push(FieldError::at("/registration_closes_at", err.0));
        }
        if let Some(v) = self.cancellation_closes_at {
            p.cancellation_closes_at = v;
        }
        if let Some(v) = self.eligibility {
            let v = v.unwrap_or_default();
            let mut roles = v.job_roles.unwrap_or_default();
            roles.sort_unstable();
            roles.dedup();
            p.eligibility.job_roles = roles;
            p.eligibility.verified_employment = v.verified_employment.unwrap_or(false);
            refs.workplace = Some(v.workplace_organisation_id);
        }
        if let Some(v) = self.completion_rule {
            p.completion_rule = v.map_or_else(CompletionRule::default, |r| CompletionRule {
                min_attended_percent: r.min_attended_percent.get(),
                per_activity_type: r
                    .per_activity_type
                    .map(ActivityShares::into_percentages)
                    .unwrap_or_default(),
            });
        }
        if let Some(v) = self.contact {
            let v = v.unwrap_or_default();
            p.contact = Contact {
                name: v.name.map(Into::into),
                email: v.email,
                phone: v.phone.map(Into::into),
            };
        }
        if let Some(v) = self.fee {
            // A fee of zero is no fee: the programme is free.
            p.fee = v.filter(|m| !m.is_zero());
        }
        if let Some(v) = self.attendance_window_days {
            p.attendance_window_days = v.get();
        }
        if let Some(v) = self.certificate_issuance {
            p.certificate_issuance = v;
        }
        if let Some(v) = self.mobility {
            p.mobility = v.map(Into::into);
        }
        if let Some(v) = self.grant_ids {
            let mut ids = v.unwrap_or_default();
            ids.sort_unstable();
            ids.dedup();
            refs.grant_ids = Some(ids);
        }
        if let Some(v) = self.priority {
            p.priority = v.map(|g| {
                let mut job_roles = g.job_roles;
                job_roles.sort_unstable();
                job_roles.dedup();
                Priority {
                    job_roles,
                    reserved_places: g.reserved_places.map_or(0, ReservedPlaces::get),
                    reserved_until: g.reserved_until,
                }
            });
        }
        if let Some(v) = self.seat_caps {
            p.seat_caps = v
                .unwrap_or_default()
                .into_iter()
                .map(|c| SeatCap {
                    organisation_id: c.organisation_id,
                    places: c.places.get(),
                })
                .collect();
            refs.capped = p.seat_caps.iter().map(|c| c.organisation_id).collect();
        }
        if let Some(v) = self.questions {
            p.questions = v.unwrap_or_default().into_iter().map(Into::into).collect();
        }
        // Checked on the programme as it will be, whichever member changed (a lower capacity
        // than the reserved places is as wrong as more reserved places than the capacity).
        if let Some(group) = &p.priority {
            for (at, detail) in group.check(p.capacity) {
                errors.push(FieldError::at(at, detail));
            }
        }
        for (at, detail) in seating::check_caps(&p.seat_caps, p.capacity) {
            errors.push(FieldError::at(at, detail));
        }
        for (at, detail) in question::check_questions(&p.questions) {
            errors.push(FieldError::at(at, detail));
        }
        if p.mobility.is_some() && p.kind != ProgrammeKind::Mobility {
            errors.push(FieldError::at(
                "/mobility",
                "only programmes of kind mobility carry Europass details; clear it or change the kind",
            ));
        }
        refs
    }
}

impl References {
    /// Checks what the fields refer to and applies it: the eligible workplace must exist, and
    /// each grant must be one the caller manages.
    pub(crate) async fn resolve(
        &self,
        conn: &impl ConnectionTrait,
        actor: &Actor,
        p: &mut Programme,
    ) -> Result<Option<Vec<GrantId>>, AppError> {
        let mut errors = Vec::new();
        if let Some(workplace) = self.workplace {
            p.eligibility.workplace_within = match workplace {
                None => None,
                Some(id) => {
                    if organisations::find(conn, id).await?.is_none() {
                        errors.push(FieldError::at(
                            "/eligibility/workplace_organisation_id",
                            "no such organisation",
                        ));
                    }
                    Some(id)
                }
            };
        }
        for (i, organisation) in self.capped.iter().enumerate() {
            if organisations::find(conn, *organisation).await?.is_none() {
                errors.push(FieldError::at(
                    format!("/seat_caps/{i}/organisation_id"),
                    "no such organisation",
                ));
            }
        }
        if let Some(wanted) = &self.grant_ids {
            let found = grants::find_many(conn, wanted).await?;
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
        }
        if errors.is_empty() {
            Ok(self.grant_ids.clone())
        } else {
            Err(AppError::Validation(errors))
        }
    }
}
