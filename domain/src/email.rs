//! E-mail addresses, normalised so that uniqueness is case-insensitive.

use crate::Invalid;

/// The longest address accepted (RFC 5321's 254, counted in characters as JSON Schema does).
pub const MAX_EMAIL_CHARS: usize = 254;

/// An e-mail address, trimmed and lower-cased. Two accounts can never differ only by case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err(Invalid::new("must not be empty"));
        }
        if value.chars().count() > MAX_EMAIL_CHARS {
            return Err(Invalid::new("must be at most 254 characters"));
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err(Invalid::new(
                "must be an e-mail address such as name@example.org",
            ));
        };
        let domain_ok = !domain.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c == '@' || c.is_control());
        if !domain_ok || !local_ok {
            return Err(Invalid::new(
                "must be an e-mail address such as name@example.org",
            ));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::wire::wire_text!(Email, {
    crate::wire::string_schema(
        Some(3),
        Some(MAX_EMAIL_CHARS),
        Some(r"^\s*[^@\s]+@[^@\s.][^@\s]*\.[^@\s]*[^@\s.]\s*$"),
        "An e-mail address; compared without regard to case and stored in lower case.",
    )
    .format(Some(utoipa::openapi::schema::SchemaFormat::Custom(
        "email".to_string(),
    )))
    .examples(["anna.kowalska@example.pl"])
});

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        let email = Email::parse("  Anna.Kowalska@Example.PL ").map(|e| e.to_string());
        assert_eq!(email, Ok("anna.kowalska@example.pl".to_string()));
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for raw in [
            "",
            "   ",
            "anna",
            "anna@",
            "@example.org",
            "anna@example",
            "a b@example.org",
            "anna@exa mple.org",
            "a@b@example.org",
            "anna@.example.org",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw:?} should be refused");
        }
    }

    #[test]
    fn accepts_international_domains() {
        assert!(Email::parse("łucja@przykład.pl").is_ok());
    }
}
