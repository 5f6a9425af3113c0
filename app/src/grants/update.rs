//! Change a grant: organisers of the recipient's subtree, with `If-Match`.

use chrono::{NaiveDate, Utc};
use kompetens_domain::funding::{FundedMinutes, GRANT_REFERENCE_CHARS, GRANT_TITLE_CHARS};
use kompetens_domain::ids::GrantId;
use kompetens_domain::money::Money;
use kompetens_domain::programme::Period;
use kompetens_domain::text::Line;
use kompetens_persistence::repo::grants;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{GrantStatus, GrantView, managed, view};
use crate::patch::{apply, nullable, set};
use crate::{App, AppError, Caller, check_version};

/// Fields to change; `null` clears `funded_minutes`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "closed"}))]
pub struct GrantChanges {
    #[serde(default)]
    #[schema(nullable = false)]
    pub reference: Option<Line<{ GRANT_REFERENCE_CHARS }>>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub title: Option<Line<{ GRANT_TITLE_CHARS }>>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub amount: Option<Money>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub starts_on: Option<NaiveDate>,
    /// On or after `starts_on` (as sent, or as it is).
    #[serde(default)]
    #[schema(nullable = false)]
    pub ends_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "nullable")]
    pub funded_minutes: Option<Option<FundedMinutes>>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub status: Option<GrantStatus>,
}

pub async fn update(
    app: &App,
    caller: &Caller,
    id: GrantId,
    expected_version: Option<i32>,
    changes: GrantChanges,
) -> Result<GrantView, AppError> {
    let tx = app.begin().await?;
    let mut grant = managed(&tx, caller, id, true).await?;
    check_version(expected_version, grant.version)?;
    set(&mut grant.reference, changes.reference.map(Into::into));
    set(&mut grant.title, changes.title.map(Into::into));
    set(&mut grant.amount, changes.amount);
    set(&mut grant.starts_on, changes.starts_on);
    set(&mut grant.ends_on, changes.ends_on);
    apply(
        &mut grant.funded_minutes,
        changes.funded_minutes.map(|v| v.map(FundedMinutes::get)),
    );
    set(&mut grant.status, changes.status);
    if let Err(e) = Period::new(grant.starts_on, grant.ends_on) {
        return Err(AppError::refused_value("/ends_on", e));
    }
    grant.version += 1;
    grant.updated_at = Utc::now();
    grants::save(&tx, &grant).await?;
    let view = view(&tx, grant).await?;
    tx.commit().await?;
    Ok(view)
}
