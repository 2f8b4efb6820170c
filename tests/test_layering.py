"""cheaplib's layering is one-way: foundations, then one module per chapter, widgets on top.

A module may import the foundations and modules of its own or an earlier chapter, never a
later chapter's, and nothing outside ``cheaplib.widgets`` imports the widgets. Every module
must be placed in :data:`LAYERS` (a new module without a place fails), which is also the
table printed in the package docstring.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import cheaplib

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cheaplib"

#: Module -> layer: 0 foundations, 1-7 the chapters, 9 the widgets.
LAYERS = {
    "validation": 0,
    "_typing": 0,
    "claims": 0,
    "plotting": 0,
    "nets": 0,
    "gates": 0,
    "swindle": 1,
    "bitfunctions": 2,
    "polynomials": 2,
    "locality": 2,
    "hamiltonians": 2,
    "information": 3,
    "sufficiency": 3,
    "markov": 3,
    "ising": 4,
    "rg": 4,
    "flattening": 5,
    "flows": 6,
    "inference": 6,
    "diffusion": 6,
    "bayes": 6,
    "rbm": 7,
}


def _modules() -> list[str]:
    found = []
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix=""):
        found.append(info.name)
    return sorted(found)


def _layer(name: str) -> int | None:
    if name == "widgets" or name.startswith("widgets."):
        return 9
    return LAYERS.get(name)


def _imports(name: str) -> set[str]:
    path = PACKAGE / (name.replace(".", "/") + ".py")
    if not path.exists():
        path = PACKAGE / name.replace(".", "/") / "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cheaplib"):
            mod = node.module.removeprefix("cheaplib").lstrip(".")
            if mod:
                out.add(mod)
            else:
                out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            out.update(
                a.name.removeprefix("cheaplib.")
                for a in node.names
                if a.name.startswith("cheaplib.")
            )
    return out


def test_every_module_has_a_layer():
    unplaced = [m for m in _modules() if _layer(m) is None]
    assert unplaced == [], f"place these modules in LAYERS: {unplaced}"


@pytest.mark.parametrize("name", _modules())
def test_imports_go_one_way(name):
    mine = _layer(name)
    for target in _imports(name):
        theirs = _layer(target)
        assert theirs is not None, f"{name} imports unknown cheaplib.{target}"
        if mine == 9:
            continue
        assert theirs != 9, f"{name} imports the widgets ({target})"
        assert theirs == 0 or theirs <= mine, (
            f"cheaplib.{name} (chapter {mine}) imports cheaplib.{target} (chapter {theirs})"
        )


@pytest.mark.parametrize("name", _modules())
def test_every_module_imports(name):
    importlib.import_module(f"cheaplib.{name}")


def test_importing_cheaplib_has_no_side_effects():
    # third-party libraries may set their own filters on import; cheaplib itself may not
    code = (
        "import warnings, numpy as np, scipy.stats, scipy.optimize, scipy.sparse, matplotlib\n"
        "import matplotlib.pyplot, sklearn.neural_network, sklearn.linear_model, ipywidgets\n"
        "before = list(warnings.filters); state = np.random.get_state()[1].copy()\n"
        "import cheaplib, pkgutil, importlib\n"
        "for m in pkgutil.walk_packages(cheaplib.__path__, 'cheaplib.'):\n"
        "    importlib.import_module(m.name)\n"
        "assert list(warnings.filters) == before, 'warning filters changed'\n"
        "assert (np.random.get_state()[1] == state).all(), 'global RNG touched'\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr


def test_the_package_docstring_states_the_layering():
    doc = cheaplib.__doc__ or ""
    assert "Layering" in doc
    for name in (m for m in _modules() if "." not in m and not m.startswith("_")):
        assert f"``{name}``" in doc, f"cheaplib.{name} is missing from the package docstring"
