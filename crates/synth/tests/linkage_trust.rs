//! Linkage you can trust (issue 12, G-5.1): a course list without CPR whose women are
//! partly outside the population, with twin sisters and namesakes born decades apart,
//! linked to the whole population. No woman outside is linked as certain, no certain
//! link breaks the date and name rules, certain links are right, a woman on two courses
//! is linked from both rows, and the probability shown at the top is calibrated. Fixed
//! seed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/linkage_trust.rs"]
mod trust;

use linkage::{Certainty, Config};
use std::sync::OnceLock;
use synth::population::Resident;
use synth::registers::{CourseRow, Who};
use time::macros::date;

const SEED: u64 = 2026;

fn world() -> &'static (Vec<Resident>, Vec<CourseRow>, trust::Trust) {
    static WORLD: OnceLock<(Vec<Resident>, Vec<CourseRow>, trust::Trust)> = OnceLock::new();
    WORLD.get_or_init(|| {
        let today = date!(2026 - 11 - 25);
        let population = synth::population::population(SEED, 20_000, today);
        let population = synth::registers::with_twin_sisters(&population, SEED, 10);
        let list = synth::registers::course_list_with_outsiders(&population, &trust::options(SEED, today));
        let measured = trust::measure(&population, &list, &Config::default()).unwrap();
        (population, list, measured)
    })
}

#[test]
fn the_list_has_every_hard_case() {
    let (_, list, t) = world();
    eprintln!("{}", trust::report(t));
    for kind in [
        "resident",
        "resident with a twin sister",
        "resident, second course",
        "outside: namesake years apart",
        "outside: namesake same year",
        "outside: given name + birth date",
        "outside: stranger",
    ] {
        assert!(t.by_kind.get(kind).is_some_and(|c| c[0] >= 3), "too few rows of kind {kind}\n{}", trust::report(t));
    }
    let outside = list.iter().filter(|r| matches!(r.who, Who::Outside(_))).count() as f64 / list.len() as f64;
    assert!((0.15..0.35).contains(&outside), "share outside {outside}");
}

#[test]
fn no_woman_outside_the_population_is_linked_as_certain() {
    let (_, _, t) = world();
    let wrong_certain: usize = t.by_kind.values().map(|c| c[2]).sum();
    assert_eq!(wrong_certain, 0, "{}", trust::report(t));
    assert_eq!(trust::certain_against_the_rules(t), 0, "{}", trust::report(t));
}

#[test]
fn certain_links_find_most_women_and_review_catches_more() {
    let (_, _, t) = world();
    let (_, precision, recall) = trust::precision_recall(t, |l| l.certainty == Certainty::Certain);
    assert!(precision >= 0.999, "certain precision {precision}\n{}", trust::report(t));
    assert!(recall >= 0.8, "certain recall {recall}\n{}", trust::report(t));
    let (_, _, all_recall) = trust::precision_recall(t, |_| true);
    assert!(all_recall >= recall && all_recall >= 0.95, "recall with review {all_recall}\n{}", trust::report(t));
}

#[test]
fn a_woman_on_two_courses_is_linked_from_both_rows() {
    let (_, _, t) = world();
    let c = t.by_kind["resident, second course"];
    assert!(c[1] + c[3] >= c[0] * 9 / 10, "second-course rows linked right: {c:?}\n{}", trust::report(t));
}

#[test]
fn the_probability_shown_for_certain_links_is_calibrated() {
    let (_, _, t) = world();
    // Bins at or above the bar for certain links (0.99): the share right within 0.1 of
    // what was predicted, or within three standard errors for a small bin. The review
    // band below is not yet calibrated on this list (see bench/linkage/README.md).
    for (from, to, n, mean, right) in trust::calibration(t).into_iter().filter(|b| b.0 >= 0.99) {
        let se = (mean * (1.0 - mean) / n.max(1) as f64).sqrt();
        let slack = 0.1f64.max(3.0 * se);
        assert!(
            n == 0 || (right - mean).abs() <= slack,
            "bin {from:.3}–{to:.3}: {n} links, predicted {mean:.3}, right {right:.3}\n{}",
            trust::report(t)
        );
    }
}
