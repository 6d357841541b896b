//! The `trail-vpce` binary: parse arguments, run, map the result to an exit code.

use std::process::ExitCode;

use clap::Parser;
use trail_vpce::app::{self, Outcome};
use trail_vpce::cli::Cli;
use trail_vpce::report::escape_terminal;

#[cfg(all(unix, not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: trail_vpce::alloc::SplitAllocator = trail_vpce::alloc::SplitAllocator;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match app::run(cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("trail-vpce: error: {}", escape_terminal(&e.to_string()));
            ExitCode::from(2)
        }
    }
}
