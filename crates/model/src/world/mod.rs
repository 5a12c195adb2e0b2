//! The world every domain stands on: terrain, paths, actors and their
//! movement, settlements and roads, sensing (the spatial index).

pub mod actors;
pub mod combat;
pub mod min_heap;
pub mod pathfinding;
pub mod scale;
pub mod sensing;
pub mod settlement;
pub mod terrain;
