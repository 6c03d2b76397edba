//! What the use cases take from configuration: the municipality's identity, and what
//! every letter shares. `opsog` reads the configuration; the web and the CLI build the
//! same [`crate::Ctx`] from it.

use crate::letter_batch;
use std::path::PathBuf;

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

/// What every letter of a batch shares: the municipality's identity (with its logo),
/// the answer page on `public_base_url` (printed and as the QR code), and where batches
/// are written.
pub fn letter_settings(
    municipality: &Municipality,
    logo: Option<&[u8]>,
    public_base_url: &str,
    out_dir: PathBuf,
) -> letter_batch::Settings {
    let m = municipality;
    letter_batch::Settings {
        identity: letters::Identity {
            name: m.name.clone(),
            cvr: m.cvr.clone(),
            myndigheds_id: Some(m.myndigheds_id.clone()).filter(|s| !s.trim().is_empty()),
            logo: logo.map(<[u8]>::to_vec),
            dpo: m.dpo_contact(),
        },
        answer_url: format!("{}/svar", public_base_url.trim_end_matches('/')),
        out_dir,
        threads: std::thread::available_parallelism().map_or(1, usize::from),
    }
}

/// The municipality's logo file, read once at start: a missing file is an error that
/// names it, not a letter without a logo.
pub fn read_logo(municipality: &Municipality) -> Result<Option<Vec<u8>>, crate::Error> {
    match &municipality.logo_path {
        None => Ok(None),
        Some(path) => {
            std::fs::read(path).map(Some).map_err(|e| crate::Error::unexpected(format!("reading the logo {path}"), e))
        }
    }
}
