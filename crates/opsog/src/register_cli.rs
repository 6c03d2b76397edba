//! `opsog register …`: the register search from the command line, through the same
//! `app::register_search` use cases as the web. A command that reads or changes
//! personal data names the coordinator it acts as (`--as`), who is checked and audited
//! by the use case.

use crate::{CliError, caller};
use app::register_search::{self as search, ImportInput};
use clap::Subcommand;
use register::kinds::{ExtractFields, ExtractKind, Field};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum RegisterCommand {
    /// Import an extract (CSV or XLSX). The mapping saved for its kind is reused when
    /// it fits the file's headers; otherwise one is suggested from them.
    Import {
        /// population, income, benefits, integration_programme, language_school,
        /// housing_benefit, maintenance_contracts or reunification_deposits
        #[arg(long)]
        kind: String,
        #[arg(long)]
        file: PathBuf,
        /// XLSX: the sheet to read (default: the first).
        #[arg(long)]
        sheet: Option<String>,
        /// The row with the column headers, counted from 1 (default: found, skipping
        /// title and blank rows above it).
        #[arg(long)]
        header_row: Option<u64>,
        /// A column mapped by hand, as FIELD=COLUMN (e.g. month=udbetalingsdato);
        /// repeat for more. Overrides the saved or suggested mapping for that field.
        #[arg(long = "map", value_name = "FIELD=COLUMN")]
        map: Vec<String>,
        /// The date the extract describes, YYYY-MM-DD (default: a date in the file's
        /// title row, else the latest date its rows hold).
        #[arg(long, value_parser = parse_date)]
        as_of: Option<time::Date>,
        /// The coordinator's username.
        #[arg(long = "as")]
        user: String,
    },
    /// Save selection rules, from a shipped template or a TOML file.
    Rules {
        #[arg(long, conflicts_with = "file")]
        template: Option<String>,
        #[arg(long)]
        file: Option<PathBuf>,
        #[arg(long = "as")]
        user: String,
    },
    /// Count what the rules would select, step by step, and show how each coded value
    /// of the extracts was read; nothing is written.
    DryRun {
        /// Use extracts whose dates lie more than a month apart.
        #[arg(long)]
        confirm_dates: bool,
        #[arg(long = "as")]
        user: String,
    },
    /// Run the search under the approved plan and create the candidates.
    Run {
        /// Use extracts whose dates lie more than a month apart.
        #[arg(long)]
        confirm_dates: bool,
        #[arg(long = "as")]
        user: String,
    },
    /// Write a run's candidates (the newest run by default) as CSV to standard output:
    /// `;`-separated, UTF-8, CPR in full, name, address, origin. One read, audited
    /// naming every woman listed.
    Candidates {
        /// The register run's id.
        #[arg(long)]
        run: Option<uuid::Uuid>,
        #[arg(long = "as")]
        user: String,
    },
    /// Delete the extracts whose deletion date has come (also done daily by `serve`).
    Sweep,
}

pub async fn run(ctx: &app::Ctx, command: RegisterCommand) -> Result<(), CliError> {
    match command {
        RegisterCommand::Import { kind, file, sheet, header_row, map, as_of, user } => {
            let caller = caller(ctx, &user, "opsog register import").await?;
            let kind = ExtractKind::from_code(&kind).ok_or_else(|| {
                let kinds: Vec<&str> = ExtractKind::ALL.iter().map(|k| k.code()).collect();
                CliError::Config(format!("unknown kind {kind}; one of {}", kinds.join(", ")))
            })?;
            let file_name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let inspection = search::inspect(file.clone(), file_name.clone(), sheet.clone(), header_row).await?;
            let mut mapping = search::mapping_for(ctx, kind, &inspection.headers).await?;
            mapping.sheet = sheet;
            mapping.header_row = header_row;
            for pair in &map {
                let (field, column) = by_hand(kind, pair)?;
                mapping.columns.insert(field, column);
            }
            if let Err(problems) = mapping.check(&inspection.headers) {
                return Err(CliError::Config(mapping_help(&file_name, kind, &inspection, &mapping, &problems)));
            }
            println!("{file_name}: headers in row {}", inspection.header_row);
            for (field, header) in &mapping.columns {
                println!("  {:<18} ← {header}", field.code());
            }
            let input = ImportInput { file, file_name, mapping, move_file: false, as_of };
            let record = search::import(ctx, &caller, input).await?;
            println!(
                "imported {} ({}): {} rows, describes {}, sha256 {}",
                record.file_name,
                record.kind.code(),
                record.rows,
                record.reference_date.map(|d| d.to_string()).unwrap_or_default(),
                &record.sha256[..12]
            );
            for column in search::readings_of(&record)? {
                print_reading(&column);
            }
        }
        RegisterCommand::Rules { template, file, user } => {
            let caller = caller(ctx, &user, "opsog register rules").await?;
            let rules = match (template, file) {
                (Some(t), _) => domain::selection::template(&t).ok_or_else(|| {
                    CliError::Config(format!("unknown template {t}; one of {:?}", domain::selection::TEMPLATES))
                })?,
                (None, Some(path)) => {
                    let text =
                        std::fs::read_to_string(&path).map_err(crate::io(format!("reading {}", path.display())))?;
                    domain::selection::Rules::from_toml(&text)
                        .map_err(|e| CliError::Config(format!("{}: {e}", path.display())))?
                }
                (None, None) => return Err(CliError::Config("give --template or --file".into())),
            };
            let saved = search::save_rules(ctx, &caller, &rules).await?;
            let r = &saved.rules;
            println!(
                "saved rules version {}: {} ({})",
                r.version,
                r.name,
                domain::selection::Rules::reference(&r.toml)
            );
            match saved.plan_version {
                Some(v) => println!(
                    "plan version {v} names them; a second coordinator approves it (opsog plan approve) before a run"
                ),
                None => println!("the plan names them once it is saved with this reference"),
            }
        }
        RegisterCommand::DryRun { confirm_dates, user } => {
            let caller = caller(ctx, &user, "opsog register dry-run").await?;
            let dry = search::dry_run(ctx, &caller, confirm_dates).await?;
            println!("the extracts describe {}: ages, years in Denmark and periods count from it", dry.reference);
            print_counts(&dry.counts);
            for (step, window) in &dry.windows {
                println!("  step {}: {window}", step + 1);
            }
            for e in &dry.extracts {
                let date = e.reference_date.map(|d| d.to_string()).unwrap_or_default();
                println!("{} ({}, describes {date}):", e.file_name, e.kind.code());
                for column in &e.readings {
                    print_reading(column);
                }
            }
        }
        RegisterCommand::Run { confirm_dates, user } => {
            let caller = caller(ctx, &user, "opsog register run").await?;
            let report = search::run(ctx, &caller, confirm_dates).await?;
            print_counts(&report.counts);
            let o = report.outcome;
            println!(
                "run {}: {} new, {} already known (source added), {} already in the initiative, {} on the do-not-contact list, {} links for review; {} extracts deleted",
                report.run_id,
                o.created,
                o.added_to_known,
                o.already_in_initiative,
                o.on_do_not_contact,
                o.for_review,
                report.deleted_extracts
            );
        }
        RegisterCommand::Candidates { run, user } => {
            let caller = caller(ctx, &user, "opsog register candidates").await?;
            let input = app::register_candidates::CandidatesInput { run };
            let list = app::register_candidates::candidates(ctx, &caller, input).await?;
            app::register_candidates::write_csv(&list, std::io::stdout().lock())?;
            eprintln!("run {}: {} candidates", list.run.id, list.persons.len());
        }
        RegisterCommand::Sweep => {
            let n = search::sweep(ctx, "opsog register sweep").await?;
            println!("deleted {n} extracts whose date had come");
        }
    }
    Ok(())
}

fn parse_date(s: &str) -> Result<time::Date, String> {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("{s:?} is not a date of the form YYYY-MM-DD"))
}

/// `FIELD=COLUMN` for a field of this kind.
fn by_hand(kind: ExtractKind, pair: &str) -> Result<(Field, String), CliError> {
    let fields: Vec<&str> = kind.fields().iter().map(|f| f.field.code()).collect();
    let Some((field, column)) = pair.split_once('=') else {
        return Err(CliError::Config(format!(
            "--map {pair:?}: write FIELD=COLUMN, FIELD one of {}",
            fields.join(", ")
        )));
    };
    let field = Field::from_code(field.trim()).filter(|f| kind.spec(*f).is_some()).ok_or_else(|| {
        CliError::Config(format!(
            "--map {pair:?}: {} has no field {field:?}; one of {}",
            kind.code(),
            fields.join(", ")
        ))
    })?;
    Ok((field, column.trim().to_string()))
}

/// What the coordinator needs to map the file by hand: the problems, the file's headers
/// and the row they came from, the fields still missing, and the way to map them.
fn mapping_help(
    file_name: &str,
    kind: ExtractKind,
    inspection: &register::read::Inspection,
    mapping: &register::mapping::Mapping,
    problems: &[register::mapping::MappingProblem],
) -> String {
    let mut text = format!("{file_name}: the columns do not fit a {} extract:\n", kind.code());
    for p in problems {
        text.push_str(&format!("  - {p}\n"));
    }
    let headers: Vec<String> = inspection.headers.iter().map(|h| format!("{h:?}")).collect();
    text.push_str(&format!("headers found in row {}: {}\n", inspection.header_row, headers.join(", ")));
    let missing: Vec<&str> = kind
        .fields()
        .iter()
        .filter(|s| s.need == register::kinds::Need::Required && !mapping.columns.contains_key(&s.field))
        .map(|s| s.field.code())
        .collect();
    if !missing.is_empty() {
        text.push_str(&format!("required fields without a column: {}\n", missing.join(", ")));
    }
    text.push_str(
        "map a column by hand with --map FIELD=COLUMN, choose the header row with --header-row N, \
         or map it on the web page Registersøgning → Upload",
    );
    text
}

fn print_reading(c: &search::ColumnReading) {
    if c.values.is_empty() {
        return;
    }
    println!("  {} ({}):", c.field, c.column);
    for v in &c.values {
        println!("    {v}");
    }
    if c.other > 0 {
        println!("    and {} cells with other values", c.other);
    }
}

fn print_counts(c: &register::select::Counts) {
    println!("population rows: {} ({} duplicate CPR)", c.population_rows, c.population_duplicates);
    println!("after the base selection: {}", c.after_base);
    for s in &c.steps {
        println!("  {} {}: matched {}, remaining {}", s.action, s.source, s.matched, s.remaining);
    }
    if c.linked_certain + c.linked_review + c.unlinked > 0 {
        println!(
            "list rows without CPR: {} linked, {} for review, {} not linked",
            c.linked_certain, c.linked_review, c.unlinked
        );
    }
    println!("candidates: {}", c.candidates);
}
