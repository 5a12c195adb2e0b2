//! The insurgency: cells of fighters on motorbikes, and the command network that sends them
//! orders.
//!
//! A cell decides, at its own cadence, what to do next. With probability `autonomy` it plans
//! from what it has seen itself (fresh but local); otherwise it follows the last order its
//! commander sent (wider picture, coordinated, but late by the communication delay, and
//! nothing at all while the commander is dead). The same planner serves both: what differs
//! is the information and the coordination, which is the point of the decentralisation
//! question (ODD.md section 7).
//!
//! - [`data`]: parameters, cells, commands, targets, tallies, the messages it takes;
//! - [`sight`]: what cells see and report;
//! - [`network`]: the commands, their plans and orders, their fall and succession;
//! - [`planning`]: the shared planner, hiding places, the targets it weighs;
//! - [`cells`]: decisions, daily upkeep, splits and merges, new cells and recruits;
//! - [`siege`]: rings around besieged towns, the sieges the scenario lays, the daily survey;
//! - [`report`]: its metrics and map markers.

pub mod cells;
pub mod data;
pub mod network;
pub mod planning;
pub mod report;
pub mod siege;
pub mod sight;

pub use data::*;
pub use network::{spawn_cell, spawn_insurgents};
pub use report::{cell_count, fighters};
pub use siege::spawn_sieges;

use crate::domains::army::data::ArmyParams;
use crate::engine::geo::Tile;
use crate::engine::inbox::Inbox;
use crate::engine::observation::{MarkerSources, Reporters};
use crate::engine::sim::TickSet;
use crate::world::scale::Scale;
use crate::world::settlement::RoadNetwork;
use bevy_ecs::prelude::*;

/// The insurgency's steps; the model orders them among the other domains'.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InsurgencyStep {
    /// Cells see and report.
    Sight,
    /// Commands plan, orders arrive, cells decide.
    Decide,
    /// Commands the army struck fall.
    Fall,
    /// New cells, recruits reaching theirs, tomorrow's targets.
    Grow,
    /// Daily upkeep, splits and merges; succession.
    Organise,
}

/// Adds the insurgency: its resources (the cells and commands are spawned by the scenario,
/// [`spawn_insurgents`]), the corridor ends secured by neighbours, its systems, reporters
/// and markers.
pub fn install(world: &mut World, schedule: &mut Schedule) {
    world.init_resource::<InsurgencyParams>();
    world.init_resource::<InsurgencyTally>();
    world.init_resource::<Targets>();
    world.init_resource::<Factions>();
    world.init_resource::<Sieges>();
    world.init_resource::<Inbox<CommandStruck>>();
    world.init_resource::<Inbox<CellFounded>>();
    world.init_resource::<Inbox<RecruitsJoin>>();
    // Regional cooperation: neighbouring states secure the corridors' border ends.
    let secured: Vec<Tile> = world
        .resource::<RoadNetwork>()
        .crossings
        .iter()
        .filter(|x| x.depot.is_none())
        .map(|x| x.tile)
        .collect();
    let (coop, km) = {
        let p = world.resource::<ArmyParams>();
        (p.cooperation, p.secure_border_km)
    };
    let secured_tiles = world.resource::<Scale>().tiles(coop * km);
    let mut targets = world.resource_mut::<Targets>();
    targets.secured = secured;
    targets.secured_tiles = secured_tiles;

    schedule.configure_sets((
        InsurgencyStep::Sight.in_set(TickSet::Sensing),
        (InsurgencyStep::Decide, InsurgencyStep::Fall).in_set(TickSet::Decisions),
        InsurgencyStep::Grow.in_set(TickSet::Society),
        InsurgencyStep::Organise.in_set(TickSet::Organisation),
    ));
    schedule.add_systems((
        sight::cells_sense.in_set(InsurgencyStep::Sight),
        (
            network::commands_plan,
            network::deliver_orders,
            cells::cells_decide,
        )
            .chain()
            .in_set(InsurgencyStep::Decide),
        network::fall_of_commands.in_set(InsurgencyStep::Fall),
        (
            cells::found_cells,
            cells::recruits_join,
            planning::survey_targets,
        )
            .chain()
            .in_set(InsurgencyStep::Grow),
        (
            cells::organise_cells,
            network::succession,
            siege::survey_sieges,
        )
            .chain()
            .in_set(InsurgencyStep::Organise),
    ));
    report::reporters(&mut world.resource_mut::<Reporters>());
    world
        .resource_mut::<MarkerSources>()
        .0
        .push(report::cell_markers);
}

#[cfg(test)]
mod tests;
