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
    use crate::app::{AppError, RunOutcome};
    use crate::cli::{VerifyFormat, VerifyTask};
    use crate::report::{self, Human};
    use crate::verify::evaluate;
    use crate::verify::gather::{Gathered, gather};
    use crate::verify::pass::load_keys;

    pub fn run(task: VerifyTask) -> Result<RunOutcome, AppError> {
        let (ingest, output) = (&task.shared.ingest, &task.shared.output);
        let Gathered { digests, logs, stats } = gather(ingest)?;
        let keys = load_keys(&task.public_keys, &digests, &ingest.remote).map_err(AppError::Usage)?;
        let body = evaluate(&digests, &logs, &keys);
        let mut out = report::open_output(output.output.as_deref())?;
        match task.format {
            VerifyFormat::Json => report::write_envelope(&mut out, "verify", output.window, &stats, &body)?,
            VerifyFormat::Table => report::command::verify::write_human(&mut Human::new(&mut out), &body, &stats)?,
        }
        out.finish()?;
        Ok(if body.failed() { RunOutcome::Findings } else { RunOutcome::Clean })
    }
}
