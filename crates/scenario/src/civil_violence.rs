//! The civil violence (Epstein 2002) scenario schema: a name, a length in ticks, a seed and
//! the model's parameters ([`CivilViolenceParams`], every field optional with the run5
//! preset as default). `assets/scenarios/epstein_run1.ron` ... `epstein_run5.ron` are the
//! published presets.

use asymwar_model::Simulation;
use asymwar_model::bevy_ecs::world::World;
use asymwar_model::civil_violence::{self, CivilViolenceParams};
use serde::{Deserialize, Serialize};

/// A civil violence scenario: Epstein's Model I on a torus.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CivilViolenceScenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub seed: u64,
    /// Length of a run in ticks.
    pub ticks: u64,
    #[serde(default)]
    pub params: CivilViolenceParams,
}

/// Builds a ready-to-step civil violence simulation. The scenario must have been validated
/// (the loader does it): invalid parameters panic here.
pub fn build_simulation(s: &CivilViolenceScenario, seed: u64) -> Simulation {
    let mut world = World::new();
    civil_violence::populate(&mut world, &s.params, seed);
    Simulation::new(world, &[civil_violence::install])
}
