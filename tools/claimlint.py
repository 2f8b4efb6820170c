"""A lint for checks that cannot fail: run by ``python -m tools.claims --check``.

A :class:`~cheaplib.claims.Compare` or :class:`~cheaplib.claims.Bound` compares a measured
value with a reference. It cannot disagree with the code when its measured argument is

* a literal number (``Compare("x", 1.0, reference=1.0, ...)``);
* the same expression as its reference (or as a bound's end): ``Compare("x", r, r)``;
* a name whose only assignments in the notebook are literal numbers
  (``kept_one_bit = 1.0`` in place of ``kept_one_bit = compute(...)``).

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
    """One row that cannot fail."""

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
    """For each name: whether every binding of it assigns a literal number."""

    def __init__(self) -> None:
        self.literal: dict[str, bool] = {}

    def _bind(self, name: str, literal: bool) -> None:
        self.literal[name] = self.literal.get(name, True) and literal

    def _target(self, target: ast.AST, value: ast.AST | None) -> None:
        if isinstance(target, ast.Name):
            self._bind(target.id, _is_number(value))
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


def _row_problem(node: ast.Call, literal_names: set[str]) -> str:
    measured = _arg(node, 1, "measured")
    if measured is None:
        return ""
    if _is_number(measured):
        return f"measured is the literal {ast.unparse(measured)}"
    if isinstance(measured, ast.Name) and measured.id in literal_names:
        return f"measured {measured.id!r} is only ever assigned a literal number"
    if _callee(node) == "Compare":
        others = [("reference", _arg(node, 2, "reference"))]
    else:
        others = [("lower", _arg(node, 2, "lower")), ("upper", _arg(node, 3, "upper"))]
    for what, other in others:
        if other is not None and ast.dump(other) == ast.dump(measured):
            return f"measured is the same expression as its {what} ({ast.unparse(measured)})"
    return ""


def lint_cells(cells: list[dict], chapter: str = "") -> list[Finding]:
    """The rows that cannot fail in a notebook's cells (``nb["cells"]``)."""
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
    found = []
    for cell_id, tree in trees:
        claims = _claim_ids(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _callee(node) in ROWS:
                rule = _row_problem(node, literal_names)
                if rule:
                    found.append(
                        Finding(chapter, cell_id, claims.get(id(node), ""), _row_name(node), rule)
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
