//! The synthetic municipality: reproducible, valid by the domain's own rules, and
//! shaped like the real thing.
// Test code: helpers outside #[test] fns may unwrap too — a failed step must stop the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::too_many_arguments)]

use domain::PhoneNumber;
use domain::funnel::{EventKind, FunnelRules, Stage, TransitionInput, replay};
use domain::person::SourceKind;
use domain::reference::is_non_western;
use domain::text::normalise_name;
use std::collections::{BTreeMap, HashMap, HashSet};
use store::LoadPerson;
use synth::{Context, Staff, age_on, ambassador_specs, areas, caseworker_specs, partner_org_names, people};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const SEED: u64 = 20_261_125;

/// 2026-11-25 12:00 UTC, an initiative that started a year before.
fn context(days: i64) -> Context {
    let now = OffsetDateTime::UNIX_EPOCH + Duration::days(20_417) + Duration::hours(12);
    let mut n = 0u128;
    let mut id = || {
        n += 1;
        Uuid::from_u128(0xabc0_0000 + n)
    };
    let teams = [id(), id()];
    Context {
        initiative_id: id(),
        initiative_start: now - Duration::days(days),
        now,
        areas: areas().into_iter().map(|a| (id(), a.postcodes)).collect(),
        caseworkers: caseworker_specs()
            .iter()
            .enumerate()
            .map(|(i, s)| Staff {
                user_id: id(),
                team_id: teams[i % 2],
                name: s.name.to_string(),
                languages: s.languages.iter().map(|l| (*l).to_string()).collect(),
            })
            .collect(),
        ambassadors: ambassador_specs().iter().map(|s| (id(), s.name.to_string())).collect(),
        partner_orgs: partner_org_names().iter().map(|s| (id(), (*s).to_string())).collect(),
        register_run_label: "Registersøgning efterår 2025".to_string(),
    }
}

/// What must be equal between two runs with the same seed.
fn fingerprint(p: &LoadPerson) -> String {
    let d = &p.details;
    let events: Vec<String> =
        p.events.iter().map(|e| format!("{}@{}:{}", e.input.kind.code(), e.input.at, e.note)).collect();
    format!(
        "{} {} {} {:?} {:?} {:?} {:?} {:?} {:?} {}",
        p.id,
        d.given_name,
        d.family_name,
        d.cpr.as_ref().map(domain::Cpr::expose),
        d.phone.as_ref().map(PhoneNumber::as_e164),
        d.address.as_ref().map(|a| (&a.street, &a.postcode)),
        d.languages.iter().map(|l| &l.code).collect::<Vec<_>>(),
        p.sources.iter().map(|s| (s.kind, s.added_at)).collect::<Vec<_>>(),
        p.contact_user_id,
        events.join(",")
    )
}

/// Where her history leaves her, or why it does not replay.
fn final_stage(p: &LoadPerson) -> Result<Stage, String> {
    let inputs: Vec<TransitionInput> = p.events.iter().map(|e| e.input).collect();
    match replay(&inputs, &FunnelRules::default()) {
        Ok(Some(state)) => Ok(state.stage),
        Ok(None) => Err("no events".to_string()),
        Err(e) => Err(e.to_string()),
    }
}

#[test]
fn the_same_seed_gives_the_same_municipality_and_another_seed_another() {
    let ctx = context(365);
    let a: Vec<String> = people(SEED, 2_000, &ctx).take(200).map(|p| fingerprint(&p)).collect();
    let b: Vec<String> = people(SEED, 2_000, &ctx).take(200).map(|p| fingerprint(&p)).collect();
    assert_eq!(a, b);
    // A smaller run is the start of a larger one.
    let small: Vec<String> = people(SEED, 200, &ctx).map(|p| fingerprint(&p)).collect();
    assert_eq!(a, small);
    let other: Vec<String> = people(SEED + 1, 200, &ctx).map(|p| fingerprint(&p)).collect();
    let same = a.iter().zip(&other).filter(|(x, y)| x == y).count();
    assert_eq!(same, 0);
    let names = |v: &[String]| -> HashSet<String> {
        v.iter().map(|f| f.split(' ').skip(1).take(2).collect::<Vec<_>>().join(" ")).collect()
    };
    assert_ne!(names(&a), names(&other));
}

#[test]
fn exactly_size_women_are_generated() {
    let ctx = context(365);
    for size in [0, 1, 37] {
        let it = people(1, size, &ctx);
        assert_eq!(it.len(), size);
        assert_eq!(it.count(), size);
    }
}

#[test]
fn every_history_replays_through_the_funnel_in_time_order() {
    for days in [365, 30] {
        let ctx = context(days);
        for p in people(SEED, 2_000, &ctx) {
            let first = &p.events[0];
            assert_eq!(first.input.kind, EventKind::Entered);
            assert_eq!(first.input.channel, p.sources[0].kind.entry_channel());
            assert!(first.input.at >= ctx.initiative_start);
            assert_eq!(p.created_at, first.input.at);
            assert_eq!(p.sources[0].added_at, p.created_at);
            assert_eq!(p.initiative_id, ctx.initiative_id);
            assert!(p.events.windows(2).all(|w| w[0].input.at < w[1].input.at), "times not strictly increasing");
            for e in &p.events {
                assert!(e.input.at <= ctx.now, "event after now");
                assert!(e.language.is_some());
                assert_eq!(e.actor.user_id, p.contact_user_id);
                assert!(!e.interpreter_used || p.details.interpreter_needed);
            }
            assert!(p.events[1..].iter().all(|e| e.input.kind != EventKind::Entered));
            if let Err(e) = final_stage(&p) {
                panic!("history does not replay: {e}");
            }
        }
    }
}

#[test]
fn a_municipality_of_two_thousand_looks_like_the_target_group() {
    let ctx = context(365);
    let all: Vec<LoadPerson> = people(SEED, 2_000, &ctx).collect();
    let today = ctx.now.date();
    let areas: HashMap<Uuid, &Vec<String>> = ctx.areas.iter().map(|(id, p)| (*id, p)).collect();
    let caseworkers: HashMap<Uuid, &Staff> = ctx.caseworkers.iter().map(|s| (s.user_id, s)).collect();
    let ambassadors: HashSet<Uuid> = ctx.ambassadors.iter().map(|a| a.0).collect();
    let partners: HashSet<Uuid> = ctx.partner_orgs.iter().map(|a| a.0).collect();

    let mut stages = HashSet::new();
    let mut kinds = HashSet::new();
    let mut ids = HashSet::new();
    let mut cprs = HashSet::new();
    let mut phones = HashSet::new();
    let (mut with_cpr, mut without_modulus, mut first_name_only) = (0, 0, 0);
    let (mut safe, mut two_sources, mut speaks_her_language, mut could) = (0, 0, 0, 0);
    let mut spellings: BTreeMap<String, HashSet<String>> = BTreeMap::new();

    for p in &all {
        let d = &p.details;
        assert!(ids.insert(p.id), "duplicate id");
        stages.insert(final_stage(p).unwrap());
        for s in &p.sources {
            kinds.insert(s.kind);
            match s.kind {
                SourceKind::RegisterRun => assert_eq!(s.label, ctx.register_run_label),
                SourceKind::Ambassador => {
                    assert!(ambassadors.contains(&s.reference_id.unwrap()))
                }
                SourceKind::Partner => assert!(partners.contains(&s.reference_id.unwrap())),
                _ => assert!(s.reference_id.is_none()),
            }
            assert!(s.added_at >= p.created_at && s.added_at <= ctx.now);
        }
        if p.sources.len() > 1 {
            two_sources += 1;
            assert_ne!(p.sources[0].kind, p.sources[1].kind);
        }

        assert!(!d.given_name.trim().is_empty());
        if d.family_name.is_empty() {
            first_name_only += 1;
            assert!(d.cpr.is_none(), "a register woman always has her full name");
        }
        if let Some(cpr) = &d.cpr {
            with_cpr += 1;
            without_modulus += usize::from(!cpr.has_modulus11());
            assert!(cprs.insert(cpr.expose()), "CPR issued twice");
            assert_eq!(d.birth_date, Some(cpr.birth_date()));
            let last = cpr.expose().chars().last().unwrap().to_digit(10).unwrap();
            assert_eq!(last % 2, 0, "a woman's CPR ends in an even digit");
        }
        if let Some(birth) = d.birth_date {
            assert!((18..=64).contains(&age_on(birth, today)), "age of {birth}");
            if let Some(arrived) = d.arrived_in_denmark {
                assert!(age_on(birth, arrived) >= 10);
                let years = age_on(arrived, today);
                assert!((1..=30).contains(&years), "arrived {years} years ago");
            }
        }
        if let Some(country) = &d.country_of_origin {
            assert!(is_non_western(country), "{country}");
            assert!(domain::reference::country(country).is_some());
        }
        assert!(!d.languages.is_empty());
        for l in &d.languages {
            assert!(domain::reference::language(&l.code).is_some(), "{}", l.code);
        }
        if let Some(phone) = &d.phone {
            let again = PhoneNumber::parse(&phone.display()).unwrap();
            assert_eq!(&again, phone);
            assert!(phone.as_e164().starts_with("+45") && phone.as_e164().len() == 11);
            assert!(phones.insert(phone.clone()), "phone shared by two women");
        } else {
            assert!(!d.phone_is_hers_alone);
        }
        if let Some(address) = &d.address {
            let area = d.area_id.expect("an address lies in an area");
            assert!(areas[&area].contains(&address.postcode), "postcode outside area");
            assert_eq!(address.city, "Søby");
        }
        if let Some(area) = d.area_id {
            assert!(areas.contains_key(&area));
        }
        if d.safe_contact_only {
            safe += 1;
            assert!(d.safety_note.as_deref().is_some_and(|n| !n.is_empty()));
            assert!(p.events.iter().all(|e| e.input.kind != EventKind::LetterSent));
        }
        if !d.phone_is_hers_alone {
            // G-2.4: a number that may not be hers alone is never called.
            assert!(p.events.iter().all(|e| e.input.kind != EventKind::CallNoAnswer));
        }
        assert!(d.motivation.len() <= 3);

        let contact = caseworkers[&p.contact_user_id.unwrap()];
        assert_eq!(p.team_id, Some(contact.team_id));
        let first = &d.languages[0].code;
        if ctx.caseworkers.iter().any(|s| s.languages.contains(first)) {
            could += 1;
            speaks_her_language += usize::from(contact.languages.contains(first));
        }
        spellings.entry(normalise_name(&d.given_name)).or_default().insert(d.given_name.clone());
    }

    for stage in Stage::ALL {
        assert!(stages.contains(&stage), "no woman ends in {stage:?}");
    }
    for kind in SourceKind::ALL {
        assert!(kinds.contains(&kind), "no source {kind:?}");
    }
    let share = |n: usize| n as f64 / all.len() as f64;
    assert!((0.5..=0.9).contains(&share(with_cpr)), "CPR share {}", share(with_cpr));
    let no_mod = without_modulus as f64 / with_cpr as f64;
    assert!((0.2..=0.4).contains(&no_mod), "without modulus 11: {no_mod}");
    assert!((0.05..=0.3).contains(&share(first_name_only)));
    assert!((0.01..=0.06).contains(&share(safe)), "safe contact {}", share(safe));
    assert!((0.01..=0.08).contains(&share(two_sources)));
    assert!(speaks_her_language as f64 / could as f64 > 0.75);

    // Realistic messy data: the same name spelt differently...
    let given: HashSet<&str> = all.iter().map(|p| p.details.given_name.as_str()).collect();
    let pairs = [
        ("Fatima", "Fatma"),
        ("Nour", "Noor"),
        ("Nour", "Nur"),
        ("Zainab", "Zeinab"),
        ("Faadumo", "Fadumo"),
        ("Xaliimo", "Haliimo"),
        ("Maryam", "Mariam"),
    ];
    let variants = pairs.iter().filter(|(a, b)| given.contains(a) && given.contains(b)).count();
    assert!(variants >= 2, "too few transliteration variants");
    // ...and spellings that differ only in diacritics, case or hyphens.
    let folded = spellings.values().filter(|s| s.len() > 1).count();
    assert!(folded >= 3, "{spellings:?}");
    // Family names written with and without hyphen or space ("Al-Hassan", "Alhassan").
    let mut joined: BTreeMap<String, HashSet<&str>> = BTreeMap::new();
    for p in &all {
        let f = &p.details.family_name;
        joined.entry(normalise_name(f).replace(' ', "")).or_default().insert(f.as_str());
    }
    let hyphen_variants = joined.values().filter(|s| s.len() > 1 && s.iter().any(|f| f.contains(['-', ' ']))).count();
    assert!(hyphen_variants >= 3, "{joined:?}");
}

#[test]
fn the_funnel_narrows() {
    let ctx = context(365);
    let mut count: HashMap<Stage, usize> = HashMap::new();
    for p in people(SEED, 2_000, &ctx) {
        *count.entry(final_stage(&p).unwrap()).or_default() += 1;
    }
    let c = |s| count.get(&s).copied().unwrap_or(0);
    let early = c(Stage::Identified) + c(Stage::Contacted) + c(Stage::Reached) + c(Stage::Unreachable);
    let late = c(Stage::Enrolled) + c(Stage::Retained);
    assert!(early > 2 * late, "early {early}, late {late}");
    assert!(c(Stage::Retained) < c(Stage::Interested));
    assert!(c(Stage::Trial) < c(Stage::Met));
}

#[test]
fn contexts_without_ambassadors_partners_or_time_still_work() {
    let mut ctx = context(365);
    ctx.ambassadors.clear();
    ctx.partner_orgs.clear();
    for p in people(3, 500, &ctx) {
        for s in &p.sources {
            assert!(!matches!(s.kind, SourceKind::Ambassador | SourceKind::Partner));
        }
    }
    ctx.caseworkers.clear();
    ctx.areas.clear();
    ctx.initiative_start = ctx.now;
    for p in people(3, 200, &ctx) {
        assert_eq!(p.events.len(), 1);
        assert_eq!(p.events[0].input.at, ctx.now);
        assert!(p.team_id.is_none() && p.details.address.is_none());
    }
}

/// A hundred thousand women must be quick to make; twenty thousand stand in for them
/// here, since tests run unoptimised.
#[test]
fn about_ten_events_per_woman() {
    let ctx = context(365);
    let (mut women, mut events) = (0usize, 0usize);
    for p in people(SEED, 20_000, &ctx) {
        women += 1;
        events += p.events.len();
    }
    let mean = events as f64 / women as f64;
    assert!((7.0..=14.0).contains(&mean), "mean {mean}");
}

// The whole resident population (synth::population), from which register extracts are
// derived.

const POPULATION_SEED: u64 = 4_242;

fn population_day() -> time::Date {
    time::macros::date!(2026 - 11 - 25)
}

/// Twenty thousand residents, made once for the tests that only read them.
fn twenty_thousand() -> &'static [synth::population::Resident] {
    static POPULATION: std::sync::OnceLock<Vec<synth::population::Resident>> = std::sync::OnceLock::new();
    POPULATION.get_or_init(|| synth::population::population(POPULATION_SEED, 20_000, population_day()))
}

/// Shares a demographer would look at first, printed by the tests (`--nocapture`).
#[derive(Debug)]
#[allow(dead_code, reason = "some fields are only there to be printed")]
struct PopulationShares {
    size: usize,
    dk_born: f64,
    danish_origin: f64,
    other_western: f64,
    non_western: f64,
    /// 0–17, 18–64, 65+.
    age_groups: [f64; 3],
    /// 0–9, 10–19, …, 90+.
    age_pyramid: Vec<f64>,
    mean_household: f64,
    /// Of 18–64-year-olds.
    employed: f64,
    on_benefit: f64,
    neither: f64,
    non_western_women_18_64: usize,
    target_group: usize,
    /// Of non-Western women 18–64.
    target_share: f64,
    /// Of non-Western women 18–64 who came through family reunification, and of the others.
    target_share_reunified: f64,
    target_share_others: f64,
    reunified_target_with_employed_spouse: f64,
    /// Non-Western women 18–64 by how they came (born here, reunified with a supporting
    /// spouse, other integration programme, other immigrants): how many, and the share
    /// of them in the target group.
    target_by_kind: Vec<(&'static str, usize, f64)>,
    /// Share of non-Western residents in each area.
    non_western_by_area: Vec<(&'static str, f64)>,
    cpr_without_modulus11_from_2007: f64,
}

fn arrival_kind(r: &synth::population::Resident) -> &'static str {
    match (r.arrived_in_denmark, r.family_reunified, r.in_integration_programme) {
        (None, _, _) => "born here",
        (_, true, _) => "reunified",
        (_, _, true) => "programme",
        _ => "other immigrants",
    }
}

fn population_shares(pop: &[synth::population::Resident]) -> PopulationShares {
    use synth::population::Sex;
    let on = population_day();
    let n = pop.len() as f64;
    let share = |k: usize, of: usize| if of == 0 { 0.0 } else { k as f64 / of as f64 };
    let count = |f: &dyn Fn(&synth::population::Resident) -> bool| pop.iter().filter(|r| f(r)).count();
    let working: Vec<_> = pop.iter().filter(|r| (18..=64).contains(&r.age_on(on))).collect();
    let nw_women: Vec<_> =
        working.iter().filter(|r| r.sex == Sex::Female && is_non_western(&r.country_of_origin)).collect();
    let target: Vec<_> = pop.iter().filter(|r| r.in_target_group(on)).collect();
    let (reunified, others): (Vec<&synth::population::Resident>, Vec<_>) =
        nw_women.iter().copied().partition(|r| r.family_reunified);
    let reunified_target: Vec<_> = target.iter().filter(|r| r.family_reunified).collect();
    let spouse_works = reunified_target.iter().filter(|r| r.spouse.is_some_and(|s| pop[s].employed)).count();
    let mut pyramid = [0usize; 10];
    for r in pop {
        pyramid[(r.age_on(on) / 10).clamp(0, 9) as usize] += 1;
    }
    let households = pop.last().map_or(0, |r| r.household + 1);
    let from_2007: Vec<_> =
        pop.iter().filter(|r| r.arrived_in_denmark.map_or(r.birth_date.year(), |a| a.year()) >= 2007).collect();
    PopulationShares {
        size: pop.len(),
        dk_born: share(count(&|r| r.arrived_in_denmark.is_none()), pop.len()),
        danish_origin: share(count(&|r| r.country_of_origin == "DK"), pop.len()),
        other_western: share(
            count(&|r| r.country_of_origin != "DK" && !is_non_western(&r.country_of_origin)),
            pop.len(),
        ),
        non_western: share(count(&|r| is_non_western(&r.country_of_origin)), pop.len()),
        age_groups: [
            share(count(&|r| r.age_on(on) < 18), pop.len()),
            share(working.len(), pop.len()),
            share(count(&|r| r.age_on(on) >= 65), pop.len()),
        ],
        age_pyramid: pyramid.iter().map(|k| (*k as f64 / n * 1000.0).round() / 10.0).collect(),
        mean_household: share(pop.len(), households),
        employed: share(working.iter().filter(|r| r.employed).count(), working.len()),
        on_benefit: share(working.iter().filter(|r| r.on_benefit).count(), working.len()),
        neither: share(working.iter().filter(|r| !r.employed && !r.on_benefit).count(), working.len()),
        non_western_women_18_64: nw_women.len(),
        target_group: target.len(),
        target_share: share(target.len(), nw_women.len()),
        target_share_reunified: share(reunified.iter().filter(|r| r.in_target_group(on)).count(), reunified.len()),
        target_share_others: share(others.iter().filter(|r| r.in_target_group(on)).count(), others.len()),
        reunified_target_with_employed_spouse: share(spouse_works, reunified_target.len()),
        target_by_kind: ["born here", "reunified", "programme", "other immigrants"]
            .into_iter()
            .map(|kind| {
                let of: Vec<_> = nw_women.iter().filter(|r| arrival_kind(r) == kind).collect();
                (kind, of.len(), share(of.iter().filter(|r| r.in_target_group(on)).count(), of.len()))
            })
            .collect(),
        non_western_by_area: areas()
            .iter()
            .map(|a| {
                let here: Vec<_> = pop.iter().filter(|r| r.area_code == a.code).collect();
                let nw = here.iter().filter(|r| is_non_western(&r.country_of_origin)).count();
                (a.code, (share(nw, here.len()) * 1000.0).round() / 1000.0)
            })
            .collect(),
        cpr_without_modulus11_from_2007: share(
            from_2007.iter().filter(|r| !r.cpr.has_modulus11()).count(),
            from_2007.len(),
        ),
    }
}

#[test]
fn the_same_seed_gives_the_same_population_and_another_seed_another() {
    use synth::population::population;
    let a = population(POPULATION_SEED, 3_000, population_day());
    let b = population(POPULATION_SEED, 3_000, population_day());
    assert_eq!(a, b);
    let other = population(POPULATION_SEED + 1, 3_000, population_day());
    let key = |r: &synth::population::Resident| (r.cpr.expose(), r.given_name.clone(), r.family_name.clone());
    let same = a.iter().zip(&other).filter(|(x, y)| key(x) == key(y)).count();
    assert!(same < 30, "{same} residents alike under another seed");
    let cprs: HashSet<String> = a.iter().map(|r| r.cpr.expose()).collect();
    assert!(other.iter().filter(|r| cprs.contains(&r.cpr.expose())).count() < 30);

    // A smaller run is the start of a larger one, but for its last household, cut to size.
    let small = population(POPULATION_SEED, 500, population_day());
    let last = small.last().unwrap().household;
    let whole = small.iter().take_while(|r| r.household < last).count();
    assert!(whole > 400);
    assert_eq!(small[..whole], a[..whole]);
    for size in [0, 1, 37] {
        assert_eq!(population(7, size, population_day()).len(), size);
    }
}

#[test]
fn every_resident_has_a_unique_cpr_matching_birth_date_and_sex() {
    use synth::population::Sex;
    let pop = twenty_thousand();
    let mut seen = HashSet::new();
    for r in pop {
        assert!(seen.insert(r.cpr.expose()), "CPR issued twice");
        assert_eq!(r.cpr.birth_date(), r.birth_date);
        let text = r.cpr.expose();
        let last = text.chars().last().unwrap().to_digit(10).unwrap();
        assert_eq!(last % 2 == 1, r.sex == Sex::Male, "{}", r.cpr);
        // Re-reading the number gives the same century (the 7th digit's rule).
        assert_eq!(domain::Cpr::parse(&text).unwrap().birth_date(), r.birth_date);
        let issued = r.arrived_in_denmark.map_or(r.birth_date.year(), |a| a.year());
        if issued < 2007 {
            assert!(r.cpr.has_modulus11(), "a number from {issued} without modulus 11");
        }
    }
    let shares = population_shares(pop);
    let without = shares.cpr_without_modulus11_from_2007;
    assert!((0.2..=0.45).contains(&without), "without modulus 11 since 2007: {without}");
}

#[test]
fn spouses_point_at_each_other_are_adults_and_share_the_address() {
    let pop = twenty_thousand();
    let on = population_day();
    let mut couples = 0;
    for (i, r) in pop.iter().enumerate() {
        let Some(s) = r.spouse else {
            assert!(!r.family_reunified || r.arrived_in_denmark.is_some());
            continue;
        };
        couples += 1;
        let spouse = &pop[s];
        assert_ne!(s, i);
        assert_eq!(spouse.spouse, Some(i), "spouses must point at each other");
        assert_ne!(spouse.sex, r.sex);
        assert!(r.age_on(on) >= 18 && spouse.age_on(on) >= 18, "married under 18");
        assert_eq!((&spouse.postcode, &spouse.street, spouse.area_code), (&r.postcode, &r.street, r.area_code));
        assert_eq!(spouse.household, r.household);
    }
    assert!(couples > pop.len() / 4, "only {couples} married residents");
}

#[test]
fn residents_are_valid_by_the_reference_data() {
    let pop = twenty_thousand();
    let on = population_day();
    let areas = areas();
    let mut households = HashSet::new();
    let mut previous = None;
    for r in pop {
        let area = areas.iter().find(|a| a.code == r.area_code).expect("a known area");
        assert!(area.postcodes.contains(&r.postcode), "{} outside {}", r.postcode, r.area_code);
        assert!(!r.street.is_empty() && !r.given_name.trim().is_empty() && !r.family_name.trim().is_empty());
        assert!(domain::reference::country(&r.country_of_origin).is_some(), "{}", r.country_of_origin);
        assert!(!r.languages.is_empty());
        for l in &r.languages {
            assert!(domain::reference::language(l).is_some(), "{l}");
        }
        assert!((0..=100).contains(&r.age_on(on)));
        match r.arrived_in_denmark {
            None => assert!(r.languages.iter().any(|l| l == "da"), "born here without Danish"),
            Some(a) => {
                assert!(a >= r.birth_date && a <= on, "arrived {a}, born {}", r.birth_date);
                assert_ne!(r.country_of_origin, "DK");
            }
        }
        if r.in_integration_programme {
            assert!(r.arrived_in_denmark.is_some_and(|a| a.year() >= 1999 && age_on(r.birth_date, a) >= 18));
        }
        // Households are contiguous and share one address.
        if previous != Some(r.household) {
            assert!(households.insert(r.household), "household {} split", r.household);
        }
        previous = Some(r.household);
    }
    for pair in pop.windows(2) {
        if pair[0].household == pair[1].household {
            assert_eq!((&pair[0].street, &pair[0].postcode), (&pair[1].street, &pair[1].postcode));
        }
    }
    // Siblings do not share a given name, and a Polish name agrees with its bearer.
    let mut names: HashMap<usize, HashSet<&str>> = HashMap::new();
    let repeated = pop.iter().filter(|r| !names.entry(r.household).or_default().insert(&r.given_name)).count();
    assert!(repeated * 1000 <= households.len(), "{repeated} given names repeated within a household");
    for r in pop.iter().filter(|r| r.family_name.ends_with("ski")) {
        assert_eq!(r.sex, synth::population::Sex::Male, "{} {}", r.given_name, r.family_name);
    }
}

#[test]
fn a_population_of_twenty_thousand_has_realistic_shares() {
    let s = population_shares(twenty_thousand());
    eprintln!("{s:#?}");
    assert!((0.75..=0.92).contains(&s.dk_born), "born in Denmark {}", s.dk_born);
    assert!((0.8..=0.9).contains(&s.danish_origin), "Danish origin {}", s.danish_origin);
    assert!((0.02..=0.07).contains(&s.other_western), "other Western {}", s.other_western);
    assert!((0.08..=0.14).contains(&s.non_western), "non-Western {}", s.non_western);
    let [young, working, old] = s.age_groups;
    assert!((0.16..=0.25).contains(&young) && (0.55..=0.66).contains(&working) && (0.15..=0.25).contains(&old));
    assert!((1.8..=2.4).contains(&s.mean_household), "{}", s.mean_household);
    assert!((0.6..=0.85).contains(&s.employed), "employed {}", s.employed);
    assert!((0.1..=0.25).contains(&s.on_benefit), "on a benefit {}", s.on_benefit);
    assert!(s.target_group > 0);
    assert!((0.05..=0.25).contains(&s.target_share), "target group {} of non-Western women", s.target_share);
    assert!(
        s.target_share_reunified > 2.0 * s.target_share_others,
        "reunified {} vs others {}",
        s.target_share_reunified,
        s.target_share_others
    );
    // Segregation: the estates hold far more non-Western residents than the villa areas.
    let nw = |code: &str| s.non_western_by_area.iter().find(|a| a.0 == code).unwrap().1;
    assert!(nw("vestparken") > 3.0 * nw("strandby") && nw("vestparken") > 0.25, "{:?}", s.non_western_by_area);
}

#[test]
fn the_target_group_fits_its_definition_and_reunified_women_are_supported() {
    use synth::population::Sex;
    let pop = twenty_thousand();
    let on = population_day();
    let target: Vec<_> = pop.iter().filter(|r| r.in_target_group(on)).collect();
    assert!(!target.is_empty());
    for r in &target {
        assert_eq!(r.sex, Sex::Female);
        assert!((18..=64).contains(&r.age_on(on)));
        assert!(is_non_western(&r.country_of_origin), "{}", r.country_of_origin);
        assert!(!r.employed && !r.on_benefit);
    }
    // And nobody outside it fits.
    let fits = |r: &synth::population::Resident| {
        r.sex == Sex::Female
            && (18..=64).contains(&r.age_on(on))
            && is_non_western(&r.country_of_origin)
            && !r.employed
            && !r.on_benefit
    };
    assert_eq!(pop.iter().filter(|r| fits(r)).count(), target.len());

    let reunified: Vec<_> = target.iter().filter(|r| r.family_reunified).collect();
    assert!(reunified.len() >= 10, "only {} reunified women in the target group", reunified.len());
    let supported = reunified.iter().filter(|r| r.spouse.is_some_and(|s| pop[s].employed)).count();
    assert!(supported * 10 >= reunified.len() * 8, "{supported} of {} have a working spouse", reunified.len());
    // Everyone reunified came from abroad, after the rules allowed it.
    for r in pop.iter().filter(|r| r.family_reunified) {
        let arrived = r.arrived_in_denmark.unwrap();
        assert!(age_on(r.birth_date, arrived) >= 18);
        assert!(arrived.year() < 2002 || age_on(r.birth_date, arrived) >= 24, "reunified under 24 in {arrived}");
    }
}

/// The size the demo runs at; fast enough to make in an unoptimised test.
#[test]
fn a_population_of_a_hundred_thousand() {
    let started = std::time::Instant::now();
    let pop = synth::population::population(POPULATION_SEED, 100_000, population_day());
    let took = started.elapsed();
    assert_eq!(pop.len(), 100_000);
    let s = population_shares(&pop);
    eprintln!("made in {took:?}: {s:#?}");
    assert!((0.05..=0.25).contains(&s.target_share), "{}", s.target_share);
    assert!((0.6..=0.85).contains(&s.employed), "{}", s.employed);
}
