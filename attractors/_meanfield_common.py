"""Argument checks and size limits shared by the mean-field modules of Chapters 6 and 7.

Private: :mod:`attractors.curie_weiss`, :mod:`attractors.lowload` and :mod:`attractors.highload`
import from here; nothing else does.
"""

from __future__ import annotations

from attractors._validate import as_int, as_positive

__all__ = ["MAX_SIZE"]

#: Largest number of spins / mixture order / patterns for which arrays of that length are built.
MAX_SIZE = 10**7


def _size(x, name, *, minimum=1, maximum=MAX_SIZE):
    x = as_int(x, name, minimum=minimum)
    if x > maximum:
        raise ValueError(f"{name} must be <= {maximum}; got {x}")
    return x


def _beta(beta, name="beta"):
    return as_positive(beta, name, allow_inf=True)
