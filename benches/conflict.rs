//! One simulated day of the Mali blockade scenario (24 ticks of every system: logistics,
//! sensing, decisions, movement, engagements, the daily society pass over ~150,000 cohorts),
//! measured at the start of the run and after 60 days (when the conflict has spread).

use asymwar_scenario::{build_simulation, builtin};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

fn one_day(c: &mut Criterion) {
    let file = builtin("mali_blockade").unwrap().unwrap();
    let mut group = c.benchmark_group("mali_day");
    group.sample_size(20);
    for warm_days in [0u32, 60] {
        // The world after `warm_days`, cloned cheaply by rebuilding and re-running it once.
        let mut base = build_simulation(&file, 1);
        base.run_days(warm_days);
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
        drop(base);
    }
    group.finish();
}

criterion_group!(benches, one_day);
criterion_main!(benches);
