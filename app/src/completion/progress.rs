//! A registration's progress: planned, offered and attended minutes per activity type, and
//! whether the completion rule is met. The participant sees their own; the programme's
//! organisers see everyone's.

use kompetens_domain::ids::{CertificateId, RegistrationId};
use kompetens_domain::progress::Progress;
use kompetens_domain::registration::Registration;
use kompetens_persistence::repo::certificates;

use super::progress_of;
use crate::registrations::visible;
use crate::{App, AppError, Caller};

/// A registration with its progress and the certificate in force, if one was issued.
#[derive(Debug, Clone)]
pub struct ProgressView {
    pub registration: Registration,
    pub progress: Progress,
    pub certificate_id: Option<CertificateId>,
}

pub async fn progress(
    app: &App,
    caller: &Caller,
    id: RegistrationId,
) -> Result<ProgressView, AppError> {
    let db = app.db();
    let (registration, programme, _) = visible(db, caller, id, false).await?;
    let progress = progress_of(db, &programme, &registration).await?;
    let live = certificates::live_for_registration(db, registration.id).await?;
    Ok(ProgressView {
        registration,
        progress,
        certificate_id: live.map(|c| c.id),
    })
}
