//! `opsog register …`: the register search from the command line, through the same
//! `register::search` functions as the web. A command that reads or changes personal
//! data names the coordinator it acts as (`--as`), who is checked and audited.

use crate::CliError;
use crate::settings::Settings;
use clap::Subcommand;
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::org::User;
use domain::policy::{self, Action};
use register::kinds::SourceKind;
use register::search::{self, ExtractDir};
use std::path::PathBuf;
use store::{SqlStore, Store};

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
    /// Delete the extracts whose deletion date has come (also done daily by `serve`).
    Sweep,
}

/// The audit entry of a command run as `user`.
pub(crate) fn audit(user: &User, action: AuditAction, command: &str) -> AuditRecord {
    AuditRecord {
        actor: AuditActor {
            user_id: Some(user.id),
            username: user.username.clone(),
            role: user.role.code().to_string(),
        },
        action,
        persons: vec![],
        origin: command.to_string(),
        detail: String::new(),
    }
}

async fn coordinator(store: &SqlStore, username: &str, command: &str) -> Result<User, CliError> {
    let user = store
        .list_users()
        .await?
        .into_iter()
        .find(|u| u.username == username && u.active)
        .ok_or_else(|| CliError::Config(format!("no active user {username}")))?;
    let actor =
        policy::Actor { user_id: user.id, role: user.role, team_id: user.team_id, partner_org_id: user.partner_org_id };
    if !policy::may(&actor, Action::RegisterSearch, None) {
        store.append_audit(&audit(&user, AuditAction::Denied, command)).await?;
        return Err(CliError::Config(format!("{username} may not run a register search (coordinators only)")));
    }
    Ok(user)
}

async fn initiative(store: &SqlStore) -> Result<domain::org::Initiative, CliError> {
    store
        .list_initiatives()
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| CliError::Config("there is no initiative yet".into()))
}

fn search_error(e: search::SearchError) -> CliError {
    CliError::Config(e.to_string())
}

pub async fn run(
    settings: &Settings,
    store: &SqlStore,
    key: &domain::do_not_contact::DncKey,
    command: RegisterCommand,
) -> Result<(), CliError> {
    let dir = ExtractDir(settings.extract_dir());
    let today = time::OffsetDateTime::now_utc().date();
    match command {
        RegisterCommand::Import { kind, file, sheet, user } => {
            const CMD: &str = "opsog register import";
            let user = coordinator(store, &user, CMD).await?;
            let initiative = initiative(store).await?;
            let kind = SourceKind::from_code(&kind).ok_or_else(|| CliError::Config(format!("unknown kind {kind}")))?;
            let file_name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let inspection = register::read::inspect(file.as_path(), &file_name, sheet.as_deref())
                .map_err(|e| CliError::Config(e.to_string()))?;
            let mut mapping = search::mapping_for(store, kind, &inspection.headers).await.map_err(search_error)?;
            mapping.sheet = sheet;
            if let Err(problems) = mapping.check(&inspection.headers) {
                let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
                return Err(CliError::Config(format!("{file_name}: the columns do not fit: {}", text.join("; "))));
            }
            for (field, header) in &mapping.columns {
                println!("  {:<18} ← {header}", field.code());
            }
            let record = search::import(
                store,
                &dir,
                initiative.id,
                &file,
                &file_name,
                &mapping,
                false,
                &user,
                &audit(&user, AuditAction::UploadExtract, CMD),
            )
            .await
            .map_err(search_error)?;
            println!(
                "imported {} ({}): {} rows, sha256 {}",
                record.file_name,
                record.kind,
                record.rows,
                &record.sha256[..12]
            );
        }
        RegisterCommand::Rules { template, file, user } => {
            const CMD: &str = "opsog register rules";
            let user = coordinator(store, &user, CMD).await?;
            let initiative = initiative(store).await?;
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
            let toml = rules.to_toml().map_err(|e| CliError::Config(e.to_string()))?;
            let saved = store
                .save_selection_rules(
                    initiative.id,
                    &rules.name,
                    &toml,
                    user.id,
                    &audit(&user, AuditAction::SaveSelectionRules, CMD),
                )
                .await?;
            println!(
                "saved rules version {}: {} — the plan must name {}",
                saved.version,
                saved.name,
                domain::selection::Rules::reference(&toml)
            );
        }
        RegisterCommand::DryRun { user } => {
            const CMD: &str = "opsog register dry-run";
            let user = coordinator(store, &user, CMD).await?;
            let initiative = initiative(store).await?;
            let (counts, _) = search::dry_run(store, &dir, initiative.id, today).await.map_err(search_error)?;
            store.append_audit(&audit(&user, AuditAction::DryRun, CMD)).await?;
            print_counts(&counts);
        }
        RegisterCommand::Run { user } => {
            const CMD: &str = "opsog register run";
            let user = coordinator(store, &user, CMD).await?;
            let initiative = initiative(store).await?;
            let report = search::run(
                store,
                &dir,
                key,
                initiative.id,
                &user,
                today,
                &audit(&user, AuditAction::RegisterRun, CMD),
            )
            .await
            .map_err(search_error)?;
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
        RegisterCommand::Sweep => {
            let record = AuditRecord {
                actor: AuditActor::system("cli"),
                action: AuditAction::DeleteExtracts,
                persons: vec![],
                origin: "opsog register sweep".into(),
                detail: String::new(),
            };
            let n = search::delete_due(store, &dir, today, &record).await.map_err(search_error)?;
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
