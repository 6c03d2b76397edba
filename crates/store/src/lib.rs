//! Opsøg's storage. One `Store` trait; one SQL implementation that serves SQLite (the
//! embedded default) and PostgreSQL, chosen by the database URL. Writes that belong
//! together — a change and its audit entry, an event and the funnel projection — are
//! one transaction.

mod records;
mod sql;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use records::*;
pub use sql::{Backend, COUNT_CAP, SqlStore};

use domain::ambassador::{AmbassadorFollowUp, AmbassadorProfile, EthicsAcceptance, ProfileDetails, StreetConversation};
use domain::audit::AuditRecord;
use domain::org::{Area, Consent, ContactAssignment, Initiative, Locale, NewUser, Notification, Team, User};
use domain::partner::{Agreement, PartnerDetails, PartnerFollowUp, ReferralLink};
use domain::person::{PersonDetails, Source};
use std::future::Future;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error("conflict with an existing record ({constraint})")]
    Conflict { constraint: String },
    #[error("refused by the funnel: {0}")]
    Funnel(#[from] domain::funnel::FunnelError),
    #[error("unsupported database URL '{0}': use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("writing the audit log failed: {0}")]
    AuditFailed(String),
    /// A one-time referral link that is unknown, used or expired (or names another
    /// partner): the referral wrote nothing.
    #[error("referral link refused: {0:?}")]
    LinkRefused(domain::partner::LinkRefused),
    /// A "never contact me again" event without the hashes for the do-not-contact
    /// list (G-2.2): refused, nothing written.
    #[error("a never-contact-again event must carry her do-not-contact hashes")]
    NeverAgainWithoutHashes,
    #[error("database error while {context}: {source}")]
    Database { context: &'static str, source: sqlx::Error },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The storage contract. Every method that reads or changes a person takes the audit
/// record to write, and writes it in the same transaction.
pub trait Store: Clone + Send + Sync + 'static {
    fn backend(&self) -> Backend;
    /// A cheap round trip, for health checks.
    fn ping(&self) -> impl Future<Output = Result<()>> + Send;

    // --- organisation
    fn create_team(&self, name: &str) -> impl Future<Output = Result<Team>> + Send;
    fn list_teams(&self) -> impl Future<Output = Result<Vec<Team>>> + Send;
    fn create_area(&self, code: &str, name: &str, postcodes: &[String]) -> impl Future<Output = Result<Area>> + Send;
    fn list_areas(&self) -> impl Future<Output = Result<Vec<Area>>> + Send;
    fn create_partner_org(&self, name: &str) -> impl Future<Output = Result<Uuid>> + Send;
    fn create_initiative(&self, initiative: &Initiative) -> impl Future<Output = Result<()>> + Send;
    fn list_initiatives(&self) -> impl Future<Output = Result<Vec<Initiative>>> + Send;

    // --- users and sessions
    fn create_user(
        &self,
        user: &NewUser,
        password_hash: &str,
        extra: &UserExtra,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<User>> + Send;
    fn find_login(&self, username: &str) -> impl Future<Output = Result<Option<(User, String)>>> + Send;
    fn get_user(&self, id: Uuid) -> impl Future<Output = Result<User>> + Send;
    fn list_users(&self) -> impl Future<Output = Result<Vec<User>>> + Send;
    fn set_user_locale(&self, id: Uuid, locale: Locale) -> impl Future<Output = Result<()>> + Send;
    fn create_session(&self, session: &Session) -> impl Future<Output = Result<()>> + Send;
    fn get_session(&self, token_hash: &str) -> impl Future<Output = Result<Option<Session>>> + Send;
    /// The session and its user in one read (every request needs both).
    fn session_with_user(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<(Session, Option<User>)>>> + Send;
    fn touch_session(&self, token_hash: &str, at: OffsetDateTime) -> impl Future<Output = Result<()>> + Send;
    fn set_session_data(&self, token_hash: &str, data: &str) -> impl Future<Output = Result<()>> + Send;
    fn delete_session(&self, token_hash: &str) -> impl Future<Output = Result<()>> + Send;
    fn delete_idle_sessions(&self, idle_since: OffsetDateTime) -> impl Future<Output = Result<u64>> + Send;

    // --- persons and the funnel
    fn create_person(&self, new: &NewPerson, audit: &AuditRecord) -> impl Future<Output = Result<Uuid>> + Send;
    fn update_person(
        &self,
        id: Uuid,
        details: &PersonDetails,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Bulk load (synthetic municipality, imports): persons with their sources and
    /// event histories, all in one transaction, one audit entry for the batch.
    fn load_people(&self, people: &[LoadPerson], audit: &AuditRecord) -> impl Future<Output = Result<()>> + Send;
    fn person_scope(&self, id: Uuid) -> impl Future<Output = Result<Option<PersonScopeRow>>> + Send;
    fn get_person(&self, id: Uuid, audit: &AuditRecord) -> impl Future<Output = Result<PersonRecord>> + Send;
    /// Her record without an audit entry: for a handler that checks access on the
    /// record itself and then audits the view (see `PersonRecord::scope`).
    fn read_person(&self, id: Uuid) -> impl Future<Output = Result<Option<PersonRecord>>> + Send;
    /// Her record with her timeline, contact persons and consents, in one read, for
    /// her page. Not audited, like `read_person`.
    fn read_person_page(&self, id: Uuid) -> impl Future<Output = Result<Option<PersonPage>>> + Send;
    fn list_people(&self, query: &PeopleQuery, audit: &AuditRecord) -> impl Future<Output = Result<PeoplePage>> + Send;
    fn add_source(
        &self,
        person_id: Uuid,
        source: &Source,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Makes `user_id` her contact person (closing the earlier assignment) and sets her
    /// team to `team_id` (see `domain::policy::team_after_contact_change`).
    fn set_contact_person(
        &self,
        person_id: Uuid,
        user_id: Uuid,
        team_id: Option<Uuid>,
        by: Uuid,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Her contact persons, the current one first, with the user's name.
    fn contact_history(&self, person_id: Uuid)
    -> impl Future<Output = Result<Vec<(ContactAssignment, String)>>> + Send;
    fn record_consent(&self, consent: &Consent, audit: &AuditRecord) -> impl Future<Output = Result<()>> + Send;
    fn list_consents(&self, person_id: Uuid) -> impl Future<Output = Result<Vec<Consent>>> + Send;
    fn withdraw_consent(
        &self,
        person_id: Uuid,
        consent_id: Uuid,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    fn record_event(&self, event: &NewEvent, audit: &AuditRecord) -> impl Future<Output = Result<EventRecord>> + Send;
    fn void_event(&self, void: &VoidEvent, audit: &AuditRecord) -> impl Future<Output = Result<()>> + Send;
    fn list_events(&self, person_id: Uuid) -> impl Future<Output = Result<Vec<EventRecord>>> + Send;
    fn get_funnel(
        &self,
        person_id: Uuid,
        initiative_id: Uuid,
    ) -> impl Future<Output = Result<Option<FunnelRow>>> + Send;
    /// Rebuilds every projection from the events and returns the funnels that differ
    /// from what is stored (should be none).
    fn check_projections(&self) -> impl Future<Output = Result<Vec<(Uuid, Uuid)>>> + Send;
    fn stage_counts(&self, initiative_id: Uuid) -> impl Future<Output = Result<Vec<(String, u64)>>> + Send;
    fn count_people(&self) -> impl Future<Output = Result<u64>> + Send;

    // --- do-not-contact
    fn add_do_not_contact(&self, hashes: &[String], audit: &AuditRecord) -> impl Future<Output = Result<()>> + Send;
    fn on_do_not_contact(&self, hashes: &[String]) -> impl Future<Output = Result<bool>> + Send;

    // --- notifications
    fn notify(&self, user_id: Uuid, message: &str, person_id: Option<Uuid>) -> impl Future<Output = Result<()>> + Send;
    fn list_notifications(&self, user_id: Uuid) -> impl Future<Output = Result<Vec<Notification>>> + Send;
    fn mark_notification_read(&self, user_id: Uuid, id: Uuid) -> impl Future<Output = Result<()>> + Send;

    // --- ambassadors (issue 5, G-6)
    /// Sets the initiative's ethics frame (G-4.6, G-6.3, G-6.7) and returns its
    /// version: one more than before when the text changed, the same when it did not
    /// (so an unchanged save does not make every ambassador accept it again). `NotFound`
    /// for an unknown initiative. Audited in the same transaction.
    fn set_ethics_frame(
        &self,
        initiative_id: Uuid,
        text: &str,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<u32>> + Send;
    /// The initiative's ethics frame; `None` while it has none (version 0) or the
    /// initiative is unknown.
    fn ethics_frame(&self, initiative_id: Uuid) -> impl Future<Output = Result<Option<EthicsFrame>>> + Send;
    /// Her profile, with her ethics acceptance; `None` when none has been saved.
    fn ambassador_profile(&self, user_id: Uuid) -> impl Future<Output = Result<Option<AmbassadorProfile>>> + Send;
    /// Creates or replaces her profile. Her ethics acceptance, which only she records
    /// (`accept_ethics`), is kept. `NotFound` unless `user_id` is an ambassador and
    /// every area exists.
    fn save_ambassador_profile(
        &self,
        user_id: Uuid,
        details: &ProfileDetails,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Records that she read and accepted a version of an initiative's ethics frame.
    /// `NotFound` if she has no profile, or the initiative has no such version (1 up
    /// to the current one).
    fn accept_ethics(
        &self,
        user_id: Uuid,
        acceptance: &EthicsAcceptance,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Every user with the ambassador role (active or not), by display name, with her
    /// profile if one is saved.
    fn list_ambassadors(&self) -> impl Future<Output = Result<Vec<(User, Option<AmbassadorProfile>)>>> + Send;
    /// Logs anonymous street conversations (G-6). `NotFound` unless the user is an
    /// ambassador and the area exists. Whether she may log field work at all
    /// (`domain::ambassador::may_log_field_work`) is the caller's check.
    fn record_conversation(
        &self,
        ambassador_user_id: Uuid,
        conversation: &StreetConversation,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<Uuid>> + Send;
    /// One ambassador's log or everyone's (`None`), newest first (by the day of the
    /// conversation, then when it was logged). `limit` 0 means 200; at most 1,000.
    fn list_conversations(
        &self,
        ambassador_user_id: Option<Uuid>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<ConversationRecord>>> + Send;
    /// Records a follow-up meeting with an ambassador (G-6.8). `NotFound` unless
    /// `follow_up.ambassador_user_id` is an ambassador.
    fn record_ambassador_follow_up(
        &self,
        follow_up: &AmbassadorFollowUp,
        recorded_by: Uuid,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<Uuid>> + Send;
    /// One ambassador's follow-ups or everyone's (`None`), newest first (by the day
    /// held, then when it was recorded).
    fn list_ambassador_follow_ups(
        &self,
        ambassador_user_id: Option<Uuid>,
    ) -> impl Future<Output = Result<Vec<FollowUpRecord>>> + Send;
    /// Registers a consenting woman from the street, in one transaction: a known
    /// woman (same phone, same normalised first name) gets the ambassador as a source,
    /// the consent and a notification; anyone else becomes a new person at
    /// `interested` with the ambassador as source, her consent, her best time to call,
    /// and a notification to her team's caseworkers. Audited naming her. `NotFound`
    /// for an unknown ambassador, area or initiative, and then nothing is written.
    /// The do-not-contact check (keyed hashes) is the caller's, before this.
    fn register_from_street(
        &self,
        write: &StreetRegistrationWrite,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<RegistrationOutcome>> + Send;
    /// Every area with the number of known women living there and the ambassadors
    /// working there (G-6.2).
    fn area_overview(&self) -> impl Future<Output = Result<Vec<AreaOverview>>> + Send;

    // --- partners (issue 5, G-7)
    /// Adds a partner to the register (G-7.1–G-7.4). `NotFound("area")` for an
    /// unknown area; `Conflict` for a name already registered. Audited.
    fn create_partner(
        &self,
        details: &PartnerDetails,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<Uuid>> + Send;
    /// Replaces a partner's register entry; its agreement is kept. `NotFound` for an
    /// unknown partner or area. Audited.
    fn update_partner(
        &self,
        id: Uuid,
        details: &PartnerDetails,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Every partner, by name, active or not, including the ones `create_partner_org`
    /// made (active associations without an area).
    fn list_partners(&self) -> impl Future<Output = Result<Vec<PartnerRecord>>> + Send;
    fn get_partner(&self, id: Uuid) -> impl Future<Output = Result<Option<PartnerRecord>>> + Send;
    /// Creates or replaces the partner's agreement (G-7.5). `NotFound` for an unknown
    /// partner. Audited.
    fn save_agreement(
        &self,
        partner_id: Uuid,
        agreement: &Agreement,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Stores a one-time referral link (its token's hash only). `NotFound("partner")`
    /// unless the partner exists and is active. Audited.
    fn create_referral_link(&self, link: &ReferralLink, audit: &AuditRecord)
    -> impl Future<Output = Result<()>> + Send;
    fn referral_link(&self, token_hash: &str) -> impl Future<Output = Result<Option<ReferralLink>>> + Send;
    /// Records a referral made with her consent, in one transaction: the link (if
    /// any) is checked and used up, a known woman (same phone, same normalised first
    /// name) gets the partner as a source, her consents, her contact preference and a
    /// notification; anyone else becomes a new person at `interested` with the partner
    /// as source and the coordinators are told. Audited naming her.
    /// `LinkRefused` for a link that is unknown, used, expired or another partner's,
    /// and for a referral with neither link nor account; `NotFound` for an unknown or
    /// inactive partner, an unknown initiative, or a referring account that is not
    /// active or is another partner's. Refused, nothing is written (the caller audits
    /// the refusal). The do-not-contact check is the caller's, before this.
    fn refer(&self, write: &ReferralWrite, audit: &AuditRecord)
    -> impl Future<Output = Result<ReferralOutcome>> + Send;
    /// Every woman with this partner as a source, newest referral first, with the
    /// coarse status the partner may see in the initiative. Not audited: the caller
    /// audits the list with the women it shows.
    fn list_referrals(
        &self,
        partner_org_id: Uuid,
        initiative_id: Uuid,
    ) -> impl Future<Output = Result<Vec<ReferralStatusRow>>> + Send;
    /// Records a follow-up meeting with a partner (G-7.6). `NotFound("partner")` for
    /// an unknown partner. Audited.
    fn record_partner_follow_up(
        &self,
        follow_up: &PartnerFollowUp,
        recorded_by: Uuid,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<Uuid>> + Send;
    /// A partner's follow-up meetings, newest first (by the day held, then when it
    /// was recorded).
    fn list_partner_follow_ups(
        &self,
        partner_org_id: Uuid,
    ) -> impl Future<Output = Result<Vec<PartnerFollowUpRecord>>> + Send;
    /// Women the partner brought in, by the month its source was added to her, oldest
    /// first: the yield over time beside the follow-ups' talked-to counts (G-7.6).
    fn referrals_per_month(
        &self,
        partner_org_id: Uuid,
    ) -> impl Future<Output = Result<Vec<(i32, time::Month, u32)>>> + Send;

    // --- letter templates (issue 4)
    /// Saves an initiative's template for one language, replacing an earlier one.
    fn save_letter_template(
        &self,
        initiative_id: Uuid,
        template: &domain::letter_template::LetterTemplate,
        updated_by: Uuid,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The initiative's saved templates, by language.
    fn letter_templates(&self, initiative_id: Uuid) -> impl Future<Output = Result<Vec<StoredLetterTemplate>>> + Send;
    /// Marks a saved template reviewed by a qualified translator; `NotFound` if none is saved.
    fn mark_letter_template_reviewed(
        &self,
        initiative_id: Uuid,
        language: &str,
        by: Uuid,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;

    // --- intro meetings
    /// Plans an intro meeting of the initiative; `NotFound("area")` for an unknown area.
    fn plan_intro_meeting(
        &self,
        initiative_id: Uuid,
        meeting: &domain::meeting::IntroMeeting,
        planned_by: Uuid,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<Uuid>> + Send;
    /// The initiative's meetings on or after `from`, soonest first.
    fn upcoming_intro_meetings(
        &self,
        initiative_id: Uuid,
        from: time::Date,
    ) -> impl Future<Output = Result<Vec<IntroMeetingRecord>>> + Send;

    // --- the initiative plan (issue 3, G-4, G-5.3)
    /// Stores a new version; `Conflict` if that version number exists (someone saved
    /// first), and then nothing is written. The version is stored as given, with its
    /// approval when it has one (`domain::plan::next_version` carries an approval over
    /// when nothing it covers changed). `NotFound("initiative")` for an unknown
    /// initiative. A register extract's name must be one non-empty line (as
    /// `PlanInput::parse` makes them; they are stored one per line); another is refused
    /// as `Corrupt` before anything is written. Times are kept to the microsecond, like
    /// every time in the store. Audited in the same transaction.
    fn save_plan_version(
        &self,
        initiative_id: Uuid,
        v: &domain::plan::PlanVersion,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Every version, oldest first; none for an unknown initiative.
    fn plan_versions(&self, initiative_id: Uuid)
    -> impl Future<Output = Result<Vec<domain::plan::PlanVersion>>> + Send;
    /// Approves one version once; `NotFound` for no such version, `Conflict` if it is
    /// approved already (the first approval stays). Versions are otherwise never
    /// changed (append-only, see `sql/plans.rs`). Who may approve — a second
    /// coordinator, never the author, a complete plan — is `domain::plan::approve`'s
    /// question, asked by the caller. Audited in the same transaction.
    fn approve_plan_version(
        &self,
        initiative_id: Uuid,
        version: u32,
        approval: &domain::plan::Approval,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;

    // --- register search (issue 3, G-5.1–G-5.5)
    /// Saves the next version of the initiative's selection rules (the TOML text as
    /// given, with its SHA-256). Audited.
    fn save_selection_rules(
        &self,
        initiative_id: Uuid,
        name: &str,
        toml: &str,
        by: Uuid,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<SelectionRulesRecord>> + Send;
    /// Every version, newest first.
    fn selection_rules(&self, initiative_id: Uuid) -> impl Future<Output = Result<Vec<SelectionRulesRecord>>> + Send;
    /// Keeps the mapping (JSON) for the next upload of that kind. Audited.
    fn save_column_mapping(
        &self,
        kind: &str,
        mapping: &str,
        by: Uuid,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    /// `(kind, mapping JSON)`.
    fn column_mappings(&self) -> impl Future<Output = Result<Vec<(String, String)>>> + Send;
    /// Records an uploaded extract (the file is already in the extract folder). Audited.
    fn add_register_source(
        &self,
        source: &RegisterSourceRecord,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Newest first, deleted ones included.
    fn register_sources(&self, initiative_id: Uuid) -> impl Future<Output = Result<Vec<RegisterSourceRecord>>> + Send;
    /// Extracts not yet deleted whose deletion date is `today` or earlier.
    fn sources_due_for_deletion(
        &self,
        today: time::Date,
    ) -> impl Future<Output = Result<Vec<RegisterSourceRecord>>> + Send;
    /// Records that these extracts' files were deleted (G-5.5). Audited.
    fn mark_sources_deleted(
        &self,
        ids: &[Uuid],
        by: Option<Uuid>,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Writes an accepted run whole, or nothing: the run, every candidate (left out if
    /// on the do-not-contact list; a known woman by CPR gets a source, never a second
    /// record; a new one enters at `identified`) and the links for review. Audited,
    /// naming every woman it touched.
    fn accept_register_run(
        &self,
        run: &RegisterRunRecord,
        candidates: &[RunCandidate],
        reviews: &[LinkReviewWrite],
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<RunOutcome>> + Send;
    /// Newest first.
    fn register_runs(&self, initiative_id: Uuid) -> impl Future<Output = Result<Vec<RegisterRunRecord>>> + Send;
    /// Pending uncertain links, most likely first.
    fn pending_link_reviews(&self, initiative_id: Uuid) -> impl Future<Output = Result<Vec<LinkReviewRecord>>> + Send;
    /// Confirms (admitting her as the run would) or rejects a pending link, and clears
    /// the compared data. `Conflict` if already decided. Audited.
    fn decide_link_review(
        &self,
        id: Uuid,
        initiative_id: Uuid,
        decision: LinkDecision,
        dnc_hashes: &[String],
        actor: &EventActor,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<Option<Uuid>>> + Send;

    // --- calls (issue 4)
    /// The women of `scope` at `contacted` or `interested` in the initiative, with their
    /// latest event; `domain::calls::due` says who is due. Not audited here: the caller
    /// audits what it shows.
    fn call_list(
        &self,
        initiative_id: Uuid,
        scope: &domain::policy::ListScope,
    ) -> impl Future<Output = Result<Vec<CallRow>>> + Send;
    /// Notifies her contact person, else her team's caseworkers, else the
    /// coordinators; returns how many were told.
    fn notify_responsible(&self, person_id: Uuid, message: &str) -> impl Future<Output = Result<usize>> + Send;
    /// Events of one call in one transaction, all or none. Audited.
    fn record_events(&self, events: &[NewEvent], audit: &AuditRecord) -> impl Future<Output = Result<()>> + Send;

    // --- the open door (issue 4, G-8.5)
    /// Her own request to be contacted, in one transaction: a known woman (same phone,
    /// same normalised first name) gets herself as a source, a `got_in_touch` event
    /// where her funnel allows it (else a note) and her best time; anyone else becomes
    /// a new person at `interested` with herself as source and a note. Whoever answers
    /// for her (for a new woman: the coordinators) is told. Audited naming her. The
    /// do-not-contact check is the caller's (`declined_earlier`).
    fn self_referral(
        &self,
        write: &SelfReferralWrite,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<RegistrationOutcome>> + Send;

    // --- letter batches and the cadence (issue 4)
    /// The women `run_id` found who are at a stage a letter can follow
    /// (`domain::letter_batch::LETTER_STAGES`), with their records; `domain::letter_batch` decides who gets a
    /// letter. Not audited here: the caller audits what it shows or sends.
    fn letter_batch_candidates(
        &self,
        initiative_id: Uuid,
        run_id: Uuid,
    ) -> impl Future<Output = Result<Vec<BatchCandidate>>> + Send;
    /// A sent batch, in one transaction: the batch, each letter's response code, its
    /// `letter_sent` event with the MeMo messageUUID, a contact person for a woman who
    /// had none. All or nothing: a `Funnel` error (someone moved her meanwhile) or any
    /// other writes no letter of it. Audited, naming every woman.
    fn record_letter_batch(
        &self,
        batch: &LetterBatchWrite,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The initiative's batches, newest first.
    fn letter_batches(&self, initiative_id: Uuid) -> impl Future<Output = Result<Vec<LetterBatchRecord>>> + Send;
    fn letter_batch(&self, id: Uuid) -> impl Future<Output = Result<Option<LetterBatchRecord>>> + Send;
    /// A batch's letters in order. Not audited: the caller audits the women it shows.
    fn batch_letters(&self, batch_id: Uuid) -> impl Future<Output = Result<Vec<BatchLetterRecord>>> + Send;
    /// Sets the initiative's contact cadence (G-5.7). `NotFound` for an unknown
    /// initiative. Audited.
    fn set_cadence(
        &self,
        initiative_id: Uuid,
        cadence: &domain::calls::Cadence,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;

    // --- response codes (issue 4)
    /// Stores a letter's code (by its hash). Audited, naming her.
    fn issue_response_code(
        &self,
        code: &ResponseCodeRecord,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    fn response_code(&self, code_hash: &str) -> impl Future<Output = Result<Option<ResponseCodeRecord>>> + Send;
    /// Her answer, in one transaction: the code used (`Conflict` if it was already),
    /// the event in her funnel — or, when the funnel does not allow it from her stage,
    /// a note with what she said —, the do-not-contact hashes, and a notification to
    /// her contact person (else her team, else the coordinators). A phone number she
    /// gave to be called on (`(number, hers alone)`) becomes her number. Audited.
    fn answer_response_code(
        &self,
        code_hash: &str,
        answer: &str,
        event: &NewEvent,
        phone: Option<(&domain::PhoneNumber, bool)>,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<AnswerOutcome>> + Send;

    // --- audit
    fn append_audit(&self, audit: &AuditRecord) -> impl Future<Output = Result<()>> + Send;
    fn list_audit(&self, query: &AuditQuery) -> impl Future<Output = Result<Vec<AuditEntry>>> + Send;
}
