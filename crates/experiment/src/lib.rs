//! Running asymwar: one run from a scenario to its outputs, and the writers.

pub mod run;
pub mod write;

pub use run::{RunOptions, RunOutput, run};
pub use write::write_outputs;
