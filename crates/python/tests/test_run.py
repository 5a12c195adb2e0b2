"""asymwar.run: the command line's run, value for value, as pandas, polars or Arrow."""

import csv
import json
import math

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

import asymwar


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def number(text):
    return None if text == "" else float(text)


def same(a, b):
    """Equal values, NaN equal to NaN (a metric without a value)."""
    if a is None or b is None:
        return a is None and b is None
    return a == b or (math.isnan(a) and math.isnan(b))


def check_equal_to_cli(r, out):
    """The run `r` (frames as Arrow tables) holds exactly what the command line wrote in
    `out`: every value of every file."""
    rows = read_csv(out / "timeseries.csv")
    assert r.series.num_rows == len(rows) > 0
    assert r.series.column_names == list(rows[0].keys())
    series = r.series.to_pylist()
    for mine, theirs in zip(series, rows):
        for k, v in theirs.items():
            if k == "date":
                assert str(mine[k]) == v
            else:
                assert same(float(mine[k]), float(v)), (k, mine[k], v)

    summary = json.loads((out / "summary.json").read_text())
    assert r.seed == summary["seed"] and r.ticks == summary["ticks"]
    # summary.json sorts the names; the package keeps the model's order.
    assert sorted(r.metrics) == sorted(summary["metrics"])
    for k, v in summary["metrics"].items():
        assert same(r.metrics[k], v), (k, r.metrics[k], v)
    row = r.summary.to_pylist()[0]
    assert row["seed"] == summary["seed"]
    assert all(same(row[k], v) for k, v in summary["metrics"].items())

    events = read_csv(out / "events.csv")
    assert r.events.num_rows == len(events)
    for mine, theirs in zip(r.events.to_pylist(), events):
        for k, v in theirs.items():
            m = mine[k]
            if isinstance(m, float) or m is None:
                assert same(m, number(v)), (k, m, v)
            else:
                assert str(m) == v, (k, m, v)

    panel_file = out / "settlements.csv"
    if r.settlements is None:
        assert not panel_file.exists()
        return
    panel = read_csv(panel_file)
    assert r.settlements.num_rows == len(panel) > 0
    for mine, theirs in zip(r.settlements.to_pylist(), panel):
        for k, v in theirs.items():
            if k in ("date", "settlement", "day"):
                assert str(mine[k]) == v, (k, mine[k], v)
            else:
                assert same(mine[k], float(v)), (k, mine[k], v)


def test_a_run_equals_the_command_line_s(cli, tmp_path):
    r = asymwar.run("tutorial", days=20, seed=3, frame="arrow")
    cli("run", "tutorial", "--days", 20, "--seed", 3, "--out", tmp_path / "cli", "--quiet")
    assert r.scenario == "tutorial" and r.seed == 3
    check_equal_to_cli(r, tmp_path / "cli")


def test_a_mali_run_with_parameters_equals_the_command_line_s_of_its_scenario(cli, tmp_path):
    params = {"army.discipline": 0.35, "army.escort_doctrine": "route_security"}
    r = asymwar.run("mali_blockade", days=12, seed=7, params=params, frame="arrow")
    assert r.settlements is not None and r.events.num_rows > 0
    # The scenario as run repeats the run on the command line.
    ron = tmp_path / "as_run.ron"
    ron.write_text(r.scenario_ron)
    assert "discipline: 0.35" in r.scenario_ron and "route_security" in r.scenario_ron
    cli("run", ron, "--out", tmp_path / "cli", "--quiet")
    check_equal_to_cli(r, tmp_path / "cli")
    # ... and the parameters changed the run.
    base = asymwar.run("mali_blockade", days=12, seed=7, frame="arrow")
    assert base.metrics != r.metrics


def test_frames_are_pandas_polars_or_arrow_with_the_same_values():
    runs = {f: asymwar.run("tutorial", days=5, seed=1, frame=f) for f in ("pandas", "polars", "arrow")}
    pd_run, pl_run, pa_run = runs["pandas"], runs["polars"], runs["arrow"]
    assert isinstance(pl_run.series, pl.DataFrame) and isinstance(pa_run.series, pa.Table)
    assert type(pd_run.series).__name__ == "DataFrame" and hasattr(pd_run.series, "iloc")
    assert list(pd_run.series.columns) == pl_run.series.columns == pa_run.series.column_names
    assert pd_run.series["day"].tolist() == pl_run.series["day"].to_list() == list(range(5))
    for col in pa_run.series.column_names[2:]:
        a, b = pl_run.series[col].to_numpy(), pa_run.series.column(col).to_numpy()
        assert np.array_equal(a, b, equal_nan=True), col
        assert np.array_equal(pd_run.series[col].to_numpy(), b, equal_nan=True), col
    assert pl_run.settlements["settlement"].dtype == pl.Categorical
    assert pd_run.metrics == pa_run.metrics
    with pytest.raises(ValueError, match="frame='numpy'"):
        asymwar.run("tutorial", days=1, frame="numpy")


def test_models_without_a_calendar_or_settlements_have_ticks_and_no_panel(cli, tmp_path):
    r = asymwar.run("epstein_run1", ticks=30, seed=2, frame="arrow")
    assert r.series.column_names[0] == "tick" and "date" not in r.series.column_names
    assert r.settlements is None
    cli("run", "epstein_run1", "--ticks", 30, "--seed", 2, "--out", tmp_path / "cli", "--quiet")
    check_equal_to_cli(r, tmp_path / "cli")


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    a = asymwar.run("tutorial", days=10, seed=5, frame="arrow")
    b = asymwar.run("tutorial", days=10, seed=5, frame="arrow")
    c = asymwar.run("tutorial", days=10, seed=6, frame="arrow")
    # pandas' equality: NaN (a metric without a value that day) equals NaN.
    assert a.series.to_pandas().equals(b.series.to_pandas())
    assert a.events.equals(b.events) and a.metrics == b.metrics
    assert not a.series.to_pandas().equals(c.series.to_pandas())


def test_scenarios_are_the_command_line_s(cli):
    assert asymwar.scenarios() == cli("scenarios").stdout.split()
    assert "mali_blockade" in asymwar.scenarios()
