#!/usr/bin/env python3
"""Draws the civil violence figures of docs/civil_violence.md as SVG line charts.

Standard library only. Runs the release binary on the shipped presets (and variants of
them written to a temporary directory), then plots the time series:

    cargo build --release && python3 docs/figures/plot_cv.py
"""
import csv
import os
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "docs", "figures")
BIN = os.path.join(ROOT, "target", "release", "asymwar")
SCEN = os.path.join(ROOT, "assets", "scenarios")


def run(scenario_text, name, seed, ticks, tmp):
    path = os.path.join(tmp, name + ".ron")
    with open(path, "w") as f:
        f.write(scenario_text)
    out = os.path.join(tmp, f"{name}-{seed}")
    subprocess.run(
        [BIN, "run", path, "--seed", str(seed), "--ticks", str(ticks), "--quiet", "--out", out],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with open(os.path.join(out, "timeseries.csv")) as f:
        rows = list(csv.DictReader(f))
    return {k: [float(r[k]) for r in rows] for k in rows[0]}


def preset(n):
    with open(os.path.join(SCEN, f"epstein_run{n}.ron")) as f:
        return f.read()


def chart(path, title, series, ylabel, xlabel="tick", hline=None, w=760, h=300):
    """series: list of (label, xs, ys, colour)."""
    ml, mr, mt, mb = 56, 16, 30, 40
    xmax = max(max(xs) for _, xs, _, _ in series)
    ymax = max(max(ys) for _, _, ys, _ in series) * 1.05 or 1.0
    sx = lambda x: ml + (w - ml - mr) * x / xmax
    sy = lambda y: h - mb - (h - mt - mb) * y / ymax
    el = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">',
        f'<rect width="{w}" height="{h}" fill="white"/>',
        f'<text x="{ml}" y="18" font-size="13">{title}</text>',
        f'<line x1="{ml}" y1="{h - mb}" x2="{w - mr}" y2="{h - mb}" stroke="black"/>',
        f'<line x1="{ml}" y1="{mt}" x2="{ml}" y2="{h - mb}" stroke="black"/>',
        f'<text x="{(w + ml) / 2}" y="{h - 6}" text-anchor="middle">{xlabel}</text>',
        f'<text x="14" y="{(h + mt - mb) / 2}" text-anchor="middle" transform="rotate(-90 14 {(h + mt - mb) / 2})">{ylabel}</text>',
    ]
    for i in range(6):
        y = ymax * i / 5
        el.append(f'<text x="{ml - 4}" y="{sy(y) + 4:.1f}" text-anchor="end">{y:.0f}</text>')
        x = xmax * i / 5
        el.append(f'<text x="{sx(x):.1f}" y="{h - mb + 14}" text-anchor="middle">{x:.0f}</text>')
    if hline is not None:
        el.append(
            f'<line x1="{ml}" y1="{sy(hline):.1f}" x2="{w - mr}" y2="{sy(hline):.1f}" stroke="grey" stroke-dasharray="4 3"/>'
        )
    for k, (label, xs, ys, colour) in enumerate(series):
        pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, ys))
        el.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1"/>')
        el.append(f'<text x="{w - mr - 4}" y="{mt + 14 * k + 4}" text-anchor="end" fill="{colour}">{label}</text>')
    el.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(el) + "\n")


def two_runs(name, title, *runs):
    """Actives and jailed of each run: (label, series, active colour, jailed colour)."""
    lines = []
    for label, r, active, jailed in runs:
        lines.append((f"{label}: active", r["tick"], r["active"], active))
        lines.append((f"{label}: jailed", r["tick"], r["jailed"], jailed))
    chart(os.path.join(OUT, name), title, lines, "citizens", hline=50)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        r2 = preset(2)
        floor = run(r2, "run2", 1, 3000, tmp)
        literal = run(r2.replace("arrest_rule: floor", "arrest_rule: literal"), "run2_literal", 1, 3000, tmp)
        chart(
            os.path.join(OUT, "cv_run2_floor_vs_literal.svg"),
            "Run 2, seed 1: actives per tick, floor(C/A) (punctuated equilibrium) vs literal C/A",
            [
                ("floor", floor["tick"], floor["active"], "#c0392b"),
                ("literal", literal["tick"], literal["active"], "#2471a3"),
            ],
            "active citizens",
            hline=50,
        )
        for seed in (1, 3):
            gradual = run(preset(3), "run3", seed, 300, tmp)
            sudden = run(preset(4), "run4", seed, 300, tmp)
            two_runs(
                f"cv_legitimacy_seed{seed}.svg",
                f"Runs 3 and 4, seed {seed}: gradual decline 0.9 -> 0.2 vs drop 0.9 -> 0.7 at tick 77",
                ("gradual", gradual, "#e67e22", "#7f8c8d"),
                ("sudden", sudden, "#c0392b", "#2c3e50"),
            )
        # Seed 3: the drop tips under Epstein's order and not under the interleaved one.
        epstein = run(preset(4), "run4", 3, 300, tmp)
        shuffled = run(
            preset(4).replace("update_order: citizens_then_cops", "update_order: interleaved"),
            "run4_interleaved",
            3,
            300,
            tmp,
        )
        two_runs(
            "cv_update_order.svg",
            "Run 4, seed 3: the drop at tick 77 under Epstein's order vs citizens and cops shuffled together",
            ("citizens then cops", epstein, "#c0392b", "#2c3e50"),
            ("interleaved", shuffled, "#e67e22", "#7f8c8d"),
        )
        cops = run(
            preset(5)
            .replace("max_jail_term: 1000", "max_jail_term: None")
            .replace(
                "cop_schedule: constant",
                "cop_schedule: gradual(start_tick: 100, per_tick: 0.0005, to: 0.0)",
            ),
            "cops",
            1,
            400,
            tmp,
        )
        chart(
            os.path.join(OUT, "cv_cop_reduction.svg"),
            "Run 5 world, life terms, seed 1: five cops in 10,000 cells withdrawn a tick from tick 100",
            [
                ("active", cops["tick"], cops["active"], "#c0392b"),
                ("cops x 5", cops["tick"], [5 * c for c in cops["cops"]], "#2c3e50"),
            ],
            "citizens (cops x 5)",
            hline=50,
        )


if __name__ == "__main__":
    main()
