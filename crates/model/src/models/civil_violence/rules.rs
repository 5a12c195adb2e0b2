//! Epstein's agent rules: a citizen's turn and a cop's turn, on any [`Board`].

use super::board::{Board, Deferred, REJECTION_TRIES};
use super::engine::{ACTIVE, COP, Condition, LIFE, RiskAlone, actives_in, cops_in, unit};
use super::grid::LANES_PER_WORD;
use crate::domains::society::grievance::{grievance, is_active};
use crate::engine::rng::{ModelRng, Rng, RngExt};

/// What the rules read besides the board: the parameters of the tick.
pub(super) struct Rules<'a> {
    pub movement: bool,
    pub cops_move: bool,
    pub threshold: f64,
    pub legitimacy: f64,
    pub max_jail_term: Option<u32>,
    pub risk: &'a RiskAlone,
    /// Agents `0..citizens` are citizens, the rest cops.
    pub citizens: u32,
    /// The count grid fits in cache: every citizen reads its counts (see `citizen_turn`).
    pub small_world: bool,
}

/// Changes to the world's counters, summed over the turns of a tile (or of the tick).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Tally {
    pub actives: i64,
    pub jailed: i64,
    pub arrests: u64,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.actives += other.actives;
        self.jailed += other.jailed;
        self.arrests += other.arrests;
    }
}

/// Agent `agent`'s turn: a citizen's or a cop's.
#[inline(always)]
pub(super) fn turn<B: Board>(
    b: &mut B,
    r: &Rules,
    agent: u32,
    rng: &mut ModelRng,
    t: &mut Tally,
) -> Result<(), Deferred> {
    if agent < r.citizens {
        citizen_turn(b, r, agent, rng, t)
    } else {
        cop_turn(b, r, agent, rng, t);
        Ok(())
    }
}

/// Rounds of five draws (one 64-bit word each) before falling back to counting the empty
/// cells: 35 draws, as many as [`REJECTION_TRIES`] rounded up to whole words.
const LANE_ROUNDS: usize = (REJECTION_TRIES as usize).div_ceil(LANES_PER_WORD);

/// A uniformly random empty cell within vision of `cell`, if there is one: rejection
/// sampling, then (after many misses) a count of the empty cells. `cell` must be occupied
/// (by the agent looking): in a neighbourhood of up to [`super::grid::LANES_UP_TO`] cells
/// a rejected 12-bit draw stands for it. Inlined into every move, the rare count apart.
#[inline(always)]
pub(super) fn random_empty_near<B: Board>(b: &B, cell: u32, rng: &mut ModelRng) -> Option<u32> {
    debug_assert!(
        b.occupied(cell as usize),
        "a draw from an empty cell {cell}"
    );
    let around = b.reach().around(b.torus().xy(cell));
    // The draws on a copy of the generator, written back after: the state stays in
    // registers through the loop.
    let mut g = rng.clone();
    if let Some(lanes) = around.by_lanes() {
        // Five cells from one 64-bit word, tested side by side, the first empty one taken.
        // At run 5's three occupied cells in four one word in four finds none, so the
        // branch below is mostly foreseen; a loop of one draw at a time left at a branch
        // mispredicted at every move, after some four generator steps of a 128-bit
        // multiplication each (run 5 at 40 x 40: 46 -> 36.5 us a tick).
        for _ in 0..LANE_ROUNDS {
            let word = g.next_u64();
            let mut cells = [0u32; LANES_PER_WORD];
            let mut empty = 0u32;
            for (l, c) in cells.iter_mut().enumerate() {
                *c = lanes.cell(word, l);
                empty |= u32::from(!b.occupied(*c as usize)) << l;
            }
            if empty != 0 {
                *rng = g;
                return Some(cells[empty.trailing_zeros() as usize]);
            }
        }
    } else {
        for _ in 0..REJECTION_TRIES {
            let c = around.random_cell(&mut g);
            if !b.occupied(c as usize) {
                *rng = g;
                return Some(c);
            }
        }
    }
    *rng = g;
    count_empty_near(b, cell, rng)
}

/// A uniformly random empty cell within vision of `cell` by a count of the empty cells
/// (after [`REJECTION_TRIES`] or [`LANE_ROUNDS`] rounds of misses).
#[cold]
#[inline(never)]
fn count_empty_near<B: Board>(b: &B, cell: u32, rng: &mut ModelRng) -> Option<u32> {
    let torus = b.torus();
    let hood = b.hood();
    let mut occupied = 0u32;
    torus.for_each_slice(hood, cell, |a, z| occupied += b.occupied_count(a, z));
    // The centre is occupied (by the caller) and part of the slices.
    let empty = (hood.size() as u32 + 1).saturating_sub(occupied);
    if empty == 0 {
        return None;
    }
    let mut k = rng.random_range(0..empty);
    let mut found = None;
    torus.for_each_slice(hood, cell, |a, z| {
        if found.is_none() {
            for c in a..z {
                if !b.occupied(c) {
                    if k == 0 {
                        found = Some(c as u32);
                        return;
                    }
                    k -= 1;
                }
            }
        }
    });
    found
}

/// Citizen `i` is active on `cell` (it turned active there, or arrived active).
#[inline]
fn mark_active<B: Board>(b: &mut B, cell: u32, i: u32) {
    b.bump(cell, unit(ACTIVE, true));
    b.set_active(cell, i);
}

/// The active citizen on `cell` turned quiet, left or was arrested.
#[inline]
fn unmark_active<B: Board>(b: &mut B, cell: u32) {
    b.bump(cell, unit(ACTIVE, false));
    b.clear_active(cell);
}

/// A jailed citizen serves a tick, or is released and acts; a free one moves (if
/// `movement`) and decides.
#[inline(always)]
pub(super) fn citizen_turn<B: Board>(
    b: &mut B,
    r: &Rules,
    i: u32,
    rng: &mut ModelRng,
    t: &mut Tally,
) -> Result<(), Deferred> {
    let mut me = b.citizen(i);
    if me.condition == Condition::Jailed {
        if me.jail_term > 0 {
            if me.jail_term != LIFE {
                me.jail_term -= 1;
                b.put_citizen(i, me);
            }
            return Ok(());
        }
        // Released: back on the cell of the arrest if it is free, else nearby, else
        // anywhere.
        let cell = if !b.occupied(me.cell as usize) {
            Some(me.cell)
        } else {
            match random_empty_near(b, me.cell, rng) {
                Some(c) => Some(c),
                None => b.empty_anywhere(rng)?,
            }
        };
        let Some(cell) = cell else { return Ok(()) };
        b.occupy(cell as usize);
        me.cell = cell;
        me.condition = Condition::Quiet;
        t.jailed -= 1;
    }
    let was_active = me.condition == Condition::Active;
    let mut moved = false;
    if r.movement
        && let Some(to) = random_empty_near(b, me.cell, rng)
    {
        if was_active {
            unmark_active(b, me.cell);
        }
        b.vacate(me.cell as usize);
        b.occupy(to as usize);
        me.cell = to;
        moved = true;
    }
    let g = grievance(me.hardship, r.legitimacy);
    let active = if r.small_world && r.risk.is_non_negative() {
        let seen = b.seen(me.cell);
        // Epstein's A counts the agent itself.
        let (cops, actives) = (cops_in(seen), 1 + actives_in(seen));
        if actives <= 1 {
            // R >= 0 and P >= 0, so G - R P <= G (rounding is monotone): G - R P > T
            // implies G > T, and this one test decides. In a small world, whose counts are
            // all in cache, the lookup costs less than testing G > T first, a coin toss
            // from one citizen to the next that the CPU mispredicts half the time.
            debug_assert!(me.risk_aversion >= 0.0);
            is_active(g, me.risk_aversion, r.risk.alone(cops), r.threshold)
        } else {
            is_active(g, me.risk_aversion, 0.0, r.threshold)
                && is_active(
                    g,
                    me.risk_aversion,
                    r.risk.probability(cops, actives),
                    r.threshold,
                )
        }
    } else {
        // Without any perceived risk the rule can only be met if G > T; in a large world
        // skip the lookup (a likely cache miss) and the exponential for everyone else.
        is_active(g, me.risk_aversion, 0.0, r.threshold) && {
            let seen = b.seen(me.cell);
            let p = r.risk.probability(cops_in(seen), 1 + actives_in(seen));
            is_active(g, me.risk_aversion, p, r.threshold)
        }
    };
    if active && (moved || !was_active) {
        mark_active(b, me.cell, i);
    } else if !active && was_active && !moved {
        unmark_active(b, me.cell);
    }
    if active != was_active {
        t.actives += if active { 1 } else { -1 };
    }
    let condition = if active {
        Condition::Active
    } else {
        Condition::Quiet
    };
    // Only the cell and the condition have changed (a released citizen's term is 0).
    b.settle_citizen(i, me.cell, condition);
    Ok(())
}

/// A cop moves (if `cops_move`), then arrests a random active within vision, if any, and
/// takes its cell.
#[inline]
pub(super) fn cop_turn<B: Board>(b: &mut B, r: &Rules, j: u32, rng: &mut ModelRng, t: &mut Tally) {
    let k = (j - r.citizens) as usize;
    let mut cell = b.cop_cell(k);
    if cell == super::engine::EMPTY {
        return; // withdrawn
    }
    if r.cops_move
        && let Some(to) = random_empty_near(b, cell, rng)
    {
        move_cop(b, k, cell, to);
        cell = to;
    }
    let seen = actives_in(b.seen(cell));
    if seen == 0 {
        return;
    }
    // The k-th active citizen within vision, k uniform.
    let mut nth = rng.random_range(0..seen);
    let mut at = None;
    b.torus().for_each_slice(b.hood(), cell, |a, z| {
        if at.is_none() {
            at = b.nth_active(a, z, &mut nth);
        }
    });
    let Some(at) = at else {
        debug_assert!(false, "the active count of cell {cell} is stale");
        return;
    };
    let suspect = b.active_citizen(at);
    let at = at as u32;
    unmark_active(b, at);
    let mut s = b.citizen(suspect);
    s.condition = Condition::Jailed;
    s.jail_term = match r.max_jail_term {
        Some(max) => rng.random_range(0..=max).min(LIFE - 1),
        None => LIFE,
    };
    b.put_citizen(suspect, s);
    t.actives -= 1;
    t.jailed += 1;
    t.arrests += 1;
    b.vacate(at as usize);
    // The cop takes the arrested citizen's cell (NetLogo, Mesa).
    move_cop(b, k, cell, at);
}

/// Cop number `k` moves from `from` to `to`.
#[inline]
pub(super) fn move_cop<B: Board>(b: &mut B, k: usize, from: u32, to: u32) {
    b.bump(from, unit(COP, false));
    b.vacate(from as usize);
    b.occupy(to as usize);
    b.put_cop_cell(k, to);
    b.bump(to, unit(COP, true));
}
