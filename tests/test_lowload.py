"""Tests of attractors.lowload (Chapter 7, low load): exact pattern averages, mixture states, bad inputs."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attractors import curie_weiss as cw
from attractors import hopfield as hf
from attractors import lowload


def test_sign_vectors_and_lowload_reduce_to_curie_weiss():
    X = lowload.sign_vectors(3)
    assert X.shape == (8, 3) and len({tuple(r) for r in X}) == 8
    ms = cw.curie_weiss(2.0)
    F = lowload.lowload_map([ms, 0.0, 0.0], 2.0)
    assert np.allclose(F, [ms, 0, 0], atol=1e-14)


def test_mixture_values():
    # T = 0: m_n = E|S|/n; m_3 = 1/2, m_5 = 3/8
    assert lowload.mixture(3, np.inf) == pytest.approx(0.5, abs=1e-15)
    assert lowload.mixture(5, np.inf) == pytest.approx(0.375, abs=1e-15)
    for n in (1, 2, 3, 4, 5):
        for beta in (1.2, 2.0, 10.0):
            mn = lowload.mixture(n, beta)
            F = lowload.lowload_map(np.r_[np.full(n, mn), 0.0], beta)
            assert np.allclose(F, np.r_[np.full(n, mn), 0.0], atol=1e-13)
    assert lowload.mixture(3, 0.99) == 0.0
    assert lowload.mixture(1, 2.0) == pytest.approx(cw.curie_weiss(2.0), abs=1e-14)


def test_mixture_hessian_matches_enumeration_and_finite_differences():
    for n, beta, P in ((3, 2.5, 5), (2, 3.0, 4), (1, 1.7, 3), (5, 4.0, 6)):
        mn = lowload.mixture(n, beta)
        m = np.r_[np.full(n, mn), np.zeros(P - n)]
        H = lowload.lowload_hessian(m, beta)
        assert np.allclose(np.sort(np.linalg.eigvalsh(H)), lowload.mixture_hessian(n, beta, P), atol=1e-12)
        # finite differences of the free energy
        eps = 1e-4
        Hfd = np.zeros((P, P))
        for i in range(P):
            for j in range(P):
                e_i = np.eye(P)[i] * eps
                e_j = np.eye(P)[j] * eps
                Hfd[i, j] = (lowload.lowload_free_energy(m + e_i + e_j, beta) - lowload.lowload_free_energy(m + e_i - e_j, beta)
                             - lowload.lowload_free_energy(m - e_i + e_j, beta)
                             + lowload.lowload_free_energy(m - e_i - e_j, beta)) / (4 * eps * eps)
        assert np.allclose(Hfd, H, atol=1e-6)


def test_mixture_stability_temperatures():
    T3 = lowload.mixture_stability_temperature(3)
    T5 = lowload.mixture_stability_temperature(5)
    assert 0.44 < T3 < 0.48 and 0.37 < T5 < 0.40 and T5 < T3
    assert math.isnan(lowload.mixture_stability_temperature(2))
    assert math.isnan(lowload.mixture_stability_temperature(4))
    assert lowload.mixture_hessian(3, 1 / (T3 - 0.01), 4)[0] > 0 > lowload.mixture_hessian(3, 1 / (T3 + 0.01), 4)[0]


def test_mixture_stability_temperature_against_enumerated_hessian():
    # an independent computation: bisection on the sign of the smallest eigenvalue of the Hessian obtained by
    # enumerating the 2^P sign vectors (lowload_hessian), not from the closed form of mixture_hessian
    def bisect(n, P, lo=0.2, hi=0.9, tol=1e-9):
        def lam(T):
            m = np.r_[np.full(n, lowload.mixture(n, 1 / T)), np.zeros(P - n)]
            return np.linalg.eigvalsh(lowload.lowload_hessian(m, 1 / T))[0]
        while hi - lo > tol:
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if lam(mid) > 0 else (lo, mid)
        return 0.5 * (lo + hi)
    for n in (3, 5):
        assert abs(lowload.mixture_stability_temperature(n) - bisect(n, n + 1)) < 1e-8


def test_lowload_fixed_point_contracts_above_tc():
    rng = np.random.default_rng(0)
    for _ in range(5):
        m, it = lowload.lowload_fixed_point(rng.uniform(-1, 1, 4), 0.8, damping=1.0)
        assert np.max(np.abs(m)) < 1e-12


def test_p2_free_energy_brute_force():
    N, beta = 6, 1.4
    vals = []
    for x2 in itertools.product([-1, 1], repeat=N):
        xi = np.vstack([np.ones(N), np.array(x2, float)])
        J = xi.T @ xi / N
        np.fill_diagonal(J, 0)
        S = np.array(list(itertools.product([-1, 1], repeat=N)), float)
        E = -0.5 * np.einsum("ki,ij,kj->k", S, J, S)
        a = -beta * E
        vals.append(-(np.log(np.sum(np.exp(a - a.max()))) + a.max()) / (beta * N))
    # gauge: pattern 1 = all ones loses no generality
    assert lowload.hopfield_p2_free_energy_exact(N, beta) == pytest.approx(np.mean(vals), abs=1e-12)


@pytest.mark.parametrize("call, name", [
    (lambda: lowload.mixture(0, 2.0), "n"),
    (lambda: lowload.mixture_hessian(3, 2.0, 2), "n"),
    (lambda: lowload.sign_vectors(25), "P"),
])
def test_bad_inputs_name_argument(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 7), st.floats(1.05, 20.0))
def test_property_mixture_fixed_point_and_bound(n, beta):
    mn = lowload.mixture(n, beta)
    assert 0 < mn <= 1
    assert mn <= lowload.mixture(n, np.inf) + 1e-12
    S = n - 2.0 * np.arange(n + 1)
    w = np.array([math.comb(n, k) for k in range(n + 1)]) / 2 ** n
    assert abs(np.sum(w * S * np.tanh(beta * mn * S)) / n - mn) < 1e-12


def test_mixture_stability_temperature_large_P_and_bad_t_min():
    T3 = lowload.mixture_stability_temperature(3)
    assert lowload.mixture_stability_temperature(3, P=10**8) == T3      # P only sets multiplicities
    with pytest.raises(ValueError, match="t_min"):
        lowload.mixture_stability_temperature(3, t_min=1.5)
    with pytest.raises(ValueError, match="t_min"):
        lowload.mixture_stability_temperature(3, t_min=0.999)
    with pytest.raises(ValueError, match="P"):
        lowload.mixture_stability_temperature(3, P=2)
    with pytest.raises(ValueError, match="P must be <="):
        lowload.mixture_hessian(3, 2.0, 10**9)


def test_size_arguments_are_capped():
    with pytest.raises(ValueError, match="n must be <="):
        lowload.mixture(10**9, 2.0)
    with pytest.raises(ValueError, match="max_iter"):
        lowload.lowload_fixed_point([0.5, 0.1], 2.0, max_iter=2**62)


def test_p2_free_energy_samples_consistent_and_brute_force():
    f, a, p, fa = lowload.hopfield_p2_free_energy_exact(10, 1.7, samples=True)
    assert abs(p.sum() - 1) < 1e-14 and abs(np.sum(p * fa) - f) < 1e-14
    assert f == lowload.hopfield_p2_free_energy_exact(10, 1.7)
    # one pattern pair with a sites of eta = +1: brute force over all 2^10 states
    N, beta = 10, 1.7
    S = hf.all_states(N)
    for k, a_val in enumerate(a):
        xi1 = np.ones(N)
        xi2 = np.r_[np.ones(a_val), -np.ones(N - a_val)]
        E = hf.energy(hf.hebbian(np.vstack([xi1, xi2])), S)
        lz = np.logaddexp.reduce(-beta * E)
        assert abs(-lz / (beta * N) - fa[k]) < 1e-12
    with pytest.raises(TypeError, match="samples"):
        lowload.hopfield_p2_free_energy_exact(10, 1.7, samples=1)
    with pytest.raises(ValueError, match="N must be <= 10000"):
        lowload.hopfield_p2_free_energy_exact(10001, 1.7)


def test_benchmarks_empty():
    assert lowload.benchmarks(quick=True) == []


# ----------------------------------------------------------------------------- valid extremes

def test_mixture_keeps_full_precision_as_beta_tends_to_one():
    from decimal import Decimal, localcontext
    for n, beta in ((1, 1 + 1e-10), (3, 1 + 1e-10), (3, 1 + 1e-6), (4, 1 + 1e-12)):
        with localcontext() as ctx:
            ctx.prec = 50
            law = [(n - 2 * k, Decimal(math.comb(n, k)) / 2**n) for k in range(n + 1)]
            b = Decimal(beta)

            def tanh(x):
                if abs(x) < Decimal("1e-10"):
                    return x - x ** 3 / 3 + 2 * x ** 5 / 15
                return ((2 * x).exp() - 1) / ((2 * x).exp() + 1)

            def phi(m):
                return sum(w * S * tanh(b * m * S) for S, w in law) / (n * m) - 1
            lo, hi = Decimal("1e-300"), Decimal(1)
            for _ in range(400):
                mid = (lo * hi).sqrt() if hi / lo > 4 else (lo + hi) / 2
                lo, hi = (mid, hi) if phi(mid) > 0 else (lo, mid)
            ref = float(lo)
        assert abs(lowload.mixture(n, beta) - ref) <= 1e-13 * ref


def test_free_energies_do_not_overflow_at_huge_beta():
    # beta |u| overflowed: (inf + ...)/beta = inf
    assert lowload.lowload_free_energy([1e10, 0.0], 1e300) == pytest.approx(0.5e20 - 1e10, rel=1e-15)
    assert lowload.mixture_free_energy(3, 1.7e308) == pytest.approx(lowload.mixture_free_energy(3, np.inf), rel=1e-15)
    # P = 2 at beta = 1e306: ground-state energies (the exponents are shifted by their maximum)
    f = lowload.hopfield_p2_free_energy_exact(10, 1e306)
    ref = sum(math.comb(10, a) / 2**10 * (1 / 10 - (a * a + (10 - a) ** 2) / 100) for a in range(11))
    assert f == pytest.approx(ref, rel=1e-14)
    with pytest.raises(ValueError, match="beta"):
        lowload.hopfield_p2_free_energy_exact(10, 5e-324)


def test_work_limits_refuse_before_working():
    with pytest.raises(ValueError, match="max_iter"):
        lowload.lowload_fixed_point(np.full(20, 0.1), 2.0)          # 1e5 iterations over 2**20 sign vectors
    with pytest.raises(ValueError, match=r"\bm\b"):
        lowload.lowload_free_energy(np.zeros((200, 20)), 2.0)      # 200 x 2**20 overlaps: 1.6 GB
    with pytest.raises(ValueError, match=r"\bn\b"):
        lowload.mixture_stability_temperature(50000)
    with pytest.raises(ValueError, match="beta"):
        lowload.mixture(10**5, np.full(1000, 2.0))


def test_sign_vectors_rows_are_the_binary_digits():
    for P in (1, 4, 9):
        idx = np.arange(2**P)[:, None]
        assert np.array_equal(lowload.sign_vectors(P), 1.0 - 2.0 * ((idx >> np.arange(P)) & 1))


def test_mixture_stability_temperature_subnormal_t_min_is_refused_by_name():
    from attractors import lowload as _ll
    with pytest.raises(ValueError, match="t_min"):
        _ll.mixture_stability_temperature(3, t_min=5e-324)
