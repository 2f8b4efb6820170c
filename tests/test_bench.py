"""tools.bench: a benchmark of some sections keeps the report's other sections."""

from __future__ import annotations

from tools.bench import merge


def test_merge_replaces_only_the_sections_measured_again():
    old = "Measured on x.\n\n## A\n\nold a\n\n## B\n\nold b\n"
    out = merge(old, ["## B\n\nnew b", "## C\n\nnew c"])
    assert out.startswith("Measured on x.\n\n## A\n\nold a\n\n## B\n\nnew b")
    assert "old b" not in out and out.count("measured again on its own") == 2
    assert out.index("## C") > out.index("## B")


def test_a_section_measured_again_says_how_fast_the_machine_was():
    out = merge("Measured on x.\n\n## A\n\nold a\n", ["## A\n\nnew a"], speed=0.5)
    assert "(one core: 0.50 s for the fixed loop)" in out


def test_the_machine_speed_is_the_time_of_the_fixed_loop():
    import time

    from tools.bench import machine_speed

    t0 = time.perf_counter()
    speed = machine_speed(repeat=1)
    assert 0 < speed <= time.perf_counter() - t0
