//! Epstein's (2002) civil violence model, Model I, on the grievance rules of
//! [`crate::grievance`]: the verification model of MODEL.md section 8.
//!
//! PLACEHOLDER: being written on the `epstein` branch (issue 4).

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

/// Parameters of the civil violence model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CivilViolenceParams {}

/// Adds the civil violence systems to the schedule.
pub fn install(_world: &mut World, _schedule: &mut Schedule) {}

impl crate::check::Validate for CivilViolenceParams {
    fn validate(&self, _check: &mut crate::check::Checker) {}
}
