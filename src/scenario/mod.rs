//! Scenario files: parsing ([`raw`]), `extends` and `--set` ([`merge`]),
//! checking ([`validate`]) and compiling into the engine's [`Model`].

pub mod files;
pub mod merge;
pub mod model;
pub mod raw;
mod streams;
pub mod validate;

use std::path::Path;

pub use model::Model;
pub use validate::{Scenario, Step, Trigger};

use crate::error::{Error, Location, Problem};

/// Loads a scenario file, follows `extends`, applies `--set PATH=VALUE`
/// overrides in order, and validates the result.
pub fn load(path: &Path, sets: &[String]) -> Result<Scenario, Error> {
    let mut root = merge::load_chain(path)?;
    // The files' `enabled = false` first, so that `--set` sees the merged
    // scenario's entries (and cannot name a removed one); then again for an
    // `enabled = false` given with `--set`.
    let mut removed = Vec::new();
    let mut problems = merge::apply_enabled_listing(&mut root, &mut removed);
    problems.extend(
        sets.iter()
            .filter_map(|arg| merge::apply_set_after(&mut root, arg, &removed).err()),
    );
    // `extends` is resolved when files are read; one arriving through
    // `--set` (e.g. `--set 'scenario={extends="x.toml"}'`) would be ignored.
    if let Some(e) = root.get("scenario").and_then(|n| n.get("extends")) {
        problems.push(Problem {
            location: e.origin.clone(),
            field: "scenario.extends".into(),
            message: "cannot be set on the command line: write it in the file".into(),
        });
    }
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
    load_with_model(path, sets).map(|(_, model)| model)
}

/// Loads and validates a scenario and compiles it: both the validated
/// [`Scenario`] and its [`Model`], from one reading of the files.
pub fn load_with_model(path: &Path, sets: &[String]) -> Result<(Scenario, Model), Error> {
    let scenario = load(path, sets)?;
    let model = Model::compile(&scenario).map_err(|message| {
        Error::scenario(
            path,
            Problem {
                location: Location::Generated,
                field: String::new(),
                message,
            },
        )
    })?;
    Ok((scenario, model))
}

/// The merged scenario (after `extends`, `enabled` and `--set`, with a CSV
/// demand read in) as a TOML document of its own: loading it with no
/// `--set` gives the same scenario, with the same hash
/// ([`Model::scenario_sha256`]). A sharded run stores it so that a merge
/// needs none of the original files.
pub fn canonical_toml(s: &Scenario) -> Result<String, String> {
    let tree: serde_json::Value =
        serde_json::from_str(&s.canonical).map_err(|e| format!("canonical form: {e}"))?;
    toml::to_string(&tree).map_err(|e| format!("canonical form as TOML: {e}"))
}
