r"""Discrete Hopfield networks: Hebbian couplings, energies, Glauber dynamics, exact Markov chains.

Part II of the book (Chapters 4 and 5, after [CHN] section 2.1) derives what is
implemented here.

States and couplings
    A state is a vector of Ising spins :math:`s \in \{-1, +1\}^N`; patterns are
    rows :math:`\xi^\mu`, shape ``(P, N)``.  Hebb's rule
    :math:`J = \Xi^\top \Xi / N` with the diagonal set to zero
    (:func:`hebbian`, [CHN] Def. 2.1.4).  The overlaps are
    :math:`m^\mu = \xi^\mu \cdot s / N` (:func:`overlaps`).

Energy (Lyapunov function, Hamiltonian)
    :math:`L(s) = -\tfrac12 s^\top J s - h^\top s` (:func:`energy`, [CHN]
    Lemma 2.1.1 and Thm. 2.1).  The local field is :math:`\phi_i(s) = \sum_j J_{ij}
    s_j + h_i`.

Glauber dynamics (:func:`run`)
    One update picks a site :math:`i` and sets :math:`s_i = +1` with the
    heat-bath probability

    .. math:: \Pr[s_i = +1] = \frac{1}{1 + e^{-2\beta\phi_i(s)}}
              = \tfrac12\bigl(1 + \tanh\beta\phi_i(s)\bigr),

    ([CHN] Lemma 2.1.3); at :math:`\beta = \infty` this is
    :math:`s_i \leftarrow \operatorname{sgn}\phi_i(s)`, a tie
    (:math:`\phi_i = 0`) keeping the spin.  *Sequential* mode: one sweep is
    :math:`N` updates at uniformly random sites (the chain of
    :func:`transition_matrix`).  *Parallel* (Little) mode: every site at once
    from the same old state.  The sequential kernel keeps the fields
    up to date: flipping spin :math:`k` adds :math:`2 s_k^{\rm new} J_{:,k}` to
    :math:`\phi`, read as a row of :math:`J^\top` (C-ordered), which is
    :math:`J` itself when :math:`J` is symmetric.

Exact chain for small N
    :func:`all_states` enumerates :math:`\{-1,1\}^N` (index :math:`k` has spin
    :math:`i` up iff bit :math:`i` of :math:`k` is 1); :func:`transition_matrix`
    is the row-stochastic random-site Glauber matrix :math:`W`;
    :func:`stationary` solves :math:`pW = p`; :func:`gibbs` is
    :math:`e^{-\beta L}/Z` and :func:`free_energy` the Gibbs functional
    :math:`F[p] = \langle L\rangle_p + T\sum p\ln p` ([CHN] Thm. 2.2).
"""

from __future__ import annotations

import time

import numpy as np
from scipy.special import expit

from attractors._validate import as_array, as_generator, as_int, as_patterns, as_positive, as_spins, check_budget
from attractors.numerics import logsumexp, softmax
# the Glauber kernels (reference and block-draw) live below this module, in attractors._glauber
from attractors._glauber import TIE_RTOL as _TIE_RTOL
from attractors._glauber import MAX_FIELD, MAX_UPDATES as _MAX_UPDATES, check_fields, check_run, field_vector
from attractors._glauber import (Couplings, _fields_tol, _scan8, _symmetric, _overlap_row, scan_couplings, _par_kernel, _prepare as _kernel_prepare, _run_blocks,
                                 _seq_kernel, _trace_kernel)

__all__ = [
    "TIE_RTOL",
    "MAX_UPDATES",
    "MAX_REFERENCE_UPDATES",
    "MAX_ENTRIES",
    "MAX_EXACT_N",
    "MAX_FIELD",
    "Couplings",
    "prepare",
    "hebbian",
    "energy",
    "overlaps",
    "local_field",
    "run",
    "run_reference",
    "trajectory",
    "transition_counts",
    "all_states",
    "state_index",
    "transition_matrix",
    "stationary",
    "gibbs",
    "log_partition",
    "free_energy",
    "parallel_orbit",
    "benchmarks",
]


#: A field with ``|phi_i| <= TIE_RTOL * (sum_j |J_ij| + |h_i|)`` counts as a tie at beta = inf (the spin is
#: kept): exact ties (Hebbian fields are multiples of 1/N) reach the kernels polluted by round-off of order
#: ``eps * sum_j |J_ij|``.  The kernels of ``attractors._glauber`` use the same value.
TIE_RTOL = _TIE_RTOL

#: Most single-site updates one call of :func:`run` may perform when none flips (about ten seconds of the
#: kernels, the limit ``attractors._validate.MAX_WORK``); the work of a call is counted as if every update
#: flipped (each flip updates N fields), so larger N allows fewer sweeps.  Larger calls are refused, naming
#: ``sweeps``, before any work.
MAX_UPDATES = _MAX_UPDATES
#: Most updates of the pure-Python :func:`run_reference` (a few seconds of its loop).
MAX_REFERENCE_UPDATES = 5 * 10**6
#: Elementary steps charged for one update of the Python loop of :func:`run_reference`, one step of
#: :func:`parallel_orbit`'s Python loop.
_PY_UPDATE_STEPS = 3_000
_PY_STEP_STEPS = 100_000
#: Most entries of an array a function returns (float64: 1 GiB).
MAX_ENTRIES = 2**27
#: Largest N of the dense :math:`2^N\times2^N` matrices (transition matrix, transition counts).
MAX_EXACT_N = 12


# ----------------------------------------------------------------------------
# validation helpers
# ----------------------------------------------------------------------------

def _couplings(J, name: str = "J") -> np.ndarray:
    if isinstance(J, Couplings):
        return J.J
    J = as_array(J, name, ndim=2)
    if J.shape[0] != J.shape[1] or J.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty square matrix; got shape {J.shape}")
    return J


def _field(h, n: int, name: str = "h") -> np.ndarray:
    return field_vector(h, n, name)


def _beta(beta) -> float:
    return as_positive(beta, "beta", allow_inf=True)


def _tie_tol(J: np.ndarray, h: np.ndarray) -> np.ndarray:
    return TIE_RTOL * (np.abs(J).sum(axis=1) + np.abs(h))


def _check_scale(J: np.ndarray, h: np.ndarray, *, total: bool = False) -> None:
    """Refuse J and h whose fields (``total``: whose energy) could overflow float64, naming J."""
    with np.errstate(over="ignore"):
        rows = np.abs(J).sum(axis=1) + np.abs(h)
        check_fields(rows.sum() + np.abs(h).sum() if total else rows, "J")


# ----------------------------------------------------------------------------
# couplings, energies, overlaps
# ----------------------------------------------------------------------------

def hebbian(patterns) -> np.ndarray:
    r"""Hebbian couplings :math:`J = \Xi^\top\Xi/N` with zero diagonal ([CHN] Def. 2.1.4).

    Parameters
    ----------
    patterns : array_like, shape (P, N) or (N,)
        Patterns of ±1 as rows; a 1-D array is one pattern.

    Returns
    -------
    J : ndarray, shape (N, N), float64, C-contiguous
        :math:`J_{ij} = N^{-1}(1-\delta_{ij})\sum_\mu \xi_i^\mu \xi_j^\mu`.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    xi = as_patterns(patterns, "patterns", binary=True)
    n = xi.shape[1]
    if n * n > MAX_ENTRIES:
        raise ValueError(f"patterns must have at most {int(MAX_ENTRIES ** 0.5)} units (J is dense N x N); got {n}")
    check_budget("patterns", work=xi.shape[0] * n * n, what=f"the {n} x {n} product over {xi.shape[0]} patterns")
    J = np.ascontiguousarray(xi.T @ xi) / n
    np.fill_diagonal(J, 0.0)
    return np.ascontiguousarray(J, dtype=np.float64)


def energy(J, s, h=None):
    r"""Lyapunov function / Hamiltonian :math:`L(s) = -\tfrac12 s^\top J s - h^\top s`.

    [CHN] Lemma 2.1.1 (as the Lyapunov function :math:`L_{J,h}`) and Thm. 2.1
    (as :math:`\mathcal H_{J,h}`).

    Parameters
    ----------
    J : array_like, shape (N, N)
    s : array_like, shape (N,) or (B, N)
        ±1 state, or a batch of states as rows.
    h : array_like, shape (N,) or scalar, optional
        External field (default 0).

    Returns
    -------
    float or ndarray of shape (B,)

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    J = _couplings(J)
    n = J.shape[0]
    s = as_spins(s, n, "s")
    h = _field(h, n)
    check_budget("s (batch, with the size of J)", work=s.size * n, nbytes=16 * s.size)
    _check_scale(J, h, total=True)
    e = -0.5 * np.sum((s @ J.T) * s, axis=-1) - s @ h
    return float(e) if s.ndim == 1 else e


def local_field(J, s, h=None) -> np.ndarray:
    r"""Local fields :math:`\phi_i(s) = \sum_j J_{ij}s_j + h_i` (state or batch of rows).

    Parameters
    ----------
    J : array_like, shape (N, N)
    s : array_like, shape (N,) or (B, N)
        ±1 state or batch of states as rows.
    h : array_like, shape (N,) or scalar, optional
        External field (default 0).

    Returns
    -------
    ndarray, shape (N,) or (B, N)

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    J = _couplings(J)
    n = J.shape[0]
    s = as_spins(s, n, "s")
    h = _field(h, n)
    check_budget("s (batch, with the size of J)", work=s.size * n, nbytes=8 * s.size)
    _check_scale(J, h)
    return s @ J.T + h


def overlaps(patterns, s):
    r"""Overlaps :math:`m^\mu = \xi^\mu\cdot s/N`.

    Parameters
    ----------
    patterns : array_like, shape (P, N) or (N,)
    s : array_like, shape (N,) or (B, N)

    Returns
    -------
    ndarray, shape (P,) for one state, (B, P) for a batch.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    xi = as_patterns(patterns, "patterns")
    s = as_spins(s, xi.shape[1], "s")
    rows = s.size // xi.shape[1]
    check_budget("s and patterns", work=rows * xi.size, nbytes=8 * rows * xi.shape[0])
    return (s @ xi.T) / xi.shape[1]


# ----------------------------------------------------------------------------
# Glauber kernels: the njit loops live in attractors._glauber (imported above)
# ----------------------------------------------------------------------------

def prepare(J) -> Couplings:
    r"""Check couplings once for many runs: validated, symmetry tested, compact integer form found.

    :func:`run` accepts the result wherever it accepts ``J`` and then skips this work,
    which is one read of ``J``: a temperature sweep, a seed loop or a phase diagram pays it
    once instead of at every call.  The other functions of this module accept it too.

    Parameters
    ----------
    J : array_like, shape (N, N)
        Couplings (any real dtype; need not be symmetric).  When ``J`` already is a
        C-contiguous float64 array it is kept, not copied: do not modify it afterwards.

    Returns
    -------
    Couplings
        ``.J`` (float64), ``.K`` (the exact integer form :math:`K = NJ` as int8 or int16
        when it exists, e.g. for Hebbian couplings of ±1 patterns; else None),
        ``.symmetric``, ``.rowsum`` (:math:`\max_i\sum_j|K_{ij}|`).

    Raises
    ------
    TypeError, ValueError
        If ``J`` is not a non-empty square matrix of finite real numbers (the message names it).
    """
    if isinstance(J, Couplings):
        return J
    return scan_couplings(J)


def _prepare(J, s0, h, beta, patterns, name_s="s0"):
    J = _couplings(J)
    n = J.shape[0]
    s = as_spins(s0, n, name_s)
    if s.ndim != 1:
        raise ValueError(f"{name_s} must be one state of shape ({n},); got {s.shape}")
    h = _field(h, n)
    beta = _beta(beta)
    if patterns is None:
        xi = np.zeros((0, n))
    else:
        xi = as_patterns(patterns, "patterns")
        if xi.shape[1] != n:
            raise ValueError(f"patterns must have {n} units; got shape {xi.shape}")
    return J, n, s.copy(), h, beta, xi


def _bounded_sweeps(sweeps, n: int, limit: int) -> int:
    sweeps = as_int(sweeps, "sweeps", minimum=0)
    if sweeps * n > limit:
        raise ValueError(f"sweeps must be <= {limit // n} for N = {n} (at most {limit} updates per call); got {sweeps}")
    return sweeps


def run(J, s0, *, h=None, beta=np.inf, mode="sequential", sweeps=1, rng=None, patterns=None):
    r"""Glauber dynamics of a Hopfield network ([CHN] Defs. 2.1.2, 2.1.5, Lemma 2.1.3).

    Parameters
    ----------
    J : array_like, shape (N, N), or Couplings
        Couplings (any real float dtype; need not be symmetric), or what
        :func:`prepare` returned for them (then not checked again).
    s0 : array_like, shape (N,)
        Initial ±1 state (not modified).
    h : array_like, shape (N,) or scalar, optional
        External field (default 0).
    beta : float, optional
        Inverse temperature > 0; ``np.inf`` (default) gives the deterministic
        rule :math:`s_i \leftarrow \operatorname{sgn}\phi_i` with ties kept
        (see :data:`TIE_RTOL`); finite ``beta`` the heat bath
        :math:`\Pr[s_i=+1] = 1/(1+e^{-2\beta\phi_i})`.
    mode : {"sequential", "parallel"}
        ``"sequential"``: a sweep is N updates of uniformly random sites
        (random-site Glauber, the chain of :func:`transition_matrix`);
        ``"parallel"``: a sweep updates all sites from the same old state
        (Little dynamics).
    sweeps : int >= 0
        At most about ten seconds of work, counted as if every update flipped (``sweeps * N``
        updates, each flip updating N fields; see :data:`MAX_UPDATES`), and at most 1 GiB of
        recorded overlaps: a larger call is refused before it starts, naming ``sweeps``.
    rng : int, Generator or None
    patterns : array_like, shape (P, N), optional
        If given, the overlaps are recorded.

    Returns
    -------
    s : ndarray, shape (N,), float64
        Final state.
    m : ndarray, shape (sweeps + 1, P)
        Only if ``patterns`` is given: overlaps before the first sweep and
        after each sweep.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    if not isinstance(mode, str) or mode not in ("sequential", "parallel"):
        raise ValueError(f"mode must be 'sequential' or 'parallel'; got {mode!r}")
    # sequential mode needs the symmetry and the integer form of J: one scan, done here unless prepared
    C = prepare(J) if mode == "sequential" else J
    J, n, s, h, beta, xi = _prepare(C, s0, h, beta, patterns)
    sweeps = check_run(sweeps, n, xi.shape[0], mode)
    gen = as_generator(rng)
    m = np.zeros((sweeps + 1, xi.shape[0]))
    if mode == "sequential":
        # The fast kernels of attractors._glauber (draws in the kernel or in blocks; integer couplings when J = K/N exactly and
        # h = 0) follow the trajectory of _seq_kernel draw for draw: same final state, overlaps and generator
        # state (tests/test_glauber.py).  _seq_kernel stays as their reference.
        K = C.K if not np.any(h) else None
        if xi.shape[0]:
            _overlap_row(xi, s, m[0])
        prep = _kernel_prepare(C.J, K, s, h, beta, symmetric=C.symmetric, rowsum=C.rowsum if K is not None else None)
        if prep[0] == "float64":  # (integer couplings have small fields)
            check_fields(prep[3] / TIE_RTOL, "J")
        _run_blocks(prep, s, beta, sweeps * n, gen, xi, m)
    else:
        _check_scale(J, h)
        _par_kernel(J, s, h, beta, sweeps, gen, xi, m)
    if patterns is not None:
        return s, m
    return s


def run_reference(J, s0, *, h=None, beta=np.inf, mode="sequential", sweeps=1, rng=None):
    """Plain NumPy/Python reference of :func:`run` (same random stream, same result).

    A Python loop over updates; the sequential mode updates the field vector
    with one NumPy row operation per accepted flip.  Used by the tests and the
    benchmarks only.

    Parameters
    ----------
    J, s0, h, beta, mode, rng
        As in :func:`run`.
    sweeps : int
        ``0 <= sweeps * N <= MAX_REFERENCE_UPDATES`` (a Python loop).

    Returns
    -------
    s : ndarray, shape (N,)
        Final state, identical to ``run(...)`` with the same seed.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    J, n, s, h, beta, _ = _prepare(J, s0, h, beta, None)
    if not isinstance(mode, str) or mode not in ("sequential", "parallel"):
        raise ValueError(f"mode must be 'sequential' or 'parallel'; got {mode!r}")
    sweeps = _bounded_sweeps(sweeps, n, MAX_REFERENCE_UPDATES)
    check_budget("sweeps (with the size of J)", work=min(sweeps * n * (_PY_UPDATE_STEPS + n), 10**300),
                 what="a Python loop over the updates")
    _check_scale(J, h)
    return _reference_loop(J, np.ascontiguousarray(J.T), s, h, beta, sweeps, as_generator(rng), mode)


def _reference_loop(J, Jt, s, h, beta, sweeps, gen, mode="sequential"):
    n = s.shape[0]
    s = s.copy()
    tol = _tie_tol(J, h)

    def new_spin(si, phi, t):
        if np.isinf(beta):
            return 1.0 if phi > t else (-1.0 if phi < -t else si)
        u = gen.random()
        with np.errstate(over="ignore"):  # 2 beta phi = +-inf decides as the kernels do
            x = 2.0 * (beta * phi)
        p = 1.0 / (1.0 + np.exp(-x)) if x >= 0 else np.exp(x) / (1.0 + np.exp(x))
        return 1.0 if u < p else -1.0

    if mode == "sequential":
        phi = J @ s + h
        for _ in range(sweeps * n):
            i = int(gen.random() * n)
            new = new_spin(s[i], phi[i], tol[i])
            if new != s[i]:
                s[i] = new
                phi += (2.0 * new) * Jt[i]
    elif mode == "parallel":
        for _ in range(sweeps):
            phi = J @ s + h
            s = np.array([new_spin(s[i], phi[i], tol[i]) for i in range(n)])
    else:
        raise ValueError(f"mode must be 'sequential' or 'parallel'; got {mode!r}")
    return s


def trajectory(J, s0, steps, *, h=None, beta=np.inf, rng=None) -> np.ndarray:
    """State indices along ``steps`` single-site random-site Glauber updates.

    Returns an int64 array of length ``steps + 1`` whose entry ``t`` is the
    :func:`state_index` of the state after ``t`` updates (N <= 30).  Uses the
    same kernel arithmetic as :func:`run` in sequential mode.

    Parameters
    ----------
    J : array_like, shape (N, N), N <= 30
    s0 : array_like, shape (N,)
        Initial ±1 state.
    steps : int
        Number of single-site updates, ``0 <= steps < MAX_ENTRIES``.
    h, beta, rng
        As in :func:`run`.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    J, n, s, h, beta, _ = _prepare(J, s0, h, beta, None)
    if n > 30:
        raise ValueError(f"J must have N <= 30 units for state indices; got N = {n}")
    steps = as_int(steps, "steps", minimum=0)
    if steps + 1 > MAX_ENTRIES:
        raise ValueError(f"steps must be < {MAX_ENTRIES} (one int64 index is stored per step); got {steps}")
    check_budget("steps", work=min(steps * (20 + n), 10**300), nbytes=min(8 * (steps + 1), 10**300))
    _check_scale(J, h)
    gen = as_generator(rng)
    Jt = np.ascontiguousarray(J.T)
    idx = np.empty(steps + 1, dtype=np.int64)
    _trace_kernel(J, Jt, s, h, beta, steps, gen, idx)
    return idx


def transition_counts(idx, N: int) -> np.ndarray:
    """Count matrix ``C[a, b]`` of one-step transitions a -> b along a trajectory of state indices.

    Parameters
    ----------
    idx : array_like of int, shape (T,), T >= 2
        State indices (as from :func:`trajectory`), each in ``[0, 2**N)``; any
        integer dtype (computed in int64).
    N : int
        Number of spins, ``1 <= N <= MAX_EXACT_N`` (the answer is a dense
        :math:`2^N\\times2^N` matrix).

    Returns
    -------
    C : ndarray, shape (2**N, 2**N), int64

    Raises
    ------
    TypeError, ValueError
        If ``idx`` is not a 1-D integer array of length >= 2 with entries in
        range, or ``N`` is not an integer in ``[1, MAX_EXACT_N]``.
    """
    N = as_int(N, "N", minimum=1)
    if N > MAX_EXACT_N:
        raise ValueError(f"N must be <= {MAX_EXACT_N} for a dense 2^N x 2^N count matrix; got {N}")
    try:
        idx = np.asarray(idx)
    except ValueError:   # a ragged list
        raise ValueError("idx must be a 1-D integer array (got a ragged sequence)") from None
    if idx.dtype == bool or not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"idx must be an integer array; got dtype {idx.dtype}")
    if idx.ndim != 1 or idx.size < 2:
        raise ValueError(f"idx must be a 1-D integer array of length >= 2; got shape {idx.shape}")
    K = 1 << N
    if idx.min() < 0 or idx.max() >= K:
        raise ValueError(f"idx must lie in [0, 2^N); got values outside for N = {N}")
    idx = idx.astype(np.int64)                  # no wrap-around in small integer dtypes
    return np.bincount(idx[:-1] * K + idx[1:], minlength=K * K).reshape(K, K)


# ----------------------------------------------------------------------------
# exact chain for small N
# ----------------------------------------------------------------------------

def all_states(N: int) -> np.ndarray:
    """All :math:`2^N` states as rows, float64 ±1; row k has spin i = +1 iff bit i of k is 1.

    Parameters
    ----------
    N : int
        Number of spins, ``1 <= N <= 20`` (the answer has :math:`2^N N` entries).

    Returns
    -------
    ndarray, shape (2**N, N)

    Raises
    ------
    TypeError, ValueError
        If ``N`` is not an integer in ``[1, 20]``.
    """
    N = as_int(N, "N", minimum=1)
    if N > 20:
        raise ValueError(f"N must be <= 20; got {N}")
    k = np.arange(1 << N)[:, None]
    bits = (k >> np.arange(N)[None, :]) & 1
    return np.ascontiguousarray(2.0 * bits - 1.0)


def state_index(s) -> np.ndarray | int:
    """Index of a state (or of each row of a batch) in the order of :func:`all_states`.

    Parameters
    ----------
    s : array_like, shape (N,) or (B, N), N <= 62
        ±1 state(s); the index is :math:`\\sum_i 2^i[s_i=+1]`, an int64.

    Returns
    -------
    int, or ndarray of shape (B,)

    Raises
    ------
    ValueError
        If ``s`` is not ±1 or has more than 62 units (the index would overflow int64).
    """
    s = as_spins(s, None, "s")
    if s.shape[-1] > 62:
        raise ValueError(f"s must have at most 62 units for an int64 state index; got {s.shape[-1]}")
    w = (1 << np.arange(s.shape[-1])).astype(np.int64)
    k = ((s > 0).astype(np.int64) * w).sum(axis=-1)
    return int(k) if s.ndim == 1 else k


def transition_matrix(J, h=None, beta=1.0) -> np.ndarray:
    r"""Row-stochastic matrix :math:`W` of random-site Glauber dynamics ([CHN] Lemma 2.1.3).

    From state :math:`s` a site :math:`i` is chosen with probability
    :math:`1/N` and :math:`s_i` is set to +1 with probability
    :math:`(1+e^{-2\beta\phi_i(s)})^{-1}`.  Hence
    :math:`W_{s, F_i s} = N^{-1} e^{-\beta s_i\phi_i(s)}/(2\cosh\beta\phi_i(s))`
    and :math:`W_{s,s} = N^{-1}\sum_i \tfrac12(1+s_i\tanh\beta\phi_i(s))`.

    Parameters
    ----------
    J : array_like, shape (N, N), N <= MAX_EXACT_N (12)
    h : array_like, optional
    beta : float > 0, ``np.inf`` allowed (ties keep the spin).

    Returns
    -------
    W : ndarray, shape (2^N, 2^N); states ordered as :func:`all_states`.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    J = _couplings(J)
    n = J.shape[0]
    if n > MAX_EXACT_N:
        raise ValueError(f"J must have N <= {MAX_EXACT_N} units for the exact transition matrix; got N = {n}")
    h = _field(h, n)
    beta = _beta(beta)
    S = all_states(n)
    phi = S @ J.T + h
    if np.isinf(beta):
        tol = _tie_tol(J, h)[None, :]
        up = np.where(phi > tol, 1.0, np.where(phi < -tol, 0.0, (S > 0).astype(float)))
        down = 1.0 - up
    else:
        with np.errstate(over="ignore"):  # beta phi = +-inf: probabilities 0 and 1 (beta times 0 stays 0)
            up = expit(2.0 * (beta * phi))
            down = expit(-2.0 * (beta * phi))
    flip = np.where(S > 0, down, up) / n          # (K, N): prob of flipping site i
    keep = np.where(S > 0, up, down).sum(axis=1) / n
    K = 1 << n
    W = np.zeros((K, K))
    rows = np.arange(K)
    for i in range(n):
        W[rows, rows ^ (1 << i)] = flip[:, i]
    W[rows, rows] = keep
    return W


def stationary(P) -> np.ndarray:
    r"""Stationary law :math:`p = pP`, :math:`\sum p = 1`, of an irreducible row-stochastic matrix.

    Solves the linear system :math:`(P^\top - I)p = 0` with one equation
    replaced by the normalisation.

    Parameters
    ----------
    P : array_like, shape (K, K), K <= 2**MAX_EXACT_N
        Row-stochastic matrix.

    Returns
    -------
    p : ndarray, shape (K,)
        Non-negative, summing to 1.

    Raises
    ------
    ValueError
        If ``P`` is not square and row-stochastic, or has no unique stationary law.
    """
    P = as_array(P, "P", ndim=2)
    if P.shape[0] != P.shape[1] or P.shape[0] == 0:
        raise ValueError(f"P must be a non-empty square matrix; got shape {P.shape}")
    if P.shape[0] > 2 ** MAX_EXACT_N:
        raise ValueError(f"P must have at most {2 ** MAX_EXACT_N} states (dense solve); got {P.shape[0]}")
    if np.any(P < 0) or not np.allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-10):
        raise ValueError("P must be row-stochastic (non-negative, rows summing to 1)")
    K = P.shape[0]
    A = P.T - np.eye(K)
    A[-1, :] = 1.0
    b = np.zeros(K)
    b[-1] = 1.0
    try:
        p = np.linalg.solve(A, b)
    except np.linalg.LinAlgError as exc:
        raise ValueError("P has no unique stationary distribution (reducible chain)") from exc
    if not np.all(np.isfinite(p)) or np.min(p) < -1e-9 or np.linalg.cond(A) > 1e13:
        raise ValueError("P has no unique stationary distribution (reducible chain)")
    p = np.clip(p, 0.0, None)
    return p / p.sum()


def gibbs(J, h=None, beta=1.0) -> np.ndarray:
    r"""Exact Gibbs law :math:`e^{-\beta L(s)}/Z` over :func:`all_states` ([CHN] Thm. 2.1, Def. 2.2.2).

    At ``beta = np.inf`` the uniform law on the ground states.  N <= 20.

    Parameters
    ----------
    J : array_like, shape (N, N), N <= 20
    h : array_like, shape (N,) or scalar, optional
    beta : float
        Inverse temperature ``> 0`` (``np.inf`` allowed).

    Returns
    -------
    p : ndarray, shape (2**N,)
        Probabilities in the order of :func:`all_states`.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    J = _couplings(J)
    n = J.shape[0]
    if n > 20:
        raise ValueError(f"J must have N <= 20 units; got N = {n}")
    beta = _beta(beta)
    E = energy(J, all_states(n), h)
    return softmax(-E, beta=beta)


def log_partition(J, h=None, beta=1.0) -> float:
    r""":math:`\ln Z = \ln\sum_s e^{-\beta L(s)}` by stable log-sum-exp (finite beta, N <= 20).

    Parameters
    ----------
    J : array_like, shape (N, N), N <= 20
    h : array_like, shape (N,) or scalar, optional
    beta : float
        Inverse temperature, finite and ``> 0``.

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    J = _couplings(J)
    n = J.shape[0]
    if n > 20:
        raise ValueError(f"J must have N <= 20 units; got N = {n}")
    beta = as_positive(beta, "beta")
    E = energy(J, all_states(n), h)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        out = float(beta * logsumexp(-E, beta=beta))
    if not np.isfinite(out):  # e.g. 1 / beta overflows for a subnormal beta: the shifted sum directly
        with np.errstate(over="ignore"):
            x = -beta * E
        if np.all(np.isfinite(x)):
            top = float(np.max(x))
            out = top + float(np.log(np.sum(np.exp(x - top))))
    if not np.isfinite(out):
        raise ValueError(f"beta = {beta:.3g} with these J and h gives |beta L| beyond float64: ln Z overflows")
    return out


def free_energy(p, E, T) -> float:
    r"""Gibbs free-energy functional :math:`F[p] = \sum p E + T\sum p\ln p` (with :math:`0\ln0=0`).

    [CHN] Def. 2.2.1 with :math:`k_B = 1`; minimised by the Gibbs law (Thm. 2.2).

    Parameters
    ----------
    p : array_like, shape (K,)
        A probability vector.
    E : array_like, shape (K,)
        Energies of the same states.
    T : float
        Temperature ``>= 0``.

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    p = as_array(p, "p", ndim=1)
    E = as_array(E, "E", ndim=1)
    if p.shape != E.shape:
        raise ValueError(f"p and E must have the same shape; got {p.shape} and {E.shape}")
    if np.any(p < 0) or abs(p.sum() - 1.0) > 1e-9:
        raise ValueError("p must be a probability vector")
    T = as_positive(T, "T", allow_zero=True)
    pos = p > 0
    return float(p @ E + T * np.sum(p[pos] * np.log(p[pos])))


def parallel_orbit(J, s0, *, h=None, max_steps=10_000):
    r"""Deterministic parallel dynamics :math:`s \leftarrow \operatorname{sgn}(Js+h)` until a state repeats.

    Returns ``(transient, period, states)``: the first repeated state appears
    after ``transient`` steps and recurs every ``period`` steps; ``states``
    holds the visited states, shape ``(transient + period + 1, N)``.

    Parameters
    ----------
    J : array_like, shape (N, N)
    s0 : array_like, shape (N,)
        Initial ±1 state.
    h : array_like, shape (N,) or scalar, optional
    max_steps : int
        Largest number of parallel steps (``(max_steps + 1) * N < MAX_ENTRIES``; a Python loop, so at
        most about 2e5 steps, fewer for large N: about ten seconds).

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    J, n, s, h, _, _ = _prepare(J, s0, h, np.inf, None)
    max_steps = as_int(max_steps, "max_steps", minimum=1)
    if (max_steps + 1) * n > MAX_ENTRIES:
        raise ValueError(f"max_steps must be < {MAX_ENTRIES // n} for N = {n} (every visited state is kept); "
                         f"got {max_steps}")
    check_budget("max_steps", work=min(max_steps * (_PY_STEP_STEPS + n * n), 10**300),
                 nbytes=min((max_steps + 1) * (16 * n + 300), 10**300),
                 what="a Python loop of parallel steps, every visited state kept")
    _check_scale(J, h)
    seen = {s.tobytes(): 0}
    states = [s.copy()]
    for t in range(1, max_steps + 1):
        s = run(J, s, h=h, beta=np.inf, mode="parallel", sweeps=1)
        key = s.tobytes()
        states.append(s.copy())
        if key in seen:
            return seen[key], t - seen[key], np.array(states)
        seen[key] = t
    raise ValueError(f"no repeated state within max_steps = {max_steps}")


# ----------------------------------------------------------------------------
# benchmarks
# ----------------------------------------------------------------------------

def _bandwidth(n_bytes: int = 64 * 2**20) -> float:
    """Memory bandwidth in bytes/s from ``c = a + b`` on arrays far larger than cache."""
    n = n_bytes // 8
    a = np.ones(n)
    b = np.ones(n)
    c = np.empty(n)
    best = np.inf
    for _ in range(5):
        t0 = time.perf_counter()
        np.add(a, b, out=c)
        best = min(best, time.perf_counter() - t0)
    return 3 * n * 8 / best


def benchmarks(quick: bool = True):
    """Spin updates per second of the sequential Glauber kernel vs the NumPy reference.

    Two regimes on Hebbian couplings (N = 2000, P = 20): retrieval (beta = 5,
    start at a pattern with 10 % flipped spins: few accepted flips) and
    paramagnetic (beta = 0.01: about half the updates flip).  Both sides get
    validated inputs and run the same number of sweeps, including the initial
    O(N^2) field computation.  The note compares the kernel's accepted flips
    per second with the bound ``bandwidth / (8 N bytes)`` of streaming one row
    of J per flip, the bandwidth measured in the same run (``c = a + b`` on
    64 MiB arrays: 3 x 64 MiB moved).

    Parameters
    ----------
    quick : bool, default True
        Small sizes (seconds) instead of the full benchmark.

    Returns
    -------
    list of attractors.bench.Result

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    from attractors.bench import Result, best_time

    n = 2000 if quick else 4000
    p = 20
    sweeps = 3 if quick else 10
    g = np.random.default_rng(0)
    xi = np.where(g.random((p, n)) < 0.5, -1.0, 1.0)
    J = hebbian(xi)
    h = np.zeros(n)
    bw = _bandwidth()
    bound = bw / (8.0 * n)
    out = []
    for label, beta, s0 in (
        ("retrieval", 5.0, xi[0] * np.where(g.random(n) < 0.1, -1.0, 1.0)),
        ("paramagnetic", 0.01, np.where(g.random(n) < 0.5, -1.0, 1.0)),
    ):
        empty_xi, empty_m = np.zeros((0, n)), np.zeros((sweeps + 1, 0))
        s_kernel = s0.copy()
        flips = _seq_kernel(J, J, s_kernel, h, beta, sweeps, np.random.default_rng(1), empty_xi, empty_m)
        # Same random stream on both sides: the final states must be identical.
        agree = bool(np.array_equal(s_kernel, _reference_loop(J, J, s0, h, beta, sweeps, np.random.default_rng(1))))
        tk = best_time(lambda: _seq_kernel(J, J, s0.copy(), h, beta, sweeps, np.random.default_rng(1),
                                           empty_xi, empty_m), repeat=3 if quick else 5, min_time=0.05)
        tr = best_time(lambda: _reference_loop(J, J, s0, h, beta, sweeps, np.random.default_rng(1)),
                       repeat=1 if quick else 3, min_time=0.0)
        phi, tol = np.empty(n), np.empty(n)
        t_init = best_time(lambda: _fields_tol(J, s0, h, phi, tol, TIE_RTOL), repeat=3, min_time=0.02)
        t_sweeps = max(tk - t_init, 1e-9)
        updates = sweeps * n
        note = (f"{updates / tk:.3g} updates/s incl. the O(N^2) initial field pass "
                f"({updates / t_sweeps:.3g} without it; reference {updates / tr:.3g}); "
                f"{flips / sweeps:.0f} flips/sweep: {flips / t_sweeps:.3g} flips/s vs bound "
                f"{bound:.3g} flips/s (one {8 * n / 1e3:.0f} kB row per flip at {bw / 1e9:.1f} GB/s)")
        out.append(Result("hopfield", f"glauber sequential ({label})", f"N={n}, P={p}, {sweeps} sweeps",
                          tk, tr, note, agree))
    return out + call_benchmarks(quick)


def call_benchmarks(quick: bool = True):
    """Whole calls of :func:`run` as a reader makes them, set-up included, against the machine's limits.

    Retrieval (N = 1000, P = 10, beta = 5, 50 sweeps from a pattern with 10 % of its spins
    flipped): updates per second as a fraction of numba's ``Generator.random()`` rate, with a raw
    ``J`` (the call validates and scans it) and with ``prepare(J)`` done once beforehand.
    Flip-heavy (N = 4000, P = 20, beta = 0.01, 10 sweeps, quick: N = 2000): accepted flips per
    second against ``read bandwidth / (8 N bytes)``, streaming one float64 row of ``J`` per flip: a
    yardstick, not a bound, since :func:`run` uses the int8 kernel there (N bytes per flip).
    ``prepare`` itself is timed against reading ``J`` once (``J.sum()``).
    Raw call, prepared call, limits and the read of ``J`` are timed in interleaved rounds
    (:func:`attractors.bench.best_times`), one BLAS thread.  The reference of a call is the same
    call on the per-draw kernel (``_seq_kernel``, set-up included); ``agree``: same final state.

    Parameters
    ----------
    quick : bool, default True
        Smaller flip-heavy case and fewer rounds.

    Returns
    -------
    list of attractors.bench.Result
    """
    from threadpoolctl import threadpool_limits

    from attractors import bench

    if not isinstance(quick, (bool, np.bool_)):
        raise TypeError(f"quick must be a bool; got {type(quick).__name__}")
    out = []
    g = np.random.default_rng(0)
    with threadpool_limits(1):
        rate = bench.rng_rate(repeat=3)
        bw = bench.read_bandwidth(repeat=3)
        for label, n, p, beta, sweeps in (("retrieval", 1000, 10, 5.0, 50),
                                          ("flip-heavy", 2000 if quick else 4000, 20, 0.01, 10)):
            xi = np.where(g.random((p, n)) < 0.5, -1.0, 1.0)
            J = hebbian(xi)
            s0 = (xi[0] * np.where(g.random(n) < 0.1, -1.0, 1.0) if label == "retrieval"
                  else np.where(g.random(n) < 0.5, -1.0, 1.0))
            C = prepare(J)
            gens = [np.random.default_rng(1) for _ in range(3)]
            state = gens[0].bit_generator.state

            def reset(k):
                gens[k].bit_generator.state = state
                return gens[k]

            def reference():
                s = s0.copy()
                _seq_kernel(J, J, s, np.zeros(n), beta, sweeps, reset(2), np.zeros((0, n)), np.zeros((sweeps + 1, 0)))
                return s

            raw = lambda: run(J, s0, beta=beta, sweeps=sweeps, rng=reset(0))  # noqa: E731
            prep = lambda: run(C, s0, beta=beta, sweeps=sweeps, rng=reset(1))  # noqa: E731
            agree = bool(np.array_equal(raw(), reference())) and bool(np.array_equal(prep(), reference()))
            s_tmp = s0.copy()
            flips = _seq_kernel(J, J, s_tmp, np.zeros(n), beta, sweeps, reset(2), np.zeros((0, n)),
                                np.zeros((sweeps + 1, 0)))
            K8 = np.empty((n, n), np.int8)
            t_raw, t_prep, t_ref, t_setup, t_read, t_scan, t_sym, t_read_sym = bench.best_times(
                [raw, prep, reference, lambda: prepare(J), lambda: J.sum(), lambda: _scan8(J, K8),
                 lambda: _symmetric(K8), lambda: (J.sum(), _symmetric(K8))],
                repeat=3 if quick else 7, min_time=0.02 if quick else 0.1)
            updates = sweeps * n
            size = f"N={n}, P={p}, {sweeps} sweeps"
            if label == "retrieval":
                limit = f"numba RNG {rate / 1e6:.0f} M draws/s"
                frac = [updates / t / rate for t in (t_raw, t_prep)]
            else:
                bound = bw / (8.0 * n)
                limit = f"yardstick: float64 row/flip, read at {bw / 1e9:.1f} GB/s"
                frac = [flips / t / bound for t in (t_raw, t_prep)]
            note = (f"set-up (prepare) {t_setup * 1e3:.3g} ms = {t_setup / t_read:.2f} x reading J once "
                    f"({t_read * 1e3:.3g} ms); its scan pass {t_scan / t_read:.2f} x, its symmetry test "
                    f"{t_sym / t_read:.2f} x with K in cache, {(t_read_sym - t_read) / t_read:.2f} x after a read of "
                    f"J; {flips} accepted flips")
            out.append(bench.Result("hopfield", f"run call, {label} (raw J)", size, t_raw, t_ref, note, agree,
                                    limit, frac[0]))
            out.append(bench.Result("hopfield", f"run call, {label} (prepared)", size, t_prep, t_ref, note, agree,
                                    limit, frac[1]))
            out.append(bench.Result("hopfield", f"prepare (set-up), {label}", f"N={n}", t_setup, t_read,
                                    "reference: one read of J (J.sum())", None, "one read of J",
                                    t_read / t_setup))
    return out
