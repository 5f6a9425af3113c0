//! People who sign in: their names and profile.

use crate::Invalid;

/// A person's display name: trimmed, 1–200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        crate::text::line(raw, Self::MAX_CHARS).map(Self)
    }

    /// A name read back from storage, as it was stored.
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::wire::wire_text!(PersonName, {
    crate::wire::string_schema(
        Some(1),
        Some(PersonName::MAX_CHARS),
        Some(crate::text::LINE_PATTERN),
        "A person's name as they want it shown (and printed on certificates): 1–200 characters, \
         no control characters or bidirectional overrides.",
    )
    .examples(["Olena Kovalenko"])
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_letters_of_every_language() {
        let name = PersonName::parse("  Łucja Žemaitytė-Öberg ").map(|n| n.as_str().to_string());
        assert_eq!(name, Ok("Łucja Žemaitytė-Öberg".to_string()));
        assert!(PersonName::parse(" ").is_err());
        assert!(PersonName::parse("a\u{0}b").is_err());
        // A right-to-left override would make a printed name read differently.
        assert!(PersonName::parse("Anna \u{202E}akswoK").is_err());
    }
}
