#!/usr/bin/env python3
"""Checks that two builds of asymwar give the same outputs, run for run.

    python3 docs/tools/same_outputs.py OLD_BINARY NEW_BINARY [--days N] [--seeds 1,2,3]

Runs the default Mali scenario and the tutorial for each seed with both binaries and
compares what they write: events.csv and scenario.ron byte for byte; timeseries.csv value
for value under each column name (so a change in column order alone is reported, not
failed); summary.json key for key, each value as written. Exit 1 on any difference.
Used for the architecture reshaping (the outputs must not change while code moves)."""
import csv, json, subprocess, sys, tempfile, os, argparse

def run(binary, scenario, seed, days, out):
    subprocess.run([binary, "run", scenario, "--seed", str(seed), "--days", str(days),
                    "--out", out], check=True, stdout=subprocess.DEVNULL)

def table(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    return header, {name: [r[i] for r in body] for i, name in enumerate(header)}

def summary(path):
    with open(path) as f:
        return json.load(f, parse_float=str, parse_int=str)

def compare(a, b, label):
    problems = []
    for name in ("events.csv", "scenario.ron"):
        if open(os.path.join(a, name), "rb").read() != open(os.path.join(b, name), "rb").read():
            problems.append(f"{label}: {name} differs")
    ha, ta = table(os.path.join(a, "timeseries.csv"))
    hb, tb = table(os.path.join(b, "timeseries.csv"))
    if set(ha) != set(hb):
        problems.append(f"{label}: timeseries columns differ: -{sorted(set(ha)-set(hb))} +{sorted(set(hb)-set(ha))}")
    for name in sorted(set(ha) & set(hb)):
        if ta[name] != tb[name]:
            day = next(i for i, (x, y) in enumerate(zip(ta[name], tb[name])) if x != y) if len(ta[name]) == len(tb[name]) else "length"
            problems.append(f"{label}: timeseries column {name} differs (first at row {day})")
    if ha != hb and set(ha) == set(hb):
        print(f"note {label}: same columns, other order")
    sa, sb = summary(os.path.join(a, "summary.json")), summary(os.path.join(b, "summary.json"))
    if sa != sb:
        ma, mb = sa.pop("metrics", {}), sb.pop("metrics", {})
        for k in sorted(set(ma) | set(mb)):
            if ma.get(k) != mb.get(k):
                problems.append(f"{label}: summary {k}: {ma.get(k)} -> {mb.get(k)}")
        if sa != sb:
            problems.append(f"{label}: summary header differs")
    return problems

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old"); ap.add_argument("new")
    ap.add_argument("--days", type=int, default=150)
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--scenarios", default="mali_blockade,tutorial")
    args = ap.parse_args()
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in args.scenarios.split(","):
            for seed in args.seeds.split(","):
                label = f"{scenario} seed {seed}"
                a, b = os.path.join(tmp, label + " old"), os.path.join(tmp, label + " new")
                run(args.old, scenario, seed, args.days, a)
                run(args.new, scenario, seed, args.days, b)
                found = compare(a, b, label)
                print(f"{label}, {args.days} days: {'same' if not found else 'DIFFERENT'}")
                problems += found
    for p in problems[:40]:
        print(p)
    sys.exit(1 if problems else 0)

if __name__ == "__main__":
    main()
