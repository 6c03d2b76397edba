//! Letters to the women (G-5.6, issue 4 item 3): print-ready PDF letters set with
//! typst — bilingual, her language first and Danish after, Arabic-script languages
//! shaped right to left — alone or as print files, and Digital Post messages in the
//! MeMo format carrying the PDF.
//!
//! Fonts come from the filesystem (`scripts/install-fonts`); see [`fonts`].

pub mod escape;
pub mod fonts;
pub mod memo;
pub mod render;

pub use fonts::{FontError, Fonts};
pub use memo::{MemoError, MemoMessage, Sender, write_memo};
pub use render::{
    Identity, Letter, Part, RenderError, Rendered, Renderer, render_batch, render_letter, render_set_parallel,
};
