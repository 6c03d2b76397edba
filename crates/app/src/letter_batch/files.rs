//! A letter batch's files (issue 4, item 7): the letters rendered on blocking threads,
//! a print file's worth at a time, and written before the next group — print files,
//! one PDF per letter, and a MeMo message per Digital Post letter.

use super::PER_PRINT_FILE;
use crate::{Ctx, Error};
use letters::{Fonts, Letter, MemoMessage, RenderError, Sender, render_set_parallel, write_memo};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use uuid::Uuid;
/// What the blocking task renders and writes.
pub(super) struct Files {
    pub(super) dir: PathBuf,
    /// Paper letters first (`paper` of them), then Digital Post ones.
    pub(super) letters: Vec<Letter>,
    pub(super) paper: usize,
    pub(super) digital: Vec<Option<DigitalRecipient>>,
    pub(super) person_ids: Vec<Uuid>,
    pub(super) sender: Sender,
    pub(super) now: OffsetDateTime,
}

/// A Digital Post message to write.
pub(super) struct DigitalRecipient {
    pub(super) person_id: Uuid,
    pub(super) cpr: domain::Cpr,
    pub(super) language: String,
    pub(super) label: String,
}

/// Renders the letters on blocking threads, a print file's worth at a time, and writes
/// each group's files before the next: `print/print-001.pdf` … (paper letters only),
/// `letters/brev-00001.pdf` … (every letter), `memo/<messageUUID>.xml` (Digital Post).
/// Holding every PDF at once would take most of a gigabyte for 10,000 letters
/// (bench/README.md). Returns the number of print files and each letter's messageUUID.
pub(super) async fn render_and_write(
    ctx: &Ctx,
    job_id: Uuid,
    threads: usize,
    job: Files,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(usize, Vec<Option<Uuid>>), Error> {
    let total = job.letters.len();
    // The callback cannot cross into the blocking task; a counter can.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = done.clone();
    let task = tokio::task::spawn_blocking(move || write_all(threads.max(1), &job, &counter));
    tokio::pin!(task);
    loop {
        tokio::select! {
            result = &mut task => {
                progress(done.load(std::sync::atomic::Ordering::Relaxed), total);
                return result.map_err(|e| Error::unexpected("the rendering task stopped", e))?;
            }
            () = tokio::time::sleep(std::time::Duration::from_millis(500)) => {
                let n = done.load(std::sync::atomic::Ordering::Relaxed);
                progress(n, total);
                // The page reads it from here: it survives a reload and a second tab.
                let counts = (u64::try_from(n).unwrap_or(u64::MAX), u64::try_from(total).unwrap_or(u64::MAX));
                ctx.store.job_progress(job_id, counts.0, counts.1, ctx.clock.now()).await?;
            }
        }
    }
}

fn write_all(
    threads: usize,
    job: &Files,
    done: &std::sync::atomic::AtomicUsize,
) -> Result<(usize, Vec<Option<Uuid>>), Error> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::unexpected(format!("writing {}", path.display()), source)
    };
    for sub in ["print", "letters", "memo"] {
        let d = job.dir.join(sub);
        std::fs::create_dir_all(&d).map_err(io(&d))?;
    }
    let fonts =
        Fonts::load_default().map_err(|e| Error::unexpected("loading the letters' fonts", RenderError::Fonts(e)))?;
    let mut print_files = 0;
    let mut uuids = Vec::with_capacity(job.letters.len());
    // Groups never mix paper and Digital Post, so the print files hold paper alone.
    let groups =
        (0..job.paper).step_by(PER_PRINT_FILE).map(|start| start..job.paper.min(start + PER_PRINT_FILE)).chain(
            (job.paper..job.letters.len())
                .step_by(PER_PRINT_FILE)
                .map(|start| start..job.letters.len().min(start + PER_PRINT_FILE)),
        );
    for range in groups {
        let first = range.start;
        let group = job.letters.get(range.clone()).unwrap_or_default();
        let on_progress = |n: usize| done.store(first + n, std::sync::atomic::Ordering::Relaxed);
        let paper = first < job.paper;
        let rendered =
            render_set_parallel(&fonts, group, PER_PRINT_FILE, threads, paper, &on_progress).map_err(|error| {
                let person = error.index().and_then(|i| job.person_ids.get(first + i)).copied();
                Error::unexpected(format!("rendering the letter to woman {person:?}"), error)
            })?;
        if paper {
            for pdf in &rendered.print_files {
                print_files += 1;
                let path = job.dir.join("print").join(format!("print-{print_files:03}.pdf"));
                std::fs::write(&path, pdf).map_err(io(&path))?;
            }
        }
        for (k, pdf) in rendered.letters.iter().enumerate() {
            let seq = first + k;
            let file_name = format!("brev-{:05}.pdf", seq + 1);
            let path = job.dir.join("letters").join(&file_name);
            std::fs::write(&path, pdf).map_err(io(&path))?;
            let Some(Some(to)) = job.digital.get(seq) else {
                uuids.push(None);
                continue;
            };
            let uuid = Uuid::new_v4();
            let xml = write_memo(&MemoMessage {
                uuid,
                label: to.label.clone(),
                sender: job.sender.clone(),
                recipient_cpr: to.cpr.clone(),
                language: to.language.clone(),
                pdf,
                file_name,
                created: job.now,
            })
            .map_err(|error| {
                Error::unexpected(format!("writing the Digital Post message to woman {}", to.person_id), error)
            })?;
            let path = job.dir.join("memo").join(format!("{uuid}.xml"));
            std::fs::write(&path, xml).map_err(io(&path))?;
            uuids.push(Some(uuid));
        }
    }
    Ok((print_files, uuids))
}
