r"""Fused kernels of the modern-Hopfield update: two matrix products and a softmax done in place.

Chapter 8 derives the update :math:`\xi \leftarrow X^\top\operatorname{softmax}(\beta X\xi)`
([CHN] eq. 3.5); ``modern.update`` and ``modern.retrieve`` call these kernels, and the
appendix *Performance of the kernels* holds them against the GEMM rate of the machine.
For a batch of queries :math:`Q` (rows, shape ``(B, N)``) and patterns :math:`X`
(``(P, N)``) the update costs :math:`4BNP` flops in two products.  Everything else is
arranged so that it adds no pass over the :math:`B\times P` score matrix beyond the two
that a stable softmax needs (the row maxima, then one in-place ``exp``) and no temporary:

1. :math:`S = QX^\top` (one GEMM);
2. :math:`S_{b\mu} \leftarrow \exp(\beta(S_{b\mu} - \max_\nu S_{b\nu}))` in place, in one
   numba kernel whose ``exp`` is a branch-free polynomial that LLVM vectorises (NumPy's
   float64 ``exp`` is scalar on AVX2 machines); :math:`\beta` is applied here, inside the
   pass, so it costs no pass of its own and :math:`\beta Q` never overflows; arguments below
   ``EXP_FLOOR`` = -708 give 0 instead of a number below :math:`3\cdot10^{-308}`, which
   changes the normaliser :math:`z_b \ge 1` by less than :math:`10^{-300}` relative;
3. :math:`[\,U \mid z\,] = S\,[\,X \mid \mathbf 1\,]` (the second GEMM): the normalisers
   :math:`z_b = \sum_\mu S_{b\mu}` come out of it as one extra column, so the softmax is
   never normalised as a :math:`B\times P` array;
4. :math:`\xi^{\rm new}_b = U_b / z_b`, a :math:`B\times N` pass.

The result equals the plain NumPy expression ``softmax(beta * xi @ X.T) @ X`` to round-off
(the sums are associated differently; ``tests/test_modern_kernels.py`` bounds the
difference).  Large batches are cut into blocks of rows so that the score block stays at
most ``MAX_BLOCK_BYTES``.  :func:`retrieve` iterates the update for a batch, dropping each
query from the active set once its largest component change is ``<= tol`` (the stopping
rule of ``modern.retrieve``).  The functions here take validated, C-contiguous float64
arrays; ``modern`` validates.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numba.core import types
from numba.extending import intrinsic

#: ``update`` and ``retrieve`` take arrays validated by ``modern`` and are not part of the public API.
__all__ = ["EXP_FLOOR", "MAX_BLOCK_BYTES", "benchmarks"]

#: Largest score block (rows x P float64) held at once: 8 MiB (it stays in the last-level cache).
MAX_BLOCK_BYTES = 8 * 2**20


# ----------------------------------------------------------------------------- fused softmax numerator

def _bitcast(src, dst):
    """An intrinsic that reinterprets the 64 bits of a ``src`` value as a ``dst`` value (no conversion)."""
    @intrinsic
    def cast(typingctx, x):
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], context.get_value_type(dst))

        return dst(src), codegen

    return cast


_bits_to_float = _bitcast(types.uint64, types.float64)
_float_to_bits = _bitcast(types.float64, types.uint64)


_LN2_HI = 6.93147180369123816490e-01   # fdlibm's split of ln 2: k * _LN2_HI is exact for |k| < 2**11
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e+00
_ROUND = 6755399441055744.0            # 1.5 * 2**52: v = t + _ROUND holds round(t) in its low mantissa bits
_C3, _C4, _C5, _C6, _C7, _C8, _C9, _C10, _C11, _C12, _C13 = (1.0 / math.factorial(j) for j in range(3, 14))
#: Arguments below this are flushed to 0 (exp(-708) ~ 3e-308, the smallest normal float64 scale).
EXP_FLOOR = -708.0


@njit(cache=True)
def _softmax_numerators(S, beta):
    """S[r, k] <- exp(beta (S[r, k] - max_k S[r, k])) in place: one read pass for the max, one for exp.

    The maximum runs in eight independent lanes (max is exact, so the order does not matter and the
    loop vectorises).  exp(x), x <= 0: x = k ln2 + y with |y| <= ln2 / 2 (Cody-Waite reduction),
    exp(y) by its Taylor polynomial of degree 13 (truncation < 5e-18 relative; Estrin's scheme), times
    2**k built from its bits.  With v = x / ln2 + 1.5 * 2**52 the integer k sits in the low bits of v,
    so the bits of 2**k are (bits(v) + 1023) << 52 (the shift drops everything above k's 12 bits): no
    float-to-integer conversion, which AVX2 cannot vectorise.  Relative error <= 2 ulp; x < EXP_FLOOR
    gives 0.
    """
    R, P = S.shape
    for r in range(R):
        row = S[r]
        m0 = m1 = m2 = m3 = m4 = m5 = m6 = m7 = row[0]
        k = 0
        while k + 8 <= P:
            v = row[k]
            m0 = v if v > m0 else m0
            v = row[k + 1]
            m1 = v if v > m1 else m1
            v = row[k + 2]
            m2 = v if v > m2 else m2
            v = row[k + 3]
            m3 = v if v > m3 else m3
            v = row[k + 4]
            m4 = v if v > m4 else m4
            v = row[k + 5]
            m5 = v if v > m5 else m5
            v = row[k + 6]
            m6 = v if v > m6 else m6
            v = row[k + 7]
            m7 = v if v > m7 else m7
            k += 8
        while k < P:
            v = row[k]
            m0 = v if v > m0 else m0
            k += 1
        m0 = m1 if m1 > m0 else m0
        m2 = m3 if m3 > m2 else m2
        m4 = m5 if m5 > m4 else m4
        m6 = m7 if m7 > m6 else m6
        m0 = m2 if m2 > m0 else m0
        m4 = m6 if m6 > m4 else m4
        m = m4 if m4 > m0 else m0
        for k in range(P):
            x0 = beta * (row[k] - m)
            x = x0 if x0 > EXP_FLOOR else EXP_FLOOR
            v = x * _INV_LN2 + _ROUND
            kk = v - _ROUND
            y = x - kk * _LN2_HI - kk * _LN2_LO
            # Taylor polynomial of degree 13 by Estrin's scheme (short dependency chains: vectorises well)
            y2 = y * y
            y4 = y2 * y2
            y8 = y4 * y4
            b0 = (1.0 + y) + (0.5 + _C3 * y) * y2
            b1 = (_C4 + _C5 * y) + (_C6 + _C7 * y) * y2
            b2 = (_C8 + _C9 * y) + (_C10 + _C11 * y) * y2
            b3 = _C12 + _C13 * y
            p = (b0 + b1 * y4) + (b2 + b3 * y4) * y8
            e = p * _bits_to_float((_float_to_bits(v) + np.uint64(1023)) << np.uint64(52))
            row[k] = e if x0 > EXP_FLOOR else 0.0


@njit(cache=True)
def _divide_by_last_column(U, out):
    """out[r, n] = U[r, n] / U[r, N] for n < N (U has N + 1 columns)."""
    R, N = out.shape
    for r in range(R):
        z = U[r, N]
        for n in range(N):
            out[r, n] = U[r, n] / z


@njit(cache=True)
def _row_change(new, old):
    """Largest |new[r, n] - old[r, n]| over n, for every row r."""
    R, N = new.shape
    out = np.empty(R)
    for r in range(R):
        d = 0.0
        for n in range(N):
            a = abs(new[r, n] - old[r, n])
            d = a if a > d else d
        out[r] = d
    return out


# ----------------------------------------------------------------------------- update and retrieval

# one query at a time, plain loops: the kernel of modern.retrieve for small batches, and the reference of
# the batched retrieve below
@njit(cache=True)
def _retrieve_kernel(X, Xi, beta, tol, max_iter):
    P, N = X.shape
    B = Xi.shape[0]
    out = Xi.copy()
    iters = np.zeros(B, dtype=np.int64)
    s = np.empty(P)
    new = np.empty(N)
    for b in range(B):
        cur = out[b]
        t = 0
        while t < max_iter:
            smax = -np.inf
            for k in range(P):
                acc = 0.0
                for n in range(N):
                    acc += X[k, n] * cur[n]
                s[k] = acc
                if acc > smax:
                    smax = acc
            z = 0.0
            for k in range(P):
                s[k] = math.exp(beta * (s[k] - smax))
                z += s[k]
            for n in range(N):
                new[n] = 0.0
            for k in range(P):
                w = s[k] / z
                if w != 0.0:
                    for n in range(N):
                        new[n] += w * X[k, n]
            diff = 0.0
            for n in range(N):
                d = abs(new[n] - cur[n])
                if d > diff:
                    diff = d
                cur[n] = new[n]
            t += 1
            if diff <= tol:
                break
        iters[b] = t
    return out, iters


def _augmented(X: np.ndarray) -> np.ndarray:
    """``[X | 1]``, shape (P, N + 1): the second product then also sums each row of the scores."""
    P, N = X.shape
    X1 = np.empty((P, N + 1))
    X1[:, :N] = X
    X1[:, N] = 1.0
    return X1


def _block_rows(P: int, B: int) -> int:
    return max(1, min(B, MAX_BLOCK_BYTES // (8 * P)))


def _update_into(X, X1, Q, beta, out, S, U):
    """out[b] = X^T softmax(beta X Q[b]) for every row b of Q, blockwise; S and U are work buffers."""
    B, N = Q.shape
    R = S.shape[0]
    for r0 in range(0, B, R):
        r1 = min(B, r0 + R)
        s, u = S[: r1 - r0], U[: r1 - r0]
        np.matmul(Q[r0:r1], X.T, out=s)
        _softmax_numerators(s, beta)
        np.matmul(s, X1, out=u)
        _divide_by_last_column(u, out[r0:r1])
    return out


def _work(P: int, N: int, B: int):
    R = _block_rows(P, B)
    return np.empty((R, P)), np.empty((R, N + 1))


def update(X: np.ndarray, Q: np.ndarray, beta: float) -> np.ndarray:
    r"""One update :math:`\xi_b \leftarrow X^\top\operatorname{softmax}(\beta X\xi_b)` of every row of ``Q``.

    Parameters
    ----------
    X : ndarray, shape (P, N)
        Patterns as rows, C-contiguous float64, finite, validated by the caller.
    Q : ndarray, shape (B, N)
        Queries as rows, C-contiguous float64, finite.
    beta : float
        Inverse temperature, finite and > 0.

    Returns
    -------
    ndarray, shape (B, N)
    """
    P, N = X.shape
    out = np.empty((Q.shape[0], N))
    return _update_into(X, _augmented(X), Q, beta, out, *_work(P, N, Q.shape[0]))


def retrieve(X: np.ndarray, Q0: np.ndarray, beta: float, tol: float, max_iter: int):
    r"""Iterate :func:`update` for a batch; each row stops after its first update that changes it by ``<= tol``.

    The active rows are kept together at the top of two work buffers that swap roles each iteration, so an
    iteration is two matrix products on the active rows and nothing is copied until a row stops.

    Parameters
    ----------
    X : ndarray, shape (P, N)
        Patterns as rows, validated by the caller.
    Q0 : ndarray, shape (B, N)
        Initial states as rows.
    beta : float
        Inverse temperature, > 0.
    tol : float
        Stopping tolerance on the largest component change, >= 0.
    max_iter : int
        Largest number of updates of a row, >= 1.

    Returns
    -------
    xi : ndarray, shape (B, N)
        Last iterates.
    iterations : ndarray of int64, shape (B,)
        Updates performed on each row.
    """
    B, N = Q0.shape
    P = X.shape[0]
    X1 = _augmented(X)
    S, U = _work(P, N, B)
    out = np.empty((B, N))
    iters = np.zeros(B, dtype=np.int64)
    cur, nxt = Q0.copy(), np.empty((B, N))
    idx = np.arange(B)
    n, t = B, 0
    while n and t < max_iter:
        t += 1
        _update_into(X, X1, cur[:n], beta, nxt[:n], S, U)
        change = _row_change(nxt[:n], cur[:n])
        cur, nxt = nxt, cur                         # cur holds the newest iterate of the active rows
        done = change <= tol
        if done.any():
            out[idx[done]] = cur[:n][done]
            iters[idx[done]] = t
            keep = ~done
            idx = idx[keep]
            cur[: idx.size] = cur[:n][keep]
            n = idx.size
    out[idx] = cur[:n]
    iters[idx] = t
    return out, iters


def _update_reference(X, Q, beta):
    """Plain NumPy update of a batch, ``softmax(beta Q X^T) X`` row by row (the kernels' reference)."""
    from attractors.numerics import softmax

    return softmax(Q @ X.T, beta, axis=-1) @ X


# ----------------------------------------------------------------------------- benchmarks

def modern_case(P: int = 1024, N: int = 256, B: int = 1024, seed: int = 0):
    """Patterns of norm about 1 as rows, and noisy queries near them (the issue-12 benchmark shape)."""
    g = np.random.default_rng(seed)
    X = g.standard_normal((P, N)) / math.sqrt(N)
    Q = X[g.integers(0, P, B)] + 0.3 * g.standard_normal((B, N)) / math.sqrt(N)
    return X, Q


def _two_gemms(B: int, N: int, P: int):
    """The two products of an update alone, (B, N) @ (N, P) and (B, P) @ (P, N), on arrays made once."""
    g = np.random.default_rng(1)
    A1, B1, C1 = g.standard_normal((B, N)), g.standard_normal((N, P)), np.empty((B, P))
    A2, B2, C2 = g.standard_normal((B, P)), g.standard_normal((P, N)), np.empty((B, N))

    def run():
        np.matmul(A1, B1, out=C1)
        np.matmul(A2, B2, out=C2)

    return run


def benchmarks(quick: bool = True, lim: dict | None = None):
    """The fused update and batched retrieval against their references and against the time of their GEMMs.

    Update at P = 1024, N = 256, B = 1024 against the plain NumPy update; retrieval
    (3 iterations) at B = 256 against the per-query numba kernel that ``modern.retrieve`` keeps for
    small problems.  The fraction is the time of the two matrix products alone, at the same shapes,
    measured in the same run right before the kernel, over the kernel's time.  Everything runs with
    one BLAS thread (the numba kernels use one core), so kernel and limit are measured alike.

    Parameters
    ----------
    quick : bool, default True
        Fewer repetitions.
    lim : dict, optional
        Accepted for the common interface of :func:`attractors.bench.run_all`; the GEMM times are
        measured here, next to the kernel, because the load of a shared machine changes within a run.

    Returns
    -------
    list of attractors.bench.Result

    Raises
    ------
    TypeError
        If ``quick`` is not a bool or ``lim`` not a dict.
    """
    from threadpoolctl import threadpool_limits

    from attractors import bench

    if not isinstance(quick, (bool, np.bool_)):
        raise TypeError(f"quick must be a bool; got {type(quick).__name__}")
    if lim is not None and not isinstance(lim, dict):
        raise TypeError(f"lim must be a dict of limits; got {type(lim).__name__}")
    P, N, B = 1024, 256, 1024
    beta = 8.0
    X, Q = modern_case(P, N, B)
    kw = dict(repeat=7 if quick else 15, min_time=0.05 if quick else 0.2)   # best of several: shared machines
    Bq, T = 256, 3
    Qs = Q[:Bq].copy()
    with threadpool_limits(limits=1, user_api="blas"):
        agree = bench.outputs_agree(update(X, Q, beta), _update_reference(X, Q, beta))
        # kernel, reference and limit timed in interleaved rounds: the load of a shared machine reaches all three
        t_k, t_ref, t_gemm = bench.best_times([lambda: update(X, Q, beta), lambda: _update_reference(X, Q, beta),
                                               _two_gemms(B, N, P)], **kw)
        r1 = bench.Result("_modern_kernels", "update (fused, batched)", f"P={P} N={N} B={B}", t_k, t_ref,
                          f"the NumPy update reaches {t_gemm / t_ref:.2f} of the same limit", agree,
                          f"its 2 GEMMs alone {t_gemm * 1e3:.0f} ms", t_gemm / t_k)
        agree = bench.outputs_agree(retrieve(X, Qs, beta, 0.0, T)[0], _retrieve_kernel(X, Qs, beta, 0.0, T)[0])
        gemms = _two_gemms(Bq, N, P)
        t_k, t_gemm = bench.best_times([lambda: retrieve(X, Qs, beta, 0.0, T), gemms], **kw)
        t_ref = bench.best_time(lambda: _retrieve_kernel(X, Qs, beta, 0.0, T), repeat=2 if quick else 3,
                                min_time=0.0)
    r2 = bench.Result("_modern_kernels", f"retrieve (batched, {T} iterations)", f"P={P} N={N} B={Bq}", t_k, t_ref,
                      "vs the per-query numba kernel", agree, f"its GEMMs alone {T * t_gemm * 1e3:.0f} ms",
                      T * t_gemm / t_k)
    return [r1, r2]
