//! Analyzers: one accumulator per command, folded per worker and merged.
