"""Domains of ``attractors.highload``: Gaussian averages against adaptive quadrature, the replica-symmetric
solutions against their own equations (evaluated independently), signal-to-noise against exact sums."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.special import erf

from tests.fuzz_domains import Domain


def _gauss(g, a, s, beta):
    """<g(beta (a + s z))>_z by adaptive quadrature on [-40, 40], split at the kink z0 = -a/s and around it."""
    if s == 0.0 or beta * s < 1e-13 * max(1.0, beta * abs(a)):
        return g(beta * a)   # the Gaussian spread moves the argument below round-off
    z0 = -a / s
    f = lambda z: g(beta * (a + s * z)) * math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)  # noqa: E731
    pts = {z0 + d / (beta * s) for d in (-30, -3, 0, 3, 30)}
    edges = [-40.0] + sorted(p for p in pts if -40.0 < p < 40.0) + [40.0]
    return sum(quad(f, x0, x1, epsabs=1e-15, epsrel=1e-13, limit=400)[0] for x0, x1 in zip(edges[:-1], edges[1:]))


def _sech2(x):
    x = abs(x)
    e = math.exp(-2 * x)
    return 4 * e / (1 + e) ** 2


def _gt_valid(data):
    a = data.draw(st.sampled_from([0.0, 1e-300, -0.3, 0.9, 5.0, -1e300]), label="a")
    s = data.draw(st.sampled_from([0.0, 1e-300, 1e-9, 0.1, 0.4, 3.0, 1e300]), label="sigma")
    beta = data.draw(st.sampled_from([1e-300, 0.7, 2.0, 30.0, 1e6, 1e300, np.inf]), label="beta")
    if data.draw(st.booleans(), label="array"):
        return {"a": np.array([a, 0.5]), "sigma": np.array([s, 0.2]), "beta": beta}
    return {"a": a, "sigma": s, "beta": beta}


def _gt_check(kw, out):
    t, s2 = out
    for a, s, tt, ss in zip(np.atleast_1d(kw["a"]), np.atleast_1d(kw["sigma"]), np.atleast_1d(t), np.atleast_1d(s2)):
        beta = kw["beta"]
        if math.isinf(beta):
            ref_t = math.copysign(1.0, a) if s == 0 and a != 0 else (0.0 if s == 0 else float(erf(a / (s * math.sqrt(2)))))
            ref_s = 0.0
        elif abs(a) > 1e100 or s > 1e100:
            continue   # beyond quadrature's reach: covered by the limits beta -> 0 / inf
        else:
            ref_t = _gauss(math.tanh, a, s, beta)
            ref_s = _gauss(_sech2, a, s, beta)
        assert abs(tt - ref_t) <= 2e-12, f"<tanh> {tt!r} vs quadrature {ref_t!r}"
        assert abs(ss - ref_s) <= 2e-12, f"<sech^2> {ss!r} vs quadrature {ref_s!r}"
        assert -1 <= tt <= 1 and 0 <= ss <= 1


def _gt_invalid(data):
    c = data.draw(st.sampled_from(["sig", "ragged", "beta", "nan", "str"]), label="c")
    return {"sig": ({"a": 0.1, "sigma": -1.0, "beta": 1.0}, "sigma"),
            "ragged": ({"a": [[0.1], [0.1, 0.2]], "sigma": 0.1, "beta": 1.0}, "a"),
            "beta": ({"a": 0.1, "sigma": 0.1, "beta": 0.0}, "beta"),
            "nan": ({"a": 0.1, "sigma": [0.1, np.nan], "beta": 1.0}, "sigma"),
            "str": ({"a": np.array(["x"]), "sigma": 0.1, "beta": 1.0}, "a")}[c]


# ----------------------------------------------------------------------------- replica symmetry

RS_POINTS = [(0.0, 2.0), (1e-300, 1.0 + 1e-8), (1e-300, 2.0), (0.05, 2.0), (0.05, 10.0), (0.1, 100.0), (0.13, 1e4),
             (0.05, 1e8), (0.05, 1e13), (0.05, np.inf), (0.1379, np.inf), (0.2, 5.0), (0.2, np.inf), (100.0, 2.0),
             (0.02, 0.9)]


def _rs_valid(data):
    alpha, beta = data.draw(st.sampled_from(RS_POINTS), label="point")
    return {"alpha": alpha, "beta": beta}


def _rs_residuals(alpha, beta, m, q, r):
    """The RS equations evaluated independently (quadrature), with C = 1 - sqrt(q/r)."""
    s = math.sqrt(alpha * r)
    if math.isinf(beta):
        y = m / math.sqrt(2 * alpha * r)
        C = math.sqrt(2 / (math.pi * alpha * r)) * math.exp(-y * y)
        return [m - float(erf(y)), math.sqrt(r) * (1 - C) - 1]
    t = _gauss(math.tanh, m, s, beta)
    s2 = _gauss(_sech2, m, s, beta)
    C = beta * s2
    return [m - t, math.sqrt(r) * (1 - C) - math.sqrt(1 - s2), (1 - q) - s2 if beta < 1e6 else 0.0]


def _rs_check(kw, out):
    alpha, beta = kw["alpha"], kw["beta"]
    m, q, r = out
    if alpha >= 0.14 or beta <= 1.0:
        assert math.isnan(m), f"a retrieval state at alpha={alpha}, beta={beta}, beyond alpha_c(T)"
        return
    assert all(map(math.isfinite, out)), f"no retrieval state reported at alpha={alpha}, beta={beta}"
    assert 0 < m <= 1 and 0 < q <= 1 and r > 0
    if alpha == 0.0 or alpha < 1e-200:
        from tests.fuzz_domains.curie_weiss import cw_ref
        assert abs(m - cw_ref(beta, 1.0, 0.0)) <= 1e-13 * m
        return
    if beta >= 1e13 and not math.isinf(beta):
        from attractors.highload import retrieval_rs
        m0, q0, r0 = retrieval_rs(alpha, np.inf)
        assert abs(m - m0) < 1e-12 and abs(r - r0) < 1e-12 and q <= 1.0, f"{out} vs T = 0 {(m0, q0, r0)}"
        return
    res = _rs_residuals(alpha, beta, m, q, r)
    assert max(map(abs, res)) < 1e-9, f"RS equations not solved: residuals {res}"


def _rs_invalid(data):
    c = data.draw(st.sampled_from(["neg", "big", "beta", "str"]), label="c")
    return {"neg": ({"alpha": -0.1, "beta": 2.0}, "alpha"), "big": ({"alpha": 1e300, "beta": 2.0}, "alpha"),
            "beta": ({"alpha": 0.1, "beta": 2**1024}, "beta"), "str": ({"alpha": "0.1", "beta": 2.0}, "alpha")}[c]


def _cl_valid(data):
    return {"beta": data.draw(st.sampled_from([np.inf, 0.5, 1.0, 10.0, 1e13]), label="beta")}


def _cl_check(kw, out):
    from attractors.highload import retrieval_rs
    beta = kw["beta"]
    if beta <= 1.0:
        assert out == 0.0
        return
    if math.isinf(beta) or beta > 1e12:
        assert abs(out - 0.137905) < 2e-5, f"alpha_c(0) = {out}"
        return
    assert math.isfinite(retrieval_rs(out - 2e-6, beta)[0]), "no retrieval state just below alpha_c"
    assert math.isnan(retrieval_rs(out + 2e-6, beta)[0]), "a retrieval state just above alpha_c"


def _cl_invalid(data):
    c = data.draw(st.sampled_from(["0", "nan"]), label="c")
    return {"0": ({"beta": 0.0}, "beta"), "nan": ({"beta": float("nan")}, "beta")}[c]


def _rl_valid(data):
    return {"alpha": data.draw(st.sampled_from([0.0, 0.05, 0.1381, 0.3]), label="alpha"),
            "tol": data.draw(st.sampled_from([1e-3, 1e-6]), label="tol"),
            "lower": data.draw(st.booleans(), label="lower")}


def _rl_check(kw, out):
    from attractors.highload import retrieval_rs
    alpha, tol, lower = kw["alpha"], kw["tol"], kw["lower"]
    if alpha == 0.0:
        assert out == (0.0 if lower else 1.0)
        return
    if alpha > 0.14:
        assert out == 0.0
        return
    if lower and alpha < 0.1379:
        assert out == 0.0
        return
    inside, outside = (out + 2 * tol, out - 2 * tol) if lower else (out - 2 * tol, out + 2 * tol)
    assert math.isfinite(retrieval_rs(alpha, 1.0 / inside)[0]), f"no retrieval state inside the line at T={inside}"
    if outside > 1e-3:
        assert math.isnan(retrieval_rs(alpha, 1.0 / outside)[0]), f"a retrieval state beyond the line at T={outside}"


def _rl_invalid(data):
    c = data.draw(st.sampled_from(["tol", "lower", "alpha", "ragged"]), label="c")
    return {"tol": ({"alpha": 0.05, "tol": 1.0}, "tol"), "lower": ({"alpha": 0.05, "lower": 1}, "lower"),
            "alpha": ({"alpha": -1e-300}, "alpha"), "ragged": ({"alpha": [[0.1], [0.1, 0.2]]}, "alpha")}[c]


def _fe_formula(alpha, beta, m, q, r):
    """AGS free energy evaluated by quadrature (finite beta)."""
    C = 1 - math.sqrt(q / r) if r > 0 else 0.0
    s = math.sqrt(alpha * r)
    lc = _gauss(lambda x: abs(x) + math.log1p(math.exp(-2 * abs(x))), m, s, beta) / beta
    return (alpha / 2 + m * m / 2 + alpha / (2 * beta) * (math.log1p(-C) - beta * q / (1 - C))
            + alpha * r * C / 2 - lc)


def _rsf_valid(data):
    alpha, beta = data.draw(st.sampled_from([(0.05, 2.0), (0.05, 20.0), (0.1, 1e5), (0.05, 1e13), (0.05, np.inf),
                                             (3.0, 0.2), (0.5, 0.9), (100.0, 0.5), (1e-300, 2.0)]), label="point")
    state = data.draw(st.sampled_from(["retrieval", "spin_glass"]), label="state")
    if state == "retrieval" and (alpha > 0.14 or beta <= 1.0):
        state = "spin_glass"
    return {"alpha": alpha, "beta": beta, "state": state}


def _rsf_check(kw, out):
    f, m, q, r = out
    alpha, beta = kw["alpha"], kw["beta"]
    assert math.isfinite(f)
    if math.isinf(beta) or beta > 1e12:
        from attractors.highload import rs_free_energy
        if not math.isinf(beta):
            f0 = rs_free_energy(alpha, np.inf, kw["state"])[0]
            assert abs(f - f0) < 1e-12
        return
    if q == 0.0:   # paramagnet: alpha/2 + alpha T/2 ln(1 - beta) - T ln 2
        ref = alpha / 2 + alpha / (2 * beta) * math.log1p(-beta) - math.log(2) / beta
    else:
        ref = _fe_formula(alpha, beta, m, q, r)
    assert abs(f - ref) <= 1e-10 * (1 + abs(ref)), f"f = {f!r} vs quadrature {ref!r}"


def _rsf_invalid(data):
    c = data.draw(st.sampled_from(["state", "none", "alpha"]), label="c")
    return {"state": ({"alpha": 0.05, "beta": 2.0, "state": np.array(["retrieval"])}, "state"),
            "none": ({"alpha": 0.5, "beta": 2.0, "state": "retrieval"}, "alpha"),
            "alpha": ({"alpha": 0.0, "beta": 2.0}, "alpha")}[c]


def _gml_valid(data):
    return {"beta": data.draw(st.sampled_from([np.inf, 1.01, 5.0]), label="beta"),
            "tol": data.draw(st.sampled_from([1e-4, 1e-12]), label="tol")}


def _gml_check(kw, out):
    from attractors.highload import rs_free_energy
    if out == 0.0:
        return

    def df(a):
        try:
            return rs_free_energy(a, kw["beta"])[0] - rs_free_energy(a, kw["beta"], "spin_glass")[0]
        except ValueError:
            return 1.0
    d = max(2 * kw["tol"], 1e-7)
    assert df(out - d) < 0 < df(out + d), f"no crossing of the two free energies at alpha_g = {out}"


def _gml_invalid(data):
    c = data.draw(st.sampled_from(["beta", "tol"]), label="c")
    return {"beta": ({"beta": 1.0}, "beta"), "tol": ({"beta": 2.0, "tol": 1.0}, "tol")}[c]


def _rep_valid(data):
    alpha, beta = data.draw(st.sampled_from([(0.05, 2.0), (0.05, 100.0), (0.13, 1e4), (1e-300, 2.0)]), label="point")
    return {"alpha": alpha, "beta": beta}


def _rep_check(kw, out):
    from attractors.highload import retrieval_rs
    alpha, beta = kw["alpha"], kw["beta"]
    m, q, r = retrieval_rs(alpha, beta)
    s4 = _gauss(lambda x: _sech2(x) ** 2, m, math.sqrt(alpha * r), beta)
    ref = 1 - alpha * beta * beta * (r / q) * s4
    assert abs(out - ref) <= 1e-9 * (1 + abs(ref)), f"replicon {out!r} vs quadrature {ref!r}"


def _rep_invalid(data):
    c = data.draw(st.sampled_from(["beta", "none", "inf"]), label="c")
    return {"beta": ({"alpha": 0.05, "beta": 0.5}, "beta"), "none": ({"alpha": 0.5, "beta": 2.0}, "alpha"),
            "inf": ({"alpha": 0.05, "beta": np.inf}, "beta")}[c]


def _at_valid(data):
    return {"alpha": data.draw(st.sampled_from([1e-3, 0.05, 0.13]), label="alpha"),
            "tol": data.draw(st.sampled_from([1e-4, 1e-10]), label="tol")}


def _at_check(kw, out):
    from attractors.highload import replicon
    if out == 0.0:
        assert replicon(kw["alpha"], 1e6) > 0
        return
    d = 1e-3
    assert replicon(kw["alpha"], 1 / (out * (1 - d))) < 0 < replicon(kw["alpha"], 1 / (out * (1 + d))), \
        f"the replicon does not change sign at T_R = {out}"


def _at_invalid(data):
    c = data.draw(st.sampled_from(["alpha", "tol", "none"]), label="c")
    return {"alpha": ({"alpha": 0.0}, "alpha"), "tol": ({"alpha": 0.05, "tol": 0.5}, "tol"),
            "none": ({"alpha": 0.5}, "alpha")}[c]


# ----------------------------------------------------------------------------- signal to noise

def _ct_valid(data):
    N = data.draw(st.sampled_from([2, 3, 10, 41, 1000, 100_000]), label="N")
    P = data.draw(st.sampled_from([1, 2, N // 2 + 1, N]), label="P")
    return {"N": N, "P": P if not data.draw(st.booleans(), label="array") else np.array([1, P, N])}


def _ct_check(kw, out):
    N = kw["N"]
    Ps = np.atleast_1d(kw["P"])
    outs = np.atleast_1d(out)
    assert np.all((outs >= 0) & (outs <= 0.5 + 1e-15))
    for P, p in zip(Ps, outs):
        K = (int(P) - 1) * (N - 1)
        if K <= 3000:   # exact: Pr[S <= -(N-1)], S = 2B - K, B ~ Binomial(K, 1/2)
            kmax = (K - (N - 1)) // 2 if K >= N - 1 else -1
            ref = Fraction(sum(math.comb(K, j) for j in range(kmax + 1)), 2**K) if kmax >= 0 else Fraction(0)
            assert abs(p - float(ref)) <= 1e-13 * float(ref) + 1e-300, f"P={P}: {p!r} vs exact {float(ref)!r}"
    if len(Ps) == 3:
        assert np.all(np.diff(outs) >= -1e-15), "the error probability does not grow with P"


def _ct_invalid(data):
    c = data.draw(st.sampled_from(["N", "P", "Pfrac", "ragged", "Nbig"]), label="c")
    return {"N": ({"N": 1, "P": 1}, "N"), "P": ({"N": 10, "P": 11}, "P"), "Pfrac": ({"N": 10, "P": [1.5]}, "P"),
            "ragged": ({"N": 10, "P": [[1], [1, 2]]}, "P"), "Nbig": ({"N": 10**5 + 1, "P": 1}, "N")}[c]


def _prt_valid(data):
    return {"N": data.draw(st.sampled_from([2, 3, 16, 200]), label="N"),
            "n_networks": data.draw(st.sampled_from([1, 3]), label="n_networks"),
            "rng": data.draw(st.integers(0, 2**32 - 1), label="rng")}


def _stable(xi):
    """Every bit of every row of xi a strict fixed point of Hebb's couplings (zero diagonal)."""
    P, N = xi.shape
    J = xi.T @ xi
    np.fill_diagonal(J, 0)
    return bool(np.all(xi * (xi @ J) > 0))


def _prt_check(kw, out):
    all_ok, first_ok = out
    N = kw["N"]
    assert np.all(all_ok <= first_ok) and np.all(first_ok <= N) and np.all(all_ok >= 0)
    # replay network 0's draws (one pattern per call, as the function draws them) and test by brute force
    gen = np.random.default_rng(kw["rng"])
    n_draw = min(int(first_ok[0]) + 1, N)
    xi = np.array([2.0 * gen.integers(0, 2, size=N) - 1.0 for _ in range(n_draw)])
    k = int(all_ok[0])
    assert k == 0 or _stable(xi[:k]), f"the first {k} patterns are reported stable but are not"
    if k < n_draw:
        assert not _stable(xi[:k + 1]), f"pattern set of size {k + 1} is stable but reported unstable"


def _prt_invalid(data):
    c = data.draw(st.sampled_from(["N", "nn", "mp", "rng", "mem", "work"]), label="c")
    return {"N": ({"N": 10**5 + 1, "n_networks": 1, "rng": 0}, "N"),
            "mem": ({"N": 10**5, "n_networks": 1, "rng": 0}, "N"),
            "work": ({"N": 8000, "n_networks": 10_000, "rng": 0}, "n_networks"),
            "nn": ({"N": 10, "n_networks": 10_001, "rng": 0}, "n_networks"),
            "mp": ({"N": 10, "n_networks": 1, "rng": 0, "max_patterns": 11}, "max_patterns"),
            "rng": ({"N": 10, "n_networks": 1, "rng": "x"}, "rng")}[c]


def _ztr_valid(data):
    N = data.draw(st.sampled_from([2, 5, 64, 300]), label="N")
    P = data.draw(st.sampled_from([1, 2, N // 3 + 1]), label="P")
    return {"N": N, "P": P, "n_networks": data.draw(st.sampled_from([1, 4]), label="nn"),
            "rng": data.draw(st.integers(0, 2**32 - 1), label="rng"), "n_starts": 1}


def _ztr_check(kw, out):
    N = kw["N"]
    assert out.shape == (kw["n_networks"], 1)
    assert np.all(np.abs(out) <= 1) and np.allclose(out * N, np.round(out * N), atol=1e-9), "not an overlap k/N"
    if kw["P"] == 1:   # one stored pattern is a strict fixed point: no flip
        assert np.all(out == 1.0)


def _ztr_invalid(data):
    c = data.draw(st.sampled_from(["P", "starts", "N", "mem"]), label="c")
    return {"P": ({"N": 10, "P": 11, "n_networks": 1, "rng": 0}, "P"),
            "mem": ({"N": 10**5, "P": 10, "n_networks": 1, "rng": 0}, "N"),
            "starts": ({"N": 10, "P": 2, "n_networks": 1, "rng": 0, "n_starts": 3}, "n_starts"),
            "N": ({"N": 2**64, "P": 2, "n_networks": 1, "rng": 0}, "N")}[c]


DOMAINS = {
    "gauss_tanh": Domain(_gt_valid, _gt_check, _gt_invalid),
    "retrieval_rs": Domain(_rs_valid, _rs_check, _rs_invalid,
                           note="NaN is the documented answer where no retrieval state exists"),
    "critical_load": Domain(_cl_valid, _cl_check, _cl_invalid),
    "retrieval_line": Domain(_rl_valid, _rl_check, _rl_invalid),
    "rs_free_energy": Domain(_rsf_valid, _rsf_check, _rsf_invalid),
    "global_minimum_load": Domain(_gml_valid, _gml_check, _gml_invalid),
    "replicon": Domain(_rep_valid, _rep_check, _rep_invalid),
    "at_temperature": Domain(_at_valid, _at_check, _at_invalid),
    "crosstalk_error_probability": Domain(_ct_valid, _ct_check, _ct_invalid),
    "perfect_recall_trials": Domain(_prt_valid, _prt_check, _prt_invalid),
    "zero_temperature_retrieval": Domain(_ztr_valid, _ztr_check, _ztr_invalid),
}
