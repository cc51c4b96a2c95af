//! Invalid scenarios are rejected with useful messages.
//!
//! Every `*.toml` directly in `tests/fixtures/bad/` starts with one or more
//! `# expect: TEXT` comment lines. `shortfall validate` on the file (run from
//! the crate root, with the path `tests/fixtures/bad/NAME.toml`) must exit
//! with code 2, must not panic, and must print every TEXT to stderr.
//! All failing fixtures are reported together.

use std::fs;
use std::path::PathBuf;

use crate::helpers::{root, shortfall};

const BAD: &str = "tests/fixtures/bad";
const EXPECT: &str = "# expect:";

/// The `*.toml` files directly in `dir` (relative to the crate root), sorted,
/// as paths relative to the crate root.
fn fixtures(dir: &str) -> Vec<String> {
    let mut files: Vec<String> = fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            format!("{dir}/{name}")
        })
        .collect();
    files.sort();
    files
}

/// The `# expect:` texts of the comment block at the top of a fixture.
fn expectations(text: &str) -> Vec<String> {
    text.lines()
        .take_while(|line| line.trim_start().starts_with('#'))
        .filter_map(|line| line.trim().strip_prefix(EXPECT))
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
        .collect()
}

/// Runs `validate` on one fixture; `Err` lists everything that is wrong.
fn check(rel: &str) -> Result<(), String> {
    // Read as bytes: a fixture may hold bytes that are not UTF-8 on purpose.
    let bytes = fs::read(root().join(rel)).map_err(|e| format!("{rel}: cannot read: {e}"))?;
    let expects = expectations(&String::from_utf8_lossy(&bytes));
    if expects.is_empty() {
        return Err(format!(
            "{rel}: has no `{EXPECT} ...` line in the comments at its top"
        ));
    }
    let output = shortfall()
        .args(["validate", rel])
        .output()
        .map_err(|e| format!("{rel}: cannot run shortfall: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut wrong = Vec::new();
    if output.status.code() != Some(2) {
        wrong.push(format!("exit code {:?}, expected 2", output.status.code()));
    }
    if stderr.contains("panicked") {
        wrong.push("the tool panicked".to_string());
    }
    for e in &expects {
        if !stderr.contains(e.as_str()) {
            wrong.push(format!("stderr lacks: {e}"));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{rel}:\n    - {}\n    stderr was:\n{}",
            wrong.join("\n    - "),
            indent(&stderr, "      | ")
        ))
    }
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|l| format!("{prefix}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks every fixture of `dir` and panics with the list of all failures.
fn check_all(dir: &str, at_least: usize) {
    let files = fixtures(dir);
    assert!(
        files.len() >= at_least,
        "expected at least {at_least} fixtures in {dir}, found {}",
        files.len()
    );
    let failures: Vec<String> = files.iter().filter_map(|f| check(f).err()).collect();
    if !failures.is_empty() {
        panic!(
            "{} of {} fixtures in {dir} failed:\n\n{}\n",
            failures.len(),
            files.len(),
            failures.join("\n\n")
        );
    }
}

#[test]
fn every_bad_fixture_is_rejected_with_its_expected_messages() {
    check_all(BAD, 100);
}

#[test]
fn expectations_are_read_from_the_leading_comments_only() {
    let text = "# expect: a: b\n#expect: no space is not an expect line\n# mistake: x\n# expect:   c  \n[scenario]\n# expect: too late\n";
    assert_eq!(
        expectations(text),
        vec!["a: b".to_string(), "c".to_string()]
    );
    assert!(expectations("[scenario]\nname = \"x\"\n").is_empty());
}

#[test]
fn run_on_a_bad_file_exits_2_and_writes_nothing() {
    for rel in [
        "tests/fixtures/bad/negative_volume.toml",
        "tests/fixtures/bad/syntax.toml",
        "tests/fixtures/bad/extends_cycle.toml",
        "tests/fixtures/bad/demand_csv_bad_value.toml",
    ] {
        let tmp = tempfile::tempdir().expect("a temporary folder");
        let out: PathBuf = tmp.path().join("out");
        let output = shortfall()
            .args(["run", rel, "--quiet", "--out"])
            .arg(&out)
            .output()
            .expect("shortfall runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "run {rel}: exit code {:?}, stderr:\n{stderr}",
            output.status.code()
        );
        assert!(
            !stderr.contains("panicked"),
            "run {rel} panicked:\n{stderr}"
        );
        assert!(
            stderr.contains(rel),
            "run {rel}: stderr does not name the file:\n{stderr}"
        );
        assert!(
            !out.exists(),
            "run {rel} created the output folder {}",
            out.display()
        );
        let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert!(
            left.is_empty(),
            "run {rel} wrote into the temporary folder: {left:?}"
        );
    }
}

#[test]
fn validate_reports_every_bad_file_of_several() {
    let output = shortfall()
        .args([
            "validate",
            "tests/fixtures/small.toml",
            "tests/fixtures/bad/negative_volume.toml",
            "tests/fixtures/bad/missing_seed.toml",
        ])
        .output()
        .expect("shortfall runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr:\n{stderr}");
    assert!(
        stdout.contains("ok: tests/fixtures/small.toml"),
        "stdout:\n{stdout}"
    );
    assert!(
        stderr.contains("supplier.qatar.volume: must be >= 0"),
        "stderr:\n{stderr}"
    );
    assert!(
        stderr.contains("simulation.seed: is required"),
        "stderr:\n{stderr}"
    );
    assert!(stderr.contains("2 of 3 files invalid"), "stderr:\n{stderr}");
}
