//! Change one's own profile, with `If-Match`.

use chrono::Utc;
use kompetens_domain::account::PersonName;
use kompetens_domain::ids::OrganisationId;
use kompetens_domain::locale::Locale;
use kompetens_domain::role::JobRole;
use kompetens_persistence::repo::Updated;
use kompetens_persistence::repo::accounts::{self, ProfileChanges};
use kompetens_persistence::repo::organisations;
use serde::Deserialize;
use utoipa::ToSchema;

use super::Me;
use crate::patch::nullable;
use crate::{App, AppError, Caller};

/// Fields to change; `null` clears a field that may be empty.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Anna Kowalska", "locale": "pl", "workplace_organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e60", "job_role": "intercultural_assistant"}))]
pub struct UpdateMeRequest {
    #[serde(default, deserialize_with = "nullable")]
    pub name: Option<Option<PersonName>>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub locale: Option<Locale>,
    /// An organisation id; `null` to clear.
    #[serde(default, deserialize_with = "nullable")]
    pub workplace_organisation_id: Option<Option<OrganisationId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub job_role: Option<Option<JobRole>>,
}

pub async fn update(
    app: &App,
    caller: &Caller,
    expected_version: Option<i32>,
    request: UpdateMeRequest,
) -> Result<Me, AppError> {
    if let Some(Some(id)) = request.workplace_organisation_id
        && organisations::find(app.db(), id).await?.is_none()
    {
        return Err(AppError::invalid(
            "/workplace_organisation_id",
            "no such organisation",
        ));
    }
    let changes = ProfileChanges {
        name: request.name,
        locale: request.locale,
        workplace_organisation_id: request.workplace_organisation_id,
        job_role: request.job_role,
    };
    let tx = app.begin().await?;
    let account = match accounts::update_profile(
        &tx,
        caller.account_id(),
        expected_version,
        changes,
        Utc::now(),
    )
    .await?
    {
        Updated::Done(account) => account,
        Updated::Stale => return Err(AppError::PreconditionFailed),
        Updated::NotFound => return Err(AppError::NotFound),
    };
    tx.commit().await?;
    Me::of(app.db(), account).await
}
