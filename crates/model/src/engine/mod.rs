//! The engine: the tick and its sets, the clock, coordinates (tiles, latitude and
//! longitude), random streams, parameter checks, messages between domains, tallies and
//! observation (reporters, the event log, map markers). It knows no domain and no terrain.

pub mod cache;
pub mod calendar;
pub mod check;
pub mod geo;
pub mod inbox;
pub mod observation;
pub mod rng;
pub mod sim;
pub mod tally;
pub mod threads;
