"""cheaplib's layering is one-way: foundations, then one module per idea by chapter, widgets on top.

The rules, each a test below:

* every module of the package has a place in :data:`LAYERS`, and :data:`LAYERS` names only
  modules that exist (a new module without a place fails, and so does a stale entry);
* a module imports the foundations (layer 0) and modules of its own or an earlier chapter,
  never a later chapter's; nothing outside ``cheaplib.widgets`` imports the widgets;
* the bottom of the foundations (:data:`BOTTOM`: the validation module, the array types and
  the shared private helpers) imports nothing of cheaplib but itself;
* no module imports a private name (``_x``) of another module, nor a private module, except
  the shared private modules (:data:`SHARED_PRIVATE`); a package may use its own private
  parts (``cheaplib.widgets`` and ``cheaplib.widgets._ahead``).

The table is also the one printed in the package docstring.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

import cheaplib

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cheaplib"

#: Layer of the widget package, above every chapter.
WIDGETS = 9

#: Module -> layer: 0 foundations, 1-8 the chapters, 9 the widgets (every ``widgets.*``).
LAYERS = {
    "validation": 0,
    "_typing": 0,
    "_numerics": 0,
    "claims": 0,
    "plotting": 0,
    "tables": 0,
    "nets": 0,
    "gates": 0,
    "swindle": 1,
    "bitfunctions": 2,
    "polynomials": 2,
    "locality": 2,
    "information": 3,
    "sufficiency": 3,
    "markov": 3,
    "ising": 4,
    "rg": 4,
    "flattening": 5,
    "flows": 6,
    "inference": 6,
    "diffusion": 6,
    "rbm": 7,
    "rsmi": 7,
    "maxent": 8,
    "widgets": WIDGETS,
}

#: The bottom of the foundations: these import no other part of cheaplib.
BOTTOM = {"validation", "_typing", "_numerics"}

#: Private modules meant to be shared: any module may import them and their names.
SHARED_PRIVATE = {"_typing", "_numerics"}


class Edge(NamedTuple):
    """One use of cheaplib by a module: ``target`` module and the ``name`` taken from it."""

    target: str
    name: str | None
    line: int


def _modules() -> list[str]:
    return sorted(info.name for info in pkgutil.walk_packages([str(PACKAGE)], prefix=""))


def _source(name: str) -> tuple[str, bool]:
    path = PACKAGE / (name.replace(".", "/") + ".py")
    if path.exists():
        return path.read_text(encoding="utf-8"), False
    return (PACKAGE / name.replace(".", "/") / "__init__.py").read_text(encoding="utf-8"), True


def _layer(name: str) -> int | None:
    return LAYERS.get(name.split(".")[0])


def _private(name: str) -> bool:
    return name.rsplit(".", 1)[-1].startswith("_") and not name.endswith("__")


def _owner(module: str) -> str:
    """The top-level part of cheaplib a module belongs to (``widgets._ahead`` -> ``widgets``)."""
    return module.split(".")[0]


def _edges(name: str, source: str, is_package: bool = False) -> list[Edge]:
    """Every cheaplib import in ``source`` (module ``name``), and ``alias._x`` uses of them."""
    here = ("cheaplib." + name).split(".")
    package = here if is_package else here[:-1]
    edges: list[Edge] = []
    aliases: dict[str, str] = {}
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                full = ".".join(base + ([node.module] if node.module else []))
            else:
                full = node.module or ""
            if full != "cheaplib" and not full.startswith("cheaplib."):
                continue
            mod = full.removeprefix("cheaplib").lstrip(".")
            for alias in node.names:
                if mod:
                    edges.append(Edge(mod, alias.name, node.lineno))
                else:  # from cheaplib import x: x is a module
                    edges.append(Edge(alias.name, None, node.lineno))
                    aliases[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("cheaplib."):
                    mod = alias.name.removeprefix("cheaplib.")
                    edges.append(Edge(mod, None, node.lineno))
                    if alias.asname:
                        aliases[alias.asname] = mod
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and _private(node.attr)
        ):
            edges.append(Edge(aliases[node.value.id], node.attr, node.lineno))
    return edges


def _layer_problems(name: str, edges: list[Edge]) -> list[str]:
    mine = _layer(name)
    out = []
    for edge in edges:
        theirs = _layer(edge.target)
        where = f"cheaplib.{name} line {edge.line}"
        if theirs is None:
            out.append(f"{where} imports unknown cheaplib.{edge.target}")
        elif _owner(name) in BOTTOM and _owner(edge.target) not in BOTTOM:
            out.append(f"{where}: the bottom layer imports cheaplib.{edge.target}")
        elif mine == WIDGETS:
            continue
        elif theirs == WIDGETS:
            out.append(f"{where} imports the widgets (cheaplib.{edge.target})")
        elif theirs != 0 and (mine is None or theirs > mine):
            out.append(
                f"{where} (chapter {mine}) imports cheaplib.{edge.target} (chapter {theirs})"
            )
    return out


def _private_problems(name: str, edges: list[Edge]) -> list[str]:
    out = []
    for edge in edges:
        if _owner(edge.target) in SHARED_PRIVATE or _owner(edge.target) == _owner(name):
            continue
        where = f"cheaplib.{name} line {edge.line}"
        if any(_private(part) for part in edge.target.split(".")):
            out.append(f"{where} imports the private module cheaplib.{edge.target}")
        elif edge.name is not None and _private(edge.name):
            out.append(f"{where} uses the private {edge.name} of cheaplib.{edge.target}")
    return out


def _all_edges() -> dict[str, list[Edge]]:
    out = {}
    for name in _modules():
        source, is_package = _source(name)
        out[name] = _edges(name, source, is_package)
    return out


def test_every_module_has_a_layer():
    unplaced = [m for m in _modules() if _layer(m) is None]
    assert unplaced == [], f"place these modules in LAYERS: {unplaced}"


def test_layers_list_only_modules_that_exist():
    existing = {m.split(".")[0] for m in _modules()}
    assert sorted(set(LAYERS) - existing) == [], "LAYERS names modules that do not exist"


def test_imports_go_one_way():
    problems = [p for name, edges in _all_edges().items() for p in _layer_problems(name, edges)]
    assert problems == [], "\n".join(problems)


def test_no_module_uses_another_modules_private_names():
    problems = [p for name, edges in _all_edges().items() for p in _private_problems(name, edges)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("name", "source", "rule"),
    [
        ("inference", "from cheaplib.flows import _grid", _private_problems),
        ("rg", "import cheaplib.ising as I\nI._damped_newton", _private_problems),
        ("rg", "from cheaplib import ising\nising._damped_newton", _private_problems),
        ("rg", "from cheaplib.widgets import _ahead", _private_problems),
        ("markov", "from .information import _stochastic", _private_problems),
        ("flows", "from cheaplib._secret import x", _private_problems),
        ("ising", "from cheaplib.rbm import RBM", _layer_problems),
        ("rg", "from cheaplib.widgets import build", _layer_problems),
        ("_numerics", "from cheaplib.nets import Network", _layer_problems),
        ("validation", "from cheaplib.claims import check", _layer_problems),
        ("rg", "from cheaplib.nowhere import x", _layer_problems),
    ],
)
def test_the_rules_catch_a_bad_import(name, source, rule):
    assert rule(name, _edges(name, source)), f"{source!r} in cheaplib.{name} was let through"


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("rg", "from cheaplib._numerics import damped_newton"),
        ("rsmi", "from cheaplib.information import mutual_information"),
        ("widgets", "from cheaplib.widgets import _ahead"),
        ("widgets._ahead", "from cheaplib.widgets import all_specs"),
        ("widgets.learning_rg", "from cheaplib.rsmi import mutual_information_rg"),
        ("gates", "from cheaplib.validation import check_rng as _check_rng"),
    ],
)
def test_the_rules_let_a_good_import_through(name, source):
    edges = _edges(name, source)
    assert _layer_problems(name, edges) + _private_problems(name, edges) == []


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
    for name in (m for m in _modules() if "." not in m):
        assert f"``{name}``" in doc, f"cheaplib.{name} is missing from the package docstring"
