//! asymwar scenarios: the RON schema, loading with clear errors, validation, terrain
//! generation and building a [`World`](bevy_ecs::world::World) ready to step.
//!
//! A scenario file holds one of the models the project runs:
//!
//! ```ron
//! Conflict(
//!     name: "tutorial",
//!     calendar: (start: "2025-09-01", days: 30),
//!     map: (size: Some((64, 64)), tile_km: 5.0),
//!     ...
//! )
//! ```
//!
//! or `CivilViolence(...)` for Epstein's civil violence model.

pub mod build;
pub mod civil_violence;
pub mod error;
pub mod limits;
pub mod load;
pub mod overrides;
pub mod schema;
pub mod terrain_gen;
pub mod validate;

pub use build::{build_simulation, build_world};
pub use error::{FileError, ScenarioError};
pub use load::{builtin, load_file, parse_str, to_ron};
pub use schema::{Scenario, ScenarioFile};
