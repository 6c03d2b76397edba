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
