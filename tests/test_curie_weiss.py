"""Tests of attractors.curie_weiss (Chapter 6): analytic limits, brute-force enumeration, exact chains, bad inputs."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attractors import curie_weiss as cw


def test_curie_weiss_solves_equation_and_limits():
    for beta in (0.5, 1.0, 1.01, 1.5, 3.0, 30.0):
        m = cw.curie_weiss(beta)
        assert abs(m - math.tanh(beta * m)) < 1e-14
        assert (m > 0) == (beta > 1)
    assert cw.curie_weiss(np.inf) == 1.0
    for beta, h in ((0.5, 0.2), (2.0, 0.1), (2.0, -0.3), (0.1, -2.0)):
        m = cw.curie_weiss(beta, 1.0, h)
        assert abs(m - math.tanh(beta * (m + h))) < 1e-14
        assert np.sign(m) == np.sign(h)
    # sqrt law: m^2 / (1 - T) -> 3 (J = 1) near T_c
    for eps in (1e-4, 1e-6):
        m = cw.curie_weiss(1.0 / (1.0 - eps))
        assert abs(m ** 2 / eps - 3.0) < 10 * eps


def test_curie_weiss_is_global_minimum_of_landau():
    for beta, h in ((0.7, 0.0), (1.8, 0.0), (1.8, 0.05), (3.0, -0.2)):
        grid = np.linspace(-1, 1, 200001)
        f = cw.curie_weiss_free_energy(grid, beta, 1.0, h)
        m = cw.curie_weiss(beta, 1.0, h)
        if h == 0:
            assert abs(abs(grid[np.argmin(f)]) - m) < 2e-5
        else:
            assert abs(grid[np.argmin(f)] - m) < 2e-5


def test_curie_weiss_exact_brute_force():
    N, beta, J, h = 8, 0.8, 1.3, 0.1
    probs = {}
    Z = 0.0
    for s in itertools.product([-1, 1], repeat=N):
        s = np.array(s, float)
        H = -(J / (2 * N)) * (s.sum() ** 2 - N) - h * s.sum()
        w = math.exp(-beta * H)
        Z += w
        probs[s.sum()] = probs.get(s.sum(), 0.0) + w
    m, p = cw.curie_weiss_exact(N, beta, J, h)
    ref = np.array([probs[M] / Z for M in range(-N, N + 1, 2)])
    assert np.allclose(m, np.arange(-N, N + 1, 2) / N)
    assert np.allclose(p, ref, rtol=1e-12, atol=0)
    a, q = cw.curie_weiss_exact_moments(N, beta, J, h)
    assert abs(a - np.sum(ref * np.abs(m))) < 1e-13 and abs(q - np.sum(ref * m * m)) < 1e-13


def test_curie_weiss_exact_extremes_and_tdl():
    m, p = cw.curie_weiss_exact(100000, 50.0)
    assert np.all(np.isfinite(p)) and abs(p.sum() - 1) < 1e-12
    m, p = cw.curie_weiss_exact(10, np.inf)
    assert p[0] == p[-1] == 0.5
    # <|m|> -> m* as N grows
    ms = cw.curie_weiss(1.5)
    errs = [abs(cw.curie_weiss_exact_moments(N, 1.5)[0] - ms) for N in (100, 1000, 10000)]
    assert errs[0] > errs[1] > errs[2] and errs[2] < 1e-3
    # f_N(m) -> f(m) with O(log N / N) error
    mm, fN = cw.curie_weiss_exact_free_energy(2000, 1.3)
    f = cw.curie_weiss_free_energy(mm, 1.3)
    d = fN - f
    assert np.ptp(d[200:-200]) < 5 * math.log(2000) / 2000


def test_escape_time_matches_linear_solve():
    N, beta = 12, 1.6
    k = np.arange(N + 1)
    M = 2.0 * k - N
    p = (N - k) / N * 0.5 * (1 + np.tanh(beta * (M + 1) / N))
    q = k / N * 0.5 * (1 - np.tanh(beta * (M - 1) / N))
    target = 4  # absorb at k <= 4
    # E_k = 1 + p E_{k+1} + q E_{k-1} + (1-p-q) E_k for k > target, E_k = 0 for k <= target
    idx = np.arange(target + 1, N + 1)
    A = np.zeros((idx.size, idx.size))
    b = np.ones(idx.size)
    for r, kk in enumerate(idx):
        A[r, r] = p[kk] + q[kk]
        if kk + 1 <= N:
            A[r, r + 1] = -p[kk]
        if kk - 1 > target:
            A[r, r - 1] = -q[kk]
    E = np.linalg.solve(A, b)
    m_to = (2 * target - N) / N
    got = cw.curie_weiss_escape_time(N, beta, 1.0, m_to)
    assert abs(got - E[-1] / N) < 1e-10 * E[-1]


def test_glauber_matrix_stationary_and_against_hopfield_chain():
    from attractors import hopfield as hf
    N, beta = 6, 1.3
    W = cw.curie_weiss_glauber_matrix(N, beta)
    assert np.allclose(W.sum(axis=1), 1.0, atol=1e-15) and np.all(W >= 0)
    m, p = cw.curie_weiss_exact(N, beta)
    assert np.allclose(p @ W, p, atol=1e-14)
    # lump the full 2^N random-site Glauber chain onto k = number of up spins
    Jc = hf.hebbian(np.ones((1, N)))
    Wf = hf.transition_matrix(Jc, beta=beta)
    S = hf.all_states(N)
    k = ((S + 1) / 2).sum(axis=1).astype(int)
    for kk in range(N + 1):
        i = np.nonzero(k == kk)[0][0]
        row = np.bincount(k, weights=Wf[i], minlength=N + 1)
        assert np.allclose(row, W[kk], atol=1e-13)


def test_barrier_and_free_energy_values():
    assert cw.curie_weiss_barrier(0.9) == 0.0
    assert cw.curie_weiss_free_energy(0.0, 2.0) == pytest.approx(-math.log(2) / 2)
    assert cw.curie_weiss_free_energy(1.0, np.inf) == -0.5
    assert cw.curie_weiss_barrier(1.5) > 0


@pytest.mark.parametrize("call, name", [
    (lambda: cw.curie_weiss(-1.0), "beta"),
    (lambda: cw.curie_weiss(1.0, J=0.0), "J"),
    (lambda: cw.curie_weiss(1.0, h=np.nan), "h"),
    (lambda: cw.curie_weiss_free_energy([1.5], 1.0), "m"),
    (lambda: cw.curie_weiss_exact(0, 1.0), "N"),
    (lambda: cw.curie_weiss_exact(3.5, 1.0), "N"),
])
def test_bad_inputs_name_argument(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


@settings(max_examples=25, deadline=None)
@given(st.floats(0.05, 5.0), st.floats(-1.0, 1.0))
def test_property_curie_weiss_odd_in_h_and_bounded(beta, h):
    m1 = cw.curie_weiss(beta, 1.0, h)
    m2 = cw.curie_weiss(beta, 1.0, -h)
    assert abs(m1) <= 1 and (h == 0 or m1 == -m2)


def test_glauber_matrix_sparse_for_large_N():
    W = cw.curie_weiss_glauber_matrix(30000, 1.0, sparse=True)
    assert W.shape == (30001, 30001) and W.nnz <= 3 * 30001
    assert np.allclose(np.asarray(W.sum(axis=1)).ravel(), 1.0, atol=1e-14)
    with pytest.raises(ValueError, match="N must be <="):
        cw.curie_weiss_glauber_matrix(30000, 1.0)
    Wd = cw.curie_weiss_glauber_matrix(40, 1.3)
    assert np.array_equal(Wd, cw.curie_weiss_glauber_matrix(40, 1.3, sparse=True).toarray())
    with pytest.raises(TypeError, match="sparse"):
        cw.curie_weiss_glauber_matrix(40, 1.3, sparse="yes")


def test_size_arguments_are_capped():
    for f in (cw.curie_weiss_exact, cw.curie_weiss_exact_moments, cw.curie_weiss_exact_free_energy):
        with pytest.raises(ValueError, match="N must be <="):
            f(2**62, 1.0)
    with pytest.raises(ValueError, match="N must be <="):
        cw.curie_weiss_escape_time(2**62, 1.0, 1.0, 0.0)


def test_benchmarks_empty():
    assert cw.benchmarks(quick=True) == []


# ----------------------------------------------------------------------------- valid extremes (decimal references)

def _dec_root(beta, J=1.0, h=0.0):
    """Positive root of m = tanh(beta (J m + h)) in 50-digit decimals (geometric, then plain bisection)."""
    from decimal import Decimal, localcontext
    with localcontext() as ctx:
        ctx.prec = 50
        b, j, f = Decimal(beta), Decimal(J), Decimal(h)

        def tanh(x):
            if abs(x) < Decimal("1e-10"):
                return x - x ** 3 / 3 + 2 * x ** 5 / 15
            e = (2 * x).exp()
            return (e - 1) / (e + 1)

        def g(m):
            return tanh(b * (j * m + f)) - m if f else tanh(b * j * m) / m - 1
        lo, hi = Decimal("1e-300") if not f else Decimal(0), Decimal(1)
        for _ in range(400):
            mid = (lo * hi).sqrt() if lo > 0 and hi / lo > 4 else (lo + hi) / 2
            lo, hi = (mid, hi) if g(mid) > 0 else (lo, mid)
        return float((lo + hi) / 2)


def test_curie_weiss_keeps_full_precision_next_to_the_critical_point():
    # the residual tanh(y) - m cancels as m -> 0; it is evaluated as (tanh y - y) + (beta J - 1) m + beta h
    for beta, h in ((1 + 1e-6, 0.0), (1 + 1e-10, 0.0), (1 + 1e-13, 0.0), (1.0, 1e-30), (1.0, 1e-12), (2.0, 0.0)):
        ref = _dec_root(beta, 1.0, h)
        assert abs(cw.curie_weiss(beta, 1.0, h) - ref) <= 2e-15 * ref
        assert abs(cw.curie_weiss(beta, 1.0, -h) + ref) <= 2e-15 * ref if h else True


def test_barrier_keeps_relative_precision_as_beta_J_tends_to_one():
    from decimal import Decimal, localcontext
    for beta in (1 + 1e-3, 1 + 1e-5, 1 + 1e-7, 1 + 1e-12):
        with localcontext() as ctx:
            ctx.prec = 50
            m, T = Decimal(_dec_root(beta)), 1 / Decimal(beta)
            ref = float(m * m / 2 - T * ((1 + m) * (1 + m).ln() + (1 - m) * (1 - m).ln()) / 2)
        assert abs(cw.curie_weiss_barrier(beta) - ref) <= 1e-12 * ref


def test_exact_law_ground_states_are_decided_exactly_and_huge_beta_gives_no_nan():
    # a tolerance on the energy used to merge states whose energies differ by less than 1e-12
    _, p = cw.curie_weiss_exact(4, np.inf, 1e-20)
    assert np.array_equal(p, [0.5, 0, 0, 0, 0.5])
    _, p = cw.curie_weiss_exact(4, np.inf, 1.0, 1e-14)
    assert np.array_equal(p, [0, 0, 0, 0, 1.0])
    for beta in (1e300, 1e308):            # beta N e overflowed to inf - inf = NaN
        _, p = cw.curie_weiss_exact(10, beta)
        assert np.array_equal(p, [0.5] + [0.0] * 9 + [0.5])
        m, f = cw.curie_weiss_exact_free_energy(10, beta)
        assert np.all(np.isfinite(f)) and f[0] == f[-1] == -0.5


def test_escape_time_does_not_underflow_at_large_beta():
    # 1 - tanh(beta x) rounded to 0 for beta x > 19, giving log 0 and an infinite time
    from decimal import Decimal, localcontext
    N, beta = 10, 30.0
    with localcontext() as ctx:
        ctx.prec = 60
        b = Decimal(beta)
        lw = [Decimal(math.comb(N, k)).ln() + b * N * (Decimal(2 * k - N) / N) ** 2 / 2 for k in range(N + 1)]
        top = max(lw)
        pi = [(x - top).exp() for x in lw]
        total = Decimal(0)
        for k in range(N // 2 + 1, N + 1):
            y = b * Decimal(2 * k - N - 1) / N
            q = Decimal(k) / N / (1 + (2 * y).exp())
            total += sum(pi[k:]) / (pi[k] * q)
        ref = float(total / N)
    t = cw.curie_weiss_escape_time(N, beta, 1.0, 0.0)
    assert abs(t - ref) <= 1e-11 * ref
    with pytest.raises(ValueError, match="beta"):    # beyond 1.8e308 sweeps: refused, not inf
        cw.curie_weiss_escape_time(5000, 10.0, 1.0, -1.0)


def test_results_beyond_float_range_are_refused_naming_the_argument():
    with pytest.raises(ValueError, match="beta"):
        cw.curie_weiss_free_energy(0.5, 5e-324)
    with pytest.raises(ValueError, match="beta"):
        cw.curie_weiss_exact_free_energy(10, 5e-324)
    with pytest.raises(ValueError, match=r"\bh\b"):
        cw.curie_weiss(2.0, 1.0, 2**1024)
    with pytest.raises(ValueError, match="beta"):
        cw.curie_weiss([[1.0], [1.0, 2.0]])
    with pytest.raises(ValueError, match="N"):
        cw.curie_weiss_exact(cw.MAX_SIZE + 1, 1.0)


def test_glauber_rates_keep_relative_precision():
    W = cw.curie_weiss_glauber_matrix(4, 100.0)
    # up-rate from k = 0: (4/4) (1 + tanh(100 * (-3/4 + ... )))/2 = expit(2 beta f), f = (M + 1)/N = -3/4
    assert W[0, 1] == pytest.approx(1.0 / (1.0 + math.exp(150.0)), rel=1e-14)


def test_glauber_matrix_huge_beta_is_not_nan():
    P = cw.curie_weiss_glauber_matrix(1, 1.7e308)   # N = 1: zero field on the single spin
    assert np.allclose(P, 0.5)
    P = cw.curie_weiss_glauber_matrix(3, 1.7e308)
    assert np.all(np.isfinite(P)) and np.allclose(P.sum(axis=1), 1.0)
