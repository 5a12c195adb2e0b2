//! Profiling and determinism harness for the civil violence tick through the `Simulation`
//! (schedule and recorder included), as the criterion bench runs it:
//! `cargo run --release -p asymwar-model --example cv_tick -- SIDE TICKS SEED [colour] [interleaved]`
//! (`PRESET=run1`..`run5`, default run 5; `HOOD=vn|moore|cross` for another neighbourhood).
//! Prints every recorded row (tick, active, quiet, jailed, cops, legitimacy) and the
//! summary, so two builds can be diffed; `QUIET=1` prints only the summary. Under callgrind,
//! the cost of a tick is the difference between two runs of different lengths.

use asymwar_model::Simulation;
use asymwar_model::bevy_ecs::world::World;
use asymwar_model::civil_violence::{self, CivilViolence, CivilViolenceParams};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let side: u32 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(40);
    let ticks: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let seed: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    // `PRESET=run1`..`run5` (default run5), `HOOD=vn|moore|cross|disc`.
    let mut p = match std::env::var("PRESET").as_deref() {
        Ok("run1") => CivilViolenceParams::run1(),
        Ok("run2") => CivilViolenceParams::run2(),
        Ok("run3") => CivilViolenceParams::run3(),
        Ok("run4") => CivilViolenceParams::run4(),
        _ => CivilViolenceParams::run5(),
    };
    match std::env::var("HOOD").as_deref() {
        Ok("vn") => p.neighbourhood = civil_violence::NeighbourhoodKind::VonNeumann,
        Ok("moore") => p.neighbourhood = civil_violence::NeighbourhoodKind::Moore,
        Ok("cross") => p.neighbourhood = civil_violence::NeighbourhoodKind::Cross,
        _ => {}
    }
    p.width = side;
    p.height = side;
    if args.iter().any(|a| a == "colour") {
        p.scheduling = civil_violence::Scheduling::ColourClasses;
    }
    if args.iter().any(|a| a == "interleaved") {
        p.update_order = civil_violence::UpdateOrder::Interleaved;
    }
    let mut w = World::new();
    civil_violence::populate(&mut w, &p, seed);
    let mut sim = Simulation::new(w, &[civil_violence::install]);
    sim.run_ticks(ticks);
    let quiet = std::env::var("QUIET").is_ok();
    if !quiet {
        let ts = sim.time_series();
        let cols: Vec<Vec<f64>> = ["active", "quiet", "jailed", "cops", "legitimacy"]
            .iter()
            .map(|c| ts.column(c).unwrap().collect())
            .collect();
        for t in 0..cols[0].len() {
            let row: Vec<String> = cols.iter().map(|c| format!("{:?}", c[t])).collect();
            println!("{t} {}", row.join(" "));
        }
    }
    let cv = sim.world.resource::<CivilViolence>();
    let mut cells: u64 = 0;
    for i in 0..cv.citizens() {
        cells = cells
            .wrapping_mul(1_000_003)
            .wrapping_add(u64::from(cv.cell_of(i)) * 4 + cv.condition(i) as u64);
    }
    println!(
        "ticks {} active {} jailed {} cops {} arrests {} state {cells:x}",
        cv.ticks(),
        cv.actives(),
        cv.jailed(),
        cv.cops(),
        cv.arrests()
    );
    for (k, v) in sim.summary() {
        println!("{k} {v:?}");
    }
}
