//! `shortfall sweep S.toml --set PATH=V1,V2,... [--set PATH=a..b:step ...]`

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use shortfall::engine::SimOutput;
use shortfall::output::markdown::decimals_for;
use shortfall::output::timeseries::fmt_f64;
use shortfall::output::{Contents, Staged};
use shortfall::plot::compare::{SweepLine, sweep_chart};
use shortfall::plot::theme::Meta;
use shortfall::report::{Summary, TargetInfo, summarise};
use shortfall::scenario::{self, Model};
use shortfall::stats::{self, Metric};
use shortfall::{Error, atomic};

use shortfall::report::shard::{GROUP_FORMAT, GROUP_JSON, Group};

use super::compare::{Finish, split_top_level};
use super::memory::Plan;
use super::run::ShardRun;
use super::{ShardArg, SweepArgs, progress};

/// The most points a sweep (or one swept field) may have.
const MAX_POINTS: usize = 10_000;

/// A swept parameter: its path and the values, as `--set` text.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Axis {
    /// The field's path, e.g. `substitute.spot.capacity`.
    pub path: String,
    /// Its values, in order.
    pub values: Vec<String>,
}

/// One point of the grid: the value index of each axis.
pub type Point = Vec<usize>;

/// Runs every combination of the swept values on the same trials and writes
/// sweep.csv and the chart.
pub fn sweep(args: &SweepArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let (axes, fixed) = parse_sets(&args.sets)?;
    if axes.is_empty() {
        return Err(Error::Usage(
            "sweep needs at least one --set PATH=V1,V2,... or --set PATH=a..b:step".into(),
        )
        .into());
    }
    let common = args.common.sets(&fixed);
    let total = axes
        .iter()
        .try_fold(1usize, |n, a| n.checked_mul(a.values.len()))
        .filter(|n| *n <= MAX_POINTS);
    let Some(_) = total else {
        return Err(Error::Usage(format!(
            "the grid has more than {MAX_POINTS} points; sweep fewer values"
        ))
        .into());
    };
    let points = grid(&axes);
    // Every point's model first: a bad value stops the sweep before any run.
    let (models, tomls) = point_models(args, &axes, &points, &common, args.shard.is_some())?;
    let (trials, seed) = (models[0].trials, models[0].seed);
    super::compare::check_paired_trials(trials)?;
    if let Some(m) = models.iter().find(|m| m.trials != trials || m.seed != seed) {
        return Err(Error::Usage(format!(
            "every point must have the same trials and seed; a swept value changes them ({} trials, seed {})",
            m.trials, m.seed
        ))
        .into());
    }

    // The first point's table is kept while the others run; run to a
    // precision, every point's table is kept, up to --max-trials.
    let (planned, held) = match (args.shard, args.target_se) {
        (Some(s), _) => {
            let r = shortfall::engine::shard_range(trials, s.k, s.n);
            (r.end - r.start, 1)
        }
        (None, Some(_)) => (args.max_trials.unwrap_or(trials), models.len() as u64),
        (None, None) => (trials, 1),
    };
    let widest = models
        .iter()
        .max_by_key(|m| m.inputs.len())
        .expect("a point");
    let what = format!("this sweep ({} points)", models.len());
    Plan::of(what, widest, planned, args.common.threads, held, 8 * 4)
        .check(args.common.max_memory)?;
    if let Some(shard) = args.shard {
        return run_shard(args, &axes, &models, &tomls, shard);
    }
    if let Some(relative_se) = args.target_se {
        let with_trials = |n: u64| -> anyhow::Result<Vec<Model>> {
            let mut sets = common.clone();
            sets.push(format!("simulation.trials={n}"));
            Ok(point_models(args, &axes, &points, &sets, false)?.0)
        };
        let max = args.max_trials.unwrap_or(trials);
        return super::sweep_target::sweep_to_target(
            args,
            (&axes, &points),
            relative_se,
            max,
            with_trials,
            started,
        );
    }
    let out = Finish::of_sweep(args);
    let mut sweep = Points::default();
    for (k, (point, model)) in points.iter().zip(&models).enumerate() {
        let sim = progress::simulate_with_bar(
            model,
            args.common.threads,
            args.common.quiet,
            format!("point {}/{} ", k + 1, points.len()),
        )?;
        sweep.add(point, model, sim);
    }
    sweep.finish(&args.common.out, &axes, &out, started, None)
}

/// Every point's model (and, with `tomls`, its canonical scenario text):
/// the overrides `common`, then the point's swept values.
fn point_models(
    args: &SweepArgs,
    axes: &[Axis],
    points: &[Point],
    common: &[String],
    tomls: bool,
) -> anyhow::Result<(Vec<Model>, Vec<String>)> {
    let mut models = Vec::with_capacity(points.len());
    let mut texts = Vec::new();
    for (k, p) in points.iter().enumerate() {
        let mut sets = common.to_vec();
        sets.extend(
            axes.iter()
                .zip(p)
                .map(|(a, &i)| format!("{}={}", a.path, a.values[i])),
        );
        let (s, m) = scenario::load_with_model(&args.scenario, &sets).map_err(|err| {
            let swept: Vec<&String> = sets.iter().skip(common.len()).collect();
            anyhow::Error::new(err).context(format!("point {k} ({swept:?})"))
        })?;
        if tomls {
            texts.push(scenario::canonical_toml(&s).map_err(anyhow::Error::msg)?);
        }
        models.push(m);
    }
    Ok((models, texts))
}

/// A sweep's points as they are simulated (or merged). The first point's
/// trials are kept for the paired differences; the others are compared as
/// they finish and dropped.
#[derive(Default)]
pub struct Points {
    first: Option<(SimOutput, Summary)>,
    rows: Vec<Row>,
    /// The first point's `[report] sources`, cited in the chart's footer.
    sources: Vec<String>,
}

impl Points {
    /// The next point's result.
    pub fn add(&mut self, point: &[usize], model: &Model, sim: SimOutput) {
        let seed = model.seed;
        let summary = summarise(model, &sim);
        let row = match &self.first {
            None => {
                let diffs = stats::compare(
                    (sim.table.view(), &summary.metrics),
                    (sim.table.view(), &summary.metrics),
                    seed,
                );
                let row = Row::new(point.to_vec(), &diffs, true);
                self.first = Some((sim, summary));
                self.sources = model.report.sources.clone();
                row
            }
            Some((sim0, s0)) => {
                let diffs = stats::compare(
                    (sim0.table.view(), &s0.metrics),
                    (sim.table.view(), &summary.metrics),
                    seed,
                );
                Row::new(point.to_vec(), &diffs, false)
            }
        };
        self.rows.push(row);
    }

    /// Writes OUT/sweep-NAME/ (built beside its place and swapped in whole):
    /// sweep.csv, the chart, and target.json for a sweep run to a precision;
    /// then the terminal summary.
    pub fn finish(
        self,
        out_dir: &Path,
        axes: &[Axis],
        out: &Finish<'_>,
        started: Instant,
        target: Option<&TargetInfo>,
    ) -> anyhow::Result<ExitCode> {
        let Points {
            first,
            rows,
            sources,
        } = self;
        let (sim0, s0) = first.expect("at least one point");
        let name = format!("sweep-{}", s0.scenario);
        let staged = Staged::of(out_dir, &name, Contents::Group(&["sweep", "target"]))?;
        write_csv(&staged.path().join("sweep.csv"), axes, &rows)?;
        if let Some(info) = target {
            shortfall::output::write_json(&staged.path().join("target.json"), info)?;
        }
        if !out.formats.is_empty() {
            chart(staged.path(), out, axes, &rows, (&s0, &sources))?;
        }
        super::interrupt::check()?;
        let dir = staged.commit()?;
        if !out.quiet {
            print!("{}", terminal(axes, &rows, out.metric, &s0));
            println!(
                "  {} points of {} trials in {:.1} s; wrote {}",
                rows.len(),
                sim0.len(),
                started.elapsed().as_secs_f64(),
                dir.display()
            );
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// The label (shard folder) of point `k`.
fn point_label(k: usize) -> String {
    format!("point-{k}")
}

/// `sweep --shard K/N`: shard K of every point, into
/// OUT/sweep-NAME/shards/point-I/shard-K-of-N/, with the group's group.json.
fn run_shard(
    args: &SweepArgs,
    axes: &[Axis],
    models: &[Model],
    tomls: &[String],
    shard: ShardArg,
) -> anyhow::Result<ExitCode> {
    let name = format!("sweep-{}", models[0].name);
    let shards = args.common.out.join(&name).join("shards");
    let points = models.len();
    super::compare_shards::write_group(
        &shards,
        &Group {
            format: GROUP_FORMAT.into(),
            command: "sweep".into(),
            name,
            runs: (0..points).map(point_label).collect(),
            scenarios: models.iter().map(|m| m.scenario_sha256.clone()).collect(),
            shards: shard.n,
            details: serde_json::to_value(axes).map_err(anyhow::Error::msg)?,
        },
    )?;
    for (k, (model, toml)) in models.iter().zip(tomls).enumerate() {
        ShardRun {
            parent: &shards.join(point_label(k)),
            model,
            toml,
            shard,
            threads: args.common.threads,
            quiet: args.common.quiet,
            label: format!("point {}/{points} ", k + 1),
            scenario_file: String::new(),
            overrides: Vec::new(),
        }
        .run()?;
    }
    if !args.common.quiet {
        println!(
            "shard {} of {} of {} points; wrote {}",
            shard.k,
            shard.n,
            points,
            shards.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Merges the shards of a sweep (`sweep --shard`, the group in `shards`)
/// into OUT/sweep-NAME/, as `sweep` writes it in one piece.
pub fn merge_group(
    group: &Group,
    shards: &Path,
    out_dir: &Path,
    out: &Finish<'_>,
    started: Instant,
) -> anyhow::Result<ExitCode> {
    let axes: Vec<Axis> =
        serde_json::from_value(group.details.clone()).map_err(|e| Error::BadFile {
            path: shards.join(GROUP_JSON),
            message: format!("not a sweep's grid: {e}"),
        })?;
    let points = grid(&axes);
    if points.len() != group.runs.len() {
        return Err(Error::BadFile {
            path: shards.join(GROUP_JSON),
            message: format!(
                "{} points in the grid, {} runs",
                points.len(),
                group.runs.len()
            ),
        }
        .into());
    }
    // Every point's shards are checked before anything is merged.
    let checked =
        super::merge::checked_runs(group, shards, "sweep-", |e: &super::compare::Entry| {
            e.model.name.clone()
        })?;
    let widest = checked
        .iter()
        .map(|(e, _)| &e.model)
        .max_by_key(|m| m.inputs.len());
    if let Some(m) = widest {
        let what = format!("this sweep ({} points)", checked.len());
        Plan::of(what, m, m.trials, 0, 1, 8 * 4)
            .unsplit()
            .check(out.max_memory)?;
    }
    let mut sweep = Points::default();
    for (point, (entry, list)) in points.iter().zip(&checked) {
        sweep.add(point, &entry.model, super::merge::merged(entry, list)?);
    }
    sweep.finish(out_dir, &axes, out, started, None)
}

/// Splits the `--set`s into swept axes (several values, or a range) and
/// fixed overrides (one value).
pub fn parse_sets(sets: &[String]) -> Result<(Vec<Axis>, Vec<String>), Error> {
    let mut axes = Vec::new();
    let mut fixed = Vec::new();
    for arg in sets {
        let Some((path, text)) = arg.split_once('=') else {
            return Err(Error::Usage(format!(
                "--set {arg}: expected PATH=V1,V2,... or PATH=a..b:step"
            )));
        };
        let path = path.trim();
        let values = match range(text.trim()) {
            Some(r) => r.map_err(|m| Error::Usage(format!("--set {arg}: {m}")))?,
            None => split_top_level(text)
                .into_iter()
                .map(str::to_string)
                .collect(),
        };
        if values.iter().any(String::is_empty) {
            return Err(Error::Usage(format!("--set {arg}: an empty value")));
        }
        if values.len() == 1 {
            fixed.push(format!("{path}={}", values[0]));
        } else if axes.iter().any(|a: &Axis| a.path == path) {
            return Err(Error::Usage(format!("--set {arg}: {path} is swept twice")));
        } else {
            axes.push(Axis {
                path: path.to_string(),
                values,
            });
        }
    }
    Ok((axes, fixed))
}

/// `a..b:step` as its values (both ends included when `b` lies on the
/// step), written with as many decimals as the bounds and the step; `None`
/// when `text` is not a range.
fn range(text: &str) -> Option<Result<Vec<String>, String>> {
    let (span, step) = text.split_once(':')?;
    let (a, b) = span.split_once("..")?;
    let num = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    let (Some(lo), Some(hi), Some(st)) = (num(a), num(b), num(step)) else {
        return Some(Err(format!(
            "a range is a..b:step with three numbers, got {text}"
        )));
    };
    if st <= 0.0 || hi < lo {
        return Some(Err(format!(
            "a range needs a <= b and step > 0, got {text}"
        )));
    }
    let count = ((hi - lo) / st + 1e-9).floor() + 1.0;
    if !count.is_finite() || count > MAX_POINTS as f64 {
        return Some(Err(format!(
            "{count} values; at most {MAX_POINTS} per parameter"
        )));
    }
    let count = count as u64;
    // Values written with the decimals of the bounds and the step, or, when
    // one of them has an exponent, to twelve significant digits.
    let exponent = [a, b, step].iter().any(|s| s.contains(['e', 'E']));
    let decimals = [a, b, step]
        .iter()
        .map(|s| s.trim().split_once('.').map_or(0, |(_, d)| d.len()))
        .max()
        .unwrap_or(0);
    Some(Ok((0..count)
        .map(|i| {
            let v = lo + i as f64 * st;
            if exponent {
                let rounded: f64 = format!("{v:.11e}").parse().unwrap_or(v);
                format!("{rounded}")
            } else {
                format!("{v:.decimals$}")
            }
        })
        .collect()))
}

/// Every combination, the first axis varying slowest.
fn grid(axes: &[Axis]) -> Vec<Point> {
    let mut points: Vec<Point> = vec![Vec::new()];
    for a in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                (0..a.values.len()).map(move |i| {
                    let mut q = p.clone();
                    q.push(i);
                    q
                })
            })
            .collect();
    }
    points
}

/// One point's results: each metric's value and SE, and its paired
/// difference from the first point with that difference's SE.
struct Row {
    point: Point,
    /// Per metric, in `Metric::ALL` order: (value, SE, diff, diff SE).
    metrics: Vec<(f64, f64, f64, f64)>,
}

impl Row {
    fn new(point: Point, diffs: &[stats::MetricDiff], is_first: bool) -> Row {
        let metrics = diffs
            .iter()
            .map(|d| {
                if is_first {
                    (d.base, d.base_se, 0.0, 0.0)
                } else {
                    (d.other, d.other_se, d.diff, d.se)
                }
            })
            .collect();
        Row { point, metrics }
    }
}

/// sweep.csv: a row per point: its index, the swept values, then for every
/// metric its value, SE, and paired difference from point 0 with its SE.
fn write_csv(path: &Path, axes: &[Axis], rows: &[Row]) -> Result<(), Error> {
    atomic::atomic_write(path, |w| {
        let mut header = vec!["point".to_string()];
        header.extend(axes.iter().map(|a| a.path.clone()));
        for m in Metric::ALL {
            let n = m.name();
            header.extend([
                n.to_string(),
                format!("{n}_se"),
                format!("{n}_diff"),
                format!("{n}_diff_se"),
            ]);
        }
        writeln!(w, "{}", header.join(","))?;
        let num = |x: f64| {
            if x.is_finite() {
                fmt_f64(x)
            } else {
                String::new()
            }
        };
        for (k, r) in rows.iter().enumerate() {
            let mut cells = vec![k.to_string()];
            cells.extend(
                axes.iter()
                    .zip(&r.point)
                    .map(|(a, &i)| csv_cell(&a.values[i])),
            );
            for &(v, se, d, dse) in &r.metrics {
                cells.extend([num(v), num(se), num(d), num(dse)]);
            }
            writeln!(w, "{}", cells.join(","))?;
        }
        Ok(())
    })
}

/// A value as a CSV cell: quoted when it holds a comma or a quote.
fn csv_cell(v: &str) -> String {
    if v.contains([',', '"', '\n']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// The chosen metric against the first swept parameter, one line per value
/// of the second (further parameters: one line per combination).
fn chart(
    dir: &Path,
    out: &Finish<'_>,
    axes: &[Axis],
    rows: &[Row],
    (s0, sources): (&Summary, &[String]),
) -> Result<(), Error> {
    let m = Metric::ALL
        .iter()
        .position(|x| *x == out.metric)
        .expect("a metric");
    // The x axis: the first parameter's values as numbers, or their index.
    let numeric: Option<Vec<f64>> = axes[0].values.iter().map(|v| v.parse().ok()).collect();
    let x_of = |i: usize| numeric.as_ref().map_or(i as f64, |xs| xs[i]);
    let mut lines: Vec<SweepLine> = Vec::new();
    for r in rows {
        let rest: Vec<String> = axes[1..]
            .iter()
            .zip(&r.point[1..])
            .map(|(a, &i)| format!("{} = {}", a.path, a.values[i]))
            .collect();
        let label = rest.join(", ");
        let (v, se, _, _) = r.metrics[m];
        let point = (x_of(r.point[0]), v, se);
        match lines.iter_mut().find(|l| l.label == label) {
            Some(l) => l.points.push(point),
            None => lines.push(SweepLine {
                label,
                points: vec![point],
            }),
        }
    }
    let meta = Meta {
        sources: sources.to_vec(),
        scenario: s0.scenario.clone(),
        title: format!("{}: {} swept", s0.title, axes[0].path),
        trials: s0.trials,
        seed: s0.seed,
        version: s0.version.clone(),
        sha: s0.scenario_sha256.chars().take(12).collect(),
        heading: out.heading("sweep"),
    };
    let x_label = if numeric.is_some() {
        axes[0].path.clone()
    } else {
        format!("{} (value number)", axes[0].path)
    };
    sweep_chart(
        &dir.join(format!("sweep_{}", out.metric.name())),
        out.formats,
        out.canvas,
        &meta,
        (&x_label, &super::measure_of(out.metric, s0)),
        &lines,
    )?;
    Ok(())
}

/// The terminal table: each point's values, the chosen metric ± SE, and its
/// paired difference from point 0.
fn terminal(axes: &[Axis], rows: &[Row], metric: Metric, s0: &Summary) -> String {
    let m = Metric::ALL
        .iter()
        .position(|x| *x == metric)
        .expect("a metric");
    let scale = if metric == Metric::Probability {
        100.0
    } else {
        1.0
    };
    let mut out = format!(
        "{}: {} points, {} trials each, seed {}, trials paired by index; {} against point 0:\n",
        s0.scenario,
        rows.len(),
        s0.trials,
        s0.seed,
        metric.label()
    );
    for (k, r) in rows.iter().enumerate() {
        let (v, se, d, dse) = r.metrics[m];
        let params: Vec<String> = axes
            .iter()
            .zip(&r.point)
            .map(|(a, &i)| format!("{}={}", a.path, a.values[i]))
            .collect();
        let dd = decimals_for(se * scale);
        let de = decimals_for(dse * scale).min(dd + 2);
        let _ = writeln!(
            out,
            "  {k:>3}  {}   {:.dd$} ± {:.dd$}   {:+.de$} ± {:.de$}",
            params.join("  "),
            v * scale,
            se * scale,
            d * scale,
            dse * scale
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_become_axes_and_fixed_overrides() {
        let sets: Vec<String> = [
            "substitute.spot.capacity=0,4,8",
            "storage.minimum=2.0..3.0:0.5",
            "simulation.trials=100",
            "substitute.us_flex.lead_days={dist=\"empirical\",values=[21,36],weights=[1,1]},21",
        ]
        .map(String::from)
        .to_vec();
        let (axes, fixed) = parse_sets(&sets).unwrap();
        assert_eq!(axes[0].values, ["0", "4", "8"]);
        assert_eq!(axes[1].values, ["2.0", "2.5", "3.0"]);
        assert_eq!(axes[2].values.len(), 2);
        assert_eq!(fixed, ["simulation.trials=100"]);
        assert_eq!(grid(&axes[..2]).len(), 9);
        assert_eq!(grid(&axes[..2])[1], vec![0, 1]);
        assert_eq!(range("0..1:0.1").unwrap().unwrap().len(), 11);
        assert!(range("3..1:1").unwrap().is_err());
        assert!(range("a..b").is_none());
        assert_eq!(
            range("0..0.3:1e-1").unwrap().unwrap(),
            ["0", "0.1", "0.2", "0.3"]
        );
        assert!(range("0..1e308:1e-308").unwrap().is_err());
    }
}
