r"""The in-silico experiments of [FEP]: data, baselines, evaluation and parameter sweeps.

Chapters 17 (learning) and 19 (in silico) of the book use what is here; the
network itself -- inference and learning in one numba kernel -- is
:func:`attractors.fep.run`, which this module only drives (it imports
:mod:`attractors.fep`; ``fep`` never imports it).

Data
    :func:`digits_patterns` takes the 8x8 digits that scikit-learn ships, keeps
    the first image of each class 0..9 for training (they are the first ten
    images) and the other 1787 for the one-shot test, squares every pixel value
    and standardises every image to mean 0 and variance 1, as the reference
    repository of [FEP] does.  :func:`cross_patterns` builds the two correlated
    5x5 bar patterns of Simulation 1 and the third (cross) pattern.

Training (:func:`train`)
    The bias of every node is the chosen pattern times the *evidence* level
    :math:`\alpha`; every *epoch* shows one pattern (random or cyclic order)
    for ``steps_per_epoch`` parallel steps of simultaneous inference and
    learning, the state carried over from epoch to epoch.
    :func:`train_printed` runs the same loop with a literal reading of the
    learning rule as the manuscript prints it (chapter 17 compares them).

Baselines
    Hebb's rule :math:`J = \Xi^\top\Xi/N` and the projector (pseudo-inverse)
    rule of Personnaz et al. and Kanter--Sompolinsky,
    :math:`J = \Xi^\top(\Xi\Xi^\top)^{+}\Xi`, both with zero diagonal
    (:func:`hebbian_couplings`, :func:`projector_couplings`).

Evaluation
    *Deterministic attractors* (:func:`deterministic_attractors`): the state
    starts at :math:`L(0.1\,\alpha\,\xi^\mu)`, the bias is zero, and the
    parallel map :math:`\sigma \leftarrow L(\beta J\sigma)` is iterated to a
    fixed point (a bounded number of steps; non-convergence is reported).
    *Orthogonality* (:func:`orthogonality`): the mean absolute deviation of
    the pairwise angles from 90 degrees (the reference's measure; the
    manuscript calls it a "mean squared deviation").  *Distinct attractors*
    (:func:`count_distinct`): clusters at a max-norm tolerance.
    *Retrieval / one-shot generalisation* (:func:`reconstruction_r2`): a
    target :math:`t = 0.1\,\alpha\,x` plus Gaussian noise of standard
    deviation ``noise_sd`` times :math:`\mathrm{sd}(t)` is clamped as the bias
    for ``n_steps`` stochastic steps at inverse temperature 1; the time-averaged
    state is compared with :math:`t` by the squared Pearson correlation, as is
    the noisy input; the median over trials of the difference is the score.

Sweeps (:func:`simulation2_point`, :func:`sweep`)
    One grid point trains a network and evaluates it; :func:`sweep` maps the
    grid through :class:`joblib.Parallel`, so the same call runs on a Dask
    cluster under ``joblib.parallel_config(backend="dask")``.  Every grid point
    draws from its own ``SeedSequence`` child, so results do not depend on the
    scheduling.  ``python -m attractors.insilico grid --out FILE.npz``
    runs the full 20 x 19 grid of Simulation 2 (``--help`` says how, and how long).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

import numpy as np
from numba import njit

from attractors import fep
from attractors.fep import _draw, _iteration_work, _lang, _merge, _relax_rows
from attractors._validate import as_array, as_generator, as_int, as_patterns, as_positive, check_budget

__all__ = [
    "EVIDENCE_LEVELS",
    "INVERSE_TEMPERATURES",
    "digits_patterns",
    "cross_patterns",
    "hebbian_couplings",
    "projector_couplings",
    "pattern_angles",
    "orthogonality",
    "count_distinct",
    "deterministic_attractors",
    "reconstruction_r2",
    "train",
    "train_printed",
    "PRINTED_READINGS",
    "evaluate",
    "simulation2_point",
    "sweep",
]

#: Simulation 2's evidence levels (bias magnitudes) 1, 2, ..., 20.
EVIDENCE_LEVELS = np.arange(1.0, 21.0)
#: Simulation 2's 19 inverse temperatures, log-spaced from 0.01 to 1.
INVERSE_TEMPERATURES = np.logspace(-2.0, 0.0, 19)

_MAX_STEPS = 10**7  # a bound on any requested run length (under a minute of the kernel at N = 64)

#: Largest magnitude of any bias or coupling input the experiments let the network see: inputs
#: :math:`b_i + \sum_j J_{ij}\sigma_j` then stay finite (no inf - inf, hence no NaN, in the kernel).
_MAX_INPUT = 1e300


def _trials_work(n: int, n_trials: int, n_steps: int) -> int:
    """Work of reconstruction_r2: the steps, and about 20 us of Python per trial (4e4 units)."""
    return n_trials * (n_steps * _step_work(n) + 40_000)


def _evaluation_work(n: int, p: int, n_trials: int, n_steps: int) -> int:
    """Work of evaluate: two reconstructions and the deterministic attractors of the P training patterns."""
    return 2 * _trials_work(n, n_trials, n_steps) + p * 1000 * _iteration_work(n)


def _step_work(n: int) -> int:
    """Work of one stochastic step of ``fep.run`` on N nodes with learning, in the units of MAX_WORK:
    the input (N^2 multiply-adds), N draws and N Langevin functions, the rank-1 update (N^2)."""
    return n * (4 * n + 160)


def _run(J, bias, n_steps, *, beta, learning_rate, stochastic, rng, sigma0, rule):
    """Call :func:`attractors.fep.run` with the options this module needs."""
    kw = dict(beta=beta, learning_rate=learning_rate, stochastic=stochastic, update="parallel", rng=rng)
    if rule is not None:
        kw["rule"] = rule
    return fep.run(J, bias, n_steps, sigma0=sigma0, **kw)


# --------------------------------------------------------------------------- data


def digits_patterns():
    """Training and test digits, preprocessed as the reference of [FEP] does.

    Returns
    -------
    train : ndarray, shape (10, 64)
        The first image of each digit 0..9 (scikit-learn's first ten images),
        pixel values squared, each image standardised to mean 0, variance 1.
    test : ndarray, shape (1787, 64)
        The other images, preprocessed the same way.
    """
    from sklearn.datasets import load_digits

    d = load_digits()
    if not np.array_equal(d.target[:10], np.arange(10)):  # pragma: no cover - data set changed
        raise RuntimeError("scikit-learn's digits no longer start with one image of each class 0..9")
    x = d.data.astype(np.float64) ** 2
    x = (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)
    return np.ascontiguousarray(x[:10]), np.ascontiguousarray(x[10:])


def _digits_data(data, name: str = "data"):
    """``(train, test)`` pattern arrays with the same number of columns (default: the digits)."""
    if data is None:
        return digits_patterns()
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"{name} must be a pair (train, test) of pattern arrays or None")
    tr = as_patterns(data[0], f"{name}[0]")
    te = as_patterns(data[1], f"{name}[1]")
    if tr.shape[1] != te.shape[1]:
        raise ValueError(f"{name}: train and test patterns must have the same length; got {tr.shape} and {te.shape}")
    return tr, te


def _standardise(img: np.ndarray) -> np.ndarray:
    v = img.astype(np.float64).ravel()
    return (v - v.mean()) / v.std()


def cross_patterns():
    """Simulation 1's two correlated 5x5 patterns and the third, unseen one.

    A vertical and a horizontal bar through the centre of a 5x5 grid, the centre
    pixel four times brighter than the others, each standardised to mean 0 and
    variance 1 (Pearson correlation 0.77); the third pattern is the plain
    horizontal bar (centre not emphasised), as in the generalisation test.

    Returns
    -------
    train : ndarray, shape (2, 25)
    third : ndarray, shape (25,)
    """
    v = np.zeros((5, 5))
    v[:, 2] = 1.0
    v[2, 2] = 4.0
    h = np.zeros((5, 5))
    h[2, :] = 1.0
    h[2, 2] = 4.0
    plain = np.zeros((5, 5))
    plain[2, :] = 1.0
    return np.vstack([_standardise(v), _standardise(h)]), _standardise(plain)


# --------------------------------------------------------------------------- baselines


def hebbian_couplings(patterns) -> np.ndarray:
    r"""Hebb's rule for real-valued patterns, :math:`J = \Xi^\top\Xi/N`, zero diagonal.

    Parameters
    ----------
    patterns : array_like, shape (P, N) or (N,)
        Patterns as rows (finite reals).

    Returns
    -------
    J : ndarray, shape (N, N)
        Symmetric, zero diagonal.

    Raises
    ------
    ValueError, TypeError
        If ``patterns`` is not a finite real array of rank 1 or 2, if an entry of :math:`J`
        overflows, or (before allocating) if :math:`J` needs more than
        :data:`attractors._validate.MAX_BYTES` (1 GiB: N <= 11580 for a few patterns).
    """
    xi = as_patterns(patterns, "patterns")
    p, n = xi.shape
    check_budget("patterns", nbytes=8 * n * n + 8 * p * n, work=p * n * n, what=f"an N x N matrix, N = {n}")
    with np.errstate(over="ignore", invalid="ignore"):
        J = xi.T @ xi
        J /= n
    if not (math.isfinite(J.max()) and math.isfinite(J.min())):  # no N x N temporary
        raise ValueError("patterns too large: an entry of Xi^T Xi / N overflows float64")
    np.fill_diagonal(J, 0.0)
    return np.ascontiguousarray(J)


def projector_couplings(patterns, *, zero_diagonal: bool = True) -> np.ndarray:
    r"""Projector (pseudo-inverse) couplings :math:`J = \Xi^\top(\Xi\Xi^\top)^{+}\Xi`.

    :math:`J` is the orthogonal projector onto the span of the patterns
    (Personnaz et al. 1985; Kanter and Sompolinsky 1987), so that every
    pattern satisfies :math:`J\xi^\mu = \xi^\mu`; Kanter and Sompolinsky set
    the diagonal to zero.

    Parameters
    ----------
    patterns : array_like, shape (P, N) or (N,)
        Patterns as rows (finite reals).
    zero_diagonal : bool, default True
        Remove the self-couplings.

    Returns
    -------
    J : ndarray, shape (N, N)
        Symmetric.

    Raises
    ------
    ValueError, TypeError
        If ``patterns`` is not a finite real array of rank 1 or 2, or
        ``zero_diagonal`` is not a bool; before allocating, if the call would need more than
        :data:`attractors._validate.MAX_BYTES` (three N x N matrices: N <= 6680 for a few patterns) or more work than
        ``attractors._validate.MAX_WORK``.  Patterns of any finite magnitude are accepted (they are
        rescaled by a power of 2, which changes nothing in :math:`J`).
    """
    xi = as_patterns(patterns, "patterns")
    if not isinstance(zero_diagonal, (bool, np.bool_)):
        raise TypeError("zero_diagonal must be a bool")
    p, n = xi.shape
    check_budget("patterns", nbytes=8 * (3 * n * n + 3 * p * p + 2 * p * n), work=p * n * n + p * p * n + 30 * p ** 3,
                 what=f"P = {p} patterns of N = {n}")
    top = float(np.max(np.abs(xi)))
    if top > 2.0 ** 400 or 0.0 < top < 2.0 ** -400:
        # J depends on the span of the patterns only: scale by a power of 2 (exact) so that Xi Xi^T neither
        # overflows nor underflows
        xi = np.ldexp(xi, -math.frexp(top)[1])
    J = xi.T @ np.linalg.pinv(xi @ xi.T, hermitian=True) @ xi
    J = 0.5 * (J + J.T)
    if zero_diagonal:
        np.fill_diagonal(J, 0.0)
    return np.ascontiguousarray(J)


# --------------------------------------------------------------------------- geometry


def pattern_angles(vectors) -> np.ndarray:
    """Angles in degrees between all pairs ``i < j`` of rows.

    Parameters
    ----------
    vectors : array_like, shape (P, N)
        Rows (finite, non-zero).

    Returns
    -------
    ndarray, shape (P (P - 1) / 2,)
        Angles in [0, 180], pairs in row-major order of the upper triangle.

    Raises
    ------
    ValueError, TypeError
        If ``vectors`` is not a finite real 2-D array, has fewer than two rows or
        a zero row; before allocating, if the table of all pairs needs more than
        :data:`attractors._validate.MAX_BYTES` (about 6600 rows).  Rows of any finite magnitude are
        accepted (rescaled by powers of 2, which leaves the angles unchanged).
    """
    x = as_array(vectors, "vectors", ndim=2)
    if x.shape[0] < 2 or x.shape[1] == 0:
        raise ValueError(f"vectors must have at least two rows and one column; got shape {x.shape}")
    p, n = x.shape
    check_budget("vectors", nbytes=24 * p * p + 16 * p * n, work=p * p * n, what=f"all pairs of P = {p} rows")
    top = np.max(np.abs(x), axis=1)
    far = (top > 2.0 ** 400) | ((top > 0) & (top < 2.0 ** -400))
    if np.any(far):  # scale those rows by a power of 2 (exact; angles are scale-free) so norms neither
        x = x.copy()  # overflow nor underflow
        x[far] = np.ldexp(x[far], -np.frexp(top[far])[1][:, None])
    norms = np.linalg.norm(x, axis=1)
    if np.any(norms == 0):
        raise ValueError("vectors must not contain a zero row (its angles are undefined)")
    u = x / norms[:, None]
    iu = np.triu_indices(x.shape[0], k=1)
    cos = np.clip((u @ u.T)[iu], -1.0, 1.0)
    return np.degrees(np.arccos(cos))


def orthogonality(vectors, *, include_self: bool = False, drop_duplicates: bool = False) -> float:
    """Mean absolute deviation of the pairwise angles from 90 degrees.

    Parameters
    ----------
    vectors : array_like, shape (P, N)
        Rows (finite, non-zero).
    include_self : bool, default False
        Average over the full P x P table of angles, self-pairs (angle 0,
        deviation 90) included -- what the reference computes for the data.
    drop_duplicates : bool, default False
        Ignore pairs closer than 1 degree to 0 or 180 (the same attractor
        reached twice) -- what the reference does for the attractors.

    Returns
    -------
    float
        Degrees; 0 for mutually orthogonal rows.  NaN if ``drop_duplicates``
        leaves no pair.

    Raises
    ------
    ValueError, TypeError
        As :func:`pattern_angles`; both options must be bools.
    """
    for name, v in (("include_self", include_self), ("drop_duplicates", drop_duplicates)):
        if not isinstance(v, (bool, np.bool_)):
            raise TypeError(f"{name} must be a bool")
    a = pattern_angles(vectors)
    if drop_duplicates:
        a = a[(a > 1.0) & (a < 179.0)]
        if a.size == 0:
            return math.nan
    dev = np.abs(90.0 - a)
    if include_self:
        p = as_array(vectors, "vectors", ndim=2).shape[0]
        return float((2.0 * dev.sum() + 90.0 * p) / (p * p))
    return float(dev.mean())


def count_distinct(vectors, *, tol: float = 0.05) -> int:
    """Number of distinct rows, two rows being the same when their max-norm distance is < ``tol``.

    Rows are grouped greedily (each row joins the first earlier group whose
    representative is within ``tol``).  Choose ``tol`` far from the distances
    between truly different rows, so that the count is robust to round-off.

    Parameters
    ----------
    vectors : array_like, shape (P, N)
    tol : float, default 0.05

    Returns
    -------
    int

    Raises
    ------
    ValueError, TypeError
        If ``vectors`` is not a finite real 2-D array or ``tol`` is not > 0; before any work,
        if the worst case, :math:`P^2 N/2` compiled comparisons (every row distinct), exceeds
        ``attractors._validate.MAX_WORK`` (about ten seconds), naming ``vectors``.
    """
    x = as_array(vectors, "vectors", ndim=2)
    tol = as_positive(tol, "tol")
    p, n = x.shape
    check_budget("vectors", work=5 * p * p * n // 4 + 10 * p, what=f"P^2 N / 2 compiled comparisons for P = {p}, N = {n}")
    # fep's greedy merge matches at distance <= its tolerance: the largest float below tol is "< tol"
    return int(_merge(x, np.zeros(p, dtype=np.int64), np.nextafter(tol, 0.0))[0].size)


# --------------------------------------------------------------------------- experiments


def _couplings(J, name="J") -> np.ndarray:
    J = as_array(J, name, ndim=2)
    if J.shape[0] != J.shape[1] or J.shape[0] == 0:
        raise ValueError(f"{name} must be a square, non-empty matrix; got shape {J.shape}")
    return J


def deterministic_attractors(J, starts, *, beta: float = 1.0, max_steps: int = 1000, tol: float = 1e-9):
    r"""Fixed points of the parallel deterministic update :math:`\sigma \leftarrow L(\beta J\sigma)` (zero bias).

    Parameters
    ----------
    J : array_like, shape (N, N)
        Couplings.
    starts : array_like, shape (P, N) or (N,)
        Initial states in [-1, 1], one per row.
    beta : float, default 1.0
        Inverse temperature of the deterministic update.
    max_steps : int, default 1000
        Largest number of updates per start (at most 10**7).
    tol : float, default 1e-9
        Converged when one update moves no node by more than ``tol``.

    Returns
    -------
    attractors : ndarray, shape (P, N)
        Last state of each run (where the bounded iteration stopped when it did not converge,
        e.g. on a parallel 2-cycle).
    converged : ndarray of bool, shape (P,)

    Raises
    ------
    ValueError, TypeError
        On malformed input (names the argument); before any work,
        if the worst case, :math:`P\,\text{max\_steps}\,N(2N + 80)` steps (every start running
        ``max_steps`` updates, as on a 2-cycle), exceeds ``attractors._validate.MAX_WORK`` (about
        ten seconds), naming ``max_steps``.
    """
    J = _couplings(J)
    s = as_patterns(starts, "starts")
    if s.shape[1] != J.shape[0]:
        raise ValueError(f"starts must have {J.shape[0]} columns; got shape {s.shape}")
    if np.any(np.abs(s) > 1.0):
        raise ValueError("starts must lie in [-1, 1]")
    beta = as_positive(beta, "beta")
    max_steps = as_int(max_steps, "max_steps", minimum=1)
    if max_steps > _MAX_STEPS:
        raise ValueError(f"max_steps must be <= {_MAX_STEPS}; got {max_steps}")
    tol = as_positive(tol, "tol")
    check_budget("max_steps", work=s.shape[0] * max_steps * _iteration_work(J.shape[0]),
                 what=f"{s.shape[0]} starts x {max_steps} updates of N = {J.shape[0]} nodes")
    out = s.copy()  # each row is iterated in place and ends where the bounded iteration stopped
    its = _relax_rows(J, np.zeros(J.shape[0]), beta, out, max_steps, tol, False)
    return out, its >= 0


def reconstruction_r2(J, targets, *, scale: float, noise_sd: float = 1.0, n_trials: int = 100,
                      n_steps: int = 100, beta: float = 1.0, pick: str = "cycle", rng=None):
    r"""Noisy-input reconstruction: :math:`R^2` of the noisy input and of the network's time average.

    Trial :math:`k` takes target :math:`t = \text{scale}\cdot x` (``x`` the row
    ``k mod P`` with ``pick="cycle"``, a uniformly random row with
    ``pick="random"``), clamps :math:`t + \varepsilon`,
    :math:`\varepsilon \sim N(0, (\text{noise\_sd}\,\mathrm{sd}(t))^2)`, as the
    bias for ``n_steps`` stochastic parallel steps (no learning, state carried
    over from the previous trial) and averages the states.

    Parameters
    ----------
    J : array_like, shape (N, N)
    targets : array_like, shape (P, N)
        Clean patterns (rows with non-zero variance).
    scale : float
        Bias magnitude (the reference uses 0.1 times the training evidence);
        ``scale * max|targets| * max(1, noise_sd)`` at most 1e250.
    noise_sd : float, default 1.0
        Noise standard deviation relative to the target's.
    n_trials, n_steps : int, default 100
        ``n_trials * n_steps`` at most 10**7 and ``n_trials * (n_steps * N (4 N + 160) + 40000)`` at most
        ``attractors._validate.MAX_WORK`` (about ten seconds).
    beta : float, default 1.0
    pick : {"cycle", "random"}
    rng : seed or numpy.random.Generator

    Returns
    -------
    r2_input, r2_network : ndarray, shape (n_trials,)
        Squared correlations with the clean target.  The score of the reference
        is ``np.median(r2_network - r2_input)``.

    Raises
    ------
    ValueError, TypeError
        On malformed input (names the argument).
    """
    J = _couplings(J)
    x = as_patterns(targets, "targets")
    if x.shape[1] != J.shape[0]:
        raise ValueError(f"targets must have {J.shape[0]} columns; got shape {x.shape}")
    if np.any(x.std(axis=1) == 0):
        raise ValueError("targets must not contain a constant row")
    scale = as_positive(scale, "scale")
    noise_sd = as_positive(noise_sd, "noise_sd", allow_zero=True) + 0.0   # -0.0 is 0.0
    _check_target_scale(scale * float(np.max(np.abs(x))) * max(1.0, noise_sd), "scale (times max|targets| and "
                        "noise_sd)")
    n_trials = as_int(n_trials, "n_trials", minimum=1)
    n_steps = as_int(n_steps, "n_steps", minimum=1)
    if n_trials * n_steps > _MAX_STEPS:
        raise ValueError(f"n_trials * n_steps must be <= {_MAX_STEPS}")
    n = J.shape[0]
    check_budget("n_trials and n_steps", nbytes=16 * n_steps * n, work=_trials_work(n, n_trials, n_steps),
                 what=f"{n_trials} trials x {n_steps} steps of N = {n} nodes")
    beta = as_positive(beta, "beta")
    if not isinstance(pick, str) or pick not in ("cycle", "random"):
        raise ValueError(f"pick must be 'cycle' or 'random'; got {pick!r}")
    gen = as_generator(rng)
    sigma = np.zeros(n)
    r2_in = np.empty(n_trials)
    r2_net = np.empty(n_trials)
    # beyond 1e150, sd(scale x) = scale sd(x), so as not to square scale x (which would overflow)
    huge = scale * float(np.max(np.abs(x))) > 1e150
    for k in range(n_trials):
        idx = k % x.shape[0] if pick == "cycle" else int(gen.integers(x.shape[0]))
        t = scale * x[idx]
        noisy = t + gen.normal(0.0, noise_sd * (scale * x[idx].std() if huge else t.std()), n)
        states, _ = _run(J, noisy, n_steps, beta=beta, learning_rate=0.0, stochastic=True, rng=gen,
                         sigma0=sigma, rule=None)
        sigma = states[-1]
        mean = states.mean(axis=0)
        r2_in[k] = _r2(noisy, t)
        r2_net[k] = _r2(mean, t)
    return r2_in, r2_net


def _r2(a: np.ndarray, b: np.ndarray) -> float:
    # squared Pearson correlation; each vector is first scaled by a power of 2 near its largest entry
    # (exact, and r^2 is scale-free) so that no square overflows or underflows
    ma, mb = float(np.max(np.abs(a))), float(np.max(np.abs(b)))
    if ma == 0 or mb == 0:
        return 0.0
    a = np.ldexp(a, -math.frexp(ma)[1])
    b = np.ldexp(b, -math.frexp(mb)[1])
    sa, sb = a.std(), b.std()
    if sa == 0 or sb == 0:
        return 0.0
    return float(np.mean((a - a.mean()) * (b - b.mean())) / (sa * sb)) ** 2


def _check_target_scale(size: float, name: str) -> None:
    if not size <= 1e250:
        raise ValueError(f"{name} too large: the clamped inputs would reach {size:.3g}; at most 1e250 "
                         "(their noise and spread must stay finite)")


def _training_args(patterns, evidence, beta, learning_rate, n_epochs, steps_per_epoch, max_steps, J0,
                   work_factor=1):
    """The validation :func:`train` and :func:`train_printed` share; returns the converted arguments and
    the initial couplings (zeros unless ``J0``)."""
    x = as_patterns(patterns, "patterns")
    n = x.shape[1]
    evidence = as_positive(evidence, "evidence")
    if not evidence * float(np.max(np.abs(x))) <= _MAX_INPUT:
        raise ValueError(f"evidence too large: evidence * max|patterns| must be <= {_MAX_INPUT:g} (the biases)")
    beta = as_positive(beta, "beta")
    learning_rate = as_positive(learning_rate, "learning_rate", allow_zero=True)
    n_epochs = as_int(n_epochs, "n_epochs", minimum=1)
    steps_per_epoch = as_int(steps_per_epoch, "steps_per_epoch", minimum=1)
    total = n_epochs * steps_per_epoch
    if total > max_steps:
        raise ValueError(f"n_epochs * steps_per_epoch must be <= {max_steps}; got {total}")
    check_budget("n_epochs and steps_per_epoch", work=work_factor * total * _step_work(n),
                 what=f"{total} steps of N = {n} nodes")
    J = np.zeros((n, n)) if J0 is None else _couplings(J0, "J0").copy()
    if J.shape != (n, n):
        raise ValueError(f"J0 must have shape {(n, n)}; got {J.shape}")
    # each step moves a coupling by at most 2 learning_rate: every input stays below _MAX_INPUT
    if not n * (float(np.max(np.abs(J))) + 2.0 * learning_rate * total) <= _MAX_INPUT:
        raise ValueError(f"learning_rate too large: N * (max|J0| + 2 learning_rate * n_epochs * steps_per_epoch) "
                         f"must be <= {_MAX_INPUT:g}, so that the couplings and inputs stay finite")
    return x, evidence, beta, learning_rate, n_epochs, steps_per_epoch, J


def train(patterns, *, evidence: float, beta: float, learning_rate: float, n_epochs: int,
          steps_per_epoch: int, order: str = "random", rule: str | None = None, J0=None,
          rng=None, chunk_steps: int = 10_000):
    r"""Train a network by simultaneous inference and learning, epoch by epoch.

    Epoch :math:`e` clamps the bias to ``evidence * patterns[k_e]`` for
    ``steps_per_epoch`` parallel stochastic steps with learning; ``k_e`` is
    uniformly random (``order="random"``) or ``e mod P`` (``"cyclic"``).  The
    state and the couplings are carried over from one epoch to the next.

    Parameters
    ----------
    patterns : array_like, shape (P, N)
    evidence : float
        Bias magnitude during training (> 0); ``evidence * max|patterns|`` at most 1e300.
    beta : float
        Inverse temperature (> 0).
    learning_rate : float
        (>= 0); ``N * (max|J0| + 2 * learning_rate * n_epochs * steps_per_epoch)`` at most 1e300
        (each step moves a coupling by at most ``2 * learning_rate``, so the inputs stay finite).
    n_epochs, steps_per_epoch : int
        (>= 1); at most 10**7 steps in all, and at most
        ``n_epochs * steps_per_epoch * N (4 N + 160)`` elementary steps,
        ``attractors._validate.MAX_WORK`` (about ten seconds).
    order : {"random", "cyclic"}
    rule : str or None
        Learning rule passed to :func:`attractors.fep.run` (None: its default,
        the reference implementation's rule).
    J0 : array_like, shape (N, N), optional
        Initial couplings (default zeros).
    rng : seed or numpy.random.Generator
    chunk_steps : int, default 10000
        Steps per call of the kernel (bounds the memory of the bias schedule and of the states,
        ``24 * chunk_steps * N`` bytes, at most :data:`attractors._validate.MAX_BYTES`; each call costs
        about 20 us, and the calls together at most ``attractors._validate.MAX_WORK``); an epoch longer
        than this runs in pieces with a fixed bias, so no schedule longer than ``chunk_steps`` is built.

    Returns
    -------
    J : ndarray, shape (N, N)
        Couplings after training.
    sigma : ndarray, shape (N,)
        Last state.
    shown : ndarray of int, shape (n_epochs,)
        Index of the pattern shown in each epoch.

    Raises
    ------
    ValueError, TypeError
        On malformed input (names the argument).
    """
    x, evidence, beta, learning_rate, n_epochs, steps_per_epoch, J = _training_args(
        patterns, evidence, beta, learning_rate, n_epochs, steps_per_epoch, _MAX_STEPS, J0)
    n = x.shape[1]
    chunk_steps = as_int(chunk_steps, "chunk_steps", minimum=1)
    if steps_per_epoch > chunk_steps:
        calls = n_epochs * -(-steps_per_epoch // chunk_steps)
    else:
        calls = -(-n_epochs // max(1, chunk_steps // steps_per_epoch))
    check_budget("chunk_steps", nbytes=24 * min(chunk_steps, n_epochs * steps_per_epoch) * n, work=calls * 40_000,
                 what="the bias schedule and states of one kernel call; about 20 us per call")
    if not isinstance(order, str) or order not in ("random", "cyclic"):
        raise ValueError(f"order must be 'random' or 'cyclic'; got {order!r}")
    if rule is not None and not isinstance(rule, str):
        raise TypeError("rule must be a string or None")
    gen = as_generator(rng)
    if order == "random":
        shown = gen.integers(0, x.shape[0], size=n_epochs)
    else:
        shown = np.arange(n_epochs) % x.shape[0]
    bias_rows = evidence * x
    sigma = np.zeros(n)
    if steps_per_epoch > chunk_steps:  # long epochs: a fixed bias per call, in pieces of chunk_steps steps
        for k in shown:
            for start in range(0, steps_per_epoch, chunk_steps):
                states, J = _run(J, bias_rows[k], min(chunk_steps, steps_per_epoch - start), beta=beta,
                                 learning_rate=learning_rate, stochastic=True, rng=gen, sigma0=sigma, rule=rule)
                sigma = states[-1].copy()
        return np.ascontiguousarray(J), sigma, shown
    epochs_per_chunk = max(1, chunk_steps // steps_per_epoch)
    for start in range(0, n_epochs, epochs_per_chunk):
        idx = shown[start:start + epochs_per_chunk]
        schedule = np.repeat(bias_rows[idx], steps_per_epoch, axis=0)
        states, J = _run(J, schedule, schedule.shape[0], beta=beta, learning_rate=learning_rate,
                         stochastic=True, rng=gen, sigma0=sigma, rule=rule)
        sigma = states[-1].copy()
    return np.ascontiguousarray(J), sigma, shown


@njit(cache=True)
def _printed_kernel(J, bias_rows, shown, steps, s, beta, lr, reading, rng):
    # train_printed's loop: parallel draws, then the update with the chosen prediction
    n = J.shape[0]
    h = np.empty(n)
    new = np.empty(n)
    pred = np.empty(n)
    prev_bias = np.zeros(n)      # the bias of the step before (zero before the first step)
    for k in shown:
        for _ in range(steps):
            for i in range(n):
                acc = 0.0
                for j in range(n):
                    acc += J[i, j] * s[j]
                h[i] = acc
            for i in range(n):
                new[i] = _draw(beta * (bias_rows[k, i] + h[i]), rng.random())
            for i in range(n):
                if reading == 0:
                    acc = 0.0
                    for j in range(n):
                        acc += J[i, j] * new[j]
                    pred[i] = _lang(bias_rows[k, i] + acc)
                elif reading == 1:
                    pred[i] = _lang(bias_rows[k, i] + h[i])
                elif reading == 2:
                    pred[i] = _lang(beta * (bias_rows[k, i] + h[i]))
                elif reading == 3:
                    pred[i] = _lang(h[i])
                elif reading == 4:
                    pred[i] = _lang(beta * h[i])
                elif reading == 5:
                    pred[i] = _lang(prev_bias[i] + h[i])
                else:
                    pred[i] = _lang(beta * (prev_bias[i] + h[i]))
            for i in range(n):
                d = lr * (new[i] - pred[i])
                for j in range(n):
                    if j != i:
                        J[i, j] += d * new[j]
            for i in range(n):
                s[i] = new[i]
                prev_bias[i] = bias_rows[k, i]


#: The literal readings of the printed learning rule that :func:`train_printed` runs.
PRINTED_READINGS = ("current", "previous", "previous-beta", "previous-nobias", "previous-nobias-beta",
                    "previous-oldbias", "previous-oldbias-beta")


def train_printed(patterns, *, evidence: float, beta: float, learning_rate: float, n_epochs: int,
                  steps_per_epoch: int, reading: str, rng=None):
    r"""Train with a literal reading of the learning rule as the manuscript prints it.

    The printed rule is
    :math:`\Delta J_{ij}\propto\sigma_i\sigma_j-L(b_i+\sum_k J_{ik}\sigma_k)\sigma_j`.

    Inference is the same as in :func:`train`: every step draws all nodes at
    once, :math:`\sigma_i(t)\sim\mathcal{CB}(\beta(b_i+\sum_k J_{ik}\sigma_k(t-1)))`,
    with the bias :math:`b = \text{evidence}\cdot\xi^{\mu}` of the epoch's
    pattern (chosen uniformly at random).  The printed rule does not say which
    states enter the prediction, nor where the precision :math:`\beta` goes;
    ``reading`` picks one:

    * ``"current"`` -- :math:`L(b_i + \sum_k J_{ik}\sigma_k(t))`, the states
      just drawn, no :math:`\beta`;
    * ``"previous"`` -- :math:`L(b_i + \sum_k J_{ik}\sigma_k(t-1))`, the
      state before the step, no :math:`\beta`;
    * ``"previous-beta"`` -- :math:`L(\beta(b_i + \sum_k J_{ik}\sigma_k(t-1)))`,
      the mean of the law just sampled (the rule of ``fep.run(rule="manuscript")``);
    * ``"previous-nobias"`` -- :math:`L(\sum_k J_{ik}\sigma_k(t-1))`, the
      previous state before any bias is applied: the reading of the source's
      implementation note, and the prediction of the reference code
      (``fep.run``'s default rule; from the same seed it gives couplings identical
      to :func:`train`'s);
    * ``"previous-nobias-beta"`` -- :math:`L(\beta\sum_k J_{ik}\sigma_k(t-1))`;
    * ``"previous-oldbias"`` -- :math:`L(b_i(t-1) + \sum_k J_{ik}\sigma_k(t-1))`,
      the previous state with the bias of the previous step (zero before the
      first step; it differs from the new bias only at the first step of an
      epoch);
    * ``"previous-oldbias-beta"`` -- :math:`L(\beta(b_i(t-1) + \sum_k J_{ik}\sigma_k(t-1)))`.

    The update is :math:`\Delta J_{ij} = \eta\,(\sigma_i(t) - \hat\sigma_i)\,\sigma_j(t)`
    for :math:`i\ne j` (the diagonal stays zero).  Plain NumPy, one step at a
    time: for small networks (Simulation 1) only.

    Parameters
    ----------
    patterns : array_like, shape (P, N)
    evidence, beta : float
        (> 0); limits as in :func:`train`.
    learning_rate : float
        (>= 0); limit as in :func:`train`.
    n_epochs, steps_per_epoch : int
        (>= 1); at most 10**6 steps in all, and half the work limit of :func:`train`.
    reading : str
        One of :data:`PRINTED_READINGS`.
    rng : seed or numpy.random.Generator

    Returns
    -------
    J : ndarray, shape (N, N)
    sigma : ndarray, shape (N,)
        Last state.

    Raises
    ------
    ValueError, TypeError
        On malformed input (names the argument).
    """
    x, evidence, beta, learning_rate, n_epochs, steps_per_epoch, _ = _training_args(
        patterns, evidence, beta, learning_rate, n_epochs, steps_per_epoch, 10**6, None, work_factor=2)
    n = x.shape[1]
    if not isinstance(reading, str) or reading not in PRINTED_READINGS:
        raise ValueError(f"reading must be one of {PRINTED_READINGS}; got {reading!r}")
    gen = as_generator(rng)
    shown = gen.integers(0, x.shape[0], size=n_epochs)
    J = np.zeros((n, n))
    sigma = np.zeros(n)
    _printed_kernel(J, evidence * x, shown, steps_per_epoch, sigma, beta, learning_rate,
                    PRINTED_READINGS.index(reading), gen)
    return J, sigma


#: The reference's evaluation settings (retrieval and generalisation alike).
EVAL_DEFAULTS = dict(n_trials=100, n_steps=100, noise_sd=1.0, signal=0.1, beta_eval=1.0)


def evaluate(J, train_patterns, test_patterns, *, evidence: float, rng=None, n_trials: int = 100,
             n_steps: int = 100, noise_sd: float = 1.0, signal: float = 0.1, beta_eval: float = 1.0,
             attractor_tol: float = 0.05):
    """Simulation 2's four scores of one trained network.

    Parameters
    ----------
    J : array_like, shape (N, N)
    train_patterns : array_like, shape (P, N)
        The training patterns (unscaled).
    test_patterns : array_like, shape (Q, N)
        Unseen patterns for the one-shot test (unscaled).
    evidence : float
        Training evidence level; targets are ``signal * evidence * x``
        (``signal * evidence * max|x| * max(1, noise_sd)`` at most 1e250).
    rng : seed or numpy.random.Generator
    n_trials, n_steps : int, default 100
        Limits as in :func:`reconstruction_r2` (two runs, and the deterministic attractors of the
        training patterns, 1000 updates at most each).
    noise_sd : float, default 1.0
    signal : float, default 0.1
    beta_eval : float, default 1.0
        Inverse temperature of the evaluation runs and of the deterministic attractors.
    attractor_tol : float, default 0.05
        Max-norm tolerance of :func:`count_distinct`.

    Returns
    -------
    dict
        ``retrieval`` and ``generalisation`` (median R^2 gains), ``n_attractors``,
        ``orthogonality`` (attractors, duplicates dropped; NaN with one attractor, or
        when every pair of distinct attractors is parallel or antiparallel within 1 degree),
        ``converged`` (how many of the deterministic runs converged).

    Raises
    ------
    ValueError, TypeError
        On malformed input (names the argument), before any work is done.
    """
    J = _couplings(J)
    n = J.shape[0]
    tr = as_patterns(train_patterns, "train_patterns")
    te = as_patterns(test_patterns, "test_patterns")
    for name, x in (("train_patterns", tr), ("test_patterns", te)):
        if x.shape[1] != n:
            raise ValueError(f"{name} must have {n} columns (the size of J); got shape {x.shape}")
        if np.any(x.std(axis=1) == 0):
            raise ValueError(f"{name} must not contain a constant row (its R^2 is undefined)")
    evidence = as_positive(evidence, "evidence")
    signal = as_positive(signal, "signal")
    noise_sd = as_positive(noise_sd, "noise_sd", allow_zero=True) + 0.0   # -0.0 is 0.0
    scale = signal * evidence
    if scale == 0.0:
        raise ValueError(f"signal * evidence must be > 0; it underflows to 0 for signal={signal!r}, evidence={evidence!r}")
    top = max(float(np.max(np.abs(tr))), float(np.max(np.abs(te))))
    _check_target_scale(scale * top * max(1.0, noise_sd), "signal * evidence (times the largest pattern entry and "
                        "noise_sd)")
    n_trials = as_int(n_trials, "n_trials", minimum=1)
    n_steps = as_int(n_steps, "n_steps", minimum=1)
    if n_trials * n_steps > _MAX_STEPS:
        raise ValueError(f"n_trials * n_steps must be <= {_MAX_STEPS}")
    check_budget("n_trials and n_steps", nbytes=16 * n_steps * n, work=_evaluation_work(n, tr.shape[0], n_trials,
                                                                                        n_steps),
                 what="two reconstruction runs and the attractors")
    beta_eval = as_positive(beta_eval, "beta_eval")
    attractor_tol = as_positive(attractor_tol, "attractor_tol")
    gen = as_generator(rng)
    a, b = reconstruction_r2(J, tr, scale=scale, noise_sd=noise_sd, n_trials=n_trials, n_steps=n_steps,
                             beta=beta_eval, pick="cycle", rng=gen)
    c, d = reconstruction_r2(J, te, scale=scale, noise_sd=noise_sd, n_trials=n_trials, n_steps=n_steps,
                             beta=beta_eval, pick="random", rng=gen)
    lang = fep.langevin
    att, conv = deterministic_attractors(J, lang(scale * tr), beta=beta_eval)
    n_att = count_distinct(att, tol=attractor_tol)
    ortho = math.nan
    if n_att > 1 and np.all(np.linalg.norm(att, axis=1) > 0):
        ortho = orthogonality(att, drop_duplicates=True)
    return {"retrieval": float(np.median(b - a)), "generalisation": float(np.median(d - c)),
            "n_attractors": n_att, "orthogonality": ortho, "converged": int(conv.sum())}


def simulation2_point(evidence: float, beta: float, seed=0, *, learning_rate: float = 0.001,
                      n_epochs: int = 5000, steps_per_epoch: int = 10, rule: str | None = None,
                      n_trials: int = 100, n_steps: int = 100, n_evaluations: int = 1, data=None,
                      return_network: bool = False):
    """Train one Simulation-2 network at (``evidence``, ``beta``) and evaluate it.

    Parameters
    ----------
    evidence, beta : float
        Grid point (> 0).
    seed : int or SeedSequence
        Seed of this grid point (training and evaluation).
    learning_rate : float, default 0.001
        What the reference notebook ran (the manuscript's text says 0.01, which
        breaks training: chapter 19).
    n_epochs, steps_per_epoch : int, default 5000, 10
    rule : str or None
    n_trials, n_steps : int, default 100
        Evaluation settings.
    n_evaluations : int, default 1
        Independent evaluations of the trained network (together within
        ``attractors._validate.MAX_WORK``, like the training; fresh evaluation
        noise each): their retrieval and generalisation scores are returned
        as ``retrieval_evals`` and ``generalisation_evals``; the first one
        is the one whose scores are ``retrieval`` and ``generalisation``.
    data : tuple (train, test), optional
        Preprocessed digits (default :func:`digits_patterns`).
    return_network : bool, default False
        Also return the trained couplings (``"J"``) and last state (``"sigma"``).

    Returns
    -------
    dict
        ``evidence``, ``beta`` and the scores of :func:`evaluate`, plus
        ``J_asymmetry`` (``|J - J^T| / |J|``, Frobenius), ``cpu_seconds``
        (CPU time of this point, training and evaluation), and
        ``retrieval_evals``, ``generalisation_evals`` (arrays of length
        ``n_evaluations``).

    Raises
    ------
    ValueError, TypeError
        On malformed input (names the argument).
    """
    cpu0 = time.process_time()
    evidence = as_positive(evidence, "evidence")
    beta = as_positive(beta, "beta")
    tr, te = _digits_data(data)
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(as_int(seed, "seed"))
    g_train, g_eval = (np.random.default_rng(s) for s in ss.spawn(2))
    if not isinstance(return_network, (bool, np.bool_)):
        raise TypeError("return_network must be a bool")
    n_evaluations = as_int(n_evaluations, "n_evaluations", minimum=1)
    n_trials = as_int(n_trials, "n_trials", minimum=1)
    n_steps = as_int(n_steps, "n_steps", minimum=1)
    check_budget("n_evaluations, n_trials and n_steps", work=n_evaluations * _evaluation_work(tr.shape[1], tr.shape[0], n_trials, n_steps),
                 what=f"{n_evaluations} evaluations of {n_trials} trials x {n_steps} steps")
    J, sigma, _ = train(tr, evidence=evidence, beta=beta, learning_rate=learning_rate, n_epochs=n_epochs,
                        steps_per_epoch=steps_per_epoch, order="random", rule=rule, rng=g_train)
    out = {"evidence": float(evidence), "beta": float(beta)}
    out.update(evaluate(J, tr, te, evidence=evidence, rng=g_eval, n_trials=n_trials, n_steps=n_steps))
    ret, gen = [out["retrieval"]], [out["generalisation"]]
    for e in range(1, n_evaluations):  # more evaluation seeds, independent of how often ss was spawned
        ss_e = np.random.SeedSequence(ss.entropy, spawn_key=tuple(ss.spawn_key) + (1 + e,))
        ev_e = evaluate(J, tr, te, evidence=evidence, rng=np.random.default_rng(ss_e), n_trials=n_trials,
                        n_steps=n_steps)
        ret.append(ev_e["retrieval"])
        gen.append(ev_e["generalisation"])
    out["retrieval_evals"], out["generalisation_evals"] = np.array(ret), np.array(gen)
    out["J_asymmetry"] = _asymmetry(J)
    out["cpu_seconds"] = time.process_time() - cpu0
    if return_network:
        out["J"], out["sigma"] = J, sigma
    return out


def _asymmetry(J: np.ndarray) -> float:
    """|J - J^T| / |J| (Frobenius), 0 for J = 0; J is first scaled by a power of 2 near its largest
    entry (exact, and the ratio is scale-free) so that no square overflows."""
    top = float(np.max(np.abs(J)))
    if top == 0:
        return 0.0
    if top > 2.0 ** 400 or top < 2.0 ** -400:
        J = np.ldexp(J, -math.frexp(top)[1])
    return float(np.linalg.norm(J - J.T) / np.linalg.norm(J))


_SCORES = ("retrieval", "generalisation", "n_attractors", "orthogonality", "converged", "J_asymmetry",
           "cpu_seconds")


#: Largest grid (points x seeds) one sweep runs: Simulation 2 with 10 seeds.
_MAX_GRID = 20 * 19 * 10
#: Largest number of joblib workers.
_MAX_JOBS = 1024


def _check_point_options(kwargs: dict) -> None:
    """Refuse options of :func:`simulation2_point` that every grid point would refuse, before any work."""
    import inspect

    allowed = set(inspect.signature(simulation2_point).parameters) - {"evidence", "beta", "seed", "data"}
    unknown = sorted(set(kwargs) - allowed - {"data"})
    if unknown:
        raise TypeError(f"kwargs: simulation2_point has no option {unknown[0]!r}")
    tr, kw = np.array([[1.0, -1.0, 1.0, -1.0], [1.0, 1.0, -1.0, -1.0]]), kwargs
    # the run lengths are validated as given, on a 4-node network (no work beyond validation is done)
    _training_args(tr, 1.0, 1.0, kw.get("learning_rate", 0.001), kw.get("n_epochs", 5000),
                   kw.get("steps_per_epoch", 10), _MAX_STEPS, None)
    as_int(kw.get("n_evaluations", 1), "n_evaluations", minimum=1)
    if not isinstance(kw.get("return_network", False), (bool, np.bool_)):
        raise TypeError("return_network must be a bool")
    rule = kw.get("rule")
    if rule is not None and rule not in ("reference", "manuscript"):
        raise ValueError(f"rule must be None, 'reference' or 'manuscript'; got {rule!r}")
    for name in ("n_trials", "n_steps"):
        as_int(kw.get(name, 100), name, minimum=1)


def sweep(evidences, betas, *, seeds=(0,), n_jobs: int = 1, backend: str | None = None, verbose: int = 0,
          **kwargs):
    """Map :func:`simulation2_point` over a grid through :class:`joblib.Parallel`.

    Parameters
    ----------
    evidences, betas : array_like, 1-D
        Grid axes (positive).
    seeds : sequence of int, default (0,)
        Replicates; grid point ``(i, j)`` of replicate ``s`` is seeded with
        ``SeedSequence([s, i, j])`` whatever the scheduling.  At most 3800 grid points
        (evidences x betas x seeds) per call; each point runs within the limits of
        :func:`simulation2_point` (the full Simulation 2 grid is minutes of work by design).
    n_jobs : int, default 1
        Workers (joblib's meaning; -1 for all cores); ``|n_jobs| <= 1024``.
    backend : str or None
        joblib backend (None: joblib's default, or the one set by
        ``joblib.parallel_config``; ``"dask"`` with a ``distributed.Client``).
    verbose : int, default 0
        joblib's progress messages (0: none; 5: one line per batch of finished points, on stderr).
    **kwargs
        Passed to :func:`simulation2_point` (``n_epochs``, ``rule``, ...); options every point would
        refuse are refused before any point runs.

    Returns
    -------
    dict of ndarray
        ``evidence`` and ``beta`` axes, ``seeds``, and every score as an
        array of shape ``(len(evidences), len(betas), len(seeds))``; the
        scores of every evaluation as ``retrieval_evals`` and
        ``generalisation_evals``, shape ``(..., len(seeds), n_evaluations)``.

    Raises
    ------
    ValueError, TypeError
        On malformed input (names the argument).
    """
    from joblib import Parallel, delayed

    ev = as_array(evidences, "evidences", ndim=1)
    bt = as_array(betas, "betas", ndim=1)
    for name, arr in (("evidences", ev), ("betas", bt)):
        if arr.size == 0 or np.any(arr <= 0):
            raise ValueError(f"{name} must be a non-empty array of positive numbers")
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        seeds = (int(seeds),)
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__") or isinstance(seeds, np.ndarray) and seeds.ndim == 0:
        raise TypeError(f"seeds must be an integer or a sequence of integers; got {type(seeds).__name__}")
    seeds = tuple(as_int(s, "seeds") for s in seeds)
    if not seeds:
        raise ValueError("seeds must not be empty")
    if len(seeds) * ev.size * bt.size > _MAX_GRID:
        raise ValueError(f"evidences, betas and seeds: at most {_MAX_GRID} grid points in one sweep; got "
                         f"{len(seeds) * ev.size * bt.size}")
    if not isinstance(n_jobs, (int, np.integer)) or isinstance(n_jobs, bool) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a non-zero integer; got {n_jobs!r}")
    if abs(int(n_jobs)) > _MAX_JOBS:
        raise ValueError(f"n_jobs must be between -{_MAX_JOBS} and {_MAX_JOBS} (joblib's meaning); got {n_jobs}")
    if backend is not None and not isinstance(backend, str):
        raise TypeError(f"backend must be a joblib backend name (str) or None; got {type(backend).__name__}")
    # every point would refuse the same options: check them once, on a tiny grid point, before any work
    _check_point_options(kwargs)
    data = _digits_data(kwargs.pop("data", None))
    tasks = [(i, j, k) for k in range(len(seeds)) for i in range(ev.size) for j in range(bt.size)]
    if not isinstance(verbose, (int, np.integer)) or isinstance(verbose, bool) or verbose < 0:
        raise ValueError(f"verbose must be an integer >= 0; got {verbose!r}")
    opts = dict(n_jobs=int(n_jobs), verbose=int(verbose))
    par = Parallel(**opts) if backend is None else Parallel(backend=backend, **opts)
    res = par(delayed(simulation2_point)(float(ev[i]), float(bt[j]),
                                         np.random.SeedSequence([seeds[k], i, j]), data=data, **kwargs)
              for i, j, k in tasks)
    out = {"evidence": ev.copy(), "beta": bt.copy(), "seeds": np.array(seeds)}
    for key in _SCORES:
        arr = np.empty((ev.size, bt.size, len(seeds)))
        for (i, j, k), r in zip(tasks, res):
            arr[i, j, k] = r[key]
        out[key] = arr
    for key in ("retrieval_evals", "generalisation_evals"):
        arr = np.empty((ev.size, bt.size, len(seeds), res[0][key].size))
        for (i, j, k), r in zip(tasks, res):
            arr[i, j, k] = r[key]
        out[key] = arr
    return out


# --------------------------------------------------------------------------- benchmarks, CLI


def benchmarks(quick: bool = True):
    """Kernel speed for the experiments: one training epoch chunk vs a NumPy loop of the same rule."""
    from attractors.bench import compare

    tr, _ = digits_patterns()
    n_steps = 2000 if quick else 20000
    sched = np.repeat(11.0 * tr[np.arange(n_steps // 10) % 10], 10, axis=0)

    def kernel():
        return _run(np.zeros((64, 64)), sched, n_steps, beta=0.17, learning_rate=0.01, stochastic=False,
                    rng=0, sigma0=np.zeros(64), rule=None)[1]

    def reference():
        J = np.zeros((64, 64))
        s = np.zeros(64)
        off = ~np.eye(64, dtype=bool)
        for t in range(n_steps):
            h = J @ s
            s = fep.langevin(0.17 * (sched[t] + h))
            J += 0.01 * off * (np.outer(s, s) - np.outer(fep.langevin(h), s))
        return J

    return [compare("fep", "train (deterministic, reference rule)", f"N=64, {n_steps} steps", kernel, reference,
                    note="fep.run vs NumPy loop", repeat=3)]


def run_metadata(argv, **extra) -> dict:
    """What a stored result records about how it was made: the command, the package and library
    versions, the machine and the date (UTC), plus ``extra`` (seeds, parameters)."""
    import datetime
    import platform

    import numba

    from attractors import __version__

    return {"command": "python -m attractors.insilico " + " ".join(map(str, argv)), "attractors": __version__,
            "numpy": np.__version__, "numba": numba.__version__, "python": platform.python_version(),
            "machine": platform.machine(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), **extra}


_GRID_HELP = """\
Simulation 2 of [FEP] (book chapter 19): for every point of the grid of evidence levels
(default 1, 2, ..., 20) x inverse temperatures (default 19 values log-spaced from 0.01 to 1)
and every seed, train a 64-node network on one 8x8 digit per class (EPOCHS epochs of 10
parallel steps of simultaneous inference and learning) and score it: retrieval, one-shot
generalisation, number of deterministic attractors, their orthogonality, the asymmetry of J.
The full grid is 380 networks per seed; on one core of the 2-core machine the book is built
on a network takes 0.2 to 0.3 s (training and two evaluations), so a seed takes 1.2 to 1.7
CPU-minutes (under a minute of wall clock with --n-jobs 2 on an otherwise idle machine; `make
data` rebuilds the book's 3-seed grid in about 5 CPU-minutes).  Progress goes to stderr (joblib's
messages) unless --quiet.  Scores are saved to OUT (.npz), one array of shape
(evidence, beta, seed) per score, with the axes and the seeds.

Run locally with joblib worker processes (--n-jobs), on a local Dask cluster
(--local-cluster), or on a running Dask distributed scheduler (--scheduler ADDRESS, e.g.
tcp://10.0.0.5:8786, whose workers have this package installed).
"""


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m attractors.insilico grid --out FILE.npz [options]`` (``--help`` says what it runs)."""
    p = argparse.ArgumentParser(prog="python -m attractors.insilico",
                                description="The in-silico experiments of [FEP] (book chapters 17 and 19).")
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("grid", help="Simulation 2: the evidence x inverse-temperature grid",
                       description=_GRID_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    g.add_argument("--out", required=True, help="output .npz file")
    g.add_argument("--seeds", type=int, nargs="+", default=[0], help="training seeds (default: 0)")
    g.add_argument("--evidences", type=float, nargs="+", default=None,
                   help="evidence levels (default: 1 2 ... 20)")
    g.add_argument("--betas", type=float, nargs="+", default=None,
                   help="inverse temperatures (default: the 19 of Simulation 2)")
    g.add_argument("--epochs", type=int, default=5000, help="training epochs per network (default: 5000)")
    g.add_argument("--evaluations", type=int, default=1,
                   help="independent evaluations of every network (default: 1)")
    g.add_argument("--learning-rate", type=float, default=0.001,
                   help="learning rate (default 0.001, what the reference notebook ran)")
    g.add_argument("--n-jobs", type=int, default=2, help="joblib workers (default: 2; -1 for all cores)")
    where = g.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="address of a running Dask distributed scheduler to run the grid on")
    where.add_argument("--local-cluster", action="store_true",
                       help="start a local distributed.LocalCluster with --n-jobs workers")
    g.add_argument("--quiet", action="store_true", help="no progress messages")
    args = p.parse_args(argv)
    ev = EVIDENCE_LEVELS if args.evidences is None else np.asarray(args.evidences, dtype=float)
    bt = INVERSE_TEMPERATURES if args.betas is None else np.asarray(args.betas, dtype=float)
    t0 = time.perf_counter()
    kw = dict(seeds=args.seeds, n_epochs=args.epochs, learning_rate=args.learning_rate,
              n_evaluations=args.evaluations,
              verbose=0 if args.quiet else 5)
    if args.scheduler or args.local_cluster:
        import joblib
        from distributed import Client, LocalCluster

        if args.scheduler:
            with Client(args.scheduler), joblib.parallel_config(backend="dask"):
                res = sweep(ev, bt, n_jobs=-1, **kw)
        else:
            workers = max(1, args.n_jobs)
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True) as cluster, Client(cluster):
                with joblib.parallel_config(backend="dask"):
                    res = sweep(ev, bt, n_jobs=-1, **kw)
    else:
        res = sweep(ev, bt, n_jobs=args.n_jobs, **kw)
    res["meta"] = np.array(json.dumps(run_metadata(argv if argv is not None else sys.argv[1:],
                                                   seeds=list(args.seeds), learning_rate=args.learning_rate,
                                                   n_epochs=args.epochs, n_evaluations=args.evaluations,
                                                   wall_seconds=round(time.perf_counter() - t0, 1))))
    np.savez(args.out, **res)
    print(f"{res['retrieval'].size} runs in {time.perf_counter() - t0:.1f} s wall clock, "
          f"{res['cpu_seconds'].sum():.1f} CPU seconds in the runs -> {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
