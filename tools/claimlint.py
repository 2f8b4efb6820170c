"""A lint for checks that cannot fail: run by ``python -m tools.claims --check``.

A :class:`~cheaplib.claims.Compare` or :class:`~cheaplib.claims.Bound` compares a measured
value with a reference. It cannot disagree with the code when its measured argument is

* a literal number (``Compare("x", 1.0, reference=1.0, ...)``), or a constant expression:
  numbers and arithmetic only, through the wrappers that compute nothing
  (``float("1.0")``, ``float(1.0)``, ``0.5 + 0.5``, ``np.float64(1.0)``; see
  :func:`_constant`);
* a name whose only assignments in the notebook are literal numbers
  (``kept_one_bit = 1.0`` in place of ``kept_one_bit = compute(...)``), or constant
  expressions (``kept_one_bit = 0.5 + 0.5``);
* the same expression as its reference (or as a bound's end): ``Compare("x", r, r)``;
* its reference (or a bound's end) up to constant arithmetic: equal to it once the
  wrappers ``float``, ``int``, ``abs``, ``np.float64``, ``np.asarray``, ... (and
  ``.item()``), signs, and arithmetic with a constant operand are stripped from both
  (``brute[k][0] * 1.0``, ``ref + 0``, ``float(ref)``, ``abs(ref)`` against ``ref``;
  ``v + 1`` against ``lower=v``). A name assigned once stands for its expression there
  (``kept = ref * 1.0`` then ``Compare("kept", kept, ref)``).

It also refuses a typed ``scale`` on a zero reference. For ``reference=0`` the
tolerance is judged against ``scale``, the natural size of the quantity (the vacuity and
half-width rules of :class:`~cheaplib.claims.Compare`); a scale typed as a number can be
inflated together with the tolerance (``atol=1e3, scale=1e4`` passes both rules and
accepts anything). So when the reference is the literal 0 and the tolerance is not
literally 0, the scale must be computed from the quantities compared (any expression
with a name of the computation or a call: ``len(pairs)``, ``np.abs(dense).max()``,
``math.log(16)``, ``1 / 2**n_visible``), or be 1 (the deviation is relative, or of
probabilities). Refused: a constant expression (numbers and arithmetic only, ``1e4``,
``256 * 255 / 2``, ``float(1 / 32)``) whose value is not 1, or a name whose only
assignments are such expressions, unless the computation takes it as a parameter (it is
passed to a call that computes: ``n_runs`` in ``sample_chain(p, n_runs)``, ``n`` in
``range(n)``), so that it cannot be changed without changing what is measured.

:func:`lint_source` finds these in one notebook's code cells (parsed with :mod:`ast`;
IPython magics and shell lines are dropped first). Each finding names the cell, the claim
id of the ``check`` call around the row when there is one, the row's name and the rule.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

ROWS = ("Compare", "Bound")


@dataclass(frozen=True)
class Finding:
    """One row that cannot fail (or whose zero reference has a typed scale)."""

    chapter: str
    cell: str
    claim: str
    row: str
    rule: str

    @property
    def key(self) -> tuple[str, str, str]:
        """(claim id or cell id, row name, rule): stable across edits elsewhere."""
        return (self.claim or self.cell, self.row, self.rule)

    def __str__(self) -> str:
        where = f"{self.chapter} cell {self.cell}" + (f" ({self.claim})" if self.claim else "")
        return f"{where}: row {self.row!r}: {self.rule}"


def _code(source: str) -> str:
    return "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in source.splitlines())


def _is_number(node: ast.AST | None) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        return _is_number(node.operand)
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float | complex)
        and not isinstance(node.value, bool)
    )


_ARITHMETIC = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a**b,
}
#: Calls that add no computation to their one argument: ``float(1e4)`` is typed, and
#: ``float(ref)``, ``np.float64(ref)`` or ``abs(ref)`` is ``ref``. Builtins by name, the
#: others as attributes of :data:`_MODULES` (``np.asarray(x)``, ``math.fabs(x)``).
_WRAPPERS = ("float", "int", "abs")
_MODULE_WRAPPERS = (
    "float64",
    "float32",
    "int64",
    "asarray",
    "array",
    "abs",
    "absolute",
    "fabs",
    "real",
    "squeeze",
)
_MODULES = ("np", "numpy", "math")
_ABS = ("abs", "absolute", "fabs")
#: Calls whose arguments are shown or checked, not computed with: a number passed only to
#: these (or to a row) is not a parameter of the computation.
_SHOWING = (*ROWS, *_WRAPPERS, "check", "print", "glue", "display", "format", "str", "repr")


def _wrapped(node: ast.AST | None) -> tuple[str, ast.expr] | None:
    """(wrapper, argument) if ``node`` is a call of a wrapper of :data:`_WRAPPERS` or
    :data:`_MODULE_WRAPPERS` on one argument (``dtype=`` allowed), or ``x.item()``."""
    if not isinstance(node, ast.Call):
        return None
    f = node.func
    if isinstance(f, ast.Attribute) and f.attr == "item" and not node.args and not node.keywords:
        return "item", f.value
    if len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
        return None
    if any(kw.arg != "dtype" for kw in node.keywords):
        return None
    if isinstance(f, ast.Name) and f.id in _WRAPPERS:
        return f.id, node.args[0]
    if (
        isinstance(f, ast.Attribute)
        and f.attr in _MODULE_WRAPPERS
        and isinstance(f.value, ast.Name)
        and f.value.id in _MODULES
    ):
        return f.attr, node.args[0]
    return None


def _constant(node: ast.AST | None, env: dict[str, float] | None = None) -> float | None:
    """The value of ``node`` if it is numbers combined by arithmetic only, else None.

    ``1e4``, ``-0.0``, ``256 * 255 / 2``, ``1 / 2**5``, ``float(1 / 32)``,
    ``float("1.0")`` and ``np.float64(0.5 + 0.5)`` are constant; a name is constant only
    if ``env`` gives its value; an attribute, a subscript or a call (other than the
    wrappers of :func:`_wrapped`) is not.
    """
    env = env or {}
    try:
        if _is_number(node):
            return float(ast.literal_eval(node))  # type: ignore[arg-type]
        if isinstance(node, ast.Name):
            return env.get(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
            inner = _constant(node.operand, env)
            if inner is None:
                return None
            return inner if isinstance(node.op, ast.UAdd) else -inner
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
            left, right = _constant(node.left, env), _constant(node.right, env)
            if left is None or right is None:
                return None
            if isinstance(node.op, ast.Pow) and abs(right) > 1e3:
                return None  # no huge powers: the lint must not hang
            return float(_ARITHMETIC[type(node.op)](left, right))
        wrapped = _wrapped(node)
        if wrapped is not None:
            name, arg = wrapped
            if (
                name in ("float", "int", "float64", "float32")
                and isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
            ):
                inner = float(arg.value)  # float("1.0"): a number typed as text
            else:
                inner = _constant(arg, env)
            if inner is None:
                return None
            return abs(inner) if name in _ABS else inner
    except (ArithmeticError, TypeError, ValueError):
        return None
    return None


def _stripped(
    node: ast.AST, env: dict[str, float], single: dict[str, ast.expr | None] | None = None
) -> ast.AST:
    """``node`` without the wrappers of :func:`_wrapped`, signs and arithmetic with a
    constant operand: ``float(ref * 1.0 + 0)``, ``np.float64(ref)``, ``-abs(ref)`` and
    ``2 * ref`` are all ``ref``. A name bound once, by an assignment (``single``), stands
    for its expression: after ``kept = ref * 1.0``, ``kept`` is ``ref`` too."""
    single = single or {}
    for _ in range(100):  # names bound to each other cannot loop the lint
        wrapped = _wrapped(node)
        if wrapped is not None:
            node = wrapped[1]
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
            node = node.operand
        elif isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
            if _constant(node.right, env) is not None:
                node = node.left
            elif _constant(node.left, env) is not None:
                node = node.right
            else:
                return node
        elif isinstance(node, ast.Name) and single.get(node.id) is not None:
            node = single[node.id]  # type: ignore[assignment]
        else:
            return node
    return node


def _computed_with(tree: ast.AST, out: set[str], computing: bool = False) -> set[str]:
    """Add to ``out`` the names read inside the arguments of a call that computes something
    (any call but those of :data:`_SHOWING`): ``n_runs`` in ``sample_chain(p, n_runs)``,
    ``n`` in ``range(n)``. Such a name is a parameter of the computation, even if it is
    assigned a literal number."""
    if isinstance(tree, ast.Name) and computing:
        out.add(tree.id)
    if isinstance(tree, ast.Call):
        _computed_with(tree.func, out, computing)
        inside = _callee(tree) not in _SHOWING
        for a in [*tree.args, *(kw.value for kw in tree.keywords)]:
            _computed_with(a, out, inside)
        return out
    for child in ast.iter_child_nodes(tree):
        _computed_with(child, out, computing)
    return out


def _callee(node: ast.Call) -> str:
    f = node.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return ""


def _arg(node: ast.Call, index: int, name: str) -> ast.expr | None:
    for kw in node.keywords:
        if kw.arg == name:
            return kw.value
    if len(node.args) > index and not any(isinstance(a, ast.Starred) for a in node.args):
        return node.args[index]
    return None


def _row_name(node: ast.Call) -> str:
    name = _arg(node, 0, "name")
    if isinstance(name, ast.Constant) and isinstance(name.value, str):
        return name.value
    return ast.unparse(name) if name is not None else "?"


class _Bindings(ast.NodeVisitor):
    """For each name: whether every binding of it assigns a literal number (``literal``),
    and the values of its bindings if every one is a constant expression (``constant``;
    None once one is not, see :func:`_constant`)."""

    def __init__(self) -> None:
        self.literal: dict[str, bool] = {}
        self.constant: dict[str, set[float] | None] = {}
        #: the expression of a name bound once, by an assignment (else None)
        self.single: dict[str, ast.expr | None] = {}

    def _bind(
        self, name: str, literal: bool, value: float | None = None, expr: ast.AST | None = None
    ) -> None:
        self.literal[name] = self.literal.get(name, True) and literal
        seen = self.constant.get(name, set())
        self.constant[name] = None if seen is None or value is None else seen | {value}
        once = name not in self.single and isinstance(expr, ast.expr)
        self.single[name] = expr if once else None  # type: ignore[assignment]

    def _target(self, target: ast.AST, value: ast.AST | None) -> None:
        if isinstance(target, ast.Name):
            self._bind(target.id, _is_number(value), _constant(value), value)
        elif isinstance(target, ast.Tuple | ast.List):
            values = (
                value.elts
                if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts)
                else [None] * len(target.elts)
            )
            for t, v in zip(target.elts, values, strict=True):
                self._target(t, v)
        elif isinstance(target, ast.Starred):
            self._target(target.value, None)

    def visit_Assign(self, node: ast.Assign) -> None:  # noqa: N802 - ast visitor
        for target in node.targets:
            self._target(target, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:  # noqa: N802
        self._target(node.target, node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:  # noqa: N802
        self._target(node.target, None)
        self.generic_visit(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:  # noqa: N802
        self._target(node.target, node.value)
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:  # noqa: N802
        self._target(node.target, None)
        self.generic_visit(node)

    visit_AsyncFor = visit_For  # noqa: N815

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self._target(node.target, None)
        self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:  # noqa: N802
        for item in node.items:
            if item.optional_vars is not None:
                self._target(item.optional_vars, None)
        self.generic_visit(node)

    def visit_arg(self, node: ast.arg) -> None:
        self._bind(node.arg, False)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:  # noqa: N802
        self._bind(node.name, False)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]  # noqa: N815

    def visit_ClassDef(self, node: ast.ClassDef) -> None:  # noqa: N802
        self._bind(node.name, False)
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:  # noqa: N802
        for alias in node.names:
            self._bind((alias.asname or alias.name).split(".")[0], False)

    visit_ImportFrom = visit_Import  # type: ignore[assignment]  # noqa: N815

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:  # noqa: N802
        if node.name:
            self._bind(node.name, False)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:  # noqa: N802
        for name in node.names:
            self._bind(name, False)


def _claim_ids(tree: ast.AST) -> dict[int, str]:
    """id(row call node) -> claim id of the ``check(...)`` call that contains it."""
    out: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _callee(node) == "check" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                for sub in ast.walk(node):
                    out[id(sub)] = first.value
    return out


def _row_problem(
    node: ast.Call,
    literal_names: set[str],
    constants: dict[str, set[float] | None],
    single: dict[str, ast.expr | None] | None = None,
) -> str:
    """Why a row's measured value cannot disagree with the code, or "".

    ``constants`` gives the values of the names whose every binding is a constant
    expression (see :func:`_constant`).
    """
    measured = _arg(node, 1, "measured")
    if measured is None:
        return ""
    if _is_number(measured):
        return f"measured is the literal {ast.unparse(measured)}"
    env = {name: next(iter(values)) for name, values in constants.items() if values}
    if isinstance(measured, ast.Name) and measured.id in literal_names:
        return f"measured {measured.id!r} is only ever assigned a literal number"
    if isinstance(measured, ast.Name) and constants.get(measured.id):
        return f"measured {measured.id!r} is only ever assigned a constant expression"
    if _constant(measured, env) is not None:
        return f"measured is the constant expression {ast.unparse(measured)}"
    if _callee(node) == "Compare":
        others = [("reference", _arg(node, 2, "reference"))]
    else:
        others = [("lower", _arg(node, 2, "lower")), ("upper", _arg(node, 3, "upper"))]
    for what, other in others:
        if other is not None and ast.dump(other) == ast.dump(measured):
            return f"measured is the same expression as its {what} ({ast.unparse(measured)})"
    for what, other in others:
        if other is None or _constant(other, env) is not None:
            continue  # a number: the rules above see a measured value that is one
        if ast.dump(_stripped(other, env, single)) == ast.dump(_stripped(measured, env, single)):
            return (
                f"measured is its {what} up to constant arithmetic ({ast.unparse(measured)} "
                f"against {ast.unparse(other)})"
            )
    return ""


def _scale_problem(
    node: ast.Call, constants: dict[str, set[float] | None], computed_with: set[str]
) -> str:
    """Why a zero-reference :class:`Compare`'s ``scale`` is typed rather than computed, or "".

    ``constants`` gives the values of the names only ever assigned constant expressions;
    those in ``computed_with`` are parameters of the computation (passed to a call that
    computes) and count as computed: ``scale=n_runs`` after ``sample(..., n_runs)``.
    """
    if _callee(node) != "Compare" or _constant(_arg(node, 2, "reference")) != 0.0:
        return ""
    tolerances = [_arg(node, 3, "atol"), _arg(node, 4, "rtol")]
    if all(t is None or _constant(t) == 0.0 for t in tolerances):
        return ""  # an exact comparison: the scale bounds no tolerance
    scale = _arg(node, 6, "scale")
    if scale is None:
        return ""  # Compare itself refuses a zero reference without a scale
    typed = {
        name: values for name, values in constants.items() if values and name not in computed_with
    }
    if isinstance(scale, ast.Name) and scale.id in typed:
        values = typed[scale.id] or set()
        what = f"scale {scale.id!r} (only ever assigned numbers)"
    else:
        env = {name: next(iter(v)) for name, v in typed.items() if v and len(v) == 1}
        value = _constant(scale, env)
        if value is None:
            return ""
        values, what = {value}, f"scale {ast.unparse(scale)}"
    if values == {1.0}:
        return ""
    return (
        f"{what} is typed on a zero reference: a typed scale can be inflated together with "
        "the tolerance; compute it from the quantities compared (or use 1)"
    )


def lint_cells(cells: list[dict], chapter: str = "") -> list[Finding]:
    """The rows that cannot fail, or whose zero reference has a typed scale, in a
    notebook's cells (``nb["cells"]``)."""
    trees = []
    bindings = _Bindings()
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse(_code("".join(cell.get("source", ""))))
        except SyntaxError:
            continue
        bindings.visit(tree)
        trees.append((str(cell.get("id", "")), tree))
    literal_names = {name for name, lit in bindings.literal.items() if lit}
    computed_with: set[str] = set()
    for _, tree in trees:
        _computed_with(tree, computed_with)
    found = []
    for cell_id, tree in trees:
        claims = _claim_ids(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _callee(node) in ROWS:
                for rule in (
                    _row_problem(node, literal_names, bindings.constant, bindings.single),
                    _scale_problem(node, bindings.constant, computed_with),
                ):
                    if rule:
                        found.append(
                            Finding(
                                chapter, cell_id, claims.get(id(node), ""), _row_name(node), rule
                            )
                        )
    return found


def lint_source(source: str, chapter: str = "") -> list[Finding]:
    """:func:`lint_cells` for one piece of code (a single cell)."""
    return lint_cells([{"cell_type": "code", "source": source, "id": "code"}], chapter)


def lint_notebook(path: str | Path) -> list[Finding]:
    """:func:`lint_cells` for the notebook at ``path``."""
    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    return lint_cells(nb["cells"], path.stem)
