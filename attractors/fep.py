r"""Attractor networks from the free energy principle [FEP]: continuous Bernoulli nodes.

Part V of the book (chapters 15-19) derives and checks everything below.

Continuous Bernoulli law (chapter 15)
    A node's state :math:`\sigma \in [-1, 1]` with natural parameter (bias)
    :math:`b` has the density :math:`p_b(\sigma) = e^{b\sigma - A(b)}`, with
    log-partition :math:`A(b) = \log(2\sinh b / b)` (:func:`attractors.numerics.log_sinhc2`),
    mean :math:`A'(b) = L(b) = \coth b - 1/b` (the Langevin function), variance
    :math:`A''(b) = L'(b)` and entropy :math:`H(b) = A(b) - b L(b)`.  Samples come
    from the inverse CDF, written so that it neither overflows at large
    :math:`|b|` nor cancels at :math:`b \to 0`:
    :math:`\sigma = 1 + \log(u + (1-u)e^{-2b})/b` for :math:`b > 0`, its mirror
    image for :math:`b < 0`, :math:`2u - 1` at :math:`b = 0`.

KL divergence between two such laws (chapter 16)
    :math:`D(b_q\Vert b_p) = A(b_p) - A(b_q) - (b_p - b_q)L(b_q)`, the Bregman
    divergence of :math:`A`.  Its direct evaluation cancels when
    :math:`b_q \approx b_p` and when both are large; :func:`cb_kl` uses the
    integral form :math:`\int_{b_q}^{b_p}(b_p - s)L'(s)\,ds` (a positive
    integrand, Gauss-Legendre) for :math:`|b_p - b_q| \le 1` and closed forms
    with the large terms cancelled analytically otherwise.

The network (chapters 16-18)
    :math:`N` nodes with couplings :math:`J` (row :math:`i` = inputs of node
    :math:`i`), biases :math:`b` and inverse temperature (precision)
    :math:`\beta`.  One step of :func:`run` draws each node from
    :math:`\mathcal{CB}(\beta(b_i + \sum_j J_{ij}\sigma_j))` (``stochastic=True``)
    or sets it to the mean :math:`L(\beta(b_i + \sum_j J_{ij}\sigma_j))`;
    ``update="parallel"`` computes every input from the previous state (as the
    reference implementation ``pni-lab/fep-attractor-network`` does),
    ``update="sequential"`` is a Gibbs sweep (node :math:`i` sees the nodes
    :math:`j < i` already updated).  With a learning rate :math:`\eta > 0` the
    couplings follow, after each step, :math:`J_{ij} \mathrel{+}= \eta(\sigma_i -
    \hat\sigma_i)\sigma_j` for :math:`i \ne j` (new states), where the
    prediction :math:`\hat\sigma_i` is

    * ``rule="reference"`` -- :math:`L(h_i)`, :math:`h_i = \sum_j J_{ij}\sigma_j`
      the input *without* the bias and *without* :math:`\beta`, from the state the
      step started from (exactly what ``AttractorNetwork.update`` does);
    * ``rule="manuscript"`` -- :math:`L(\beta(b_i + h_i))`, the mean of the law the
      node has just been drawn from (the manuscript's boxed rule
      :math:`L(b_i + \sum_k J_{ik}\sigma_k)`, with the precision that scales the
      node's input).

Deterministic attractors (chapter 19) are the fixed points
:math:`\sigma = L(\beta(b + J\sigma))`, found by :func:`fixed_points` from many
starts with bounded iterations.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from attractors._fep_kernels import (_fields_into, _floor_kernel, _learn_and_fields, _numpy_run, draw_fields,
                                     fast_args, learning_signal, pcg_state, pcg_store)
from attractors._validate import as_array, as_generator, as_int, as_positive, check_budget
from attractors.numerics import LANGEVIN_SERIES_CUTOFF, _COTH_SERIES, langevin, langevin_prime, log_sinhc2

__all__ = ["langevin", "langevin_prime", "inverse_langevin", "cb_logpdf", "cb_sample", "cb_mean", "cb_variance",
           "cb_entropy", "cb_kl", "run", "run_reference", "fixed_points", "FixedPoints", "MAX_STATES",
           "MAX_INPUT_BOUND"]

#: Largest number of stored state values (``n_steps * N``) :func:`run` accepts (1 GiB of float64).
MAX_STATES = 2 ** 27

_UPDATES = ("parallel", "sequential")
_RULES = ("reference", "manuscript")


# ---------------------------------------------------------------------------------------------
# Continuous Bernoulli law (vectorised NumPy)
# ---------------------------------------------------------------------------------------------

def _real(x, name: str, finite: bool = False) -> np.ndarray:
    # as_array returns at least 1-d (np.ascontiguousarray): restore the caller's shape
    return as_array(x, name, finite=finite).reshape(np.shape(x))


def _no_nan(arr: np.ndarray, name: str) -> None:
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} must not contain NaN")


def _scalar(out):
    return float(out) if np.ndim(out) == 0 else out


def cb_mean(b) -> np.ndarray | float:
    r"""Mean :math:`L(b) = \coth b - 1/b` of :math:`\mathcal{CB}(b)` on [-1, 1] (the Langevin function).

    Parameters
    ----------
    b : array_like
        Natural parameter; ``±inf`` allowed (mean ``±1``).

    Returns
    -------
    float or ndarray
        The mean, by :func:`attractors.numerics.langevin`: relative error < 5e-15 for every ``b``
        (largest, ~15 ulp, just above the series cut-off 0.3), checked against 70-digit references.

    Raises
    ------
    TypeError, ValueError
        If ``b`` is not real or contains NaN.
    """
    b = _real(b, "b")
    _no_nan(b, "b")
    return langevin(b)


def cb_variance(b) -> np.ndarray | float:
    r"""Variance :math:`L'(b) = 1/b^2 - 1/\sinh^2 b` of :math:`\mathcal{CB}(b)` (1/3 at b = 0).

    Parameters
    ----------
    b : array_like
        Natural parameter; ``±inf`` allowed (variance 0).

    Returns
    -------
    float or ndarray
        The variance (:func:`attractors.numerics.langevin_prime`, and :math:`(1/b)^2` above
        :math:`10^{150}`, where :math:`b^2` would overflow): relative error < 5e-15 for every ``b``.

    Raises
    ------
    TypeError, ValueError
        If ``b`` is not real or contains NaN.
    """
    b = _real(b, "b")
    _no_nan(b, "b")
    a = np.abs(b)
    out = np.asarray(langevin_prime(a), dtype=np.float64)
    big = a > 1e150  # 1/b^2 by (1/b)^2: b*b would overflow above 1.3e154 (and 1/sinh^2 b is 0 there)
    out = np.where(big, np.square(1.0 / np.where(big, a, 1.0)), out)
    return _scalar(out)


def inverse_langevin(m) -> np.ndarray | float:
    r"""The bias :math:`b` with :math:`L(b) = m`: the natural parameter of the CB law with mean ``m``.

    Safeguarded Newton iteration inside the bracket :math:`3|m| \le |b| \le 1/(1-|m|)`
    (from :math:`1 - 1/b < L(b) \le b/3`), on :math:`L(b) - m` for :math:`|m| \le 1/2`
    and on the complement :math:`1 - L(b) = 1/b - (\coth b - 1)` against the exact
    :math:`1 - |m|` above, so that means close to ±1 keep their accuracy.  At most
    100 iterations; converges to a few ulp.

    Parameters
    ----------
    m : array_like
        Means in [-1, 1]; ``±1`` give ``±inf``.

    Returns
    -------
    float or ndarray
        The biases, odd in ``m``.

    Raises
    ------
    TypeError
        If ``m`` is not real.
    ValueError
        If ``m`` contains NaN or values outside [-1, 1].
    """
    m = _real(m, "m")
    _no_nan(m, "m")
    if np.any(np.abs(m) > 1.0):
        raise ValueError("m must lie in [-1, 1] (it is the mean of a law on [-1, 1])")
    out = _inv_lang_vec(np.abs(m).ravel()).reshape(m.shape)
    out = np.sign(m) * out
    return _scalar(out)


@njit(cache=True)
def _lang_prime(b):
    """Scalar L'(b) = 1/b^2 - 1/sinh^2 b (series below the cutoff)."""
    a = abs(b)
    if a < 0.3:
        z2 = a * a
        acc = 0.0
        for k in range(_COTH_SERIES.size - 1, -1, -1):
            acc = acc * z2 + (2 * k + 1) * _COTH_SERIES[k]
        return acc
    if a == np.inf:
        return 0.0
    e = math.exp(-2.0 * a)
    return 1.0 / (a * a) - 4.0 * e / ((1.0 - e) * (1.0 - e))


@njit(cache=True)
def _inv_lang_scalar(a):
    """Inverse Langevin of 0 <= a <= 1 (safeguarded Newton, at most 100 steps)."""
    if a == 0.0:
        return 0.0
    if a == 1.0:
        return np.inf
    c = 1.0 - a  # exact for a >= 1/2 (Sterbenz)
    lo, hi = 3.0 * a, 1.0 / c
    b = a * (3.0 - a * a) / (c * (1.0 + a))  # Cohen's Pade approximant
    b = min(max(b, lo), hi)
    use_complement = a > 0.5
    for _ in range(100):
        if use_complement:  # f(b) = (1 - L(b)) - c, decreasing; here b >= 3a > 1.5
            e = math.exp(-2.0 * b)
            f = (1.0 / b - 2.0 * e / (1.0 - e)) - c
            if f > 0:
                lo = b
            else:
                hi = b
            new = b + f / _lang_prime(b)
        else:
            f = _lang(b) - a
            if f < 0:
                lo = b
            else:
                hi = b
            new = b - f / _lang_prime(b)
        if not (lo <= new <= hi) or not math.isfinite(new):
            new = 0.5 * (lo + hi)
        if abs(new - b) <= 4e-16 * abs(new) or hi - lo <= 4e-16 * hi:
            return new
        b = new
    return b


@njit(cache=True)
def _inv_lang_vec(a):
    out = np.empty(a.size)
    for k in range(a.size):
        out[k] = _inv_lang_scalar(a[k])
    return out


def _coth_m1(a):
    """coth(a) - 1 for a > 0 without overflow (2 e^{-2a} / (1 - e^{-2a}))."""
    a = np.asarray(a, dtype=np.float64)
    with np.errstate(over="ignore", under="ignore"):
        return 2.0 * np.exp(-2.0 * a) / (-np.expm1(-2.0 * a))


def cb_logpdf(x, b) -> np.ndarray | float:
    r"""Log-density :math:`b x - \log(2\sinh b/b)` of :math:`\mathcal{CB}(b)` at ``x`` (broadcast).

    Parameters
    ----------
    x : array_like
        States; values outside [-1, 1] have density 0 (log-density ``-inf``).
    b : array_like
        Natural parameters (finite).

    Returns
    -------
    float or ndarray
        Log-densities, evaluated as :math:`-|b|(1 - \mathrm{sign}(b)\,x) - (\log(1-e^{-2|b|}) - \log|b|)`
        so that :math:`bx` and the log-partition never cancel (near machine precision for every
        finite ``b``, e.g. at the mode :math:`x = \mathrm{sign}\,b` for :math:`|b| = 10^{300}`);
        ``-inf`` when the true value is below ``-1.8e308``.

    Raises
    ------
    TypeError, ValueError
        If an input is not real, is NaN/inf, or the shapes do not broadcast.
    """
    x = _real(x, "x", finite=True)
    b = _real(b, "b", finite=True)
    try:
        xb, bb = np.broadcast_arrays(x, b)
    except ValueError as exc:
        raise ValueError(f"x {x.shape} and b {b.shape} do not broadcast") from exc
    # b x - A(b) = -|b| (1 - sign(b) x) - (A(b) - |b|): no cancellation of b x against A(b) at large |b|
    with np.errstate(over="ignore"):
        out = -np.abs(bb) * (1.0 - np.sign(bb) * xb) - _log_sinhc2_minus_abs(bb)
    out = np.where(np.abs(xb) <= 1.0, out, -np.inf)
    return _scalar(out)


def cb_entropy(b) -> np.ndarray | float:
    r"""Differential entropy :math:`H(b) = A(b) - b L(b)` of :math:`\mathcal{CB}(b)`.

    For :math:`|b| \ge` ``LANGEVIN_SERIES_CUTOFF`` the two large terms are cancelled
    analytically, :math:`H = 1 - \log|b| + \log(1-e^{-2|b|}) - |b|(\coth|b| - 1)`;
    below it the series :math:`\log 2 - \sum_n c_n (1 - 1/2n) b^{2n}`
    (:math:`c_n` the coefficients of :math:`L`).  ``H(0) = log 2``; ``H -> -inf``
    as :math:`|b| \to \infty` (like :math:`1 - \log|b|`).

    Parameters
    ----------
    b : array_like
        Natural parameters; ``±inf`` give ``-inf``.

    Returns
    -------
    float or ndarray
        The entropies (nats), even in ``b``; error < 1e-15 times the largest of its terms.

    Raises
    ------
    TypeError, ValueError
        If ``b`` is not real or contains NaN.
    """
    b = _real(b, "b")
    _no_nan(b, "b")
    a = np.abs(b)
    out = np.empty_like(a)
    small = a < LANGEVIN_SERIES_CUTOFF
    s2 = a[small] ** 2
    n = np.arange(1, _COTH_SERIES.size + 1)
    coeffs = _COTH_SERIES * (1.0 - 1.0 / (2 * n))
    acc = np.zeros_like(s2)
    for cf in coeffs[::-1]:
        acc = acc * s2 + cf
    out[small] = math.log(2.0) - s2 * acc
    ab = a[~small]
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        tail = np.where(np.isinf(ab), 0.0, ab * _coth_m1(ab))
        out[~small] = 1.0 - np.log(ab) + np.log(-np.expm1(-2.0 * ab)) - tail
    return _scalar(out)


# Gauss-Legendre nodes and weights on [0, 1] for the integral form of the KL divergence.
_GL_X, _GL_W = np.polynomial.legendre.leggauss(16)
_GL_X = 0.5 * (_GL_X + 1.0)
_GL_W = 0.5 * _GL_W


def _d_minus_log1p(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """d - log(1 + d) with d = (p - q) / q for p, q > 0, accurate over the whole range: a series for
    |d| < 0.1, log1p(d) for d > -0.5, and log(p / q) (log p - log q if p / q underflows) below."""
    d = (p - q) / q
    out = np.empty_like(d)
    small = np.abs(d) < 0.1
    ds, acc = d[small], np.zeros(int(np.count_nonzero(small)))
    for k in range(20, 1, -1):  # sum_{k>=2} (-1)^k d^k / k
        acc = acc * (-ds) + 1.0 / k
    out[small] = ds * ds * acc
    mid = ~small & (d > -0.5)
    out[mid] = d[mid] - np.log1p(d[mid])
    low = ~small & ~mid
    r, lp, lq = p[low] / q[low], np.log(p[low]), np.log(q[low])   # log of the ratio: no cancelling logs of ~700
    out[low] = d[low] - np.where((r > 1e-300) & (np.abs(lq) > 64.0), np.log(np.maximum(r, 1e-300)), lp - lq)
    return out


def _log_sinhc2_minus_abs(b: np.ndarray) -> np.ndarray:
    """A(b) - |b| = log(1 - e^{-2|b|}) - log|b| (no cancellation of the large |b|)."""
    a = np.abs(b)
    big = a >= LANGEVIN_SERIES_CUTOFF
    out = np.empty_like(a)
    with np.errstate(under="ignore", over="ignore"):
        out[big] = np.log(-np.expm1(-2.0 * a[big])) - np.log(a[big])
    out[~big] = log_sinhc2(a[~big]) - a[~big]
    return out


def _one_minus_abs_langevin(b: np.ndarray) -> np.ndarray:
    """1 - |L(b)| = 1/|b| - (coth|b| - 1) above the series cutoff (accurate as |b| grows)."""
    a = np.abs(b)
    big = a >= LANGEVIN_SERIES_CUTOFF
    out = np.empty_like(a)
    out[big] = 1.0 / a[big] - _coth_m1(a[big])
    out[~big] = 1.0 - langevin(a[~big])
    return out


def _kl_flat(bq: np.ndarray, bp: np.ndarray) -> np.ndarray:
    """cb_kl of 1-d float arrays of one size (see cb_kl)."""
    out = np.empty(bq.size)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        delta = bp - bq  # inf for huge opposite biases: then not "near"
    near = np.abs(delta) <= 1.0
    if np.any(near):
        q, dl = bq[near], delta[near]
        s = q[:, None] + dl[:, None] * _GL_X[None, :]
        integrand = (1.0 - _GL_X)[None, :] * langevin_prime(s)
        out[near] = dl * dl * (integrand @ _GL_W)
    far = ~near
    aq, ap = np.abs(bq), np.abs(bp)
    cut = LANGEVIN_SERIES_CUTOFF
    same = far & (np.sign(bq) == np.sign(bp)) & (aq >= cut) & (ap >= cut)
    if np.any(same):
        q, p = aq[same], ap[same]
        with np.errstate(under="ignore", over="ignore"):
            g = np.log(-np.expm1(-2.0 * p)) - np.log(-np.expm1(-2.0 * q))
            # (d - log(1 + d)) - (p - q)(coth q - 1) with d = (p - q)/q; for p > 16 q, where d could
            # overflow, the same as (p - q)(1 - L(q)) - log(p/q), without cancellation there
            ratio = p > 16.0 * q
            val = np.empty(q.size)
            k = ~ratio
            val[k] = _d_minus_log1p(p[k], q[k]) - (p[k] - q[k]) * _coth_m1(q[k])
            val[ratio] = (p[ratio] - q[ratio]) * _one_minus_abs_langevin(q[ratio]) - (np.log(p[ratio])
                                                                                      - np.log(q[ratio]))
            out[same] = val + g
    rest = far & ~same
    if np.any(rest):
        q, p = bq[rest], bp[rest]
        # A(b) = |b| + B(b),  L(b_q) = sign(b_q) (1 - M(b_q)) with M = 1 - |L|:
        # D = (|b_p| - sign(b_q) b_p) + B(b_p) - B(b_q) + sign(b_q) (b_p - b_q) M(b_q), whose first and last
        # terms are (|b_p| - |b_q|) M(b_q) for biases of one sign and |b_p| (2 - M) - |b_q| M for opposite ones
        # (no b_p - b_q, which could overflow).
        ap_, aq_ = np.abs(p), np.abs(q)
        with np.errstate(over="ignore", under="ignore"):
            B_p, B_q = _log_sinhc2_minus_abs(p), _log_sinhc2_minus_abs(q)
            M_q = _one_minus_abs_langevin(q)
            one_sign = np.sign(q) * np.sign(p) > 0
            lin = np.where(one_sign, (ap_ - aq_) * M_q, ap_ * (2.0 - M_q) - aq_ * M_q)
            val = lin + B_p - B_q
            out[rest] = np.where(q == 0.0, log_sinhc2(p) - math.log(2.0), val)  # L(0) = 0: A(b_p) - A(0)
    return out


def cb_kl(b_q, b_p) -> np.ndarray | float:
    r"""KL divergence :math:`D(\mathcal{CB}(b_q)\Vert\mathcal{CB}(b_p))` (broadcast).

    :math:`D = A(b_p) - A(b_q) - (b_p - b_q)L(b_q) \ge 0` (module docstring), evaluated
    without cancellation: for :math:`|b_p - b_q| \le 1` as
    :math:`\int_{b_q}^{b_p}(b_p - s)L'(s)\,ds` with 16-point Gauss-Legendre
    (the integrand is positive and analytic within distance :math:`\pi` of the real
    axis, so the rule errs by far less than round-off); otherwise, when both biases
    have the same sign and :math:`|b| \ge` ``LANGEVIN_SERIES_CUTOFF``, as
    :math:`(d - \log(1+d)) + g(a_p) - g(a_q) - (a_p - a_q)(\coth a_q - 1)` with
    :math:`a = |b|`, :math:`d = (a_p - a_q)/a_q`, :math:`g(a) = \log(1 - e^{-2a})`;
    else by the closed form with the terms linear in :math:`|b|` cancelled.

    Parameters
    ----------
    b_q, b_p : array_like
        Natural parameters of the first and second law (finite).

    Returns
    -------
    float or ndarray
        The divergences (nats), ``>= 0``; relative error < 1e-14 for all finite biases (``inf`` only
        where the true value exceeds the float64 range, e.g. ``cb_kl(1e308, -1e308)``).

    Raises
    ------
    TypeError, ValueError
        If an input is not real, is NaN/inf, or the shapes do not broadcast.
    """
    bq = _real(b_q, "b_q", finite=True)
    bp = _real(b_p, "b_p", finite=True)
    try:
        bq, bp = np.broadcast_arrays(bq, bp)
    except ValueError as exc:
        raise ValueError(f"b_q {bq.shape} and b_p {bp.shape} do not broadcast") from exc
    bq, bp = bq.astype(np.float64).ravel(), bp.astype(np.float64).ravel()
    shape = np.broadcast_shapes(np.shape(b_q), np.shape(b_p))
    out = np.empty(0)  # in blocks of 65536 pairs: the quadrature's workspace stays 8 MiB
    out = np.concatenate([_kl_flat(bq[k:k + 2**16], bp[k:k + 2**16]) for k in range(0, bq.size, 2**16)] or [out])
    out = np.maximum(out, 0.0).reshape(shape)
    return _scalar(out)


def cb_sample(b, rng=None, size=None) -> np.ndarray | float:
    r"""Draw from :math:`\mathcal{CB}(b)` on [-1, 1] by the inverse CDF (one uniform per draw).

    Parameters
    ----------
    b : array_like
        Natural parameters (finite); broadcast against ``size``.
    rng : int, SeedSequence, numpy.random.Generator or None
        Source of randomness (same seed, same draws).
    size : int or tuple of int, optional
        Output shape (default: the shape of ``b``).

    Returns
    -------
    float or ndarray
        Samples in [-1, 1], within 8 ulp of 1 of the exact inverse CDF at the uniform drawn; the
        same numbers as :func:`run`'s kernel for the same uniforms.

    Raises
    ------
    TypeError, ValueError
        If ``b`` is not real or finite, ``size`` is malformed, or ``rng`` is not a seed/Generator.
    """
    b = _real(b, "b", finite=True)
    gen = as_generator(rng)
    if size is None:
        shape = b.shape
    else:
        if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
            shape = (as_int(size, "size"),)
        elif isinstance(size, tuple) and all(isinstance(k, (int, np.integer)) and not isinstance(k, bool)
                                             for k in size):
            shape = tuple(as_int(k, "size") for k in size)
        else:
            raise TypeError("size must be an int or a tuple of ints")
        try:
            np.broadcast_shapes(b.shape, shape)
        except ValueError as exc:
            raise ValueError(f"b {b.shape} does not broadcast to size {shape}") from exc
        if np.broadcast_shapes(b.shape, shape) != shape:
            raise ValueError(f"b {b.shape} does not broadcast to size {shape}")
        check_budget("size", nbytes=24 * math.prod(shape), what="samples, their uniforms and biases")
    bb = np.broadcast_to(b, shape)
    u = gen.random(shape)
    out = _draw_vec(np.ascontiguousarray(bb).ravel(), u.ravel()).reshape(shape)
    return _scalar(out)


@njit(cache=True)
def _lang(b):
    """Scalar Langevin function (series below the cutoff, overflow-free closed form above)."""
    a = abs(b)
    if a < 0.3:
        z2 = a * a
        acc = 0.0
        for k in range(_COTH_SERIES.size - 1, -1, -1):
            acc = acc * z2 + _COTH_SERIES[k]
        v = a * acc
    elif a == np.inf:
        v = 1.0
    else:
        e = math.exp(-2.0 * a)  # 1 - e >= 0.45 here, so it is accurate without expm1
        v = 1.0 + 2.0 * e / (1.0 - e) - 1.0 / a
    return v if b >= 0.0 else -v


@njit(cache=True)
def _draw(b, u):
    """Inverse CDF of CB(b) at the uniform u in [0, 1)."""
    a = abs(b)
    if a < 1e-150:
        return 2.0 * u - 1.0
    w = 1.0 - u if b > 0.0 else u  # mirror image for b < 0
    if a < 1.0:
        x = 1.0 + math.log1p(-w * (-math.expm1(-2.0 * a))) / a
    else:
        x = 1.0 + math.log((1.0 - w) + w * math.exp(-2.0 * a)) / a
    if x < -1.0:
        x = -1.0
    elif x > 1.0:
        x = 1.0
    return x if b > 0.0 else -x


@njit(cache=True)
def _draw_vec(b, u):
    out = np.empty(b.size)
    for k in range(b.size):
        out[k] = _draw(b[k], u[k])
    return out


# ---------------------------------------------------------------------------------------------
# The network: inference and learning in one kernel
# ---------------------------------------------------------------------------------------------

@njit(cache=True, error_model="numpy")
def _run_kernel(JT, bias, bias_stride, s, t0, n_steps, beta, lr, stochastic, sequential, manuscript, u, states,
                work, pcg):
    # JT is the transpose of J (JT[j, i] = J[i, j]): the inner loops run over i along
    # contiguous rows, with no reduction, so they vectorise without reordering any sum
    # (each h[i] is still accumulated in the order j = 0..N-1).
    # Steps t0 .. t0 + n_steps - 1; u holds their uniforms (n per step, in node order) when stochastic,
    # drawn by NumPy from the caller's generator: the same doubles, in the same order, as one
    # Generator.random() per node here (the stream's next_double), at a fraction of the cost.  With a
    # PCG64 state in pcg (parallel stochastic updates only), the pass over JT that computes a step's h
    # draws that step's uniforms into work[1] instead (_fep_kernels._pcg_next, the same doubles).
    # A parallel stochastic step draws the whole layer, and predicts it, with the vectorised functions of
    # _fep_kernels (equal to _draw and _lang to a few ulp); the other updates call _draw and _lang node by node.
    n = JT.shape[0]
    h, new, d = work[0], work[1], work[2]
    inline = pcg.size > 0
    if inline:
        u = new
    ku = 0
    have_h = False
    for t in range(t0, t0 + n_steps):
        row = t * bias_stride
        if not have_h:
            _fields_into(JT, s, h, pcg, u)
        have_h = False
        if sequential:
            # Gibbs sweep: node i sees the new states of nodes < i; h is kept current by
            # adding column i of J times the change of s[i]; d keeps the input each node saw.
            for i in range(n):
                d[i] = h[i]
                field = beta * (bias[row, i] + h[i])
                if stochastic:
                    v = _draw(field, u[ku])
                    ku += 1
                else:
                    v = _lang(field)
                dv = v - s[i]
                s[i] = v
                if dv != 0.0:
                    for k in range(n):
                        h[k] += JT[i, k] * dv
            for i in range(n):
                h[i] = d[i]
        else:
            if stochastic:
                for i in range(n):
                    d[i] = beta * (bias[row, i] + h[i])
                draw_fields(d, u, ku, s)
                ku += 0 if inline else n
            else:
                for i in range(n):
                    new[i] = _lang(beta * (bias[row, i] + h[i]))
                for i in range(n):
                    s[i] = new[i]
        if lr != 0.0:
            if stochastic and not sequential:
                # the whole layer's predictions at once (vectorised): of the fields still in d, or of h
                learning_signal(d if manuscript else h, s, lr, d)
            else:
                for i in range(n):
                    if manuscript:
                        pred = _lang(beta * (bias[row, i] + h[i]))
                    else:
                        pred = _lang(h[i])
                    d[i] = lr * (s[i] - pred)
            have_h = t + 1 < t0 + n_steps
            _learn_and_fields(JT, s, d, h, have_h, pcg, u)
        for i in range(n):
            states[t, i] = s[i]
    return states


#: Uniforms drawn per block (about 1 MiB): a long run draws them chunk by chunk.
_BLOCK_DRAWS = 2**17
_NO_DRAWS, _NO_PCG = np.empty(0), np.empty(0, dtype=np.uint64)


#: Largest ``N * 2 * learning_rate * n_steps`` (a bound on the growth of every input along a run: a step
#: changes a coupling by at most ``2 * learning_rate``) :func:`run` accepts, so that couplings stay finite.
MAX_INPUT_BOUND = 1e300


def _run_budget(n, n_steps, learning_rate, schedule):
    """Refuse, before allocating, a run beyond the memory and work limits or whose couplings could overflow."""
    check_budget(f"n_steps (with N = {n})", nbytes=8 * n_steps * n * (2 if schedule else 1) + 24 * n * n,
                 work=n_steps * n * (4 * n + 160), what="stored states and couplings; N * (4 N + 160) per step")
    if learning_rate > 0.0 and n * 2.0 * learning_rate * n_steps > MAX_INPUT_BOUND:
        raise ValueError(f"learning_rate too large: N * 2 * learning_rate * n_steps = "
                         f"{n * 2.0 * learning_rate * n_steps:.3g} > {MAX_INPUT_BOUND:.0e}, so the couplings "
                         f"could overflow")


def _validate_run(J, bias, n_steps, beta, learning_rate, stochastic, update, rule, sigma0):
    J = as_array(J, "J", ndim=2)
    if J.shape[0] != J.shape[1] or J.shape[0] == 0:
        raise ValueError(f"J must be a non-empty square matrix; got shape {J.shape}")
    n = J.shape[0]
    n_steps = as_int(n_steps, "n_steps", minimum=0)
    if n_steps * n > MAX_STATES:
        raise ValueError(f"n_steps * N = {n_steps * n} exceeds MAX_STATES = {MAX_STATES} stored values")
    bias = as_array(bias, "bias", ndim=(1, 2))
    if bias.ndim == 1:
        if bias.shape[0] != n:
            raise ValueError(f"bias must have N = {n} entries; got shape {bias.shape}")
        bias2, stride = bias[None, :], 0
    else:
        if bias.shape != (n_steps, n):
            raise ValueError(f"a bias schedule must have shape (n_steps, N) = {(n_steps, n)}; "
                             f"got {bias.shape}")
        bias2, stride = bias, 1
    beta = as_positive(beta, "beta")
    learning_rate = as_positive(learning_rate, "learning_rate", allow_zero=True)
    if not isinstance(stochastic, (bool, np.bool_)):
        raise TypeError(f"stochastic must be a bool; got {type(stochastic).__name__}")
    if not isinstance(update, str) or update not in _UPDATES:
        raise ValueError(f"update must be one of {_UPDATES}; got {update!r}")
    if not isinstance(rule, str) or rule not in _RULES:
        raise ValueError(f"rule must be one of {_RULES}; got {rule!r}")
    if sigma0 is None:
        s0 = np.zeros(n)
    else:
        s0 = as_array(sigma0, "sigma0", ndim=1).copy()
        if s0.shape[0] != n:
            raise ValueError(f"sigma0 must have N = {n} entries; got shape {s0.shape}")
        if np.any(np.abs(s0) > 1.0):
            raise ValueError("sigma0 must lie in [-1, 1]")
    return J, bias2, stride, n_steps, beta, learning_rate, bool(stochastic), update, rule, s0


def run(J, bias, n_steps, *, beta: float = 1.0, learning_rate: float = 0.0, stochastic: bool = True,
        update: str = "parallel", rule: str = "reference", sigma0=None, rng=None):
    r"""Run the [FEP] attractor network for ``n_steps`` steps, with optional learning.

    Each step updates every node, from :math:`\mathcal{CB}(\beta(b_i + \sum_j J_{ij}\sigma_j))`
    or its mean (module docstring).  ``J[i, i]`` multiplies the node's own previous
    state, as in the reference; keep the diagonal zero for the Boltzmann law
    :math:`e^{b\cdot\sigma + \sigma^\top J\sigma/2}`.  Learning never changes the diagonal.

    Parameters
    ----------
    J : array_like, shape (N, N)
        Couplings; ``J[i, j]`` is the weight from node ``j`` to node ``i``.  Not modified.
    bias : array_like, shape (N,) or (n_steps, N)
        Biases, fixed or one row per step (a schedule of evidence).
    n_steps : int
        Number of steps (a step updates all N nodes once).
    beta : float, default 1
        Inverse temperature (precision) multiplying the node's total input.
    learning_rate : float, default 0
        :math:`\eta \ge 0`; 0 switches learning off.
    stochastic : bool, default True
        Sample the new states (True) or set them to their means (False).
    update : {"parallel", "sequential"}
        All nodes from the previous state (the reference's update) or a Gibbs sweep
        in the order 0..N-1.
    rule : {"reference", "manuscript"}
        Which prediction the anti-Hebbian term uses: :math:`L(h_i)` (the reference
        code: no bias, no beta, input of the previous state) or
        :math:`L(\beta(b_i + h_i))` (the manuscript's rule).
    sigma0 : array_like, shape (N,), optional
        Initial state in [-1, 1] (default zeros, as the reference).
    rng : int, SeedSequence, numpy.random.Generator or None
        Source of the uniforms (one per node and step, drawn in node order; a
        Generator passed in is advanced).  Same seed, same result.

    Returns
    -------
    states : ndarray, shape (n_steps, N)
        The state after each step.
    J_out : ndarray, shape (N, N)
        The couplings after the run (a copy of ``J`` when ``learning_rate == 0``).

    Raises
    ------
    TypeError, ValueError
        On malformed input (named in the message): non-square or non-finite ``J``, a ``bias`` of the wrong
        shape, ``n_steps < 0``, ``beta <= 0``, a negative ``learning_rate``, an unknown ``update`` or
        ``rule``, ``sigma0`` outside [-1, 1].  Limits, refused before allocating: ``n_steps * N <=``
        :data:`MAX_STATES`, 1 GiB of memory and ``n_steps * N * (4N + 160)`` elementary steps (about ten
        seconds, ``attractors._validate``), ``N * 2 * learning_rate * n_steps <=`` :data:`MAX_INPUT_BOUND`.

    Notes
    -----
    A parallel stochastic step draws all N nodes, and computes the learning rule's N predictions, with the
    branch-free vectorised functions of ``attractors._fep_kernels`` (a few ulp from :func:`cb_sample` and
    :func:`langevin`, so :func:`run_reference` follows the same trajectory to round-off); from NumPy's PCG64
    (``default_rng``) it draws the uniforms itself, the same doubles as ``Generator.random``, and advances
    the Generator alike.  Sequential and deterministic updates compute node by node.
    """
    fast = fast_args(J, bias, n_steps, beta, learning_rate, stochastic, update, rule, sigma0, MAX_STATES)
    if fast is None:
        J, bias2, stride, n_steps, beta, lr, stochastic, update, rule, s0 = _validate_run(
            J, bias, n_steps, beta, learning_rate, stochastic, update, rule, sigma0)
        _run_budget(J.shape[0], n_steps, lr, stride == 1)
        JT = np.ascontiguousarray(J.T)
    else:
        JT, bias2, stride, n_steps, beta, lr, stochastic, s0 = fast
        _run_budget(JT.shape[0], n_steps, lr, stride == 1)
    gen = rng if type(rng) is np.random.Generator else as_generator(rng)
    n = JT.shape[0]
    states = np.empty((n_steps, n))
    work = np.empty((3, n))
    sequential, manuscript = update == "sequential", rule == "manuscript"
    # PCG64 and a long run: uniforms drawn in the kernel, one call; else NumPy draws them in blocks of ~1 MiB
    pcg, pcg_dict = (pcg_state(gen, n_steps * n) if stochastic and not sequential else None) or (None, None)
    chunk = n_steps if pcg is not None or not stochastic else max(1, _BLOCK_DRAWS // n)
    u = _NO_DRAWS if pcg is not None or not stochastic else np.empty(min(chunk, n_steps) * n)
    for t0 in range(0, n_steps, max(chunk, 1)):
        k = min(chunk, n_steps - t0)
        if u.size:
            gen.random(out=u[: k * n])
        _run_kernel(JT, bias2, stride, s0, t0, k, beta, lr, stochastic, sequential, manuscript, u, states, work,
                    _NO_PCG if pcg is None else pcg)
    if pcg is not None:
        pcg_store(gen, pcg, pcg_dict)
    if lr == 0.0:
        return states, J.copy()
    return states, np.ascontiguousarray(JT.T)


def run_reference(J, bias, n_steps, *, beta: float = 1.0, learning_rate: float = 0.0, stochastic: bool = True,
                  update: str = "parallel", rule: str = "reference", sigma0=None, rng=None):
    """Node-by-node NumPy/Python implementation of :func:`run` (same arguments, same results).

    It draws the same uniforms in the same order and applies the same formulas, one
    node and one coupling at a time, as a plain reading of the update; tests and
    benchmarks compare :func:`run` with it.  Slow: for small networks only.

    Parameters
    ----------
    J, bias, n_steps, beta, learning_rate, stochastic, update, rule, sigma0, rng
        As in :func:`run`.

    Returns
    -------
    states : ndarray, shape (n_steps, N)
    J_out : ndarray, shape (N, N)

    Raises
    ------
    TypeError, ValueError
        As :func:`run`; and if ``n_steps * N`` exceeds 10**6 or ``n_steps * N**2`` (twice with learning)
        exceeds 3.3e6 (it is a slow reference: about ten seconds there).
    """
    J, bias2, stride, n_steps, beta, lr, stochastic, update, rule, s = _validate_run(
        J, bias, n_steps, beta, learning_rate, stochastic, update, rule, sigma0)
    if n_steps * J.shape[0] > 10 ** 6:
        raise ValueError("n_steps * N must be <= 10**6 for the slow reference")
    # Python-level: ~3 us (6000 units of MAX_WORK) per coupling visited, twice with learning
    check_budget("n_steps", work=6000 * (2 if lr else 1) * n_steps * J.shape[0] ** 2, what="Python-level steps")
    gen = as_generator(rng)
    J = J.copy()
    n = J.shape[0]
    states = np.empty((n_steps, n))

    def mean(x):
        return float(langevin(x))

    def draw(x):
        u = gen.random()
        return float(_draw_vec(np.array([x]), np.array([u]))[0]) if stochastic else mean(x)

    for t in range(n_steps):
        b = bias2[t * stride]
        h = np.zeros(n)
        if update == "sequential":
            for i in range(n):
                h[i] = sum(J[i, j] * s[j] for j in range(n))
                s[i] = draw(beta * (b[i] + h[i]))
        else:
            for i in range(n):
                h[i] = sum(J[i, j] * s[j] for j in range(n))
            s = np.array([draw(beta * (b[i] + h[i])) for i in range(n)])
        if lr:
            for i in range(n):
                pred = mean(beta * (b[i] + h[i])) if rule == "manuscript" else mean(h[i])
                for j in range(n):
                    if j != i:
                        J[i, j] += lr * (s[i] - pred) * s[j]
        states[t] = s
    return states, J


# ---------------------------------------------------------------------------------------------
# Deterministic attractors
# ---------------------------------------------------------------------------------------------

class FixedPoints(NamedTuple):
    """Result of :func:`fixed_points`."""

    #: Distinct fixed points, shape (K, N), most frequent first.
    points: np.ndarray
    #: How many starts converged to each, shape (K,).
    counts: np.ndarray
    #: Starts that did not converge within ``max_iter`` (e.g. parallel 2-cycles).
    n_failed: int


@njit(cache=True)
def _relax(J, b, beta, s, max_iter, tol, sequential):
    n = J.shape[0]
    new = np.empty(n)
    for it in range(max_iter):
        delta = 0.0
        if sequential:
            for i in range(n):
                acc = 0.0
                for j in range(n):
                    acc += J[i, j] * s[j]
                v = _lang(beta * (b[i] + acc))
                delta = max(delta, abs(v - s[i]))
                s[i] = v
        else:
            for i in range(n):
                acc = 0.0
                for j in range(n):
                    acc += J[i, j] * s[j]
                new[i] = _lang(beta * (b[i] + acc))
            for i in range(n):
                delta = max(delta, abs(new[i] - s[i]))
                s[i] = new[i]
        if delta <= tol:
            return it + 1
    return -1


@njit(cache=True)
def _relax_rows(J, b, beta, S, max_iter, tol, sequential):
    """_relax for every row of S (in place); the iteration counts (-1: did not converge)."""
    out = np.empty(S.shape[0], dtype=np.int64)
    for k in range(S.shape[0]):
        out[k] = _relax(J, b, beta, S[k], max_iter, tol, sequential)
    return out


@njit(cache=True)
def _far(S, a, b, tol):
    """max_i |S[a, i] - S[b, i]| > tol, stopping at the first coordinate that shows it."""
    for i in range(S.shape[1]):
        if abs(S[a, i] - S[b, i]) > tol:
            return True
    return False


@njit(cache=True)
def _merge(S, its, merge_tol):
    """Greedy merge of the converged rows (max-norm): representatives (row indices) and their counts."""
    reps, counts, m = np.empty(S.shape[0], dtype=np.int64), np.zeros(S.shape[0], dtype=np.int64), 0
    for k in range(S.shape[0]):
        r = 0
        while its[k] >= 0 and r < m and _far(S, reps[r], k, merge_tol):
            r += 1
        if its[k] >= 0:
            reps[r], counts[r], m = k if r == m else reps[r], counts[r] + 1, max(m, r + 1)
    return reps[:m], counts[:m]


def _iteration_work(n: int) -> int:
    """One sweep of the mean-field map on N nodes in MAX_WORK's units (10 s of one core / 2e10): ~2 per
    in-order multiply-add, ~80 per Langevin function (measured in CPU time)."""
    return n * (2 * n + 80)


def fixed_points(J, bias, *, beta: float = 1.0, starts=64, update: str = "parallel", rng=None,
                 max_iter: int = 10_000, tol: float = 1e-10, merge_tol: float = 1e-6) -> FixedPoints:
    r"""Deterministic attractors: fixed points of :math:`\sigma = L(\beta(b + J\sigma))`.

    Iterates the mean-field update from each start (at most ``max_iter`` sweeps, stop
    when no state moves by more than ``tol``), then merges converged end points
    closer than ``merge_tol`` (max-norm).

    Parameters
    ----------
    J : array_like, shape (N, N)
        Couplings.
    bias : array_like, shape (N,)
        Biases.
    beta : float, default 1
        Inverse temperature.
    starts : int or array_like of shape (K, N)
        Number of random starts (uniform in [-1, 1]^N, drawn from ``rng``) or the starts.
    update : {"parallel", "sequential"}
        Parallel iteration (as the reference's ``relax``; can 2-cycle) or node by node.
    rng : int, SeedSequence, numpy.random.Generator or None
        For random starts.
    max_iter : int, default 10000
        Iteration bound per start.
    tol, merge_tol : float
        Convergence and merging tolerances (> 0).

    Returns
    -------
    FixedPoints
        ``points`` (K, N) most frequent first, ``counts`` (K,), ``n_failed``.

    Raises
    ------
    TypeError, ValueError
        On malformed input (named in the message); and, before any work, if the worst case -- every start iterated ``max_iter`` times, :math:`K\,\text{max\_iter}\,
        N(2N + 80)` steps (a sweep of N Langevin functions and :math:`N^2` in-order multiply-adds),
        plus :math:`K^2 N` for the merging -- exceeds
        ``attractors._validate.MAX_WORK`` (about ten seconds), naming ``starts`` and ``max_iter``.
    """
    J = as_array(J, "J", ndim=2)
    if J.shape[0] != J.shape[1] or J.shape[0] == 0:
        raise ValueError(f"J must be a non-empty square matrix; got shape {J.shape}")
    n = J.shape[0]
    bias = as_array(bias, "bias", ndim=1)
    if bias.shape[0] != n:
        raise ValueError(f"bias must have N = {n} entries; got shape {bias.shape}")
    beta = as_positive(beta, "beta")
    if not isinstance(update, str) or update not in _UPDATES:
        raise ValueError(f"update must be one of {_UPDATES}; got {update!r}")
    max_iter = as_int(max_iter, "max_iter", minimum=1)
    if max_iter > 10 ** 7:
        raise ValueError("max_iter must be <= 10**7")
    tol = as_positive(tol, "tol")
    merge_tol = as_positive(merge_tol, "merge_tol")
    if isinstance(starts, (int, np.integer)) and not isinstance(starts, bool):
        k = as_int(starts, "starts", minimum=1)
    else:
        S = as_array(starts, "starts", ndim=2).copy()
        if S.shape[1] != n or S.shape[0] == 0:
            raise ValueError(f"starts must have shape (K, N) with N = {n}; got {S.shape}")
        if np.any(np.abs(S) > 1.0):
            raise ValueError("starts must lie in [-1, 1]")
        k = S.shape[0]
    check_budget("starts and max_iter", nbytes=32 * k * n, work=k * max_iter * _iteration_work(n) + k * k * n,
                 what=f"{k} starts x {max_iter} iterations x N = {n}")
    if isinstance(starts, (int, np.integer)):
        S = as_generator(rng).uniform(-1.0, 1.0, size=(k, n))
    its = _relax_rows(J, bias, beta, S, max_iter, tol, update == "sequential")
    reps, counts = _merge(S, its, merge_tol)
    order = np.argsort(-counts, kind="stable")
    pts = np.ascontiguousarray(S[reps[order]]).reshape(reps.size, n)
    return FixedPoints(pts, counts[order], int(np.sum(its < 0)))


# --- Benchmarks ---------------------------------------------------------------------------

def benchmarks(quick: bool = True):
    """Steps of :func:`run` with learning (N = 64, parallel, stochastic) vs :func:`run_reference`.

    Both draw the same uniforms, so their final couplings must agree to round-off.  The
    in-silico experiments have their own (``attractors.insilico.benchmarks``).

    Parameters
    ----------
    quick : bool, default True
        Short runs (as in the test suite) instead of the longer ones of the appendix.

    Returns
    -------
    list of attractors.bench.Result
    """
    from attractors.bench import compare

    n = 64
    steps_ref = 20 if quick else 100
    g = np.random.default_rng(0)
    J0 = g.normal(0.0, 0.1, (n, n))
    np.fill_diagonal(J0, 0.0)
    b = g.normal(0.0, 1.0, n)

    # One Generator per side, reset to the same state before every call: numba unboxes a
    # Generator through its bit generator's ctypes interface, which costs ~1 ms the first
    # time it is built for a new object, and would otherwise dominate short runs.
    gen_k, gen_r = np.random.default_rng(1), np.random.default_rng(1)
    state = gen_k.bit_generator.state

    def reset(gen):
        gen.bit_generator.state = state
        return gen

    def kernel():
        return run(J0, b, steps_ref, beta=0.5, learning_rate=0.01, rng=reset(gen_k))[1]

    def reference():
        return run_reference(J0, b, steps_ref, beta=0.5, learning_rate=0.01, rng=reset(gen_r))[1]

    res = [compare("fep", "run (learning, parallel)", f"N={n}, {steps_ref} steps", kernel, reference,
                   note="same uniforms; compared couplings", repeat=3, min_time=0.02)]
    res += floor_benchmarks(quick)
    # cost per step against N: the kernel vs a vectorised NumPy step (BLAS matrix-vector product,
    # the same inverse-CDF draws from the same uniforms, the same learning rule)
    for n_big in ((256,) if quick else (64, 256, 1024, 4096)):
        steps = 10 if quick else max(10, 40_000 // n_big)
        Jb = g.normal(0.0, 1.0 / np.sqrt(n_big), (n_big, n_big))
        np.fill_diagonal(Jb, 0.0)
        bb = g.normal(0.0, 1.0, n_big)
        res.append(compare("fep", "run vs vectorised NumPy step", f"N={n_big}, {steps} steps",
                           lambda: run(Jb, bb, steps, beta=0.5, learning_rate=0.01, rng=reset(gen_k))[1],
                           lambda: _numpy_run(Jb, bb, steps, 0.5, 0.01, reset(gen_r)),
                           repeat=3, min_time=0.02,
                           note="per step: divide by the steps"))
    return res


def floor_benchmarks(quick: bool = True):
    """A step of :func:`run` against a baseline step, and the fixed cost of a call.

    The baseline (:func:`_floor_kernel`, not a lower bound: :func:`run` draws PCG64 uniforms within its pass over
    J, uses a vectorised ``exp`` and can beat it) is one BLAS gemv, N draws of numba's ``Generator.random()``, N
    libm ``exp`` and, with learning, a rank-1 update in one compiled loop; fraction = baseline / run per step.
    Both timed in interleaved rounds (:func:`attractors.bench.best_times`), one BLAS thread, parallel stochastic
    updates at beta = 0.17; fixed cost = one-step call minus one step, with one reused ``Generator``.

    Parameters
    ----------
    quick : bool, default True
        N = 64 only (else N = 16, 64, 256, 1024).

    Returns
    -------
    list of attractors.bench.Result
    """
    from threadpoolctl import threadpool_limits

    from attractors import bench

    out = []
    g = np.random.default_rng(2)
    with threadpool_limits(1):
        for n in ((64,) if quick else (16, 64, 256, 1024)):
            steps = max(20, min(4000, 2_000_000 // (n * n)))
            J0 = g.normal(0.0, 1.0 / np.sqrt(n), (n, n))
            np.fill_diagonal(J0, 0.0)
            b = g.normal(0.0, 1.0, n)
            gen_r, gen_f = np.random.default_rng(1), np.random.default_rng(1)
            for lr in (1e-3, 0.0):
                Jf, sf = J0.copy(), np.zeros(n)
                _floor_kernel(Jf, sf, 1, lr, gen_f)
                run(J0, b, 1, beta=0.17, learning_rate=lr, rng=gen_r)
                t_run, t_floor, t_one = bench.best_times(
                    [lambda: run(J0, b, steps, beta=0.17, learning_rate=lr, rng=gen_r),
                     lambda: _floor_kernel(Jf, sf, steps, lr, gen_f),
                     lambda: run(J0, b, 1, beta=0.17, learning_rate=lr, rng=gen_r)],
                    repeat=3 if quick else 7, min_time=0.02 if quick else 0.1)
                step, floor_step = t_run / steps, t_floor / steps
                fixed = max(t_one - step, 0.0)
                label = "learning" if lr else "no learning"
                out.append(bench.Result(
                    "fep", f"run step vs baseline ({label})", f"N={n}, {steps} steps", t_run, t_floor,
                    f"{step * 1e6:.3g} us/step, baseline {floor_step * 1e6:.3g} us/step; fixed cost per call "
                    f"{fixed * 1e6:.3g} us", None, "BLAS gemv + N draws + N exp" + (" + rank-1" if lr else ""),
                    floor_step / step))
    return out


def reference_ratio(clone, sizes=(16, 64, 256, 1024), *, beta: float = 0.17, learning_rate: float = 1e-3):
    """Time the reference implementation's ``AttractorNetwork.update`` against :func:`run`, side by side.

    ``clone`` is the path of the reader's own clone of the public repository
    pni-lab/fep-attractor-network (its ``simulation/network.py``); nothing of it is part of this package.
    Its plotting imports (seaborn, networkx, netgraph, tqdm) are replaced by empty modules if they are
    not installed, since ``update`` does not use them.  Both sides run the same network (N nodes, zero
    diagonal, normal couplings of scale 0.1, normal biases) with learning, one BLAS thread, in three
    pairs of rounds (reference, then ``fep.run``), the best of three rounds of each (one pair of two rounds
    for N > 256, where one step of the reference takes seconds).

    Parameters
    ----------
    clone : str or path
        Folder of the clone (the one holding ``simulation/``).
    sizes : sequence of int
        Network sizes N.

    Returns
    -------
    dict
        ``N -> (reference seconds per step, fep.run seconds per step)``.
    """
    import sys, time, types  # noqa: E401
    from pathlib import Path

    from threadpoolctl import threadpool_limits

    root = Path(clone)
    if not (root / "simulation" / "network.py").is_file():
        raise ValueError(f"clone must be a folder holding simulation/network.py; got {clone!r}")
    for name in ("seaborn", "networkx", "netgraph", "tqdm"):
        try:
            __import__(name)
        except ImportError:
            stub = types.ModuleType(name)
            stub.Graph, stub.get_bipartite_layout, stub.tqdm = None, (lambda *a, **k: None), (lambda x, *a, **k: x)
            sys.modules[name] = stub
    sys.path.insert(0, str(root))
    try:
        from simulation.network import AttractorNetwork
    finally:
        sys.path.remove(str(root))

    def best(fn, rounds=3):
        out = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
        return min(out)

    res = {}
    with threadpool_limits(1):
        for n in sizes:
            g = np.random.default_rng(0)
            J = g.normal(0.0, 0.1, (n, n))
            np.fill_diagonal(J, 0.0)
            b = g.normal(0.0, 1.0, n)
            net = AttractorNetwork(J.copy(), b.copy(), rng=np.random.default_rng(1))
            ref_steps, our_steps = max(1, 2000 // n), max(200, 400_000 // n)
            pairs, rounds = (3, 3) if n <= 256 else (1, 2)
            gen = np.random.default_rng(1)

            def ref():
                for _ in range(ref_steps):
                    net.update(inverse_temperature=beta, learning_rate=learning_rate)

            def ours():
                run(J, b, our_steps, beta=beta, learning_rate=learning_rate, rng=gen)

            ref()
            ours()
            times = [(best(ref, rounds) / ref_steps, best(ours, rounds) / our_steps) for _ in range(pairs)]
            res[int(n)] = (min(p[0] for p in times), min(p[1] for p in times))
    return res


#: Names of the in-silico experiments that ``attractors.fep`` re-exported before they moved to
#: :mod:`attractors.insilico`; reading them from ``fep`` still works, with a DeprecationWarning.
_MOVED = frozenset({
    "EVIDENCE_LEVELS", "INVERSE_TEMPERATURES", "digits_patterns", "cross_patterns", "hebbian_couplings",
    "projector_couplings", "pattern_angles", "orthogonality", "count_distinct", "deterministic_attractors",
    "reconstruction_r2", "train", "evaluate", "simulation2_point", "sweep",
})


def __getattr__(name):
    if name in _MOVED:
        import importlib
        import warnings

        warnings.warn(f"attractors.fep.{name} moved to attractors.insilico.{name}; import it from there",
                      DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module("attractors.insilico"), name)
    raise AttributeError(f"module 'attractors.fep' has no attribute {name!r}")
