//! The coordinators' queue of possible matches (issue 13, item 2): the doors from
//! outside never act on a woman Opsøg already knows, so a new intake that resembles one
//! — or the renewed request of a woman on the do-not-contact list — waits here until a
//! coordinator has looked (and, for a renewed request, confirmed it with her in a safe
//! way). Merging records is the person-matching issue's; here an entry is settled with
//! a note.

use crate::{Caller, Ctx, Error, require};
use domain::audit::AuditAction;
use domain::policy::Action;
use store::PossibleMatch;
use uuid::Uuid;

/// The longest note a coordinator may leave on a settled entry.
pub const MAX_NOTE_CHARS: usize = 500;

/// The open entries of the current initiative, audited as a list naming every woman on
/// it (both sides of each entry).
pub async fn open(ctx: &Ctx, caller: &Caller) -> Result<Vec<PossibleMatch>, Error> {
    require(ctx, caller, Action::ReviewMatches).await?;
    let initiative = crate::current_initiative(ctx).await?;
    let rows = ctx.store.open_possible_matches(initiative.id).await?;
    let named = rows.iter().flat_map(|m| std::iter::once(m.intake_id).chain(m.known_id)).collect();
    ctx.store.append_audit(&caller.audit(AuditAction::ListPeople, named, "possible matches")).await?;
    Ok(rows)
}

/// Settles an entry with her note (what was done: confirmed with her, not the same
/// woman, …). `NotFound` for an unknown or settled entry; a note that is too long is
/// `Invalid` with nothing written.
pub async fn settle(ctx: &Ctx, caller: &Caller, id: Uuid, note: &str) -> Result<(), Error> {
    require(ctx, caller, Action::ReviewMatches).await?;
    let note = note.trim();
    if note.chars().count() > MAX_NOTE_CHARS || note.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        let mut errors = domain::validation::FieldErrors::default();
        errors.add("note", "error-too-long");
        return Err(Error::Invalid(errors));
    }
    let audit = caller.audit(AuditAction::ResolveMatch, vec![], format!("possible_match={id}"));
    ctx.store.resolve_possible_match(id, caller.user.id, note, ctx.clock.now(), &audit).await?;
    Ok(())
}
