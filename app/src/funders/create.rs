//! Create a funder, kept by an organisation the caller organises.

use chrono::Utc;
use kompetens_domain::country::CountryCode;
use kompetens_domain::funding::{FUNDER_NAME_CHARS, Funder, FunderKind};
use kompetens_domain::ids::{FunderId, OrganisationId};
use kompetens_domain::text::{Line, WebUrl};
use kompetens_persistence::repo::funders;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::organisations::organised_by;
use crate::{App, AppError, Caller, Once, Outcome};

/// A new funder, kept by an organisation you organise.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61", "name": "UNICEF Polska", "kind": "international_organisation", "country": "PL", "website": "https://www.unicef.pl"}))]
pub struct NewFunder {
    /// The organisation that keeps the record; you must organise it.
    pub organisation_id: OrganisationId,
    pub name: Line<{ FUNDER_NAME_CHARS }>,
    pub kind: FunderKind,
    /// ISO 3166-1 alpha-2, if the funder is national.
    #[serde(default)]
    pub country: Option<CountryCode>,
    #[serde(default)]
    pub website: Option<WebUrl>,
}

pub async fn create(
    app: &App,
    caller: &Caller,
    new: NewFunder,
    once: Once<'_, Funder>,
) -> Result<Outcome<Funder>, AppError> {
    let now = Utc::now();
    let tx = app.begin().await?;
    if let Some(first) = once.replay(&tx, caller.account_id(), now).await? {
        return Ok(Outcome::Replayed(first));
    }
    let owner = organised_by(&tx, &caller.actor, new.organisation_id, "/organisation_id").await?;
    let funder = Funder {
        id: FunderId::new(),
        organisation_id: owner.id,
        organisation_path: owner.path,
        name: new.name.into(),
        kind: new.kind,
        country: new.country,
        website: new.website.map(WebUrl::into_string),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    funders::insert(&tx, &funder).await?;
    once.remember(&tx, caller.account_id(), &funder, now)
        .await?;
    tx.commit().await?;
    tracing::info!(funder_id = %funder.id, "funder created");
    Ok(Outcome::Fresh(funder))
}
