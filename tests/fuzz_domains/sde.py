"""Domains of ``attractors.sde``: energies against rational arithmetic, the SDE kernel against the vectorised
NumPy scheme fed the same stream, the Ornstein--Uhlenbeck moments against the exact law in the eigenbasis
of a symmetric drift (and against the plain Euler--Maruyama recursion)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain

EXPS = st.sampled_from([-300, -100, -8, 0, 8, 100, 300])
BIG = Fraction(np.finfo(float).max)


def _sde():
    from attractors import sde
    return sde


def _sym(data, d, scale, label="A"):
    g = np.random.default_rng(data.draw(st.integers(0, 2**31), label=f"{label} seed"))
    M = g.uniform(-1.0, 1.0, (d, d))
    return (M + M.T) * scale


def _ffloat(fr: Fraction) -> float:
    if abs(fr) > BIG:
        return math.inf if fr > 0 else -math.inf
    return float(fr)


# ---------------------------------------------------------------------------------------------
# builders of the catalogue

def _quad_valid(data):
    d = data.draw(st.integers(1, 4), label="d")
    out = {"A": _sym(data, d, 10.0 ** data.draw(EXPS, label="eA"))}
    if data.draw(st.booleans(), label="center"):
        out["center"] = np.random.default_rng(d).uniform(-1, 1, d) * 10.0 ** data.draw(EXPS, label="ec")
    return out


def _quad_check(kw, pot):
    c = kw.get("center", np.zeros(kw["A"].shape[0]))
    assert _sde().energy(pot, c) == 0.0, "the energy at the centre is not 0"
    assert np.all(_sde().gradient(pot, c) == 0.0), "the gradient at the centre is not 0"


def _quad_invalid(data):
    which = data.draw(st.sampled_from(["asym", "shape", "center", "nan"]), label="case")
    if which == "asym":
        return {"A": np.array([[1.0, 2.0], [0.0, 1.0]])}, "A"
    if which == "shape":
        return {"A": np.ones((2, 3))}, "A"
    if which == "center":
        return {"A": np.eye(2), "center": np.zeros(3)}, "center"
    return {"A": np.array([[1.0, np.nan], [np.nan, 1.0]])}, "A"


def _dw_valid(data):
    return {k: 10.0 ** data.draw(EXPS, label=k) for k in ("height", "width", "stiffness")}


def _dw_check(kw, pot):
    w, h = kw["width"], kw["height"]
    assert _sde().energy(pot, [w]) == 0.0 and _sde().energy(pot, [-w]) == 0.0, "the minima are not at +-width"
    assert _sde().energy(pot, [0.0]) == h, "the barrier is not the height"


def _pos_invalid(names):
    def inv(data):
        name = data.draw(st.sampled_from(names), label="arg")
        bad = data.draw(st.sampled_from([0.0, -1.0, float("nan"), float("inf"), 2**1100, "1"]), label="value")
        return {name: bad}, name
    return inv


def _tw_valid(data):
    return {"scale": 10.0 ** data.draw(EXPS, label="scale")}


def _tw_check(kw, pot):
    sde = _sde()
    x = np.array([[0.3, -0.2], [-1.0, 0.0], [0.0, 1.5]])
    e1 = sde.energy(sde.three_wells(1.0), x)
    assert np.array_equal(sde.energy(pot, x), kw["scale"] * e1), "energy is not scale times the unit landscape"


def _poly_valid(data):
    n = data.draw(st.integers(1, 32), label="n")
    g = np.random.default_rng(n)
    return {"coeffs": g.uniform(-1, 1, n) * 10.0 ** data.draw(EXPS, label="ec"),
            "stiffness": 10.0 ** data.draw(EXPS, label="ek")}


def _poly_check(kw, pot):
    c = kw["coeffs"]
    for u in (0.5, -1.25, 2.0):
        ref = sum(Fraction(cj) * Fraction(u) ** (j + 1) for j, cj in enumerate(c))
        mag = sum(abs(Fraction(cj)) * abs(Fraction(u)) ** (j + 1) for j, cj in enumerate(c))
        got = _sde().energy(pot, [u, 0.0])
        if mag > BIG / 4:   # Horner's intermediate sums may overflow: then only the sign of a huge answer
            assert math.isinf(got) or abs(Fraction(got) - ref) <= Fraction(1e-13) * mag
            continue
        assert abs(Fraction(got) - ref) <= Fraction(1e-13) * mag + Fraction(1e-300), f"E({u}) = {got!r} vs {float(ref)!r}"


def _poly_invalid(data):
    which = data.draw(st.sampled_from(["long", "empty", "stiff"]), label="case")
    if which == "long":
        return {"coeffs": np.ones(33)}, "coeffs"
    if which == "empty":
        return {"coeffs": np.ones(0)}, "coeffs"
    return {"coeffs": [1.0], "stiffness": -1.0}, "stiffness"


def _custom_valid(data):
    sde = _sde()
    pot = sde.quadratic(_sym(data, 2, 10.0 ** data.draw(EXPS, label="eA")))
    return {"energy_kernel": sde._e_quadratic, "gradient_kernel": sde._g_quadratic, "params": pot.params,
            "dim": data.draw(st.sampled_from([None, 2]), label="dim")}


def _custom_check(kw, pot):
    sde = _sde()
    x = np.array([[0.5, -1.0], [2.0, 3.0]])
    q = sde.Potential("quadratic", kw["params"], 2, sde._e_quadratic, sde._g_quadratic)
    assert np.array_equal(sde.energy(pot, x), sde.energy(q, x)), "custom kernels give other energies"
    assert np.array_equal(sde.gradient(pot, x), sde.gradient(q, x)), "custom kernels give other gradients"


def _custom_invalid(data):
    sde = _sde()
    which = data.draw(st.sampled_from(["energy_kernel", "gradient_kernel", "dim", "params"]), label="case")
    kw = {"energy_kernel": sde._e_quadratic, "gradient_kernel": sde._g_quadratic, "params": np.ones(6)}
    if which == "energy_kernel":
        return dict(kw, energy_kernel=lambda x, p: 0.0), "energy_kernel"
    if which == "gradient_kernel":
        return dict(kw, gradient_kernel=None), "gradient_kernel"
    if which == "dim":
        return dict(kw, dim=0), "dim"
    return dict(kw, params=np.array([1.0, np.inf])), "params"


def _const_check(kw, mob):
    m, gm = _sde().mobility_value(mob, [1e300, -2.0])
    assert m == 1.0 and np.all(gm == 0.0)


def _qm_valid(data):
    return {"k0": 10.0 ** data.draw(EXPS, label="k0"),
            "k1": data.draw(st.sampled_from([0.0, 1e-300, 1.0, 1e300]), label="k1")}


def _qm_check(kw, mob):
    x = np.array([0.5, -2.0])
    m, gm = _sde().mobility_value(mob, x)
    ref = Fraction(kw["k0"]) + Fraction(kw["k1"]) * Fraction(4.25)
    assert abs(Fraction(m) - ref) <= Fraction(1e-15) * ref, f"m = {m!r} vs {float(ref)!r}"
    assert np.allclose(gm, 2 * kw["k1"] * x, rtol=1e-15, atol=0)


def _qm_invalid(data):
    which = data.draw(st.sampled_from(["k0", "k1"]), label="case")
    return ({"k0": 0.0, "k1": 1.0}, "k0") if which == "k0" else ({"k0": 1.0, "k1": -1.0}, "k1")


def _bm_valid(data):
    k0 = 10.0 ** data.draw(EXPS, label="k0")
    k1 = k0 * data.draw(st.sampled_from([-0.5, 0.0, 1.0, 1e3]), label="k1/k0")
    return {"k0": k0, "k1": k1, "width": 10.0 ** data.draw(EXPS, label="width")}


def _bm_check(kw, mob):
    m, gm = _sde().mobility_value(mob, np.zeros(2))
    assert m == kw["k0"] + kw["k1"] and np.all(gm == 0.0)
    w = kw["width"]
    m, gm = _sde().mobility_value(mob, np.array([w, 0.0]))
    ref = kw["k0"] + kw["k1"] * math.exp(-0.5)
    assert abs(m - ref) <= 1e-14 * (abs(kw["k0"]) + abs(kw["k1"])), f"m(w) = {m!r} vs {ref!r}"


def _bm_invalid(data):
    which = data.draw(st.sampled_from(["k0", "k1", "width"]), label="case")
    if which == "k0":
        return {"k0": -1.0, "k1": 0.0, "width": 1.0}, "k0"
    if which == "k1":
        return {"k0": 1.0, "k1": -1.0, "width": 1.0}, "k1"
    return {"k0": 1.0, "k1": 0.0, "width": 0.0}, "width"


# ---------------------------------------------------------------------------------------------
# energy, gradient, mobility

def _pts_valid(data):
    sde = _sde()
    kind = data.draw(st.sampled_from(["quadratic", "quadratic", "double_well"]), label="kind")
    n = data.draw(st.integers(1, 50), label="n")
    if kind == "quadratic":
        d = data.draw(st.integers(1, 4), label="d")
        A = _sym(data, d, 10.0 ** data.draw(EXPS, label="eA"))
        if data.draw(st.booleans(), label="singular"):
            A = np.ones((d, d)) * A[0, 0]
        pot = sde.quadratic(A)
    else:
        d = data.draw(st.integers(1, 3), label="d")
        pot = sde.double_well(1.0, 10.0 ** data.draw(st.sampled_from([-8, 0, 8]), label="ew"), 1.0)
    g = np.random.default_rng(data.draw(st.integers(0, 2**31), label="x seed"))
    x = g.uniform(-1, 1, (n, d)) * 10.0 ** data.draw(st.sampled_from([-300, -8, 0, 8, 150, 300]), label="ex")
    if kind == "quadratic" and d > 1 and data.draw(st.booleans(), label="opposite"):
        x[:, 1] = -x[:, 0]
    return {"potential": pot, "x": x[0] if n == 1 and data.draw(st.booleans(), label="single") else x}


def _e_ref(pot, x):
    p = pot.params
    if pot.name == "quadratic":
        d = x.size
        A = [[Fraction(p[i * d + j]) for j in range(d)] for i in range(d)]
        y = [Fraction(v) for v in x]
        terms = [Fraction(1, 2) * y[i] * A[i][j] * y[j] for i in range(d) for j in range(d)]
        return sum(terms), sum(abs(t) for t in terms)
    h, w, k = (Fraction(v) for v in p)
    u = Fraction(float(Fraction(x[0]) / w))   # the module rounds x/w first
    terms = [h * (u * u - 1) ** 2] + [k / 2 * Fraction(v) ** 2 for v in x[1:]]
    return sum(terms), sum(abs(t) for t in terms) + h * (u * u + 1) ** 2


def _energy_check(kw, out):
    X = np.atleast_2d(kw["x"])
    E = np.atleast_1d(out)
    assert not np.isnan(E).any(), "NaN energy"
    for i in range(min(X.shape[0], 8)):
        ref, mag = _e_ref(kw["potential"], X[i])
        r, m = _ffloat(ref), _ffloat(mag)
        if math.isinf(r):
            assert E[i] == r, f"E = {E[i]!r}, exact value beyond float64 ({float(ref) if not math.isinf(r) else r})"
        elif math.isinf(m):
            assert math.isfinite(E[i]) or abs(r) > 1e307, f"E = {E[i]!r}, exact {r!r}"
        else:
            assert abs(E[i] - r) <= 1e-13 * m + 1e-300, f"E = {E[i]!r}, exact {r!r}"


def _grad_check(kw, out):
    X = np.atleast_2d(kw["x"])
    G = np.atleast_2d(out)
    pot = kw["potential"]
    assert not np.isnan(G).any(), "NaN gradient"
    if pot.name != "quadratic":
        return
    d = X.shape[1]
    A = pot.params[: d * d].reshape(d, d)
    for i in range(min(X.shape[0], 8)):
        for a in range(d):
            terms = [Fraction(A[a, b]) * Fraction(X[i, b]) for b in range(d)]
            r, m = _ffloat(sum(terms)), _ffloat(sum(abs(t) for t in terms))
            if math.isinf(r):
                assert G[i, a] == r
            elif math.isfinite(m):
                assert abs(G[i, a] - r) <= 1e-13 * m + 1e-300, f"grad = {G[i, a]!r}, exact {r!r}"


def _pts_invalid(data):
    sde = _sde()
    which = data.draw(st.sampled_from(["x", "dim", "potential", "ragged"]), label="case")
    if which == "x":
        return {"potential": sde.double_well(), "x": np.array([np.nan])}, "x"
    if which == "dim":
        return {"potential": sde.quadratic(np.eye(2)), "x": np.zeros(3)}, "x"
    if which == "potential":
        return {"potential": "double_well", "x": np.zeros(1)}, "potential"
    return {"potential": sde.double_well(), "x": [[1.0], [1.0, 2.0]]}, "x"


def _mob_valid(data):
    sde = _sde()
    which = data.draw(st.sampled_from(["none", "quadratic", "bump"]), label="kind")
    mob = {"none": None, "quadratic": sde.quadratic_mobility(1.0, 10.0 ** data.draw(EXPS, label="k1")),
           "bump": sde.bump_mobility(1.0, 2.0, 10.0 ** data.draw(EXPS, label="w"))}[which]
    g = np.random.default_rng(data.draw(st.integers(0, 2**31), label="seed"))
    x = g.uniform(-1, 1, (data.draw(st.integers(1, 20), label="n"), data.draw(st.integers(1, 3), label="d")))
    return {"mobility": mob, "x": x * 10.0 ** data.draw(st.sampled_from([-300, 0, 8, 300]), label="ex")}


def _mob_check(kw, out):
    m, gm = out
    mob, X = kw["mobility"], kw["x"]
    assert not np.isnan(m).any() and not np.isnan(gm).any()
    if mob is None:
        assert np.all(m == 1.0) and np.all(gm == 0.0)
    elif mob.name == "quadratic":
        k0, k1 = mob.params
        for i in range(X.shape[0]):
            ref = Fraction(k0) + Fraction(k1) * sum(Fraction(v) ** 2 for v in X[i])
            r = _ffloat(ref)
            assert (m[i] == r) if math.isinf(r) else abs(m[i] - r) <= 1e-14 * r, f"m = {m[i]!r} vs {r!r}"
    else:
        k0, k1, w = mob.params
        ref = k0 + k1 * np.exp(-0.5 * np.sum((X / w) ** 2, axis=1))
        assert np.allclose(m, ref, rtol=1e-13, atol=0)


def _mob_invalid(data):
    which = data.draw(st.sampled_from(["mobility", "x"]), label="case")
    if which == "mobility":
        return {"mobility": 1.0, "x": np.zeros(2)}, "mobility"
    return {"mobility": None, "x": np.array([[1.0, np.inf]])}, "x"


# ---------------------------------------------------------------------------------------------
# simulate / euler_maruyama

_WARM = []


def _warm_up():
    """Compile the SDE kernels the draws use before the first timed call (a fresh clone has no numba cache)."""
    if not _WARM:
        sde = _sde()
        x0 = np.zeros((1, 1))
        for pot, mob in ((sde.double_well(), None), (sde.quadratic(np.eye(1)), None),
                         (sde.double_well(), sde.quadratic_mobility(1.0, 1.0))):
            sde.simulate(x0, 1, 0.01, pot, mobility=mob, rng=0)
        _WARM.append(True)


def _sim_valid(data, scheme_free=True):
    _warm_up()
    sde = _sde()
    kind = data.draw(st.sampled_from(["quadratic", "double_well", "dw mobility"]), label="kind")
    n = data.draw(st.integers(1, 40), label="n")
    n_steps = data.draw(st.integers(0, 60), label="n_steps")
    if kind == "quadratic":
        d = data.draw(st.integers(1, 3), label="d")
        ea = data.draw(EXPS, label="eA")
        A = (np.eye(d) + 0.3 * _sym(data, d, 1.0 / d)) * 10.0**ea
        pot = sde.quadratic(A)
        dt = 0.05 * 10.0**-ea
        eT = data.draw(st.sampled_from([-300, 0, 100]), label="eT")
        T = 0.0 if data.draw(st.booleans(), label="T=0") else 10.0**eT
        if T * dt > 1e200:
            T = 1e200 / dt
        x_scale = 10.0 ** min(data.draw(st.sampled_from([-300, 0, 100]), label="ex"), 250 - ea)   # K grad E finite
        K = data.draw(st.sampled_from([None, 0.5, "matrix"]), label="K")
        if K == "matrix":
            K = np.eye(d) * 0.5 + np.triu(np.full((d, d), 0.1), 1) - np.tril(np.full((d, d), 0.1), -1)
        mob = None
    else:
        d = data.draw(st.integers(1, 2), label="d")
        pot, dt, T, x_scale, K = sde.double_well(), 0.01, data.draw(st.sampled_from([0.0, 0.3]), label="T"), 1.0, None
        mob = sde.quadratic_mobility(1.0, 0.2) if kind == "dw mobility" else None
    x0 = np.random.default_rng(n).uniform(-1, 1, (n, d)) * x_scale
    divisors = [k for k in range(1, max(n_steps, 1) + 1) if max(n_steps, 1) % k == 0]
    kw = {"x0": x0, "n_steps": n_steps, "dt": dt, "potential": pot, "T": T, "K": K, "mobility": mob,
          "record_every": data.draw(st.sampled_from([None] + divisors), label="record_every") if n_steps else None,
          "rng": data.draw(st.integers(0, 2**32 - 1), label="rng")}
    if scheme_free:
        kw["scheme"] = data.draw(st.sampled_from(["em", "heun"]), label="scheme")
    return kw


def _sim_check(kw, out):
    sde = _sde()
    t, X = out
    rec = kw["record_every"] or max(kw["n_steps"], 1)
    assert X.shape == (kw["n_steps"] // rec + 1,) + kw["x0"].shape and np.array_equal(X[0], kw["x0"])
    assert np.allclose(t, kw["dt"] * rec * np.arange(X.shape[0]), rtol=1e-15, atol=0)
    ref = sde._simulate_reference(kw["x0"], kw["n_steps"], kw["dt"], kw["potential"], T=kw["T"], K=kw["K"],
                                  mobility=kw["mobility"], scheme=kw.get("scheme", "em"), rng=kw["rng"])
    scale = float(np.max(np.abs(ref))) + float(np.max(np.abs(kw["x0"])))
    assert np.all(np.abs(X[-1] - ref) <= 1e-9 * scale + 1e-300), \
        f"kernel and NumPy scheme differ by {np.max(np.abs(X[-1] - ref)) / max(scale, 1e-300):.3g} (relative)"


def _sim_invalid(data, scheme=True):
    sde = _sde()
    which = data.draw(st.sampled_from(["dt", "T", "n_steps", "record_every", "big", "rec64", "x0", "Tdiv"]
                                      + (["scheme"] if scheme else [])), label="case")
    kw = {"x0": np.zeros((3, 1)), "n_steps": 10, "dt": 0.01, "potential": sde.double_well()}
    if which == "dt":
        return dict(kw, dt=0.0), "dt"
    if which == "T":
        return dict(kw, T=-1.0), "T"
    if which == "n_steps":
        return dict(kw, n_steps=-1), "n_steps"
    if which == "record_every":
        return dict(kw, record_every=3), "record_every"
    if which == "big":
        return dict(kw, x0=np.zeros((10**4, 2)), n_steps=10**6), "n_steps"
    if which == "rec64":
        return dict(kw, n_steps=0, record_every=2**64), "record_every"
    if which == "x0":
        return dict(kw, x0=np.array([[np.nan]])), "x0"
    if which == "Tdiv":
        return dict(kw, T=1e300, n_steps=50, rng=0), "T"
    return dict(kw, scheme="rk4"), "scheme"


def _em_invalid(data):
    kw, name = _sim_invalid(data, scheme=False)
    if data.draw(st.booleans(), label="pass scheme"):
        return dict(kw, scheme="em"), "scheme"
    return kw, name


# ---------------------------------------------------------------------------------------------
# ou_moments

def _ou_valid(data):
    d = data.draw(st.integers(1, 3), label="d")
    es = data.draw(st.sampled_from([-300, -100, -8, 0, 8, 100, 300]), label="e lambda")
    s = 10.0**es
    g = np.random.default_rng(data.draw(st.integers(0, 2**31), label="seed"))
    V = np.linalg.qr(g.standard_normal((d, d)))[0]
    lam = g.uniform(0.5, 2.0, d) * s
    unstable = data.draw(st.booleans(), label="unstable")
    if unstable:
        lam[0] = -lam[0]
    A = V @ np.diag(lam) @ V.T
    A = 0.5 * (A + A.T)
    k = 1.0 if abs(es) > 200 else data.draw(st.sampled_from([1.0, 1e-8, 1e8]), label="k")
    eT = data.draw(st.sampled_from([-300, -100, 0, 100, 300]), label="eT")
    eT = max(min(eT, es + 290), es - 290)   # T / lambda inside the float64 range
    T = 0.0 if data.draw(st.booleans(), label="T=0") else 10.0**eT
    rate = k * s
    cands = [0.0, 1e-3 / rate, 1.0 / rate, 20.0 / rate] + ([] if unstable else [1e300])
    times = np.array(data.draw(st.lists(st.sampled_from(cands), min_size=1, max_size=4), label="t"))
    sc = 10.0 ** data.draw(st.sampled_from([-100, 0, 100]), label="e mean")
    mean0 = g.uniform(-1, 1, d) * sc
    R = g.standard_normal((d, d))
    cov0 = (R @ R.T) * sc * sc if data.draw(st.booleans(), label="cov0") else np.zeros((d, d))
    kw = {"t": times if times.size > 1 else float(times[0]), "mean0": mean0, "cov0": cov0, "A": A,
          "K": None if k == 1.0 else k, "T": T}
    if not unstable and abs(es) <= 8 and data.draw(st.booleans(), label="discrete"):
        dt = 0.05 / rate
        kw["dt"] = dt
        kw["t"] = dt * np.array(data.draw(st.lists(st.integers(0, 300), min_size=1, max_size=3), label="k"))
    return kw


def _ou_check(kw, out):
    means, covs = out
    lam, V = np.linalg.eigh(kw["A"])      # symmetric A, K = k I: B = k A is diagonal in this basis
    k = 1.0 if kw["K"] is None else kw["K"]
    m0, S0, T = kw["mean0"], kw["cov0"], kw["T"]
    times = np.atleast_1d(kw["t"])
    if "dt" in kw:
        dt, d = kw["dt"], m0.size
        M = np.eye(d) - dt * k * kw["A"]
        for i, t in enumerate(times):
            m, C = m0.copy(), S0.copy()
            for _ in range(int(round(t / dt))):
                m, C = M @ m, M @ C @ M.T + 2 * T * k * dt * np.eye(d)
            assert np.allclose(means[i], m, rtol=1e-9, atol=1e-12 * np.max(np.abs(m0), initial=0) + 1e-300)
            assert np.allclose(covs[i], C, rtol=1e-9, atol=1e-12 * np.max(np.abs(C)) + 1e-300)
        return
    mu = k * lam
    m0e = V.T @ m0
    S0e = V.T @ S0 @ V
    for i, t in enumerate(times):
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            x = mu * t
            me = np.exp(-x) * m0e
            Se = np.exp(-(x[:, None] + x[None, :])) * S0e + np.diag(T / lam * -np.expm1(-2 * x))
        m_ref, C_ref = V @ me, V @ Se @ V.T
        tol_m = 1e-9 * np.max(np.abs(m0)) * max(1.0, float(np.max(np.exp(-x)))) + 1e-300
        tol_c = 1e-9 * max(np.max(np.abs(C_ref)), np.max(np.abs(S0)) * float(np.max(np.exp(-2 * x)))) + 1e-300
        assert np.all(np.abs(means[i] - m_ref) <= tol_m), f"mean at t={t!r}: {means[i]} vs {m_ref}"
        assert np.all(np.abs(covs[i] - C_ref) <= tol_c), f"cov at t={t!r}: {covs[i]} vs {C_ref}"
        assert np.all(np.linalg.eigvalsh(covs[i]) >= -1e-9 * np.max(np.abs(covs[i]))), "covariance not PSD"


def _ou_invalid(data):
    which = data.draw(st.sampled_from(["cov0neg", "cov0asym", "t", "A", "unstable", "dt", "T", "mean0"]),
                      label="case")
    kw = {"t": 1.0, "mean0": np.zeros(2), "cov0": np.eye(2), "A": np.eye(2)}
    if which == "cov0neg":
        return dict(kw, cov0=-np.eye(2)), "cov0"
    if which == "cov0asym":
        return dict(kw, cov0=np.array([[1.0, 0.5], [0.0, 1.0]])), "cov0"
    if which == "t":
        return dict(kw, t=-1.0), "t"
    if which == "A":
        return dict(kw, A=np.array([[1.0, 1.0], [0.0, 1.0]])), "A"
    if which == "unstable":
        return dict(kw, A=-np.eye(2), t=1000.0), "t"
    if which == "dt":
        return dict(kw, t=0.15, dt=0.1), "t"
    if which == "T":
        return dict(kw, T=-1.0), "T"
    return dict(kw, mean0=np.zeros(33)), "mean0"


DOMAINS = {
    "quadratic": Domain(_quad_valid, _quad_check, _quad_invalid),
    "double_well": Domain(_dw_valid, _dw_check, _pos_invalid(["height", "width", "stiffness"])),
    "three_wells": Domain(_tw_valid, _tw_check, _pos_invalid(["scale"])),
    "polynomial": Domain(_poly_valid, _poly_check, _poly_invalid),
    "custom": Domain(_custom_valid, _custom_check, _custom_invalid),
    "constant_mobility": Domain(lambda data: {}, _const_check, None, "no parameter to get wrong"),
    "quadratic_mobility": Domain(_qm_valid, _qm_check, _qm_invalid),
    "bump_mobility": Domain(_bm_valid, _bm_check, _bm_invalid),
    "energy": Domain(_pts_valid, _energy_check, _pts_invalid),
    "gradient": Domain(_pts_valid, _grad_check, _pts_invalid),
    "mobility_value": Domain(_mob_valid, _mob_check, _mob_invalid),
    "simulate": Domain(_sim_valid, _sim_check, _sim_invalid),
    "euler_maruyama": Domain(lambda data: _sim_valid(data, scheme_free=False), _sim_check, _em_invalid),
    "ou_moments": Domain(_ou_valid, _ou_check, _ou_invalid),
}
