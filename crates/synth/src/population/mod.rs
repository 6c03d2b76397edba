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
//!
//! Here: the resident, the run household by household, and the household generator's
//! plain draws. Households are shaped in `households`, named in `naming`, given work
//! and benefits in `work`, an address in `districts` and CPR numbers in `cpr`.

mod cpr;
mod districts;
mod households;
mod naming;
#[cfg(test)]
mod tests;
mod work;

use crate::origin::{Lang, Origin};
use crate::pick::{any, chance, weighted};
use crate::{age_on, day_aged};
use districts::places;
use domain::Cpr;
use domain::reference::is_non_western;
use naming::Western;
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
}
