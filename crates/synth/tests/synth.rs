//! The synthetic municipality: reproducible, valid by the domain's own rules, and
//! shaped like the real thing.
// Test code: helpers outside #[test] fns may unwrap too — a failed step must stop the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::too_many_arguments)]

use domain::PhoneNumber;
use domain::funnel::{Channel, EventKind, FunnelRules, Stage, TransitionInput, replay};
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

fn channel_for(kind: SourceKind) -> Channel {
    match kind {
        SourceKind::RegisterRun => Channel::RegisterSearch,
        SourceKind::Ambassador => Channel::Ambassador,
        SourceKind::Partner => Channel::Partner,
        SourceKind::SelfReferral => Channel::SelfReferral,
        SourceKind::Other => Channel::Other,
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
            assert_eq!(first.input.channel, channel_for(p.sources[0].kind));
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
        assert!(kinds.contains(kind), "no source {kind:?}");
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
