r"""Fast sequential Glauber kernels with the random stream of :func:`attractors.hopfield.run`.

Chapter 4 derives random-site Glauber dynamics and the appendix *Performance of
the kernels* measures these kernels against the machine's limits.  One update
picks a site :math:`i = \lfloor u_1 N\rfloor` and, at finite :math:`\beta`, sets
:math:`s_i = +1` iff :math:`u_2 < p_\uparrow(2\beta\phi_i)` with
:math:`p_\uparrow(x) = 1/(1+e^{-x})`; at :math:`\beta = \infty` it sets
:math:`s_i = \operatorname{sgn}\phi_i`, a tie keeping the spin.  The draws
:math:`u_1, u_2` are consumed in exactly the order of ``hopfield.run``'s
sequential kernel (two per update at finite :math:`\beta`, one at
:math:`\beta=\infty`), so a sweep consumes a *fixed* number of draws.  That
lets the draws be made in blocks by NumPy's vectorised ``Generator.random``
(the same ``next_double`` stream, several times faster than one call per draw
inside numba) and handed to the kernel: same seed, same trajectory, and the
caller's generator ends in the same state.  At finite :math:`\beta`, with
NumPy's default bit generator PCG64, the kernels make the draws themselves
(:mod:`attractors._pcg`): the draws :math:`u_1` of the updates come from the
odd states of the 128-bit recursion, the :math:`u_2` from the even ones, two
chains that each step by two draws and run side by side; the generator is then
advanced past the draws.  The numbers are NumPy's, in NumPy's order (tested),
without a buffer between generator and kernel.

Two kernels:

``float64``
    general couplings; the fields :math:`\phi` are kept up to date, a flip of
    spin :math:`k` adding :math:`2 s_k J_{:,k}` (a row of :math:`J^\top`),
    with the same floating-point operations, in the same order, as
    ``hopfield``'s kernel: bit-for-bit the same trajectory.  ``exp`` is
    mostly avoided: :math:`p_\uparrow` is increasing, so for
    :math:`x = 2\beta\phi_i \ge k` (integer :math:`k \le 40`)
    :math:`p_\uparrow(x) \ge p_\uparrow(k)`, and a draw
    :math:`u_2 < p_\uparrow(k)(1-10^{-12})` accepts :math:`+1` without
    computing :math:`p_\uparrow(x)`; symmetrically for :math:`x \le -k`.  The
    margin :math:`10^{-12}` exceeds the few-ulp error of the computed
    :math:`p_\uparrow`, so the decision is the exact comparison's; only draws
    inside the bracket (rare in the retrieval regime) compute ``exp``.
``compact``
    Hebbian couplings of :math:`\pm1` patterns are :math:`J = K/N` with
    integers :math:`|K_{ij}| \le P`.  :math:`K` is stored as int8
    (:math:`P\le127`) or int16 (:math:`P \le 32767`), so a flip streams 8 or 4
    times fewer bytes, and the fields are the exact integers
    :math:`k_i = N\phi_i`.  Since :math:`k_i` takes at most :math:`2\max_i\sum_j|K_{ij}|+1`
    values, the acceptance probabilities :math:`p_\uparrow(2\beta k/N)` are
    tabulated as each value is first met (no ``exp`` per update after that).  The float64 kernel's field differs
    from :math:`k_i/N` only by accumulated round-off :math:`\delta`, so the two
    kernels take the same decision unless a uniform draw falls within
    :math:`\beta|\delta|/2` of the threshold: for the sizes of the book that has
    probability below :math:`10^{-9}` per run, and the tests compare the two
    trajectory for trajectory.  At :math:`\beta = \infty` the float kernel
    keeps the spin when :math:`|\phi_i| \le` ``TIE_RTOL`` :math:`\sum_j|J_{ij}|
    = 10^{-9} r_i/N` with :math:`r_i = \sum_j|K_{ij}|`; a non-zero integer field
    has :math:`|\phi_i| \ge 1/N`, so the integer tie :math:`k_i = 0` is the same
    tie whenever :math:`10^{-9} r_i \ll 1`: :func:`compact_couplings` requires
    :math:`\max_i r_i <` ``MAX_ROWSUM_COMPACT`` :math:`= 10^7`.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit
from numba.core import types as _nbtypes
from numba.core.extending import intrinsic

from attractors._modern_kernels import _float_to_bits
from attractors._pcg import _pcg_affine, _pcg_double, pcg_after, pcg_lanes, pcg_state, pcg_store
from attractors._validate import (MAX_WORK, as_array, as_generator, as_int, as_patterns, as_positive,
                                  as_spins, check_budget)

# Couplings and scan_couplings are public through attractors.hopfield (Couplings, prepare)
__all__ = ["TIE_RTOL", "MAX_UPDATES", "STEPS_PER_UPDATE", "MAX_FIELD", "BLOCK_UPDATES", "compact_couplings", "run_sequential", "benchmarks"]

#: At beta = inf (in every kernel here and in ``hopfield``) a field with ``|phi_i| <= TIE_RTOL * (sum_j |J_ij| + |h_i|)`` counts as a tie at
#: beta = inf (the spin is kept).  Exact ties (e.g. Hebbian fields, multiples of
#: 1/N) reach the kernels polluted by round-off of order ``eps * sum_j |J_ij|`` that
#: grows slowly with the number of incremental field updates; true non-zero
#: fields this small do not occur for couplings of one scale.
TIE_RTOL = 1e-9
#: Elementary steps (``attractors._validate.MAX_WORK``) charged for one single-site update: its two
#: draws and its decision; a flip adds the N (float64) or N / 2 (integer) field updates it does.
STEPS_PER_UPDATE = 20
#: Most single-site updates of one call, flips aside (as ``hopfield.MAX_UPDATES``): about ten seconds.
MAX_UPDATES = MAX_WORK // STEPS_PER_UPDATE
#: Largest sum_j |J_ij| + |h_i| accepted: the fields and every partial sum of them stay finite.
MAX_FIELD = 1e300
#: Updates handed to the kernel per block of pre-drawn uniforms (at most 2 x 8192 doubles = 128 kB).
BLOCK_UPDATES = 8192
#: Updates per kernel call when the kernel draws PCG64 itself (a fraction of a second: Ctrl-C is seen between calls).
KERNEL_DRAW_UPDATES = 2**22
#: Largest acceptance table (entries); larger field ranges fall back to ``exp`` per update.
MAX_TABLE = 2**18
#: The compact kernel is used only when max_i sum_j |K_ij| is below this (integer ties = the float kernel's ties).
MAX_ROWSUM_COMPACT = 10**7
#: Largest number of entries of the recorded overlaps.
MAX_ENTRIES = 2**27
#: 1.5 * 2**52 and its bit pattern: c + _ROUND holds rint(c) in its low mantissa bits for |c| < 2**51.
_ROUND = 6755399441055744.0
_ROUND_BITS = np.int64(0x4338000000000000)


# ----------------------------------------------------------------------------- shared pieces

@njit(cache=True)
def _p_up(x):
    # 1 / (1 + exp(-x)) without overflow (same expression as hopfield's kernel)
    if x >= 0.0:
        return 1.0 / (1.0 + np.exp(-x))
    e = np.exp(x)
    return e / (1.0 + e)


@njit(cache=True)
def _int_fields(K, sg, out):
    # k_i = sum_j K_ij sg_j with the signs sg_j = +-1 as integers (no branch: the loop vectorises); |k_i| <
    # MAX_ROWSUM_COMPACT.  For int8 K the caller passes sg as int16: the products are exact in int16, twice as
    # many per vector operation as in int32 (int16 K: sg as int32), and they are summed in int32.
    n = K.shape[0]
    for i in range(n):
        acc = np.int32(0)
        for j in range(n):
            acc += np.int32(K[i, j] * sg[j])
        out[i] = acc

# ----------------------------------------------------------------------------- reference kernels
# One numba draw per call: the kernels behind hopfield.run(mode='parallel') and hopfield.trajectory, and the
# reference every block-draw kernel below is tested against (same trajectory, draw for draw).

@njit(cache=True)
def _new_spin(si, phi, tol, beta, rng):
    if np.isinf(beta):
        if phi > tol:
            return 1.0
        if phi < -tol:
            return -1.0
        return si
    u = rng.random()
    return 1.0 if u < _p_up(2.0 * (beta * phi)) else -1.0


@njit(cache=True)
def _overlap_row(xi, s, out):
    p, n = xi.shape
    for mu in range(p):
        acc = 0.0
        for j in range(n):
            acc += xi[mu, j] * s[j]
        out[mu] = acc / n


@njit(cache=True)
def _fields(J, s, h, out):
    n = J.shape[0]
    for i in range(n):
        acc = h[i]
        for j in range(n):
            acc += J[i, j] * s[j]
        out[i] = acc


@njit(cache=True)
def _fields_tol(J, s, h, out, tol, rtol):
    # fields and the tie tolerance rtol * (sum_j |J_ij| + |h_i|) in one pass over J
    n = J.shape[0]
    for i in range(n):
        acc = h[i]
        a = abs(h[i])
        for j in range(n):
            acc += J[i, j] * s[j]
            a += abs(J[i, j])
        out[i] = acc
        tol[i] = rtol * a


@njit(cache=True)
def _is_symmetric(J):
    n = J.shape[0]
    b = 64
    for i0 in range(0, n, b):
        for j0 in range(i0, n, b):
            for i in range(i0, min(i0 + b, n)):
                for j in range(max(j0, i + 1), min(j0 + b, n)):
                    if J[i, j] != J[j, i]:
                        return False
    return True


@njit(cache=True)
def _flip(s, phi, Jt, i, new):
    """Accept s_i <- new and update every local field: phi += 2 new J[:, i] (row i of Jt, C-ordered)."""
    s[i] = new
    c = 2.0 * new
    for j in range(phi.shape[0]):
        phi[j] += c * Jt[i, j]


@njit(cache=True)
def _seq_kernel(J, Jt, s, h, beta, sweeps, rng, xi, m):
    n = s.shape[0]
    phi = np.empty(n)
    tol = np.empty(n)
    _fields_tol(J, s, h, phi, tol, TIE_RTOL)
    track = xi.shape[0] > 0
    if track:
        _overlap_row(xi, s, m[0])
    flips = 0
    for t in range(sweeps):
        for _ in range(n):
            i = int(rng.random() * n)
            new = _new_spin(s[i], phi[i], tol[i], beta, rng)
            if new != s[i]:
                _flip(s, phi, Jt, i, new)
                flips += 1
        if track:
            _overlap_row(xi, s, m[t + 1])
    return flips


@njit(cache=True)
def _par_kernel(J, s, h, beta, sweeps, rng, xi, m):
    n = s.shape[0]
    phi = np.empty(n)
    tol = np.empty(n)
    _fields_tol(J, s, h, phi, tol, TIE_RTOL)
    track = xi.shape[0] > 0
    if track:
        _overlap_row(xi, s, m[0])
    for t in range(sweeps):
        _fields(J, s, h, phi)
        for i in range(n):
            s[i] = _new_spin(s[i], phi[i], tol[i], beta, rng)
        if track:
            _overlap_row(xi, s, m[t + 1])


@njit(cache=True)
def _trace_kernel(J, Jt, s, h, beta, steps, rng, idx):
    # single-site random-site updates; idx[t] = state index after t updates
    n = s.shape[0]
    phi = np.empty(n)
    tol = np.empty(n)
    _fields_tol(J, s, h, phi, tol, TIE_RTOL)
    k = 0
    for i in range(n):
        if s[i] > 0:
            k += 1 << i
    idx[0] = k
    for t in range(steps):
        i = int(rng.random() * n)
        new = _new_spin(s[i], phi[i], tol[i], beta, rng)
        if new != s[i]:
            _flip(s, phi, Jt, i, new)
            k ^= (1 << i)
        idx[t + 1] = k


# ----------------------------------------------------------------------------- float64 kernel

@njit(cache=True)
def _brackets():
    """lo[k] <= p_up(x) for x >= k and hi[k] >= p_up(x) for x <= -k (k = 0..40), with a 1e-12 relative margin.

    p_up is increasing and the computed value is within a few ulp of it, so u < lo[k] (x >= k)
    implies u < p_up(x), and u >= hi[k] (x <= -k) implies u >= p_up(x): the same decision as the
    exact comparison, taken without exp.
    """
    lo = np.empty(41)
    hi = np.empty(41)
    for k in range(41):
        lo[k] = _p_up(float(k)) * (1.0 - 1e-12)
        hi[k] = _p_up(-float(k)) * (1.0 + 1e-12)
    return lo, hi


@njit(cache=True)
def _float_block(Jt, s, phi, tol, beta, u, n_upd, t0, xi, m):
    """n_upd updates from the uniforms u; t0 = updates done before this block. Returns flips."""
    n = s.shape[0]
    lo, hi = _brackets()
    inf = np.isinf(beta)
    d = 1 if inf else 2
    track = xi.shape[0] > 0
    flips = 0
    for k in range(n_upd):
        i = int(u[d * k] * n)
        si = s[i]
        f = phi[i]
        if inf:
            if f > tol[i]:
                new = 1.0
            elif f < -tol[i]:
                new = -1.0
            else:
                new = si
        else:
            # exact heat-bath decision u2 < p_up(x), decided without exp when the bracket allows it
            x = 2.0 * (beta * f)
            u2 = u[d * k + 1]
            a = abs(x)
            kb = int(a) if a < 40.0 else 40
            if x >= 0.0 and u2 < lo[kb]:
                new = 1.0
            elif x < 0.0 and u2 >= hi[kb]:
                new = -1.0
            else:
                new = 1.0 if u2 < _p_up(x) else -1.0
        if new != si:
            s[i] = new
            c = 2.0 * new
            for j in range(n):
                phi[j] += c * Jt[i, j]
            flips += 1
        t = t0 + k + 1
        if track and t % n == 0:
            _overlap_row(xi, s, m[t // n])
    return flips


# ----------------------------------------------------------------------------- compact kernel

@njit(cache=True)
def _compact_block(Kt, s, kf, table, kt, n_float, beta, u, n_upd, t0, xi, m):
    """As _float_block with integer fields kf = N phi and tabulated acceptance (table[k + kt], |k| <= kt)."""
    n = s.shape[0]
    inf = np.isinf(beta)
    d = 1 if inf else 2
    track = xi.shape[0] > 0
    flips = 0
    for k in range(n_upd):
        i = int(u[d * k] * n)
        si = s[i]
        f = kf[i]
        if inf:
            if f > 0:
                new = 1.0
            elif f < 0:
                new = -1.0
            else:
                new = si
        else:
            if -kt <= f <= kt:
                p = table[f + kt]
                if p != p:  # first visit of this field: tabulate it now (NaN marks "not yet")
                    p = _p_up(2.0 * (beta * (f / n_float)))
                    table[f + kt] = p
            else:
                p = _p_up(2.0 * (beta * (f / n_float)))
            new = 1.0 if u[d * k + 1] < p else -1.0
        if new != si:
            s[i] = new
            row = Kt[i]
            if new > 0:
                for j in range(n):
                    kf[j] += 2 * row[j]
            else:
                for j in range(n):
                    kf[j] -= 2 * row[j]
            flips += 1
        t = t0 + k + 1
        if track and t % n == 0:
            _overlap_row(xi, s, m[t // n])
    return flips


@njit(cache=True)
def _compact_finite(Kt, s, kf, table, kt, n_float, beta, u, n_upd, t0, xi, m, w):
    """_compact_block at finite beta (two draws per update), the loop cut at sweep ends: no test per update
    for the overlap recording or for beta = inf, which roughly halves the cost of an update that does not flip.
    The draws come from ``u``, or, when ``w`` is not empty, from the two PCG64 chains of :func:`attractors._pcg.pcg_lanes`, whose
    states are written back to ``w`` at the end."""
    n = s.shape[0]
    track = xi.shape[0] > 0
    pcg = w.shape[0] > 0
    ha, la, hb, lb, ahi, alo, chi, clo = _lane_words(w)
    flips = 0
    k = 0
    while k < n_upd:
        t = t0 + k
        stop = min(n_upd, k + (n - t % n))          # next sweep end, or the end of the block
        for q in range(k, stop):
            u1, u2, ha, la, hb, lb = _two_draws(pcg, u, q, ha, la, hb, lb, ahi, alo, chi, clo)
            i = int(u1 * n)
            f = kf[i]
            if -kt <= f <= kt:
                p = table[f + kt]
                if p != p:  # first visit of this field: tabulate it now (NaN marks "not yet")
                    p = _p_up(2.0 * (beta * (f / n_float)))
                    table[f + kt] = p
            else:
                p = _p_up(2.0 * (beta * (f / n_float)))
            new = 1.0 if u2 < p else -1.0
            if new != s[i]:
                s[i] = new
                row = Kt[i]
                if new > 0:
                    for j in range(n):
                        kf[j] += 2 * row[j]
                else:
                    for j in range(n):
                        kf[j] -= 2 * row[j]
                flips += 1
        t = t0 + stop
        if track and t % n == 0:
            _overlap_row(xi, s, m[t // n])
        k = stop
    if pcg:  # where the chains stand, for the next call
        w[0], w[1], w[2], w[3] = ha, la, hb, lb
    return flips


@njit(cache=True)
def _float_finite(Jt, s, phi, beta, u, n_upd, t0, xi, m, w):
    """_float_block at finite beta, the loop cut at sweep ends, the draws from ``u`` or ``w`` (as _compact_finite)."""
    n = s.shape[0]
    lo, hi = _brackets()
    track = xi.shape[0] > 0
    pcg = w.shape[0] > 0
    ha, la, hb, lb, ahi, alo, chi, clo = _lane_words(w)
    flips = 0
    k = 0
    while k < n_upd:
        t = t0 + k
        stop = min(n_upd, k + (n - t % n))
        for q in range(k, stop):
            u1, u2, ha, la, hb, lb = _two_draws(pcg, u, q, ha, la, hb, lb, ahi, alo, chi, clo)
            i = int(u1 * n)
            x = 2.0 * (beta * phi[i])
            a = abs(x)
            kb = int(a) if a < 40.0 else 40
            if x >= 0.0 and u2 < lo[kb]:
                new = 1.0
            elif x < 0.0 and u2 >= hi[kb]:
                new = -1.0
            else:
                new = 1.0 if u2 < _p_up(x) else -1.0
            if new != s[i]:
                s[i] = new
                c = 2.0 * new
                for j in range(n):
                    phi[j] += c * Jt[i, j]
                flips += 1
        t = t0 + stop
        if track and t % n == 0:
            _overlap_row(xi, s, m[t // n])
        k = stop
    if pcg:  # where the chains stand, for the next call
        w[0], w[1], w[2], w[3] = ha, la, hb, lb
    return flips


@intrinsic
def _fma(typingctx, a, b, c):
    """a * b + c with one rounding (LLVM's fma: the FMA instruction, or an exact library call without one)."""
    sig = _nbtypes.float64(_nbtypes.float64, _nbtypes.float64, _nbtypes.float64)

    def codegen(context, builder, signature, args):
        d = ir.DoubleType()
        fn = builder.module.declare_intrinsic("llvm.fma", [d], ir.FunctionType(d, [d, d, d]))
        return builder.call(fn, args)

    return sig, codegen


@njit(cache=True)
def _div_exact(k, n, inv):
    """k / n correctly rounded, without a division: q0 = k * inv (inv = 1 / n rounded), the remainder
    k - q0 n exactly (one fma), q0 corrected by remainder * inv (Markstein's correction).  Checked
    against ``k / n`` for every N <= 11585 (the largest order of J) and every |k| <= 32767
    (tests/test_glauber.py)."""
    q0 = k * inv
    return _fma(_fma(-q0, n, k), inv, q0)


@njit(cache=True, inline="always")
def _two_draws(pcg, u, q, ha, la, hb, lb, ahi, alo, chi, clo):
    # the draws u_1, u_2 of update q: from the two PCG64 chains (advanced by two draws each), or from u
    if pcg:
        u1, u2 = _pcg_double(ha, la), _pcg_double(hb, lb)
        ha, la = _pcg_affine(ha, la, ahi, alo, chi, clo)
        hb, lb = _pcg_affine(hb, lb, ahi, alo, chi, clo)
        return u1, u2, ha, la, hb, lb
    return u[2 * q], u[2 * q + 1], ha, la, hb, lb


@njit(cache=True)
def _lane_words(w):
    # (h_a, l_a, h_b, l_b, A_hi, A_lo, C_hi, C_lo) of _pcg.pcg_lanes, zeros when w is empty
    if w.shape[0] == 0:
        z = np.uint64(0)
        return z, z, z, z, z, z, z, z
    return w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]


@njit(cache=True)
def _scan8(J, K8):
    """The common case in one vectorised pass over J: K8 = rint(clip(N J, -127, 127)) and the row sums of
    |K8|.  Returns (whether some entry of J is not bit for bit K8 / N, max_i sum_j |K8_ij|).  No entry is
    flagged exactly when J = K / N with integers |K_ij| <= 127 and no -0.0 (a NaN, an inf, a larger or a
    non-integer multiple of 1/N, and -0.0, are flagged; the general scan then decides).

    No division, no float-to-integer conversion and no data-dependent branch: the clipped value c is
    rounded by adding 1.5 * 2**52 (y = c + 1.5 * 2**52 holds rint(c) in its low mantissa bits, with the
    same round-half-even as ``np.rint``), the integer is read from the bits of y, K8 / N comes from
    :func:`_div_exact`, and the flags are the OR of the bit differences.  A NaN entry leaves y finite
    (numba's ``min(127.0, nan)`` is 127 and ``max(-127.0, nan)`` is -127), so K8 / N is a number, whose
    bits never equal a NaN's.  The row sums are a second loop over the int8 row, still in cache."""
    n = J.shape[0]
    nf = float(n)
    inv = 1.0 / nf
    bad = np.uint64(0)
    rmax = 0
    for i in range(n):
        for j in range(n):
            x = J[i, j]
            y = max(-127.0, min(127.0, x * nf)) + _ROUND
            bad |= _float_to_bits(_div_exact(y - _ROUND, nf, inv)) ^ _float_to_bits(x)
            K8[i, j] = np.int8(np.int64(_float_to_bits(y)) - _ROUND_BITS)
        r = np.int32(0)
        for j in range(n):
            r += abs(np.int32(K8[i, j]))
        rmax = max(rmax, r)
    return bad != np.uint64(0), rmax


@njit(cache=True)
def _scan(J, K8):
    """The general scan, after :func:`_scan8` found an entry outside int8: whether J = K / N exactly
    with |K_ij| <= 32767, row by row (each row vectorised; stops at the first row that is not).
    Returns (exact, max|K|, max_i sum_j |K_ij|); K8 holds K when max|K| <= 127.  A NaN fails the
    comparison, an inf counts as "too large"."""
    n = J.shape[0]
    nf = float(n)
    amax = 0
    rmax = 0
    for i in range(n):
        r = np.int32(0)
        am = np.int32(0)
        bad = 0
        for j in range(n):
            x = J[i, j]
            k = np.rint(x * nf)
            bad |= (k / nf) != x               # also true for NaN
            a = np.int32(min(abs(k), 32768.0))  # 32768 marks "too large" (inf and NaN included)
            r += a                               # <= N * 32768 < 2**31 for N**2 <= MAX_ENTRIES
            am = max(am, a)
            K8[i, j] = np.int8(max(min(k, 127.0), -127.0))
        if bad or am > 32767:
            return False, am, r
        rmax = max(rmax, r)
        amax = max(amax, am)
    return True, amax, rmax


@njit(cache=True, inline="always")
def _block_diff(W, bi, bj):
    """Zero exactly when the 8 x 8 byte block (bi, bj) of K is the transpose of block (bj, bi); W = K.view(uint64).

    Word W[8 b + r, c] holds row 8 b + r, columns 8 c .. 8 c + 7 of K, so a block is 8 words.  Block
    (bi, bj) is transposed in registers (three rounds of masked swaps, of 4 x 4, 2 x 2 and 1 x 1 byte
    sub-blocks) and XOR-ed with the mirrored block's words: 8 bytes per operation instead of one, and
    no strided byte reads."""
    m4 = np.uint64(0x00000000FFFFFFFF)
    m2 = np.uint64(0x0000FFFF0000FFFF)
    m1 = np.uint64(0x00FF00FF00FF00FF)
    s4 = np.uint64(32)
    s2 = np.uint64(16)
    s1 = np.uint64(8)
    r0 = 8 * bi
    c0 = 8 * bj
    a0 = W[r0, bj]
    a1 = W[r0 + 1, bj]
    a2 = W[r0 + 2, bj]
    a3 = W[r0 + 3, bj]
    a4 = W[r0 + 4, bj]
    a5 = W[r0 + 5, bj]
    a6 = W[r0 + 6, bj]
    a7 = W[r0 + 7, bj]
    t = ((a0 >> s4) ^ a4) & m4
    a0 ^= t << s4
    a4 ^= t
    t = ((a1 >> s4) ^ a5) & m4
    a1 ^= t << s4
    a5 ^= t
    t = ((a2 >> s4) ^ a6) & m4
    a2 ^= t << s4
    a6 ^= t
    t = ((a3 >> s4) ^ a7) & m4
    a3 ^= t << s4
    a7 ^= t
    t = ((a0 >> s2) ^ a2) & m2
    a0 ^= t << s2
    a2 ^= t
    t = ((a1 >> s2) ^ a3) & m2
    a1 ^= t << s2
    a3 ^= t
    t = ((a4 >> s2) ^ a6) & m2
    a4 ^= t << s2
    a6 ^= t
    t = ((a5 >> s2) ^ a7) & m2
    a5 ^= t << s2
    a7 ^= t
    t = ((a0 >> s1) ^ a1) & m1
    a0 ^= t << s1
    a1 ^= t
    t = ((a2 >> s1) ^ a3) & m1
    a2 ^= t << s1
    a3 ^= t
    t = ((a4 >> s1) ^ a5) & m1
    a4 ^= t << s1
    a5 ^= t
    t = ((a6 >> s1) ^ a7) & m1
    a6 ^= t << s1
    a7 ^= t
    d = ((a0 ^ W[c0, bi]) | (a1 ^ W[c0 + 1, bi]) | (a2 ^ W[c0 + 2, bi]) | (a3 ^ W[c0 + 3, bi])
         | (a4 ^ W[c0 + 4, bi]) | (a5 ^ W[c0 + 5, bi]) | (a6 ^ W[c0 + 6, bi]) | (a7 ^ W[c0 + 7, bi]))
    return d


#: Side, in 8 x 8 blocks, of the square tiles :func:`_is_symmetric8` compares with their mirrors (256 rows).
_SYM_TILE = 32


@njit(cache=True)
def _is_symmetric8(W):
    """Symmetry of an int8 matrix K of order 8 m, read as its uint64 words W = K.view(uint64), shape (8 m, m):
    every block on or above the diagonal against its mirror (:func:`_block_diff`), tile by tile.  A tile of
    ``_SYM_TILE`` x ``_SYM_TILE`` blocks and its mirror touch 2 x 256 rows of K, 256 bytes of each: both stay
    in cache and in the TLB while the tile is compared (block rows walked down the whole of K read one page
    per row, about twice as slow at N = 4000)."""
    nb = W.shape[1]
    for ti in range(0, nb, _SYM_TILE):
        for tj in range(ti, nb, _SYM_TILE):
            d = np.uint64(0)
            for bi in range(ti, min(ti + _SYM_TILE, nb)):
                for bj in range(max(bi, tj), min(tj + _SYM_TILE, nb)):
                    d |= _block_diff(W, bi, bj)
            if d != 0:
                return False
    return True


def _symmetric(K):
    """Whether K equals its transpose exactly (the word-wise test for int8 K of order 8 m)."""
    if K.dtype == np.int8 and K.shape[0] % 8 == 0 and K.flags.c_contiguous:
        return bool(_is_symmetric8(K.view(np.uint64)))
    return bool(_is_symmetric(K))


@njit(cache=True)
def _to_int16(J, K16):
    n = J.shape[0]
    nf = float(n)
    for i in range(n):
        for j in range(n):
            K16[i, j] = np.int16(np.rint(J[i, j] * nf))


class Couplings:
    """Couplings checked once for many runs: what :func:`attractors.hopfield.prepare` returns.

    Attributes
    ----------
    J : ndarray, shape (N, N), float64, C-contiguous
        The couplings: the caller's array itself when it already was C-contiguous float64 (no copy),
        so it must not be modified while the prepared couplings are in use.
    K : ndarray of int8 or int16, or None
        The exact integer form ``K = N J`` (compact kernel), or None.
    symmetric : bool
        Whether ``J`` equals its transpose exactly.
    rowsum : int
        ``max_i sum_j |K_ij|`` (0 when ``K`` is None).
    """

    __slots__ = ("J", "K", "symmetric", "rowsum")

    def __init__(self, J, K, symmetric, rowsum):
        self.J, self.K, self.symmetric, self.rowsum = J, K, bool(symmetric), int(rowsum)

    @property
    def n(self) -> int:
        return self.J.shape[0]

    def __repr__(self) -> str:
        kind = "float64" if self.K is None else f"compact {self.K.dtype}"
        return f"Couplings(N={self.n}, {kind}, symmetric={self.symmetric})"


def scan_couplings(J, name: str = "J") -> Couplings:
    """Validate square real couplings and find their compact integer form and symmetry.

    The work is one read of ``J`` and one write of the int8 ``K`` (:func:`_scan8`), then the symmetry
    test on ``K`` (8 bytes per operation when N is a multiple of 8).  Only when ``J`` is not int8
    couplings over N do further passes follow: the general scan (int16 ``K`` when every ``|K_ij|``
    is at most 32767, written by a third pass), or the finiteness and symmetry tests on ``J``.
    Raises ValueError naming ``name`` if ``J`` is not a non-empty square matrix of finite numbers.
    """
    J = as_array(J, name, ndim=2, finite=False)
    if J.shape[0] != J.shape[1] or J.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty square matrix; got shape {J.shape}")
    n = J.shape[0]
    if n * n > MAX_ENTRIES:
        raise ValueError(f"{name} has {n} x {n} entries, more than {MAX_ENTRIES}")
    K = np.empty((n, n), dtype=np.int8)
    flagged, rmax = _scan8(J, K)
    # K / N == J exactly, so J is symmetric iff K is: the symmetry test reads the small array
    if not flagged and rmax < MAX_ROWSUM_COMPACT:  # int8 couplings over N, the common case
        return Couplings(J, K, _symmetric(K), int(rmax))
    # not int8 couplings: the general scan (int16, or no integer form, or not finite)
    exact, amax, rmax = _scan(J, K)
    if not exact or rmax >= MAX_ROWSUM_COMPACT:
        if not np.all(np.isfinite(J)):
            raise ValueError(f"{name} must contain only finite numbers")
        return Couplings(J, None, _is_symmetric(J), 0)
    if amax > 127:  # entries above 127 (more than 127 patterns): a second pass writes int16
        K = np.empty((n, n), dtype=np.int16)
        _to_int16(J, K)
    return Couplings(J, K, _symmetric(K), int(rmax))


def compact_couplings(J):
    """Integer form ``K = N J`` of couplings that are exactly integers over N (e.g. Hebbian, ±1 patterns).

    Parameters
    ----------
    J : array_like, shape (N, N)
        Couplings.

    Returns
    -------
    K : ndarray of int8 or int16, shape (N, N), or None
        ``K`` with ``K / N == J`` exactly in float64 (IEEE equality: a -0.0 of ``J``
        gives 0; int8 when ``max|K| <= 127``, int16 when ``<= 32767``), or ``None``
        when ``J`` has no such form, when
        ``max_i sum_j |K_ij| >= MAX_ROWSUM_COMPACT`` (integer ties would no longer
        match the float kernel's tolerance), or when ``J`` is not finite.

    Raises
    ------
    TypeError, ValueError
        If ``J`` is not a non-empty square real matrix.
    """
    J = as_array(J, "J", ndim=2, finite=False)
    if J.shape[0] != J.shape[1] or J.shape[0] == 0:
        raise ValueError(f"J must be a non-empty square matrix; got shape {J.shape}")
    if not np.all(np.isfinite(J)):
        return None
    K = scan_couplings(J).K
    return None if K is None else np.array(K)


# ----------------------------------------------------------------------------- limits

def check_run(sweeps, n: int, n_patterns: int, mode: str = "sequential") -> int:
    """``sweeps`` as an int, refused (naming it) when the call would exceed the work or memory limits.

    Work is counted for the worst case, every update flipping: a sequential sweep is N updates of
    ``STEPS_PER_UPDATE`` steps plus N / 2 + 1 field updates each (the integer kernel's cost; the float64
    kernel's N multiply-adds are vectorised four at a time), a parallel sweep N updates plus the N x N
    field pass.  The recorded overlaps are ``(sweeps + 1) x n_patterns`` float64.
    """
    sweeps = as_int(sweeps, "sweeps", minimum=0)
    per_update = STEPS_PER_UPDATE + (n if mode == "parallel" else n // 2 + 1)
    check_budget("sweeps (with the size of J)", work=min(sweeps * n * per_update, 10**300),
                 what=f"{sweeps} sweeps of {n} updates, every update flipping")
    check_budget("sweeps (with the number of patterns)", nbytes=min(8 * (sweeps + 1) * n_patterns, 10**300),
                 what=f"{sweeps + 1} x {n_patterns} recorded overlaps")
    return sweeps


def check_fields(bound, name: str = "J") -> None:
    """Refuse couplings and field whose local fields could overflow: ``bound`` is ``TIE_RTOL``
    times ``max_i sum_j |J_ij| + |h_i|`` per site (the tie tolerances), or those sums themselves."""
    b = np.max(bound) if np.ndim(bound) else bound
    if not b <= MAX_FIELD:  # also NaN
        raise ValueError(f"{name} (with h) too large: sum_j |J_ij| + |h_i| reaches {float(b):.3g}, more than "
                         f"{MAX_FIELD:.0e}; the local fields could overflow float64 -- rescale J, h and beta together")


def field_vector(h, n: int, name: str = "h") -> np.ndarray:
    """The external field as a float64 vector of length n: None is 0, a scalar is broadcast."""
    if h is None:
        return np.zeros(n)
    # decide scalar-ness without np.ndim (which raises its own error on a ragged list)
    scalar = isinstance(h, (int, float, np.number, np.bool_)) or (isinstance(h, np.ndarray) and h.ndim == 0)
    h = as_array(h, name, ndim=(0, 1))
    if scalar:
        return np.full(n, float(h.reshape(-1)[0]))
    if h.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},); got {h.shape}")
    return h


# ----------------------------------------------------------------------------- drivers

def _prepare(J, K, s, h, beta, symmetric=None, rowsum=None):
    """Couplings in the orientation the kernel streams, initial fields, acceptance table.
    ``symmetric`` and ``rowsum`` (max_i sum_j |K_ij|), when known from :func:`scan_couplings`, are not
    recomputed."""
    n = J.shape[0]
    if symmetric is None:
        symmetric = _symmetric(K) if K is not None else bool(_is_symmetric(J))
    if K is not None:
        Kt = K if symmetric else np.ascontiguousarray(K.T)
        rowmax = int(rowsum) if rowsum is not None else int(np.max(np.abs(K.astype(np.int64)).sum(axis=1)))
        kf = np.empty(n, dtype=np.int32 if rowmax < 2**30 else np.int64)
        _int_fields(K, np.where(s > 0, 1, -1).astype(np.int16 if K.dtype == np.int8 else np.int32), kf)
        kt = min(rowmax, (MAX_TABLE - 1) // 2)
        # filled as fields are visited (a run visits few of the 2 kt + 1 values; each entry the same bits)
        table = np.full(2 * kt + 1, np.nan) if not math.isinf(beta) else np.zeros(1)
        return ("compact", Kt, kf, table, kt)
    Jt = J if symmetric else np.ascontiguousarray(J.T)
    phi, tol = np.empty(n), np.empty(n)
    _fields_tol(J, s, h, phi, tol, TIE_RTOL)
    return ("float64", Jt, phi, tol)


def _run_blocks(prep, s, beta, total, gen, xi, m):
    """``total`` updates; returns flips.  At finite beta with NumPy's default bit generator (PCG64, a plain
    Generator, at least ``_pcg.PCG_MIN_DRAWS`` draws) the kernel makes the draws itself, on two interleaved
    chains of its state (:func:`attractors._pcg.pcg_lanes`: the same numbers in the same order as
    ``gen.random()``, tested), and the generator is then advanced past them; otherwise the uniforms are drawn
    by NumPy in blocks of BLOCK_UPDATES updates."""
    n = s.shape[0]
    d = 1 if math.isinf(beta) else 2
    got = pcg_state(gen, d * total) if d == 2 else None
    if got is not None:
        with gen.bit_generator.lock:
            pcg, st = pcg_state(gen, d * total)  # read again under the lock
            w = pcg_lanes(pcg)
            done = flips = 0
            while done < total:  # in chunks, so that an interrupt (Ctrl-C) is seen within a fraction of a second
                k = min(KERNEL_DRAW_UPDATES, total - done)
                if prep[0] == "compact":
                    flips += _compact_finite(prep[1], s, prep[2], prep[3], prep[4], float(n), beta, _NO_DRAWS, k,
                                             done, xi, m, w)
                else:
                    flips += _float_finite(prep[1], s, prep[2], beta, _NO_DRAWS, k, done, xi, m, w)
                done += k
            pcg_store(gen, pcg_after(pcg, d * total), st)  # one assignment, the buffered half-word kept
        return flips
    buf = np.empty(d * max(1, min(total, BLOCK_UPDATES)))
    done = flips = 0
    while done < total:
        k = min(BLOCK_UPDATES, total - done)
        u = buf[: d * k]
        gen.random(out=u)
        if prep[0] == "compact":
            if d == 2:
                flips += _compact_finite(prep[1], s, prep[2], prep[3], prep[4], float(n), beta, u, k, done, xi, m,
                                         _NO_LANES)
            else:
                flips += _compact_block(prep[1], s, prep[2], prep[3], prep[4], float(n), beta, u, k, done, xi, m)
        elif d == 2:
            flips += _float_finite(prep[1], s, prep[2], beta, u, k, done, xi, m, _NO_LANES)
        else:
            flips += _float_block(prep[1], s, prep[2], prep[3], beta, u, k, done, xi, m)
        done += k
    return flips


_NO_DRAWS = np.zeros(0)
_NO_LANES = np.zeros(0, dtype=np.uint64)


# ----------------------------------------------------------------------------- public entry

def run_sequential(J, s0, *, h=None, beta=np.inf, sweeps=1, rng=None, patterns=None, couplings="auto"):
    r"""Sequential random-site Glauber dynamics, the trajectory of ``hopfield.run(mode="sequential")``.

    Parameters
    ----------
    J : array_like, shape (N, N)
        Couplings (need not be symmetric).
    s0 : array_like, shape (N,)
        Initial ±1 state (not modified).
    h : array_like, shape (N,) or scalar, optional
        External field (default 0).  A non-zero field selects the float64 kernel.
    beta : float, optional
        Inverse temperature > 0, ``np.inf`` (default) for the deterministic rule.
    sweeps : int >= 0
        Number of sweeps of N updates; at most about ten seconds of work, counted as if every update
        flipped (:func:`check_run`), and at most 1 GiB of recorded overlaps.
    rng : int, Generator or None
        Random stream; a Generator is advanced by exactly the draws of ``hopfield.run``.
    patterns : array_like, shape (P, N), optional
        If given, the overlaps are recorded before the first sweep and after each sweep.
    couplings : {"auto", "float64", "compact"}
        ``"auto"``: the compact integer kernel when :func:`compact_couplings`
        finds an integer form of ``J`` and ``h`` is zero, else float64;
        ``"compact"`` insists on it (ValueError if impossible).

    Returns
    -------
    s : ndarray, shape (N,), float64
        Final state.
    m : ndarray, shape (sweeps + 1, P)
        Only if ``patterns`` is given.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type, shape or range (the message names it).
    """
    J = as_array(J, "J", ndim=2)
    if J.shape[0] != J.shape[1] or J.shape[0] == 0:
        raise ValueError(f"J must be a non-empty square matrix; got shape {J.shape}")
    n = J.shape[0]
    s = as_spins(s0, n, "s0")
    if s.ndim != 1:
        raise ValueError(f"s0 must be one state of shape ({n},); got {s.shape}")
    s = s.copy()
    h = field_vector(h, n)
    beta = as_positive(beta, "beta", allow_inf=True)
    if patterns is None:
        xi = np.zeros((0, n))
    else:
        xi = as_patterns(patterns, "patterns")
        if xi.shape[1] != n:
            raise ValueError(f"patterns must have {n} units; got shape {xi.shape}")
    sweeps = check_run(sweeps, n, xi.shape[0])
    if not isinstance(couplings, str) or couplings not in ("auto", "float64", "compact"):
        raise ValueError(f"couplings must be 'auto', 'float64' or 'compact'; got {couplings!r}")
    gen = as_generator(rng)
    K = None
    if couplings != "float64" and not np.any(h):
        K = compact_couplings(J)
    if couplings == "compact" and K is None:
        raise ValueError("couplings='compact' needs J = K / N with integers |K_ij| <= 32767, max_i sum_j |K_ij| "
                         f"< {MAX_ROWSUM_COMPACT:.0e}, and h = 0")
    m = np.zeros((sweeps + 1, xi.shape[0]))
    if xi.shape[0]:
        _overlap_row(xi, s, m[0])
    prep = _prepare(J, K, s, h, beta)
    if prep[0] == "float64":
        check_fields(prep[3] / TIE_RTOL, "J")
    _run_blocks(prep, s, beta, sweeps * n, gen, xi, m)
    if patterns is not None:
        return s, m
    return s


# ----------------------------------------------------------------------------- benchmarks

def _hebbian(xi):
    # the Hebbian couplings of +-1 patterns, computed as hopfield.hebbian computes them (same bits)
    J = np.ascontiguousarray(xi.T @ xi) / xi.shape[1]
    np.fill_diagonal(J, 0.0)
    return J


def glauber_cases(quick: bool = True):
    """The two benchmark regimes (retrieval and flip-heavy) as ``(label, J, s0, beta, sweeps)``."""
    g = np.random.default_rng(0)
    out = []
    n, p = 1000, 10
    xi = np.where(g.random((p, n)) < 0.5, -1.0, 1.0)
    s0 = xi[0] * np.where(g.random(n) < 0.1, -1.0, 1.0)
    out.append(("retrieval", _hebbian(xi), s0, 5.0, 50))
    n, p = 4000, 20
    xi = np.where(g.random((p, n)) < 0.5, -1.0, 1.0)
    s0 = np.where(g.random(n) < 0.5, -1.0, 1.0)
    out.append(("flip-heavy", _hebbian(xi), s0, 0.01, 2 if quick else 5))
    return out


def time_sweeps(J, s0, beta, sweeps, kind, *, repeat=3, min_time=0.05):
    """Seconds of the sweeps alone (no set-up) and the final state, for ``kind`` in
    {"reference", "float64", "compact"}; "reference" is hopfield's kernel (one numba draw per call)
    on 4 x ``sweeps`` minus the same call with 0 sweeps (its initial O(N^2) field pass), over 4; the
    difference is floored at 5 % of the call against timing noise.  Same seed (1) for all three."""
    from attractors.bench import best_time

    n = J.shape[0]
    h = np.zeros(n)
    empty_xi, empty_m = np.zeros((0, n)), np.zeros((sweeps + 1, 0))
    out = {}
    if kind == "reference":
        def call(k):
            s = s0.copy()
            out["flips"] = _seq_kernel(J, J, s, h, beta, k, np.random.default_rng(1), empty_xi, empty_m)
            out["s"] = s

        # the same call with 0 sweeps is its O(N^2) initial field pass alone: subtract it, from a run of
        # 4 x sweeps so that the difference is not lost in the noise of the two timings
        t_init = best_time(lambda: call(0), repeat=repeat, min_time=min_time)
        t = best_time(lambda: call(4 * sweeps), repeat=repeat, min_time=min_time)
        call(sweeps)
        return max(t - t_init, 0.05 * t) / 4, out["s"], out["flips"]
    K = compact_couplings(J) if kind == "compact" else None
    prep = _prepare(J, K, s0, h, beta)
    fields0 = prep[2].copy()

    def call():
        s = s0.copy()
        prep[2][:] = fields0
        out["flips"] = _run_blocks(prep, s, beta, sweeps * n, np.random.default_rng(1), empty_xi, empty_m)
        out["s"] = s

    t = best_time(call, repeat=repeat, min_time=min_time)
    return t, out["s"], out["flips"]


def benchmarks(quick: bool = True, lim: dict | None = None):
    """The block-draw Glauber kernels against hopfield's kernel, and against the machine's limits.

    Retrieval regime (N = 1000, P = 10, beta = 5): updates/s as a fraction of
    numba's ``Generator.random()`` rate; flip-heavy (N = 4000, P = 20,
    beta = 0.01): accepted flips/s as a fraction of the bound ``read bandwidth
    / (8 N bytes)`` of streaming one float64 row of J per flip (a flip only
    reads its row; the fields it updates stay in cache).  Sweeps only
    (the O(N^2) set-up is excluded on both sides).  ``agree``: each kernel's
    final state equals the reference's (same seed).

    Parameters
    ----------
    quick : bool, default True
        Fewer sweeps and repetitions.
    lim : dict, optional
        Accepted for the common interface of :func:`attractors.bench.run_all`: the RNG rate and the
        read bandwidth are measured here, next to the kernels, because the load of a shared machine
        changes within a run.

    Returns
    -------
    list of attractors.bench.Result

    Raises
    ------
    TypeError
        If ``quick`` is not a bool or ``lim`` not a dict.
    """
    from attractors import bench

    if not isinstance(quick, (bool, np.bool_)):
        raise TypeError(f"quick must be a bool; got {type(quick).__name__}")
    if lim is not None and not isinstance(lim, dict):
        raise TypeError(f"lim must be a dict of limits; got {type(lim).__name__}")
    rng_draws = bench.rng_rate(repeat=3)     # cheap: measured next to the kernels (the load changes)
    read_bw = bench.read_bandwidth(repeat=3)
    repeat = 5 if quick else 9            # best of several: the machine may be shared
    results = []
    for label, J, s0, beta, sweeps in glauber_cases(quick):
        n = J.shape[0]
        t_ref, s_ref, f_ref = time_sweeps(J, s0, beta, sweeps, "reference", repeat=repeat)
        for kind in ("float64", "compact"):
            t, s_new, f_new = time_sweeps(J, s0, beta, sweeps, kind, repeat=repeat)
            agree = bool(np.array_equal(s_new, s_ref)) and f_new == f_ref
            updates = sweeps * n
            if label == "retrieval":
                frac = updates / t / rng_draws
                limit = f"numba RNG {rng_draws / 1e6:.0f} M draws/s"
                note = f"{updates / t / 1e6:.3g} M updates/s (reference {updates / t_ref / 1e6:.3g})"
            else:
                bound = read_bw / (8.0 * n)
                frac = f_new / t / bound
                limit = f"float64 row/flip, read at {read_bw / 1e9:.1f} GB/s"
                note = f"{f_new / t / 1e6:.3g} M flips/s (reference {f_ref / t_ref / 1e6:.3g}, bound {bound / 1e6:.3g})"
                if kind == "compact":     # an int8 flip reads N bytes: the float64 row is a yardstick, not its bound
                    limit = "yardstick: " + limit
                    note += f"; {frac / 8:.2f} of the int8-row bound (N bytes per flip)"
            results.append(bench.Result("_glauber", f"glauber {label} ({kind})", f"N={n}, {sweeps} sweeps", t, t_ref,
                                        note, agree, limit, frac))
    return results
