r"""The Hopfield model at high load: AGS replica-symmetric theory, phase diagram, signal to noise (Chapter 7).

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

Phase diagram
    :func:`rs_free_energy` evaluates the replica-symmetric free energy at the
    retrieval and at the spin-glass solution; :func:`global_minimum_load` finds
    the load :math:`\alpha_g(T)` where they cross (below it retrieval is the
    global minimum).  :func:`replicon` is the de Almeida--Thouless eigenvalue
    of the retrieval state and :func:`at_temperature` its root
    :math:`T_R(\alpha)`, below which replica symmetry is broken.

Gaussian averages
    :math:`\langle g(\beta(m+\sigma z))\rangle_z` for :math:`g = \tanh` and
    :math:`\operatorname{sech}^2` are computed as the exact step part
    (:math:`\operatorname{erf}`) plus a smooth correction integrated by
    Gauss--Legendre quadrature on each side of the kink :math:`z_0 = -m/\sigma`
    (plain Gauss--Hermite quadrature loses accuracy for :math:`\beta\sigma \gtrsim 10`,
    where the integrand is nearly a step).

Signal to noise
    With Hebb's couplings, a bit of a stored pattern is unstable when the
    crosstalk of the other :math:`P-1` patterns, a sum of :math:`(P-1)(N-1)`
    independent :math:`\pm1`, outweighs the signal :math:`N-1`: a binomial
    tail, computed exactly (:func:`crosstalk_error_probability`).
    :func:`perfect_recall_trials` stores random patterns one by one and
    records the largest :math:`P` at which every stored pattern is still an
    exact fixed point.  :func:`zero_temperature_retrieval` runs the zero-temperature
    random-site dynamics from stored patterns (event-driven, integer fields) and returns
    the final overlaps.

This module has no numba kernels: every loop is a short vectorised NumPy
expression, so :func:`benchmarks` returns an empty list.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from numpy.polynomial.legendre import leggauss
from scipy.optimize import brentq, minimize_scalar
from scipy.special import erf, expit

from attractors._meanfield_common import _beta, _ndim, _real, _sech2, _size
from attractors._validate import as_array, as_generator, as_positive, check_budget
from attractors.curie_weiss import curie_weiss

__all__ = [
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
    "zero_temperature_retrieval",
    "benchmarks",
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
#: Largest load accepted by the finite-load phase-diagram functions.
MAX_LOAD = 100.0
#: Above this inverse temperature the replica-symmetric functions use the zero-temperature equations:
#: the finite-T solution differs from them by O(1/beta), below round-off there.
BETA_T0 = 1e12


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
    scalar = _ndim(a) == 0 and _ndim(sigma) == 0
    a = as_array(a, "a")
    s = as_array(sigma, "sigma")
    if np.any(s < 0):
        raise ValueError("sigma must be >= 0")
    beta = _beta(beta)
    try:
        a, s = np.broadcast_arrays(a, s)
    except ValueError:
        raise ValueError(f"a and sigma must broadcast together; got shapes {a.shape} and {s.shape}") from None
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
    """For each m (array), the root q of q = 1 - <sech^2 beta(m + sqrt(alpha r(q)) z)> by bisection.

    The unknown is C = beta (1 - q) in [0, min(1, beta)) (where 1 - C > 0), not q: near T = 0 the root
    q = 1 - C/beta is within 1/beta of 1, and a bisection on q would resolve C only to beta times the
    spacing of floats near 1 (a relative error 1e-5 at beta = 1e8).  The equation reads C/beta = <sech^2>,
    without cancellation.
    """
    m = np.asarray(m, dtype=float)
    lo = np.zeros(m.shape)
    hi = np.full(m.shape, min(1.0, beta) * (1.0 - 1e-15))
    for _ in range(iters):
        C = 0.5 * (lo + hi)
        r = (1.0 - C / beta) / (1.0 - C) ** 2
        _, s2 = gauss_tanh(m, np.sqrt(alpha * r), beta)
        h = C / beta - s2              # = 1 - s2 - q: > 0 means q too small, i.e. C too large
        hi = np.where(h > 0, C, hi)
        lo = np.where(h > 0, lo, C)
    C = 0.5 * (lo + hi)
    return 1.0 - C / beta, (1.0 - C / beta) / (1.0 - C) ** 2


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
    return _rs_positive(alpha, beta, grid) is not None


def _rs_positive(alpha, beta, grid=60):
    """A point m >= 0.05 with a positive residual g(m) = <tanh> - m (scan, then local maximum), or None."""
    ms, g = _rs_scan(alpha, beta, grid)
    ok = ms >= 0.05
    if np.any(g[ok] > 0):
        return float(ms[ok][np.argmax(g[ok])])
    i = int(np.argmax(np.where(ok, g, -np.inf)))
    if g[i] < -1e-3:
        # between grid points (spacing h ~ 0.017) g can exceed its grid values by at most h^2 |g''| / 8 << 1e-3
        return None
    lo, hi = ms[min(i + 1, grid - 1)], ms[max(i - 1, 0)]
    res = minimize_scalar(lambda x: -_g1(x, alpha, beta), bounds=(lo, hi), method="bounded",
                          options={"xatol": 1e-7})
    return float(res.x) if -res.fun > 0 else None


def _rs_finite(alpha, beta, grid=120):
    ms, g = _rs_scan(alpha, beta, grid)
    idx = np.nonzero(g > 0)[0]
    if idx.size == 0 or idx[0] == 0:
        # no sign change on the grid: near the saddle-node the positive part of g is narrower than the grid;
        # find it at the local maximum of g, then bracket the largest root between it and m = 1 (g(1) < 0)
        x = _rs_positive(alpha, beta, grid)
        if x is None or _g1(1.0, alpha, beta) >= 0:
            return (math.nan,) * 3
        m = brentq(_g1, x, 1.0, args=(alpha, beta), xtol=1e-13, rtol=1e-13)
        _, q, r = _rs_residual(np.array([m]), alpha, beta)
        return m, float(q[0]), float(r[0])
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
        :math:`(m, q, r)`, or NaNs where no retrieval solution exists.  The :math:`q`-equation is
        solved for :math:`C = \beta(1-q)` (no loss of precision as :math:`T\to0`); for
        :math:`\beta >` ``BETA_T0`` the zero-temperature solution is returned with
        :math:`q = 1 - C/\beta` (its :math:`O(T)` error is below round-off).  Resolution: the scan
        over :math:`m` stops at :math:`m = 2\cdot10^{-3}`, so at :math:`\alpha > 0` a retrieval state
        with a smaller overlap (temperatures within about :math:`10^{-6}` of :math:`T_M(\alpha)`) is
        reported as NaN; loads so small that :math:`\beta^2\alpha r < 10^{-34}` return the
        :math:`\alpha = 0` (Curie--Weiss) solution.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or shape, is not finite, or is out of its
        documented range (``0 <= alpha <= MAX_LOAD``); the message names the argument.
    """
    alpha = as_positive(alpha, "alpha", allow_zero=True)
    if alpha > MAX_LOAD:
        raise ValueError(f"alpha must be <= {MAX_LOAD}; got {alpha}")
    beta = _beta(beta)
    if beta > BETA_T0:
        m, q, r = _rs_t0(alpha)
        if math.isfinite(m) and not math.isinf(beta):
            q = 1.0 - (1.0 - 1.0 / math.sqrt(r)) / beta      # first order in T: C = beta (1 - q) = 1 - 1/sqrt(r)
        return m, q, r
    m_cw = curie_weiss(beta)
    if m_cw == 0.0:
        return (math.nan,) * 3
    C = beta * float(_sech2(beta * m_cw))                 # beta (1 - m^2), without cancellation
    r_cw = (1.0 - C / beta) / (1.0 - C) ** 2
    if alpha == 0.0 or alpha * r_cw * beta * beta < 1e-34:
        # alpha = 0, or a load whose Gaussian noise changes tanh's argument below round-off
        return m_cw, m_cw * m_cw, r_cw
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
    if _ndim(alpha) > 0:
        arr = as_array(alpha, "alpha")
        if np.any(arr < 0):
            raise ValueError("alpha must be >= 0")
        return np.array([retrieval_line(float(a), tol=tol, lower=lower)
                         for a in np.ravel(arr)]).reshape(arr.shape)
    alpha = as_positive(alpha, "alpha", allow_zero=True)
    if alpha == 0.0:
        return 0.0 if lower else 1.0
    if alpha > 1e100:               # far above alpha_c at every T: no retrieval (and alpha r would overflow)
        return 0.0
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
    z = a / s   # beyond 1e150 the Gaussian factor is 0 (and z ** 2 would overflow)
    return a * float(erf(a / (s * _SQRT2))) + s * math.sqrt(2.0 / math.pi) * (math.exp(-0.5 * z ** 2) if abs(z) < 1e150 else 0.0)


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
    m, C = m0, beta * (1.0 - q0)
    for _ in range(max_iter):
        if C >= 1.0:
            return (math.nan,) * 3
        r = (1.0 - C / beta) / (1.0 - C) ** 2
        t, s2 = _gt_scalar(m, math.sqrt(alpha * r), beta)
        m_new, C_new = t, beta * s2             # q = 1 - s2, C = beta (1 - q) = beta s2 (no cancellation)
        if abs(m_new - m) < tol and abs(C_new - C) < tol * max(1.0, beta):
            m, C = m_new, C_new
            if C >= 1.0:
                return (math.nan,) * 3
            return m, 1.0 - C / beta, (1.0 - C / beta) / (1.0 - C) ** 2
        m, C = m_new, C_new
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
    # C = beta (1 - q) from r = q/(1 - C)^2: 1 - C = sqrt(q / r) keeps C's relative precision near T = 0,
    # where beta (1 - q) would multiply the rounding of q by beta
    C = 1.0 - math.sqrt(q / r) if r > 0 else beta * (1.0 - q)
    lc = _mean_abs(m, s) + _gauss_smooth(m, s, beta, _log1p_exp_x, lambda v: np.log1p(np.exp(-2.0 * v))) / beta
    return (alpha / 2 + m * m / 2 + alpha / (2.0 * beta) * (math.log1p(-C) - beta * q / (1.0 - C))
            + alpha * r * C / 2 - lc)


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
    if beta > BETA_T0:                # T < 1e-12: the T = 0 formulas (their O(T) error is below round-off)
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
    from scipy.special import betainc
    N = _size(N, "N", minimum=2, maximum=MAX_SNR_N)
    scalar = _ndim(P) == 0
    if scalar:
        Ps = np.array([_size(P, "P", minimum=1, maximum=N)])
    else:
        arr = as_array(P, "P", ndim=1)
        if np.any(arr != np.round(arr)) or np.any(arr < 1) or np.any(arr > N):
            raise ValueError(f"P must hold integers in [1, N={N}]")
        Ps = arr.astype(np.int64)
    K = (Ps - 1) * (N - 1)
    kmax = np.floor((K - (N - 1)) / 2.0)         # S = 2B - K <= -(N-1)  <=>  B <= (K - N + 1) / 2
    # Binomial(K, 1/2) CDF at kmax = I_{1/2}(K - kmax, kmax + 1) (regularised incomplete beta; in floats, so
    # that K up to (N - 1)^2 ~ 1e10 does not overflow a C int as scipy's bdtr would)
    kk = np.maximum(kmax, 0.0)
    KK = np.maximum(K, 1).astype(np.float64)
    with np.errstate(invalid="ignore"):
        cdf = np.where(kk >= KK, 1.0, betainc(np.maximum(KK - kk, 1.0), kk + 1.0, 0.5))
    out = np.where(kmax >= 0, cdf, 0.0)
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
        Largest number of patterns tried (default ``N``; at most ``N``).  A call stores two
        ``(max_patterns, N)`` arrays (refused beyond 1 GiB: ``N`` above about 8000 by default) and
        does about ``1.5 n_networks p^2 N`` steps, where the counts stop near ``p = N / (2 ln N)``
        (the first pattern fails): with ``p = min(max_patterns, N / ln N)`` the call is refused
        beyond ``MAX_WORK``, naming ``N`` and ``n_networks``.

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
    # per network: two (max_patterns, N) arrays; adding pattern p costs about 3 p N multiply-adds, and the
    # counts stop when pattern 1 fails, near p = N / (2 ln N): the expected work is ~ n_networks (N/ln N)^2 N
    p_typ = min(max_patterns, N / math.log(N) if N > 2 else N)
    check_budget("N and max_patterns", nbytes=2 * 8.0 * max_patterns * N)
    check_budget("N and n_networks", work=1.5 * n_networks * p_typ ** 2 * N,
                 what="expected work of the incremental stability tests")
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
                    F[p] = ov_all @ xi[:p] + (N - p - 1) * new          # sum_nu xi^nu (xi^nu.new) - (p+1) new
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


def _zero_t_descent(K, s, gen, max_flips):
    r"""Zero-temperature random-site dynamics from ``s`` (modified in place) until no site wants to flip.

    ``K`` is ``N J`` with integer entries (float64, zero diagonal, symmetric).  Picking a uniformly random
    site and updating it changes the state only at an unstable site (:math:`s_i\phi_i < 0`; a tie
    :math:`\phi_i = 0` keeps the spin), so the sequence of flips is that of choosing a uniformly random
    unstable site each time: the same law of trajectories and final states as ``hopfield.run`` with
    ``beta=inf``, without the idle updates.  Returns the number of flips.
    """
    F = K @ s                                      # N phi, exact integers
    for n_flips in range(max_flips + 1):
        unstable = np.flatnonzero(s * F < 0)
        if unstable.size == 0:
            return n_flips
        i = unstable[gen.integers(unstable.size)]
        s[i] = -s[i]
        F += (2.0 * s[i]) * K[i]                   # K symmetric: row i is column i
    raise RuntimeError(f"no fixed point after {max_flips} flips")


def zero_temperature_retrieval(N, P, n_networks, rng, *, n_starts=1):
    r"""Final overlaps of zero-temperature sequential dynamics started at stored patterns.

    For each of ``n_networks`` networks, ``P`` random patterns are stored with Hebb's rule
    (:math:`J_{ij} = \frac1N\sum_\mu\xi^\mu_i\xi^\mu_j`, :math:`i\ne j`); from each of the first
    ``n_starts`` patterns the random-site dynamics at :math:`T = 0` runs until no site wants to flip, and
    the overlap of the final state with the starting pattern is recorded.  The dynamics is simulated
    event by event (only unstable sites are picked, uniformly; see ``_zero_t_descent``), with the fields
    :math:`N\phi_i` kept as exact integers, so the law of the final state is that of
    ``hopfield.run(J, xi[mu], beta=np.inf, ...)`` run to a fixed point.  Every flip lowers the energy by at
    least :math:`2/N`, so the dynamics stops.

    Parameters
    ----------
    N : int
        Number of neurons, ``2 <= N <= MAX_SNR_N``.
    P : int
        Number of stored patterns, ``1 <= P <= N``.
    n_networks : int
        Number of independent networks, ``1 <= n_networks <= 10000``.
    rng : int, Generator or None
        Random source (same seed, same result).
    n_starts : int, default 1
        Number of stored patterns used as starting states in each network, ``1 <= n_starts <= P``.
        The couplings take ``8 N^2`` bytes and ``n_networks N^2 P`` steps to build: beyond 1 GiB
        (``N`` above about 11000) or ``MAX_WORK`` the call is refused before drawing.  Each descent
        stops (every flip lowers the energy); typical descents take O(N) flips of O(N) each.

    Returns
    -------
    ndarray, shape (n_networks, n_starts)
        Final overlaps :math:`\xi^\mu\cdot s/N`.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.
    """
    N = _size(N, "N", minimum=2, maximum=MAX_SNR_N)
    P = _size(P, "P", minimum=1, maximum=N)
    n_networks = _size(n_networks, "n_networks", minimum=1, maximum=10_000)
    n_starts = _size(n_starts, "n_starts", minimum=1, maximum=P)
    check_budget("N and P", nbytes=8.0 * (P * N + N * N + 2 * N), work=float(n_networks) * N * N * P,
                 what="the patterns and the N x N couplings of each network")
    gen = as_generator(rng)
    # the energy is at most N P / 2 above its minimum and falls by >= 2/N per flip
    max_flips = N * N * P
    out = np.empty((n_networks, n_starts))
    for k in range(n_networks):
        xi = 2.0 * gen.integers(0, 2, size=(P, N)) - 1.0
        K = xi.T @ xi                               # exact: integers below N P < 2**53
        np.fill_diagonal(K, 0.0)
        for j in range(n_starts):
            s = xi[j].copy()
            _zero_t_descent(K, s, gen, max_flips)
            out[k, j] = float(xi[j] @ s) / N
    return out


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
