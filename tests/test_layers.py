"""Tests of attractors.layers: forward passes vs naive loops, gradients vs finite differences, bad inputs, extremes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attractors import layers
from attractors.bench import Result

EPS = np.finfo(float).eps
H = EPS ** (1 / 3)


def naive_state_loop(X, q, beta, steps):
    """l_T computed from the state update xi <- X^T softmax(beta X xi), one query at a time."""
    xi = q.copy()
    for _ in range(steps):
        z = beta * X @ xi
        w = np.exp(z - z.max())
        xi = X.T @ (w / w.sum())
    return beta * X @ xi


def fd_tolerance(f, theta, d1):
    """Tolerance of a central difference: Richardson truncation estimate + round-off eps |f| / h (generously x100)."""
    d2 = layers.central_difference(f, theta, 2 * H)
    return np.abs(d2 - d1) + 100 * EPS * (1 + abs(f(theta))) / H


# ----------------------------------------------------------------------------- forward

@pytest.mark.parametrize("steps", [0, 1, 2, 5])
def test_forward_matches_state_loop(steps):
    gen = np.random.default_rng(1)
    X = gen.standard_normal((7, 11))
    Q = gen.standard_normal((4, 11))
    L, _ = layers.hopfield_layer_forward(X, Q, 0.6, steps)
    ref = np.array([naive_state_loop(X, q, 0.6, steps) for q in Q])
    np.testing.assert_allclose(L, ref, rtol=1e-12, atol=1e-12)


def test_batch_equals_per_sample_and_single_query_shape():
    gen = np.random.default_rng(2)
    X, Q, b = gen.standard_normal((5, 6)), gen.standard_normal((3, 6)), gen.standard_normal(5)
    L, _ = layers.hopfield_layer_forward(X, Q, 1.3, 3, b)
    for i in range(3):
        Li, cache = layers.hopfield_layer_forward(X, Q[i], 1.3, 3, b)
        assert Li.shape == (5,)
        np.testing.assert_allclose(Li, L[i], rtol=1e-13, atol=1e-13)
        g = layers.hopfield_layer_backward(cache, np.ones(5))
        assert g["xi"].shape == (6,)


def test_distance_bias_is_mean_shift_and_retrieve():
    gen = np.random.default_rng(3)
    X, q, beta = gen.standard_normal((6, 4)), gen.standard_normal(4), 0.7
    b = -0.5 * beta * np.sum(X**2, axis=1)
    L, _ = layers.hopfield_layer_forward(X, q, beta, 0, b)
    w = np.exp(-0.5 * beta * np.sum((q - X) ** 2, axis=1))
    np.testing.assert_allclose(layers.retrieve(X, L), w @ X / w.sum(), rtol=1e-12)


# ----------------------------------------------------------------------------- gradients

@settings(max_examples=25, deadline=None)
@given(B=st.integers(1, 3), P=st.integers(1, 5), N=st.integers(1, 5), T=st.integers(0, 3),
       beta=st.floats(0.1, 2.0), seed=st.integers(0, 2**31 - 1))
def test_layer_gradient_vs_finite_differences(B, P, N, T, beta, seed):
    gen = np.random.default_rng(seed)
    X, Q, b, R = (gen.standard_normal((P, N)), gen.standard_normal((B, N)), gen.standard_normal(P),
                  gen.standard_normal((B, P)))
    n1, n2 = P * N, P * N + B * N

    def f(th):
        L, _ = layers.hopfield_layer_forward(th[:n1].reshape(P, N), th[n1:n2].reshape(B, N), th[n2], T, th[n2 + 1:])
        return float(np.sum(R * L))

    theta = np.concatenate([X.ravel(), Q.ravel(), [beta], b])
    _, cache = layers.hopfield_layer_forward(X, Q, beta, T, b)
    g = layers.hopfield_layer_backward(cache, R)
    grad = np.concatenate([g["X"].ravel(), g["xi"].ravel(), [g["beta"]], g["bias"]])
    d1 = layers.central_difference(f, theta, H)
    assert np.all(np.abs(d1 - grad) <= fd_tolerance(f, theta, d1))


@pytest.mark.parametrize("gamma", [3.0, np.inf])
@pytest.mark.parametrize("steps", [0, 2])
def test_deephnn_gradient_vs_finite_differences(gamma, steps):
    gen = np.random.default_rng(4)
    C, K, N, B = 3, 2, 5, 7
    Q = gen.standard_normal((B, N))
    y = gen.integers(0, C, B)
    theta = layers.deephnn_pack(gen.standard_normal((C * K, N)), gen.standard_normal(C), 0.8)

    def f(th):
        return layers.deephnn_loss_grad(th, Q, y, C, K, steps, gamma, 0.01)[0]

    grad = layers.deephnn_loss_grad(theta, Q, y, C, K, steps, gamma, 0.01)[1]
    d1 = layers.central_difference(f, theta, H)
    assert np.all(np.abs(d1 - grad) <= fd_tolerance(f, theta, d1))


def test_deephnn_scores_naive_and_pack_roundtrip():
    gen = np.random.default_rng(5)
    C, K, N = 4, 3, 6
    W, c = gen.standard_normal((C * K, N)), gen.standard_normal(C)
    Q = gen.standard_normal((5, N))
    s = layers.deephnn_scores(W, c, 0.5, Q, C, steps=1)
    for i, q in enumerate(Q):
        L = naive_state_loop(W, q, 0.5, 1)
        np.testing.assert_allclose(s[i], [L[k * K:(k + 1) * K].max() + c[k] for k in range(C)], rtol=1e-12)
    W2, c2, b2 = layers.deephnn_unpack(layers.deephnn_pack(W, c, 0.5), C, K, N)
    np.testing.assert_array_equal(W2, W)
    np.testing.assert_array_equal(c2, c)
    assert b2 == pytest.approx(0.5, rel=1e-15)


def test_training_decreases_loss_and_is_reproducible():
    gen = np.random.default_rng(6)
    C, K, N = 3, 2, 8
    centres = 2 * gen.standard_normal((C, N))
    y = np.repeat(np.arange(C), 20)
    Q = centres[y] + gen.standard_normal((y.size, N))
    W0 = np.repeat(centres, K, axis=0) * 0.3
    loss0 = layers.deephnn_loss_grad(layers.deephnn_pack(W0, np.zeros(C), 0.5), Q, y, C, K)[0]
    out1 = layers.train_deephnn(Q, y, W0, np.zeros(C), 0.5, maxiter=30)
    out2 = layers.train_deephnn(Q, y, W0, np.zeros(C), 0.5, maxiter=30)
    assert out1[3].fun < loss0
    np.testing.assert_array_equal(out1[0], out2[0])


# ----------------------------------------------------------------------------- extremes

def test_extreme_beta_is_finite():
    gen = np.random.default_rng(7)
    X, Q = gen.standard_normal((6, 5)), gen.standard_normal((3, 5))
    L, cache = layers.hopfield_layer_forward(X, Q, 1e6, 3)
    g = layers.hopfield_layer_backward(cache, np.ones_like(L))
    assert np.all(np.isfinite(L))
    assert all(np.all(np.isfinite(v)) for v in g.values())
    theta = layers.deephnn_pack(X, np.zeros(3), 1e6)
    loss, grad = layers.deephnn_loss_grad(theta, Q, np.array([0, 1, 2]), 3, 2, 2)
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    # at huge beta one step retrieves the best-matching pattern exactly
    np.testing.assert_allclose(layers.retrieve(X, layers.hopfield_layer_forward(X, Q, 1e6, 0)[0]),
                               X[np.argmax(Q @ X.T, axis=1)])


# ----------------------------------------------------------------------------- ConvHNN2d

@settings(max_examples=20, deadline=None)
@given(B=st.integers(1, 3), H_=st.integers(2, 9), W_=st.integers(2, 9), k=st.integers(1, 4), seed=st.integers(0, 1000))
def test_patch_kernels_vs_numpy(B, H_, W_, k, seed):
    k = min(k, H_, W_)
    imgs = np.random.default_rng(seed).random((B, H_, W_))
    P = layers.extract_patches(imgs, k)
    np.testing.assert_array_equal(P, layers._extract_patches_numpy(imgs, k))
    np.testing.assert_allclose(layers.fold_patches(P, (H_, W_), k), imgs, rtol=1e-14)
    Z = np.random.default_rng(seed + 1).random(P.shape)
    np.testing.assert_allclose(layers.fold_patches(Z, (H_, W_), k), layers._fold_patches_numpy(Z, H_, W_, k),
                               rtol=1e-13)


def test_convhnn2d_reproduces_stored_image():
    img = np.random.default_rng(8).random((8, 8))
    X = layers.extract_patches(img, 3)
    np.testing.assert_allclose(layers.convhnn2d_denoise(img, X, 1e4, 3), img, atol=1e-12)


# ----------------------------------------------------------------------------- VHNN

def test_vhnn_noise_forms():
    gen = np.random.default_rng(9)
    p = gen.dirichlet(np.ones(5), size=100)
    eps = gen.standard_normal(p.shape)
    m = layers.vhnn_noise(p, eps, 0.7, "multinomial")
    np.testing.assert_allclose(m.sum(axis=1), 1.0, atol=1e-14)
    d = layers.vhnn_noise(p, eps, 0.7, "diagonal")
    np.testing.assert_allclose(d, p + 0.7 * np.sqrt(p * (1 - p)) * eps)
    np.testing.assert_array_equal(layers.vhnn_noise(p, eps, 0.0), p)


def test_vhnn_seed_reproducibility_and_eta_zero():
    gen = np.random.default_rng(10)
    X, Q = gen.standard_normal((6, 5)), gen.standard_normal((4, 5))
    a = layers.vhnn_run(X, Q, 1.0, 0.5, 50, rng=123)
    b = layers.vhnn_run(X, Q, 1.0, 0.5, 50, rng=np.random.default_rng(123))
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    _, _, xi = layers.vhnn_run(X, Q, 1.0, 0.0, 3, rng=0)
    # three deterministic steps = retrieval after T = 2 loop iterations
    L, _ = layers.hopfield_layer_forward(X, Q, 1.0, 2)
    np.testing.assert_allclose(xi, layers.retrieve(X, L), rtol=1e-12)


def test_hop_statistics_and_kmeans():
    w = np.array([[0, 1], [0, 1], [1, 1], [1, 1], [0, 1]])
    rate, se, visited = layers.hop_statistics(w)
    assert rate == pytest.approx(0.25)
    assert visited == pytest.approx(1.5)
    data = np.random.default_rng(11).random((50, 3))
    np.testing.assert_array_equal(layers.kmeans(data, 4, rng=5), layers.kmeans(data, 4, rng=5))


# ----------------------------------------------------------------------------- bad inputs

@pytest.mark.parametrize("call, exc, word", [
    (lambda: layers.hopfield_layer_forward(np.ones((2, 3)), np.ones(4), 1.0), ValueError, "xi"),
    (lambda: layers.hopfield_layer_forward(np.ones((2, 3, 1)), np.ones(3), 1.0), ValueError, "X"),
    (lambda: layers.hopfield_layer_forward(np.ones((2, 3)), np.ones(3), -1.0), ValueError, "beta"),
    (lambda: layers.hopfield_layer_forward(np.ones((2, 3)), np.ones(3), True), TypeError, "beta"),
    (lambda: layers.hopfield_layer_forward(np.ones((2, 3)), np.ones(3), 1.0, -1), ValueError, "steps"),
    (lambda: layers.hopfield_layer_forward(np.ones((2, 3)), np.ones(3), 1.0, 1.5), TypeError, "steps"),
    (lambda: layers.hopfield_layer_forward(np.ones((2, 3)), np.ones(3), 1.0, 1, np.ones(3)), ValueError, "bias"),
    (lambda: layers.hopfield_layer_forward(np.ones((2, 3)), [np.nan, 1, 1], 1.0), ValueError, "xi"),
    (lambda: layers.hopfield_layer_backward({}, np.ones(2)), TypeError, "cache"),
    (lambda: layers.hopfield_layer_backward(layers.hopfield_layer_forward(np.ones((2, 3)), np.ones(3), 1.0)[1],
                                            np.ones(3)), ValueError, "grad_logits"),
    (lambda: layers.deephnn_loss_grad(np.zeros(3), np.ones((2, 4)), [0, 1], 2, 1), ValueError, "theta"),
    (lambda: layers.deephnn_loss_grad(np.zeros(2 * 4 + 3), np.ones((2, 4)), [0, 2], 2, 1), ValueError, "y"),
    (lambda: layers.deephnn_loss_grad(np.zeros(2 * 4 + 3), np.ones((2, 4)), [0.0, 1.0], 2, 1), TypeError, "y"),
    (lambda: layers.deephnn_scores(np.ones((3, 4)), np.zeros(2), 1.0, np.ones((1, 4)), 2), ValueError, "W"),
    (lambda: layers.extract_patches(np.ones((4, 4)), 5), ValueError, "k"),
    (lambda: layers.fold_patches(np.ones((3, 4)), (4, 4), 2), ValueError, "patches"),
    (lambda: layers.convhnn2d_denoise(np.ones((4, 4)), np.ones((3, 5)), 1.0, 2), ValueError, "X"),
    (lambda: layers.convhnn2d_denoise(np.ones((4, 4)), np.ones((3, 4)), 1.0, 2, bias="x"), ValueError, "bias"),
    (lambda: layers.vhnn_noise(np.full(3, 1 / 3), np.ones(3), 1.0, "other"), ValueError, "noise"),
    (lambda: layers.vhnn_noise(np.full(3, 1 / 3), np.ones(3), -1.0), ValueError, "eta"),
    (lambda: layers.vhnn_run(np.ones((2, 3)), np.ones(3), 1.0, 0.1, 0), ValueError, "n_steps"),
    (lambda: layers.vhnn_run(np.ones((2, 3)), np.ones(3), 1.0, 0.1, 5, rng="seed"), TypeError, "rng"),
    (lambda: layers.kmeans(np.ones((3, 2)), 4), ValueError, "k"),
    (lambda: layers.central_difference(3, np.ones(2)), TypeError, "f"),
    (lambda: layers.train(lambda t: (0.0, t), np.ones(2), maxiter=0), ValueError, "maxiter"),
    (lambda: layers.train(lambda t: (0.0, t), np.ones(2), gtol=0.0), ValueError, "gtol"),
    # bounded loops and allocations
    (lambda: layers.kmeans(np.ones((3, 2)), 2, rng=0, iters=2**63), ValueError, "iters"),
    (lambda: layers.hopfield_layer_forward(np.ones((2, 3)), np.ones(3), 1.0, 2**63), ValueError, "steps"),
    (lambda: layers.fold_patches(np.ones((9, 4)), 4, 2), TypeError, "shape"),
    # issue 7: probabilities that do not sum to one are refused
    (lambda: layers.vhnn_noise(np.array([0.5, 0.6]), np.zeros(2), 0.1), ValueError, "p must sum"),
    (lambda: layers.vhnn_noise(np.array([[0.2, 0.2], [0.5, 0.5]]), np.zeros((2, 2)), 0.1), ValueError, "p must sum"),
    # issue 7: a trace too long to return is refused before anything is allocated
    (lambda: layers.vhnn_run(np.ones((2, 3)), np.ones(3), 1.0, 0.1, 10**6 * 10**4), ValueError, "n_steps"),
    (lambda: layers.vhnn_run(np.ones((2, 3)), np.ones(3), 1.0, 0.1, 2**63), ValueError, "n_steps"),
    # issue 7: a query of the wrong width blames Q, not theta
    (lambda: layers.deephnn_loss_grad(np.zeros(2 * 5 + 3), np.ones((3, 4)), [0, 1, 0], 2, 1), ValueError, "Q must"),
    (lambda: layers.deephnn_loss_grad(np.zeros(2 * 4 + 3), np.ones((2, 4)), [0, 1], 2, 1, l2_logbeta=-1.0),
     ValueError, "l2_logbeta"),
])
def test_bad_inputs(call, exc, word):
    with pytest.raises(exc, match=word):
        call()


def test_benchmarks_quick():
    res = layers.benchmarks(quick=True)
    assert len(res) == 3 and all(isinstance(r, Result) and r.t_kernel > 0 for r in res)


def test_vhnn_run_streams_the_same_noise_as_one_draw():
    # the noise is drawn step by step; it is the same stream as one (n_steps, B, P) draw
    gen = np.random.default_rng(13)
    X, Q = gen.standard_normal((5, 4)), gen.standard_normal((3, 4))
    winners, pmax, xi = layers.vhnn_run(X, Q, 1.5, 0.4, 40, rng=7)
    eps = np.random.default_rng(7).standard_normal((40, 3, 5))
    z = Q.copy()
    for t in range(40):
        p = np.exp(1.5 * z @ X.T - np.max(1.5 * z @ X.T, 1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        assert np.array_equal(np.argmax(p, 1), winners[t])
        z = (p + 0.4 * np.sqrt(p * (1 - p)) * eps[t]) @ X
    np.testing.assert_allclose(xi, z, rtol=1e-10, atol=1e-12)


def test_logbeta_penalty_gradient_and_coercivity():
    gen = np.random.default_rng(14)
    C, K, N, B = 3, 2, 5, 12
    Q = gen.standard_normal((B, N))
    y = np.arange(B) % C
    theta = layers.deephnn_pack(gen.standard_normal((C * K, N)), gen.standard_normal(C), 2.0)
    f = lambda t: layers.deephnn_loss_grad(t, Q, y, C, K, 1, 2.0, 0.1, 0.5)[0]
    g = layers.deephnn_loss_grad(theta, Q, y, C, K, 1, 2.0, 0.1, 0.5)[1]
    np.testing.assert_allclose(layers.central_difference(f, theta, 1e-5), g, atol=1e-7)
    # the penalty grows without bound along log beta: the objective has a minimiser
    t2 = theta.copy()
    t2[-1] = 40.0
    assert f(t2) > 0.5 * 0.5 * 40.0**2 - 1e-9


def test_kmeans_early_stop_is_exact():
    # stopping when the assignment repeats returns bitwise the centres of the full iteration count
    data = np.random.default_rng(15).random((200, 4))
    a = layers.kmeans(data, 5, rng=3, iters=500)
    gen = np.random.default_rng(3)
    centres = data[gen.choice(200, size=5, replace=False)].copy()
    for _ in range(500):
        lab = np.argmin(((data[:, None] - centres[None]) ** 2).sum(-1), axis=1)
        for k in range(5):
            if np.any(lab == k):
                centres[k] = data[lab == k].mean(axis=0)
    np.testing.assert_allclose(a, centres, rtol=1e-12, atol=1e-14)


# --------------------------------------------------------------------------- limits and degenerate inputs

def test_hop_statistics_needs_two_chains():
    with pytest.raises(ValueError, match="winners"):
        layers.hop_statistics(np.zeros((10, 1), dtype=int))
    rate, se, visited = layers.hop_statistics(np.array([[0, 0], [1, 0], [1, 0]]))
    assert rate == 0.25 and se == pytest.approx(0.25) and visited == 1.5


@pytest.mark.parametrize("call, word", [
    (lambda: layers.hopfield_layer_forward(np.eye(64), np.eye(64), 1.0, steps=10**6), "steps"),
    (lambda: layers.vhnn_run(np.eye(4), np.eye(4), 1.0, 0.1, 10**9), "n_steps"),
    (lambda: layers.kmeans(np.random.default_rng(0).random((5000, 50)), 50, rng=0, iters=10**6), "iters"),
    (lambda: layers.extract_patches(np.zeros((300, 300)), 150), "k"),
    (lambda: layers.central_difference(np.sum, np.ones(3), h=1e-300), "h"),
    (lambda: layers.central_difference(np.sum, np.ones(3), h=1.7e308), "h"),
    (lambda: layers.deephnn_unpack(np.r_[np.zeros(3), 0.0, 800.0], 1, 1, 3), "theta"),
    (lambda: layers.train(lambda t: (0.0, 0 * t), np.zeros(2), maxiter=2**64), "maxiter"),
    (lambda: layers.train(lambda t: (0.0, 0 * t), np.zeros(2), bounds=[(0, 1)]), "bounds"),
])
def test_limits_refuse_before_working(call, word):
    import time
    t = time.perf_counter()
    with pytest.raises(ValueError, match=word):
        call()
    assert time.perf_counter() - t < 2.0


def test_central_difference_divides_by_the_step_taken():
    # 1e8 +- 1e-7 moves by 7 ulp of 1e8 (1.04e-7), not by 1e-7: dividing by 2h would give 1.043
    d = layers.central_difference(lambda t: t[0], np.array([1e8]), h=1e-7)
    assert d[0] == 1.0


def test_noise_option_arrays_are_refused_by_name():
    with pytest.raises(TypeError, match="noise"):
        layers.vhnn_noise(np.full((1, 2), 0.5), np.zeros((1, 2)), 0.1, noise=np.array(["a", "b"]))
    with pytest.raises(ValueError, match="noise"):
        layers.vhnn_run(np.eye(2), np.full((1, 2), 0.5), 1.0, 0.1, 2, noise=np.array([]))


def test_overflowing_scores_name_beta_beta0_gamma():
    r = np.random.default_rng(0)
    W, Q = r.standard_normal((4, 3)), r.standard_normal((5, 3))
    with pytest.raises(ValueError, match="beta"):
        layers.deephnn_scores(W, np.zeros(2), 1.7e308, Q, 2)
    th = layers.deephnn_pack(W, np.zeros(2), 1.0)
    with pytest.raises(ValueError, match="gamma"):
        layers.deephnn_loss_grad(th, Q, np.array([0, 1, 0, 1, 0]), 2, 2, gamma=5e-324)
    with pytest.raises(ValueError, match="beta0"):
        layers.train_deephnn(Q, np.array([0, 1, 0, 1, 0]), W, np.zeros(2), 0)


def test_convhnn2d_denoise_huge_patterns_name_x():
    r = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"\bX\b"):
        layers.convhnn2d_denoise(r.standard_normal((1, 4, 4)), r.standard_normal((3, 4)) * 1e300, 1.0, 2)
