//! The two bundled DejaVu Sans faces: advance widths for layout, and their embedding as
//! subsetted Type0 / CIDFontType2 fonts with a ToUnicode map.

use std::collections::{BTreeMap, HashMap, HashSet};

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};
use subsetter::GlyphRemapper;
use ttf_parser::GlyphId;

use crate::PdfError;
use crate::document::{RefAlloc, deflate};

/// DejaVu Sans (Bitstream Vera licence, see `fonts/LICENSE-DejaVu.txt`).
static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold (same licence).
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Which of the two faces a piece of text is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
}

/// One parsed face with the facts the PDF needs about it.
pub(crate) struct Face {
    /// The parsed font program.
    face: ttf_parser::Face<'static>,
    /// The raw font program, for subsetting.
    data: &'static [u8],
    /// Font units to PDF glyph space (thousandths of an em).
    to_glyph_space: f32,
    /// The PostScript name written (after the subset tag) as /BaseFont.
    postscript_name: &'static str,
    /// The family name written in the font descriptor.
    family: &'static str,
}

impl Face {
    /// Parses one bundled face.
    fn load(data: &'static [u8], postscript_name: &'static str) -> Result<Self, PdfError> {
        let face = ttf_parser::Face::parse(data, 0).map_err(|error| PdfError::Font {
            font: postscript_name,
            reason: error.to_string(),
        })?;
        let units_per_em = f32::from(face.units_per_em().max(1));
        Ok(Self {
            face,
            data,
            to_glyph_space: 1000.0 / units_per_em,
            postscript_name,
            family: "DejaVu Sans",
        })
    }

    /// The glyph for a character; `.notdef` (0) when the font lacks it.
    fn glyph(&self, c: char) -> GlyphId {
        self.face.glyph_index(c).unwrap_or(GlyphId(0))
    }

    /// The advance width of a glyph in thousandths of an em.
    fn glyph_advance(&self, glyph: GlyphId) -> f32 {
        f32::from(self.face.glyph_hor_advance(glyph).unwrap_or(0)) * self.to_glyph_space
    }

    /// The advance width of a character in thousandths of an em (the /W unit).
    pub(crate) fn advance(&self, c: char) -> f32 {
        self.glyph_advance(self.glyph(c))
    }

    /// The width of `text` set at `size` points, in points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size / 1000.0
    }

    /// A font-unit metric converted to glyph space.
    fn metric(&self, value: i16) -> f32 {
        f32::from(value) * self.to_glyph_space
    }
}

/// Both faces, parsed once per render.
pub(crate) struct Fonts {
    /// DejaVu Sans.
    pub(crate) regular: Face,
    /// DejaVu Sans Bold.
    pub(crate) bold: Face,
}

impl Fonts {
    /// Parses the bundled faces.
    pub(crate) fn load() -> Result<Self, PdfError> {
        Ok(Self {
            regular: Face::load(REGULAR, "DejaVuSans")?,
            bold: Face::load(BOLD, "DejaVuSans-Bold")?,
        })
    }

    /// The face for a style.
    pub(crate) fn face(&self, style: Style) -> &Face {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
        }
    }
}

/// Collects the characters set in one face, then subsets and embeds it.
pub(crate) struct Encoder<'f> {
    /// The face being embedded.
    face: &'f Face,
    /// Distinct characters in order of first use.
    chars: Vec<char>,
    /// Membership of `chars`.
    seen: HashSet<char>,
}

impl<'f> Encoder<'f> {
    /// An encoder with no characters yet.
    pub(crate) fn new(face: &'f Face) -> Self {
        Self {
            face,
            chars: Vec::new(),
            seen: HashSet::new(),
        }
    }

    /// Registers every character of `text`.
    pub(crate) fn add(&mut self, text: &str) {
        for c in text.chars() {
            if self.seen.insert(c) {
                self.chars.push(c);
            }
        }
    }

    /// Subsets the face to the registered characters and assigns every character a CID.
    ///
    /// Each character gets its own CID (so the ToUnicode map gives it back exactly, also
    /// when two characters share a glyph or the font lacks it and it falls back to
    /// `.notdef`). A character with a glyph of its own uses the glyph's id in the subset
    /// as its CID; the others get CIDs past the subset's last glyph, which a
    /// CIDToGIDMap stream sends to their glyph (or `.notdef`). Without such characters
    /// the map is /Identity. Returns `None` when no character was registered.
    pub(crate) fn finish(self) -> Result<Option<EmbeddedFont<'f>>, PdfError> {
        if self.chars.is_empty() {
            return Ok(None);
        }
        let face = self.face;
        let font_error = |reason: String| PdfError::Font {
            font: face.postscript_name,
            reason,
        };

        let glyphs: Vec<(char, GlyphId)> = self.chars.iter().map(|&c| (c, face.glyph(c))).collect();
        let mut remapper = GlyphRemapper::new();
        for &(_, glyph) in &glyphs {
            if glyph.0 != 0 {
                remapper.remap(glyph.0);
            }
        }
        let program = subsetter::subset(face.data, 0, &remapper)
            .map_err(|error| font_error(error.to_string()))?;
        // Composite glyphs pull their components into the subset after ours, so the
        // subset's own glyph count says where the extra CIDs may start.
        let glyph_count = ttf_parser::Face::parse(&program, 0)
            .map_err(|error| font_error(format!("subset unreadable: {error}")))?
            .number_of_glyphs();

        let mut cids = HashMap::with_capacity(glyphs.len());
        let mut cid_glyphs: BTreeMap<u16, CidGlyph> = BTreeMap::new();
        let mut next_extra = u32::from(glyph_count);
        let mut extra_gids: Vec<(u16, u16)> = Vec::new();
        for (c, glyph) in glyphs {
            let subset_gid = if glyph.0 == 0 {
                0
            } else {
                remapper.get(glyph.0).unwrap_or(0)
            };
            let own_glyph = subset_gid != 0 && !cid_glyphs.contains_key(&subset_gid);
            let cid = if own_glyph {
                subset_gid
            } else if let Ok(extra) = u16::try_from(next_extra) {
                next_extra += 1;
                extra_gids.push((extra, subset_gid));
                extra
            } else {
                // The two-byte CID space is spent: share the glyph's CID (its text
                // then extracts as the first character that used it).
                subset_gid
            };
            cids.insert(c, cid);
            cid_glyphs.entry(cid).or_insert(CidGlyph {
                character: c,
                width: face.glyph_advance(glyph),
            });
        }

        let cid_to_gid = if extra_gids.is_empty() {
            None
        } else {
            // Extra CIDs run on from `glyph_count` without gaps, so the map is the
            // identity up to there followed by their glyphs in order.
            let mut map = Vec::with_capacity(2 * (usize::from(glyph_count) + extra_gids.len()));
            for cid in 0..glyph_count {
                map.extend_from_slice(&cid.to_be_bytes());
            }
            for &(_, gid) in &extra_gids {
                map.extend_from_slice(&gid.to_be_bytes());
            }
            Some(map)
        };

        Ok(Some(EmbeddedFont {
            face,
            program,
            cids,
            cid_glyphs,
            cid_to_gid,
        }))
    }
}

/// What a CID stands for.
struct CidGlyph {
    /// The character it gives back through ToUnicode.
    character: char,
    /// Its advance width in thousandths of an em.
    width: f32,
}

/// A subsetted face ready to be written, with the CID of every character set in it.
pub(crate) struct EmbeddedFont<'f> {
    /// The face it was cut from.
    face: &'f Face,
    /// The subsetted TrueType program.
    program: Vec<u8>,
    /// The CID of every registered character.
    cids: HashMap<char, u16>,
    /// Character and width per CID, in CID order.
    cid_glyphs: BTreeMap<u16, CidGlyph>,
    /// The CIDToGIDMap stream contents, when not /Identity.
    cid_to_gid: Option<Vec<u8>>,
}

impl EmbeddedFont<'_> {
    /// `text` as a string of two-byte Identity-H codes.
    pub(crate) fn encode(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let cid = self.cids.get(&c).copied().unwrap_or(0);
            out.extend_from_slice(&cid.to_be_bytes());
        }
        out
    }

    /// The size of the subsetted font program in bytes (before compression).
    #[cfg(test)]
    pub(crate) fn program_len(&self) -> usize {
        self.program.len()
    }

    /// The six-letter subset tag: a hash of the face and what was kept of it.
    fn subset_tag(&self) -> String {
        // FNV-1a, so the same certificate always gives the same bytes.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |bytes: &[u8]| {
            for &byte in bytes {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
        };
        feed(self.face.postscript_name.as_bytes());
        for (cid, glyph) in &self.cid_glyphs {
            feed(&cid.to_be_bytes());
            feed(&u32::from(glyph.character).to_be_bytes());
        }
        let mut tag = String::with_capacity(6);
        for _ in 0..6 {
            let letter = u8::try_from(hash % 26).unwrap_or(0);
            tag.push(char::from(b'A' + letter));
            hash /= 26;
        }
        tag
    }

    /// Writes the Type0 font (and everything it refers to) as `font_ref`.
    pub(crate) fn write(&self, pdf: &mut Pdf, refs: &mut RefAlloc, font_ref: Ref) {
        let cid_font_ref = refs.next();
        let descriptor_ref = refs.next();
        let program_ref = refs.next();
        let to_unicode_ref = refs.next();
        let cid_to_gid_ref = self.cid_to_gid.as_ref().map(|_| refs.next());

        let base_font = format!("{}+{}", self.subset_tag(), self.face.postscript_name);
        let base_font = Name(base_font.as_bytes());
        let system_info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };

        pdf.type0_font(font_ref)
            .base_font(base_font)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_font_ref)
            .to_unicode(to_unicode_ref);

        let notdef_width = self.face.glyph_advance(GlyphId(0));
        let mut cid_font = pdf.cid_font(cid_font_ref);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(base_font)
            .system_info(system_info)
            .font_descriptor(descriptor_ref)
            .default_width(notdef_width);
        match cid_to_gid_ref {
            Some(stream) => cid_font.cid_to_gid_map_stream(stream),
            None => cid_font.cid_to_gid_map_predefined(Name(b"Identity")),
        };
        let mut widths = cid_font.widths();
        for (start, run) in consecutive_runs(&self.cid_glyphs) {
            widths.consecutive(start, run);
        }
        widths.finish();
        cid_font.finish();

        let face = &self.face.face;
        let bbox = face.global_bounding_box();
        let weight = face.weight().to_number();
        let ascent = self.face.metric(face.ascender());
        let cap_height = face
            .capital_height()
            .map_or(ascent, |height| self.face.metric(height));
        let stem_v = 10.0 + 0.244 * (f32::from(weight) - 50.0);
        pdf.font_descriptor(descriptor_ref)
            .name(base_font)
            .family(Str(self.face.family.as_bytes()))
            .weight(weight)
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(
                self.face.metric(bbox.x_min),
                self.face.metric(bbox.y_min),
                self.face.metric(bbox.x_max),
                self.face.metric(bbox.y_max),
            ))
            .italic_angle(face.italic_angle())
            .ascent(ascent)
            .descent(self.face.metric(face.descender()))
            .cap_height(cap_height)
            .stem_v(stem_v)
            .font_file2(program_ref);

        let compressed = deflate(&self.program);
        pdf.stream(program_ref, &compressed)
            .filter(Filter::FlateDecode)
            .pair(
                Name(b"Length1"),
                i32::try_from(self.program.len()).unwrap_or(i32::MAX),
            );

        let mut cmap = UnicodeCmap::new(
            Name(b"Adobe-Identity-UCS"),
            SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"UCS"),
                supplement: 0,
            },
        );
        for (&cid, glyph) in &self.cid_glyphs {
            cmap.pair(cid, glyph.character);
        }
        let cmap = deflate(&cmap.finish());
        pdf.stream(to_unicode_ref, &cmap)
            .filter(Filter::FlateDecode);

        if let (Some(stream), Some(map)) = (cid_to_gid_ref, &self.cid_to_gid) {
            let map = deflate(map);
            pdf.stream(stream, &map).filter(Filter::FlateDecode);
        }
    }
}

/// Groups CIDs into runs of consecutive ids with their widths, for the /W array.
fn consecutive_runs(cid_glyphs: &BTreeMap<u16, CidGlyph>) -> Vec<(u16, Vec<f32>)> {
    let mut runs: Vec<(u16, Vec<f32>)> = Vec::new();
    let mut previous: Option<u16> = None;
    for (&cid, glyph) in cid_glyphs {
        match (previous, runs.last_mut()) {
            (Some(prev), Some((_, run))) if prev.checked_add(1) == Some(cid) => {
                run.push(glyph.width);
            }
            _ => runs.push((cid, vec![glyph.width])),
        }
        previous = Some(cid);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_gets_its_own_cid_and_missing_ones_fall_back_to_notdef()
    -> Result<(), Box<dyn std::error::Error>> {
        let fonts = Fonts::load()?;
        let mut encoder = Encoder::new(&fonts.regular);
        // U+E000 and U+10FFFD (private use) are not in DejaVu Sans.
        encoder.add("Aą\u{E000}\u{10FFFD}A");
        let embedded = encoder.finish()?.ok_or("no font embedded")?;
        let codes = embedded.encode("Aą\u{E000}\u{10FFFD}");
        let cids: Vec<u16> = codes
            .chunks(2)
            .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
            .collect();
        assert_eq!(cids.len(), 4);
        let distinct: HashSet<u16> = cids.iter().copied().collect();
        assert_eq!(
            distinct.len(),
            4,
            "each character has its own CID: {cids:?}"
        );
        assert!(cids.iter().all(|&cid| cid != 0));
        // The two missing characters go through the CIDToGIDMap to glyph 0.
        let map = embedded.cid_to_gid.as_ref().ok_or("no CIDToGIDMap")?;
        for &cid in &cids[2..] {
            let at = usize::from(cid) * 2;
            assert_eq!(&map[at..at + 2], &[0, 0]);
        }
        // The characters the font has keep their subset glyph id as their CID.
        for &cid in &cids[..2] {
            let at = usize::from(cid) * 2;
            assert_eq!(&map[at..at + 2], &cid.to_be_bytes());
        }
        Ok(())
    }

    #[test]
    fn without_missing_characters_the_map_is_identity_and_the_subset_is_small()
    -> Result<(), Box<dyn std::error::Error>> {
        let fonts = Fonts::load()?;
        let mut encoder = Encoder::new(&fonts.bold);
        encoder.add("Łucja Žemaitytė-Öberg ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ åäö ÄÖÜß Їжак");
        let embedded = encoder.finish()?.ok_or("no font embedded")?;
        assert!(embedded.cid_to_gid.is_none());
        assert!(
            embedded.program_len() * 10 < BOLD.len(),
            "subset of {} bytes is not much smaller than {}",
            embedded.program_len(),
            BOLD.len()
        );
        let tag = embedded.subset_tag();
        assert_eq!(tag.len(), 6);
        assert!(tag.chars().all(|c| c.is_ascii_uppercase()));
        Ok(())
    }

    #[test]
    fn consecutive_cids_share_a_width_run() {
        let mut map = BTreeMap::new();
        for cid in [1_u16, 2, 3, 7, 8, 20] {
            map.insert(
                cid,
                CidGlyph {
                    character: 'x',
                    width: f32::from(cid),
                },
            );
        }
        let runs = consecutive_runs(&map);
        assert_eq!(
            runs,
            vec![
                (1, vec![1.0, 2.0, 3.0]),
                (7, vec![7.0, 8.0]),
                (20, vec![20.0])
            ]
        );
    }
}
