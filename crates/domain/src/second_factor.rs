//! The second factor at login (issue 13, item 4): a time-based one-time password
//! (TOTP, RFC 6238, built on HOTP, RFC 4226) as every authenticator app computes it —
//! six digits from a shared secret and the time in steps of 30 seconds — and recovery
//! codes for the day the phone is lost.
//!
//! Coordinators and admins must use one: a coordinator reaches every woman's record
//! and an admin every login. The municipality may require it of other roles too.

use crate::policy::Role;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Digits in a code, as authenticator apps show them by default.
pub const DIGITS: usize = 6;
/// Seconds in one time step (RFC 6238's default, which every app uses).
pub const STEP_SECONDS: i64 = 30;
/// A code of the step before or after is taken too: a phone's clock drifts, and
/// typing the code takes a moment (RFC 6238, section 5.2).
pub const DRIFT_STEPS: i64 = 1;
/// 160 bits, the length RFC 4226 recommends and HMAC-SHA-1's block favours.
pub const SECRET_BYTES: usize = 20;
/// Recovery codes made at a time; each works once.
pub const RECOVERY_CODES: usize = 10;
/// Bytes of randomness in one recovery code: 80 bits, written as 16 characters.
pub const RECOVERY_CODE_BYTES: usize = 10;

/// Whether `role` must log in with a second factor. Coordinators and admins always
/// must; `also` names the roles the municipality adds (configuration).
pub fn required(role: Role, also: &[Role]) -> bool {
    matches!(role, Role::Coordinator | Role::Admin) || also.contains(&role)
}

/// A shared TOTP secret. Never printed: `Debug` shows only that it is one.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(…)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("a TOTP secret must be {SECRET_BYTES} bytes, this one is {0}")]
    Length(usize),
    #[error("a TOTP secret is written in base32 (A–Z, 2–7); this one has {0:?}")]
    Character(char),
}

impl TotpSecret {
    pub fn from_bytes(bytes: [u8; SECRET_BYTES]) -> TotpSecret {
        TotpSecret(bytes.to_vec())
    }

    /// The secret as authenticator apps take it typed in, and as it is stored:
    /// base32 without padding (RFC 4648).
    pub fn to_base32(&self) -> String {
        base32_encode(&self.0)
    }

    /// Reads a stored or typed secret; spaces are ignored, case does not matter.
    pub fn from_base32(text: &str) -> Result<TotpSecret, SecretError> {
        let bytes = base32_decode(text)?;
        if bytes.len() != SECRET_BYTES {
            return Err(SecretError::Length(bytes.len()));
        }
        Ok(TotpSecret(bytes))
    }

    /// The secret in groups of four characters, for typing it in by hand.
    pub fn grouped(&self) -> String {
        let text = self.to_base32();
        let chars: Vec<char> = text.chars().collect();
        chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
    }

    /// The `otpauth://` address an authenticator app reads from the QR code
    /// (the Key Uri Format of Google Authenticator, which all apps follow).
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let issuer = percent_encode(issuer);
        let account = percent_encode(account);
        format!(
            "otpauth://totp/{issuer}:{account}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            self.to_base32()
        )
    }
}

/// The time step of a moment (seconds since 1970).
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// HOTP (RFC 4226, section 5.3): the code of one counter value.
pub fn hotp(secret: &TotpSecret, counter: u64) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(&secret.0) else {
        // HMAC takes a key of any length, so this cannot happen; an empty answer
        // matches no code.
        return String::new();
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let binary =
        u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
    format!("{:0width$}", binary % 10u32.pow(DIGITS as u32), width = DIGITS)
}

/// The code of the step `step` (what the app shows during it).
pub fn code_at_step(secret: &TotpSecret, step: i64) -> String {
    hotp(secret, u64::try_from(step).unwrap_or(0))
}

/// Checks a typed code at `unix_seconds`. A code of the current step, or one step
/// either side, is taken — but only if its step is later than `last_used_step`: a
/// code once used is spent, so one seen over a shoulder or in a log cannot be replayed
/// (RFC 6238, section 5.2). Returns the step the code matched, to be stored as the
/// new `last_used_step`.
pub fn verify(secret: &TotpSecret, typed: &str, unix_seconds: i64, last_used_step: Option<i64>) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS || !typed.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_seconds);
    (now - DRIFT_STEPS..=now + DRIFT_STEPS)
        .filter(|step| last_used_step.is_none_or(|last| *step > last))
        .find(|step| constant_time_eq(code_at_step(secret, *step).as_bytes(), typed.as_bytes()))
}

/// Whether the typed text looks like an app's code (six digits) rather than a
/// recovery code, so the login page takes either in one field.
pub fn looks_like_code(typed: &str) -> bool {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == DIGITS && digits.chars().all(|c| c.is_ascii_digit())
}

/// A recovery code as it is shown once: 16 base32 characters in groups of four.
pub fn format_recovery_code(random: &[u8; RECOVERY_CODE_BYTES]) -> String {
    let text = base32_encode(random);
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// A typed recovery code in the form it is hashed in: upper case, without dashes
/// or spaces; `None` when it cannot be one (wrong length or characters).
pub fn normalize_recovery_code(typed: &str) -> Option<String> {
    let text: String =
        typed.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    let expected = (RECOVERY_CODE_BYTES * 8).div_ceil(5);
    (text.len() == expected && text.chars().all(|c| ALPHABET.contains(&(c as u8)))).then_some(text)
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

fn base32_decode(text: &str) -> Result<Vec<u8>, SecretError> {
    let mut out = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let upper = c.to_ascii_uppercase();
        let value = ALPHABET.iter().position(|a| char::from(*a) == upper).ok_or(SecretError::Character(c))?;
        buffer = (buffer << 5) | value as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Ok(out)
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Compares without stopping at the first difference, so the time taken says
/// nothing about how much of a code was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 secret: "12345678901234567890" in ASCII.
    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(*b"12345678901234567890")
    }

    #[test]
    fn hotp_gives_the_codes_of_rfc_4226_appendix_d() {
        let expected =
            ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(hotp(&rfc_secret(), counter as u64), *code, "counter {counter}");
        }
    }

    #[test]
    fn totp_gives_the_codes_of_rfc_6238_appendix_b() {
        // The RFC lists eight digits; six are the same number modulo 10^6.
        for (time, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code_at_step(&rfc_secret(), step_at(time)), eight[2..], "time {time}");
        }
    }

    #[test]
    fn a_code_is_taken_one_step_either_side_and_only_once() {
        let s = rfc_secret();
        let now = 1_234_567_890;
        let step = step_at(now);
        for offset in [-1, 0, 1] {
            assert_eq!(verify(&s, &code_at_step(&s, step + offset), now, None), Some(step + offset));
        }
        assert_eq!(verify(&s, &code_at_step(&s, step + 2), now, None), None, "two steps ahead");
        assert_eq!(verify(&s, &code_at_step(&s, step - 2), now, None), None, "two steps old");
        // Spent: the same code again, or an older one, is refused.
        assert_eq!(verify(&s, &code_at_step(&s, step), now, Some(step)), None);
        assert_eq!(verify(&s, &code_at_step(&s, step - 1), now, Some(step)), None);
        assert_eq!(verify(&s, &code_at_step(&s, step + 1), now, Some(step)), Some(step + 1));
        // Typed with a space in the middle, as apps show it.
        let spaced = code_at_step(&s, step);
        assert_eq!(verify(&s, &format!("{} {}", &spaced[..3], &spaced[3..]), now, None), Some(step));
        assert_eq!(verify(&s, "12345", now, None), None);
        assert_eq!(verify(&s, "abcdef", now, None), None);
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_encode(b"f"), "MY");
        assert_eq!(base32_decode("MZXW6YTBOI").unwrap(), b"foobar");
        assert_eq!(base32_decode("mzxw 6ytb oi======").unwrap(), b"foobar");
        let s = TotpSecret::from_bytes([7; SECRET_BYTES]);
        assert_eq!(TotpSecret::from_base32(&s.to_base32()).unwrap(), s);
        assert_eq!(TotpSecret::from_base32(&s.grouped()).unwrap(), s);
        assert_eq!(TotpSecret::from_base32("MZXW6YTBOI"), Err(SecretError::Length(6)));
        assert_eq!(TotpSecret::from_base32("MZ1"), Err(SecretError::Character('1')));
        assert_eq!(format!("{s:?}"), "TotpSecret(…)", "never printed");
    }

    #[test]
    fn the_otpauth_address_names_issuer_and_account_encoded() {
        let uri = rfc_secret().otpauth_uri("Opsøg Aarhus", "leder");
        assert!(
            uri.starts_with("otpauth://totp/Ops%C3%B8g%20Aarhus:leder?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&"),
            "{uri}"
        );
        assert!(uri.contains("&digits=6&period=30"), "{uri}");
    }

    #[test]
    fn recovery_codes_are_sixteen_characters_and_read_back_however_typed() {
        let code = format_recovery_code(&[0xA5; RECOVERY_CODE_BYTES]);
        assert_eq!(code.len(), 19, "{code}");
        assert_eq!(code.matches('-').count(), 3);
        let plain = code.replace('-', "");
        assert_eq!(normalize_recovery_code(&code).as_deref(), Some(plain.as_str()));
        assert_eq!(normalize_recovery_code(&code.to_lowercase().replace('-', " ")).as_deref(), Some(plain.as_str()));
        assert_eq!(normalize_recovery_code("123456"), None);
        assert_eq!(normalize_recovery_code(&format!("{plain}A")), None);
        assert!(looks_like_code(" 123 456 "));
        assert!(!looks_like_code(&code));
    }

    #[test]
    fn coordinators_and_admins_always_need_it_others_when_configured() {
        assert!(required(Role::Coordinator, &[]));
        assert!(required(Role::Admin, &[]));
        assert!(!required(Role::Caseworker, &[]));
        assert!(required(Role::Caseworker, &[Role::Caseworker]));
        assert!(!required(Role::Partner, &[Role::Caseworker]));
    }
}
