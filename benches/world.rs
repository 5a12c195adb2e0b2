//! World building and path queries on the Mali map.

use asymwar_model::calendar::Season;
use asymwar_model::geo::Tile;
use asymwar_model::pathfinding::{FlowField, Pathfinder};
use asymwar_model::settlement::Settlement;
use asymwar_model::terrain::{Mobility, TerrainGrid};
use asymwar_scenario::{ScenarioFile, build_world, builtin};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn mali() -> asymwar_scenario::Scenario {
    match builtin("mali_blockade").unwrap().unwrap() {
        ScenarioFile::Conflict(s) => s,
        _ => unreachable!(),
    }
}

fn world_building(c: &mut Criterion) {
    let s = mali();
    c.bench_function("build_mali_world", |b| {
        b.iter(|| black_box(build_world(black_box(&s), 1)))
    });
}

fn path_queries(c: &mut Criterion) {
    let s = mali();
    let mut world = build_world(&s, 1);
    let grid = world.resource::<TerrainGrid>().clone();
    let towns: Vec<Tile> = world
        .query::<&Settlement>()
        .iter(&world)
        .map(|t| t.tile)
        .collect();
    let pairs: Vec<(Tile, Tile)> = towns
        .iter()
        .flat_map(|&a| towns.iter().map(move |&b| (a, b)))
        .filter(|(a, b)| a != b)
        .collect();

    // The common case: town to town, through the cached flow field of the destination.
    let mut pf = Pathfinder::new();
    let mut path = Vec::new();
    for &(a, b) in &pairs {
        pf.route(&grid, Season::Dry, Mobility::Wheeled, a, b, &mut path);
    }
    let mut i = 0;
    c.bench_function("path_town_to_town_cached", |bch| {
        bch.iter(|| {
            let (a, b) = pairs[i % pairs.len()];
            i += 1;
            black_box(pf.route(&grid, Season::Dry, Mobility::Wheeled, a, b, &mut path))
        })
    });

    // A one-off query between arbitrary tiles: A* with reused scratch buffers (one
    // remembered path at a time, so that every question here is searched).
    pf.max_paths = 1;
    let mut j = 0;
    c.bench_function("path_town_to_town_astar_motorbike", |bch| {
        bch.iter(|| {
            let (a, b) = pairs[j % pairs.len()];
            j += 1;
            black_box(pf.astar(&grid, Season::Dry, Mobility::Motorbike, a, b, &mut path))
        })
    });

    // Building one flow field over the whole map (the cost of a cache miss).
    let bamako = towns[0];
    c.bench_function("flow_field_build_mali", |bch| {
        bch.iter(|| {
            black_box(FlowField::build(
                &grid,
                Season::Rainy,
                Mobility::Motorbike,
                bamako,
            ))
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = world_building, path_queries
}
criterion_main!(benches);
