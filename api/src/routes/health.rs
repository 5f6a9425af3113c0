//! Liveness and readiness, for load balancers and orchestrators.

use std::time::Duration;

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct HealthResponse {
    /// `ok` when healthy.
    pub status: &'static str,
}

/// Liveness: the process is up and serving.
#[utoipa::path(
    tag = "health",
    security(()),
    responses(
        (status = 200, description = "The process is up", body = HealthResponse),
        (status = 500, description = "Never expected; the process is broken", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(HealthResponse { status: "ok" })
}

/// Readiness: the database answers.
#[utoipa::path(
    tag = "health",
    security(()),
    responses(
        (status = 200, description = "Ready to serve: the database answers", body = HealthResponse),
        (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let unavailable = |detail: &str| ApiError::Unavailable {
        retry_after: 5,
        detail: detail.to_string(),
    };
    match tokio::time::timeout(Duration::from_secs(3), state.app.ping()).await {
        Ok(Ok(())) => Ok(HttpResponse::Ok().json(HealthResponse { status: "ok" })),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check failed");
            Err(unavailable("the database is unreachable"))
        }
        Err(_) => Err(unavailable("the database did not answer in time")),
    }
}
