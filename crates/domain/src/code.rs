//! Enums stored as short text codes ("coordinator", "view_person", "digital_post").
//!
//! The codes are written to databases, audit logs and form values, so a code is never
//! changed once shipped; a new variant gets a new code. `code_enum!` is the one way of
//! writing such an enum, in every crate:
//!
//! ```
//! domain::code_enum! {
//!     /// How a letter reaches her.
//!     #[derive(Default)]
//!     pub enum Delivery {
//!         #[default]
//!         DigitalPost = "digital_post",
//!         Paper = "paper",
//!     }
//! }
//! assert_eq!(Delivery::ALL, [Delivery::DigitalPost, Delivery::Paper]);
//! assert_eq!(Delivery::Paper.code(), "paper");
//! assert_eq!(Delivery::from_code("digital_post"), Some(Delivery::DigitalPost));
//! assert_eq!(Delivery::from_code("Paper"), None);
//! ```
//!
//! It derives `Debug, Clone, Copy, PartialEq, Eq, Hash` and gives `ALL` (every
//! variant, in declaration order), `code()` and `from_code()` (the exact code, nothing
//! else: an enum that also accepts aliases or other spellings says so in a method of
//! its own). Further derives (`Default`, `PartialOrd`, serde), `#[serde(..)]` and
//! `#[default]` go in as attributes, on the enum or its variants, and keep their usual
//! meaning. Two variants with the same code do not compile.

/// An enum stored as text codes; see the module [`code`](crate::code).
///
/// A code used twice is refused when the crate is built:
///
/// ```compile_fail
/// domain::code_enum! {
///     pub enum Twice { First = "same", Second = "same" }
/// }
/// ```
#[macro_export]
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $code:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$variant_meta])* $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            /// The code it is stored and sent as.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            /// The variant whose code is exactly `code`.
            pub fn from_code(code: &str) -> ::core::option::Option<$name> {
                match code {
                    $($code => ::core::option::Option::Some($name::$variant),)+
                    _ => ::core::option::Option::None,
                }
            }
        }

        const _: () = ::core::assert!(
            $crate::code::distinct(&[$($code),+]),
            ::core::concat!("two variants of ", ::core::stringify!($name), " share a code"),
        );
    };
}

/// Whether no two of `codes` are equal; `code_enum!` checks it at compile time.
#[doc(hidden)]
pub const fn distinct(codes: &[&str]) -> bool {
    let mut i = 0;
    while i < codes.len() {
        let mut j = i + 1;
        while j < codes.len() {
            if same(codes[i].as_bytes(), codes[j].as_bytes()) {
                return false;
            }
            j += 1;
        }
        i += 1;
    }
    true
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::distinct;
    use serde::{Deserialize, Serialize};

    crate::code_enum! {
        /// A plain one: no Default, no serde.
        enum Plain { First = "first", SecondOne = "second_one", Third = "3" }
    }

    crate::code_enum! {
        #[derive(Default, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub(crate) enum Rich {
            Low = "low",
            /// A documented variant with the default.
            #[default]
            Middle = "mid",
            #[serde(rename = "up")]
            High = "high",
        }
    }

    #[test]
    fn all_is_every_variant_in_declaration_order() {
        assert_eq!(Plain::ALL, [Plain::First, Plain::SecondOne, Plain::Third]);
        assert_eq!(Rich::ALL, [Rich::Low, Rich::Middle, Rich::High]);
    }

    #[test]
    fn codes_are_the_given_strings_and_round_trip() {
        let codes: Vec<&str> = Plain::ALL.iter().map(|v| v.code()).collect();
        assert_eq!(codes, ["first", "second_one", "3"]);
        assert_eq!(Rich::Middle.code(), "mid");
        for v in Plain::ALL {
            assert_eq!(Plain::from_code(v.code()), Some(v));
        }
        for v in Rich::ALL {
            assert_eq!(Rich::from_code(v.code()), Some(v));
        }
    }

    #[test]
    fn from_code_takes_the_exact_code_only() {
        for near in ["", "First", "FIRST", " first", "first ", "second-one", "SecondOne", "middle", "Middle"] {
            assert_eq!(Plain::from_code(near), None, "{near:?}");
            assert_eq!(Rich::from_code(near), None, "{near:?}");
        }
    }

    #[test]
    fn attributes_passed_in_keep_their_meaning() {
        assert_eq!(Rich::default(), Rich::Middle);
        assert!(Rich::Low < Rich::High);
        // serde follows its own attributes, not the codes: `Middle` is "middle" to serde.
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct Row {
            v: Rich,
        }
        let text = |v: Rich| toml::to_string(&Row { v }).unwrap();
        assert_eq!(text(Rich::Low).trim(), "v = \"low\"");
        assert_eq!(text(Rich::Middle).trim(), "v = \"middle\"");
        assert_eq!(text(Rich::High).trim(), "v = \"up\"");
        let back: Row = toml::from_str("v = \"up\"").unwrap();
        assert_eq!(back, Row { v: Rich::High });
    }

    /// The name serde gives `v`, and whether that name reads back as `v`.
    fn serde_name<T>(v: T) -> (String, bool)
    where
        T: Serialize + for<'de> Deserialize<'de> + PartialEq + Copy,
    {
        #[derive(Serialize, Deserialize)]
        struct Row<T> {
            v: T,
        }
        let text = toml::to_string(&Row { v }).unwrap();
        let back: Row<T> = toml::from_str(&text).unwrap();
        let name = text.trim().trim_start_matches("v = ").trim_matches('"').to_string();
        (name, back.v == v)
    }

    /// Serde's names are part of what is stored and sent, as the codes are, and
    /// `code_enum!` leaves them to the enum's own attributes. Where the enum says
    /// `rename_all = "snake_case"` they are its codes; person.rs's enums never had a
    /// rename, so theirs are the variant names.
    #[test]
    fn serde_names_are_as_the_enums_say() {
        use crate::funnel::{Channel, EventKind, Stage};
        use crate::person::{DanishLevel, Education, Network, SourceKind, WorkExperience};
        use crate::policy::Role;
        macro_rules! names_are {
            ($name:expr, $($enum:ty),+) => {$(
                for v in <$enum>::ALL {
                    assert_eq!(serde_name(v), ($name(v), true), "{v:?}");
                }
            )+};
        }
        names_are!(|v: Role| v.code().to_string(), Role);
        names_are!(|v: Stage| v.code().to_string(), Stage);
        names_are!(|v: Channel| v.code().to_string(), Channel);
        names_are!(|v: EventKind| v.code().to_string(), EventKind);
        names_are!(|v| format!("{v:?}"), DanishLevel, Education, WorkExperience, Network, SourceKind);
        assert_eq!(serde_name(WorkExperience::AbroadOnly).0, "AbroadOnly");
        assert_eq!(WorkExperience::AbroadOnly.code(), "abroad");
        // A letter check's rule serialises (only) as its code, by a hand-written impl.
        for r in crate::letter_check::Rule::ALL {
            assert_eq!(toml::Value::try_from(r).unwrap().as_str(), Some(r.code()));
        }
    }

    #[test]
    fn distinct_finds_a_repeated_code() {
        assert!(distinct(&["a", "b", "ab"]));
        assert!(distinct(&[]));
        assert!(!distinct(&["a", "b", "a"]));
        assert!(!distinct(&["same", "same"]));
        assert!(distinct(&["abc", "abd", "ab"]));
    }
}
