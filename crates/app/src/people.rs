//! Use cases on one woman and on the people list: her page, create and edit her, events, voiding, contact person, consents, revealing her CPR (issue 11: moved out of the web handlers).
