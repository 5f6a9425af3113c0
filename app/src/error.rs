//! What a use case can answer besides success, in the application's terms. The HTTP layer
//! maps each variant to one status and one problem type (`kompetens_api::error`); nothing here
//! knows about HTTP beyond the names of the problem types.

use kompetens_domain::Invalid;
use kompetens_domain::policy::Decision;
use kompetens_persistence::{DbErr, StoreError};

/// One invalid input, located by a JSON pointer into the body (RFC 6901) or a query parameter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// JSON pointer to the offending member of the request body, e.g. `/email`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "/email", nullable = false)]
    pub pointer: Option<String>,
    /// The offending query parameter, e.g. `limit`, when the input was not in the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub parameter: Option<String>,
    /// What is wrong, in words a developer can act on.
    #[schema(example = "must be an e-mail address such as name@example.org")]
    pub detail: String,
}

impl FieldError {
    pub fn at(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: Some(pointer.into()),
            parameter: None,
            detail: detail.into(),
        }
    }

    pub fn parameter(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: None,
            parameter: Some(name.into()),
            detail: detail.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Well-formed input that breaks a rule; lists every bad field.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// No credentials, or credentials that are not (or no longer) valid.
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// Sign-in failed; the same answer whether the e-mail or the password was wrong.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The caller may see the resource but not do this to it.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A rule of the resource refuses this caller (not eligible, invitation only).
    #[error("refused: {detail}")]
    Refused { code: &'static str, detail: String },
    /// No such resource, or one the caller may not see.
    #[error("not found")]
    NotFound,
    /// The request conflicts with the current state.
    #[error("conflict: {detail}")]
    Conflict {
        code: &'static str,
        detail: String,
        /// Where the existing resource lives, for conflicts with one.
        existing: Option<String>,
    },
    /// The resource is not in a state that allows this; `errors` says what to put right.
    #[error("conflict: {detail}")]
    ConflictWith {
        code: &'static str,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// `If-Match` names a version that is no longer current.
    #[error("precondition failed")]
    PreconditionFailed,
    /// An `Idempotency-Key` already used for a different request.
    #[error("idempotency key reused")]
    IdempotencyKeyReused,
    /// Too many attempts; retry after the given number of seconds.
    #[error("rate limited")]
    RateLimited { retry_after: u64 },
    /// The database is unreachable or busy; retry after the given number of seconds.
    #[error("service unavailable: {detail}")]
    Unavailable { retry_after: u64, detail: String },
    /// A bug or an infrastructure failure; details are logged, never returned.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// 422 with one problem at `pointer`.
    pub fn invalid(pointer: &str, detail: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::at(pointer, detail)])
    }

    /// 422 for a domain value refused at `pointer`.
    pub fn refused_value(pointer: &str, invalid: Invalid) -> Self {
        AppError::invalid(pointer, invalid.0)
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            detail: detail.into(),
            existing: None,
        }
    }

    /// Turns a policy decision into `Ok` or the matching refusal (403 or 404).
    pub fn check(decision: Decision) -> Result<(), AppError> {
        match decision {
            Decision::Allow => Ok(()),
            Decision::Forbidden => Err(AppError::Forbidden(
                "you may not do this to this resource".into(),
            )),
            Decision::NotFound => Err(AppError::NotFound),
        }
    }

    /// A bug: something the code made sure of did not hold.
    pub fn bug(what: &str) -> Self {
        AppError::Internal(anyhow::anyhow!("internal invariant broken: {what}"))
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Busy(detail) => {
                tracing::warn!(%detail, "database busy");
                AppError::Unavailable {
                    retry_after: 1,
                    detail: "the database is busy; retry shortly".into(),
                }
            }
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "database unreachable");
                AppError::Unavailable {
                    retry_after: 2,
                    detail: "the database cannot be reached right now; retry shortly".into(),
                }
            }
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        StoreError::from(err).into()
    }
}
