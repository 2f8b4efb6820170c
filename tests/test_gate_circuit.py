"""Tests of cheaplib.polynomials.gate_circuit and draw_gate_circuit."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from cheaplib.nets import Layer, Network
from cheaplib.plotting import new_figure
from cheaplib.polynomials import draw_gate_circuit, factored_phi4_network, gate_circuit


@pytest.mark.parametrize("sites", [2, 5, 8])
def test_factored_phi4_gates_counted_from_weights(sites):
    net = factored_phi4_network(sites, 0.5, 0.25, 0.1)
    circuit = gate_circuit(net)
    # layer 1: n squares of x_i and n - 1 of differences; layer 2: n squares and a copy
    assert [len(layer) for layer in circuit] == [2 * sites - 1, sites + 1]
    assert 2 * sum(len(layer) for layer in circuit) == net.neurons == 6 * sites
    squares, diffs = circuit[0][:sites], circuit[0][sites:]
    assert [src for _, src in squares] == [(i,) for i in range(sites)]
    assert [src for _, src in diffs] == [(i, i + 1) for i in range(sites - 1)]
    # the copy gate of layer 2 reads every difference gate
    assert circuit[1][-1][1] == tuple(range(sites, 2 * sites - 1))


def test_unpaired_neuron_is_refused():
    net = Network(
        (
            Layer(np.array([[1.0, 0.0], [0.0, 1.0]]), np.zeros(2)),
            Layer(np.ones((1, 2)), np.zeros(1)),
        )
    )
    with pytest.raises(ValueError, match="partner"):
        gate_circuit(net)
    with pytest.raises(TypeError):
        gate_circuit("not a network")


def test_draw_gate_circuit():
    net = factored_phi4_network(4, 0.5, 0.25, 0.1)
    fig, ax = new_figure()
    draw_gate_circuit(net, ax)
    labels = [t.get_text() for t in ax.texts]
    assert labels.count("2") == 12 and "$H$" in labels
    with pytest.raises(ValueError, match="input_labels"):
        draw_gate_circuit(net, ax, input_labels=["a"])
    with pytest.raises(TypeError):
        draw_gate_circuit(net, "axes")
