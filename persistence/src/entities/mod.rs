//! Table definitions, one file per table, kept apart from behaviour (see `repo`).
//! The migrations are the source of truth; these mirror them.

pub mod account;
pub mod api_token;
pub mod auth_session;
pub mod membership;
pub mod organisation;
pub mod refresh_token;
pub mod sign_in_failure;
