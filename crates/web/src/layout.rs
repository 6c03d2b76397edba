//! What every page's frame needs: language, the user's menu (from the permission
//! matrix, never from role checks here), the CSRF token, asset paths, the municipality.

use crate::AppState;
use crate::config::Municipality;
use crate::i18n::I18n;
use crate::session::Ctx;
use domain::org::Locale;
use domain::policy::{self, Action, Actor, Reach};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub testid: &'static str,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub locale: Locale,
    i18n: Arc<I18n>,
    pub user_name: Option<String>,
    pub role_label: String,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    pub asset: String,
    pub municipality: Municipality,
    pub has_logo: bool,
    /// Single sign-on is configured (the login page offers it).
    pub sso: bool,
    /// Set on her pages (the answer page, the open door): the frame in her language.
    pub her: Option<HerFrame>,
}

/// The frame of a page for her, in the language the page is read in (issue 14): the
/// document's language and direction, the skip link and the footer's label. Machine
/// drafts are marked on the page itself (`response::text`).
#[derive(Debug, Clone)]
pub struct HerFrame {
    pub lang: &'static str,
    pub rtl: bool,
    pub skip: String,
    pub dpo: String,
}

impl Layout {
    pub fn new(state: &AppState, ctx: &Ctx, path: &str) -> Layout {
        // A login halfway is shown in her language already.
        let locale = ctx.user.as_ref().or(ctx.halfway.as_ref().map(|h| &h.user)).map(|u| u.locale).unwrap_or_default();
        let mut layout = Layout {
            locale,
            i18n: state.i18n.clone(),
            user_name: ctx.user.as_ref().map(|u| u.display_name.clone()),
            role_label: String::new(),
            nav: Vec::new(),
            csrf: ctx.csrf(),
            asset: format!("/static/{}", crate::assets::ASSET_HASH),
            municipality: state.config.municipality.clone(),
            has_logo: state.logo.is_some(),
            sso: state.config.sso.is_some(),
            her: None,
        };
        if let Some(user) = &ctx.user {
            layout.role_label = layout.t(&format!("role-{}", user.role.code()));
            let actor =
                Actor { user_id: user.id, role: user.role, team_id: user.team_id, partner_org_id: user.partner_org_id };
            layout.nav = menu(&actor)
                .into_iter()
                .map(|(href, key, testid)| NavItem {
                    href,
                    label: layout.t(key),
                    testid,
                    active: if href == "/" { path == "/" } else { path.starts_with(href) },
                })
                .collect();
        }
        layout
    }

    pub fn t(&self, key: &str) -> String {
        self.i18n.t(self.locale, key)
    }

    /// Whether a message exists: for codes that may or may not have a text of their own.
    pub fn has(&self, key: &str) -> bool {
        self.i18n.has(self.locale, key)
    }

    /// A count as the locale writes it: `118.755` (issue 14, item 1).
    pub fn num(&self, n: impl std::fmt::Display) -> String {
        crate::i18n::group_digits(self.locale, &n.to_string())
    }

    pub fn t1(&self, key: &str, name: &str, value: impl ToString) -> String {
        self.i18n.t_args(self.locale, key, &[(name, value.to_string())])
    }

    pub fn t_many(&self, key: &str, args: &[(&str, String)]) -> String {
        self.i18n.t_args(self.locale, key, args)
    }

    pub fn t_args2(&self, key: &str, a: (&str, String), b: (&str, String)) -> String {
        self.i18n.t_args(self.locale, key, &[a, b])
    }

    pub fn lang(&self) -> &'static str {
        self.locale.code()
    }

    /// Her page in her language (`lang`, one of the letter languages; Danish else).
    /// The staff's tagline is left out there: it would tell her she is the target of
    /// outreach.
    pub fn for_her(mut self, lang: &str) -> Layout {
        let text = |key: &str| domain::response::text(key, lang);
        let skip = text("skip_to_content");
        self.her = Some(HerFrame {
            lang: skip.as_ref().map_or("da", |t| t.language),
            rtl: skip.as_ref().is_some_and(|t| t.right_to_left),
            skip: skip.map(|t| t.text.to_string()).unwrap_or_default(),
            dpo: text("footer_dpo").map(|t| t.text.to_string()).unwrap_or_default(),
        });
        self
    }

    /// The document's language: her page's, else the user's.
    pub fn html_lang(&self) -> &'static str {
        self.her.as_ref().map_or(self.lang(), |h| h.lang)
    }

    pub fn dir(&self) -> &'static str {
        if self.her.as_ref().is_some_and(|h| h.rtl) { "rtl" } else { "ltr" }
    }

    pub fn skip_label(&self) -> String {
        self.her.as_ref().map_or_else(|| self.t("skip-to-content"), |h| h.skip.clone())
    }

    pub fn dpo_label(&self) -> String {
        self.her.as_ref().map_or_else(|| self.t("footer-dpo"), |h| h.dpo.clone())
    }
}

/// The menu an actor gets: an entry for each thing the matrix lets her do.
pub fn menu(actor: &Actor) -> Vec<(&'static str, &'static str, &'static str)> {
    let reach = |a: Action| policy::action_reach(actor.role, a);
    let mut items = vec![("/", "nav-home", "nav-home")];
    // A partner's referrals have a page of their own, which shows a status only where
    // she agreed to it; the people list is for the roles that work with the women.
    if policy::may(actor, Action::Refer, None) {
        items.push(("/referrals", "nav-my-referrals", "nav-referrals"));
    } else if policy::may(actor, Action::ListPeople, None) {
        let key = match reach(Action::ListPeople) {
            Reach::OwnRegistered => "nav-my-women",
            _ => "nav-people",
        };
        items.push(("/people", key, "nav-people"));
    }
    if policy::may(actor, Action::CreatePerson, None) {
        items.push(("/people/new", "nav-new-person", "nav-new-person"));
    }
    if policy::may(actor, Action::FieldWork, None) {
        items.push(("/field", "nav-field", "nav-field"));
    }
    if policy::may(actor, Action::ManageAmbassadors, None) {
        items.push(("/ambassadors", "nav-ambassadors", "nav-ambassadors"));
    }
    if policy::may(actor, Action::EditPlan, None) {
        items.push(("/plan", "nav-plan", "nav-plan"));
    }
    if policy::may(actor, Action::RegisterSearch, None) {
        items.push(("/register", "nav-register", "nav-register"));
    } else if policy::may(actor, Action::ReviewLinks, None) {
        items.push(("/register/review", "nav-link-review", "nav-link-review"));
    }
    if policy::may(actor, Action::ReviewMatches, None) {
        items.push(("/matches", "nav-matches", "nav-matches"));
    }
    if policy::may(actor, Action::EditLetters, None) {
        items.push(("/letters", "nav-letters", "nav-letters"));
    }
    if policy::may(actor, Action::RecordEvent, None) && reach(Action::ListPeople) != Reach::OwnRegistered {
        items.push(("/calls", "nav-calls", "nav-calls"));
    }
    if policy::may(actor, Action::PlanMeetings, None) {
        items.push(("/meetings", "nav-meetings", "nav-meetings"));
    }
    if policy::may(actor, Action::ManagePartners, None) {
        items.push(("/partners", "nav-partners", "nav-partners"));
    }
    if policy::may(actor, Action::ViewAreas, None) {
        items.push(("/areas", "nav-areas", "nav-areas"));
    }
    if reach(Action::ViewFigures) == Reach::All {
        items.push(("/figures", "nav-figures", "nav-figures"));
    }
    if policy::may(actor, Action::ViewAudit, None) {
        items.push(("/audit", "nav-audit", "nav-audit"));
    }
    if policy::may(actor, Action::ManageUsers, None) {
        items.push(("/admin/users", "nav-users", "nav-users"));
    }
    items
}
