//! Name and text normalisation.
//!
//! Three steps, each kept separate so a comparison can tell *how* two names agree:
//!
//! 1. **Folding** ([`fold`]): lowercase, Latin diacritics to plain letters (ø→o, å→a,
//!    æ→ae, ş→s, ı→i, ğ→g, ß→ss …), everything that is not a letter or digit becomes a
//!    separator. Folding never guesses: "Şahin" and "Sahin" fold to the same string,
//!    "Jørgensen" and "Joergensen" do not (that is the skeleton's job).
//! 2. **Tokens** ([`name_tokens`]): the folded name split at separators, with Arabic
//!    name particles (al, el, ul, bin, ben, ibn, bint, abu) dropped when another token
//!    follows, so "al-Hassan", "El Hassan" and "Hassan" give the same tokens. A particle
//!    that stands alone is kept, because then it *is* the name.
//! 3. **Skeleton** ([`skeleton`]): a consonant key for transliteration variants. The
//!    rules are general spelling rules of Latin-script transliteration, not a list of
//!    names: digraphs that spell one sound become one letter (sh/sch/sj/ch→s, kh→h,
//!    ph→f, th→t, dh→d, gh→g, dj→y), letters that alternate between transliterations
//!    are merged (c/q/k, z/s, w/v, j/y), vowels after the first letter are dropped, a
//!    leading vowel becomes `a`, an `h` after a consonant or at the end is dropped, and
//!    doubled letters collapse. Mohammed, Muhammad and Mohamad all give `mhmd`; Fatima
//!    and Fatma give `ftm`. The price is that some different names share a skeleton
//!    (Hassan and Hussein both give `hsn`); that is why a skeleton match is its own,
//!    weaker comparison level whose weight the model learns, never an exact match.

/// Arabic particles that are part of a family name's spelling but are written, hyphenated
/// or left out at will.
const PARTICLES: &[&str] = &["al", "el", "ul", "bin", "ben", "ibn", "bint", "abu"];

/// Lowercases and folds Latin diacritics; every character that is not a letter or digit
/// becomes a single space. The result has no leading or trailing space.
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for c in input.chars() {
        // Apostrophes join (O'Brien → obrien); other punctuation separates.
        if matches!(c, '\'' | '’' | '`' | 'ʼ' | 'ʿ' | 'ʾ') {
            continue;
        }
        let mut push = |s: &str| {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push_str(s);
        };
        if c.is_ascii_alphanumeric() {
            let lower = c.to_ascii_lowercase();
            let mut buf = [0u8; 4];
            push(lower.encode_utf8(&mut buf));
        } else if let Some(s) = fold_char(c) {
            push(s);
        } else if c.is_alphanumeric() {
            // A letter outside the Latin table (another script): keep it, lowercased.
            let lower: String = c.to_lowercase().collect();
            push(&lower);
        } else {
            pending_space = true;
        }
    }
    out
}

/// Latin letters with diacritics (Latin-1 Supplement, Latin Extended-A and a few more)
/// to their plain ASCII spelling.
fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => {
            "a"
        }
        'æ' | 'Æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' | 'Ç' | 'Ć' | 'Ĉ' | 'Ċ' | 'Č' => "c",
        'ď' | 'đ' | 'ð' | 'Ď' | 'Đ' | 'Ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' => {
            "e"
        }
        'ĝ' | 'ğ' | 'ġ' | 'ģ' | 'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => "g",
        'ĥ' | 'ħ' | 'Ĥ' | 'Ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ĩ' | 'Ī' | 'Ĭ' | 'Į' | 'İ' => {
            "i"
        }
        'ĵ' | 'Ĵ' => "j",
        'ķ' | 'Ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' | 'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'Ñ' | 'Ń' | 'Ņ' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ŏ' | 'Ő' => {
            "o"
        }
        'œ' | 'Œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' | 'Ŕ' | 'Ŗ' | 'Ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' | 'Ś' | 'Ŝ' | 'Ş' | 'Š' | 'Ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' | 'Ţ' | 'Ť' | 'Ŧ' | 'Ț' => "t",
        'þ' | 'Þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ũ' | 'Ū' | 'Ŭ' | 'Ů'
        | 'Ű' | 'Ų' => "u",
        'ŵ' | 'Ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' | 'Ý' | 'Ÿ' | 'Ŷ' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        _ => return None,
    })
}

/// The folded tokens of a person's name (one or several words, in any order), with
/// particles removed as described in the module documentation.
pub fn name_tokens(input: &str) -> Vec<String> {
    let folded = fold(input);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let followed = i + 1 < words.len();
        if followed && PARTICLES.contains(w) {
            continue;
        }
        out.push((*w).to_owned());
    }
    out
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// The consonant skeleton of one folded token (see the module documentation).
pub fn skeleton(token: &str) -> String {
    let b = token.as_bytes();
    // First pass: digraphs and letter merges, into single ASCII letters.
    let mut mapped: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let (out, used) = match (c, next) {
            (b's', Some(b'c')) if b.get(i + 2) == Some(&b'h') => (b's', 3),
            (b's', Some(b'h' | b'j')) => (b's', 2),
            (b'c', Some(b'h')) => (b's', 2),
            (b'k', Some(b'h')) => (b'h', 2),
            (b'p', Some(b'h')) => (b'f', 2),
            (b't', Some(b'h')) => (b't', 2),
            (b'd', Some(b'h')) => (b'd', 2),
            (b'g', Some(b'h')) => (b'g', 2),
            (b'd', Some(b'j')) => (b'y', 2),
            (b'c', Some(b'k')) => (b'k', 2),
            (b'c' | b'q', _) => (b'k', 1),
            (b'z', _) => (b's', 1),
            (b'w', _) => (b'v', 1),
            (b'j', _) => (b'y', 1),
            (b'x', _) => {
                mapped.push(b'k');
                (b's', 1)
            }
            _ => (c, 1),
        };
        mapped.push(out);
        i += used;
    }
    let mut out = String::with_capacity(mapped.len());
    let mut last: Option<u8> = None;
    for (i, &c) in mapped.iter().enumerate() {
        let emitted = if i == 0 {
            // A leading vowel is kept as a marker, but which vowel varies (Osman/Usman).
            if is_vowel(c) && c != b'y' { b'a' } else { c }
        } else if is_vowel(c) {
            continue;
        } else if c == b'h' {
            // An h after a consonant or at the end only marks a vowel's length or a
            // digraph that was spelled another way (Fatimah, Ahmad/Achmad).
            if i + 1 == mapped.len() || !is_vowel(mapped[i - 1]) {
                continue;
            }
            c
        } else {
            c
        };
        if last != Some(emitted) {
            out.push(char::from(emitted));
        }
        last = Some(emitted);
    }
    out
}

/// Folded text with single spaces, for addresses and free text.
pub fn text(input: &str) -> String {
    fold(input)
}

/// Only the ASCII digits of the input.
pub fn digits(input: &str) -> String {
    input.chars().filter(char::is_ascii_digit).collect()
}
