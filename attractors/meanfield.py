r"""Mean-field theory of the Curie--Weiss and Hopfield models (Chapters 6 and 7).

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

Hopfield model at low load (Chapter 7, [CHN] Sec. 2.2.2, (Amit, Gutfreund and Sompolinsky 1985))
    For :math:`P` fixed as :math:`N\to\infty` the quenched free energy is
    :math:`f(\mathbf m) = \tfrac12|\mathbf m|^2 - T\,\mathbb E_\xi\log 2\cosh(\beta\,\mathbf m\cdot\xi)`
    at a minimiser of the right-hand side, whose stationary points solve
    :math:`\mathbf m = \mathbb E_\xi[\xi\tanh(\beta\,\mathbf m\cdot\xi)]` (Thm. 2.3, eqs. 2.9--2.10).
    The average over :math:`\xi\in\{\pm1\}^P` is done *exactly* here, by
    enumerating the :math:`2^P` sign vectors (:func:`lowload_free_energy`,
    :func:`lowload_map`, :func:`lowload_hessian`) or, for the symmetric
    :math:`n`-mixtures :math:`\mathbf m = m_n(1,\dots,1,0,\dots,0)`, by the binomial
    law of :math:`S = \sum_{\nu\le n}\xi^\nu` (:func:`mixture`,
    :func:`mixture_hessian`, :func:`mixture_stability_temperature`).
    The Hessian at a mixture has the eigenvalues :math:`A + (n-1)B` (once),
    :math:`A - B` (:math:`n-1` times) and :math:`A` (:math:`P-n` times), with
    :math:`A = 1-\beta(1-Q)`, :math:`B = \beta R`, :math:`Q = \mathbb E\tanh^2(\beta m_n S)`,
    :math:`R = \mathbb E[\xi^1\xi^2\tanh^2(\beta m_n S)]` (Lemma 2.2.3).

Hopfield model at finite load :math:`\alpha = P/N` ((Amit, Gutfreund and Sompolinsky 1987))
    The replica-symmetric retrieval solution solves
    :math:`m = \langle\tanh\beta(m + \sqrt{\alpha r}z)\rangle_z`,
    :math:`q = \langle\tanh^2\beta(m + \sqrt{\alpha r}z)\rangle_z`,
    :math:`r = q/(1-\beta(1-q))^2`, :math:`z\sim\mathcal N(0,1)`
    (:func:`retrieval_rs`).  At :math:`T=0`, with :math:`C = \lim\beta(1-q)`
    and :math:`y = m/\sqrt{2\alpha r}`: :math:`m = \operatorname{erf}(y)`,
    :math:`C = \sqrt{2/(\pi\alpha r)}\,e^{-y^2}`, :math:`r = (1-C)^{-2}`, which
    reduce to the single equation
    :math:`y\sqrt{2\alpha} = \operatorname{erf}(y) - \tfrac{2y}{\sqrt\pi}e^{-y^2}`;
    its non-zero root disappears at :math:`\alpha_c \approx 0.138`
    (:func:`critical_load`).  :func:`retrieval_line` gives the temperature
    :math:`T_M(\alpha)` above which the retrieval solution no longer exists.

Gaussian averages
    :math:`\langle g(\beta(m+\sigma z))\rangle_z` for :math:`g = \tanh` and
    :math:`\operatorname{sech}^2` are computed as the exact step part
    (:math:`\operatorname{erf}`) plus a smooth correction integrated by
    Gauss--Legendre quadrature on each side of the kink :math:`z_0 = -m/\sigma`
    (plain Gauss--Hermite quadrature loses accuracy for :math:`\beta\sigma \gtrsim 10`,
    where the integrand is nearly a step).

This module has no numba kernels: every loop is a short vectorised NumPy
expression, so :func:`benchmarks` returns an empty list.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from numpy.polynomial.legendre import leggauss
from scipy.optimize import brentq, minimize_scalar
from scipy.special import erf, expit, gammaln, logsumexp

from attractors._validate import as_array, as_generator, as_int, as_positive

__all__ = [
    "curie_weiss",
    "curie_weiss_free_energy",
    "curie_weiss_barrier",
    "curie_weiss_exact",
    "curie_weiss_exact_moments",
    "curie_weiss_exact_free_energy",
    "curie_weiss_escape_time",
    "curie_weiss_glauber_matrix",
    "sign_vectors",
    "lowload_map",
    "lowload_free_energy",
    "lowload_hessian",
    "lowload_fixed_point",
    "mixture",
    "mixture_free_energy",
    "mixture_hessian",
    "mixture_stability_temperature",
    "hopfield_p2_free_energy_exact",
    "gauss_tanh",
    "retrieval_rs",
    "critical_load",
    "retrieval_line",
    "rs_free_energy",
    "global_minimum_load",
    "replicon",
    "at_temperature",
    "crosstalk_error_probability",
    "perfect_recall_trials",
    "benchmarks",
    "MAX_SIZE",
    "MAX_DENSE_N",
]

_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)
_GL_T, _GL_W = leggauss(96)
_GL_T = 0.5 * (_GL_T + 1.0)  # nodes on (0, 1)
_GL_W = 0.5 * _GL_W
_GH_X, _GH_W = hermegauss(201)
_GH_W = _GH_W / _SQRT2PI
#: Below this beta*sigma the Gaussian averages use plain Gauss-Hermite quadrature (smooth integrand).
GH_MAX_SHARPNESS = 0.5


#: Largest number of spins / mixture order / patterns for which arrays of that length are built.
MAX_SIZE = 10**7
#: Largest load accepted by the finite-load phase-diagram functions.
MAX_LOAD = 100.0
#: Largest N of the dense projected Glauber matrix (use ``sparse=True`` beyond).
MAX_DENSE_N = 4000


def _size(x, name, *, minimum=1, maximum=MAX_SIZE):
    x = as_int(x, name, minimum=minimum)
    if x > maximum:
        raise ValueError(f"{name} must be <= {maximum}; got {x}")
    return x


def _beta(beta, name="beta"):
    return as_positive(beta, name, allow_inf=True)


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


# ----------------------------------------------------------------------------- Hopfield, low load

def sign_vectors(P):
    r"""All :math:`2^P` vectors of :math:`\{-1,+1\}^P`, as rows (shape ``(2**P, P)``).

    Averages over i.i.d. unbiased pattern bits :math:`\xi\in\{\pm1\}^P` are
    exact means over these rows.

    Parameters
    ----------
    P : int
        Number of patterns, ``1 <= P <= 20``.

    Returns
    -------
    ndarray
        Float64 array of ±1.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    P = as_int(P, "P", minimum=1)
    if P > 20:
        raise ValueError(f"P must be <= 20 for exact enumeration; got {P}")
    idx = np.arange(2 ** P)[:, None]
    bits = (idx >> np.arange(P)[None, :]) & 1
    return 1.0 - 2.0 * bits.astype(np.float64)


def _as_m(m, name="m"):
    mm = as_array(m, name, ndim=1)
    if mm.size == 0 or mm.size > 20:
        raise ValueError(f"{name} must have between 1 and 20 components; got {mm.size}")
    return mm


def lowload_map(m, beta):
    r"""Right-hand side of eq. 2.10, :math:`F(\mathbf m) = \mathbb E_\xi[\xi\tanh(\beta\,\mathbf m\cdot\xi)]`.

    The average is exact (enumeration of :math:`\xi\in\{\pm1\}^P`).  At
    :math:`\beta=\infty`, :math:`\tanh \to \operatorname{sign}` (with sign(0) = 0).

    Parameters
    ----------
    m : array_like, shape (P,)
        Overlaps.
    beta : float
        Inverse temperature ``> 0`` (``np.inf`` allowed).

    Returns
    -------
    ndarray, shape (P,)

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    mm = _as_m(m)
    beta = _beta(beta)
    X = sign_vectors(mm.size)
    u = X @ mm
    t = np.sign(u) if math.isinf(beta) else np.tanh(beta * u)
    return (X * t[:, None]).mean(axis=0)


def lowload_free_energy(m, beta):
    r"""Quenched low-load free energy function (eq. 2.9 of [CHN]).

    :math:`f(\mathbf m) = \tfrac12|\mathbf m|^2 - T\,\mathbb E_\xi\log2\cosh(\beta\,\mathbf m\cdot\xi)`,
    exact average over :math:`\xi\in\{\pm1\}^P`, overflow-free log-cosh.  At
    :math:`\beta = \infty`: :math:`\tfrac12|\mathbf m|^2 - \mathbb E|\mathbf m\cdot\xi|`.

    Parameters
    ----------
    m : array_like, shape (P,) or (K, P)
        Overlap vector(s).
    beta : float
        Inverse temperature ``> 0`` (``np.inf`` allowed).

    Returns
    -------
    float or ndarray, shape (K,)

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    mm = as_array(m, "m", ndim=(1, 2))
    single = mm.ndim == 1
    mm = np.atleast_2d(mm)
    if mm.shape[1] == 0 or mm.shape[1] > 20:
        raise ValueError("m must have between 1 and 20 components")
    beta = _beta(beta)
    X = sign_vectors(mm.shape[1])
    u = mm @ X.T  # (K, 2^P)
    if math.isinf(beta):
        lc = np.abs(u).mean(axis=1)
    else:
        a = np.abs(beta * u)
        lc = (a + np.log1p(np.exp(-2.0 * a))).mean(axis=1) / beta  # log 2cosh = |x| + log(1+e^{-2|x|})
    out = 0.5 * np.sum(mm ** 2, axis=1) - lc
    return float(out[0]) if single else out


def lowload_hessian(m, beta):
    r"""Hessian of :func:`lowload_free_energy`: :math:`\delta_{\mu\nu} - \beta\,\mathbb E[(1-\tanh^2(\beta\,\mathbf m\cdot\xi))\xi^\mu\xi^\nu]`.

    (Proof of Lemma 2.2.3 of [CHN]); exact average over :math:`\xi`.

    Parameters
    ----------
    m : array_like, shape (P,)
        Overlaps.
    beta : float
        Inverse temperature ``> 0`` (finite).

    Returns
    -------
    ndarray, shape (P, P)

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    mm = _as_m(m)
    beta = as_positive(beta, "beta")
    X = sign_vectors(mm.size)
    sech2 = 1.0 - np.tanh(beta * (X @ mm)) ** 2
    return np.eye(mm.size) - beta * (X * sech2[:, None]).T @ X / X.shape[0]


def lowload_fixed_point(m0, beta, *, damping=0.5, tol=1e-13, max_iter=100000):
    r"""Solve eq. 2.10 by damped iteration :math:`\mathbf m \leftarrow (1-d)\mathbf m + dF(\mathbf m)`.

    Parameters
    ----------
    m0 : array_like, shape (P,)
        Starting overlaps.
    beta : float
        Inverse temperature ``> 0`` (``np.inf`` allowed).
    damping : float, default 0.5
        Step :math:`d \in (0, 1]`.
    tol : float
        Stop when the max-norm of the update is below ``tol``.
    max_iter : int
        Iteration cap.

    Returns
    -------
    m : ndarray, shape (P,)
        The fixed point reached.
    n_iter : int
        Iterations used (``max_iter`` if not converged).

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    m = _as_m(m0, "m0").copy()
    beta = _beta(beta)
    d = as_positive(damping, "damping")
    if d > 1:
        raise ValueError("damping must be in (0, 1]")
    max_iter = _size(max_iter, "max_iter")
    for it in range(1, max_iter + 1):
        new = (1 - d) * m + d * lowload_map(m, beta)
        if np.max(np.abs(new - m)) < tol:
            return new, it
        m = new
    return m, max_iter


def _mixture_law(n):
    k = np.arange(n + 1)
    S = n - 2.0 * k
    w = np.exp(gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0) - n * math.log(2.0))
    return S, w


def mixture(n, beta):
    r"""Amplitude :math:`m_n` of the symmetric :math:`n`-mixture (Lemma 2.2.2 of [CHN]).

    :math:`\mathbf m = m_n(1,\dots,1,0,\dots,0)` solves eq. 2.10 iff
    :math:`m_n = \mathbb E[\xi^1\tanh(\beta m_n S)] = \tfrac1n\mathbb E[S\tanh(\beta m_n S)]`,
    :math:`S = \sum_{\nu\le n}\xi^\nu` (exact binomial average).  Since
    :math:`\tanh(x)/x` decreases, :math:`\phi(m) = \mathbb E[S\tanh(\beta mS)]/(nm)`
    decreases from :math:`\beta` (at :math:`m\to0`) and the non-zero root exists
    iff :math:`\beta > 1`, and is unique.  At :math:`\beta=\infty`,
    :math:`m_n = \mathbb E|S|/n`.

    Parameters
    ----------
    n : int
        Number of mixed patterns, ``>= 1``.
    beta : float or array_like
        Inverse temperature ``> 0`` (``np.inf`` allowed).

    Returns
    -------
    float or ndarray
        :math:`m_n` (0 for :math:`\beta\le1`).

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    n = _size(n, "n", maximum=10**5)
    if np.ndim(beta) > 0:
        return np.array([mixture(n, float(b)) for b in np.ravel(beta)]).reshape(np.shape(beta))
    beta = _beta(beta)
    S, w = _mixture_law(n)
    if math.isinf(beta):
        return float(np.sum(w * np.abs(S)) / n)
    if beta <= 1.0:
        return 0.0

    def phi(m):
        return float(np.sum(w * S * np.tanh(beta * m * S))) / (n * m) - 1.0
    return brentq(phi, 1e-300, 1.0, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)


def mixture_free_energy(n, beta):
    r"""Free energy (eq. 2.9) at the symmetric :math:`n`-mixture: :math:`\tfrac n2m_n^2 - T\,\mathbb E\log2\cosh(\beta m_nS)`.

    Parameters
    ----------
    n : int
        Number of mixed patterns.
    beta : float
        Inverse temperature ``> 0`` (``np.inf`` allowed).

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    n = _size(n, "n", maximum=10**5)
    beta = _beta(beta)
    mn = mixture(n, beta)
    S, w = _mixture_law(n)
    if math.isinf(beta):
        return 0.5 * n * mn ** 2 - float(np.sum(w * np.abs(mn * S)))
    a = np.abs(beta * mn * S)
    return 0.5 * n * mn ** 2 - float(np.sum(w * (a + np.log1p(np.exp(-2 * a))))) / beta


def _mixture_AB(n, beta):
    mn = mixture(n, beta)
    S, w = _mixture_law(n)
    t2 = np.tanh(beta * mn * S) ** 2
    sech2 = 1.0 - t2
    A = 1.0 - beta * float(np.sum(w * sech2))
    if n >= 2:
        # sum_{mu != nu <= n} xi^mu xi^nu = S^2 - n, all pairs alike
        B = beta * float(np.sum(w * (S ** 2 - n) * t2)) / (n * (n - 1))
    else:
        B = 0.0
    return mn, A, B


def mixture_hessian(n, beta, P):
    r"""Eigenvalues of the Hessian of eq. 2.9 at the symmetric :math:`n`-mixture (Lemma 2.2.3 of [CHN]).

    With :math:`A = 1-\beta+\beta Q` and :math:`B = \beta R` (module docstring),
    the Hessian is :math:`A` on the diagonal, :math:`B` between two of the first
    :math:`n` components and 0 otherwise, so its eigenvalues are
    :math:`A+(n-1)B` (once), :math:`A-B` (:math:`n-1` times) and :math:`A`
    (:math:`P-n` times).

    Parameters
    ----------
    n : int
        Mixture order, ``1 <= n <= P``.
    beta : float
        Inverse temperature ``> 0`` (finite).
    P : int
        Number of stored patterns.

    Returns
    -------
    ndarray, shape (P,)
        The eigenvalues in increasing order.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    n = _size(n, "n", maximum=10**5)
    P = _size(P, "P")
    if n > P:
        raise ValueError(f"n must be <= P; got n={n}, P={P}")
    beta = as_positive(beta, "beta")
    _, A, B = _mixture_AB(n, beta)
    ev = [A + (n - 1) * B] + [A - B] * (n - 1) + [A] * (P - n)
    return np.sort(np.array(ev))


def mixture_stability_temperature(n, P=None, *, t_min=0.02):
    r"""Temperature :math:`T_n` below which the symmetric :math:`n`-mixture is a local minimum of eq. 2.9.

    The smallest Hessian eigenvalue (:func:`mixture_hessian`, with :math:`P > n`
    so that the eigenvalue :math:`A` is present) is scanned on a grid of
    :math:`T\in[t_{\min}, 1)` and its last sign change is refined with ``brentq``.
    Returns ``nan`` when the mixture is unstable on the whole grid (even
    :math:`n`), and 1.0 for :math:`n = 1` (pure states are stable for all :math:`T<1`).

    Parameters
    ----------
    n : int
        Mixture order, ``1 <= n <= 1e5``.
    P : int, optional
        Number of patterns, ``>= n`` (default ``n + 1``; every ``P > n`` gives the same answer).
    t_min : float
        Lowest temperature scanned, ``0 < t_min < 0.999``.

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        If ``n`` or ``P`` is not a valid integer, or ``t_min`` is outside ``(0, 0.999)``.
    """
    n = _size(n, "n", maximum=10**5)
    P = n + 1 if P is None else as_int(P, "P", minimum=n)
    t_min = as_positive(t_min, "t_min")
    if t_min >= 0.999:
        raise ValueError(f"t_min must be below 0.999 (the scan runs over [t_min, 0.999]); got {t_min}")
    if n == 1:
        return 1.0
    # P only sets the multiplicities of the three eigenvalues A + (n-1)B, A - B, A: the smallest
    # one is the same for every P > n, so P = n + 1 suffices (and P = n drops the eigenvalue A)
    P_eff = min(P, n + 1)

    def lam(T):
        return mixture_hessian(n, 1.0 / T, P_eff)[0]
    Ts = np.linspace(t_min, 0.999, 200)
    lv = np.array([lam(T) for T in Ts])
    pos = lv > 0
    if not pos.any():
        return float("nan")
    i = np.nonzero(pos)[0][-1]
    if i == len(Ts) - 1:
        return float("nan")  # stable up to T -> 1: not a finite threshold on this grid
    return brentq(lam, Ts[i], Ts[i + 1], xtol=1e-13)


def hopfield_p2_free_energy_exact(N, beta, *, samples=False):
    r"""Exact quenched free energy per spin :math:`f^Q_N` of the Hopfield model with :math:`P=2` patterns.

    Gauge the spins by pattern 1 (:math:`s_i\to\xi^1_is_i`); then only the
    product :math:`\eta_i = \xi^1_i\xi^2_i` matters.  With :math:`a` sites of
    :math:`\eta_i=+1`, :math:`k_1` up-spins among them and :math:`k_2` among
    the other :math:`b = N-a`, :math:`M_1 = (2k_1-a)+(2k_2-b)`,
    :math:`M_2 = (2k_1-a)-(2k_2-b)` and
    :math:`H = -\tfrac1{2N}(M_1^2+M_2^2) + 1` (zero diagonal).  Hence
    :math:`Z = \sum_{k_1,k_2}\binom a{k_1}\binom b{k_2}e^{-\beta H}` and the
    pattern average is the exact binomial average over :math:`a`.
    Theorem 2.3 of [CHN] predicts :math:`f^Q_N \to \min_{\mathbf m} f(\mathbf m)`
    (:func:`lowload_free_energy`).

    Parameters
    ----------
    N : int
        Number of spins, ``2 <= N <= 1000`` (the cost grows like N^2.5: about 10 s at N = 1000).
    beta : float
        Inverse temperature ``> 0`` (finite).
    samples : bool, default False
        Also return the law of the sample free energy :math:`f_{N,X}`, which
        depends on the patterns only through :math:`a`.

    Returns
    -------
    float
        :math:`f^Q_N = -\tfrac1{\beta N}\mathbb E_\xi\log Z`.
    (a, p, f_a) : three ndarrays
        Only with ``samples=True``: the values of :math:`a` kept (binomial
        weight within :math:`e^{-60}` of the largest), their probabilities
        (renormalised to sum to 1) and :math:`f_{N,X}` at each.

    Raises
    ------
    TypeError, ValueError
        If ``N`` is not an integer in ``[2, 1000]`` or ``beta`` is not finite and ``> 0``.
    """
    N = as_int(N, "N", minimum=2)
    if N > 1000:
        raise ValueError(f"N must be <= 1000; got {N}")
    beta = as_positive(beta, "beta")
    a_all = np.arange(N + 1)
    logpa = gammaln(N + 1.0) - gammaln(a_all + 1.0) - gammaln(N - a_all + 1.0) - N * math.log(2.0)
    keep = logpa > logpa.max() - 60.0
    if not isinstance(samples, (bool, np.bool_)):
        raise TypeError(f"samples must be a bool; got {type(samples).__name__}")
    total = 0.0
    wsum = 0.0
    ws, fs = [], []
    for a in a_all[keep]:
        b = N - a
        k1 = np.arange(a + 1)[:, None]
        k2 = np.arange(b + 1)[None, :]
        x = 2.0 * k1 - a
        y = 2.0 * k2 - b
        lc = (gammaln(a + 1.0) - gammaln(k1 + 1.0) - gammaln(a - k1 + 1.0)
              + gammaln(b + 1.0) - gammaln(k2 + 1.0) - gammaln(b - k2 + 1.0))
        expo = lc + beta * (((x + y) ** 2 + (x - y) ** 2) / (2.0 * N) - 1.0)
        lz = float(logsumexp(expo))
        w = math.exp(logpa[a])
        total += w * (-lz / (beta * N))
        wsum += w
        ws.append(w)
        fs.append(-lz / (beta * N))
    if samples:
        return total / wsum, a_all[keep].copy(), np.array(ws) / wsum, np.array(fs)
    return total / wsum


# ----------------------------------------------------------------------------- Gaussian averages

def gauss_tanh(a, sigma, beta):
    r"""Gaussian averages :math:`\langle\tanh\beta(a+\sigma z)\rangle_z` and :math:`\langle\operatorname{sech}^2\beta(a+\sigma z)\rangle_z`.

    :math:`z\sim\mathcal N(0,1)`.  Written as the step part
    :math:`\operatorname{erf}(a/(\sigma\sqrt2))` plus the correction
    :math:`\int(\tanh v - \operatorname{sign}v)\,\varphi(z_0 + v/k)\,dv/k`,
    :math:`k = \beta\sigma`, :math:`z_0 = -a/\sigma`, integrated by 96-point
    Gauss--Legendre quadrature (96 nodes) on each side of :math:`v = 0` (the kink), over
    :math:`|v|\le\min(40, k(|z_0|+12))`; same for the sech² average.  Where
    :math:`k \le` ``GH_MAX_SHARPNESS`` the integrand is smooth and 201-node
    Gauss--Hermite quadrature is used instead.  Accurate
    to about 1e-12 for any :math:`\beta\sigma` (tests compare with a fine
    trapezoid rule).  At :math:`\beta=\infty`: :math:`(\operatorname{erf}(a/\sigma\sqrt2), 0)`.

    Parameters
    ----------
    a : array_like
        Means.
    sigma : array_like
        Standard deviations ``>= 0`` (broadcast with ``a``).
    beta : float
        Inverse temperature ``> 0`` (``np.inf`` allowed).

    Returns
    -------
    (ndarray, ndarray)
        The two averages, broadcast shape of ``a`` and ``sigma``.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    scalar = np.ndim(a) == 0 and np.ndim(sigma) == 0
    a = as_array(a, "a")
    s = as_array(sigma, "sigma")
    if np.any(s < 0):
        raise ValueError("sigma must be >= 0")
    beta = _beta(beta)
    a, s = np.broadcast_arrays(a, s)
    t_out = np.empty(a.shape)
    s_out = np.empty(a.shape)
    zero = s == 0
    if math.isinf(beta):
        with np.errstate(divide="ignore", invalid="ignore"):
            t_out[:] = np.where(zero, np.sign(a), erf(a / (np.where(zero, 1.0, s) * _SQRT2)))
        s_out[:] = 0.0
        if scalar:
            return float(t_out[0]), float(s_out[0])
        return t_out, s_out
    t_out[zero] = np.tanh(beta * a[zero])
    s_out[zero] = 1.0 / np.cosh(np.minimum(np.abs(beta * a[zero]), 700.0)) ** 2
    smooth = (~zero) & (beta * s <= GH_MAX_SHARPNESS)
    if smooth.any():
        x = beta * (a[smooth][:, None] + s[smooth][:, None] * _GH_X[None, :])
        t_out[smooth] = np.tanh(x) @ _GH_W
        s_out[smooth] = (1.0 - np.tanh(x) ** 2) @ _GH_W
    nz = (~zero) & ~smooth
    if nz.any():
        aa = a[nz][:, None]
        ss = s[nz][:, None]
        k = beta * ss
        z0 = -aa / ss
        V = np.minimum(40.0, k * (np.abs(z0) + 12.0))
        v = V * _GL_T[None, :]
        wv = V * _GL_W[None, :]
        zp = z0 + v / k
        zm = z0 - v / k
        phip = np.exp(-0.5 * zp ** 2) / (_SQRT2PI * k)
        phim = np.exp(-0.5 * zm ** 2) / (_SQRT2PI * k)
        tm1 = -2.0 * expit(-2.0 * v)           # tanh v - 1, v >= 0
        e = np.exp(-2.0 * v)
        sech2 = 4.0 * e / (1.0 + e) ** 2
        corr = np.sum(wv * tm1 * (phip - phim), axis=1)
        t_out[nz] = erf(aa[:, 0] / (ss[:, 0] * _SQRT2)) + corr
        s_out[nz] = np.sum(wv * sech2 * (phip + phim), axis=1)
    if scalar:
        return float(t_out[0]), float(s_out[0])
    return t_out, s_out


# ----------------------------------------------------------------------------- AGS replica symmetry

def _t0_alpha(y):
    """The load at which y solves the T = 0 equation: 0.5 (erf(y)/y - 2/sqrt(pi) e^{-y^2})^2."""
    return 0.5 * (float(erf(y)) / y - 2.0 / math.sqrt(math.pi) * math.exp(-y * y)) ** 2


def _t0_argmax():
    res = minimize_scalar(lambda y: -_t0_alpha(y), bounds=(0.5, 3.0), method="bounded",
                          options={"xatol": 1e-12})
    return float(res.x), float(-res.fun)


def _rs_t0(alpha):
    # the retrieval root is the largest y with alpha(y) = alpha: alpha(y) decreases for y > y*
    if alpha == 0.0:
        return 1.0, 1.0, 1.0
    y_star, a_c = _t0_argmax()
    if alpha > a_c:
        return (math.nan,) * 3
    hi = 1e4
    if _t0_alpha(hi) >= alpha:
        return 1.0, 1.0, 1.0 / (1.0 - 0.0) ** 2
    if alpha == a_c:
        y = y_star
    else:
        y = brentq(lambda t: _t0_alpha(t) - alpha, y_star, hi, xtol=1e-15, rtol=1e-15, maxiter=500)
    m = float(erf(y))
    r = m * m / (2.0 * alpha * y * y)
    return m, 1.0, r


def _solve_q(m, alpha, beta, iters=46):
    """For each m (array), the root q of q = 1 - <sech^2 beta(m + sqrt(alpha r(q)) z)> by bisection."""
    m = np.asarray(m, dtype=float)
    lo = np.full(m.shape, max(0.0, 1.0 - 1.0 / beta) + 1e-15)
    hi = np.ones(m.shape)
    for _ in range(iters):
        q = 0.5 * (lo + hi)
        C = beta * (1.0 - q)
        r = q / (1.0 - C) ** 2
        _, s2 = gauss_tanh(m, np.sqrt(alpha * r), beta)
        h = 1.0 - s2 - q
        lo = np.where(h > 0, q, lo)
        hi = np.where(h > 0, hi, q)
    q = 0.5 * (lo + hi)
    r = q / (1.0 - beta * (1.0 - q)) ** 2
    return q, r


def _rs_residual(m, alpha, beta):
    q, r = _solve_q(m, alpha, beta)
    t, _ = gauss_tanh(m, np.sqrt(alpha * r), beta)
    return t - m, q, r


def _rs_scan(alpha, beta, grid):
    ms = np.linspace(1.0, 2e-3, grid)
    g, _, _ = _rs_residual(ms, alpha, beta)
    return ms, g


def _g1(x, alpha, beta):
    return float(_rs_residual(np.array([x]), alpha, beta)[0][0])


def _rs_exists(alpha, beta, grid=60):
    """Whether the retrieval branch exists: a positive residual at some m >= 0.05 (scan, then local maximum)."""
    ms, g = _rs_scan(alpha, beta, grid)
    ok = ms >= 0.05
    if np.any(g[ok] > 0):
        return True
    i = int(np.argmax(np.where(ok, g, -np.inf)))
    if g[i] < -1e-3:
        # between grid points (spacing h ~ 0.017) g can exceed its grid values by at most h^2 |g''| / 8 << 1e-3
        return False
    lo, hi = ms[min(i + 1, grid - 1)], ms[max(i - 1, 0)]
    res = minimize_scalar(lambda x: -_g1(x, alpha, beta), bounds=(lo, hi), method="bounded",
                          options={"xatol": 1e-7})
    return bool(-res.fun > 0)


def _rs_finite(alpha, beta, grid=120):
    ms, g = _rs_scan(alpha, beta, grid)
    idx = np.nonzero(g > 0)[0]
    if idx.size == 0 or idx[0] == 0:
        if not _rs_exists(alpha, beta, grid):
            return (math.nan,) * 3
        ms = np.linspace(1.0, 2e-3, 4 * grid)
        g, _, _ = _rs_residual(ms, alpha, beta)
        idx = np.nonzero(g > 0)[0]
        if idx.size == 0 or idx[0] == 0:
            return (math.nan,) * 3
    i = idx[0]
    m = brentq(_g1, ms[i], ms[i - 1], args=(alpha, beta), xtol=1e-13, rtol=1e-13)
    _, q, r = _rs_residual(np.array([m]), alpha, beta)
    return m, float(q[0]), float(r[0])


def retrieval_rs(alpha, beta):
    r"""Replica-symmetric retrieval solution :math:`(m, q, r)` of Amit, Gutfreund and Sompolinsky.

    Solves :math:`m = \langle\tanh\beta(m+\sqrt{\alpha r}z)\rangle`,
    :math:`q = \langle\tanh^2\beta(m+\sqrt{\alpha r}z)\rangle`,
    :math:`r = q/(1-\beta(1-q))^2` (Amit, Gutfreund and Sompolinsky 1987) for the largest
    :math:`m > 0` (the retrieval branch).  For each trial :math:`m` the
    :math:`q`-equation is solved by bisection on
    :math:`q\in(\max(0, 1-T), 1]` (where :math:`1-\beta(1-q) > 0`), and the
    :math:`m`-equation by a scan from :math:`m=1` downwards and ``brentq``.
    At :math:`\beta=\infty` the zero-temperature equations (module
    docstring) are solved instead, :math:`q = 1`.  At :math:`\alpha = 0` the
    solution is Curie--Weiss: :math:`m = \tanh\beta m`, :math:`q = m^2`,
    :math:`r = q/(1-\beta(1-q))^2`.

    Parameters
    ----------
    alpha : float
        Load :math:`P/N \ge 0`.
    beta : float
        Inverse temperature ``> 0`` (``np.inf`` for :math:`T = 0`).

    Returns
    -------
    (float, float, float)
        :math:`(m, q, r)`, or NaNs where no retrieval solution exists.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    alpha = as_positive(alpha, "alpha", allow_zero=True)
    beta = _beta(beta)
    if math.isinf(beta):
        return _rs_t0(alpha)
    if alpha == 0.0:
        m = curie_weiss(beta)
        if m == 0.0:
            return (math.nan,) * 3
        q = m * m
        return m, q, q / (1.0 - beta * (1.0 - q)) ** 2
    return _rs_finite(alpha, beta)


def critical_load(beta=np.inf):
    r"""Largest load :math:`\alpha_c(T)` with a replica-symmetric retrieval solution.

    At :math:`T = 0` it is the maximum over :math:`y` of
    :math:`\alpha(y) = \tfrac12\big(\operatorname{erf}(y)/y - \tfrac2{\sqrt\pi}e^{-y^2}\big)^2`
    (the zero-temperature equation solved for :math:`\alpha`), found with a
    bounded scalar minimiser; :math:`\alpha_c(0) \approx 0.138`.  At finite
    :math:`\beta`, bisection on :math:`\alpha` of the existence of :func:`retrieval_rs`.

    Parameters
    ----------
    beta : float, default inf
        Inverse temperature.

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    beta = _beta(beta)
    if math.isinf(beta):
        return _t0_argmax()[1]
    if beta <= 1.0:
        return 0.0
    lo, hi = 0.0, 0.2
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if not _rs_exists(mid, beta):
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-6:
            break
    return 0.5 * (lo + hi)


def retrieval_line(alpha, *, tol=1e-3, lower=False):
    r"""Temperature :math:`T_M(\alpha)` above which the RS retrieval solution ceases to exist.

    Bisection on :math:`T\in(0, 1)` of the existence of :func:`retrieval_rs`
    (the retrieval branch disappears in a saddle-node bifurcation).
    :math:`T_M(0) = 1`.  The line is slightly re-entrant: :math:`\alpha_c(T)` grows from
    :math:`\alpha_c(0)\approx0.1379` to about 0.1382 near :math:`T\approx0.02` before it falls, so for
    :math:`\alpha` just above :math:`\alpha_c(0)` retrieval states exist only in a window
    :math:`T_{\rm low}(\alpha) < T < T_M(\alpha)`.  There the window is found by probing
    :math:`T = 0.025, 0.015, 0.04, 0.008, 0.06, 0.004` and bisecting on each side; ``lower=True``
    returns :math:`T_{\rm low}` (0 for :math:`\alpha < \alpha_c(0)`).  Where no probe finds a
    retrieval state the result is 0.

    Parameters
    ----------
    alpha : float or array_like
        Loads ``>= 0``.
    tol : float
        Bisection tolerance on :math:`T`, ``0 < tol < 1``; tolerances below
        ``1e-10`` are raised to ``1e-10`` (so the bisection ends after at most
        34 halvings).
    lower : bool, default False
        Return the lower edge :math:`T_{\rm low}(\alpha)` of the re-entrant window instead.

    Returns
    -------
    float or ndarray

    Raises
    ------
    TypeError, ValueError
        If ``alpha`` is negative or not real, ``tol`` is outside ``(0, 1)`` or ``lower`` is not a bool.
    """
    if not isinstance(lower, (bool, np.bool_)):
        raise TypeError(f"lower must be a bool; got {type(lower).__name__}")
    tol = as_positive(tol, "tol")
    if tol >= 1.0:
        raise ValueError(f"tol must be below 1 (the bisection runs on T in (0, 1)); got {tol}")
    if np.ndim(alpha) > 0:
        arr = as_array(alpha, "alpha")
        if np.any(arr < 0):
            raise ValueError("alpha must be >= 0")
        return np.array([retrieval_line(float(a), tol=tol, lower=lower)
                         for a in np.ravel(arr)]).reshape(arr.shape)
    alpha = as_positive(alpha, "alpha", allow_zero=True)
    if alpha == 0.0:
        return 0.0 if lower else 1.0
    tol = max(tol, 1e-10)           # finer than the existence test resolves: stop there (at most 34 halvings)
    if alpha < critical_load():
        if lower:
            return 0.0
        lo, hi = 1e-3, 1.0
    else:
        t_in = next((t for t in (0.025, 0.015, 0.04, 0.008, 0.06, 0.004) if _rs_exists(alpha, 1.0 / t)), None)
        if t_in is None:
            return 0.0
        lo, hi = (1e-3, t_in) if lower else (t_in, 0.2)
    for _ in range(60):
        if hi - lo <= tol:
            break
        mid = 0.5 * (lo + hi)
        if _rs_exists(alpha, 1.0 / mid) != lower:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


# ----------------------------------------------------------------------------- AGS phase diagram (Chapter 7)

def _gauss_smooth(a, s, beta, g_of_x, g_of_v_pos):
    """<g(beta(a + s z))>_z for an even, smooth, integrable bump g (scalar a, s >= 0, finite beta)."""
    if s == 0.0:
        return float(g_of_x(beta * a))
    k = beta * s
    if k <= GH_MAX_SHARPNESS:
        return float(g_of_x(beta * (a + s * _GH_X)) @ _GH_W)
    z0 = -a / s
    V = min(40.0, k * (abs(z0) + 12.0))
    v = V * _GL_T
    w = V * _GL_W
    gv = g_of_v_pos(v)
    phip = np.exp(-0.5 * (z0 + v / k) ** 2) / (_SQRT2PI * k)
    phim = np.exp(-0.5 * (z0 - v / k) ** 2) / (_SQRT2PI * k)
    return float(np.sum(w * gv * (phip + phim)))


def _sech4_x(x):
    t = np.tanh(x)
    return (1.0 - t * t) ** 2


def _sech4_v(v):            # v >= 0, no overflow
    e = np.exp(-2.0 * v)
    return (4.0 * e / (1.0 + e) ** 2) ** 2


def _log1p_exp_x(x):        # log(2 cosh x) - |x| = log(1 + e^{-2|x|})
    return np.log1p(np.exp(-2.0 * np.abs(x)))


def _mean_abs(a, s):
    """<|a + s z|>_z."""
    if s == 0.0:
        return abs(a)
    return a * float(erf(a / (s * _SQRT2))) + s * math.sqrt(2.0 / math.pi) * math.exp(-0.5 * (a / s) ** 2)


def _gt_scalar(a, s, beta):
    """Scalar, unvalidated copy of :func:`gauss_tanh` for finite beta (same quadrature, ~20x less overhead)."""
    if s == 0.0:
        return math.tanh(beta * a), 1.0 / math.cosh(min(abs(beta * a), 700.0)) ** 2
    k = beta * s
    if k <= GH_MAX_SHARPNESS:
        th = np.tanh(beta * (a + s * _GH_X))
        return float(th @ _GH_W), float((1.0 - th * th) @ _GH_W)
    z0 = -a / s
    V = min(40.0, k * (abs(z0) + 12.0))
    v = V * _GL_T
    wv = V * _GL_W
    phip = np.exp(-0.5 * (z0 + v / k) ** 2) / (_SQRT2PI * k)
    phim = np.exp(-0.5 * (z0 - v / k) ** 2) / (_SQRT2PI * k)
    e = np.exp(-2.0 * v)
    tm1 = -2.0 * e / (1.0 + e)                 # tanh v - 1 = -2 expit(-2v)
    sech2 = 4.0 * e / (1.0 + e) ** 2
    t = float(erf(a / (s * _SQRT2))) + float(np.sum(wv * tm1 * (phip - phim)))
    return t, float(np.sum(wv * sech2 * (phip + phim)))


def _rs_iterate(alpha, beta, m0=1.0, q0=1.0, max_iter=2000, tol=1e-13):
    """Plain fixed-point iteration of the RS equations from (m0, q0); (m, q, r) or NaNs if not converged.

    Used where the retrieval state is known to be strongly attracting (loads well below alpha_c), as a fast
    path; callers fall back to :func:`retrieval_rs` when it does not converge or lands on m = 0.
    """
    m, q = m0, q0
    for _ in range(max_iter):
        C = beta * (1.0 - q)
        if C >= 1.0:
            return (math.nan,) * 3
        r = q / (1.0 - C) ** 2
        t, s2 = _gt_scalar(m, math.sqrt(alpha * r), beta)
        m_new, q_new = t, 1.0 - s2
        if abs(m_new - m) < tol and abs(q_new - q) < tol:
            m, q = m_new, q_new
            return m, q, q / (1.0 - beta * (1.0 - q)) ** 2
        m, q = m_new, q_new
    return (math.nan,) * 3


def _retrieval_fast(alpha, beta):
    if not math.isinf(beta):
        m, q, r = _rs_iterate(alpha, beta)
        if math.isfinite(m) and m > 0.05:
            return m, q, r
    return retrieval_rs(alpha, beta)


def _spin_glass_rs(alpha, beta):
    """RS spin-glass solution (m = 0): (q, r); q = 0 (paramagnet) when T >= 1 + sqrt(alpha)."""
    if math.isinf(beta):
        k = math.sqrt(2.0 / (math.pi * alpha))
        C = k / (1.0 + k)
        return 1.0, 1.0 / (1.0 - C) ** 2
    if 1.0 / beta >= 1.0 + math.sqrt(alpha):
        return 0.0, 0.0
    if beta > 1.0:
        q, r = _solve_q(np.array([0.0]), alpha, beta)
        return float(q[0]), float(r[0])
    # 1 < T < 1 + sqrt(alpha): q = 0 is also a root; bisect h(q) = <tanh^2> - q on (q_small, 1)
    def h(q):
        r = q / (1.0 - beta * (1.0 - q)) ** 2
        return 1.0 - gauss_tanh(0.0, math.sqrt(alpha * r), beta)[1] - q
    lo, hi = 1e-9, 1.0
    if h(lo) <= 0.0:
        return 0.0, 0.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if h(mid) > 0.0:
            lo = mid
        else:
            hi = mid
    q = 0.5 * (lo + hi)
    return q, q / (1.0 - beta * (1.0 - q)) ** 2


def _f_rs(m, q, r, alpha, beta):
    """AGS replica-symmetric free energy per spin at (m, q, r)."""
    s = math.sqrt(alpha * r)
    if math.isinf(beta):
        C = 1.0 - 1.0 / math.sqrt(r)
        return alpha / 2 + m * m / 2 + alpha * (2.0 * C - 1.0) / (2.0 * (1.0 - C) ** 2) - _mean_abs(m, s)
    C = beta * (1.0 - q)
    lc = _mean_abs(m, s) + _gauss_smooth(m, s, beta, _log1p_exp_x, lambda v: np.log1p(np.exp(-2.0 * v))) / beta
    return (alpha / 2 + m * m / 2 + alpha / (2.0 * beta) * (math.log1p(-C) - beta * q / (1.0 - C))
            + alpha * beta * r * (1.0 - q) / 2 - lc)


def rs_free_energy(alpha, beta, state="retrieval"):
    r"""Replica-symmetric free energy per spin of the Hopfield model at load :math:`\alpha` (AGS 1987).

    .. math::
        f = \frac\alpha2 + \frac{m^2}2 + \frac{\alpha}{2\beta}\Big[\ln(1-C) - \frac{\beta q}{1-C}\Big]
            + \frac{\alpha\beta r}{2}(1-q) - \frac1\beta\big\langle\ln2\cosh\beta(m+\sqrt{\alpha r}z)\big\rangle_z,

    :math:`C = \beta(1-q)`, evaluated at the retrieval solution of :func:`retrieval_rs`
    (``state="retrieval"``) or at the spin-glass solution :math:`m = 0`,
    :math:`q = \langle\tanh^2\beta\sqrt{\alpha r}z\rangle`, :math:`r = q/(1-C)^2`
    (``state="spin_glass"``; the paramagnet :math:`q = 0` above :math:`T_g = 1+\sqrt\alpha`).
    At :math:`\beta = \infty` (and for :math:`\beta > 10^{12}`) the limit :math:`q\to1` with :math:`C` finite is taken:
    :math:`f = \frac\alpha2 + \frac{m^2}2 + \frac{\alpha(2C-1)}{2(1-C)^2} - \langle|m+\sqrt{\alpha r}z|\rangle`.
    The Gaussian average of :math:`\ln(1+e^{-2\beta|x|})` is done with the quadrature of
    :func:`gauss_tanh` (step part :math:`\langle|x|\rangle` in closed form).

    Parameters
    ----------
    alpha : float
        Load ``> 0``.
    beta : float
        Inverse temperature ``> 0`` (``np.inf`` for :math:`T = 0`).
    state : {"retrieval", "spin_glass"}
        Which RS solution to evaluate.

    Returns
    -------
    (float, float, float, float)
        :math:`(f, m, q, r)`.

    Raises
    ------
    TypeError, ValueError
        If ``alpha`` is not in ``(0, MAX_LOAD]``, ``beta`` not positive (inf allowed), ``state`` not
        one of the two names, or (``state="retrieval"``) no retrieval state exists at ``(alpha, beta)``.
    """
    alpha = _load(alpha)
    beta = _beta(beta)
    if not isinstance(state, str) or state not in ("retrieval", "spin_glass"):
        raise ValueError(f"state must be 'retrieval' or 'spin_glass'; got {state!r}")
    out = _rs_state(alpha, beta, state)
    if not math.isfinite(out[0]):
        raise ValueError(f"no retrieval state at alpha={alpha}, beta={beta} (alpha beyond alpha_c(T) or T >= 1)")
    return out


def _load(alpha):
    alpha = as_positive(alpha, "alpha")
    if alpha > MAX_LOAD:
        raise ValueError(f"alpha must be <= {MAX_LOAD}; got {alpha}")
    return alpha


def _rs_state(alpha, beta, state):
    if beta > 1e12:                   # T < 1e-12: the T = 0 formulas (their O(T) error is below round-off)
        beta = math.inf
    if state == "retrieval":
        m, q, r = _retrieval_fast(alpha, beta)
        if not math.isfinite(m):
            return (math.nan,) * 4
    else:
        m = 0.0
        q, r = _spin_glass_rs(alpha, beta)
        if q == 0.0:                  # paramagnet above T_g
            return _f_para(alpha, beta), 0.0, 0.0, 0.0
    return _f_rs(m, q, r, alpha, beta), m, q, r


def _f_para(alpha, beta):
    # q = r = 0: f = alpha/2 + (alpha/(2 beta)) ln(1 - beta) - T ln 2   (beta < 1 here, since T >= 1 + sqrt(alpha))
    return alpha / 2 + alpha / (2.0 * beta) * math.log1p(-beta) - math.log(2.0) / beta


def _df_rs(alpha, beta):
    """f_retrieval - f_spin_glass (nan if no retrieval state).

    Fast path: the RS iteration from (m, q) = (1, 1); when it converges to m ~ 0 the retrieval state is
    taken as absent (the tests compare with :func:`retrieval_rs`); when it does not converge, the scan of
    :func:`retrieval_rs` decides.
    """
    if not math.isinf(beta):
        m, q, r = _rs_iterate(alpha, beta, m0=1.0, q0=1.0)
        if math.isfinite(m) and m <= 0.05:
            return math.nan
    fr = _rs_state(alpha, beta, "retrieval")[0]
    if not math.isfinite(fr):
        return math.nan
    return fr - _rs_state(alpha, beta, "spin_glass")[0]


def global_minimum_load(beta=np.inf, *, tol=1e-6):
    r"""Load :math:`\alpha_g(T)` below which the RS retrieval state is the global minimum of the free energy.

    Bisection on :math:`\alpha` of the sign of :math:`f_{\rm retrieval} - f_{\rm spin\ glass}`
    (:func:`rs_free_energy`) on :math:`(10^{-4}, 0.07)`, a load without retrieval state counting as lost; the retrieval state is the lower one at small
    :math:`\alpha` and loses at :math:`\alpha_g`.  Read as a function of :math:`\alpha`, the inverse is the
    line :math:`T_c(\alpha)` of Amit, Gutfreund and Sompolinsky ((1987); :math:`\alpha_g(0)\approx0.05`).

    Parameters
    ----------
    beta : float, default inf
        Inverse temperature ``> 1`` (``np.inf`` for :math:`T = 0`).
    tol : float, default 1e-6
        Bisection tolerance on :math:`\alpha`, in ``[1e-12, 0.01]``.

    Returns
    -------
    float
        :math:`\alpha_g(T)` (0 if the retrieval state is not the lower one even at
        :math:`\alpha = 10^{-4}`, i.e. for :math:`T` within about :math:`10^{-2}` of 1).

    Raises
    ------
    TypeError, ValueError
        If ``beta`` is not ``> 1`` or ``tol`` is out of range.
    """
    beta = _beta(beta)
    if beta <= 1.0:
        raise ValueError(f"beta must be > 1 (no retrieval state at T >= 1); got {beta}")
    tol = as_positive(tol, "tol")
    if not 1e-12 <= tol <= 0.01:
        raise ValueError(f"tol must be in [1e-12, 0.01]; got {tol}")
    # g(alpha) = f_retrieval - f_spin_glass, counted as positive where no retrieval state exists
    def g(a):
        d = _df_rs(a, beta)
        return d if math.isfinite(d) else 1.0
    lo, hi = 1e-4, 0.07              # alpha_g(T) < 0.07 for all T (alpha_g(0) ~ 0.052 is its largest value)
    if g(lo) >= 0.0:
        return 0.0
    if g(hi) < 0.0:
        raise RuntimeError("retrieval still the global minimum at alpha = 0.07")  # pragma: no cover
    for _ in range(60):
        if hi - lo <= tol:
            break
        mid = 0.5 * (lo + hi)
        if g(mid) < 0.0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def replicon(alpha, beta):
    r"""AT stability of the RS retrieval solution: :math:`\lambda = 1 - \alpha\beta^2\frac{r}{q}\langle\operatorname{sech}^4\beta(m+\sqrt{\alpha r}z)\rangle`.

    :math:`r/q = (1-\beta(1-q))^{-2}`.  Replica symmetry of the retrieval state is stable for
    :math:`\lambda > 0` and broken (de Almeida--Thouless instability) for :math:`\lambda < 0`
    (Amit, Gutfreund and Sompolinsky 1987).

    Parameters
    ----------
    alpha : float
        Load ``> 0``.
    beta : float
        Finite inverse temperature ``> 1``.

    Returns
    -------
    float
        :math:`\lambda`.

    Raises
    ------
    TypeError, ValueError
        If ``alpha`` is not in ``(0, MAX_LOAD]``, ``beta`` not finite and ``> 1``, or no retrieval
        state exists at ``(alpha, beta)``.
    """
    alpha = _load(alpha)
    beta = as_positive(beta, "beta")
    if beta <= 1.0:
        raise ValueError(f"beta must be > 1; got {beta}")
    lam = _replicon(alpha, beta)
    if not math.isfinite(lam):
        raise ValueError(f"no retrieval state at alpha={alpha}, beta={beta}")
    return lam


def _replicon(alpha, beta):
    m, q, r = _retrieval_fast(alpha, beta)
    if not math.isfinite(m):
        return math.nan
    s4 = _gauss_smooth(m, math.sqrt(alpha * r), beta, _sech4_x, _sech4_v)
    return 1.0 - alpha * beta * beta * (r / q) * s4


def at_temperature(alpha, *, tol=1e-4):
    r"""Temperature :math:`T_R(\alpha)` below which the RS retrieval state is AT-unstable (:func:`replicon` < 0).

    Root of :func:`replicon` in :math:`\ln T` (``brentq``) between :math:`T = 10^{-6}` and
    :math:`\min(0.05, T_M(\alpha))`; returns 0 when the
    retrieval state is still stable at :math:`T = 10^{-6}` (small loads, where :math:`T_R` is exponentially
    small); raises if no retrieval state exists at :math:`T = 10^{-6}`.

    Parameters
    ----------
    alpha : float
        Load ``> 0``.
    tol : float, default 1e-4
        Tolerance on :math:`\ln T` (a relative tolerance on :math:`T`), in ``[1e-10, 0.1]``.

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        If ``alpha`` is not in ``(0, MAX_LOAD]`` or has no retrieval state, or ``tol`` is out of range.
    """
    alpha = _load(alpha)
    tol = as_positive(tol, "tol")
    if not 1e-10 <= tol <= 0.1:
        raise ValueError(f"tol must be in [1e-10, 0.1]; got {tol}")
    t_lo = 1e-6
    lam = _replicon(alpha, 1.0 / t_lo)
    if not math.isfinite(lam):
        raise ValueError(f"no retrieval state at alpha={alpha} even at T = 1e-6 (alpha > alpha_c)")
    if lam > 0.0:
        return 0.0
    t_hi = 0.05                       # T_R < 0.05 at every load where it was computed; else up to T_M
    lam_hi = _replicon(alpha, 1.0 / t_hi)
    if not math.isfinite(lam_hi):
        t_hi = retrieval_line(alpha, tol=1e-3)
        while t_hi > t_lo and not math.isfinite(_replicon(alpha, 1.0 / t_hi)):
            t_hi *= 0.98
        lam_hi = _replicon(alpha, 1.0 / t_hi)
    if lam_hi < 0.0:
        return t_hi
    # root of the replicon eigenvalue in u = ln T (brentq: bracketing, converges in a few evaluations)
    u = brentq(lambda x: _replicon(alpha, math.exp(-x)), math.log(t_lo), math.log(t_hi), xtol=tol, maxiter=200)
    return math.exp(u)


# ----------------------------------------------------------------------------- signal to noise (Chapter 7)

#: Largest N accepted by the signal-to-noise functions.
MAX_SNR_N = 100_000


def crosstalk_error_probability(N, P):
    r"""Exact probability that one bit of a stored pattern is not a strict fixed point of Hebb's network.

    With :math:`J_{ij} = \frac1N\sum_\mu\xi^\mu_i\xi^\mu_j` (:math:`i\ne j`) and i.i.d. unbiased patterns,
    :math:`N\xi^1_ih^1_i = (N-1) + S` where :math:`S` is a sum of :math:`K = (P-1)(N-1)` independent
    :math:`\pm1` (the crosstalk; variance :math:`K/N^2\approx P/N` after division by :math:`N`).  The bit
    is unstable (or tied) when :math:`S\le-(N-1)`: a binomial tail, computed exactly.

    Parameters
    ----------
    N : int
        Number of neurons ``>= 2``.
    P : int or array_like of int
        Number of stored patterns ``>= 1``.

    Returns
    -------
    float or ndarray
        :math:`\Pr[\xi^1_ih^1_i\le0]`.

    Raises
    ------
    TypeError, ValueError
        If ``N`` or ``P`` is not an integer in range (``N <= MAX_SNR_N``, ``1 <= P <= N``).
    """
    from scipy.special import bdtr
    N = _size(N, "N", minimum=2, maximum=MAX_SNR_N)
    scalar = np.ndim(P) == 0
    if scalar:
        Ps = np.array([_size(P, "P", minimum=1, maximum=N)])
    else:
        arr = as_array(P, "P", ndim=1)
        if np.any(arr != np.round(arr)) or np.any(arr < 1) or np.any(arr > N):
            raise ValueError(f"P must hold integers in [1, N={N}]")
        Ps = arr.astype(np.int64)
    K = (Ps - 1) * (N - 1)
    kmax = np.floor((K - (N - 1)) / 2.0)         # S = 2B - K <= -(N-1)  <=>  B <= (K - N + 1) / 2
    out = np.where(kmax >= 0, bdtr(np.maximum(kmax, 0), np.maximum(K, 1), 0.5), 0.0)
    return float(out[0]) if scalar else out


def perfect_recall_trials(N, n_networks, rng, *, max_patterns=None):
    r"""Largest number of patterns for which Hebb's network keeps stored patterns as exact fixed points.

    For each of ``n_networks`` networks, random patterns :math:`\xi^1, \xi^2, \dots` are stored one by
    one; after each addition the strict stability :math:`\xi^\mu_ih^\mu_i > 0` of every bit of every stored
    pattern is tested (fields updated incrementally in integer arithmetic:
    :math:`Nh^\mu = \sum_\nu\xi^\nu(\xi^\nu\cdot\xi^\mu) - P\xi^\mu`).  Returns, per network, the largest
    :math:`P` with *all* stored patterns stable and the largest :math:`P` with the *first* pattern stable
    (the counts stop at the first failure).

    Parameters
    ----------
    N : int
        Number of neurons, ``2 <= N <= MAX_SNR_N``.
    n_networks : int
        Number of independent networks, ``1 <= n_networks <= 10000``.
    rng : int, Generator or None
        Random source (same seed, same result).
    max_patterns : int, optional
        Largest number of patterns tried (default ``N``; at most ``N``).

    Returns
    -------
    (ndarray, ndarray)
        Integer arrays of length ``n_networks``: largest P with all patterns stable, with pattern 1 stable.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.
    """
    N = _size(N, "N", minimum=2, maximum=MAX_SNR_N)
    n_networks = _size(n_networks, "n_networks", minimum=1, maximum=10_000)
    gen = as_generator(rng)
    max_patterns = N if max_patterns is None else _size(max_patterns, "max_patterns", minimum=1, maximum=N)
    all_ok = np.zeros(n_networks, dtype=np.int64)
    first_ok = np.zeros(n_networks, dtype=np.int64)
    for k in range(n_networks):
        # float64 holds these integers exactly (|F| <= N * max_patterns < 2**53) and uses BLAS
        xi = np.empty((max_patterns, N))
        F = np.empty((max_patterns, N))
        done_all = False
        for p in range(max_patterns):
            new = 2.0 * gen.integers(0, 2, size=N) - 1.0
            xi[p] = new
            # rows of F kept up to date: all stored patterns until the first failure, then pattern 1 only
            rows = p if not done_all else min(p, 1)
            if p > 0:
                ov_all = xi[:p] @ new if not done_all else xi[:1] @ new  # overlaps with the old patterns
                F[:rows] += ov_all[:rows, None] * new[None, :] - xi[:rows]
                if not done_all:
                    F[p] = ov_all @ xi[:p] + (N - p) * new              # sum_nu xi^nu (xi^nu.new) - (p+1) new
            else:
                F[0] = (N - 1) * new
            if not done_all:
                stable = (xi[:p + 1] * F[:p + 1]) > 0
                if stable.all():
                    all_ok[k] = p + 1
                else:
                    done_all = True
                ok1 = bool(stable[0].all())
            else:
                ok1 = bool(np.all(xi[0] * F[0] > 0))
            if ok1:
                first_ok[k] = p + 1
            else:
                break
    return all_ok, first_ok


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
