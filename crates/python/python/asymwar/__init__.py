"""asymwar from Python: runs, sweeps and the parameter catalogue of the asymmetric warfare
model as pandas or polars data frames.

    import asymwar
    r = asymwar.run("mali_blockade", days=150, seed=1, params={"army.discipline": 0.5})
    r.series        # the daily series (one row a day)
    r.summary       # the run totals (one row)
    r.events        # the event log (engagements, ambushes, strikes ...)
    r.settlements   # the per-settlement daily panel (models with settlements)

Every run goes through the same Rust functions as the command line (`asymwar run`), so a
scenario, parameters and seed give the command line's values exactly. Models run with the
GIL released: Python threads (and processes) run them in parallel. Bad input raises
`ScenarioError`, `ParameterError` or `SweepError` (ValueErrors) with the command line's
message.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
from importlib import resources
from typing import Any, Mapping, Sequence

import pyarrow as pa
import pyarrow.csv as pacsv

from . import _asymwar
from ._asymwar import ParameterError, ScenarioError, SweepError

__all__ = [
    "run",
    "Run",
    "sweep",
    "Sweep",
    "validate",
    "scenarios",
    "parameters",
    "metrics",
    "scenario_ron",
    "ScenarioError",
    "ParameterError",
    "SweepError",
]
__version__ = _asymwar.__version__

FRAMES = ("pandas", "polars", "arrow")


def _frame(table: pa.Table, frame: str):
    """An Arrow table as the frame the user asked for. polars takes Arrow's buffers as they
    are; pandas copies numbers into its own blocks (pandas' own layout)."""
    if frame == "arrow":
        return table
    if frame == "polars":
        import polars as pl

        return pl.from_arrow(table)
    if frame == "pandas":
        return table.to_pandas()
    raise ValueError(f"frame={frame!r}: expected one of {', '.join(FRAMES)}")


def _check_frame(frame: str) -> None:
    if frame not in FRAMES:
        raise ValueError(f"frame={frame!r}: expected one of {', '.join(FRAMES)}")


def _array(data: bytes, n: int, type_: pa.DataType) -> pa.Array:
    # A view on the bytes Rust filled: no copy.
    return pa.Array.from_buffers(type_, n, [None, pa.py_buffer(data)])


def _table(part: Mapping[str, Any], index_name: str, place_names=None) -> pa.Table:
    n = part["rows"]
    cols = {index_name: _array(part["index"], n, pa.uint32())}
    if part.get("dates") is not None:
        cols["date"] = _array(part["dates"], n, pa.date32())
    if place_names is not None:
        places = _array(part["places"], n, pa.uint32())
        cols["settlement"] = pa.DictionaryArray.from_arrays(
            places, pa.array(place_names, pa.string())
        )
    for name, data in zip(part["columns"], part["values"]):
        cols[name] = _array(data, n, pa.float64())
    return pa.table(cols)


# The event log's columns, typed as events.csv holds them (lat and lon are empty for
# abstract models; the numbers are written by Rust's shortest round-trip formatting).
_EVENT_TYPES = {
    "tick": pa.uint64(),
    "date": pa.date32(),
    "kind": pa.string(),
    "tile_x": pa.int32(),
    "tile_y": pa.int32(),
    "lat": pa.float64(),
    "lon": pa.float64(),
    "attacker": pa.string(),
    "defender": pa.string(),
    "attacker_losses": pa.float64(),
    "defender_losses": pa.float64(),
    "trucks_destroyed": pa.uint32(),
    "civilians_killed": pa.uint32(),
}


def _events(csv: bytes) -> pa.Table:
    return pacsv.read_csv(
        io.BytesIO(csv),
        convert_options=pacsv.ConvertOptions(
            column_types=_EVENT_TYPES, strings_can_be_null=False
        ),
    )


@dataclasses.dataclass
class Run:
    """One run: its tables as frames (pandas, polars or Arrow) and what repeats it."""

    scenario: str
    seed: int
    ticks: int
    hours_per_tick: int
    start: str
    #: The daily series: `day`, `date` and one column per daily metric (`tick` and no date
    #: for models without a calendar); the command line's timeseries.csv.
    series: Any
    #: The run totals as one row (`scenario`, `seed`, then one column per metric; null
    #: where a metric has no value); the command line's summary.json.
    summary: Any
    #: The run totals as a dict (None where a metric has no value).
    metrics: dict
    #: The event log; the command line's events.csv.
    events: Any
    #: The per-settlement daily panel (long: a row per day and settlement), or None for
    #: models without settlements; the command line's settlements.csv.
    settlements: Any
    #: The scenario as run (seed, length and parameters set), as RON: `asymwar run FILE`
    #: repeats the run.
    scenario_ron: str


def run(
    scenario: str = "mali_blockade",
    days: int | None = None,
    seed: int | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    ticks: int | None = None,
    frame: str = "pandas",
    collect_every_days: int | None = None,
) -> Run:
    """Runs a scenario (a built-in name or a .ron file) and returns its tables.

    `params` sets parameters by path, as a sweep spec does: `"army.discipline"` is short for
    `"params.army.discipline"`; any field of the scenario is reachable
    (`"forces.army[0].units"`). `days` (or `ticks`) and `seed` default to the scenario's.
    `frame` is "pandas", "polars" or "arrow". The model runs without the GIL.
    """
    _check_frame(frame)
    out = _asymwar.run(
        os.fspath(scenario),
        dict(params) if params else None,
        days,
        ticks,
        seed,
        collect_every_days,
    )
    s = out["series"]
    series = _table(s, s["index_name"])
    names = [n for n, _ in out["summary"]]
    summary = pa.table(
        {
            "scenario": pa.array([out["scenario"]]),
            "seed": pa.array([out["seed"]], pa.uint64()),
            **{n: pa.array([v], pa.float64()) for n, v in out["summary"]},
        }
    )
    panel = out["panel"]
    settlements = None
    if panel is not None:
        settlements = _frame(_table(panel, "day", panel["names"]), frame)
    return Run(
        scenario=out["scenario"],
        seed=out["seed"],
        ticks=out["ticks"],
        hours_per_tick=out["hours_per_tick"],
        start=out["start"],
        series=_frame(series, frame),
        summary=_frame(summary, frame),
        metrics=dict(zip(names, (v for _, v in out["summary"]))),
        events=_frame(_events(out["events_csv"]), frame),
        settlements=settlements,
        scenario_ron=out["scenario_ron"],
    )


def validate(scenario: str, params: Mapping[str, Any] | None = None) -> None:
    """Checks a scenario file or built-in name, with `params` set on it: returns None when
    it is valid, else raises ScenarioError (ParameterError for a parameter) naming every
    problem and its place, as `asymwar validate` prints them."""
    _asymwar.validate(os.fspath(scenario), dict(params) if params else None)


def scenarios() -> list[str]:
    """The built-in scenarios, by name (`asymwar scenarios`)."""
    return list(_asymwar.scenarios())


def scenario_ron(scenario: str, params: Mapping[str, Any] | None = None) -> str:
    """The scenario with `params` set, as RON text (`asymwar run FILE` runs it)."""
    return _asymwar.scenario_ron(os.fspath(scenario), dict(params) if params else None)


def _catalogue() -> list[dict]:
    # Generated from the Rust sources by docs/tools/param_tables.py --json (the generator
    # of docs/parameters.md); a test keeps it fresh.
    text = resources.files(__name__).joinpath("parameters.json").read_text()
    return json.loads(text)


def _leaves(tree: Any, prefix: str):
    """Every number, bool and string under `tree`, with its dotted path."""
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _leaves(v, f"{prefix}.{k}" if prefix else k)
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from _leaves(v, f"{prefix}[{i}]")
    elif isinstance(tree, (bool, int, float, str)):
        yield prefix, tree


def parameter_list(
    scenario: str = "mali_blockade",
    params: Mapping[str, Any] | None = None,
    *,
    fields: str = "params",
) -> list[dict]:
    """Every parameter under the scenario's `params` (every field of the scenario with
    `fields="all"`), as dicts: `path`, `value` (the scenario's, with `params` set), and from
    the catalogue of docs/parameters.md `default` (the code's), `kind` (real, integer, bool,
    enum), `min`, `max` (the valid range; None where unbounded), `values` (an enum's
    choices), `unit` and `doc`."""
    if fields not in ("params", "all"):
        raise ValueError(f"fields={fields!r}: expected 'params' or 'all'")
    tree = json.loads(_asymwar.scenario_json(os.fspath(scenario), dict(params) if params else None))
    inner = next(iter(tree.values()))
    known = {c["path"]: c for c in _catalogue()}
    rows = []
    leaves = _leaves(inner, "") if fields == "all" else _leaves(inner.get("params", {}), "params")
    for path, value in leaves:
        c = known.get(path, {})
        rng = c.get("range") or {}
        kind = c.get("kind") or (
            "bool"
            if isinstance(value, bool)
            else "integer"
            if isinstance(value, int)
            else "real"
            if isinstance(value, float)
            else "text"
        )
        rows.append(
            {
                "path": path,
                "value": value,
                "default": c.get("default"),
                "kind": kind,
                "min": rng.get("min"),
                "max": rng.get("max"),
                "min_excluded": rng.get("min_excluded", False),
                "values": c.get("values"),
                "unit": c.get("unit"),
                "doc": c.get("doc"),
            }
        )
    return rows


def parameters(
    scenario: str = "mali_blockade",
    params: Mapping[str, Any] | None = None,
    *,
    frame: str = "pandas",
):
    """The parameter listing as a frame: one row per parameter of the scenario (see
    `parameter_list`). `value` and `default` are numbers (bools as 0/1, null for enums);
    `choice` holds an enum's current value and `values` its choices."""
    _check_frame(frame)
    rows = parameter_list(scenario, params)

    def number(v):
        return None if isinstance(v, str) or v is None else float(v)

    table = pa.table(
        {
            "path": [r["path"] for r in rows],
            "kind": [r["kind"] for r in rows],
            "value": pa.array([number(r["value"]) for r in rows], pa.float64()),
            "choice": [r["value"] if isinstance(r["value"], str) else None for r in rows],
            "default": pa.array([number(r["default"]) for r in rows], pa.float64()),
            "min": pa.array([r["min"] for r in rows], pa.float64()),
            "max": pa.array([r["max"] for r in rows], pa.float64()),
            "values": pa.array([r["values"] for r in rows], pa.list_(pa.string())),
            "unit": pa.array([r["unit"] for r in rows], pa.string()),
            "doc": pa.array([r["doc"] for r in rows], pa.string()),
        }
    )
    return _frame(table, frame)


def metrics(scenario: str = "mali_blockade", *, frame: str = "pandas"):
    """The metric catalogue of a scenario's model (`asymwar metrics`): `table` (series,
    summary or settlements), `name`, `kind`, `unit` and `about`."""
    _check_frame(frame)
    rows = _asymwar.metrics(os.fspath(scenario))
    keys = ("table", "name", "kind", "unit", "about")
    return _frame(pa.table({k: [r[i] for r in rows] for i, k in enumerate(keys)}), frame)


def _read_sweep_csv(path: str) -> pa.Table:
    # Seeds are 64-bit: inferred, those over 2^63 would become (rounded) floats.
    ids = {k: pa.uint64() for k in ("run_id", "point", "replicate", "seed")}
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=ids))


@dataclasses.dataclass
class Sweep:
    """A finished sweep: its output folder (the command line's files) and its tables."""

    name: str
    out: str
    #: One row per run: design point, replicate, seed, parameter values, metrics (runs.csv).
    runs: Any
    #: What the sweep did: runs, runs already done (resume), wall and model seconds.
    report: dict

    def table(self, file: str, frame: str = "pandas"):
        """Another CSV file of the output folder (e.g. "timeseries.csv") as a frame."""
        return _frame(_read_sweep_csv(os.path.join(self.out, file)), frame)


def sweep(
    spec: str,
    out: str | os.PathLike | None = None,
    *,
    jobs: int | None = None,
    resume: bool = False,
    shard: str | None = None,
    text: bool = False,
    frame: str = "pandas",
) -> Sweep:
    """Runs a sweep spec (a file, a built-in name such as "smoke", or RON text with
    `text=True`) as `asymwar sweep` does, into `out` (default: runs/sweeps/<name>), on
    `jobs` threads (default: one per core) without the GIL. `resume` finishes an
    interrupted sweep; `shard` ("K/N") runs one of N parts."""
    _check_frame(frame)
    report = _asymwar.sweep(
        spec if text else os.fspath(spec),
        None if out is None else os.fspath(out),
        jobs,
        resume,
        shard,
        text,
    )
    out_dir = os.fspath(report["out"])
    runs = _frame(_read_sweep_csv(os.path.join(out_dir, "runs.csv")), frame)
    return Sweep(name=report["name"], out=out_dir, runs=runs, report=report)
