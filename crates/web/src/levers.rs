//! The levers a class can pull.
//!
//! A lever names a value in the scenario's serde representation (`params.army.discipline`),
//! set by the same path setter as a sweep's parameters ([`asymwar_scenario::overrides`]),
//! so the page works with whatever schema the model has: a lever whose path the current
//! schema lacks is shown as unavailable and refused with a message, never a crash.

use asymwar_scenario::ScenarioFile;
use asymwar_scenario::overrides::{self, ParamValue};
use serde::Serialize;
use serde_json::Value;

/// What values a lever takes.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LeverKind {
    Number { min: f64, max: f64, step: f64 },
    Choice { options: &'static [&'static str] },
    Switch,
}

/// One lever of the model.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Lever {
    pub key: &'static str,
    /// The model the lever belongs to (the scenario file's variant).
    pub model: &'static str,
    pub label: &'static str,
    /// Dotted path inside the scenario (below its model variant).
    pub path: &'static str,
    #[serde(flatten)]
    pub kind: LeverKind,
    pub about: &'static str,
    /// Whether a change reaches the running model at once (see `Session::command`); the
    /// others shape the world as it is built (the army's size, the grid) and apply on Reset.
    pub live: bool,
}

/// Epstein's threshold T as a lever of `model`. Both models decide who rebels by his rule and
/// keep T at the same path, so one definition serves both and the two cannot drift apart.
const fn grievance_threshold(model: &'static str) -> Lever {
    Lever {
        model,
        key: "threshold",
        label: "Grievance threshold",
        path: "params.activation.threshold",
        kind: LeverKind::Number {
            min: 0.0,
            max: 0.5,
            step: 0.01,
        },
        about: "how far grievance must exceed the fear of arrest before a person rebels (Epstein's T)",
        live: true,
    }
}

/// The levers of the models. A lever whose path a scenario lacks is shown as unavailable.
pub const LEVERS: &[Lever] = &[
    Lever {
        model: "Conflict",
        key: "autonomy",
        label: "Insurgent autonomy",
        path: "params.insurgency.autonomy",
        kind: LeverKind::Number {
            min: 0.0,
            max: 1.0,
            step: 0.05,
        },
        live: true,
        about: "0: cells wait for orders from their command; 1: cells act on their own",
    },
    Lever {
        model: "Conflict",
        key: "army_size",
        label: "Army size (x)",
        path: "params.army.size_factor",
        kind: LeverKind::Number {
            min: 0.25,
            max: 4.0,
            step: 0.25,
        },
        live: false,
        about: "multiplies the number of army units of the scenario",
    },
    Lever {
        model: "Conflict",
        key: "discipline",
        label: "Army discipline",
        path: "params.army.discipline",
        kind: LeverKind::Number {
            min: 0.0,
            max: 1.0,
            step: 0.05,
        },
        live: true,
        about: "0: soldiers often harm civilians; 1: they almost never do",
    },
    Lever {
        model: "Conflict",
        key: "escort",
        label: "Escort doctrine",
        path: "params.army.escort_doctrine",
        kind: LeverKind::Choice {
            options: &["unescorted", "escorted_convoys", "route_security"],
        },
        live: true,
        about: "how the army protects the fuel convoys",
    },
    Lever {
        model: "Conflict",
        key: "cooperation",
        label: "Regional cooperation",
        path: "params.army.cooperation",
        kind: LeverKind::Number {
            min: 0.0,
            max: 1.0,
            step: 0.05,
        },
        live: true,
        about: "0: each country alone; 1: neighbours share intelligence and escort convoys",
    },
    Lever {
        model: "Conflict",
        key: "blockade",
        label: "Blockade",
        path: "params.insurgency.blockade",
        kind: LeverKind::Switch,
        live: true,
        about: "whether the insurgents blockade the fuel corridors",
    },
    grievance_threshold("Conflict"),
    Lever {
        model: "CivilViolence",
        key: "legitimacy",
        label: "Legitimacy",
        path: "params.legitimacy",
        kind: LeverKind::Number {
            min: 0.0,
            max: 1.0,
            step: 0.05,
        },
        live: true,
        about: "how rightful citizens find the regime: grievance is hardship x (1 - legitimacy)",
    },
    Lever {
        model: "CivilViolence",
        key: "cop_density",
        label: "Cop density",
        path: "params.cop_density",
        kind: LeverKind::Number {
            min: 0.0,
            max: 0.2,
            step: 0.005,
        },
        live: true,
        about: "share of the grid's cells occupied by cops",
    },
    Lever {
        model: "CivilViolence",
        key: "vision",
        label: "Vision (cells)",
        path: "params.vision",
        kind: LeverKind::Number {
            min: 1.0,
            max: 10.0,
            step: 1.0,
        },
        live: false,
        about: "how far citizens and cops see",
    },
    grievance_threshold("CivilViolence"),
    Lever {
        model: "CivilViolence",
        key: "jail_term",
        label: "Longest jail term (ticks)",
        path: "params.max_jail_term",
        kind: LeverKind::Number {
            min: 0.0,
            max: 100.0,
            step: 1.0,
        },
        about: "jail terms are drawn between 0 and this many ticks; for arrests from now on",
        live: true,
    },
    Lever {
        model: "CivilViolence",
        key: "update_order",
        label: "Who acts first",
        path: "params.update_order",
        kind: LeverKind::Choice {
            options: &["citizens_then_cops", "interleaved"],
        },
        live: true,
        about: "all citizens, then all cops (Epstein's own program), or everyone shuffled together (NetLogo, Mesa): the same rules, different histories",
    },
];

/// A model's lever by its key (`model` is the scenario file's variant name).
pub fn lever(model: &str, key: &str) -> Option<&'static Lever> {
    LEVERS.iter().find(|l| l.model == model && l.key == key)
}

impl Lever {
    /// The value as this lever accepts it, or why not.
    pub fn check(&self, value: &Value) -> Result<ParamValue, String> {
        match self.kind {
            LeverKind::Number { min, max, .. } => {
                let v = value
                    .as_f64()
                    .ok_or_else(|| format!("{} must be a number, got {value}", self.label))?;
                if !(min..=max).contains(&v) {
                    return Err(format!(
                        "{} must be between {min} and {max}, got {v}",
                        self.label
                    ));
                }
                Ok(ParamValue::Float(v))
            }
            LeverKind::Choice { options } => match value.as_str() {
                Some(s) if options.contains(&s) => Ok(ParamValue::Text(s.to_string())),
                _ => Err(format!(
                    "{} must be one of {}, got {value}",
                    self.label,
                    options.join(", ")
                )),
            },
            LeverKind::Switch => value
                .as_bool()
                .map(ParamValue::Bool)
                .ok_or_else(|| format!("{} must be true or false, got {value}", self.label)),
        }
    }
}

/// The current value of a lever in a scenario, or `None` when its path does not exist.
pub fn current(file: &ScenarioFile, lever: &Lever) -> Option<Value> {
    overrides::value_at(file, lever.path).ok()
}

/// The scenario with the lever values (each accepted by [`Lever::check`]) set, validated
/// like a file. Errors are one readable line each.
pub fn apply(
    file: &ScenarioFile,
    settings: &[(&Lever, ParamValue)],
) -> Result<ScenarioFile, String> {
    let paths: Vec<(&str, &ParamValue)> = settings.iter().map(|(l, v)| (l.path, v)).collect();
    overrides::apply(file, &paths).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tutorial() -> ScenarioFile {
        asymwar_scenario::builtin("tutorial").unwrap().unwrap()
    }

    #[test]
    fn round_trips_without_levers() {
        let t = tutorial();
        assert_eq!(apply(&t, &[]).unwrap(), t);
    }

    #[test]
    fn refuses_a_missing_path_with_its_name() {
        let t = tutorial();
        let nowhere = Lever {
            path: "params.nowhere.x",
            ..*lever("Conflict", "discipline").unwrap()
        };
        assert_eq!(current(&t, &nowhere), None);
        let e = apply(&t, &[(&nowhere, ParamValue::Float(0.5))]).unwrap_err();
        assert!(
            e.contains("params.nowhere.x") && e.contains("has no field 'nowhere'"),
            "{e}"
        );
        let name = Lever {
            path: "name.x",
            ..nowhere
        };
        let e = apply(&t, &[(&name, ParamValue::Float(0.5))]).unwrap_err();
        assert!(e.contains("'name' is a single value"), "{e}");
    }

    #[test]
    fn refuses_out_of_range_values() {
        let l = lever("Conflict", "discipline").unwrap();
        assert!(l.check(&Value::from(1.5)).is_err());
        assert!(l.check(&Value::from("high")).is_err());
        assert!(l.check(&Value::from(0.5)).is_ok());
        let e = lever("Conflict", "escort").unwrap();
        assert!(e.check(&Value::from("bombing")).is_err());
        assert!(
            lever("Conflict", "blockade")
                .unwrap()
                .check(&Value::from(1))
                .is_err()
        );
    }

    #[test]
    fn every_lever_applies_or_is_refused_cleanly() {
        let t = tutorial();
        for l in LEVERS {
            let values = match l.kind {
                LeverKind::Number { min, max, .. } => vec![Value::from(min), Value::from(max)],
                LeverKind::Choice { options } => options.iter().map(|o| Value::from(*o)).collect(),
                LeverKind::Switch => vec![Value::from(true), Value::from(false)],
            };
            for value in values {
                let value = l.check(&value).unwrap();
                match (current(&t, l), apply(&t, &[(l, value)])) {
                    (Some(_), r) => assert!(r.is_ok(), "{}: {r:?}", l.key),
                    (None, r) => assert!(r.unwrap_err().contains(l.path)),
                }
            }
        }
    }
}
