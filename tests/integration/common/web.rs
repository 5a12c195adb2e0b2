//! A server on a free loopback port and a WebSocket client that reads the protocol.

use asymwar_web::{ServeOptions, Server, start};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub async fn server(max_sessions: usize) -> Server {
    server_on(max_sessions, "tutorial").await
}

/// A server whose sessions start on `scenario`.
pub async fn server_on(max_sessions: usize, scenario: &str) -> Server {
    let opts = ServeOptions {
        port: 0,
        max_sessions,
        scenario: scenario.to_string(),
        ..ServeOptions::default()
    };
    start(&opts).await.expect("the server starts")
}

/// A client past the opening messages (init, terrain, first frame).
pub async fn client(addr: SocketAddr) -> Ws {
    let (mut ws, _) = connect_async(format!("ws://{addr}/ws"))
        .await
        .expect("connects");
    let init = next_json(&mut ws).await;
    assert_eq!(init["type"], "init", "{init}");
    if init["terrain"] == true {
        let terrain = next(&mut ws).await;
        assert!(
            matches!(&terrain, Message::Binary(b) if b.starts_with(b"\x89PNG")),
            "terrain PNG expected"
        );
    }
    let frame = next_json(&mut ws).await;
    assert_eq!(frame["type"], "frame", "{frame}");
    ws
}

/// A binary frame as JSON (see `asymwar_web::frame`), and the acknowledgement the page
/// sends once it has drawn it, without which the server makes no further frame.
pub async fn read_frame(ws: &mut Ws, bytes: &[u8]) -> Value {
    let f = asymwar_web::frame::decode(bytes).expect("a valid frame");
    send(ws, &format!(r#"{{"cmd":"ack","seq":{}}}"#, f["seq"])).await;
    f
}

/// The next data message (pings are answered by the client library), within 20 s.
pub async fn next(ws: &mut Ws) -> Message {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("a message within 20 s")
            .expect("the connection is open")
            .expect("a valid message");
        if !matches!(m, Message::Ping(_) | Message::Pong(_)) {
            return m;
        }
    }
}

/// The next message as JSON: text as it is, a frame decoded (and acknowledged).
pub async fn next_json(ws: &mut Ws) -> Value {
    match next(ws).await {
        Message::Text(t) => serde_json::from_str(t.as_str()).expect("the server sends JSON"),
        Message::Binary(b) if b.first() == Some(&asymwar_web::frame::TAG) => {
            read_frame(ws, &b).await
        }
        other => panic!("expected text or a frame, got {other:?}"),
    }
}

pub async fn send(ws: &mut Ws, text: &str) {
    ws.send(Message::text(text.to_string()))
        .await
        .expect("sends");
}

/// Sends a command and returns the first reply.
pub async fn ask(ws: &mut Ws, text: &str) -> Value {
    send(ws, text).await;
    next_json(ws).await
}

/// A raw HTTP GET, so that the path is sent exactly as written (no client normalises it).
pub async fn http_get(addr: SocketAddr, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut buf))
        .await
        .expect("the server answers")
        .unwrap();
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

pub async fn sessions(addr: SocketAddr) -> u64 {
    let (_, text) = http_get(addr, "/health").await;
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    let v: Value = serde_json::from_str(body).expect("health is JSON");
    v["sessions"].as_u64().unwrap()
}

/// Sends a command that replaces the run (reset, scenario) and returns its init, past the
/// terrain picture and first frame that follow it.
pub async fn ask_run(ws: &mut Ws, text: &str) -> Value {
    let init = ask(ws, text).await;
    assert_eq!(init["type"], "init", "{init}");
    if init["terrain"] == true {
        assert!(matches!(next(ws).await, Message::Binary(_)));
    }
    assert_eq!(next_json(ws).await["type"], "frame");
    init
}

/// Connects to `path` (as `/ws?class=CODE`), reading nothing.
pub async fn connect(addr: SocketAddr, path: &str) -> Ws {
    let (ws, _) = connect_async(format!("ws://{addr}{path}"))
        .await
        .expect("connects");
    ws
}

/// Starts a class run on a client's run: the `class` message, with the class's code.
pub async fn start_class(teacher: &mut Ws) -> Value {
    let hello = ask(teacher, r#"{"cmd":"class"}"#).await;
    assert_eq!(hello["type"], "class", "{hello}");
    assert_eq!(hello["role"], "teacher", "{hello}");
    hello
}

/// A student joining class `code`: past its `class` message and the run as it is now
/// (init, terrain, a first frame with every row so far); returns the init and that frame,
/// acknowledged unless `ack` is false (a page too busy to draw).
pub async fn join(addr: SocketAddr, code: &str, ack: bool) -> (Ws, Value, Value) {
    let mut ws = connect(addr, &format!("/ws?class={code}")).await;
    let hello = next_json(&mut ws).await;
    assert_eq!(hello["type"], "class", "{hello}");
    assert_eq!(hello["role"], "student", "{hello}");
    assert_eq!(hello["code"], code.to_lowercase(), "{hello}");
    let init = next_json(&mut ws).await;
    assert_eq!(init["type"], "init", "{init}");
    if init["terrain"] == true {
        assert!(matches!(next(&mut ws).await, Message::Binary(b) if b.starts_with(b"\x89PNG")));
    }
    let frame = match next(&mut ws).await {
        Message::Binary(b) if ack => read_frame(&mut ws, &b).await,
        Message::Binary(b) => asymwar_web::frame::decode(&b).expect("a frame"),
        other => panic!("a frame expected, got {other:?}"),
    };
    assert_eq!(frame["type"], "frame", "{frame}");
    (ws, init, frame)
}

/// Reads (and acknowledges) messages until a frame at `day` or later; other messages are
/// skipped. That frame.
pub async fn until_day(ws: &mut Ws, day: u64) -> Value {
    loop {
        let f = next_json(ws).await;
        if f["type"] == "frame" && f["day"].as_u64().unwrap() >= day {
            return f;
        }
    }
}

/// The `day` of every row in the frames `fs`.
pub fn row_days<'a>(fs: impl IntoIterator<Item = &'a Value>) -> Vec<u64> {
    fs.into_iter()
        .flat_map(|f| f["rows"].as_array().cloned().unwrap_or_default())
        .map(|r| r[0].as_u64().unwrap())
        .collect()
}

/// The server's `/health` as JSON.
pub async fn health(addr: SocketAddr) -> Value {
    let (_, text) = http_get(addr, "/health").await;
    serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap_or("")).expect("health is JSON")
}

/// Reads messages until an init (a new run), and past its terrain picture. That init.
pub async fn until_init(ws: &mut Ws) -> Value {
    loop {
        let m = next_json(ws).await;
        if m["type"] == "init" {
            if m["terrain"] == true {
                assert!(matches!(next(ws).await, Message::Binary(b) if b.starts_with(b"\x89PNG")));
            }
            return m;
        }
    }
}
