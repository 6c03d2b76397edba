//! Letters to PDF with typst: one letter, or a batch of letters as print files.
//!
//! A [`Renderer`] owns one typst world whose fonts are loaded once; each letter is
//! written as a small typst source (all her text as string literals, see
//! [`crate::escape`]) that calls the layout defined in `letter.typ`. Any typst warning
//! and any glyph that no font had is an error: the letter is refused rather than printed
//! with a box where her name should be.

use crate::escape::{has_cpr_like_run, isolate_ltr_runs, typst_str_into};
use crate::fonts::{ETHIOPIC, FontError, Fonts, NASKH, NASTALIQ, SANS};
use std::collections::HashMap;
use std::fmt::Write as _;
use time::Date;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::layout::{Frame, FrameItem};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// The layout, in typst. Data comes in as a dictionary per letter.
const LAYOUT: &str = include_str!("letter.typ");

/// How old (in compilations) a cached typst result may get before it is dropped. Without
/// eviction the cache grows with every letter (letters-notes.md: 305 MB for 200 letters).
const CACHE_MAX_AGE: usize = 10;

/// The municipality as it signs the letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub cvr: String,
    pub myndigheds_id: Option<String>,
    /// The logo as SVG, printed top right.
    pub logo_svg: Option<Vec<u8>>,
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
/// given to [`Renderer::render_batch`] (0 for a single letter); `None` when a batch
/// failed as a whole and no single letter of it fails alone.
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
        })
    }

    /// Fixes what typst's `datetime.today()` returns.
    pub fn with_today(mut self, today: Date) -> Renderer {
        self.world.today = Datetime::from_ymd(today.year(), today.month().into(), today.day());
        self
    }

    /// One letter as one PDF.
    pub fn render_letter(&mut self, letter: &Letter) -> Result<Vec<u8>, RenderError> {
        check(letter).map_err(|reason| RenderError::Invalid { index: 0, reason })?;
        self.compile(&[letter]).map_err(|e| e.with_index(0))
    }

    /// Print files: one PDF per `per_file` letters, each letter starting on an odd page
    /// (for duplex printing). All or nothing: the first letter that fails is named and
    /// no file is returned.
    pub fn render_batch(&mut self, letters: &[Letter], per_file: usize) -> Result<Vec<Vec<u8>>, RenderError> {
        if per_file == 0 {
            return Err(RenderError::BatchSize);
        }
        for (i, letter) in letters.iter().enumerate() {
            check(letter).map_err(|reason| RenderError::Invalid { index: i, reason })?;
        }
        let mut files = Vec::with_capacity(letters.len().div_ceil(per_file));
        for (chunk_no, chunk) in letters.chunks(per_file).enumerate() {
            let refs: Vec<&Letter> = chunk.iter().collect();
            match self.compile(&refs) {
                Ok(pdf) => files.push(pdf),
                Err(batch_error) => {
                    // The batch's error may not say which letter caused it: find the
                    // first that fails on its own.
                    let first = chunk_no * per_file;
                    for (k, letter) in chunk.iter().enumerate() {
                        if let Err(e) = self.compile(&[letter]) {
                            return Err(e.with_index(first + k));
                        }
                    }
                    return Err(batch_error);
                }
            }
        }
        Ok(files)
    }

    fn compile(&mut self, letters: &[&Letter]) -> Result<Vec<u8>, RenderError> {
        let result = self.compile_inner(letters);
        // Reused worlds keep typst's memoisation cache growing without this.
        typst::comemo::evict(CACHE_MAX_AGE);
        result
    }

    fn compile_inner(&mut self, letters: &[&Letter]) -> Result<Vec<u8>, RenderError> {
        let mut source = String::with_capacity(4096 * letters.len());
        source.push_str("#import \"/letter.typ\": opsog-letter\n");
        self.world.files.clear();
        for (k, letter) in letters.iter().enumerate() {
            if k > 0 {
                source.push_str("#pagebreak(to: \"odd\")\n");
            }
            let logo = match &letter.identity.logo_svg {
                Some(svg) => {
                    let path = format!("/files/{k}-logo.svg");
                    self.world.files.insert(file_id(&path)?, Bytes::new(svg.clone()));
                    Some(path)
                }
                None => None,
            };
            let qr_path = format!("/files/{k}-qr.svg");
            let qr = qr_svg(&letter.response_url).map_err(|reason| RenderError::Qr { index: k, reason })?;
            self.world.files.insert(file_id(&qr_path)?, Bytes::new(qr.into_bytes()));
            write_call(&mut source, letter, logo.as_deref(), &qr_path);
        }
        self.world.main = Source::new(self.world.main.id(), source);

        let warned = typst::compile::<PagedDocument>(&self.world);
        let document =
            warned.output.map_err(|errors| RenderError::Typst { index: None, messages: messages(&errors) })?;
        if !warned.warnings.is_empty() {
            return Err(RenderError::Warning { index: None, messages: messages(&warned.warnings) });
        }
        for page in document.pages() {
            missing_glyph(&page.frame)?;
        }
        // A stable document ID (typst hashes it; the reference itself is not written).
        let ident = format!("opsog:{}:{}", letters.first().map_or("", |l| l.reference.as_str()), letters.len());
        let options = typst_pdf::PdfOptions { ident: Smart::Custom(ident), ..Default::default() };
        typst_pdf::pdf(&document, &options)
            .map_err(|errors| RenderError::Pdf { index: None, messages: messages(&errors) })
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

fn file_id(path: &str) -> Result<FileId, RenderError> {
    let vpath = VirtualPath::new(path)
        .map_err(|e| RenderError::Typst { index: None, messages: vec![format!("virtual path {path}: {e:?}")] })?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// typst prints glyph 0 (the font's "missing" box) where no listed font has the
/// character; fallback is off in the layout, so every such box ends up here.
fn missing_glyph(frame: &Frame) -> Result<(), RenderError> {
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

/// What the renderer refuses before typst sees the letter.
fn check(letter: &Letter) -> Result<(), String> {
    let lines: Vec<&String> = letter.address_block.iter().filter(|l| !l.trim().is_empty()).collect();
    if lines.len() < 2 {
        return Err("the address block needs at least a name and a town".into());
    }
    if lines.len() > 6 {
        return Err("the address block has more than 6 lines; the envelope window shows 6".into());
    }
    // CPR-loven § 54: the number must not show through the window, nor anywhere near it.
    if let Some(n) = letter.address_block.iter().position(|l| has_cpr_like_run(l)) {
        return Err(format!("address line {} holds ten digits in a row (a CPR number?)", n + 1));
    }
    if has_cpr_like_run(&letter.reference) {
        return Err("the reference holds ten digits in a row (a CPR number?)".into());
    }
    if letter.response_code.trim().is_empty() {
        return Err("no response code".into());
    }
    let url = letter.response_url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err("the response address is not an http(s) URL".into());
    }
    if letter.identity.name.trim().is_empty() || letter.identity.cvr.trim().is_empty() {
        return Err("the municipality's name and CVR are required".into());
    }
    if letter.identity.dpo.trim().is_empty() {
        return Err("the data protection officer's contact is required (GDPR Art. 14(1)(b))".into());
    }
    if letter.danish.language != "da" {
        return Err(format!("the Danish part has language {:?}", letter.danish.language));
    }
    let parts = std::iter::once(&letter.danish).chain(letter.own.as_ref());
    for part in parts {
        if part.headline.trim().is_empty() || part.paragraphs.iter().all(|p| p.trim().is_empty()) {
            return Err(format!("the {} part has no headline or no text", part.language));
        }
        if !valid_language(&part.language) {
            return Err("a part's language is not an ISO 639 code".into());
        }
    }
    Ok(())
}

fn valid_language(code: &str) -> bool {
    (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase())
}

/// The fonts of a part, in order of preference. Latin first, so Latin names stay in
/// the sans face (newer Naskh versions carry Latin glyphs of their own); every script
/// after it, so a name in another script than the part's still prints.
fn fonts_for(language: &str) -> &'static [&'static str] {
    match language {
        "ur" => &[SANS, NASTALIQ, NASKH, ETHIOPIC],
        _ => &[SANS, NASKH, ETHIOPIC],
    }
}

/// Line and paragraph spacing: Nastaliq's stacked letters need far more room than
/// Naskh, and Naskh more than Latin.
fn spacing_for(language: &str) -> (&'static str, &'static str) {
    match language {
        "ur" => ("1.45em", "2.1em"),
        "ar" | "fa" | "ckb" | "ps" => ("0.95em", "1.35em"),
        _ => ("0.65em", "0.9em"),
    }
}

const MONTHS_DA: [&str; 12] = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
];

/// `3. marts 2026`, as Danish letters write it.
pub fn danish_date(date: Date) -> String {
    let month = MONTHS_DA.get(usize::from(u8::from(date.month())) - 1).copied().unwrap_or("");
    format!("{}. {} {}", date.day(), month, date.year())
}

fn write_call(out: &mut String, letter: &Letter, logo: Option<&str>, qr: &str) {
    let id = &letter.identity;
    out.push_str("#opsog-letter((\n  org: ");
    typst_str_into(out, &id.name);
    out.push_str(",\n  footer: ");
    let mut footer = format!("{} · CVR {}", id.name.trim(), id.cvr.trim());
    if let Some(m) = &id.myndigheds_id {
        let _ = write!(footer, " · MyndighedsID {}", m.trim());
    }
    let _ = write!(footer, " · Databeskyttelsesrådgiver: {}", id.dpo.trim());
    typst_str_into(out, &footer);
    out.push_str(",\n  logo: ");
    match logo {
        Some(p) => typst_str_into(out, p),
        None => out.push_str("none"),
    }
    out.push_str(",\n  address: ");
    str_array(out, letter.address_block.iter().map(|s| s.trim()).filter(|s| !s.is_empty()));
    out.push_str(",\n  date: ");
    typst_str_into(out, &danish_date(letter.date));
    out.push_str(",\n  reference: ");
    typst_str_into(out, &letter.reference);
    out.push_str(",\n  code: ");
    typst_str_into(out, letter.response_code.trim());
    out.push_str(",\n  url: ");
    typst_str_into(out, letter.response_url.trim());
    out.push_str(",\n  qr: ");
    typst_str_into(out, qr);
    out.push_str(",\n  parts: (");
    for part in letter.own.iter().chain(std::iter::once(&letter.danish)) {
        write_part(out, part);
    }
    out.push_str("),\n))\n");
}

fn write_part(out: &mut String, part: &Part) {
    let prep = |s: &str| if part.rtl { isolate_ltr_runs(s.trim()) } else { s.trim().to_string() };
    out.push_str("\n    (lang: ");
    typst_str_into(out, &part.language);
    out.push_str(", rtl: ");
    out.push_str(if part.rtl { "true" } else { "false" });
    out.push_str(", fonts: ");
    str_array(out, fonts_for(&part.language).iter().copied());
    let (leading, spacing) = spacing_for(&part.language);
    out.push_str(", leading: ");
    out.push_str(leading);
    out.push_str(", spacing: ");
    out.push_str(spacing);
    out.push_str(",\n     headline: ");
    typst_str_into(out, &prep(&part.headline));
    out.push_str(",\n     paras: (");
    for p in part.paragraphs.iter().filter(|p| !p.trim().is_empty()) {
        out.push_str("\n       ");
        str_array(out, p.lines().map(&prep));
        out.push(',');
    }
    out.push_str("),\n     offer: ");
    str_array(out, part.offer.lines().filter(|l| !l.trim().is_empty()).map(&prep));
    out.push_str("),");
}

fn str_array<S: AsRef<str>>(out: &mut String, items: impl Iterator<Item = S>) {
    out.push('(');
    for s in items {
        typst_str_into(out, s.as_ref());
        out.push(',');
    }
    out.push(')');
}

/// The answer page's address as a QR code, in SVG.
fn qr_svg(url: &str) -> Result<String, String> {
    let code = qrcode::QrCode::with_error_correction_level(url.trim().as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| e.to_string())?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(true)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build())
}

/// The typst world of one renderer: the layout, the current letters' source, their
/// logo and QR files, the fonts.
struct LetterWorld {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    layout: Source,
    files: HashMap<FileId, Bytes>,
    today: Option<Datetime>,
}

impl World for LetterWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if id == self.layout.id() {
            Ok(self.layout.clone())
        } else {
            Err(FileError::NotFound(id.get().vpath().get_without_slash().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        match self.files.get(&id) {
            Some(bytes) => Ok(bytes.clone()),
            None => Err(FileError::NotFound(id.get().vpath().get_without_slash().into())),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}
