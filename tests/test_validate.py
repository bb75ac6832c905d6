"""Tests of attractors._validate: every conversion failure names the argument; read-only arrays cost no recompilation."""

import numpy as np
import pytest

from attractors import hopfield
from attractors._validate import as_array, as_int, as_positive


@pytest.mark.parametrize("bad, exc, words", [
    ([[1.0, 2.0], [3.0]], ValueError, "rectangular"),
    ([2**1024, 1], ValueError, "too large"),
    (np.array(["a", "b"]), TypeError, "numeric"),
    ([object(), 1], TypeError, "numeric"),
    ([1j, 2], TypeError, "real"),
    ([np.nan], ValueError, "finite"),
])
def test_as_array_names_the_argument(bad, exc, words):
    with pytest.raises(exc, match=f"^weights .*{words}"):
        as_array(bad, "weights")


def test_big_python_ints_that_fit_are_converted():
    assert as_array([2**70, 1], "x").tolist() == [float(2**70), 1.0]


def test_scalars():
    with pytest.raises(ValueError, match="^beta is too large"):
        as_positive(2**1024, "beta")
    with pytest.raises(TypeError, match="^beta must be a real number"):
        as_positive("1", "beta")
    with pytest.raises(TypeError, match="^sweeps must be an integer"):
        as_int(1.5, "sweeps")


def test_read_only_input_is_accepted_and_not_recompiled():
    xi = np.where(np.random.default_rng(0).random((3, 50)) < 0.5, -1.0, 1.0)
    J = hopfield.hebbian(xi)
    s0 = xi[0].copy()
    a = hopfield.run(J, s0, beta=2.0, sweeps=2, rng=1)
    J.flags.writeable = False
    s0.flags.writeable = False
    sig = len(hopfield._seq_kernel.signatures) + len(hopfield._par_kernel.signatures)
    assert np.array_equal(hopfield.run(J, s0, beta=2.0, sweeps=2, rng=1), a)
    hopfield.run(J, s0, beta=2.0, sweeps=2, rng=1, mode="parallel")
    assert as_array(J, "J").flags.writeable
    # no new specialisation of the kernels for read-only arrays
    assert len(hopfield._par_kernel.signatures) <= 1
    assert len(hopfield._seq_kernel.signatures) + len(hopfield._par_kernel.signatures) <= sig + 1
