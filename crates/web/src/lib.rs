//! The asymwar classroom: one page, and one simulation per browser session run here on the
//! server and streamed to the page over a WebSocket.
//!
//! The page, its script and its style are compiled into the binary and are the only files
//! served, so the server works from any directory and cannot be asked for any other file.
//!
//! Protocol: the page sends JSON commands `{"cmd": "play" | "pause" | "step" | "reset" |
//! "speed" | "scenario" | "set" | "seed" | "ack", ...}` (see [`session::Command`]); the
//! server answers with JSON `init`, `ok` and `error` messages, binary frames (see
//! [`frame`]) and, after each `init`, the terrain as one binary PNG. A bad message gets an
//! `error` reply and the session goes on.
//!
//! Flow control: while a run plays, the server makes the next frame only once the page has
//! acknowledged (`ack`) the last one it was sent, so a slow laptop gets fewer, current
//! frames instead of a queue that grows until the connection dies; the simulation keeps its
//! pace meanwhile, and rows and events not yet sent come with the next frame.

pub mod class;
pub mod frame;
pub mod levers;
pub mod session;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use class::Class;
use session::{Catalogue, Command, FPS, Session};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::time::MissedTickBehavior;

const INDEX_HTML: &str = include_str!("../page/index.html");
const APP_JS: &str = include_str!("../page/app.js");
const STYLE_CSS: &str = include_str!("../page/style.css");

/// Largest command the server reads: commands are a few dozen bytes. A longer text message
/// gets an error reply.
pub const MAX_COMMAND_BYTES: usize = 4 * 1024;
/// Largest WebSocket message at all; past this the connection is closed by the protocol
/// layer (code 1009), before the message is held in memory.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Commands a session may send per second (more are refused with an error reply).
pub const MAX_COMMANDS_PER_SECOND: u32 = 40;
/// A session that has not been heard from (not even a pong) for this long is dropped, so a
/// browser that vanished without closing does not hold a simulation forever. The server
/// pings three times within it; browsers answer pings by themselves.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// How long a connection closed for an over-long message stays open (see its use).
const CLOSE_LINGER: Duration = Duration::from_millis(250);
/// A connection whose request headers have not all arrived this long after it opened (or
/// after its last response) is closed, so that half-sent requests cannot hold connections.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How to serve.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub bind: IpAddr,
    pub port: u16,
    /// The scenario a new session starts with.
    pub scenario: String,
    /// A folder of `*.ron` scenarios offered besides the built-in ones.
    pub scenarios_dir: Option<PathBuf>,
    /// Sessions at once; more are refused.
    pub max_sessions: usize,
    /// See [`IDLE_TIMEOUT`].
    pub idle_timeout: Duration,
    /// See [`HEADER_TIMEOUT`].
    pub header_timeout: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            scenario: "tutorial".into(),
            scenarios_dir: None,
            max_sessions: 100,
            idle_timeout: IDLE_TIMEOUT,
            header_timeout: HEADER_TIMEOUT,
        }
    }
}

struct AppState {
    scenario: String,
    catalogue: Arc<Catalogue>,
    max_sessions: usize,
    idle_timeout: Duration,
    sessions: AtomicUsize,
    /// Sessions playing now, class runs counted once: they share the processors for
    /// stepping.
    playing: AtomicUsize,
    cores: usize,
    /// The class runs open now (see [`class`]).
    classes: class::Registry,
    /// The addresses students type (`http://HOST:PORT`), for a class's link.
    addresses: Vec<String>,
}

/// Counts a run while it plays, so that a dropped connection or an ended class is counted
/// out.
struct Playing {
    state: Arc<AppState>,
    on: bool,
}

impl Playing {
    fn set(&mut self, now: bool) {
        if now != self.on {
            if now {
                self.state.playing.fetch_add(1, Ordering::SeqCst);
            } else {
                self.state.playing.fetch_sub(1, Ordering::SeqCst);
            }
            self.on = now;
        }
    }
}

impl Drop for Playing {
    fn drop(&mut self) {
        self.set(false);
    }
}

/// Counts a session while it lives, and while its own run plays.
struct Live {
    state: Arc<AppState>,
    playing: Playing,
}

impl Live {
    fn set_playing(&mut self, now: bool) {
        self.playing.set(now);
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.state.sessions.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The router: the page, its two files, the WebSocket and a health check. Nothing else
/// is served: any other path, `..` or not, is a 404.
fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { page(INDEX_HTML, "text/html; charset=utf-8") }),
        )
        .route(
            "/app.js",
            get(|| async { page(APP_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/style.css",
            get(|| async { page(STYLE_CSS, "text/css; charset=utf-8") }),
        )
        .route("/health", get(health))
        .route("/ws", get(ws_handler))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found") })
        .with_state(state)
}

fn page(body: &'static str, mime: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

async fn health(State(state): State<Arc<AppState>>) -> Response {
    let n = state.sessions.load(Ordering::SeqCst);
    (
        [(header::CONTENT_TYPE, "application/json")],
        format!(
            "{{\"sessions\":{n},\"playing\":{},\"classes\":{}}}",
            state.playing.load(Ordering::SeqCst),
            state.classes.len()
        ),
    )
        .into_response()
}

/// `/ws` opens a run of one's own; `/ws?class=CODE` joins that class run.
async fn ws_handler(
    ws: WebSocketUpgrade,
    uri: Uri,
    State(state): State<Arc<AppState>>,
) -> Response {
    let class = uri.query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("class="))
            .map(str::to_string)
    });
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| run_session(socket, state, class))
}

/// Whether the WebSocket layer refused a message for its size.
fn too_long(e: axum::Error) -> bool {
    use tokio_tungstenite::tungstenite::error::{CapacityError, Error};
    e.into_inner()
        .downcast::<Error>()
        .is_ok_and(|e| matches!(*e, Error::Capacity(CapacityError::MessageTooLong { .. })))
}

fn error(message: impl Into<String>) -> Message {
    let v = serde_json::json!({"type": "error", "message": message.into()});
    Message::text(v.to_string())
}

/// Everything a page needs after the run was replaced: init, terrain, first frame.
fn run_messages(s: &mut Session) -> Vec<Message> {
    let mut out = vec![Message::text(s.init().to_string())];
    if let Some(png) = s.terrain_png() {
        out.push(Message::binary(png));
    }
    out.push(Message::binary(s.frame()));
    out
}

/// Runs `f` on the session in a blocking task (building and stepping take CPU time that
/// must not hold up the network threads) and hands the session back.
async fn blocking<T: Send + 'static>(
    s: Box<Session>,
    f: impl FnOnce(&mut Session) -> T + Send + 'static,
) -> Option<(Box<Session>, T)> {
    tokio::task::spawn_blocking(move || {
        let mut s = s;
        let out = f(&mut s);
        (s, out)
    })
    .await
    .ok()
}

/// One browser's connection, whatever it does: runs of its own, a class it teaches or
/// watches. What every mode needs is here: the limits on what it sends, and its liveness.
struct Conn {
    socket: WebSocket,
    state: Arc<AppState>,
    live: Live,
    /// The rate limit's window and the commands in it.
    window: Instant,
    commands: u32,
    last_heard: Instant,
}

/// A message from the page, screened.
enum Incoming {
    /// The connection is gone (or was closed for an over-long message).
    Closed,
    /// Nothing to do (a pong, or a bad message already answered).
    Nothing,
    /// The page has drawn this frame.
    Ack(u64),
    /// A command within the limits, not yet parsed but as an acknowledgement.
    Command(String),
}

impl Conn {
    async fn send(&mut self, m: Message) -> bool {
        self.socket.send(m).await.is_ok()
    }

    async fn send_all(&mut self, msgs: Vec<Message>) -> bool {
        for m in msgs {
            if !self.send(m).await {
                return false;
            }
        }
        true
    }

    /// Screens what `socket.recv()` gave: closes, limits, rate, acknowledgements.
    async fn screen(&mut self, msg: Option<Result<Message, axum::Error>>) -> Incoming {
        self.last_heard = Instant::now();
        let text = match msg {
            Some(Err(e)) => {
                if too_long(e) {
                    let _ = self
                        .send(Message::Close(Some(CloseFrame {
                            code: close_code::SIZE,
                            reason: format!("messages are {MAX_MESSAGE_BYTES} bytes at most")
                                .into(),
                        })))
                        .await;
                    // The rest of the message is still unread: closing now resets the
                    // connection, and a client still writing it loses the close frame
                    // with its code. A moment lets it finish and read it.
                    tokio::time::sleep(CLOSE_LINGER).await;
                }
                return Incoming::Closed;
            }
            None | Some(Ok(Message::Close(_))) => return Incoming::Closed,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => return Incoming::Nothing,
            Some(Ok(Message::Binary(_))) => {
                let e = error("binary messages are not understood: send JSON commands");
                return if self.send(e).await {
                    Incoming::Nothing
                } else {
                    Incoming::Closed
                };
            }
            Some(Ok(Message::Text(t))) => t,
        };
        // Acknowledgements come with every frame: they are not commands against the rate
        // limit, and need no reply.
        if text.len() <= MAX_COMMAND_BYTES
            && let Ok(Command::Ack { seq }) = serde_json::from_str::<Command>(&text)
        {
            return Incoming::Ack(seq);
        }
        if self.window.elapsed() >= Duration::from_secs(1) {
            (self.window, self.commands) = (Instant::now(), 0);
        }
        self.commands += 1;
        let quick = if self.commands > MAX_COMMANDS_PER_SECOND {
            Some("too many commands: slow down".to_string())
        } else if text.len() > MAX_COMMAND_BYTES {
            Some(format!(
                "message too long ({} bytes): commands are under {MAX_COMMAND_BYTES} bytes",
                text.len()
            ))
        } else {
            None
        };
        match quick {
            Some(e) => {
                if self.send(error(e)).await {
                    Incoming::Nothing
                } else {
                    Incoming::Closed
                }
            }
            None => Incoming::Command(text.to_string()),
        }
    }

    /// The ping tick: false once the page has not been heard from for too long.
    async fn ping(&mut self) -> bool {
        self.last_heard.elapsed() <= self.state.idle_timeout
            && self.send(Message::Ping(Default::default())).await
    }

    /// Builds a run of the connection's own (in a blocking task) and sends it to the page.
    async fn own_run(
        &mut self,
        make: impl FnOnce() -> Result<Session, String> + Send + 'static,
    ) -> Option<Box<Session>> {
        let started = tokio::task::spawn_blocking(move || {
            let mut s = Box::new(make()?);
            let msgs = run_messages(&mut s);
            Ok::<_, String>((s, msgs))
        })
        .await;
        match started {
            Ok(Ok((s, msgs))) => self.send_all(msgs).await.then_some(s),
            Ok(Err(e)) => {
                let _ = self.send(error(e)).await;
                None
            }
            Err(_) => {
                let _ = self.send(error("the session failed to start")).await;
                None
            }
        }
    }
}

fn intervals(idle_timeout: Duration) -> (tokio::time::Interval, tokio::time::Interval) {
    let mut ticker = tokio::time::interval(Duration::from_secs(1) / FPS);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut ping = tokio::time::interval(idle_timeout / 3);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    (ticker, ping)
}

/// What a connection is doing.
enum Mode {
    Own(Box<Session>),
    Teach(Arc<Class>, class::Cursor),
    Watch(Arc<Class>),
}

async fn run_session(mut socket: WebSocket, state: Arc<AppState>, class_code: Option<String>) {
    let n = state.sessions.fetch_add(1, Ordering::SeqCst) + 1;
    let live = Live {
        state: state.clone(),
        playing: Playing {
            state: state.clone(),
            on: false,
        },
    };
    if n > state.max_sessions {
        let _ = socket
            .send(error(format!(
                "the classroom is full ({} sessions): try again later",
                state.max_sessions
            )))
            .await;
        return;
    }
    let mut conn = Conn {
        socket,
        state: state.clone(),
        live,
        window: Instant::now(),
        commands: 0,
        last_heard: Instant::now(),
    };
    let joined = class_code
        .as_deref()
        .and_then(class::normalise_code)
        .and_then(|c| state.classes.find(&c))
        .filter(|c| c.ended().is_none());
    let mut mode = match (joined, class_code) {
        (Some(class), _) => Mode::Watch(class),
        (None, typed) => {
            if let Some(typed) = typed {
                let shown: String = typed
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .take(16)
                    .collect();
                let e = format!(
                    "no class run '{shown}' is open (it may have ended): this is a run of your own"
                );
                if !conn.send(error(e)).await {
                    return;
                }
            }
            let (catalogue, name) = (state.catalogue.clone(), state.scenario.clone());
            match conn.own_run(move || Session::new(catalogue, &name)).await {
                Some(s) => Mode::Own(s),
                None => return,
            }
        }
    };
    loop {
        mode = match mode {
            Mode::Own(s) => match own(&mut conn, s).await {
                None => return,
                Some(s) => {
                    let st = state.clone();
                    let Ok((class, cur)) =
                        tokio::task::spawn_blocking(move || st.classes.open(s)).await
                    else {
                        let _ = conn
                            .send(error("the class run failed to start: reload the page"))
                            .await;
                        return;
                    };
                    drive(class.clone(), state.clone());
                    Mode::Teach(class, cur)
                }
            },
            Mode::Teach(class, mut cur) => {
                // However the connection ends, the class ends with it: its viewers are told.
                let guard = Teacher(class.clone(), state.clone());
                let exit = view(&mut conn, &class, true, &mut cur).await;
                if matches!(exit, ViewExit::Closed) {
                    return;
                }
                class.end("the teacher ended the class run");
                let c = class.clone();
                let kept = tokio::task::spawn_blocking(move || c.take_run())
                    .await
                    .ok()
                    .flatten();
                drop(guard);
                match (exit, kept) {
                    // Ended by the teacher: the run goes on as the teacher's own.
                    (ViewExit::Leave, Some(mut s)) => {
                        Class::hand_back(&mut s, &cur);
                        let m = serde_json::json!({"type": "class_ended", "message": "The class run is over: this run is yours alone again."});
                        if !conn.send(Message::text(m.to_string())).await {
                            return;
                        }
                        Mode::Own(s)
                    }
                    // Ended otherwise (it failed): a fresh run of its recipe.
                    (_, _) => {
                        let recipe = class.recipe();
                        match conn.own_run(move || recipe.build()).await {
                            Some(s) => Mode::Own(s),
                            None => return,
                        }
                    }
                }
            }
            Mode::Watch(class) => {
                let mut cur = class.join();
                let exit = view(&mut conn, &class, false, &mut cur).await;
                class.part();
                if matches!(exit, ViewExit::Closed) {
                    return;
                }
                // Left or ended: a run of one's own, the class's from its start.
                let recipe = class.recipe();
                match conn.own_run(move || recipe.build()).await {
                    Some(s) => Mode::Own(s),
                    None => return,
                }
            }
        };
    }
}

/// Ends its class when dropped: the teacher's connection is gone (or ended the class).
struct Teacher(Arc<Class>, Arc<AppState>);

impl Drop for Teacher {
    fn drop(&mut self) {
        self.0.end("the teacher left: the class run is over");
        self.1.classes.close(&self.0.code);
    }
}

/// Steps a class's run at its speed, whatever its viewers do, until the class ends.
fn drive(class: Arc<Class>, state: Arc<AppState>) {
    tokio::spawn(async move {
        let mut playing = Playing {
            state: state.clone(),
            on: false,
        };
        let (mut ticker, _) = intervals(state.idle_timeout);
        loop {
            ticker.tick().await;
            if class.ended().is_some() {
                break;
            }
            let budget = session::step_budget(state.playing.load(Ordering::SeqCst), state.cores);
            let c = class.clone();
            match tokio::task::spawn_blocking(move || c.step(budget)).await {
                Ok(now) => playing.set(now),
                Err(_) => {
                    class.end("the class run failed: you have a run of your own now");
                    break;
                }
            }
        }
    });
}

/// A connection's own run, until it closes (`None`) or starts a class on it.
async fn own(conn: &mut Conn, mut s: Box<Session>) -> Option<Box<Session>> {
    let (mut ticker, mut ping) = intervals(conn.state.idle_timeout);
    // Flow control: the number of the last frame sent and of the last the page has drawn,
    // and what the last frame sent showed (a frame that would show the same is not made).
    let mut sent = s.seq();
    let mut acked = sent;
    let mut shown = s.view_key();
    loop {
        tokio::select! {
            msg = conn.socket.recv() => {
                let text = match conn.screen(msg).await {
                    Incoming::Closed => return None,
                    Incoming::Nothing => continue,
                    // A number past the last frame sent counts as that frame.
                    Incoming::Ack(seq) => {
                        acked = acked.max(seq.min(sent));
                        continue;
                    }
                    Incoming::Command(text) => text,
                };
                match serde_json::from_str::<Command>(&text) {
                    Ok(Command::Class {}) => {
                        // The class's driver steps the run from now on.
                        conn.live.set_playing(false);
                        return Some(s);
                    }
                    Ok(Command::Leave {}) => {
                        if !conn.send(error("this run is not a class run: there is no class to leave")).await {
                            return None;
                        }
                        continue;
                    }
                    _ => {}
                }
                let Some((back, msgs)) = blocking(s, move |s| handle(s, &text)).await else {
                    let _ = conn.send(error("the simulation failed: reload the page to start again")).await;
                    return None;
                };
                s = back;
                conn.live.set_playing(s.running);
                // Replies go out whatever the flow: a paused page must see Pause at once.
                if s.seq() != sent {
                    (sent, shown) = (s.seq(), s.view_key());
                }
                if !conn.send_all(msgs).await {
                    return None;
                }
            }
            _ = ticker.tick() => {
                let drawn = acked >= sent;
                if s.running || (drawn && s.view_key() != shown) {
                    let budget = session::step_budget(conn.state.playing.load(Ordering::SeqCst), conn.state.cores);
                    let Some((back, frame)) = blocking(s, move |s| {
                        if s.running {
                            s.advance(budget);
                        }
                        // While the page has not drawn the last frame, none is made: the
                        // next one it gets is current, with every row and event since.
                        (drawn && s.view_key() != shown).then(|| s.frame())
                    }).await else {
                        let _ = conn.send(error("the simulation failed: reload the page to start again")).await;
                        return None;
                    };
                    s = back;
                    conn.live.set_playing(s.running);
                    if let Some(frame) = frame {
                        (sent, shown) = (s.seq(), s.view_key());
                        if !conn.send(Message::binary(frame)).await {
                            return None;
                        }
                    }
                }
            }
            _ = ping.tick() => {
                if !conn.ping().await {
                    return None;
                }
            }
        }
    }
}

/// How a class view ended.
enum ViewExit {
    Closed,
    /// The page asked to leave (a student) or end the class (its teacher).
    Leave,
    /// The class ended (the teacher left, or it failed); the page has been told.
    Ended,
}

/// A class seen from one page, the teacher's (`teacher`) or a student's: the class's
/// frames, with flow control of its own, and the teacher's commands to the run.
async fn view(
    conn: &mut Conn,
    class: &Arc<Class>,
    teacher: bool,
    cur: &mut class::Cursor,
) -> ViewExit {
    let (mut ticker, mut ping) = intervals(conn.state.idle_timeout);
    if !conn.send(class.hello(teacher, &conn.state.addresses)).await {
        return ViewExit::Closed;
    }
    let (mut sent, mut acked) = (cur.seq, cur.seq);
    let mut bell = class.bell();
    loop {
        tokio::select! {
            msg = conn.socket.recv() => {
                let text = match conn.screen(msg).await {
                    Incoming::Closed => return ViewExit::Closed,
                    Incoming::Nothing => continue,
                    Incoming::Ack(seq) => {
                        acked = acked.max(seq.min(sent));
                        // Drawn: the newest picture, if there is a newer one, goes at once.
                        if acked >= sent {
                            let msgs = class.news(cur, true);
                            sent = cur.seq;
                            if !conn.send_all(msgs).await {
                                return ViewExit::Closed;
                            }
                        }
                        continue;
                    }
                    Incoming::Command(text) => text,
                };
                let cmd = serde_json::from_str::<Command>(&text);
                let refusal = match &cmd {
                    Ok(Command::Leave {}) => return ViewExit::Leave,
                    Ok(Command::Class {}) => Some(error(format!("this page is in the class run {} already", class.code))),
                    // Students watch: the run is the teacher's. A refused lever is named,
                    // so that the page puts its slider back.
                    Ok(cmd) if !teacher => {
                        let lever = match cmd {
                            Command::Set { lever, .. } => lever.chars().take(40).collect(),
                            _ => String::new(),
                        };
                        let m = format!("this is the class run {}: only the teacher changes it. Leave the class to run your own.", class.code);
                        let mut v = serde_json::json!({"type": "error", "class": true, "message": m});
                        if !lever.is_empty() {
                            v["lever"] = lever.into();
                        }
                        Some(Message::text(v.to_string()))
                    }
                    _ => None,
                };
                let msgs = match refusal {
                    Some(m) => vec![m],
                    None if !teacher => vec![error(format!("not a command: {}", text.chars().take(80).collect::<String>()))],
                    None => {
                        let c = class.clone();
                        let Ok(mut replies) = tokio::task::spawn_blocking(move || c.command(&text)).await else {
                            let _ = conn.send(error("the simulation failed: reload the page to start again")).await;
                            return ViewExit::Closed;
                        };
                        // Replies, and the run as it is now, go out whatever the flow: a
                        // paused page must see Pause at once.
                        replies.extend(class.news(cur, true));
                        replies
                    }
                };
                sent = cur.seq;
                if !conn.send_all(msgs).await {
                    return ViewExit::Closed;
                }
            }
            // A new picture (or run, or the end): sent at once if the page has drawn the
            // last. The ticker is the fallback (the bell's sender lives with the class).
            _ = async {
                tokio::select! {
                    _ = ticker.tick() => {}
                    Ok(()) = bell.changed() => {}
                }
            } => {
                if let Some(why) = class.ended() {
                    let m = serde_json::json!({"type": "class_ended", "message": format!("{why}: you have a run of your own now, the class's from its start.")});
                    return if conn.send(Message::text(m.to_string())).await { ViewExit::Ended } else { ViewExit::Closed };
                }
                let msgs = class.news(cur, acked >= sent);
                sent = cur.seq;
                if !conn.send_all(msgs).await {
                    return ViewExit::Closed;
                }
            }
            _ = ping.tick() => {
                if !conn.ping().await {
                    return ViewExit::Closed;
                }
            }
        }
    }
}

/// What a command did to the run, besides its replies.
pub(crate) enum Change {
    /// Nothing a frame shows (a lever, the seed, the speed, or an error).
    Nothing,
    /// The view (the clock, the play state).
    View,
    /// The run was replaced (reset, scenario): the page needs a new init.
    Run,
}

/// A session's own command: its replies, and the run as it is now.
fn handle(s: &mut Session, text: &str) -> Vec<Message> {
    let (mut out, change) = apply(s, text);
    match change {
        Change::Run => out.extend(run_messages(s)),
        Change::View => out.push(Message::binary(s.frame())),
        Change::Nothing => {}
    }
    out
}

/// Applies one command: the replies (an error, or what changed) and what changed. Replies
/// to `set` name the lever (and the accepted value), so the page can mark it pending or
/// put it back.
pub(crate) fn apply(s: &mut Session, text: &str) -> (Vec<Message>, Change) {
    let cmd: Command = match serde_json::from_str(text) {
        Ok(c) => c,
        Err(e) => {
            let shown: String = text.chars().take(80).collect();
            return (
                vec![error(format!("not a command ({e}): {shown}"))],
                Change::Nothing,
            );
        }
    };
    let reply = |v: serde_json::Value| vec![Message::text(v.to_string())];
    let out = match cmd {
        Command::Set { lever, value } => {
            let key: String = lever.chars().take(40).collect();
            match s.command(Command::Set { lever, value }) {
                Ok(_) => {
                    let accepted = s.pending_value(&key);
                    let live = s.lever_is_live(&key);
                    let message = if live {
                        format!("{key} set: the run uses it from now on (and Reset starts with it)")
                    } else {
                        format!("{key} set: press Reset to run with it")
                    };
                    reply(
                        serde_json::json!({"type": "ok", "lever": key, "value": accepted,
                        "live": live, "message": message}),
                    )
                }
                Err(e) => reply(serde_json::json!({"type": "error", "lever": key, "message": e})),
            }
        }
        Command::Seed { value } => match s.command(Command::Seed { value }) {
            Ok(_) => reply(serde_json::json!({"type": "ok", "pending": true,
                "message": format!("seed {value}: press Reset to run with it")})),
            Err(e) => vec![error(e)],
        },
        Command::Speed { level } => match s.command(Command::Speed { level }) {
            Ok(_) => vec![],
            Err(e) => vec![error(e)],
        },
        Command::Class {} | Command::Leave {} => {
            vec![error("class commands are not understood here")]
        }
        cmd => {
            return match s.command(cmd) {
                Err(e) => (vec![error(e)], Change::Nothing),
                Ok(true) => (vec![], Change::Run),
                Ok(false) => (vec![], Change::View),
            };
        }
    };
    (out, Change::Nothing)
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Memory the server's sessions may share flow fields and paths in (the Mali map's for
/// one seed take about 17 MB).
const CLASS_PATH_STORE_BYTES: usize = 256 << 20;

/// Binds and serves on the current tokio runtime; returns once the port is bound.
pub async fn start(opts: &ServeOptions) -> std::io::Result<Server> {
    // A class's sessions of one scenario and seed play on one map: they share its flow
    // fields and A* searches (no session's run changes; see PathStore).
    if asymwar_model::pathfinding::PathStore::shared().is_none() {
        asymwar_model::pathfinding::PathStore::share(Some(CLASS_PATH_STORE_BYTES));
    }
    let catalogue = Arc::new(Catalogue::new(opts.scenarios_dir.clone()));
    if let Err(e) = catalogue.load(&opts.scenario) {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, e));
    }
    let listener = TcpListener::bind((opts.bind, opts.port)).await?;
    let addr = listener.local_addr()?;
    let state = Arc::new(AppState {
        scenario: opts.scenario.clone(),
        catalogue,
        max_sessions: opts.max_sessions,
        idle_timeout: opts.idle_timeout,
        sessions: AtomicUsize::new(0),
        playing: AtomicUsize::new(0),
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        classes: class::Registry::default(),
        addresses: student_addresses(addr),
    });
    let app = router(state);
    let task = tokio::spawn(accept(listener, app, opts.header_timeout));
    Ok(Server { addr, task })
}

/// Serves each connection with HTTP/1.1 and WebSocket upgrades, as `axum::serve` does, but
/// with a header read timeout, which `axum::serve` cannot set.
async fn accept(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors and the like: wait for connections to close rather
            // than spin or stop serving.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Frames are small and should go at once.
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await;
        });
    }
}

/// The machine's own IPv4 addresses but loopback, from Linux's `/proc/net/fib_trie` (each
/// local address is a line `|-- A.B.C.D` followed by `/32 host LOCAL`), with no dependency
/// and no traffic. Empty elsewhere.
pub fn local_addresses(fib_trie: &str) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = Vec::new();
    let mut last: Option<IpAddr> = None;
    for line in fib_trie.lines() {
        let t = line.trim_start_matches([' ', '|', '+', '-']).trim();
        if let Ok(ip) = t.parse::<std::net::Ipv4Addr>() {
            last = Some(IpAddr::V4(ip));
        } else if t.starts_with("/32 host LOCAL")
            && let Some(ip) = last
            && !ip.is_loopback()
            && !out.contains(&ip)
        {
            out.push(ip);
        }
    }
    out
}

/// The addresses students type to reach a server listening on `addr`: this computer's
/// network addresses when it listens on all of them; only this computer's own when it
/// listens on loopback (other tabs of the teacher's browser).
fn student_addresses(addr: SocketAddr) -> Vec<String> {
    let ips = if addr.ip().is_unspecified() {
        local_addresses(&std::fs::read_to_string("/proc/net/fib_trie").unwrap_or_default())
    } else {
        vec![addr.ip()]
    };
    ips.into_iter()
        .map(|ip| format!("http://{}", SocketAddr::new(ip, addr.port())))
        .collect()
}

/// Serves until the process ends (the `asymwar serve` command).
pub fn serve_blocking(opts: &ServeOptions) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let server = start(opts).await?;
        let addr = server.addr;
        if opts.bind.is_loopback() {
            println!("asymwar classroom: open http://{addr} in a browser");
            println!("  only this computer can connect: use --bind 0.0.0.0 to let a class in");
        } else {
            println!(
                "asymwar classroom: listening on {addr}: ANY computer that can reach this one on the network can open the page"
            );
            let addresses = if opts.bind.is_unspecified() {
                local_addresses(&std::fs::read_to_string("/proc/net/fib_trie").unwrap_or_default())
            } else {
                vec![opts.bind]
            };
            if addresses.is_empty() {
                println!(
                    "  students open http://<this computer's address>:{} (this computer's network addresses could not be read)",
                    addr.port()
                );
            } else {
                println!("  students type one of these addresses (the one on the class's network):");
                for a in addresses {
                    println!("    http://{}", SocketAddr::new(a, addr.port()));
                }
            }
        }
        println!(
            "  a whole class on one run: press \"Class run\" on your page; students open the address it shows"
        );
        println!("  press Ctrl-C to stop");
        server.task.await.map_err(std::io::Error::other)?
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn local_addresses_are_read_from_the_routing_table() {
        let fib = "Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 0.0.0.0\n        /0 universe UNICAST\n     +-- 127.0.0.0/8 2 0 2\n        |-- 127.0.0.1\n           /32 host LOCAL\n     |-- 192.168.1.23\n        /32 host LOCAL\n     |-- 192.168.1.255\n        /32 link BROADCAST\nLocal:\n     |-- 192.168.1.23\n        /32 host LOCAL\n";
        assert_eq!(
            super::local_addresses(fib),
            vec![std::net::IpAddr::from([192, 168, 1, 23])]
        );
        assert!(super::local_addresses("").is_empty());
    }
}
