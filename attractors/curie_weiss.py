r"""The Curie--Weiss magnet: mean-field theory, exact finite-:math:`N` law and escape times (Chapter 6).

Curie--Weiss (Chapter 6, [CHN] Sec. 2.2.1)
    :math:`N` Ising spins with all-to-all couplings :math:`J/N` and field :math:`h`,
    :math:`H(s) = -\tfrac{J}{2N}\sum_{i\ne j}s_is_j - h\sum_i s_i
    = -\tfrac{NJ}{2}m^2 - hNm + \tfrac J2` with :math:`m = \tfrac1N\sum_i s_i`.
    The exact law of :math:`m` at inverse temperature :math:`\beta` is
    :math:`P_N(m) \propto \binom{N}{N(1+m)/2}\, e^{\beta N (J m^2/2 + h m)}`
    (:func:`curie_weiss_exact`, summed in log space).  For :math:`N\to\infty`
    :math:`-\tfrac{1}{\beta N}\log P_N(m) \to f(m) - \min f` with the Landau
    (mean-field) free energy per spin
    :math:`f(m) = -\tfrac J2 m^2 - hm - T\,s(m)`,
    :math:`s(m) = -\tfrac{1+m}{2}\log\tfrac{1+m}{2} - \tfrac{1-m}{2}\log\tfrac{1-m}{2}`
    (:func:`curie_weiss_free_energy`), whose stationary points solve
    :math:`m = \tanh(\beta(Jm + h))` (eq. 2.8 of [CHN], :func:`curie_weiss`).
    Random-site heat-bath (Glauber) dynamics projects exactly onto a
    birth--death chain for :math:`k = N(1+m)/2`; its mean first-passage times
    follow from the stationary law in closed form
    (:func:`curie_weiss_escape_time`).
    :func:`curie_weiss_glauber_matrix` is the one-update transition matrix of
    that chain.

This module has no numba kernels: every loop is a short vectorised NumPy
expression, so :func:`benchmarks` returns an empty list.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq
from scipy.special import gammaln, logsumexp

from attractors._meanfield_common import MAX_SIZE, _beta, _size
from attractors._validate import as_array, as_positive

__all__ = [
    "curie_weiss",
    "curie_weiss_free_energy",
    "curie_weiss_barrier",
    "curie_weiss_exact",
    "curie_weiss_exact_moments",
    "curie_weiss_exact_free_energy",
    "curie_weiss_escape_time",
    "curie_weiss_glauber_matrix",
    "benchmarks",
    "MAX_SIZE",
    "MAX_DENSE_N",
]

#: Largest N of the dense projected Glauber matrix (use ``sparse=True`` beyond).
MAX_DENSE_N = 4000


def _real(x, name):
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number; got {type(x).__name__}")
    v = float(x)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite; got {v}")
    return v


# ----------------------------------------------------------------------------- Curie-Weiss

def _cw_scalar(beta: float, J: float, h: float) -> float:
    if h < 0:
        return -_cw_scalar(beta, J, -h)
    if math.isinf(beta):
        return 1.0
    if h == 0.0:
        if beta * J <= 1.0:
            return 0.0
        # phi(m) = tanh(beta J m)/m - 1 decreases from beta J - 1 > 0 to tanh(beta J) - 1 < 0.
        def phi(m):
            return math.tanh(beta * J * m) / m - 1.0
        return brentq(phi, 1e-300, 1.0, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)
    # h > 0: g(m) = tanh(beta(Jm+h)) - m is concave on m >= 0, g(0) > 0 > g(1): one root in (0, 1).
    g0 = math.tanh(beta * h)
    if g0 == 1.0:
        return 1.0

    def g(m):
        return math.tanh(beta * (J * m + h)) - m
    if g(1.0) >= 0.0:
        return 1.0
    return brentq(g, 0.0, 1.0, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)


def curie_weiss(beta, J=1.0, h=0.0):
    r"""Stable solution :math:`m^*` of the Curie--Weiss equation :math:`m = \tanh(\beta(Jm+h))` (eq. 2.8 of [CHN]).

    For :math:`h \ne 0` the returned root is the global minimiser of the
    Landau free energy :func:`curie_weiss_free_energy` (it has the sign of
    :math:`h`; a metastable root of the other sign may also exist).  For
    :math:`h = 0` and :math:`\beta J > 1` the two minimisers are :math:`\pm m^*`;
    the **positive branch** is returned.  For :math:`\beta J \le 1`, :math:`h=0`:
    :math:`m^* = 0`.

    Parameters
    ----------
    beta : float or array_like
        Inverse temperature, ``> 0``; ``np.inf`` allowed (gives ``sign(h)``, or 1 at h = 0).
    J : float, default 1.0
        Coupling, ``> 0`` (the critical temperature is :math:`T_c = J`).
    h : float, default 0.0
        External field.

    Returns
    -------
    float or ndarray
        :math:`m^*`, same shape as ``beta``.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    J = as_positive(J, "J")
    h = _real(h, "h")
    if np.ndim(beta) > 0:
        b = as_array(beta, "beta", finite=False)
        if np.any(np.isnan(b)) or np.any(b <= 0):
            raise ValueError("beta must be > 0")
        return np.array([_cw_scalar(float(x), J, h) for x in b.ravel()]).reshape(b.shape)
    return _cw_scalar(_beta(beta), J, h)


def _entropy(m):
    """Entropy per spin s(m) of the magnetisation m in [-1, 1] (0 log 0 = 0)."""
    p = 0.5 * (1.0 + m)
    q = 0.5 * (1.0 - m)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
        b = np.where(q > 0, q * np.log(np.where(q > 0, q, 1.0)), 0.0)
    return -(a + b)


def curie_weiss_free_energy(m, beta, J=1.0, h=0.0):
    r"""Landau (mean-field) free energy per spin :math:`f(m) = -\tfrac J2m^2 - hm - T s(m)`.

    :math:`s(m) = -\tfrac{1+m}2\log\tfrac{1+m}2 - \tfrac{1-m}2\log\tfrac{1-m}2` is
    the entropy per spin at magnetisation :math:`m` ([CHN], Sec. 2.2.1).  Its
    derivative :math:`-Jm - h + T\,\operatorname{artanh} m` vanishes exactly at
    the solutions of eq. 2.8.  At :math:`\beta=\infty`, :math:`f = -Jm^2/2 - hm`.

    Parameters
    ----------
    m : array_like
        Magnetisations in :math:`[-1, 1]`.
    beta : float
        Inverse temperature ``> 0`` (``np.inf`` allowed).
    J, h : float
        Coupling (``> 0``) and field.

    Returns
    -------
    float or ndarray
        :math:`f(m)`, same shape as ``m``.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    scalar = np.ndim(m) == 0
    mm = as_array(m, "m")
    if np.any(np.abs(mm) > 1.0):
        raise ValueError("m must lie in [-1, 1]")
    beta = _beta(beta)
    J = as_positive(J, "J")
    h = _real(h, "h")
    out = -0.5 * J * mm ** 2 - h * mm
    if not math.isinf(beta):
        out = out - _entropy(mm) / beta
    return float(out.reshape(-1)[0]) if scalar else out


def curie_weiss_barrier(beta, J=1.0):
    r"""Free-energy barrier per spin :math:`\Delta f = f(0) - f(m^*)` at :math:`h=0`.

    Zero for :math:`\beta J \le 1`.  The Arrhenius law for the escape time
    between the two ordered states reads :math:`\tau \sim e^{\beta N\Delta f}`.

    Parameters
    ----------
    beta : float
        Inverse temperature ``> 0`` (finite).
    J : float, default 1.0
        Coupling ``> 0``.

    Returns
    -------
    float
        :math:`\Delta f \ge 0`.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    beta = as_positive(beta, "beta")
    ms = curie_weiss(beta, J)
    return curie_weiss_free_energy(0.0, beta, J) - curie_weiss_free_energy(ms, beta, J)


def _cw_log_weights(N, beta, J, h):
    k = np.arange(N + 1)
    m = (2.0 * k - N) / N
    logc = gammaln(N + 1.0) - gammaln(k + 1.0) - gammaln(N - k + 1.0)
    if math.isinf(beta):
        e = 0.5 * J * m ** 2 + h * m
        lw = np.where(np.isclose(e, e.max(), rtol=0, atol=1e-12), 0.0, -np.inf)
    else:
        lw = logc + beta * N * (0.5 * J * m ** 2 + h * m)
    return m, lw


def curie_weiss_exact(N, beta, J=1.0, h=0.0):
    r"""Exact law of the magnetisation of the :math:`N`-spin Curie--Weiss model.

    :math:`P_N(m) = \binom{N}{k}e^{\beta N(Jm^2/2 + hm)}/Z_N`, :math:`m = (2k-N)/N`,
    :math:`k = 0..N`, for the Hamiltonian :math:`-\tfrac{J}{2N}\sum_{i\ne j}s_is_j - h\sum_is_i`
    (the diagonal only shifts the energy).  Computed in log space
    (``gammaln`` and ``logsumexp``), so it neither overflows nor underflows for
    any :math:`N` and :math:`\beta`.  At :math:`\beta = \infty` the law is
    uniform on the ground states.

    Parameters
    ----------
    N : int
        Number of spins, ``>= 1``.
    beta : float
        Inverse temperature ``> 0`` (``np.inf`` allowed).
    J, h : float
        Coupling (``> 0``) and field.

    Returns
    -------
    m : ndarray, shape (N+1,)
        The possible magnetisations, increasing.
    p : ndarray, shape (N+1,)
        Their probabilities (sum to 1).

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    N = _size(N, "N")
    beta = _beta(beta)
    J = as_positive(J, "J")
    h = _real(h, "h")
    m, lw = _cw_log_weights(N, beta, J, h)
    p = np.exp(lw - logsumexp(lw))
    return m, p / p.sum()  # renormalise: the log weights carry rounding ~ eps * beta * N


def curie_weiss_exact_moments(N, beta, J=1.0, h=0.0):
    r"""Exact :math:`\langle |m|\rangle_N` and :math:`\langle m^2\rangle_N` of the Curie--Weiss model.

    Parameters
    ----------
    N : int
        Number of spins.
    beta : float
        Inverse temperature (``np.inf`` allowed).
    J, h : float
        Coupling and field.

    Returns
    -------
    (float, float)
        :math:`\langle|m|\rangle` and :math:`\langle m^2\rangle` under :func:`curie_weiss_exact`.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    m, p = curie_weiss_exact(N, beta, J, h)
    return float(np.sum(p * np.abs(m))), float(np.sum(p * m * m))


def curie_weiss_exact_free_energy(N, beta, J=1.0, h=0.0):
    r"""Exact coarse-grained free energy :math:`f_N(m) = -\tfrac{1}{\beta N}\log Z_N(m)`.

    :math:`Z_N(m) = \binom{N}{k}e^{\beta N(Jm^2/2+hm)}` (the constant
    :math:`J/2` of the zero diagonal is dropped).  As :math:`N\to\infty`,
    :math:`f_N(m) \to` :func:`curie_weiss_free_energy` with error
    :math:`O(\log N / N)` (Stirling).

    Parameters
    ----------
    N : int
        Number of spins.
    beta : float
        Inverse temperature ``> 0`` (finite).
    J, h : float
        Coupling and field.

    Returns
    -------
    m, f : ndarray
        Magnetisations and :math:`f_N(m)`.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    N = _size(N, "N")
    beta = as_positive(beta, "beta")
    J = as_positive(J, "J")
    h = _real(h, "h")
    m, lw = _cw_log_weights(N, beta, J, h)
    return m, -lw / (beta * N)


def curie_weiss_escape_time(N, beta, m_from, m_to, J=1.0, h=0.0):
    r"""Exact mean first-passage time (in sweeps) of heat-bath dynamics from ``m_from`` to :math:`m \le` ``m_to``.

    Random-site heat-bath updates (one update = one site chosen uniformly and
    set to :math:`+1` with probability :math:`(1+\tanh\beta h_i)/2`,
    :math:`h_i = \tfrac JN\sum_{j\ne i}s_j + h`) move :math:`k = \#\{s_i=+1\}`
    by :math:`\pm1` with probabilities
    :math:`p_k = \tfrac{N-k}{N}\tfrac{1+\tanh\beta(J(M+1)/N + h)}2`,
    :math:`q_k = \tfrac kN\tfrac{1-\tanh\beta(J(M-1)/N + h)}2`, :math:`M = 2k-N`.
    The chain is reversible with respect to :func:`curie_weiss_exact`
    (:math:`\pi`), and the mean time to step from :math:`k` down to :math:`k-1`
    is :math:`t_k = \sum_{j\ge k}\pi_j/(\pi_k q_k)`; the passage time is the sum
    of :math:`t_k` over the levels crossed, divided by :math:`N` updates per sweep.

    Parameters
    ----------
    N : int
        Number of spins, ``>= 2``.
    beta : float
        Inverse temperature ``> 0`` (finite).
    m_from : float
        Starting magnetisation (rounded to the lattice :math:`(2k-N)/N`).
    m_to : float
        Target: the first time :math:`m \le` ``m_to``; must be below ``m_from``.
    J, h : float
        Coupling and field.

    Returns
    -------
    float
        Mean first-passage time in sweeps (``N`` updates).

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    N = _size(N, "N", minimum=2)
    beta = as_positive(beta, "beta")
    J = as_positive(J, "J")
    h = _real(h, "h")
    m_from = _real(m_from, "m_from")
    m_to = _real(m_to, "m_to")
    if not (-1.0 <= m_to < m_from <= 1.0):
        raise ValueError("need -1 <= m_to < m_from <= 1")
    k_from = int(round(N * (1.0 + m_from) / 2.0))
    k_to = int(math.floor(N * (1.0 + m_to) / 2.0 + 1e-9))  # largest k with m <= m_to
    if k_to >= k_from:
        return 0.0
    k = np.arange(N + 1)
    M = 2.0 * k - N
    q = (k / N) * 0.5 * (1.0 - np.tanh(beta * (J * (M - 1.0) / N + h)))
    _, lw = _cw_log_weights(N, beta, J, h)
    # log sum_{j >= k} pi_j (unnormalised: ratios only)
    tail = np.logaddexp.accumulate(lw[::-1])[::-1]
    ks = np.arange(k_to + 1, k_from + 1)
    with np.errstate(divide="ignore"):
        logt = tail[ks] - lw[ks] - np.log(q[ks])
    return float(np.sum(np.exp(logt)) / N)


def curie_weiss_glauber_matrix(N, beta, J=1.0, h=0.0, *, sparse=False):
    r"""One-update transition matrix of random-site heat-bath dynamics, projected on :math:`k = N(1+m)/2`.

    Row :math:`k` has :math:`p_k` at :math:`k+1`, :math:`q_k` at :math:`k-1` and
    :math:`1-p_k-q_k` on the diagonal (see :func:`curie_weiss_escape_time`).
    Its stationary law is :func:`curie_weiss_exact`; its ``N``-th power is the
    one-sweep matrix, which gives passage times observed at sweep ends.

    Parameters
    ----------
    N : int
        Number of spins, ``>= 1``.
    beta : float
        Inverse temperature ``> 0`` (``np.inf`` allowed; ties keep the spin).
    J, h : float
        Coupling and field.
    sparse : bool, default False
        Return a ``scipy.sparse`` CSR matrix (three diagonals, :math:`O(N)`
        memory) instead of a dense array; required for ``N > MAX_DENSE_N``.

    Returns
    -------
    ndarray or scipy.sparse.csr_matrix, shape (N+1, N+1)
        Row-stochastic tridiagonal matrix.

    Raises
    ------
    TypeError, ValueError
        If an argument is malformed, or ``N > MAX_DENSE_N`` without ``sparse=True``.
    """
    N = _size(N, "N")
    beta = _beta(beta)
    J = as_positive(J, "J")
    h = _real(h, "h")
    if not isinstance(sparse, (bool, np.bool_)):
        raise TypeError(f"sparse must be a bool; got {type(sparse).__name__}")
    if not sparse and N > MAX_DENSE_N:
        raise ValueError(f"N must be <= {MAX_DENSE_N} for the dense matrix (the chain is tridiagonal: "
                         f"pass sparse=True); got {N}")
    k = np.arange(N + 1)
    M = 2.0 * k - N
    fu = J * (M + 1.0) / N + h   # field on a down spin (it sees the other N-1 spins)
    fd = J * (M - 1.0) / N + h   # field on an up spin
    if math.isinf(beta):
        pu = np.where(fu > 0, 1.0, 0.0)
        pd = np.where(fd < 0, 1.0, 0.0)
    else:
        pu = 0.5 * (1.0 + np.tanh(beta * fu))
        pd = 0.5 * (1.0 - np.tanh(beta * fd))
    p = (N - k) / N * pu
    q = k / N * pd
    if sparse:
        from scipy.sparse import diags
        return diags([q[1:], 1.0 - p - q, p[:-1]], [-1, 0, 1], format="csr")
    W = np.diag(1.0 - p - q)
    W[k[:-1], k[:-1] + 1] = p[:-1]
    W[k[1:], k[1:] - 1] = q[1:]
    return W


def benchmarks(quick: bool = True):
    """No numba kernels in this module: returns an empty list (see the module docstring).

    Parameters
    ----------
    quick : bool, default True
        Small sizes (seconds) instead of the full benchmark.

    Returns
    -------
    list of attractors.bench.Result
    """
    return []
