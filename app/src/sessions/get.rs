//! Get a session (public when its programme is).

use kompetens_domain::ids::SessionId;
use kompetens_domain::policy::ProgrammeAction;

use super::{SessionView, session_and_programme};
use crate::{App, AppError, Caller};

pub async fn get(
    app: &App,
    caller: Option<&Caller>,
    id: SessionId,
) -> Result<SessionView, AppError> {
    let (session, programme) = session_and_programme(
        app.db(),
        caller.map(|c| &c.actor),
        id,
        ProgrammeAction::Read,
        false,
    )
    .await?;
    Ok(SessionView { session, programme })
}
