//! E-mail verification: the code sign-up e-mails, how long it lasts, how often another may be
//! sent, and the message that carries it.
//!
//! A verified address is what lets rosters vouch for a person: an unverified one matches no
//! roster entry, or anyone could sign up with a colleague's address and take her place.

/// What every verification code starts with (the rest is 256 random bits, base64url), so that
/// it is recognised in a message and by secret scanners.
pub const CODE_PREFIX: &str = "kpv_";

/// How long a code can be used.
pub const CODE_VALID_HOURS: i64 = 48;

/// At most this many verification e-mails go to one account in [`SEND_WINDOW_MINUTES`] (the
/// sign-up's included), so that resending cannot flood an inbox.
pub const MAX_CODES_PER_WINDOW: u64 = 5;
pub const SEND_WINDOW_MINUTES: i64 = 60;

/// Whether another code may be sent, given how many were sent in the window.
pub fn may_send(sent_in_window: u64) -> bool {
    sent_in_window < MAX_CODES_PER_WINDOW
}

/// The first verification code in `text` (a message body), if there is one.
pub fn code_in(text: &str) -> Option<&str> {
    let start = text.find(CODE_PREFIX)?;
    let rest = &text[start..];
    let end = rest
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        .map_or(rest.len(), |(i, _)| i);
    (end > CODE_PREFIX.len()).then(|| &rest[..end])
}

/// Subject and opening of the verification e-mail in `language` (pl, en, sv, lt; English
/// otherwise).
pub fn message(language: &str, code: &str) -> (String, String) {
    let hours = CODE_VALID_HOURS;
    match language {
        "pl" => (
            "Potwierdź adres e-mail w Kompetens".to_string(),
            format!(
                "Aby potwierdzić swój adres e-mail, użyj w ciągu {hours} godzin tego jednorazowego kodu: {code}\n\nJeśli nie zakładałeś(-aś) konta w Kompetens, zignoruj tę wiadomość."
            ),
        ),
        "sv" => (
            "Bekräfta din e-postadress i Kompetens".to_string(),
            format!(
                "Bekräfta din e-postadress med den här engångskoden inom {hours} timmar: {code}\n\nOm det inte var du som skapade kontot kan du bortse från det här meddelandet."
            ),
        ),
        "lt" => (
            "Patvirtinkite el. pašto adresą Kompetens sistemoje".to_string(),
            format!(
                "Norėdami patvirtinti el. pašto adresą, per {hours} valandas panaudokite šį vienkartinį kodą: {code}\n\nJei paskyros nekūrėte, šį laišką ignoruokite."
            ),
        ),
        _ => (
            "Confirm your e-mail address for Kompetens".to_string(),
            format!(
                "To confirm your e-mail address, use this one-time code within {hours} hours: {code}\n\nIf you did not create an account, ignore this message."
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "kpv_3q2-7wEr0eXl1dYpZ0yF8mJtR6nB4cXaLsHgUoIeK9w";

    #[test]
    fn the_code_is_found_in_every_language_and_nothing_else_is_taken_for_one() {
        for language in ["pl", "en", "sv", "lt", "uk"] {
            let (subject, body) = message(language, CODE);
            assert!(!subject.contains(CODE), "{language}: never in the subject");
            assert_eq!(code_in(&body), Some(CODE), "{language}");
        }
        assert_eq!(code_in("no code here"), None);
        assert_eq!(code_in("kpv_ alone"), None);
        assert_eq!(code_in(&format!("({CODE}).")), Some(CODE));
    }

    #[test]
    fn each_language_is_its_own_and_others_fall_back_to_english() {
        assert!(message("pl", CODE).0.starts_with("Potwierdź"));
        assert!(message("sv", CODE).0.starts_with("Bekräfta"));
        assert!(message("lt", CODE).0.starts_with("Patvirtinkite"));
        assert_eq!(message("uk", CODE), message("en", CODE));
    }

    #[test]
    fn five_codes_an_hour() {
        assert!(may_send(0));
        assert!(may_send(4));
        assert!(!may_send(5));
    }
}
