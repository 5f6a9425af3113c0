//! A certificate as a one-page A4 PDF in its language, with the verification code and URL.

use kompetens_domain::ids::CertificateId;

use super::{Certificate, printed, visible};
use crate::{App, AppError, Caller};

/// The certificate and its PDF.
pub struct Pdf {
    pub certificate: Certificate,
    pub bytes: Vec<u8>,
}

pub async fn pdf(app: &App, caller: &Caller, id: CertificateId) -> Result<Pdf, AppError> {
    let (certificate, _) = visible(app.db(), caller, id, false, false).await?;
    let document = printed(app, &certificate);
    // Laying out and subsetting fonts is CPU work: off the async workers.
    let bytes = tokio::task::spawn_blocking(move || kompetens_pdf::render(&document))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("PDF rendering was cancelled: {e}")))?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot render the certificate: {e}")))?;
    Ok(Pdf { certificate, bytes })
}
