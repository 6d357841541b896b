//! Report writers (table, JSON) and terminal escaping.
