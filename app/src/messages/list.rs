//! A programme's messages, oldest first, each with its deliveries (organisers).

use kompetens_domain::ids::ProgrammeId;
use kompetens_persistence::repo::programme_messages;

use super::{MessageView, with_deliveries};
use crate::programmes::organised;
use crate::{App, AppError, Caller, Page, PageRequest};

/// A page of the programme's messages in the order they were sent; the deliveries of the
/// whole page are counted in one query.
pub async fn list(
    app: &App,
    caller: &Caller,
    programme: ProgrammeId,
    page: PageRequest,
) -> Result<Page<MessageView>, AppError> {
    let db = app.db();
    let programme = organised(db, &caller.actor, programme, false).await?;
    let found = programme_messages::list(db, programme.id, page.after, page.limit).await?;
    Ok(Page {
        items: with_deliveries(db, found.items).await?,
        next_after: found.next_after,
    })
}
