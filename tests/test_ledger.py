import copy
import json
import subprocess
import sys

import pytest

from cheaplib.ledger import load, render_markdown, validate


@pytest.fixture(scope="module")
def entries(root):
    return load(root / "chapters" / "claims.yml")


def test_ledger_links_to_existing_asserting_cells(entries, root):
    assert entries, "the ledger is empty"
    assert validate(entries, root / "chapters") == []


def test_every_chapter_records_claims(entries, root):
    chapters = {p.stem for p in (root / "chapters").glob("*.ipynb")}
    assert chapters <= {e["chapter"] for e in entries}


def test_claims_page_is_current(root):
    out = subprocess.run(
        [sys.executable, str(root / "tools" / "make_ledger.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr


def test_missing_cell_is_reported(entries, root):
    bad = copy.deepcopy(entries[:1])
    bad[0]["cell"] = "no-such-cell"
    assert "no cell with id" in validate(bad, root / "chapters")[0]


def test_stale_measurement_is_reported(entries, root):
    bad = copy.deepcopy(entries[:1])
    bad[0]["measured"] = "a value nobody printed"
    assert "is not in the output" in validate(bad, root / "chapters")[0]


def test_cell_without_assert_is_reported(tmp_path, entries):
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "id": "c1",
                "source": "print(1)",
                "outputs": [],
                "metadata": {},
                "execution_count": 1,
            }
        ]
    }
    (tmp_path / "x.ipynb").write_text(json.dumps(nb))
    e = dict(entries[0], chapter="x", cell="c1", measured="1")
    assert "asserts nothing" in validate([e], tmp_path)[0]


@pytest.mark.parametrize(
    "text, message",
    [
        ("- id: a\n", "missing"),
        ("{}", "YAML list"),
    ],
)
def test_malformed_ledger_rejected(tmp_path, text, message):
    path = tmp_path / "claims.yml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        load(path)


def test_duplicate_ids_and_bad_status_rejected(tmp_path, entries):
    e = dict(entries[0])
    bad = dict(e, status="plausible")
    import yaml

    path = tmp_path / "claims.yml"
    path.write_text(yaml.safe_dump([e, e, bad]))
    with pytest.raises(ValueError, match="appears 3 times") as info:
        load(path)
    assert "status" in str(info.value)


def test_render_lists_every_claim(entries):
    page = render_markdown(entries, {})
    for e in entries:
        assert f"`{e['id']}`" in page
