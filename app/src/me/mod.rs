//! The caller's own account: their profile, erasure (GDPR art. 17) and export (art. 15).

mod erase;
mod export;
mod get;
mod update;

pub use erase::{EraseRequest, erase};
pub use export::{Export, export};
pub use get::get;
pub use kompetens_domain::policy::Grant;
pub use kompetens_domain::staff::Employment;
pub use kompetens_persistence::repo::accounts::Account;
pub use update::{UpdateMeRequest, update};

use kompetens_persistence::ConnectionTrait;

use crate::AppError;

/// One's account with the employment rosters verify for it today.
pub struct Me {
    pub account: Account,
    /// Empty while the address is unverified (see `crate::staff::verified_employment`).
    pub employment: Vec<Employment>,
}

impl Me {
    /// `account` with its verified employment today (UTC).
    pub(crate) async fn of(conn: &impl ConnectionTrait, account: Account) -> Result<Me, AppError> {
        let today = chrono::Utc::now().date_naive();
        let employment = crate::staff::verified_employment(conn, &account, today).await?;
        Ok(Me {
            account,
            employment,
        })
    }
}
