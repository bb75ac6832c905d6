"""Tests of attractors._modern_kernels: the fused batched update and retrieval equal modern's to round-off."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attractors import _modern_kernels as M
from attractors import modern


def test_fused_exp_against_numpy():
    g = np.random.default_rng(0)
    S = np.concatenate([g.standard_normal((50, 300)) * 100, g.standard_normal((50, 300)) * 1e-3])
    S[0, :5] = [-1e300, -800.0, -745.0, -708.5, 0.0]
    ref = np.exp(S - S.max(axis=1, keepdims=True))
    out = S.copy()
    M._exp_shift_rows(out)
    big = ref >= np.exp(M.EXP_FLOOR)
    # relative error a few ulp (polynomial truncation < 2e-17, Horner + reduction ~ 1 ulp)
    assert np.max(np.abs(out[big] - ref[big]) / ref[big]) < 4 * np.finfo(float).eps
    assert np.all(out[~big] == 0.0) and np.all(ref[~big] < 3.1e-308)
    assert np.all(out.max(axis=1) == 1.0)            # the row maximum maps to exp(0) = 1 exactly


@pytest.mark.parametrize("P,N,B,beta", [(1, 1, 1, 1.0), (5, 3, 7, 0.1), (64, 16, 100, 8.0), (300, 20, 33, 1e3),
                                        (40, 10, 5, 1e-8)])
def test_update_equals_modern_update(P, N, B, beta):
    X, Q = M.modern_case(P, N, B, seed=P + B)
    a, b = M.update_batched(X, Q, beta), modern.update(X, Q, beta)
    # both are convex combinations of the patterns: round-off ~ eps * (P + N) * max|X|
    assert np.max(np.abs(a - b)) <= 50 * np.finfo(float).eps * (P + N) * np.max(np.abs(X))
    a1 = M.update_batched(X, Q[0], beta)
    assert a1.shape == (N,) and np.max(np.abs(a1 - b[0])) <= 50 * np.finfo(float).eps * (P + N) * np.max(np.abs(X))


def test_update_in_blocks(monkeypatch):
    X, Q = M.modern_case(50, 8, 37, seed=1)
    full = M.update_batched(X, Q, 4.0)
    monkeypatch.setattr(M, "MAX_BLOCK_BYTES", 8 * 50 * 5)   # blocks of 5 rows
    assert M._block_rows(50, 37) == 5
    np.testing.assert_allclose(M.update_batched(X, Q, 4.0), full, rtol=0, atol=1e-15)


def test_update_extreme_scores_stay_finite():
    X = np.array([[1e140, 0.0], [0.0, 1e140]])
    Q = np.array([[1e140, -1e140], [1.0, 2.0]])
    a = M.update_batched(X, Q, 1.0)
    assert np.all(np.isfinite(a))
    np.testing.assert_allclose(a, modern.update(X, Q, 1.0), rtol=1e-12)


def test_retrieve_equals_modern_retrieve():
    X, Q = M.modern_case(64, 16, 80, seed=3)
    for beta in (0.5, 8.0, 50.0):
        x1, i1 = M.retrieve_batched(X, Q, beta, tol=1e-10, max_iter=500)
        x2, i2 = modern.retrieve(X, Q, beta, tol=1e-10, max_iter=500)
        # the stopping step changes at most one iterate of size <= tol beyond round-off
        assert np.max(np.abs(x1 - x2)) <= 1e-9
        assert np.max(np.abs(i1 - i2)) <= 1
    x, it = M.retrieve_batched(X, Q[0], 8.0)
    assert x.shape == (16,) and isinstance(it, int)
    x, it = M.retrieve_batched(X, Q, 8.0, tol=0.0, max_iter=3)
    assert np.all(it == 3)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 30), st.integers(1, 8), st.integers(1, 20), st.floats(1e-3, 100.0), st.integers(0, 2**31))
def test_property_rows_are_convex_combinations(P, N, B, beta, seed):
    X, Q = M.modern_case(P, N, B, seed=seed)
    a = M.update_batched(X, Q, beta)
    tol = 1e-12 * max(1.0, np.max(np.abs(X)))
    assert np.all(a <= X.max(axis=0) + tol) and np.all(a >= X.min(axis=0) - tol)
    np.testing.assert_allclose(a, modern.update(X, Q, beta), rtol=1e-10, atol=1e-13)


def test_bad_inputs_name_the_argument():
    X, Q = M.modern_case(4, 3, 2)
    for fn, qname in ((M.update_batched, "xi"), (M.retrieve_batched, "xi0")):
        with pytest.raises(ValueError, match="X"):
            fn(np.ones((2, 2, 2)), Q, 1.0)
        with pytest.raises(ValueError, match=qname):
            fn(X, np.ones((2, 4)), 1.0)
        with pytest.raises(ValueError, match=qname):
            fn(X, Q * np.nan, 1.0)
        with pytest.raises(ValueError, match=qname):
            fn(X, Q * 1e200, 1.0)
        with pytest.raises(ValueError, match="beta"):
            fn(X, Q, 0.0)
        with pytest.raises(ValueError, match="beta"):
            fn(X, Q, math.inf)
        with pytest.raises(TypeError, match="X"):
            fn("X", Q, 1.0)
    with pytest.raises(ValueError, match="max_iter"):
        M.retrieve_batched(X, Q, 1.0, max_iter=2**63)
    with pytest.raises(ValueError, match="tol"):
        M.retrieve_batched(X, Q, 1.0, tol=-1.0)


def test_benchmarks_agree(monkeypatch):
    import attractors.bench as bench
    monkeypatch.setattr(bench, "best_time", lambda fn, **kw: (fn(), 1.0)[1])  # agreement only, no timing
    lim = {f"gemm_{m}x{k}x{n}": 1e10 for m in (256, 1024) for k, n in ((256, 1024), (1024, 256))}
    res = M.benchmarks(quick=True, lim=lim)
    assert len(res) == 2 and all(r.agree for r in res)
