# %% [markdown]
# # Which escort doctrines, army sizes and levels of regional cooperation keep Bamako supplied?
#
# A notebook-style script (cells marked `# %%`, as Jupyter, VS Code and jupytext read
# them): a first run of the Mali blockade as data frames, then an EMA Workbench experiment
# over army size and regional cooperation (uncertain) and the escort doctrine (the
# lever), then PRIM scenario discovery on the result and a figure. docs/python.md shows
# its output; `tests` run it small:
#
#     python3 examples/python_ema.py                      # the full experiment (minutes)
#     ASYMWAR_EXAMPLE_SMALL=1 python3 examples/python_ema.py --out /tmp/fig.png
#
# Options: --scenarios N (per doctrine), --days D, --processes P, --out FILE,
# --supplied-days K (the most days without fuel of a supplied capital), --save FILE.csv
# (the experiments and outcomes), --load FILE.csv (analyse saved ones without running).

# %%
import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")  # no display needed; the figure goes to a file
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from ema_workbench import (
    MultiprocessingEvaluator,
    Policy,
    SequentialEvaluator,
    perform_experiments,
)
from ema_workbench.analysis import prim

import asymwar
from asymwar.ema import model

small = bool(os.environ.get("ASYMWAR_EXAMPLE_SMALL"))
ap = argparse.ArgumentParser()
ap.add_argument("--scenarios", type=int, default=6 if small else 60)
ap.add_argument("--days", type=int, default=20 if small else 150)
ap.add_argument("--processes", type=int, default=2)
ap.add_argument("--out", default="docs/figures/python/ema_prim.png")
ap.add_argument("--supplied-days", type=float, default=None)
ap.add_argument("--save")
ap.add_argument("--load")
args = ap.parse_args()

# %% [markdown]
# ## One run: a data frame a day

# %%
r = asymwar.run("mali_blockade", days=args.days, seed=1, params={"army.discipline": 0.5})
print(r.series[["day", "date", "capital_fuel_days", "tankers_delivered"]].tail(3))
print("days the capital went without fuel:", r.metrics["capital_days_without_fuel"])

# %% [markdown]
# ## The experiment
#
# Army size (`army.size_factor`, a multiplier on the scenario's forces) and regional
# cooperation (`army.cooperation`, the share of `secure_border_km` that neighbours secure
# from each crossing) are uncertain; the escort doctrine is the state's choice. The
# outcome is the number of days the capital met less than half its fuel need.

# %%
m = model(
    "mali_blockade",
    uncertainties={"army.size_factor": (0.5, 2.0), "army.cooperation": None},
    levers={"army.escort_doctrine": None},
    outcomes=["capital_days_without_fuel", "tankers_destroyed", "tankers_delivered"],
    days=args.days,
    seed=1,
)
doctrines = ["unescorted", "escorted_convoys", "route_security"]
policies = [Policy(d, army_escort_doctrine=d) for d in doctrines]
if args.load:
    saved = pd.read_csv(args.load)
    experiments = saved[["army_size_factor", "army_cooperation", "army_escort_doctrine"]].copy()
    experiments["army_escort_doctrine"] = experiments["army_escort_doctrine"].astype("category")
    outcomes = {k: saved[k].to_numpy() for k in m.outcomes.keys()}
else:
    started = time.perf_counter()
    if args.processes > 1:
        with MultiprocessingEvaluator(m, n_processes=args.processes) as evaluator:
            experiments, outcomes = perform_experiments(
                m, scenarios=args.scenarios, policies=policies, evaluator=evaluator
            )
    else:
        experiments, outcomes = perform_experiments(
            m, scenarios=args.scenarios, policies=policies, evaluator=SequentialEvaluator(m)
        )
    secs = time.perf_counter() - started
    n = len(experiments)
    print(f"{n} runs of {args.days} days in {secs:.1f} s on {args.processes} processes: "
          f"{60 * n / secs:.1f} runs a minute")
    if args.save:
        table = experiments[["army_size_factor", "army_cooperation", "army_escort_doctrine"]].copy()
        for k, v in outcomes.items():
            table[k] = v
        table.to_csv(args.save, index=False)

# %% [markdown]
# ## Scenario discovery: where is the capital supplied?
#
# "Supplied": at most `--supplied-days` days without fuel (default: a day in five, 30 of
# 150; the default scenario's run 1 has 22). PRIM peels the space of army size,
# cooperation and doctrine towards the runs that keep the capital supplied; of its
# peeling trajectory we keep the densest box that still holds a third of them.

# %%
dry = outcomes["capital_days_without_fuel"]
limit = args.supplied_days if args.supplied_days is not None else args.days / 5
supplied = dry <= limit
print(f"days without fuel: min {dry.min():.0f}, median {np.median(dry):.0f}, max {dry.max():.0f}; "
      f"supplied: at most {limit:.0f}")
x = experiments[["army_size_factor", "army_cooperation", "army_escort_doctrine"]]
for d in doctrines:
    share = supplied[(x["army_escort_doctrine"] == d).to_numpy()].mean()
    print(f"  {d:<17} capital supplied in {share:.0%} of runs")
box = None
if 0 < supplied.sum() < len(supplied):
    p = prim.Prim(x, supplied, threshold=0.6)
    box = p.find_box()
    trajectory = box.peeling_trajectory
    held = trajectory[trajectory["coverage"] >= 1 / 3]
    box.select(int(held["density"].idxmax()))
    with pd.option_context("display.width", 120, "display.max_columns", 10):
        print(box.box_lims[box._cur_box])
    print(f"PRIM box: coverage {box.coverage:.2f}, density {box.density:.2f} "
          f"(share of all runs supplied: {supplied.mean():.2f})")
else:
    print("every run ended alike: no box to find")

# %% [markdown]
# ## The figure: one panel per doctrine, the PRIM box drawn where it holds

# %%
fig, axes = plt.subplots(1, 3, figsize=(10, 3.4), sharex=True, sharey=True)
for ax, d in zip(axes, doctrines):
    sel = (x["army_escort_doctrine"] == d).to_numpy()
    sc = ax.scatter(
        x["army_size_factor"][sel], x["army_cooperation"][sel],
        c=dry[sel], cmap="viridis_r", vmin=0, vmax=max(1, dry.max()), s=18,
    )
    if box is not None:
        lims = box.box_lims[box._cur_box]
        if d in lims["army_escort_doctrine"].iloc[0]:
            (s0, s1), (c0, c1) = lims["army_size_factor"], lims["army_cooperation"]
            ax.add_patch(plt.Rectangle((s0, c0), s1 - s0, c1 - c0, fill=False, ec="red", lw=1.5))
    ax.set_title(d.replace("_", " "))
    ax.set_xlabel("army size (x scenario)")
axes[0].set_ylabel("regional cooperation")
fig.colorbar(sc, ax=axes, label=f"days without fuel (of {args.days})")
fig.suptitle(f"Mali blockade, {args.days} days: days the capital went without fuel; "
             f"red: PRIM box (at most {limit:.0f})", fontsize=10)
os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
fig.savefig(args.out, dpi=80, bbox_inches="tight")
print("->", args.out)
