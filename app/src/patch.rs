//! `PATCH` bodies: a member may be absent (leave the field), `null` (clear it) or a value.
//!
//! Such a member is an `Option<Option<T>>` read with [`nullable`]: `None` when absent,
//! `Some(None)` for `null`, `Some(Some(v))` for a value. Members that may change but never be
//! cleared are plain `Option<T>` with `#[serde(default)]`: `null` is refused by `T` itself.

use serde::{Deserialize, Deserializer};

/// Reads a member that was sent (as `null` or a value); with `#[serde(default)]`, an absent
/// member stays `None`.
pub fn nullable<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Applies a change to an optional field: `None` leaves it, `Some(v)` sets it (to `None` too).
pub fn apply<T>(field: &mut Option<T>, change: Option<Option<T>>) {
    if let Some(value) = change {
        *field = value;
    }
}

/// Applies a change to a required field: `None` leaves it.
pub fn set<T>(field: &mut T, change: Option<T>) {
    if let Some(value) = change {
        *field = value;
    }
}
