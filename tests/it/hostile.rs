//! Hostile inputs that cannot sensibly be committed (a FIFO, a 100 MB file,
//! a 5 MB line) are made here at run time, and the inputs the fuzzer
//! (`fuzz/`) once stopped on are replayed. Each must be refused with exit
//! code 2 by `validate` and by `run` (which must create no output folder),
//! with a message naming the file and what is wrong, no panic, and quickly.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::helpers::{root, shortfall};

/// A small scenario named `name` with `demand` as the body of `[demand]`
/// and `top` before everything else.
fn scenario(name: &str, demand: &str, top: &str) -> String {
    format!(
        "{top}[scenario]\nname = \"{name}\"\n\n[time]\nstep = \"day\"\nsteps = 365\n\n\
         [simulation]\ntrials = 100\nseed = 1\n\n[demand]\n{demand}\n\n\
         [[supplier]]\nid = \"a\"\nvolume = 30.0\n"
    )
}

/// Longest a refusal may take: generous for a loaded machine, far below
/// what reading 100 MB or running a simulation would take.
const QUICK: Duration = Duration::from_secs(20);

/// Runs `validate` and `run --out` on `file` and checks the refusal.
fn refused(file: &Path, expects: &[&str]) -> Vec<String> {
    let mut wrong = Vec::new();
    let out_dir = tempfile::tempdir().expect("a temporary folder");
    let out: PathBuf = out_dir.path().join("out");
    let runs: [Vec<&std::ffi::OsStr>; 2] = [
        vec!["validate".as_ref(), file.as_os_str()],
        vec![
            "run".as_ref(),
            file.as_os_str(),
            "--quiet".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ],
    ];
    for args in runs {
        let started = Instant::now();
        let output = shortfall()
            .args(&args)
            .timeout(QUICK * 3)
            .output()
            .expect("shortfall runs");
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let what = format!("{} {}", args[0].to_string_lossy(), file.display());
        if output.status.code() != Some(2) {
            wrong.push(format!(
                "{what}: exit code {:?}, expected 2",
                output.status.code()
            ));
        }
        if stderr.contains("panicked") {
            wrong.push(format!("{what}: panicked"));
        }
        if took > QUICK {
            wrong.push(format!("{what}: took {took:?}"));
        }
        let name = file.file_name().unwrap().to_string_lossy();
        for e in expects.iter().copied().chain([name.as_ref()]) {
            if !stderr.contains(e) {
                wrong.push(format!("{what}: stderr lacks {e:?}"));
            }
        }
        if stderr.len() > 100_000 {
            wrong.push(format!("{what}: {} bytes on stderr", stderr.len()));
        }
        if out.exists() {
            wrong.push(format!("{what}: created {}", out.display()));
        }
    }
    wrong
}

#[test]
fn files_made_at_run_time_are_refused_quickly_and_write_nothing() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let d = dir.path();
    let mut cases: Vec<(PathBuf, Vec<&str>)> = Vec::new();

    // 100 MB: refused from its size, before it is read.
    let huge = d.join("huge.toml");
    let f = fs::File::create(&huge).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    cases.push((
        huge,
        vec!["is 104857600 bytes; a scenario or CSV file may be at most 16777216 bytes (16 MiB)"],
    ));

    // A 5 MB line: a name that would name the output folder.
    let long = d.join("long_line.toml");
    let name = "n".repeat(5 * 1024 * 1024);
    fs::write(&long, scenario(&name, "annual = 36.5", "")).unwrap();
    cases.push((
        long,
        vec!["scenario.name: must be at most 64 characters, got 5242880"],
    ));

    // A 5 MB line of per-step demand: far more values than steps.
    let values = vec!["0.1"; 1_300_000].join(",");
    let wide = d.join("long_per_step.toml");
    fs::write(
        &wide,
        scenario("wide", &format!("per_step = [{values}]"), ""),
    )
    .unwrap();
    cases.push((
        wide,
        vec![
            "demand.per_step: must have one value per step: time.steps is 365, got 1300000 values",
        ],
    ));

    // Bytes that are not UTF-8, written here as well as committed.
    let latin1 = d.join("latin1.toml");
    let mut bytes = scenario("latin", "annual = 36.5", "").into_bytes();
    bytes.extend_from_slice(b"name = \"Gro\xdfbritannien\"\n");
    fs::write(&latin1, bytes).unwrap();
    cases.push((
        latin1,
        vec!["is not UTF-8 text: byte 0xdf at line 18, column 12"],
    ));

    // FIFOs, as the file itself, as a parent and as a demand CSV: refused
    // without being opened (opening one would wait for a writer for ever).
    #[cfg(unix)]
    {
        let mkfifo = |p: &Path| {
            let status = std::process::Command::new("mkfifo").arg(p).status();
            assert!(status.is_ok_and(|s| s.success()), "mkfifo {}", p.display());
        };
        let fifo = d.join("fifo.toml");
        mkfifo(&fifo);
        cases.push((
            fifo,
            vec!["is not a regular file (a FIFO, socket or device)"],
        ));
        let child = d.join("extends_fifo.toml");
        fs::write(
            &child,
            scenario("child", "annual = 36.5", "").replace(
                "name = \"child\"",
                "name = \"child\"\nextends = \"fifo.toml\"",
            ),
        )
        .unwrap();
        cases.push((
            child,
            vec!["scenario.extends: cannot read", "is not a regular file"],
        ));
        let csv_fifo = d.join("demand.csv");
        mkfifo(&csv_fifo);
        let csv = d.join("csv_fifo.toml");
        fs::write(&csv, scenario("csv", "per_step_csv = \"demand.csv\"", "")).unwrap();
        cases.push((
            csv,
            vec!["demand.per_step_csv: cannot read", "is not a regular file"],
        ));
    }

    let failures: Vec<String> = cases
        .iter()
        .flat_map(|(file, expects)| refused(file, expects))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_sample_of_the_committed_corpus_is_refused_by_run_too() {
    let failures: Vec<String> = [
        ("volume_1e308.toml", "supplier.qatar.volume"),
        ("steps_1e12.toml", "time.steps"),
        ("trials_1e15.toml", "simulation.trials"),
        ("poisson_mean_too_large.toml", "event.cut.rate_per_year"),
        ("nested_arrays.toml", "TOML syntax error"),
        ("non_utf8.toml", "is not UTF-8 text"),
        (
            "uniform_fraction_outside.toml",
            "supplier.qatar.outage.loss",
        ),
        ("csv_nan.toml", "demand.per_step_csv"),
        ("extends_directory.toml", "scenario.extends"),
    ]
    .iter()
    .flat_map(|(file, field)| refused(&root().join("tests/fixtures/bad").join(file), &[field]))
    .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every input kept in `fuzz/regressions/` (inputs the fuzzer once reported)
/// is checked quickly, without a panic, by `validate`: exit 0 or 2.
#[test]
fn fuzz_regressions_replay_without_panic() {
    let dir = root().join("fuzz/regressions");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("fuzz/regressions")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs in {}", dir.display());
    for file in files {
        let started = Instant::now();
        let output = shortfall()
            .args(["validate".as_ref(), file.as_os_str()])
            .timeout(QUICK * 3)
            .output()
            .expect("shortfall runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            matches!(output.status.code(), Some(0 | 2)),
            "{}: exit code {:?}\n{stderr}",
            file.display(),
            output.status.code()
        );
        assert!(!stderr.contains("panicked"), "{}: {stderr}", file.display());
        assert!(started.elapsed() < QUICK, "{}: too slow", file.display());
    }
}
