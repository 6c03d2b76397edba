//! A synthetic municipality, "Søby Kommune", for the demo, tests and load benchmarks.
//!
//! Everything is deterministic from a seed: woman `i` is drawn from her own ChaCha8
//! stream (`seed`, stream `i`), so the first hundred women of a run of 2,000 are the
//! same as a run of 100. The only state carried between women is the set of CPR and
//! phone numbers already issued, which keeps both unique.
//!
//! What a generated woman is like (shares are approximate):
//! - origin: 16 non-Western countries (Türkiye 14 %, Syria 13, Iraq 10, Pakistan, Iran,
//!   Afghanistan, Thailand 7 each, Somalia, Lebanon, Bosnia 6 each, Vietnam 5, Eritrea,
//!   Sri Lanka 4 each, Palestine, Morocco 3 each, Ethiopia 2); languages, names, arrival
//!   years and schooling follow the country; Kurdish speakers from Iraq, Syria, Türkiye
//!   and Iran get Kurdish names.
//! - age 18–64 (mostly 25–54), arrived 1–30 years ago and at age 10 or older.
//! - names vary in spelling about a third of the time (see `names`).
//! - source: register run 65 %, ambassador 15 %, partner 12 %, self-referral 5 %,
//!   other 3 % (kinds without people in the context are left out); 4 % have a second.
//! - CPR: 97 % of register-sourced women, 20–50 % of the others; about 30 % of the
//!   numbers lack modulus 11 (only numbers issued from 2007 on). Of the others without
//!   a CPR, two in three are known only by first name and phone.
//! - phone for ~80 %, confirmed hers alone for ~85 % of those; 3 % safe contact only.
//! - events: about 9 per woman when the initiative started a year before `now`, 10 at
//!   eighteen months (gaps are compressed for initiatives shorter than 400 days). Final
//!   stages at one year, roughly: identified 8 %, contacted 4, reached 4, interested 15,
//!   met 11, trial 4, enrolled 8, retained 3, not now 18, unreachable 8, paused 8,
//!   declined 8.
//!
//! Here: the municipality the women are generated into (areas, teams, staff, partner
//! organisations, `Context`) and the date helpers every generator uses. The women are
//! drawn in `women` from what `latent` draws first; the resident population is in
//! `population`, its register extracts in `registers`.

mod identity;
mod latent;
mod names;
mod origin;
mod pick;
pub mod population;
pub mod registers;
mod walk;
mod women;

pub use women::{People, people};

use rand::Rng;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

/// A district of Søby Kommune and the postcodes it is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaSpec {
    pub code: &'static str,
    pub name: &'static str,
    pub postcodes: Vec<String>,
}

pub const MUNICIPALITY: &str = "Søby Kommune";
pub const CITY: &str = "Søby";

/// The eight districts of the fictional municipality.
pub fn areas() -> Vec<AreaSpec> {
    const AREAS: &[(&str, &str, &[&str])] = &[
        ("centrum", "Søby Centrum", &["5800", "5801"]),
        ("noerrevang", "Nørrevang", &["5810"]),
        ("vestparken", "Vestparken", &["5820", "5821"]),
        ("soendermarken", "Søndermarken", &["5830"]),
        ("oestbyen", "Østbyen", &["5840", "5841", "5842"]),
        ("hoejmosen", "Højmosen", &["5850"]),
        ("strandby", "Strandby", &["5860", "5861"]),
        ("kirkebjerg", "Kirkebjerg", &["5870", "5871"]),
    ];
    AREAS
        .iter()
        .map(|(code, name, postcodes)| AreaSpec {
            code,
            name,
            postcodes: postcodes.iter().map(|p| (*p).to_string()).collect(),
        })
        .collect()
}

/// A user of the demo municipality, for setting it up in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSpec {
    pub username: &'static str,
    pub name: &'static str,
    /// One of `teams()`; empty for ambassadors.
    pub team: &'static str,
    pub languages: &'static [&'static str],
    /// The area an ambassador works in (an `areas()` code); empty for caseworkers.
    pub area: &'static str,
}

pub fn teams() -> &'static [&'static str] {
    &["Team Nord", "Team Syd"]
}

/// Caseworkers whose languages cover the largest groups, as real teams try to.
pub fn caseworker_specs() -> &'static [StaffSpec] {
    const fn cw(
        username: &'static str,
        name: &'static str,
        team: &'static str,
        languages: &'static [&'static str],
    ) -> StaffSpec {
        StaffSpec { username, name, team, languages, area: "" }
    }
    const CASEWORKERS: &[StaffSpec] = &[
        cw("hanne", "Hanne Mortensen", "Team Nord", &["da", "en"]),
        cw("leila", "Leila Haddad", "Team Nord", &["da", "ar", "en"]),
        cw("sahra", "Sahra Warsame", "Team Nord", &["da", "so", "en"]),
        cw("mette", "Mette Lund", "Team Syd", &["da", "en"]),
        cw("guelay", "Gülay Demir", "Team Syd", &["da", "tr", "kmr"]),
        cw("farida", "Farida Rahimi", "Team Syd", &["da", "fa", "prs"]),
    ];
    CASEWORKERS
}

pub fn ambassador_specs() -> &'static [StaffSpec] {
    const fn amb(
        username: &'static str,
        name: &'static str,
        languages: &'static [&'static str],
        area: &'static str,
    ) -> StaffSpec {
        StaffSpec { username, name, team: "", languages, area }
    }
    const AMBASSADORS: &[StaffSpec] = &[
        amb("nour", "Nour Khalil", &["ar", "da"], "noerrevang"),
        amb("hodan", "Hodan Cali", &["so", "da"], "vestparken"),
        amb("zeynep", "Zeynep Aydın", &["tr", "da"], "oestbyen"),
        amb("zahra", "Zahra Ahmadi", &["prs", "fa", "da"], "hoejmosen"),
        amb("tigist", "Tigist Alemu", &["am", "ti", "da"], "soendermarken"),
        amb("rojin", "Rojin Karim", &["ckb", "ar", "da"], "centrum"),
    ];
    AMBASSADORS
}

pub fn partner_org_names() -> &'static [&'static str] {
    &[
        "Sprogcenter Søby",
        "Sundhedsplejen Søby",
        "Beboerhuset Nørrevang",
        "Frivilligcenter Søby",
        "Boligsocialt Hus Vestparken",
        "Kvindernes Netværk",
    ]
}

/// A caseworker as the store created her.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub user_id: Uuid,
    pub team_id: Uuid,
    pub name: String,
    pub languages: Vec<String>,
}

/// The municipality as created in the store, which the women are generated into.
#[derive(Debug, Clone)]
pub struct Context {
    pub initiative_id: Uuid,
    pub initiative_start: OffsetDateTime,
    /// No event after this.
    pub now: OffsetDateTime,
    /// Area id and its postcodes.
    pub areas: Vec<(Uuid, Vec<String>)>,
    /// At least one; without any, women get no team and events no user.
    pub caseworkers: Vec<Staff>,
    /// User id and name; empty: no woman comes through an ambassador.
    pub ambassadors: Vec<(Uuid, String)>,
    /// Organisation id and name; empty: no partner referrals.
    pub partner_orgs: Vec<(Uuid, String)>,
    pub register_run_label: String,
}

/// Her age in whole years on `on`.
pub fn age_on(birth: Date, on: Date) -> i32 {
    let had_birthday = (on.month(), on.day()) >= (birth.month(), birth.day());
    on.year() - birth.year() - i32::from(!had_birthday)
}

/// The same day `years` earlier (28 February for 29 February in a common year).
fn years_before(date: Date, years: i32) -> Date {
    let year = date.year() - years;
    Date::from_calendar_date(year, date.month(), date.day())
        .or_else(|_| Date::from_calendar_date(year, date.month(), date.day().saturating_sub(1)))
        .unwrap_or(date)
}

/// A day on which she is `years` old (or, near the bounds, as close as the calendar
/// allows).
fn day_aged<R: Rng>(rng: &mut R, today: Date, years: i32) -> Date {
    let latest = years_before(today, years);
    let earliest = years_before(today, years + 1).next_day().unwrap_or(latest);
    let days = (latest - earliest).whole_days().max(0);
    earliest + Duration::days(rng.random_range(0..=days))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use time::macros::date;

    #[test]
    fn ages_and_leap_days() {
        assert_eq!(age_on(date!(2000 - 02 - 29), date!(2018 - 02 - 28)), 17);
        assert_eq!(age_on(date!(2000 - 02 - 29), date!(2018 - 03 - 01)), 18);
        assert_eq!(years_before(date!(2028 - 02 - 29), 1), date!(2027 - 02 - 28));
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for today in [date!(2028 - 02 - 29), date!(2026 - 03 - 01), date!(2026 - 12 - 31)] {
            for years in [18, 40, 64] {
                for _ in 0..50 {
                    let d = day_aged(&mut rng, today, years);
                    let a = age_on(d, today);
                    assert!((years..=years + 1).contains(&a), "{d} {today} {a}");
                }
            }
        }
    }

    #[test]
    fn areas_have_unique_codes_and_four_digit_postcodes() {
        let a = areas();
        assert_eq!(a.len(), 8);
        let mut codes: Vec<_> = a.iter().map(|x| x.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 8);
        for area in &a {
            assert!((1..=3).contains(&area.postcodes.len()));
            for p in &area.postcodes {
                assert!(p.len() == 4 && p.bytes().all(|b| b.is_ascii_digit()));
            }
        }
        let known: Vec<_> = a.iter().map(|x| x.code).collect();
        for amb in ambassador_specs() {
            assert!(known.contains(&amb.area));
        }
        for cw in caseworker_specs() {
            assert!(teams().contains(&cw.team));
        }
    }
}
