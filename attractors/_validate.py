"""Input validation and random-number plumbing shared by the public functions.

Every public function of :mod:`attractors` validates its arguments here and
raises ``TypeError`` / ``ValueError`` whose message names the argument, then
hands plain contiguous arrays to its private numba kernel.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["as_generator", "as_array", "as_patterns", "as_spins", "as_positive", "as_int", "MAX_BYTES", "MAX_WORK",
           "check_budget"]

#: Largest allocation (bytes) a public call may make for its answer and its workspace, together.  A call
#: that would need more is refused *before* anything is allocated, naming the argument that sets the size.
MAX_BYTES = 2**30

#: Largest amount of work (elementary floating-point steps: one multiply-add, one draw, one exp) a public
#: call may do: about ten seconds of compiled work on one core of the machine the book is built on.  A
#: call that would do more is refused before it starts, naming the argument; split it into calls.
MAX_WORK = 2 * 10**10


def as_generator(rng, name: str = "rng") -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from a seed, a Generator or ``None``.

    ``None`` gives a fresh, unseeded generator; an ``int`` or a
    ``SeedSequence`` seeds a new one; a Generator is returned as it is (so
    draws advance the caller's stream).  Same seed, same result.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (numbers.Integral, np.random.SeedSequence)):
        if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and rng < 0:
            raise ValueError(f"{name} must be a non-negative seed; got {rng}")
        if isinstance(rng, bool):
            raise TypeError(f"{name} must be a seed, a SeedSequence or a numpy Generator; got bool")
        return np.random.default_rng(rng)
    raise TypeError(f"{name} must be a seed, a SeedSequence or a numpy Generator; got {type(rng).__name__}")


def as_array(x, name: str, *, ndim: int | tuple[int, ...] | None = None, dtype=np.float64,
             finite: bool = True) -> np.ndarray:
    """Convert ``x`` to a C-contiguous array of ``dtype``, checking its rank and finiteness.

    Every way a conversion can fail is reported naming ``name``: a ragged nested sequence, strings,
    Python integers too large for float64 (``>= 2**1024``), complex values.  A read-only array is
    copied, so that the numba kernels see one array type (a read-only array would trigger a
    compilation of its own).
    """
    try:
        arr = np.asarray(x)
    except ValueError as exc:  # ragged nested sequences
        raise ValueError(f"{name} must be a rectangular array of numbers; got a ragged {type(x).__name__}") from exc
    if arr.dtype == object:  # e.g. Python ints beyond int64: convert them, or say why not
        try:
            arr = np.asarray(x, dtype=np.float64)
        except OverflowError as exc:
            raise ValueError(f"{name} has a number too large for float64") from exc
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be a numeric array; got {type(x).__name__} of non-numeric objects") from exc
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must be a numeric array; got {type(x).__name__} of dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimension(s); got shape {arr.shape}")
    try:
        arr = np.ascontiguousarray(arr, dtype=dtype)
    except OverflowError as exc:
        raise ValueError(f"{name} has a number too large for {np.dtype(dtype).name}") from exc
    if not arr.flags.writeable:
        arr = arr.copy()
    if finite and np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr


def as_patterns(patterns, name: str = "patterns", *, binary: bool = False, finite: bool = True) -> np.ndarray:
    """Patterns as rows, shape ``(P, N)`` float64; a 1-D input is one pattern.

    With ``binary=True`` every entry must be ``+1`` or ``-1``; ``finite=False`` leaves the check for NaN and
    inf to the caller (one that computes a norm anyway and checks that instead).
    """
    arr = as_array(patterns, name, ndim=(1, 2), finite=finite)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one pattern and one unit; got shape {arr.shape}")
    if binary and not np.all(np.abs(arr) == 1.0):
        raise ValueError(f"{name} must contain only +1 and -1")
    return arr


def as_spins(s, n: int | None = None, name: str = "s") -> np.ndarray:
    """A state of ±1 spins (1-D, or a batch as rows), float64, optionally of length ``n``."""
    arr = as_array(s, name, ndim=(1, 2))
    if n is not None and arr.shape[-1] != n:
        raise ValueError(f"{name} must have {n} units; got shape {arr.shape}")
    if not np.all(np.abs(arr) == 1.0):
        raise ValueError(f"{name} must contain only +1 and -1")
    return arr


def as_positive(x, name: str, *, allow_inf: bool = False, allow_zero: bool = False) -> float:
    """A real scalar > 0 (or >= 0 with ``allow_zero``); ``inf`` only with ``allow_inf``."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {type(x).__name__}")
    try:
        v = float(x)
    except OverflowError as exc:
        raise ValueError(f"{name} is too large for a float64; got an integer of {int(x).bit_length()} bits") from exc
    if math.isnan(v) or (math.isinf(v) and not allow_inf):
        raise ValueError(f"{name} must be finite; got {v}")
    if v < 0 or (v == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}; got {v}")
    return v


def as_int(x, name: str, *, minimum: int = 0) -> int:
    """An integer >= ``minimum``."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {type(x).__name__}")
    if int(x) < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {x}")
    return int(x)


def check_budget(name: str, *, nbytes: float = 0, work: float = 0, max_bytes: float | None = None,
                 max_work: float | None = None, what: str = "") -> None:
    """Refuse a call whose memory or work would exceed the documented limits, before allocating.

    ``nbytes`` is what the call will allocate (answer and workspace), ``work`` the number of
    elementary steps it will do; both are computed by the caller from its arguments, in Python
    integers or floats (so the product of two huge arguments cannot overflow).  ``name`` is the
    argument (or arguments, e.g. ``"steps and N"``) that sets the size; ``what`` says what is
    counted.  Limits default to :data:`MAX_BYTES` and :data:`MAX_WORK`.
    """
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    max_work = MAX_WORK if max_work is None else max_work
    detail = f" ({what})" if what else ""

    def fmt(x, unit=1):  # a Python int beyond float64 (a product of huge arguments) must not crash the message
        try:
            return f"{float(x) / unit:.3g}"
        except OverflowError:
            return f"about 10^{len(str(int(x) // unit)) - 1}"

    if not nbytes <= max_bytes:  # also refuses NaN
        raise ValueError(f"{name} too large: the call would allocate {fmt(nbytes, 2**30)} GiB{detail}, "
                         f"more than the limit of {max_bytes / 2**30:.3g} GiB")
    if not work <= max_work:
        raise ValueError(f"{name} too large: the call would do {fmt(work)} elementary steps{detail}, "
                         f"more than the limit of {float(max_work):.3g} (about ten seconds of compiled work); "
                         f"split it into several calls")
