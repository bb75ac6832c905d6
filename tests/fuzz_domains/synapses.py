"""Domains of ``attractors.synapses``: the softmax synaptic kernel, its theory and its helpers."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain

def _warm():
    """Load the compiled kernels once, before any call is timed (numba's first dispatch takes seconds)."""
    from attractors import synapses as sy
    for p in (1, sy.MAX_INCREMENTAL_PATTERNS + 1):
        for beta in (1.0, math.inf):
            sy.simulate(np.ones((1, 1)), np.ones((p, 1)), np.zeros(1, dtype=np.int64), beta=beta, tau=1.0)


_warm()

#: Entry magnitudes up to the documented MAX_ENTRY = 1e100.
MAGS = st.sampled_from([1e-100, 1e-8, 1.0, 1e8, 1e100])


def _seed(data):
    return data.draw(st.integers(0, 2**32 - 1), label="seed")


def _simulate_valid(data):
    g = np.random.default_rng(_seed(data))
    nh, nv = data.draw(st.integers(1, 5), label="nh"), data.draw(st.integers(1, 5), label="nv")
    p = data.draw(st.integers(1, 4), label="P")
    integer = data.draw(st.booleans(), label="integer data (exact ties)")
    if integer:
        xi0 = g.integers(-2, 3, (nh, nv)).astype(float)
        pats = g.integers(-2, 3, (p, nv)).astype(float)
    else:
        mag = data.draw(MAGS, label="magnitude")
        xi0, pats = g.uniform(-1, 1, (nh, nv)) * mag, g.uniform(-1, 1, (p, nv)) * mag
    order = g.integers(0, p, data.draw(st.integers(0, 40), label="T"))
    beta = data.draw(st.sampled_from([1e-300, 1e-3, 1.0, 1e3, 1e300, math.inf]), label="beta")
    tau = data.draw(st.sampled_from([1.0, 1.5, 4.0, 1e6]), label="tau")
    lam = g.integers(-1, 2, (nh, nv)).astype(float) if data.draw(st.booleans(), label="lam") else None
    every = data.draw(st.integers(1, 3), label="record_every")
    return {"xi0": xi0, "patterns": pats, "order": order, "beta": beta, "tau": tau, "lam": lam,
            "record_every": every}


def _simulate_check(kw, out):
    from attractors import synapses as sy
    xi0, pats = kw["xi0"], kw["patterns"]
    lam = np.zeros_like(xi0) if kw["lam"] is None else kw["lam"]
    n_rec = len(kw["order"]) // kw["record_every"]
    assert out.shape == (n_rec, *xi0.shape) and np.all(np.isfinite(out))
    # every kernel path agrees: 1023 unused zero patterns switch to the direct kernel
    pad = np.vstack([pats, np.zeros((sy.MAX_INCREMENTAL_PATTERNS, pats.shape[1]))])
    other = sy.simulate(xi0, pad, kw["order"], beta=kw["beta"], tau=kw["tau"], lam=kw["lam"],
                        record_every=kw["record_every"])
    scale = max(np.max(np.abs(xi0)), np.max(np.abs(pats)), np.max(np.abs(lam)), 1e-300)
    if math.isinf(kw["beta"]) or kw["beta"] >= 1e300:
        assert np.array_equal(out, other), "the two kernels disagree at beta = inf (tie rule)"
    else:
        assert np.max(np.abs(out - other), initial=0.0) <= 1e-9 * scale, "the two kernels disagree"
    # NumPy reference of the same update
    ref = sy._simulate_reference(xi0, pats, kw["order"], kw["beta"], kw["tau"], lam, kw["record_every"])
    if kw["beta"] < 1e300 and kw["beta"] * scale * scale < 1e6 or math.isinf(kw["beta"]):
        assert np.max(np.abs(out - ref), initial=0.0) <= 1e-9 * scale, "differs from the NumPy loop"
    # each step is a convex combination: rows stay inside the box of their initial values and targets
    hi = np.maximum(np.abs(xi0), np.max(np.abs(lam)) + np.max(np.abs(pats)))
    assert np.all(np.abs(out) <= hi * (1 + 1e-12) + 1e-300)


def _simulate_invalid(data):
    base = {"xi0": np.zeros((2, 3)), "patterns": np.ones((2, 3)), "order": [0, 1], "beta": 1.0, "tau": 2.0}
    case = data.draw(st.sampled_from(["tau", "beta", "order", "order_idx", "patterns", "xi0", "lam", "budget",
                                      "record_every", "beta_big"]), label="case")
    if case == "tau":
        return {**base, "tau": 0.5}, "tau"
    if case == "beta":
        return {**base, "beta": data.draw(st.sampled_from([0.0, -1.0, math.nan]))}, "beta"
    if case == "beta_big":
        return {**base, "beta": 2**1100}, "beta"
    if case == "order":
        return {**base, "order": [[0, 1], [1]]}, "order"
    if case == "order_idx":
        return {**base, "order": [0, 2]}, "order"
    if case == "patterns":
        return {**base, "patterns": np.full((2, 3), 1e200)}, "patterns"
    if case == "xi0":
        return {**base, "xi0": [[1.0, 2.0], [3.0]]}, "xi0"
    if case == "lam":
        return {**base, "lam": np.zeros((3, 3))}, "lam"
    if case == "record_every":
        return {**base, "record_every": data.draw(st.sampled_from([0, 1.5, True]))}, "record_every"
    return {"xi0": np.zeros((400, 1000)), "patterns": np.zeros((1, 1000)), "order": np.zeros(10**6, dtype=np.int64),
            "beta": 1.0, "tau": 1.0, "record_every": 10**6}, "order"


def _cos_valid(data):
    t = np.array(data.draw(st.lists(st.sampled_from([0.0, 5e-324, 1e-8, 1.0, 1e3, 1e300, 1.7e308]), min_size=1,
                                    max_size=6), label="t"))
    tau = data.draw(st.sampled_from([5e-324, 1e-8, 1.0, 1e300, math.inf]), label="tau")
    alpha = data.draw(st.sampled_from([-1.0, -0.5, 0.0, 0.3, 1.0]), label="alpha")
    ratio = data.draw(st.sampled_from([1e-100, 1e-3, 1.0, 7.0, 1e100]), label="ratio")
    return {"t": t, "tau": tau, "alpha": alpha, "ratio": ratio}


def _cos_check(kw, out):
    from decimal import Decimal, getcontext
    getcontext().prec = 80
    out = np.atleast_1d(out)
    assert np.all(np.abs(out) <= 1.0)
    for t, o in zip(kw["t"], out):
        x = Decimal(-t) / Decimal(kw["tau"]) if kw["tau"] != math.inf else Decimal(0)
        e = x.exp()
        a, r = Decimal(kw["alpha"]), Decimal(kw["ratio"])
        num = e * a + (1 - e) * r
        den2 = e * e + (1 - e) ** 2 * r * r + 2 * e * (1 - e) * a * r
        ref = float(num / den2.sqrt()) if den2 > 0 else 0.0
        assert abs(o - ref) <= 1e-12, f"t={t}: {o!r} vs {ref!r}"


def _cos_invalid(data):
    case = data.draw(st.sampled_from(["t", "tau", "alpha", "ratio"]), label="case")
    base = {"t": [1.0], "tau": 1.0, "alpha": 0.5}
    if case == "t":
        return {**base, "t": [-1.0]}, "t"
    if case == "tau":
        return {**base, "tau": 0.0}, "tau"
    if case == "alpha":
        return {**base, "alpha": 1.5}, "alpha"
    return {**base, "ratio": 1e200}, "ratio"


def _cs_valid(data):
    g = np.random.default_rng(_seed(data))
    nh, nv = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 5))
    mag = data.draw(st.sampled_from([1e-300, 1.0, 1e300]), label="mag")
    tg = g.standard_normal((nh, nv)) * mag
    xi = g.standard_normal((data.draw(st.integers(1, 3)), nh, nv)) * data.draw(st.sampled_from([1e-300, 1.0, 1e300]))
    if data.draw(st.booleans(), label="zero row"):
        xi[..., 0, :] = 0.0
    return {"xi": xi, "targets": tg}


def _cs_check(kw, out):
    xi, tg = kw["xi"], kw["targets"]
    for idx in np.ndindex(out.shape):
        a, b = xi[idx[:-1]][idx[-1]], tg[idx[-1]]
        na, nb = np.linalg.norm(a / np.max(np.abs(a))) if np.any(a) else 0, np.linalg.norm(b / np.max(np.abs(b)))
        ref = 0.0 if na == 0 else float(np.dot(a / np.max(np.abs(a)), b / np.max(np.abs(b))) / (na * nb))
        assert abs(out[idx] - ref) <= 1e-12 and abs(out[idx]) <= 1.0 + 1e-15


def _cs_invalid(data):
    case = data.draw(st.sampled_from(["shape", "nan"]), label="case")
    if case == "shape":
        return {"xi": np.zeros((2, 3)), "targets": np.zeros((3, 2))}, "xi"
    return {"xi": np.ones((2, 3)), "targets": np.array([[1.0, np.nan, 0], [0, 0, 1]])}, "targets"


def _ro_valid(data):
    k = data.draw(st.integers(1, 6), label="P")
    w = np.array(data.draw(st.lists(st.sampled_from([0.0, 1e-300, 1e-9, 0.3, 1.0]), min_size=k, max_size=k)))
    if w.sum() == 0:
        w[0] = 1.0
    p = w / w.sum()
    n = data.draw(st.sampled_from([0, 1, 1000, 2**20 + 3]), label="n_steps")
    return {"p": p, "n_steps": n, "rng": _seed(data)}


def _ro_check(kw, out):
    ref = np.random.default_rng(kw["rng"]).choice(len(kw["p"]), size=kw["n_steps"], p=kw["p"])
    assert out.dtype == np.int64 and np.array_equal(out, ref), "differs from Generator.choice"
    assert np.all(kw["p"][out] > 0), "drew an index of probability 0"


def _ro_invalid(data):
    case = data.draw(st.sampled_from(["sum", "neg", "n_steps", "huge", "rng"]), label="case")
    if case == "sum":
        return {"p": [0.5, 0.6], "n_steps": 3}, "p"
    if case == "neg":
        return {"p": [1.5, -0.5], "n_steps": 3}, "p"
    if case == "n_steps":
        return {"p": [1.0], "n_steps": -1}, "n_steps"
    if case == "huge":
        return {"p": [0.5, 0.5], "n_steps": data.draw(st.sampled_from([10**9, 2**64]))}, "n_steps"
    return {"p": [1.0], "n_steps": 3, "rng": "x"}, "rng"


def _om_valid(data):
    nv = data.draw(st.sampled_from([1, 2, 7, 300, 2500]), label="n_v")
    nh = data.draw(st.sampled_from(sorted({1, max(1, nv // 2) if nv <= 300 else 400, nv if nv <= 300 else 40})),
                   label="n_h")
    return {"n_h": nh, "n_v": nv, "rng": _seed(data)}


def _om_check(kw, out):
    nv = kw["n_v"]
    assert out.shape == (kw["n_h"], nv)
    gram = out @ out.T / nv
    assert np.max(np.abs(gram - np.eye(kw["n_h"]))) <= 1e-12 * max(1, kw["n_h"]), "rows not orthonormal"


def _om_invalid(data):
    case = data.draw(st.sampled_from(["order", "big", "zero", "type"]), label="case")
    if case == "order":
        return {"n_h": 5, "n_v": 4}, "n_h"
    if case == "big":
        return {"n_h": 3000, "n_v": 30000}, "n_h"
    if case == "zero":
        return {"n_h": 1, "n_v": 0}, "n_v"
    return {"n_h": 2.0, "n_v": 4}, "n_h"


def _li_valid(data):
    nv = data.draw(st.sampled_from([1, 3, 50, 2000]), label="n_v")
    nh = data.draw(st.sampled_from(sorted({1, min(nv, 4), min(nv, 30)})), label="n_h")
    return {"n_h": nh, "n_v": nv, "noise": data.draw(st.sampled_from([0.0, 0.4, 1e100])),
            "seed": data.draw(st.sampled_from([0, 41, 2**32 - 1]))}


def _li_check(kw, out):
    xi0, pats = out
    nv = kw["n_v"]
    assert xi0.shape == pats.shape == (kw["n_h"], nv)
    np.testing.assert_allclose(xi0 @ xi0.T / nv, np.eye(kw["n_h"]), atol=1e-12)
    rs = np.random.RandomState(kw["seed"])  # the draws: the first row is the first standard normal row, scaled
    first = rs.standard_normal(nv)
    np.testing.assert_allclose(xi0[0], first / np.linalg.norm(first) * math.sqrt(nv), rtol=1e-13, atol=1e-13)
    assert np.all(np.isfinite(pats))


def _li_invalid(data):
    case = data.draw(st.sampled_from(["noise", "seed", "n_h", "big"]), label="case")
    if case == "noise":
        return {"noise": data.draw(st.sampled_from([-1.0, 1e300, math.inf]))}, "noise"
    if case == "seed":
        return {"seed": 2**32}, "seed"
    if case == "n_h":
        return {"n_h": 10, "n_v": 5}, "n_h"
    return {"n_h": 5000, "n_v": 10**6}, "n_h"


DOMAINS = {
    "simulate": Domain(_simulate_valid, _simulate_check, _simulate_invalid,
                       "both kernels (P <= 1024 and beyond) agree exactly at beta = inf and to round-off elsewhere"),
    "cosine_theory": Domain(_cos_valid, _cos_check, _cos_invalid, "80-digit decimal reference"),
    "cosine_similarity": Domain(_cs_valid, _cs_check, _cs_invalid),
    "random_order": Domain(_ro_valid, _ro_check, _ro_invalid, "same draws as Generator.choice, blocked or not"),
    "orthogonal_memories": Domain(_om_valid, _om_check, _om_invalid),
    "legacy_inputs": Domain(_li_valid, _li_check, _li_invalid),
}
