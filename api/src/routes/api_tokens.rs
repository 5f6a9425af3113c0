//! API tokens for scripts: shown once, stored hashed, listed without the secret, revocable.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use kompetens_domain::ids::{ApiTokenId, OrganisationId};
use kompetens_domain::policy::{self, Decision};
use kompetens_domain::role::Role;
use kompetens_persistence::begin_write;
use kompetens_persistence::repo::api_tokens::{self, ApiToken, NewApiToken};
use kompetens_persistence::repo::organisations;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::auth::tokens::{API_TOKEN_PREFIX, digest, new_opaque};
use crate::error::{ApiError, Problem};
use crate::extract::{JsonBody, PageParams, encode_cursor, read};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e80",
    "name": "registrations import",
    "organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e60",
    "role": "organiser",
    "prefix": "kpt_3q2-7wE",
    "created_at": "2026-11-22T10:00:00Z",
    "expires_at": "2027-06-30T00:00:00Z"
}))]
pub struct ApiTokenResponse {
    pub id: Uuid,
    pub name: String,
    pub organisation_id: Uuid,
    pub role: Role,
    /// The first characters of the token, to tell tokens apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<&ApiToken> for ApiTokenResponse {
    fn from(t: &ApiToken) -> Self {
        ApiTokenResponse {
            id: t.id.as_uuid(),
            name: t.name.clone(),
            organisation_id: t.organisation_id.as_uuid(),
            role: t.role,
            prefix: t.prefix.clone(),
            created_at: t.created_at,
            expires_at: t.expires_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e80",
    "name": "registrations import",
    "organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e60",
    "role": "organiser",
    "prefix": "kpt_3q2-7wE",
    "created_at": "2026-11-22T10:00:00Z",
    "expires_at": null,
    "token": "kpt_3q2-7wEvVxQk1dYpZ0yF8mJtR6nB4cXaLsHgUoIeK9w"
}))]
pub struct CreatedApiTokenResponse {
    #[serde(flatten)]
    pub api_token: ApiTokenResponse,
    /// The secret. Shown only in this response: store it now.
    pub token: String,
}

#[derive(Serialize, ToSchema)]
pub struct ApiTokenList {
    pub items: Vec<ApiTokenResponse>,
    pub next_cursor: Option<String>,
}

/// A token acting as `role` in `organisation_id`, which you must hold (or organise).
#[derive(ToSchema)]
#[schema(example = json!({"name": "registrations import", "organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e60", "role": "organiser", "expires_at": "2027-06-30T00:00:00Z"}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct CreateApiTokenRequest {
    /// What the token is for, 1–100 characters.
    name: String,
    organisation_id: Uuid,
    role: Role,
    /// When the token stops working; none means until revoked.
    expires_at: Option<DateTime<Utc>>,
}

fn token_name(raw: &str) -> Result<String, kompetens_domain::Invalid> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(kompetens_domain::Invalid::new(
            "must be 1 to 100 characters",
        ));
    }
    Ok(name.to_string())
}

/// Create an API token for a script.
#[utoipa::path(
    tag = "api-tokens",
    security(("bearer" = [])),
    request_body = CreateApiTokenRequest,
    responses(
        (status = 201, description = "Created; the secret is in `token` and is never shown again", body = CreatedApiTokenResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You do not hold this role there, or you called with an API token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an organisation you cannot see", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/me/api-tokens")]
pub async fn create_api_token(
    state: web::Data<AppState>,
    caller: Authenticated,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    caller.require_session()?;
    let mut f = body.fields()?;
    let name = f.required("name", read::parsed(token_name));
    let organisation_id = f.required("organisation_id", read::uuid);
    let role = f.required("role", read::parsed(Role::parse));
    let expires_at = f.optional("expires_at", read::instant);
    f.finish()?;
    let (Some(name), Some(organisation_id), Some(role)) = (name, organisation_id, role) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    let now = Utc::now();
    if expires_at.is_some_and(|e| e <= now) {
        return Err(ApiError::invalid("/expires_at", "must be in the future"));
    }
    let organisation =
        organisations::find(&state.db, OrganisationId::from_uuid(organisation_id)).await?;
    let decision = organisation.as_ref().map_or(Decision::NotFound, |o| {
        policy::api_token(&caller.actor, &o.path, role)
    });
    let organisation = match (decision, organisation) {
        (Decision::Allow, Some(o)) => o,
        (Decision::Forbidden, _) => {
            return Err(ApiError::Forbidden(format!(
                "you do not hold the role {role} in this organisation"
            )));
        }
        _ => {
            return Err(ApiError::invalid(
                "/organisation_id",
                "no such organisation",
            ));
        }
    };
    let secret = new_opaque(API_TOKEN_PREFIX)?;
    let prefix: String = secret.chars().take(11).collect();
    let tx = begin_write(&state.db).await?;
    let new = NewApiToken {
        account_id: caller.account_id(),
        organisation_id: organisation.id,
        role,
        name,
        token_hash: digest(&secret),
        prefix,
        expires_at,
    };
    let token = api_tokens::insert(&tx, new, now).await?;
    tx.commit().await?;
    tracing::info!(api_token_id = %token.id, organisation_id = %organisation.id, %role, "API token created");
    Ok(HttpResponse::Created()
        .insert_header(super::location(format!("/me/api-tokens/{}", token.id)))
        .json(CreatedApiTokenResponse {
            api_token: ApiTokenResponse::from(&token),
            token: secret,
        }))
}

/// List your live API tokens (without their secrets).
#[utoipa::path(
    tag = "api-tokens",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of tokens", body = ApiTokenList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `limit` or `cursor`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/me/api-tokens")]
pub async fn list_api_tokens(
    state: web::Data<AppState>,
    caller: Authenticated,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = page.parse()?;
    let page = api_tokens::list_for_account(&state.db, caller.account_id(), after, limit).await?;
    Ok(HttpResponse::Ok().json(ApiTokenList {
        items: page.items.iter().map(ApiTokenResponse::from).collect(),
        next_cursor: page.next_after.map(encode_cursor),
    }))
}

/// Revoke one of your API tokens.
#[utoipa::path(
    tag = "api-tokens",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "API token id")),
    responses(
        (status = 204, description = "Revoked: the token no longer authenticates"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Called with an API token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such live token of yours", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/me/api-tokens/{id}")]
pub async fn revoke_api_token(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require_session()?;
    let tx = begin_write(&state.db).await?;
    let revoked = api_tokens::revoke(
        &tx,
        caller.account_id(),
        ApiTokenId::from_uuid(*id),
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    if revoked {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound)
    }
}
