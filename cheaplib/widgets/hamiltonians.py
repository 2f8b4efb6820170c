"""Widget of the Hamiltonians chapter: the 4-neuron multiplication gate (eq. 11, Fig. 2).

The reader picks the input scale ``lam``, the activation, the bias shift and the two inputs;
:func:`render_multiplication_gate` builds :func:`cheaplib.gates.product_gate`, plots its
output along a line of inputs next to the exact product, and its error against
:math:`\\lambda` with the predicted law :math:`|uv|\\,|C|\\lambda^2(u^2+v^2)` of
:func:`cheaplib.gates.gate_error_constant`.

Every combination has a picture.  Where :math:`\\sigma''(b) = 0` (``logistic`` and
``tanh`` at :math:`b = 0`) there is no gate: the four neurons cancel exactly, so no output
weight turns them into a product.  The picture then shows what they give, their sum over
:math:`4\\lambda^2` (zero up to rounding), and its error :math:`|x_0x_1|` at every
:math:`\\lambda`, with the reason in the titles and the summary.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator

from cheaplib.gates import gate_error_constant, product_gate
from cheaplib.nets import activation as activation_function
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
    exact = x0 * x1
    point = np.array([[x0, x1]])
    line = np.column_stack([np.full_like(_LINE, x0), _LINE])
    try:
        gate = product_gate(lam, activation, shift)  # raises for sigma''(b) = 0
    except ValueError:  # no gate: show what the four neurons give (see the module doc)
        sums = _neuron_sums(activation, shift, _LAMS, point)[:, 0] / (4.0 * _LAMS**2)
        on_line = _neuron_sums(activation, shift, np.array([lam]), line)[0]
        value = float(_neuron_sums(activation, shift, np.array([lam]), point)[0, 0])
        value /= 4.0 * lam**2
        const = None
        shown = on_line / (4.0 * lam**2)
        curve = np.abs(sums - exact)
        law = np.full_like(_LAMS, np.nan)
    else:
        const = gate_error_constant(activation, shift)
        value = float(gate([x0, x1])[0])
        shown = gate(line)[:, 0]
        curve = np.array(
            [abs(product_gate(s, activation, shift)(point)[0, 0] - exact) for s in _LAMS]
        )
        law = abs(exact * const) * _LAMS**2 * (x0**2 + x1**2)
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
        "line": shown,
        "curve": curve,
        "law": law,
    }


def _one_decimal(value: float, _: object = None) -> str:
    """A tick label with one decimal and a true minus sign."""
    return f"{value:.1f}".replace("-", "\u2212")


def _neuron_sums(activation: str, shift: float, lams: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """The gate's numerator at each scale and point: a ``(len(lams), len(xy))`` array.

    :math:`\\sigma(b+\\lambda(u+v)) + \\sigma(b-\\lambda(u+v)) - \\sigma(b+\\lambda(u-v))
    - \\sigma(b-\\lambda(u-v))`, the four hidden neurons of eq. (11) before the output
    weight :math:`1/(4\\lambda^2\\sigma''(b))`.
    """
    sigma = activation_function(activation)
    plus = np.outer(lams, xy[:, 0] + xy[:, 1])
    minus = np.outer(lams, xy[:, 0] - xy[:, 1])
    return sigma(shift + plus) + sigma(shift - plus) - sigma(shift + minus) - sigma(shift - minus)


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
        # tick steps of 1, 2 or 5 units of a decade, one decimal: labels keep their width
        # in every state, so the y label stays inside the layout of the default state
        ax0.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
        ax0.yaxis.set_major_formatter(FuncFormatter(_one_decimal))
        self.gate_label = ax0.legend(loc="best", fontsize=8).get_texts()[1]

        # log10 values on linear axes: the same picture as a log-log plot, drawn faster
        logs = np.log10(_LAMS)
        (self.curve,) = ax1.plot(logs, logs, "o-", color="C0", ms=4, label="measured")
        (self.law,) = ax1.plot(logs, logs, "--", color="C1", label="predicted $\\propto\\lambda^2$")
        (self.star,) = ax1.plot([0.0], [0.0], "*", ms=13, color="C3")
        ax1.set_xticks([-3.0, -2.0, -1.0, 0.0])  # whole decades: labels never collide
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
        if const is None:
            ax0.set_title(f"{activation}, b = {shift:g}: σ''(b) = 0, no gate")
            self.gate_label.set_text("neurons' sum / 4λ²")
        else:
            ax0.set_title(f"{activation}, b = {shift:g}, λ = {lam:.3g}, x₀ = {x0:g}")
            self.gate_label.set_text("gate $f(x_0, t)$")
        self.curve.set_ydata(np.log10(np.maximum(st["curve"], _FLOOR)))
        if const is None:  # no law to draw
            self.law.set_data([], [])
        else:
            self.law.set_data(np.log10(_LAMS), np.log10(np.maximum(st["law"], _FLOOR)))
        self.star.set_data([np.log10(lam)], [np.log10(max(err, _FLOOR))])
        ax1.set_title(f"error at ({x0:g}, {x1:g})" if const is not None else "no λ² law")
        for ax in self.axes:
            ax.relim()
            ax.autoscale_view()
        low, high = ax1.get_ylim()  # at least two decades: a flat error needs no offset
        if high - low < 2.0:
            mid = 0.5 * (low + high)
            ax1.set_ylim(mid - 1.0, mid + 1.0, auto=True)  # the next state rescales

        if const is None:
            return (
                f"{activation}, b = {shift:g}, &lambda; = {lam:.3g}: no gate, since "
                f"&sigma;''({shift:g}) = 0: the four neurons cancel exactly "
                f"(&sigma;(b + z) + &sigma;(b &minus; z) does not depend on z), so no output "
                f"weight turns them into x&#8320;x&#8321;. Shown: their sum over "
                f"4&lambda;&sup2;, {value:.1e} at ({x0:g}, {x1:g}), and its error "
                f"{err:.2f} = |x&#8320;x&#8321;| at every &lambda;. Any b &gt; 0 gives the gate."
            )
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
        need :math:`b \\ne 0` for a gate (their :math:`\\sigma''(0) = 0`): at
        :math:`b = 0` the picture shows why (see the module doc).
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
        For values that are not finite reals or out of range, or an unknown activation.

    Examples
    --------
    >>> fig, summary = render_multiplication_gate(0.1)
    >>> summary.startswith("softplus, b = 0")
    True
    """
    st = _state(lam, activation, shift, x0, x1)
    view = MultiplicationGateView()
    return view.figure, view.show(st)


#: The gate's input scale λ (eq. 11), log-spaced; chapter 5's product networks share it.
INPUT_SCALE = Slider(
    "lam", "input scale λ", 1e-3, 1.0, 0.25, 0.1, log=True, static=(1e-3, 1e-2, 0.1, 1.0)
)

SPECS = (
    WidgetSpec(
        name="hamiltonians-multiplication-gate",
        title="The 4-neuron multiplication gate (eq. 11)",
        controls=(
            INPUT_SCALE,
            Dropdown("activation", "activation", _ACTIVATIONS, "softplus"),
            Slider("shift", "bias shift b", 0.0, 2.0, 0.1, 0.0, static=(0.0, 0.5, 1.0, 2.0)),
            Slider("x0", "input x₀", -1.0, 1.0, 0.1, 0.6, static=(0.6,)),
            Slider("x1", "input x₁", -1.0, 1.0, 0.1, -0.8, static=(-0.8,)),
        ),
        render=render_multiplication_gate,
        view=MultiplicationGateView,
    ),
)
