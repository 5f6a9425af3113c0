//! Money: integer minor units and an ISO 4217 currency, never floating point.

use crate::Invalid;

/// ISO 4217 codes in use, each with its number of minor-unit digits.
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2),
    ("AFN", 2),
    ("ALL", 2),
    ("AMD", 2),
    ("ANG", 2),
    ("AOA", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("AWG", 2),
    ("AZN", 2),
    ("BAM", 2),
    ("BBD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BIF", 0),
    ("BMD", 2),
    ("BND", 2),
    ("BOB", 2),
    ("BOV", 2),
    ("BRL", 2),
    ("BSD", 2),
    ("BTN", 2),
    ("BWP", 2),
    ("BYN", 2),
    ("BZD", 2),
    ("CAD", 2),
    ("CDF", 2),
    ("CHE", 2),
    ("CHF", 2),
    ("CHW", 2),
    ("CLF", 4),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("COU", 2),
    ("CRC", 2),
    ("CUP", 2),
    ("CVE", 2),
    ("CZK", 2),
    ("DJF", 0),
    ("DKK", 2),
    ("DOP", 2),
    ("DZD", 2),
    ("EGP", 2),
    ("ERN", 2),
    ("ETB", 2),
    ("EUR", 2),
    ("FJD", 2),
    ("FKP", 2),
    ("GBP", 2),
    ("GEL", 2),
    ("GHS", 2),
    ("GIP", 2),
    ("GMD", 2),
    ("GNF", 0),
    ("GTQ", 2),
    ("GYD", 2),
    ("HKD", 2),
    ("HNL", 2),
    ("HTG", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("IRR", 2),
    ("ISK", 0),
    ("JMD", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KGS", 2),
    ("KHR", 2),
    ("KMF", 0),
    ("KPW", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("KYD", 2),
    ("KZT", 2),
    ("LAK", 2),
    ("LBP", 2),
    ("LKR", 2),
    ("LRD", 2),
    ("LSL", 2),
    ("LYD", 3),
    ("MAD", 2),
    ("MDL", 2),
    ("MGA", 2),
    ("MKD", 2),
    ("MMK", 2),
    ("MNT", 2),
    ("MOP", 2),
    ("MRU", 2),
    ("MUR", 2),
    ("MVR", 2),
    ("MWK", 2),
    ("MXN", 2),
    ("MXV", 2),
    ("MYR", 2),
    ("MZN", 2),
    ("NAD", 2),
    ("NGN", 2),
    ("NIO", 2),
    ("NOK", 2),
    ("NPR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PAB", 2),
    ("PEN", 2),
    ("PGK", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("PYG", 0),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("RUB", 2),
    ("RWF", 0),
    ("SAR", 2),
    ("SBD", 2),
    ("SCR", 2),
    ("SDG", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("SHP", 2),
    ("SLE", 2),
    ("SOS", 2),
    ("SRD", 2),
    ("SSP", 2),
    ("STN", 2),
    ("SVC", 2),
    ("SYP", 2),
    ("SZL", 2),
    ("THB", 2),
    ("TJS", 2),
    ("TMT", 2),
    ("TND", 3),
    ("TOP", 2),
    ("TRY", 2),
    ("TTD", 2),
    ("TWD", 2),
    ("TZS", 2),
    ("UAH", 2),
    ("UGX", 0),
    ("USD", 2),
    ("USN", 2),
    ("UYI", 0),
    ("UYU", 2),
    ("UYW", 4),
    ("UZS", 2),
    ("VED", 2),
    ("VES", 2),
    ("VND", 0),
    ("VUV", 0),
    ("WST", 2),
    ("XAF", 0),
    ("XCD", 2),
    ("XCG", 2),
    ("XOF", 0),
    ("XPF", 0),
    ("YER", 2),
    ("ZAR", 2),
    ("ZMW", 2),
    ("ZWG", 2),
];

/// An ISO 4217 currency code (`PLN`, `EUR`, `SEK`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(&'static str, u8);

impl Currency {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        CURRENCIES
            .iter()
            .find(|(code, _)| *code == raw)
            .map(|(code, digits)| Currency(code, *digits))
            .ok_or_else(|| {
                Invalid::new("must be an ISO 4217 currency code such as PLN, EUR or SEK")
            })
    }

    pub fn code(&self) -> &'static str {
        self.0
    }

    /// How many digits the minor unit has (2 for PLN: 1 zł = 100 gr).
    pub fn minor_digits(&self) -> u8 {
        self.1
    }
}

crate::wire::wire_text!(Currency, {
    crate::wire::enum_schema(
        CURRENCIES.iter().map(|(code, _)| *code),
        "An ISO 4217 currency code such as `PLN`, `EUR` or `SEK`.",
    )
    .examples(["PLN"])
});

impl Currency {
    fn as_str(&self) -> &'static str {
        self.0
    }
}

crate::wire::bounded!(
    /// An amount in a currency's minor unit: never negative, and at most 2^53 − 1, the largest
    /// whole number every JSON client reads exactly.
    AmountMinor(i64): 0..=9_007_199_254_740_991,
    "The amount in the currency's minor unit (grosze, cents, öre): a whole number, never a float."
);

/// An amount of money, never negative: `amount_minor` in the currency's minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    amount_minor: i64,
    currency: Currency,
}

impl Money {
    pub fn new(amount_minor: i64, currency: Currency) -> Result<Self, Invalid> {
        if amount_minor < 0 {
            return Err(Invalid::new("must not be negative"));
        }
        let amount_minor = AmountMinor::new(amount_minor)?.get();
        Ok(Money {
            amount_minor,
            currency,
        })
    }

    pub fn amount_minor(&self) -> i64 {
        self.amount_minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_zero(&self) -> bool {
        self.amount_minor == 0
    }

    /// `189000.00 PLN`: for people, never parsed back.
    pub fn display(&self) -> String {
        let digits = u32::from(self.currency.minor_digits());
        let scale = 10i64.pow(digits);
        let whole = self.amount_minor / scale;
        let fraction = self.amount_minor % scale;
        if digits == 0 {
            format!("{whole} {}", self.currency.code())
        } else {
            format!(
                "{whole}.{fraction:0width$} {}",
                self.currency.code(),
                width = digits as usize
            )
        }
    }
}

/// `{"amount_minor": 18900000, "currency": "PLN"}` on the wire.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MoneyWire {
    amount_minor: AmountMinor,
    currency: Currency,
}

impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        MoneyWire {
            amount_minor: AmountMinor(self.amount_minor),
            currency: self.currency,
        }
        .serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire = MoneyWire::deserialize(d)?;
        Money::new(wire.amount_minor.get(), wire.currency).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Money {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::ToSchema;
        use utoipa::openapi::schema::{ObjectBuilder, Ref, Type};
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Money: integer minor units and an ISO 4217 currency code, never a float.",
            ))
            .property("amount_minor", Ref::from_schema_name(AmountMinor::name()))
            .property("currency", Ref::from_schema_name(Currency::name()))
            .required("amount_minor")
            .required("currency")
            .additional_properties(Some(
                utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
            ))
            .examples([serde_json::json!({"amount_minor": 18_900_000, "currency": "PLN"})])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Money {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Money")
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::PartialSchema;
        schemas.push((AmountMinor::name().into_owned(), AmountMinor::schema()));
        schemas.push((Currency::name().into_owned(), Currency::schema()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_are_iso_4217_codes() {
        for code in ["PLN", "EUR", "SEK", "NOK", "JPY", "KWD"] {
            assert!(Currency::parse(code).is_ok(), "{code}");
        }
        for bad in ["pln", "ZŁ", "EURO", "", "XXX"] {
            assert!(Currency::parse(bad).is_err(), "{bad}");
        }
        let mut codes: Vec<_> = CURRENCIES.iter().map(|(c, _)| *c).collect();
        codes.dedup();
        assert_eq!(codes.len(), CURRENCIES.len(), "sorted and unique");
    }

    #[test]
    fn amounts_are_exact_and_displayed_with_their_minor_unit() -> Result<(), Invalid> {
        let pln = Money::new(18_900_000, Currency::parse("PLN")?)?;
        assert_eq!(pln.amount_minor(), 18_900_000);
        assert_eq!(pln.display(), "189000.00 PLN");
        assert_eq!(
            Money::new(1234, Currency::parse("JPY")?)?.display(),
            "1234 JPY"
        );
        assert_eq!(
            Money::new(5, Currency::parse("KWD")?)?.display(),
            "0.005 KWD"
        );
        assert!(Money::new(-1, Currency::parse("EUR")?).is_err());
        Ok(())
    }
}
