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

use crate::engine::calendar::Season;
use crate::engine::geo::Tile;
use crate::world::terrain::{IMPASSABLE, Mobility, TerrainGrid, TileCost};
use bevy_ecs::prelude::*;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

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
#[derive(Clone, Debug)]
pub struct FlowField {
    pub target: Tile,
    pub season: Season,
    pub mobility: Mobility,
    /// Seconds from each tile to the target.
    pub time: Vec<Seconds>,
    /// Direction (index into the neighbour table) of the next step, or none.
    next: Vec<u8>,
    width: u16,
}

impl FlowField {
    /// Builds the field by Dijkstra outward from `target`.
    pub fn build(grid: &TerrainGrid, season: Season, mobility: Mobility, target: Tile) -> Self {
        let n = grid.len();
        let costs = grid.costs(season, mobility);
        let mut time = vec![UNREACHABLE; n];
        let mut next = vec![NO_DIR; n];
        let mut heap = BinaryHeap::with_capacity(1024);
        let t = grid.index(target);
        time[t] = 0;
        heap.push(Reverse((0u32, t as u32)));
        let (w, h) = (i32::from(grid.width), i32::from(grid.height));
        while let Some(Reverse((d, i))) = heap.pop() {
            let i = i as usize;
            if d > time[i] {
                continue;
            }
            let (x, y) = ((i % w as usize) as i32, (i / w as usize) as i32);
            for (k, (dx, dy)) in DIRS.iter().enumerate() {
                let (nx, ny) = (x + dx, y + dy);
                if nx < 0 || ny < 0 || nx >= w || ny >= h {
                    continue;
                }
                let j = (ny * w + nx) as usize;
                let Some(c) = step_cost(costs[j], costs[i], k >= 4) else {
                    continue;
                };
                let nd = d.saturating_add(c);
                if nd < time[j] {
                    time[j] = nd;
                    // From j, the next step goes back towards i: the opposite direction.
                    next[j] = opposite(k as u8);
                    heap.push(Reverse((nd, j as u32)));
                }
            }
        }
        Self {
            target,
            season,
            mobility,
            time,
            next,
            width: grid.width,
        }
    }

    /// Seconds from `from` to the target, if reachable.
    pub fn time_from(&self, from: Tile) -> Option<Seconds> {
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

fn opposite(k: u8) -> u8 {
    let (dx, dy) = DIRS[usize::from(k)];
    DIRS.iter()
        .position(|&(a, b)| a == -dx && b == -dy)
        .expect("every direction has an opposite") as u8
}

/// Path queries with cached flow fields and reusable A* scratch space.
#[derive(Resource, Default)]
pub struct Pathfinder {
    /// Cached fields by (season, mobility, target tile index). Looked up, never iterated.
    fields: HashMap<(u8, u8, u32), FlowField>,
    /// Fields kept at most; beyond it the cache is emptied (simple and deterministic).
    pub max_fields: usize,
    // A* scratch, reused between queries: a generation stamp marks which entries are live.
    g: Vec<Seconds>,
    came: Vec<u32>,
    stamp: Vec<u32>,
    closed: Vec<u32>,
    generation: u32,
    heap: BinaryHeap<Reverse<(u64, u32)>>,
}

impl Pathfinder {
    pub fn new() -> Self {
        Self {
            max_fields: 512,
            ..Default::default()
        }
    }

    /// The flow field towards `target`, built on first use.
    pub fn field(
        &mut self,
        grid: &TerrainGrid,
        season: Season,
        mobility: Mobility,
        target: Tile,
    ) -> &FlowField {
        let key = (season as u8, mobility as u8, grid.index(target) as u32);
        if !self.fields.contains_key(&key) && self.fields.len() >= self.max_fields.max(1) {
            self.fields.clear();
        }
        self.fields
            .entry(key)
            .or_insert_with(|| FlowField::build(grid, season, mobility, target))
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
        self.field(grid, season, mobility, to).path_into(from, out)
    }

    /// Number of cached fields.
    pub fn cached_fields(&self) -> usize {
        self.fields.len()
    }

    /// Forgets every field (after the terrain or its costs change).
    pub fn invalidate(&mut self) {
        self.fields.clear();
    }

    /// One-off least-cost path by A* with an octile heuristic scaled by the cheapest tile on
    /// the map (admissible, so the path is optimal). Allocates nothing once warm.
    pub fn astar(
        &mut self,
        grid: &TerrainGrid,
        season: Season,
        mobility: Mobility,
        from: Tile,
        to: Tile,
        out: &mut Vec<Tile>,
    ) -> Option<Seconds> {
        out.clear();
        let n = grid.len();
        if self.g.len() != n {
            self.g = vec![0; n];
            self.came = vec![0; n];
            self.stamp = vec![0; n];
            self.closed = vec![0; n];
            self.generation = 0;
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.fill(0);
            self.closed.fill(0);
            self.generation = 1;
        }
        let gen_ = self.generation;
        let costs = grid.costs(season, mobility);
        let cheapest = u64::from(*costs.iter().min().unwrap_or(&1));
        let (w, h) = (i32::from(grid.width), i32::from(grid.height));
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
        self.g[s] = 0;
        self.stamp[s] = gen_;
        self.came[s] = s as u32;
        self.heap.push(Reverse((
            heuristic(i32::from(from.x), i32::from(from.y)),
            s as u32,
        )));
        while let Some(Reverse((_, i))) = self.heap.pop() {
            let i = i as usize;
            if self.closed[i] == gen_ {
                continue;
            }
            self.closed[i] = gen_;
            if i == t {
                break;
            }
            let gi = self.g[i];
            let (x, y) = ((i % w as usize) as i32, (i / w as usize) as i32);
            for (k, (dx, dy)) in DIRS.iter().enumerate() {
                let (nx, ny) = (x + dx, y + dy);
                if nx < 0 || ny < 0 || nx >= w || ny >= h {
                    continue;
                }
                let j = (ny * w + nx) as usize;
                if self.closed[j] == gen_ {
                    continue;
                }
                let Some(c) = step_cost(costs[i], costs[j], k >= 4) else {
                    continue;
                };
                let ng = gi.saturating_add(c);
                if self.stamp[j] != gen_ || ng < self.g[j] {
                    self.stamp[j] = gen_;
                    self.g[j] = ng;
                    self.came[j] = i as u32;
                    self.heap
                        .push(Reverse((u64::from(ng) + heuristic(nx, ny), j as u32)));
                }
            }
        }
        if self.closed[t] != gen_ {
            return None;
        }
        let mut i = t;
        out.push(grid.tile(i));
        while i != s {
            i = self.came[i] as usize;
            out.push(grid.tile(i));
        }
        out.reverse();
        Some(self.g[t])
    }
}
