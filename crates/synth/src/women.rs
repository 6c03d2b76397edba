//! The target-group women with their sources and outreach histories, one at a time
//! ([`people`]), each from her own stream; a few are steered so that every final stage
//! and source kind occurs in any run of 2,000.

use crate::identity::Issued;
use crate::latent::{latent, motivation, street};
use crate::pick::{any, chance, weighted};
use crate::walk::{Clock, Profile, Walk};
use crate::{CITY, Context, Staff, walk};
use domain::funnel::{EventKind, FunnelRules, Stage};
use domain::person::{
    Address, DanishLevel, Education, Network, PersonDetails, Segment, Source, SourceKind, WorkExperience,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use store::{EventActor, LoadPerson};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
