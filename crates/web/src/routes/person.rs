//! One woman: her page, creating and editing her record, recording and voiding
//! events, and the audited reveal of her full CPR number.

use super::{FormField, Opt, audit, country_label, deny, language_label, language_options, render, stage_label, today};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::{CsrfForm, CsrfForms, CurrentUser};
use crate::time_fmt;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::audit::AuditAction;
use domain::do_not_contact::identity_hashes;
use domain::funnel::{self, Channel, EventKind, TransitionInput};
use domain::org::{Consent, ConsentPurpose};
use domain::person::{DanishLevel, Education, Network, PersonDetails, PersonInput, Source, WorkExperience};
use domain::policy::{self, Action, Field, PersonScope, Reach};
use domain::reference::MotivationFactor;
use domain::validation::FieldErrors;
use serde::Deserialize;
use store::{EventActor, NewEvent, NewPerson, PersonRecord, Store, StoreError, VoidEvent};
use time::OffsetDateTime;
use uuid::Uuid;

/// Checks the action against the matrix for this person. A role that may never do it
/// gets 403; a role that may, but not for her, gets 404 — it must not learn she exists.
async fn check(
    state: &AppState,
    cu: &CurrentUser,
    id: Uuid,
    scope: &PersonScope,
    action: Action,
    origin: &str,
) -> AppResult<()> {
    let actor = cu.actor();
    if policy::action_reach(actor.role, action) == Reach::No {
        return Err(deny(state, cu, origin, Some(id), AppError::Forbidden).await);
    }
    if !policy::may(&actor, action, Some(scope)) {
        return Err(deny(state, cu, origin, Some(id), AppError::NotFound).await);
    }
    Ok(())
}

/// `check` for handlers that change her and need only her scope, not her record.
pub(super) async fn scoped(
    state: &AppState,
    cu: &CurrentUser,
    id: Uuid,
    action: Action,
    origin: &str,
) -> AppResult<PersonScope> {
    if policy::action_reach(cu.actor().role, action) == Reach::No {
        return Err(deny(state, cu, origin, Some(id), AppError::Forbidden).await);
    }
    let scope = state.store.person_scope(id).await?.ok_or(AppError::NotFound)?;
    check(state, cu, id, &scope, action, origin).await?;
    Ok(scope)
}

pub struct FunnelView {
    pub initiative: String,
    pub stage: String,
    pub declined_earlier: bool,
}

pub struct EventFormView {
    pub initiative_id: Uuid,
    pub kinds: Vec<Opt>,
    pub channels: Vec<Opt>,
    pub languages: Vec<Opt>,
}

pub struct EventView {
    pub id: Uuid,
    pub label: String,
    pub when: String,
    pub by: String,
    pub channel: String,
    pub language: Option<String>,
    pub interpreter: bool,
    pub note: String,
    pub voided: bool,
    pub void_reason: Option<String>,
    pub may_void: bool,
}

pub struct ConsentView {
    pub id: Uuid,
    pub purpose: String,
    pub version: String,
    pub language: String,
    pub when: String,
    pub withdrawn: Option<String>,
}

/// Her contact person, who held the role before, and who may take it over.
pub struct ContactView {
    pub current: Option<String>,
    pub history: Vec<String>,
    pub staff: Vec<Opt>,
    pub may_change: bool,
}

pub struct PersonView {
    pub id: Uuid,
    pub contact: Option<ContactView>,
    pub consents: Option<Vec<ConsentView>>,
    pub consent_purposes: Vec<Opt>,
    pub consent_languages: Vec<Opt>,
    pub name: String,
    pub safe_contact_only: bool,
    pub safety_note: Option<String>,
    pub facts: Vec<(String, String)>,
    pub cpr: Option<String>,
    pub may_reveal_cpr: bool,
    pub may_edit: bool,
    pub sources: Vec<String>,
    pub funnels: Vec<FunnelView>,
    pub next_step: Option<String>,
    pub event_form: Option<EventFormView>,
    pub show_timeline: bool,
    pub timeline: Vec<EventView>,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    l: Layout,
    v: PersonView,
    message: Option<String>,
}

pub fn event_label(l: &Layout, kind: EventKind) -> String {
    l.t(&format!("event-{}", kind.code().replace('_', "-")))
}

fn channel_label(l: &Layout, c: Channel) -> String {
    l.t(&format!("channel-{}", c.code().replace('_', "-")))
}

/// Builds what this user may see of her: every field passes the matrix.
async fn view(
    state: &AppState,
    cu: &CurrentUser,
    l: &Layout,
    page: &store::PersonPage,
    scope: &PersonScope,
    full_cpr: bool,
) -> AppResult<PersonView> {
    let rec = &page.record;
    let actor = cu.actor();
    let see = |f: Field| policy::may_see(&actor, f, scope);
    let d = &rec.person.details;
    let name = if see(Field::FullName) { d.full_name() } else { d.given_name.clone() };
    let mut facts = Vec::new();
    let mut fact = |label: &str, value: String| {
        if !value.is_empty() {
            facts.push((l.t(label), value));
        }
    };
    if see(Field::Phone) {
        fact("field-phone", d.phone.as_ref().map(|p| p.display()).unwrap_or_default());
        if d.phone.is_some() {
            fact("field-phone-hers-alone", l.t(if d.phone_is_hers_alone { "yes" } else { "no" }));
        }
    }
    if see(Field::BirthDate) {
        fact("field-birth-date", d.birth_date.map(time_fmt::date).unwrap_or_default());
    }
    if see(Field::Address) {
        if let Some(a) = &d.address {
            fact("field-address", format!("{}, {} {}", a.street, a.postcode, a.city));
        }
        fact("field-area", rec.area_name.clone().unwrap_or_default());
    }
    if see(Field::Languages) {
        let langs: Vec<String> = d
            .languages
            .iter()
            .map(|lang| match &lang.dialect {
                Some(dialect) => format!("{} ({dialect})", language_label(l.locale, &lang.code)),
                None => language_label(l.locale, &lang.code),
            })
            .collect();
        let mut shown = langs.join(", ");
        if rec.languages_inferred && !shown.is_empty() {
            shown = format!("{shown} ({})", l.t("field-languages-inferred"));
        }
        fact("field-languages", shown);
        fact("field-interpreter-needed", l.t(if d.interpreter_needed { "yes" } else { "no" }));
        fact("field-digital-post-exempt", l.t(if d.digital_post_exempt { "yes" } else { "no" }));
    }
    if see(Field::CountryOfOrigin) {
        fact("field-country", d.country_of_origin.as_deref().map(|c| country_label(l.locale, c)).unwrap_or_default());
        fact("field-arrived", d.arrived_in_denmark.map(time_fmt::date).unwrap_or_default());
    }
    if see(Field::Segment) {
        let s = &d.segment;
        fact("field-education", l.t(&format!("education-{}", s.education.code())));
        fact("field-work-experience", l.t(&format!("work-{}", s.work_experience.code())));
        fact("field-network", l.t(&format!("network-{}", s.network.code())));
        fact("field-danish-level", l.t(&format!("danish-{}", s.danish_level.code())));
        fact("field-motivation-note", s.motivation_note.clone().unwrap_or_default());
    }
    if see(Field::Motivation) {
        let m: Vec<String> =
            d.motivation.iter().map(|f| l.t(&format!("motivation-{}", f.code().replace('_', "-")))).collect();
        fact("field-motivation", m.join(", "));
    }
    let cpr = if see(Field::MaskedCpr) {
        d.cpr.as_ref().map(|c| if full_cpr { c.expose() } else { c.masked() })
    } else {
        None
    };
    let sources = if see(Field::Sources) {
        rec.sources
            .iter()
            .map(|s| {
                format!(
                    "{}: {} ({})",
                    l.t(&format!("source-{}", s.kind.code().replace('_', "-"))),
                    s.label,
                    time_fmt::local(s.added_at)
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let show_stage = see(Field::Timeline);
    // A referrer sees her coarse status only if she agreed to that, for that referrer
    // (issue 5, G-7).
    let status_consent =
        actor.partner_org_id.is_some_and(|org| domain::partner::status_consent_given(&page.consents, org));
    let funnels: Vec<FunnelView> = rec
        .funnels
        .iter()
        .filter_map(|f| {
            let stage = if show_stage {
                stage_label(l, f.state.stage)
            } else if see(Field::CoarseStatus) {
                let status = domain::partner::partner_sees_status(status_consent, f.state.stage)?;
                l.t(&format!("coarse-{}", status.code()))
            } else {
                return None;
            };
            Some(FunnelView {
                initiative: f.initiative_name.clone(),
                stage,
                declined_earlier: f.state.declined_earlier && show_stage,
            })
        })
        .collect();
    let next_step = rec
        .funnels
        .first()
        .filter(|_| see(Field::NextStep) && !show_stage)
        .map(|f| l.t(funnel::next_step(f.state.stage)));
    let event_form = match rec.funnels.first() {
        Some(f) if policy::may(&actor, Action::RecordEvent, Some(scope)) => {
            let kinds = funnel::allowed_events(Some(&f.state), OffsetDateTime::now_utc(), &f.rules);
            let her_language = d.letter_language().unwrap_or("da");
            Some(EventFormView {
                initiative_id: f.initiative_id,
                kinds: kinds.into_iter().map(|k| Opt::new(k.code(), event_label(l, k), false)).collect(),
                channels: [
                    Channel::Phone,
                    Channel::InPerson,
                    Channel::Letter,
                    Channel::Ambassador,
                    Channel::Partner,
                    Channel::Other,
                ]
                .into_iter()
                .map(|c| Opt::new(c.code(), channel_label(l, c), false))
                .collect(),
                languages: language_options(l.locale, her_language),
            })
        }
        _ => None,
    };
    let may_void = policy::may(&actor, Action::VoidEvent, Some(scope));
    let timeline = if show_stage {
        page.events
            .iter()
            .cloned()
            .map(|e| EventView {
                id: e.id,
                label: event_label(l, e.kind),
                when: time_fmt::local(e.occurred_at),
                by: e.recorded_by_name,
                channel: channel_label(l, e.channel),
                language: e.language.as_deref().map(|c| language_label(l.locale, c)),
                interpreter: e.interpreter_used,
                note: e.note,
                voided: e.voided_at.is_some(),
                may_void: may_void && e.voided_at.is_none(),
                void_reason: e.void_reason,
            })
            .collect()
    } else {
        Vec::new()
    };
    let may_edit = policy::may(&actor, Action::EditPerson, Some(scope));
    let contact = if see(Field::Timeline) {
        let history = &page.contacts;
        let staff = if may_edit {
            state
                .store
                .list_users()
                .await?
                .into_iter()
                .filter(|u| u.active && policy::may_be_contact_person(u.role))
                .map(|u| {
                    let label = format!("{} ({})", u.display_name, l.t(&format!("role-{}", u.role.code())));
                    Opt::new(u.id.to_string(), label, Some(u.id) == rec.contact_user_id)
                })
                .collect()
        } else {
            Vec::new()
        };
        Some(ContactView {
            current: rec.contact_name.clone(),
            history: history
                .iter()
                .filter(|(a, _)| a.until.is_some())
                .map(|(a, name)| {
                    let until = a.until.map(time_fmt::local).unwrap_or_default();
                    format!("{name}: {} – {until}", time_fmt::local(a.from))
                })
                .collect(),
            staff,
            may_change: may_edit,
        })
    } else {
        None
    };
    let consents = if see(Field::Timeline) {
        Some(
            page.consents
                .iter()
                .cloned()
                .map(|c| ConsentView {
                    id: c.id,
                    purpose: l.t(&format!("consent-{}", c.purpose.replace('_', "-"))),
                    version: c.text_version,
                    language: language_label(l.locale, &c.language),
                    when: time_fmt::local(c.recorded_at),
                    withdrawn: c.withdrawn_at.map(time_fmt::local),
                })
                .collect(),
        )
    } else {
        None
    };
    let consent_purposes = ConsentPurpose::ALL
        .iter()
        .map(|p| Opt::new(p.code(), l.t(&format!("consent-{}", p.code().replace('_', "-"))), false))
        .collect();
    let consent_languages = language_options(l.locale, d.letter_language().unwrap_or("da"));
    Ok(PersonView {
        id: rec.person.id,
        contact,
        consents,
        consent_purposes,
        consent_languages,
        name,
        safe_contact_only: d.safe_contact_only && see(Field::SafeContactFlag),
        safety_note: d.safety_note.clone().filter(|_| see(Field::SafetyNote)),
        facts,
        cpr,
        may_reveal_cpr: !full_cpr && d.cpr.is_some() && policy::may(&actor, Action::RevealFullCpr, Some(scope)),
        may_edit,
        sources,
        funnels,
        next_step,
        event_form,
        show_timeline: show_stage,
        timeline,
    })
}

/// Her page, after the read is audited: no audit entry, no page.
async fn render_page(
    state: &AppState,
    cu: &CurrentUser,
    page: &store::PersonPage,
    scope: &PersonScope,
    action: AuditAction,
    origin: &str,
    message: Option<String>,
) -> AppResult<Response> {
    state.store.append_audit(&audit(cu, action, origin, vec![page.record.person.id], String::new())).await?;
    let l = Layout::new(state, &cu.ctx, "/people");
    let v = view(state, cu, &l, page, scope, action == AuditAction::RevealCpr).await?;
    let status = if message.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut r = render(&PersonPage { l, v, message })?;
    *r.status_mut() = status;
    Ok(r)
}

/// Her page for a handler that has already checked access (e.g. to show a refusal).
async fn page(
    state: &AppState,
    cu: &CurrentUser,
    id: Uuid,
    scope: &PersonScope,
    action: AuditAction,
    origin: &str,
    message: Option<String>,
) -> AppResult<Response> {
    let page = state.store.read_person_page(id).await?.ok_or(AppError::NotFound)?;
    render_page(state, cu, &page, scope, action, origin, message).await
}

pub async fn show(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<Uuid>) -> AppResult<Response> {
    const ORIGIN: &str = "GET /people/{id}";
    if policy::action_reach(cu.actor().role, Action::ViewPerson) == Reach::No {
        return Err(deny(&state, &cu, ORIGIN, Some(id), AppError::Forbidden).await);
    }
    // One read serves both the access check and the page.
    let page = state.store.read_person_page(id).await?.ok_or(AppError::NotFound)?;
    let scope = page.record.scope();
    check(&state, &cu, id, &scope, Action::ViewPerson, ORIGIN).await?;
    render_page(&state, &cu, &page, &scope, AuditAction::ViewPerson, ORIGIN, None).await
}

pub async fn reveal_cpr(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<super::auth::Empty>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /people/{id}/reveal-cpr";
    let scope = scoped(&state, &cu, id, Action::RevealFullCpr, ORIGIN).await?;
    page(&state, &cu, id, &scope, AuditAction::RevealCpr, ORIGIN, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EventForm {
    initiative: String,
    kind: String,
    channel: String,
    language: String,
    interpreter_used: Option<String>,
    new_contact_data: Option<String>,
    note: String,
}

const MAX_NOTE: usize = 2000;

pub async fn record_event(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<EventForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /people/{id}/events";
    let scope = scoped(&state, &cu, id, Action::RecordEvent, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/people");
    let kind = EventKind::from_code(form.kind.trim()).filter(|k| *k != EventKind::Entered);
    let initiative = Uuid::parse_str(form.initiative.trim()).ok();
    let (Some(kind), Some(initiative_id)) = (kind, initiative) else {
        return page(&state, &cu, id, &scope, AuditAction::ViewPerson, ORIGIN, Some(l.t("error-event-kind"))).await;
    };
    if form.note.chars().count() > MAX_NOTE {
        return page(&state, &cu, id, &scope, AuditAction::ViewPerson, ORIGIN, Some(l.t("error-too-long"))).await;
    }
    let language = domain::reference::language(form.language.trim()).map(|lang| lang.code.to_string());
    // "Never contact me again" is final: her identity goes on the do-not-contact list
    // with the event, so that no later import or referral reaches her (product.md).
    let do_not_contact = if kind == EventKind::NeverContactAgain {
        let rec = state
            .store
            .get_person(id, &audit(&cu, AuditAction::ViewPerson, ORIGIN, vec![id], "do-not-contact".into()))
            .await?;
        let d = &rec.person.details;
        identity_hashes(&state.dnc_key, d.cpr.as_ref(), &d.full_name(), d.birth_date, d.phone.as_ref())
    } else {
        Vec::new()
    };
    let event = NewEvent {
        person_id: id,
        initiative_id,
        input: TransitionInput {
            kind,
            at: OffsetDateTime::now_utc(),
            channel: Channel::from_code(form.channel.trim()).unwrap_or(Channel::Other),
            new_contact_data: form.new_contact_data.is_some(),
        },
        actor: EventActor { user_id: Some(cu.user.id), name: cu.user.display_name.clone() },
        language,
        interpreter_used: form.interpreter_used.is_some(),
        note: form.note.trim().to_string(),
        do_not_contact,
    };
    match state
        .store
        .record_event(&event, &audit(&cu, AuditAction::RecordEvent, ORIGIN, vec![id], kind.code().into()))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}")).into_response()),
        Err(StoreError::Funnel(e)) => {
            let msg = funnel_message(&l, &e);
            page(&state, &cu, id, &scope, AuditAction::ViewPerson, ORIGIN, Some(msg)).await
        }
        Err(e) => Err(e.into()),
    }
}

fn funnel_message(l: &Layout, e: &funnel::FunnelError) -> String {
    use funnel::FunnelError as F;
    match e {
        F::NotAllowed { kind, from } => {
            l.t_args2("error-funnel-not-allowed", ("event", event_label(l, *kind)), ("stage", stage_label(l, *from)))
        }
        F::CoolingOff { until } => l.t1("error-funnel-cooling-off", "until", time_fmt::local(*until)),
        F::NeedsNewContactData => l.t("error-funnel-new-contact-data"),
        F::VoidBreaksHistory(_) => l.t("error-funnel-void-breaks"),
        F::AlreadyEntered | F::NotEntered => l.t("error-funnel-not-entered"),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VoidForm {
    reason: String,
}

pub async fn void_event(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, event_id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<VoidForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /people/{id}/events/{event}/void";
    let scope = scoped(&state, &cu, id, Action::VoidEvent, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/people");
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_NOTE {
        return page(&state, &cu, id, &scope, AuditAction::ViewPerson, ORIGIN, Some(l.t("error-void-reason"))).await;
    }
    let void = VoidEvent {
        event_id,
        person_id: id,
        actor: EventActor { user_id: Some(cu.user.id), name: cu.user.display_name.clone() },
        reason: reason.to_string(),
        at: OffsetDateTime::now_utc(),
    };
    match state
        .store
        .void_event(&void, &audit(&cu, AuditAction::VoidEvent, ORIGIN, vec![id], event_id.to_string()))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}")).into_response()),
        Err(StoreError::Funnel(e)) => {
            page(&state, &cu, id, &scope, AuditAction::ViewPerson, ORIGIN, Some(funnel_message(&l, &e))).await
        }
        Err(StoreError::Conflict { .. }) => {
            page(&state, &cu, id, &scope, AuditAction::ViewPerson, ORIGIN, Some(l.t("error-already-voided"))).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ContactForm {
    user: String,
}

/// G-8.6: she can change contact person when the chemistry is poor; the old
/// assignment is closed, not erased, and the new contact person is told.
pub async fn set_contact(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<ContactForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /people/{id}/contact";
    let scope = scoped(&state, &cu, id, Action::EditPerson, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/people");
    let chosen = match Uuid::parse_str(form.user.trim()) {
        Ok(user_id) => match state.store.get_user(user_id).await {
            Ok(u) if u.active && policy::may_be_contact_person(u.role) => Some(u),
            Ok(_) | Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        },
        Err(_) => None,
    };
    let Some(user) = chosen else {
        return page(&state, &cu, id, &scope, AuditAction::ViewPerson, ORIGIN, Some(l.t("error-contact-person"))).await;
    };
    let record = audit(&cu, AuditAction::UpdatePerson, ORIGIN, vec![id], format!("contact person {}", user.username));
    let team = policy::team_after_contact_change(scope.team_id, user.team_id);
    state.store.set_contact_person(id, user.id, team, cu.user.id, &record).await?;
    if user.id != cu.user.id {
        state.store.notify(user.id, "notification-new-person", Some(id)).await?;
    }
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConsentForm {
    purpose: String,
    text_version: String,
    language: String,
}

pub async fn record_consent(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<ConsentForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /people/{id}/consents";
    let scope = scoped(&state, &cu, id, Action::EditPerson, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/people");
    let purpose = ConsentPurpose::from_code(form.purpose.trim());
    let language = domain::reference::language(form.language.trim());
    let version = form.text_version.trim();
    let (Some(purpose), Some(language), false) = (purpose, language, version.is_empty() || version.len() > 50) else {
        return page(&state, &cu, id, &scope, AuditAction::ViewPerson, ORIGIN, Some(l.t("error-consent"))).await;
    };
    let consent = Consent {
        id: Uuid::new_v4(),
        person_id: id,
        purpose: purpose.code().into(),
        text_version: version.into(),
        language: language.code.into(),
        recorded_by: cu.user.id,
        recorded_at: OffsetDateTime::now_utc(),
        withdrawn_at: None,
        partner_org_id: None,
    };
    let record = audit(&cu, AuditAction::UpdatePerson, ORIGIN, vec![id], format!("consent {}", purpose.code()));
    state.store.record_consent(&consent, &record).await?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}

pub async fn withdraw_consent(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, consent_id)): Path<(Uuid, Uuid)>,
    CsrfForm(_): CsrfForm<super::auth::Empty>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /people/{id}/consents/{consent}/withdraw";
    scoped(&state, &cu, id, Action::EditPerson, ORIGIN).await?;
    let record = audit(&cu, AuditAction::UpdatePerson, ORIGIN, vec![id], format!("withdraw consent {consent_id}"));
    state.store.withdraw_consent(id, consent_id, OffsetDateTime::now_utc(), &record).await?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}

// ---------------------------------------------------------------- the person form

#[derive(Template)]
#[template(path = "person_form.html")]
struct PersonFormPage {
    l: Layout,
    title: String,
    action: String,
    cancel: String,
    fields: Vec<FormField>,
    form_error: Option<String>,
}

/// Besides her fields, a new person's form says how she came and to which initiative.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EntryForm {
    initiative: String,
    channel: String,
}

fn select(name: &'static str, label: String, options: Vec<Opt>) -> FormField {
    let mut f = FormField::new(name, label, "select", "");
    f.options = options;
    f
}

fn coded<T: Copy>(l: &Layout, all: &[T], code: fn(T) -> &'static str, prefix: &str, current: &str) -> Vec<Opt> {
    all.iter().map(|v| Opt::new(code(*v), l.t(&format!("{prefix}-{}", code(*v))), code(*v) == current)).collect()
}

async fn person_fields(
    state: &AppState,
    l: &Layout,
    input: &PersonInput,
    errors: &FieldErrors,
    show_safety_note: bool,
    new: Option<(&str, &str)>,
) -> AppResult<Vec<FormField>> {
    let mut fields = Vec::new();
    if let Some((initiative, channel)) = new {
        let initiatives = state.store.list_initiatives().await?;
        let mut f = select(
            "initiative",
            l.t("field-initiative"),
            initiatives
                .iter()
                .map(|i| Opt::new(i.id.to_string(), i.name.clone(), i.id.to_string() == initiative))
                .collect(),
        );
        f.required = true;
        fields.push(f);
        let channels = [Channel::Phone, Channel::InPerson, Channel::SelfReferral, Channel::Other];
        let mut f = select(
            "channel",
            l.t("field-channel"),
            channels
                .iter()
                .map(|c| {
                    Opt::new(c.code(), l.t(&format!("channel-{}", c.code().replace('_', "-"))), c.code() == channel)
                })
                .collect(),
        );
        f.hint = Some(l.t("field-channel-hint"));
        fields.push(f);
    }
    let text = |name: &'static str, label: &str, value: &str| FormField::new(name, l.t(label), "text", value);
    let mut given = text("given_name", "field-given-name", &input.given_name);
    given.required = true;
    fields.push(given);
    fields.push(text("family_name", "field-family-name", &input.family_name));
    let mut cpr = text("cpr", "field-cpr", &input.cpr);
    cpr.hint = Some(l.t("field-cpr-hint"));
    fields.push(cpr);
    let mut birth = FormField::new("birth_date", l.t("field-birth-date"), "date", input.birth_date.clone());
    birth.hint = Some(l.t("field-date-hint"));
    fields.push(birth);
    fields.push(text("phone", "field-phone", &input.phone));
    fields.push(FormField::new(
        "phone_is_hers_alone",
        l.t("field-phone-hers-alone"),
        "checkbox",
        if input.phone_is_hers_alone.is_some() { "on" } else { "" },
    ));
    fields.push(text("street", "field-street", &input.street));
    fields.push(text("postcode", "field-postcode", &input.postcode));
    fields.push(text("city", "field-city", &input.city));
    let areas = state.store.list_areas().await?;
    fields.push(select(
        "area_id",
        l.t("field-area"),
        areas.iter().map(|a| Opt::new(a.id.to_string(), a.name.clone(), a.id.to_string() == input.area_id)).collect(),
    ));
    let mut langs = text("languages", "field-languages", &input.languages);
    langs.hint = Some(l.t("field-languages-hint"));
    fields.push(langs);
    fields.push(text("dialect", "field-dialect", &input.dialect));
    let mut countries: Vec<Opt> = domain::reference::countries()
        .iter()
        .map(|c| Opt::new(c.code, country_label(l.locale, c.code), c.code == input.country_of_origin.to_uppercase()))
        .collect();
    countries.sort_by(|a, b| a.label.cmp(&b.label));
    fields.push(select("country_of_origin", l.t("field-country"), countries));
    fields.push(FormField::new("arrived_in_denmark", l.t("field-arrived"), "date", input.arrived_in_denmark.clone()));
    fields.push(select(
        "education",
        l.t("field-education"),
        coded(l, Education::ALL, Education::code, "education", &input.education),
    ));
    fields.push(select(
        "work_experience",
        l.t("field-work-experience"),
        coded(l, WorkExperience::ALL, WorkExperience::code, "work", &input.work_experience),
    ));
    fields.push(select(
        "network",
        l.t("field-network"),
        coded(l, Network::ALL, Network::code, "network", &input.network),
    ));
    fields.push(select(
        "danish_level",
        l.t("field-danish-level"),
        coded(l, DanishLevel::ALL, DanishLevel::code, "danish", &input.danish_level),
    ));
    let mut motivation = FormField::new("motivation", l.t("field-motivation"), "checkboxes", "");
    motivation.options = MotivationFactor::ALL
        .iter()
        .map(|f| {
            Opt::new(
                f.code(),
                format!("{} ({})", l.t(&format!("motivation-{}", f.code().replace('_', "-"))), f.guide_id()),
                input.motivation.iter().any(|m| m == f.code()),
            )
        })
        .collect();
    fields.push(motivation);
    fields.push(FormField::new(
        "motivation_note",
        l.t("field-motivation-note"),
        "textarea",
        input.motivation_note.clone(),
    ));
    fields.push(FormField::new(
        "interpreter_needed",
        l.t("field-interpreter-needed"),
        "checkbox",
        if input.interpreter_needed.is_some() { "on" } else { "" },
    ));
    fields.push(FormField::new(
        "digital_post_exempt",
        l.t("field-digital-post-exempt"),
        "checkbox",
        if input.digital_post_exempt.is_some() { "on" } else { "" },
    ));
    let mut safe = FormField::new(
        "safe_contact_only",
        l.t("safe-contact-only"),
        "checkbox",
        if input.safe_contact_only.is_some() { "on" } else { "" },
    );
    safe.hint = Some(l.t("safe-contact-explained"));
    fields.push(safe);
    if show_safety_note {
        fields.push(FormField::new("safety_note", l.t("field-safety-note"), "textarea", input.safety_note.clone()));
    }
    for f in &mut fields {
        if let Some(key) = errors.for_field(f.name) {
            f.error = Some(l.t(key));
        }
    }
    Ok(fields)
}

pub async fn new_form(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    if !policy::may(&cu.actor(), Action::CreatePerson, None) {
        return Err(deny(&state, &cu, "GET /people/new", None, AppError::Forbidden).await);
    }
    let l = Layout::new(&state, &cu.ctx, "/people/new");
    let fields =
        person_fields(&state, &l, &PersonInput::default(), &FieldErrors::default(), true, Some(("", "phone"))).await?;
    render(&PersonFormPage {
        title: l.t("person-new-title"),
        action: "/people/new".into(),
        cancel: "/people".into(),
        fields,
        form_error: None,
        l,
    })
}

pub async fn create(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForms(person, entry): CsrfForms<PersonInput, EntryForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /people/new";
    if !policy::may(&cu.actor(), Action::CreatePerson, None) {
        return Err(deny(&state, &cu, ORIGIN, None, AppError::Forbidden).await);
    }
    let l = Layout::new(&state, &cu.ctx, "/people/new");
    let mut errors = FieldErrors::default();
    let initiative = Uuid::parse_str(entry.initiative.trim()).ok();
    if initiative.is_none() {
        errors.add("initiative", "error-required");
    }
    let channel = Channel::from_code(entry.channel.trim()).unwrap_or(Channel::Other);
    let parsed = person.parse(today());
    if let Err(e) = &parsed {
        errors.0.extend(e.0.iter().cloned());
    }
    let rerender = |errors: FieldErrors, form_error: Option<String>| {
        let state = state.clone();
        let l = l.clone();
        let input = person.clone();
        let (init, chan) = (entry.initiative.clone(), entry.channel.clone());
        async move {
            let fields = person_fields(&state, &l, &input, &errors, true, Some((&init, &chan))).await?;
            let mut r = render(&PersonFormPage {
                title: l.t("person-new-title"),
                action: "/people/new".into(),
                cancel: "/people".into(),
                fields,
                form_error,
                l,
            })?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok::<Response, AppError>(r)
        }
    };
    let (Ok(details), Some(initiative_id), true) = (parsed, initiative, errors.is_empty()) else {
        return rerender(errors, Some(l.t("error-form-summary"))).await;
    };
    let hashes = identity_hashes(
        &state.dnc_key,
        details.cpr.as_ref(),
        &details.full_name(),
        details.birth_date,
        details.phone.as_ref(),
    );
    if state.store.on_do_not_contact(&hashes).await? {
        return rerender(FieldErrors::default(), Some(l.t("error-do-not-contact"))).await;
    }
    let source_kind = domain::person::manual_entry_source(channel);
    let new = NewPerson {
        team_id: cu.user.team_id,
        contact_user_id: policy::becomes_contact_person_on_entry(cu.user.role).then_some(cu.user.id),
        source: Source {
            kind: source_kind,
            reference_id: Some(cu.user.id),
            label: cu.user.display_name.clone(),
            added_at: OffsetDateTime::now_utc(),
        },
        initiative_id,
        channel,
        actor: EventActor { user_id: Some(cu.user.id), name: cu.user.display_name.clone() },
        at: OffsetDateTime::now_utc(),
        details,
    };
    match state.store.create_person(&new, &audit(&cu, AuditAction::CreatePerson, ORIGIN, vec![], String::new())).await {
        Ok(id) => Ok(Redirect::to(&format!("/people/{id}")).into_response()),
        Err(StoreError::Conflict { .. }) => {
            let mut e = FieldErrors::default();
            e.add("cpr", "error-cpr-exists");
            rerender(e, Some(l.t("error-form-summary"))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Her stored details as the form shows them.
fn as_input(d: &PersonDetails) -> PersonInput {
    let on = |b: bool| b.then(|| "on".to_string());
    PersonInput {
        given_name: d.given_name.clone(),
        family_name: d.family_name.clone(),
        cpr: d.cpr.as_ref().map(|c| c.expose()).unwrap_or_default(),
        birth_date: d.birth_date.map(|b| b.to_string()).unwrap_or_default(),
        phone: d.phone.as_ref().map(|p| p.display()).unwrap_or_default(),
        phone_is_hers_alone: on(d.phone_is_hers_alone),
        street: d.address.as_ref().map(|a| a.street.clone()).unwrap_or_default(),
        postcode: d.address.as_ref().map(|a| a.postcode.clone()).unwrap_or_default(),
        city: d.address.as_ref().map(|a| a.city.clone()).unwrap_or_default(),
        area_id: d.area_id.map(|a| a.to_string()).unwrap_or_default(),
        languages: d.languages.iter().map(|l| l.code.clone()).collect::<Vec<_>>().join(", "),
        dialect: d.languages.first().and_then(|l| l.dialect.clone()).unwrap_or_default(),
        country_of_origin: d.country_of_origin.clone().unwrap_or_default(),
        arrived_in_denmark: d.arrived_in_denmark.map(|a| a.to_string()).unwrap_or_default(),
        education: d.segment.education.code().into(),
        work_experience: d.segment.work_experience.code().into(),
        network: d.segment.network.code().into(),
        danish_level: d.segment.danish_level.code().into(),
        motivation_note: d.segment.motivation_note.clone().unwrap_or_default(),
        motivation: d.motivation.iter().map(|m| m.code().to_string()).collect(),
        safe_contact_only: on(d.safe_contact_only),
        safety_note: d.safety_note.clone().unwrap_or_default(),
        interpreter_needed: on(d.interpreter_needed),
        digital_post_exempt: on(d.digital_post_exempt),
    }
}

/// Reads her record for a form, audited as a view.
async fn read(state: &AppState, cu: &CurrentUser, id: Uuid, origin: &str) -> AppResult<PersonRecord> {
    Ok(state.store.get_person(id, &audit(cu, AuditAction::ViewPerson, origin, vec![id], String::new())).await?)
}

/// The edit form, fresh or with the errors of a refused save.
async fn edit_page(
    state: &AppState,
    cu: &CurrentUser,
    id: Uuid,
    input: &PersonInput,
    errors: &FieldErrors,
    show_note: bool,
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/people");
    let fields = person_fields(state, &l, input, errors, show_note, None).await?;
    let form_error = (!errors.is_empty()).then(|| l.t("error-form-summary"));
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = PersonFormPage {
        title: l.t("person-edit"),
        action: format!("/people/{id}/edit"),
        cancel: format!("/people/{id}"),
        fields,
        form_error,
        l,
    };
    let mut r = render(&page)?;
    *r.status_mut() = status;
    Ok(r)
}

pub async fn edit_form(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<Uuid>) -> AppResult<Response> {
    const ORIGIN: &str = "GET /people/{id}/edit";
    let scope = scoped(&state, &cu, id, Action::EditPerson, ORIGIN).await?;
    let rec = read(&state, &cu, id, ORIGIN).await?;
    let show_note = policy::may_see(&cu.actor(), Field::SafetyNote, &scope);
    let mut input = as_input(&rec.person.details);
    if !show_note {
        input.safety_note.clear();
    }
    edit_page(&state, &cu, id, &input, &FieldErrors::default(), show_note).await
}

pub async fn update(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(input): CsrfForm<PersonInput>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /people/{id}/edit";
    let scope = scoped(&state, &cu, id, Action::EditPerson, ORIGIN).await?;
    let show_note = policy::may_see(&cu.actor(), Field::SafetyNote, &scope);
    let mut details = match input.parse(today()) {
        Ok(details) => details,
        Err(errors) => return edit_page(&state, &cu, id, &input, &errors, show_note).await,
    };
    if !show_note {
        // She may not see the note, so her form could not carry it: keep it.
        details.safety_note = read(&state, &cu, id, ORIGIN).await?.person.details.safety_note;
    }
    let record = audit(&cu, AuditAction::UpdatePerson, ORIGIN, vec![id], String::new());
    match state.store.update_person(id, &details, &record).await {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}")).into_response()),
        Err(StoreError::Conflict { .. }) => {
            let mut errors = FieldErrors::default();
            errors.add("cpr", "error-cpr-exists");
            edit_page(&state, &cu, id, &input, &errors, show_note).await
        }
        Err(e) => Err(e.into()),
    }
}
