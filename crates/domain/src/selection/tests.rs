use super::templates::{no_benefit, no_income};
use super::*;
use time::macros::date;

const RUN: Date = date!(2026 - 11 - 25);

fn woman(birth: Date, origin: &'static str, arrived: Option<Date>) -> Resident<'static> {
    Resident {
        female: Some(true),
        birth_date: birth,
        origin: crate::reference::Origin::read(origin).unwrap(),
        arrived_in_denmark: arrived,
        area: Some("vestparken"),
    }
}

#[test]
fn templates_round_trip_through_toml_and_check() {
    for code in TEMPLATES {
        let rules = template(code).unwrap();
        let text = rules.to_toml().unwrap();
        assert!(text.starts_with("# Opsøg selection rules"));
        assert_eq!(Rules::from_toml(&text).unwrap(), rules, "{code}");
    }
    assert!(template("nope").is_none());
}

#[test]
fn a_bad_file_names_the_line() {
    let err = Rules::from_toml("name = \"x\"\n[population]\nsex = \"female\"\nmin_age = \"ten\"\n").unwrap_err();
    assert_eq!(err.line, Some(4), "{err}");
    let unknown =
        Rules::from_toml(&template("self_supporting_women").unwrap().to_toml().unwrap().replace("reason", "why"));
    assert!(unknown.is_err());
}

#[test]
fn a_checked_rule_refuses_nonsense() {
    let mut r = template("self_supporting_women").unwrap();
    r.population.min_age = 70;
    assert!(Rules::from_toml(&r.to_toml().unwrap()).unwrap_err().message.contains("min_age"));
    let mut r = template("self_supporting_women").unwrap();
    r.steps[0].reason = " ".into();
    assert!(Rules::from_toml(&r.to_toml().unwrap()).unwrap_err().message.contains("step 1"));
}

#[test]
fn the_plan_must_name_the_exact_file() {
    let text = template("self_supporting_women").unwrap().to_toml().unwrap();
    let reference = Rules::reference(&text);
    assert!(plan_names_rules(&format!("udvaelgelse.toml {reference}"), &text));
    let changed = text.replace("18", "19");
    assert!(!plan_names_rules(&format!("udvaelgelse.toml {reference}"), &changed));
}

#[test]
fn population_filter_ages_origin_and_years() {
    let f = template("self_supporting_women").unwrap().population;
    assert!(f.admits(&woman(date!(1980 - 01 - 01), "SY", Some(date!(2015 - 05 - 01))), RUN));
    // 18 today is in, the day before is not; 64 until the 65th birthday.
    assert!(f.admits(&woman(date!(2008 - 11 - 25), "SY", Some(date!(2010 - 01 - 01))), RUN));
    assert!(!f.admits(&woman(date!(2008 - 11 - 26), "SY", Some(date!(2010 - 01 - 01))), RUN));
    assert!(f.admits(&woman(date!(1961 - 11 - 26), "SY", Some(date!(2010 - 01 - 01))), RUN));
    assert!(!f.admits(&woman(date!(1961 - 11 - 25), "SY", Some(date!(2010 - 01 - 01))), RUN));
    // Western origin and men are out.
    assert!(!f.admits(&woman(date!(1980 - 01 - 01), "DE", None), RUN));
    let mut man = woman(date!(1980 - 01 - 01), "SY", None);
    man.female = Some(false);
    assert!(!f.admits(&man, RUN));
    // More than three years: exactly three is not enough, three and a day is.
    assert!(!f.admits(&woman(date!(1980 - 01 - 01), "SY", Some(date!(2023 - 11 - 25))), RUN));
    assert!(f.admits(&woman(date!(1980 - 01 - 01), "SY", Some(date!(2023 - 11 - 24))), RUN));
    // Born here counts from birth.
    assert!(f.admits(&woman(date!(2000 - 01 - 01), "TR", None), RUN));
}

#[test]
fn stateless_and_unknown_are_admitted_only_where_the_rules_say() {
    let mut f = template("self_supporting_women").unwrap().population;
    let born = date!(1980 - 01 - 01);
    let arrived = Some(date!(2010 - 01 - 01));
    // Non-Western asked: neither stateless nor unknown is taken for it.
    assert!(!f.admits(&woman(born, "Statsløs", arrived), RUN));
    assert!(!f.admits(&woman(born, "Uoplyst", arrived), RUN));
    f.include_stateless = true;
    assert!(f.admits(&woman(born, "Statsløs", arrived), RUN));
    assert!(!f.admits(&woman(born, "Uoplyst", arrived), RUN));
    f.include_unknown_origin = true;
    assert!(f.admits(&woman(born, "Uoplyst", arrived), RUN));
    // Danish names are read as the country they name: Denmark is Western.
    assert!(!f.admits(&woman(born, "Danmark", arrived), RUN));
    assert!(!f.admits(&woman(born, "Rumænien", arrived), RUN));
    assert!(f.admits(&woman(born, "Syrien", arrived), RUN));
    // No origin condition at all: everyone.
    let mut any = template("self_supporting_women").unwrap().population;
    any.origin = Origin::Any;
    assert!(any.admits(&woman(born, "Uoplyst", arrived), RUN));
    assert!(any.admits(&woman(born, "Danmark", arrived), RUN));
    // A country list: only those countries.
    any.countries = vec!["SY".into()];
    assert!(!any.admits(&woman(born, "Uoplyst", arrived), RUN));
    assert!(!any.admits(&woman(born, "Irak", arrived), RUN));
    assert!(any.admits(&woman(born, "SYR", arrived), RUN));
    // The flags survive the TOML file and the form.
    let mut rules = template("self_supporting_women").unwrap();
    rules.population = f;
    let text = rules.to_toml().unwrap();
    assert!(text.contains("include_stateless = true"), "{text}");
    assert_eq!(Rules::from_toml(&text).unwrap(), rules);
    assert_eq!(rules.to_input(0).parse().unwrap(), rules);
    // A rule file without them (as saved before) reads as before, byte for byte.
    let old = template("self_supporting_women").unwrap().to_toml().unwrap();
    assert!(!old.contains("include_"));
}

#[test]
fn years_bands_agree_with_the_rule_that_admitted_her() {
    // Every arrival day across three boundaries of each threshold: a woman the rule
    // admits as "more than N years" is never in a band that ends at N or before.
    for threshold in YEAR_BOUNDS {
        let mut f = template("self_supporting_women").unwrap().population;
        f.more_than_years_in_denmark = Some(threshold);
        let start = add_years(RUN, -(threshold as i32) - 1);
        for day in 0..(3 * 366) {
            let arrived = start + time::Duration::days(day);
            let w = woman(date!(1980 - 02 - 29), "SY", Some(arrived));
            let band = years_band(arrived, RUN);
            let at = YEAR_BANDS.iter().position(|b| *b == band).unwrap();
            let bound_at = YEAR_BOUNDS.iter().position(|b| *b == threshold).unwrap();
            assert_eq!(f.admits(&w, RUN), at > bound_at, "{threshold} years, arrived {arrived}: {band}");
        }
    }
    // The overview puts her where the band says, on the same reference date.
    let mut c = candidate("SY", "vestparken", date!(1980 - 01 - 01));
    c.arrived_in_denmark = Some(date!(2023 - 11 - 24));
    let o = overview(&[c], RUN);
    assert_eq!(o.by_years_in_denmark[1], ("over 3-9".to_string(), 1));
    assert_eq!(o.by_years_in_denmark[0], ("0-3".to_string(), 0));
}

#[test]
fn windows_in_words_from_the_reference_date() {
    let step = no_income();
    assert_eq!(step.window(RUN), Some((date!(2025 - 11 - 01), date!(2026 - 10 - 31))));
    assert_eq!(window_da(step.window(RUN).unwrap()), "1. november 2025 – 31. oktober 2026");
    // From the date an extract describes, not the day of the run.
    assert_eq!(window_da(step.window(date!(2026 - 09 - 30)).unwrap()), "1. september 2025 – 31. august 2026");
    let mut dated = template("maintenance_spouses").unwrap().steps[0].clone();
    dated.within_months = Some(6);
    assert_eq!(window_da(dated.window(RUN).unwrap()), "1. maj 2026 – 25. november 2026");
    dated.within_months = None;
    assert_eq!(dated.window(RUN), None);
}

#[test]
fn monthly_windows_are_whole_months_before_the_run() {
    let step = no_income();
    let row = |m: Date, oere: i64| SourceRow { month: Some(m), amount: Some(oere), ..Default::default() };
    // Run in November 2026: November 2025 – October 2026.
    assert!(step.matches(&row(date!(2025 - 11 - 01), 10_000), RUN));
    assert!(step.matches(&row(date!(2026 - 10 - 01), 10_000), RUN));
    assert!(!step.matches(&row(date!(2025 - 10 - 01), 10_000), RUN));
    assert!(!step.matches(&row(date!(2026 - 11 - 01), 10_000), RUN));
    // A zero report is not income.
    assert!(!step.matches(&row(date!(2026 - 03 - 01), 0), RUN));
    assert_eq!(months_before(date!(2026 - 01 - 15), 12), date!(2025 - 01 - 01));
    assert_eq!(months_before(date!(2026 - 01 - 15), 13), date!(2024 - 12 - 01));
}

#[test]
fn contracts_in_force_and_types() {
    let mut step = template("maintenance_spouses").unwrap().steps[0].clone();
    step.in_force = true;
    let c = |start: Date, end: Option<Date>| SourceRow { date: Some(start), end_date: end, ..Default::default() };
    assert!(step.matches(&c(date!(2024 - 01 - 01), Some(date!(2027 - 01 - 01))), RUN));
    assert!(!step.matches(&c(date!(2020 - 01 - 01), Some(date!(2023 - 01 - 01))), RUN));
    assert!(step.matches(&c(date!(2024 - 01 - 01), None), RUN));
    let mut b = no_benefit();
    b.types = vec!["Kontanthjælp".into()];
    let r = |k: &'static str| SourceRow { month: Some(date!(2026 - 05 - 01)), kind: Some(k), ..Default::default() };
    assert!(b.matches(&r("kontanthjælp"), RUN));
    assert!(!b.matches(&r("SU"), RUN));
}

fn candidate(origin: &str, area: &str, birth: Date) -> Candidate {
    Candidate {
        given_name: "A".into(),
        family_name: "B".into(),
        cpr: "0707614286".into(),
        birth_date: birth,
        country_of_origin: origin.into(),
        arrived_in_denmark: Some(date!(2015 - 01 - 01)),
        street: None,
        postcode: None,
        city: None,
        area_code: Some(area.into()),
        phone: None,
    }
}

#[test]
fn overview_counts_and_no_hidden_cell_can_be_recovered() {
    let mut cs = Vec::new();
    for _ in 0..12 {
        cs.push(candidate("SY", "vestparken", date!(1990 - 01 - 01)));
    }
    for _ in 0..7 {
        cs.push(candidate("IQ", "noerrevang", date!(1980 - 01 - 01)));
    }
    for _ in 0..2 {
        cs.push(candidate("SO", "vestparken", date!(1970 - 01 - 01)));
    }
    let o = overview(&cs, RUN);
    assert_eq!(o.total, 21);
    assert_eq!(o.by_country, vec![("SY".into(), 12), ("IQ".into(), 7), ("SO".into(), 2)]);
    assert_eq!(o.by_age.iter().map(|(_, n)| *n).sum::<u64>(), 21);
    let [country, area, age, years] = o.shown(true);
    // SO (2) is hidden, and so is a second cell, so that total − visible ≠ SO.
    let hidden: Vec<&String> = country.rows.iter().filter(|(_, n)| n.is_none()).map(|(k, _)| k).collect();
    assert!(hidden.len() >= 2, "{country:?}");
    let visible: u64 = country.rows.iter().filter_map(|(_, n)| *n).sum();
    let total = country.total.unwrap();
    // The attacker's best guess for the hidden cells is their sum: never a small group.
    assert!(total - visible >= crate::suppression::THRESHOLD);
    for t in [&area, &age, &years] {
        if let Some(total) = t.total {
            let visible: u64 = t.rows.iter().filter_map(|(_, n)| *n).sum();
            let n_hidden = t.rows.iter().filter(|(_, n)| n.is_none()).count();
            assert!(n_hidden != 1, "one hidden cell would follow from the total: {t:?}");
            assert!(n_hidden == 0 || total - visible >= crate::suppression::THRESHOLD || total - visible == 0);
        }
    }
    // Coordinators see everything.
    let [country, ..] = o.shown(false);
    assert!(country.rows.iter().all(|(_, n)| n.is_some()));
}

#[test]
fn the_form_round_trips_and_names_the_bad_row() {
    for code in TEMPLATES {
        let rules = template(code).unwrap();
        assert_eq!(rules.to_input(2).parse().unwrap(), rules);
    }
    let mut input = template("self_supporting_women").unwrap().to_input(1);
    input.step_within_months[1] = "abc".into();
    input.step_reason[1] = String::new();
    input.min_age = "70".into();
    let errors = input.parse().unwrap_err();
    assert_eq!(errors.for_field("step1_within_months"), Some("error-whole-number"));
    assert_eq!(errors.for_field("step1_reason"), Some("error-required"));
    assert_eq!(errors.for_field("max_age"), Some("error-range"));
}
