//! Load on loopback: 30 browser sessions play the tutorial at once; each must receive at
//! least 10 frames a second for 10 seconds, and none may be dropped. Bounded: 30 clients,
//! one 10 s window, and a hard time limit on the whole test.

use crate::common::web::*;
use std::time::{Duration, Instant};
use tokio::sync::Barrier;

const SESSIONS: usize = 30;
const WINDOW: Duration = Duration::from_secs(10);
const MIN_FPS: f64 = 10.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_sessions_each_get_ten_frames_a_second() {
    let s = server(SESSIONS).await;
    let addr = s.addr;
    let ready = std::sync::Arc::new(Barrier::new(SESSIONS));
    let mut tasks = Vec::new();
    for _ in 0..SESSIONS {
        let ready = ready.clone();
        tasks.push(tokio::spawn(async move {
            let mut ws = client(addr).await;
            // Every session plays only once all are connected, so the window measures
            // 30 playing at once.
            ready.wait().await;
            send(&mut ws, r#"{"cmd":"play"}"#).await;
            let start = Instant::now();
            let (mut frames, mut first_tick, mut last_tick) = (0u32, None, 0u64);
            while start.elapsed() < WINDOW {
                let f = next_json(&mut ws).await;
                assert_eq!(f["type"], "frame", "{f}");
                assert_eq!(f["running"], true, "the run is still going: {f}");
                let tick = f["tick"].as_u64().unwrap();
                first_tick.get_or_insert(tick);
                last_tick = tick;
                frames += 1;
            }
            let secs = start.elapsed().as_secs_f64();
            // The connection is handed back, so the count below sees it still open.
            (
                f64::from(frames) / secs,
                last_tick - first_tick.unwrap_or(0),
                ws,
            )
        }));
    }
    let results = tokio::time::timeout(Duration::from_secs(60), async {
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("no session was dropped"));
        }
        out
    })
    .await
    .expect("the load test finishes within 60 s");
    let fps: Vec<f64> = results.iter().map(|r| r.0).collect();
    let min = fps.iter().cloned().fold(f64::INFINITY, f64::min);
    let mean = fps.iter().sum::<f64>() / fps.len() as f64;
    let ticks_min = results.iter().map(|r| r.1).min().unwrap();
    eprintln!(
        "load: {SESSIONS} sessions, frames/s per session: min {min:.1}, mean {mean:.1}; \
         ticks advanced in {} s: min {ticks_min}",
        WINDOW.as_secs()
    );
    assert_eq!(results.len(), SESSIONS);
    assert!(
        min >= MIN_FPS,
        "a session got only {min:.1} frames/s (mean {mean:.1})"
    );
    assert!(ticks_min > 0, "every simulation advanced");
    assert_eq!(sessions(s.addr).await, SESSIONS as u64, "none was dropped");
    drop(results);
}
