//! The call list and call outcomes (G-5.7, G-2.4) as use cases.
