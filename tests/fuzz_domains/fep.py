"""Domains of ``attractors.fep``: the continuous Bernoulli law against 70-digit references, the network.

The CB functions promise near machine precision for every bias their docstrings allow, from 0 and
the subnormals to the largest float64; the checks compare with :mod:`tests.fuzz_domains._cbref`
(``decimal``), term-magnitude scaled where the function has a root (the entropy, the log-density).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain
from tests.fuzz_domains import _cbref as R

FMAX = 1.7976931348623157e308
#: Biases at the edges: zero, subnormal, tiny, the series cut-off, where b*b overflows, the largest.
EDGES = [0.0, 5e-324, 1e-310, 1e-300, 1e-150, 1e-8, 0.01, 0.29999999999999999, 0.3, 0.30000000000000004, 0.797,
         1.0, 2.65, 20.0, 354.0, 1e8, 1e16, 1.3e154, 1e155, 1e300, FMAX]
EPS = 2.0 ** -52


def _bias(data, label="b"):
    if data.draw(st.booleans(), label=f"{label} edge"):
        v = data.draw(st.sampled_from(EDGES), label=label)
    else:
        v = 10.0 ** data.draw(st.floats(-320, 308.2), label=f"log10 {label}")
    return v * data.draw(st.sampled_from([1.0, -1.0]), label=f"sign {label}")


def _biases(data, label="b", max_n=6):
    vals = [_bias(data, label) for _ in range(data.draw(st.integers(1, max_n), label=f"n {label}"))]
    return vals[0] if data.draw(st.booleans(), label=f"scalar {label}") else np.array(vals)


def _each(b):
    return np.atleast_1d(np.asarray(b, dtype=float)).ravel()


def _check_fn(ref, tol, at_inf=None, scale=None):
    def check(kwargs, out):
        b = _each(kwargs["b"])
        got = _each(out)
        assert got.shape == b.shape, f"shape {got.shape} for {b.shape}"
        for bi, gi in zip(b, got):
            if np.isinf(bi):
                assert gi == at_inf(bi), f"at b = {bi}: {gi!r}, expected {at_inf(bi)}"
                continue
            err = R.rel_err(gi, ref(bi), None if scale is None else scale(bi))
            assert err <= tol, f"at b = {bi!r}: {gi!r} vs {float(ref(bi))!r} (relative error {err:.3g} > {tol:.3g})"
    return check


def _b_or_inf(data):
    b = _biases(data)
    if data.draw(st.booleans(), label="with inf") and isinstance(b, np.ndarray):
        b = np.append(b, [np.inf, -np.inf])
    return {"b": b}


def _b_invalid(data):
    return data.draw(st.sampled_from([({"b": np.array([0.5, np.nan])}, "b"), ({"b": "x"}, "b"),
                                      ({"b": [[1.0], [1.0, 2.0]]}, "b"), ({"b": 1 + 2j}, "b")]), label="case")


# mean and variance: numerics' closed form cancels ~18 ulp just above |b| = 0.3
MEAN = Domain(_b_or_inf, _check_fn(R.L, 5e-15, at_inf=np.sign), _b_invalid)
VARIANCE = Domain(_b_or_inf, _check_fn(R.Lp, 5e-15, at_inf=lambda b: 0.0), _b_invalid)
ENTROPY = Domain(_b_or_inf, _check_fn(R.H, 1e-15, at_inf=lambda b: -np.inf, scale=R.H_scale), _b_invalid)


def _lp_valid(data):
    # numerics.langevin_prime computes 1/b^2 as 1/(b*b), which underflows to 0 above 1.3e154 (true
    # value ~1e-310 there): its domain here stops at 1e150; fep.cb_variance covers the whole range.
    b = _biases(data)
    return {"b": np.clip(b, -1e150, 1e150) if isinstance(b, np.ndarray) else float(np.clip(b, -1e150, 1e150))}


def _logpdf_valid(data):
    b = _biases(data, max_n=4)
    x = data.draw(st.sampled_from([1.0, -1.0, 0.0, 1e-300, 0.999, -0.5, 0.75, 1.5, -1.0000000000000002]),
                  label="x")
    return {"x": x, "b": b}


def _logpdf_check(kwargs, out):
    x = float(kwargs["x"])
    for bi, gi in zip(_each(kwargs["b"]), _each(out)):
        if abs(x) > 1:
            assert gi == -np.inf, f"x = {x} outside [-1, 1] gave {gi!r}"
            continue
        err = R.rel_err(gi, R.logpdf(x, bi), R.logpdf_scale(x, bi))
        assert err <= 1e-15, f"logpdf({x}, {bi!r}) = {gi!r} vs {float(R.logpdf(x, bi))!r} ({err:.3g})"


def _logpdf_invalid(data):
    return data.draw(st.sampled_from([({"x": 0.5, "b": np.inf}, "b"), ({"x": np.nan, "b": 1.0}, "x"),
                                      ({"x": np.zeros(3), "b": np.zeros(2)}, "x"), ({"x": "a", "b": 1.0}, "x")]),
                     label="case")


def _kl_valid(data):
    q = _bias(data, "b_q")
    if data.draw(st.booleans(), label="close"):  # b_p near b_q: the integral branch, and cancellation
        p = q * (1.0 + data.draw(st.sampled_from([1e-15, -1e-9, 1e-3, 0.5, -1.5]), label="rel"))
        p = p if np.isfinite(p) else q
    else:
        p = _bias(data, "b_p")
    return {"b_q": q, "b_p": p}


def _kl_check(kwargs, out):
    ref = R.kl(kwargs["b_q"], kwargs["b_p"])
    assert out >= 0
    err = R.rel_err(out, ref)
    assert err <= 1e-14, f"KL = {out!r} vs {float(ref)!r} (relative error {err:.3g})"


def _kl_invalid(data):
    return data.draw(st.sampled_from([({"b_q": np.inf, "b_p": 0.0}, "b_q"), ({"b_q": 0.0, "b_p": np.nan}, "b_p"),
                                      ({"b_q": np.zeros(2), "b_p": np.zeros(3)}, "b_q")]), label="case")


def _sample_valid(data):
    b = _biases(data, max_n=5)
    return {"b": b, "rng": data.draw(st.integers(0, 2**32 - 1), label="seed")}


def _sample_check(kwargs, out):
    b = _each(kwargs["b"])
    u = np.random.default_rng(kwargs["rng"]).random(np.shape(kwargs["b"])).ravel()
    x = _each(out)
    assert np.all(np.abs(x) <= 1.0), "a sample outside [-1, 1]"
    for bi, ui, xi in zip(b, u, x):
        ref = R.icdf(ui, bi)
        err = float(abs(R.D(float(xi)) - ref))
        assert err <= 8 * EPS, f"inverse CDF at u = {ui!r}, b = {bi!r}: {xi!r} vs {float(ref)!r} (abs error {err:.3g})"


def _sample_invalid(data):
    return data.draw(st.sampled_from([({"b": np.inf}, "b"), ({"b": 0.0, "size": 2**40}, "size"),
                                      ({"b": 0.0, "size": (2, -1)}, "size"), ({"b": 0.0, "rng": "x"}, "rng"),
                                      ({"b": np.zeros(3), "size": 2}, "b")]), label="case")


def _inv_valid(data):
    m = data.draw(st.one_of(st.sampled_from([0.0, 5e-324, 1e-300, 1e-8, 0.1, 0.5, 0.5000000000000001, 0.9, 0.999999,
                                             1 - 2**-52, 1 - 2**-53, 1.0]),
                            st.floats(0.0, 1.0)), label="m")
    return {"m": m * data.draw(st.sampled_from([1.0, -1.0]), label="sign")}


def _inv_check(kwargs, out):
    m = kwargs["m"]
    if abs(m) == 1.0:
        assert out == np.sign(m) * np.inf
        return
    a, b = abs(m), abs(out)
    assert np.sign(out) == np.sign(m) or m == 0
    Lb = R.L(b)
    # backward error: L(b) within a few ulp of m (of 1 - m above 1/2, where the complement is exact)
    den = max(R.D(a) if a <= 0.5 else 1 - R.D(a), R.D(R.TINY))
    err = float(abs(Lb - R.D(a)) / den)
    assert err <= 4 * EPS, f"inverse_langevin({m!r}) = {out!r}: L of it misses m by {err:.3g} relative"


def _inv_invalid(data):
    return data.draw(st.sampled_from([({"m": 1.0000000000000002}, "m"), ({"m": np.nan}, "m"), ({"m": "a"}, "m")]),
                     label="case")


# --------------------------------------------------------------------------------------------- network

def _network(data, max_n=6):
    n = data.draw(st.integers(1, max_n), label="N")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    g = np.random.default_rng(seed)
    jscale = data.draw(st.sampled_from([0.0, 1e-300, 0.3, 3.0, 1e300 / 64]), label="J scale")
    J = g.normal(0.0, 1.0, (n, n)) * jscale / max(n, 1)
    np.fill_diagonal(J, 0.0)
    bscale = data.draw(st.sampled_from([0.0, 1e-300, 1.0, 1e300 / 64]), label="bias scale")
    return n, J, g.normal(0.0, 1.0, n) * bscale, seed


def _run_valid(data):
    n, J, bias, seed = _network(data)
    n_steps = data.draw(st.integers(0, 30), label="n_steps")
    lr = data.draw(st.sampled_from([0.0, 1e-3, 0.5]), label="learning_rate")
    if lr and np.max(np.abs(J)) > 1e10:
        lr = 0.0  # keeps N (max|J| + 2 lr n_steps) far below overflow
    kw = {"J": J, "bias": bias, "n_steps": n_steps, "beta": data.draw(st.sampled_from([1e-300, 0.2, 1.0, 1e300]),
                                                                      label="beta"),
          "learning_rate": lr, "stochastic": data.draw(st.booleans(), label="stochastic"),
          "update": data.draw(st.sampled_from(["parallel", "sequential"]), label="update"),
          "rule": data.draw(st.sampled_from(["reference", "manuscript"]), label="rule"), "rng": seed}
    if data.draw(st.booleans(), label="sigma0"):
        kw["sigma0"] = np.random.default_rng(seed + 1).choice([-1.0, 1.0, 0.0, 0.5], n)
    return kw


def _run_check(kwargs, out):
    from attractors import fep

    states, J1 = out
    J = kwargs["J"]
    assert states.shape == (kwargs["n_steps"], J.shape[0])
    assert np.all(np.abs(states) <= 1.0), "a state outside [-1, 1] (or NaN)"
    assert np.all(np.isfinite(J1)), "non-finite couplings"
    assert np.array_equal(np.diag(J1), np.diag(J)), "learning changed the diagonal"
    if kwargs["learning_rate"] == 0:
        assert np.array_equal(J1, J), "couplings changed with learning off"
    # each step moves a coupling by at most 2 learning_rate
    assert np.all(np.abs(J1 - J) <= 2 * kwargs["learning_rate"] * kwargs["n_steps"] * (1 + 1e-12))
    again = fep.run(**kwargs)  # same seed, same result
    assert np.array_equal(again[0], states) and np.array_equal(again[1], J1), "same seed, different result"
    if kwargs["update"] == "parallel" and kwargs["n_steps"] * J.shape[0] <= 100:
        s2, J2 = fep.run_reference(**kwargs)
        np.testing.assert_allclose(states, s2, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(J1, J2, rtol=1e-9, atol=1e-12)


def _run_invalid(data):
    base = {"J": np.zeros((3, 3)), "bias": np.zeros(3), "n_steps": 4}
    bad, arg = data.draw(st.sampled_from([
        ({"n_steps": -1}, "n_steps"), ({"n_steps": 2**40}, "n_steps"), ({"beta": 0.0}, "beta"),
        ({"learning_rate": -1.0}, "learning_rate"), ({"sigma0": np.full(3, 2.0)}, "sigma0"),
        ({"update": "async"}, "update"), ({"rule": "oja"}, "rule"), ({"J": np.zeros((2, 3))}, "J"),
        ({"bias": np.zeros(4)}, "bias"), ({"stochastic": 1}, "stochastic"), ({"rng": "x"}, "rng"),
        ({"J": np.full((3, 3), np.inf)}, "J")]), label="case")
    return {**base, **bad}, arg


def _ref_valid(data):
    kw = _run_valid(data)
    kw["n_steps"] = min(kw["n_steps"], 10)
    return kw


def _ref_check(kwargs, out):
    from attractors import fep

    s, J1 = out
    s2, J2 = fep.run(**kwargs)
    assert np.all(np.abs(s) <= 1.0)
    if kwargs["update"] == "parallel":
        np.testing.assert_allclose(s, s2, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(J1, J2, rtol=1e-9, atol=1e-12)


def _ref_invalid(data):
    kw, arg = _run_invalid(data)
    if data.draw(st.booleans(), label="too long"):
        return {"J": np.zeros((10, 10)), "bias": np.zeros(10), "n_steps": 200_000}, "n_steps"
    return kw, arg


def _fp_valid(data):
    n, J, bias, seed = _network(data)
    J = np.clip(J, -1e300 / n, 1e300 / n)
    kw = {"J": J, "bias": bias, "beta": data.draw(st.sampled_from([1e-300, 0.5, 2.0, 1e300]), label="beta"),
          "update": data.draw(st.sampled_from(["parallel", "sequential"]), label="update"), "rng": seed,
          "max_iter": data.draw(st.sampled_from([1, 50, 2000]), label="max_iter"),
          "tol": data.draw(st.sampled_from([1e-300, 1e-10, 1e-3]), label="tol"),
          "merge_tol": data.draw(st.sampled_from([1e-300, 1e-6, 3.0]), label="merge_tol")}
    if data.draw(st.booleans(), label="int starts"):
        kw["starts"] = data.draw(st.integers(1, 40), label="starts")
    else:
        kw["starts"] = np.random.default_rng(seed).choice([-1.0, 1.0, 0.0, 0.3], (data.draw(st.integers(1, 8)), n))
    return kw


def _fp_check(kwargs, out):
    from attractors import fep

    k = kwargs["starts"] if isinstance(kwargs["starts"], int) else kwargs["starts"].shape[0]
    assert int(out.counts.sum()) + out.n_failed == k, "counts and failures do not add up to the starts"
    assert np.all(np.diff(out.counts) <= 0), "points not ordered by frequency"
    assert np.all(np.abs(out.points) <= 1.0)
    for i in range(len(out.points)):
        for j in range(i):
            assert np.max(np.abs(out.points[i] - out.points[j])) > kwargs["merge_tol"], "two points not merged"
    J, b, beta = kwargs["J"], kwargs["bias"], kwargs["beta"]
    lip = beta * np.max(np.abs(J).sum(axis=1)) / 3.0  # a Lipschitz bound of the map
    if lip <= 10 and kwargs["update"] == "parallel":
        for p in out.points:
            res = np.max(np.abs(fep.cb_mean(beta * (b + J @ p)) - p))
            assert res <= (1 + lip) * kwargs["tol"] + 1e-12, f"fixed point residual {res:.3g}"


def _fp_invalid(data):
    base = {"J": np.zeros((2, 2)), "bias": np.zeros(2)}
    bad, arg = data.draw(st.sampled_from([
        ({"starts": 10**7}, "starts"), ({"starts": np.zeros((1, 3))}, "starts"), ({"max_iter": 0}, "max_iter"),
        ({"max_iter": 2**63}, "max_iter"), ({"bias": np.zeros(3)}, "bias"), ({"tol": 0.0}, "tol"),
        ({"merge_tol": -1.0}, "merge_tol"), ({"update": "x"}, "update"), ({"beta": np.inf}, "beta"),
        ({"J": np.full((2, 2), np.inf)}, "J"), ({"starts": np.full((2, 2), 1.5)}, "starts")]), label="case")
    return {**base, **bad}, arg


DOMAINS = {
    "langevin": MEAN,
    "langevin_prime": Domain(_lp_valid, _check_fn(R.Lp, 5e-15), _b_invalid,
                             note="stops at |b| = 1e150: numerics.langevin_prime underflows 1/(b*b) beyond 1.3e154"),
    "inverse_langevin": Domain(_inv_valid, _inv_check, _inv_invalid),
    "cb_logpdf": Domain(_logpdf_valid, _logpdf_check, _logpdf_invalid),
    "cb_sample": Domain(_sample_valid, _sample_check, _sample_invalid),
    "cb_mean": MEAN,
    "cb_variance": VARIANCE,
    "cb_entropy": ENTROPY,
    "cb_kl": Domain(_kl_valid, _kl_check, _kl_invalid),
    "run": Domain(_run_valid, _run_check, _run_invalid),
    "run_reference": Domain(_ref_valid, _ref_check, _ref_invalid),
    "fixed_points": Domain(_fp_valid, _fp_check, _fp_invalid),
}
