//! The consent texts a woman reads in her own language before anything about her is
//! stored (G-6, issue 5: "the consent text shown in her language"). Machine-drafted
//! translations are marked as needing review by a qualified translator until one has
//! checked them; the Danish text is always shown beside hers.

use crate::reference;

const TEXTS_TSV: &str = include_str!("data/consent_texts.tsv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentText {
    pub version: &'static str,
    pub language: &'static str,
    pub text: &'static str,
    /// False for a machine draft that no qualified translator has checked yet.
    pub reviewed: bool,
    pub right_to_left: bool,
}

fn all() -> impl Iterator<Item = ConsentText> {
    TEXTS_TSV.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).filter_map(|line| {
        let mut cols = line.splitn(4, '\t');
        let (version, language, reviewed, text) = (cols.next()?, cols.next()?, cols.next()?, cols.next()?);
        Some(ConsentText {
            version,
            language,
            text,
            reviewed: reviewed == "yes",
            right_to_left: reference::language(language).is_some_and(|l| l.right_to_left),
        })
    })
}

/// The extra sentence a woman agrees to when her referrer may see a coarse status.
pub const PARTNER_STATUS_VERSION: &str = "partner-status-1";

/// The text of `version` in `language`, if it has been written in that language.
pub fn consent_text(version: &str, language: &str) -> Option<ConsentText> {
    all().find(|t| t.version == version && t.language == language)
}

/// The languages `version` exists in, Danish first.
pub fn languages(version: &str) -> Vec<&'static str> {
    all().filter(|t| t.version == version).map(|t| t.language).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LETTER_LANGUAGES: [&str; 9] = ["da", "en", "ar", "so", "tr", "ur", "fa", "ti", "ckb"];

    #[test]
    fn the_street_consent_exists_in_every_letter_language() {
        let version = crate::ambassador::consent_text_version();
        for lang in LETTER_LANGUAGES {
            let t = consent_text(version, lang).unwrap_or_else(|| panic!("no {lang} text"));
            assert!(t.text.chars().count() > 80, "{lang} text too short");
            assert!(reference::language(lang).is_some(), "{lang} is not a known language");
        }
        assert_eq!(languages(version).first(), Some(&"da"));
    }

    #[test]
    fn the_referral_consents_exist_in_every_letter_language() {
        for version in [crate::partner::consent_text_version(), PARTNER_STATUS_VERSION] {
            for lang in LETTER_LANGUAGES {
                let t = consent_text(version, lang).unwrap_or_else(|| panic!("no {lang} text of {version}"));
                assert!(t.text.chars().count() > 40, "{lang} text of {version} too short");
            }
        }
    }

    #[test]
    fn only_the_project_written_texts_count_as_reviewed_and_rtl_follows_the_script() {
        let version = crate::ambassador::consent_text_version();
        for lang in LETTER_LANGUAGES {
            let t = consent_text(version, lang).unwrap();
            assert_eq!(t.reviewed, matches!(lang, "da" | "en"), "{lang}");
            assert_eq!(t.right_to_left, matches!(lang, "ar" | "ur" | "fa" | "ckb"), "{lang}");
        }
        assert!(consent_text(version, "xx").is_none());
    }
}
