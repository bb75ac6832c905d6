"""Benchmarks: each numba kernel against its plain NumPy reference and against the machine's limits.

A module that has kernels defines ``benchmarks(quick: bool = True)`` returning
a list of :class:`Result`, built with :func:`compare`.  A speed-up over a
reference says little about how good a kernel is, so each result may also
carry the *limit* it should be held against and the fraction of it reached.
The limits are measured here, in the same run:

* :func:`memory_bandwidth` -- a STREAM-like copy and triad, and a read-only
  stream (:func:`read_bandwidth`), on arrays four times larger than the
  last-level cache (so the bytes come from memory, not cache);
* :func:`gemm_rate` -- the FLOP rate of one matrix product at a given shape, one
  BLAS thread (the ceiling for kernels made of matrix products);
* :func:`rng_rate` -- uniform draws per second of ``Generator.random()``, or
  normal draws of ``Generator.standard_normal()``, inside numba (the ceiling for
  a Monte Carlo update or an SDE step that needs its draws).

``python -m attractors.bench`` prints the table (``--json FILE`` writes it for
comparison between runs and machines); the appendix *Performance of the
kernels* shows it with cost-against-size figures.  Timings depend on the
machine and are never compared by nbval.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["Result", "best_time", "best_times", "compare", "outputs_agree", "run_all", "MODULES",
           "memory_bandwidth", "read_bandwidth", "gemm_rate", "rng_rate", "last_level_cache_bytes", "limits"]

#: Modules whose ``benchmarks()`` are collected, in book order.
MODULES = ("numerics", "sde", "kramers_moyal", "fokker_planck", "hopfield", "_glauber", "curie_weiss", "lowload",
           "highload", "modern", "_modern_kernels", "layers", "lagrangians", "synapses", "spectra", "fep", "insilico")


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
    #: The limit the kernel is held against (e.g. "memory bandwidth 9.1 GB/s") ...
    limit: str = ""
    #: ... and the fraction of it the kernel reaches (rate / limit rate), or None.
    fraction: float | None = None

    @property
    def speedup(self) -> float:
        return self.t_reference / self.t_kernel

    def row(self) -> str:
        frac = f"{self.fraction:6.2f}" if self.fraction is not None else "     -"
        return (f"{self.module:10s} {self.name:34s} {self.size:22s} {self.t_kernel * 1e3:10.3f} ms "
                f"{self.t_reference * 1e3:10.3f} ms {self.speedup:8.1f}x {frac}  {self.limit}")

    def as_dict(self) -> dict:
        return {"module": self.module, "name": self.name, "size": self.size, "t_kernel": self.t_kernel,
                "t_reference": self.t_reference, "speedup": self.speedup, "agree": self.agree,
                "limit": self.limit, "fraction": self.fraction, "note": self.note}


def best_time(fn: Callable[[], object], *, repeat: int = 5, min_time: float = 0.05) -> float:
    """Best wall time of ``fn()`` over ``repeat`` rounds (each round loops to ``min_time``).

    Parameters
    ----------
    fn : callable
        Called without arguments.
    repeat : int, default 5
        Number of rounds, 1 to 1000.
    min_time : float, default 0.05
        Seconds each round lasts at least, in [0, 60] (0: one call per round); ``repeat * min_time``
        at most 600 s.

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
    _check_timing(repeat, min_time)
    fn()  # warm-up: compilation, caches
    return min(_one_round(fn, min_time) for _ in range(repeat))


def _check_timing(repeat, min_time) -> None:
    if isinstance(repeat, bool) or not isinstance(repeat, (int, np.integer)):
        raise TypeError(f"repeat must be an integer; got {type(repeat).__name__}")
    if not 1 <= repeat <= 1000:
        raise ValueError(f"repeat must be between 1 and 1000; got {repeat}")
    if isinstance(min_time, bool) or not isinstance(min_time, (int, float, np.integer, np.floating)):
        raise TypeError(f"min_time must be a number of seconds; got {type(min_time).__name__}")
    try:
        t = float(min_time)
    except OverflowError as exc:
        raise ValueError(f"min_time must be in [0, 60] seconds; got an integer of {int(min_time).bit_length()} bits") from exc
    if not (0 <= t <= 60):  # also refuses NaN
        raise ValueError(f"min_time must be in [0, 60] seconds; got {min_time}")
    if repeat * t > 600:
        raise ValueError(f"repeat * min_time must be <= 600 s (ten minutes of timing loops); got repeat={repeat}, "
                         f"min_time={t}")


def _one_round(fn, min_time) -> float:
    """Time per call of ``fn`` over one round of calls lasting at least ``min_time`` (one call at least)."""
    n = 0
    t0 = time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time:
            return elapsed / n


def best_times(fns: list[Callable[[], object]], *, repeat: int = 5, min_time: float = 0.05) -> list[float]:
    """Best wall time per call of each function, measured in interleaved rounds.

    Round ``r`` times every function in turn (each looping to ``min_time``), so a change of the machine's
    load during the measurement reaches all of them alike; a ratio of two of the results is then a ratio
    measured under the same conditions, which :func:`best_time` called twice does not give on a shared
    machine.

    Parameters
    ----------
    fns : list of callable
        Each called without arguments.
    repeat, min_time
        As in :func:`best_time`.

    Returns
    -------
    list of float
        The best time per call of each function, in seconds, in the order of ``fns``.

    Raises
    ------
    TypeError, ValueError
        If ``fns`` is not a non-empty list of callables, or ``repeat`` / ``min_time`` is out of range.
    """
    if not isinstance(fns, (list, tuple)) or not fns or not all(callable(f) for f in fns):
        raise TypeError("fns must be a non-empty list of callables")
    _check_timing(repeat, min_time)
    for f in fns:
        f()  # warm-up
    best = [np.inf] * len(fns)
    for _ in range(repeat):
        for i, f in enumerate(fns):
            best[i] = min(best[i], _one_round(f, min_time))
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
    for arg, v in (("module", module), ("name", name), ("size", size), ("note", note)):
        if not isinstance(v, str):
            raise TypeError(f"{arg} must be a string; got {type(v).__name__}")
    for arg, fn in (("kernel", kernel), ("reference", reference)):
        if not callable(fn):
            raise TypeError(f"{arg} must be callable; got {type(fn).__name__}")
    if not isinstance(check_outputs, (bool, np.bool_)):
        raise TypeError(f"check_outputs must be a bool; got {type(check_outputs).__name__}")
    _check_timing(repeat, min_time)
    agree = outputs_agree(kernel(), reference()) if check_outputs else None
    return Result(module, name, size, best_time(kernel, repeat=repeat, min_time=min_time),
                  best_time(reference, repeat=repeat, min_time=min_time), note, agree)


def last_level_cache_bytes() -> int:
    """Size of the largest CPU cache in bytes (from sysfs; 32 MiB if it cannot be read)."""
    import glob

    best = 0
    for path in glob.glob("/sys/devices/system/cpu/cpu0/cache/index*/size"):
        try:
            text = open(path).read().strip().upper()
        except OSError:
            continue
        mult = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1:], 1)
        try:
            best = max(best, int(text.rstrip("KMG")) * mult)
        except ValueError:
            continue
    return best or 32 * 2**20


def _triad_kernel():
    from numba import njit

    @njit(cache=True)
    def triad(a, b, c, s):
        for i in range(a.size):
            a[i] = b[i] + s * c[i]

    return triad


def _read_kernel():
    from numba import njit

    @njit(cache=True)
    def xor_all(a):
        # an integer reduction is associative, so LLVM vectorises it: the loop runs at the speed of the loads
        acc = np.uint64(0)
        for i in range(a.size):
            acc ^= a[i]
        return acc

    return xor_all


def _stream_size(size_bytes) -> int:
    if size_bytes is not None and (isinstance(size_bytes, bool) or not isinstance(size_bytes, (int, np.integer))):
        raise TypeError(f"size_bytes must be an integer number of bytes; got {type(size_bytes).__name__}")
    size = int(size_bytes) if size_bytes is not None else _default_stream_bytes()
    if not 2**20 <= size <= _STREAM_MAX_BYTES:
        raise ValueError(f"size_bytes must be between 1 MiB and 256 MiB; got {size}")
    return size


# One stream array is at most 256 MiB, so the triad's three arrays stay within the package's 1 GiB budget
# (MAX_BYTES) even where sysfs reports a very large last-level cache (480 MiB on some virtual machines).
_STREAM_MAX_BYTES = 256 * 2**20


def _default_stream_bytes() -> int:
    """Size of one array of the bandwidth streams: four times the last-level cache, within 64 MiB to 256 MiB."""
    return min(max(4 * last_level_cache_bytes(), 64 * 2**20), _STREAM_MAX_BYTES)


def _check_repeat(repeat) -> None:
    if isinstance(repeat, bool) or not isinstance(repeat, (int, np.integer)) or not 1 <= repeat <= 100:
        raise ValueError(f"repeat must be an integer in [1, 100]; got {repeat!r}")


def read_bandwidth(*, size_bytes: int | None = None, repeat: int = 5) -> float:
    """Bytes per second of a read-only stream over one array four times the last-level cache (64 to 256 MiB).

    A kernel that only reads a large matrix (a Glauber flip reads one row of the couplings) is held
    against this: a read stream moves no bytes back to memory, so it runs faster than a copy.

    Parameters
    ----------
    size_bytes : int, optional
        Array size, 1 MiB to 256 MiB (default: four times the last-level cache, within 64 MiB to 256 MiB).
    repeat : int, default 5
        Best of this many passes, 1 to 100.

    Returns
    -------
    float
        Bytes read per second.
    """
    n = _stream_size(size_bytes) // 8
    _check_repeat(repeat)
    a = np.arange(n, dtype=np.uint64)
    xor_all = _read_kernel()
    xor_all(a[:8])  # compile
    return 8 * n / best_time(lambda: xor_all(a), repeat=repeat, min_time=0.0)


def memory_bandwidth(*, size_bytes: int | None = None, repeat: int = 5) -> dict[str, float]:
    """STREAM-like memory bandwidth in bytes per second: copy, triad and a read-only stream.

    ``copy`` moves ``2 * size`` bytes (``b[:] = a``), ``triad`` ``3 * size``
    bytes (``a = b + s c`` in one numba loop) and ``read`` ``size`` bytes (see
    :func:`read_bandwidth`), on float64 arrays of ``size_bytes`` each (default:
    four times the last-level cache, within 64 MiB to 256 MiB, so that three arrays stay within
    1 GiB), best of ``repeat``.
    Write-allocate traffic is not counted, as in STREAM, so the numbers are
    what a streaming kernel can expect to see.

    Returns
    -------
    dict
        ``copy``, ``triad`` and ``read`` in bytes per second, and ``bytes``, the size of one array.
    """
    size = _stream_size(size_bytes)
    _check_repeat(repeat)
    n = size // 8
    a, b, c = np.ones(n), np.full(n, 2.0), np.full(n, 0.5)
    triad = _triad_kernel()
    triad(a[:8], b[:8], c[:8], 3.0)  # compile
    t_copy = best_time(lambda: np.copyto(b, a), repeat=repeat, min_time=0.0)
    t_triad = best_time(lambda: triad(a, b, c, 3.0), repeat=repeat, min_time=0.0)
    del a, b, c
    return {"copy": 2 * 8 * n / t_copy, "triad": 3 * 8 * n / t_triad,
            "read": read_bandwidth(size_bytes=size, repeat=repeat), "bytes": float(8 * n)}


def gemm_rate(m: int, k: int, n: int, *, repeat: int = 5) -> float:
    """FLOP/s of one ``(m, k) @ (k, n)`` float64 matrix product (``2 m k n`` flops), best of ``repeat``.

    Measured with one BLAS thread, like the single-threaded numba kernels it is a limit for.
    """
    from threadpoolctl import threadpool_limits

    for name, v in (("m", m), ("k", k), ("n", n)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 1 <= v <= 4096:
            raise ValueError(f"{name} must be an integer in [1, 4096]; got {v!r}")
    if isinstance(repeat, bool) or not isinstance(repeat, (int, np.integer)) or not 1 <= repeat <= 100:
        raise ValueError(f"repeat must be an integer in [1, 100]; got {repeat!r}")
    g = np.random.default_rng(0)
    A, B = g.standard_normal((m, k)), g.standard_normal((k, n))
    out = np.empty((m, n))
    with threadpool_limits(limits=1, user_api="blas"):
        t = best_time(lambda: np.matmul(A, B, out=out), repeat=repeat, min_time=0.05)
    return 2.0 * m * k * n / t


def _rng_kernels():
    from numba import njit

    @njit(cache=True)
    def uniform_draws(gen, n):
        acc = 0.0
        for _ in range(n):
            acc += gen.random()
        return acc

    @njit(cache=True)
    def normal_draws(gen, n):
        acc = 0.0
        for _ in range(n):
            acc += gen.standard_normal()
        return acc

    return {"uniform": uniform_draws, "normal": normal_draws}


def rng_rate(n: int = 2_000_000, *, repeat: int = 5, kind: str = "uniform") -> float:
    """Draws per second of ``Generator.random()`` (``kind="uniform"``) or ``Generator.standard_normal()``
    (``kind="normal"``), one call at a time inside a numba loop, as the Monte Carlo kernels draw.

    Parameters
    ----------
    n : int, default 2_000_000
        Draws per pass, 1000 to 1e8.
    repeat : int, default 5
        Best of this many passes, 1 to 100.
    kind : {"uniform", "normal"}
        Which draw.

    Returns
    -------
    float
        Draws per second.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1000 <= n <= 10**8:
        raise ValueError(f"n must be an integer in [1000, 1e8]; got {n!r}")
    _check_repeat(repeat)
    kernels = _rng_kernels()
    if not isinstance(kind, str) or kind not in kernels:
        raise ValueError(f"kind must be 'uniform' or 'normal'; got {kind!r}")
    draws = kernels[kind]
    gen = np.random.default_rng(0)
    draws(gen, 10)
    t = best_time(lambda: draws(gen, n), repeat=repeat, min_time=0.0)
    return n / t


def limits(quick: bool = True) -> dict[str, float]:
    """The machine's limits, measured now: bandwidths (B/s), a GEMM rate (FLOP/s) and the RNG rate (draws/s).

    Parameters
    ----------
    quick : bool, default True
        Fewer repetitions (each limit is the best of 3 instead of 5 runs).
    """
    if not isinstance(quick, (bool, np.bool_)):
        raise TypeError(f"quick must be a bool; got {type(quick).__name__}")
    bw = memory_bandwidth(repeat=3 if quick else 5)
    return {"copy_bandwidth": bw["copy"], "triad_bandwidth": bw["triad"], "read_bandwidth": bw["read"],
            "gemm_1024x256x1024": gemm_rate(1024, 256, 1024, repeat=3 if quick else 5),
            "gemm_1024x1024x256": gemm_rate(1024, 1024, 256, repeat=3 if quick else 5),
            "rng_draws": rng_rate(repeat=3 if quick else 5),
            "normal_draws": rng_rate(repeat=3 if quick else 5, kind="normal"),
            "llc_bytes": float(last_level_cache_bytes()), "stream_bytes": bw["bytes"]}


def run_all(quick: bool = True, modules: tuple[str, ...] = MODULES, lim: dict | None = None) -> list[Result]:
    """Run ``benchmarks(quick)`` of every module in ``modules`` that defines one.

    ``lim`` (from :func:`limits`) is handed to the ``benchmarks`` that take a
    ``lim`` argument, so their fractions use the limits measured in this run.
    """
    import inspect

    results: list[Result] = []
    for name in modules:
        try:
            mod = importlib.import_module(f"attractors.{name}")
        except ModuleNotFoundError:
            continue
        fn = getattr(mod, "benchmarks", None)
        if fn is not None:
            if lim is not None and "lim" in inspect.signature(fn).parameters:
                results.extend(fn(quick=quick, lim=lim))
            else:
                results.extend(fn(quick=quick))
    return results


def time_sim2_grid(n_jobs: int = 2) -> dict:
    """Wall time of one seed of the full Simulation-2 grid (20 x 19 networks, 5000 epochs of 10 steps each),
    run as a reader runs it: the public command ``python -m attractors.insilico grid`` in a child process,
    ``n_jobs`` joblib workers, its output in a temporary file.  Returns the command, the number of networks and
    the wall seconds (interpreter start and worker start-up included)."""
    import subprocess
    import tempfile

    if isinstance(n_jobs, (bool, np.bool_)) or not isinstance(n_jobs, (int, np.integer)):
        raise TypeError(f"n_jobs must be an integer; got {type(n_jobs).__name__}")
    if n_jobs < 1:
        raise ValueError(f"n_jobs must be >= 1; got {n_jobs}")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "grid.npz")
        args = ["-m", "attractors.insilico", "grid", "--out", out, "--seeds", "0", "--n-jobs", str(int(n_jobs)),
                "--quiet"]
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True)
        wall = time.perf_counter() - t0
        with np.load(out) as grid:
            networks = int(np.prod(grid["retrieval"].shape))
    return {"command": "python " + " ".join("OUT.npz" if a == out else a for a in args),
            "networks": networks, "n_jobs": int(n_jobs), "wall_s": wall}


def main(argv: list[str] | None = None) -> int:
    """``python -m attractors.bench [--full] [--json FILE] [--fep-reference CLONE] [--sim2-grid]``: the limits,
    then one row per kernel (``--full``: at full sizes); ``--fep-reference`` and ``--sim2-grid`` add the timings of
    :func:`attractors.fep.reference_ratio` and :func:`time_sim2_grid`, stored in the JSON file with their dates."""
    import json

    argv = sys.argv[1:] if argv is None else list(argv)
    if any(a in ("-h", "--help") for a in argv):
        print("usage: python -m attractors.bench [--full] [--json FILE] [--fep-reference CLONE] [--sim2-grid]\n"
              "  --full                 the benchmarks at their full sizes (what make bench runs)\n"
              "  --fep-reference CLONE  also time the reference AttractorNetwork.update of a local clone of\n"
              "                         pni-lab/fep-attractor-network against fep.run, side by side\n"
              "                         (attractors.fep.reference_ratio; the clone is yours, nothing is copied);\n"
              "                         with --json the times are stored under fep_reference (kept by later runs\n"
              "                         without a clone)\n"
              "  --sim2-grid            also time one seed of the full Simulation-2 grid through its public\n"
              "                         command (python -m attractors.insilico grid --seeds 0 --n-jobs 2), about\n"
              "                         a minute; with --json stored under sim2_grid (kept by later runs without it)")
        return 0
    unknown = [a for a in argv if a.startswith("-") and a not in ("--full", "--json", "--fep-reference", "--sim2-grid")]
    if unknown:
        print(f"error: unknown option(s) {' '.join(unknown)}; see --help", file=sys.stderr)
        return 2
    load_start = os.getloadavg()  # the load averages before the run (1, 5 and 15 minutes)
    want_sim2 = "--sim2-grid" in argv
    if want_sim2:
        argv.remove("--sim2-grid")
    if "--fep-reference" in argv:
        k = argv.index("--fep-reference")
        if k + 1 >= len(argv):
            print("error: --fep-reference needs the path of a clone", file=sys.stderr)
            return 2
        ratios = importlib.import_module("attractors.fep").reference_ratio(argv[k + 1])
        fep_reference = {str(n): {"reference_s_per_step": t_ref, "fep_run_s_per_step": t_ours}
                         for n, (t_ref, t_ours) in ratios.items()}
        for n, (t_ref, t_ours) in ratios.items():
            print(f"fep reference ratio N={n}: reference {t_ref * 1e3:.3f} ms/step, fep.run {t_ours * 1e6:.2f} us/step, "
                  f"{t_ref / t_ours:.0f}x")
        del argv[k:k + 2]
    else:
        fep_reference = None
    sim2 = None
    if want_sim2:  # after the reference run, whose clone path is checked first
        sim2 = time_sim2_grid()
        print(f"Simulation-2 grid, one seed, {sim2['networks']} networks: {sim2['wall_s']:.1f} s wall "
              f"({sim2['command']})")
    quick = "--full" not in argv
    out_json = argv[argv.index("--json") + 1] if "--json" in argv and argv.index("--json") + 1 < len(argv) else None
    lim = limits(quick)
    print(f"limits: read {lim['read_bandwidth'] / 1e9:.2f} GB/s, copy {lim['copy_bandwidth'] / 1e9:.2f} GB/s, "
          f"triad {lim['triad_bandwidth'] / 1e9:.2f} GB/s "
          f"(arrays of {lim['stream_bytes'] / 2**20:.0f} MiB), "
          f"GEMM 1024x256x1024 {lim['gemm_1024x256x1024'] / 1e9:.1f} "
          f"GFLOP/s (1 BLAS thread), numba Generator.random() {lim['rng_draws'] / 1e6:.0f} M draws/s, "
          f"standard_normal() {lim['normal_draws'] / 1e6:.0f} M draws/s")
    print(f"{'module':10s} {'kernel':34s} {'size':22s} {'kernel':>13s} {'reference':>13s} {'speed-up':>9s} "
          f"{'limit':>6s}  limit held against")
    results = run_all(quick=quick, lim=lim)
    for r in results:
        print(r.row())
    if out_json:
        try:
            with open(out_json) as fh:
                old_json = json.load(fh)
        except (OSError, ValueError):
            old_json = {}
        with open(out_json, "w") as fh:
            import datetime
            import platform

            today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
            doc = {"date": today, "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                   "load_average": {"start": round(load_start[0], 2), "end": round(os.getloadavg()[0], 2),
                                    "end_5min": round(os.getloadavg()[1], 2),
                                    "note": "1-minute averages before and after (the run itself keeps one core "
                                            "busy), and the 5-minute average at the end"},
                   "limits": lim, "results": [r.as_dict() for r in results]}
            if fep_reference is not None:
                doc["fep_reference"] = {"date": today, "sizes": fep_reference}
            elif old_json.get("fep_reference"):  # measured with a clone earlier: kept, with its own date
                doc["fep_reference"] = old_json["fep_reference"]
            if sim2 is not None:
                doc["sim2_grid"] = dict(sim2, date=today)
            elif old_json.get("sim2_grid"):  # measured earlier: kept, with its own date
                doc["sim2_grid"] = old_json["sim2_grid"]
            json.dump(doc, fh, indent=1)
        print(f"wrote {out_json}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
