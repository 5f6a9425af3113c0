//! A session's attendance list: everyone expected and everyone marked for its trainers and the
//! programme's organisers; a participant's own entry for them.

use kompetens_domain::ids::SessionId;
use kompetens_domain::policy::AttendanceAction;

use super::{AttendanceSheet, access, roster, sheet};
use crate::{App, AppError, Caller};

pub async fn get(app: &App, caller: &Caller, id: SessionId) -> Result<AttendanceSheet, AppError> {
    let db = app.db();
    let a = access(db, caller, id, AttendanceAction::Read, false).await?;
    let only = (!a.sees_everyone).then_some(caller.account.id);
    let expected = roster(db, &a.programme, &a.session).await?;
    sheet(db, &a, expected, only).await
}
