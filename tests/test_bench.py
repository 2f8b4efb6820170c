"""tools.bench: a benchmark of some sections keeps the report's other sections."""

from __future__ import annotations

from tools.bench import merge


def test_merge_replaces_only_the_sections_measured_again():
    old = "Measured on x.\n\n## A\n\nold a\n\n## B\n\nold b\n"
    out = merge(old, ["## B\n\nnew b", "## C\n\nnew c"])
    assert out.startswith("Measured on x.\n\n## A\n\nold a\n\n## B\n\nnew b")
    assert "old b" not in out and out.count("measured again on its own") == 2
    assert out.index("## C") > out.index("## B")
