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

use crate::escape::{has_cpr_like_run, isolate_ltr_runs, typst_str_into};
use crate::fonts::{ETHIOPIC, FontError, Fonts, NASKH, NASTALIQ, SANS};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use time::Date;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::ecow::EcoVec;
use typst::foundations::{Bytes, Datetime, Duration, Label, Selector, Smart};
use typst::introspection::Introspector as _;
use typst::layout::{Frame, FrameItem};
use typst::model::{Document as _, DocumentInfo};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::{LazyHash, PicoStr};
use typst::{Library, LibraryExt, World};
use typst_layout::{Page, PagedDocument};

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

/// Letters rendered once each: print files and one PDF per letter.
pub struct Rendered {
    /// One PDF per `per_file` letters, in order.
    pub print_files: Vec<Vec<u8>>,
    /// `letters[i]` is letter `i` alone.
    pub letters: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Rendered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rendered")
            .field("print_files", &self.print_files.len())
            .field("letters", &self.letters.len())
            .finish()
    }
}

/// [`Renderer::render_set`] on `threads` threads, each with its own [`Renderer`] from
/// `fonts`, calling `progress(n)` with the number of letters done so far as work
/// completes (never decreasing). Output order is the input order, whatever the number of
/// threads. All or nothing: the first failing letter (lowest index) is named.
pub fn render_set_parallel(
    fonts: &Fonts,
    letters: &[Letter],
    per_file: usize,
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Rendered, RenderError> {
    if per_file == 0 {
        return Err(RenderError::BatchSize);
    }
    // More threads than compilations in a print file would have nothing to do.
    let useful = work_units(letters.len().min(per_file), per_file).len().max(1);
    let mut renderers =
        (0..threads.clamp(1, useful)).map(|_| Renderer::new(fonts.clone())).collect::<Result<Vec<_>, _>>()?;
    run(renderers.iter_mut().collect(), letters, per_file, Wanted { print: true, singles: true }, progress)
}

/// Which PDFs a run makes: [`Renderer::render_batch`] needs no single letters.
#[derive(Clone, Copy)]
struct Wanted {
    print: bool,
    singles: bool,
}

/// A failure, by the index of the letter it concerns (a print file's: its first letter's).
type Failure = (usize, RenderError);

/// What one thread of [`in_parallel`] did: its results by task, and where it stopped.
type ThreadOutcome<T> = (Vec<(usize, T)>, Option<Failure>);

/// One print file at a time: first its letters are laid out, a few per compilation, on
/// all threads; then its PDFs are made, again on all threads, while no thread compiles.
///
/// The second half waits for the first because of typst's cache. The pages' content
/// streams are the same in the print file and in each letter's own PDF, and krilla
/// keeps what it compressed in that cache, so each page is compressed once — but only
/// as long as no compilation evicts the cache meanwhile ([`CACHE_MAX_AGE`]), and
/// compilations must evict it often, as laid-out letters fill it fast.
fn run(
    mut renderers: Vec<&mut Renderer>,
    letters: &[Letter],
    per_file: usize,
    wanted: Wanted,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Rendered, RenderError> {
    if per_file == 0 {
        return Err(RenderError::BatchSize);
    }
    let files = letters.len().div_ceil(per_file);
    let mut out = Rendered {
        print_files: Vec::with_capacity(if wanted.print { files } else { 0 }),
        letters: Vec::with_capacity(if wanted.singles { letters.len() } else { 0 }),
    };
    // Letters done so far; the lock keeps the reported count from going backwards.
    let done = Mutex::new(0);
    let report = |n: usize| {
        let mut done = done.lock().unwrap_or_else(PoisonError::into_inner);
        *done += n;
        progress(*done);
    };
    for (f, file) in letters.chunks(per_file).enumerate() {
        let first = f * per_file;
        let units = work_units(file.len(), per_file);
        let unit_start = |u: usize| first + units.get(u).map_or(0, |r| r.start);
        let laid = in_parallel(&mut renderers, units.len(), unit_start, |renderer, u| {
            let range = units.get(u).cloned().unwrap_or_default();
            let part = file.get(range.clone()).unwrap_or_default();
            let (info, pages) =
                renderer.lay_out(part, first + range.start).map_err(|e| keyed(e, first + range.start))?;
            if pages.len() != part.len() {
                return Err((first + range.start, boundary_error(first + range.start)));
            }
            if !wanted.singles {
                report(part.len());
            }
            Ok((info, pages))
        })?;
        let info = laid.first().map(|(info, _)| info.clone()).unwrap_or_default();
        let pages: Vec<EcoVec<Page>> = laid.into_iter().flat_map(|(_, pages)| pages).collect();

        // Task 0 is the print file; the others the single PDFs of a unit each, last unit
        // first: the print file's export goes through the pages from the first, and the
        // two meeting in the middle compress each page once rather than both at once.
        let tasks = usize::from(wanted.print) + if wanted.singles { units.len() } else { 0 };
        let mut exporters = vec![(); renderers.len()];
        let unit_of = |t: usize| units.len().saturating_sub(1 + t - usize::from(wanted.print));
        let task_start = |t: usize| if wanted.print && t == 0 { first } else { unit_start(unit_of(t)) };
        let made = in_parallel(&mut exporters, tasks, task_start, |_, t| {
            if wanted.print && t == 0 {
                let reference = file.first().map_or("", |l| l.reference.as_str());
                return print_pdf(&pages, &info, reference, file.len()).map(|pdf| vec![pdf]).map_err(|e| (first, e));
            }
            let range = units.get(unit_of(t)).cloned().unwrap_or_default();
            let mut pdfs = Vec::with_capacity(range.len());
            for i in range {
                let (Some(letter), Some(letter_pages)) = (file.get(i), pages.get(i)) else {
                    return Err((first + i, boundary_error(first + i)));
                };
                let pdf = single_pdf(letter_pages.clone(), &info, letter);
                pdfs.push(pdf.map_err(|e| keyed(e.with_index(first + i), first + i))?);
            }
            report(pdfs.len());
            Ok(pdfs)
        })?;
        let mut made = made.into_iter();
        if wanted.print {
            out.print_files.extend(made.next().into_iter().flatten());
        }
        out.letters.extend(made.rev().flatten());
    }
    Ok(out)
}

/// `error` with the index it is ordered by: its letter's, else `fallback`.
fn keyed(error: RenderError, fallback: usize) -> Failure {
    (error.index().unwrap_or(fallback), error)
}

/// Runs `task(state, i)` for every `i < count`, one thread per state, handing out the
/// tasks in order; the results come back in order. On failure, the one of the lowest
/// letter is returned: a task whose first letter (`first_letter(i)`) comes after a
/// letter known to fail is not started, and the others run to the end, as one of them
/// may hold an earlier letter's failure.
fn in_parallel<S: Send, T: Send>(
    states: &mut [S],
    count: usize,
    first_letter: impl Fn(usize) -> usize + Sync,
    task: impl Fn(&mut S, usize) -> Result<T, Failure> + Sync,
) -> Result<Vec<T>, RenderError> {
    let next = AtomicUsize::new(0);
    let failed_letter = AtomicUsize::new(usize::MAX);
    let work = |state: &mut S| {
        let mut results = Vec::new();
        let mut failure: Option<Failure> = None;
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= count {
                break;
            }
            if first_letter(i) > failed_letter.load(Ordering::Relaxed) {
                continue;
            }
            match task(state, i) {
                Ok(result) => results.push((i, result)),
                Err(f) => {
                    failed_letter.fetch_min(f.0, Ordering::Relaxed);
                    if failure.as_ref().is_none_or(|(known, _)| f.0 < *known) {
                        failure = Some(f);
                    }
                }
            }
        }
        (results, failure)
    };
    let outcomes: Vec<ThreadOutcome<T>> = match states {
        [] => return Err(RenderError::Typst { index: None, messages: vec!["no thread to render on".into()] }),
        [only] => vec![work(only)],
        many => {
            let joined = std::thread::scope(|scope| {
                let handles: Vec<_> = many.iter_mut().map(|state| scope.spawn(|| work(state))).collect();
                handles.into_iter().map(|h| h.join()).collect::<Vec<_>>()
            });
            let mut outcomes = Vec::with_capacity(joined.len());
            for outcome in joined {
                match outcome {
                    Ok(o) => outcomes.push(o),
                    Err(_) => {
                        return Err(RenderError::Typst {
                            index: None,
                            messages: vec!["a render thread panicked".into()],
                        });
                    }
                }
            }
            outcomes
        }
    };
    let mut slots: Vec<Option<T>> = std::iter::repeat_with(|| None).take(count).collect();
    let mut first_failure: Option<Failure> = None;
    for (results, failure) in outcomes {
        for (i, result) in results {
            if let Some(slot) = slots.get_mut(i) {
                *slot = Some(result);
            }
        }
        if let Some(f) = failure
            && first_failure.as_ref().is_none_or(|(known, _)| f.0 < *known)
        {
            first_failure = Some(f);
        }
    }
    if let Some((_, error)) = first_failure {
        return Err(error);
    }
    slots.into_iter().map(|s| s.ok_or_else(|| boundary_error(0))).collect()
}

/// The letters in pieces for one compilation each, none spanning two print files.
fn work_units(letters: usize, per_file: usize) -> Vec<Range<usize>> {
    let mut units = Vec::new();
    let mut start = 0;
    while start < letters {
        let file_end = letters.min((start / per_file + 1) * per_file);
        let end = file_end.min(start + LETTERS_PER_COMPILE);
        units.push(start..end);
        start = end;
    }
    units
}

fn boundary_error(index: usize) -> RenderError {
    RenderError::Typst {
        index: Some(index),
        messages: vec!["the letters' first pages could not be found in the laid-out document".into()],
    }
}

/// Each letter's pages, found by the marker `letter.typ` puts on its first page.
fn split_letters(document: &PagedDocument, count: usize) -> Result<Vec<EcoVec<Page>>, RenderError> {
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
fn single_pdf(pages: EcoVec<Page>, info: &DocumentInfo, letter: &Letter) -> Result<Vec<u8>, RenderError> {
    let document = PagedDocument::new(pages, info.clone());
    export(&document, format!("opsog:{}:1", letter.reference))
}

/// Letters' pages as one print file, a blank page after each letter that ends on an odd
/// page so that the next begins on the front of a sheet.
fn print_pdf(
    letters: &[EcoVec<Page>],
    info: &DocumentInfo,
    first_reference: &str,
    count: usize,
) -> Result<Vec<u8>, RenderError> {
    let mut pages = EcoVec::with_capacity(letters.iter().map(|l| l.len() + 1).sum());
    for (k, letter) in letters.iter().enumerate() {
        pages.extend(letter.iter().cloned());
        if k + 1 < letters.len()
            && letter.len() % 2 == 1
            && let Some(last) = letter.last()
        {
            pages.push(Page { frame: Frame::hard(last.frame.size()), ..last.clone() });
        }
    }
    let document = PagedDocument::new(pages, info.clone());
    export(&document, format!("opsog:{first_reference}:{count}"))
}

fn export(document: &PagedDocument, ident: String) -> Result<Vec<u8>, RenderError> {
    // A stable document ID (typst hashes it; the reference itself is not written).
    let options = typst_pdf::PdfOptions { ident: Smart::Custom(ident), ..Default::default() };
    let mut pdf = typst_pdf::pdf(document, &options)
        .map_err(|errors| RenderError::Pdf { index: None, messages: messages(&errors) })?;
    // krilla allocates a tenth more than it writes; a set keeps every PDF in memory.
    pdf.shrink_to_fit();
    Ok(pdf)
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

/// The fonts of a part, in order of preference. Latin first, so Latin names stay in the
/// sans face (newer Naskh versions carry Latin glyphs of their own); every script after
/// it, so a name in another script than the part's still prints.
///
/// `true`: the sans face comes first for Latin letters and digits only
/// ([`LATIN_ONLY`]), then the part's own face. Given all it has a glyph for, the sans
/// face would also set every space between two Arabic or Ethiopic words, cutting each
/// line into a run per word and per space, and every run is a text object of its own
/// in the PDF.
fn fonts_for(language: &str, rtl: bool) -> (bool, &'static [&'static str]) {
    match (language, rtl) {
        ("ur", _) => (true, &[NASTALIQ, NASKH, SANS, ETHIOPIC]),
        (_, true) => (true, &[NASKH, SANS, ETHIOPIC]),
        ("ti" | "am" | "tig", _) => (true, &[ETHIOPIC, SANS, NASKH]),
        _ => (false, &[SANS, NASKH, ETHIOPIC]),
    }
}

/// The sans face restricted to Latin letters and digits, as a typst font family.
const LATIN_ONLY: &str = r#"(name: "Noto Sans", covers: regex("[\\p{Latin}0-9]"))"#;

fn write_fonts(out: &mut String, language: &str, rtl: bool) {
    let (latin_first, faces) = fonts_for(language, rtl);
    out.push('(');
    if latin_first {
        out.push_str(LATIN_ONLY);
        out.push(',');
    }
    for face in faces {
        typst_str_into(out, face);
        out.push(',');
    }
    out.push(')');
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

fn write_call(out: &mut String, letter: &Letter, seq: usize, logo: Option<&str>, qr: &str) {
    let id = &letter.identity;
    let _ = write!(out, "#opsog-letter((\n  seq: {seq},\n  org: ");
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
    write_fonts(out, &part.language, part.rtl);
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

/// The answer page's address as a QR code, in SVG: one rectangle per run of dark modules
/// in a row, in module units. (The qrcode crate's SVG has a rectangle per module, which
/// made the code a fifth of the first page's content stream.)
fn qr_svg(url: &str) -> Result<String, String> {
    let code = qrcode::QrCode::with_error_correction_level(url.trim().as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| e.to_string())?;
    let width = code.width();
    let dark: Vec<bool> = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    // The quiet zone readers need around the code, in modules.
    const QUIET: usize = 4;
    let side = width + 2 * QUIET;
    let mut svg = format!(
        concat!(
            r#"<?xml version="1.0" standalone="yes"?><svg xmlns="http://www.w3.org/2000/svg" version="1.1" "#,
            r#"width="{side}" height="{side}" viewBox="0 0 {side} {side}" shape-rendering="crispEdges">"#,
            r##"<rect x="0" y="0" width="{side}" height="{side}" fill="#ffffff"/><path fill="#000000" d=""##
        ),
        side = side
    );
    for (y, row) in dark.chunks(width).enumerate() {
        let mut x = 0;
        while x < row.len() {
            if row.get(x) == Some(&true) {
                let run = row.iter().skip(x).take_while(|d| **d).count();
                let _ = write!(svg, "M{} {}h{run}v1h-{run}z", x + QUIET, y + QUIET);
                x += run;
            } else {
                x += 1;
            }
        }
    }
    svg.push_str(r#""/></svg>"#);
    Ok(svg)
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    /// The merged rectangles cover exactly the code's dark modules.
    #[test]
    fn the_qr_code_has_its_modules_and_nothing_else() {
        let url = "https://opsog.soeby.dk/svar";
        let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M).unwrap();
        let width = code.width();
        let svg = qr_svg(url).unwrap();
        let d = svg.split(r#"d=""#).nth(1).and_then(|rest| rest.split('"').next()).unwrap();
        let mut drawn = vec![false; width * width];
        for rect in d.split('z').filter(|r| !r.is_empty()) {
            // M{x} {y}h{run}v1h-{run}
            let (x, rest) = rect.trim_start_matches('M').split_once(' ').unwrap();
            let (y, rest) = rest.split_once('h').unwrap();
            let run = rest.split_once('v').unwrap().0;
            let (x, y, run): (usize, usize, usize) = (x.parse().unwrap(), y.parse().unwrap(), run.parse().unwrap());
            assert!(rest.ends_with(&format!("v1h-{run}")), "{rect}");
            for dx in 0..run {
                let (mx, my) = (x + dx - 4, y - 4);
                assert!(!drawn[my * width + mx], "module {mx},{my} drawn twice");
                drawn[my * width + mx] = true;
            }
        }
        let dark: Vec<bool> = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
        assert_eq!(drawn, dark);
        assert!(svg.contains(&format!(r#"viewBox="0 0 {0} {0}""#, width + 8)), "{svg}");
    }

    #[test]
    fn work_units_stay_inside_their_print_file() {
        assert!(work_units(0, 500).is_empty());
        assert_eq!(work_units(25, 500), [0..10, 10..20, 20..25]);
        assert_eq!(work_units(25, 12), [0..10, 10..12, 12..22, 22..24, 24..25]);
        assert_eq!(work_units(3, 1), [0..1, 1..2, 2..3]);
    }
}
