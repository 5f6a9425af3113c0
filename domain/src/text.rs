//! Multilingual text: a map of BCP 47 tags to strings, with at least one entry.

use std::collections::BTreeMap;

use crate::Invalid;
use crate::locale::Locale;

/// Text in one or more languages, e.g. `{"pl": "Warsztaty", "en": "Workshops"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalizedText(BTreeMap<String, String>);

impl LocalizedText {
    /// Each entry trimmed, non-empty and at most `max_chars` long; at least one entry.
    ///
    /// Errors name the offending key (`("pl", "must not be empty")`) or `None` for the whole.
    pub fn parse<'a>(
        entries: impl IntoIterator<Item = (&'a str, &'a str)>,
        max_chars: usize,
    ) -> Result<Self, (Option<String>, Invalid)> {
        let mut map = BTreeMap::new();
        for (tag, text) in entries {
            let locale = Locale::parse(tag).map_err(|e| (Some(tag.to_string()), e))?;
            let value = text.trim();
            if value.is_empty() {
                return Err((Some(tag.to_string()), Invalid::new("must not be empty")));
            }
            if value.chars().count() > max_chars {
                return Err((
                    Some(tag.to_string()),
                    Invalid::new(format!("must be at most {max_chars} characters")),
                ));
            }
            map.insert(locale.as_str().to_string(), value.to_string());
        }
        if map.is_empty() {
            return Err((
                None,
                Invalid::new("must hold the text in at least one language, e.g. {\"pl\": \"…\"}"),
            ));
        }
        Ok(Self(map))
    }

    pub fn entries(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// The text in the first of `preferred` that is present, else in any language.
    pub fn best(&self, preferred: &[&str]) -> &str {
        preferred
            .iter()
            .find_map(|tag| self.0.get(*tag))
            .or_else(|| self.0.values().next())
            .map_or("", String::as_str)
    }

    /// Every entry, lower-cased and joined: what text search looks through.
    pub fn search_key(&self) -> String {
        self.0
            .values()
            .map(|v| v.to_lowercase())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_one_language_and_valid_tags() {
        assert!(LocalizedText::parse([], 100).is_err());
        assert_eq!(
            LocalizedText::parse([("polski", "x")], 100)
                .err()
                .and_then(|e| e.0),
            Some("polski".to_string())
        );
        assert!(LocalizedText::parse([("pl", "  ")], 100).is_err());
        assert!(LocalizedText::parse([("pl", "abc")], 2).is_err());
    }

    #[test]
    fn picks_the_preferred_language() -> Result<(), (Option<String>, Invalid)> {
        let t = LocalizedText::parse([("pl", " Warsztaty "), ("en", "Workshops")], 100)?;
        assert_eq!(t.best(&["sv", "en"]), "Workshops");
        assert_eq!(t.best(&["lt"]), "Workshops"); // "en" sorts before "pl"
        assert_eq!(t.best(&["pl"]), "Warsztaty");
        assert_eq!(t.search_key(), "workshops\nwarsztaty");
        Ok(())
    }
}

/// One line of plain text: trimmed, 1–`max_chars` characters, no control characters.
pub fn line(raw: &str, max_chars: usize) -> Result<String, Invalid> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(Invalid::new("must not be empty"));
    }
    if value.chars().count() > max_chars {
        return Err(Invalid::new(format!(
            "must be at most {max_chars} characters"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(Invalid::new("must not contain control characters"));
    }
    Ok(value.to_string())
}

/// A web address: `https://` or `http://` with a host, at most 2000 characters.
pub fn web_url(raw: &str) -> Result<String, Invalid> {
    let value = raw.trim();
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or_else(|| Invalid::new("must be an http or https URL"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty()
        || value.len() > 2000
        || value.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Invalid::new("must be an http or https URL"));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod line_tests {
    use super::*;

    #[test]
    fn lines_and_urls() {
        assert_eq!(line("  Aula  ", 10), Ok("Aula".to_string()));
        assert!(line("a\nb", 10).is_err());
        assert!(web_url("https://meet.example.org/room?x=1").is_ok());
        for bad in ["ftp://x", "https://", "https:// x", "example.org"] {
            assert!(web_url(bad).is_err(), "{bad}");
        }
    }
}
