//! The state of the civil violence world and one tick of Epstein's rules.
//!
//! Agents are kept in dense arrays in one resource rather than as ECS entities: a tick
//! visits every agent in a fresh random order and each acts on the state its predecessors
//! left, which is a sequential loop over flat vectors. A count grid holds, for every cell,
//! the number of cops and of active citizens that a citizen standing there would see; it
//! changes only when an agent moves or changes state, so a citizen's check is one lookup.
//! Bit grids of occupied cells and of cells holding an active citizen keep the random
//! empty-cell draws and the cops' search for suspects in cache.

use super::board::{Board, Exclusive};
use super::colour::{Colours, Who};
use super::grid::{BitGrid, CountGrid, Neighbourhood, Reach, Torus};
use super::params::{CivilViolenceParams, Scheduling, UpdateOrder};
use super::rules::{self, Rules, Tally};
use crate::domains::society::grievance::{
    ActivationParams, ArrestRule, arrest_probability, grievance,
};
use crate::engine::observation::{Marker, MarkerKind};
use crate::engine::rng::{ModelRng, RngExt};
use bevy_ecs::prelude::*;

pub(super) const EMPTY: u32 = u32::MAX;
/// The jail term of a citizen who is never released.
pub(super) const LIFE: u32 = u32::MAX;

/// How many turns ahead a citizen's record is prefetched.
pub(super) const PREFETCH_AHEAD: usize = 12;

/// Cells up to which a world is small: its count grid (4 bytes a cell and its ghosts) fits
/// in a core's cache, so reading a cell's counts costs less than a mispredicted branch.
const SMALL_WORLD: usize = 1 << 16;

/// Citizens from which the sequential tick prefetches their records (512 KB of them).
const PREFETCH_FROM: usize = 1 << 14;

/// The turns of `order` on the whole world, one after the other, prefetching the records
/// of the citizens [`PREFETCH_AHEAD`] turns ahead if `PREFETCH`.
#[inline(always)]
fn turns<const PREFETCH: bool>(
    board: &mut Exclusive<'_>,
    rules: &Rules<'_>,
    order: &[u32],
    rng: &mut ModelRng,
    tally: &mut Tally,
) {
    for (n, &agent) in order.iter().enumerate() {
        if PREFETCH && let Some(&ahead) = order.get(n + PREFETCH_AHEAD) {
            board.prefetch_citizen(ahead);
        }
        // The whole world is at hand: a turn is never deferred.
        let _ = rules::turn(board, rules, agent, rng, tally);
    }
}

/// Fisher-Yates shuffle. The draws are made on a copy of the generator, written back at
/// the end, so that its state stays in registers (the same draws).
pub(super) fn shuffle(order: &mut [u32], rng: &mut ModelRng) {
    let mut g = rng.clone();
    for i in (1..order.len()).rev() {
        let j = g.random_range(0..=i as u32) as usize;
        let head = &mut order[..=i];
        head.swap(i, j);
    }
    *rng = g;
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
pub(super) struct Citizen {
    pub hardship: f64,
    pub risk_aversion: f64,
    /// The citizen's cell (a jailed citizen keeps the cell of its arrest).
    pub cell: u32,
    pub jail_term: u32,
    pub condition: Condition,
}

/// What a citizen on a cell sees, packed in one `u32`: the cops within vision in the low 16
/// bits, the active citizens in the high 16 (itself excluded). Counts never go below zero
/// nor above 65535 (the neighbourhood is smaller), so adding or subtracting a unit never
/// carries from one half into the other, and a move updates whole words.
pub(super) const COP: u32 = 1;
pub(super) const ACTIVE: u32 = 1 << 16;

#[inline]
pub(super) fn unit(unit: u32, up: bool) -> u32 {
    if up { unit } else { unit.wrapping_neg() }
}

#[inline]
pub(super) fn cops_in(seen: u32) -> u32 {
    seen & 0xFFFF
}

#[inline]
pub(super) fn actives_in(seen: u32) -> u32 {
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

/// P for a citizen with no other active in sight (A = 1, the common case) and C cops,
/// indexed by C: the exponential once per cop count rather than once per decision. Built
/// by the same function, so the values are the same to the bit; rebuilt when k or the rule
/// changes (a classroom lever).
#[derive(Clone, Debug)]
pub(super) struct RiskAlone {
    k: f64,
    rule: ArrestRule,
    by_cops: Vec<f64>,
    non_negative: bool,
}

impl RiskAlone {
    fn new(a: &ActivationParams, hood: &Neighbourhood) -> Self {
        let by_cops: Vec<f64> = (0..=hood.size() as u32)
            .map(|c| arrest_probability(a.k, c, 1, a.arrest_rule))
            .collect();
        Self {
            k: a.k,
            rule: a.arrest_rule,
            non_negative: by_cops.iter().all(|&p| p >= 0.0),
            by_cops,
        }
    }

    fn is_for(&self, a: &ActivationParams) -> bool {
        self.k.to_bits() == a.k.to_bits() && self.rule == a.arrest_rule
    }

    /// P for `cops` cops and `actives` actives (the citizen included) within vision.
    #[inline]
    pub(super) fn probability(&self, cops: u32, actives: u32) -> f64 {
        if actives <= 1 {
            self.alone(cops)
        } else {
            arrest_probability(self.k, cops, actives, self.rule)
        }
    }

    /// P for `cops` cops and the citizen the only active within vision.
    #[inline]
    pub(super) fn alone(&self, cops: u32) -> f64 {
        self.by_cops[cops as usize]
    }

    /// Every P of [`Self::alone`] is at least 0 (k >= 0, as validated).
    #[inline]
    pub(super) fn is_non_negative(&self) -> bool {
        self.non_negative
    }
}

/// The civil violence world: the torus, its citizens and cops, and the count grids.
#[derive(Resource, Clone)]
pub struct CivilViolence {
    pub params: CivilViolenceParams,
    torus: Torus,
    hood: Neighbourhood,
    reach: Reach,
    /// The citizen on each cell holding an active one (stale elsewhere): a cop needs to know
    /// whom it arrests, and keeping this for actives only spares every move of a quiet
    /// citizen or a cop two writes far apart in memory.
    active_citizen: Vec<u32>,
    occupied: BitGrid,
    /// Cells holding an active citizen.
    active_at: BitGrid,
    seen: CountGrid,
    risk: RiskAlone,
    people: Vec<Citizen>,
    /// Each cop's cell (`EMPTY` once withdrawn).
    cop_cell: Vec<u32>,
    /// Cops still on duty.
    on_duty: Vec<u32>,
    /// The update order, reshuffled each tick.
    order: Vec<u32>,
    /// The order has been shuffled as a whole (interleaved) since it was last split.
    order_mixed: bool,
    /// Tiles and scratch space for `scheduling: colour_classes`.
    colours: Colours,
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
        let torus = Torus::new(params.width, params.height);
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
        let risk = RiskAlone::new(&params.activation, &hood);
        let mut cv = Self {
            legitimacy: params.legitimacy,
            params,
            torus,
            active_citizen: vec![EMPTY; cells],
            occupied: BitGrid::new(cells),
            active_at: BitGrid::new(cells),
            seen: CountGrid::new(torus, &hood),
            risk,
            people: Vec::with_capacity(citizens as usize),
            cop_cell: free[..cops as usize].to_vec(),
            on_duty: (citizens..citizens + cops).collect(),
            order: (0..citizens + cops).collect(),
            order_mixed: false,
            colours: Colours::new(torus, hood.radius),
            reach: Reach::new(torus, &hood),
            actives: 0,
            jailed: 0,
            arrests: 0,
            outbursts: Outbursts::default(),
            ticks: 0,
            hood,
        };
        for &cell in &free[..cops as usize] {
            cv.occupied.set(cell as usize);
            cv.seen.bump(cell, COP);
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
        if cv.params.scheduling == Scheduling::ColourClasses {
            // The same world, numbered row by row: a tile's agents then sit close together
            // in memory, which makes a large grid's tick several times faster. Numbers
            // only decide the order within a tile before its shuffle.
            cv.people.sort_unstable_by_key(|c| c.cell);
            cv.cop_cell.sort_unstable();
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

    /// Tiles along x and y under `scheduling: colour_classes` (1 x 1: no parallelism).
    pub fn colour_tiles(&self) -> (u32, u32) {
        self.colours.tiles()
    }

    pub fn ticks(&self) -> u64 {
        self.ticks
    }

    /// The citizen's cell (for a jailed one, the cell of its arrest).
    pub fn cell_of(&self, citizen: u32) -> u32 {
        self.people[citizen as usize].cell
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
        if !self.risk.is_for(&self.params.activation) {
            self.risk = RiskAlone::new(&self.params.activation, &self.hood);
        }
        let target = self.params.cop_schedule.at(self.params.cop_density, tick);
        let target = (target * self.torus.cells() as f64).round() as usize;
        while self.on_duty.len() > target {
            let i = rng.random_range(0..self.on_duty.len());
            let cop = self.on_duty.swap_remove(i);
            let k = (cop - self.citizens()) as usize;
            let cell = self.cop_cell[k];
            self.seen.bump(cell, unit(COP, false));
            self.occupied.clear(cell as usize);
            self.cop_cell[k] = EMPTY;
        }
        // More cops than on duty: only when the density was raised during the run (a
        // classroom lever; schedules only lower it), so runs without that draw nothing here.
        while self.on_duty.len() < target && self.deploy_cop(rng) {}
        match self.params.scheduling {
            Scheduling::Sequential => self.sequential_turns(rng),
            Scheduling::ColourClasses => self.colour_turns(rng),
        }
        self.outbursts
            .observe(tick, self.actives, self.params.outburst_threshold);
        self.ticks += 1;
    }

    /// Every agent in turn, in a fresh random order over the whole grid (the reference).
    fn sequential_turns(&mut self, rng: &mut ModelRng) {
        let citizens = self.citizens();
        let mut order = std::mem::take(&mut self.order);
        match self.params.update_order {
            UpdateOrder::Interleaved => {
                shuffle(&mut order, rng);
                self.order_mixed = true;
            }
            // The order starts as all citizens then all cops and each part is only ever
            // shuffled within itself, so the split holds from tick to tick; after ticks
            // in the interleaved order (a classroom lever) it is restored first.
            UpdateOrder::CitizensThenCops => {
                if std::mem::take(&mut self.order_mixed) {
                    order.sort_unstable();
                }
                let (people, cops) = order.split_at_mut(citizens as usize);
                shuffle(people, rng);
                shuffle(cops, rng);
            }
        }
        let (mut board, rules) = self.board();
        let mut tally = Tally::default();
        // Agents come in a random order, so in a large world each turn would start by
        // waiting for its citizen's record to arrive from memory (most of the time of the
        // tick): ask for the record of the agent a few turns ahead. A small world's records
        // are all in cache, and the asking would only add instructions.
        if board.people.len() >= PREFETCH_FROM {
            turns::<true>(&mut board, &rules, &order, rng, &mut tally);
        } else {
            turns::<false>(&mut board, &rules, &order, rng, &mut tally);
        }
        self.apply(tally);
        self.order = order;
    }

    /// Every agent once, by colour classes (`super::colour`): one pass over everyone, or
    /// a pass over the citizens and then one over the cops.
    fn colour_turns(&mut self, rng: &mut ModelRng) {
        let seed = rng.random::<u64>();
        let passes: &[Who] = match self.params.update_order {
            UpdateOrder::Interleaved => &[Who::Everyone],
            UpdateOrder::CitizensThenCops => &[Who::Citizens, Who::Cops],
        };
        let mut colours = std::mem::take(&mut self.colours);
        for (pass, &who) in passes.iter().enumerate() {
            let tick = self.ticks;
            let (board, rules) = self.board();
            let tally = colours.pass(board, &rules, who, seed, pass as u64, tick);
            self.apply(tally);
        }
        self.colours = colours;
    }

    /// The world as a board for the rules, and the rules of this tick.
    pub(super) fn board(&mut self) -> (Exclusive<'_>, Rules<'_>) {
        let rules = Rules {
            movement: self.params.movement,
            cops_move: self.params.cops_move,
            threshold: self.params.activation.threshold,
            legitimacy: self.legitimacy,
            max_jail_term: self.params.max_jail_term,
            risk: &self.risk,
            citizens: self.people.len() as u32,
            small_world: self.torus.cells() <= SMALL_WORLD,
        };
        let board = Exclusive {
            torus: self.torus,
            hood: &self.hood,
            reach: &self.reach,
            people: &mut self.people,
            cop_cell: &mut self.cop_cell,
            occupied: &mut self.occupied,
            active_at: &mut self.active_at,
            seen: &mut self.seen,
            active_citizen: &mut self.active_citizen,
        };
        (board, rules)
    }

    /// Adds a tick's (or a tile's) changes to the counters.
    pub(super) fn apply(&mut self, t: Tally) {
        self.actives = (i64::from(self.actives) + t.actives) as u32;
        self.jailed = (i64::from(self.jailed) + t.jailed) as u32;
        self.arrests += t.arrests;
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
        self.seen.bump(cell, unit(COP, true));
        self.on_duty.push(j);
        true
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
        if seen != self.seen.unpacked() {
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
