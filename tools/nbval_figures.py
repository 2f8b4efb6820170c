"""A pytest plugin that makes strict nbval compare figures too.

nbval compares text outputs but skips ``image/png``. With this plugin (``-p
tools.nbval_figures``), every PNG a cell produces is compared with the committed one:
same pixel size, and at most :data:`MAX_CHANGED` of the pixels differing by more than
:data:`PIXEL_THRESHOLD` in any channel. Re-executing on another CPU moves a few
anti-aliased pixels where a curve sits in round-off (about 1,400 of ~300,000 pixels, 0.5 %,
in the error floor of chapter 2's gate-error figure); a figure that no longer matches the
code — another curve, another axis range, a replaced picture — changes far more.

Pixels miss a curve scaled by a few percent (or by 3 on a log axis near the frame), so
the figures are also compared by their data: a figure shown through
:class:`cheaplib.plotting.BookFigure` stores a digest of what it plots in its output
metadata (:func:`cheaplib.plotting.figure_digest`), and every series of the fresh digest
must match the committed one within :data:`DATA_RTOL` of the series' largest magnitude,
column by column (``max |Δy| <= DATA_RTOL * max |y|``): ×1.02 on one curve fails, CPU
round-off passes. An output committed before the digest existed holds none: its data
comparison is skipped (the next re-execution stores it).
"""

from __future__ import annotations

import base64
import io
import math
from typing import Any

import numpy as np

#: A channel difference above this (on the 0-1 scale) counts the pixel as changed.
PIXEL_THRESHOLD = 0.1
#: Largest fraction of changed pixels that still counts as the same figure.
MAX_CHANGED = 0.01
#: Largest change of a plotted series, relative to the largest magnitude of its column.
DATA_RTOL = 1e-3
#: Output-metadata key of the digest (cheaplib.plotting.DIGEST_KEY), under "figure".
DIGEST_KEY = "deep-and-cheap"


def decode_png(data: str) -> np.ndarray:
    """The RGBA pixels of a base64 PNG as floats in [0, 1]."""
    from matplotlib import image

    arr = image.imread(io.BytesIO(base64.b64decode(data)), format="png")
    if arr.ndim == 2:
        arr = np.stack([arr] * 3 + [np.ones_like(arr)], axis=-1)
    if arr.shape[-1] == 3:
        arr = np.concatenate([arr, np.ones(arr.shape[:2] + (1,))], axis=-1)
    return arr.astype(float)


def changed_fraction(ref: str, test: str) -> float:
    """Fraction of pixels that differ (1.0 when the sizes differ)."""
    a, b = decode_png(ref), decode_png(test)
    if a.shape != b.shape:
        return 1.0
    return float(np.mean(np.abs(a - b).max(axis=-1) > PIXEL_THRESHOLD))


def _pngs(outputs: list[Any]) -> list[str]:
    found = []
    for out in outputs:
        data = out.get("data", {}) if hasattr(out, "get") else {}
        if "image/png" in data:
            png = data["image/png"]
            found.append("".join(png) if isinstance(png, list) else png)
    return found


def _digests(outputs: list[Any]) -> list[dict | None]:
    """The figure digest of each PNG output (None where the output holds none)."""
    found: list[dict | None] = []
    for out in outputs:
        data = out.get("data", {}) if hasattr(out, "get") else {}
        if "image/png" in data:
            meta = out.get("metadata", {}) or {}
            found.append((meta.get(DIGEST_KEY) or {}).get("figure"))
    return found


def _column(values: list[Any]) -> np.ndarray:
    return np.array(
        [np.nan if v is None else float(v) for v in values], dtype=float
    )  # "inf"/"-inf" parse as floats


def digest_differences(ref: dict, test: dict, rtol: float = DATA_RTOL) -> list[str]:
    """How the plotted data of ``test`` differ from ``ref`` (two figure digests).

    Same axes, scales and series (kind, label, length); every column within ``rtol`` of
    its largest finite magnitude in ``ref``; NaN and infinities in the same places.
    """
    found: list[str] = []
    ra, ta = ref.get("axes", []), test.get("axes", [])
    if len(ra) != len(ta):
        return [f"{len(ta)} axes, the committed figure has {len(ra)}"]
    for i, (a, b) in enumerate(zip(ra, ta, strict=True)):
        where = f"axes {i + 1}"
        for key in ("xscale", "yscale"):
            if a.get(key) != b.get(key):
                found.append(f"{where}: {key} {b.get(key)} instead of {a.get(key)}")
        pairs = [(f"{where} xlim", a.get("xlim", []), b.get("xlim", []))]
        pairs += [(f"{where} ylim", a.get("ylim", []), b.get("ylim", []))]
        rs, ts = a.get("series", []), b.get("series", [])
        if len(rs) != len(ts):
            found.append(f"{where}: {len(ts)} plotted series, the committed figure has {len(rs)}")
            continue
        for j, (r, t) in enumerate(zip(rs, ts, strict=True)):
            name = f"{where}, {r.get('kind')} {j + 1}" + (
                f" ({r['label']!r})" if r.get("label") and not r["label"].startswith("_") else ""
            )
            if (r.get("kind"), r.get("label"), r.get("n")) != (
                t.get("kind"),
                t.get("label"),
                t.get("n"),
            ):
                found.append(
                    f"{name}: now {t.get('kind')} {t.get('label')!r} of {t.get('n')} points, "
                    f"committed {r.get('kind')} {r.get('label')!r} of {r.get('n')}"
                )
                continue
            rd, td = r.get("data", {}), t.get("data", {})
            if set(rd) != set(td):
                found.append(f"{name}: columns {sorted(td)} instead of {sorted(rd)}")
                continue
            pairs += [(f"{name} {c}", rd[c], td[c]) for c in rd]
        for label, rv, tv in pairs:
            x, y = _column(rv), _column(tv)
            if x.shape != y.shape:
                found.append(f"{label}: {y.size} values instead of {x.size}")
                continue
            fx, fy = np.isfinite(x), np.isfinite(y)
            if np.any(fx != fy) or not np.array_equal(x[~fx], y[~fx], equal_nan=True):
                found.append(f"{label}: NaN or infinities moved")
                continue
            if not fx.any():
                continue
            size = float(np.abs(x[fx]).max())
            delta = float(np.abs(x[fx] - y[fx]).max())
            if delta > rtol * size:
                found.append(
                    f"{label}: data changed by up to {delta:.3g} "
                    f"({delta / size if size else math.inf:.2%} of its largest magnitude "
                    f"{size:.3g}; tolerance {rtol:g})"
                )
    return found


def digest_problems(ref_outputs: list[Any], test_outputs: list[Any]) -> list[str]:
    """Data differences between the figures of two output lists (committed, fresh).

    A committed figure without a digest (executed before digests existed) is not
    compared by its data.
    """
    found = []
    for k, (r, t) in enumerate(zip(_digests(ref_outputs), _digests(test_outputs), strict=False)):
        if r is None:
            continue
        if t is None:
            found.append(
                f"figure {k + 1}: the committed figure has a data digest, the fresh one none"
            )
            continue
        found += [f"figure {k + 1}: {d}" for d in digest_differences(r, t)]
    return found


def pytest_configure(config: Any) -> None:
    """Wrap nbval's output comparison with a comparison of the figures."""
    from nbval import plugin

    if getattr(plugin.IPyNbCell.compare_outputs, "_compares_figures", False):
        return
    original = plugin.IPyNbCell.compare_outputs

    def compare_outputs(self: Any, test: Any, ref: Any, skip_compare: Any = None) -> bool:
        if not original(self, test, ref, skip_compare):
            return False
        refs, tests = _pngs(ref), _pngs(test)
        if len(refs) != len(tests):
            self.comparison_traceback.append(
                f"the cell made {len(tests)} figure(s); the notebook holds {len(refs)}"
            )
            return False
        for k, (r, t) in enumerate(zip(refs, tests, strict=True)):
            frac = changed_fraction(r, t)
            if frac > MAX_CHANGED:
                self.comparison_traceback.append(
                    f"figure {k + 1} of the cell differs from the committed one: "
                    f"{frac:.2%} of its pixels changed (tolerance {MAX_CHANGED:.0%}, "
                    f"channel threshold {PIXEL_THRESHOLD})"
                )
                return False
        data = digest_problems(ref, test)
        if data:
            self.comparison_traceback.append(
                "the figures' data differ from the committed ones:\n  " + "\n  ".join(data[:10])
            )
            return False
        return True

    compare_outputs._compares_figures = True  # type: ignore[attr-defined]
    plugin.IPyNbCell.compare_outputs = compare_outputs
