"""Widget of the Hamiltonians chapter: the 4-neuron multiplication gate (eq. 11, Fig. 2).

The reader picks the input scale ``lam``, the activation, the bias shift and the two inputs;
:func:`render_multiplication_gate` builds :func:`cheaplib.gates.product_gate`, plots its
output along a line of inputs next to the exact product, and its error against
:math:`\\lambda` with the predicted law :math:`|uv|\\,|C|\\lambda^2(u^2+v^2)` of
:func:`cheaplib.gates.gate_error_constant`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cheaplib.gates import gate_error_constant, product_gate
from cheaplib.plotting import new_figure
from cheaplib.validation import check_choice, check_real
from cheaplib.widgets import Dropdown, RenderResult, Slider, WidgetSpec

__all__ = ["SPECS", "MultiplicationGateView", "render_multiplication_gate"]

_ACTIVATIONS = ("softplus", "logistic", "tanh", "exp")
_LAMS = np.logspace(-3.0, 0.0, 13)
_LINE = np.linspace(-1.0, 1.0, 81)
_FLOOR = 1e-17


def _in_range(name: str, value: object, low: float, high: float) -> float:
    x = check_real(name, value)  # finite real, bool refused
    # a slider's float steps may land a hair outside its range
    if not low - 1e-9 * abs(low) - 1e-12 <= x <= high + 1e-9 * abs(high) + 1e-12:
        raise ValueError(f"{name} must lie in [{low:g}, {high:g}], got {x!r}")
    return x


def _state(lam: float, activation: str, shift: float, x0: float, x1: float) -> dict[str, Any]:
    """Every number a state shows (validated); the figure is not touched."""
    lam = _in_range("lam", lam, 1e-3, 1.0)
    shift = _in_range("shift", shift, 0.0, 2.0)
    x0 = _in_range("x0", x0, -1.0, 1.0)
    x1 = _in_range("x1", x1, -1.0, 1.0)
    activation = check_choice("activation", activation, _ACTIVATIONS)
    gate = product_gate(lam, activation, shift)  # raises for sigma''(b) = 0
    const = gate_error_constant(activation, shift)
    exact = x0 * x1
    value = float(gate([x0, x1])[0])
    point = np.array([[x0, x1]])
    curve = np.array([abs(product_gate(s, activation, shift)(point)[0, 0] - exact) for s in _LAMS])
    return {
        "lam": lam,
        "activation": activation,
        "shift": shift,
        "x0": x0,
        "x1": x1,
        "const": const,
        "exact": exact,
        "value": value,
        "err": abs(value - exact),
        "line": gate(np.column_stack([np.full_like(_LINE, x0), _LINE]))[:, 0],
        "curve": curve,
        "law": abs(exact * const) * _LAMS**2 * (x0**2 + x1**2),
    }


class MultiplicationGateView:
    """The figure of :func:`render_multiplication_gate`, built once and updated in place.

    Axes, axis labels and legends are drawn once; a state sets the curves and points,
    rescales both panels and sets the titles.
    """

    def __init__(self) -> None:
        fig, (ax0, ax1) = new_figure(1, 2, width=7.6, height=3.0)
        self.figure, self.axes = fig, (ax0, ax1)
        zero = np.zeros_like(_LINE)
        (self.exact,) = ax0.plot(_LINE, zero, color="0.3", lw=2.5, alpha=0.5, label="exact $x_0 t$")
        (self.gate,) = ax0.plot(_LINE, zero, color="C0", lw=1.3, label="gate $f(x_0, t)$")
        (self.point,) = ax0.plot([0.0], [0.0], "o", color="C3", ms=7)
        ax0.set_xlabel("second input $t$")
        ax0.set_ylabel("output")
        ax0.legend(loc="best", fontsize=8)

        # log10 values on linear axes: the same picture as a log-log plot, drawn faster
        logs = np.log10(_LAMS)
        (self.curve,) = ax1.plot(logs, logs, "o-", color="C0", ms=4, label="measured")
        (self.law,) = ax1.plot(logs, logs, "--", color="C1", label="predicted $\\propto\\lambda^2$")
        (self.star,) = ax1.plot([0.0], [0.0], "*", ms=13, color="C3")
        ax1.set_xlabel(r"$\log_{10}$ input scale $\lambda$")
        ax1.set_ylabel(r"$\log_{10}$ error $|f - x_0 x_1|$")
        ax1.legend(loc="upper left", fontsize=8)

    def update(
        self,
        lam: float,
        activation: str = "softplus",
        shift: float = 0.0,
        x0: float = 0.6,
        x1: float = -0.8,
    ) -> str:
        """Show a state; return its summary (see :func:`render_multiplication_gate`)."""
        return self.show(_state(lam, activation, shift, x0, x1))

    def show(self, st: dict[str, Any]) -> str:
        """Show the numbers of :func:`_state`; return the summary."""
        ax0, ax1 = self.axes
        lam, activation, shift = st["lam"], st["activation"], st["shift"]
        x0, x1, value, exact, err = st["x0"], st["x1"], st["value"], st["exact"], st["err"]
        const = st["const"]
        self.exact.set_ydata(x0 * _LINE)
        self.gate.set_ydata(st["line"])
        self.point.set_data([x1], [value])
        ax0.set_title(f"{activation}, b = {shift:g}, λ = {lam:.3g}, x₀ = {x0:g}")
        self.curve.set_ydata(np.log10(np.maximum(st["curve"], _FLOOR)))
        self.law.set_ydata(np.log10(np.maximum(st["law"], _FLOOR)))
        self.star.set_data([np.log10(lam)], [np.log10(max(err, _FLOOR))])
        ax1.set_title(f"error at ({x0:g}, {x1:g})")
        for ax in self.axes:
            ax.relim()
            ax.autoscale_view()

        if exact == 0.0:
            rel = "the product is 0 and the gate returns exactly 0"
        else:
            rel = (
                f"relative error {err / abs(exact):.2e}, predicted "
                f"{abs(const) * lam**2 * (x0**2 + x1**2):.2e} (C = {const:.4f})"
            )
        return (
            f"{activation}, b = {shift:g}, &lambda; = {lam:.3g}: "
            f"f({x0:g}, {x1:g}) = {value:.6f}, exact {exact:.6f}; "
            f"error {err:.2e}; {rel}. 4 hidden neurons at every &lambda;."
        )


def render_multiplication_gate(
    lam: float,
    activation: str = "softplus",
    shift: float = 0.0,
    x0: float = 0.6,
    x1: float = -0.8,
) -> RenderResult:
    """The multiplication gate at one setting: its output and its error law.

    Parameters
    ----------
    lam : float
        Input scale :math:`\\lambda`, in ``[1e-3, 1]``.
    activation : str, optional
        ``softplus`` (default), ``logistic``, ``tanh`` or ``exp``.
    shift : float, optional
        Bias :math:`b` of the four hidden neurons, in ``[0, 2]``; ``logistic`` and ``tanh``
        need :math:`b \\ne 0` (their :math:`\\sigma''(0) = 0`).
    x0, x1 : float, optional
        The inputs, each in ``[-1, 1]``.

    Returns
    -------
    (Figure, str)
        Left: the gate's output :math:`f(x_0, t)` for :math:`t \\in [-1, 1]` against the
        exact :math:`x_0 t`, with the chosen point marked.  Right: the error
        :math:`|f(x_0,x_1) - x_0x_1|` against :math:`\\lambda` (both as
        :math:`\\log_{10}`) with the predicted :math:`\\lambda^2` law.
        The summary gives the numbers at the chosen setting.  The figure is a fresh
        :class:`MultiplicationGateView`'s (the live widget keeps one).

    Raises
    ------
    TypeError, ValueError
        For values that are not finite reals or out of range, an unknown activation, or
        :math:`\\sigma''(b) = 0`.

    Examples
    --------
    >>> fig, summary = render_multiplication_gate(0.1)
    >>> summary.startswith("softplus, b = 0")
    True
    """
    st = _state(lam, activation, shift, x0, x1)
    view = MultiplicationGateView()
    return view.figure, view.show(st)


SPECS = (
    WidgetSpec(
        name="hamiltonians-multiplication-gate",
        title="The 4-neuron multiplication gate (eq. 11)",
        controls=(
            Slider("lam", "input scale λ", 1e-3, 1.0, 0.25, 0.1, log=True),
            Dropdown("activation", "activation", _ACTIVATIONS, "softplus"),
            Slider("shift", "bias shift b", 0.0, 2.0, 0.1, 0.0),
            Slider("x0", "input x₀", -1.0, 1.0, 0.1, 0.6),
            Slider("x1", "input x₁", -1.0, 1.0, 0.1, -0.8),
        ),
        render=render_multiplication_gate,
        view=MultiplicationGateView,
    ),
)
