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
        .args(["--trials", "50000000", "--quiet", "--out"])
        .arg(out)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(child.try_wait().unwrap().is_none(), "the run ended early");
    let sent = Instant::now();
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    // 50,000,000 trials take minutes; stopping takes a chunk's time.
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
