//! Documentation of each problem `type` (RFC 9457 §3.1.1: the type URI may be dereferenced).

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, PROBLEM_TYPES, Problem};

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"type": "/problems/not-found", "status": 404, "title": "Not found"}))]
pub struct ProblemTypeResponse {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub status: u16,
    pub title: &'static str,
}

/// Describe a problem type.
#[utoipa::path(
    tag = "problems",
    security(()),
    params(("code" = String, Path, description = "The code after `/problems/`", example = "validation-failed")),
    responses(
        (status = 200, description = "The problem type", body = ProblemTypeResponse),
        (status = 404, description = "No such problem type", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/problems/{code}")]
pub async fn get_problem_type(code: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let (code, status, title) = PROBLEM_TYPES
        .iter()
        .find(|(c, _, _)| *c == code.as_str())
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(ProblemTypeResponse {
        problem_type: format!("/problems/{code}"),
        status: *status,
        title,
    }))
}
