//! Parameters of the civil violence model, its presets and their checks.

use super::grid::{Neighbourhood, NeighbourhoodKind};
use crate::domains::society::grievance::{ActivationParams, ArrestRule};
use crate::engine::check::{Checker, Validate};
use serde::{Deserialize, Serialize};

/// How legitimacy moves during a run (it starts at [`CivilViolenceParams::legitimacy`]).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum LegitimacySchedule {
    /// Legitimacy never changes.
    #[default]
    Constant,
    /// From tick `start_tick` on, legitimacy moves by `per_tick` each tick towards `to`
    /// (Epstein's gradual decline: 0.9 to 0.2 by 0.01 a tick).
    Gradual {
        start_tick: u64,
        per_tick: f64,
        to: f64,
    },
    /// At tick `tick` legitimacy jumps to `to` and stays there (Epstein: 0.9 to 0.7).
    Drop { tick: u64, to: f64 },
}

impl LegitimacySchedule {
    /// Legitimacy during tick `tick` (0-based), starting from `initial`.
    pub fn at(&self, initial: f64, tick: u64) -> f64 {
        match *self {
            LegitimacySchedule::Constant => initial,
            LegitimacySchedule::Gradual {
                start_tick,
                per_tick,
                to,
            } => {
                if tick < start_tick {
                    return initial;
                }
                let moved = per_tick * (tick - start_tick + 1) as f64;
                if to < initial {
                    (initial - moved).max(to)
                } else {
                    (initial + moved).min(to)
                }
            }
            LegitimacySchedule::Drop { tick: t, to } => {
                if tick >= t {
                    to
                } else {
                    initial
                }
            }
        }
    }
}

/// How the cop density moves during a run (it starts at [`CivilViolenceParams::cop_density`]).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum CopSchedule {
    #[default]
    Constant,
    /// From tick `start_tick` on, the cop density falls by `per_tick` each tick down to
    /// `to`; cops are withdrawn at random.
    Gradual {
        start_tick: u64,
        per_tick: f64,
        to: f64,
    },
}

impl CopSchedule {
    /// The cop density during tick `tick`, starting from `initial`.
    pub fn at(&self, initial: f64, tick: u64) -> f64 {
        match *self {
            CopSchedule::Constant => initial,
            CopSchedule::Gradual {
                start_tick,
                per_tick,
                to,
            } => {
                if tick < start_tick {
                    initial
                } else {
                    (initial - per_tick * (tick - start_tick + 1) as f64)
                        .max(to)
                        .min(initial)
                }
            }
        }
    }
}

/// Who acts in what order within a tick. Both are random sequential: each agent acts in
/// turn on the state its predecessors left, in a fresh random order every tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateOrder {
    /// Citizens and cops shuffled together (NetLogo's Rebellion, Mesa's example).
    Interleaved,
    /// A random tour of all citizens, then a random tour of all cops: Epstein's own
    /// implementation (Ascape, `edu.brook.cv`), where citizens and cops are two scapes
    /// iterated one after the other. Every citizen decides before any cop arrests. The
    /// default, as in every preset.
    #[default]
    CitizensThenCops,
}

/// How the turns of a tick are scheduled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheduling {
    /// Random sequential activation over the whole grid, one agent at a time, in the
    /// order `update_order` says: Epstein's schedule, the reference, single-threaded.
    #[default]
    Sequential,
    /// Activation by colour classes: the grid is cut into tiles at least 6 x vision across
    /// and coloured so that agents of same-coloured tiles cannot see or reach each
    /// other's cells; random sequential within a tile, the colours one after the other,
    /// the tiles of a colour in parallel. Same results for any number of threads, but not
    /// the reference's (docs/civil_violence.md, "Activation by colour classes").
    ColourClasses,
}

/// Parameters of Epstein's (2002) Model I. `Default` is the run5 preset (also Mesa's
/// example's defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CivilViolenceParams {
    /// Torus width in cells.
    pub width: u32,
    /// Torus height in cells.
    pub height: u32,
    /// Share of the cells holding a citizen at the start.
    pub citizen_density: f64,
    /// Share of the cells holding a cop at the start.
    pub cop_density: f64,
    /// Vision radius of citizens and cops (cells).
    pub vision: f64,
    /// Which cells within `vision` are seen.
    pub neighbourhood: NeighbourhoodKind,
    /// Regime legitimacy L at the start.
    pub legitimacy: f64,
    /// Longest jail term J_max in ticks; terms are uniform in [0, J_max]. `None`: a jailed
    /// citizen is never released.
    pub max_jail_term: Option<u32>,
    /// Citizens move to a random empty cell within vision each tick.
    pub movement: bool,
    /// Cops move to a random empty cell within vision each tick (before arresting).
    pub cops_move: bool,
    /// k, T and the arrest rule (floor, round, literal).
    pub activation: ActivationParams,
    /// Citizens and cops shuffled together, or all citizens before all cops.
    pub update_order: UpdateOrder,
    /// One random order over the whole grid (the reference), or colour classes (parallel).
    pub scheduling: Scheduling,
    pub legitimacy_schedule: LegitimacySchedule,
    pub cop_schedule: CopSchedule,
    /// An outburst is a maximal run of ticks with more actives than this.
    pub outburst_threshold: u32,
}

impl Default for CivilViolenceParams {
    fn default() -> Self {
        Self::run5()
    }
}

impl CivilViolenceParams {
    fn preset(
        vision: f64,
        legitimacy: f64,
        max_jail_term: Option<u32>,
        movement: bool,
        cop_density: f64,
    ) -> Self {
        Self {
            width: 40,
            height: 40,
            citizen_density: 0.7,
            cop_density,
            vision,
            neighbourhood: NeighbourhoodKind::Disc,
            legitimacy,
            max_jail_term,
            movement,
            cops_move: true,
            activation: ActivationParams {
                k: 2.3,
                threshold: 0.1,
                arrest_rule: ArrestRule::Floor,
            },
            // Epstein's own order: the published patterns of runs 3 and 4 need it
            // (docs/civil_violence.md).
            update_order: UpdateOrder::CitizensThenCops,
            scheduling: Scheduling::Sequential,
            legitimacy_schedule: LegitimacySchedule::Constant,
            cop_schedule: CopSchedule::Constant,
            outburst_threshold: 50,
        }
    }

    /// Run 1: local vision, no citizen movement (actives appear where cops are not).
    pub fn run1() -> Self {
        Self::preset(1.7, 0.89, Some(15), false, 0.04)
    }

    /// Run 2: punctuated equilibrium.
    pub fn run2() -> Self {
        Self::preset(7.0, 0.82, Some(30), true, 0.04)
    }

    /// Run 3: legitimacy falls gradually from 0.9 to 0.2 by 0.01 a tick; jail for life.
    pub fn run3() -> Self {
        let mut p = Self::preset(7.0, 0.9, None, true, 0.074);
        p.legitimacy_schedule = LegitimacySchedule::Gradual {
            start_tick: 0,
            per_tick: 0.01,
            to: 0.2,
        };
        p
    }

    /// Run 4: the same world, legitimacy drops at once from 0.9 to 0.7 at tick 77.
    pub fn run4() -> Self {
        let mut p = Self::preset(7.0, 0.9, None, true, 0.074);
        p.legitimacy_schedule = LegitimacySchedule::Drop { tick: 77, to: 0.7 };
        p
    }

    /// Run 5: long jail terms (1000), L = 0.8.
    pub fn run5() -> Self {
        Self::preset(7.0, 0.8, Some(1000), true, 0.074)
    }

    pub fn cells(&self) -> usize {
        self.width as usize * self.height as usize
    }

    pub fn citizens(&self) -> u32 {
        (self.citizen_density * self.cells() as f64).round() as u32
    }

    pub fn cops(&self) -> u32 {
        (self.cop_density * self.cells() as f64).round() as u32
    }
}

impl Validate for CivilViolenceParams {
    fn validate(&self, c: &mut Checker) {
        if self.width == 0 {
            c.fail("width", "must be at least 1");
        }
        if self.height == 0 {
            c.fail("height", "must be at least 1");
        }
        if self.cells() >= u32::MAX as usize / 2 {
            c.fail("width", "width x height is too large");
        }
        c.probability("citizen_density", self.citizen_density);
        c.probability("cop_density", self.cop_density);
        if self.citizen_density + self.cop_density > 1.0 {
            c.fail(
                "cop_density",
                format!(
                    "citizen_density + cop_density must not exceed 1, got {}",
                    self.citizen_density + self.cop_density
                ),
            );
        }
        c.within("vision", self.vision, 1.0, 1000.0);
        let side = 2 * self.vision.max(0.0).floor() as u64 + 1;
        if side > u64::from(self.width.min(self.height)) {
            c.fail(
                "vision",
                format!(
                    "the neighbourhood ({side} cells across) must fit in the torus ({} x {})",
                    self.width, self.height
                ),
            );
        } else if self.vision.is_finite()
            && Neighbourhood::new(self.neighbourhood, self.vision).size() >= u16::MAX as usize
        {
            c.fail("vision", "the neighbourhood holds too many cells");
        }
        c.probability("legitimacy", self.legitimacy);
        c.scope("activation", |c| self.activation.validate(c));
        c.scope("legitimacy_schedule", |c| match self.legitimacy_schedule {
            LegitimacySchedule::Constant => {}
            LegitimacySchedule::Gradual { per_tick, to, .. } => {
                c.positive("per_tick", per_tick);
                c.probability("to", to);
            }
            LegitimacySchedule::Drop { to, .. } => c.probability("to", to),
        });
        c.scope("cop_schedule", |c| match self.cop_schedule {
            CopSchedule::Constant => {}
            CopSchedule::Gradual { per_tick, to, .. } => {
                c.positive("per_tick", per_tick);
                c.probability("to", to);
            }
        });
    }
}
