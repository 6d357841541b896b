//! Analyzers: one accumulator per command, folded per worker and merged; and `export`, a record sink outside
//! that fold (its rows are the normalized events, written in input order).

pub mod aws_owned;
pub mod check;
pub mod classify;
pub mod counter;
pub mod denied;
pub mod export;
pub mod integrity;
pub mod outside;
pub mod propose;
pub mod replay;
pub mod scan;
pub mod series;
pub mod small_set;
pub mod timeline;
pub mod trust;
