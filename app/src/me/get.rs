//! One's own account, with the employment rosters verify for it.

use super::Me;
use crate::{App, AppError, Caller};

pub async fn get(app: &App, caller: &Caller) -> Result<Me, AppError> {
    Me::of(app.db(), caller.account.clone()).await
}
