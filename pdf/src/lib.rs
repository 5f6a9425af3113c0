//! Kompetens certificate PDFs: one A4 page of already localised strings, set in embedded,
//! subsetted DejaVu Sans (Type0 / CIDFontType2, Identity-H, with a ToUnicode map so the
//! text extracts exactly). Pure and synchronous: no I/O, no async runtime.
//!
//! ```
//! let certificate = kompetens_pdf::Certificate {
//!     language: "pl".into(),
//!     heading: "Zaświadczenie o ukończeniu szkolenia".into(),
//!     holder_label: "Niniejszym zaświadcza się, że".into(),
//!     holder_name: "Łucja Žemaitytė-Öberg".into(),
//!     completion_text: "ukończył(a) program".into(),
//!     programme_title: "Przywództwo w oświacie".into(),
//!     facts: vec![("Organizator".into(), "Fundacja Rozwoju Kompetencji".into())],
//!     hours_heading: "Godziny według rodzaju zajęć".into(),
//!     hours_columns: ("Rodzaj zajęć".into(), "Godziny".into()),
//!     hours: vec![("Warsztaty".into(), "15:00".into())],
//!     hours_total: ("Razem".into(), "15:00".into()),
//!     europass: None,
//!     verification_label: "Kod weryfikacyjny".into(),
//!     verification_code: "K7QX-9M2P-4HJD-WT8A-3ZRN".into(),
//!     verification_url: "https://kompetens.example/verify/K7QX-9M2P-4HJD-WT8A-3ZRN".into(),
//!     issued: "Wydano 18 czerwca 2027 r.".into(),
//!     revoked: None,
//! };
//! let pdf = kompetens_pdf::render(&certificate)?;
//! assert!(pdf.starts_with(b"%PDF-"));
//! # Ok::<(), kompetens_pdf::PdfError>(())
//! ```

#![warn(missing_docs)]

mod document;
mod fonts;
mod layout;

/// Everything printed on a certificate, already localised (the caller chooses the language).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Certificate {
    /// BCP 47 language tag of the strings, written as the document's /Lang.
    pub language: String,
    /// The title line, e.g. "Zaświadczenie o ukończeniu szkolenia".
    pub heading: String,
    /// The line before the name, e.g. "Niniejszym zaświadcza się, że".
    pub holder_label: String,
    /// The participant's name, set large and bold, e.g. "Łucja Žemaitytė-Öberg".
    pub holder_name: String,
    /// The sentence before the programme title, e.g. "ukończył(a) program"; wrapped.
    pub completion_text: String,
    /// The programme's title; wrapped, bold.
    pub programme_title: String,
    /// Label/value lines: organiser, dates, funders, place…
    pub facts: Vec<(String, String)>,
    /// The heading above the hours table, e.g. "Godziny według rodzaju zajęć".
    pub hours_heading: String,
    /// The hours table's column headings, e.g. ("Rodzaj zajęć", "Godziny").
    pub hours_columns: (String, String),
    /// One row per kind of activity, already formatted, e.g. ("Warsztaty", "15:00").
    pub hours: Vec<(String, String)>,
    /// The total row, e.g. ("Razem", "40:00").
    pub hours_total: (String, String),
    /// The extra section of mobility programmes.
    pub europass: Option<Europass>,
    /// The label above the verification code, e.g. "Kod weryfikacyjny".
    pub verification_label: String,
    /// The verification code, e.g. "K7QX-9M2P-4HJD-WT8A-3ZRN".
    pub verification_code: String,
    /// Where the code can be checked; shrunk and wrapped so it never leaves the page.
    pub verification_url: String,
    /// The issue line, e.g. "Wydano 18 czerwca 2027 r.".
    pub issued: String,
    /// When set, a visible banner at the top, e.g. "UNIEWAŻNIONY: powód".
    pub revoked: Option<String>,
}

/// The fields of a Europass Mobility record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Europass {
    /// The section heading, e.g. "Europass Mobilność".
    pub heading: String,
    /// Label/value lines: sending organisation, host organisation, dates, mentor…
    pub rows: Vec<(String, String)>,
    /// The label above the learning outcomes.
    pub outcomes_label: String,
    /// Learning outcomes, each set as a wrapped bullet; cut short with "…" if the page is full.
    pub outcomes: Vec<String>,
}

/// Why a certificate could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// A bundled font could not be read or subsetted (a bug, not bad input).
    #[error("font {font}: {reason}")]
    Font {
        /// The font's PostScript name.
        font: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// The strings do not fit on one A4 page even at the smallest type size with the
    /// learning outcomes cut short (bad input: some field is far too long).
    #[error("the certificate does not fit on one A4 page even at the smallest type size")]
    ContentTooLong,
}

/// Renders the certificate as a one-page A4 PDF.
///
/// Long content is set in smaller type, step by step, down to 60 % of the normal size;
/// if that is not enough the learning outcomes are cut short with "…". Content that
/// still does not fit gives [`PdfError::ContentTooLong`]; there is never a second page.
/// The output is deterministic: the same certificate gives the same bytes.
pub fn render(certificate: &Certificate) -> Result<Vec<u8>, PdfError> {
    let fonts = fonts::Fonts::load()?;
    let items = layout::layout(&fonts, certificate)?;
    document::write(&fonts, certificate, &items)
}
