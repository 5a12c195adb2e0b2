//! Civil violence model: cost of one tick, through the `Simulation` (schedule, recorder and
//! all), at 40 x 40 (run 5) and at 1,000 x 1,000 with the same densities (~774,000 agents):
//! single-threaded under the reference schedule, and on 1 and 2 threads with
//! `scheduling: colour_classes` (the parallel tick).

use asymwar_model::Simulation;
use asymwar_model::bevy_ecs::world::World;
use asymwar_model::civil_violence::{self, CivilViolenceParams};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

fn simulation(params: &CivilViolenceParams, warmup: u64) -> Simulation {
    let mut w = World::new();
    civil_violence::populate(&mut w, params, 1);
    let mut sim = Simulation::new(w, &[civil_violence::install]);
    sim.run_ticks(warmup);
    sim
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("civil_violence");
    let mut sim = simulation(&CivilViolenceParams::run5(), 200);
    g.bench_function("run5_40x40_tick", |b| b.iter(|| black_box(&mut sim).step()));

    let mut big = CivilViolenceParams::run5();
    big.width = 1000;
    big.height = 1000;
    let mut sim = simulation(&big, 5);
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("run5_1000x1000_tick", |b| {
        b.iter(|| black_box(&mut sim).step())
    });
    // NetLogo's and Mesa's order, for comparison with the preset's (Epstein's).
    big.update_order = civil_violence::UpdateOrder::Interleaved;
    let mut sim = simulation(&big, 5);
    g.bench_function("run5_1000x1000_tick_interleaved", |b| {
        b.iter(|| black_box(&mut sim).step())
    });
    // The parallel tick: colour classes, Epstein's order, on 1 and 2 threads (the same
    // run on either).
    big.update_order = civil_violence::UpdateOrder::CitizensThenCops;
    big.scheduling = civil_violence::Scheduling::ColourClasses;
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        let mut sim = pool.install(|| simulation(&big, 5));
        g.bench_function(
            format!("run5_1000x1000_tick_colour_classes_{threads}_threads"),
            |b| b.iter(|| pool.install(|| black_box(&mut sim).step())),
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
