//! The Mali blockade scenario: one simulated day (24 ticks of every system: logistics,
//! sensing, decisions, movement, engagements, the daily society pass over ~150,000 cohorts)
//! at the start of the run and after 60 days (when the conflict has spread); a whole year;
//! the same year with the flow fields and searches of an earlier run on the map shared; the
//! daily society pass alone on one and on two threads. The year also prints how often
//! the pathfinder answered without a search (its cache hit rate).

use asymwar_model::bevy_ecs::system::RunSystemOnce;
use asymwar_model::calendar::Clock;
use asymwar_model::pathfinding::{PathStore, Pathfinder};
use asymwar_model::society::daily::society_daily;
use asymwar_scenario::{build_simulation, builtin};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::time::Duration;

fn one_day(c: &mut Criterion) {
    let file = builtin("mali_blockade").unwrap().unwrap();
    let mut group = c.benchmark_group("mali_day");
    group.sample_size(20);
    for warm_days in [0u32, 60] {
        let name = format!("one_day_after_{warm_days}_days");
        group.bench_function(&name, |b| {
            b.iter_batched(
                || {
                    let mut sim = build_simulation(&file, 1);
                    sim.run_days(warm_days);
                    sim
                },
                |mut sim| sim.run_days(1),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// A year of a built-in scenario, from building the world to the last day, measured in the
/// criterion group `group` as `year_365_days`.
fn bench_year(c: &mut Criterion, scenario: &str, group: &str, seconds: u64) {
    let file = builtin(scenario).unwrap().unwrap();
    let mut group = c.benchmark_group(group);
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(seconds));
    group.bench_function("year_365_days", |b| {
        b.iter(|| {
            let mut sim = build_simulation(&file, 1);
            sim.run_days(365);
            sim
        })
    });
    // The same year when an earlier run on the same map left its flow fields and searches
    // in a store (a sweep's replicates with common seeds, a class's sessions): the same
    // outputs, without the searches.
    let store = PathStore::new(512 << 20);
    group.bench_function("year_365_days_paths_shared", |b| {
        b.iter(|| {
            let mut sim = build_simulation(&file, 1);
            sim.world
                .resource_mut::<Pathfinder>()
                .set_store(Some(store.clone()));
            sim.run_days(365);
            sim
        })
    });
    group.finish();
}

/// The second theatre (Burkina Faso: sieges, an air bridge, militias, rival commands): a
/// year (issue 19: under 5 s).
fn burkina_year(c: &mut Criterion) {
    bench_year(c, "burkina_djibo", "burkina_year", 30);
}

/// The default run of the README: a year, and the path cache's hit rate over it.
fn year(c: &mut Criterion) {
    bench_year(c, "mali_blockade", "mali_year", 20);
    let file = builtin("mali_blockade").unwrap().unwrap();
    let mut sim = build_simulation(&file, 1);
    sim.run_days(365);
    let pathfinder = sim.world.resource::<Pathfinder>();
    let stats = pathfinder.stats;
    let (settled, tiles) = pathfinder.fields_settled();
    eprintln!(
        "paths in a Mali year: {stats:?}; answered without a search: {:.1}%; \
         the fields' tiles settled: {settled} of {tiles} ({:.1}%)",
        100.0 * stats.hit_rate(),
        100.0 * settled as f64 / tiles.max(1) as f64
    );
}

/// The daily society pass alone, on the world of day 60, with 1 and 2 threads.
fn society_pass(c: &mut Criterion) {
    let file = builtin("mali_blockade").unwrap().unwrap();
    let mut group = c.benchmark_group("mali_society_pass");
    group.sample_size(30);
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut sim = build_simulation(&file, 1);
        sim.run_days(60);
        // The last tick of a day: when the pass runs.
        let tpd = sim.clock().ticks_per_day();
        sim.world.resource_mut::<Clock>().tick += tpd - 1;
        group.bench_function(format!("day_60_{threads}_threads"), |b| {
            b.iter(|| pool.install(|| sim.world.run_system_once(society_daily).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, one_day, year, burkina_year, society_pass);
criterion_main!(benches);
