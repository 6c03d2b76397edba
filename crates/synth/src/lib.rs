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

mod identity;
mod names;
mod origin;
mod pick;
pub mod population;
pub mod registers;
mod walk;

use domain::funnel::{EventKind, FunnelRules, Stage};
use domain::person::{
    Address, DanishLevel, Education, Network, PersonDetails, Segment, Source, SourceKind, SpokenLanguage,
    WorkExperience,
};
use domain::reference::MotivationFactor;
use identity::Issued;
use origin::{ORIGINS, Origin, Schooling};
use pick::{any, chance, common, weighted};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use store::{EventActor, LoadPerson};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;
use walk::{Clock, Profile, Walk};

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

/// `size` women of the target group with their sources and histories, one at a time.
pub fn people(seed: u64, size: usize, ctx: &Context) -> People {
    People {
        seed,
        size,
        next: 0,
        clock: Clock::new(ctx.initiative_start, ctx.now),
        ctx: ctx.clone(),
        issued: Issued::default(),
    }
}

/// The stream of generated women; see [`people`].
#[derive(Debug)]
pub struct People {
    seed: u64,
    size: usize,
    next: usize,
    ctx: Context,
    clock: Clock,
    issued: Issued,
}

impl Iterator for People {
    type Item = LoadPerson;

    fn next(&mut self) -> Option<LoadPerson> {
        if self.next >= self.size {
            return None;
        }
        let index = self.next;
        self.next += 1;
        Some(self.woman(index))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.size - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for People {}

/// Women whose walk is fixed so that every final stage occurs in any run of 2,000
/// (spread out, so that no corner of the list is special).
fn steered_stage(index: usize) -> Option<Stage> {
    let k = index.checked_sub(17)?;
    (k % 137 == 0).then(|| Stage::ALL.get(k / 137).copied())?
}

/// Likewise for every source kind.
fn steered_source(index: usize) -> Option<SourceKind> {
    const KINDS: [SourceKind; 5] = [
        SourceKind::Other,
        SourceKind::SelfReferral,
        SourceKind::Partner,
        SourceKind::Ambassador,
        SourceKind::RegisterRun,
    ];
    let k = index.checked_sub(61)?;
    (k % 173 == 0).then(|| KINDS.get(k / 173).copied())?
}

/// A woman before anything about her is written down.
struct Latent {
    origin: &'static Origin,
    languages: Vec<SpokenLanguage>,
    given_name: String,
    family_name: String,
    birth: Date,
    arrived: Date,
    years_in_denmark: i32,
    segment: Segment,
}

impl People {
    fn woman(&mut self, index: usize) -> LoadPerson {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(index as u64);
        let rng = &mut rng;
        let id = uuid_from(rng);
        let ctx = &self.ctx;
        let today = ctx.now.date();
        let steer = steered_stage(index);

        let (kind, ambassador, partner) = self.source_kind(rng, index, steer.is_some());
        let latent = latent(rng, today);
        let register = kind == SourceKind::RegisterRun;

        let has_cpr = steer.is_some()
            || chance(
                rng,
                match kind {
                    SourceKind::RegisterRun => 0.97,
                    SourceKind::Ambassador => 0.2,
                    SourceKind::Partner => 0.5,
                    SourceKind::SelfReferral => 0.3,
                    SourceKind::Other => 0.4,
                },
            );
        // Without CPR, an ambassador's or partner's note is often just her first name.
        let minimal = !has_cpr && !register && chance(rng, 0.65);
        let cpr = if has_cpr {
            let arrived_2007 = latent.arrived.year() >= 2007;
            let jan1 = latent.birth.month() == time::Month::January && latent.birth.day() == 1;
            let without = match (arrived_2007, jan1) {
                (false, _) => 0.0,
                (true, true) => 0.8,
                (true, false) => 0.4,
            };
            let modulus11 = !chance(rng, without);
            self.issued.cpr(rng, latent.birth, modulus11).or_else(|| self.issued.cpr(rng, latent.birth, !modulus11))
        } else {
            None
        };

        let safe_contact_only = steer.is_none() && chance(rng, 0.03);
        let phone_known = steer.is_some() || chance(rng, if register { 0.75 } else { 0.97 });
        let phone = if phone_known { self.issued.phone(rng) } else { None };
        let phone_is_hers_alone =
            phone.is_some() && (steer.is_some() || chance(rng, if safe_contact_only { 0.3 } else { 0.85 }));
        let safety_note = safe_contact_only.then(|| {
            any(
                rng,
                &[
                    "Må kun kontaktes via kontaktperson",
                    "Ring ikke, manden tjekker telefonen",
                    "Ingen breve til hjemmeadressen",
                    "Kontakt kun via ambassadøren",
                    "Kun kontakt via sundhedsplejersken",
                ],
            )
            .map_or_else(String::new, |s| (*s).to_string())
        });

        let area_index = match ambassador {
            Some(a) if !ctx.areas.is_empty() => Some(a % ctx.areas.len()),
            _ => {
                weighted(rng, &(0..ctx.areas.len()).collect::<Vec<_>>(), |i| [5, 3, 4, 2, 3, 2, 1, 2][*i % 8]).copied()
            }
        };
        let area = area_index.and_then(|i| ctx.areas.get(i));
        let full_address = register || (!minimal && chance(rng, 0.7));
        let address = match area {
            Some((_, postcodes)) if full_address => any(rng, postcodes).map(|postcode| Address {
                street: street(rng),
                postcode: postcode.clone(),
                city: CITY.to_string(),
            }),
            _ => None,
        };
        let area_id = match area {
            Some((id, _)) if address.is_some() || !minimal || chance(rng, 0.8) => Some(*id),
            _ => None,
        };

        let record =
            |rng: &mut ChaCha8Rng, p_full: f64, p_minimal: f64| chance(rng, if minimal { p_minimal } else { p_full });
        let birth_date = match &cpr {
            Some(c) => Some(c.birth_date()),
            None => record(rng, 0.5, 0.15).then_some(latent.birth),
        };
        let arrived_in_denmark = record(rng, if register { 0.9 } else { 0.4 }, 0.0).then_some(latent.arrived);
        let country_of_origin =
            record(rng, if register { 1.0 } else { 0.9 }, 0.6).then(|| latent.origin.code.to_string());
        let s = &latent.segment;
        let segment = Segment {
            education: if record(rng, 0.85, 0.2) { s.education } else { Education::Unknown },
            work_experience: if record(rng, 0.85, 0.2) { s.work_experience } else { WorkExperience::Unknown },
            network: if record(rng, 0.8, 0.3) { s.network } else { Network::Unknown },
            danish_level: if record(rng, 0.9, 0.6) { s.danish_level } else { DanishLevel::Unknown },
            motivation_note: None,
        };
        let interpreter_needed = chance(
            rng,
            match segment.danish_level {
                DanishLevel::None => 0.9,
                DanishLevel::Basic => 0.6,
                DanishLevel::Conversational => 0.05,
                DanishLevel::Fluent => 0.0,
                DanishLevel::Unknown => 0.3,
            },
        );
        let given_name = latent.given_name.clone();
        let family_name = if minimal { String::new() } else { latent.family_name.clone() };

        let first_language = latent.languages.first().map_or_else(|| "da".to_string(), |l| l.code.clone());
        let danish_spoken = match s.danish_level {
            DanishLevel::Fluent => 0.9,
            DanishLevel::Conversational => 0.6,
            _ => 0.0,
        };
        let spoken = if chance(rng, danish_spoken) { "da".to_string() } else { first_language.clone() };
        let staff = self.caseworker_for(rng, &first_language);
        let actor = match staff {
            Some(s) => EventActor { user_id: Some(s.user_id), name: s.name.clone() },
            None => EventActor { user_id: None, name: "Opsøg".to_string() },
        };
        let team_id = staff.map(|s| s.team_id);
        let contact_user_id = staff.map(|s| s.user_id);

        let entry = self.entry_time(rng, register, steer.is_some());
        let first_source = source(rng, ctx, kind, ambassador, partner, entry);
        let mut sources = vec![first_source];
        if steer.is_none()
            && chance(rng, 0.04)
            && let Some(second) = self.second_source(rng, kind, entry)
        {
            sources.push(second);
        }

        let profile = Profile {
            callable: phone_is_hers_alone,
            letterable: !safe_contact_only && (address.is_some() || cpr.is_some()),
            interpreter_needed,
            spoken,
            letter_language: first_language,
            via_ambassador: kind == SourceKind::Ambassador,
        };
        let walk = Walk { profile: &profile, clock: self.clock, rules: FunnelRules::default(), actor: &actor };
        let events = walk.run(rng, entry, kind.entry_channel(), steer.map(walk::script));

        // Motivation is learnt by talking with her, so only women someone talked to have it.
        let talked = !register
            || events
                .iter()
                .any(|e| matches!(e.input.kind, EventKind::Reached | EventKind::Interested | EventKind::GotInTouch));
        let (motivation, motivation_note) = if talked { motivation(rng, &latent) } else { (Vec::new(), None) };

        // About one in fifty with a CPR number is exempt from Digital Post; taken from
        // her id, not the RNG, so every other draw stays as it was.
        let exempt = cpr.is_some() && id.as_u128().is_multiple_of(50);
        let details = PersonDetails {
            given_name,
            family_name,
            birth_date,
            cpr,
            phone,
            phone_is_hers_alone,
            address,
            area_id,
            languages: latent.languages,
            country_of_origin,
            arrived_in_denmark,
            segment: Segment { motivation_note, ..segment },
            motivation,
            safe_contact_only,
            safety_note,
            interpreter_needed,
            digital_post_exempt: exempt,
        };
        LoadPerson {
            id,
            details,
            team_id,
            contact_user_id,
            created_at: entry,
            sources,
            initiative_id: ctx.initiative_id,
            events,
        }
    }

    /// Her first source kind and, for an ambassador or partner, which one (by index).
    fn source_kind(
        &self,
        rng: &mut ChaCha8Rng,
        index: usize,
        steered: bool,
    ) -> (SourceKind, Option<usize>, Option<usize>) {
        let ctx = &self.ctx;
        let available = |k: SourceKind| match k {
            SourceKind::Ambassador => !ctx.ambassadors.is_empty(),
            SourceKind::Partner => !ctx.partner_orgs.is_empty(),
            _ => true,
        };
        let kind = if steered {
            SourceKind::RegisterRun
        } else if let Some(k) = steered_source(index).filter(|k| available(*k)) {
            k
        } else {
            let kinds = [
                (SourceKind::RegisterRun, 65),
                (SourceKind::Ambassador, 15),
                (SourceKind::Partner, 12),
                (SourceKind::SelfReferral, 5),
                (SourceKind::Other, 3),
            ];
            weighted(rng, &kinds, |(k, w)| if available(*k) { *w } else { 0 })
                .map_or(SourceKind::RegisterRun, |(k, _)| *k)
        };
        let ambassador = (kind == SourceKind::Ambassador).then(|| rng.random_range(0..ctx.ambassadors.len().max(1)));
        let partner = (kind == SourceKind::Partner).then(|| rng.random_range(0..ctx.partner_orgs.len().max(1)));
        (kind, ambassador, partner)
    }

    /// Another channel that found the same woman later: one woman, one person.
    fn second_source(&self, rng: &mut ChaCha8Rng, first: SourceKind, entry: OffsetDateTime) -> Option<Source> {
        let ctx = &self.ctx;
        let kind = match first {
            SourceKind::RegisterRun if !ctx.ambassadors.is_empty() && chance(rng, 0.6) => SourceKind::Ambassador,
            SourceKind::RegisterRun if !ctx.partner_orgs.is_empty() => SourceKind::Partner,
            SourceKind::RegisterRun => return None,
            _ => SourceKind::RegisterRun,
        };
        let ambassador = (kind == SourceKind::Ambassador).then(|| rng.random_range(0..ctx.ambassadors.len().max(1)));
        let partner = (kind == SourceKind::Partner).then(|| rng.random_range(0..ctx.partner_orgs.len().max(1)));
        let span = (ctx.now - entry).whole_minutes().max(0);
        let at = entry + Duration::minutes(rng.random_range(0..=span));
        Some(source(rng, ctx, kind, ambassador, partner, at))
    }

    /// A caseworker who speaks her language when there is one (most of the time), else
    /// anyone.
    fn caseworker_for(&self, rng: &mut ChaCha8Rng, language: &str) -> Option<&Staff> {
        let all = &self.ctx.caseworkers;
        let speakers = all.iter().filter(|s| s.languages.iter().any(|l| l == language)).count();
        if speakers > 0 && chance(rng, 0.85) {
            let k = rng.random_range(0..speakers);
            all.iter().filter(|s| s.languages.iter().any(|l| l == language)).nth(k)
        } else {
            any(rng, all)
        }
    }

    /// When she entered: a register run is worked through in its first weeks, the other
    /// channels bring women in all along.
    fn entry_time(&self, rng: &mut ChaCha8Rng, register: bool, steered: bool) -> OffsetDateTime {
        let ctx = &self.ctx;
        let start = ctx.initiative_start;
        if ctx.now <= start {
            return ctx.now;
        }
        let span = (ctx.now - start).whole_minutes();
        let window = if steered {
            (7.0 * 1440.0 * self.clock.scale) as i64
        } else if register {
            (21.0 * 1440.0 * self.clock.scale) as i64
        } else {
            span
        };
        let mut at = start + Duration::minutes(rng.random_range(0..=window.clamp(0, span)));
        if self.clock.office_hours {
            at = self.clock.office_time(rng, at);
        }
        at.clamp(start, ctx.now)
    }
}

fn source(
    rng: &mut ChaCha8Rng,
    ctx: &Context,
    kind: SourceKind,
    ambassador: Option<usize>,
    partner: Option<usize>,
    at: OffsetDateTime,
) -> Source {
    let named = |list: &[(Uuid, String)], i: Option<usize>| {
        i.and_then(|i| list.get(i)).map(|(id, name)| (Some(*id), name.clone()))
    };
    let (reference_id, label) = match kind {
        SourceKind::RegisterRun => (None, ctx.register_run_label.clone()),
        SourceKind::Ambassador => named(&ctx.ambassadors, ambassador).unwrap_or((None, "Ambassadør".to_string())),
        SourceKind::Partner => named(&ctx.partner_orgs, partner).unwrap_or((None, "Samarbejdspartner".to_string())),
        SourceKind::SelfReferral => (
            None,
            any(rng, &["Via hjemmesiden", "Ringede selv", "Kom selv forbi beboerhuset"])
                .map_or_else(String::new, |s| (*s).to_string()),
        ),
        SourceKind::Other => (
            None,
            any(
                rng,
                &["Sundhedsplejerske", "Arrangement i moskéen", "Skolens familiekonsulent", "Kvindecafé i kirken"],
            )
            .map_or_else(String::new, |s| (*s).to_string()),
        ),
    };
    Source { kind, reference_id, label, added_at: at }
}

fn uuid_from(rng: &mut ChaCha8Rng) -> Uuid {
    let bytes = rng.random::<u128>().to_le_bytes();
    uuid::Builder::from_random_bytes(bytes).into_uuid()
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

fn latent(rng: &mut ChaCha8Rng, today: Date) -> Latent {
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

fn segment(rng: &mut ChaCha8Rng, origin: &Origin, years: i32, age: i32) -> Segment {
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

fn languages(
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

fn motivation(rng: &mut ChaCha8Rng, latent: &Latent) -> (Vec<MotivationFactor>, Option<String>) {
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

fn street(rng: &mut ChaCha8Rng) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn steering_covers_every_stage_and_source_below_two_thousand() {
        let stages: Vec<_> = (0..2000).filter_map(steered_stage).collect();
        assert_eq!(stages, Stage::ALL.to_vec());
        let sources: Vec<_> = (0..2000).filter_map(steered_source).collect();
        assert_eq!(sources.len(), SourceKind::ALL.len());
        for k in SourceKind::ALL {
            assert!(sources.contains(&k));
        }
        assert!((0..2000).all(|i| steered_stage(i).is_none() || steered_source(i).is_none()));
    }

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
