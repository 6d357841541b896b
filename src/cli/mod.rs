//! Command-line definitions and the shared flags, resolved into a plain `Config`.
