//! Checking that the audit log is whole (issue 13, item 10): every table's hash chain
//! walked from its first entry, and the first broken link named. What counts as a
//! break is `domain::audit_chain`'s; the store reads the entries from one snapshot.

use crate::{Ctx, Error};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::audit_chain::ChainReport;

/// One report per audit table, in the order the store keeps them.
#[derive(Debug, Clone)]
pub struct Verification {
    pub reports: Vec<ChainReport>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.reports.iter().all(ChainReport::intact)
    }

    /// Entries read in all tables.
    pub fn entries(&self) -> u64 {
        self.reports.iter().map(|r| r.entries).sum()
    }

    /// The first broken link: the first table with a break, and its first break there.
    pub fn first_break(&self) -> Option<(&ChainReport, &domain::audit_chain::Finding)> {
        self.reports.iter().find_map(|r| r.first_break().map(|f| (r, f)))
    }
}

/// Walks every audit table's chain. Run by the operator on the server's machine (who
/// can read the database files anyway); the check itself is audited afterwards, with
/// its outcome, so that its own entry is not part of what it read.
pub async fn verify(ctx: &Ctx, origin: &str) -> Result<Verification, Error> {
    let mut reports = Vec::new();
    for file in ctx.store.audit_log_files() {
        reports.push(ctx.store.check_audit_chain(file).await?);
    }
    let verification = Verification { reports };
    let detail = match verification.first_break() {
        None => format!("intact: {} entries", verification.entries()),
        Some((r, f)) => format!(
            "broken: {} {} at position {} (entry {})",
            r.table,
            f.kind.code(),
            f.position,
            f.entry_id.as_deref().unwrap_or("-")
        ),
    };
    ctx.store
        .append_audit(&AuditRecord {
            actor: AuditActor::system("audit-verify"),
            action: AuditAction::VerifyAudit,
            persons: vec![],
            origin: origin.to_string(),
            detail,
        })
        .await?;
    Ok(verification)
}
