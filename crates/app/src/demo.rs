//! The demo municipality: teams, areas, one initiative, a login for every role and the
//! synthetic women with their histories, all from one seed.

use crate::{Error, Progress};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::do_not_contact::DncKey;
use domain::funnel::EventKind;
use domain::org::{Initiative, NewUser};
use domain::policy::Role;
use store::{SqlStore, UserExtra};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// The demo's one password. The demo serves on 127.0.0.1 with invented people only.
pub const DEMO_PASSWORD: &str = "opsog-demo";

pub struct DemoSettings {
    pub seed: u64,
    pub size: usize,
    pub now: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: String,
    pub role: Role,
    pub who: String,
}

#[derive(Debug, Clone)]
pub struct DemoReport {
    pub people: u64,
    pub logins: Vec<DemoLogin>,
}

const BATCH: usize = 1000;

fn audit(detail: String) -> AuditRecord {
    AuditRecord {
        actor: AuditActor::system("demo"),
        action: AuditAction::BatchJob,
        persons: vec![],
        origin: "opsog demo".into(),
        detail,
    }
}

/// Builds the demo municipality into an empty store.
pub async fn seed(
    store: &SqlStore,
    settings: &DemoSettings,
    key: &DncKey,
    progress: &dyn Progress,
) -> Result<DemoReport, Error> {
    let hash = crate::auth::hash_password_blocking(DEMO_PASSWORD.to_string())
        .await
        .map_err(|e| Error::unexpected("hashing the demo password", e))?;
    let mut teams = Vec::new();
    for name in synth::teams() {
        teams.push(store.create_team(name).await?);
    }
    let team_id = |name: &str| teams.iter().find(|t| t.name == name).map(|t| t.id);
    let mut areas = Vec::new();
    for a in synth::areas() {
        areas.push(store.create_area(a.code, a.name, &a.postcodes).await?);
    }
    let mut partner_orgs = Vec::new();
    for name in synth::partner_org_names() {
        partner_orgs.push((store.create_partner_org(name).await?, (*name).to_string()));
    }
    describe_partners(store, &partner_orgs, settings.now.date()).await?;
    let start = settings.now - Duration::days(540);
    let initiative = Initiative {
        id: Uuid::new_v4(),
        name: "Flere kvinder i job 2025–2027".into(),
        starts_on: start.date(),
        ends_on: Some((settings.now + Duration::days(365)).date()),
        target_group: "Selvforsørgende kvinder med ikke-vestlig baggrund, 18–64 år".into(),
        methods: vec!["register".into(), "ambassador".into(), "partner".into()],
        area_ids: areas.iter().map(|a| a.id).collect(),
        capacity: Some(120),
        cool_off_days: 90,
        cadence: Default::default(),
    };
    store.create_initiative(&initiative).await?;

    let mut logins = Vec::new();
    let mut create = async |username: &str,
                            name: &str,
                            role: Role,
                            team: Option<Uuid>,
                            partner: Option<Uuid>,
                            languages: &[&str]|
           -> Result<Uuid, Error> {
        let nu = NewUser { username: username.into(), display_name: name.into(), role, team_id: team };
        let extra = UserExtra {
            team_id: team,
            partner_org_id: partner,
            languages: languages.iter().map(|l| (*l).to_string()).collect(),
            direct_phone: domain::PhoneNumber::parse(&format!("7020{:04}", logins.len() + 1)).ok(),
            locale: Default::default(),
        };
        let user = store.create_user(&nu, &hash, &extra, &audit(format!("demo user {username}"))).await?;
        logins.push(DemoLogin { username: username.into(), role, who: name.into() });
        Ok(user.id)
    };
    let coordinator =
        create("koordinator", "Karen Holm", Role::Coordinator, team_id(synth::teams()[0]), None, &["da", "en"]).await?;
    // A second coordinator approves the plan's legal basis: never its author (G-5.3).
    create("leder", "Lene Lund", Role::Coordinator, team_id(synth::teams()[0]), None, &["da"]).await?;
    let mut caseworkers = Vec::new();
    for (i, spec) in synth::caseworker_specs().iter().enumerate() {
        // The first caseworker logs in as "sagsbehandler", so the demo's logins name roles.
        let username = if i == 0 { "sagsbehandler" } else { spec.username };
        let team = team_id(spec.team);
        let id = create(username, spec.name, Role::Caseworker, team, None, spec.languages).await?;
        if let Some(team) = team {
            caseworkers.push(synth::Staff {
                user_id: id,
                team_id: team,
                name: spec.name.into(),
                languages: spec.languages.iter().map(|l| (*l).to_string()).collect(),
            });
        }
    }
    let mut ambassadors = Vec::new();
    let mut ambassador_areas = Vec::new();
    let caseworker_specs = synth::caseworker_specs();
    for (i, spec) in synth::ambassador_specs().iter().enumerate() {
        let username = if i == 0 { "ambassador" } else { spec.username };
        // Each ambassador works with a team, so the women she registers land in a
        // caseworker's list (the first with the first caseworker, "sagsbehandler").
        let team = caseworker_specs.get(i % caseworker_specs.len().max(1)).and_then(|c| team_id(c.team));
        let id = create(username, spec.name, Role::Ambassador, team, None, spec.languages).await?;
        ambassadors.push((id, spec.name.to_string()));
        let area = areas.iter().find(|a| a.code == spec.area).map(|a| a.id);
        ambassador_areas.push((id, spec.languages, area));
    }
    let partner_org = partner_orgs.first().map(|(id, _)| *id);
    create("partner", "Birgit Sprogcenter", Role::Partner, None, partner_org, &["da"]).await?;
    create("analytiker", "Anders Analyse", Role::Analyst, None, None, &["da"]).await?;
    create("admin", "IT-drift", Role::Admin, None, None, &["da"]).await?;

    ready_ambassadors(store, &initiative, &ambassador_areas, settings.now.date()).await?;
    write_plan(store, &initiative, coordinator, settings.now).await?;
    plan_meetings(store, &initiative, &areas, settings.now.date()).await?;

    let ctx = synth::Context {
        initiative_id: initiative.id,
        initiative_start: start,
        now: settings.now,
        areas: areas.iter().map(|a| (a.id, a.postcodes.clone())).collect(),
        caseworkers,
        ambassadors,
        partner_orgs,
        // Named for the month the women it found entered (issue 14, item 10: a run named
        // "januar 2026" was dated months before).
        register_run_label: format!("Registerudsøgning {}", domain::text::danish_month(start.date())),
    };
    let total = settings.size as u64;
    let mut batch = Vec::with_capacity(BATCH);
    let mut done = 0u64;
    let mut people = synth::people(settings.seed, settings.size, &ctx).peekable();
    while people.peek().is_some() {
        batch.extend(people.by_ref().take(BATCH));
        store
            .load_people(&batch, &audit(format!("synthetic women {}–{}", done + 1, done + batch.len() as u64)))
            .await?;
        // A woman who said "never again" is on the do-not-contact list, as in real use.
        let declined: Vec<String> = batch
            .iter()
            .filter(|p| p.events.iter().any(|e| e.input.kind == EventKind::NeverContactAgain))
            .flat_map(|p| {
                let d = &p.details;
                crate::dnc::of_person(key, d)
            })
            .collect();
        if !declined.is_empty() {
            store
                .add_do_not_contact(&declined, &audit(format!("{} declined women's identity hashes", declined.len())))
                .await?;
        }
        share_status_with_partners(store, &batch, coordinator).await?;
        done += batch.len() as u64;
        batch.clear();
        progress.step("women", done, total);
    }
    Ok(DemoReport { people: done, logins })
}

/// About half of the women a partner referred agreed that the partner may see how
/// far she has come (G-7, issue 14 item 10): a consent to that partner alone, given
/// when she was referred. Which half is fixed by her id, so a demo is the same each
/// time it is built with the same seed.
async fn share_status_with_partners(store: &SqlStore, batch: &[store::LoadPerson], by: Uuid) -> Result<(), Error> {
    use domain::org::{Consent, ConsentPurpose};
    use domain::person::SourceKind;
    for p in batch {
        let referral = p.sources.iter().find(|s| s.kind == SourceKind::Partner && s.reference_id.is_some());
        let Some(source) = referral else { continue };
        if p.id.as_bytes()[15] % 2 == 1 {
            continue;
        }
        let consent = Consent {
            id: Uuid::new_v4(),
            person_id: p.id,
            purpose: ConsentPurpose::PartnerStatus.code().to_string(),
            text_version: domain::partner::consent_text_version().to_string(),
            language: p.details.letter_language().unwrap_or("da").to_string(),
            recorded_by: by,
            recorded_at: source.added_at,
            withdrawn_at: None,
            partner_org_id: source.reference_id,
        };
        store.record_consent(&consent, &audit("demo consent: status to her referring partner".into())).await?;
    }
    Ok(())
}

/// The initiative's ethics frame (G-4.6, G-6.3, G-6.7), as a municipality might write it.
const DEMO_ETHICS_FRAME: &str = "\
Vi opsøger, vi presser ikke. Deltagelse er frivillig, og et nej er et gyldigt svar.
Vi taler med kvinden alene eller siger tydeligt, at kontakten er på kommunens initiativ.
Vi går ikke ind i private hjem og opsøger ikke kvinder i deres eget netværk.
Ser vi tegn på negativ social kontrol, kontakter vi ikke kvinden igen, men går til sagsbehandleren.
Vi fortæller aldrig andre, hvem vi har talt med.";

/// Field work needs the initiative's ethics frame and, per ambassador, a signed duty
/// of confidentiality and the frame accepted (G-6.7). The last ambassador has neither
/// yet, so the demo also shows the gate.
async fn ready_ambassadors(
    store: &SqlStore,
    initiative: &Initiative,
    ambassadors: &[(Uuid, &[&str], Option<Uuid>)],
    today: time::Date,
) -> Result<(), Error> {
    use domain::ambassador::{
        AmbassadorBackground, Assessment, Employment, EthicsAcceptance, ProfileDetails, TrainingTopic,
    };
    let version = store.set_ethics_frame(initiative.id, DEMO_ETHICS_FRAME, &audit("demo ethics frame".into())).await?;
    let ready = ambassadors.len().saturating_sub(1);
    for (i, (user_id, languages, area)) in ambassadors.iter().enumerate() {
        let signed = i < ready;
        let details = ProfileDetails {
            employment: if i % 2 == 0 { Employment::Volunteer } else { Employment::Employed },
            languages: languages.iter().map(|l| (*l).to_string()).collect(),
            area_ids: area.iter().copied().collect(),
            expected_hours_per_week: Some(8),
            background: if i % 2 == 0 {
                AmbassadorBackground::FormerParticipant
            } else {
                AmbassadorBackground::NeighbourhoodMother
            },
            assessment: Assessment {
                job_experience: "Har selv fundet job efter et forløb.".into(),
                relational_skills: "Lyttende og rolig; kendt i boligområdet.".into(),
                availability: "Eftermiddage og lørdage.".into(),
                local_position: "Aktiv i forældregruppen; ikke i moskeforeningen.".into(),
            },
            training_done: if signed { TrainingTopic::ALL.to_vec() } else { vec![] },
            confidentiality_signed_on: signed.then_some(today - Duration::days(30)),
        };
        let record = audit(format!("demo ambassador profile {i}"));
        store.save_ambassador_profile(*user_id, &details, &record).await?;
        if signed {
            let acceptance =
                EthicsAcceptance { initiative_id: initiative.id, version, accepted_on: today - Duration::days(29) };
            store.accept_ethics(*user_id, &acceptance, &audit(format!("demo ethics accepted {i}"))).await?;
        }
    }
    Ok(())
}

/// The demo's partners with their kind (G-7.2–7.3) and each one's agreement (G-7.5).
async fn describe_partners(store: &SqlStore, orgs: &[(Uuid, String)], today: time::Date) -> Result<(), Error> {
    use domain::partner::{Agreement, PartnerDetails, PartnerKind};
    let kind_of = |name: &str| {
        let n = name.to_lowercase();
        if n.contains("sprog") {
            PartnerKind::LanguageSchool
        } else if n.contains("sundhed") {
            PartnerKind::HealthVisitor
        } else if n.contains("frivillig") {
            PartnerKind::VolunteerCentre
        } else if n.contains("boligsocial") {
            PartnerKind::HousingSocialWork
        } else if n.contains("kvinde") {
            PartnerKind::MothersGroup
        } else {
            PartnerKind::Association
        }
    };
    for (i, (id, name)) in orgs.iter().enumerate() {
        let details = PartnerDetails {
            name: name.clone(),
            kind: kind_of(name),
            area_id: None,
            contact_persons: vec![format!("Kontakt {} · 7030{:04}", i + 1, i + 1)],
            active: true,
        };
        store.update_partner(*id, &details, &audit(format!("demo partner {name}"))).await?;
        // Every partner that refers has an agreement (G-7.5; issue 14 item 10); the
        // last is due for review within a month, so the register shows that state.
        {
            let review_in = if i + 1 == orgs.len() { 20 } else { 180 + 30 * i as i64 };
            let agreement = Agreement {
                guidelines: "Vi henviser kun med kvindens samtykke og giver kun navn, telefon og sprog videre.".into(),
                core_task_benefit: "Kvinderne får et næste skridt mod job, og vi får en vej at henvise dem ad.".into(),
                ethics: "Vi presser ikke; vores relation til kvinden går forud for henvisningen.".into(),
                confidentiality: "Intet om helbred, familie eller sag gives videre.".into(),
                review_on: today + Duration::days(review_in),
            };
            store.save_agreement(*id, &agreement, &audit(format!("demo agreement {name}"))).await?;
        }
    }
    Ok(())
}

/// Residents of the demo municipality whose register extracts the coordinator uploads.
pub const DEMO_RESIDENTS: usize = 20_000;

/// The synthetic register extracts of the demo municipality (G-5.1), written as the
/// municipality's systems would export them (mixed encodings, separators and date
/// forms; the language school's list also as XLSX), for the coordinator to upload
/// from the web or with `opsog register import`. Written once; the truth beside them
/// in `truth/` is what the search should find.
pub fn write_demo_extracts(dir: &std::path::Path, seed: u64, today: time::Date) -> Result<Vec<String>, Error> {
    use synth::registers::{ExtractOptions, IncomeRows, Style};
    let io = |e: std::io::Error| Error::unexpected(format!("writing the demo extracts to {}", dir.display()), e);
    if !dir.join("befolkning.csv").exists() {
        let population = synth::population::population(seed, DEMO_RESIDENTS, today);
        let options =
            ExtractOptions { seed, today, style: Style::Municipal, income_rows: IncomeRows::EarnersOnly, xlsx: true };
        synth::registers::write_extracts(&population, &options, dir).map_err(io)?;
        synth::registers::write_truth(&population, &options, dir).map_err(io)?;
    }
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    Ok(names)
}

/// The initiative's plan, version 1, written by the coordinator and not yet approved:
/// the demo shows the gate, and `leder` can approve it.
async fn write_plan(store: &SqlStore, initiative: &Initiative, author: Uuid, now: OffsetDateTime) -> Result<(), Error> {
    use domain::plan::{Dpia, LegalBasis, Method, Plan, next_version};
    let today = now.date();
    // The guide's first example selection (G-5.2), saved as version 1; the plan names
    // it by checksum, so that an approval covers exactly this file (G-5.3).
    let rules = domain::selection::template("self_supporting_women")
        .ok_or_else(|| Error::unexpected_msg("the demo's rules", "the shipped template is missing"))?;
    let toml = rules.to_toml().map_err(|e| Error::unexpected("writing the demo's rules", e))?;
    let saved = store
        .save_selection_rules(initiative.id, &rules.name, &toml, author, &audit("demo selection rules".into()))
        .await?;
    let rules_ref = format!("udvaelgelse-v{}.toml {}", saved.version, domain::selection::Rules::reference(&toml));
    let plan = Plan {
        target_group: initiative.target_group.clone(),
        segments: "Kort uddannelse; lille netværk uden for familien; dansk på begynderniveau.".into(),
        challenges: "Mange er isolerede og kender ikke kommunens tilbud; nogle lever under social kontrol.".into(),
        why: "Et job giver egen indkomst, kolleger og et forbillede for børnene.".into(),
        how: "Breve på hendes sprog, telefonopfølgning, ambassadører i boligområderne og partnere.".into(),
        methods: vec![Method::RegisterSearch, Method::Ambassadors, Method::Partners],
        methods_why: "Registrene finder de isolerede; ambassadører og partnere når dem, brevet ikke når.".into(),
        ethics_frame: DEMO_ETHICS_FRAME.into(),
        resources: "To jobkonsulenter, seks ambassadører og sprogcentret.".into(),
        programme_seats: initiative.capacity.unwrap_or(120),
        capacity_note: "Op til 40 nye kvinder pr. halvår.".into(),
        legal_frame: "Lov om en aktiv beskæftigelsesindsats; databeskyttelsesreglerne.".into(),
        area_ids: initiative.area_ids.clone(),
        sources: vec!["Folkeregister (CPR-udtræk)".into(), "Indkomstregister".into(), "Ydelsesudbetalinger".into()],
        rules_ref,
        legal_basis: Some(LegalBasis {
            text: "Udsøgningen sker som led i kommunens myndighedsudøvelse på beskæftigelsesområdet.".into(),
            reference: "Databeskyttelseslovens § 6, jf. databeskyttelsesforordningens art. 6, stk. 1, litra e".into(),
            recorded_by: author,
            recorded_on: today - Duration::days(20),
        }),
        dpia: Some(Dpia { reference: "DPIA 2026-14".into(), date: today - Duration::days(30) }),
        review_on: today + Duration::days(180),
    };
    let version = next_version(None, plan, author, now);
    store.save_plan_version(initiative.id, &version, &audit("demo plan version 1".into())).await?;
    Ok(())
}

/// Two intro meetings ahead, so that ambassadors have something to invite women to.
async fn plan_meetings(
    store: &SqlStore,
    initiative: &Initiative,
    areas: &[domain::org::Area],
    today: time::Date,
) -> Result<(), Error> {
    use domain::meeting::IntroMeeting;
    let planned = [
        (7, 10, "Beboerhuset, Nørrevang", vec!["ar".to_string(), "da".to_string()]),
        (14, 13, "Biblioteket, mødelokale 2", vec!["so".to_string(), "ti".to_string(), "da".to_string()]),
    ];
    for (i, (days, hour, place, languages)) in planned.into_iter().enumerate() {
        let meeting = IntroMeeting {
            date: today + Duration::days(days),
            time: time::Time::from_hms(hour, 0, 0).map_err(|e| Error::unexpected("the demo's meeting times", e))?,
            place: place.into(),
            area_id: areas.get(i).map(|a| a.id),
            languages,
            spouse_welcome: i == 0,
            capacity: Some(12),
            note: "Kaffe og te. Børn må gerne komme med.".into(),
        };
        let by = Uuid::nil();
        store.plan_intro_meeting(initiative.id, &meeting, by, &audit(format!("demo intro meeting {i}"))).await?;
    }
    Ok(())
}

/// After a bulk load the planner's statistics are stale; refresh them.
pub async fn finish(store: &store::SqlStore) -> Result<(), Error> {
    store.analyze().await?;
    Ok(())
}
