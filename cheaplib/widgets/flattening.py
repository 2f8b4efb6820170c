"""Widget of the no-flattening chapter: shallow versus deep product networks.

The reader picks the number of inputs ``n``, the input scale ``lam`` and the activation;
:func:`render_product_networks` builds both networks of :mod:`cheaplib.gates`, counts their
neurons and synapses, and measures their worst error on a small fixed sample.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import LogLocator

from cheaplib.flattening import deep_product_size, product_error, shallow_product_size
from cheaplib.gates import deep_product_network, shallow_product_network
from cheaplib.plotting import new_figure
from cheaplib.validation import check_choice, check_int, check_real
from cheaplib.widgets import Dropdown, RenderResult, Slider, WidgetSpec

__all__ = ["SPECS", "render_product_networks"]

_N_MAX = 10
_LAMS = np.logspace(-3.0, 0.0, 10)
_SAMPLE_SEED = 0
_SAMPLE_SIZE = 32


def _sample(n: int) -> np.ndarray:
    return np.random.default_rng(_SAMPLE_SEED).uniform(-1.0, 1.0, size=(_SAMPLE_SIZE, n))


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
        summary gives the numbers at the chosen ``n`` and :math:`\\lambda`.

    Raises
    ------
    TypeError, ValueError
        If ``n`` or ``lam`` is out of range or of the wrong type, or the activation is
        unknown (each message names its argument).
    """
    n = check_int("n", n, 2, _N_MAX)
    lam = check_real("lam", lam, 1e-3 * (1 - 1e-9), 1.0 * (1 + 1e-9))
    activation = check_choice("activation", activation, ("softplus", "logistic", "tanh", "exp"))
    X = _sample(n)
    shallow = shallow_product_network(n, lam, activation)
    deep = deep_product_network(n, lam, activation)
    err_s, err_d = product_error(shallow, X), product_error(deep, X)
    curve_s = [product_error(shallow_product_network(n, x, activation), X) for x in _LAMS]
    curve_d = [product_error(deep_product_network(n, x, activation), X) for x in _LAMS]

    ns = np.arange(2, _N_MAX + 1)
    sizes_s = np.array([shallow_product_size(int(k)) for k in ns], dtype=float)
    sizes_d = np.array([deep_product_size(int(k)) for k in ns], dtype=float)

    fig, (ax0, ax1) = new_figure(1, 2, width=8.0, height=3.3)
    ax0.semilogy(ns, sizes_s[:, 0], "o-", color="C3", label="shallow neurons $2^n$")
    ax0.semilogy(ns, sizes_s[:, 1], "o--", color="C3", alpha=0.6, label="shallow synapses")
    ax0.semilogy(ns, sizes_d[:, 0], "s-", color="C0", label="deep neurons")
    ax0.semilogy(ns, sizes_d[:, 1], "s--", color="C0", alpha=0.6, label="deep synapses")
    ax0.axvline(n, color="0.5", lw=0.8)
    ax0.set_xlabel("number of inputs $n$")
    ax0.set_ylabel("count")
    ax0.set_title("size")
    ax0.legend(loc="upper left", fontsize=8)

    floor = 1e-17
    ax1.loglog(_LAMS, np.maximum(curve_s, floor), "o-", color="C3", label="shallow (1 layer)")
    ax1.loglog(_LAMS, np.maximum(curve_d, floor), "s-", color="C0", label="deep (tree)")
    ax1.loglog([lam], [max(err_s, floor)], "*", ms=12, color="C3")
    ax1.loglog([lam], [max(err_d, floor)], "*", ms=12, color="C0")
    ax1.set_xlabel(r"input scale $\lambda$")
    ax1.set_ylabel(r"max $|f(x) - x_1 \cdots x_n|$")
    ax1.set_title(f"error, n = {n}, {activation}")
    ax1.legend(loc="upper left", fontsize=8)

    for ax in (ax0, ax1):  # few ticks: tick labels dominate the PNG time of log axes
        ax.minorticks_off()
        ax.yaxis.set_major_locator(LogLocator(numticks=5))
    ax1.xaxis.set_major_locator(LogLocator(numticks=4))

    summary = (
        f"n = {n}, &lambda; = {lam:.3g}, {activation}: "
        f"<b>shallow</b> {shallow.neurons:,} neurons, {shallow.synapses:,} synapses, "
        f"max error {err_s:.2e}; "
        f"<b>deep</b> {deep.neurons:,} neurons in {deep.depth} layers, "
        f"{deep.synapses:,} synapses, max error {err_d:.2e}."
    )
    return fig, summary


SPECS = (
    WidgetSpec(
        name="product-networks",
        title="Multiplying n numbers: one hidden layer versus a tree",
        controls=(
            Slider("n", "inputs n", 2, _N_MAX, 1, 4),
            Slider("lam", "input scale λ", 1e-3, 1.0, 0.25, 0.1, log=True),
            Dropdown(
                "activation", "activation", ("softplus", "logistic", "tanh", "exp"), "softplus"
            ),
        ),
        render=render_product_networks,
    ),
)
