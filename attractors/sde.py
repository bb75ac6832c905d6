r"""Langevin dynamics of particle ensembles: Euler--Maruyama and Heun in one numba kernel.

Part I of the book (chapters 1--3) goes back and forth between a particle
picture -- a stochastic differential equation -- and a density picture -- its
Fokker--Planck equation ([LF] Lemma 22, Theorem 8).  This module is the
particle side.

The SDE
    For an energy :math:`E(x)` on :math:`\mathbb R^d`, a temperature
    :math:`T \ge 0` and a mobility :math:`K(x) = m(x)\,K_0` (a positive scalar
    field :math:`m` times a constant matrix :math:`K_0` whose symmetric part
    :math:`S_0 = (K_0 + K_0^\top)/2` is positive semi-definite),

    .. math::

        dx = \bigl[-K(x)\nabla E(x) + c\,T\,\nabla\!\cdot K(x)\bigr]\,dt
             + \sqrt{2T\,m(x)}\;L_0\,dW,\qquad L_0L_0^\top = S_0,

    where :math:`(\nabla\!\cdot K)^a = \partial_b K^{ab} = K_0^{ab}\partial_b m`
    and :math:`c \in \{0, 1\}` switches the divergence ("noise-induced")
    drift on or off (``divergence_drift``).  Read in the Itô sense with
    :math:`c = 1`, its Fokker--Planck equation is
    :math:`\partial_t p = \nabla\!\cdot[K(p\nabla E + T\nabla p)]` (the
    antisymmetric part of :math:`K_0` included, chapter 2), whose stationary
    law is the Boltzmann law :math:`\propto e^{-E/T}`.

The schemes
    ``"em"`` (Euler--Maruyama) takes one step
    :math:`x' = x + a(x)\,\Delta t + b(x)\,\Delta W`; it converges to the
    **Itô** solution (strong order 1/2, weak order 1).  ``"heun"`` (the
    stochastic Heun predictor--corrector) averages drift and noise amplitude
    at :math:`x` and at the Euler predictor; it converges to the
    **Stratonovich** solution of the same equation, which differs from the
    Itô one when the noise amplitude depends on :math:`x` (chapter 1
    measures the difference).  With constant :math:`m` both solve the same
    SDE and Heun is weak order 2 (for a linear drift the stationary variance
    errs by :math:`O(\Delta t^2)` instead of :math:`O(\Delta t)`).

    The kernel loops time steps outermost, then particles, then coordinates,
    drawing the :math:`d` standard normals of each particle from the
    ``numpy.random.Generator`` inside the loop (no pre-drawn noise array), in
    the order of ``rng.standard_normal((n_particles, d))`` at each step -- so
    :func:`simulate` and a vectorised NumPy implementation of the same scheme
    fed the same generator produce the same numbers (tested).

Catalogue
    Energies: :func:`quadratic` (:math:`\tfrac12(x-c)^\top A(x-c)`),
    :func:`double_well`, :func:`three_wells` (the three-hole landscape of
    Metzner, Schütte and Vanden-Eijnden 2006), :func:`polynomial` (a
    polynomial in :math:`x_1`, the parametric family of chapter 3) and
    :func:`custom` (user-supplied numba functions).  Mobility factors
    :math:`m(x)`: :func:`constant_mobility`, :func:`quadratic_mobility`
    (:math:`k_0 + k_1|x|^2`), :func:`bump_mobility`
    (:math:`k_0 + k_1 e^{-|x|^2/2w^2}`).

Also here
    :func:`ou_moments` -- the exact mean and covariance of the linear
    (Ornstein--Uhlenbeck) case, in continuous time or for the Euler--Maruyama
    recursion itself.  The conditional jump moments (Kramers--Moyal) and
    the shot-noise jump process are in :mod:`attractors.kramers_moyal`.
"""

from __future__ import annotations

import importlib
import math
import numbers
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
from numba import njit

from attractors._validate import MAX_WORK, as_array, as_generator, as_int, as_positive, check_budget

__all__ = ["quadratic", "double_well", "three_wells", "polynomial", "custom", "constant_mobility",
           "quadratic_mobility", "bump_mobility", "energy", "gradient", "mobility_value", "simulate",
           "euler_maruyama", "ou_moments", "benchmarks"]



# ---------------------------------------------------------------------------
# Catalogue kernels: energy(x, p) -> float, grad(x, p, g) writes g.
# ---------------------------------------------------------------------------

@njit(cache=True)
def _e_quadratic(x, p):
    d = x.shape[0]
    e = 0.0
    for i in range(d):
        yi = x[i] - p[d * d + i]
        for j in range(d):
            e += 0.5 * yi * p[i * d + j] * (x[j] - p[d * d + j])
    return e


@njit(cache=True, inline="always")
def _g_quadratic(x, p, g):
    d = x.shape[0]
    for i in range(d):
        s = 0.0
        for j in range(d):
            s += p[i * d + j] * (x[j] - p[d * d + j])
        g[i] = s


@njit(cache=True)
def _e_double_well(x, p):
    h, w, k = p[0], p[1], p[2]
    u = x[0] / w
    e = h * (u * u - 1.0) ** 2
    for i in range(1, x.shape[0]):
        e += 0.5 * k * x[i] * x[i]
    return e


@njit(cache=True, inline="always")
def _g_double_well(x, p, g):
    h, w, k = p[0], p[1], p[2]
    u = x[0] / w
    g[0] = 4.0 * h * (u * u - 1.0) * u / w
    for i in range(1, x.shape[0]):
        g[i] = k * x[i]


@njit(cache=True)
def _e_three_wells(x, p):
    a, b = x[0], x[1]
    e = (3.0 * math.exp(-a * a - (b - 1.0 / 3.0) ** 2) - 3.0 * math.exp(-a * a - (b - 5.0 / 3.0) ** 2)
         - 5.0 * math.exp(-(a - 1.0) ** 2 - b * b) - 5.0 * math.exp(-(a + 1.0) ** 2 - b * b)
         + 0.2 * a ** 4 + 0.2 * (b - 1.0 / 3.0) ** 4)
    return p[0] * e


@njit(cache=True, inline="always")
def _g_three_wells(x, p, g):
    a, b = x[0], x[1]
    e1 = 3.0 * math.exp(-a * a - (b - 1.0 / 3.0) ** 2)
    e2 = -3.0 * math.exp(-a * a - (b - 5.0 / 3.0) ** 2)
    e3 = -5.0 * math.exp(-(a - 1.0) ** 2 - b * b)
    e4 = -5.0 * math.exp(-(a + 1.0) ** 2 - b * b)
    ga = -2.0 * a * e1 - 2.0 * a * e2 - 2.0 * (a - 1.0) * e3 - 2.0 * (a + 1.0) * e4 + 0.8 * a ** 3
    gb = (-2.0 * (b - 1.0 / 3.0) * e1 - 2.0 * (b - 5.0 / 3.0) * e2 - 2.0 * b * e3 - 2.0 * b * e4
          + 0.8 * (b - 1.0 / 3.0) ** 3)
    g[0] = p[0] * ga
    g[1] = p[0] * gb


@njit(cache=True)
def _e_polynomial(x, p):
    # p = [k, c_1, ..., c_n]:  E = sum_j c_j x_0^j + k/2 sum_{i>=1} x_i^2
    u = x[0]
    e = 0.0
    for j in range(p.shape[0] - 1, 0, -1):  # Horner: ((c_n u + c_{n-1}) u + ...) u
        e = (e + p[j]) * u
    for i in range(1, x.shape[0]):
        e += 0.5 * p[0] * x[i] * x[i]
    return e


@njit(cache=True, inline="always")
def _g_polynomial(x, p, g):
    u = x[0]
    s = 0.0
    for j in range(p.shape[0] - 1, 0, -1):  # derivative sum_j j c_j u^(j-1)
        s = s * u + j * p[j]
    g[0] = s
    for i in range(1, x.shape[0]):
        g[i] = p[0] * x[i]


# Mobility factors: m(x, p, gm) returns m(x) > 0 and writes grad m into gm.

@njit(cache=True, inline="always")
def _m_constant(x, p, gm):
    for i in range(x.shape[0]):
        gm[i] = 0.0
    return 1.0


@njit(cache=True, inline="always")
def _m_quadratic(x, p, gm):
    r2 = 0.0
    q2 = 0.0   # sum (sqrt(k1) x_i)^2: the same value, with no overflow of x_i^2 when k1 is tiny
    sk = math.sqrt(p[1])
    for i in range(x.shape[0]):
        r2 += x[i] * x[i]
        q2 += (sk * x[i]) * (sk * x[i])
        gm[i] = 2.0 * p[1] * x[i]
    return p[0] + p[1] * r2 if 1e-300 < r2 < 1e300 else p[0] + q2


@njit(cache=True, inline="always")
def _m_bump(x, p, gm):
    w = p[2]
    safe = 1e-100 < w < 1e100   # else (x/w)^2: no underflow of w*w to 0 (a division by zero)
    r2 = 0.0
    for i in range(x.shape[0]):
        r2 += x[i] * x[i] if safe else (x[i] / w) * (x[i] / w)
    b = p[1] * math.exp(-0.5 * r2 / (w * w) if safe else -0.5 * r2)
    for i in range(x.shape[0]):
        gm[i] = -b * x[i] / (w * w) if safe else -b * (x[i] / w) / w
    return p[0] + b


#: Codes of the catalogue kernels (a code, not a function argument, keeps the SDE kernel cacheable).
_POT_CODES = {"quadratic": 0, "double_well": 1, "three_wells": 2, "polynomial": 3, "custom": -1}
_MOB_CODES = {"constant": 0, "quadratic": 1, "bump": 2}


@njit(cache=True, inline="always")
def _grad_catalogue(code, x, p, g):
    if code == 0:
        _g_quadratic(x, p, g)
    elif code == 1:
        _g_double_well(x, p, g)
    elif code == 2:
        _g_three_wells(x, p, g)
    else:
        _g_polynomial(x, p, g)


@njit(cache=True, inline="always")
def _mob_catalogue(code, x, p, gm):
    if code == 1:
        return _m_quadratic(x, p, gm)
    if code == 2:
        return _m_bump(x, p, gm)
    return _m_constant(x, p, gm)


# ---------------------------------------------------------------------------
# Public descriptions of energies and mobilities
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Potential:
    """An energy of the catalogue: name, packed parameters and its numba kernels.

    Build one with :func:`quadratic`, :func:`double_well`, :func:`three_wells`,
    :func:`polynomial` or :func:`custom`; ``dim`` is the dimension it requires
    (``None``: any).
    """

    name: str
    params: np.ndarray
    dim: int | None
    energy_kernel: Callable
    gradient_kernel: Callable


@dataclass(frozen=True)
class Mobility:
    """A scalar mobility factor :math:`m(x) > 0` (with its gradient) of the catalogue."""

    name: str
    params: np.ndarray
    kernel: Callable


def quadratic(A, center=None) -> Potential:
    r"""The quadratic energy :math:`E(x) = \tfrac12 (x-c)^\top A (x-c)`.

    Parameters
    ----------
    A : array_like, shape (d, d)
        Symmetric matrix (positive definite for a normalisable Boltzmann law;
        not required for simulation).
    center : array_like, shape (d,), optional
        The centre :math:`c` (default: the origin).

    Returns
    -------
    Potential

    Raises
    ------
    ValueError
        If ``A`` is not a finite square symmetric matrix or ``center`` has the wrong shape.
    TypeError
        If an argument is not numeric.
    """
    A = as_array(A, "A", ndim=2)
    d = A.shape[0]
    if A.shape != (d, d) or d == 0:
        raise ValueError(f"A must be a non-empty square matrix; got shape {A.shape}")
    if not np.allclose(A, A.T, rtol=1e-12, atol=1e-12 * max(1.0, float(np.max(np.abs(A))))):
        raise ValueError("A must be symmetric (the gradient of 1/2 x^T A x uses the symmetric part only)")
    c = np.zeros(d) if center is None else as_array(center, "center", ndim=1)
    if c.shape != (d,):
        raise ValueError(f"center must have shape ({d},); got {c.shape}")
    return Potential("quadratic", np.concatenate([A.ravel(), c]), d, _e_quadratic, _g_quadratic)


def double_well(height: float = 1.0, width: float = 1.0, stiffness: float = 1.0) -> Potential:
    r"""The double well :math:`E(x) = h\,((x_1/w)^2 - 1)^2 + \tfrac{k}{2}\sum_{i\ge2} x_i^2` (any d).

    Minima at :math:`x_1 = \pm w` (other coordinates 0), barrier height :math:`h`.

    Parameters
    ----------
    height : float
        Barrier height :math:`h > 0`.
    width : float
        Half-distance :math:`w > 0` between the wells.
    stiffness : float
        Curvature :math:`k > 0` of the harmonic transverse coordinates.

    Returns
    -------
    Potential

    Raises
    ------
    ValueError, TypeError
        If a parameter is not a finite positive real number.
    """
    h = as_positive(height, "height")
    w = as_positive(width, "width")
    k = as_positive(stiffness, "stiffness")
    return Potential("double_well", np.array([h, w, k]), None, _e_double_well, _g_double_well)


def three_wells(scale: float = 1.0) -> Potential:
    r"""The 2-D three-hole landscape of Metzner, Schütte and Vanden-Eijnden (2006), times ``scale``.

    .. math::

        E(x, y) = s\,[3e^{-x^2-(y-1/3)^2} - 3e^{-x^2-(y-5/3)^2} - 5e^{-(x-1)^2-y^2}
                  - 5e^{-(x+1)^2-y^2} + 0.2x^4 + 0.2(y-1/3)^4]

    Two deep wells near :math:`(\pm1, 0)` and a shallow one near :math:`(0, 1.5)`.

    Parameters
    ----------
    scale : float
        Positive factor :math:`s` (an energy unit).

    Returns
    -------
    Potential

    Raises
    ------
    ValueError, TypeError
        If ``scale`` is not a finite positive real number.
    """
    s = as_positive(scale, "scale")
    return Potential("three_wells", np.array([s]), 2, _e_three_wells, _g_three_wells)


def polynomial(coeffs, stiffness: float = 1.0) -> Potential:
    r"""A polynomial in the first coordinate, :math:`E(x) = \sum_{j=1}^n c_j x_1^j + \tfrac{k}{2}\sum_{i\ge2}x_i^2`.

    The parametric family of chapter 3 (with :math:`n = 4`, :math:`c_4 > 0`
    the law :math:`e^{-E/T}` is normalisable).  There is no constant term:
    that is the gauge :math:`E(0) = 0`.

    Parameters
    ----------
    coeffs : array_like, shape (n,)
        :math:`c_1, \dots, c_n` (``n >= 1``, at most 32).
    stiffness : float
        Curvature :math:`k > 0` of the other coordinates.

    Returns
    -------
    Potential

    Raises
    ------
    ValueError, TypeError
        If ``coeffs`` is not a finite 1-D array of length 1..32 or ``stiffness`` is not positive.
    """
    c = as_array(coeffs, "coeffs", ndim=1)
    if not 1 <= c.shape[0] <= 32:
        raise ValueError(f"coeffs must have between 1 and 32 entries; got {c.shape[0]}")
    k = as_positive(stiffness, "stiffness")
    return Potential("polynomial", np.concatenate([[k], c]), None, _e_polynomial, _g_polynomial)


def custom(energy_kernel, gradient_kernel, params=(), dim: int | None = None) -> Potential:
    """A user-supplied energy: two numba-jitted functions.

    Parameters
    ----------
    energy_kernel : numba dispatcher
        ``energy_kernel(x, params) -> float`` for one point ``x`` (1-D float64).
    gradient_kernel : numba dispatcher
        ``gradient_kernel(x, params, g)`` writing :math:`\\nabla E(x)` into ``g``.
        It may be any force field with the sign of a gradient (the drift is
        ``-K g``): non-gradient fields are allowed (e.g. a limit cycle).
    params : array_like
        Parameters handed to both (1-D float64; may be empty).
    dim : int, optional
        The dimension the functions require (``None``: any).

    Returns
    -------
    Potential

    Raises
    ------
    TypeError
        If the kernels are not numba ``@njit`` functions.
    ValueError
        If ``params`` is not a finite 1-D array or ``dim`` < 1.
    """
    for name, fn in (("energy_kernel", energy_kernel), ("gradient_kernel", gradient_kernel)):
        if not (hasattr(fn, "py_func") and hasattr(fn, "signatures")):
            raise TypeError(f"{name} must be a numba @njit function; got {type(fn).__name__}")
    try:
        p = np.asarray(params, dtype=float) if isinstance(params, (list, tuple)) else params
    except (ValueError, TypeError):   # ragged or non-numeric
        raise ValueError("params must be a finite 1-D float array (got a ragged or non-numeric sequence)") from None
    p = as_array(p, "params", ndim=1)
    if dim is not None:
        dim = as_int(dim, "dim", minimum=1)
    return Potential("custom", p, dim, energy_kernel, gradient_kernel)


def constant_mobility() -> Mobility:
    """The constant factor :math:`m(x) = 1` (then :math:`K(x) = K_0`).

    Returns
    -------
    Mobility
    """
    return Mobility("constant", np.zeros(1), _m_constant)


def quadratic_mobility(k0: float, k1: float) -> Mobility:
    r"""The factor :math:`m(x) = k_0 + k_1 |x|^2`, :math:`\nabla m = 2k_1 x`.

    Parameters
    ----------
    k0 : float
        Value at the origin, > 0.
    k1 : float
        Curvature, >= 0.

    Returns
    -------
    Mobility

    Raises
    ------
    ValueError, TypeError
        If ``k0 <= 0``, ``k1 < 0`` or either is not a finite real number.
    """
    return Mobility("quadratic", np.array([as_positive(k0, "k0"), as_positive(k1, "k1", allow_zero=True)]),
                    _m_quadratic)


def bump_mobility(k0: float, k1: float, width: float) -> Mobility:
    r"""The factor :math:`m(x) = k_0 + k_1 e^{-|x|^2/(2w^2)}` (a bump, or a dip when :math:`k_1 < 0`).

    Parameters
    ----------
    k0 : float
        Value far away, > 0.
    k1 : float
        Height of the bump; ``k0 + k1 > 0`` keeps :math:`m` positive.
    width : float
        Width :math:`w > 0`.

    Returns
    -------
    Mobility

    Raises
    ------
    ValueError, TypeError
        If the parameters are not finite reals, ``k0 <= 0``, ``k0 + k1 <= 0`` or ``width <= 0``.
    """
    k0 = as_positive(k0, "k0")
    if isinstance(k1, (bool, np.bool_)) or not isinstance(k1, numbers.Real):
        raise TypeError(f"k1 must be a finite real number; got {type(k1).__name__}")
    k1 = as_positive(abs(k1), "k1", allow_zero=True) * (1.0 if k1 >= 0 else -1.0)   # finite, < 2**1024
    if k0 + float(k1) <= 0:
        raise ValueError(f"k1 must satisfy k0 + k1 > 0 (m must stay positive); got k0={k0}, k1={k1}")
    w = as_positive(width, "width")
    return Mobility("bump", np.array([k0, float(k1), w]), _m_bump)


def _as_potential(potential, name="potential") -> Potential:
    if not isinstance(potential, Potential):
        raise TypeError(f"{name} must be a Potential (from sde.quadratic, double_well, three_wells, "
                        f"polynomial or custom); got {type(potential).__name__}")
    return potential


def _as_mobility(mobility, name="mobility") -> Mobility:
    if mobility is None:
        return constant_mobility()
    if not isinstance(mobility, Mobility):
        raise TypeError(f"{name} must be None or a Mobility (from sde.constant_mobility, quadratic_mobility "
                        f"or bump_mobility); got {type(mobility).__name__}")
    return mobility


def _points(x, name: str, dim: int | None) -> tuple[np.ndarray, bool]:
    """Points as rows (n, d); a 1-D input is one point."""
    arr = as_array(x, name, ndim=(1, 2))
    single = arr.ndim == 1
    if single:
        arr = arr[None, :]
    if arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one coordinate; got shape {arr.shape}")
    if dim is not None and arr.shape[1] != dim:
        raise ValueError(f"{name} must have {dim} coordinate(s) for this potential; got shape {arr.shape}")
    return np.ascontiguousarray(arr), single


def _check_dim(pot: Potential, d: int, name: str) -> None:
    if pot.name == "quadratic":
        dq = int(round(math.sqrt(pot.params.shape[0] + 0.25) - 0.5))  # d*d + d entries
        if dq != d:
            raise ValueError(f"{name} has {d} coordinate(s) but the quadratic energy is {dq}-dimensional")
    elif pot.dim is not None and pot.dim != d:
        raise ValueError(f"{name} has {d} coordinate(s) but the potential needs {pot.dim}")


@njit(cache=True)
def _energy_catalogue(code, x, p):
    if code == 0:
        return _e_quadratic(x, p)
    if code == 1:
        return _e_double_well(x, p)
    if code == 2:
        return _e_three_wells(x, p)
    return _e_polynomial(x, p)


@njit(cache=True)
def _eval_energy(ef, code, p, X, out):
    for i in range(X.shape[0]):
        if ef is None:
            out[i] = _energy_catalogue(code, X[i], p)
        else:
            out[i] = ef(X[i], p)


@njit(cache=True)
def _eval_gradient(gf, code, p, X, out):
    for i in range(X.shape[0]):
        if gf is None:
            _grad_catalogue(code, X[i], p, out[i])
        else:
            gf(X[i], p, out[i])


@njit(cache=True)
def _eval_mobility(code, p, X, m, gm):
    for i in range(X.shape[0]):
        m[i] = _mob_catalogue(code, X[i], p, gm[i])


def energy(potential, x):
    """Energy :math:`E(x)` of a catalogue potential at one point or at many (rows).

    Parameters
    ----------
    potential : Potential
    x : array_like, shape (d,) or (n, d)

    Returns
    -------
    float or ndarray of shape (n,)
        Any finite ``x`` is allowed: an energy beyond the float64 range is ``+-inf`` (the quadratic
        form is evaluated in scaled form, so it is never NaN); never NaN.

    Raises
    ------
    TypeError, ValueError
        If ``potential`` is not a Potential or ``x`` is not a finite array of matching dimension, or
        (naming ``x``) if terms of opposite sign both overflow, so that float64 cannot resolve the result.
    """
    pot = _as_potential(potential)
    X, single = _points(x, "x", pot.dim)
    _check_dim(pot, X.shape[1], "x")
    out = np.empty(X.shape[0])
    with np.errstate(all="ignore"):
        _eval_energy(pot.energy_kernel if pot.name == "custom" else None, _POT_CODES[pot.name], pot.params, X, out)
        out = _overflowed(pot, X, out, "energy")
    return float(out[0]) if single else out


def gradient(potential, x):
    r"""Gradient :math:`\nabla E(x)` of a catalogue potential at one point or at many (rows).

    Parameters
    ----------
    potential : Potential
    x : array_like, shape (d,) or (n, d)

    Returns
    -------
    ndarray of shape (d,) or (n, d)
        Components beyond the float64 range are ``+-inf`` (the quadratic energy's ``A (x - c)`` is
        evaluated in scaled form); never NaN.

    Raises
    ------
    TypeError, ValueError
        If ``potential`` is not a Potential or ``x`` is not a finite array of matching dimension, or
        (naming ``x``) if terms of opposite sign both overflow, so that float64 cannot resolve the result.
    """
    pot = _as_potential(potential)
    X, single = _points(x, "x", pot.dim)
    _check_dim(pot, X.shape[1], "x")
    out = np.empty_like(X)
    with np.errstate(all="ignore"):
        _eval_gradient(pot.gradient_kernel if pot.name == "custom" else None, _POT_CODES[pot.name], pot.params, X,
                       out)
        out = _overflowed(pot, X, out, "gradient")
    return out[0] if single else out


def _overflowed(pot: Potential, X: np.ndarray, out: np.ndarray, what: str) -> np.ndarray:
    """Redo, in scaled form, the points whose energy or gradient came out non-finite; refuse a NaN left over.

    For the quadratic energy the form is evaluated with ``y = x - c`` and ``A`` scaled by powers of two
    (exact), so the only non-finite answers left are true overflows (``+-inf``).  Other energies overflow
    only when ``x`` is huge; a NaN there (terms of opposite sign both overflowing) cannot be resolved in
    float64 and is refused, naming ``x``.
    """
    bad = ~np.isfinite(out.reshape(X.shape[0], -1)).all(axis=1)
    if not bad.any():
        return out
    if pot.name == "quadratic":
        d = X.shape[1]
        A = pot.params[: d * d].reshape(d, d)
        c = pot.params[d * d:]
        Yh = 0.5 * X[bad] - 0.5 * c                        # y / 2: finite for any finite x and c
        ey = np.frexp(np.max(np.abs(Yh), axis=1))[1]
        ea = int(np.frexp(np.max(np.abs(A)))[1])
        Z = np.ldexp(Yh, -ey[:, None])
        A1 = np.ldexp(A, -ea)
        AZ = Z @ A1.T
        if what == "energy":   # 1/2 y^T A y = 2 Yh^T A Yh
            out[bad] = np.ldexp(np.sum(Z * AZ, axis=1), 2 * ey + ea + 1)
        else:                  # A y = 2 A Yh
            out[bad] = np.ldexp(AZ, (ey + ea + 1)[:, None])
    if np.isnan(out).any():
        raise ValueError(f"x is too large in magnitude for this potential: terms of its {what} overflow with "
                         "opposite signs (float64 cannot resolve the result)")
    return out


def mobility_value(mobility, x):
    r"""The mobility factor :math:`m(x)` and its gradient :math:`\nabla m(x)`.

    With a constant matrix :math:`K_0`, :math:`K(x) = m(x)K_0` and
    :math:`(\nabla\!\cdot K)^a = \sum_b K_0^{ab}\,\partial_b m(x)`.

    Parameters
    ----------
    mobility : Mobility or None
        ``None`` means :func:`constant_mobility`.
    x : array_like, shape (d,) or (n, d)

    Returns
    -------
    m : float or ndarray of shape (n,)
    grad_m : ndarray of shape (d,) or (n, d)

    Raises
    ------
    TypeError, ValueError
        If ``mobility`` is not a Mobility or ``x`` is not a finite array.
    """
    mob = _as_mobility(mobility)
    X, single = _points(x, "x", None)
    m = np.empty(X.shape[0])
    gm = np.empty_like(X)
    _eval_mobility(_MOB_CODES[mob.name], mob.params, X, m, gm)
    return (float(m[0]), gm[0]) if single else (m, gm)


# ---------------------------------------------------------------------------
# The SDE kernel
# ---------------------------------------------------------------------------

#: The SDE kernels made so far, one per (potential code, mobility code): see :func:`_sde_kernel`.
_KERNELS: dict = {}


def _sde_kernel(pcode: int, mcode: int):
    """The SDE kernel for one catalogue potential and one mobility, compiled on first use.

    The codes are constants of the compiled kernel (closure variables, part of numba's cache key), so
    the catalogue's other branches fold away and one gradient and one mobility are inlined into the
    particle loop, with no call, and no reference counting of array arguments, per particle and step;
    as one kernel dispatching on run-time codes this loop was two to three times slower.  The price is
    one compilation (under two seconds, then cached on disk) per pair used.  The ``custom`` potential
    (code -1) passes its gradient kernel as ``gf``, a first-class function.
    """
    key = (pcode, mcode)
    if key not in _KERNELS:
        _KERNELS[key] = _make_sde_kernel(pcode, mcode)
    return _KERNELS[key]


def _make_sde_kernel(pcode: int, mcode: int):
    @njit(cache=True)
    def kernel(gf, gp, mp, X, n_steps, dt, T, K0, L0, k_iso, div, heun, rec, rng, out):
        n, d = X.shape
        g = np.empty(d)
        gm = np.empty(d)
        a = np.empty(d)
        a0 = np.empty(d)
        xi = np.empty(d)
        eta = np.empty(d)
        y = np.empty(d)     # where the drift is evaluated: x, then Heun's predictor
        noisy = T > 0.0
        sq = math.sqrt(2.0 * T * dt)
        l_iso = math.sqrt(k_iso)
        for i in range(n):
            for j in range(d):
                out[0, i, j] = X[i, j]
        r = 1
        x = np.empty(d)  # the particle's position, copied in and out (no array views in the loop)
        for s in range(1, n_steps + 1):
            for i in range(n):
                for j in range(d):
                    x[j] = X[i, j]
                if noisy:
                    for j in range(d):
                        xi[j] = rng.standard_normal()
                    if k_iso > 0.0:
                        for j in range(d):
                            eta[j] = sq * (l_iso * xi[j])
                    else:
                        for j in range(d):
                            acc = 0.0
                            for k in range(d):
                                acc += L0[j, k] * xi[k]
                            eta[j] = sq * acc
                else:
                    for j in range(d):
                        eta[j] = 0.0
                # Stage 0: the drift a0 at x, then the Euler-Maruyama step (or Heun's predictor xt);
                # stage 1 (Heun): the drift a1 at xt, then the corrector.  The drift
                # a = -m K0 grad E + div T K0 grad m is written out here, not in a helper: a call that
                # passes arrays costs reference counting per particle and step, several times the
                # arithmetic.  pcode and mcode are constants of this kernel, so the catalogue's other
                # branches fold away and one gradient and one mobility are inlined here.
                # With K0 = k_iso I the products are one multiplication per component, in the order the
                # matrix loop rounds them (its added zero products are exact).
                for j in range(d):
                    y[j] = x[j]
                m0 = 0.0
                s0 = 0.0
                for stage in range(2 if heun else 1):
                    if pcode >= 0:
                        _grad_catalogue(pcode, y, gp, g)
                    else:
                        gf(y, gp, g)
                    m = _mob_catalogue(mcode, y, mp, gm)
                    if k_iso > 0.0:
                        for j in range(d):
                            a[j] = -m * (k_iso * g[j]) + (div * T * (k_iso * gm[j]))
                    else:
                        for j in range(d):
                            s_ = 0.0
                            t_ = 0.0
                            for k in range(d):
                                s_ += K0[j, k] * g[k]
                                t_ += K0[j, k] * gm[k]
                            a[j] = -m * s_ + (div * T * t_)
                    sm = math.sqrt(m) if m > 0.0 else 0.0
                    if stage == 0:
                        m0, s0 = m, sm
                        if heun:
                            for j in range(d):
                                a0[j] = a[j]
                                y[j] = x[j] + a[j] * dt + sm * eta[j]
                        else:
                            for j in range(d):
                                x[j] += a[j] * dt + sm * eta[j]
                    else:
                        for j in range(d):
                            x[j] += 0.5 * (a0[j] + a[j]) * dt + 0.5 * (s0 + sm) * eta[j]
                for j in range(d):
                    X[i, j] = x[j]
            if s % rec == 0:
                for i in range(n):
                    for j in range(d):
                        out[r, i, j] = X[i, j]
                r += 1

    return kernel


def _isotropic(K0: np.ndarray, L0: np.ndarray) -> float:
    """k if K0 = k I and L0 = sqrt(k) I exactly (the kernel's fast path), else 0."""
    k = float(K0[0, 0])
    d = K0.shape[0]
    if k > 0.0 and np.array_equal(K0, k * np.eye(d)) and np.array_equal(L0, math.sqrt(k) * np.eye(d)):
        return k
    return 0.0


def _mobility_matrix(K, d: int) -> tuple[np.ndarray, np.ndarray]:
    """K0 (d, d) and L0 with L0 L0^T = sym(K0) (symmetric part positive semi-definite)."""
    if K is None:
        return np.eye(d), np.eye(d)
    if isinstance(K, numbers.Real) and not isinstance(K, (bool, np.bool_)):
        k = as_positive(K, "K")
        return k * np.eye(d), math.sqrt(k) * np.eye(d)
    K0 = as_array(K, "K", ndim=2)
    if K0.shape != (d, d):
        raise ValueError(f"K must be a scalar or a ({d}, {d}) matrix; got shape {K0.shape}")
    S = 0.5 * (K0 + K0.T)
    lam, V = np.linalg.eigh(S)
    scale = max(1.0, float(np.max(np.abs(K0))))
    if lam[0] < -1e-12 * scale:
        raise ValueError("K must have a positive semi-definite symmetric part (it sets the noise covariance "
                         f"2 T sym(K)); smallest eigenvalue {lam[0]:.3g}")
    L0 = V * np.sqrt(np.clip(lam, 0.0, None))
    return np.ascontiguousarray(K0), np.ascontiguousarray(L0)


def _check_steps(n_steps, record_every, n: int, d: int, work_per_step: float) -> tuple[int, int, int]:
    """Validate the step counts and refuse, before allocating, a call beyond the work or memory limits.

    ``work_per_step`` is the cost of one particle-step in elementary steps (``check_budget``'s unit).
    """
    n_steps = as_int(n_steps, "n_steps", minimum=0)
    if n_steps > 2**62:
        raise ValueError(f"n_steps must be at most 2**62; got an integer of {n_steps.bit_length()} bits")
    if record_every is None:
        rec = max(n_steps, 1)
    else:
        rec = as_int(record_every, "record_every", minimum=1)
        if rec > max(n_steps, 1):
            raise ValueError(f"record_every must divide n_steps (and be <= it); got n_steps={n_steps}, "
                             f"record_every={rec}")
    if n_steps % rec != 0:
        raise ValueError(f"record_every must divide n_steps; got n_steps={n_steps}, record_every={rec}")
    n_rec = n_steps // rec + 1
    check_budget("record_every", nbytes=8.0 * (n_rec + 2) * n * d,
                 what=f"{n_rec} recorded ensembles of {n}x{d} positions")
    check_budget("n_steps", work=float(n_steps) * n * work_per_step, what="particle-steps times their cost")
    return n_steps, rec, n_rec


def _step_cost(pot: Potential, mob: Mobility, d: int, isotropic: bool, heun: bool) -> float:
    """Elementary steps per particle-step of the SDE kernel (calibrated on the catalogue: a draw, a gradient)."""
    cost = 60.0 * d + (8.0 * d * d if (pot.name in ("quadratic", "custom") or not isotropic) else 0.0)
    if pot.name in ("three_wells", "custom") or mob.name == "bump":
        cost += 60.0 * d
    return cost * (2.0 if heun else 1.0)


def simulate(x0, n_steps, dt, potential, *, T=1.0, K=None, mobility=None, divergence_drift=True,
             scheme="em", record_every=None, rng=None):
    r"""Integrate the Langevin SDE of the module docstring for an ensemble of particles.

    .. math::

        dx = [-m(x)K_0\nabla E + c\,T K_0\nabla m]\,dt + \sqrt{2T m(x)}\,L_0\,dW

    Parameters
    ----------
    x0 : array_like, shape (n_particles, d) or (n_particles,)
        Initial positions as rows; a 1-D array is ``n_particles`` particles in one dimension.
    n_steps : int
        Number of time steps (>= 0).
    dt : float
        Time step (> 0).
    potential : Potential
        The energy (from :func:`quadratic`, :func:`double_well`, ...).
    T : float, default 1
        Temperature (>= 0; ``T = 0`` integrates the deterministic flow and draws nothing).
    K : None, float or array_like (d, d)
        Constant matrix :math:`K_0` (default the identity); its symmetric part must be
        positive semi-definite, its antisymmetric part is free.
    mobility : Mobility, optional
        Scalar factor :math:`m(x)` (default :func:`constant_mobility`).
    divergence_drift : bool, default True
        Include the drift :math:`T\nabla\!\cdot K = T K_0 \nabla m` ([LF] Theorem 8).  With it
        and ``scheme="em"`` (Itô) the stationary law is the Boltzmann law.
    scheme : {"em", "heun"}
        Euler--Maruyama (Itô) or stochastic Heun (Stratonovich; weak order 2 for constant noise).
    record_every : int, optional
        Store the positions every ``record_every`` steps (must divide ``n_steps``; default: only
        the initial and final positions).
    rng : int, Generator or None
        Random source; same seed, same result.  Noise is drawn inside the kernel, step by
        step, in the order of ``rng.standard_normal((n_particles, d))``.

    Returns
    -------
    t : ndarray, shape (n_records,)
        Recorded times ``dt * record_every * k``.
    X : ndarray, shape (n_records, n_particles, d)
        Positions at those times (``X[0]`` is ``x0``).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is malformed (shape, sign, NaN/inf), if the scheme diverged (non-finite
        positions: the message names ``dt``, ``T``, ``K`` and ``x0``), or beyond the Limits below.

    Notes
    -----
    Limits, checked before anything is allocated: the work ``n_steps * n_particles`` times the cost
    of one particle-step (about ``60 d`` elementary steps, plus ``8 d**2`` for a quadratic or custom
    energy or a non-isotropic ``K``, plus ``60 d`` for ``three_wells``, ``custom`` or ``bump_mobility``,
    doubled for Heun) must stay within ``attractors._validate.MAX_WORK`` (about ten seconds; refused
    naming ``n_steps``), and the recorded positions ``8 * n_records * n_particles * d`` bytes within
    ``MAX_BYTES`` = 1 GiB (refused naming ``record_every``).  ``record_every`` must be <= ``n_steps``.
    """
    pot = _as_potential(potential)
    mob = _as_mobility(mobility)
    X = as_array(x0, "x0", ndim=(1, 2))
    if X.ndim == 1:
        X = X[:, None]
    X = np.array(X, dtype=np.float64, order="C", copy=True)
    n, d = X.shape
    if n == 0 or d == 0:
        raise ValueError(f"x0 must hold at least one particle with at least one coordinate; got shape {X.shape}")
    _check_dim(pot, d, "x0")
    dt = as_positive(dt, "dt")
    T = as_positive(T, "T", allow_zero=True)
    if not isinstance(divergence_drift, (bool, np.bool_)):
        raise TypeError(f"divergence_drift must be a bool; got {type(divergence_drift).__name__}")
    if not isinstance(scheme, str):
        raise TypeError(f"scheme must be a string; got {type(scheme).__name__}")
    if scheme not in ("em", "heun"):
        raise ValueError(f"scheme must be 'em' or 'heun'; got {scheme!r}")
    K0, L0 = _mobility_matrix(K, d)
    n_steps, rec, n_rec = _check_steps(n_steps, record_every, n, d,
                                       _step_cost(pot, mob, d, _isotropic(K0, L0) > 0, scheme == "heun"))
    gen = as_generator(rng)
    out = np.empty((n_rec, n, d))
    with np.errstate(all="ignore"):
        gf = pot.gradient_kernel if pot.name == "custom" else None
        kernel = _sde_kernel(_POT_CODES[pot.name], _MOB_CODES[mob.name])
        kernel(gf, pot.params, mob.params, X, n_steps, dt, T, K0, L0, _isotropic(K0, L0),
               1.0 if divergence_drift else 0.0, scheme == "heun", rec, gen, out)
    if not np.all(np.isfinite(out)):
        raise ValueError("the scheme diverged (non-finite positions): dt is too large for this potential, or the "
                         "noise (T, K) or the start x0 too large in magnitude")
    return dt * rec * np.arange(n_rec), out


def euler_maruyama(x0, n_steps, dt, potential, **kwargs):
    """:func:`simulate` with ``scheme="em"`` (Itô); same parameters, returns, raises.

    Parameters
    ----------
    x0, n_steps, dt, potential, **kwargs
        As in :func:`simulate` (``scheme`` may not be given).

    Returns
    -------
    t, X : ndarray
        As in :func:`simulate`.

    Raises
    ------
    TypeError, ValueError
        As in :func:`simulate`; TypeError also if ``scheme`` is passed.
    """
    if "scheme" in kwargs:
        raise TypeError("euler_maruyama() does not take scheme (use simulate)")
    return simulate(x0, n_steps, dt, potential, scheme="em", **kwargs)


def _np_gradient(pot: Potential, X: np.ndarray) -> np.ndarray:
    """Vectorised NumPy gradients of the catalogue (the reference for the numba kernels)."""
    p = pot.params
    n, d = X.shape
    if pot.name == "quadratic":
        return (X - p[d * d:]) @ p[: d * d].reshape(d, d).T
    G = np.empty_like(X)
    if pot.name == "double_well":
        h, w, k = p
        u = X[:, 0] / w
        G[:, 0] = 4.0 * h * (u * u - 1.0) * u / w
        G[:, 1:] = k * X[:, 1:]
    elif pot.name == "three_wells":
        a, b = X[:, 0], X[:, 1]
        e1 = 3.0 * np.exp(-a * a - (b - 1.0 / 3.0) ** 2)
        e2 = -3.0 * np.exp(-a * a - (b - 5.0 / 3.0) ** 2)
        e3 = -5.0 * np.exp(-(a - 1.0) ** 2 - b * b)
        e4 = -5.0 * np.exp(-(a + 1.0) ** 2 - b * b)
        G[:, 0] = p[0] * (-2.0 * a * (e1 + e2) - 2.0 * (a - 1.0) * e3 - 2.0 * (a + 1.0) * e4 + 0.8 * a ** 3)
        G[:, 1] = p[0] * (-2.0 * (b - 1.0 / 3.0) * e1 - 2.0 * (b - 5.0 / 3.0) * e2 - 2.0 * b * (e3 + e4)
                          + 0.8 * (b - 1.0 / 3.0) ** 3)
    elif pot.name == "polynomial":
        coeffs = p[1:]
        G[:, 0] = np.polynomial.polynomial.polyval(X[:, 0], coeffs * np.arange(1, coeffs.size + 1))
        G[:, 1:] = p[0] * X[:, 1:]
    else:
        G = gradient(pot, X)
    return G


def _np_mobility(mob: Mobility, X: np.ndarray):
    """Vectorised NumPy mobility factor and its gradient."""
    p = mob.params
    if mob.name == "quadratic":
        return p[0] + p[1] * np.sum(X * X, axis=1), 2.0 * p[1] * X
    if mob.name == "bump":
        b = p[1] * np.exp(-0.5 * np.sum(X * X, axis=1) / (p[2] * p[2]))
        return p[0] + b, -(b / (p[2] * p[2]))[:, None] * X
    return np.ones(X.shape[0]), np.zeros_like(X)


def _simulate_reference(x0, n_steps, dt, potential, *, T=1.0, K=None, mobility=None, divergence_drift=True,
                        scheme="em", rng=None):
    """Vectorised NumPy implementation of the same schemes (same noise order): the test reference."""
    pot, mob = potential, _as_mobility(mobility)
    X = np.array(np.asarray(x0, dtype=float).reshape(len(x0), -1), copy=True)
    n, d = X.shape
    K0, L0 = _mobility_matrix(K, d)
    gen = as_generator(rng)
    c = 1.0 if divergence_drift else 0.0

    def drift(Y):
        g = _np_gradient(pot, Y)
        m, gm = _np_mobility(mob, Y)
        return -m[:, None] * (g @ K0.T) + c * T * (gm @ K0.T), m

    sq = math.sqrt(2.0 * T * dt)
    for _ in range(n_steps):
        eta = sq * (gen.standard_normal((n, d)) @ L0.T) if T > 0 else np.zeros((n, d))
        a0, m0 = drift(X)
        s0 = np.sqrt(m0)[:, None]
        if scheme == "em":
            X = X + a0 * dt + s0 * eta
        else:
            Xt = X + a0 * dt + s0 * eta
            a1, m1 = drift(Xt)
            X = X + 0.5 * (a0 + a1) * dt + 0.5 * (s0 + np.sqrt(m1)[:, None]) * eta
    return X


# ---------------------------------------------------------------------------
# Exact moments of the linear case
# ---------------------------------------------------------------------------

def ou_moments(t, mean0, cov0, A, *, K=None, T=1.0, dt=None):
    r"""Exact mean and covariance of the Ornstein--Uhlenbeck process :math:`dx = -K A x\,dt + \sqrt{2T}L\,dW`.

    With :math:`B = KA` and :math:`S = (K + K^\top)/2 = LL^\top`:
    :math:`\dot m = -Bm`, :math:`\dot\Sigma = -B\Sigma - \Sigma B^\top + 2TS`, solved in closed
    form: :math:`m = e^{-Bt}m_0`, :math:`\Sigma = e^{-Bt}\Sigma_0e^{-B^\top t} + 2T\int_0^t
    e^{-Bs}Se^{-B^\top s}ds`, by scaling and doubling (``attractors._ou``: no inverse, so a singular
    :math:`B` is fine; every quantity scaled by powers of two, so extreme rates, temperatures and times
    neither overflow nor underflow on the way).  With ``dt`` given, the exact law of the
    Euler--Maruyama recursion :math:`m_{k+1} = (I - \Delta t B)m_k`,
    :math:`\Sigma_{k+1} = (I-\Delta tB)\Sigma_k(I-\Delta tB)^\top + 2T\Delta t S` at
    :math:`k = t/\Delta t` instead (the times must be multiples of ``dt``), assembled from the binary
    digits of :math:`k` (:math:`\log_2 k` matrix products).

    Parameters
    ----------
    t : float or array_like (n_t,)
        Times (>= 0, finite).
    mean0 : array_like (d,)
        Initial mean (1 <= d <= 32).
    cov0 : array_like (d, d)
        Initial covariance: symmetric (to round-off) and positive semi-definite.
    A : array_like (d, d)
        Symmetric matrix of the quadratic energy :math:`\tfrac12 x^\top A x`.
    K : None, float or array_like (d, d)
        Mobility matrix (default identity); PSD symmetric part.
    T : float
        Temperature (>= 0).
    dt : float, optional
        Euler--Maruyama step (exact law of the discrete scheme); ``t / dt`` at most ``2**53``.

    Returns
    -------
    mean : ndarray (n_t, d)
    cov : ndarray (n_t, d, d)

    Raises
    ------
    TypeError, ValueError
        On malformed input (shapes, NaN, negative times, times not multiples of ``dt``, a ``cov0``
        that is not symmetric positive semi-definite), or beyond the Limits below.  When the true mean
        or covariance is beyond the float64 range (an unstable :math:`B` at a long time, a huge ``T``,
        or an unstable Euler--Maruyama recursion) the call is refused, naming ``t`` (and ``T``, ``A``,
        ``K``, ``dt``), rather than returning inf or NaN.

    Notes
    -----
    Limits, checked before the work starts: the work, about ``6 d**3`` per doubling (``log2`` of
    ``|B| t``, at most about 2200 for any float64 input) plus ``320 d**3`` per time, summed over the
    times, must stay within ``attractors._validate.MAX_WORK`` (about ten seconds; refused naming ``t``),
    and the workspace, about ``300 d**2`` bytes per time, within 1 GiB (refused naming ``t``).
    """
    from attractors import _ou

    times = as_array(t, "t", ndim=(0, 1)).reshape(-1)
    if times.size == 0 or np.any(times < 0):
        raise ValueError("t must hold at least one time, all >= 0")
    m0 = as_array(mean0, "mean0", ndim=1)
    d = m0.shape[0]
    if d == 0 or d > 32:
        raise ValueError(f"mean0 must have between 1 and 32 coordinates; got {d}")
    S0 = as_array(cov0, "cov0", ndim=2)
    if S0.shape != (d, d):
        raise ValueError(f"cov0 must have shape ({d}, {d}); got {S0.shape}")
    if (Amat := as_array(A, "A", ndim=2)).shape != (d, d):
        raise ValueError(f"A must have shape ({d}, {d}); got {Amat.shape}")
    Amat, (K0, L0) = quadratic(Amat).params[: d * d].reshape(d, d), _mobility_matrix(K, d)
    T = as_positive(T, "T", allow_zero=True)
    return _ou.moments(times, m0, S0, Amat, K0, L0 @ L0.T, T, None if dt is None else as_positive(dt, "dt"))


# ---------------------------------------------------------------------------
# Moved to attractors.kramers_moyal
# ---------------------------------------------------------------------------

_MOVED = ("jump_moments", "shot_noise")


def __getattr__(name):
    """``sde.jump_moments`` and ``sde.shot_noise`` still work, with a DeprecationWarning."""
    if name in _MOVED:
        warnings.warn(f"attractors.sde.{name} moved to attractors.kramers_moyal.{name}; import it from there",
                      DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module("attractors.kramers_moyal"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------
# Benchmarks
# ---------------------------------------------------------------------------

def benchmarks(quick: bool = True, lim: dict | None = None):
    """The SDE kernel against the vectorised NumPy implementation of the same scheme, and against its draws.

    Both integrate the same ensemble with the same generator seed, so their outputs are
    compared exactly (to round-off) before timing.  A step of a particle in d = 2 needs two
    normal draws, so the kernel's limit is numba's ``standard_normal()`` rate (measured here,
    next to the kernels): the fraction is the kernel's draws per second over that rate.

    Parameters
    ----------
    quick : bool
        Fewer steps (the particle count, 1e5 in 2-D, is the same).
    lim : dict, optional
        Accepted for the common interface of :func:`attractors.bench.run_all` (the draw rate is
        measured here, because the load of a shared machine changes within a run).

    Returns
    -------
    list of attractors.bench.Result

    Raises
    ------
    TypeError
        If ``quick`` is not a bool or ``lim`` not a dict.
    """
    from attractors import bench

    if not isinstance(quick, (bool, np.bool_)):
        raise TypeError(f"quick must be a bool; got {type(quick).__name__}")
    if lim is not None and not isinstance(lim, dict):
        raise TypeError(f"lim must be a dict of limits; got {type(lim).__name__}")
    normal_rate = bench.rng_rate(repeat=3, kind="normal")
    results = []
    n, steps = 100_000, (5 if quick else 50)
    x0 = np.random.default_rng(0).standard_normal((n, 2))
    cases = [("double_well", double_well(), None, None),
             ("three_wells", three_wells(), None, None),
             ("double_well+bump K(x)", double_well(), np.array([[1.0, 0.5], [-0.5, 1.0]]), bump_mobility(1.0, 1.0, 1.0))]
    for label, pot, K, mob in cases:
        for scheme in ("em", "heun"):
            def kern(pot=pot, K=K, mob=mob, scheme=scheme):
                return simulate(x0, steps, 1e-3, pot, T=1.0, K=K, mobility=mob, scheme=scheme, rng=1)[1][-1]

            def ref(pot=pot, K=K, mob=mob, scheme=scheme):
                return _simulate_reference(x0, steps, 1e-3, pot, T=1.0, K=K, mobility=mob, scheme=scheme, rng=1)

            r = bench.compare("sde", f"{scheme} {label}", f"{n}x2, {steps} steps", kern, ref, repeat=3 if quick else 5)
            draws = 2.0 * n * steps
            results.append(bench.Result(r.module, r.name, r.size, r.t_kernel, r.t_reference,
                                        f"{r.t_kernel / (n * steps) * 1e9:.0f} ns per particle and step", r.agree,
                                        f"numba standard_normal {normal_rate / 1e6:.0f} M draws/s",
                                        draws / r.t_kernel / normal_rate))
    return results
