"""asymwar.run from Python against `asymwar run` on the command line: the same 150-day
Mali run, timed alternately (the median of N each), the package's frames built and the
command line's files written. From the repository root, after `pip install ./crates/python`
and `cargo build --release`:

    python3 crates/python/benches/run_vs_cli.py [N]
"""

import statistics
import subprocess
import sys
import tempfile
import time

import asymwar

CLI = "target/release/asymwar"
n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
py, cli = [], []
with tempfile.TemporaryDirectory() as tmp:
    for i in range(n):
        t = time.perf_counter()
        asymwar.run("mali_blockade", days=150, seed=1)
        py.append(time.perf_counter() - t)
        t = time.perf_counter()
        subprocess.run(
            [CLI, "run", "mali_blockade", "--days", "150", "--seed", "1", "--out", f"{tmp}/r", "--quiet"],
            check=True, capture_output=True,
        )
        cli.append(time.perf_counter() - t)
p, c = statistics.median(py), statistics.median(cli)
print(f"150-day Mali run, median of {n}: Python {p:.2f} s, command line {c:.2f} s "
      f"(Python/CLI {p / c:.3f}); {60 / p:.1f} runs a minute on one core")
