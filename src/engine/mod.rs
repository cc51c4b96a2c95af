//! The Monte Carlo engine: random streams ([`rng`]), outage processes
//! ([`outage`]), one trial ([`trial`]) and the parallel driver ([`run`]).

pub mod outage;
pub mod rng;
pub mod run;
pub mod trial;

pub use run::{RunOptions, SimOutput, simulate, trace_trial};
pub use trial::{COLUMNS, NCOLS};
