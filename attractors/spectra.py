r"""Wishart matrices, the Marchenko--Pastur law and the Tracy--Widom scale of its edges (chapter 14).

Let :math:`X` be an :math:`n\times p` matrix of independent :math:`\mathcal N(0,\sigma^2)`
entries (``n_samples`` rows, ``dim`` columns) and :math:`W = X^\top X/n` (:math:`p\times p`).
As :math:`n, p\to\infty` with :math:`y = p/n` fixed, the empirical distribution of the
eigenvalues of :math:`W` converges to the Marchenko--Pastur law

.. math::

    \mu_y = \max(0, 1 - 1/y)\,\delta_0 + \rho_y(x)\,dx,\qquad
    \rho_y(x) = \frac{\sqrt{(\lambda_+ - x)(x - \lambda_-)}}{2\pi\sigma^2 y\,x}
    \ \text{on } [\lambda_-, \lambda_+],\qquad
    \lambda_\pm = \sigma^2(1\pm\sqrt y)^2 .

For :math:`y > 1` the matrix has rank :math:`n < p`, hence the atom at zero
(:func:`marchenko_pastur_atom`); :func:`marchenko_pastur_pdf` is the density of the
continuous part, whose integral is :math:`\min(1, 1/y)`.  Its cumulative
distribution follows in closed form from the substitution :math:`x = \sigma^2(m - h\cos\theta)`
(:math:`m = 1 + y`, :math:`h = 2\sqrt y` the centre and half-width of the support in units of
:math:`\sigma^2`, :math:`\ell, u` its edges): the continuous part up to :math:`\theta` is

.. math::

    \frac{h\sin\theta + m\theta - 2\sqrt{\ell u}\,
    \arctan\!\big(\sqrt{u/\ell}\,\tan(\theta/2)\big)}{2\pi y},

which equals :math:`\min(1, 1/y)` at :math:`\theta = \pi`.

At finite size the extreme eigenvalues fluctuate around the edges on the scale
:math:`n^{-2/3}`: :math:`(\lambda_{\max} - \mu_{np})/s_{np}` converges to the
Tracy--Widom law :math:`TW_1` (Johnstone 2001; centring and scale with the
half-shifted sizes of Ma 2012), and so does
:math:`(\mu^-_{np} - \lambda_{\min})/s^-_{np}` for the smallest non-zero
eigenvalue when :math:`p\ne n` (Ma 2012); :func:`tracy_widom_edge` returns the
centring and scale, :data:`TW1_MEAN` and :data:`TW1_STD` the mean and standard
deviation of :math:`TW_1`.
"""

from __future__ import annotations

import math

import numpy as np

from attractors._validate import as_array, as_generator, as_int, as_positive, check_budget

__all__ = [
    "sample_wishart",
    "marchenko_pastur_edges",
    "marchenko_pastur_atom",
    "marchenko_pastur_pdf",
    "marchenko_pastur_cdf",
    "tracy_widom_edge",
    "TW1_MEAN",
    "TW1_STD",
]

#: Mean of the Tracy--Widom law for real symmetric matrices (beta = 1), Tracy & Widom (1996).
TW1_MEAN = -1.2065335745820
#: Standard deviation of the same law (its variance is 1.6077810345810).
TW1_STD = math.sqrt(1.6077810345810)

#: Accepted range of the ratio y = dim / n_samples: the support of the law, of relative width about
#: 4 min(y, 1/y)**(1/2), stays resolved by float64 points (at 1e-16, some 10**8 representable points).
_RATIO_RANGE = (1e-16, 1e16)
#: Accepted range of the variance.
_RANGE = (1e-100, 1e100)
#: Ratios below this sum a series for the continuous part of the CDF; from it up to 1 the closed form
#: has no cancellation.
_SERIES_BELOW = 0.25


def _ratio(ratio, name="ratio"):
    y = as_positive(ratio, name)
    if not _RATIO_RANGE[0] <= y <= _RATIO_RANGE[1]:
        raise ValueError(f"{name} must lie in [{_RATIO_RANGE[0]:g}, {_RATIO_RANGE[1]:g}]; got {y}")
    return y


def _variance(variance):
    s2 = as_positive(variance, "variance")
    if not _RANGE[0] <= s2 <= _RANGE[1]:
        raise ValueError(f"variance must lie in [{_RANGE[0]:g}, {_RANGE[1]:g}]; got {s2}")
    return s2


def sample_wishart(dim, n_samples, *, variance=1.0, size=None, rng=None):
    r"""Draw :math:`W = X^\top X / n` with :math:`X` of shape ``(n_samples, dim)``, entries :math:`\mathcal N(0, \sigma^2)`.

    Each product is one BLAS call (a symmetric rank-``n`` update), one matrix at a time.

    Parameters
    ----------
    dim : int
        Size ``p`` of the (square) matrix, ``>= 1``.
    n_samples : int
        Number ``n`` of rows of ``X``, ``>= 1`` (``W`` has rank ``min(n, p)``).
    variance : float, default 1.0
        Variance :math:`\sigma^2` of the entries of ``X``, in ``[1e-100, 1e100]``.
    size : int, optional
        Number of independent matrices; ``None`` returns one matrix.
    rng : int, Generator or None
        Seed or generator (same seed, same matrices).

    Returns
    -------
    ndarray, shape (dim, dim) or (size, dim, dim)
        Symmetric positive semi-definite matrices.

    Raises
    ------
    TypeError, ValueError
        If a size is not a positive integer, ``variance`` is not positive and in range, or the call
        exceeds its limits (checked before drawing): memory ``8 (2 n p + size p^2)`` bytes <= 1 GiB and
        work ``size * n * p^2 <= MAX_WORK = 2e10`` (``dim = n_samples = 2500``: 1.6e10, a few seconds).
    """
    p = as_int(dim, "dim", minimum=1)
    n = as_int(n_samples, "n_samples", minimum=1)
    s2 = _variance(variance)
    m = 1 if size is None else as_int(size, "size", minimum=1)
    check_budget("dim, n_samples and size", nbytes=8 * (2 * n * p + m * p * p + p * p), work=m * n * p * p,
                 what="Gaussian draws and products X^T X")
    gen = as_generator(rng)
    w = np.empty((m, p, p))
    sd = math.sqrt(s2)
    for k in range(m):  # the same stream as one (m, n, p) draw
        x = gen.standard_normal((n, p))
        x *= sd
        np.matmul(x.T, x, out=w[k])  # X^T X of one array with itself: BLAS syrk, exactly symmetric
        w[k] /= n
    return w[0] if size is None else w


def marchenko_pastur_edges(ratio, variance=1.0):
    r"""Edges :math:`\lambda_\pm = \sigma^2(1\pm\sqrt y)^2` of the Marchenko--Pastur support.

    Parameters
    ----------
    ratio : float
        :math:`y = p/n` (dimension over number of samples), in ``[1e-16, 1e16]``.
    variance : float, default 1.0
        Variance :math:`\sigma^2` of the matrix entries.

    Returns
    -------
    (float, float)
        :math:`(\lambda_-, \lambda_+)`.  For :math:`y > 1` the law also has an
        atom at 0 (:func:`marchenko_pastur_atom`) below :math:`\lambda_-`.

    Raises
    ------
    TypeError, ValueError
        If ``ratio`` or ``variance`` is not a positive finite number in range.
    """
    y = _ratio(ratio)
    s2 = _variance(variance)
    r = math.sqrt(y)
    # (1 - r)^2 computed as (1 - y)^2 / (1 + r)^2 has no cancellation near y = 1
    lo = s2 * ((1.0 - y) / (1.0 + r)) ** 2
    hi = s2 * (1.0 + r) ** 2
    return lo, hi


def marchenko_pastur_atom(ratio):
    r"""Mass :math:`\max(0, 1 - 1/y)` of the Marchenko--Pastur law at zero (the rank deficit of :math:`W`).

    Parameters
    ----------
    ratio : float
        :math:`y = p/n`, in ``[1e-16, 1e16]``.

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        If ``ratio`` is not a positive finite number in range.
    """
    y = _ratio(ratio)
    return max(0.0, 1.0 - 1.0 / y)


def marchenko_pastur_pdf(x, ratio, variance=1.0):
    r"""Density of the continuous part of the Marchenko--Pastur law.

    .. math:: \rho(x) = \frac{\sqrt{(\lambda_+ - x)(x - \lambda_-)}}{2\pi\sigma^2 y\,x}
              \quad\text{on } [\lambda_-, \lambda_+],\ 0 \text{ elsewhere.}

    Its integral is :math:`\min(1, 1/y)`; the rest of the mass is the atom at 0.

    Parameters
    ----------
    x : array_like
        Points, finite.
    ratio : float
        :math:`y = p/n`, in ``[1e-16, 1e16]``.
    variance : float, default 1.0
        Variance :math:`\sigma^2` of the matrix entries.

    Returns
    -------
    ndarray or float
        The density (``inf`` at ``x = 0`` when ``ratio == 1``, where it diverges
        like :math:`x^{-1/2}`).

    Raises
    ------
    TypeError, ValueError
        If ``x`` is not finite, or ``ratio``/``variance`` not positive and in range.
    """
    xs = as_array(x, "x")
    scalar = np.ndim(x) == 0  # x is known rectangular here
    y = _ratio(ratio)
    s2 = _variance(variance)
    out = _mp_density(xs, y, s2)
    return float(out.ravel()[0]) if scalar else out


def _mp_density(xs, y, s2):
    """The density in stable form: (lambda_+ - u)(u - lambda_-) = (h - d)(h + d), d = (u - 1) - y, h = 2 sqrt(y)."""
    h = 2.0 * math.sqrt(y)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        u = xs / s2  # units of the variance
        d = (u - 1.0) - y
        a, c = h - d, h + d
        inside = (a >= 0.0) & (c >= 0.0) & (xs > 0.0) & np.isfinite(u)
        a, c = np.where(inside, a, 1.0), np.where(inside, c, 1.0)
        if y == 1.0:  # lambda_- = 0: (4 - u) u, with the u in the root and the 1/u cancelled (no underflow)
            dens = np.sqrt(a) / (2.0 * math.pi * np.sqrt(np.where(inside, xs, 1.0)) * math.sqrt(s2))
        else:
            dens = np.sqrt(a) * np.sqrt(c) / (2.0 * math.pi * y * np.where(inside, u, 1.0)) / s2
    out = np.where(inside, dens, 0.0)
    if y == 1.0:
        out = np.where(xs == 0.0, np.inf, out)
    return out


def marchenko_pastur_cdf(x, ratio, variance=1.0):
    r"""Cumulative distribution of the whole Marchenko--Pastur law (the atom at 0 included).

    Parameters
    ----------
    x : array_like
        Points, finite.
    ratio : float
        :math:`y = p/n`, in ``[1e-16, 1e16]``.
    variance : float, default 1.0
        Variance :math:`\sigma^2` of the matrix entries.

    Returns
    -------
    ndarray or float
        :math:`F(x) = \mu_y((-\infty, x])`, from 0 to 1 (closed form, module docstring).

    Raises
    ------
    TypeError, ValueError
        If ``x`` is not finite, or ``ratio``/``variance`` not positive and in range.
    """
    xs = as_array(x, "x")
    scalar = np.ndim(x) == 0  # x is known rectangular here
    y = _ratio(ratio)
    s2 = _variance(variance)
    with np.errstate(over="ignore", under="ignore"):
        u = (xs / s2).ravel()
    atom = marchenko_pastur_atom(y)
    if y <= 1.0:
        cont = _mp_continuous(u, y)
    else:  # the non-zero eigenvalues of X^T X / n are y times those of the ratio-1/y law (X X^T / p)
        with np.errstate(over="ignore", under="ignore"):
            cont = _mp_continuous(u / y, 1.0 / y) / y
    cdf = np.where(u >= 0.0, atom, 0.0) + cont
    cdf = np.clip(cdf, 0.0, 1.0).reshape(xs.shape)
    return float(cdf.ravel()[0]) if scalar else cdf


def _mp_continuous(u, y):
    """Mass of the continuous part of the ratio-y law (y <= 1, unit variance) below u, in [0, 1].

    The substitution u = m - h cos(theta) (m = 1 + y, h = 2 r, r = sqrt(y)) maps the support to [0, pi]
    and the mass to (2/pi) int_0^theta sin^2(phi) / (1 - 2 r cos(phi) + r^2) dphi.  For y >= 1/4 the closed
    form of the module docstring (all its terms are of order one).  Below, its terms cancel to the relative
    order r, and the generating function of the Chebyshev polynomials,
    sin(phi) / (1 - 2 r cos(phi) + r^2) = sum_k r^k sin((k+1) phi), gives instead the series
    (1/pi) sum_k r^k (S_k - S_{k+2}), S_0 = theta, S_k = sin(k theta)/k, whose first term is of order one
    and whose other terms are small corrections (r <= 1/2: at most 57 terms for round-off).
    """
    r = math.sqrt(y)
    h = 2.0 * r
    with np.errstate(over="ignore", invalid="ignore"):
        c = (y - (u - 1.0)) / h  # cos(theta) = (m - u) / h, with u - 1 exact near the support
    c = np.clip(np.where(np.isnan(c), -1.0, c), -1.0, 1.0)  # NaN only for u = +inf
    theta = np.arccos(c)  # 0 at the lower edge, pi at the upper
    if y >= _SERIES_BELOW:
        lo, hi = marchenko_pastur_edges(y, 1.0)
        m = 1.0 + y
        atan = np.arctan2(math.sqrt(hi) * np.sin(0.5 * theta), math.sqrt(lo) * np.cos(0.5 * theta))
        cont = (h * np.sin(theta) + m * theta - 2.0 * math.sqrt(lo * hi) * atan) / (2.0 * math.pi * y)
    else:
        n_terms = max(2, int(math.ceil(math.log(2.0**-56) / math.log(r))) + 1)
        sin_prev, sin_k = np.zeros_like(theta), np.sin(theta)  # sin((k-1) theta), sin(k theta) at k = 1
        two_c = 2.0 * np.cos(theta)
        S = [theta, sin_k.copy()]  # S_0, S_1
        total = np.zeros_like(theta)
        rk = 1.0
        for k in range(n_terms + 1):
            while len(S) < k + 3:  # S_{k+2} by the recurrence sin((j+1) t) = 2 cos(t) sin(j t) - sin((j-1) t)
                j = len(S) - 1
                sin_prev, sin_k = sin_k, two_c * sin_k - sin_prev
                S.append(sin_k / (j + 1))
            total += rk * (S[k] - S[k + 2])
            S[k] = None
            rk *= r
        cont = total / math.pi
    return np.clip(cont, 0.0, 1.0)


def tracy_widom_edge(dim, n_samples, variance=1.0, edge="upper"):
    r"""Centring and scale of an extreme eigenvalue of :math:`W = X^\top X/n` (real Gaussian entries).

    With the half-shifted sizes :math:`\bar n = n - 1/2`, :math:`\bar p = p - 1/2` (Ma 2012, which makes the
    error of the Tracy--Widom approximation :math:`O(\min(n,p)^{-2/3})`):

    ``edge="upper"`` (Johnstone 2001): :math:`\mu = \sigma^2(\sqrt{\bar n} + \sqrt{\bar p})^2/n`,
    :math:`s = \sigma^2(\sqrt{\bar n} + \sqrt{\bar p})(\bar n^{-1/2} + \bar p^{-1/2})^{1/3}/n`, and
    :math:`(\lambda_{\max} - \mu)/s \to TW_1`.

    ``edge="lower"`` (smallest *non-zero* eigenvalue, :math:`p \ne n`):
    :math:`\mu = \sigma^2(\sqrt{\bar n} - \sqrt{\bar p})^2/n`,
    :math:`s = \sigma^2|\sqrt{\bar n} - \sqrt{\bar p}|\,|\bar n^{-1/2} - \bar p^{-1/2}|^{1/3}/n`, and
    :math:`(\mu - \lambda_{\min}^{\ne 0})/s \to TW_1`.

    Parameters
    ----------
    dim : int
        Size ``p`` of ``W``, ``>= 1``.
    n_samples : int
        Number ``n`` of samples, ``>= 1``.
    variance : float, default 1.0
        Variance of the entries of ``X``.
    edge : {"upper", "lower"}
        Which edge.

    Returns
    -------
    (float, float)
        ``(mu, s)``: the edge and the scale of its fluctuations.

    Raises
    ------
    TypeError, ValueError
        On bad sizes or variance, an unknown ``edge``, or ``edge="lower"`` with ``dim == n_samples``
        (the lower edge is then the hard edge 0, with other statistics).
    """
    p = as_int(dim, "dim", minimum=1)
    n = as_int(n_samples, "n_samples", minimum=1)
    if p > 10**15 or n > 10**15:
        raise ValueError("dim and n_samples must be <= 1e15")
    s2 = _variance(variance)
    if not isinstance(edge, str) or edge not in ("upper", "lower"):
        raise ValueError(f"edge must be 'upper' or 'lower'; got {edge!r}")
    rn, rp = math.sqrt(n - 0.5), math.sqrt(p - 0.5)
    if edge == "upper":
        return s2 * (rn + rp) ** 2 / n, s2 * (rn + rp) * (1 / rn + 1 / rp) ** (1 / 3) / n
    if p == n:
        raise ValueError("edge='lower' needs dim != n_samples (the lower edge is the hard edge 0)")
    # the differences of square roots without cancellation: sqrt(a) - sqrt(b) = (a - b) / (sqrt(a) + sqrt(b)),
    # with a - b = n - p exact (integers below 2**53)
    diff = abs(n - p) / (rn + rp)
    inv_diff = diff / (rn * rp)  # |1/rn - 1/rp|
    return s2 * diff * diff / n, s2 * diff * inv_diff ** (1 / 3) / n
