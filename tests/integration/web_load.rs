//! Load on loopback: 30 browser sessions play the tutorial at once; every one receives
//! frames of a running simulation whose clock advances, and none is dropped. How many
//! frames a second each gets is measured by the benchmark `benches/web_load.rs`, not here.

use crate::common::web::*;
use std::time::Duration;
use tokio::sync::Barrier;

const SESSIONS: usize = 30;
/// Frames each session must receive while all play.
const FRAMES: u32 = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_sessions_all_get_frames_and_none_is_dropped() {
    let s = server(SESSIONS).await;
    let addr = s.addr;
    let ready = std::sync::Arc::new(Barrier::new(SESSIONS));
    let mut tasks = Vec::new();
    for _ in 0..SESSIONS {
        let ready = ready.clone();
        tasks.push(tokio::spawn(async move {
            let mut ws = client(addr).await;
            // Every session plays only once all are connected, so that the frames below
            // come while 30 play at once.
            ready.wait().await;
            send(&mut ws, r#"{"cmd":"play"}"#).await;
            let (mut first_tick, mut last_tick) = (None, 0u64);
            for _ in 0..FRAMES {
                let f = next_json(&mut ws).await;
                assert_eq!(f["type"], "frame", "{f}");
                assert_eq!(f["running"], true, "the run is still going: {f}");
                let tick = f["tick"].as_u64().unwrap();
                first_tick.get_or_insert(tick);
                last_tick = tick;
            }
            // The connection is handed back, so the count below sees it still open.
            (last_tick - first_tick.unwrap(), ws)
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
    .expect("every session gets its frames within 60 s");
    assert_eq!(results.len(), SESSIONS);
    let ticks_min = results.iter().map(|r| r.0).min().unwrap();
    assert!(
        ticks_min > 0,
        "every simulation advanced between its first and last frame"
    );
    assert_eq!(sessions(s.addr).await, SESSIONS as u64, "none was dropped");
    drop(results);
}
