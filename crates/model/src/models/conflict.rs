//! The conflict model put together: the world's shared resources, each domain's installer
//! in turn, and the order of the domains' steps within the tick, declared in one place.

use crate::domains::army::{self, ArmyStep};
use crate::domains::insurgency::{self, InsurgencyStep};
use crate::domains::logistics::{self, LogisticsStep, Supplies};
use crate::domains::militia::{self, MilitiaStep};
use crate::domains::society::{self, SocietyStep};
use crate::engagements::{self, EngagementStep};
use crate::engine::calendar::{Clock, Season};
use crate::engine::observation::{Marker, MarkerKind, MarkerSources, PanelPlaces, Reporters};
use crate::engine::sim::{Installer, Simulation, TickSet};
use crate::world::actors::{self, ActorId, IdCounter};
use crate::world::combat::CombatParams;
use crate::world::pathfinding::Pathfinder;
use crate::world::scale::Scale;
use crate::world::sensing::{self, SpatialIndex};
use crate::world::settlement::{RoadNetwork, Settlement};
use crate::world::terrain::TerrainGrid;
use bevy_ecs::prelude::*;

/// The installers of the conflict model, in order: the world first, then the domains,
/// then the order of their steps.
pub const CONFLICT_DOMAINS: &[Installer] = &[
    install_world,
    logistics::install,
    army::install,
    insurgency::install,
    engagements::install,
    society::install,
    militia::install,
    order_the_tick,
];

impl Simulation {
    /// The conflict model with every domain installed, on a world that has terrain,
    /// settlements and roads (and, usually, forces spawned by the scenario builder).
    pub fn conflict(world: World) -> Self {
        Self::new(world, CONFLICT_DOMAINS)
    }
}

/// Bins of the spatial index, in tiles (a performance setting: results do not depend on it).
const INDEX_BIN_TILES: u16 = 8;

/// What every domain stands on: actor ids (settlements numbered first, in entity order),
/// the scale, the spatial index, the path finder, the laws of combat; movement; the
/// reporters of the world itself and the settlements on the map.
fn install_world(world: &mut World, schedule: &mut Schedule) {
    world.init_resource::<IdCounter>();
    world.init_resource::<CombatParams>();
    if !world.contains_resource::<RoadNetwork>() {
        world.insert_resource(RoadNetwork::default());
    }
    if !world.contains_resource::<Pathfinder>() {
        world.insert_resource(Pathfinder::new());
    }
    // Settlements need ids before the domains that order them by id set up.
    let mut unnamed: Vec<Entity> = world
        .query_filtered::<Entity, (With<Settlement>, Without<ActorId>)>()
        .iter(world)
        .collect();
    unnamed.sort();
    for e in unnamed {
        let id = world.resource_mut::<IdCounter>().next();
        world.entity_mut(e).insert(id);
    }
    // The rows of the per-settlement panel, in id order.
    let mut places: Vec<(ActorId, Entity, String)> = world
        .query::<(&ActorId, Entity, &Settlement)>()
        .iter(world)
        .map(|(id, e, s)| (*id, e, s.name.clone()))
        .collect();
    places.sort_by_key(|p| p.0);
    world.insert_resource(PanelPlaces {
        entities: places.iter().map(|p| p.1).collect(),
        names: places.into_iter().map(|p| p.2).collect(),
    });
    let scale = Scale::of(world);
    world.insert_resource(scale);
    let (w, h) = {
        let g = world.resource::<TerrainGrid>();
        (g.width, g.height)
    };
    world.insert_resource(SpatialIndex::new(w, h, INDEX_BIN_TILES));
    schedule.add_systems((
        sensing::rebuild_index
            .in_set(TickSet::Sensing)
            .before(InsurgencyStep::Sight),
        actors::movement_system
            .in_set(TickSet::Movement)
            .before(ArmyStep::FollowConvoys),
    ));
    world_reporters(&mut world.resource_mut::<Reporters>());
    world
        .resource_mut::<MarkerSources>()
        .0
        .push(settlement_markers);
}

/// Where the domains' steps fall among each other's within each set of the tick (the sets
/// themselves run in [`TickSet::ORDER`]).
fn order_the_tick(_world: &mut World, schedule: &mut Schedule) {
    schedule.configure_sets((
        // Logistics: departures, escorts joining, deliveries, escorts released, markets,
        // the army's fuel.
        (
            LogisticsStep::Dispatch,
            ArmyStep::JoinConvoys,
            LogisticsStep::Deliver,
            ArmyStep::ReleaseEscorts,
            LogisticsStep::Markets,
            ArmyStep::Fuel,
        )
            .chain(),
        // Decisions: the insurgents plan, then the army; the commands it struck fall.
        (
            InsurgencyStep::Decide,
            ArmyStep::Command,
            InsurgencyStep::Fall,
        )
            .chain(),
        // Movement: everyone moves, escorts with their convoys; convoys mark the roads.
        (ArmyStep::FollowConvoys, LogisticsStep::Traffic).chain(),
        // Engagements: the fights, then what the army and logistics learn from them.
        (
            EngagementStep::Fight,
            ArmyStep::Intelligence,
            LogisticsStep::CorridorNews,
        )
            .chain(),
        // The militias' call-up, society (which answers it), then the cells it founded and
        // the recruits it sent, and the people who joined the militias.
        (
            MilitiaStep::CallUp,
            SocietyStep::Daily,
            InsurgencyStep::Grow,
            MilitiaStep::Muster,
        )
            .chain(),
        // Organisation: cells, succession, then the army forgets the fallen.
        (InsurgencyStep::Organise, ArmyStep::Organise).chain(),
    ));
}

fn world_reporters(r: &mut Reporters) {
    r.rate(
        "rainy_season",
        "0/1",
        "1 during the rainy season (June-October)",
        |w| f64::from(*w.resource::<Season>() == Season::Rainy),
    );
    r.stock("settlements", "count", "settlements on the map", |w| {
        w.query::<&Settlement>().iter(w).count() as f64
    });
    r.stock(
        "population",
        "people",
        "people living in the settlements",
        |w| {
            w.query::<&Settlement>()
                .iter(w)
                .map(|s| f64::from(s.population))
                .sum()
        },
    );
    r.summary("days", "days", "days simulated", |w| {
        Some(f64::from(w.resource::<Clock>().day()))
    });
}

/// Settlements on the map, coloured by fuel stock: days of need / 10, clamped to 0-1.
fn settlement_markers(world: &mut World, out: &mut Vec<Marker>) {
    for (s, sup) in world
        .query::<(&Settlement, Option<&Supplies>)>()
        .iter(world)
    {
        out.push(Marker {
            kind: MarkerKind::Settlement,
            x: f32::from(s.tile.x) + 0.5,
            y: f32::from(s.tile.y) + 0.5,
            size: s.population as f32,
            value: sup.map_or(f32::NAN, |x| (x.fuel_days() / 10.0).clamp(0.0, 1.0) as f32),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::observation::{Collection, MetricKind, Reporters};
    use crate::testing;

    /// A weekly row is the week: counts summed, stocks and rates averaged, day by day the
    /// same values a daily run records.
    #[test]
    fn a_weekly_row_sums_counts_and_averages_stocks_over_its_days() {
        let run = |every: u32| {
            let (mut world, _) = testing::strip(3);
            testing::insurgents(&mut world, crate::engine::geo::Tile::new(15, 4), 3, 30);
            world.insert_resource(Collection { every_days: every });
            let mut sim = testing::conflict(world);
            sim.run_days(21);
            (
                sim.time_series().clone(),
                sim.world.resource::<Reporters>().clone(),
            )
        };
        let (daily, reporters) = run(1);
        let (weekly, _) = run(7);
        assert_eq!(daily.len(), 21);
        assert_eq!(weekly.len(), 3);
        assert_eq!(weekly.days, vec![6, 13, 20]);
        let mut checked = 0;
        for (c, r) in reporters.daily.iter().enumerate() {
            let days: Vec<f64> = daily.column(r.name).unwrap().collect();
            for week in 0..3 {
                let d = &days[week * 7..week * 7 + 7];
                let sum: f64 = d.iter().sum();
                let want = match r.kind {
                    MetricKind::Count => sum,
                    MetricKind::Stock | MetricKind::Rate => sum / 7.0,
                };
                let got = weekly.row(week)[c];
                assert!(
                    (got - want).abs() <= 1e-9 * want.abs().max(1.0)
                        || (got.is_nan() && want.is_nan()),
                    "{} week {week}: {got} vs {want}",
                    r.name
                );
                checked += 1;
            }
        }
        assert!(checked > 60);
        // The counts are not a snapshot of the last day: some week's sum differs from it.
        let recruits: Vec<f64> = daily.column("recruits").unwrap().collect();
        let recruits_col = reporters
            .daily
            .iter()
            .position(|r| r.name == "recruits")
            .unwrap();
        assert!((0..3).any(|w| weekly.row(w)[recruits_col] != recruits[w * 7 + 6]));
    }
}
