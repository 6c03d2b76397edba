//! `opsog letters …`: the letter batch from the command line, through the same
//! `letters::batch` functions as the web's `/letters/batch`. The coordinator it acts as
//! (`--as`) is checked and audited, as on the web.

use crate::CliError;
use crate::register_cli::audit;
use crate::settings::Settings;
use clap::{Args, Subcommand};
use domain::audit::AuditAction;
use domain::letter_batch::{Delivery, Skip};
use domain::org::User;
use domain::policy::{self, Action};
use letters::batch::{self, ChosenContact, Plan, Request};
use store::{EventActor, SqlStore, Store};
use uuid::Uuid;

#[derive(Subcommand)]
pub enum LettersCommand {
    /// Who of a register run gets a letter, how, who is left out and why, and what the
    /// letter check says of their letters. Nothing is written.
    Preview(BatchArgs),
    /// Send the batch: response codes, print files, one PDF per letter, MeMo files,
    /// and a `letter_sent` event per woman — all or nothing.
    Send {
        #[command(flatten)]
        batch: BatchArgs,
        /// Why to send despite check errors or a missing or unreviewed translation.
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Args)]
pub struct BatchArgs {
    /// The register run (its id); the newest when left out.
    #[arg(long)]
    run: Option<Uuid>,
    /// The meeting place and time, or where and when the offer is.
    #[arg(long)]
    meeting: String,
    /// Where her data came from, as the letter says it.
    #[arg(long, default_value = "CPR-registeret og kommunens registre (registerbaseret udsøgning)")]
    source: String,
    /// Contact person (username) for women who have none.
    #[arg(long)]
    contact: Option<String>,
    /// Paper for everyone, also those Digital Post would reach.
    #[arg(long)]
    paper: bool,
    /// The coordinator's username.
    #[arg(long = "as")]
    user: String,
}

async fn request(store: &SqlStore, args: &BatchArgs, command: &str) -> Result<(User, Request), CliError> {
    let users = store.list_users().await?;
    let user = users
        .iter()
        .find(|u| u.username == args.user && u.active)
        .cloned()
        .ok_or_else(|| CliError::Config(format!("no active user {}", args.user)))?;
    let actor =
        policy::Actor { user_id: user.id, role: user.role, team_id: user.team_id, partner_org_id: user.partner_org_id };
    if !policy::may(&actor, Action::SendLetters, None) {
        store.append_audit(&audit(&user, AuditAction::Denied, command)).await?;
        return Err(CliError::Config(format!("{} may not send letters (coordinators only)", args.user)));
    }
    let initiative = store
        .list_initiatives()
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| CliError::Config("there is no initiative yet".into()))?;
    let runs = store.register_runs(initiative.id).await?;
    let run_id = match args.run {
        Some(id) if runs.iter().any(|r| r.id == id) => id,
        Some(id) => return Err(CliError::Config(format!("--run: no register run {id} in this initiative"))),
        None => {
            runs.first().map(|r| r.id).ok_or_else(|| CliError::Config("--run: there is no register run yet".into()))?
        }
    };
    let contact = match &args.contact {
        None => None,
        Some(name) => {
            Some(users.iter().find(|u| &u.username == name).and_then(ChosenContact::from_user).ok_or_else(|| {
                CliError::Config(format!("--contact: {name} is not an active caseworker or coordinator"))
            })?)
        }
    };
    if args.meeting.trim().is_empty() {
        return Err(CliError::Config(
            "--meeting: give the meeting place and time, or where and when the offer is".into(),
        ));
    }
    let request = Request {
        initiative,
        run_id,
        paper_for_all: args.paper,
        contact,
        meeting: args.meeting.trim().to_string(),
        source: args.source.trim().to_string(),
        override_reason: None,
    };
    Ok((user, request))
}

fn print_plan(plan: &Plan) {
    println!(
        "letters: {} ({} Digital Post, {} paper)",
        plan.letters.len(),
        plan.count(Delivery::DigitalPost),
        plan.count(Delivery::Paper)
    );
    for s in Skip::ALL {
        println!("left out, {}: {}", s.code(), plan.skipped.get(&s).copied().unwrap_or(0));
    }
    println!("letter check: {} errors in {} findings", plan.check_errors, plan.findings.len());
    for f in &plan.findings {
        println!("  {} {} {} ({} letters)", f.language, f.finding.rule.guide_ref(), f.finding.message_id, f.letters);
    }
    if plan.without_contact > 0 {
        println!("without a contact person: {} (give --contact)", plan.without_contact);
    }
    if !plan.missing_languages.is_empty() {
        println!("no letter in: {}", plan.missing_languages.join(", "));
    }
    if !plan.unreviewed_languages.is_empty() {
        println!("machine drafts not reviewed: {}", plan.unreviewed_languages.join(", "));
    }
}

pub async fn run(
    settings: &Settings,
    store: &SqlStore,
    key: &domain::do_not_contact::DncKey,
    command: LettersCommand,
) -> Result<(), CliError> {
    let logo = match settings.municipality.logo_path.as_ref() {
        Some(p) => Some(std::fs::read(p).map_err(|e| CliError::Config(format!("reading the logo {p}: {e}")))?),
        None => None,
    };
    let letter_settings = web::letter_settings(&settings.web_config(), logo.as_deref());
    let now = time::OffsetDateTime::now_utc();
    match command {
        LettersCommand::Preview(args) => {
            const CMD: &str = "opsog letters preview";
            let (user, request) = request(store, &args, CMD).await?;
            let plan = batch::plan(store, key, &letter_settings, &request, now)
                .await
                .map_err(|e| CliError::Config(e.to_string()))?;
            let mut record = audit(&user, AuditAction::ListPeople, CMD);
            record.persons = plan.letters.iter().map(|p| p.candidate.record.person.id).collect();
            record.detail = format!("letter batch preview: {} letters", record.persons.len());
            store.append_audit(&record).await?;
            print_plan(&plan);
        }
        LettersCommand::Send { batch: args, reason } => {
            const CMD: &str = "opsog letters send";
            let (user, mut request) = request(store, &args, CMD).await?;
            request.override_reason = reason;
            let actor = EventActor { user_id: Some(user.id), name: user.display_name.clone() };
            let record = audit(&user, AuditAction::SendLetterBatch, CMD);
            let last = std::sync::atomic::AtomicUsize::new(0);
            let progress = |done: usize, total: usize| {
                // A line per tenth is enough for a terminal or a log.
                let tenth = (done * 10).checked_div(total).unwrap_or(10);
                if tenth > last.swap(tenth, std::sync::atomic::Ordering::Relaxed) {
                    eprintln!("letters: {done} of {total} typeset");
                }
            };
            match batch::send(store, key, &letter_settings, &request, &actor, &record, now, &progress).await {
                Ok(r) => println!(
                    "sent batch {}: {} letters ({} Digital Post, {} paper in {} print files) in {}",
                    r.batch_id,
                    r.letters,
                    r.digital_post,
                    r.paper,
                    r.print_files,
                    r.folder.display()
                ),
                Err(e) => {
                    if let batch::BatchError::Refused(r) = &e {
                        let mut denied = audit(&user, AuditAction::Denied, CMD);
                        denied.detail = format!("letter batch refused: {}", r.message_id());
                        store.append_audit(&denied).await?;
                    }
                    return Err(CliError::Config(format!("nothing was sent: {e}")));
                }
            }
        }
    }
    Ok(())
}
