//! Funders and the grants they award: who pays for the training.

use chrono::{DateTime, NaiveDate, Utc};

use crate::Invalid;
use crate::country::CountryCode;
use crate::ids::{FunderId, GrantId, OrganisationId, ProgrammeId};
use crate::money::Money;
use crate::organisation::OrganisationPath;
use crate::vocabulary;

vocabulary!(
    /// What sort of body a funder is.
    FunderKind {
        /// UNICEF, IOM, UNHCR, …
        InternationalOrganisation => "international_organisation",
        /// ESF+, AMIF, EEA and Norway Grants, …
        EuFund => "eu_fund",
        /// An Erasmus+ national agency, a ministry, …
        NationalAgency => "national_agency",
        Municipality => "municipality",
        Foundation => "foundation",
        Other => "other",
    }
);

vocabulary!(
    /// Where a grant stands.
    GrantStatus {
        /// Applied for, not yet decided.
        Applied => "applied",
        /// Awarded; the money is promised.
        Awarded => "awarded",
        /// The funded work is under way.
        Active => "active",
        /// Finished and reported.
        Closed => "closed",
        /// Not awarded, or withdrawn.
        Withdrawn => "withdrawn",
    }
);

crate::wire::bounded!(
    /// Minutes of training a grant pays for.
    FundedMinutes(u32): 1..=10_000_000,
    "The minutes of training the grant pays for: 1 to 10000000."
);

/// The most characters of a funder's name, a grant's reference and a grant's title.
pub const FUNDER_NAME_CHARS: usize = 300;
pub const GRANT_REFERENCE_CHARS: usize = 200;
pub const GRANT_TITLE_CHARS: usize = 300;

/// Who pays for training (UNICEF, an ESF managing authority, a city budget), kept by an
/// organisation whose organisers may change it.
#[derive(Debug, Clone)]
pub struct Funder {
    pub id: FunderId,
    /// The organisation that keeps this record.
    pub organisation_id: OrganisationId,
    /// Copied from the keeping organisation at creation (organisations never move).
    pub organisation_path: OrganisationPath,
    pub name: String,
    pub kind: FunderKind,
    pub country: Option<CountryCode>,
    pub website: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Money a funder awards to an organisation for training, allocated to programmes.
#[derive(Debug, Clone)]
pub struct Grant {
    pub id: GrantId,
    pub funder_id: FunderId,
    pub recipient_organisation_id: OrganisationId,
    /// Copied from the recipient at creation: who may see and manage the grant.
    pub organisation_path: OrganisationPath,
    pub reference: String,
    pub title: String,
    pub amount: Money,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub funded_minutes: Option<u32>,
    pub status: GrantStatus,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One programme a grant funds, with the share of the grant's amount given to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allocation {
    pub programme_id: ProgrammeId,
    /// In the grant's currency; `None` until an organiser sets it.
    pub amount_minor: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert!(FundedMinutes::new(2400).is_ok());
        assert!(FundedMinutes::new(0).is_err());
        assert!(FundedMinutes::new(10_000_001).is_err());
    }
}

/// What is left of a grant once `allocations` are given to programmes: each allocation must be
/// in the grant's currency, and together they may not exceed the grant. Errors carry the index
/// of the offending allocation.
pub fn unallocated(
    grant: crate::money::Money,
    allocations: &[crate::money::Money],
) -> Result<crate::money::Money, (usize, Invalid)> {
    let mut left = grant.amount_minor();
    for (i, a) in allocations.iter().enumerate() {
        if a.currency() != grant.currency() {
            return Err((
                i,
                Invalid::new(format!(
                    "must be in the grant's currency, {}",
                    grant.currency().code()
                )),
            ));
        }
        left -= a.amount_minor();
        if left < 0 {
            return Err((
                i,
                Invalid::new(format!(
                    "the allocations add up to more than the grant's {}",
                    grant.display()
                )),
            ));
        }
    }
    crate::money::Money::new(left, grant.currency()).map_err(|e| (0, e))
}

#[cfg(test)]
mod allocation_tests {
    use super::*;
    use crate::money::{Currency, Money};

    #[test]
    fn allocations_stay_within_the_grant_and_its_currency() -> Result<(), Invalid> {
        let eur = Currency::parse("EUR")?;
        let pln = Currency::parse("PLN")?;
        let grant = Money::new(10_200_000, eur)?;
        let left = unallocated(
            grant,
            &[Money::new(6_000_000, eur)?, Money::new(4_000_000, eur)?],
        )
        .map_err(|e| e.1)?;
        assert_eq!(left.amount_minor(), 200_000);
        assert_eq!(
            unallocated(grant, &[Money::new(10_200_001, eur)?])
                .err()
                .map(|e| e.0),
            Some(0)
        );
        assert_eq!(
            unallocated(grant, &[Money::new(1, eur)?, Money::new(1, pln)?])
                .err()
                .map(|e| e.0),
            Some(1)
        );
        Ok(())
    }
}
