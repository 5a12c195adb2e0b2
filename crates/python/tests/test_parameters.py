"""The parameter listing: the catalogue of docs/parameters.md with types, ranges and units,
and each scenario's values."""

import json
import subprocess
import sys

import asymwar
from conftest import ROOT


def test_the_catalogue_is_fresh_and_the_package_s():
    generated = subprocess.run(
        [sys.executable, "docs/tools/param_tables.py", "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    in_repo = (ROOT / "crates/python/python/asymwar/parameters.json").read_text()
    assert generated == in_repo, (
        "stale: python3 docs/tools/param_tables.py --json > crates/python/python/asymwar/parameters.json"
    )
    # The installed package carries the same catalogue (reinstall it if this fails).
    assert asymwar._catalogue() == json.loads(in_repo)


def test_every_parameter_of_docs_parameters_md_is_listed_with_its_default():
    doc = (ROOT / "docs/parameters.md").read_text()
    rows = {r["path"]: r for r in asymwar.parameter_list("mali_blockade")}
    # Rows of the one-row-per-parameter tables (the mobility block has its own table).
    documented, in_table = [], False
    for line in doc.splitlines():
        if line.startswith("| parameter |"):
            in_table = True
        elif not line.startswith("|"):
            in_table = False
        elif in_table and line.startswith("| `"):
            documented.append(line.split("`")[1])
    assert len(documented) == len(asymwar._catalogue()) > 100
    for c in asymwar._catalogue():
        assert c["path"] in rows, c["path"]
        # A choice's default is shown as a file writes it (`escorted_convoys`).
        shown = c["default"] if c["kind"] == "enum" else c["default_code"]
        assert f"| `{c['name']}` | `{shown}` |" in doc, c["path"]


def test_ranges_units_kinds_and_values():
    rows = {r["path"]: r for r in asymwar.parameter_list("mali_blockade")}
    d = rows["params.army.discipline"]
    assert (d["kind"], d["default"], d["min"], d["max"]) == ("real", 0.6, 0.0, 1.0)
    assert d["unit"] == "probability or share" and "civilians" in d["doc"]
    e = rows["params.army.escort_doctrine"]
    assert e["kind"] == "enum" and e["values"] == ["unescorted", "escorted_convoys", "route_security"]
    assert e["value"] in e["values"]
    h = rows["params.army.response_delay_hours"]
    assert h["unit"] == "hours" and h["min"] == 0.0 and h["max"] is None
    assert rows["params.army.size_factor"]["max"] == 20.0
    # Every range holds the default, and the scenario's value is valid.
    for r in rows.values():
        if r["min"] is not None and isinstance(r["default"], float):
            assert r["min"] <= r["default"] and (r["max"] is None or r["default"] <= r["max"]), r


def test_the_listing_shows_the_scenario_s_values_and_the_parameters_set():
    frame = asymwar.parameters("mali_blockade", {"army.discipline": 0.25}, frame="polars")
    row = frame.filter(frame["path"] == "params.army.discipline").row(0, named=True)
    assert row["value"] == 0.25 and row["default"] == 0.6
    assert frame.height == len(asymwar.parameter_list("mali_blockade"))
    # Models without a catalogue entry (the civil violence model) list their fields too.
    cv = asymwar.parameter_list("epstein_run1")
    assert cv and all(r["path"].startswith("params.") for r in cv)
    assert any(r["path"] == "params.vision" for r in cv) or len(cv) > 3


def test_metrics_are_the_command_line_s_catalogue(cli):
    m = asymwar.metrics("mali_blockade", frame="arrow").to_pylist()
    names = {(r["table"], r["name"]) for r in m}
    assert ("summary", "capital_days_without_fuel") in names
    assert ("settlements", "fuel_days") in names
    text = cli("metrics", "mali_blockade").stdout
    for r in m:
        assert f"`{r['name']}`" in text
