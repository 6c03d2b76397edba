//! The letters benchmark (bench/letters/run.sh): N personalised bilingual letters in
//! mixed languages, a third of them in Arabic script, each rendered once
//! ([`letters::render_set_parallel`]) into print files of 500 and a PDF of its own, which
//! is wrapped in a MeMo message. Prints the time and the peak memory. Run in release:
//! `cargo run --release -p letters --example bench -- 10000 2 [output dir] [--per-call N]`.
//!
//! The letters go to `render_set_parallel` 500 at a time (one print file), and each
//! group's PDFs are dropped once its MeMo files are written. `--per-call N` sends N at a
//! time (a multiple of 500 keeps the print files the same); `--per-call 0` sends all N
//! in one call, so that every PDF is in memory at the end, as for a caller holding the
//! whole set.

use domain::cpr::Cpr;
use domain::letter_template::{self, Fill};
use letters::{Fonts, Identity, Letter, MemoMessage, Part, Sender, render_set_parallel, write_memo};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Four of twelve in Arabic script (ar, fa, ur, ckb).
const MIX: [&str; 12] = ["ar", "da", "so", "fa", "tr", "en", "ur", "ti", "da", "ckb", "so", "tr"];
const NAMES: [&str; 8] = ["Fatima", "Amina", "Hodan", "Zeynep", "Maryam", "Selam", "Shirin", "Nasrin"];
const PER_FILE: usize = 500;

#[derive(Default)]
struct Tally {
    print_files: usize,
    print_bytes: usize,
    single_bytes: usize,
    memo_bytes: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut positional = Vec::new();
    let mut per_call = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--per-call" {
            per_call = Some(args.next().ok_or("--per-call needs a number")?.parse::<usize>()?);
        } else {
            positional.push(arg);
        }
    }
    let mut positional = positional.into_iter();
    let count: usize = positional.next().map(|a| a.parse()).transpose()?.unwrap_or(10_000);
    let threads: usize = positional.next().map(|a| a.parse()).transpose()?.unwrap_or(2).max(1);
    let out_dir = positional.next().map(std::path::PathBuf::from);
    if let Some(dir) = &out_dir {
        std::fs::create_dir_all(dir)?;
    }
    let per_call = match per_call {
        None => PER_FILE,
        Some(0) => count.max(1),
        Some(n) => n,
    };

    let started = Instant::now();
    let fonts = Fonts::load_default()?;
    let letters: Vec<Letter> = (0..count).map(letter).collect::<Result<_, _>>()?;

    let done_before = AtomicUsize::new(0);
    let shown = AtomicUsize::new(0);
    let step = (count / 10).max(1);
    let progress = |n: usize| {
        let n = done_before.load(Ordering::Relaxed) + n;
        if n / step > shown.load(Ordering::Relaxed) / step {
            shown.store(n, Ordering::Relaxed);
            eprintln!("letters: {n} of {count} rendered, {:.1} s", started.elapsed().as_secs_f64());
        }
    };
    let sender = Sender { myndigheds_id: None, cvr: "29189900".into(), label: "Søby Kommune".into() };
    let mut tally = Tally::default();
    let mut render_seconds = 0.0;
    for (g, group) in letters.chunks(per_call).enumerate() {
        let first = g * per_call;
        done_before.store(first, Ordering::Relaxed);
        let render_started = Instant::now();
        let rendered = render_set_parallel(&fonts, group, PER_FILE, threads, true, &progress)?;
        render_seconds += render_started.elapsed().as_secs_f64();
        for pdf in &rendered.print_files {
            if let Some(dir) = &out_dir {
                std::fs::write(dir.join(format!("print-{:04}.pdf", tally.print_files)), pdf)?;
            }
            tally.print_files += 1;
            tally.print_bytes += pdf.len();
        }
        tally.single_bytes += rendered.letters.iter().map(Vec::len).sum::<usize>();
        tally.memo_bytes += memos_parallel(first, group, &rendered.letters, threads, &sender, out_dir.as_deref())?;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "letters: {count} letters ({threads} threads, {per_call} per call), each rendered once: {} print files \
         ({:.1} MB), {count} single PDFs ({:.1} MB), {count} MeMo files ({:.1} MB)",
        tally.print_files,
        tally.print_bytes as f64 / 1e6,
        tally.single_bytes as f64 / 1e6,
        tally.memo_bytes as f64 / 1e6
    );
    println!(
        "letters: {seconds:.1} s ({render_seconds:.1} s rendering), {:.2} ms per letter",
        seconds * 1000.0 / count.max(1) as f64
    );
    println!("letters: peak RSS (VmHWM) {}", peak_rss().unwrap_or_else(|| "unknown".into()));
    Ok(())
}

/// [`memos`] on `threads` threads: the total size.
fn memos_parallel(
    first: usize,
    letters: &[Letter],
    pdfs: &[Vec<u8>],
    threads: usize,
    sender: &Sender,
    out_dir: Option<&Path>,
) -> Result<usize, String> {
    let chunk = letters.len().div_ceil(threads).max(1);
    let sizes: Vec<Result<usize, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = letters
            .chunks(chunk)
            .zip(pdfs.chunks(chunk))
            .enumerate()
            .map(|(t, (letters, pdfs))| scope.spawn(move || memos(first + t * chunk, letters, pdfs, sender, out_dir)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("MeMo thread panicked".into()))).collect()
    });
    sizes.into_iter().sum()
}

/// MeMo messages for `letters` (the first is letter `first`): their total size.
fn memos(
    first: usize,
    letters: &[Letter],
    pdfs: &[Vec<u8>],
    sender: &Sender,
    out_dir: Option<&Path>,
) -> Result<usize, String> {
    let mut bytes = 0;
    for (k, (l, pdf)) in letters.iter().zip(pdfs).enumerate() {
        let n = first + k;
        let cpr = Cpr::parse(&format!("{:02}0185{:04}", 1 + n % 28, n % 10_000)).map_err(|e| e.to_string())?;
        let memo = write_memo(&MemoMessage {
            uuid: uuid::Uuid::from_u128(n as u128 + 1),
            label: "Vil du have hjælp til at finde arbejde?".into(),
            sender: sender.clone(),
            recipient_cpr: cpr,
            language: l.own.as_ref().unwrap_or(&l.danish).language.clone(),
            pdf,
            file_name: "brev.pdf".into(),
            created: time::macros::datetime!(2026-03-02 09:00:00 UTC),
        })
        .map_err(|e| format!("letter {n}: {e}"))?;
        bytes += memo.len();
        if let Some(dir) = out_dir {
            std::fs::write(dir.join(format!("memo-{n:05}.xml")), memo).map_err(|e| e.to_string())?;
        }
    }
    Ok(bytes)
}

fn letter(n: usize) -> Result<Letter, String> {
    let language = MIX[n % MIX.len()];
    let name = NAMES[n % NAMES.len()];
    let fill = Fill {
        name: name.into(),
        contact_name: "Mette Hansen".into(),
        contact_phone: "12 34 56 78".into(),
        meeting: "tirsdag den 10. marts kl. 10.00 i Beboerhuset, Byvej 12".into(),
        response_code: format!("K{:03}-{:03}", n % 1000, (n / 1000) % 1000),
        municipality: "Søby Kommune".into(),
        dpo: "dpo@soeby.dk".into(),
        source: "CPR-registeret".into(),
    };
    let template = |code: &str| letter_template::shipped(code).ok_or_else(|| format!("no {code} template"));
    let danish = Part::from_domain(&letter_template::render(&template("da")?, &fill), false);
    let own = if language == "da" {
        None
    } else {
        let t = template(language)?;
        Some(Part::from_domain(&letter_template::render(&t, &fill), t.right_to_left()))
    };
    Ok(Letter {
        identity: Identity {
            name: "Søby Kommune".into(),
            cvr: "29189900".into(),
            myndigheds_id: None,
            logo: None,
            dpo: "dpo@soeby.dk".into(),
        },
        address_block: vec![format!("{name} Ahmed"), format!("Byvej {}", 1 + n % 120), "2200 København N".into()],
        date: time::macros::date!(2026 - 03 - 02),
        reference: format!("2026-{n:05}"),
        danish,
        own,
        response_code: fill.response_code.clone(),
        response_url: "https://opsog.soeby.dk/svar".into(),
    })
}

fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| l.strip_prefix("VmHWM:")).map(|v| v.trim().to_string())
}
