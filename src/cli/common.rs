//! The flag group every command shares, and its resolution into a [`Shared`] config: an [`IngestConfig`],
//! an [`OutputConfig`], the config file and the flags that override it. The `--format` flag is here too, typed
//! by each command's own format enum (see [`super::formats`]).

use std::path::PathBuf;

use super::formats::FormatChoice;
use super::time_arg::{parse_instant, parse_time_arg};
use crate::config::Overrides;
use crate::decode::DecodeOptions;
use crate::ingest::{Filter, IngestConfig};
use crate::model::{AccountId, Timestamp, VpceId};
use crate::report::Window;
use crate::source::remote::RemoteConfig;

/// The shared flags; `F` is the command's `--format` enum.
#[derive(Debug, clap::Args)]
pub struct CommonArgs<F: FormatChoice> {
    /// Log files, folders (read recursively), archives (.tar, .tar.gz, .zip), - for stdin, s3://bucket/prefix,
    /// or cloudtrail:lookup (the LookupEvents API).
    #[arg(value_name = "SOURCE", required_unless_present = "lookup")]
    pub sources: Vec<String>,
    /// Follow symlinks inside folders (by default they are skipped and counted, as in ripgrep and fd: a link
    /// may point anywhere on the disk). A symlink named as a SOURCE is always read.
    #[arg(long, short = 'L')]
    pub follow: bool,
    /// Only events at or after this time: a duration before --at (90m, 24h, 7d), RFC 3339, or YYYY-MM-DD.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only events before this time (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// The "now" that relative times count back from (default: the current time). Use it to replay a
    /// past day, e.g. --at 2026-11-21T12:00:00Z --since 24h.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Only requests through these VPC endpoints (repeatable or comma-separated).
    #[arg(long, value_name = "VPCE_ID", value_delimiter = ',')]
    pub vpce: Vec<String>,
    /// Only records involving these accounts: recipient, principal or endpoint owner.
    #[arg(long, value_name = "ACCOUNT_ID", value_delimiter = ',')]
    pub account: Vec<String>,
    /// Only these regions.
    #[arg(long, value_name = "REGION", value_delimiter = ',')]
    pub region: Vec<String>,
    /// Only these services (s3, dynamodb, or an event source such as kms.amazonaws.com).
    #[arg(long, value_name = "SERVICE", value_delimiter = ',')]
    pub service: Vec<String>,
    /// Configuration file (trusted accounts, endpoints, policies, protected resources): see README.
    #[arg(long, value_name = "FILE", env = "TRAIL_VPCE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = F::DEFAULT)]
    pub format: F,
    /// Write the report to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// No progress bar and no warnings on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Fail (exit 2) if any file or record cannot be read, instead of reporting it and going on.
    #[arg(long)]
    pub strict: bool,
    /// Cap on the decompressed size of one gzip stream (decompression-bomb guard).
    #[arg(long, value_name = "BYTES", default_value_t = DecodeOptions::default().max_decompressed_bytes)]
    pub max_decompressed_bytes: u64,
    /// Largest single record or log line accepted; larger ones are rejected and counted.
    #[arg(long, value_name = "BYTES", default_value_t = DecodeOptions::default().max_record_bytes)]
    pub max_record_bytes: usize,
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// How to reach AWS for `s3://` and `cloudtrail:lookup` sources. Credentials and the default region come from
/// the standard chain (environment, profile, SSO, web identity, instance metadata); nothing is ever written.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "AWS sources")]
pub struct AwsArgs {
    /// Also read the CloudTrail LookupEvents API (same as the source cloudtrail:lookup); management events only.
    #[arg(long)]
    pub lookup: bool,
    /// Named AWS profile (default: AWS_PROFILE, then "default").
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Endpoint URL for every AWS service (S3-compatible stores, local servers); AWS_ENDPOINT_URL_S3 and
    /// AWS_ENDPOINT_URL_CLOUDTRAIL are honoured too. Implies path-style S3 addressing.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Path-style S3 addressing (https://host/bucket/key).
    #[arg(long)]
    pub s3_path_style: bool,
    /// S3 objects fetched at once.
    #[arg(long, value_name = "N", default_value_t = crate::source::remote::DEFAULT_CONCURRENCY)]
    pub s3_concurrency: usize,
    /// Attempts per AWS request, the first included (default: AWS_MAX_ATTEMPTS or the SDK's 3). Throttling,
    /// 5xx and broken connections are retried with backoff.
    #[arg(long, value_name = "N")]
    pub aws_max_attempts: Option<u32>,
}

/// Where and how to print (the format is in each command's config: its type is the command's own).
#[derive(Debug, Clone)]
pub struct OutputConfig {
    pub output: Option<PathBuf>,
    pub quiet: bool,
    pub strict: bool,
    pub window: Window,
    /// The anchor of relative times (`--at`, default now).
    pub at: Timestamp,
}

/// The shared flags, resolved.
#[derive(Debug, Clone)]
pub struct Shared {
    pub ingest: IngestConfig,
    pub output: OutputConfig,
    /// `--config FILE`.
    pub config: Option<PathBuf>,
    /// The command's flags that override the config file (`--policy`, `--trusted-account`, ...).
    pub overrides: Overrides,
}

impl<F: FormatChoice> CommonArgs<F> {
    /// Resolves the flags (the command's overrides of the config file given); errors are usage errors (exit 2).
    pub fn resolve(&self, command: &str, overrides: Overrides) -> Result<(Shared, F), String> {
        check_format_built(command, self.format)?;
        let at = match &self.at {
            None => Timestamp::from_millis(jiff::Timestamp::now().as_millisecond()),
            Some(text) => parse_instant(text)
                .ok_or_else(|| format!("invalid --at {text:?}: use an RFC 3339 time or a date (YYYY-MM-DD)"))?,
        };
        let since =
            self.since.as_deref().map(|t| parse_time_arg(t, at)).transpose().map_err(|e| format!("--since: {e}"))?;
        let until =
            self.until.as_deref().map(|t| parse_time_arg(t, at)).transpose().map_err(|e| format!("--until: {e}"))?;
        if let (Some(since), Some(until)) = (since, until)
            && since >= until
        {
            return Err(format!("--since ({}) must be before --until ({})", since.to_rfc3339(), until.to_rfc3339()));
        }
        if self.threads == Some(0) {
            return Err("--threads must be at least 1".to_owned());
        }
        if self.aws.s3_concurrency == 0 {
            return Err("--s3-concurrency must be at least 1".to_owned());
        }
        let mut sources = self.sources.clone();
        if self.aws.lookup && !sources.iter().any(|s| s == crate::source::LOOKUP_SOURCE) {
            sources.push(crate::source::LOOKUP_SOURCE.to_owned());
        }
        let filter = Filter {
            since,
            until,
            vpces: self.vpce.iter().cloned().map(VpceId::from).collect(),
            accounts: self.account.iter().cloned().map(AccountId::from).collect(),
            regions: self.region.iter().cloned().collect(),
            services: self.service.iter().map(|s| s.to_ascii_lowercase()).collect(),
        };
        let remote = RemoteConfig {
            profile: self.aws.profile.clone(),
            regions: self.region.clone(),
            endpoint_url: self.aws.endpoint_url.clone(),
            path_style: self.aws.s3_path_style,
            concurrency: self.aws.s3_concurrency,
            max_attempts: self.aws.aws_max_attempts,
        };
        let ingest = IngestConfig {
            sources,
            follow_links: self.follow,
            decode: DecodeOptions {
                max_decompressed_bytes: self.max_decompressed_bytes,
                max_record_bytes: self.max_record_bytes.max(64),
                ..DecodeOptions::default()
            },
            filter,
            threads: self.threads,
            progress: !self.quiet && crate::report::human::stderr_is_terminal(),
            endpoint_networks: Vec::new(),
            remote,
        };
        let output = OutputConfig {
            output: self.output.clone(),
            quiet: self.quiet,
            strict: self.strict,
            window: Window { since, until },
            at,
        };
        Ok((Shared { ingest, output, config: self.config.clone(), overrides }, self.format))
    }
}

/// Refuses CSV and Parquet in a build without the `tabular` feature, naming the feature.
pub fn check_format_built<F: FormatChoice>(command: &str, format: F) -> Result<(), String> {
    if format.needs_tabular() && !cfg!(feature = "tabular") {
        let name = format.to_possible_value().map(|p| p.get_name().to_owned()).unwrap_or_default();
        return Err(format!(
            "{command} --format {name} needs CSV/Parquet support: this build has no `tabular` feature \
             (rebuild with --features tabular)"
        ));
    }
    Ok(())
}
