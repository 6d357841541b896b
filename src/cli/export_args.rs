//! `export` flags.

use std::path::PathBuf;

use super::CommonArgs;

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// The folder to write `date=YYYY-MM-DD/part-N.parquet` files into (must be new or empty).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Rows each worker buffers before writing Parquet files (a 2 MiB limit applies too; bounds memory).
    #[arg(long, value_name = "ROWS", default_value_t = 4_096)]
    pub batch_rows: usize,
}
