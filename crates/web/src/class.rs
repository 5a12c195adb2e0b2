//! Class runs: one simulation, watched live by a whole class.
//!
//! Why: every browser session steps a model of its own, and a 2-core laptop cannot step 30
//! Mali models at 2 days a second (30 independent sessions got 1.73 days/s: stepping, not
//! the server, is the limit). A lesson rarely needs 30 runs: the class watches the
//! teacher's. A class run steps the model once, whoever watches, and makes the markers of
//! each picture once; each viewer's frame is that picture with a header of its own.
//!
//! Roles: the session that starts a class is its teacher and owns the run (play, pause,
//! step, speed, levers, seed, reset, scenario). Students join by the class's code
//! (`/?class=CODE`, `/ws?class=CODE`) and watch; their commands that would change the run
//! are refused with a message. A student may leave and gets a run of their own, made from
//! the class's scenario, levers and seed (it starts at day 0). The class ends when the
//! teacher ends it (the teacher keeps the run), or leaves or vanishes (after the idle
//! timeout): viewers are told, and go on with a run of their own.
//!
//! Flow control is per viewer, as for a session of one's own: a viewer gets the next frame
//! only once it has acknowledged the last, and it is the newest picture, with every row
//! and engagement it has not had yet (rows since the run began for a viewer who joins late,
//! so its charts are complete). No viewer waits for another, and the model waits for none:
//! a driver task steps it at the run's speed whatever the viewers do.

use crate::session::{Picture, Recipe, Session};
use axum::body::Bytes;
use axum::extract::ws::Message;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;

/// Letters of a class code: no 0/o, 1/l/i, so that a code read off a projector is typed
/// right.
const CODE_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// Characters of a class code: 31^5, 28 million codes.
pub const CODE_LEN: usize = 5;
/// Engagements a class keeps for viewers who join late (a frame carries 500 at most, and
/// the page lists that many).
const EVENTS_KEPT: usize = 500;

/// What the viewers of a class share: the newest picture and the run's history.
struct Shared {
    /// The run's number: a reset or a new scenario starts another, and every viewer gets
    /// its init, terrain and first frame.
    generation: u64,
    /// The run's `init` message and terrain picture, made once for every viewer.
    init: String,
    terrain: Option<Bytes>,
    /// The newest picture's number, header (without frame number, rows and events),
    /// markers and map extent.
    version: u64,
    header: Value,
    blocks: Bytes,
    extent: (u32, u32),
    /// Every time-series row of the run, and the newest engagements: `events[0]` is the
    /// run's engagement number `events_base`.
    rows: Vec<Value>,
    events: Vec<Value>,
    events_base: usize,
    /// Each lever's value, and a number that changes with them (viewers' sliders follow).
    levers: Value,
    levers_version: u64,
    /// How to make the run again: a student who leaves gets it.
    recipe: Recipe,
    /// Why the class ended, once it has.
    ended: Option<String>,
}

/// One class run.
pub struct Class {
    pub code: String,
    /// The model. The driver locks it to step, the teacher's commands to change it;
    /// viewers never do. `None` once the teacher has taken it back.
    run: Mutex<Option<Box<Session>>>,
    shared: Mutex<Shared>,
    /// Students watching now.
    students: AtomicUsize,
    /// Rung whenever viewers have something new (a picture, a run, the end): they send it
    /// at once rather than at their next tick, which beats out of phase with the driver's
    /// and would skip pictures.
    bell: watch::Sender<u64>,
}

/// Where one viewer is: what it has been sent.
pub struct Cursor {
    generation: u64,
    version: u64,
    rows: usize,
    events: usize,
    levers_version: u64,
    /// The number of its last frame (it acknowledges frames by it).
    pub seq: u64,
}

/// A mutex whose holder panicked still holds consistent data here (every change is made
/// in one step under the lock), so a panic elsewhere does not end every class.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A fresh class code not in `taken`.
pub fn new_code(taken: impl Fn(&str) -> bool) -> String {
    use std::hash::{BuildHasher, Hasher};
    // The standard library's per-process random hash keys, with the time: codes cannot be
    // guessed from one another, and no dependency is needed for it.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut salt = 0u64;
    loop {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(nanos ^ salt);
        let mut x = h.finish();
        let n = CODE_ALPHABET.len() as u64;
        let code: String = (0..CODE_LEN)
            .map(|_| {
                let c = CODE_ALPHABET[(x % n) as usize] as char;
                x /= n;
                c
            })
            .collect();
        if !taken(&code) {
            return code;
        }
        salt += 1;
    }
}

/// A code as a student may type it (spaces, capitals), or `None` if it cannot be one.
pub fn normalise_code(typed: &str) -> Option<String> {
    let code: String = typed
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

impl Class {
    /// A class on the teacher's session, whose run goes on as it was. Returns the class
    /// and the teacher's cursor: the teacher's page has the run so far and gets no init.
    pub fn new(code: String, mut s: Box<Session>) -> (Arc<Self>, Cursor) {
        // The session sent its page rows and events up to here; the class needs them all
        // for students who join, and the teacher's cursor starts where the page is.
        let seq = s.seq();
        let (rows, events) = s.resume_at(0, 0, seq);
        let shared = Shared {
            generation: 1,
            init: s.init().to_string(),
            terrain: s.terrain_png().map(Bytes::from),
            version: 0,
            header: Value::Null,
            blocks: Bytes::new(),
            extent: s.extent(),
            rows: Vec::new(),
            events: Vec::new(),
            events_base: 0,
            levers: Value::Null,
            levers_version: 0,
            recipe: s.recipe(),
            ended: None,
        };
        let class = Arc::new(Self {
            code,
            run: Mutex::new(None),
            shared: Mutex::new(shared),
            students: AtomicUsize::new(0),
            bell: watch::Sender::new(0),
        });
        class.publish(&mut s, true);
        let sh = lock(&class.shared);
        let teacher = Cursor {
            generation: sh.generation,
            version: sh.version,
            rows,
            events,
            levers_version: sh.levers_version,
            seq,
        };
        drop(sh);
        *lock(&class.run) = Some(s);
        (class, teacher)
    }

    /// Hands the run back to the teacher's own session, where the teacher's page is (rows
    /// and engagements it has not had come with its next frame).
    pub fn hand_back(s: &mut Session, cur: &Cursor) {
        s.resume_at(cur.rows, cur.events, cur.seq);
    }

    /// A cursor for a student who joins now: nothing sent yet.
    pub fn join(&self) -> Cursor {
        self.students.fetch_add(1, Ordering::SeqCst);
        // Every viewer gets a frame with the new count: the teacher sees who has joined.
        lock(&self.shared).version += 1;
        self.ring();
        Cursor {
            generation: 0,
            version: 0,
            rows: 0,
            events: 0,
            levers_version: 0,
            seq: 0,
        }
    }

    /// A student leaves (or its connection closed).
    pub fn part(&self) {
        self.students.fetch_sub(1, Ordering::SeqCst);
        lock(&self.shared).version += 1;
        self.ring();
    }

    pub fn students(&self) -> usize {
        self.students.load(Ordering::SeqCst)
    }

    /// Makes the session's state now the newest picture (its new rows and engagements go
    /// to the history); `levers`: the levers may have changed (they are read again).
    fn publish(&self, s: &mut Session, levers: bool) {
        let Picture {
            header,
            rows,
            events,
            blocks,
            extent,
        } = s.picture();
        let values = levers.then(|| s.lever_values());
        let recipe = levers.then(|| s.recipe());
        let mut sh = lock(&self.shared);
        sh.version += 1;
        sh.header = header;
        sh.blocks = Bytes::from(blocks);
        sh.extent = extent;
        sh.rows.extend(rows);
        sh.events.extend(events);
        let over = sh.events.len().saturating_sub(EVENTS_KEPT);
        sh.events.drain(..over);
        sh.events_base += over;
        if let Some(v) = values
            && v != sh.levers
        {
            sh.levers = v;
            sh.levers_version += 1;
        }
        if let Some(r) = recipe {
            sh.recipe = r;
        }
        drop(sh);
        self.ring();
    }

    fn ring(&self) {
        self.bell.send_modify(|n| *n += 1);
    }

    /// Wakes when viewers have something new (see [`Class::news`]).
    pub fn bell(&self) -> watch::Receiver<u64> {
        self.bell.subscribe()
    }

    /// The session's run was replaced (reset, another scenario): every viewer starts over.
    fn new_run(&self, s: &mut Session) {
        let (init, terrain) = (s.init().to_string(), s.terrain_png().map(Bytes::from));
        {
            let mut sh = lock(&self.shared);
            sh.generation += 1;
            sh.init = init;
            sh.terrain = terrain;
            sh.rows.clear();
            sh.events.clear();
            sh.events_base = 0;
        }
        self.publish(s, true);
    }

    /// Steps the run for one frame (the driver's tick, in a blocking task) within
    /// `budget`; whether it plays.
    pub fn step(&self, budget: Duration) -> bool {
        let mut run = lock(&self.run);
        let Some(s) = run.as_mut() else { return false };
        if !s.running {
            return false;
        }
        let key = s.view_key();
        s.advance(budget);
        if s.view_key() != key {
            self.publish(s, false);
        }
        s.running
    }

    /// Applies one of the teacher's commands (in a blocking task): its replies. Frames go
    /// to every viewer, the teacher too, through [`Class::news`].
    pub fn command(&self, text: &str) -> Vec<Message> {
        let mut run = lock(&self.run);
        let Some(s) = run.as_mut() else {
            return vec![crate::error("the class run is over")];
        };
        let (replies, change) = crate::apply(s, text);
        match change {
            crate::Change::Run => self.new_run(s),
            // Levers, seed and speed change no picture but what viewers are told.
            crate::Change::View | crate::Change::Nothing => self.publish(s, true),
        }
        replies
    }

    /// Ends the class, saying why to its viewers (the first reason given stands). Quick:
    /// the run is not touched (see [`Class::take_run`]); the driver stops at its next tick.
    pub fn end(&self, why: &str) {
        lock(&self.shared)
            .ended
            .get_or_insert_with(|| why.to_string());
        self.ring();
    }

    /// The run, for the teacher who ended the class. It may wait for a step to finish:
    /// call it from a blocking task.
    pub fn take_run(&self) -> Option<Box<Session>> {
        lock(&self.run).take()
    }

    /// Why the class ended, if it has.
    pub fn ended(&self) -> Option<String> {
        lock(&self.shared).ended.clone()
    }

    /// How to make the class's run again, from its start.
    pub fn recipe(&self) -> Recipe {
        lock(&self.shared).recipe.clone()
    }

    /// What the viewer at `cur` is to be sent now: a new run's init, terrain and first
    /// frame whatever its flow (a page cannot draw frames of a run it has no init for);
    /// else the newest picture, if it has not had it and has drawn (`drawn`) its last.
    pub fn news(&self, cur: &mut Cursor, drawn: bool) -> Vec<Message> {
        let sh = lock(&self.shared);
        let mut out = Vec::new();
        if cur.generation != sh.generation {
            out.push(Message::text(sh.init.clone()));
            if let Some(png) = &sh.terrain {
                out.push(Message::Binary(png.clone()));
            }
            cur.generation = sh.generation;
            // The page drops its levers' pending marks with a new init: send their values.
            (cur.rows, cur.events, cur.levers_version) = (0, 0, 0);
        } else if !drawn || cur.version == sh.version {
            return out;
        }
        cur.seq += 1;
        let mut header = sh.header.clone();
        header["seq"] = Value::from(cur.seq);
        header["students"] = Value::from(self.students());
        header["rows"] = Value::from(sh.rows.get(cur.rows..).unwrap_or(&[]));
        let from = cur.events.max(sh.events_base) - sh.events_base;
        header["ev"] = Value::from(sh.events.get(from..).unwrap_or(&[]));
        if cur.levers_version != sh.levers_version {
            header["levers"] = sh.levers.clone();
        }
        out.push(Message::binary(crate::frame::assemble(
            &header, sh.extent, &sh.blocks,
        )));
        cur.version = sh.version;
        cur.rows = sh.rows.len();
        cur.events = sh.events_base + sh.events.len();
        cur.levers_version = sh.levers_version;
        out
    }

    /// The message that tells a page it is in this class, and as whom.
    pub fn hello(&self, teacher: bool, addresses: &[String]) -> Message {
        let links: Vec<String> = addresses
            .iter()
            .map(|a| format!("{a}/?class={}", self.code))
            .collect();
        let message = if teacher {
            format!(
                "Class run {}: students open {} and watch this run; you keep the controls.",
                self.code,
                links
                    .first()
                    .cloned()
                    .unwrap_or_else(|| format!("this page's address with ?class={}", self.code))
            )
        } else {
            format!(
                "You are watching the class run {}: only the teacher changes it. Leave the class to run your own.",
                self.code
            )
        };
        Message::text(
            json!({"type": "class", "code": self.code, "role": if teacher { "teacher" } else { "student" },
                "links": links, "students": self.students(), "message": message})
            .to_string(),
        )
    }
}

/// The classes open now, by code (`None`: the code is taken by a class being set up).
#[derive(Default)]
pub struct Registry(Mutex<HashMap<String, Option<Arc<Class>>>>);

impl Registry {
    /// Opens a class on the teacher's session under a fresh code. Slow (the init, the
    /// terrain picture and the first picture are made): call it from a blocking task. The
    /// registry is not locked meanwhile, so that students joining other classes do not
    /// wait.
    pub fn open(&self, s: Box<Session>) -> (Arc<Class>, Cursor) {
        let code = {
            let mut map = lock(&self.0);
            let code = new_code(|c| map.contains_key(c));
            map.insert(code.clone(), None);
            code
        };
        let (class, cur) = Class::new(code.clone(), s);
        lock(&self.0).insert(code, Some(class.clone()));
        (class, cur)
    }

    pub fn find(&self, code: &str) -> Option<Arc<Class>> {
        lock(&self.0).get(code).cloned().flatten()
    }

    pub fn close(&self, code: &str) {
        lock(&self.0).remove(code);
    }

    pub fn len(&self) -> usize {
        lock(&self.0).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_plain_and_typed_codes_are_read() {
        let code = new_code(|_| false);
        assert_eq!(code.len(), CODE_LEN);
        assert_eq!(normalise_code(&code.to_uppercase()), Some(code.clone()));
        assert_eq!(normalise_code(&format!(" {} ", code)), Some(code));
        assert_eq!(normalise_code("abc"), None);
        assert_eq!(normalise_code("ab0de"), None, "no zero");
        assert_eq!(normalise_code("../etc"), None);
        let taken = new_code(|c| c.starts_with('a') || c.starts_with('b'));
        assert!(!taken.starts_with('a') && !taken.starts_with('b'));
    }
}
