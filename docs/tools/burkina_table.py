#!/usr/bin/env python3
"""The generated tables of docs/theatres/burkina.md (and its short block in
docs/calibration.md): the Burkina Faso scenario (assets/scenarios/burkina_djibo.ron) run for
365 days from 2022-09-01 over seeds 1-3, every figure read from the runs' outputs
(summary.json, settlements.csv, events.csv), each pattern with its target, its source and a
verdict computed against the target's range; and the same runs with the tanker drivers'
deterrence off (`driver_deterrence: 0`), the sensitivity that shows which mechanism starves
the capital (docs/theatres/burkina.md, "What the model says").

    python3 docs/tools/burkina_table.py                 # print
    python3 docs/tools/burkina_table.py --write         # update the docs
    python3 docs/tools/burkina_table.py --bin PATH      # another binary

The binary defaults to target/release/asymwar, else .bin/asymwar. Standard library only;
two runs at a time (6 runs).
"""
import concurrent.futures
import csv
import json
import math
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIO = os.path.join(ROOT, "assets", "scenarios", "burkina_djibo.ron")
DOCS = [os.path.join(ROOT, "docs", "theatres", "burkina.md"),
        os.path.join(ROOT, "docs", "calibration.md")]
SEEDS = [1, 2, 3]
DAYS = 365
CAPITAL = "Ouagadougou"
CAPITAL_AT = (12.371, -1.520)
# Towns encircled or cut off for months in the window (docs/theatres/burkina.md, sieges).
BESIEGED = ["Djibo", "Arbinda", "Sebba", "Titao", "Diapaga", "Pama", "Bourzanga"]
# Towns of the south and west that were never cut off in the window.
SOUTH = ["Bobo-Dioulasso", "Koudougou", "Banfora", "Tenkodogo", "Pô"]


def binary(argv):
    if "--bin" in argv:
        return argv[argv.index("--bin") + 1]
    for b in (os.path.join(ROOT, "target", "release", "asymwar"),
              os.path.join(ROOT, ".bin", "asymwar")):
        if os.access(b, os.X_OK):
            return b
    sys.exit("no asymwar binary: cargo build --release --bin asymwar, or pass --bin")


def variant(tmp, name, extra_logistics):
    """The scenario with extra lines in its `params.logistics` block."""
    src = open(SCENARIO).read()
    anchor = "        logistics: (\n"
    if anchor not in src:
        sys.exit(f"{SCENARIO}: no params.logistics block to add {extra_logistics!r} to")
    path = os.path.join(tmp, f"{name}.ron")
    open(path, "w").write(src.replace(anchor, anchor + extra_logistics))
    return path


def run(bin_, scenario, seed, out):
    subprocess.run([bin_, "run", scenario, "--days", str(DAYS), "--seed", str(seed),
                    "--quiet", "--out", out], check=True, stdout=subprocess.DEVNULL)
    r = json.load(open(os.path.join(out, "summary.json")))["metrics"]
    towns = {}
    for row in csv.DictReader(open(os.path.join(out, "settlements.csv"))):
        t = towns.setdefault(row["settlement"], {"short": 0, "peak_price": 1.0, "out": 0.0,
                                                  "days": 0, "besieged": 0})
        t["besieged"] += row.get("besieged") in ("1", "true")
        t["days"] += 1
        t["short"] += float(row["fuel_days"]) < 1.0
        t["peak_price"] = max(t["peak_price"], float(row["price_index"]))
        t["out"] = float(row["displaced_out"])
    road, near = 0, 0
    for e in csv.DictReader(open(os.path.join(out, "events.csv"))):
        if e["kind"] in ("ambush", "checkpoint"):
            road += 1
            dlat = float(e["lat"]) - CAPITAL_AT[0]
            dlon = (float(e["lon"]) - CAPITAL_AT[1]) * math.cos(math.radians(CAPITAL_AT[0]))
            near += math.hypot(dlat, dlon) * 111.2 <= 50.0
    r["towns"] = towns
    r["road_attacks_near_capital"] = near / road if road else 0.0
    return r


def get(name):
    return lambda r: r.get(name)


def town(name, field):
    return lambda r: r["towns"][name][field]


def group_mean(names, field):
    return lambda r: sum(r["towns"][n][field] for n in names) / len(names)


def per_month(name):
    return lambda r: r[name] / (r["days"] / 30.4)


def army_share(r):
    a, i = r["attacks_on_civilians_by_army"], r["attacks_on_civilians_by_insurgents"]
    return a / (a + i) if a + i > 0 else None


def inflow_share(r):
    return r["tankers_delivered"] / (r["days"] * 90.0)


# (id, pattern and target as stated, value, low, high, metric, source). A verdict is "lands"
# when the mean of the seeds lies in [low, high], else "low" or "high".
PATTERNS = [
    ("B1", "the capital is short but supplied: days Ouagadougou met less than half its fuel "
     "need (0-21)", get("capital_days_without_fuel"), 0, 21, "`capital_days_without_fuel`",
     "one shortage, 27 Dec 2022 to early Jan 2023, from coastal depot maintenance and a "
     "tanker drivers' strike, rationed at 60% (SONABHY via APA, RFI 29 Dec 2022)"),
    ("B2", "imports keep flowing: tankers delivered over the year / normal flow (0.7-1.1)",
     inflow_share, 0.7, 1.1, "`tankers_delivered` / (90 x days)",
     "no blockade of the import corridors; fuel from Abidjan, Tema, Lome and Cotonou"),
    ("B3", "black-market fuel in the capital x1-4 at the peak (peak price index)",
     get("peak_fuel_price_index"), 1.0, 4.0, "`peak_fuel_price_index`",
     "2,000-3,000 FCFA/L against 750 for a few days (RFI, 29 Dec 2022)"),
    ("B4", "Djibo's fuel at x2.5-4 at the peak (peak price index of Djibo)",
     town("Djibo", "peak_price"), 2.5, 4.0, "settlements.csv `price_index`",
     "2,000-3,000 FCFA/L (Sidwaya, 3 Dec 2019); 2,000 'but not to be found' (Netafrique, "
     "an earlier blockade); none found for 2022-2023"),
    ("B5", "Djibo is short for most of the year (days with under a day of fuel, 120-365)",
     town("Djibo", "short"), 120, 365, "settlements.csv `fuel_days` < 1",
     "no road supply from Nov 2022 to 21 Mar 2023 (RFI, 22 Mar 2023); 7 convoys Mar-Sep 2022 "
     "(Liberation, 28 Sep 2022)"),
    ("B6", "the besieged towns are short for most of the year (mean days with under a day "
     "of fuel in Djibo, Arbinda, Sebba, Titao, Diapaga, Pama, Bourzanga, 120-365)",
     group_mean(BESIEGED, "short"), 120, 365, "settlements.csv `fuel_days` < 1",
     "cut off for months (JA, 16 Mar 2023; RFI, 2 Jan 2023); 13 localities served by the WFP "
     "air bridge Jan-Mar 2023 (24heures.bf, Jul 2023)"),
    ("B7", "the towns of the south and west are supplied (mean days with under a day of fuel "
     "in Bobo-Dioulasso, Koudougou, Banfora, Tenkodogo, Po, 0-30)",
     group_mean(SOUTH, "short"), 0, 30, "settlements.csv `fuel_days` < 1",
     "no siege or fuel shortage reported there in the window beyond the national one of "
     "late Dec 2022 (RFI, 29 Dec 2022)"),
    ("B8", "an ambush on a convoy burns dozens of trucks (trucks per successful ambush, 10-60)",
     get("trucks_per_successful_ambush"), 10, 60, "`trucks_per_successful_ambush`",
     "Gaskinde 26 Sep 2022: convoy of 150-207, 'dozens of trucks destroyed' (army); ~60 "
     "tankers off Kaya-Dori, 8 Dec 2022 (APA)"),
    ("B9", "road attacks stay far from the capital (share of ambushes and checkpoints within "
     "50 km of Ouagadougou, 0-0.05)", get("road_attacks_near_capital"), 0, 0.05,
     "events.csv `ambush`, `checkpoint`",
     "the blockaded axes are in the Sahel, Nord, Centre-Nord and Est (JA, 16 Mar 2023)"),
    ("B10", "civilians killed, about 200 a month (120-300)", per_month("civilians_killed"), 120,
     300, "`civilians_killed` / month",
     "ACLED: 1,418 in 2022, 1,312 in H1 2023 (ACSS); ~1,700 Jan-9 Sep 2023 (ACAPS)"),
    ("B11", "the army's share of attacks on civilians (0.1-0.4)", army_share, 0.1, 0.4,
     "`attacks_on_civilians_by_army` / all",
     "ACLED via ACAPS: JNIM ~80% of civilian deaths Jan-Sep 2024; Karma, Apr 2023, by soldiers"),
    ("B12", "people newly displaced in a year (300,000-1,000,000)", get("displaced_end"),
     300000, 1000000, "`displaced_end`",
     "CONASUR: 1,761,915 (31 Oct 2022) to 2,062,534 (31 Mar 2023), +60,000 a month"),
    ("B13", "the insurgency neither collapses nor explodes (fighters at the end, 1,500-6,000)",
     get("insurgent_fighters_end"), 1500, 6000, "`insurgent_fighters_end`",
     "estimate: about 2,900 placed (no public count for Burkina; JNIM up to 6,000 in the Sahel)"),
    ("B15", "Djibo is besieged all year (days its ring held, 300-365)",
     town("Djibo", "besieged"), 300, 365, "settlements.csv `besieged`",
     "under blockade from 16-17 Feb 2022, still in April 2025 (DG ECHO, 25 Oct 2022; RFI)"),
    ("B16", "rival commands fight: fighters killed in JNIM-Islamic State clashes in a year "
     "(50-400)", get("fighters_killed_in_rival_clashes"), 50, 400,
     "`fighters_killed_in_rival_clashes`",
     "over 90 killed in 10 clashes in Burkina in 2020; the JNIM-ISGS war cost over 1,500 "
     "lives across the Sahel from mid-2020 to 2024 (ACLED via burkina.md S54-S57)"),
    ("B17", "the VDP take heavy losses: militia members killed in a year (100-1,000)",
     get("militia_killed"), 100, 1000, "`militia_killed`",
     "over 200 VDP killed January 2020-June 2021 (AFP), a force of a few thousand then; "
     "90,000 enrolled by November 2022 (S44), so more exposed since"),
    ("B14", "schools in the capital never closed for fuel (days, 0-0)",
     get("capital_school_days_closed"), 0, 0, "`capital_school_days_closed`",
     "no closure reported in Ouagadougou for fuel, 2022-2023"),
]

TOWN_ROWS = [CAPITAL, "Djibo", "Arbinda", "Sebba", "Titao", "Diapaga", "Pama", "Bourzanga",
             "Gorom-Gorom",
             "Dori", "Kaya", "Ouahigouya", "Fada N'Gourma", "Bobo-Dioulasso", "Koudougou"]


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 100 or v == int(v):
        return f"{v:.0f}"
    return f"{v:.3g}"


def verdict(mean, lo, hi):
    if mean is None:
        return "not measured"
    if mean < lo:
        return f"low ({fmt(lo / mean) + 'x under' if mean > 0 else 'zero'})"
    if mean > hi:
        return f"high ({fmt(mean / hi) + 'x the upper bound' if hi > 0 else 'above zero'})"
    return "lands"


def pattern_table(runs):
    lines = ["| id | pattern (target) | model: mean of seeds 1-3 (range) | verdict | metric "
             "| source |", "|---|---|---|---|---|---|"]
    for pid, text, f, lo, hi, metric, src in PATTERNS:
        vals = [f(r) for r in runs]
        vals = [v for v in vals if v is not None]
        mean = sum(vals) / len(vals) if vals else None
        spread = f"{fmt(mean)} ({fmt(min(vals))}-{fmt(max(vals))})" if vals else "-"
        lines.append(f"| {pid} | {text} | {spread} | {verdict(mean, lo, hi)} | {metric} "
                     f"| {src} |")
    return "\n".join(lines)


def town_table(runs):
    lines = ["| settlement | days under a day of fuel | peak price index | displaced from "
             "it at the end |", "|---|---|---|---|"]
    for n in TOWN_ROWS:
        def m(field):
            return sum(r["towns"][n][field] for r in runs) / len(runs)
        lines.append(f"| {n} | {fmt(m('short'))} | {fmt(m('peak_price'))} | {fmt(m('out'))} |")
    return "\n".join(lines)


def sensitivity_table(base, nodeter):
    keys = [("capital_days_without_fuel", get("capital_days_without_fuel")),
            ("inflow share (delivered / normal)", inflow_share),
            ("peak_fuel_price_index", get("peak_fuel_price_index")),
            ("Djibo: days under a day of fuel", town("Djibo", "short")),
            ("besieged towns: mean days under a day of fuel", group_mean(BESIEGED, "short")),
            ("south: mean days under a day of fuel", group_mean(SOUTH, "short")),
            ("tankers_destroyed", get("tankers_destroyed")),
            ("share of road attacks within 50 km of the capital",
             get("road_attacks_near_capital"))]
    lines = ["| metric (mean of seeds 1-3) | as shipped | `driver_deterrence: 0` |",
             "|---|---|---|"]
    for name, f in keys:
        a = sum(f(r) for r in base) / len(base)
        b = sum(f(r) for r in nodeter) / len(nodeter)
        lines.append(f"| {name} | {fmt(a)} | {fmt(b)} |")
    return "\n".join(lines)


def blocks(bin_):
    with tempfile.TemporaryDirectory() as tmp:
        nodeter = variant(tmp, "nodeter", "            driver_deterrence: 0.0,\n")
        jobs = [(SCENARIO, s, os.path.join(tmp, f"base-{s}")) for s in SEEDS]
        jobs += [(nodeter, s, os.path.join(tmp, f"nodeter-{s}")) for s in SEEDS]
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
            results = list(ex.map(lambda j: run(bin_, *j), jobs))
    base, nd = results[:len(SEEDS)], results[len(SEEDS):]
    return {"burkina-365": pattern_table(base), "burkina-towns": town_table(base),
            "burkina-sensitivity": sensitivity_table(base, nd)}


def write(generated):
    for doc in DOCS:
        text = open(doc).read()
        n = 0
        for name, body in generated.items():
            pattern = re.compile(
                rf"(<!-- generated: {re.escape(name)} -->\n).*?(<!-- end: {re.escape(name)} -->)",
                re.S)
            if pattern.search(text):
                text = pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)
                n += 1
        open(doc, "w").write(text)
        print(f"{doc}: {n} blocks regenerated")


def main():
    generated = blocks(binary(sys.argv))
    if "--write" in sys.argv:
        write(generated)
    else:
        for name, body in generated.items():
            print(f"<!-- {name} -->\n{body}\n")


if __name__ == "__main__":
    main()
