//! Change a funder: organisers of the keeping organisation, with `If-Match`.

use chrono::Utc;
use kompetens_domain::country::CountryCode;
use kompetens_domain::funding::{FUNDER_NAME_CHARS, Funder, FunderKind};
use kompetens_domain::ids::FunderId;
use kompetens_domain::policy::{self, Audience};
use kompetens_domain::text::{Line, WebUrl};
use kompetens_persistence::repo::funders;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::patch::{apply, nullable, set};
use crate::{App, AppError, Caller, check_version};

/// Fields to change; `null` clears `country` or `website`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"website": "https://www.unicef.org/poland"}))]
pub struct FunderChanges {
    #[serde(default)]
    #[schema(nullable = false)]
    pub name: Option<Line<{ FUNDER_NAME_CHARS }>>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub kind: Option<FunderKind>,
    #[serde(default, deserialize_with = "nullable")]
    pub country: Option<Option<CountryCode>>,
    #[serde(default, deserialize_with = "nullable")]
    pub website: Option<Option<WebUrl>>,
}

pub async fn update(
    app: &App,
    caller: &Caller,
    id: FunderId,
    expected_version: Option<i32>,
    changes: FunderChanges,
) -> Result<Funder, AppError> {
    let tx = app.begin().await?;
    let mut funder = funders::find(&tx, id, true)
        .await?
        .ok_or(AppError::NotFound)?;
    AppError::check(policy::owned_record(
        Some(&caller.actor),
        &funder.organisation_path,
        Audience::SignedIn,
        true,
    ))?;
    check_version(expected_version, funder.version)?;
    set(&mut funder.name, changes.name.map(Into::into));
    set(&mut funder.kind, changes.kind);
    apply(&mut funder.country, changes.country);
    apply(
        &mut funder.website,
        changes.website.map(|v| v.map(WebUrl::into_string)),
    );
    funder.version += 1;
    funder.updated_at = Utc::now();
    funders::save(&tx, &funder).await?;
    tx.commit().await?;
    Ok(funder)
}
