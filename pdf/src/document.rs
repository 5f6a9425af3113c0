//! PDF assembly: the catalog, the single A4 page, its compressed content stream, the
//! embedded fonts, link annotations and the document information dictionary.

use pdf_writer::types::{ActionType, AnnotationType};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::fonts::{EmbeddedFont, Encoder, Fonts, Style};
use crate::layout::{Item, PAGE_HEIGHT, PAGE_WIDTH, Rgb, is_invisible};
use crate::{Certificate, PdfError};

/// The resource name of DejaVu Sans on the page.
const REGULAR_NAME: Name<'static> = Name(b"F1");
/// The resource name of DejaVu Sans Bold on the page.
const BOLD_NAME: Name<'static> = Name(b"F2");

/// Hands out indirect object ids, each once.
pub(crate) struct RefAlloc(i32);

impl RefAlloc {
    /// Starts at object 1.
    fn new() -> Self {
        Self(1)
    }

    /// The next unused id.
    pub(crate) fn next(&mut self) -> Ref {
        let id = Ref::new(self.0);
        self.0 += 1;
        id
    }
}

/// zlib-compresses a stream body for `/Filter /FlateDecode`.
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 9)
}

/// Writes the laid-out page as a complete PDF file.
pub(crate) fn write(
    fonts: &Fonts,
    certificate: &Certificate,
    items: &[Item],
) -> Result<Vec<u8>, PdfError> {
    let mut regular = Encoder::new(&fonts.regular);
    let mut bold = Encoder::new(&fonts.bold);
    for item in items {
        if let Item::Text { style, text, .. } = item {
            match style {
                Style::Regular => regular.add(text),
                Style::Bold => bold.add(text),
            }
        }
    }
    let regular = regular.finish()?;
    let bold = bold.finish()?;

    let content = deflate(&content(items, regular.as_ref(), bold.as_ref()));

    let mut refs = RefAlloc::new();
    let catalog_ref = refs.next();
    let pages_ref = refs.next();
    let page_ref = refs.next();
    let content_ref = refs.next();
    let info_ref = refs.next();
    let regular_ref = regular.as_ref().map(|_| refs.next());
    let bold_ref = bold.as_ref().map(|_| refs.next());
    let links: Vec<(Ref, &Item)> = items
        .iter()
        .filter(|item| matches!(item, Item::Link { .. }))
        .map(|item| (refs.next(), item))
        .collect();

    let mut pdf = Pdf::new();
    let mut catalog = pdf.catalog(catalog_ref);
    catalog.pages(pages_ref);
    let language = certificate.language.trim();
    if !language.is_empty() {
        catalog.lang(TextStr(language));
    }
    catalog.viewer_preferences().display_doc_title(true);
    catalog.finish();

    pdf.pages(pages_ref).kids([page_ref]).count(1);

    let mut page = pdf.page(page_ref);
    page.parent(pages_ref)
        .media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
        .contents(content_ref);
    if !links.is_empty() {
        page.annotations(links.iter().map(|&(id, _)| id));
    }
    let mut resources = page.resources();
    let mut font_resources = resources.fonts();
    if let Some(id) = regular_ref {
        font_resources.pair(REGULAR_NAME, id);
    }
    if let Some(id) = bold_ref {
        font_resources.pair(BOLD_NAME, id);
    }
    font_resources.finish();
    resources.finish();
    page.finish();

    pdf.stream(content_ref, &content)
        .filter(Filter::FlateDecode);

    for (font, id) in [(&regular, regular_ref), (&bold, bold_ref)] {
        if let (Some(font), Some(id)) = (font, id) {
            font.write(&mut pdf, &mut refs, id);
        }
    }

    for (id, item) in &links {
        if let Item::Link {
            rect: (x1, y1, x2, y2),
            uri,
        } = item
        {
            let mut annotation = pdf.annotation(*id);
            annotation
                .subtype(AnnotationType::Link)
                .rect(Rect::new(*x1, *y1, *x2, *y2))
                .border(0.0, 0.0, 0.0, None);
            annotation
                .action()
                .action_type(ActionType::Uri)
                .uri(Str(uri.as_bytes()));
        }
    }

    let title = title(certificate);
    pdf.document_info(info_ref)
        .title(TextStr(&title))
        .creator(TextStr("Kompetens"))
        .producer(TextStr(concat!(
            "kompetens-pdf ",
            env!("CARGO_PKG_VERSION")
        )));

    Ok(pdf.finish())
}

/// The document title: the heading and the holder's name.
fn title(certificate: &Certificate) -> String {
    let clean = |text: &str| {
        text.split(char::is_whitespace)
            .map(|word| {
                word.chars()
                    .filter(|&c| !is_invisible(c))
                    .collect::<String>()
            })
            .filter(|word| !word.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let heading = clean(&certificate.heading);
    let name = clean(&certificate.holder_name);
    match (heading.is_empty(), name.is_empty()) {
        (false, false) => format!("{heading} – {name}"),
        (false, true) => heading,
        (true, _) => name,
    }
}

/// The page's content stream (uncompressed).
fn content(
    items: &[Item],
    regular: Option<&EmbeddedFont<'_>>,
    bold: Option<&EmbeddedFont<'_>>,
) -> Vec<u8> {
    let mut content = Content::new();
    for item in items {
        match item {
            Item::Text {
                style,
                size,
                x,
                y,
                text,
                color: Rgb(r, g, b),
            } => {
                let (font, name) = match style {
                    Style::Regular => (regular, REGULAR_NAME),
                    Style::Bold => (bold, BOLD_NAME),
                };
                let Some(font) = font else { continue };
                content
                    .begin_text()
                    .set_fill_rgb(*r, *g, *b)
                    .set_font(name, *size)
                    .set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, *y])
                    .show(Str(&font.encode(text)))
                    .end_text();
            }
            Item::Line {
                from,
                to,
                width,
                color: Rgb(r, g, b),
            } => {
                content
                    .save_state()
                    .set_stroke_rgb(*r, *g, *b)
                    .set_line_width(*width)
                    .move_to(from.0, from.1)
                    .line_to(to.0, to.1)
                    .stroke()
                    .restore_state();
            }
            Item::Rect {
                rect: (x, y, w, h),
                fill,
                stroke: Rgb(r, g, b),
                width,
            } => {
                content
                    .save_state()
                    .set_stroke_rgb(*r, *g, *b)
                    .set_line_width(*width);
                if let Some(Rgb(fr, fg, fb)) = fill {
                    content
                        .set_fill_rgb(*fr, *fg, *fb)
                        .rect(*x, *y, *w, *h)
                        .fill_nonzero_and_stroke();
                } else {
                    content.rect(*x, *y, *w, *h).stroke();
                }
                content.restore_state();
            }
            Item::Link { .. } => {}
        }
    }
    content.finish().into_vec()
}
