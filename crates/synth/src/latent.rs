//! A woman before anything about her is written down: origin, languages, names, birth
//! and arrival, her segment (G-1.2), what motivates her (G-3) and her street address.

use crate::origin::{ORIGINS, Origin, Schooling};
use crate::pick::{any, chance, common, weighted};
use crate::{age_on, day_aged, names, origin, years_before};
use domain::person::{DanishLevel, Education, Network, Segment, SpokenLanguage, WorkExperience};
use domain::reference::MotivationFactor;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use time::Date;

/// A woman before anything about her is written down.
pub(crate) struct Latent {
    pub(crate) origin: &'static Origin,
    pub(crate) languages: Vec<SpokenLanguage>,
    pub(crate) given_name: String,
    pub(crate) family_name: String,
    pub(crate) birth: Date,
    pub(crate) arrived: Date,
    pub(crate) years_in_denmark: i32,
    pub(crate) segment: Segment,
}

pub(crate) fn latent(rng: &mut ChaCha8Rng, today: Date) -> Latent {
    let origin = weighted(rng, ORIGINS, |o| o.weight).unwrap_or(&ORIGINS[0]);
    let first = weighted(rng, origin.languages, |l| l.weight);
    let first_code = first.map_or(origin.main_language(), |l| l.code);
    let kurdish = matches!(first_code, "ckb" | "kmr");

    let age = {
        let bands = [(18, 24, 10), (25, 34, 30), (35, 44, 30), (45, 54, 20), (55, 64, 10)];
        let (lo, hi, _) = weighted(rng, &bands, |b| b.2).copied().unwrap_or((25, 34, 1));
        rng.random_range(lo..=hi)
    };
    let mut birth = day_aged(rng, today, age);
    if chance(rng, origin.first_of_january) {
        let jan1 = Date::from_calendar_date(birth.year(), time::Month::January, 1);
        if let Some(d) = jan1.ok().filter(|d| (18..=64).contains(&age_on(*d, today))) {
            birth = d;
        }
    }
    if !(18..=64).contains(&age_on(birth, today)) {
        birth = years_before(today, age);
    }
    let age = age_on(birth, today);
    // She came at ten or older, one to thirty years ago.
    let latest_possible = (age - 11).clamp(1, 30);
    let (lo, hi) = origin.arrival_years_ago;
    let lo = i32::try_from(lo).unwrap_or(1);
    let hi = i32::try_from(hi).unwrap_or(30);
    let (lo, hi) =
        if chance(rng, 0.75) && lo <= latest_possible { (lo, hi.min(latest_possible)) } else { (1, latest_possible) };
    let years_in_denmark = rng.random_range(lo..=hi.max(lo));
    let arrived = day_aged(rng, today, years_in_denmark);

    let segment = segment(rng, origin, years_in_denmark, age);
    let languages = languages(rng, origin, first, &segment);

    let (given_pool, given_rules) =
        if kurdish && chance(rng, 0.8) { (names::KURDISH_GIVEN, names::KURDISH) } else { (origin.given, origin.rules) };
    let (family_pool, family_rules) = if kurdish && chance(rng, 0.5) {
        (names::KURDISH_FAMILY, names::KURDISH)
    } else if origin.code == "TH" && chance(rng, 0.4) {
        (names::DANISH_FAMILY, names::THAI)
    } else {
        (origin.family, origin.rules)
    };
    let mut given = common(rng, given_pool).copied().unwrap_or("Amina").to_string();
    if origin.code == "VN" && chance(rng, 0.35) {
        given = format!("Thị {given}");
    }
    let mut family = common(rng, family_pool).copied().unwrap_or("").to_string();
    if origin.code == "SO" && chance(rng, 0.25) {
        // Father's and grandfather's names, both carried.
        if let Some(grandfather) = common(rng, family_pool).filter(|g| **g != family) {
            family = format!("{family} {grandfather}");
        }
    }
    let mut given_name = names::spelling(rng, &given, given_rules, 0.3);
    let mut family_name = names::spelling(rng, &family, family_rules, 0.3);
    if origin.code == "VN" && chance(rng, 0.1) {
        // Family name first, as at home, and split the Danish way round.
        std::mem::swap(&mut given_name, &mut family_name);
    }

    Latent { origin, languages, given_name, family_name, birth, arrived, years_in_denmark, segment }
}

pub(crate) fn segment(rng: &mut ChaCha8Rng, origin: &Origin, years: i32, age: i32) -> Segment {
    use DanishLevel as D;
    let danish = match years {
        ..3 => [(D::None, 45), (D::Basic, 45), (D::Conversational, 10), (D::Fluent, 0)],
        3..8 => [(D::None, 18), (D::Basic, 47), (D::Conversational, 29), (D::Fluent, 6)],
        _ => [(D::None, 9), (D::Basic, 30), (D::Conversational, 41), (D::Fluent, 20)],
    };
    use Education as E;
    let education = match origin.schooling {
        Schooling::Low => [(E::None, 30), (E::Primary, 35), (E::Secondary, 18), (E::Vocational, 8), (E::Higher, 9)],
        Schooling::Mid => [(E::None, 9), (E::Primary, 26), (E::Secondary, 30), (E::Vocational, 14), (E::Higher, 21)],
        Schooling::High => [(E::None, 3), (E::Primary, 14), (E::Secondary, 30), (E::Vocational, 18), (E::Higher, 35)],
    };
    let danish_level = weighted(rng, &danish, |d| d.1).map_or(D::Basic, |d| d.0);
    let education = weighted(rng, &education, |e| e.1).map_or(E::Primary, |e| e.0);
    let skilled = matches!(education, E::Higher | E::Vocational);
    let work = [
        (WorkExperience::None, 40),
        (WorkExperience::AbroadOnly, if skilled { 40 } else { 25 }),
        (WorkExperience::InDenmark, if years >= 5 && age >= 25 { 30 } else { 8 }),
    ];
    let fluent = matches!(danish_level, D::Fluent | D::Conversational);
    let network = [
        (Network::Isolated, 22),
        (Network::FamilyOnly, 40),
        (Network::Community, 28),
        (Network::Broad, if fluent { 18 } else { 6 }),
    ];
    Segment {
        education,
        work_experience: weighted(rng, &work, |w| w.1).map_or(WorkExperience::None, |w| w.0),
        network: weighted(rng, &network, |n| n.1).map_or(Network::FamilyOnly, |n| n.0),
        danish_level,
        motivation_note: None,
    }
}

pub(crate) fn languages(
    rng: &mut ChaCha8Rng,
    origin: &Origin,
    first: Option<&origin::Lang>,
    segment: &Segment,
) -> Vec<SpokenLanguage> {
    let mut out = vec![SpokenLanguage {
        code: first.map_or(origin.main_language(), |l| l.code).to_string(),
        dialect: first.and_then(|l| l.dialect).map(str::to_string),
    }];
    let mut add = |code: &str| {
        if !out.iter().any(|l| l.code == code) {
            out.push(SpokenLanguage { code: code.to_string(), dialect: None });
        }
    };
    if first.is_some_and(|l| matches!(l.code, "ckb" | "kmr")) && chance(rng, 0.7) {
        add(origin.main_language());
    }
    if let Some((code, p)) = origin.second
        && chance(rng, p)
    {
        add(code);
    }
    let english = match segment.education {
        Education::Higher => 0.55,
        Education::Secondary => 0.25,
        Education::Vocational => 0.2,
        _ => 0.04,
    };
    if chance(rng, english) {
        add("en");
    }
    if matches!(segment.danish_level, DanishLevel::Conversational | DanishLevel::Fluent) && chance(rng, 0.6) {
        add("da");
    }
    out
}

pub(crate) fn motivation(rng: &mut ChaCha8Rng, latent: &Latent) -> (Vec<MotivationFactor>, Option<String>) {
    use MotivationFactor as M;
    let count = weighted(rng, &[(0, 25), (1, 35), (2, 28), (3, 12)], |c| c.1).map_or(0, |c| c.0);
    let skilled = matches!(latent.segment.education, Education::Higher | Education::Vocational);
    let mut factors = [
        (M::Economy, 30),
        (M::PermanentResidence, if latent.years_in_denmark < 8 { 25 } else { 4 }),
        (M::UseEducation, if skilled { 25 } else { 3 }),
        (M::SelfDevelopment, 20),
        (M::Network, 15),
        (M::RoleModel, 20),
    ];
    let mut chosen = Vec::with_capacity(count);
    for _ in 0..count {
        let Some((f, _)) = weighted(rng, &factors, |f| f.1).copied() else {
            break;
        };
        chosen.push(f);
        for slot in factors.iter_mut().filter(|s| s.0 == f) {
            slot.1 = 0;
        }
    }
    let note = chance(rng, 0.15)
        .then(|| {
            any(
                rng,
                &[
                    "Vil gerne tjene mine egne penge",
                    "Vil gerne bruge min uddannelse",
                    "Vil være et godt eksempel for mine børn",
                    "Vil gerne lære bedre dansk",
                    "Keder mig derhjemme, vil gerne ud blandt andre",
                    "Drømmer om at arbejde i en børnehave",
                    "Vil gerne arbejde med mad",
                ],
            )
            .map(|s| (*s).to_string())
        })
        .flatten();
    (chosen, note)
}

pub(crate) fn street(rng: &mut ChaCha8Rng) -> String {
    const STREETS: &[&str] = &[
        "Rosenvænget",
        "Birkeparken",
        "Nørregade",
        "Skovbrynet",
        "Søndergade",
        "Vestergade",
        "Møllevej",
        "Engvej",
        "Kirkebakken",
        "Lærkevej",
        "Bøgeløkken",
        "Ahornparken",
        "Tranehaven",
        "Havrevænget",
        "Stationsvej",
        "Solsikkevej",
        "Kastanievej",
        "Bellisvej",
        "Nøddehegnet",
        "Pilevangen",
        "Egebakken",
        "Hybenhaven",
        "Rugmarken",
        "Fasanvej",
    ];
    let name = any(rng, STREETS).copied().unwrap_or("Nørregade");
    let number = rng.random_range(1..=120);
    let letter = if chance(rng, 0.1) { "B" } else { "" };
    // Most of the target group lives in flats.
    if chance(rng, 0.7) {
        let floor = match rng.random_range(0..5) {
            0 => "st.".to_string(),
            f => format!("{f}."),
        };
        let side = any(rng, &["th.", "tv.", "mf."]).copied().unwrap_or("th.");
        format!("{name} {number}{letter}, {floor} {side}")
    } else {
        format!("{name} {number}{letter}")
    }
}
