"""Domains of ``attractors.layers``: Hopfield layers, DeepHNN, ConvHNN2d patches and VHNN chains."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain


def _warm():
    """Load the compiled patch kernels once, before any call is timed."""
    from attractors import layers
    layers.fold_patches(layers.extract_patches(np.ones((2, 2)), 1), (2, 2), 1)


_warm()

BETAS = st.sampled_from([1e-300, 1e-3, 1.0, 30.0, 1e300])


def _seed(data):
    return data.draw(st.integers(0, 2**32 - 1), label="seed")


def _softmax(L):
    m = np.max(L, axis=-1, keepdims=True)
    e = np.exp(L - m)
    return e / e.sum(axis=-1, keepdims=True)


def _problem(data, max_p=5, max_n=5):
    g = np.random.default_rng(_seed(data))
    P, N, B = data.draw(st.integers(1, max_p)), data.draw(st.integers(1, max_n)), data.draw(st.integers(1, 3))
    mag = data.draw(st.sampled_from([1e-100, 1.0, 1e50]), label="magnitude")
    return g, g.uniform(-1, 1, (P, N)) * mag, g.uniform(-1, 1, (B, N)) * mag


def _fwd_valid(data):
    g, X, Q = _problem(data)
    bias = g.uniform(-1, 1, X.shape[0]) if data.draw(st.booleans(), label="bias") else None
    return {"X": X, "xi": Q, "beta": data.draw(BETAS, label="beta"), "steps": data.draw(st.integers(0, 4)),
            "bias": bias}


def _fwd_check(kw, out):
    L, cache = out
    X, Q, beta = kw["X"], kw["xi"], kw["beta"]
    b = np.zeros(X.shape[0]) if kw["bias"] is None else kw["bias"]
    with np.errstate(over="ignore", invalid="ignore"):
        ref = beta * (Q @ X.T) + b
        for _ in range(kw["steps"]):
            ref = _softmax(ref) @ (beta * (X @ X.T)) + b
    if np.all(np.isfinite(ref)):
        scale = beta * np.max(X * X) * X.shape[1] + np.max(np.abs(b)) + beta * np.max(np.abs(Q)) * np.max(np.abs(X))
        assert np.max(np.abs(L - ref)) <= 1e-12 * scale * X.shape[0], "logits differ from the NumPy loop"
    assert len(cache["probs"]) == kw["steps"]


def _fwd_invalid(data):
    case = data.draw(st.sampled_from(["steps", "beta", "xi", "bias", "X"]), label="case")
    base = {"X": np.eye(3), "xi": np.ones(3), "beta": 1.0}
    if case == "steps":
        return {"X": np.eye(64), "xi": np.eye(64), "beta": 1.0,
                "steps": data.draw(st.sampled_from([10**6, 10**12, 2**64]))}, "steps"
    if case == "beta":
        return {**base, "beta": data.draw(st.sampled_from([0.0, math.inf, 2**1100]))}, "beta"
    if case == "xi":
        return {**base, "xi": np.ones(4)}, "xi"
    if case == "bias":
        return {**base, "bias": [1.0, np.nan, 0.0]}, "bias"
    return {**base, "X": [[1.0, 2.0, 3.0], [1.0]]}, "X"


def _bwd_valid(data):
    from attractors.layers import hopfield_layer_forward
    g, X, Q = _problem(data, 4, 4)
    X, Q = X / max(np.max(np.abs(X)), 1e-300), Q / max(np.max(np.abs(Q)), 1e-300)
    beta = data.draw(st.sampled_from([0.1, 1.0, 3.0]), label="beta")
    L, cache = hopfield_layer_forward(X, Q, beta, data.draw(st.integers(0, 3)))
    return {"cache": cache, "grad_logits": g.standard_normal(L.shape)}


def _bwd_check(kw, out):
    from attractors.layers import hopfield_layer_forward
    c, G = kw["cache"], kw["grad_logits"]
    T = len(c["probs"])

    def loss(X, Q, beta):
        return float(np.sum(G * hopfield_layer_forward(X, Q, beta, T)[0]))
    h = 1e-6
    X, Q, beta = c["X"], c["Q"], c["beta"]
    for idx in [(0, 0), (X.shape[0] - 1, X.shape[1] - 1)]:
        Xp, Xm = X.copy(), X.copy()
        Xp[idx] += h
        Xm[idx] -= h
        fd = (loss(Xp, Q, beta) - loss(Xm, Q, beta)) / (2 * h)
        assert abs(out["X"][idx] - fd) <= 1e-5 * (1 + abs(fd)), f"dL/dX{idx} {out['X'][idx]} vs {fd}"
    fd = (loss(X, Q, beta + h) - loss(X, Q, beta - h)) / (2 * h)
    assert abs(out["beta"] - fd) <= 1e-5 * (1 + abs(fd)), f"dL/dbeta {out['beta']} vs {fd}"


def _bwd_invalid(data):
    from attractors.layers import hopfield_layer_forward
    case = data.draw(st.sampled_from(["cache", "shape", "nan"]), label="case")
    _, cache = hopfield_layer_forward(np.eye(3), np.ones((2, 3)), 1.0, 1)
    if case == "cache":
        return {"cache": {"X": 1}, "grad_logits": np.ones((2, 3))}, "cache"
    if case == "shape":
        return {"cache": cache, "grad_logits": np.ones((2, 4))}, "grad_logits"
    return {"cache": cache, "grad_logits": np.full((2, 3), np.nan)}, "grad_logits"


def _ret_valid(data):
    g, X, Q = _problem(data)
    L = g.uniform(-1, 1, (Q.shape[0], X.shape[0])) * data.draw(st.sampled_from([1.0, 1e300]), label="logit scale")
    return {"X": X, "logits": L if data.draw(st.booleans()) else L[0]}


def _ret_check(kw, out):
    ref = _softmax(np.atleast_2d(kw["logits"])) @ kw["X"]
    np.testing.assert_allclose(np.atleast_2d(out), ref, rtol=1e-12, atol=1e-12 * np.max(np.abs(kw["X"])))


def _ret_invalid(data):
    case = data.draw(st.sampled_from(["shape", "budget"]), label="case")
    if case == "shape":
        return {"X": np.eye(3), "logits": np.ones(4)}, "logits"
    return {"X": np.ones((1, 10**5)), "logits": np.ones((10**5, 1))}, "logits"


def _cd_valid(data):
    n = data.draw(st.integers(1, 5))
    theta = np.random.default_rng(_seed(data)).uniform(-1, 1, n) * data.draw(st.sampled_from([1.0, 1e8, 1e100]))
    h = data.draw(st.sampled_from([1e-6, 6e-6, 1e-3]), label="h") * max(1.0, np.max(np.abs(theta)))
    return {"f": lambda t: float(np.sum(t * np.arange(1, t.size + 1))), "theta": theta, "h": h}


def _cd_check(kw, out):
    np.testing.assert_allclose(out, np.arange(1, kw["theta"].size + 1), rtol=1e-9)  # linear f: exact up to rounding


def _cd_invalid(data):
    case = data.draw(st.sampled_from(["tiny", "huge", "f", "theta"]), label="case")
    if case == "tiny":
        return {"f": np.sum, "theta": np.ones(2), "h": 1e-300}, "h"
    if case == "huge":
        return {"f": np.sum, "theta": np.ones(2), "h": 1.7e308}, "h"
    if case == "f":
        return {"f": 3, "theta": np.ones(2)}, "f"
    return {"f": np.sum, "theta": np.ones((2, 2))}, "theta"


def _pack_valid(data):
    g = np.random.default_rng(_seed(data))
    C, K, N = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)), data.draw(st.integers(1, 4))
    return {"W": g.standard_normal((C * K, N)), "bias": g.standard_normal(C),
            "beta": data.draw(st.sampled_from([5e-324, 1e-300, 1.0, 1e300, 1.7e308]))}


def _pack_check(kw, out):
    from attractors.layers import deephnn_unpack
    W, bias = kw["W"], kw["bias"]
    C = bias.size
    np.testing.assert_array_equal(out[:W.size], W.ravel())
    assert out[-1] == math.log(kw["beta"])
    W2, b2, beta2 = deephnn_unpack(out, C, W.shape[0] // C, W.shape[1])
    assert np.array_equal(W2, W) and np.array_equal(b2, bias) and abs(beta2 / kw["beta"] - 1) <= 1e-12


def _pack_invalid(data):
    case = data.draw(st.sampled_from(["beta", "W", "bias"]), label="case")
    if case == "beta":
        return {"W": np.ones((2, 2)), "bias": np.zeros(2), "beta": data.draw(st.sampled_from([0.0, -1.0]))}, "beta"
    if case == "W":
        return {"W": np.ones((0, 2)), "bias": np.zeros(2), "beta": 1.0}, "W"
    return {"W": np.ones((2, 2)), "bias": [[0.0], [1.0, 2.0]], "beta": 1.0}, "bias"


def _unpack_valid(data):
    C, K, N = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)), data.draw(st.integers(1, 4))
    theta = np.random.default_rng(_seed(data)).standard_normal(C * K * N + C + 1)
    theta[-1] = data.draw(st.sampled_from([-745.0, -700.0, 0.0, 709.0]), label="log beta")
    return {"theta": theta, "n_classes": C, "n_per_class": K, "n_features": N}


def _unpack_check(kw, out):
    W, b, beta = out
    t, C, K, N = kw["theta"], kw["n_classes"], kw["n_per_class"], kw["n_features"]
    assert np.array_equal(W.ravel(), t[:C * K * N]) and np.array_equal(b, t[C * K * N:-1])
    assert 0 < beta < math.inf and beta == math.exp(t[-1])


def _unpack_invalid(data):
    case = data.draw(st.sampled_from(["size", "logbeta", "C"]), label="case")
    if case == "size":
        return {"theta": np.zeros(5), "n_classes": 1, "n_per_class": 1, "n_features": 2}, "theta"
    if case == "logbeta":
        t = np.zeros(5)
        t[-1] = data.draw(st.sampled_from([710.0, -800.0]))
        return {"theta": t, "n_classes": 1, "n_per_class": 1, "n_features": 3}, "theta"
    return {"theta": np.zeros(5), "n_classes": 0, "n_per_class": 1, "n_features": 3}, "n_classes"


def _scores_valid(data):
    g = np.random.default_rng(_seed(data))
    C, K, N, B = (data.draw(st.integers(1, 3)) for _ in range(4))
    return {"W": g.standard_normal((C * K, N)), "bias": g.standard_normal(C), "beta": data.draw(BETAS),
            "Q": g.standard_normal((B, N)), "n_classes": C, "steps": data.draw(st.integers(0, 2)),
            "gamma": data.draw(st.sampled_from([1e-3, 1.0, 1e3, math.inf]))}


def _scores_check(kw, out):
    from attractors.layers import hopfield_layer_forward
    C = kw["n_classes"]
    L = hopfield_layer_forward(kw["W"], kw["Q"], kw["beta"], kw["steps"])[0].reshape(kw["Q"].shape[0], C, -1)
    gam = kw["gamma"]
    if math.isinf(gam):
        ref = L.max(axis=2)
    else:
        m = L.max(axis=2, keepdims=True)
        ref = (m[..., 0] + np.log(np.sum(np.exp(gam * (L - m)), axis=2)) / gam)
    ref = ref + kw["bias"]
    scale = np.max(np.abs(L)) + np.max(np.abs(kw["bias"])) + (math.log(L.shape[2]) / gam if gam < math.inf else 0)
    assert np.max(np.abs(out - ref)) <= 1e-12 * scale


def _scores_invalid(data):
    case = data.draw(st.sampled_from(["classes", "gamma", "Q"]), label="case")
    base = {"W": np.ones((4, 2)), "bias": np.zeros(2), "beta": 1.0, "Q": np.ones((3, 2)), "n_classes": 2}
    if case == "classes":
        return {**base, "n_classes": 3}, "W"
    if case == "gamma":
        return {**base, "gamma": 0.0}, "gamma"
    return {**base, "Q": np.ones((3, 5))}, "Q"


def _loss_valid(data):
    g = np.random.default_rng(_seed(data))
    C, K, N, B = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 2)), data.draw(st.integers(1, 3)), 4
    theta = np.r_[g.standard_normal(C * K * N), g.standard_normal(C), data.draw(st.sampled_from([-3.0, 0.0, 2.0]))]
    return {"theta": theta, "Q": g.standard_normal((B, N)), "y": g.integers(0, C, B), "n_classes": C,
            "n_per_class": K, "steps": data.draw(st.integers(0, 2)), "gamma": data.draw(st.sampled_from([0.5, 2.0])),
            "l2": data.draw(st.sampled_from([0.0, 1e-2])), "l2_logbeta": data.draw(st.sampled_from([0.0, 1e-2]))}


def _loss_check(kw, out):
    from attractors.layers import deephnn_loss_grad
    loss, grad = out
    assert np.isfinite(loss) and loss >= 0
    h = 1e-6
    for i in (0, kw["theta"].size - 1):
        tp, tm = kw["theta"].copy(), kw["theta"].copy()
        tp[i] += h
        tm[i] -= h
        fd = (deephnn_loss_grad(**{**kw, "theta": tp})[0] - deephnn_loss_grad(**{**kw, "theta": tm})[0]) / (2 * h)
        assert abs(grad[i] - fd) <= 1e-5 * (1 + abs(fd)), f"component {i}: {grad[i]} vs {fd}"


def _loss_invalid(data):
    case = data.draw(st.sampled_from(["y", "y_type", "l2", "theta"]), label="case")
    base = {"theta": np.zeros(2 * 2 + 2 + 1), "Q": np.ones((3, 2)), "y": np.array([0, 1, 0]), "n_classes": 2,
            "n_per_class": 1}
    if case == "y":
        return {**base, "y": np.array([0, 2, 0])}, "y"
    if case == "y_type":
        return {**base, "y": np.array([0.0, 1.0, 0.0])}, "y"
    if case == "l2":
        return {**base, "l2": -1.0}, "l2"
    return {**base, "theta": np.zeros(6)}, "theta"


def _train_valid(data):
    c = np.random.default_rng(_seed(data)).standard_normal(data.draw(st.integers(1, 4)))
    c *= data.draw(st.sampled_from([1e-3, 1.0, 1e3]), label="scale")

    def fun(t):
        return float(np.sum((t - c) ** 2)), 2 * (t - c)
    fun.minimiser = c
    return {"fun": fun, "theta0": np.zeros(c.size), "maxiter": data.draw(st.sampled_from([50, 200])),
            "gtol": 1e-10}


def _train_check(kw, out):
    c = kw["fun"].minimiser
    np.testing.assert_allclose(out.x, c, atol=1e-6 * (1 + np.max(np.abs(c))))


def _train_invalid(data):
    case = data.draw(st.sampled_from(["maxiter", "gtol", "bounds", "fun"]), label="case")
    base = {"fun": lambda t: (0.0, 0 * t), "theta0": np.zeros(2)}
    if case == "maxiter":
        return {**base, "maxiter": data.draw(st.sampled_from([0, 10**6, 2**64]))}, "maxiter"
    if case == "gtol":
        return {**base, "gtol": 0.0}, "gtol"
    if case == "bounds":
        return {**base, "bounds": data.draw(st.sampled_from([[(0, 1)], [(1, 0), (0, 1)], [("a", 1), (0, 1)]]))}, "bounds"
    return {**base, "fun": None}, "fun"


def _tdh_valid(data):
    g = np.random.default_rng(_seed(data))
    C, K, N, B = 2, data.draw(st.integers(1, 2)), data.draw(st.integers(1, 3)), 6
    y = np.arange(B) % C
    Q = g.standard_normal((B, N)) + 2.0 * y[:, None]
    return {"Q": Q, "y": y, "W0": g.standard_normal((C * K, N)), "bias0": np.zeros(C), "beta0": 1.0,
            "steps": data.draw(st.integers(0, 1)), "gamma": 1.0, "l2": 1e-2, "l2_logbeta": 1e-2,
            "maxiter": data.draw(st.sampled_from([5, 50]))}


def _tdh_check(kw, out):
    from attractors.layers import deephnn_loss_grad, deephnn_pack
    W, bias, beta, res = out
    C, K = kw["bias0"].size, kw["W0"].shape[0] // kw["bias0"].size
    args = (kw["Q"], kw["y"], C, K, kw["steps"], kw["gamma"], kw["l2"], kw["l2_logbeta"])
    start = deephnn_loss_grad(deephnn_pack(kw["W0"], kw["bias0"], kw["beta0"]), *args)[0]
    end = deephnn_loss_grad(deephnn_pack(W, bias, beta), *args)[0]
    assert end <= start + 1e-12 and abs(end - res.fun) <= 1e-12 * max(1, abs(end))


def _tdh_invalid(data):
    case = data.draw(st.sampled_from(["W0", "y", "maxiter"]), label="case")
    base = {"Q": np.ones((2, 2)), "y": np.array([0, 1]), "W0": np.ones((2, 2)), "bias0": np.zeros(2), "beta0": 1.0}
    if case == "W0":
        return {**base, "W0": np.ones((3, 2))}, "W0"
    if case == "y":
        return {**base, "y": np.array([0, 5])}, "y"
    return {**base, "maxiter": 10**7}, "maxiter"


def _km_valid(data):
    g = np.random.default_rng(_seed(data))
    M, N = data.draw(st.integers(1, 30)), data.draw(st.integers(1, 4))
    D = g.standard_normal((M, N)) * data.draw(st.sampled_from([1e-100, 1.0, 1e100]))
    if data.draw(st.booleans(), label="duplicates"):
        D = np.repeat(D[: max(1, M // 3)], 3, axis=0)
    return {"data": D, "k": data.draw(st.integers(1, D.shape[0])), "rng": _seed(data),
            "iters": data.draw(st.sampled_from([0, 1, 30]))}


def _km_check(kw, out):
    D = kw["data"]
    assert out.shape == (kw["k"], D.shape[1]) and np.all(np.isfinite(out))
    lo, hi = D.min(axis=0), D.max(axis=0)  # centres are means of data rows: inside the bounding box
    span = np.maximum(hi - lo, np.abs(hi)) * 1e-12
    assert np.all(out >= lo - span) and np.all(out <= hi + span)


def _km_invalid(data):
    case = data.draw(st.sampled_from(["k", "iters", "budget"]), label="case")
    if case == "k":
        return {"data": np.ones((3, 2)), "k": 4}, "k"
    if case == "iters":
        return {"data": np.ones((3, 2)), "k": 1, "iters": 10**7}, "iters"
    return {"data": np.zeros((5000, 50)), "k": 50, "iters": 10**6}, "iters"


def _ep_valid(data):
    g = np.random.default_rng(_seed(data))
    H, W = data.draw(st.integers(1, 8)), data.draw(st.integers(1, 8))
    imgs = g.standard_normal((data.draw(st.integers(1, 3)), H, W))
    return {"images": imgs if data.draw(st.booleans()) else imgs[0], "k": data.draw(st.integers(1, min(H, W)))}


def _ep_check(kw, out):
    imgs, k = np.atleast_3d(kw["images"]) if kw["images"].ndim == 3 else kw["images"][None], kw["k"]
    v = np.lib.stride_tricks.sliding_window_view(imgs, (k, k), axis=(1, 2))
    ref = v.reshape(imgs.shape[0], -1, k * k)
    assert np.array_equal(out.reshape(ref.shape), ref)


def _ep_invalid(data):
    case = data.draw(st.sampled_from(["k", "budget", "images"]), label="case")
    if case == "k":
        return {"images": np.ones((3, 3)), "k": 4}, "k"
    if case == "budget":
        return {"images": np.zeros((300, 300)), "k": 150}, "k"
    return {"images": np.ones(4), "k": 1}, "images"


def _fp_valid(data):
    kw = _ep_valid(data)
    from attractors.layers import extract_patches
    P = extract_patches(kw["images"], kw["k"])
    return {"patches": P, "shape": kw["images"].shape[-2:], "k": kw["k"]}


def _fp_check(kw, out):
    # folding the patches of an image gives the image back (each pixel: the mean of identical copies)
    from attractors.layers import extract_patches
    np.testing.assert_allclose(extract_patches(out, kw["k"]), kw["patches"], rtol=1e-14, atol=1e-14)


def _fp_invalid(data):
    case = data.draw(st.sampled_from(["shape", "k"]), label="case")
    if case == "shape":
        return {"patches": np.ones((4, 4)), "shape": (5, 5), "k": 2}, "patches"
    return {"patches": np.ones((4, 4)), "shape": (3, 3), "k": 0}, "k"


def _cv_valid(data):
    g = np.random.default_rng(_seed(data))
    k = data.draw(st.integers(1, 3))
    H, W = data.draw(st.integers(k, 8)), data.draw(st.integers(k, 8))
    X = g.standard_normal((data.draw(st.integers(1, 6)), k * k))
    return {"images": g.standard_normal((H, W)), "X": X, "beta": data.draw(st.sampled_from([1e-3, 1.0, 1e3])), "k": k,
            "steps": data.draw(st.integers(0, 2)), "bias": data.draw(st.sampled_from(["distance", None]))}


def _cv_check(kw, out):
    X = kw["X"]
    assert out.shape == kw["images"].shape
    # every output pixel is an average of convex combinations of stored patch entries
    assert np.all(out >= X.min() - 1e-12) and np.all(out <= X.max() + 1e-12)


def _cv_invalid(data):
    case = data.draw(st.sampled_from(["X", "bias", "k", "budget"]), label="case")
    base = {"images": np.ones((4, 4)), "X": np.ones((2, 4)), "beta": 1.0, "k": 2}
    if case == "X":
        return {**base, "X": np.ones((2, 5))}, "X"
    if case == "bias":
        return {**base, "bias": "gauss"}, "bias"
    if case == "k":
        return {**base, "k": 5, "X": np.ones((2, 25))}, "k"
    return {"images": np.zeros((20, 200, 200)), "X": np.ones((500, 9)), "beta": 1.0, "k": 3, "steps": 5}, "images"


def _vn_valid(data):
    g = np.random.default_rng(_seed(data))
    P = data.draw(st.integers(1, 6))
    p = _softmax(g.standard_normal((data.draw(st.integers(1, 3)), P)) * data.draw(st.sampled_from([0.0, 1.0, 50.0])))
    return {"p": p, "eps": g.standard_normal(p.shape), "eta": data.draw(st.sampled_from([0.0, 1e-8, 0.5, 1e100])),
            "noise": data.draw(st.sampled_from(["diagonal", "multinomial"]))}


def _vn_check(kw, out):
    p, e, eta = kw["p"], kw["eps"], kw["eta"]
    if kw["noise"] == "diagonal":
        ref = p + eta * np.sqrt(p * (1 - p)) * e
    else:
        sp = np.sqrt(p)
        ref = p + eta * (sp * e - p * np.sum(sp * e, axis=-1, keepdims=True))
        # the multinomial form keeps every row's sum at one
        assert np.all(np.abs(out.sum(-1) - 1) <= 1e-12 * (1 + eta * np.sum(np.abs(e), -1)))
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-15 * (1 + eta))


def _vn_invalid(data):
    case = data.draw(st.sampled_from(["p", "eps", "eta", "noise"]), label="case")
    base = {"p": np.array([0.5, 0.5]), "eps": np.zeros(2), "eta": 0.1}
    if case == "p":
        return {**base, "p": np.array([0.7, 0.7])}, "p"
    if case == "eps":
        return {**base, "eps": np.zeros(3)}, "eps"
    if case == "eta":
        return {**base, "eta": -1.0}, "eta"
    return {**base, "noise": "gauss"}, "noise"


def _vr_valid(data):
    g, X, Q = _problem(data, 4, 4)
    X, Q = X / max(np.max(np.abs(X)), 1e-300), Q / max(np.max(np.abs(Q)), 1e-300)
    return {"X": X, "xi0": Q, "beta": data.draw(st.sampled_from([1e-3, 1.0, 30.0])),
            "eta": data.draw(st.sampled_from([0.0, 0.3])), "n_steps": data.draw(st.sampled_from([1, 5, 1000])),
            "rng": _seed(data), "noise": data.draw(st.sampled_from(["diagonal", "multinomial"]))}


def _vr_check(kw, out):
    from attractors.layers import vhnn_noise
    winners, pmax, xi = out
    X, xi_t = kw["X"], kw["xi0"].copy()
    gen = np.random.default_rng(kw["rng"])
    for t in range(min(kw["n_steps"], 5)):  # the first steps against a plain loop on the same stream
        p = _softmax(kw["beta"] * (xi_t @ X.T))
        assert np.array_equal(winners[t], np.argmax(p, axis=1)) or np.allclose(np.max(p, 1), pmax[t], rtol=1e-9)
        np.testing.assert_allclose(pmax[t], np.max(p, 1), rtol=1e-9)
        xi_t = vhnn_noise(p, gen.standard_normal(p.shape), kw["eta"], kw["noise"]) @ X
    if kw["n_steps"] <= 5:
        np.testing.assert_allclose(xi, xi_t, rtol=1e-9, atol=1e-12)
    assert np.all((pmax > 0) & (pmax <= 1))


def _vr_invalid(data):
    case = data.draw(st.sampled_from(["n_steps", "noise", "eta", "xi0"]), label="case")
    base = {"X": np.eye(4), "xi0": np.eye(4), "beta": 1.0, "eta": 0.1, "n_steps": 3}
    if case == "n_steps":
        return {**base, "n_steps": data.draw(st.sampled_from([0, 10**9, 2**64]))}, "n_steps"
    if case == "noise":
        return {**base, "noise": "x"}, "noise"
    if case == "eta":
        return {**base, "eta": math.nan}, "eta"
    return {**base, "xi0": np.ones((2, 3))}, "xi0"


def _hs_valid(data):
    g = np.random.default_rng(_seed(data))
    T, B = data.draw(st.integers(2, 50)), data.draw(st.integers(2, 6))
    w = g.integers(0, data.draw(st.integers(1, 4)), (T, B))
    return {"winners": w, "burn_in": data.draw(st.integers(0, T - 2))}


def _hs_check(kw, out):
    from fractions import Fraction
    w = kw["winners"][kw["burn_in"]:]
    T, B = w.shape
    per = [Fraction(int(np.sum(w[1:, b] != w[:-1, b])), T - 1) for b in range(B)]
    m = sum(per) / B
    var = sum((r - m) ** 2 for r in per) / (B - 1)
    assert abs(out[0] - float(m)) <= 1e-15 and abs(out[1] - math.sqrt(var / B)) <= 1e-14
    assert out[2] == np.mean([len(set(w[:, b])) for b in range(B)])


def _hs_invalid(data):
    case = data.draw(st.sampled_from(["one chain", "burn_in", "float"]), label="case")
    if case == "one chain":
        return {"winners": np.zeros((10, 1), dtype=int)}, "winners"
    if case == "burn_in":
        return {"winners": np.zeros((10, 2), dtype=int), "burn_in": 9}, "burn_in"
    return {"winners": np.zeros((10, 2))}, "winners"


DOMAINS = {
    "hopfield_layer_forward": Domain(_fwd_valid, _fwd_check, _fwd_invalid),
    "hopfield_layer_backward": Domain(_bwd_valid, _bwd_check, _bwd_invalid, "central differences of the forward"),
    "retrieve": Domain(_ret_valid, _ret_check, _ret_invalid),
    "central_difference": Domain(_cd_valid, _cd_check, _cd_invalid),
    "deephnn_pack": Domain(_pack_valid, _pack_check, _pack_invalid),
    "deephnn_unpack": Domain(_unpack_valid, _unpack_check, _unpack_invalid),
    "deephnn_scores": Domain(_scores_valid, _scores_check, _scores_invalid),
    "deephnn_loss_grad": Domain(_loss_valid, _loss_check, _loss_invalid),
    "train": Domain(_train_valid, _train_check, _train_invalid, "the minimiser of a quadratic"),
    "train_deephnn": Domain(_tdh_valid, _tdh_check, _tdh_invalid),
    "kmeans": Domain(_km_valid, _km_check, _km_invalid),
    "extract_patches": Domain(_ep_valid, _ep_check, _ep_invalid),
    "fold_patches": Domain(_fp_valid, _fp_check, _fp_invalid),
    "convhnn2d_denoise": Domain(_cv_valid, _cv_check, _cv_invalid),
    "vhnn_noise": Domain(_vn_valid, _vn_check, _vn_invalid),
    "vhnn_run": Domain(_vr_valid, _vr_check, _vr_invalid),
    "hop_statistics": Domain(_hs_valid, _hs_check, _hs_invalid),
}
