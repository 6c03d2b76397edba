//! What the web app needs to know about its municipality and its sessions.

use std::time::Duration;

/// The municipality's identity, shown on pages now and in letters later.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Municipality {
    pub name: String,
    pub cvr: String,
    pub myndigheds_id: String,
    /// Path of the logo file (PNG or SVG); shown in the header when set.
    pub logo_path: Option<String>,
    pub dpo_name: String,
    pub dpo_email: String,
    pub dpo_phone: String,
}

impl Default for Municipality {
    fn default() -> Self {
        Municipality {
            name: "Søby Kommune".into(),
            cvr: "12345678".into(),
            myndigheds_id: "123456789".into(),
            logo_path: None,
            dpo_name: "Databeskyttelsesrådgiver".into(),
            dpo_email: "dpo@soeby.example".into(),
            dpo_phone: "+45 70 00 00 00".into(),
        }
    }
}

impl Municipality {
    /// How a letter names the data protection officer (GDPR Art. 14(1)(b)): the
    /// e-mail, else the phone.
    pub fn dpo_contact(&self) -> String {
        if self.dpo_email.is_empty() { self.dpo_phone.clone() } else { self.dpo_email.clone() }
    }
}

/// What every letter of a batch shares, from configuration: the municipality's
/// identity (with its logo), the answer page on `public_base_url`
/// (printed and as the QR code), and where batches are written. The web's batch page
/// and `opsog letters` both use it.
pub fn letter_settings(config: &WebConfig, logo: Option<&[u8]>) -> letters::batch::Settings {
    let m = &config.municipality;
    letters::batch::Settings {
        identity: letters::Identity {
            name: m.name.clone(),
            cvr: m.cvr.clone(),
            myndigheds_id: Some(m.myndigheds_id.clone()).filter(|s| !s.trim().is_empty()),
            logo: logo.map(<[u8]>::to_vec),
            dpo: m.dpo_contact(),
        },
        answer_url: format!("{}/svar", config.public_base_url.trim_end_matches('/')),
        out_dir: config.letters_dir.clone(),
        threads: std::thread::available_parallelism().map_or(1, usize::from),
    }
}

#[derive(Debug, Clone)]
pub struct WebConfig {
    pub municipality: Municipality,
    pub session_idle: Duration,
    /// Send the session cookie only over HTTPS. Off only for the local demo.
    pub secure_cookies: bool,
    pub page_size: u32,
    /// Where partners open one-time referral links, e.g. `https://opsoeg.kommune.dk`.
    pub public_base_url: String,
    /// Where uploaded register extracts are kept until a run deletes them (G-5.5).
    pub extract_dir: std::path::PathBuf,
    /// Where letter batches are written, one folder per batch (print files, one PDF
    /// per letter, MeMo files).
    pub letters_dir: std::path::PathBuf,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            municipality: Municipality::default(),
            session_idle: Duration::from_secs(30 * 60),
            secure_cookies: true,
            page_size: 25,
            public_base_url: "http://127.0.0.1:8080".into(),
            extract_dir: std::path::PathBuf::from("data/extracts"),
            letters_dir: std::path::PathBuf::from("data/letters"),
        }
    }
}
