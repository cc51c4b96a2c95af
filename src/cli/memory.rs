//! `--max-memory`: a run's memory is estimated before it starts
//! ([`shortfall::engine::memory`]) and a run that would not fit in the
//! memory available (or in `--max-memory`) is refused, with the number of
//! trials, or of shards, that would fit.

use shortfall::Error;
use shortfall::engine::memory::{Footprint, footprint, human};
use shortfall::engine::{CHUNK, NCOLS};
use shortfall::scenario::Model;

/// Reads `--max-memory SIZE`: a number of bytes with an optional suffix K,
/// M, G or T (powers of 1024; `8G`, `500M`, `1.5G`; a trailing `B` or `iB`
/// is allowed).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let bad = || format!("expected a size such as 8G, 500M or 1.5G, got \"{s}\"");
    let t = s.trim().to_ascii_uppercase();
    let t = t
        .strip_suffix("IB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(&t);
    let (number, shift) = match t.chars().last() {
        Some('K') => (&t[..t.len() - 1], 10),
        Some('M') => (&t[..t.len() - 1], 20),
        Some('G') => (&t[..t.len() - 1], 30),
        Some('T') => (&t[..t.len() - 1], 40),
        _ => (t, 0),
    };
    let x: f64 = number.trim().parse().map_err(|_| bad())?;
    let bytes = x * (1u64 << shift) as f64;
    if !(x.is_finite() && bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(bad());
    }
    Ok(bytes as u64)
}

/// The memory this process may use: the least of /proc/meminfo's
/// MemAvailable and the room left under a cgroup's memory limit (v2 or v1),
/// with where it comes from; `None` where neither can be read (not Linux).
pub fn available() -> Option<(u64, &'static str)> {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let number = |s: Option<String>| s.and_then(|s| s.trim().parse::<u64>().ok());
    let meminfo = read("/proc/meminfo").and_then(|text| {
        let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some((
            kb * 1024,
            "the memory available (MemAvailable in /proc/meminfo)",
        ))
    });
    // The page cache a cgroup has charged (after a build, most of its usage)
    // is given back under pressure: it is room, not use.
    let cache = |stat: &str, keys: &[&str]| -> u64 {
        read(stat).map_or(0, |text| {
            text.lines()
                .filter_map(|l| l.split_once(' '))
                .filter(|(k, _)| keys.contains(k))
                .filter_map(|(_, v)| v.trim().parse::<u64>().ok())
                .sum()
        })
    };
    let cgroup = [
        (
            "/sys/fs/cgroup/memory.max",
            "/sys/fs/cgroup/memory.current",
            "/sys/fs/cgroup/memory.stat",
            &["file"][..],
        ),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
            "/sys/fs/cgroup/memory/memory.stat",
            &["total_cache"][..],
        ),
    ]
    .iter()
    .find_map(|(max, current, stat, keys)| {
        // "max" (v2) or a huge number (v1) is no limit.
        let limit = number(read(max)).filter(|l| *l < 1 << 60)?;
        let used = number(read(current))
            .unwrap_or(0)
            .saturating_sub(cache(stat, keys));
        Some((
            limit.saturating_sub(used),
            "the room left under this cgroup's memory limit (its page cache counted as room)",
        ))
    });
    match (meminfo, cgroup) {
        (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// What a command is about to hold: the estimate and how to shrink it.
pub struct Plan {
    /// What is estimated, e.g. "this run" or "this comparison (3 runs)".
    pub what: String,
    /// The estimate.
    pub footprint: Footprint,
    /// The trials of each run.
    pub trials: u64,
    /// Whether `--shard` can split it.
    pub shardable: bool,
}

impl Plan {
    /// A run of `trials` trials of `model`, or the command's runs: `held`
    /// runs' tables (and inputs) kept while another is simulated, and
    /// `extra` bytes per trial of paired statistics.
    pub fn of(
        what: String,
        model: &Model,
        trials: u64,
        threads: usize,
        held: u64,
        extra: u64,
    ) -> Plan {
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(1, usize::from)
        } else {
            threads
        };
        let mut f = footprint(model, trials, threads);
        let kept = held * 8 * (NCOLS + model.inputs.len()) as u64 + extra;
        f.bytes_per_trial += kept;
        f.per_trial += trials * kept;
        Plan {
            what,
            footprint: f,
            trials,
            shardable: true,
        }
    }

    /// The same plan, drawing charts: PNGs are drawn into a bitmap of
    /// `png_width` × ¾ of it (the tallest chart), 3 bytes a pixel, which the
    /// encoder copies once.
    pub fn with_charts(mut self, formats: &[shortfall::report::Format], png_width: u32) -> Plan {
        let w = u64::from(png_width);
        let bitmap = if formats.contains(&shortfall::report::Format::Png) {
            2 * 3 * w * (w * 3 / 4)
        } else {
            0
        };
        // Vector charts are strings of a few megabytes.
        let charts = if formats.is_empty() {
            0
        } else {
            bitmap + (8 << 20)
        };
        self.footprint.base += charts;
        self
    }

    /// The same plan, which `--shard` cannot split further (it is a shard).
    pub fn unsplit(mut self) -> Plan {
        self.shardable = false;
        self
    }

    /// Refuses (exit code 2) a plan that does not fit in `max_memory`, or
    /// without it in the memory [`available`].
    pub fn check(&self, max_memory: Option<u64>) -> Result<(), Error> {
        let (limit, source) = match max_memory {
            Some(m) => (m, format!("--max-memory {}", human(m))),
            None => match available() {
                Some((m, source)) => (m, format!("{source}, {}", human(m))),
                None => return Ok(()),
            },
        };
        let f = &self.footprint;
        if f.total() <= limit {
            return Ok(());
        }
        let what = format!(
            "{} needs about {} of memory ({} for the {} trials' tables, {} for the per-step sums, the histogram and the threads' buffers, {} for the program), more than {source}",
            self.what,
            human(f.total()),
            human(f.per_trial),
            self.trials,
            human(f.per_step),
            human(f.base),
        );
        let fit = f.trials_within(limit);
        let fit = if fit >= CHUNK as u64 {
            fit / CHUNK as u64 * CHUNK as u64
        } else {
            fit
        };
        let advice = if fit == 0 {
            "even one trial does not fit: use fewer steps, or a larger --max-memory if the machine has it".to_string()
        } else {
            let mut a = format!("run at most {fit} trials (--trials {fit})");
            if self.shardable {
                let n = self.trials.div_ceil(fit).max(2);
                a.push_str(&format!(
                    ", or split the run into {n} shards that fit (--shard K/{n} for K = 0..{}, then `shortfall merge` on a machine with about {} free)",
                    n - 1,
                    human(f.total())
                ));
            }
            a
        };
        Err(Error::Resources { what, advice })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_parse_in_powers_of_1024() {
        assert_eq!(parse_size("8G"), Ok(8 << 30));
        assert_eq!(parse_size("500M"), Ok(500 << 20));
        assert_eq!(parse_size("1.5g"), Ok(3 << 29));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("4096"), Ok(4096));
        for bad in ["", "G", "-1G", "0", "1X", "nanG", "1e30T"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
