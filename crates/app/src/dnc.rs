//! The do-not-contact rule (G-2.2: "never contact me again" is final, and survives her
//! deletion): the one place where the keyed hashes of her identity are computed. Every
//! use case that writes "never again" or guards a contact asks here; the store refuses
//! a never-again event that carries no hashes.

use domain::do_not_contact::{DncKey, identity_hashes};
use domain::person::PersonDetails;
use domain::selection::Candidate;
use domain::{Cpr, PhoneNumber};

/// Every hash under which a known woman could be on the list.
pub fn of_person(key: &DncKey, d: &PersonDetails) -> Vec<String> {
    identity_hashes(key, d.cpr.as_ref(), &d.full_name(), d.birth_date, d.phone.as_ref())
}

/// A register search's candidate (CPR, name, birth date, maybe a phone).
pub fn of_candidate(key: &DncKey, c: &Candidate) -> Vec<String> {
    let cpr = Cpr::parse(&c.cpr).ok();
    let phone = c.phone.as_deref().and_then(|p| PhoneNumber::parse(p).ok());
    let name =
        if c.family_name.is_empty() { c.given_name.clone() } else { format!("{} {}", c.given_name, c.family_name) };
    identity_hashes(key, cpr.as_ref(), &name, Some(c.birth_date), phone.as_ref())
}

/// What an ambassador, a partner or she herself gives: a name (often a first name
/// alone) and maybe a phone — no CPR, no birth date.
pub fn of_name_and_phone(key: &DncKey, name: &str, phone: Option<&PhoneNumber>) -> Vec<String> {
    identity_hashes(key, None, name, None, phone)
}
