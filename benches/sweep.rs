//! Sweeps: 200 short tutorial runs with 1 and 2 threads (the speed-up), and one bare run
//! of the same length (the sweep's per-run overhead: overrides, seeding, journal, fsync,
//! final CSV and Parquet files).
//!
//! per-run overhead = (sweep_200_runs/jobs_1 / 200) / bare_run - 1
//! speed-up         = sweep_200_runs/jobs_1 / sweep_200_runs/jobs_2

use asymwar_experiment::spec::Plan;
use asymwar_experiment::sweep::{Shard, SweepOptions, sweep};
use asymwar_experiment::{RunOptions, run};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

/// 50 points x 4 replicates of 10-day tutorial runs, with a time series every 5 days.
const SPEC: &str = r#"Sweep(
    name: "bench",
    scenario: "tutorial",
    days: 10,
    vary: [
        (path: "activation.threshold", range: (0.05, 0.5), levels: 10),
        (path: "forces.army[0].units", values: [1, 2, 3, 4, 5]),
    ],
    design: Grid,
    replicates: 4,
    master_seed: 1,
    collect: (timeseries_every_days: 5),
)"#;

fn plan() -> Plan {
    Plan::from_text(SPEC.to_string(), &PathBuf::from("<bench>")).unwrap()
}

/// Outputs go under target/ (a real disk, as for a user), not a RAM disk that would make
/// fsync free.
fn out_dir(tag: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-sweep")
        .join(tag)
}

fn sweeps(c: &mut Criterion) {
    let plan = plan();
    assert_eq!(plan.runs(), 200);
    let mut group = c.benchmark_group("sweep_200_runs");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(40));
    for jobs in [1, 2] {
        group.bench_function(format!("jobs_{jobs}"), |b| {
            b.iter(|| {
                let out = out_dir(&format!("jobs{jobs}"));
                let _ = std::fs::remove_dir_all(&out);
                let opts = SweepOptions {
                    out,
                    jobs,
                    shard: Shard::WHOLE,
                    resume: false,
                };
                black_box(sweep(&plan, &opts, &|_, _| {}).unwrap())
            })
        });
    }
    group.finish();

    // One run as the sweep's first run would be, without the sweep around it.
    let scenario = plan.scenario_at(0).unwrap();
    let opts = RunOptions {
        seed: Some(plan.seed(0)),
        days: Some(10),
        ticks: None,
        collect_every_days: Some(5),
    };
    c.bench_function("bare_run_10_days", |b| {
        b.iter(|| black_box(run(&scenario, &opts, |_, _| {})))
    });

    // The same overhead measured within each sweep (time in the model against the wall
    // clock, one thread), so that load from other processes affects both alike. Per run:
    // the run phase only; in all: with the checks before and the output files after.
    let (mut per_run, mut all) = (Vec::new(), Vec::new());
    for _ in 0..11 {
        let out = out_dir("overhead");
        let _ = std::fs::remove_dir_all(&out);
        let opts = SweepOptions {
            out,
            jobs: 1,
            shard: Shard::WHOLE,
            resume: false,
        };
        let r = sweep(&plan, &opts, &|_, _| {}).unwrap();
        per_run.push(100.0 * (r.runs_secs / r.model_secs - 1.0));
        all.push(100.0 * (r.wall_secs / r.model_secs - 1.0));
    }
    per_run.sort_by(f64::total_cmp);
    all.sort_by(f64::total_cmp);
    println!(
        "overhead of a one-thread sweep of 200 runs over the time in the model, median of 11 (min, max): per run {:.1}% ({:.1}%, {:.1}%); with checks and output files {:.1}% ({:.1}%, {:.1}%)",
        per_run[5], per_run[0], per_run[10], all[5], all[0], all[10]
    );
}

criterion_group!(benches, sweeps);
criterion_main!(benches);
