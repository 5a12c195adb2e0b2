//! Bytes per frame for each built-in scenario: one session plays at its default speed
//! and the frames a page would receive (one per `1/FPS` s of simulated play) are measured.
//!
//! `cargo run --release -p asymwar-web --example frame_bytes [FRAMES]`

use asymwar_web::session::{Catalogue, Command, Session};
use std::sync::Arc;
use std::time::Duration;

fn main() {
    let frames: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(150);
    let catalogue = Arc::new(Catalogue::default());
    println!("scenario        frames  mean_bytes  max_bytes");
    for name in catalogue.names() {
        let mut s = Session::new(catalogue.clone(), &name).expect("built-ins start");
        s.command(Command::Play {}).unwrap();
        let (mut total, mut max, mut n) = (0usize, 0usize, 0usize);
        for _ in 0..frames {
            if !s.running {
                break;
            }
            // No time limit: every frame carries the simulated time the speed asks for.
            s.advance(Duration::from_secs(3600));
            let len = s.frame().len();
            total += len;
            max = max.max(len);
            n += 1;
        }
        println!(
            "{name:<15} {n:>6}  {:>10.0}  {max:>9}",
            total as f64 / n.max(1) as f64
        );
    }
}
