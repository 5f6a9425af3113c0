//! Programmes and their hour budgets.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use kompetens_domain::certificate::CertificateIssuance;
use kompetens_domain::country::CountryCode;
use kompetens_domain::email::Email;
use kompetens_domain::hour_budget::{ActivityType, BudgetLine, HourBudget};
use kompetens_domain::ids::{AccountId, OrganisationId, ProgrammeId};
use kompetens_domain::locale::Locale;
use kompetens_domain::money::{Currency, Money};
use kompetens_domain::organisation::OrganisationPath;
use kompetens_domain::programme::{
    CompletionRule, Eligibility, Mobility, Period, ProgrammeKind, ProgrammeStatus,
    RegistrationPolicy,
};
use kompetens_domain::question::{ChoiceOption, Question, QuestionKey, QuestionKind};
use kompetens_domain::role::JobRole;
use kompetens_domain::seating::{Priority, SeatCap};
use kompetens_domain::text::LocalizedText;
use kompetens_domain::time_zone::TimeZone;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::{from_json, into_page, page_query, under_any};
use crate::Page;
use crate::entities::programme::{ActiveModel, Column, Entity, Model};
use crate::entities::{hour_budget_line, session, session_trainer};
use crate::error::{StoreError, corrupt};

pub use kompetens_domain::programme::{Contact, Programme};

/// How a mobility is kept in its JSON column.
#[derive(serde::Serialize, serde::Deserialize)]
struct MobilityColumn {
    host_organisation: String,
    host_city: Option<String>,
    host_country: Option<String>,
    mentor: Option<String>,
    #[serde(default)]
    learning_outcomes: Vec<String>,
}

fn mobility_to_json(m: &Mobility) -> String {
    serde_json::to_string(&MobilityColumn {
        host_organisation: m.host_organisation.clone(),
        host_city: m.host_city.clone(),
        host_country: m.host_country.map(|c| c.as_str().to_string()),
        mentor: m.mentor.clone(),
        learning_outcomes: m.learning_outcomes.clone(),
    })
    .unwrap_or_else(|_| "{}".to_string())
}

fn mobility_from_json(raw: &str) -> Result<Mobility, StoreError> {
    let m: MobilityColumn = from_json("programmes.mobility", raw)?;
    Ok(Mobility {
        host_organisation: m.host_organisation,
        host_city: m.host_city,
        host_country: m
            .host_country
            .as_deref()
            .map(CountryCode::parse)
            .transpose()
            .map_err(|e| corrupt("programmes.mobility", e))?,
        mentor: m.mentor,
        learning_outcomes: m.learning_outcomes,
    })
}

/// How a question of the registration form is kept in the `questions` JSON column.
#[derive(serde::Serialize, serde::Deserialize)]
struct QuestionColumn {
    id: String,
    label: BTreeMap<String, String>,
    kind: String,
    required: bool,
    #[serde(default)]
    options: Vec<OptionColumn>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct OptionColumn {
    id: String,
    label: BTreeMap<String, String>,
}

fn questions_to_json(questions: &[Question]) -> Option<String> {
    if questions.is_empty() {
        return None;
    }
    let columns: Vec<QuestionColumn> = questions
        .iter()
        .map(|q| QuestionColumn {
            id: q.id.as_str().to_string(),
            label: q.label.entries().clone(),
            kind: q.kind.as_str().to_string(),
            required: q.required,
            options: q
                .options
                .iter()
                .map(|o| OptionColumn {
                    id: o.id.as_str().to_string(),
                    label: o.label.entries().clone(),
                })
                .collect(),
        })
        .collect();
    serde_json::to_string(&columns).ok()
}

fn label_from(what: &str, map: &BTreeMap<String, String>) -> Result<LocalizedText, StoreError> {
    LocalizedText::parse(
        map.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        usize::MAX,
    )
    .map_err(|e| corrupt(what, e.1))
}

fn questions_from_json(raw: &str) -> Result<Vec<Question>, StoreError> {
    const WHAT: &str = "programmes.questions";
    let columns: Vec<QuestionColumn> = from_json(WHAT, raw)?;
    columns
        .into_iter()
        .map(|q| {
            Ok(Question {
                id: QuestionKey::parse(&q.id).map_err(|e| corrupt(WHAT, e))?,
                label: label_from(WHAT, &q.label)?,
                kind: QuestionKind::parse(&q.kind).map_err(|e| corrupt(WHAT, e))?,
                required: q.required,
                options: q
                    .options
                    .into_iter()
                    .map(|o| {
                        Ok(ChoiceOption {
                            id: QuestionKey::parse(&o.id).map_err(|e| corrupt(WHAT, e))?,
                            label: label_from(WHAT, &o.label)?,
                        })
                    })
                    .collect::<Result<_, StoreError>>()?,
            })
        })
        .collect()
}

/// How a seat cap is kept in the `seat_caps` JSON column.
#[derive(serde::Serialize, serde::Deserialize)]
struct SeatCapColumn {
    organisation_id: Uuid,
    places: u32,
}

fn caps_to_json(caps: &[SeatCap]) -> Option<String> {
    if caps.is_empty() {
        return None;
    }
    let columns: Vec<SeatCapColumn> = caps
        .iter()
        .map(|c| SeatCapColumn {
            organisation_id: c.organisation_id.as_uuid(),
            places: c.places,
        })
        .collect();
    serde_json::to_string(&columns).ok()
}

fn caps_from_json(raw: &str) -> Result<Vec<SeatCap>, StoreError> {
    let columns: Vec<SeatCapColumn> = from_json("programmes.seat_caps", raw)?;
    Ok(columns
        .into_iter()
        .map(|c| SeatCap {
            organisation_id: c.organisation_id.into(),
            places: c.places,
        })
        .collect())
}

fn text_to_json(text: &LocalizedText) -> String {
    serde_json::to_string(text.entries()).unwrap_or_else(|_| "{}".to_string())
}

fn text_from_json(what: &str, raw: &str) -> Result<LocalizedText, StoreError> {
    let map: BTreeMap<String, String> = from_json(what, raw)?;
    LocalizedText::parse(
        map.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        usize::MAX,
    )
    .map_err(|e| corrupt(what, e.1))
}

fn optional_text(what: &str, raw: Option<&str>) -> Result<Option<LocalizedText>, StoreError> {
    raw.map(|r| text_from_json(what, r)).transpose()
}

/// `,pl,en,`: each tag framed by commas so that a LIKE on `,pl,` never matches `,pl-x,`.
fn encode_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::from(",");
    for item in items {
        out.push_str(item);
        out.push(',');
    }
    out
}

fn decode_list(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(',').filter(|s| !s.is_empty())
}

impl TryFrom<Model> for Programme {
    type Error = StoreError;

    fn try_from(m: Model) -> Result<Self, StoreError> {
        let per_activity: BTreeMap<ActivityType, u8> = match m.completion_per_activity.as_deref() {
            Some(raw) => from_json("programmes.completion_per_activity", raw)?,
            None => BTreeMap::new(),
        };
        let fee = match (m.fee_amount_minor, m.fee_currency.as_deref()) {
            (Some(amount), Some(currency)) => Some(
                Currency::parse(currency)
                    .and_then(|c| Money::new(amount, c))
                    .map_err(|e| corrupt("programmes.fee", e))?,
            ),
            _ => None,
        };
        Ok(Programme {
            id: m.id.into(),
            organisation_id: m.organisation_id.into(),
            organisation_path: OrganisationPath::decode(&m.organisation_path)
                .map_err(|e| corrupt("programmes.organisation_path", e))?,
            status: ProgrammeStatus::parse(&m.status)
                .map_err(|e| corrupt("programmes.status", e))?,
            kind: ProgrammeKind::parse(&m.kind).map_err(|e| corrupt("programmes.kind", e))?,
            title: text_from_json("programmes.title", &m.title)?,
            summary: optional_text("programmes.summary", m.summary.as_deref())?,
            description: optional_text("programmes.description", m.description.as_deref())?,
            period: Period::new(m.starts_on, m.ends_on)
                .map_err(|e| corrupt("programmes.ends_on", e))?,
            time_zone: TimeZone::parse(&m.time_zone)
                .map_err(|e| corrupt("programmes.time_zone", e))?,
            languages: decode_list(&m.languages)
                .map(Locale::parse)
                .collect::<Result<_, _>>()
                .map_err(|e| corrupt("programmes.languages", e))?,
            target_audience: optional_text(
                "programmes.target_audience",
                m.target_audience.as_deref(),
            )?,
            capacity: m
                .capacity
                .map(u32::try_from)
                .transpose()
                .map_err(|e| corrupt("programmes.capacity", e))?,
            registration_policy: RegistrationPolicy::parse(&m.registration_policy)
                .map_err(|e| corrupt("programmes.registration_policy", e))?,
            registration_opens_at: m.registration_opens_at,
            registration_closes_at: m.registration_closes_at,
            cancellation_closes_at: m.cancellation_closes_at,
            eligibility: Eligibility {
                workplace_within: m.eligible_workplace_id.map(Into::into),
                job_roles: decode_list(m.eligible_job_roles.as_deref().unwrap_or_default())
                    .map(JobRole::parse)
                    .collect::<Result<_, _>>()
                    .map_err(|e| corrupt("programmes.eligible_job_roles", e))?,
                verified_employment: m.eligible_verified_employment,
            },
            priority: match m.priority_job_roles.as_deref() {
                None => None,
                Some(roles) => Some(Priority {
                    job_roles: decode_list(roles)
                        .map(JobRole::parse)
                        .collect::<Result<_, _>>()
                        .map_err(|e| corrupt("programmes.priority_job_roles", e))?,
                    reserved_places: u32::try_from(m.priority_reserved_places)
                        .map_err(|e| corrupt("programmes.priority_reserved_places", e))?,
                    reserved_until: m.priority_reserved_until,
                }),
            },
            reservation_released_at: m.reservation_released_at,
            seat_caps: m
                .seat_caps
                .as_deref()
                .map(caps_from_json)
                .transpose()?
                .unwrap_or_default(),
            questions: m
                .questions
                .as_deref()
                .map(questions_from_json)
                .transpose()?
                .unwrap_or_default(),
            completion_rule: CompletionRule {
                min_attended_percent: u8::try_from(m.completion_min_percent)
                    .map_err(|e| corrupt("programmes.completion_min_percent", e))?,
                per_activity_type: per_activity,
            },
            contact: Contact {
                name: m.contact_name,
                email: m
                    .contact_email
                    .as_deref()
                    .map(Email::parse)
                    .transpose()
                    .map_err(|e| corrupt("programmes.contact_email", e))?,
                phone: m.contact_phone,
            },
            fee,
            attendance_window_days: u32::try_from(m.attendance_window_days)
                .map_err(|e| corrupt("programmes.attendance_window_days", e))?,
            certificate_issuance: CertificateIssuance::parse(&m.certificate_issuance)
                .map_err(|e| corrupt("programmes.certificate_issuance", e))?,
            mobility: m.mobility.as_deref().map(mobility_from_json).transpose()?,
            confirmed_count: u32::try_from(m.confirmed_count).unwrap_or(0),
            waitlist_count: u32::try_from(m.waitlist_count).unwrap_or(0),
            published_at: m.published_at,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn active(p: &Programme) -> ActiveModel {
    ActiveModel {
        id: Set(p.id.as_uuid()),
        organisation_id: Set(p.organisation_id.as_uuid()),
        organisation_path: Set(p.organisation_path.encode()),
        status: Set(p.status.as_str().to_string()),
        kind: Set(p.kind.as_str().to_string()),
        title: Set(text_to_json(&p.title)),
        title_search: Set(p.title.search_key()),
        summary: Set(p.summary.as_ref().map(text_to_json)),
        description: Set(p.description.as_ref().map(text_to_json)),
        starts_on: Set(p.period.starts_on()),
        ends_on: Set(p.period.ends_on()),
        time_zone: Set(p.time_zone.name().to_string()),
        languages: Set(encode_list(p.languages.iter().map(Locale::as_str))),
        target_audience: Set(p.target_audience.as_ref().map(text_to_json)),
        capacity: Set(p.capacity.and_then(|c| i32::try_from(c).ok())),
        registration_policy: Set(p.registration_policy.as_str().to_string()),
        registration_opens_at: Set(p.registration_opens_at),
        registration_closes_at: Set(p.registration_closes_at),
        cancellation_closes_at: Set(p.cancellation_closes_at),
        eligible_workplace_id: Set(p.eligibility.workplace_within.map(|o| o.as_uuid())),
        eligible_job_roles: Set((!p.eligibility.job_roles.is_empty())
            .then(|| encode_list(p.eligibility.job_roles.iter().map(JobRole::as_str)))),
        eligible_verified_employment: Set(p.eligibility.verified_employment),
        priority_job_roles: Set(p
            .priority
            .as_ref()
            .map(|g| encode_list(g.job_roles.iter().map(JobRole::as_str)))),
        priority_reserved_places: Set(p
            .priority
            .as_ref()
            .map_or(0, |g| i32::try_from(g.reserved_places).unwrap_or(i32::MAX))),
        priority_reserved_until: Set(p.priority.as_ref().and_then(|g| g.reserved_until)),
        // Moved only by `mark_reservation_released` (and back to NULL when the rules change).
        reservation_released_at: sea_orm::ActiveValue::NotSet,
        seat_caps: Set(caps_to_json(&p.seat_caps)),
        questions: Set(questions_to_json(&p.questions)),
        completion_min_percent: Set(i16::from(p.completion_rule.min_attended_percent)),
        completion_per_activity: Set((!p.completion_rule.per_activity_type.is_empty()).then(
            || {
                serde_json::to_string(&p.completion_rule.per_activity_type)
                    .unwrap_or_else(|_| "{}".to_string())
            },
        )),
        contact_name: Set(p.contact.name.clone()),
        contact_email: Set(p.contact.email.as_ref().map(|e| e.as_str().to_string())),
        contact_phone: Set(p.contact.phone.clone()),
        fee_amount_minor: Set(p.fee.map(|f| f.amount_minor())),
        fee_currency: Set(p.fee.map(|f| f.currency().code().to_string())),
        attendance_window_days: Set(i32::try_from(p.attendance_window_days).unwrap_or(i32::MAX)),
        certificate_issuance: Set(p.certificate_issuance.as_str().to_string()),
        mobility: Set(p.mobility.as_ref().map(mobility_to_json)),
        confirmed_count: Set(i32::try_from(p.confirmed_count).unwrap_or(i32::MAX)),
        waitlist_count: Set(i32::try_from(p.waitlist_count).unwrap_or(i32::MAX)),
        // Moved only by `registrations::take_arrival`.
        last_arrival: sea_orm::ActiveValue::NotSet,
        published_at: Set(p.published_at),
        version: Set(p.version),
        created_at: Set(p.created_at),
        updated_at: Set(p.updated_at),
    }
}

pub async fn insert(conn: &impl ConnectionTrait, programme: &Programme) -> Result<(), StoreError> {
    active(programme).insert(conn).await?;
    Ok(())
}

/// Writes the programme's own fields back. The seat counters are left alone: only the
/// registration transactions move them, under their own conditional updates.
pub async fn save(conn: &impl ConnectionTrait, programme: &Programme) -> Result<(), StoreError> {
    let mut model = active(programme);
    model.confirmed_count = sea_orm::ActiveValue::NotSet;
    model.waitlist_count = sea_orm::ActiveValue::NotSet;
    model.update(conn).await?;
    Ok(())
}

/// Reads a programme; with `lock`, holds its row until the transaction ends (PostgreSQL
/// `FOR UPDATE`; on SQLite the IMMEDIATE write transaction already excludes other writers).
/// Every change to a programme's sessions or budget takes this lock first, so two concurrent
/// session writes cannot both fit into the last minutes of a budget line.
pub async fn find(
    conn: &impl ConnectionTrait,
    id: ProgrammeId,
    lock: bool,
) -> Result<Option<Programme>, StoreError> {
    let mut query = Entity::find_by_id(id.as_uuid());
    if lock {
        query = query.lock_exclusive();
    }
    query.one(conn).await?.map(Programme::try_from).transpose()
}

pub async fn find_many(
    conn: &impl ConnectionTrait,
    ids: &[ProgrammeId],
) -> Result<Vec<Programme>, StoreError> {
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().map(|id| id.as_uuid())))
        .all(conn)
        .await?
        .into_iter()
        .map(Programme::try_from)
        .collect()
}

/// Which programmes a caller may see in lists (see `policy::programme`).
#[derive(Debug, Clone)]
pub enum ProgrammeScope {
    Everything,
    /// Public programmes, plus everything under these organisations, plus the programmes this
    /// account teaches in.
    Some {
        subtrees: Vec<OrganisationId>,
        teacher: Option<AccountId>,
    },
}

#[derive(Debug, Default)]
pub struct ProgrammeFilter {
    pub organisation_within: Option<OrganisationId>,
    pub status: Option<ProgrammeStatus>,
    pub kind: Option<ProgrammeKind>,
    /// Programmes running on or after this date.
    pub from: Option<NaiveDate>,
    /// Programmes running on or before this date.
    pub to: Option<NaiveDate>,
    pub language: Option<Locale>,
    /// Lower-cased text a title (in any language) must contain.
    pub title_contains: Option<String>,
    /// Published and with the registration window open at this instant.
    pub open_at: Option<DateTime<Utc>>,
}

pub async fn list(
    conn: &impl ConnectionTrait,
    scope: &ProgrammeScope,
    filter: &ProgrammeFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<Programme>, StoreError> {
    let mut query = Entity::find();
    if let ProgrammeScope::Some { subtrees, teacher } = scope {
        let mut visible = Condition::any()
            .add(Column::Status.is_in([
                ProgrammeStatus::Published.as_str(),
                ProgrammeStatus::Closed.as_str(),
            ]))
            .add(under_any(Column::OrganisationPath, subtrees));
        if let Some(teacher) = teacher {
            visible = visible.add(Column::Id.in_subquery(taught_by(*teacher)));
        }
        query = query.filter(visible);
    }
    if let Some(root) = filter.organisation_within {
        query = query.filter(under_any(Column::OrganisationPath, &[root]));
    }
    if let Some(status) = filter.status {
        query = query.filter(Column::Status.eq(status.as_str()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(Column::Kind.eq(kind.as_str()));
    }
    if let Some(from) = filter.from {
        query = query.filter(Column::EndsOn.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(Column::StartsOn.lte(to));
    }
    if let Some(language) = &filter.language {
        query = query.filter(Column::Languages.contains(format!(",{},", language.as_str())));
    }
    if let Some(text) = &filter.title_contains {
        // `title_search` is stored lower-cased (Unicode-aware, by Rust), so a plain LIKE
        // matches case-insensitively on both databases, Polish and Swedish letters included.
        query = query.filter(super::contains(Column::TitleSearch, text));
    }
    if let Some(now) = filter.open_at {
        query = query
            .filter(Column::Status.eq(ProgrammeStatus::Published.as_str()))
            .filter(Column::RegistrationOpensAt.lte(now))
            .filter(Column::RegistrationClosesAt.gt(now));
    }
    let rows = page_query(query, Column::Id, after, limit)
        .all(conn)
        .await?;
    let items = rows
        .into_iter()
        .map(Programme::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(into_page(items, limit, |p| p.id.as_uuid()))
}

/// The programmes with a session this account teaches.
fn taught_by(teacher: AccountId) -> sea_orm::sea_query::SelectStatement {
    let sessions_taught = Query::select()
        .column(session_trainer::Column::SessionId)
        .from(session_trainer::Entity)
        .and_where(session_trainer::Column::AccountId.eq(teacher.as_uuid()))
        .to_owned();
    Query::select()
        .column(session::Column::ProgrammeId)
        .from(session::Entity)
        .and_where(session::Column::Id.in_subquery(sessions_taught))
        .to_owned()
}

/// Whether the account teaches at least one session of the programme.
pub async fn is_taught_by(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
    teacher: AccountId,
) -> Result<bool, StoreError> {
    let found = Entity::find()
        .filter(Column::Id.eq(programme.as_uuid()))
        .filter(Column::Id.in_subquery(taught_by(teacher)))
        .one(conn)
        .await?;
    Ok(found.is_some())
}

pub async fn budget(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
) -> Result<HourBudget, StoreError> {
    let lines = hour_budget_line::Entity::find()
        .filter(hour_budget_line::Column::ProgrammeId.eq(programme.as_uuid()))
        .all(conn)
        .await?
        .into_iter()
        .map(|l| {
            Ok(BudgetLine {
                activity_type: ActivityType::parse(&l.activity_type)
                    .map_err(|e| corrupt("hour_budget_lines.activity_type", e))?,
                planned_minutes: u32::try_from(l.planned_minutes)
                    .map_err(|e| corrupt("hour_budget_lines.planned_minutes", e))?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    HourBudget::parse(&lines).map_err(|e| corrupt("hour_budget_lines", e.1))
}

/// Replaces a programme's hour budget.
pub async fn replace_budget(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
    budget: &HourBudget,
) -> Result<(), StoreError> {
    hour_budget_line::Entity::delete_many()
        .filter(hour_budget_line::Column::ProgrammeId.eq(programme.as_uuid()))
        .exec(conn)
        .await?;
    if budget.is_empty() {
        return Ok(());
    }
    hour_budget_line::Entity::insert_many(budget.lines().map(|line| {
        hour_budget_line::ActiveModel {
            programme_id: Set(programme.as_uuid()),
            activity_type: Set(line.activity_type.as_str().to_string()),
            planned_minutes: Set(i32::try_from(line.planned_minutes).unwrap_or(i32::MAX)),
        }
    }))
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Records when the places held for a programme's priority group went back to everyone
/// (`None`: not yet, after its rules changed). Under the programme's row lock.
pub async fn set_reservation_released(
    conn: &impl ConnectionTrait,
    id: ProgrammeId,
    at: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(
            Column::ReservationReleasedAt,
            sea_orm::sea_query::Expr::value(at),
        )
        .filter(Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Published programmes whose reserved places were held until an instant now past, and whose
/// release nobody has noticed yet: the worker's round.
pub async fn reservations_ended(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<ProgrammeId>, StoreError> {
    let ids: Vec<Uuid> = Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::PriorityReservedUntil.lte(now))
        .filter(Column::ReservationReleasedAt.is_null())
        .filter(Column::PriorityReservedPlaces.gt(0))
        .filter(Column::Status.eq(ProgrammeStatus::Published.as_str()))
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(ids.into_iter().map(Into::into).collect())
}
