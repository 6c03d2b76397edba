//! Sets of letters on several threads: laid out a few at a time, then exported, one
//! print file at a time, with the first failing letter named whatever the thread.

use crate::fonts::Fonts;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use typst::ecow::EcoVec;
use typst_layout::Page;

use super::export::{boundary_error, print_from_letters, single_pdf};
use super::{LETTERS_PER_COMPILE, Letter, RenderError, Renderer};

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
/// threads. All or nothing: the first failing letter (lowest index) is named. Without
/// `print`, no print files: letters that go by Digital Post are not printed.
pub fn render_set_parallel(
    fonts: &Fonts,
    letters: &[Letter],
    per_file: usize,
    threads: usize,
    print: bool,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Rendered, RenderError> {
    if per_file == 0 {
        return Err(RenderError::BatchSize);
    }
    // More threads than compilations in a print file would have nothing to do.
    let useful = work_units(letters.len().min(per_file), per_file).len().max(1);
    let mut renderers =
        (0..threads.clamp(1, useful)).map(|_| Renderer::new(fonts.clone())).collect::<Result<Vec<_>, _>>()?;
    run(renderers.iter_mut().collect(), letters, per_file, Wanted { print, singles: true }, progress)
}

/// Which PDFs a run makes: [`Renderer::render_batch`] needs no single letters.
#[derive(Clone, Copy)]
pub(super) struct Wanted {
    pub(super) print: bool,
    pub(super) singles: bool,
}

/// A failure, by the index of the letter it concerns (a print file's: its first letter's).
type Failure = (usize, RenderError);

/// What one thread of [`in_parallel`] did: its results by task, and where it stopped.
type ThreadOutcome<T> = (Vec<(usize, T)>, Option<Failure>);

/// One print file at a time: first its letters are laid out, a few per compilation, on
/// all threads; then its PDFs are made, again on all threads, while no thread compiles;
/// then the print file is put together from the letters' own PDFs
/// ([`print_from_letters`]). Pages the same in two letters' own PDFs are compressed
/// once, from typst's cache, while no compilation has evicted them
/// ([`super::CACHE_MAX_AGE`]).
pub(super) fn run(
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
            Ok((info, pages))
        })?;
        let info = laid.first().map(|(info, _)| info.clone()).unwrap_or_default();
        let pages: Vec<EcoVec<Page>> = laid.into_iter().flat_map(|(_, pages)| pages).collect();

        // The single PDFs of a unit each, last unit first; a print file is made from
        // them afterwards.
        let mut exporters = vec![(); renderers.len()];
        let unit_of = |t: usize| units.len().saturating_sub(1 + t);
        let singles = in_parallel(
            &mut exporters,
            units.len(),
            |t| unit_start(unit_of(t)),
            |_, t| {
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
            },
        )?;
        let singles: Vec<Vec<u8>> = singles.into_iter().rev().flatten().collect();
        if wanted.print {
            out.print_files.push(print_from_letters(&singles, first)?);
        }
        if wanted.singles {
            out.letters.extend(singles);
        }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn work_units_stay_inside_their_print_file() {
        assert!(work_units(0, 500).is_empty());
        assert_eq!(work_units(25, 500), [0..10, 10..20, 20..25]);
        assert_eq!(work_units(25, 12), [0..10, 10..12, 12..22, 22..24, 24..25]);
        assert_eq!(work_units(3, 1), [0..1, 1..2, 2..3]);
    }
}
