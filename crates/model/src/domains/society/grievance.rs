//! Grievance, estimated arrest probability and activation: Epstein's (2002) civil violence
//! rules. One implementation, called by both the Mali model's society submodel and the
//! civil violence verification model, so that what is verified is what runs.

use crate::engine::check::{Checker, Validate};
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

/// How the cop-to-active ratio C/A enters the estimated arrest probability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrestRule {
    /// floor(C / A): Epstein's published rule; produces punctuated equilibrium.
    #[default]
    Floor,
    /// round(C / A) with ties to even (Mesa's example).
    Round,
    /// C / A without rounding: no punctuated equilibrium.
    Literal,
}

/// Parameters of the activation rule.
#[derive(Resource, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActivationParams {
    /// Arrest-probability constant k; 2.3 makes P ~ 0.9 when C/A = 1 (Epstein 2002).
    pub k: f64,
    /// Activation threshold T (Epstein 2002: 0.1).
    pub threshold: f64,
    pub arrest_rule: ArrestRule,
}

impl Default for ActivationParams {
    fn default() -> Self {
        Self {
            k: 2.3,
            threshold: 0.1,
            arrest_rule: ArrestRule::Floor,
        }
    }
}

impl Validate for ActivationParams {
    fn validate(&self, c: &mut Checker) {
        c.within("k", self.k, 0.0, 100.0);
        c.probability("threshold", self.threshold);
    }
}

/// G = H (1 - L).
#[inline]
pub fn grievance(hardship: f64, legitimacy: f64) -> f64 {
    hardship * (1.0 - legitimacy)
}

/// Estimated arrest probability P = 1 - exp(-k * ratio(C / A)).
///
/// `actives` counts active agents within vision including the agent itself, so it is at
/// least 1 (Epstein counts the agent as active when it weighs becoming so).
#[inline]
pub fn arrest_probability(k: f64, cops: u32, actives: u32, rule: ArrestRule) -> f64 {
    let a = actives.max(1);
    let ratio = match rule {
        ArrestRule::Floor => f64::from(cops / a),
        ArrestRule::Round => (f64::from(cops) / f64::from(a)).round_ties_even(),
        ArrestRule::Literal => f64::from(cops) / f64::from(a),
    };
    1.0 - (-k * ratio).exp()
}

/// Net risk N = R * P; the agent is active when G - N > T.
#[inline]
pub fn is_active(
    grievance: f64,
    risk_aversion: f64,
    arrest_probability: f64,
    threshold: f64,
) -> bool {
    grievance - risk_aversion * arrest_probability > threshold
}

/// The whole rule in one call.
#[inline]
pub fn activates(
    p: &ActivationParams,
    hardship: f64,
    legitimacy: f64,
    risk_aversion: f64,
    cops: u32,
    actives: u32,
) -> bool {
    let g = grievance(hardship, legitimacy);
    is_active(
        g,
        risk_aversion,
        arrest_probability(p.k, cops, actives, p.arrest_rule),
        p.threshold,
    )
}

/// The smallest number of cops in vision that deters an agent, given the actives in vision
/// (itself included), or `None` if no number of cops would. Lets a caller that keeps counts
/// decide without recomputing exponentials.
pub fn deterrence_threshold(
    p: &ActivationParams,
    g: f64,
    risk_aversion: f64,
    actives: u32,
) -> Option<u32> {
    if !is_active(g, risk_aversion, 0.0, p.threshold) {
        return Some(0);
    }
    (1..=4096).find(|&c| {
        !is_active(
            g,
            risk_aversion,
            arrest_probability(p.k, c, actives, p.arrest_rule),
            p.threshold,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_rule_needs_as_many_cops_as_actives() {
        // One cop and two actives: floor(1/2) = 0, so no perceived risk at all.
        assert_eq!(arrest_probability(2.3, 1, 2, ArrestRule::Floor), 0.0);
        let literal = arrest_probability(2.3, 1, 2, ArrestRule::Literal);
        assert!((literal - (1.0 - (-1.15f64).exp())).abs() < 1e-12);
        // C = A gives about 0.9 (Epstein's calibration of k).
        let p = arrest_probability(2.3, 3, 3, ArrestRule::Floor);
        assert!((p - 0.8997).abs() < 1e-3, "{p}");
    }

    #[test]
    fn round_rule_rounds_ties_to_even() {
        // 5/2 = 2.5 rounds to 2; 3/2 = 1.5 rounds to 2.
        let p = |c, a| arrest_probability(1.0, c, a, ArrestRule::Round);
        assert!((p(5, 2) - (1.0 - (-2.0f64).exp())).abs() < 1e-12);
        assert!((p(3, 2) - (1.0 - (-2.0f64).exp())).abs() < 1e-12);
    }

    #[test]
    fn activation_follows_g_minus_rp() {
        let p = ActivationParams::default();
        // G = 0.9 * (1 - 0.5) = 0.45 with nobody around: active.
        assert!(activates(&p, 0.9, 0.5, 0.5, 0, 1));
        // With three cops for one active, P ~ 0.999 and 0.45 - 0.5 * 0.999 < 0.1: quiet.
        assert!(!activates(&p, 0.9, 0.5, 0.5, 3, 1));
        assert_eq!(deterrence_threshold(&p, 0.45, 0.5, 1), Some(1));
        assert_eq!(deterrence_threshold(&p, 0.45, 0.0, 1), None);
    }
}
