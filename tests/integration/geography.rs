//! The Mali map: aridity, roads and paths.

use asymwar_model::calendar::Season;
use asymwar_model::geo::Tile;
use asymwar_model::pathfinding::Pathfinder;
use asymwar_model::settlement::{RoadNetwork, Settlement};
use asymwar_model::terrain::{Mobility, RoadClass, Terrain, TerrainGrid};
use asymwar_scenario::{ScenarioFile, build_world, builtin};
use bevy_ecs::world::World;

fn mali_world(seed: u64) -> World {
    let ScenarioFile::Conflict(s) = builtin("mali_blockade").unwrap().unwrap() else {
        panic!("conflict scenario")
    };
    build_world(&s, seed)
}

fn town(world: &mut World, name: &str) -> Tile {
    world
        .query::<&Settlement>()
        .iter(world)
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("{name}"))
        .tile
}

/// Share of arid tiles (desert or steppe) among land tiles of the given rows.
fn arid_share(g: &TerrainGrid, rows: std::ops::Range<u16>) -> f64 {
    let (mut arid, mut land) = (0, 0);
    for y in rows {
        for x in 0..g.width {
            let t = g.terrain[g.index(Tile::new(x, y))];
            if matches!(t, Terrain::River | Terrain::Urban | Terrain::Wetland) {
                continue;
            }
            land += 1;
            if matches!(t, Terrain::Desert | Terrain::SahelSteppe) {
                arid += 1;
            }
        }
    }
    f64::from(arid) / f64::from(land)
}

#[test]
fn the_north_is_drier_than_the_south() {
    let w = mali_world(1);
    let g = w.resource::<TerrainGrid>();
    let third = g.height / 3;
    let north = arid_share(g, 0..third);
    let south = arid_share(g, 2 * third..g.height);
    assert!(north > 0.6, "north arid share {north}");
    assert!(south < 0.1, "south arid share {south}");
    // Elevation, cover and terrain layers are filled for every tile.
    assert_eq!(g.cover.len(), g.len());
    assert!(g.cover.iter().all(|c| (0.0..=1.0).contains(c)));
}

#[test]
fn every_corridor_joins_its_towns_by_road() {
    let mut w = mali_world(1);
    let net = w.resource::<RoadNetwork>().clone();
    let grid = w.resource::<TerrainGrid>().clone();
    let mut pf = Pathfinder::new();
    let mut path = Vec::new();
    for k in &net.corridors {
        for pair in k.towns.windows(2) {
            let a = w.get::<Settlement>(pair[0]).unwrap().tile;
            let b = w.get::<Settlement>(pair[1]).unwrap().tile;
            for season in [Season::Dry, Season::Rainy] {
                pf.route(&grid, season, Mobility::Wheeled, a, b, &mut path)
                    .unwrap_or_else(|| panic!("{}: no path", k.name));
                let off: Vec<_> = path
                    .iter()
                    .filter(|t| grid.road[grid.index(**t)] == RoadClass::None)
                    .collect();
                assert!(
                    off.is_empty(),
                    "{}: {} tiles off the road: {off:?}",
                    k.name,
                    off.len()
                );
            }
        }
    }
    let _ = town(&mut w, "Bamako");
}

#[test]
fn a_mechanised_column_stays_on_the_road_from_capital_to_kayes() {
    let mut w = mali_world(3);
    let (bamako, kayes) = (town(&mut w, "Bamako"), town(&mut w, "Kayes"));
    let grid = w.resource::<TerrainGrid>().clone();
    let mut pf = Pathfinder::new();
    let mut path = Vec::new();
    for season in [Season::Dry, Season::Rainy] {
        let secs = pf
            .route(
                &grid,
                season,
                Mobility::Mechanised,
                bamako,
                kayes,
                &mut path,
            )
            .unwrap();
        assert!(
            path.iter()
                .all(|t| grid.road[grid.index(*t)] != RoadClass::None),
            "left the road"
        );
        // About 600 km of road at 25 km/h: about a day of driving.
        let hours = f64::from(secs) / 3600.0;
        assert!((15.0..60.0).contains(&hours), "{hours} h");
        // A* gives the same optimum as the flow field.
        let a = pf
            .astar(
                &grid,
                season,
                Mobility::Mechanised,
                bamako,
                kayes,
                &mut path,
            )
            .unwrap();
        assert_eq!(a, secs);
    }
}

#[test]
fn a_motorbike_cuts_across_country_where_a_column_cannot() {
    let w = mali_world(3);
    let grid = w.resource::<TerrainGrid>().clone();
    // Two off-road points in the steppe between the Kayes and Nioro roads and the Kita road.
    let from = grid.projection.to_xy(asymwar_model::geo::LatLon {
        lat: 14.0,
        lon: -10.3,
    });
    let to = grid.projection.to_xy(asymwar_model::geo::LatLon {
        lat: 13.6,
        lon: -7.8,
    });
    let (a, b) = (
        Tile::new(from.0 as u16, from.1 as u16),
        Tile::new(to.0 as u16, to.1 as u16),
    );
    assert_eq!(grid.road[grid.index(a)], RoadClass::None);
    assert_eq!(grid.road[grid.index(b)], RoadClass::None);
    let mut pf = Pathfinder::new();
    let mut path = Vec::new();
    let moto = pf
        .astar(&grid, Season::Dry, Mobility::Motorbike, a, b, &mut path)
        .unwrap();
    let moto_tiles = path.len();
    let mech = pf
        .astar(&grid, Season::Dry, Mobility::Mechanised, a, b, &mut path)
        .unwrap();
    assert!(
        f64::from(mech) > 5.0 * f64::from(moto),
        "motorbike {moto} s, mechanised {mech} s"
    );
    // The motorbike goes nearly straight (within 40% of the straight line in tiles).
    assert!(
        (moto_tiles as f64) < 1.4 * f64::from(a.chebyshev(b)) + 2.0,
        "{moto_tiles} tiles"
    );
}

#[test]
fn rains_flood_the_fords_and_slow_the_bush() {
    let w = mali_world(5);
    let grid = w.resource::<TerrainGrid>();
    let fords: Vec<usize> = (0..grid.len())
        .filter(|&i| grid.crossing[i] == asymwar_model::terrain::Crossing::Ford)
        .collect();
    assert!(!fords.is_empty());
    for &i in &fords {
        assert!(grid.costs(Season::Dry, Mobility::Motorbike)[i] < u32::MAX);
        assert_eq!(grid.costs(Season::Rainy, Mobility::Motorbike)[i], u32::MAX);
        assert_eq!(grid.costs(Season::Dry, Mobility::Wheeled)[i], u32::MAX);
    }
    let savanna = (0..grid.len())
        .find(|&i| grid.terrain[i] == Terrain::Savanna && grid.road[i] == RoadClass::None)
        .unwrap();
    assert!(
        grid.costs(Season::Rainy, Mobility::Motorbike)[savanna]
            > grid.costs(Season::Dry, Mobility::Motorbike)[savanna]
    );
}

fn mali_world_with_terrain_seed(seed: u64, terrain_seed: Option<u64>) -> World {
    let ScenarioFile::Conflict(mut s) = builtin("mali_blockade").unwrap().unwrap() else {
        panic!("conflict scenario")
    };
    s.map.terrain.seed = terrain_seed;
    build_world(&s, seed)
}

/// With no terrain seed of its own, a run's seed paints the terrain's detail: a new seed
/// changes it, never towns, rivers or roads.
#[test]
fn a_new_seed_changes_terrain_detail_but_not_towns_or_roads() {
    let (mut a, mut b) = (
        mali_world_with_terrain_seed(1, None),
        mali_world_with_terrain_seed(2, None),
    );
    let (ga, gb) = (
        a.resource::<TerrainGrid>().clone(),
        b.resource::<TerrainGrid>().clone(),
    );
    assert_ne!(ga.terrain, gb.terrain);
    assert_ne!(ga.elevation, gb.elevation);
    assert_eq!(ga.road, gb.road);
    assert_eq!(ga.river, gb.river);
    let towns = |w: &mut World| {
        w.query::<&Settlement>()
            .iter(w)
            .map(|s| (s.name.clone(), s.tile))
            .collect::<Vec<_>>()
    };
    assert_eq!(towns(&mut a), towns(&mut b));
    // And the same seed gives the same world.
    assert_eq!(
        mali_world_with_terrain_seed(1, None)
            .resource::<TerrainGrid>()
            .terrain,
        ga.terrain
    );
}

/// The Mali file gives its terrain a seed of its own (the default run's): every run plays
/// on that one map whatever its seed, and a sweep that varies `map.terrain.seed` gets
/// another map.
#[test]
fn the_mali_map_is_one_map_for_every_run_seed() {
    let ScenarioFile::Conflict(s) = builtin("mali_blockade").unwrap().unwrap() else {
        panic!("conflict scenario")
    };
    assert_eq!(s.map.terrain.seed, Some(s.seed));
    let default = mali_world(s.seed).resource::<TerrainGrid>().clone();
    for seed in [1, 2, 99] {
        let g = mali_world(seed).resource::<TerrainGrid>().clone();
        assert_eq!(g.terrain, default.terrain, "seed {seed}");
        assert_eq!(g.elevation, default.elevation, "seed {seed}");
        assert_eq!(g.cover, default.cover, "seed {seed}");
    }
    // The map of the default run is the one a per-run seed of the same value paints.
    let per_run = mali_world_with_terrain_seed(s.seed, None);
    assert_eq!(per_run.resource::<TerrainGrid>().terrain, default.terrain);
    // Another terrain seed, another map.
    let other = mali_world_with_terrain_seed(s.seed, Some(1));
    assert_ne!(other.resource::<TerrainGrid>().terrain, default.terrain);
}

/// A map painted before in the process (a sweep's earlier run) is handed out as a copy:
/// the same grid as one painted afresh, and a scenario that differs in what paints it
/// (here the mobility parameters) gets its own.
#[test]
fn a_map_painted_again_is_the_map_painted_afresh() {
    use asymwar_scenario::terrain_gen::{finish, generate, painted};
    let ScenarioFile::Conflict(mut s) = builtin("mali_blockade").unwrap().unwrap() else {
        panic!("conflict scenario")
    };
    let (projection, w, h) = s.map.projection().unwrap();
    let same = |a: &TerrainGrid, b: &TerrainGrid| {
        a.terrain == b.terrain
            && a.elevation == b.elevation
            && a.cover == b.cover
            && a.road == b.road
            && a.crossing == b.crossing
            && a.country == b.country
            && a.cost == b.cost
    };
    for _ in 0..2 {
        let (fresh, fresh_roads) = {
            let (mut g, roads) = generate(&s, projection, w, h, 5);
            finish(&mut g, &s.params.mobility);
            (g, roads)
        };
        let (first, first_roads) = painted(&s, projection, w, h, 5);
        let (again, again_roads) = painted(&s, projection, w, h, 5);
        assert!(same(&fresh, &first) && same(&fresh, &again));
        assert!(fresh_roads == first_roads && fresh_roads == again_roads);
        // Now slower motorbikes: other costs, another map.
        s.params.mobility.rainy_track_factor *= 0.5;
    }
    let (a, _) = painted(&s, projection, w, h, 5);
    s.params.mobility.rainy_track_factor *= 2.0;
    let (b, _) = painted(&s, projection, w, h, 5);
    assert_ne!(a.cost, b.cost);
}

/// A run that asks for a town's field in one season has the other season's built ahead
/// on a thread of its own (when the process has two threads): the field it then gets is
/// the one it would have built, to the second and the step.
#[test]
fn a_field_built_ahead_is_the_field_built_then() {
    use asymwar_model::pathfinding::FlowField;
    let mut w = mali_world(3);
    let grid = w.resource::<TerrainGrid>().clone();
    let (bamako, kayes) = (town(&mut w, "Bamako"), town(&mut w, "Kayes"));
    let mut pf = Pathfinder::new();
    // No store: with one the thread builds nothing (another run has built the field).
    pf.set_store(None);
    pf.field(&grid, Season::Dry, Mobility::Wheeled, bamako);
    if rayon::current_num_threads() >= 2 {
        let start = std::time::Instant::now();
        while !pf.built_ahead(&grid, Season::Rainy, Mobility::Wheeled, bamako) {
            assert!(
                start.elapsed().as_secs() < 60,
                "the rainy field was never built ahead"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
    let ahead = pf
        .field(&grid, Season::Rainy, Mobility::Wheeled, bamako)
        .clone();
    let fresh = FlowField::build(&grid, Season::Rainy, Mobility::Wheeled, bamako);
    assert_eq!(ahead.time, fresh.time);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for y in (0..grid.height).step_by(7) {
        for x in (0..grid.width).step_by(5) {
            let from = Tile::new(x, y);
            assert_eq!(ahead.path_into(from, &mut a), fresh.path_into(from, &mut b));
            assert_eq!(a, b, "the path from {from:?}");
        }
    }
    assert!(ahead.path_into(kayes, &mut a).is_some());
    let expect = u64::from(rayon::current_num_threads() >= 2);
    assert_eq!(pf.stats.fields_ahead, expect, "{:?}", pf.stats);
    assert_eq!(pf.stats.fields_built, 2);
}

/// A route asked again is copied from its first walk: the same tiles and time, and its
/// field still among the run's fields (what A* answers by) after they were emptied.
#[test]
fn a_route_asked_again_is_the_route_walked_first() {
    let mut w = mali_world(3);
    let grid = w.resource::<TerrainGrid>().clone();
    let (bamako, kayes, segou) = (
        town(&mut w, "Bamako"),
        town(&mut w, "Kayes"),
        town(&mut w, "Segou"),
    );
    let mut pf = Pathfinder::new();
    pf.set_store(None);
    let (mut first, mut again) = (Vec::new(), Vec::new());
    let route = |pf: &mut Pathfinder, from, to, out: &mut Vec<Tile>| {
        pf.route(&grid, Season::Dry, Mobility::Wheeled, from, to, out)
    };
    let a = route(&mut pf, kayes, bamako, &mut first);
    let b = route(&mut pf, kayes, bamako, &mut again);
    assert!(a.is_some());
    assert_eq!((a, &first), (b, &again));
    assert_eq!(pf.stats.routes_remembered, 1);
    // With the fields emptied (their limit reached), the route is walked again, and its
    // field is back: A* towards Bamako answers by it.
    pf.max_fields = 1;
    route(&mut pf, kayes, segou, &mut again);
    assert_eq!(pf.cached_fields(), 1);
    let c = route(&mut pf, kayes, bamako, &mut again);
    assert_eq!((c, &again), (a, &first));
    assert_eq!(pf.stats.routes_remembered, 1);
    let by_field = pf.stats.astar_by_field;
    pf.astar(
        &grid,
        Season::Dry,
        Mobility::Wheeled,
        segou,
        bamako,
        &mut again,
    );
    assert_eq!(pf.stats.astar_by_field, by_field + 1);
}

/// A field grown on demand (how a run builds the fields of its own routes) gives, for
/// every tile it has reached, the time and the path of the field built in one go, asked in
/// any order; growing it to the end gives the whole field.
#[test]
fn a_field_grown_on_demand_is_the_field_built_in_one_go() {
    use asymwar_model::pathfinding::{FlowField, StepCosts};
    use std::sync::Arc;
    let mut w = mali_world(3);
    let grid = w.resource::<TerrainGrid>().clone();
    let kayes = town(&mut w, "Kayes");
    let steps = Arc::new(StepCosts::new(&grid, Season::Rainy, Mobility::Motorbike));
    let whole = FlowField::build_on(&steps, kayes);
    let mut grown = FlowField::start(steps, kayes);
    assert!(!grown.is_complete());
    // Near first, then far, then near again (already settled), in a scattered order.
    let mut asked: Vec<Tile> = vec![Tile::new(kayes.x + 2, kayes.y + 1)];
    for k in 0..400u32 {
        let x = (k * 37 % u32::from(grid.width)) as u16;
        let y = (k * 91 % u32::from(grid.height)) as u16;
        asked.push(Tile::new(x, y));
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (n, &from) in asked.iter().enumerate() {
        grown.settle(Some(from));
        assert_eq!(grown.path_into(from, &mut a), whole.path_into(from, &mut b));
        assert_eq!(a, b, "the path from {from:?}");
        if n == 0 {
            assert!(
                !grown.is_complete(),
                "a tile next to the target settles early"
            );
        }
    }
    grown.settle(None);
    assert!(grown.is_complete());
    assert_eq!(grown.time, whole.time);
}

/// Runs on one map share flow fields and A* searches through a store (a sweep's runs, a
/// class's sessions): a run's outputs are the same bytes with no store, with an empty one
/// and with one that another run filled; and the warm store saves searches.
#[test]
fn a_run_is_the_same_with_paths_shared_or_not() {
    use asymwar_model::pathfinding::PathStore;
    use asymwar_model::sim::Simulation;
    let days = 60;
    let run = |store: Option<std::sync::Arc<PathStore>>| {
        let mut sim = Simulation::conflict(mali_world(7));
        sim.world.resource_mut::<Pathfinder>().set_store(store);
        sim.run_days(days);
        let stats = sim.world.resource::<Pathfinder>().stats;
        let series = format!("{:?}", sim.time_series());
        let events = format!("{:?}", sim.events().events);
        (series, events, stats)
    };
    let alone = run(None);
    let store = PathStore::new(512 << 20);
    let first = run(Some(store.clone()));
    let second = run(Some(store.clone()));
    assert!(
        alone.0 == first.0 && alone.0 == second.0,
        "time series differ"
    );
    assert!(
        alone.1 == first.1 && alone.1 == second.1,
        "event logs differ"
    );
    assert_eq!(first.2.fields_shared, 0);
    assert!(
        second.2.fields_shared == second.2.fields_built && second.2.fields_built > 0,
        "{:?}",
        second.2
    );
    assert!(second.2.astar_shared > 0, "{:?}", second.2);
    assert!(store.bytes() > 0);
}
