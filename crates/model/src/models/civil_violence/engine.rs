//! The state of the civil violence world and one tick of Epstein's rules.
//!
//! Agents are kept in dense arrays in one resource rather than as ECS entities: a tick
//! visits every agent in a fresh random order and each acts on the state its predecessors
//! left, which is a sequential loop over flat vectors. A count grid holds, for every cell,
//! the number of cops and of active citizens that a citizen standing there would see; it
//! changes only when an agent moves or changes state, so a citizen's check is one lookup.
//! Bit grids of occupied cells and of cells holding an active citizen keep the random
//! empty-cell draws and the cops' search for suspects in cache.

use super::grid::{BitGrid, Neighbourhood, Torus};
use super::params::{CivilViolenceParams, UpdateOrder};
use crate::domains::society::grievance::{arrest_probability, grievance, is_active};
use crate::engine::observation::{Marker, MarkerKind};
use crate::engine::rng::{ModelRng, RngExt};
use bevy_ecs::prelude::*;

const EMPTY: u32 = u32::MAX;
/// The jail term of a citizen who is never released.
const LIFE: u32 = u32::MAX;
/// Draws of a random cell before falling back to counting the empty cells.
const REJECTION_TRIES: u32 = 32;

/// How many turns ahead a citizen's record is prefetched.
const PREFETCH_AHEAD: usize = 12;

/// Asks the CPU to bring the cache line of `*p` in; a hint with no effect on results.
#[inline(always)]
fn prefetch<T>(p: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch never faults and changes no state visible to the program.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((p as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Fisher-Yates shuffle.
fn shuffle(order: &mut [u32], rng: &mut ModelRng) {
    for i in (1..order.len()).rev() {
        let j = rng.random_range(0..=i as u32) as usize;
        order.swap(i, j);
    }
}

/// A citizen's condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Condition {
    Quiet,
    Active,
    Jailed,
}

/// One citizen, packed so that a turn touches one cache line.
#[derive(Clone, Copy, Debug)]
struct Citizen {
    hardship: f64,
    risk_aversion: f64,
    /// The citizen's cell (a jailed citizen keeps the cell of its arrest).
    cell: u32,
    jail_term: u32,
    condition: Condition,
}

/// What a citizen on a cell sees, packed in one `u32`: the cops within vision in the low 16
/// bits, the active citizens in the high 16 (itself excluded). Counts never go below zero
/// nor above 65535 (the neighbourhood is smaller), so adding or subtracting a unit never
/// carries from one half into the other, and a move updates whole words.
const COP: u32 = 1;
const ACTIVE: u32 = 1 << 16;

#[inline]
fn unit(unit: u32, up: bool) -> u32 {
    if up { unit } else { unit.wrapping_neg() }
}

#[inline]
fn cops_in(seen: u32) -> u32 {
    seen & 0xFFFF
}

#[inline]
fn actives_in(seen: u32) -> u32 {
    seen >> 16
}

/// Outbursts: maximal runs of ticks with more actives than the threshold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outbursts {
    pub count: u32,
    /// Ticks of the quiet spells between outbursts (end of one to start of the next), summed.
    pub waiting_ticks: u64,
    /// Ticks from the start of one outburst to the start of the next, summed.
    pub interval_ticks: u64,
    pub ticks_above: u64,
    pub peak_actives: u32,
    pub peak_tick: Option<u64>,
    in_outburst: bool,
    last_start: Option<u64>,
    last_end: Option<u64>,
}

impl Outbursts {
    fn observe(&mut self, tick: u64, actives: u32, threshold: u32) {
        if actives > self.peak_actives || self.peak_tick.is_none() {
            self.peak_actives = actives;
            self.peak_tick = Some(tick);
        }
        if actives > threshold {
            self.ticks_above += 1;
            if !self.in_outburst {
                self.in_outburst = true;
                self.count += 1;
                if let Some(end) = self.last_end {
                    self.waiting_ticks += tick - end - 1;
                }
                if let Some(start) = self.last_start {
                    self.interval_ticks += tick - start;
                }
                self.last_start = Some(tick);
            }
        } else if self.in_outburst {
            self.in_outburst = false;
            self.last_end = Some(tick - 1);
        }
    }

    /// Mean length of the quiet spells between consecutive outbursts, if there were two.
    pub fn mean_waiting_time(&self) -> Option<f64> {
        (self.count >= 2).then(|| self.waiting_ticks as f64 / f64::from(self.count - 1))
    }

    /// Mean time from the start of one outburst to the start of the next.
    pub fn mean_interval(&self) -> Option<f64> {
        (self.count >= 2).then(|| self.interval_ticks as f64 / f64::from(self.count - 1))
    }
}

/// The civil violence world: the torus, its citizens and cops, and the count grids.
#[derive(Resource, Clone)]
pub struct CivilViolence {
    pub params: CivilViolenceParams,
    torus: Torus,
    hood: Neighbourhood,
    /// The citizen on each cell holding an active one (stale elsewhere): a cop needs to know
    /// whom it arrests, and keeping this for actives only spares every move of a quiet
    /// citizen or a cop two writes far apart in memory.
    active_citizen: Vec<u32>,
    occupied: BitGrid,
    /// Cells holding an active citizen.
    active_at: BitGrid,
    seen: Vec<u32>,
    people: Vec<Citizen>,
    /// Each cop's cell (`EMPTY` once withdrawn).
    cop_cell: Vec<u32>,
    /// Cops still on duty.
    on_duty: Vec<u32>,
    /// The update order, reshuffled each tick.
    order: Vec<u32>,
    legitimacy: f64,
    actives: u32,
    jailed: u32,
    arrests: u64,
    pub outbursts: Outbursts,
    ticks: u64,
}

impl CivilViolence {
    /// Places the cops, then the citizens, on distinct random cells; every citizen starts
    /// quiet with H and R drawn from U(0, 1).
    pub fn new(params: CivilViolenceParams, rng: &mut ModelRng) -> Self {
        let torus = Torus {
            width: params.width,
            height: params.height,
        };
        let hood = Neighbourhood::new(params.neighbourhood, params.vision);
        let cells = torus.cells();
        let (citizens, cops) = (params.citizens(), params.cops());
        assert!(
            citizens as usize + cops as usize <= cells,
            "more agents than cells"
        );
        // A partial Fisher-Yates shuffle of the cells: the first `cops` go to the cops
        // (Epstein and NetLogo place them first), the next `citizens` to the citizens.
        let mut free: Vec<u32> = (0..cells as u32).collect();
        for i in 0..(citizens + cops) as usize {
            let j = rng.random_range(i..cells);
            free.swap(i, j);
        }
        let mut cv = Self {
            legitimacy: params.legitimacy,
            params,
            torus,
            active_citizen: vec![EMPTY; cells],
            occupied: BitGrid::new(cells),
            active_at: BitGrid::new(cells),
            seen: vec![0u32; cells],
            people: Vec::with_capacity(citizens as usize),
            cop_cell: free[..cops as usize].to_vec(),
            on_duty: (citizens..citizens + cops).collect(),
            order: (0..citizens + cops).collect(),
            actives: 0,
            jailed: 0,
            arrests: 0,
            outbursts: Outbursts::default(),
            ticks: 0,
            hood,
        };
        for &cell in &free[..cops as usize] {
            cv.occupied.set(cell as usize);
            cv.torus.bump(&mut cv.seen, &cv.hood, cell, COP);
        }
        for &cell in &free[cops as usize..(citizens + cops) as usize] {
            let hardship = rng.random::<f64>();
            let risk_aversion = rng.random::<f64>();
            cv.people.push(Citizen {
                hardship,
                risk_aversion,
                cell,
                jail_term: 0,
                condition: Condition::Quiet,
            });
            cv.occupied.set(cell as usize);
        }
        cv
    }

    pub fn citizens(&self) -> u32 {
        self.people.len() as u32
    }

    pub fn actives(&self) -> u32 {
        self.actives
    }

    pub fn jailed(&self) -> u32 {
        self.jailed
    }

    pub fn quiet(&self) -> u32 {
        self.citizens() - self.actives - self.jailed
    }

    pub fn cops(&self) -> u32 {
        self.on_duty.len() as u32
    }

    pub fn legitimacy(&self) -> f64 {
        self.legitimacy
    }

    pub fn arrests(&self) -> u64 {
        self.arrests
    }

    pub fn ticks(&self) -> u64 {
        self.ticks
    }

    pub fn condition(&self, citizen: u32) -> Condition {
        self.people[citizen as usize].condition
    }

    /// Runs tick number `self.ticks()`: the schedules, then every agent in a random order.
    pub fn step(&mut self, rng: &mut ModelRng) {
        let tick = self.ticks;
        self.legitimacy = self
            .params
            .legitimacy_schedule
            .at(self.params.legitimacy, tick);
        let target = self.params.cop_schedule.at(self.params.cop_density, tick);
        let target = (target * self.torus.cells() as f64).round() as usize;
        while self.on_duty.len() > target {
            let i = rng.random_range(0..self.on_duty.len());
            let cop = self.on_duty.swap_remove(i);
            let k = (cop - self.citizens()) as usize;
            let cell = self.cop_cell[k];
            self.torus
                .bump(&mut self.seen, &self.hood, cell, unit(COP, false));
            self.occupied.clear(cell as usize);
            self.cop_cell[k] = EMPTY;
        }
        // More cops than on duty: only when the density was raised during the run (a
        // classroom lever; schedules only lower it), so runs without that draw nothing here.
        while self.on_duty.len() < target && self.deploy_cop(rng) {}
        let citizens = self.citizens();
        let mut order = std::mem::take(&mut self.order);
        match self.params.update_order {
            UpdateOrder::Interleaved => shuffle(&mut order, rng),
            // The order starts as all citizens then all cops and each part is only ever
            // shuffled within itself, so the split holds from tick to tick.
            UpdateOrder::CitizensThenCops => {
                let (people, cops) = order.split_at_mut(citizens as usize);
                shuffle(people, rng);
                shuffle(cops, rng);
            }
        }
        for (n, &agent) in order.iter().enumerate() {
            // Agents come in a random order, so each turn would start by waiting for its
            // citizen's record to arrive from memory (most of the time of a large world):
            // ask for the record of the agent a few turns ahead.
            if let Some(&ahead) = order.get(n + PREFETCH_AHEAD)
                && ahead < citizens
            {
                prefetch(&self.people[ahead as usize]);
            }
            if agent < citizens {
                self.citizen_turn(agent, rng);
            } else {
                self.cop_turn(agent, rng);
            }
        }
        self.order = order;
        self.outbursts
            .observe(tick, self.actives, self.params.outburst_threshold);
        self.ticks += 1;
    }

    /// Puts a cop on duty on a uniformly random empty cell: a withdrawn one back, else a
    /// new one. False when the grid is full.
    fn deploy_cop(&mut self, rng: &mut ModelRng) -> bool {
        let cells = self.torus.cells();
        let empty = cells as u32 - self.occupied.count(0, cells);
        if empty == 0 {
            return false;
        }
        let mut k = rng.random_range(0..empty);
        let mut cell = 0u32;
        for c in 0..cells {
            if !self.occupied.get(c) {
                if k == 0 {
                    cell = c as u32;
                    break;
                }
                k -= 1;
            }
        }
        let citizens = self.citizens();
        let j = match self.cop_cell.iter().position(|&c| c == EMPTY) {
            Some(k) => citizens + k as u32,
            None => {
                self.cop_cell.push(EMPTY);
                let j = citizens + self.cop_cell.len() as u32 - 1;
                self.order.push(j);
                j
            }
        };
        self.cop_cell[(j - citizens) as usize] = cell;
        self.occupied.set(cell as usize);
        self.torus
            .bump(&mut self.seen, &self.hood, cell, unit(COP, true));
        self.on_duty.push(j);
        true
    }

    /// A uniformly random empty cell within vision of `cell`, if there is one: rejection
    /// sampling, then (after many misses) a count of the empty cells.
    #[inline]
    fn random_empty_near(&self, cell: u32, rng: &mut ModelRng) -> Option<u32> {
        let offsets = &self.hood.offsets;
        let xy = self.torus.xy(cell);
        for _ in 0..REJECTION_TRIES {
            let o = offsets[rng.random_range(0..offsets.len() as u32) as usize];
            let c = self.torus.offset_xy(xy, o);
            if !self.occupied.get(c as usize) {
                return Some(c);
            }
        }
        let mut occupied = 0u32;
        self.torus.for_each_slice(&self.hood, cell, |a, b| {
            occupied += self.occupied.count(a, b)
        });
        // The centre is occupied (by the caller) and part of the slices.
        let empty = (self.hood.size() as u32 + 1).saturating_sub(occupied);
        if empty == 0 {
            return None;
        }
        let mut k = rng.random_range(0..empty);
        let mut found = None;
        self.torus.for_each_slice(&self.hood, cell, |a, b| {
            if found.is_none() {
                for c in a..b {
                    if !self.occupied.get(c) {
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

    /// A uniformly random empty cell anywhere.
    fn random_empty_anywhere(&self, rng: &mut ModelRng) -> Option<u32> {
        let cells = self.torus.cells() as u32;
        for _ in 0..REJECTION_TRIES {
            let c = rng.random_range(0..cells);
            if !self.occupied.get(c as usize) {
                return Some(c);
            }
        }
        let empty: Vec<u32> = (0..cells)
            .filter(|&c| !self.occupied.get(c as usize))
            .collect();
        (!empty.is_empty()).then(|| empty[rng.random_range(0..empty.len())])
    }

    /// Citizen `i` is active on `cell` (it turned active there, or arrived active).
    #[inline]
    fn mark_active(&mut self, cell: u32, i: u32) {
        self.torus
            .bump(&mut self.seen, &self.hood, cell, unit(ACTIVE, true));
        self.active_at.set(cell as usize);
        self.active_citizen[cell as usize] = i;
    }

    /// The active citizen on `cell` turned quiet, left or was arrested.
    #[inline]
    fn unmark_active(&mut self, cell: u32) {
        self.torus
            .bump(&mut self.seen, &self.hood, cell, unit(ACTIVE, false));
        self.active_at.clear(cell as usize);
    }

    fn citizen_turn(&mut self, i: u32, rng: &mut ModelRng) {
        let iu = i as usize;
        let mut me = self.people[iu];
        if me.condition == Condition::Jailed {
            if me.jail_term > 0 {
                if me.jail_term != LIFE {
                    self.people[iu].jail_term -= 1;
                }
                return;
            }
            // Released: back on the cell of the arrest if it is free, else nearby, else
            // anywhere.
            let cell = if !self.occupied.get(me.cell as usize) {
                Some(me.cell)
            } else {
                self.random_empty_near(me.cell, rng)
                    .or_else(|| self.random_empty_anywhere(rng))
            };
            let Some(cell) = cell else { return };
            self.occupied.set(cell as usize);
            me.cell = cell;
            me.condition = Condition::Quiet;
            self.jailed -= 1;
        }
        let was_active = me.condition == Condition::Active;
        let mut moved = false;
        if self.params.movement
            && let Some(to) = self.random_empty_near(me.cell, rng)
        {
            if was_active {
                self.unmark_active(me.cell);
            }
            self.occupied.clear(me.cell as usize);
            self.occupied.set(to as usize);
            me.cell = to;
            moved = true;
        }
        let a = &self.params.activation;
        let g = grievance(me.hardship, self.legitimacy);
        // Without any perceived risk the rule can only be met if G > T; skip the lookup
        // and the exponential for everyone else.
        let active = is_active(g, me.risk_aversion, 0.0, a.threshold) && {
            let seen = self.seen[me.cell as usize];
            // Epstein's A counts the agent itself.
            let p = arrest_probability(a.k, cops_in(seen), 1 + actives_in(seen), a.arrest_rule);
            is_active(g, me.risk_aversion, p, a.threshold)
        };
        if active && (moved || !was_active) {
            self.mark_active(me.cell, i);
        } else if !active && was_active && !moved {
            self.unmark_active(me.cell);
        }
        if active != was_active {
            if active {
                self.actives += 1;
            } else {
                self.actives -= 1;
            }
        }
        me.condition = if active {
            Condition::Active
        } else {
            Condition::Quiet
        };
        self.people[iu] = me;
    }

    fn cop_turn(&mut self, j: u32, rng: &mut ModelRng) {
        let k = (j - self.citizens()) as usize;
        let mut cell = self.cop_cell[k];
        if cell == EMPTY {
            return; // withdrawn
        }
        if self.params.cops_move
            && let Some(to) = self.random_empty_near(cell, rng)
        {
            self.move_cop(j, cell, to);
            cell = to;
        }
        let seen = actives_in(self.seen[cell as usize]);
        if seen == 0 {
            return;
        }
        // The k-th active citizen within vision, k uniform.
        let mut nth = rng.random_range(0..seen);
        let mut at = None;
        self.torus.for_each_slice(&self.hood, cell, |a, b| {
            if at.is_none() {
                at = self.active_at.nth(a, b, &mut nth);
            }
        });
        let Some(at) = at else {
            debug_assert!(false, "the active count of cell {cell} is stale");
            return;
        };
        let suspect = self.active_citizen[at] as usize;
        let at = at as u32;
        self.unmark_active(at);
        self.people[suspect].condition = Condition::Jailed;
        self.people[suspect].jail_term = match self.params.max_jail_term {
            Some(max) => rng.random_range(0..=max).min(LIFE - 1),
            None => LIFE,
        };
        self.actives -= 1;
        self.jailed += 1;
        self.arrests += 1;
        self.occupied.clear(at as usize);
        // The cop takes the arrested citizen's cell (NetLogo, Mesa).
        self.move_cop(j, cell, at);
    }

    fn move_cop(&mut self, j: u32, from: u32, to: u32) {
        self.torus
            .bump(&mut self.seen, &self.hood, from, unit(COP, false));
        self.occupied.clear(from as usize);
        self.occupied.set(to as usize);
        let k = (j - self.citizens()) as usize;
        self.cop_cell[k] = to;
        self.torus
            .bump(&mut self.seen, &self.hood, to, unit(COP, true));
    }

    /// The citizens on the grid (quiet or active, coloured by grievance) and the cops on
    /// duty, at their cells' centres, for views.
    pub fn markers(&self, out: &mut Vec<Marker>) {
        for c in &self.people {
            let kind = match c.condition {
                Condition::Jailed => continue,
                Condition::Active => MarkerKind::Active,
                Condition::Quiet => MarkerKind::Quiet,
            };
            let (x, y) = self.torus.xy(c.cell);
            out.push(Marker {
                kind,
                x: x as f32 + 0.5,
                y: y as f32 + 0.5,
                size: 1.0,
                value: grievance(c.hardship, self.legitimacy) as f32,
            });
        }
        for &cell in self.cop_cell.iter().filter(|&&c| c != EMPTY) {
            let (x, y) = self.torus.xy(cell);
            out.push(Marker {
                kind: MarkerKind::Cop,
                x: x as f32 + 0.5,
                y: y as f32 + 0.5,
                size: 1.0,
                value: f32::NAN,
            });
        }
    }

    /// Recomputes every count from scratch and compares (for tests).
    pub fn check_consistency(&self) -> Result<(), String> {
        let cells = self.torus.cells();
        let mut seen = vec![0u32; cells];
        let mut occupant = vec![EMPTY; cells];
        let mut active_at = BitGrid::new(cells);
        let (mut n_active, mut n_jailed) = (0, 0);
        for (i, c) in self.people.iter().enumerate() {
            match c.condition {
                Condition::Jailed => {
                    n_jailed += 1;
                    continue;
                }
                Condition::Active => {
                    n_active += 1;
                    self.torus
                        .bump(&mut seen, &self.hood, c.cell, unit(ACTIVE, true));
                    active_at.set(c.cell as usize);
                }
                Condition::Quiet => {}
            }
            if occupant[c.cell as usize] != EMPTY {
                return Err(format!("two agents on cell {}", c.cell));
            }
            occupant[c.cell as usize] = i as u32;
        }
        for (k, &cell) in self.cop_cell.iter().enumerate() {
            if cell != EMPTY {
                if occupant[cell as usize] != EMPTY {
                    return Err(format!("two agents on cell {cell}"));
                }
                occupant[cell as usize] = self.citizens() + k as u32;
                self.torus
                    .bump(&mut seen, &self.hood, cell, unit(COP, true));
            }
        }
        for (c, &who) in occupant.iter().enumerate() {
            if active_at.get(c) && self.active_citizen[c] != who {
                return Err(format!(
                    "cell {c}: the active citizen is {who}, not {}",
                    self.active_citizen[c]
                ));
            }
        }
        if (0..cells).any(|c| self.occupied.get(c) != (occupant[c] != EMPTY)) {
            return Err("stale occupancy bits".into());
        }
        if active_at != self.active_at {
            return Err("stale active bits".into());
        }
        if seen != self.seen {
            return Err("stale counts in vision".into());
        }
        if n_active != self.actives || n_jailed != self.jailed {
            return Err(format!(
                "counted {n_active} active, {n_jailed} jailed; kept {} and {}",
                self.actives, self.jailed
            ));
        }
        Ok(())
    }
}
