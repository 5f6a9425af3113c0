//! API tokens for scripts: shown once, stored hashed, listed without the secret, revocable.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use kompetens_app::PageRequest;
use kompetens_app::api_tokens::{self, ApiToken, CreateApiTokenRequest, CreatedApiToken};
use kompetens_domain::ids::ApiTokenId;
use kompetens_domain::role::Role;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::body::Json;
use crate::error::{ApiError, Problem};
use crate::extract::{PageParams, encode_cursor};
use crate::idempotency::{self, IdempotencyKey};
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

fn created(c: &CreatedApiToken) -> Result<idempotency::Reply, kompetens_app::AppError> {
    idempotency::render(
        201,
        &CreatedApiTokenResponse {
            api_token: ApiTokenResponse::from(&c.token),
            token: c.secret.clone(),
        },
        Some(format!("/me/api-tokens/{}", c.token.id)),
        None,
    )
}

/// Create an API token for a script.
///
/// Send `Idempotency-Key` to make retries safe: a retry within 24 hours gets the first
/// response back, secret included.
#[utoipa::path(
    tag = "api-tokens",
    security(("bearer" = [])),
    request_body = CreateApiTokenRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry for 24 hours")),
    responses(
        (status = 201, description = "Created; the secret is in `token` and is never shown again", body = CreatedApiTokenResponse, headers(("Location" = String))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You do not hold this role there, or you called with an API token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, an organisation you cannot see, or an Idempotency-Key reused for another request", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/me/api-tokens")]
pub async fn create_api_token(
    state: web::Data<AppState>,
    caller: Authenticated,
    key: IdempotencyKey,
    body: Json<CreateApiTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let once = key.once(body.raw(), &created);
    let outcome = api_tokens::create(&state.app, &caller, body.into_inner(), once).await?;
    idempotency::respond(outcome, &created)
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
    let page = page
        .parse()
        .map(|(limit, after)| PageRequest { limit, after })?;
    let page = api_tokens::list(&state.app, &caller, page).await?;
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
    api_tokens::revoke(&state.app, &caller, ApiTokenId::from_uuid(*id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
