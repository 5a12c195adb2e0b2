//! Activation by colour classes (`scheduling: colour_classes`): a deterministic parallel
//! tick for large grids.
//!
//! The torus is cut into tiles at least `6 r + 2` cells across (r the vision radius), an
//! even number along each axis, and the tiles are coloured like a chessboard in each axis:
//! four colours, and two tiles of one colour are always a whole tile apart. A turn reads
//! and writes only within `3 r + 1` of the agent's cell at the start of the phase (a move
//! within r, the counts within r of the new cell; a released citizen may land r away
//! before it moves; a cop arrests within r of its new cell and takes that cell; a count
//! update's window reaches one column past r and no further: `Margins::bump_near` bumps
//! wider windows span by span), so agents of same-coloured tiles can
//! neither see nor touch each other's cells: the tiles of a colour run at once, on any
//! number of threads, and give the same result.
//!
//! Within a tile the agents act in a random sequential order, as in the reference
//! schedule; the colours follow each other (0 to 3), so an agent sees what the agents of
//! the earlier colours did this tick. Each tile draws from its own stream, keyed by a
//! per-tick seed, the pass and the tile, so the draws do not depend on which thread runs
//! it. With `citizens_then_cops` there are two passes (every citizen, then every cop);
//! with `interleaved`, one pass over both. An agent belongs to the tile of its cell at the
//! start of the pass and acts once. The one turn that needs the whole grid (a released
//! citizen finding no free cell within vision looks anywhere) is deferred to the end of
//! the pass and replayed alone, in the order of the citizens' numbers.

use super::board::{Board, Exclusive, Shared};
use super::engine::{EMPTY, PREFETCH_AHEAD, shuffle};
use super::grid::Torus;
use super::rules::{self, Rules, Tally};
use crate::engine::rng::{self, Purpose};
use rayon::prelude::*;

/// Agents per parallel task when sorting them into tiles.
const GROUP_CHUNK: usize = 16_384;

/// Which agents a pass moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Who {
    Citizens,
    Cops,
    Everyone,
}

/// The tiles, their colours and the scratch space of a pass (kept between ticks).
#[derive(Clone, Debug, Default)]
pub(super) struct Colours {
    nx: u32,
    ny: u32,
    /// The tile column of each grid column, the tile row of each grid row.
    col_tile: Vec<u32>,
    row_tile: Vec<u32>,
    /// Tiles ranked colour by colour, so that a colour's tiles are contiguous.
    rank: Vec<u32>,
    /// The ranks where each colour starts (and the end).
    colour_start: [usize; 5],
    /// Per pass: each agent's tile rank (`EMPTY` for withdrawn cops), the agents grouped by
    /// rank, and where each rank's agents start.
    agent_rank: Vec<u32>,
    members: Vec<u32>,
    starts: Vec<usize>,
    cursor: Vec<usize>,
}

/// Tiles along an axis of `len` cells: as many as fit `min` cells across, rounded down to
/// an even number, or one.
fn tiles_along(len: u32, min: u32) -> u32 {
    let n = len / min.max(1);
    if n >= 2 { n - n % 2 } else { 1 }
}

impl Colours {
    pub fn new(torus: Torus, radius: u32) -> Self {
        let min = 6 * radius + 2;
        let (nx, ny) = (
            tiles_along(torus.width, min),
            tiles_along(torus.height, min),
        );
        // Tile t along an axis covers [t len / n, (t + 1) len / n): at least `min` cells.
        let along = |len: u32, n: u32| -> Vec<u32> {
            (0..len)
                .map(|i| (u64::from(i) * u64::from(n) / u64::from(len)) as u32)
                .collect()
        };
        let colour = |t: u32| ((t % nx) % 2 + 2 * ((t / nx) % 2)) as usize;
        let mut rank = vec![0u32; (nx * ny) as usize];
        let mut colour_start = [0usize; 5];
        let mut next = 0u32;
        for (c, start) in colour_start.iter_mut().take(4).enumerate() {
            *start = next as usize;
            for t in (0..nx * ny).filter(|&t| colour(t) == c) {
                rank[t as usize] = next;
                next += 1;
            }
        }
        colour_start[4] = next as usize;
        Self {
            nx,
            ny,
            col_tile: along(torus.width, nx),
            row_tile: along(torus.height, ny),
            rank,
            colour_start,
            agent_rank: Vec::new(),
            members: Vec::new(),
            starts: Vec::new(),
            cursor: Vec::new(),
        }
    }

    /// Tiles along each axis.
    pub fn tiles(&self) -> (u32, u32) {
        (self.nx, self.ny)
    }

    #[inline]
    fn rank_of(&self, torus: Torus, cell: u32) -> u32 {
        let (x, y) = torus.xy(cell);
        let tile = self.row_tile[y as usize] * self.nx + self.col_tile[x as usize];
        self.rank[tile as usize]
    }

    /// Groups the agents of `who` by tile rank, each group in the order of agent numbers.
    fn group(&mut self, board: &Exclusive, citizens: u32, who: Who) {
        let cops = board.cop_cell.len() as u32;
        let agents = match who {
            Who::Citizens => 0..citizens,
            Who::Cops => citizens..citizens + cops,
            Who::Everyone => 0..citizens + cops,
        };
        let first = agents.start;
        // Each agent's tile, in parallel (reading every record is most of the work).
        self.agent_rank.clear();
        self.agent_rank.resize(agents.len(), EMPTY);
        let mut ranks = std::mem::take(&mut self.agent_rank);
        let this = &*self;
        ranks
            .par_chunks_mut(GROUP_CHUNK)
            .enumerate()
            .for_each(|(k, chunk)| {
                let from = first + (k * GROUP_CHUNK) as u32;
                for (a, r) in (from..).zip(chunk) {
                    let cell = if a < citizens {
                        board.people[a as usize].cell
                    } else {
                        board.cop_cell[(a - citizens) as usize]
                    };
                    if cell != EMPTY {
                        *r = this.rank_of(board.torus, cell);
                    }
                }
            });
        self.agent_rank = ranks;
        self.starts.clear();
        self.starts.resize(self.rank.len() + 1, 0);
        for &r in self.agent_rank.iter().filter(|&&r| r != EMPTY) {
            self.starts[r as usize + 1] += 1;
        }
        for r in 0..self.rank.len() {
            self.starts[r + 1] += self.starts[r];
        }
        self.members.clear();
        self.members.resize(self.starts[self.rank.len()], 0);
        self.cursor.clear();
        self.cursor.extend_from_slice(&self.starts);
        for (n, &r) in self.agent_rank.iter().enumerate() {
            if r != EMPTY {
                self.members[self.cursor[r as usize]] = first + n as u32;
                self.cursor[r as usize] += 1;
            }
        }
    }

    /// One pass: the agents of `who`, tile by tile, the tiles of a colour at once. The
    /// streams are keyed by `seed` (drawn once a tick from the run's generator), `pass`
    /// and the tile, and `tick`.
    pub fn pass(
        &mut self,
        mut board: Exclusive,
        rules: &Rules,
        who: Who,
        seed: u64,
        pass: u64,
        tick: u64,
    ) -> Tally {
        self.group(&board, rules.citizens, who);
        let mut tally = Tally::default();
        let mut deferred = Vec::new();
        for c in 0..4 {
            let ranks = self.colour_start[c]..self.colour_start[c + 1];
            // One task per tile of the colour, each with its own agents to shuffle.
            let mut tasks = Vec::with_capacity(ranks.len());
            let (_, mut rest) = self.members.split_at_mut(self.starts[ranks.start]);
            for r in ranks {
                let (mine, tail) = rest.split_at_mut(self.starts[r + 1] - self.starts[r]);
                rest = tail;
                tasks.push((r as u64, mine, Tally::default(), Vec::new()));
            }
            let shared = Shared::new(&mut board);
            let turn = |(rank, agents, tally, deferred): &mut (u64, &mut [_], Tally, Vec<_>)| {
                let mut b = shared;
                let key = (pass << 32) | *rank;
                let mut rng = rng::stream(seed, Purpose::CivilViolence, key, tick);
                shuffle(agents, &mut rng);
                for (n, &a) in agents.iter().enumerate() {
                    if let Some(&ahead) = agents.get(n + PREFETCH_AHEAD) {
                        b.prefetch_citizen(ahead);
                    }
                    if rules::turn(&mut b, rules, a, &mut rng, tally).is_err() {
                        deferred.push(a);
                    }
                }
            };
            // A forked child whose parent started the pool runs the tiles in turn.
            if crate::engine::threads::pool_usable() {
                tasks.par_iter_mut().for_each(turn);
            } else {
                tasks.iter_mut().for_each(turn);
            }
            for (_, _, t, d) in tasks {
                tally.add(t);
                deferred.extend(d);
            }
        }
        // Turns that need the whole grid, alone, in the order of the agents' numbers.
        deferred.sort_unstable();
        #[cfg(test)]
        DEFERRED.fetch_add(deferred.len(), std::sync::atomic::Ordering::Relaxed);
        let mut rng = rng::stream(
            seed,
            Purpose::CivilViolence,
            (pass << 32) | 0xFFFF_FFFF,
            tick,
        );
        for a in deferred {
            rules::turn(&mut board, rules, a, &mut rng, &mut tally)
                .expect("the whole world is at hand");
        }
        tally
    }
}

/// Turns deferred so far (tests: the path is exercised).
#[cfg(test)]
pub(super) static DEFERRED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_are_wide_enough_and_even() {
        assert_eq!(tiles_along(40, 44), 1);
        assert_eq!(tiles_along(88, 44), 2);
        assert_eq!(tiles_along(131, 44), 2);
        assert_eq!(tiles_along(1000, 44), 22);
        let c = Colours::new(Torus::new(1000, 130), 7);
        assert_eq!(c.tiles(), (22, 2));
        for along in [&c.col_tile, &c.row_tile] {
            let n = along.last().unwrap() + 1;
            for t in 0..n {
                assert!(along.iter().filter(|&&x| x == t).count() >= 44);
            }
        }
        // Each colour's tiles are a whole tile apart along some axis.
        assert_eq!(c.colour_start, [0, 11, 22, 33, 44]);
    }
}
