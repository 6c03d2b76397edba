//! Normalising names so that search and the do-not-contact hash treat "Fatima  Al-Sayed",
//! "fatima al-sayed" and "Fátima Al-Sayed" alike.

/// Lower case, Latin diacritics folded to their base letter, runs of space and hyphen
/// folded to one space. Danish æ, ø, å are kept: they are letters of their own.
pub fn normalise_name(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for ch in input.chars().flat_map(char::to_lowercase) {
        if ch.is_whitespace() || ch == '-' || ch == '\'' || ch == '’' || ch == '.' {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(fold_diacritic(ch));
    }
    out
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

/// `3. marts 2026`, as Danish prose writes a date (letters, the rules page).
/// `juni 2025`: a month as a Danish name for things done in it ("Registerudsøgning
/// juni 2025").
pub fn danish_month(date: time::Date) -> String {
    let month = MONTHS_DA.get(usize::from(u8::from(date.month())) - 1).copied().unwrap_or("");
    format!("{month} {}", date.year())
}

pub fn danish_date(date: time::Date) -> String {
    let month = MONTHS_DA.get(usize::from(u8::from(date.month())) - 1).copied().unwrap_or("");
    format!("{}. {} {}", date.day(), month, date.year())
}

fn fold_diacritic(ch: char) -> char {
    match ch {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'ā' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'ē' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'ī' | 'ı' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ō' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'ū' => 'u',
        'ç' => 'c',
        'ş' | 'š' => 's',
        'ğ' => 'g',
        'ñ' => 'n',
        'ž' => 'z',
        'č' | 'ć' => 'c',
        'đ' => 'd',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_name_normalise_alike() {
        assert_eq!(normalise_name("  Fátima   Al-Sayed "), "fatima al sayed");
        assert_eq!(normalise_name("FATIMA al sayed"), "fatima al sayed");
        assert_eq!(normalise_name("Ayşe Öztürk"), "ayse ozturk");
        assert_eq!(normalise_name("Søren Ærø"), "søren ærø");
    }

    #[test]
    fn a_month_by_its_danish_name() {
        assert_eq!(danish_month(time::macros::date!(2025 - 06 - 15)), "juni 2025");
        assert_eq!(danish_month(time::macros::date!(2026 - 01 - 01)), "januar 2026");
    }
}
