//! `trail-vpce verify`: reads the sources, loads CloudTrail's public keys (a saved `list-public-keys` file
//! or the ListPublicKeys API), judges every digest and log file, writes the report. Exit 1 when any evidence
//! fails (the verdict is `failed`).

#[cfg(not(feature = "aws"))]
use super::{AppError, RunOutcome};

#[cfg(not(feature = "aws"))]
pub fn run(_task: crate::cli::VerifyTask) -> Result<RunOutcome, AppError> {
    // `cli` refuses `verify` in a build without the feature, naming it; this is never reached.
    Err(AppError::Usage("verify needs the `aws` feature".to_owned()))
}

#[cfg(feature = "aws")]
pub use with_aws::run;

#[cfg(feature = "aws")]
mod with_aws {
    use std::io::Write;

    use crate::app::{AppError, RunOutcome};
    use crate::cli::{VerifyFormat, VerifyTask};
    use crate::ingest::InputStats;
    use crate::report::rows::{self, View};
    use crate::report::{self, Human, write_input_summary};
    use crate::verify::gather::{Gathered, gather};
    use crate::verify::pass::load_keys;
    use crate::verify::{VerifyReport, evaluate};

    pub fn run(task: VerifyTask) -> Result<RunOutcome, AppError> {
        let (ingest, output) = (&task.shared.ingest, &task.shared.output);
        let Gathered { digests, logs, stats } = gather(ingest)?;
        let keys = load_keys(&task.public_keys, &digests, &ingest.remote).map_err(AppError::Usage)?;
        let body = evaluate(&digests, &logs, &keys);
        let mut out = report::open_output(output.output.as_deref())?;
        match task.format {
            VerifyFormat::Json => report::write_envelope(&mut out, "verify", output.window, &stats, &body)?,
            VerifyFormat::Table => write_human(&mut Human::new(&mut out), &body, &stats)?,
        }
        out.finish()?;
        Ok(if body.failed() { RunOutcome::Findings } else { RunOutcome::Clean })
    }

    /// Paths are the point of these tables: shown whole up to this width.
    const WIDE: usize = 240;

    fn write_human(out: &mut Human<impl Write>, body: &VerifyReport, stats: &InputStats) -> std::io::Result<()> {
        let table = rows::table(&body.accounts, View::PLAIN);
        if table.is_empty() {
            writeln!(out, "no CloudTrail log or digest files in the input")?;
        } else {
            out.table(&table)?;
        }
        let bad_digests = rows::table(body.digests.iter().filter(|d| d.status != "valid"), View::PLAIN);
        if !bad_digests.is_empty() {
            writeln!(out)?;
            out.table(&bad_digests.max_width(WIDE))?;
        }
        for missing in &body.missing_digests {
            writeln!(out, "missing digest: {} (named by {})", missing.path, missing.referenced_by)?;
        }
        for restart in &body.chain_restarts {
            writeln!(out, "note: a new digest chain starts at {restart} (validation or logging was off before it)")?;
        }
        if !body.files.is_empty() {
            writeln!(out)?;
            out.table(&rows::table(&body.files, View::PLAIN).max_width(WIDE))?;
        }
        writeln!(out)?;
        let t = &body.totals;
        writeln!(
            out,
            "verdict: {}: {} log files verified, {} modified, {} invalid, {} deleted, {} not covered; {} digests valid, {} invalid, {} unchecked, {} missing ({} public keys)",
            body.verdict,
            t.files_verified,
            t.files_modified,
            t.files_invalid,
            t.files_deleted,
            t.files_not_covered,
            t.digests_valid,
            t.digests_invalid,
            t.digests_unchecked,
            t.digests_missing,
            body.public_keys
        )?;
        write_input_summary(out, stats)
    }
}
