//! Least-cost paths on the terrain grid, per mobility class and season.
//!
//! Two tools, for two kinds of question:
//! - [`FlowField`]: the travel time from every tile to one destination (a town, a border
//!   crossing), built once by Dijkstra and cached. Many actors heading for the same place
//!   (convoys to Bamako, columns to a besieged town) then find their next step in O(1), and
//!   a whole path is a walk down the field.
//! - [`Pathfinder::astar`]: one-off A* between arbitrary tiles, with scratch buffers reused
//!   across queries so that a query allocates nothing once warm.
//!
//! A step from tile a to its neighbour b costs the mean of the two tiles' crossing times,
//! times sqrt(2) on diagonals. The cost is symmetric, so a field built outward from the
//! destination gives the cost of reaching it.

use crate::engine::cache::prefetch;
use crate::engine::calendar::Season;
use crate::engine::geo::Tile;
use crate::world::min_heap::MinHeap;
use crate::world::terrain::{IMPASSABLE, Mobility, TerrainGrid, TileCost};
use bevy_ecs::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak, mpsc};

/// Neighbour offsets: 4 orthogonal then 4 diagonal.
const DIRS: [(i32, i32); 8] = [
    (1, 0),
    (-1, 0),
    (0, 1),
    (0, -1),
    (1, 1),
    (1, -1),
    (-1, 1),
    (-1, -1),
];
const NO_DIR: u8 = u8::MAX;
/// The index in [`DIRS`] of each direction's opposite (checked by a test).
const OPPOSITE: [u8; 8] = [1, 0, 3, 2, 7, 6, 5, 4];
/// Travel time in seconds; `UNREACHABLE` where the destination cannot be reached.
pub type Seconds = u32;
pub const UNREACHABLE: Seconds = u32::MAX;

#[inline]
fn step_cost(a: TileCost, b: TileCost, diagonal: bool) -> Option<u32> {
    if a == IMPASSABLE || b == IMPASSABLE {
        return None;
    }
    let mean = (u64::from(a) + u64::from(b)) / 2;
    // sqrt(2) ~ 181/128, in integers so that results are identical on every platform.
    let c = if diagonal { mean * 181 / 128 } else { mean };
    Some(c.min(u64::from(u32::MAX / 4)) as u32)
}

/// Travel times from every tile to one destination, and the first step of the best path.
///
/// A field is complete (every tile settled) when built by [`FlowField::build`] and when
/// [`Pathfinder::field`] hands it out. The fields a run builds for its own routes are
/// grown on demand instead ([`FlowField::start`], [`FlowField::settle`]): Dijkstra pauses
/// once the tile asked about is settled and resumes from the same heap when a tile further
/// out is asked about. It pops the same entries in the same order as a build in one go, so
/// every settled tile holds the same time and step as in the complete field. In a Mali
/// year the fields grown so settle 28% of their tiles (the sources of convoys, columns and
/// raids are rarely at the far side of the map; [`Pathfinder::fields_settled`] counts).
#[derive(Clone, Debug)]
pub struct FlowField {
    pub target: Tile,
    pub season: Season,
    pub mobility: Mobility,
    /// Seconds from each tile to the target (final on settled tiles: all, once complete).
    pub time: Vec<Seconds>,
    /// Direction (index into the neighbour table) of the next step, or none.
    next: Vec<u8>,
    width: u16,
    /// Dijkstra's state while the field is not complete.
    frontier: Option<Box<Frontier>>,
}

/// A paused Dijkstra: its heap, its costs and which tiles it has settled.
#[derive(Clone)]
struct Frontier {
    steps: Arc<StepCosts>,
    heap: MinHeap,
    settled: Vec<bool>,
}

impl std::fmt::Debug for Frontier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frontier")
            .field("heap", &self.heap.len())
            .finish_non_exhaustive()
    }
}

/// No step: off the map, or into or out of a tile the class cannot enter.
const NO_STEP: u32 = u32::MAX;

/// The cost of every step on one terrain for one class and season: for each tile, the
/// step into it from each neighbour (in the order of the neighbour table; none, `u32::MAX`,
/// where there is no step). What the inner loops of Dijkstra and of A* read: one load per
/// neighbour instead of two tile costs, a mean, a scaling and a bounds check. Built once
/// per (season, class) and kept by the [`Pathfinder`] (0.8 MB for the Mali map).
pub struct StepCosts {
    into: Vec<[u32; 8]>,
    width: u16,
    season: Season,
    mobility: Mobility,
}

impl StepCosts {
    pub fn new(grid: &TerrainGrid, season: Season, mobility: Mobility) -> Self {
        let costs = grid.costs(season, mobility);
        let (w, h) = (i32::from(grid.width), i32::from(grid.height));
        let mut into = vec![[NO_STEP; 8]; grid.len()];
        for (i, steps) in into.iter_mut().enumerate() {
            let (x, y) = ((i % w as usize) as i32, (i / w as usize) as i32);
            for (k, &(dx, dy)) in DIRS.iter().enumerate() {
                let (nx, ny) = (x + dx, y + dy);
                if nx < 0 || ny < 0 || nx >= w || ny >= h {
                    continue;
                }
                let j = (ny * w + nx) as usize;
                // From neighbour j to i: the field's search goes outward, i to j, over the
                // same (symmetric) cost.
                if let Some(c) = step_cost(costs[j], costs[i], k >= 4) {
                    steps[k] = c;
                }
            }
        }
        Self {
            into,
            width: grid.width,
            season,
            mobility,
        }
    }
}

impl FlowField {
    /// Builds the field by Dijkstra outward from `target`.
    pub fn build(grid: &TerrainGrid, season: Season, mobility: Mobility, target: Tile) -> Self {
        Self::build_on(&StepCosts::new(grid, season, mobility), target)
    }

    /// Builds the field by Dijkstra outward from `target`, over known step costs.
    pub fn build_on(steps: &StepCosts, target: Tile) -> Self {
        let (mut field, mut heap) = Self::seeded(steps, target);
        expand(steps, &mut field.time, &mut field.next, &mut heap, None);
        field
    }

    /// A field towards `target` with only the target settled, grown by
    /// [`FlowField::settle`] as far as it is asked about.
    pub fn start(steps: Arc<StepCosts>, target: Tile) -> Self {
        let (mut field, heap) = Self::seeded(&steps, target);
        let settled = vec![false; steps.into.len()];
        field.frontier = Some(Box::new(Frontier {
            steps,
            heap,
            settled,
        }));
        field
    }

    /// Unset times and steps, and the heap holding the target.
    fn seeded(steps: &StepCosts, target: Tile) -> (Self, MinHeap) {
        let n = steps.into.len();
        let mut time = vec![UNREACHABLE; n];
        let mut heap = MinHeap::with_capacity(1024);
        let t = usize::from(target.y) * usize::from(steps.width) + usize::from(target.x);
        time[t] = 0;
        heap.push(pack(0, t as u32));
        let field = Self {
            target,
            season: steps.season,
            mobility: steps.mobility,
            time,
            next: vec![NO_DIR; n],
            width: steps.width,
            frontier: None,
        };
        (field, heap)
    }

    /// Whether every tile is settled.
    pub fn is_complete(&self) -> bool {
        self.frontier.is_none()
    }

    /// Whether `from`'s time and path are final.
    fn is_settled(&self, from: Tile) -> bool {
        self.frontier
            .as_ref()
            .is_none_or(|f| f.settled[self.idx(from)])
    }

    /// Grows the field until `from` is settled (or unreachable), or until it is complete
    /// with `None`.
    pub fn settle(&mut self, from: Option<Tile>) {
        let until = from.map(|t| self.idx(t));
        let Some(f) = self.frontier.as_deref_mut() else {
            return;
        };
        if until.is_some_and(|i| f.settled[i]) {
            return;
        }
        let emptied = expand(
            &f.steps,
            &mut self.time,
            &mut self.next,
            &mut f.heap,
            Some((&mut f.settled, until)),
        );
        if emptied {
            self.frontier = None;
        }
    }

    /// Bytes the field holds.
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.time.len() * std::mem::size_of::<Seconds>()
            + self.next.len()
            + self.frontier.as_ref().map_or(0, |f| {
                f.settled.len() + f.heap.capacity() * std::mem::size_of::<u64>()
            })
    }

    /// Seconds from `from` to the target, if reachable.
    ///
    /// Panics if `from` is not settled yet (see [`FlowField::settle`]).
    pub fn time_from(&self, from: Tile) -> Option<Seconds> {
        assert!(
            self.is_settled(from),
            "the field does not reach {from:?} yet"
        );
        let t = self.time[self.idx(from)];
        (t != UNREACHABLE).then_some(t)
    }

    fn idx(&self, t: Tile) -> usize {
        usize::from(t.y) * usize::from(self.width) + usize::from(t.x)
    }

    /// The next tile on the best path from `from` (none at the target or if unreachable).
    #[inline]
    pub fn next_step(&self, from: Tile) -> Option<Tile> {
        let d = self.next[self.idx(from)];
        if d == NO_DIR {
            return None;
        }
        let (dx, dy) = DIRS[usize::from(d)];
        Some(Tile::new(
            (i32::from(from.x) + dx) as u16,
            (i32::from(from.y) + dy) as u16,
        ))
    }

    /// Writes the path from `from` to the target (both included) into `out`.
    pub fn path_into(&self, from: Tile, out: &mut Vec<Tile>) -> Option<Seconds> {
        out.clear();
        let total = self.time_from(from)?;
        let mut t = from;
        out.push(t);
        while let Some(n) = self.next_step(t) {
            out.push(n);
            t = n;
        }
        Some(total)
    }
}

/// Dijkstra outward over `steps`: pops the heap until it is empty (true), or, with a
/// record of settled tiles and a tile to wait for, until that tile is settled (false).
/// Stopping after a tile's neighbours are relaxed and resuming later pops the same entries
/// in the same order as running on.
fn expand(
    steps: &StepCosts,
    time: &mut [Seconds],
    next: &mut [u8],
    heap: &mut MinHeap,
    mut settled: Option<(&mut Vec<bool>, Option<usize>)>,
) -> bool {
    let w = steps.width as isize;
    let offsets = DIRS.map(|(dx, dy)| dy as isize * w + dx as isize);
    while let Some(key) = heap.pop() {
        let (d, i) = ((key >> 32) as u32, (key & 0xFFFF_FFFF) as usize);
        if d > time[i] {
            continue;
        }
        let (mut closer, nd) =
            neighbours_where(&steps.into[i], &offsets, i, d, |j, nd| nd < time[j]);
        while closer != 0 {
            let k = closer.trailing_zeros() as usize;
            closer &= closer - 1;
            let j = (i as isize + offsets[k]) as usize;
            time[j] = nd[k];
            // From j, the next step goes back towards i: the opposite direction.
            next[j] = OPPOSITE[k];
            heap.push(pack(nd[k], j as u32));
            prefetch(&steps.into[j]);
        }
        if let Some((settled, until)) = settled.as_mut() {
            settled[i] = true;
            if *until == Some(i) {
                return false;
            }
        }
    }
    true
}

/// The field, grown until `from` is settled. A field this run started is its own (only
/// complete fields are shared with the store or the path-ahead thread), so growing it
/// copies nothing.
fn grown_to(field: &mut Arc<FlowField>, from: Tile) -> &FlowField {
    if !field.is_settled(from) {
        Arc::make_mut(field).settle(Some(from));
    }
    field
}

/// Flow fields and A* answers shared by the runs of one process (a sweep's runs, the
/// classroom server's sessions): runs on the same terrain (the same cost grid, which the
/// same scenario, mobility parameters and seed give; replicate r of every point of a
/// sweep shares its seed) build a field or search a path once between them.
///
/// Sharing changes no run's answers: a field and a search depend only on the costs and the
/// tiles, and each [`Pathfinder`] keeps its own set of the fields it has asked for (A*
/// answers by those), the same set as without a store. Terrains are told apart by their
/// whole cost grids, compared exactly. The store holds at most `max_bytes`; past that it
/// forgets everything and fills again (runs then build what they need, as without it).
pub struct PathStore {
    inner: Mutex<StoreInner>,
    max_bytes: usize,
}

#[derive(Default)]
struct StoreInner {
    /// Cost grids seen, by a hash of them: (hash, grid, key).
    terrains: Vec<(u64, Arc<[TileCost]>, u32)>,
    /// The next terrain's key: keys are never given twice, so a run that holds the key of
    /// a terrain the store has since forgotten can never read another terrain's paths.
    next_key: u32,
    fields: HashMap<(u32, u32), Arc<FlowField>>,
    /// A* answers by (terrain, from, to).
    paths: HashMap<(u32, u32, u32), Arc<SharedPath>>,
    bytes: usize,
}

/// A searched path's cost (`UNREACHABLE` if none) and tiles.
type SharedPath = (Seconds, Vec<Tile>);

/// The process's store, if sharing is on.
static STORE: Mutex<Option<Arc<PathStore>>> = Mutex::new(None);

impl PathStore {
    /// An empty store of at most `max_bytes`.
    pub fn new(max_bytes: usize) -> Arc<PathStore> {
        Arc::new(PathStore {
            inner: Mutex::new(StoreInner::default()),
            max_bytes,
        })
    }

    /// Turns sharing on for every path finder made from now on in this process, with a
    /// store of at most `max_bytes` (or off, with `None`).
    pub fn share(max_bytes: Option<usize>) {
        *STORE.lock().unwrap_or_else(PoisonError::into_inner) = max_bytes.map(PathStore::new);
    }

    /// The process's store, if sharing is on.
    pub fn shared() -> Option<Arc<PathStore>> {
        STORE.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StoreInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The key of a cost grid, registered if new.
    fn terrain(&self, costs: &[TileCost]) -> u32 {
        let hash = costs.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &c| {
            (h ^ u64::from(c)).wrapping_mul(0x100_0000_01b3)
        });
        let mut inner = self.lock();
        if let Some(t) = inner
            .terrains
            .iter()
            .find(|(h, grid, _)| *h == hash && **grid == *costs)
        {
            return t.2;
        }
        let more = std::mem::size_of_val(costs);
        inner.make_room(more, self.max_bytes);
        let key = inner.next_key;
        inner.next_key += 1;
        inner.bytes += more;
        inner.terrains.push((hash, costs.into(), key));
        key
    }

    /// The field towards `target` on a terrain, built by `build` if no run has; and
    /// whether it was shared.
    fn field(
        &self,
        terrain: u32,
        target: u32,
        build: impl FnOnce() -> FlowField,
    ) -> (Arc<FlowField>, bool) {
        if let Some(f) = self.lock().fields.get(&(terrain, target)) {
            return (f.clone(), true);
        }
        // Built outside the lock: the other runs go on meanwhile (two may build the same
        // field at once; both are the same).
        let field = Arc::new(build());
        let mut inner = self.lock();
        inner.make_room(field.bytes(), self.max_bytes);
        inner.bytes += field.bytes();
        inner.fields.insert((terrain, target), field.clone());
        (field, false)
    }

    fn path(&self, terrain: u32, from: u32, to: u32) -> Option<Arc<SharedPath>> {
        self.lock().paths.get(&(terrain, from, to)).cloned()
    }

    fn remember_path(&self, terrain: u32, from: u32, to: u32, cost: Seconds, tiles: &[Tile]) {
        let bytes = 48 + std::mem::size_of_val(tiles);
        let mut inner = self.lock();
        inner.make_room(bytes, self.max_bytes);
        inner.bytes += bytes;
        inner
            .paths
            .insert((terrain, from, to), Arc::new((cost, tiles.to_vec())));
    }

    /// Bytes held (fields, paths and the cost grids that key them).
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

impl StoreInner {
    /// Forgets everything when `more` bytes would not fit.
    fn make_room(&mut self, more: usize, max_bytes: usize) {
        if self.bytes + more > max_bytes {
            self.terrains.clear();
            self.fields.clear();
            self.paths.clear();
            self.bytes = 0;
        }
    }
}

/// A (distance, tile) heap key in one u64: the same order as the pair, compared in one
/// instruction (the heap was a tenth of a year-long run).
#[inline]
fn pack(d: u32, i: u32) -> u64 {
    (u64::from(d) << 32) | u64::from(i)
}

/// Path queries with cached flow fields, remembered A* paths and reusable A* scratch space.
#[derive(Resource, Default)]
pub struct Pathfinder {
    /// Cached fields by (season, mobility, target tile index). Looked up, never iterated.
    /// These are the fields this run has asked for (what A* may answer by): the same set
    /// with or without a [`PathStore`], which only saves building them again.
    fields: HashMap<(u8, u8, u32), Arc<FlowField>>,
    /// Fields kept at most; beyond it the cache is emptied (simple and deterministic).
    pub max_fields: usize,
    /// A* answers by (season, mobility, from, to): the same question gets the same path
    /// without a search (cells hide at the same place again and again). Looked up, never
    /// iterated; emptied when it holds `max_paths`.
    paths: HashMap<PathQuestion, (Seconds, Vec<Tile>)>,
    /// Routes walked down a field, by the same key: convoys leave the same crossing for
    /// the same town day after day, and a copy of the tiles is cheaper than the walk.
    /// Apart from `paths`, since a field and A* may break ties differently. Emptied when it
    /// holds `max_paths`.
    walked: HashMap<PathQuestion, (Seconds, Vec<Tile>)>,
    pub max_paths: usize,
    /// The cheapest tile per (season, mobility): the A* heuristic's scale.
    cheapest: [[Option<u64>; 4]; 2],
    /// Step costs per (season, mobility), for building fields.
    steps: [[Option<Arc<StepCosts>>; 4]; 2],
    /// Fields of the other season, built ahead on a thread of their own (see
    /// [`Pathfinder::build_ahead`]), by the same key as `fields`; a field moves into
    /// `fields` when the run asks for it, as if built then.
    ahead: HashMap<(u8, u8, u32), Arc<AheadSlot>>,
    /// How often each kind of answer was given (for benches and logs; never an output).
    pub stats: PathStats,
    /// Fields and A* answers shared with other runs on the same terrain, if any (see
    /// [`PathStore`]).
    store: Option<Arc<PathStore>>,
    /// This run's terrain in the store, per (season, mobility), once looked up.
    terrain_in_store: [[Option<u32>; 4]; 2],
    // A* scratch, reused between queries: a generation stamp marks which entries are live.
    nodes: Vec<Node>,
    came: Vec<u32>,
    generation: u32,
    heap: MinHeap,
}

/// A tile in A*'s scratch: its cost so far and its mark, `generation << 1` once reached
/// in the current search, `| 1` once closed (any other value: not reached yet). One
/// load tells a neighbour's state and cost (they were three arrays: three cache misses).
#[derive(Clone, Copy, Debug, Default)]
struct Node {
    g: Seconds,
    mark: u32,
}

/// The step costs of one season and class, made on first use and kept in `slot`.
fn steps_of(
    slot: &mut Option<Arc<StepCosts>>,
    grid: &TerrainGrid,
    season: Season,
    mobility: Mobility,
) -> Arc<StepCosts> {
    slot.get_or_insert_with(|| Arc::new(StepCosts::new(grid, season, mobility)))
        .clone()
}

/// A field being built ahead: empty until one thread (the path-ahead thread or the run's
/// own) has built it.
type AheadSlot = OnceLock<Arc<FlowField>>;

/// Builds a field ahead into its slot, unless the run has dropped the slot meanwhile (it
/// ended, or its terrain changed).
fn build_slot(slot: &Weak<AheadSlot>, steps: &StepCosts, target: Tile) {
    if let Some(slot) = slot.upgrade() {
        slot.get_or_init(|| Arc::new(FlowField::build_on(steps, target)));
    }
}

/// A job for the path-ahead thread.
type AheadJob = Box<dyn FnOnce() + Send>;

/// Runs `job` on the process's path-ahead thread, started on first use; jobs run in the
/// order given. A thread of its own rather than rayon's pool: the society pass's blocks
/// must not queue behind a season's worth of fields.
fn path_ahead(job: AheadJob) {
    static QUEUE: Mutex<Option<mpsc::Sender<AheadJob>>> = Mutex::new(None);
    let mut queue = QUEUE.lock().unwrap_or_else(PoisonError::into_inner);
    // No thread yet (or it is gone): start one and give it the job.
    let job = match queue.as_ref() {
        Some(q) => match q.send(job) {
            Ok(()) => return,
            Err(mpsc::SendError(job)) => job,
        },
        None => job,
    };
    let (tx, rx) = mpsc::channel::<AheadJob>();
    let started = std::thread::Builder::new()
        .name("path-ahead".into())
        .spawn(move || rx.into_iter().for_each(|job| job()));
    match started {
        Ok(_) => {
            // The thread has just been given the receiver: sending cannot fail.
            let _ = tx.send(job);
            *queue = Some(tx);
        }
        // No thread to be had: the run builds its fields itself when it asks.
        Err(_) => drop(job),
    }
}

/// (season, mobility, from tile index, to tile index).
type PathQuestion = (u8, u8, u32, u32);

fn question(grid: &TerrainGrid, season: Season, m: Mobility, from: Tile, to: Tile) -> PathQuestion {
    (
        season as u8,
        m as u8,
        grid.index(from) as u32,
        grid.index(to) as u32,
    )
}

/// Counts of the pathfinder's answers: how much the caches save.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PathStats {
    /// Routes through a flow field, those copied from an earlier walk of the same route,
    /// and the fields that had to be built for them.
    pub routes: u64,
    pub routes_remembered: u64,
    pub fields_built: u64,
    /// A* questions; those answered by a cached flow field (built for routes, or for a
    /// destination asked about often), and those answered from the remembered paths.
    pub astar: u64,
    pub astar_by_field: u64,
    pub astar_remembered: u64,
    /// Tiles A* expanded (its work).
    pub expanded: u64,
    /// Of the fields built and the A* searches, those another run had done (taken from
    /// the [`PathStore`] instead).
    pub fields_shared: u64,
    /// Of the fields built, those already built ahead when the run asked for them.
    pub fields_ahead: u64,
    pub astar_shared: u64,
}

impl PathStats {
    /// Share of all path questions answered without a search (a cached field or a
    /// remembered path).
    pub fn hit_rate(&self) -> f64 {
        let asked = self.routes + self.astar;
        let searched = self.fields_built - self.fields_shared
            + (self.astar - self.astar_by_field - self.astar_remembered - self.astar_shared);
        if asked == 0 {
            0.0
        } else {
            1.0 - searched as f64 / asked as f64
        }
    }
}

impl Pathfinder {
    /// A path finder of its own, sharing with other runs through the process's
    /// [`PathStore`] if one is set ([`PathStore::share`]).
    pub fn new() -> Self {
        Self {
            max_fields: 512,
            max_paths: 8192,
            store: PathStore::shared(),
            ..Default::default()
        }
    }

    /// Shares through `store` from now on (or through none).
    pub fn set_store(&mut self, store: Option<Arc<PathStore>>) {
        self.store = store;
        self.terrain_in_store = Default::default();
    }

    /// The terrain's key in the store for these costs (registered on first use).
    fn terrain_key(
        &mut self,
        store: &PathStore,
        costs: &[TileCost],
        season: Season,
        m: Mobility,
    ) -> u32 {
        *self.terrain_in_store[season.index()][m.index()]
            .get_or_insert_with(|| store.terrain(costs))
    }

    /// The complete flow field towards `target`, built on first use.
    pub fn field(
        &mut self,
        grid: &TerrainGrid,
        season: Season,
        mobility: Mobility,
        target: Tile,
    ) -> &FlowField {
        let field = self.field_entry(grid, season, mobility, target);
        if !field.is_complete() {
            Arc::make_mut(field).settle(None);
        }
        field
    }

    /// The cached field towards `target`, started on first use: complete when another
    /// run or the path-ahead thread built it, else grown only as far as it is asked about.
    fn field_entry(
        &mut self,
        grid: &TerrainGrid,
        season: Season,
        mobility: Mobility,
        target: Tile,
    ) -> &mut Arc<FlowField> {
        let key = (season as u8, mobility as u8, grid.index(target) as u32);
        if !self.fields.contains_key(&key) {
            if self.fields.len() >= self.max_fields.max(1) {
                self.fields.clear();
            }
            self.stats.fields_built += 1;
            let terrain = self.store.clone().map(|store| {
                let terrain =
                    self.terrain_key(&store, grid.costs(season, mobility), season, mobility);
                (store, terrain)
            });
            // A field built ahead, if the thread was asked for one and has built it. Not in
            // a process forked from the one that asked: a slot the thread was filling when
            // the process forked would never be filled.
            let ahead = self
                .ahead
                .remove(&key)
                .filter(|_| crate::engine::threads::pool_usable())
                .and_then(|slot| slot.get().cloned());
            // Step costs only when a field is built here (not when the store has it).
            let steps = &mut self.steps[season.index()][mobility.index()];
            let field = match (terrain, ahead) {
                // Complete: other runs may ask the store for any tile of it.
                (Some((store, terrain)), _) => {
                    let (field, shared) = store.field(terrain, key.2, || {
                        FlowField::build_on(&steps_of(steps, grid, season, mobility), target)
                    });
                    self.stats.fields_shared += u64::from(shared);
                    field
                }
                (None, Some(field)) => {
                    self.stats.fields_ahead += 1;
                    field
                }
                // Not built ahead, or not yet (the thread's field, when done, is dropped:
                // growing one here is cheaper than waiting for a whole one).
                (None, None) => Arc::new(FlowField::start(
                    steps_of(steps, grid, season, mobility),
                    target,
                )),
            };
            if self.store.is_none() {
                self.build_ahead(grid, season.other(), mobility, target, key.2);
            }
            self.fields.insert(key, field);
        }
        self.fields.get_mut(&key).expect("inserted above")
    }

    /// Least-cost path between two tiles through the cached field of the destination:
    /// the right call for destinations asked about again and again (towns, crossings).
    pub fn route(
        &mut self,
        grid: &TerrainGrid,
        season: Season,
        mobility: Mobility,
        from: Tile,
        to: Tile,
        out: &mut Vec<Tile>,
    ) -> Option<Seconds> {
        self.stats.routes += 1;
        let key = question(grid, season, mobility, from, to);
        // A remembered route still keeps its field among the run's (what A* answers by),
        // as walking it would, should the fields have been emptied since.
        let field_key = (key.0, key.1, key.3);
        if let Some((cost, tiles)) = self
            .walked
            .get(&key)
            .filter(|_| self.fields.contains_key(&field_key))
        {
            self.stats.routes_remembered += 1;
            out.clear();
            out.extend_from_slice(tiles);
            return (*cost != UNREACHABLE).then_some(*cost);
        }
        // The field built, or grown, as far as `from`.
        let field = self.field_entry(grid, season, mobility, to);
        let found = grown_to(field, from).path_into(from, out);
        if self.walked.len() >= self.max_paths.max(1) {
            self.walked.clear();
        }
        self.walked
            .insert(key, (found.unwrap_or(UNREACHABLE), out.clone()));
        found
    }

    /// Whether the field towards `target` has been built ahead and waits for the run to
    /// ask for it (for tests and benches; what a run does never depends on it).
    pub fn built_ahead(
        &self,
        grid: &TerrainGrid,
        season: Season,
        m: Mobility,
        target: Tile,
    ) -> bool {
        let key = (season as u8, m as u8, grid.index(target) as u32);
        self.ahead
            .get(&key)
            .is_some_and(|slot| slot.get().is_some())
    }

    /// Tiles settled in the run's cached fields, and their tiles in all (a field built
    /// whole, or grown to the end, counts every tile): how much of the fields the run's
    /// questions made it work out (for benches; never an output).
    pub fn fields_settled(&self) -> (u64, u64) {
        self.fields.values().fold((0, 0), |(settled, all), f| {
            let n = f.time.len() as u64;
            let done = f
                .frontier
                .as_ref()
                .map_or(n, |fr| fr.settled.iter().filter(|&&s| s).count() as u64);
            (settled + done, all + n)
        })
    }

    /// Number of cached fields.
    pub fn cached_fields(&self) -> usize {
        self.fields.len()
    }

    /// Forgets every field and path (after the terrain or its costs change).
    pub fn invalidate(&mut self) {
        self.fields.clear();
        self.paths.clear();
        self.walked.clear();
        self.cheapest = Default::default();
        self.steps = Default::default();
        self.ahead.clear();
        self.terrain_in_store = Default::default();
    }

    /// Starts building the field towards `target` for `season` on the path-ahead thread,
    /// unless it is cached, already asked for, or this process runs on one thread (or
    /// without the `parallel` feature).
    ///
    /// A run asks for the field of every town it routes to in one season, and again in
    /// the next, all at once when the season turns (about 60 fields of 1.4 ms each in the
    /// Mali year, 6% of its time on the simulation's thread). A field is a function of the
    /// costs and the target alone, so one built ahead is the one the run would build; the
    /// run still asks for it when it would have built it (`ahead` is apart from `fields`,
    /// which A* answers by), so nothing but the time changes. Without a [`PathStore`]
    /// only: with one, another run has usually built it, and the thread would take a
    /// core from the other runs of a sweep.
    fn build_ahead(
        &mut self,
        grid: &TerrainGrid,
        season: Season,
        mobility: Mobility,
        target: Tile,
        index: u32,
    ) {
        let key = (season as u8, mobility as u8, index);
        if self.fields.contains_key(&key)
            || self.ahead.contains_key(&key)
            || !cfg!(feature = "parallel")
            || !crate::engine::threads::pool_usable()
            || rayon::current_num_threads() < 2
        {
            return;
        }
        let steps = steps_of(
            &mut self.steps[season.index()][mobility.index()],
            grid,
            season,
            mobility,
        );
        let slot = Arc::new(AheadSlot::new());
        let weak = Arc::downgrade(&slot);
        self.ahead.insert(key, slot);
        path_ahead(Box::new(move || build_slot(&weak, &steps, target)));
    }

    /// Least-cost path between arbitrary tiles: by the cached flow field of the destination
    /// if routes built one, else the remembered answer if the same question was asked
    /// before, else A* (the answer is then remembered). No field is built for A*'s sake: a
    /// field costs a search of the whole map, A* a few hundred tiles. A field and A* give
    /// paths of the same, least cost; where several paths tie they may pick different ones.
    pub fn astar(
        &mut self,
        grid: &TerrainGrid,
        season: Season,
        mobility: Mobility,
        from: Tile,
        to: Tile,
        out: &mut Vec<Tile>,
    ) -> Option<Seconds> {
        self.stats.astar += 1;
        let key = question(grid, season, mobility, from, to);
        let target = (key.0, key.1, key.3);
        if let Some(field) = self.fields.get_mut(&target) {
            self.stats.astar_by_field += 1;
            return grown_to(field, from).path_into(from, out);
        }
        if let Some((cost, tiles)) = self.paths.get(&key) {
            self.stats.astar_remembered += 1;
            out.clear();
            out.extend_from_slice(tiles);
            return (*cost != UNREACHABLE).then_some(*cost);
        }
        // Another run on the same terrain may have searched the same question: its answer
        // is the one a search would give here (a search depends only on the costs and the
        // two tiles), so it is taken as is.
        let shared = self.store.clone().map(|store| {
            let terrain = self.terrain_key(&store, grid.costs(season, mobility), season, mobility);
            (store, terrain)
        });
        let found = match &shared {
            Some((store, terrain)) => match store.path(*terrain, key.2, key.3) {
                Some(answer) => {
                    self.stats.astar_shared += 1;
                    out.clear();
                    out.extend_from_slice(&answer.1);
                    (answer.0 != UNREACHABLE).then_some(answer.0)
                }
                None => {
                    let found = self.search(grid, season, mobility, from, to, out);
                    store.remember_path(*terrain, key.2, key.3, found.unwrap_or(UNREACHABLE), out);
                    found
                }
            },
            None => self.search(grid, season, mobility, from, to, out),
        };
        if self.paths.len() >= self.max_paths.max(1) {
            self.paths.clear();
        }
        self.paths
            .insert(key, (found.unwrap_or(UNREACHABLE), out.clone()));
        found
    }

    /// One-off least-cost path by A* with an octile heuristic scaled by the cheapest tile on
    /// the map (admissible, so the path is optimal). Allocates nothing once warm.
    fn search(
        &mut self,
        grid: &TerrainGrid,
        season: Season,
        mobility: Mobility,
        from: Tile,
        to: Tile,
        out: &mut Vec<Tile>,
    ) -> Option<Seconds> {
        out.clear();
        let (open, closed) = self.next_search(grid.len());
        let costs = grid.costs(season, mobility);
        // The steps out of a tile from the table the fields use (the same costs, the same
        // order of neighbours): one load a neighbour rather than a bounds check, two tile
        // costs and a mean.
        let steps = steps_of(
            &mut self.steps[season.index()][mobility.index()],
            grid,
            season,
            mobility,
        );
        let offsets = DIRS.map(|(dx, dy)| dy as isize * steps.width as isize + dx as isize);
        let cheapest = *self.cheapest[season.index()][mobility.index()]
            .get_or_insert_with(|| u64::from(*costs.iter().min().unwrap_or(&1)));
        let w = i32::from(grid.width);
        let (tx, ty) = (i32::from(to.x), i32::from(to.y));
        let heuristic = |x: i32, y: i32| -> u64 {
            let (dx, dy) = (
                (x - tx).unsigned_abs() as u64,
                (y - ty).unsigned_abs() as u64,
            );
            let (lo, hi) = if dx < dy { (dx, dy) } else { (dy, dx) };
            // octile distance with the same integer sqrt(2) as the step cost, rounded down
            cheapest * (hi - lo) + cheapest * lo * 181 / 128
        };
        let s = grid.index(from);
        let t = grid.index(to);
        if costs[s] == IMPASSABLE || costs[t] == IMPASSABLE {
            return None;
        }
        self.heap.clear();
        self.nodes[s] = Node { g: 0, mark: open };
        self.came[s] = s as u32;
        // Keys (f, tile) in one integer: the pair's order, compared at once.
        // An estimate past u32::MAX seconds (136 years of travel) ties with every other
        // such; below it, which any path on a map is, the order is the pair's.
        let key = |f: u64, i: usize| (f.min(u64::from(u32::MAX)) << 32) | i as u64;
        self.heap
            .push(key(heuristic(i32::from(from.x), i32::from(from.y)), s));
        while let Some(k) = self.heap.pop() {
            let i = (k & 0xFFFF_FFFF) as usize;
            let Node { g: gi, mark } = self.nodes[i];
            if mark == closed {
                continue;
            }
            self.nodes[i].mark = closed;
            self.stats.expanded += 1;
            if i == t {
                break;
            }
            let nodes = &self.nodes;
            let (mut improve, ng) = neighbours_where(&steps.into[i], &offsets, i, gi, |j, ng| {
                let n = nodes[j];
                (n.mark != closed) & ((n.mark != open) | (ng < n.g))
            });
            if improve == 0 {
                continue;
            }
            let (x, y) = ((i % w as usize) as i32, (i / w as usize) as i32);
            while improve != 0 {
                let k = improve.trailing_zeros() as usize;
                improve &= improve - 1;
                let j = (i as isize + offsets[k]) as usize;
                self.nodes[j] = Node {
                    g: ng[k],
                    mark: open,
                };
                self.came[j] = i as u32;
                let (dx, dy) = DIRS[k];
                self.heap
                    .push(key(u64::from(ng[k]) + heuristic(x + dx, y + dy), j));
                // Its steps are read when it is expanded, most likely soon: a miss there
                // (a 4 MB table) was a quarter of the search.
                prefetch(&steps.into[j]);
            }
        }
        if self.nodes[t].mark != closed {
            return None;
        }
        let mut i = t;
        out.push(grid.tile(i));
        while i != s {
            i = self.came[i] as usize;
            out.push(grid.tile(i));
        }
        out.reverse();
        Some(self.nodes[t].g)
    }

    /// Readies A*'s scratch for a search over `n` tiles: the marks of this search, open
    /// and closed (every node of an earlier search holds older ones).
    fn next_search(&mut self, n: usize) -> (u32, u32) {
        if self.nodes.len() != n {
            self.nodes = vec![Node::default(); n];
            self.came = vec![0; n];
            self.generation = 0;
        }
        self.generation += 1;
        if self.generation > u32::MAX >> 1 {
            self.nodes.fill(Node::default());
            self.generation = 1;
        }
        let open = self.generation << 1;
        (open, open | 1)
    }
}

/// Which of tile `i`'s eight neighbours a step from `i` (at `base`) reaches at a time
/// `better` accepts (given the neighbour and that time), as bits by direction, and those
/// times. The step from i into its neighbour costs what the step into i from it does (the
/// cost is symmetric); `NO_STEP` off the map or where either is impassable. No branch on a
/// neighbour's state (which the CPU mispredicted about once a neighbour): the eight are
/// distinct tiles, none of them i, so deciding all before updating any decides what one
/// after another would. Shared by A* and the fields' Dijkstra.
#[inline(always)]
fn neighbours_where(
    into: &[Seconds; 8],
    offsets: &[isize; 8],
    i: usize,
    base: Seconds,
    better: impl Fn(usize, Seconds) -> bool,
) -> (u32, [Seconds; 8]) {
    let mut bits = 0u32;
    let mut times = [0; 8];
    for k in 0..DIRS.len() {
        let c = into[k];
        // Off the map, the tile itself stands in for the neighbour (never taken).
        let j = if c == NO_STEP {
            i
        } else {
            (i as isize + offsets[k]) as usize
        };
        times[k] = base.saturating_add(c);
        bits |= u32::from((c != NO_STEP) & better(j, times[k])) << k;
    }
    (bits, times)
}

#[cfg(test)]
mod tests {
    use super::{DIRS, OPPOSITE};

    #[test]
    fn opposite_directions_cancel() {
        for (k, &(dx, dy)) in DIRS.iter().enumerate() {
            let (ox, oy) = DIRS[usize::from(OPPOSITE[k])];
            assert_eq!((dx + ox, dy + oy), (0, 0), "direction {k}");
        }
    }
}
