//! Text: one validated type for every text field a request may carry, and multilingual text.
//!
//! Every text field refuses NUL and the other control characters (line breaks are allowed only
//! where a field holds paragraphs) and the bidirectional embeddings, overrides and isolates
//! (U+202A–U+202E, U+2066–U+2069): with those, a name printed on a certificate could be made to
//! read differently from what was stored ("Trojan Source", CVE-2021-42574), and PostgreSQL
//! refuses NUL in text outright. Values are trimmed; the length limit counts characters (code
//! points, as JSON Schema's `maxLength` does) after trimming. The limits are const parameters,
//! and the JSON Schema published for each type is built from the same constants, so the check
//! and the document cannot drift apart.

use std::collections::BTreeMap;

use crate::Invalid;
use crate::locale::Locale;

/// Whether `c` may never appear in a text field (`multiline`: tab and line breaks are allowed).
pub fn is_refused(c: char, multiline: bool) -> bool {
    if multiline && matches!(c, '\t' | '\n' | '\r') {
        return false;
    }
    // `is_control` is exactly the Unicode category Cc: U+0000–U+001F and U+007F–U+009F.
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The JSON Schema (ECMA-262) pattern of a one-line text field: none of what [`is_refused`]
/// refuses, and something besides white space (which trimming would leave empty).
pub const LINE_PATTERN: &str = r"^[^\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]*[^\s\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069][^\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]*$";

/// The pattern of a text field of several paragraphs: tab, line feed and carriage return allowed,
/// and something besides white space.
pub const PARAGRAPHS_PATTERN: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]*[^\s\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]*$";

/// Trims `raw` and checks it: 1–`max_chars` characters, none refused.
pub fn checked(raw: &str, max_chars: usize, multiline: bool) -> Result<String, Invalid> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(Invalid::new("must not be empty"));
    }
    if value.chars().count() > max_chars {
        return Err(Invalid::new(format!(
            "must be at most {max_chars} characters"
        )));
    }
    if value.chars().any(|c| is_refused(c, multiline)) {
        return Err(Invalid::new(if multiline {
            "must not contain control characters (other than tabs and line breaks) or bidirectional overrides"
        } else {
            "must not contain control characters, line breaks or bidirectional overrides"
        }));
    }
    Ok(value.to_string())
}

/// One line of plain text: trimmed, 1–`max_chars` characters, no control characters.
pub fn line(raw: &str, max_chars: usize) -> Result<String, Invalid> {
    checked(raw, max_chars, false)
}

/// One line of text of at most `MAX` characters: a name, a title, an address line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Line<const MAX: usize>(String);

impl<const MAX: usize> Line<MAX> {
    pub const MAX_CHARS: usize = MAX;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        checked(raw, MAX, false).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<const MAX: usize> From<Line<MAX>> for String {
    fn from(line: Line<MAX>) -> String {
        line.0
    }
}

/// Text of one or more paragraphs of at most `MAX` characters: notes, reasons, descriptions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Paragraphs<const MAX: usize>(String);

impl<const MAX: usize> Paragraphs<MAX> {
    pub const MAX_CHARS: usize = MAX;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        checked(raw, MAX, true).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<const MAX: usize> From<Paragraphs<MAX>> for String {
    fn from(text: Paragraphs<MAX>) -> String {
        text.0
    }
}

/// The most languages one multilingual text may carry.
pub const MAX_LANGUAGES: usize = 30;

/// Text in one or more languages, e.g. `{"pl": "Warsztaty", "en": "Workshops"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalizedText(BTreeMap<String, String>);

impl LocalizedText {
    /// Reads stored text: each entry trimmed, non-empty and at most `max_chars` long; at least
    /// one entry. Input from outside goes through [`LocalizedText::parse_input`].
    ///
    /// Errors name the offending key (`("pl", "must not be empty")`) or `None` for the whole.
    pub fn parse<'a>(
        entries: impl IntoIterator<Item = (&'a str, &'a str)>,
        max_chars: usize,
    ) -> Result<Self, (Option<String>, Invalid)> {
        Self::build(entries, |text| {
            let value = text.trim();
            if value.is_empty() {
                return Err(Invalid::new("must not be empty"));
            }
            if value.chars().count() > max_chars {
                return Err(Invalid::new(format!(
                    "must be at most {max_chars} characters"
                )));
            }
            Ok(value.to_string())
        })
    }

    /// Reads text from a request: as [`LocalizedText::parse`], and each entry refuses control
    /// characters (line breaks too unless `multiline`) and bidirectional overrides; at most
    /// [`MAX_LANGUAGES`] entries.
    pub fn parse_input<'a>(
        entries: impl IntoIterator<Item = (&'a str, &'a str)>,
        max_chars: usize,
        multiline: bool,
    ) -> Result<Self, (Option<String>, Invalid)> {
        let text = Self::build(entries, |text| checked(text, max_chars, multiline))?;
        if text.0.len() > MAX_LANGUAGES {
            return Err((
                None,
                Invalid::new(format!("may hold at most {MAX_LANGUAGES} languages")),
            ));
        }
        Ok(text)
    }

    fn build<'a>(
        entries: impl IntoIterator<Item = (&'a str, &'a str)>,
        check: impl Fn(&str) -> Result<String, Invalid>,
    ) -> Result<Self, (Option<String>, Invalid)> {
        let mut map = BTreeMap::new();
        for (tag, text) in entries {
            let locale = Locale::parse(tag).map_err(|e| (Some(tag.to_string()), e))?;
            let value = check(text).map_err(|e| (Some(tag.to_string()), e))?;
            map.insert(locale.as_str().to_string(), value);
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

/// Multilingual one-line text from a request (titles), each entry at most `MAX` characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalizedLine<const MAX: usize>(LocalizedText);

/// Multilingual text of paragraphs from a request (summaries, descriptions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalizedParagraphs<const MAX: usize>(LocalizedText);

macro_rules! localized_wrapper {
    ($name:ident, $multiline:expr) => {
        impl<const MAX: usize> $name<MAX> {
            pub const MAX_CHARS: usize = MAX;

            pub fn parse<'a>(
                entries: impl IntoIterator<Item = (&'a str, &'a str)>,
            ) -> Result<Self, (Option<String>, Invalid)> {
                LocalizedText::parse_input(entries, MAX, $multiline).map(Self)
            }

            pub fn into_inner(self) -> LocalizedText {
                self.0
            }

            pub fn get(&self) -> &LocalizedText {
                &self.0
            }
        }

        impl<const MAX: usize> From<$name<MAX>> for LocalizedText {
            fn from(text: $name<MAX>) -> LocalizedText {
                text.0
            }
        }

        impl<const MAX: usize> serde::Serialize for $name<MAX> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.0.entries().serialize(s)
            }
        }

        impl<'de, const MAX: usize> serde::Deserialize<'de> for $name<MAX> {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                // Each entry is read as checked text, so that a bad entry is reported at its
                // own pointer (`/title/pl`), not at the map.
                struct Entry<const MAX: usize>(String);
                impl<'de, const MAX: usize> serde::Deserialize<'de> for Entry<MAX> {
                    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        let raw = String::deserialize(d)?;
                        checked(&raw, MAX, $multiline)
                            .map(Entry)
                            .map_err(serde::de::Error::custom)
                    }
                }
                let map = BTreeMap::<String, Entry<MAX>>::deserialize(d)?;
                for tag in map.keys() {
                    Locale::parse(tag)
                        .map_err(|e| serde::de::Error::custom(format!("{tag}: {e}")))?;
                }
                Self::parse(map.iter().map(|(k, v)| (k.as_str(), v.0.as_str())))
                    .map_err(|(_, e)| serde::de::Error::custom(e))
            }
        }
    };
}

localized_wrapper!(LocalizedLine, false);
localized_wrapper!(LocalizedParagraphs, true);

/// A web address: `https://` or `http://` with a host, at most [`MAX_URL_CHARS`] characters.
pub fn web_url(raw: &str) -> Result<String, Invalid> {
    let value = raw.trim();
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or_else(|| Invalid::new("must be an http or https URL"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty()
        || value.chars().count() > MAX_URL_CHARS
        || value
            .chars()
            .any(|c| c.is_whitespace() || is_refused(c, false))
    {
        return Err(Invalid::new("must be an http or https URL"));
    }
    Ok(value.to_string())
}

/// The longest web address accepted.
pub const MAX_URL_CHARS: usize = 2000;

/// The pattern of a web address: what [`web_url`] accepts (the host is checked there too).
pub const URL_PATTERN: &str = r"^\s*https?://[^\s/?#]+[^\s]*\s*$";

/// A web address (`https://meet.example.org/…`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WebUrl(String);

impl WebUrl {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        web_url(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

crate::wire::wire_text!(WebUrl, {
    crate::wire::string_schema(
        None,
        Some(MAX_URL_CHARS),
        Some(URL_PATTERN),
        "An http or https web address.",
    )
    .format(Some(utoipa::openapi::schema::SchemaFormat::Custom(
        "uri".to_string(),
    )))
    .examples(["https://meet.example.org/kompetens-workshop"])
});

impl<const MAX: usize> serde::Serialize for Line<MAX> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de, const MAX: usize> serde::Deserialize<'de> for Line<MAX> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl<const MAX: usize> serde::Serialize for Paragraphs<MAX> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de, const MAX: usize> serde::Deserialize<'de> for Paragraphs<MAX> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
mod openapi {
    use std::borrow::Cow;

    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
    use utoipa::{PartialSchema, ToSchema};

    use super::*;
    use crate::wire::{LOCALE_PATTERN, string_schema};

    impl<const MAX: usize> PartialSchema for Line<MAX> {
        fn schema() -> RefOr<Schema> {
            string_schema(
                Some(1),
                Some(MAX),
                Some(LINE_PATTERN),
                &format!(
                    "One line of text, 1–{MAX} characters after surrounding white space is removed \
                     (which must leave something); no control characters, line breaks or \
                     bidirectional overrides."
                ),
            )
            .into()
        }
    }

    impl<const MAX: usize> ToSchema for Line<MAX> {
        fn name() -> Cow<'static, str> {
            Cow::Owned(format!("Line{MAX}"))
        }
    }

    impl<const MAX: usize> PartialSchema for Paragraphs<MAX> {
        fn schema() -> RefOr<Schema> {
            string_schema(
                Some(1),
                Some(MAX),
                Some(PARAGRAPHS_PATTERN),
                &format!(
                    "Text of 1–{MAX} characters after surrounding white space is removed (which \
                     must leave something); tabs and line breaks allowed, no other control \
                     characters and no bidirectional overrides."
                ),
            )
            .into()
        }
    }

    impl<const MAX: usize> ToSchema for Paragraphs<MAX> {
        fn name() -> Cow<'static, str> {
            Cow::Owned(format!("Paragraphs{MAX}"))
        }
    }

    fn localized(max: usize, pattern: &str, what: &str) -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(format!(
                "{what} in one or more languages: BCP 47 language tags to text, e.g. \
                 `{{\"pl\": \"…\", \"en\": \"…\"}}`; at most {MAX_LANGUAGES} languages, each text \
                 1–{max} characters after surrounding white space is removed."
            )))
            .min_properties(Some(1))
            .max_properties(Some(MAX_LANGUAGES))
            .property_names(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(LOCALE_PATTERN))
                    .max_length(Some(35)),
            ))
            .additional_properties(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(max))
                    .pattern(Some(pattern)),
            ))
            .examples([serde_json::json!({"pl": "Warsztaty międzykulturowe", "en": "Intercultural workshops"})])
            .into()
    }

    impl<const MAX: usize> PartialSchema for LocalizedLine<MAX> {
        fn schema() -> RefOr<Schema> {
            localized(MAX, LINE_PATTERN, "One line of text")
        }
    }

    impl<const MAX: usize> ToSchema for LocalizedLine<MAX> {
        fn name() -> Cow<'static, str> {
            Cow::Owned(format!("LocalizedLine{MAX}"))
        }
    }

    impl<const MAX: usize> PartialSchema for LocalizedParagraphs<MAX> {
        fn schema() -> RefOr<Schema> {
            localized(MAX, PARAGRAPHS_PATTERN, "Text")
        }
    }

    impl<const MAX: usize> ToSchema for LocalizedParagraphs<MAX> {
        fn name() -> Cow<'static, str> {
            Cow::Owned(format!("LocalizedParagraphs{MAX}"))
        }
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

    #[test]
    fn input_refuses_controls_and_bidi_overrides() {
        assert!(LocalizedText::parse_input([("pl", "a\u{0}b")], 100, true).is_err());
        assert!(LocalizedText::parse_input([("pl", "a\u{202E}b")], 100, true).is_err());
        assert!(LocalizedText::parse_input([("pl", "a\nb")], 100, false).is_err());
        assert!(LocalizedText::parse_input([("pl", "a\nb")], 100, true).is_ok());
        // Stored text is read back as it was, whatever it holds.
        assert!(LocalizedText::parse([("pl", "a\nb")], 100).is_ok());
    }

    #[test]
    fn lines_and_urls() {
        assert_eq!(line("  Aula  ", 10), Ok("Aula".to_string()));
        assert!(line("a\nb", 10).is_err());
        assert!(web_url("https://meet.example.org/room?x=1").is_ok());
        for bad in ["ftp://x", "https://", "https:// x", "example.org"] {
            assert!(web_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_refused_character_is_refused_by_type_and_by_pattern_alike() {
        // The pattern's ranges, written out: what `is_refused` must refuse in a line.
        let ranges = [
            ('\u{0}', '\u{1F}'),
            ('\u{7F}', '\u{9F}'),
            ('\u{202A}', '\u{202E}'),
            ('\u{2066}', '\u{2069}'),
        ];
        for c in (0u32..0x3000).filter_map(char::from_u32) {
            let in_pattern = ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c));
            assert_eq!(is_refused(c, false), in_pattern, "{:04X}", c as u32);
            assert_eq!(Line::<10>::parse(&format!("a{c}b")).is_err(), in_pattern);
        }
        for ok in ['\t', '\n', '\r'] {
            assert!(Paragraphs::<10>::parse(&format!("a{ok}b")).is_ok());
        }
        assert!(Paragraphs::<10>::parse("a\u{0}b").is_err());
        assert!(Line::<10>::parse("a\u{2067}b").is_err());
        // Right-to-left text itself is welcome; only the invisible overrides are refused.
        assert!(Line::<20>::parse("مرحبا שלום").is_ok());
    }

    #[test]
    fn limits_count_characters_after_trimming() {
        assert!(Line::<3>::parse(" żół ").is_ok());
        assert!(Line::<3>::parse("żółw").is_err());
        assert!(Line::<3>::parse("   ").is_err());
    }
}
