//! What the audit log records. Every read and change of a person is one entry: who,
//! role, when, action, which person, from where — never the content.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    ViewPerson,
    ListPeople,
    SearchPeople,
    CreatePerson,
    UpdatePerson,
    RecordEvent,
    VoidEvent,
    RevealCpr,
    Denied,
    Login,
    LoginFailed,
    Logout,
    ViewAudit,
    ExportAudit,
    CreateUser,
    CliCommand,
    BatchJob,
    AddDoNotContact,
    RegisterFromStreet,
    LogConversation,
    SaveAmbassadorProfile,
    AcceptEthics,
    RecordFollowUp,
    SetEthicsFrame,
    SavePartner,
    CreateReferralLink,
    Refer,
    PlanMeeting,
    SavePlan,
    ApprovePlan,
    SaveLetterTemplate,
    UploadExtract,
    SaveSelectionRules,
    DryRun,
    RegisterRun,
    ReviewLink,
    DeleteExtracts,
    ViewRunOverview,
    SendLetterBatch,
    DownloadLetters,
    SetCadence,
    SelfReferral,
}

impl AuditAction {
    pub const ALL: [AuditAction; 42] = [
        AuditAction::ViewPerson,
        AuditAction::ListPeople,
        AuditAction::SearchPeople,
        AuditAction::CreatePerson,
        AuditAction::UpdatePerson,
        AuditAction::RecordEvent,
        AuditAction::VoidEvent,
        AuditAction::RevealCpr,
        AuditAction::Denied,
        AuditAction::Login,
        AuditAction::LoginFailed,
        AuditAction::Logout,
        AuditAction::ViewAudit,
        AuditAction::ExportAudit,
        AuditAction::CreateUser,
        AuditAction::CliCommand,
        AuditAction::BatchJob,
        AuditAction::AddDoNotContact,
        AuditAction::RegisterFromStreet,
        AuditAction::LogConversation,
        AuditAction::SaveAmbassadorProfile,
        AuditAction::AcceptEthics,
        AuditAction::RecordFollowUp,
        AuditAction::SetEthicsFrame,
        AuditAction::SavePartner,
        AuditAction::CreateReferralLink,
        AuditAction::Refer,
        AuditAction::PlanMeeting,
        AuditAction::SavePlan,
        AuditAction::ApprovePlan,
        AuditAction::SaveLetterTemplate,
        AuditAction::UploadExtract,
        AuditAction::SaveSelectionRules,
        AuditAction::DryRun,
        AuditAction::RegisterRun,
        AuditAction::ReviewLink,
        AuditAction::DeleteExtracts,
        AuditAction::ViewRunOverview,
        AuditAction::SendLetterBatch,
        AuditAction::DownloadLetters,
        AuditAction::SetCadence,
        AuditAction::SelfReferral,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AuditAction::ViewPerson => "view_person",
            AuditAction::ListPeople => "list_people",
            AuditAction::SearchPeople => "search_people",
            AuditAction::CreatePerson => "create_person",
            AuditAction::UpdatePerson => "update_person",
            AuditAction::RecordEvent => "record_event",
            AuditAction::VoidEvent => "void_event",
            AuditAction::RevealCpr => "reveal_cpr",
            AuditAction::Denied => "denied",
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::Logout => "logout",
            AuditAction::ViewAudit => "view_audit",
            AuditAction::ExportAudit => "export_audit",
            AuditAction::CreateUser => "create_user",
            AuditAction::CliCommand => "cli_command",
            AuditAction::BatchJob => "batch_job",
            AuditAction::AddDoNotContact => "add_do_not_contact",
            AuditAction::RegisterFromStreet => "register_from_street",
            AuditAction::LogConversation => "log_conversation",
            AuditAction::SaveAmbassadorProfile => "save_ambassador_profile",
            AuditAction::AcceptEthics => "accept_ethics",
            AuditAction::RecordFollowUp => "record_follow_up",
            AuditAction::SetEthicsFrame => "set_ethics_frame",
            AuditAction::SavePartner => "save_partner",
            AuditAction::CreateReferralLink => "create_referral_link",
            AuditAction::Refer => "refer",
            AuditAction::PlanMeeting => "plan_meeting",
            AuditAction::SavePlan => "save_plan",
            AuditAction::ApprovePlan => "approve_plan",
            AuditAction::SaveLetterTemplate => "save_letter_template",
            AuditAction::UploadExtract => "upload_extract",
            AuditAction::SaveSelectionRules => "save_selection_rules",
            AuditAction::DryRun => "register_dry_run",
            AuditAction::RegisterRun => "register_run",
            AuditAction::ReviewLink => "review_link",
            AuditAction::DeleteExtracts => "delete_extracts",
            AuditAction::ViewRunOverview => "view_run_overview",
            AuditAction::SendLetterBatch => "send_letter_batch",
            AuditAction::DownloadLetters => "download_letters",
            AuditAction::SetCadence => "set_cadence",
            AuditAction::SelfReferral => "self_referral",
        }
    }

    pub fn from_code(code: &str) -> Option<AuditAction> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// Who did it. Batch jobs and the CLI act as a named system actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditActor {
    pub user_id: Option<uuid::Uuid>,
    pub username: String,
    pub role: String,
}

impl AuditActor {
    pub fn system(what: &str) -> AuditActor {
        AuditActor { user_id: None, username: format!("system:{what}"), role: "system".into() }
    }

    pub fn public() -> AuditActor {
        AuditActor { user_id: None, username: "public".into(), role: "public".into() }
    }
}

/// One entry to append. `persons` are the persons read or changed (a list records
/// every person shown); `detail` describes the query or change, never her data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub actor: AuditActor,
    pub action: AuditAction,
    pub persons: Vec<uuid::Uuid>,
    /// Route template or CLI command, e.g. `GET /people/{id}` or `opsog user add`.
    pub origin: String,
    pub detail: String,
}
