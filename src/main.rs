//! The `shortfall` command: parses arguments, runs the command, maps errors
//! to exit codes (2: bad input or usage, 1: failure while running).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::main() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("Error: {err:#}");
            let input = err
                .downcast_ref::<shortfall::Error>()
                .is_some_and(shortfall::Error::is_input);
            ExitCode::from(if input { 2 } else { 1 })
        }
    }
}
