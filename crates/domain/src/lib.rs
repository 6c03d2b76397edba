//! Opsøg's domain: the rules, with no I/O. Every type that crosses a boundary is
//! validated here once; handlers, storage and jobs take these types.

pub mod ambassador;
pub mod audit;
pub mod audit_chain;
pub mod calls;
pub mod code;
pub mod consent_text;
pub mod cpr;
pub mod danish_time;
pub mod do_not_contact;
pub mod extract;
pub mod funnel;
pub mod intake;
pub mod letter_batch;
pub mod letter_check;
pub mod letter_template;
pub mod login;
pub mod meeting;
pub mod open_door;
pub mod org;
pub mod partner;
pub mod person;
pub mod person_edit;
pub mod phone;
pub mod plan;
pub mod plan_diff;
pub mod policy;
pub mod public_limits;
pub mod reference;
pub mod response;
pub mod second_factor;
pub mod selection;
pub mod sso;
pub mod suppression;
pub mod text;
pub mod validation;

pub use cpr::Cpr;
pub use phone::PhoneNumber;
