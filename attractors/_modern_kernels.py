r"""Batched modern-Hopfield update and retrieval at the speed of two matrix products.

Chapter 8 derives the update :math:`\xi \leftarrow X^\top\operatorname{softmax}(\beta X\xi)`
([CHN] eq. 3.5); the appendix *Performance of the kernels* holds these
functions against the GEMM rate of the machine.  For a batch of queries
:math:`Q` (rows, shape ``(B, N)``) and patterns :math:`X` (``(P, N)``) the
update costs :math:`4BNP` flops in two products.  Everything else is arranged
so that it adds no pass over the :math:`B\times P` score matrix beyond the two
that a stable softmax needs (the row maxima, then one in-place ``exp``):

1. :math:`S = (\beta Q)X^\top` -- :math:`\beta` is folded into the
   :math:`B\times N` queries, not applied to the :math:`B\times P` scores;
2. :math:`S_{b\mu} \leftarrow \exp(S_{b\mu} - \max_\nu S_{b\nu})` in place, in one numba
   kernel whose ``exp`` is a branch-free polynomial that LLVM vectorises (NumPy's float64
   ``exp`` is scalar on AVX2 machines); arguments below ``EXP_FLOOR`` = -708 give 0 instead of
   a number below :math:`3\cdot10^{-308}`, which changes the normaliser :math:`z_b \ge 1` by
   less than :math:`10^{-300}` relative;
3. :math:`[\,U \mid z\,] = S\,[\,X \mid \mathbf 1\,]`: the normalisers
   :math:`z_b = \sum_\mu S_{b\mu}` come out of the second product as one extra
   column (:math:`N+1` instead of :math:`N` columns), so the softmax is never
   normalised as a :math:`B\times P` array;
4. :math:`\xi^{\rm new}_b = U_b / z_b`, a :math:`B\times N` pass.

The result equals ``modern.update`` to round-off (the sums are associated
differently).  Large batches are cut into blocks of rows so that the score
block stays at most ``MAX_BLOCK_BYTES``.  :func:`retrieve_batched` iterates
the update for the batch, dropping each query from the active set once its
largest component change is ``<= tol`` (the stopping rule of
``modern.retrieve``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numba.core import types
from numba.extending import intrinsic

from attractors._validate import as_array, as_int, as_patterns, as_positive

__all__ = ["EXP_FLOOR", "MAX_BLOCK_BYTES", "MAX_ITER", "update_batched", "retrieve_batched", "benchmarks"]

#: Largest score block (B_block x P float64) held at once: 8 MiB (it stays in the last-level cache).
MAX_BLOCK_BYTES = 8 * 2**20
#: Largest ``max_iter`` (as ``modern.MAX_ITER``).
MAX_ITER = 10**7
#: Largest squared norm of a pattern or query (as ``modern.MAX_SQ_NORM``): beyond it overlaps overflow.
MAX_SQ_NORM = 1e300


# ----------------------------------------------------------------------------- fused softmax numerator

@intrinsic
def _bits_to_float(typingctx, x):
    """Reinterpret the 64 bits of an int64 as a float64 (used to build 2**k exactly)."""
    sig = types.float64(types.int64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(types.float64))

    return sig, codegen


_LN2_HI = 6.93147180369123816490e-01   # fdlibm's split of ln 2: k * _LN2_HI is exact for |k| < 2**11
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e+00
_ROUND = 6755399441055744.0            # 1.5 * 2**52: (v + _ROUND) - _ROUND rounds v to the nearest integer
_C3, _C4, _C5, _C6, _C7, _C8, _C9, _C10, _C11, _C12, _C13 = (1.0 / math.factorial(j) for j in range(3, 14))
#: Arguments below this are flushed to 0 (exp(-708) ~ 3e-308, the smallest normal float64 scale).
EXP_FLOOR = -708.0


@njit(cache=True)
def _exp_shift_rows(S):
    """S[r, k] <- exp(S[r, k] - max_k S[r, k]) in place, one read pass for the max and one for exp.

    exp(x), x <= 0: x = k ln2 + y with |y| <= ln2 / 2 (Cody-Waite reduction), exp(y) by its
    Taylor polynomial of degree 13 (truncation < 2e-17 relative; Estrin's scheme), times 2**k built
    from its bits; a branch-free loop that LLVM vectorises.  Relative error about 2 ulp; x < EXP_FLOOR
    gives 0.
    """
    R, P = S.shape
    for r in range(R):
        m = S[r, 0]
        for k in range(1, P):
            v = S[r, k]
            m = v if v > m else m
        for k in range(P):
            x0 = S[r, k] - m
            x = x0 if x0 > EXP_FLOOR else EXP_FLOOR
            kk = (x * _INV_LN2 + _ROUND) - _ROUND
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
            e = p * _bits_to_float((np.int64(kk) + 1023) << 52)
            S[r, k] = e if x0 > EXP_FLOOR else 0.0


def _scaled(arr: np.ndarray, name: str) -> None:
    with np.errstate(over="ignore"):     # sq >= x_i**2 for every entry: no separate max|x| pass needed
        sq = float(np.max(np.einsum("...i,...i->...", arr, arr))) if arr.size else 0.0
    if not math.isfinite(sq) or sq > MAX_SQ_NORM:
        raise ValueError(f"{name} is too large: squared norms overflow the overlaps in float64; rescale {name}")


def _inputs(X, xi, beta, name_xi):
    X = as_patterns(X, "X")
    _scaled(X, "X")
    xi = as_array(xi, name_xi, ndim=(1, 2))
    if xi.shape[-1] != X.shape[1]:
        raise ValueError(f"{name_xi} must have {X.shape[1]} components (the number of columns of X); "
                         f"got shape {xi.shape}")
    _scaled(xi, name_xi)
    beta = as_positive(beta, "beta")
    return X, xi, beta


def _augmented(X: np.ndarray) -> np.ndarray:
    P, N = X.shape
    X1 = np.empty((P, N + 1))
    X1[:, :N] = X
    X1[:, N] = 1.0
    return X1


def _block_rows(P: int, B: int) -> int:
    return max(1, min(B, MAX_BLOCK_BYTES // (8 * P)))


def _update_into(X, X1, Q, beta, out, S, Qb, U):
    """out[b] = X^T softmax(beta X Q[b]) for every row b of Q, blockwise; S, Qb, U are work buffers."""
    B, N = Q.shape
    R = S.shape[0]
    for r0 in range(0, B, R):
        r1 = min(B, r0 + R)
        r = r1 - r0
        s, qb, u = S[:r], Qb[:r], U[:r]
        np.multiply(Q[r0:r1], beta, out=qb)
        np.matmul(qb, X.T, out=s)
        _exp_shift_rows(s)
        np.matmul(s, X1, out=u)
        np.divide(u[:, :N], u[:, N:], out=out[r0:r1])
    return out


def _buffers(P, N, B):
    R = _block_rows(P, B)
    return np.empty((R, P)), np.empty((R, N)), np.empty((R, N + 1))


def update_batched(X, xi, beta):
    r"""One synchronous update :math:`\xi \leftarrow X^\top\operatorname{softmax}(\beta X\xi)` of a batch.

    Same result as ``modern.update`` to round-off, at close to the cost of its two matrix products.

    Parameters
    ----------
    X : array_like, shape (P, N)
        Patterns as rows.
    xi : array_like, shape (N,) or (B, N)
        State or batch of states as rows.
    beta : float
        Inverse temperature, finite and > 0.

    Returns
    -------
    ndarray, same shape as ``xi``

    Raises
    ------
    TypeError, ValueError
        If ``X``, ``xi`` or ``beta`` has the wrong type, shape or range, is not
        finite, or is so large that the overlaps overflow (the message names it).
    """
    X, xi, beta = _inputs(X, xi, beta, "xi")
    Q = np.atleast_2d(xi)
    P, N = X.shape
    out = np.empty_like(Q)
    _update_into(X, _augmented(X), Q, beta, out, *_buffers(P, N, Q.shape[0]))
    return out[0] if xi.ndim == 1 else out


def retrieve_batched(X, xi0, beta, *, tol: float = 1e-10, max_iter: int = 1000):
    r"""Iterate the update to a fixed point for a batch, two matrix products per iteration.

    Each query stops after the first update whose largest component change is
    ``<= tol``, or after ``max_iter`` updates (the rule of ``modern.retrieve``);
    stopped queries leave the batch.

    Parameters
    ----------
    X : array_like, shape (P, N)
    xi0 : array_like, shape (N,) or (B, N)
        Initial state(s).
    beta : float
        Inverse temperature, finite and > 0.
    tol : float, default 1e-10
        Stopping tolerance, >= 0.
    max_iter : int, default 1000
        Largest number of updates, ``1 <= max_iter <= 10**7``.

    Returns
    -------
    xi : ndarray, same shape as ``xi0``
    iterations : int or ndarray of int64, shape (B,)

    Raises
    ------
    TypeError, ValueError
        For malformed ``X``, ``xi0``, ``beta``, ``tol`` or ``max_iter`` (the message names it).
    """
    X, xi0, beta = _inputs(X, xi0, beta, "xi0")
    tol = as_positive(tol, "tol", allow_zero=True)
    max_iter = as_int(max_iter, "max_iter", minimum=1)
    if max_iter > MAX_ITER:
        raise ValueError(f"max_iter must be <= {MAX_ITER:.0e}; got {max_iter}")
    cur = np.array(np.atleast_2d(xi0), dtype=np.float64, copy=True)
    B = cur.shape[0]
    P, N = X.shape
    X1 = _augmented(X)
    bufs = _buffers(P, N, B)
    iters = np.zeros(B, dtype=np.int64)
    active = np.arange(B)
    new = np.empty_like(cur)
    t = 0
    while active.size and t < max_iter:
        t += 1
        q = cur[active] if active.size < B else cur
        nw = new[: active.size]
        _update_into(X, X1, q, beta, nw, *bufs)
        diff = np.max(np.abs(nw - q), axis=1)
        cur[active] = nw
        iters[active] = t
        active = active[diff > tol]
    if xi0.ndim == 1:
        return cur[0], int(iters[0])
    return cur, iters


# ----------------------------------------------------------------------------- benchmarks

def modern_case(P: int = 1024, N: int = 256, B: int = 1024, seed: int = 0):
    """Patterns and noisy queries of the issue-12 benchmark shape (``X`` of norm ~1 rows, ``Q`` near patterns)."""
    g = np.random.default_rng(seed)
    X = g.standard_normal((P, N)) / math.sqrt(N)
    Q = X[g.integers(0, P, B)] + 0.3 * g.standard_normal((B, N)) / math.sqrt(N)
    return X, Q


def _two_gemm_time(B, N, P):
    """Seconds of the two products of an update alone, (B, N) @ (N, P) and (B, P) @ (P, N), measured now."""
    from attractors import bench

    return 2.0 * B * N * P / bench.gemm_rate(B, N, P, repeat=3) + 2.0 * B * N * P / bench.gemm_rate(B, P, N, repeat=3)


def benchmarks(quick: bool = True, lim: dict | None = None):
    """The batched update and retrieval against ``modern``'s, and against the time of their GEMMs alone.

    Update at P = 1024, N = 256, B = 1024 (issue 12); retrieval (3 iterations)
    at B = 256 against the per-query numba kernel of ``modern.retrieve``.  The
    fraction is the time of the two matrix products alone, at the same shapes,
    measured in the same run (``gemm_rate``), over the kernel's time.

    Parameters
    ----------
    quick : bool, default True
        Fewer repetitions.
    lim : dict, optional
        Accepted for the common interface of :func:`attractors.bench.run_all`; the GEMM times are
        measured here, right after the kernel, because the load of a shared machine changes within a run.

    Returns
    -------
    list of attractors.bench.Result

    Raises
    ------
    TypeError
        If ``quick`` is not a bool or ``lim`` not a dict.
    """
    from attractors import bench, modern

    if not isinstance(quick, (bool, np.bool_)):
        raise TypeError(f"quick must be a bool; got {type(quick).__name__}")
    if lim is not None and not isinstance(lim, dict):
        raise TypeError(f"lim must be a dict of limits; got {type(lim).__name__}")
    P, N, B = 1024, 256, 1024
    beta = 8.0
    X, Q = modern_case(P, N, B)
    kw = dict(repeat=5 if quick else 9, min_time=0.05 if quick else 0.2)   # best of several: shared machines
    t_gemm = _two_gemm_time(B, N, P)          # measured next to the kernel: the load may change
    r = bench.compare("_modern_kernels", "update (fused, batched)", f"P={P} N={N} B={B}",
                      lambda: update_batched(X, Q, beta), lambda: modern.update(X, Q, beta), **kw)
    r1 = bench.Result(r.module, r.name, r.size, r.t_kernel, r.t_reference,
                      f"modern.update reaches {t_gemm / r.t_reference:.2f} of the same limit", r.agree,
                      f"its 2 GEMMs alone {t_gemm * 1e3:.0f} ms", t_gemm / r.t_kernel)
    Bq, T = 256, 3
    Qs = Q[:Bq]
    t_gemm = T * _two_gemm_time(Bq, N, P)
    r = bench.compare("_modern_kernels", f"retrieve (batched, {T} iterations)", f"P={P} N={N} B={Bq}",
                      lambda: retrieve_batched(X, Qs, beta, tol=0.0, max_iter=T)[0],
                      lambda: modern.retrieve(X, Qs, beta, tol=0.0, max_iter=T)[0],
                      repeat=1 if quick else 3, min_time=0.0)
    r2 = bench.Result(r.module, r.name, r.size, r.t_kernel, r.t_reference, "vs the per-query numba kernel",
                      r.agree, f"its GEMMs alone {t_gemm * 1e3:.0f} ms", t_gemm / r.t_kernel)
    return [r1, r2]
