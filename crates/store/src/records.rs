//! What goes in and out of the store, beyond the domain's own types.

use domain::funnel::{Channel, EventKind, FunnelState, Stage, TransitionInput};
use domain::org::Locale;
use domain::person::{PersonDetails, Source, SourceKind};
use domain::policy::ListScope;
use domain::{Cpr, PhoneNumber};
use time::OffsetDateTime;
use uuid::Uuid;

pub use domain::person::Person;
pub use domain::policy::PersonScope as PersonScopeRow;

#[derive(Debug, Clone, Default)]
pub struct UserExtra {
    pub team_id: Option<Uuid>,
    pub partner_org_id: Option<Uuid>,
    pub languages: Vec<String>,
    pub direct_phone: Option<PhoneNumber>,
    pub locale: Locale,
}

/// A browser session. The token itself is never stored, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub user_id: Option<Uuid>,
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    /// Server-side state such as the current people search (JSON).
    pub data: String,
    /// A login not yet done: the step it waits for (issue 13, items 4 and 6).
    pub stage: Option<domain::login::LoginStage>,
}

/// What a login needs to know of an account beyond its user (issue 13, items 4 and 6).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct LoginState {
    pub must_change_password: bool,
    /// Her TOTP secret (base32), when she has set up an authenticator app.
    pub totp_secret: Option<String>,
    /// The last time step a code of hers was taken.
    pub totp_last_step: Option<i64>,
    /// Recovery codes not yet used.
    pub recovery_codes_left: i64,
}

impl std::fmt::Debug for LoginState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginState")
            .field("must_change_password", &self.must_change_password)
            .field("totp_secret", &self.totp_secret.as_ref().map(|_| "…"))
            .field("totp_last_step", &self.totp_last_step)
            .field("recovery_codes_left", &self.recovery_codes_left)
            .finish()
    }
}

/// Who recorded something: a user, or the system (a batch job, the public page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventActor {
    pub user_id: Option<Uuid>,
    pub name: String,
}

/// A woman entering through a channel: her record, her first source and the entry event.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub details: PersonDetails,
    pub team_id: Option<Uuid>,
    pub contact_user_id: Option<Uuid>,
    pub source: Source,
    pub initiative_id: Uuid,
    pub channel: Channel,
    pub actor: EventActor,
    pub at: OffsetDateTime,
}

impl NewPerson {
    /// Her as a door takes her in: the door is her source's kind and decides where she
    /// enters the funnel (`SourceKind::entry_channel`); no team or contact person yet.
    pub fn through_door(
        details: PersonDetails,
        source: Source,
        initiative_id: Uuid,
        actor: EventActor,
        at: OffsetDateTime,
    ) -> NewPerson {
        let channel = source.kind.entry_channel();
        NewPerson { details, team_id: None, contact_user_id: None, source, initiative_id, channel, actor, at }
    }
}

#[derive(Debug, Clone)]
pub struct LoadEvent {
    pub input: TransitionInput,
    pub actor: EventActor,
    pub language: Option<String>,
    pub interpreter_used: bool,
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct LoadPerson {
    pub id: Uuid,
    pub details: PersonDetails,
    pub team_id: Option<Uuid>,
    pub contact_user_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub sources: Vec<Source>,
    pub initiative_id: Uuid,
    /// In the order they happened; the first must be `entered`.
    pub events: Vec<LoadEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunnelRow {
    pub initiative_id: Uuid,
    pub initiative_name: String,
    /// The initiative's rules, which deciding the next events needs.
    pub rules: domain::funnel::FunnelRules,
    pub state: FunnelState,
    pub event_count: u64,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct PersonRecord {
    pub person: Person,
    pub contact_user_id: Option<Uuid>,
    pub contact_name: Option<String>,
    pub area_name: Option<String>,
    /// When she would like to be called, as she told an ambassador (issue 5).
    pub best_time_to_call: Option<domain::ambassador::BestTime>,
    /// How she prefers to be contacted, as she told a referring partner (issue 5).
    pub contact_preference: Option<domain::partner::ContactPreference>,
    /// Her languages were only inferred from her country of origin (a register run);
    /// cleared when staff save her record.
    pub languages_inferred: bool,
    pub sources: Vec<Source>,
    pub funnels: Vec<FunnelRow>,
}

/// What her page shows (see `Store::read_person_page`).
#[derive(Debug, Clone)]
pub struct PersonPage {
    pub record: PersonRecord,
    /// Newest first.
    pub events: Vec<EventRecord>,
    /// The current contact person first.
    pub contacts: Vec<(domain::org::ContactAssignment, String)>,
    /// Newest first.
    pub consents: Vec<domain::org::Consent>,
}

impl PersonRecord {
    /// What the row-level rules need, from the record itself.
    pub fn scope(&self) -> PersonScopeRow {
        let refs = |kind: SourceKind| -> Vec<Uuid> {
            self.sources.iter().filter(|s| s.kind == kind).filter_map(|s| s.reference_id).collect()
        };
        PersonScopeRow {
            team_id: self.person.team_id,
            contact_user_id: self.contact_user_id,
            registered_by: refs(SourceKind::Ambassador),
            referred_by_orgs: refs(SourceKind::Partner),
        }
    }
}

/// An edit of her record by staff, with the version the form was read at.
#[derive(Debug, Clone)]
pub struct PersonEdit {
    pub id: Uuid,
    pub read_version: i64,
    pub details: PersonDetails,
    /// The editor may see (and so edit) her safety note; otherwise it is kept.
    pub sees_safety_note: bool,
}

/// What an edit came to.
#[derive(Debug, Clone)]
pub enum Edited {
    /// Written; the fields that changed.
    Saved { fields: Vec<&'static str> },
    /// Her record changed since the form was read: nothing written. Her record now.
    Stale(Box<Person>),
}

#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    /// Matched against the normalised name.
    pub name: Option<String>,
    pub phone: Option<PhoneNumber>,
    pub cpr: Option<Cpr>,
    /// The women a CPR search found earlier: the session keeps their ids, never the
    /// number (issue 13, item 7).
    pub cpr_ids: Option<Vec<Uuid>>,
    pub stage: Option<Stage>,
    pub source: Option<SourceKind>,
    pub area_id: Option<Uuid>,
    pub language: Option<String>,
}

impl PeopleFilter {
    /// A description for the audit log: which criteria, never their values for
    /// name, phone or CPR.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.name.is_some() {
            parts.push("name=…".to_string());
        }
        if self.phone.is_some() {
            parts.push("phone=…".to_string());
        }
        if self.cpr.is_some() || self.cpr_ids.is_some() {
            parts.push("cpr=…".to_string());
        }
        if let Some(s) = self.stage {
            parts.push(format!("stage={}", s.code()));
        }
        if let Some(s) = self.source {
            parts.push(format!("source={}", s.code()));
        }
        if let Some(a) = self.area_id {
            parts.push(format!("area={a}"));
        }
        if let Some(l) = &self.language {
            parts.push(format!("language={l}"));
        }
        parts.join(" ")
    }
}

#[derive(Debug, Clone)]
pub struct PeopleQuery {
    pub scope: ListScope,
    pub filter: PeopleFilter,
    pub initiative_id: Uuid,
    /// 1-based.
    pub page: u32,
    pub page_size: u32,
    /// Sort by family name; a role that sees first names only gets them in first-name
    /// order, so the order tells nothing she may not see (issue 13, item 1).
    pub by_family_name: bool,
}

#[derive(Debug, Clone)]
pub struct PersonListRow {
    pub id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub phone: Option<PhoneNumber>,
    pub area_name: Option<String>,
    pub first_language: Option<String>,
    pub stage: Option<Stage>,
    pub safe_contact_only: bool,
}

#[derive(Debug, Clone)]
pub struct PeoplePage {
    pub rows: Vec<PersonListRow>,
    /// Matches, counted up to a cap.
    pub total: u64,
    /// There are more matches than `total`.
    pub capped: bool,
    pub page: u32,
    pub page_size: u32,
}

impl PeoplePage {
    pub fn page_count(&self) -> u32 {
        let size = u64::from(self.page_size.max(1));
        u32::try_from(self.total.div_ceil(size)).unwrap_or(u32::MAX).max(1)
    }
}

#[derive(Debug, Clone)]
pub struct NewEvent {
    pub person_id: Uuid,
    pub initiative_id: Uuid,
    pub input: TransitionInput,
    pub actor: EventActor,
    pub language: Option<String>,
    pub interpreter_used: bool,
    pub note: String,
    /// Keyed identity hashes to put on the do-not-contact list in the same
    /// transaction ("never contact me again").
    pub do_not_contact: Vec<String>,
}

/// What one submission of an event form came to (issue 13, item 11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    Recorded(Box<EventRecord>),
    /// An earlier submission with the same key recorded it: a retry, nothing written.
    AlreadyRecorded,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub id: Uuid,
    pub person_id: Uuid,
    pub initiative_id: Uuid,
    pub seq: i64,
    pub kind: EventKind,
    pub channel: Channel,
    pub occurred_at: OffsetDateTime,
    pub recorded_by_name: String,
    pub language: Option<String>,
    pub interpreter_used: bool,
    pub new_contact_data: bool,
    pub note: String,
    pub voided_at: Option<OffsetDateTime>,
    pub void_reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct VoidEvent {
    pub event_id: Uuid,
    pub person_id: Uuid,
    pub actor: EventActor,
    pub reason: String,
    pub at: OffsetDateTime,
}

/// Where audit entries live: on SQLite the main database (entries of changes) and the
/// access log beside it (entries that stand alone); on PostgreSQL one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditLogFile {
    Main,
    Access,
}

impl AuditLogFile {
    /// The table as a report names it.
    pub fn table_name(self) -> &'static str {
        match self {
            AuditLogFile::Main => "audit_log",
            AuditLogFile::Access => "access.audit_log",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub person_id: Option<Uuid>,
    /// Entries naming any of these women (a search by name found several).
    pub any_person: Vec<Uuid>,
    pub user_id: Option<Uuid>,
    /// From this moment (inclusive) …
    pub from: Option<OffsetDateTime>,
    /// … to this one (exclusive).
    pub until: Option<OffsetDateTime>,
    /// Entries older than this one (its id): the next page.
    pub before_id: Option<String>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Time-ordered across the log's tables: the cursor of the next page.
    pub id: String,
    pub seq: i64,
    pub at: OffsetDateTime,
    pub user_id: Option<Uuid>,
    pub username: String,
    pub role: domain::audit::ActorRole,
    pub action: domain::audit::AuditAction,
    pub origin: String,
    pub detail: String,
    pub persons: Vec<Uuid>,
}

// ---------------------------------------------------------------------------------
// Ambassadors (issue 5, G-6)
// ---------------------------------------------------------------------------------

/// The current text of an initiative's ethics frame (G-4.6, G-6.3, G-6.7) and its
/// version: the number of times the text has changed. An ambassador accepts one
/// version (`domain::ambassador::EthicsAcceptance`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EthicsFrame {
    pub initiative_id: Uuid,
    pub text: String,
    /// 1 or more: an initiative without a frame has none (`Store::ethics_frame`).
    pub version: u32,
}

/// One line of an ambassador's street log: anonymous counts only (G-6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationRecord {
    pub id: Uuid,
    pub ambassador_user_id: Uuid,
    pub conversation: domain::ambassador::StreetConversation,
    pub recorded_at: OffsetDateTime,
}

/// A follow-up meeting with an ambassador (G-6.8), with who recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpRecord {
    pub id: Uuid,
    pub follow_up: domain::ambassador::AmbassadorFollowUp,
    pub recorded_by: Uuid,
    pub recorded_at: OffsetDateTime,
}

/// One area for choosing where ambassadors work (G-6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaOverview {
    pub area: domain::org::Area,
    /// Persons whose area is this one: the target group known so far. Register runs
    /// add to it when they land.
    pub known_women: u64,
    /// Ambassadors whose profile names this area: (user id, display name), by name.
    pub ambassadors: Vec<(Uuid, String)>,
}

/// A woman registered in the street by an ambassador, with her consent (issue 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreetRegistrationWrite {
    pub registration: domain::ambassador::StreetRegistration,
    /// The registering ambassador: her id is the source's reference, her name its
    /// label, her team the woman's team.
    pub ambassador: domain::org::User,
    pub initiative_id: Uuid,
    /// `domain::ambassador::consent_text_version()`: what she was shown.
    pub consent_text_version: String,
    /// Her keyed do-not-contact hashes (`app::dnc`): the intake checks them against the
    /// list in the same transaction as the write (G-2.2).
    pub dnc_hashes: Vec<String>,
    pub at: OffsetDateTime,
}

/// What a door opened from outside (a street registration, a partner's referral, her
/// own request on the open door) did (issue 13, item 2). It never acts on a woman
/// Opsøg already knows; whoever opened it is told the same whichever this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoorOutcome {
    /// A new intake, at `interested`.
    Created(Uuid),
    /// A new intake that waits in the coordinators' queue of possible matches: she
    /// resembles a known woman, or she is on the do-not-contact list and asked herself.
    Queued(Uuid),
    /// The same phone asked on the open door within the window: folded into that
    /// request's own intake (issue 13, item 9).
    Folded(Uuid),
    /// On the do-not-contact list and the door is not her own: nothing about her is
    /// written (G-2.2). (A one-time link is used up all the same.)
    Refused,
}

impl DoorOutcome {
    /// As the audit entry says it.
    pub fn code(self) -> &'static str {
        match self {
            DoorOutcome::Created(_) => "created",
            DoorOutcome::Queued(_) => "queued",
            DoorOutcome::Folded(_) => "folded",
            DoorOutcome::Refused => "refused",
        }
    }

    /// The intake it wrote or folded into; none when refused.
    pub fn person_id(self) -> Option<Uuid> {
        match self {
            DoorOutcome::Created(id) | DoorOutcome::Queued(id) | DoorOutcome::Folded(id) => Some(id),
            DoorOutcome::Refused => None,
        }
    }
}

// ---------------------------------------------------------------------------------
// Partners (issue 5, G-7)
// ---------------------------------------------------------------------------------

/// A partner organisation in the register (G-7.1–G-7.4) with its agreement (G-7.5),
/// `None` until one is saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRecord {
    pub id: Uuid,
    pub details: domain::partner::PartnerDetails,
    pub agreement: Option<domain::partner::Agreement>,
}

/// A follow-up meeting with a partner (G-7.6), with who recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerFollowUpRecord {
    pub id: Uuid,
    pub follow_up: domain::partner::PartnerFollowUp,
    pub recorded_by: Uuid,
    pub recorded_at: OffsetDateTime,
}

/// A woman referred by a partner with her consent (issue 5, "Referral").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralWrite {
    pub referral: domain::partner::Referral,
    pub partner_org_id: Uuid,
    /// The partner account that referred her, or None for a one-time link.
    pub referred_by: Option<domain::org::User>,
    /// The one-time link used (its stored hash), checked and used up in the same transaction.
    pub link_token_hash: Option<String>,
    pub initiative_id: Uuid,
    /// Her keyed do-not-contact hashes (`app::dnc`): the intake checks them against the
    /// list in the same transaction as the write (G-2.2).
    pub dnc_hashes: Vec<String>,
    pub at: OffsetDateTime,
}

/// One of a partner's referrals as the partner may see it: her first name, when it
/// referred her, and a coarse status only with her consent (product.md, "Who sees
/// what").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralStatusRow {
    pub person_id: Uuid,
    pub given_name: String,
    pub referred_at: OffsetDateTime,
    /// She agreed that this partner may see her status (an unwithdrawn consent).
    pub status_consent: bool,
    /// `domain::partner::partner_sees_status`: `None` without her consent, for the
    /// stages kept private, or when she is not in the initiative's funnel.
    pub status: Option<domain::funnel::CoarseStatus>,
}

/// A planned intro meeting (issue 5: ambassadors invite the women they know).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntroMeetingRecord {
    pub id: Uuid,
    pub meeting: domain::meeting::IntroMeeting,
}

/// A letter template as saved, with who changed and who reviewed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLetterTemplate {
    pub template: domain::letter_template::LetterTemplate,
    pub updated_by: Uuid,
    pub updated_at: OffsetDateTime,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<OffsetDateTime>,
}

// --- register search (issue 3)

/// A saved version of an initiative's selection rules (the TOML file as written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectionRulesRecord {
    pub id: Uuid,
    pub initiative_id: Uuid,
    pub version: u32,
    pub name: String,
    pub toml: String,
    pub checksum: String,
    pub created_by: Uuid,
    pub created_at: OffsetDateTime,
}

/// An uploaded register extract; the file is in the extract folder until deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterSourceRecord {
    pub id: Uuid,
    pub initiative_id: Uuid,
    pub kind: domain::extract::ExtractKind,
    /// As the coordinator's file was called.
    pub file_name: String,
    /// Its name in the extract folder.
    pub stored_name: String,
    pub sha256: String,
    pub bytes: u64,
    pub rows: u64,
    /// `register::Mapping` as JSON.
    pub mapping: String,
    pub uploaded_by: Uuid,
    pub uploaded_at: OffsetDateTime,
    pub delete_on: time::Date,
    pub deleted_at: Option<OffsetDateTime>,
    /// The date the extract describes (issue 12): a run computes from it. `None` only
    /// for extracts imported before it was recorded.
    pub reference_date: Option<time::Date>,
    /// How each coded column was read at import, as JSON (`app::register_search`).
    pub readings: String,
}

/// An accepted run as recorded (G-5.3: who, under which legal basis, which files and
/// rules). `sources`, `counts` and `overview` are JSON written by `jobs`.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterRunRecord {
    pub id: Uuid,
    pub initiative_id: Uuid,
    pub plan_version: u32,
    pub legal_basis: String,
    pub rules_id: Uuid,
    pub rules_checksum: String,
    pub sources: String,
    pub counts: String,
    pub overview: String,
    pub run_by: Uuid,
    pub run_by_name: String,
    pub run_at: OffsetDateTime,
}

/// A woman a run found, with the keyed hashes the do-not-contact list is checked by.
#[derive(Debug, Clone)]
pub struct RunCandidate {
    pub candidate: domain::selection::Candidate,
    pub dnc_hashes: Vec<String>,
}

/// An uncertain link for the review queue.
#[derive(Debug, Clone)]
pub struct LinkReviewWrite {
    pub list_kind: domain::extract::ExtractKind,
    pub list_file: String,
    pub list_row: u64,
    pub probability: f64,
    /// The name as the list writes it.
    pub list_name: String,
    pub list_birth_date: Option<time::Date>,
    pub list_phone: Option<String>,
    /// Why it was linked and why not certainly (`register::select::LinkWhy`, encoded).
    pub evidence: String,
    pub candidate: RunCandidate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinkReviewRecord {
    pub id: Uuid,
    pub run_id: Uuid,
    pub list_kind: domain::extract::ExtractKind,
    pub list_file: String,
    pub list_row: u64,
    pub probability: f64,
    pub list_name: String,
    pub list_birth_date: Option<time::Date>,
    pub list_phone: Option<String>,
    /// `None` once decided (cleared, G-5.5).
    pub candidate: Option<domain::selection::Candidate>,
    pub status: domain::extract::LinkReviewStatus,
    /// Why it was linked and why not certainly (`register::select::LinkWhy`, encoded);
    /// empty for a link queued before it was kept.
    pub evidence: String,
}

/// What accepting a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RunOutcome {
    pub created: u64,
    pub added_to_known: u64,
    pub already_in_initiative: u64,
    pub on_do_not_contact: u64,
    pub for_review: u64,
}

/// The caseworker's decision on a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkDecision {
    Confirm,
    Reject,
}

// --- response codes (issue 4)

/// A letter's response code, by its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseCodeRecord {
    pub code_hash: String,
    pub person_id: Uuid,
    pub initiative_id: Uuid,
    pub issued_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

/// What her answer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerOutcome {
    /// The answer moved her funnel.
    Moved,
    /// Her stage did not allow it (she was further along, or already declined): kept
    /// as a note for her caseworker.
    Noted,
}

/// A woman on the call list's way: her reach and her funnel's last step.
#[derive(Debug, Clone)]
pub struct CallRow {
    pub person_id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub phone: Option<PhoneNumber>,
    pub phone_hers_alone: bool,
    pub safe_contact_only: bool,
    pub first_language: Option<String>,
    pub interpreter_needed: bool,
    pub stage: Stage,
    pub attempts: u32,
    pub last_event_at: OffsetDateTime,
    pub last_event: EventKind,
    pub last_channel: Channel,
}

impl CallRow {
    /// What `domain::calls::due` asks about her.
    pub fn candidate(&self) -> domain::calls::CallCandidate {
        domain::calls::CallCandidate {
            stage: self.stage,
            attempts: self.attempts,
            last_event_at: self.last_event_at,
            last_event: self.last_event,
            last_channel: self.last_channel,
            has_phone: self.phone.is_some(),
            phone_hers_alone: self.phone_hers_alone,
            safe_contact_only: self.safe_contact_only,
        }
    }
}

// --- letter batches (issue 4, items 2, 3 and 7)

/// A woman of a register run whom a letter batch weighs (`domain::letter_batch`): her
/// record, her contact person's direct number, and where her funnel stands.
#[derive(Debug, Clone)]
pub struct BatchCandidate {
    pub record: PersonRecord,
    pub contact_phone: Option<String>,
    pub state: domain::funnel::FunnelState,
    /// Events in her funnel now (`BatchLetterWrite::seen_events`).
    pub event_count: u64,
    pub last_event: Option<EventKind>,
    pub last_letter_at: Option<OffsetDateTime>,
}

/// A batch to write whole: the batch, and per letter her response code, the
/// `letter_sent` event and, where she had none, her new contact person.
#[derive(Debug, Clone)]
pub struct LetterBatchWrite {
    pub id: Uuid,
    pub initiative_id: Uuid,
    pub run_id: Option<Uuid>,
    pub actor: EventActor,
    pub created_at: OffsetDateTime,
    /// Why women were left out, and how many for each reason.
    pub skipped: Vec<(domain::letter_batch::Skip, u32)>,
    pub check_errors: u32,
    pub override_reason: Option<String>,
    pub print_files: u32,
    pub letters: Vec<BatchLetterWrite>,
}

#[derive(Debug, Clone)]
pub struct BatchLetterWrite {
    pub person_id: Uuid,
    pub delivery: domain::letter_batch::Delivery,
    pub language: String,
    /// The MeMo messageUUID of a Digital Post letter, kept on the event.
    pub message_uuid: Option<Uuid>,
    pub code: ResponseCodeRecord,
    /// `(contact person, her team)` for a woman who had no contact person.
    pub new_contact: Option<(Uuid, Option<Uuid>)>,
    pub note: String,
    /// The number of events in her funnel when the batch was planned: if anyone added
    /// one since (another batch, a call), the batch is refused whole.
    pub seen_events: u64,
    /// Her keyed do-not-contact hashes: on the list when the batch is recorded, the
    /// batch is refused whole (G-2.2), as when her funnel changed.
    pub dnc_hashes: Vec<String>,
}

/// A sent batch, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterBatchRecord {
    pub id: Uuid,
    pub initiative_id: Uuid,
    pub run_id: Option<Uuid>,
    pub created_by_name: String,
    pub created_at: OffsetDateTime,
    pub letters: u32,
    pub digital_post: u32,
    pub paper: u32,
    pub skipped: Vec<(domain::letter_batch::Skip, u32)>,
    pub check_errors: u32,
    pub override_reason: Option<String>,
    pub print_files: u32,
}

/// One letter of a sent batch. `message_uuid` is read from her `letter_sent` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchLetterRecord {
    pub seq: u32,
    pub person_id: Uuid,
    pub name: String,
    pub delivery: domain::letter_batch::Delivery,
    pub language: String,
    pub message_uuid: Option<Uuid>,
    pub event_id: Uuid,
}

/// Her own request to be contacted (G-8.5), to write whole.
#[derive(Debug, Clone)]
pub struct SelfReferralWrite {
    pub request: domain::open_door::SelfReferral,
    pub initiative_id: Uuid,
    /// Her keyed do-not-contact hashes (`app::dnc`). On the list, she is let in all the
    /// same, and whoever answers for her is told (product.md); the list entry stays.
    pub dnc_hashes: Vec<String>,
    pub at: OffsetDateTime,
}

domain::code_enum! {
    /// What kind of long work a job is (issue 11, item 7).
    pub enum JobKind {
        LetterBatch = "letter_batch",
        RegisterRun = "register_run",
    }
}

domain::code_enum! {
    /// How a job ended.
    pub enum JobOutcome {
        Done = "done",
        Failed = "failed",
        /// Its process stopped before it finished (found stale by the next start).
        Interrupted = "interrupted",
    }
}

/// A job as recorded: running while `finished_at` is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub id: Uuid,
    pub initiative_id: Uuid,
    pub kind: JobKind,
    pub started_by: Option<Uuid>,
    pub started_at: OffsetDateTime,
    pub heartbeat_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    pub done: u64,
    pub total: u64,
    pub outcome: Option<JobOutcome>,
    /// What it made: the letter batch or the register run.
    pub result_id: Option<Uuid>,
    /// Why it failed: a message code (e.g. `batch-failed-changed`).
    pub error_code: Option<String>,
}

/// One entry of the coordinators' queue of possible matches (issue 13, item 2): a new
/// intake from a door opened outside, and the known woman she resembles.
#[derive(Clone, PartialEq, Eq)]
pub struct PossibleMatch {
    pub id: Uuid,
    pub intake_id: Uuid,
    pub intake_name: String,
    pub intake_phone: Option<String>,
    /// None for a renewed request whose earlier record is gone (her hash remains).
    pub known_id: Option<Uuid>,
    pub known_name: Option<String>,
    pub known_stage: Option<domain::funnel::Stage>,
    pub door: domain::person::SourceKind,
    pub reason: domain::intake::MatchReason,
    pub created_at: OffsetDateTime,
}

impl std::fmt::Debug for PossibleMatch {
    // Names and phones stay out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PossibleMatch")
            .field("id", &self.id)
            .field("intake_id", &self.intake_id)
            .field("known_id", &self.known_id)
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}
