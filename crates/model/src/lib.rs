//! The asymwar simulation: an ECS world of terrain, settlements, convoys, insurgent cells and
//! army units, stepped by one ordered schedule.
//!
//! This crate knows nothing of files, formats or screens. A test builds a [`World`] in a few
//! lines (see [`sim::Simulation`]) and steps it. Each domain lives in one module that owns its
//! components, its systems and the function that adds them to the schedule.

pub mod actors;
pub mod army;
pub mod calendar;
pub mod check;
pub mod civil_violence;
pub mod combat;
pub mod conflict;
pub mod engagements;
pub mod geo;
pub mod grievance;
pub mod insurgency;
pub mod logistics;
pub mod observation;
pub mod pathfinding;
pub mod rng;
pub mod sensing;
pub mod settlement;
pub mod sim;
pub mod society;
pub mod terrain;

pub use bevy_ecs;
pub use sim::{Simulation, TickSet};
