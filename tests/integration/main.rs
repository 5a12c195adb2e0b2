//! Every integration test of the workspace, in one binary: one link of bevy_ecs, parquet,
//! axum and plotters instead of one per test file, and one pool of test threads over all
//! of them. Each module is one former test file; what they share is in `common`.
//!
//! Run them with the README's command, `cargo test --workspace --release`; one module
//! with `cargo test --release --test integration conflict::`.

mod common;

mod browser;
mod calibrate;
mod civil_violence;
mod cli;
mod conflict;
mod docs;
mod fuzz;
mod geography;
mod python;
mod reliability;
mod render;
mod report;
mod scale;
mod scenarios;
mod shipped_sweeps;
mod slurm;
mod sweep;
mod theatres;
#[cfg(feature = "web")]
mod web_load;
#[cfg(feature = "web")]
mod web_protocol;
mod year;
