//! A register run's candidates written out (issue 12, item 5) at the `app` level: only
//! the coordinator, the newest run or the one named, one row per woman the run found,
//! and one audit entry naming exactly those women; on SQLite and (with
//! TEST_DATABASE_URL) PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use app::register_candidates::{CSV_HEADER, CandidatesInput, candidates, write_csv};
use app::{Caller, Error, Refusal};
use common::{ctx, log};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::policy::Role;
use std::collections::BTreeSet;
use store::testkit::{TestDb, initiative, user};
use store::{RegisterRunRecord, RunCandidate, SqlStore};
use time::OffsetDateTime;
use uuid::Uuid;

fn sys() -> AuditRecord {
    AuditRecord {
        actor: AuditActor::system("test"),
        action: AuditAction::RegisterRun,
        persons: vec![],
        origin: "test".into(),
        detail: String::new(),
    }
}

/// A woman as a run finds her in the population extract.
fn found(given: &str, family: &str, cpr: &str, country: &str) -> RunCandidate {
    let parsed = domain::Cpr::parse(cpr).unwrap();
    RunCandidate {
        candidate: domain::selection::Candidate {
            given_name: given.into(),
            family_name: family.into(),
            cpr: cpr.into(),
            birth_date: parsed.birth_date(),
            country_of_origin: country.into(),
            arrived_in_denmark: Some(time::macros::date!(2012 - 05 - 01)),
            street: Some(format!("{family}vej 3; 2. th.")),
            postcode: Some("5820".into()),
            city: Some("Søby".into()),
            area_code: None,
            phone: None,
        },
        dnc_hashes: vec![format!("hash-{cpr}")],
    }
}

/// A run written as `finish_run` writes it, `minutes` after now.
async fn run(s: &SqlStore, init: Uuid, by: &domain::org::User, minutes: i64, women: &[RunCandidate]) -> Uuid {
    let rules = s.save_selection_rules(init, "r", "# r\n", by.id, &sys()).await.unwrap();
    let run = RegisterRunRecord {
        id: Uuid::new_v4(),
        initiative_id: init,
        plan_version: 1,
        legal_basis: "Databeskyttelseslovens § 6".into(),
        rules_id: rules.id,
        rules_checksum: rules.checksum,
        sources: "[]".into(),
        counts: "{}".into(),
        overview: "{}".into(),
        run_by: by.id,
        run_by_name: by.display_name.clone(),
        run_at: OffsetDateTime::now_utc() + time::Duration::minutes(minutes),
    };
    s.accept_register_run(&run, women, &[], &sys()).await.unwrap();
    run.id
}

#[tokio::test]
async fn the_candidates_of_a_run_are_one_row_each_and_one_audit_entry_naming_exactly_them() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let koord = user(s, "koord", Role::Coordinator, None).await;
    let ctx = ctx(&db);
    let (amina, fatma, hodan) = (
        found("Amina", "Hassan", "0707614286", "SY"),
        found("Fatma", "Yılmaz", "1203854312", "TR"),
        found("Hodan", "Warsame", "0305914322", "SO"),
    );
    let first = run(s, init.id, &koord, 0, &[amina.clone(), fatma.clone()]).await;
    // Fatma again, already known: the newer run names her too, as one person.
    let newest = run(s, init.id, &koord, 5, &[fatma, hodan]).await;
    let caller = Caller::new(koord, "opsog register candidates");

    let list = candidates(&ctx, &caller, CandidatesInput::default()).await.unwrap();
    assert_eq!(list.run.id, newest, "the newest run by default");
    let names: Vec<&str> = list.persons.iter().map(|p| p.details.given_name.as_str()).collect();
    assert_eq!(names, vec!["Hodan", "Fatma"], "by family name");
    let entries = log(s).await;
    let entry = entries.iter().find(|e| e.action == AuditAction::ExportCandidates).expect("audited");
    let listed: BTreeSet<Uuid> = list.persons.iter().map(|p| p.id).collect();
    assert_eq!(entry.persons.iter().copied().collect::<BTreeSet<_>>(), listed, "names exactly the women listed");
    assert_eq!(entry.persons.len(), 2);
    assert_eq!(
        (entry.origin.as_str(), entry.detail.clone()),
        ("opsog register candidates", format!("register_run={newest}"))
    );

    let older = candidates(&ctx, &caller, CandidatesInput { run: Some(first) }).await.unwrap();
    let cprs: Vec<String> = older.persons.iter().map(|p| p.details.cpr.as_ref().unwrap().expose()).collect();
    assert_eq!(cprs, vec!["070761-4286", "120385-4312"]);

    // The file: a header row, one row per woman, `;`-separated, the CPR in full, a
    // value with `;` in it quoted.
    let mut bytes = Vec::new();
    write_csv(&older, &mut bytes).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), CSV_HEADER.to_vec());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0].iter().collect::<Vec<_>>(),
        vec!["070761-4286", "Amina", "Hassan", "Hassanvej 3; 2. th.", "5820", "Søby", "SY", "Syrien", ""]
    );
    assert!(text.contains("\"Hassanvej 3; 2. th.\""), "{text}");
    assert_eq!(rows[1].get(2), Some("Yılmaz"));

    let unknown = candidates(&ctx, &caller, CandidatesInput { run: Some(Uuid::new_v4()) }).await;
    assert!(matches!(unknown, Err(Error::NotFound("register run"))), "{:?}", unknown.err());
    db.cleanup().await;
}

#[tokio::test]
async fn only_a_coordinator_lists_the_candidates_and_a_refusal_is_audited_without_names() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let koord = user(s, "koord", Role::Coordinator, None).await;
    run(s, init.id, &koord, 0, &[found("Amina", "Hassan", "0707614286", "SY")]).await;
    let ctx = ctx(&db);
    for role in Role::ALL.into_iter().filter(|r| *r != Role::Coordinator) {
        let who = user(s, &format!("u-{}", role.code()), role, None).await;
        let e = candidates(&ctx, &Caller::new(who, "opsog register candidates"), CandidatesInput::default()).await;
        assert!(matches!(e, Err(Error::Refused(Refusal::Role))), "{role:?}");
    }
    let entries = log(s).await;
    assert!(entries.iter().all(|e| e.action != AuditAction::ExportCandidates), "nothing was listed");
    let denied: Vec<_> = entries.iter().filter(|e| e.action == AuditAction::Denied).collect();
    assert_eq!(denied.len(), Role::ALL.len() - 1);
    assert!(denied.iter().all(|e| e.persons.is_empty()));
    db.cleanup().await;
}
