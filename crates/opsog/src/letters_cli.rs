//! `opsog letters …`: the letter batch from the command line, through the same
//! `app::letter_batch` use cases, with the same input, as the web's `/letters/batch`.
//! The coordinator it acts as (`--as`) is checked and audited by the use case.

use crate::{CliError, caller};
use app::letter_batch::{self as batch, Input, Plan};
use clap::{Args, Subcommand};
use domain::letter_batch::{Delivery, Skip};
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
    #[arg(long, default_value = domain::letter_batch::DEFAULT_SOURCE)]
    source: String,
    /// Contact person (username or user id) for women who have none.
    #[arg(long)]
    contact: Option<String>,
    /// Paper for everyone, also those Digital Post would reach.
    #[arg(long)]
    paper: bool,
    /// The coordinator's username.
    #[arg(long = "as")]
    user: String,
}

impl BatchArgs {
    /// The flags as the use case's input: the same input the web's form gives.
    fn input(&self, override_reason: Option<String>) -> Input {
        Input {
            run: self.run.map(|r| r.to_string()).unwrap_or_default(),
            contact: self.contact.clone().unwrap_or_default(),
            meeting: self.meeting.clone(),
            source: self.source.clone(),
            paper_for_all: self.paper,
            override_reason: override_reason.unwrap_or_default(),
        }
    }
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

pub async fn run(ctx: &app::Ctx, command: LettersCommand) -> Result<(), CliError> {
    match command {
        LettersCommand::Preview(args) => {
            let caller = caller(ctx, &args.user, "opsog letters preview").await?;
            let (_, plan) = batch::preview(ctx, &caller, &args.input(None)).await?;
            print_plan(&plan);
        }
        LettersCommand::Send { batch: args, reason } => {
            let caller = caller(ctx, &args.user, "opsog letters send").await?;
            let last = std::sync::atomic::AtomicUsize::new(0);
            let progress = |done: usize, total: usize| {
                // A line per tenth is enough for a terminal or a log.
                let tenth = (done * 10).checked_div(total).unwrap_or(10);
                if tenth > last.swap(tenth, std::sync::atomic::Ordering::Relaxed) {
                    eprintln!("letters: {done} of {total} typeset");
                }
            };
            match batch::send(ctx, &caller, &args.input(reason), &progress).await {
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
                    eprintln!("opsog: nothing was sent");
                    return Err(e.into());
                }
            }
        }
    }
    Ok(())
}
