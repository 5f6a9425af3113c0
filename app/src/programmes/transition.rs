//! A programme's lifecycle: publish a draft (when it is ready), close a published programme to
//! registrations, archive a closed one.

use chrono::Utc;
use kompetens_domain::ids::ProgrammeId;
use kompetens_domain::policy::ProgrammeAction;
use kompetens_domain::programme::ProgrammeStatus;
use kompetens_persistence::repo::programmes;

use super::{ProgrammeView, authorised, incomplete, missing_for_publication, view};
use crate::{App, AppError, Caller, check_version};

/// Publish a draft: it needs sessions, an hour budget its sessions keep to, and a registration
/// window; otherwise 409 `programme-incomplete` lists what is missing.
pub async fn publish(
    app: &App,
    caller: &Caller,
    id: ProgrammeId,
    expected_version: Option<i32>,
) -> Result<ProgrammeView, AppError> {
    transition(app, caller, id, expected_version, ProgrammeStatus::Draft).await
}

/// Close a published programme to registrations.
pub async fn close(
    app: &App,
    caller: &Caller,
    id: ProgrammeId,
    expected_version: Option<i32>,
) -> Result<ProgrammeView, AppError> {
    transition(
        app,
        caller,
        id,
        expected_version,
        ProgrammeStatus::Published,
    )
    .await
}

/// Archive a closed programme; it becomes read-only and is seen by its organisers only.
pub async fn archive(
    app: &App,
    caller: &Caller,
    id: ProgrammeId,
    expected_version: Option<i32>,
) -> Result<ProgrammeView, AppError> {
    transition(app, caller, id, expected_version, ProgrammeStatus::Closed).await
}

async fn transition(
    app: &App,
    caller: &Caller,
    id: ProgrammeId,
    expected_version: Option<i32>,
    from: ProgrammeStatus,
) -> Result<ProgrammeView, AppError> {
    let tx = app.begin().await?;
    let mut p = authorised(&tx, Some(&caller.actor), id, ProgrammeAction::Manage, true).await?;
    check_version(expected_version, p.version)?;
    let Some(to) = from.next() else {
        return Err(AppError::bug("an archived programme moves nowhere"));
    };
    if p.status != from {
        return Err(AppError::conflict(
            "invalid-status-transition",
            format!(
                "only a {from} programme can become {to}; this one is {}",
                p.status
            ),
        ));
    }
    let now = Utc::now();
    if to == ProgrammeStatus::Published {
        let missing = missing_for_publication(&tx, &p).await?;
        if !missing.is_empty() {
            return Err(incomplete(missing));
        }
        p.published_at = Some(now);
    }
    p.status = to;
    p.version += 1;
    p.updated_at = now;
    programmes::save(&tx, &p).await?;
    let view = view(&tx, p).await?;
    tx.commit().await?;
    tracing::info!(programme_id = %view.programme.id, status = %to, "programme status changed");
    Ok(view)
}
