//! The do-not-contact list (product.md: `declined` survives deletion).
//!
//! Her identity is stored only as a keyed hash (HMAC-SHA256). The key is kept outside
//! the database, so a copy of the database alone cannot test a guessed CPR against it.

use crate::cpr::Cpr;
use crate::phone::PhoneNumber;
use crate::text::normalise_name;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::Date;

/// The secret key. Never printed.
#[derive(Clone)]
pub struct DncKey(Vec<u8>);

impl std::fmt::Debug for DncKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DncKey(…)")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the do-not-contact key must be at least 32 bytes")]
pub struct DncKeyTooShort;

impl DncKey {
    pub fn new(bytes: Vec<u8>) -> Result<DncKey, DncKeyTooShort> {
        if bytes.len() < 32 { Err(DncKeyTooShort) } else { Ok(DncKey(bytes)) }
    }

    /// The server's other keyed hashes (issue 13, item 9: response codes, the public
    /// forms' tokens) under the same secret kept outside the database, each with its
    /// purpose in front so that no value of one use is a valid value of another.
    pub fn mac(&self, purpose: &str, data: &[u8]) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            return String::new();
        };
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(data);
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Who to look for: by CPR when there is one, otherwise by name + birth date + phone.
pub enum Identity<'a> {
    Cpr(&'a Cpr),
    NameBirthPhone {
        name: &'a str,
        birth_date: Option<Date>,
        phone: Option<&'a PhoneNumber>,
    },
    /// Her phone alone. An ambassador or partner knows only a first name and a phone,
    /// so "never contact again" must also hold for the number: a call to it may reach
    /// her even when another woman of the household is registered (G-2.4). Blocking a
    /// shared phone too often is the safe side.
    Phone(&'a PhoneNumber),
}

/// The hex-encoded keyed hash stored on the list.
pub fn identity_hash(key: &DncKey, identity: &Identity<'_>) -> String {
    let material = match identity {
        Identity::Cpr(cpr) => format!("cpr:{}", cpr.expose().replace('-', "")),
        Identity::NameBirthPhone { name, birth_date, phone } => format!(
            "nbp:{}|{}|{}",
            normalise_name(name),
            birth_date.map(|d| d.to_string()).unwrap_or_default(),
            phone.map(|p| p.as_e164()).unwrap_or_default()
        ),
        Identity::Phone(phone) => format!("phone:{}", phone.as_e164()),
    };
    // HMAC accepts keys of any length, so this cannot fail; fall back to an empty hash
    // rather than panic should the library ever say otherwise.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key.0) else {
        return String::new();
    };
    mac.update(material.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// Every hash under which this woman could be on the list.
pub fn identity_hashes(
    key: &DncKey,
    cpr: Option<&Cpr>,
    name: &str,
    birth_date: Option<Date>,
    phone: Option<&PhoneNumber>,
) -> Vec<String> {
    let mut hashes = Vec::with_capacity(2);
    if let Some(cpr) = cpr {
        hashes.push(identity_hash(key, &Identity::Cpr(cpr)));
    }
    hashes.push(identity_hash(key, &Identity::NameBirthPhone { name, birth_date, phone }));
    if let Some(phone) = phone {
        hashes.push(identity_hash(key, &Identity::Phone(phone)));
    }
    hashes
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn key(b: u8) -> DncKey {
        DncKey::new(vec![b; 32]).unwrap()
    }

    #[test]
    fn same_woman_same_hash_however_typed() {
        let phone = PhoneNumber::parse("12 34 56 78").unwrap();
        let phone2 = PhoneNumber::parse("+4512345678").unwrap();
        let a = identity_hash(
            &key(1),
            &Identity::NameBirthPhone {
                name: "Fatima Al-Sayed",
                birth_date: Some(date!(1990 - 01 - 02)),
                phone: Some(&phone),
            },
        );
        let b = identity_hash(
            &key(1),
            &Identity::NameBirthPhone {
                name: "fatima  al sayed",
                birth_date: Some(date!(1990 - 01 - 02)),
                phone: Some(&phone2),
            },
        );
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn a_woman_known_only_by_first_name_and_phone_is_still_found() {
        let k = key(1);
        let phone = PhoneNumber::parse("20 30 40 50").unwrap();
        let full = identity_hashes(&k, None, "Amina Hassan", Some(time::macros::date!(1990 - 05 - 01)), Some(&phone));
        let street = identity_hashes(&k, None, "Amina", None, Some(&phone));
        assert!(street.iter().any(|h| full.contains(h)), "the phone hash links the two");
        let other = PhoneNumber::parse("20 30 40 51").unwrap();
        let elsewhere = identity_hashes(&k, None, "Amina", None, Some(&other));
        assert!(!elsewhere.iter().any(|h| full.contains(h)));
        assert_eq!(identity_hashes(&k, None, "Amina", None, None).len(), 1, "no phone, no phone hash");
    }

    #[test]
    fn the_key_matters_and_the_hash_hides_the_cpr() {
        let cpr = Cpr::parse("070761-4285").unwrap();
        let h1 = identity_hash(&key(1), &Identity::Cpr(&cpr));
        let h2 = identity_hash(&key(2), &Identity::Cpr(&cpr));
        assert_ne!(h1, h2);
        assert!(!h1.contains("0707614285"));
        assert!(DncKey::new(vec![0; 8]).is_err());
        assert_eq!(format!("{:?}", key(7)), "DncKey(…)");
    }
}
