//! Lists of certificates: your own, and a programme's (its organisers' business).

use kompetens_domain::ids::ProgrammeId;
use kompetens_persistence::repo::certificates;

use super::Certificate;
use crate::programmes::organised;
use crate::{App, AppError, Caller, Page, PageRequest};

/// Your certificates.
pub async fn mine(
    app: &App,
    caller: &Caller,
    page: PageRequest,
) -> Result<Page<Certificate>, AppError> {
    Ok(
        certificates::list_for_participant(app.db(), caller.account.id, page.after, page.limit)
            .await?,
    )
}

/// A programme's certificates in order of issue, to its organisers (404 to anyone else).
pub async fn for_programme(
    app: &App,
    caller: &Caller,
    programme: ProgrammeId,
    page: PageRequest,
) -> Result<Page<Certificate>, AppError> {
    let db = app.db();
    let programme = organised(db, &caller.actor, programme, false).await?;
    Ok(certificates::list_for_programme(db, programme.id, page.after, page.limit).await?)
}
