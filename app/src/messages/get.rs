//! Get one of a programme's messages, with its deliveries (organisers).

use kompetens_domain::ids::{MessageId, ProgrammeId};
use kompetens_persistence::repo::programme_messages;

use super::{MessageView, with_deliveries};
use crate::programmes::organised;
use crate::{App, AppError, Caller};

pub async fn get(
    app: &App,
    caller: &Caller,
    programme: ProgrammeId,
    id: MessageId,
) -> Result<MessageView, AppError> {
    let db = app.db();
    let programme = organised(db, &caller.actor, programme, false).await?;
    let message = programme_messages::find(db, programme.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    with_deliveries(db, vec![message])
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}
