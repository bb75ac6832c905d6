"""Tests of attractors.highload (Chapter 7, high load): Gaussian averages, AGS theory, signal to noise."""

import math

import numpy as np
import pytest
from scipy.special import erf

from attractors import curie_weiss as cw
from attractors import highload
from attractors import hopfield as hf


def test_gauss_tanh_against_fine_trapezoid():
    z = np.linspace(-14, 14, 400001)
    g = np.exp(-z ** 2 / 2) / math.sqrt(2 * math.pi)
    for a, s, b in ((0.9, 0.35, 100.0), (0.3, 1.2, 2.0), (-0.2, 0.5, 3.0), (0.5, 2.0, 0.1), (0.9, 0.01, 3.0)):
        t, s2 = highload.gauss_tanh(a, s, b)
        assert abs(t - np.trapezoid(g * np.tanh(b * (a + s * z)), z)) < 1e-10
        assert abs(s2 - np.trapezoid(g / np.cosh(np.minimum(np.abs(b * (a + s * z)), 300)) ** 2, z)) < 1e-10
    t, s2 = highload.gauss_tanh(0.5, 0.5, np.inf)
    assert t == pytest.approx(erf(1 / math.sqrt(2))) and s2 == 0


def test_retrieval_rs_zero_temperature():
    ac = highload.critical_load()
    assert 0.1375 < ac < 0.1385
    m, q, r = highload.retrieval_rs(0.1, np.inf)
    C = 1 - 1 / math.sqrt(r)
    assert abs(m - erf(m / math.sqrt(2 * 0.1 * r))) < 1e-12
    assert abs(C - math.sqrt(2 / (math.pi * 0.1 * r)) * math.exp(-m * m / (2 * 0.1 * r))) < 1e-12
    assert all(math.isnan(v) for v in highload.retrieval_rs(ac + 1e-3, np.inf))
    assert not math.isnan(highload.retrieval_rs(ac - 1e-3, np.inf)[0])
    # low temperature approaches T = 0
    mT, qT, rT = highload.retrieval_rs(0.1, 1e4)
    assert abs(mT - m) < 1e-6 and abs(rT - r) < 1e-4


def test_retrieval_rs_finite_temperature_solves_equations():
    for alpha, beta in ((0.05, 2.5), (0.1, 4.0), (0.02, 1.5)):
        m, q, r = highload.retrieval_rs(alpha, beta)
        t, s2 = highload.gauss_tanh(m, math.sqrt(alpha * r), beta)
        assert abs(t - m) < 1e-10 and abs(1 - s2 - q) < 1e-10
        assert abs(r - q / (1 - beta * (1 - q)) ** 2) < 1e-10
    m, q, r = highload.retrieval_rs(0.0, 2.0)
    assert m == pytest.approx(cw.curie_weiss(2.0))
    assert math.isnan(highload.retrieval_rs(0.1, 1 / 0.6)[0])  # above T_M(0.1)


def test_retrieval_line_monotone():
    T = highload.retrieval_line([0.0, 0.02, 0.08])
    assert T[0] == 1.0 and T[0] > T[1] > T[2] > 0
    assert highload.retrieval_line(0.2) == 0.0


@pytest.mark.parametrize("call, name", [
    (lambda: highload.retrieval_rs(-0.1, 2.0), "alpha"),
    (lambda: highload.retrieval_rs(0.1, "x"), "beta"),
    (lambda: highload.gauss_tanh(0.1, -1.0, 2.0), "sigma"),
])
def test_bad_inputs_name_argument(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


def test_retrieval_line_tiny_tol_terminates():
    import time
    t0 = time.process_time()
    T = highload.retrieval_line(0.05, tol=1e-300)      # used to loop forever: hi - lo never reaches 1e-300
    assert time.process_time() - t0 < 30
    assert abs(T - highload.retrieval_line(0.05, tol=1e-6)) < 2e-6
    with pytest.raises(ValueError, match="tol"):
        highload.retrieval_line(0.05, tol=2.0)
    with pytest.raises(ValueError, match="tol"):
        highload.retrieval_line(0.05, tol=float("nan"))


def test_retrieval_line_reentrance():
    # alpha just above alpha_c(0): no retrieval at T = 0, a window at low T (re-entrant T_M)
    a = 0.1381
    assert a > highload.critical_load()
    assert not np.isfinite(highload.retrieval_rs(a, np.inf)[0])
    lo = highload.retrieval_line(a, tol=2e-3, lower=True)
    hi = highload.retrieval_line(a, tol=2e-3)
    assert 0.005 < lo < hi < 0.06
    assert np.isfinite(highload.retrieval_rs(a, 2.0 / (lo + hi))[0])
    # far beyond: nothing; below alpha_c(0): lower edge 0
    assert highload.retrieval_line(0.15) == 0.0 and highload.retrieval_line(0.15, lower=True) == 0.0
    assert highload.retrieval_line(0.05, lower=True) == 0.0
    with pytest.raises(TypeError, match="lower"):
        highload.retrieval_line(0.05, lower="yes")


def test_rs_free_energy_stationary_and_zero_temperature_limit():
    # f at the RS solution is stationary in m: perturbing m (with q, r fixed) changes f only at second order
    a, b = 0.05, 4.0
    f, m, q, r = highload.rs_free_energy(a, b)
    eps = 1e-4
    fp, fm = highload._f_rs(m + eps, q, r, a, b), highload._f_rs(m - eps, q, r, a, b)
    assert abs(fp - fm) / (2 * eps) < 1e-6
    # alpha -> 0 limit: Curie-Weiss f = m^2/2 - T log 2cosh(beta m)
    f0, m0, _, _ = highload.rs_free_energy(1e-9, 2.0)
    mcw = cw.curie_weiss(2.0)
    assert abs(f0 - (mcw ** 2 / 2 - math.log(2 * math.cosh(2 * mcw)) / 2)) < 1e-6
    # T -> 0: finite-T free energies approach the T = 0 formulas (retrieval and spin glass) like T or T^2
    # (the RS spin glass keeps a non-zero entropy at T = 0; the retrieval state's is exponentially small)
    for state in ("retrieval", "spin_glass"):
        f_inf = highload.rs_free_energy(0.05, np.inf, state)[0]
        d1 = highload.rs_free_energy(0.05, 1 / 0.004, state)[0] - f_inf
        d2 = highload.rs_free_energy(0.05, 1 / 0.002, state)[0] - f_inf
        assert abs(d2) < 1e-3 and 1.9 < d1 / d2 < 4.1
    # paramagnet above T_g and its closed form
    f_p, m_p, q_p, _ = highload.rs_free_energy(0.05, 0.5, "spin_glass")
    assert q_p == 0.0 and m_p == 0.0
    assert abs(f_p - (0.025 + 0.05 * math.log(0.5) - 2 * math.log(2))) < 1e-12
    with pytest.raises(ValueError, match="alpha"):
        highload.rs_free_energy(0.2, np.inf)                    # beyond alpha_c: no retrieval state
    with pytest.raises(ValueError, match="alpha"):
        highload.rs_free_energy(101.0, 2.0, "spin_glass")
    for a, b in ((100.0, 1e300), (3.0, 3.0), (100.0, 1e-3)):
        assert np.all(np.isfinite(highload.rs_free_energy(a, b, "spin_glass")))
    with pytest.raises(ValueError, match="state"):
        highload.rs_free_energy(0.05, 2.0, "mixture")
    with pytest.raises(ValueError, match="alpha"):
        highload.rs_free_energy(float("nan"), 2.0)


def test_spin_glass_solution_solves_equation():
    for a, T in ((0.05, 0.5), (0.1, 1.2), (0.02, 0.05)):
        f, m, q, r = highload.rs_free_energy(a, 1 / T, "spin_glass")
        _, s2 = highload.gauss_tanh(0.0, math.sqrt(a * r), 1 / T)
        assert q > 0 and abs(1 - s2 - q) < 1e-10 and abs(r - q / (1 - (1 - q) / T) ** 2) < 1e-8 * r


def test_global_minimum_load_against_slow_path():
    # T = 0: crossing of the closed-form free energies
    ag = highload.global_minimum_load()
    assert 0.05 < ag < 0.053
    assert highload.rs_free_energy(ag - 1e-3, np.inf)[0] < highload.rs_free_energy(ag - 1e-3, np.inf, "spin_glass")[0]
    assert highload.rs_free_energy(ag + 1e-3, np.inf)[0] > highload.rs_free_energy(ag + 1e-3, np.inf, "spin_glass")[0]
    # finite T: compare the fast iteration with the scan of retrieval_rs on both sides of the crossing
    T = 0.35
    agT = highload.global_minimum_load(1 / T, tol=1e-5)
    for a, sign in ((agT - 5e-4, -1), (agT + 5e-4, 1)):
        m, q, r = highload.retrieval_rs(a, 1 / T)
        f_slow = highload._f_rs(m, q, r, a, 1 / T)
        assert np.sign(f_slow - highload.rs_free_energy(a, 1 / T, "spin_glass")[0]) == sign
        assert abs(f_slow - highload.rs_free_energy(a, 1 / T)[0]) < 1e-9
    with pytest.raises(ValueError, match="beta"):
        highload.global_minimum_load(0.9)
    with pytest.raises(ValueError, match="tol"):
        highload.global_minimum_load(2.0, tol=0.5)


def test_replicon_and_at_line_low_temperature_form():
    for a in (0.06, 0.08):
        TR = highload.at_temperature(a, tol=1e-10)
        m, _, r = highload.retrieval_rs(a, np.inf)
        pred = 4 / (3 * math.sqrt(2 * math.pi)) * math.sqrt(a * r) * math.exp(-m * m / (2 * a * r))
        assert abs(TR / pred - 1) < 1e-3
        assert highload.replicon(a, 1 / (0.5 * TR)) < 0 < highload.replicon(a, 1 / (2 * TR))
    assert highload.at_temperature(0.02) == 0.0                 # T_R ~ e^{-25}: below the 1e-6 floor
    with pytest.raises(ValueError, match="alpha"):
        highload.at_temperature(0.2)
    with pytest.raises(ValueError, match="alpha"):
        highload.replicon(0.2, 10.0)
    with pytest.raises(ValueError, match="beta"):
        highload.replicon(0.1, 0.5)
    with pytest.raises(ValueError, match="beta"):
        highload.replicon(0.1, np.inf)
    with pytest.raises(ValueError, match="tol"):
        highload.at_temperature(0.1, tol=1.0)


def test_crosstalk_error_probability_against_enumeration_and_gaussian():
    # brute force over the binomial: N = 7, P = 3 -> K = 12 fair signs, unstable if S <= -6
    from itertools import product
    K, N = 12, 7
    cnt = sum(1 for s in product((-1, 1), repeat=K) if sum(s) <= -(N - 1))
    assert abs(highload.crosstalk_error_probability(N, 3) - cnt / 2 ** K) < 1e-15
    assert highload.crosstalk_error_probability(100, 1) == 0.0
    # Gaussian approximation Phi(-sqrt(N/P)) at large N
    from scipy.stats import norm
    p = highload.crosstalk_error_probability(20000, np.array([2000, 4000]))
    assert np.allclose(p, norm.cdf(-np.sqrt(20000 / np.array([2000, 4000]))), rtol=0.05)
    with pytest.raises(ValueError, match="P"):
        highload.crosstalk_error_probability(10, 11)
    with pytest.raises(ValueError, match="P"):
        highload.crosstalk_error_probability(10, [1.5])
    with pytest.raises(ValueError, match="N"):
        highload.crosstalk_error_probability(1, 1)


def test_perfect_recall_trials_against_direct_check():
    a, f = highload.perfect_recall_trials(60, 3, 11, max_patterns=30)
    b, g = highload.perfect_recall_trials(60, 3, 11, max_patterns=30)
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
        highload.perfect_recall_trials(10, 1, 0, max_patterns=11)
    with pytest.raises(ValueError, match="n_networks"):
        highload.perfect_recall_trials(10, 0, 0)


def test_zero_temperature_retrieval_fixed_points_and_law():
    # same seed, same result; shapes; overlaps are multiples of 2/N in [-1, 1]
    a = highload.zero_temperature_retrieval(40, 8, 3, 5, n_starts=4)
    b = highload.zero_temperature_retrieval(40, 8, 3, 5, n_starts=4)
    assert a.shape == (3, 4) and np.array_equal(a, b)
    assert np.all(np.abs(a) <= 1) and np.allclose(a * 40 / 2, np.round(a * 40 / 2))
    # the event-driven descent ends in a fixed point of hopfield.run at T = 0, with an energy no higher
    rng = np.random.default_rng(3)
    for _ in range(20):
        xi = 2.0 * rng.integers(0, 2, size=(9, 40)) - 1.0
        J = hf.hebbian(xi)
        K = xi.T @ xi
        np.fill_diagonal(K, 0.0)
        s = xi[0].copy()
        highload._zero_t_descent(K, s, rng, 10_000)
        assert np.array_equal(hf.run(J, s, beta=np.inf, sweeps=5, rng=rng), s)
        assert hf.energy(J, s) <= hf.energy(J, xi[0]) + 1e-12
    # a stable pattern is left alone: one pattern is always retrieved exactly
    assert np.all(highload.zero_temperature_retrieval(30, 1, 4, 0, n_starts=1) == 1.0)
    # the law of the final state equals that of hopfield.run run to a fixed point (small network, chi-square)
    rng = np.random.default_rng(8)
    while True:                                          # an instance whose descent has several end states
        xi = 2.0 * rng.integers(0, 2, size=(5, 12)) - 1.0
        K = xi.T @ xi
        np.fill_diagonal(K, 0.0)
        trial = set()
        for _ in range(40):
            s = xi[0].copy()
            highload._zero_t_descent(K, s, rng, 10_000)
            trial.add(tuple(s))
        if len(trial) >= 2:
            break
    J = hf.hebbian(xi)
    ends_event, ends_run = {}, {}
    for _ in range(600):
        s = xi[0].copy()
        highload._zero_t_descent(K, s, rng, 10_000)
        ends_event[tuple(s)] = ends_event.get(tuple(s), 0) + 1
        t = hf.run(J, xi[0], beta=np.inf, sweeps=60, rng=rng)
        ends_run[tuple(t)] = ends_run.get(tuple(t), 0) + 1
    keys = sorted(set(ends_event) | set(ends_run))
    assert len(keys) >= 2
    e = np.array([ends_event.get(k, 0) for k in keys], float)
    r = np.array([ends_run.get(k, 0) for k in keys], float)
    chi2 = float(np.sum((e - r) ** 2 / np.maximum(e + r, 1)))    # two-sample chi-square, len(keys) - 1 dof
    assert chi2 < len(keys) - 1 + 6 * np.sqrt(2 * (len(keys) - 1)) + 10
    with pytest.raises(ValueError, match="n_starts"):
        highload.zero_temperature_retrieval(10, 2, 1, 0, n_starts=3)
    with pytest.raises(ValueError, match="P"):
        highload.zero_temperature_retrieval(10, 11, 1, 0)


def test_benchmarks_empty():
    assert highload.benchmarks(quick=True) == []


# ----------------------------------------------------------------------------- valid extremes

def test_perfect_recall_counts_ties_as_unstable():
    # the newest pattern's field carried one extra self-term (N - p instead of N - p - 1), so a bit with
    # zero crosstalk margin counted as stable; replay the draws and test every count by brute force
    def stable(xi, rows):
        J = xi.T @ xi
        np.fill_diagonal(J, 0)
        return bool(np.all(xi[rows] * (xi[rows] @ J) > 0))
    for seed in range(120):
        N = (16, 5, 40)[seed % 3]
        a, f = highload.perfect_recall_trials(N, 1, seed)
        gen = np.random.default_rng(seed)
        n_draw = min(int(f[0]) + 1, N)
        xi = np.array([2.0 * gen.integers(0, 2, size=N) - 1.0 for _ in range(n_draw)])
        k, k1 = int(a[0]), int(f[0])
        assert k == 0 or stable(xi[:k], slice(None))
        assert k >= n_draw or not stable(xi[:k + 1], slice(None))
        assert stable(xi[:k1], slice(0, 1)) and (k1 >= n_draw or not stable(xi[:k1 + 1], slice(0, 1)))


def test_retrieval_rs_converges_to_the_zero_temperature_solution():
    # the q-equation solved for C = beta (1 - q): no loss of C's digits near q = 1 (r was off by 2e-3 at 1e11)
    m0, q0, r0 = highload.retrieval_rs(0.05, np.inf)
    for beta in (1e4, 1e6, 1e8, 1e10, 1e13, 1e300):
        m, q, r = highload.retrieval_rs(0.05, beta)
        assert abs(m - m0) < 1e-10 and abs(r - r0) < 1e-3 / beta + 1e-12 and q <= 1.0
    f0 = highload.rs_free_energy(0.05, np.inf, "spin_glass")
    for beta in (1e8, 1e10, 1e11):
        f = highload.rs_free_energy(0.05, beta, "spin_glass")
        # the physical O(T) differences are about 3.6 T (r) and 0.05 T (f); the q-form lost 50x more at 1e8
        assert abs(f[3] - f0[3]) < 10 / beta and abs(f[0] - f0[0]) < 1 / beta


def test_retrieval_rs_small_loads_and_the_saddle_node():
    m_cw = cw.curie_weiss(1 + 1e-8)
    assert highload.retrieval_rs(1e-300, 1 + 1e-8)[0] == m_cw       # was NaN: below the scan's resolution
    T_M = highload.retrieval_line(0.05, tol=1e-7)
    assert math.isfinite(highload.retrieval_rs(0.05, 1 / (T_M - 3e-7))[0])   # a state narrower than the grid


def test_crosstalk_error_probability_large_sizes_and_exact_tail():
    from fractions import Fraction
    p = highload.crosstalk_error_probability(100000, [1, 3000, 100000])
    assert np.all(np.isfinite(p)) and p[0] == 0 and 0 < p[1] < p[2] < 0.5      # bdtr gave NaN for K > 2**31
    for N, P in ((100, 20), (41, 41), (30, 7)):
        K = (P - 1) * (N - 1)
        kmax = (K - (N - 1)) // 2
        ref = Fraction(sum(math.comb(K, j) for j in range(kmax + 1)), 2**K)
        assert highload.crosstalk_error_probability(N, P) == pytest.approx(float(ref), rel=1e-13)


def test_signal_to_noise_simulations_refuse_sizes_beyond_their_limits():
    with pytest.raises(ValueError, match=r"\bN\b"):
        highload.perfect_recall_trials(10**5, 1, 0)              # two 1e5 x 1e5 arrays
    with pytest.raises(ValueError, match="n_networks"):
        highload.perfect_recall_trials(8000, 10_000, 0)
    with pytest.raises(ValueError, match=r"\bN\b"):
        highload.zero_temperature_retrieval(10**5, 10, 1, 0)     # a 1e5 x 1e5 coupling matrix


def test_rs_free_energy_at_a_subnormal_load_is_the_small_load_limit():
    f0 = highload.rs_free_energy(5e-324, 2.0)
    f1 = highload.rs_free_energy(1e-12, 2.0)
    assert np.allclose(f0, f1, rtol=1e-9, atol=1e-9)


def test_gauss_tanh_shape_mismatch_is_refused_by_name():
    with pytest.raises(ValueError, match="sigma"):
        highload.gauss_tanh(np.array([-1e300, 0.5]), np.array([]), 2.0)


def test_retrieval_line_at_a_huge_load_is_zero():
    assert highload.retrieval_line(1.7e308) == 0.0
    assert highload.retrieval_line(1.7e308, lower=True) == 0.0
