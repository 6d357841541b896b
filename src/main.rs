//! The `trail-vpce` binary: parse arguments, run, map the result to an exit code.

#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

use std::process::ExitCode;

use clap::Parser;
use trail_vpce::app::{self, RunOutcome};
use trail_vpce::cli::Cli;

#[cfg(all(unix, not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: trail_vpce::alloc::SplitAllocator = trail_vpce::alloc::SplitAllocator;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match app::run(cli) {
        Ok(RunOutcome::Clean) => ExitCode::SUCCESS,
        Ok(RunOutcome::Findings) => ExitCode::from(1),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(trail_vpce::report::human::stderr(), "trail-vpce: error: {e}");
            ExitCode::from(2)
        }
    }
}
