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

from cheaplib import claims as lib
from cheaplib.claims import (
    METADATA_KEY,
    Bound,
    Compare,
    Verdict,
    check,
    format_number,
    row_from_record,
    verdict_status,
)
from tools import claims as ledger


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    """These tests build small books with unlabelled rows and wide tolerances on purpose:
    they run with both switches off and turn one on where they test it."""
    monkeypatch.setattr(ledger, "REQUIRE_KINDS", False)
    monkeypatch.setattr(lib, "STRICT_TOLERANCES", False)


def test_the_book_ships_with_both_switches_on():
    """The chapters label every row and bound every loose claim: the rules are enforced."""
    import ast
    import inspect

    def value(module, name):
        for node in ast.parse(inspect.getsource(module)).body:
            if isinstance(node, ast.Assign) and any(
                getattr(t, "id", None) == name for t in node.targets
            ):
                return ast.literal_eval(node.value)
        raise AssertionError(f"{name} not assigned in {module.__name__}")

    assert value(ledger, "REQUIRE_KINDS") is True
    assert value(lib, "STRICT_TOLERANCES") is True


def _C(*args, **kwargs) -> Compare:
    kwargs.setdefault("reason", "test tolerance")
    return Compare(*args, **kwargs)


# --- cheaplib.claims ---------------------------------------------------------------------------
def test_agreement_is_the_stated_tolerance():
    assert _C("x", 1.0 + 0.5e-9, 1.0, rtol=1e-9).agrees
    assert not _C("x", 1.0 + 3e-9, 1.0, rtol=1e-9).agrees
    assert _C("x", 10.5, 10.0, atol=0.5).margin == 0.0


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
    assert _C("residual", 1e-15, 0.0, atol=1e-12, scale=1.0).agrees


def test_bad_numbers_are_refused():
    with pytest.raises(ValueError, match="measured must be finite"):
        Compare("x", math.nan, 1.0, rtol=0.1)
    with pytest.raises(TypeError, match="measured"):
        Compare("x", "1.0", 1.0, rtol=0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="name"):
        Compare("has space", 1.0, 1.0, rtol=0.1)


def test_status_is_computed_from_the_comparisons():
    ok, off = _C("x", 1.0, 1.0, rtol=1e-9), _C("x", 2.0, 1.0, rtol=1e-9)
    fixed = _C("x", 2.0, 2.0, rtol=1e-9)
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
        check("t-x", statement="s", source="001 Sec. I", compare=_C("x", 2.0, 1.0, rtol=0.1))
    v = check("t-y", statement="s", source="001 Sec. I", compare=_C("x", 1.05, 1.0, rtol=0.1))
    assert v.status == "reproduced"
    with pytest.raises(ValueError, match="source"):
        check("t-z", statement="s", source="Sec. I", compare=_C("x", 1.0, 1.0, rtol=0.1))
    with pytest.raises(ValueError, match="claim_id"):
        check("T Z", statement="s", source="001", compare=_C("x", 1.0, 1.0, rtol=0.1))


def test_check_displays_the_verdict_records_it_and_glues_the_measured_values(monkeypatch):
    shown = []
    monkeypatch.setattr("cheaplib.claims._display", lambda b, m: shown.append((b, m)))
    check(
        "t-slip",
        statement="A slip",
        source="001 Sec. I",
        compare=_C("C_s", 2.0, 3.0, rtol=0.01),
        corrected=_C("C_s", 2.0, 2.0, rtol=1e-9),
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
        "data": verdict.bundle(),
        "metadata": {METADATA_KEY: {"claim": verdict.record()}},
    }


def _outputs(verdict: Verdict) -> list:
    """What check() displays: the verdict, then one glue output per measured value."""
    glued = [
        {
            "output_type": "display_data",
            "data": {lib.GLUE_PREFIX + "text/plain": text},
            "metadata": {"scrapbook": {"name": key, "mime_prefix": lib.GLUE_PREFIX}},
        }
        for key, text in verdict.glued().items()
    ]
    return [nbformat.from_dict(o) for o in [_output(verdict), *glued]]


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
    nb.cells[1].outputs = _outputs(good)
    nb.cells[2].outputs = _outputs(slip)
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


# --- kinds of evidence, method checks, regression only -----------------------------------------
def test_kind_of_evidence_is_validated_and_shown_only_when_labelled():
    with pytest.raises(ValueError, match="kind must be one of"):
        _C("x", 1.0, 1.0, rtol=1e-9, kind="trust me")
    plain = Verdict("a", "s", "001", "", "claim", [_C("x", 1.0, 1.0, rtol=1e-9)])
    assert "unlabelled" not in plain.plain() and "evidence" not in plain.html()
    mixed = Verdict(
        "a",
        "s",
        "001",
        "",
        "claim",
        [_C("x", 1.0, 1.0, rtol=1e-9, kind="closed-form"), _C("y", 2.0, 2.0, rtol=1e-9)],
    )
    assert "(agrees) [closed-form]" in mixed.plain() and "(agrees) [unlabelled]" in mixed.plain()
    assert "<th>evidence</th>" in mixed.html() and "<td>unlabelled</td>" in mixed.html()


def test_a_claim_resting_only_on_regression_values_gets_its_own_status():
    reg = _C("x", 1.0, 1.0, rtol=1e-9, kind="regression")
    ind = _C("y", 1.0, 1.0, rtol=1e-9, kind="independent")
    assert verdict_status([reg], [], []) == "regression only"
    assert verdict_status([reg, ind], [], []) == "reproduced"
    assert verdict_status([_C("z", 1.0, 1.0, rtol=1e-9)], [], []) == "reproduced"  # unlabelled
    assert verdict_status([reg], [], [ind]) == "regression only"
    off = _C("x", 2.0, 1.0, rtol=1e-9, kind="regression")
    assert verdict_status([off], [], []) == "fails"
    assert "regression only" in lib.STATUSES


def test_method_checks_are_accepted_and_listed_apart(monkeypatch):
    monkeypatch.setattr("cheaplib.claims._display", lambda b, m: None)
    v = check(
        "t-method", statement="s", source="001", compare=_C("x", 1.0, 1.0, rtol=1e-9), kind="method"
    )
    assert v.record()["kind"] == "method"
    with pytest.raises(ValueError, match="kind must be one of"):
        check("t-m", statement="s", source="001", compare=_C("x", 1.0, 1.0, rtol=1e-9), kind="x")


# --- tolerances: a reason, a size, declared bounds ---------------------------------------------
def test_a_tolerance_needs_a_reason():
    with pytest.raises(ValueError, match="needs a reason"):
        Compare("x", 1.0, 1.0, rtol=1e-9)
    with pytest.raises(ValueError, match="needs a reason"):
        Compare("x", 1.0, 1.0, rtol=1e-9, reason="  ")
    assert Compare("n", 3, 3).agrees  # exact: no reason needed


def test_strict_tolerances_refuse_a_tolerance_of_half_the_reference(monkeypatch):
    wide = {"name": "x", "measured": 4.5, "reference": 4.0, "atol": 2.0, "reason": "loose"}
    assert Compare(**wide).too_wide()  # lenient today: built, and listed by tools.claims
    zero = {
        "name": "z",
        "measured": 0.1,
        "reference": 0.0,
        "atol": 3.0,
        "scale": 5.0,
        "reason": "r",
    }
    assert Compare(**zero).too_wide()
    assert not _C("x", 4.5, 4.0, atol=1.9).too_wide()
    monkeypatch.setattr(lib, "STRICT_TOLERANCES", True)
    with pytest.raises(ValueError, match="Bound"):
        Compare(**wide)
    with pytest.raises(ValueError, match="Bound"):
        Compare(**zero)
    assert _C("x", 4.5, 4.0, atol=1.9).agrees


def test_bound_agrees_within_its_ends_and_is_shown_as_a_bound():
    above = Bound("n", 5.3, lower=4.0, reason="slightly larger than 4", kind="source")
    assert above.agrees and above.margin == pytest.approx(1.3)
    assert above.text("")["reference"] == "≥ 4" and above.text("")["tolerance"] == "bound"
    assert not Bound("n", 3.9, lower=4.0, reason="r").agrees
    below = Bound("r", 0.05, upper=0.1, reason="a few percent", digits=2)
    assert below.text("")["reference"] == "≤ 0.1" and below.agrees
    both = Bound("q", 1.05, lower=1.0, upper=1.1, reason="r")
    assert both.text("")["reference"] == "in [1, 1.1]" and both.margin == pytest.approx(0.05)
    assert not Bound("q", 1.2, lower=1.0, upper=1.1, reason="r").agrees
    assert row_from_record(both.record()) == both


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lower": -math.inf, "upper": math.inf}, "finite lower or upper"),
        ({}, "finite lower or upper"),
        ({"lower": 2.0, "upper": 1.0}, "above upper"),
        ({"lower": 1.0, "reason": ""}, "needs a reason"),
        ({"lower": math.nan}, "finite"),
        ({"lower": 1.0, "kind": "guess"}, "kind"),
    ],
)
def test_a_bound_that_cannot_fail_or_is_malformed_is_refused(kwargs, match):
    kwargs = {"reason": "r", **kwargs}
    with pytest.raises(ValueError, match=match):
        Bound("x", 1.5, **kwargs)


def test_bound_works_wherever_a_compare_does(monkeypatch):
    shown = []
    monkeypatch.setattr("cheaplib.claims._display", lambda b, m: shown.append((b, m)))
    v = check(
        "t-bound",
        statement="slightly above 4",
        source="001",
        compare=Bound("n", 5.3, lower=4.0, reason="the statement", kind="source"),
        sharper=Bound("n", 5.3, lower=4.0, upper=6.0, reason="the measured range"),
    )
    assert v.status == "refined"
    assert "reference ≥ 4, tolerance bound" in shown[0][0]["text/plain"]
    entry = {**shown[0][1][METADATA_KEY]["claim"], "chapter": "x"}
    moved = ledger.flips(entry)
    assert moved and all(new != "refined" for _, _, new in moved)
    with pytest.raises(AssertionError, match="not supported"):
        check("t-b", statement="s", source="001", compare=Bound("n", 3.0, lower=4.0, reason="r"))


# --- one source of truth: the displayed text is rebuilt from the record -------------------------
def _tamper(book, fn):
    path = book["chapters"] / "01_x.ipynb"
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            rec = out.get("metadata", {}).get(METADATA_KEY, {}).get("claim")
            if rec is not None:
                fn(rec, out, cell)
    path.write_text(json.dumps(nb))
    ledger.write(**book)
    return ledger.check(**book)


def test_a_record_status_changed_in_the_notebook_fails_after_write(book):
    def edit(rec, out, cell):
        if rec["id"] == "cost-8":
            rec["status"] = "slip in source"

    found = _tamper(book, edit)
    assert any("cost-8: status 'slip in source'" in p for p in found), found


def test_a_record_changed_consistently_still_differs_from_the_cell(book):
    def edit(rec, out, cell):  # a slip in the record, while the cell shows "reproduced"
        if rec["id"] == "cost-8":
            rec["compare"][0]["reference"] = 20.0
            rec["corrected"] = [dict(rec["compare"][0], reference=2304 / 132)]
            rec["status"] = "slip in source"

    found = _tamper(book, edit)
    assert any("cost-8 (cell check-cost): the cell's text/plain differs" in p for p in found)
    assert any("text/html differs" in p for p in found)


@pytest.mark.parametrize(
    "edit",
    [
        lambda rec: rec["compare"][0].update(atol=1.0),
        lambda rec: rec["compare"][0].update(digits=1),
        lambda rec: rec["compare"][0].update(kind="regression"),
        lambda rec: rec.update(show=False),
    ],
)
def test_any_record_edit_that_changes_the_display_fails(book, edit):
    def fn(rec, out, cell):
        if rec["id"] == "beta-decimals":
            edit(rec)

    assert any("differs from what its record gives" in p for p in _tamper(book, fn))


def test_an_edited_cell_text_or_glue_fails(book):
    def text(rec, out, cell):
        if rec["id"] == "cost-8":
            shown = "".join(out["data"]["text/plain"])
            out["data"]["text/plain"] = shown.replace("17.45", "17.46")

    assert any("text/plain differs" in p for p in _tamper(book, text))

    def glued(rec, out, cell):
        if rec["id"] == "cost-8":
            cell["outputs"][1]["data"][lib.GLUE_PREFIX + "text/plain"] = "17.5"

    assert any("glued cost-8.C_s is '17.5'" in p for p in _tamper(book, glued))


def test_a_legacy_record_is_completed_from_the_text_the_cell_shows(book):
    def legacy(rec, out, cell):  # as written before digits/fmt/kind were recorded
        for role in ledger.ROLES:
            for r in rec[role]:
                for key in ("digits", "fmt", "kind"):
                    r.pop(key)
        rec.pop("show")

    assert _tamper(book, legacy) == []
    entry = ledger.collect(book["chapters"])[0]
    assert entry["compare"][0]["digits"] == 4 and entry["show"] is True


def test_the_page_uses_the_cells_number_format(tmp_path):
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    v = Verdict(
        "tiny",
        "A residual.",
        "001",
        "",
        "claim",
        [_C("r", 7.433e-14, 0.0, atol=1e-12, scale=1.0, digits=2)],
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell("", id="c")]
    nb.cells[1].outputs = _outputs(v)
    nbformat.write(nb, chapters / "01_t.ipynb")
    paths = {"chapters": chapters, "ledger": chapters / "claims.yml", "page": tmp_path / "c.md"}
    ledger.write(**paths)
    page = paths["page"].read_text()
    assert "measured 7.4e-14" in v.plain() and "| 7.4e-14 |" in page and "7.433e-14" not in page


def test_require_kinds_fails_unlabelled_rows(book, monkeypatch):
    assert ledger.check(**book) == []
    monkeypatch.setattr(ledger, "REQUIRE_KINDS", True)
    found = ledger.check(**book)
    assert any("does not name its kind of evidence" in p for p in found)


def test_the_page_counts_kinds_and_lists_the_loosest_rows(book):
    page = book["page"].read_text()
    assert "Comparison rows by kind of evidence" in page
    assert "| unlabelled |" in page.replace("| chapter | source", "")
    assert "The ten loosest tolerances" in page
    assert "| against | quantity | measured | reference | tolerance | margin | evidence |" in page
    loose = ledger.loosest(ledger.collect(book["chapters"]))
    assert loose[0][1] == "beta-decimals" and loose[0][0] == pytest.approx(0.05)


def test_a_method_check_is_listed_apart_on_the_page(tmp_path):
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    v = Verdict("tool", "The sampler.", "001", "", "method", [_C("x", 1.0, 1.0, rtol=1e-9)])
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell("", id="c")]
    nb.cells[1].outputs = _outputs(v)
    nbformat.write(nb, chapters / "01_t.ipynb")
    paths = {"chapters": chapters, "ledger": chapters / "claims.yml", "page": tmp_path / "c.md"}
    ledger.write(**paths)
    page = paths["page"].read_text()
    assert "### Method checks (1)" in page and "0 claims of the sources" in page
    assert ledger.check(**paths) == []


# --- a round-off tolerance is small ----------------------------------------------------------
def test_a_round_off_tolerance_wider_than_a_percent_is_refused(monkeypatch):
    """The audit's tampering of hier-mutual-information's row ``independent``: tolerance and
    scale inflated together (0.1 relative) pass the vacuity and half-width rules, but a
    reason of round-off does not cover 10 %."""
    tampered = {
        "name": "independent",
        "measured": 4.7e-16,
        "reference": 0.0,
        "atol": 1e3,
        "scale": 1e4,
        "reason": "round-off",
    }
    row = Compare(**tampered)  # lenient: built, and its problem named
    assert not row.vacuity() and not row.too_wide()
    assert "round-off only" in row.too_wide_for_round_off()
    monkeypatch.setattr(lib, "STRICT_TOLERANCES", True)
    with pytest.raises(ValueError, match="names round-off only"):
        Compare(**tampered)
    with pytest.raises(ValueError, match="names round-off only"):  # a stored record too
        row_from_record(row.record())
    with pytest.raises(ValueError, match="names round-off only"):
        Compare("x", 1.02, 1.0, rtol=0.02, reason="Round-off of probabilities")
    # an error that is that large, named: rule 2 does not apply
    grid = Compare(**{**tampered, "reason": "O(h^2) grid error"})
    assert grid.relative_tolerance == pytest.approx(0.1) and not grid.too_wide_for_round_off()
    assert not Compare(**{**tampered, "reason": "fit; round-off"}).too_wide_for_round_off()
    # round-off at 1 % or less, and round-off with a size O(1) or "of order 1", pass
    assert Compare("x", 1.0, 1.0, rtol=1e-2, reason="round-off").agrees
    assert Compare("x", 0.0, 0.0, atol=1e-2, scale=1.0, reason="round-off of O(1) terms").agrees
    assert Compare("x", 0.0, 0.0, atol=1e-3, scale=0.1, reason="round-off, order 1").agrees
    # a Bound is not affected
    assert Bound("x", 0.5, upper=10.0, reason="round-off").agrees


@pytest.mark.parametrize(
    ("reason", "only"),
    [
        ("round-off", True),
        ("Roundoff of the alias sum", True),
        ("an identity: round-off of four O(1) terms", True),
        ("compared as the bound max(dev, 1e-16), since the digits of round-off differ", True),
        ("exact count", False),  # no round-off named
        ("fit over lambda = 0.1..0.001; O(lambda^4) terms and round-off", False),
        ("second difference, round-off", False),
        ("trapezoid in u (h = 0.01), round-off", False),
        ("Monte Carlo standard error and round-off", False),
        ("converged to 1e-10; round-off", False),
        ("the source quotes 3 digits; round-off", False),
        ("next order lambda^2; round-off", False),
        ("finite-size bias; round-off", False),
    ],
)
def test_round_off_only_reads_the_reason(reason, only):
    assert lib.round_off_only(reason) is only


def test_every_ledger_row_passes_the_round_off_rule(root):
    """Implied by ``tools.claims --check`` (it rebuilds every row under the strict rules);
    named here: no row of chapters/claims.yml gives round-off more than 1 %."""
    entries = yaml.safe_load((root / "chapters" / "claims.yml").read_text(encoding="utf-8"))
    rows = [row_from_record(r) for e in entries for role in ledger.ROLES for r in e.get(role) or []]
    compares = [r for r in rows if isinstance(r, Compare)]
    assert compares
    wide = [(r.name, problem) for r in compares if (problem := r.too_wide_for_round_off())]
    assert not wide, wide
