"""The browser tests rely on ``--dist loadgroup`` keeping an ``xdist_group`` on one worker.

The JupyterLab tests share one server and the PDF tests one parsed PDF per worker
(tests/browser); with pytest 9.2, xdist 3.8 stopped grouping silently
(pytest-dev/pytest-xdist#1386), and each group ran on both workers. This runs a small
session the way ``make browser`` does and reads which worker ran each test.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

TESTS = """
import os
import pytest

pytestmark = pytest.mark.xdist_group("shared")


@pytest.mark.parametrize("i", range(8))
def test_grouped(i):
    print("worker", os.environ["PYTEST_XDIST_WORKER"])
"""


def test_a_group_runs_on_one_worker(tmp_path: Path):
    (tmp_path / "test_grouped.py").write_text(TESTS)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-n", "2", "--dist", "loadgroup",
         "-p", "no:cacheprovider", "-o", "addopts=", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    workers = re.findall(r"\[(gw\d+)\] .*PASSED .*test_grouped", run.stdout)
    assert len(workers) == 8, run.stdout[-2000:]
    assert len(set(workers)) == 1, f"the group was split over workers: {workers}"
