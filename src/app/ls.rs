//! `trail-vpce ls`: list the inputs a run with the same flags would read, with their sizes, reading none of
//! them. Table output is one line per input and a total; ndjson is one object per input
//! (`{"kind":"input","source":…,"bytes":…}`, or `skipped`/`failed` with the reason), for scripts and for the
//! Spark job in contrib/spark/, which batches the objects this lists.

use super::{AppError, RunOutcome};
use crate::cli::{LsFormat, LsTask};
use crate::ingest::{self, IngestError};
use crate::report::{self, Human, warn};
use crate::source::{self, listing::Listed};

/// What was listed, counted.
#[derive(Debug, Default)]
struct Totals {
    inputs: u64,
    bytes: u64,
    skipped: u64,
    failed: Vec<String>,
}

impl Totals {
    fn add(&mut self, listed: &Listed) {
        match listed {
            Listed::Input { bytes, .. } => {
                self.inputs += 1;
                self.bytes += bytes.unwrap_or_default();
            }
            Listed::Skipped { .. } => self.skipped += 1,
            Listed::Failed { source, error } => self.failed.push(format!("{source}: {error}")),
        }
    }
}

pub fn run(task: LsTask) -> Result<RunOutcome, AppError> {
    let (ingest, output) = (&task.shared.ingest, &task.shared.output);
    if ingest.sources.is_empty() {
        return Err(IngestError::NoSources.into());
    }
    let inputs = source::expand(&ingest.sources, ingest.follow_links);
    let mut out = report::open_output(output.output.as_deref())?;
    let mut totals = Totals::default();
    let mut written: std::io::Result<()> = Ok(());
    {
        let mut human = Human::new(&mut out);
        let mut write = |listed: Listed| {
            totals.add(&listed);
            if written.is_ok() {
                written = match task.format {
                    LsFormat::Ndjson => report::write_ndjson(human.inner_mut(), [&listed]),
                    LsFormat::Table => report::command::ls::write_line(&mut human, &listed),
                };
            }
        };
        source::listing::list(inputs, &ingest.remote, ingest::plan(ingest), &mut write).map_err(IngestError::from)?;
        written?;
        if task.format == LsFormat::Table {
            report::command::ls::write_total(
                &mut human,
                totals.inputs,
                totals.bytes,
                totals.skipped,
                totals.failed.len(),
            )?;
        }
    }
    out.finish()?;
    if output.strict && !totals.failed.is_empty() {
        return Err(AppError::Strict(format!(
            "{} inputs cannot be listed; first: {}",
            totals.failed.len(),
            totals.failed[0]
        )));
    }
    if !output.quiet {
        for failed in &totals.failed {
            warn(format_args!("{failed}"));
        }
    }
    Ok(RunOutcome::Clean)
}
