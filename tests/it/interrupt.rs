//! Ctrl-C and SIGTERM stop a run: promptly, with exit code 130 (143 for
//! SIGTERM), a message and no output folder.

#![cfg(unix)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::root;

/// Starts a run far too long to finish, sends `signal` once it is under way
/// and returns the exit code, the seconds it took to stop and its stderr.
fn interrupted_run(signal: &str, out: &std::path::Path) -> (Option<i32>, f64, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("shortfall"))
        .arg("run")
        .arg(root().join("scenarios/japan-2024.toml"))
        // Minutes of work in a table of modest size: 2,000,000 trials of
        // 20,000 daily steps (about 0.8 GB), each chunk of trials about a
        // tenth of a second.
        .args([
            "--set",
            "time.steps=20000",
            "--trials",
            "2000000",
            "--quiet",
            "--out",
        ])
        .arg(out)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    if let Some(status) = child.try_wait().unwrap() {
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        panic!("the run ended early ({status}): {err}");
    }
    let sent = Instant::now();
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    // The run takes minutes; stopping takes a chunk's time.
    let deadline = sent + Duration::from_secs(10);
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("SIG{signal} did not stop the run within 10 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let seconds = sent.elapsed().as_secs_f64();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    (code, seconds, err)
}

#[test]
fn ctrl_c_and_sigterm_stop_a_run_and_write_nothing() {
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let (got, seconds, err) = interrupted_run(signal, &out);
        assert_eq!(got, Some(code), "SIG{signal}: {err}");
        assert!(err.contains("interrupted"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out.exists(), "SIG{signal} left an output folder");
        eprintln!("SIG{signal}: stopped {seconds:.3} s after the signal");
    }
}

#[test]
fn an_interrupted_run_leaves_the_earlier_results_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let earlier = crate::helpers::shortfall()
        .arg("run")
        .arg(root().join("scenarios/japan-2024.toml"))
        .args(["--trials", "1024", "--quiet", "--no-charts", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(earlier.status.success());
    let folder = out.join("japan-2024");
    let files: Vec<(std::path::PathBuf, Vec<u8>)> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect();
    let (got, _, err) = interrupted_run("INT", &out);
    assert_eq!(got, Some(130), "{err}");
    for (path, bytes) in &files {
        assert!(
            &std::fs::read(path).unwrap() == bytes,
            "{} changed",
            path.display()
        );
    }
    // Nothing else in the folder, and nothing left beside it.
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), files.len());
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}
