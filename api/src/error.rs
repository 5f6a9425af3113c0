//! One error model for the whole API: RFC 9457 problem details (`application/problem+json`).
//!
//! Every failure a handler or extractor can produce is an `ApiError`; its status is decided in
//! one place (`ResponseError::status_code`), its `type` is a stable code clients can switch on,
//! and a 500 never leaks what went wrong inside (that goes to the log, with the request id).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use kompetens_domain::policy::Decision;
use kompetens_persistence::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

pub use kompetens_app::{AppError, FieldError};

/// An RFC 9457 problem details object.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation-failed",
    "title": "The request is not valid",
    "status": 422,
    "detail": "1 field is invalid",
    "errors": [{"pointer": "/email", "detail": "must be an e-mail address such as name@example.org"}]
}))]
pub struct Problem {
    /// A stable identifier of the kind of problem (`/problems/<code>`); switch on this.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem; the same for every occurrence.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time.
    pub detail: String,
    /// Each invalid field or parameter, for validation problems (and what is missing, for
    /// some conflicts).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub errors: Option<Vec<FieldError>>,
    /// Where the existing resource lives, for conflicts with an existing resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub existing: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 422: well-formed input that breaks a rule; lists every bad field.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 400: the body is not JSON at all.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// 400: the query string cannot be read.
    #[error("invalid query string: {0}")]
    InvalidQuery(String),
    /// 400: a header has a value that cannot be read.
    #[error("invalid header: {0}")]
    InvalidHeader(String),
    /// 401: no credentials, or credentials that are not (or no longer) valid.
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// 401: sign-in failed; the same answer whether the e-mail or the password was wrong.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// 403: the caller may see the resource but not do this to it.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 403: a rule of the resource refuses this caller (not eligible, invitation only).
    #[error("refused: {detail}")]
    Refused { code: &'static str, detail: String },
    /// 404: no such resource, or one the caller may not see.
    #[error("not found")]
    NotFound,
    /// 405: the path exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    /// 409: the request conflicts with the current state.
    #[error("conflict: {detail}")]
    Conflict {
        code: &'static str,
        detail: String,
        existing: Option<String>,
    },
    /// 409: the resource is not in a state that allows this; `errors` says what to put right.
    #[error("conflict: {detail}")]
    ConflictWith {
        code: &'static str,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// 422: an `Idempotency-Key` already used for a different request.
    #[error("idempotency key reused")]
    IdempotencyKeyReused,
    /// 412: `If-Match` names a version that is no longer current.
    #[error("precondition failed")]
    PreconditionFailed,
    /// 413: the body is larger than the limit.
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    /// 415: the body is not `application/json`.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 415: the body is none of the media types the operation takes (named, e.g.
    /// "application/json or text/csv").
    #[error("unsupported media type")]
    UnsupportedMediaTypeOf { accepted: &'static str },
    /// 429: too many attempts; retry after the given number of seconds.
    #[error("rate limited")]
    RateLimited { retry_after: u64 },
    /// 503: the database is unreachable or busy; retry after the given number of seconds.
    #[error("service unavailable: {detail}")]
    Unavailable { retry_after: u64, detail: String },
    /// 500: a bug or an infrastructure failure; details are logged, never returned.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "validation-failed",
            ApiError::MalformedJson(_) => "malformed-json",
            ApiError::InvalidQuery(_) => "invalid-query",
            ApiError::InvalidHeader(_) => "invalid-header",
            ApiError::Unauthenticated(_) => "unauthenticated",
            ApiError::InvalidCredentials => "invalid-credentials",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::Refused { code, .. } => code,
            ApiError::NotFound => "not-found",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::Conflict { code, .. } | ApiError::ConflictWith { code, .. } => code,
            ApiError::PreconditionFailed => "precondition-failed",
            ApiError::IdempotencyKeyReused => "idempotency-key-reused",
            ApiError::PayloadTooLarge { .. } => "payload-too-large",
            ApiError::UnsupportedMediaType => "unsupported-media-type",
            ApiError::UnsupportedMediaTypeOf { .. } => "unsupported-media-type",
            ApiError::RateLimited { .. } => "rate-limited",
            ApiError::Unavailable { .. } => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn invalid(pointer: &str, detail: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::at(pointer, detail)])
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::Conflict {
            code,
            detail: detail.into(),
            existing: None,
        }
    }

    /// Turns a policy decision into `Ok` or the matching 403/404.
    pub fn check(decision: Decision) -> Result<(), ApiError> {
        match decision {
            Decision::Allow => Ok(()),
            Decision::Forbidden => Err(ApiError::Forbidden(
                "you may not do this to this resource".into(),
            )),
            Decision::NotFound => Err(ApiError::NotFound),
        }
    }

    fn title(&self) -> &'static str {
        problem_title(self.code()).unwrap_or("The request conflicts with the current state")
    }

    fn detail(&self) -> String {
        match self {
            ApiError::Validation(errors) => match errors.len() {
                1 => "1 field is invalid".to_string(),
                n => format!("{n} fields are invalid"),
            },
            ApiError::MalformedJson(d) | ApiError::InvalidQuery(d) | ApiError::InvalidHeader(d) => d.clone(),
            ApiError::Unauthenticated(d) | ApiError::Forbidden(d) => d.clone(),
            ApiError::Refused { detail, .. } => detail.clone(),
            ApiError::InvalidCredentials => "the e-mail or password is wrong".to_string(),
            ApiError::NotFound => "no such resource".to_string(),
            ApiError::MethodNotAllowed { allow } => format!("allowed methods: {}", allow.join(", ")),
            ApiError::Conflict { detail, .. } | ApiError::ConflictWith { detail, .. } => {
                detail.clone()
            }
            ApiError::IdempotencyKeyReused => "this Idempotency-Key was used for a different request in the last 24 hours; use a new key".to_string(),
            ApiError::PreconditionFailed => "the resource has changed since you read it: GET it again and retry with its new ETag".to_string(),
            ApiError::PayloadTooLarge { limit } => format!("the body must be at most {limit} bytes"),
            ApiError::UnsupportedMediaType => "send the body as application/json".to_string(),
            ApiError::UnsupportedMediaTypeOf { accepted } => format!("send the body as {accepted}"),
            ApiError::RateLimited { retry_after } => format!("too many attempts; retry in {retry_after} seconds"),
            ApiError::Unavailable { detail, .. } => detail.clone(),
            ApiError::Internal(_) => "an unexpected error occurred; it has been logged with this request's id".to_string(),
        }
    }
}

/// Every problem type this API returns: code, HTTP status and title.
pub const PROBLEM_TYPES: &[(&str, u16, &str)] = &[
    ("validation-failed", 422, "The request is not valid"),
    ("malformed-json", 400, "The body is not valid JSON"),
    ("invalid-query", 400, "The query string cannot be read"),
    ("invalid-header", 400, "A header cannot be read"),
    ("unauthenticated", 401, "Authentication is required"),
    (
        "invalid-credentials",
        401,
        "The e-mail or password is wrong",
    ),
    ("forbidden", 403, "You may not do this"),
    ("not-found", 404, "Not found"),
    ("method-not-allowed", 405, "Method not allowed"),
    (
        "email-taken",
        409,
        "An account with this e-mail already exists",
    ),
    (
        "email-already-verified",
        409,
        "The e-mail address is already verified",
    ),
    (
        "membership-exists",
        409,
        "The account already holds this role here",
    ),
    (
        "programme-incomplete",
        409,
        "The programme is not ready to be published",
    ),
    (
        "hour-budget-exceeded",
        409,
        "The sessions would exceed the hour budget",
    ),
    (
        "invalid-status-transition",
        409,
        "The resource cannot move to that status",
    ),
    (
        "programme-archived",
        409,
        "The programme is archived and can no longer change",
    ),
    (
        "sessions-outside-period",
        409,
        "Sessions would fall outside the programme's dates",
    ),
    (
        "session-has-started",
        409,
        "The session has already started",
    ),
    (
        "registration-not-open",
        409,
        "The programme does not take registrations now",
    ),
    ("already-registered", 409, "Already registered"),
    (
        "registration-not-confirmed",
        409,
        "The registration holds no place",
    ),
    (
        "not-eligible",
        403,
        "The programme's eligibility rules exclude this person",
    ),
    (
        "invitation-required",
        403,
        "The programme accepts only people its organisers invite",
    ),
    ("password-mismatch", 403, "The password is wrong"),
    ("cancellation-closed", 409, "The time to cancel has passed"),
    (
        "attendance-closed",
        409,
        "Attendance cannot be recorded now",
    ),
    ("session-cancelled", 409, "The session is cancelled"),
    (
        "trainer-double-booked",
        409,
        "A trainer already teaches another session at that time",
    ),
    (
        "venue-double-booked",
        409,
        "The venue already hosts as many sessions as it can at that time",
    ),
    ("completion-not-met", 409, "The completion rule is not met"),
    (
        "certificate-exists",
        409,
        "A certificate is already in force",
    ),
    (
        "idempotency-key-reused",
        422,
        "The Idempotency-Key was used for a different request",
    ),
    ("precondition-failed", 412, "The resource has changed"),
    ("payload-too-large", 413, "The body is too large"),
    ("unsupported-media-type", 415, "Unsupported media type"),
    ("rate-limited", 429, "Too many requests"),
    ("unavailable", 503, "Service unavailable"),
    ("internal", 500, "Internal error"),
];

pub fn problem_title(code: &str) -> Option<&'static str> {
    PROBLEM_TYPES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, _, t)| *t)
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::MalformedJson(_) | ApiError::InvalidQuery(_) | ApiError::InvalidHeader(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::Unauthenticated(_) | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::Refused { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } | ApiError::ConflictWith { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::UnsupportedMediaTypeOf { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if let ApiError::Internal(err) = self {
            tracing::error!(error = ?err, "request failed unexpectedly");
        }
        let problem = self.problem();
        let mut response = HttpResponse::build(status);
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        match self {
            ApiError::Unauthenticated(_) | ApiError::InvalidCredentials => {
                response
                    .insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            ApiError::MethodNotAllowed { allow } => {
                if let Ok(value) = HeaderValue::from_str(&allow.join(", ")) {
                    response.insert_header((header::ALLOW, value));
                }
            }
            ApiError::RateLimited { retry_after } | ApiError::Unavailable { retry_after, .. } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            _ => {}
        }
        // Serialising this struct cannot fail; fall back to an empty object rather than panic.
        response.body(serde_json::to_string(&problem).unwrap_or_else(|_| "{}".to_string()))
    }
}

impl ApiError {
    /// The problem details this error renders as (also used inside batch results).
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        Problem {
            problem_type: format!("/problems/{}", self.code()),
            title: self.title().to_string(),
            status: status.as_u16(),
            detail: self.detail(),
            errors: match self {
                ApiError::Validation(errors) | ApiError::ConflictWith { errors, .. } => {
                    Some(errors.clone())
                }
                _ => None,
            },
            existing: match self {
                ApiError::Conflict { existing, .. } => existing.clone(),
                _ => None,
            },
        }
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::Validation(errors) => ApiError::Validation(errors),
            AppError::Unauthenticated(d) => ApiError::Unauthenticated(d),
            AppError::InvalidCredentials => ApiError::InvalidCredentials,
            AppError::Forbidden(d) => ApiError::Forbidden(d),
            AppError::Refused { code, detail } => ApiError::Refused { code, detail },
            AppError::NotFound => ApiError::NotFound,
            AppError::Conflict {
                code,
                detail,
                existing,
            } => ApiError::Conflict {
                code,
                detail,
                existing,
            },
            AppError::ConflictWith {
                code,
                detail,
                errors,
            } => ApiError::ConflictWith {
                code,
                detail,
                errors,
            },
            AppError::PreconditionFailed => ApiError::PreconditionFailed,
            AppError::IdempotencyKeyReused => ApiError::IdempotencyKeyReused,
            AppError::RateLimited { retry_after } => ApiError::RateLimited { retry_after },
            AppError::Unavailable {
                retry_after,
                detail,
            } => ApiError::Unavailable {
                retry_after,
                detail,
            },
            AppError::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Busy(detail) => {
                tracing::warn!(%detail, "database busy");
                ApiError::Unavailable {
                    retry_after: 1,
                    detail: "the database is busy; retry shortly".into(),
                }
            }
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "database unreachable");
                ApiError::Unavailable {
                    retry_after: 2,
                    detail: "the database cannot be reached right now; retry shortly".into(),
                }
            }
            other => ApiError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        StoreError::from(err).into()
    }
}
