"""Tests of attractors.meanfield: analytic limits, brute-force enumeration, exact chains, bad inputs."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import erf

from attractors import hopfield as hf
from attractors import meanfield as mf


# ----------------------------------------------------------------------------- Curie-Weiss

def test_curie_weiss_solves_equation_and_limits():
    for beta in (0.5, 1.0, 1.01, 1.5, 3.0, 30.0):
        m = mf.curie_weiss(beta)
        assert abs(m - math.tanh(beta * m)) < 1e-14
        assert (m > 0) == (beta > 1)
    assert mf.curie_weiss(np.inf) == 1.0
    for beta, h in ((0.5, 0.2), (2.0, 0.1), (2.0, -0.3), (0.1, -2.0)):
        m = mf.curie_weiss(beta, 1.0, h)
        assert abs(m - math.tanh(beta * (m + h))) < 1e-14
        assert np.sign(m) == np.sign(h)
    # sqrt law: m^2 / (1 - T) -> 3 (J = 1) near T_c
    for eps in (1e-4, 1e-6):
        m = mf.curie_weiss(1.0 / (1.0 - eps))
        assert abs(m ** 2 / eps - 3.0) < 10 * eps


def test_curie_weiss_is_global_minimum_of_landau():
    for beta, h in ((0.7, 0.0), (1.8, 0.0), (1.8, 0.05), (3.0, -0.2)):
        grid = np.linspace(-1, 1, 200001)
        f = mf.curie_weiss_free_energy(grid, beta, 1.0, h)
        m = mf.curie_weiss(beta, 1.0, h)
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
    m, p = mf.curie_weiss_exact(N, beta, J, h)
    ref = np.array([probs[M] / Z for M in range(-N, N + 1, 2)])
    assert np.allclose(m, np.arange(-N, N + 1, 2) / N)
    assert np.allclose(p, ref, rtol=1e-12, atol=0)
    a, q = mf.curie_weiss_exact_moments(N, beta, J, h)
    assert abs(a - np.sum(ref * np.abs(m))) < 1e-13 and abs(q - np.sum(ref * m * m)) < 1e-13


def test_curie_weiss_exact_extremes_and_tdl():
    m, p = mf.curie_weiss_exact(100000, 50.0)
    assert np.all(np.isfinite(p)) and abs(p.sum() - 1) < 1e-12
    m, p = mf.curie_weiss_exact(10, np.inf)
    assert p[0] == p[-1] == 0.5
    # <|m|> -> m* as N grows
    ms = mf.curie_weiss(1.5)
    errs = [abs(mf.curie_weiss_exact_moments(N, 1.5)[0] - ms) for N in (100, 1000, 10000)]
    assert errs[0] > errs[1] > errs[2] and errs[2] < 1e-3
    # f_N(m) -> f(m) with O(log N / N) error
    mm, fN = mf.curie_weiss_exact_free_energy(2000, 1.3)
    f = mf.curie_weiss_free_energy(mm, 1.3)
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
    got = mf.curie_weiss_escape_time(N, beta, 1.0, m_to)
    assert abs(got - E[-1] / N) < 1e-10 * E[-1]


def test_glauber_matrix_stationary_and_against_hopfield_chain():
    from attractors import hopfield as hf
    N, beta = 6, 1.3
    W = mf.curie_weiss_glauber_matrix(N, beta)
    assert np.allclose(W.sum(axis=1), 1.0, atol=1e-15) and np.all(W >= 0)
    m, p = mf.curie_weiss_exact(N, beta)
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
    assert mf.curie_weiss_barrier(0.9) == 0.0
    assert mf.curie_weiss_free_energy(0.0, 2.0) == pytest.approx(-math.log(2) / 2)
    assert mf.curie_weiss_free_energy(1.0, np.inf) == -0.5
    assert mf.curie_weiss_barrier(1.5) > 0


@pytest.mark.parametrize("call, name", [
    (lambda: mf.curie_weiss(-1.0), "beta"),
    (lambda: mf.curie_weiss(1.0, J=0.0), "J"),
    (lambda: mf.curie_weiss(1.0, h=np.nan), "h"),
    (lambda: mf.curie_weiss_free_energy([1.5], 1.0), "m"),
    (lambda: mf.curie_weiss_exact(0, 1.0), "N"),
    (lambda: mf.curie_weiss_exact(3.5, 1.0), "N"),
    (lambda: mf.mixture(0, 2.0), "n"),
    (lambda: mf.mixture_hessian(3, 2.0, 2), "n"),
    (lambda: mf.retrieval_rs(-0.1, 2.0), "alpha"),
    (lambda: mf.retrieval_rs(0.1, "x"), "beta"),
    (lambda: mf.sign_vectors(25), "P"),
    (lambda: mf.gauss_tanh(0.1, -1.0, 2.0), "sigma"),
])
def test_bad_inputs_name_argument(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


# ----------------------------------------------------------------------------- low load

def test_sign_vectors_and_lowload_reduce_to_curie_weiss():
    X = mf.sign_vectors(3)
    assert X.shape == (8, 3) and len({tuple(r) for r in X}) == 8
    ms = mf.curie_weiss(2.0)
    F = mf.lowload_map([ms, 0.0, 0.0], 2.0)
    assert np.allclose(F, [ms, 0, 0], atol=1e-14)


def test_mixture_values():
    # T = 0: m_n = E|S|/n; m_3 = 1/2, m_5 = 3/8
    assert mf.mixture(3, np.inf) == pytest.approx(0.5, abs=1e-15)
    assert mf.mixture(5, np.inf) == pytest.approx(0.375, abs=1e-15)
    for n in (1, 2, 3, 4, 5):
        for beta in (1.2, 2.0, 10.0):
            mn = mf.mixture(n, beta)
            F = mf.lowload_map(np.r_[np.full(n, mn), 0.0], beta)
            assert np.allclose(F, np.r_[np.full(n, mn), 0.0], atol=1e-13)
    assert mf.mixture(3, 0.99) == 0.0
    assert mf.mixture(1, 2.0) == pytest.approx(mf.curie_weiss(2.0), abs=1e-14)


def test_mixture_hessian_matches_enumeration_and_finite_differences():
    for n, beta, P in ((3, 2.5, 5), (2, 3.0, 4), (1, 1.7, 3), (5, 4.0, 6)):
        mn = mf.mixture(n, beta)
        m = np.r_[np.full(n, mn), np.zeros(P - n)]
        H = mf.lowload_hessian(m, beta)
        assert np.allclose(np.sort(np.linalg.eigvalsh(H)), mf.mixture_hessian(n, beta, P), atol=1e-12)
        # finite differences of the free energy
        eps = 1e-4
        Hfd = np.zeros((P, P))
        for i in range(P):
            for j in range(P):
                e_i = np.eye(P)[i] * eps
                e_j = np.eye(P)[j] * eps
                Hfd[i, j] = (mf.lowload_free_energy(m + e_i + e_j, beta) - mf.lowload_free_energy(m + e_i - e_j, beta)
                             - mf.lowload_free_energy(m - e_i + e_j, beta)
                             + mf.lowload_free_energy(m - e_i - e_j, beta)) / (4 * eps * eps)
        assert np.allclose(Hfd, H, atol=1e-6)


def test_mixture_stability_temperatures():
    T3 = mf.mixture_stability_temperature(3)
    T5 = mf.mixture_stability_temperature(5)
    assert 0.44 < T3 < 0.48 and 0.37 < T5 < 0.40 and T5 < T3
    assert math.isnan(mf.mixture_stability_temperature(2))
    assert math.isnan(mf.mixture_stability_temperature(4))
    assert mf.mixture_hessian(3, 1 / (T3 - 0.01), 4)[0] > 0 > mf.mixture_hessian(3, 1 / (T3 + 0.01), 4)[0]


def test_lowload_fixed_point_contracts_above_tc():
    rng = np.random.default_rng(0)
    for _ in range(5):
        m, it = mf.lowload_fixed_point(rng.uniform(-1, 1, 4), 0.8, damping=1.0)
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
    assert mf.hopfield_p2_free_energy_exact(N, beta) == pytest.approx(np.mean(vals), abs=1e-12)


# ----------------------------------------------------------------------------- Gaussian averages, AGS

def test_gauss_tanh_against_fine_trapezoid():
    z = np.linspace(-14, 14, 400001)
    g = np.exp(-z ** 2 / 2) / math.sqrt(2 * math.pi)
    for a, s, b in ((0.9, 0.35, 100.0), (0.3, 1.2, 2.0), (-0.2, 0.5, 3.0), (0.5, 2.0, 0.1), (0.9, 0.01, 3.0)):
        t, s2 = mf.gauss_tanh(a, s, b)
        assert abs(t - np.trapezoid(g * np.tanh(b * (a + s * z)), z)) < 1e-10
        assert abs(s2 - np.trapezoid(g / np.cosh(np.minimum(np.abs(b * (a + s * z)), 300)) ** 2, z)) < 1e-10
    t, s2 = mf.gauss_tanh(0.5, 0.5, np.inf)
    assert t == pytest.approx(erf(1 / math.sqrt(2))) and s2 == 0


def test_retrieval_rs_zero_temperature():
    ac = mf.critical_load()
    assert 0.1375 < ac < 0.1385
    m, q, r = mf.retrieval_rs(0.1, np.inf)
    C = 1 - 1 / math.sqrt(r)
    assert abs(m - erf(m / math.sqrt(2 * 0.1 * r))) < 1e-12
    assert abs(C - math.sqrt(2 / (math.pi * 0.1 * r)) * math.exp(-m * m / (2 * 0.1 * r))) < 1e-12
    assert all(math.isnan(v) for v in mf.retrieval_rs(ac + 1e-3, np.inf))
    assert not math.isnan(mf.retrieval_rs(ac - 1e-3, np.inf)[0])
    # low temperature approaches T = 0
    mT, qT, rT = mf.retrieval_rs(0.1, 1e4)
    assert abs(mT - m) < 1e-6 and abs(rT - r) < 1e-4


def test_retrieval_rs_finite_temperature_solves_equations():
    for alpha, beta in ((0.05, 2.5), (0.1, 4.0), (0.02, 1.5)):
        m, q, r = mf.retrieval_rs(alpha, beta)
        t, s2 = mf.gauss_tanh(m, math.sqrt(alpha * r), beta)
        assert abs(t - m) < 1e-10 and abs(1 - s2 - q) < 1e-10
        assert abs(r - q / (1 - beta * (1 - q)) ** 2) < 1e-10
    m, q, r = mf.retrieval_rs(0.0, 2.0)
    assert m == pytest.approx(mf.curie_weiss(2.0))
    assert math.isnan(mf.retrieval_rs(0.1, 1 / 0.6)[0])  # above T_M(0.1)


def test_retrieval_line_monotone():
    T = mf.retrieval_line([0.0, 0.02, 0.08])
    assert T[0] == 1.0 and T[0] > T[1] > T[2] > 0
    assert mf.retrieval_line(0.2) == 0.0


@settings(max_examples=25, deadline=None)
@given(st.floats(0.05, 5.0), st.floats(-1.0, 1.0))
def test_property_curie_weiss_odd_in_h_and_bounded(beta, h):
    m1 = mf.curie_weiss(beta, 1.0, h)
    m2 = mf.curie_weiss(beta, 1.0, -h)
    assert abs(m1) <= 1 and (h == 0 or m1 == -m2)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 7), st.floats(1.05, 20.0))
def test_property_mixture_fixed_point_and_bound(n, beta):
    mn = mf.mixture(n, beta)
    assert 0 < mn <= 1
    assert mn <= mf.mixture(n, np.inf) + 1e-12
    S = n - 2.0 * np.arange(n + 1)
    w = np.array([math.comb(n, k) for k in range(n + 1)]) / 2 ** n
    assert abs(np.sum(w * S * np.tanh(beta * mn * S)) / n - mn) < 1e-12


def test_benchmarks_empty():
    assert mf.benchmarks(quick=True) == []


# ---------------------------------------------------------------------------- bad input (issue 7)

def test_retrieval_line_tiny_tol_terminates():
    import time
    t0 = time.process_time()
    T = mf.retrieval_line(0.05, tol=1e-300)      # used to loop forever: hi - lo never reaches 1e-300
    assert time.process_time() - t0 < 30
    assert abs(T - mf.retrieval_line(0.05, tol=1e-6)) < 2e-6
    with pytest.raises(ValueError, match="tol"):
        mf.retrieval_line(0.05, tol=2.0)
    with pytest.raises(ValueError, match="tol"):
        mf.retrieval_line(0.05, tol=float("nan"))


def test_mixture_stability_temperature_large_P_and_bad_t_min():
    T3 = mf.mixture_stability_temperature(3)
    assert mf.mixture_stability_temperature(3, P=10**8) == T3      # P only sets multiplicities
    with pytest.raises(ValueError, match="t_min"):
        mf.mixture_stability_temperature(3, t_min=1.5)
    with pytest.raises(ValueError, match="t_min"):
        mf.mixture_stability_temperature(3, t_min=0.999)
    with pytest.raises(ValueError, match="P"):
        mf.mixture_stability_temperature(3, P=2)
    with pytest.raises(ValueError, match="P must be <="):
        mf.mixture_hessian(3, 2.0, 10**9)


def test_glauber_matrix_sparse_for_large_N():
    W = mf.curie_weiss_glauber_matrix(30000, 1.0, sparse=True)
    assert W.shape == (30001, 30001) and W.nnz <= 3 * 30001
    assert np.allclose(np.asarray(W.sum(axis=1)).ravel(), 1.0, atol=1e-14)
    with pytest.raises(ValueError, match="N must be <="):
        mf.curie_weiss_glauber_matrix(30000, 1.0)
    Wd = mf.curie_weiss_glauber_matrix(40, 1.3)
    assert np.array_equal(Wd, mf.curie_weiss_glauber_matrix(40, 1.3, sparse=True).toarray())
    with pytest.raises(TypeError, match="sparse"):
        mf.curie_weiss_glauber_matrix(40, 1.3, sparse="yes")


def test_size_arguments_are_capped():
    for f in (mf.curie_weiss_exact, mf.curie_weiss_exact_moments, mf.curie_weiss_exact_free_energy):
        with pytest.raises(ValueError, match="N must be <="):
            f(2**62, 1.0)
    with pytest.raises(ValueError, match="N must be <="):
        mf.curie_weiss_escape_time(2**62, 1.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="n must be <="):
        mf.mixture(10**9, 2.0)
    with pytest.raises(ValueError, match="max_iter"):
        mf.lowload_fixed_point([0.5, 0.1], 2.0, max_iter=2**62)


def test_p2_free_energy_samples_consistent_and_brute_force():
    f, a, p, fa = mf.hopfield_p2_free_energy_exact(10, 1.7, samples=True)
    assert abs(p.sum() - 1) < 1e-14 and abs(np.sum(p * fa) - f) < 1e-14
    assert f == mf.hopfield_p2_free_energy_exact(10, 1.7)
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
        mf.hopfield_p2_free_energy_exact(10, 1.7, samples=1)
    with pytest.raises(ValueError, match="N must be <= 1000"):
        mf.hopfield_p2_free_energy_exact(1001, 1.7)


# ----------------------------------------------------------------------------- phase diagram, signal to noise

def test_retrieval_line_reentrance():
    # alpha just above alpha_c(0): no retrieval at T = 0, a window at low T (re-entrant T_M)
    a = 0.1381
    assert a > mf.critical_load()
    assert not np.isfinite(mf.retrieval_rs(a, np.inf)[0])
    lo = mf.retrieval_line(a, tol=2e-3, lower=True)
    hi = mf.retrieval_line(a, tol=2e-3)
    assert 0.005 < lo < hi < 0.06
    assert np.isfinite(mf.retrieval_rs(a, 2.0 / (lo + hi))[0])
    # far beyond: nothing; below alpha_c(0): lower edge 0
    assert mf.retrieval_line(0.15) == 0.0 and mf.retrieval_line(0.15, lower=True) == 0.0
    assert mf.retrieval_line(0.05, lower=True) == 0.0
    with pytest.raises(TypeError, match="lower"):
        mf.retrieval_line(0.05, lower="yes")


def test_rs_free_energy_stationary_and_zero_temperature_limit():
    # f at the RS solution is stationary in m: perturbing m (with q, r fixed) changes f only at second order
    a, b = 0.05, 4.0
    f, m, q, r = mf.rs_free_energy(a, b)
    eps = 1e-4
    fp, fm = mf._f_rs(m + eps, q, r, a, b), mf._f_rs(m - eps, q, r, a, b)
    assert abs(fp - fm) / (2 * eps) < 1e-6
    # alpha -> 0 limit: Curie-Weiss f = m^2/2 - T log 2cosh(beta m)
    f0, m0, _, _ = mf.rs_free_energy(1e-9, 2.0)
    mcw = mf.curie_weiss(2.0)
    assert abs(f0 - (mcw ** 2 / 2 - math.log(2 * math.cosh(2 * mcw)) / 2)) < 1e-6
    # T -> 0: finite-T free energies approach the T = 0 formulas (retrieval and spin glass) like T or T^2
    # (the RS spin glass keeps a non-zero entropy at T = 0; the retrieval state's is exponentially small)
    for state in ("retrieval", "spin_glass"):
        f_inf = mf.rs_free_energy(0.05, np.inf, state)[0]
        d1 = mf.rs_free_energy(0.05, 1 / 0.004, state)[0] - f_inf
        d2 = mf.rs_free_energy(0.05, 1 / 0.002, state)[0] - f_inf
        assert abs(d2) < 1e-3 and 1.9 < d1 / d2 < 4.1
    # paramagnet above T_g and its closed form
    f_p, m_p, q_p, _ = mf.rs_free_energy(0.05, 0.5, "spin_glass")
    assert q_p == 0.0 and m_p == 0.0
    assert abs(f_p - (0.025 + 0.05 * math.log(0.5) - 2 * math.log(2))) < 1e-12
    with pytest.raises(ValueError, match="alpha"):
        mf.rs_free_energy(0.2, np.inf)                    # beyond alpha_c: no retrieval state
    with pytest.raises(ValueError, match="alpha"):
        mf.rs_free_energy(101.0, 2.0, "spin_glass")
    for a, b in ((100.0, 1e300), (3.0, 3.0), (100.0, 1e-3)):
        assert np.all(np.isfinite(mf.rs_free_energy(a, b, "spin_glass")))
    with pytest.raises(ValueError, match="state"):
        mf.rs_free_energy(0.05, 2.0, "mixture")
    with pytest.raises(ValueError, match="alpha"):
        mf.rs_free_energy(float("nan"), 2.0)


def test_spin_glass_solution_solves_equation():
    for a, T in ((0.05, 0.5), (0.1, 1.2), (0.02, 0.05)):
        f, m, q, r = mf.rs_free_energy(a, 1 / T, "spin_glass")
        _, s2 = mf.gauss_tanh(0.0, math.sqrt(a * r), 1 / T)
        assert q > 0 and abs(1 - s2 - q) < 1e-10 and abs(r - q / (1 - (1 - q) / T) ** 2) < 1e-8 * r


def test_global_minimum_load_against_slow_path():
    # T = 0: crossing of the closed-form free energies
    ag = mf.global_minimum_load()
    assert 0.05 < ag < 0.053
    assert mf.rs_free_energy(ag - 1e-3, np.inf)[0] < mf.rs_free_energy(ag - 1e-3, np.inf, "spin_glass")[0]
    assert mf.rs_free_energy(ag + 1e-3, np.inf)[0] > mf.rs_free_energy(ag + 1e-3, np.inf, "spin_glass")[0]
    # finite T: compare the fast iteration with the scan of retrieval_rs on both sides of the crossing
    T = 0.35
    agT = mf.global_minimum_load(1 / T, tol=1e-5)
    for a, sign in ((agT - 5e-4, -1), (agT + 5e-4, 1)):
        m, q, r = mf.retrieval_rs(a, 1 / T)
        f_slow = mf._f_rs(m, q, r, a, 1 / T)
        assert np.sign(f_slow - mf.rs_free_energy(a, 1 / T, "spin_glass")[0]) == sign
        assert abs(f_slow - mf.rs_free_energy(a, 1 / T)[0]) < 1e-9
    with pytest.raises(ValueError, match="beta"):
        mf.global_minimum_load(0.9)
    with pytest.raises(ValueError, match="tol"):
        mf.global_minimum_load(2.0, tol=0.5)


def test_replicon_and_at_line_low_temperature_form():
    for a in (0.06, 0.08):
        TR = mf.at_temperature(a, tol=1e-10)
        m, _, r = mf.retrieval_rs(a, np.inf)
        pred = 4 / (3 * math.sqrt(2 * math.pi)) * math.sqrt(a * r) * math.exp(-m * m / (2 * a * r))
        assert abs(TR / pred - 1) < 1e-3
        assert mf.replicon(a, 1 / (0.5 * TR)) < 0 < mf.replicon(a, 1 / (2 * TR))
    assert mf.at_temperature(0.02) == 0.0                 # T_R ~ e^{-25}: below the 1e-6 floor
    with pytest.raises(ValueError, match="alpha"):
        mf.at_temperature(0.2)
    with pytest.raises(ValueError, match="alpha"):
        mf.replicon(0.2, 10.0)
    with pytest.raises(ValueError, match="beta"):
        mf.replicon(0.1, 0.5)
    with pytest.raises(ValueError, match="beta"):
        mf.replicon(0.1, np.inf)
    with pytest.raises(ValueError, match="tol"):
        mf.at_temperature(0.1, tol=1.0)


def test_crosstalk_error_probability_against_enumeration_and_gaussian():
    # brute force over the binomial: N = 7, P = 3 -> K = 12 fair signs, unstable if S <= -6
    from itertools import product
    K, N = 12, 7
    cnt = sum(1 for s in product((-1, 1), repeat=K) if sum(s) <= -(N - 1))
    assert abs(mf.crosstalk_error_probability(N, 3) - cnt / 2 ** K) < 1e-15
    assert mf.crosstalk_error_probability(100, 1) == 0.0
    # Gaussian approximation Phi(-sqrt(N/P)) at large N
    from scipy.stats import norm
    p = mf.crosstalk_error_probability(20000, np.array([2000, 4000]))
    assert np.allclose(p, norm.cdf(-np.sqrt(20000 / np.array([2000, 4000]))), rtol=0.05)
    with pytest.raises(ValueError, match="P"):
        mf.crosstalk_error_probability(10, 11)
    with pytest.raises(ValueError, match="P"):
        mf.crosstalk_error_probability(10, [1.5])
    with pytest.raises(ValueError, match="N"):
        mf.crosstalk_error_probability(1, 1)


def test_perfect_recall_trials_against_direct_check():
    a, f = mf.perfect_recall_trials(60, 3, 11, max_patterns=30)
    b, g = mf.perfect_recall_trials(60, 3, 11, max_patterns=30)
    assert np.array_equal(a, b) and np.array_equal(f, g)          # same seed, same result
    assert np.all(a <= f) and np.all(a >= 1)
    # replay the same random stream and test stability with hebbian couplings directly
    rng = np.random.default_rng(11)
    for k in range(3):
        pats = []
        first_all = None
        for p in range(30):
            pats.append(2.0 * rng.integers(0, 2, size=60) - 1.0)
            xi = np.array(pats)
            stable = xi * (xi @ hf.hebbian(xi)) > 1e-12
            if first_all is None and not stable.all():
                first_all = p
            if not stable[0].all():
                break
        assert a[k] == first_all and f[k] == p
        # the kernel consumed exactly the patterns up to pattern 1's failure
    with pytest.raises(ValueError, match="max_patterns"):
        mf.perfect_recall_trials(10, 1, 0, max_patterns=11)
    with pytest.raises(ValueError, match="n_networks"):
        mf.perfect_recall_trials(10, 0, 0)
