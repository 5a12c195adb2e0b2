//! The classroom under load, on loopback: 30 browser sessions play the tutorial at once.
//! One iteration is the time until every session has received another 15 frames; the
//! server sends 15 a second (`asymwar_web::session::FPS`), and the classroom needs at
//! least 10. Criterion's throughput line is the frame rate of the slowest session:
//! 15 frames per iteration, in frames (elements) a second.
//!
//! `cargo bench --bench web_load`

#[allow(dead_code)] // the tests' client; the benchmark uses a part of it
#[path = "../tests/integration/common/web.rs"]
mod web;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use futures_util::future::join_all;
use std::time::{Duration, Instant};
use web::{Ws, ask_run, client, next_json, send, server, sessions};

const SESSIONS: usize = 30;
/// Frames per session per iteration: a second's worth at the server's rate.
const FRAMES: u32 = asymwar_web::session::FPS;

/// Reads and drops what is already waiting (frames sent while nobody read, between
/// iterations), so that an iteration times frames as they are made; a run that ended
/// meanwhile is restarted.
async fn drain(ws: &mut Ws) {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    while let Ok(m) = tokio::time::timeout(Duration::from_millis(5), ws.next()).await {
        let m = m.expect("the connection is open").expect("a valid message");
        if let Message::Text(t) = m {
            let f: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
            if f["type"] == "frame" && f["running"] == false {
                restart(ws).await;
            }
        }
    }
}

/// Resets an ended run and plays the new one.
async fn restart(ws: &mut Ws) {
    ask_run(ws, r#"{"cmd":"reset"}"#).await;
    send(ws, r#"{"cmd":"play"}"#).await;
}

/// Receives `FRAMES` frames of a running simulation; a run that ends (the tutorial's 60
/// days take 30 s) is reset and played again, and its frames count on.
async fn frames(ws: &mut Ws) {
    let mut got = 0;
    while got < FRAMES {
        let f = next_json(ws).await;
        assert_eq!(f["type"], "frame", "{f}");
        if f["running"] == true {
            got += 1;
        } else {
            restart(ws).await;
        }
    }
}

fn thirty_sessions(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (server, mut clients) = rt.block_on(async {
        let s = server(SESSIONS).await;
        let mut clients = Vec::new();
        for _ in 0..SESSIONS {
            clients.push(client(s.addr).await);
        }
        for ws in &mut clients {
            send(ws, r#"{"cmd":"play"}"#).await;
        }
        (s, clients)
    });
    let mut group = c.benchmark_group("web_load");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(12))
        .throughput(Throughput::Elements(u64::from(FRAMES)));
    group.bench_function("30_sessions_slowest_frames_per_second", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    join_all(clients.iter_mut().map(drain)).await;
                    let start = Instant::now();
                    join_all(clients.iter_mut().map(frames)).await;
                    total += start.elapsed();
                }
                total
            })
        })
    });
    group.finish();
    let open = rt.block_on(sessions(server.addr));
    assert_eq!(open, SESSIONS as u64, "a session was dropped under load");
}

criterion_group!(benches, thirty_sessions);
criterion_main!(benches);
