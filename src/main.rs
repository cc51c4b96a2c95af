//! The `shortfall` command: parses arguments, runs the command, maps errors
//! to exit codes in one place ([`shortfall::Error::exit_code`]: 2 for bad
//! input, usage or a run too large for the machine, 1 for a failure while
//! writing).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::main() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("Error: {err:#}");
            // The library's errors carry their exit code; anything else is a
            // failure while running.
            let code = match err.downcast_ref::<shortfall::Error>() {
                Some(shortfall::Error::Interrupted) => cli::interrupt::exit_code(),
                Some(e) => e.exit_code(),
                None => 1,
            };
            ExitCode::from(code)
        }
    }
}
