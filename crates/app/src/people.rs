//! Use cases on the women: her page and the audited reveal of her CPR, creating and
//! editing her, the events of her funnel, her contact person and consents
//! (`people::events`, `people::record`), and the people list with its search
//! (issue 11: moved out of the web handlers, so the page and a command check and audit
//! the same things).

mod events;
mod record;

pub use events::{
    ConsentInput, EventInput, MAX_NOTE, NotRecorded, record_consent, record_event, void_event, withdraw_consent,
};
pub use record::{
    Created, Difference, EditForm, EntryInput, Saved, StaleEdit, create, edit_form, set_contact, shows_safety_note,
    update,
};

use crate::{Caller, Ctx, Error, Refusal, require};
use domain::audit::AuditAction;
use domain::funnel::Stage;
use domain::org::Initiative;
use domain::person::SourceKind;
use domain::policy::{self, Action, Field, ListFilter, PersonScope, Reach, Role};
use domain::{Cpr, PhoneNumber};
use serde::{Deserialize, Serialize};
use store::{PeopleFilter, PeopleQuery};
use uuid::Uuid;

/// Her page as the caller may see it: what was read (the web filters every field
/// through the matrix) and her scope for those checks.
pub struct Seen {
    pub page: store::PersonPage,
    pub scope: PersonScope,
    /// The read was the audited reveal of her full CPR number.
    pub full_cpr: bool,
}

/// Her page. One read serves both the row-level check and the page; no audit entry,
/// no page (G-2.6). A role that may never see women is refused (403), a woman outside
/// the caller's reach is not found (404); both refusals are audited, naming her.
pub async fn view(ctx: &Ctx, caller: &Caller, id: Uuid) -> Result<Seen, Error> {
    let deny = |err: Error| async move {
        ctx.store.append_audit(&caller.audit(AuditAction::Denied, vec![id], "ViewPerson")).await?;
        Err::<Seen, Error>(err)
    };
    if policy::action_reach(caller.user.role, Action::ViewPerson) == Reach::No {
        return deny(Error::Refused(Refusal::Role)).await;
    }
    let Some(page) = ctx.store.read_person_page(id).await? else {
        return deny(Error::NotFound("person")).await;
    };
    let scope = page.record.scope();
    if !policy::may(&caller.actor(), Action::ViewPerson, Some(&scope)) {
        return deny(Error::NotFound("person")).await;
    }
    ctx.store.append_audit(&caller.audit(AuditAction::ViewPerson, vec![id], "")).await?;
    Ok(Seen { page, scope, full_cpr: false })
}

/// Her page with her full CPR number: a read of its own, audited as such.
pub async fn reveal_cpr(ctx: &Ctx, caller: &Caller, id: Uuid) -> Result<Seen, Error> {
    let scope = crate::require_person(ctx, caller, id, Action::RevealFullCpr).await?;
    let page = ctx.store.read_person_page(id).await?.ok_or(Error::NotFound("person"))?;
    ctx.store.append_audit(&caller.audit(AuditAction::RevealCpr, vec![id], "")).await?;
    Ok(Seen { page, scope, full_cpr: true })
}

/// "Never contact me again" is final (G-2.2): the hashes of her identity go on the
/// do-not-contact list with the event, so that no later import or referral reaches
/// her. Reading her identity for that is a read of her data, audited.
pub(crate) async fn never_again_hashes(ctx: &Ctx, caller: &Caller, id: Uuid) -> Result<Vec<String>, Error> {
    let rec = ctx.store.get_person(id, &caller.audit(AuditAction::ViewPerson, vec![id], "do-not-contact")).await?;
    Ok(crate::dnc::of_person(&ctx.dnc_key, &rec.person.details))
}

// ---------------------------------------------------------------- the people list

/// The search as typed. It is kept server-side between requests (`keep`), so no
/// name, phone or CPR ever appears in a URL.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PeopleSearch {
    pub initiative: String,
    pub name: String,
    pub phone: String,
    pub cpr: String,
    pub stage: String,
    pub source: String,
    pub area: String,
    pub language: String,
    pub clear: Option<String>,
    /// Kept, never typed: the women a CPR search found. The search keeps the CPR
    /// masked in `cpr` and these ids, never the number (issue 13, item 7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpr_found: Option<Vec<Uuid>>,
    /// Kept, never typed: the CPR typed did not parse.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cpr_invalid: bool,
}

/// What a login's session remembers between pages: the people search and the audit
/// log's filter.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionData {
    pub people: PeopleSearch,
    pub audit_person: String,
    pub audit_user: String,
    pub audit_from: String,
    pub audit_to: String,
}

impl SessionData {
    /// The session's stored data; an unreadable one starts afresh.
    pub fn of(json: &str) -> SessionData {
        serde_json::from_str(json).unwrap_or_default()
    }
}

/// Remembers `data` in the session `token_hash` (the caller's own).
pub async fn keep(ctx: &Ctx, token_hash: &str, data: &SessionData) -> Result<(), Error> {
    let json = serde_json::to_string(data).map_err(|e| Error::unexpected("writing the session's data", e))?;
    ctx.store.set_session_data(token_hash, &json).await?;
    Ok(())
}

/// The search to keep for the next page. A new search replaces the old one;
/// clearing keeps only the initiative. A filter the caller's role may not use is
/// dropped (issue 13, item 1), and a CPR number is kept masked, with the women it
/// found, so the session never holds the number (item 7). Resubmitting the masked
/// number keeps what it found.
pub async fn search(
    ctx: &Ctx,
    caller: &Caller,
    kept: &PeopleSearch,
    form: PeopleSearch,
) -> Result<PeopleSearch, Error> {
    require(ctx, caller, Action::ListPeople).await?;
    if form.clear.is_some() {
        return Ok(PeopleSearch { initiative: form.initiative, ..Default::default() });
    }
    let mut next =
        allowed_only(caller.user.role, PeopleSearch { clear: None, cpr_found: None, cpr_invalid: false, ..form });
    let typed = next.cpr.trim().to_string();
    if typed.is_empty() {
        next.cpr = String::new();
    } else if typed == kept.cpr && kept.cpr_found.is_some() {
        next.cpr_found.clone_from(&kept.cpr_found);
    } else {
        match Cpr::parse(&typed) {
            Ok(cpr) => {
                next.cpr = cpr.masked();
                next.cpr_found = Some(ctx.store.persons_with_cpr(&cpr).await?);
            }
            Err(_) => {
                next.cpr = String::new();
                next.cpr_invalid = true;
            }
        }
    }
    Ok(next)
}

/// The search with every filter the role may not use emptied.
fn allowed_only(role: Role, mut search: PeopleSearch) -> PeopleSearch {
    let may = |f: ListFilter| policy::may_filter(role, f);
    for (filter, value) in [
        (ListFilter::Name, &mut search.name),
        (ListFilter::Phone, &mut search.phone),
        (ListFilter::Cpr, &mut search.cpr),
        (ListFilter::Stage, &mut search.stage),
        (ListFilter::Source, &mut search.source),
        (ListFilter::Area, &mut search.area),
        (ListFilter::Language, &mut search.language),
    ] {
        if !may(filter) {
            value.clear();
        }
    }
    if !may(ListFilter::Cpr) {
        search.cpr_found = None;
        search.cpr_invalid = false;
    }
    search
}

pub struct ListInput {
    pub search: PeopleSearch,
    pub page: Option<u32>,
    pub page_size: u32,
}

/// What the list shows: the initiatives to choose from, the one listed, and the
/// page of women (none when the search did not parse).
pub struct PeopleList {
    pub initiatives: Vec<Initiative>,
    pub selected: Option<Uuid>,
    pub phone_error: Option<&'static str>,
    pub cpr_error: Option<&'static str>,
    pub result: Option<store::PeoplePage>,
}

/// The women in the caller's reach, filtered. Every list is audited, a search by
/// name, phone or CPR as a search (G-2.6). A role filters only by what it may see
/// (issue 13, item 1).
pub async fn list(ctx: &Ctx, caller: &Caller, input: &ListInput) -> Result<PeopleList, Error> {
    require(ctx, caller, Action::ListPeople).await?;
    let role = caller.user.role;
    let search = &input.search;
    let initiatives = ctx.store.list_initiatives().await?;
    let selected = initiatives
        .iter()
        .find(|i| i.id.to_string() == search.initiative)
        .or_else(|| initiatives.first())
        .map(|i| i.id);
    // Whatever reaches here, from a session kept before a role changed or from a
    // caller other than the web, a filter the role may not use does not apply.
    let search = &allowed_only(role, search.clone());
    let mut filter = PeopleFilter::default();
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    filter.name = text(&search.name);
    let mut phone_error = None;
    if let Some(p) = text(&search.phone) {
        match PhoneNumber::parse(&p) {
            Ok(p) => filter.phone = Some(p),
            Err(_) => phone_error = Some("error-phone"),
        }
    }
    let mut cpr_error = search.cpr_invalid.then_some("error-cpr-format");
    match (&search.cpr_found, text(&search.cpr)) {
        (Some(found), _) => filter.cpr_ids = Some(found.clone()),
        (None, Some(c)) => match Cpr::parse(&c) {
            Ok(c) => filter.cpr = Some(c),
            Err(_) => cpr_error = Some("error-cpr-format"),
        },
        (None, None) => {}
    }
    filter.stage = Stage::from_code(&search.stage);
    filter.source = SourceKind::from_code(&search.source);
    filter.area_id = Uuid::parse_str(&search.area).ok();
    filter.language = domain::reference::language(&search.language).map(|l| l.code.to_string());
    let result = match (selected, phone_error.or(cpr_error)) {
        (Some(initiative_id), None) => {
            let searching =
                filter.name.is_some() || filter.phone.is_some() || filter.cpr.is_some() || filter.cpr_ids.is_some();
            let action = if searching { AuditAction::SearchPeople } else { AuditAction::ListPeople };
            let query = PeopleQuery {
                scope: policy::list_scope(&caller.actor()),
                filter,
                initiative_id,
                page: input.page.unwrap_or(1),
                page_size: input.page_size,
                by_family_name: policy::field_reach(role, Field::FullName) != Reach::No,
            };
            Some(ctx.store.list_people(&query, &caller.audit(action, vec![], "")).await?)
        }
        _ => None,
    };
    Ok(PeopleList { initiatives, selected, phone_error, cpr_error, result })
}
