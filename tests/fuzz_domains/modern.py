"""Domains of ``attractors.modern``: 50-digit decimal evaluations of the definitions, fixed-point and path
invariants of the retrieval."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain

PREC = 50
SCALES = st.sampled_from([1e-150, 1e-8, 1.0, 10.0, 1e100, 9e149])
BETAS = st.sampled_from([5e-324, 1e-300, 1e-6, 0.5, 3.0, 1e4, 1e300])


def D(x):
    return Decimal(float(x))


def _patterns(data, max_p=6, max_n=5):
    P = data.draw(st.integers(1, max_p), label="P")
    N = data.draw(st.integers(1, max_n), label="N")
    scale = data.draw(SCALES, label="scale")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    g = np.random.default_rng(seed)
    X = g.standard_normal((P, N))
    X *= scale * g.uniform(0.5, 1.0, (P, 1)) / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-300)
    if data.draw(st.booleans(), label="dup") and P > 1:
        X[1] = X[0]                     # a repeated pattern: ties in every score
    return X, g


def _states(data, X, g, name="xi"):
    P, N = X.shape
    kind = data.draw(st.sampled_from(["pattern", "near", "random", "batch", "zero"]), label=name)
    if kind == "pattern":
        return X[0].copy()
    if kind == "near":
        return X[0] * (1 + 1e-9)
    if kind == "zero":
        return np.zeros(N)
    M = np.linalg.norm(X, axis=1).max()
    u = g.standard_normal(N)
    u *= M / max(np.linalg.norm(u), 1e-300)
    if kind == "batch":
        return np.vstack([X[0], u, np.zeros(N)])
    return u


def _dot(a, b):
    return sum(D(x) * D(y) for x, y in zip(a, b))


def _energy_ref(X, xi, beta):
    """-lse(beta, X xi) + xi.xi/2 + log(P)/beta + M^2/2 in decimals (and the scale of its terms)."""
    with localcontext() as ctx:
        ctx.prec = PREC
        b = D(beta)
        v = [_dot(x, xi) for x in X]
        top = max(v)
        spread = max(top - vi for vi in v)
        if b * spread < Decimal("1e-20"):   # exp would round to 1 at 50 digits: the cumulant series
            k1 = sum(vi - top for vi in v) / len(v)
            k2 = sum((vi - top - k1) ** 2 for vi in v) / len(v)
            lse_minus = top + k1 + b * k2 / 2
        else:
            lse_minus = top + (sum(((vi - top) * b).exp() for vi in v) / len(v)).ln() / b
        M2 = max(_dot(x, x) for x in X)
        xx = _dot(xi, xi)
        e = -lse_minus + xx / 2 + M2 / 2
        return float(e), float(abs(top) + xx / 2 + M2 / 2)


def _valid(data):
    X, g = _patterns(data)
    return {"X": X, "xi": _states(data, X, g), "beta": data.draw(BETAS, label="beta")}


def _energy_check(kw, out):
    X, beta = kw["X"], kw["beta"]
    for xi, e in zip(np.atleast_2d(kw["xi"]), np.atleast_1d(out)):
        ref, scale = _energy_ref(X, xi, beta)
        assert abs(e - ref) <= 2e-15 * scale + 1e-300, f"E = {e!r} vs {ref!r} (terms of size {scale:.3g})"


def _energy_g_check(kw, out):
    X, beta = kw["X"], kw["beta"]
    for xi, e in zip(np.atleast_2d(kw["xi"]), np.atleast_1d(out)):
        ref, scale = _energy_ref(X, xi, beta)
        with localcontext() as ctx:   # the Gaussian form's own terms: distances, not overlaps
            ctx.prec = PREC
            d2 = max(_dot(xi - x, xi - x) for x in X) + max(_dot(x, x) for x in X)
        assert abs(e - ref) <= 4e-15 * float(d2) + 2e-15 * abs(ref) + 1e-300, f"E = {e!r} vs {ref!r}"


def _invalid(data, xi_name="xi", extra=None):
    c = data.draw(st.sampled_from(["Xnan", "Xhuge", "Xragged", "Xstr", "width", "xinan", "beta0", "betainf"]), label="c")
    X = np.eye(3)
    base = dict(extra or {})
    return {"Xnan": (dict(base, X=[[1.0, np.nan]], **{xi_name: [1.0, 0.0]}, beta=1.0), "X"),
            "Xhuge": (dict(base, X=[[1e200, 0.0]], **{xi_name: [1.0, 0.0]}, beta=1.0), "X"),
            "Xragged": (dict(base, X=[[1.0], [1.0, 2.0]], **{xi_name: [1.0, 0.0]}, beta=1.0), "X"),
            "Xstr": (dict(base, X=np.array([["a", "b"]]), **{xi_name: [1.0, 0.0]}, beta=1.0), "X"),
            "width": (dict(base, X=X, **{xi_name: np.zeros(4)}, beta=1.0), xi_name),
            "xinan": (dict(base, X=X, **{xi_name: [np.nan, 0.0, 0.0]}, beta=1.0), xi_name),
            "beta0": (dict(base, X=X, **{xi_name: np.zeros(3)}, beta=0.0), "beta"),
            "betainf": (dict(base, X=X, **{xi_name: np.zeros(3)}, beta=2**1024), "beta")}[c]


def _softmax_ref(X, xi, beta):
    with localcontext() as ctx:
        ctx.prec = PREC
        b = D(beta)
        v = [_dot(x, xi) for x in X]
        top = max(v)
        w = [((vi - top) * b).exp() for vi in v]
        Z = sum(w)
        return [wi / Z for wi in w]


def _update_check(kw, out):
    X, beta = kw["X"], kw["beta"]
    outs = np.atleast_2d(out)
    for xi, o in zip(np.atleast_2d(kw["xi"]), outs):
        p = _softmax_ref(X, xi, beta)
        for n in range(X.shape[1]):
            ref = float(sum(pi * D(x[n]) for pi, x in zip(p, X)))
            assert abs(o[n] - ref) <= 1e-13 * np.abs(X[:, n]).max() + 1e-300, f"update[{n}] {o[n]!r} vs {ref!r}"


def _update_invalid(data):
    if data.draw(st.booleans(), label="budget"):
        return {"X": np.zeros((10**5, 1)) + 1.0, "xi": np.zeros((5 * 10**5, 1)), "beta": 1.0}, "xi"
    return _invalid(data)


def _retrieve_valid(data):
    X, g = _patterns(data)
    kw = {"X": X, "xi0": _states(data, X, g, "xi0"), "beta": data.draw(BETAS, label="beta"),
          "tol": data.draw(st.sampled_from([0.0, 1e-12, 1e-3]), label="tol"),
          "max_iter": data.draw(st.sampled_from([1, 50, 2000]), label="max_iter")}
    if data.draw(st.booleans(), label="big batch"):   # the batched path (B P N >= 2**15) on the same queries
        kw["xi0"] = np.repeat(np.atleast_2d(kw["xi0"]), 2**15 // X.size + 1, axis=0)
    return kw


def _retrieve_check(kw, out):
    from attractors.modern import _retrieve_reference, update
    X, beta, tol, max_iter = kw["X"], kw["beta"], kw["tol"], kw["max_iter"]
    F, its = out
    F2, its2 = np.atleast_2d(F), np.atleast_1d(its)
    Q = np.atleast_2d(kw["xi0"])
    uniq, first = np.unique(Q, axis=0, return_index=True)
    ref, ref_its = _retrieve_reference(X, uniq, beta, tol, max_iter)   # plain NumPy, query by query
    scale = np.abs(X).max()
    for k, i in enumerate(first):
        rows = np.all(Q == Q[i], axis=1)
        assert np.all(np.abs(F2[rows] - ref[k]) <= 1e-9 * scale + max(tol, 0) * 10), "paths disagree on a query"
        assert np.all(its2[rows] == its2[i]), "identical queries stopped at different iterations"
    assert np.all((its2 >= 1) & (its2 <= max_iter))
    done = its2 < max_iter
    if done.any() and tol > 0:
        step = np.max(np.abs(update(X, F2[done], beta) - F2[done]), axis=1)
        assert np.all(step <= 2 * tol + 1e-12 * scale), "a stopped query is not a fixed point to tol"


def _retrieve_invalid(data):
    c = data.draw(st.sampled_from(["budget", "max_iter", "tol", "other"]), label="case")
    if c == "budget":
        return {"X": np.ones((1000, 100)), "xi0": np.zeros((1000, 100)), "beta": 1.0, "max_iter": 10**6}, "max_iter"
    if c == "max_iter":
        return {"X": np.eye(2), "xi0": np.zeros(2), "beta": 1.0, "max_iter": 2**64}, "max_iter"
    if c == "tol":
        return {"X": np.eye(2), "xi0": np.zeros(2), "beta": 1.0, "tol": 2**1024}, "tol"
    return _invalid(data, "xi0")


def _jac_check(kw, out):
    X, beta = kw["X"], kw["beta"]
    Js = out if np.ndim(kw["xi"]) == 2 else out[None]
    for xi, J in zip(np.atleast_2d(kw["xi"]), Js):
        assert np.array_equal(J, J.T) or np.allclose(J, J.T, rtol=1e-14, atol=0), "not symmetric"
        p = _softmax_ref(X, xi, beta)
        N = X.shape[1]
        with localcontext() as ctx:
            ctx.prec = PREC
            mean = [sum(pi * D(x[n]) for pi, x in zip(p, X)) for n in range(N)]
            for i in range(N):
                for j in range(N):
                    cov = sum(pi * (D(x[i]) - mean[i]) * (D(x[j]) - mean[j]) for pi, x in zip(p, X))
                    ref = float(D(beta) * cov)
                    scale = beta * float(np.max(np.abs(X))) ** 2
                    assert abs(J[i, j] - ref) <= 1e-13 * scale + 1e-300, f"J[{i},{j}] {J[i, j]!r} vs {ref!r}"


def _jac_invalid(data):
    if data.draw(st.booleans(), label="budget"):
        return {"X": np.ones((1, 4000)), "xi": np.zeros((200, 4000)), "beta": 1.0}, "xi"
    return _invalid(data)


# ----------------------------------------------------------------------------- pattern geometry

def _X_valid(data):
    X, _ = _patterns(data)
    return {"X": X}


def _sep_check(kw, out):
    X = kw["X"]
    P = X.shape[0]
    if P == 1:
        assert np.all(np.isinf(out))
        return
    for i in range(P):
        ref = _dot(X[i], X[i]) - max(_dot(X[i], X[j]) for j in range(P) if j != i)
        scale = float(_dot(X[i], X[i])) + float(max(abs(_dot(X[i], X[j])) for j in range(P)))
        assert abs(out[i] - float(ref)) <= 4e-15 * scale, f"Delta_{i} {out[i]!r} vs {float(ref)!r}"


def _X_invalid(data):
    c = data.draw(st.sampled_from(["nan", "huge", "empty", "ragged", "3d"]), label="c")
    return {"nan": ({"X": [[np.nan]]}, "X"), "huge": ({"X": [[1.7e308]]}, "X"), "empty": ({"X": np.zeros((0, 3))}, "X"),
            "ragged": ({"X": [[1.0], [1.0, 2.0]]}, "X"), "3d": ({"X": np.zeros((2, 2, 2))}, "X")}[c]


def _sep_invalid(data):
    if data.draw(st.booleans(), label="budget"):
        return {"X": np.zeros((20000, 1))}, "X"
    return _X_invalid(data)


def _maxnorm_check(kw, out):
    with localcontext() as ctx:
        ctx.prec = PREC
        ref = float(max(_dot(x, x) for x in kw["X"]).sqrt())
    assert abs(out - ref) <= 2e-16 * ref * 4, f"M = {out!r} vs {ref!r}"


def _mmax_check(kw, out):
    X = kw["X"]
    with localcontext() as ctx:
        ctx.prec = PREC
        P, N = X.shape
        mean = [sum(D(x[n]) for x in X) / P for n in range(N)]
        ref = float(max(sum((D(x[n]) - mean[n]) ** 2 for n in range(N)) for x in X))
        scale = float(max(_dot(x, x) for x in X))
    assert abs(out - ref) <= 1e-14 * scale + 1e-300, f"m_max^2 = {out!r} vs {ref!r}"


def _sep_X(data):
    """Patterns with a positive minimum separation (P >= 2): distinct unit-ish vectors."""
    P = data.draw(st.integers(2, 6), label="P")
    N = data.draw(st.integers(2, 5), label="N")
    scale = data.draw(st.sampled_from([1e-100, 1e-3, 1.0, 30.0, 1e100]), label="scale")
    g = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    X = g.standard_normal((P, N))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return X * scale


def _tc_valid(data):
    kw = {"X": _sep_X(data)}
    if data.draw(st.booleans(), label="delta"):
        kw["delta"] = data.draw(st.sampled_from([1e-300, 1e-3, 1.0, 1e300]), label="delta value")
    return kw


def _tc_check(kw, out):
    a, b = out
    X = kw["X"]
    P = X.shape[0]
    delta = kw.get("delta")
    with localcontext() as ctx:
        ctx.prec = PREC
        if delta is None:
            delta = min(_dot(X[i], X[i]) - max(_dot(X[i], X[j]) for j in range(P) if j != i) for i in range(P))
            if delta <= 0:
                return
        d = D(delta) if not isinstance(delta, Decimal) else delta
        M2 = max(_dot(x, x) for x in X)
        rb = 1 / d
        ra = rb * (Decimal(2) / P + (2 * (P - 1) * P * M2).ln())
    assert abs(b - float(rb)) <= 1e-10 * float(rb), f"b = {b!r} vs {float(rb)!r}"
    assert abs(a - float(ra)) <= 1e-10 * abs(float(ra)) + 1e-12 * float(rb), f"a = {a!r} vs {float(ra)!r}"


def _tc_invalid(data):
    c = data.draw(st.sampled_from(["P1", "delta0", "deltatiny", "deltastr"]), label="c")
    X = np.eye(3)
    return {"P1": ({"X": [[1.0, 0.0]]}, "X"), "delta0": ({"X": X, "delta": 0.0}, "delta"),
            "deltatiny": ({"X": X, "delta": 5e-324}, "delta"), "deltastr": ({"X": X, "delta": "1"}, "delta")}[c]


def _tr_check(kw, out):
    from attractors.modern import threshold_coefficients
    lo, hi = out
    try:
        a, b = threshold_coefficients(kw["X"], kw.get("delta"))
    except ValueError:
        return
    if math.isnan(lo):
        assert math.isnan(hi)
        # no real root: beta - a - b log beta > 0 at its minimum beta = b
        assert b - a - b * math.log(b) > -1e-9 * max(1.0, abs(a), b)
        return
    assert lo <= b * (1 + 1e-12) and hi >= b * (1 - 1e-12)
    for root in (lo, hi):
        if root > 0 and math.isfinite(root):
            res = root - a - b * math.log(root)
            assert abs(res) <= 1e-9 * max(abs(root), abs(a), b * abs(math.log(root))), f"root {root!r}: residual {res!r}"


def _bt_valid(data):
    X = _sep_X(data)
    if data.draw(st.booleans(), label="single"):
        X = X[:1]
    if data.draw(st.booleans(), label="dup") and X.shape[0] > 1:
        X[1] = X[0]
    return {"X": X}


def _bt_check(kw, out):
    from attractors.modern import separation, threshold_roots
    X = kw["X"]
    if X.shape[0] == 1:
        assert out == 0.0
        return
    if np.min(separation(X)) <= 0:
        assert out == math.inf
        return
    lo, hi = threshold_roots(X)
    assert out == (0.0 if math.isnan(hi) else hi)


DOMAINS = {
    "energy": Domain(_valid, _energy_check, _invalid),
    "energy_gaussian": Domain(_valid, _energy_g_check, _invalid),
    "update": Domain(_valid, _update_check, _update_invalid),
    "retrieve": Domain(_retrieve_valid, _retrieve_check, _retrieve_invalid),
    "jacobian": Domain(_valid, _jac_check, _jac_invalid),
    "separation": Domain(_X_valid, _sep_check, _sep_invalid),
    "max_norm": Domain(_X_valid, _maxnorm_check, _X_invalid),
    "m_max_sq": Domain(_X_valid, _mmax_check, _X_invalid),
    "threshold_coefficients": Domain(_tc_valid, _tc_check, _tc_invalid),
    "threshold_roots": Domain(_tc_valid, _tr_check, _tc_invalid),
    "beta_threshold": Domain(_bt_valid, _bt_check, _X_invalid),
}
