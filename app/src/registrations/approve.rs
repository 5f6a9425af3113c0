//! Approve a pending registration: confirmed if a place is free for it (nobody who fits waits
//! ahead; the priority group's reservation and seat caps allowing), otherwise waitlisted at its
//! arrival, in its part of the line.

use chrono::Utc;
use kompetens_domain::ids::RegistrationId;
use kompetens_domain::notification::NotificationKind;
use kompetens_domain::registration::{RegistrationStatus, counter_change};
use kompetens_persistence::repo::{accounts, registrations};

use super::{RegistrationView, confirm_waiting, count, notify, seat_candidate, visible};
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
    // Approved, the registration joins the queue at its arrival, in its part of the line.
    let candidate = super::seat_of(&tx, &programme, &r).await?;
    let (seated, others) = seat_candidate(&tx, &programme, candidate, now).await?;
    let status = if seated {
        RegistrationStatus::Confirmed
    } else {
        RegistrationStatus::Waitlisted
    };
    let change = counter_change(Some(r.status), status);
    r.status = status;
    r.version += 1;
    r.updated_at = now;
    registrations::save(&tx, &r).await?;
    count(&tx, &programme, change).await?;
    confirm_waiting(&tx, &programme, others, now).await?;
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
