//! BCP 47 language tags, as used for an account's locale and for multilingual text keys.

use crate::Invalid;

/// A well-formed BCP 47 tag such as `pl`, `en-GB` or `sr-Latn-RS` (syntax only, RFC 5646 §2.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Locale(String);

impl Locale {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let mut parts = raw.split('-');
        let primary = parts.next().unwrap_or_default();
        let primary_ok =
            (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
        let rest_ok = parts
            .all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
        if !primary_ok || !rest_ok || raw.len() > 35 {
            return Err(Invalid::new(
                "must be a BCP 47 language tag such as pl, en or sv-SE",
            ));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::wire::wire_text!(Locale, {
    crate::wire::string_schema(
        Some(2),
        Some(35),
        Some(crate::wire::LOCALE_PATTERN),
        "A BCP 47 language tag such as `pl`, `en` or `sv-SE`.",
    )
    .examples(["pl"])
});

impl Default for Locale {
    fn default() -> Self {
        Self("en".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_tags_and_refuses_others() {
        for ok in ["pl", "en", "sv-SE", "lt", "uk", "sr-Latn-RS", "fil"] {
            assert!(Locale::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "p", "polish", "pl_PL", "en--GB", "1a", "en-"] {
            assert!(Locale::parse(bad).is_err(), "{bad}");
        }
    }
}
