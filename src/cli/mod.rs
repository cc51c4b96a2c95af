//! Command-line definitions (clap) and dispatch.

mod compare;
mod compare_shards;
mod compare_target;
mod folder;
pub mod interrupt;
mod memory;
mod merge;
mod plot;
mod progress;
mod run;
mod sensitivity;
mod sweep;
mod sweep_target;
mod table;
mod target;
mod terminal;
mod tornado;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use shortfall::report::Format;
use shortfall::report::charts::PNG_WIDTH;
use shortfall::report::charts::{Canvas, Size};

/// Monte Carlo simulator of an energy importer's supply shortfall.
#[derive(Debug, Parser)]
#[command(name = "shortfall", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario and write its results to OUT/NAME/ (with --shard K/N,
    /// one shard of it to OUT/NAME/shard-K-of-N/).
    Run(RunArgs),
    /// Merge the shards of a run (`run --shard`) into the results of the
    /// whole run, byte for byte those of a run in one piece.
    Merge(MergeArgs),
    /// Check scenario files without running them.
    Validate(ValidateArgs),
    /// Re-render the charts (and summary.md) of a finished run from its files.
    Plot(PlotArgs),
    /// Print a Markdown table comparing finished runs (their folders or summary.json files).
    Table(TableArgs),
    /// Run scenarios (or variants of one) on the same trials and compare each with the first, trial by trial.
    Compare(CompareArgs),
    /// Run a grid of values of one or more fields on the same trials.
    Sweep(SweepArgs),
    /// Vary one input at a time to a low and a high setting, on the same trials, and rank the swings.
    Tornado(TornadoArgs),
    /// Rank a scenario's uncertain inputs by their influence on the result, from one run.
    Sensitivity(SensitivityArgs),
}

/// Options of `shortfall sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// The scenario file; it must draw some inputs (model v2).
    pub scenario: PathBuf,
    /// Override one field (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    #[command(flatten)]
    pub common: Common,
    /// The metric shown, charted or ranked: eue, p_shortfall, lole, p95, p99,
    /// cvar95 or cost (the CSV files hold every metric where they can).
    #[arg(long, default_value = "eue")]
    pub metric: shortfall::stats::Metric,
}

/// Options of `shortfall tornado`.
#[derive(Debug, Args)]
pub struct TornadoArgs {
    /// The scenario file. Its `[sensitivity]` table, if any, names the inputs
    /// and their low and high settings; otherwise every supplier volume,
    /// substitute capacity and lead time, event probability, storage capacity
    /// and initial level is varied by ±20% (a drawn one from its P10 to P90).
    pub scenario: PathBuf,
    /// Override one field in every run (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    #[command(flatten)]
    pub common: Common,
    /// The metric shown, charted or ranked: eue, p_shortfall, lole, p95, p99,
    /// cvar95 or cost (the CSV files hold every metric where they can).
    #[arg(long, default_value = "eue")]
    pub metric: shortfall::stats::Metric,
}

/// Options of `shortfall sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// A swept field, PATH=V1,V2,... or PATH=a..b:step (both ends included);
    /// with one value, a fixed override. Repeatable: the grid is every
    /// combination, the first swept field varying slowest.
    #[arg(long = "set", value_name = "PATH=VALUES", required = true)]
    pub sets: Vec<String>,
    #[command(flatten)]
    pub common: Common,
    /// The metric shown, charted or ranked: eue, p_shortfall, lole, p95, p99,
    /// cvar95 or cost (the CSV files hold every metric where they can).
    #[arg(long, default_value = "eue")]
    pub metric: shortfall::stats::Metric,
    /// Run only shard K of N of every point (K from 0), into
    /// OUT/sweep-NAME/shards/, for `shortfall merge OUT/sweep-NAME/shards`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<ShardArg>,
    /// Run to a precision: waves of trials, every point on the same trials,
    /// until the paired difference in --metric (a mean: eue, p_shortfall,
    /// lole or cost) of every point against point 0 has a relative standard
    /// error at or below REL, or until --max-trials. The points stop
    /// together; the result is byte for byte that of --trials N.
    #[arg(long, value_name = "REL", value_parser = relative_se, conflicts_with = "shard")]
    pub target_se: Option<f64>,
    /// The most trials --target-se may run (default: the points' trials).
    #[arg(long, value_name = "N", requires = "target_se", value_parser = clap::value_parser!(u64).range(1..=u32::MAX as u64))]
    pub max_trials: Option<u64>,
}

/// A relative standard error: a number above 0 and below 1.
fn relative_se(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x > 0.0 && x < 1.0 => Ok(x),
        _ => Err(format!(
            "expected a relative standard error above 0 and below 1, e.g. 0.01 for 1%, got \"{s}\""
        )),
    }
}

/// What every command that runs scenarios shares: where to write, the
/// trials and seed, threads, quiet and the charts.
#[derive(Debug, Args)]
pub struct Common {
    /// Folder under which the results folder (named after the scenario, or
    /// compare-, sweep-, tornado- or sensitivity-NAME) is created.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Number of trials of every run (overrides simulation.trials; default:
    /// the (first) file's).
    #[arg(long)]
    pub trials: Option<u64>,
    /// Base seed of every run (overrides simulation.seed; default: the
    /// (first) file's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads of the whole command: simulation, statistics and
    /// charts (default: one per core). Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// No progress bar and no table on the terminal.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
    /// Do not render charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Refuse to start (exit code 2) when the estimated memory is above
    /// SIZE (e.g. 8G, 500M; K, M, G, T are powers of 1024). Default: the
    /// memory available (MemAvailable, or a cgroup's limit).
    #[arg(long, value_name = "SIZE", value_parser = memory::parse_size)]
    pub max_memory: Option<u64>,
}

impl Common {
    /// `sets` followed by `--trials` and `--seed` as overrides.
    pub fn sets(&self, sets: &[String]) -> Vec<String> {
        let mut all = sets.to_vec();
        if let Some(t) = self.trials {
            all.push(format!("simulation.trials={t}"));
        }
        if let Some(s) = self.seed {
            all.push(format!("simulation.seed={s}"));
        }
        all
    }
}

/// Options of `shortfall compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario files; the first is the base every other run is compared with.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// A variant of the first file, NAME:PATH=VALUE[,PATH=VALUE...] (repeatable),
    /// e.g. --variant sbl-small:substitute.sbl.volume=0.21.
    #[arg(long = "variant", value_name = "NAME:PATH=VALUE[,...]")]
    pub variants: Vec<String>,
    /// Override one field in every run (repeatable, applied in order).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Also write each run's per-trial table as trials.csv.
    #[arg(long)]
    pub csv: bool,
    #[command(flatten)]
    pub common: Common,
    /// The metric shown, charted or ranked: eue, p_shortfall, lole, p95, p99,
    /// cvar95 or cost (the CSV files hold every metric where they can).
    #[arg(long, default_value = "eue")]
    pub metric: shortfall::stats::Metric,
    /// Run only shard K of N of every run (K from 0), into
    /// OUT/compare-NAME/shards/, for `shortfall merge OUT/compare-NAME/shards`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<ShardArg>,
    /// Run to a precision: waves of trials until the paired difference in
    /// --metric (a mean: eue, p_shortfall, lole or cost) of every run against
    /// the first has a relative standard error at or below REL, or until
    /// --max-trials. The result is byte for byte that of --trials N.
    #[arg(long, value_name = "REL", value_parser = relative_se, conflicts_with = "shard")]
    pub target_se: Option<f64>,
    /// The most trials --target-se may run (default: the runs' trials).
    #[arg(long, value_name = "N", requires = "target_se", value_parser = clap::value_parser!(u64).range(1..=u32::MAX as u64))]
    pub max_trials: Option<u64>,
}

/// Options of `shortfall table`.
#[derive(Debug, Args)]
pub struct TableArgs {
    /// Run folders (or their summary.json files), one row each, in this order.
    #[arg(required = true)]
    pub runs: Vec<PathBuf>,
    /// Row labels instead of the scenario names, comma-separated, one per run.
    #[arg(long, value_delimiter = ',')]
    pub labels: Vec<String>,
    /// Also print the paired differences of every run against the first,
    /// trial by trial (the runs need the same seed and trial count, and their
    /// trials.npy).
    #[arg(long)]
    pub paired: bool,
}

/// Chart options shared by `run` and `plot`.
#[derive(Debug, Args)]
pub struct ChartArgs {
    /// Chart formats, comma-separated: svg (vector), png (2400 px wide by
    /// default) and/or pdf (vector, fonts embedded).
    #[arg(long, value_delimiter = ',', default_value = "svg,png")]
    pub format: Vec<Format>,
    /// PNG width in pixels at the default size (text and lines scale with
    /// it).
    #[arg(long, default_value_t = PNG_WIDTH, value_parser = clap::value_parser!(u32).range(600..=10000), conflicts_with = "size")]
    pub png_width: u32,
    /// Chart size: default (SVG 1200 units, PNG --png-width), single (one
    /// journal column, 85 mm), double (175 mm) or slide (254 mm); a preset
    /// draws PNGs at 300 dpi and SVG/PDF at the printed size, with text of
    /// at least 7 pt (12 pt on a slide).
    #[arg(long, default_value = "default")]
    pub size: Size,
    /// A chart's title, as CHART=TEXT (CHART is its file stem, e.g.
    /// exceedance; for the comparison charts exceedance_overlay,
    /// differences, sweep, tornado or sensitivity); repeat for more charts.
    /// Over the scenario's `[report.titles]`.
    #[arg(long = "title", value_name = "CHART=TEXT", value_parser = parse_title)]
    pub titles: Vec<(String, String)>,
}

impl ChartArgs {
    /// The size the charts are drawn at.
    pub fn canvas(&self) -> Canvas {
        Canvas {
            size: self.size,
            png_width: self.png_width,
        }
    }
}

/// What `metric` measures on a comparison chart's axis: a volume in the
/// summary's unit (shown in the unit chosen from the data), steps, a
/// probability or a cost.
pub fn measure_of(
    metric: shortfall::stats::Metric,
    s: &shortfall::report::Summary,
) -> shortfall::plot::compare::Measure {
    use shortfall::plot::compare::Measure;
    use shortfall::stats::Metric;
    let name = metric.label();
    match metric {
        Metric::Eue | Metric::P95 | Metric::P99 | Metric::Cvar95 => Measure::volume(name, &s.unit),
        Metric::Lole => Measure::other(name, Some(&format!("{}s", s.step))),
        Metric::Probability => Measure::other(name, None),
        Metric::Cost => Measure::other(name, Some(s.currency.as_deref().unwrap_or("cost units"))),
    }
}

/// The charts of `compare`, `sweep`, `tornado` and `sensitivity` that take
/// a `--title` (the sweep's, tornado's and sensitivity chart's files add the
/// metric to the stem: sweep_eue.svg).
const COMPARISON_STEMS: [&str; 5] = [
    "exceedance_overlay",
    "differences",
    "sweep",
    "tornado",
    "sensitivity",
];

/// Reads `--title CHART=TEXT`.
fn parse_title(s: &str) -> Result<(String, String), String> {
    let stems: Vec<&str> = shortfall::scenario::validate::CHART_STEMS
        .iter()
        .chain(&COMPARISON_STEMS)
        .copied()
        .collect();
    let Some((stem, text)) = s.split_once('=') else {
        return Err(format!(
            "expected CHART=TEXT, got \"{s}\"; CHART is one of: {}",
            stems.join(", ")
        ));
    };
    let stem = stem.trim();
    if !stems.contains(&stem) {
        return Err(format!(
            "unknown chart \"{stem}\"; allowed: {}",
            stems.join(", ")
        ));
    }
    if text.trim().is_empty() {
        return Err(format!("the title of {stem} is empty"));
    }
    Ok((stem.to_string(), text.trim().to_string()))
}

/// Options of `shortfall plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A run's output folder (holding summary.json, timeseries.csv, trials.npy).
    pub dir: PathBuf,
    #[command(flatten)]
    pub charts: ChartArgs,
}

/// Options of `shortfall run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Also write the per-trial table as trials.csv.
    #[arg(long)]
    pub csv: bool,
    #[command(flatten)]
    pub common: Common,
    /// Override one field, e.g. --set storage.capacity=3.5 or
    /// --set supplier.sakhalin2.volume=0 (repeatable, applied in order).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Run only shard K of N (K from 0 to N-1): the K-th of N contiguous
    /// ranges of whole chunks of trials, written to OUT/NAME/shard-K-of-N/
    /// for `shortfall merge` (no summary or charts until then).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<ShardArg>,
    /// Run to a precision instead of a fixed number of trials: waves of
    /// trials, in trial order, until the relative standard error of
    /// --metric (SE / |value|) is at or below REL (0.01 for 1%), or until
    /// --max-trials. The result is byte for byte the plain run of the
    /// trials it ended with.
    #[arg(long, value_name = "REL", value_parser = relative_se, conflicts_with = "shard")]
    pub target_se: Option<f64>,
    /// The metric --target-se applies to: eue (the default), p_shortfall,
    /// lole, p95, p99, cvar95 or cost.
    #[arg(long, requires = "target_se")]
    pub metric: Option<shortfall::stats::Metric>,
    /// The most trials --target-se may run (default: the run's trials, from
    /// the scenario or --trials).
    #[arg(long, value_name = "N", requires = "target_se", value_parser = clap::value_parser!(u64).range(1..=u32::MAX as u64))]
    pub max_trials: Option<u64>,
}

/// `--shard K/N`: shard `K` (from 0) of `N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardArg {
    /// Its index, from 0.
    pub k: u64,
    /// The number of shards.
    pub n: u64,
}

impl std::str::FromStr for ShardArg {
    type Err = String;

    fn from_str(s: &str) -> Result<ShardArg, String> {
        let bad = || format!("expected K/N with 0 <= K < N <= {MAX_SHARDS}, e.g. 0/4, got \"{s}\"");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: u64 = k.trim().parse().map_err(|_| bad())?;
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || k >= n || n > MAX_SHARDS {
            return Err(bad());
        }
        Ok(ShardArg { k, n })
    }
}

use shortfall::report::shard::MAX_SHARDS;

/// Options of `shortfall merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard folders (`OUT/NAME/shard-K-of-N`), every shard of one run,
    /// in any order; or the `shards` folder of a sharded compare or sweep
    /// (`OUT/compare-NAME/shards`).
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Folder under which the merged results folder (named after the
    /// scenario) is created.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Also write the per-trial table as trials.csv.
    #[arg(long)]
    pub csv: bool,
    /// For the shards of a comparison or sweep: the metric of the terminal
    /// summary and charts, as for those commands.
    #[arg(long, default_value = "eue")]
    pub metric: shortfall::stats::Metric,
    /// Worker threads for the statistics and charts (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Nothing on the terminal but errors.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
    /// Do not render charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Refuse to start (exit code 2) when the estimated memory of the merged
    /// run is above SIZE (e.g. 8G, 500M). Default: the memory available.
    #[arg(long, value_name = "SIZE", value_parser = memory::parse_size)]
    pub max_memory: Option<u64>,
}

/// Options of `shortfall validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Overrides applied to every file before checking.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

/// Parses the command line and runs the command.
pub fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    // The commands that write a results folder stop cleanly on Ctrl-C or
    // SIGTERM (those that simulate within a chunk's time; merge and plot
    // at the end of their work, before the swap); the others keep the
    // signals' usual action.
    if matches!(
        cli.command,
        Command::Run(_)
            | Command::Merge(_)
            | Command::Plot(_)
            | Command::Compare(_)
            | Command::Sweep(_)
            | Command::Tornado(_)
            | Command::Sensitivity(_)
    ) {
        interrupt::install();
    }
    set_threads(&cli.command)?;
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Merge(args) => merge::merge(&args),
        Command::Validate(args) => validate::validate(&args),
        Command::Plot(args) => plot::plot(&args),
        Command::Table(args) => table::table(&args),
        Command::Compare(args) => compare::compare(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Tornado(args) => tornado::run_tornado(&args),
        Command::Sensitivity(args) => sensitivity::run_sensitivity(&args),
    }
}

/// Holds the whole command to its `--threads`: the statistics, the charts
/// and the file writes run on rayon's global pool, which is built here with
/// that many threads (the simulation builds its own pool of the same size).
/// Without it, `--threads 1` would still summarise and draw on every core, a
/// cluster job given one core would use more, and a timing "on one thread"
/// would not be one.
fn set_threads(command: &Command) -> anyhow::Result<()> {
    let threads = match command {
        Command::Run(a) => a.common.threads,
        Command::Compare(a) => a.common.threads,
        Command::Sweep(a) => a.common.threads,
        Command::Tornado(a) => a.common.threads,
        Command::Sensitivity(a) => a.common.threads,
        // merge runs all of its work inside a pool of its own.
        Command::Merge(_) | Command::Validate(_) | Command::Plot(_) | Command::Table(_) => 0,
    };
    if threads > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .map_err(|e| pool_error(threads, &e))?;
    }
    Ok(())
}

/// The error of a thread pool that could not be started.
fn pool_error(threads: usize, e: &rayon::ThreadPoolBuildError) -> shortfall::Error {
    shortfall::Error::Resources {
        what: format!("cannot start {threads} threads: {e}"),
        advice: "use fewer --threads".into(),
    }
}
