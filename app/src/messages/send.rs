//! Write to a programme's participants: the message is stored and a copy queued in the outbox
//! for each participant in the audience, in one transaction under the programme's row lock.

use chrono::{SubsecRound, Utc};
use kompetens_domain::ids::{MessageId, ProgrammeId};
use kompetens_domain::message::{
    BODY_CHARS, Deliveries, MessageAudience, ProgrammeMessage, SUBJECT_CHARS, preferred_languages,
};
use kompetens_domain::notification::{self, Details, NotificationKind, Written};
use kompetens_domain::programme::Programme;
use kompetens_domain::text::{LocalizedLine, LocalizedParagraphs};
use kompetens_persistence::repo::accounts::Account;
use kompetens_persistence::repo::notifications::{self, Queued};
use kompetens_persistence::repo::programme_messages;
use serde::Deserialize;
use utoipa::ToSchema;

use super::MessageView;
use crate::probe::Guard;
use crate::programmes::organised;
use crate::registrations::details;
use crate::{App, AppError, Caller, Once, Outcome};

/// A message to the programme's participants. Each gets it by e-mail in the first of these
/// that it is written in: their locale (`sv-SE`), its language (`sv`), the programme's
/// languages in order; else in any language it is written in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "subject": {"pl": "Informacje organizacyjne", "en": "Organisational details"},
    "body": {
        "pl": "Zbiórka w poniedziałek 13 czerwca o 8:00 przed dworcem w Gdańsku.\n\nZabierzcie wygodne buty.",
        "en": "We meet on Monday 13 June at 8:00 in front of Gdańsk station.\n\nBring comfortable shoes."
    },
    "to": "confirmed"
}))]
pub struct NewMessage {
    /// The e-mail's subject (after the programme's title), one line per language.
    pub subject: LocalizedLine<{ SUBJECT_CHARS }>,
    /// The text, paragraphs separated by blank lines, per language.
    pub body: LocalizedParagraphs<{ BODY_CHARS }>,
    /// Whom to write to, by the status of their registration.
    pub to: MessageAudience,
}

/// The e-mail `message` becomes for `participant`: the body in the best language they read,
/// the subject (and the programme's title, and the lines around them) in that language too.
fn copy_for(participant: &Account, programme: &Programme, message: &ProgrammeMessage) -> Queued {
    let preferred = preferred_languages(&participant.locale, &programme.languages);
    let copy = message.copy_for(&preferred);
    let title_languages: Vec<&str> = std::iter::once(copy.language)
        .chain(preferred.iter().copied())
        .collect();
    let details = Details {
        programme_title: programme.title.best(&title_languages).to_string(),
        message: Some(Written {
            subject: copy.subject.to_string(),
            body: copy.body.to_string(),
        }),
        ..details(participant, programme)
    };
    let (subject, body) = notification::render(NotificationKind::Message, copy.language, &details);
    Queued {
        account_id: participant.id,
        recipient: participant.email.as_str().to_string(),
        subject,
        body,
    }
}

/// Send a message: 404 unless the caller organises the programme. With no one in the audience
/// the message is still kept (`recipients` 0).
pub async fn send(
    app: &App,
    caller: &Caller,
    programme: ProgrammeId,
    new: NewMessage,
    once: Once<'_, MessageView>,
) -> Result<Outcome<MessageView>, AppError> {
    let tx = app.begin().await?;
    // The programme's row lock: registrations, cancellations and promotions of this programme
    // wait for it, so the recipients read below are exactly the audience at the moment the
    // message is stored (`created_at`), neither someone who registered earlier missing nor
    // someone who cancelled earlier written to.
    let programme = organised(
        &tx,
        &caller.actor,
        programme,
        app.guarded(Guard::ProgrammeLock),
    )
    .await?;
    // Under the lock, a request with the same key that committed meanwhile is visible: replay
    // it, and queue no second round of e-mails.
    if let Some(first) = once.replay(&tx, caller.account_id(), Utc::now()).await? {
        return Ok(Outcome::Replayed(first));
    }
    let participants = programme_messages::recipients(&tx, programme.id, new.to).await?;
    // A race test widens the gap between reading the audience and storing the message.
    app.after_check(Guard::ProgrammeLock).await;
    // Whole microseconds, as PostgreSQL keeps instants: the answer now and every later read of
    // the message show the same `created_at`.
    let now = Utc::now().trunc_subsecs(6);
    let message = ProgrammeMessage {
        id: MessageId::new(),
        programme_id: programme.id,
        sent_by: caller.account.id,
        subject: new.subject.into(),
        body: new.body.into(),
        audience: new.to,
        recipients: u32::try_from(participants.len())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("too many recipients: {e}")))?,
        created_at: now,
    };
    programme_messages::insert(&tx, &message).await?;
    let mails = participants
        .iter()
        .map(|p| copy_for(p, &programme, &message))
        .collect();
    notifications::enqueue_many(&tx, NotificationKind::Message, Some(message.id), mails, now)
        .await?;
    let view = MessageView {
        deliveries: Deliveries::all_queued(message.recipients),
        message,
    };
    once.remember(&tx, caller.account_id(), &view, now).await?;
    tx.commit().await?;
    tracing::info!(
        message_id = %view.message.id,
        programme_id = %programme.id,
        audience = %view.message.audience,
        recipients = view.message.recipients,
        "message to participants queued"
    );
    Ok(Outcome::Fresh(view))
}
