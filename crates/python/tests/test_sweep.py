"""Sweeps from Python: the command line's files for the same spec, and models running in
parallel Python threads (the GIL released)."""

import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

import asymwar

SPEC = """Sweep(
    name: "py_small",
    scenario: "tutorial",
    days: 8,
    vary: [
        (path: "army.escort_doctrine", values: ["unescorted", "route_security"]),
        (path: "army.discipline", range: (0.2, 0.9), levels: 2),
    ],
    design: Grid,
    replicates: 2,
    master_seed: 11,
    collect: (metrics: [], timeseries_every_days: 2, timeseries_metrics: []),
)
"""


def test_a_small_sweep_equals_the_command_line_s(cli, tmp_path):
    spec = tmp_path / "small.ron"
    spec.write_text(SPEC)
    s = asymwar.sweep(spec, tmp_path / "py", jobs=2, frame="polars")
    cli("sweep", spec, "--out", tmp_path / "cli", "--jobs", 2, "--quiet")
    assert s.name == "py_small" and s.report["ran"] == 8 and s.runs.height == 8
    # Every output file of the sweep holds the same bytes (the journal's times aside).
    files = sorted(f for f in os.listdir(tmp_path / "cli") if f.endswith((".csv", ".parquet")))
    assert "runs.csv" in files and "timeseries.csv" in files
    for f in files:
        assert (tmp_path / "py" / f).read_bytes() == (tmp_path / "cli" / f).read_bytes(), f
    # The same spec as text, and a second call resumes: nothing left to run.
    again = asymwar.sweep(SPEC, tmp_path / "py", text=True, resume=True)
    assert again.report["ran"] == 0 and again.report["already_done"] == 8
    assert len(s.table("timeseries.csv", frame="arrow")) > 0


def test_a_sweep_result_matches_single_runs_of_its_seeds(tmp_path):
    s = asymwar.sweep(SPEC, tmp_path / "py", text=True, jobs=1, frame="arrow")
    row = s.runs.slice(0, 1).to_pylist()[0]
    params = {"army.escort_doctrine": row["army.escort_doctrine"], "army.discipline": row["army.discipline"]}
    r = asymwar.run("tutorial", days=8, seed=row["seed"], params=params, frame="arrow")
    for k, v in r.metrics.items():
        if k in row and v is not None:
            assert row[k] == v, k


def test_a_model_runs_while_python_runs_other_threads():
    """Runs that hold the GIL would stop the main thread for their whole length."""
    done = threading.Event()
    started = time.perf_counter()

    def work():
        # Runs one after another until the whole is long enough to tell (a fixed number
        # of days fell under the mark once the model got faster); one run holding the GIL
        # would still stop the main thread for a run's length.
        while True:
            asymwar.run("mali_blockade", days=20, seed=1, frame="arrow")
            if time.perf_counter() - started > 0.6:
                break
        done.set()

    t = threading.Thread(target=work)
    t.start()
    ticks, last, longest_gap = 0, time.perf_counter(), 0.0
    while not done.is_set():
        now = time.perf_counter()
        longest_gap = max(longest_gap, now - last)
        last = now
        ticks += 1
    t.join()
    length = time.perf_counter() - started
    assert length > 0.3, "the run is too short to tell"
    # The main thread ran all along: no pause of more than a fifth of the run.
    assert longest_gap < 0.2 * length, (longest_gap, length)


def one_run(_=None):
    asymwar.run("mali_blockade", days=20, seed=1, frame="arrow")


def pair(start):
    t0 = time.perf_counter()
    start()
    return time.perf_counter() - t0


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_two_threads_finish_in_about_the_time_of_two_processes():
    """Two runs on two threads take about as long as on two processes (which share no
    GIL): the time of one run each when the cores are free. Processes, not one run alone,
    are the yardstick, so that other work on the machine slows both alike."""

    def threads():
        ts = [threading.Thread(target=one_run) for _ in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    with ProcessPoolExecutor(2) as pool:
        list(pool.map(one_run, range(2)))  # the workers start and load the package

        def processes():
            list(pool.map(one_run, range(2)))

        best = None
        # The best of three: the machine may be busy with other work.
        for _ in range(3):
            ratio = pair(threads) / pair(processes)
            best = ratio if best is None else min(best, ratio)
            if best < 1.25:
                break
    # Runs holding the GIL would take twice as long on threads.
    assert best < 1.25, f"two threads took {best:.2f}x two processes"
