//! The classroom server against bad and hostile input: every bad message gets an error
//! reply and the session goes on; no file outside the page is served; sessions that go
//! away are counted out.

use crate::common::web::*;
use futures_util::SinkExt;
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// Sends a command and returns the first reply, waiting out the rate limit: a command
/// refused as one too many (the server takes `MAX_COMMANDS_PER_SECOND` a second) is sent
/// again every 20 ms until the server takes it, for at most 5 s. A refused command changes
/// nothing, so the tests need not sleep to stay under the limit.
async fn ask_paced(ws: &mut Ws, text: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = ask(ws, text).await;
        let refused = r["type"] == "error"
            && r["message"]
                .as_str()
                .is_some_and(|m| m.contains("too many commands"));
        if !refused {
            return r;
        }
        assert!(Instant::now() < deadline, "still refused after 5 s: {r}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// After an error the session still answers: a step gives a frame one day later.
async fn still_alive(ws: &mut Ws, expected_day: u64) {
    let f = ask_paced(ws, r#"{"cmd":"step"}"#).await;
    assert_eq!(f["type"], "frame", "{f}");
    assert_eq!(f["day"], expected_day, "{f}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_messages_get_an_error_and_the_session_goes_on() {
    let s = server(10).await;
    let mut ws = client(s.addr).await;
    let deep = "[".repeat(1000) + &"]".repeat(1000);
    let cases: &[(&str, &str)] = &[
        ("{", "not a command"),
        ("hello", "not a command"),
        ("", "not a command"),
        ("null", "not a command"),
        (r#"{"cmd":"fly"}"#, "not a command"),
        (r#"{"cmd":"play","extra":1}"#, "not a command"),
        (r#"{"command":"play"}"#, "not a command"),
        (r#"{"cmd":"speed","level":"fast"}"#, "not a command"),
        (r#"{"cmd":"speed","level":-1}"#, "not a command"),
        (r#"{"cmd":"speed","level":99}"#, "speed level must be"),
        (r#"{"cmd":"speed","level":1e300}"#, "not a command"),
        (r#"{"cmd":"seed","value":-5}"#, "not a command"),
        (r#"{"cmd":"seed","value":"x"}"#, "not a command"),
        (&deep, "not a command"),
        (r#"{"cmd":"set","lever":"nope","value":1}"#, "no lever"),
        (
            r#"{"cmd":"set","lever":"discipline","value":1.5}"#,
            "between 0 and 1",
        ),
        (
            r#"{"cmd":"set","lever":"discipline","value":"high"}"#,
            "must be a number",
        ),
        (
            r#"{"cmd":"set","lever":"escort","value":"carpet_bombing"}"#,
            "must be one of",
        ),
        (
            r#"{"cmd":"set","lever":"blockade","value":1}"#,
            "true or false",
        ),
        (
            r#"{"cmd":"set","lever":"legitimacy","value":0.5}"#,
            "not a lever of the conflict model",
        ),
        (
            r#"{"cmd":"scenario","name":"../../../etc/passwd"}"#,
            "no scenario named",
        ),
        (
            r#"{"cmd":"scenario","name":"/etc/passwd"}"#,
            "no scenario named",
        ),
        (
            r#"{"cmd":"scenario","name":"tutorial.ron"}"#,
            "no scenario named",
        ),
        (r#"{"cmd":"scenario","name":""}"#, "no scenario named"),
    ];
    for (msg, want) in cases {
        let r = ask_paced(&mut ws, msg).await;
        assert_eq!(r["type"], "error", "{msg} -> {r}");
        let text = r["message"].as_str().unwrap();
        assert!(text.contains(want), "{msg} -> {text}");
    }
    still_alive(&mut ws, 1).await;

    // A lever set in range is accepted (or, while the model lacks it, named as missing).
    let r = ask_paced(&mut ws, r#"{"cmd":"set","lever":"discipline","value":0.5}"#).await;
    let text = r["message"].as_str().unwrap();
    assert!(
        r["type"] == "ok" || text.contains("not in this scenario's model yet"),
        "{r}"
    );
    assert_eq!(r["lever"], "discipline");

    // Binary and over-long messages.
    ws.send(Message::binary(vec![0u8, 159, 146, 150]))
        .await
        .unwrap();
    let r = next_json(&mut ws).await;
    assert_eq!(r["type"], "error");
    assert!(r["message"].as_str().unwrap().contains("binary"), "{r}");
    let long = format!(r#"{{"cmd":"play","pad":"{}"}}"#, "x".repeat(10_000));
    let r = ask_paced(&mut ws, &long).await;
    assert!(r["message"].as_str().unwrap().contains("too long"), "{r}");
    still_alive(&mut ws, 2).await;

    // The run's end: play is refused with a message, reset starts again.
    for day in 3..=60 {
        let f = ask_paced(&mut ws, r#"{"cmd":"step"}"#).await;
        assert_eq!(f["day"], day, "{f}");
    }
    let r = ask_paced(&mut ws, r#"{"cmd":"step"}"#).await;
    assert_eq!(r["type"], "error", "{r}");
    let r = ask_paced(&mut ws, r#"{"cmd":"play"}"#).await;
    assert!(
        r["message"].as_str().unwrap().contains("run is over"),
        "{r}"
    );
    let init = ask_paced(&mut ws, r#"{"cmd":"reset"}"#).await;
    assert_eq!(init["type"], "init");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lever_applies_to_the_next_run_only_in_range() {
    let s = server(10).await;
    let mut ws = client(s.addr).await;
    let r = ask(&mut ws, r#"{"cmd":"set","lever":"threshold","value":0.6}"#).await;
    assert_eq!(r["type"], "error", "{r}");
    assert_eq!(r["lever"], "threshold");
    let r = ask(&mut ws, r#"{"cmd":"set","lever":"threshold","value":0.3}"#).await;
    assert_eq!(r["type"], "ok", "{r}");
    assert_eq!(r["value"], 0.3);
    // The threshold acts on the running model; the army's size waits for Reset.
    assert_eq!(r["live"], true, "{r}");
    let r = ask(&mut ws, r#"{"cmd":"set","lever":"army_size","value":2}"#).await;
    assert_eq!(r["live"], false, "{r}");
    assert!(
        r["message"].as_str().unwrap().contains("press Reset"),
        "{r}"
    );
    let r = ask(&mut ws, r#"{"cmd":"seed","value":99}"#).await;
    assert_eq!(r["type"], "ok", "{r}");
    let init = ask_run(&mut ws, r#"{"cmd":"reset"}"#).await;
    assert_eq!(init["seed"], 99);
    let t = init["levers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == "threshold")
        .unwrap();
    assert_eq!(t["value"], 0.3, "{t}");
    assert_eq!(t["available"], true);
    // A new scenario starts from its own values.
    let init = ask_run(&mut ws, r#"{"cmd":"scenario","name":"tutorial"}"#).await;
    let t = init["levers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == "threshold")
        .unwrap();
    assert_eq!(t["value"], 0.1, "{t}");
    assert_eq!(init["seed"], 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_is_refused_and_the_session_goes_on() {
    let s = server(10).await;
    let mut ws = client(s.addr).await;
    for _ in 0..100 {
        send(&mut ws, r#"{"cmd":"pause"}"#).await;
    }
    let mut refused = 0;
    for _ in 0..100 {
        let r = next_json(&mut ws).await;
        if r["type"] == "error" {
            assert!(r["message"].as_str().unwrap().contains("too many"), "{r}");
            refused += 1;
        }
    }
    assert!(refused >= 50, "only {refused} of 100 refused");
    // Once the limit lifts (within a second), the session answers again.
    still_alive(&mut ws, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_message_closes_only_its_own_connection_with_code_1009() {
    let s = server(10).await;
    let mut big = client(s.addr).await;
    let mut other = client(s.addr).await;
    // Over the limit, but within what the sockets buffer, so that the server's close frame
    // is read rather than lost to a reset.
    let _ = big
        .send(Message::text(
            "x".repeat(asymwar_web::MAX_MESSAGE_BYTES + 1000),
        ))
        .await;
    // The big one is closed by the protocol layer, saying why; the other session goes on.
    let code = tokio::time::timeout(Duration::from_secs(10), async {
        use futures_util::StreamExt;
        loop {
            match big.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                None | Some(Err(_)) => return None,
                _ => {}
            }
        }
    })
    .await
    .expect("the over-sized message's connection is closed");
    assert_eq!(code, Some(1009), "closed as 'message too big'");
    still_alive(&mut other, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_request_is_timed_out() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let opts = asymwar_web::ServeOptions {
        port: 0,
        header_timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let s = asymwar_web::start(&opts).await.unwrap();
    for partial in ["", "GET / HTTP/1.1\r\nHost: localhost\r\n"] {
        let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
        tcp.write_all(partial.as_bytes()).await.unwrap();
        let mut buf = Vec::new();
        // The server closes it (before the fix it waited for the rest forever).
        let closed = tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut buf)).await;
        assert!(closed.is_ok(), "{partial:?} was not timed out");
    }
    // Whole requests are still answered.
    assert_eq!(http_get(s.addr, "/").await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn play_streams_frames_and_pause_stops_them() {
    let s = server(10).await;
    let mut ws = client(s.addr).await;
    let f = ask(&mut ws, r#"{"cmd":"play"}"#).await;
    assert_eq!(f["running"], true);
    let t0 = f["tick"].as_u64().unwrap();
    let mut last = t0;
    for _ in 0..10 {
        let f = next_json(&mut ws).await;
        assert_eq!(f["type"], "frame");
        last = f["tick"].as_u64().unwrap();
    }
    assert!(last > t0, "the clock advanced");
    let f = ask(&mut ws, r#"{"cmd":"pause"}"#).await;
    // Frames already in flight may arrive before the pause's reply.
    let mut f = f;
    while f["running"] == true {
        f = next_json(&mut ws).await;
    }
    let paused_at = f["tick"].as_u64().unwrap();
    let quiet = tokio::time::timeout(Duration::from_millis(500), next(&mut ws)).await;
    assert!(quiet.is_err(), "no frames while paused");
    still_alive(&mut ws, paused_at / 24 + 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_has_not_drawn_its_frame_gets_no_other_and_then_a_current_one() {
    let s = server(10).await;
    let mut ws = client(s.addr).await;
    // Fastest speed: many days pass while the page does not draw.
    send(&mut ws, r#"{"cmd":"speed","level":7}"#).await;
    send(&mut ws, r#"{"cmd":"play"}"#).await;
    // The reply to play, read without acknowledging it (as a page too busy to draw).
    let Message::Binary(b) = next(&mut ws).await else {
        panic!("a frame")
    };
    let first = asymwar_web::frame::decode(&b).unwrap();
    assert_eq!(first["running"], true);
    // Nothing more comes (before flow control, 15 frames a second piled up here).
    let quiet = tokio::time::timeout(Duration::from_millis(600), next(&mut ws)).await;
    assert!(quiet.is_err(), "a frame came before the last was drawn");
    // Once it is drawn, the next frame is current: the run went on at its pace meanwhile,
    // and the rows of every day since come with it.
    let f = read_frame(&mut ws, &b).await;
    assert_eq!(f["seq"], first["seq"]);
    let next_frame = next_json(&mut ws).await;
    let (d0, d1) = (
        first["day"].as_u64().unwrap(),
        next_frame["day"].as_u64().unwrap(),
    );
    assert!(
        d1 > d0 + 1,
        "the run went on while the page was busy: day {d0} -> {d1}"
    );
    let rows = next_frame["rows"].as_array().unwrap();
    assert_eq!(rows.len() as u64, d1 - d0, "one row for each day since");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_page_is_served() {
    let s = server(10).await;
    for p in ["/", "/app.js", "/style.css"] {
        assert_eq!(http_get(s.addr, p).await.0, 200, "{p}");
    }
    for p in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2e%2e%2fCargo.toml",
        "/app.js/../../Cargo.toml",
        "/..%5c..%5cCargo.toml",
        "//etc/passwd",
        "/page/index.html",
        "/src/lib.rs",
        "/assets/scenarios/tutorial.ron",
        "/index.html%00.js",
    ] {
        let (status, body) = http_get(s.addr, p).await;
        assert_eq!(status, 404, "{p}: {body}");
        assert!(
            !body.contains("[package]") && !body.contains("root:"),
            "{p}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_that_go_away_are_cleaned_up_and_the_count_is_bounded() {
    let s = server(3).await;
    let mut a = client(s.addr).await;
    let b = client(s.addr).await;
    let c = client(s.addr).await;
    assert_eq!(sessions(s.addr).await, 3);
    // A fourth is turned away with a message.
    let (mut d, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", s.addr))
        .await
        .unwrap();
    let r = next_json(&mut d).await;
    assert!(r["message"].as_str().unwrap().contains("full"), "{r}");
    drop(d);
    // One closes politely, one playing vanishes without a close, one just vanishes.
    a.send(Message::text(r#"{"cmd":"play"}"#)).await.unwrap();
    a.close(None).await.unwrap();
    drop(b);
    drop(c);
    let deadline = Instant::now() + Duration::from_secs(10);
    while sessions(s.addr).await > 0 {
        assert!(Instant::now() < deadline, "sessions were not cleaned up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // And the room is usable again.
    let mut e = client(s.addr).await;
    still_alive(&mut e, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_picker_offers_the_folder_and_refuses_broken_files_with_their_problem() {
    let dir = std::env::temp_dir().join(format!("asymwar-web-scenarios-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tutorial = asymwar_scenario::builtin("tutorial").unwrap().unwrap();
    let mine = asymwar_scenario::to_ron(&tutorial).replace("\"tutorial\"", "\"my_region\"");
    std::fs::write(dir.join("my_region.ron"), &mine).unwrap();
    let broken = mine.replace("days: 60", "days: 0");
    assert_ne!(broken, mine);
    std::fs::write(dir.join("broken.ron"), broken).unwrap();
    std::fs::write(dir.join("not a name.ron"), &mine).unwrap();
    std::fs::write(dir.join("notes.txt"), "not a scenario").unwrap();
    // A file that is not a scenario: its words must not reach the page.
    std::fs::write(dir.join("leak.ron"), "SECRET-CONTENT-12345 (").unwrap();
    // Links, to a secret outside the folder and to a good scenario outside it: not offered.
    let outside = dir.with_extension("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), "SECRET-CONTENT-12345").unwrap();
    std::fs::write(outside.join("good.ron"), &mine).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.txt"), dir.join("secret.ron")).unwrap();
    std::os::unix::fs::symlink(outside.join("good.ron"), dir.join("linked.ron")).unwrap();

    let opts = asymwar_web::ServeOptions {
        port: 0,
        scenarios_dir: Some(dir.clone()),
        ..Default::default()
    };
    let s = asymwar_web::start(&opts).await.unwrap();
    let mut ws = client(s.addr).await;
    let init = ask_run(&mut ws, r#"{"cmd":"scenario","name":"my_region"}"#).await;
    assert_eq!(init["scenario"], "my_region");
    let names: Vec<&str> = init["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for want in ["broken", "mali_blockade", "my_region", "tutorial"] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    assert!(
        !names.iter().any(|n| n.contains(' ') || n.contains('.')),
        "{names:?}"
    );
    assert!(
        !names.contains(&"secret") && !names.contains(&"linked"),
        "links are not offered: {names:?}"
    );
    for name in ["secret", "linked", "leak"] {
        let r = ask(&mut ws, &format!(r#"{{"cmd":"scenario","name":"{name}"}}"#)).await;
        assert_eq!(r["type"], "error", "{name}: {r}");
        let text = r["message"].as_str().unwrap();
        assert!(
            !text.contains("SECRET"),
            "{name}: the file's contents were sent: {text}"
        );
        assert!(
            !text.contains(&*dir.to_string_lossy()),
            "{name}: the server's path was sent: {text}"
        );
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "listed in order");
    let r = ask(&mut ws, r#"{"cmd":"scenario","name":"broken"}"#).await;
    assert_eq!(r["type"], "error");
    assert!(r["message"].as_str().unwrap().contains("days"), "{r}");
    // Still on my_region, and it still runs.
    still_alive(&mut ws, 1).await;
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&outside).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_answering_is_dropped() {
    let opts = asymwar_web::ServeOptions {
        port: 0,
        idle_timeout: Duration::from_millis(900),
        ..Default::default()
    };
    let s = asymwar_web::start(&opts).await.unwrap();
    // An answering client: its library answers the server's pings while it reads.
    let mut alive = client(s.addr).await;
    // The server last heard from it before now (it has sent nothing since it connected).
    let connected = Instant::now();
    // A client that connects and then never reads again, as a browser whose network went
    // away: it answers no ping, and the server gives up on it.
    let silent = client(s.addr).await;
    assert_eq!(sessions(s.addr).await, 2);
    let idle = opts.idle_timeout;
    let reader = tokio::spawn(async move {
        // Reading, and so answering pings, until a ping comes more than the idle timeout
        // (and a ping interval, for the trip) after the client last sent anything but its
        // answers: the server sends a ping only to a session it keeps, and it would have
        // dropped this one by then had the answers not counted. No data messages come
        // while paused.
        use futures_util::StreamExt;
        let kept_past = connected + idle + idle / 3;
        loop {
            let m = tokio::time::timeout(Duration::from_secs(10), alive.next())
                .await
                .expect("the server pings within 10 s")
                .expect("the answering session is kept")
                .expect("a valid message");
            if matches!(m, Message::Ping(_)) && Instant::now() > kept_past {
                return alive;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while sessions(s.addr).await > 1 {
        assert!(
            Instant::now() < deadline,
            "the silent session was not dropped"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut alive = reader.await.unwrap();
    assert_eq!(sessions(s.addr).await, 1, "the answering one stays");
    still_alive(&mut alive, 1).await;
    drop(silent);
}

/// A class run (issue 15, part 6): a student who joins late gets the run so far, then the
/// same frames as the teacher; it cannot change the run; a student that does not draw
/// holds back neither the teacher nor the model; a reset reaches every viewer; when the
/// teacher leaves, students are told and get a run of their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_run_is_shared_and_only_the_teacher_changes_it() {
    let s = server(10).await;
    let mut teacher = client(s.addr).await;
    // Three days before the class starts: a student who joins gets them.
    let mut teacher_frames = Vec::new();
    for day in 1..=3 {
        let f = ask(&mut teacher, r#"{"cmd":"step"}"#).await;
        assert_eq!(f["day"], day, "{f}");
        teacher_frames.push(f);
    }
    let hello = start_class(&mut teacher).await;
    let code = hello["code"].as_str().unwrap().to_string();
    assert!(
        hello["links"][0]
            .as_str()
            .unwrap()
            .ends_with(&format!("/?class={code}")),
        "{hello}"
    );
    assert_eq!(health(s.addr).await["classes"], 1);

    let (mut student, init, first) = join(s.addr, &code, true).await;
    assert_eq!(init["scenario"], "tutorial");
    assert_eq!(first["day"], 3, "the class's day, not a run of its own");
    assert_eq!(
        row_days([&first]),
        row_days(&teacher_frames),
        "the run's rows so far: the student's charts are complete"
    );

    // The student cannot change the run: each command is refused, saying why; a refused
    // lever is named so that the page puts its slider back.
    for cmd in [
        r#"{"cmd":"play"}"#,
        r#"{"cmd":"step"}"#,
        r#"{"cmd":"reset"}"#,
        r#"{"cmd":"speed","level":7}"#,
        r#"{"cmd":"seed","value":5}"#,
        r#"{"cmd":"scenario","name":"epstein_run1"}"#,
        r#"{"cmd":"set","lever":"discipline","value":0.2}"#,
    ] {
        let r = ask(&mut student, cmd).await;
        assert_eq!(r["type"], "error", "{cmd} -> {r}");
        assert!(
            r["message"].as_str().unwrap().contains("only the teacher"),
            "{cmd} -> {r}"
        );
    }
    let r = ask(
        &mut student,
        r#"{"cmd":"set","lever":"discipline","value":0.2}"#,
    )
    .await;
    assert_eq!(r["lever"], "discipline", "{r}");

    // The teacher steps: the student gets the same day, rows and markers. (The teacher's
    // frames say how many students watch: one frame came when the student joined.)
    send(&mut teacher, r#"{"cmd":"step"}"#).await;
    let t = until_day(&mut teacher, 4).await;
    assert_eq!(t["day"], 4, "{t}");
    assert_eq!(t["students"], 1, "{t}");
    let f = until_day(&mut student, 4).await;
    for key in ["day", "tick", "rows", "m", "running"] {
        assert_eq!(f[key], t[key], "{key}: the student sees the teacher's run");
    }
    // A lever the teacher moves reaches the students' sliders.
    let r = ask(
        &mut teacher,
        r#"{"cmd":"set","lever":"discipline","value":0.3}"#,
    )
    .await;
    assert_eq!(r["type"], "ok", "{r}");
    let f = loop {
        let f = next_json(&mut student).await;
        if f["type"] == "frame" && !f["levers"].is_null() {
            break f;
        }
    };
    assert_eq!(f["levers"]["discipline"], 0.3, "{f}");

    // A second student that never draws its first frame: it gets no other, and neither the
    // teacher nor the first student nor the model waits for it.
    let (mut lazy, _, lazy_first) = join(s.addr, &code, false).await;
    let d0 = lazy_first["day"].as_u64().unwrap();
    send(&mut teacher, r#"{"cmd":"speed","level":5}"#).await;
    send(&mut teacher, r#"{"cmd":"play"}"#).await;
    let t = until_day(&mut teacher, d0 + 8).await;
    assert_eq!(t["running"], true, "{t}");
    until_day(&mut student, d0 + 8).await;
    let quiet = tokio::time::timeout(Duration::from_millis(300), next(&mut lazy)).await;
    assert!(quiet.is_err(), "a frame came before the last was drawn");
    // Once it draws, its next frame is current, with a row for every day since.
    let ack = format!(r#"{{"cmd":"ack","seq":{}}}"#, lazy_first["seq"]);
    send(&mut lazy, &ack).await;
    let f = next_json(&mut lazy).await;
    let d1 = f["day"].as_u64().unwrap();
    assert!(d1 >= d0 + 8, "the run went on: day {d0} -> {d1}");
    let days = row_days([&f]);
    assert_eq!(
        days,
        (d0..d1).collect::<Vec<_>>(),
        "one row for each day since (a frame of day d has the row of day d - 1)"
    );

    // The teacher pauses and resets: every viewer gets the new run.
    send(&mut teacher, r#"{"cmd":"pause"}"#).await;
    send(&mut teacher, r#"{"cmd":"reset"}"#).await;
    for ws in [&mut teacher, &mut student] {
        let init = until_init(ws).await;
        assert_eq!(init["scenario"], "tutorial");
        let f = loop {
            let m = next_json(ws).await;
            if m["type"] == "frame" {
                break m;
            }
        };
        assert_eq!(f["tick"], 0, "{f}");
    }

    // The teacher leaves: the students are told, and get a run of their own (the class's
    // scenario and levers, from its start) that they control.
    drop(teacher);
    let ended = loop {
        let m = next_json(&mut student).await;
        if m["type"] == "class_ended" {
            break m;
        }
    };
    assert!(
        ended["message"].as_str().unwrap().contains("teacher left"),
        "{ended}"
    );
    let init = until_init(&mut student).await;
    let discipline = init["levers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == "discipline")
        .unwrap()["value"]
        .clone();
    assert_eq!(discipline, 0.3, "the class's levers come along");
    let f = until_day(&mut student, 0).await;
    assert_eq!(f["tick"], 0);
    let f = ask(&mut student, r#"{"cmd":"step"}"#).await;
    assert_eq!(f["day"], 1, "the student's own run answers: {f}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while health(s.addr).await["classes"] != 0 {
        assert!(Instant::now() < deadline, "the class was not closed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(lazy);
}

/// A teacher ending the class keeps the run; students are told; unknown codes get a run of
/// one's own with a message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teacher_ends_the_class_and_keeps_the_run() {
    let s = server(10).await;
    let mut teacher = client(s.addr).await;
    ask(&mut teacher, r#"{"cmd":"step"}"#).await;
    let code = start_class(&mut teacher).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let r = ask(&mut teacher, r#"{"cmd":"class"}"#).await;
    assert!(r["message"].as_str().unwrap().contains("already"), "{r}");
    let (mut student, _, _) = join(s.addr, &code.to_uppercase(), true).await;
    send(&mut teacher, r#"{"cmd":"step"}"#).await;
    let f = until_day(&mut teacher, 2).await;
    assert_eq!(f["day"], 2, "{f}");
    let r = ask(&mut teacher, r#"{"cmd":"leave"}"#).await;
    assert_eq!(r["type"], "class_ended", "{r}");
    // The teacher's run goes on where it was.
    let f = ask(&mut teacher, r#"{"cmd":"step"}"#).await;
    assert_eq!(f["day"], 3, "{f}");
    let m = loop {
        let m = next_json(&mut student).await;
        if m["type"] == "class_ended" {
            break m;
        }
    };
    assert!(m["message"].as_str().unwrap().contains("ended"), "{m}");
    // A code that names no class: a run of one's own, and a message saying so.
    let mut ws = connect(s.addr, "/ws?class=zzzzz").await;
    let e = next_json(&mut ws).await;
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("no class run 'zzzzz'"),
        "{e}"
    );
    assert_eq!(next_json(&mut ws).await["type"], "init");
}
