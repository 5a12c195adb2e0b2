//! `asymwar._asymwar`: the native half of the `asymwar` Python package.
//!
//! It is thin on purpose: every run, check and sweep goes through the same library
//! functions as the command line (`asymwar_experiment::run`, `sweep`, the scenario loader
//! and overrides), so a run from Python is the command line's run, value for value. The
//! Python half (`python/asymwar/`) turns what this module returns into Arrow tables and
//! pandas or polars frames. Models run with the GIL released, so Python threads run them
//! in parallel.
//!
//! Tables cross as one `bytes` object per column (little-endian, the column's type), which
//! pyarrow wraps without a copy; the only copy is the one from the model's row-major
//! arrays into columns.

use asymwar_experiment::spec::Plan;
use asymwar_experiment::sweep::{Shard, SweepOptions};
use asymwar_experiment::{RunOptions, RunOutput};
use asymwar_scenario::ScenarioFile;
use asymwar_scenario::load::{BUILTIN, resolve};
use asymwar_scenario::overrides::{self, ParamValue};
use chrono::NaiveDate;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString};
use std::path::{Path, PathBuf};

// The exception classes users catch. They are ValueErrors (bad input), and carry the
// command line's message word for word.
pyo3::create_exception!(
    _asymwar,
    ScenarioError,
    PyValueError,
    "A scenario that cannot be loaded: a missing file, bad RON or broken rules (every one named with its place)."
);
pyo3::create_exception!(
    _asymwar,
    ParameterError,
    ScenarioError,
    "A parameter that cannot be set: an unknown path, a value of the wrong type, or a value that breaks a rule."
);
pyo3::create_exception!(
    _asymwar,
    SweepError,
    PyValueError,
    "A sweep that cannot run: a bad spec, an output folder in use, a failed write."
);

/// The built-in scenarios, by name.
#[pyfunction]
fn scenarios() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

/// A Python value as a parameter value; `path` names it in the error.
fn param_value(path: &str, v: &Bound<'_, PyAny>) -> PyResult<ParamValue> {
    // `bool` first: in Python it is a subclass of `int`.
    if v.is_instance_of::<PyBool>() {
        Ok(ParamValue::Bool(v.extract()?))
    } else if v.is_instance_of::<PyInt>() {
        Ok(ParamValue::Int(v.extract().map_err(|_| {
            ParameterError::new_err(format!(
                "parameter '{path}' = {v}: a whole number must fit in 64 bits"
            ))
        })?))
    } else if v.is_instance_of::<PyFloat>() {
        Ok(ParamValue::Float(v.extract()?))
    } else if v.is_instance_of::<PyString>() {
        Ok(ParamValue::Text(v.extract()?))
    } else if let Ok(f) = v.extract::<f64>() {
        // numpy scalars and other numbers (EMA hands numpy floats to the model).
        Ok(ParamValue::Float(f))
    } else {
        Err(PyTypeError::new_err(format!(
            "parameter '{path}': expected a number, a string or a bool, got {}",
            v.get_type().name()?
        )))
    }
}

/// The scenario named by `scenario` (a file or a built-in name) with `params` set and
/// checked, with the command line's messages on failure.
fn load(scenario: &str, params: Option<&Bound<'_, PyDict>>) -> PyResult<ScenarioFile> {
    let base = resolve(scenario).map_err(|e| ScenarioError::new_err(e.to_string()))?;
    let Some(params) = params.filter(|p| !p.is_empty()) else {
        return Ok(base);
    };
    let mut settings = Vec::with_capacity(params.len());
    for (k, v) in params.iter() {
        let path: String = k
            .extract()
            .map_err(|_| PyTypeError::new_err(format!("parameter names are strings, got {k}")))?;
        let value = param_value(&path, &v)?;
        settings.push((path, value));
    }
    let borrowed: Vec<(&str, &ParamValue)> =
        settings.iter().map(|(p, v)| (p.as_str(), v)).collect();
    overrides::apply(&base, &borrowed).map_err(|e| ParameterError::new_err(e.to_string()))
}

/// Checks a scenario (and the parameters set on it): raises `ScenarioError` with every
/// problem, as `asymwar validate` prints them.
#[pyfunction]
#[pyo3(signature = (scenario, params=None))]
fn validate(scenario: &str, params: Option<&Bound<'_, PyDict>>) -> PyResult<()> {
    load(scenario, params).map(|_| ())
}

/// The scenario, with `params` set, as JSON text (its full value tree: the parameter
/// listing reads the current values from it).
#[pyfunction]
#[pyo3(signature = (scenario, params=None))]
fn scenario_json(scenario: &str, params: Option<&Bound<'_, PyDict>>) -> PyResult<String> {
    let s = load(scenario, params)?;
    serde_json::to_string(&s).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The scenario, with `params` set, as RON text that the command line runs as it is.
#[pyfunction]
#[pyo3(signature = (scenario, params=None))]
fn scenario_ron(scenario: &str, params: Option<&Bound<'_, PyDict>>) -> PyResult<String> {
    Ok(asymwar_scenario::to_ron(&load(scenario, params)?))
}

/// A row of the metric catalogue: `(table, name, kind, unit, about)`.
type MetricRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// The metric catalogue of a scenario's model: a [`MetricRow`] for every daily metric
/// (`series`), run total (`summary`) and per-settlement column (`settlements`).
#[pyfunction]
fn metrics(py: Python<'_>, scenario: &str) -> PyResult<Vec<MetricRow>> {
    let s = load(scenario, None)?;
    let reporters = py.detach(|| {
        let sim = asymwar_scenario::build_simulation(&s, s.seed());
        sim.world
            .resource::<asymwar_model::observation::Reporters>()
            .clone()
    });
    let mut out = Vec::new();
    for r in &reporters.daily {
        out.push(("series", r.name, r.kind.name(), r.unit, r.about));
    }
    for r in &reporters.summary {
        out.push(("summary", r.name, "total", r.unit, r.about));
    }
    for r in &reporters.place {
        out.push(("settlements", r.name, "rate", r.unit, r.about));
    }
    Ok(out)
}

/// A column of `n` values of `width` bytes, each written by `put(i, slot)` straight into
/// the Python object (little-endian, as Arrow reads them).
fn column<'py>(
    py: Python<'py>,
    n: usize,
    width: usize,
    put: impl Fn(usize, &mut [u8]),
) -> PyResult<Bound<'py, PyBytes>> {
    PyBytes::new_with(py, n * width, |buf| {
        for (i, slot) in buf.chunks_exact_mut(width).enumerate() {
            put(i, slot);
        }
        Ok(())
    })
}

fn f64_column<'py>(
    py: Python<'py>,
    n: usize,
    get: impl Fn(usize) -> f64,
) -> PyResult<Bound<'py, PyBytes>> {
    column(py, n, 8, |i, slot| {
        slot.copy_from_slice(&get(i).to_le_bytes())
    })
}

fn u32_column<'py>(py: Python<'py>, values: &[u32]) -> PyResult<Bound<'py, PyBytes>> {
    column(py, values.len(), 4, |i, slot| {
        slot.copy_from_slice(&values[i].to_le_bytes())
    })
}

/// Dates as Arrow's date32: days since 1970-01-01 (any date a scenario can hold fits).
fn date_column<'py>(py: Python<'py>, dates: &[NaiveDate]) -> PyResult<Bound<'py, PyBytes>> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");
    column(py, dates.len(), 4, |i, slot| {
        let days = i32::try_from((dates[i] - epoch).num_days()).unwrap_or(i32::MAX);
        slot.copy_from_slice(&days.to_le_bytes())
    })
}

/// A row-major table (`values[row * columns + column]`) as one f64 column per name.
fn value_columns<'py>(
    py: Python<'py>,
    names: &[&'static str],
    rows: usize,
    values: &[f64],
) -> PyResult<Bound<'py, PyList>> {
    let n = names.len();
    let cols = PyList::empty(py);
    for c in 0..n {
        cols.append(f64_column(py, rows, |r| values[r * n + c])?)?;
    }
    Ok(cols)
}

/// What a run hands to the Python half.
fn run_dict<'py>(py: Python<'py>, out: &RunOutput) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("scenario", out.scenario.name())?;
    d.set_item("seed", out.seed)?;
    d.set_item("ticks", out.ticks)?;
    d.set_item("hours_per_tick", out.hours_per_tick)?;
    d.set_item("start", out.start.to_string())?;
    d.set_item("scenario_ron", asymwar_scenario::to_ron(&out.scenario))?;

    let ts = &out.series;
    let series = PyDict::new(py);
    series.set_item("index_name", ts.index_name)?;
    series.set_item("index", u32_column(py, &ts.days)?)?;
    series.set_item(
        "dates",
        if ts.dated {
            Some(date_column(py, &ts.dates)?)
        } else {
            None
        },
    )?;
    series.set_item("columns", ts.columns.clone())?;
    series.set_item(
        "values",
        value_columns(py, &ts.columns, ts.len(), &ts.values)?,
    )?;
    series.set_item("rows", ts.len())?;
    d.set_item("series", series)?;

    d.set_item("summary", out.summary.clone())?;
    // The event log exactly as events.csv holds it (dates and places worked out by the
    // writer the command line uses); it is short, and pyarrow parses it at once.
    let events = asymwar_experiment::write::events_csv(out)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    d.set_item("events_csv", PyBytes::new(py, &events))?;

    match &out.panel {
        None => d.set_item("panel", py.None())?,
        Some(p) => {
            let panel = PyDict::new(py);
            panel.set_item("rows", p.len())?;
            panel.set_item("index", u32_column(py, &p.days)?)?;
            panel.set_item("dates", date_column(py, &p.dates)?)?;
            panel.set_item("places", u32_column(py, &p.places)?)?;
            panel.set_item("names", p.names.clone())?;
            panel.set_item("columns", p.columns.clone())?;
            panel.set_item("values", value_columns(py, &p.columns, p.len(), &p.values)?)?;
            d.set_item("panel", panel)?;
        }
    }
    Ok(d)
}

/// Runs a scenario: the native half of `asymwar.run`. The model runs without the GIL.
#[pyfunction]
#[pyo3(signature = (scenario, params=None, days=None, ticks=None, seed=None, collect_every_days=None))]
fn run<'py>(
    py: Python<'py>,
    scenario: &str,
    params: Option<&Bound<'py, PyDict>>,
    days: Option<u32>,
    ticks: Option<u64>,
    seed: Option<u64>,
    collect_every_days: Option<u32>,
) -> PyResult<Bound<'py, PyDict>> {
    let s = load(scenario, params)?;
    let opts = RunOptions {
        seed,
        days,
        ticks,
        collect_every_days,
    };
    asymwar_experiment::run::check_length(&s, &opts).map_err(ScenarioError::new_err)?;
    let out = py.detach(|| asymwar_experiment::run(&s, &opts, |_, _| {}));
    run_dict(py, &out)
}

/// Runs a sweep spec (a file, a built-in name, or RON text with `text=True`) into `out`
/// (default: `runs/sweeps/<name>`, as the command line):
/// the native half of `asymwar.sweep`. The runs go on `jobs` threads without the GIL.
#[pyfunction]
#[pyo3(signature = (spec, out, jobs=None, resume=false, shard=None, text=false))]
fn sweep<'py>(
    py: Python<'py>,
    spec: &str,
    out: Option<PathBuf>,
    jobs: Option<usize>,
    resume: bool,
    shard: Option<&str>,
    text: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let plan = if text {
        Plan::from_text(spec.to_string(), Path::new("<python>"))
    } else {
        Plan::resolve(spec)
    }
    .map_err(|e| SweepError::new_err(e.to_string()))?;
    let shard = match shard {
        None => Shard::WHOLE,
        Some(s) => s
            .parse::<Shard>()
            .map_err(|e| SweepError::new_err(format!("--shard {e}")))?,
    };
    // The command line's default folder.
    let out = out.unwrap_or_else(|| plan.default_out(shard));
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 {
        return Err(SweepError::new_err("--jobs must be at least 1"));
    }
    let opts = SweepOptions {
        out: out.clone(),
        jobs,
        shard,
        resume,
    };
    let report = py
        .detach(|| asymwar_experiment::sweep::sweep(&plan, &opts, &|_, _| {}))
        // `{:#}`: the whole chain, as the command line prints it after "error: ".
        .map_err(|e| SweepError::new_err(format!("{e:#}")))?;
    let d = PyDict::new(py);
    d.set_item("name", &plan.spec.name)?;
    d.set_item("out", out)?;
    d.set_item("jobs", jobs)?;
    d.set_item("runs_total", report.runs_total)?;
    d.set_item("runs_in_shard", report.runs_in_shard)?;
    d.set_item("already_done", report.already_done)?;
    d.set_item("ran", report.ran)?;
    d.set_item("wall_secs", report.wall_secs)?;
    d.set_item("model_secs", report.model_secs)?;
    d.set_item("outputs", report.outputs)?;
    Ok(d)
}

#[pymodule]
fn _asymwar(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("ParameterError", py.get_type::<ParameterError>())?;
    m.add("SweepError", py.get_type::<SweepError>())?;
    m.add_function(wrap_pyfunction!(scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(scenario_json, m)?)?;
    m.add_function(wrap_pyfunction!(scenario_ron, m)?)?;
    m.add_function(wrap_pyfunction!(metrics, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
