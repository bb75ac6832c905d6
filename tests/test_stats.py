"""Tests of attractors.stats: batch means and autocorrelation times against references and AR(1) theory."""

import numpy as np
import pytest

from attractors.stats import autocorrelation_time, batch_means


def _ar1(phi, n, rng):
    e = rng.normal(size=n)
    x = np.empty(n)
    x[0] = e[0] / np.sqrt(1 - phi**2)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + e[t]
    return x


def test_batch_means_matches_plain_numpy():
    x = np.arange(103, dtype=float)
    m, se = batch_means(x, 10)
    b = x[:100].reshape(10, 10).mean(axis=1)
    assert m == pytest.approx(b.mean()) and se == pytest.approx(b.std(ddof=1) / np.sqrt(10))
    X = np.column_stack([x, 2 * x])
    M, SE = batch_means(X, 10)
    assert M.shape == (2,) and M[1] == pytest.approx(2 * m) and SE[1] == pytest.approx(2 * se)


@pytest.mark.parametrize("phi", [0.0, 0.5, 0.9])
def test_ar1_autocorrelation_time_and_error_bars(phi):
    rng = np.random.default_rng(11)
    theory = (1 + phi) / (1 - phi)
    taus, zs = [], []
    for _ in range(40):
        x = _ar1(phi, 20_000, rng)
        taus.append(autocorrelation_time(x))
        m, se = batch_means(x, 20)
        zs.append(m / se)
    # The windowed estimator is biased low by O(exp(-c)) and has a relative spread of about sqrt(2(2c+1)tau/n).
    assert np.mean(taus) == pytest.approx(theory, rel=0.05)
    # Batch-means z-scores of a zero-mean series: roughly Student t_19, standard deviation ~ 1.06.
    assert 0.75 < np.std(zs) < 1.4


def test_bad_inputs():
    with pytest.raises(ValueError, match="n_batches"):
        batch_means(np.ones(5), 10)
    with pytest.raises(ValueError, match="n_batches"):
        batch_means(np.ones(5), 1)
    with pytest.raises(TypeError, match="n_batches"):
        batch_means(np.ones(50), 2.5)
    with pytest.raises(ValueError, match="constant"):
        autocorrelation_time(np.ones(10))
    with pytest.raises(ValueError, match="x"):
        autocorrelation_time(np.ones((3, 3)))
    with pytest.raises(ValueError, match="window"):
        autocorrelation_time(np.arange(10.0), window=0)


@pytest.mark.parametrize("phi", [-0.8, -0.5])
def test_anticorrelated_series_positive_time(phi):
    """AR(1) with phi < 0 has tau = (1 + phi)/(1 - phi) < 1; the estimate must be positive and close."""
    rng = np.random.default_rng(5)
    x = _ar1(phi, 40000, rng)
    tau = autocorrelation_time(x)
    assert tau > 0
    assert tau == pytest.approx((1 + phi) / (1 - phi), rel=0.2)


def test_alternating_series_positive_time():
    assert 0 < autocorrelation_time([1.0, -1.0]) <= 1       # two samples: nothing to resolve
    for n in (3, 100, 101):
        tau = autocorrelation_time(np.resize([1.0, -1.0], n))
        assert 0 < tau < 1


def test_batch_means_near_the_float64_limit():
    from attractors.stats import batch_means

    for v in (1e308, -1.7e308):
        m, se = batch_means(np.full(100, v), 10)
        assert abs(m / v - 1) < 1e-15 and se == 0.0
    x = np.random.default_rng(0).normal(size=(400, 2))
    m, se = batch_means(x * 2.0**1000, 8)  # scaling by a power of two scales the answer exactly
    m0, se0 = batch_means(x, 8)
    assert np.array_equal(m, m0 * 2.0**1000) and np.array_equal(se, se0 * 2.0**1000)


def test_autocorrelation_time_at_tiny_and_huge_magnitudes():
    r = np.random.default_rng(4).standard_normal(500)
    x = np.empty_like(r)
    x[0] = r[0]
    for t in range(1, r.size):
        x[t] = 0.7 * x[t - 1] + r[t]
    x /= np.max(np.abs(x))
    tau = autocorrelation_time(x)
    for e in (-1000, -990, 1000, 1020):   # 1e-301 ... 1.7e308: exactly the same answer
        assert autocorrelation_time(np.ldexp(x, e)) == tau
    assert autocorrelation_time(x * 1e299) == pytest.approx(tau, rel=1e-12)
    assert autocorrelation_time(x * 1e-301) == pytest.approx(tau, rel=1e-12)
    with pytest.raises(ValueError, match="x must not be constant"):
        autocorrelation_time(np.full(10, 1e-301))
