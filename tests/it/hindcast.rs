//! The hindcast of winter 2020/21 (scenarios/hindcast-winter-2020-21.toml):
//! its horizon is the one docs/hindcast.md reads its dates from, and its
//! storage path starts at the stated 1.6 Mt of 15 October 2020. (That it
//! validates and runs is the every-scenario test's.)

use shortfall::scenario::load_model;
use shortfall::stats::step_rows;

use crate::helpers::{everything_off, root, run};

#[test]
fn the_hindcast_starts_at_the_stated_level_on_the_stated_day() {
    let path = root().join("scenarios/hindcast-winter-2020-21.toml");
    let m = load_model(&path, &[]).unwrap();
    // With every random element off the run is deterministic: the end of
    // step 0 holds the initial level plus the day's supply less its demand
    // (nothing ordered can arrive on the first day: every lead time is at
    // least a week), which the histogram reports to within half a bin.
    let mut sets = everything_off(&m, None);
    sets.push("simulation.trials=512".into());
    let m = load_model(&path, &sets).unwrap();
    let sim = run(&m, 2);
    let rows = step_rows(&m, &sim);
    assert_eq!(rows.len(), 168);
    assert_eq!(rows[0].date, "2020-10-15");
    assert_eq!(rows[55].date, "2020-12-09");
    assert_eq!(rows[88].date, "2021-01-11");
    assert_eq!(rows[94].date, "2021-01-17");
    assert_eq!(rows[167].date, "2021-03-31");
    assert_eq!(rows[0].substitute_mean, 0.0);
    let end_of_day_0 = 1.6 + rows[0].supply_mean - rows[0].demand_mean;
    let half_bin = (m.storage_capacity - m.storage_minimum) / 2000.0;
    for level in rows[0].storage {
        assert!(
            (level - end_of_day_0).abs() <= half_bin + 1e-12,
            "step 0 holds {level}, the initial 1.6 Mt and the day's flows give {end_of_day_0}"
        );
    }
}
