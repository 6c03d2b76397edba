//! Tests of the population: issued CPR numbers, the reunification age rules, and that
//! the name and district tables use known codes.

use super::cpr::issue;
use super::districts::PROFILES;
use super::households::birthday;
use super::naming::{DANISH_FAMILY_MORE, WESTERN, female_form, male_given};
use super::*;
use crate::origin::ORIGINS;
use crate::{areas, names};

#[test]
fn issued_numbers_carry_birth_date_sex_and_the_requested_check() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut issued = HashSet::new();
    for birth in [date!(1926 - 03 - 04), date!(1937 - 01 - 01), date!(1999 - 12 - 31), date!(2024 - 02 - 29)] {
        for sex in [Sex::Female, Sex::Male] {
            for modulus11 in [true, false] {
                let cpr = issue(&mut rng, birth, sex, modulus11, &mut issued).unwrap();
                assert_eq!(cpr.birth_date(), birth);
                assert_eq!(cpr.has_modulus11(), modulus11);
                let last = cpr.expose().chars().last().unwrap().to_digit(10).unwrap();
                assert_eq!(last % 2 == 1, sex == Sex::Male);
            }
        }
    }
    assert!(issue(&mut rng, date!(2060 - 01 - 01), Sex::Male, true, &mut issued).is_none());
}

#[test]
fn a_date_runs_out_only_when_every_serial_is_taken() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let mut issued = HashSet::new();
    let birth = date!(1930 - 06 - 15);
    let mut n = 0;
    while issue(&mut rng, birth, Sex::Female, true, &mut issued).is_some() {
        n += 1;
    }
    // Four 7th digits, a hundred serials, and a check digit that is even and not 10.
    assert!((150..=220).contains(&n), "{n}");
    let mut without = 0;
    while issue(&mut rng, birth, Sex::Female, false, &mut issued).is_some() {
        without += 1;
    }
    assert!(without > 1_500, "{without}");
}

#[test]
fn reunification_follows_the_age_rules() {
    let today = date!(2026 - 11 - 25);
    let mut g = Gen { rng: ChaCha8Rng::seed_from_u64(1), today };
    let birth = date!(1996 - 05 - 10);
    let d = g.arrival_as_adult(birth, 3, true).unwrap();
    assert_eq!(age_on(d, today), 3);
    // She would have been 21 in 2017: she came when she turned 24.
    assert_eq!(g.arrival_as_adult(birth, 9, true), Some(date!(2020 - 05 - 10)));
    let d = g.arrival_as_adult(birth, 9, false).unwrap();
    assert!(age_on(d, today) == 9 && age_on(birth, d) >= 18);
    assert_eq!(g.arrival_as_adult(date!(2004 - 01 - 01), 1, true), None);
    assert_eq!(g.arrival_as_adult(birth, -1, true), None);
    // Before 2002 eighteen was enough.
    let d = g.arrival_as_adult(date!(1976 - 03 - 01), 30, true).unwrap();
    assert!(d.year() < 2002 && age_on(date!(1976 - 03 - 01), d) >= 18);
    assert_eq!(g.arrival_as_adult(date!(2000 - 02 - 29), 20, false), Some(date!(2018 - 03 - 01)));
    assert_eq!(age_on(date!(2000 - 02 - 29), birthday(date!(2000 - 02 - 29), 18)), 18);
}

#[test]
fn tables_use_known_codes() {
    for w in WESTERN {
        assert!(!is_non_western(w.code), "{}", w.code);
        assert!(domain::reference::language(w.language).is_some(), "{}", w.language);
    }
    for o in ORIGINS {
        assert!(!male_given(o.code).is_empty());
        assert!(male_given(o.code) != male_given("??"), "{} has no men's names", o.code);
    }
    let codes: Vec<_> = areas().into_iter().map(|a| a.code).collect();
    for p in PROFILES {
        assert!(codes.contains(&p.code), "{}", p.code);
    }
    assert_eq!(codes.len(), PROFILES.len());
    assert_eq!(female_form("Kowalski"), "Kowalska");
    assert_eq!(female_form("Kamiński"), "Kamińska");
    assert_eq!(female_form("Nowak"), "Nowak");
    let family = ORIGINS.iter().flat_map(|o| o.family.iter());
    for name in family.chain(names::DANISH_FAMILY).chain(DANISH_FAMILY_MORE).chain(names::KURDISH_FAMILY) {
        assert_eq!(&female_form(name), name);
    }
}
