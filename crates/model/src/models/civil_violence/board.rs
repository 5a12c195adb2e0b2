//! What an agent's turn reads and writes, in two forms: the whole world held exclusively
//! (random sequential activation, one agent at a time), and a tile's share of it held by
//! several threads at once (activation by colour classes, [`super::colour`]).
//!
//! The rules ([`super::rules`]) are written once against [`Board`], so both schedules run
//! the same code.

use super::engine::{Citizen, Condition};
use super::grid::{BitGrid, CountGrid, Lanes, Margins, Neighbourhood, Reach, Torus};
use crate::engine::cache::prefetch;
use crate::engine::rng::{ModelRng, RngExt};
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

/// Draws of a random cell before falling back to counting the empty cells.
pub(super) const REJECTION_TRIES: u32 = 32;

/// The turn cannot finish within its tile: a released citizen finds no free cell within
/// vision and would have to look anywhere on the grid. Such turns are replayed one at a
/// time once the tiles are done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Deferred;

/// The cells and agents a turn acts on.
pub(super) trait Board {
    fn torus(&self) -> Torus;
    fn hood(&self) -> &Neighbourhood;
    /// The neighbourhood's cells by table lookups.
    fn reach(&self) -> &Reach;
    fn citizen(&self, i: u32) -> Citizen;
    /// Asks for citizen `i`'s record to be brought into the cache (a hint).
    fn prefetch_citizen(&self, i: u32);
    fn put_citizen(&mut self, i: u32, c: Citizen);
    /// Citizen `i` now stands on `cell` in `condition` (the rest of its record unchanged):
    /// two fields written rather than the whole record.
    fn settle_citizen(&mut self, i: u32, cell: u32, condition: Condition);
    /// The cell of cop number `k` (counted from the first cop).
    fn cop_cell(&self, k: usize) -> u32;
    fn put_cop_cell(&mut self, k: usize, cell: u32);
    fn occupied(&self, cell: usize) -> bool;
    fn occupy(&mut self, cell: usize);
    fn vacate(&mut self, cell: usize);
    /// Occupied cells in `a..b`.
    fn occupied_count(&self, a: usize, b: usize) -> u32;
    /// The packed cop and active counts within vision of `cell` (see `engine::COP`).
    fn seen(&self, cell: u32) -> u32;
    /// Adds `delta` to the counts of every cell that sees `cell`.
    fn bump(&mut self, cell: u32, delta: u32);
    /// Citizen `i`, active, stands on `cell`.
    fn set_active(&mut self, cell: u32, i: u32);
    fn clear_active(&mut self, cell: u32);
    /// The active citizen on `cell` (which must hold one).
    fn active_citizen(&self, cell: usize) -> u32;
    /// The `k`-th cell holding an active in `a..b`, or `k` less the actives there.
    fn nth_active(&self, a: usize, b: usize, k: &mut u32) -> Option<usize>;
    /// A uniformly random empty cell anywhere, or [`Deferred`] where the board holds only
    /// a tile's share of the world.
    fn empty_anywhere(&self, rng: &mut ModelRng) -> Result<Option<u32>, Deferred>;
}

/// The whole world, borrowed exclusively.
pub(super) struct Exclusive<'a> {
    pub torus: Torus,
    pub hood: &'a Neighbourhood,
    pub reach: &'a Reach,
    pub people: &'a mut [Citizen],
    pub cop_cell: &'a mut [u32],
    pub occupied: &'a mut BitGrid,
    pub active_at: &'a mut BitGrid,
    pub seen: &'a mut CountGrid,
    pub active_citizen: &'a mut [u32],
}

impl Board for Exclusive<'_> {
    #[inline]
    fn torus(&self) -> Torus {
        self.torus
    }
    #[inline]
    fn hood(&self) -> &Neighbourhood {
        self.hood
    }
    #[inline]
    fn reach(&self) -> &Reach {
        self.reach
    }
    #[inline]
    fn citizen(&self, i: u32) -> Citizen {
        self.people[i as usize]
    }
    #[inline]
    fn prefetch_citizen(&self, i: u32) {
        if let Some(c) = self.people.get(i as usize) {
            prefetch(c);
        }
    }
    #[inline]
    fn put_citizen(&mut self, i: u32, c: Citizen) {
        self.people[i as usize] = c;
    }
    #[inline]
    fn settle_citizen(&mut self, i: u32, cell: u32, condition: Condition) {
        let c = &mut self.people[i as usize];
        c.cell = cell;
        c.condition = condition;
    }
    #[inline]
    fn cop_cell(&self, k: usize) -> u32 {
        self.cop_cell[k]
    }
    #[inline]
    fn put_cop_cell(&mut self, k: usize, cell: u32) {
        self.cop_cell[k] = cell;
    }
    #[inline]
    fn occupied(&self, cell: usize) -> bool {
        self.occupied.get(cell)
    }
    #[inline]
    fn occupy(&mut self, cell: usize) {
        self.occupied.set(cell);
    }
    #[inline]
    fn vacate(&mut self, cell: usize) {
        self.occupied.clear(cell);
    }
    #[inline]
    fn occupied_count(&self, a: usize, b: usize) -> u32 {
        self.occupied.count(a, b)
    }
    #[inline]
    fn seen(&self, cell: u32) -> u32 {
        self.seen.get(cell)
    }
    #[inline]
    fn bump(&mut self, cell: u32, delta: u32) {
        self.seen.bump(cell, delta);
    }
    #[inline]
    fn set_active(&mut self, cell: u32, i: u32) {
        self.active_at.set(cell as usize);
        self.active_citizen[cell as usize] = i;
    }
    #[inline]
    fn clear_active(&mut self, cell: u32) {
        self.active_at.clear(cell as usize);
    }
    #[inline]
    fn active_citizen(&self, cell: usize) -> u32 {
        self.active_citizen[cell]
    }
    #[inline]
    fn nth_active(&self, a: usize, b: usize, k: &mut u32) -> Option<usize> {
        self.active_at.nth(a, b, k)
    }
    fn empty_anywhere(&self, rng: &mut ModelRng) -> Result<Option<u32>, Deferred> {
        let cells = self.torus.cells() as u32;
        for _ in 0..REJECTION_TRIES {
            let c = rng.random_range(0..cells);
            if !self.occupied.get(c as usize) {
                return Ok(Some(c));
            }
        }
        let empty: Vec<u32> = (0..cells)
            .filter(|&c| !self.occupied.get(c as usize))
            .collect();
        Ok((!empty.is_empty()).then(|| empty[rng.random_range(0..empty.len())]))
    }
}

/// A raw slice that several threads write at once, each to its own elements.
#[derive(Clone, Copy)]
struct Raw<T> {
    ptr: *mut T,
    len: usize,
}

impl<T: Copy> Raw<T> {
    fn new(s: &mut [T]) -> Self {
        Self {
            ptr: s.as_mut_ptr(),
            len: s.len(),
        }
    }

    #[inline]
    fn get(self, i: usize) -> T {
        assert!(i < self.len);
        // SAFETY: in bounds; no other thread writes element `i` during the phase (the
        // colour classes keep every tile's cells and agents apart, see `super::colour`).
        unsafe { self.ptr.add(i).read() }
    }

    /// Elements `a..b`, for one thread's exclusive use during the phase.
    /// (A bump's window also covers lanes it adds nothing to, which must not be written
    /// meanwhile either: they are within r + 1 of the bump, see `super::colour`.)
    #[inline]
    #[allow(clippy::mut_from_ref)]
    fn span(&self, a: usize, b: usize) -> &mut [T] {
        assert!(a <= b && b <= self.len);
        // SAFETY: in bounds; no other thread reads or writes these elements while the
        // slice lives (the caller's cells, see `get`), and the caller holds no other
        // reference to them.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(a), b - a) }
    }

    #[inline]
    fn put(self, i: usize, v: T) {
        assert!(i < self.len);
        // SAFETY: as in `get`: no other thread reads or writes element `i` meanwhile.
        unsafe { self.ptr.add(i).write(v) }
    }
}

impl Lanes for Raw<u32> {
    #[inline]
    fn lanes(&mut self, a: usize, b: usize) -> &mut [u32] {
        self.span(a, b)
    }
    #[inline]
    fn lane(&self, i: usize) -> u32 {
        self.get(i)
    }
    #[inline]
    fn entries(&self) -> usize {
        self.len
    }
    #[inline]
    fn window(&mut self, a: usize) -> *mut u32 {
        // The caller checks the window against `entries` and writes only its own cells'
        // entries, as with `span`.
        self.ptr.wrapping_add(a)
    }
}

/// A bit grid that several threads write at once: a word can hold cells of two tiles, so
/// every access is atomic (relaxed: the tiles' cells are disjoint, only the words are
/// shared, and the phase ends with the join of all its tasks).
#[derive(Clone, Copy)]
struct RawBits {
    ptr: *mut u64,
    len: usize,
}

impl RawBits {
    fn new(g: &mut BitGrid) -> Self {
        let words = g.words_mut();
        Self {
            ptr: words.as_mut_ptr(),
            len: words.len(),
        }
    }

    #[inline]
    fn word(&self, cell: usize) -> &AtomicU64 {
        let w = cell >> 6;
        assert!(w < self.len);
        // SAFETY: in bounds, aligned (a `u64` of a `Vec<u64>`), and while the board lives
        // the grid is borrowed mutably by it, so every access to it goes through atomics.
        unsafe { AtomicU64::from_ptr(self.ptr.add(w)) }
    }

    #[inline]
    fn get(self, cell: usize) -> bool {
        self.word(cell).load(Ordering::Relaxed) >> (cell & 63) & 1 != 0
    }

    #[inline]
    fn set(self, cell: usize) {
        self.word(cell)
            .fetch_or(1 << (cell & 63), Ordering::Relaxed);
    }

    #[inline]
    fn clear(self, cell: usize) {
        self.word(cell)
            .fetch_and(!(1 << (cell & 63)), Ordering::Relaxed);
    }
}

/// A tile's view of the world during one colour phase, copied to every task of the phase.
/// Created by [`Shared::new`] from the exclusively borrowed world, so nothing else
/// touches the arrays meanwhile; the tasks touch disjoint cells and agents.
#[derive(Clone, Copy)]
pub(super) struct Shared<'a> {
    torus: Torus,
    hood: &'a Neighbourhood,
    reach: &'a Reach,
    people: Raw<Citizen>,
    cop_cell: Raw<u32>,
    margins: &'a Margins,
    seen: Raw<u32>,
    active_citizen: Raw<u32>,
    occupied: RawBits,
    active_at: RawBits,
    _borrow: PhantomData<&'a mut ()>,
}

// SAFETY: the tasks of one phase hold copies of the same `Shared`; each writes only cells
// within its footprint and agents starting in its tile, and same-coloured tiles' footprints
// are disjoint (`super::colour`); the bit grids, whose words straddle tiles, are atomic.
unsafe impl Send for Shared<'_> {}
// SAFETY: as for `Send`.
unsafe impl Sync for Shared<'_> {}

impl<'a> Shared<'a> {
    pub fn new(world: &'a mut Exclusive<'_>) -> Self {
        let (margins, seen) = world.seen.parts_mut();
        Self {
            margins,
            seen: Raw::new(seen),
            torus: world.torus,
            hood: world.hood,
            reach: world.reach,
            people: Raw::new(world.people),
            cop_cell: Raw::new(world.cop_cell),
            active_citizen: Raw::new(world.active_citizen),
            occupied: RawBits::new(world.occupied),
            active_at: RawBits::new(world.active_at),
            _borrow: PhantomData,
        }
    }
}

impl Board for Shared<'_> {
    #[inline]
    fn torus(&self) -> Torus {
        self.torus
    }
    #[inline]
    fn hood(&self) -> &Neighbourhood {
        self.hood
    }
    #[inline]
    fn reach(&self) -> &Reach {
        self.reach
    }
    #[inline]
    fn citizen(&self, i: u32) -> Citizen {
        self.people.get(i as usize)
    }
    #[inline]
    fn prefetch_citizen(&self, i: u32) {
        if (i as usize) < self.people.len {
            // SAFETY: in bounds; a prefetch reads nothing the program sees.
            prefetch(unsafe { &*self.people.ptr.add(i as usize) });
        }
    }
    #[inline]
    fn put_citizen(&mut self, i: u32, c: Citizen) {
        self.people.put(i as usize, c);
    }
    #[inline]
    fn settle_citizen(&mut self, i: u32, cell: u32, condition: Condition) {
        let i = i as usize;
        assert!(i < self.people.len);
        // SAFETY: in bounds; as in `Raw::put`, no other thread reads or writes citizen `i`
        // meanwhile.
        unsafe {
            let c = self.people.ptr.add(i);
            (*c).cell = cell;
            (*c).condition = condition;
        }
    }
    #[inline]
    fn cop_cell(&self, k: usize) -> u32 {
        self.cop_cell.get(k)
    }
    #[inline]
    fn put_cop_cell(&mut self, k: usize, cell: u32) {
        self.cop_cell.put(k, cell);
    }
    #[inline]
    fn occupied(&self, cell: usize) -> bool {
        self.occupied.get(cell)
    }
    #[inline]
    fn occupy(&mut self, cell: usize) {
        self.occupied.set(cell);
    }
    #[inline]
    fn vacate(&mut self, cell: usize) {
        self.occupied.clear(cell);
    }
    #[inline]
    fn occupied_count(&self, a: usize, b: usize) -> u32 {
        (a..b).filter(|&c| self.occupied.get(c)).count() as u32
    }
    #[inline]
    fn seen(&self, cell: u32) -> u32 {
        self.margins.get(&self.seen, cell)
    }
    #[inline]
    fn bump(&mut self, cell: u32, delta: u32) {
        // Other threads bump other tiles meanwhile: no entry beyond r + 1 is written.
        self.margins.bump_near(&mut self.seen, cell, delta);
    }
    #[inline]
    fn set_active(&mut self, cell: u32, i: u32) {
        self.active_at.set(cell as usize);
        self.active_citizen.put(cell as usize, i);
    }
    #[inline]
    fn clear_active(&mut self, cell: u32) {
        self.active_at.clear(cell as usize);
    }
    #[inline]
    fn active_citizen(&self, cell: usize) -> u32 {
        self.active_citizen.get(cell)
    }
    #[inline]
    fn nth_active(&self, a: usize, b: usize, k: &mut u32) -> Option<usize> {
        for c in a..b {
            if self.active_at.get(c) {
                if *k == 0 {
                    return Some(c);
                }
                *k -= 1;
            }
        }
        None
    }
    fn empty_anywhere(&self, _rng: &mut ModelRng) -> Result<Option<u32>, Deferred> {
        Err(Deferred)
    }
}
