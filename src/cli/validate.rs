//! `shortfall validate FILE...`

use std::process::ExitCode;

use super::ValidateArgs;

/// Checks every file, printing all problems; exit code 2 if any file is invalid.
pub fn validate(args: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let mut bad = 0;
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
                eprintln!("Error: {e}");
            }
        }
    }
    if bad > 0 {
        eprintln!("{bad} of {} files invalid", args.files.len());
        Ok(ExitCode::from(2))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}
