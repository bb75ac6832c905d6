"""Tests of attractors._modern_kernels: the fused update and batched retrieval against plain NumPy references."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attractors import _modern_kernels as M
from attractors import modern

EPS = np.finfo(float).eps


def _round_off_bound(X, P, N):
    # both results are convex combinations of the patterns, summed in different orders:
    # round-off ~ eps * (P + N) * max|X|, with a factor 50 for the exp's few ulp and the two products
    return 50 * EPS * (P + N) * np.max(np.abs(X))


@pytest.mark.parametrize("beta", [1.0, 0.37, 1e6])
def test_softmax_numerators_against_numpy(beta):
    g = np.random.default_rng(0)
    S = np.concatenate([g.standard_normal((50, 301)) * 100, g.standard_normal((50, 301)) * 1e-3]) / beta
    S[0, :5] = [-1e300, -800.0 / beta, -745.0 / beta, -708.5 / beta, 0.0]
    ref = np.exp(beta * (S - S.max(axis=1, keepdims=True)))
    out = S.copy()
    M._softmax_numerators(out, beta)
    big = ref >= np.exp(M.EXP_FLOOR)
    # relative error a few ulp (polynomial truncation < 5e-18, reduction and evaluation ~ 2 ulp)
    assert np.max(np.abs(out[big] - ref[big]) / ref[big]) < 4 * EPS
    assert np.all(out[~big] == 0.0) and np.all(ref[~big] < 3.1e-308)
    assert np.all(out.max(axis=1) == 1.0)            # the row maximum maps to exp(0) = 1 exactly


def test_exp_on_a_fine_grid_is_within_two_ulp():
    x = -np.linspace(0.0, 707.9, 300_001)
    out = x[None, :].copy()
    M._softmax_numerators(out, 1.0)                   # the row maximum is x[0] = 0: out = exp(x)
    ref = np.exp(x)
    assert np.max(np.abs(out[0] - ref) / np.spacing(ref)) <= 2.0


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(0, 2**31), st.floats(1e-3, 1e3))
def test_property_row_maximum_is_found_in_every_lane(P, seed, beta):
    # the maximum runs in eight lanes plus a remainder: put it at every position in turn
    g = np.random.default_rng(seed)
    for pos in range(P):
        row = g.standard_normal(P)
        row[pos] = np.max(row) + 1.0
        out = row[None, :].copy()
        M._softmax_numerators(out, beta)
        assert out[0, pos] == 1.0 and np.all(out[0] <= 1.0) and np.all(out[0] >= 0.0)


def test_divide_and_row_change_against_numpy():
    g = np.random.default_rng(1)
    U = g.standard_normal((7, 6))
    U[:, -1] = g.random(7) + 0.5
    out = np.empty((7, 5))
    M._divide_by_last_column(U, out)
    np.testing.assert_array_equal(out, U[:, :5] / U[:, 5:])       # one IEEE division each: exact same
    a, b = g.standard_normal((9, 4)), g.standard_normal((9, 4))
    np.testing.assert_array_equal(M._row_change(a, b), np.max(np.abs(a - b), axis=1))


@pytest.mark.parametrize("P,N,B,beta", [(1, 1, 1, 1.0), (5, 3, 7, 0.1), (64, 16, 100, 8.0), (300, 20, 33, 1e3),
                                        (40, 10, 5, 1e-8), (9, 4, 3, 1e12)])
def test_update_equals_numpy_reference(P, N, B, beta):
    X, Q = M.modern_case(P, N, B, seed=P + B)
    a, b = M.update(X, Q, beta), M._update_reference(X, Q, beta)
    assert np.max(np.abs(a - b)) <= _round_off_bound(X, P, N)
    a1 = modern.update(X, Q[0], beta)                 # the public function, one query
    assert a1.shape == (N,) and np.max(np.abs(a1 - b[0])) <= _round_off_bound(X, P, N)
    np.testing.assert_array_equal(modern.update(X, Q, beta), a)


def test_update_in_blocks(monkeypatch):
    X, Q = M.modern_case(50, 8, 37, seed=1)
    full = M.update(X, Q, 4.0)
    monkeypatch.setattr(M, "MAX_BLOCK_BYTES", 8 * 50 * 5)   # blocks of 5 rows
    assert M._block_rows(50, 37) == 5
    # same operations on the same rows: GEMM results may depend on the row count, so allow round-off
    np.testing.assert_allclose(M.update(X, Q, 4.0), full, rtol=0, atol=_round_off_bound(X, 50, 8))


def test_update_extreme_scores_stay_finite():
    X = np.array([[1e140, 0.0], [0.0, 1e140]])
    Q = np.array([[1e140, -1e140], [1.0, 2.0]])
    a = modern.update(X, Q, 1.0)
    assert np.all(np.isfinite(a))
    np.testing.assert_allclose(a, M._update_reference(X, Q, 1.0), rtol=1e-12)
    # beta so large that beta * score overflows: the kernel applies beta to score differences only
    b = modern.update(X, Q, 1e300)
    assert np.all(np.isfinite(b)) and np.array_equal(b[0], X[0])


def test_batched_retrieve_equals_per_query_kernel():
    X, Q = M.modern_case(64, 16, 80, seed=3)
    for beta in (0.5, 8.0, 50.0):
        x1, i1 = M.retrieve(X, Q, beta, 1e-10, 500)
        x2, i2 = modern._retrieve_kernel(X, Q, beta, 1e-10, 500)
        x3, i3 = modern._retrieve_reference(X, Q, beta, 1e-10, 500)
        # the stopping step changes at most one iterate of size <= tol beyond round-off
        assert np.max(np.abs(x1 - x2)) <= 1e-9 and np.max(np.abs(x1 - x3)) <= 1e-9
        assert np.max(np.abs(i1 - i2)) <= 1 and np.max(np.abs(i1 - i3)) <= 1
        assert len(set(i1.tolist())) > 1 or beta == 0.5   # rows really stop at different times
    x, it = M.retrieve(X, Q, 8.0, 0.0, 3)
    assert np.all(it == 3)


def test_retrieve_keeps_rows_in_place_when_they_stop_at_different_times():
    X, Q = M.modern_case(32, 8, 12, seed=5)
    Q[::3] = X[:4]                 # stored patterns: (nearly) fixed points, stop after few updates
    x, it = M.retrieve(X, Q, 30.0, 1e-12, 400)
    for b in range(12):            # each row alone gives the same row
        xb, ib = M.retrieve(X, Q[b:b + 1], 30.0, 1e-12, 400)
        assert ib[0] == it[b]
        np.testing.assert_allclose(xb[0], x[b], rtol=0, atol=_round_off_bound(X, 32, 8))


def test_modern_retrieve_uses_both_paths_with_the_same_result(monkeypatch):
    X, Q = M.modern_case(64, 16, 40, seed=7)
    assert Q.size * 64 >= modern.BATCHED_MIN_WORK
    x1, i1 = modern.retrieve(X, Q, 8.0, tol=1e-10, max_iter=300)
    monkeypatch.setattr(modern, "BATCHED_MIN_WORK", 2**62)
    x2, i2 = modern.retrieve(X, Q, 8.0, tol=1e-10, max_iter=300)
    assert np.max(np.abs(x1 - x2)) <= 1e-9 and np.max(np.abs(i1 - i2)) <= 1
    x, it = modern.retrieve(X, Q[0], 8.0)
    assert x.shape == (16,) and isinstance(it, int)


def test_bad_inputs_name_the_argument():
    X, Q = M.modern_case(4, 3, 2)
    for fn, qname in ((modern.update, "xi"), (modern.retrieve, "xi0")):
        with pytest.raises(ValueError, match="X"):
            fn(np.ones((2, 2, 2)), Q, 1.0)
        with pytest.raises(ValueError, match=qname):
            fn(X, np.ones((2, 4)), 1.0)
        with pytest.raises(ValueError, match=f"{qname} must be finite"):
            fn(X, Q * np.nan, 1.0)
        with pytest.raises(ValueError, match="X must be finite"):
            fn(X * np.inf, Q, 1.0)
        with pytest.raises(ValueError, match=f"{qname} is too large"):
            fn(X, Q * 1e200, 1.0)
        with pytest.raises(ValueError, match="beta"):
            fn(X, Q, 0.0)
        with pytest.raises(ValueError, match="beta"):
            fn(X, Q, math.inf)
        with pytest.raises(TypeError, match="X"):
            fn("X", Q, 1.0)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 30), st.integers(1, 8), st.integers(1, 20), st.floats(1e-3, 100.0), st.integers(0, 2**31))
def test_property_rows_are_convex_combinations(P, N, B, beta, seed):
    X, Q = M.modern_case(P, N, B, seed=seed)
    a = M.update(X, Q, beta)
    tol = 1e-12 * max(1.0, np.max(np.abs(X)))
    assert np.all(a <= X.max(axis=0) + tol) and np.all(a >= X.min(axis=0) - tol)
    assert np.max(np.abs(a - M._update_reference(X, Q, beta))) <= _round_off_bound(X, P, N)


def test_benchmarks_agree(monkeypatch):
    import attractors.bench as bench
    monkeypatch.setattr(bench, "best_time", lambda fn, **kw: (fn(), 1.0)[1])  # agreement only, no timing
    res = M.benchmarks(quick=True)
    assert len(res) == 2 and all(r.agree for r in res)
