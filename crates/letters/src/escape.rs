//! Getting her text into typst safely.
//!
//! Every piece of text goes into the typst source as a string literal, never as markup:
//! inside a literal only `\` and `"` mean anything, so a name holding `#`, `*`, `_`,
//! `$`, `@` or `<` prints as written and can never run as code.

/// `s` as a typst string literal, quotes included.
pub fn typst_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    typst_str_into(&mut out, s);
    out
}

/// Appends `s` as a typst string literal to `out`.
pub fn typst_str_into(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
}

/// U+2066 LEFT-TO-RIGHT ISOLATE, U+2067/U+2068 the other isolate openers, U+2069 POP
/// DIRECTIONAL ISOLATE.
const LRI: char = '\u{2066}';
const RLI: char = '\u{2067}';
const FSI: char = '\u{2068}';
const PDI: char = '\u{2069}';

/// Wraps each left-to-right run (Latin words, Western digits, and the spaces and
/// punctuation between them) of right-to-left text in LRI … PDI, so that a name such as
/// "Mette Hansen" or a case number such as `2025-00000` keeps its order inside Arabic
/// script (letters-notes.md, "Right-to-left details"). Runs already inside an isolate —
/// as `domain::letter_template::render` puts the filled-in values — are left alone.
pub fn isolate_ltr_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 16);
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            LRI | RLI | FSI => depth += 1,
            PDI => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > 0 || !is_ltr(c) {
            out.push(c);
            i += 1;
            continue;
        }
        // The run goes on over neutrals only while another left-to-right character
        // follows them; trailing spaces and full stops stay in the surrounding text.
        let mut end = i + 1;
        let mut j = i + 1;
        while j < chars.len() {
            if is_ltr(chars[j]) {
                end = j + 1;
            } else if !is_inner_neutral(chars[j]) {
                break;
            }
            j += 1;
        }
        out.push(LRI);
        out.extend(&chars[i..end]);
        out.push(PDI);
        i = end;
    }
    out
}

fn is_ltr(c: char) -> bool {
    c.is_ascii_alphanumeric() || (('\u{00C0}'..='\u{024F}').contains(&c) && c.is_alphabetic())
}

fn is_inner_neutral(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | ':' | '/' | '@' | '+' | ',' | '_' | '\'' | '&' | '#' | '\u{00A0}')
}

/// Whether `s` holds ten digits in a row once spaces, hyphens, dots and slashes
/// between digits are ignored: a CPR number, however written.
pub fn has_cpr_like_run(s: &str) -> bool {
    let mut run = 0usize;
    for c in s.chars() {
        if c.is_ascii_digit() {
            run += 1;
            if run >= 10 {
                return true;
            }
        } else if !matches!(c, ' ' | '-' | '.' | '/' | '\u{00A0}') {
            run = 0;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_quotes_and_backslashes() {
        assert_eq!(typst_str(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(typst_str("x\ny\r\t"), "\"x\\ny \"");
        assert_eq!(typst_str("#*_$@<>"), "\"#*_$@<>\"");
    }

    #[test]
    fn latin_runs_inside_arabic_are_isolated() {
        let s = isolate_ltr_runs("مرحبا Mette Hansen، رقم 2025-00000.");
        assert_eq!(s, "مرحبا \u{2066}Mette Hansen\u{2069}، رقم \u{2066}2025-00000\u{2069}.");
        // Already isolated values stay as they are.
        let pre = "مرحبا \u{2068}Fatima\u{2069}";
        assert_eq!(isolate_ltr_runs(pre), pre);
        assert_eq!(isolate_ltr_runs("بدون"), "بدون");
    }

    #[test]
    fn cpr_like_runs_are_found_however_written() {
        assert!(has_cpr_like_run("0102031234"));
        assert!(has_cpr_like_run("010203-1234"));
        assert!(has_cpr_like_run("01 02 03 12 34"));
        assert!(!has_cpr_like_run("2200 København N"));
        assert!(!has_cpr_like_run("tlf. 12 34 56 78, 2200"));
        assert!(!has_cpr_like_run("123456789"));
    }
}
