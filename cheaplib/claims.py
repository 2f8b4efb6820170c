"""Check a claim of the sources against a computation, and record the verdict.

A *claim* is something a source states or implies that a computation can test. A check
cell of the book computes the relevant numbers and calls :func:`check`, which

1. compares each measured number with its reference within a numeric tolerance
   (:class:`Compare`: agreement means ``|measured - reference| <= atol + rtol·|reference|``);
2. computes the claim's status from those comparisons, never from a typed word:

   * **reproduced** — every comparison with what the source states agrees;
   * **refined** — it agrees, and a sharper statement (``sharper=``) is checked too;
   * **slip in source** — the source's statement disagrees beyond its tolerance, and the
     corrected statement (``corrected=``) agrees;

   * **regression only** — it passes, but every comparison with the source's statement
     is against an earlier run of the same code (``kind="regression"``): no independent
     truth supports it;

   anything else (the source's statement fails with no correction that holds, or a
   correction or refinement that fails) raises :class:`AssertionError`, so a check cell
   fails when the computation stops supporting its verdict;
3. refuses vacuous checks: a tolerance that is infinite, NaN, negative or at least as wide
   as the reference itself (for a reference of 0, as wide as the quantity's natural
   ``scale``) cannot fail and is rejected; so is a "slip" whose source value lies within
   tolerance, and a tolerance without a reason. With :data:`STRICT_TOLERANCES`, a
   tolerance of half the reference or more is refused too: such a statement is a
   one-sided or interval claim, checked with :class:`Bound`; and a tolerance whose reason
   names round-off as the only error it covers may not exceed 1 % relative
   (:data:`ROUND_OFF_WIDTH`);
4. displays a one-line rendered verdict per comparison (measured, reference, tolerance,
   margin, status), rounded to the digits the claim needs so that strict nbval compares
   it, and stores the full-precision record in the output's metadata, with everything
   the display is made from (digits, format, kind of evidence), so that
   ``python -m tools.claims`` can rebuild the displayed text from the record, require it
   to equal what the cell shows, and build the ledger ``chapters/claims.yml`` and its
   page with the same number formatting;
5. glues every measured value as ``<claim-id>.<name>`` so the prose can quote it with
   ``{glue:text}`` instead of typing it.

Each comparison names the kind of evidence its reference is (``kind=``, one of
:data:`EVIDENCE`): ``"source"`` (the value the source states), ``"closed-form"``,
``"independent"`` (another algorithm, library or brute force) or ``"regression"`` (an
earlier run of the same code). A check of the book's own tools is ``check(...,
kind="method")``, listed apart from the claims of the sources.

The module has no dependency beyond NumPy and IPython (present wherever ipywidgets is), so
the notebooks run where only cheaplib is installed.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from cheaplib.validation import check_instance, check_int, check_real

__all__ = [
    "METADATA_KEY",
    "STATUSES",
    "EVIDENCE",
    "STRICT_TOLERANCES",
    "Bound",
    "Compare",
    "Verdict",
    "check",
    "format_number",
    "glue",
    "verdict_status",
]

#: Key of the output metadata under which :func:`check` stores its record.
METADATA_KEY = "deep-and-cheap"
#: Statuses a passing check can have.
STATUSES = ("reproduced", "refined", "slip in source", "regression only")
#: Kinds of ledger entry: a claim of a source, an exercise solution, a check of a method.
KINDS = ("claim", "exercise", "method")
#: Kinds of evidence a comparison's reference can be.
EVIDENCE = ("source", "closed-form", "independent", "regression")
#: How a comparison without ``kind=`` is shown (accepted while the chapters are labelled).
UNLABELLED = "unlabelled"
#: Refuse a :class:`Compare` whose tolerance is at least :data:`HALF_WIDTH` of its
#: reference (a one-sided or interval statement is a :class:`Bound`). Off while the
#: chapters convert such rows; ``tools.claims --check`` lists them meanwhile.
STRICT_TOLERANCES = True
#: The widest tolerance, relative to the reference, a strict :class:`Compare` accepts.
HALF_WIDTH = 0.5
#: The widest relative tolerance (:attr:`Compare.relative_tolerance`) a strict
#: :class:`Compare` accepts when its reason names round-off as the only error it covers.
ROUND_OFF_WIDTH = 1e-2
#: A reason that names round-off ("round-off", "roundoff", any case).
ROUND_OFF = re.compile(r"round-?off", re.IGNORECASE)
#: Words that name an error other than round-off, by class. A reason that names
#: round-off and none of these covers round-off only (:meth:`Compare.too_wide_for_round_off`).
#: "O(" counts unless it is O(1) (a size, as in "four O(1) terms"), "order" unless it is
#: "order 1" (likewise); "digits" counts as a stated precision ("3 digits"), not in "the
#: digits of round-off".
OTHER_ERRORS = {
    "fit or estimate": r"\bfit|estimat",
    "grid, step or discretisation": r"\bgrid|\bstep|\bh\s*=|discreti[sz]|quadrature|"
    r"trapezoid|simpson|(?:second|central|forward|backward|finite) difference",
    "truncation or order": r"truncat|\bO\((?!1\))|\border\b(?!\s+1\b)|expansion|asymptot|"
    r"approximat|lambda|λ",
    "sampling": r"sampl|standard error|monte[- ]?carlo|statistic|noise|random|\bseed",
    "convergence or solver tolerance": r"converge|toleran|iterat|\bcut-?off",
    "bias or finite size": r"\bbias|finite|window|\bband",
    "stated precision": r"\b(?:\d+|one|two|three|four|five|six) (?:significant )?digits|"
    r"decimal|significant|\bquot|\bprinted|\bstated",
}
_OTHER_ERROR = re.compile("|".join(f"(?:{p})" for p in OTHER_ERRORS.values()), re.IGNORECASE)


def round_off_only(reason: str) -> bool:
    """Whether ``reason`` names round-off as the only error a tolerance covers.

    True when it matches :data:`ROUND_OFF` and none of :data:`OTHER_ERRORS`.

    Examples
    --------
    >>> round_off_only("round-off"), round_off_only("Round-off of four O(1) terms")
    (True, True)
    >>> round_off_only("O(h^2) grid error; round-off"), round_off_only("fit over lambda")
    (False, False)
    """
    return bool(ROUND_OFF.search(reason)) and not _OTHER_ERROR.search(reason)


GLUE_PREFIX = "application/papermill.record/"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_NAME = re.compile(r"^[A-Za-z0-9_.+'\-]+$")
_SOURCE = re.compile(r"^(00[0-3]\b|lit:[a-z0-9_-]+\b)")


def format_number(value: float, digits: int = 4, fmt: str | None = None) -> str:
    """The text a reader sees for ``value``.

    Integral values (below 10¹⁵) are written in full with thousands separators; others
    with ``digits`` significant figures; ``fmt`` (a ``str.format`` spec such as
    ``"{:.2%}"``) overrides both.

    Examples
    --------
    >>> format_number(2408240.0)
    '2,408,240'
    >>> format_number(17.454545454545453)
    '17.45'
    >>> format_number(0.000123456, digits=2)
    '0.00012'

    Raises
    ------
    TypeError, ValueError
        For a ``value`` that is not a real number (a bool is not a number), ``digits``
        not an integer in 1..17, or ``fmt`` not a string.
    """
    digits = check_int("digits", digits, 1, 17)
    if fmt is not None:
        return check_instance("fmt", fmt, str).format(value)
    x = _real("value", value)
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return f"{int(x):,d}"
    text = f"{x:.{digits}g}"
    return text.replace("e+0", "e+").replace("e-0", "e-")


def _real(name: str, value: object) -> float:
    """A finite real, via :func:`cheaplib.validation.check_real` (a bool is not a number).

    Beyond Python and NumPy numbers, anything with ``__float__`` (a ``Fraction``, a
    one-element array) is accepted as its float.
    """
    if (
        not isinstance(value, int | float)
        and hasattr(value, "__float__")
        and not isinstance(value, bool | np.bool_ | np.ndarray)
    ):
        try:
            value = float(value)  # type: ignore[arg-type,unused-ignore]
        except OverflowError:
            raise ValueError(f"{name} must be finite (within float64)") from None
    elif isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind != "b":
        value = value.reshape(())
    return check_real(name, value)


def _kind(value: object) -> str | None:
    if value is None:
        return None
    check_instance("kind", value, str)
    if value not in EVIDENCE:
        raise ValueError(
            f"kind must be one of {EVIDENCE} (or None while unlabelled), got {value!r}"
        )
    return str(value)


def _text_fields(obj: Any) -> None:
    """Validate the fields a Compare and a Bound share (name, reason, digits, fmt, kind)."""
    if not _NAME.match(check_instance("name", obj.name, str)):
        raise ValueError(f"name must match {_NAME.pattern}, got {obj.name!r}")
    check_instance("reason", obj.reason, str)
    object.__setattr__(obj, "digits", check_int("digits", obj.digits, 1, 17))
    if obj.fmt is not None:
        check_instance("fmt", obj.fmt, str)
    object.__setattr__(obj, "kind", _kind(obj.kind))
    object.__setattr__(obj, "measured", _real("measured", obj.measured))


@dataclass(frozen=True)
class Compare:
    """One measured number against its reference, with a numeric tolerance.

    Parameters
    ----------
    name
        Short name of the quantity (``C_s``, ``slope``, ``max_error``); also the second
        part of its glue key. Letters, digits and ``_.+'-`` only.
    measured
        The value the computation produced.
    reference
        What it is compared with: the value the source states, or the independent truth
        the statement implies (a closed form, a brute-force result, a literature value).
    atol, rtol
        Absolute and relative tolerance (>= 0, finite); the comparison agrees when
        ``|measured - reference| <= atol + rtol * |reference|``. Both 0 means exact.
    reason
        Why this tolerance: the error it covers (round-off of an exact formula, a
        Monte-Carlo standard error, a grid or truncation order, the precision the source
        quotes). Required when the tolerance is not 0.
    scale
        The natural size of the quantity, required when ``reference`` is 0 (a residual
        or a deviation that should vanish): the tolerance must then be below it.
    digits, fmt
        How the numbers are shown (see :func:`format_number`).
    kind
        What the reference is, one of :data:`EVIDENCE`: ``"source"`` (the stated value),
        ``"closed-form"``, ``"independent"`` (another algorithm, library or brute force)
        or ``"regression"`` (an earlier run of the same code); None shows it as
        "unlabelled".
    """

    name: str
    measured: float
    reference: float
    atol: float = 0.0
    rtol: float = 0.0
    reason: str = ""
    scale: float | None = None
    digits: int = 4
    fmt: str | None = None
    kind: str | None = None

    def __post_init__(self) -> None:
        _text_fields(self)
        object.__setattr__(self, "reference", _real("reference", self.reference))
        for key in ("atol", "rtol"):
            val = _real(key, getattr(self, key))
            if val < 0:
                raise ValueError(f"{key} must be >= 0, got {val}")
            object.__setattr__(self, key, val)
        if self.scale is not None:
            object.__setattr__(self, "scale", _real("scale", self.scale))
        problem = self.vacuity() or (
            STRICT_TOLERANCES and (self.too_wide() or self.too_wide_for_round_off())
        )
        if problem:
            raise ValueError(f"{self.name}: {problem}")
        if self.tolerance > 0 and not self.reason.strip():
            raise ValueError(
                f"{self.name}: a tolerance needs a reason (the error it covers: round-off, "
                "sampling error with its standard error, grid or truncation order, ...)"
            )

    @property
    def tolerance(self) -> float:
        """``atol + rtol * |reference|``."""
        return self.atol + self.rtol * abs(self.reference)

    @property
    def error(self) -> float:
        """``|measured - reference|``."""
        return abs(self.measured - self.reference)

    @property
    def margin(self) -> float:
        """``tolerance - error``: how far inside (>= 0) or outside (< 0) the tolerance."""
        return self.tolerance - self.error

    @property
    def agrees(self) -> bool:
        """Whether the measured value is within tolerance of the reference."""
        return self.error <= self.tolerance

    @property
    def relative_tolerance(self) -> float:
        """The tolerance relative to ``|reference|`` (to ``scale`` for a zero reference)."""
        size = abs(self.reference) if self.reference != 0.0 else (self.scale or 1.0)
        return self.tolerance / size

    def vacuity(self) -> str:
        """Why this comparison could not fail, or "" if it can.

        A tolerance at least as wide as the reference (or, for a zero reference, as the
        quantity's ``scale``) accepts every value of the right sign and order of magnitude.
        """
        tol = self.tolerance
        if self.reference != 0.0:
            if tol >= abs(self.reference):
                return (
                    f"tolerance {tol:.3g} is not below |reference| = "
                    f"{abs(self.reference):.3g}; such a check cannot fail"
                )
            return ""
        if self.scale is None:
            return "reference is 0: pass scale=, the natural size of the quantity"
        if not self.scale > 0:
            return f"scale must be > 0, got {self.scale}"
        if tol >= self.scale:
            return f"tolerance {tol:.3g} is not below scale {self.scale:.3g}"
        return ""

    def too_wide(self) -> str:
        """Why the tolerance is too wide for a two-sided comparison (:data:`HALF_WIDTH`), or "".

        A tolerance of half the reference (for a zero reference, half the ``scale``) or
        more accepts values of a different size than the one stated: the statement is a
        one-sided or interval claim (:class:`Bound`). Refused when
        :data:`STRICT_TOLERANCES` is on.
        """
        size, what = (
            (abs(self.reference), "|reference|") if self.reference != 0.0 else (self.scale, "scale")
        )
        if size is not None and self.tolerance >= HALF_WIDTH * size:
            return (
                f"tolerance {self.tolerance:.3g} is at least {HALF_WIDTH:g} of {what} = "
                f"{size:.3g}: state it as a Bound(lower=..., upper=...)"
            )
        return ""

    def too_wide_for_round_off(self) -> str:
        """Why the tolerance is too wide for the round-off its reason names, or "".

        Round-off of a float64 computation is many digits below 1 %. A reason that names
        round-off as the only error it covers (:func:`round_off_only`) with a
        :attr:`relative_tolerance` above :data:`ROUND_OFF_WIDTH` explains nothing of the
        tolerance, and lets it be inflated along with a zero reference's ``scale``
        (``atol=1e3, scale=1e4``: 0.1 relative, "round-off"). Refused when
        :data:`STRICT_TOLERANCES` is on; name the error that is that large instead.
        """
        if not round_off_only(self.reason):
            return ""
        rel = self.relative_tolerance
        if rel > ROUND_OFF_WIDTH:
            return (
                f"tolerance {self.tolerance:.3g} is {rel:.3g} relative, wider than "
                f"{ROUND_OFF_WIDTH:g}, but the reason names round-off only "
                f"({self.reason!r}): name the error it covers, or tighten it"
            )
        return ""

    def moved_past_tolerance(self, factor: float = 2.0) -> Compare:
        """The same comparison with the measured value moved ``factor`` tolerances away.

        Used to show that the verdict can flip; an exact comparison (tolerance 0) moves
        by a relative 1e-6 of the reference (or of ``scale``).
        """
        step = self.tolerance * factor
        if step == 0.0:
            step = 1e-6 * (abs(self.reference) or (self.scale or 1.0))
        sign = 1.0 if self.measured >= self.reference else -1.0
        return replace(self, measured=self.reference + sign * step)

    def made_to_agree(self) -> Compare:
        """The same comparison with the measured value on its reference."""
        return replace(self, measured=self.reference)

    @property
    def in_round_off(self) -> bool:
        """Whether the distance is below 1 % of a non-zero tolerance (round-off level)."""
        return self.tolerance > 0 and self.error <= self.tolerance / 100

    def shown_measured(self) -> str:
        """The measured value as the reader sees it (and as it is glued).

        A measured value that should vanish (reference 0) and sits at round-off level is
        shown as a bound, ``<1e-14``, not as its last digits, which differ between CPUs.
        """
        if self.reference == 0.0 and self.in_round_off:
            return f"<{self.tolerance / 100:.0e}".replace("e-0", "e-")
        return format_number(self.measured, self.digits, self.fmt)

    def text(self, key: str) -> dict[str, str]:
        """The displayed strings of this comparison.

        At round-off level the margin is shown as the tolerance itself (it is within 1 %
        of it), so that the text does not depend on the last digits of the round-off.
        """
        margin = self.tolerance if self.in_round_off else self.margin
        return {
            "name": self.name,
            "measured": self.shown_measured(),
            "reference": format_number(self.reference, self.digits, self.fmt),
            "tolerance": "exact" if self.tolerance == 0 else f"±{self.tolerance:.2g}",
            "margin": f"{margin:+.2g}",
            "agrees": "agrees" if self.agrees else "disagrees",
            "kind": self.kind or UNLABELLED,
            "key": key,
        }

    def record(self) -> dict[str, Any]:
        """The full-precision record stored in the notebook and in the ledger.

        It holds everything the displayed text is made from (``digits``, ``fmt``,
        ``kind``), so that :func:`row_from_record` rebuilds the same text.
        """
        out: dict[str, Any] = {
            "name": self.name,
            "measured": self.measured,
            "reference": self.reference,
            "atol": self.atol,
            "rtol": self.rtol,
            "reason": self.reason,
        }
        if self.scale is not None:
            out["scale"] = self.scale
        out.update(digits=self.digits, fmt=self.fmt, kind=self.kind)
        return out

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> Compare:
        """Rebuild a comparison from :meth:`record` output (used by the ledger tool)."""
        return cls(
            rec["name"],
            rec["measured"],
            rec["reference"],
            atol=rec.get("atol", 0.0),
            rtol=rec.get("rtol", 0.0),
            reason=rec.get("reason", ""),
            scale=rec.get("scale"),
            digits=rec.get("digits", 4),
            fmt=rec.get("fmt"),
            kind=rec.get("kind"),
        )


@dataclass(frozen=True)
class Bound:
    """One measured number against a declared one-sided or interval bound.

    For statements such as "slightly larger than 4", "below a tenth" or "between 1 and
    1.1": the comparison agrees when ``lower <= measured <= upper``. It is shown as
    "≥ lower", "≤ upper" or "in [lower, upper]". Usable wherever a :class:`Compare` is.

    Parameters
    ----------
    name
        Short name of the quantity, as for :class:`Compare`.
    measured
        The value the computation produced.
    lower, upper
        The bounds (None, or an infinity, for no bound on that side); at least one must be
        finite, and ``lower <= upper``.
    reason
        Why this bound (required): what the statement says, and the error it allows.
    kind
        What the bound comes from, one of :data:`EVIDENCE` (None: "unlabelled").
    digits, fmt
        How the numbers are shown (see :func:`format_number`).

    Examples
    --------
    >>> b = Bound("neurons_per_gate", 5.3, lower=4.0, reason="slightly larger than 4")
    >>> b.agrees, b.text("")["reference"]
    (True, '≥ 4')
    """

    name: str
    measured: float
    lower: float | None = None
    upper: float | None = None
    reason: str = ""
    kind: str | None = None
    digits: int = 4
    fmt: str | None = None

    def __post_init__(self) -> None:
        _text_fields(self)
        for key in ("lower", "upper"):
            val = getattr(self, key)
            if val is None:
                continue
            if isinstance(val, int | float | np.floating) and not isinstance(val, bool):
                try:
                    val = float(val)
                except OverflowError:
                    raise ValueError(f"{key} must be finite (within float64)") from None
                if math.isinf(val) and (val < 0) == (key == "lower"):
                    object.__setattr__(self, key, None)  # -inf below, +inf above: no bound
                    continue
            object.__setattr__(self, key, _real(key, val))
        if self.lower is None and self.upper is None:
            raise ValueError(f"{self.name}: a bound needs a finite lower or upper end")
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise ValueError(f"{self.name}: lower {self.lower} is above upper {self.upper}")
        if not self.reason.strip():
            raise ValueError(f"{self.name}: a bound needs a reason (what it states and why)")

    @property
    def ends(self) -> list[float]:
        """The finite ends."""
        return [b for b in (self.lower, self.upper) if b is not None]

    @property
    def margin(self) -> float:
        """Distance inside (>= 0) or outside (< 0) the nearest end."""
        sides = []
        if self.lower is not None:
            sides.append(self.measured - self.lower)
        if self.upper is not None:
            sides.append(self.upper - self.measured)
        return min(sides)

    @property
    def agrees(self) -> bool:
        """Whether ``lower <= measured <= upper``."""
        return self.margin >= 0

    @property
    def relative_tolerance(self) -> float:
        """Half the interval's width over its centre (inf for a one-sided bound)."""
        if self.lower is None or self.upper is None:
            return math.inf
        centre = abs(self.lower + self.upper) / 2
        return (self.upper - self.lower) / 2 / centre if centre else math.inf

    def moved_past_tolerance(self, factor: float = 2.0) -> Bound:
        """The bound with the measured value moved past its nearest end."""
        lo = None if self.lower is None else self.measured - self.lower
        hi = None if self.upper is None else self.upper - self.measured
        step = max(abs(self.margin), 1e-6 * max(abs(b) for b in self.ends), 1e-300) * factor
        if hi is None or (lo is not None and lo <= hi):
            assert self.lower is not None
            return replace(self, measured=self.lower - step)
        assert self.upper is not None
        return replace(self, measured=self.upper + step)

    def made_to_agree(self) -> Bound:
        """The bound with the measured value on an end (inside the bound)."""
        return replace(self, measured=self.ends[0])

    def shown_measured(self) -> str:
        """The measured value as the reader sees it (and as it is glued)."""
        return format_number(self.measured, self.digits, self.fmt)

    def shown_bound(self) -> str:
        """``≥ lower``, ``≤ upper`` or ``in [lower, upper]``."""

        def f(x: float) -> str:
            return format_number(x, self.digits, self.fmt)

        if self.upper is None:
            return f"≥ {f(self.lower)}"  # type: ignore[arg-type]
        if self.lower is None:
            return f"≤ {f(self.upper)}"
        return f"in [{f(self.lower)}, {f(self.upper)}]"

    def text(self, key: str) -> dict[str, str]:
        """The displayed strings of this bound (the reference column shows the bound)."""
        return {
            "name": self.name,
            "measured": self.shown_measured(),
            "reference": self.shown_bound(),
            "tolerance": "bound",
            "margin": f"{self.margin:+.2g}",
            "agrees": "agrees" if self.agrees else "disagrees",
            "kind": self.kind or UNLABELLED,
            "key": key,
        }

    def record(self) -> dict[str, Any]:
        """The full-precision record (``type: bound``) stored in the notebook and ledger."""
        return {
            "type": "bound",
            "name": self.name,
            "measured": self.measured,
            "lower": self.lower,
            "upper": self.upper,
            "reason": self.reason,
            "digits": self.digits,
            "fmt": self.fmt,
            "kind": self.kind,
        }

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> Bound:
        """Rebuild a bound from :meth:`record` output."""
        return cls(
            rec["name"],
            rec["measured"],
            lower=rec.get("lower"),
            upper=rec.get("upper"),
            reason=rec.get("reason", ""),
            kind=rec.get("kind"),
            digits=rec.get("digits", 4),
            fmt=rec.get("fmt"),
        )


#: A row of a verdict: a comparison with a reference or a declared bound.
Row = Compare | Bound


def row_from_record(rec: dict[str, Any]) -> Compare | Bound:
    """A :class:`Compare` or :class:`Bound` rebuilt from its record (``type`` tells which).

    Raises
    ------
    TypeError, ValueError, KeyError
        For a record that is not a dict, or does not make a valid row.
    """
    check_instance("rec", rec, dict)
    return Bound.from_record(rec) if rec.get("type") == "bound" else Compare.from_record(rec)


def verdict_status(
    compare: list[Compare | Bound], corrected: list[Compare | Bound], sharper: list[Compare | Bound]
) -> str:
    """The status the comparisons earn, or ``"fails"``.

    A passing verdict whose comparisons with the source's statement are all regression
    values (``kind="regression"``) is ``"regression only"``: it rests on no independent
    truth.

    Examples
    --------
    >>> ok = Compare("x", 1.0, 1.0, rtol=1e-9, reason="round-off")
    >>> off = Compare("x", 2.0, 1.0, rtol=1e-9, reason="round-off")
    >>> verdict_status([ok], [], []), verdict_status([off], [ok], []), verdict_status([off], [], [])
    ('reproduced', 'slip in source', 'fails')

    Raises
    ------
    TypeError
        If a list holds anything but :class:`Compare` or :class:`Bound` objects.
    """
    compare, corrected, sharper = (
        _comparisons("compare", compare),
        _comparisons("corrected", corrected),
        _comparisons("sharper", sharper),
    )
    status = _base_status(compare, corrected, sharper)
    if status != "fails" and all(c.kind == "regression" for c in compare):
        return "regression only"
    return status


def _base_status(compare: list[Row], corrected: list[Row], sharper: list[Row]) -> str:
    if not compare:
        return "fails"
    if all(c.agrees for c in compare):
        if corrected:
            return "fails"  # a correction of a statement that holds is a contradiction
        if sharper:
            return "refined" if all(c.agrees for c in sharper) else "fails"
        return "reproduced"
    if corrected and all(c.agrees for c in corrected) and not sharper:
        return "slip in source"
    return "fails"


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`check`: the claim, its comparisons and its computed status.

    ``show`` is whether the cell displays the full verdict (a table) or its status line
    only; the record keeps it, so that the displayed text can be rebuilt from the record.
    """

    claim_id: str
    statement: str
    source: str
    equation: str
    kind: str
    compare: list[Compare | Bound]
    corrected: list[Compare | Bound] = field(default_factory=list)
    sharper: list[Compare | Bound] = field(default_factory=list)
    show: bool = True

    def __post_init__(self) -> None:
        for key in ("claim_id", "statement", "source", "equation", "kind"):
            check_instance(key, getattr(self, key), str)
        check_instance("show", self.show, bool)
        for role in ("compare", "corrected", "sharper"):
            object.__setattr__(self, role, _comparisons(role, getattr(self, role)))

    @property
    def status(self) -> str:
        """Computed by :func:`verdict_status`."""
        return verdict_status(self.compare, self.corrected, self.sharper)

    @property
    def labelled(self) -> bool:
        """Whether any row names its kind of evidence (then every row shows its kind)."""
        return any(c.kind is not None for _, c in self.rows())

    def rows(self) -> list[tuple[str, Compare | Bound]]:
        """(role, comparison) pairs in display order."""
        return (
            [("source", c) for c in self.compare]
            + [("corrected", c) for c in self.corrected]
            + [("sharper", c) for c in self.sharper]
        )

    def record(self) -> dict[str, Any]:
        """Everything the ledger and the displayed text are made from, at full precision."""
        return {
            "id": self.claim_id,
            "kind": self.kind,
            "source": self.source,
            "equation": self.equation,
            "statement": self.statement,
            "status": self.status,
            "show": self.show,
            "compare": [c.record() for c in self.compare],
            "corrected": [c.record() for c in self.corrected],
            "sharper": [c.record() for c in self.sharper],
        }

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> Verdict:
        """Rebuild a verdict from :meth:`record` output.

        The recorded status is not read: the status is recomputed from the rows.

        Raises
        ------
        TypeError, ValueError, KeyError
            For a record that does not make a valid verdict.
        """
        check_instance("rec", rec, dict)
        return cls(
            rec["id"],
            rec["statement"],
            rec["source"],
            str(rec.get("equation", "")),
            rec.get("kind", "claim"),
            [row_from_record(r) for r in rec.get("compare") or []],
            [row_from_record(r) for r in rec.get("corrected") or []],
            [row_from_record(r) for r in rec.get("sharper") or []],
            show=rec.get("show", True),
        )

    def plain(self) -> str:
        """One line per comparison, for text front ends (and strict nbval)."""
        lines = [f"[{self.status}] {self.claim_id}"]
        labelled = self.labelled
        for role, c in self.rows():
            t = c.text(f"{self.claim_id}.{c.name}")
            lines.append(
                f"  {role:9s} {t['name']}: measured {t['measured']}, reference "
                f"{t['reference']}, tolerance {t['tolerance']}, margin {t['margin']} "
                f"({t['agrees']})" + (f" [{t['kind']}]" if labelled else "")
            )
        return "\n".join(lines)

    def html(self) -> str:
        """A compact rendered verdict with anchors to and from the ledger."""
        esc = html.escape
        status = self.status
        cls = status.replace(" ", "-")
        labelled = self.labelled
        rows = []
        for role, c in self.rows():
            t = c.text("")
            rows.append(
                f"<tr class='{'ok' if c.agrees else 'off'}'><td>{esc(role)}</td>"
                f"<td><code>{esc(t['name'])}</code></td><td>{esc(t['measured'])}</td>"
                f"<td>{esc(t['reference'])}</td><td>{esc(t['tolerance'])}</td>"
                f"<td>{esc(t['margin'])}</td>"
                + (f"<td>{esc(t['kind'])}</td>" if labelled else "")
                + "</tr>"
            )
        return (
            f"<div class='claim-verdict claim-{cls}' id='check-{self.claim_id}'>"
            f"<p><a href='../claims.html#claim-{self.claim_id}'>{esc(self.claim_id)}</a>: "
            f"<strong>{esc(status)}</strong></p>"
            "<table><thead><tr><th></th><th>quantity</th><th>measured</th>"
            "<th>reference</th><th>tolerance</th><th>margin</th>"
            + ("<th>evidence</th>" if labelled else "")
            + f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )

    def bundle(self) -> dict[str, str]:
        """The display data of the check cell's verdict (what strict nbval compares)."""
        if self.show:
            return {"text/plain": self.plain(), "text/html": self.html()}
        return {"text/plain": f"[{self.status}] {self.claim_id}"}

    def glued(self) -> dict[str, str]:
        """Glue key -> text of every measured value (its first row when a name repeats).

        Raises
        ------
        ValueError
            If a quantity name has two different measured values.
        """
        glued: dict[str, float] = {}
        out: dict[str, str] = {}
        for _, c in self.rows():
            if c.name in glued:
                if glued[c.name] != c.measured:
                    raise ValueError(
                        f"{self.claim_id}: quantity {c.name!r} has two measured values; "
                        "name them apart"
                    )
                continue
            glued[c.name] = c.measured
            out[f"{self.claim_id}.{c.name}"] = c.shown_measured()
        return out

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return self.plain()


def _display(bundle: dict[str, Any], metadata: dict[str, Any]) -> None:
    from IPython.display import display

    display(bundle, raw=True, metadata=metadata)


def glue(name: str, value: float | str, fmt: str = "{:.3g}") -> str:
    """Record ``value`` under ``name`` for ``{glue:text}`name``` in the prose; return the text.

    Numbers are formatted with ``fmt`` (a ``str.format`` spec), so what the reader sees
    has the precision the claim needs and strict nbval can compare it; a string is
    glued as it is. The output uses myst-nb's glue format (hidden in the HTML book).
    """
    if not isinstance(name, str) or not re.match(r"^[A-Za-z0-9_.+'\-]+$", name):
        raise ValueError(f"name must be a glue key of letters, digits and _.+'-, got {name!r}")
    check_instance("fmt", fmt, str)
    if not isinstance(value, str) and (isinstance(value, bool) or not isinstance(value, int)):
        _real("value", value)  # a finite real (an exact int of any size is kept as it is)
    try:
        text = value if isinstance(value, str) else fmt.format(value)
    except OverflowError:  # an int beyond float64 under a float format such as {:.3g}
        raise ValueError(
            f"value (an integer of {len(str(value).lstrip('-'))} digits) is beyond float64 for fmt "
            f"{fmt!r}; pass it as a text"
        ) from None
    _display(
        {GLUE_PREFIX + "text/plain": text},
        {"scrapbook": {"name": name, "mime_prefix": GLUE_PREFIX}},
    )
    return text


def _comparisons(role: str, items: object) -> list[Compare | Bound]:
    if items is None:
        return []
    if isinstance(items, Compare | Bound):
        return [items]
    if isinstance(items, str | bytes | dict) or not hasattr(items, "__iter__"):
        raise TypeError(
            f"{role} must be a Compare, a Bound or a list of them, got {type(items).__name__}"
        )
    out = list(items)
    for c in out:
        if not isinstance(c, Compare | Bound):
            raise TypeError(f"{role} must hold Compare or Bound objects, got {type(c).__name__}")
    names = [c.name for c in out]
    if len(set(names)) != len(names):
        raise ValueError(f"{role}: quantity names repeat: {names}")
    return out


def check(
    claim_id: str,
    *,
    statement: str,
    source: str,
    equation: str = "",
    compare: Compare | Bound | list[Compare | Bound],
    corrected: Compare | Bound | list[Compare | Bound] | None = None,
    sharper: Compare | Bound | list[Compare | Bound] | None = None,
    kind: str = "claim",
    show: bool = True,
) -> Verdict:
    """Check a claim, display its verdict, record it for the ledger, glue its numbers.

    Parameters
    ----------
    claim_id
        Unique id (``[a-z0-9-]``), the key of the claim in ``chapters/claims.yml``.
    statement
        The claim in the book's words (MyST maths allowed: ``$C_s = n/2k$``).
    source
        Which paper (``000``–``003``) and where (``"001 Sec. III F"``); a claim of a work
        beyond the four sources names its bibliography key: ``"lit:rolnick2018power"``.
    equation
        Equation number(s), or "".
    compare
        Measured values against what the source states or implies (:class:`Compare`
        rows, or :class:`Bound` rows for one-sided or interval statements).
    corrected
        For a slip: measured values against the corrected statement.
    sharper
        For a refinement: measured values against the sharper statement.
    kind
        ``"claim"`` (a claim of a source), ``"exercise"`` (an exercise solution) or
        ``"method"`` (a check of the book's own tools, listed apart in the ledger).
    show
        Display the verdict (default); the record and glue are always emitted.

    Returns
    -------
    Verdict
        With the computed ``status``.

    Raises
    ------
    AssertionError
        If the comparisons support no verdict (see the module docstring).
    ValueError, TypeError
        For a malformed id, kind, source or comparison; for an empty ``compare``; for a
        slip (``corrected=``) whose source values all agree within tolerance (nothing to
        correct).
    """
    if not isinstance(claim_id, str) or not _ID.match(claim_id):
        raise ValueError(f"claim_id must match {_ID.pattern}, got {claim_id!r}")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if not isinstance(source, str) or not _SOURCE.match(source):
        raise ValueError(
            "source must start with a paper number 000-003 or, for a work beyond the four "
            f"sources, 'lit:<bibliography key>', got {source!r}"
        )
    if not check_instance("statement", statement, str).strip():
        raise ValueError("statement must be a non-empty string")
    check_instance("equation", equation, (str, int))
    show = check_instance("show", show, bool)
    compared = _comparisons("compare", compare)
    if not compared:
        raise ValueError("compare must hold at least one Compare: a claim needs a comparison")
    fixes = _comparisons("corrected", corrected)
    if fixes and all(c.agrees for c in compared):
        raise ValueError(
            f"corrected: {claim_id} is checked as a slip, but every source value agrees "
            "within tolerance; there is nothing to correct (drop corrected=)"
        )
    verdict = Verdict(
        claim_id,
        statement.strip(),
        source,
        str(equation),
        kind,
        compared,
        fixes,
        _comparisons("sharper", sharper),
        show=show,
    )
    status = verdict.status
    if status == "fails":
        raise AssertionError("claim " + claim_id + " is not supported:\n" + verdict.plain())
    glued = verdict.glued()
    _display(verdict.bundle(), {METADATA_KEY: {"claim": verdict.record()}})
    for key, text in glued.items():
        glue(key, text)
    return verdict
