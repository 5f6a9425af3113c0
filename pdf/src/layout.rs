//! Page layout: wraps the certificate's strings by measured advance widths and places them
//! on one A4 page, shrinking the type step by step (and at last cutting the learning
//! outcomes short with "…") until everything fits.

use crate::fonts::{Face, Fonts, Style};
use crate::{Certificate, PdfError};

/// A4 width in points.
pub(crate) const PAGE_WIDTH: f32 = 595.28;
/// A4 height in points.
pub(crate) const PAGE_HEIGHT: f32 = 841.89;

/// Left and right margin of the text.
const MARGIN_X: f32 = 64.0;
/// Space above the first line.
const MARGIN_TOP: f32 = 64.0;
/// Space below the footer's last line.
const MARGIN_BOTTOM: f32 = 52.0;
/// Inset of the outer frame line from the page edge.
const FRAME_OUTER: f32 = 22.0;
/// Inset of the inner frame line from the page edge.
const FRAME_INNER: f32 = 26.5;
/// Baseline offset below a line's top, in ems.
const ASCENT: f32 = 0.93;
/// Descender below the baseline, in ems (for link rectangles).
const DESCENT: f32 = 0.24;
/// Line pitch, in ems.
const LEADING: f32 = 1.25;
/// Least space between the body and the footer.
const FOOTER_GAP: f32 = 16.0;
/// Type scales tried in turn; the last is the smallest the body may be set in.
const SCALES: [f32; 9] = [1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6];
/// Below this scale a long hours table runs in two halves rather than shrink further.
const SPLIT_BELOW: f32 = 0.8;
/// The fewest activity rows worth splitting into two halves.
const MIN_SPLIT_ROWS: usize = 6;
/// More text than this (in UTF-8 bytes, outside the learning outcomes) never fits: it
/// is at least 50,000 characters, and a page at the smallest type holds under 25,000
/// even of the narrowest letters.
const MAX_TEXT_BYTES: usize = 200_000;
/// More label/value and hours rows than this never fit (each takes at least a line).
const MAX_ROWS: usize = 1_000;
/// Sizes tried in turn for the verification URL before it is wrapped.
const URL_SIZES: [f32; 6] = [8.5, 8.0, 7.5, 7.0, 6.5, 6.0];
/// Slack when comparing measured widths.
const EPSILON: f32 = 0.01;
/// The marker that ends a shortened outcomes list.
const ELLIPSIS: &str = "…";
/// The bullet before each learning outcome.
const BULLET: &str = "•";

/// Body text.
const INK: Rgb = Rgb(0.11, 0.12, 0.15);
/// Labels and secondary text.
const MUTED: Rgb = Rgb(0.36, 0.39, 0.44);
/// Headings, the frame and the URL.
const ACCENT: Rgb = Rgb(0.05, 0.29, 0.39);
/// Table rules.
const RULE: Rgb = Rgb(0.45, 0.48, 0.52);
/// Rules between table rows and above the footer.
const LIGHT_RULE: Rgb = Rgb(0.80, 0.82, 0.85);
/// The revocation banner's text and border.
const REVOKED: Rgb = Rgb(0.72, 0.06, 0.06);
/// The revocation banner's background.
const REVOKED_FILL: Rgb = Rgb(1.0, 0.93, 0.93);

/// An RGB colour, each part in 0..=1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rgb(pub(crate) f32, pub(crate) f32, pub(crate) f32);

/// One thing drawn on the page, in drawing order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// A line of text with its baseline starting at (`x`, `y`).
    Text {
        /// The face.
        style: Style,
        /// Size in points.
        size: f32,
        /// Left end of the baseline.
        x: f32,
        /// Height of the baseline.
        y: f32,
        /// The characters, without line breaks.
        text: String,
        /// Fill colour.
        color: Rgb,
    },
    /// A straight stroked line.
    Line {
        /// Start point.
        from: (f32, f32),
        /// End point.
        to: (f32, f32),
        /// Stroke width.
        width: f32,
        /// Stroke colour.
        color: Rgb,
    },
    /// A filled and stroked rectangle.
    Rect {
        /// Lower-left corner and size: x, y, width, height.
        rect: (f32, f32, f32, f32),
        /// Fill colour; `None` leaves it empty.
        fill: Option<Rgb>,
        /// Stroke colour.
        stroke: Rgb,
        /// Stroke width.
        width: f32,
    },
    /// A clickable area that opens `uri`.
    Link {
        /// Lower-left and upper-right corners: x1, y1, x2, y2.
        rect: (f32, f32, f32, f32),
        /// The address opened.
        uri: String,
    },
}

/// Horizontal placement of a line in its column.
#[derive(Debug, Clone, Copy)]
enum Align {
    /// Flush left.
    Left,
    /// Centred.
    Center,
    /// Flush right.
    Right,
}

/// Lays the certificate out on one page, or says it cannot fit.
pub(crate) fn layout(fonts: &Fonts, certificate: &Certificate) -> Result<Vec<Item>, PdfError> {
    if obviously_too_long(certificate) {
        return Err(PdfError::ContentTooLong);
    }
    let (footer, footer_top) = footer(fonts, certificate);
    let limit = footer_top + FOOTER_GAP;
    let assemble = |body: Vec<Item>| {
        let mut items = frame();
        items.extend(body);
        items.extend(footer.clone());
        items
    };

    let fits = |setting: Setting| {
        let (body, bottom) = body(fonts, certificate, setting, limit);
        (bottom >= limit).then_some(body)
    };

    // The normal size first, then smaller type; a long hours table runs in two halves
    // rather than go below SPLIT_BELOW.
    let splittable = certificate.hours.len() >= MIN_SPLIT_ROWS;
    let single = |scale: f32| Setting {
        scale,
        split_table: false,
        outcomes_kept: None,
    };
    let split = |scale: f32| Setting {
        scale,
        split_table: true,
        outcomes_kept: None,
    };
    let mut attempts: Vec<Setting> = SCALES
        .iter()
        .filter(|&&scale| scale >= SPLIT_BELOW)
        .map(|&scale| single(scale))
        .collect();
    if splittable {
        attempts.extend(SCALES.iter().map(|&scale| split(scale)));
    }
    attempts.extend(
        SCALES
            .iter()
            .filter(|&&scale| scale < SPLIT_BELOW)
            .map(|&scale| single(scale)),
    );
    for setting in attempts {
        if let Some(body) = fits(setting) {
            return Ok(assemble(body));
        }
    }

    // Even the smallest type is too big: keep as many outcomes as fit, then "…".
    let outcomes = certificate
        .europass
        .as_ref()
        .map_or(0, |europass| europass.outcomes.len());
    if outcomes == 0 {
        return Err(PdfError::ContentTooLong);
    }
    let smallest = |kept: usize| Setting {
        scale: SCALES[SCALES.len() - 1],
        split_table: splittable,
        outcomes_kept: Some(kept),
    };
    let Some(mut best) = fits(smallest(0)) else {
        return Err(PdfError::ContentTooLong);
    };
    // Fitting only gets harder with more outcomes: binary search the most that fit.
    let (mut low, mut high) = (0, outcomes - 1);
    while low < high {
        let middle = low + (high - low).div_ceil(2);
        match fits(smallest(middle)) {
            Some(body) => {
                best = body;
                low = middle;
            }
            None => high = middle - 1,
        }
    }
    Ok(assemble(best))
}

/// Whether some field is so long (or some list so many rows) that no setting could fit
/// it: checked first so that absurd input fails fast instead of being laid out many times.
fn obviously_too_long(certificate: &Certificate) -> bool {
    let mut texts: Vec<&str> = vec![
        &certificate.heading,
        &certificate.holder_label,
        &certificate.holder_name,
        &certificate.completion_text,
        &certificate.programme_title,
        &certificate.hours_heading,
        &certificate.hours_columns.0,
        &certificate.hours_columns.1,
        &certificate.hours_total.0,
        &certificate.hours_total.1,
        &certificate.verification_label,
        &certificate.verification_code,
        &certificate.verification_url,
        &certificate.issued,
    ];
    texts.extend(certificate.revoked.as_deref());
    let rows = |rows: &[(String, String)]| -> usize {
        rows.iter()
            .map(|(label, value)| label.len() + value.len())
            .sum()
    };
    let mut row_count = certificate.facts.len() + certificate.hours.len();
    let mut text_bytes: usize = texts.iter().map(|text| text.len()).sum::<usize>()
        + rows(&certificate.facts)
        + rows(&certificate.hours);
    if let Some(europass) = &certificate.europass {
        row_count += europass.rows.len();
        text_bytes += europass.heading.len() + europass.outcomes_label.len() + rows(&europass.rows);
        // The outcomes list may be cut short, so only a single absurd outcome counts.
        if europass
            .outcomes
            .iter()
            .any(|outcome| outcome.len() > MAX_TEXT_BYTES)
        {
            return true;
        }
    }
    text_bytes > MAX_TEXT_BYTES || row_count > MAX_ROWS
}

/// The double frame around the page.
fn frame() -> Vec<Item> {
    let rect = |inset: f32| {
        (
            inset,
            inset,
            PAGE_WIDTH - 2.0 * inset,
            PAGE_HEIGHT - 2.0 * inset,
        )
    };
    vec![
        Item::Rect {
            rect: rect(FRAME_OUTER),
            fill: None,
            stroke: ACCENT,
            width: 1.6,
        },
        Item::Rect {
            rect: rect(FRAME_INNER),
            fill: None,
            stroke: ACCENT,
            width: 0.5,
        },
    ]
}

/// How the body is set in one layout attempt.
#[derive(Debug, Clone, Copy)]
struct Setting {
    /// Factor on every type size and vertical gap of the body.
    scale: f32,
    /// Whether the hours table runs in two halves side by side.
    split_table: bool,
    /// Show only this many learning outcomes, followed by "…".
    outcomes_kept: Option<usize>,
}

/// Everything above the footer in one setting; returns the items and the lowest y used.
///
/// Lists stop early once the cursor is below `floor`, as the attempt has failed anyway.
fn body(
    fonts: &Fonts,
    certificate: &Certificate,
    setting: Setting,
    floor: f32,
) -> (Vec<Item>, f32) {
    let s = setting.scale;
    let mut flow = Flow::new(fonts, PAGE_HEIGHT - MARGIN_TOP, floor);

    if let Some(revoked) = &certificate.revoked {
        flow.banner(revoked, 12.5 * s);
        flow.gap(16.0 * s);
    }

    flow.paragraph(
        &certificate.heading,
        Style::Bold,
        21.0 * s,
        Align::Center,
        ACCENT,
    );
    flow.gap(7.0 * s);
    let center = PAGE_WIDTH / 2.0;
    flow.rule_at(center - 36.0, center + 36.0, 1.2, ACCENT);
    flow.gap(18.0 * s);

    flow.paragraph(
        &certificate.holder_label,
        Style::Regular,
        12.0 * s,
        Align::Center,
        MUTED,
    );
    flow.gap(6.0 * s);
    flow.paragraph(
        &certificate.holder_name,
        Style::Bold,
        26.0 * s,
        Align::Center,
        INK,
    );
    flow.gap(9.0 * s);
    flow.paragraph(
        &certificate.completion_text,
        Style::Regular,
        12.0 * s,
        Align::Center,
        INK,
    );
    flow.gap(5.0 * s);
    flow.paragraph(
        &certificate.programme_title,
        Style::Bold,
        16.0 * s,
        Align::Center,
        ACCENT,
    );

    if !certificate.facts.is_empty() {
        flow.gap(20.0 * s);
        flow.pairs(&certificate.facts, 10.5 * s);
    }

    let (total_label, total_value) = &certificate.hours_total;
    let has_table =
        !certificate.hours.is_empty() || !total_label.is_empty() || !total_value.is_empty();
    if has_table || !certificate.hours_heading.is_empty() {
        flow.gap(14.0 * s);
        flow.paragraph(
            &certificate.hours_heading,
            Style::Bold,
            12.0 * s,
            Align::Left,
            ACCENT,
        );
        flow.gap(5.0 * s);
        if has_table {
            flow.table(
                &certificate.hours_columns,
                &certificate.hours,
                &certificate.hours_total,
                10.0 * s,
                setting.split_table,
            );
        }
    }

    if let Some(europass) = &certificate.europass {
        flow.gap(16.0 * s);
        flow.paragraph(
            &europass.heading,
            Style::Bold,
            12.0 * s,
            Align::Left,
            ACCENT,
        );
        flow.gap(3.0 * s);
        let (left, right) = (flow.left, flow.left + flow.width);
        flow.rule_at(left, right, 0.6, ACCENT);
        flow.gap(6.0 * s);
        flow.pairs(&europass.rows, 10.0 * s);

        let mut outcomes: Vec<&str> = europass.outcomes.iter().map(String::as_str).collect();
        if let Some(kept) = setting.outcomes_kept
            && kept < outcomes.len()
        {
            outcomes.truncate(kept);
            outcomes.push(ELLIPSIS);
        }
        if !outcomes.is_empty() || !europass.outcomes_label.is_empty() {
            flow.gap(6.0 * s);
            flow.paragraph(
                &europass.outcomes_label,
                Style::Bold,
                10.0 * s,
                Align::Left,
                INK,
            );
            flow.gap(3.0 * s);
            flow.bullets(&outcomes, 10.0 * s);
        }
    }

    let bottom = flow.y;
    (flow.items, bottom)
}

/// The bottom block (issue line, verification code and URL); returns it and its top y.
fn footer(fonts: &Fonts, certificate: &Certificate) -> (Vec<Item>, f32) {
    let mut flow = Flow::new(fonts, 0.0, f32::NEG_INFINITY);
    let (left, right) = (flow.left, flow.left + flow.width);
    flow.rule_at(left, right, 0.5, LIGHT_RULE);
    flow.gap(9.0);
    flow.paragraph(
        &certificate.issued,
        Style::Regular,
        10.0,
        Align::Center,
        INK,
    );
    flow.gap(6.0);
    flow.paragraph(
        &certificate.verification_label,
        Style::Regular,
        8.5,
        Align::Center,
        MUTED,
    );
    flow.gap(1.0);
    flow.paragraph(
        &certificate.verification_code,
        Style::Bold,
        13.0,
        Align::Center,
        INK,
    );
    flow.gap(2.0);
    flow.url(&certificate.verification_url);

    // Move the block from y = 0 (its top) down onto the bottom margin.
    let height = -flow.y;
    let shift = MARGIN_BOTTOM + height;
    let items = flow
        .items
        .into_iter()
        .map(|item| item.shifted(shift))
        .collect();
    (items, shift)
}

impl Item {
    /// The item moved up by `dy`.
    fn shifted(self, dy: f32) -> Self {
        match self {
            Self::Text {
                style,
                size,
                x,
                y,
                text,
                color,
            } => Self::Text {
                style,
                size,
                x,
                y: y + dy,
                text,
                color,
            },
            Self::Line {
                from,
                to,
                width,
                color,
            } => Self::Line {
                from: (from.0, from.1 + dy),
                to: (to.0, to.1 + dy),
                width,
                color,
            },
            Self::Rect {
                rect: (x, y, w, h),
                fill,
                stroke,
                width,
            } => Self::Rect {
                rect: (x, y + dy, w, h),
                fill,
                stroke,
                width,
            },
            Self::Link {
                rect: (x1, y1, x2, y2),
                uri,
            } => Self::Link {
                rect: (x1, y1 + dy, x2, y2 + dy),
                uri,
            },
        }
    }
}

/// Where one part of the hours table sits.
#[derive(Debug, Clone, Copy)]
struct Column {
    /// Left edge of the part.
    left: f32,
    /// Width of the part.
    width: f32,
    /// Width of the right-aligned hours column inside it.
    value_width: f32,
}

/// A top-down cursor that places blocks in the text column.
struct Flow<'a> {
    /// Both faces, for measuring.
    fonts: &'a Fonts,
    /// What has been placed so far.
    items: Vec<Item>,
    /// Top of the next block (PDF coordinates, so it decreases).
    y: f32,
    /// Below this the layout has failed; lists stop adding rows.
    floor: f32,
    /// Left edge of the text column.
    left: f32,
    /// Width of the text column.
    width: f32,
}

impl<'a> Flow<'a> {
    /// A cursor at height `top` over the full text column; lists stop below `floor`.
    fn new(fonts: &'a Fonts, top: f32, floor: f32) -> Self {
        Self {
            fonts,
            items: Vec::new(),
            y: top,
            floor,
            left: MARGIN_X,
            width: PAGE_WIDTH - 2.0 * MARGIN_X,
        }
    }

    /// Whether the cursor is already below the floor.
    fn overflowed(&self) -> bool {
        self.y < self.floor
    }

    /// Moves the cursor down.
    fn gap(&mut self, height: f32) {
        self.y -= height;
    }

    /// A horizontal rule at the cursor between `x1` and `x2` (the cursor stays).
    fn rule_at(&mut self, x1: f32, x2: f32, width: f32, color: Rgb) {
        self.items.push(Item::Line {
            from: (x1, self.y),
            to: (x2, self.y),
            width,
            color,
        });
    }

    /// Places already wrapped lines with their top at `top` in the column
    /// `left..left + width`; returns the height used. The cursor stays.
    #[expect(clippy::too_many_arguments, reason = "a flat drawing call")]
    fn place(
        &mut self,
        lines: Vec<String>,
        style: Style,
        size: f32,
        align: Align,
        color: Rgb,
        (left, width): (f32, f32),
        top: f32,
    ) -> f32 {
        let face = self.fonts.face(style);
        let count = lines.len();
        for (index, text) in lines.into_iter().enumerate() {
            let line_width = face.width(&text, size);
            let x = match align {
                Align::Left => left,
                Align::Center => left + (width - line_width) / 2.0,
                Align::Right => left + width - line_width,
            };
            let y = top - ASCENT * size - index as f32 * LEADING * size;
            self.items.push(Item::Text {
                style,
                size,
                x,
                y,
                text,
                color,
            });
        }
        lines_height(count, size)
    }

    /// A paragraph wrapped to the column width.
    fn paragraph(&mut self, text: &str, style: Style, size: f32, align: Align, color: Rgb) {
        let lines = wrap(self.fonts.face(style), text, size, self.width);
        let column = (self.left, self.width);
        let height = self.place(lines, style, size, align, color, column, self.y);
        self.y -= height;
    }

    /// The revocation banner: bold text in a tinted, bordered box.
    fn banner(&mut self, text: &str, size: f32) {
        let pad = 0.7 * size;
        let inner = self.width - 2.0 * pad;
        let lines = wrap(&self.fonts.bold, text, size, inner);
        let height = lines_height(lines.len().max(1), size) + 2.0 * pad;
        self.items.push(Item::Rect {
            rect: (self.left, self.y - height, self.width, height),
            fill: Some(REVOKED_FILL),
            stroke: REVOKED,
            width: 1.4,
        });
        let column = (self.left + pad, inner);
        let top = self.y - pad;
        self.place(
            lines,
            Style::Bold,
            size,
            Align::Center,
            REVOKED,
            column,
            top,
        );
        self.y -= height;
    }

    /// Label/value lines: labels in a muted left column, values wrapped beside them.
    fn pairs(&mut self, rows: &[(String, String)], size: f32) {
        let widest = rows
            .iter()
            .map(|(label, _)| self.fonts.regular.width(label.trim(), size))
            .fold(0.0_f32, f32::max);
        let label_width = widest.min(self.width * 0.4);
        let gutter = 1.2 * size;
        let value_width = self.width - label_width - gutter;
        for (label, value) in rows {
            if self.overflowed() {
                return;
            }
            let labels = wrap(&self.fonts.regular, label, size, label_width);
            let values = wrap(&self.fonts.regular, value, size, value_width);
            if labels.is_empty() && values.is_empty() {
                continue;
            }
            let top = self.y;
            let label_column = (self.left, label_width);
            let value_column = (self.left + label_width + gutter, value_width);
            let used_label = self.place(
                labels,
                Style::Regular,
                size,
                Align::Left,
                MUTED,
                label_column,
                top,
            );
            let used_value = self.place(
                values,
                Style::Regular,
                size,
                Align::Left,
                INK,
                value_column,
                top,
            );
            self.y -= used_label.max(used_value) + 0.3 * size;
        }
    }

    /// A bulleted list with hanging indents.
    fn bullets(&mut self, entries: &[&str], size: f32) {
        let indent = 1.3 * size;
        let text_width = self.width - indent;
        for entry in entries {
            if self.overflowed() {
                return;
            }
            let lines = wrap(&self.fonts.regular, entry, size, text_width);
            if lines.is_empty() {
                continue;
            }
            let top = self.y;
            let bullet_column = (self.left + 0.25 * size, indent);
            self.place(
                vec![BULLET.to_owned()],
                Style::Regular,
                size,
                Align::Left,
                MUTED,
                bullet_column,
                top,
            );
            let text_column = (self.left + indent, text_width);
            let used = self.place(
                lines,
                Style::Regular,
                size,
                Align::Left,
                INK,
                text_column,
                top,
            );
            self.y -= used + 0.2 * size;
        }
    }

    /// The ruled hours table: a header row, one row per kind of activity, a total row.
    ///
    /// With `split`, the activity rows run in two side-by-side halves (each with its
    /// own header) above a full-width total row, for long tables.
    fn table(
        &mut self,
        headings: &(String, String),
        rows: &[(String, String)],
        (total_label, total_value): &(String, String),
        size: f32,
        split: bool,
    ) {
        let gutter = 1.6 * size;
        let parts: Vec<&[(String, String)]> = if split && rows.len() > 1 {
            let (first, second) = rows.split_at(rows.len().div_ceil(2));
            vec![first, second]
        } else {
            vec![rows]
        };
        let part_count = parts.len() as f32;
        let part_width = (self.width - gutter * (part_count - 1.0)) / part_count;
        let widest_value = rows
            .iter()
            .map(|(_, value)| self.fonts.regular.width(value.trim(), size))
            .chain([
                self.fonts.bold.width(headings.1.trim(), size),
                self.fonts.bold.width(total_value.trim(), size),
            ])
            .fold(0.0_f32, f32::max);
        let value_width = widest_value.min(part_width * 0.4);

        let top = self.y;
        let mut bottom = top;
        for (index, part) in parts.into_iter().enumerate() {
            let left = self.left + index as f32 * (part_width + gutter);
            let column = Column {
                left,
                width: part_width,
                value_width,
            };
            self.y = top;
            self.rule_at(left, left + part_width, 0.9, RULE);
            self.table_row(&headings.0, &headings.1, Style::Bold, size, column);
            self.rule_at(left, left + part_width, 0.6, RULE);
            for (row, (label, value)) in part.iter().enumerate() {
                if self.overflowed() {
                    break;
                }
                if row > 0 {
                    self.rule_at(left, left + part_width, 0.3, LIGHT_RULE);
                }
                self.table_row(label, value, Style::Regular, size, column);
            }
            bottom = bottom.min(self.y);
        }
        self.y = bottom;

        let (left, right) = (self.left, self.left + self.width);
        let full = Column {
            left,
            width: self.width,
            value_width,
        };
        self.rule_at(left, right, 0.9, RULE);
        self.table_row(total_label, total_value, Style::Bold, size, full);
        self.rule_at(left, right, 0.9, RULE);
    }

    /// One table row: the label wrapped on the left, the value flush right.
    fn table_row(&mut self, label: &str, value: &str, style: Style, size: f32, column: Column) {
        let pad = 0.5 * size;
        let vertical = 0.25 * size;
        let label_width = column.width - column.value_width - 4.0 * pad;
        let face = self.fonts.face(style);
        let labels = wrap(face, label, size, label_width);
        let values = wrap(face, value, size, column.value_width);
        let count = labels.len().max(values.len()).max(1);
        let top = self.y - vertical;
        let label_column = (column.left + pad, label_width);
        let value_column = (
            column.left + column.width - pad - column.value_width,
            column.value_width,
        );
        self.place(labels, style, size, Align::Left, INK, label_column, top);
        self.place(values, style, size, Align::Right, INK, value_column, top);
        self.y -= lines_height(count, size) + 2.0 * vertical;
    }

    /// The verification URL: shrunk until it fits one line, wrapped only past that,
    /// and clickable when it is a plain http(s) address.
    fn url(&mut self, url: &str) {
        let face = &self.fonts.regular;
        let clean: String = url.split_whitespace().collect::<Vec<_>>().join(" ");
        let size = URL_SIZES
            .into_iter()
            .find(|&size| face.width(&clean, size) <= self.width + EPSILON)
            .unwrap_or(URL_SIZES[URL_SIZES.len() - 1]);
        let lines = wrap(face, &clean, size, self.width);
        let linkable = (clean.starts_with("https://") || clean.starts_with("http://"))
            && clean.chars().all(|c| c.is_ascii_graphic());
        let start = self.items.len();
        let column = (self.left, self.width);
        let height = self.place(
            lines,
            Style::Regular,
            size,
            Align::Center,
            ACCENT,
            column,
            self.y,
        );
        self.y -= height;
        if linkable {
            let links: Vec<Item> = self.items[start..]
                .iter()
                .filter_map(|item| match item {
                    Item::Text {
                        x, y, text, size, ..
                    } => Some(Item::Link {
                        rect: (
                            *x,
                            y - DESCENT * size,
                            x + face.width(text, *size),
                            y + ASCENT * size,
                        ),
                        uri: clean.clone(),
                    }),
                    _ => None,
                })
                .collect();
            self.items.extend(links);
        }
    }
}

/// The height of `count` lines at `size`.
fn lines_height(count: usize, size: f32) -> f32 {
    count as f32 * LEADING * size
}

/// Splits `text` into lines no wider than `max_width` at `size`.
///
/// Runs of breaking whitespace become single spaces (no-break spaces stay inside their
/// word); control characters and invisible format characters are dropped. Lines break
/// between words; a word wider than a whole line is split between characters,
/// preferably after `/`, `-`, `?`, `&`, `=`, `.`, `_` or `#` (so long URLs and codes
/// break where a reader expects). Empty text gives no lines.
pub(crate) fn wrap(face: &Face, text: &str, size: f32, max_width: f32) -> Vec<String> {
    let space = face.width(" ", size);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_width = 0.0;
    for word in text.split(is_breaking_space) {
        let word: String = word.chars().filter(|&c| !is_invisible(c)).collect();
        if word.is_empty() {
            continue;
        }
        let word_width = face.width(&word, size);
        if !line.is_empty() {
            if line_width + space + word_width <= max_width + EPSILON {
                line.push(' ');
                line.push_str(&word);
                line_width += space + word_width;
                continue;
            }
            lines.push(std::mem::take(&mut line));
        }
        if word_width <= max_width + EPSILON {
            line = word;
            line_width = word_width;
        } else {
            let mut pieces = split_word(face, &word, size, max_width);
            // The last piece stays open so that following words may join it.
            if let Some(last) = pieces.pop() {
                lines.extend(pieces);
                line_width = face.width(&last, size);
                line = last;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Whitespace that lines may break at (all but the no-break spaces).
fn is_breaking_space(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{A0}' | '\u{2007}' | '\u{202F}')
}

/// Characters that are not drawn: controls, the soft hyphen, zero-width spaces and
/// joiners, bidirectional controls and the byte-order mark (there is no shaping or
/// bidi here, and a font would show them as `.notdef` boxes).
pub(crate) fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{AD}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Whether a long word may break after this character.
fn is_break_after(c: char) -> bool {
    matches!(c, '/' | '-' | '?' | '&' | '=' | '.' | '_' | '#')
}

/// Splits one word wider than `max_width` into pieces that each fit (a piece is at least
/// one character, even if that character alone is wider).
fn split_word(face: &Face, word: &str, size: f32, max_width: f32) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut piece_width = 0.0;
    // Byte offset just after the last break character in `piece`.
    let mut break_at: Option<usize> = None;
    for c in word.chars() {
        let char_width = face.advance(c) * size / 1000.0;
        if !piece.is_empty() && piece_width + char_width > max_width + EPSILON {
            match break_at {
                // Break at the preferred place unless that leaves a short stub.
                Some(at) if at < piece.len() && at * 2 >= piece.len() => {
                    let rest = piece.split_off(at);
                    pieces.push(std::mem::replace(&mut piece, rest));
                    piece_width = face.width(&piece, size);
                    if piece_width + char_width > max_width + EPSILON {
                        pieces.push(std::mem::take(&mut piece));
                        piece_width = 0.0;
                    }
                }
                _ => {
                    pieces.push(std::mem::take(&mut piece));
                    piece_width = 0.0;
                }
            }
            break_at = None;
        }
        piece.push(c);
        piece_width += char_width;
        if is_break_after(c) {
            break_at = Some(piece.len());
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Fonts {
        match Fonts::load() {
            Ok(fonts) => fonts,
            Err(error) => panic!("bundled fonts load: {error}"),
        }
    }

    #[test]
    fn wrapping_keeps_every_line_within_the_width_and_loses_no_word() {
        let fonts = fonts();
        let text = "Zażółć   gęślą\tjaźń, \n Łucja Žemaitytė-Öberg ukończyła program \
                    «Przywództwo w oświacie» i Їжак. ";
        for width in [40.0, 90.0, 150.0, 400.0] {
            let lines = wrap(&fonts.regular, text, 11.0, width);
            for line in &lines {
                let measured = fonts.regular.width(line, 11.0);
                let single_word = !line.contains(' ');
                assert!(
                    measured <= width + EPSILON || single_word,
                    "{line:?} is {measured} wide at {width}"
                );
                assert!(!line.is_empty());
            }
            let rejoined = lines.join(" ");
            let expected: Vec<&str> = text.split_whitespace().collect();
            if width >= 150.0 {
                assert_eq!(rejoined, expected.join(" "));
            }
        }
    }

    #[test]
    fn a_word_wider_than_the_line_is_split_preferably_after_a_slash() {
        let fonts = fonts();
        let url = format!(
            "https://kompetens.example/api/v1/certificates/verify/{}",
            "K7QX".repeat(40)
        );
        let lines = wrap(&fonts.regular, &url, 8.0, 200.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), url);
        for line in &lines {
            assert!(
                fonts.regular.width(line, 8.0) <= 200.0 + EPSILON,
                "{line:?}"
            );
        }
        assert!(lines[0].ends_with('/'), "{:?}", lines[0]);
    }

    #[test]
    fn empty_and_control_only_text_gives_no_lines() {
        let fonts = fonts();
        assert!(wrap(&fonts.regular, "", 10.0, 100.0).is_empty());
        let invisible = " \u{0}\u{7} \n\t\u{FEFF}\u{200B}\u{202E}\u{AD}";
        assert!(wrap(&fonts.regular, invisible, 10.0, 100.0).is_empty());
    }

    #[test]
    fn no_break_spaces_keep_their_words_together() {
        let fonts = fonts();
        let lines = wrap(
            &fonts.regular,
            "aaaa w\u{A0}szkole 18\u{A0}czerwca",
            10.0,
            60.0,
        );
        assert_eq!(lines, vec!["aaaa", "w\u{A0}szkole", "18\u{A0}czerwca"]);
    }

    /// Long everything: 40 hours rows, 30 outcomes, a 300-character URL, a long name.
    fn long_certificate() -> Certificate {
        let row = |label: String, value: String| (label, value);
        Certificate {
            language: "lt".into(),
            heading: "Kvalifikacijos tobulinimo pažymėjimas".into(),
            holder_label: "Pažymima, kad".into(),
            holder_name: "Łucja Žemaitytė-Öberg von Hohenzollern-Sigmaringen".into(),
            completion_text: "baigė programą ".repeat(12),
            programme_title: "Įtraukusis ugdymas ir skaitmeninės kompetencijos ".repeat(4),
            facts: (1..=6)
                .map(|n| row(format!("Faktas {n}"), "ąčęėįšųūž ".repeat(8)))
                .collect(),
            hours_heading: "Valandos pagal veiklos rūšį".into(),
            hours_columns: row("Veikla".into(), "Valandos".into()),
            hours: (1..=40)
                .map(|n| row(format!("Praktinis užsiėmimas {n}"), format!("{n}:30")))
                .collect(),
            hours_total: row("Iš viso".into(), "840:00".into()),
            europass: Some(crate::Europass {
                heading: "Europass mobilumas".into(),
                rows: (1..=5)
                    .map(|n| row(format!("Eilutė {n}"), "Åsa Bäckström ".repeat(5)))
                    .collect(),
                outcomes_label: "Mokymosi rezultatai".into(),
                outcomes: (1..=30)
                    .map(|n| format!("Rezultatas {n}: ").repeat(10))
                    .collect(),
            }),
            verification_label: "Patikros kodas".into(),
            verification_code: "K7QX-9M2P-4HJD-WT8A-3ZRN".into(),
            verification_url: format!("https://kompetens.example/v/{}", "Q".repeat(272)),
            issued: "Išduota 2027 m. birželio 18 d.".into(),
            revoked: Some("ATŠAUKTAS: ".repeat(10)),
        }
    }

    #[test]
    fn every_line_of_a_long_certificate_stays_inside_the_margins() -> Result<(), PdfError> {
        let fonts = Fonts::load()?;
        let certificate = long_certificate();
        assert_eq!(certificate.verification_url.len(), 300);
        let items = layout(&fonts, &certificate)?;
        let mut lines = 0;
        for item in &items {
            if let Item::Text {
                style,
                size,
                x,
                y,
                text,
                ..
            } = item
            {
                lines += 1;
                let right = x + fonts.face(*style).width(text, *size);
                assert!(*x >= MARGIN_X - EPSILON, "{text:?} starts at {x}");
                assert!(
                    right <= PAGE_WIDTH - MARGIN_X + EPSILON,
                    "{text:?} ends at {right}"
                );
                assert!(
                    y - DESCENT * size >= MARGIN_BOTTOM - EPSILON,
                    "{text:?} at {y}"
                );
                assert!(
                    y + ASCENT * size <= PAGE_HEIGHT - MARGIN_TOP + EPSILON,
                    "{text:?}"
                );
            }
        }
        assert!(lines > 100);
        let texts: Vec<&str> = items
            .iter()
            .filter_map(|item| match item {
                Item::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert!(texts.contains(&ELLIPSIS), "the outcomes are cut short");
        assert!(texts.contains(&"Praktinis užsiėmimas 40"));
        Ok(())
    }

    #[test]
    fn a_character_wider_than_the_line_still_makes_progress() {
        let fonts = fonts();
        let lines = wrap(&fonts.bold, "WWWW", 40.0, 5.0);
        assert_eq!(lines, vec!["W", "W", "W", "W"]);
    }
}
