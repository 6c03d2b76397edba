//! What a user may see of her on her page: every field passes the matrix.

use crate::AppState;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::routes::{Opt, country_label, language_label, language_options, stage_label};
use crate::session::CurrentUser;
use crate::time_fmt;
use askama::Template;
use domain::funnel::{self, Channel, EventKind};
use domain::org::ConsentPurpose;
use domain::policy::{self, Action, Field};
use time::OffsetDateTime;
use uuid::Uuid;

pub struct FunnelView {
    pub initiative: String,
    pub stage: String,
    pub declined_earlier: bool,
}

pub struct EventFormView {
    pub initiative_id: Uuid,
    /// This form's own key, so that sending it twice records once (issue 13, item 11).
    pub submission: Uuid,
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
pub(super) struct PersonPage {
    pub l: Layout,
    pub v: PersonView,
    pub message: Option<String>,
    /// The confirmation of what was just done.
    pub done: Option<String>,
}

pub fn event_label(l: &Layout, kind: EventKind) -> String {
    l.t(&format!("event-{}", kind.code().replace('_', "-")))
}

pub(super) fn channel_label(l: &Layout, c: Channel) -> String {
    l.t(&format!("channel-{}", c.code().replace('_', "-")))
}

/// Builds what this user may see of her: every field passes the matrix.
pub(super) async fn view(
    state: &AppState,
    cu: &CurrentUser,
    l: &Layout,
    seen: &app::people::Seen,
) -> AppResult<PersonView> {
    let (page, scope, full_cpr) = (&seen.page, &seen.scope, seen.full_cpr);
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
                submission: Uuid::new_v4(),
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
