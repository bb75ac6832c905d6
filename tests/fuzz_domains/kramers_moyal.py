"""Domains of ``attractors.kramers_moyal``: jump moments against exact rational arithmetic, shot noise laws."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain

#: Jump magnitudes from tiny to huge: the moments of every order must come out right (inf only beyond float64).
SCALES = st.sampled_from([1e-300, 1e-200, 1e-8, 1.0, 1e8, 1e200, 1e300])
BIG = Fraction(np.finfo(float).max)


def _jm_valid(data):
    n = data.draw(st.integers(2, 300), label="n")
    seed = data.draw(st.integers(0, 2**31), label="seed")
    g = np.random.default_rng(seed)
    x = g.uniform(-1.0, 1.0, n)
    scale = data.draw(SCALES, label="scale")
    dx = g.standard_normal(n) * scale
    if scale < 1e50 and data.draw(st.booleans(), label="mixed"):   # one bin of huge jumps next to ordinary ones
        dx[x > 0.5] *= 1e250
    nb = data.draw(st.integers(1, 12), label="n_bins")
    bins = np.linspace(-1.0, 1.0, nb + 1) * data.draw(st.sampled_from([1.0, 0.5]), label="range")
    orders = tuple(data.draw(st.lists(st.integers(1, 8), min_size=1, max_size=4), label="orders"))
    return {"x": x, "dx": dx, "bins": bins, "orders": orders}


def _ffloat(fr: Fraction) -> float:
    """Fraction -> float, inf beyond the float64 range."""
    if abs(fr) > BIG:
        return math.inf if fr > 0 else -math.inf
    return float(fr)


def _fsqrt(fr: Fraction) -> float:
    if fr == 0:
        return 0.0
    k = (fr.numerator.bit_length() - fr.denominator.bit_length()) // 2
    v = math.sqrt(float(fr / Fraction(4) ** k)) if k >= 0 else math.sqrt(float(fr * Fraction(4) ** -k))
    return float(np.ldexp(v, k)) if abs(k) < 2000 else (math.inf if k > 0 else 0.0)


def _close(got, ref, tol, what):
    if math.isinf(ref):
        assert got == ref, f"{what}: {got!r}, exact value beyond float64 ({ref!r})"
    else:
        assert abs(got - ref) <= tol, f"{what}: {got!r}, exact {ref!r}"


def _jm_check(kw, out):
    counts, M, se = out
    x, dx, edges, orders = kw["x"], kw["dx"], kw["bins"], kw["orders"]
    nb = edges.size - 1
    for b in range(nb):
        sel = (x >= edges[b]) & ((x < edges[b + 1]) | ((b == nb - 1) & (x <= edges[b + 1])))
        c = int(sel.sum())
        assert counts[b] == c, f"bin {b}: count {counts[b]} vs {c}"
        for j, o in enumerate(orders):
            if c == 0:
                assert math.isnan(M[b, j]) and math.isnan(se[b, j])
                continue
            pw = [Fraction(v) ** o for v in dx[sel]]
            mean = sum(pw) / c
            mag = sum(abs(v) for v in pw) / c
            _close(M[b, j], _ffloat(mean), 1e-12 * _ffloat(mag) + 1e-300, f"bin {b} moment {o}")
            if c < 2:
                assert math.isnan(se[b, j])
                continue
            var = sum((v - mean) ** 2 for v in pw) / (c - 1)
            ref = _fsqrt(var / c)
            big2 = _fsqrt(sum(v * v for v in pw) / (c - 1) / c)
            _close(se[b, j], ref, 1e-9 * ref + 1e-7 * big2 * 1e-8 + 1e-300, f"bin {b} s.e. {o}")
            assert not math.isnan(se[b, j]), "NaN standard error in a full bin"


def _jm_invalid(data):
    which = data.draw(st.sampled_from(["dx", "bins", "orders", "x", "order9"]), label="case")
    if which == "dx":
        return {"x": np.zeros(3), "dx": np.zeros(2), "bins": [0.0, 1.0]}, "dx"
    if which == "bins":
        return {"x": np.zeros(3), "dx": np.zeros(3), "bins": [1.0, 0.0]}, "bins"
    if which == "orders":
        return {"x": np.zeros(3), "dx": np.zeros(3), "bins": [0.0, 1.0], "orders": (0,)}, "orders"
    if which == "order9":
        return {"x": np.zeros(3), "dx": np.zeros(3), "bins": [0.0, 1.0], "orders": (1, 9)}, "orders"
    return {"x": np.array([0.0, np.nan, 1.0]), "dx": np.zeros(3), "bins": [0.0, 1.0]}, "x"


def _sn_valid(data):
    n = data.draw(st.integers(1, 300), label="n")
    n_steps = data.draw(st.integers(0, 40), label="n_steps")
    divisors = [d for d in range(1, max(n_steps, 1) + 1) if max(n_steps, 1) % d == 0]
    rec = data.draw(st.sampled_from([None] + divisors), label="record_every") if n_steps else None
    kick = data.draw(st.sampled_from([1e-300, 1e-8, 1.0, 1e8, 1e100]), label="kick")
    out = {"x0": np.zeros(n) + data.draw(st.sampled_from([0.0, 1.0]), label="x0") * kick,
            "n_steps": n_steps, "dt": data.draw(st.sampled_from([1e-300, 1e-3, 1.0, 1e8]), label="dt"),
            "rate": None, "kick": kick,
            "gamma": data.draw(st.sampled_from([0.0, 0.0, 1.0, 1e300]), label="gamma"),
            "law": data.draw(st.sampled_from(["exponential", "fixed"]), label="law"), "record_every": rec,
            "rng": data.draw(st.integers(0, 2**32 - 1), label="rng")}
    out["rate"] = data.draw(st.sampled_from([1e-300, 0.5, 20.0] if out["dt"] <= 1.0 else [1e-300, 1e-8]), label="rate")
    return out


def _sn_check(kw, out):
    t, X = out
    n_steps, rec = kw["n_steps"], kw["record_every"] or max(kw["n_steps"], 1)
    assert X.shape == (n_steps // rec + 1, kw["x0"].size) and t.shape == (X.shape[0],)
    assert np.all(np.isfinite(X)) and np.all(X >= 0), "shot noise with non-negative kicks went negative"
    assert np.array_equal(X[0], kw["x0"])
    if kw["gamma"] == 0.0:
        assert np.all(np.diff(X, axis=0) >= 0), "without relaxation x can only grow"
        if kw["law"] == "fixed":
            k = (X[-1] - X[0]) / kw["kick"]
            assert np.allclose(k, np.round(k), atol=1e-9 * max(1.0, float(np.max(k)))), "fixed kicks: not a count"
            lam = kw["rate"] * kw["dt"] * n_steps * X.shape[1]
            if lam > 0:
                assert abs(np.round(k).sum() - lam) <= 8 * math.sqrt(lam) + 8, "Poisson count far from its mean"
    # identical stream, identical result
    from attractors.kramers_moyal import shot_noise
    again = shot_noise(**kw)
    assert np.array_equal(again[1], X)


def _sn_invalid(data):
    which = data.draw(st.sampled_from(["rate", "kick", "law", "n_steps", "rate_dt", "record_every", "gamma", "x0"]),
                      label="case")
    kw = {"x0": np.zeros(3), "n_steps": 10, "dt": 0.1, "rate": 1.0, "kick": 1.0}
    if which == "rate":
        return dict(kw, rate=0.0), "rate"
    if which == "kick":
        return dict(kw, kick=-1.0), "kick"
    if which == "law":
        return dict(kw, law="gauss"), "law"
    if which == "n_steps":
        return dict(kw, x0=np.zeros(1000), n_steps=10**9), "n_steps"
    if which == "rate_dt":
        return dict(kw, rate=1e300, dt=1e300), "rate"
    if which == "record_every":
        return dict(kw, record_every=2**64), "record_every"
    if which == "gamma":
        return dict(kw, gamma=-1.0), "gamma"
    return dict(kw, x0=np.zeros((2, 2))), "x0"


DOMAINS = {
    "jump_moments": Domain(_jm_valid, _jm_check, _jm_invalid),
    "shot_noise": Domain(_sn_valid, _sn_check, _sn_invalid),
}
