//! Every change to a session's attendance, oldest first, with who made it and when (a
//! participant sees the changes to their own mark only).

use kompetens_domain::ids::SessionId;
use kompetens_domain::policy::AttendanceAction;
use kompetens_persistence::repo::attendance;

use super::{Change, access};
use crate::{App, AppError, Caller, Page, PageRequest};

pub async fn changes(
    app: &App,
    caller: &Caller,
    id: SessionId,
    page: PageRequest,
) -> Result<Page<Change>, AppError> {
    let db = app.db();
    let a = access(db, caller, id, AttendanceAction::Read, false).await?;
    let found = attendance::changes(db, a.session.id, page.after, page.limit).await?;
    Ok(Page {
        items: found
            .items
            .into_iter()
            .filter(|c| a.sees_everyone || c.participant_id == caller.account.id)
            .collect(),
        next_after: found.next_after,
    })
}
