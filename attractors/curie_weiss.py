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
from scipy.special import expit, gammaln, logsumexp

from attractors._meanfield_common import MAX_SIZE, _beta, _excess, _finite_result, _ndim, _real, _size, _tanh_minus_x
from attractors._validate import as_array, as_positive, check_budget

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



# ----------------------------------------------------------------------------- Curie-Weiss

def _cw_scalar(beta: float, J: float, h: float) -> float:
    if h < 0:
        return -_cw_scalar(beta, J, -h)
    bJ = beta * J
    if math.isinf(bJ):
        return 1.0          # T = 0 (or J / T beyond the float range): the ordered state, of the sign of h
    ex = _excess(beta, J)   # beta J - 1, correctly rounded
    bh = beta * h
    if h == 0.0 and ex <= 0.0:
        return 0.0

    # g(m) = tanh(y) - m, y = beta (J m + h), written as (tanh y - y) + (beta J - 1) m + beta h where y is
    # small: near the critical point the direct difference cancels (m* ~ sqrt(3 (beta J - 1)) or (3 beta h)^(1/3))
    def g(m):
        y = bJ * m + bh
        if abs(y) < 0.3:
            return _tanh_minus_x(y) + ex * m + bh
        return math.tanh(y) - m
    if h == 0.0:
        # phi(m) = g(m)/m decreases from beta J - 1 > 0 to tanh(beta J) - 1 < 0.
        return brentq(lambda m: g(m) / m, 1e-300, 1.0, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)
    # h > 0: g is concave on m >= 0, g(0) > 0 > g(1): one root in (0, 1).
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
        :math:`m^*`, same shape as ``beta``; to full relative precision also next to the critical
        point (:math:`\beta J \to 1^+`, or :math:`h \to 0` at :math:`\beta J = 1`), where the residual is
        evaluated in a cancellation-free form (``attractors._meanfield_common``).  At most
        5000 values of ``beta`` per call (about 1 s).

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    J = as_positive(J, "J")
    h = _real(h, "h")
    if _ndim(beta) > 0:
        b = as_array(beta, "beta", finite=False)
        if np.any(np.isnan(b)) or np.any(b <= 0):
            raise ValueError("beta must be > 0")
        check_budget("beta", work=b.size * 2000.0, max_work=1e7, what="one root search of ~100 tanh per value")
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
        documented range, or if :math:`f` itself is beyond the float64 range (e.g. ``beta = 5e-324``,
        where :math:`T s(m)` overflows); the message names the argument(s).
    """
    scalar = _ndim(m) == 0
    mm = as_array(m, "m")
    if np.any(np.abs(mm) > 1.0):
        raise ValueError("m must lie in [-1, 1]")
    beta = _beta(beta)
    J = as_positive(J, "J")
    h = _real(h, "h")
    with np.errstate(over="ignore", invalid="ignore"):
        out = -0.5 * J * mm ** 2 - h * mm
        if not math.isinf(beta):
            out = out - _entropy(mm) / beta
    _finite_result(out, "beta, J and h", "f(m)")
    return float(out.reshape(-1)[0]) if scalar else out


def curie_weiss_barrier(beta, J=1.0):
    r"""Free-energy barrier per spin :math:`\Delta f = f(0) - f(m^*)` at :math:`h=0`.

    Zero for :math:`\beta J \le 1`.  Evaluated as :math:`\tfrac{\beta J-1}{2\beta}m^2 - T\sum_{k\ge2}
    m^{2k}/(2k(2k-1))` for :math:`m^* < 0.8`, so that it keeps its relative precision as
    :math:`\beta J\to1^+` (where :math:`\Delta f \approx 3(\beta J-1)^2/(4\beta)`).  The Arrhenius law for the escape time
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
    J = as_positive(J, "J")
    m = curie_weiss(beta, J)
    if m == 0.0:
        return 0.0
    T = 1.0 / beta
    if m < 0.8:
        # f(0) - f(m) = J m^2/2 - T L(m), L(m) = log 2 - s(m) = sum_k m^(2k) / (2k (2k-1)); the k = 1 term
        # with J m^2/2 gives (J - T) m^2/2 = (beta J - 1) m^2 / (2 beta): no cancellation near T_c
        z = m * m
        tail, term, k = 0.0, z, 1
        while True:
            k += 1
            term *= z
            add = term / (2 * k * (2 * k - 1))
            tail += add
            if add < 1e-18 * tail:
                break
        out = _excess(beta, J) * z / (2.0 * beta) - T * tail
    else:
        L = 0.5 * ((1.0 + m) * math.log1p(m) + ((1.0 - m) * math.log1p(-m) if m < 1.0 else 0.0))
        out = 0.5 * J * m * m - T * L
    return float(_finite_result(max(out, 0.0), "beta and J", "the barrier"))


def _cw_log_weights(N, beta, J, h):
    """Lattice m = (2k - N)/N and log weights log C(N, k) + beta N (e(m) - max e), e = J m^2/2 + h m.

    The energy is shifted by its maximum and scaled by max(J, |h|) before beta multiplies it, so that
    neither beta N e nor beta N (e - max e) overflows (an infinite product times 0 would give NaN).  At
    beta = inf the law sits on the ground states: e is convex in m, so they are m = sign(h), or both
    m = +-1 when h = 0 (decided exactly, not by a tolerance).
    """
    k = np.arange(N + 1)
    m = (2.0 * k - N) / N
    logc = gammaln(N + 1.0) - gammaln(k + 1.0) - gammaln(N - k + 1.0)
    if math.isinf(beta):
        lw = np.full(N + 1, -np.inf)
        if h >= 0.0:
            lw[N] = 0.0
        if h <= 0.0:
            lw[0] = 0.0
        return m, lw
    s = max(J, abs(h))
    e = 0.5 * (J / s) * m ** 2 + (h / s) * m
    d = N * (e - e.max())               # <= 0
    with np.errstate(over="ignore", invalid="ignore"):
        bd = np.where(d == 0.0, 0.0, (beta * s) * d)
    return m, logc + bd


def curie_weiss_exact(N, beta, J=1.0, h=0.0):
    r"""Exact law of the magnetisation of the :math:`N`-spin Curie--Weiss model.

    :math:`P_N(m) = \binom{N}{k}e^{\beta N(Jm^2/2 + hm)}/Z_N`, :math:`m = (2k-N)/N`,
    :math:`k = 0..N`, for the Hamiltonian :math:`-\tfrac{J}{2N}\sum_{i\ne j}s_is_j - h\sum_is_i`
    (the diagonal only shifts the energy).  Computed in log space
    (``gammaln`` and ``logsumexp``), the energy shifted by its maximum, so it neither overflows
    nor underflows for any :math:`N` and :math:`\beta`.  At :math:`\beta = \infty` the law is
    uniform on the ground states (:math:`m = \operatorname{sign} h`, or :math:`\pm1` at :math:`h = 0`).
    Cost: a few passes over :math:`N+1` numbers; ``N <= MAX_SIZE`` (about 5 s, 100 MB).

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
        Magnetisations and :math:`f_N(m) = -(Jm^2/2 + hm) - \log\binom Nk/(\beta N)`.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range, or if :math:`f_N` is beyond the float64 range (``beta`` near 5e-324);
        the message names the argument(s).
    """
    N = _size(N, "N")
    beta = as_positive(beta, "beta")
    J = as_positive(J, "J")
    h = _real(h, "h")
    k = np.arange(N + 1)
    m = (2.0 * k - N) / N
    logc = gammaln(N + 1.0) - gammaln(k + 1.0) - gammaln(N - k + 1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        f = -(0.5 * J * m ** 2 + h * m) - logc / (beta * N)
    return m, _finite_result(f, "beta, J and h", "f_N(m)")


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
        Mean first-passage time in sweeps (``N`` updates), computed in log space (the down-step
        probabilities as :math:`\log\operatorname{expit}`, which does not underflow at large
        :math:`\beta`).  ``N <= MAX_SIZE`` (a few passes over ``N`` numbers, about 5 s).

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range, or if the time exceeds the float64 range; the message names the argument(s).
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
    # log q_k: (1 - tanh x)/2 = expit(-2x), log expit(-2x) = -log(1 + e^{2x}); no underflow to log 0
    with np.errstate(divide="ignore", over="ignore"):
        logq = np.log(k / N) - np.logaddexp(0.0, 2.0 * (beta * (J * (M - 1.0) / N + h)))
    _, lw = _cw_log_weights(N, beta, J, h)
    # log sum_{j >= k} pi_j (unnormalised: ratios only)
    tail = np.logaddexp.accumulate(lw[::-1])[::-1]
    ks = np.arange(k_to + 1, k_from + 1)
    logt = tail[ks] - lw[ks] - logq[ks]
    with np.errstate(over="ignore"):
        out = float(np.exp(logsumexp(logt) - math.log(N))) if ks.size else 0.0
    return float(_finite_result(out, "N, beta, m_from and m_to",
                                "the mean passage time (over 1.8e308 sweeps)"))


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
        with np.errstate(over="ignore"):  # beta f = +-inf: probabilities 0 and 1 (beta times 0 stays 0)
            pu = expit(2.0 * (beta * fu))     # (1 + tanh x)/2, to full relative precision when small
            pd = expit(-2.0 * (beta * fd))
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
