//! The per-trial columns: what every trial reports, as a type.
//!
//! The engine fills a [`Row`] per trial, the statistics iterate over
//! [`Column::ALL`], and every output names a column by [`Column::name`]. The
//! order of [`Column::ALL`] is the order of trials.npy, trials.csv and
//! summary.json (SCENARIO.md, "What a run reports"). Adding a column is a
//! change here: a variant, its place in `ALL` and its name; the compiler
//! then points at every `match` that must learn it.

/// One per-trial column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    /// Total shortfall over the horizon.
    Shortfall,
    /// Largest shortfall in one step.
    ShortfallPeak,
    /// Steps with a shortfall.
    ShortfallSteps,
    /// Runs of consecutive steps with a shortfall.
    ShortfallEvents,
    /// Longest run of steps with a shortfall.
    LongestShortfallSteps,
    /// First step with a shortfall (-1 if none).
    FirstShortfallStep,
    /// Lowest end-of-step storage level.
    StorageMin,
    /// Total demand.
    Demand,
    /// Total volume lost at source.
    SupplyLost,
    /// Total arrivals from loss- and storage-triggered substitutes.
    SubstituteUsed,
    /// Total emergency (shortfall-triggered) use.
    EmergencyUsed,
    /// Total volume spilled above storage capacity.
    Surplus,
    /// Total cost of substitute deliveries.
    Cost,
}

/// Number of per-trial columns.
pub const NCOLS: usize = Column::ALL.len();

/// A trial's values, indexed by [`Column::index`].
pub type Row = [f64; NCOLS];

impl Column {
    /// Every column, in output order.
    pub const ALL: [Column; 13] = [
        Column::Shortfall,
        Column::ShortfallPeak,
        Column::ShortfallSteps,
        Column::ShortfallEvents,
        Column::LongestShortfallSteps,
        Column::FirstShortfallStep,
        Column::StorageMin,
        Column::Demand,
        Column::SupplyLost,
        Column::SubstituteUsed,
        Column::EmergencyUsed,
        Column::Surplus,
        Column::Cost,
    ];

    /// The column's name in every output file.
    pub const fn name(self) -> &'static str {
        match self {
            Column::Shortfall => "shortfall",
            Column::ShortfallPeak => "shortfall_peak",
            Column::ShortfallSteps => "shortfall_steps",
            Column::ShortfallEvents => "shortfall_events",
            Column::LongestShortfallSteps => "longest_shortfall_steps",
            Column::FirstShortfallStep => "first_shortfall_step",
            Column::StorageMin => "storage_min",
            Column::Demand => "demand",
            Column::SupplyLost => "supply_lost",
            Column::SubstituteUsed => "substitute_used",
            Column::EmergencyUsed => "emergency_used",
            Column::Surplus => "surplus",
            Column::Cost => "cost",
        }
    }

    /// The column's position in a row (its place in [`Column::ALL`]).
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The column with this name.
    pub fn from_name(name: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether a low value is the bad tail (its CVaR averages the lowest
    /// trials): true for `storage_min` only.
    pub const fn low_is_worse(self) -> bool {
        matches!(self, Column::StorageMin)
    }

    /// The names of every column, in output order.
    pub fn names() -> impl Iterator<Item = &'static str> {
        Column::ALL.into_iter().map(Column::name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_each_variant_at_its_index_with_a_distinct_name() {
        for (i, c) in Column::ALL.into_iter().enumerate() {
            assert_eq!(c.index(), i, "{c:?}");
            assert_eq!(Column::from_name(c.name()), Some(c));
        }
        let mut names: Vec<&str> = Column::names().collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), NCOLS);
        assert_eq!(Column::from_name("nonesuch"), None);
    }
}
