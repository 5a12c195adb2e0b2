//! Setting scenario values by path (`params.activation.threshold`, `calendar.days`): the
//! parameters a sweep holds fixed or varies, and the levers of the classroom page.
//!
//! A path addresses the scenario's serde representation, so every field a scenario file
//! can hold is reachable without a hand-written list: the scenario is serialised to a
//! JSON value, the value at the path replaced, and the result deserialised back and run
//! through the scenario validator. A typo in a path, a value of the wrong type and a
//! value outside a parameter's range are all refused with the path and the rule.

use crate::ScenarioFile;
use crate::validate::validate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// A value a parameter may take: a number, a string (enum variants) or a boolean.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl ParamValue {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ParamValue::Int(i) => Some(*i as f64),
            ParamValue::Float(f) => Some(*f),
            ParamValue::Bool(b) => Some(f64::from(u8::from(*b))),
            ParamValue::Text(_) => None,
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            ParamValue::Bool(b) => Value::Bool(*b),
            ParamValue::Int(i) => Value::from(*i),
            ParamValue::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            ParamValue::Text(s) => Value::String(s.clone()),
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => write!(f, "{x}"),
            ParamValue::Text(s) => write!(f, "{s}"),
        }
    }
}

/// Why a parameter could not be set.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OverrideError {
    #[error("unknown parameter path '{path}': {reason}")]
    UnknownPath { path: String, reason: String },
    #[error("parameter '{path}' = {value}: {reason}")]
    BadValue {
        path: String,
        value: String,
        reason: String,
    },
    /// The scenario with the values set breaks a rule of the model.
    #[error("{}", .0.join("; "))]
    Invalid(Vec<String>),
}

/// The scenario as a JSON value, and the name of its model (`Conflict`, `CivilViolence`).
fn to_value(scenario: &ScenarioFile) -> (String, Value) {
    let v = serde_json::to_value(scenario).expect("a scenario always serialises");
    let Value::Object(map) = v else {
        unreachable!("a scenario file serialises as {{model: scenario}}")
    };
    let (model, inner) = map.into_iter().next().expect("one model");
    (model, inner)
}

fn segments(path: &str) -> Vec<String> {
    // `settlements[2].population` and `settlements.2.population` are the same place.
    path.replace('[', ".")
        .replace(']', "")
        .split('.')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The path spelled out from the scenario's root: `insurgency.autonomy` is short for
/// `params.insurgency.autonomy` (the issue and the docs speak of parameters by submodel),
/// when the scenario has no top-level field of that name but its `params` has one.
fn full_segments(root: &Value, path: &str) -> Vec<String> {
    let mut segs = segments(path);
    if let (Some(first), Value::Object(top)) = (segs.first(), root)
        && !top.contains_key(first)
        && matches!(top.get("params"), Some(Value::Object(p)) if p.contains_key(first))
    {
        segs.insert(0, "params".to_string());
    }
    segs
}

/// The full path of a parameter (`params.activation.k` for `activation.k`), or why there is
/// none.
pub fn canonical_path(scenario: &ScenarioFile, path: &str) -> Result<String, OverrideError> {
    let (_, v) = to_value(scenario);
    pointer(&v, path)?;
    Ok(full_segments(&v, path).join("."))
}

/// The value at `path` in a scenario, or why there is none.
pub fn value_at(scenario: &ScenarioFile, path: &str) -> Result<Value, OverrideError> {
    Base::new(scenario).get(path).cloned()
}

/// The JSON pointer (`/params/activation/k`) of the slot at `path`, or why there is none.
fn pointer(root: &Value, path: &str) -> Result<String, OverrideError> {
    let unknown = |reason: String| OverrideError::UnknownPath {
        path: path.to_string(),
        reason,
    };
    let segs = full_segments(root, path);
    if segs.is_empty() {
        return Err(unknown("the path is empty".into()));
    }
    let mut here = root;
    let mut walked = String::new();
    let mut pointer = String::new();
    for seg in &segs {
        let at = if walked.is_empty() {
            "the scenario".to_string()
        } else {
            format!("'{walked}'")
        };
        here = match here {
            Value::Object(map) => map.get(seg).ok_or_else(|| {
                let known: Vec<&str> = map.keys().map(String::as_str).collect();
                let params = match (walked.is_empty(), map.get("params")) {
                    (true, Some(Value::Object(p))) => format!(
                        ", nor has 'params' (its fields: {})",
                        p.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
                    ),
                    _ => String::new(),
                };
                unknown(format!(
                    "{at} has no field '{seg}' (its fields: {}){params}",
                    known.join(", ")
                ))
            })?,
            Value::Array(items) => {
                let n = items.len();
                let i: usize = seg.parse().map_err(|_| {
                    unknown(format!("{at} is a list: expected an index, got '{seg}'"))
                })?;
                items.get(i).ok_or_else(|| {
                    unknown(format!("{at} has {n} entries, there is no entry {i}"))
                })?
            }
            _ => {
                return Err(unknown(format!(
                    "{at} is a single value, it has no field '{seg}'"
                )));
            }
        };
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(seg);
        pointer.push('/');
        pointer.push_str(&seg.replace('~', "~0").replace('/', "~1"));
    }
    Ok(pointer)
}

/// The slot at `path`, or why there is none.
fn slot<'a>(root: &'a mut Value, path: &str) -> Result<&'a mut Value, OverrideError> {
    let at = pointer(root, path)?;
    Ok(root.pointer_mut(&at).expect("the pointer was just found"))
}

/// Whether the parameter at `path` holds a whole number (so sampled values are rounded).
pub fn is_integer(scenario: &ScenarioFile, path: &str) -> Result<bool, OverrideError> {
    Ok(is_whole(Base::new(scenario).get(path)?))
}

fn is_whole(v: &Value) -> bool {
    matches!(v, Value::Number(n) if n.is_u64() || n.is_i64())
}

/// The scenario with every `(path, value)` set, validated.
pub fn apply(
    scenario: &ScenarioFile,
    settings: &[(&str, &ParamValue)],
) -> Result<ScenarioFile, OverrideError> {
    Base::new(scenario).apply(settings)
}

/// A scenario ready to have parameters set, many times: its value tree is built once (a
/// sweep sets the values of every design point on the same base).
#[derive(Clone, Debug)]
pub struct Base {
    model: String,
    tree: Value,
}

impl Base {
    pub fn new(scenario: &ScenarioFile) -> Self {
        let (model, tree) = to_value(scenario);
        Base { model, tree }
    }

    /// The value at `path`, or why there is none.
    pub fn get(&self, path: &str) -> Result<&Value, OverrideError> {
        let at = pointer(&self.tree, path)?;
        Ok(self.tree.pointer(&at).expect("the pointer was just found"))
    }

    /// The scenario with every `(path, value)` set, validated.
    pub fn apply(&self, settings: &[(&str, &ParamValue)]) -> Result<ScenarioFile, OverrideError> {
        // One deserialisation in the common case; a type error is then set again one
        // value at a time, to name the parameter that caused it.
        let out = match self.set(settings, false) {
            Ok(out) => out,
            Err(_) => self.set(settings, true)?,
        };
        let problems = validate(&out);
        if !problems.is_empty() {
            return Err(OverrideError::Invalid(
                problems
                    .iter()
                    .map(|p| format!("{}: {}", p.path, p.rule))
                    .collect(),
            ));
        }
        Ok(out)
    }

    /// The scenario with every value set but not validated: for settings already found
    /// valid by [`Base::apply`] (a sweep checks every design point before its first run,
    /// then sets the same values again in each run).
    pub fn apply_prechecked(
        &self,
        settings: &[(&str, &ParamValue)],
    ) -> Result<ScenarioFile, OverrideError> {
        self.set(settings, false)
    }

    fn set(
        &self,
        settings: &[(&str, &ParamValue)],
        check_each: bool,
    ) -> Result<ScenarioFile, OverrideError> {
        let mut v = self.tree.clone();
        let wrap = |v: Value| {
            let mut wrapped = serde_json::Map::new();
            wrapped.insert(self.model.clone(), v);
            Value::Object(wrapped)
        };
        for (path, value) in settings {
            // JSON has no NaN: it would reach the scenario as null ("invalid type: null").
            if let ParamValue::Float(f) = value
                && !f.is_finite()
            {
                return Err(OverrideError::BadValue {
                    path: path.to_string(),
                    value: value.to_string(),
                    reason: "must be a finite number (NaN and infinities are not values)".into(),
                });
            }
            let s = slot(&mut v, path)?;
            let mut new = value.to_json();
            // A whole float into an integer field (a sampled army size of 3.0) is that
            // integer; any other float is refused there.
            if let ParamValue::Float(f) = value
                && is_whole(s)
            {
                if f.fract() != 0.0 {
                    return Err(OverrideError::BadValue {
                        path: path.to_string(),
                        value: value.to_string(),
                        reason: "must be a whole number".into(),
                    });
                }
                new = Value::from(*f as i64);
            }
            *s = new;
            if check_each && let Err(e) = serde_json::from_value::<ScenarioFile>(wrap(v.clone())) {
                return Err(OverrideError::BadValue {
                    path: path.to_string(),
                    value: value.to_string(),
                    reason: e.to_string(),
                });
            }
        }
        serde_json::from_value(wrap(v)).map_err(|e| OverrideError::BadValue {
            path: settings
                .iter()
                .map(|(p, _)| *p)
                .collect::<Vec<_>>()
                .join(", "),
            value: String::new(),
            reason: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tutorial() -> ScenarioFile {
        crate::builtin("tutorial").unwrap().unwrap()
    }

    #[test]
    fn sets_a_nested_parameter() {
        let s = apply(
            &tutorial(),
            &[("params.activation.threshold", &ParamValue::Float(0.3))],
        )
        .unwrap();
        let ScenarioFile::Conflict(c) = s else {
            panic!()
        };
        assert_eq!(c.params.activation.threshold, 0.3);
    }

    #[test]
    fn sets_enums_integers_and_list_entries() {
        let s = apply(
            &tutorial(),
            &[
                (
                    "params.activation.arrest_rule",
                    &ParamValue::Text("literal".into()),
                ),
                ("calendar.days", &ParamValue::Float(12.0)),
                ("forces.army[0].units", &ParamValue::Int(5)),
            ],
        )
        .unwrap();
        let ScenarioFile::Conflict(c) = s else {
            panic!()
        };
        assert_eq!(c.calendar.days, 12);
        assert_eq!(c.forces.army[0].units, 5);
        assert!(is_integer(&tutorial(), "calendar.days").unwrap());
        assert!(!is_integer(&tutorial(), "params.activation.k").unwrap());
    }

    #[test]
    fn reads_values_and_refuses_fractions_for_whole_numbers() {
        let t = tutorial();
        assert_eq!(value_at(&t, "calendar.days").unwrap(), Value::from(60));
        assert_eq!(
            value_at(&t, "activation.threshold").unwrap(),
            value_at(&t, "params.activation.threshold").unwrap()
        );
        assert!(value_at(&t, "map.nowhere").is_err());
        let e = apply(&t, &[("calendar.days", &ParamValue::Float(12.5))])
            .unwrap_err()
            .to_string();
        assert_eq!(
            e, "parameter 'calendar.days' = 12.5: must be a whole number",
            "{e}"
        );
    }

    #[test]
    fn short_paths_name_parameters_by_submodel() {
        let t = tutorial();
        assert_eq!(
            canonical_path(&t, "activation.k").unwrap(),
            "params.activation.k"
        );
        assert_eq!(
            canonical_path(&t, "calendar.days").unwrap(),
            "calendar.days"
        );
        assert_eq!(
            canonical_path(&t, "forces.army[1].units").unwrap(),
            "forces.army.1.units"
        );
        let s = apply(&t, &[("activation.k", &ParamValue::Float(4.0))]).unwrap();
        let ScenarioFile::Conflict(c) = s else {
            panic!()
        };
        assert_eq!(c.params.activation.k, 4.0);
        let e = canonical_path(&t, "guerrilla.autonomy")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown parameter path 'guerrilla.autonomy'")
                && e.contains("nor has 'params' (its fields: activation,"),
            "{e}"
        );
    }

    #[test]
    fn refuses_unknown_paths_bad_types_and_out_of_range_values() {
        let e = apply(
            &tutorial(),
            &[("params.activation.treshold", &ParamValue::Float(0.3))],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unknown parameter path 'params.activation.treshold'"));
        assert!(e.contains("has no field 'treshold'"), "{e}");
        let e = apply(
            &tutorial(),
            &[(
                "params.activation.arrest_rule",
                &ParamValue::Text("Bogus".into()),
            )],
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("params.activation.arrest_rule") && e.contains("unknown variant"),
            "{e}"
        );
        let e = apply(
            &tutorial(),
            &[("params.activation.threshold", &ParamValue::Float(1.5))],
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("params.activation.threshold: must be a probability in [0, 1], got 1.5"),
            "{e}"
        );
    }
}
