//! One browser session: a scenario, the levers set for the next run, and the running
//! simulation, turned into the JSON messages the page draws.
//!
//! Everything here is synchronous and may take a while (building a world, stepping a day):
//! the server calls it from a blocking task so that the network threads stay free.

use crate::frame;
use crate::levers::{self, LEVERS, Lever};
use asymwar_model::Simulation;
use asymwar_model::observation::{self, Marker, MarkerKind, Reporters};
use asymwar_model::settlement::Settlement;
use asymwar_model::terrain::TerrainGrid;
use asymwar_scenario::ScenarioFile;
use asymwar_scenario::load::{BUILTIN, builtin};
use asymwar_scenario::overrides::{self, ParamValue};
use serde::Deserialize;
use serde_json::{Value, json};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Frames a playing session sends per second.
pub const FPS: u32 = 15;
/// Speeds the page offers, in days (or ticks, for models without a calendar) per second.
pub const SPEEDS: [f64; 8] = [0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0];
/// The speed a session starts with (2 days a second: the tutorial's 60 days in 30 s).
pub const DEFAULT_SPEED: usize = 3;
/// The speed for models without a calendar, whose runs are hundreds of ticks (10 a second).
pub const DEFAULT_TICK_SPEED: usize = 5;
/// Share of the machine's time that stepping may take, split between the sessions that
/// play. A model too slow for the chosen speed runs as fast as its share allows (the page
/// says so) instead of falling ever further behind, and the frames keep coming.
const STEP_SHARE: f64 = 0.7;
/// Engagement flashes sent in one frame at most (the page cannot show more anyway).
const MAX_EVENTS_PER_FRAME: usize = 500;
/// Longest edge of the terrain picture sent to the page, in pixels.
const TERRAIN_MAX_PX: u32 = 1024;

/// Time one frame of one session may spend stepping when `playing` sessions share
/// `cores` processors.
pub fn step_budget(playing: usize, cores: usize) -> Duration {
    let share = STEP_SHARE * cores.max(1) as f64 / playing.max(1) as f64;
    Duration::from_secs_f64(share.min(STEP_SHARE) / f64::from(FPS))
}

/// The marker kinds in the order the page indexes them in frames.
pub const KINDS: [MarkerKind; 8] = [
    MarkerKind::Settlement,
    MarkerKind::Convoy,
    MarkerKind::Cell,
    MarkerKind::Command,
    MarkerKind::ArmyUnit,
    MarkerKind::Quiet,
    MarkerKind::Active,
    MarkerKind::Cop,
];

/// The kinds the page colours by their value (a town's fuel): the only ones whose value
/// frames carry.
const SHOWS_VALUE: [MarkerKind; 1] = [MarkerKind::Settlement];

/// What the page may ask.
#[derive(Debug, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case", deny_unknown_fields)]
// Empty variants are written `Play {}`, not `Play`: serde ignores extra fields next to the
// tag of a unit variant, and a command with a typo'd field should be refused, not obeyed.
pub enum Command {
    Play {},
    Pause {},
    /// Advance one day (one tick for models without a calendar) and pause.
    Step {},
    /// Start a fresh run of the scenario with the levers as set.
    Reset {},
    Speed {
        level: usize,
    },
    /// Switch scenario (by the name the catalogue lists); levers go back to its values.
    Scenario {
        name: String,
    },
    /// Set a lever for the next run.
    Set {
        lever: String,
        value: Value,
    },
    /// The seed of the next run.
    Seed {
        value: u64,
    },
    /// The page has drawn frame `seq` (flow control: the server sends the next one only
    /// then).
    Ack {
        seq: u64,
    },
    /// Start a class run on this session's run: others may watch it (see [`crate::class`]).
    Class {},
    /// Leave the class run (a student: for a run of one's own; the teacher: ending it).
    Leave {},
}

/// Where a listed scenario comes from.
#[derive(Clone, Debug, PartialEq)]
enum Source {
    Builtin,
    File(PathBuf),
}

/// The scenarios the page may pick: the built-in ones and the `*.ron` files of a folder
/// (a file shadows a built-in of the same name, so an edited copy wins). The page picks by
/// name only, from this list: no path it sends is ever opened.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    pub dir: Option<PathBuf>,
}

/// A name a listed file may have: no dots, slashes or spaces, so it reads as what it is.
fn plain_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl Catalogue {
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self { dir }
    }

    fn entries(&self) -> Vec<(String, Source)> {
        let mut files: Vec<(String, Source)> = Vec::new();
        if let Some(dir) = &self.dir
            && let Ok(rd) = std::fs::read_dir(dir)
        {
            for e in rd.flatten() {
                let p = e.path();
                // `file_type` does not follow links: a link (to a secret file, or out of the
                // folder) is not listed, so it is never opened.
                let plain_file = e.file_type().is_ok_and(|t| t.is_file());
                if p.extension().and_then(|x| x.to_str()) != Some("ron") || !plain_file {
                    continue;
                }
                if let Some(stem) = p.file_stem().and_then(|s| s.to_str())
                    && plain_name(stem)
                {
                    files.push((stem.to_string(), Source::File(p.clone())));
                }
            }
        }
        let mut all: Vec<(String, Source)> = BUILTIN
            .iter()
            .filter(|(n, _)| !files.iter().any(|(f, _)| f == n))
            .map(|(n, _)| (n.to_string(), Source::Builtin))
            .collect();
        all.extend(files);
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// The names the page may pick, sorted.
    pub fn names(&self) -> Vec<String> {
        self.entries().into_iter().map(|(n, _)| n).collect()
    }

    /// Loads and validates a listed scenario; errors are one readable message.
    pub fn load(&self, name: &str) -> Result<ScenarioFile, String> {
        let Some((_, source)) = self.entries().into_iter().find(|(n, _)| n == name) else {
            let shown: String = name.chars().take(64).collect();
            return Err(format!(
                "no scenario named '{shown}': pick one of {}",
                self.names().join(", ")
            ));
        };
        match source {
            Source::Builtin => builtin(name)
                .expect("listed built-ins exist")
                .map_err(|e| e.to_string()),
            Source::File(p) => {
                let text = read_plain_file(&p, self.dir.as_deref())?;
                // Named by its name in the list, not its path on the server.
                asymwar_scenario::load::parse_str(&text, Path::new(&format!("{name}.ron")))
                    .map_err(public_error)
            }
        }
    }
}

/// The lesson guide (docs/teaching.md), compiled in: the page shows each scenario's plan.
const TEACHING: &str = include_str!("../../../docs/teaching.md");

/// The lesson plan of a built-in scenario from the guide: the section whose heading names
/// it as (`name`), without the heading; empty for others.
pub fn lesson(name: &str) -> String {
    let tag = format!("(`{name}`)");
    let mut out = String::new();
    let mut inside = false;
    for line in TEACHING.lines() {
        if line.starts_with("## ") {
            inside = line.contains(&tag);
            continue;
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.trim().to_string()
}

/// What the picker shows for a scenario: a title for people, not a file name.
pub fn title(name: &str) -> String {
    let known = match name {
        "tutorial" => "Tutorial: a small made-up region (60 days)",
        "mali_blockade" => "Mali: the fuel blockade of 2025 (150 days)",
        "burkina_djibo" => "Burkina Faso: Djibo and the besieged towns, 2022-2023",
        "epstein_run1" => "Civil violence 1: citizens stay put, cops keep order",
        "epstein_run2" => "Civil violence 2: calm, then sudden outbursts",
        "epstein_run3" => "Civil violence 3: legitimacy falls slowly",
        "epstein_run4" => "Civil violence 4: legitimacy drops at once",
        "epstein_run5" => "Civil violence 5: long jail terms",
        // A teacher's own file: its name, made readable.
        other => return other.replace(['_', '-'], " "),
    };
    known.to_string()
}

/// Largest scenario file the server reads (the shipped ones are under 20 KB).
pub const MAX_SCENARIO_BYTES: u64 = 1024 * 1024;
/// Longest error about a file sent to a page.
const MAX_ERROR_CHARS: usize = 600;

/// The text of a regular file inside `dir`, refusing links, anything that resolves outside
/// the folder, devices and pipes, and files too big to be a scenario.
fn read_plain_file(p: &Path, dir: Option<&Path>) -> Result<String, String> {
    use std::io::Read;
    let name = p
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let refuse = |why: &str| Err(format!("{name}: {why}"));
    let Ok(link) = std::fs::symlink_metadata(p) else {
        return refuse("cannot be read");
    };
    if !link.file_type().is_file() {
        return refuse("not a plain file (links are not followed)");
    }
    if let Some(dir) = dir {
        let inside = match (std::fs::canonicalize(p), std::fs::canonicalize(dir)) {
            (Ok(f), Ok(d)) => f.parent() == Some(d.as_path()),
            _ => false,
        };
        if !inside {
            return refuse("not in the scenarios folder");
        }
    }
    if link.len() > MAX_SCENARIO_BYTES {
        return refuse(&format!(
            "larger than {MAX_SCENARIO_BYTES} bytes: not a scenario"
        ));
    }
    let Ok(file) = std::fs::File::open(p) else {
        return refuse("cannot be read");
    };
    // The file opened is the one checked: had the name been swapped for a link since, the
    // open would have followed it to another file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let same = file
            .metadata()
            .is_ok_and(|m| m.is_file() && m.dev() == link.dev() && m.ino() == link.ino());
        if !same {
            return refuse("changed while being opened");
        }
    }
    let mut bytes = Vec::new();
    if file
        .take(MAX_SCENARIO_BYTES + 1)
        .read_to_end(&mut bytes)
        .is_err()
    {
        return refuse("cannot be read");
    }
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return refuse(&format!(
            "larger than {MAX_SCENARIO_BYTES} bytes: not a scenario"
        ));
    }
    String::from_utf8(bytes).or_else(|_| refuse("not text: not a scenario"))
}

/// A file's problem as a page may see it: where a syntax error is, never the parser's words
/// (they quote the file, and the file may be anything); a broken rule's place and rule, cut
/// to a readable length.
fn public_error(e: asymwar_scenario::load::ScenarioError) -> String {
    use asymwar_scenario::error::FileError;
    let text = match &e {
        FileError::Syntax {
            file, line, col, ..
        } => format!(
            "{}: not a valid scenario at line {line}, column {col} (`asymwar validate` on the server says why)",
            file.display()
        ),
        other => other.to_string(),
    };
    if text.chars().count() > MAX_ERROR_CHARS {
        let cut: String = text.chars().take(MAX_ERROR_CHARS).collect();
        format!("{cut} …")
    } else {
        text
    }
}

/// Gives the running model the live levers' values in `next` (the scenario with every
/// lever set). Only what a live lever sets is touched: values that shape the world as it is
/// built (the army's size, the grid, vision) wait for Reset even when pending in `next`.
fn live_apply(sim: &mut Simulation, next: &ScenarioFile) {
    use asymwar_model::army::{ArmyParams, ArmyUnit};
    use asymwar_model::civil_violence::CivilViolence;
    use asymwar_model::insurgency::{Cell, Targets};
    use asymwar_model::world::scale::Scale;
    let world = &mut sim.world;
    match next {
        ScenarioFile::Conflict(c) => {
            let p = &c.params;
            // The systems read these resources every tick; units and cells copied
            // discipline and autonomy when spawned, and the secured border ends were sized
            // from cooperation when the model was installed: those follow here.
            world.insert_resource(p.army.clone());
            world.insert_resource(p.insurgency.clone());
            world.insert_resource(p.activation.clone());
            if let Some(mut q) = world.try_query::<&mut ArmyUnit>() {
                for mut u in q.iter_mut(world) {
                    u.discipline = p.army.discipline as f32;
                }
            }
            if let Some(mut q) = world.try_query::<&mut Cell>() {
                for mut cell in q.iter_mut(world) {
                    cell.autonomy = p.insurgency.autonomy as f32;
                }
            }
            let reach = world.get_resource::<Scale>().map(|scale| {
                let a: &ArmyParams = &p.army;
                scale.tiles(a.cooperation * a.secure_border_km)
            });
            if let (Some(reach), Some(mut t)) = (reach, world.get_resource_mut::<Targets>()) {
                t.secured_tiles = reach;
            }
        }
        ScenarioFile::CivilViolence(c) => {
            if let Some(mut cv) = world.get_resource_mut::<CivilViolence>() {
                let p = &c.params;
                cv.params.legitimacy = p.legitimacy;
                cv.params.cop_density = p.cop_density;
                cv.params.max_jail_term = p.max_jail_term;
                cv.params.activation = p.activation.clone();
                cv.params.update_order = p.update_order;
            }
        }
    }
}

fn default_speed(file: &ScenarioFile) -> usize {
    match file {
        ScenarioFile::Conflict(_) => DEFAULT_SPEED,
        ScenarioFile::CivilViolence(_) => DEFAULT_TICK_SPEED,
    }
}

/// Builds a simulation; a model that panics while building (one not in this build, a bug)
/// becomes an error message instead of a dead connection.
fn build(file: &ScenarioFile, seed: u64) -> Result<Simulation, String> {
    catch_unwind(AssertUnwindSafe(|| {
        asymwar_scenario::build_simulation(file, seed)
    }))
    .map_err(|p| {
        let why = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown reason".into());
        format!("cannot start '{}': {why}", file.name())
    })
}

/// What a run shows at one moment (see [`Session::picture`]).
pub struct Picture {
    /// The frame header without its number, engagements and rows: type, tick, day, date,
    /// running, finished, lagging and the speed level.
    pub header: Value,
    /// Time-series rows since the last picture, `[day, value...]`.
    pub rows: Vec<Value>,
    /// Engagements since the last picture, `[kind, x, y, [losses]]`, all of them.
    pub events: Vec<Value>,
    /// The markers (see [`frame::encode_blocks`]).
    pub blocks: Vec<u8>,
    pub extent: (u32, u32),
}

/// Everything a run is made from, to make it again (a student leaving a class run gets a
/// run of their own from the class's recipe).
#[derive(Clone)]
pub struct Recipe {
    catalogue: Arc<Catalogue>,
    name: String,
    base: ScenarioFile,
    settings: Vec<(&'static Lever, ParamValue)>,
    seed: u64,
    speed: usize,
}

impl Recipe {
    /// A new session on this recipe, at the start of its run.
    pub fn build(&self) -> Result<Session, String> {
        let file = levers::apply(&self.base, &self.settings)?;
        let sim = build(&file, self.seed)?;
        Ok(Session::with(self.clone(), sim, Some(&file)))
    }

    /// The scenario's name in the catalogue.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A session's state.
pub struct Session {
    catalogue: Arc<Catalogue>,
    name: String,
    /// The scenario as loaded; the levers are applied to it at each reset.
    base: ScenarioFile,
    /// Lever values for the next run.
    settings: Vec<(&'static Lever, ParamValue)>,
    seed: u64,
    sim: Simulation,
    pub running: bool,
    speed: usize,
    /// Fraction of a tick owed to the next frame at slow speeds.
    carry: f64,
    /// Whether the last frame could not keep up with the chosen speed.
    lagging: bool,
    end_tick: u64,
    ticks_per_day: u64,
    markers: Vec<Marker>,
    sent_events: usize,
    sent_rows: usize,
    /// Map extent in tiles.
    extent: (u32, u32),
    /// The number of the last frame made (see [`Command::Ack`]).
    seq: u64,
}

impl Session {
    /// A session on a listed scenario, with its own seed.
    pub fn new(catalogue: Arc<Catalogue>, name: &str) -> Result<Self, String> {
        let base = catalogue.load(name)?;
        let seed = base.seed();
        let sim = build(&base, seed)?;
        let speed = default_speed(&base);
        let recipe = Recipe {
            catalogue,
            name: name.to_string(),
            settings: Vec::new(),
            seed,
            speed,
            base,
        };
        Ok(Self::with(recipe, sim, None))
    }

    /// A session on `r`'s scenario and settings running `sim`, built from `file` (the
    /// base with the levers applied; `None`: the base itself).
    fn with(r: Recipe, sim: Simulation, file: Option<&ScenarioFile>) -> Self {
        let file = file.unwrap_or(&r.base);
        let (ticks_per_day, end_tick) = (file.ticks_per_day(), file.ticks());
        let mut s = Self {
            catalogue: r.catalogue,
            name: r.name,
            ticks_per_day,
            end_tick,
            base: r.base,
            settings: r.settings,
            seed: r.seed,
            sim,
            running: false,
            speed: r.speed,
            carry: 0.0,
            lagging: false,
            markers: Vec::new(),
            sent_events: 0,
            sent_rows: 0,
            extent: (1, 1),
            seq: 0,
        };
        s.extent = s.measure_extent();
        s
    }

    /// The scenario of the next run: the base with the levers applied.
    fn next_scenario(&self) -> Result<ScenarioFile, String> {
        levers::apply(&self.base, &self.settings)
    }

    /// Starts a fresh run with the levers and seed as set.
    pub fn reset(&mut self) -> Result<(), String> {
        let file = self.next_scenario()?;
        let sim = build(&file, self.seed)?;
        self.start(&file, sim);
        Ok(())
    }

    /// Makes `sim`, built from `file`, the session's run.
    fn start(&mut self, file: &ScenarioFile, sim: Simulation) {
        self.sim = sim;
        self.ticks_per_day = file.ticks_per_day();
        self.end_tick = file.ticks();
        self.running = false;
        self.carry = 0.0;
        self.lagging = false;
        self.sent_events = 0;
        self.sent_rows = 0;
        self.extent = self.measure_extent();
    }

    fn measure_extent(&mut self) -> (u32, u32) {
        if let Some(g) = self.sim.world.get_resource::<TerrainGrid>() {
            return (u32::from(g.width), u32::from(g.height));
        }
        // Models on an abstract grid: its size in the scenario, else the markers' extent.
        let tree = overrides::Base::new(&self.base);
        let dim = |k: &str| {
            tree.get(&format!("params.{k}"))
                .ok()
                .and_then(Value::as_u64)
                .map(|n| n as u32)
        };
        if let (Some(w), Some(h)) = (dim("width"), dim("height")) {
            return (w.max(1), h.max(1));
        }
        observation::markers(&mut self.sim.world, &mut self.markers);
        let w = self.markers.iter().map(|k| k.x).fold(1.0f32, f32::max);
        let h = self.markers.iter().map(|k| k.y).fold(1.0f32, f32::max);
        (w.ceil() as u32 + 1, h.ceil() as u32 + 1)
    }

    fn tick(&self) -> u64 {
        self.sim.clock().tick
    }

    pub fn finished(&self) -> bool {
        self.tick() >= self.end_tick
    }

    /// Applies a command; `Ok(true)` when the run was replaced (the page needs a new init).
    pub fn command(&mut self, cmd: Command) -> Result<bool, String> {
        match cmd {
            Command::Play {} => {
                if self.finished() {
                    return Err("the run is over: press Reset to start again".into());
                }
                self.running = true;
                Ok(false)
            }
            Command::Pause {} => {
                self.running = false;
                Ok(false)
            }
            Command::Step {} => {
                self.running = false;
                if self.finished() {
                    return Err("the run is over: press Reset to start again".into());
                }
                let until = (self.tick() / self.ticks_per_day + 1) * self.ticks_per_day;
                while self.tick() < until.min(self.end_tick) {
                    self.sim.step();
                }
                Ok(false)
            }
            Command::Reset {} => self.reset().map(|()| true),
            Command::Speed { level } => {
                if level >= SPEEDS.len() {
                    return Err(format!(
                        "speed level must be 0 to {}, got {level}",
                        SPEEDS.len() - 1
                    ));
                }
                self.speed = level;
                self.carry = 0.0;
                Ok(false)
            }
            Command::Scenario { name } => {
                let base = self.catalogue.load(&name)?;
                let sim = build(&base, base.seed())?;
                self.seed = base.seed();
                self.speed = default_speed(&base);
                self.base = base;
                self.name = name;
                self.settings.clear();
                // The scenario as loaded is the run's: no levers are set yet.
                let file = self.base.clone();
                self.start(&file, sim);
                Ok(true)
            }
            Command::Set { lever, value } => {
                let shown: String = lever.chars().take(40).collect();
                let model = self.base.model();
                let l = levers::lever(model, &lever).ok_or_else(|| {
                    if LEVERS.iter().any(|l| l.key == lever) {
                        format!("{shown} is not a lever of the {} model", self.model_name())
                    } else {
                        format!("no lever named '{shown}'")
                    }
                })?;
                // The value's own range first, so that a wrong value is named as such
                // whatever the scenario.
                let value = l.check(&value)?;
                if levers::current(&self.base, l).is_none() {
                    return Err(format!(
                        "{} is not in this scenario's model yet ({} is missing)",
                        l.label, l.path
                    ));
                }
                let mut settings = self.settings.clone();
                settings.retain(|(k, _)| k.key != l.key);
                settings.push((l, value));
                let next = levers::apply(&self.base, &settings)?;
                self.settings = settings;
                if l.live {
                    live_apply(&mut self.sim, &next);
                }
                Ok(false)
            }
            Command::Seed { value } => {
                self.seed = value;
                Ok(false)
            }
            // Flow control and classes are the server loop's business: nothing changes here.
            Command::Ack { .. } | Command::Class {} | Command::Leave {} => Ok(false),
        }
    }

    fn model_name(&self) -> &'static str {
        match self.base {
            ScenarioFile::Conflict(_) => "conflict",
            ScenarioFile::CivilViolence(_) => "civil violence",
        }
    }

    /// Steps as many ticks as one frame of the chosen speed needs, within `budget` of
    /// time (see [`step_budget`]), and stops at the end of the run.
    pub fn advance(&mut self, budget: Duration) {
        let owed = SPEEDS[self.speed] * self.ticks_per_day as f64 / f64::from(FPS) + self.carry;
        let n = owed.floor() as u64;
        self.carry = owed - n as f64;
        let deadline = Instant::now() + budget;
        self.lagging = false;
        for _ in 0..n {
            if self.finished() {
                break;
            }
            self.sim.step();
            if Instant::now() > deadline {
                self.lagging = true;
                self.carry = 0.0;
                break;
            }
        }
        if self.finished() {
            self.running = false;
        }
    }

    /// What the page needs to set itself up for the current run.
    pub fn init(&self) -> Value {
        let tree = overrides::Base::new(&self.base);
        let model = self.base.model();
        let levers: Vec<Value> = LEVERS
            .iter()
            .filter(|l| l.model == model)
            .map(|l| {
                let current = tree.get(l.path).ok().cloned();
                let pending = self
                    .settings
                    .iter()
                    .find(|(k, _)| k.key == l.key)
                    .map(|(_, v)| v.to_json());
                let mut v = serde_json::to_value(l).expect("levers serialise");
                v["available"] = Value::Bool(current.is_some());
                v["value"] = pending.or(current).unwrap_or(Value::Null);
                v
            })
            .collect();
        let reporters = self.sim.world.resource::<Reporters>();
        let columns: Vec<Value> = reporters
            .daily
            .iter()
            .map(|r| {
                // Metrics are named for roles (`capital_fuel_days`), never for a town.
                let label = r.name.replace('_', " ");
                json!({"name": r.name, "label": label, "unit": r.unit, "about": r.about})
            })
            .collect();
        let names: Vec<&str> = reporters.daily.iter().map(|r| r.name).collect();
        // The columns charted first, as on slides (the page adds others and caps the count).
        let charts = asymwar_viz::render::main_metrics(&names);
        let ts = self.sim.time_series();
        // Town names for the map, largest first (the page labels as many as fit).
        let mut towns: Vec<(String, f32, f32, u32)> = self
            .sim
            .world
            .try_query::<&Settlement>()
            .map(|mut q| {
                q.iter(&self.sim.world)
                    .map(|s| {
                        (
                            s.name.clone(),
                            f32::from(s.tile.x) + 0.5,
                            f32::from(s.tile.y) + 0.5,
                            s.population,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        towns.sort_by(|a, b| b.3.cmp(&a.3).then_with(|| a.0.cmp(&b.0)));
        json!({
            "type": "init",
            "scenario": self.name,
            "description": self.base.description(),
            "model": model,
            "scenarios": self.catalogue.names(),
            "lesson": lesson(&self.name),
            "titles": self.catalogue.names().iter().map(|n| (n.clone(), Value::from(title(n)))).collect::<serde_json::Map<_, _>>(),
            "levers": levers,
            "columns": columns,
            "charts": charts,
            "index": ts.index_name,
            "dated": ts.dated,
            "width": self.extent.0,
            "height": self.extent.1,
            "terrain": self.sim.world.contains_resource::<TerrainGrid>(),
            "tile_km": self.base.tile_km(),
            "towns": towns,
            "kinds": KINDS.iter().map(|k| k.name()).collect::<Vec<_>>(),
            "speeds": SPEEDS,
            "speed": self.speed,
            "fps": FPS,
            "end_tick": self.end_tick,
            "ticks_per_day": self.ticks_per_day,
            "seed": self.seed,
        })
    }

    /// The terrain as a PNG, for models with a terrain map.
    pub fn terrain_png(&self) -> Option<Vec<u8>> {
        let grid = self.sim.world.get_resource::<TerrainGrid>()?;
        let longest = u32::from(grid.width.max(grid.height)).max(1);
        let scale = (TERRAIN_MAX_PX / longest).clamp(1, 8);
        let img = asymwar_viz::terrain_image(grid, std::iter::empty(), scale);
        asymwar_viz::encode_png(&img).ok()
    }

    /// The state now, as a binary message (see [`crate::frame`]): clock, every marker, the
    /// engagements and time-series rows since the last frame, and the frame's number, which
    /// the page sends back once it has drawn it (flow control, see the server's loop).
    pub fn frame(&mut self) -> Vec<u8> {
        let p = self.picture();
        let skip = p.events.len().saturating_sub(MAX_EVENTS_PER_FRAME);
        self.seq += 1;
        let mut header = p.header;
        header["seq"] = Value::from(self.seq);
        header["ev"] = Value::from(&p.events[skip..]);
        header["rows"] = Value::from(p.rows);
        frame::assemble(&header, p.extent, &p.blocks)
    }

    /// What the model shows now, and the engagements and rows since the last picture (or
    /// frame): everything of a frame but its number. A session's own frames are made from
    /// it, and so are those of every viewer of a class run (see [`crate::class`]), which
    /// makes the marker blocks once for all of them.
    pub fn picture(&mut self) -> Picture {
        observation::markers(&mut self.sim.world, &mut self.markers);
        let kinds: Vec<u8> = self
            .markers
            .iter()
            .map(|k| KINDS.iter().position(|c| *c == k.kind).unwrap_or(0) as u8)
            .collect();
        let log = &self.sim.events().events;
        let events: Vec<Value> = log
            .get(self.sent_events..)
            .unwrap_or(&[])
            .iter()
            .map(|e| {
                // Kind, place, then the losses the event list shows: the attacker's and
                // the defender's (people), trucks burned, civilians killed.
                json!([
                    e.kind.name(),
                    f32::from(e.tile.x) + 0.5,
                    f32::from(e.tile.y) + 0.5,
                    [
                        e.attacker_losses.round(),
                        e.defender_losses.round(),
                        e.trucks_destroyed,
                        e.civilians_killed
                    ]
                ])
            })
            .collect();
        self.sent_events = log.len();
        let ts = self.sim.time_series();
        let rows: Vec<Value> =
            (self.sent_rows..ts.len())
                .map(|i| {
                    let mut r = vec![Value::from(ts.days[i])];
                    r.extend(ts.row(i).iter().map(|v| {
                        serde_json::Number::from_f64(*v).map_or(Value::Null, Value::Number)
                    }));
                    Value::Array(r)
                })
                .collect();
        self.sent_rows = ts.len();
        let clock = self.sim.clock();
        let header = json!({
            "type": "frame",
            "tick": clock.tick,
            "day": clock.day(),
            "date": ts.dated.then(|| clock.date().to_string()),
            "running": self.running,
            "finished": self.finished(),
            "lagging": self.lagging,
            "speed": self.speed,
        });
        let blocks = frame::encode_blocks(&self.markers, &kinds, self.extent, |k| {
            SHOWS_VALUE.contains(&KINDS[usize::from(k)])
        });
        Picture {
            header,
            rows,
            events,
            blocks,
            extent: self.extent,
        }
    }

    /// How to make this run again from its start: scenario, levers as set, seed, speed.
    pub fn recipe(&self) -> Recipe {
        Recipe {
            catalogue: self.catalogue.clone(),
            name: self.name.clone(),
            base: self.base.clone(),
            settings: self.settings.clone(),
            seed: self.seed,
            speed: self.speed,
        }
    }

    /// Each lever's value as set for this run (the scenario's, or the one set since).
    pub fn lever_values(&self) -> Value {
        let tree = overrides::Base::new(&self.base);
        let model = self.base.model();
        LEVERS
            .iter()
            .filter(|l| l.model == model)
            .map(|l| {
                let pending = self
                    .settings
                    .iter()
                    .find(|(k, _)| k.key == l.key)
                    .map(|(_, v)| v.to_json());
                let current = tree.get(l.path).ok().cloned();
                (
                    l.key.to_string(),
                    pending.or(current).unwrap_or(Value::Null),
                )
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    }

    /// Makes the next picture carry rows and engagements from these (the run's own
    /// numbering) on, and the next frame the one after `seq`; returns where they were.
    /// A class takes every row from a teacher's run (its viewers need them all), and
    /// hands the run back where the teacher's page is.
    pub fn resume_at(&mut self, rows: usize, events: usize, seq: u64) -> (usize, usize) {
        let was = (self.sent_rows, self.sent_events);
        (self.sent_rows, self.sent_events, self.seq) = (rows, events, seq);
        was
    }

    /// The number of the last frame made.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// What a frame would show that the last one did not: the clock or the play state.
    pub fn view_key(&self) -> (u64, bool) {
        (self.tick(), self.running)
    }

    /// The map's (width, height) in tiles, as `init` gives it.
    pub fn extent(&self) -> (u32, u32) {
        self.extent
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether a lever of this session's model changes the running model at once.
    pub fn lever_is_live(&self, key: &str) -> bool {
        levers::lever(self.base.model(), key).is_some_and(|l| l.live)
    }

    /// The value a lever is set to for the next run, if it was set.
    pub fn pending_value(&self, key: &str) -> Value {
        self.settings
            .iter()
            .find(|(l, _)| l.key == key)
            .map_or(Value::Null, |(_, v)| v.to_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tutorial() -> Session {
        Session::new(Arc::new(Catalogue::default()), "tutorial").unwrap()
    }

    fn frame(s: &mut Session) -> Value {
        frame::decode(&s.frame()).unwrap()
    }

    fn cmd(s: &str) -> Command {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn the_budget_is_shared() {
        let one = step_budget(1, 2);
        assert_eq!(one, step_budget(2, 2));
        assert!(step_budget(30, 2) < one / 10);
        assert!(one < Duration::from_secs(1) / FPS);
    }

    #[test]
    fn plain_names_only() {
        assert!(plain_name("epstein_run1"));
        assert!(!plain_name("../etc/passwd"));
        assert!(!plain_name("a.b"));
        assert!(!plain_name(""));
    }

    #[test]
    fn unknown_or_traversing_names_are_refused() {
        let c = Catalogue::new(Some(PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../assets/scenarios"
        ))));
        assert!(c.names().contains(&"tutorial".to_string()));
        for bad in ["../Cargo", "/etc/passwd", "tutorial.ron", "nope"] {
            let e = c.load(bad).unwrap_err();
            assert!(e.contains("no scenario named"), "{e}");
        }
        assert!(c.load("tutorial").is_ok());
    }

    #[test]
    fn commands_parse_and_refuse_extras() {
        assert!(matches!(cmd(r#"{"cmd":"play"}"#), Command::Play {}));
        assert!(matches!(
            cmd(r#"{"cmd":"speed","level":2}"#),
            Command::Speed { level: 2 }
        ));
        assert!(serde_json::from_str::<Command>(r#"{"cmd":"speed","level":2,"x":1}"#).is_err());
        assert!(serde_json::from_str::<Command>(r#"{"cmd":"fly"}"#).is_err());
        assert!(serde_json::from_str::<Command>(r#"{"cmd":"speed","level":-1}"#).is_err());
    }

    #[test]
    fn play_advances_and_stops_at_the_end() {
        let mut s = tutorial();
        s.command(cmd(r#"{"cmd":"speed","level":7}"#)).unwrap();
        s.command(Command::Play {}).unwrap();
        let t0 = s.tick();
        s.advance(Duration::from_secs(1));
        assert!(s.tick() > t0);
        while s.running {
            s.advance(Duration::from_secs(1));
        }
        assert!(s.finished());
        assert_eq!(s.tick(), s.end_tick);
        assert!(s.command(Command::Play {}).is_err());
        assert!(s.command(Command::Reset {}).unwrap());
        assert_eq!(s.tick(), 0);
    }

    #[test]
    fn step_is_one_day() {
        let mut s = tutorial();
        s.command(Command::Step {}).unwrap();
        assert_eq!(s.tick(), 24);
        let f: Value = frame(&mut s);
        assert_eq!(f["day"], 1);
        assert_eq!(f["rows"].as_array().unwrap().len(), 1);
        // Rows are sent once.
        let f: Value = frame(&mut s);
        assert_eq!(f["rows"].as_array().unwrap().len(), 0);
    }

    #[test]
    fn frames_list_the_settlements() {
        let mut s = tutorial();
        let f: Value = frame(&mut s);
        let m = f["m"].as_array().unwrap();
        assert_eq!(m.len() % 5, 0, "five numbers a marker");
        let kinds: Vec<u64> = m.chunks(5).map(|c| c[0].as_f64().unwrap() as u64).collect();
        let count = |k: MarkerKind| {
            let i = KINDS.iter().position(|c| *c == k).unwrap() as u64;
            kinds.iter().filter(|x| **x == i).count()
        };
        assert_eq!(
            count(MarkerKind::Settlement),
            5,
            "the tutorial's five towns"
        );
        assert!(count(MarkerKind::Cell) > 0, "its insurgent cells");
        assert!(count(MarkerKind::ArmyUnit) > 0, "its army units");
        let init = s.init();
        assert_eq!(
            init["charts"][0], "capital_fuel_days",
            "the main metrics first"
        );
        assert_eq!(init["width"], 64);
        assert_eq!(init["terrain"], true);
        assert!(s.terrain_png().unwrap().starts_with(b"\x89PNG"));
    }

    fn set(s: &mut Session, lever: &str, value: Value) {
        s.command(Command::Set {
            lever: lever.into(),
            value,
        })
        .unwrap();
    }

    fn steps(s: &mut Session, ticks: u32) {
        s.command(Command::Play {}).unwrap();
        for _ in 0..ticks {
            s.sim.step();
        }
    }

    #[test]
    fn live_levers_change_the_running_civil_violence_model() {
        use asymwar_model::civil_violence::CivilViolence;
        let start = || Session::new(Arc::new(Catalogue::default()), "epstein_run1").unwrap();
        let (mut calm, mut angry) = (start(), start());
        steps(&mut calm, 20);
        steps(&mut angry, 20);
        set(&mut angry, "legitimacy", json!(0.3));
        set(&mut angry, "cop_density", json!(0.08));
        set(&mut angry, "jail_term", json!(5));
        steps(&mut calm, 10);
        steps(&mut angry, 10);
        let cv = |s: &Session| s.sim.world.resource::<CivilViolence>().clone();
        let (c, a) = (cv(&calm), cv(&angry));
        assert_eq!(a.legitimacy(), 0.3, "the run uses the new legitimacy");
        assert_eq!(a.cops(), 128, "cops were added to 8% of 1,600 cells");
        assert_eq!(c.cops(), 64);
        assert_eq!(a.params.max_jail_term, Some(5));
        assert!(
            a.actives() + a.jailed() > c.actives() + c.jailed(),
            "lower legitimacy: more rebels ({} + {} vs {} + {})",
            a.actives(),
            a.jailed(),
            c.actives(),
            c.jailed()
        );
        a.check_consistency().unwrap();
        // Vision shapes the grid's neighbourhoods: it waits for Reset.
        set(&mut angry, "vision", json!(3.0));
        assert_eq!(cv(&angry).params.vision, a.params.vision);
        angry.command(Command::Reset {}).unwrap();
        assert_eq!(cv(&angry).params.vision, 3.0);
        assert_eq!(
            cv(&angry).legitimacy(),
            0.3,
            "a live lever stays set for the next run"
        );
    }

    #[test]
    fn live_levers_change_the_running_conflict_model() {
        use asymwar_model::army::{ArmyParams, ArmyUnit};
        use asymwar_model::insurgency::{Cell, InsurgencyParams};
        let mut s = tutorial();
        steps(&mut s, 24);
        set(&mut s, "discipline", json!(0.15));
        set(&mut s, "autonomy", json!(0.95));
        set(&mut s, "escort", json!("route_security"));
        set(&mut s, "blockade", json!(false));
        let w = &mut s.sim.world;
        assert_eq!(w.resource::<ArmyParams>().discipline, 0.15);
        assert!(!w.resource::<InsurgencyParams>().blockade);
        let units: Vec<f32> = w
            .query::<&ArmyUnit>()
            .iter(w)
            .map(|u| u.discipline)
            .collect();
        assert!(
            !units.is_empty() && units.iter().all(|d| *d == 0.15),
            "{units:?}"
        );
        let cells: Vec<f32> = w.query::<&Cell>().iter(w).map(|c| c.autonomy).collect();
        assert!(
            !cells.is_empty() && cells.iter().all(|a| *a == 0.95),
            "{cells:?}"
        );
        // The army's size shapes the world as built: Reset.
        let before = w.query::<&ArmyUnit>().iter(w).count();
        set(&mut s, "army_size", json!(2.0));
        let w = &mut s.sim.world;
        assert_eq!(w.query::<&ArmyUnit>().iter(w).count(), before);
    }

    #[test]
    fn every_built_in_scenario_has_a_lesson_plan() {
        for (name, _) in BUILTIN {
            let plan = lesson(name);
            for part in [
                "What it shows",
                "How to use it",
                "Things to notice",
                "Things to try",
                "Questions for students",
            ] {
                assert!(
                    plan.contains(part),
                    "{name}: no '{part}' in docs/teaching.md"
                );
            }
        }
        assert_eq!(lesson("my_own_region"), "");
    }

    #[test]
    fn grid_frames_are_small() {
        // Epstein's run 1: 40 x 40 cells, about 1,100 citizens and 64 cops. As JSON with five
        // numbers a marker a frame was 20.8 KiB; as bitmaps of the grid it is under 1 KiB.
        let mut s = Session::new(Arc::new(Catalogue::default()), "epstein_run1").unwrap();
        s.command(Command::Step {}).unwrap();
        let bytes = s.frame();
        assert!(bytes.len() < 1024, "{} bytes", bytes.len());
        let f = frame::decode(&bytes).unwrap();
        observation::markers(&mut s.sim.world, &mut s.markers);
        assert_eq!(f["m"].as_array().unwrap().len(), 5 * s.markers.len());
    }

    #[test]
    fn bad_speed_and_levers_are_refused() {
        let mut s = tutorial();
        assert!(s.command(cmd(r#"{"cmd":"speed","level":99}"#)).is_err());
        let e = s
            .command(cmd(r#"{"cmd":"set","lever":"nope","value":1}"#))
            .unwrap_err();
        assert!(e.contains("no lever"), "{e}");
        let e = s
            .command(cmd(r#"{"cmd":"set","lever":"legitimacy","value":0.5}"#))
            .unwrap_err();
        assert!(e.contains("not a lever of the conflict model"), "{e}");
    }

    #[test]
    fn reset_keeps_the_seed_and_so_the_run() {
        let mut a = tutorial();
        a.command(Command::Step {}).unwrap();
        let mut fa = frame(&mut a);
        a.command(Command::Reset {}).unwrap();
        a.command(Command::Step {}).unwrap();
        let mut fb = frame(&mut a);
        // Frames are numbered on through the session; all else is the same run.
        assert_eq!(
            fb["seq"].take().as_u64(),
            Some(fa["seq"].take().as_u64().unwrap() + 1)
        );
        assert_eq!(fb, fa);
    }
}
