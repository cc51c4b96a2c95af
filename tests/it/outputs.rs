//! The numbers a run writes, recomputed independently: every statistic of
//! `summary.json` from `trials.npy` by the contract's definitions, and the
//! cells of `summary.md` and of `shortfall table` from `summary.json`.

use ndarray::Array2;
use ndarray_npy::ReadNpyExt;
use serde_json::Value;

use crate::cli::run_small;
use crate::helpers::{COLUMNS, read_json, shortfall};

/// Relative closeness for sums taken in another order.
fn near(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "{what}: summary.json {got} vs recomputed {want}"
    );
}

/// Mean and se (sample sd with n − 1, over √n), by two passes.
fn mean_se(x: &[f64]) -> (f64, f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt() / n.sqrt(), var.sqrt())
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

fn check_summary(s: &Value, table: &Array2<f64>) {
    let n = table.nrows();
    let m = &s["metrics"];
    for (j, name) in COLUMNS.iter().enumerate() {
        let x: Vec<f64> = table.column(j).to_vec();
        let mut sorted = x.clone();
        sorted.sort_by(f64::total_cmp);
        let c = &m[*name];
        let (mean, se, std) = mean_se(&x);
        near(&format!("{name}.mean"), num(&c["mean"]), mean);
        near(&format!("{name}.se"), num(&c["se"]), se);
        near(&format!("{name}.std"), num(&c["std"]), std);
        assert_eq!(num(&c["min"]), sorted[0], "{name}.min");
        assert_eq!(num(&c["max"]), sorted[n - 1], "{name}.max");
        // x_(ceil(q·n)), with q in thousandths so that ceil is exact.
        for (key, per_mille) in [
            ("p50", 500),
            ("p90", 900),
            ("p95", 950),
            ("p99", 990),
            ("p999", 999),
        ] {
            let rank = (per_mille * n).div_ceil(1000);
            assert_eq!(num(&c[key]), sorted[rank - 1], "{name}.{key}");
        }
        // The mean of the worst ceil((1 − a)·n): the lowest for storage_min.
        for (key, percent) in [("cvar95", 5), ("cvar99", 1)] {
            let k = (percent * n).div_ceil(100);
            let worst = if *name == "storage_min" {
                &sorted[..k]
            } else {
                &sorted[n - k..]
            };
            let want = worst.iter().sum::<f64>() / k as f64;
            near(&format!("{name}.{key}"), num(&c[key]), want);
        }
    }
    let short: Vec<f64> = table.column(0).to_vec();
    let any: Vec<f64> = short
        .iter()
        .map(|&x| f64::from(u8::from(x > 0.0)))
        .collect();
    let (p, p_se, _) = mean_se(&any);
    near(
        "shortfall_probability.mean",
        num(&m["shortfall_probability"]["mean"]),
        p,
    );
    near(
        "shortfall_probability.se",
        num(&m["shortfall_probability"]["se"]),
        p_se,
    );
    let (eue, _, _) = mean_se(&short);
    let (lole, _, _) = mean_se(&table.column(2).to_vec());
    let (demand, _, _) = mean_se(&table.column(7).to_vec());
    near("eue", num(&m["eue"]), eue);
    near("lole", num(&m["lole"]), lole);
    near("neue_ppm", num(&m["neue_ppm"]), eue / demand * 1e6);
    // The fixture is neither all-short nor never short, and storage_min
    // varies, so each check above compares something that can differ.
    assert!(p > 0.5 && p < 1.0, "{p}");
    let smin = &m["storage_min"];
    assert!(num(&smin["cvar95"]) < num(&smin["mean"]));
}

/// The numbers in a cell of a text table, each with the half-unit of its
/// last printed digit ("98.90% ± 0.19%" → (98.90, 0.005), (0.19, 0.005)).
fn cell_numbers(cell: &str) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in cell.chars().chain(std::iter::once(' ')) {
        if ch.is_ascii_digit() || ch == '.' || (ch == ',' && !cur.is_empty()) {
            if ch != ',' {
                cur.push(ch);
            }
        } else if !cur.is_empty() {
            let decimals = cur.split_once('.').map_or(0, |(_, d)| d.len());
            out.push((cur.parse().unwrap(), 0.5 * 10f64.powi(-(decimals as i32))));
            cur.clear();
        }
    }
    out
}

/// Asserts that the numbers of `cell` are `want`, to the printed digits.
fn cell_is(what: &str, cell: &str, want: &[f64]) {
    let got = cell_numbers(cell);
    assert_eq!(got.len(), want.len(), "{what}: cell {cell:?}");
    for ((g, half), w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= half * (1.0 + 1e-9),
            "{what}: cell {cell:?} shows {g}, summary.json has {w}"
        );
    }
}

/// The cells of the markdown table row that starts with `label`.
fn row<'a>(text: &'a str, label: &str) -> Vec<&'a str> {
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("| {label} |")))
        .unwrap_or_else(|| panic!("no row {label:?} in\n{text}"));
    line.trim_matches('|').split('|').map(str::trim).collect()
}

fn check_markdown(md: &str, s: &Value) {
    let m = &s["metrics"];
    let g = |path: &[&str]| path.iter().fold(m, |v, k| &v[*k]).as_f64().unwrap();
    let p = g(&["shortfall_probability", "mean"]);
    let p_se = g(&["shortfall_probability", "se"]);
    let z = 1.96;
    let r = row(md, "P(shortfall > 0)");
    cell_is("P(shortfall)", r[1], &[100.0 * p, 100.0 * p_se]);
    cell_is(
        "P(shortfall) interval",
        r[2],
        &[100.0 * (p - z * p_se), 100.0 * (p + z * p_se)],
    );
    let (eue, eue_se) = (g(&["eue"]), g(&["eue_se"]));
    let r = row(md, "Expected unserved energy (EUE), Mt");
    cell_is("EUE", r[1], &[eue, eue_se]);
    cell_is("EUE interval", r[2], &[eue - z * eue_se, eue + z * eue_se]);
    let r = row(md, "NEUE, ppm of demand");
    cell_is("NEUE", r[1], &[g(&["neue_ppm"]), g(&["neue_ppm_se"])]);
    let r = row(md, "LOLE, days with a shortfall");
    cell_is("LOLE", r[1], &[g(&["lole"]), g(&["lole_se"])]);
    for (label, key) in [
        ("Shortfall P50, Mt", "p50"),
        ("Shortfall P95 (1 in 20), Mt", "p95"),
        ("Shortfall P99 (1 in 100), Mt", "p99"),
    ] {
        let r = row(md, label);
        let ci = m["shortfall"][format!("{key}_ci")].as_array().unwrap();
        cell_is(label, r[1], &[g(&["shortfall", key])]);
        cell_is(label, r[2], &[num(&ci[0]), num(&ci[1])]);
    }
    let r = row(md, "Shortfall CVaR95 (mean of worst 5%), Mt");
    cell_is("CVaR95", r[1], &[g(&["shortfall", "cvar95"])]);
    let r = row(md, "Lowest storage level, median trial, Mt");
    cell_is("storage_min p50", r[1], &[g(&["storage_min", "p50"])]);
    for (label, key) in [
        ("Supply lost at source (mean), Mt", "supply_lost"),
        ("Substitute deliveries (mean), Mt", "substitute_used"),
        ("Emergency cover used (mean), Mt", "emergency_used"),
        ("Substitute cost (mean), cost units", "cost"),
    ] {
        let r = row(md, label);
        cell_is(label, r[1], &[g(&[key, "mean"]), g(&[key, "se"])]);
    }
}

fn check_table(text: &str, label: &str, s: &Value) {
    let m = &s["metrics"];
    let g = |path: &[&str]| path.iter().fold(m, |v, k| &v[*k]).as_f64().unwrap();
    let r = row(text, label);
    cell_is("trials", r[1], &[num(&s["trials"])]);
    cell_is(
        "P(shortfall)",
        r[2],
        &[
            100.0 * g(&["shortfall_probability", "mean"]),
            100.0 * g(&["shortfall_probability", "se"]),
        ],
    );
    cell_is("EUE", r[3], &[g(&["eue"]), g(&["eue_se"])]);
    cell_is("LOLE", r[4], &[g(&["lole"]), g(&["lole_se"])]);
    for (i, key) in [(5, "p95"), (6, "p99")] {
        let ci = m["shortfall"][format!("{key}_ci")].as_array().unwrap();
        let want = [g(&["shortfall", key]), num(&ci[0]), num(&ci[1])];
        // "P95 (Mt)" the number, then "[lo, hi]".
        let cell = r[i].replace(['[', ']'], " ");
        cell_is(key, &cell, &want);
    }
    cell_is(
        "CVaR95",
        r[7],
        &[g(&["shortfall", "cvar95"]), g(&["shortfall", "cvar95_se"])],
    );
}

/// One run of the small fixture (3,000 trials): its summary.json against a
/// recomputation from trials.npy, its summary.md and `shortfall table` cell
/// by cell against summary.json.
#[test]
fn written_statistics_match_a_recomputation_from_the_trials() {
    let out = tempfile::tempdir().unwrap();
    run_small(out.path(), &["--no-charts"]);
    let dir = out.path().join("small");
    let s = read_json(&dir.join("summary.json"));
    let file = std::fs::File::open(dir.join("trials.npy")).unwrap();
    let table = Array2::<f64>::read_npy(file).unwrap();
    assert_eq!(table.dim(), (3000, 13));
    check_summary(&s, &table);
    check_markdown(
        &std::fs::read_to_string(dir.join("summary.md")).unwrap(),
        &s,
    );
    let text = shortfall()
        .args(["table", "--labels", "base"])
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    check_table(&String::from_utf8(text).unwrap(), "base", &s);
}
