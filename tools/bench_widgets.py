"""Widget update latency: every position of each widget's main control, timed.

One update is what the live widget does when a reader moves a control: call the chapter's
cheaplib ``render`` function (compute and draw the figure), then encode the PNG the browser
shows (:func:`cheaplib.widgets.timed_render`).  Each position is timed after one warm-up
update at the defaults, so the figures are steady-state (the first update of a fresh kernel
also pays imports and font caches).
"""

from __future__ import annotations

import statistics

from cheaplib.widgets import all_specs, main_control_values, timed_render

TARGET_MS = 100.0
HEADER = [
    "widget",
    "positions",
    "compute median",
    "compute worst",
    "+ PNG median",
    "total worst",
    "< 100 ms (median total)",
]


def measure(name: str) -> dict[str, float]:
    """Median and worst compute and total (compute + PNG) milliseconds over the main control."""
    spec = all_specs()[name]
    timed_render(spec)  # warm-up
    main = spec.controls[0].name
    compute, total = [], []
    for value in main_control_values(spec):
        try:
            c, p = timed_render(spec, **{main: value})
        except ValueError:  # a position the widget explains instead of drawing
            continue
        compute.append(1e3 * c)
        total.append(1e3 * (c + p))
    return {
        "positions": len(compute),
        "compute_median": statistics.median(compute),
        "compute_worst": max(compute),
        "total_median": statistics.median(total),
        "total_worst": max(total),
    }


def rows() -> list[list[str]]:
    """One table row per widget of the book."""
    out = []
    for name in sorted(all_specs()):
        m = measure(name)
        ok = m["total_median"] < TARGET_MS
        out.append(
            [
                name,
                str(m["positions"]),
                f"{m['compute_median']:.0f} ms",
                f"{m['compute_worst']:.0f} ms",
                f"{m['total_median']:.0f} ms",
                f"{m['total_worst']:.0f} ms",
                "met" if ok else "**missed**",
            ]
        )
    return out


if __name__ == "__main__":
    for r in rows():
        print(" | ".join(r))
