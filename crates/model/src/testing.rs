//! A small world in a few lines, for unit tests and examples: a strip of steppe 40 x 11
//! tiles of 5 km with one paved road from a border crossing through a market town to a
//! capital. Tests add the actors they need and step the conflict model on it.

use crate::domains::army::{self, UnitKind};
use crate::domains::insurgency::{self, GroupPlacement};
use crate::domains::militia;
use crate::engine::calendar::Clock;
use crate::engine::geo::{GeoBounds, Projection, Tile};
use crate::engine::rng::{Seed, SimRng};
use crate::engine::sim::Simulation;
use crate::world::actors::IdCounter;
use crate::world::pathfinding::Pathfinder;
use crate::world::settlement::{BorderCrossing, Corridor, RoadNetwork, Settlement};
use crate::world::terrain::{MobilityParams, RoadClass, TerrainGrid};
use bevy_ecs::prelude::*;
use chrono::NaiveDate;

/// The strip's settlements: (name, x, population). All stand on the road at y = 5.
pub const TOWNS: [(&str, u16, u32); 3] = [
    ("Border", 2, 5_000),
    ("Market", 20, 20_000),
    ("Capital", 37, 100_000),
];
/// The road's row.
pub const ROAD_Y: u16 = 5;

/// The strip's world: terrain, the three settlements (entities in [`TOWNS`] order), the
/// road and its crossing (20 tankers and 10 goods trucks a day), a clock of 1-hour ticks
/// from 1 September 2025, the seed and default parameters. No forces yet.
pub fn strip(seed: u64) -> (World, Vec<Entity>) {
    let bounds = GeoBounds {
        lat_min: 12.0,
        lat_max: 12.5,
        lon_min: -8.0,
        lon_max: -6.16,
    };
    let projection = Projection::new(bounds, 5.0);
    let mut grid = TerrainGrid::blank(40, 11, projection);
    let road: Vec<Tile> = (TOWNS[0].1..=TOWNS[2].1)
        .map(|x| Tile::new(x, ROAD_Y))
        .collect();
    for t in &road {
        let i = grid.index(*t);
        grid.road[i] = RoadClass::Paved;
    }
    grid.compute_costs(&MobilityParams::default());

    let mut world = World::new();
    let start = NaiveDate::from_ymd_opt(2025, 9, 1).expect("a date");
    world.insert_resource(Clock::new(start, 1));
    world.insert_resource(Seed(seed));
    world.insert_resource(SimRng::new(seed));
    world.init_resource::<IdCounter>();
    let mut towns = Vec::new();
    for (name, x, population) in TOWNS {
        let tile = Tile::new(x, ROAD_Y);
        let id = world.resource_mut::<IdCounter>().next();
        towns.push(
            world
                .spawn((
                    id,
                    Settlement {
                        name: name.to_string(),
                        tile,
                        position: projection.tile_centre(tile),
                        population,
                        country: "ML".to_string(),
                    },
                ))
                .id(),
        );
    }
    world.insert_resource(RoadNetwork {
        corridors: vec![Corridor {
            name: "the road".to_string(),
            towns: towns.clone(),
            road: RoadClass::Paved,
            tiles: road,
        }],
        crossings: vec![BorderCrossing {
            name: "Border".to_string(),
            settlement: towns[0],
            tile: Tile::new(TOWNS[0].1, ROAD_Y),
            corridor: 0,
            from_country: "SN".to_string(),
            tankers_per_day: 20.0,
            goods_trucks_per_day: 10.0,
            depot: None,
            serves: Vec::new(),
        }],
    });
    world.insert_resource(grid);
    world.insert_resource(Pathfinder::new());
    world.init_resource::<army::ArmyParams>();
    world.init_resource::<insurgency::InsurgencyParams>();
    (world, towns)
}

/// Spawns one insurgent group of `cells` cells of `fighters` around `centre` (within 2
/// tiles) under a star network.
pub fn insurgents(world: &mut World, centre: Tile, cells: u32, fighters: u32) {
    insurgency::spawn_insurgents(
        world,
        &[GroupPlacement {
            name: "group".to_string(),
            centre,
            radius_tiles: 2.0,
            cells,
            fighters_per_cell: fighters,
            command: String::new(),
        }],
    );
}

/// Spawns insurgent groups of rival commands in one network: each (command, centre, cells,
/// fighters per cell) a group of that command on its centre, under
/// the default (hierarchical) network.
pub fn rival_insurgents(world: &mut World, groups: &[(&str, Tile, u32, u32)]) {
    let placements: Vec<GroupPlacement> = groups
        .iter()
        .map(|&(command, centre, cells, fighters)| GroupPlacement {
            name: format!("{command} group"),
            centre,
            radius_tiles: 0.0,
            cells,
            fighters_per_cell: fighters,
            command: command.to_string(),
        })
        .collect();
    insurgency::spawn_insurgents(world, &placements);
}

/// Spawns a militia with posts at the given towns of the strip: `members` at the start,
/// calling up `recruits_per_day` (up to `max_members`), of the given discipline; it
/// suspects the other settlements within its patrol reach.
pub fn militia(
    world: &mut World,
    towns: &[Entity],
    members: f64,
    recruits_per_day: f64,
    max_members: f64,
    discipline: f64,
) {
    world.init_resource::<militia::MilitiaTally>();
    militia::spawn_militias(
        world,
        &[militia::MilitiaPlacement {
            name: "militia".to_string(),
            towns: towns.to_vec(),
            members,
            recruits_per_day,
            max_members,
            discipline,
            suspects: Vec::new(),
        }],
    );
}

/// Lays a siege of `cells` cells of `fighters` on the ring around `town` (and the
/// insurgency's top command first, if there is none yet).
pub fn besiege(world: &mut World, town: Entity, cells: u32, fighters: u32) {
    if world.get_resource::<insurgency::TopCommand>().is_none() {
        insurgency::spawn_insurgents(world, &[]);
    }
    insurgency::spawn_sieges(
        world,
        &[insurgency::SiegePlacement {
            town,
            cells,
            fighters_per_cell: fighters,
            command: None,
        }],
    );
}

/// Spawns `units` army units of a kind at one of the strip's towns.
pub fn army_at(world: &mut World, base: Entity, kind: UnitKind, units: u32, soldiers: u32) {
    army::spawn_units(world, kind, base, units, soldiers);
}

/// The conflict model on the strip, ready to step.
pub fn conflict(world: World) -> Simulation {
    Simulation::conflict(world)
}
