//! Letter templates per language (G-5.6, G-8.4) as use cases.
