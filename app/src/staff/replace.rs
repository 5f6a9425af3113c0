//! Replace an organisation's roster as a whole, and say what that added, changed and ended.

use chrono::{NaiveDate, Utc};
use kompetens_domain::email::Email;
use kompetens_domain::ids::OrganisationId;
use kompetens_domain::role::JobRole;
use kompetens_domain::staff::{self as rules, Changes, Problem, Roster, StaffEntry};
use kompetens_persistence::repo::staff;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::probe::Guard;
use crate::{App, AppError, Caller, FieldError, Validate};

/// One person on the roster.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "olena.kovalenko@sp12.gdansk.pl", "job_role": "intercultural_assistant", "employed_from": "2025-09-01", "employed_until": null}))]
pub struct StaffEntryRequest {
    /// Matched, without regard to case, against the address a person has verified.
    pub email: Email,
    pub job_role: JobRole,
    /// The first day employed.
    pub employed_from: NaiveDate,
    /// The last day employed (inclusive), not before `employed_from`; `null` or left out while
    /// the employment lasts.
    #[serde(default)]
    pub employed_until: Option<NaiveDate>,
}

impl From<&StaffEntryRequest> for StaffEntry {
    fn from(e: &StaffEntryRequest) -> Self {
        StaffEntry {
            email: e.email.clone(),
            job_role: e.job_role,
            employed_from: e.employed_from,
            employed_until: e.employed_until,
        }
    }
}

/// The whole new roster: every person the organisation employs, each address once.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct RosterRequest(pub Vec<StaffEntryRequest>);

impl utoipa::PartialSchema for RosterRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, Ref};
        ArrayBuilder::new()
            .items(Ref::from_schema_name("StaffEntryRequest"))
            .max_items(Some(rules::MAX_ENTRIES))
            .description(Some(
                "The whole roster: every entry replaces what was there, each e-mail address at \
                 most once, at most 20,000 entries.",
            ))
            .examples([serde_json::json!([
                {"email": "olena.kovalenko@sp12.gdansk.pl", "job_role": "intercultural_assistant", "employed_from": "2025-09-01"},
                {"email": "jan.nowak@sp12.gdansk.pl", "job_role": "teacher", "employed_from": "2019-09-01", "employed_until": "2027-08-31"}
            ])])
            .into()
    }
}

impl ToSchema for RosterRequest {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("RosterRequest")
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        schemas.push((
            StaffEntryRequest::name().into_owned(),
            <StaffEntryRequest as utoipa::PartialSchema>::schema(),
        ));
        <StaffEntryRequest as ToSchema>::schemas(schemas);
    }
}

fn field_errors(problems: Vec<Problem>) -> Vec<FieldError> {
    problems
        .into_iter()
        .map(|p| FieldError::at(p.pointer(), p.detail))
        .collect()
}

impl Validate for RosterRequest {
    /// Between entries: an address twice, an employment ending before it starts.
    fn validate(&self) -> Vec<FieldError> {
        match Roster::new(self.0.iter().map(StaffEntry::from).collect()) {
            Ok(_) => Vec::new(),
            Err(problems) => field_errors(problems),
        }
    }
}

impl RosterRequest {
    pub fn into_roster(self) -> Result<Roster, AppError> {
        Roster::new(self.0.iter().map(StaffEntry::from).collect())
            .map_err(|p| AppError::Validation(field_errors(p)))
    }
}

/// A roster sent as CSV (see [`rules::parse_csv`]): every problem at the pointer the entry
/// would have in JSON, its line in the detail.
pub fn roster_from_csv(text: &str) -> Result<Roster, AppError> {
    rules::parse_csv(text).map_err(|p| AppError::Validation(field_errors(p)))
}

pub async fn replace(
    app: &App,
    caller: &Caller,
    organisation: OrganisationId,
    roster: Roster,
) -> Result<Changes, AppError> {
    let tx = app.begin().await?;
    // Who may is decided before the lock is taken: nobody else waits on a caller who may not.
    super::kept_by(&tx, &caller.actor, organisation).await?;
    let organisation = if app.guarded(Guard::RosterLock) {
        staff::lock_organisation(&tx, organisation).await?
    } else {
        kompetens_persistence::repo::organisations::find(&tx, organisation).await?
    }
    .ok_or(AppError::NotFound)?;
    let before = staff::roster(&tx, organisation.id).await?;
    let changes = roster.changes_from(&before);
    // The difference was worked out from the roster read under the lock: a race test widens
    // the gap between that read and the writes here.
    app.after_check(Guard::RosterLock).await;
    staff::apply(&tx, &organisation, &changes, Utc::now()).await?;
    tx.commit().await?;
    tracing::info!(
        organisation_id = %organisation.id,
        added = changes.added.len(),
        changed = changes.changed.len(),
        ended = changes.ended.len(),
        unchanged = changes.unchanged,
        "staff roster replaced"
    );
    Ok(changes)
}
