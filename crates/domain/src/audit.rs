//! What the audit log records. Every read and change of a person is one entry: who,
//! role, when, action, which person, from where — never the content.

use crate::code_enum;
use crate::policy::Role;

code_enum! {
    pub enum AuditAction {
        ViewPerson = "view_person",
        ListPeople = "list_people",
        SearchPeople = "search_people",
        CreatePerson = "create_person",
        UpdatePerson = "update_person",
        RecordEvent = "record_event",
        VoidEvent = "void_event",
        RevealCpr = "reveal_cpr",
        Denied = "denied",
        Login = "login",
        LoginFailed = "login_failed",
        /// A login tried while its account or address must wait (issue 13, item 4).
        LoginThrottled = "login_throttled",
        Logout = "logout",
        ViewAudit = "view_audit",
        ExportAudit = "export_audit",
        CreateUser = "create_user",
        /// A login closed (its sessions end at once) or opened again (issue 13, item 6).
        DeactivateUser = "deactivate_user",
        ReactivateUser = "reactivate_user",
        /// A login's role changed at once; the detail says from → to (issue 13, item 6).
        ChangeRole = "change_role",
        /// A role grant proposed that waits for a second person, confirmed by her, or
        /// withdrawn (issue 13, item 6).
        ProposeRole = "propose_role",
        ConfirmRole = "confirm_role",
        WithdrawRole = "withdraw_role",
        /// A user ended one of her own sessions (issue 13, item 4).
        EndOwnSession = "end_own_session",
        /// The second step of a login: her app's code (issue 13, item 4).
        SecondFactorPassed = "second_factor_passed",
        /// A wrong or spent code; it counts towards the account's throttling.
        SecondFactorFailed = "second_factor_failed",
        /// She logged in with one of her recovery codes (it is now spent).
        RecoveryCodeUsed = "recovery_code_used",
        /// She set up an authenticator app and got new recovery codes.
        SecondFactorEnrolled = "second_factor_enrolled",
        /// She replaced her recovery codes with new ones.
        RecoveryCodesRenewed = "recovery_codes_renewed",
        /// Her second factor was removed (by an admin for a lost phone, or by her).
        SecondFactorRemoved = "second_factor_removed",
        /// An admin set a one-time password; she must choose her own at next login (item 6).
        PasswordReset = "password_reset",
        /// She chose a new password.
        PasswordChanged = "password_changed",
        CliCommand = "cli_command",
        BatchJob = "batch_job",
        AddDoNotContact = "add_do_not_contact",
        RegisterFromStreet = "register_from_street",
        LogConversation = "log_conversation",
        SaveAmbassadorProfile = "save_ambassador_profile",
        AcceptEthics = "accept_ethics",
        RecordFollowUp = "record_follow_up",
        SetEthicsFrame = "set_ethics_frame",
        SavePartner = "save_partner",
        CreateReferralLink = "create_referral_link",
        Refer = "refer",
        PlanMeeting = "plan_meeting",
        SavePlan = "save_plan",
        ApprovePlan = "approve_plan",
        SaveLetterTemplate = "save_letter_template",
        UploadExtract = "upload_extract",
        SaveSelectionRules = "save_selection_rules",
        DryRun = "register_dry_run",
        RegisterRun = "register_run",
        ReviewLink = "review_link",
        DeleteExtracts = "delete_extracts",
        ViewRunOverview = "view_run_overview",
        /// A run's candidates written out whole (`opsog register candidates`): one read
        /// naming every woman listed.
        ExportCandidates = "export_candidates",
        SendLetterBatch = "send_letter_batch",
        DownloadLetters = "download_letters",
        SetCadence = "set_cadence",
        SelfReferral = "self_referral",
        /// A coordinator settled a possible match an outside door left (issue 13, item 2).
        ResolveMatch = "resolve_match",
        /// The audit log's hash chains checked (`opsog audit verify`; issue 13, item 10).
        VerifyAudit = "verify_audit",
    }
}

/// The role an entry was written under: a login's role, or one of the actors that are
/// not logins. Kept as its code; a type so that no other text can be written or read
/// back (issue 11, item 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActorRole {
    Staff(Role),
    /// A batch job, or a command run by the operator on the server.
    System,
    /// Her own pages: the answer page, the open door.
    Public,
    /// A login attempt before anyone is logged in.
    Anonymous,
}

impl ActorRole {
    /// The code it is stored as: a staff role's own code, or `system`, `public`,
    /// `anonymous`, none of which is a role's.
    pub fn code(self) -> &'static str {
        match self {
            ActorRole::Staff(role) => role.code(),
            ActorRole::System => "system",
            ActorRole::Public => "public",
            ActorRole::Anonymous => "anonymous",
        }
    }

    pub fn from_code(code: &str) -> Option<ActorRole> {
        match code {
            "system" => Some(ActorRole::System),
            "public" => Some(ActorRole::Public),
            "anonymous" => Some(ActorRole::Anonymous),
            _ => Role::from_code(code).map(ActorRole::Staff),
        }
    }
}

/// Who did it. Batch jobs and the CLI act as a named system actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditActor {
    pub user_id: Option<uuid::Uuid>,
    pub username: String,
    pub role: ActorRole,
}

impl AuditActor {
    pub fn system(what: &str) -> AuditActor {
        AuditActor { user_id: None, username: format!("system:{what}"), role: ActorRole::System }
    }

    pub fn public() -> AuditActor {
        AuditActor { user_id: None, username: "public".into(), role: ActorRole::Public }
    }

    /// Someone not yet logged in, by the username she typed.
    pub fn anonymous(username: &str) -> AuditActor {
        AuditActor { user_id: None, username: username.into(), role: ActorRole::Anonymous }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_roles_read_back_from_their_codes_and_none_is_taken_twice() {
        let mut codes = std::collections::BTreeSet::new();
        let others = [ActorRole::System, ActorRole::Public, ActorRole::Anonymous];
        for role in Role::ALL.map(ActorRole::Staff).into_iter().chain(others) {
            assert_eq!(ActorRole::from_code(role.code()), Some(role));
            assert!(codes.insert(role.code()), "{} twice", role.code());
        }
        assert_eq!(ActorRole::from_code("System"), None);
        assert_eq!(ActorRole::from_code(""), None);
    }
}
