"""A deterministic fuzz of every public callable of cheaplib with bad values.

Every function and class named in the ``__all__`` of every cheaplib module (the widgets
excepted: they are tested in a browser) is called, one argument at a time, with each of a
fixed set of bad values (NaN, infinities, 1e308, a denormal, -1, 0, 10**400, 10**9, a
bool, None, a string, an object, empty, NaN-holding, overflowing and ragged arrays), the
other arguments at valid values — those of the first call in the callable's docstring
example, else its defaults or a plain value chosen from the annotation — so that a bad
value reaches past the first check; and once with every argument bad.  Each call must
either return finite results (no NaN or inf anywhere in what it returns) or raise
:class:`ValueError` / :class:`TypeError` with a message — never another exception, never
a NaN, never more memory or time than a guard allows.

The calls run in one subprocess with an address-space limit (``RLIMIT_AS``: what the
imports took plus :data:`MEMORY_HEADROOM`), a per-call CPU-time timer (:data:`CALL_SECONDS`; a
call stuck in C is caught by the parent's overall timeout, which names the last call
started) and one BLAS thread.  The guards bound a runaway call; they do not time
anything, and no test asserts a duration.  Signature introspection chooses the
arguments; the order and values are fixed, so a failure seen once is seen again.
"""

from __future__ import annotations

import copy
import dataclasses
import doctest
import importlib
import inspect
import json
import math
import os
import pkgutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cheaplib"

#: Address space a call may add to what the imports took (the budgets allow 1 GiB).
MEMORY_HEADROOM = 3 * 2**29
#: A call using more CPU time than this is a hang (the slowest valid call here takes
#: < 0.2 s).  CPU time of the fuzzing process (``ITIMER_PROF``), not wall-clock time: other
#: work on a busy machine slows a call down but does not add to its CPU time.
CALL_SECONDS = 3.0
#: The whole fuzz, a guard against a call stuck in C code.
TOTAL_SECONDS = 300

#: Callables not fuzzed automatically, with the reason.
NOT_FUZZED: dict[str, str] = {
    "swindle.SeparableDataError": "an exception class, raised by cheaplib, never called by a user",
    "plotting.BookFigure": (
        "a matplotlib Figure subclass: its constructor is matplotlib's, reached through "
        "plotting.new_figure (fuzzed)"
    ),
}


#: Callables whose valid calls take 0.1-0.5 s (training, drawing, sampling): fuzzed with
#: the labels below only, so that the whole fuzz stays within a few seconds of CPU.
SLOW: dict[str, str] = {
    "rbm.train_exact": "exact KL training (L-BFGS with restarts)",
    "plotting.draw_network": "matplotlib drawing",
    "diffusion.reverse_diffusion": "integrates a reverse SDE",
    "swindle.decimal_digits": "verify=np.True_ checks 256**10**6 exactly",
    "flows.fokker_planck": "matrix exponentials",
}
SLOW_LABELS = ("nan", "1e308", "-1", "10**400", "10**9", "None", "str", "empty", "x1e300")


def _modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules([str(PACKAGE)])
        if not info.name.startswith("_") and info.name != "widgets"
    )


# --- the child process ----------------------------------------------------------------


def _bad_values() -> list[tuple[str, Any]]:
    import numpy as np

    return [
        ("nan", math.nan),
        ("inf", math.inf),
        ("-inf", -math.inf),
        ("1e308", 1e308),
        ("denormal", 5e-324),
        ("-1", -1),
        ("0", 0),
        ("10**400", 10**400),
        ("10**9", 10**9),
        ("np.True_", np.True_),
        ("None", None),
        ("str", "x"),
        ("object", object()),
        ("empty", np.array([])),
        ("nan-array", np.array([math.nan, 0.5])),
        ("huge-array", np.full((2, 2), 1e308)),
        ("ragged", [[1.0, 2.0], [3.0]]),
    ]


def _plain_value(annotation: str, name: str) -> Any:
    """A plain, usually valid value for a parameter without a default."""
    import numpy as np

    from cheaplib import claims, nets

    a = annotation
    if name in ("ax", "fig"):
        from cheaplib import plotting

        fig, ax = plotting.new_figure()
        return ax if name == "ax" else fig
    if "Generator" in a:
        return np.random.default_rng(0)
    if a.startswith("Compare") or "list[Compare]" in a:
        return [claims.Compare("x", 1.0, 1.0, rtol=1e-3, reason="round-off")]
    if a == "Network":
        return nets.Network((nets.Layer(np.ones((2, 1)), np.zeros(2)),), "softplus")
    if a == "RBM":
        from cheaplib import rbm

        return rbm.RBM(np.full((2, 2), 0.1), np.zeros(2), np.zeros(2))
    if a.startswith("Callable") or "Callable" in a and "ArrayLike |" not in a:
        return np.cos
    if a.startswith("Mapping"):
        return {(0, 1): 1.0}
    if a == "Figure":
        from cheaplib import plotting

        return plotting.new_figure()[0]
    if a.startswith("str"):
        return "x"
    if a.startswith("bool"):
        return False
    if a.startswith("int"):
        return 2
    if a.startswith("float"):
        return 0.5
    if a.startswith(("Sequence", "tuple", "list", "Iterable")):
        return [np.array([[0.5, 0.5], [0.5, 0.5]])]
    return np.array([0.25, 0.75])


def _is_finite(value: Any, depth: int = 0) -> bool:
    import numpy as np
    import scipy.sparse as sp

    if depth > 4:
        return True
    if isinstance(value, float | complex | np.floating | np.complexfloating):
        return bool(np.isfinite(value))
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc":
            return bool(np.all(np.isfinite(value)))
        if value.dtype == object:
            return all(_is_finite(v, depth + 1) for v in value.ravel()[:100])
        return True
    if sp.issparse(value):
        return _is_finite(value.data, depth + 1)
    if isinstance(value, tuple | list):
        return all(_is_finite(v, depth + 1) for v in value[:1000])
    if isinstance(value, dict):
        return all(_is_finite(v, depth + 1) for v in list(value.values())[:1000])
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return all(_is_finite(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value))
    return True


class _Timeout(BaseException):
    """Raised by the per-call timer (a BaseException, so no ``except Exception`` eats it)."""


def _params(obj: Any) -> list[inspect.Parameter]:
    return [
        p
        for p in inspect.signature(obj).parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def _example_arguments(module: Any, name: str, obj: Any) -> dict[str, Any] | None:
    """The arguments of the first call of ``obj`` in its docstring example, if any."""
    import numpy as np

    examples = doctest.DocTestParser().get_examples(inspect.getdoc(obj) or "")
    captured: list[dict[str, Any]] = []

    def recorder(*args: Any, **kwargs: Any) -> Any:
        if not captured:
            bound = inspect.signature(obj).bind(*args, **kwargs)
            captured.append(dict(bound.arguments))
        return obj(*args, **kwargs)

    namespace = {**vars(module), "np": np, name: recorder}
    for example in examples:
        try:
            exec(compile(example.source, f"<{name} example>", "exec"), namespace)  # noqa: S102
        except Exception:  # noqa: BLE001 - an example that needs more context: no baseline
            break
        if captured:
            return captured[0]
    return None


def _baseline(module: Any, name: str, obj: Any) -> dict[str, Any]:
    """Valid keyword arguments: the docstring example's, else defaults and plain values."""
    found = _example_arguments(module, name, obj) or {}
    kwargs: dict[str, Any] = {}
    for p in _params(obj):
        if p.name in found:
            kwargs[p.name] = found[p.name]
        elif p.default is not p.empty:
            kwargs[p.name] = p.default
        else:
            kwargs[p.name] = _plain_value(str(p.annotation), p.name)
    return kwargs


def _derived_values(valid: Any) -> list[tuple[str, Any]]:
    """Bad values of the right shape: a valid float array scaled to the edges of float64.

    They pass every shape check, so they reach the arithmetic: entries near 1e308 (sums
    and squares overflow), near 1e-300 (squares underflow, reciprocals overflow) and one
    NaN among valid entries.
    """
    import numpy as np

    if not (isinstance(valid, np.ndarray) and valid.dtype.kind == "f" and valid.size):
        return []
    with np.errstate(all="ignore"):
        nan_first = valid.copy()
        nan_first.flat[0] = np.nan
        return [("x1e300", valid * 1e300), ("x1e-300", valid * 1e-300), ("nan-first", nan_first)]


def _calls(baseline: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(parameter or "*" for all, bad label, bad value) for every call."""
    out: list[tuple[str, str, Any]] = [("", "", None)]
    for name, valid in baseline.items():
        out += [(name, label, bad) for label, bad in _bad_values() + _derived_values(valid)]
    if baseline:
        out += [("*", label, bad) for label, bad in _bad_values()]
    return out


def _arguments(baseline: dict[str, Any], target: str, bad: Any) -> dict[str, Any]:
    """A fresh copy of the baseline (a call may change its arguments) with ``bad`` in."""
    out = {}
    for k, v in baseline.items():
        if target in (k, "*"):
            out[k] = bad
        else:
            try:
                out[k] = copy.deepcopy(v)
            except Exception:  # noqa: BLE001 - not copyable (a figure's canvas): shared
                out[k] = v
    return out


def _run_all(modules: list[str]) -> list[dict[str, str]]:
    import resource
    import signal

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    mods = {m: importlib.import_module(f"cheaplib.{m}") for m in modules}
    _plain_value("Figure", "fig")  # matplotlib's lazy imports before the limit
    plt.close("all")

    with open("/proc/self/status", encoding="ascii") as fh:
        vm = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmSize"))
    resource.setrlimit(resource.RLIMIT_AS, (vm + MEMORY_HEADROOM, vm + MEMORY_HEADROOM))

    def _alarm(signum: int, frame: Any) -> None:
        raise _Timeout

    signal.signal(signal.SIGPROF, _alarm)
    findings: list[dict[str, str]] = []
    for m, mod in mods.items():
        for name in mod.__all__:
            obj = getattr(mod, name)
            key = f"{m}.{name}"
            if (
                key in NOT_FUZZED
                or not callable(obj)
                or (inspect.isclass(obj) and issubclass(obj, tuple))  # NamedTuple records
            ):
                continue
            try:
                baseline = _baseline(mod, name, obj)
            except Exception as exc:  # noqa: BLE001 - the harness's plain values went stale
                findings.append(
                    {"module": m, "call": f"{key}(baseline)", "problem": f"no baseline: {exc!r}"}
                )
                continue
            finally:
                plt.close("all")
            for target, label, bad in _calls(baseline):
                if key in SLOW and target and label not in SLOW_LABELS:
                    continue
                where = f"{key}({target}={label})" if target else f"{key}(example)"
                print(where, file=sys.stderr, flush=True)
                problem = ""
                signal.setitimer(signal.ITIMER_PROF, CALL_SECONDS)
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        with np.errstate(all="ignore"):
                            result = obj(**_arguments(baseline, target, bad))
                    if not _is_finite(result):
                        problem = "returned NaN or inf"
                except _Timeout:
                    problem = f"ran over {CALL_SECONDS} s of CPU"
                except MemoryError:
                    problem = "ran out of the memory guard"
                except (ValueError, TypeError) as exc:
                    if not str(exc).strip():
                        problem = f"{type(exc).__name__} without a message"
                except Exception as exc:  # noqa: BLE001 - any other exception is the finding
                    problem = f"{type(exc).__name__}: {str(exc)[:200]}"
                finally:
                    signal.setitimer(signal.ITIMER_PROF, 0)
                    plt.close("all")
                if problem:
                    findings.append({"module": m, "call": where, "problem": problem})
    return findings


# --- the tests ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def findings() -> list[dict[str, str]]:
    if not sys.platform.startswith("linux"):
        pytest.skip("the memory guard uses RLIMIT_AS and /proc (Linux)")
    env = dict(os.environ)
    env.update(
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        MPLBACKEND="Agg",
    )
    try:
        proc = subprocess.run(
            [sys.executable, __file__, *_modules()],
            capture_output=True,
            text=True,
            timeout=TOTAL_SECONDS,
            env=env,
            cwd=ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        last = err.strip().splitlines()[-1:] or ["?"]
        pytest.fail(f"the fuzz hung in C code (per-call timer never fired); last call: {last[0]}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    out: list[dict[str, str]] = json.loads(proc.stdout)
    return out


@pytest.mark.parametrize("module", _modules())
def test_bad_values_give_finite_results_or_clear_errors(module, findings):
    mine = [f"{f['call']}: {f['problem']}" for f in findings if f["module"] == module]
    assert not mine, f"{len(mine)} bad answers:\n" + "\n".join(mine)


def test_every_unfuzzed_callable_exists():
    for key in [*NOT_FUZZED, *SLOW]:
        mod, name = key.split(".")
        assert name in importlib.import_module(f"cheaplib.{mod}").__all__, key


if __name__ == "__main__":
    import contextlib

    with contextlib.redirect_stdout(sys.stderr):  # what the calls print is not the result
        result = _run_all(sys.argv[1:])
    json.dump(result, sys.stdout)
