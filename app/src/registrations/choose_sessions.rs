//! Choose sessions with their own places (parallel thematic sessions, supervision slots).
//!
//! Replaces the registration's choices. A new choice gets a place while the session has one and
//! nobody waits, otherwise a position on that session's waiting list; a choice given up frees
//! its place for the first in line, in the same transaction. One session per parallel group.

use std::collections::BTreeSet;

use chrono::Utc;
use kompetens_domain::ids::{RegistrationId, SessionId};
use kompetens_domain::registration::RegistrationStatus;
use kompetens_domain::session::SessionStatus;
use kompetens_persistence::repo::{session_choices, sessions};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    RegistrationView, promote_in_session, session_occupancy, session_status, view, visible,
};
use crate::{App, AppError, Caller, FieldError};

/// The most sessions one registration may choose.
pub const MAX_CHOICES: usize = 50;

/// The sessions you choose (a confirmed registration, in sessions with their own places).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"session_ids": ["019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ec1", "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ec7"]}))]
pub struct SessionChoiceRequest {
    /// The whole choice: sessions left out are given up (their places go to those waiting).
    #[schema(max_items = 50)]
    pub session_ids: Vec<SessionId>,
}

pub async fn choose_sessions(
    app: &App,
    caller: &Caller,
    id: RegistrationId,
    request: SessionChoiceRequest,
) -> Result<RegistrationView, AppError> {
    if request.session_ids.len() > MAX_CHOICES {
        return Err(AppError::invalid(
            "/session_ids",
            format!("may hold at most {MAX_CHOICES} items"),
        ));
    }
    let now = Utc::now();
    let tx = app.begin().await?;
    let (r, programme, _) = visible(&tx, caller, id, true).await?;
    if r.status != RegistrationStatus::Confirmed {
        return Err(AppError::conflict(
            "registration-not-confirmed",
            format!(
                "only a confirmed registration chooses sessions; this one is {}",
                r.status
            ),
        ));
    }
    let all = sessions::all_for_programme(&tx, programme.id).await?;
    let mut errors = Vec::new();
    let mut chosen = Vec::new();
    let mut groups = BTreeSet::new();
    for (i, id) in request.session_ids.iter().enumerate() {
        let pointer = format!("/session_ids/{i}");
        match all.iter().find(|s| s.id == *id) {
            None => errors.push(FieldError::at(pointer, "no such session in this programme")),
            Some(s) if s.status != SessionStatus::Scheduled => {
                errors.push(FieldError::at(pointer, "the session is cancelled"))
            }
            Some(s) if s.capacity.is_none() => errors.push(FieldError::at(
                pointer,
                "the session has no places of its own: every confirmed participant attends it",
            )),
            Some(s) => {
                if let Some(group) = &s.parallel_group
                    && !groups.insert(group.clone())
                {
                    errors.push(FieldError::at(
                        pointer,
                        format!(
                            "another session of parallel group {group} is chosen already; choose one"
                        ),
                    ));
                }
                if !chosen.contains(&(s.id, s.capacity)) {
                    chosen.push((s.id, s.capacity));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let current = session_choices::active_for_registration(&tx, r.id).await?;
    for choice in current
        .iter()
        .filter(|c| !chosen.iter().any(|(s, _)| *s == c.session_id))
    {
        session_choices::set_status(&tx, choice.id, session_choices::CANCELLED, now).await?;
        promote_in_session(&tx, choice.session_id, now).await?;
    }
    for (session, capacity) in chosen
        .iter()
        .filter(|(s, _)| !current.iter().any(|c| c.session_id == *s))
    {
        let status = session_status(session_occupancy(&tx, *session, *capacity).await?);
        session_choices::insert(&tx, *session, r.id, status, now).await?;
    }
    let view = view(&tx, r).await?;
    tx.commit().await?;
    Ok(view)
}
