//! Create a programme (as a draft) of an organisation the caller organises.

use chrono::{DateTime, NaiveDate, Utc};
use kompetens_domain::attendance::{DEFAULT_WINDOW_DAYS, WindowDays};
use kompetens_domain::certificate::CertificateIssuance;
use kompetens_domain::ids::{GrantId, OrganisationId, ProgrammeId};
use kompetens_domain::locale::Locale;
use kompetens_domain::money::Money;
use kompetens_domain::organisation::OrganisationPath;
use kompetens_domain::programme::{
    Capacity, CompletionRule, Contact, Eligibility, Period, Programme, ProgrammeKind,
    ProgrammeStatus, RegistrationPolicy,
};
use kompetens_domain::text::{LocalizedLine, LocalizedParagraphs, LocalizedText};
use kompetens_domain::time_zone::TimeZone;
use kompetens_persistence::repo::{grants, programmes};
use serde::Deserialize;
use utoipa::ToSchema;

use super::ProgrammeView;
use super::fields::{
    CompletionRuleRequest, ContactRequest, DESCRIPTION_CHARS, EligibilityRequest, Fields,
    MobilityRequest, PriorityRequest, QuestionRequest, SUMMARY_CHARS, SeatCapRequest, TITLE_CHARS,
};
use crate::organisations::organised_by;
use crate::{App, AppError, Caller, Once, Outcome};

/// A new programme (created as a `draft`) of an organisation you organise.
///
/// `title`, `summary`, `description` and `target_audience` are multilingual:
/// `{"pl": "…", "en": "…"}`. `time_zone` defaults to the organisation's; `capacity` null or
/// absent means unlimited; `registration_policy` defaults to `first_come_first_served`;
/// `completion_rule` to 80% of the planned minutes; `cancellation_closes_at` (until when
/// participants may cancel their own registration) to the start of the first day in the
/// programme's time zone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
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
    "cancellation_closes_at": "2026-06-10T22:00:00+02:00",
    "eligibility": {"workplace_organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61", "job_roles": ["intercultural_assistant", "teacher"]},
    "completion_rule": {"min_attended_percent": 80},
    "contact": {"name": "Anna Kowalska", "email": "anna.kowalska@example.pl"},
    "grant_ids": ["019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ea0"]
}))]
pub struct NewProgramme {
    pub organisation_id: OrganisationId,
    pub kind: ProgrammeKind,
    pub title: LocalizedLine<{ TITLE_CHARS }>,
    #[serde(default)]
    pub summary: Option<LocalizedParagraphs<{ SUMMARY_CHARS }>>,
    #[serde(default)]
    pub description: Option<LocalizedParagraphs<{ DESCRIPTION_CHARS }>>,
    pub starts_on: NaiveDate,
    /// On or after `starts_on`; a programme lasts at most ten years.
    pub ends_on: NaiveDate,
    #[serde(default)]
    pub time_zone: Option<TimeZone>,
    /// The languages the programme is taught in.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub languages: Option<Vec<Locale>>,
    #[serde(default)]
    pub target_audience: Option<LocalizedParagraphs<{ SUMMARY_CHARS }>>,
    #[serde(default)]
    pub capacity: Option<Capacity>,
    #[serde(default)]
    pub registration_policy: Option<RegistrationPolicy>,
    #[serde(default)]
    pub registration_opens_at: Option<DateTime<Utc>>,
    /// After `registration_opens_at`.
    #[serde(default)]
    pub registration_closes_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub cancellation_closes_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub eligibility: Option<EligibilityRequest>,
    #[serde(default)]
    pub completion_rule: Option<CompletionRuleRequest>,
    #[serde(default)]
    pub contact: Option<ContactRequest>,
    /// What participants pay; absent, null or zero: free.
    #[serde(default)]
    pub fee: Option<Money>,
    /// Days after a session during which its attendance may still be recorded; default 14.
    #[serde(default)]
    pub attendance_window_days: Option<WindowDays>,
    /// Default `automatic`.
    #[serde(default)]
    pub certificate_issuance: Option<CertificateIssuance>,
    /// For programmes of kind `mobility` only.
    #[serde(default)]
    pub mobility: Option<MobilityRequest>,
    /// Grants (of your organisations) that fund the programme.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub grant_ids: Option<Vec<GrantId>>,
    /// The priority group and the places held for it; absent: everyone alike.
    #[serde(default)]
    pub priority: Option<PriorityRequest>,
    /// Caps on the places one member organisation's subtree may take.
    #[serde(default)]
    #[schema(max_items = 500)]
    pub seat_caps: Option<Vec<SeatCapRequest>>,
    /// The registration form: what registering asks.
    #[serde(default)]
    #[schema(max_items = 30)]
    pub questions: Option<Vec<QuestionRequest>>,
}

impl crate::Validate for NewProgramme {
    fn validate(&self) -> Vec<crate::FieldError> {
        use kompetens_domain::programme::RegistrationWindow;
        let mut errors = Vec::new();
        if let Err(e) = Period::new(self.starts_on, self.ends_on) {
            errors.push(crate::FieldError::at("/ends_on", e.0));
        }
        if let (Some(opens), Some(closes)) =
            (self.registration_opens_at, self.registration_closes_at)
            && let Err(e) = RegistrationWindow::new(opens, closes)
        {
            errors.push(crate::FieldError::at("/registration_closes_at", e.0));
        }
        if self.mobility.is_some() && self.kind != ProgrammeKind::Mobility {
            errors.push(crate::FieldError::at(
                "/mobility",
                "only programmes of kind mobility carry Europass details; clear it or change the kind",
            ));
        }
        errors
    }
}

impl NewProgramme {
    fn into_fields(self) -> (OrganisationId, bool, Fields) {
        let zone_given = self.time_zone.is_some();
        let fields = Fields {
            kind: Some(self.kind),
            title: Some(self.title),
            summary: Some(self.summary),
            description: Some(self.description),
            starts_on: Some(self.starts_on),
            ends_on: Some(self.ends_on),
            time_zone: self.time_zone,
            languages: Some(self.languages),
            target_audience: Some(self.target_audience),
            capacity: Some(self.capacity),
            registration_policy: self.registration_policy,
            registration_opens_at: Some(self.registration_opens_at),
            registration_closes_at: Some(self.registration_closes_at),
            cancellation_closes_at: Some(self.cancellation_closes_at),
            eligibility: self.eligibility.map(Some),
            completion_rule: self.completion_rule.map(Some),
            contact: self.contact.map(Some),
            fee: Some(self.fee),
            attendance_window_days: self.attendance_window_days,
            certificate_issuance: self.certificate_issuance,
            mobility: Some(self.mobility),
            grant_ids: self.grant_ids.map(Some),
            priority: self.priority.map(Some),
            seat_caps: self.seat_caps.map(Some),
            questions: self.questions.map(Some),
        };
        (self.organisation_id, zone_given, fields)
    }
}

pub async fn create(
    app: &App,
    caller: &Caller,
    new: NewProgramme,
    once: Once<'_, ProgrammeView>,
) -> Result<Outcome<ProgrammeView>, AppError> {
    let now = Utc::now();
    let (organisation_id, zone_given, fields) = new.into_fields();
    fields.check_lists()?;
    let nil = OrganisationId::from_uuid(uuid::Uuid::nil());
    let placeholder = |what: &str| AppError::bug(what);
    let mut programme = Programme {
        id: ProgrammeId::new(),
        organisation_id: nil,
        organisation_path: OrganisationPath::root(nil),
        status: ProgrammeStatus::Draft,
        kind: ProgrammeKind::Other,
        title: LocalizedText::parse([("en", "-")], 1).map_err(|_| placeholder("title"))?,
        summary: None,
        description: None,
        period: Period::new(now.date_naive(), now.date_naive())
            .map_err(|_| placeholder("period"))?,
        time_zone: TimeZone::parse("UTC").map_err(|_| placeholder("zone"))?,
        languages: Vec::new(),
        target_audience: None,
        capacity: None,
        registration_policy: RegistrationPolicy::FirstComeFirstServed,
        registration_opens_at: None,
        registration_closes_at: None,
        cancellation_closes_at: None,
        eligibility: Eligibility::default(),
        priority: None,
        reservation_released_at: None,
        seat_caps: Vec::new(),
        questions: Vec::new(),
        completion_rule: CompletionRule::default(),
        contact: Contact::default(),
        fee: None,
        attendance_window_days: DEFAULT_WINDOW_DAYS,
        certificate_issuance: CertificateIssuance::Automatic,
        mobility: None,
        confirmed_count: 0,
        waitlist_count: 0,
        published_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut errors = Vec::new();
    let refs = fields.apply(&mut programme, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let tx = app.begin().await?;
    if let Some(first) = once.replay(&tx, caller.account_id(), now).await? {
        return Ok(Outcome::Replayed(first));
    }
    let owner = organised_by(&tx, &caller.actor, organisation_id, "/organisation_id").await?;
    if !zone_given {
        programme.time_zone = owner.time_zone;
    }
    programme.organisation_id = owner.id;
    programme.organisation_path = owner.path;
    let grant_ids = refs.resolve(&tx, &caller.actor, &mut programme).await?;
    programmes::insert(&tx, &programme).await?;
    if let Some(ids) = &grant_ids {
        grants::allocate(&tx, programme.id, ids, now).await?;
    }
    let view = ProgrammeView {
        programme,
        grant_ids: grant_ids.unwrap_or_default(),
    };
    once.remember(&tx, caller.account_id(), &view, now).await?;
    tx.commit().await?;
    tracing::info!(programme_id = %view.programme.id, "programme created");
    Ok(Outcome::Fresh(view))
}
