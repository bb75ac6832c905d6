"""Domains of ``attractors.lagrangians``: generating functions, Legendre energies and the network dynamics."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain


def _warm():
    """Load the compiled integrators once, before any call is timed."""
    from attractors import lagrangians as lg
    Lq = lg.lagrangian("quadratic")
    lg.integrate_qe(np.zeros(1), np.ones((1, 1)), Lq, Lq, dt=0.1, n_steps=1)
    lg.integrate_qe(np.zeros(1), np.ones((1, 1)), Lq, Lq, dt=0.1, n_steps=1, method="euler")
    lg.integrate_two(np.zeros(1), np.zeros(1), np.ones((1, 1)), Lq, Lq, tau_h=1.0, dt=0.1, n_steps=1)
    lg.langevin_two(np.zeros((1, 1)), np.zeros((1, 1)), np.ones((1, 1)), Lq, Lq, T=1.0, dt=0.1, n_steps=1, rng=0)


_warm()

KINDS = ("quadratic", "logcosh", "lse", "power", "quadform", "leaky_tanh")


def _seed(data):
    return data.draw(st.integers(0, 2**32 - 1), label="seed")


def _L(data, n, kinds=KINDS):
    from attractors.lagrangians import lagrangian
    kind = data.draw(st.sampled_from(kinds), label="kind")
    if kind == "quadform":
        g = np.random.default_rng(_seed(data))
        A = g.standard_normal((n, n))
        return lagrangian(kind, matrix=A @ A.T / n)
    return lagrangian(kind, beta=data.draw(st.sampled_from([1e-3, 1.0, 30.0]), label="beta"),
                      degree=data.draw(st.sampled_from([2.0, 3.0, 7.5]), label="degree"),
                      scale=data.draw(st.sampled_from([1e-3, 1.0, 5.0]), label="scale"))


def _x(data, n, mags=(1e-8, 1.0, 30.0)):
    g = np.random.default_rng(_seed(data))
    B = data.draw(st.sampled_from([None, 1, 3]), label="batch")
    x = g.uniform(-1, 1, (n,) if B is None else (B, n)) * data.draw(st.sampled_from(mags), label="magnitude")
    return x


def _ref_value(L, x):
    """Reference values in NumPy's long double where it helps (logcosh, lse), plain formulas otherwise."""
    k = L.kind
    xl = np.asarray(x, dtype=np.longdouble)
    if k == "quadratic":
        return 0.5 * L.scale * np.sum(xl * xl, -1)
    if k == "logcosh":
        bx = np.abs(L.beta * xl)
        return np.sum(bx + np.log1p(np.exp(-2 * bx)) - np.log(np.longdouble(2)), -1) / L.beta
    if k == "lse":
        m = np.max(xl, -1, keepdims=True)
        return (m[..., 0] * L.beta + np.log(np.sum(np.exp(L.beta * (xl - m)), -1))) / L.beta
    if k == "power":
        return np.sum(np.maximum(xl, 0) ** L.degree, -1) / L.degree
    if k == "quadform":
        return 0.5 * np.einsum("...i,ij,...j->...", xl, L.matrix.astype(np.longdouble), xl)
    bx = np.abs(xl)
    return 0.5 * L.scale * np.sum(xl * xl, -1) + np.sum(bx + np.log1p(np.exp(-2 * bx)) - np.log(np.longdouble(2)), -1)


def _one_L_valid(data):
    n = data.draw(st.integers(1, 5), label="n")
    L = _L(data, n)
    return {"L": L, "x": _x(data, n)}


def _value_check(kw, out):
    ref = np.asarray(_ref_value(kw["L"], kw["x"]), dtype=float)
    scale = 1 + np.abs(ref) + np.sum(np.abs(kw["x"]), -1) * (1 if kw["L"].kind != "power" else 0)
    assert np.all(np.abs(np.asarray(out) - ref) <= 1e-13 * scale), f"{out} vs {ref}"


def _activation_check(kw, out):
    # the activation is the gradient of the value: central differences in long double of the reference
    L, x = kw["L"], np.atleast_2d(kw["x"])
    g = np.atleast_2d(out)
    for b in range(x.shape[0]):
        for i in range(x.shape[1]):
            h = 1e-5 * max(1.0, abs(x[b, i]))
            xp, xm = x[b].copy(), x[b].copy()
            xp[i] += h
            xm[i] -= h
            fd = float((_ref_value(L, xp) - _ref_value(L, xm)) / (xp[i] - xm[i]))
            curv = 1 + abs(fd) + (L.beta if L.kind in ("logcosh", "lse") else 1) * (1 + abs(x[b, i])) ** 5
            assert abs(g[b, i] - fd) <= 1e-6 * curv, f"g[{b},{i}] = {g[b, i]} vs {fd}"


def _hessian_check(kw, out):
    from attractors.lagrangians import activation
    L, x = kw["L"], np.atleast_2d(kw["x"])
    H = out.reshape(x.shape[0], x.shape[1], x.shape[1])
    assert np.array_equal(H, np.swapaxes(H, 1, 2)), "not symmetric"
    for b in range(x.shape[0]):
        assert np.min(np.linalg.eigvalsh(H[b])) >= -1e-12 * max(1, np.max(np.abs(H[b]))), "not convex"
        for i in range(x.shape[1]):
            h = 1e-6 * max(1.0, abs(x[b, i]))
            xp, xm = x[b].copy(), x[b].copy()
            xp[i] += h
            xm[i] -= h
            fd = (activation(L, xp) - activation(L, xm)) / (xp[i] - xm[i])
            tol = 1e-4 * (1 + np.max(np.abs(fd))) * (1 + (L.beta if L.kind in ("logcosh", "lse") else 1) ** 2)
            assert np.max(np.abs(H[b, :, i] - fd)) <= tol, f"column {i}: {H[b, :, i]} vs {fd}"


def _legendre_check(kw, out):
    from attractors.lagrangians import activation, value
    L, x = kw["L"], kw["x"]
    g = activation(L, x)
    ref = np.sum(np.asarray(x, np.longdouble) * g, -1) - _ref_value(L, x)
    scale = 1 + np.abs(value(L, x)) + np.sum(np.abs(x * g), -1)
    assert np.all(np.abs(np.asarray(out) - np.asarray(ref, float)) <= 1e-13 * scale)
    # Fenchel-Young: L(y) + L*(g(x)) >= y . g(x), with equality at y = x
    y = x * 0.5 + 0.1
    assert np.all(value(L, y) + out - np.sum(y * g, -1) >= -1e-12 * scale)


def _state_invalid(data, fn):
    from attractors.lagrangians import lagrangian
    case = data.draw(st.sampled_from(["L", "x_nan", "x_ragged", "x_size", "x_empty"]), label="case")
    Lq = lagrangian("quadform", matrix=np.eye(2))
    if case == "L":
        return {"L": "quadratic", "x": np.ones(2)}, "L"
    if case == "x_nan":
        return {"L": lagrangian("lse"), "x": [1.0, np.nan]}, "x"
    if case == "x_ragged":
        return {"L": lagrangian("lse"), "x": [[1.0], [1.0, 2.0]]}, "x"
    if case == "x_size":
        return {"L": Lq, "x": np.ones(3)}, "x"
    return {"L": lagrangian("lse"), "x": np.ones((2, 0))}, "x"


def _lag_valid(data):
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    kw = {"kind": kind, "beta": data.draw(st.sampled_from([5e-324, 1e-3, 1.0, 1e300]), label="beta"),
          "degree": data.draw(st.sampled_from([2.0, 2.5, 64.0]), label="degree"),
          "scale": data.draw(st.sampled_from([5e-324, 1.0, 1e300]), label="scale")}
    if kind == "quadform":
        n = data.draw(st.sampled_from([1, 3, 300]), label="n")
        A = np.random.default_rng(_seed(data)).standard_normal((n, n))
        kw["matrix"] = A @ A.T * data.draw(st.sampled_from([1e-100, 1.0, 1e100]), label="matrix scale")
    return kw


def _lag_check(kw, out):
    assert out.kind == kw["kind"] and out.beta == kw["beta"] and out.scale == kw["scale"]
    if kw["kind"] == "quadform":
        A = kw["matrix"]
        assert np.max(np.abs(out.matrix - A)) <= 1e-15 * np.max(np.abs(A)) and not out.matrix.flags.writeable


def _lag_invalid(data):
    case = data.draw(st.sampled_from(["kind", "kind_type", "degree", "beta", "matrix", "matrix_big", "scale",
                                      "matrix_other"]), label="case")
    if case == "kind":
        return {"kind": "cubic"}, "kind"
    if case == "kind_type":
        return {"kind": np.array(["lse"])}, "kind"
    if case == "degree":
        return {"kind": "power", "degree": data.draw(st.sampled_from([1.5, 65.0, math.nan]))}, "degree"
    if case == "beta":
        return {"kind": "lse", "beta": data.draw(st.sampled_from([0.0, math.inf, 2**1100]))}, "beta"
    if case == "scale":
        return {"kind": "quadratic", "scale": -1.0}, "scale"
    if case == "matrix":
        return {"kind": "quadform", "matrix": data.draw(st.sampled_from([np.array([[1.0, 2.0], [0.0, 1.0]]),
                                                                          -np.eye(2), np.ones((2, 3))]))}, "matrix"
    if case == "matrix_other":
        return {"kind": "lse", "matrix": np.eye(2)}, "matrix"
    return {"kind": "quadform", "matrix": np.eye(5000)}, "matrix"


def _net(data, batch=True, kinds=KINDS, kinds_h=KINDS):
    g = np.random.default_rng(_seed(data))
    Nv, Nh = data.draw(st.integers(1, 4), label="Nv"), data.draw(st.integers(1, 4), label="Nh")
    J = g.standard_normal((Nh, Nv)) / math.sqrt(Nv)
    Lv, Lh = _L(data, Nv, kinds), _L(data, Nh, kinds_h)
    B = data.draw(st.sampled_from([None, 2]) if batch else st.just(None), label="batch")
    v = g.standard_normal((Nv,) if B is None else (B, Nv))
    I = g.standard_normal(Nv) if data.draw(st.booleans(), label="I") else None
    b = g.standard_normal(Nh) if data.draw(st.booleans(), label="b") else None
    return {"v": v, "J": J, "Lv": Lv, "Lh": Lh, "I": I, "b": b}


def _energy_qe_check(kw, out):
    from attractors.lagrangians import activation, value
    v, J, Lv, Lh = kw["v"], kw["J"], kw["Lv"], kw["Lh"]
    I = 0 if kw["I"] is None else kw["I"]
    b = 0 if kw["b"] is None else kw["b"]
    g = activation(Lv, v)
    ref = np.sum((v - I) * g, -1) - value(Lv, v) - value(Lh, g @ J.T + b)
    assert np.all(np.abs(out - ref) <= 1e-12 * (1 + np.abs(ref) + np.sum(np.abs(v * g), -1)))


def _rhs_check(kw, out):
    from attractors.lagrangians import activation
    v, J, Lv, Lh = kw["v"], kw["J"], kw["Lv"], kw["Lh"]
    I = 0 if kw["I"] is None else kw["I"]
    b = 0 if kw["b"] is None else kw["b"]
    ref = -v + I + activation(Lh, activation(Lv, v) @ J.T + b) @ J
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12 * (1 + np.max(np.abs(ref))))


def _diss_valid(data):
    kw = _net(data)
    kw["tau_v"] = data.draw(st.sampled_from([5e-300, 1e-3, 1.0, 1e300]), label="tau_v")
    return kw


def _diss_check(kw, out):
    from attractors.lagrangians import hessian, rhs_qe
    r = rhs_qe(kw["v"], kw["J"], kw["Lv"], kw["Lh"], I=kw["I"], b=kw["b"])
    H = hessian(kw["Lv"], kw["v"])
    q = np.einsum("...i,...ij,...j->...", r, H, r)
    ref = -q / kw["tau_v"]
    assert np.all(out <= 1e-12 * np.abs(ref) + 1e-300), "dissipation must not be positive"
    assert np.all(np.abs(out - ref) <= 1e-10 * (np.abs(ref) + np.einsum("...i,...ij,...j->...", np.abs(r),
                                                                       np.abs(H), np.abs(r)) / kw["tau_v"]))


def _net_invalid(data, extra=None):
    from attractors.lagrangians import lagrangian
    case = data.draw(st.sampled_from(["J", "v", "I", "b", "Lv", "Lh"] + ([extra] if extra else [])), label="case")
    Lq = lagrangian("quadratic")
    base = {"v": np.zeros(3), "J": np.ones((2, 3)), "Lv": Lq, "Lh": lagrangian("lse")}
    if extra == "h":
        base["h"] = np.ones(2)
    if case == "J":
        return {**base, "J": [[1.0, 2.0, 3.0], [1.0]]}, "J"
    if case == "v":
        return {**base, "v": np.ones(4)}, "v"
    if case == "I":
        return {**base, "I": np.ones(2)}, "I"
    if case == "b":
        return {**base, "b": [np.inf, 0.0]}, "b"
    if case == "Lv":
        return {**base, "Lv": lagrangian("quadform", matrix=np.eye(2))}, "Lv"
    if case == "Lh":
        return {**base, "Lh": None}, "Lh"
    if case == "tau_v":
        return {**base, "tau_v": data.draw(st.sampled_from([5e-324, 0.0, -1.0, math.nan]))}, "tau_v"
    return {**base, "h": np.ones((2, 2))}, "h"


def _two_valid(data):
    kw = _net(data)
    g = np.random.default_rng(_seed(data))
    kw["h"] = g.standard_normal(kw["v"].shape[:-1] + (kw["J"].shape[0],))
    return kw


def _two_check(kw, out):
    from attractors.lagrangians import activation, energy_qe, value
    v, h, J, Lv, Lh = kw["v"], kw["h"], kw["J"], kw["Lv"], kw["Lh"]
    I = 0 if kw["I"] is None else kw["I"]
    b = 0 if kw["b"] is None else kw["b"]
    g, f = activation(Lv, v), activation(Lh, h)
    ref = (np.sum((v - I) * g, -1) - value(Lv, v) + np.sum(h * f, -1) - value(Lh, h) - np.sum(f * (g @ J.T + b), -1))
    assert np.all(np.abs(out - ref) <= 1e-12 * (1 + np.abs(ref) + np.sum(np.abs(h * f), -1)))
    # on the slow manifold h = J g + b the two-family energy is the quasi-equilibrium one
    from attractors.lagrangians import energy_two
    hs = g @ J.T + b
    e2 = energy_two(v, hs, J, Lv, Lh, I=kw["I"], b=kw["b"])
    eq = energy_qe(v, J, Lv, Lh, I=kw["I"], b=kw["b"])
    assert np.all(np.abs(e2 - eq) <= 1e-11 * (1 + np.abs(eq) + np.sum(np.abs(hs * activation(Lh, hs)), -1)))


def _int_qe_valid(data):
    kw = _net(data, batch=False)
    kw["v0"] = kw.pop("v")
    kw["tau_v"] = data.draw(st.sampled_from([0.5, 1.0, 1e6]), label="tau_v")
    kw["dt"] = max(5e-324, data.draw(st.sampled_from([5e-324, 1e-3, 0.05]), label="dt") * kw["tau_v"])
    kw["n_steps"] = data.draw(st.sampled_from([1, 7, 200]), label="n_steps")
    kw["method"] = data.draw(st.sampled_from(["rk4", "euler"]), label="method")
    kw["record_every"] = data.draw(st.integers(1, kw["n_steps"]), label="record_every")
    return kw


def _int_qe_check(kw, out):
    from attractors.lagrangians import energy_qe, rhs_qe
    t, V = out
    n_rec = kw["n_steps"] // kw["record_every"] + 1
    assert V.shape == (n_rec, kw["v0"].size) and np.array_equal(V[0], kw["v0"])
    np.testing.assert_allclose(t, kw["dt"] * kw["record_every"] * np.arange(n_rec), rtol=1e-15)
    # a NumPy loop of the same scheme for the first record
    c = kw["dt"] / kw["tau_v"]
    f = lambda v: rhs_qe(v, kw["J"], kw["Lv"], kw["Lh"], I=kw["I"], b=kw["b"])  # noqa: E731
    v = kw["v0"].copy()
    for _ in range(kw["record_every"]):
        if kw["method"] == "euler":
            v = v + c * f(v)
        else:
            k1 = f(v)
            k2 = f(v + 0.5 * c * k1)
            k3 = f(v + 0.5 * c * k2)
            k4 = f(v + c * k3)
            v = v + c * (k1 + 2 * k2 + 2 * k3 + k4) / 6
    if n_rec > 1:
        np.testing.assert_allclose(V[1], v, rtol=1e-9, atol=1e-9 * (1 + np.max(np.abs(v))))
    # the energy does not increase along an RK4 trajectory with a small step (a Lyapunov function)
    if kw["method"] == "rk4" and c <= 1e-3:
        E = energy_qe(V, kw["J"], kw["Lv"], kw["Lh"], I=kw["I"], b=kw["b"])
        assert np.all(np.diff(E) <= 1e-9 * (1 + np.abs(E[:-1]))), "E_QE increased"


def _int_invalid(data, two=False):
    from attractors.lagrangians import lagrangian
    case = data.draw(st.sampled_from(["dt", "n_steps", "record_every", "method", "budget", "tau_v", "v0"]),
                     label="case")
    Lq = lagrangian("quadratic")
    base = {"v0": np.ones(3), "J": np.ones((2, 3)) / 3, "Lv": Lq, "Lh": lagrangian("lse"), "dt": 0.1, "n_steps": 3}
    if two:
        base.update(h0=np.zeros(2), tau_h=1.0)
    if case == "dt":
        return {**base, "dt": data.draw(st.sampled_from([0.0, math.inf, -0.1]))}, "dt"
    if case == "n_steps":
        return {**base, "n_steps": data.draw(st.sampled_from([0, 2**64, 10**9]))}, "n_steps"
    if case == "record_every":
        return {**base, "record_every": data.draw(st.sampled_from([0, 4, 2**64]))}, "record_every"
    if case == "method":
        return {**base, "method": data.draw(st.sampled_from(["rk45", 4]))}, "method"
    if case == "tau_v":
        return {**base, "tau_v": 5e-324}, "tau_v"
    if case == "v0":
        return {**base, "v0": np.ones((2, 3))}, "v0"
    n = 200
    big = {"v0": np.zeros(n), "J": np.eye(n), "Lv": Lq, "Lh": lagrangian("lse"), "dt": 0.01, "n_steps": 10**8,
           "record_every": 10**8}
    if two:
        big.update(h0=np.zeros(n), tau_h=1.0)
    return big, "n_steps"


def _int_two_valid(data):
    kw = _int_qe_valid(data)
    g = np.random.default_rng(_seed(data))
    kw["h0"] = g.standard_normal(kw["J"].shape[0])
    kw["tau_h"] = data.draw(st.sampled_from([0.3, 1.0, 1e6]), label="tau_h")
    kw["dt"] = min(kw["dt"], 0.05 * kw["tau_h"])
    return kw


def _int_two_check(kw, out):
    from attractors.lagrangians import energy_two
    t, V, H = out
    assert np.array_equal(V[0], kw["v0"]) and np.array_equal(H[0], kw["h0"])
    assert V.shape[0] == H.shape[0] == t.size == kw["n_steps"] // kw["record_every"] + 1
    if kw["method"] == "rk4" and kw["tau_v"] == 1.0 and kw["tau_h"] == 1.0:
        E = energy_two(V, H, kw["J"], kw["Lv"], kw["Lh"], I=kw["I"], b=kw["b"])
        assert np.all(np.diff(E) <= 1e-9 * (1 + np.abs(E[:-1]))), "the two-family energy increased"


def _lang_valid(data):
    kw = _net(data, batch=False, kinds=("quadratic", "leaky_tanh"), kinds_h=("quadratic", "leaky_tanh"))
    g = np.random.default_rng(_seed(data))
    M = data.draw(st.sampled_from([1, 5, 200]), label="M")
    kw["v0"] = g.standard_normal((M, kw.pop("v").size))
    kw["h0"] = g.standard_normal((M, kw["J"].shape[0]))
    kw.update(T=data.draw(st.sampled_from([1e-300, 0.1, 2.0])), dt=data.draw(st.sampled_from([1e-6, 0.01])),
              n_steps=data.draw(st.sampled_from([1, 50])), rng=_seed(data),
              form=data.draw(st.sampled_from(["langevin", "no_divergence", "source"])))
    return kw


def _lang_check(kw, out):
    from attractors.lagrangians import langevin_two
    V, H = out
    assert V.shape == kw["v0"].shape and H.shape == kw["h0"].shape
    again = langevin_two(**kw)
    assert np.array_equal(again[0], V) and np.array_equal(again[1], H), "same seed, different result"
    if kw["T"] <= 1e-300:  # no noise: one Euler step of the deterministic drift per step
        assert np.all(np.isfinite(V))


def _lang_invalid(data):
    from attractors.lagrangians import lagrangian
    case = data.draw(st.sampled_from(["kind", "T", "form", "budget", "h0"]), label="case")
    Lq = lagrangian("quadratic")
    base = {"v0": np.zeros((2, 3)), "h0": np.zeros((2, 2)), "J": np.ones((2, 3)), "Lv": Lq, "Lh": Lq, "T": 1.0,
            "dt": 0.01, "n_steps": 3, "rng": 0}
    if case == "kind":
        return {**base, "Lh": lagrangian("lse")}, "Lh"
    if case == "T":
        return {**base, "T": 0.0}, "T"
    if case == "form":
        return {**base, "form": "ito"}, "form"
    if case == "h0":
        return {**base, "h0": np.zeros((3, 2))}, "h0"
    return {**base, "v0": np.zeros((1000, 100)), "h0": np.zeros((1000, 100)), "J": np.eye(100),
            "n_steps": 10**5}, "n_steps"


def _hess_invalid(data):
    from attractors.lagrangians import lagrangian
    if data.draw(st.booleans(), label="budget"):
        return {"L": lagrangian("quadratic"), "x": np.zeros((1000, 1000))}, "x"
    return _state_invalid(data, "hessian")


DOMAINS = {
    "lagrangian": Domain(_lag_valid, _lag_check, _lag_invalid),
    "value": Domain(_one_L_valid, _value_check, lambda d: _state_invalid(d, "value"), "long-double reference"),
    "activation": Domain(_one_L_valid, _activation_check, lambda d: _state_invalid(d, "activation"),
                         "the gradient of the long-double value"),
    "hessian": Domain(_one_L_valid, _hessian_check, _hess_invalid, "symmetric, convex, the activation's Jacobian"),
    "legendre": Domain(_one_L_valid, _legendre_check, lambda d: _state_invalid(d, "legendre"),
                       "x.g - L(x) in long double, Fenchel-Young inequality"),
    "energy_qe": Domain(_net, _energy_qe_check, _net_invalid),
    "rhs_qe": Domain(_net, _rhs_check, _net_invalid),
    "dissipation_qe": Domain(_diss_valid, _diss_check, lambda d: _net_invalid(d, "tau_v")),
    "energy_two": Domain(_two_valid, _two_check, lambda d: _net_invalid(d, "h")),
    "integrate_qe": Domain(_int_qe_valid, _int_qe_check, _int_invalid, "NumPy RK4/Euler loop; E_QE decreases"),
    "integrate_two": Domain(_int_two_valid, _int_two_check, lambda d: _int_invalid(d, True)),
    "langevin_two": Domain(_lang_valid, _lang_check, _lang_invalid, "reproducible from its seed"),
}
