//! Per-step tallies: sums over trials of each step's flows, and of each
//! supplier's and event's losses (timeseries.csv and the lost-supply chart
//! are built from them).

use crate::scenario::Model;

/// Per-step sums over a group of trials (added in trial order).
#[derive(Debug, Clone, PartialEq)]
pub struct StepSums {
    /// Σ demand_t.
    pub demand: Vec<f64>,
    /// Σ supply_t (arrivals from suppliers).
    pub supply: Vec<f64>,
    /// Σ lost_t (at source).
    pub lost: Vec<f64>,
    /// Σ arrivals from loss- and storage-triggered substitutes.
    pub substitute: Vec<f64>,
    /// Σ emergency (shortfall-triggered) use.
    pub emergency: Vec<f64>,
    /// Σ shortfall_t.
    pub shortfall: Vec<f64>,
    /// Number of trials with a shortfall at step t.
    pub shortfall_count: Vec<u64>,
    /// Σ over trials of each supplier's lost volume.
    pub lost_by_supplier: Vec<f64>,
    /// Σ over trials of the volume each event's supply effects remove (gross).
    pub lost_by_event: Vec<f64>,
}

impl StepSums {
    /// Zeroed sums for a model.
    pub fn new(model: &Model) -> StepSums {
        let n = model.steps;
        StepSums {
            demand: vec![0.0; n],
            supply: vec![0.0; n],
            lost: vec![0.0; n],
            substitute: vec![0.0; n],
            emergency: vec![0.0; n],
            shortfall: vec![0.0; n],
            shortfall_count: vec![0; n],
            lost_by_supplier: vec![0.0; model.suppliers.len()],
            lost_by_event: vec![0.0; model.events.len()],
        }
    }

    /// Adds another group's sums (call in a fixed order for reproducible bytes).
    pub fn add(&mut self, o: &StepSums) {
        let pairs = [
            (&mut self.demand, &o.demand),
            (&mut self.supply, &o.supply),
            (&mut self.lost, &o.lost),
            (&mut self.substitute, &o.substitute),
            (&mut self.emergency, &o.emergency),
            (&mut self.shortfall, &o.shortfall),
            (&mut self.lost_by_supplier, &o.lost_by_supplier),
            (&mut self.lost_by_event, &o.lost_by_event),
        ];
        for (a, b) in pairs {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        self.shortfall_count
            .iter_mut()
            .zip(&o.shortfall_count)
            .for_each(|(x, y)| *x += y);
    }
}
