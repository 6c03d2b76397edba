//! Roles and the permission matrix (product.md, "Who sees what"), as data.
//!
//! Handlers ask one question — `may(actor, action, target)` — and never test roles
//! themselves, so that the table below is the single place that decides access.

use crate::code_enum;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

code_enum! {
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Role {
        Coordinator = "coordinator",
        Caseworker = "caseworker",
        Ambassador = "ambassador",
        Partner = "partner",
        Analyst = "analyst",
        Admin = "admin",
    }
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub role: Role,
    pub team_id: Option<Uuid>,
    /// For partner accounts: the organisation they act for.
    pub partner_org_id: Option<Uuid>,
}

/// What the row-level rules need to know about a person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonScope {
    pub team_id: Option<Uuid>,
    /// Caseworker or ambassador named as her contact person.
    pub contact_user_id: Option<Uuid>,
    /// Ambassadors (user ids) who registered her.
    pub registered_by: Vec<Uuid>,
    /// Partner organisations that referred her.
    pub referred_by_orgs: Vec<Uuid>,
}

code_enum! {
    /// Parts of a person's record that roles see differently.
    pub enum Field {
        FirstName = "first_name",
        FullName = "full_name",
        Phone = "phone",
        Address = "address",
        BirthDate = "birth_date",
        MaskedCpr = "masked_cpr",
        FullCpr = "full_cpr",
        CountryOfOrigin = "country_of_origin",
        Languages = "languages",
        Segment = "segment",
        Motivation = "motivation",
        SafetyNote = "safety_note",
        SafeContactFlag = "safe_contact_flag",
        Sources = "sources",
        Timeline = "timeline",
        NextStep = "next_step",
        CoarseStatus = "coarse_status",
    }
}

code_enum! {
    /// Actions that are not about one field.
    pub enum Action {
        /// Open a person's page (row-level rules apply).
        ViewPerson = "view_person",
        /// List and search persons.
        ListPeople = "list_people",
        CreatePerson = "create_person",
        EditPerson = "edit_person",
        RecordEvent = "record_event",
        VoidEvent = "void_event",
        RevealFullCpr = "reveal_full_cpr",
        ViewFigures = "view_figures",
        ViewAudit = "view_audit",
        ExportAudit = "export_audit",
        ManageUsers = "manage_users",
        ViewConfig = "view_config",
        /// Ambassadors' profiles, records and follow-up meetings (G-6.4–G-6.8).
        ManageAmbassadors = "manage_ambassadors",
        /// Street work: log conversations, register a woman who agrees (G-6). Only an
        /// ambassador does it, and only once `ambassador::may_log_field_work` allows.
        FieldWork = "field_work",
        /// Where the target group lives and where ambassadors work (G-6.2).
        ViewAreas = "view_areas",
        /// The initiative's plan, including its ethics frame (G-4).
        EditPlan = "edit_plan",
        /// The partner register, agreements, referral links and follow-ups (G-7).
        ManagePartners = "manage_partners",
        /// Refer a woman, with her consent, from a partner's own account (G-7).
        Refer = "refer",
        /// Plan the initiative's intro meetings.
        PlanMeetings = "plan_meetings",
        /// The initiative's letter templates and their review (G-5.6).
        EditLetters = "edit_letters",
        /// Send a letter batch to a register run's women, and set the contact cadence
        /// (G-5.6, G-5.7). Coordinators only: a batch reaches across teams, and only a
        /// coordinator may override the letter check.
        SendLetters = "send_letters",
        /// Register search: upload extracts, map columns, write the selection rules, dry
        /// run and run (G-5.1–G-5.3). Coordinators only.
        RegisterSearch = "register_search",
        /// Confirm or reject an uncertain link of a list without CPR (G-5.1).
        ReviewLinks = "review_links",
        /// A run's overview (G-5.4); below coordinator level through the suppression rule.
        ViewRunOverview = "view_run_overview",
        /// The queue of possible matches that doors from outside leave (issue 13, item
        /// 2): new intakes resembling a known woman, renewed requests of a woman on the
        /// do-not-contact list. Coordinators only: it names women across teams.
        ReviewMatches = "review_matches",
    }
}

/// How far a role reaches for one kind of data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    No,
    /// Every person.
    All,
    /// Persons of her own team (or whom she is contact person for).
    Team,
    /// The assigned caseworker only (contact person).
    Assigned,
    /// Women the ambassador registered.
    OwnRegistered,
    /// The partner organisation's own referrals.
    OwnReferrals,
}

/// The matrix, row by row as in product.md. Full CPR is "on request, audited":
/// the reach here allows the request; the handler records it through `RevealFullCpr`.
pub fn field_reach(role: Role, field: Field) -> Reach {
    use Field as F;
    use Reach as R;
    match (role, field) {
        (Role::Coordinator, _) => R::All,
        (Role::Analyst | Role::Admin, _) => R::No,
        (Role::Caseworker, F::SafetyNote) => R::Assigned,
        (Role::Caseworker, _) => R::Team,
        (Role::Ambassador, F::FirstName | F::Phone | F::NextStep | F::SafeContactFlag) => R::OwnRegistered,
        (Role::Ambassador, _) => R::No,
        (Role::Partner, F::FirstName | F::FullName | F::CoarseStatus) => R::OwnReferrals,
        (Role::Partner, _) => R::No,
    }
}

pub fn action_reach(role: Role, action: Action) -> Reach {
    use Action as A;
    use Reach as R;
    match (role, action) {
        (Role::Coordinator, A::ManageUsers | A::ViewConfig) => R::All,
        // Field work is logged by the ambassador who did it, never on her behalf.
        (Role::Coordinator, A::FieldWork | A::Refer) => R::No,
        (Role::Coordinator, _) => R::All,
        (Role::Caseworker, A::ViewPerson | A::ListPeople | A::EditPerson | A::RecordEvent | A::RevealFullCpr) => {
            R::Team
        }
        // The link-review queue shows register rows of the whole municipality (names,
        // birth dates, addresses, phones) before anyone is a woman of a team: it is the
        // coordinator's (issue 13, item 1; G-5.2).
        (Role::Caseworker, A::CreatePerson | A::ViewFigures | A::PlanMeetings | A::ViewRunOverview) => R::All,
        (Role::Caseworker, A::VoidEvent) => R::Team,
        (Role::Caseworker, _) => R::No,
        (Role::Ambassador, A::ViewPerson | A::ListPeople) => R::OwnRegistered,
        (Role::Ambassador, A::FieldWork) => R::OwnRegistered,
        (Role::Ambassador, _) => R::No,
        // A partner has no people list and no figures: her page is her referrals,
        // where a status shows only with the woman's consent (issue 13, item 1; G-7).
        // Counting her referrals by stage would tell what the status hides.
        (Role::Partner, A::ViewPerson) => R::OwnReferrals,
        (Role::Partner, A::Refer) => R::OwnReferrals,
        (Role::Partner, _) => R::No,
        (Role::Analyst, A::ViewFigures | A::ViewRunOverview) => R::All,
        (Role::Analyst, _) => R::No,
        (Role::Admin, A::ViewAudit | A::ExportAudit | A::ManageUsers | A::ViewConfig) => R::All,
        (Role::Admin, _) => R::No,
    }
}

/// Does `reach` cover this person for this actor?
pub fn covers(reach: Reach, actor: &Actor, person: Option<&PersonScope>) -> bool {
    match (reach, person) {
        (Reach::No, _) => false,
        (Reach::All, _) => true,
        // Without a person the question is "may she do this to anyone at all?".
        (_, None) => true,
        // Her team is the team of her contact person (a new contact person moves her),
        // so "her team's women" is one comparison; a caseworker without a team has the
        // women she is contact person for.
        (Reach::Team, Some(p)) => match actor.team_id {
            Some(team) => p.team_id == Some(team),
            None => p.contact_user_id == Some(actor.user_id),
        },
        (Reach::Assigned, Some(p)) => p.contact_user_id == Some(actor.user_id),
        (Reach::OwnRegistered, Some(p)) => p.registered_by.contains(&actor.user_id),
        (Reach::OwnReferrals, Some(p)) => actor.partner_org_id.is_some_and(|org| p.referred_by_orgs.contains(&org)),
    }
}

pub fn may(actor: &Actor, action: Action, person: Option<&PersonScope>) -> bool {
    covers(action_reach(actor.role, action), actor, person)
}

pub fn may_see(actor: &Actor, field: Field, person: &PersonScope) -> bool {
    covers(field_reach(actor.role, field), actor, Some(person))
}

/// Does this role see names and other personal data anywhere? (The admin runs the
/// system and the analyst sees only aggregates — product.md.)
pub fn sees_personal_data(role: Role) -> bool {
    action_reach(role, Action::ViewPerson) != Reach::No
}

code_enum! {
    /// What the people list can be narrowed by.
    pub enum ListFilter {
        Name = "name",
        Phone = "phone",
        Cpr = "cpr",
        Stage = "stage",
        Source = "source",
        Area = "area",
        Language = "language",
    }
}

impl ListFilter {
    /// The field a filter tells about: a list narrowed by stage says each woman's
    /// stage as plainly as a column would.
    pub fn reveals(self) -> Field {
        match self {
            ListFilter::Name => Field::FirstName,
            ListFilter::Phone => Field::Phone,
            ListFilter::Cpr => Field::FullCpr,
            ListFilter::Stage => Field::Timeline,
            ListFilter::Source => Field::Sources,
            ListFilter::Area => Field::Address,
            ListFilter::Language => Field::Languages,
        }
    }
}

/// A role can neither filter nor count by a field it may not see (issue 13, item 1):
/// an ambassador narrowing her women by stage, or by the area of their address,
/// would learn what her list does not show her.
pub fn may_filter(role: Role, filter: ListFilter) -> bool {
    field_reach(role, filter.reveals()) != Reach::No
}

/// Her one named contact person (G-8.5) is a caseworker or an ambassador: someone who
/// works with her, never an analyst, admin or partner organisation.
pub fn may_be_contact_person(role: Role) -> bool {
    matches!(role, Role::Caseworker | Role::Ambassador)
}

/// Every figure shown below coordinator level passes the suppression rule (product.md).
pub fn figures_suppressed(role: Role) -> bool {
    role != Role::Coordinator
}

/// Her team follows her contact person: a caseworker of another team takes her over
/// with her team. An ambassador (no team) as contact person leaves her team as it is.
pub fn team_after_contact_change(current_team: Option<Uuid>, contact_team: Option<Uuid>) -> Option<Uuid> {
    contact_team.or(current_team)
}

/// A caseworker who records a woman by hand becomes her contact person; a coordinator
/// who does so leaves the choice to her team.
pub fn becomes_contact_person_on_entry(role: Role) -> bool {
    role == Role::Caseworker
}

/// Who may give (or, where `needs_confirmation` says so, propose) which role: only an
/// admin creates admins, so that a coordinator cannot make herself an account that
/// reads the audit export unwatched.
pub fn may_grant(granter: Role, role: Role) -> bool {
    match granter {
        Role::Admin => true,
        Role::Coordinator => role != Role::Admin,
        _ => false,
    }
}

/// Does a grant by `proposer` of `role` wait for a second person (issue 13, item 6)?
/// The coordinator role reads every woman, so it always takes two. And an admin never
/// reaches personal data on her own (product.md: she runs the system): any role that
/// sees a woman, granted by an admin, waits for a coordinator — otherwise she could
/// make herself a second login as a caseworker and read her team's women.
pub fn needs_confirmation(proposer: Role, role: Role) -> bool {
    role == Role::Coordinator || (proposer == Role::Admin && sees_personal_data(role))
}

/// What a new login proposed for a role that waits is meanwhile: closed, and with a
/// role that sees no woman, so that neither logging in nor reopening her gives any
/// access to personal data before the second person confirms (issue 13, item 6).
pub const ROLE_UNTIL_CONFIRMED: Role = Role::Analyst;

/// Who may change the role of an existing login: never her own (an admin would read
/// personal data, a coordinator would make herself admin), and only someone who may
/// grant both the role she has and the one she gets — a coordinator cannot demote an
/// admin. Whether the change waits for a second person is `needs_confirmation`'s.
pub fn may_change_role(granter: &Actor, target_id: Uuid, from: Role, to: Role) -> bool {
    granter.user_id != target_id && from != to && may_grant(granter.role, from) && may_grant(granter.role, to)
}

code_enum! {
    /// Where a role grant stands (issue 13, item 6).
    pub enum GrantStatus {
        /// Waiting for the second person; the login keeps the role she had.
        Pending = "pending",
        /// In force: confirmed by the second person, or given by one who needs none.
        Confirmed = "confirmed",
        /// Withdrawn before it was confirmed; the login never had the role.
        Withdrawn = "withdrawn",
    }
}

/// A grant waiting for its second person, as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingGrant {
    pub proposed_by: Uuid,
    /// The proposer's role when she proposed.
    pub proposer_role: Role,
    /// The login that gets the role.
    pub target: Uuid,
}

/// Who may confirm a waiting grant (issue 13, item 6): the other side of the
/// separation of duties — an admin's proposal a coordinator, a coordinator's an admin
/// — and never the proposer herself or the login that gets the role, so that no one
/// person (with a second account or not) ever completes a grant alone.
pub fn may_confirm(confirmer: &Actor, grant: &PendingGrant) -> bool {
    let other_side = matches!(
        (grant.proposer_role, confirmer.role),
        (Role::Admin, Role::Coordinator) | (Role::Coordinator, Role::Admin)
    );
    other_side && confirmer.user_id != grant.proposed_by && confirmer.user_id != grant.target
}

/// Who may withdraw a waiting grant: the proposer, or whoever could have confirmed it
/// (withdrawing takes nobody's access, it only ends the question).
pub fn may_withdraw(actor: &Actor, grant: &PendingGrant) -> bool {
    actor.user_id == grant.proposed_by || may_confirm(actor, grant)
}

/// Who may close or reopen whose login (issue 13, item 6): whoever may grant the role
/// may take it away again, but never her own login — she would lock the municipality
/// out of its last admin, or end her own accountability.
pub fn may_set_active(granter: &Actor, target_id: Uuid, target_role: Role) -> bool {
    granter.user_id != target_id && may_grant(granter.role, target_role)
}

/// Who may reset whose password or second factor (issue 13, items 4 and 6). A reset
/// hands the one who makes it a way into that login, so: never her own; an admin only
/// a login that sees no personal data (else she could log in as a caseworker and read
/// women); a coordinator the logins below her that see women, but never another
/// coordinator's (she could log in as her and approve her own plan). A coordinator's
/// login is reset by the operator on the server (`opsog user reset`).
pub fn may_reset_login(granter: &Actor, target_id: Uuid, target_role: Role) -> bool {
    if granter.user_id == target_id {
        return false;
    }
    match granter.role {
        Role::Admin => !sees_personal_data(target_role),
        Role::Coordinator => {
            !matches!(target_role, Role::Coordinator | Role::Admin) && may_grant(granter.role, target_role)
        }
        _ => false,
    }
}

/// The row-level filter a list must apply for this actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListScope {
    Nobody,
    Everyone,
    TeamOf { team_id: Option<Uuid>, user_id: Uuid },
    RegisteredBy(Uuid),
    ReferredBy(Option<Uuid>),
}

pub fn list_scope(actor: &Actor) -> ListScope {
    match action_reach(actor.role, Action::ListPeople) {
        Reach::No => ListScope::Nobody,
        Reach::All => ListScope::Everyone,
        Reach::Team | Reach::Assigned => ListScope::TeamOf { team_id: actor.team_id, user_id: actor.user_id },
        Reach::OwnRegistered => ListScope::RegisteredBy(actor.user_id),
        Reach::OwnReferrals => ListScope::ReferredBy(actor.partner_org_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: Uuid::from_u128(1),
            role,
            team_id: Some(Uuid::from_u128(10)),
            partner_org_id: Some(Uuid::from_u128(20)),
        }
    }

    fn scope_team(team: u128) -> PersonScope {
        PersonScope { team_id: Some(Uuid::from_u128(team)), ..Default::default() }
    }

    #[test]
    fn analyst_and_admin_see_no_personal_data() {
        let p = scope_team(10);
        for role in [Role::Analyst, Role::Admin] {
            assert!(!sees_personal_data(role));
            assert!(!may(&actor(role), Action::ViewPerson, Some(&p)));
            for field in [Field::FirstName, Field::FullName, Field::Phone, Field::FullCpr, Field::CountryOfOrigin] {
                assert!(!may_see(&actor(role), field, &p), "{role:?} {field:?}");
            }
        }
        assert!(may(&actor(Role::Admin), Action::ViewAudit, None));
        assert!(!may(&actor(Role::Analyst), Action::ViewAudit, None));
    }

    #[test]
    fn only_ambassadors_do_field_work_only_partners_refer_and_coordinators_manage_both() {
        for role in Role::ALL {
            let a = actor(role);
            assert_eq!(may(&a, Action::FieldWork, None), role == Role::Ambassador, "{role:?} field work");
            assert_eq!(may(&a, Action::Refer, None), role == Role::Partner, "{role:?} refer");
            let plans = matches!(role, Role::Coordinator | Role::Caseworker);
            assert_eq!(may(&a, Action::PlanMeetings, None), plans, "{role:?} plan meetings");
            assert_eq!(may(&a, Action::ReviewLinks, None), role == Role::Coordinator, "{role:?} review links");
            let overview = plans || role == Role::Analyst;
            assert_eq!(may(&a, Action::ViewRunOverview, None), overview, "{role:?} run overview");
            for action in [
                Action::ManageAmbassadors,
                Action::ViewAreas,
                Action::EditPlan,
                Action::ManagePartners,
                Action::EditLetters,
                Action::SendLetters,
                Action::RegisterSearch,
            ] {
                assert_eq!(may(&a, action, None), role == Role::Coordinator, "{role:?} {action:?}");
            }
        }
    }

    #[test]
    fn caseworker_sees_her_team_only() {
        let cw = actor(Role::Caseworker);
        assert!(may(&cw, Action::ViewPerson, Some(&scope_team(10))));
        assert!(!may(&cw, Action::ViewPerson, Some(&scope_team(11))));
        let assigned = PersonScope { contact_user_id: Some(cw.user_id), ..scope_team(10) };
        assert!(may(&cw, Action::ViewPerson, Some(&assigned)));
        let teamless = Actor { team_id: None, ..cw.clone() };
        assert!(may(
            &teamless,
            Action::ViewPerson,
            Some(&PersonScope { contact_user_id: Some(cw.user_id), ..Default::default() })
        ));
        assert!(!may(&teamless, Action::ViewPerson, Some(&scope_team(10))));
        // safety notes: the assigned caseworker only, not the whole team
        assert!(!may_see(&cw, Field::SafetyNote, &scope_team(10)));
        assert!(may_see(&cw, Field::SafetyNote, &assigned));
        assert!(!may(&cw, Action::ViewAudit, None));
    }

    #[test]
    fn ambassador_sees_only_women_she_registered_and_only_first_name_and_phone() {
        let amb = actor(Role::Ambassador);
        let hers = PersonScope { registered_by: vec![amb.user_id], ..scope_team(10) };
        let other = PersonScope { registered_by: vec![Uuid::from_u128(99)], ..scope_team(10) };
        assert!(may(&amb, Action::ViewPerson, Some(&hers)));
        assert!(!may(&amb, Action::ViewPerson, Some(&other)));
        assert!(may_see(&amb, Field::FirstName, &hers));
        assert!(may_see(&amb, Field::Phone, &hers));
        for f in [Field::FullName, Field::Address, Field::FullCpr, Field::CountryOfOrigin, Field::Timeline] {
            assert!(!may_see(&amb, f, &hers), "{f:?}");
        }
    }

    #[test]
    fn partner_sees_own_referrals_name_and_coarse_status() {
        let partner = actor(Role::Partner);
        let ours = PersonScope { referred_by_orgs: vec![Uuid::from_u128(20)], ..Default::default() };
        let theirs = PersonScope { referred_by_orgs: vec![Uuid::from_u128(21)], ..Default::default() };
        assert!(may_see(&partner, Field::FullName, &ours));
        assert!(may_see(&partner, Field::CoarseStatus, &ours));
        assert!(!may_see(&partner, Field::Timeline, &ours));
        assert!(!may_see(&partner, Field::FullName, &theirs));
        let no_org = Actor { partner_org_id: None, ..partner };
        assert!(!may_see(&no_org, Field::FullName, &ours));
    }

    #[test]
    fn her_team_follows_a_caseworker_contact_but_not_an_ambassador() {
        let (nord, syd) = (Some(Uuid::from_u128(10)), Some(Uuid::from_u128(11)));
        assert_eq!(team_after_contact_change(nord, syd), syd);
        assert_eq!(team_after_contact_change(nord, None), nord);
    }

    #[test]
    fn contact_persons_are_caseworkers_or_ambassadors() {
        let allowed: Vec<Role> = Role::ALL.into_iter().filter(|r| may_be_contact_person(*r)).collect();
        assert_eq!(allowed, vec![Role::Caseworker, Role::Ambassador]);
        assert!(becomes_contact_person_on_entry(Role::Caseworker));
        assert!(!becomes_contact_person_on_entry(Role::Coordinator));
    }

    #[test]
    fn a_login_is_closed_by_who_may_grant_its_role_and_never_by_herself() {
        let coordinator = actor(Role::Coordinator);
        let other = Uuid::new_v4();
        assert!(may_set_active(&coordinator, other, Role::Caseworker));
        assert!(!may_set_active(&coordinator, other, Role::Admin));
        assert!(!may_set_active(&coordinator, coordinator.user_id, Role::Coordinator));
        assert!(may_set_active(&actor(Role::Admin), other, Role::Admin));
        assert!(!may_set_active(&actor(Role::Caseworker), other, Role::Partner));
    }

    #[test]
    fn only_admins_grant_admin() {
        assert!(may_grant(Role::Admin, Role::Admin));
        assert!(!may_grant(Role::Coordinator, Role::Admin));
        assert!(may_grant(Role::Coordinator, Role::Caseworker));
        assert!(!may_grant(Role::Caseworker, Role::Ambassador));
    }

    fn user(id: u128, role: Role) -> Actor {
        Actor { user_id: Uuid::from_u128(id), ..actor(role) }
    }

    #[test]
    fn the_coordinator_role_and_an_admins_grant_of_personal_data_wait_for_a_second_person() {
        for proposer in [Role::Admin, Role::Coordinator] {
            assert!(needs_confirmation(proposer, Role::Coordinator), "{proposer:?}");
        }
        for role in [Role::Caseworker, Role::Ambassador, Role::Partner] {
            assert!(needs_confirmation(Role::Admin, role), "an admin alone never grants {role:?}");
            assert!(!needs_confirmation(Role::Coordinator, role), "a coordinator grants {role:?} alone");
        }
        assert!(!needs_confirmation(Role::Admin, Role::Admin));
        assert!(!needs_confirmation(Role::Admin, Role::Analyst));
        assert!(!sees_personal_data(ROLE_UNTIL_CONFIRMED));
    }

    #[test]
    fn nobody_changes_her_own_role_and_a_coordinator_never_touches_an_admin() {
        let admin = user(1, Role::Admin);
        let coordinator = user(2, Role::Coordinator);
        let other = Uuid::from_u128(3);
        assert!(!may_change_role(&admin, admin.user_id, Role::Admin, Role::Coordinator));
        assert!(!may_change_role(&coordinator, coordinator.user_id, Role::Coordinator, Role::Admin));
        assert!(may_change_role(&admin, other, Role::Caseworker, Role::Coordinator));
        assert!(may_change_role(&coordinator, other, Role::Caseworker, Role::Coordinator));
        assert!(!may_change_role(&coordinator, other, Role::Admin, Role::Analyst), "demoting an admin");
        assert!(!may_change_role(&coordinator, other, Role::Caseworker, Role::Admin));
        assert!(!may_change_role(&admin, other, Role::Caseworker, Role::Caseworker), "no change");
        assert!(!may_change_role(&user(4, Role::Caseworker), other, Role::Partner, Role::Ambassador));
    }

    #[test]
    fn a_grant_is_confirmed_by_the_other_side_never_by_the_proposer_or_the_target() {
        let admin = user(1, Role::Admin);
        let second_admin = user(2, Role::Admin);
        let coordinator = user(3, Role::Coordinator);
        let second_coordinator = user(4, Role::Coordinator);
        let by_admin =
            PendingGrant { proposed_by: admin.user_id, proposer_role: Role::Admin, target: Uuid::from_u128(9) };
        assert!(may_confirm(&coordinator, &by_admin));
        assert!(!may_confirm(&second_admin, &by_admin), "two admins never make a coordinator");
        assert!(!may_confirm(&admin, &by_admin), "her own proposal");
        assert!(!may_confirm(&user(5, Role::Caseworker), &by_admin));
        // the admin proposes herself (through another admin's proposal she cannot confirm)
        let for_the_admin =
            PendingGrant { proposed_by: second_admin.user_id, proposer_role: Role::Admin, target: admin.user_id };
        assert!(!may_confirm(&admin, &for_the_admin));
        let by_coordinator = PendingGrant {
            proposed_by: coordinator.user_id,
            proposer_role: Role::Coordinator,
            target: Uuid::from_u128(9),
        };
        assert!(may_confirm(&admin, &by_coordinator));
        assert!(!may_confirm(&second_coordinator, &by_coordinator), "two coordinators never make a third");
        assert!(!may_confirm(&coordinator, &by_coordinator));
        let for_the_coordinator =
            PendingGrant { proposed_by: admin.user_id, proposer_role: Role::Admin, target: coordinator.user_id };
        assert!(!may_confirm(&coordinator, &for_the_coordinator), "the target never confirms her own grant");
        // withdrawing: the proposer, or who could confirm; nobody else
        assert!(may_withdraw(&admin, &by_admin));
        assert!(may_withdraw(&coordinator, &by_admin));
        assert!(!may_withdraw(&second_admin, &by_admin));
    }

    #[test]
    fn partners_have_no_people_list_and_no_figures() {
        let partner = actor(Role::Partner);
        assert!(!may(&partner, Action::ListPeople, None));
        assert!(!may(&partner, Action::ViewFigures, None));
        assert!(!may(&actor(Role::Ambassador), Action::ViewFigures, None));
        assert!(sees_personal_data(Role::Partner), "her referrals are personal data");
        assert_eq!(list_scope(&partner), ListScope::Nobody);
    }

    #[test]
    fn nobody_filters_by_a_field_she_may_not_see() {
        for role in Role::ALL {
            for f in ListFilter::ALL {
                assert_eq!(may_filter(role, f), field_reach(role, f.reveals()) != Reach::No, "{role:?} {f:?}");
            }
        }
        // an ambassador finds her women by first name or phone, and by nothing else
        let amb: Vec<ListFilter> = ListFilter::ALL.into_iter().filter(|f| may_filter(Role::Ambassador, *f)).collect();
        assert_eq!(amb, vec![ListFilter::Name, ListFilter::Phone]);
        assert!(ListFilter::ALL.into_iter().all(|f| may_filter(Role::Coordinator, f)));
        assert!(!may_filter(Role::Partner, ListFilter::Stage));
    }

    #[test]
    fn list_scope_follows_the_matrix() {
        assert_eq!(list_scope(&actor(Role::Coordinator)), ListScope::Everyone);
        assert_eq!(list_scope(&actor(Role::Analyst)), ListScope::Nobody);
        assert_eq!(list_scope(&actor(Role::Admin)), ListScope::Nobody);
        assert!(matches!(list_scope(&actor(Role::Caseworker)), ListScope::TeamOf { .. }));
        assert!(matches!(list_scope(&actor(Role::Ambassador)), ListScope::RegisteredBy(_)));
    }

    #[test]
    fn a_reset_never_hands_a_way_into_personal_data_or_a_second_coordinator() {
        let admin = actor(Role::Admin);
        let coordinator = actor(Role::Coordinator);
        let other = Uuid::from_u128(99);
        for role in [Role::Caseworker, Role::Ambassador, Role::Partner, Role::Coordinator] {
            assert!(!may_reset_login(&admin, other, role), "an admin never resets a {role:?}");
        }
        assert!(may_reset_login(&admin, other, Role::Analyst));
        assert!(may_reset_login(&admin, other, Role::Admin));
        assert!(!may_reset_login(&admin, admin.user_id, Role::Admin), "never her own");
        for role in [Role::Caseworker, Role::Ambassador, Role::Partner, Role::Analyst] {
            assert!(may_reset_login(&coordinator, other, role), "{role:?}");
        }
        assert!(!may_reset_login(&coordinator, other, Role::Coordinator));
        assert!(!may_reset_login(&coordinator, other, Role::Admin));
        assert!(!may_reset_login(&actor(Role::Caseworker), other, Role::Ambassador));
    }
}
