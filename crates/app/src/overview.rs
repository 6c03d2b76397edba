//! The start page, the figures and the audit log as use cases.

use crate::{Caller, Ctx, Error, Refusal, require};
use domain::audit::AuditAction;
use domain::funnel::Stage;
use domain::policy::{self, Action, Reach};
use domain::suppression::{THRESHOLD, suppress_row};
use domain::validation::FieldErrors;
use store::{AuditEntry, AuditQuery};
use uuid::Uuid;

/// Marks one of the caller's own notifications read.
pub async fn mark_notification_read(ctx: &Ctx, caller: &Caller, id: Uuid) -> Result<(), Error> {
    ctx.store.mark_notification_read(caller.user.id, id).await?;
    Ok(())
}

/// One initiative's funnel counts, stage by stage in `Stage::ALL`'s order; `None` is a
/// figure suppressed.
pub struct FigureTable {
    pub initiative: String,
    pub cells: Vec<Option<u64>>,
    pub total: Option<u64>,
}

pub struct Figures {
    /// The caller sees suppressed figures (below coordinator level).
    pub suppressed: bool,
    pub tables: Vec<FigureTable>,
}

/// Funnel counts per initiative. Only a role that sees every woman's figures may; below
/// coordinator level every figure passes the one suppression rule (product.md).
pub async fn figures(ctx: &Ctx, caller: &Caller) -> Result<Figures, Error> {
    let role = caller.user.role;
    if policy::action_reach(role, Action::ViewFigures) != Reach::All {
        ctx.store.append_audit(&caller.audit(AuditAction::Denied, vec![], "ViewFigures")).await?;
        return Err(Error::Refused(Refusal::Role));
    }
    let suppressed = policy::figures_suppressed(role);
    let mut tables = Vec::new();
    for initiative in ctx.store.list_initiatives().await? {
        let counts = ctx.store.stage_counts(initiative.id).await?;
        let row: Vec<u64> = Stage::ALL
            .iter()
            .map(|s| counts.iter().find(|(code, _)| code == s.code()).map(|(_, n)| *n).unwrap_or(0))
            .collect();
        let (cells, total) = if suppressed {
            let r = suppress_row(&row, THRESHOLD);
            (r.cells, r.total)
        } else {
            (row.iter().map(|n| Some(*n)).collect(), Some(row.iter().sum()))
        };
        tables.push(FigureTable { initiative: initiative.name, cells, total });
    }
    Ok(Figures { suppressed, tables })
}

/// The audit log's filter as typed: a woman's id, a username; either may be empty.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub person: String,
    pub user: String,
}

pub struct AuditLog {
    /// The woman filtered by, when her id parsed.
    pub person: Option<Uuid>,
    /// Why the filter did not apply (a Fluent message id); then no entries.
    pub error: Option<&'static str>,
    pub entries: Vec<AuditEntry>,
}

/// The newest entries of the audit log, filtered. Reading the log is itself audited,
/// naming the woman looked up, also when the filter does not apply.
pub async fn audit_log(ctx: &Ctx, caller: &Caller, filter: &AuditFilter) -> Result<AuditLog, Error> {
    require(ctx, caller, Action::ViewAudit).await?;
    let (person_text, user_text) = (filter.person.trim(), filter.user.trim());
    let person = Uuid::parse_str(person_text).ok();
    let mut error = None;
    if !person_text.is_empty() && person.is_none() {
        error = Some("error-person-id");
    }
    let user = if user_text.is_empty() {
        None
    } else {
        let username = user_text.to_lowercase();
        ctx.store.list_users().await?.into_iter().find(|u| u.username == username).map(|u| u.id)
    };
    if !user_text.is_empty() && user.is_none() {
        error = Some("error-unknown-user");
    }
    let entries = if error.is_some() {
        Vec::new()
    } else {
        ctx.store.list_audit(&AuditQuery { person_id: person, user_id: user, limit: 200 }).await?
    };
    let detail = format!("person={} user={user_text}", person.map(|p| p.to_string()).unwrap_or_default());
    ctx.store.append_audit(&caller.audit(AuditAction::ViewAudit, person.into_iter().collect(), detail)).await?;
    Ok(AuditLog { person, error, entries })
}

/// Every entry of who has read or changed one woman's data, for her access request
/// (G-2.6). An id that does not parse is refused as the field `person`.
pub async fn export_audit(ctx: &Ctx, caller: &Caller, person: &str) -> Result<Vec<AuditEntry>, Error> {
    require(ctx, caller, Action::ExportAudit).await?;
    let Ok(person) = Uuid::parse_str(person.trim()) else {
        let mut errors = FieldErrors::default();
        errors.add("person", "error-person-id");
        return Err(Error::Invalid(errors));
    };
    let entries = ctx.store.list_audit(&AuditQuery { person_id: Some(person), user_id: None, limit: 100_000 }).await?;
    let detail = format!("{} entries", entries.len());
    ctx.store.append_audit(&caller.audit(AuditAction::ExportAudit, vec![person], detail)).await?;
    Ok(entries)
}
