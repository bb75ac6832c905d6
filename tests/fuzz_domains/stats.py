"""Domains of ``attractors.stats`` (the model for the other modules' specs)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain

#: Magnitudes from tiny to near the float64 limit: the functions promise any finite series.
SCALES = st.sampled_from([1e-301, 1e-300, 1e-8, 1.0, 1e8, 1e299, 1e300, 1.7e308])


def _series(data, *, two_d=True, min_n=2, max_n=2000):
    n = data.draw(st.integers(min_n, max_n), label="n")
    k = data.draw(st.sampled_from([None, 1, 3]) if two_d else st.just(None), label="k")
    scale = data.draw(SCALES, label="scale")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    x = np.random.default_rng(seed).uniform(-1.0, 1.0, (n,) if k is None else (n, k)) * scale
    if data.draw(st.booleans(), label="offset"):  # a large common offset: cancellation in the spread
        x = x / 4 + scale / 2
    return x


def _batch_valid(data):
    x = _series(data)
    return {"x": x, "n_batches": data.draw(st.integers(2, min(x.shape[0], 64)), label="n_batches")}


def _batch_check(kwargs, out):
    x, B = kwargs["x"], kwargs["n_batches"]
    cols = x.reshape(x.shape[0], -1)
    length = x.shape[0] // B
    mean, se = out
    mean, se = np.atleast_1d(mean), np.atleast_1d(se)
    for j in range(cols.shape[1]):
        b = [sum(map(Fraction, cols[i * length:(i + 1) * length, j])) / length for i in range(B)]
        m = sum(b) / B
        var = sum((v - m) ** 2 for v in b) / (B - 1)
        big = max(abs(v) for v in b)
        ref_se = float(var / big**2) ** 0.5 / B ** 0.5 * float(big) if var else 0.0
        tol = 1e-12 * float(big)
        assert abs(mean[j] - float(m)) <= tol, f"mean {mean[j]!r} vs exact {float(m)!r}"
        assert abs(se[j] - ref_se) <= 1e-9 * ref_se + tol, f"s.e. {se[j]!r} vs exact {ref_se!r}"


def _batch_invalid(data):
    which = data.draw(st.sampled_from(["few", "nb1", "nan"]), label="case")
    if which == "few":
        return {"x": np.zeros(3), "n_batches": 4}, "n_batches"
    if which == "nb1":
        return {"x": np.zeros(30), "n_batches": 1}, "n_batches"
    return {"x": np.array([1.0, np.nan, 2.0])}, "x"


def _acf_valid(data):
    x = _series(data, two_d=False, min_n=2)
    if np.ptp(x) == 0:
        x = x + np.arange(x.size) * 1e-3 * np.max(np.abs(x))
    return {"x": x, "window": data.draw(st.sampled_from([1e-3, 1.0, 6.0, 1e6]), label="window")}


def _acf_check(kwargs, out):
    x = kwargs["x"]
    assert np.isfinite(out) and out > 0, f"tau = {out!r} is not a finite positive number"
    assert out <= 2 * x.size, f"tau = {out!r} exceeds twice the series length {x.size}"
    # scale invariance: multiplying the series by a power of two changes nothing
    from attractors.stats import autocorrelation_time
    assert autocorrelation_time(x * 0.25, kwargs["window"]) == out, "tau changed when x was scaled by 1/4"


def _acf_invalid(data):
    which = data.draw(st.sampled_from(["const", "short", "window"]), label="case")
    if which == "const":
        return {"x": np.full(10, 3.0)}, "x"
    if which == "short":
        return {"x": np.array([1.0])}, "x"
    return {"x": np.arange(10.0), "window": -1.0}, "window"


DOMAINS = {
    "batch_means": Domain(_batch_valid, _batch_check, _batch_invalid),
    "autocorrelation_time": Domain(_acf_valid, _acf_check, _acf_invalid),
}
