r"""Exact moments of the linear (Ornstein--Uhlenbeck) SDE, in scaled form (Part I, chapter 1).

For :math:`dx = -Bx\,dt + \sqrt{2T}\,L\,dW` with :math:`LL^\top = S` the mean and the covariance
are :math:`m(t) = \Phi(t)m_0` and :math:`\Sigma(t) = \Phi(t)\Sigma_0\Phi(t)^\top + 2T\,W(t)` with
:math:`\Phi(t) = e^{-Bt}` and :math:`W(t) = \int_0^t e^{-Bs}Se^{-B^\top s}\,ds` (the
covariance ODE :math:`\dot\Sigma = -B\Sigma - \Sigma B^\top + 2TS`).  The pair
:math:`(\Phi, W)` obeys the doubling rule

.. math::

    \Phi(2\tau) = \Phi(\tau)^2, \qquad W(2\tau) = W(\tau) + \Phi(\tau)W(\tau)\Phi(\tau)^\top,

so it is computed at a short time :math:`\tau = t/2^k` (a Taylor series of the block matrix
:math:`\bigl[\begin{smallmatrix}-B & S\\ 0 & B^\top\end{smallmatrix}\bigr]\tau` of Van Loan, whose
exponential holds :math:`\Phi(\tau)` and :math:`W(\tau)\Phi(\tau)^{-\top}`) and doubled
:math:`k` times.  :math:`B`, :math:`S`, :math:`m_0`, :math:`\Sigma_0` and :math:`T` are scaled by powers of
two first (exact) and the result scaled back, so rates of :math:`10^{300}`, temperatures near the float64
limit and times of :math:`10^{300}` neither overflow nor underflow on the way; a stable :math:`B` converges
(:math:`\Phi \to 0`, :math:`W \to` the Lyapunov solution) after a number of doublings logarithmic in
:math:`\|B\|t`, and a singular :math:`B` is fine (no inverse is taken).

The Euler--Maruyama recursion :math:`m_{k+1} = Mm_k`,
:math:`\Sigma_{k+1} = M\Sigma_kM^\top + 2T\Delta t\,S` with :math:`M = I - \Delta t\,B` is the same
semigroup on integers: :math:`k` steps are assembled from the binary digits of :math:`k`
(:math:`\log_2 k` products, not :math:`k`).  Used by :func:`attractors.sde.ou_moments`.
"""

from __future__ import annotations

import math

import numpy as np

from attractors._validate import check_budget

__all__: list[str] = []

#: Taylor terms for a block matrix of 1-norm <= 1/2 (the remainder is below 1e-26).
_TAYLOR_TERMS = 22


def _exponent(a) -> int:
    """e with max|a| < 2**e (0 for an all-zero array): dividing by 2**e brings the entries below 1."""
    peak = float(np.max(np.abs(a))) if np.size(a) else 0.0
    return int(math.frexp(peak)[1]) if peak > 0 else 0


def _sandwich(P, X):
    return P @ X @ np.swapaxes(P, -1, -2)


def continuous_steps(times: np.ndarray, B: np.ndarray) -> np.ndarray:
    """The number of doublings k_i of each time (see :func:`continuous`), for the work estimate."""
    eb = _exponent(B)
    d = B.shape[0]
    nrm = 2.0 * d  # bound on the 1-norm of the scaled block matrix
    ks = np.zeros(times.size, dtype=np.int64)
    for i, t in enumerate(times):
        if t > 0:
            mt, et = math.frexp(float(t))
            ks[i] = max(0, math.ceil(math.log2(mt * nrm * 2.0) + et + eb))
    return ks


def continuous(times, m0, S0, B, S, T):
    """Mean (n_t, d) and covariance (n_t, d, d) of the OU process at ``times``; NaN/inf only on true overflow."""
    d = B.shape[0]
    n_t = times.size
    eb, eq = _exponent(B), _exponent(S)
    B1, S1 = np.ldexp(B, -eb), np.ldexp(S, -eq)
    blk = np.zeros((2 * d, 2 * d))
    blk[:d, :d], blk[:d, d:], blk[d:, d:] = -B1, S1, B1.T
    ks = continuous_steps(times, B)
    tau = np.array([math.ldexp(float(t), eb - int(k)) for t, k in zip(times, ks)])
    X = blk[None, :, :] * tau[:, None, None]
    E = np.broadcast_to(np.eye(2 * d), X.shape).copy()
    term = E.copy()
    for j in range(1, _TAYLOR_TERMS + 1):
        term = term @ X / j
        E += term
    Phi = E[:, :d, :d].copy()
    W = E[:, :d, d:] @ np.swapaxes(Phi, -1, -2)
    W = 0.5 * (W + np.swapaxes(W, -1, -2))
    todo = ks.copy()
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        r = 0
        while True:
            sel = np.flatnonzero(todo > r)
            if sel.size == 0:
                break
            P = Phi[sel]
            W[sel] = W[sel] + _sandwich(P, W[sel])
            Phi[sel] = P @ P
            # once Phi has underflowed to zero (a stable B after many doublings) nothing changes any more
            done = sel[~Phi[sel].reshape(sel.size, -1).any(axis=1)]
            todo[done] = 0
            r += 1
    em, ec = _exponent(m0), _exponent(S0)
    mT, eT = math.frexp(T) if T > 0 else (0.0, 0)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        means = np.ldexp(Phi @ np.ldexp(m0, -em), em)
        hom = np.ldexp(_sandwich(Phi, np.ldexp(S0, -ec)), ec)
        noise = np.ldexp(W * mT, eT + 1 + eq - eb)   # 2 T W(t): W was computed for B1 = B / 2**eb, time t 2**eb
        # ||B|| t below 2**-60 (t 2**eb may even underflow): W(t) = S t to round-off, formed without B t
        for i in np.flatnonzero((ks == 0) & (tau * 2.0 * d < 2.0**-60)):
            mt, et = math.frexp(float(times[i]))
            noise[i] = np.ldexp(S1 * (mt * mT), et + eT + 1 + eq)
        covs = hom + noise
        covs = 0.5 * (covs + np.swapaxes(covs, -1, -2))
    return means, covs


def discrete(ks: np.ndarray, m0, S0, M, S, dtT: float):
    """Mean and covariance after ``ks`` steps of m <- M m, C <- M C M^T + 2 dtT S (binary powering)."""
    d = M.shape[0]
    n_t = ks.size
    eq = _exponent(S)
    S1 = np.ldexp(S, -eq)
    RPhi = np.broadcast_to(np.eye(d), (n_t, d, d)).copy()
    RW = np.zeros((n_t, d, d))
    PPhi, PW = M.copy(), S1.copy()
    kmax = int(ks.max()) if n_t else 0
    bit = 0
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        while (kmax >> bit) > 0:
            sel = np.flatnonzero((ks >> bit) & 1)
            if sel.size:
                RW[sel] = _sandwich(PPhi, RW[sel]) + PW
                RPhi[sel] = PPhi @ RPhi[sel]
            bit += 1
            if (kmax >> bit) > 0:
                PW = _sandwich(PPhi, PW) + PW
                PPhi = PPhi @ PPhi
    em, ec = _exponent(m0), _exponent(S0)
    mT, eT = math.frexp(dtT) if dtT > 0 else (0.0, 0)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        means = np.ldexp(RPhi @ np.ldexp(m0, -em), em)
        covs = np.ldexp(_sandwich(RPhi, np.ldexp(S0, -ec)), ec) + np.ldexp(RW * mT, eT + 1 + eq)
        covs = 0.5 * (covs + np.swapaxes(covs, -1, -2))
    return means, covs


def as_covariance(C: np.ndarray, name: str) -> np.ndarray:
    """A symmetric (to round-off) positive semi-definite matrix, made exactly symmetric, or a refusal naming it."""
    e = _exponent(C)
    C1 = np.ldexp(C, -e)
    if np.max(np.abs(C1 - C1.T), initial=0.0) > 1e-12:
        raise ValueError(f"{name} must be symmetric; got an asymmetry of {np.max(np.abs(C - C.T)):.3g}")
    C1 = 0.5 * (C1 + C1.T)
    lam = np.linalg.eigvalsh(C1)
    if lam[0] < -1e-12 * max(1.0, C1.shape[0] * float(lam[-1])):
        raise ValueError(f"{name} must be symmetric positive semi-definite; smallest eigenvalue "
                         f"{math.ldexp(float(lam[0]), e):.3g}")
    return np.ldexp(C1, e)


def moments(times, m0, S0, A, K0, S, T: float, dt):
    """:func:`attractors.sde.ou_moments` once its arguments are validated (see its docstring)."""
    d = m0.shape[0]
    S0 = as_covariance(S0, "cov0")
    ek, ea = _exponent(K0), _exponent(A)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        B = np.ldexp(np.ldexp(K0, -ek) @ np.ldexp(A, -ea), ek + ea)
    if not np.all(np.isfinite(B)):
        raise ValueError("A and K are too large in magnitude: the drift matrix K A overflows float64")
    n_t = times.size
    check_budget("t", nbytes=300.0 * d * d * n_t, what="the per-time matrices")
    if dt is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            ks = np.rint(times / dt)
        if not np.all(np.isfinite(ks)) or np.any(ks > 2.0**53):
            raise ValueError("t must hold multiples of dt with t / dt <= 2**53")
        if np.any(np.abs(ks * dt - times) > 1e-9 * np.maximum(1.0, times)):
            raise ValueError("t must hold multiples of dt")
        ks = ks.astype(np.int64)
        check_budget("t", work=n_t * 12.0 * d**3 * (int(ks.max()).bit_length() + 1), what="matrix products")
        with np.errstate(over="ignore", invalid="ignore"):
            M = np.eye(d) - dt * B
        if not np.all(np.isfinite(M)):
            raise ValueError("dt is too large for A and K: I - dt K A overflows float64")
        means, covs = discrete(ks, m0, S0, M, S, dt * T)
        what, names = "the Euler--Maruyama recursion (unstable for this dt)", "t and dt (with A, K, T)"
    else:
        ks = continuous_steps(times, B)
        check_budget("t", work=float(np.sum(320.0 * d**3 + 6.0 * d**3 * ks)), what="matrix products")
        means, covs = continuous(times, m0, S0, B, S, T)
        what, names = "the process (unstable A, or T too large)", "t (with A, K, T)"
    if not (np.all(np.isfinite(means)) and np.all(np.isfinite(covs))):
        raise ValueError(f"the moments at these {names} are beyond the float64 range: {what}")
    return means, covs
