r"""Stable numerical building blocks used by every chapter of the book.

The appendix *Numerics primer* (``book/appendix/numerics_primer.ipynb``)
derives each formula below and checks it against the naive form where the
naive form is accurate, and against series or asymptotics where it is not.

Log-sum-exp and softmax
    :math:`\operatorname{lse}_\beta(x) = \beta^{-1}\log\sum_i e^{\beta x_i}
    = \max_i x_i + \beta^{-1}\log\sum_i e^{\beta(x_i - \max_j x_j)}`.
    The shifted form never overflows (every exponent is :math:`\le 0`) and
    keeps the largest term exactly 1, so the sum is in :math:`[1, n]`.
    :math:`\operatorname{softmax}_\beta(x)_i = e^{\beta x_i}/\sum_j e^{\beta x_j}`
    is computed with the same shift.  At :math:`\beta=\infty` the
    log-sum-exp is the maximum and the softmax is uniform on the arg-max set.

Log-cosh
    :math:`\log\cosh x = |x| + \log(1 + e^{-2|x|}) - \log 2`, finite for every
    finite :math:`x` (the naive form overflows for :math:`|x| > 710`).  For
    :math:`|x| < 1` that form cancels (the result is about :math:`x^2/2`), so
    there we use :math:`\log\cosh x = \operatorname{log1p}(2\sinh^2(x/2))`.

Langevin function
    :math:`L(b) = \coth b - 1/b`, the mean of the continuous Bernoulli law on
    :math:`[-1, 1]` with density :math:`\propto e^{b x}` (used in Part V).  Near
    :math:`b = 0` the two terms cancel catastrophically; there we use the
    series :math:`L(b) = \sum_{n\ge1} 2^{2n}B_{2n}b^{2n-1}/(2n)! = b/3 - b^3/45 + 2b^5/945 - \dots`
    (:math:`B_{2n}` the Bernoulli numbers; nine terms).  For
    large :math:`|b|`, :math:`\coth b` is evaluated as
    :math:`\operatorname{sign}(b)(1 + 2 e^{-2|b|}/(1 - e^{-2|b|}))`, which
    neither overflows nor loses the tail.  Its derivative
    :math:`L'(b) = 1/b^2 - 1/\sinh^2 b` (the variance of the same law) gets
    the same treatment, with the differentiated series :math:`1/3 - b^2/15 + 2b^4/189 - \dots`.

The log-partition of the continuous Bernoulli law,
:math:`\log\int_{-1}^{1} e^{bx}dx = \log(2\sinh b / b)`, has ``L`` as its
derivative and is provided as :func:`log_sinhc2`.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

__all__ = [
    "logsumexp",
    "softmax",
    "logcosh",
    "langevin",
    "langevin_prime",
    "log_sinhc2",
    "LANGEVIN_SERIES_CUTOFF",
]

#: Below this |b| the Langevin function and its derivative use their series.
#: The closed form ``coth b - 1/b`` loses about ``3 eps / b^2`` relative accuracy
#: to cancellation; the 9-term series errs by about ``1e-7 |b|^16`` relatively.
#: The two balance near |b| = 0.3, where both are below 1e-14 (see the primer).
LANGEVIN_SERIES_CUTOFF = 0.3

# coth x - 1/x = sum_{n>=1} c_n x^(2n-1) with c_n = 2^(2n) B_(2n) / (2n)!
# (B_(2n) the Bernoulli numbers): 1/3, -1/45, 2/945, -1/4725, ...
_BERNOULLI_2N = [
    Fraction(1, 6), Fraction(-1, 30), Fraction(1, 42), Fraction(-1, 30), Fraction(5, 66),
    Fraction(-691, 2730), Fraction(7, 6), Fraction(-3617, 510), Fraction(43867, 798),
]
_COTH_SERIES = np.array(
    [float(Fraction(2 ** (2 * n)) * b / math.factorial(2 * n)) for n, b in enumerate(_BERNOULLI_2N, start=1)]
)


def _series(z2: np.ndarray, coeffs: np.ndarray) -> np.ndarray:
    """Horner evaluation of sum_k coeffs[k] * z2**k."""
    out = np.zeros_like(z2)
    for c in coeffs[::-1]:
        out = out * z2 + c
    return out


def _as_float_array(x, name: str) -> np.ndarray:
    """``x`` as a float64 array; NaN is refused (it has no value to compute with), ``±inf`` allowed."""
    try:
        arr = np.asarray(x)
    except ValueError as exc:  # ragged nested sequences
        raise TypeError(f"{name} must be a real number or a numeric array; got {type(x).__name__}") from exc
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must be a real number or a numeric array; got {type(x).__name__}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real; got a complex array")
    arr = arr.astype(np.float64, copy=False)
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not contain NaN")
    return arr


def _check_axis(axis, ndim: int) -> int:
    """A valid axis of an ``ndim``-dimensional array, as a non-negative int."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an integer; got {type(axis).__name__}")
    if not -ndim <= int(axis) < ndim:
        raise ValueError(f"axis must be in [-{ndim}, {ndim}) for x with {ndim} dimension(s); got {axis}")
    return int(axis) % ndim


def _check_beta(beta) -> float:
    if isinstance(beta, (bool, np.bool_)) or not isinstance(beta, (int, float, np.integer, np.floating)):
        raise TypeError(f"beta must be a real number; got {type(beta).__name__}")
    try:
        beta = float(beta)
    except OverflowError as exc:
        raise ValueError(f"beta is too large for a float64; got an integer of {int(beta).bit_length()} bits") from exc
    if math.isnan(beta) or beta <= 0:
        raise ValueError(f"beta must be > 0 (np.inf allowed); got {beta}")
    return beta


def _scaled_shift(a: np.ndarray, m: np.ndarray, beta: float) -> np.ndarray:
    """``beta * (a - m)`` (every entry <= 0) where ``a - m`` itself may overflow.

    Entries of opposite sign near the float64 limit (``1.7e308`` and ``-1.7e308``) differ by more than
    the largest float; their scaled difference can still be small (``beta = 1e-308``).  There the
    difference is taken in halves, ``2 beta (a/2 - m/2)``.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        d = a - m
        out = beta * d
        bad = np.isinf(d) & np.isfinite(a)
        if bad.any():
            out = np.where(bad, (beta * (0.5 * a - 0.5 * m)) * 2.0, out)
    return np.where(d == 0.0, 0.0, out)   # beta = inf times 0


def logsumexp(x, beta: float = 1.0, axis: int = -1) -> np.ndarray | float:
    r"""Stable :math:`\beta^{-1}\log\sum_i e^{\beta x_i}` along ``axis``.

    Implements the shifted form of the module docstring, exact to round-off
    for any ``beta > 0``; ``beta = np.inf`` returns the maximum.

    Parameters
    ----------
    x : array_like
        Values; ``-inf`` entries contribute nothing.
    beta : float, default 1.0
        Inverse temperature, ``> 0``; ``np.inf`` allowed.
    axis : int, default -1
        Axis to reduce.

    Returns
    -------
    float or ndarray
        The reduced values (a float for 1-D input).  ``inf`` only where the true value exceeds
        the float64 range (e.g. ``beta = 5e-324``, where :math:`\beta^{-1}\log n` does); the
        shift :math:`\beta(x_i - \max x)` is exact also when :math:`x_i - \max x` overflows.

    Raises
    ------
    ValueError
        If ``x`` is empty along ``axis``, contains NaN or ``+inf``, or
        ``beta <= 0``.
    TypeError
        If ``x`` or ``beta`` is not real.
    """
    a = _as_float_array(x, "x")
    beta = _check_beta(beta)
    if a.ndim == 0:
        a = a[None]
    axis = _check_axis(axis, a.ndim)
    if a.shape[axis] == 0:
        raise ValueError("x must not be empty along axis")
    if np.isnan(a).any() or np.isposinf(a).any():
        raise ValueError("x must not contain NaN or +inf")
    m = np.max(a, axis=axis, keepdims=True)
    if np.isinf(beta):
        out = np.squeeze(m, axis=axis)
    else:
        # Where every entry is -inf the max is -inf; keep the shift finite there.
        m_safe = np.where(np.isfinite(m), m, 0.0)
        s = np.sum(np.exp(_scaled_shift(a, m_safe, beta)), axis=axis, keepdims=True)
        with np.errstate(divide="ignore"):
            out = np.squeeze(m_safe + np.log(s) / beta, axis=axis)
    return float(out) if np.ndim(out) == 0 else out


def softmax(x, beta: float = 1.0, axis: int = -1) -> np.ndarray:
    r"""Stable :math:`\operatorname{softmax}_\beta(x)_i = e^{\beta x_i}/\sum_j e^{\beta x_j}`.

    Shifted by the maximum, so no exponent is positive; at ``beta = np.inf``
    the result is uniform on the arg-max set (the limit of the softmax).

    Parameters
    ----------
    x : array_like
        Logits (``-inf`` allowed, giving probability 0).
    beta : float, default 1.0
        Inverse temperature, ``> 0``; ``np.inf`` allowed.
    axis : int, default -1
        Axis along which the result sums to one.

    Returns
    -------
    ndarray
        Probabilities, same shape as ``x``, summing to 1 along ``axis``.

    Raises
    ------
    ValueError
        If ``x`` is empty along ``axis``, contains NaN or ``+inf``, is all
        ``-inf`` along ``axis``, or ``beta <= 0``.
    TypeError
        If ``x`` or ``beta`` is not real.
    """
    a = _as_float_array(x, "x")
    beta = _check_beta(beta)
    if a.ndim == 0:
        a = a[None]
    axis = _check_axis(axis, a.ndim)
    if a.shape[axis] == 0:
        raise ValueError("x must not be empty along axis")
    if np.isnan(a).any() or np.isposinf(a).any():
        raise ValueError("x must not contain NaN or +inf")
    m = np.max(a, axis=axis, keepdims=True)
    if not np.all(np.isfinite(m)):
        raise ValueError("x must have at least one finite entry along axis")
    if np.isinf(beta):
        e = (a == m).astype(np.float64)
    else:
        e = np.exp(_scaled_shift(a, m, beta))
    return e / np.sum(e, axis=axis, keepdims=True)


def logcosh(x) -> np.ndarray | float:
    r"""Overflow-free :math:`\log\cosh x` (module docstring: two forms, no cancellation).

    Parameters
    ----------
    x : array_like
        Real values (``±inf`` give ``inf``).

    Returns
    -------
    float or ndarray
        ``log(cosh(x))``, accurate to a few ulp for all finite ``x``.
    """
    a = np.abs(_as_float_array(x, "x"))
    with np.errstate(over="ignore"):
        small = np.log1p(2.0 * np.sinh(np.minimum(a, 1.0) / 2.0) ** 2)
    large = a + np.log1p(np.exp(-2.0 * a)) - math.log(2.0)
    out = np.where(a < 1.0, small, large)
    return float(out) if np.ndim(out) == 0 else out


def _coth_minus_one_scaled(a: np.ndarray) -> np.ndarray:
    """coth(a) - 1 = 2 e^{-2a} / (1 - e^{-2a}) for a > 0, without overflow."""
    with np.errstate(over="ignore", under="ignore"):
        t = np.exp(-2.0 * a)
        return 2.0 * t / (-np.expm1(-2.0 * a))


def langevin(b) -> np.ndarray | float:
    r"""The Langevin function :math:`L(b) = \coth b - 1/b`, with :math:`L(0) = 0`.

    It is the mean of the continuous Bernoulli law on :math:`[-1, 1]` with
    density proportional to :math:`e^{b x}`; [FEP] uses it as the activation
    of its attractor network.  Series for :math:`|b| <` ``LANGEVIN_SERIES_CUTOFF``
    and an overflow-free closed form elsewhere (module docstring).

    Parameters
    ----------
    b : array_like
        Bias (natural parameter); ``±inf`` give ``±1``.

    Returns
    -------
    float or ndarray
        Values in :math:`(-1, 1)`, odd in ``b``.
    """
    x = _as_float_array(b, "b")
    a = np.abs(x)
    out = np.empty_like(a)
    small = a < LANGEVIN_SERIES_CUTOFF
    s = a[small]
    out[small] = s * _series(s * s, _COTH_SERIES)
    big = ~small
    ab = a[big]
    with np.errstate(divide="ignore", invalid="ignore"):
        out[big] = 1.0 + _coth_minus_one_scaled(ab) - 1.0 / ab
    out[np.isinf(a)] = 1.0
    out = np.sign(x) * out
    out = np.where(np.isnan(x), np.nan, out)
    return float(out) if np.ndim(out) == 0 else out


def langevin_prime(b) -> np.ndarray | float:
    r"""Derivative :math:`L'(b) = 1/b^2 - 1/\sinh^2 b`, with :math:`L'(0) = 1/3`.

    It is the variance of the continuous Bernoulli law with natural parameter
    ``b``; series near 0, and :math:`1/\sinh^2 b = 4e^{-2|b|}/(1-e^{-2|b|})^2`
    elsewhere (no overflow).

    Parameters
    ----------
    b : array_like
        Bias (natural parameter).

    Returns
    -------
    float or ndarray
        Values in :math:`(0, 1/3]`, even in ``b``.
    """
    x = _as_float_array(b, "b")
    a = np.abs(x)
    out = np.empty_like(a)
    small = a < LANGEVIN_SERIES_CUTOFF
    n = np.arange(1, _COTH_SERIES.size + 1)
    out[small] = _series(a[small] ** 2, (2 * n - 1) * _COTH_SERIES)
    big = ~small
    ab = a[big]
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        t = np.exp(-2.0 * ab)
        inv_sinh2 = 4.0 * t / np.expm1(-2.0 * ab) ** 2
        out[big] = 1.0 / (ab * ab) - inv_sinh2
    out[np.isinf(a)] = 0.0
    out = np.where(np.isnan(x), np.nan, out)
    return float(out) if np.ndim(out) == 0 else out


def log_sinhc2(b) -> np.ndarray | float:
    r"""Log-partition of the continuous Bernoulli law, :math:`\log(2\sinh(b)/b)`.

    Equal to :math:`\log\int_{-1}^{1}e^{bx}\,dx`; its derivative is
    :func:`langevin`.  Computed as :math:`|b| + \log(1-e^{-2|b|}) - \log|b|`
    for :math:`|b| \ge` ``LANGEVIN_SERIES_CUTOFF`` and by the integrated series
    :math:`\log 2 + b^2/6 - b^4/180 + \dots` below it.

    Parameters
    ----------
    b : array_like
        Natural parameter.

    Returns
    -------
    float or ndarray
        The log-partition, even in ``b``, equal to ``log 2`` at ``b = 0``.
    """
    x = _as_float_array(b, "b")
    a = np.abs(x)
    out = np.empty_like(a)
    small = a < LANGEVIN_SERIES_CUTOFF
    s2 = a[small] ** 2
    n = np.arange(1, _COTH_SERIES.size + 1)
    out[small] = math.log(2.0) + s2 * _series(s2, _COTH_SERIES / (2 * n))
    big = ~small
    ab = a[big]
    with np.errstate(divide="ignore", invalid="ignore"):
        out[big] = ab + np.log(-np.expm1(-2.0 * ab)) - np.log(ab)
    out[np.isinf(a)] = np.inf  # log(2 sinh(b)/b) -> +inf as |b| -> inf (the formula gives inf - inf)
    return float(out) if np.ndim(out) == 0 else out
