//! `shortfall validate FILE...`

use std::process::ExitCode;

use super::ValidateArgs;

/// Checks every file, printing all problems; the exit code is the highest of
/// the errors' codes ([`shortfall::Error::exit_code`]: 2 for an invalid or
/// unreadable file), 0 when every file is valid.
pub fn validate(args: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let mut bad = 0;
    let mut code = 0;
    for file in &args.files {
        match shortfall::scenario::load_model(file, &args.sets) {
            Ok(model) => println!(
                "ok: {} ({}: {} suppliers, {} substitutes, {} events, {} steps of one {})",
                file.display(),
                model.name,
                model.suppliers.len(),
                model.substitutes.len(),
                model.events.len(),
                model.steps,
                model.step.name()
            ),
            Err(e) => {
                bad += 1;
                code = code.max(e.exit_code());
                eprintln!("Error: {e}");
            }
        }
    }
    if bad > 0 {
        eprintln!("{bad} of {} files invalid", args.files.len());
        Ok(ExitCode::from(code))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}
