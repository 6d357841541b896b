//! Command-line definitions (clap) and the shared flags, resolved once into plain configs: no clap type
//! goes past this module.

mod common;
mod time_arg;

use clap::{Parser, Subcommand};

pub use common::{CommonArgs, Format, OutputConfig, Resolved};
pub use time_arg::{parse_duration_millis, parse_instant, parse_time_arg};

/// Stream CloudTrail and S3 server access logs and answer questions about VPC endpoints.
#[derive(Debug, Parser)]
#[command(name = "trail-vpce", version, about, long_about = None, max_term_width = 110)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inventory: per endpoint, records, first/last seen, services, top principals and actions, denials.
    Scan(ScanArgs),
}

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// How many principals and actions to list per endpoint.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
}
