//! The engine: the tick and its sets, the clock, random streams, parameter checks and
//! observation (reporters, tallies, the event log, map markers). It knows no domain.

pub mod calendar;
pub mod check;
pub mod inbox;
pub mod observation;
pub mod rng;
pub mod sim;
pub mod tally;
