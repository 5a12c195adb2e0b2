//! Runs 3 and 4 side by side over seeds (gradual legitimacy decline vs sudden drop): the
//! table of docs/civil_violence.md. `cargo run --release -p asymwar-model --example
//! cv_legit -- disc 20` (neighbourhood: disc, vn, moore, cross; `COPS=`, `VISION=`;
//! `ORDER=interleaved` for NetLogo's and Mesa's order; `ASCAPE=1` for the schedules of
//! Epstein's own source).

use asymwar_model::Simulation;
use asymwar_model::bevy_ecs::world::World;
use asymwar_model::civil_violence::{self, CivilViolenceParams, NeighbourhoodKind};

fn col(sim: &Simulation, n: &str) -> Vec<f64> {
    sim.time_series().column(n).unwrap().collect()
}

fn main() {
    let hood = match std::env::args().nth(1).as_deref() {
        Some("vn") => NeighbourhoodKind::VonNeumann,
        Some("moore") => NeighbourhoodKind::Moore,
        Some("cross") => NeighbourhoodKind::Cross,
        _ => NeighbourhoodKind::Disc,
    };
    let n: u64 = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let (mut g_any, mut g_decl, mut s_tip, mut s_any) = (0, 0, 0, 0);
    let (mut gj, mut sj) = (0.0, 0.0);
    for seed in 1..=n {
        let mut out = vec![];
        for mut p in [CivilViolenceParams::run3(), CivilViolenceParams::run4()] {
            p.neighbourhood = hood;
            if let Some(c) = std::env::var("COPS").ok().and_then(|s| s.parse().ok()) {
                p.cop_density = c;
            }
            if let Some(v) = std::env::var("VISION").ok().and_then(|s| s.parse().ok()) {
                p.vision = v;
            }
            if std::env::var("ORDER").is_ok_and(|s| s == "interleaved") {
                p.update_order = civil_violence::UpdateOrder::Interleaved;
            }
            // Epstein's Ascape source (edu.brook.cv.paper.CVModelIRun3/4) lowers L by 0.01
            // every third tick down to 0 and drops it to 0.65 after tick 75: `ASCAPE=1`.
            if std::env::var("ASCAPE").is_ok() {
                p.legitimacy_schedule = match p.legitimacy_schedule {
                    civil_violence::LegitimacySchedule::Drop { .. } => {
                        civil_violence::LegitimacySchedule::Drop { tick: 76, to: 0.65 }
                    }
                    _ => civil_violence::LegitimacySchedule::Gradual {
                        start_tick: 0,
                        per_tick: 0.01 / 3.0,
                        to: 0.0,
                    },
                };
            }
            // `RATE=` sets the gradual decline's step a tick (and lets it run down to 0).
            if let Some(r) = std::env::var("RATE").ok().and_then(|s| s.parse().ok())
                && matches!(
                    p.legitimacy_schedule,
                    civil_violence::LegitimacySchedule::Gradual { .. }
                )
            {
                p.legitimacy_schedule = civil_violence::LegitimacySchedule::Gradual {
                    start_tick: 0,
                    per_tick: r,
                    to: 0.0,
                };
            }
            let mut w = World::new();
            civil_violence::populate(&mut w, &p, seed);
            let mut sim = Simulation::new(w, &[civil_violence::install]);
            sim.run_ticks(301);
            let a = col(&sim, "active");
            let j = col(&sim, "jailed");
            let first = a.iter().position(|&x| x > 50.0);
            let peak = a.iter().copied().fold(0.0, f64::max);
            out.push((first, peak, j[100], j[300]));
        }
        let (g, s) = (out[0], out[1]);
        g_any += g.0.is_some() as u32;
        g_decl += g.0.is_some_and(|t| t <= 100) as u32;
        s_any += s.0.is_some() as u32;
        s_tip += s.0.is_some_and(|t| t <= 107) as u32;
        gj += g.3;
        sj += s.3;
        println!(
            "seed {seed:2} gradual first>50 {:?} peak {} j100 {} j300 {} | sudden first>50 {:?} peak {} j300 {}",
            g.0, g.1, g.2, g.3, s.0, s.1, s.3
        );
    }
    println!(
        "{hood:?}: gradual outburst by tick 100: {g_decl}/{n}, by 300: {g_any}/{n}; sudden outburst by 107: {s_tip}/{n}, by 300: {s_any}/{n}; mean jailed@300 gradual {:.0} sudden {:.0}",
        gj / n as f64,
        sj / n as f64
    );
}
