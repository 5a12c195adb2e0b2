#!/usr/bin/env python3
"""Prints the per-seed table of docs/calibration.md: the default Mali scenario, 150 days,
seeds 1-10, every figure read from the runs' summary.json (standard library only).

    cargo build --release && python3 docs/tools/calibration_table.py
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "target", "release", "asymwar")
SEEDS = range(1, 11)
METRICS = [
    "tankers_destroyed",
    "successful_ambushes",
    "trucks_per_successful_ambush",
    "capital_first_shortage_day",
    "capital_days_without_fuel",
    "inflow_share_last_30_days",
    "peak_fuel_price_index",
    "attacks_on_civilians_per_month",
    "attacks_on_civilians_by_insurgents",
    "attacks_on_civilians_by_army",
    "killed_per_attack_on_civilians",
    "civilian_harm_exponent",
    "recruits",
    "insurgent_fighters_end",
    "army_soldiers_end",
    "mean_grievance_end",
    "mean_legitimacy_end",
    "events_centroid_shift_km",
    "command_decapitated_day",
]


def fmt(v):
    if v is None:
        return "-"
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:.0f}"


def main():
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for s in SEEDS:
            out = os.path.join(tmp, f"s{s}")
            subprocess.run(
                [BIN, "run", "--days", "150", "--seed", str(s), "--quiet", "--out", out],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            with open(os.path.join(out, "summary.json")) as f:
                runs[s] = json.load(f)["metrics"]
    head = "| metric | " + " | ".join(f"s{s}" for s in SEEDS) + " | mean |"
    print(head)
    print("|---" * (len(SEEDS) + 2) + "|")
    for m in METRICS:
        vals = [runs[s].get(m) for s in SEEDS]
        present = [v for v in vals if v is not None]
        mean = sum(present) / len(present) if present else None
        print(f"| `{m}` | " + " | ".join(fmt(v) for v in vals) + f" | {fmt(mean)} |")


if __name__ == "__main__":
    sys.exit(main())
