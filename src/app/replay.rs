//! `--policy VPCE=FILE`: loading endpoint policies for replay (interim: the policy engine lands next).

use std::sync::Arc;

use super::AppError;
use crate::analyze::denied::Replayer;

/// Loads the policies given on the command line into a replayer; `None` when none were given.
pub fn load(policies: &[String]) -> Result<Option<Arc<dyn Replayer>>, AppError> {
    if policies.is_empty() {
        return Ok(None);
    }
    Err(AppError::Usage("--policy needs the policy engine, which this build does not have yet".to_owned()))
}
