//! The start page, the figures and the audit log as use cases.
