//! Sweep specs (`assets/sweeps/*.ron`) and the plan they resolve to: the base scenario, the
//! parameters held fixed and varied, the design's points, the seeds, what is collected.
//!
//! ```ron
//! Sweep(
//!     name: "smoke",
//!     scenario: "tutorial",              // built-in name, or a file relative to this spec
//!     days: 5,
//!     fixed: {"activation.k": 2.3},      // held at this value in every run
//!     vary: [
//!         (path: "activation.threshold", range: (0.05, 0.3), levels: 3),
//!         (path: "activation.arrest_rule", values: ["floor", "literal"]),
//!     ],
//!     design: Grid,                      // | LatinHypercube(samples: 50)
//!                                        // | Sobol(samples: 256) | Sobol(samples: 256, second_order: true)
//!                                        // | Morris(trajectories: 20, levels: 4)
//!     replicates: 3,
//!     master_seed: 2025,
//!     collect: (metrics: [], timeseries_every_days: 0),
//! )
//! ```
//!
//! Everything that can be wrong with a spec is found before any run starts: every problem
//! is reported at once, each naming its place in the spec and the rule it breaks.

use crate::design;
use asymwar_model::check::Violation;
use asymwar_model::observation::Reporters;
use asymwar_scenario::ScenarioFile;
use asymwar_scenario::error::{FileError, parse_ron, read_text};
use asymwar_scenario::limits::MAX_DAYS;
use asymwar_scenario::overrides::{self, OverrideError, ParamValue};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A sweep spec as written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Sweep", deny_unknown_fields)]
pub struct SweepSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The base scenario: a file (relative to the spec's directory, or to the working
    /// directory) or a built-in name.
    pub scenario: String,
    /// Days per run (default: the scenario's calendar).
    #[serde(default)]
    pub days: Option<u32>,
    /// Parameters held at one value in every run, by path.
    #[serde(default)]
    pub fixed: BTreeMap<String, ParamValue>,
    /// The varied parameters, in the order of the output columns.
    pub vary: Vec<Varied>,
    pub design: DesignSpec,
    /// Runs per design point, each with its own seed.
    #[serde(default = "one")]
    pub replicates: u32,
    /// Every run's seed is derived from this (see [`run_seed`]).
    pub master_seed: u64,
    /// Replicate r of every point gets the same seed (common random numbers): differences
    /// between points are then not blurred by different random draws.
    #[serde(default)]
    pub common_random_numbers: bool,
    #[serde(default)]
    pub collect: Collect,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn one() -> u32 {
    1
}

/// A varied parameter: a list of values, or a range (sampled, or cut into `levels` for a
/// grid).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Varied {
    /// Path in the scenario (`params.activation.k`, or `activation.k` for short).
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<ParamValue>>,
    /// Lowest and highest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<(f64, f64)>,
    /// Evenly spaced values from low to high, both included (grids only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub levels: Option<u32>,
}

/// How the design points are chosen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum DesignSpec {
    /// Every combination of the parameters' values (full factorial).
    Grid,
    /// `samples` points, each parameter's range cut in `samples` strata, one point in each.
    LatinHypercube { samples: u32 },
    /// Saltelli's scheme for Sobol indices: `samples` (N) base points, N (k + 2) points
    /// in all for k parameters. N a power of two keeps the Sobol sequence balanced. With
    /// `second_order: true`, N (2k + 2) points, which also give the second-order indices
    /// S_ij (left out when false, so that specs written before it keep their designs).
    Sobol {
        samples: u32,
        #[serde(default, skip_serializing_if = "is_false")]
        second_order: bool,
    },
    /// Morris elementary effects: `trajectories` (r) paths of k + 1 points on a grid of
    /// `levels` (even) levels.
    Morris { trajectories: u32, levels: u32 },
}

impl DesignSpec {
    pub fn name(&self) -> &'static str {
        match self {
            DesignSpec::Grid => "Grid",
            DesignSpec::LatinHypercube { .. } => "LatinHypercube",
            DesignSpec::Sobol { .. } => "Sobol",
            DesignSpec::Morris { .. } => "Morris",
        }
    }
}

/// What each run keeps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Collect {
    /// Summary metrics kept in `runs.csv` (empty: all of them).
    pub metrics: Vec<String>,
    /// Record the daily metrics every this many days into `timeseries.*` (0: none): each
    /// row covers the days since the last, counts summed and stocks and rates averaged
    /// (docs/metrics.md gives each metric's kind).
    pub timeseries_every_days: u32,
    /// Daily metrics kept in the time series (empty: all of them).
    pub timeseries_metrics: Vec<String>,
    /// Record the per-settlement panel (every place metric of every settlement, on the
    /// days the time series records) into `settlements.csv` and `settlements.parquet`, one
    /// row per run, recorded day and settlement. Needs `timeseries_every_days` > 0 and a
    /// model with settlements.
    pub panel: bool,
}

/// One broken rule of a spec: its place in the spec (`vary[0] (params.activation.k)`) and
/// what was expected there.
fn problem(place: impl Into<String>, rule: impl Into<String>) -> Violation {
    Violation {
        path: place.into(),
        rule: rule.into(),
    }
}

/// What went wrong with a sweep spec (the same kinds of error as a scenario file's, and its
/// base scenario's own).
pub type SpecError = FileError;

/// Parses spec text (no checks beyond the syntax); `file` names it in errors.
pub fn parse_spec(text: &str, file: &Path) -> Result<SweepSpec, SpecError> {
    parse_ron(text, file)
}

/// The values a varied parameter takes.
#[derive(Clone, Debug, PartialEq)]
pub enum Domain {
    /// A range; whole numbers when the scenario field is an integer.
    Range {
        lo: f64,
        hi: f64,
        integer: bool,
    },
    Values(Vec<ParamValue>),
}

impl Domain {
    /// The value at unit coordinate `u` in [0, 1]: a range scaled (and rounded for whole
    /// numbers), or the value of the `floor(u n)`-th of n equal slices of [0, 1).
    pub fn value(&self, u: f64) -> ParamValue {
        match self {
            Domain::Range {
                lo,
                hi,
                integer: true,
            } => {
                // The whole numbers of the range as n equal slices, so that a sampled
                // design draws the two ends as often as the others.
                let (lo, hi) = (lo.round() as i64, hi.round() as i64);
                let n = hi - lo + 1;
                ParamValue::Int(lo + ((u * n as f64) as i64).min(n - 1))
            }
            Domain::Range { lo, hi, .. } => {
                // Exact at both ends, and rounded to 12 significant digits so that a grid
                // level reads 0.15 rather than 0.15000000000000002.
                ParamValue::Float(round_significant((1.0 - u) * lo + u * hi, 12))
            }
            Domain::Values(v) => {
                let i = ((u * v.len() as f64) as usize).min(v.len() - 1);
                v[i].clone()
            }
        }
    }
}

fn round_significant(x: f64, digits: usize) -> f64 {
    format!("{x:.*e}", digits - 1).parse().unwrap_or(x)
}

/// A varied parameter, resolved against the scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// As written in the spec (the output column name).
    pub path: String,
    /// From the scenario's root (`params.activation.k`).
    pub full_path: String,
    pub domain: Domain,
}

/// The unit coordinates of a grid for one parameter.
fn grid_levels(v: &Varied) -> Vec<f64> {
    match (&v.values, v.levels) {
        // The middle of each slice, so that `Domain::value` picks each value once.
        (Some(values), _) => {
            let n = values.len() as f64;
            (0..values.len()).map(|i| (i as f64 + 0.5) / n).collect()
        }
        (None, Some(l)) if l >= 2 => (0..l).map(|i| f64::from(i) / f64::from(l - 1)).collect(),
        _ => Vec::new(),
    }
}

/// The design's points in the unit hypercube, from the spec alone (the analysis rebuilds
/// them from a sweep's stored spec). The spec must have passed [`check_structure`].
pub fn design_units(spec: &SweepSpec) -> Vec<Vec<f64>> {
    let k = spec.vary.len();
    match spec.design {
        DesignSpec::Grid => design::grid(&spec.vary.iter().map(grid_levels).collect::<Vec<_>>()),
        DesignSpec::LatinHypercube { samples } => {
            design::latin_hypercube(samples as usize, k, spec.master_seed)
        }
        DesignSpec::Sobol {
            samples,
            second_order,
        } => design::saltelli(samples, k, second_order, spec.master_seed),
        DesignSpec::Morris {
            trajectories,
            levels,
        } => design::morris(trajectories as usize, k, levels, spec.master_seed),
    }
}

/// The seed of run `run` (replicate `replicate`): the SplitMix64 finaliser of the master
/// seed xor the run id times the golden ratio ([`asymwar_model::rng::mix`]). With common
/// random numbers, the replicate number stands in for the run id, so replicate r of every
/// point shares a seed.
pub fn run_seed(spec: &SweepSpec, run: u64, replicate: u32) -> u64 {
    let key = if spec.common_random_numbers {
        u64::from(replicate)
    } else {
        run
    };
    asymwar_model::rng::mix(spec.master_seed, key)
}

/// Runs of a sweep at most (design points x replicates): the journal, the run table and
/// the outputs hold a row per run, and a million tutorial runs already take days.
pub const MAX_RUNS: u64 = 1_000_000;
/// Coordinates of a design at most (points x varied parameters): the design is laid out
/// in memory before the first run (10 million: 80 MB).
pub const MAX_DESIGN_COORDINATES: u64 = 10_000_000;
/// Levels of a Morris grid at most: finer levels only shrink the step below what a run
/// can tell apart.
pub const MAX_MORRIS_LEVELS: u32 = 1000;

/// Design points the spec asks for, from its structure alone (as a float: a grid of many
/// levels overflows any integer), so that a design too large is refused before it is laid
/// out in memory, and before any folder is made.
fn design_points(spec: &SweepSpec) -> f64 {
    let k = spec.vary.len() as f64;
    match spec.design {
        DesignSpec::Grid => spec
            .vary
            .iter()
            .map(|v| match (&v.values, v.levels) {
                (Some(values), _) => values.len() as f64,
                (None, Some(l)) => f64::from(l),
                (None, None) => 0.0,
            })
            .product(),
        DesignSpec::LatinHypercube { samples } => f64::from(samples),
        DesignSpec::Sobol {
            samples,
            second_order,
        } => f64::from(samples) * if second_order { 2.0 * k + 2.0 } else { k + 2.0 },
        DesignSpec::Morris { trajectories, .. } => f64::from(trajectories) * (k + 1.0),
    }
}

/// The limits on a design's size: each says the limit and why.
fn check_size(spec: &SweepSpec, out: &mut Vec<Violation>) {
    let points = design_points(spec);
    let runs = points * f64::from(spec.replicates);
    let coordinates = points * spec.vary.len() as f64;
    let place = match spec.design {
        DesignSpec::Grid => "vary",
        DesignSpec::LatinHypercube { .. } | DesignSpec::Sobol { .. } => "design.samples",
        DesignSpec::Morris { .. } => "design.trajectories",
    };
    if spec.replicates as u64 > MAX_RUNS {
        out.push(problem(
            "replicates",
            format!(
                "at most {MAX_RUNS} (the limit of runs in a sweep), got {}",
                spec.replicates
            ),
        ));
    } else if runs > MAX_RUNS as f64 {
        out.push(problem(
            place,
            format!(
                "the sweep has {points} design points x {} replicates = {runs} runs, over the limit of {MAX_RUNS} (each run is a row of the journal and the outputs; split the question into smaller sweeps)",
                spec.replicates
            ),
        ));
    }
    if coordinates > MAX_DESIGN_COORDINATES as f64 {
        out.push(problem(
            place,
            format!(
                "the design has {points} points x {} parameters = {coordinates} coordinates, over the limit of {MAX_DESIGN_COORDINATES} (the design is laid out in memory first)",
                spec.vary.len()
            ),
        ));
    }
    if let DesignSpec::Morris { levels, .. } = spec.design
        && levels > MAX_MORRIS_LEVELS
    {
        out.push(problem(
            "design.levels",
            format!(
                "at most {MAX_MORRIS_LEVELS} (finer levels only shrink the step below what a run can tell apart), got {levels}"
            ),
        ));
    }
}

/// Rules that need no scenario: sizes, ranges, the design's requirements.
pub fn check_structure(spec: &SweepSpec) -> Vec<Violation> {
    let mut out = Vec::new();
    check_size(spec, &mut out);
    if spec.name.trim().is_empty() {
        out.push(problem("name", "must not be empty"));
    }
    if spec.replicates == 0 {
        out.push(problem(
            "replicates",
            "must be at least 1 (the design is empty)",
        ));
    }
    if spec.days == Some(0) || spec.days.is_some_and(|d| d > MAX_DAYS) {
        out.push(problem(
            "days",
            format!(
                "must lie in 1..={MAX_DAYS} (a century, the limit of scenario files), got {}",
                spec.days.unwrap_or(0)
            ),
        ));
    }
    if spec.vary.is_empty() {
        out.push(problem(
            "vary",
            "the design is empty: vary at least one parameter",
        ));
    }
    let grid = spec.design == DesignSpec::Grid;
    let k = spec.vary.len();
    match spec.design {
        DesignSpec::Grid => {}
        DesignSpec::LatinHypercube { samples } => {
            if samples == 0 {
                out.push(problem(
                    "design.samples",
                    "must be at least 1 (the design is empty)",
                ));
            }
        }
        DesignSpec::Sobol {
            samples,
            second_order,
        } => {
            if second_order && k < 2 {
                out.push(problem(
                    "design.second_order",
                    format!("second-order indices need at least two varied parameters, got {k}"),
                ));
            }
            if samples < 2 {
                out.push(problem(
                    "design.samples",
                    format!("must be at least 2 (a variance needs two points), got {samples}"),
                ));
            }
            if samples > design::MAX_SOBOL_SAMPLES {
                out.push(problem(
                    "design.samples",
                    format!(
                        "at most {} base samples (the most Sobol points per dimension the generator gives), got {samples}",
                        design::MAX_SOBOL_SAMPLES
                    ),
                ));
            }
            if 2 * k > design::MAX_SOBOL_DIMENSIONS {
                out.push(problem(
                    "vary",
                    format!(
                        "a Sobol design varies at most {} parameters (two generator dimensions each), got {k}",
                        design::MAX_SOBOL_DIMENSIONS / 2
                    ),
                ));
            }
        }
        DesignSpec::Morris {
            trajectories,
            levels,
        } => {
            if trajectories < 2 {
                out.push(problem(
                    "design.trajectories",
                    format!(
                        "must be at least 2 (sigma needs two effects per parameter), got {trajectories}"
                    ),
                ));
            }
            if levels < 2 || levels % 2 != 0 {
                out.push(problem(
                    "design.levels",
                    format!(
                        "must be even and at least 2 (so that each step of p/(2(p-1)) lands on a level), got {levels}"
                    ),
                ));
            }
        }
    }
    let mut seen = BTreeMap::new();
    for (i, v) in spec.vary.iter().enumerate() {
        let place = format!("vary[{i}] ({})", v.path);
        if let Some(j) = seen.insert(v.path.as_str(), i) {
            out.push(problem(&place, format!("is also vary[{j}]")));
        }
        if v.path.trim() == "seed" {
            out.push(problem(
                &place,
                "seeds are not varied: every run's seed comes from master_seed",
            ));
        }
        if spec.fixed.contains_key(&v.path) {
            out.push(problem(&place, "is also held fixed"));
        }
        match (&v.values, v.range) {
            (Some(_), Some(_)) => out.push(problem(&place, "give `values` or `range`, not both")),
            (None, None) => out.push(problem(&place, "give `values` or `range`")),
            (Some(values), None) => {
                if values.is_empty() {
                    out.push(problem(
                        format!("{place}.values"),
                        "no values: the design is empty",
                    ));
                }
                for (a, x) in values.iter().enumerate() {
                    if values[..a].contains(x) {
                        out.push(problem(
                            format!("{place}.values[{a}]"),
                            format!("{x} is listed twice"),
                        ));
                    }
                    if let ParamValue::Float(f) = x
                        && !f.is_finite()
                    {
                        out.push(problem(format!("{place}.values[{a}]"), "must be finite"));
                    }
                }
                if v.levels.is_some() {
                    out.push(problem(
                        format!("{place}.levels"),
                        "levels cut a range; a list of values is used as it is",
                    ));
                }
            }
            (None, Some((lo, hi))) => {
                if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                    out.push(problem(
                        format!("{place}.range"),
                        format!(
                            "needs finite low < high, got ({lo}, {hi}) (to hold a parameter at one value, put it in `fixed`)"
                        ),
                    ));
                }
                match (grid, v.levels) {
                    (true, None) => out.push(problem(
                        &place,
                        "a grid needs `levels` for a range (or a list of `values`)",
                    )),
                    (true, Some(l)) if l < 2 => out.push(problem(
                        format!("{place}.levels"),
                        format!("must be at least 2 (both ends of the range), got {l}"),
                    )),
                    (false, Some(_)) => out.push(problem(
                        format!("{place}.levels"),
                        format!(
                            "levels apply to Grid designs; a {} design samples the range",
                            spec.design.name()
                        ),
                    )),
                    _ => {}
                }
            }
        }
    }
    // A path inside another (`params.activation` and `params.activation.k`) would be set
    // twice in an order-dependent way.
    let mut all: Vec<&str> = spec.fixed.keys().map(String::as_str).collect();
    all.extend(spec.vary.iter().map(|v| v.path.as_str()));
    for a in &all {
        for b in &all {
            if b.len() > a.len() && b.starts_with(a) && b[a.len()..].starts_with(['.', '[']) {
                out.push(problem(
                    *b,
                    format!("lies inside '{a}', which is also set: set one or the other"),
                ));
            }
        }
    }
    if spec.days.is_some()
        && all
            .iter()
            .any(|p| *p == "calendar.days" || *p == "calendar")
    {
        out.push(problem(
            "days",
            "calendar.days is set in `fixed` or `vary` too: give the length one way",
        ));
    }
    if spec.fixed.contains_key("seed") {
        out.push(problem(
            "fixed.seed",
            "seeds are not fixed: every run's seed comes from master_seed",
        ));
    }
    if spec.collect.timeseries_every_days == 0 && spec.collect.panel {
        out.push(problem(
            "collect.panel",
            "the panel is recorded on the time series' days, but timeseries_every_days is 0",
        ));
    }
    if spec.collect.timeseries_every_days == 0 && !spec.collect.timeseries_metrics.is_empty() {
        out.push(problem(
            "collect.timeseries_metrics",
            "daily metrics are chosen but timeseries_every_days is 0 (no time series)",
        ));
    }
    out
}

/// A sweep ready to run: the spec with its scenario, parameters, points and metrics.
#[derive(Clone, Debug)]
pub struct Plan {
    pub spec: SweepSpec,
    /// The spec's text as written (kept with the outputs, comments and all).
    pub spec_text: String,
    pub file: PathBuf,
    /// The base scenario as loaded.
    pub base: ScenarioFile,
    /// The base scenario with the fixed parameters set.
    pub scenario: ScenarioFile,
    /// `scenario`, ready for the design points' values.
    pub overrider: overrides::Base,
    pub params: Vec<Param>,
    /// The design's points in the unit hypercube.
    pub units: Vec<Vec<f64>>,
    /// Summary metrics kept, in output order.
    pub metrics: Vec<String>,
    /// Name of the time series index ("day", or "tick" for models without a calendar).
    pub series_index: String,
    /// Daily metrics kept (empty when no time series is collected).
    pub series_metrics: Vec<String>,
}

/// What a plan collects of each run, by name.
struct Collected {
    /// Summary metrics, in output order.
    metrics: Vec<String>,
    /// Name of the time series index ("day", or "tick" for models without a calendar).
    series_index: String,
    /// Daily metrics (empty when no time series is collected).
    series_metrics: Vec<String>,
}

/// The metrics a spec collects, checked against those the model declares (all of them where
/// the spec names none); each unknown name adds a problem.
fn collected_by_model(
    spec: &SweepSpec,
    scenario: &ScenarioFile,
    problems: &mut Vec<Violation>,
) -> Collected {
    // The metrics the model declares, from a world built but not stepped.
    let sim = asymwar_scenario::build_simulation(scenario, scenario.seed());
    let reporters = sim.world.resource::<Reporters>();
    let summary: Vec<&str> = reporters.summary.iter().map(|r| r.name).collect();
    let daily: Vec<&str> = reporters.daily.iter().map(|r| r.name).collect();
    let series_index = sim.time_series().index_name.to_string();
    let pick = |chosen: &[String], known: &[&str], place: &str, out: &mut Vec<Violation>| {
        if chosen.is_empty() {
            return known.iter().map(|s| s.to_string()).collect();
        }
        for (i, m) in chosen.iter().enumerate() {
            if !known.contains(&m.as_str()) {
                out.push(problem(
                    format!("{place}[{i}]"),
                    format!(
                        "'{m}' is not a metric of this model (its metrics: {})",
                        known.join(", ")
                    ),
                ));
            }
        }
        chosen.to_vec()
    };
    if spec.collect.panel && reporters.place.is_empty() {
        problems.push(problem(
            "collect.panel",
            "this model has no settlements, so no per-settlement panel",
        ));
    }
    let metrics = pick(&spec.collect.metrics, &summary, "collect.metrics", problems);
    let series_metrics = if spec.collect.timeseries_every_days == 0 {
        Vec::new()
    } else {
        pick(
            &spec.collect.timeseries_metrics,
            &daily,
            "collect.timeseries_metrics",
            problems,
        )
    };
    Collected {
        metrics,
        series_index,
        series_metrics,
    }
}

/// The base scenario named by a spec: a file next to the spec, a file from the working
/// directory, or a built-in.
fn load_base(spec: &SweepSpec, file: &Path) -> Result<ScenarioFile, SpecError> {
    let beside = file
        .parent()
        .map(|d| d.join(&spec.scenario))
        .filter(|p| p.is_file());
    let found = match beside {
        Some(p) => asymwar_scenario::load_file(&p),
        None => asymwar_scenario::load::resolve(&spec.scenario),
    };
    found.map_err(|error| SpecError::Scenario {
        file: file.to_path_buf(),
        scenario: spec.scenario.clone(),
        error: Box::new(error),
    })
}

fn override_rule(e: &OverrideError) -> String {
    match e {
        // The path is the place already; the reason is the rule.
        OverrideError::UnknownPath { reason, .. } => format!("unknown parameter path: {reason}"),
        OverrideError::BadValue { value, reason, .. } => format!("{value}: {reason}"),
        OverrideError::Invalid(rules) => rules.join("; "),
    }
}

/// Sweeps built into the binary, so that `asymwar sweep smoke` works from any directory.
pub const BUILTIN: &[(&str, &str)] = &[
    ("smoke", include_str!("../../../assets/sweeps/smoke.ron")),
    (
        "decentralisation",
        include_str!("../../../assets/sweeps/decentralisation.ron"),
    ),
    (
        "militarisation",
        include_str!("../../../assets/sweeps/militarisation.ron"),
    ),
    (
        "discipline",
        include_str!("../../../assets/sweeps/discipline.ron"),
    ),
    (
        "screening",
        include_str!("../../../assets/sweeps/screening.ron"),
    ),
    (
        "calibration",
        include_str!("../../../assets/sweeps/calibration.ron"),
    ),
];

impl Plan {
    /// Where a sweep writes when no folder is given: `runs/sweeps/<name>`, or
    /// `runs/sweeps/<name>-shard-K-of-N` for one shard (the command line's and Python's
    /// default alike).
    pub fn default_out(&self, shard: crate::sweep::Shard) -> std::path::PathBuf {
        let name = if shard == crate::sweep::Shard::WHOLE {
            self.spec.name.clone()
        } else {
            format!(
                "{}-shard-{}-of-{}",
                self.spec.name, shard.index, shard.count
            )
        };
        std::path::PathBuf::from("runs").join("sweeps").join(name)
    }

    /// A sweep given on the command line: a spec file if one exists at that path, else a
    /// built-in sweep by name.
    pub fn resolve(arg: &str) -> Result<Plan, SpecError> {
        let path = Path::new(arg);
        if path.exists() {
            return Plan::load(path);
        }
        match BUILTIN.iter().find(|(n, _)| *n == arg) {
            Some((name, text)) => {
                Plan::from_text(text.to_string(), Path::new(&format!("<built-in {name}>")))
            }
            None => Err(SpecError::Io {
                file: path.to_path_buf(),
                error: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!(
                        "no such file, and not a built-in sweep ({})",
                        BUILTIN
                            .iter()
                            .map(|(n, _)| *n)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            }),
        }
    }

    /// Reads a spec file and checks everything but the individual design points (see
    /// [`Plan::check_points`]).
    pub fn load(file: &Path) -> Result<Plan, SpecError> {
        Plan::from_text(read_text(file)?, file)
    }

    /// Spec text checked as [`Plan::load`] does; `file` names it in errors and anchors a
    /// relative scenario path.
    pub fn from_text(text: String, file: &Path) -> Result<Plan, SpecError> {
        Plan::checked(text, file, |spec| load_base(spec, file), collected_by_model)
    }

    /// A plan from a sweep's stored parts (its output directory), whose spec and scenario
    /// were checked when the sweep started.
    pub fn from_parts(
        spec_text: String,
        file: &Path,
        base: ScenarioFile,
        metrics: Vec<String>,
        series_index: String,
        series_metrics: Vec<String>,
    ) -> Result<Plan, SpecError> {
        // The stored metrics were checked against the model when the sweep started.
        let collected = Collected {
            metrics,
            series_index,
            series_metrics,
        };
        Plan::checked(spec_text, file, |_| Ok(base), |_, _, _| collected)
    }

    /// The one way to a plan, from spec text or stored parts alike: `base_of` finds the base
    /// scenario of the parsed spec, `collected_of` names what is collected (and adds any
    /// problem with it). Every problem is reported at once: the structure's, then those found
    /// against the scenario, then the collected metrics'.
    fn checked(
        spec_text: String,
        file: &Path,
        base_of: impl FnOnce(&SweepSpec) -> Result<ScenarioFile, SpecError>,
        collected_of: impl FnOnce(&SweepSpec, &ScenarioFile, &mut Vec<Violation>) -> Collected,
    ) -> Result<Plan, SpecError> {
        let spec = parse_spec(&spec_text, file)?;
        let mut problems = check_structure(&spec);
        let base = base_of(&spec)?;
        let (scenario, params, more) = resolve_params(&spec, &base);
        problems.extend(more);
        let collected = collected_of(&spec, &scenario, &mut problems);
        SpecError::check(file, problems)?;
        // Laid out only now: `design_units` needs a spec that passed `check_structure`.
        let units = design_units(&spec);
        Ok(Plan {
            spec,
            spec_text,
            file: file.to_path_buf(),
            base,
            overrider: overrides::Base::new(&scenario),
            scenario,
            params,
            units,
            metrics: collected.metrics,
            series_index: collected.series_index,
            series_metrics: collected.series_metrics,
        })
    }

    pub fn points(&self) -> usize {
        self.units.len()
    }

    pub fn runs(&self) -> u64 {
        self.units.len() as u64 * u64::from(self.spec.replicates)
    }

    pub fn point_of(&self, run: u64) -> usize {
        (run / u64::from(self.spec.replicates)) as usize
    }

    pub fn replicate_of(&self, run: u64) -> u32 {
        (run % u64::from(self.spec.replicates)) as u32
    }

    pub fn seed(&self, run: u64) -> u64 {
        run_seed(&self.spec, run, self.replicate_of(run))
    }

    /// The parameter values of design point `p`, in the order of `params`.
    pub fn values(&self, p: usize) -> Vec<ParamValue> {
        self.params
            .iter()
            .zip(&self.units[p])
            .map(|(param, &u)| param.domain.value(u))
            .collect()
    }

    /// The parameter values of design point `p` as `path = value, ...`, to name it in
    /// messages.
    pub fn describe_point(&self, p: usize) -> String {
        let values: Vec<String> = self
            .params
            .iter()
            .zip(self.values(p))
            .map(|(q, v)| format!("{} = {v}", q.path))
            .collect();
        values.join(", ")
    }

    /// The scenario of design point `p` (seed not yet set), validated.
    pub fn scenario_at(&self, p: usize) -> Result<ScenarioFile, OverrideError> {
        let values = self.values(p);
        self.overrider.apply(&self.settings(&values))
    }

    /// The scenario of design point `p`, which [`Plan::check_points`] has found valid.
    pub fn checked_scenario_at(&self, p: usize) -> Result<ScenarioFile, OverrideError> {
        let values = self.values(p);
        self.overrider.apply_prechecked(&self.settings(&values))
    }

    fn settings<'a>(&'a self, values: &'a [ParamValue]) -> Vec<(&'a str, &'a ParamValue)> {
        self.params
            .iter()
            .map(|q| q.full_path.as_str())
            .zip(values)
            .collect()
    }

    /// Every design point's scenario checked by the scenario validator (in parallel): a
    /// combination of values may break a rule that no single value does.
    pub fn check_points(&self) -> Result<(), SpecError> {
        const SHOWN: usize = 10;
        let mut bad: Vec<(usize, String)> = (0..self.points())
            .into_par_iter()
            .filter_map(|p| self.scenario_at(p).err().map(|e| (p, override_rule(&e))))
            .collect();
        if bad.is_empty() {
            return Ok(());
        }
        bad.sort();
        let n = bad.len();
        let mut problems: Vec<Violation> = bad
            .into_iter()
            .take(SHOWN)
            .map(|(p, rule)| {
                problem(
                    format!("design point {p} ({})", self.describe_point(p)),
                    rule,
                )
            })
            .collect();
        if n > SHOWN {
            problems.push(problem(
                "design",
                format!("and {} more points break rules", n - SHOWN),
            ));
        }
        Err(SpecError::Invalid {
            file: self.file.clone(),
            problems,
        })
    }
}

/// The scenario with `fixed` set, and the varied parameters resolved and checked value by
/// value (each value, or each end of a range, set alone on the base).
fn resolve_params(
    spec: &SweepSpec,
    base: &ScenarioFile,
) -> (ScenarioFile, Vec<Param>, Vec<Violation>) {
    let mut problems = Vec::new();
    let mut scenario = base.clone();
    for (path, value) in &spec.fixed {
        match overrides::apply(&scenario, &[(path, value)]) {
            Ok(s) => scenario = s,
            Err(e) => problems.push(problem(format!("fixed.{path}"), override_rule(&e))),
        }
    }
    let mut params = Vec::new();
    let fixed = overrides::Base::new(&scenario);
    for (i, v) in spec.vary.iter().enumerate() {
        let place = format!("vary[{i}] ({})", v.path);
        let full_path = match overrides::canonical_path(&scenario, &v.path) {
            Ok(p) => p,
            Err(e) => {
                problems.push(problem(place, override_rule(&e)));
                continue;
            }
        };
        let (domain, trials): (Domain, Vec<(String, ParamValue)>) = match (&v.values, v.range) {
            (Some(values), _) => (
                Domain::Values(values.clone()),
                values
                    .iter()
                    .enumerate()
                    .map(|(a, x)| (format!("{place}.values[{a}]"), x.clone()))
                    .collect(),
            ),
            (None, Some((lo, hi))) => {
                let integer = overrides::is_integer(&scenario, &v.path).unwrap_or(false);
                let end = |x: f64| {
                    if integer {
                        ParamValue::Int(x.round() as i64)
                    } else {
                        ParamValue::Float(x)
                    }
                };
                (
                    Domain::Range { lo, hi, integer },
                    vec![
                        (format!("{place}.range.0"), end(lo)),
                        (format!("{place}.range.1"), end(hi)),
                    ],
                )
            }
            (None, None) => continue,
        };
        for (at, x) in trials {
            if let Err(e) = fixed.apply(&[(&full_path, &x)]) {
                problems.push(problem(at, override_rule(&e)));
            }
        }
        params.push(Param {
            path: v.path.clone(),
            full_path,
            domain,
        });
    }
    (scenario, params, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> SweepSpec {
        parse_spec(text, Path::new("t.ron")).unwrap()
    }

    const BASE: &str = r#"Sweep(
        name: "t",
        scenario: "tutorial",
        days: 2,
        vary: [
            (path: "activation.threshold", range: (0.1, 0.3), levels: 3),
            (path: "params.activation.arrest_rule", values: ["floor", "literal"]),
        ],
        design: Grid,
        replicates: 2,
        master_seed: 5,
    )"#;

    #[test]
    fn a_grid_spec_parses_and_lays_out_points_and_seeds() {
        let s = spec(BASE);
        assert!(check_structure(&s).is_empty());
        let units = design_units(&s);
        assert_eq!(units.len(), 6);
        assert_eq!(units[0], vec![0.0, 0.25]);
        assert_eq!(units[5], vec![1.0, 0.75]);
        assert_eq!(run_seed(&s, 3, 1), asymwar_model::rng::mix(5, 3));
        let crn = SweepSpec {
            common_random_numbers: true,
            ..s.clone()
        };
        assert_eq!(run_seed(&crn, 3, 1), run_seed(&crn, 1, 1));
        assert_ne!(run_seed(&s, 3, 1), run_seed(&s, 1, 1));
    }

    #[test]
    fn domains_map_unit_coordinates_to_values() {
        let r = Domain::Range {
            lo: 1.0,
            hi: 3.0,
            integer: false,
        };
        assert_eq!(r.value(0.5), ParamValue::Float(2.0));
        let i = Domain::Range {
            lo: 1.0,
            hi: 4.0,
            integer: true,
        };
        assert_eq!(i.value(0.6), ParamValue::Int(3));
        let counts: Vec<usize> = (1..=4)
            .map(|v| {
                (0..400)
                    .filter(|j| i.value((*j as f64 + 0.5) / 400.0) == ParamValue::Int(v))
                    .count()
            })
            .collect();
        assert_eq!(counts, [100, 100, 100, 100]);
        // Grid levels of a whole-number range: the ends and the nearest whole numbers.
        let ten = Domain::Range {
            lo: 0.0,
            hi: 10.0,
            integer: true,
        };
        let levels: Vec<ParamValue> = [0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0]
            .iter()
            .map(|&u| ten.value(u))
            .collect();
        assert_eq!(levels, [0, 3, 7, 10].map(ParamValue::Int));
        let r = Domain::Range {
            lo: 0.05,
            hi: 0.25,
            integer: false,
        };
        assert_eq!(r.value(0.5), ParamValue::Float(0.15));
        let v = Domain::Values(vec![ParamValue::Bool(false), ParamValue::Bool(true)]);
        assert_eq!(v.value(0.0), ParamValue::Bool(false));
        assert_eq!(v.value(0.49), ParamValue::Bool(false));
        assert_eq!(v.value(0.5), ParamValue::Bool(true));
        assert_eq!(v.value(1.0), ParamValue::Bool(true));
    }
}
