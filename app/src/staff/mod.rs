//! Staff rosters kept by organisations (by hand or by municipal IT), and the verified
//! employment they give a person: only rosters say where someone works and as what, and only
//! for an address that person has proven.

mod list;
mod replace;

use chrono::NaiveDate;
use kompetens_domain::ids::OrganisationId;
use kompetens_domain::policy::Actor;
use kompetens_domain::staff;
use kompetens_persistence::ConnectionTrait;
use kompetens_persistence::repo::accounts::Account;
use kompetens_persistence::repo::organisations::{self, Organisation};

pub use kompetens_domain::staff::{Changes, Employment, Roster, StaffEntry};
pub use list::{StaffPage, StaffPageRequest, list, list_all};
pub use replace::{RosterRequest, StaffEntryRequest, replace, roster_from_csv};

use crate::AppError;

/// The organisation whose roster the caller keeps: 404 for everyone else (see
/// [`staff::may_keep`]).
pub(crate) async fn kept_by(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: OrganisationId,
) -> Result<Organisation, AppError> {
    let organisation = organisations::find(conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    AppError::check(staff::may_keep(actor, &organisation.path))?;
    Ok(organisation)
}

/// A person's verified employment on `on`: every roster entry for their address current on
/// that day, or none while the address is unproven (anyone can sign up with a colleague's
/// address; only its owner can confirm it). Never from the person's own profile.
pub async fn verified_employment(
    conn: &impl ConnectionTrait,
    account: &Account,
    on: NaiveDate,
) -> Result<Vec<Employment>, AppError> {
    if account.email_verified_at.is_none() {
        return Ok(Vec::new());
    }
    Ok(kompetens_persistence::repo::staff::current_employment(conn, &account.email, on).await?)
}
