//! Authentication: password hashing, access and opaque tokens, and the `Caller` extractor.

pub mod caller;
pub mod password;
pub mod tokens;

pub use caller::Caller;
