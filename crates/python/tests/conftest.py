"""Shared helpers of the asymwar package's tests: the repository, and the command-line
binary whose outputs the package must equal (tests/integration/python.rs passes its path
in ASYMWAR_CLI; by default the release build's)."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def cli_path() -> Path:
    return Path(os.environ.get("ASYMWAR_CLI", ROOT / "target" / "release" / "asymwar"))


@pytest.fixture(scope="session")
def cli():
    """Runs the command line; returns the finished process (stdout and stderr as text)."""
    path = cli_path()
    if not path.exists():
        # In CI the binary must be there (the comparison is the point of these tests).
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: build it with cargo build --release")
        pytest.skip(f"{path} is missing: build it with cargo build --release")

    def call(*args, check=True):
        p = subprocess.run(
            [str(path), *map(str, args)], capture_output=True, text=True, cwd=ROOT
        )
        if check and p.returncode != 0:
            raise AssertionError(f"asymwar {' '.join(map(str, args))}: {p.stderr}")
        return p

    return call
