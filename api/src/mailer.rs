//! The outbox worker: sends the notifications that transactions queued, over SMTP, with
//! retries and exponential backoff. Any number of instances may run one: each notification is
//! claimed by a conditional update before it is sent (see `repo::notifications::claim_due`).

use std::time::Duration;

use chrono::Utc;
use kompetens_persistence::DatabaseConnection;
use kompetens_persistence::repo::notifications::{self, Notification};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::SmtpRelay;

/// After this many failed attempts a notification is left alone (its `last_error` says why);
/// kept with the outbox's storage, where a message's deliveries count what was given up.
pub use kompetens_persistence::repo::notifications::MAX_ATTEMPTS;
/// How long a claimed notification is reserved for the worker that claimed it.
const LEASE_SECONDS: i64 = 300;

pub struct Outbox {
    db: DatabaseConnection,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    poll: Duration,
}

impl Outbox {
    pub fn new(
        db: DatabaseConnection,
        relay: &SmtpRelay,
        from: &str,
        poll: Duration,
    ) -> anyhow::Result<Outbox> {
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(relay.host.as_str())
                .port(relay.port)
                .timeout(Some(Duration::from_secs(20)));
        if let Some((user, password)) = &relay.credentials {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose().to_string(),
            ));
        }
        Ok(Outbox {
            db,
            transport: builder.build(),
            from: from
                .parse()
                .map_err(|e| anyhow::anyhow!("KOMPETENS_MAIL_FROM is not a mailbox: {e}"))?,
            poll,
        })
    }

    /// Sends what is due, then waits `poll` when there was nothing; runs until aborted.
    pub async fn run(self) {
        loop {
            match self.deliver_due().await {
                Ok(0) => tokio::time::sleep(self.poll).await,
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "outbox: could not read due notifications");
                    tokio::time::sleep(self.poll).await;
                }
            }
        }
    }

    /// One round: claims a batch, sends each, records the outcome. Returns how many it tried.
    pub async fn deliver_due(&self) -> anyhow::Result<usize> {
        let now = Utc::now();
        let batch = notifications::claim_due(
            &self.db,
            20,
            MAX_ATTEMPTS,
            now,
            chrono::Duration::seconds(LEASE_SECONDS),
        )
        .await?;
        for notification in &batch {
            match self.send(notification).await {
                Ok(()) => {
                    notifications::mark_sent(&self.db, notification.id, Utc::now()).await?;
                    tracing::info!(notification_id = %notification.id, kind = %notification.kind, "notification sent");
                }
                Err(err) => {
                    let attempt = notification.attempts + 1;
                    let retry_at = Utc::now() + backoff(attempt);
                    notifications::mark_failed(
                        &self.db,
                        notification.id,
                        &err.to_string(),
                        retry_at,
                    )
                    .await?;
                    tracing::warn!(notification_id = %notification.id, attempt, error = %err, "notification not sent; will retry");
                }
            }
        }
        Ok(batch.len())
    }

    async fn send(&self, n: &Notification) -> anyhow::Result<()> {
        let to: Mailbox = n
            .recipient
            .parse()
            .map_err(|e| anyhow::anyhow!("the recipient is not a mailbox: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(n.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(n.body.clone())?;
        self.transport.send(message).await?;
        Ok(())
    }
}

/// 10 s, 20 s, 40 s, … doubling per attempt, at most an hour.
pub fn backoff(attempt: i32) -> chrono::Duration {
    let exponent = u32::try_from(attempt.clamp(1, 20) - 1).unwrap_or(0);
    let seconds = 10i64.saturating_mul(2i64.saturating_pow(exponent));
    chrono::Duration::seconds(seconds.min(3600))
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1).num_seconds(), 10);
        assert_eq!(backoff(2).num_seconds(), 20);
        assert_eq!(backoff(5).num_seconds(), 160);
        assert_eq!(backoff(12).num_seconds(), 3600);
    }
}
