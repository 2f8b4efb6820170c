"""A pytest plugin that makes strict nbval compare figures too.

nbval compares text outputs but skips ``image/png``. With this plugin (``-p
tools.nbval_figures``), every PNG a cell produces is compared with the committed one:
same pixel size, and at most :data:`MAX_CHANGED` of the pixels differing by more than
:data:`PIXEL_THRESHOLD` in any channel. Re-executing on another CPU moves a few
anti-aliased pixels where a curve sits in round-off (about 1,400 of ~300,000 pixels, 0.5 %,
in the error floor of chapter 2's gate-error figure); a figure that no longer matches the
code — another curve, another axis range, a replaced picture — changes far more.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np

#: A channel difference above this (on the 0-1 scale) counts the pixel as changed.
PIXEL_THRESHOLD = 0.1
#: Largest fraction of changed pixels that still counts as the same figure.
MAX_CHANGED = 0.01


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
        return True

    compare_outputs._compares_figures = True  # type: ignore[attr-defined]
    plugin.IPyNbCell.compare_outputs = compare_outputs
