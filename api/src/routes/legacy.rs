//! Helpers of the routes not yet moved to a use case in `kompetens_app`; each goes when the
//! last route using it has moved.

use kompetens_domain::ids::{ProgrammeId, RegistrationId};
use kompetens_domain::policy::{self, Actor, Decision, ProgrammeAction};
use kompetens_persistence::ConnectionTrait;
use kompetens_persistence::repo::programmes::{self, Programme};
use kompetens_persistence::repo::registrations::{self, Registration};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;

/// Loads a programme and checks the caller may do `action` to it; `lock` holds its row for
/// the rest of the transaction.
pub(crate) async fn authorised(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    id: ProgrammeId,
    action: ProgrammeAction,
    lock: bool,
) -> Result<Programme, ApiError> {
    let programme = programmes::find(conn, id, lock)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut decision = policy::programme(
        actor,
        &programme.organisation_path,
        programme.status,
        false,
        action,
    );
    if decision == Decision::NotFound {
        // Only then is it worth asking whether the caller teaches in it.
        if let Some(actor) = actor
            && programmes::is_taught_by(conn, programme.id, actor.account_id).await?
        {
            decision = policy::programme(
                Some(actor),
                &programme.organisation_path,
                programme.status,
                true,
                action,
            );
        }
    }
    ApiError::check(decision)?;
    Ok(programme)
}

/// A programme the caller organises; to anyone else it does not exist (404), even where they
/// can read it: registrations, certificates and reports are the organisers' business.
pub(crate) async fn organised_programme(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: ProgrammeId,
    lock: bool,
) -> Result<Programme, ApiError> {
    authorised(conn, Some(actor), id, ProgrammeAction::Manage, lock)
        .await
        .map_err(|e| match e {
            ApiError::Forbidden(_) => ApiError::NotFound,
            other => other,
        })
}

/// 409 unless the programme can still change.
pub(crate) fn ensure_editable(p: &Programme) -> Result<(), ApiError> {
    if p.status.is_editable() {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "programme-archived",
            "the programme is archived and can no longer change",
        ))
    }
}

/// Loads a registration the caller may see (their own, or as an organiser of its programme).
pub(crate) async fn visible(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
    lock: bool,
) -> Result<(Registration, Programme, bool), ApiError> {
    let registration = registrations::find(conn, RegistrationId::from_uuid(id))
        .await?
        .ok_or(ApiError::NotFound)?;
    let programme = programmes::find(conn, registration.programme_id, lock)
        .await?
        .ok_or(ApiError::NotFound)?;
    let organiser = caller.actor.is_admin || caller.actor.organises(&programme.organisation_path);
    if !organiser && registration.participant_id != caller.account.id {
        return Err(ApiError::NotFound);
    }
    // Re-read under the lock: the row may have changed while we waited for it.
    let registration = if lock {
        registrations::find(conn, registration.id)
            .await?
            .ok_or(ApiError::NotFound)?
    } else {
        registration
    };
    Ok((registration, programme, organiser))
}
