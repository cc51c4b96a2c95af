//! Arbitrary bytes as a scenario file, through the same path as
//! `shortfall validate FILE`: read, parse, `extends`, validate, compile.
//! Any outcome but a panic, a hang or running out of memory is fine.
//!
//! The file is written into a folder that also holds copies of the
//! project's scenarios (`scenarios/*.toml`) and of the helper files of the
//! bad-input corpus (`tests/fixtures/bad/parts/`), so that an input's
//! `extends = "japan-2024.toml"` or `per_step_csv = "demand_bad_value.csv"`
//! finds a real file.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// The folder the inputs are written to, made once per process.
fn folder() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        for from in ["scenarios", "tests/fixtures/bad/parts"] {
            for entry in std::fs::read_dir(root.join(from)).expect("a folder to copy") {
                let path = entry.expect("an entry").path();
                if path.is_file() {
                    std::fs::copy(&path, dir.path().join(path.file_name().unwrap()))
                        .expect("copied");
                }
            }
        }
        dir
    })
    .path()
}

fuzz_target!(|data: &[u8]| {
    let path = folder().join("fuzz-input.toml");
    std::fs::write(&path, data).expect("the input written");
    let _ = shortfall::scenario::load_model(&path, &[]);
});
