//! Delete a session of a draft programme (published programmes cancel instead).

use kompetens_domain::ids::SessionId;
use kompetens_domain::policy::ProgrammeAction;
use kompetens_domain::programme::ProgrammeStatus;
use kompetens_persistence::repo::sessions;

use super::{session_and_programme, touch};
use crate::{App, AppError, Caller};

pub async fn delete(app: &App, caller: &Caller, id: SessionId) -> Result<(), AppError> {
    let tx = app.begin().await?;
    let (s, mut p) =
        session_and_programme(&tx, Some(&caller.actor), id, ProgrammeAction::Manage, true).await?;
    if p.status != ProgrammeStatus::Draft {
        return Err(AppError::conflict(
            "invalid-status-transition",
            "sessions of a published programme are cancelled (POST /sessions/{id}/cancel), not deleted",
        ));
    }
    sessions::delete(&tx, s.id).await?;
    touch(&tx, &mut p).await?;
    tx.commit().await?;
    Ok(())
}
