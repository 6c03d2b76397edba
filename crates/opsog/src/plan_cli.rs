//! `opsog plan …`: the initiative's plan from the command line (issue 12, item 5),
//! through the same `app::plan` use cases as the web's `/plan`: what the current
//! version says, whether its legal basis is approved and what changed since the last
//! approval, and the four-eyes approval itself (G-5.3). The coordinator it acts as
//! (`--as`) is checked and audited by the use case.

use crate::{CliError, caller, english};
use app::plan::{self, ApproveInput, Approved, PlanView};
use clap::Subcommand;
use domain::plan::PlanVersion;
use domain::plan_diff::FieldChange;
use std::collections::HashMap;

#[derive(Subcommand)]
pub enum PlanCommand {
    /// The current plan version: what an approval covers (the selection rules it names,
    /// the extracts, the legal basis, the DPIA), whether it is approved, and what
    /// changed since the last approved version.
    Show {
        /// The coordinator's username.
        #[arg(long = "as")]
        user: String,
    },
    /// Approve the legal basis of the current version, as a coordinator other than the
    /// one who wrote it. Shows what changed first.
    Approve {
        /// The version read (default: the current one); any other is refused as stale.
        #[arg(long)]
        version: Option<u32>,
        /// A note on the approval (e.g. who was consulted).
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long = "as")]
        user: String,
    },
}

pub async fn run(ctx: &app::Ctx, command: PlanCommand) -> Result<(), CliError> {
    match command {
        PlanCommand::Show { user } => {
            let caller = caller(ctx, &user, "opsog plan show").await?;
            let view = plan::view(ctx, &caller).await?;
            print_view(ctx, &caller, &view).await?;
        }
        PlanCommand::Approve { version, note, user } => {
            let caller = caller(ctx, &user, "opsog plan approve").await?;
            let view = plan::view(ctx, &caller).await?;
            let current = print_view(ctx, &caller, &view).await?;
            let version = version.unwrap_or(current);
            let input = ApproveInput { version: version.to_string(), note };
            match plan::approve(ctx, &caller, &input).await? {
                Approved::Approved => println!("approved: the legal basis of plan version {version}"),
                Approved::Stale => {
                    return Err(app::Error::Conflict(format!(
                        "plan version {version} is not the current unapproved version (now {current}); \
                         read `opsog plan show` again"
                    ))
                    .into());
                }
                Approved::Refused(r) => {
                    return Err(CliError::Refused(format!(
                        "{} ({r}); nothing was approved (the refusal is logged)",
                        english(r.message_id())
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Prints the current version, its approval and the changes since the last approval;
/// returns the current version's number.
async fn print_view(ctx: &app::Ctx, caller: &app::Caller, view: &PlanView) -> Result<u32, CliError> {
    let current = view.current().ok_or(app::Error::NotFound("plan version"))?;
    let names = names(ctx).await?;
    let name = |id: uuid::Uuid| names.get(&id.to_string()).cloned().unwrap_or_else(|| id.to_string());
    println!("initiative: {}", view.initiative.name);
    println!("plan version {}, written by {} at {}", current.version, name(current.author), current.written_at.date());
    match &current.approval {
        Some(a) => println!("approved: by {} at {}", name(a.approved_by), a.approved_at.date()),
        None => println!("approved: no"),
    }
    print_covered(current, &names);
    let rules = plan::named_rules(ctx, caller, &current.plan).await?;
    if rules.is_empty() {
        println!("  the rules named: none of the saved selection rules has this checksum");
    }
    for r in &rules {
        let force = if r.in_force { "in force" } else { "not the newest saved version" };
        println!("  the rules named: saved version {} \"{}\" ({}; {force})", r.version, r.name, r.reference);
    }
    for gap in domain::plan::approval_gaps(&current.plan) {
        println!("missing before approval: {}", english(gap.message_id()));
    }
    match view.changes_since_approval() {
        Some((approved, changes)) => {
            println!("changed since version {}, the last approved:", approved.version);
            if changes.is_empty() {
                println!("  nothing");
            }
            for c in &changes {
                println!("  {}", describe(c, &names));
            }
        }
        None if current.approval.is_none() => println!("no earlier version was approved"),
        None => {}
    }
    Ok(current.version)
}

/// What the approval covers, as the approver reads it.
fn print_covered(v: &PlanVersion, names: &HashMap<String, String>) {
    let p = &v.plan;
    let line = |field: &str, value: String| println!("  {}: {}", label(field), value);
    line("target_group", p.target_group.clone());
    line("methods", p.methods.iter().map(|m| m.code()).collect::<Vec<_>>().join(", "));
    line("sources", p.sources.join("; "));
    line("rules_ref", p.rules_ref.clone());
    let basis = p.legal_basis.as_ref();
    line("legal_basis_text", basis.map_or_else(|| "(none)".into(), |b| b.text.clone()));
    line("legal_basis_reference", basis.map_or_else(|| "(none)".into(), |b| b.reference.clone()));
    if let Some(b) = basis {
        let by = named(&b.recorded_by.to_string(), names);
        line("legal_basis_recorded_on", format!("{} by {by}", b.recorded_on));
    }
    let dpia = p.dpia.as_ref();
    line("dpia_reference", dpia.map_or_else(|| "(none)".into(), |d| format!("{} of {}", d.reference, d.date)));
    line("review_on", p.review_on.to_string());
}

/// One change in plain words: the field, what it was, what it is, and whether the
/// approval covers it.
fn describe(c: &FieldChange, names: &HashMap<String, String>) -> String {
    let value = |v: &Option<String>| match v {
        Some(v) => format!("\"{}\"", named(v, names)),
        None => "nothing".to_string(),
    };
    let covered = if c.withdraws_approval { " — the approval covers this" } else { "" };
    format!("{}: was {}, is now {}{covered}", label(c.field), value(&c.before), value(&c.after))
}

/// A plan form field as the web's form labels it.
fn label(field: &str) -> String {
    let key = match field {
        "area_ids" => "field-areas".to_string(),
        "review_on" => "field-review-on".to_string(),
        "legal_basis_recorded_by" => return "Legal basis recorded by".into(),
        f => format!("plan-{}", f.replace('_', "-")),
    };
    english(&key)
}

/// Users and areas by id, so that a value naming them reads as their names.
async fn names(ctx: &app::Ctx) -> Result<HashMap<String, String>, CliError> {
    let mut names: HashMap<String, String> =
        ctx.store.list_users().await?.into_iter().map(|u| (u.id.to_string(), u.display_name)).collect();
    names.extend(ctx.store.list_areas().await?.into_iter().map(|a| (a.id.to_string(), a.name)));
    Ok(names)
}

/// A value with every id in it (a list is joined with "; ") replaced by its name.
fn named(value: &str, names: &HashMap<String, String>) -> String {
    value.split("; ").map(|part| names.get(part).map_or(part, String::as_str)).collect::<Vec<_>>().join("; ")
}
