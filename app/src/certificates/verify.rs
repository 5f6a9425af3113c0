//! Check a certificate by its verification code (public): an unknown or malformed code is a
//! plain 404 that says nothing more.

use kompetens_domain::certificate::VerificationCode;
use kompetens_persistence::repo::certificates;

use super::Certificate;
use crate::{App, AppError};

pub async fn verify(app: &App, code: &str) -> Result<Certificate, AppError> {
    let code = VerificationCode::parse(code).map_err(|_| AppError::NotFound)?;
    certificates::find_by_code(app.db(), &code)
        .await?
        .ok_or(AppError::NotFound)
}
