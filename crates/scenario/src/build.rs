//! Building a world (and a simulation) from a scenario.

use crate::limits::FLOW_FIELD_BYTES;
use crate::schema::{Scenario, ScenarioFile};
use crate::terrain_gen::{self, location_tile};
use asymwar_model::actors::IdCounter;
use asymwar_model::army;
use asymwar_model::bevy_ecs::prelude::*;
use asymwar_model::calendar::Clock;
use asymwar_model::insurgency::{self, GroupPlacement, SiegePlacement};
use asymwar_model::logistics::{AirBridge, AirBridges, Capital, InitialStock};
use asymwar_model::militia::{self, MilitiaPlacement};
use asymwar_model::pathfinding::Pathfinder;
use asymwar_model::rng::{Seed, SimRng};
use asymwar_model::settlement::{BorderCrossing, Corridor, Depot, RoadNetwork, Settlement};
use asymwar_model::sim::Simulation;

/// Builds the world of a conflict scenario with the given seed. The scenario must have been
/// validated (as every loader in this crate does).
pub fn build_world(s: &Scenario, seed: u64) -> World {
    let (projection, width, height) = s.map.projection().expect("a validated scenario has a map");
    let (grid, corridor_tiles) = terrain_gen::painted(s, projection, width, height, seed);

    let mut world = World::new();
    world.insert_resource(Clock::new(s.calendar.start, s.calendar.hours_per_tick));
    world.insert_resource(Seed(seed));
    world.insert_resource(SimRng::new(seed));
    world.insert_resource(s.params.mobility.clone());
    world.insert_resource(s.params.activation.clone());
    world.insert_resource(s.params.logistics.clone());
    world.insert_resource(s.params.army.clone());
    world.insert_resource(s.params.combat.clone());
    world.insert_resource(s.params.insurgency.clone());
    world.insert_resource(s.params.society.clone());
    world.insert_resource(s.params.militia.clone());
    world.init_resource::<IdCounter>();

    let mut town_entities = Vec::with_capacity(s.settlements.len());
    for t in &s.settlements {
        let tile = location_tile(t.at, &projection, width, height);
        let country = t
            .country
            .clone()
            .unwrap_or_else(|| grid.country_of(tile).to_string());
        let id = world.resource_mut::<IdCounter>().next();
        let e = world
            .spawn((
                id,
                Settlement {
                    name: t.name.clone(),
                    tile,
                    position: projection.tile_centre(tile),
                    population: t.population.round() as u32,
                    country,
                },
            ))
            .id();
        if t.stock != InitialStock::default() {
            world.entity_mut(e).insert(t.stock);
        }
        town_entities.push(e);
    }
    let entity_of = |name: &str| {
        let i = s
            .settlements
            .iter()
            .position(|t| t.name == name)
            .expect("validated: towns exist");
        town_entities[i]
    };
    let corridors = s
        .corridors
        .iter()
        .zip(corridor_tiles)
        .map(|(k, tiles)| Corridor {
            name: k.name.clone(),
            towns: k.towns.iter().map(|n| entity_of(n)).collect(),
            road: k.road,
            tiles,
        })
        .collect();
    let mut crossings: Vec<BorderCrossing> = s
        .crossings
        .iter()
        .map(|x| {
            let settlement = entity_of(&x.town);
            let tile = world
                .get::<Settlement>(settlement)
                .expect("spawned above")
                .tile;
            BorderCrossing {
                name: x.town.clone(),
                settlement,
                tile,
                corridor: s
                    .corridors
                    .iter()
                    .position(|k| k.name == x.corridor)
                    .expect("validated: corridor exists"),
                from_country: x.from_country.clone(),
                tankers_per_day: x.tankers_per_day,
                goods_trucks_per_day: x.goods_trucks_per_day,
                depot: None,
                serves: x.serves.iter().map(|t| entity_of(t)).collect(),
            }
        })
        .collect();
    if let Some(capital) = &s.capital {
        world.insert_resource(Capital(entity_of(capital)));
    }
    // Inland depots use the crossings' machinery, after the crossings.
    for d in &s.depots {
        let settlement = entity_of(&d.town);
        let tile = world
            .get::<Settlement>(settlement)
            .expect("spawned above")
            .tile;
        crossings.push(BorderCrossing {
            name: d.town.clone(),
            settlement,
            tile,
            corridor: s
                .corridors
                .iter()
                .position(|k| k.name == d.corridor)
                .expect("validated: corridor exists"),
            from_country: String::new(),
            tankers_per_day: d.tankers_per_day,
            goods_trucks_per_day: d.goods_trucks_per_day,
            depot: Some(Depot {
                tankers: d.stock_tankers,
                goods: d.stock_goods_trucks,
            }),
            serves: d.serves.iter().map(|t| entity_of(t)).collect(),
        });
    }
    let bridges = s
        .airlifts
        .iter()
        .map(|a| AirBridge {
            name: a.name.clone(),
            base: entity_of(&a.base),
            aircraft: a.aircraft,
            tonnes_per_sortie: a.tonnes_per_sortie,
            sorties_per_aircraft_day: a.sorties_per_day,
            cost_per_sortie: a.cost_per_sortie,
            serves: a.serves.iter().map(|t| entity_of(t)).collect(),
            carry: 0.0,
            sorties: 0,
            tonnes: 0.0,
            aircraft_lost: 0,
        })
        .collect();
    world.insert_resource(AirBridges(bridges));
    world.insert_resource(RoadNetwork {
        corridors,
        crossings,
    });
    // Flow fields of a large map are large: keep fewer, within a memory budget.
    let mut pathfinder = Pathfinder::new();
    let field_bytes = 5 * grid.len() as u64;
    pathfinder.max_fields = pathfinder
        .max_fields
        .min((FLOW_FIELD_BYTES / field_bytes.max(1)).max(16) as usize);
    world.insert_resource(grid);
    world.insert_resource(pathfinder);
    spawn_forces(&mut world, s, &projection, width, height, &entity_of);
    world
}

/// Places the initial forces: army units at their bases, insurgent cells around their
/// groups' areas, under a command network of the scenario's shape.
fn spawn_forces(
    world: &mut World,
    s: &Scenario,
    projection: &asymwar_model::geo::Projection,
    width: u16,
    height: u16,
    entity_of: &dyn Fn(&str) -> Entity,
) {
    for a in &s.forces.army {
        army::spawn_units(
            world,
            a.kind,
            entity_of(&a.base),
            a.units,
            a.soldiers_per_unit,
        );
    }
    let groups: Vec<GroupPlacement> = s
        .forces
        .insurgents
        .iter()
        .map(|g| GroupPlacement {
            name: g.name.clone(),
            centre: location_tile(g.area, projection, width, height),
            radius_tiles: g.radius_km / s.map.tile_km,
            cells: g.cells,
            fighters_per_cell: g.fighters_per_cell,
            command: g.command.clone().unwrap_or_default(),
        })
        .collect();
    insurgency::spawn_insurgents(world, &groups);
    let sieges: Vec<SiegePlacement> = s
        .forces
        .sieges
        .iter()
        .map(|g| SiegePlacement {
            town: entity_of(&g.town),
            cells: g.cells,
            fighters_per_cell: g.fighters_per_cell,
            command: g.command.clone(),
        })
        .collect();
    insurgency::spawn_sieges(world, &sieges);
    // Militias last, so that a scenario without them numbers its actors as before.
    if !s.forces.militias.is_empty() {
        let militias: Vec<MilitiaPlacement> = s
            .forces
            .militias
            .iter()
            .map(|m| MilitiaPlacement {
                name: m.name.clone(),
                towns: m.settlements.iter().map(|t| entity_of(t)).collect(),
                members: f64::from(m.members),
                recruits_per_day: m.recruits_per_day,
                max_members: f64::from(m.max_members.unwrap_or(m.members)),
                discipline: m.discipline,
                suspects: m.suspects.iter().map(|t| entity_of(t)).collect(),
            })
            .collect();
        world.init_resource::<militia::MilitiaTally>();
        militia::spawn_militias(world, &militias);
    }
}

/// Builds a ready-to-step simulation of any scenario with the given seed.
pub fn build_simulation(file: &ScenarioFile, seed: u64) -> Simulation {
    match file {
        ScenarioFile::Conflict(s) => Simulation::conflict(build_world(s, seed)),
        ScenarioFile::CivilViolence(s) => crate::civil_violence::build_simulation(s, seed),
    }
}
