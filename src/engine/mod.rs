//! The Monte Carlo engine. It reads a compiled [`crate::scenario::Model`]
//! and nothing else.
//!
//! - [`rng`]: the random streams, one per (trial, random quantity of an entity);
//! - [`outage`]: outage processes as intervals of steps;
//! - [`trial`]: one trial and its phases;
//! - [`columns`]: what a trial reports (the per-trial columns, typed);
//! - [`tally`]: per-step sums over trials;
//! - [`hist`]: the per-step storage histogram;
//! - [`memory`]: a run's peak memory, estimated before it starts;
//! - [`observe`]: watching a trial step by step (a no-op in runs);
//! - [`run`]: the parallel chunk driver and its result, [`SimOutput`].

pub mod columns;
mod fold;
pub mod hist;
pub mod memory;
pub mod observe;
mod orders;
pub mod outage;
pub mod rng;
pub mod run;
pub mod tally;
pub mod trial;

pub use columns::{Column, NCOLS, Row};
pub use hist::StorageHist;
pub use observe::{Observer, Trace};
pub use run::{CHUNK, RunOptions, SimOutput, chunk_count, shard_range, simulate, trace_trial};
pub use tally::{StepSums, SumBlock, SumTree};
