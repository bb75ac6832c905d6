"""Domains of ``attractors.curie_weiss``: references in 50-digit decimal arithmetic and exact sums."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain

PREC = 50
#: Inverse temperatures from the high-temperature side through the critical point (beta J = 1, where the
#: equations cancel) to the deep ordered phase and beyond the float range of beta J.
BETAS = st.sampled_from([1e-300, 0.3, 1.0 - 1e-12, 1.0, 1.0 + 1e-15, 1.0 + 1e-12, 1.0 + 1e-8, 1.0 + 1e-4, 1.05, 2.0,
                         30.0, 1e6, 1e300])
FIELDS = st.sampled_from([0.0, 0.0, 1e-300, 1e-30, -1e-12, 1e-5, -0.3, 2.0, 1e300])
COUPLINGS = st.sampled_from([1.0, 1.0, 0.5, 1e-20, 3.0, 1e20])


def D(x):
    return Decimal(float(x))


def dtanh(x):
    """tanh of a Decimal, to the context precision (also for huge or tiny x)."""
    if x > 200:
        return Decimal(1)
    if x < -200:
        return Decimal(-1)
    if abs(x) < Decimal("1e-10"):
        return x - x ** 3 / 3 + 2 * x ** 5 / 15
    e = (2 * x).exp()
    return (e - 1) / (e + 1)


def cw_ref(beta, J, h):
    """Root of m = tanh(beta (J m + h)) of the sign of h (the positive branch at h = 0), by bisection."""
    with localcontext() as ctx:
        ctx.prec = PREC
        b, j, f = D(beta), D(J), D(h)
        if f < 0:
            return -cw_ref(beta, J, -h)
        if f == 0 and b * j <= 1:
            return 0.0

        def g(m):  # sign of tanh(y) - m, with tanh(y)/m - 1 at h = 0 (the root m = 0 divided out)
            y = b * (j * m + f)
            return dtanh(y) - m if f != 0 else dtanh(y) / m - 1
        lo, hi = Decimal("1e-400") if f == 0 else Decimal(0), Decimal(1)
        if g(hi) >= 0:
            return 1.0
        # geometric bisection first (the root may be ~1e-10 or smaller), then arithmetic
        for _ in range(400):
            mid = (lo * hi).sqrt() if lo > 0 and hi / lo > 4 else (lo + hi) / 2
            if g(mid) > 0:
                lo = mid
            else:
                hi = mid
            if hi - lo <= hi * Decimal("1e-30"):
                break
        return float((lo + hi) / 2)


def close(x, ref, rtol, atol=0.0, what=""):
    assert abs(x - ref) <= rtol * abs(ref) + atol, f"{what} {x!r} vs reference {ref!r} (rel {abs(x - ref) / max(abs(ref), 1e-300):.2e})"


# ----------------------------------------------------------------------------- curie_weiss

def _cw_valid(data):
    beta = data.draw(BETAS, label="beta")
    kw = {"beta": beta, "J": data.draw(COUPLINGS, label="J"), "h": data.draw(FIELDS, label="h")}
    if data.draw(st.booleans(), label="array"):
        kw["beta"] = np.array([beta, np.inf, 0.5])
    return kw


def _cw_check(kw, out):
    betas = np.atleast_1d(kw["beta"])
    outs = np.atleast_1d(out)
    assert outs.shape == betas.shape
    for b, m in zip(betas, outs):
        if np.isinf(b):
            ref = 1.0 if kw["h"] >= 0 else -1.0
        else:
            ref = cw_ref(b, kw["J"], kw["h"])
        close(float(m), ref, 1e-13, 1e-300, f"m*(beta={b!r})")


def _cw_invalid(data):
    case = data.draw(st.sampled_from(["b0", "bnan", "bint", "bragged", "bstr", "J0", "Jint", "hnan", "hint"]), label="c")
    return {"b0": ({"beta": 0.0}, "beta"), "bnan": ({"beta": float("nan")}, "beta"),
            "bint": ({"beta": 2**1024}, "beta"), "bragged": ({"beta": [[1.0], [1.0, 2.0]]}, "beta"),
            "bstr": ({"beta": np.array(["a"])}, "beta"), "J0": ({"beta": 2.0, "J": 0.0}, "J"),
            "Jint": ({"beta": 2.0, "J": 2**1024}, "J"), "hnan": ({"beta": 2.0, "h": float("nan")}, "h"),
            "hint": ({"beta": 2.0, "h": -(2**1100)}, "h")}[case]


# ----------------------------------------------------------------------------- free energy and barrier

def _fe_ref(m, beta, J, h):
    with localcontext() as ctx:
        ctx.prec = PREC
        mm, b = D(m), D(beta)
        p, q = (1 + mm) / 2, (1 - mm) / 2
        s = -(p * p.ln() if p > 0 else 0) - (q * q.ln() if q > 0 else 0)
        out = -D(J) / 2 * mm * mm - D(h) * mm - (s / b if not math.isinf(beta) else 0)
        return float(out)


def _fe_valid(data):
    m = data.draw(st.sampled_from([-1.0, -0.999999, -0.5, 0.0, 1e-300, 1e-8, 0.3, 1.0 - 2**-52, 1.0]), label="m")
    beta = data.draw(st.sampled_from([1e-300, 0.5, 1.0, 2.0, 1e10, 1e300, np.inf]), label="beta")
    kw = {"m": m, "beta": beta, "J": data.draw(COUPLINGS, label="J"), "h": data.draw(FIELDS, label="h")}
    if data.draw(st.booleans(), label="array"):
        kw["m"] = np.array([m, -m, 0.25])
    return kw


def _fe_check(kw, out):
    ms = np.atleast_1d(kw["m"])
    fs = np.atleast_1d(out)
    for m, f in zip(ms, fs):
        ref = _fe_ref(m, kw["beta"], kw["J"], kw["h"])
        scale = 0.5 * kw["J"] + abs(kw["h"]) + (math.log(2) / kw["beta"] if not math.isinf(kw["beta"]) else 0)
        close(float(f), ref, 1e-14, 4e-16 * scale, f"f({m!r})")


def _fe_invalid(data):
    case = data.draw(st.sampled_from(["m", "mnan", "b", "over", "ragged"]), label="c")
    return {"m": ({"m": 1.5, "beta": 1.0}, "m"), "mnan": ({"m": [0.1, float("nan")], "beta": 1.0}, "m"),
            "b": ({"m": 0.1, "beta": -1.0}, "beta"), "over": ({"m": 0.5, "beta": 5e-324}, "beta"),
            "ragged": ({"m": [[0.1], [0.2, 0.3]], "beta": 1.0}, "m")}[case]


def _barrier_valid(data):
    return {"beta": data.draw(st.sampled_from([0.5, 1.0, 1.0 + 1e-14, 1.0 + 1e-10, 1.0 + 1e-6, 1.001, 1.3, 2.0, 10.0,
                                               1e3, 1e300]), label="beta"),
            "J": data.draw(st.sampled_from([1.0, 0.7, 1e-3]), label="J")}


def _barrier_check(kw, out):
    beta, J = kw["beta"], kw["J"]
    m = cw_ref(beta, J, 0.0)
    ref = _fe_ref(0.0, beta, J, 0.0) - _fe_ref(m, beta, J, 0.0) if m else 0.0
    if m and m < 0.9:
        with localcontext() as ctx:   # the difference in 50 digits (the float64 f's would cancel)
            ctx.prec = PREC
            mm, T = D(m), 1 / D(beta)
            L = ((1 + mm) * (1 + mm).ln() + (1 - mm) * (1 - mm).ln()) / 2
            ref = float(D(J) * mm * mm / 2 - T * L)
    close(out, ref, 1e-11, 1e-300, "barrier")   # m itself is known to ~1e-15: Delta f ~ m^4 amplifies it 4x
    assert out >= 0.0


def _barrier_invalid(data):
    case = data.draw(st.sampled_from(["inf", "zero", "J"]), label="c")
    return {"inf": ({"beta": np.inf}, "beta"), "zero": ({"beta": 0.0}, "beta"),
            "J": ({"beta": 2.0, "J": -1.0}, "J")}[case]


# ----------------------------------------------------------------------------- exact laws

def _exact_ref(N, beta, J, h):
    """Exact law by 50-digit sums of binom(N, k) e^{beta N (J m^2/2 + h m)} (small N)."""
    with localcontext() as ctx:
        ctx.prec = PREC
        if math.isinf(beta):
            e = [0.5 * J * ((2 * k - N) / N) ** 2 + h * ((2 * k - N) / N) for k in range(N + 1)]
            w = [Decimal(0)] * (N + 1)
            if h >= 0:
                w[N] = Decimal(1)
            if h <= 0:
                w[0] = Decimal(1)
        else:
            b = D(beta)
            ex = [b * N * (D(J) / 2 * (Decimal(2 * k - N) / N) ** 2 + D(h) * Decimal(2 * k - N) / N) for k in range(N + 1)]
            top = max(ex)
            w = [Decimal(math.comb(N, k)) * (x - top).exp() for k, x in enumerate(ex)]
        Z = sum(w)
        return [float(x / Z) for x in w]


def _exact_valid(data):
    N = data.draw(st.sampled_from([1, 2, 3, 10, 57, 200, 2000, 2 * 10**6]), label="N")
    beta = data.draw(st.sampled_from([1e-300, 0.5, 1.0, 1.5, 40.0, 1e10, 1e308, np.inf]), label="beta")
    return {"N": N, "beta": beta, "J": data.draw(st.sampled_from([1.0, 1e-20, 2.0, 1e300]), label="J"),
            "h": data.draw(st.sampled_from([0.0, 1e-14, -0.01, 1e300]), label="h")}


def _exact_check(kw, out):
    m, p = out
    N = kw["N"]
    assert m.shape == p.shape == (N + 1,)
    assert np.all(p >= 0) and abs(p.sum() - 1.0) < 1e-12, "not a probability law"
    if N <= 200:
        ref = _exact_ref(N, kw["beta"], kw["J"], kw["h"])
        # beta N e is known to a few ulp of itself: the log weights carry eps * beta * N * max|e|
        err = 1e-12 + 8e-16 * (0 if math.isinf(kw["beta"]) else kw["beta"] * N * (kw["J"] + abs(kw["h"])))
        if err < 1e-3:
            for k in range(N + 1):
                assert abs(p[k] - ref[k]) <= err * max(ref[k], 1e-300) + 1e-300 or abs(p[k] - ref[k]) < 1e-290 \
                    or abs(math.log(max(p[k], 1e-320)) - math.log(max(ref[k], 1e-320))) < err * 10, \
                    f"p[{k}] = {p[k]!r} vs exact {ref[k]!r}"
    if kw["h"] == 0.0:
        assert np.array_equal(p, p[::-1]), "the law is not symmetric at h = 0"


def _exact_invalid(data):
    case = data.draw(st.sampled_from(["N0", "Nbig", "Nfloat", "b", "h"]), label="c")
    return {"N0": ({"N": 0, "beta": 1.0}, "N"), "Nbig": ({"N": 2 * 10**6 + 1, "beta": 1.0}, "N"),
            "Nfloat": ({"N": 10.0, "beta": 1.0}, "N"), "b": ({"N": 10, "beta": float("nan")}, "beta"),
            "h": ({"N": 10, "beta": 1.0, "h": np.inf}, "h")}[case]


def _moments_valid(data):
    kw = _exact_valid(data)
    kw["N"] = min(kw["N"], 200)
    return kw


def _moments_check(kw, out):
    ref = _exact_ref(kw["N"], kw["beta"], kw["J"], kw["h"])
    ms = [(2 * k - kw["N"]) / kw["N"] for k in range(kw["N"] + 1)]
    a = sum(p * abs(m) for p, m in zip(ref, ms))
    b = sum(p * m * m for p, m in zip(ref, ms))
    err = 1e-11 + 8e-16 * (0 if math.isinf(kw["beta"]) else kw["beta"] * kw["N"] * (kw["J"] + abs(kw["h"])))
    if err < 1e-3:
        close(out[0], a, err, 1e-15, "<|m|>")
        close(out[1], b, err, 1e-15, "<m^2>")


def _efe_valid(data):
    return {"N": data.draw(st.sampled_from([1, 2, 7, 100, 10**5]), label="N"),
            "beta": data.draw(st.sampled_from([1e-300, 0.5, 1.0, 3.0, 1e300]), label="beta"),
            "J": data.draw(st.sampled_from([1.0, 1e-20, 1e300]), label="J"),
            "h": data.draw(st.sampled_from([0.0, -0.5, 1e300]), label="h")}


def _efe_check(kw, out):
    m, f = out
    N, beta, J, h = kw["N"], kw["beta"], kw["J"], kw["h"]
    ks = sorted({0, 1, N // 3, N // 2, N})
    with localcontext() as ctx:
        ctx.prec = PREC
        for k in ks:
            mk = Decimal(2 * k - N) / N
            ref = -(D(J) / 2 * mk * mk + D(h) * mk) - Decimal(math.comb(N, k)).ln() / (D(beta) * N) \
                if N <= 2000 else None
            if ref is not None:
                scale = abs(J) / 2 + abs(h) + float(Decimal(math.comb(N, k)).ln() / (D(beta) * N))
                close(float(f[k]), float(ref), 1e-13, 4e-16 * scale, f"f_N(m[{k}])")


def _efe_invalid(data):
    case = data.draw(st.sampled_from(["over", "inf", "N"]), label="c")
    return {"over": ({"N": 10, "beta": 5e-324}, "beta"), "inf": ({"N": 10, "beta": np.inf}, "beta"),
            "N": ({"N": -3, "beta": 1.0}, "N")}[case]


# ----------------------------------------------------------------------------- escape time and Glauber matrix

def _escape_ref(N, beta, m_from, m_to, J, h):
    with localcontext() as ctx:
        ctx.prec = PREC
        b = D(beta)
        lw = [Decimal(math.comb(N, k)).ln() + b * N * (D(J) / 2 * (Decimal(2 * k - N) / N) ** 2
                                                       + D(h) * Decimal(2 * k - N) / N) for k in range(N + 1)]
        top = max(lw)
        pi = [(x - top).exp() for x in lw]
        k_from = int(round(N * (1.0 + m_from) / 2.0))
        k_to = int(math.floor(N * (1.0 + m_to) / 2.0 + 1e-9))
        total = Decimal(0)
        for k in range(k_to + 1, k_from + 1):
            y = b * (D(J) * (2 * k - N - 1) / N + D(h))
            q = Decimal(k) / N * (1 - dtanh(y)) / 2 if y < 100 else Decimal(k) / N * (-2 * y).exp()
            total += sum(pi[k:]) / (pi[k] * q)
        return float(total / N)


def _escape_valid(data):
    # (N, beta) pairs whose passage times stay within float64 (beta N Delta f < 700), edges included
    N, beta = data.draw(st.sampled_from([(2, 1e-300), (3, 50.0), (10, 50.0), (10, 30.0), (40, 1e-300), (40, 1.5),
                                         (40, 10.0), (400, 0.5), (400, 1.0), (10**5, 0.5), (10**5, 1.0)]), label="N beta")
    if N <= 40:
        m_from = data.draw(st.sampled_from([1.0, 0.5, 0.0]), label="m_from")
        m_to = data.draw(st.sampled_from([-1.0, -0.5, 0.2 * m_from - 0.1]), label="m_to")
    else:   # far from the mode the passage time grows like e^{c N}: stop at m = 0
        m_from, m_to = data.draw(st.sampled_from([1.0, 0.5]), label="m_from"), 0.0
    return {"N": N, "beta": beta, "m_from": m_from, "m_to": min(m_to, m_from - 0.05),
            "J": data.draw(st.sampled_from([1.0, 0.6]), label="J"), "h": data.draw(st.sampled_from([0.0, 0.01]), label="h")}


def _escape_check(kw, out):
    assert out >= 0.0 and math.isfinite(out)
    if kw["N"] <= 40:
        close(out, _escape_ref(**kw), 1e-10, 0.0, "passage time")


def _escape_invalid(data):
    case = data.draw(st.sampled_from(["order", "N", "b", "mnan", "over"]), label="c")
    base = {"N": 10, "beta": 1.0, "m_from": 1.0, "m_to": -1.0}
    if case == "order":
        return dict(base, m_from=-0.5, m_to=0.5), "m_to"
    if case == "N":
        return dict(base, N=1), "N"
    if case == "b":
        return dict(base, beta=np.inf), "beta"
    if case == "over":
        return dict(base, N=5000, beta=10.0), "beta"
    return dict(base, m_from=float("nan")), "m_from"


def _glauber_valid(data):
    return {"N": data.draw(st.sampled_from([1, 2, 5, 50, 4000]), label="N"),
            "beta": data.draw(st.sampled_from([1e-300, 0.5, 1.0, 40.0, 1e300, np.inf]), label="beta"),
            "J": data.draw(st.sampled_from([1.0, 2.0]), label="J"), "h": data.draw(st.sampled_from([0.0, -0.2]), label="h"),
            "sparse": data.draw(st.booleans(), label="sparse")}


def _glauber_check(kw, out):
    W = out.toarray() if kw["sparse"] else out
    N, beta, J, h = kw["N"], kw["beta"], kw["J"], kw["h"]
    assert W.shape == (N + 1, N + 1)
    assert np.all(W >= 0) and np.allclose(W.sum(axis=1), 1.0, rtol=0, atol=1e-14)
    # up- and down-rates against 50-digit heat-bath probabilities, relative (no underflow to 0)
    with localcontext() as ctx:
        ctx.prec = PREC
        for k in sorted({0, N // 2, N - 1}):
            if k >= N:
                continue
            y = D(beta) * (D(J) * (2 * k - N + 1) / N + D(h)) if not math.isinf(beta) else None
            if y is None:
                continue
            up = Decimal(N - k) / N / (1 + (-2 * y).exp()) if y > -300 else Decimal(N - k) / N * (2 * y).exp()
            close(W[k, k + 1], float(up), 1e-13, 1e-300, f"W[{k},{k + 1}]")


def _glauber_invalid(data):
    case = data.draw(st.sampled_from(["dense", "sparse", "N"]), label="c")
    return {"dense": ({"N": 4001, "beta": 1.0}, "N"), "sparse": ({"N": 5, "beta": 1.0, "sparse": 1}, "sparse"),
            "N": ({"N": 2 * 10**6 + 1, "beta": 1.0, "sparse": True}, "N")}[case]


DOMAINS = {
    "curie_weiss": Domain(_cw_valid, _cw_check, _cw_invalid),
    "curie_weiss_free_energy": Domain(_fe_valid, _fe_check, _fe_invalid),
    "curie_weiss_barrier": Domain(_barrier_valid, _barrier_check, _barrier_invalid),
    "curie_weiss_exact": Domain(_exact_valid, _exact_check, _exact_invalid),
    "curie_weiss_exact_moments": Domain(_moments_valid, _moments_check, _exact_invalid),
    "curie_weiss_exact_free_energy": Domain(_efe_valid, _efe_check, _efe_invalid),
    "curie_weiss_escape_time": Domain(_escape_valid, _escape_check, _escape_invalid),
    "curie_weiss_glauber_matrix": Domain(_glauber_valid, _glauber_check, _glauber_invalid),
}
