//! The state of the civil violence world and one tick of Epstein's rules.
//!
//! Agents are kept as dense arrays (structure of arrays) in one resource rather than as ECS
//! entities: a tick visits every agent in a fresh random order and each acts on the state
//! its predecessors left, which is a sequential loop over flat vectors. Two count grids hold,
//! for every cell, the number of cops and of active citizens that a citizen standing there
//! would see; they change only when an agent moves or changes state, so a citizen's check
//! is one lookup in each.

use super::grid::{Neighbourhood, Torus};
use super::params::CivilViolenceParams;
use crate::grievance::{arrest_probability, grievance, is_active};
use crate::rng::{ModelRng, RngExt};
use bevy_ecs::prelude::*;

const EMPTY: u32 = u32::MAX;
/// The jail term of a citizen who is never released.
const LIFE: u32 = u32::MAX;
/// Draws of a random cell before falling back to listing the empty cells.
const REJECTION_TRIES: u32 = 32;

/// A citizen's condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Condition {
    Quiet,
    Active,
    Jailed,
}

/// Outbursts: maximal runs of ticks with more actives than the threshold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outbursts {
    pub count: u32,
    /// Ticks of each quiet spell between two outbursts (end of one to start of the next).
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
    /// The agent on each cell (citizens are `0..citizens`, cops follow), or `EMPTY`.
    occupant: Vec<u32>,
    /// Cops seen from each cell.
    cops_seen: Vec<u16>,
    /// Active citizens seen from each cell.
    actives_seen: Vec<u16>,
    citizens: u32,
    hardship: Vec<f64>,
    risk_aversion: Vec<f64>,
    condition: Vec<Condition>,
    jail_term: Vec<u32>,
    /// Each agent's cell (a jailed citizen keeps the cell of its arrest; a withdrawn cop
    /// has `EMPTY`).
    position: Vec<u32>,
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
        let mut free: Vec<u32> = (0..cells as u32).collect();
        let mut occupant = vec![EMPTY; cells];
        let mut position = Vec::with_capacity((citizens + cops) as usize);
        let mut cops_seen = vec![0u16; cells];
        // A partial Fisher-Yates shuffle: the first `citizens + cops` cells, cops first.
        for agent in 0..citizens + cops {
            let i = agent as usize;
            let j = rng.random_range(i..cells);
            free.swap(i, j);
            let cell = free[i];
            position.push(cell);
        }
        // Cops were drawn first (Epstein and NetLogo place them first); renumber so that
        // citizens come first.
        position.rotate_left(cops as usize);
        for (agent, &cell) in position.iter().enumerate() {
            occupant[cell as usize] = agent as u32;
            if agent as u32 >= citizens {
                torus.bump(&mut cops_seen, &hood, cell, true);
            }
        }
        let n = citizens as usize;
        let mut hardship = Vec::with_capacity(n);
        let mut risk_aversion = Vec::with_capacity(n);
        for _ in 0..n {
            hardship.push(rng.random::<f64>());
            risk_aversion.push(rng.random::<f64>());
        }
        Self {
            legitimacy: params.legitimacy,
            params,
            torus,
            hood,
            occupant,
            cops_seen,
            actives_seen: vec![0u16; cells],
            citizens,
            hardship,
            risk_aversion,
            condition: vec![Condition::Quiet; n],
            jail_term: vec![0; n],
            position,
            on_duty: (citizens..citizens + cops).collect(),
            order: (0..citizens + cops).collect(),
            actives: 0,
            jailed: 0,
            arrests: 0,
            outbursts: Outbursts::default(),
            ticks: 0,
        }
    }

    pub fn citizens(&self) -> u32 {
        self.citizens
    }

    pub fn actives(&self) -> u32 {
        self.actives
    }

    pub fn jailed(&self) -> u32 {
        self.jailed
    }

    pub fn quiet(&self) -> u32 {
        self.citizens - self.actives - self.jailed
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
        self.condition[citizen as usize]
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
            let cell = self.position[cop as usize];
            self.torus
                .bump(&mut self.cops_seen, &self.hood, cell, false);
            self.occupant[cell as usize] = EMPTY;
            self.position[cop as usize] = EMPTY;
        }
        // Fisher-Yates shuffle of the update order.
        let mut order = std::mem::take(&mut self.order);
        for i in (1..order.len()).rev() {
            let j = rng.random_range(0..=i as u32) as usize;
            order.swap(i, j);
        }
        for &agent in &order {
            if agent < self.citizens {
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

    /// A uniformly random empty cell within vision of `cell`, if there is one: rejection
    /// sampling, then (after many misses) a count of the empty cells.
    fn random_empty_near(&self, cell: u32, rng: &mut ModelRng) -> Option<u32> {
        let offsets = &self.hood.offsets;
        for _ in 0..REJECTION_TRIES {
            let o = offsets[rng.random_range(0..offsets.len() as u32) as usize];
            let c = self.torus.offset(cell, o);
            if self.occupant[c as usize] == EMPTY {
                return Some(c);
            }
        }
        let mut empty = 0u32;
        self.torus.for_each_slice(&self.hood, cell, |a, b| {
            empty += self.occupant[a..b].iter().filter(|&&o| o == EMPTY).count() as u32;
        });
        if empty == 0 {
            return None;
        }
        let mut k = rng.random_range(0..empty);
        let mut found = None;
        self.torus.for_each_slice(&self.hood, cell, |a, b| {
            if found.is_some() {
                return;
            }
            for c in a..b {
                if self.occupant[c] == EMPTY {
                    if k == 0 {
                        found = Some(c as u32);
                        return;
                    }
                    k -= 1;
                }
            }
        });
        found
    }

    /// A uniformly random empty cell anywhere (the grid is never full: a released citizen
    /// takes the cell freed by its own arrest or another one).
    fn random_empty_anywhere(&self, rng: &mut ModelRng) -> Option<u32> {
        let cells = self.torus.cells() as u32;
        for _ in 0..REJECTION_TRIES {
            let c = rng.random_range(0..cells);
            if self.occupant[c as usize] == EMPTY {
                return Some(c);
            }
        }
        let empty: Vec<u32> = (0..cells)
            .filter(|&c| self.occupant[c as usize] == EMPTY)
            .collect();
        (!empty.is_empty()).then(|| empty[rng.random_range(0..empty.len())])
    }

    fn citizen_turn(&mut self, i: u32, rng: &mut ModelRng) {
        let iu = i as usize;
        if self.condition[iu] == Condition::Jailed {
            let term = self.jail_term[iu];
            if term > 0 {
                if term != LIFE {
                    self.jail_term[iu] = term - 1;
                }
                return;
            }
            // Released: back on the cell of the arrest if it is free, else nearby, else
            // anywhere.
            let old = self.position[iu];
            let cell = if self.occupant[old as usize] == EMPTY {
                Some(old)
            } else {
                self.random_empty_near(old, rng)
                    .or_else(|| self.random_empty_anywhere(rng))
            };
            let Some(cell) = cell else { return };
            self.occupant[cell as usize] = i;
            self.position[iu] = cell;
            self.condition[iu] = Condition::Quiet;
            self.jailed -= 1;
        }
        let was_active = self.condition[iu] == Condition::Active;
        let mut cell = self.position[iu];
        let mut moved = false;
        if self.params.movement
            && let Some(to) = self.random_empty_near(cell, rng)
        {
            if was_active {
                self.torus
                    .bump(&mut self.actives_seen, &self.hood, cell, false);
            }
            self.occupant[cell as usize] = EMPTY;
            self.occupant[to as usize] = i;
            self.position[iu] = to;
            cell = to;
            moved = true;
        }
        let a = &self.params.activation;
        let g = grievance(self.hardship[iu], self.legitimacy);
        let r = self.risk_aversion[iu];
        // Without any perceived risk the rule can only be met if G > T; skip the lookup
        // and the exponential for everyone else.
        let active = is_active(g, r, 0.0, a.threshold) && {
            let c = u32::from(self.cops_seen[cell as usize]);
            // Epstein's A counts the agent itself.
            let actives = 1 + u32::from(self.actives_seen[cell as usize]);
            is_active(
                g,
                r,
                arrest_probability(a.k, c, actives, a.arrest_rule),
                a.threshold,
            )
        };
        if moved {
            if active {
                self.torus
                    .bump(&mut self.actives_seen, &self.hood, cell, true);
            }
        } else if active != was_active {
            self.torus
                .bump(&mut self.actives_seen, &self.hood, cell, active);
        }
        if active != was_active {
            if active {
                self.actives += 1;
            } else {
                self.actives -= 1;
            }
        }
        self.condition[iu] = if active {
            Condition::Active
        } else {
            Condition::Quiet
        };
    }

    fn cop_turn(&mut self, j: u32, rng: &mut ModelRng) {
        let mut cell = self.position[j as usize];
        if cell == EMPTY {
            return; // withdrawn
        }
        if self.params.cops_move
            && let Some(to) = self.random_empty_near(cell, rng)
        {
            self.move_cop(j, cell, to);
            cell = to;
        }
        let seen = u32::from(self.actives_seen[cell as usize]);
        if seen == 0 {
            return;
        }
        // The k-th active citizen within vision, k uniform.
        let mut k = rng.random_range(0..seen);
        let mut suspect = EMPTY;
        self.torus.for_each_slice(&self.hood, cell, |a, b| {
            if suspect != EMPTY {
                return;
            }
            for &o in &self.occupant[a..b] {
                if o < self.citizens && self.condition[o as usize] == Condition::Active {
                    if k == 0 {
                        suspect = o;
                        return;
                    }
                    k -= 1;
                }
            }
        });
        debug_assert!(suspect != EMPTY, "the active count of cell {cell} is stale");
        if suspect == EMPTY {
            return;
        }
        let su = suspect as usize;
        let at = self.position[su];
        self.torus
            .bump(&mut self.actives_seen, &self.hood, at, false);
        self.condition[su] = Condition::Jailed;
        self.jail_term[su] = match self.params.max_jail_term {
            Some(max) => rng.random_range(0..=max).min(LIFE - 1),
            None => LIFE,
        };
        self.actives -= 1;
        self.jailed += 1;
        self.arrests += 1;
        self.occupant[at as usize] = EMPTY;
        // The cop takes the arrested citizen's cell (NetLogo, Mesa).
        self.move_cop(j, cell, at);
    }

    fn move_cop(&mut self, j: u32, from: u32, to: u32) {
        self.torus
            .bump(&mut self.cops_seen, &self.hood, from, false);
        self.occupant[from as usize] = EMPTY;
        self.occupant[to as usize] = j;
        self.position[j as usize] = to;
        self.torus.bump(&mut self.cops_seen, &self.hood, to, true);
    }

    /// Recomputes the counts from scratch and compares (for tests).
    pub fn check_consistency(&self) -> Result<(), String> {
        let cells = self.torus.cells();
        let mut cops = vec![0u16; cells];
        let mut actives = vec![0u16; cells];
        let (mut n_active, mut n_jailed) = (0, 0);
        for (agent, &cell) in self.position.iter().enumerate() {
            let agent = agent as u32;
            if agent < self.citizens {
                match self.condition[agent as usize] {
                    Condition::Jailed => {
                        n_jailed += 1;
                        continue;
                    }
                    Condition::Active => {
                        n_active += 1;
                        self.torus.bump(&mut actives, &self.hood, cell, true);
                    }
                    Condition::Quiet => {}
                }
            } else if cell == EMPTY {
                continue;
            } else {
                self.torus.bump(&mut cops, &self.hood, cell, true);
            }
            if self.occupant[cell as usize] != agent {
                return Err(format!("agent {agent} is not on its cell {cell}"));
            }
        }
        let on_grid = self.occupant.iter().filter(|&&o| o != EMPTY).count();
        if on_grid != (self.citizens - n_jailed) as usize + self.on_duty.len() {
            return Err(format!("{on_grid} agents on the grid"));
        }
        if cops != self.cops_seen {
            return Err("stale cop counts".into());
        }
        if actives != self.actives_seen {
            return Err("stale active counts".into());
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
