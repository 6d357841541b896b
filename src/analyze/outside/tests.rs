//! Analyzer tests on hand-built events.
