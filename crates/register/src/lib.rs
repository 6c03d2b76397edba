//! Register search (G-5.1–G-5.5): read the extracts the municipality's systems export,
//! map their columns to what a source kind needs, link persons across sources and apply
//! the selection rules.
//!
//! - `kinds`: the built-in source kinds and the fields each one needs.
//! - `value`: parsing one cell (dates, months, amounts, CPR, sex) as exports write them.
//! - `mapping`: which column holds which field; suggested from the headers.
//! - `read`: CSV (separators, encodings) and XLSX readers that yield typed rows, and
//!   errors that name file, row and column.
//! - `select`: the streaming selection engine; `link_lists` links lists without CPR.
//!
//! The engine knows no database and no async runtime: a search as the web and the CLI
//! run it (gate, import, run, review) is `app::register_search`.

pub mod error;
pub mod kinds;
mod link_lists;
pub mod mapping;
pub mod read;
pub mod select;
pub mod value;
