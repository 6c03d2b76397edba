//! Configuration: defaults → TOML file → `OPSOG__…` environment → command-line flags.
//! Unknown keys are refused; secrets never appear in `Debug` or in `config check`.

use crate::CliError;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use web::Municipality;

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `sqlite://…` or `postgres://…`; by default a SQLite file in the data directory.
    pub database_url: Option<String>,
    pub data_dir: PathBuf,
    pub bind: String,
    /// The do-not-contact key; kept outside the database on purpose.
    pub dnc_key_file: Option<PathBuf>,
    pub session_idle_minutes: u64,
    pub secure_cookies: bool,
    /// `text` or `json`.
    pub log_format: String,
    pub page_size: u32,
    /// The address partners reach Opsøg at, for one-time referral links; by default
    /// `http://<bind>`.
    pub public_url: Option<String>,
    /// A session ends this many hours after login, however busy (issue 13, item 4).
    pub session_absolute_hours: u64,
    /// The header a reverse proxy writes the client's address in, e.g.
    /// `X-Forwarded-For`; without it the connection's address counts.
    pub trusted_proxy_header: Option<String>,
    /// The largest register extract an upload may be, in MiB (issue 13, item 3).
    pub max_upload_mib: u64,
    /// Roles that must log in with a second factor besides coordinators and admins,
    /// who always must (issue 13, item 4), e.g. `["caseworker"]`.
    pub second_factor_roles: Vec<String>,
    pub municipality: Municipality,
    /// Single sign-on through the municipality's identity broker (issue 13, item 5);
    /// without it, logins use passwords (and the second factor) alone.
    pub sso: Option<SsoSection>,
}

/// `[sso]`: the broker, this client's registration at it, and what an identity must
/// show (`domain::sso::SsoRules`).
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoSection {
    /// The broker's issuer URL, e.g. `https://broker.kommune.dk/realms/opsog`.
    pub issuer: String,
    pub client_id: String,
    /// Better given as `OPSOG__SSO__CLIENT_SECRET` than in the file.
    pub client_secret: String,
    /// Assurance levels (`acr`) accepted, e.g. NSIS substantial and high.
    pub accepted_acr: Vec<String>,
    /// The claim with her organisation's CVR number, and the municipality's own (a
    /// number in an environment variable or unquoted in TOML is read as its digits).
    pub organisation_claim: String,
    #[serde(deserialize_with = "digits_or_text")]
    pub organisation: String,
    /// The claim whose value is her Opsøg username.
    #[serde(default = "default_user_claim")]
    pub user_claim: String,
    /// Scopes besides `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
}

/// A CVR number written as a number or as text.
fn digits_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Number(u64),
    }
    Ok(match Either::deserialize(d)? {
        Either::Text(t) => t,
        Either::Number(n) => n.to_string(),
    })
}

fn default_user_claim() -> String {
    "preferred_username".into()
}

fn default_scopes() -> Vec<String> {
    vec!["profile".into()]
}

impl std::fmt::Debug for SsoSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoSection")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[hidden]")
            .field("accepted_acr", &self.accepted_acr)
            .field("organisation_claim", &self.organisation_claim)
            .field("organisation", &self.organisation)
            .field("user_claim", &self.user_claim)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: None,
            data_dir: PathBuf::from("data"),
            bind: "127.0.0.1:8080".into(),
            dnc_key_file: None,
            session_idle_minutes: 30,
            secure_cookies: true,
            log_format: "text".into(),
            page_size: 25,
            public_url: None,
            session_absolute_hours: 12,
            trusted_proxy_header: None,
            max_upload_mib: 512,
            second_factor_roles: Vec::new(),
            municipality: Municipality::default(),
            sso: None,
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url()))
            .field("data_dir", &self.data_dir)
            .field("bind", &self.bind)
            .field("dnc_key_file", &self.dnc_key_file())
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("secure_cookies", &self.secure_cookies)
            .field("log_format", &self.log_format)
            .field("page_size", &self.page_size)
            .field("public_url", &self.public_url())
            .field("session_absolute_hours", &self.session_absolute_hours)
            .field("trusted_proxy_header", &self.trusted_proxy_header)
            .field("max_upload_mib", &self.max_upload_mib)
            .field("second_factor_roles", &self.second_factor_roles)
            .field("municipality", &self.municipality)
            .field("sso", &self.sso)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("configuration: {0}")]
    Figment(Box<figment::Error>),
    #[error("the configuration file {0} does not exist")]
    MissingFile(PathBuf),
}

impl Settings {
    pub fn load(file: Option<&Path>) -> Result<Settings, SettingsError> {
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(SettingsError::MissingFile(path.to_path_buf()));
            }
            fig = fig.merge(Toml::file(path));
        }
        fig = fig.merge(Env::prefixed("OPSOG__").split("__"));
        fig.extract().map_err(|e| SettingsError::Figment(Box::new(e)))
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("opsog.db").display()),
        }
    }

    pub fn dnc_key_file(&self) -> PathBuf {
        self.dnc_key_file.clone().unwrap_or_else(|| self.data_dir.join("secrets").join("dnc.key"))
    }

    pub fn public_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.bind))
    }

    /// Uploaded register extracts live here until a run deletes them (G-5.5).
    pub fn extract_dir(&self) -> PathBuf {
        self.data_dir.join("extracts")
    }

    /// Letter batches: print files, one PDF per letter, Digital Post (MeMo) files.
    pub fn letters_dir(&self) -> PathBuf {
        self.data_dir.join("letters")
    }

    /// What every use case works with, from this configuration.
    pub fn app_ctx(&self, store: store::SqlStore, key: domain::do_not_contact::DncKey) -> Result<app::Ctx, CliError> {
        let logo = app::settings::read_logo(&self.municipality)?;
        let letters =
            app::settings::letter_settings(&self.municipality, logo.as_deref(), &self.public_url(), self.letters_dir());
        Ok(app::Ctx::new(store, key, self.extract_dir(), letters))
    }

    /// Who must log in with a second factor; an unknown role is named, never ignored.
    pub fn second_factor_rules(&self) -> Result<app::second_factor::Rules, CliError> {
        let also_required = self
            .second_factor_roles
            .iter()
            .map(|code| {
                domain::policy::Role::from_code(code.trim()).ok_or_else(|| {
                    CliError::Config(format!(
                        "second_factor_roles: unknown role {code:?} (known: {})",
                        domain::policy::Role::ALL.iter().map(|r| r.code()).collect::<Vec<_>>().join(", ")
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(app::second_factor::Rules { also_required })
    }

    /// Single sign-on as the web uses it, its rules' faults named (`config check`).
    pub fn sso_settings(&self) -> Result<Option<app::sso::Settings>, CliError> {
        let Some(sso) = &self.sso else { return Ok(None) };
        let rules = domain::sso::SsoRules {
            accepted_acr: sso.accepted_acr.clone(),
            organisation_claim: sso.organisation_claim.clone(),
            organisation: sso.organisation.clone(),
            user_claim: sso.user_claim.clone(),
        };
        let mut problems = rules.problems();
        if sso.issuer.trim().is_empty() || sso.client_id.trim().is_empty() {
            problems.push("sso.issuer and sso.client_id must both be given".into());
        }
        if !problems.is_empty() {
            return Err(CliError::Config(problems.join("; ")));
        }
        Ok(Some(app::sso::Settings {
            issuer: sso.issuer.trim().to_string(),
            client_id: sso.client_id.clone(),
            client_secret: sso.client_secret.clone(),
            redirect_url: format!("{}/login/sso/callback", self.public_url().trim_end_matches('/')),
            scopes: sso.scopes.clone(),
            rules,
        }))
    }

    pub fn web_config(&self) -> Result<web::WebConfig, CliError> {
        Ok(web::WebConfig {
            municipality: self.municipality.clone(),
            session_idle: std::time::Duration::from_secs(self.session_idle_minutes.max(1) * 60),
            secure_cookies: self.secure_cookies,
            page_size: self.page_size.clamp(5, 200),
            public_base_url: self.public_url(),
            extract_dir: self.extract_dir(),
            letters_dir: self.letters_dir(),
            trusted_proxy_header: self.trusted_proxy_header.clone(),
            session_absolute: std::time::Duration::from_secs(self.session_absolute_hours.max(1) * 60 * 60),
            max_upload_bytes: self.max_upload_mib.max(1) * 1024 * 1024,
            second_factor: self.second_factor_rules()?,
            sso: self.sso_settings()?,
        })
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(redact_url("postgres://opsog:hemmelig@db:5432/opsog"), "postgres://opsog:***@db:5432/opsog");
        assert_eq!(redact_url("sqlite://data/opsog.db"), "sqlite://data/opsog.db");
        let s = Settings { database_url: Some("postgres://a:hemmelig@h/d".into()), ..Settings::default() };
        assert!(!format!("{s:?}").contains("hemmelig"));
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail's closure type, not ours
    fn layers_apply_in_order_and_unknown_keys_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("opsog.toml", "bind = \"0.0.0.0:9000\"\npage_size = 50\n[municipality]\nname = \"Testby Kommune\"\ncvr = \"1\"\nmyndigheds_id = \"2\"\ndpo_name = \"x\"\ndpo_email = \"y\"\ndpo_phone = \"z\"\n")?;
            jail.set_env("OPSOG__PAGE_SIZE", "40");
            let s = Settings::load(Some(Path::new("opsog.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(s.bind, "0.0.0.0:9000");
            assert_eq!(s.page_size, 40, "environment beats the file");
            assert_eq!(s.municipality.name, "Testby Kommune");
            jail.create_file("bad.toml", "bnid = \"x\"\n")?;
            assert!(Settings::load(Some(Path::new("bad.toml"))).is_err());
            assert!(Settings::load(Some(Path::new("missing.toml"))).is_err());
            Ok(())
        });
    }
}
