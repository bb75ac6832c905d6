"""Benchmarks: each numba kernel against its plain NumPy reference.

A module that has kernels defines ``benchmarks(quick: bool = True)`` returning
a list of :class:`Result`, built with :func:`compare`.  ``python -m
attractors.bench`` runs them all and prints a table; the appendix
*Performance of the kernels* shows the same table and a figure.  Timings
depend on the machine and are never compared by nbval.
"""

from __future__ import annotations

import importlib
import sys
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["Result", "best_time", "compare", "outputs_agree", "run_all", "MODULES"]

#: Modules whose ``benchmarks()`` are collected, in book order.
MODULES = ("numerics", "hopfield", "meanfield", "modern", "layers")


@dataclass(frozen=True)
class Result:
    """One benchmark: a kernel and its reference on the same input."""

    module: str
    name: str
    size: str
    t_kernel: float
    t_reference: float
    note: str = ""
    #: Whether kernel and reference returned the same result on this input
    #: (``None`` where the benchmark did not compare outputs).
    agree: bool | None = None

    @property
    def speedup(self) -> float:
        return self.t_reference / self.t_kernel

    def row(self) -> str:
        return (f"{self.module:10s} {self.name:32s} {self.size:18s} "
                f"{self.t_kernel * 1e3:10.3f} ms {self.t_reference * 1e3:10.3f} ms {self.speedup:8.1f}x  {self.note}")


def best_time(fn: Callable[[], object], *, repeat: int = 5, min_time: float = 0.05) -> float:
    """Best wall time of ``fn()`` over ``repeat`` rounds (each round loops to ``min_time``).

    Parameters
    ----------
    fn : callable
        Called without arguments.
    repeat : int, default 5
        Number of rounds, 1 to 1000.
    min_time : float, default 0.05
        Seconds each round lasts at least, in [0, 60] (0: one call per round).

    Returns
    -------
    float
        The best time per call, in seconds.

    Raises
    ------
    TypeError, ValueError
        If ``fn`` is not callable or ``repeat`` / ``min_time`` is out of range
        (a NaN or infinite ``min_time`` would loop forever).
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable; got {type(fn).__name__}")
    if isinstance(repeat, bool) or not isinstance(repeat, (int, np.integer)):
        raise TypeError(f"repeat must be an integer; got {type(repeat).__name__}")
    if not 1 <= repeat <= 1000:
        raise ValueError(f"repeat must be between 1 and 1000; got {repeat}")
    if isinstance(min_time, bool) or not isinstance(min_time, (int, float, np.integer, np.floating)):
        raise TypeError(f"min_time must be a number of seconds; got {type(min_time).__name__}")
    if not (0 <= float(min_time) <= 60):  # also refuses NaN
        raise ValueError(f"min_time must be in [0, 60] seconds; got {min_time}")
    fn()  # warm-up: compilation, caches
    best = np.inf
    for _ in range(repeat):
        n = 0
        t0 = time.perf_counter()
        while True:
            fn()
            n += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= min_time:
                break
        best = min(best, elapsed / n)
    return best


def outputs_agree(a, b, *, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
    """True when two benchmark outputs (arrays, numbers or sequences of them) agree to round-off."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            a, b = np.asarray(a), np.asarray(b)
        else:
            return all(outputs_agree(x, y, rtol=rtol, atol=atol) for x, y in zip(a, b))
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def compare(module: str, name: str, size: str, kernel: Callable[[], object],
            reference: Callable[[], object], *, note: str = "", repeat: int = 5,
            min_time: float = 0.05, check_outputs: bool = True) -> Result:
    """Time ``kernel`` and ``reference`` (both without arguments) and return a :class:`Result`.

    With ``check_outputs`` the two are first called once each and their results
    compared with :func:`outputs_agree`; the verdict is stored in ``Result.agree``.
    """
    agree = outputs_agree(kernel(), reference()) if check_outputs else None
    return Result(module, name, size, best_time(kernel, repeat=repeat, min_time=min_time),
                  best_time(reference, repeat=repeat, min_time=min_time), note, agree)


def run_all(quick: bool = True, modules: tuple[str, ...] = MODULES) -> list[Result]:
    """Run ``benchmarks(quick)`` of every module in ``modules`` that defines one."""
    results: list[Result] = []
    for name in modules:
        try:
            mod = importlib.import_module(f"attractors.{name}")
        except ModuleNotFoundError:
            continue
        fn = getattr(mod, "benchmarks", None)
        if fn is not None:
            results.extend(fn(quick=quick))
    return results


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    quick = "--full" not in argv
    print(f"{'module':10s} {'kernel':32s} {'size':18s} {'kernel':>13s} {'reference':>13s} {'speed-up':>9s}")
    for r in run_all(quick=quick):
        print(r.row())
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
