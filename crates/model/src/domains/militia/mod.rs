//! The pro-government militia: Burkina Faso's Volontaires pour la défense de la patrie,
//! Mali's Dozo hunters. Its own actor beside the army: posts in its settlements, manned by
//! people called up from the settlements' cohorts (society moves them, so people are
//! conserved), with its own discipline. It defends its villages when cells come to punish
//! them, which makes them targets of reprisals; with probability 1 - discipline it attacks
//! the communities it suspects, which raises grievance there as the state's abuses do.
//! The fights are engagements (`engagements::militia`, `engagements::towns`).
//!
//! - [`data`]: parameters, posts, militias, the call-up and the messages it takes;
//! - [`posts`]: spawning, the daily call-up, recruits joining;
//! - [`report`]: its metrics.

pub mod data;
pub mod posts;
pub mod report;

pub use data::*;
pub use posts::spawn_militias;

use crate::engine::inbox::Inbox;
use crate::engine::observation::Reporters;
use crate::engine::sim::{DayEnd, TickSet};
use bevy_ecs::prelude::*;

/// The militia's steps; the model orders them among the other domains'.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MilitiaStep {
    /// Day end, before society's pass: the posts say how many they call up.
    CallUp,
    /// After society's pass: the people it sent join their posts.
    Muster,
    /// Day end, after recording: today's counts roll.
    RollDay,
}

/// Adds the militia: its resources (the posts are spawned by the scenario,
/// [`spawn_militias`]), systems and reporters. Without posts every system is idle.
pub fn install(world: &mut World, schedule: &mut Schedule) {
    world.init_resource::<MilitiaParams>();
    world.init_resource::<Militias>();
    world.init_resource::<MilitiaTally>();
    world.init_resource::<MilitiaCallUp>();
    world.init_resource::<Inbox<MilitiaJoined>>();
    schedule.configure_sets((
        (MilitiaStep::CallUp, MilitiaStep::Muster).in_set(TickSet::Society),
        MilitiaStep::RollDay.in_set(DayEnd::Roll),
    ));
    schedule.add_systems((
        posts::call_up.in_set(MilitiaStep::CallUp),
        posts::members_join.in_set(MilitiaStep::Muster),
        posts::roll_day.in_set(MilitiaStep::RollDay),
    ));
    report::reporters(&mut world.resource_mut::<Reporters>());
}

#[cfg(test)]
mod tests;
