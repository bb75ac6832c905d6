"""Domains of ``attractors.hopfield``: edges of every public function, checked against plain NumPy /
Python references (exact sums, ``math.fsum``) or invariants (same seed same result, raw and prepared
couplings draw for draw, the Python reference loop, energy never increasing at zero temperature)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain

#: Coupling scales from the smallest normal to the largest the fields allow (N |J| <= MAX_FIELD).
SCALES = st.sampled_from([2.0**-1000, 1e-8, 1.0, 1e8, 1e290])
#: Inverse temperatures from the smallest subnormal to infinity.
BETAS = st.sampled_from([5e-324, 1e-300, 0.01, 1.0, 5.0, 1e300, np.inf])
#: Malformed values every array argument must refuse by name.
BAD_ARRAYS = [np.array([[1.0, np.nan], [np.nan, 0.0]]), [[0.0, 1.0], [1.0]], np.array([["a", "b"], ["c", "d"]]),
              [[2**2000, 0], [0, 0]], np.array([[1 + 1j, 0], [0, 0]])]


def _seed(data):
    return data.draw(st.integers(0, 2**32 - 1), label="seed")


def _pm(g, shape):
    return np.where(g.random(shape) < 0.5, -1.0, 1.0)


def _couplings(data, n_max=12, kind=None):
    """Couplings of one of the shapes the book uses: Hebbian (integer over N), Gaussian symmetric with zero
    diagonal, asymmetric, all zero (every field a tie), scaled to the edges."""
    n = data.draw(st.integers(1, n_max), label="n")
    g = np.random.default_rng(_seed(data))
    kind = kind or data.draw(st.sampled_from(["hebbian", "gauss", "asym", "zero"]), label="kind")
    if kind == "hebbian":
        xi = _pm(g, (data.draw(st.integers(1, 5), label="P"), n))
        J = xi.T @ xi / n
        np.fill_diagonal(J, 0.0)
        return J, g
    if kind == "zero":
        return np.zeros((n, n)), g
    A = g.standard_normal((n, n))
    J = (A + A.T) / 2 if kind == "gauss" else A
    np.fill_diagonal(J, 0.0)
    return J * (data.draw(SCALES, label="scale") / max(n, 1)), g


def _field(data, n, g, J):
    which = data.draw(st.sampled_from([None, "scalar", "vector"]), label="h")
    scale = float(np.abs(J).max()) if J.size and np.abs(J).max() > 0 else 1.0
    if which is None:
        return None
    if which == "scalar":
        return float(g.standard_normal() * scale)
    return g.standard_normal(n) * scale


def _energy_ref(J, s, h):
    n = J.shape[0]
    h = np.zeros(n) if h is None else np.broadcast_to(np.asarray(h, float), (n,))
    terms = [-0.5 * J[i, j] * s[i] * s[j] for i in range(n) for j in range(n)] + [-h[i] * s[i] for i in range(n)]
    return math.fsum(terms), math.fsum(abs(t) for t in terms)


def _close(a, b, scale, rtol=1e-12):
    assert abs(a - b) <= rtol * scale + 1e-300, f"{a!r} vs reference {b!r}"


# --------------------------------------------------------------------------- prepare, hebbian

def _prepare_valid(data):
    J, _ = _couplings(data, 40)
    return {"J": J}


def _prepare_check(kw, out):
    J = kw["J"]
    n = J.shape[0]
    assert out.symmetric == bool(np.array_equal(J, J.T)), "symmetry"
    K = np.rint(J * n)
    exact = bool(np.all(np.abs(J) * n <= 32767) and np.all(K / n == J))
    assert (out.K is not None) == exact, f"integer form found: {out.K is not None}, exists: {exact}"
    if exact:
        assert np.array_equal(out.K.astype(np.int64), K.astype(np.int64))
        assert out.rowsum == int(np.abs(K).sum(axis=1).max())
    assert out.J is J or np.array_equal(out.J, J)


def _bad_J(data, extra=None):
    bad = data.draw(st.sampled_from(BAD_ARRAYS + [np.zeros((2, 3)), np.zeros((0, 0)), np.zeros(3)]), label="bad J")
    return ({"J": bad} | (extra or {})), "J"


def _hebbian_valid(data):
    g = np.random.default_rng(_seed(data))
    p = data.draw(st.sampled_from([1, 2, 7, 300]), label="P")
    n = data.draw(st.sampled_from([1, 2, 5, 33, 200]), label="N")
    xi = _pm(g, (p, n))
    return {"patterns": xi[0] if p == 1 and data.draw(st.booleans(), label="1-d") else xi}


def _hebbian_check(kw, out):
    xi = np.atleast_2d(kw["patterns"]).astype(np.int64)
    n = xi.shape[1]
    K = xi.T @ xi
    np.fill_diagonal(K, 0)
    assert out.shape == (n, n) and out.dtype == np.float64
    assert np.array_equal(out, K / n), "J differs from the exact K / N"


def _hebbian_invalid(data):
    case = data.draw(st.sampled_from(["zero-one", "nan", "ragged", "strings", "empty", "huge"]), label="case")
    bad = {"zero-one": np.array([[1.0, 0.0]]), "nan": np.array([[1.0, np.nan]]), "ragged": [[1.0, -1.0], [1.0]],
           "strings": np.array(["1", "-1"]), "empty": np.zeros((0, 4)), "huge": np.ones((1, 20000))}[case]
    return {"patterns": bad}, "patterns"


# --------------------------------------------------------------------------- energy, fields, overlaps

def _state_valid(data, n_max=30, batch=True):
    J, g = _couplings(data, n_max)
    n = J.shape[0]
    b = data.draw(st.sampled_from([None, 1, 4]) if batch else st.just(None), label="batch")
    s = _pm(g, (n,) if b is None else (b, n))
    return {"J": J, "s": s, "h": _field(data, n, g, J)}


def _energy_check(kw, out):
    J, s, h = kw["J"], np.asarray(kw["s"]), kw["h"]
    for k, row in enumerate(np.atleast_2d(s)):
        ref, scale = _energy_ref(J, row, h)
        _close(float(np.atleast_1d(out)[k]), ref, scale)


def _field_check(kw, out):
    J, s, h = kw["J"], np.atleast_2d(kw["s"]), kw["h"]
    n = J.shape[0]
    hv = np.zeros(n) if h is None else np.broadcast_to(np.asarray(h, float), (n,))
    out = np.atleast_2d(out)
    for k, row in enumerate(s):
        for i in range(n):
            terms = [J[i, j] * row[j] for j in range(n)] + [hv[i]]
            _close(out[k, i], math.fsum(terms), math.fsum(map(abs, terms)))


def _state_invalid(data):
    case = data.draw(st.sampled_from(["J", "s01", "s-len", "s-nan", "h-shape", "overflow", "s-ragged"]), label="case")
    J = np.zeros((3, 3))
    s = np.ones(3)
    if case == "J":
        return _bad_J(data, {"s": s})
    if case == "s01":
        return {"J": J, "s": np.array([1.0, 0.0, 1.0])}, "s"
    if case == "s-len":
        return {"J": J, "s": np.ones(4)}, "s"
    if case == "s-nan":
        return {"J": J, "s": np.array([1.0, np.nan, 1.0])}, "s"
    if case == "s-ragged":
        return {"J": J, "s": [[1.0, 1.0, 1.0], [1.0]]}, "s"
    if case == "h-shape":
        return {"J": J, "s": s, "h": np.ones(2)}, "h"
    return {"J": np.full((3, 3), 1e308), "s": s}, "J"


def _overlaps_valid(data):
    g = np.random.default_rng(_seed(data))
    p, n = data.draw(st.integers(1, 6), label="P"), data.draw(st.integers(1, 300), label="N")
    b = data.draw(st.sampled_from([None, 1, 5]), label="batch")
    return {"patterns": _pm(g, (p, n)), "s": _pm(g, (n,) if b is None else (b, n))}


def _overlaps_check(kw, out):
    xi, s = kw["patterns"].astype(np.int64), np.atleast_2d(kw["s"]).astype(np.int64)
    ref = (s @ xi.T) / xi.shape[1]
    assert np.array_equal(np.atleast_2d(out), ref), "overlaps differ from the exact integer counts / N"


def _overlaps_invalid(data):
    case = data.draw(st.sampled_from(["len", "nan", "pat", "strings"]), label="case")
    if case == "len":
        return {"patterns": np.ones((2, 4)), "s": np.ones(5)}, "s"
    if case == "nan":
        return {"patterns": np.ones((2, 4)), "s": np.array([1.0, np.nan, 1.0, 1.0])}, "s"
    if case == "strings":
        return {"patterns": np.array([["a", "b"]]), "s": np.ones(2)}, "patterns"
    return {"patterns": [[1.0, 1.0], [1.0]], "s": np.ones(2)}, "patterns"


# --------------------------------------------------------------------------- dynamics

def _run_valid(data):
    J, g = _couplings(data, 24)
    n = J.shape[0]
    kw = {"J": J, "s0": _pm(g, n), "h": _field(data, n, g, J), "beta": data.draw(BETAS, label="beta"),
          "mode": data.draw(st.sampled_from(["sequential", "parallel"]), label="mode"),
          "sweeps": data.draw(st.sampled_from([0, 1, 4]), label="sweeps"), "rng": _seed(data)}
    if data.draw(st.booleans(), label="patterns"):
        kw["patterns"] = _pm(g, (data.draw(st.integers(1, 3), label="P"), n))
    return kw


def _run_check(kw, out):
    from attractors import hopfield as H

    s, m = (out if "patterns" in kw else (out, None))
    n = kw["J"].shape[0]
    assert s.shape == (n,) and np.all(np.abs(s) == 1.0), "not a ±1 state"
    again = H.run(**kw)
    assert np.array_equal(again[0] if m is not None else again, s), "same seed, different state"
    prepared = H.run(**(kw | {"J": H.prepare(kw["J"])}))
    assert np.array_equal(prepared[0] if m is not None else prepared, s), "raw J and prepare(J) differ"
    ref = H.run_reference(**{k: v for k, v in kw.items() if k != "patterns"})
    assert np.array_equal(ref, s), "differs from the Python reference loop (same stream)"
    if m is not None:
        assert m.shape == (kw["sweeps"] + 1, kw["patterns"].shape[0])
        assert np.array_equal(m[0], H.overlaps(kw["patterns"], kw["s0"])) and np.array_equal(
            m[-1], H.overlaps(kw["patterns"], s)), "recorded overlaps"
    if kw["mode"] == "sequential" and kw["beta"] == np.inf and np.array_equal(kw["J"], kw["J"].T):
        e0, e1 = H.energy(kw["J"], kw["s0"], kw["h"]), H.energy(kw["J"], s, kw["h"])
        _, scale = _energy_ref(kw["J"], kw["s0"], kw["h"])
        assert e1 <= e0 + 1e-9 * scale, f"energy rose at T = 0: {e0!r} -> {e1!r}"


def _run_invalid(data):
    J, s = np.zeros((3, 3)), np.ones(3)
    case = data.draw(st.sampled_from(["J", "sweeps-huge", "sweeps-neg", "sweeps-float", "beta0", "beta-nan",
                                      "beta-huge", "beta-str", "mode", "mode-arr", "rng", "s0", "patterns",
                                      "overflow", "records", "h"]), label="case")
    base = {"J": J, "s0": s}
    if case == "J":
        return _bad_J(data, {"s0": s})
    if case == "sweeps-huge":
        return base | {"sweeps": data.draw(st.sampled_from([2**64, 10**12, 2**2000]), label="v")}, "sweeps"
    if case == "sweeps-neg":
        return base | {"sweeps": -1}, "sweeps"
    if case == "sweeps-float":
        return base | {"sweeps": 1e300}, "sweeps"
    if case == "beta0":
        return base | {"beta": data.draw(st.sampled_from([0.0, -5e-324, -1.0]), label="v")}, "beta"
    if case == "beta-nan":
        return base | {"beta": float("nan")}, "beta"
    if case == "beta-huge":
        return base | {"beta": 2**2000}, "beta"
    if case == "beta-str":
        return base | {"beta": "1"}, "beta"
    if case == "mode":
        return base | {"mode": "random"}, "mode"
    if case == "mode-arr":
        return base | {"mode": np.array(["sequential"])}, "mode"
    if case == "rng":
        return base | {"rng": -1}, "rng"
    if case == "s0":
        return {"J": J, "s0": np.array([["1", "1", "1"]])}, "s0"
    if case == "patterns":
        return base | {"patterns": np.ones((2, 4))}, "patterns"
    if case == "records":
        return base | {"patterns": np.ones((1000, 3)), "sweeps": 2 * 10**5}, "sweeps"
    if case == "h":
        return base | {"h": [[1.0], [1.0, 2.0]]}, "h"
    return {"J": np.full((3, 3), 1e308), "s0": s, "mode": data.draw(st.sampled_from(["sequential", "parallel"]))}, "J"


def _run_reference_valid(data):
    kw = _run_valid(data)
    kw.pop("patterns", None)
    return kw


def _run_reference_check(kw, out):
    from attractors import hopfield as H

    assert np.array_equal(out, H.run(**kw)), "the Python reference and the kernels differ (same stream)"


def _run_reference_invalid(data):
    kw, arg = _run_invalid(data)
    if "patterns" in kw:
        return {"J": np.zeros((3, 3)), "s0": np.ones(3), "sweeps": 10**7}, "sweeps"
    return kw, arg


def _trajectory_valid(data):
    J, g = _couplings(data, 10)
    n = J.shape[0]
    k = data.draw(st.sampled_from([0, 1, 7]), label="sweeps")
    return {"J": J, "s0": _pm(g, n), "steps": k * n, "h": _field(data, n, g, J), "beta": data.draw(BETAS, label="beta"),
            "rng": _seed(data)}


def _trajectory_check(kw, out):
    from attractors import hopfield as H

    n = kw["J"].shape[0]
    assert out.shape == (kw["steps"] + 1,) and out[0] == H.state_index(kw["s0"])
    diff = np.bitwise_xor(out[1:], out[:-1])
    assert np.all((diff & (diff - 1)) == 0), "a step changed more than one spin"
    final = H.run(kw["J"], kw["s0"], h=kw["h"], beta=kw["beta"], sweeps=kw["steps"] // n, rng=kw["rng"])
    assert out[-1] == H.state_index(final), "the trajectory does not end where run() ends (same stream)"


def _trajectory_invalid(data):
    case = data.draw(st.sampled_from(["big-N", "steps", "steps-neg", "J", "beta", "overflow"]), label="case")
    if case == "big-N":
        return {"J": np.zeros((31, 31)), "s0": np.ones(31), "steps": 1}, "J"
    if case == "steps":
        return {"J": np.zeros((3, 3)), "s0": np.ones(3), "steps": data.draw(st.sampled_from([2**27, 2**64]))}, "steps"
    if case == "steps-neg":
        return {"J": np.zeros((3, 3)), "s0": np.ones(3), "steps": -3}, "steps"
    if case == "J":
        return _bad_J(data, {"s0": np.ones(2), "steps": 1})
    if case == "beta":
        return {"J": np.zeros((3, 3)), "s0": np.ones(3), "steps": 1, "beta": float("nan")}, "beta"
    return {"J": np.full((3, 3), 1e308), "s0": np.ones(3), "steps": 3}, "J"


# --------------------------------------------------------------------------- exact chain

def _counts_valid(data):
    N = data.draw(st.integers(1, 6), label="N")
    g = np.random.default_rng(_seed(data))
    T = data.draw(st.sampled_from([2, 3, 500]), label="T")
    dtype = data.draw(st.sampled_from([np.int64, np.int32, np.uint8, np.uint16]), label="dtype")
    return {"idx": g.integers(0, 2**N, T).astype(dtype), "N": N}


def _counts_check(kw, out):
    idx = [int(v) for v in kw["idx"]]
    ref = Counter(zip(idx[:-1], idx[1:]))
    K = 2 ** kw["N"]
    assert out.shape == (K, K) and out.sum() == len(idx) - 1
    for (a, b), c in ref.items():
        assert out[a, b] == c


def _counts_invalid(data):
    case = data.draw(st.sampled_from(["N0", "Nbig", "Nfloat", "idx-range", "idx-float", "idx-short", "idx-str"]))
    if case == "N0":
        return {"idx": np.array([0, 1]), "N": 0}, "N"
    if case == "Nbig":
        return {"idx": np.array([0, 1]), "N": data.draw(st.sampled_from([13, 2**64]))}, "N"
    if case == "Nfloat":
        return {"idx": np.array([0, 1]), "N": 2.0}, "N"
    if case == "idx-range":
        return {"idx": np.array([0, 4]), "N": 2}, "idx"
    if case == "idx-float":
        return {"idx": np.array([0.0, 1.0]), "N": 2}, "idx"
    if case == "idx-str":
        return {"idx": np.array(["0", "1"]), "N": 2}, "idx"
    return {"idx": np.array([1]), "N": 2}, "idx"


def _all_states_check(kw, out):
    from attractors import hopfield as H

    N = kw["N"]
    assert out.shape == (2**N, N) and np.all(np.abs(out) == 1.0)
    assert np.array_equal(H.state_index(out), np.arange(2**N)), "row k is not the state of index k"


def _all_states_invalid(data):
    v = data.draw(st.sampled_from([0, -1, 21, 2**64, 2.5, "3", None]), label="N")
    return {"N": v}, "N"


def _index_valid(data):
    g = np.random.default_rng(_seed(data))
    n = data.draw(st.sampled_from([1, 2, 30, 62]), label="N")
    b = data.draw(st.sampled_from([None, 3]), label="batch")
    return {"s": _pm(g, (n,) if b is None else (b, n))}


def _index_check(kw, out):
    for k, row in enumerate(np.atleast_2d(kw["s"])):
        ref = sum(1 << i for i, v in enumerate(row) if v > 0)
        assert int(np.atleast_1d(out)[k]) == ref


def _index_invalid(data):
    case = data.draw(st.sampled_from(["63", "zero", "nan", "ragged"]), label="case")
    return {"s": {"63": np.ones(63), "zero": np.array([1.0, 0.0]), "nan": np.array([np.nan]),
                  "ragged": [[1.0], [1.0, -1.0]]}[case]}, "s"


def _small_chain(data, n_max=6, sym=True):
    J, g = _couplings(data, n_max, kind=None if not sym else data.draw(st.sampled_from(["hebbian", "gauss", "zero"])))
    n = J.shape[0]
    return {"J": J, "h": _field(data, n, g, J), "beta": data.draw(BETAS, label="beta")}


def _tm_check(kw, out):
    from attractors import hopfield as H

    n = kw["J"].shape[0]
    assert out.shape == (2**n, 2**n) and np.all(out >= 0)
    assert np.allclose(out.sum(axis=1), 1.0, rtol=0, atol=1e-12), "rows do not sum to 1"
    hamming = np.array([[bin(a ^ b).count("1") for b in range(2**n)] for a in range(2**n)])
    assert np.all(out[hamming > 1] == 0), "a move of more than one spin"
    if np.isfinite(kw["beta"]) and kw["beta"] * np.abs(kw["J"]).sum() < 50:  # detailed balance (symmetric J)
        p = H.gibbs(kw["J"], kw["h"], kw["beta"])
        flow = p[:, None] * out
        assert np.allclose(flow, flow.T, rtol=1e-9, atol=1e-15), "detailed balance with the Gibbs law fails"


def _chain_invalid(data, big=13):
    case = data.draw(st.sampled_from(["big", "J", "beta", "h"]), label="case")
    if case == "big":
        return {"J": np.zeros((big, big))}, "J"
    if case == "J":
        return _bad_J(data)
    if case == "h":
        return {"J": np.zeros((3, 3)), "h": np.array([np.nan, 0.0, 0.0])}, "h"
    return {"J": np.zeros((3, 3)), "beta": data.draw(st.sampled_from([0.0, float("nan"), -1.0, "x", 2**2000]))}, "beta"


def _stationary_valid(data):
    g = np.random.default_rng(_seed(data))
    K = data.draw(st.sampled_from([1, 2, 5, 64]), label="K")
    P = g.random((K, K)) ** data.draw(st.sampled_from([1, 8]), label="skew") + 1e-3
    return {"P": P / P.sum(axis=1, keepdims=True)}


def _stationary_check(kw, out):
    P = kw["P"]
    assert out.shape == (P.shape[0],) and np.all(out >= 0) and abs(out.sum() - 1.0) < 1e-12
    assert np.allclose(out @ P, out, rtol=1e-9, atol=1e-14), "p P != p"


def _stationary_invalid(data):
    case = data.draw(st.sampled_from(["neg", "rows", "nan", "ragged", "big", "reducible"]), label="case")
    P = {"neg": np.array([[1.5, -0.5], [0.5, 0.5]]), "rows": np.array([[0.5, 0.4], [0.5, 0.5]]),
         "nan": np.array([[np.nan, 1.0], [0.5, 0.5]]), "ragged": [[1.0], [0.5, 0.5]],
         "big": np.eye(4097), "reducible": np.eye(3)}[case]
    return {"P": P}, "P"


def _gibbs_check(kw, out):
    from attractors import hopfield as H

    n = kw["J"].shape[0]
    # the reference is built on the energies as computed (at beta |E| >> 1 / eps, round-off decides near-ties)
    E = H.energy(kw["J"], H.all_states(n), kw["h"])
    beta = kw["beta"]
    assert out.shape == (2**n,) and abs(out.sum() - 1.0) < 1e-12 and np.all(out >= 0)
    if np.isinf(beta):  # uniform on the ground states (of the computed energies)
        Ec = H.energy(kw["J"], H.all_states(n), kw["h"])
        ground = Ec == Ec.min()
        assert np.all(out[~ground] == 0) and np.allclose(out[ground], 1.0 / ground.sum(), rtol=1e-12), "beta = inf"
        return
    w = [math.exp(-beta * (e - E.min())) for e in E]
    Z = math.fsum(w)
    assert np.allclose(out, np.array(w) / Z, rtol=1e-9, atol=1e-300), "Gibbs weights"


def _log_partition_check(kw, out):
    from attractors import hopfield as H

    n = kw["J"].shape[0]
    E = [_energy_ref(kw["J"], s, kw["h"])[0] for s in H.all_states(n)]
    beta = kw["beta"]
    m = min(E)
    ref = -beta * m + math.log(math.fsum(math.exp(-beta * (e - m)) for e in E))
    assert abs(out - ref) <= 1e-10 * max(1.0, abs(ref)), f"ln Z = {out!r}, reference {ref!r}"


def _lp_valid(data):
    kw = _small_chain(data, 8)
    kw["beta"] = data.draw(st.sampled_from([5e-324, 1e-300, 0.01, 1.0, 5.0]), label="finite beta")
    return kw


def _lp_invalid(data):
    if data.draw(st.booleans(), label="overflow"):  # beta L beyond float64: refused, not inf
        return {"J": np.array([[0.0, 1e290], [1e290, 0.0]]), "beta": 1e300}, "beta"
    if data.draw(st.booleans(), label="inf"):
        return {"J": np.zeros((2, 2)), "beta": np.inf}, "beta"
    return _chain_invalid(data, 21)


def _free_energy_valid(data):
    g = np.random.default_rng(_seed(data))
    K = data.draw(st.sampled_from([1, 2, 16]), label="K")
    p = g.random(K) * (g.random(K) < 0.7)
    if p.sum() == 0:
        p[0] = 1.0
    scale = data.draw(st.sampled_from([1e-300, 1.0, 1e100]), label="scale")
    return {"p": p / p.sum(), "E": g.standard_normal(K) * scale, "T": data.draw(st.sampled_from([0.0, 5e-324, 1.0, 1e100]))}


def _free_energy_check(kw, out):
    p, E, T = kw["p"], kw["E"], kw["T"]
    terms = [pi * ei for pi, ei in zip(p, E)] + [T * pi * math.log(pi) for pi in p if pi > 0]
    _close(out, math.fsum(terms), math.fsum(map(abs, terms)) + abs(out), rtol=1e-12)


def _free_energy_invalid(data):
    case = data.draw(st.sampled_from(["neg", "sum", "shape", "T", "Tnan", "E"]), label="case")
    p, E = np.array([0.5, 0.5]), np.zeros(2)
    if case == "neg":
        return {"p": np.array([1.5, -0.5]), "E": E, "T": 1.0}, "p"
    if case == "sum":
        return {"p": np.array([0.5, 0.6]), "E": E, "T": 1.0}, "p"
    if case == "shape":
        return {"p": p, "E": np.zeros(3), "T": 1.0}, "E"
    if case == "E":
        return {"p": p, "E": np.array([np.nan, 0.0]), "T": 1.0}, "E"
    if case == "Tnan":
        return {"p": p, "E": E, "T": float("nan")}, "T"
    return {"p": p, "E": E, "T": -1.0}, "T"


def _orbit_valid(data):
    J, g = _couplings(data, 12)
    n = J.shape[0]
    return {"J": J, "s0": _pm(g, n), "h": _field(data, n, g, J), "max_steps": 2**n + 2}


def _orbit_check(kw, out):
    from attractors import hopfield as H

    transient, period, states = out
    assert period >= 1 and states.shape == (transient + period + 1, kw["J"].shape[0])
    assert np.array_equal(states[transient], states[transient + period]), "the orbit does not close"
    assert len({row.tobytes() for row in states[:-1]}) == len(states) - 1, "a state repeats before the end"
    for a, b in zip(states[:-1], states[1:]):
        assert np.array_equal(H.run(kw["J"], a, h=kw["h"], mode="parallel", sweeps=1), b)
        phi = H.local_field(kw["J"], a, kw["h"])
        h = np.zeros_like(phi) if kw["h"] is None else np.broadcast_to(np.asarray(kw["h"], float), phi.shape)
        sure = np.abs(phi) > 1e-6 * (np.abs(kw["J"]).sum(axis=1) + np.abs(h))
        assert np.array_equal(b[sure], np.sign(phi[sure])), "a clear field not followed"


def _orbit_invalid(data):
    case = data.draw(st.sampled_from(["steps", "steps0", "cycle", "J", "overflow"]), label="case")
    if case == "steps":
        return {"J": np.zeros((3, 3)), "s0": np.ones(3), "max_steps": data.draw(st.sampled_from([10**7, 2**64]))}, "max_steps"
    if case == "steps0":
        return {"J": np.zeros((3, 3)), "s0": np.ones(3), "max_steps": 0}, "max_steps"
    if case == "cycle":  # a 2-cycle never repeats within one step
        return {"J": -np.eye(2), "s0": np.ones(2), "max_steps": 1}, "max_steps"
    if case == "J":
        return _bad_J(data, {"s0": np.ones(2)})
    return {"J": np.full((3, 3), 1e308), "s0": np.ones(3)}, "J"


DOMAINS = {
    "prepare": Domain(_prepare_valid, _prepare_check, _bad_J),
    "hebbian": Domain(_hebbian_valid, _hebbian_check, _hebbian_invalid),
    "energy": Domain(_state_valid, _energy_check, _state_invalid),
    "local_field": Domain(_state_valid, _field_check, _state_invalid),
    "overlaps": Domain(_overlaps_valid, _overlaps_check, _overlaps_invalid),
    "run": Domain(_run_valid, _run_check, _run_invalid),
    "run_reference": Domain(_run_reference_valid, _run_reference_check, _run_reference_invalid),
    "trajectory": Domain(_trajectory_valid, _trajectory_check, _trajectory_invalid),
    "transition_counts": Domain(_counts_valid, _counts_check, _counts_invalid),
    "all_states": Domain(lambda data: {"N": data.draw(st.sampled_from([1, 2, 7, 16]), label="N")}, _all_states_check,
                         _all_states_invalid),
    "state_index": Domain(_index_valid, _index_check, _index_invalid),
    "transition_matrix": Domain(_small_chain, _tm_check, _chain_invalid),
    "stationary": Domain(_stationary_valid, _stationary_check, _stationary_invalid),
    "gibbs": Domain(lambda data: _small_chain(data, 8), _gibbs_check, lambda data: _chain_invalid(data, 21)),
    "log_partition": Domain(_lp_valid, _log_partition_check, _lp_invalid),
    "free_energy": Domain(_free_energy_valid, _free_energy_check, _free_energy_invalid),
    "parallel_orbit": Domain(_orbit_valid, _orbit_check, _orbit_invalid),
}
