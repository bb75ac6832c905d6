r"""The Hopfield model at low load: exact pattern averages, mixture states and their stability (Chapter 7).

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
    At finite :math:`N` and :math:`P = 2` the quenched free energy is computed
    exactly by binomial sums (:func:`hopfield_p2_free_energy_exact`), to be
    compared with its limit :math:`\min_{\mathbf m} f(\mathbf m)`.

This module has no numba kernels: every loop is a short vectorised NumPy
expression, so :func:`benchmarks` returns an empty list.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq
from scipy.special import gammaln, logsumexp

from attractors._meanfield_common import (MAX_NUMPY_WORK, MAX_SIZE, _beta, _excess, _finite_result, _ndim, _sech2, _size,
                                         _tanh_minus_x)
from attractors._validate import as_array, as_int, as_positive, check_budget

__all__ = [
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
    "benchmarks",
    "MAX_SIZE",
]


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
    out = np.empty((2 ** P, P))
    for j in range(P):   # row r, column j: 1 - 2 * (bit j of r): blocks of 2**j ones and 2**j minus ones
        out[:, j] = np.tile(np.repeat([1.0, -1.0], 2 ** j), 2 ** (P - 1 - j))
    return out


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
    return _map(sign_vectors(mm.size), mm, beta)


def _map(X, mm, beta):
    u = X @ mm
    with np.errstate(over="ignore", invalid="ignore"):
        t = np.sign(u) if math.isinf(beta) else np.tanh(beta * u)
    return t @ X / X.shape[0]


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
        Cost :math:`K 2^P (P + 20)` element operations and :math:`32 K 2^P` bytes, refused beyond
        ``MAX_NUMPY_WORK`` (about 10 s) or 1 GiB (e.g. ``K = 100`` at ``P = 20``).

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range, if the call is beyond its limits, or if :math:`f` is beyond the float64
        range (``|m|`` near 1e154, ``beta`` near 5e-324); the message names the argument.
    """
    mm = as_array(m, "m", ndim=(1, 2))
    single = mm.ndim == 1
    mm = np.atleast_2d(mm)
    if mm.shape[1] == 0 or mm.shape[1] > 20:
        raise ValueError("m must have between 1 and 20 components")
    beta = _beta(beta)
    K, P = mm.shape
    check_budget("m", nbytes=4 * 8.0 * K * 2**P, work=K * 2.0**P * (P + 20), max_work=MAX_NUMPY_WORK,
                 what=f"{K} overlap vectors times 2**{P} sign vectors")
    X = sign_vectors(P)
    with np.errstate(over="ignore", invalid="ignore"):
        u = mm @ X.T  # (K, 2^P)
        lc = np.abs(u).mean(axis=1)
        if not math.isinf(beta):
            # T log 2cosh(beta u) = |u| + T log(1 + e^{-2 beta |u|}): beta |u| may overflow, |u| does not
            lc = lc + np.log1p(np.exp(-2.0 * (beta * np.abs(u)))).mean(axis=1) / beta
        out = 0.5 * np.sum(mm ** 2, axis=1) - lc
    _finite_result(out, "m and beta", "f(m)")
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
    with np.errstate(over="ignore"):
        sech2 = _sech2(beta * (X @ mm))   # relative precision also where tanh^2 rounds to 1
    H = np.eye(mm.size) - beta * ((X * sech2[:, None]).T @ X / X.shape[0])
    return _finite_result(H, "m and beta", "the Hessian")


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
        Iteration cap; each iteration costs :math:`2^P(2P + 20)` element operations and the call is
        refused when ``max_iter`` of them exceed ``MAX_NUMPY_WORK`` (about 10 s; with ``P = 20``,
        ``max_iter <= 15``).

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
    tol = as_positive(tol, "tol", allow_zero=True)
    max_iter = _size(max_iter, "max_iter")
    check_budget("max_iter", work=max_iter * 2.0**m.size * (2 * m.size + 20), max_work=MAX_NUMPY_WORK,
                 what=f"max_iter exact averages over 2**{m.size} sign vectors")
    X = sign_vectors(m.size)
    for it in range(1, max_iter + 1):
        new = (1 - d) * m + d * _map(X, m, beta)
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
        :math:`m_n` (0 for :math:`\beta\le1`), to full relative precision also as
        :math:`\beta\to1^+`.  An array ``beta`` costs about :math:`70(n+1)` element operations per
        value and is refused beyond ``MAX_NUMPY_WORK`` (about 10 s).

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range; the message names the argument.
    """
    n = _size(n, "n", maximum=10**5)
    if _ndim(beta) > 0:
        b = as_array(beta, "beta", finite=False)
        if np.any(np.isnan(b)) or np.any(b <= 0):
            raise ValueError("beta must be > 0 (np.inf allowed)")
        check_budget("beta and n", work=b.size * 70.0 * (n + 1), max_work=MAX_NUMPY_WORK,
                     what="one root search of ~100 averages over n + 1 terms per value of beta")
        return np.array([_mixture_scalar(n, float(x)) for x in b.ravel()]).reshape(b.shape)
    return _mixture_scalar(n, _beta(beta))


def _mixture_scalar(n, beta):
    S, w = _mixture_law(n)
    if math.isinf(beta):
        return float(np.sum(w * np.abs(S)) / n)
    if beta <= 1.0:
        return 0.0
    ex = _excess(beta)
    wS = w * S

    # phi(m) = E[S tanh(beta m S)]/(n m) - 1 = (beta - 1) + E[S (tanh y - y)]/(n m), y = beta m S (E S^2 = n):
    # no cancellation as beta -> 1+, where m_n -> 0 (used for beta < 2; beyond, the plain form is accurate)
    def phi(m):
        with np.errstate(over="ignore"):
            if beta < 2.0:
                return ex + float(np.sum(wS * _tanh_minus_x(beta * m * S))) / (n * m)
            return float(np.sum(wS * np.tanh(beta * m * S))) / (n * m) - 1.0
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
    out = 0.5 * n * mn ** 2 - float(np.sum(w * np.abs(mn * S)))
    if not math.isinf(beta):
        with np.errstate(over="ignore"):   # T log 2cosh(beta x) = |x| + T log(1 + e^{-2 beta |x|})
            out -= float(np.sum(w * np.log1p(np.exp(-2.0 * (beta * np.abs(mn * S)))))) / beta
    return float(_finite_result(out, "beta", "the free energy"))


def _mixture_AB(n, beta):
    mn = mixture(n, beta)
    S, w = _mixture_law(n)
    with np.errstate(over="ignore"):
        t2 = np.tanh(beta * mn * S) ** 2
        sech2 = _sech2(beta * mn * S)
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
        Mixture order, ``1 <= n <= 1e5``; the scan costs about :math:`5\cdot10^4(n+1)` element
        operations and is refused beyond ``MAX_NUMPY_WORK`` (about 10 s: ``n < 20000``).
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
    if not math.isfinite(1.0 / t_min):
        raise ValueError(f"t_min must have a finite inverse (beta = 1 / t_min); got {t_min!r}")
    check_budget("n", work=250 * 200.0 * (n + 1), max_work=MAX_NUMPY_WORK,
                 what="about 250 Hessians, each a root search over the law of n + 1 terms")
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


#: Largest N of :func:`hopfield_p2_free_energy_exact`.
MAX_P2_N = 10_000


def hopfield_p2_free_energy_exact(N, beta, *, samples=False):
    r"""Exact quenched free energy per spin :math:`f^Q_N` of the Hopfield model with :math:`P=2` patterns.

    Gauge the spins by pattern 1 (:math:`s_i\to\xi^1_is_i`); then only the
    product :math:`\eta_i = \xi^1_i\xi^2_i` matters.  With :math:`a` sites of
    :math:`\eta_i=+1`, :math:`k_1` up-spins among them and :math:`k_2` among
    the other :math:`b = N-a`, :math:`M_1 = (2k_1-a)+(2k_2-b)`,
    :math:`M_2 = (2k_1-a)-(2k_2-b)` and
    :math:`H = -\tfrac1{2N}(M_1^2+M_2^2) + 1` (zero diagonal).  Hence
    :math:`Z = \sum_{k_1,k_2}\binom a{k_1}\binom b{k_2}e^{-\beta H}`; since
    :math:`M_1^2 + M_2^2 = 2(x^2 + y^2)`, :math:`x = 2k_1 - a`, :math:`y = 2k_2 - b`, the double sum is a
    product of two single sums (each summed in log space, shifted by its largest exponent), and the
    pattern average is the exact binomial average over :math:`a`.
    Theorem 2.3 of [CHN] predicts :math:`f^Q_N \to \min_{\mathbf m} f(\mathbf m)`
    (:func:`lowload_free_energy`).

    Parameters
    ----------
    N : int
        Number of spins, ``2 <= N <= MAX_P2_N`` (the sums over :math:`k_1` and :math:`k_2` factorise, so
        the cost grows like :math:`N^{1.5}`: a few seconds at the limit).
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
        If ``N`` is not an integer in ``[2, MAX_P2_N]``, ``beta`` is not finite and ``> 0``, or the
        free energy is beyond the float64 range (``beta`` near 5e-324).
    """
    N = as_int(N, "N", minimum=2)
    if N > MAX_P2_N:
        raise ValueError(f"N must be <= {MAX_P2_N}; got {N}")
    beta = as_positive(beta, "beta")
    if not isinstance(samples, (bool, np.bool_)):
        raise TypeError(f"samples must be a bool; got {type(samples).__name__}")
    a_all = np.arange(N + 1)
    logpa = gammaln(N + 1.0) - gammaln(a_all + 1.0) - gammaln(N - a_all + 1.0) - N * math.log(2.0)
    keep = logpa > logpa.max() - 60.0

    G = gammaln(np.arange(1.0, N + 2.0))     # G[k] = log k! for k = 0..N (shared by every a)

    def log_sum(n):
        # log sum_k C(n, k) e^{beta (x^2 - n^2)/N}, x = 2k - n (the largest exponent, at x = +-n, is 0)
        k = np.arange(n + 1)
        x = 2.0 * k - n
        lc = G[n] - G[k] - G[n - k]
        return float(logsumexp(lc + beta * ((x * x - float(n) * n) / N)))
    total = 0.0
    wsum = 0.0
    ws, fs = [], []
    for a in a_all[keep]:
        b = N - a
        # H = -(M1^2 + M2^2)/(2N) + 1 = -(x^2 + y^2)/N + 1 separates: log Z = L_a + L_b + beta (a^2 + b^2)/N - beta
        with np.errstate(over="ignore"):
            f_a = 1.0 / N - (float(a) * a + float(b) * b) / (float(N) * N) - (log_sum(a) + log_sum(b)) / (beta * N)
        _finite_result(f_a, "beta", "the free energy (T log 2 overflows)")
        w = math.exp(logpa[a])
        total += w * f_a
        wsum += w
        ws.append(w)
        fs.append(f_a)
    if samples:
        return total / wsum, a_all[keep].copy(), np.array(ws) / wsum, np.array(fs)
    return total / wsum


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
