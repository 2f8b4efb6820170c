"""The wheel built from the tree holds all of cheaplib and works in a fresh environment.

A copy of the package sources (so that no ``build/`` or ``*.egg-info`` appears in the work
tree) is built into a wheel with pip, offline (``--no-build-isolation``: the project's
setuptools is used).  The wheel is installed with ``--no-deps`` into a fresh virtual
environment that sees the project's already-installed third-party packages through a
``.pth`` line (pip's ``--system-site-packages`` would expose the base interpreter, not
``.venv``; the ``.pth`` line adds the directory without running the editable-install hook
that lives there, so ``import cheaplib`` can only find the wheel).  Inside that
environment every module of cheaplib is imported, every widget renders its default
state to PNG, and one live widget is built.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHECK = r"""
import importlib, pkgutil, sys
from pathlib import Path
import cheaplib
here = Path(cheaplib.__file__).resolve()
assert Path(sys.prefix).resolve() in here.parents, f"cheaplib imported from {here}"
names = sorted(m.name for m in pkgutil.walk_packages(cheaplib.__path__, "cheaplib."))
for name in names:
    importlib.import_module(name)
from cheaplib.widgets import all_specs, build, widget_png
specs = all_specs()
assert specs, "no widgets found in the installed package"
for spec in specs.values():
    fig, summary = spec.render(**spec.defaults)
    png = widget_png(spec, fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and summary
box = build(next(iter(specs.values())))
assert box.children
print(len(names), "modules", len(specs), "widgets")
"""


def _package_sources() -> set[str]:
    return {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "cheaplib").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix in {".py", ".typed"}
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "cheaplib", src / "cheaplib", ignore=shutil.ignore_patterns("__pycache__")
    )
    out = tmp_path_factory.mktemp("dist")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    cmd += ["--no-index", "--quiet", "-w", str(out), str(src)]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=src, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    (whl,) = out.glob("cheaplib-*.whl")
    return whl


def test_wheel_holds_every_module(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = {n for n in zf.namelist() if n.startswith("cheaplib/")}
    missing = sorted(_package_sources() - names)
    assert not missing, f"files of cheaplib left out of the wheel: {missing}"
    assert "cheaplib/widgets/__init__.py" in names


def test_wheel_runs_every_widget_in_a_fresh_environment(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The project's third-party packages, without its editable cheaplib.
    (Path(purelib) / "project_site.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps"]
    install += ["--no-index", "--quiet", str(wheel)]
    run = subprocess.run(install, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    check = subprocess.run(
        [python, "-c", CHECK], capture_output=True, text=True, cwd=tmp_path, timeout=600
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "widgets" in check.stdout
