//! Authentication: password hashing, access and opaque tokens, and the `Caller` extractor.

pub mod caller;

pub use caller::{Authenticated, Caller};
pub use kompetens_app::auth::{password, tokens};
