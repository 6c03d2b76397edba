//! Shared by the test files: letters built from the shipped templates, and poppler's
//! tools to read the PDFs back independently of typst.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use domain::letter_template::{self, Fill};
use letters::{Fonts, Identity, Letter, Part, Renderer};
use std::path::PathBuf;
use std::process::Command;
use time::macros::date;

pub const LANGUAGES: [&str; 9] = ["da", "en", "ar", "so", "tr", "ur", "fa", "ti", "ckb"];

pub fn identity() -> Identity {
    Identity {
        name: "Søby Kommune".into(),
        cvr: "29189900".into(),
        myndigheds_id: None,
        logo: Some(
            br##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40"><circle cx="20" cy="20" r="18" fill="#1f4e79"/></svg>"##
                .to_vec(),
        ),
        dpo: "dpo@soeby.dk".into(),
    }
}

pub fn fill(name: &str) -> Fill {
    Fill {
        name: name.into(),
        contact_name: "Mette Hansen".into(),
        contact_phone: "12 34 56 78".into(),
        meeting: "tirsdag den 10. marts kl. 10.00 i Beboerhuset, Byvej 12".into(),
        response_code: "K7M-4QX".into(),
        municipality: "Søby Kommune".into(),
        dpo: "dpo@soeby.dk".into(),
        source: "CPR-registeret".into(),
    }
}

/// A letter in `language` (plus Danish) to `name`, from the shipped templates.
pub fn letter(language: &str, name: &str) -> Letter {
    let f = fill(name);
    let da = letter_template::shipped("da").unwrap();
    let danish = Part::from_domain(&letter_template::render(&da, &f), false);
    let own = (language != "da").then(|| {
        let t = letter_template::shipped(language).unwrap_or_else(|| panic!("no {language} template"));
        Part::from_domain(&letter_template::render(&t, &f), t.right_to_left())
    });
    Letter {
        identity: identity(),
        address_block: vec![format!("{name} Ahmed"), "Byvej 12, 2. th.".into(), "2200 København N".into()],
        date: date!(2026 - 03 - 02),
        reference: "2026-00042".into(),
        danish,
        own,
        response_code: "K7M-4QX".into(),
        response_url: "https://opsog.soeby.dk/svar".into(),
    }
}

pub fn renderer() -> Renderer {
    let fonts = Fonts::load_default().unwrap_or_else(|e| panic!("{e} — run scripts/install-fonts"));
    Renderer::new(fonts).unwrap()
}

pub fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("opsog-letters-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Runs a poppler tool; a missing tool fails the test with what to do.
pub fn poppler(tool: &str, args: &[&str], pdf: &[u8], name: &str) -> String {
    let path = temp_file(name, pdf);
    let out =
        Command::new(tool).args(args).arg(&path).args(if tool == "pdftotext" { &["-"][..] } else { &[][..] }).output();
    let out = match out {
        Ok(o) => o,
        Err(e) => panic!("{tool} could not run ({e}): run scripts/install-fonts (installs poppler-utils)"),
    };
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_file(&path);
    String::from_utf8(out.stdout).unwrap()
}

pub fn text_of(pdf: &[u8], name: &str) -> String {
    poppler("pdftotext", &["-enc", "UTF-8"], pdf, name)
}

pub fn pages_of(pdf: &[u8], name: &str) -> usize {
    let info = poppler("pdfinfo", &[], pdf, name);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|n| n.trim().parse().unwrap())
        .unwrap_or_else(|| panic!("pdfinfo gave no page count:\n{info}"))
}

/// (font name, embedded) per font of the PDF, from `pdffonts`.
pub fn fonts_of(pdf: &[u8], name: &str) -> Vec<(String, bool)> {
    let listing = poppler("pdffonts", &[], pdf, name);
    listing
        .lines()
        .skip(2)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            // name type [encoding words…] emb sub uni object ID
            let emb = cols.len().checked_sub(5).map(|i| cols[i])?;
            Some((cols.first()?.to_string(), emb == "yes"))
        })
        .collect()
}

/// Text with the bidi controls dropped and all whitespace runs made one space, for
/// comparing with what pdftotext gives back.
pub fn normalise(s: &str) -> String {
    s.chars()
        .filter(
            |c| !matches!(c, '\u{2066}'..='\u{2069}' | '\u{202A}'..='\u{202E}' | '\u{200C}'..='\u{200F}' | '\u{061C}'),
        )
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
