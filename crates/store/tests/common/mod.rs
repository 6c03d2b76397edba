//! What the conformance tests of every area share: audit records, an initiative,
//! people and events to write, and the ambassador's street setting.
// Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::too_many_arguments)]

use domain::ambassador::{
    AmbassadorBackground, Assessment, Employment, ProfileDetails, StreetRegistration, TrainingTopic,
};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::funnel::{Channel, EventKind, TransitionInput};
use domain::org::Initiative;
use domain::org::User;
use domain::partner::{Agreement, ReferralLink, new_link_token};
use domain::person::PersonInput;
use domain::policy::Role;
use store::testkit::user;
use store::testkit::{partner_details, partner_user};
use store::*;
use time::OffsetDateTime;
use time::macros::date;
use uuid::Uuid;

pub fn audit(action: AuditAction) -> AuditRecord {
    AuditRecord {
        actor: AuditActor::system("test"),
        action,
        persons: vec![],
        origin: "test".into(),
        detail: String::new(),
    }
}

pub async fn initiative(s: &SqlStore) -> Initiative {
    let i = Initiative {
        id: Uuid::new_v4(),
        name: "Kvinder i job".into(),
        starts_on: date!(2026 - 01 - 01),
        ends_on: None,
        target_group: "Selvforsørgende kvinder".into(),
        methods: vec!["register".into()],
        area_ids: vec![],
        capacity: Some(40),
        cool_off_days: 90,
        cadence: Default::default(),
    };
    s.create_initiative(&i).await.unwrap();
    i
}

pub fn details(given: &str, family: &str, cpr: &str, phone: &str) -> domain::person::PersonDetails {
    PersonInput {
        given_name: given.into(),
        family_name: family.into(),
        cpr: cpr.into(),
        phone: phone.into(),
        languages: "ar".into(),
        country_of_origin: "SY".into(),
        ..Default::default()
    }
    .parse(date!(2026 - 11 - 25))
    .unwrap()
}

pub fn event(person: Uuid, init: Uuid, kind: EventKind) -> NewEvent {
    NewEvent {
        person_id: person,
        initiative_id: init,
        input: TransitionInput {
            kind,
            at: OffsetDateTime::now_utc(),
            channel: Channel::Phone,
            new_contact_data: false,
        },
        actor: EventActor { user_id: None, name: "Mette".into() },
        language: Some("ar".into()),
        interpreter_used: true,
        note: format!("{kind:?}"),
        do_not_contact: vec![],
    }
}

/// Every entry, wherever the backend keeps it (SQLite has a second file for entries
/// that stand alone).
pub async fn audit_count(s: &SqlStore) -> i64 {
    let all = s.list_audit(&AuditQuery { limit: 100_000, ..Default::default() }).await.unwrap();
    i64::try_from(all.len()).unwrap()
}

pub fn profile(areas: Vec<Uuid>) -> ProfileDetails {
    ProfileDetails {
        employment: Employment::Volunteer,
        languages: vec!["so".into(), "ar".into()],
        area_ids: areas,
        expected_hours_per_week: Some(8),
        background: AmbassadorBackground::NeighbourhoodMother,
        assessment: Assessment {
            job_experience: "Cleaning job, then a nursing assistant course".into(),
            relational_skills: "Listens".into(),
            availability: "Afternoons".into(),
            local_position: "Somali mothers' group".into(),
        },
        training_done: vec![TrainingTopic::Approach, TrainingTopic::Confidentiality],
        confidentiality_signed_on: Some(date!(2026 - 03 - 01)),
    }
}

pub fn registration_write(reg: StreetRegistration, ambassador: &User, initiative_id: Uuid) -> StreetRegistrationWrite {
    StreetRegistrationWrite {
        registration: reg,
        ambassador: ambassador.clone(),
        initiative_id,
        consent_text_version: domain::ambassador::consent_text_version().into(),
        dnc_hashes: Vec::new(),
        at: OffsetDateTime::now_utc(),
    }
}

/// A team with a caseworker and an ambassador, a caseworker of another team, a
/// coordinator, an area and an initiative: the street registration's world.
pub struct Street {
    pub init: Initiative,
    pub area: domain::org::Area,
    pub team: Uuid,
    pub caseworker: User,
    pub other_caseworker: User,
    pub coordinator: User,
    pub ambassador: User,
}

pub async fn street(s: &SqlStore) -> Street {
    let init = initiative(s).await;
    let area = s.create_area("vest", "Vest", &["5000".into()]).await.unwrap();
    let team = s.create_team("Vest").await.unwrap().id;
    let other_team = s.create_team("Øst").await.unwrap().id;
    Street {
        init,
        area,
        team,
        caseworker: user(s, "mette", Role::Caseworker, Some(team)).await,
        other_caseworker: user(s, "lise", Role::Caseworker, Some(other_team)).await,
        coordinator: user(s, "karen", Role::Coordinator, None).await,
        ambassador: user(s, "hibo", Role::Ambassador, Some(team)).await,
    }
}

pub fn messages(list: &[domain::org::Notification]) -> Vec<(&str, Option<Uuid>)> {
    list.iter().map(|n| (n.message.as_str(), n.person_id)).collect()
}

/// A partner with an account, a second partner, a coordinator, a caseworker and an
/// initiative: the referral's world.
pub struct Partners {
    pub init: Initiative,
    pub org: Uuid,
    pub other_org: Uuid,
    pub coordinator: User,
    pub caseworker: User,
    pub account: User,
}

pub async fn partners(s: &SqlStore) -> Partners {
    let init = initiative(s).await;
    let org = s.create_partner(&partner_details("Sprogcenter Nord"), &audit(AuditAction::UpdatePerson)).await.unwrap();
    let other_org =
        s.create_partner(&partner_details("Mødregruppen"), &audit(AuditAction::UpdatePerson)).await.unwrap();
    let team = s.create_team("Nord").await.unwrap().id;
    Partners {
        init,
        org,
        other_org,
        coordinator: user(s, "karen", Role::Coordinator, None).await,
        caseworker: user(s, "mette", Role::Caseworker, Some(team)).await,
        account: partner_user(s, "lene", org).await,
    }
}

/// A fresh one-time link for `org`, made by `by` at `at`; returns its stored hash.
pub async fn make_link(s: &SqlStore, org: Uuid, by: Uuid, at: OffsetDateTime) -> String {
    let (_token, hash) = new_link_token(*Uuid::new_v4().as_bytes().repeat(2).first_chunk::<32>().unwrap());
    s.create_referral_link(&ReferralLink::new(hash.clone(), org, by, at), &audit(AuditAction::UpdatePerson))
        .await
        .unwrap();
    hash
}

pub fn through_link(r: domain::partner::Referral, org: Uuid, hash: &str, init: Uuid) -> ReferralWrite {
    ReferralWrite {
        referral: r,
        partner_org_id: org,
        referred_by: None,
        link_token_hash: Some(hash.to_string()),
        initiative_id: init,
        dnc_hashes: Vec::new(),
        at: OffsetDateTime::now_utc(),
    }
}

pub fn from_account(r: domain::partner::Referral, account: &User, init: Uuid) -> ReferralWrite {
    ReferralWrite {
        referral: r,
        partner_org_id: account.partner_org_id.unwrap(),
        referred_by: Some(account.clone()),
        link_token_hash: None,
        initiative_id: init,
        dnc_hashes: Vec::new(),
        at: OffsetDateTime::now_utc(),
    }
}

pub async fn count_rows(s: &SqlStore, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(s.pool()).await.unwrap()
}

/// Everything a referral writes, to show that a refused one wrote nothing.
pub async fn written(s: &SqlStore) -> Vec<i64> {
    let mut counts = vec![audit_count(s).await];
    for table in ["persons", "person_sources", "events", "funnels", "consents", "notifications"] {
        counts.push(count_rows(s, table).await);
    }
    counts
}

pub fn agreement() -> Agreement {
    Agreement {
        guidelines: "Lærerne nævner tilbuddet i klassen en gang pr. semester.".into(),
        core_task_benefit: "Kursister i job lærer hurtigere dansk.".into(),
        ethics: "Lærerne giver aldrig videre, hvad en kursist har fortalt i fortrolighed.".into(),
        confidentiality: "Kun navn og telefon, kun med hendes samtykke.".into(),
        review_on: date!(2026 - 09 - 01),
    }
}

pub fn candidate(given: &str, cpr: &str, area: Option<&str>) -> domain::selection::Candidate {
    domain::selection::Candidate {
        given_name: given.into(),
        family_name: "Hassan".into(),
        cpr: cpr.into(),
        birth_date: domain::Cpr::parse(cpr).unwrap().birth_date(),
        country_of_origin: "SY".into(),
        arrived_in_denmark: Some(date!(2015 - 03 - 01)),
        street: Some("Vestervej 4".into()),
        postcode: Some("5820".into()),
        city: Some("Søby".into()),
        area_code: area.map(str::to_string),
        phone: None,
    }
}

pub fn run_record(init: Uuid, rules: &SelectionRulesRecord, by: &domain::org::User) -> RegisterRunRecord {
    RegisterRunRecord {
        id: Uuid::new_v4(),
        initiative_id: init,
        plan_version: 1,
        legal_basis: "Databeskyttelseslovens § 6".into(),
        rules_id: rules.id,
        rules_checksum: rules.checksum.clone(),
        sources: "[]".into(),
        counts: "{}".into(),
        overview: "{}".into(),
        run_by: by.id,
        run_by_name: by.display_name.clone(),
        run_at: OffsetDateTime::now_utc(),
    }
}

pub async fn run_of(s: &SqlStore, init: Uuid, by: Uuid) -> Uuid {
    let rules = s.save_selection_rules(init, "r", "# r\n", by, &audit(AuditAction::SaveSelectionRules)).await.unwrap();
    let run = RegisterRunRecord {
        id: Uuid::new_v4(),
        initiative_id: init,
        plan_version: 1,
        legal_basis: "LAB".into(),
        rules_id: rules.id,
        rules_checksum: rules.checksum,
        sources: "[]".into(),
        counts: "[]".into(),
        overview: "{}".into(),
        run_by: by,
        run_by_name: "K".into(),
        run_at: OffsetDateTime::now_utc(),
    };
    s.accept_register_run(&run, &[], &[], &audit(AuditAction::RegisterRun)).await.unwrap();
    run.id
}

pub fn batch_letter(person: Uuid, init: Uuid, code: &str, contact: Option<Uuid>, seen_events: u64) -> BatchLetterWrite {
    let now = OffsetDateTime::now_utc();
    BatchLetterWrite {
        person_id: person,
        delivery: domain::letter_batch::Delivery::DigitalPost,
        language: "ar".into(),
        message_uuid: Some(Uuid::new_v4()),
        code: ResponseCodeRecord {
            code_hash: domain::response::code_hash(code),
            person_id: person,
            initiative_id: init,
            issued_at: now,
            expires_at: domain::response::expires_at(now),
            used_at: None,
        },
        new_contact: contact.map(|c| (c, None)),
        note: "Brev på arabisk og dansk (Digital Post).".into(),
        seen_events,
        dnc_hashes: Vec::new(),
    }
}

pub fn batch_write(init: Uuid, run: Uuid, by: &User, letters: Vec<BatchLetterWrite>) -> LetterBatchWrite {
    LetterBatchWrite {
        id: Uuid::now_v7(),
        initiative_id: init,
        run_id: Some(run),
        actor: EventActor { user_id: Some(by.id), name: by.display_name.clone() },
        created_at: OffsetDateTime::now_utc(),
        skipped: vec![(domain::letter_batch::Skip::SafeContactOnly, 2)],
        check_errors: 0,
        override_reason: None,
        print_files: 0,
        letters,
    }
}
