//! Per-step statistics (timeseries.csv): means over trials and storage
//! percentiles from the per-step histogram.

use crate::engine::SimOutput;
#[cfg(test)]
use crate::engine::hist::HIST_WIDTH;
use crate::engine::hist::STORAGE_BINS;
use crate::scenario::Model;

/// Storage percentiles reported per step, in per-mille.
const STORAGE_QUANTILES: [u64; 5] = [50, 250, 500, 750, 950];

/// One row of timeseries.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRow {
    /// Step index.
    pub step: usize,
    /// Calendar date (date-time for hourly steps).
    pub date: String,
    /// Mean demand.
    pub demand_mean: f64,
    /// Mean supplier arrivals.
    pub supply_mean: f64,
    /// Mean volume lost at source.
    pub lost_mean: f64,
    /// Mean arrivals from loss- and storage-triggered substitutes.
    pub substitute_mean: f64,
    /// Mean shortfall.
    pub shortfall_mean: f64,
    /// Fraction of trials with a shortfall.
    pub shortfall_prob: f64,
    /// Storage level percentiles p05, p25, p50, p75, p95 (end of step).
    pub storage: [f64; 5],
    /// Mean emergency (shortfall-triggered) use.
    pub emergency_mean: f64,
}

/// The level a histogram bin stands for: the exact minimum or capacity for
/// the two end bins, the bin's midpoint otherwise.
fn bin_value(bin: usize, minimum: f64, capacity: f64) -> f64 {
    if bin == 0 {
        minimum
    } else if bin == STORAGE_BINS + 1 {
        capacity
    } else {
        minimum + (bin as f64 - 0.5) / STORAGE_BINS as f64 * (capacity - minimum)
    }
}

/// The q-quantile (order statistic `x_(ceil(q·n))`) of a histogram.
fn hist_quantile(counts: &[u32], permille: u64, minimum: f64, capacity: f64) -> f64 {
    let n: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    let rank = (n as u128 * permille as u128).div_ceil(1000).max(1) as u64;
    let mut seen = 0;
    for (bin, c) in counts.iter().enumerate() {
        seen += u64::from(*c);
        if seen >= rank {
            return bin_value(bin, minimum, capacity);
        }
    }
    capacity
}

/// Builds the per-step rows.
pub fn step_rows(model: &Model, out: &SimOutput) -> Vec<StepRow> {
    let n = out.table.nrows() as f64;
    let s = &out.sums;
    (0..model.steps)
        .map(|t| {
            let counts = out.storage_hist.row(t);
            StepRow {
                step: t,
                date: model.step_labels[t].clone(),
                demand_mean: s.demand[t] / n,
                supply_mean: s.supply[t] / n,
                lost_mean: s.lost[t] / n,
                substitute_mean: s.substitute[t] / n,
                shortfall_mean: s.shortfall[t] / n,
                shortfall_prob: s.shortfall_count[t] as f64 / n,
                storage: STORAGE_QUANTILES.map(|q| {
                    hist_quantile(counts, q, model.storage_minimum, model.storage_capacity)
                }),
                emergency_mean: s.emergency[t] / n,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_quantiles_use_exact_end_bins() {
        let mut counts = vec![0u32; HIST_WIDTH];
        counts[0] = 10; // at the minimum
        counts[500] = 80;
        counts[STORAGE_BINS + 1] = 10; // full
        assert_eq!(hist_quantile(&counts, 50, 1.0, 3.0), 1.0);
        assert_eq!(hist_quantile(&counts, 100, 1.0, 3.0), 1.0);
        let mid = hist_quantile(&counts, 500, 1.0, 3.0);
        assert!((mid - (1.0 + 499.5 / 1000.0 * 2.0)).abs() < 1e-12);
        assert_eq!(hist_quantile(&counts, 950, 1.0, 3.0), 3.0);
    }
}
