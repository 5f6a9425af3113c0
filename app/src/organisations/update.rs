//! Change an organisation: its organisers, with `If-Match`.

use chrono::Utc;
use kompetens_domain::country::CountryCode;
use kompetens_domain::ids::OrganisationId;
use kompetens_domain::organisation::{OrganisationKind, OrganisationName};
use kompetens_domain::policy::OrganisationAction;
use kompetens_domain::time_zone::TimeZone;
use kompetens_persistence::repo::Updated;
use kompetens_persistence::repo::organisations::{self as repo, OrganisationChanges};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Organisation, authorised};
use crate::{App, AppError, Caller};

/// Fields to change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Szkoła Podstawowa nr 12 im. Marii Konopnickiej"}))]
pub struct UpdateOrganisationRequest {
    #[serde(default)]
    #[schema(nullable = false)]
    pub name: Option<OrganisationName>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub kind: Option<OrganisationKind>,
    /// ISO 3166-1 alpha-2.
    #[serde(default)]
    #[schema(nullable = false)]
    pub country: Option<CountryCode>,
    /// IANA time zone.
    #[serde(default)]
    #[schema(nullable = false)]
    pub time_zone: Option<TimeZone>,
}

pub async fn update(
    app: &App,
    caller: &Caller,
    id: OrganisationId,
    expected_version: Option<i32>,
    changes: UpdateOrganisationRequest,
) -> Result<Organisation, AppError> {
    let tx = app.begin().await?;
    let organisation = authorised(&tx, &caller.actor, id, OrganisationAction::Update).await?;
    let changes = OrganisationChanges {
        name: changes.name,
        kind: changes.kind,
        country: changes.country,
        time_zone: changes.time_zone,
    };
    let updated =
        match repo::update(&tx, organisation.id, expected_version, changes, Utc::now()).await? {
            Updated::Done(o) => o,
            Updated::Stale => return Err(AppError::PreconditionFailed),
            Updated::NotFound => return Err(AppError::NotFound),
        };
    tx.commit().await?;
    Ok(updated)
}
