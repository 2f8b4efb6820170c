"""Widget of the no-flattening chapter: shallow versus deep product networks.

The reader picks the number of inputs ``n``, the input scale ``lam`` and the activation;
:func:`render_product_networks` builds both networks of :mod:`cheaplib.gates`, counts their
neurons and synapses, and measures their worst error on a small fixed sample.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.ticker import LogLocator

from cheaplib.flattening import deep_product_size, product_error, shallow_product_size
from cheaplib.gates import deep_product_network, shallow_product_network
from cheaplib.plotting import new_figure
from cheaplib.validation import check_choice, check_int, check_real
from cheaplib.widgets import Dropdown, RenderResult, Slider, WidgetSpec
from cheaplib.widgets.hamiltonians import INPUT_SCALE

__all__ = ["SPECS", "ProductNetworksView", "render_product_networks"]

_N_MAX = 10
_LAMS = np.logspace(-3.0, 0.0, 10)
_SAMPLE_SEED = 0
_SAMPLE_SIZE = 32


def _sample(n: int) -> np.ndarray:
    return np.random.default_rng(_SAMPLE_SEED).uniform(-1.0, 1.0, size=(_SAMPLE_SIZE, n))


def _error(net: Any, X: np.ndarray) -> float:
    """The network's worst product error, never below its round-off level.

    Below ``eps · Σ|w_out|`` (the output weights grow like λ⁻ⁿ for the shallow network)
    an error's digits are the CPU's arithmetic, not the network's: they differ between
    machines by tens of percent, so the error is shown at that level instead.
    """
    floor = np.finfo(float).eps * float(np.abs(net.layers[-1].W).sum())
    return max(product_error(net, X), floor)


def _state(n: int, lam: float, activation: str) -> dict[str, Any]:
    """Every number a state shows (validated); the figure is not touched."""
    n = check_int("n", n, 2, _N_MAX)
    lam = check_real("lam", lam, 1e-3 * (1 - 1e-9), 1.0 * (1 + 1e-9))
    activation = check_choice("activation", activation, ("softplus", "logistic", "tanh", "exp"))
    X = _sample(n)
    shallow = shallow_product_network(n, lam, activation)
    deep = deep_product_network(n, lam, activation)
    return {
        "n": n,
        "lam": lam,
        "activation": activation,
        "shallow": shallow,
        "deep": deep,
        "err_s": _error(shallow, X),
        "err_d": _error(deep, X),
        "curve_s": [_error(shallow_product_network(n, x, activation), X) for x in _LAMS],
        "curve_d": [_error(deep_product_network(n, x, activation), X) for x in _LAMS],
    }


_FLOOR = 1e-17


class ProductNetworksView:
    """The figure of :func:`render_product_networks`, built once and updated in place.

    The size panel (it does not depend on the state) is drawn once with its marker of
    ``n`` moved; the error panel's curves and stars are set and rescaled per state.
    """

    def __init__(self) -> None:
        ns = np.arange(2, _N_MAX + 1)
        sizes_s = np.array([shallow_product_size(int(k)) for k in ns], dtype=float)
        sizes_d = np.array([deep_product_size(int(k)) for k in ns], dtype=float)

        fig, (ax0, ax1) = new_figure(1, 2, width=8.0, height=3.3)
        self.figure, self.axes = fig, (ax0, ax1)
        ax0.semilogy(ns, sizes_s[:, 0], "o-", color="C3", label="shallow neurons $2^n$")
        ax0.semilogy(ns, sizes_s[:, 1], "o--", color="C3", alpha=0.6, label="shallow synapses")
        ax0.semilogy(ns, sizes_d[:, 0], "s-", color="C0", label="deep neurons")
        ax0.semilogy(ns, sizes_d[:, 1], "s--", color="C0", alpha=0.6, label="deep synapses")
        self.marker = ax0.axvline(float(ns[0]), color="0.5", lw=0.8)
        ax0.set_xlabel("number of inputs $n$")
        ax0.set_ylabel("count")
        ax0.set_title("size")
        ax0.legend(loc="upper left", fontsize=8)

        ones = np.ones_like(_LAMS)
        (self.curve_s,) = ax1.loglog(_LAMS, ones, "o-", color="C3", label="shallow (1 layer)")
        (self.curve_d,) = ax1.loglog(_LAMS, ones, "s-", color="C0", label="deep (tree)")
        (self.star_s,) = ax1.loglog([1.0], [1.0], "*", ms=12, color="C3")
        (self.star_d,) = ax1.loglog([1.0], [1.0], "*", ms=12, color="C0")
        ax1.set_xlabel(r"input scale $\lambda$")
        ax1.set_ylabel(r"max $|f(x) - x_1 \cdots x_n|$")
        ax1.legend(loc="upper left", fontsize=8)

        for ax in (ax0, ax1):  # few ticks: tick labels dominate the PNG time of log axes
            ax.minorticks_off()
            ax.yaxis.set_major_locator(LogLocator(numticks=5))
        ax1.xaxis.set_major_locator(LogLocator(numticks=4))

    def update(self, n: int, lam: float, activation: str = "softplus") -> str:
        """Show a state; return its summary (see :func:`render_product_networks`)."""
        return self.show(_state(n, lam, activation))

    def show(self, st: dict[str, Any]) -> str:
        """Show the numbers of :func:`_state`; return the summary."""
        _, ax1 = self.axes
        n, lam, activation = st["n"], st["lam"], st["activation"]
        shallow, deep, err_s, err_d = st["shallow"], st["deep"], st["err_s"], st["err_d"]
        self.marker.set_xdata([n, n])
        self.curve_s.set_ydata(np.maximum(st["curve_s"], _FLOOR))
        self.curve_d.set_ydata(np.maximum(st["curve_d"], _FLOOR))
        self.star_s.set_data([lam], [max(err_s, _FLOOR)])
        self.star_d.set_data([lam], [max(err_d, _FLOOR)])
        ax1.set_title(f"error, n = {n}, {activation}")
        ax1.relim()
        ax1.autoscale_view()
        # the lambda grid never changes: room on both sides keeps the corner tick labels
        # (10^-3 below, the lowest power of ten at the left) apart
        ax1.set_xlim(10**-3.4, 10**0.4)
        return (
            f"n = {n}, &lambda; = {lam:.3g}, {activation}: "
            f"<b>shallow</b> {shallow.neurons:,} neurons, {shallow.synapses:,} synapses, "
            f"max error {err_s:.2e}; "
            f"<b>deep</b> {deep.neurons:,} neurons in {deep.depth} layers, "
            f"{deep.synapses:,} synapses, max error {err_d:.2e}."
        )


def render_product_networks(n: int, lam: float, activation: str = "softplus") -> RenderResult:
    """Counts and errors of the shallow (eq. 28) and deep (tree) product networks.

    Parameters
    ----------
    n : int
        Number of inputs, ``2 <= n <= 10``.
    lam : float
        Input scale :math:`\\lambda` of both networks, in ``[1e-3, 1]``.
    activation : str, optional
        ``softplus``, ``logistic``, ``tanh`` or ``exp``; the bias shift is chosen by
        :func:`cheaplib.gates.generic_shift`.

    Returns
    -------
    (Figure, str)
        Left: neurons and synapses against ``n``; right: worst error on 32 fixed points of
        :math:`[-1,1]^n` against :math:`\\lambda`, with the chosen values marked.  The
        summary gives the numbers at the chosen ``n`` and :math:`\\lambda`.  The figure is
        a fresh :class:`ProductNetworksView`'s (the live widget keeps one).

    Raises
    ------
    TypeError, ValueError
        If ``n`` or ``lam`` is out of range or of the wrong type, or the activation is
        unknown (each message names its argument).
    """
    st = _state(n, lam, activation)
    view = ProductNetworksView()
    return view.figure, view.show(st)


SPECS = (
    WidgetSpec(
        name="product-networks",
        title="Multiplying n numbers: one hidden layer versus a tree",
        controls=(
            Slider("n", "inputs n", 2, _N_MAX, 1, 4, static=(2, 4, 6, 10)),
            INPUT_SCALE,
            Dropdown(
                "activation", "activation", ("softplus", "logistic", "tanh", "exp"), "softplus"
            ),
        ),
        render=render_product_networks,
        view=ProductNetworksView,
    ),
)
