"""Tests of attractors.modern: energy, update, retrieval kernel, Jacobian, thresholds."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import lambertw

from attractors import modern as m


def sphere(rng, P, N, radius=1.0):
    X = rng.standard_normal((P, N))
    return radius * X / np.linalg.norm(X, axis=1, keepdims=True)


def naive_energy(X, xi, beta):
    P = X.shape[0]
    M2 = np.max(np.sum(X * X, axis=1))
    return -np.log(np.sum(np.exp(beta * X @ xi))) / beta + 0.5 * xi @ xi + np.log(P) / beta + 0.5 * M2


def test_energy_matches_naive_and_gaussian_form():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((7, 5))
    Q = rng.standard_normal((20, 5))
    for beta in (0.1, 1.0, 3.0):
        e = m.energy(X, Q, beta)
        ref = np.array([naive_energy(X, q, beta) for q in Q])
        np.testing.assert_allclose(e, ref, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(m.energy_gaussian(X, Q, beta), e, rtol=1e-12, atol=1e-12)
    assert isinstance(m.energy(X, Q[0], 1.0), float)


def test_update_batch_equals_single_and_formula():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((6, 4))
    Q = rng.standard_normal((9, 4))
    batch = m.update(X, Q, 2.0)
    for q, b in zip(Q, batch):
        s = np.exp(2.0 * X @ q - np.max(2.0 * X @ q))
        np.testing.assert_allclose(m.update(X, q, 2.0), s @ X / s.sum(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(b, s @ X / s.sum(), rtol=1e-12, atol=1e-14)


def test_gradient_is_state_minus_update():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((5, 3))
    xi = rng.standard_normal(3)
    beta, h = 1.7, 1e-6
    g = np.array([(m.energy(X, xi + h * e, beta) - m.energy(X, xi - h * e, beta)) / (2 * h) for e in np.eye(3)])
    np.testing.assert_allclose(g, xi - m.update(X, xi, beta), atol=1e-8)


def test_extreme_beta_is_stable():
    rng = np.random.default_rng(3)
    X = sphere(rng, 10, 6, 3.0)
    q = X[2] + 0.01 * rng.standard_normal(6)
    for beta in (1e-8, 1e6):
        e = m.energy(X, q, beta)
        u = m.update(X, q, beta)
        J = m.jacobian(X, q, beta)
        assert np.isfinite(e) and np.all(np.isfinite(u)) and np.all(np.isfinite(J))
        assert e >= 0
    np.testing.assert_allclose(m.update(X, q, 1e6), X[2], atol=1e-12)
    np.testing.assert_allclose(m.update(X, q, 1e-8), X.mean(axis=0), atol=1e-6)
    xi, it = m.retrieve(X, q, 1e6)
    np.testing.assert_allclose(xi, X[2], atol=1e-12)


def test_retrieve_kernel_matches_reference():
    rng = np.random.default_rng(4)
    X = sphere(rng, 12, 8, 2.0)
    Q = X[rng.integers(0, 12, 30)] + 0.5 * rng.standard_normal((30, 8))
    for beta in (0.2, 2.0, 10.0):
        out, it = m.retrieve(X, Q, beta, tol=1e-11, max_iter=500)
        ref, rit = m._retrieve_reference(X, Q, beta, 1e-11, 500)
        np.testing.assert_allclose(out, ref, atol=1e-9)
        assert np.all(np.abs(it - rit) <= 1)
        # each output is a fixed point
        np.testing.assert_allclose(m.update(X, out, beta), out, atol=1e-9)
    single, n = m.retrieve(X, Q[0], 2.0)
    assert single.shape == (8,) and isinstance(n, int)


def test_jacobian_matches_finite_differences_and_is_psd():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((6, 4))
    xi = rng.standard_normal(4)
    beta, h = 1.3, 1e-6
    J = m.jacobian(X, xi, beta)
    fd = np.stack([(m.update(X, xi + h * e, beta) - m.update(X, xi - h * e, beta)) / (2 * h) for e in np.eye(4)], axis=1)
    np.testing.assert_allclose(J, fd, atol=1e-8)
    np.testing.assert_allclose(J, J.T, atol=1e-14)
    assert np.min(np.linalg.eigvalsh(J)) > -1e-12
    Jb = m.jacobian(X, np.stack([xi, 2 * xi]), beta)
    np.testing.assert_allclose(Jb[0], J, atol=1e-14)


def test_separation_bruteforce():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((5, 3))
    d = m.separation(X)
    for i in range(5):
        others = [X[i] @ X[j] for j in range(5) if j != i]
        assert d[i] == pytest.approx(X[i] @ X[i] - max(others), abs=1e-13)
    assert np.isinf(m.separation(X[:1])[0])
    assert m.max_norm(X) == pytest.approx(np.max(np.linalg.norm(X, axis=1)))
    assert m.m_max_sq(X) == pytest.approx(np.max(np.sum((X - X.mean(0)) ** 2, axis=1)))


def test_threshold_roots_solve_equation_and_match_lambertw():
    rng = np.random.default_rng(7)
    X = sphere(rng, 8, 10, 1.5)
    a, b = m.threshold_coefficients(X)
    lo, hi = m.threshold_roots(X)
    assert lo < b < hi
    for r in (lo, hi):
        assert r == pytest.approx(a + b * math.log(r), rel=1e-12)
    z = -math.exp(-a / b) / b
    assert hi == pytest.approx(-b * lambertw(z, -1).real, rel=1e-12)
    assert m.beta_threshold(X) == hi
    # the condition of Prop. 3.4 holds at and beyond hi, fails just inside
    P, M, dmin = 8, m.max_norm(X), np.min(m.separation(X))
    cond = lambda be: dmin - (2 / (be * P) + math.log(2 * (P - 1) * P * be * M * M) / be)
    assert cond(hi * 1.01) > 0 and cond(hi * 0.99) < 0 and cond(lo * 0.99) > 0
    # underflow branch (tiny separation): still a root
    lo2, hi2 = m.threshold_roots(X, delta=1e-300)
    a2, b2 = m.threshold_coefficients(X, delta=1e-300)
    assert hi2 == pytest.approx(a2 + b2 * math.log(hi2), rel=1e-12)
    assert m.beta_threshold(X[:1]) == 0.0
    assert m.beta_threshold(np.array([[1.0, 0.0], [2.0, 0.0]])) == math.inf


def test_bad_inputs_name_the_argument():
    X = np.eye(3)
    with pytest.raises(ValueError, match="beta"):
        m.energy(X, np.zeros(3), -1.0)
    with pytest.raises(TypeError, match="beta"):
        m.update(X, np.zeros(3), "a")
    with pytest.raises(ValueError, match="xi"):
        m.update(X, np.zeros(4), 1.0)
    with pytest.raises(ValueError, match="xi0"):
        m.retrieve(X, np.zeros((2, 2)), 1.0)
    with pytest.raises(ValueError, match="X"):
        m.energy(np.zeros((0, 3)), np.zeros(3), 1.0)
    with pytest.raises(ValueError, match="X"):
        m.energy([[np.nan, 0, 0]], np.zeros(3), 1.0)
    with pytest.raises(ValueError, match="max_iter"):
        m.retrieve(X, np.zeros(3), 1.0, max_iter=0)
    with pytest.raises(ValueError, match="tol"):
        m.retrieve(X, np.zeros(3), 1.0, tol=-1.0)
    with pytest.raises(ValueError, match="X"):
        m.threshold_coefficients(X[:1])


def test_reproducible_and_deterministic():
    rng = np.random.default_rng(8)
    X = sphere(rng, 5, 4)
    Q = rng.standard_normal((4, 4))
    a = m.retrieve(X, Q, 3.0)
    b = m.retrieve(X, Q, 3.0)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


finite = st.floats(-3, 3, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), P=st.integers(1, 6), N=st.integers(1, 5),
       logbeta=st.floats(-3, 4), scale=st.floats(0.1, 5))
def test_energy_properties(seed, P, N, logbeta, scale):
    """E >= 0 everywhere; E <= 2M^2 and E <= log(P)/beta + M^2/2 on the hull; sufficient decrease."""
    rng = np.random.default_rng(seed)
    beta = 10.0 ** logbeta
    X = scale * rng.standard_normal((P, N))
    M2 = m.max_norm(X) ** 2
    xi = scale * 3 * rng.standard_normal((8, N))
    e = m.energy(X, xi, beta)
    assert np.all(e >= -1e-12 * (1 + M2))
    w = rng.dirichlet(np.ones(P), size=8)
    h = w @ X
    eh = m.energy(X, h, beta)
    assert np.all(eh <= 2 * M2 + 1e-12 * (1 + M2))
    assert np.all(eh <= math.log(P) / beta + 0.5 * M2 + 1e-12 * (1 + M2))
    new = m.update(X, xi, beta)
    drop = e - m.energy(X, new, beta)
    assert np.all(drop >= 0.5 * np.sum((new - xi) ** 2, axis=1) - 1e-10 * (1 + M2 + np.sum(xi**2, axis=1)))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), P=st.integers(2, 6), N=st.integers(1, 5), logbeta=st.floats(-2, 2))
def test_jacobian_norm_bound(seed, P, N, logbeta):
    """||J||_2 <= beta * m_max^2 (Prop. 3.3, with <=)."""
    rng = np.random.default_rng(seed)
    beta = 10.0 ** logbeta
    X = rng.standard_normal((P, N))
    xi = 2 * rng.standard_normal((5, N))
    J = m.jacobian(X, xi, beta)
    norms = np.linalg.norm(J, ord=2, axis=(1, 2))
    assert np.all(norms <= beta * m.m_max_sq(X) * (1 + 1e-12) + 1e-14)


def test_benchmarks_quick_run():
    res = m.benchmarks(quick=True)
    assert len(res) == 2 and all(r.t_kernel > 0 and r.t_reference > 0 for r in res)


# ----------------------------------------------------------------------------- issue 7: input that overflows

@pytest.mark.parametrize("call, word", [
    (lambda X: m.retrieve(X * 1e160, X[0], 2.0), "X"),
    (lambda X: m.retrieve(X, X[0] * 1e200, 2.0), "xi0"),
    (lambda X: m.update(X * 1e160, X[0], 2.0), "X"),
    (lambda X: m.energy(X, X[0] * 1e160, 2.0), "xi"),
    (lambda X: m.energy_gaussian(X * 1e160, X[0], 2.0), "X"),
    (lambda X: m.jacobian(X * 1e160, X[0], 2.0), "X"),
    (lambda X: m.beta_threshold(X * 1e200), "X"),
    (lambda X: m.threshold_roots(X * 1e200), "X"),
    (lambda X: m.separation(X * 1e200), "X"),
    (lambda X: m.max_norm(X * 1e200), "X"),
    (lambda X: m.m_max_sq(X * 1e200), "X"),
    (lambda X: m.retrieve(X, X[0], 2.0, max_iter=2**63), "max_iter"),
])
def test_overflowing_input_is_refused(call, word):
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    with pytest.raises(ValueError, match=word):
        call(X)


def test_large_but_representable_input_is_finite():
    # squared norms 1e280 < 1e300: accepted, and the results are finite (no NaN) even at large beta
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]) * 1e140
    xi, _ = m.retrieve(X, X[0] * 0.9, 1e-270)
    assert np.all(np.isfinite(xi))
    assert np.isfinite(m.energy(X, X[1], 1e-270))
    b = m.beta_threshold(X)
    assert np.isfinite(b) and b > 0


def test_energy_gaussian_blocks_agree_with_one_shot():
    # the blocked distance computation equals the B x P x N broadcast of the definition
    gen = np.random.default_rng(12)
    X = gen.standard_normal((300, 40))
    Q = gen.standard_normal((200, 40))
    d2 = np.sum((Q[:, None, :] - X[None]) ** 2, -1)
    sq = np.sum(X * X, 1)
    expo = -0.5 * d2 - 0.5 * (sq.max() - sq)[None, :]
    beta = 0.7
    ref = -(np.log(np.mean(np.exp(beta * (expo - expo.max(1, keepdims=True))), 1)) / beta + expo.max(1))
    np.testing.assert_allclose(m.energy_gaussian(X, Q, beta), ref, rtol=1e-12, atol=1e-10)


# ----------------------------------------------------------------------------- valid extremes

def test_energy_at_small_beta_has_no_cancellation():
    # lse and log(P)/beta both grow like 1/beta; their difference is the mean overlap as beta -> 0
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    for beta in (5e-324, 1e-300, 1e-12):
        assert m.energy(X, [1.0, 0.0], beta) == pytest.approx(0.5, rel=1e-12)
        assert m.energy_gaussian(X, [1.0, 0.0], beta) == pytest.approx(0.5, rel=1e-12)
    assert m.energy(X, [1.0, 0.0], 1e-5) == pytest.approx(1.0 - math.log1p(math.expm1(1e-5) / 2) / 1e-5,
                                                          rel=1e-13)


def test_limits_and_tiny_separations_are_refused_naming_the_argument():
    with pytest.raises(ValueError, match="max_iter"):
        m.retrieve(np.ones((1000, 100)), np.zeros((1000, 100)), 1.0, max_iter=10**6)
    with pytest.raises(ValueError, match=r"\bxi\b"):
        m.jacobian(np.ones((1, 4000)), np.zeros((200, 4000)), 1.0)
    with pytest.raises(ValueError, match=r"\bX\b"):
        m.separation(np.zeros((20000, 1)))
    with pytest.raises(ValueError, match="delta"):
        m.threshold_roots(np.eye(2), delta=5e-324)
