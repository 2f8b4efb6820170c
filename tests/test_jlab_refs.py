"""Which chapters the JupyterLab reference test opens (tools.jlab_refs.sample)."""

from __future__ import annotations

import json
from pathlib import Path

from tools import jlab_refs

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


def _notebook(tmp_path: Path, name: str, *markdown: str) -> Path:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": m} for m in markdown]
    path = tmp_path / name
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4}))
    return path


def test_the_sample_uses_every_construct_of_every_chapter():
    chosen = jlab_refs.sample(CHAPTERS)
    assert len(chosen) >= 2
    every = set().union(*(jlab_refs.constructs(p) for p in CHAPTERS))
    covered = set().union(*(jlab_refs.constructs(p) for p in chosen))
    assert {"directive:note", "written:cite", "written:numref", "role:ref"} <= every
    assert covered == every, every - covered


def test_a_construct_of_one_chapter_alone_brings_that_chapter_in(tmp_path):
    common = "See <!--r:{cite}`lin2017deep`-->[Lin et al., 2017]<!--/r--> and {ref}`sec-a`."
    paths = [
        _notebook(tmp_path, "01_a.ipynb", common, common),
        _notebook(tmp_path, "02_b.ipynb", common),
        _notebook(tmp_path, "03_c.ipynb", common, ":::{seealso}\nx\n:::"),
        _notebook(tmp_path, "04_d.ipynb", common),
    ]
    assert jlab_refs.constructs(paths[2]) == {"written:cite", "role:ref", "directive:seealso"}
    chosen = jlab_refs.sample(paths)
    assert paths[2] in chosen and len(chosen) == 2
    assert jlab_refs.sample(paths[:1]) == paths[:1]


def test_the_chapters_named_first_come_in_and_the_cover_completes_them(tmp_path):
    common = "See <!--r:{cite}`lin2017deep`-->[Lin et al., 2017]<!--/r--> and {ref}`sec-a`."
    paths = [
        _notebook(tmp_path, "01_a.ipynb", common, common),
        _notebook(tmp_path, "02_b.ipynb", "Only {ref}`sec-b`."),
        _notebook(tmp_path, "03_c.ipynb", common, ":::{seealso}\nx\n:::"),
        _notebook(tmp_path, "04_d.ipynb", "Only {ref}`sec-d`."),
    ]
    # 02 and 04 are named first though they add little; 03 completes the cover.
    assert jlab_refs.sample(paths, first=("02_b.ipynb", "04_d.ipynb")) == [
        paths[1],
        paths[2],
        paths[3],
    ]
    # named chapters that already cover everything: nothing else is opened
    assert jlab_refs.sample(paths, first=("03_c.ipynb", "04_d.ipynb")) == paths[2:]


def test_the_live_chapters_cover_every_construct():
    """The chapters the live-widget test runs are all the JupyterLab reference test opens:
    if a chapter adds a construct they lack, it is opened too (and this says so)."""
    from tests.browser.conftest import LIVE

    chosen = jlab_refs.sample(CHAPTERS, first=tuple(LIVE))
    assert [p.name for p in chosen] == sorted(LIVE)
