//! The letters benchmark (bench/letters/run.sh): N personalised bilingual letters in
//! mixed languages, a third of them in Arabic script, rendered to print files of 500
//! and, each on its own, to a PDF wrapped in a MeMo message. Prints the time and the
//! peak memory. Run in release: `cargo run --release -p letters --example bench -- 10000`.

use domain::cpr::Cpr;
use domain::letter_template::{self, Fill};
use letters::{Fonts, Identity, Letter, MemoMessage, Part, Renderer, Sender, write_memo};
use std::time::Instant;

/// Four of twelve in Arabic script (ar, fa, ur, ckb).
const MIX: [&str; 12] = ["ar", "da", "so", "fa", "tr", "en", "ur", "ti", "da", "ckb", "so", "tr"];
const NAMES: [&str; 8] = ["Fatima", "Amina", "Hodan", "Zeynep", "Maryam", "Selam", "Shirin", "Nasrin"];
const PER_FILE: usize = 500;

#[derive(Default)]
struct Tally {
    letters: usize,
    print_files: usize,
    print_bytes: usize,
    memo_bytes: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(10_000);
    let threads: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(2).max(1);
    let out_dir = args.next().map(std::path::PathBuf::from);
    if let Some(dir) = &out_dir {
        std::fs::create_dir_all(dir)?;
    }

    let started = Instant::now();
    let fonts = Fonts::load_default()?;
    let batches = count.div_ceil(PER_FILE);
    let results: Vec<Result<Tally, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let fonts = fonts.clone();
                let out_dir = out_dir.clone();
                scope.spawn(move || worker(t, threads, batches, count, fonts, out_dir.as_deref()))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("worker panicked".into()))).collect()
    });
    let mut total = Tally::default();
    for r in results {
        let t = r?;
        total.letters += t.letters;
        total.print_files += t.print_files;
        total.print_bytes += t.print_bytes;
        total.memo_bytes += t.memo_bytes;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "letters: {} letters ({} threads): {} print files ({:.1} MB), {} MeMo files ({:.1} MB)",
        total.letters,
        threads,
        total.print_files,
        total.print_bytes as f64 / 1e6,
        total.letters,
        total.memo_bytes as f64 / 1e6
    );
    println!("letters: {seconds:.1} s, {:.2} ms per letter", seconds * 1000.0 / total.letters.max(1) as f64);
    println!("letters: peak RSS (VmHWM) {}", peak_rss().unwrap_or_else(|| "unknown".into()));
    Ok(())
}

fn worker(
    t: usize,
    threads: usize,
    batches: usize,
    count: usize,
    fonts: Fonts,
    out_dir: Option<&std::path::Path>,
) -> Result<Tally, String> {
    let mut renderer = Renderer::new(fonts).map_err(|e| e.to_string())?;
    let mut tally = Tally::default();
    let sender = Sender { myndigheds_id: None, cvr: "29189900".into(), label: "Søby Kommune".into() };
    for b in (t..batches).step_by(threads) {
        let first = b * PER_FILE;
        let letters: Vec<Letter> = (first..count.min(first + PER_FILE)).map(letter).collect::<Result<_, _>>()?;
        let files = renderer.render_batch(&letters, PER_FILE).map_err(|e| format!("batch {b}: {e}"))?;
        for (k, pdf) in files.iter().enumerate() {
            tally.print_bytes += pdf.len();
            if let Some(dir) = out_dir {
                std::fs::write(dir.join(format!("print-{b:04}-{k}.pdf")), pdf).map_err(|e| e.to_string())?;
            }
        }
        tally.print_files += files.len();
        for (k, l) in letters.iter().enumerate() {
            let n = first + k;
            let pdf = renderer.render_letter(l).map_err(|e| format!("letter {n}: {e}"))?;
            let cpr = Cpr::parse(&format!("{:02}0185{:04}", 1 + n % 28, n % 10_000)).map_err(|e| e.to_string())?;
            let memo = write_memo(&MemoMessage {
                uuid: uuid::Uuid::from_u128(n as u128 + 1),
                label: "Vil du have hjælp til at finde arbejde?".into(),
                sender: sender.clone(),
                recipient_cpr: cpr,
                language: l.own.as_ref().unwrap_or(&l.danish).language.clone(),
                pdf: &pdf,
                file_name: "brev.pdf".into(),
                created: time::macros::datetime!(2026-03-02 09:00:00 UTC),
            })
            .map_err(|e| format!("letter {n}: {e}"))?;
            tally.memo_bytes += memo.len();
            if let Some(dir) = out_dir {
                std::fs::write(dir.join(format!("memo-{n:05}.xml")), memo).map_err(|e| e.to_string())?;
            }
        }
        tally.letters += letters.len();
    }
    Ok(tally)
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
            logo_svg: None,
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
