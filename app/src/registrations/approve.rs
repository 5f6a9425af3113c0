//! Approve a pending registration: confirmed if a place is free and nobody waits ahead,
//! otherwise waitlisted in order of arrival.

use chrono::Utc;
use kompetens_domain::ids::RegistrationId;
use kompetens_domain::notification::NotificationKind;
use kompetens_domain::registration::{self as rules, RegistrationStatus, counter_change};
use kompetens_persistence::repo::{accounts, registrations};

use super::{RegistrationView, count, notify, occupancy, visible};
use crate::{App, AppError, Caller};

pub async fn approve(
    app: &App,
    caller: &Caller,
    id: RegistrationId,
) -> Result<RegistrationView, AppError> {
    let now = Utc::now();
    let tx = app.begin().await?;
    let (mut r, programme, organiser) = visible(&tx, caller, id, true).await?;
    if !organiser {
        return Err(AppError::Forbidden(
            "only the programme's organisers decide".into(),
        ));
    }
    if r.status != RegistrationStatus::Pending {
        return Err(AppError::conflict(
            "invalid-status-transition",
            format!(
                "only pending registrations are approved; this one is {}",
                r.status
            ),
        ));
    }
    let status = rules::seat(occupancy(&programme)).status();
    let change = counter_change(Some(r.status), status);
    r.status = status;
    r.version += 1;
    r.updated_at = now;
    registrations::save(&tx, &r).await?;
    count(&tx, &programme, change).await?;
    let position = registrations::waitlist_position(&tx, &r).await?;
    if let Some(person) = accounts::find(&tx, r.participant_id).await? {
        notify(
            &tx,
            &person,
            &programme,
            NotificationKind::Approved,
            position,
            None,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(RegistrationView::new(r, position))
}
