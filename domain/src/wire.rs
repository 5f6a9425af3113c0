//! How domain values cross the wire.
//!
//! A value type a request may carry deserialises only through its own `parse` (so a request
//! body can never hold an invalid value), serialises as its canonical form, and, with the
//! `openapi` feature, describes itself as a JSON Schema built from the same constants `parse`
//! checks: one declaration serves the check and the published document.

use crate::Invalid;

/// BCP 47 language tags as [`crate::locale::Locale::parse`] accepts them.
pub const LOCALE_PATTERN: &str = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$";

/// Implements serde (through `parse` and `as_str`) and the JSON Schema (the expression given,
/// an `ObjectBuilder`) for a text-like value type.
macro_rules! wire_text {
    ($ty:ident, $schema:expr) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <String as serde::Deserialize>::deserialize(d)?;
                $ty::parse(&raw).map_err(serde::de::Error::custom)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                ($schema).into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $ty {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($ty))
            }
        }
    };
}
pub(crate) use wire_text;

/// Declares a whole number within fixed bounds: the bounds are checked by `new` and published
/// as the schema's `minimum` and `maximum`.
macro_rules! bounded {
    ($(#[$doc:meta])* $name:ident($inner:ty): $min:literal..=$max:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name($inner);

        impl $name {
            pub const MIN: $inner = $min;
            pub const MAX: $inner = $max;

            pub fn new(raw: i64) -> Result<Self, $crate::Invalid> {
                <$inner>::try_from(raw)
                    .ok()
                    .filter(|v| (Self::MIN..=Self::MAX).contains(v))
                    .map(Self)
                    .ok_or_else(|| {
                        $crate::Invalid::new(format!(
                            "must be a whole number from {} to {}",
                            Self::MIN,
                            Self::MAX
                        ))
                    })
            }

            pub fn get(self) -> $inner {
                self.0
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(&self.0, s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = $crate::wire::whole_number(d)?;
                $name::new(raw).map_err(serde::de::Error::custom)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::wire::integer_schema(i64::from($name::MIN), i64::from($name::MAX), $what).into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}
pub(crate) use bounded;

/// Reads a JSON number that is whole: `3` and also `3.0`, which JSON Schema counts as an
/// integer, so that whatever the schema accepts, the server accepts.
pub fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    struct Whole;
    impl serde::de::Visitor<'_> for Whole {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a whole number")
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::custom("is too large"))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<i64, E> {
            // Exactly representable whole numbers only; 2^53 is far beyond every bound here.
            if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "whole and within ±2^53, so exact"
                )]
                Ok(v as i64)
            } else {
                Err(E::custom("must be a whole number"))
            }
        }
    }
    d.deserialize_any(Whole)
}

/// A value refused on the way in, as serde reports it.
pub fn refuse<E: serde::de::Error>(invalid: Invalid) -> E {
    E::custom(invalid)
}

#[cfg(feature = "openapi")]
pub use schema::*;

#[cfg(feature = "openapi")]
mod schema {
    use utoipa::openapi::schema::{ObjectBuilder, Type};

    /// A string schema with its limits.
    pub fn string_schema(
        min_length: Option<usize>,
        max_length: Option<usize>,
        pattern: Option<&str>,
        description: &str,
    ) -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(min_length)
            .max_length(max_length)
            .pattern(pattern)
            .description(Some(description))
    }

    /// A string schema that is one of `values`.
    pub fn enum_schema<'a>(
        values: impl IntoIterator<Item = &'a str>,
        description: &str,
    ) -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values.into_iter().map(str::to_string)))
            .description(Some(description))
    }

    /// An integer schema with its bounds.
    pub fn integer_schema(min: i64, max: i64, description: &str) -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(min))
            .maximum(Some(max))
            .description(Some(description))
    }
}
