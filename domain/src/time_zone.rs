//! IANA time zones: sessions are stored in UTC and shown in their programme's zone.

use crate::Invalid;

/// A zone from the IANA database, such as `Europe/Warsaw`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        raw.parse::<chrono_tz::Tz>()
            .map(Self)
            .map_err(|_| Invalid::new("must be an IANA time zone such as Europe/Warsaw"))
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }

    /// The instant as a local time in this zone, with the offset in force then.
    pub fn local(&self, t: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::FixedOffset> {
        use chrono::TimeZone as _;
        self.0.from_utc_datetime(&t.naive_utc()).fixed_offset()
    }
}

crate::wire::wire_text!(TimeZone, {
    crate::wire::enum_schema(
        chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()),
        "An IANA time zone such as `Europe/Warsaw`.",
    )
    .examples(["Europe/Warsaw"])
});

impl TimeZone {
    fn as_str(&self) -> &'static str {
        self.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iana_names_only() {
        assert_eq!(
            TimeZone::parse("Europe/Warsaw").map(|z| z.name()),
            Ok("Europe/Warsaw")
        );
        assert!(TimeZone::parse("Europe/Stockholm").is_ok());
        assert!(TimeZone::parse("CEST").is_err());
        assert!(TimeZone::parse("Mars/Olympus").is_err());
    }
}
