//! Create a grant to an organisation the caller organises.

use chrono::{NaiveDate, Utc};
use kompetens_domain::funding::{
    FundedMinutes, GRANT_REFERENCE_CHARS, GRANT_TITLE_CHARS, Grant, GrantStatus,
};
use kompetens_domain::ids::{FunderId, GrantId, OrganisationId};
use kompetens_domain::money::Money;
use kompetens_domain::programme::Period;
use kompetens_domain::text::Line;
use kompetens_persistence::repo::{funders, grants};
use serde::Deserialize;
use utoipa::ToSchema;

use super::GrantView;
use crate::organisations::organised_by;
use crate::{App, AppError, Caller, FieldError, Once, Outcome};

/// A new grant to an organisation you organise.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"funder_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e80", "recipient_organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61", "reference": "UNICEF/PL/2026/014", "title": "Wsparcie asystentów międzykulturowych w szkołach", "amount": {"amount_minor": 18900000, "currency": "PLN"}, "starts_on": "2026-03-01", "ends_on": "2026-12-31", "funded_minutes": 2400, "status": "active"}))]
pub struct NewGrant {
    pub funder_id: FunderId,
    /// The organisation that receives the money; you must organise it.
    pub recipient_organisation_id: OrganisationId,
    /// The funder's reference (agreement or decision number).
    pub reference: Line<{ GRANT_REFERENCE_CHARS }>,
    pub title: Line<{ GRANT_TITLE_CHARS }>,
    /// Required, as the schema says: optional here only so that an amount refused on its own
    /// still leaves the dates to be checked against each other, in the same answer.
    #[serde(default)]
    #[schema(required = true, nullable = false)]
    pub amount: Option<Money>,
    pub starts_on: NaiveDate,
    /// On or after `starts_on`.
    pub ends_on: NaiveDate,
    /// The minutes of training the grant pays for, if it says.
    #[serde(default)]
    pub funded_minutes: Option<FundedMinutes>,
    /// Default `awarded`.
    #[serde(default)]
    pub status: Option<GrantStatus>,
}

impl crate::Validate for NewGrant {
    fn validate(&self) -> Vec<FieldError> {
        match Period::new(self.starts_on, self.ends_on) {
            Ok(_) => Vec::new(),
            Err(e) => vec![FieldError::at("/ends_on", e.0)],
        }
    }
}

pub async fn create(
    app: &App,
    caller: &Caller,
    new: NewGrant,
    once: Once<'_, GrantView>,
) -> Result<Outcome<GrantView>, AppError> {
    let problems = crate::Validate::validate(&new);
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let amount = new
        .amount
        .ok_or_else(|| AppError::invalid("/amount", "is required"))?;
    let now = Utc::now();
    let tx = app.begin().await?;
    if let Some(first) = once.replay(&tx, caller.account_id(), now).await? {
        return Ok(Outcome::Replayed(first));
    }
    let owner = organised_by(
        &tx,
        &caller.actor,
        new.recipient_organisation_id,
        "/recipient_organisation_id",
    )
    .await?;
    if funders::find(&tx, new.funder_id, false).await?.is_none() {
        return Err(AppError::invalid("/funder_id", "no such funder"));
    }
    let grant = Grant {
        id: GrantId::new(),
        funder_id: new.funder_id,
        recipient_organisation_id: owner.id,
        organisation_path: owner.path,
        reference: new.reference.into(),
        title: new.title.into(),
        amount,
        starts_on: new.starts_on,
        ends_on: new.ends_on,
        funded_minutes: new.funded_minutes.map(FundedMinutes::get),
        status: new.status.unwrap_or(GrantStatus::Awarded),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    grants::insert(&tx, &grant).await?;
    let view = GrantView {
        grant,
        programme_ids: Vec::new(),
    };
    once.remember(&tx, caller.account_id(), &view, now).await?;
    tx.commit().await?;
    tracing::info!(grant_id = %view.grant.id, "grant created");
    Ok(Outcome::Fresh(view))
}
