//! The army: units of several kinds, their postures, fuel and the command that tasks them
//! with a response delay and an escort doctrine, and strikes the insurgent command when its
//! intelligence finds it.
//!
//! - [`data`]: unit kinds, units, parameters and doctrine, the command's picture, messages;
//! - [`forces`]: spawning units, replacements;
//! - [`fuel`]: burning and requisitioning fuel;
//! - [`escorts`]: escorts joining, following and leaving their convoys;
//! - [`command`]: tasking (escorts, responses, sweeps, patrols) and what it learns;
//! - [`decapitation`]: strikes on the insurgent command;
//! - [`report`]: its metrics and map markers.

pub mod command;
pub mod data;
pub mod decapitation;
pub mod escorts;
pub mod forces;
pub mod fuel;
pub mod report;

pub use data::*;
pub use forces::spawn_units;

use crate::engine::geo::Tile;
use crate::engine::inbox::Inbox;
use crate::engine::observation::{MarkerSources, Reporters};
use crate::engine::sim::TickSet;
use crate::world::settlement::{RoadNetwork, Settlement};
use crate::world::terrain::TerrainGrid;
use bevy_ecs::prelude::*;

/// The army domain's steps; the model orders them among the other domains'.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArmyStep {
    /// Escorts join the convoys that left.
    JoinConvoys,
    /// Escorts of convoys that arrived are released.
    ReleaseEscorts,
    /// Fuel burned and requisitioned.
    Fuel,
    /// Tasking, then strikes on the insurgent command.
    Command,
    /// Escorts move with their convoys.
    FollowConvoys,
    /// What the fights told the command.
    Intelligence,
    /// Intelligence on replaced commands is dropped; replacements reach units at base.
    Organise,
}

/// Adds the army domain: its resources, the tiles it looks up, its systems, reporters and
/// markers. The units themselves are spawned by the scenario ([`spawn_units`]).
pub fn install(world: &mut World, schedule: &mut Schedule) {
    world.init_resource::<ArmyParams>();
    world.init_resource::<ArmyCommand>();
    world.init_resource::<Inbox<EscortLeft>>();
    world.init_resource::<Inbox<EscortFreed>>();
    world.init_resource::<Inbox<ArmyNews>>();
    world.init_resource::<Inbox<CommandReplaced>>();
    let towns: Vec<(Entity, Tile)> = world
        .query::<(Entity, &Settlement)>()
        .iter(world)
        .map(|(e, s)| (e, s.tile))
        .collect();
    let tiles = TownTiles::build(world.resource::<TerrainGrid>(), towns.into_iter());
    world.insert_resource(tiles);
    let crossings: Vec<Tile> = world
        .resource::<RoadNetwork>()
        .crossings
        .iter()
        .map(|x| x.tile)
        .collect();
    world.insert_resource(EscortRoster(vec![None; crossings.len()]));
    world.insert_resource(CrossingTiles(crossings));

    schedule.configure_sets((
        (
            ArmyStep::JoinConvoys,
            ArmyStep::ReleaseEscorts,
            ArmyStep::Fuel,
        )
            .in_set(TickSet::Logistics),
        ArmyStep::Command.in_set(TickSet::Decisions),
        ArmyStep::FollowConvoys.in_set(TickSet::Movement),
        ArmyStep::Intelligence.in_set(TickSet::Engagements),
        ArmyStep::Organise.in_set(TickSet::Organisation),
    ));
    schedule.add_systems((
        escorts::escorts_join.in_set(ArmyStep::JoinConvoys),
        escorts::escorts_released.in_set(ArmyStep::ReleaseEscorts),
        fuel::army_fuel.in_set(ArmyStep::Fuel),
        (command::army_command, decapitation::strike_commands)
            .chain()
            .in_set(ArmyStep::Command),
        escorts::escorts_follow.in_set(ArmyStep::FollowConvoys),
        command::take_intelligence.in_set(ArmyStep::Intelligence),
        (command::forget_successors, forces::reinforce)
            .chain()
            .in_set(ArmyStep::Organise),
    ));
    report::reporters(&mut world.resource_mut::<Reporters>());
    world
        .resource_mut::<MarkerSources>()
        .0
        .push(report::army_markers);
}

#[cfg(test)]
mod tests;
