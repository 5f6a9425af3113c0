//! The caller's own account: their profile, erasure (GDPR art. 17) and export (art. 15).

mod erase;
mod export;
mod update;

pub use erase::{EraseRequest, erase};
pub use export::{Export, export};
pub use kompetens_domain::policy::Grant;
pub use kompetens_persistence::repo::accounts::Account;
pub use update::{UpdateMeRequest, update};
