r"""Kramers--Moyal: conditional jump moments of sampled paths, and a jump process (Chapter 1).

A Markov process observed at lag :math:`\Delta t` moves from :math:`x` by :math:`\Delta x`; its
conditional jump moments

.. math::

    M^{(n)}(x) = \langle (\Delta x)^n \mid x \rangle

determine the evolution of the density through the Kramers--Moyal expansion
:math:`p(x, t+\Delta t) - p(x, t) = \sum_{n\ge1}\frac{(-1)^n}{n!}\partial_x^n\bigl[p\,M^{(n)}\bigr]`
([LF] Lemma 20, Chapter 1).  For a diffusion :math:`M^{(1)}/\Delta t` and
:math:`M^{(2)}/\Delta t` tend to the drift and the diffusion and every higher
:math:`M^{(n)}/\Delta t` vanishes, so the expansion stops after two terms (the
Fokker--Planck equation, [LF] Lemma 22).

:func:`jump_moments` estimates :math:`M^{(n)}(x)` and its standard error from pairs
:math:`(x, \Delta x)`, binned by :math:`x`.  :func:`shot_noise` simulates exactly a process for
which the truncation fails: :math:`dx = -\gamma x\,dt + dJ`, :math:`J` a compound Poisson process
of rate :math:`\lambda` with kick sizes :math:`a`, for which
:math:`M^{(n)}/\Delta t \to \lambda\langle a^n\rangle \ne 0` for every :math:`n \ge 2`.

The kernel of :func:`shot_noise` is a numba loop over steps and particles with no NumPy
counterpart worth timing, so :func:`benchmarks` returns an empty list.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from attractors._validate import as_array, as_generator, as_int, as_positive, check_budget
from attractors.sde import _check_steps

__all__ = ["jump_moments", "shot_noise", "benchmarks"]


# ---------------------------------------------------------------------------
# Kramers--Moyal: conditional jump moments
# ---------------------------------------------------------------------------

def jump_moments(x, dx, bins, orders=(1, 2, 3, 4)):
    r"""Conditional jump moments :math:`M^n(x) = \langle(\Delta x)^n \mid x \in \text{bin}\rangle` and their standard errors.

    The increments ``dx`` observed from states ``x`` (pairs of one scalar
    coordinate) are binned by ``x``; in each bin, the sample mean of
    :math:`(\Delta x)^n` and its standard error
    :math:`\sqrt{(\overline{\Delta x^{2n}} - \overline{\Delta x^n}^2)/(c-1)}`
    (``c`` pairs in the bin; assumes independent pairs).  Divided by
    :math:`\Delta t` they estimate the Kramers--Moyal coefficients ([LF] Lemma 20).

    Parameters
    ----------
    x, dx : array_like, shape (n,)
        States and the increments that followed them.
    bins : array_like, shape (n_bins + 1,)
        Increasing bin edges; pairs outside are ignored.
    orders : sequence of int
        Moment orders (each 1..8).

    Returns
    -------
    counts : ndarray of int, shape (n_bins,)
    moments : ndarray, shape (n_bins, len(orders))
    stderr : ndarray, shape (n_bins, len(orders))
        NaN in bins with fewer than two pairs.

    Raises
    ------
    TypeError, ValueError
        If the arrays are malformed, of different lengths, the edges not increasing, or an
        order outside 1..8; or (Limits) if the workspace (about 64 bytes per pair and 32 per bin and
        order) would exceed 1 GiB, naming ``x and dx`` or ``bins``.

    Notes
    -----
    Any finite increments are allowed: each bin's increments are scaled by a power of two before
    their powers are taken, so jumps of ``1e200`` or ``1e-200`` give the moments and errors of the
    same jumps near 1, scaled back.  A moment (or error) beyond the float64 range is ``inf``, never NaN.
    Limits: memory about 64 bytes per pair (refused beyond 1 GiB, about 16 million pairs); work linear
    in ``len(x) * len(orders)``.
    """
    x = as_array(x, "x", ndim=1)
    dx = as_array(dx, "dx", ndim=1)
    if x.shape != dx.shape:
        raise ValueError(f"x and dx must have the same length; got {x.shape} and {dx.shape}")
    edges = as_array(bins, "bins", ndim=1)
    if edges.shape[0] < 2 or not np.all(np.diff(edges) > 0):
        raise ValueError("bins must hold at least two strictly increasing edges")
    if isinstance(orders, (str, bytes)) or not hasattr(orders, "__iter__") or isinstance(orders, np.ndarray) and orders.ndim == 0:
        raise TypeError(f"orders must be a sequence of integers; got {type(orders).__name__}")
    orders = [as_int(o, "orders", minimum=1) for o in orders]
    if not orders or max(orders) > 8:
        raise ValueError("orders must hold at least one order, each between 1 and 8")
    nb = edges.shape[0] - 1
    check_budget("x and dx", nbytes=8.0 * (8 * x.size + 4 * nb * len(orders)), work=20.0 * x.size * len(orders),
                 what="the binned powers of the increments")
    check_budget("bins", nbytes=8.0 * 4 * nb * len(orders), what="the tables of moments")
    idx = np.searchsorted(edges, x, side="right") - 1
    inside = (idx >= 0) & (idx < nb) & (x <= edges[-1])
    idx, dxi = idx[inside], dx[inside]
    counts = np.bincount(idx, minlength=nb)
    # Each bin's increments are scaled by a power of two 2**e_b >= their largest magnitude (exact), so the
    # powers and their squares neither overflow nor underflow as a whole; the moments are scaled back by
    # 2**(n e_b) at the end (inf only where the moment itself is beyond the float64 range).
    peak = np.zeros(nb)
    np.maximum.at(peak, idx, np.abs(dxi))
    e_b = np.frexp(peak)[1].astype(np.int64)
    u = np.ldexp(dxi, -e_b[idx])
    moments = np.empty((nb, len(orders)))
    stderr = np.empty((nb, len(orders)))
    full = counts > 1
    with np.errstate(invalid="ignore", divide="ignore", over="ignore", under="ignore"):
        for j, o in enumerate(orders):
            p = u ** o
            mean = np.bincount(idx, weights=p, minlength=nb) / np.maximum(counts, 1)
            dev = p - mean[idx]  # two passes: no cancellation between the mean of squares and the squared mean
            var = np.bincount(idx, weights=dev * dev, minlength=nb) / np.maximum(counts - 1, 1)
            moments[:, j] = np.where(counts > 0, np.ldexp(mean, o * e_b), np.nan)
            stderr[:, j] = np.where(full, np.ldexp(np.sqrt(var / np.maximum(counts, 1)), o * e_b), np.nan)
    return counts, moments, stderr


# ---------------------------------------------------------------------------
# A jump process: Poisson kicks with linear relaxation (shot noise)
# ---------------------------------------------------------------------------

@njit(cache=True)
def _shot_kernel(X, n_steps, dt, rate, scale, gamma, law, rec, rng, out):
    n = X.shape[0]
    lam = rate * dt
    decay = math.exp(-gamma * dt)
    for i in range(n):
        out[0, i] = X[i]
    r = 1
    for s in range(1, n_steps + 1):
        for i in range(n):
            x = X[i] * decay
            k = rng.poisson(lam)
            for _ in range(k):
                u = rng.random()  # the kick happens at time u*dt inside the step
                a = rng.exponential(scale) if law == 0 else scale
                x += a * math.exp(-gamma * dt * (1.0 - u))
            X[i] = x
        if s % rec == 0:
            for i in range(n):
                out[r, i] = X[i]
            r += 1


def shot_noise(x0, n_steps, dt, *, rate, kick, gamma=0.0, law="exponential", record_every=None, rng=None):
    r"""Exact simulation of shot noise: :math:`dx = -\gamma x\,dt + dJ`, :math:`J` a compound Poisson process.

    Kicks arrive at rate :math:`\lambda` (``rate``); each adds a size drawn from
    an exponential law of mean ``kick`` (``law="exponential"``) or exactly
    ``kick`` (``law="fixed"``).  Between kicks :math:`x` relaxes as
    :math:`e^{-\gamma t}`.  Each step draws the number of kicks in it
    (Poisson), their times (uniform) and sizes, and applies the exact
    solution: there is no discretisation error, ``dt`` only sets the
    recording grid.  Its Kramers--Moyal coefficients are
    :math:`D^{(1)} = -\gamma x + \lambda\langle a\rangle` and
    :math:`D^{(n)} = \lambda\langle a^n\rangle` for :math:`n \ge 2`: none vanish.
    With exponential kicks the stationary law is Gamma with shape
    :math:`\lambda/\gamma` and scale ``kick``.

    Parameters
    ----------
    x0 : array_like, shape (n_particles,)
    n_steps : int
    dt : float
        Recording step (> 0).
    rate : float
        Kick rate :math:`\lambda > 0`.
    kick : float
        Mean kick size (> 0).
    gamma : float, default 0
        Relaxation rate (>= 0).
    law : {"exponential", "fixed"}
    record_every : int, optional
        As in :func:`attractors.sde.simulate`.
    rng : int, Generator or None

    Returns
    -------
    t : ndarray (n_records,)
    X : ndarray (n_records, n_particles)

    Raises
    ------
    TypeError, ValueError
        On malformed input, or beyond the Limits below.

    Notes
    -----
    Limits, checked before anything is allocated: at most ``1e6`` expected kicks per particle and
    step (``rate * dt``, refused naming ``rate``); the work ``n_steps * n_particles * (25 + 100 rate dt)``
    elementary steps within ``attractors._validate.MAX_WORK`` (about ten seconds; refused naming
    ``n_steps``); the recorded positions within 1 GiB (refused naming ``record_every``).
    """
    X = np.array(as_array(x0, "x0", ndim=1), dtype=np.float64, copy=True)
    n = X.shape[0]
    if n == 0:
        raise ValueError("x0 must hold at least one particle")
    dt = as_positive(dt, "dt")
    rate = as_positive(rate, "rate")
    kick = as_positive(kick, "kick")
    gamma = as_positive(gamma, "gamma", allow_zero=True)
    if not isinstance(law, str):
        raise TypeError(f"law must be a string; got {type(law).__name__}")
    if law not in ("exponential", "fixed"):
        raise ValueError(f"law must be 'exponential' or 'fixed'; got {law!r}")
    if rate * dt > 1e6:
        raise ValueError(f"rate * dt is too large: {rate * dt:.3g} expected kicks per particle and step (at most 1e6)")
    n_steps, rec, n_rec = _check_steps(n_steps, record_every, n, 1, 25.0 + 100.0 * rate * dt)
    gen = as_generator(rng)
    out = np.empty((n_rec, n))
    _shot_kernel(X, n_steps, dt, rate, kick, gamma, 0 if law == "exponential" else 1, rec, gen, out)
    if not np.all(np.isfinite(out)):
        raise ValueError("kick is too large: positions overflowed")
    return dt * rec * np.arange(n_rec), out



def benchmarks(quick: bool = True):
    """No benchmark in this module: returns an empty list (see the module docstring).

    Parameters
    ----------
    quick : bool, default True
        Small sizes (seconds) instead of the full benchmark.

    Returns
    -------
    list of attractors.bench.Result
    """
    return []
