"""Tests of attractors.fep: the continuous Bernoulli law, the network kernel, fixed points."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from attractors import fep

B_GRID = [-30.0, -5.0, -1.0, -0.31, -0.29, -1e-3, 0.0, 1e-6, 0.1, 0.3, 1.0, 2.5, 7.0, 40.0]


def _quad(f, b):
    """Integral of f(x) e^{b x} / Z over [-1, 1] by adaptive quadrature (reference)."""
    shift = abs(b)  # e^{b x - |b|} <= 1: no overflow
    w = lambda x: math.exp(b * x - shift)  # noqa: E731
    z = integrate.quad(w, -1, 1, epsabs=0, epsrel=1e-13, limit=200)[0]
    with warnings.catch_warnings():  # quad warns that 1e-13 is at its round-off limit
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        return integrate.quad(lambda x: f(x) * w(x), -1, 1, epsabs=1e-300, epsrel=1e-13, limit=200)[0] / z


# ----------------------------------------------------------------------------- CB law vs quadrature

@pytest.mark.parametrize("b", B_GRID)
def test_mean_variance_entropy_against_quadrature(b):
    m = _quad(lambda x: x, b)
    v = _quad(lambda x: (x - m) ** 2, b)
    h = -_quad(lambda x: float(fep.cb_logpdf(x, b)), b)
    assert abs(fep.cb_mean(b) - m) <= 1e-12
    assert fep.cb_variance(b) == pytest.approx(v, rel=1e-10, abs=1e-15)
    assert fep.cb_entropy(b) == pytest.approx(h, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("b", B_GRID)
def test_logpdf_normalised(b):
    z = integrate.quad(lambda x: math.exp(fep.cb_logpdf(x, b)), -1, 1, epsrel=1e-13)[0]
    assert z == pytest.approx(1.0, rel=1e-11)
    assert fep.cb_logpdf(1.5, b) == -np.inf and fep.cb_logpdf(-1.0001, b) == -np.inf


@pytest.mark.parametrize("bq,bp", [(0.0, 0.5), (0.2, -0.3), (1.0, 1.7), (-2.0, 3.0), (5.0, 0.0), (3.0, 9.0),
                                   (-8.0, -1.0), (0.29, 0.31), (12.0, -12.0), (0.0, -20.0)])
def test_kl_against_quadrature(bq, bp):
    ref = _quad(lambda x: float(fep.cb_logpdf(x, bq) - fep.cb_logpdf(x, bp)), bq)
    assert fep.cb_kl(bq, bp) == pytest.approx(ref, rel=1e-9, abs=1e-13)


def test_kl_closed_form_where_it_is_accurate():
    rng = np.random.default_rng(0)
    bq, bp = rng.uniform(-6, 6, 200), rng.uniform(-6, 6, 200)
    keep = np.abs(bq - bp) > 0.5
    from attractors.numerics import log_sinhc2 as A
    direct = A(bp) - A(bq) - (bp - bq) * fep.cb_mean(bq)
    assert np.allclose(fep.cb_kl(bq, bp)[keep], direct[keep], rtol=1e-11, atol=1e-13)


# ----------------------------------------------------------------------------- extremes

def test_extremes_no_warnings_no_nan():
    b = np.array([0.0, 5e-324, 1e-300, 1e-8, 1e8, 1e300, -1e300, np.inf, -np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = fep.cb_mean(b)
        v = fep.cb_variance(b)
        h = fep.cb_entropy(b)
        x = fep.cb_sample(b[np.isfinite(b)], rng=0)
        lp = fep.cb_logpdf(0.5, b[np.isfinite(b)])
        kl = fep.cb_kl(b[np.isfinite(b)], b[np.isfinite(b)][::-1])
    assert not np.any(np.isnan(m)) and not np.any(np.isnan(v)) and not np.any(np.isnan(h))
    assert np.all(np.abs(x) <= 1.0) and not np.any(np.isnan(lp)) and np.all(kl >= 0)
    assert m[-2] == 1.0 and m[-1] == -1.0 and h[-1] == -np.inf
    # large |b|: H = 1 - log|b| + O(|b| e^{-2|b|}); small b: series log 2 - b^2/6
    assert fep.cb_entropy(1e8) == pytest.approx(1.0 - math.log(1e8), rel=1e-15)
    assert fep.cb_entropy(1e-4) == pytest.approx(math.log(2.0) - 1e-8 / 6.0, rel=1e-15)
    assert fep.cb_mean(1e-300) == pytest.approx(1e-300 / 3.0, rel=1e-15)


def test_kl_small_differences_and_large_biases():
    # second order: KL ~ L'(b) d^2 / 2 (relative error O(d))
    for b in [0.0, 0.7, -3.0, 50.0]:
        d = 1e-7
        assert fep.cb_kl(b, b + d) == pytest.approx(0.5 * fep.cb_variance(b) * d * d, rel=1e-6)
        assert fep.cb_kl(b, b) == 0.0
    # both large, same sign: KL = r - 1 - log r (+ terms of order e^{-2|b|}), r = b_p / b_q
    for q, p in [(1e6, 2e6), (1e6, 1e6 + 2.0), (-1e10, -3e10), (50.0, 80.0)]:
        r = p / q
        expected = (r - 1.0) - math.log(r) if abs(r - 1) > 1e-3 else (r - 1) ** 2 / 2 - (r - 1) ** 3 / 3
        assert fep.cb_kl(q, p) == pytest.approx(expected, rel=1e-9)
    # q sharply positive, p mildly negative: all the terms linear in b_q cancel analytically
    q, p = 1e6, -0.5
    expected = (math.log(2 * math.sinh(0.5) / 0.5) + 0.5) + math.log(q) - 1.0 + p / q
    assert fep.cb_kl(q, p) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("b", [1e-300, 1e-10, 1e-3, 0.2999, 0.3001, 1.0, 4.0, 30.0, 1e3, 1e8])
def test_inverse_langevin_round_trip(b):
    m = fep.cb_mean(b)
    if m < 1.0:
        # m = 1 - 1/b is stored to 1e-16 absolute: the inverse is conditioned like b * 1e-16
        assert fep.inverse_langevin(m) == pytest.approx(b, rel=1e-12 if b < 1e3 else 1e-7)
        assert fep.inverse_langevin(-m) == -fep.inverse_langevin(m)
    assert fep.cb_mean(fep.inverse_langevin(0.3)) == pytest.approx(0.3, rel=1e-15)


def test_inverse_langevin_edges_and_errors():
    assert fep.inverse_langevin(1.0) == np.inf and fep.inverse_langevin(-1.0) == -np.inf
    assert fep.inverse_langevin(0.0) == 0.0
    c = 1e-12  # L(b) = 1 - 1/b for large b: the complement keeps the accuracy
    assert fep.inverse_langevin(1.0 - c) == pytest.approx(1.0 / c, rel=1e-3)
    with pytest.raises(ValueError, match="m"):
        fep.inverse_langevin(1.5)
    with pytest.raises(ValueError, match="m"):
        fep.inverse_langevin([0.1, np.nan])
    with pytest.raises(TypeError, match="m"):
        fep.inverse_langevin("x")


# ----------------------------------------------------------------------------- sampling

@pytest.mark.parametrize("b", [-4.0, -0.2, 0.0, 1e-9, 0.8, 6.0, 800.0])
def test_cb_sample_distribution(b):
    x = fep.cb_sample(np.full(20000, b), rng=3)
    if b > 100:
        cdf = lambda t: np.exp(b * (np.minimum(t, 1.0) - 1.0))  # noqa: E731
    elif abs(b) < 1e-6:
        cdf = lambda t: (t + 1.0) / 2.0  # noqa: E731
    else:
        cdf = lambda t: np.expm1(b * (t + 1.0)) / np.expm1(2.0 * b)  # noqa: E731
    assert stats.kstest(x, cdf).pvalue > 1e-3
    assert np.all(np.abs(x) <= 1.0)


def test_cb_sample_reproducible_and_shapes():
    a = fep.cb_sample([0.5, -2.0], rng=11, size=(3, 2))
    b = fep.cb_sample([0.5, -2.0], rng=np.random.default_rng(11), size=(3, 2))
    assert a.shape == (3, 2) and np.array_equal(a, b)
    assert isinstance(fep.cb_sample(0.3, rng=1), float)
    with pytest.raises(ValueError, match="size"):
        fep.cb_sample([0.5, 1.0], rng=0, size=3)
    with pytest.raises(ValueError, match="b"):
        fep.cb_sample(np.nan, rng=0)
    with pytest.raises(TypeError, match="rng"):
        fep.cb_sample(0.1, rng="seed")


# ----------------------------------------------------------------------------- the network kernel

def _net(n=7, seed=0):
    g = np.random.default_rng(seed)
    J = g.normal(0, 0.4, (n, n))
    np.fill_diagonal(J, 0.0)
    return J, g.normal(0, 1.0, n)


@pytest.mark.parametrize("update", ["parallel", "sequential"])
@pytest.mark.parametrize("rule", ["reference", "manuscript"])
@pytest.mark.parametrize("stochastic", [True, False])
def test_run_matches_node_by_node_reference(update, rule, stochastic):
    J, b = _net()
    kw = dict(beta=0.7, learning_rate=0.05, stochastic=stochastic, update=update, rule=rule, rng=5,
              sigma0=np.linspace(-0.5, 0.5, 7))
    s1, J1 = fep.run(J, b, 40, **kw)
    s2, J2 = fep.run_reference(J, b, 40, **kw)
    assert np.allclose(s1, s2, rtol=0, atol=1e-12) and np.allclose(J1, J2, rtol=0, atol=1e-12)
    assert np.array_equal(np.diag(J1), np.diag(J))


def test_run_reproducible_and_pure():
    J, b = _net()
    J_copy = J.copy()
    s1, J1 = fep.run(J, b, 30, learning_rate=0.1, rng=9)
    s2, J2 = fep.run(J, b, 30, learning_rate=0.1, rng=np.random.default_rng(9))
    assert np.array_equal(s1, s2) and np.array_equal(J1, J2) and np.array_equal(J, J_copy)
    g = np.random.default_rng(4)
    fep.run(J, b, 3, rng=g)  # a Generator passed in is advanced by one uniform per node and step
    assert g.random() == np.random.default_rng(4).random(3 * 7 + 1)[-1]
    s0, J0 = fep.run(J, b, 5, rng=1)
    assert np.array_equal(J0, J) and J0 is not J


def test_bias_schedule_equals_fixed_bias_and_deterministic_limit():
    J, b = _net()
    s1, _ = fep.run(J, b, 20, rng=2)
    s2, _ = fep.run(J, np.tile(b, (20, 1)), 20, rng=2)
    assert np.array_equal(s1, s2)
    sd, _ = fep.run(J, b, 1, stochastic=False, beta=2.0, sigma0=np.full(7, 0.2))
    assert np.allclose(sd[0], fep.cb_mean(2.0 * (b + J @ np.full(7, 0.2))), atol=1e-15)


def test_sequential_gibbs_samples_boltzmann_law_two_nodes():
    """N = 2, symmetric J: Gibbs sweeps sample p(s) ~ exp(b.s + J12 s1 s2); compare E[s1 s2] by quadrature."""
    J = np.array([[0.0, 1.5], [1.5, 0.0]])
    b = np.array([0.3, -0.2])
    x, w = np.polynomial.legendre.leggauss(120)
    X1, X2 = np.meshgrid(x, x, indexing="ij")
    p = np.exp(b[0] * X1 + b[1] * X2 + 1.5 * X1 * X2) * np.outer(w, w)
    p /= p.sum()
    exact = np.array([(X1 * p).sum(), (X2 * p).sum(), (X1 * X2 * p).sum()])
    s, _ = fep.run(J, b, 200_000, update="sequential", rng=0)
    est = np.array([s[:, 0].mean(), s[:, 1].mean(), (s[:, 0] * s[:, 1]).mean()])
    # batch-means error bars (20 batches of 10^4 sweeps >> autocorrelation time)
    from attractors.stats import batch_means
    se = np.array([batch_means(v)[1] for v in (s[:, 0], s[:, 1], s[:, 0] * s[:, 1])])
    assert np.all(np.abs(est - exact) < 5 * se)


@pytest.mark.parametrize("bad,match,exc", [
    (dict(J=np.zeros((3, 4))), "J", ValueError),
    (dict(J=np.full((2, 2), np.nan)), "J", ValueError),
    (dict(bias=np.zeros(5)), "bias", ValueError),
    (dict(bias=np.zeros((5, 3))), "bias", ValueError),
    (dict(n_steps=-1), "n_steps", ValueError),
    (dict(n_steps=2 ** 63), "n_steps", ValueError),
    (dict(n_steps=2.5), "n_steps", TypeError),
    (dict(beta=0.0), "beta", ValueError),
    (dict(beta=np.inf), "beta", ValueError),
    (dict(learning_rate=-0.1), "learning_rate", ValueError),
    (dict(learning_rate="x"), "learning_rate", TypeError),
    (dict(stochastic=1), "stochastic", TypeError),
    (dict(update="async"), "update", ValueError),
    (dict(rule="oja"), "rule", ValueError),
    (dict(sigma0=np.full(3, 2.0)), "sigma0", ValueError),
    (dict(rng="x"), "rng", TypeError),
])
def test_run_rejects_bad_input(bad, match, exc):
    kw = dict(J=np.zeros((3, 3)), bias=np.zeros(3), n_steps=4)
    kw.update(bad)
    with pytest.raises(exc, match=match):
        fep.run(kw.pop("J"), kw.pop("bias"), kw.pop("n_steps"), **kw)


def test_extreme_fields_stay_in_range():
    J = np.array([[0.0, 1e200], [-1e200, 0.0]])
    s, J1 = fep.run(J, np.array([1e300, -1e300]), 10, beta=1e10, rng=0, sigma0=np.array([0.5, 0.5]))
    assert np.all(np.abs(s) <= 1.0) and not np.any(np.isnan(s))
    s, _ = fep.run(np.zeros((2, 2)), np.array([1e-320, 0.0]), 1000, rng=0)
    assert np.all(np.abs(s) <= 1.0) and abs(s.mean()) < 0.1  # uniform on [-1, 1]


# ----------------------------------------------------------------------------- fixed points

def test_fixed_points_uncoupled_and_bistable():
    b = np.array([0.5, -1.0, 2.0])
    fp = fep.fixed_points(np.zeros((3, 3)), b, beta=2.0, starts=10, rng=0)
    assert fp.points.shape == (1, 3) and fp.counts[0] == 10 and fp.n_failed == 0
    assert np.allclose(fp.points[0], fep.cb_mean(2.0 * b), atol=1e-12)
    # ferromagnetic pair, no bias, strong coupling: the two symmetric states m = L(J m) (m != 0)
    J = np.array([[0.0, 6.0], [6.0, 0.0]])
    fp = fep.fixed_points(J, np.zeros(2), starts=np.array([[0.9, 0.8], [-0.7, -0.9], [0.5, 0.1]]),
                          update="sequential")
    assert fp.points.shape == (2, 2) and fp.n_failed == 0 and sorted(fp.counts) == [1, 2]
    m = abs(fp.points[0, 0])
    assert m == pytest.approx(fep.cb_mean(6.0 * m), abs=1e-9)


def test_fixed_points_parallel_two_cycle_counted_as_failed():
    J = np.array([[0.0, 6.0], [6.0, 0.0]])  # parallel update flips (a, -a) <-> (-a, a)
    fp = fep.fixed_points(J, np.zeros(2), starts=np.array([[0.9, -0.9]]), update="parallel", max_iter=200)
    assert fp.n_failed == 1 and fp.points.shape == (0, 2)


def test_fixed_points_bad_input():
    with pytest.raises(ValueError, match="starts"):
        fep.fixed_points(np.zeros((2, 2)), np.zeros(2), starts=np.zeros((1, 3)))
    with pytest.raises(ValueError, match="max_iter"):
        fep.fixed_points(np.zeros((2, 2)), np.zeros(2), max_iter=2 ** 63)
    with pytest.raises(ValueError, match="bias"):
        fep.fixed_points(np.zeros((2, 2)), np.zeros(3))


# ----------------------------------------------------------------------------- properties

finite_b = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(finite_b, finite_b)
def test_kl_nonnegative_and_zero_on_diagonal(bq, bp):
    kl = fep.cb_kl(bq, bp)
    assert kl >= 0.0 and math.isfinite(kl)
    assert fep.cb_kl(bq, bq) == 0.0
    assert fep.cb_kl(-bq, -bp) == pytest.approx(kl, rel=1e-12, abs=1e-300)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-0.999999, max_value=0.999999, allow_nan=False))
def test_inverse_langevin_inverts(m):
    b = fep.inverse_langevin(m)
    assert fep.cb_mean(b) == pytest.approx(m, rel=1e-13, abs=1e-300)
    assert fep.inverse_langevin(-m) == -b


def test_benchmarks_agree(monkeypatch):
    import attractors.bench as bench
    monkeypatch.setattr(bench, "best_time", lambda fn, **kw: (fn(), 1.0)[1])  # agreement only, no timing
    res = fep.benchmarks(quick=True)
    compared = [r for r in res if r.agree is not None]      # the floor rows are timings only (agree=None)
    assert compared and all(r.agree for r in compared)


def test_run_block_draws_equal_one_draw_per_node():
    """fep.run draws its uniforms in blocks with NumPy; the trajectory, the couplings and the caller's stream
    equal a loop that calls Generator.random() once per node (the NumPy reference run_reference)."""
    from attractors import fep as F

    g = np.random.default_rng(4)
    J = g.normal(0.0, 0.3, (9, 9))
    b = g.normal(0.0, 1.0, 9)
    for update in ("parallel", "sequential"):
        ga, gb = np.random.default_rng(8), np.random.default_rng(8)
        sa, Ja = F.run(J, b, 40, beta=0.6, learning_rate=0.01, update=update, rng=ga)
        sb, Jb = F.run_reference(J, b, 40, beta=0.6, learning_rate=0.01, update=update, rng=gb)
        np.testing.assert_allclose(sa, sb, rtol=0, atol=1e-12)
        np.testing.assert_allclose(Ja, Jb, rtol=0, atol=1e-12)
        assert ga.random() == gb.random()
    old = F._BLOCK_DRAWS
    try:  # several blocks in one call: the same run
        full = F.run(J, b, 300, beta=0.6, learning_rate=0.01, rng=3)
        F._BLOCK_DRAWS = 20
        split = F.run(J, b, 300, beta=0.6, learning_rate=0.01, rng=3)
    finally:
        F._BLOCK_DRAWS = old
    assert np.array_equal(full[0], split[0]) and np.array_equal(full[1], split[1])


def _kl_reference(bq, bp):
    """D(CB(b_q) || CB(b_p)) in 60-digit decimal arithmetic: A(b) = |b| + log(1 - e^{-2|b|}) - log|b| + ..."""
    from decimal import Decimal as D, localcontext

    with localcontext() as ctx:
        ctx.prec = 60

        def A(b):
            a = abs(D(b))
            return D(2).ln() if a == 0 else a + (1 - (-2 * a).exp()).ln() - a.ln()

        def L(b):
            a = abs(D(b))
            if a == 0:
                return D(0)
            e = (-2 * a).exp()
            v = (1 + e) / (1 - e) - 1 / a
            return v if b > 0 else -v

        return A(bp) - A(bq) - (D(bp) - D(bq)) * L(bq)


def test_cb_kl_holds_to_near_machine_precision_up_to_1e16():
    """The same-sign branch once rounded (p - q)/q to -1 (cb_kl(1e16, 0.5) was inf; true 36.08)."""
    from decimal import Decimal as D

    assert abs(fep.cb_kl(1e16, 0.5) - 36.07583352307759) < 1e-12
    grid = [0.0] + [s * 10.0**e for e in np.linspace(-8, 16, 25) for s in (1, -1)]
    worst = 0.0
    for bq in grid:
        for bp in grid[::3]:
            ref = _kl_reference(bq, bp)
            if ref != 0:
                worst = max(worst, float(abs((D(float(fep.cb_kl(bq, bp))) - ref) / ref)))
    assert worst < 1e-12, worst


# ----------------------------------------------------------------------------- whole range vs 70 digits

def _cbref():
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    from tests.fuzz_domains import _cbref as R
    return R


#: A log grid of |b| from 0 and the subnormals to the largest float64, with the branch points.
WHOLE = sorted({0.0, 5e-324, 1e-310, 1e-300, 0.29999999999999999, 0.3, 0.30000000000000004, 0.797, 2.65, 354.0,
                1.3e154, 1e155, 1.7976931348623157e308} | {10.0 ** e for e in range(-300, 309, 7)})


def test_cb_functions_hold_to_near_machine_precision_over_the_whole_range():
    """Mean, variance, entropy, log-density, inverse CDF and inverse Langevin against 70-digit decimal
    references from b = 0 and 5e-324 to 1.8e308 (variance: 1/(b*b) once underflowed to 0 above 1.3e154;
    log-density: b x and the log-partition once cancelled, cb_logpdf(1, 1e72) was 0 instead of 165.8)."""
    R = _cbref()
    worst = {}
    for b0 in WHOLE:
        for b in (b0, -b0):
            for name, got, ref, scale in [
                    ("mean", fep.cb_mean(b), R.L(b), None), ("variance", fep.cb_variance(b), R.Lp(b), None),
                    ("entropy", fep.cb_entropy(b), R.H(b), R.H_scale(b))] + [
                    (f"logpdf x={x}", fep.cb_logpdf(x, b), R.logpdf(x, b), R.logpdf_scale(x, b))
                    for x in (1.0, -1.0, 0.999, 0.0, -0.3)]:
                worst[name] = max(worst.get(name, 0.0), R.rel_err(got, ref, scale))
            u = np.random.default_rng(1).random(4)
            x = fep.cb_sample(np.full(4, b), rng=1)
            worst["icdf (abs)"] = max(worst.get("icdf (abs)", 0.0),
                                      max(float(abs(R.D(float(xi)) - R.icdf(ui, b))) for xi, ui in zip(x, u)))
    assert worst["mean"] < 5e-15 and worst["variance"] < 5e-15, worst   # numerics' closed form near |b| = 0.3
    assert worst["entropy"] < 1e-15 and worst["icdf (abs)"] < 8 * 2.0**-52, worst
    assert all(worst[k] < 1e-15 for k in worst if k.startswith("logpdf")), worst
    assert abs(fep.cb_logpdf(1.0, 1e72) - 165.78612669557128) < 1e-12
    assert fep.cb_variance(1e155) == pytest.approx(1e-310, rel=1e-6)


def test_cb_kl_whole_range_including_huge_opposite_biases():
    """cb_kl(2, -1e308) was inf (true 1.54e308), cb_kl(1e308, -1e308) NaN (true: beyond float64, inf),
    cb_kl(0.3, 1.7e308) NaN ((p - q)/q overflowed)."""
    R = _cbref()
    assert fep.cb_kl(2.0, -1e308) == pytest.approx(1.537314720727548e308, rel=1e-14)
    assert fep.cb_kl(1e308, -1e308) == np.inf and fep.cb_kl(-1e308, 1e308) == np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grid = [0.0, 5e-324, 1e-300, 1e-8, 0.3, 2.0, 1e8, 1e154, 1.7976931348623157e308]
        grid = grid + [-b for b in grid[1:]]
        for bq in grid:
            for bp in grid:
                err = R.rel_err(fep.cb_kl(bq, bp), R.kl(bq, bp))
                assert err < 1e-14, (bq, bp, float(fep.cb_kl(bq, bp)), float(R.kl(bq, bp)))


# ----------------------------------------------------------------------------- limits

def test_fixed_points_refuses_work_beyond_the_limit_before_allocating():
    with pytest.raises(ValueError, match="starts"):
        fep.fixed_points(np.zeros((2, 2)), np.zeros(2), starts=10**7)
    with pytest.raises(ValueError, match="max_iter"):
        fep.fixed_points(np.zeros((64, 64)), np.zeros(64), starts=1000, max_iter=10**6)
    fp = fep.fixed_points(np.full((2, 2), 1e308), np.zeros(2), starts=2, rng=0)  # inputs overflow to inf: fine
    assert np.all(np.isfinite(fp.points))
    # the compiled loop and merge give what the former Python loop gave
    J = np.array([[0.0, 6.0], [6.0, 0.0]])
    fp = fep.fixed_points(J, np.zeros(2), starts=np.array([[0.9, 0.8], [-0.7, -0.9], [0.5, 0.1], [0.9, -0.9]]))
    assert fp.n_failed == 1 and list(fp.counts) == [2, 1] and fp.points[0, 0] > 0


def test_cb_kl_same_sign_large_biases_against_decimal():
    # |b_p| <= |b_q| / 2 at large |b|: the log of the ratio of the two scales, not a difference of logs of ~700
    from tests.fuzz_domains import _cbref
    assert abs(fep.cb_kl(1e300, 5e299) - 0.19314718055994531) < 1e-16
    for bq in (1e3, 1e20, 1e150, 1e300, -1e300, 1.7e308):
        for ratio in (0.5, 0.3, 1e-3, 1e-20, 1e-200):
            bp = bq * ratio
            assert _cbref.rel_err(fep.cb_kl(bq, bp), _cbref.kl(bq, bp)) < 1e-14, (bq, bp)


def test_huge_integer_learning_rate_is_refused_by_name():
    for f in (fep.run, fep.run_reference):
        with pytest.raises(ValueError, match="learning_rate"):
            f(np.zeros((1, 1)), np.zeros(1), 1, learning_rate=2**1100)


def test_option_arrays_are_refused_by_name():
    A = np.array(["a", "b"])
    for kw in ("update", "rule"):
        for f in (fep.run, fep.run_reference):
            with pytest.raises(ValueError, match=kw):
                f(np.zeros((1, 1)), np.zeros(1), 1, **{kw: A})
    with pytest.raises(ValueError, match="update"):
        fep.fixed_points(np.zeros((1, 1)), np.zeros(1), update=np.array([]))


def test_run_accepts_a_read_only_J_and_names_a_0d_bias():
    """A read-only J takes the validated path (no numba typing error); a 0-d bias is refused by name."""
    J = np.zeros((3, 3))
    J.setflags(write=False)
    states, _ = fep.run(J, np.zeros(3), 2, rng=0)
    assert states.shape == (2, 3)
    with pytest.raises(ValueError, match="bias"):
        fep.run(np.zeros((3, 3)), np.array(1.0), 2)
