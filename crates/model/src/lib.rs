//! The asymwar simulation: an ECS world of terrain, settlements, convoys, insurgent cells and
//! army units, stepped by one ordered schedule.
//!
//! This crate knows nothing of files, formats or screens. A test builds a [`World`](bevy_ecs::world::World) in a few
//! lines (see [`Simulation`]) and steps it.
//!
//! Layers, each importing only the ones below it (docs/architecture.md):
//! - [`engine`]: the tick, clock, random streams, parameter checks, observation;
//! - [`world`]: geography, terrain, paths, actors and movement, settlements, sensing, scale;
//! - [`domains`]: logistics, army, insurgency, society, militia, each its data, systems, reports
//!   and installer;
//! - [`engagements`]: fights between the domains' actors, by kind;
//! - [`models`]: the conflict model (its list of installers) and Epstein's civil violence.
//!
//! Other crates name modules by their short paths (`asymwar_model::army::ArmyParams`):
//! the re-exports below.

pub mod domains;
pub mod engagements;
pub mod engine;
pub mod models;
pub mod testing;
pub mod world;

pub use bevy_ecs;
pub use domains::society::grievance;
pub use domains::{army, insurgency, logistics, militia, society};
pub use engine::sim::{DayEnd, Simulation, TickSet};
pub use engine::{calendar, check, geo, observation, rng, sim};
pub use models::{civil_violence, conflict};
pub use world::combat;
pub use world::{actors, pathfinding, sensing, settlement, terrain};
