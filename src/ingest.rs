//! The parallel pipeline: sources → decode → filter → analyzers, keeping the input books.
