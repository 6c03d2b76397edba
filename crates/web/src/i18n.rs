//! The staff UI's languages (Project Fluent): Danish by default, English second.

use domain::org::Locale;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

pub struct I18n {
    da: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("I18n")
    }
}

pub const DA_FTL: &str = include_str!("../i18n/da/main.ftl");
pub const EN_FTL: &str = include_str!("../i18n/en/main.ftl");

#[derive(Debug, thiserror::Error)]
#[error("translation file for '{locale}' does not parse: {detail}")]
pub struct I18nError {
    locale: &'static str,
    detail: String,
}

fn bundle(locale: &'static str, source: &str) -> Result<FluentBundle<FluentResource>, I18nError> {
    let err = |detail: String| I18nError { locale, detail };
    let resource = FluentResource::try_new(source.to_string()).map_err(|(_, e)| err(format!("{e:?}")))?;
    let id: unic_langid::LanguageIdentifier = locale.parse().map_err(|e| err(format!("{e:?}")))?;
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // HTML escaping is the templates' job; isolation marks would show up in attributes.
    b.set_use_isolating(false);
    b.add_resource(resource).map_err(|e| err(format!("{e:?}")))?;
    Ok(b)
}

impl I18n {
    pub fn load() -> Result<I18n, I18nError> {
        Ok(I18n { da: bundle("da", DA_FTL)?, en: bundle("en", EN_FTL)? })
    }

    fn bundle(&self, locale: Locale) -> &FluentBundle<FluentResource> {
        match locale {
            Locale::Da => &self.da,
            Locale::En => &self.en,
        }
    }

    pub fn t(&self, locale: Locale, key: &str) -> String {
        self.t_args(locale, key, &[])
    }

    pub fn t_args(&self, locale: Locale, key: &str, args: &[(&str, String)]) -> String {
        let bundle = self.bundle(locale);
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, locale = locale.code(), "missing translation");
            return key.to_string();
        };
        let mut fargs = FluentArgs::new();
        for (name, value) in args {
            match value.parse::<i64>() {
                // From a thousand on, the number is shown grouped ("118.755"); its plural
                // is "other" in both Danish and English, which a text argument selects.
                Ok(n) if n.abs() >= 1000 => fargs.set(*name, FluentValue::from(group_digits(locale, value))),
                Ok(n) => fargs.set(*name, FluentValue::from(n)),
                Err(_) => fargs.set(*name, FluentValue::from(value.clone())),
            }
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fargs), &mut errors);
        text.into_owned()
    }

    pub fn has(&self, locale: Locale, key: &str) -> bool {
        self.bundle(locale).has_message(key)
    }
}

/// The message ids defined in a Fluent source (for the completeness test).
pub fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '\t', '.']) && l.contains(" ="))
        .filter_map(|l| l.split(" =").next())
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
        .collect()
}

/// A whole number as the locale writes it (issue 14, item 1): `118.755` in Danish,
/// `118,755` in English. Any other text is returned as it is.
pub fn group_digits(locale: Locale, text: &str) -> String {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return text.to_string();
    }
    let separator = match locale {
        Locale::Da => '.',
        Locale::En => ',',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(separator);
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

#[cfg(test)]
mod number_tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_the_danish_way() {
        assert_eq!(group_digits(Locale::Da, "118755"), "118.755");
        assert_eq!(group_digits(Locale::Da, "1000000"), "1.000.000");
        assert_eq!(group_digits(Locale::En, "118755"), "118,755");
        assert_eq!(group_digits(Locale::Da, "999"), "999");
        assert_eq!(group_digits(Locale::Da, "-4200"), "-4.200");
        assert_eq!(group_digits(Locale::Da, "skjult"), "skjult");
        assert_eq!(group_digits(Locale::Da, "12.5"), "12.5");
    }

    #[test]
    fn a_message_shows_a_large_count_grouped_and_keeps_its_plural() {
        let i = I18n::load().expect("the shipped messages load");
        let late = |n: &str| i.t_args(Locale::Da, "calls-late-days", &[("count", n.to_string())]);
        assert_eq!(late("1500"), "1.500 dage over tid");
        assert_eq!(late("1"), "1 dag over tid");
        assert_eq!(late("3"), "3 dage over tid");
    }
}
