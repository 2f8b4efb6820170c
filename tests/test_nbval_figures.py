"""tools.nbval_figures compares figures by their data digest: a curve scaled by 1.02
fails, CPU round-off passes, a figure committed without a digest is compared by pixels
only."""

from __future__ import annotations

import numpy as np
import pytest

from cheaplib.plotting import DIGEST_KEY, DIGEST_POINTS, figure_digest, new_figure
from tools.nbval_figures import digest_differences, digest_problems


def _figure(scale_second: float = 1.0, noise: float = 0.0, log: bool = False):
    fig, (ax1, ax2) = new_figure(2, 1, height=5.0)
    x = np.linspace(0.01, 1.0, 500)
    rng = np.random.default_rng(0)
    jitter = 1.0 + noise * rng.standard_normal(x.size)
    ax1.plot(x, np.sin(3 * x) * jitter, label="sin")
    ax1.plot(x, np.exp(-x) * scale_second * jitter, label="decay")
    ax1.scatter(x[::50], (x**2)[::50])
    ax1.fill_between(x, 0, x / 2)
    ax2.bar([1, 2, 3], [3.0, 1.0, 2.0])
    ax2.imshow(np.outer(x[:20], x[:30]))
    if log:
        ax1.set_yscale("log")
    return fig


def _output(fig) -> dict:
    return {
        "output_type": "display_data",
        "data": {"image/png": "", "text/plain": "<Figure>"},
        "metadata": {DIGEST_KEY: {"figure": figure_digest(fig)}},
    }


def test_the_digest_holds_every_series_down_sampled_and_rounded():
    digest = figure_digest(_figure())
    first, second = digest["axes"]
    kinds = [s["kind"] for s in first["series"]]
    assert kinds[:2] == ["line", "line"] and "PathCollection" in kinds
    assert "FillBetweenPolyCollection" in kinds or "PolyCollection" in kinds
    assert {s["kind"] for s in second["series"]} == {"image", "bars"}
    line = first["series"][0]
    assert line["n"] == 500 and len(line["data"]["y"]) == DIGEST_POINTS
    assert line["data"]["x"][0] == 0.01 and line["data"]["x"][-1] == 1.0
    assert all(len(repr(v).replace("-", "").replace(".", "").lstrip("0")) <= 6 + 4 for v in
               line["data"]["y"])  # fmt: skip
    bars = second["series"][-1]["data"]
    assert bars["height"] == [3.0, 1.0, 2.0]


def test_one_curve_times_1_02_fails():
    ref = figure_digest(_figure())
    found = digest_differences(ref, figure_digest(_figure(scale_second=1.02)))
    assert any("axes 1, line 2 ('decay') y: data changed" in d for d in found), found
    assert not any("line 1" in d for d in found)


def test_one_curve_times_3_on_a_log_axis_fails():
    ref = figure_digest(_figure(log=True))
    found = digest_differences(ref, figure_digest(_figure(scale_second=3.0, log=True)))
    assert found


def test_round_off_passes():
    ref = figure_digest(_figure())
    assert digest_differences(ref, figure_digest(_figure(noise=1e-12))) == []
    assert digest_differences(ref, figure_digest(_figure(scale_second=1 + 1e-5))) == []


def test_structure_changes_fail():
    ref = figure_digest(_figure())
    fig = _figure()
    fig.axes[0].plot([0, 1], [0, 1])
    assert any("plotted series" in d for d in digest_differences(ref, figure_digest(fig)))
    fig = _figure(log=True)
    assert any("yscale" in d for d in digest_differences(ref, figure_digest(fig)))


def test_outputs_without_a_committed_digest_are_skipped():
    committed = _output(_figure())
    legacy = {**committed, "metadata": {}}
    fresh = _output(_figure(scale_second=1.02))
    assert digest_problems([legacy], [fresh]) == []
    assert digest_problems([committed], [fresh])
    assert digest_problems([committed], [{**fresh, "metadata": {}}])
    assert digest_problems([committed], [_output(_figure())]) == []


def test_a_displayed_book_figure_publishes_its_digest(monkeypatch):
    published = []
    monkeypatch.setattr(
        "IPython.display.publish_display_data",
        lambda data, metadata: published.append((data, metadata)),
    )
    fig = _figure()
    fig._ipython_display_()
    ((data, metadata),) = published
    assert "image/png" in data and metadata["image/png"]["width"] > 0
    assert metadata[DIGEST_KEY]["figure"] == figure_digest(fig)


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError):
        figure_digest("not a figure")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        figure_digest(_figure(), points=1)


def test_strict_nbval_fails_a_curve_scaled_in_the_committed_digest(tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    import nbformat

    from tools.execute_notebooks import execute

    root = Path(__file__).resolve().parents[1]
    path = tmp_path / "fig.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import numpy as np\nfrom cheaplib.plotting import new_figure\n"
            "fig, ax = new_figure(width=4, height=3)\nx = np.linspace(0, 1, 200)\n"
            "ax.plot(x, np.exp(-3 * x))\nax.plot(x, np.sqrt(x))\nfig"
        )
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    execute(path)

    def nbval(p: Path) -> int:
        cmd = [sys.executable, "-m", "pytest", "-c", "pyproject.toml", "--nbval", "-q", str(p)]
        return subprocess.run(cmd, capture_output=True, text=True, cwd=root).returncode

    raw = json.loads(path.read_text())
    (out,) = [o for o in raw["cells"][0]["outputs"] if "image/png" in o.get("data", {})]
    series = out["metadata"][DIGEST_KEY]["figure"]["axes"][0]["series"][1]
    assert series["n"] == 200
    series["data"]["y"] = [v * 1.02 for v in series["data"]["y"]]
    tampered = tmp_path / "tampered.ipynb"
    tampered.write_text(json.dumps(raw))
    assert nbval(path) == 0
    assert nbval(tampered) != 0
