//! Opsøg's use cases. Each is one function that the web and the CLI both call:
//! `fn(&Ctx, &Caller, input) -> Result<output, Error>` — the policy check (a refusal is
//! audited), the input parsed once by a `domain` type, the work, and the audit entry
//! in the change's own transaction. The web and the CLI only parse, call and render.
//!
//! - `auth`: password hashing and tokens.
//! - `dnc`: the do-not-contact hashes (G-2.2), computed here and nowhere else.
//! - `intake`: the doors from outside (street, partner, open door), taken in one way.
//! - `matches`: the coordinators' queue of possible matches those doors leave.
//! - `users`: creating logins.
//! - `second_factor`: a login's later stages (her app's code, her own new password,
//!   setting up a second factor), recovery codes, an admin's resets.
//! - `audit_chain`: checking that the audit log is whole (`opsog audit verify`).
//! - `register_search`: import an extract, dry run, run, review a link, delete extracts.
//! - `register_candidates`: a run's candidates written out as CSV, audited naming each.
//! - `letter_batch`: preview and send a letter batch.
//! - `contact`: the daily job of the contact cadence, and setting the cadence.
//! - `sent_batches`: a sent letter batch's report and its files.
//! - `today`: what waits for a user today, the start page's counts.
//! - `demo`: the demo municipality.
//! - `settings`: what the use cases take from configuration.

pub mod ambassadors;
pub mod audit_chain;
pub mod auth;
pub mod calls;
pub mod contact;
pub mod demo;
pub mod dnc;
mod error;
mod intake;
pub mod letter_batch;
pub mod matches;
pub mod meetings;
pub mod overview;
pub mod partners;
pub mod people;
pub mod plan;
pub mod public;
pub mod register_candidates;
pub mod register_search;
pub mod second_factor;
pub mod sent_batches;
pub mod sessions;
pub mod settings;
pub mod sso;
pub mod templates;
pub mod today;
pub mod users;

pub use error::{Error, Refusal};

use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::do_not_contact::DncKey;
use domain::org::User;
use domain::policy::{self, Action};
use std::sync::Arc;
use store::{EventActor, SqlStore};
use time::OffsetDateTime;
use uuid::Uuid;

/// What every use case works with: the store, the do-not-contact key, the clock and
/// the settings that come from configuration. Cheap to clone.
#[derive(Clone)]
pub struct Ctx {
    pub store: SqlStore,
    pub dnc_key: Arc<DncKey>,
    pub clock: Clock,
    /// Where uploaded register extracts live until a run or the sweep deletes them.
    pub extracts: register_search::ExtractDir,
    /// What every letter of the municipality shares.
    pub letters: Arc<letter_batch::Settings>,
}

impl Ctx {
    pub fn new(
        store: SqlStore,
        dnc_key: DncKey,
        extract_dir: std::path::PathBuf,
        letters: letter_batch::Settings,
    ) -> Ctx {
        Ctx {
            store,
            dnc_key: Arc::new(dnc_key),
            clock: Clock::System,
            extracts: register_search::ExtractDir(extract_dir),
            letters: Arc::new(letters),
        }
    }
}

/// The time as the use cases see it: the real clock, or a fixed one in tests.
#[derive(Clone, Copy, Debug, Default)]
pub enum Clock {
    #[default]
    System,
    Fixed(OffsetDateTime),
}

impl Clock {
    pub fn now(&self) -> OffsetDateTime {
        match self {
            Clock::System => OffsetDateTime::now_utc(),
            Clock::Fixed(t) => *t,
        }
    }

    /// Today in the municipality (Europe/Copenhagen, issue 14 item 1): the day forms
    /// check dates against, not the UTC day, which is yesterday until 01:00 or 02:00.
    pub fn today(&self) -> time::Date {
        domain::danish_time::date(self.now())
    }
}

/// Who calls a use case and from where: a page (`POST /letters/batch`) or a command
/// (`opsog letters send`). The origin goes into every audit entry.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: User,
    pub origin: String,
}

impl Caller {
    pub fn new(user: User, origin: impl Into<String>) -> Caller {
        Caller { user, origin: origin.into() }
    }

    pub fn actor(&self) -> policy::Actor {
        self.user.policy_actor()
    }

    pub fn audit_actor(&self) -> AuditActor {
        self.user.audit_actor()
    }

    pub fn event_actor(&self) -> EventActor {
        EventActor { user_id: Some(self.user.id), name: self.user.display_name.clone() }
    }

    /// The audit entry of what this caller does.
    pub fn audit(&self, action: AuditAction, persons: Vec<Uuid>, detail: impl Into<String>) -> AuditRecord {
        AuditRecord { actor: self.audit_actor(), action, persons, origin: self.origin.clone(), detail: detail.into() }
    }
}

/// Records a refusal in the audit log: who tried what, on whom. The use cases' own
/// checks call it; so does the web for a page it refuses before any use case runs.
pub async fn record_refusal(ctx: &Ctx, caller: &Caller, person: Option<Uuid>, detail: &str) -> Result<(), Error> {
    ctx.store.append_audit(&caller.audit(AuditAction::Denied, person.into_iter().collect(), detail)).await?;
    Ok(())
}

/// The policy check every use case begins with: a refusal is written to the audit log
/// (who tried what) before it is returned.
pub async fn require(ctx: &Ctx, caller: &Caller, action: Action) -> Result<(), Error> {
    require_about(ctx, caller, action, None).await
}

/// `require` for a request about one woman (a route guard knows her id before any use
/// case runs): a refusal names her, so the log shows whom a role tried to read.
pub async fn require_about(ctx: &Ctx, caller: &Caller, action: Action, person: Option<Uuid>) -> Result<(), Error> {
    if policy::may(&caller.actor(), action, None) {
        return Ok(());
    }
    record_refusal(ctx, caller, person, &format!("{action:?}")).await?;
    Err(Error::Refused(Refusal::Role))
}

/// The row-level check for a use case on one woman: a role that may never do `action`
/// is refused (`Refusal::Role`, 403 on a page); a role that may, but not for this woman,
/// gets `NotFound` (404), so it cannot learn she exists. Both refusals are audited,
/// naming her. Returns her scope for the use case to go on with.
pub async fn require_person(
    ctx: &Ctx,
    caller: &Caller,
    person_id: Uuid,
    action: Action,
) -> Result<policy::PersonScope, Error> {
    let deny = |err: Error| async move {
        record_refusal(ctx, caller, Some(person_id), &format!("{action:?}")).await?;
        Err::<policy::PersonScope, Error>(err)
    };
    if policy::action_reach(caller.user.role, action) == policy::Reach::No {
        return deny(Error::Refused(Refusal::Role)).await;
    }
    let Some(scope) = ctx.store.person_scope(person_id).await? else {
        return deny(Error::NotFound("person")).await;
    };
    if !policy::may(&caller.actor(), action, Some(&scope)) {
        return deny(Error::NotFound("person")).await;
    }
    Ok(scope)
}

/// The initiative the use cases work in: the municipality's first (Opsøg runs one at
/// a time today).
pub async fn current_initiative(ctx: &Ctx) -> Result<domain::org::Initiative, Error> {
    ctx.store.list_initiatives().await?.into_iter().next().ok_or(Error::NotFound("initiative"))
}

/// Reports how far a long job has come; the CLI prints it, tests ignore it.
pub trait Progress {
    fn step(&self, what: &str, done: u64, total: u64);
}

/// Progress for callers that do not show it.
pub struct Quiet;

impl Progress for Quiet {
    fn step(&self, _: &str, _: u64, _: u64) {}
}
