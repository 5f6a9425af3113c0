//! What participants are told, in their language: the e-mails the outbox sends.

use crate::vocabulary;

vocabulary!(
    /// Why a participant is written to.
    NotificationKind {
        /// Registered and holding a place.
        Confirmed => "confirmed",
        /// Registered and waiting, at a position.
        Waitlisted => "waitlisted",
        /// Moved from the waiting list to a place.
        Promoted => "promoted",
        /// An organiser approved the application.
        Approved => "approved",
        /// An organiser rejected the application.
        Rejected => "rejected",
        /// The registration was cancelled.
        Cancelled => "cancelled",
        /// An organiser registered someone without an account: how to set a password.
        Invited => "invited",
        /// The completion rule is met and a certificate was issued (with its code).
        CertificateIssued => "certificate_issued",
        /// An organiser wrote to the programme's participants (`Details::message`).
        Message => "message",
        /// Sign-up (or a resend): the one-time code that confirms the e-mail address.
        EmailVerification => "email_verification",
    }
);

/// What a message says beyond its kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Details {
    pub programme_title: String,
    /// Where on the waiting list (for `waitlisted`, and `approved` when waitlisted).
    pub waitlist_position: Option<u32>,
    /// The organiser's reason (for `rejected` and `cancelled`).
    pub reason: Option<String>,
    /// Who answers questions, e.g. "Anna Kowalska <anna@example.pl>".
    pub contact: Option<String>,
    /// The one-time code for setting a password (for `invited`), the certificate's
    /// verification code (for `certificate_issued`), or the e-mail verification code (for
    /// `email_verification`).
    pub code: Option<String>,
    /// What an organiser wrote (for `message`), in the language the e-mail is rendered in.
    pub message: Option<Written>,
}

/// An organiser's subject and text, as one recipient reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub subject: String,
    pub body: String,
}

/// The languages messages are written in; others fall back to English.
pub const LANGUAGES: &[&str] = &["pl", "en", "sv", "lt"];

/// Subject and plain-text body in the first of `locale`'s language that we write, else English.
pub fn render(kind: NotificationKind, locale: &str, d: &Details) -> (String, String) {
    let language = locale.split('-').next().unwrap_or("en");
    let t = d.programme_title.as_str();
    let position = d.waitlist_position.unwrap_or(0);
    let reason = d.reason.as_deref().unwrap_or("-");
    let code = d.code.as_deref().unwrap_or("-");
    use NotificationKind::*;
    let (subject, lead) = match (language, kind) {
        ("pl", Message) => written(format!("Wiadomość od organizatorów programu „{t}”:"), d),
        ("sv", Message) => written(format!("Ett meddelande från arrangörerna av ”{t}”:"), d),
        ("lt", Message) => written(format!("Programos „{t}“ organizatorių žinutė:"), d),
        (_, Message) => written(format!("A message from the organisers of “{t}”:"), d),
        ("pl", Confirmed) => (
            format!("Potwierdzenie udziału: {t}"),
            format!("Masz zapewnione miejsce w programie „{t}”."),
        ),
        ("pl", Waitlisted) => (
            format!("Lista rezerwowa: {t}"),
            format!(
                "Wszystkie miejsca w programie „{t}” są zajęte. Jesteś na liście rezerwowej na pozycji {position}."
            ),
        ),
        ("pl", Promoted) => (
            format!("Zwolniło się miejsce: {t}"),
            format!("Zwolniło się miejsce w programie „{t}” i zostało przydzielone Tobie."),
        ),
        ("pl", Approved) => (
            format!("Zgłoszenie przyjęte: {t}"),
            approved_pl(t, d.waitlist_position),
        ),
        ("pl", Rejected) => (
            format!("Zgłoszenie odrzucone: {t}"),
            format!("Twoje zgłoszenie do programu „{t}” nie zostało przyjęte. Powód: {reason}"),
        ),
        ("pl", Cancelled) => (
            format!("Rejestracja anulowana: {t}"),
            format!("Twoja rejestracja w programie „{t}” została anulowana. Powód: {reason}"),
        ),
        ("pl", Invited) => (
            format!("Zaproszenie do Kompetens: {t}"),
            format!(
                "Organizator zarejestrował Cię w programie „{t}”. Aby się logować, ustaw hasło w ciągu 14 dni, używając jednorazowego kodu: {code}"
            ),
        ),
        ("sv", Invited) => (
            format!("Inbjudan till Kompetens: {t}"),
            format!(
                "En arrangör har anmält dig till ”{t}”. Välj ett lösenord inom 14 dagar med engångskoden: {code}"
            ),
        ),
        ("lt", Invited) => (
            format!("Kvietimas į Kompetens: {t}"),
            format!(
                "Organizatorius užregistravo jus programai „{t}“. Norėdami prisijungti, per 14 dienų nustatykite slaptažodį vienkartiniu kodu: {code}"
            ),
        ),
        (_, Invited) => (
            format!("Invitation to Kompetens: {t}"),
            format!(
                "An organiser has registered you for “{t}”. To sign in, set a password within 14 days with this one-time code: {code}"
            ),
        ),
        ("pl", CertificateIssued) => (
            format!("Zaświadczenie o ukończeniu: {t}"),
            format!(
                "Gratulacje! Program „{t}” został przez Ciebie ukończony. Zaświadczenie znajdziesz wśród swoich zaświadczeń; jego kod weryfikacyjny to {code}."
            ),
        ),
        ("sv", CertificateIssued) => (
            format!("Intyg: {t}"),
            format!(
                "Grattis! Du har genomfört ”{t}”. Ditt intyg finns bland dina intyg; verifieringskoden är {code}."
            ),
        ),
        ("lt", CertificateIssued) => (
            format!("Pažymėjimas: {t}"),
            format!(
                "Sveikiname! Baigėte programą „{t}“. Pažymėjimą rasite tarp savo pažymėjimų; patvirtinimo kodas: {code}."
            ),
        ),
        (_, CertificateIssued) => (
            format!("Certificate: {t}"),
            format!(
                "Congratulations! You have completed “{t}”. Your certificate is among your certificates; its verification code is {code}."
            ),
        ),
        ("sv", Confirmed) => (
            format!("Bekräftelse: {t}"),
            format!("Du har fått en plats i programmet ”{t}”."),
        ),
        ("sv", Waitlisted) => (
            format!("Reservlista: {t}"),
            format!(
                "Alla platser i programmet ”{t}” är tagna. Du står på reservlistan på plats {position}."
            ),
        ),
        ("sv", Promoted) => (
            format!("En plats har blivit ledig: {t}"),
            format!("En plats i programmet ”{t}” har blivit ledig och är nu din."),
        ),
        ("sv", Approved) => (
            format!("Ansökan godkänd: {t}"),
            match d.waitlist_position {
                Some(p) => format!(
                    "Din ansökan till ”{t}” är godkänd. Alla platser är tagna; du står på reservlistan på plats {p}."
                ),
                None => format!("Din ansökan till ”{t}” är godkänd och du har fått en plats."),
            },
        ),
        ("sv", Rejected) => (
            format!("Ansökan avslagen: {t}"),
            format!("Din ansökan till programmet ”{t}” har avslagits. Skäl: {reason}"),
        ),
        ("sv", Cancelled) => (
            format!("Anmälan avbokad: {t}"),
            format!("Din anmälan till programmet ”{t}” har avbokats. Skäl: {reason}"),
        ),
        ("lt", Confirmed) => (
            format!("Dalyvavimo patvirtinimas: {t}"),
            format!("Jums skirta vieta programoje „{t}“."),
        ),
        ("lt", Waitlisted) => (
            format!("Laukiančiųjų sąrašas: {t}"),
            format!(
                "Visos vietos programoje „{t}“ užimtos. Esate laukiančiųjų sąraše, {position} vietoje."
            ),
        ),
        ("lt", Promoted) => (
            format!("Atsilaisvino vieta: {t}"),
            format!("Programoje „{t}“ atsilaisvino vieta ir ji skirta jums."),
        ),
        ("lt", Approved) => (
            format!("Paraiška priimta: {t}"),
            match d.waitlist_position {
                Some(p) => format!(
                    "Jūsų paraiška programai „{t}“ priimta. Visos vietos užimtos; esate laukiančiųjų sąraše, {p} vietoje."
                ),
                None => format!("Jūsų paraiška programai „{t}“ priimta ir jums skirta vieta."),
            },
        ),
        ("lt", Rejected) => (
            format!("Paraiška atmesta: {t}"),
            format!("Jūsų paraiška programai „{t}“ atmesta. Priežastis: {reason}"),
        ),
        ("lt", Cancelled) => (
            format!("Registracija atšaukta: {t}"),
            format!("Jūsų registracija programoje „{t}“ atšaukta. Priežastis: {reason}"),
        ),
        (_, Confirmed) => (
            format!("Confirmed: {t}"),
            format!("You have a place in “{t}”."),
        ),
        (_, Waitlisted) => (
            format!("Waiting list: {t}"),
            format!(
                "All places in “{t}” are taken. You are on the waiting list at position {position}."
            ),
        ),
        (_, Promoted) => (
            format!("A place has opened: {t}"),
            format!("A place in “{t}” has become free and is now yours."),
        ),
        (_, Approved) => (
            format!("Application approved: {t}"),
            match d.waitlist_position {
                Some(p) => format!(
                    "Your application to “{t}” is approved. All places are taken; you are on the waiting list at position {p}."
                ),
                None => format!("Your application to “{t}” is approved and you have a place."),
            },
        ),
        (_, Rejected) => (
            format!("Application not accepted: {t}"),
            format!("Your application to “{t}” was not accepted. Reason: {reason}"),
        ),
        (_, Cancelled) => (
            format!("Registration cancelled: {t}"),
            format!("Your registration for “{t}” has been cancelled. Reason: {reason}"),
        ),
        (_, EmailVerification) => crate::verification::message(language, code),
    };
    let contact = d.contact.as_deref().map(|c| match language {
        "pl" => format!("\n\nPytania: {c}"),
        "sv" => format!("\n\nFrågor: {c}"),
        "lt" => format!("\n\nKlausimai: {c}"),
        _ => format!("\n\nQuestions: {c}"),
    });
    (
        subject,
        format!("{lead}{}\n\n— Kompetens\n", contact.unwrap_or_default()),
    )
}

/// The organiser's message under a line saying whose it is; the subject names the programme.
fn written(intro: String, d: &Details) -> (String, String) {
    let t = &d.programme_title;
    match &d.message {
        Some(m) => (
            format!("{t}: {}", m.subject),
            format!("{intro}\n\n{}", m.body),
        ),
        None => (t.clone(), intro),
    }
}

fn approved_pl(t: &str, position: Option<u32>) -> String {
    match position {
        Some(p) => format!(
            "Twoje zgłoszenie do programu „{t}” zostało przyjęte. Wszystkie miejsca są zajęte; jesteś na liście rezerwowej na pozycji {p}."
        ),
        None => format!(
            "Twoje zgłoszenie do programu „{t}” zostało przyjęte i masz zapewnione miejsce."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details() -> Details {
        Details {
            programme_title: "Trening wyjazdowy".into(),
            waitlist_position: Some(3),
            reason: Some("brak miejsc".into()),
            contact: Some("Anna Kowalska <anna@example.pl>".into()),
            code: Some("kps_abc".into()),
            ..Details::default()
        }
    }

    #[test]
    fn every_kind_in_every_language_names_the_programme() {
        // The e-mail verification is about the address, not a programme (see `verification`).
        let about_programmes = NotificationKind::ALL
            .iter()
            .filter(|k| **k != NotificationKind::EmailVerification);
        for kind in about_programmes {
            for language in LANGUAGES.iter().chain(&["uk", "sv-SE"]) {
                let (subject, body) = render(*kind, language, &details());
                assert!(subject.contains("Trening wyjazdowy"), "{kind} {language}");
                assert!(body.contains("Trening wyjazdowy"), "{kind} {language}");
            }
        }
    }

    #[test]
    fn waitlist_messages_carry_the_position_in_the_participants_language() {
        let (_, pl) = render(NotificationKind::Waitlisted, "pl", &details());
        assert!(pl.contains("pozycji 3") && pl.contains("Pytania: Anna"));
        let (_, sv) = render(NotificationKind::Waitlisted, "sv-SE", &details());
        assert!(sv.contains("plats 3"));
        let (_, lt) = render(NotificationKind::Waitlisted, "lt", &details());
        assert!(lt.contains("3 vietoje"));
        let (subject, _) = render(NotificationKind::Rejected, "uk", &details());
        assert!(subject.starts_with("Application not accepted"));
    }

    #[test]
    fn an_organisers_message_is_framed_in_the_language_it_is_written_in() {
        let d = Details {
            message: Some(Written {
                subject: "Informacje organizacyjne".into(),
                body: "Zbiórka w poniedziałek o 8:00.\n\nZabierzcie buty w góry.".into(),
            }),
            ..details()
        };
        let (subject, body) = render(NotificationKind::Message, "pl", &d);
        assert_eq!(subject, "Trening wyjazdowy: Informacje organizacyjne");
        assert!(
            body.starts_with("Wiadomość od organizatorów programu „Trening wyjazdowy”:\n\nZbiórka")
        );
        assert!(body.contains("Zabierzcie buty w góry.\n\nPytania: Anna Kowalska"));
        let (_, body) = render(NotificationKind::Message, "de", &d);
        assert!(
            body.starts_with("A message from the organisers of"),
            "{body}"
        );
        assert!(body.contains("Questions: Anna"));
    }
}
