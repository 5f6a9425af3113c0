//! Messages to participants: what an organiser writes to those registered for a programme
//! ("the organisational details" of a residential training to those with a place), who it
//! reaches, in which language each of them reads it, and how its delivery is counted.

use chrono::{DateTime, Utc};

use crate::ids::{AccountId, MessageId, ProgrammeId};
use crate::locale::Locale;
use crate::registration::RegistrationStatus;
use crate::text::LocalizedText;
use crate::vocabulary;

/// The most characters of a message's subject, per language.
pub const SUBJECT_CHARS: usize = 300;
/// The most characters of a message's body, per language.
pub const BODY_CHARS: usize = 20_000;

vocabulary!(
    /// Whom a message to a programme's participants goes to, by the status of their registration.
    MessageAudience {
        /// Those holding a place: registrations `confirmed` or `completed`.
        Confirmed => "confirmed",
        /// Those on the waiting list: registrations `waitlisted`.
        Waitlisted => "waitlisted",
        /// Every registration still in play: `pending`, `confirmed`, `waitlisted` or `completed`.
        All => "all",
    }
);

impl MessageAudience {
    /// The registration statuses whose participants the message reaches.
    pub fn statuses(self) -> &'static [RegistrationStatus] {
        use RegistrationStatus::*;
        match self {
            MessageAudience::Confirmed => &[Confirmed, Completed],
            MessageAudience::Waitlisted => &[Waitlisted],
            MessageAudience::All => &[Pending, Confirmed, Waitlisted, Completed],
        }
    }

    /// Whether a participant whose registration is `status` is written to.
    pub fn includes(self, status: RegistrationStatus) -> bool {
        self.statuses().contains(&status)
    }
}

/// A message as stored: what the organiser wrote, to whom, and how many it was queued for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeMessage {
    pub id: MessageId,
    pub programme_id: ProgrammeId,
    /// The organiser who sent it.
    pub sent_by: AccountId,
    pub subject: LocalizedText,
    pub body: LocalizedText,
    pub audience: MessageAudience,
    /// How many e-mails were queued: the participants in the audience when it was sent.
    pub recipients: u32,
    pub created_at: DateTime<Utc>,
}

/// The languages a participant reads, best first: their locale (`sv-SE`), its language part
/// (`sv`), then the programme's languages in the programme's order.
pub fn preferred_languages<'a>(
    locale: &'a Locale,
    programme_languages: &'a [Locale],
) -> Vec<&'a str> {
    let locale = locale.as_str();
    let mut preferred = vec![locale];
    if let Some(language) = locale.split('-').next()
        && language != locale
    {
        preferred.push(language);
    }
    for tag in programme_languages.iter().map(Locale::as_str) {
        if !preferred.contains(&tag) {
            preferred.push(tag);
        }
    }
    preferred
}

/// One recipient's copy of a message: its subject and body in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageCopy<'a> {
    /// The language the body is in (the subject is in it too when the organiser wrote one).
    pub language: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

impl ProgrammeMessage {
    /// The message for a reader of `preferred` languages (best first). The body goes by the
    /// first preferred language it is written in, else by its first language; the subject
    /// follows the body's language where it can, so a copy mixes languages only when the
    /// organiser wrote the subject and the body in different ones.
    pub fn copy_for<'a>(&'a self, preferred: &[&str]) -> MessageCopy<'a> {
        let (language, body) = pick(&self.body, preferred);
        let (_, subject) = pick(
            &self.subject,
            &std::iter::once(language)
                .chain(preferred.iter().copied())
                .collect::<Vec<_>>(),
        );
        MessageCopy {
            language,
            subject,
            body,
        }
    }
}

/// The entry of `text` in the first of `preferred` it holds, else its first entry.
fn pick<'a>(text: &'a LocalizedText, preferred: &[&str]) -> (&'a str, &'a str) {
    let entries = text.entries();
    preferred
        .iter()
        .find_map(|tag| entries.get_key_value(*tag))
        .or_else(|| entries.iter().next())
        .map_or(("en", ""), |(tag, text)| (tag.as_str(), text.as_str()))
}

/// Where a message's e-mails are: every one queued is exactly one of these, so the three add
/// up to the message's recipients.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deliveries {
    /// Not sent yet and still being tried.
    pub queued: u32,
    pub sent: u32,
    /// Given up after the outbox's last attempt (or because the recipient erased their account).
    pub failed: u32,
}

impl Deliveries {
    /// A message just sent: every e-mail queued.
    pub fn all_queued(recipients: u32) -> Self {
        Deliveries {
            queued: recipients,
            ..Deliveries::default()
        }
    }

    pub fn total(&self) -> u32 {
        self.queued + self.sent + self.failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Result = std::result::Result<(), String>;

    fn locale(tag: &str) -> std::result::Result<Locale, String> {
        Locale::parse(tag).map_err(|e| e.0)
    }

    fn text(entries: &[(&str, &str)]) -> std::result::Result<LocalizedText, String> {
        LocalizedText::parse(entries.iter().copied(), 100).map_err(|e| e.1.0)
    }

    fn message(
        subject: &[(&str, &str)],
        body: &[(&str, &str)],
    ) -> std::result::Result<ProgrammeMessage, String> {
        Ok(ProgrammeMessage {
            id: MessageId::new(),
            programme_id: ProgrammeId::new(),
            sent_by: AccountId::new(),
            subject: text(subject)?,
            body: text(body)?,
            audience: MessageAudience::Confirmed,
            recipients: 0,
            created_at: Utc::now(),
        })
    }

    #[test]
    fn audiences_pick_registrations_by_status() {
        use RegistrationStatus::*;
        let reached = |a: MessageAudience| {
            RegistrationStatus::ALL
                .iter()
                .copied()
                .filter(|s| a.includes(*s))
                .collect::<Vec<_>>()
        };
        assert_eq!(reached(MessageAudience::Confirmed), [Confirmed, Completed]);
        assert_eq!(reached(MessageAudience::Waitlisted), [Waitlisted]);
        assert_eq!(
            reached(MessageAudience::All),
            [Pending, Confirmed, Waitlisted, Completed]
        );
        // Those who left are never written to.
        for a in MessageAudience::ALL {
            assert!(!a.includes(Cancelled) && !a.includes(Rejected));
        }
        assert_eq!(MessageAudience::parse("all"), Ok(MessageAudience::All));
        assert!(MessageAudience::parse("everyone").is_err());
    }

    #[test]
    fn the_locale_comes_first_then_its_language_then_the_programmes_languages() -> Result {
        let languages = [locale("pl")?, locale("en")?, locale("sv")?];
        assert_eq!(
            preferred_languages(&locale("sv-SE")?, &languages),
            ["sv-SE", "sv", "pl", "en"]
        );
        assert_eq!(
            preferred_languages(&locale("en")?, &languages),
            ["en", "pl", "sv"]
        );
        assert_eq!(preferred_languages(&locale("uk")?, &[]), ["uk"]);
        Ok(())
    }

    #[test]
    fn each_reader_gets_the_message_in_the_best_language_written() -> Result {
        let m = message(
            &[
                ("pl", "Informacje organizacyjne"),
                ("en", "Organisational details"),
            ],
            &[("pl", "Zbiórka o 8:00."), ("en", "We meet at 8:00.")],
        )?;
        let pl = m.copy_for(&["pl"]);
        assert_eq!(
            (pl.language, pl.subject, pl.body),
            ("pl", "Informacje organizacyjne", "Zbiórka o 8:00.")
        );
        let en = m.copy_for(&["en-GB", "en", "pl"]);
        assert_eq!((en.language, en.subject), ("en", "Organisational details"));
        // Ukrainian is not written: the programme's first language is.
        let uk = m.copy_for(&["uk", "pl", "en"]);
        assert_eq!(uk.language, "pl");
        // Nothing preferred is written: any language ("en" sorts first).
        assert_eq!(m.copy_for(&["lt"]).language, "en");
        Ok(())
    }

    #[test]
    fn the_subject_follows_the_language_of_the_body() -> Result {
        // The body only in Polish: an English reader gets the Polish subject with it, not an
        // English subject over a Polish text.
        let m = message(
            &[("pl", "Dojazd"), ("en", "Travel")],
            &[("pl", "Autokar o 7:00.")],
        )?;
        let copy = m.copy_for(&["en", "pl"]);
        assert_eq!((copy.language, copy.subject), ("pl", "Dojazd"));
        // A subject without the body's language falls back to the reader's preference.
        let m = message(
            &[("en", "Travel")],
            &[("pl", "Autokar o 7:00."), ("sv", "Buss kl. 7.")],
        )?;
        let copy = m.copy_for(&["sv"]);
        assert_eq!(
            (copy.language, copy.subject, copy.body),
            ("sv", "Travel", "Buss kl. 7.")
        );
        Ok(())
    }

    #[test]
    fn deliveries_add_up() {
        let d = Deliveries {
            queued: 2,
            sent: 5,
            failed: 1,
        };
        assert_eq!(d.total(), 8);
        assert_eq!(Deliveries::all_queued(3).total(), 3);
    }
}
