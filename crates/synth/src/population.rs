//! The whole resident population of Søby Kommune, of which the target group (G-1.1) is a
//! small part: the truth from which the municipality's register extracts (G-5.1) are
//! later derived, so that a register search (G-5.2) has something real to find.
//!
//! Residents come household by household: household `h` is drawn from its own ChaCha8
//! stream, its members are adjacent in the output, share one address, and spouses point
//! at each other. A smaller run is the start of a larger one (but for its last
//! household, which is cut to size); only the set of issued CPR numbers is carried from
//! one household to the next.
//!
//! What the population is like (shares approximate, Danmarks Statistik-like):
//! - origin: Danish 85 %, other Western 4 %, non-Western 11 % (immigrants and their
//!   descendants born here, who carry their mother's country of origin; a child with a
//!   parent of Danish origin is of Danish origin). Non-Western countries are those of
//!   the women (`origin`), weighted as for women, but Thai women mostly live with
//!   Danish men and few Thai men come.
//! - ages 0–100 in a Danish-like pyramid, from households of singles, couples with and
//!   without children, and single parents; children leave home from 18.
//! - non-Western residents live mostly in Vestparken, Nørrevang, Højmosen and Østbyen;
//!   Danes everywhere, least in Vestparken.
//! - 18–64-year-olds: about 77 % have income in the income register, 19 % a public
//!   benefit (SU, unemployment, social assistance, integration benefit, early
//!   retirement); from 65 nearly all a pension.
//! - non-Western women 18–64: about one in eight neither employed nor on a benefit (the
//!   target group); women who came through family reunification, whose spouse must
//!   support them and nearly always works, are about five times as likely to be among
//!   them as the others (G-1.2).
//! - CPR: every resident; about 30 % of numbers issued from 2007 on (born here then, or
//!   arrived then) lack modulus 11; women's end in an even digit, men's in an odd one.

use crate::names::{self, Rule};
use crate::origin::{Lang, ORIGINS, Origin, Schooling};
use crate::pick::{any, chance, common, weighted};
use crate::{age_on, areas, day_aged};
use domain::Cpr;
use domain::reference::is_non_western;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;
use time::macros::date;
use time::{Date, Month};

/// Household `h` and woman `h` of [`crate::people`] would otherwise draw the same
/// numbers from the same seed.
const SALT: u64 = 0x0b0e_5eed_9e9a_1a71;

/// The Integration Act (integrationsloven) put newcomers into an integration programme
/// from this day.
const INTEGRATION_ACT: Date = date!(1999 - 01 - 01);

/// From this year a spouse must be 24 to be reunified (the 24-year rule).
const TWENTY_FOUR_YEAR_RULE: i32 = 2002;

/// Numbers without modulus 11 have been issued since this year.
const NO_MODULUS_SINCE: i32 = 2007;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    Female,
    Male,
}

/// One person living in the municipality on the day the population was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resident {
    pub cpr: Cpr,
    pub given_name: String,
    pub family_name: String,
    pub sex: Sex,
    pub birth_date: Date,
    /// ISO 3166 code: "DK" for Danish origin; for immigrants the country they came from,
    /// for descendants their mother's.
    pub country_of_origin: String,
    /// `None` for everyone born in Denmark, descendants included.
    pub arrived_in_denmark: Option<Date>,
    /// One of [`crate::areas`]' codes.
    pub area_code: &'static str,
    pub postcode: String,
    pub street: String,
    /// ISO 639 codes, the one spoken at home first.
    pub languages: Vec<String>,
    /// Has income in the income register (eIndkomst) in the last twelve months.
    pub employed: bool,
    /// Received a public benefit in the last twelve months (SU, unemployment benefit,
    /// social assistance, integration benefit, early retirement, pension).
    pub on_benefit: bool,
    /// Was ever in an integration programme: arrived as a refugee or family-reunified
    /// adult after the Integration Act of 1999.
    pub in_integration_programme: bool,
    /// Came through spousal family reunification to a spouse who had to support them
    /// (maintenance contract, security deposit). Spouses reunified with a refugee are
    /// exempt from that and are not counted here.
    pub family_reunified: bool,
    /// Index of the spouse in the same population; spouses point at each other.
    pub spouse: Option<usize>,
    /// Index of the household; its members are adjacent and share the address (for
    /// family income, as in housing-benefit data).
    pub household: usize,
}

impl Resident {
    /// G-1.1: a woman 18–64, non-Western origin, neither employed nor on a benefit.
    /// Work and benefits are those of the twelve months before the population's day;
    /// `on` only moves her age.
    pub fn in_target_group(&self, on: Date) -> bool {
        self.sex == Sex::Female
            && (18..=64).contains(&self.age_on(on))
            && !self.employed
            && !self.on_benefit
            && is_non_western(&self.country_of_origin)
    }

    pub fn age_on(&self, on: Date) -> i32 {
        age_on(self.birth_date, on)
    }

    /// Came to Denmark (or was born here) more than `years` years before `on`, to the
    /// day: the G-5.2 example's "more than three years in Denmark".
    pub fn in_denmark_more_than(&self, years: i32, on: Date) -> bool {
        let since = self.arrived_in_denmark.unwrap_or(self.birth_date);
        let year = since.year() + years;
        // 29 February in a year without one counts from 1 March.
        let anniversary = Date::from_calendar_date(year, since.month(), since.day())
            .or_else(|_| Date::from_calendar_date(year, Month::March, 1));
        anniversary.is_ok_and(|a| a < on)
    }

    /// Whole years lived in Denmark.
    pub fn years_in_denmark(&self, on: Date) -> i32 {
        match self.arrived_in_denmark {
            Some(arrived) => age_on(arrived, on).max(0),
            None => self.age_on(on),
        }
    }
}

/// `size` residents of Søby Kommune as they live on `today`, deterministic from `seed`
/// (fewer only for a `today` after 2057, beyond the CPR's centuries).
pub fn population(seed: u64, size: usize, today: Date) -> Vec<Resident> {
    let places = places();
    let mut out: Vec<Resident> = Vec::with_capacity(size);
    let mut issued: HashSet<u64> = HashSet::with_capacity(size);
    let mut household = 0usize;
    // Only a date outside the CPR's centuries fails, and then every household does.
    let mut failures = 0u32;
    while out.len() < size && failures < 1_000 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ SALT);
        rng.set_stream(household as u64);
        let mut g = Gen { rng, today };
        let mut members = g.household();
        g.work(&mut members);
        let Some(place) = g.place(&places, &members) else {
            break;
        };
        let street = g.street(place);
        let postcode = any(&mut g.rng, &place.postcodes).cloned().unwrap_or_default();

        members.truncate(size - out.len());
        let kept = members.len();
        for m in &mut members {
            m.spouse = m.spouse.filter(|s| *s < kept);
        }
        let cprs: Option<Vec<Cpr>> = members.iter().map(|m| g.cpr(m, &mut issued)).collect();
        household += 1;
        let Some(cprs) = cprs else {
            failures += 1;
            continue;
        };
        failures = 0;
        let base = out.len();
        for (m, cpr) in members.into_iter().zip(cprs) {
            let in_integration_programme = (m.refugee || m.family_reunified)
                && m.arrived.is_some_and(|a| a >= INTEGRATION_ACT && age_on(m.birth, a) >= 18);
            out.push(Resident {
                cpr,
                given_name: m.given_name,
                family_name: m.family_name,
                sex: m.sex,
                birth_date: m.birth,
                country_of_origin: m.background.code().to_string(),
                arrived_in_denmark: m.arrived,
                area_code: place.code,
                postcode: postcode.clone(),
                street: street.clone(),
                languages: m.languages,
                employed: m.employed,
                on_benefit: m.on_benefit,
                in_integration_programme,
                family_reunified: m.family_reunified,
                spouse: m.spouse.map(|s| base + s),
                household: household - 1,
            });
        }
    }
    out
}

/// Where a resident's family comes from.
#[derive(Debug, Clone, Copy)]
enum Background {
    Danish,
    Western(&'static Western),
    NonWestern(&'static Origin),
}

impl Background {
    fn code(self) -> &'static str {
        match self {
            Background::Danish => "DK",
            Background::Western(w) => w.code,
            Background::NonWestern(o) => o.code,
        }
    }
}

/// A resident before the household is placed and numbered.
struct Member {
    sex: Sex,
    birth: Date,
    background: Background,
    /// The language spoken at home, for non-Western families.
    first: Option<&'static Lang>,
    arrived: Option<Date>,
    given_name: String,
    family_name: String,
    languages: Vec<String>,
    /// Came as a refugee or was reunified with one: integration programme and benefits,
    /// no maintenance contract.
    refugee: bool,
    family_reunified: bool,
    /// Index within the household.
    spouse: Option<usize>,
    /// Lives with a parent.
    child: bool,
    employed: bool,
    on_benefit: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Single,
    Couple,
    SingleParent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Danish,
    /// A Dane with a partner from abroad.
    Mixed,
    Western,
    NonWestern,
}

/// Children ever born, in a Danish-like and a non-Western-like family.
const DANISH_KIDS: &[(u32, u32)] = &[(0, 12), (1, 18), (2, 44), (3, 20), (4, 6)];
const WESTERN_KIDS: &[(u32, u32)] = &[(0, 20), (1, 30), (2, 35), (3, 15)];
const NON_WESTERN_KIDS: &[(u32, u32)] = &[(0, 6), (1, 12), (2, 28), (3, 26), (4, 16), (5, 12)];

/// A husband's age minus his wife's.
const AGE_GAP: &[(i32, i32, u32)] = &[(-4, 0, 25), (1, 4, 50), (5, 10, 25)];

/// One household's generator.
struct Gen {
    rng: ChaCha8Rng,
    today: Date,
}

impl Gen {
    fn chance(&mut self, p: f64) -> bool {
        chance(&mut self.rng, p)
    }

    fn range(&mut self, lo: i32, hi: i32) -> i32 {
        self.rng.random_range(lo..=hi.max(lo))
    }

    fn age_in(&mut self, bands: &[(i32, i32, u32)]) -> i32 {
        let (lo, hi, _) = weighted(&mut self.rng, bands, |b| b.2).copied().unwrap_or((30, 40, 1));
        self.range(lo, hi)
    }

    fn count(&mut self, table: &[(u32, u32)]) -> u32 {
        weighted(&mut self.rng, table, |c| c.1).map_or(0, |c| c.0)
    }

    fn sex(&mut self, p_female: f64) -> Sex {
        if self.chance(p_female) { Sex::Female } else { Sex::Male }
    }

    /// A day `years` (whole years) before today: a birthday for that age, or an arrival.
    fn years_ago(&mut self, years: i32) -> Date {
        day_aged(&mut self.rng, self.today, years.max(0))
    }

    fn household(&mut self) -> Vec<Member> {
        let kinds = [(Kind::Danish, 860), (Kind::Mixed, 20), (Kind::Western, 40), (Kind::NonWestern, 78)];
        let mut members = match weighted(&mut self.rng, &kinds, |k| k.1).map_or(Kind::Danish, |k| k.0) {
            Kind::Danish => self.danish(),
            Kind::Mixed => self.mixed(),
            Kind::Western => self.western(),
            Kind::NonWestern => self.non_western(),
        };
        self.distinct_given_names(&mut members);
        members
    }

    /// Parents do not give two children one name, however spelt (nor a child a
    /// parent's, mostly).
    fn distinct_given_names(&mut self, members: &mut [Member]) {
        // "Hussein" and "Husein", "Ayşe" and "Ayse" are one name.
        let key = |name: &str| {
            let mut k: Vec<char> = names::fold(name).to_lowercase().chars().collect();
            k.dedup();
            k
        };
        for i in 1..members.len() {
            let (before, rest) = members.split_at_mut(i);
            let Some(m) = rest.first_mut() else { continue };
            for _ in 0..5 {
                let mine = key(&m.given_name);
                if !before.iter().any(|b| key(&b.given_name) == mine) {
                    break;
                }
                m.given_name = self.name(m.background, m.first, m.sex, m.birth).0;
            }
        }
    }

    fn shape(&mut self, shapes: &[(Shape, u32)]) -> Shape {
        weighted(&mut self.rng, shapes, |s| s.1).map_or(Shape::Single, |s| s.0)
    }

    fn danish(&mut self) -> Vec<Member> {
        let bg = Background::Danish;
        match self.shape(&[(Shape::Single, 40), (Shape::Couple, 48), (Shape::SingleParent, 8)]) {
            Shape::Single => {
                let age = self.age_in(&[
                    (18, 24, 14),
                    (25, 34, 17),
                    (35, 49, 14),
                    (50, 64, 17),
                    (65, 79, 24),
                    (80, 89, 12),
                    (90, 100, 2),
                ]);
                // Women outlive men.
                let sex = self.sex(match age {
                    ..30 => 0.45,
                    30..65 => 0.42,
                    65..80 => 0.6,
                    _ => 0.72,
                });
                let birth = self.years_ago(age);
                vec![self.member(bg, None, sex, birth, None)]
            }
            Shape::Couple => {
                let wife_age = self.age_in(&[
                    (20, 29, 10),
                    (30, 39, 13),
                    (40, 49, 14),
                    (50, 59, 16),
                    (60, 69, 16),
                    (70, 79, 13),
                    (80, 92, 3),
                ]);
                let husband_age = (wife_age + self.age_in(AGE_GAP)).clamp(18, 100);
                let (wb, hb) = (self.years_ago(wife_age), self.years_ago(husband_age));
                let mut wife = self.member(bg, None, Sex::Female, wb, None);
                let husband = self.member(bg, None, Sex::Male, hb, None);
                if self.chance(0.5) {
                    wife.family_name.clone_from(&husband.family_name);
                }
                let family_name = husband.family_name.clone();
                let mut members = marry(wife, husband);
                for age in self.child_ages(wife_age, DANISH_KIDS, (23, 34), false) {
                    let birth = self.years_ago(age);
                    members.push(self.child(bg, None, birth, None, &family_name));
                }
                members
            }
            Shape::SingleParent => {
                let age = self.age_in(&[(22, 29, 15), (30, 39, 40), (40, 55, 45)]);
                let sex = self.sex(0.82);
                let birth = self.years_ago(age);
                let parent = self.member(bg, None, sex, birth, None);
                let family_name = parent.family_name.clone();
                let mother_age = if sex == Sex::Female { age } else { age - 3 };
                let mut members = vec![parent];
                for age in self.child_ages(mother_age, DANISH_KIDS, (22, 34), true) {
                    let birth = self.years_ago(age);
                    members.push(self.child(bg, None, birth, None, &family_name));
                }
                members
            }
        }
    }

    /// A Dane and a partner from abroad: Thai women above all, then other non-Western
    /// and Western partners.
    fn mixed(&mut self) -> Vec<Member> {
        let foreign = if self.chance(0.4) {
            Background::Western(weighted(&mut self.rng, WESTERN, |w| w.weight).unwrap_or(&WESTERN[0]))
        } else if self.chance(0.55) {
            Background::NonWestern(ORIGINS.iter().find(|o| o.code == "TH").unwrap_or(&ORIGINS[0]))
        } else {
            Background::NonWestern(
                weighted(&mut self.rng, ORIGINS, |o| if o.code == "TH" { 0 } else { o.weight }).unwrap_or(&ORIGINS[0]),
            )
        };
        let (first, thai, non_western) = match foreign {
            Background::NonWestern(o) => (weighted(&mut self.rng, o.languages, |l| l.weight), o.code == "TH", true),
            _ => (None, false, false),
        };
        let foreign_wife = self.chance(if thai {
            0.96
        } else if non_western {
            0.6
        } else {
            0.55
        });
        let wife_age = self.age_in(&[(22, 29, 15), (30, 39, 30), (40, 49, 25), (50, 64, 22), (65, 80, 8)]);
        let gap = if thai && foreign_wife { self.range(3, 15) } else { self.age_in(AGE_GAP) };
        let husband_age = (wife_age + gap).clamp(18, 100);
        let (wb, hb) = (self.years_ago(wife_age), self.years_ago(husband_age));
        // They met as adults, most before fifty.
        let foreign_age = if foreign_wife { wife_age } else { husband_age };
        let earliest = (foreign_age - 50).max(0);
        let candidate = self.range(earliest, (foreign_age - 20).min(35).max(earliest));
        // EU partners come under EU rules, not Danish family reunification.
        let Some(arrived) = self.arrival_as_adult(if foreign_wife { wb } else { hb }, candidate, non_western) else {
            return self.danish();
        };
        let (wife_bg, husband_bg) =
            if foreign_wife { (foreign, Background::Danish) } else { (Background::Danish, foreign) };
        let (wife_first, husband_first) = if foreign_wife { (first, None) } else { (None, first) };
        let mut wife = self.member(wife_bg, wife_first, Sex::Female, wb, foreign_wife.then_some(arrived));
        let mut husband = self.member(husband_bg, husband_first, Sex::Male, hb, (!foreign_wife).then_some(arrived));
        let maiden_name = wife.family_name.clone();
        if foreign_wife {
            wife.family_reunified = non_western;
            if self.chance(if thai {
                0.6
            } else if non_western {
                0.3
            } else {
                0.5
            }) {
                wife.family_name.clone_from(&husband.family_name);
            }
        } else {
            husband.family_reunified = non_western;
            if self.chance(0.3) {
                wife.family_name = female_form(&husband.family_name);
            }
        }
        let fathers_name = foreign_wife || wife.family_name == female_form(&husband.family_name) || self.chance(0.5);
        let kids_name = if fathers_name { husband.family_name.clone() } else { wife.family_name.clone() };
        let mut members = marry(wife, husband);
        for age in self.child_ages(wife_age, DANISH_KIDS, (22, 34), false) {
            let birth = self.years_ago(age);
            if foreign_wife && birth < arrived {
                // Her child from before, who came with her.
                members.push(self.child(foreign, first, birth, Some(arrived), &maiden_name));
                continue;
            }
            let mut kid = self.child(Background::Danish, None, birth, None, &kids_name);
            if self.chance(0.25) {
                kid.given_name = self.name(foreign, first, kid.sex, birth).0;
            }
            let home = match foreign {
                Background::Western(w) => Some(w.language),
                _ => first.map(|l| l.code),
            };
            if let Some(code) = home.filter(|c| !kid.languages.iter().any(|l| l == c))
                && self.chance(0.5)
            {
                kid.languages.push(code.to_string());
            }
            members.push(kid);
        }
        members
    }

    /// Labour migrants from the EU and the Nordic countries: mostly young, many alone.
    fn western(&mut self) -> Vec<Member> {
        let w = weighted(&mut self.rng, WESTERN, |w| w.weight).unwrap_or(&WESTERN[0]);
        let bg = Background::Western(w);
        let span = if self.chance(0.7) { 12 } else { 30 };
        match self.shape(&[(Shape::Single, 55), (Shape::Couple, 45)]) {
            Shape::Couple => {
                let wife_age = self.age_in(&[(22, 29, 30), (30, 44, 50), (45, 64, 20)]);
                let husband_age = (wife_age + self.age_in(AGE_GAP)).clamp(18, 100);
                let years = self.range(0, span.min(wife_age.min(husband_age) - 18));
                let arrived = self.years_ago(years);
                let (wb, hb) = (self.years_ago(wife_age), self.years_ago(husband_age));
                let mut wife = self.member(bg, None, Sex::Female, wb, Some(arrived));
                let husband = self.member(bg, None, Sex::Male, hb, Some(arrived));
                if self.chance(0.6) {
                    wife.family_name = female_form(&husband.family_name);
                }
                let family_name = husband.family_name.clone();
                let mut members = marry(wife, husband);
                for age in self.child_ages(wife_age, WESTERN_KIDS, (22, 33), false) {
                    let birth = self.years_ago(age);
                    members.push(self.child(bg, None, birth, Some(arrived), &family_name));
                }
                members
            }
            _ => {
                let age = self.age_in(&[(20, 29, 40), (30, 44, 35), (45, 64, 20), (65, 85, 5)]);
                let sex = self.sex(0.4);
                let years = self.range(0, span.min(age - 18));
                let arrived = self.years_ago(years);
                let birth = self.years_ago(age);
                vec![self.member(bg, None, sex, birth, Some(arrived))]
            }
        }
    }

    fn non_western(&mut self) -> Vec<Member> {
        // Thai women mostly live with Danish men (see `mixed`); few Thai men come.
        let origin =
            weighted(&mut self.rng, ORIGINS, |o| if o.code == "TH" { 1 } else { o.weight }).unwrap_or(&ORIGINS[0]);
        let first = weighted(&mut self.rng, origin.languages, |l| l.weight);
        match self.shape(&[(Shape::Couple, 58), (Shape::SingleParent, 12), (Shape::Single, 30)]) {
            Shape::Couple => self.non_western_couple(origin, first),
            Shape::SingleParent => self.non_western_single_parent(origin, first),
            Shape::Single => self.non_western_single(origin, first),
        }
    }

    fn non_western_couple(&mut self, o: &'static Origin, first: Option<&'static Lang>) -> Vec<Member> {
        let bg = Background::NonWestern(o);
        let descendant_head = self.chance(descendant_share(o.code));
        let wife_age = if descendant_head {
            self.age_in(&[(20, 29, 35), (30, 39, 40), (40, 52, 25)])
        } else {
            self.age_in(&[(20, 29, 18), (30, 39, 30), (40, 49, 25), (50, 64, 18), (65, 85, 9)])
        };
        let husband_age = (wife_age + self.age_in(&[(-2, 0, 15), (1, 4, 45), (5, 10, 40)])).clamp(18, 100);
        let (wb, hb) = (self.years_ago(wife_age), self.years_ago(husband_age));

        // (her arrival, his arrival, who was reunified with a supporting spouse, refugees)
        let (her_arrival, his_arrival, reunified, refugee) = if descendant_head {
            // Marriage migration: one grew up here, the other came to marry (G-1.2).
            let reverse = self.chance(0.2);
            let candidate = self.range(0, 15);
            let came = if self.chance(0.45) {
                self.arrival_as_adult(if reverse { hb } else { wb }, candidate, true)
            } else {
                None
            };
            match came {
                Some(d) if reverse => (None, Some(d), Some(Sex::Male), false),
                Some(d) => (Some(d), None, Some(Sex::Female), false),
                None => (None, None, None, false),
            }
        } else {
            let refugee = self.chance(refugee_share(o.code));
            let his_years = self.settled_years(o, husband_age, 18);
            let his_arrival = self.years_ago(his_years);
            let lag = if self.chance(0.35) { self.range(1, 6) } else { 0 };
            // Reunification with a refugee has no 24-year rule to meet.
            let later = if lag == 0 { None } else { self.arrival_as_adult(wb, his_years - lag, !refugee) };
            match later {
                Some(d) => (Some(d), Some(his_arrival), (!refugee).then_some(Sex::Female), refugee),
                None => (Some(his_arrival), Some(his_arrival), None, refugee),
            }
        };

        let mut wife = self.member(bg, first, Sex::Female, wb, her_arrival);
        let mut husband = self.member(bg, first, Sex::Male, hb, his_arrival);
        wife.refugee = refugee;
        husband.refugee = refugee;
        wife.family_reunified = reunified == Some(Sex::Female);
        husband.family_reunified = reunified == Some(Sex::Male);
        if self.chance(takes_husbands_name(o.code)) {
            wife.family_name.clone_from(&husband.family_name);
        }
        let family_name = if patronymic(o.code) {
            husband.given_name.split(' ').next().unwrap_or_default().to_string()
        } else {
            husband.family_name.clone()
        };
        let family_arrival = wife.arrived;
        let mut members = marry(wife, husband);
        for age in self.child_ages(wife_age, NON_WESTERN_KIDS, (19, 30), false) {
            let birth = self.years_ago(age);
            members.push(self.child(bg, first, birth, family_arrival, &family_name));
        }
        members
    }

    fn non_western_single_parent(&mut self, o: &'static Origin, first: Option<&'static Lang>) -> Vec<Member> {
        let bg = Background::NonWestern(o);
        let age = self.age_in(&[(22, 29, 25), (30, 39, 40), (40, 55, 35)]);
        let sex = self.sex(0.9);
        let descendant = self.chance(descendant_share(o.code));
        let refugee = !descendant && self.chance(refugee_share(o.code));
        let arrived = if descendant {
            None
        } else {
            let years = self.settled_years(o, age, 18);
            Some(self.years_ago(years))
        };
        let birth = self.years_ago(age);
        let mut parent = self.member(bg, first, sex, birth, arrived);
        parent.refugee = refugee;
        let mother_age = if sex == Sex::Female { age } else { age - 4 };
        let keep_own = patronymic(o.code) && sex == Sex::Female;
        let family_name = if sex == Sex::Male && patronymic(o.code) {
            parent.given_name.split(' ').next().unwrap_or_default().to_string()
        } else {
            parent.family_name.clone()
        };
        let mut members = vec![parent];
        for age in self.child_ages(mother_age, NON_WESTERN_KIDS, (19, 30), true) {
            let birth = self.years_ago(age);
            let mut kid = self.child(bg, first, birth, arrived, &family_name);
            if keep_own {
                // Named after the father who does not live here.
                kid.family_name = self.name(bg, first, kid.sex, birth).1;
            }
            members.push(kid);
        }
        members
    }

    fn non_western_single(&mut self, o: &'static Origin, first: Option<&'static Lang>) -> Vec<Member> {
        let bg = Background::NonWestern(o);
        let who = weighted(&mut self.rng, &[(0u8, 50), (1, 25), (2, 25)], |w| w.1).map_or(0, |w| w.0);
        let descendant = who == 1 && descendant_share(o.code) > 0.0;
        let (age, sex) = match who {
            1 if descendant => {
                let age = self.range(20, 35);
                (age, self.sex(0.5))
            }
            2 => {
                let age = self.age_in(&[(45, 64, 50), (65, 90, 50)]);
                (age, self.sex(0.6))
            }
            _ => {
                let age = self.range(18, 39);
                (age, self.sex(0.3))
            }
        };
        let birth = self.years_ago(age);
        let refugee = !descendant && self.chance(refugee_share(o.code));
        let arrived = if descendant {
            None
        } else {
            // Some of the young came as unaccompanied minors.
            let years = self.settled_years(o, age, if age < 30 { 15 } else { 18 });
            Some(self.years_ago(years))
        };
        let mut m = self.member(bg, first, sex, birth, arrived);
        m.refugee = refugee;
        vec![m]
    }

    /// Years since an immigrant of `age` came, having come at `min_age` or older.
    fn settled_years(&mut self, o: &Origin, age: i32, min_age: i32) -> i32 {
        let most = (age - min_age).max(0);
        if guest_workers(o.code) && age >= 60 && self.chance(0.7) {
            return self.range(40.min(most), 55.min(most));
        }
        let (lo, hi) = o.arrival_years_ago;
        let (lo, hi) =
            if self.chance(0.75) { (i32::try_from(lo).unwrap_or(1), i32::try_from(hi).unwrap_or(30)) } else { (1, 30) };
        self.range(lo.min(most), hi.min(most))
    }

    /// When someone born on `birth` came to a spouse here, about `years` ago: as an
    /// adult, and if `reunified` from 2002 at 24 or older; `None` when the rules would not
    /// have let them come yet.
    fn arrival_as_adult(&mut self, birth: Date, years: i32, reunified: bool) -> Option<Date> {
        if years < 0 {
            return None;
        }
        let mut arrived = self.years_ago(years).max(birthday(birth, 18));
        if reunified && arrived.year() >= TWENTY_FOUR_YEAR_RULE {
            arrived = arrived.max(birthday(birth, 24));
        }
        (arrived <= self.today).then_some(arrived)
    }

    /// Ages of the children still living with a mother of `mother_age`: born from a
    /// first birth in `first_at` on, one to five years apart, leaving home from 18.
    fn child_ages(
        &mut self,
        mother_age: i32,
        ever: &[(u32, u32)],
        first_at: (i32, i32),
        at_least_one: bool,
    ) -> Vec<i32> {
        let mut ages = Vec::new();
        let mut at = self.range(first_at.0, first_at.1);
        for _ in 0..self.count(ever) {
            if at > mother_age || at > 45 {
                break;
            }
            let age = mother_age - at;
            let leaves = match age {
                ..18 => 0.0,
                18 => 0.15,
                19 => 0.3,
                20 => 0.45,
                21 => 0.55,
                22 => 0.65,
                23 => 0.75,
                24 => 0.85,
                _ => 1.0,
            };
            if !self.chance(leaves) {
                ages.push(age);
            }
            at += weighted(&mut self.rng, &[(1, 15), (2, 35), (3, 25), (4, 15), (5, 10)], |g| g.1).map_or(2, |g| g.0);
        }
        if ages.is_empty() && at_least_one {
            let oldest = (mother_age - first_at.0).clamp(0, 17);
            ages.push(self.range(0, oldest));
        }
        ages
    }

    fn child(
        &mut self,
        bg: Background,
        first: Option<&'static Lang>,
        birth: Date,
        family_arrival: Option<Date>,
        family_name: &str,
    ) -> Member {
        let sex = self.sex(0.49);
        let arrived = family_arrival.filter(|a| birth < *a);
        let mut kid = self.member(bg, first, sex, birth, arrived);
        kid.family_name = if sex == Sex::Female { female_form(family_name) } else { family_name.to_string() };
        kid.child = true;
        kid
    }

    fn member(
        &mut self,
        bg: Background,
        first: Option<&'static Lang>,
        sex: Sex,
        birth: Date,
        arrived: Option<Date>,
    ) -> Member {
        let mut birth = birth;
        if let (Background::NonWestern(o), Some(_)) = (bg, arrived)
            && self.chance(o.first_of_january)
        {
            // Refugees without papers were registered as born on 1 January.
            birth = Date::from_calendar_date(birth.year(), Month::January, 1).unwrap_or(birth);
        }
        let (given_name, family_name) = self.name(bg, first, sex, birth);
        let languages = self.languages(bg, first, birth, arrived);
        Member {
            sex,
            birth,
            background: bg,
            first,
            arrived,
            given_name,
            family_name,
            languages,
            refugee: false,
            family_reunified: false,
            spouse: None,
            child: false,
            employed: false,
            on_benefit: false,
        }
    }

    fn name(&mut self, bg: Background, first: Option<&'static Lang>, sex: Sex, birth: Date) -> (String, String) {
        let female = sex == Sex::Female;
        match bg {
            Background::Danish => {
                let generation = match birth.year() {
                    ..1965 => 0,
                    1965..1990 => 1,
                    _ => 2,
                };
                let pool = if female { DANISH_FEMALE[generation] } else { DANISH_MALE[generation] };
                let given = common(&mut self.rng, pool).copied().unwrap_or("Anne");
                let family = if self.chance(0.7) {
                    common(&mut self.rng, names::DANISH_FAMILY)
                } else {
                    common(&mut self.rng, DANISH_FAMILY_MORE)
                };
                (given.to_string(), family.copied().unwrap_or("Jensen").to_string())
            }
            Background::Western(w) => {
                let given = common(&mut self.rng, if female { w.female } else { w.male }).copied().unwrap_or("Anna");
                let family = common(&mut self.rng, w.family).copied().unwrap_or("Nowak");
                let family = if female { female_form(family) } else { family.to_string() };
                (given.to_string(), family)
            }
            Background::NonWestern(o) => {
                let kurdish = first.is_some_and(|l| matches!(l.code, "ckb" | "kmr"));
                let kurdish_given = kurdish && self.chance(0.8);
                let kurdish_family = kurdish && self.chance(0.5);
                let (pool, given_rules): (&[&str], &[Rule]) = match (female, kurdish_given) {
                    (true, true) => (names::KURDISH_GIVEN, names::KURDISH),
                    (true, false) => (o.given, o.rules),
                    (false, true) => (KURDISH_MALE, names::KURDISH),
                    (false, false) => (male_given(o.code), o.rules),
                };
                let (family_pool, family_rules) =
                    if kurdish_family { (names::KURDISH_FAMILY, names::KURDISH) } else { (o.family, o.rules) };
                let mut given = common(&mut self.rng, pool).copied().unwrap_or("Amina").to_string();
                if o.code == "VN" && self.chance(0.35) {
                    given = format!("{} {given}", if female { "Thị" } else { "Văn" });
                }
                let mut family = common(&mut self.rng, family_pool).copied().unwrap_or("").to_string();
                if o.code == "SO" && self.chance(0.25) {
                    // Father's and grandfather's names, both carried.
                    if let Some(grandfather) = common(&mut self.rng, family_pool).filter(|g| **g != family) {
                        family = format!("{family} {grandfather}");
                    }
                }
                (
                    names::spelling(&mut self.rng, &given, given_rules, 0.3),
                    names::spelling(&mut self.rng, &family, family_rules, 0.3),
                )
            }
        }
    }

    fn languages(
        &mut self,
        bg: Background,
        first: Option<&'static Lang>,
        birth: Date,
        arrived: Option<Date>,
    ) -> Vec<String> {
        let age = age_on(birth, self.today);
        let mut out: Vec<String> = Vec::with_capacity(3);
        let mut add = |code: &str| {
            if !out.iter().any(|l| l == code) {
                out.push(code.to_string());
            }
        };
        match bg {
            Background::Danish => {
                add("da");
                if age >= 10 && chance(&mut self.rng, if age < 70 { 0.9 } else { 0.5 }) {
                    add("en");
                }
            }
            Background::Western(w) => {
                add(w.language);
                if arrived.is_none() {
                    add("da");
                }
                if age >= 10 && chance(&mut self.rng, 0.7) {
                    add("en");
                }
                if arrived.is_some_and(|a| age_on(a, self.today) >= 4) && chance(&mut self.rng, 0.5) {
                    add("da");
                }
            }
            Background::NonWestern(o) => {
                let home = first.map_or(o.main_language(), |l| l.code);
                match arrived {
                    None => {
                        // Descendants: the home language, not always kept, and Danish.
                        if age < 3 || chance(&mut self.rng, 0.85) {
                            add(home);
                        }
                        add("da");
                        if age >= 10 && chance(&mut self.rng, 0.7) {
                            add("en");
                        }
                    }
                    Some(a) => {
                        let years = age_on(a, self.today);
                        let segment = crate::segment(&mut self.rng, o, years, age.max(18));
                        for l in crate::languages(&mut self.rng, o, first, &segment) {
                            if age >= 10 || l.code == home {
                                add(&l.code);
                            }
                        }
                        // Children who came young learn Danish at school.
                        if age_on(birth, a) < 16 && years >= 1 {
                            add("da");
                        }
                    }
                }
            }
        }
        out
    }

    /// Work and benefits in the last twelve months, supporters of a reunified spouse
    /// first (they must be in work), then men, then women, whose benefit can depend on
    /// a working husband.
    fn work(&mut self, members: &mut [Member]) {
        let today = self.today;
        let toddler = members.iter().any(|m| m.child && age_on(m.birth, today) < 3);
        let supporter: Vec<bool> =
            members.iter().map(|m| m.spouse.and_then(|s| members.get(s)).is_some_and(|s| s.family_reunified)).collect();
        let mut order: Vec<usize> = (0..members.len()).collect();
        order.sort_by_key(|&i| {
            (!supporter.get(i).copied().unwrap_or(false), members.get(i).is_some_and(|m| m.sex == Sex::Female))
        });
        let mut decided = vec![false; members.len()];
        for i in order {
            let Some(m) = members.get(i) else { continue };
            let spouse_employed = m
                .spouse
                .filter(|s| decided.get(*s).copied().unwrap_or(false))
                .and_then(|s| members.get(s))
                .map(|s| s.employed);
            let situation = Situation {
                supporter: supporter.get(i).copied().unwrap_or(false),
                spouse_employed,
                small_child: toddler && !m.child && m.sex == Sex::Female,
            };
            let (employed, on_benefit) = self.work_and_benefit(m, situation);
            if let Some(m) = members.get_mut(i) {
                m.employed = employed;
                m.on_benefit = on_benefit;
            }
            if let Some(d) = decided.get_mut(i) {
                *d = true;
            }
        }
    }

    fn work_and_benefit(&mut self, m: &Member, s: Situation) -> (bool, bool) {
        let age = age_on(m.birth, self.today);
        if age < 15 {
            return (false, false);
        }
        if age < 18 {
            // Paper rounds and supermarket jobs are in the income register too.
            return (self.chance(0.45), false);
        }
        if age >= 65 {
            let employed = match age {
                65..70 => 0.2,
                70..75 => 0.07,
                _ => 0.02,
            };
            return (self.chance(employed), self.chance(0.97));
        }
        // (employed, a benefit besides work, a benefit without work); the young study on SU.
        let (mut employed, mut with_work, mut without_work) = match age {
            18..25 => (0.72, 0.2, 0.7),
            25..30 => (0.8, 0.06, 0.6),
            30..60 => (0.87, 0.03, 0.55),
            _ => (0.64, 0.05, 0.6),
        };
        let mut means_tested = false;
        match (m.background, m.arrived) {
            (Background::Danish, _) => {}
            (Background::Western(_), None) => employed *= 0.97,
            (Background::Western(_), Some(_)) => {
                employed *= 0.95;
                // EU citizens are often not (yet) entitled.
                without_work = 0.35;
                means_tested = true;
            }
            (Background::NonWestern(_), None) => {
                employed *= 0.92;
                without_work = f64::max(without_work, 0.8);
            }
            (Background::NonWestern(o), Some(arrived)) => {
                let years = age_on(arrived, self.today);
                employed = match (m.sex, years) {
                    (Sex::Male, ..2) => 0.3,
                    (Sex::Male, 2..5) => 0.55,
                    (Sex::Male, _) => 0.72,
                    (Sex::Female, ..2) => 0.15,
                    (Sex::Female, 2..5) => 0.35,
                    (Sex::Female, 5..10) => 0.52,
                    (Sex::Female, _) => 0.58,
                };
                employed *= match o.schooling {
                    Schooling::Low => 0.85,
                    Schooling::Mid => 1.0,
                    Schooling::High => 1.1,
                };
                if age < 25 {
                    employed *= 0.9;
                } else if age >= 60 {
                    employed *= 0.7;
                }
                with_work = 0.1;
                without_work = if m.family_reunified {
                    // The maintenance contract bars social assistance for years.
                    if years < 5 { 0.15 } else { 0.6 }
                } else if m.refugee {
                    0.95
                } else {
                    0.85
                };
                means_tested = true;
            }
        }
        if s.small_child {
            employed *= 0.75;
        }
        if means_tested && s.spouse_employed == Some(true) {
            // Spouses must support each other: a working spouse's income rules
            // social assistance out (G-1.2).
            without_work *= 0.9;
        }
        if s.supporter {
            employed = 1.0;
        }
        let e = self.chance(employed);
        let b = self.chance(if e { with_work } else { without_work });
        (e, b)
    }

    /// A district for the household: non-Western newcomers where the social housing is,
    /// their children who grew up here a little more spread, Danes everywhere.
    fn place<'p>(&mut self, places: &'p [Place], members: &[Member]) -> Option<&'p Place> {
        let head = members.first()?;
        let weight = |p: &Place| match (head.background, head.arrived) {
            (Background::Danish, _) => p.profile.danish,
            (Background::Western(_), _) => p.profile.western,
            (Background::NonWestern(_), Some(_)) => p.profile.non_western,
            (Background::NonWestern(_), None) => p.profile.non_western + p.profile.danish / 2,
        };
        weighted(&mut self.rng, places, weight).or_else(|| places.first())
    }

    fn street(&mut self, place: &Place) -> String {
        let p = place.profile;
        let name = any(&mut self.rng, p.streets).copied().unwrap_or("Nørregade");
        let flat = self.chance(p.flats);
        let number = self.rng.random_range(1..=if flat { 60 } else { 140 });
        let letter = if self.chance(0.08) { "B" } else { "" };
        if !flat {
            return format!("{name} {number}{letter}");
        }
        let floor = match self.rng.random_range(0..=p.top_floor) {
            0 => "st.".to_string(),
            f => format!("{f}."),
        };
        let side = any(&mut self.rng, &["th.", "tv.", "mf."]).copied().unwrap_or("th.");
        format!("{name} {number}{letter}, {floor} {side}")
    }

    fn cpr(&mut self, m: &Member, issued: &mut HashSet<u64>) -> Option<Cpr> {
        // Numbered at birth here, or on arrival.
        let issued_in = m.arrived.unwrap_or(m.birth).year();
        let first_of_january = m.birth.month() == Month::January && m.birth.day() == 1;
        let without = match (issued_in >= NO_MODULUS_SINCE, first_of_january) {
            (false, _) => 0.0,
            // So many are registered as born on 1 January that its numbers ran out first.
            (true, true) => 0.8,
            (true, false) => 0.3,
        };
        let modulus11 = !self.chance(without);
        issue(&mut self.rng, m.birth, m.sex, modulus11, issued)
            .or_else(|| issue(&mut self.rng, m.birth, m.sex, !modulus11, issued))
    }
}

#[derive(Debug, Clone, Copy)]
struct Situation {
    /// Spouse of someone reunified on a maintenance contract.
    supporter: bool,
    /// When already decided.
    spouse_employed: Option<bool>,
    small_child: bool,
}

/// The two as spouses: wife first, then husband.
fn marry(mut wife: Member, mut husband: Member) -> Vec<Member> {
    wife.spouse = Some(1);
    husband.spouse = Some(0);
    vec![wife, husband]
}

/// The day someone born on `birth` turns `age` (1 March for 29 February in a common
/// year, since only then are they that old).
fn birthday(birth: Date, age: i32) -> Date {
    let year = birth.year() + age;
    Date::from_calendar_date(year, birth.month(), birth.day())
        .or_else(|_| Date::from_calendar_date(year, Month::March, 1))
        .unwrap_or(birth)
}

/// Polish family names in -ski and -cki agree with the woman who bears them, whatever
/// her own origin (no other name in the tables ends so).
fn female_form(family: &str) -> String {
    match family.strip_suffix("ki") {
        Some(stem) if stem.ends_with(['s', 'c']) => format!("{stem}ka"),
        _ => family.to_string(),
    }
}

const WEIGHTS: [u32; 10] = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];

/// 7th digits whose century rule gives this birth year.
fn seventh_digits(year: i32) -> &'static [u8] {
    match year {
        1858..=1899 => &[5, 6, 7, 8],
        1900..=1936 => &[0, 1, 2, 3],
        1937..=1999 => &[0, 1, 2, 3, 4, 9],
        2000..=2036 => &[4, 5, 6, 7, 8, 9],
        2037..=2057 => &[5, 6, 7, 8],
        _ => &[],
    }
}

/// A new CPR number for `birth`: odd last digit for men, even for women, with or
/// without modulus 11. Random first; should a date run short, every serial in turn.
fn issue<R: Rng>(rng: &mut R, birth: Date, sex: Sex, modulus11: bool, issued: &mut HashSet<u64>) -> Option<Cpr> {
    let sevenths = seventh_digits(birth.year());
    let yy = u8::try_from(birth.year().rem_euclid(100)).ok()?;
    let month = u8::from(birth.month());
    let head = [birth.day() / 10, birth.day() % 10, month / 10, month % 10, yy / 10, yy % 10];
    let parity = u8::from(sex == Sex::Male);
    let digits = |seventh: u8, serial: u8, last: u8| {
        let mut d = [0u8; 10];
        d[..6].copy_from_slice(&head);
        d[6] = seventh;
        d[7] = serial / 10;
        d[8] = serial % 10;
        d[9] = last;
        d
    };
    let sum = |d: &[u8; 10]| d.iter().zip(WEIGHTS).map(|(x, w)| u32::from(*x) * w).sum::<u32>();
    let take = |d: [u8; 10], issued: &mut HashSet<u64>| {
        let key = d.iter().fold(0u64, |acc, x| acc * 10 + u64::from(*x));
        if !issued.insert(key) {
            return None;
        }
        let text: String = d.iter().map(|x| char::from(b'0' + x)).collect();
        Cpr::parse(&text).ok()
    };
    for _ in 0..64 {
        let seventh = *any(rng, sevenths)?;
        let serial = rng.random_range(0..100u8);
        let partial = sum(&digits(seventh, serial, 0));
        let last = if modulus11 {
            let check = (11 - partial % 11) % 11;
            match u8::try_from(check) {
                Ok(c) if c <= 9 && c % 2 == parity => c,
                _ => continue,
            }
        } else {
            let last = 2 * rng.random_range(0..5u8) + parity;
            // Two apart cannot both make a multiple of 11.
            if (partial + u32::from(last)).is_multiple_of(11) { (last + 2) % 10 } else { last }
        };
        if let Some(cpr) = take(digits(seventh, serial, last), issued) {
            return Some(cpr);
        }
    }
    for &seventh in sevenths {
        for serial in 0..100u8 {
            for last in (parity..10).step_by(2) {
                let d = digits(seventh, serial, last);
                if sum(&d).is_multiple_of(11) == modulus11
                    && let Some(cpr) = take(d, issued)
                {
                    return Some(cpr);
                }
            }
        }
    }
    None
}

/// How a district's households are drawn and what its streets look like.
#[derive(Debug)]
struct Profile {
    code: &'static str,
    danish: u32,
    western: u32,
    non_western: u32,
    /// Share of homes that are flats.
    flats: f64,
    top_floor: u8,
    streets: &'static [&'static str],
}

/// A district of [`crate::areas`] with its profile.
struct Place {
    code: &'static str,
    postcodes: Vec<String>,
    profile: &'static Profile,
}

fn places() -> Vec<Place> {
    areas()
        .into_iter()
        .map(|a| Place {
            code: a.code,
            postcodes: a.postcodes,
            profile: PROFILES.iter().find(|p| p.code == a.code).unwrap_or(&ELSEWHERE),
        })
        .collect()
}

const ELSEWHERE: Profile = Profile {
    code: "",
    danish: 10,
    western: 10,
    non_western: 10,
    flats: 0.5,
    top_floor: 3,
    streets: &["Nørregade", "Søndergade", "Vestergade", "Møllevej", "Engvej"],
};

/// Segregation as in a Danish provincial town: the social-housing estates of
/// Vestparken and Nørrevang are where most newcomers are given a flat.
const PROFILES: &[Profile] = &[
    Profile {
        code: "centrum",
        danish: 16,
        western: 22,
        non_western: 10,
        flats: 0.8,
        top_floor: 4,
        streets: &["Torvet", "Algade", "Nørregade", "Søndergade", "Vestergade", "Brogade", "Kirkestræde", "Havnegade"],
    },
    Profile {
        code: "noerrevang",
        danish: 9,
        western: 10,
        non_western: 22,
        flats: 0.85,
        top_floor: 4,
        streets: &["Nørrevangs Allé", "Rosenvænget", "Lærkevej", "Solsikkevej", "Bellisvej", "Tulipanvej", "Valmuevej"],
    },
    Profile {
        code: "vestparken",
        danish: 6,
        western: 8,
        non_western: 32,
        flats: 0.95,
        top_floor: 7,
        streets: &["Vestparken", "Birkeparken", "Ahornparken", "Askeparken", "Lindeparken", "Elmeparken"],
    },
    Profile {
        code: "soendermarken",
        danish: 15,
        western: 12,
        non_western: 7,
        flats: 0.4,
        top_floor: 3,
        streets: &["Søndermarksvej", "Engvej", "Møllevej", "Kastanievej", "Egebakken", "Pilevangen", "Rugmarken"],
    },
    Profile {
        code: "oestbyen",
        danish: 15,
        western: 20,
        non_western: 14,
        flats: 0.6,
        top_floor: 4,
        streets: &["Østre Allé", "Jernbanegade", "Fabriksvej", "Tranehaven", "Havrevænget", "Smedegade", "Saxogade"],
    },
    Profile {
        code: "hoejmosen",
        danish: 8,
        western: 10,
        non_western: 12,
        flats: 0.8,
        top_floor: 4,
        streets: &["Højmosevej", "Mosevej", "Tørvevej", "Kærvej", "Sivvej", "Rørvej", "Engblommevej"],
    },
    Profile {
        code: "strandby",
        danish: 15,
        western: 8,
        non_western: 2,
        flats: 0.1,
        top_floor: 2,
        streets: &["Strandvejen", "Klitvej", "Havnevej", "Fyrvej", "Mågevej", "Tangvej", "Sandbakken"],
    },
    Profile {
        code: "kirkebjerg",
        danish: 16,
        western: 10,
        non_western: 3,
        flats: 0.15,
        top_floor: 2,
        streets: &["Kirkebakken", "Præstevej", "Skovbrynet", "Fasanvej", "Nøddehegnet", "Bakkedraget", "Kirkebjergvej"],
    },
];

/// Share of non-Western couples whose head was born here (a descendant): the older the
/// migration, the more.
fn descendant_share(code: &str) -> f64 {
    match code {
        "TR" | "PK" => 0.5,
        "MA" => 0.45,
        "LB" => 0.4,
        "PS" | "VN" | "LK" => 0.3,
        "IQ" => 0.2,
        "IR" | "SO" | "BA" => 0.15,
        "AF" | "ET" => 0.05,
        "SY" | "ER" => 0.02,
        _ => 0.0,
    }
}

fn refugee_share(code: &str) -> f64 {
    match code {
        "SY" | "ER" => 0.92,
        "BA" => 0.9,
        "AF" | "SO" => 0.85,
        "IQ" | "PS" => 0.7,
        "LB" | "LK" => 0.55,
        "IR" => 0.5,
        "VN" => 0.35,
        "ET" => 0.3,
        "TR" => 0.05,
        "PK" => 0.02,
        _ => 0.0,
    }
}

/// Came as guest workers from the late 1960s.
fn guest_workers(code: &str) -> bool {
    matches!(code, "TR" | "PK" | "MA")
}

/// Where the wife's name is her father's, the children's is their father's given name.
fn patronymic(code: &str) -> bool {
    matches!(code, "SO" | "ER" | "ET")
}

fn takes_husbands_name(code: &str) -> f64 {
    match code {
        "TR" => 0.85,
        "BA" => 0.8,
        "LK" => 0.6,
        "PK" | "TH" => 0.5,
        "AF" => 0.3,
        "SO" | "ER" | "ET" => 0.0,
        _ => 0.1,
    }
}

/// Men's given names by country, most common first; the women's are in `origin`.
fn male_given(code: &str) -> &'static [&'static str] {
    match code {
        "SY" => &[
            "Mohammed", "Ahmad", "Khaled", "Omar", "Mahmoud", "Ali", "Hassan", "Mustafa", "Yousef", "Ibrahim",
            "Abdullah", "Bashar", "Rami", "Fadi",
        ],
        "IQ" => &[
            "Ali", "Hussein", "Mohammed", "Ahmed", "Haider", "Mustafa", "Abbas", "Karrar", "Hassan", "Ammar", "Sajjad",
            "Qasim",
        ],
        "LB" => &["Mohamad", "Ali", "Hassan", "Hussein", "Ahmad", "Khalil", "Bilal", "Rabih", "Ziad", "Walid", "Samir"],
        "PS" => &["Mohammed", "Ahmad", "Mahmoud", "Khaled", "Yasser", "Omar", "Ibrahim", "Nidal", "Tarek", "Jamal"],
        "MA" => &["Mohamed", "Ahmed", "Youssef", "Rachid", "Mustapha", "Said", "Hassan", "Driss", "Karim", "Brahim"],
        "SO" => &[
            "Maxamed",
            "Axmed",
            "Cabdi",
            "Cali",
            "Xasan",
            "Yuusuf",
            "Cabdullaahi",
            "Ibraahim",
            "Cumar",
            "Faarax",
            "Muuse",
            "Aadan",
        ],
        "TR" => &[
            "Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "İbrahim", "Murat", "Osman", "Yusuf", "Emre",
            "Burak", "Ömer",
        ],
        "PK" => &[
            "Muhammad", "Imran", "Asif", "Tariq", "Kashif", "Shahid", "Naveed", "Zahid", "Bilal", "Usman", "Faisal",
            "Adnan",
        ],
        "IR" => {
            &["Mohammad", "Ali", "Reza", "Hossein", "Mehdi", "Amir", "Hamid", "Saeed", "Majid", "Dariush", "Farhad"]
        }
        "AF" => &[
            "Mohammad", "Ahmad", "Abdul", "Mahmood", "Ali", "Rahim", "Farid", "Jawad", "Naveed", "Hamid", "Sayed",
            "Mustafa",
        ],
        "ER" => &[
            "Yonas", "Samuel", "Dawit", "Filmon", "Mehari", "Habtom", "Yohannes", "Daniel", "Michael", "Tesfay",
            "Kidane",
        ],
        "ET" => &["Dawit", "Yonas", "Abebe", "Getachew", "Solomon", "Bereket", "Henok", "Mulugeta", "Girma", "Chala"],
        "BA" => &["Amir", "Edin", "Adnan", "Emir", "Haris", "Mirza", "Senad", "Damir", "Jasmin", "Almir", "Kenan"],
        "VN" => &["Minh", "Tuấn", "Hùng", "Dũng", "Nam", "Hải", "Long", "Quang", "Sơn", "Thành", "Đức"],
        "TH" => &["Somchai", "Somsak", "Prasert", "Anan", "Wichai", "Sakda", "Chaiwat", "Surachai", "Kittisak"],
        "LK" => {
            &["Sivakumar", "Rajan", "Suresh", "Kumar", "Ramesh", "Sathees", "Kannan", "Murali", "Prakash", "Ganesh"]
        }
        _ => &["Mohammed", "Ali", "Ahmed", "Omar"],
    }
}

const KURDISH_MALE: &[&str] = &[
    "Azad", "Rebwar", "Dilshad", "Karwan", "Hevar", "Shvan", "Kawa", "Baran", "Serhat", "Rojhat", "Aram", "Dara",
    "Zana",
];

/// Danish given names by when their bearers were born: before 1965, to 1989, after.
const DANISH_FEMALE: [&[&str]; 3] = [
    &[
        "Kirsten", "Hanne", "Susanne", "Lene", "Inge", "Karen", "Bente", "Jytte", "Birgitte", "Lis", "Grethe", "Ruth",
        "Else", "Tove", "Annette",
    ],
    &[
        "Mette",
        "Anne",
        "Camilla",
        "Louise",
        "Maria",
        "Charlotte",
        "Tina",
        "Pia",
        "Heidi",
        "Lone",
        "Trine",
        "Line",
        "Helle",
        "Marianne",
    ],
    &[
        "Emma", "Ida", "Sofie", "Freja", "Clara", "Laura", "Anna", "Ella", "Isabella", "Alma", "Josefine", "Mathilde",
        "Olivia", "Agnes", "Nora",
    ],
];

const DANISH_MALE: [&[&str]; 3] = [
    &[
        "Jens", "Niels", "Hans", "Poul", "Erik", "Ole", "Bent", "Jørgen", "Henning", "Leif", "Svend", "Knud", "Per",
        "Finn",
    ],
    &[
        "Lars",
        "Peter",
        "Michael",
        "Thomas",
        "Søren",
        "Henrik",
        "Martin",
        "Jesper",
        "Morten",
        "Rasmus",
        "Anders",
        "Christian",
        "Jacob",
        "Brian",
    ],
    &[
        "William", "Noah", "Oscar", "Lucas", "Carl", "Victor", "Malthe", "Emil", "Frederik", "Magnus", "Alfred",
        "Oliver", "Mads", "Anton",
    ],
];

/// Beyond the dozen commonest in `names::DANISH_FAMILY`.
const DANISH_FAMILY_MORE: &[&str] = &[
    "Petersen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Knudsen",
    "Jakobsen",
    "Mikkelsen",
    "Frederiksen",
    "Laursen",
    "Holm",
    "Schmidt",
    "Østergaard",
    "Lund",
    "Kjær",
    "Bach",
    "Dahl",
    "Nørgaard",
];

/// A Western country of origin (Danmarks Statistik's list) with its names.
#[derive(Debug)]
struct Western {
    code: &'static str,
    weight: u32,
    language: &'static str,
    female: &'static [&'static str],
    male: &'static [&'static str],
    family: &'static [&'static str],
}

const WESTERN: &[Western] = &[
    Western {
        code: "PL",
        weight: 30,
        language: "pl",
        female: &["Anna", "Katarzyna", "Agnieszka", "Magdalena", "Joanna", "Monika", "Aleksandra", "Ewa", "Małgorzata"],
        male: &["Piotr", "Krzysztof", "Tomasz", "Paweł", "Marcin", "Michał", "Jakub", "Łukasz", "Andrzej", "Kamil"],
        family: &[
            "Nowak",
            "Kowalski",
            "Wiśniewski",
            "Wójcik",
            "Kowalczyk",
            "Kamiński",
            "Lewandowski",
            "Zieliński",
            "Szymański",
            "Woźniak",
        ],
    },
    Western {
        code: "RO",
        weight: 18,
        language: "ro",
        female: &["Maria", "Elena", "Ioana", "Andreea", "Alexandra", "Mihaela", "Cristina", "Georgiana"],
        male: &["Andrei", "Alexandru", "Ionuț", "Mihai", "Florin", "Gabriel", "Adrian", "Constantin"],
        family: &["Popescu", "Ionescu", "Popa", "Stan", "Dumitru", "Stoica", "Gheorghe", "Munteanu", "Rusu"],
    },
    Western {
        code: "DE",
        weight: 16,
        language: "de",
        female: &["Julia", "Sabine", "Katrin", "Lena", "Anja", "Stefanie", "Claudia", "Laura"],
        male: &["Thomas", "Stefan", "Michael", "Jan", "Jonas", "Lukas", "Andreas", "Markus"],
        family: &["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann"],
    },
    Western {
        code: "GB",
        weight: 10,
        language: "en",
        female: &["Sarah", "Emma", "Claire", "Emily", "Rachel", "Sophie", "Hannah"],
        male: &["James", "David", "John", "Daniel", "Matthew", "Thomas", "Christopher"],
        family: &["Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson"],
    },
    Western {
        code: "SE",
        weight: 10,
        language: "sv",
        female: &["Anna", "Eva", "Maria", "Karin", "Sara", "Elin", "Johanna"],
        male: &["Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Mikael"],
        family: &["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson"],
    },
    Western {
        code: "NO",
        weight: 8,
        language: "nb",
        female: &["Ingrid", "Kari", "Marit", "Hilde", "Ingeborg", "Silje", "Ragnhild"],
        male: &["Ole", "Bjørn", "Knut", "Arne", "Kjetil", "Terje", "Håkon"],
        family: &["Hansen", "Johansen", "Olsen", "Larsen", "Nilsen", "Berg", "Haugen", "Bakken"],
    },
    Western {
        code: "IT",
        weight: 5,
        language: "it",
        female: &["Giulia", "Francesca", "Chiara", "Sara", "Valentina", "Martina"],
        male: &["Marco", "Luca", "Andrea", "Giuseppe", "Francesco", "Alessandro"],
        family: &["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo"],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

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
}
