//! Register search on extracts in shapes Opsøg's own generator did not use to write
//! (issue 12, items 1–4 and 8), from import to candidates with the CLI alone: a
//! population workbook with a title row and a blank row above its header, country
//! names in Danish instead of ISO codes, and benefit payment dates instead of months
//! (mapped by hand with `--map`). Each shape must find exactly the target group of the
//! extracts' date — precision and recall 1.0 against synth's truth.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use store::SqlStore;
use synth::registers::{BenefitDates, CountryForm, ExtractOptions, IncomeRows, PopulationFile, Shapes, Style};
use time::macros::date;

const BIN: &str = env!("CARGO_BIN_EXE_opsog");
/// The date the extracts describe: before the day the test runs, as an extract is.
const EXTRACT_DATE: time::Date = date!(2026 - 11 - 25);

fn opsog(data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("OPSOG__DATA_DIR", data)
        .env_remove("OPSOG_CONFIG")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn digits(cpr: &str) -> String {
    cpr.chars().filter(char::is_ascii_digit).collect()
}

fn truth(dir: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(dir.join("truth/target.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(digits)
        .filter(|c| !c.is_empty())
        .collect()
}

/// The CPR numbers of the women a run found (its candidates, new or known).
async fn found_by_run(data: &Path, run_id: &str) -> BTreeSet<String> {
    let store = SqlStore::connect(&format!("sqlite://{}", data.join("opsog.db").display())).await.unwrap();
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT p.cpr FROM persons p JOIN person_sources s ON s.person_id = p.id \
         WHERE s.kind = 'register_run' AND s.reference_id = $1",
    )
    .bind(run_id)
    .fetch_all(store.pool())
    .await
    .unwrap();
    store.close().await;
    rows.into_iter().map(|(c,)| digits(&c)).collect()
}

/// The demo's plan approved by its second coordinator, as on the web.
async fn approve_demo_plan(data: &Path) {
    let store = SqlStore::connect(&format!("sqlite://{}", data.join("opsog.db").display())).await.unwrap();
    let initiative = store.list_initiatives().await.unwrap().remove(0);
    let leder = store.list_users().await.unwrap().into_iter().find(|u| u.username == "leder").unwrap();
    let actor =
        domain::policy::Actor { user_id: leder.id, role: leder.role, team_id: leder.team_id, partner_org_id: None };
    let current = store.plan_versions(initiative.id).await.unwrap().pop().unwrap();
    let approval = domain::plan::approve(&current, &actor, &[], time::OffsetDateTime::now_utc(), "godkendt").unwrap();
    let audit = domain::audit::AuditRecord {
        actor: domain::audit::AuditActor::system("test"),
        action: domain::audit::AuditAction::ApprovePlan,
        persons: vec![],
        origin: "test".into(),
        detail: String::new(),
    };
    store.approve_plan_version(initiative.id, current.version, &approval, &audit).await.unwrap();
    store.close().await;
}

/// One municipality's extracts in `shapes`, with their truth, in a folder of their own.
fn write_shaped(root: &Path, name: &str, shapes: &Shapes) -> PathBuf {
    let dir = root.join(name);
    let population = synth::population::population(2026, 6_000, EXTRACT_DATE);
    let options = ExtractOptions {
        seed: 11,
        today: EXTRACT_DATE,
        style: Style::Municipal,
        income_rows: IncomeRows::EarnersOnly,
        xlsx: false,
    };
    synth::registers::write_extracts_shaped(&population, &options, shapes, &dir).unwrap();
    synth::registers::write_truth_shaped(&population, &options, shapes, &dir).unwrap();
    dir
}

#[test]
fn the_whole_search_from_the_command_line_finds_exactly_the_target_group_in_every_shape() {
    let root = std::env::temp_dir().join(format!("opsog-shapes-{}", uuid::Uuid::new_v4()));
    let data = root.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let demo = opsog(&data, &["demo", "--no-serve", "--size", "20", "--data-dir", data.to_str().unwrap()]);
    assert!(demo.status.success(), "{}", text(&demo));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(approve_demo_plan(&data));

    let title = Shapes { population: PopulationFile::WorkbookWithTitle, ..Shapes::default() };
    let names = Shapes { country: CountryForm::DanishName, ..Shapes::default() };
    let payments = Shapes { benefit_dates: BenefitDates::PaymentDate, ..Shapes::default() };
    for (name, shapes) in [("title-row", title), ("danish-names", names), ("payment-dates", payments)] {
        let dir = write_shaped(&root, name, &shapes);
        let file = |f: &str| dir.join(f).to_str().unwrap().to_string();
        let as_of = EXTRACT_DATE.to_string();
        // The workbook tells its date in its title row; a plain CSV does not, and the
        // coordinator gives it.
        let population: Vec<String> = match shapes.population {
            PopulationFile::WorkbookWithTitle => {
                ["--kind", "population", "--file", &file("befolkning.xlsx")].map(String::from).to_vec()
            }
            PopulationFile::Csv => ["--kind", "population", "--file", &file("befolkning.csv"), "--as-of", &as_of]
                .map(String::from)
                .to_vec(),
        };
        let income = ["--kind", "income", "--file", &file("eindkomst.csv")].map(String::from).to_vec();
        let mut benefits = ["--kind", "benefits", "--file", &file("ydelser.csv")].map(String::from).to_vec();
        if shapes.benefit_dates == BenefitDates::PaymentDate {
            benefits.extend(["--map", "month=Udbetalingsdato"].map(String::from));
        }
        for args in [population, income, benefits] {
            let mut all: Vec<&str> = vec!["register", "import"];
            all.extend(args.iter().map(String::as_str));
            all.extend(["--as", "koordinator"]);
            let out = opsog(&data, &all);
            assert!(out.status.success(), "{name}: {all:?}: {}", text(&out));
            assert!(
                text(&out).contains(&format!("describes {EXTRACT_DATE}")) || args[1] != "population",
                "{}",
                text(&out)
            );
        }
        let dry = opsog(&data, &["register", "dry-run", "--as", "koordinator"]);
        assert!(dry.status.success(), "{name}: {}", text(&dry));
        // How each coded value was read is shown before anyone is created.
        let shown = text(&dry);
        assert!(shown.contains(&format!("the extracts describe {EXTRACT_DATE}")), "{shown}");
        assert!(shown.contains("→ DK (vestligt)"), "{name}: the reading of Danish origin: {shown}");

        let run = opsog(&data, &["register", "run", "--as", "koordinator"]);
        assert!(run.status.success(), "{name}: {}", text(&run));
        let run_id = text(&run)
            .lines()
            .find_map(|l| l.strip_prefix("run ").and_then(|r| r.split(':').next()).map(str::to_string))
            .unwrap_or_else(|| panic!("{name}: no run id in {}", text(&run)));
        let found = rt.block_on(found_by_run(&data, &run_id));
        let truth = truth(&dir);
        assert!(truth.len() > 20, "{name}: the synthetic truth has a target group");
        let hits = found.intersection(&truth).count() as f64;
        let (precision, recall) = (hits / found.len().max(1) as f64, hits / truth.len() as f64);
        eprintln!("{name}: {} found, {} true, precision {precision:.4}, recall {recall:.4}", found.len(), truth.len());
        assert_eq!((precision, recall), (1.0, 1.0), "{name}: {} found, {} true", found.len(), truth.len());
    }
    std::fs::remove_dir_all(&root).unwrap();
}
