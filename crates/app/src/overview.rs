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
    /// A woman's name (for a role that sees names) or her record's id.
    pub person: String,
    /// A user's id (the page's list) or username (typed).
    pub user: String,
    /// Days as typed, in Danish time: from (inclusive) and to (inclusive).
    pub from: String,
    pub to: String,
    /// The id of the last entry of the page before: the next page is older.
    pub before: Option<String>,
}

/// The audit log's page size.
pub const AUDIT_PAGE: u32 = 50;
/// At most this many women named alike are shown together.
pub const AUDIT_NAME_MATCHES: u32 = 20;

pub struct AuditLog {
    /// The one woman filtered by, when the filter names exactly one.
    pub person: Option<Uuid>,
    /// The women a name search found, with their names, when it found several.
    pub found: Vec<(Uuid, String)>,
    /// Why the filter did not apply (a Fluent message id); then no entries.
    pub error: Option<&'static str>,
    pub entries: Vec<AuditEntry>,
    /// The names of the women the page's entries name, for a role that sees names.
    pub names: std::collections::HashMap<Uuid, String>,
    /// The cursor of the next (older) page, when there is one.
    pub older: Option<String>,
    /// Everyone who can be in the log, for the filter's list: (id, name, username).
    pub users: Vec<(Uuid, String, String)>,
}

/// One page of the audit log, newest first, filtered by woman (name or id), user and
/// days (issue 14, item 6). Reading the log is itself audited, naming the women the
/// filter and the page name, also when the filter does not apply. Names are looked up
/// only for a role that sees personal data (an admin sees ids).
pub async fn audit_log(ctx: &Ctx, caller: &Caller, filter: &AuditFilter) -> Result<AuditLog, Error> {
    require(ctx, caller, Action::ViewAudit).await?;
    let sees_names = policy::sees_personal_data(caller.user.role);
    let all_users = ctx.store.list_users().await?;
    let users = all_users.iter().map(|u| (u.id, u.display_name.clone(), u.username.clone())).collect();
    let mut log = AuditLog {
        person: None,
        found: Vec::new(),
        error: None,
        entries: Vec::new(),
        names: Default::default(),
        older: None,
        users,
    };
    let mut query = AuditQuery { limit: AUDIT_PAGE + 1, before_id: filter.before.clone(), ..Default::default() };

    let person_text = filter.person.trim();
    if let Ok(id) = Uuid::parse_str(person_text) {
        log.person = Some(id);
        query.person_id = Some(id);
    } else if !person_text.is_empty() && !sees_names {
        log.error = Some("error-person-id");
    } else if !person_text.is_empty() {
        log.found = women_named(ctx, caller, person_text).await?;
        match log.found.as_slice() {
            [] => log.error = Some("audit-no-woman-named"),
            [(id, _)] => {
                log.person = Some(*id);
                query.person_id = Some(*id);
            }
            many => query.any_person = many.iter().map(|(id, _)| *id).collect(),
        }
        if log.found.len() < 2 {
            log.found.clear();
        }
    }
    let user_text = filter.user.trim();
    if !user_text.is_empty() {
        let lower = user_text.to_lowercase();
        match all_users.iter().find(|u| u.id.to_string() == user_text || u.username == lower) {
            Some(u) => query.user_id = Some(u.id),
            None => log.error = Some("error-unknown-user"),
        }
    }
    // Days in Danish time; "to" includes its day, so the bound is the next day's start.
    let day = |text: &str| {
        let text = text.trim();
        if text.is_empty() { Ok(None) } else { domain::danish_time::parse_day(text).map(Some).ok_or("audit-bad-day") }
    };
    match (day(&filter.from), day(&filter.to)) {
        (Ok(from), Ok(to)) => {
            query.from = from.map(domain::danish_time::start_of_day);
            query.until = to.and_then(|d| d.next_day()).map(domain::danish_time::start_of_day);
        }
        (Err(e), _) | (_, Err(e)) => log.error = Some(e),
    }

    if log.error.is_none() {
        let mut entries = ctx.store.list_audit(&query).await?;
        if entries.len() > AUDIT_PAGE as usize {
            entries.truncate(AUDIT_PAGE as usize);
            log.older = entries.last().map(|e| e.id.clone());
        }
        log.entries = entries;
    }
    let mut shown: Vec<Uuid> = log.found.iter().map(|(id, _)| *id).chain(log.person).collect();
    if sees_names {
        let mut ids: Vec<Uuid> = log.entries.iter().flat_map(|e| e.persons.iter().copied()).collect();
        ids.sort();
        ids.dedup();
        log.names = ctx.store.person_names(&ids).await?.into_iter().collect();
        shown.extend(log.names.keys().copied());
    }
    shown.sort();
    shown.dedup();
    let detail = format!(
        "person={} user={user_text} from={} to={} page={}",
        log.person.map(|p| p.to_string()).unwrap_or_default(),
        filter.from.trim(),
        filter.to.trim(),
        filter.before.as_deref().unwrap_or("first"),
    );
    ctx.store.append_audit(&caller.audit(AuditAction::ViewAudit, shown, detail)).await?;
    Ok(log)
}

/// The women in the caller's reach whose name matches `name`, with their names (a
/// search, audited by the store as one).
async fn women_named(ctx: &Ctx, caller: &Caller, name: &str) -> Result<Vec<(Uuid, String)>, Error> {
    let Ok(initiative) = crate::current_initiative(ctx).await else { return Ok(Vec::new()) };
    let query = store::PeopleQuery {
        scope: policy::list_scope(&caller.actor()),
        filter: store::PeopleFilter { name: Some(name.to_string()), ..Default::default() },
        initiative_id: initiative.id,
        page: 1,
        page_size: AUDIT_NAME_MATCHES,
        by_family_name: true,
    };
    let record = caller.audit(AuditAction::SearchPeople, vec![], "audit log: women by name".to_string());
    let page = ctx.store.list_people(&query, &record).await?;
    Ok(page
        .rows
        .into_iter()
        .map(|r| (r.id, format!("{} {}", r.given_name, r.family_name).trim().to_string()))
        .collect())
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
    let entries = ctx
        .store
        .list_audit(&AuditQuery { person_id: Some(person), user_id: None, limit: 100_000, ..Default::default() })
        .await?;
    let detail = format!("{} entries", entries.len());
    ctx.store.append_audit(&caller.audit(AuditAction::ExportAudit, vec![person], detail)).await?;
    Ok(entries)
}
