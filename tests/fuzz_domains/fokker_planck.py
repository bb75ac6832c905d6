"""Domains of ``attractors.fokker_planck``: valid extremes checked against exact invariants and references.

The invariants are the discrete ones the module promises exactly: the generator conserves mass
(columns sum to zero, reflecting walls), the discrete Boltzmann law is stationary whatever the
antisymmetric part of ``K`` (``Q pi = 0``), the rates are ``K T / h**2`` times the Bernoulli function
(checked against rational arithmetic for the coefficient and ``decimal`` for ``B``), the free energy
is ``V (sum p E + T sum p ln p)`` (checked in rational arithmetic) and the evolution is the dense
explicit or implicit Euler recursion.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain

#: Powers of ten (exponents) for K, T and h drawn so that K T / h**2 stays within [1e-250, 1e250].
EXPS = st.sampled_from([-300, -170, -60, -8, 0, 8, 60, 170, 300])


def _fp():
    from attractors import fokker_planck
    return fokker_planck


def _scales(data):
    """K, T, h with K T / h**2 inside the normal range (the documented domain) and E/T moderate or steep."""
    eT = data.draw(EXPS, label="eT")
    eh = data.draw(st.sampled_from([-150, -60, -8, 0, 8, 60, 150]), label="eh")
    eK = data.draw(EXPS, label="eK")
    if abs(eK + eT - 2 * eh) > 250:
        eK = 2 * eh - eT + data.draw(st.sampled_from([-200, 0, 200]), label="eK shift")
        if abs(eK) > 300:
            eK = int(math.copysign(300, eK))
        if abs(eK + eT - 2 * eh) > 250:
            eh = (eK + eT) // 2
    return 10.0**eK, 10.0**eT, 10.0**eh


def _energy(data, shape, T):
    kind = data.draw(st.sampled_from(["smooth", "steep", "flat"]), label="E kind")
    seed = data.draw(st.integers(0, 2**31), label="seed")
    g = np.random.default_rng(seed)
    if kind == "flat":
        return np.zeros(shape)
    per = {"smooth": 1.0, "steep": 200.0}[kind]
    return g.uniform(-1.0, 1.0, shape) * per * T


def _op1(data, small=False):
    n = data.draw(st.integers(3, 12 if small else 200), label="n")
    K, T, h = _scales(data)
    E = _energy(data, n, T)
    boundary = data.draw(st.sampled_from(["reflecting", "absorbing", "periodic"]), label="boundary")
    Kc = K if data.draw(st.booleans(), label="K field") else K * np.random.default_rng(n).uniform(0.5, 2.0, n)
    wrap = float(data.draw(st.sampled_from([0.0, -2.0]), label="wrap")) * T if boundary == "periodic" else 0.0
    return {"E": E, "h": h, "T": T, "K": Kc, "boundary": boundary, "wrap_step": wrap}


def _op2(data, small=False):
    nx = data.draw(st.integers(3, 6 if small else 24), label="nx")
    ny = data.draw(st.integers(3, 6 if small else 24), label="ny")
    K0, T, h = _scales(data)
    ratio = data.draw(st.sampled_from([1.0, 0.5, 2.0]), label="aspect")
    kind = data.draw(st.sampled_from(["iso", "diag", "offdiag", "rot", "rot field"]), label="K kind")
    Km = {"iso": np.eye(2), "diag": np.diag([1.0, 0.25]), "offdiag": np.array([[1.0, 0.2], [0.2, 1.0]]),
          "rot": np.array([[1.0, 0.7], [-0.7, 1.0]]), "rot field": np.array([[1.0, 0.7], [-0.7, 1.0]])}[kind]
    out = {"E": _energy(data, (nx, ny), T), "spacing": (h, h * ratio), "T": T, "K": K0 * Km,
           "boundary": data.draw(st.sampled_from(["reflecting", "absorbing"]), label="boundary")}
    if kind == "rot field":
        out["K_field"] = np.random.default_rng(nx * ny).uniform(0.5, 2.0, (nx, ny))
    return out


def _build(kw):
    fp = _fp()
    return fp.operator_1d(**kw) if "h" in kw else fp.operator_2d(**kw)


def _any_op(data, small=True):
    kw = _op1(data, small) if data.draw(st.booleans(), label="1-D") else _op2(data, small)
    return _build(kw)


def _density(data, op):
    """Masses m = p V of magnitude 10**e, capped so that m times the rates, E and T stays below 1e280."""
    e = data.draw(st.sampled_from([-300, -100, 0, 100, 300]), label="p exp")
    seed = data.draw(st.integers(0, 2**31), label="p seed")
    p = np.random.default_rng(seed).uniform(0.0, 1.0, op.shape)
    if data.draw(st.booleans(), label="with zeros"):
        p.ravel()[:: 3] = 0.0
    p.ravel()[0] = 1.0
    rate = max(float(np.max(op.rate_fwd)), float(np.max(op.rate_bwd)), 1.0)
    energy = max(float(np.max(np.abs(op.E))), 1e3 * op.T, 1.0)
    e = min(e, int(280 - math.log10(rate) - math.log10(energy)))
    e = max(e, int(-280 - math.log10(min(op.T, 1.0))))
    lv = math.log10(op.cell_volume)
    e = max(min(e, int(300 + lv)), int(-300 + lv))   # the density p = m / V itself stays finite and normal
    return p * 10.0**(e - lv)


def _q_times(op, m):
    fp = _fp()
    return np.asarray(fp.generator_matrix(op) @ m)


def _check_stationary_and_conservation(op):
    fp = _fp()
    pi_m = np.exp(op.log_pi)
    Q = fp.generator_matrix(op)
    rates = np.abs(Q).toarray() if op.size <= 600 else None
    inside = np.all(op.dst >= 0)
    if op.boundary in ("reflecting", "periodic"):
        colsum = np.asarray(Q.sum(axis=0)).ravel()
        scale = np.asarray(abs(Q).sum(axis=0)).ravel()
        assert np.all(np.abs(colsum) <= 1e-13 * scale + 1e-300), "columns of Q do not sum to zero (mass not kept)"
    if op.boundary == "reflecting" and inside:
        r = Q @ pi_m
        bound = (abs(Q) @ pi_m)
        assert np.all(np.abs(r) <= 1e-11 * bound + 1e-300), \
            f"Q pi != 0: max relative residual {np.max(np.abs(r) / np.maximum(bound, 1e-300)):.3g}"
    assert np.all(op.rate_fwd >= 0) and np.all(op.rate_bwd >= 0) and np.all(np.isfinite(op.rate_fwd))
    del rates


# ---------------------------------------------------------------------------------------------

def _bern_valid(data):
    z = data.draw(st.lists(st.one_of(st.floats(allow_nan=False),
                                     st.floats(-1e-6, 1e-6), st.sampled_from([0.0, 5e-324, -5e-324, 700.0, -700.0,
                                                                              1e-300, 37.0, -37.0])),
                           min_size=1, max_size=30), label="z")
    return {"z": np.array(z) if data.draw(st.booleans(), label="array") else float(z[0])}


def _bern_ref(z: float) -> float:
    if math.isinf(z):
        return 0.0 if z > 0 else math.inf
    if z == 0:
        return 1.0
    if z > 745:
        return 0.0
    if z < -745:
        return -z
    if abs(z) < 1e-6:
        return 1.0 - z / 2 + z * z / 12
    with localcontext() as ctx:
        ctx.prec = 60
        dz = Decimal(z)
        return float(dz / (dz.exp() - 1))


def _bern_check(kw, out):
    z = np.atleast_1d(kw["z"])
    o = np.atleast_1d(out)
    for zi, oi in zip(z, o):
        ref = _bern_ref(float(zi))
        assert (oi == ref) if (math.isinf(ref) or ref == 0) else abs(oi - ref) <= 1e-15 * abs(ref) + 1e-300, \
            f"B({zi!r}) = {oi!r}, reference {ref!r}"


def _bern_invalid(data):
    return {"z": data.draw(st.sampled_from([np.array([1.0, np.nan]), "abc", np.array([1j])]), label="z")}, "z"


def _lp_valid(data):
    two = data.draw(st.booleans(), label="2-D")
    T = 10.0 ** data.draw(EXPS, label="eT")
    shape = (data.draw(st.integers(3, 40)), data.draw(st.integers(3, 40))) if two else data.draw(st.integers(3, 3000))
    E = _energy(data, shape, T)
    if data.draw(st.booleans(), label="offset"):
        E = E + T * data.draw(st.sampled_from([1e5, -1e5, 700.0]), label="offset")
    h = 10.0 ** data.draw(st.sampled_from([-150, -8, 0, 8, 150]), label="eh")
    return {"E": E, "spacing": (h, 2 * h) if two else h, "T": T}


def _lp_ref(kw):
    E, T = kw["E"].ravel(), kw["T"]
    h = kw["spacing"]
    V = float(np.prod(h)) if isinstance(h, tuple) else h
    x = [-(Fraction(e) / Fraction(T)) for e in E]
    mx = max(x)
    s = math.fsum(math.exp(float(v - mx)) for v in x)
    return float(mx) + math.log(s) + math.log(V)


def _lp_check(kw, out):
    ref = _lp_ref(kw)
    assert abs(out - ref) <= 1e-12 * max(1.0, abs(ref)), f"ln Z = {out!r}, reference {ref!r}"


def _lp_invalid(data):
    which = data.draw(st.sampled_from(["T", "spacing", "E", "E/T"]), label="case")
    E = np.zeros(5)
    if which == "T":
        return {"E": E, "spacing": 1.0, "T": 0.0}, "T"
    if which == "spacing":
        return {"E": E, "spacing": -1.0, "T": 1.0}, "spacing"
    if which == "E":
        return {"E": np.zeros(2), "spacing": 1.0, "T": 1.0}, "E"
    return {"E": np.array([1e300, 0.0, -1e300]), "spacing": 1.0, "T": 1e-300}, "E"


def _boltz_check(kw, out):
    h = kw["spacing"]
    V = float(np.prod(h)) if isinstance(h, tuple) else h
    total = math.fsum(out.ravel()) * V
    assert abs(total - 1.0) <= 1e-12, f"the Boltzmann density integrates to {total!r}"
    E, T = kw["E"].ravel(), kw["T"]
    i, j = int(np.argmin(E)), int(np.argmax(E))
    z = float((Fraction(E[j]) - Fraction(E[i])) / Fraction(T))
    if z < 600 and out.ravel()[j] > 1e-290:
        ratio = out.ravel()[j] / out.ravel()[i]
        assert abs(ratio - math.exp(-z)) <= 1e-12 * math.exp(-z) * max(1.0, z), "q_j / q_i != exp(-(E_j - E_i)/T)"


def _fe_valid(data):
    two = data.draw(st.booleans(), label="2-D")
    shape = (data.draw(st.integers(3, 20)), data.draw(st.integers(3, 20))) if two else data.draw(st.integers(3, 400))
    ep, eE, eT, eh = (data.draw(st.sampled_from(v), label=k) for k, v in
                      (("ep", [-300, -100, 0, 100, 300]), ("eE", [-300, -8, 0, 8, 300]),
                       ("eT", [-300, -8, 0, 8, 300]), ("eh", [-150, 0, 150])))
    # keep the true F in range: V p E and V p T ln p below ~1e300
    hd = 2 if two else 1
    ep = min(ep, 280 - hd * eh - max(eE, eT + 3, 0))
    g = np.random.default_rng(data.draw(st.integers(0, 2**31), label="seed"))
    p = g.uniform(0.0, 1.0, shape) * 10.0**ep
    if data.draw(st.booleans(), label="zeros"):
        p.ravel()[::4] = 0.0
    h = 10.0**eh
    return {"p": p, "E": g.uniform(-1, 1, shape) * 10.0**eE, "spacing": (h, h) if two else h, "T": 10.0**eT}


def _fe_check(kw, out):
    p, E, T = kw["p"].ravel(), kw["E"].ravel(), kw["T"]
    h = kw["spacing"]
    V = Fraction(h[0]) * Fraction(h[1]) if isinstance(h, tuple) else Fraction(h)
    a = sum(Fraction(pi) * Fraction(ei) for pi, ei in zip(p, E))
    logs = [Fraction(pi) * Fraction(math.log(pi)) for pi in p if pi > 0]
    b = sum(logs)
    ref = V * (a + Fraction(T) * b)
    mag = V * (sum(abs(Fraction(pi) * Fraction(ei)) for pi, ei in zip(p, E)) + Fraction(T) * sum(abs(v) for v in logs))
    tol = 1e-13 * float(mag) + 1e-300
    assert abs(Fraction(out) - ref) <= Fraction(tol), f"F = {out!r}, exact {float(ref)!r}"


def _fe_invalid(data):
    which = data.draw(st.sampled_from(["p", "spacing", "T", "shape"]), label="case")
    p, E = np.full(5, 4.0), np.full(5, 4.0)
    if which == "p":
        return {"p": -p, "E": E, "spacing": 1.0, "T": 1.0}, "p"
    if which == "spacing":
        return {"p": p, "E": E, "spacing": 1.7e308, "T": 1.0}, "spacing"
    if which == "T":
        return {"p": p, "E": E, "spacing": 1.0, "T": -1.0}, "T"
    return {"p": np.ones(4), "E": E, "spacing": 1.0, "T": 1.0}, "p"


def _op1_valid(data):
    return _op1(data)


def _rates_ref_check(op, K_faces, T, d2):
    """rates == K T / d2 * B(+-dE/T), the coefficient in rational arithmetic."""
    fp = _fp()
    Ei, Ej = op.E.ravel()[op.src], op.E.ravel()[np.maximum(op.dst, 0)]
    for k in range(min(op.src.size, 40)):
        if op.dst[k] < 0:
            continue
        c = float(Fraction(K_faces[k]) * Fraction(T) / d2)
        z = float((Fraction(Ej[k]) - Fraction(Ei[k])) / Fraction(T))
        for got, ref in ((op.rate_fwd[k], c * fp.bernoulli(z)), (op.rate_bwd[k], c * fp.bernoulli(-z))):
            assert abs(got - ref) <= 1e-13 * abs(ref) + 1e-307, f"rate {got!r}, reference {ref!r}"


def _op1_check(kw, op):
    _check_stationary_and_conservation(op)
    K = np.broadcast_to(np.asarray(kw["K"], dtype=float), op.shape)
    faces = [2 * Fraction(K[i]) * Fraction(K[j]) / (Fraction(K[i]) + Fraction(K[j])) for i, j in
             zip(op.src, np.maximum(op.dst, 0))]
    if kw["boundary"] != "periodic":
        _rates_ref_check(op, [float(f) for f in faces], kw["T"], Fraction(kw["h"]) ** 2)


def _op1_invalid(data):
    which = data.draw(st.sampled_from(["h", "hsmall", "T", "K", "boundary", "wrap_step", "E", "Kunder"]), label="case")
    E = np.zeros(5)
    kw = {"E": E, "h": 1.0, "T": 1.0}
    if which == "h":
        return dict(kw, h=1e300), "h"
    if which == "hsmall":
        return dict(kw, h=1e-300), "h"
    if which == "T":
        return dict(kw, T=0.0), "T"
    if which == "K":
        return dict(kw, K=-1.0), "K"
    if which == "boundary":
        return dict(kw, boundary="open"), "boundary"
    if which == "wrap_step":
        return dict(kw, wrap_step=1.0), "wrap_step"
    if which == "E":
        return dict(kw, E=np.zeros(2)), "E"
    return dict(kw, K=1e-170, T=1e-170), "K"


def _op2_check(kw, op):
    _check_stationary_and_conservation(op)


def _op2_invalid(data):
    which = data.draw(st.sampled_from(["spacing", "K", "K_field", "boundary", "E"]), label="case")
    kw = {"E": np.zeros((4, 4)), "spacing": 1.0, "T": 1.0}
    if which == "spacing":
        return dict(kw, spacing=1e300), "spacing"
    if which == "K":
        return dict(kw, K=np.array([[1.0, 2.0], [2.0, 1.0]])), "K"
    if which == "K_field":
        return dict(kw, K_field=-np.ones((4, 4))), "K_field"
    if which == "boundary":
        return dict(kw, boundary="periodic"), "boundary"
    return dict(kw, E=np.zeros((2, 4))), "E"


def _op_only(data):
    return {"op": _any_op(data)}


def _bad_op(data):
    return {"op": data.draw(st.sampled_from([None, "op", np.eye(3)]), label="op")}, "op"


def _gm_check(kw, Q):
    op = kw["op"]
    big = max(float(np.max(op.rate_fwd)), float(np.max(op.rate_bwd)), 1.0)
    scale = max(1.0 / big, op.cell_volume * 1e-280)    # p = m / V must not underflow either
    if scale * big > 1e300:
        return
    m = np.random.default_rng(1).uniform(0, 1, op.size) * scale
    ref = _fp().apply_operator(op, m.reshape(op.shape) / op.cell_volume).ravel() * op.cell_volume
    got = Q @ m
    bound = abs(Q) @ m
    # (Q p underflows where Q m / V is below 1e-308: allow that much, times V)
    assert np.all(np.abs(got - ref) <= 1e-12 * bound + 1e-300 * max(op.cell_volume, 1.0)), \
        "generator_matrix @ m != apply_operator"
    import scipy.sparse as sp
    off = Q - sp.diags(Q.diagonal())
    assert off.min() >= 0, "negative off-diagonal rate"


def _apply_valid(data):
    op = _any_op(data)
    return {"op": op, "p": _density(data, op)}


def _apply_check(kw, out):
    op, p = kw["op"], kw["p"]
    V = op.cell_volume
    Qd = _fp().generator_matrix(op).toarray()
    m = p.ravel() * V
    ref = Qd @ m / V
    bound = np.abs(Qd) @ m / V
    assert np.all(np.abs(out.ravel() - ref) <= 1e-12 * bound + 1e-300), "apply_operator != Q m / V (dense)"


def _p_invalid(data):
    op = _build({"E": np.zeros(4), "h": 1.0, "T": 1.0})
    which = data.draw(st.sampled_from(["neg", "shape", "nan"]), label="case")
    p = {"neg": -np.ones(4), "shape": np.ones(5), "nan": np.array([1.0, np.nan, 1.0, 1.0])}[which]
    return {"op": op, "p": p}, "p"


def _sdt_check(kw, out):
    op = kw["op"]
    Qd = _fp().generator_matrix(op).toarray()
    ref = 1.0 / np.max(-np.diag(Qd))
    assert abs(out - ref) <= 1e-13 * ref, f"stable_dt {out!r} vs 1 / max exit rate {ref!r}"
    P = np.eye(op.size) + out * Qd
    assert P.min() >= -1e-12 * np.abs(P).max(), "I + stable_dt Q has a negative entry"


_WARM = []


def _warm_up():
    """Compile the evolve kernel (both methods) before the first timed call: a fresh clone has no numba cache."""
    if not _WARM:
        op = _build({"E": np.zeros(3), "h": 1.0, "T": 1.0})
        for method in ("implicit", "explicit"):
            _fp().evolve(op, np.ones(3), 0.1, 1, method=method, n_record=1)
        _WARM.append(True)


def _ev_valid(data):
    _warm_up()
    op = _any_op(data)
    method = data.draw(st.sampled_from(["implicit", "explicit"]), label="method")
    n_steps = data.draw(st.integers(1, 200), label="n_steps")
    sdt = _fp().stable_dt(op)
    if method == "explicit":
        t_end = n_steps * sdt * data.draw(st.sampled_from([1.0, 0.5, 1e-3]), label="frac")
    else:
        t_end = n_steps * sdt * data.draw(st.sampled_from([1e-3, 1.0, 1e3]), label="mult")
    n_record = data.draw(st.integers(1, n_steps), label="n_record")
    return {"op": op, "p0": _density(data, op), "t_end": t_end, "n_steps": n_steps, "method": method,
            "n_record": n_record}


def _ev_check(kw, tr):
    op = kw["op"]
    V = op.cell_volume
    Qd = _fp().generator_matrix(op).toarray()
    dt = kw["t_end"] / kw["n_steps"]
    m = kw["p0"].ravel() * V
    grow = 1e-14 * kw["n_steps"] * (1.0 + dt / _fp().stable_dt(op))
    if kw["method"] == "implicit":
        P = np.linalg.inv(np.eye(op.size) - dt * Qd)
    else:
        P = np.eye(op.size) + dt * Qd
    mm = m.copy()
    for _ in range(kw["n_steps"]):
        mm = P @ mm
    got = tr.p[-1].ravel() * V
    assert np.all(np.abs(got - mm) <= (1e-9 + grow) * m.sum() + 1e-300), \
        f"final masses differ from the dense recursion by {np.max(np.abs(got - mm)) / m.sum():.3g} (relative)"
    assert tr.p.shape[0] == len(tr.t) and tr.t[-1] == kw["n_steps"] * dt
    assert tr.min_p >= -1e-12 * m.max() / V, "negative density"
    # (round-off grows with the steps and, for implicit Euler, with the condition number ~ 1 + dt * rate)
    if op.boundary != "absorbing":
        assert np.all(np.abs(tr.mass - m.sum()) <= grow * m.sum()), "mass not kept"
    if op.boundary == "reflecting" and m.sum() > 1e-100:   # (below, masses e^-400 smaller are subnormal)
        assert np.all(np.diff(tr.F) <= 1e-10 * (np.abs(tr.F[:-1]) + m.sum() * op.T)), "free energy increased"


def _ev_invalid(data):
    op = _build({"E": np.array([0.0, 1.0, 0.5, 2.0]), "h": 1.0, "T": 1.0})
    p0 = np.ones(4) / 4
    which = data.draw(st.sampled_from(["t_end", "n_steps", "n_record", "method", "explicit", "huge", "p0", "big"]),
                      label="case")
    kw = {"op": op, "p0": p0, "t_end": 1.0, "n_steps": 10}
    if which == "t_end":
        return dict(kw, t_end=1.7e308, n_steps=20), "t_end"
    if which == "n_steps":
        return dict(kw, n_steps=0), "n_steps"
    if which == "n_record":
        return dict(kw, n_record=11), "n_record"
    if which == "method":
        return dict(kw, method="rk4"), "method"
    if which == "explicit":
        return dict(kw, method="explicit", t_end=100.0), "n_steps"
    if which == "huge":
        return dict(kw, n_steps=2**64), "n_steps"
    if which == "p0":
        return dict(kw, p0=-p0), "p0"
    return {"op": _big_op(), "p0": np.ones((150, 150)), "t_end": 1.0, "n_steps": 10**6}, "n_steps"


_BIG = []


def _big_op():
    if not _BIG:
        _BIG.append(_build({"E": np.zeros((150, 150)), "spacing": 1.0, "T": 1.0}))
    return _BIG[0]


def _ff_check(kw, out):
    op = kw["op"]
    V = op.cell_volume
    div = np.zeros(op.size)
    inside = op.dst >= 0
    np.add.at(div, op.src, -out)
    np.add.at(div, op.dst[inside], out[inside])
    ref = _fp().generator_matrix(op) @ (kw["p"].ravel() * V)
    bound = abs(_fp().generator_matrix(op)) @ (kw["p"].ravel() * V)
    assert np.all(np.abs(div - ref) <= 1e-12 * bound + 1e-300), "divergence of the face fluxes != Q m"


def _pc_valid(data):
    op = _any_op(data)
    at_pi = data.draw(st.booleans(), label="at pi")
    if at_pi:   # the Boltzmann law, with a total mass small enough that rates times energies stay in range
        rate = max(float(np.max(op.rate_fwd)), float(np.max(op.rate_bwd)), 1.0)
        energy = max(float(np.max(np.abs(op.E))), 1e3 * op.T, 1.0)
        e = min(0, int(280 - math.log10(rate) - math.log10(energy)))
        p = np.exp(op.log_pi).reshape(op.shape) * (10.0**e / op.cell_volume)
    else:
        p = _density(data, op)
    return {"op": op, "p": p}


def _pc_check(kw, J):
    op, p = kw["op"], kw["p"]
    assert J.shape == op.shape + (op.ndim,)
    phi = _fp().face_fluxes(op, p)
    tot = (phi[:, None] * op.disp).sum(axis=0) / op.cell_volume   # sum over cells of J = sum of pair currents
    scale = (np.abs(phi)[:, None] * np.abs(op.disp)).sum(axis=0) / op.cell_volume
    assert np.all(np.abs(J.reshape(-1, op.ndim).sum(axis=0) - tot) <= 1e-12 * scale + 1e-300), \
        "cell currents do not add up to the pair currents"


def _fer_check(kw, out):
    op, p = kw["op"], kw["p"]
    V = op.cell_volume
    m = p.ravel() * V
    if np.any(m == 0):
        return
    phi = _fp().face_fluxes(op, p)
    inside = op.dst >= 0
    lu = np.log(m) - op.log_pi
    # round-off bound of the module's formula sum_i (Q m)_i g_i, g_i = E_i + T (ln(m_i/V) + 1)
    g = op.E.ravel() + op.T * (np.log(m / V) + 1.0)
    noise = 1e-12 * float(np.sum((abs(_fp().generator_matrix(op)) @ m) * np.abs(g)))
    if np.all(inside):
        ref = op.T * float(np.sum(phi * (lu[op.dst] - lu[op.src])))
        mag = op.T * float(np.sum(np.abs(phi * (lu[op.dst] - lu[op.src]))))
        assert abs(out - ref) <= 1e-9 * mag + noise + 1e-300, f"dF/dt = {out!r}, sum by parts {ref!r}"
        if op.boundary == "reflecting":
            assert out <= noise + 1e-300, f"dF/dt = {out!r} > 0"


DOMAINS = {
    "bernoulli": Domain(_bern_valid, _bern_check, _bern_invalid),
    "log_partition": Domain(_lp_valid, _lp_check, _lp_invalid),
    "boltzmann": Domain(_lp_valid, _boltz_check, _lp_invalid),
    "free_energy": Domain(_fe_valid, _fe_check, _fe_invalid),
    "operator_1d": Domain(_op1_valid, _op1_check, _op1_invalid),
    "operator_2d": Domain(_op2, _op2_check, _op2_invalid),
    "generator_matrix": Domain(_op_only, _gm_check, _bad_op),
    "apply_operator": Domain(_apply_valid, _apply_check, _p_invalid),
    "stable_dt": Domain(_op_only, _sdt_check, _bad_op),
    "evolve": Domain(_ev_valid, _ev_check, _ev_invalid),
    "face_fluxes": Domain(_apply_valid, _ff_check, _p_invalid),
    "probability_current": Domain(_pc_valid, _pc_check, _p_invalid),
    "free_energy_rate": Domain(_pc_valid, _fer_check, _p_invalid),
}
