//! What the web app needs to know about its municipality and its sessions.

use std::time::Duration;

pub use app::settings::Municipality;

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
    /// The header a reverse proxy puts the client's address in (`X-Forwarded-For`);
    /// without one, the connection's own address (issue 13, items 4 and 9).
    pub trusted_proxy_header: Option<String>,
    /// A session ends this long after login, however busy (issue 13, item 4).
    pub session_absolute: Duration,
    /// The largest register extract an upload may be (issue 13, item 3).
    pub max_upload_bytes: u64,
    /// Who must log in with a second factor (issue 13, item 4).
    pub second_factor: app::second_factor::Rules,
    /// Single sign-on through the municipality's identity broker (issue 13, item 5).
    pub sso: Option<app::sso::Settings>,
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
            trusted_proxy_header: None,
            session_absolute: Duration::from_secs(12 * 60 * 60),
            max_upload_bytes: 512 * 1024 * 1024,
            second_factor: app::second_factor::Rules::default(),
            sso: None,
        }
    }
}
