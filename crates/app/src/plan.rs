//! The initiative plan (G-4, G-5.3) as use cases: versions and their approval.
