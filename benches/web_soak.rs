//! The classroom server's memory over many sessions, on loopback: clients, ten at a time,
//! connect (the server builds a tutorial world for each), take the opening messages, play a
//! few frames and go away, 6,000 times. The server's resident memory (this process's: the
//! clients' share is small and does not grow) is printed after 0, 250, 500, 1,000, 2,000,
//! 3,000, 4,500 and 6,000 cycles; it should level off, not climb with the count.
//!
//! Criterion then times one connect-play-disconnect cycle.
//!
//! `cargo bench --bench web_soak`

#[allow(dead_code)] // the tests' client; the benchmark uses a part of it
#[path = "../tests/integration/common/web.rs"]
mod web;

use criterion::{Criterion, criterion_group, criterion_main};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use web::{client, next_json, send, server, sessions};

const AT_ONCE: usize = 10;
const MARKS: [usize; 8] = [0, 250, 500, 1000, 2000, 3000, 4500, 6000];

/// Resident memory of this process, in MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// One session: connect, play three frames, close.
async fn cycle(addr: SocketAddr) {
    let mut ws = client(addr).await;
    send(&mut ws, r#"{"cmd":"play"}"#).await;
    for _ in 0..3 {
        next_json(&mut ws).await;
    }
    let _ = ws.close(None).await;
}

/// `n` cycles, `AT_ONCE` at a time.
async fn cycles(addr: SocketAddr, n: usize) {
    let per = n / AT_ONCE;
    let tasks: Vec<_> = (0..AT_ONCE)
        .map(|_| {
            tokio::spawn(async move {
                for _ in 0..per {
                    cycle(addr).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

/// Waits until the server has counted every closed session out.
async fn settled(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while sessions(addr).await > 0 {
        assert!(Instant::now() < deadline, "sessions were not cleaned up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn soak(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let s = rt.block_on(server(100));
    let addr = s.addr;
    let started = Instant::now();
    let mut done = 0;
    let mut line = Vec::new();
    for mark in MARKS {
        rt.block_on(async {
            cycles(addr, mark - done).await;
            settled(addr).await;
        });
        done = mark;
        line.push(format!("{mark}: {:.0} MiB", rss_mib()));
    }
    println!(
        "web_soak: resident memory after N connect-play-disconnect cycles ({AT_ONCE} at once, {:.0} s): {}",
        started.elapsed().as_secs_f64(),
        line.join(", ")
    );
    c.bench_function("web_soak_one_cycle", |b| {
        b.iter(|| rt.block_on(cycle(addr)));
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(5));
    targets = soak
}
criterion_main!(benches);
