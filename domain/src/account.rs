//! People who sign in: their names and profile.

use crate::Invalid;

/// A person's display name: trimmed, 1–200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(Invalid::new("must not be empty"));
        }
        if value.chars().count() > 200 {
            return Err(Invalid::new("must be at most 200 characters"));
        }
        if value.chars().any(char::is_control) {
            return Err(Invalid::new("must not contain control characters"));
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_letters_of_every_language() {
        let name = PersonName::parse("  Łucja Žemaitytė-Öberg ").map(|n| n.as_str().to_string());
        assert_eq!(name, Ok("Łucja Žemaitytė-Öberg".to_string()));
        assert!(PersonName::parse(" ").is_err());
        assert!(PersonName::parse("a\u{0}b").is_err());
    }
}
