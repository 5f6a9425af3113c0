//! The password policy for new passwords. Hashing lives at the edge (argon2 in the API crate).

use crate::Invalid;

/// Minimum length, counted in characters (NIST SP 800-63B asks for at least 8; we ask for 12).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Upper bound, to keep hashing cost bounded for hostile input.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// A password that meets the policy. Never logged, never serialised.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(Invalid::new(format!(
                "must be at least {MIN_PASSWORD_CHARS} characters"
            )));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(Invalid::new(format!(
                "must be at most {MAX_PASSWORD_CHARS} characters"
            )));
        }
        if raw.trim().is_empty() {
            return Err(Invalid::new("must not be only white space"));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

impl<'de> serde::Deserialize<'de> for NewPassword {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <String as serde::Deserialize>::deserialize(d)?;
        NewPassword::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for NewPassword {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::wire::string_schema(
            Some(MIN_PASSWORD_CHARS),
            Some(MAX_PASSWORD_CHARS),
            None,
            "A new password: 12 to 256 characters, not only white space.",
        )
        .examples(["correct horse battery"])
        .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for NewPassword {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("NewPassword")
    }
}

/// A password presented to prove who one is (signing in, erasing one's account): any text up
/// to the longest password the policy allows. Never logged, never serialised.
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let chars = raw.chars().count();
        if chars == 0 {
            return Err(Invalid::new("must not be empty"));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(Invalid::new(format!(
                "must be at most {MAX_PASSWORD_CHARS} characters"
            )));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The text, for hashing or verification on another thread.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

impl<'de> serde::Deserialize<'de> for Password {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <String as serde::Deserialize>::deserialize(d)?;
        Password::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Password {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::wire::string_schema(
            Some(1),
            Some(MAX_PASSWORD_CHARS),
            None,
            "Your current password.",
        )
        .examples(["correct horse battery"])
        .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Password {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Password")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("elevenchars").is_err());
        assert!(NewPassword::parse("twelve chars").is_ok());
        // 12 characters, more than 12 bytes: counts as 12.
        assert!(NewPassword::parse("żółćżółćżółć").is_ok());
        assert!(NewPassword::parse("            ").is_err());
        assert!(NewPassword::parse(&"x".repeat(257)).is_err());
    }

    #[test]
    fn debug_does_not_reveal_the_password() {
        let p = NewPassword::parse("correct horse battery").map(|p| format!("{p:?}"));
        assert_eq!(p, Ok("NewPassword(..)".to_string()));
    }
}
