//! Intro meetings as use cases.
