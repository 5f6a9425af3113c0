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
