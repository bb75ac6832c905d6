"""Tests of attractors.numerics against naive forms, high-precision references and limits."""

import math
from decimal import Decimal, getcontext

import numpy as np
import pytest

from attractors import numerics
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from attractors.numerics import (
    LANGEVIN_SERIES_CUTOFF,
    langevin,
    langevin_prime,
    log_sinhc2,
    logcosh,
    logsumexp,
    softmax,
)

getcontext().prec = 60


def _coth_ref(b: float) -> Decimal:
    d = Decimal(repr(b))
    e = (2 * d).exp()
    return (e + 1) / (e - 1)


def langevin_ref(b: float) -> float:
    """High-precision L(b) = coth b - 1/b in decimal arithmetic."""
    if abs(b) < 1e-15:  # the series b/3 - b^3/45 is exact in double precision here
        return b / 3
    return float(_coth_ref(b) - 1 / Decimal(repr(b)))


def langevin_prime_ref(b: float) -> float:
    """L'(b) = 1/b^2 - 1/sinh^2 b = 1/b^2 + 1 - coth^2 b, in decimal arithmetic."""
    if abs(b) < 1e-15:
        return 1 / 3
    c = _coth_ref(b)
    d = Decimal(repr(b))
    return float(1 / (d * d) + 1 - c * c)


finite = st.floats(-50, 50, allow_nan=False)


# --- log-sum-exp and softmax -------------------------------------------------------------

@given(arrays(np.float64, st.integers(1, 20), elements=finite), st.floats(0.01, 10))
@settings(max_examples=200, deadline=None)
def test_logsumexp_matches_naive_where_naive_is_safe(x, beta):
    naive = np.log(np.sum(np.exp(beta * x))) / beta
    assert logsumexp(x, beta) == pytest.approx(naive, rel=1e-12, abs=1e-12)


@given(arrays(np.float64, st.integers(1, 20), elements=finite), st.floats(0.01, 1e8))
@settings(max_examples=200, deadline=None)
def test_logsumexp_bounds(x, beta):
    """max x <= lse_beta(x) <= max x + log(n)/beta, for every beta > 0."""
    v = logsumexp(x, beta)
    assert np.max(x) - 1e-12 * (1 + abs(np.max(x))) <= v <= np.max(x) + np.log(x.size) / beta + 1e-9


@given(arrays(np.float64, st.integers(1, 20), elements=finite), st.floats(1e-3, 1e9))
@settings(max_examples=200, deadline=None)
def test_softmax_is_a_distribution(x, beta):
    p = softmax(x, beta)
    assert np.all(np.isfinite(p)) and np.all(p >= 0)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    assert p[np.argmax(x)] == np.max(p)


def test_softmax_is_gradient_of_logsumexp():
    rng = np.random.default_rng(0)
    x, beta, h = rng.normal(size=7), 2.3, 1e-6
    grad = np.array([(logsumexp(x + h * e, beta) - logsumexp(x - h * e, beta)) / (2 * h) for e in np.eye(7)])
    np.testing.assert_allclose(grad, softmax(x, beta), atol=1e-8)


def test_extreme_beta_and_values():
    x = np.array([1000.0, 999.0, -1e6])
    assert logsumexp(x, 1.0) == pytest.approx(1000.0 + math.log1p(math.exp(-1.0)), rel=1e-15)
    assert logsumexp(x, 1e300) == 1000.0
    assert logsumexp(x, np.inf) == 1000.0
    np.testing.assert_array_equal(softmax(x, np.inf), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(softmax([2.0, 2.0, 1.0], np.inf), [0.5, 0.5, 0.0])
    p = softmax(x, 1e6)
    assert np.all(np.isfinite(p)) and p[0] == 1.0
    assert logsumexp([-np.inf, 0.0]) == 0.0
    np.testing.assert_array_equal(softmax([-np.inf, 0.0]), [0.0, 1.0])
    assert logsumexp([-np.inf, -np.inf]) == -np.inf


def test_axis_and_batches():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4, 5))
    np.testing.assert_allclose(softmax(X, 2.0, axis=0).sum(axis=0), 1.0)
    np.testing.assert_allclose(logsumexp(X, 2.0, axis=1), [logsumexp(r, 2.0) for r in X])


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: logsumexp([], 1.0), ValueError, "empty"),
        (lambda: logsumexp([1.0, np.nan]), ValueError, "NaN"),
        (lambda: logsumexp([1.0, np.inf]), ValueError, r"\+inf"),
        (lambda: logsumexp([1.0], 0.0), ValueError, "beta"),
        (lambda: logsumexp([1.0], -1.0), ValueError, "beta"),
        (lambda: logsumexp([1.0], "2"), TypeError, "beta"),
        (lambda: logsumexp(["a"]), TypeError, "x"),
        (lambda: softmax([1.0], True), TypeError, "beta"),
        (lambda: softmax([-np.inf, -np.inf]), ValueError, "finite"),
        (lambda: softmax([1j]), TypeError, "x"),
    ],
)
def test_bad_inputs(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# --- log-cosh ----------------------------------------------------------------------------

def logcosh_ref(x: float) -> float:
    d = Decimal(repr(x))
    return float(((d.exp() + (-d).exp()) / 2).ln())


@given(st.floats(-700, 700))
def test_logcosh_against_high_precision(x):
    if abs(x) < 1e-150:  # x^2/2 underflows in the reference's decimal-to-float conversion
        return
    assert logcosh(x) == pytest.approx(logcosh_ref(x), rel=1e-14)


def test_logcosh_does_not_overflow():
    assert logcosh(1e6) == pytest.approx(1e6 - math.log(2.0), rel=1e-15)
    assert logcosh(-1e300) == pytest.approx(1e300)
    assert logcosh(np.inf) == np.inf
    assert logcosh(0.0) == 0.0
    assert logcosh(1e-10) == pytest.approx(5e-21, rel=1e-6)


# --- Langevin function -------------------------------------------------------------------

@pytest.mark.parametrize("b", [1e-300, 1e-12, 1e-6, 1e-3, 0.05, 0.2, LANGEVIN_SERIES_CUTOFF * (1 - 1e-12),
                               LANGEVIN_SERIES_CUTOFF, 0.31, 0.5, 1.0, 3.0, 10.0, 19.0, 40.0, 700.0, 1e6])
def test_langevin_against_high_precision(b):
    for sign in (1.0, -1.0):
        ref = sign * langevin_ref(b)
        assert langevin(sign * b) == pytest.approx(ref, rel=2e-14, abs=1e-300)
        assert langevin_prime(sign * b) == pytest.approx(langevin_prime_ref(b), rel=2e-13)


def test_langevin_limits():
    assert langevin(0.0) == 0.0
    assert langevin_prime(0.0) == pytest.approx(1 / 3, rel=1e-16)
    np.testing.assert_array_equal(langevin(np.array([np.inf, -np.inf, 1e308])), [1.0, -1.0, 1.0])
    assert langevin(1e300) == 1.0
    assert langevin_prime(1e300) == 0.0
    assert langevin_prime(1e5) == pytest.approx(1e-10, rel=1e-12)
    with pytest.raises(ValueError, match="b must not contain NaN"):
        langevin(np.nan)


@given(st.floats(-1e3, 1e3))
def test_langevin_is_odd_bounded_and_monotone(b):
    v = langevin(b)
    assert -1.0 <= v <= 1.0 and langevin(-b) == -v
    assert langevin(b + 1e-3) >= v


@given(st.floats(-30, 30))
@settings(deadline=None)
def test_langevin_is_derivative_of_log_partition(b):
    h = 1e-5
    fd = (log_sinhc2(b + h) - log_sinhc2(b - h)) / (2 * h)
    assert fd == pytest.approx(langevin(b), abs=1e-9)
    fd2 = (langevin(b + h) - langevin(b - h)) / (2 * h)
    assert fd2 == pytest.approx(langevin_prime(b), abs=1e-9)


def test_log_partition_against_quadrature():
    from scipy.integrate import quad

    for b in [0.0, 1e-4, 0.1, 0.29, 0.31, 2.0, 15.0]:
        ref = math.log(quad(lambda x: math.exp(b * x), -1, 1, epsabs=0, epsrel=1e-13)[0])
        assert log_sinhc2(b) == pytest.approx(ref, rel=1e-13)
    assert log_sinhc2(1e4) == pytest.approx(1e4 - math.log(1e4), rel=1e-15)


def test_langevin_arrays_keep_shape():
    b = np.linspace(-5, 5, 12).reshape(3, 4)
    assert langevin(b).shape == (3, 4) and langevin_prime(b).shape == (3, 4)
    assert isinstance(langevin(0.5), float)


# --- the benchmark harness's output comparison ---------------------------------------------

def test_bench_outputs_agree():
    from attractors.bench import compare, outputs_agree

    a = np.linspace(0, 1, 5)
    assert outputs_agree(a, a + 1e-14)
    assert not outputs_agree(a, a + 1e-6)
    assert not outputs_agree(a, a[:4])
    assert outputs_agree([a, 2.0], (a, 2.0))
    assert not outputs_agree([a, 2.0], [a, 3.0])
    r = compare("x", "y", "n", lambda: a * 2, lambda: a + a, repeat=1, min_time=0.0)
    assert r.agree is True and r.speedup > 0
    r = compare("x", "y", "n", lambda: a, lambda: a + 1, repeat=1, min_time=0.0)
    assert r.agree is False


# --- bad input and extremes listed in the regression-test issue -------------------------------------

def test_softmax_and_logsumexp_refuse_an_axis_that_does_not_exist():
    for fn in (numerics.softmax, numerics.logsumexp):
        with pytest.raises(ValueError, match="axis"):
            fn(np.ones((2, 3)), axis=5)
        with pytest.raises(TypeError, match="axis"):
            fn(np.ones((2, 3)), axis=1.0)


def test_log_sinhc2_is_infinite_at_infinity_not_nan():
    np.testing.assert_array_equal(numerics.log_sinhc2(np.array([np.inf, -np.inf])), [np.inf, np.inf])
    assert numerics.log_sinhc2(1e300) == pytest.approx(1e300 - math.log(1e300), rel=1e-15)


@pytest.mark.parametrize("fn", ["logcosh", "langevin", "langevin_prime", "log_sinhc2", "softmax", "logsumexp"])
def test_nan_input_is_refused_naming_the_argument(fn):
    f = getattr(numerics, fn)
    with pytest.raises(ValueError, match=r"^(x|b) must not contain NaN"):
        f(np.array([0.0, np.nan]))


def test_best_time_refuses_a_time_that_never_ends():
    from attractors.bench import best_time

    for bad in (float("nan"), float("inf"), -1.0):
        with pytest.raises(ValueError, match="min_time"):
            best_time(lambda: None, min_time=bad)
    with pytest.raises(ValueError, match="repeat"):
        best_time(lambda: None, repeat=0)
    with pytest.raises(TypeError, match="fn"):
        best_time(None)


def test_best_times_interleaves_and_orders_its_results():
    import time

    from attractors.bench import best_times

    calls = []
    fast, slow = (lambda: calls.append("f")), (lambda: (calls.append("s"), time.sleep(0.002)))
    t = best_times([fast, slow], repeat=3, min_time=0.0)
    assert len(t) == 2 and t[0] < t[1] and t[1] >= 0.002
    # one warm-up call each, then one timed call each per round, alternating
    assert "".join(calls) == "fs" + "fs" * 3
    with pytest.raises(TypeError, match="fns"):
        best_times([])
    with pytest.raises(TypeError, match="fns"):
        best_times([fast, None])
    with pytest.raises(ValueError, match="repeat"):
        best_times([fast], repeat=0)


def test_read_bandwidth_validates_and_measures():
    from attractors.bench import memory_bandwidth, read_bandwidth

    assert read_bandwidth(size_bytes=2**20, repeat=1) > 1e6        # any machine reads 1 MiB in < 1 s
    bw = memory_bandwidth(size_bytes=2**20, repeat=1)
    assert set(bw) == {"copy", "triad", "read", "bytes"} and bw["bytes"] == 2**20
    with pytest.raises(ValueError, match="size_bytes"):
        read_bandwidth(size_bytes=100)
    with pytest.raises(TypeError, match="size_bytes"):
        read_bandwidth(size_bytes=1.5)
    with pytest.raises(ValueError, match="repeat"):
        read_bandwidth(size_bytes=2**20, repeat=0)


def test_logsumexp_and_softmax_shift_exactly_when_the_difference_overflows():
    # 1e308 - (-1e308) overflows, but beta times it is -2 at beta = 1e-308
    x = [1e308, -1e308]
    assert numerics.logsumexp(x, 1e-308) == pytest.approx(1e308 * (1 + math.log1p(math.exp(-2.0))), rel=1e-15)
    assert numerics.softmax(x, 1e-308)[0] == pytest.approx(1 / (1 + math.exp(-2.0)), rel=1e-15)
    with pytest.raises(ValueError, match="beta"):
        numerics.logsumexp([1.0], 2**1024)
