//! The eight font files the letters are set in (letters-notes.md, "Fonts"), loaded once.
//!
//! typst falls back silently when a family is absent, and reads a WOFF file as no font
//! at all; a letter printed with boxes instead of her name is worse than no letter. So
//! loading checks that every family is really there and refuses otherwise.

use std::path::{Path, PathBuf};
use typst::foundations::Bytes;
use typst::text::Font;

/// Where Debian's `fonts-noto-core` puts them (installed by `scripts/install-fonts`).
pub const DEBIAN_FONT_DIR: &str = "/usr/share/fonts/truetype/noto";

/// Environment variable naming another directory holding the same files.
pub const FONT_DIR_VAR: &str = "OPSOG_FONT_DIR";

/// Family names as typst sees them.
pub const SANS: &str = "Noto Sans";
pub const NASKH: &str = "Noto Naskh Arabic";
pub const NASTALIQ: &str = "Noto Nastaliq Urdu";
pub const ETHIOPIC: &str = "Noto Sans Ethiopic";

/// File name and the family it must hold.
pub const FONT_FILES: [(&str, &str); 8] = [
    ("NotoSans-Regular.ttf", SANS),
    ("NotoSans-Bold.ttf", SANS),
    ("NotoSans-Italic.ttf", SANS),
    ("NotoNaskhArabic-Regular.ttf", NASKH),
    ("NotoNaskhArabic-Bold.ttf", NASKH),
    ("NotoNastaliqUrdu-Regular.ttf", NASTALIQ),
    ("NotoSansEthiopic-Regular.ttf", ETHIOPIC),
    ("NotoSansEthiopic-Bold.ttf", ETHIOPIC),
];

#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("font family {family}: {path} is missing ({source}); run scripts/install-fonts")]
    Missing {
        family: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("font family {family}: {path} holds no usable TrueType/OpenType font (typst cannot read WOFF)")]
    Unreadable { family: &'static str, path: PathBuf },
    #[error("font family {family}: {path} holds family {found:?} instead")]
    WrongFamily { family: &'static str, path: PathBuf, found: String },
}

impl FontError {
    /// The family that could not be loaded.
    pub fn family(&self) -> &'static str {
        match self {
            FontError::Missing { family, .. }
            | FontError::Unreadable { family, .. }
            | FontError::WrongFamily { family, .. } => family,
        }
    }
}

/// The loaded fonts. Cheap to clone: the font data is shared.
#[derive(Clone)]
pub struct Fonts {
    pub(crate) fonts: Vec<Font>,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts").field("faces", &self.fonts.len()).finish()
    }
}

impl Fonts {
    /// Loads the eight files from `dir`; refuses, naming the family, if one is missing,
    /// unreadable, or not the family its name promises.
    pub fn load(dir: &Path) -> Result<Fonts, FontError> {
        let mut fonts = Vec::with_capacity(FONT_FILES.len());
        for (file, family) in FONT_FILES {
            let path = dir.join(file);
            let data =
                std::fs::read(&path).map_err(|source| FontError::Missing { family, path: path.clone(), source })?;
            let faces: Vec<Font> = Font::iter(Bytes::new(data)).collect();
            let Some(first) = faces.first() else {
                return Err(FontError::Unreadable { family, path });
            };
            if first.info().family != family {
                return Err(FontError::WrongFamily { family, path, found: first.info().family.clone() });
            }
            fonts.extend(faces);
        }
        Ok(Fonts { fonts })
    }

    /// Loads from `$OPSOG_FONT_DIR` if set, else from [`DEBIAN_FONT_DIR`].
    pub fn load_default() -> Result<Fonts, FontError> {
        Fonts::load(&default_dir())
    }

    /// How many faces were loaded.
    pub fn len(&self) -> usize {
        self.fonts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fonts.is_empty()
    }
}

/// `$OPSOG_FONT_DIR` if set and not empty, else [`DEBIAN_FONT_DIR`].
pub fn default_dir() -> PathBuf {
    match std::env::var_os(FONT_DIR_VAR) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(DEBIAN_FONT_DIR),
    }
}
