r"""A conservative finite-volume solver for the Fokker-Planck equation of a free energy.

Chapter 2 of the book (*Free energy and relaxation*) derives, after [LF]
Theorem 6, the equation

.. math::

    \partial_t p = \nabla\cdot\bigl(K\,(p\,\nabla E + T\,\nabla p)\bigr)
                 = \nabla\cdot\bigl(T\,K\,q\,\nabla (p/q)\bigr),
    \qquad q = e^{-E/T}/Z,

and shows that the free energy :math:`F[p] = \langle E\rangle_p - T H[p]`
decreases along it to :math:`-T\ln Z`.  This module discretises it on a
grid of cells (1-D: ``n`` cells of width ``h``; 2-D: ``nx`` x ``ny`` cells of
size ``hx`` x ``hy``, C order) so that the same statements hold *exactly* for
the discrete system:

* The unknown is the vector of cell masses :math:`m_i = p_i V` and the
  semi-discrete equation is a Markov jump process :math:`\dot m = Q m`
  between neighbouring cells, with non-negative jump rates.  Mass is
  conserved (columns of :math:`Q` sum to zero) and :math:`m \ge 0` is kept.
* The jump rates of the symmetric part :math:`S` of :math:`K` are
  Scharfetter-Gummel rates: along a stencil direction :math:`d` with
  coefficient :math:`c`,
  :math:`r_{i\to j} = (cT/|d|^2)\,B\bigl((E_j-E_i)/T\bigr)` with
  :math:`B(z) = z/(e^z-1)`, so that :math:`\pi_i r_{i\to j} = \pi_j r_{j\to i}`
  for the discrete Boltzmann masses :math:`\pi_i \propto e^{-E_i/T} V`
  (detailed balance).  An off-diagonal :math:`S_{xy}` uses the diagonal
  neighbours; the stencil is non-negative when
  :math:`|S_{xy}| \le \min(S_{xx} h_y/h_x,\ S_{yy} h_x/h_y)`.
* A constant antisymmetric part :math:`A = a\,[[0,1],[-1,0]]` (2-D) is an
  advection along the level lines of :math:`E` with the divergence-free
  stationary current :math:`J^\ast = -qA\nabla E`, the curl of the stream
  function :math:`\psi = aTq`.  With a scalar mobility field,
  :math:`K(x) = m(x)(S + A)`, the antisymmetric flux
  :math:`-mA(p\nabla E + T\nabla p) = -TmqA\nabla(p/q)` has the same divergence
  as the advection :math:`p\,w` with :math:`w = TA\nabla(mq)/q` (for constant
  antisymmetric :math:`A`, :math:`\nabla\cdot(\phi A\nabla u) = -\nabla\cdot(uA\nabla\phi)`),
  so the stream function becomes :math:`\psi = aTmq`.  The discrete :math:`\psi` lives on cell
  corners: the harmonic mean of :math:`aTmq` over the corner's four cells
  (which keeps every added rate below :math:`4|a|Tm/V` however fast
  :math:`E` varies), and zero on the boundary, so no probability leaves the
  box -- the reflecting problem of the continuum where :math:`q` is
  negligible on the boundary or the boundary is a level line of :math:`E`.
  The discrete current through each face is then divergence free by
  construction; it is carried by rates weighted
  between central (second order) and upwind (positive) differencing, the
  most central weight that keeps every rate non-negative.  Since
  :math:`\pi` still satisfies :math:`Q\pi = 0`, the discrete stationary
  state is the discrete Boltzmann law *whatever* :math:`A` is.
* Because :math:`Q` is a Markov generator with :math:`Q\pi = 0`, the
  discrete free energy
  :math:`F_h[m] = T\sum_i m_i\ln(m_i/\pi_i) - T\ln Z_h` decreases along the
  semi-discrete flow, and also at every step of implicit Euler (any step
  size: :math:`(I-\Delta t\,Q)^{-1}` is a stochastic matrix fixing
  :math:`\pi`) and of explicit Euler with
  :math:`\Delta t \le 1/\max_i(\text{exit rate of cell } i)` (then
  :math:`I+\Delta t\,Q` is one): relative entropy never grows under a
  Markov kernel that fixes :math:`\pi`.

Boundaries: ``"reflecting"`` (no flux), ``"absorbing"`` (:math:`p = 0` on the
walls, flux :math:`2KT p/h` out of a wall cell; mass is lost) and, in 1-D,
``"periodic"`` with an optional energy step across the seam (a tilted
washboard on a ring, whose stationary state carries a current and is *not*
the Boltzmann law of the energy on the cut interval).  State-dependent
mobilities are scalar (1-D) or diagonal (2-D) fields of cell values; face
values are harmonic means.  In 2-D a scalar field may multiply a ``K`` with an
antisymmetric part (``K(x) = m(x)(S + A)``, ``S`` diagonal); a diagonal field
may not, since ``diag(m_x, m_y) A`` is not antisymmetric.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
from numba import njit

from attractors._fp_kernels import (_SAFE, _apply, _bern, _bern_array, _evolve_kernel, _exit_rates,  # noqa: F401
                                    _explicit_steps, _fluxes, _free_energy_of, _in_range, _prod)
from attractors._validate import as_array, as_int, as_positive, check_budget

__all__ = [
    "FPOperator",
    "Trajectory",
    "bernoulli",
    "log_partition",
    "boltzmann",
    "free_energy",
    "operator_1d",
    "operator_2d",
    "generator_matrix",
    "apply_operator",
    "stable_dt",
    "evolve",
    "face_fluxes",
    "probability_current",
    "free_energy_rate",
    "benchmarks",
]

#: Largest number of cells a grid may have.
MAX_CELLS = 4_000_000
#: Largest number of time steps of one call of :func:`evolve`.
MAX_STEPS = 1_000_000
#: Largest number of density values :func:`evolve` stores (n_record + 1 grids).
MAX_STORED = 50_000_000


# ---------------------------------------------------------------------------------------------
# scalar helpers

def bernoulli(z):
    """The Bernoulli function :math:`B(z) = z/(e^z - 1)` of the Scharfetter-Gummel flux.

    Parameters
    ----------
    z : float or array_like
        Real arguments (``inf`` allowed: ``B(inf) = 0``, ``B(-inf) = inf``).

    Returns
    -------
    float or ndarray
        ``B(z)``, with ``B(0) = 1``; ``B(z) - B(-z) = -z`` and
        ``B(-z) = e^z B(z)`` hold to round-off.

    Raises
    ------
    TypeError, ValueError
        If ``z`` is not real or contains NaN.
    """
    arr = as_array(z, "z", finite=False)
    shape = np.shape(z) if np.ndim(z) == 0 else arr.shape   # (as_array makes a scalar 1-d)
    if np.isnan(arr).any():
        raise ValueError("z must not contain NaN")
    flat = arr.ravel()
    out = np.empty_like(flat)
    with np.errstate(over="ignore", invalid="ignore"):
        big = np.isinf(flat)
        _bern_array(np.where(big, 0.0, flat), out)
        out[big & (flat > 0)] = 0.0
        out[big & (flat < 0)] = np.inf
    out = out.reshape(shape)
    return float(out) if out.ndim == 0 else out


def _as_spacing(spacing, ndim: int, name: str = "spacing") -> tuple[float, ...]:
    if isinstance(spacing, numbers.Real) and not isinstance(spacing, (bool, np.bool_)):
        h = as_positive(spacing, name)
        return (h,) * ndim
    if isinstance(spacing, (tuple, list, np.ndarray)):
        try:
            arr = np.asarray(spacing)
        except ValueError as exc:
            raise ValueError(f"{name} must be a positive number or {ndim} positive numbers; got a ragged "
                             "sequence") from exc
        if arr.ndim != 1 or arr.size != ndim or arr.dtype.kind not in "iuf":
            raise ValueError(f"{name} must be a positive number or {ndim} positive numbers; got {spacing!r:.60}")
        return tuple(as_positive(float(v), name) for v in arr)
    raise TypeError(f"{name} must be a positive number or a tuple of {ndim}; got {type(spacing).__name__}")


def _as_energy(E, ndim: tuple[int, ...], name: str = "E") -> np.ndarray:
    E = as_array(E, name, ndim=ndim)
    if min(E.shape) < 3:
        raise ValueError(f"{name} must have at least 3 cells along every axis; got shape {E.shape}")
    if E.size > MAX_CELLS:
        raise ValueError(f"{name} has {E.size} cells, more than the {MAX_CELLS} this solver accepts")
    return E


def _finite(value, names: str):
    """Return ``value`` if it holds no NaN or inf, else raise a ValueError naming the arguments responsible."""
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{names} are too large in magnitude: the result overflows")
    return value


def _logsumexp(x: np.ndarray) -> float:
    m = float(np.max(x))
    return m + math.log(float(np.sum(np.exp(x - m))))


def log_partition(E, spacing, T: float) -> float:
    r"""Midpoint-rule :math:`\ln Z_h = \ln \sum_i V e^{-E_i/T}` on a grid of cells.

    Parameters
    ----------
    E : array_like, shape (n,) or (nx, ny)
        Energy at the cell centres.
    spacing : float or tuple of float
        Cell width ``h`` (1-D) or ``(hx, hy)`` (2-D); one number means equal sides.
    T : float
        Temperature, > 0.

    Returns
    -------
    float
        :math:`\ln Z_h`, computed with a shifted log-sum-exp (no overflow for any ``E/T``).
        It approximates :math:`\ln\int e^{-E/T}` to second order in the spacing.

    Raises
    ------
    TypeError, ValueError
        Malformed ``E``, ``spacing`` or ``T``.
    """
    E = _as_energy(E, (1, 2))
    h = _as_spacing(spacing, E.ndim)
    T = as_positive(T, "T")
    V = float(np.prod(h))
    with np.errstate(over="ignore", invalid="ignore"):
        x = _finite(-E.ravel() / T, "E / T")
        return float(_finite(_logsumexp(x) + math.log(V), "E, T and spacing"))


def boltzmann(E, spacing, T: float) -> np.ndarray:
    r"""The discrete Boltzmann density :math:`q_i = e^{-E_i/T}/Z_h` (sums to 1 with weights ``V``).

    Parameters
    ----------
    E : array_like, shape (n,) or (nx, ny)
        Energy at the cell centres.
    spacing : float or tuple of float
        Cell width(s).
    T : float
        Temperature, > 0.

    Returns
    -------
    ndarray, same shape as ``E``
        The density (not the masses): ``q.sum() * V == 1``.

    Raises
    ------
    TypeError, ValueError
        Malformed ``E``, ``spacing`` or ``T``.
    """
    E = _as_energy(E, (1, 2))
    h = _as_spacing(spacing, E.ndim)
    T = as_positive(T, "T")
    lz = log_partition(E, h, T)
    with np.errstate(over="ignore", invalid="ignore"):
        if np.max(np.abs(E)) <= 50.0 * T:
            return _finite(np.exp(-E / T - lz), "E, T and spacing")
        # E/T large: -E/T - ln Z would cancel digits; use the gaps (E - min E)/T, which keep theirs
        x = _shifted(E, T)
        return _finite(np.exp(x - (_logsumexp(x.ravel()) + math.log(float(np.prod(h))))), "E, T and spacing")


def _shifted(E: np.ndarray, T: float) -> np.ndarray:
    """-(E - min E)/T, computed from halves so that the gaps cannot overflow (-inf where they do)."""
    Emin = float(np.min(E))
    with np.errstate(over="ignore"):
        gap = E - Emin
        if not np.all(np.isfinite(gap)):
            gap = 2.0 * (0.5 * E - 0.5 * Emin)
        return -(gap / T)


def free_energy(p, E, spacing, T: float) -> float:
    r"""Discrete free energy :math:`F_h[p] = \langle E\rangle_p - T H_h[p]` of a density on a grid.

    :math:`\langle E\rangle_p = \sum_i V p_i E_i` and
    :math:`H_h = -\sum_i V p_i \ln p_i` (with :math:`0\ln 0 = 0`).  For a
    normalised ``p`` this equals :math:`T\,\mathrm{KL}_h(p\|q) - T\ln Z_h`
    ([LF] Definition 2 on the grid), whose minimum :math:`-T\ln Z_h` is
    reached at the discrete Boltzmann density.

    Parameters
    ----------
    p : array_like, same shape as ``E``
        Non-negative density (it need not be normalised).
    E : array_like, shape (n,) or (nx, ny)
        Energy at the cell centres.
    spacing : float or tuple of float
        Cell width(s).
    T : float
        Temperature, > 0.

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        Malformed input, shapes that differ, or a negative density; a free energy beyond the float64
        range (the message names ``p``, ``E``, ``spacing`` and ``T``).

    Notes
    -----
    Extreme magnitudes of ``p``, ``E``, ``T`` and ``spacing`` are handled in scaled form (powers of
    two), so only a free energy that is itself beyond the float64 range is refused.  Work and memory
    are linear in the grid, which ``E``'s limit of 4 million cells bounds.
    """
    E = _as_energy(E, (1, 2))
    h = _as_spacing(spacing, E.ndim)
    T = as_positive(T, "T")
    p = as_array(p, "p")
    if p.shape != E.shape:
        raise ValueError(f"p must have the shape of E {E.shape}; got {p.shape}")
    if np.any(p < 0):
        raise ValueError("p must be non-negative")
    V = float(np.prod(h))
    pos = p > 0
    with np.errstate(over="ignore", invalid="ignore"):
        F = V * (np.sum(p * E) + T * np.sum(p[pos] * np.log(p[pos])))
    if math.isfinite(F) and _in_range(V, T) and np.all(np.abs(p) <= _SAFE) and np.all(np.abs(E) <= _SAFE):
        return float(F)
    # scaled form: p = 2**ep pt, E = 2**eE Et (exact), so that no sum over- or underflows on the way;
    # F = V 2**ep (2**eE sum pt Et + T (sum pt ln pt + ep ln2 sum pt))
    ep = int(math.frexp(float(np.max(p)))[1]) if np.any(pos) else 0
    eE = int(math.frexp(float(np.max(np.abs(E))))[1]) if np.any(E) else 0
    pt, Et = np.ldexp(p, -ep), np.ldexp(E, -eE)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        a = float(np.sum(pt * Et))
        b = float(np.sum(pt[pos] * np.log(pt[pos]))) + ep * math.log(2.0) * float(np.sum(pt))
        (mV, eV), (mT, eT) = math.frexp(V), math.frexp(T)
        (ma, ea), (mb, eb) = math.frexp(mV * a), math.frexp(mV * b)
        F = float(np.ldexp(ma, ea + eE + eV + ep)) + float(np.ldexp(mT * mb, eT + eb + eV + ep))
    if math.isnan(F):
        raise ValueError("p, E, spacing and T give a free energy whose terms overflow with opposite signs")
    if not math.isfinite(F):
        raise ValueError("p, E, spacing and T are too large in magnitude: the free energy overflows")
    return F


# ---------------------------------------------------------------------------------------------
# the operator

@dataclass(frozen=True)
class FPOperator:
    """The discrete Fokker-Planck generator on a grid, as a list of jump pairs.

    Pair ``k`` joins cell ``src[k]`` to cell ``dst[k]`` (flat C-order
    indices; ``dst[k] == -1`` is the absorbing outside) with jump rates
    ``rate_fwd[k]`` (src -> dst) and ``rate_bwd[k]`` (dst -> src), both >= 0,
    and displacement ``disp[k]`` (the vector from the source to the
    destination cell centre).  Built by :func:`operator_1d` or :func:`operator_2d`.
    """

    shape: tuple
    spacing: tuple
    T: float
    E: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    rate_fwd: np.ndarray
    rate_bwd: np.ndarray
    disp: np.ndarray
    log_pi: np.ndarray
    boundary: str

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def cell_volume(self) -> float:
        return float(np.prod(self.spacing))

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))


@dataclass(frozen=True)
class Trajectory:
    """What :func:`evolve` returns.

    ``t`` and ``p``: the recorded times and densities (``p[k]`` has the grid's
    shape); ``t_steps``, ``F`` and ``mass``: the time, the discrete free
    energy (:func:`free_energy`) and the total mass after every step (index 0
    is the initial state); ``min_p``: the smallest density met at any step.
    """

    t: np.ndarray
    p: np.ndarray
    t_steps: np.ndarray
    F: np.ndarray
    mass: np.ndarray
    min_p: float


def _as_boundary(boundary, allowed) -> str:
    if not isinstance(boundary, str):
        raise TypeError(f"boundary must be one of {allowed}; got {type(boundary).__name__}")
    if boundary not in allowed:
        raise ValueError(f"boundary must be one of {allowed}; got {boundary!r}")
    return boundary


def _face_harmonic(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if _in_range(a, b):
        return 2.0 * a * b / (a + b)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    return 2.0 * lo / (1.0 + lo / hi)    # in [lo, 2 lo]: no product of two extremes


def _prefactor(K, T, divisors, names: str):
    """K T / prod(divisors) (the coefficient of a jump rate), refused when it leaves the normal float64 range."""
    if _in_range(K, T, *divisors):
        den = 1.0
        for g in divisors:
            den = den * g
        out = K * T / den
    else:
        out = _prod([K, T], divisors)
    pos = np.asarray(out)[np.asarray(K) != 0]
    if pos.size and not (np.all(np.isfinite(pos)) and np.all(pos >= np.finfo(float).tiny)):
        raise ValueError(f"{names} give jump rates K*T/h**2 outside the float64 range (they over- or underflow; "
                         "rescale time or length)")
    return out


def _sg_rates(Ei, Ej, K_face, T, divisors, names: str):
    """Scharfetter-Gummel jump rates i->j and j->i: (K T / prod(divisors)) B(+-(Ej - Ei)/T).

    Where (Ej - Ei)/T overflows, the downhill rate is its limit K |Ej - Ei| / prod(divisors) and the
    uphill one 0 (B(z) ~ -z for z -> -inf, B(z) -> 0 for z -> +inf).
    """
    Ei, Ej = np.asarray(Ei, dtype=float), np.asarray(Ej, dtype=float)
    K_face = np.broadcast_to(np.asarray(K_face, dtype=float), Ei.shape)
    c = _prefactor(K_face, T, divisors, names)
    with np.errstate(over="ignore", invalid="ignore"):
        z = (Ej - Ei) / T
        if not np.all(np.isfinite(z)):
            z = 2.0 * ((0.5 * Ej - 0.5 * Ei) / T)
    big = ~np.isfinite(z)
    zf = np.where(big, 0.0, z)
    with np.errstate(over="ignore"):
        fwd = c * _bern_array(zf.ravel(), np.empty(z.size)).reshape(z.shape)
        bwd = c * _bern_array((-zf).ravel(), np.empty(z.size)).reshape(z.shape)
    if big.any():
        down = _prod([K_face[big], 2.0 * np.abs(0.5 * Ej[big] - 0.5 * Ei[big])], divisors)
        fwd[big] = np.where(z[big] < 0, down, 0.0)
        bwd[big] = np.where(z[big] > 0, down, 0.0)
    return fwd, bwd


def _check_rates(fwd: np.ndarray, bwd: np.ndarray, names: str) -> None:
    if not (np.all(np.isfinite(fwd)) and np.all(np.isfinite(bwd))):
        raise ValueError(f"{names} give jump rates that overflow (rescale time or energy)")


def _log_pi(E: np.ndarray, V: float, T: float) -> np.ndarray:
    if np.max(np.abs(E)) > 50.0 * T:   # as in boltzmann: the gaps to min E keep the digits -E/T - ln Z loses
        x = _shifted(E.ravel(), T)
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            x = _finite(-E.ravel() / T, "E / T")
    return x - _logsumexp(x)   # masses pi_i = exp(log_pi_i); log V cancels


def _as_mobility_1d(K, n: int) -> np.ndarray:
    if isinstance(K, numbers.Real) and not isinstance(K, (bool, np.bool_)):
        return np.full(n, as_positive(K, "K"))
    K = as_array(K, "K", ndim=1)
    if K.shape != (n,):
        raise ValueError(f"K must be a positive number or one value per cell ({n}); got shape {K.shape}")
    if not np.all(K > 0):
        raise ValueError("K must be > 0 in every cell")
    return K


def operator_1d(E, h: float, T: float, K=1.0, boundary: str = "reflecting",
                wrap_step: float = 0.0) -> FPOperator:
    r"""Discrete generator of :math:`\partial_t p = \partial_x(K(p\,E' + T p'))` on ``n`` cells of width ``h``.

    Parameters
    ----------
    E : array_like, shape (n,)
        Energy at the cell centres, ``n >= 3``.
    h : float
        Cell width, > 0.
    T : float
        Temperature, > 0.
    K : float or array_like of shape (n,), default 1.0
        Mobility, > 0: a constant or one value per cell (state-dependent
        :math:`K(x)`; face values are harmonic means).
    boundary : {"reflecting", "absorbing", "periodic"}
        No flux through the two walls; :math:`p = 0` on them (mass leaks);
        or a ring (the last cell is joined to the first).
    wrap_step : float, default 0.0
        Periodic only: the energy change across the seam is
        ``E[0] + wrap_step - E[-1]``.  A tilted washboard
        :math:`E = V(x) - f x` on ``[0, L)`` has ``wrap_step = -f L``.

    Returns
    -------
    FPOperator

    Raises
    ------
    TypeError, ValueError
        Malformed or non-positive input, an unknown boundary, or a
        ``wrap_step`` with a non-periodic boundary; rate coefficients ``K T / h**2`` outside the normal
        float64 range or rates that overflow (named ``K, T and h``, with ``E``).

    Notes
    -----
    The rates are formed in scaled form (mantissas and exponents), so extreme but compensating
    ``K``, ``T`` and ``h`` (``T = 1e170``, ``K = 1e-170``, or the mirror case) give the right rates.
    Limits: at most ``MAX_CELLS`` cells, about 200 bytes per cell (refused beyond 1 GiB naming ``E``);
    work linear in ``n``.
    """
    E = _as_energy(E, 1)
    h = as_positive(h, "h")
    T = as_positive(T, "T")
    boundary = _as_boundary(boundary, ("reflecting", "absorbing", "periodic"))
    if isinstance(wrap_step, (bool, np.bool_)) or not isinstance(wrap_step, numbers.Real):
        raise TypeError(f"wrap_step must be a finite real number; got {type(wrap_step).__name__}")
    wrap_step = as_positive(abs(wrap_step), "wrap_step", allow_zero=True) * (1.0 if wrap_step >= 0 else -1.0)
    if wrap_step != 0.0 and boundary != "periodic":
        raise ValueError("wrap_step needs boundary='periodic'")
    n = E.size
    check_budget("E", nbytes=200.0 * n, what="the jump pairs of the operator")
    Kc = _as_mobility_1d(K, n)
    i = np.arange(n - 1)
    fwd, bwd = _sg_rates(E[:-1], E[1:], _face_harmonic(Kc[:-1], Kc[1:]), T, (h, h), "K, T and h")
    src, dst, disp = list(i), list(i + 1), [h] * (n - 1)
    fwd, bwd = list(fwd), list(bwd)
    if boundary == "periodic":
        with np.errstate(over="ignore"):
            seam = np.array([E[0] + wrap_step])
        if not np.isfinite(seam[0]):
            raise ValueError("wrap_step is too large: E[0] + wrap_step overflows")
        f, b = _sg_rates(np.array([E[-1]]), seam, _face_harmonic(Kc[-1:], Kc[:1]), T, (h, h), "K, T and h")
        src.append(n - 1); dst.append(0); disp.append(h); fwd.append(f[0]); bwd.append(b[0])
    elif boundary == "absorbing":
        for cell, d in ((0, -0.5 * h), (n - 1, 0.5 * h)):
            src.append(cell); dst.append(-1); disp.append(d)
            fwd.append(2.0 * _prefactor(Kc[cell], T, (h, h), "K, T and h")); bwd.append(0.0)
    fwd, bwd = np.asarray(fwd, dtype=float), np.asarray(bwd, dtype=float)
    _check_rates(fwd, bwd, "E, K, T and h")
    return FPOperator((n,), (h,), T, E.copy(), np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64),
                      fwd, bwd, np.asarray(disp, dtype=float).reshape(-1, 1), _log_pi(E, h, T), boundary)


def _as_K2(K) -> np.ndarray:
    if isinstance(K, numbers.Real) and not isinstance(K, (bool, np.bool_)):
        return as_positive(K, "K") * np.eye(2)
    K = as_array(K, "K", ndim=2)
    if K.shape != (2, 2):
        raise ValueError(f"K must be a positive number or a 2x2 matrix; got shape {K.shape}")
    return K


def operator_2d(E, spacing, T: float, K=1.0, K_field=None, boundary: str = "reflecting") -> FPOperator:
    r"""Discrete generator of :math:`\partial_t p = \nabla\cdot(K(p\nabla E + T\nabla p))` on an ``nx`` x ``ny`` grid.

    Parameters
    ----------
    E : array_like, shape (nx, ny)
        Energy at the cell centres (axis 0 is x, axis 1 is y), ``nx, ny >= 3``.
    spacing : float or (float, float)
        Cell sides ``(hx, hy)``.
    T : float
        Temperature, > 0.
    K : float or array_like of shape (2, 2), default 1.0
        Constant mobility matrix :math:`K = S + A`.  Its symmetric part must
        be representable by the non-negative 9-point stencil:
        :math:`S_{xx}, S_{yy} \ge 0` and
        :math:`|S_{xy}| \le \min(S_{xx} h_y/h_x, S_{yy} h_x/h_y)` (so
        :math:`S` is positive semi-definite); its antisymmetric part is any.
    K_field : None or array_like of shape (nx, ny) or (nx, ny, 2)
        State-dependent mobility: a positive scalar or diagonal field of cell
        values multiplying ``K``, whose symmetric part must then be diagonal.
        An antisymmetric part of ``K`` is allowed with a scalar field
        (:math:`K(x) = m(x)(S + A)`; stream function :math:`aTmq`, module
        docstring), not with a diagonal one.
    boundary : {"reflecting", "absorbing"}
        No flux through the walls, or :math:`p = 0` on them.

    Returns
    -------
    FPOperator

    Raises
    ------
    TypeError, ValueError
        Malformed input; a symmetric part outside the stencil condition; a
        non-diagonal symmetric part of ``K`` with a ``K_field``, or an
        antisymmetric part with a diagonal ``K_field``; rate coefficients outside the normal float64
        range or rates that overflow (named ``K, T and spacing``, with ``E``).

    Notes
    -----
    The rates are formed in scaled form, so extreme but compensating ``K``, ``T`` and ``spacing`` give
    the right rates.  Limits: about 400 bytes and 8000 elementary steps per cell (refused naming ``E``
    beyond 1 GiB or ``attractors._validate.MAX_WORK``: about 2.5 million cells).
    """
    E = _as_energy(E, 2)
    check_budget("E", nbytes=400.0 * E.size, work=8000.0 * E.size, what="the jump pairs of the operator")
    hx, hy = _as_spacing(spacing, 2)
    T = as_positive(T, "T")
    Km = _as_K2(K)
    boundary = _as_boundary(boundary, ("reflecting", "absorbing"))
    nx, ny = E.shape
    S = 0.5 * (Km + Km.T)
    a = 0.5 * (Km[0, 1] - Km[1, 0])
    if K_field is not None:
        if S[0, 1] != 0.0:
            raise ValueError("K: its symmetric part must be diagonal when K_field is given")
        F = as_array(K_field, "K_field", ndim=(2, 3))
        if F.shape[:2] != (nx, ny) or (F.ndim == 3 and F.shape[2] != 2):
            raise ValueError(f"K_field must have shape {(nx, ny)} or {(nx, ny, 2)}; got {F.shape}")
        if not np.all(F > 0):
            raise ValueError("K_field must be > 0 everywhere")
        if a != 0.0 and F.ndim == 3:
            raise ValueError("K: an antisymmetric part needs a scalar K_field (shape (nx, ny)), not a diagonal one")
        Fx = F if F.ndim == 2 else F[:, :, 0]
        Fy = F if F.ndim == 2 else F[:, :, 1]
    else:
        Fx = Fy = None
    sxy = S[0, 1]
    cxy = abs(sxy) * ((hx**2 + hy**2) / (hx * hy) if _in_range(hx, hy) else hx / hy + hy / hx)
    if _in_range(hx, hy, sxy):
        cx = S[0, 0] - abs(sxy) * hx / hy
        cy = S[1, 1] - abs(sxy) * hy / hx
    else:
        cx = S[0, 0] - abs(sxy) * (hx / hy)
        cy = S[1, 1] - abs(sxy) * (hy / hx)
    tol = 1e-12 * max(1.0, float(np.max(np.abs(S))))
    if S[0, 0] < 0 or S[1, 1] < 0 or cx < -tol or cy < -tol:
        raise ValueError("K: the symmetric part must satisfy S_xx, S_yy >= 0 and "
                         "|S_xy| <= min(S_xx hy/hx, S_yy hx/hy) (non-negative stencil)")
    if not (S[0, 0] > 0 or S[1, 1] > 0 or a != 0):
        raise ValueError("K must not be zero")
    cx, cy = max(cx, 0.0), max(cy, 0.0)
    idx = np.arange(nx * ny).reshape(nx, ny)
    srcs, dsts, fwds, bwds, disps = [], [], [], [], []

    def add(s, d, f, b, vec):
        srcs.append(s.ravel()); dsts.append(d.ravel()); fwds.append(np.ravel(f)); bwds.append(np.ravel(b))
        disps.append(np.tile(vec, (s.size, 1)))

    # x-neighbours, y-neighbours (always present: they carry the rotational part), diagonals if S_xy != 0
    kx = cx * (np.ones((nx - 1, ny)) if Fx is None else _face_harmonic(Fx[:-1], Fx[1:]))
    fx, bx = _sg_rates(E[:-1], E[1:], kx, T, (hx, hx), "K, T and spacing")
    ky = cy * (np.ones((nx, ny - 1)) if Fy is None else _face_harmonic(Fy[:, :-1], Fy[:, 1:]))
    fy, by = _sg_rates(E[:, :-1], E[:, 1:], ky, T, (hy, hy), "K, T and spacing")
    if a != 0.0:
        fx, bx, fy, by = _rotational_rates(E, hx, hy, T, a, fx, bx, fy, by, m=Fx)
    add(idx[:-1], idx[1:], fx, bx, np.array([hx, 0.0]))
    add(idx[:, :-1], idx[:, 1:], fy, by, np.array([0.0, hy]))
    if cxy > 0:
        dd = (hx**2 + hy**2,) if _in_range(hx, hy) else (math.hypot(hx, hy),) * 2
        if sxy > 0:
            s, d, Es, Ed, vec = idx[:-1, :-1], idx[1:, 1:], E[:-1, :-1], E[1:, 1:], np.array([hx, hy])
        else:
            s, d, Es, Ed, vec = idx[:-1, 1:], idx[1:, :-1], E[:-1, 1:], E[1:, :-1], np.array([hx, -hy])
        f, b = _sg_rates(Es, Ed, cxy, T, dd, "K, T and spacing")
        add(s, d, f, b, vec)
    if boundary == "absorbing":
        for cells, h, vec, field in ((idx[0, :], hx, [-0.5 * hx, 0.0], Fx), (idx[-1, :], hx, [0.5 * hx, 0.0], Fx),
                                     (idx[:, 0], hy, [0.0, -0.5 * hy], Fy), (idx[:, -1], hy, [0.0, 0.5 * hy], Fy)):
            c = S[0, 0] if vec[1] == 0.0 else S[1, 1]
            kf = c * (np.ones(cells.size) if field is None else field.ravel()[cells])
            add(cells, -np.ones(cells.size, dtype=np.int64), 2.0 * _prefactor(kf, T, (h, h), "K, T and spacing"),
                np.zeros(cells.size),
                np.asarray(vec))
    src = np.concatenate(srcs).astype(np.int64)
    dst = np.concatenate(dsts).astype(np.int64)
    fwd = np.concatenate(fwds)
    bwd = np.concatenate(bwds)
    _check_rates(fwd, bwd, "E, K, T and spacing")
    keep = (fwd > 0) | (bwd > 0)
    return FPOperator((nx, ny), (hx, hy), T, E.copy(), src[keep], dst[keep], fwd[keep], bwd[keep],
                      np.concatenate(disps)[keep], _log_pi(E, hx * hy, T), boundary)


def _rotational_rates(E, hx, hy, T, a, fx, bx, fy, by, m=None):
    """Add the antisymmetric part a*m(x)*[[0,1],[-1,0]] to the x- and y-face rates (module docstring).

    The stationary face flux is Phi = psi(corner 1) - psi(corner 2) with psi = a T m q on interior cell
    corners (the harmonic mean of m q over the corner's four cells, which equals m q at the corner to O(h^2)
    where m q is smooth) and psi = 0 on boundary corners; m = 1 without a mobility field.  Each rate needs
    Phi / pi of the face's source or destination cell; both cells belong to both corners of their face, so
    with the harmonic mean |Phi| / pi <= 4 |a| T m / V: the rates stay bounded however fast E varies.
    """
    nx, ny = E.shape
    V = hx * hy

    def scale(coef, diff):  # coef T diff / V, with no spurious over- or underflow at extreme T, a, spacing
        if _in_range(coef, T, hx, hy):
            return coef * T * diff / V
        return _prod([coef, T, diff], [hx, hy])

    Ep = np.pad(E, 1, constant_values=np.inf)   # Ep[i + 1, j + 1] = E[i, j]; outside cells weigh exp(-inf) = 0
    # -ln m padded alike (outside cells already weigh 0 through E = inf); E_k - T ln m_k is the "energy" of m q
    Lp = np.pad(np.zeros_like(E) if m is None else -T * np.log(m), 1, constant_values=0.0)
    Ep_m = Ep + Lp

    def rel_corner(ref, cells4, valid):
        # harmonic mean of m q over the corner's cells, divided by q of the reference cell (one of the four):
        # 4 / sum_k exp((E_k - T ln m_k - E_ref)/T) lies in [0, 4 m_ref] -- no overflow, rates stay O(a T m / V)
        with np.errstate(over="ignore"):
            total = sum(np.exp((c - ref) / T) for c in cells4)
        return np.where(valid, 4.0 / total, 0.0)

    # x-faces between (i, j) and (i+1, j), i < nx-1: corners (i+1/2, j+1/2) [valid j <= ny-2], (i+1/2, j-1/2) [j >= 1]
    cx = lambda di, dj, P=Ep: P[1 + di:nx + di, 1 + dj:1 + dj + ny]   # noqa: E731  E[i+di, j+dj], (nx-1, ny)
    jj = np.arange(ny)[None, :]
    top = [cx(0, 0, Ep_m), cx(1, 0, Ep_m), cx(0, 1, Ep_m), cx(1, 1, Ep_m)]
    bot = [cx(0, -1, Ep_m), cx(1, -1, Ep_m), cx(0, 0, Ep_m), cx(1, 0, Ep_m)]
    g_src = scale(a, rel_corner(cx(0, 0), top, jj <= ny - 2) - rel_corner(cx(0, 0), bot, jj >= 1))
    g_dst = scale(a, rel_corner(cx(1, 0), top, jj <= ny - 2) - rel_corner(cx(1, 0), bot, jj >= 1))
    fx, bx = _blend(g_src, g_dst, fx, bx)
    # y-faces between (i, j) and (i, j+1), j < ny-1: corners (i+1/2, j+1/2) [valid i <= nx-2], (i-1/2, j+1/2) [i >= 1]
    cy = lambda di, dj, P=Ep: P[1 + di:1 + di + nx, 1 + dj:ny + dj]   # noqa: E731  E[i+di, j+dj], (nx, ny-1)
    ii = np.arange(nx)[:, None]
    right = [cy(0, 0, Ep_m), cy(1, 0, Ep_m), cy(0, 1, Ep_m), cy(1, 1, Ep_m)]
    left = [cy(-1, 0, Ep_m), cy(0, 0, Ep_m), cy(-1, 1, Ep_m), cy(0, 1, Ep_m)]
    g_src = scale(-a, rel_corner(cy(0, 0), right, ii <= nx - 2) - rel_corner(cy(0, 0), left, ii >= 1))
    g_dst = scale(-a, rel_corner(cy(0, 1), right, ii <= nx - 2) - rel_corner(cy(0, 1), left, ii >= 1))
    fy, by = _blend(g_src, g_dst, fy, by)
    return fx, bx, fy, by


def _blend(g_src, g_dst, f, b):
    """Carry the stationary flux Phi (g_src = Phi/pi_src, g_dst = Phi/pi_dst, same sign) on the rates.

    Phi > 0 (src -> dst): the forward rate gains theta*g_src, the backward rate loses (1-theta)*g_dst, with
    the most central weight theta in [1/2, 1] that keeps the backward rate >= 0 (theta = 1/2: central,
    second order; theta = 1: upwind).  Phi < 0 mirrors it.  Either way pi_src*f - pi_dst*b changes by Phi.
    """
    G_s, G_d = np.abs(g_src), np.abs(g_dst)
    pos = g_src > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        th_p = np.clip(1.0 - np.where(G_d > 0, b / G_d, np.inf), 0.5, 1.0)
        th_n = np.clip(1.0 - np.where(G_s > 0, f / G_s, np.inf), 0.5, 1.0)
    f_new = np.where(pos, f + th_p * G_s, f - (1.0 - th_n) * G_s)
    b_new = np.where(pos, b - (1.0 - th_p) * G_d, b + th_n * G_d)
    return np.maximum(f_new, 0.0), np.maximum(b_new, 0.0)


# ---------------------------------------------------------------------------------------------
# kernels

def _apply_numpy(op: FPOperator, m: np.ndarray) -> np.ndarray:
    """Plain NumPy reference of Q m (tests and benchmarks)."""
    inside = op.dst >= 0
    flux = m[op.src] * op.rate_fwd
    flux[inside] -= m[op.dst[inside]] * op.rate_bwd[inside]
    out = -np.bincount(op.src, weights=flux, minlength=op.size)
    out += np.bincount(op.dst[inside], weights=flux[inside], minlength=op.size)
    return out


def _check_op(op) -> FPOperator:
    if not isinstance(op, FPOperator):
        raise TypeError(f"op must be an FPOperator (from operator_1d or operator_2d); got {type(op).__name__}")
    return op


def _as_density(p, op: FPOperator, name: str = "p") -> np.ndarray:
    p = as_array(p, name)
    if p.shape != op.shape:
        raise ValueError(f"{name} must have the grid's shape {op.shape}; got {p.shape}")
    if np.any(p < 0):
        raise ValueError(f"{name} must be non-negative")
    return p


def generator_matrix(op):
    """The generator as a SciPy sparse matrix acting on cell masses: ``dm/dt = Q @ m``.

    Parameters
    ----------
    op : FPOperator

    Returns
    -------
    scipy.sparse.csc_matrix, shape (n_cells, n_cells)
        Off-diagonal entries >= 0; each column sums to zero (minus the
        absorption rate of a wall cell).

    Raises
    ------
    TypeError
        If ``op`` is not an FPOperator.
    ValueError
        (Limits) if the matrix and its assembly (about 200 bytes per jump pair) would exceed 1 GiB,
        naming ``op`` (about 5 million pairs: a 2-D grid of about a million cells).
    """
    import scipy.sparse as sp

    op = _check_op(op)
    check_budget("op", nbytes=200.0 * op.src.size, what="the sparse generator and its assembly")
    n = op.size
    inside = op.dst >= 0
    s, d = op.src[inside], op.dst[inside]
    rows = np.concatenate([d, s, op.src, d])
    cols = np.concatenate([s, d, op.src, d])
    vals = np.concatenate([op.rate_fwd[inside], op.rate_bwd[inside], -op.rate_fwd, -op.rate_bwd[inside]])
    return sp.csc_matrix((vals, (rows, cols)), shape=(n, n))


def apply_operator(op, p) -> np.ndarray:
    r"""The right-hand side :math:`\partial_t p` of the discrete equation at density ``p``.

    Parameters
    ----------
    op : FPOperator
    p : array_like, grid shape
        Density (non-negative).

    Returns
    -------
    ndarray, grid shape
        :math:`(Q m)/V` with :math:`m = pV`.

    Raises
    ------
    TypeError, ValueError
        Malformed ``op`` or ``p``.
    """
    op = _check_op(op)
    p = _as_density(p, op)
    out = np.empty(op.size)
    _apply(op.src, op.dst, op.rate_fwd, op.rate_bwd, p.ravel().copy(), out)
    return _finite(out, "p (with the rates of op)").reshape(op.shape)


def stable_dt(op) -> float:
    r"""Largest explicit-Euler step that keeps :math:`I + \Delta t\,Q` a stochastic matrix.

    :math:`\Delta t_{\max} = 1/\max_i \sum_{j} r_{i\to j}` (the largest exit
    rate).  With it the step keeps ``p >= 0``, the mass (up to absorption) and
    the monotone decrease of the discrete free energy.

    Parameters
    ----------
    op : FPOperator

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``op`` is not an FPOperator.
    """
    op = _check_op(op)
    return float(1.0 / _exit_rates(op.src, op.dst, op.rate_fwd, op.rate_bwd, op.size, np.empty(op.size)).max())


def evolve(op, p0, t_end: float, n_steps: int, method: str = "implicit", n_record: int = 10) -> Trajectory:
    r"""Integrate the discrete equation from ``p0`` over ``[0, t_end]`` in ``n_steps`` equal steps.

    Parameters
    ----------
    op : FPOperator
    p0 : array_like, grid shape
        Initial density, >= 0 (normalise it yourself: the mass is kept as given).
    t_end : float
        Final time, > 0.
    n_steps : int
        Number of steps, 1 to ``MAX_STEPS``.
    method : {"implicit", "explicit"}
        Implicit Euler (sparse LU of :math:`I - \Delta t\,Q`, any step size)
        or explicit Euler (numba kernel; needs
        ``t_end / n_steps <= stable_dt(op)``).
    n_record : int, default 10
        Densities are stored at ``n_record + 1`` evenly spaced steps (0 and
        the last included), ``1 <= n_record <= n_steps``.

    Returns
    -------
    Trajectory
        Free energy and mass after every step, densities at the recorded ones.
        The free energy is :func:`free_energy` of the grid density, which for
        a conserved unit mass equals :math:`T\,\mathrm{KL}_h(p\|q) - T\ln Z_h`.

    Raises
    ------
    TypeError, ValueError
        Malformed input, an explicit step above :func:`stable_dt`, a step ``t_end / n_steps`` more than
        ``1e250`` times the slowest time scale of ``op`` (named ``t_end``), or beyond the Limits below.

    Notes
    -----
    All steps run in one compiled loop (explicit Euler, or forward and back substitution with the
    sparse LU factors of :math:`I - \Delta t\,Q`).  Limits, checked before the loop starts: at most
    ``MAX_STEPS`` steps; work ``n_steps * (10 nnz(L + U) + 60 n_cells)`` (implicit; the fill
    ``nnz`` is estimated before factoring as ``4 n`` in 1-D and ``6 n log2 n`` in 2-D, and its 12 bytes per
    entry must stay within 1 GiB, refused naming ``op``) or ``n_steps * (20 n_pairs + 60 n_cells)``
    (explicit) elementary steps within
    ``attractors._validate.MAX_WORK`` (about ten seconds; refused naming ``n_steps``); the recorded
    densities (at most ``MAX_STORED`` values) and per-step arrays within 1 GiB (refused naming
    ``n_record``).
    """
    op = _check_op(op)
    p0 = _as_density(p0, op, "p0")
    t_end = as_positive(t_end, "t_end")
    n_steps = as_int(n_steps, "n_steps", minimum=1)
    if n_steps > MAX_STEPS:
        raise ValueError(f"n_steps must be <= {MAX_STEPS}; got {n_steps}")
    if not isinstance(method, str) or method not in ("implicit", "explicit"):
        raise ValueError(f"method must be 'implicit' or 'explicit'; got {method!r:.40}")
    n_record = as_int(n_record, "n_record", minimum=1)
    if n_record > n_steps:
        raise ValueError(f"n_record must be <= n_steps ({n_steps}); got {n_record}")
    if (n_record + 1) * op.size > MAX_STORED:
        raise ValueError(f"n_record + 1 = {n_record + 1} densities of {op.size} cells exceed the {MAX_STORED} stored"
                         " values this function allows: lower n_record")
    dt = t_end / n_steps
    V = op.cell_volume
    exit_rate = _exit_rates(op.src, op.dst, op.rate_fwd, op.rate_bwd, op.size, np.empty(op.size))
    rho = float(exit_rate.max())
    if not dt * rho <= 1e250:
        raise ValueError(f"t_end / n_steps = {dt:.3g} is too large for the rates of op (largest exit rate {rho:.3g}): "
                         "dt times the rate must be <= 1e250 (lower t_end or raise n_steps)")
    if method == "explicit" and dt > (1.0 / rho) * (1 + 1e-12):
        raise ValueError(f"the explicit step t_end/n_steps = {dt:.3g} exceeds stable_dt(op) = {1.0 / rho:.3g}:"
                         " raise n_steps or use method='implicit'")
    check_budget("n_record", nbytes=8.0 * (n_record + 1) * op.size + 16.0 * (n_steps + 1) + 64.0 * op.src.size,
                 what="the recorded densities, free energies and masses")
    with np.errstate(over="ignore", invalid="ignore"):
        m = p0.ravel() * V
        _finite(np.array([_free_energy_of(m, op.E.ravel(), op.T, V), m.sum()]), "p0")
    empty_i, empty_f = np.zeros(1, dtype=np.int64), np.zeros(1)
    if method == "explicit":
        check_budget("n_steps", work=float(n_steps) * (20.0 * op.src.size + 60.0 * op.size),
                     what="steps times pairs and cells")
        factors = (empty_i, empty_i, empty_f, empty_i, empty_i, empty_f, empty_i, empty_i)
    else:
        import scipy.sparse as sp
        from scipy.sparse.linalg import splu

        # fill of the LU factors (measured: about 3 entries per cell in 1-D, 6 n log2 n in 2-D), bounded before
        # factoring: memory 12 bytes per entry, work 100 per entry for the factorisation and 10 per step
        nnz = 4.0 * op.size if op.ndim == 1 else 6.0 * op.size * math.log2(op.size)
        check_budget("op", nbytes=12.0 * nnz, what="the estimated LU factors of I - dt Q")
        check_budget("n_steps", work=100.0 * nnz + float(n_steps) * (10.0 * nnz + 60.0 * op.size),
                     what="steps times the estimated entries of the LU factors")
        M = (sp.identity(op.size, format="csc") - dt * generator_matrix(op)).tocsc()
        # diagonal pivoting keeps the LU factors of this M-matrix sign-regular: the solve never creates
        # negative masses (no cancellation), which the min_p field lets a caller verify.
        lu = splu(M, diag_pivot_thresh=0.0, permc_spec="COLAMD")
        L, U = lu.L.tocsc(), lu.U.tocsc()
        L.sort_indices()
        U.sort_indices()
        check_budget("n_steps", work=float(n_steps) * (10.0 * (L.nnz + U.nnz) + 60.0 * op.size),
                     what="steps times the entries of the LU factors")
        factors = (L.indptr.astype(np.int64), L.indices.astype(np.int64), L.data, U.indptr.astype(np.int64),
                   U.indices.astype(np.int64), U.data, lu.perm_r.astype(np.int64), lu.perm_c.astype(np.int64))
    steps_rec = np.round(np.linspace(0, n_steps, n_record + 1)).astype(np.int64)
    record = np.zeros(n_steps + 1, dtype=np.bool_)
    record[steps_rec[1:]] = True
    F = np.empty(n_steps + 1)
    mass = np.empty(n_steps + 1)
    rec_out = np.empty((int(record.sum()) + 1, op.size))
    rec_out[0] = m
    with np.errstate(over="ignore", invalid="ignore"):
        min_m = _evolve_kernel(method == "explicit", op.src, op.dst, op.rate_fwd, op.rate_bwd, exit_rate, dt, n_steps,
                               *factors, m, op.E.ravel().copy(), op.T, V, record, F, mass, rec_out,
                               np.empty(op.size), np.empty(op.size))
    ts = np.concatenate([[0.0], np.flatnonzero(record) * dt])
    return Trajectory(ts, rec_out.reshape((-1,) + op.shape) / V, np.arange(n_steps + 1) * dt, F, mass, min_m / V)


def face_fluxes(op, p) -> np.ndarray:
    """Net probability flux (mass per unit time) of every jump pair, from ``src`` to ``dst``.

    Parameters
    ----------
    op : FPOperator
    p : array_like, grid shape
        Density.

    Returns
    -------
    ndarray, shape (n_pairs,)

    Raises
    ------
    TypeError, ValueError
        Malformed ``op`` or ``p``.
    """
    op = _check_op(op)
    p = _as_density(p, op)
    out = _fluxes(op.src, op.dst, op.rate_fwd, op.rate_bwd, p.ravel() * op.cell_volume, np.empty(op.src.size))
    return _finite(out, "p (with the rates of op)")


def probability_current(op, p) -> np.ndarray:
    r"""Cell-centred probability current density :math:`J(x)` of the discrete flow.

    Each pair's flux times its displacement, divided by the cell volume, is
    shared equally by its two cells (a wall pair gives all to its cell); for
    the 5-point stencil this is the average of the two face currents of a
    cell.  At the discrete Boltzmann law the current of the symmetric part
    is exactly zero and that of the antisymmetric part is the circulating
    :math:`J^\ast = -qA\nabla E` (the current an SDE ensemble carries).

    Parameters
    ----------
    op : FPOperator
    p : array_like, grid shape
        Density.

    Returns
    -------
    ndarray, shape grid shape + (ndim,)

    Raises
    ------
    TypeError, ValueError
        Malformed ``op`` or ``p``.
    """
    op = _check_op(op)
    phi = face_fluxes(op, p)
    V = op.cell_volume
    J = np.zeros((op.size, op.ndim))
    contrib = phi[:, None] * op.disp / V
    inside = op.dst >= 0
    for ax in range(op.ndim):
        J[:, ax] += np.bincount(op.src[inside], weights=0.5 * contrib[inside, ax], minlength=op.size)
        J[:, ax] += np.bincount(op.dst[inside], weights=0.5 * contrib[inside, ax], minlength=op.size)
        J[:, ax] += np.bincount(op.src[~inside], weights=contrib[~inside, ax], minlength=op.size)
    return J.reshape(op.shape + (op.ndim,))


def free_energy_rate(op, p) -> float:
    r"""Exact :math:`dF_h/dt` of the semi-discrete flow at density ``p``.

    :math:`dF_h/dt = T\sum_i \dot m_i\,(\ln(m_i/\pi_i) + 1)` with
    :math:`\dot m = Qm` -- the discrete form of the first line of the proof of
    [LF] Theorem 6; summing by parts it equals
    :math:`T\sum_{\rm pairs}\phi_{ij}(\ln u_j - \ln u_i)` with
    :math:`u = m/\pi`.  ``-inf`` when an empty cell is being filled.

    Parameters
    ----------
    op : FPOperator
    p : array_like, grid shape
        Density.

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        Malformed ``op`` or ``p``.
    """
    op = _check_op(op)
    p = _as_density(p, op)
    V = op.cell_volume
    m = p.ravel() * V
    dm = _apply(op.src, op.dst, op.rate_fwd, op.rate_bwd, m, np.empty(op.size))
    # F_h = sum m E + T sum m ln(m/V)  =>  dF_h/dt = sum dm (E + T ln(m/V) + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(m > 0, op.E.ravel() + op.T * (np.log(np.where(m > 0, m, 1.0) / V) + 1.0), -np.inf)
        terms = np.where(dm == 0.0, 0.0, dm * g)
    total = float(np.sum(terms))
    if not math.isfinite(total):
        total = _free_energy_rate_by_parts(op, m)
    if math.isnan(total) or total == math.inf:
        raise ValueError("p (with the rates of op) is too large in magnitude: the result overflows")
    return total


def _free_energy_rate_by_parts(op: FPOperator, m: np.ndarray) -> float:
    """dF_h/dt summed by parts over the pairs, T sum phi (ln u_dst - ln u_src) with u = m / pi (plus the wall
    terms): no product of a round-off-sized dm with a huge E, so it stays finite where the plain sum overflows."""
    phi = _fluxes(op.src, op.dst, op.rate_fwd, op.rate_bwd, m, np.empty(op.src.size))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lu = np.log(m) - op.log_pi
        inside = op.dst >= 0
        d = np.where(inside, lu[np.maximum(op.dst, 0)] - lu[op.src], -lu[op.src])
        terms = np.where(phi == 0.0, 0.0, phi * d)
        total = op.T * float(np.sum(terms))
        if not np.all(inside):   # mass leaving through the walls: sum dm (T ln u + c), c = T (1 - ln Z_h/V)
            c = op.T * (1.0 - _logsumexp(-op.E.ravel() / op.T) - math.log(op.cell_volume))
            total -= c * float(np.sum(phi[~inside]))
    return total


# ---------------------------------------------------------------------------------------------
# benchmarks

def benchmarks(quick: bool = True):
    """Kernel vs NumPy reference for the generator application and explicit stepping; cost vs grid size
    and the order of convergence of the 1-D solver against the exact Ornstein-Uhlenbeck transient."""
    from attractors.bench import compare

    results = []
    sizes = (64, 256) if quick else (64, 256, 1024)
    for n in sizes:
        x = (np.arange(n) + 0.5) / n * 8 - 4
        X, Y = np.meshgrid(x, x, indexing="ij")
        E = (X**2 - 1) ** 2 + 0.5 * Y**2
        op = operator_2d(E, 8.0 / n, 0.5, K=np.array([[1.0, 0.5], [-0.5, 1.0]]))
        m = np.exp(-E / 0.5).ravel()
        m /= m.sum()
        out = np.empty(op.size)
        results.append(compare("fokker_planck", "Q m (2-D, rotational K)", f"{n}x{n}",
                               lambda: _apply(op.src, op.dst, op.rate_fwd, op.rate_bwd, m, out).copy(),
                               lambda: _apply_numpy(op, m), repeat=3, min_time=0.02))
        dt = 0.9 * stable_dt(op)

        ex = _exit_rates(op.src, op.dst, op.rate_fwd, op.rate_bwd, op.size, np.empty(op.size))

        def kern(m=m, ex=ex):
            mm = m.copy()
            return _explicit_steps(op.src, op.dst, op.rate_fwd, op.rate_bwd, ex, mm, dt, 10, np.empty(op.size))

        def ref(m=m):
            mm = m.copy()
            for _ in range(10):
                mm = mm + dt * _apply_numpy(op, mm)
            return mm

        results.append(compare("fokker_planck", "10 explicit steps (2-D)", f"{n}x{n}", kern, ref,
                               repeat=3, min_time=0.02))
    # order of convergence: OU transient, a shifted Gaussian relaxing in E = x^2/2, T = 1 (exact Gaussian)
    errs, ns = [], (100, 200, 400)
    L, mu0, s0, t = 10.0, 2.0, 0.5, 0.5
    for n in ns:
        x = (np.arange(n) + 0.5) * (L / n) - L / 2
        op = operator_1d(0.5 * x**2, L / n, 1.0)
        p0 = np.exp(-(x - mu0) ** 2 / (2 * s0**2))
        n_steps = int(math.ceil(4 * t / stable_dt(op)))   # explicit, dt <= stable_dt / 4: time error O(h^2) too
        tr = evolve(op, p0 / (p0.sum() * L / n), t, n_steps, method="explicit", n_record=1)
        mu, var = mu0 * math.exp(-t), 1 + (s0**2 - 1) * math.exp(-2 * t)
        exact = np.exp(-(x - mu) ** 2 / (2 * var)) / math.sqrt(2 * math.pi * var)
        errs.append(float(np.sum(np.abs(tr.p[-1] - exact)) * L / n))
    order = math.log(errs[0] / errs[-1]) / math.log(ns[-1] / ns[0])
    m = np.exp(op.log_pi)
    results.append(compare("fokker_planck", "Q m (1-D)", f"n={ns[-1]}",
                           lambda: _apply(op.src, op.dst, op.rate_fwd, op.rate_bwd, m, np.empty(op.size)),
                           lambda: _apply_numpy(op, m), repeat=3, min_time=0.02,
                           note=f"OU transient L1 error order {order:.2f} in h (n={ns}, explicit, dt ~ h^2)"))
    return results
