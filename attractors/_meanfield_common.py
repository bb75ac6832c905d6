"""Argument checks, size limits and accurate small-argument helpers shared by the mean-field modules.

Private: :mod:`attractors.curie_weiss`, :mod:`attractors.lowload` and :mod:`attractors.highload`
import from here; nothing else does.

Near a continuous transition the stationarity equations cancel: :math:`\\tanh y - m` with
:math:`y = \\beta J m + \\beta h` is a difference of two nearly equal numbers when :math:`y` is small.
:func:`_tanh_minus_x` gives :math:`\\tanh y - y` to full relative precision (its odd series for
:math:`|y| < 0.3`), and :func:`_excess` gives :math:`\\beta J - 1` exactly rounded (rational
arithmetic), so that :math:`\\tanh y - m = (\\tanh y - y) + (\\beta J - 1)m + \\beta h` keeps every digit.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from attractors._validate import as_int, as_positive

__all__ = ["MAX_SIZE", "MAX_NUMPY_WORK"]

#: Largest number of spins / mixture order / patterns for which arrays of that length are built.
#: An exact finite-N Curie--Weiss law of this size takes about 5 s (three ``gammaln`` passes,
#: one ``exp`` pass over N + 1 numbers).
MAX_SIZE = 2 * 10**6

#: Largest amount of vectorised NumPy work (element operations: one multiply-add, one ``tanh``)
#: a mean-field call may do, about ten seconds on one loaded core of the book's machine.  The
#: mean-field functions run NumPy, not compiled loops, so their limit is lower than
#: ``attractors._validate.MAX_WORK``.
MAX_NUMPY_WORK = 10**9


def _size(x, name, *, minimum=1, maximum=MAX_SIZE):
    x = as_int(x, name, minimum=minimum)
    if x > maximum:
        raise ValueError(f"{name} must be <= {maximum}; got {x}")
    return x


def _beta(beta, name="beta"):
    return as_positive(beta, name, allow_inf=True)


def _real(x, name):
    """A finite real scalar (Python ints of any size are converted or refused naming ``name``)."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number; got {type(x).__name__}")
    try:
        v = float(x)
    except OverflowError as exc:
        raise ValueError(f"{name} is too large for a float64; got an integer of {int(x).bit_length()} bits") from exc
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite; got {v}")
    return v


def _bernoulli_2n(count):
    """B_2, B_4, ..., B_{2 count} as Fractions (Akiyama--Tanigawa)."""
    out, a = [], []
    for m in range(2 * count + 1):
        a.append(Fraction(1, m + 1))
        for j in range(m, 0, -1):
            a[j - 1] = j * (a[j - 1] - a[j])
        if m >= 2 and m % 2 == 0:
            out.append(a[0])
    return out


# tanh y - y = sum_{n>=2} c_n y^(2n-1), c_n = 2^(2n) (2^(2n) - 1) B_(2n) / (2n)!; 14 terms: the neglected
# tail is below 1e-19 relative for |y| < 0.3 (successive terms shrink by about (2y/pi)^2 < 0.037)
_TANH_COEFFS = [float(Fraction(2 ** (2 * n) * (2 ** (2 * n) - 1)) * b / math.factorial(2 * n))
                for n, b in enumerate(_bernoulli_2n(15), start=1)][1:]
_TANH_SERIES_CUTOFF = 0.3


def _tanh_minus_x(y):
    """``tanh(y) - y`` to full relative precision (scalar or array)."""
    y = np.asarray(y, dtype=np.float64)
    small = np.abs(y) < _TANH_SERIES_CUTOFF
    ys = np.where(small, y, 0.0)
    z = ys * ys
    acc = np.zeros_like(ys)
    for c in _TANH_COEFFS[::-1]:
        acc = acc * z + c
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.where(small, acc * z * ys, np.tanh(y) - y)
    return float(out) if out.ndim == 0 else out


def _excess(beta, J=1.0):
    """``beta * J - 1`` correctly rounded (``inf`` when the product is infinite)."""
    if math.isinf(beta) or math.isinf(J) or beta * J > 1e300:
        return beta * J
    return float(Fraction(beta) * Fraction(J) - 1)


def _sech2(x):
    """``sech(x)**2`` without overflow and to full relative precision for large ``|x|`` (array)."""
    e = np.exp(-2.0 * np.abs(np.asarray(x, dtype=np.float64)))
    return 4.0 * e / (1.0 + e) ** 2


def _finite_result(value, names, what):
    """Refuse (ValueError naming ``names``) a result that is beyond the float64 range."""
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{what} is beyond the float64 range for these {names}; its true value overflows")
    return value


def _ndim(x):
    """``np.ndim(x)``, with a ragged nested sequence counted as an array (so that it reaches ``as_array``,
    which refuses it naming the argument, instead of NumPy's error)."""
    try:
        return np.ndim(x)
    except ValueError:
        return 1
