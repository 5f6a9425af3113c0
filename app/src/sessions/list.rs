//! Lists of sessions: a programme's (public when it is), and the ones you teach.

use kompetens_domain::ids::ProgrammeId;
use kompetens_domain::policy::ProgrammeAction;
use kompetens_persistence::repo::sessions;

pub use kompetens_persistence::repo::sessions::SessionFilter;

use super::{SessionView, programmes_of};
use crate::programmes::authorised;
use crate::{App, AppError, Caller, Page, PageRequest};

/// A programme's sessions, in order of start.
pub async fn list_for_programme(
    app: &App,
    caller: Option<&Caller>,
    programme: ProgrammeId,
    filter: &SessionFilter,
    page: PageRequest,
) -> Result<Page<SessionView>, AppError> {
    let p = authorised(
        app.db(),
        caller.map(|c| &c.actor),
        programme,
        ProgrammeAction::Read,
        false,
    )
    .await?;
    let found =
        sessions::list_for_programme(app.db(), p.id, filter, page.after, page.limit).await?;
    Ok(Page {
        items: found
            .items
            .into_iter()
            .map(|session| SessionView {
                session,
                programme: p.clone(),
            })
            .collect(),
        next_after: found.next_after,
    })
}

/// The sessions you teach, in order of start.
pub async fn mine(
    app: &App,
    caller: &Caller,
    filter: &SessionFilter,
    page: PageRequest,
) -> Result<Page<SessionView>, AppError> {
    let found = sessions::list_for_trainer(
        app.db(),
        caller.account_id(),
        filter,
        page.after,
        page.limit,
    )
    .await?;
    let programmes = programmes_of(app.db(), &found.items).await?;
    let mut items = Vec::with_capacity(found.items.len());
    for session in found.items {
        let programme = programmes
            .get(&session.programme_id)
            .cloned()
            .ok_or_else(|| AppError::bug("a session's programme is missing"))?;
        items.push(SessionView { session, programme });
    }
    Ok(Page {
        items,
        next_after: found.next_after,
    })
}
