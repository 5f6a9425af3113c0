//! API tokens for scripts: shown once, stored hashed, listed without the secret, revocable.
//! Only a signed-in person manages them, never a script with a token.

mod create;
mod list;
mod revoke;

pub use create::{CreateApiTokenRequest, CreatedApiToken, NAME_CHARS, create};
pub use kompetens_persistence::repo::api_tokens::ApiToken;
pub use list::list;
pub use revoke::revoke;
