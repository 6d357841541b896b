//! Analyzers: one accumulator per command, folded per worker and merged.

pub mod classify;
pub mod counter;
pub mod denied;
pub mod scan;
