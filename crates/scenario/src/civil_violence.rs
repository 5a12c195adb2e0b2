//! The civil violence (Epstein 2002) scenario schema.
//!
//! PLACEHOLDER: being written on the `epstein` branch (issue 4).

use asymwar_model::civil_violence::CivilViolenceParams;
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

/// Builds a ready-to-step civil violence simulation.
pub fn build_simulation(s: &CivilViolenceScenario, seed: u64) -> asymwar_model::Simulation {
    let _ = (s, seed);
    unimplemented!("the civil violence model lands with issue 4")
}
