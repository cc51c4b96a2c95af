//! Scenario files: parsing ([`raw`]), `extends` and `--set` ([`merge`]),
//! checking ([`validate`]) and compiling into the engine's [`Model`].

pub mod merge;
pub mod model;
pub mod raw;
pub mod validate;

use std::path::Path;

pub use model::Model;
pub use validate::{Scenario, Step, Trigger};

use crate::error::{Error, Problem};

/// Loads a scenario file, follows `extends`, applies `--set PATH=VALUE`
/// overrides in order, and validates the result.
pub fn load(path: &Path, sets: &[String]) -> Result<Scenario, Error> {
    let mut root = merge::load_chain(path)?;
    let mut problems: Vec<Problem> = sets
        .iter()
        .filter_map(|arg| merge::apply_set(&mut root, arg).err())
        .collect();
    problems.extend(merge::apply_enabled(&mut root));
    if !problems.is_empty() {
        return Err(Error::Scenario {
            file: path.to_path_buf(),
            problems,
        });
    }
    validate::validate(&mut root).map_err(|problems| Error::Scenario {
        file: path.to_path_buf(),
        problems,
    })
}

/// Loads, validates and compiles a scenario into a [`Model`].
pub fn load_model(path: &Path, sets: &[String]) -> Result<Model, Error> {
    let scenario = load(path, sets)?;
    Model::compile(scenario).map_err(|message| {
        Error::scenario(
            path,
            Problem {
                location: String::new(),
                field: String::new(),
                message,
            },
        )
    })
}
