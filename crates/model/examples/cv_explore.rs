//! Exploration: outbursts, waiting times and peaks of a preset over seeds, with the
//! neighbourhood and arrest rule as arguments:
//! `cargo run --release -p asymwar-model --example cv_explore -- run2 disc floor 3000`
//! (`cops` as the preset withdraws cops from tick 100; `L`, `J`, `RATE`, `SEEDS` vary it;
//! `ORDER=interleaved` shuffles citizens and cops together instead of Epstein's order).

use asymwar_model::Simulation;
use asymwar_model::bevy_ecs::world::World;
use asymwar_model::civil_violence::*;
use asymwar_model::grievance::ArrestRule;

fn run(name: &str, p: &CivilViolenceParams, seeds: std::ops::Range<u64>, ticks: u64, at: &[u64]) {
    for seed in seeds {
        // The same world and generator as `asymwar run --seed`, so the figures match.
        let mut w = World::new();
        populate(&mut w, p, seed);
        let mut sim = Simulation::new(w, &[install]);
        let mut snaps = vec![];
        // The first tick above the outburst threshold, and the cops on duty then (ticks
        // numbered as the rows of `timeseries.csv`: 0 is the end of the first tick).
        let mut first = None;
        for t in 0..ticks {
            sim.run_ticks(1);
            let cv = sim.world.resource::<CivilViolence>();
            if first.is_none() && cv.actives() > p.outburst_threshold {
                first = Some((t, cv.cops()));
            }
            if at.contains(&t) {
                snaps.push((t, cv.actives(), cv.jailed(), cv.cops()));
            }
        }
        let cv = sim.world.resource::<CivilViolence>();
        let o = &cv.outbursts;
        println!(
            "{name} seed {seed}: outbursts {} first (tick, cops) {first:?} wait {:?} peak {} @ {:?} above {} jailed {} arrests {} snaps {:?}",
            o.count,
            o.mean_waiting_time().map(|x| x.round()),
            o.peak_actives,
            o.peak_tick,
            o.ticks_above,
            cv.jailed(),
            cv.arrests(),
            snaps
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map(String::as_str).unwrap_or("run2");
    let hood = match args.get(2).map(String::as_str) {
        Some("disc") => NeighbourhoodKind::Disc,
        Some("moore") => NeighbourhoodKind::Moore,
        Some("cross") => NeighbourhoodKind::Cross,
        Some("vn") => NeighbourhoodKind::VonNeumann,
        _ => NeighbourhoodKind::Disc,
    };
    let mut p = match what {
        "run1" => CivilViolenceParams::run1(),
        "run3" => CivilViolenceParams::run3(),
        "run4" => CivilViolenceParams::run4(),
        "run5" => CivilViolenceParams::run5(),
        _ => CivilViolenceParams::run2(),
    };
    p.neighbourhood = hood;
    if let Some(r) = args.get(3) {
        p.activation.arrest_rule = match r.as_str() {
            "literal" => ArrestRule::Literal,
            "round" => ArrestRule::Round,
            _ => ArrestRule::Floor,
        };
    }
    let ticks = args.get(4).map(|s| s.parse().unwrap()).unwrap_or(3000);
    if what == "cops" {
        p = CivilViolenceParams::run5();
        p.neighbourhood = hood;
        p.legitimacy = std::env::var("L")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0.8);
        p.max_jail_term = std::env::var("J").ok().and_then(|s| s.parse().ok());
        p.cop_schedule = CopSchedule::Gradual {
            start_tick: 100,
            per_tick: std::env::var("RATE")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0.0001),
            to: 0.0,
        };
    }
    if std::env::var("ORDER").is_ok_and(|s| s == "interleaved") {
        p.update_order = UpdateOrder::Interleaved;
    }
    let n: u64 = std::env::var("SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    run(
        what,
        &p,
        1..n + 1,
        ticks,
        &[50, 76, 78, 80, 90, 100, 150, 300, 1000],
    );
}
