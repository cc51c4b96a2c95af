//! The crate's layers point one way (docs/architecture.md, "Layers"): every
//! `crate::` path in a library module names a module its layer may import.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// For each top-level library module, the modules it may import.
const ALLOWED: [(&str, &[&str]); 11] = [
    ("error", &[]),
    ("pages", &[]),
    ("atomic", &["error"]),
    ("dist", &["error"]),
    ("scenario", &["dist", "error"]),
    ("engine", &["scenario", "dist", "pages", "error"]),
    ("stats", &["engine", "scenario", "pages", "error"]),
    (
        "report",
        &["stats", "engine", "scenario", "error", "VERSION"],
    ),
    ("output", &["report", "stats", "engine", "atomic", "error"]),
    (
        "plot",
        &["report", "stats", "engine", "atomic", "pages", "error"],
    ),
    ("lib", &[]),
];

/// The `crate::NAME` paths in `text`, outside comments.
fn crate_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            // A group (`crate::{a, b}`) is not read: it is reported as such.
            out.push(if name.is_empty() {
                "{group}".to_string()
            } else {
                name
            });
            rest = after;
        }
    }
    out
}

fn visit(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            visit(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn library_modules_import_only_the_layers_below_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.into_iter().collect();
    let mut files = Vec::new();
    visit(&src, &mut files);
    let mut wrong = Vec::new();
    let mut checked = 0;
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "cli" || top == "main" {
            continue; // the binary may use everything, through `shortfall::`
        }
        let Some(may) = allowed.get(top.as_str()) else {
            wrong.push(format!(
                "{}: module `{top}` is not in the layer table",
                rel.display()
            ));
            continue;
        };
        for name in crate_paths(&fs::read_to_string(file).unwrap()) {
            checked += 1;
            if name != top && !may.contains(&name.as_str()) {
                wrong.push(format!(
                    "{}: `{top}` imports `crate::{name}`",
                    rel.display()
                ));
            }
        }
    }
    assert!(
        checked > 50,
        "found only {checked} crate paths: is the scan broken?"
    );
    assert!(
        wrong.is_empty(),
        "imports against docs/architecture.md:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_scan_finds_paths_and_skips_comments() {
    let text = "use crate::engine::Column;\n// crate::plot in a comment\nlet x = crate::stats::f(crate::report::g());";
    assert_eq!(crate_paths(text), ["engine", "stats", "report"]);
}
