//! Black-box checks of `kompetens_pdf::render`: the output is read back with an
//! independent PDF parser (`pdf-extract`, on top of `lopdf`), never with this crate.

use std::error::Error;

use kompetens_pdf::{Certificate, Europass, PdfError, render};
use pdf_extract::{Dictionary, Document, Object, ObjectId};

type TestResult = Result<(), Box<dyn Error>>;

/// The full DejaVu Sans program, to compare the embedded subset against.
const FULL_REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

const HOLDER: &str = "Łucja Žemaitytė-Öberg";
const TITLE: &str = "Zarządzanie zespołem i komunikacja w szkole — edycja źródłowa";
const CODE: &str = "K7QX-9M2P-4HJD-WT8A-3ZRN";
const URL: &str = "https://kompetens.example/api/v1/certificates/verify/K7QX-9M2P-4HJD-WT8A-3ZRN";

fn pair(label: &str, value: &str) -> (String, String) {
    (label.to_owned(), value.to_owned())
}

fn polish_certificate() -> Certificate {
    Certificate {
        language: "pl-PL".into(),
        heading: "Zaświadczenie o ukończeniu szkolenia".into(),
        holder_label: "Niniejszym zaświadcza się, że".into(),
        holder_name: HOLDER.into(),
        completion_text: "ukończył(a) program doskonalenia zawodowego nauczycieli".into(),
        programme_title: TITLE.into(),
        facts: vec![
            pair(
                "Organizator",
                "Fundacja Rozwoju Kompetencji Społecznych, Łódź",
            ),
            pair("Termin", "3 marca 2027 r. – 14 czerwca 2027 r."),
            pair("Miejsce", "Gdańsk, ul. Żółkiewskiego 12"),
            pair(
                "Finansowanie",
                "Program Erasmus+ oraz środki własne organizatora; współfinansowanie \
                 z budżetu województwa pomorskiego",
            ),
        ],
        hours_heading: "Godziny według rodzaju zajęć".into(),
        hours_columns: pair("Rodzaj zajęć", "Godziny"),
        hours: vec![
            pair("Wykłady", "10:00"),
            pair("Warsztaty", "15:00"),
            pair("Ćwiczenia praktyczne", "9:30"),
            pair("Konsultacje indywidualne", "5:30"),
        ],
        hours_total: pair("Razem", "40:00"),
        europass: Some(Europass {
            heading: "Europass Mobilność".into(),
            rows: vec![
                pair("Organizacja wysyłająca", "Szkoła Podstawowa nr 7 w Gdańsku"),
                pair(
                    "Organizacja przyjmująca",
                    "Vilniaus Šv. Kristoforo gimnazija, Vilnius",
                ),
                pair("Okres pobytu", "12–23 kwietnia 2027 r."),
                pair("Mentor", "Ąžuolas Čėsnauskas; Åsa Bäckström"),
            ],
            outcomes_label: "Efekty uczenia się".into(),
            outcomes: vec![
                "Planuje zajęcia z uwzględnieniem potrzeb uczniów o zróżnicowanych możliwościach."
                    .into(),
                "Stosuje metody aktywizujące: debatę, pracę projektową i grywalizację.".into(),
                "Komunikuje się w języku angielskim w sytuacjach zawodowych.".into(),
            ],
        }),
        verification_label: "Kod weryfikacyjny".into(),
        verification_code: CODE.into(),
        verification_url: URL.into(),
        issued: "Wydano 18 czerwca 2027 r.".into(),
        revoked: None,
    }
}

/// A certificate with far more content than fits at the normal type size.
fn long_certificate() -> Certificate {
    let mut certificate = polish_certificate();
    certificate.hours = (1..=40)
        .map(|row| {
            pair(
                &format!("Zajęcia praktyczne, moduł {row}"),
                &format!("{row}:00"),
            )
        })
        .collect();
    if let Some(europass) = certificate.europass.as_mut() {
        europass.outcomes = (1..=30)
            .map(|n| {
                format!(
                    "Efekt {n}: samodzielnie projektuje, prowadzi i ewaluuje zajęcia \
                     z wykorzystaniem narzędzi cyfrowych, dbając o dostępność materiałów."
                )
            })
            .collect();
    }
    let tail: String = "abcdefghij".repeat(30);
    certificate.verification_url = format!("https://kompetens.example/verify?c={tail}");
    certificate.verification_url.truncate(300);
    certificate
}

/// The text as `pdf-extract` reads it, with every run of whitespace made one space.
fn extracted_text(pdf: &[u8]) -> Result<String, Box<dyn Error>> {
    let text = pdf_extract::extract_text_from_mem(pdf)?;
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn only_page(document: &Document) -> Result<ObjectId, Box<dyn Error>> {
    let pages = document.get_pages();
    assert_eq!(pages.len(), 1, "exactly one page");
    Ok(*pages.values().next().ok_or("no page")?)
}

fn deref<'a>(document: &'a Document, object: &'a Object) -> Result<&'a Object, Box<dyn Error>> {
    Ok(document.dereference(object)?.1)
}

fn dict<'a>(
    document: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Result<&'a Dictionary, Box<dyn Error>> {
    Ok(deref(document, dict.get(key)?)?.as_dict()?)
}

fn name<'a>(
    document: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Result<&'a str, Box<dyn Error>> {
    Ok(std::str::from_utf8(
        deref(document, dict.get(key)?)?.as_name()?,
    )?)
}

#[test]
fn polish_certificate_extracts_exactly_with_an_independent_parser() -> TestResult {
    let pdf = render(&polish_certificate())?;
    assert!(pdf.starts_with(b"%PDF-"));
    let text = extracted_text(&pdf)?;
    for expected in [
        HOLDER,
        TITLE,
        CODE,
        URL,
        "Zaświadczenie o ukończeniu szkolenia",
        "Niniejszym zaświadcza się, że",
        "Fundacja Rozwoju Kompetencji Społecznych, Łódź",
        "Vilniaus Šv. Kristoforo gimnazija, Vilnius",
        "Ąžuolas Čėsnauskas; Åsa Bäckström",
        "Ćwiczenia praktyczne 9:30",
        "Razem 40:00",
        "Europass Mobilność",
        "Stosuje metody aktywizujące: debatę, pracę projektową i grywalizację.",
        "Wydano 18 czerwca 2027 r.",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
    Ok(())
}

#[test]
fn all_the_letters_the_brief_names_round_trip() -> TestResult {
    let mut certificate = polish_certificate();
    let alphabets = [
        "ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ",
        "ąčęėįšųūž ĄČĘĖĮŠŲŪŽ",
        "åäö ÅÄÖ",
        "äöüß ÄÖÜẞ",
        "Їжак ґанок єнот Іван ЇҐЄ",
    ];
    certificate.facts = alphabets
        .iter()
        .map(|letters| pair("Litery", letters))
        .collect();
    let text = extracted_text(&render(&certificate)?)?;
    for letters in alphabets {
        assert!(text.contains(letters), "{letters:?} not in {text:?}");
    }
    Ok(())
}

#[test]
fn a_character_the_font_lacks_keeps_its_text() -> TestResult {
    let mut certificate = polish_certificate();
    // Private use U+E000 and U+10FFFD (outside the BMP) and Tibetan U+0F00 are not in
    // DejaVu Sans.
    certificate.holder_name = "Łucja \u{E000}\u{0F00}\u{10FFFD} Öberg".into();
    let pdf = render(&certificate)?;
    let text = extracted_text(&pdf)?;
    assert!(
        text.contains("Łucja \u{E000}\u{0F00}\u{10FFFD} Öberg"),
        "{text:?}"
    );
    // Such characters need a CIDToGIDMap stream (they all draw glyph 0).
    let document = Document::load_mem(&pdf)?;
    let page = only_page(&document)?;
    let fonts = document.get_page_fonts(page)?;
    let mut streams = 0;
    for font in fonts.values() {
        let descendants = deref(&document, font.get(b"DescendantFonts")?)?.as_array()?;
        let cid_font = deref(&document, descendants.first().ok_or("no descendant")?)?.as_dict()?;
        if deref(&document, cid_font.get(b"CIDToGIDMap")?)?
            .as_stream()
            .is_ok()
        {
            streams += 1;
        }
    }
    assert_eq!(
        streams, 1,
        "only the bold face (the name) has a missing glyph"
    );
    Ok(())
}

#[test]
fn the_page_is_a4_with_embedded_subsetted_type0_fonts() -> TestResult {
    let pdf = render(&polish_certificate())?;
    let document = Document::load_mem(&pdf)?;
    let page_id = only_page(&document)?;
    let page = document.get_dictionary(page_id)?;

    let media_box: Vec<f32> = deref(&document, page.get(b"MediaBox")?)?
        .as_array()?
        .iter()
        .map(Object::as_float)
        .collect::<Result<_, _>>()?;
    assert_eq!(media_box.len(), 4);
    for (got, want) in media_box.iter().zip([0.0, 0.0, 595.28, 841.89]) {
        assert!((got - want).abs() < 0.01, "MediaBox {media_box:?}");
    }

    let contents = deref(&document, page.get(b"Contents")?)?.as_stream()?;
    assert_eq!(name(&document, &contents.dict, b"Filter")?, "FlateDecode");

    let fonts = document.get_page_fonts(page_id)?;
    assert_eq!(fonts.len(), 2, "regular and bold");
    let mut base_names = Vec::new();
    for font in fonts.values() {
        assert_eq!(name(&document, font, b"Subtype")?, "Type0");
        assert_eq!(name(&document, font, b"Encoding")?, "Identity-H");
        let base = name(&document, font, b"BaseFont")?;
        let (tag, family) = base.split_once('+').ok_or("no subset tag")?;
        assert!(
            tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()),
            "{base}"
        );
        assert!(family.starts_with("DejaVuSans"), "{base}");
        base_names.push(family.to_owned());
        assert!(
            deref(&document, font.get(b"ToUnicode")?)?
                .as_stream()
                .is_ok()
        );

        let descendants = deref(&document, font.get(b"DescendantFonts")?)?.as_array()?;
        let cid_font = deref(&document, descendants.first().ok_or("no descendant")?)?.as_dict()?;
        assert_eq!(name(&document, cid_font, b"Subtype")?, "CIDFontType2");
        assert_eq!(name(&document, cid_font, b"CIDToGIDMap")?, "Identity");
        assert!(
            !deref(&document, cid_font.get(b"W")?)?
                .as_array()?
                .is_empty()
        );

        let descriptor = dict(&document, cid_font, b"FontDescriptor")?;
        let program = deref(&document, descriptor.get(b"FontFile2")?)?.as_stream()?;
        assert_eq!(name(&document, &program.dict, b"Filter")?, "FlateDecode");
        let program = program.decompressed_content()?;
        assert!(
            program.len() * 10 < FULL_REGULAR.len(),
            "embedded program of {} bytes is not a subset of {} bytes",
            program.len(),
            FULL_REGULAR.len()
        );
        let subset = ttf_parser::Face::parse(&program, 0)?;
        assert!(subset.number_of_glyphs() < 200);
    }
    base_names.sort();
    assert_eq!(base_names, ["DejaVuSans", "DejaVuSans-Bold"]);
    Ok(())
}

#[test]
fn document_info_and_language_are_written() -> TestResult {
    let pdf = render(&polish_certificate())?;
    let document = Document::load_mem(&pdf)?;
    let catalog = document.catalog()?;
    let lang = pdf_extract::decode_text_string(deref(&document, catalog.get(b"Lang")?)?)?;
    assert_eq!(lang, "pl-PL");

    let info = dict(&document, &document.trailer, b"Info")?;
    let title = pdf_extract::decode_text_string(deref(&document, info.get(b"Title")?)?)?;
    assert_eq!(
        title,
        format!("Zaświadczenie o ukończeniu szkolenia – {HOLDER}")
    );
    let creator = pdf_extract::decode_text_string(deref(&document, info.get(b"Creator")?)?)?;
    assert_eq!(creator, "Kompetens");
    Ok(())
}

#[test]
fn long_content_still_fits_on_one_page() -> TestResult {
    let certificate = long_certificate();
    let url = certificate.verification_url.clone();
    assert_eq!(url.len(), 300);
    let pdf = render(&certificate)?;
    let document = Document::load_mem(&pdf)?;
    only_page(&document)?;

    let text = extracted_text(&pdf)?;
    assert!(text.contains(HOLDER));
    assert!(text.contains(CODE));
    assert!(
        text.contains("Zajęcia praktyczne, moduł 40 40:00"),
        "{text:?}"
    );
    assert!(text.contains("Efekt 1:"));
    // Not all 30 outcomes fit: the list is cut short with "…".
    assert!(text.contains('…'), "{text:?}");
    assert!(!text.contains("Efekt 30:"));
    // The URL is wrapped, so it comes back in pieces that join up to it.
    let joined: String = text.split(' ').collect();
    assert!(joined.contains(&url), "{url} not in {joined}");
    Ok(())
}

#[test]
fn a_revoked_certificate_shows_a_banner() -> TestResult {
    let mut certificate = polish_certificate();
    certificate.revoked = Some("UNIEWAŻNIONY: błąd w danych uczestnika".into());
    let text = extracted_text(&render(&certificate)?)?;
    assert!(
        text.starts_with("UNIEWAŻNIONY: błąd w danych uczestnika"),
        "{text:?}"
    );
    Ok(())
}

#[test]
fn a_certificate_without_europass_renders() -> TestResult {
    let mut certificate = polish_certificate();
    certificate.europass = None;
    let text = extracted_text(&render(&certificate)?)?;
    assert!(text.contains(HOLDER));
    assert!(!text.contains("Europass"));
    Ok(())
}

#[test]
fn empty_and_absurd_input_give_a_pdf_or_an_error_but_never_panic() -> TestResult {
    let empty = render(&Certificate::default())?;
    assert_eq!(Document::load_mem(&empty)?.get_pages().len(), 1);

    let mut odd = polish_certificate();
    odd.holder_name = "\u{0}\u{7}\t\n\r\u{FEFF}\u{202E}\u{1F600}".into();
    odd.language = String::new();
    odd.verification_url = "not a url at all, with spaces".into();
    let pdf = render(&odd)?;
    assert_eq!(Document::load_mem(&pdf)?.get_pages().len(), 1);

    let mut huge = polish_certificate();
    huge.completion_text = "bardzo długi tekst ".repeat(5_000);
    assert_eq!(render(&huge), Err(PdfError::ContentTooLong));
    Ok(())
}

#[test]
fn thousands_of_outcomes_are_cut_short_and_huge_fields_rejected() -> TestResult {
    let mut many = polish_certificate();
    if let Some(europass) = many.europass.as_mut() {
        europass.outcomes = (0..10_000).map(|n| format!("Efekt numer {n}.")).collect();
    }
    let pdf = render(&many)?;
    assert_eq!(Document::load_mem(&pdf)?.get_pages().len(), 1);
    let text = extracted_text(&pdf)?;
    assert!(text.contains("Efekt numer 0.") && text.contains('…'));
    assert!(!text.contains("Efekt numer 9999."));

    let mut huge = polish_certificate();
    huge.holder_name = "Ł".repeat(1_000_000);
    assert_eq!(render(&huge), Err(PdfError::ContentTooLong));
    let mut rows = polish_certificate();
    rows.hours = vec![pair("Warsztaty", "1:00"); 5_000];
    assert_eq!(render(&rows), Err(PdfError::ContentTooLong));
    Ok(())
}

#[test]
fn rendering_is_deterministic() -> TestResult {
    assert_eq!(
        render(&polish_certificate())?,
        render(&polish_certificate())?
    );
    Ok(())
}
