//! Quick timing of the civil violence engine alone (no schedule, no recorder), for
//! profiling: `cargo run --release -p asymwar-model --example cv_big -- SIDE TICKS`
//! (default 1000 x 1000, 20 ticks). The final counts double as a determinism check
//! between builds. The criterion benchmark is `cargo bench --bench civil_violence`.

use asymwar_model::civil_violence::*;
use asymwar_model::rng::{Purpose, stream};

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let ticks: u32 = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let mut p = CivilViolenceParams::run5();
    p.width = n;
    p.height = n;
    let mut rng = stream(1, Purpose::CivilViolence, 0, 0);
    let mut cv = CivilViolence::new(p, &mut rng);
    cv.step(&mut rng);
    let t = std::time::Instant::now();
    for _ in 0..ticks {
        cv.step(&mut rng);
    }
    let dt = t.elapsed().as_secs_f64() / ticks as f64;
    println!(
        "{n}x{n}: {:.1} us/tick, {:.2} ticks/s, active {} jailed {}",
        dt * 1e6,
        1.0 / dt,
        cv.actives(),
        cv.jailed()
    );
}
