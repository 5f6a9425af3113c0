//! Create an API token acting as a role the caller holds (or organises) in an organisation.

use chrono::{DateTime, Utc};
use kompetens_domain::ids::OrganisationId;
use kompetens_domain::policy::{self, Decision};
use kompetens_domain::role::Role;
use kompetens_domain::text::Line;
use kompetens_persistence::repo::api_tokens::{self, ApiToken, NewApiToken};
use kompetens_persistence::repo::organisations;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::tokens::{API_TOKEN_PREFIX, digest, new_opaque};
use crate::{App, AppError, Caller, Once, Outcome};

/// The longest name of a token.
pub const NAME_CHARS: usize = 100;

/// A token acting as `role` in `organisation_id`, which you must hold (or organise).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "registrations import", "organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e60", "role": "organiser", "expires_at": "2027-06-30T00:00:00Z"}))]
pub struct CreateApiTokenRequest {
    /// What the token is for.
    pub name: Line<{ NAME_CHARS }>,
    pub organisation_id: OrganisationId,
    pub role: Role,
    /// When the token stops working (in the future); none means until revoked.
    #[serde(default)]
    #[schema(nullable = false)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// The new token and its secret, which is shown only once.
pub struct CreatedApiToken {
    pub token: ApiToken,
    pub secret: String,
}

pub async fn create(
    app: &App,
    caller: &Caller,
    request: CreateApiTokenRequest,
    once: Once<'_, CreatedApiToken>,
) -> Result<Outcome<CreatedApiToken>, AppError> {
    caller.require_session()?;
    let now = Utc::now();
    let tx = app.begin().await?;
    if let Some(first) = once.replay(&tx, caller.account_id(), now).await? {
        return Ok(Outcome::Replayed(first));
    }
    if request.expires_at.is_some_and(|e| e <= now) {
        return Err(AppError::invalid("/expires_at", "must be in the future"));
    }
    let role = request.role;
    let organisation = organisations::find(&tx, request.organisation_id).await?;
    let decision = organisation.as_ref().map_or(Decision::NotFound, |o| {
        policy::api_token(&caller.actor, &o.path, role)
    });
    let organisation_id: OrganisationId = match (decision, organisation) {
        (Decision::Allow, Some(o)) => o.id,
        (Decision::Forbidden, _) => {
            return Err(AppError::Forbidden(format!(
                "you do not hold the role {role} in this organisation"
            )));
        }
        _ => {
            return Err(AppError::invalid(
                "/organisation_id",
                "no such organisation",
            ));
        }
    };
    let secret = new_opaque(API_TOKEN_PREFIX)?;
    let prefix: String = secret.chars().take(11).collect();
    let new = NewApiToken {
        account_id: caller.account_id(),
        organisation_id,
        role,
        name: request.name.into(),
        token_hash: digest(&secret),
        prefix,
        expires_at: request.expires_at,
    };
    let token = api_tokens::insert(&tx, new, now).await?;
    let created = CreatedApiToken { token, secret };
    once.remember(&tx, caller.account_id(), &created, now)
        .await?;
    tx.commit().await?;
    tracing::info!(api_token_id = %created.token.id, %organisation_id, %role, "API token created");
    Ok(Outcome::Fresh(created))
}
