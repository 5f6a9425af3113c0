//! Cancel a registration: participants their own until the cancellation deadline, organisers
//! any at any time, with a reason. A freed place goes to the first person waiting, in the same
//! transaction.

use chrono::Utc;
use kompetens_domain::ids::RegistrationId;
use kompetens_domain::notification::NotificationKind;
use kompetens_domain::registration::{
    self as rules, CancelRefusal, Canceller, Reason, RegistrationStatus,
};
use kompetens_persistence::repo::accounts;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{RegistrationView, end, notify, promote, visible};
use crate::{App, AppError, Caller};

/// Why: required when an organiser cancels or rejects.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "The participant has changed jobs."}))]
pub struct ReasonRequest {
    #[serde(default)]
    pub reason: Option<Reason>,
}

pub(crate) fn cancel_refused(refusal: CancelRefusal, verb: &str) -> AppError {
    match refusal {
        CancelRefusal::NotCancellable(status) => AppError::conflict(
            "invalid-status-transition",
            format!("a {status} registration cannot be {verb}"),
        ),
        CancelRefusal::Closed(deadline) => AppError::conflict(
            "cancellation-closed",
            format!("participants could cancel until {deadline}; ask the organiser"),
        ),
        CancelRefusal::ReasonRequired => {
            AppError::invalid("/reason", "is required when an organiser cancels")
        }
    }
}

pub async fn cancel(
    app: &App,
    caller: &Caller,
    id: RegistrationId,
    request: ReasonRequest,
) -> Result<RegistrationView, AppError> {
    let reason = request.reason.map(Reason::into_string);
    let now = Utc::now();
    let tx = app.begin().await?;
    let (mut r, programme, organiser) = visible(&tx, caller, id, true).await?;
    let own = r.participant_id == caller.account.id;
    // An organiser cancelling their own registration without a reason does so as a participant.
    let canceller = if own && !(organiser && reason.is_some()) {
        Canceller::Participant
    } else {
        Canceller::Organiser
    };
    let deadline = rules::cancellation_deadline(
        programme.cancellation_closes_at,
        programme.period.starts_on(),
        programme.time_zone,
    );
    rules::may_cancel(r.status, canceller, reason.is_some(), deadline, now)
        .map_err(|refusal| cancel_refused(refusal, "cancelled"))?;
    end(
        &tx,
        &programme,
        &mut r,
        RegistrationStatus::Cancelled,
        reason.clone(),
        now,
    )
    .await?;
    if let Some(person) = accounts::find(&tx, r.participant_id).await? {
        notify(
            &tx,
            &person,
            &programme,
            NotificationKind::Cancelled,
            None,
            reason.as_deref(),
            now,
        )
        .await?;
    }
    promote(&tx, &programme, now).await?;
    tx.commit().await?;
    Ok(RegistrationView::new(r, None))
}
