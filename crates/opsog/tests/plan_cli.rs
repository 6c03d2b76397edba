//! The whole register search scriptable from the command line (issue 12, item 5), on
//! the demo municipality: `plan show` says what changed since the last approval,
//! `plan approve` wants a second coordinator, and `register candidates` writes the
//! run's women as CSV, audited naming exactly them.
// Test code: helpers outside #[test] fns may unwrap too — a failed step must stop the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sqlx::Row;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use store::SqlStore;

const BIN: &str = env!("CARGO_BIN_EXE_opsog");

/// A demo municipality of 20 women in a folder of its own.
fn demo() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("opsog-plan-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = run(&dir, &["demo", "--no-serve", "--size", "20", "--data-dir", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", all(&out));
    dir
}

/// `opsog` on the data in `dir`.
fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("OPSOG__DATA_DIR", dir)
        .env_remove("OPSOG_CONFIG")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn all(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

async fn store(dir: &Path) -> SqlStore {
    SqlStore::connect(&format!("sqlite://{}", dir.join("opsog.db").display())).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_show_says_what_changed_and_approve_wants_a_second_coordinator() {
    let dir = demo();
    // The demo's version 1 is written by `koordinator` and not approved.
    let out = run(&dir, &["plan", "show", "--as", "koordinator"]);
    assert!(out.status.success(), "{}", all(&out));
    let shown = all(&out);
    assert!(shown.contains("plan version 1, written by") && shown.contains("approved: no"), "{shown}");
    assert!(shown.contains("Selection rules (file and checksum): udvaelgelse-v1.toml sha256:"), "{shown}");
    assert!(shown.contains("the rules named: saved version 1"), "{shown}");
    assert!(shown.contains("no earlier version was approved"), "{shown}");
    // Only a coordinator reads it.
    let out = run(&dir, &["plan", "show", "--as", "sagsbehandler"]);
    assert_eq!(out.status.code(), Some(3), "{}", all(&out));

    // Four eyes: the author is refused, with a clear message and exit code 3.
    let out = run(&dir, &["plan", "approve", "--as", "koordinator"]);
    assert_eq!(out.status.code(), Some(3), "{}", all(&out));
    assert!(all(&out).contains("You wrote this version of the plan. Another coordinator must approve it."));
    let out = run(&dir, &["plan", "approve", "--as", "leder", "--note", "Set af juristen"]);
    assert!(out.status.success(), "{}", all(&out));
    assert!(all(&out).contains("approved: the legal basis of plan version 1"), "{}", all(&out));

    // Version 2 by `koordinator`: other rules and more resources.
    let s = store(&dir).await;
    let initiative = s.list_initiatives().await.unwrap().remove(0);
    let users = s.list_users().await.unwrap();
    let koordinator = users.iter().find(|u| u.username == "koordinator").unwrap();
    let v1 = s.plan_versions(initiative.id).await.unwrap().remove(0);
    let mut plan = v1.plan.clone();
    plan.rules_ref = "udvaelgelse-v2.toml sha256:0123456789ab".into();
    plan.resources = "Tre jobkonsulenter".into();
    let v2 = domain::plan::next_version(Some(&v1), plan, koordinator.id, time::OffsetDateTime::now_utc());
    assert!(v2.approval.is_none(), "other rules withdraw the approval");
    let audit = domain::audit::AuditRecord {
        actor: domain::audit::AuditActor::system("test"),
        action: domain::audit::AuditAction::SavePlan,
        persons: vec![],
        origin: "test".into(),
        detail: String::new(),
    };
    s.save_plan_version(initiative.id, &v2, &audit).await.unwrap();
    s.close().await;

    let out = run(&dir, &["plan", "show", "--as", "leder"]);
    let shown = all(&out);
    assert!(shown.contains("plan version 2") && shown.contains("approved: no"), "{shown}");
    assert!(shown.contains("changed since version 1, the last approved:"), "{shown}");
    let rules_line = format!(
        "Selection rules (file and checksum): was \"{}\", is now \"udvaelgelse-v2.toml sha256:0123456789ab\" — the approval covers this",
        v1.plan.rules_ref
    );
    assert!(shown.contains(&rules_line), "{shown}");
    let resources_line =
        format!("Resources, and who contributes: was \"{}\", is now \"Tre jobkonsulenter\"\n", v1.plan.resources);
    assert!(shown.contains(&resources_line), "not covered, so no note: {shown}");
    assert!(shown.contains("none of the saved selection rules has this checksum"), "{shown}");
    let changes = shown.lines().skip_while(|l| !l.starts_with("changed since")).skip(1).count();
    assert_eq!(changes, 2, "two fields changed: {shown}");

    // The author of version 2 is refused; an approval of a version not read is stale.
    let out = run(&dir, &["plan", "approve", "--as", "koordinator"]);
    assert_eq!(out.status.code(), Some(3), "{}", all(&out));
    let out = run(&dir, &["plan", "approve", "--as", "leder", "--version", "1"]);
    assert_eq!(out.status.code(), Some(5), "{}", all(&out));
    // The second coordinator reads the changes, then approves.
    let out = run(&dir, &["plan", "approve", "--as", "leder"]);
    assert!(out.status.success(), "{}", all(&out));
    let said = all(&out);
    assert!(said.find(&rules_line) < said.find("approved: the legal basis of plan version 2"), "{said}");
    let s = store(&dir).await;
    let versions = s.plan_versions(initiative.id).await.unwrap();
    let leder = users.iter().find(|u| u.username == "leder").unwrap();
    assert_eq!(versions[1].approval.as_ref().map(|a| a.approved_by), Some(leder.id));
    let log = s.list_audit(&store::AuditQuery { limit: 1000, ..Default::default() }).await.unwrap();
    let refusals = log
        .iter()
        .filter(|e| e.action.code() == "denied" && e.origin == "opsog plan approve" && e.detail.contains("own-version"))
        .count();
    assert_eq!(refusals, 2, "each refusal of the author is audited");
    s.close().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn register_candidates_writes_one_row_per_woman_of_the_run_and_audits_exactly_them() {
    let dir = demo();
    let out = run(&dir, &["plan", "approve", "--as", "leder"]);
    assert!(out.status.success(), "{}", all(&out));
    // The date the extracts describe: the demo's population CSV has no title row.
    let today = time::OffsetDateTime::now_utc().date().to_string();
    for (kind, name) in [("population", "befolkning.csv"), ("income", "eindkomst.csv"), ("benefits", "ydelser.csv")] {
        let file = dir.join("udtraek").join(name);
        let args = ["register", "import", "--kind", kind, "--file", file.to_str().unwrap(), "--as-of", &today];
        let out = run(&dir, &[&args[..], &["--as", "koordinator"]].concat());
        assert!(out.status.success(), "{name}: {}", all(&out));
    }
    let out = run(&dir, &["register", "run", "--as", "koordinator"]);
    assert!(out.status.success(), "{}", all(&out));
    let said = all(&out);
    let run_id = said.lines().find_map(|l| l.strip_prefix("run ")).unwrap().split(':').next().unwrap().to_string();

    // Not for a caseworker: refused, exit code 3, nothing written out.
    let out = run(&dir, &["register", "candidates", "--as", "sagsbehandler"]);
    assert_eq!(out.status.code(), Some(3), "{}", all(&out));
    assert!(out.stdout.is_empty());
    let out = run(&dir, &["register", "candidates", "--run", &uuid::Uuid::new_v4().to_string(), "--as", "koordinator"]);
    assert_eq!(out.status.code(), Some(4), "an unknown run: {}", all(&out));

    let out = run(&dir, &["register", "candidates", "--run", &run_id, "--as", "koordinator"]);
    assert!(out.status.success(), "{}", all(&out));
    let mut csv = csv::ReaderBuilder::new().delimiter(b';').from_reader(out.stdout.as_slice());
    let header: Vec<String> = csv.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, app::register_candidates::CSV_HEADER.map(str::to_string).to_vec());
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let from_file: Vec<String> = rows.iter().map(|r| r[0].to_string()).collect();
    let same_default = run(&dir, &["register", "candidates", "--as", "koordinator"]);
    assert_eq!(same_default.stdout, out.stdout, "the newest run by default");

    // The run's women as the database holds them: the persons whose source is the run.
    let s = store(&dir).await;
    let women: Vec<(String, String)> = sqlx::query(
        "SELECT p.id, p.cpr FROM persons p JOIN person_sources ps ON ps.person_id = p.id \
         WHERE ps.kind = 'register_run' AND ps.reference_id = $1",
    )
    .bind(&run_id)
    .fetch_all(s.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.try_get(0).unwrap(), r.try_get(1).unwrap()))
    .collect();
    assert!(!women.is_empty());
    assert_eq!(from_file.len(), women.len(), "one row per woman");
    let cprs: BTreeSet<String> = women.iter().map(|w| w.1.clone()).collect();
    assert_eq!(from_file.iter().cloned().collect::<BTreeSet<_>>(), cprs, "the CPR numbers in full");
    assert!(rows.iter().all(|r| r.len() == 9 && !r[1].is_empty() && !r[6].is_empty() && r[8].is_empty()));

    // Audited as one read each time, naming exactly the women of the run.
    let ids: BTreeSet<String> = women.iter().map(|w| w.0.clone()).collect();
    let entries = s
        .list_audit(&store::AuditQuery { limit: 1000, ..Default::default() })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.code() == "export_candidates")
        .collect::<Vec<_>>();
    assert_eq!(entries.len(), 2, "the two lists written");
    for e in &entries {
        assert_eq!(e.origin, "opsog register candidates");
        assert_eq!(e.username, "koordinator");
        assert_eq!(e.persons.iter().map(ToString::to_string).collect::<BTreeSet<_>>(), ids);
    }
    s.close().await;
    std::fs::remove_dir_all(&dir).unwrap();
}
