"""examples/python_ema.py, the notebook-style example of docs/python.md, runs (small) and
draws its figure."""

import os
import subprocess
import sys

from conftest import ROOT


def test_the_example_runs_and_draws_its_figure(tmp_path):
    out = tmp_path / "ema_prim.png"
    p = subprocess.run(
        [sys.executable, "examples/python_ema.py", "--out", str(out)],
        cwd=ROOT,
        env={**os.environ, "ASYMWAR_EXAMPLE_SMALL": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert p.returncode == 0, p.stderr
    assert "runs a minute" in p.stdout and "capital supplied in" in p.stdout
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
