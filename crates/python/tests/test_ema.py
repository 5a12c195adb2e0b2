"""The EMA Workbench connector: a scenario as an EMA model, experiments with EMA's
evaluators, and PRIM scenario discovery on the result."""

import math

import numpy as np
import pytest

from ema_workbench import (
    MultiprocessingEvaluator,
    Policy,
    SequentialEvaluator,
    perform_experiments,
)
from ema_workbench.analysis import prim

import asymwar
from asymwar.ema import identifier, model


def test_names_and_kinds_come_from_the_catalogue():
    m = model(
        "tutorial",
        uncertainties={"army.size_factor": (0.5, 2.0), "army.cooperation": None},
        levers=["army.escort_doctrine", "army.decapitation"],
        outcomes=["tankers_destroyed"],
        days=5,
    )
    u = {p.name: p for p in m.uncertainties}
    assert set(u) == {"army_size_factor", "army_cooperation"}
    assert (u["army_cooperation"].lower_bound, u["army_cooperation"].upper_bound) == (0.0, 1.0)
    assert u["army_size_factor"].variable_name == ["army.size_factor"]
    lv = {p.name: p for p in m.levers}
    assert type(lv["army_escort_doctrine"]).__name__ == "CategoricalParameter"
    assert [c.value for c in lv["army_escort_doctrine"].categories] == [
        "unescorted", "escorted_convoys", "route_security"]
    assert type(lv["army_decapitation"]).__name__ == "BooleanParameter"
    assert identifier("forces.army[0].units") == "forces_army_0_units"
    # Unbounded parameters need a range; unknown ones and outcomes are refused.
    with pytest.raises(asymwar.ParameterError, match="give a range"):
        model("tutorial", uncertainties=["army.response_delay_hours"])
    with pytest.raises(asymwar.ParameterError, match="unknown parameter path 'army.nope'"):
        model("tutorial", uncertainties=["army.nope"])
    with pytest.raises(ValueError, match="unknown outcome 'nope'"):
        model("tutorial", uncertainties=["army.cooperation"], outcomes=["nope"])


def test_an_experiment_is_the_run_of_its_parameters():
    m = model(
        "tutorial",
        uncertainties={"army.discipline": None, "forces.army[0].units": (1, 3)},
        outcomes=["tankers_destroyed", "civilians_killed"],
        days=6,
        seed=4,
        constants={"insurgency.autonomy": 0.7},
    )
    experiments, outcomes = perform_experiments(m, scenarios=3, evaluator=SequentialEvaluator(m))
    assert len(experiments) == 3
    for i in range(3):
        params = {
            "army.discipline": float(experiments["army_discipline"][i]),
            "forces.army[0].units": int(experiments["forces_army_0_units"][i]),
            "insurgency.autonomy": 0.7,
        }
        r = asymwar.run("tutorial", days=6, seed=4, params=params)
        for o in ("tankers_destroyed", "civilians_killed"):
            v = r.metrics[o]
            assert outcomes[o][i] == (math.nan if v is None else v) or (
                v is None and math.isnan(outcomes[o][i])
            )


def test_experiments_in_processes_and_prim_finds_a_box():
    m = model(
        "tutorial",
        uncertainties={"army.cooperation": None, "army.size_factor": (0.2, 3.0)},
        levers={"army.escort_doctrine": None},
        outcomes=["tankers_destroyed", "tankers_delivered", "ambushes"],
        days=10,
        seed=1,
    )
    with MultiprocessingEvaluator(m, n_processes=2) as evaluator:
        experiments, outcomes = perform_experiments(
            m,
            scenarios=12,
            # Two doctrines for sure (two sampled policies could draw one twice).
            policies=[Policy(d, army_escort_doctrine=d) for d in ("unescorted", "escorted_convoys")],
            evaluator=evaluator,
        )
    assert len(experiments) == 24
    # The worker processes ran what asymwar.run runs here.
    for i in (0, 23):
        row = experiments.iloc[i]
        r = asymwar.run(
            "tutorial", days=10, seed=1,
            params={"army.cooperation": row["army_cooperation"],
                    "army.size_factor": row["army_size_factor"],
                    "army.escort_doctrine": row["army_escort_doctrine"]},
        )
        assert outcomes["tankers_delivered"][i] == r.metrics["tankers_delivered"]
        assert outcomes["ambushes"][i] == r.metrics["ambushes"]

    delivered = outcomes["tankers_delivered"]
    assert np.isfinite(delivered).all() and delivered.std() > 0
    y = delivered >= np.quantile(delivered, 0.5)
    x = experiments[["army_cooperation", "army_size_factor", "army_escort_doctrine"]]
    p = prim.Prim(x, y, threshold=0.6)
    box = p.find_box()
    limits = box.box_lims[box._cur_box]
    assert box.coverage > 0 and box.density >= y.mean()
    assert set(limits.columns) == set(x.columns)


def test_seeds_replicate_each_experiment_and_average_its_totals():
    # Mali's convoys vary from seed to seed within days (the tutorial's hardly do).
    m = model(
        "mali_blockade",
        uncertainties=["army.cooperation"],
        outcomes=["convoys_departed"],
        days=6,
        seeds=[1, 2, 3],
    )
    experiments, outcomes = perform_experiments(m, scenarios=2, evaluator=SequentialEvaluator(m))
    spread = False
    for i in range(2):
        c = float(experiments["army_cooperation"][i])
        values = [
            asymwar.run("mali_blockade", days=6, seed=s, params={"army.cooperation": c},
                        frame="arrow").metrics["convoys_departed"]
            for s in (1, 2, 3)
        ]
        spread |= len(set(values)) > 1
        assert outcomes["convoys_departed"][i] == np.mean(values)
    assert spread, "the seeds gave the same runs: the mean tells nothing"
