"""Domains of ``attractors.numerics``: 60-digit decimal references and the shift invariance of lse/softmax."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain

PREC = 60
SCALES = st.sampled_from([1e-300, 1e-8, 1.0, 1e8, 1e300, 1.7e308])
BETAS = st.sampled_from([5e-324, 1e-300, 1e-8, 1.0, 3.0, 1e8, 1e300, np.inf])


def D(x):
    return Decimal(float(x))


def _vector(data, min_n=1, max_n=50):
    n = data.draw(st.integers(min_n, max_n), label="n")
    scale = data.draw(SCALES, label="scale")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    x = np.random.default_rng(seed).uniform(-1, 1, n) * scale
    kind = data.draw(st.sampled_from(["plain", "ties", "-inf", "offset"]), label="kind")
    if kind == "ties":
        x[: max(1, n // 2)] = x.max()
    elif kind == "-inf" and n > 1:
        x[0] = -np.inf
    elif kind == "offset":
        x = x / 4 + scale / 2
    return x


def _lse_ref(x, beta):
    finite = [v for v in x if math.isfinite(v)]
    top = max(finite)
    if math.isinf(beta):
        return top
    with localcontext() as ctx:
        ctx.prec = PREC
        b = D(beta)
        s = sum(((D(v) - D(top)) * b).exp() for v in finite)
        return float(D(top) + s.ln() / b)


def _lse_valid(data):
    x = _vector(data)
    kw = {"x": x, "beta": data.draw(BETAS, label="beta")}
    if data.draw(st.booleans(), label="2d"):
        kw["x"] = np.vstack([x, x[::-1]])
        kw["axis"] = data.draw(st.sampled_from([-1, 1]), label="axis")
    return kw


def _lse_check(kw, out):
    x, beta = np.atleast_2d(kw["x"]), kw["beta"]
    outs = np.atleast_1d(out)
    for row, o in zip(x, outs):
        with localcontext() as ctx:
            ctx.prec = PREC
            finite = [v for v in row if math.isfinite(v)]
            big = float(D(max(finite)) + (Decimal(len(finite)).ln() / D(beta) if not math.isinf(beta) else 0))
        if abs(big) > 1.79e308:
            assert o == np.inf, "a true value beyond the float range must overflow to inf"
            continue
        ref = _lse_ref(row, beta)
        assert abs(o - ref) <= 4e-16 * max(abs(ref), max(abs(v) for v in row if math.isfinite(v))) + 1e-300, \
            f"lse {o!r} vs {ref!r}"
    # shift invariance: lse(x + c) = lse(x) + c for an exactly representable shift
    row = x[0]
    if np.all(np.abs(row[np.isfinite(row)]) < 1e300) and math.isfinite(outs[0]):
        from attractors.numerics import logsumexp
        c = 2.0 ** math.floor(math.log2(max(1e-300, float(np.max(np.abs(row[np.isfinite(row)]))))))
        shifted = logsumexp(row + c, beta)
        assert abs(shifted - (outs[0] + c)) <= 8e-16 * (abs(outs[0]) + c), "lse(x + c) != lse(x) + c"


def _lse_invalid(data):
    c = data.draw(st.sampled_from(["empty", "nan", "+inf", "beta0", "betaint", "ragged", "str", "axis"]), label="c")
    return {"empty": ({"x": np.array([])}, "x"), "nan": ({"x": [1.0, np.nan]}, "x"), "+inf": ({"x": [np.inf]}, "x"),
            "beta0": ({"x": [1.0], "beta": 0.0}, "beta"), "betaint": ({"x": [1.0], "beta": 2**1024}, "beta"),
            "ragged": ({"x": [[1.0], [1.0, 2.0]]}, "x"), "str": ({"x": np.array(["a"])}, "x"),
            "axis": ({"x": [1.0], "axis": 2**64}, "axis")}[c]


def _sm_valid(data):
    return _lse_valid(data)


def _sm_check(kw, out):
    x, beta = np.atleast_2d(kw["x"]), kw["beta"]
    p = np.atleast_2d(out)
    assert p.shape == x.shape
    assert np.all(p >= 0) and np.allclose(p.sum(axis=-1), 1.0, rtol=0, atol=4e-15), "not normalised"
    for row, pr in zip(x, p):
        finite = [v for v in row if math.isfinite(v)]
        top = max(finite)
        if math.isinf(beta):
            ties = row == top
            assert np.allclose(pr, ties / ties.sum(), rtol=0, atol=1e-16)
            continue
        with localcontext() as ctx:
            ctx.prec = PREC
            b = D(beta)
            w = [((D(v) - D(top)) * b).exp() if math.isfinite(v) else Decimal(0) for v in row]
            Z = sum(w)
            for k, wk in enumerate(w):
                ref = float(wk / Z)
                assert abs(pr[k] - ref) <= 1e-14 * ref + 1e-300, f"p[{k}] = {pr[k]!r} vs {ref!r}"


def _sm_invalid(data):
    c = data.draw(st.sampled_from(["allinf", "nan", "beta"]), label="c")
    return {"allinf": ({"x": [-np.inf, -np.inf]}, "x"), "nan": ({"x": [[1.0, np.nan]]}, "x"),
            "beta": ({"x": [1.0], "beta": -1.0}, "beta")}[c]


# ----------------------------------------------------------------------------- logcosh and the Langevin family

ARGS = st.sampled_from([0.0, 5e-324, 1e-300, 1e-8, 0.1, 0.29999999999999993, 0.3, 0.9999999999999999, 1.0, 5.0, 19.0,
                        30.0, 710.0, 1e8, 1e154, 1e300, 1.7e308])


def _args_valid(data):
    v = data.draw(ARGS, label="b")
    sign = data.draw(st.sampled_from([1.0, -1.0]), label="sign")
    if data.draw(st.booleans(), label="array"):
        return np.array([sign * v, -sign * v, 0.25, np.inf * sign])
    return sign * v


def _dcoth_minus_inv(b):
    """coth b - 1/b in decimals (series for tiny b)."""
    if b == 0:
        return Decimal(0)
    if abs(b) < Decimal("1e-20"):
        return b / 3 - b ** 3 / 45
    if abs(b) > 200:
        return (1 if b > 0 else -1) * (1 + 2 * (-2 * abs(b)).exp()) - 1 / b
    e = (2 * b).exp()
    return (e + 1) / (e - 1) - 1 / b


def _check_family(name, ref_fn, rtol, atol=0.0):
    def check(kw, out):
        xs = np.atleast_1d(kw[name])
        os_ = np.atleast_1d(out)
        for x, o in zip(xs, os_):
            with localcontext() as ctx:
                ctx.prec = PREC
                ref = ref_fn(x)
            assert o == ref or abs(o - ref) <= rtol * abs(ref) + atol, f"{name}={x!r}: {o!r} vs {ref!r}"
    return check


def _logcosh_ref(x):
    if math.isinf(x):
        return math.inf
    a = abs(D(x))
    if a < Decimal("1e-20"):
        return float(a * a / 2)
    return float(a + (1 + (-2 * a).exp()).ln() - Decimal(2).ln())


def _langevin_ref(b):
    if math.isinf(b):
        return math.copysign(1.0, b)
    return float(_dcoth_minus_inv(D(b)))


def _lprime_ref(b):
    if math.isinf(b):
        return 0.0
    x = abs(D(b))
    if x == 0:
        return 1 / 3
    if x < Decimal("1e-20"):
        return float(Decimal(1) / 3 - x * x / 15)
    if x > 200:
        return float(1 / (x * x) - 4 * (-2 * x).exp())
    s = ((x.exp() - (-x).exp()) / 2)
    return float(1 / (x * x) - 1 / (s * s))


def _lsc_ref(b):
    if math.isinf(b):
        return math.inf
    x = abs(D(b))
    if x == 0:
        return math.log(2)
    if x < Decimal("1e-20"):
        return float(Decimal(2).ln() + x * x / 6)
    return float(x + (1 - (-2 * x).exp()).ln() - x.ln())


def _family_invalid(name):
    def invalid(data):
        c = data.draw(st.sampled_from(["nan", "str", "ragged", "complex"]), label="c")
        return {"nan": ({name: [0.5, np.nan]}, name), "str": ({name: "x"}, name),
                "ragged": ({name: [[1.0], [1.0, 2.0]]}, name), "complex": ({name: np.array([1j])}, name)}[c]
    return invalid


DOMAINS = {
    "logsumexp": Domain(_lse_valid, _lse_check, _lse_invalid),
    "softmax": Domain(_sm_valid, _sm_check, _sm_invalid),
    "logcosh": Domain(lambda d: {"x": _args_valid(d)}, _check_family("x", _logcosh_ref, 4e-16), _family_invalid("x")),
    "langevin": Domain(lambda d: {"b": _args_valid(d)}, _check_family("b", _langevin_ref, 1e-15, 1e-320),
                       _family_invalid("b")),
    "langevin_prime": Domain(lambda d: {"b": _args_valid(d)}, _check_family("b", _lprime_ref, 1e-15, 1e-320),
                             _family_invalid("b")),
    "log_sinhc2": Domain(lambda d: {"b": _args_valid(d)}, _check_family("b", _lsc_ref, 4e-16), _family_invalid("b")),
}
