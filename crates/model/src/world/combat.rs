//! Combat: the mixed Lanchester law of a conventional force against guerrillas, with cover,
//! surprise and break-off; and binomial truck losses in convoy ambushes.
//!
//! Conventional x (soldiers) against guerrilla y (fighters), Deitchman's mixed law:
//!   dx/dt = -b y        the guerrillas fire aimed shots at an exposed force;
//!   dy/dt = -d x y      the army fires into an area where the guerrillas hide: its kills
//!                       grow with the density of targets.
//! It conserves b y - (d/2) x^2. Cover lowers d; surprise multiplies b in the first
//! exchange; each side breaks contact after losing its break-off fraction.

use crate::engine::check::{Checker, Validate};
use crate::engine::rng::{ModelRng, RngExt};
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

/// Combat parameters (`params.combat`).
#[derive(Resource, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CombatParams {
    /// b: soldiers put out of action per guerrilla fighter per hour of fire.
    pub b: f64,
    /// d: guerrillas put out of action per soldier per guerrilla per hour (area fire).
    pub d: f64,
    /// Multiplier on b in the first exchange of an ambush or raid (surprise).
    pub surprise: f64,
    /// How long the first exchange lasts, in hours.
    pub surprise_hours: f64,
    /// d is multiplied by 1 - cover_protection * cover (cover in 0-1).
    pub cover_protection: f64,
    /// Longest engagement, in hours.
    pub max_hours: f64,
    /// Integration step, in hours.
    pub step_hours: f64,
    /// Guerrillas break contact after losing this fraction (hit and run).
    pub guerrilla_break_off: f64,
    /// When the army opens the fight, the guerrillas slip away after this long, in hours.
    pub guerrilla_withdraw_hours: f64,
    /// Soldiers break contact (or surrender a post) after losing this fraction.
    pub army_break_off: f64,
    /// Largest share of a convoy's trucks destroyed in one ambush.
    pub truck_kill_max: f64,
    /// Soldiers of escort that count as much as one attacking fighter for truck losses.
    pub escort_weight: f64,
}

impl Default for CombatParams {
    fn default() -> Self {
        Self {
            // Calibrated so that an ambush of ~40 fighters on ~120 escorting soldiers costs
            // the escort about a tenth of its strength in an hour, and an army strike on a
            // cell in the open costs the cell about a third; cover halves that.
            b: 0.05,
            d: 0.004,
            surprise: 3.0,
            surprise_hours: 0.25,
            cover_protection: 0.7,
            max_hours: 2.0,
            step_hours: 0.05,
            guerrilla_break_off: 0.15,
            guerrilla_withdraw_hours: 0.2,
            army_break_off: 0.5,
            // Convoy ambushes in Mali destroyed 20-50 trucks of convoys of 80-100+
            // (blockade_facts.csv): at most about half.
            truck_kill_max: 0.55,
            escort_weight: 3.0,
        }
    }
}

impl Validate for CombatParams {
    fn validate(&self, c: &mut Checker) {
        c.positive("b", self.b);
        c.positive("d", self.d);
        c.within("surprise", self.surprise, 1.0, 100.0);
        c.non_negative("surprise_hours", self.surprise_hours);
        c.probability("cover_protection", self.cover_protection);
        c.positive("max_hours", self.max_hours);
        c.within("step_hours", self.step_hours, 1e-4, 1.0);
        c.probability("guerrilla_break_off", self.guerrilla_break_off);
        c.non_negative("guerrilla_withdraw_hours", self.guerrilla_withdraw_hours);
        c.probability("army_break_off", self.army_break_off);
        c.probability("truck_kill_max", self.truck_kill_max);
        c.positive("escort_weight", self.escort_weight);
    }
}

/// One fight between soldiers and guerrillas.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fight {
    pub soldiers: f64,
    pub fighters: f64,
    /// Cover of the guerrillas' position (0-1).
    pub cover: f64,
    /// Whether the guerrillas open with surprise (ambush, raid).
    pub surprise: bool,
}

/// What a fight cost each side.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct FightResult {
    pub soldiers_lost: f64,
    pub fighters_lost: f64,
    pub hours: f64,
    /// True when the guerrillas broke contact first.
    pub guerrillas_broke_off: bool,
    /// True when the soldiers broke contact (or were overrun) first.
    pub army_broke_off: bool,
}

/// The right-hand side of the mixed law.
#[inline]
fn rates(x: f64, y: f64, b: f64, d: f64) -> (f64, f64) {
    (-b * y, -d * x * y)
}

/// Integrates the mixed law with classical Runge-Kutta (4th order) from (x, y) for `hours`
/// in steps of `dt`, without break-off. Used by the conservation test and by [`resolve`].
pub fn integrate(mut x: f64, mut y: f64, b: f64, d: f64, hours: f64, dt: f64) -> (f64, f64) {
    let mut t = 0.0;
    while t < hours - 1e-12 {
        let h = dt.min(hours - t);
        (x, y) = rk4_step(x, y, b, d, h);
        t += h;
    }
    (x, y)
}

#[inline]
fn rk4_step(x: f64, y: f64, b: f64, d: f64, h: f64) -> (f64, f64) {
    let (k1x, k1y) = rates(x, y, b, d);
    let (k2x, k2y) = rates(x + 0.5 * h * k1x, y + 0.5 * h * k1y, b, d);
    let (k3x, k3y) = rates(x + 0.5 * h * k2x, y + 0.5 * h * k2y, b, d);
    let (k4x, k4y) = rates(x + h * k3x, y + h * k3y, b, d);
    let nx = x + h / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x);
    let ny = y + h / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y);
    (nx.max(0.0), ny.max(0.0))
}

/// Resolves a fight: integrates until a side breaks off or `max_hours` pass.
pub fn resolve(p: &CombatParams, fight: Fight) -> FightResult {
    let (x0, y0) = (fight.soldiers.max(0.0), fight.fighters.max(0.0));
    if x0 <= 0.0 || y0 <= 0.0 {
        return FightResult::default();
    }
    let d = p.d * (1.0 - p.cover_protection * fight.cover.clamp(0.0, 1.0));
    let (mut x, mut y, mut t) = (x0, y0, 0.0);
    let mut result = FightResult::default();
    while t < p.max_hours - 1e-12 {
        let b = if fight.surprise && t < p.surprise_hours {
            p.b * p.surprise
        } else {
            p.b
        };
        let h = p.step_hours.min(p.max_hours - t);
        (x, y) = rk4_step(x, y, b, d, h);
        t += h;
        let slipped_away = !fight.surprise && t >= p.guerrilla_withdraw_hours - 1e-12;
        if y <= y0 * (1.0 - p.guerrilla_break_off) || slipped_away {
            result.guerrillas_broke_off = true;
            break;
        }
        if x <= x0 * (1.0 - p.army_break_off) {
            result.army_broke_off = true;
            break;
        }
    }
    result.soldiers_lost = x0 - x;
    result.fighters_lost = y0 - y;
    result.hours = t;
    result
}

/// A fight between two irregular forces: rival insurgent cells, or a cell and a village
/// militia. Neither fires into an area: each side's riflemen aim at the other's
/// (Lanchester's square law, dx/dt = -b y, dy/dt = -b x), the attackers with surprise in
/// the first exchange, the defenders' losses lowered by their cover as area fire is in
/// [`resolve`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clash {
    pub attackers: f64,
    pub defenders: f64,
    /// Cover of the defenders' position (0-1).
    pub cover: f64,
    /// The defenders break contact after losing this fraction (a militia holding its own
    /// village stands longer than a cell in the bush).
    pub defender_break_off: f64,
}

/// What a clash cost each side.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct ClashResult {
    pub attackers_lost: f64,
    pub defenders_lost: f64,
    pub hours: f64,
    /// True when the attackers broke contact first (the defence held).
    pub attackers_broke_off: bool,
    /// True when the defenders broke contact (or were overrun) first.
    pub defenders_broke_off: bool,
}

/// Resolves a clash: integrates the square law until a side breaks off or `max_hours`
/// pass; the attackers break off at `guerrilla_break_off`.
pub fn clash(p: &CombatParams, c: Clash) -> ClashResult {
    let (x0, y0) = (c.attackers.max(0.0), c.defenders.max(0.0));
    if x0 <= 0.0 || y0 <= 0.0 {
        return ClashResult::default();
    }
    let shelter = 1.0 - p.cover_protection * c.cover.clamp(0.0, 1.0);
    let (mut x, mut y, mut t) = (x0, y0, 0.0);
    let mut result = ClashResult::default();
    while t < p.max_hours - 1e-12 {
        let surprise = if t < p.surprise_hours {
            p.surprise
        } else {
            1.0
        };
        let h = p.step_hours.min(p.max_hours - t);
        // Square law, one explicit step: the attackers' fire on the defenders is sheltered
        // by cover and sharpened by surprise.
        let dx = p.b * y;
        let dy = p.b * surprise * shelter * x;
        x = (x - h * dx).max(0.0);
        y = (y - h * dy).max(0.0);
        t += h;
        if y <= y0 * (1.0 - c.defender_break_off) {
            result.defenders_broke_off = true;
            break;
        }
        if x <= x0 * (1.0 - p.guerrilla_break_off) {
            result.attackers_broke_off = true;
            break;
        }
    }
    result.attackers_lost = x0 - x;
    result.defenders_lost = y0 - y;
    result.hours = t;
    result
}

/// Probability that each truck of an ambushed convoy is destroyed: rises with the attackers'
/// strength over the escort's, up to `truck_kill_max`.
pub fn truck_kill_probability(p: &CombatParams, fighters: f64, escort_soldiers: f64) -> f64 {
    let f = fighters.max(0.0);
    let e = escort_soldiers.max(0.0) / p.escort_weight;
    if f <= 0.0 {
        0.0
    } else {
        p.truck_kill_max * f / (f + e)
    }
}

/// Binomial draw: how many of `n` trials succeed with probability `p`.
pub fn binomial(rng: &mut ModelRng, n: u32, p: f64) -> u32 {
    let p = p.clamp(0.0, 1.0);
    (0..n).filter(|_| rng.random::<f64>() < p).count() as u32
}

/// Poisson draw with mean `lambda` (Knuth's method; for the small means used here).
pub fn poisson(rng: &mut ModelRng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda > 30.0 {
        // Normal approximation for large means.
        let u1: f64 = rng.random::<f64>().max(1e-12);
        let u2: f64 = rng.random();
        let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        return (lambda + z * lambda.sqrt()).round().max(0.0) as u32;
    }
    let l = (-lambda).exp();
    let (mut k, mut prod) = (0u32, rng.random::<f64>());
    while prod > l {
        k += 1;
        prod *= rng.random::<f64>();
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clash_goes_to_the_stronger_side_and_cover_shelters_the_defence() {
        let p = CombatParams::default();
        let c = |attackers, defenders, cover| Clash {
            attackers,
            defenders,
            cover,
            defender_break_off: p.guerrilla_break_off,
        };
        // Three to one: the defenders break first, having lost more than the attackers.
        let r = clash(&p, c(60.0, 20.0, 0.0));
        assert!(r.defenders_broke_off && !r.attackers_broke_off, "{r:?}");
        assert!(r.defenders_lost > 0.0 && r.attackers_lost > 0.0);
        // One to three: the attack fails.
        let r = clash(&p, c(20.0, 60.0, 0.0));
        assert!(r.attackers_broke_off, "{r:?}");
        // Cover costs the attackers more for what they inflict.
        let open = clash(&p, c(40.0, 40.0, 0.0));
        let covered = clash(&p, c(40.0, 40.0, 1.0));
        assert!(
            covered.defenders_lost / covered.attackers_lost.max(1e-9)
                < open.defenders_lost / open.attackers_lost.max(1e-9)
        );
        assert_eq!(clash(&p, c(0.0, 10.0, 0.0)), ClashResult::default());
    }

    #[test]
    fn mixed_law_conserves_its_invariant_in_the_continuous_limit() {
        let (b, d) = (0.05, 0.004);
        let (x0, y0) = (120.0, 40.0);
        let invariant = |x: f64, y: f64| b * y - 0.5 * d * x * x;
        let (x, y) = integrate(x0, y0, b, d, 1.0, 1e-3);
        assert!(x < x0 && y < y0, "both sides lose: {x} {y}");
        let drift = (invariant(x, y) - invariant(x0, y0)).abs();
        assert!(
            drift < 1e-9 * invariant(x0, y0).abs().max(1.0),
            "drift {drift}"
        );
        // A coarse step drifts more than a fine one: the test can see a wrong integrator.
        let (xc, yc) = integrate(x0, y0, b, d, 1.0, 0.5);
        let (xe, ye) = euler(x0, y0, b, d, 1.0, 0.5);
        assert!(
            (invariant(xe, ye) - invariant(x0, y0)).abs()
                > (invariant(xc, yc) - invariant(x0, y0)).abs()
        );
    }

    fn euler(mut x: f64, mut y: f64, b: f64, d: f64, hours: f64, dt: f64) -> (f64, f64) {
        let mut t = 0.0;
        while t < hours {
            let (dx, dy) = rates(x, y, b, d);
            x += dt * dx;
            y += dt * dy;
            t += dt;
        }
        (x, y)
    }

    #[test]
    fn cover_protects_the_guerrillas() {
        let p = CombatParams::default();
        let open = resolve(
            &p,
            Fight {
                soldiers: 120.0,
                fighters: 40.0,
                cover: 0.05,
                surprise: true,
            },
        );
        let forest = resolve(
            &p,
            Fight {
                soldiers: 120.0,
                fighters: 40.0,
                cover: 0.8,
                surprise: true,
            },
        );
        assert!(
            forest.fighters_lost < open.fighters_lost,
            "forest {forest:?} open {open:?}"
        );
    }

    #[test]
    fn surprise_hurts_the_army_more() {
        let p = CombatParams::default();
        let with = resolve(
            &p,
            Fight {
                soldiers: 120.0,
                fighters: 40.0,
                cover: 0.3,
                surprise: true,
            },
        );
        let without = resolve(
            &p,
            Fight {
                soldiers: 120.0,
                fighters: 40.0,
                cover: 0.3,
                surprise: false,
            },
        );
        assert!(with.soldiers_lost > without.soldiers_lost);
    }

    #[test]
    fn guerrillas_break_off_after_their_fraction() {
        let p = CombatParams::default();
        let r = resolve(
            &p,
            Fight {
                soldiers: 600.0,
                fighters: 30.0,
                cover: 0.0,
                surprise: false,
            },
        );
        assert!(r.guerrillas_broke_off);
        assert!(r.fighters_lost >= 30.0 * p.guerrilla_break_off - 1e-9);
        assert!(r.fighters_lost < 30.0 * (p.guerrilla_break_off + 0.2));
    }

    #[test]
    fn truck_losses_rise_with_attackers_over_escort() {
        let p = CombatParams::default();
        let weak = truck_kill_probability(&p, 20.0, 200.0);
        let strong = truck_kill_probability(&p, 80.0, 50.0);
        assert!(strong > weak && strong <= p.truck_kill_max);
        assert_eq!(truck_kill_probability(&p, 0.0, 10.0), 0.0);
    }
}
