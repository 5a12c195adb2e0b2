"""The EMA Workbench connector: a scenario as an EMA `Model`.

    from ema_workbench import perform_experiments
    from asymwar.ema import model

    m = model("mali_blockade", days=150,
              uncertainties={"army.size_factor": (0.5, 2.0), "army.cooperation": None},
              levers={"army.escort_doctrine": None},
              outcomes=["capital_days_without_fuel", "tankers_destroyed"])
    experiments, outcomes = perform_experiments(m, scenarios=50, policies=3)

Parameters are named by their paths (`army.cooperation`, short for
`params.army.cooperation`; any scenario field, such as `forces.army[0].units`). Their kind
and range come from the parameter catalogue (docs/parameters.md): a range of `None` takes
the catalogue's valid range (for bounded parameters, such as probabilities) or an enum's
choices; a pair `(lo, hi)` gives a range, a list gives the values to choose from.
Outcomes are run totals (summary metrics: ScalarOutcome) or daily metrics
(TimeSeriesOutcome; `NAME_daily` for a daily metric that shares its name with a run
total); the default is every run total.

The model function is this module's `evaluate`, a plain function, so EMA's
`SequentialEvaluator`, `MultiprocessingEvaluator` and `MPIEvaluator` all run it. EMA names
must be Python identifiers: `army.cooperation` is `army_cooperation` in EMA's tables, and
`variable_name` carries the path to the model.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

import numpy as np
from ema_workbench import (
    BooleanParameter,
    CategoricalParameter,
    Constant,
    IntegerParameter,
    Model,
    RealParameter,
    ReplicatorModel,
    ScalarOutcome,
    TimeSeriesOutcome,
)

import asymwar

# Settings of the run itself, passed to `evaluate` as constants; never parameter paths
# (a path has no double underscore).
_SCENARIO = "asymwar__scenario"
_DAYS = "asymwar__days"
_SEED = "asymwar__seed"
_FIXED = "asymwar__fixed"


def identifier(path: str) -> str:
    """The EMA name of a parameter path: `army.cooperation` -> `army_cooperation`,
    `forces.army[0].units` -> `forces_army_0_units` (a leading `params.` is dropped)."""
    if path.startswith("params."):
        path = path[len("params.") :]
    return re.sub(r"\W+", "_", path).strip("_")


def evaluate(**kwargs) -> dict:
    """Runs one experiment: the run settings are the `asymwar__` constants, every other
    keyword is a parameter path. Returns every run total, and every daily metric as an
    array (under `NAME_daily` too, and only there when a run total has its name). EMA calls it in its worker processes."""
    scenario = kwargs.pop(_SCENARIO)
    days = kwargs.pop(_DAYS, None)
    seed = kwargs.pop(_SEED, None)
    params = dict(kwargs.pop(_FIXED, None) or {})
    params.update((k, _plain(v)) for k, v in kwargs.items())
    r = asymwar.run(scenario, days=days, seed=seed, params=params, frame="arrow")
    out: dict[str, Any] = {
        k: (np.nan if v is None else v) for k, v in r.metrics.items()
    }
    for name in r.series.column_names:
        if name not in ("day", "tick", "date"):
            series = r.series.column(name).to_numpy()
            # A daily metric named as a run total (tankers_destroyed) is `NAME_daily`.
            out[f"{name}_daily"] = series
            out.setdefault(name, series)
    return out


def _plain(v):
    # EMA hands numpy scalars (and categories as their values); the model takes Python's.
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def _parameter(path: str, spec: Any, known: Mapping[str, dict]):
    """An EMA parameter for `path` from the user's `spec` (None, (lo, hi) or a list) and
    the catalogue's entry."""
    name = identifier(path)
    entry = known.get(path) or known.get(f"params.{path}")
    if entry is None:
        raise asymwar.ParameterError(
            f"unknown parameter path '{path}': not a parameter of the scenario "
            f"(asymwar.parameters() lists them)"
        )
    kind = entry["kind"]
    if isinstance(spec, (list, tuple)) and not (
        isinstance(spec, tuple) and len(spec) == 2 and kind in ("real", "integer")
    ):
        # A list of values: the choices (numbers or strings).
        return CategoricalParameter(name, list(spec), variable_name=path)
    if kind == "bool":
        return BooleanParameter(name, variable_name=path)
    if kind in ("enum", "text"):
        if spec is None and not entry.get("values"):
            raise asymwar.ParameterError(
                f"parameter '{path}': give the values to choose from (a list)"
            )
        return CategoricalParameter(name, entry["values"], variable_name=path)
    if spec is None:
        lo, hi = entry.get("min"), entry.get("max")
        if lo is None or hi is None:
            raise asymwar.ParameterError(
                f"parameter '{path}': its valid range is [{lo}, {hi}] (unbounded); "
                f"give a range (lo, hi)"
            )
    else:
        lo, hi = spec
    if kind == "integer":
        return IntegerParameter(name, int(lo), int(hi), variable_name=path)
    return RealParameter(name, float(lo), float(hi), variable_name=path)


def model(
    scenario: str = "mali_blockade",
    uncertainties: Mapping[str, Any] | Sequence[str] | None = None,
    levers: Mapping[str, Any] | Sequence[str] | None = None,
    outcomes: Sequence[str] | None = None,
    *,
    days: int | None = None,
    seed: int | None = None,
    seeds: Sequence[int] | None = None,
    constants: Mapping[str, Any] | None = None,
    name: str | None = None,
) -> Model:
    """An EMA `Model` running `scenario` for `days` (default: the scenario's) with `seed`.

    `uncertainties` and `levers` map parameter paths to None (the catalogue's range or
    choices), a range `(lo, hi)` or a list of values; a list of paths takes the catalogue
    for each. `constants` fixes parameters in every experiment. `outcomes` names run totals
    and daily metrics (default: every run total). With `seeds`, each experiment is
    replicated once per seed (EMA's ReplicatorModel) and each run total is the mean over
    the seeds.
    """

    def as_map(x):
        if x is None:
            return {}
        if isinstance(x, Mapping):
            return dict(x)
        return {p: None for p in x}

    rows = asymwar.parameter_list(scenario, constants, fields="all")
    known = {r["path"]: r for r in rows}
    catalogue = asymwar.metrics(scenario, frame="arrow").to_pylist()
    totals = [m["name"] for m in catalogue if m["table"] == "summary"]
    daily = [m["name"] for m in catalogue if m["table"] == "series"]

    name = name or re.sub(r"[^A-Za-z0-9]", "", str(scenario)) or "asymwar"
    replicated = seeds is not None and len(seeds) > 1
    m = (ReplicatorModel if replicated else Model)(name, function=evaluate)
    m.uncertainties = [_parameter(p, s, known) for p, s in as_map(uncertainties).items()]
    m.levers = [_parameter(p, s, known) for p, s in as_map(levers).items()]
    fixed = [Constant(_SCENARIO, str(scenario)), Constant(_DAYS, days)]
    if replicated:
        m.replications = [{_SEED: int(s)} for s in seeds]
    else:
        fixed.append(Constant(_SEED, seed if seeds is None else int(seeds[0])))
    # One constant for all the fixed parameters: EMA names must be identifiers, paths
    # are not.
    if constants:
        fixed.append(Constant(_FIXED, dict(constants)))
    m.constants = fixed

    wanted = list(outcomes) if outcomes is not None else totals
    made = []
    for o in wanted:
        if o in totals:
            made.append(ScalarOutcome(o, function=np.mean) if replicated else ScalarOutcome(o))
        elif o in daily or (o.endswith("_daily") and o[: -len("_daily")] in daily):
            made.append(TimeSeriesOutcome(o))
        else:
            raise ValueError(
                f"unknown outcome '{o}': not a run total or daily metric of {scenario} "
                f"(asymwar.metrics() lists them)"
            )
    m.outcomes = made
    return m
