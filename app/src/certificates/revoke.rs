//! Revoke a certificate (organisers, with a reason): verification then says so.

use chrono::Utc;
use kompetens_domain::ids::CertificateId;
use kompetens_domain::registration::Reason;
use kompetens_persistence::repo::certificates;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Certificate, visible};
use crate::{App, AppError, Caller};

/// Why an organiser revokes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Issued to the wrong person."}))]
pub struct RevokeRequest {
    /// Verification shows it beside the revocation.
    pub reason: Reason,
}

pub async fn revoke(
    app: &App,
    caller: &Caller,
    id: CertificateId,
    request: RevokeRequest,
) -> Result<Certificate, AppError> {
    let now = Utc::now();
    let tx = app.begin().await?;
    let (mut c, _) = visible(&tx, caller, id, true, true).await?;
    if c.is_revoked() {
        return Err(AppError::conflict(
            "invalid-status-transition",
            "the certificate is already revoked",
        ));
    }
    c.revoked_at = Some(now);
    c.revoked_by = Some(caller.account.id);
    c.revocation_reason = Some(request.reason.into_string());
    c.version += 1;
    certificates::save(&tx, &c).await?;
    tx.commit().await?;
    tracing::info!(certificate_id = %c.id, "certificate revoked");
    Ok(c)
}
