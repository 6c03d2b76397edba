//! `opsog register …`: the register search from the command line, through the same
//! `app::register_search` use cases as the web. A command that reads or changes
//! personal data names the coordinator it acts as (`--as`), who is checked and audited
//! by the use case.

use crate::{CliError, caller};
use app::register_search::{self as search, ImportInput};
use clap::Subcommand;
use register::kinds::SourceKind;
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
    /// Count what the rules would select, step by step; nothing is written.
    DryRun {
        #[arg(long = "as")]
        user: String,
    },
    /// Run the search under the approved plan and create the candidates.
    Run {
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
        RegisterCommand::Import { kind, file, sheet, user } => {
            let caller = caller(ctx, &user, "opsog register import").await?;
            let kind = SourceKind::from_code(&kind).ok_or_else(|| CliError::Config(format!("unknown kind {kind}")))?;
            let file_name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let (path, name, s) = (file.clone(), file_name.clone(), sheet.clone());
            let inspection = tokio::task::spawn_blocking(move || register::read::inspect(&path, &name, s.as_deref()))
                .await
                .map_err(|e| CliError::Config(format!("inspecting {file_name}: {e}")))?
                .map_err(app::Error::File)?;
            let mut mapping = search::mapping_for(ctx, kind, &inspection.headers).await?;
            mapping.sheet = sheet;
            if let Err(problems) = mapping.check(&inspection.headers) {
                let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
                return Err(CliError::Config(format!("{file_name}: the columns do not fit: {}", text.join("; "))));
            }
            for (field, header) in &mapping.columns {
                println!("  {:<18} ← {header}", field.code());
            }
            let input = ImportInput { file, file_name, mapping, move_file: false };
            let record = search::import(ctx, &caller, input).await?;
            println!(
                "imported {} ({}): {} rows, sha256 {}",
                record.file_name,
                record.kind,
                record.rows,
                &record.sha256[..12]
            );
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
            println!(
                "saved rules version {}: {} — the plan must name {}",
                saved.version,
                saved.name,
                domain::selection::Rules::reference(&saved.toml)
            );
        }
        RegisterCommand::DryRun { user } => {
            let caller = caller(ctx, &user, "opsog register dry-run").await?;
            let dry = search::dry_run(ctx, &caller).await?;
            print_counts(&dry.counts);
        }
        RegisterCommand::Run { user } => {
            let caller = caller(ctx, &user, "opsog register run").await?;
            let report = search::run(ctx, &caller).await?;
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
