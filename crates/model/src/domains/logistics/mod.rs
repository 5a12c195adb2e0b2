//! Logistics: convoys of tankers and goods trucks enter at border crossings, drive the
//! corridors and deliver; settlements consume; stocks set prices; services stop when fuel
//! runs short.
//!
//! - [`data`]: parameters, supplies, convoys, queues, traffic, tallies, the messages it takes;
//! - [`convoys`]: queues at the crossings, departures, traffic, deliveries;
//! - [`markets`]: consumption of fuel and food, rationing, prices, services, the food a
//!   siege denies;
//! - [`airlift`]: air bridges flying fuel and food to chosen towns;
//! - [`report`]: its metrics and map markers.

pub mod airlift;
pub mod convoys;
pub mod data;
pub mod markets;
pub mod report;

pub use data::*;
pub use report::{capital_supplies, national_fuel_days, national_price_index};

use crate::engine::inbox::Inbox;
use crate::engine::observation::{MarkerSources, Reporters};
use crate::engine::sim::{DayEnd, TickSet};
use crate::world::actors::ActorId;
use crate::world::settlement::{RoadNetwork, Settlement};
use crate::world::terrain::TerrainGrid;
use bevy_ecs::prelude::*;

/// The logistics domain's steps; the model orders them among the other domains'.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogisticsStep {
    /// Trucks queue at the crossings; convoys leave.
    Dispatch,
    /// Convoys at their destination deliver; those turned back rejoin their queue.
    Deliver,
    /// Consumption, prices and services.
    Markets,
    /// Convoys mark the tiles they passed.
    Traffic,
    /// What the fights did to the convoys enters the tallies.
    CorridorNews,
    /// Day end: counters roll.
    RollDay,
}

/// Adds the logistics domain: supplies for every settlement, its resources, systems,
/// reporters and markers.
pub fn install(world: &mut World, schedule: &mut Schedule) {
    world.init_resource::<LogisticsParams>();
    world.init_resource::<Inbox<CorridorNews>>();
    world.init_resource::<AirBridges>();
    setup(world);
    schedule.configure_sets((
        (
            LogisticsStep::Dispatch,
            LogisticsStep::Deliver,
            LogisticsStep::Markets,
        )
            .in_set(TickSet::Logistics),
        LogisticsStep::Traffic.in_set(TickSet::Movement),
        LogisticsStep::CorridorNews.in_set(TickSet::Engagements),
        LogisticsStep::RollDay.in_set(DayEnd::Roll),
    ));
    schedule.add_systems((
        convoys::dispatch_convoys.in_set(LogisticsStep::Dispatch),
        convoys::deliver_convoys.in_set(LogisticsStep::Deliver),
        (
            markets::sieges_deny_fields,
            markets::consume,
            markets::daily_markets,
            airlift::fly_sorties,
        )
            .chain()
            .in_set(LogisticsStep::Markets),
        convoys::record_traffic.in_set(LogisticsStep::Traffic),
        convoys::take_corridor_news.in_set(LogisticsStep::CorridorNews),
        markets::roll_day.in_set(LogisticsStep::RollDay),
    ));
    report::reporters(&mut world.resource_mut::<Reporters>());
    world
        .resource_mut::<MarkerSources>()
        .0
        .push(report::convoy_markers);
}

/// Gives every settlement its supplies: need in proportion to population, from the normal
/// inflow at the crossings and at the depots that produce without limit (imports and
/// production match consumption before the blockade; a reserve is for the crisis); the
/// stock the scenario gives a settlement, or the default days of need.
pub fn setup(world: &mut World) {
    let p = world.resource::<LogisticsParams>().clone();
    let net = world.resource::<RoadNetwork>().clone();
    let inflow_l: f64 = net
        .crossings
        .iter()
        .filter(|x| x.depot.is_none_or(|d| d.tankers.is_none()))
        .map(|x| x.tankers_per_day)
        .sum::<f64>()
        * p.litres_per_tanker;
    let mut towns: Vec<(ActorId, Entity, u32, InitialStock)> = world
        .query::<(&ActorId, Entity, &Settlement, Option<&InitialStock>)>()
        .iter(world)
        .map(|(id, e, s, stock)| (*id, e, s.population, stock.copied().unwrap_or_default()))
        .collect();
    towns.sort_by_key(|t| t.0);
    let total_pop: f64 = towns.iter().map(|t| f64::from(t.2)).sum::<f64>().max(1.0);
    for (_, e, pop, stock) in &towns {
        let need = inflow_l * f64::from(*pop) / total_pop;
        let people = f64::from(*pop);
        let import_pd = people * (1.0 - p.local_food_share);
        let food_days = match (stock.food_days, stock.food_tonnes) {
            (Some(d), _) => d,
            (None, Some(t)) if import_pd > 0.0 => t * 1000.0 / p.food_kg_per_person_day / import_pd,
            _ => p.initial_food_days,
        };
        let fuel_l = match (stock.fuel_days, stock.fuel_litres) {
            (Some(d), _) => need * d,
            (None, Some(l)) => l,
            _ => need * p.initial_stock_days,
        };
        world.entity_mut(*e).insert(Supplies {
            fuel_l,
            fuel_need_l: need,
            fuel_used_today_l: 0.0,
            food_days,
            food_people: people,
            local_food: p.local_food_share,
            food_met_today: 1.0,
            food_price: 1.0,
            hungry_days: 0,
            price_index: 1.0,
            electricity: true,
            schools: true,
            schools_closed_until: None,
            short_streak: 0,
            school_closures: 0,
            shortage_days: 0,
        });
    }
    // The scenario names its capital (a `Capital` already in the world); else the largest.
    let capital = world.get_resource::<Capital>().map(|c| c.0).or_else(|| {
        towns
            .iter()
            .max_by_key(|t| (t.2, std::cmp::Reverse(t.0)))
            .map(|t| t.1)
    });
    if let Some(c) = capital {
        world.insert_resource(Capital(c));
        // Imports go to the capital's country (whatever the scenario's country is): its
        // settlements are the destinations of supply; towns abroad on the corridors are
        // passed through. A settlement with no country code counts as home.
        let home = world
            .get::<Settlement>(c)
            .map(|s| s.country.clone())
            .unwrap_or_default();
        let at_home: Vec<Entity> = world
            .query::<(Entity, &Settlement)>()
            .iter(world)
            .filter(|(_, s)| s.country == home || s.country.is_empty())
            .map(|(e, _)| e)
            .collect();
        for e in at_home {
            world.entity_mut(e).insert(SupplyDestination);
        }
    }
    let n = net.crossings.len();
    world.insert_resource(CrossingQueues {
        tankers: vec![0.0; n],
        goods: vec![0.0; n],
        tankers_since: vec![None; n],
        goods_since: vec![None; n],
        tanker_drivers: net
            .crossings
            .iter()
            .map(|x| announced(x.tankers_per_day, &p))
            .collect(),
        goods_drivers: vec![DriversMemory::default(); n],
        reserve_tankers: net
            .crossings
            .iter()
            .map(|x| x.depot.and_then(|d| d.tankers).unwrap_or(f64::INFINITY))
            .collect(),
        reserve_goods: net
            .crossings
            .iter()
            .map(|x| x.depot.and_then(|d| d.goods).unwrap_or(f64::INFINITY))
            .collect(),
    });
    world.init_resource::<LogisticsTally>();
    let n = world.resource::<TerrainGrid>().len();
    world.insert_resource(Traffic {
        trucks: vec![0.0; n],
    });
}

#[cfg(test)]
mod tests;

/// The tanker drivers' memory at the start: the blockade's announcement, as if
/// `announced_risk` of `announced_days` of normal tanker flow had burned that day.
fn announced(tankers_per_day: f64, p: &LogisticsParams) -> DriversMemory {
    let mut m = DriversMemory::default();
    let trips = (tankers_per_day * p.announced_days).round();
    m.departed[0] = trips as u32;
    m.burned[0] = (trips * p.announced_risk).round() as u32;
    m
}
