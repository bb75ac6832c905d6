r"""Compiled kernels and scaled arithmetic of :mod:`attractors.fokker_planck` (Part I, chapter 2).

The discrete Fokker--Planck generator is a Markov jump process on a grid of cells: jump pairs
``src -> dst`` with Scharfetter--Gummel rates :math:`r = (K T/h^2)\,B(\Delta E/T)`,
:math:`B(z) = z/(e^z - 1)`.  Here are the numba loops over its pairs (``Q m``, fluxes, exit rates,
explicit and implicit Euler steps with the free energy :math:`F_h = \sum m E + T\sum m\ln(m/V)` after
every step) and the scaled products (mantissas and exponents) that form rates from extreme but
compensating ``K``, ``T`` and ``h`` without intermediate over- or underflow.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

@njit(cache=True)
def _bern(z):
    """B(z) = z / (exp(z) - 1), stable for every real z (B(0) = 1, B(z) ~ -z for z -> -inf)."""
    if z == 0.0:
        return 1.0
    if abs(z) < 1e-6:
        return 1.0 - 0.5 * z + z * z / 12.0
    if z > 0.0:
        e = math.exp(-z)
        return z * e / (-math.expm1(-z))
    return z / math.expm1(z)


@njit(cache=True)
def _bern_array(z, out):
    for k in range(z.size):
        out[k] = _bern(z[k])
    return out


#: Inputs inside [1/_SAFE, _SAFE] combine without over- or underflow in the plain formulas (kept there, so
#: ordinary grids give the same bits as always); outside, the scaled forms below are used.
_SAFE = 1e60


def _in_range(*xs) -> bool:
    for x in xs:
        a = np.abs(np.asarray(x, dtype=float))
        if a.size and not (np.all(a <= _SAFE) and np.all(a >= 1.0 / _SAFE)):
            return False
    return True


def _prod(factors, divisors=()):
    """prod(factors) / prod(divisors) through mantissas and exponents: no intermediate over- or underflow."""
    m, e = 1.0, 0
    with np.errstate(over="ignore", under="ignore"):
        for f in factors:
            mf, ef = np.frexp(f)
            m, e = m * mf, e + ef.astype(np.int64) if isinstance(ef, np.ndarray) else e + int(ef)
        for g in divisors:
            mg, eg = np.frexp(g)
            m, e = m / mg, e - (eg.astype(np.int64) if isinstance(eg, np.ndarray) else int(eg))
        return np.ldexp(m, e)


@njit(cache=True)
def _apply(src, dst, rf, rb, m, out):
    """out = Q m: each pair moves m_src * rf to dst and m_dst * rb back (dst = -1: outside)."""
    for k in range(out.size):
        out[k] = 0.0
    for k in range(src.size):
        i = src[k]
        j = dst[k]
        if j >= 0:
            flux = m[i] * rf[k] - m[j] * rb[k]
            out[i] -= flux
            out[j] += flux
        else:
            out[i] -= m[i] * rf[k]
    return out


@njit(cache=True)
def _fluxes(src, dst, rf, rb, m, out):
    for k in range(src.size):
        j = dst[k]
        out[k] = m[src[k]] * rf[k] - (m[j] * rb[k] if j >= 0 else 0.0)
    return out


@njit(cache=True)
def _exit_rates(src, dst, rf, rb, n, out):
    for k in range(n):
        out[k] = 0.0
    for k in range(src.size):
        out[src[k]] += rf[k]
        if dst[k] >= 0:
            out[dst[k]] += rb[k]
    return out


@njit(cache=True)
def _explicit_steps(src, dst, rf, rb, exit_rate, m, dt, n_steps, work):
    """n_steps explicit Euler steps m <- (I + dt Q) m in place.

    Written as m_i (1 - dt * exit_i) + dt * (inflow_i): with dt <= 1/max(exit) every term is >= 0,
    so no cancellation can make a mass negative.
    """
    for _ in range(n_steps):
        for k in range(m.size):
            work[k] = m[k] * max(1.0 - dt * exit_rate[k], 0.0)
        for k in range(src.size):
            i = src[k]
            j = dst[k]
            if j >= 0:
                work[j] += dt * m[i] * rf[k]
                work[i] += dt * m[j] * rb[k]
        for k in range(m.size):
            m[k] = work[k]
    return m


@njit(cache=True)
def _free_energy_of(m, E, T, V):
    """sum m E + T sum m ln(m / V) over the cells with m > 0 (negative round-off masses count as 0)."""
    a = 0.0
    b = 0.0
    for k in range(m.size):
        if m[k] > 0.0:
            a += m[k] * E[k]
            b += m[k] * math.log(m[k] / V)
    return a + T * b


@njit(cache=True)
def _evolve_kernel(explicit, src, dst, rf, rb, exit_rate, dt, n_steps, Lp, Li, Lx, Up, Ui, Ux, perm_r, perm_c,
                   m, E, T, V, record, F, mass, rec_out, work, y):
    """All steps of :func:`evolve` in one compiled loop: explicit Euler (as :func:`_explicit_steps`) or implicit
    Euler through the sparse LU factors of I - dt Q (Pr (I - dt Q) Pc = L U; forward and back substitution),
    with the free energy and the mass after every step and the recorded masses.  Returns min m."""
    n = m.size
    min_m = m.min()
    F[0] = _free_energy_of(m, E, T, V)
    mass[0] = m.sum()
    r = 1
    for s in range(1, n_steps + 1):
        if explicit:
            for k in range(n):
                work[k] = m[k] * max(1.0 - dt * exit_rate[k], 0.0)
            for k in range(src.size):
                i = src[k]
                j = dst[k]
                if j >= 0:   # m (dt r): dt r <= 1, so no overflow where dt m would
                    work[j] += m[i] * (dt * rf[k])
                    work[i] += m[j] * (dt * rb[k])
            for k in range(n):
                m[k] = work[k]
        else:
            for k in range(n):
                y[perm_r[k]] = m[k]
            for j in range(n):           # L: unit lower triangular, CSC
                yj = y[j] / Lx[Lp[j]] if Li[Lp[j]] == j else y[j]
                y[j] = yj
                for q in range(Lp[j], Lp[j + 1]):
                    i = Li[q]
                    if i > j:
                        y[i] -= Lx[q] * yj
            for j in range(n - 1, -1, -1):   # U: upper triangular, CSC
                d = 1.0
                for q in range(Up[j], Up[j + 1]):
                    if Ui[q] == j:
                        d = Ux[q]
                yj = y[j] / d
                y[j] = yj
                for q in range(Up[j], Up[j + 1]):
                    i = Ui[q]
                    if i < j:
                        y[i] -= Ux[q] * yj
            for k in range(n):
                m[k] = y[perm_c[k]]
        mn = m.min()
        if mn < min_m:
            min_m = mn
        F[s] = _free_energy_of(m, E, T, V)
        mass[s] = m.sum()
        if record[s]:
            for k in range(n):
                rec_out[r, k] = m[k]
            r += 1
    return min_m
