//! Writes that fail (a full disk, a file-size limit, a folder that cannot be
//! made): every command that writes a results folder stops with exit code 1
//! and a message naming the path and the operating system's reason, leaves
//! no partial file or hidden work folder, and leaves an earlier results
//! folder exactly as it was.
//!
//! The failures are made in ways that hold for root as for other users: a
//! file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored so that the write
//! fails with EFBIG instead of killing the process), a path under /proc,
//! and a path whose parent is a regular file. A read-only folder is tried
//! only when not root (root writes into one anyway).

#![cfg(unix)]

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::helpers::{root, shortfall};

/// Every file under `dir` (hidden ones too) with its bytes, and every folder.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut all = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_path_buf();
            if p.is_dir() {
                all.insert(rel, None);
                stack.push(p);
            } else {
                all.insert(rel, Some(std::fs::read(&p).unwrap()));
            }
        }
    }
    all
}

/// `shortfall ARGS` with files limited to `blocks` blocks of the shell's
/// `ulimit -f` (512 or 1024 bytes) and SIGXFSZ ignored (an ignored signal
/// stays ignored across exec), so that a write past the limit fails with
/// "File too large".
fn with_file_limit(blocks: u32, args: &[OsString]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\""
        ))
        .arg(assert_cmd::cargo::cargo_bin("shortfall"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

fn args(list: &[&str], out: &Path) -> Vec<OsString> {
    let mut v: Vec<OsString> = list.iter().map(OsString::from).collect();
    v.push("--out".into());
    v.push(out.into());
    v
}

/// Exit code 1, a message naming a path under `out` and the OS error, no panic.
fn assert_write_failure(o: &Output, out: &Path, reason: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    assert!(err.contains("cannot write"), "{err}");
    assert!(err.contains(&*out.to_string_lossy()), "no path in: {err}");
    assert!(err.contains(reason), "no \"{reason}\" in: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Runs `list` once to make the earlier results, then again with another
/// seed (other results) under a file size limit: the second fails and
/// leaves the output folder as it was, byte for byte.
fn fails_and_keeps_earlier(list: &[&str]) {
    fails_and_keeps_earlier_with(list, &["--seed", "99"]);
}

/// As [`fails_and_keeps_earlier`], the second run with `extra` arguments.
fn fails_and_keeps_earlier_with(list: &[&str], extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    shortfall()
        .args(args(list, &out))
        .arg("--quiet")
        .assert()
        .success();
    // A note of the user's, which must survive too.
    let first = std::fs::read_dir(&out).unwrap().next().unwrap().unwrap();
    std::fs::write(first.path().join("notes.txt"), "mine").unwrap();
    let before = snapshot(&out);
    let mut again = args(list, &out);
    again.extend(extra.iter().map(OsString::from));
    let o = with_file_limit(128, &again);
    assert_write_failure(&o, &out, "File too large");
    assert_eq!(
        snapshot(&out),
        before,
        "{list:?}: the earlier results changed or a partial file was left"
    );
}

#[test]
fn a_run_that_cannot_write_keeps_the_earlier_run() {
    fails_and_keeps_earlier(&[
        "run",
        "tests/fixtures/small.toml",
        "--trials",
        "20000",
        "--no-charts",
    ]);
}

/// The runs' files fit under the limit, the comparison's PNG charts do not:
/// the runs already written (of the new seed) must not replace the earlier.
#[test]
fn a_comparison_that_cannot_write_keeps_the_earlier_one() {
    fails_and_keeps_earlier(&[
        "compare",
        "tests/fixtures/small.toml",
        "--variant",
        "more:substitute.spot.capacity=10",
        "--trials",
        "256",
        "--format",
        "png",
    ]);
}

#[test]
fn a_sweep_tornado_or_sensitivity_that_cannot_write_keeps_the_earlier_one() {
    // Their own files are small; a PNG chart is not.
    fails_and_keeps_earlier(&[
        "sweep",
        "tests/fixtures/small.toml",
        "--set",
        "substitute.spot.capacity=4,8",
        "--trials",
        "2000",
        "--format",
        "png",
    ]);
    fails_and_keeps_earlier(&[
        "tornado",
        "tests/fixtures/small.toml",
        "--set",
        "event.cut.probability=0.3",
        "--trials",
        "1024",
        "--format",
        "png",
    ]);
    fails_and_keeps_earlier(&[
        "sensitivity",
        "tests/fixtures/small.toml",
        "--set",
        "supplier.a.volume={dist=\"uniform\",min=25,max=35}",
        "--trials",
        "2000",
        "--format",
        "png",
    ]);
}

#[test]
fn a_merge_or_plot_that_cannot_write_keeps_the_earlier_folder() {
    let dir = tempfile::tempdir().unwrap();
    let shards = dir.path().join("shards");
    shortfall()
        .args(args(
            &[
                "run",
                "tests/fixtures/small.toml",
                "--trials",
                "20000",
                "--shard",
                "0/1",
                "--quiet",
            ],
            &shards,
        ))
        .assert()
        .success();
    let shard = shards.join("small/shard-0-of-1");
    let shard_str = shard.to_string_lossy().into_owned();
    fails_and_keeps_earlier_with(&["merge", &shard_str, "--no-charts"], &[]);

    // plot redraws the charts of a finished run: under the limit its PNGs
    // cannot be written, and the run's folder stays as it was.
    let out = dir.path().join("out");
    shortfall()
        .args(args(
            &[
                "run",
                "tests/fixtures/small.toml",
                "--trials",
                "2000",
                "--quiet",
            ],
            &out,
        ))
        .assert()
        .success();
    let before = snapshot(&out);
    let run = out.join("small");
    let o = with_file_limit(
        128,
        &[
            "plot".into(),
            run.clone().into(),
            "--format".into(),
            "png".into(),
        ],
    );
    assert_write_failure(&o, &out, "File too large");
    assert_eq!(snapshot(&out), before, "plot changed the run's folder");
}

#[test]
fn an_output_folder_that_cannot_be_made_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    // A regular file where a folder should be (for root too).
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    // /proc refuses new entries even to root.
    let cases = [
        (file.join("out"), "Not a directory"),
        (PathBuf::from("/proc/shortfall-test/out"), "os error"),
    ];
    for (out, reason) in cases {
        for cmd in [
            &["run", "tests/fixtures/small.toml", "--trials", "600"][..],
            &[
                "compare",
                "tests/fixtures/small.toml",
                "--variant",
                "more:substitute.spot.capacity=10",
                "--trials",
                "600",
            ][..],
        ] {
            let o = shortfall()
                .args(args(cmd, &out))
                .args(["--quiet", "--no-charts"])
                .output()
                .unwrap();
            assert_write_failure(&o, &out, reason);
        }
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_read_only_output_folder_is_a_clear_error_when_not_root() {
    use std::os::unix::fs::PermissionsExt;
    let uid = Command::new("id").arg("-u").output().unwrap();
    if String::from_utf8_lossy(&uid.stdout).trim() == "0" {
        eprintln!("skipped: root writes into read-only folders");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).unwrap();
    let o = shortfall()
        .args(args(
            &["run", "tests/fixtures/small.toml", "--trials", "600"],
            &out,
        ))
        .args(["--quiet", "--no-charts"])
        .output()
        .unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_write_failure(&o, &out, "Permission denied");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
}
