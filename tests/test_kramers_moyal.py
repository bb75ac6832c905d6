"""Tests of attractors.kramers_moyal: jump moments against a loop, exact shot-noise laws, bad input."""

import math

import numpy as np
import pytest
from scipy import stats

from attractors import kramers_moyal as km
from attractors import sde


def test_jump_moments_against_loop():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 5000)
    dx = rng.normal(0.1 * x, 0.3)
    edges = np.linspace(-1, 1, 6)
    counts, M, se = km.jump_moments(x, dx, edges, orders=(1, 2, 4))
    for b in range(5):
        sel = (x >= edges[b]) & (x < edges[b + 1])
        assert counts[b] == sel.sum()
        for j, o in enumerate((1, 2, 4)):
            assert M[b, j] == pytest.approx(np.mean(dx[sel] ** o), rel=1e-12)
            assert se[b, j] == pytest.approx(np.std(dx[sel] ** o, ddof=1) / math.sqrt(sel.sum()), rel=1e-9)


def test_shot_noise_laws():
    # gamma = 0, fixed kicks: x(t) - x0 = kick * Poisson(rate t) exactly
    t, X = km.shot_noise(np.zeros(20000), 10, 0.1, rate=3.0, kick=0.5, law="fixed", rng=1)
    k = X[-1] / 0.5
    assert np.allclose(k, np.round(k), atol=1e-12)
    assert abs(k.mean() - 3.0) < 5 * math.sqrt(3.0 / k.size)
    # exponential kicks with relaxation: stationary Gamma(rate/gamma, kick)
    t, X = km.shot_noise(np.zeros(20000), 40, 0.25, rate=4.0, kick=0.5, gamma=2.0, rng=2)
    x = X[-1]
    assert np.all(x >= 0)
    g = stats.gamma(a=2.0, scale=0.5)
    assert stats.kstest(x, g.cdf).pvalue > 1e-3
    assert km.shot_noise([1.0], 3, 0.1, rate=1.0, kick=1.0, rng=5)[1].shape == (2, 1)


@pytest.mark.parametrize("call, name", [
    (lambda: km.jump_moments([0.0, 1.0], [0.0], [0, 1]), "dx"),
    (lambda: km.jump_moments([0.0], [0.0], [1, 0]), "bins"),
    (lambda: km.jump_moments([0.0], [0.0], [0, 1], orders=(0,)), "orders"),
    (lambda: km.shot_noise(np.zeros(3), 5, 0.1, rate=0.0, kick=1.0), "rate"),
    (lambda: km.shot_noise(np.zeros(3), 5, 0.1, rate=1e9, kick=1.0), "rate"),
    (lambda: km.shot_noise(np.zeros(3), 5, 0.1, rate=1.0, kick=1.0, law="gauss"), "law"),
])
def test_bad_input_is_refused(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


def test_benchmarks_empty():
    assert km.benchmarks(quick=True) == []


@pytest.mark.parametrize("name", ["jump_moments", "shot_noise"])
def test_sde_still_reaches_the_moved_functions_with_a_warning(name):
    with pytest.warns(DeprecationWarning, match=f"attractors.sde.{name} moved to attractors.kramers_moyal"):
        f = getattr(sde, name)
    assert f is getattr(km, name)
    assert name not in sde.__all__ and name in km.__all__
    with pytest.raises(AttributeError, match="no_such_name"):
        sde.no_such_name


def test_jump_moments_scale_invariant_and_never_nan():
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, 4000)
    dx = rng.normal(0.0, 1.0, 4000)
    edges = np.linspace(-1, 1, 5)
    c1, M1, s1 = km.jump_moments(x, dx, edges, orders=(1, 2, 3))
    for scale, e in ((2.0**600, 600), (2.0**-600, -600)):
        c, M, s = km.jump_moments(x, dx * scale, edges, orders=(1, 2, 3))
        assert np.array_equal(c, c1)
        for j, o in enumerate((1, 2, 3)):
            expect_M, expect_s = np.ldexp(M1[:, j], o * e), np.ldexp(s1[:, j], o * e)
            assert np.allclose(M[:, j], expect_M, rtol=1e-12, atol=0) or np.all(np.isinf(expect_M))
            assert not np.isnan(M).any() and not np.isnan(s).any()
            assert np.allclose(s[:, j], expect_s, rtol=1e-9, atol=0) or np.all(np.isinf(expect_s))
    c, M, s = km.jump_moments(x, dx * 1e200, edges, orders=(1, 2))
    assert np.allclose(M[:, 0], M1[:, 0] * 1e200, rtol=1e-12) and np.all(M[:, 1] == np.inf)
    assert np.all(np.isfinite(s[:, 0])) and np.all(s[:, 1] == np.inf)      # beyond float64: inf, not NaN
    assert np.allclose(s[:, 0], s1[:, 0] * 1e200, rtol=1e-9)
    with pytest.warns(DeprecationWarning):
        alias = sde.jump_moments
    c, M2, s2 = alias(x, dx * 1e200, edges, orders=(1, 2))
    assert np.array_equal(M2, M, equal_nan=True) and np.array_equal(s2, s, equal_nan=True)


def test_jump_moments_0d_orders_is_refused_by_name():
    with pytest.raises(TypeError, match="orders"):
        km.jump_moments(np.zeros(10), np.zeros(10), np.linspace(-1, 1, 3), orders=np.array(1))
