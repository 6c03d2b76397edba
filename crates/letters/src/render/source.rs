//! The typst source of each letter: what is refused before typst sees it, and the call
//! of `letter.typ`'s layout with all her text as string literals.

use crate::escape::{has_cpr_like_run, isolate_ltr_runs, typst_str_into};
use crate::fonts::{ETHIOPIC, NASKH, NASTALIQ, SANS};
use std::fmt::Write as _;
use time::Date;

use super::{Letter, Part};

/// What the renderer refuses before typst sees the letter.
pub(super) fn check(letter: &Letter) -> Result<(), String> {
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

/// Size, line and paragraph spacing: Nastaliq's stacked letters need far more room
/// than Naskh, and Naskh more than Latin. The sizes let a shipped letter stand on one
/// page in her language and one in Danish (issue 14, item 9; Urdu needs a third): the
/// text is set a little smaller where the language's letter runs longer, never below
/// 9 pt. (A size measured per letter by typst tripled the time of a batch.)
fn spacing_for(language: &str) -> (&'static str, &'static str, &'static str) {
    match language {
        "ur" => ("10.5pt", "1.45em", "2.1em"),
        "ar" | "ps" => ("9.5pt", "0.9em", "1.1em"),
        "fa" | "ckb" => ("9pt", "0.85em", "1em"),
        "so" => ("9.5pt", "0.65em", "0.9em"),
        _ => ("10.5pt", "0.65em", "0.9em"),
    }
}

/// `3. marts 2026`, as Danish letters write it.
pub fn danish_date(date: Date) -> String {
    domain::text::danish_date(date)
}

pub(super) fn write_call(out: &mut String, letter: &Letter, seq: usize, logo: Option<&str>, qr: &str) {
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
    let (size, leading, spacing) = spacing_for(&part.language);
    out.push_str(", size: ");
    out.push_str(size);
    out.push_str(", leading: ");
    out.push_str(leading);
    out.push_str(", spacing: ");
    out.push_str(spacing);
    out.push_str(",\n     headline: ");
    typst_str_into(out, &prep(&part.headline));
    // A letter ends with its closing line and its signature (every shipped template
    // does): the offer box goes before them.
    let paragraphs: Vec<&String> = part.paragraphs.iter().filter(|p| !p.trim().is_empty()).collect();
    let split = if paragraphs.len() >= 3 { paragraphs.len() - 2 } else { paragraphs.len() };
    let (text, sign) = paragraphs.split_at(split);
    for (name, group) in [("paras", text), ("sign", sign)] {
        let _ = write!(out, ",\n     {name}: (");
        for p in group {
            out.push_str("\n       ");
            str_array(out, p.lines().map(&prep));
            out.push(',');
        }
        out.push(')');
    }
    out.push_str(",\n     offer: ");
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
pub(super) fn qr_svg(url: &str) -> Result<String, String> {
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
}
