//! Get a certificate: yours, or one of a programme you organise.

use kompetens_domain::ids::CertificateId;

use super::{Certificate, visible};
use crate::{App, AppError, Caller};

pub async fn get(app: &App, caller: &Caller, id: CertificateId) -> Result<Certificate, AppError> {
    let (certificate, _) = visible(app.db(), caller, id, false, false).await?;
    Ok(certificate)
}
