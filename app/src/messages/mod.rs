//! Messages to participants: an organiser writes to those registered for a programme (those
//! with a place, those waiting, or everyone in play), each of them gets a copy by e-mail in
//! their own language through the outbox, and the message shows how many copies are queued,
//! sent and given up. The organisers' business: to anyone else a programme's messages are 404.

mod get;
mod list;
mod send;

pub use get::get;
pub use kompetens_domain::message::{Deliveries, MessageAudience, ProgrammeMessage};
pub use list::list;
pub use send::{NewMessage, send};

use kompetens_persistence::ConnectionTrait;
use kompetens_persistence::repo::programme_messages;

use crate::AppError;

/// A message with where its e-mails are.
#[derive(Debug, Clone)]
pub struct MessageView {
    pub message: ProgrammeMessage,
    pub deliveries: Deliveries,
}

/// The messages with their deliveries: one grouped count over the outbox for all of them.
pub(crate) async fn with_deliveries(
    conn: &impl ConnectionTrait,
    messages: Vec<ProgrammeMessage>,
) -> Result<Vec<MessageView>, AppError> {
    let ids: Vec<_> = messages.iter().map(|m| m.id).collect();
    let counted = programme_messages::deliveries(conn, &ids).await?;
    Ok(messages
        .into_iter()
        .map(|message| MessageView {
            deliveries: counted.get(&message.id).copied().unwrap_or_default(),
            message,
        })
        .collect())
}
