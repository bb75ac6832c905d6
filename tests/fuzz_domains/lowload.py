"""Domains of ``attractors.lowload``: exact pattern averages redone in 50-digit decimal arithmetic."""

from __future__ import annotations

import itertools
import math
from decimal import Decimal, localcontext

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain
from tests.fuzz_domains.curie_weiss import PREC, D, close, dtanh

BETAS = st.sampled_from([1e-300, 0.5, 1.0, 1.0 + 1e-10, 1.2, 3.0, 50.0, 1e8, 1e300])


def _signs(P):
    return list(itertools.product([1, -1], repeat=P))


def _m_vector(data, max_p=5):
    P = data.draw(st.integers(1, max_p), label="P")
    scale = data.draw(st.sampled_from([0.0, 1e-300, 1e-8, 0.3, 1.0, 1e10]), label="scale")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    m = np.random.default_rng(seed).uniform(-1, 1, P) * scale
    if data.draw(st.booleans(), label="tie"):   # m . xi = 0 for some sign vectors
        m[:] = m[0]
    return m


def _dlogcosh2(u, b):
    """T log(2 cosh(beta u)) = |u| + T log(1 + e^{-2 beta |u|}) in decimals."""
    a = abs(u)
    return a + (1 + (-2 * b * a).exp()).ln() / b


def _sech2(y):
    y = abs(y)
    if y > 400:
        return 4 * (-2 * y).exp()
    e = (-2 * y).exp()
    return 4 * e / (1 + e) ** 2


# ----------------------------------------------------------------------------- enumeration functions

def _sv_valid(data):
    return {"P": data.draw(st.sampled_from([1, 2, 3, 7, 16]), label="P")}   # 20 (168 MB) is unit-tested


def _sv_check(kw, out):
    P = kw["P"]
    assert out.shape == (2**P, P) and set(np.unique(out)) <= {-1.0, 1.0}
    assert len({row.tobytes() for row in out}) == 2**P, "rows are not all distinct"


def _sv_invalid(data):
    c = data.draw(st.sampled_from(["0", "21", "float", "big"]), label="c")
    return {"0": ({"P": 0}, "P"), "21": ({"P": 21}, "P"), "float": ({"P": 3.0}, "P"), "big": ({"P": 2**64}, "P")}[c]


def _map_valid(data):
    return {"m": _m_vector(data), "beta": data.draw(st.one_of(BETAS, st.just(np.inf)), label="beta")}


def _map_check(kw, out):
    m, beta = kw["m"], kw["beta"]
    P = m.size
    with localcontext() as ctx:
        ctx.prec = PREC
        ref = [Decimal(0)] * P
        for xi in _signs(P):
            u = sum(D(mu) * x for mu, x in zip(m, xi))
            t = (Decimal(1) if u > 0 else Decimal(-1) if u < 0 else Decimal(0)) if math.isinf(beta) else dtanh(D(beta) * u)
            for k in range(P):
                ref[k] += xi[k] * t
        ref = [float(r / 2**P) for r in ref]
    for k in range(P):
        close(out[k], ref[k], 1e-13, 1e-15, f"F(m)[{k}]")


def _m_invalid(data, extra=None):
    c = data.draw(st.sampled_from(["nan", "long", "ragged", "str", "beta"]), label="c")
    base = dict(extra or {})
    return {"nan": (dict(base, m=[0.1, np.nan], beta=1.0), "m"),
            "long": (dict(base, m=np.zeros(21), beta=1.0), "m"),
            "ragged": (dict(base, m=[[0.1], [0.1, 0.2]], beta=1.0), "m"),
            "str": (dict(base, m=np.array(["a", "b"]), beta=1.0), "m"),
            "beta": (dict(base, m=[0.1], beta=2**1024), "beta")}[c]


def _fe_valid(data):
    kw = {"m": _m_vector(data), "beta": data.draw(st.one_of(BETAS, st.just(np.inf)), label="beta")}
    if data.draw(st.booleans(), label="batch"):
        kw["m"] = np.vstack([kw["m"], -kw["m"], 0.5 * kw["m"]])
    return kw


def _fe_check(kw, out):
    ms = np.atleast_2d(kw["m"])
    fs = np.atleast_1d(out)
    beta = kw["beta"]
    with localcontext() as ctx:
        ctx.prec = PREC
        for m, f in zip(ms, fs):
            lc = Decimal(0)
            for xi in _signs(m.size):
                u = sum(D(mu) * x for mu, x in zip(m, xi))
                lc += abs(u) if math.isinf(beta) else _dlogcosh2(u, D(beta))
            ref = sum(D(mu) ** 2 for mu in m) / 2 - lc / 2**m.size
            scale = float(sum(D(mu) ** 2 for mu in m) / 2 + lc / 2**m.size)
            close(f, float(ref), 1e-14, 4e-16 * scale, "f(m)")


def _fe_invalid(data):
    c = data.draw(st.sampled_from(["m", "over", "budget", "beta"]), label="c")
    return {"m": ({"m": np.zeros((2, 21)), "beta": 1.0}, "m"), "over": ({"m": [1e200, 0.0], "beta": 1.0}, "m"),
            "budget": ({"m": np.zeros((200, 20)), "beta": 1.0}, "m"), "beta": ({"m": [0.1], "beta": 0.0}, "beta")}[c]


def _hess_valid(data):
    return {"m": _m_vector(data), "beta": data.draw(BETAS, label="beta")}


def _hess_check(kw, out):
    m, beta = kw["m"], kw["beta"]
    P = m.size
    assert np.array_equal(out, out.T), "the Hessian is not symmetric"
    with localcontext() as ctx:
        ctx.prec = PREC
        acc = [[Decimal(0)] * P for _ in range(P)]
        for xi in _signs(P):
            u = sum(D(mu) * x for mu, x in zip(m, xi))
            s2 = _sech2(D(beta) * u)
            for i in range(P):
                for j in range(P):
                    acc[i][j] += s2 * xi[i] * xi[j]
        for i in range(P):
            for j in range(P):
                term = D(beta) * acc[i][j] / 2**P
                ref = float((1 if i == j else 0) - term)
                close(out[i, j], ref, 1e-13, 4e-16 * (1 + float(abs(D(beta) * acc[i][i] / 2**P))), f"H[{i},{j}]")


def _fp_valid(data):
    return {"m0": _m_vector(data, max_p=4) + 0.5, "beta": data.draw(st.sampled_from([0.5, 1.05, 2.0, 1e6, np.inf]), label="beta"),
            "damping": data.draw(st.sampled_from([1.0, 0.5, 1e-3]), label="damping"), "max_iter": 3000}


def _fp_check(kw, out):
    m, it = out
    from attractors.lowload import lowload_map
    assert 1 <= it <= kw["max_iter"]
    if it < kw["max_iter"]:   # stopped on |step| < tol = 1e-13: a fixed point of the map to d * residual
        res = np.max(np.abs(lowload_map(m, kw["beta"]) - m))
        assert res <= 1e-13 / kw["damping"] * 2 + 1e-15, f"residual {res:.3g} at the returned fixed point"


def _fp_invalid(data):
    c = data.draw(st.sampled_from(["budget", "damping", "tol", "m0"]), label="c")
    return {"budget": ({"m0": np.full(20, 0.1), "beta": 2.0}, "max_iter"),
            "damping": ({"m0": [0.1], "beta": 2.0, "damping": 1.5}, "damping"),
            "tol": ({"m0": [0.1], "beta": 2.0, "tol": float("nan")}, "tol"),
            "m0": ({"m0": [[0.1], [0.2, 0.1]], "beta": 2.0}, "m0")}[c]


# ----------------------------------------------------------------------------- mixtures

def _law(n):
    return [(n - 2 * k, Decimal(math.comb(n, k)) / 2**n) for k in range(n + 1)]


def mixture_ref(n, beta):
    with localcontext() as ctx:
        ctx.prec = PREC
        law = _law(n)
        if math.isinf(beta):
            return float(sum(w * abs(S) for S, w in law) / n)
        b = D(beta)
        if b <= 1:
            return 0.0

        def phi(m):
            return sum(w * S * dtanh(b * m * S) for S, w in law) / (n * m) - 1
        lo, hi = Decimal("1e-300"), Decimal(1)
        for _ in range(400):
            mid = (lo * hi).sqrt() if hi / lo > 4 else (lo + hi) / 2
            if phi(mid) > 0:
                lo = mid
            else:
                hi = mid
            if hi - lo <= hi * Decimal("1e-30"):
                break
        return float((lo + hi) / 2)


MIX_BETAS = st.sampled_from([0.5, 1.0, 1.0 + 1e-12, 1.0 + 1e-6, 1.3, 4.0, 1e3, 1.7e308, np.inf])


def _mix_valid(data):
    kw = {"n": data.draw(st.sampled_from([1, 2, 3, 5, 8]), label="n"), "beta": data.draw(MIX_BETAS, label="beta")}
    if data.draw(st.booleans(), label="array"):
        kw["beta"] = np.array([kw["beta"], 2.0])
    return kw


def _mix_check(kw, out):
    for b, m in zip(np.atleast_1d(kw["beta"]), np.atleast_1d(out)):
        close(float(m), mixture_ref(kw["n"], float(b)), 1e-12, 1e-300, f"m_n(beta={b!r})")


def _mix_invalid(data):
    c = data.draw(st.sampled_from(["n", "nbig", "beta", "arr", "budget"]), label="c")
    return {"n": ({"n": 0, "beta": 2.0}, "n"), "nbig": ({"n": 10**5 + 1, "beta": 2.0}, "n"),
            "beta": ({"n": 3, "beta": float("nan")}, "beta"), "arr": ({"n": 3, "beta": [[2.0], [1.0, 2.0]]}, "beta"),
            "budget": ({"n": 10**5, "beta": np.full(1000, 2.0)}, "beta")}[c]


def _mfe_check(kw, out):
    n, beta = kw["n"], kw["beta"]
    m = mixture_ref(n, beta)
    with localcontext() as ctx:
        ctx.prec = PREC
        mm = D(m)
        lc = sum(w * (abs(mm * S) if math.isinf(beta) else _dlogcosh2(mm * S, D(beta))) for S, w in _law(n))
        ref = n * mm * mm / 2 - lc
        close(out, float(ref), 1e-12, 1e-15 * float(abs(lc) + n * mm * mm), "free energy")


def _mfe_valid(data):
    return {"n": data.draw(st.sampled_from([1, 2, 3, 6]), label="n"), "beta": data.draw(MIX_BETAS, label="beta")}


def _mfe_invalid(data):
    c = data.draw(st.sampled_from(["n", "over"]), label="c")
    return {"n": ({"n": 2.5, "beta": 2.0}, "n"), "over": ({"n": 3, "beta": 5e-324}, "beta")}[c]


def _mh_valid(data):
    n = data.draw(st.sampled_from([1, 2, 3]), label="n")
    return {"n": n, "beta": data.draw(st.sampled_from([0.5, 1.0 + 1e-6, 1.3, 5.0, 1e4]), label="beta"),
            "P": n + data.draw(st.sampled_from([0, 1, 3]), label="extra")}


def _mh_check(kw, out):
    # against the Hessian of the enumerated free energy at m = m_n (1, ..., 1, 0, ..., 0)
    from attractors.lowload import lowload_hessian
    n, beta, P = kw["n"], kw["beta"], kw["P"]
    m = np.zeros(P)
    m[:n] = mixture_ref(n, beta)
    ref = np.linalg.eigvalsh(lowload_hessian(m, beta))
    assert out.shape == (P,) and np.all(np.diff(out) >= 0)
    assert np.allclose(out, ref, rtol=1e-9, atol=1e-9 * max(1.0, beta)), f"{out} vs enumerated {ref}"


def _mh_invalid(data):
    c = data.draw(st.sampled_from(["nP", "beta", "P"]), label="c")
    return {"nP": ({"n": 4, "beta": 2.0, "P": 3}, "n"), "beta": ({"n": 2, "beta": np.inf, "P": 3}, "beta"),
            "P": ({"n": 2, "beta": 2.0, "P": 2**64}, "P")}[c]


def _mst_valid(data):
    return {"n": data.draw(st.sampled_from([1, 2, 3, 5, 200]), label="n"),
            "t_min": data.draw(st.sampled_from([0.02, 0.3]), label="t_min")}


def _mst_check(kw, out):
    from attractors.lowload import mixture_hessian
    n = kw["n"]
    if n == 1:
        assert out == 1.0
        return
    if math.isnan(out):   # documented: unstable on the whole scanned grid (even n)
        assert mixture_hessian(n, 1.0 / kw["t_min"], n + 1)[0] <= 0 or n % 2 == 0
        return
    assert kw["t_min"] <= out < 1.0
    below = mixture_hessian(n, 1.0 / (out * (1 - 1e-6)), n + 1)[0]
    above = mixture_hessian(n, 1.0 / (out * (1 + 1e-6)), n + 1)[0]
    assert below > 0 > above, f"no sign change of the smallest eigenvalue at T_n = {out}: {below}, {above}"


def _mst_invalid(data):
    c = data.draw(st.sampled_from(["t", "n", "P"]), label="c")
    return {"t": ({"n": 3, "t_min": 0.9995}, "t_min"), "n": ({"n": 50000}, "n"), "P": ({"n": 3, "P": 2}, "P")}[c]


# ----------------------------------------------------------------------------- exact P = 2

def _p2_ref(N, beta):
    """Quenched free energy by the unfactorised double sum in decimals."""
    with localcontext() as ctx:
        ctx.prec = PREC
        b = D(beta)
        total = Decimal(0)
        for a in range(N + 1):
            B = N - a
            terms = []
            for k1 in range(a + 1):
                for k2 in range(B + 1):
                    x, y = 2 * k1 - a, 2 * k2 - B
                    H = -Decimal((x + y) ** 2 + (x - y) ** 2) / (2 * N) + 1
                    terms.append((Decimal(math.comb(a, k1) * math.comb(B, k2)).ln(), -b * H))
            top = max(t[1] for t in terms)
            lz = top + sum((lc + e - top).exp() for lc, e in terms).ln()
            total += Decimal(math.comb(N, a)) / 2**N * (-lz / (b * N))
        return float(total)


def _p2_valid(data):
    return {"N": data.draw(st.sampled_from([2, 3, 7, 12, 3000]), label="N"),
            "beta": data.draw(st.sampled_from([1e-300, 0.3, 1.0, 2.5, 1e6, 1e300]), label="beta"),
            "samples": data.draw(st.booleans(), label="samples")}


def _p2_check(kw, out):
    f = out[0] if kw["samples"] else out
    if kw["samples"]:
        _, a, p, fa = out
        assert abs(p.sum() - 1) < 1e-12 and abs(float(p @ fa) - f) < 1e-12 * (1 + abs(f))
    if kw["N"] <= 12:
        scale = 1.0 + math.log(2) / kw["beta"]
        close(f, _p2_ref(kw["N"], kw["beta"]), 1e-13, 4e-16 * scale, "f^Q_N")


def _p2_invalid(data):
    c = data.draw(st.sampled_from(["N", "Nbig", "beta", "over", "samples"]), label="c")
    return {"N": ({"N": 1, "beta": 1.0}, "N"), "Nbig": ({"N": 10_001, "beta": 1.0}, "N"),
            "beta": ({"N": 5, "beta": np.inf}, "beta"), "over": ({"N": 5, "beta": 5e-324}, "beta"),
            "samples": ({"N": 5, "beta": 1.0, "samples": "yes"}, "samples")}[c]


DOMAINS = {
    "sign_vectors": Domain(_sv_valid, _sv_check, _sv_invalid),
    "lowload_map": Domain(_map_valid, _map_check, _m_invalid),
    "lowload_free_energy": Domain(_fe_valid, _fe_check, _fe_invalid),
    "lowload_hessian": Domain(_hess_valid, _hess_check, _m_invalid),
    "lowload_fixed_point": Domain(_fp_valid, _fp_check, _fp_invalid),
    "mixture": Domain(_mix_valid, _mix_check, _mix_invalid),
    "mixture_free_energy": Domain(_mfe_valid, _mfe_check, _mfe_invalid),
    "mixture_hessian": Domain(_mh_valid, _mh_check, _mh_invalid),
    "mixture_stability_temperature": Domain(_mst_valid, _mst_check, _mst_invalid,
                                            note="NaN is the documented answer when the mixture is unstable on the "
                                                 "whole grid (even n)"),
    "hopfield_p2_free_energy_exact": Domain(_p2_valid, _p2_check, _p2_invalid),
}
