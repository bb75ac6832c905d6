"""Tests of attractors.spectra: Wishart sampling, the Marchenko-Pastur law, Tracy-Widom edges."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from attractors import spectra as sp


def test_wishart_shape_symmetry_rank_and_mean():
    w = sp.sample_wishart(6, 3, size=4, rng=0)
    assert w.shape == (4, 6, 6)
    np.testing.assert_array_equal(w, np.swapaxes(w, 1, 2))
    ev = np.linalg.eigvalsh(w)
    assert np.all(np.sum(ev > 1e-10, axis=1) == 3)  # rank min(n, p)
    assert np.all(ev > -1e-12)
    # E[W] = variance * I: the diagonal mean over many draws, within 5 standard errors
    many = sp.sample_wishart(3, 5, variance=2.0, size=4000, rng=1)
    diag = many[:, np.arange(3), np.arange(3)].ravel()
    se = 2.0 * math.sqrt(2 / 5) / math.sqrt(diag.size)
    assert abs(diag.mean() - 2.0) < 5 * se
    np.testing.assert_array_equal(sp.sample_wishart(4, 2, rng=3), sp.sample_wishart(4, 2, rng=3))


@pytest.mark.parametrize("y", [0.1, 0.5, 1.0, 2.0, 5.0])
def test_pdf_mass_and_cdf_against_quadrature(y):
    lo, hi = sp.marchenko_pastur_edges(y, 1.5)
    mass = integrate.quad(lambda x: sp.marchenko_pastur_pdf(x, y, 1.5), lo, hi, limit=200)[0]
    assert mass == pytest.approx(min(1.0, 1.0 / y), abs=1e-9)
    assert sp.marchenko_pastur_atom(y) == pytest.approx(max(0.0, 1 - 1 / y))
    xs = np.linspace(lo, hi, 9)
    ref = [integrate.quad(lambda x: sp.marchenko_pastur_pdf(x, y, 1.5), lo, b, limit=200)[0] for b in xs]
    np.testing.assert_allclose(sp.marchenko_pastur_cdf(xs, y, 1.5) - sp.marchenko_pastur_atom(y), ref, atol=1e-9)
    assert sp.marchenko_pastur_cdf(-1.0, y, 1.5) == 0.0
    assert sp.marchenko_pastur_cdf(hi * 1.01, y, 1.5) == pytest.approx(1.0, abs=1e-12)


def test_moments_of_the_law():
    """First two moments of MP: E x = s2, E x^2 = s2^2 (1 + y)."""
    for y in (0.3, 1.0, 3.0):
        lo, hi = sp.marchenko_pastur_edges(y, 2.0)
        m1 = integrate.quad(lambda x: x * sp.marchenko_pastur_pdf(x, y, 2.0), lo, hi, limit=200)[0]
        m2 = integrate.quad(lambda x: x * x * sp.marchenko_pastur_pdf(x, y, 2.0), lo, hi, limit=200)[0]
        assert m1 == pytest.approx(2.0, rel=1e-8)
        assert m2 == pytest.approx(4.0 * (1 + y), rel=1e-8)


def test_pdf_extremes():
    assert math.isinf(sp.marchenko_pastur_pdf(0.0, 1.0))
    assert sp.marchenko_pastur_pdf(0.0, 0.5) == 0.0
    for s2 in (1e-90, 1e90):
        lo, hi = sp.marchenko_pastur_edges(0.5, s2)
        x = 0.5 * (lo + hi)
        v = sp.marchenko_pastur_pdf(x, 0.5, s2)
        assert np.isfinite(v) and v * s2 == pytest.approx(sp.marchenko_pastur_pdf(x / s2, 0.5))
    assert np.all(np.isfinite(sp.marchenko_pastur_pdf(np.array([1e300, -1e300, 0.0]), 1e16)))
    lo, hi = sp.marchenko_pastur_edges(1.0 + 1e-12)
    assert 0.0 < lo < 1e-24


def test_spectrum_of_samples_follows_the_law():
    ev = np.linalg.eigvalsh(sp.sample_wishart(150, 300, size=10, rng=4)).ravel()
    res = stats.kstest(ev, lambda x: sp.marchenko_pastur_cdf(x, 0.5))
    assert res.statistic < 0.02  # the ESD of 1500 eigenvalues: deviations O(1/N) plus KS noise


@settings(max_examples=30, deadline=None)
@given(st.floats(1e-3, 1e3), st.floats(1e-3, 1e3))
def test_cdf_is_monotone_between_zero_and_one(y, s2):
    lo, hi = sp.marchenko_pastur_edges(y, s2)
    xs = np.linspace(-0.1 * hi, 1.1 * hi, 50)
    c = sp.marchenko_pastur_cdf(xs, y, s2)
    assert np.all(np.diff(c) >= -1e-12) and c[0] == 0.0 and c[-1] == pytest.approx(1.0, abs=1e-9)


def test_tracy_widom_edge_formulas_and_scale():
    mu, s = sp.tracy_widom_edge(100, 400, edge="upper")
    rn, rp = math.sqrt(399.5), math.sqrt(99.5)
    assert mu == pytest.approx((rn + rp) ** 2 / 400)
    assert s == pytest.approx((rn + rp) * (1 / rn + 1 / rp) ** (1 / 3) / 400)
    mu_l, s_l = sp.tracy_widom_edge(100, 400, edge="lower")
    assert mu_l == pytest.approx((rn - rp) ** 2 / 400)
    assert s_l == pytest.approx((rn - rp) * (1 / rp - 1 / rn) ** (1 / 3) / 400)
    # for large sizes the edges approach the Marchenko-Pastur ones
    assert sp.tracy_widom_edge(10**8, 4 * 10**8)[0] == pytest.approx(sp.marchenko_pastur_edges(0.25)[1], rel=1e-6)
    # the largest eigenvalue, standardised, has roughly the TW1 mean and spread
    w = sp.sample_wishart(40, 160, size=400, rng=5)
    lam = np.linalg.eigvalsh(w)[:, -1]
    mu, s = sp.tracy_widom_edge(40, 160)
    z = (lam - mu) / s
    assert abs(z.mean() - sp.TW1_MEAN) < 0.35 and abs(z.std() - sp.TW1_STD) < 0.3
    with pytest.raises(ValueError, match="edge"):
        sp.tracy_widom_edge(5, 5, edge="lower")
    with pytest.raises(ValueError, match="edge"):
        sp.tracy_widom_edge(5, 6, edge="middle")


@pytest.mark.parametrize("call, name", [
    (lambda: sp.sample_wishart(0, 3), "dim"),
    (lambda: sp.sample_wishart(3, 2**62), "n_samples"),
    (lambda: sp.sample_wishart(3, 3, variance=-1.0), "variance"),
    (lambda: sp.sample_wishart(3, 3, size=0), "size"),
    (lambda: sp.marchenko_pastur_pdf([np.nan], 0.5), "x"),
    (lambda: sp.marchenko_pastur_pdf(1.0, 0.0), "ratio"),
    (lambda: sp.marchenko_pastur_cdf(1.0, np.inf), "ratio"),
    (lambda: sp.marchenko_pastur_edges(1e300), "ratio"),
    (lambda: sp.marchenko_pastur_atom("a"), "ratio"),
    (lambda: sp.tracy_widom_edge(2**62, 3), "dim"),
])
def test_bad_input(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


# --------------------------------------------------------------------------- extremes of the documented domain

def _cont_reference(x, y):
    """Continuous mass below x (unit variance) by adaptive quadrature of a cancellation-free integrand."""
    r = math.sqrt(y)
    c = (y - (x - 1.0)) / (2 * r)
    th = math.acos(min(1.0, max(-1.0, c)))
    f = lambda ph: math.sin(ph) ** 2 / ((1 - r) ** 2 + 4 * r * math.sin(ph / 2) ** 2)  # noqa: E731
    return 2 / math.pi * integrate.quad(f, 0, th, epsabs=0, epsrel=1e-13, limit=200)[0]


@pytest.mark.parametrize("y", [1e-16, 1e-12, 1e-6, 0.01, 0.2, 0.3, 1.0, 3.0, 1e3])
def test_cdf_to_round_off_at_extreme_ratios(y):
    lo, hi = sp.marchenko_pastur_edges(y)
    atom = sp.marchenko_pastur_atom(y)
    for t in (1e-6, 1e-3, 0.1, 0.5, 0.9, 0.999):
        x = lo + (hi - lo) * t
        got = sp.marchenko_pastur_cdf(x, y) - atom
        assert abs(got - _cont_reference(x, y)) <= 1e-13 * min(1.0, 1 / y) + 1e-15, (y, t)
    xs = np.linspace(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo), 5001)
    c = sp.marchenko_pastur_cdf(xs, y)
    assert np.all(np.diff(c) >= 0) and c[0] == atom * (xs[0] >= 0) and c[-1] == 1.0


@pytest.mark.parametrize("y", [1e-16, 1e-10, 0.5, 1.0, 2.0, 1e10, 1e16])
def test_pdf_is_normalised_at_extreme_ratios(y):
    # mass on the theta parametrisation x = 1 + y - 2 sqrt(y) cos(theta) (Gauss-Legendre)
    gx, gw = np.polynomial.legendre.leggauss(200)
    th = 0.5 * np.pi * (gx + 1)
    h = 2 * math.sqrt(y)
    dens = sp.marchenko_pastur_pdf(1.0 + (y - h * np.cos(th)), y)
    mass = 0.5 * np.pi * np.sum(gw * dens * h * np.sin(th))
    assert mass == pytest.approx(min(1.0, 1 / y), rel=1e-9)


def test_pdf_near_the_hard_edge_does_not_underflow():
    v = sp.marchenko_pastur_pdf(1e-320, 1.0, 1e10)
    assert np.isfinite(v) and v == pytest.approx(1 / (math.pi * math.sqrt(1e-320 * 1e10)), rel=1e-6)


def test_ratio_outside_the_resolved_range_is_refused():
    with pytest.raises(ValueError, match="ratio"):
        sp.marchenko_pastur_cdf(1.0, 1e-30)


def test_tracy_widom_lower_edge_without_cancellation():
    from decimal import Decimal, getcontext
    getcontext().prec = 60
    for n, p in [(10**15, 10**15 - 1), (10**12, 10**12 + 7), (300, 100)]:
        mu, s = sp.tracy_widom_edge(p, n, edge="lower")
        rn, rp = (Decimal(n) - Decimal("0.5")).sqrt(), (Decimal(p) - Decimal("0.5")).sqrt()
        ref_mu = (rn - rp) ** 2 / n
        ref_s = abs(rn - rp) * (abs(1 / rn - 1 / rp)) ** (Decimal(1) / 3) / n
        assert mu == pytest.approx(float(ref_mu), rel=1e-12) and s == pytest.approx(float(ref_s), rel=1e-12)


def test_sample_wishart_is_x_transpose_x_from_the_same_stream():
    w = sp.sample_wishart(5, 7, variance=2.0, size=3, rng=11)
    x = np.random.default_rng(11).standard_normal((3, 7, 5)) * math.sqrt(2.0)
    np.testing.assert_allclose(w, np.einsum("kni,knj->kij", x, x) / 7, rtol=1e-13, atol=1e-14)
    assert np.array_equal(w, np.swapaxes(w, 1, 2))
    with pytest.raises(ValueError, match="n_samples"):
        sp.sample_wishart(3000, 3000)
