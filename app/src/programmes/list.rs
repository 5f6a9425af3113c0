//! List programmes: anyone sees published (and closed) programmes; organisers also the drafts
//! and archived programmes of their subtree, and trainers those they teach in.

use kompetens_domain::policy::Visibility;
use kompetens_persistence::repo::programmes::{self, ProgrammeScope};

pub use kompetens_persistence::repo::programmes::ProgrammeFilter;

use super::{ProgrammeView, view};
use crate::{App, AppError, Caller, Page, PageRequest};

pub async fn list(
    app: &App,
    caller: Option<&Caller>,
    filter: &ProgrammeFilter,
    page: PageRequest,
) -> Result<Page<ProgrammeView>, AppError> {
    let scope = match caller.map(|c| &c.actor) {
        Some(actor) if actor.is_admin => ProgrammeScope::Everything,
        Some(actor) => {
            let Visibility::Some { subtrees, .. } = actor.visibility() else {
                return Err(AppError::bug("a non-admin sees everything"));
            };
            ProgrammeScope::Some {
                subtrees,
                teacher: Some(actor.account_id),
            }
        }
        None => ProgrammeScope::Some {
            subtrees: Vec::new(),
            teacher: None,
        },
    };
    let found = programmes::list(app.db(), &scope, filter, page.after, page.limit).await?;
    let mut items = Vec::with_capacity(found.items.len());
    for p in found.items {
        items.push(view(app.db(), p).await?);
    }
    Ok(Page {
        items,
        next_after: found.next_after,
    })
}
