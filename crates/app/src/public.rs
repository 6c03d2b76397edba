//! Her public pages as use cases: her answer to a letter and the open door (G-8.5).
