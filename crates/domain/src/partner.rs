//! Word of mouth through partners (G-7): the partner register, the agreement, a
//! referral made with her consent, the one-time referral link, the follow-up meetings
//! with the guide's four questions, and what a partner may see of her.

use crate::ambassador::{
    MAX_NOTE, MAX_TEXT, checkbox, optional, optional_text, optional_uuid, past_date, required_choice, required_count,
    required_date, required_language, required_text, required_uuid,
};
use crate::code_enum;
use crate::funnel::{CoarseStatus, Stage, coarse_status};
use crate::org::{Consent, ConsentPurpose};
use crate::person::{PersonDetails, Segment, SpokenLanguage};
use crate::phone::PhoneNumber;
use crate::validation::FieldErrors;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use time::{Date, Duration, Month, OffsetDateTime};
use uuid::Uuid;

// ---------------------------------------------------------------------------------
// The partner register (G-7.1–G-7.4)
// ---------------------------------------------------------------------------------

code_enum! {
    /// Who the partner is. Health visitors are municipal staff in Denmark, so they are
    /// internal here although G-7.3 also names them among the external contacts.
    pub enum PartnerKind {
        /// G-7.2: colleagues in contact with the spouses (job centre).
        JobCentreSpouseContact = "job_centre_spouse_contact",
        /// G-7.2: family economy.
        HousingBenefit = "housing_benefit",
        /// G-7.2: other efforts for minority families.
        SocialServices = "social_services",
        /// G-7.2: health staff (pregnancy, maternity).
        HealthVisitor = "health_visitor",
        /// G-7.3: staff and students.
        LanguageSchool = "language_school",
        /// G-7.3: mothers' and women's groups.
        MothersGroup = "mothers_group",
        /// G-7.3: day care and schools.
        DaycareSchool = "daycare_school",
        /// G-7.3
        VolunteerCentre = "volunteer_centre",
        /// G-7.3: housing social workers.
        HousingSocialWork = "housing_social_work",
        /// G-7.3: local associations and civil society.
        Association = "association",
    }
}

impl PartnerKind {
    /// G-7.2 (internal, another municipal department) or G-7.3 (external).
    pub fn is_internal(self) -> bool {
        matches!(
            self,
            PartnerKind::JobCentreSpouseContact
                | PartnerKind::HousingBenefit
                | PartnerKind::SocialServices
                | PartnerKind::HealthVisitor
        )
    }
}

/// A partner organisation as the coordinator registers it. Valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerDetails {
    pub name: String,
    pub kind: PartnerKind,
    pub area_id: Option<Uuid>,
    /// Names and phone numbers of the partner's staff, one per line.
    pub contact_persons: Vec<String>,
    /// G-7.4: a few partners are chosen; the others stay on the map, inactive.
    pub active: bool,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PartnerInput {
    pub name: String,
    pub kind: String,
    pub area_id: String,
    /// Free text, one contact person per line.
    pub contact_persons: String,
    pub active: Option<String>,
}

pub const MAX_CONTACT_PERSONS: usize = 20;

impl PartnerInput {
    pub fn parse(&self, _today: Date) -> Result<PartnerDetails, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = required_text(&mut errors, "name", &self.name, MAX_TEXT);
        let kind = required_choice(&mut errors, "kind", &self.kind, PartnerKind::from_code);
        let area_id = optional_uuid(&mut errors, "area_id", &self.area_id);
        let contact_persons: Vec<String> =
            self.contact_persons.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
        if contact_persons.len() > MAX_CONTACT_PERSONS || contact_persons.iter().any(|c| c.chars().count() > MAX_TEXT) {
            errors.add("contact_persons", "error-too-long");
        }
        let Some(kind) = kind else {
            return Err(errors);
        };
        errors.into_result(|| PartnerDetails { name, kind, area_id, contact_persons, active: checkbox(&self.active) })
    }
}

// ---------------------------------------------------------------------------------
// The agreement (G-7.5)
// ---------------------------------------------------------------------------------

/// A long-term, committed cooperation (G-7.5): every part is agreed in writing, and
/// it is reviewed on a set date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    pub guidelines: String,
    /// How the cooperation serves the partner's own core task.
    pub core_task_benefit: String,
    /// The ethics that protect the partner's relationship with the women.
    pub ethics: String,
    /// Confidentiality and disclosure rules.
    pub confidentiality: String,
    pub review_on: Date,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AgreementInput {
    pub guidelines: String,
    pub core_task_benefit: String,
    pub ethics: String,
    pub confidentiality: String,
    pub review_on: String,
}

pub const MAX_AGREEMENT_TEXT: usize = 4000;

impl AgreementInput {
    pub fn parse(&self, today: Date) -> Result<Agreement, FieldErrors> {
        let mut errors = FieldErrors::default();
        // G-7.5 names all four as what is agreed; an agreement without one is not one.
        let guidelines = required_text(&mut errors, "guidelines", &self.guidelines, MAX_AGREEMENT_TEXT);
        let core_task_benefit =
            required_text(&mut errors, "core_task_benefit", &self.core_task_benefit, MAX_AGREEMENT_TEXT);
        let ethics = required_text(&mut errors, "ethics", &self.ethics, MAX_AGREEMENT_TEXT);
        let confidentiality = required_text(&mut errors, "confidentiality", &self.confidentiality, MAX_AGREEMENT_TEXT);
        let review_on = required_date(&mut errors, "review_on", &self.review_on).and_then(|d| {
            if d > today {
                Some(d)
            } else {
                errors.add("review_on", "error-date-not-future");
                None
            }
        });
        let Some(review_on) = review_on else {
            return Err(errors);
        };
        errors.into_result(|| Agreement { guidelines, core_task_benefit, ethics, confidentiality, review_on })
    }
}

/// The agreement is due for review on its date and after.
pub fn agreement_due(review_on: Date, today: Date) -> bool {
    review_on <= today
}

// ---------------------------------------------------------------------------------
// A referral made with her consent (issue 5, "Referral")
// ---------------------------------------------------------------------------------

/// What her consent to the referral covers: being contacted by the municipality.
/// Letting the partner see her status is a consent of its own (`PartnerStatus`).
pub const REFERRAL_CONSENT_PURPOSE: ConsentPurpose = ConsentPurpose::Contact;

/// The version of the referral consent text the partner reads to her (message
/// `consent-partner-referral`). Change it whenever the text changes.
pub fn consent_text_version() -> &'static str {
    "partner-referral-1"
}

code_enum! {
    /// How she prefers to be contacted.
    pub enum ContactPreference {
        Phone = "phone",
        Letter = "letter",
        /// Only through the partner who knows her (G-7.1).
        ThroughPartner = "through_partner",
        /// A meeting in person, e.g. at the partner's.
        Meeting = "meeting",
    }
}

/// A referred woman. Valid by construction; she enters the funnel at `interested`
/// with the partner as source.
#[derive(Clone, PartialEq, Eq)]
pub struct Referral {
    pub given_name: String,
    /// Empty when not given.
    pub family_name: String,
    pub phone: Option<PhoneNumber>,
    /// G-2.4: only a number confirmed as hers alone may be called.
    pub phone_hers_alone: bool,
    /// ISO 639; also the language of her consent.
    pub language: String,
    pub contact_preference: ContactPreference,
    /// She agrees that the referring partner may see a coarse status.
    pub status_consent: bool,
    /// Empty when not given.
    pub note: String,
}

impl std::fmt::Debug for Referral {
    // Personal data stays out of logs, as for `PersonDetails`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Referral")
            .field("phone", &self.phone)
            .field("language", &self.language)
            .field("contact_preference", &self.contact_preference)
            .field("status_consent", &self.status_consent)
            .finish_non_exhaustive()
    }
}

impl Referral {
    /// G-2.4: when she asks to be reached only through the partner, the municipality
    /// must not write or call her directly. She need not say why, and the partner who
    /// knows her (G-7.1) may know of risks at home that she does not name; so she is
    /// `safe contact only`, the one flag every channel obeys (product.md).
    pub fn safe_contact_only(&self) -> bool {
        self.contact_preference == ContactPreference::ThroughPartner
    }

    /// The consents to record with the referral, each in her language.
    pub fn consent_purposes(&self) -> Vec<ConsentPurpose> {
        if self.status_consent {
            vec![REFERRAL_CONSENT_PURPOSE, ConsentPurpose::PartnerStatus]
        } else {
            vec![REFERRAL_CONSENT_PURPOSE]
        }
    }

    /// Her record as the person module keeps it; what the form does not ask is empty.
    pub fn person_details(&self) -> PersonDetails {
        PersonDetails {
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            birth_date: None,
            cpr: None,
            phone: self.phone.clone(),
            phone_is_hers_alone: self.phone.is_some() && self.phone_hers_alone,
            address: None,
            area_id: None,
            languages: vec![SpokenLanguage { code: self.language.clone(), dialect: None }],
            country_of_origin: None,
            arrived_in_denmark: None,
            segment: Segment::default(),
            motivation: Vec::new(),
            safe_contact_only: self.safe_contact_only(),
            safety_note: None,
            interpreter_needed: false,
            digital_post_exempt: false,
        }
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReferralInput {
    /// Checkbox: she agreed to be referred.
    pub consent: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub phone: String,
    /// Checkbox: the phone is hers alone (G-2.4).
    pub phone_hers_alone: Option<String>,
    pub language: String,
    pub contact_preference: String,
    /// Checkbox: the partner may see a coarse status.
    pub status_consent: Option<String>,
    pub note: String,
}

pub const MAX_REFERRAL_NOTE: usize = 500;

impl ReferralInput {
    pub fn parse(&self, _today: Date) -> Result<Referral, FieldErrors> {
        let mut errors = FieldErrors::default();
        // Nothing about her is kept without her consent (issue 5, "Bad input").
        if !checkbox(&self.consent) {
            errors.add("consent", "error-consent-required");
        }
        let given_name = required_text(&mut errors, "given_name", &self.given_name, MAX_TEXT);
        let family_name = optional_text(&mut errors, "family_name", &self.family_name, MAX_TEXT);
        let language = required_language(&mut errors, "language", &self.language);
        let contact_preference =
            required_choice(&mut errors, "contact_preference", &self.contact_preference, ContactPreference::from_code);
        let phone = match optional(&self.phone) {
            None => {
                if contact_preference == Some(ContactPreference::Phone) {
                    errors.add("phone", "error-phone-for-calls");
                }
                None
            }
            Some(text) => match PhoneNumber::parse(&text) {
                Ok(p) => Some(p),
                Err(_) => {
                    errors.add("phone", "error-phone");
                    None
                }
            },
        };
        let note = optional_text(&mut errors, "note", &self.note, MAX_REFERRAL_NOTE);
        let (Some(language), Some(contact_preference)) = (language, contact_preference) else {
            return Err(errors);
        };
        errors.into_result(|| Referral {
            given_name,
            family_name,
            phone,
            phone_hers_alone: checkbox(&self.phone_hers_alone),
            language,
            contact_preference,
            status_consent: checkbox(&self.status_consent),
            note,
        })
    }
}

// ---------------------------------------------------------------------------------
// The one-time referral link (issue 5: a partner without an account refers through a
// link the coordinator sends)
// ---------------------------------------------------------------------------------

/// How long a link is valid after it was made.
pub const LINK_VALIDITY: Duration = Duration::days(14);

/// A link is stored by the hash of its token only: the token in the URL is not
/// personal data, and a copy of the database cannot be used to refer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralLink {
    /// Hex SHA-256 of the token (`link_token_hash`).
    pub token_hash: String,
    pub partner_org_id: Uuid,
    pub created_by: Uuid,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

impl ReferralLink {
    /// A new, unused link valid for `LINK_VALIDITY` from `now`.
    pub fn new(token_hash: String, partner_org_id: Uuid, created_by: Uuid, now: OffsetDateTime) -> ReferralLink {
        // Only a clock at the end of time overflows; the link is then born expired.
        let expires_at = now.checked_add(LINK_VALIDITY).unwrap_or(now);
        ReferralLink { token_hash, partner_org_id, created_by, created_at: now, expires_at, used_at: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkRefused {
    #[error("no such referral link")]
    Unknown,
    #[error("the referral link has been used")]
    Used,
    #[error("the referral link has expired")]
    Expired,
}

impl LinkRefused {
    /// The Fluent message id that explains it.
    pub fn message_id(self) -> &'static str {
        match self {
            LinkRefused::Unknown => "error-link-unknown",
            LinkRefused::Used => "error-link-used",
            LinkRefused::Expired => "error-link-expired",
        }
    }
}

/// Whether a referral may be made through this link now: it exists, has not been
/// used, and `now` is before `expires_at` (at `expires_at` it has expired).
pub fn check_link(link: Option<&ReferralLink>, now: OffsetDateTime) -> Result<(), LinkRefused> {
    let Some(link) = link else {
        return Err(LinkRefused::Unknown);
    };
    if link.used_at.is_some() {
        Err(LinkRefused::Used)
    } else if now >= link.expires_at {
        Err(LinkRefused::Expired)
    } else {
        Ok(())
    }
}

/// The token for the URL and the hash to store, from 32 random bytes that the caller
/// draws from a cryptographic generator (the domain has no random source of its own).
/// The token is the bytes in lower-case hex, which is safe in a URL as it is.
pub fn new_link_token(random: [u8; 32]) -> (String, String) {
    let token = hex(&random);
    let hash = link_token_hash(&token);
    (token, hash)
}

/// The stored hash of a token, to look up the link a URL names.
pub fn link_token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------------------------
// Follow-up meetings with a partner (G-7.6)
// ---------------------------------------------------------------------------------

/// One follow-up meeting with the guide's four questions (G-7.6). The count is kept as
/// a number so the partner's yield over time can be seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerFollowUp {
    pub held_on: Date,
    pub partner_org_id: Uuid,
    /// How many women they have talked to since last time.
    pub women_talked_to: u32,
    /// Whom they have talked to.
    pub talked_to_note: String,
    /// How they present the offer: what works, what doesn't.
    pub presentation_note: String,
    /// How often it comes up.
    pub how_often_note: String,
    /// How the municipality can support them.
    pub support_note: String,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PartnerFollowUpInput {
    pub held_on: String,
    pub partner_org_id: String,
    pub women_talked_to: String,
    pub talked_to_note: String,
    pub presentation_note: String,
    pub how_often_note: String,
    pub support_note: String,
}

pub const WOMEN_TALKED_TO: RangeInclusive<u32> = 0..=1000;

impl PartnerFollowUpInput {
    pub fn parse(&self, today: Date) -> Result<PartnerFollowUp, FieldErrors> {
        let mut errors = FieldErrors::default();
        // A meeting is recorded once it has been held.
        let held_on = match optional(&self.held_on) {
            None => {
                errors.add("held_on", "error-required");
                None
            }
            Some(text) => past_date(&mut errors, "held_on", &text, today),
        };
        let partner_org_id = required_uuid(&mut errors, "partner_org_id", &self.partner_org_id);
        let women_talked_to = required_count(
            &mut errors,
            "women_talked_to",
            &self.women_talked_to,
            WOMEN_TALKED_TO,
            "error-women-talked-to",
        );
        let talked_to_note = optional_text(&mut errors, "talked_to_note", &self.talked_to_note, MAX_NOTE);
        let presentation_note = optional_text(&mut errors, "presentation_note", &self.presentation_note, MAX_NOTE);
        let how_often_note = optional_text(&mut errors, "how_often_note", &self.how_often_note, MAX_NOTE);
        let support_note = optional_text(&mut errors, "support_note", &self.support_note, MAX_NOTE);
        let (Some(held_on), Some(partner_org_id), Some(women_talked_to)) = (held_on, partner_org_id, women_talked_to)
        else {
            return Err(errors);
        };
        errors.into_result(|| PartnerFollowUp {
            held_on,
            partner_org_id,
            women_talked_to,
            talked_to_note,
            presentation_note,
            how_often_note,
            support_note,
        })
    }
}

/// Women talked to, summed by the month of the meeting, oldest first: the partner's
/// reach over time (G-7.6, G-9.3).
pub fn talked_to_per_month(meetings: &[PartnerFollowUp]) -> Vec<(i32, Month, u32)> {
    let mut sums: BTreeMap<(i32, Month), u32> = BTreeMap::new();
    for m in meetings {
        let sum = sums.entry((m.held_on.year(), m.held_on.month())).or_insert(0);
        *sum = sum.saturating_add(m.women_talked_to);
    }
    sums.into_iter().map(|((year, month), n)| (year, month, n)).collect()
}

// ---------------------------------------------------------------------------------
// What a partner sees of her (product.md, "Who sees what")
// ---------------------------------------------------------------------------------

/// The coarse status the referring partner may see: nothing unless she consented to
/// it, and nothing for the stages `coarse_status` keeps private.
/// A partner's yield over time (G-7.6): per month, the women its staff talked to (from
/// the follow-up meetings) beside the women it referred, oldest first; a month with
/// only one of the two shows 0 for the other.
pub fn yield_by_month(talked: &[(i32, Month, u32)], referred: &[(i32, Month, u32)]) -> Vec<(i32, Month, u32, u32)> {
    let mut months: Vec<(i32, Month)> = talked.iter().chain(referred).map(|(y, m, _)| (*y, *m)).collect();
    months.sort_by_key(|(y, m)| (*y, u8::from(*m)));
    months.dedup();
    let count = |list: &[(i32, Month, u32)], y: i32, m: Month| {
        list.iter().filter(|(ly, lm, _)| (*ly, *lm) == (y, m)).map(|(_, _, n)| n).sum()
    };
    months.into_iter().map(|(y, m)| (y, m, count(talked, y, m), count(referred, y, m))).collect()
}

/// Whether she lets partner `org` see her status: an unwithdrawn consent of that
/// purpose given to `org`, or to no partner in particular (recorded on her page).
/// Another partner's consent does not count.
pub fn status_consent_given(consents: &[Consent], org: Uuid) -> bool {
    consents.iter().any(|c| {
        c.purpose == ConsentPurpose::PartnerStatus.code()
            && c.withdrawn_at.is_none()
            && c.partner_org_id.is_none_or(|p| p == org)
    })
}

pub fn partner_sees_status(status_consent_given: bool, stage: Stage) -> Option<CoarseStatus> {
    if status_consent_given { coarse_status(stage) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    const TODAY: Date = date!(2026 - 03 - 10);
    const AREA: &str = "0191c3a0-0000-7000-8000-000000000001";

    #[test]
    fn partner_kinds_are_internal_or_external() {
        let internal: Vec<_> = PartnerKind::ALL.iter().filter(|k| k.is_internal()).collect();
        assert_eq!(internal.len(), 4);
        assert!(PartnerKind::HealthVisitor.is_internal());
        assert!(!PartnerKind::LanguageSchool.is_internal());
        assert!(!PartnerKind::HousingSocialWork.is_internal());
        for k in PartnerKind::ALL {
            assert_eq!(PartnerKind::from_code(k.code()), Some(k));
        }
        for p in ContactPreference::ALL {
            assert_eq!(ContactPreference::from_code(p.code()), Some(p));
        }
    }

    #[test]
    fn a_valid_partner_form_becomes_details() {
        let i = PartnerInput {
            name: " Sprogcenter Nord ".into(),
            kind: "language_school".into(),
            area_id: AREA.into(),
            contact_persons: "Lene Holm, 12 34 56 78\n\n  Ali Demir  \n".into(),
            active: Some("on".into()),
        };
        let d = i.parse(TODAY).unwrap();
        assert_eq!(d.name, "Sprogcenter Nord");
        assert_eq!(d.kind, PartnerKind::LanguageSchool);
        assert_eq!(d.area_id, Some(Uuid::parse_str(AREA).unwrap()));
        assert_eq!(d.contact_persons, vec!["Lene Holm, 12 34 56 78".to_string(), "Ali Demir".to_string()]);
        assert!(d.active);
        let inactive = PartnerInput { name: "x".into(), kind: "association".into(), ..Default::default() };
        let d = inactive.parse(TODAY).unwrap();
        assert!(!d.active);
        assert_eq!(d.area_id, None);
    }

    #[test]
    fn every_bad_partner_field_is_named() {
        let bad = PartnerInput {
            name: String::new(),
            kind: "church".into(),
            area_id: "north".into(),
            contact_persons: "x\n".repeat(MAX_CONTACT_PERSONS + 1),
            active: None,
        };
        let e = bad.parse(TODAY).unwrap_err();
        assert_eq!(e.for_field("name"), Some("error-required"));
        assert_eq!(e.for_field("kind"), Some("error-unknown-choice"));
        assert_eq!(e.for_field("area_id"), Some("error-unknown-choice"));
        assert_eq!(e.for_field("contact_persons"), Some("error-too-long"));
        let missing_kind = PartnerInput { name: "x".into(), ..Default::default() };
        assert_eq!(missing_kind.parse(TODAY).unwrap_err().for_field("kind"), Some("error-required"));
    }

    fn agreement() -> AgreementInput {
        AgreementInput {
            guidelines: "The teachers mention the offer in class once a term.".into(),
            core_task_benefit: "Students who work learn Danish faster.".into(),
            ethics: "Teachers never pass on what a student told them in confidence.".into(),
            confidentiality: "Only name and phone, only with her consent.".into(),
            review_on: "2026-09-01".into(),
        }
    }

    #[test]
    fn a_valid_agreement_is_accepted() {
        let a = agreement().parse(TODAY).unwrap();
        assert_eq!(a.review_on, date!(2026 - 09 - 01));
        assert!(a.core_task_benefit.contains("Danish"));
        assert!(!agreement_due(a.review_on, TODAY));
        assert!(agreement_due(a.review_on, date!(2026 - 09 - 01)));
        assert!(agreement_due(a.review_on, date!(2026 - 09 - 02)));
    }

    #[test]
    fn every_bad_agreement_field_is_named() {
        let bad = AgreementInput {
            guidelines: " ".into(),
            core_task_benefit: String::new(),
            ethics: String::new(),
            confidentiality: "x".repeat(MAX_AGREEMENT_TEXT + 1),
            review_on: "2026-03-10".into(),
        };
        let e = bad.parse(TODAY).unwrap_err();
        assert_eq!(e.for_field("guidelines"), Some("error-required"));
        assert_eq!(e.for_field("core_task_benefit"), Some("error-required"));
        assert_eq!(e.for_field("ethics"), Some("error-required"));
        assert_eq!(e.for_field("confidentiality"), Some("error-too-long"));
        assert_eq!(e.for_field("review_on"), Some("error-date-not-future"));
        let mut i = agreement();
        i.review_on = String::new();
        assert_eq!(i.parse(TODAY).unwrap_err().for_field("review_on"), Some("error-required"));
        i.review_on = "next year".into();
        assert_eq!(i.parse(TODAY).unwrap_err().for_field("review_on"), Some("error-date-format"));
    }

    fn referral() -> ReferralInput {
        ReferralInput {
            consent: Some("on".into()),
            given_name: "Zahra".into(),
            family_name: "Ahmadi".into(),
            phone: "+45 87 65 43 21".into(),
            phone_hers_alone: Some("on".into()),
            language: "fa".into(),
            contact_preference: "phone".into(),
            status_consent: Some("on".into()),
            note: "Speaks some Danish; prefers mornings.".into(),
        }
    }

    #[test]
    fn a_consenting_woman_is_referred() {
        let r = referral().parse(TODAY).unwrap();
        assert_eq!(r.given_name, "Zahra");
        assert_eq!(r.family_name, "Ahmadi");
        assert_eq!(r.phone.as_ref().map(PhoneNumber::as_e164), Some("+4587654321"));
        assert_eq!(r.language, "fa");
        assert_eq!(r.contact_preference, ContactPreference::Phone);
        assert!(r.status_consent);
        assert!(!r.safe_contact_only());
        assert_eq!(r.consent_purposes(), vec![ConsentPurpose::Contact, ConsentPurpose::PartnerStatus]);
        assert!(!format!("{r:?}").contains("Zahra"));
        let p = r.person_details();
        assert_eq!(p.full_name(), "Zahra Ahmadi");
        assert!(p.phone_is_hers_alone);
        assert!(!p.safe_contact_only);
        assert!(!consent_text_version().is_empty());
    }

    #[test]
    fn a_referral_needs_only_first_name_language_and_preference() {
        let i = ReferralInput {
            consent: Some("on".into()),
            given_name: "Zahra".into(),
            language: "fa".into(),
            contact_preference: "meeting".into(),
            ..Default::default()
        };
        let r = i.parse(TODAY).unwrap();
        assert_eq!(r.phone, None);
        assert_eq!(r.family_name, "");
        assert!(!r.status_consent);
        assert_eq!(r.consent_purposes(), vec![ConsentPurpose::Contact]);
        assert!(!r.person_details().phone_is_hers_alone);
    }

    #[test]
    fn every_bad_referral_field_is_named() {
        let bad = ReferralInput {
            consent: None,
            given_name: String::new(),
            family_name: "x".repeat(MAX_TEXT + 1),
            phone: "12".into(),
            phone_hers_alone: None,
            language: "xx".into(),
            contact_preference: "pigeon".into(),
            status_consent: None,
            note: "n".repeat(MAX_REFERRAL_NOTE + 1),
        };
        let e = bad.parse(TODAY).unwrap_err();
        assert_eq!(e.for_field("consent"), Some("error-consent-required"));
        assert_eq!(e.for_field("given_name"), Some("error-required"));
        assert_eq!(e.for_field("family_name"), Some("error-too-long"));
        assert_eq!(e.for_field("phone"), Some("error-phone"));
        assert_eq!(e.for_field("language"), Some("error-unknown-language"));
        assert_eq!(e.for_field("contact_preference"), Some("error-unknown-choice"));
        assert_eq!(e.for_field("note"), Some("error-too-long"));
    }

    #[test]
    fn a_phone_preference_needs_a_phone() {
        let mut i = referral();
        i.phone = " ".into();
        let e = i.parse(TODAY).unwrap_err();
        assert_eq!(e.for_field("phone"), Some("error-phone-for-calls"));
        assert_eq!(e.0.len(), 1);
        i.contact_preference = "letter".into();
        assert_eq!(i.parse(TODAY).unwrap().contact_preference, ContactPreference::Letter);
        i.contact_preference = String::new();
        assert_eq!(i.parse(TODAY).unwrap_err().for_field("contact_preference"), Some("error-required"));
    }

    #[test]
    fn contact_through_the_partner_only_is_safe_contact_only() {
        for (code, safe_only) in [("phone", false), ("letter", false), ("through_partner", true), ("meeting", false)] {
            let mut i = referral();
            i.contact_preference = code.into();
            let r = i.parse(TODAY).unwrap();
            assert_eq!(r.safe_contact_only(), safe_only, "{code}");
            assert_eq!(r.person_details().safe_contact_only, safe_only, "{code}");
        }
    }

    fn link(used_at: Option<OffsetDateTime>) -> ReferralLink {
        let mut l = ReferralLink::new(
            link_token_hash("t"),
            Uuid::from_u128(7),
            Uuid::from_u128(1),
            datetime!(2026-03-01 12:00 UTC),
        );
        l.used_at = used_at;
        l
    }

    #[test]
    fn a_link_is_valid_for_fourteen_days() {
        let l = link(None);
        assert_eq!(l.expires_at, datetime!(2026-03-15 12:00 UTC));
        assert_eq!(l.created_at, datetime!(2026-03-01 12:00 UTC));
        assert_eq!(check_link(Some(&l), datetime!(2026-03-01 12:00 UTC)), Ok(()));
        assert_eq!(check_link(Some(&l), datetime!(2026-03-15 11:59:59 UTC)), Ok(()));
    }

    #[test]
    fn a_link_expires_at_exactly_expires_at() {
        let l = link(None);
        assert_eq!(check_link(Some(&l), l.expires_at), Err(LinkRefused::Expired));
        assert_eq!(check_link(Some(&l), datetime!(2026-04-01 0:00 UTC)), Err(LinkRefused::Expired));
    }

    #[test]
    fn an_unknown_or_used_link_is_refused() {
        assert_eq!(check_link(None, datetime!(2026-03-02 0:00 UTC)), Err(LinkRefused::Unknown));
        let used = link(Some(datetime!(2026-03-02 9:00 UTC)));
        assert_eq!(check_link(Some(&used), datetime!(2026-03-02 10:00 UTC)), Err(LinkRefused::Used));
        // Used and expired: "used" says more.
        assert_eq!(check_link(Some(&used), datetime!(2026-05-01 0:00 UTC)), Err(LinkRefused::Used));
        assert_eq!(LinkRefused::Used.message_id(), "error-link-used");
    }

    #[test]
    fn only_the_hash_of_a_link_token_is_stored() {
        let (token, hash) = new_link_token([0xab; 32]);
        assert_eq!(token.len(), 64);
        assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(hash, link_token_hash(&token));
        assert_ne!(hash, token);
        assert_eq!(hash.len(), 64);
        let (other, other_hash) = new_link_token([0xac; 32]);
        assert_ne!(other, token);
        assert_ne!(other_hash, hash);
        // SHA-256 of the empty string, so the hash is the standard one.
        assert_eq!(link_token_hash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    fn follow_up() -> PartnerFollowUpInput {
        PartnerFollowUpInput {
            held_on: "2026-03-10".into(),
            partner_org_id: Uuid::from_u128(7).to_string(),
            women_talked_to: "6".into(),
            talked_to_note: "Mostly the Tuesday class.".into(),
            presentation_note: "A former participant's story works; the brochure does not.".into(),
            how_often_note: "Every other week.".into(),
            support_note: "An interpreter at the next class visit.".into(),
        }
    }

    #[test]
    fn a_partner_follow_up_is_recorded() {
        let f = follow_up().parse(TODAY).unwrap();
        assert_eq!(f.held_on, TODAY);
        assert_eq!(f.partner_org_id, Uuid::from_u128(7));
        assert_eq!(f.women_talked_to, 6);
        assert!(f.presentation_note.contains("brochure"));
        let mut i = follow_up();
        i.women_talked_to = "0".into();
        assert_eq!(i.parse(TODAY).unwrap().women_talked_to, 0);
        i.women_talked_to = "1000".into();
        assert_eq!(i.parse(TODAY).unwrap().women_talked_to, 1000);
    }

    #[test]
    fn every_bad_partner_follow_up_field_is_named() {
        let bad = PartnerFollowUpInput {
            held_on: "2026-03-11".into(),
            partner_org_id: "sprogcenter".into(),
            women_talked_to: "1001".into(),
            talked_to_note: "x".repeat(MAX_NOTE + 1),
            presentation_note: "x".repeat(MAX_NOTE + 1),
            how_often_note: "x".repeat(MAX_NOTE + 1),
            support_note: "x".repeat(MAX_NOTE + 1),
        };
        let e = bad.parse(TODAY).unwrap_err();
        assert_eq!(e.for_field("held_on"), Some("error-date-future"));
        assert_eq!(e.for_field("partner_org_id"), Some("error-unknown-choice"));
        assert_eq!(e.for_field("women_talked_to"), Some("error-women-talked-to"));
        for f in ["talked_to_note", "presentation_note", "how_often_note", "support_note"] {
            assert_eq!(e.for_field(f), Some("error-too-long"), "{f}");
        }
        let empty = PartnerFollowUpInput::default().parse(TODAY).unwrap_err();
        for f in ["held_on", "partner_org_id", "women_talked_to"] {
            assert_eq!(empty.for_field(f), Some("error-required"), "{f}");
        }
        let mut i = follow_up();
        i.women_talked_to = "six".into();
        assert_eq!(i.parse(TODAY).unwrap_err().for_field("women_talked_to"), Some("error-women-talked-to"));
    }

    #[test]
    fn talked_to_is_summed_by_month_in_order() {
        let meeting = |held_on: Date, n: u32| PartnerFollowUp {
            held_on,
            partner_org_id: Uuid::from_u128(7),
            women_talked_to: n,
            talked_to_note: String::new(),
            presentation_note: String::new(),
            how_often_note: String::new(),
            support_note: String::new(),
        };
        let meetings = [
            meeting(date!(2026 - 02 - 20), 4),
            meeting(date!(2025 - 12 - 03), 2),
            meeting(date!(2026 - 02 - 02), 3),
            meeting(date!(2026 - 01 - 15), 0),
        ];
        assert_eq!(
            talked_to_per_month(&meetings),
            vec![(2025, Month::December, 2), (2026, Month::January, 0), (2026, Month::February, 7)]
        );
        assert!(talked_to_per_month(&[]).is_empty());
    }

    #[test]
    fn the_yield_puts_talks_and_referrals_side_by_side_by_month() {
        let talked = [(2026, Month::January, 5), (2026, Month::March, 2)];
        let referred = [(2025, Month::December, 1), (2026, Month::March, 1)];
        assert_eq!(
            yield_by_month(&talked, &referred),
            vec![(2025, Month::December, 0, 1), (2026, Month::January, 5, 0), (2026, Month::March, 2, 1)]
        );
        assert!(yield_by_month(&[], &[]).is_empty());
    }

    #[test]
    fn her_status_consent_counts_for_the_partner_she_gave_it_to() {
        let ours = Uuid::from_u128(1);
        let theirs = Uuid::from_u128(2);
        let consent = |purpose: ConsentPurpose, partner: Option<Uuid>, withdrawn: bool| Consent {
            id: Uuid::new_v4(),
            person_id: Uuid::nil(),
            purpose: purpose.code().into(),
            text_version: "v".into(),
            language: "ar".into(),
            recorded_by: Uuid::nil(),
            recorded_at: time::OffsetDateTime::UNIX_EPOCH,
            withdrawn_at: withdrawn.then_some(time::OffsetDateTime::UNIX_EPOCH),
            partner_org_id: partner,
        };
        assert!(status_consent_given(&[consent(ConsentPurpose::PartnerStatus, Some(ours), false)], ours));
        assert!(status_consent_given(&[consent(ConsentPurpose::PartnerStatus, None, false)], ours));
        assert!(!status_consent_given(&[consent(ConsentPurpose::PartnerStatus, Some(theirs), false)], ours));
        assert!(!status_consent_given(&[consent(ConsentPurpose::PartnerStatus, Some(ours), true)], ours));
        assert!(!status_consent_given(&[consent(ConsentPurpose::Contact, Some(ours), false)], ours));
    }

    #[test]
    fn a_partner_sees_a_coarse_status_only_with_her_consent() {
        assert_eq!(partner_sees_status(true, Stage::Interested), Some(CoarseStatus::Received));
        assert_eq!(partner_sees_status(true, Stage::Met), Some(CoarseStatus::Contacted));
        assert_eq!(partner_sees_status(true, Stage::Enrolled), Some(CoarseStatus::Started));
        assert_eq!(partner_sees_status(true, Stage::Declined), None);
        for stage in Stage::ALL {
            assert_eq!(partner_sees_status(false, stage), None, "{stage:?}");
        }
    }
}
