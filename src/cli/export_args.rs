//! `export` flags and their resolved config.

use std::path::PathBuf;

use super::common::{CommonArgs, Shared};
use super::formats::ExportFormat;
use crate::config::Overrides;

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub common: CommonArgs<ExportFormat>,
    /// The folder to write `date=YYYY-MM-DD/part-N.parquet` files into (must be new or empty).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Rows each worker buffers before writing Parquet files (a 2 MiB limit applies too; bounds memory).
    #[arg(long, value_name = "ROWS", default_value_t = 4_096)]
    pub batch_rows: usize,
}

/// `export`, resolved.
#[derive(Debug, Clone)]
pub struct ExportTask {
    pub shared: Shared,
    /// The folder the Parquet files go into.
    pub out: PathBuf,
    pub batch_rows: usize,
}

impl ExportArgs {
    pub fn resolve(&self) -> Result<ExportTask, String> {
        if !cfg!(feature = "tabular") {
            return Err("export writes Parquet, which needs the `tabular` feature: this build has none \
                        (rebuild with --features tabular)"
                .to_owned());
        }
        let (shared, ExportFormat::Parquet) = self.common.resolve("export", Overrides::default())?;
        Ok(ExportTask { shared, out: self.out.clone(), batch_rows: self.batch_rows })
    }
}
