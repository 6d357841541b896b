//! Runs a command whose flags `cli` resolved into a [`Task`]: load the settings, run the pipeline with the
//! command's analyzer, write the report. Maps every failure to the exit-code contract (0 ok, 1 findings, 2 usage
//! or input error).

mod check;
mod denied;
mod export;
mod integrity;
mod ls;
mod outside;
mod policy_cmd;
mod policy_input;
mod propose;
mod report;
mod scan;
mod timeline;
mod verify;

use std::io;

use crate::cli::{Cli, OutputConfig, Shared, Task};
use crate::config::Settings;
use crate::ingest::{IngestError, InputStats};
use crate::report::human::stdout_is_terminal;
use crate::report::warn;

/// How a successful run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// Nothing to flag.
    Clean,
    /// Findings that `--fail-on-findings` (or `check`) turns into exit status 1.
    Findings,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error("input problems and --strict was given: {0}")]
    Strict(String),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Tabular(#[from] crate::report::tabular::TabularError),
    #[error(transparent)]
    Propose(#[from] crate::analyze::propose::ProposeError),
    #[error("cannot write the report: {0}")]
    Output(#[from] io::Error),
}

impl From<crate::report::rows::RowsError> for AppError {
    fn from(e: crate::report::rows::RowsError) -> AppError {
        match e {
            crate::report::rows::RowsError::Io(e) => AppError::Output(e),
            crate::report::rows::RowsError::Tabular(e) => AppError::Tabular(e),
        }
    }
}

impl AppError {
    /// True when the error is a closed stdout (`trail-vpce ... | head`): not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, AppError::Output(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// Resolves the command's flags and runs it.
pub fn run(cli: Cli) -> Result<RunOutcome, AppError> {
    run_task(cli.resolve().map_err(AppError::Usage)?)
}

/// Runs a resolved command.
pub fn run_task(task: Task) -> Result<RunOutcome, AppError> {
    match task {
        Task::Scan(task) => scan::run(task),
        Task::Denied(task) => denied::run(task),
        Task::Timeline(task) => timeline::run(task),
        Task::Export(task) => export::run(task),
        Task::Check(task) => check::run(task),
        Task::Eval(task) => policy_cmd::eval(&task),
        Task::Lint(task) => policy_cmd::lint(&task),
        Task::Outside(task) => outside::run(task),
        Task::Propose(task) => propose::run(task),
        Task::Report(task) => report::run(task),
        Task::Verify(task) => verify::run(task),
        Task::Ls(task) => ls::run(task),
        Task::Completions(shell) => generated(|out| crate::cli::write_completions(shell, out)),
        Task::Man => generated(crate::cli::write_man),
    }
}

/// Runs `work` on a pool of `--threads` workers (all cores when not given), as the ingest does: the work after
/// the fold (propose's replays) keeps to the same limit.
fn with_threads<T: Send>(threads: Option<usize>, work: impl FnOnce() -> T + Send) -> Result<T, AppError> {
    let threads = threads.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| AppError::Ingest(IngestError::ThreadPool { threads, source }))?;
    Ok(pool.install(work))
}

/// Writes a generated file (completion script, manual page) on stdout.
fn generated(write: impl FnOnce(&mut dyn io::Write) -> io::Result<()>) -> Result<RunOutcome, AppError> {
    let mut out = crate::report::open_output(None)?;
    write(&mut out)?;
    out.finish()?;
    Ok(RunOutcome::Clean)
}

/// Loads the configuration (with the command's overrides); S3 access log lines from configured endpoint
/// networks are attributed to their endpoint.
fn prepare(shared: &mut Shared) -> Result<Settings, AppError> {
    let settings = Settings::load(shared.config.as_deref(), &shared.overrides)?;
    shared.ingest.endpoint_networks = settings.s3_endpoint_networks();
    Ok(settings)
}

/// Parquet is binary: refuse to write it to a terminal (use --output FILE or a pipe).
fn refuse_binary_on_terminal(
    format: crate::report::tabular::TabularFormat,
    output: Option<&std::path::Path>,
) -> Result<(), AppError> {
    if format == crate::report::tabular::TabularFormat::Parquet && output.is_none() && stdout_is_terminal() {
        return Err(AppError::Usage("parquet is binary: give --output FILE or redirect stdout".to_owned()));
    }
    Ok(())
}

/// After the pipeline: refuse under `--strict`, else warn on stderr about what could not be read.
fn check_input(stats: &InputStats, output: &OutputConfig) -> Result<(), AppError> {
    if output.strict && stats.has_problems() {
        let first = stats
            .bad_files
            .first()
            .map(|b| format!("{}: {}", b.path, b.error))
            .or_else(|| stats.bad_record_samples.first().map(|s| format!("{} {}: {}", s.path, s.location, s.reason)))
            .unwrap_or_default();
        return Err(AppError::Strict(format!(
            "{} bad files, {} bad records; first: {}",
            stats.bad_files.len(),
            stats.bad_records,
            first
        )));
    }
    if !output.quiet {
        for bad in &stats.bad_files {
            let recovered = bad.recovered_records.map(|n| format!(" ({n} records recovered)")).unwrap_or_default();
            warn(format_args!("{}: {}{}", bad.path, bad.error, recovered));
        }
        if stats.bad_records > 0 {
            warn(format_args!(
                "{} records rejected (see input.bad_record_samples in --format json)",
                stats.bad_records
            ));
        }
    }
    Ok(())
}
