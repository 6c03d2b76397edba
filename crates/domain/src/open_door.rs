//! The open door (issue 4, item 4; G-8.5): any woman can ask to be contacted, on a
//! public page in her language, without an account and without a letter. She gives a
//! name (her first name is enough), a phone number, the language she wants to speak
//! and when to call; she enters her funnel at `interested` with herself as source.
//!
//! Her data came from her, so what the page tells her is GDPR Art. 13's information,
//! given where she gives them (the page's `door_privacy` text).

use crate::ambassador::BestTime;
use crate::person::{PersonDetails, SpokenLanguage};
use crate::phone::PhoneNumber;
use crate::validation::FieldErrors;
use serde::Deserialize;

/// The form as she sent it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OpenDoorInput {
    pub name: String,
    pub phone: String,
    pub language: String,
    pub best_time: String,
}

/// Her request, valid by construction.
#[derive(Clone, PartialEq, Eq)]
pub struct SelfReferral {
    pub given_name: String,
    pub family_name: String,
    pub phone: PhoneNumber,
    /// ISO 639, a letter language or another known one.
    pub language: String,
    pub best_time: BestTime,
}

impl std::fmt::Debug for SelfReferral {
    // Personal data stays out of logs, as for `PersonDetails`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelfReferral")
            .field("phone", &self.phone)
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

/// The longest name the form takes.
pub const MAX_NAME_CHARS: usize = 100;

/// The same phone asking again within this window folds into the first request's
/// intake instead of making another (issue 13, item 9).
pub const FOLD_WINDOW: time::Duration = time::Duration::hours(24);

/// On an intake held until a coordinator has confirmed the request with her (her
/// identity is on the do-not-contact list, or she resembles a woman who declined):
/// anyone may have typed her name and number (G-2.4).
pub const HELD_NOTE: &str = "Henvendelsen via kontaktsiden skal bekræftes med hende på en sikker måde, \
                             før nogen ringer (se mulige match).";

impl OpenDoorInput {
    /// Her request, or the fields to fix. The error keys are texts of the page
    /// (`crate::response::text`), so she reads them in her language.
    pub fn parse(&self) -> Result<SelfReferral, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = self.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(|c| c.is_control()) {
            errors.add("name", "door_error_name");
        }
        let phone = PhoneNumber::parse(&self.phone).ok();
        if phone.is_none() {
            errors.add("phone", "door_error_phone");
        }
        let language = crate::reference::language(self.language.trim()).map(|l| l.code.to_string());
        if language.is_none() {
            errors.add("language", "door_error_language");
        }
        let best_time = BestTime::from_code(self.best_time.trim()).unwrap_or(BestTime::Any);
        let (given_name, family_name) = match name.split_once(' ') {
            Some((given, family)) => (given.to_string(), family.to_string()),
            None => (name.clone(), String::new()),
        };
        match (phone, language) {
            (Some(phone), Some(language)) if errors.is_empty() => {
                Ok(SelfReferral { given_name, family_name, phone, language, best_time })
            }
            _ => Err(errors),
        }
    }
}

impl SelfReferral {
    /// Her record as she gave it: name, phone, the language she wants.
    pub fn person_details(&self) -> PersonDetails {
        PersonDetails {
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            birth_date: None,
            cpr: None,
            phone: Some(self.phone.clone()),
            phone_is_hers_alone: false,
            address: None,
            area_id: None,
            languages: vec![SpokenLanguage { code: self.language.clone(), dialect: None }],
            country_of_origin: None,
            arrived_in_denmark: None,
            segment: Default::default(),
            motivation: Vec::new(),
            safe_contact_only: false,
            safety_note: None,
            interpreter_needed: self.language != "da",
            digital_post_exempt: false,
        }
    }

    /// The note on her record, in the staff's language; `held` when the request waits
    /// to be confirmed with her (`HELD_NOTE`).
    pub fn note(&self, held: bool) -> String {
        let mut note = format!(
            "Har selv bedt om at blive kontaktet (kontaktsiden). Bedst: {}. Sprog: {}.",
            self.best_time.danish(),
            crate::ambassador::language_in_danish(&self.language)
        );
        if held {
            note.push(' ');
            note.push_str(HELD_NOTE);
        }
        note
    }

    /// The note when the same phone asks again within `FOLD_WINDOW`.
    pub fn note_again(&self) -> String {
        format!(
            "Har bedt om kontakt igen (kontaktsiden), som {}. Bedst: {}. Sprog: {}.",
            self.given_name,
            self.best_time.danish(),
            crate::ambassador::language_in_danish(&self.language)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, phone: &str, language: &str) -> OpenDoorInput {
        OpenDoorInput { name: name.into(), phone: phone.into(), language: language.into(), best_time: "evening".into() }
    }

    #[test]
    fn a_first_name_and_a_phone_are_enough() {
        let r = input("  Fatima ", "12 34 56 78", "ar").parse().unwrap();
        assert_eq!((r.given_name.as_str(), r.family_name.as_str(), r.language.as_str()), ("Fatima", "", "ar"));
        assert_eq!(r.best_time, BestTime::Evening);
        let d = r.person_details();
        assert_eq!(d.letter_language(), Some("ar"));
        assert!(d.interpreter_needed && d.cpr.is_none() && !d.safe_contact_only);
        let full = input("Amina  Abdi Hassan", "+45 12345678", "so").parse().unwrap();
        assert_eq!((full.given_name.as_str(), full.family_name.as_str()), ("Amina", "Abdi Hassan"));
        assert!(full.note(true).contains(HELD_NOTE));
        assert!(!full.note(false).contains("bekræftes"));
        assert!(full.note_again().contains("Amina") && full.note_again().contains("igen"));
    }

    #[test]
    fn each_bad_field_is_named_with_a_text_of_the_page() {
        let e = input("", "12", "xx").parse().unwrap_err();
        assert_eq!(e.for_field("name"), Some("door_error_name"));
        assert_eq!(e.for_field("phone"), Some("door_error_phone"));
        assert_eq!(e.for_field("language"), Some("door_error_language"));
        assert!(input(&"a".repeat(101), "12345678", "da").parse().is_err());
        for key in ["door_error_name", "door_error_phone", "door_error_language"] {
            assert!(crate::response::text(key, "ar").is_some_and(|t| !t.text.is_empty()), "{key}");
        }
    }
}
