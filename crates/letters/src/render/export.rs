//! From laid-out pages to PDFs: a document of several letters cut into each letter's
//! pages, a letter's own PDF, a print file, and the check for glyphs no font had.

use typst::ecow::EcoVec;
use typst::foundations::{Label, Selector, Smart};
use typst::introspection::Introspector as _;
use typst::layout::{Frame, FrameItem};
use typst::model::DocumentInfo;
use typst::utils::PicoStr;
use typst_layout::{Page, PagedDocument};

use super::{LETTER_LABEL, Letter, RenderError, messages};

pub(super) fn boundary_error(index: usize) -> RenderError {
    RenderError::Typst {
        index: Some(index),
        messages: vec!["the letters' first pages could not be found in the laid-out document".into()],
    }
}

/// Each letter's pages, found by the marker `letter.typ` puts on its first page.
pub(super) fn split_letters(document: &PagedDocument, count: usize) -> Result<Vec<EcoVec<Page>>, RenderError> {
    let missing = || boundary_error(0);
    let label = Label::new(PicoStr::intern(LETTER_LABEL)).ok_or_else(missing)?;
    let introspector = document.introspector();
    let markers = introspector.query(&Selector::Label(label));
    if markers.len() != count {
        return Err(missing());
    }
    let mut starts = Vec::with_capacity(count + 1);
    for marker in &markers {
        let location = marker.location().ok_or_else(missing)?;
        let page = introspector.position(location).ok_or_else(missing)?.page.get() - 1;
        // Each letter begins a page of its own, and the first the document.
        if starts.last().map_or(page != 0, |&prev| page <= prev) {
            return Err(missing());
        }
        starts.push(page);
    }
    let all = document.pages();
    starts.push(all.len());
    starts.windows(2).map(|w| all.get(w[0]..w[1]).map(EcoVec::from).ok_or_else(missing)).collect()
}

/// One letter's pages as its own PDF, with the same document ID as when it is laid out
/// alone.
pub(super) fn single_pdf(pages: EcoVec<Page>, info: &DocumentInfo, letter: &Letter) -> Result<Vec<u8>, RenderError> {
    let document = PagedDocument::new(pages, info.clone());
    export(&document, format!("opsog:{}:1", letter.reference))
}

/// Letters' own PDFs, page for page, as one print file, a blank page after each letter
/// that ends on an odd page so that the next begins on the front of a sheet.
///
/// The pages are copied, not exported again: each letter's fonts and images go in as
/// they are, and only its pages' content is compressed anew. Exporting every page a
/// second time, with its fonts subset and compressed again, was a third of a set's time
/// (issue 11 item 9). The file is larger than one exported whole, as each letter brings
/// its own font subsets; it goes to the print shop, never to a reader, and is untagged.
/// `first` is the index of the first letter, for errors.
pub(super) fn print_from_letters(letters: &[Vec<u8>], first: usize) -> Result<Vec<u8>, RenderError> {
    let mut document = krilla::Document::new();
    for (k, bytes) in letters.iter().enumerate() {
        let unreadable = |what: &str| RenderError::Pdf {
            index: Some(first + k),
            messages: vec![format!("the letter's own PDF could not be read back for the print file: {what}")],
        };
        let pdf = krilla::pdf::Pdf::new(std::sync::Arc::new(bytes.clone())).map_err(|_| unreadable("not a PDF"))?;
        let pages = pdf.pages().len();
        let last = pdf.pages().last().map(|page| page.render_dimensions()).ok_or_else(|| unreadable("no pages"))?;
        let indices: Vec<usize> = (0..pages).collect();
        document.embed_pdf_pages(&krilla::pdf::PdfDocument::new(std::sync::Arc::new(pdf)), &indices);
        if k + 1 < letters.len() && pages % 2 == 1 {
            let blank =
                krilla::page::PageSettings::from_wh(last.0, last.1).ok_or_else(|| unreadable("no page size"))?;
            document.start_page_with(blank).finish();
        }
    }
    document.finish().map_err(|error| RenderError::Pdf { index: Some(first), messages: vec![format!("{error:?}")] })
}

/// Tagged (with a structure tree, for screen readers): she may read it on screen.
fn export(document: &PagedDocument, ident: String) -> Result<Vec<u8>, RenderError> {
    // A stable document ID (typst hashes it; the reference itself is not written).
    let options = typst_pdf::PdfOptions { ident: Smart::Custom(ident), tagged: true, ..Default::default() };
    let mut pdf = typst_pdf::pdf(document, &options)
        .map_err(|errors| RenderError::Pdf { index: None, messages: messages(&errors) })?;
    // krilla allocates a tenth more than it writes; a set keeps every PDF in memory.
    pdf.shrink_to_fit();
    Ok(pdf)
}

/// typst prints glyph 0 (the font's "missing" box) where no listed font has the
/// character; fallback is off in the layout, so every such box ends up here.
pub(super) fn missing_glyph(frame: &Frame) -> Result<(), RenderError> {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(group) => missing_glyph(&group.frame)?,
            FrameItem::Text(text) => {
                if let Some(glyph) = text.glyphs.iter().find(|g| g.id == 0) {
                    let codepoint = text.text.get(glyph.range()).and_then(|s| s.chars().next()).map_or(0, u32::from);
                    return Err(RenderError::MissingGlyph {
                        index: None,
                        codepoint,
                        font: text.font.info().family.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    Ok(())
}
