r"""Branch-free inverse-CDF draws of continuous Bernoulli nodes, for the step kernel of ``fep.run``.

Chapter 15 samples a node of natural parameter :math:`b` by the inverse CDF: with :math:`a = |b|`,
:math:`w = 1 - u` for :math:`b > 0` and :math:`w = u` for :math:`b < 0` (the mirror image),

.. math::
    |\sigma| = 1 + \frac{1}{a}\log\bigl(1 - w(1 - e^{-2a})\bigr),
    \qquad \sigma = \operatorname{sign}(b)\,|\sigma|, \qquad \sigma = 2u - 1 \text{ at } b = 0 .

``fep._draw`` evaluates it node by node with the C library's ``expm1`` and ``log1p``: two calls that
the compiler cannot vectorise, and at :math:`N = 64` most of the time of a step.  :func:`draw_fields`
evaluates the same formula for a whole layer of nodes in one loop without branches or library calls,
so that LLVM vectorises it:

* :math:`e^{-2a} - 1` and :math:`e^{-2a}` from one Cody--Waite reduction :math:`-2a = k\ln 2 + r`,
  :math:`|r| \le \ln 2/2`: :math:`\operatorname{expm1}(r)` by its Taylor polynomial of degree 13
  (truncation below :math:`4\cdot10^{-18}` relative), then :math:`e^{-2a} - 1 = 2^k\operatorname{expm1}(r)
  + (2^k - 1)`, accurate to a few ulp for every :math:`a` (no cancellation at :math:`a \to 0`, where
  :math:`k = 0`);
* the logarithm of :math:`v = 1 + t`, :math:`t = -w(1 - e^{-2a})` (for :math:`a < 1`; for :math:`a \ge 1`
  the argument :math:`(1 - w) + w e^{-2a}`, which does not cancel when :math:`w \to 1`), as
  :math:`\log v = j\ln 2 + \log m`, :math:`m \in [\sqrt{1/2}, \sqrt 2)`, :math:`\log m = f - f^2/2 +
  s(f^2/2 + R(s^2))` with :math:`f = m - 1` (exact), :math:`s = f/(2 + f)` and :math:`R` the Taylor series of
  :math:`2\operatorname{atanh}(s)/s - 2` to :math:`s^{22}`; the rounding of :math:`1 + t` is put back by
  :math:`\log(1+t) = \log v + (t - (v - 1))/v`.

The bits of :math:`2^k` and the exponent :math:`j` are read and written through the float's bit pattern
(integer shifts), never by a float-to-integer conversion, which AVX2 cannot vectorise.  Both functions are
accurate to a few units in the last place, so a draw differs from ``fep._draw``'s by a few ulp of 1
(``tests/test_fep.py`` bounds both against 50-digit decimal arithmetic).  Arguments
:math:`-2a < -708` are raised to :math:`-708` (:math:`e^{-708} \approx 3\cdot10^{-308}`): the draw then
differs only if :math:`u = 0` exactly, and stays in :math:`[-1, 1]`.  :func:`lang_fields` is the Langevin
function :math:`L = \coth - 1/x` of ``fep._lang`` for a whole layer, with the same exponential.

Also here, below ``fep`` (which validates every argument): the two passes over the transposed couplings
that a step of ``fep.run`` makes (the fields :math:`h = J\sigma`, and the learning rule's rank-1 update fused
with the next step's fields in one loop over the nodes; both keep the order of every sum, so they are exact
rewritings), the checks of the common call of ``fep.run`` (:func:`fast_args`, with a NaN/inf scan), and the
floor kernel and the vectorised NumPy step of the FEP benchmarks.

Uniforms.  NumPy's default bit generator, PCG64, is a 128-bit linear congruential generator
:math:`x \leftarrow a x + c \pmod{2^{128}}` whose output is the XSL-RR permutation of the new state (the
64-bit halves xor-ed, rotated right by the top six bits); ``Generator.random`` keeps its top 53 bits,
:math:`u = \lfloor o/2^{11}\rfloor\,2^{-53}`.  ``_pcg_next`` (:mod:`attractors._pcg`, shared with the Glauber
kernels) does the same integer steps, so it returns the same doubles; a pass over :math:`J^\top`
that computes a step's fields draws that step's uniforms, one per row, an integer chain that runs beside the
floating-point work instead of after it.  ``fep.run`` reads the Generator's state before and writes it back
after (:func:`pcg_state`, :func:`pcg_store`); any other bit generator, or a call of fewer than
:data:`PCG_MIN_DRAWS` uniforms, fills blocks of uniforms through NumPy.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from attractors._modern_kernels import _bits_to_float, _float_to_bits
from attractors._pcg import PCG_MIN_DRAWS, _pcg_next, pcg_state, pcg_store, pcg_uniforms  # noqa: F401 (used by fep)
from attractors.numerics import _COTH_SERIES, langevin

__all__: list[str] = []


_LN2_HI = 6.93147180369123816490e-01   # ln 2 split so that j * _LN2_HI is exact for |j| < 2**11
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e+00
_ROUND = 6755399441055744.0            # 1.5 * 2**52: t + _ROUND holds round(t) in its low mantissa bits
_TWO52 = 4503599627370496.0            # 2**52
_SQRT2 = 1.4142135623730951
#: 1 / j! for j = 2..13 (Taylor coefficients of expm1)
_E2, _E3, _E4, _E5, _E6, _E7, _E8, _E9, _E10, _E11, _E12, _E13 = (1.0 / math.factorial(j) for j in range(2, 14))
#: 2 / (2j + 1) for j = 1..11 (Taylor coefficients of 2 atanh(s) / s in powers of s**2)
_L1, _L2, _L3, _L4, _L5, _L6, _L7, _L8, _L9, _L10, _L11 = (2.0 / (2 * j + 1) for j in range(1, 12))
_EXP_ARG_FLOOR = -708.0


@njit(cache=True, error_model="numpy")
def _expm1_and_exp(x):
    """(e^x - 1, e^x) for EXP_ARG_FLOOR <= x <= 0, branch-free; a few ulp each."""
    v = x * _INV_LN2 + _ROUND
    k = v - _ROUND
    r = x - k * _LN2_HI - k * _LN2_LO
    r2 = r * r
    r4 = r2 * r2
    r8 = r4 * r4
    # expm1(r) = r + r^2 (1/2 + r/6 + ... + r^11/13!), Estrin's scheme (short dependency chains)
    c0 = (_E2 + _E3 * r) + (_E4 + _E5 * r) * r2
    c1 = (_E6 + _E7 * r) + (_E8 + _E9 * r) * r2
    c2 = (_E10 + _E11 * r) + (_E12 + _E13 * r) * r2
    p = r + r2 * (c0 + c1 * r4 + c2 * r8)
    two_k = _bits_to_float((_float_to_bits(v) + np.uint64(1023)) << np.uint64(52))
    em1 = two_k * p + (two_k - 1.0)
    return em1, two_k * p + two_k


@njit(cache=True, error_model="numpy")
def _log_normal(v):
    """log(v) for a positive normal float v, branch-free; a few ulp."""
    bits = _float_to_bits(v)
    # biased exponent as a float, exactly: put its 11 bits in the mantissa of 2**52 and subtract 2**52
    ej = _bits_to_float((bits >> np.uint64(52)) | np.uint64(0x4330000000000000)) - _TWO52 - 1023.0
    m = _bits_to_float((bits & np.uint64(0x000FFFFFFFFFFFFF)) | np.uint64(0x3FF0000000000000))  # in [1, 2)
    big = m > _SQRT2
    m = 0.5 * m if big else m            # now in [sqrt(1/2), sqrt(2)); exact
    ej = ej + 1.0 if big else ej
    f = m - 1.0                          # exact (Sterbenz)
    s = f / (2.0 + f)
    z = s * s
    z2 = z * z
    z4 = z2 * z2
    z8 = z4 * z4
    q0 = (_L1 + _L2 * z) + (_L3 + _L4 * z) * z2
    q1 = (_L5 + _L6 * z) + (_L7 + _L8 * z) * z2
    q2 = (_L9 + _L10 * z) + _L11 * z2
    R = z * (q0 + q1 * z4 + q2 * z8)
    hfsq = 0.5 * f * f
    return ej * _LN2_HI + ((f - (hfsq - s * (hfsq + R))) + ej * _LN2_LO)


@njit(cache=True, error_model="numpy", inline="always")
def _draw_one(b, uu):
    """A draw of CB(b) at the uniform uu, without branches (inlined, so that a loop over nodes vectorises)."""
    a = abs(b)
    w = 1.0 - uu if b > 0.0 else uu
    x2 = -2.0 * a
    x2 = x2 if x2 > _EXP_ARG_FLOOR else _EXP_ARG_FLOOR
    em1, e = _expm1_and_exp(x2)
    small = a < 1.0
    t = w * em1                                  # = -w (1 - e^{-2a})
    v = 1.0 + t if small else (1.0 - w) + w * e
    corr = (t - (v - 1.0)) / v if small else 0.0
    x = 1.0 + (_log_normal(v) + corr) / a
    x = x if x > -1.0 else -1.0
    x = x if x < 1.0 else 1.0
    x = x if b > 0.0 else -x
    return x if a >= 1e-150 else 2.0 * uu - 1.0


@njit(cache=True, error_model="numpy", inline="always")
def lang_one(b):
    """L(b) without branches: for |b| < 0.3 the series of ``fep._lang`` (the same operations, so the same
    bits), else 1 + 2e/(1 - e) - 1/|b| with e = e^{-2|b|} from the polynomial above (a few ulp; |b| = inf
    gives 1)."""
    a = abs(b)
    z2 = a * a
    acc = 0.0
    for k in range(_COTH_SERIES.size - 1, -1, -1):
        acc = acc * z2 + _COTH_SERIES[k]
    x2 = -2.0 * a
    x2 = x2 if x2 > _EXP_ARG_FLOOR else _EXP_ARG_FLOOR
    em1, e = _expm1_and_exp(x2)
    v = a * acc if a < 0.3 else 1.0 + 2.0 * e / (-em1) - 1.0 / a
    return v if b >= 0.0 else -v


@njit(cache=True, error_model="numpy", inline="always")
def draw_fields(field, u, ku, out):
    """out[i] <- a draw of CB(field[i]) at the uniform u[ku + i], for i < field.size (no branches)."""
    us = u[ku:]  # indices from 0, known non-negative: contiguous loads, not a gather
    for i in range(field.size):
        out[i] = _draw_one(field[i], us[i])
    return out


@njit(cache=True, error_model="numpy")
def lang_fields(x, out):
    """out[i] <- L(x[i]) (Langevin function) for i < x.size, branch-free (:func:`lang_one`)."""
    for i in range(x.size):
        out[i] = lang_one(x[i])
    return out


@njit(cache=True, error_model="numpy", inline="always")
def learning_signal(x, s, lr, out):
    """out[i] <- lr (s[i] - L(x[i])) for i < x.size, branch-free; out may be x."""
    for i in range(x.size):
        out[i] = lr * (s[i] - lang_one(x[i]))
    return out


@njit(cache=True)
def count_nonfinite(J, bias):
    """Number of NaN and infinite entries of the C-contiguous arrays J and bias (exponent bits all ones)."""
    bad = 0
    for flat in (J.ravel(), bias.ravel()):
        for k in range(flat.size):
            bad += ((_float_to_bits(flat[k]) >> np.uint64(52)) & np.uint64(0x7FF)) == np.uint64(0x7FF)
    return bad


# ----------------------------------------------------------------------------- the step of fep.run

_U0 = np.uint64(0)


@njit(cache=True, inline="always")
def _fields_into(JT, s, h, pcg, u):
    # h <- J s, each h[i] accumulated in the order j = 0..N-1 (rows of JT, vectorised over i); four
    # rows per pass over h, added one after another, so the sums are rounded exactly as one row at a time.
    # With pcg.size > 0, also u[0..N-1] <- the next N uniforms of that PCG64 stream, one per row of JT
    # (a chain of integer operations that runs beside the floating-point work of the rows).
    n = JT.shape[0]
    draw = pcg.size > 0
    hi, lo, ihi, ilo = (pcg[0], pcg[1], pcg[2], pcg[3]) if draw else (_U0, _U0, _U0, _U0)
    for i in range(n):
        h[i] = 0.0
    j = 0
    while j + 4 <= n:
        s0, s1, s2, s3 = s[j], s[j + 1], s[j + 2], s[j + 3]
        r0, r1, r2, r3 = JT[j], JT[j + 1], JT[j + 2], JT[j + 3]
        for i in range(n):
            h[i] = (((h[i] + r0[i] * s0) + r1[i] * s1) + r2[i] * s2) + r3[i] * s3
        if draw:
            for k in range(j, j + 4):
                hi, lo, u[k] = _pcg_next(hi, lo, ihi, ilo)
        j += 4
    while j < n:
        sj = s[j]
        r0 = JT[j]
        for i in range(n):
            h[i] += r0[i] * sj
        if draw:
            hi, lo, u[j] = _pcg_next(hi, lo, ihi, ilo)
        j += 1
    if draw:
        pcg[0], pcg[1] = hi, lo


@njit(cache=True, inline="always")
def _learn_and_fields(JT, s, d, h, fields, pcg, u):
    # The rank-1 update JT[j, i] += d[i] s[j] (i != j), row by row; with fields=True the next step's input
    # h = J s is accumulated in the same pass over JT (the state does not change in between), in the
    # order of _fields_into, and (pcg.size > 0) the next step's N uniforms drawn into u, as there.  Four rows
    # at a time, in one loop over i that updates them and adds them to h while they are in registers; that
    # loop also updates the four diagonal entries JT[j + k, j + k], so they are put back after it, and
    # h[j..j+3] recomputed from their values before it.
    n = JT.shape[0]
    draw = fields and pcg.size > 0
    hi, lo, ihi, ilo = (pcg[0], pcg[1], pcg[2], pcg[3]) if draw else (_U0, _U0, _U0, _U0)
    if fields:
        for i in range(n):
            h[i] = 0.0
    j = 0
    while j + 4 <= n and fields:
        s0, s1, s2, s3 = s[j], s[j + 1], s[j + 2], s[j + 3]
        r0, r1, r2, r3 = JT[j], JT[j + 1], JT[j + 2], JT[j + 3]
        k0, k1, k2, k3 = r0[j], r1[j + 1], r2[j + 2], r3[j + 3]
        g0, g1, g2, g3 = h[j], h[j + 1], h[j + 2], h[j + 3]
        for i in range(n):
            di = d[i]
            a0 = r0[i] + di * s0
            a1 = r1[i] + di * s1
            a2 = r2[i] + di * s2
            a3 = r3[i] + di * s3
            r0[i] = a0
            r1[i] = a1
            r2[i] = a2
            r3[i] = a3
            h[i] = (((h[i] + a0 * s0) + a1 * s1) + a2 * s2) + a3 * s3
        r0[j], r1[j + 1], r2[j + 2], r3[j + 3] = k0, k1, k2, k3
        h[j] = (((g0 + k0 * s0) + r1[j] * s1) + r2[j] * s2) + r3[j] * s3
        h[j + 1] = (((g1 + r0[j + 1] * s0) + k1 * s1) + r2[j + 1] * s2) + r3[j + 1] * s3
        h[j + 2] = (((g2 + r0[j + 2] * s0) + r1[j + 2] * s1) + k2 * s2) + r3[j + 2] * s3
        h[j + 3] = (((g3 + r0[j + 3] * s0) + r1[j + 3] * s1) + r2[j + 3] * s2) + k3 * s3
        if draw:
            for k in range(j, j + 4):
                hi, lo, u[k] = _pcg_next(hi, lo, ihi, ilo)
        j += 4
    while j < n:
        sj = s[j]
        r0 = JT[j]
        keep = r0[j]
        for i in range(n):
            r0[i] += d[i] * sj
        r0[j] = keep
        if fields:
            for i in range(n):
                h[i] += r0[i] * sj
        if draw:
            hi, lo, u[j] = _pcg_next(hi, lo, ihi, ilo)
        j += 1
    if draw:
        pcg[0], pcg[1] = hi, lo


# ----------------------------------------------------------------------------- benchmarks of fep

@njit(cache=True)
def _floor_kernel(J, s, n_steps, lr, rng):
    # The least work any implementation of a step must do: one BLAS matrix-vector product,
    # N uniform draws, N exponentials and one rank-1 update of J (the floor of a step).
    n = J.shape[0]
    for _ in range(n_steps):
        h = np.dot(J, s)
        for i in range(n):
            s[i] = 2.0 * rng.random() * math.exp(-1e-3 * abs(h[i])) - 1.0
        if lr != 0.0:
            for i in range(n):
                c = lr * s[i]
                for j in range(n):
                    J[i, j] += c * s[j]
    return s


def _numpy_run(J, b, n_steps, beta, lr, gen):
    """Vectorised NumPy version of run(parallel, stochastic, reference rule) for the benchmarks."""
    J = J.copy()
    n = J.shape[0]
    s = np.zeros(n)
    off = ~np.eye(n, dtype=bool)
    for _ in range(n_steps):
        h = J @ s
        field = beta * (b + h)
        u = gen.random(n)
        a = np.abs(field)
        w = np.where(field > 0, 1.0 - u, u)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            small = 1.0 + np.log1p(-w * (-np.expm1(-2.0 * a))) / a
            large = 1.0 + np.log((1.0 - w) + w * np.exp(-2.0 * a)) / a
        x = np.clip(np.where(a < 1.0, small, large), -1.0, 1.0)
        s = np.where(a < 1e-150, 2.0 * u - 1.0, np.where(field > 0, x, -x))
        J += lr * off * np.outer(s - langevin(h), s)
    return J


# ----------------------------------------------------------------------------- the common call of fep.run

def fast_args(J, bias, n_steps, beta, learning_rate, stochastic, update, rule, sigma0, max_states):
    """The common call (C-contiguous float64 arrays, Python scalars) checked in a few tests and one compiled
    pass for NaN and inf; None sends every other call to ``fep._validate_run``, which accepts what it accepts
    and names what it refuses (``fep._validate_run``)."""
    if not (type(J) is np.ndarray and type(bias) is np.ndarray and type(n_steps) is int
            and type(beta) is float and type(learning_rate) is float and type(stochastic) is bool
            and J.dtype == np.float64 and bias.dtype == np.float64 and J.ndim == 2 and 1 <= bias.ndim <= 2
            and J.flags.c_contiguous and J.flags.writeable and bias.flags.c_contiguous and bias.flags.writeable):
        return None
    n = J.shape[0]
    if not (0 < n == J.shape[1] == bias.shape[-1] and 0 <= n_steps and n_steps * n <= max_states
            and 0.0 < beta < math.inf and 0.0 <= learning_rate < math.inf
            and type(update) is str and update in ("parallel", "sequential")
            and type(rule) is str and rule in ("reference", "manuscript")):
        return None
    if bias.ndim == 1:
        bias2, stride = bias.reshape(1, n), 0
    elif bias.ndim == 2 and bias.shape[0] == n_steps:
        bias2, stride = bias, 1
    else:
        return None
    if sigma0 is None:
        s0 = np.zeros(n)
    elif type(sigma0) is np.ndarray and sigma0.dtype == np.float64 and sigma0.shape == (n,):
        s0 = sigma0.copy()
        if not np.abs(s0).max() <= 1.0:  # NaN included
            return None
    else:
        return None
    if count_nonfinite(J, bias2):
        return None
    return np.ascontiguousarray(J.T), bias2, stride, n_steps, beta, float(learning_rate), stochastic, s0
