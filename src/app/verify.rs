//! `trail-vpce verify`: reads the sources, loads CloudTrail's public keys (a saved `list-public-keys` file
//! or the ListPublicKeys API), judges every digest and log file, writes the report. Exit 1 when any evidence
//! fails (the verdict is `failed`).

#[cfg(not(feature = "aws"))]
use super::{AppError, Outcome};

#[cfg(not(feature = "aws"))]
pub fn run(_task: crate::cli::VerifyTask) -> Result<Outcome, AppError> {
    // `cli` refuses `verify` in a build without the feature, naming it; this is never reached.
    Err(AppError::Usage("verify needs the `aws` feature".to_owned()))
}

#[cfg(feature = "aws")]
pub use with_aws::run;

#[cfg(feature = "aws")]
mod with_aws {
    use std::io::Write;

    use crate::app::{AppError, Outcome};
    use crate::cli::{VerifyFormat, VerifyTask};
    use crate::ingest::InputStats;
    use crate::report::{self, Human, Table, write_input_summary};
    use crate::verify::gather::{Gathered, gather};
    use crate::verify::pass::load_keys;
    use crate::verify::{Counts, VerifyReport, evaluate};

    pub fn run(task: VerifyTask) -> Result<Outcome, AppError> {
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
        Ok(if body.failed() { Outcome::Findings } else { Outcome::Clean })
    }

    /// Paths are the point of these tables: shown whole up to this width.
    const WIDE: usize = 240;

    fn counts_row(counts: &Counts) -> Vec<String> {
        [
            counts.files_verified,
            counts.files_modified,
            counts.files_invalid,
            counts.files_deleted,
            counts.files_not_covered,
            counts.digests_valid,
            counts.digests_invalid,
            counts.digests_unchecked,
            counts.digests_missing,
        ]
        .iter()
        .map(u64::to_string)
        .collect()
    }

    fn write_human(out: &mut Human<impl Write>, body: &VerifyReport, stats: &InputStats) -> std::io::Result<()> {
        let mut table = Table::new(&[
            "ACCOUNT",
            "REGION",
            "VERIFIED",
            "MODIFIED",
            "INVALID",
            "DELETED",
            "NOT COVERED",
            "DIGESTS OK",
            "DIGESTS BAD",
            "UNCHECKED",
            "MISSING",
        ]);
        for group in &body.accounts {
            let mut row = vec![group.account.clone(), group.region.clone()];
            row.extend(counts_row(&group.counts));
            table.row(row);
        }
        if table.is_empty() {
            writeln!(out, "no CloudTrail log or digest files in the input")?;
        } else {
            out.table(&table)?;
        }
        let bad_digests: Vec<_> = body.digests.iter().filter(|d| d.status != "valid").collect();
        if !bad_digests.is_empty() {
            writeln!(out)?;
            let mut table = Table::new(&["DIGEST", "STATUS", "REASON", "DETAIL"]).max_width(WIDE);
            for d in bad_digests {
                table.row(vec![
                    d.path.clone(),
                    d.status.to_owned(),
                    d.reason.map(|r| r.as_str().to_owned()).unwrap_or_default(),
                    d.detail.clone().unwrap_or_default(),
                ]);
            }
            out.table(&table)?;
        }
        for missing in &body.missing_digests {
            writeln!(out, "missing digest: {} (named by {})", missing.path, missing.referenced_by)?;
        }
        for restart in &body.chain_restarts {
            writeln!(out, "note: a new digest chain starts at {restart} (validation or logging was off before it)")?;
        }
        if !body.files.is_empty() {
            writeln!(out)?;
            let mut table = Table::new(&["FILE", "STATUS", "LISTED IN", "DETAIL"]).max_width(WIDE);
            for f in &body.files {
                let listed_in = f.digest.as_deref().map(|d| d.rsplit(['/', '\\']).next().unwrap_or(d));
                table.row(vec![
                    f.path.clone(),
                    f.status.as_str().to_owned(),
                    listed_in.unwrap_or_default().to_owned(),
                    f.detail.clone().unwrap_or_default(),
                ]);
            }
            out.table(&table)?;
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
