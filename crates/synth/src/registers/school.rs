//! The language school's participant list: no CPR, the name as a teacher typed it.
//!
//! Who takes part (per resident, from the resident's own stream): adults 18–64 who came
//! from abroad — non-Western newcomers of the last five years above all (women 55 %,
//! men 40 %), fewer who came 5–10 years ago (7 % / 4 %), a few long-settled (1 %), and
//! Western newcomers (15 %). Women who came 4–10 years ago and have no income are the
//! guide's "language-school participants without income".
//!
//! Noise: ~22 % of names carry a transliteration variant of their origin (synth's own
//! rules in `names`), ~12 % a typing slip; the whole name stands in one column as
//! "Fornavn Efternavn", "Efternavn, Fornavn" (22 %) or swapped (8 %), 5 % in capitals;
//! 2 % of birth dates have day and month swapped; a phone for about half; ~5 % of
//! participants moved away and are not residents (their names are made from other
//! participants', with birth dates no resident of that name has); in the Municipal
//! style 2 % of rows are entered twice. The list is sorted by course, as exported.

use super::Style;
use crate::age_on;
use crate::names;
use crate::origin::{ORIGINS, Origin, Schooling};
use crate::pick::{any, chance, common};
use crate::population::{Resident, Sex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use time::{Date, Duration};

const SALT: u64 = 0x5b20_6c0e_7a11_d3a9;

/// One row of the list.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Participant {
    pub name: String,
    pub birth_date: Date,
    pub phone: Option<String>,
    pub course: String,
    /// Index into the population; `None` for someone who moved away.
    pub resident: Option<usize>,
}

/// The list in its exported order (row `i` is spreadsheet row `i + 2`).
pub(super) fn participants(population: &[Resident], seed: u64, today: Date, style: Style) -> Vec<Participant> {
    let known: HashSet<u64> = population
        .iter()
        .filter(|r| r.arrived_in_denmark.is_some())
        .map(|r| identity_key(&r.given_name, &r.family_name, r.birth_date))
        .collect();
    let mut last_family: HashMap<&str, &str> = HashMap::new();
    let mut out = Vec::new();
    for (index, r) in population.iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ SALT);
        rng.set_stream(index as u64);
        let rng = &mut rng;
        if !takes_part(rng, r, today) {
            continue;
        }
        let origin = ORIGINS.iter().find(|o| o.code == r.country_of_origin);
        let course = course(rng, r, origin, today);
        let row = Participant {
            name: written_name(rng, &r.given_name, &r.family_name, origin),
            birth_date: typed_date(rng, r.birth_date),
            phone: phone(rng),
            course: course.clone(),
            resident: Some(index),
        };
        push(rng, &mut out, row, style);

        if chance(rng, 0.055) {
            let family = last_family
                .get(r.country_of_origin.as_str())
                .copied()
                .or_else(|| origin.and_then(|o| common(rng, o.family)).copied());
            if let Some(family) = family
                && let Some(birth) = other_birth_date(rng, r.birth_date, today)
                && !known.contains(&identity_key(&r.given_name, family, birth))
            {
                let row = Participant {
                    name: written_name(rng, &r.given_name, family, origin),
                    birth_date: birth,
                    phone: phone(rng),
                    course,
                    resident: None,
                };
                push(rng, &mut out, row, style);
            }
        }
        last_family.insert(r.country_of_origin.as_str(), r.family_name.as_str());
    }
    out.sort_by(|a, b| a.course.cmp(&b.course));
    out
}

fn push(rng: &mut ChaCha8Rng, out: &mut Vec<Participant>, row: Participant, style: Style) {
    let twice = style == Style::Municipal && chance(rng, 0.02);
    if twice {
        out.push(row.clone());
    }
    out.push(row);
}

fn takes_part(rng: &mut ChaCha8Rng, r: &Resident, today: Date) -> bool {
    let Some(arrived) = r.arrived_in_denmark else { return false };
    if !(18..=64).contains(&r.age_on(today)) {
        return false;
    }
    let years = age_on(arrived, today);
    let female = r.sex == Sex::Female;
    let p = if domain::reference::is_non_western(&r.country_of_origin) {
        match (years, female) {
            (..5, true) => 0.55,
            (..5, false) => 0.4,
            (5..10, true) => 0.07,
            (5..10, false) => 0.04,
            (_, true) => 0.01,
            (_, false) => 0.005,
        }
    } else if years < 5 {
        0.15
    } else {
        0.0
    };
    chance(rng, p)
}

/// Danish education 1–3 by schooling, the module by how long she has been here.
fn course(rng: &mut ChaCha8Rng, r: &Resident, origin: Option<&Origin>, today: Date) -> String {
    let level = match origin.map(|o| o.schooling) {
        Some(Schooling::Low) => 1,
        Some(Schooling::Mid) => 2,
        Some(Schooling::High) | None => 3,
    };
    let years = r.arrived_in_denmark.map_or(5, |a| age_on(a, today));
    let module = (years + rng.random_range(1..=2)).clamp(1, 6);
    let slot = any(rng, &["formiddag", "eftermiddag", "aften"]).copied().unwrap_or("aften");
    format!("DU{level} M{module} {slot}")
}

/// The whole name in one column, as a teacher or the person herself wrote it.
fn written_name(rng: &mut ChaCha8Rng, given: &str, family: &str, origin: Option<&Origin>) -> String {
    let rules = origin.map_or(&[][..], |o| o.rules);
    let roll: f64 = rng.random();
    let (mut given, mut family) = (given.to_string(), family.to_string());
    if roll < 0.22 && !rules.is_empty() {
        if chance(rng, 0.6) {
            given = names::spelling(rng, &given, rules, 1.0);
        } else {
            family = names::spelling(rng, &family, rules, 1.0);
        }
    } else if roll < 0.34 {
        if chance(rng, 0.6) {
            given = typing_slip(rng, &given);
        } else {
            family = typing_slip(rng, &family);
        }
    }
    let form: f64 = rng.random();
    let name = if family.is_empty() {
        given
    } else if form < 0.22 {
        format!("{family}, {given}")
    } else if form < 0.30 {
        format!("{family} {given}")
    } else {
        format!("{given} {family}")
    };
    if chance(rng, 0.05) { name.to_uppercase() } else { name }
}

/// One slip of the fingers, never in the first letter.
fn typing_slip(rng: &mut ChaCha8Rng, name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    if chars.len() < 3 {
        return name.to_string();
    }
    let i = rng.random_range(1..chars.len() - 1);
    match rng.random_range(0..3) {
        0 => chars.swap(i, i + 1),
        1 => {
            chars.remove(i);
        }
        _ => {
            let c = chars.get(i).copied().unwrap_or('e');
            chars.insert(i, c);
        }
    }
    let slipped: String = chars.into_iter().collect();
    if slipped == name { format!("{name}{}", name.chars().last().unwrap_or('e')) } else { slipped }
}

/// Day and month swapped now and then, where that is still a date.
fn typed_date(rng: &mut ChaCha8Rng, date: Date) -> Date {
    if !chance(rng, 0.02) || date.day() > 12 || date.day() == u8::from(date.month()) {
        return date;
    }
    time::Month::try_from(date.day())
        .ok()
        .and_then(|m| Date::from_calendar_date(date.year(), m, u8::from(date.month())).ok())
        .unwrap_or(date)
}

fn phone(rng: &mut ChaCha8Rng) -> Option<String> {
    if !chance(rng, 0.5) {
        return None;
    }
    let number: u32 = rng.random_range(20_000_000..=99_999_999);
    let digits = number.to_string();
    Some(match rng.random_range(0..10) {
        0..5 => digits,
        5..8 => {
            let d: Vec<char> = digits.chars().collect();
            d.chunks(2).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
        }
        _ => format!("+45 {digits}"),
    })
}

/// A birth date for someone like `birth` who is still 18–64 on `today`.
fn other_birth_date(rng: &mut ChaCha8Rng, birth: Date, today: Date) -> Option<Date> {
    for _ in 0..8 {
        let shift = rng.random_range(400..=4_000);
        let shift = if chance(rng, 0.5) { -shift } else { shift };
        let Some(d) = birth.checked_add(Duration::days(shift)) else { continue };
        if (18..=64).contains(&age_on(d, today)) {
            return Some(d);
        }
    }
    None
}

/// The resident's country of origin, if it is one of the non-Western origins with names.
pub(super) fn origin_of(r: &Resident) -> Option<&'static Origin> {
    ORIGINS.iter().find(|o| o.code == r.country_of_origin)
}

/// Same name (however accented or cased) and birth date.
fn identity_key(given: &str, family: &str, birth: Date) -> u64 {
    let mut h = DefaultHasher::new();
    names::fold(given).to_lowercase().hash(&mut h);
    names::fold(family).to_lowercase().hash(&mut h);
    birth.hash(&mut h);
    h.finish()
}

/// Who a row of [`participants_with_outsiders`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The resident at this index of the population.
    Resident(usize),
    /// A woman who is not in the population, made to look like one who is.
    Outside(Outsider),
}

/// How a woman outside the population resembles a resident woman (the "template").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outsider {
    /// The template's given and family name, born 3–30 years earlier or later.
    NamesakeYearsApart,
    /// The template's given and family name, born 20–300 days earlier or later.
    NamesakeSameYear,
    /// The template's given name and birth date, another family name of her origin.
    SharesGivenName,
    /// A name of the template's origin no resident of that birth date has.
    Stranger,
}

const SALT_OUTSIDE: u64 = 0x0d7e_51de_0f11_57a1;

/// A course list of women, about a quarter of them not in the population. The women in
/// it are the female residents of [`participants`] (Plain style), with the same noise;
/// 8 % of them also stand on a second course (a row of their own, the name written
/// afresh); after a resident's row, with chance 1/3, a woman from outside (see
/// [`Outsider`]) whose name is written with the same noise. No one outside has the
/// folded name and birth date of a resident. The participants who moved away of
/// [`participants`] are left out (their sex is not known).
pub(super) fn participants_with_outsiders(population: &[Resident], seed: u64, today: Date) -> Vec<(Participant, Who)> {
    let taken: HashSet<u64> =
        population.iter().map(|r| identity_key(&r.given_name, &r.family_name, r.birth_date)).collect();
    let templates: Vec<usize> = population
        .iter()
        .enumerate()
        .filter(|(_, r)| r.sex == Sex::Female && ORIGINS.iter().any(|o| o.code == r.country_of_origin))
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::new();
    for (k, p) in participants(population, seed, today, Style::Plain).into_iter().enumerate() {
        let Some(i) = p.resident.filter(|&i| population.get(i).is_some_and(|r| r.sex == Sex::Female)) else {
            continue;
        };
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ SALT_OUTSIDE);
        rng.set_stream(k as u64);
        let rng = &mut rng;
        let r = &population[i];
        let origin = ORIGINS.iter().find(|o| o.code == r.country_of_origin);
        let second = chance(rng, 0.08).then(|| Participant {
            name: written_name(rng, &r.given_name, &r.family_name, origin),
            birth_date: typed_date(rng, r.birth_date),
            phone: phone(rng),
            course: course(rng, r, origin, today),
            resident: Some(i),
        });
        out.push((p, Who::Resident(i)));
        if let Some(second) = second {
            out.push((second, Who::Resident(i)));
        }
        if chance(rng, 1.0 / 3.0)
            && let Some(&t) = any(rng, &templates)
            && let Some((row, kind)) = outsider(rng, &population[t], today, &taken)
        {
            out.push((row, Who::Outside(kind)));
        }
    }
    out.sort_by(|a, b| a.0.course.cmp(&b.0.course));
    out
}

/// One woman from outside the population who resembles `template`, if one can be made.
fn outsider(
    rng: &mut ChaCha8Rng,
    template: &Resident,
    today: Date,
    taken: &HashSet<u64>,
) -> Option<(Participant, Outsider)> {
    let origin = ORIGINS.iter().find(|o| o.code == template.country_of_origin)?;
    let kinds = [
        (Outsider::NamesakeYearsApart, 35),
        (Outsider::NamesakeSameYear, 15),
        (Outsider::SharesGivenName, 20),
        (Outsider::Stranger, 30),
    ];
    let kind = crate::pick::weighted(rng, &kinds, |k| k.1)?.0;
    let adult = |d: Date| (18..=64).contains(&age_on(d, today));
    let shifted = |rng: &mut ChaCha8Rng, lo: i64, hi: i64| {
        (0..8).find_map(|_| {
            let days = rng.random_range(lo..=hi);
            let days = if chance(rng, 0.5) { -days } else { days };
            template.birth_date.checked_add(Duration::days(days)).filter(|d| adult(*d))
        })
    };
    let (given, family, birth) = match kind {
        Outsider::NamesakeYearsApart => {
            (template.given_name.clone(), template.family_name.clone(), shifted(rng, 3 * 365 + 2, 30 * 365)?)
        }
        Outsider::NamesakeSameYear => {
            (template.given_name.clone(), template.family_name.clone(), shifted(rng, 20, 300)?)
        }
        Outsider::SharesGivenName => {
            let family = any(rng, origin.family).filter(|f| **f != template.family_name)?;
            (template.given_name.clone(), (*family).to_string(), template.birth_date)
        }
        Outsider::Stranger => {
            let given = any(rng, origin.given)?;
            let family = any(rng, origin.family)?;
            let birth = today.checked_sub(Duration::days(rng.random_range(19 * 365..=63 * 365)))?;
            ((*given).to_string(), (*family).to_string(), birth)
        }
    };
    if !adult(birth) || taken.contains(&identity_key(&given, &family, birth)) {
        return None;
    }
    let row = Participant {
        name: written_name(rng, &given, &family, Some(origin)),
        birth_date: typed_date(rng, birth),
        phone: phone(rng),
        course: course(rng, template, Some(origin), today),
        resident: None,
    };
    Some((row, kind))
}
