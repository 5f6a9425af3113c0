//! Funders and the grants they award: who pays for the training.

use crate::Invalid;
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

/// Minutes of training a grant pays for: 1–10 000 000.
pub fn funded_minutes(raw: i64) -> Result<u32, Invalid> {
    u32::try_from(raw)
        .ok()
        .filter(|m| (1..=crate::hour_budget::MAX_MINUTES).contains(m))
        .ok_or_else(|| {
            Invalid::new(format!(
                "must be between 1 and {}",
                crate::hour_budget::MAX_MINUTES
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert!(funded_minutes(2400).is_ok());
        assert!(funded_minutes(0).is_err());
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
