//! Street-level work through ambassadors (G-6): her profile and records (`profile`),
//! the gate before she may log field work (`gate`), anonymous street conversations
//! (`conversation`), registering a woman who consents (`registration`), and the
//! follow-up meetings (`follow_up`).
//!
//! The small form helpers in `form` are shared with the other form parsers of the
//! crate, which reach them as `crate::ambassador::…`.

mod conversation;
mod follow_up;
mod form;
mod gate;
mod profile;
mod registration;
#[cfg(test)]
mod tests;

pub use conversation::*;
pub use follow_up::*;
pub(crate) use form::*;
pub use gate::*;
pub use profile::*;
pub use registration::*;
