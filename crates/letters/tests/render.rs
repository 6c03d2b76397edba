//! PDF letters: every language renders with no warning and no missing glyph, the text
//! comes back out of the PDF (read by poppler, not typst), print files, refusals.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use letters::fonts::{FONT_FILES, NASKH, SANS};
use letters::{FontError, Fonts, Part, RenderError};

#[test]
fn every_letter_language_renders_with_fonts_embedded() {
    let mut r = renderer();
    for code in LANGUAGES {
        let letter = letter(code, "Fatima");
        let pdf = r.render_letter(&letter).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert!(pdf.starts_with(b"%PDF-"), "{code}");
        let pages = pages_of(&pdf, &format!("{code}.pdf"));
        assert!(pages >= 1, "{code}: no pages");
        let fonts = fonts_of(&pdf, &format!("{code}-fonts.pdf"));
        assert!(!fonts.is_empty(), "{code}: no fonts listed");
        assert!(fonts.iter().all(|(_, embedded)| *embedded), "{code}: a font is not embedded: {fonts:?}");
        let want = match code {
            "ar" | "fa" | "ckb" => Some("NotoNaskhArabic"),
            "ur" => Some("NotoNastaliqUrdu"),
            "ti" => Some("NotoSansEthiopic"),
            _ => None,
        };
        assert!(fonts.iter().any(|(n, _)| n.contains("NotoSans-")), "{code}: {fonts:?}");
        if let Some(w) = want {
            assert!(fonts.iter().any(|(n, _)| n.contains(w)), "{code}: no {w} in {fonts:?}");
        }
    }
}

/// Headline, her name and the answer code come back out of the PDF as written, in
/// logical order — for Arabic script too. (Not Urdu: Nastaliq text does not extract
/// cleanly; the test above covers it.)
#[test]
fn extracted_text_matches_per_script() {
    let mut r = renderer();
    for (code, name) in [
        ("da", "Fatima"),
        ("ar", "فاطمة"),
        ("ar", "Fatima"),
        ("fa", "Fatima"),
        ("so", "Faadumo"),
        ("tr", "Fatma Şükrü"),
        ("ti", "Fatima"),
    ] {
        let letter = letter(code, name);
        let pdf = r.render_letter(&letter).unwrap_or_else(|e| panic!("{code}: {e}"));
        let text = normalise(&text_of(&pdf, &format!("{code}-text.pdf")));
        let own = letter.own.as_ref().unwrap_or(&letter.danish);
        for (what, expected) in [
            ("headline", own.headline.as_str()),
            ("Danish headline", letter.danish.headline.as_str()),
            ("name", name),
            ("answer code", "K7M-4QX"),
            ("answer page", "https://opsog.soeby.dk/svar"),
            ("municipality", "Søby Kommune"),
            ("case number", "2026-00042"),
        ] {
            let expected = normalise(expected);
            assert!(text.contains(&expected), "{code}: {what} {expected:?} not in the PDF's text:\n{text}");
        }
        // The greeting (her name filled in) comes back in logical order. Spaces are
        // left out of this comparison: poppler drops the one where the direction
        // changes ("Fatimaعزیز").
        let squeeze = |s: &str| s.split_whitespace().collect::<String>();
        let greeting = squeeze(&normalise(&own.paragraphs[0]));
        assert!(squeeze(&text).contains(&greeting), "{code}: greeting {greeting:?} not in:\n{text}");
    }
}

#[test]
fn arabic_keeps_latin_runs_in_order() {
    let mut r = renderer();
    let mut letter = letter("ar", "Fatima");
    let own = letter.own.as_mut().unwrap();
    own.paragraphs.push("رقم القضية 2025-00123 مع Mette Hansen.".into());
    let pdf = r.render_letter(&letter).unwrap();
    let text = normalise(&text_of(&pdf, "ar-runs.pdf"));
    assert!(text.contains("2025-00123"), "{text}");
    assert!(text.contains("Mette Hansen"), "{text}");
    assert!(!text.contains("00123-2025"), "{text}");
}

/// Issue 14, item 9: inside right-to-left text a phone number, the response code and a
/// date keep their left-to-right order (a Farsi letter once printed the caseworker's
/// "70 20 00 03" as "03 00 20 70").
#[test]
fn numbers_and_codes_keep_their_order_in_every_right_to_left_letter() {
    let mut r = renderer();
    for language in ["ar", "fa", "ur", "ckb"] {
        let mut f = fill("Fatima");
        f.contact_phone = "70 20 00 03".into();
        f.response_code = "K7M-4QX".into();
        let mut l = letter(language, "Fatima");
        let t = domain::letter_template::shipped(language).unwrap();
        l.own = Some(Part::from_domain(&domain::letter_template::render(&t, &f), t.right_to_left()));
        let own = l.own.as_mut().unwrap();
        own.paragraphs.push("التاريخ 10.03.2026".into());
        let pdf = r.render_letter(&l).unwrap();
        let text = normalise(&text_of(&pdf, &format!("{language}-order.pdf")));
        assert!(text.contains("70 20 00 03"), "{language}: the phone number is not in order: {text}");
        assert!(!text.contains("03 00 20 70"), "{language}: the phone number runs right to left: {text}");
        assert!(text.contains("K7M-4QX"), "{language}: the code: {text}");
        assert!(text.contains("10.03.2026"), "{language}: the date: {text}");
    }
}

#[test]
fn markup_characters_in_her_name_print_as_written() {
    let mut r = renderer();
    let name = r#"Ay#sha *B_ $x$ @ref <lbl> \n "q" // [c] {d}"#;
    let mut l = letter("da", name);
    l.address_block[0] = name.into();
    let pdf = r.render_letter(&l).unwrap();
    let text = normalise(&text_of(&pdf, "markup.pdf"));
    assert!(text.contains(&normalise(name)), "{text}");
}

#[test]
fn a_png_logo_prints_as_well_as_an_svg_one() {
    use base64::Engine as _;
    // A 1×1 PNG, as a municipality's logo file could be.
    let png = base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
        .unwrap();
    let mut r = renderer();
    let mut l = letter("da", "Fatima");
    l.identity.logo = Some(png);
    let pdf = r.render_letter(&l).unwrap();
    let raw = String::from_utf8_lossy(&pdf);
    assert!(raw.contains("/Subtype /Image") || raw.contains("/Subtype/Image"), "the logo is an image in the PDF");
    l.identity.logo = None;
    let without = r.render_letter(&l).unwrap();
    assert!(!String::from_utf8_lossy(&without).contains("/Subtype /Image"));
}

#[test]
fn a_cpr_number_in_the_address_block_is_refused() {
    let mut r = renderer();
    for line in ["010203-1234", "0102031234", "Fatima 01 02 03 12 34"] {
        let mut l = letter("da", "Fatima");
        l.address_block.insert(1, line.into());
        match r.render_letter(&l) {
            Err(RenderError::Invalid { index: 0, reason }) => {
                assert!(reason.contains("address line 2"), "{reason}");
                assert!(!reason.contains("1234"), "the error repeats the number: {reason}");
            }
            other => panic!("{line}: expected a refusal, got {:?}", other.map(|p| p.len())),
        }
    }
    let mut l = letter("da", "Fatima");
    l.reference = "0102031234".into();
    assert!(matches!(r.render_letter(&l), Err(RenderError::Invalid { index: 0, .. })));
}

#[test]
fn a_character_no_font_has_is_refused() {
    let mut r = renderer();
    let l = letter("da", "Fatima 漢");
    match r.render_letter(&l) {
        Err(RenderError::MissingGlyph { index: Some(0), codepoint, .. }) => assert_eq!(codepoint, u32::from('漢')),
        other => panic!("expected a missing glyph, got {:?}", other.map(|p| p.len())),
    }
}

#[test]
fn print_files_hold_the_letters_each_on_an_odd_page() {
    let mut r = renderer();
    let letters = [letter("ar", "Fatima"), letter("da", "Amina"), letter("ti", "Selam")];
    let single: Vec<usize> = letters
        .iter()
        .enumerate()
        .map(|(i, l)| pages_of(&r.render_letter(l).unwrap(), &format!("single-{i}.pdf")))
        .collect();
    let files = r.render_batch(&letters, 2).unwrap();
    assert_eq!(files.len(), 2);
    let even = |n: usize| n + n % 2;
    assert_eq!(pages_of(&files[0], "batch-0.pdf"), even(single[0]) + single[1]);
    assert_eq!(pages_of(&files[1], "batch-1.pdf"), single[2]);
    let text = normalise(&text_of(&files[0], "batch-0-text.pdf"));
    assert!(text.contains("Fatima") && text.contains("Amina") && !text.contains("Selam"), "{text}");

    assert_eq!(r.render_batch(&letters, 3).unwrap().len(), 1);
    assert!(matches!(r.render_batch(&letters, 0), Err(RenderError::BatchSize)));
    assert!(r.render_batch(&[], 5).unwrap().is_empty());
}

#[test]
fn a_failing_letter_in_a_batch_is_named_and_nothing_is_returned() {
    let mut r = renderer();
    let letters = [letter("da", "Amina"), letter("ar", "Fatima"), letter("da", "Ali 漢")];
    match r.render_batch(&letters, 2) {
        Err(e) => assert_eq!(e.index(), Some(2), "{e}"),
        Ok(files) => panic!("expected a failure, got {} files", files.len()),
    }
    let mut bad = letters.clone();
    bad[1].address_block[1] = "0102031234".into();
    match r.render_batch(&bad, 2) {
        Err(RenderError::Invalid { index, .. }) => assert_eq!(index, 1),
        other => panic!("expected a refusal, got {:?}", other.map(|f| f.len())),
    }
}

#[test]
fn the_same_letter_renders_to_the_same_bytes() {
    let mut r = renderer();
    let l = letter("fa", "Fatima");
    let a = r.render_letter(&l).unwrap();
    let _other = r.render_letter(&letter("ti", "Selam")).unwrap();
    let b = r.render_letter(&l).unwrap();
    assert!(a == b, "output differs between two renderings");
    // The free function uses its own renderer with the same fonts.
    assert!(letters::render_letter(&l).unwrap() == a);
}

#[test]
fn missing_fonts_are_refused_naming_the_family() {
    let base = std::env::temp_dir().join(format!("opsog-letters-fonts-{}", std::process::id()));
    let empty = base.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    match Fonts::load(&empty) {
        Err(e @ FontError::Missing { .. }) => {
            assert_eq!(e.family(), SANS);
            assert!(e.to_string().contains("Noto Sans") && e.to_string().contains("install-fonts"), "{e}");
        }
        other => panic!("expected Missing, got {other:?}"),
    }

    // Only the Latin files: the first missing family is Naskh.
    let source = letters::fonts::default_dir();
    let partial = base.join("partial");
    std::fs::create_dir_all(&partial).unwrap();
    for (file, family) in FONT_FILES {
        if family == SANS {
            std::fs::copy(source.join(file), partial.join(file)).unwrap();
        }
    }
    match Fonts::load(&partial) {
        Err(e) => assert_eq!(e.family(), NASKH, "{e}"),
        Ok(f) => panic!("loaded {f:?} without Arabic fonts"),
    }

    // A file that is no font (as a WOFF2 is to typst) is refused, not skipped.
    std::fs::write(partial.join(FONT_FILES[3].0), b"wOF2 not a font").unwrap();
    match Fonts::load(&partial) {
        Err(e @ FontError::Unreadable { .. }) => assert_eq!(e.family(), NASKH),
        other => panic!("expected Unreadable, got {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&base);

    let all = Fonts::load(&source).unwrap();
    assert!(all.len() >= FONT_FILES.len());
}

/// Five letters to five women with distinct names, in three scripts.
fn five() -> Vec<letters::Letter> {
    [("ar", "Fatima"), ("da", "Amina"), ("ti", "Selam"), ("so", "Hodan"), ("tr", "Zeynep")]
        .into_iter()
        .map(|(code, name)| letter(code, name))
        .collect()
}

const FIVE_NAMES: [&str; 5] = ["Fatima", "Amina", "Selam", "Hodan", "Zeynep"];

/// Which of the five names the PDF's text holds.
fn names_in(pdf: &[u8], file: &str) -> Vec<&'static str> {
    let text = normalise(&text_of(pdf, file));
    FIVE_NAMES.into_iter().filter(|n| text.contains(n)).collect()
}

#[test]
fn a_set_gives_print_files_and_each_letter_alone() {
    let mut r = renderer();
    let letters = five();
    let set = r.render_set(&letters, 2).unwrap();
    assert_eq!(set.letters.len(), 5);
    assert_eq!(set.print_files.len(), 3);

    let tagged = |p: &[u8]| p.windows(16).any(|w| w == b"/StructTreeRoot ");
    let mut single_pages = Vec::new();
    for (i, pdf) in set.letters.iter().enumerate() {
        assert_eq!(names_in(pdf, &format!("set-single-{i}.pdf")), [FIVE_NAMES[i]], "letter {i}");
        // Cut from a document of several letters, yet the same as the letter laid out
        // alone, to the byte.
        let alone = r.render_letter(&letters[i]).unwrap();
        assert!(*pdf == alone, "letter {i} differs from the letter rendered alone");
        let pages = pages_of(pdf, &format!("set-single-{i}-pages.pdf"));
        // Tagged, as a letter rendered alone is.
        assert_eq!(tagged(pdf), tagged(&alone), "letter {i}");
        assert!(tagged(pdf), "letter {i} is not a tagged PDF");
        single_pages.push(pages);
    }
    let even = |n: usize| n + n % 2;
    for (k, file) in set.print_files.iter().enumerate() {
        let members: Vec<usize> = (2 * k..(2 * k + 2).min(5)).collect();
        let expected: Vec<&str> = members.iter().map(|&i| FIVE_NAMES[i]).collect();
        assert_eq!(names_in(file, &format!("set-print-{k}.pdf")), expected, "print file {k}");
        let pages: usize = members
            .iter()
            .enumerate()
            .map(|(j, &i)| if j + 1 < members.len() { even(single_pages[i]) } else { single_pages[i] })
            .sum();
        assert_eq!(pages_of(file, &format!("set-print-{k}-pages.pdf")), pages, "print file {k}");
        // For the print shop only: no structure tree (issue 11 item 9).
        assert!(!tagged(file), "print file {k} is tagged");
    }

    // The print files are the same as render_batch makes, and threads change nothing.
    let batch = r.render_batch(&letters, 2).unwrap();
    assert!(batch == set.print_files, "render_batch differs from render_set");
    let seen = std::sync::Mutex::new(Vec::new());
    let fonts = Fonts::load_default().unwrap();
    let parallel =
        letters::render_set_parallel(&fonts, &letters, 2, 2, true, &|n| seen.lock().unwrap().push(n)).unwrap();
    assert!(parallel.letters == set.letters, "single PDFs differ between one and two threads");
    assert!(parallel.print_files == set.print_files, "print files differ between one and two threads");
    let seen = seen.into_inner().unwrap();
    assert!(seen.windows(2).all(|w| w[0] < w[1]) && seen.last() == Some(&5), "progress {seen:?}");
    // Letters by Digital Post are not printed: the same single PDFs, no print file.
    let digital = letters::render_set_parallel(&fonts, &letters, 2, 2, false, &|_| {}).unwrap();
    assert!(digital.letters == set.letters, "single PDFs differ without print files");
    assert!(digital.print_files.is_empty(), "{} print files for letters not to be printed", digital.print_files.len());
}

#[test]
fn a_set_fails_whole_naming_its_first_failing_letter() {
    let mut r = renderer();
    let fonts = Fonts::load_default().unwrap();
    let quiet = |_: usize| {};

    let mut letters = five();
    letters[3].address_block[0] = "Hodan 漢".into();
    for (what, result) in [
        ("render_set", r.render_set(&letters, 2)),
        ("parallel", letters::render_set_parallel(&fonts, &letters, 2, 2, true, &quiet)),
    ] {
        match result {
            Err(e @ RenderError::MissingGlyph { .. }) => assert_eq!(e.index(), Some(3), "{what}: {e}"),
            other => panic!("{what}: expected a missing glyph, got {other:?}"),
        }
    }

    // Two failing letters: the earlier is named, whether typst or the check refuses it.
    letters[4].address_block[1] = "0102031234".into();
    letters[1].address_block[0] = "Amina 漢".into();
    for threads in [1, 2, 3] {
        match letters::render_set_parallel(&fonts, &letters, 1, threads, true, &quiet) {
            Err(e) => assert_eq!(e.index(), Some(1), "{threads} threads: {e}"),
            Ok(set) => panic!("{threads} threads: expected a failure, got {set:?}"),
        }
    }
    let mut refused_first = five();
    refused_first[1].address_block[1] = "0102031234".into();
    refused_first[2].address_block[0] = "Selam 漢".into();
    match r.render_set(&refused_first, 5) {
        Err(RenderError::Invalid { index, .. }) => assert_eq!(index, 1),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_set_needs_at_least_one_letter_per_file() {
    let mut r = renderer();
    let fonts = Fonts::load_default().unwrap();
    let letters = five();
    assert!(matches!(r.render_set(&letters, 0), Err(RenderError::BatchSize)));
    assert!(matches!(letters::render_set_parallel(&fonts, &letters, 0, 2, true, &|_| {}), Err(RenderError::BatchSize)));
    let empty = r.render_set(&[], 3).unwrap();
    assert!(empty.letters.is_empty() && empty.print_files.is_empty());
}

/// Issue 14, item 9: her language on one page and Danish on the next (Urdu's Nastaliq
/// may need a third), and the offer before the closing and the signature.
#[test]
fn a_letter_is_one_page_a_language_with_the_offer_before_the_signature() {
    let mut r = renderer();
    for code in LANGUAGES {
        let pdf = r.render_letter(&letter(code, "Fatima")).unwrap();
        let pages = pages_of(&pdf, &format!("{code}-pages.pdf"));
        let expected = match code {
            "da" => 1..=1,
            "ur" => 2..=3,
            _ => 2..=2,
        };
        assert!(expected.contains(&pages), "{code}: {pages} pages");
    }
    let text = normalise(&text_of(&r.render_letter(&letter("da", "Fatima")).unwrap(), "da-order.pdf"));
    let offer = text.find("Vi mødes").expect("the offer");
    let closing = text.find("Med venlig hilsen").expect("the closing");
    assert!(offer < closing, "the offer comes after the signature: {text}");
}
