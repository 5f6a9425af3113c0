//! Reject a registration (pending, waitlisted or confirmed) with a reason; a freed place goes to
//! the first person waiting.

use chrono::Utc;
use kompetens_domain::ids::RegistrationId;
use kompetens_domain::notification::NotificationKind;
use kompetens_domain::registration::{Reason, RegistrationStatus};
use kompetens_persistence::repo::accounts;

use super::cancel::ReasonRequest;
use super::{RegistrationView, end, notify, promote, visible};
use crate::{App, AppError, Caller};

pub async fn reject(
    app: &App,
    caller: &Caller,
    id: RegistrationId,
    request: ReasonRequest,
) -> Result<RegistrationView, AppError> {
    let reason = request.reason.map(Reason::into_string);
    let now = Utc::now();
    let tx = app.begin().await?;
    let (mut r, programme, organiser) = visible(&tx, caller, id, true).await?;
    if !organiser {
        return Err(AppError::Forbidden(
            "only the programme's organisers decide".into(),
        ));
    }
    if !r.status.is_cancellable() {
        return Err(AppError::conflict(
            "invalid-status-transition",
            format!("a {} registration cannot be rejected", r.status),
        ));
    }
    let Some(reason) = reason else {
        return Err(AppError::invalid("/reason", "is required"));
    };
    end(
        &tx,
        &programme,
        &mut r,
        RegistrationStatus::Rejected,
        Some(reason.clone()),
        now,
    )
    .await?;
    if let Some(person) = accounts::find(&tx, r.participant_id).await? {
        notify(
            &tx,
            &person,
            &programme,
            NotificationKind::Rejected,
            None,
            Some(&reason),
            now,
        )
        .await?;
    }
    promote(&tx, &programme, now).await?;
    tx.commit().await?;
    Ok(RegistrationView::new(r, None))
}
