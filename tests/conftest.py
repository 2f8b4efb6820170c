import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run (derandomize), so CI is reproducible:
# a failure seen once is seen again.  HYPOTHESIS_PROFILE=explore draws fresh examples.
settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parents[1]

# No worker process drawing widget states ahead in the test processes (no reader moves a
# slider there; tests/test_widgets_ahead.py starts its own).  JupyterLab, started by the
# browser tests, does not inherit this (tools/bench_widgets.py removes it).
os.environ.setdefault("CHEAPLIB_DRAW_AHEAD", "0")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
