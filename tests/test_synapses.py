"""Tests of attractors.synapses: the softmax synaptic kernel, the cosine theory, helpers."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attractors import synapses as sy


def problem(rng, n_h=4, n_v=12, p=None, sigma=0.4):
    xi0 = sy.orthogonal_memories(n_h, n_v, rng=rng)
    pats = xi0 + sigma * rng.standard_normal((n_h if p is None else p, n_v)) if p is None else \
        rng.standard_normal((p, n_v))
    return xi0, pats


def step_by_formula(xi, v, beta, tau, lam):
    """Eq. (14) of [NLR] element by element, in pure Python."""
    n_h, n_v = xi.shape
    s = [sum(xi[m, i] * v[i] for i in range(n_v)) for m in range(n_h)]
    mx = max(s)
    e = [math.exp(beta * (x - mx)) for x in s]
    w = [x / sum(e) for x in e]
    out = xi.copy()
    for m in range(n_h):
        for i in range(n_v):
            out[m, i] = xi[m, i] + w[m] * (-xi[m, i] + lam[m, i] + v[i]) / tau
    return out


def test_kernel_matches_reference_and_formula():
    rng = np.random.default_rng(0)
    for beta in (0.01, 0.3, 2.0, np.inf):
        xi0, pats = problem(rng)
        lam = 0.3 * rng.standard_normal(xi0.shape)
        order = rng.integers(0, pats.shape[0], 300)
        out = sy.simulate(xi0, pats, order, beta=beta, tau=7.0, lam=lam)
        ref = sy._simulate_reference(xi0, pats, order, beta, 7.0, lam)
        assert out.shape == (300, 4, 12)
        np.testing.assert_allclose(out, ref, rtol=1e-10, atol=1e-10)
        if np.isfinite(beta):
            xi = xi0.copy()
            for t in range(5):
                xi = step_by_formula(xi, pats[order[t]], beta, 7.0, lam)
                np.testing.assert_allclose(out[t], xi, rtol=1e-12, atol=1e-12)


def test_direct_kernel_agrees_with_incremental_one():
    rng = np.random.default_rng(1)
    xi0, pats = problem(rng, n_h=5, n_v=9, p=7)
    order = rng.integers(0, 7, 400)
    lam = rng.standard_normal(xi0.shape)
    out = np.empty((400, 5, 9))
    direct = sy._simulate_kernel(xi0, pats, order, 0.7, 3.0, lam, 1, out)
    np.testing.assert_allclose(sy.simulate(xi0, pats, order, beta=0.7, tau=3.0, lam=lam), direct,
                               rtol=1e-10, atol=1e-10)


def test_many_patterns_use_direct_kernel():
    rng = np.random.default_rng(2)
    n = sy.MAX_INCREMENTAL_PATTERNS + 1
    xi0 = rng.standard_normal((3, 4))
    pats = rng.standard_normal((n, 4))
    order = rng.integers(0, n, 50)
    lam = np.zeros_like(xi0)
    np.testing.assert_allclose(sy.simulate(xi0, pats, order, beta=1.0, tau=2.0),
                               sy._simulate_reference(xi0, pats, order, 1.0, 2.0, lam), rtol=1e-10, atol=1e-12)


def test_record_every_and_empty_order():
    rng = np.random.default_rng(3)
    xi0, pats = problem(rng)
    order = rng.integers(0, 4, 100)
    full = sy.simulate(xi0, pats, order, beta=2.0, tau=5.0)
    sub = sy.simulate(xi0, pats, order, beta=2.0, tau=5.0, record_every=7)
    assert sub.shape == (100 // 7, 4, 12)
    np.testing.assert_array_equal(sub, full[6::7][: 100 // 7])
    assert sy.simulate(xi0, pats, np.array([], dtype=int), beta=2.0, tau=5.0).shape == (0, 4, 12)


def test_one_hot_limit_moves_only_the_matching_row_exponentially():
    """At beta = inf with cyclic clamping, row mu after n visits is (1-1/tau)^n Xi0 + (1-(1-1/tau)^n) xi'."""
    rng = np.random.default_rng(4)
    xi0, pats = problem(rng, n_h=3, n_v=20, sigma=0.3)
    tau, steps = 10.0, 60
    order = np.arange(steps) % 3
    out = sy.simulate(xi0, pats, order, beta=np.inf, tau=tau)
    n = steps // 3
    expected = (1 - 1 / tau) ** n * xi0 + (1 - (1 - 1 / tau) ** n) * pats
    np.testing.assert_allclose(out[-1], expected, rtol=1e-12, atol=1e-12)


def test_fixed_point_is_the_clamped_pattern_plus_bias():
    rng = np.random.default_rng(5)
    xi0, pats = problem(rng, n_h=2, n_v=6, sigma=0.2)
    lam = 0.1 * rng.standard_normal(xi0.shape)
    out = sy.simulate(pats + lam, pats, np.arange(50) % 2, beta=np.inf, tau=3.0, lam=lam)
    np.testing.assert_allclose(out[-1], pats + lam, rtol=0, atol=1e-14)


def test_extremes_stay_finite_and_convex():
    rng = np.random.default_rng(6)
    xi0 = 1e90 * rng.standard_normal((3, 5))
    pats = 1e90 * rng.standard_normal((4, 5))
    for beta in (1e-300, 1.0, 1e300, np.inf):
        out = sy.simulate(xi0, pats, rng.integers(0, 4, 30), beta=beta, tau=1.0)
        assert np.all(np.isfinite(out))
        bound = max(np.abs(xi0).max(), np.abs(pats).max())
        assert np.abs(out).max() <= bound * (1 + 1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(1.0, 50.0), st.floats(0.01, 20.0))
def test_rows_stay_in_the_convex_hull_bound(seed, tau, beta):
    rng = np.random.default_rng(seed)
    xi0 = rng.standard_normal((3, 4))
    pats = rng.standard_normal((5, 4))
    out = sy.simulate(xi0, pats, rng.integers(0, 5, 40), beta=beta, tau=tau)
    assert np.abs(out).max() <= max(np.abs(xi0).max(), np.abs(pats).max()) * (1 + 1e-12)


def test_same_seed_same_order_and_memories():
    p = np.array([0.5, 0.3, 0.2])
    np.testing.assert_array_equal(sy.random_order(p, 100, rng=9), sy.random_order(p, 100, rng=9))
    np.testing.assert_array_equal(sy.orthogonal_memories(3, 7, rng=9), sy.orthogonal_memories(3, 7, rng=9))
    o = sy.random_order(p, 20000, rng=1)
    np.testing.assert_allclose(np.bincount(o, minlength=3) / 20000, p, atol=4 * np.sqrt(0.25 / 20000))


def test_orthogonal_memories():
    m = sy.orthogonal_memories(5, 30, rng=0)
    np.testing.assert_allclose(m @ m.T, 30 * np.eye(5), atol=1e-12)
    with pytest.raises(ValueError, match="n_h"):
        sy.orthogonal_memories(4, 3)


def test_cosine_theory_limits_and_reference():
    t = np.array([0.0, 50.0, 1e6])
    out = sy.cosine_theory(t, 100.0, 0.8)
    assert out[0] == pytest.approx(0.8, abs=1e-15)
    assert out[-1] == pytest.approx(1.0, abs=1e-12)
    # direct evaluation of eq. (40)
    e = np.exp(-0.5)
    ref = (e * 0.8 + 1 - e) / np.sqrt(e**2 + (1 - e) ** 2 + 2 * e * (1 - e) * 0.8)
    assert out[1] == pytest.approx(ref, rel=1e-14)
    # the generalised form is the cosine of the interpolated vectors
    rng = np.random.default_rng(0)
    a = rng.standard_normal(8)
    b = 1.7 * (0.6 * a / np.linalg.norm(a) + 0.8 * np.linalg.svd(np.c_[a, rng.standard_normal(8)])[0][:, 1])
    b *= np.linalg.norm(a) * 1.7 / np.linalg.norm(b)
    alpha = a @ b / np.linalg.norm(a) / np.linalg.norm(b)
    for tt in (0.0, 3.0, 20.0):
        e = np.exp(-tt / 10.0)
        x = e * a + (1 - e) * b
        direct = x @ b / np.linalg.norm(x) / np.linalg.norm(b)
        assert sy.cosine_theory(tt, 10.0, alpha, ratio=1.7) == pytest.approx(direct, rel=1e-12)
    assert sy.cosine_theory(5.0, np.inf, 0.3) == pytest.approx(0.3)
    # alpha = -1: the row passes through zero at e = 1/2 and the cosine jumps from -1 to 1
    tz = 10.0 * np.log(2.0)
    assert sy.cosine_theory(tz + 1, 10.0, -1.0) == pytest.approx(1.0)
    assert np.all(np.isfinite(sy.cosine_theory(np.linspace(0, 20, 101), 10.0, -1.0)))


def test_cosine_similarity():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 3, 4))
    tg = rng.standard_normal((3, 4))
    ref = np.einsum("tmi,mi->tm", x, tg) / np.linalg.norm(x, axis=-1) / np.linalg.norm(tg, axis=-1)
    np.testing.assert_allclose(sy.cosine_similarity(x, tg), ref, rtol=1e-12)
    np.testing.assert_allclose(sy.cosine_similarity(1e200 * x, 1e-200 * tg), ref, rtol=1e-12)
    assert sy.cosine_similarity(np.zeros((3, 4)), tg).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("kwargs, name", [
    (dict(xi0=np.ones(3)), "xi0"),
    (dict(patterns=np.ones((2, 5))), "patterns"),
    (dict(order=np.array([0.5])), "order"),
    (dict(order=np.array([9])), "order"),
    (dict(order=np.array([[0]])), "order"),
    (dict(beta=0.0), "beta"),
    (dict(beta=np.nan), "beta"),
    (dict(tau=0.5), "tau"),
    (dict(lam=np.ones((2, 2))), "lam"),
    (dict(record_every=0), "record_every"),
    (dict(xi0=np.full((2, 3), np.nan)), "xi0"),
    (dict(xi0=np.full((2, 3), 1e300)), "xi0"),
])
def test_simulate_bad_input(kwargs, name):
    args = dict(xi0=np.ones((2, 3)), patterns=np.ones((2, 3)), order=np.array([0, 1]), beta=1.0, tau=2.0)
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=name):
        sy.simulate(args.pop("xi0"), args.pop("patterns"), args.pop("order"), **args)


def test_other_bad_input():
    with pytest.raises(ValueError, match="alpha"):
        sy.cosine_theory(1.0, 1.0, 1.5)
    with pytest.raises(ValueError, match="t"):
        sy.cosine_theory(-1.0, 1.0, 0.5)
    with pytest.raises(ValueError, match="p"):
        sy.random_order([0.5, 0.6], 3)
    with pytest.raises(ValueError, match="n_steps"):
        sy.random_order([1.0], 2**63)
    with pytest.raises(ValueError, match="record_every"):
        sy.simulate(np.ones((200, 1000)), np.ones((1, 1000)), np.zeros(10**5, dtype=int), beta=1.0, tau=2.0)


def test_benchmarks_quick_agree_and_are_fast():
    res = sy.benchmarks(quick=True)
    assert all(r.agree for r in res)


def test_legacy_inputs_match_the_global_legacy_generator():
    xi0, pats = sy.legacy_inputs()
    assert xi0.shape == pats.shape == (4, 50)
    np.testing.assert_allclose(xi0 @ xi0.T, 50 * np.eye(4), atol=1e-12)       # orthogonal, squared norm N_v
    # the same draws as np.random.seed(41); np.random.randn(...): first memory and first noise row
    state = np.random.get_state()
    try:
        np.random.seed(41)
        first = np.random.randn(50)
        for _ in range(3):
            np.random.randn(50)
        noise0 = np.random.randn(50)
    finally:
        np.random.set_state(state)
    np.testing.assert_array_equal(xi0[0], first / np.linalg.norm(first) * np.sqrt(50))
    np.testing.assert_allclose(pats[0] - xi0[0], 0.4 * noise0, atol=1e-15)
    a, b = sy.legacy_inputs(seed=41)
    np.testing.assert_array_equal(a, xi0)
    np.testing.assert_array_equal(b, pats)
    assert not np.array_equal(sy.legacy_inputs(seed=7)[0], xi0)


@pytest.mark.parametrize("kwargs", [dict(n_h=0), dict(n_h=5, n_v=4), dict(noise=-1.0), dict(noise=np.inf),
                                    dict(seed=-1), dict(seed=2**32), dict(n_h=1.5)])
def test_legacy_inputs_bad_input(kwargs):
    with pytest.raises((TypeError, ValueError)):
        sy.legacy_inputs(**kwargs)


# --------------------------------------------------------------------------- one tie rule, limits

def _integer_case(seed):
    g = np.random.default_rng(seed)
    nh, nv, p = int(g.integers(2, 6)), int(g.integers(2, 6)), int(g.integers(1, 5))
    xi0 = g.integers(-2, 3, (nh, nv)).astype(float)
    pats = g.integers(-2, 3, (p, nv)).astype(float)
    order = g.integers(0, p, int(g.integers(1, 30)))
    lam = g.integers(-1, 2, (nh, nv)).astype(float) if seed % 3 == 0 else None
    return xi0, pats, order, float(g.integers(1, 5)), lam


@pytest.mark.parametrize("beta", [np.inf, 1e9])
def test_tie_rule_is_the_same_on_both_kernels(beta):
    """Integer data make exact ties; 1023 unused patterns switch to the direct kernel: nothing may change."""
    for seed in range(200):
        xi0, pats, order, tau, lam = _integer_case(seed)
        pad = np.vstack([pats, np.random.default_rng(seed).integers(-2, 3, (sy.MAX_INCREMENTAL_PATTERNS, pats.shape[1]))
                         * 0.0])
        a = sy.simulate(xi0, pats, order, beta=beta, tau=tau, lam=lam)
        b = sy.simulate(xi0, pad, order, beta=beta, tau=tau, lam=lam)
        assert np.array_equal(a, b), f"case {seed}: the kernels disagree"
        if np.isinf(beta):
            ref = sy._simulate_reference(xi0, pats, order, beta, tau, np.zeros_like(xi0) if lam is None else lam)
            np.testing.assert_allclose(a, ref, rtol=0, atol=1e-12)


def test_tie_rule_shares_a_true_tie_and_separates_a_near_one():
    xi0 = np.array([[1.0, 0.0], [0.0, 1.0]])
    v = np.array([[1.0, 1.0]])
    out = sy.simulate(xi0, v, [0], beta=np.inf, tau=2.0)[0]
    np.testing.assert_allclose(out, xi0 + 0.25 * (v - xi0))  # both rows move, rate 1/2 / tau each
    xi1 = np.array([[1.0, 0.0], [0.0, 1.0 - 1e-6]])
    out = sy.simulate(xi1, v, [0], beta=np.inf, tau=2.0)[0]
    np.testing.assert_allclose(out[1], xi1[1])  # a gap of 1e-6 R |v| is not a tie: row 1 stays


def test_random_order_blocks_equal_one_choice_and_the_limit_names_n_steps():
    p = np.random.default_rng(1).random(7)
    p /= p.sum()
    n = 3 * 2**20 + 11
    np.testing.assert_array_equal(sy.random_order(p, n, rng=5), np.random.default_rng(5).choice(7, size=n, p=p))
    with pytest.raises(ValueError, match="n_steps"):
        sy.random_order([0.5, 0.5], 10**9)


@pytest.mark.parametrize("call, word", [
    (lambda: sy.orthogonal_memories(3000, 30000), "n_h"),
    (lambda: sy.legacy_inputs(5000, 10**6), "n_h"),
    (lambda: sy.legacy_inputs(4, 50, noise=1e300), "noise"),
    (lambda: sy.simulate(np.zeros((300, 1000)), np.zeros((1, 1000)), np.zeros(10**6, dtype=int), beta=1.0, tau=1.0,
                         record_every=10**6), "order"),
    (lambda: sy.simulate(np.zeros((10, 100)), np.zeros((1, 100)), np.zeros(10**6, dtype=int), beta=1.0, tau=1.0),
     "record_every"),
])
def test_limits_refuse_before_working(call, word):
    import time
    t = time.perf_counter()
    with pytest.raises(ValueError, match=word):
        call()
    assert time.perf_counter() - t < 2.0


def test_orthogonal_memories_at_a_moderate_size():
    q = sy.orthogonal_memories(50, 400, rng=2)
    np.testing.assert_allclose(q @ q.T, 400 * np.eye(50), atol=1e-9)
