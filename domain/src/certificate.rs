//! Certificates: verification codes, how a certificate is worded in each language, and how
//! its hours and dates are printed.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::hour_budget::ActivityType;
use crate::ids::{AccountId, CertificateId, ProgrammeId, RegistrationId};
use crate::vocabulary;

vocabulary!(
    /// How certificates of a programme are issued once the completion rule is met.
    CertificateIssuance {
        /// At once, in the transaction that records the attendance meeting the rule.
        Automatic => "automatic",
        /// By an organiser (`POST /registrations/{id}/certificate`).
        Manual => "manual",
    }
);

vocabulary!(
    /// Whether a certificate still stands.
    CertificateStatus {
        Valid => "valid",
        /// Withdrawn by an organiser; verification says so, with the reason.
        Revoked => "revoked",
    }
);

/// Crockford's base 32: no I, L, O or U, so codes read aloud and typed by hand survive.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a code: 20 of base 32 carry 100 bits.
pub const CODE_CHARS: usize = 20;

/// The random bytes a code is made from (104 bits, of which 100 are used).
pub const CODE_RANDOM_BYTES: usize = 13;

/// An unguessable code (100 random bits) anyone can use to check a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerificationCode(String);

impl VerificationCode {
    /// A code from random bytes (the caller draws them from the operating system).
    pub fn from_random(bytes: [u8; CODE_RANDOM_BYTES]) -> Self {
        let mut bits: u128 = 0;
        for b in bytes {
            bits = (bits << 8) | u128::from(b);
        }
        let mut code = String::with_capacity(CODE_CHARS);
        for i in 0..CODE_CHARS {
            let shift = 5 * (CODE_CHARS - 1 - i);
            let index = usize::try_from((bits >> shift) & 0x1f).unwrap_or(0);
            code.push(char::from(ALPHABET[index]));
        }
        VerificationCode(code)
    }

    /// Reads a code as people type it: any case, with or without dashes and spaces, with
    /// `O` for `0` and `I`/`L` for `1`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let mut code = String::with_capacity(CODE_CHARS);
        for c in raw.chars() {
            let c = match c.to_ascii_uppercase() {
                '-' | ' ' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return Err(Invalid::new("is not a verification code"));
            }
            code.push(c);
        }
        if code.len() != CODE_CHARS {
            return Err(Invalid::new("is not a verification code"));
        }
        Ok(VerificationCode(code))
    }

    /// The 20 characters, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// In groups of four for people: `K7QX-9M2P-4HJD-WT8A-3ZRN`.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }
}

/// The languages certificates are worded in; others fall back to English.
pub const LANGUAGES: &[&str] = &["pl", "en", "sv", "lt"];

/// The first of `preferred` that certificates are worded in, else English.
pub fn language<'a>(preferred: impl IntoIterator<Item = &'a str>) -> &'static str {
    for tag in preferred {
        let primary = tag.split('-').next().unwrap_or(tag);
        if let Some(l) = LANGUAGES.iter().find(|l| **l == primary) {
            return l;
        }
    }
    "en"
}

/// The fixed words of a certificate in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    pub heading: &'static str,
    pub mobility_heading: &'static str,
    pub holder_label: &'static str,
    pub completion_text: &'static str,
    pub organiser: &'static str,
    pub dates: &'static str,
    pub funders: &'static str,
    pub hours_heading: &'static str,
    pub activity: &'static str,
    pub hours: &'static str,
    pub total: &'static str,
    pub europass_heading: &'static str,
    pub sending_organisation: &'static str,
    pub host_organisation: &'static str,
    pub mentor: &'static str,
    pub outcomes: &'static str,
    pub verification: &'static str,
    pub issued: &'static str,
    pub revoked: &'static str,
}

/// The wording of certificates in `language` (one of [`LANGUAGES`], else English).
pub fn wording(language: &str) -> Wording {
    match language {
        "pl" => Wording {
            heading: "Zaświadczenie o ukończeniu szkolenia",
            mobility_heading: "Zaświadczenie o odbyciu mobilności",
            holder_label: "Niniejszym zaświadcza się, że",
            completion_text: "ukończył(a) program",
            organiser: "Organizator",
            dates: "Termin",
            funders: "Finansowanie",
            hours_heading: "Godziny według rodzaju zajęć",
            activity: "Rodzaj zajęć",
            hours: "Czas",
            total: "Razem",
            europass_heading: "Dokument mobilności (Europass)",
            sending_organisation: "Organizacja wysyłająca",
            host_organisation: "Organizacja przyjmująca",
            mentor: "Mentor",
            outcomes: "Efekty uczenia się",
            verification: "Kod weryfikacyjny",
            issued: "Data wydania",
            revoked: "UNIEWAŻNIONY",
        },
        "sv" => Wording {
            heading: "Intyg om genomförd utbildning",
            mobility_heading: "Intyg om genomförd mobilitet",
            holder_label: "Härmed intygas att",
            completion_text: "har genomfört programmet",
            organiser: "Arrangör",
            dates: "Period",
            funders: "Finansiering",
            hours_heading: "Timmar per aktivitetstyp",
            activity: "Aktivitet",
            hours: "Tid",
            total: "Totalt",
            europass_heading: "Mobilitetsdokument (Europass)",
            sending_organisation: "Sändande organisation",
            host_organisation: "Mottagande organisation",
            mentor: "Mentor",
            outcomes: "Läranderesultat",
            verification: "Verifieringskod",
            issued: "Utfärdat",
            revoked: "ÅTERKALLAT",
        },
        "lt" => Wording {
            heading: "Mokymų baigimo pažymėjimas",
            mobility_heading: "Mobilumo pažymėjimas",
            holder_label: "Šiuo pažymima, kad",
            completion_text: "baigė programą",
            organiser: "Organizatorius",
            dates: "Laikotarpis",
            funders: "Finansavimas",
            hours_heading: "Valandos pagal veiklos rūšį",
            activity: "Veiklos rūšis",
            hours: "Trukmė",
            total: "Iš viso",
            europass_heading: "Mobilumo dokumentas (Europass)",
            sending_organisation: "Siunčiančioji organizacija",
            host_organisation: "Priimančioji organizacija",
            mentor: "Mentorius",
            outcomes: "Mokymosi rezultatai",
            verification: "Patvirtinimo kodas",
            issued: "Išduota",
            revoked: "PANAIKINTAS",
        },
        _ => Wording {
            heading: "Certificate of completion",
            mobility_heading: "Certificate of mobility",
            holder_label: "This is to certify that",
            completion_text: "has completed the programme",
            organiser: "Organiser",
            dates: "Dates",
            funders: "Funded by",
            hours_heading: "Hours by activity type",
            activity: "Activity",
            hours: "Time",
            total: "Total",
            europass_heading: "Mobility record (Europass)",
            sending_organisation: "Sending organisation",
            host_organisation: "Host organisation",
            mentor: "Mentor",
            outcomes: "Learning outcomes",
            verification: "Verification code",
            issued: "Issued",
            revoked: "REVOKED",
        },
    }
}

/// An activity type in words, in `language`.
pub fn activity_label(activity: ActivityType, language: &str) -> &'static str {
    use ActivityType::*;
    match (language, activity) {
        ("pl", Workshop) => "Warsztaty",
        ("pl", Lecture) => "Wykład",
        ("pl", Plenary) => "Sesja plenarna",
        ("pl", ThematicSession) => "Sesja tematyczna",
        ("pl", GroupSupervision) => "Superwizja grupowa",
        ("pl", IndividualSupervision) => "Superwizja indywidualna",
        ("pl", PsychosocialSupport) => "Wsparcie psychospołeczne",
        ("pl", SocialSkillsTraining) => "Trening umiejętności społecznych",
        ("pl", JobShadowing) => "Job shadowing",
        ("pl", StudyVisit) => "Wizyta studyjna",
        ("pl", Webinar) => "Webinarium",
        ("pl", Other) => "Inne",
        ("sv", Workshop) => "Workshop",
        ("sv", Lecture) => "Föreläsning",
        ("sv", Plenary) => "Plenarsession",
        ("sv", ThematicSession) => "Temasession",
        ("sv", GroupSupervision) => "Grupphandledning",
        ("sv", IndividualSupervision) => "Individuell handledning",
        ("sv", PsychosocialSupport) => "Psykosocialt stöd",
        ("sv", SocialSkillsTraining) => "Träning i social färdighet",
        ("sv", JobShadowing) => "Jobbskuggning",
        ("sv", StudyVisit) => "Studiebesök",
        ("sv", Webinar) => "Webbinarium",
        ("sv", Other) => "Övrigt",
        ("lt", Workshop) => "Dirbtuvės",
        ("lt", Lecture) => "Paskaita",
        ("lt", Plenary) => "Plenarinė sesija",
        ("lt", ThematicSession) => "Teminė sesija",
        ("lt", GroupSupervision) => "Grupinė supervizija",
        ("lt", IndividualSupervision) => "Individuali supervizija",
        ("lt", PsychosocialSupport) => "Psichosocialinė parama",
        ("lt", SocialSkillsTraining) => "Socialinių įgūdžių lavinimas",
        ("lt", JobShadowing) => "Darbo stebėjimas",
        ("lt", StudyVisit) => "Studijų vizitas",
        ("lt", Webinar) => "Internetinis seminaras",
        ("lt", Other) => "Kita",
        (_, Workshop) => "Workshop",
        (_, Lecture) => "Lecture",
        (_, Plenary) => "Plenary session",
        (_, ThematicSession) => "Thematic session",
        (_, GroupSupervision) => "Group supervision",
        (_, IndividualSupervision) => "Individual supervision",
        (_, PsychosocialSupport) => "Psychosocial support",
        (_, SocialSkillsTraining) => "Social-skills training",
        (_, JobShadowing) => "Job shadowing",
        (_, StudyVisit) => "Study visit",
        (_, Webinar) => "Webinar",
        (_, Other) => "Other",
    }
}

/// Minutes as hours and minutes, in `language`: `40 godz.`, `2 h 30 min`.
pub fn duration(minutes: u64, language: &str) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    let hours = match language {
        "pl" => "godz.",
        "sv" => "tim",
        "lt" => "val.",
        _ => "h",
    };
    match m {
        0 => format!("{h} {hours}"),
        _ => format!("{h} {hours} {m} min"),
    }
}

/// A calendar date in words, in `language`: `18 czerwca 2027`, `18 June 2027`.
pub fn date(d: NaiveDate, language: &str) -> String {
    const PL: [&str; 12] = [
        "stycznia",
        "lutego",
        "marca",
        "kwietnia",
        "maja",
        "czerwca",
        "lipca",
        "sierpnia",
        "września",
        "października",
        "listopada",
        "grudnia",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const SV: [&str; 12] = [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const LT: [&str; 12] = [
        "sausio",
        "vasario",
        "kovo",
        "balandžio",
        "gegužės",
        "birželio",
        "liepos",
        "rugpjūčio",
        "rugsėjo",
        "spalio",
        "lapkričio",
        "gruodžio",
    ];
    let month = usize::try_from(d.month0()).unwrap_or(0).min(11);
    match language {
        "pl" => format!("{} {} {} r.", d.day(), PL[month], d.year()),
        "sv" => format!("{} {} {}", d.day(), SV[month], d.year()),
        // Lithuanian writes the year first: 2027 m. birželio 18 d.
        "lt" => format!("{} m. {} {} d.", d.year(), LT[month], d.day()),
        _ => format!("{} {} {}", d.day(), EN[month], d.year()),
    }
}

/// A period in words: one date, or `13–18 June 2027` style ranges written out in full.
pub fn period(from: NaiveDate, to: NaiveDate, language: &str) -> String {
    if from == to {
        date(from, language)
    } else {
        format!("{} – {}", date(from, language), date(to, language))
    }
}

/// Minutes of one activity type, as certified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertifiedHours {
    pub activity_type: ActivityType,
    pub minutes: u32,
}

/// The Europass Mobility fields, as certified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Europass {
    pub sending_organisation: String,
    pub host_organisation: String,
    pub host_city: Option<String>,
    pub host_country: Option<String>,
    pub mentor: Option<String>,
    pub learning_outcomes: Vec<String>,
}

/// A certificate: what was certified, as it stood when it was issued.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub id: CertificateId,
    pub registration_id: RegistrationId,
    pub programme_id: ProgrammeId,
    pub participant_id: AccountId,
    pub code: VerificationCode,
    /// The language it is worded in.
    pub language: String,
    pub holder_name: String,
    /// The programme's title, by language, as it was at issue.
    pub programme_title: std::collections::BTreeMap<String, String>,
    pub organiser_name: String,
    pub funders: Vec<String>,
    pub hours: Vec<CertifiedHours>,
    pub total_minutes: u64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub europass: Option<Europass>,
    pub issued_at: DateTime<Utc>,
    /// The organiser who issued it; `None` when issued automatically.
    pub issued_by: Option<AccountId>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<AccountId>,
    pub revocation_reason: Option<String>,
    pub version: i32,
}

impl Certificate {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_carry_a_hundred_bits_and_read_back_as_typed() -> Result<(), Invalid> {
        let code = VerificationCode::from_random([0xff; CODE_RANDOM_BYTES]);
        assert_eq!(code.as_str(), "ZZZZZZZZZZZZZZZZZZZZ");
        let zero = VerificationCode::from_random([0; CODE_RANDOM_BYTES]);
        assert_eq!(zero.as_str(), "00000000000000000000");
        let mut bytes = [0u8; CODE_RANDOM_BYTES];
        bytes[12] = 1; // the lowest 5 bits: 1
        let one = VerificationCode::from_random(bytes);
        assert_eq!(one.as_str(), "00000000000000000001");
        let c = VerificationCode::from_random([0x5a; CODE_RANDOM_BYTES]);
        assert_eq!(c.grouped().len(), 24);
        assert_eq!(VerificationCode::parse(&c.grouped())?, c);
        assert_eq!(VerificationCode::parse(&c.grouped().to_lowercase())?, c);
        assert_eq!(
            VerificationCode::parse("0000-0000-0000-0000-000l")?,
            one,
            "l reads as 1"
        );
        assert!(VerificationCode::parse("0000-0000-0000-0000-000U").is_err());
        assert!(VerificationCode::parse("0000").is_err());
        assert!(VerificationCode::parse("ĄĄĄĄĄĄĄĄĄĄĄĄĄĄĄĄĄĄĄĄ").is_err());
        Ok(())
    }

    #[test]
    fn words_dates_and_hours_in_each_language() {
        let d = NaiveDate::from_ymd_opt(2027, 6, 18).unwrap_or_default();
        assert_eq!(date(d, "pl"), "18 czerwca 2027 r.");
        assert_eq!(date(d, "en"), "18 June 2027");
        assert_eq!(date(d, "sv"), "18 juni 2027");
        assert_eq!(date(d, "lt"), "2027 m. birželio 18 d.");
        assert_eq!(duration(2400, "pl"), "40 godz.");
        assert_eq!(duration(150, "en"), "2 h 30 min");
        assert_eq!(language(["uk", "pl"]), "pl");
        assert_eq!(language(["sv-FI"]), "sv");
        assert_eq!(language(["de"]), "en");
        for l in LANGUAGES {
            assert!(!wording(l).heading.is_empty());
            for a in ActivityType::ALL {
                assert!(!activity_label(*a, l).is_empty());
            }
        }
    }
}
