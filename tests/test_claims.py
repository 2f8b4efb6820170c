"""cheaplib.claims (verdicts computed from numbers) and tools.claims (the ledger built from
the executed notebooks and checked against them)."""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys

import nbformat
import pytest
import yaml

from cheaplib.claims import METADATA_KEY, Compare, Verdict, check, format_number, verdict_status
from tools import claims as ledger


# --- cheaplib.claims ---------------------------------------------------------------------------
def test_agreement_is_the_stated_tolerance():
    assert Compare("x", 1.0 + 0.5e-9, 1.0, rtol=1e-9).agrees
    assert not Compare("x", 1.0 + 3e-9, 1.0, rtol=1e-9).agrees
    assert Compare("x", 10.5, 10.0, atol=0.5).margin == 0.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rtol": 1.0}, "cannot fail"),
        ({"atol": 5.0}, "cannot fail"),
        ({"atol": math.inf}, "finite"),
        ({"atol": math.nan}, "finite"),
        ({"atol": -1.0}, "atol must be >= 0"),
    ],
)
def test_vacuous_or_malformed_tolerances_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Compare("x", 1.0, 3.0, **kwargs)


def test_zero_reference_needs_a_scale_below_which_the_tolerance_lies():
    with pytest.raises(ValueError, match="scale"):
        Compare("residual", 1e-15, 0.0, atol=1e-12)
    with pytest.raises(ValueError, match="not below scale"):
        Compare("residual", 1e-15, 0.0, atol=1e-12, scale=1e-13)
    assert Compare("residual", 1e-15, 0.0, atol=1e-12, scale=1.0).agrees


def test_bad_numbers_are_refused():
    with pytest.raises(ValueError, match="measured must be finite"):
        Compare("x", math.nan, 1.0, rtol=0.1)
    with pytest.raises(TypeError, match="measured"):
        Compare("x", "1.0", 1.0, rtol=0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="name"):
        Compare("has space", 1.0, 1.0, rtol=0.1)


def test_status_is_computed_from_the_comparisons():
    ok, off = Compare("x", 1.0, 1.0, rtol=1e-9), Compare("x", 2.0, 1.0, rtol=1e-9)
    fixed = Compare("x", 2.0, 2.0, rtol=1e-9)
    assert verdict_status([ok], [], []) == "reproduced"
    assert verdict_status([ok], [], [ok]) == "refined"
    assert verdict_status([off], [fixed], []) == "slip in source"
    assert verdict_status([off], [], []) == "fails"
    assert verdict_status([ok], [fixed], []) == "fails"  # a correction of what holds
    assert verdict_status([ok], [], [off]) == "fails"  # a refinement that fails
    assert verdict_status([off], [off], []) == "fails"
    assert verdict_status([], [], []) == "fails"


def test_check_raises_when_the_numbers_support_no_verdict(capsys):
    with pytest.raises(AssertionError, match="not supported"):
        check("t-x", statement="s", source="001 Sec. I", compare=Compare("x", 2.0, 1.0, rtol=0.1))
    v = check("t-y", statement="s", source="001 Sec. I", compare=Compare("x", 1.05, 1.0, rtol=0.1))
    assert v.status == "reproduced"
    with pytest.raises(ValueError, match="source"):
        check("t-z", statement="s", source="Sec. I", compare=Compare("x", 1.0, 1.0, rtol=0.1))
    with pytest.raises(ValueError, match="claim_id"):
        check("T Z", statement="s", source="001", compare=Compare("x", 1.0, 1.0, rtol=0.1))


def test_check_displays_the_verdict_records_it_and_glues_the_measured_values(monkeypatch):
    shown = []
    monkeypatch.setattr("cheaplib.claims._display", lambda b, m: shown.append((b, m)))
    check(
        "t-slip",
        statement="A slip",
        source="001 Sec. I",
        compare=Compare("C_s", 2.0, 3.0, rtol=0.01),
        corrected=Compare("C_s", 2.0, 2.0, rtol=1e-9),
    )
    (verdict, meta), (glued, glue_meta) = shown
    assert "slip in source" in verdict["text/plain"] and "margin -0.97" in verdict["text/plain"]
    assert "id='check-t-slip'" in verdict["text/html"]
    assert meta[METADATA_KEY]["claim"]["status"] == "slip in source"
    assert glued == {"application/papermill.record/text/plain": "2"}
    assert glue_meta["scrapbook"]["name"] == "t-slip.C_s"


def test_format_number():
    assert format_number(2408240.0) == "2,408,240"
    assert format_number(17.454545) == "17.45"
    assert format_number(1.23456e-7, digits=3) == "1.23e-7"
    assert format_number(0.5, fmt="{:.1%}") == "50.0%"


# --- tools.claims on a small synthetic book -----------------------------------------------------
def _output(verdict: Verdict) -> dict:
    return {
        "output_type": "display_data",
        "data": {"text/plain": verdict.plain(), "text/html": verdict.html()},
        "metadata": {METADATA_KEY: {"claim": verdict.record()}},
    }


@pytest.fixture
def book(tmp_path):
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    good = Verdict(
        "cost-8",
        "C_s of the product of 8 inputs.",
        "001 Sec. III F",
        "25-26",
        "claim",
        [Compare("C_s", 2304 / 132, 2304 / 132, rtol=1e-12, reason="exact ratio")],
    )
    slip = Verdict(
        "beta-decimals",
        "Decimals bought by beta = 23.",
        "001 Sec. II C",
        "",
        "claim",
        [Compare("decimals", 5.3, 10.0, atol=0.5, reason="the text's claim")],
        [Compare("decimals", 5.3, 5.3, atol=1e-9, reason="closed form")],
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A chapter"),
        nbformat.v4.new_code_cell("check(...)", id="check-cost"),
        nbformat.v4.new_code_cell("check(...)", id="check-beta"),
    ]
    nb.cells[1].outputs = [nbformat.from_dict(_output(good))]
    nb.cells[2].outputs = [nbformat.from_dict(_output(slip))]
    path = chapters / "01_x.ipynb"
    nbformat.write(nb, path)
    paths = {
        "chapters": chapters,
        "ledger": chapters / "claims.yml",
        "page": tmp_path / "claims.md",
    }
    ledger.write(**paths)
    return paths


def _edit(paths, fn):
    entries = yaml.safe_load(paths["ledger"].read_text())
    fn(entries)
    paths["ledger"].write_text(yaml.safe_dump(entries, sort_keys=False))
    return ledger.check(**paths)


def test_the_written_ledger_is_consistent(book):
    assert ledger.check(**book) == []
    entries = yaml.safe_load(book["ledger"].read_text())
    assert [e["status"] for e in entries] == ["reproduced", "slip in source"]


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda e: e[1].update(status="reproduced"), "status"),
        (lambda e: e[0]["compare"][0].update(rtol=0.5), "rtol"),
        (lambda e: e[0]["compare"][0].update(measured=2.0), "measured"),
        (lambda e: e[0]["compare"][0].update(measured=17.4), "measured"),
        (lambda e: e[1]["corrected"][0].update(atol=1.0), "atol"),
        (lambda e: e[0].update(statement="Something else."), "statement"),
        (lambda e: e.pop(0), "not in claims.yml"),
    ],
)
def test_any_edit_of_the_ledger_fails_the_check(book, edit, match):
    found = _edit(book, edit)
    assert any(match in p for p in found), found


def test_a_removed_check_call_fails_the_check(book):
    nb = nbformat.read(book["chapters"] / "01_x.ipynb", as_version=4)
    nb.cells[2].outputs = []  # the check call commented out: no record any more
    nbformat.write(nb, book["chapters"] / "01_x.ipynb")
    assert any("recorded by no check cell" in p for p in ledger.check(**book))


def test_a_stale_page_fails_the_check(book):
    book["page"].write_text(book["page"].read_text() + "\nedited\n")
    assert any("stale" in p for p in ledger.check(**book))


def test_every_comparison_flips_its_verdict(book):
    for entry in ledger.collect(book["chapters"]):
        moved = ledger.flips(entry)
        assert moved and all(new != entry["status"] for _, _, new in moved)


def test_a_ledger_entry_whose_numbers_contradict_its_status_is_reported(book):
    entry = copy.deepcopy(ledger.collect(book["chapters"])[0])
    entry["compare"][0]["measured"] = 99.0
    assert any("numbers give 'fails'" in p for p in ledger.problems_of(entry))


def test_the_page_shows_numbers_statuses_and_links(book):
    page = book["page"].read_text()
    assert 'id="claim-cost-8"' in page and "chapters/01_x.html#check-cost-8" in page
    assert "### Slip in source (1)" in page


# --- the book's own ledger ---------------------------------------------------------------------
def test_the_books_ledger_agrees_with_the_notebooks(root):
    out = subprocess.run(
        [sys.executable, "-m", "tools.claims", "--check"], cwd=root, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-4000:]


def test_every_chapter_records_claims(root):
    chapters = {p.stem for p in (root / "chapters").glob("*.ipynb")}
    recorded = {e["chapter"] for e in ledger.collect(root / "chapters")}
    assert chapters == recorded, chapters - recorded


def test_notebook_records_are_json_serialisable(root):
    for entry in ledger.collect(root / "chapters"):
        json.dumps(entry)
