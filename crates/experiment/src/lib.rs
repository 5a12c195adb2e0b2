//! Running asymwar: one run from a scenario to its outputs, the writers, and experiments
//! (parameter sweeps: designs, parallel crash-safe execution, sharding, analysis).

pub mod analyze;
pub mod calibrate;
pub mod contrasts;
pub mod design;
#[cfg(feature = "parquet")]
pub mod parquet_out;
pub mod report;
pub mod run;
pub mod spec;
pub mod sweep;
pub mod table;
pub mod write;

pub use run::{RunOptions, RunOutput, run};
pub use write::write_outputs;
