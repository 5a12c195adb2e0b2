#!/usr/bin/env python3
"""The generated tables of docs/calibration.md: the default Mali scenario over seeds 1-10,
run for 150 days (the patterns P1-P8) and for 365 days (the year's stocks and flows), every
figure read from the runs' outputs (summary.json, scenario.ron), each
pattern with its target, its source and a verdict computed against the target's range;
and the same seeds with the file's terrain seed taken out, each seed on its own map, to
show what one map for every seed changes (block `maps`).

    cargo build --release && python3 docs/tools/calibration_table.py           # print
    cargo build --release && python3 docs/tools/calibration_table.py --write   # update the doc

--write replaces the blocks between the markers `<!-- generated: NAME -->` and
`<!-- end: NAME -->` in docs/calibration.md and leaves the rest of the page alone. Standard
library only; two runs at a time (40 runs, about two minutes on 2 idle cores).
"""
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "target", "release", "asymwar")
DOC = os.path.join(ROOT, "docs", "calibration.md")
SEEDS = list(range(1, 11))


def per_month(name):
    return lambda r: r[name] / (r["days"] / 30.4) if r.get(name) is not None else None


def army_share(r):
    a, i = r.get("attacks_on_civilians_by_army"), r.get("attacks_on_civilians_by_insurgents")
    return a / (a + i) if a is not None and i is not None and a + i > 0 else None


def inflow_share(r):
    return r["tankers_delivered"] / (r["days"] * r["normal_tankers_per_day"])


def get(name):
    return lambda r: r.get(name)


# (id, target as stated, value, low, high, source). A verdict is "lands" when the mean of the
# seeds lies in [low, high], else "low" or "high"; `None` bounds are open.
PATTERNS_150 = [
    ("P1", "shortage in the capital within 2-8 weeks (first shortage day 14-56)",
     get("capital_first_shortage_day"), 14, 56,
     "shortages reached Bamako about 6 October 2025 (RFI via PressAfrik, 7 Oct 2025)"),
    ("P1", "inflow falls to about a third of normal (tankers delivered / normal flow, 0.2-0.5)",
     inflow_share, 0.2, 0.5, "AP, importers' union (blockade_facts.csv)"),
    ("P2", "130-300+ tankers destroyed in 5 months (130-400)",
     get("tankers_destroyed"), 130, 400,
     "over 100 tankers by mid-October 2025 (importers' association, AP); 51 on 14 September"),
    ("P2", "20-50 tankers per successful ambush",
     get("tankers_per_successful_ambush"), 20, 50,
     "ODD.md P2: 51 of a convoy of over 100 on 14 Sep 2025; more than 20 on 6 Dec 2025"),
    ("P3", "black-market fuel x2.5-4 at the peak (peak price index in the capital)",
     get("peak_fuel_price_index"), 2.5, 4.0,
     "2,000 FCFA/L against 725-775 official (SeneNews, 29 Oct 2025)"),
    ("P7", "order of 30 attacks on civilians a month by the insurgents (15-60)",
     per_month("attacks_on_civilians_by_insurgents"), 15, 60, "ODD.md P7 (ACLED)"),
    ("P7", "about 1.5 killed per attack on civilians (1-2)",
     get("killed_per_attack_on_civilians"), 1.0, 2.0, "HRW 2024"),
    ("P7", "event sizes heavy-tailed, exponent about 2.5 (2-3): an input, see below",
     get("civilian_harm_exponent"), 2.0, 3.0, "Bohorquez et al. 2009"),
    ("P6", "the centroid of violence moves south (km, > 0)",
     get("events_centroid_shift_km"), 0.0, None, "ACLED 2025 (ODD.md P6)"),
]

PATTERNS_365 = [
    ("Y1", "people held stay within Mali's prison system (jailed at the end, 1,000-17,000)",
     get("jailed_end"), 1_000, 17_000,
     "about 17,000 detainees in about 60 prisons (2023); Bamako's central prison 3,590 for ~400 places (CNDH 2023)"),
    ("Y2", "displaced in the south at the end (5,000-100,000)",
     get("displaced_end"), 5_000, 100_000,
     "IOM DTM: 378,363 displaced in all Mali (Sep 2024), ~415,000 (Sep 2025), mostly north and centre"),
    ("Y3", "the insurgency neither collapses nor outgrows JNIM (fighters at the end, 1,500-7,000)",
     get("insurgent_fighters_end"), 1_500, 7_000, "JNIM 5,000-7,000 fighters in all Mali (ACSS 2025)"),
    ("Y4", "the top command is not struck (0-1)",
     get("top_decapitations"), 0, 1,
     "neither of JNIM's top leaders was killed or captured 2017-2026"),
    ("Y5", "regional commands struck a few times a year (0-12)",
     get("decapitations"), 0, 12, "France killed four senior deputies in 2018-2020"),
    ("Y6", "days the capital met less than half its fuel need (60-150)",
     get("capital_days_without_fuel"), 60, 150,
     "Bamako dry from about 6 Oct to 1 Dec 2025, again mid-December and in March 2026 (RFI, AFP, Le Hautpanel)"),
    ("Y7", "tankers delivered over the year / normal flow (0.3-0.7)",
     inflow_share, 0.3, 0.7,
     "875 tankers in the week of 12-18 Jan 2026 and 1,192 in ten days (Ministry of Commerce via Africanews)"),
    ("Y8", "tankers destroyed in a year (200-1,000)",
     get("tankers_destroyed"), 200, 1_000,
     "over 100 by mid-Oct 2025; 51 on 14 Sep; more than 20 on 6 Dec; dozens on 29 Jan 2026 (AFP, RFI)"),
    ("Y9", "the army's share of attacks on civilians (0.3-0.5)",
     army_share, 0.3, 0.5,
     "ACLED 2022-23: state forces and Wagner about 46% of civilian deaths, JNIM and IS 45-48%"),
    ("Y10", "schools in the capital closed (days, 7-30)",
     get("capital_school_days_closed"), 7, 30,
     "all schools closed 27 Oct-9 Nov 2025 for lack of fuel (AP, Koaci)"),
    ("Y11", "fighters killed in a year (600-2,400)",
     get("fighters_killed"), 600, 2_400,
     "army communiques claim 50-100 'terrorists neutralised' a month in the south (an upper bound)"),
]

PER_SEED_150 = [
    "tankers_destroyed", "successful_ambushes", "tankers_per_successful_ambush",
    "trucks_per_successful_ambush",
    "capital_first_shortage_day", "capital_days_without_fuel", "inflow_share_last_30_days",
    "peak_fuel_price_index", "attacks_on_civilians_per_month",
    "attacks_on_civilians_by_insurgents", "attacks_on_civilians_by_army",
    "killed_per_attack_on_civilians", "civilian_harm_exponent", "recruits",
    "insurgent_fighters_end", "army_soldiers_end", "mean_grievance_end",
    "mean_legitimacy_end", "events_centroid_shift_km",
]
PER_SEED_365 = [
    "jailed_end", "displaced_end", "insurgent_fighters_end", "recruits", "fighters_killed",
    "decapitations", "top_decapitations", "capital_first_shortage_day",
    "capital_days_without_fuel", "capital_school_days_closed", "capital_days_without_power",
    "inflow_share_last_30_days",
    "tankers_delivered", "tankers_destroyed", "trucks_gave_up", "escorted_convoys",
    "ambushes", "checkpoint_stops", "attacks_on_civilians_by_insurgents",
    "attacks_on_civilians_by_army", "mean_legitimacy_end",
]


SCENARIO = os.path.join(ROOT, "assets", "scenarios", "mali_blockade.ron")

# One map against ten: the same seeds with the terrain's own seed taken out of the file, so
# that each seed paints its own terrain detail (as every run did before 2026-12-04).
MAPS_365 = [
    ("Y6: capital days short of half its need", "capital_days_without_fuel"),
    ("Y8: tankers destroyed in a year", "tankers_destroyed"),
    ("Y10: school days closed", "capital_school_days_closed"),
    ("Y11: fighters killed in a year", "fighters_killed"),
]
MAPS_150 = [("P2: tankers destroyed in 150 days", "tankers_destroyed")]


def ten_maps_scenario(tmp):
    """The Mali file without its terrain seed (`map.terrain.seed`)."""
    with open(SCENARIO) as f:
        text = f.read()
    text, n = re.subn(r"\n\s*seed: Some\(\d+\),", "", text)
    if n != 1:
        sys.exit(f"{SCENARIO}: expected one terrain seed (seed: Some(..)), found {n}")
    path = os.path.join(tmp, "mali_ten_maps.ron")
    with open(path, "w") as f:
        f.write(text)
    return path


def run(days, seed, tmp, scenario=None):
    out = os.path.join(tmp, f"d{days}-s{seed}" + ("-maps" if scenario else ""))
    subprocess.run(
        [BIN, "run"] + ([scenario] if scenario else [])
        + ["--days", str(days), "--seed", str(seed), "--quiet", "--out", out],
        check=True, stdout=subprocess.DEVNULL,
    )
    with open(os.path.join(out, "summary.json")) as f:
        r = dict(json.load(f)["metrics"])
    with open(os.path.join(out, "scenario.ron")) as f:
        r["normal_tankers_per_day"] = sum(
            float(x) for x in re.findall(r"tankers_per_day:\s*([0-9.eE+-]+)", f.read()))
    return r


def fmt(v):
    if v is None:
        return "-"
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:.0f}"


def summary(values):
    v = [x for x in values if x is not None]
    if not v:
        return None, None, None
    return sum(v) / len(v), min(v), max(v)


def verdict(mean, lo, hi):
    if mean is None:
        return "no value"
    if lo is not None and mean < lo:
        return f"low ({mean / lo:.2g}x the lower bound)" if lo > 0 else "low"
    if hi is not None and mean > hi:
        return f"high ({mean / hi:.2g}x the upper bound)" if hi > 0 else "high"
    return "lands"


def pattern_table(patterns, runs):
    lines = ["| id | target | model: mean of 10 seeds (range) | verdict | source |",
             "|----|--------|----------------------------------|---------|--------|"]
    for pid, target, value, lo, hi, source in patterns:
        vals = [value(runs[s]) for s in SEEDS]
        mean, mn, mx = summary(vals)
        n = sum(1 for v in vals if v is not None)
        counted = "" if n == len(SEEDS) else f"; {n} of {len(SEEDS)} seeds"
        model = f"{fmt(mean)} ({fmt(mn)}-{fmt(mx)}{counted})"
        lines.append(f"| {pid} | {target} | {model} | {verdict(mean, lo, hi)} | {source} |")
    return "\n".join(lines)


def seed_table(metrics, runs):
    lines = ["| metric | " + " | ".join(f"s{s}" for s in SEEDS) + " | mean |",
             "|---" * (len(SEEDS) + 2) + "|"]
    for m in metrics:
        vals = [runs[s].get(m) for s in SEEDS]
        lines.append(f"| `{m}` | " + " | ".join(fmt(v) for v in vals)
                     + f" | {fmt(summary(vals)[0])} |")
    return "\n".join(lines)


def regimes(runs):
    """The year's two regimes: runs in which the capital is short of fuel on 150 days or
    more (the blockade locked in) against the rest; and how each relates to the share of
    tankers that burned (the drivers' fear, docs/ODD.md 7.5)."""
    locked = [s for s in SEEDS if runs[s]["capital_days_without_fuel"] >= 150]
    burn = {s: runs[s]["tankers_destroyed"]
            / max(1.0, runs[s]["tankers_destroyed"] + runs[s]["tankers_delivered"]) for s in SEEDS}
    def mean_of(seeds, f):
        return sum(f(s) for s in seeds) / len(seeds) if seeds else None
    open_ = [s for s in SEEDS if s not in locked]
    rows = ["| regime | seeds | capital days short | share of tankers burned | fighters at the end |",
            "|---|---|---|---|---|"]
    for name, seeds in (("locked in (the capital short on 150 days or more)", locked),
                        ("relieved", open_)):
        rows.append(
            f"| {name} | {len(seeds)} ({', '.join(map(str, seeds)) or '-'}) | "
            f"{fmt(mean_of(seeds, lambda s: runs[s]['capital_days_without_fuel']))} | "
            f"{fmt(mean_of(seeds, lambda s: burn[s]))} | "
            f"{fmt(mean_of(seeds, lambda s: runs[s]['insurgent_fighters_end']))} |")
    # Spearman's rank correlation across seeds: the share burned against the days short.
    def ranks(xs):
        order = sorted(range(len(xs)), key=lambda i: xs[i])
        r = [0.0] * len(xs)
        for k, i in enumerate(order):
            r[i] = float(k)
        return r
    a = ranks([burn[s] for s in SEEDS])
    b = ranks([runs[s]["capital_days_without_fuel"] for s in SEEDS])
    n = len(SEEDS)
    rho = 1 - 6 * sum((x - y) ** 2 for x, y in zip(a, b)) / (n * (n * n - 1))
    rows.append("")
    rows.append(f"Spearman's rank correlation over the 10 seeds between the share of tankers "
                f"burned and the capital's days short: {rho:.2f}.")
    return "\n".join(rows)


def maps_rows(rows, one, ten):
    out = []
    for label, metric in rows:
        cells = []
        for runs in (ten, one):
            values = [runs[s].get(metric) for s in SEEDS]
            mean, lo, hi = summary(values)
            cell = f"{fmt(mean)} ({fmt(lo)}-{fmt(hi)})"
            if metric == "capital_school_days_closed":
                closed = sum(1 for v in values if v)
                cell += f", closed in {closed} seeds of {len(SEEDS)}"
            cells.append(cell)
        out.append(f"| {label} | {cells[0]} | {cells[1]} |")
    return out


def blocks():
    with tempfile.TemporaryDirectory() as tmp, concurrent.futures.ThreadPoolExecutor(2) as pool:
        maps = ten_maps_scenario(tmp)
        jobs = {(d, s): pool.submit(run, d, s, tmp) for d in (150, 365) for s in SEEDS}
        ten = {(d, s): pool.submit(run, d, s, tmp, maps) for d in (150, 365) for s in SEEDS}
        r150 = {s: jobs[(150, s)].result() for s in SEEDS}
        r365 = {s: jobs[(365, s)].result() for s in SEEDS}
        m150 = {s: ten[(150, s)].result() for s in SEEDS}
        m365 = {s: ten[(365, s)].result() for s in SEEDS}
    head = ["| | ten maps (each seed its own) | one map (the scenario's) |", "|---|---|---|"]
    maps_block = "\n".join(
        head + maps_rows(MAPS_365, r365, m365) + maps_rows(MAPS_150, r150, m150))
    return {
        "maps": maps_block,
        "patterns-150": pattern_table(PATTERNS_150, r150),
        "seeds-150": seed_table(PER_SEED_150, r150),
        "patterns-365": pattern_table(PATTERNS_365, r365),
        "seeds-365": seed_table(PER_SEED_365, r365),
        "regimes-365": regimes(r365),
    }


def write(generated):
    with open(DOC) as f:
        text = f.read()
    for name, body in generated.items():
        pattern = re.compile(
            rf"(<!-- generated: {re.escape(name)} -->\n).*?(<!-- end: {re.escape(name)} -->)",
            re.S)
        if not pattern.search(text):
            sys.exit(f"{DOC}: no block '<!-- generated: {name} -->' ... '<!-- end: {name} -->'")
        text = pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)
    tmp = DOC + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, DOC)


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit(f"{BIN}: not built (cargo build --release)")
    generated = blocks()
    if "--write" in sys.argv[1:]:
        write(generated)
        print(f"{DOC}: {len(generated)} blocks regenerated")
    else:
        for name, body in generated.items():
            print(f"## {name}\n\n{body}\n")


if __name__ == "__main__":
    sys.exit(main())
