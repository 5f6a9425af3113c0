//! Countries as ISO 3166-1 alpha-2 codes.

use crate::Invalid;

/// The 249 officially assigned ISO 3166-1 alpha-2 codes.
const ISO_3166_1_ALPHA_2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY \
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
NA NC NE NF NG NI NL NO NP NR NU NZ OM \
PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ \
UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// An ISO 3166-1 alpha-2 country code, upper case (`PL`, `SE`, `LT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let upper = raw.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        if bytes.len() == 2 && ISO_3166_1_ALPHA_2.split(' ').any(|c| c == upper) {
            Ok(Self([bytes[0], bytes[1]]))
        } else {
            Err(Invalid::new(
                "must be an ISO 3166-1 alpha-2 country code such as PL or SE",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters from the table above are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

crate::wire::wire_text!(CountryCode, {
    crate::wire::enum_schema(
        ISO_3166_1_ALPHA_2.split(' '),
        "An ISO 3166-1 alpha-2 country code, upper case, such as `PL` or `SE`.",
    )
    .examples(["PL"])
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_every_assigned_code_once() {
        let codes: Vec<&str> = ISO_3166_1_ALPHA_2.split(' ').collect();
        assert_eq!(codes.len(), 249);
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 249);
    }

    #[test]
    fn parses_codes_in_any_case() {
        assert_eq!(
            CountryCode::parse("pl").map(|c| c.as_str().to_string()),
            Ok("PL".into())
        );
        assert!(CountryCode::parse("SE").is_ok());
        for bad in ["", "P", "POL", "XX", "UK", "EU"] {
            assert!(CountryCode::parse(bad).is_err(), "{bad}");
        }
    }
}
