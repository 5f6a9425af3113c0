//! Cancel a session: it stays listed (calendars show it cancelled) and counts nowhere.

use chrono::Utc;
use kompetens_domain::ids::SessionId;
use kompetens_domain::policy::ProgrammeAction;
use kompetens_domain::session::SessionStatus;
use kompetens_persistence::repo::sessions;

use super::{SessionView, session_and_programme, touch};
use crate::programmes::ensure_editable;
use crate::{App, AppError, Caller};

pub async fn cancel(app: &App, caller: &Caller, id: SessionId) -> Result<SessionView, AppError> {
    let tx = app.begin().await?;
    let (mut s, mut p) =
        session_and_programme(&tx, Some(&caller.actor), id, ProgrammeAction::Manage, true).await?;
    ensure_editable(&p)?;
    if s.status != SessionStatus::Cancelled {
        s.status = SessionStatus::Cancelled;
        s.version += 1;
        s.updated_at = Utc::now();
        sessions::save(&tx, &s).await?;
        touch(&tx, &mut p).await?;
    }
    tx.commit().await?;
    Ok(SessionView {
        session: s,
        programme: p,
    })
}
