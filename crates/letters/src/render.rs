//! Letters to PDF with typst: one letter, a batch of letters as print files, or a set
//! of letters as both ([`Renderer::render_set`], [`render_set_parallel`]).
//!
//! A [`Renderer`] owns one typst world whose fonts are loaded once; each letter is
//! written as a small typst source (all her text as string literals, see
//! [`crate::escape`]) that calls the layout defined in `letter.typ`. Any typst warning
//! and any glyph that no font had is an error: the letter is refused rather than printed
//! with a box where her name should be.
//!
//! Each letter is laid out once. A few letters at a time are compiled as one document,
//! whose pages are then cut at the marker `letter.typ` puts on each letter's first page:
//! a letter's own pages make its own PDF (the same bytes as when it is laid out alone),
//! and the pages of a print file's letters, with a blank page after each that ends on an
//! odd page, make the print file. Laying the letters out again for their own PDFs cost
//! as much as the print files' layout itself.

mod export;
mod parallel;
mod source;
mod world;

pub use parallel::{Rendered, render_set_parallel};
pub use source::danish_date;

use crate::fonts::{FontError, Fonts};
use export::{boundary_error, missing_glyph, single_pdf, split_letters};
use parallel::{Wanted, run};
use source::{check, qr_svg, write_call};
use std::collections::HashMap;
use time::Date;
use typst::diag::SourceDiagnostic;
use typst::ecow::EcoVec;
use typst::foundations::{Bytes, Datetime};
use typst::model::{Document as _, DocumentInfo};
use typst::syntax::Source;
use typst::text::FontBook;
use typst::utils::LazyHash;
use typst::{Library, LibraryExt};
use typst_layout::{Page, PagedDocument};
use world::{LetterWorld, file_id};

/// The layout, in typst. Data comes in as a dictionary per letter.
const LAYOUT: &str = include_str!("letter.typ");

/// How old (in compilations) a cached typst result may get before it is dropped. Without
/// eviction the cache grows with every letter (letters-notes.md: 305 MB for 200 letters).
const CACHE_MAX_AGE: usize = 10;

/// How many letters typst lays out as one document.
const LETTERS_PER_COMPILE: usize = 10;

/// The label `letter.typ` puts on each letter's first page.
const LETTER_LABEL: &str = "opsog-letter";

/// The municipality as it signs the letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub cvr: String,
    pub myndigheds_id: Option<String>,
    /// The logo, SVG or PNG, printed top right.
    pub logo: Option<Vec<u8>>,
    /// How to reach the data protection officer (GDPR Art. 14(1)(b)).
    pub dpo: String,
}

/// One language's half of the letter.
#[derive(Clone, PartialEq, Eq)]
pub struct Part {
    /// ISO 639 code, lower case.
    pub language: String,
    pub rtl: bool,
    pub headline: String,
    pub paragraphs: Vec<String>,
    pub offer: String,
}

impl Part {
    /// A letter as `domain::letter_template::render` fills it in: its body's paragraphs
    /// are separated by blank lines.
    pub fn from_domain(letter: &domain::letter_check::Letter, rtl: bool) -> Part {
        Part {
            language: letter.language.clone(),
            rtl,
            headline: letter.headline.clone(),
            paragraphs: split_paragraphs(&letter.body),
            offer: letter.offer.clone(),
        }
    }
}

impl std::fmt::Debug for Part {
    // The text holds her name; logs get the language only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Part").field("language", &self.language).field("rtl", &self.rtl).finish_non_exhaustive()
    }
}

/// Splits on blank lines; single line breaks stay inside their paragraph.
pub fn split_paragraphs(body: &str) -> Vec<String> {
    let body = body.replace("\r\n", "\n");
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in body.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line.trim_end());
        }
    }
    if !current.is_empty() {
        out.push(current.join("\n"));
    }
    out
}

/// One letter to one woman: her language (if not Danish) and Danish.
#[derive(Clone, PartialEq, Eq)]
pub struct Letter {
    pub identity: Identity,
    /// What shows through the envelope's window: name, street, postcode and town.
    /// Never a CPR number — the renderer refuses ten digits in a row here.
    pub address_block: Vec<String>,
    pub date: Date,
    /// The municipality's case or journal reference.
    pub reference: String,
    pub danish: Part,
    /// Her language, printed first; `None` when she reads Danish.
    pub own: Option<Part>,
    /// The code she answers with on the public answer page.
    pub response_code: String,
    /// The public answer page; printed and as a QR code.
    pub response_url: String,
}

impl std::fmt::Debug for Letter {
    // Address, name and answer code are personal data: not in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Letter")
            .field("municipality", &self.identity.name)
            .field("date", &self.date)
            .field("danish", &self.danish)
            .field("own", &self.own)
            .finish_non_exhaustive()
    }
}

/// Why a letter could not be rendered. `index` is the letter's position in the slice
/// given to [`Renderer::render_batch`], [`Renderer::render_set`] or
/// [`render_set_parallel`] (0 for a single letter); `None` when a batch failed as a
/// whole and no single letter of it fails alone.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Fonts(#[from] FontError),
    #[error("letter {index}: {reason}")]
    Invalid { index: usize, reason: String },
    #[error("letter {index:?}: typst error: {}", messages.join("; "))]
    Typst { index: Option<usize>, messages: Vec<String> },
    #[error("letter {index:?}: typst warning (treated as an error): {}", messages.join("; "))]
    Warning { index: Option<usize>, messages: Vec<String> },
    #[error("letter {index:?}: no font has a glyph for U+{codepoint:04X} (font {font})")]
    MissingGlyph { index: Option<usize>, codepoint: u32, font: String },
    #[error("letter {index:?}: PDF export failed: {}", messages.join("; "))]
    Pdf { index: Option<usize>, messages: Vec<String> },
    #[error("letter {index}: the answer address cannot be made a QR code: {reason}")]
    Qr { index: usize, reason: String },
    #[error("letters per file must be at least 1")]
    BatchSize,
}

impl RenderError {
    /// The letter it concerns, if one.
    pub fn index(&self) -> Option<usize> {
        match self {
            RenderError::Invalid { index, .. } | RenderError::Qr { index, .. } => Some(*index),
            RenderError::Typst { index, .. }
            | RenderError::Warning { index, .. }
            | RenderError::MissingGlyph { index, .. }
            | RenderError::Pdf { index, .. } => *index,
            RenderError::Fonts(_) | RenderError::BatchSize => None,
        }
    }

    fn with_index(self, i: usize) -> RenderError {
        match self {
            RenderError::Typst { messages, .. } => RenderError::Typst { index: Some(i), messages },
            RenderError::Warning { messages, .. } => RenderError::Warning { index: Some(i), messages },
            RenderError::MissingGlyph { codepoint, font, .. } => {
                RenderError::MissingGlyph { index: Some(i), codepoint, font }
            }
            RenderError::Pdf { messages, .. } => RenderError::Pdf { index: Some(i), messages },
            RenderError::Invalid { reason, .. } => RenderError::Invalid { index: i, reason },
            RenderError::Qr { reason, .. } => RenderError::Qr { index: i, reason },
            other => other,
        }
    }
}

/// Renders letters. Holds the fonts and typst's world; reuse one per thread.
pub struct Renderer {
    world: LetterWorld,
    /// The last QR code made and the address it holds.
    qr: Option<(String, Bytes)>,
    /// The last logo read.
    logo: Option<Bytes>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer").field("faces", &self.world.fonts.len()).finish()
    }
}

impl Renderer {
    /// A renderer with `fonts` (see [`Fonts::load`]). typst's `datetime.today()` is
    /// an error until [`Renderer::with_today`] fixes it: the output depends on the
    /// input only.
    pub fn new(fonts: Fonts) -> Result<Renderer, RenderError> {
        let main = file_id("/main.typ")?;
        let layout = file_id("/letter.typ")?;
        let book = FontBook::from_fonts(fonts.fonts.iter());
        Ok(Renderer {
            world: LetterWorld {
                library: LazyHash::new(Library::default()),
                book: LazyHash::new(book),
                fonts: fonts.fonts,
                main: Source::new(main, String::new()),
                layout: Source::new(layout, LAYOUT.to_string()),
                files: HashMap::new(),
                today: None,
            },
            qr: None,
            logo: None,
        })
    }

    /// Fixes what typst's `datetime.today()` returns.
    pub fn with_today(mut self, today: Date) -> Renderer {
        self.world.today = Datetime::from_ymd(today.year(), today.month().into(), today.day());
        self
    }

    /// One letter as one PDF.
    pub fn render_letter(&mut self, letter: &Letter) -> Result<Vec<u8>, RenderError> {
        let (info, mut pages) = self.lay_out(std::slice::from_ref(letter), 0)?;
        let pages = pages.pop().ok_or_else(|| boundary_error(0))?;
        single_pdf(pages, &info, letter).map_err(|e| e.with_index(0))
    }

    /// Print files: one PDF per `per_file` letters, each letter starting on an odd page
    /// (for duplex printing). All or nothing: the first letter that fails is named and
    /// no file is returned.
    pub fn render_batch(&mut self, letters: &[Letter], per_file: usize) -> Result<Vec<Vec<u8>>, RenderError> {
        let wanted = Wanted { print: true, singles: false };
        Ok(run(vec![self], letters, per_file, wanted, &|_| {})?.print_files)
    }

    /// A set of letters rendered once each: print files of `per_file` letters (each
    /// letter starting on an odd page, for duplex), and each letter as its own PDF (for
    /// Digital Post and for the one-PDF-per-letter archive).
    ///
    /// All or nothing: the first letter that fails is named by its index in `letters`.
    pub fn render_set(&mut self, letters: &[Letter], per_file: usize) -> Result<Rendered, RenderError> {
        run(vec![self], letters, per_file, Wanted { print: true, singles: true }, &|_| {})
    }

    /// Lays out `letters`, which are `letters[first..]` of the caller's slice, as one
    /// typst document and cuts its pages into one run per letter. The first letter that
    /// fails, for whatever reason, is named.
    fn lay_out(&mut self, letters: &[Letter], first: usize) -> Result<(DocumentInfo, Vec<EcoVec<Page>>), RenderError> {
        // Only the letters before the first refused one go to typst, so that an earlier
        // letter failing in typst is still the one named.
        let valid = letters.iter().position(|l| check(l).is_err()).unwrap_or(letters.len());
        let laid = match letters.get(..valid) {
            Some(ok) if !ok.is_empty() => self.lay_out_valid(ok, first)?,
            _ => (DocumentInfo::default(), Vec::new()),
        };
        if let Some(refused) = letters.get(valid)
            && let Err(reason) = check(refused)
        {
            return Err(RenderError::Invalid { index: first + valid, reason });
        }
        Ok(laid)
    }

    fn lay_out_valid(
        &mut self,
        letters: &[Letter],
        first: usize,
    ) -> Result<(DocumentInfo, Vec<EcoVec<Page>>), RenderError> {
        let document = match self.compile(letters) {
            Ok(document) => document,
            Err(error) if letters.len() == 1 => return Err(error.with_index(first)),
            Err(error) => {
                // A diagnostic of the whole document does not say which letter caused
                // it: the first that fails alone is the one named.
                for (k, letter) in letters.iter().enumerate() {
                    if let Err(e) = self.compile(std::slice::from_ref(letter)) {
                        return Err(e.with_index(first + k));
                    }
                }
                return Err(error);
            }
        };
        let pages = split_letters(&document, letters.len()).map_err(|e| e.with_index(first))?;
        for (k, letter_pages) in pages.iter().enumerate() {
            for page in letter_pages {
                missing_glyph(&page.frame).map_err(|e| e.with_index(first + k))?;
            }
        }
        Ok((document.info().clone(), pages))
    }

    fn compile(&mut self, letters: &[Letter]) -> Result<PagedDocument, RenderError> {
        let result = self.compile_inner(letters);
        // Reused worlds keep typst's memoisation cache growing without this.
        typst::comemo::evict(CACHE_MAX_AGE);
        result
    }

    fn compile_inner(&mut self, letters: &[Letter]) -> Result<PagedDocument, RenderError> {
        let mut source = String::with_capacity(4096 * letters.len());
        source.push_str("#import \"/letter.typ\": opsog-letter\n");
        self.world.files.clear();
        for (k, letter) in letters.iter().enumerate() {
            if k > 0 {
                // Not `to: "odd"`: the print files get their blank pages when they are
                // put together, so that each letter's pages are exactly its own.
                source.push_str("#pagebreak(weak: true)\n");
            }
            let logo = match &letter.identity.logo {
                Some(image) => {
                    // typst knows an image's format by its file name's ending.
                    let ending = if image.starts_with(b"\x89PNG") { "png" } else { "svg" };
                    let path = format!("/files/{k}-logo.{ending}");
                    let bytes = self.logo_file(image);
                    self.world.files.insert(file_id(&path)?, bytes);
                    Some(path)
                }
                None => None,
            };
            let qr_path = format!("/files/{k}-qr.svg");
            let qr = self.qr_code(&letter.response_url).map_err(|reason| RenderError::Qr { index: k, reason })?;
            self.world.files.insert(file_id(&qr_path)?, qr);
            write_call(&mut source, letter, k, logo.as_deref(), &qr_path);
        }
        self.world.main = Source::new(self.world.main.id(), source);

        let warned = typst::compile::<PagedDocument>(&self.world);
        let document =
            warned.output.map_err(|errors| RenderError::Typst { index: None, messages: messages(&errors) })?;
        if !warned.warnings.is_empty() {
            return Err(RenderError::Warning { index: None, messages: messages(&warned.warnings) });
        }
        Ok(document)
    }

    /// The QR code of `url`. The last one is kept: a batch's letters share one answer
    /// page, and the same bytes let typst reuse the image it parsed.
    fn qr_code(&mut self, url: &str) -> Result<Bytes, String> {
        if let Some((last, bytes)) = &self.qr
            && last == url
        {
            return Ok(bytes.clone());
        }
        let bytes = Bytes::new(qr_svg(url)?.into_bytes());
        self.qr = Some((url.to_string(), bytes.clone()));
        Ok(bytes)
    }

    /// The municipality's logo, kept like the QR code: one municipality, one logo.
    fn logo_file(&mut self, svg: &[u8]) -> Bytes {
        if let Some(bytes) = &self.logo
            && bytes.as_slice() == svg
        {
            return bytes.clone();
        }
        let bytes = Bytes::new(svg.to_vec());
        self.logo = Some(bytes.clone());
        bytes
    }
}

thread_local! {
    static RENDERER: std::cell::RefCell<Option<Renderer>> = const { std::cell::RefCell::new(None) };
}

/// [`Renderer::render_letter`] with the fonts of [`Fonts::load_default`] and a
/// renderer kept per thread.
pub fn render_letter(letter: &Letter) -> Result<Vec<u8>, RenderError> {
    with_thread_renderer(|r| r.render_letter(letter))
}

/// [`Renderer::render_batch`] with the fonts of [`Fonts::load_default`] and a
/// renderer kept per thread.
pub fn render_batch(letters: &[Letter], per_file: usize) -> Result<Vec<Vec<u8>>, RenderError> {
    with_thread_renderer(|r| r.render_batch(letters, per_file))
}

fn with_thread_renderer<T>(f: impl FnOnce(&mut Renderer) -> Result<T, RenderError>) -> Result<T, RenderError> {
    RENDERER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let renderer = match slot.as_mut() {
            Some(r) => r,
            None => slot.insert(Renderer::new(Fonts::load_default()?)?),
        };
        f(renderer)
    })
}

/// What typst says, without the trace (which could quote her text back).
fn messages(diagnostics: &[SourceDiagnostic]) -> Vec<String> {
    diagnostics.iter().map(|d| d.message.to_string()).collect()
}
