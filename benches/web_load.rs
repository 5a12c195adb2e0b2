//! The classroom under load, on loopback: 30 browser sessions play at once, on the Mali
//! scenario (2 days a second, its default speed) and on Epstein's run 1 (10 ticks a
//! second); then one class run of the Mali scenario at 2 days a second, its teacher and 30
//! students watching (issue 15, part 6: 2 cores cannot step 30 Mali models at 2 days/s,
//! and one shared run needs stepping once). Each client acknowledges every frame as the
//! page does once it has drawn it.
//!
//! Criterion times one iteration as the time until every session has received another 15
//! frames; its throughput line is the frame rate of the slowest session. Before that, a
//! fixed 10 s window prints what a class gets: frames a second and simulated days (ticks) a
//! second per session (median and slowest), bytes a frame and the class's bandwidth.
//!
//! `cargo bench --bench web_load`

#[allow(dead_code)] // the tests' client; the benchmark uses a part of it
#[path = "../tests/integration/common/web.rs"]
mod web;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use futures_util::StreamExt;
use futures_util::future::join_all;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use web::{Ws, ask_run, client, join, read_frame, send, server_on, sessions, start_class};

const SESSIONS: usize = 30;
/// Frames per session per iteration: a second's worth at the server's rate.
const FRAMES: u32 = asymwar_web::session::FPS;
const SCENARIOS: [&str; 2] = ["mali_blockade", "epstein_run1"];

/// What one session received in a window.
#[derive(Default)]
struct Got {
    frames: u32,
    bytes: usize,
    first_tick: Option<u64>,
    last_tick: u64,
    /// Ticks run in earlier runs of the window (a run that ends is reset and played again).
    ticks_before: u64,
    /// A viewer of a class run, not a session of its own.
    class: bool,
}

/// Reads one message; a frame is decoded and acknowledged. A run that ended is reset and
/// played again (by a session of its own: a class's students cannot, and the class run
/// outlasts the benchmark). `None` for anything but a frame.
async fn one(ws: &mut Ws, got: &mut Got) -> Option<()> {
    let m = ws.next().await.expect("open").expect("valid");
    let Message::Binary(b) = m else { return None };
    if b.first() != Some(&asymwar_web::frame::TAG) {
        return None;
    }
    let f = read_frame(ws, &b).await;
    let tick = f["tick"].as_u64().unwrap();
    if f["running"] == true {
        got.frames += 1;
        got.bytes += b.len();
        if got.first_tick.is_none() {
            got.first_tick = Some(tick);
        }
        got.last_tick = tick;
    } else if got.class {
        return None;
    } else {
        if let Some(t0) = got.first_tick.take() {
            got.ticks_before += got.last_tick - t0;
        }
        ask_run(ws, r#"{"cmd":"reset"}"#).await;
        send(ws, r#"{"cmd":"play"}"#).await;
    }
    Some(())
}

/// Receives `FRAMES` frames of a running simulation.
async fn frames(ws: &mut Ws, class: bool) {
    let mut got = Got {
        class,
        ..Got::default()
    };
    while got.frames < FRAMES {
        one(ws, &mut got).await;
    }
}

/// Everything each session receives in `window`.
async fn window(ws: &mut Ws, window: Duration, class: bool) -> Got {
    let mut got = Got {
        class,
        ..Got::default()
    };
    let end = Instant::now() + window;
    while tokio::time::timeout_at(end.into(), one(ws, &mut got))
        .await
        .is_ok()
    {}
    got
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One configuration: 30 sessions of their own on a scenario, or one class run of it.
#[derive(Clone, Copy)]
enum Load {
    Sessions(&'static str),
    Class(&'static str),
}

fn thirty_sessions(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("web_load");
    let loads = SCENARIOS
        .map(Load::Sessions)
        .into_iter()
        .chain([Load::Class("mali_blockade")]);
    for load in loads {
        let (scenario, class) = match load {
            Load::Sessions(s) => (s, false),
            Load::Class(s) => (s, true),
        };
        // A class: its teacher and 30 students, all reading and acknowledging frames.
        let connections = SESSIONS + usize::from(class);
        let (server, mut clients, ticks_per_day) = rt.block_on(async {
            let s = server_on(connections, scenario).await;
            let mut clients = Vec::new();
            if class {
                let mut teacher = client(s.addr).await;
                let code = start_class(&mut teacher).await["code"]
                    .as_str()
                    .unwrap()
                    .to_string();
                for _ in 0..SESSIONS {
                    clients.push(join(s.addr, &code, true).await.0);
                }
                send(&mut teacher, r#"{"cmd":"play"}"#).await;
                clients.push(teacher);
            } else {
                for _ in 0..SESSIONS {
                    clients.push(client(s.addr).await);
                }
                for ws in &mut clients {
                    send(ws, r#"{"cmd":"play"}"#).await;
                }
            }
            let tpd = asymwar_scenario::builtin(scenario)
                .unwrap()
                .unwrap()
                .ticks_per_day();
            (s, clients, tpd)
        });
        let secs = 10.0;
        let got = rt.block_on(join_all(
            clients
                .iter_mut()
                .map(|ws| window(ws, Duration::from_secs_f64(secs), class)),
        ));
        let fps: Vec<f64> = got.iter().map(|g| f64::from(g.frames) / secs).collect();
        let days: Vec<f64> = got
            .iter()
            .map(|g| {
                let ticks = g.ticks_before + g.last_tick - g.first_tick.unwrap_or(g.last_tick);
                ticks as f64 / ticks_per_day as f64 / secs
            })
            .collect();
        let (received, bytes): (u32, usize) = got
            .iter()
            .fold((0, 0), |(f, b), g| (f + g.frames, b + g.bytes));
        let unit = if ticks_per_day == 1 { "ticks" } else { "days" };
        let who = if class {
            format!("one class run, {SESSIONS} students and the teacher")
        } else {
            format!("{SESSIONS} sessions")
        };
        let per = if class { "viewer" } else { "session" };
        println!(
            "web_load {scenario}: {who}, frames/s per {per} median {:.1} slowest {:.1}; \
             {unit}/s per {per} median {:.2} slowest {:.2}; {:.0} bytes/frame; class {:.2} Mbit/s",
            median(fps.clone()),
            fps.iter().copied().fold(f64::INFINITY, f64::min),
            median(days.clone()),
            days.iter().copied().fold(f64::INFINITY, f64::min),
            bytes as f64 / f64::from(received.max(1)),
            bytes as f64 * 8.0 / secs / 1e6,
        );
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_secs(2))
            .measurement_time(Duration::from_secs(12))
            .throughput(Throughput::Elements(u64::from(FRAMES)));
        let name = if class {
            format!("{scenario}_class_30_viewers_slowest_frames")
        } else {
            format!("{scenario}_30_sessions_slowest_frames")
        };
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let start = Instant::now();
                        join_all(clients.iter_mut().map(|ws| frames(ws, class))).await;
                        total += start.elapsed();
                    }
                    total
                })
            })
        });
        let open = rt.block_on(sessions(server.addr));
        assert_eq!(open, connections as u64, "a session was dropped under load");
        drop(clients);
        server.task.abort();
    }
    group.finish();
}

criterion_group!(benches, thirty_sessions);
criterion_main!(benches);
