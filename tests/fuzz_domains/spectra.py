"""Domains of ``attractors.spectra``: Wishart draws, the Marchenko--Pastur law, Tracy--Widom edges."""

from __future__ import annotations

import math
from decimal import Decimal, getcontext

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain

RATIOS = st.sampled_from([1e-16, 1e-12, 1e-6, 0.01, 0.2499, 0.25, 0.5, 1 - 1e-12, 1.0, 1 + 1e-12, 4.0, 1e6, 1e16])
VARIANCES = st.sampled_from([1e-100, 1e-8, 1.0, 3.0, 1e8, 1e100])


def _cont_reference(u, y):
    """Continuous mass below u (variance units), y <= 1: the Chebyshev series summed in 60-digit decimals for
    y <= 1/4, adaptive quadrature of the cancellation-free integrand above (terms of order one there)."""
    getcontext().prec = 60
    if y > 0.25:
        from scipy.integrate import quad
        r = math.sqrt(y)
        th = math.acos(max(-1.0, min(1.0, (y - (u - 1.0)) / (2 * r))))
        def f(ph):  # sin^2 / (1 - 2 r cos + r^2), written without 0/0 at r = 1, phi = 0
            s2h = math.sin(ph / 2) ** 2
            return 4 * s2h * (1 - s2h) / ((1 - r) ** 2 + 4 * r * s2h) if s2h else 0.0
        w = max(1 - r, 1e-300)  # the width of the integrand's step near phi = 0
        pts = sorted({p for p in (w, 10 * w, 100 * w, 1e-6, 1e-3, 1e-1) if p < th})
        return 2 / math.pi * quad(f, 0, th, epsabs=1e-17, epsrel=1e-14, limit=500, points=pts or None)[0]
    r = Decimal(y).sqrt()
    c = (Decimal(y) - (Decimal(u) - 1)) / (2 * r)
    c = max(Decimal(-1), min(Decimal(1), c))
    th = math.acos(float(c))  # theta to double precision is enough for a 1e-13 reference
    total, rk = Decimal(0), Decimal(1)
    S = [Decimal(th)] + [Decimal(math.sin(k * th)) / k for k in range(1, 200)]
    k = 0
    while rk > Decimal(10) ** -40 and k + 2 < len(S):
        total += rk * (S[k] - S[k + 2])
        rk *= r
        k += 1
    return float(total / Decimal(math.pi))


def _points(data, y, s2):
    from attractors.spectra import marchenko_pastur_edges
    lo, hi = marchenko_pastur_edges(y, s2)
    ts = data.draw(st.lists(st.sampled_from([-0.5, 0.0, 1e-9, 1e-3, 0.3, 0.5, 0.999, 1 - 1e-12, 1.0, 1.5]),
                            min_size=1, max_size=8), label="positions")
    xs = [lo + (hi - lo) * t for t in ts] + data.draw(st.lists(st.sampled_from([0.0, -1e300, 1e300, 5e-324]),
                                                                 max_size=2), label="far points")
    return np.array(xs)


def _pdf_valid(data):
    y, s2 = data.draw(RATIOS, label="ratio"), data.draw(VARIANCES, label="variance")
    return {"x": _points(data, y, s2), "ratio": y, "variance": s2}


def _pdf_check(kw, out):
    y, s2, xs = kw["ratio"], kw["variance"], kw["x"]
    assert np.all(out >= 0) and not np.any(np.isnan(out))
    getcontext().prec = 60
    r = Decimal(y).sqrt()
    for x, o in zip(xs, out):
        u = Decimal(x) / Decimal(s2)
        a, c = (1 + r) ** 2 - u, u - (1 - r) ** 2  # distances to the edges
        if x <= 0 or a < 0 or c < 0:
            assert o == 0.0 or (y == 1.0 and x == 0.0 and o == math.inf), f"density {o} outside the support at {x}"
            continue
        if a == 0 or c == 0:
            assert o <= 1e-6 * float(1 / (Decimal(s2) * Decimal(y))) or (c == 0 and y == 1.0)
            continue
        ref = (a * c).sqrt() / (2 * Decimal(math.pi) * Decimal(y) * u) / Decimal(s2)
        # the density's condition number in x (a relative error eps in x / variance moves it by this much)
        cond = 1 + float(u / min(a, c))
        assert abs(o - float(ref)) <= 4e-16 * cond * float(ref), f"density {o!r} vs {float(ref)!r} at x={x!r}"
    # normalisation on the theta parametrisation (Gauss-Legendre): mass min(1, 1/y)
    from attractors.spectra import marchenko_pastur_pdf
    gx, gw = np.polynomial.legendre.leggauss(120)
    th = 0.5 * np.pi * (gx + 1)
    h = 2 * math.sqrt(y)
    dens = marchenko_pastur_pdf((1.0 + (y - h * np.cos(th))) * s2, y, s2)
    mass = 0.5 * np.pi * np.sum(gw * dens * h * np.sin(th)) * s2
    assert abs(mass - min(1.0, 1 / y)) <= 1e-8 * min(1.0, 1 / y), f"mass {mass!r} vs {min(1.0, 1 / y)!r}"


def _cdf_valid(data):
    y, s2 = data.draw(RATIOS, label="ratio"), data.draw(VARIANCES, label="variance")
    return {"x": _points(data, y, s2), "ratio": y, "variance": s2}


def _cdf_check(kw, out):
    from attractors.spectra import marchenko_pastur_atom, marchenko_pastur_cdf, marchenko_pastur_edges
    y, s2, xs = kw["ratio"], kw["variance"], kw["x"]
    assert np.all((out >= 0) & (out <= 1))
    atom = marchenko_pastur_atom(y)
    for x, o in zip(xs, out):
        u = x / s2
        if x < 0:
            assert o == 0.0, f"F({x!r}) = {o!r} below 0"
            continue
        if y <= 1:
            ref = _cont_reference(u, y)
        else:  # duality: the continuous part of the ratio-y law is 1/y times the ratio-1/y law at u/y
            ref = _cont_reference(u / y, 1 / y) / y
        assert abs(o - (atom + ref)) <= 1e-13 * min(1.0, 1 / y) + 2.3e-16, f"F({x!r}) = {o!r} vs {atom + ref!r}"
    lo, hi = marchenko_pastur_edges(y, s2)
    grid = np.sort(np.concatenate([np.linspace(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo), 2001), xs]))
    c = marchenko_pastur_cdf(grid, y, s2)
    assert np.all(np.diff(c) >= 0), "the CDF is not monotone"
    assert marchenko_pastur_cdf(hi * (1 + 1e-15), y, s2) == 1.0


def _ratio_invalid(data, fn):
    case = data.draw(st.sampled_from(["ratio_lo", "ratio_hi", "ratio_nan", "variance", "x", "big_int"]), label="case")
    base = {"ratio": 0.5} if fn == "atom" else {"ratio": 0.5, "variance": 1.0}
    if fn in ("pdf", "cdf"):
        base["x"] = [1.0]
    if case == "ratio_lo":
        return {**base, "ratio": 1e-30}, "ratio"
    if case == "ratio_hi":
        return {**base, "ratio": 1e30}, "ratio"
    if case == "ratio_nan":
        return {**base, "ratio": math.nan}, "ratio"
    if case == "big_int":
        return {**base, "ratio": 2**1100}, "ratio"
    if case == "variance" and fn != "atom":
        return {**base, "variance": data.draw(st.sampled_from([0.0, 1e300, -1.0]))}, "variance"
    if case == "x" and fn in ("pdf", "cdf"):
        return {**base, "x": data.draw(st.sampled_from([[1.0, math.nan], [[1.0], [1.0, 2.0]]]))}, "x"
    return {**base, "ratio": -1.0}, "ratio"


def _edges_valid(data):
    return {"ratio": data.draw(RATIOS, label="ratio"), "variance": data.draw(VARIANCES, label="variance")}


def _edges_check(kw, out):
    getcontext().prec = 60
    y, s2 = Decimal(kw["ratio"]), Decimal(kw["variance"])
    lo, hi = s2 * (1 - y.sqrt()) ** 2, s2 * (1 + y.sqrt()) ** 2
    assert abs(out[0] - float(lo)) <= 1e-15 * float(lo) and abs(out[1] - float(hi)) <= 1e-15 * float(hi), \
        f"{out} vs {(float(lo), float(hi))}"


def _atom_valid(data):
    return {"ratio": data.draw(RATIOS, label="ratio")}


def _atom_check(kw, out):
    y = kw["ratio"]
    ref = max(0.0, float(1 - 1 / Decimal(y)))
    assert abs(out - ref) <= 2.3e-16


def _wishart_valid(data):
    p = data.draw(st.sampled_from([1, 2, 5, 40, 2500]), label="dim")
    n = data.draw(st.sampled_from([1, 3, 40] + ([2500] if p == 2500 else [])), label="n_samples")
    size = None if p == 2500 else data.draw(st.sampled_from([None, 1, 3]), label="size")
    return {"dim": p, "n_samples": n, "variance": data.draw(VARIANCES, label="variance"), "size": size,
            "rng": data.draw(st.integers(0, 2**32 - 1), label="seed")}


def _wishart_check(kw, out):
    p, n, s2 = kw["dim"], kw["n_samples"], kw["variance"]
    m = 1 if kw["size"] is None else kw["size"]
    w = out.reshape(m, p, p)
    assert np.array_equal(w, np.swapaxes(w, 1, 2)), "not symmetric"
    if p > 100:  # the big edge: the trace is the mean square of the draws
        tr = np.trace(w[0]) / p
        assert abs(tr / s2 - 1) < 6 * math.sqrt(2 / (n * p)), f"trace/p = {tr / s2} of 1 (chi-square, n p dof)"
        return
    x = np.random.default_rng(kw["rng"]).standard_normal((m, n, p)) * math.sqrt(s2)
    ref = np.einsum("kni,knj->kij", x, x) / n
    assert np.max(np.abs(w - ref)) <= 1e-13 * np.max(np.abs(ref)), "differs from X^T X / n of the same draws"
    for wk in w:
        ev = np.linalg.eigvalsh(wk / s2)
        assert np.all(ev >= -1e-12 * max(1.0, np.max(ev))), "not positive semi-definite"
        if n < p:
            assert np.sum(ev > 1e-10 * np.max(ev)) <= n, "rank above n_samples"


def _wishart_invalid(data):
    case = data.draw(st.sampled_from(["dim", "n", "size", "budget", "variance"]), label="case")
    if case == "dim":
        return {"dim": 0, "n_samples": 3}, "dim"
    if case == "n":
        return {"dim": 3, "n_samples": 2.5}, "n_samples"
    if case == "size":
        return {"dim": 3, "n_samples": 3, "size": -1}, "size"
    if case == "variance":
        return {"dim": 3, "n_samples": 3, "variance": 1e300}, "variance"
    return {"dim": 2500, "n_samples": 2500, "size": 2}, "size"


def _tw_valid(data):
    p = data.draw(st.sampled_from([1, 2, 100, 10**12, 10**15 - 1, 10**15]), label="dim")
    n = data.draw(st.sampled_from([1, 3, 300, 10**12 + 7, 10**15]), label="n_samples")
    edge = "upper" if p == n else data.draw(st.sampled_from(["upper", "lower"]), label="edge")
    return {"dim": p, "n_samples": n, "variance": data.draw(VARIANCES, label="variance"), "edge": edge}


def _tw_check(kw, out):
    getcontext().prec = 60
    p, n, s2 = kw["dim"], kw["n_samples"], Decimal(kw["variance"])
    rn, rp = (Decimal(n) - Decimal("0.5")).sqrt(), (Decimal(p) - Decimal("0.5")).sqrt()
    if kw["edge"] == "upper":
        mu, s = s2 * (rn + rp) ** 2 / n, s2 * (rn + rp) * (1 / rn + 1 / rp) ** (Decimal(1) / 3) / n
    else:
        mu, s = s2 * (rn - rp) ** 2 / n, s2 * abs(rn - rp) * abs(1 / rn - 1 / rp) ** (Decimal(1) / 3) / n
    assert abs(out[0] - float(mu)) <= 1e-13 * float(mu) and abs(out[1] - float(s)) <= 1e-13 * float(s), \
        f"{out} vs {(float(mu), float(s))}"


def _tw_invalid(data):
    case = data.draw(st.sampled_from(["equal", "edge", "big", "variance"]), label="case")
    if case == "equal":
        return {"dim": 5, "n_samples": 5, "edge": "lower"}, "edge"
    if case == "edge":
        return {"dim": 5, "n_samples": 3, "edge": np.array(["upper"])}, "edge"
    if case == "big":
        return {"dim": 2**64, "n_samples": 3}, "dim"
    return {"dim": 5, "n_samples": 3, "variance": math.inf}, "variance"


DOMAINS = {
    "sample_wishart": Domain(_wishart_valid, _wishart_check, _wishart_invalid),
    "marchenko_pastur_edges": Domain(_edges_valid, _edges_check, lambda d: _ratio_invalid(d, "edges")),
    "marchenko_pastur_atom": Domain(_atom_valid, _atom_check, lambda d: _ratio_invalid(d, "atom")),
    "marchenko_pastur_pdf": Domain(_pdf_valid, _pdf_check, lambda d: _ratio_invalid(d, "pdf"),
                                   "60-digit pointwise reference and normalisation to min(1, 1/y)"),
    "marchenko_pastur_cdf": Domain(_cdf_valid, _cdf_check, lambda d: _ratio_invalid(d, "cdf"),
                                   "60-digit series reference, monotone, in [0, 1]"),
    "tracy_widom_edge": Domain(_tw_valid, _tw_check, _tw_invalid, "60-digit decimal reference"),
}
