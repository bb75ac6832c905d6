r"""Modern (dense, log-sum-exp) Hopfield networks: energy, update, retrieval, bounds.

Chapters 8 and 9 of the book derive everything here, following [CHN] ch. 3 and
Ramsauer et al. (2021).  Patterns are the rows :math:`x_1,\dots,x_P` of
``X`` (shape ``(P, N)``); a state is :math:`\xi\in\mathbb R^N` (or a batch of
states as rows, shape ``(B, N)``).

Energy ([CHN] eq. 3.4)
    .. math::
        E_\beta(\xi) = -\operatorname{lse}(\beta, X\xi) + \tfrac12\xi^\top\xi
        + \beta^{-1}\log P + \tfrac12 M^2,\qquad M = \max_i\|x_i\|,

    with :math:`\operatorname{lse}(\beta, v) = \beta^{-1}\log\sum_i e^{\beta v_i}`.
    Equivalently ([CHN] eq. 3.6) :math:`E_\beta(\xi) = -\beta^{-1}\log\big[\frac1P
    \sum_i e^{-\frac\beta2\|\xi-x_i\|^2}e^{-\frac\beta2(M^2-\|x_i\|^2)}\big]`.

Update ([CHN] eq. 3.5)
    :math:`\xi^{\rm new} = f(\xi) = X^\top p`, :math:`p = \operatorname{softmax}(\beta X\xi)`;
    it is the concave-convex procedure (CCCP) step of the energy, so the energy
    never rises and :math:`\nabla E_\beta(\xi) = \xi - f(\xi)`.

Jacobian ([CHN] Lemma 3.3.1)
    :math:`\partial f/\partial\xi = \beta X^\top(\operatorname{diag}p - pp^\top)X
    = \beta\operatorname{Var}_p(x)`.

Separation and the retrieval threshold ([CHN] Def. 3.3.2, Prop. 3.4)
    :math:`\Delta_i = x_i^\top x_i - \max_{j\ne i}x_i^\top x_j`.  The sphere
    :math:`S_i` of radius :math:`1/(\beta P M)` around :math:`x_i` is mapped into
    itself when :math:`\Delta_i \ge 2/(\beta P) + \beta^{-1}\log(2(P-1)P\beta M^2)`,
    i.e. when :math:`\beta \ge a + b\log\beta` with :math:`b = 1/\Delta`,
    :math:`a = b\,(2/P + \log(2(P-1)PM^2))`.  Its two roots are
    :math:`\beta_\mp = -b\,W_{0,-1}(-e^{-a/b}/b)` (Lambert W).

The update of a batch is two matrix products and one in-place softmax pass
(the private module ``attractors._modern_kernels``, held against the GEMM rate in the appendix
*Performance of the kernels*); :func:`retrieve` iterates it for large batches
and runs small ones query by query in a numba kernel.  Both are checked against
plain NumPy references in the tests.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import lambertw

from attractors import _modern_kernels
from attractors._modern_kernels import _retrieve_kernel
from attractors._validate import MAX_BYTES, MAX_WORK, as_array, as_int, as_patterns, as_positive, check_budget
from attractors.numerics import logsumexp, softmax

__all__ = [
    "energy",
    "energy_gaussian",
    "update",
    "retrieve",
    "jacobian",
    "separation",
    "max_norm",
    "m_max_sq",
    "threshold_coefficients",
    "threshold_roots",
    "beta_threshold",
    "benchmarks",
]


# ----------------------------------------------------------------------------- validation

def _patterns(X) -> np.ndarray:
    return as_patterns(X, "X", finite=False)     # finiteness: checked with the norms in _check_scale


def _states(xi, n: int, name: str = "xi") -> np.ndarray:
    arr = as_array(xi, name, ndim=(1, 2), finite=False)
    if arr.shape[-1] != n:
        raise ValueError(f"{name} must have {n} components (the number of columns of X); got shape {arr.shape}")
    return arr


def _beta(beta) -> float:
    return as_positive(beta, "beta")


#: Largest squared norm accepted for patterns and states.  Beyond it the overlaps
#: :math:`x_i^\top\xi` or the constant :math:`\tfrac12M^2` overflow float64 and
#: every result would be NaN or inf without a word; we refuse such input instead.
MAX_SQ_NORM = 1e300

#: Largest ``max_iter`` accepted by :func:`retrieve` (keeps every call bounded in time).
MAX_ITER = 10**7

#: :func:`retrieve` iterates the whole batch with two matrix products per update when ``B * P * N`` is at
#: least this, and each query in its own numba loop below it (where the products are too small to pay for
#: a Python-level iteration); measured crossover on a 2-core x86 machine, one BLAS thread.
BATCHED_MIN_WORK = 2**15


def _check_scale(arr: np.ndarray, name: str) -> float:
    """Largest squared row norm of ``arr``; ValueError naming ``name`` when it is not finite or overflows.

    One pass: a NaN or an infinite entry makes its row's squared norm NaN or inf, so ``arr`` is searched
    for them only when the largest squared norm is not a finite number <= ``MAX_SQ_NORM`` (which also
    bounds every entry by ``sqrt(MAX_SQ_NORM)``).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        sq = float(np.max(np.einsum("...i,...i->...", arr, arr))) if arr.size else 0.0
    if not sq <= MAX_SQ_NORM:                    # also true for NaN
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be finite (no NaN or inf)")
        raise ValueError(f"{name} is too large: squared norms up to {sq:.3g} overflow the overlaps and the energy "
                         f"in float64 (need < {MAX_SQ_NORM:.0e}); rescale {name}")
    return sq


def _patterns_scaled(X) -> np.ndarray:
    X = _patterns(X)
    _check_scale(X, "X")
    return X


def _states_scaled(xi, n: int, name: str = "xi") -> np.ndarray:
    arr = _states(xi, n, name)
    _check_scale(arr, name)
    return arr


# ----------------------------------------------------------------------------- energy and update

def max_norm(X) -> float:
    r"""Largest pattern norm :math:`M = \max_i\|x_i\|` ([CHN] eq. 3.4).

    Parameters
    ----------
    X : array_like, shape (P, N)
        Patterns as rows.

    Returns
    -------
    float
    """
    X = _patterns_scaled(X)
    return float(np.sqrt(np.max(np.einsum("ij,ij->i", X, X))))


def energy(X, xi, beta):
    r"""Log-sum-exp energy of [CHN] eq. 3.4 (Ramsauer et al. 2021, eq. 2).

    :math:`E = -\operatorname{lse}(\beta, X\xi) + \frac12\xi^\top\xi + \beta^{-1}\log P + \frac12 M^2`,
    computed as :math:`-\max_i v_i - \beta^{-1}\operatorname{log1p}(\operatorname{mean}_i
    \operatorname{expm1}(\beta(v_i - \max v))) + \dots`, :math:`v = X\xi`: shifted (no overflow) and
    without the cancellation of :math:`\operatorname{lse}` against :math:`\beta^{-1}\log P` at small
    :math:`\beta` (both grow like :math:`1/\beta`; the energy tends to :math:`-\bar v + \dots`; a
    cumulant series where :math:`\beta|v_i - \max v| < 10^{-4}`, so that a subnormal ``beta`` works too).
    Its error is a few ulp of :math:`\tfrac12|\xi|^2 + \tfrac12M^2`, the terms it adds: next to a
    pattern, where :math:`E` itself is much smaller than them, :func:`energy_gaussian` keeps the
    relative precision of :math:`E` and this form does not.

    Parameters
    ----------
    X : array_like, shape (P, N)
        Patterns as rows.
    xi : array_like, shape (N,) or (B, N)
        One state or a batch of states (rows).
    beta : float
        Inverse temperature, > 0.

    Returns
    -------
    float or ndarray of shape (B,)
    """
    X = _patterns_scaled(X)
    xi = _states_scaled(xi, X.shape[1])
    beta = _beta(beta)
    P = X.shape[0]
    Z = np.atleast_2d(xi)
    check_budget("xi", nbytes=3 * 8.0 * Z.shape[0] * P, what="the scores and their exponentials")
    M2 = float(np.max(np.einsum("ij,ij->i", X, X)))
    scores = Z @ X.T
    e = -_lse_minus_log_p(scores, beta) + 0.5 * np.einsum("ij,ij->i", Z, Z) + 0.5 * M2
    return float(e[0]) if xi.ndim == 1 else e


def _lse_minus_log_p(v, beta):
    """Row-wise lse(beta, v) - log(P)/beta = max v + beta^{-1} log mean exp(beta (v - max v)).

    Written as ``log1p(mean(expm1(.)))``: when beta (v - max v) is small (small beta) the log of the mean
    is small too, and lse and log(P)/beta (each about log(P)/beta) would cancel, losing all digits.
    """
    m = np.max(v, axis=-1, keepdims=True)
    d = v - m                                   # finite: |v| <= sqrt(MAX_SQ_NORM) after validation
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        direct = np.log1p(np.mean(np.expm1(beta * d), axis=-1)) / beta
    # where beta |d| < 1e-4 (beta may be subnormal, where beta * d has lost its digits) the cumulant
    # series (1/beta) log mean e^{beta d} = k1 + beta k2/2 + beta^2 k3/6 + beta^3 k4/24 + O((beta |d|)^4 |d|)
    small = beta * np.max(-d, axis=-1) < 1e-4
    if small.any():
        ds = d[small]
        k1 = ds.mean(axis=-1)
        c = ds - k1[:, None]
        k2 = np.mean(c * c, axis=-1)
        k3 = np.mean(c ** 3, axis=-1)
        k4 = np.mean(c ** 4, axis=-1) - 3.0 * k2 * k2
        direct = direct.copy()
        direct[small] = k1 + beta * (k2 / 2 + beta * (k3 / 6 + beta * k4 / 24))
    return m[:, 0] + direct


def energy_gaussian(X, xi, beta):
    r"""The same energy in the Gaussian-mixture form of [CHN] eq. 3.6.

    :math:`E = -\beta^{-1}\log\big[\frac1P\sum_i \exp(-\frac\beta2\|\xi-x_i\|^2
    - \frac\beta2(M^2-\|x_i\|^2))\big]`, evaluated with a stable log-sum-exp of
    the exponents (an independent route to :func:`energy`).

    Parameters
    ----------
    X : array_like, shape (P, N)
    xi : array_like, shape (N,) or (B, N)
    beta : float

    Returns
    -------
    float or ndarray of shape (B,)
    """
    X = _patterns_scaled(X)
    xi = _states_scaled(xi, X.shape[1])
    beta = _beta(beta)
    P = X.shape[0]
    sq = np.einsum("ij,ij->i", X, X)
    M2 = float(np.max(sq))
    Z = np.atleast_2d(xi)
    check_budget("xi", nbytes=4 * 8.0 * Z.shape[0] * P + 8.0 * 2**20, work=3.0 * Z.shape[0] * P * X.shape[1],
                 what="the squared distances of every state to every pattern")
    # squared distances (B, P), computed as differences (no cancellation near a pattern) in blocks of
    # patterns, so that the temporary never exceeds about 2**20 numbers (not a B x P x N array)
    d2 = np.empty((Z.shape[0], P))
    block = max(1, (1 << 20) // max(1, Z.shape[0] * X.shape[1]))
    for k0 in range(0, P, block):
        D = Z[:, None, :] - X[None, k0:k0 + block, :]
        d2[:, k0:k0 + block] = np.einsum("bpn,bpn->bp", D, D)
    expo = -0.5 * d2 - 0.5 * (M2 - sq)[None, :]
    e = -_lse_minus_log_p(expo, beta)
    return float(e[0]) if xi.ndim == 1 else e


def update(X, xi, beta):
    r"""One synchronous update :math:`\xi \leftarrow X^\top\operatorname{softmax}(\beta X\xi)` ([CHN] eq. 3.5).

    A batch (rows of ``xi``) costs one matrix product each way and one in-place pass for the
    softmax (the private module ``attractors._modern_kernels``); the result equals the plain NumPy
    ``softmax(beta * xi @ X.T) @ X`` to round-off.

    Parameters
    ----------
    X : array_like, shape (P, N)
        Patterns as rows.
    xi : array_like, shape (N,) or (B, N)
        State, or batch of states as rows.
    beta : float
        Inverse temperature, finite and > 0.

    Returns
    -------
    ndarray, same shape as ``xi``

    Raises
    ------
    TypeError, ValueError
        If ``X``, ``xi`` or ``beta`` has the wrong type, shape or range, is not finite, or is so
        large that the overlaps overflow (the message names it).
    """
    X = _patterns_scaled(X)
    xi = _states_scaled(xi, X.shape[1])
    beta = _beta(beta)
    B = xi.shape[0] if xi.ndim == 2 else 1
    check_budget("xi", nbytes=8.0 * (B * X.shape[1] + X.shape[0] * (X.shape[1] + 1)) + _modern_kernels.MAX_BLOCK_BYTES,
                 work=1.0 * B * X.shape[0] * X.shape[1], what="one update of every state")
    out = _modern_kernels.update(X, np.atleast_2d(xi), beta)
    return out[0] if xi.ndim == 1 else out


def _retrieve_reference(X, Xi, beta, tol, max_iter):
    """Plain NumPy fixed-point iteration, one query at a time (the kernel's reference)."""
    out = np.array(Xi, dtype=np.float64, copy=True)
    iters = np.zeros(out.shape[0], dtype=np.int64)
    for b in range(out.shape[0]):
        cur = out[b].copy()
        t = 0
        while t < max_iter:
            new = softmax(X @ cur, beta) @ X
            diff = np.max(np.abs(new - cur))
            cur = new
            t += 1
            if diff <= tol:
                break
        out[b] = cur
        iters[b] = t
    return out, iters


def retrieve(X, xi0, beta, *, tol: float = 1e-10, max_iter: int = 1000):
    r"""Iterate the update (eq. 3.5) to a fixed point ([CHN] Thms. 3.1-3.2).

    Stops when :math:`\max_n|\xi^{t+1}_n-\xi^t_n| \le` ``tol`` or after
    ``max_iter`` updates, each query with its own stopping time.  Large batches
    (``B * P * N >= BATCHED_MIN_WORK``) iterate together, two matrix products
    per update on the queries still running; small ones run query by query in
    one numba kernel.  Both paths compute the same update to round-off.

    Parameters
    ----------
    X : array_like, shape (P, N)
    xi0 : array_like, shape (N,) or (B, N)
        Initial state(s).
    beta : float
        Inverse temperature, > 0.
    tol : float, default 1e-10
        Stopping tolerance on the largest component change, >= 0.
    max_iter : int, default 1000
        Largest number of updates, ``1 <= max_iter <= 10**7``.  A call may do at most
        ``max_iter * B * P * N`` update steps (each two multiply-adds and a share of an ``exp``):
        beyond ``MAX_WORK`` (2e10, about ten seconds) it is refused before it starts, naming
        ``max_iter`` and ``xi0``; memory is about four copies of the batch.

    Raises
    ------
    ValueError
        For malformed ``X``, ``xi0`` (wrong width, NaN/inf, so large that the overlaps overflow),
        ``beta``, ``tol`` or ``max_iter``.

    Returns
    -------
    xi : ndarray, same shape as ``xi0``
        The last iterate (a fixed point to ``tol`` unless ``max_iter`` was hit).
    iterations : int or ndarray of int, shape (B,)
        Updates performed.
    """
    X = _patterns_scaled(X)
    xi0 = _states_scaled(xi0, X.shape[1], "xi0")
    beta = _beta(beta)
    tol = as_positive(tol, "tol", allow_zero=True)
    max_iter = as_int(max_iter, "max_iter", minimum=1)
    if max_iter > MAX_ITER:
        raise ValueError(f"max_iter must be <= {MAX_ITER:.0e} (the iteration converges linearly; "
                         f"more updates only spin on round-off); got {max_iter}")
    Q = np.atleast_2d(xi0)
    check_budget("max_iter and xi0", nbytes=8.0 * (4 * Q.size + X.shape[0] * (X.shape[1] + 1))
                 + _modern_kernels.MAX_BLOCK_BYTES, work=float(max_iter) * Q.size * X.shape[0],
                 what="max_iter updates of B queries against P patterns of N components")
    if Q.size * X.shape[0] >= BATCHED_MIN_WORK:
        out, iters = _modern_kernels.retrieve(X, Q, beta, tol, max_iter)
    else:
        out, iters = _retrieve_kernel(X, Q, beta, tol, max_iter)
    if xi0.ndim == 1:
        return out[0], int(iters[0])
    return out, iters


def jacobian(X, xi, beta):
    r"""Jacobian of the update, :math:`\beta X^\top(\operatorname{diag}p - pp^\top)X` ([CHN] Lemma 3.3.1).

    Equal to :math:`\beta` times the covariance of the patterns under the
    softmax weights :math:`p = \operatorname{softmax}(\beta X\xi)`; symmetric,
    positive semi-definite.

    Parameters
    ----------
    X : array_like, shape (P, N)
    xi : array_like, shape (N,) or (B, N)
    beta : float

    Returns
    -------
    ndarray, shape (N, N) or (B, N, N)
        Costs ``B * P * N**2`` steps and ``16 B N**2`` bytes: refused beyond ``MAX_WORK`` / 1 GiB.
    """
    X = _patterns_scaled(X)
    xi = _states_scaled(xi, X.shape[1])
    beta = _beta(beta)
    B = xi.shape[0] if xi.ndim == 2 else 1
    P, N = X.shape
    check_budget("xi and X", nbytes=8.0 * (2 * B * N * N + B * P + B * N), work=1.0 * B * P * N * N,
                 what="B Jacobians of size N x N, each a sum over P patterns")
    p = np.atleast_2d(softmax(xi @ X.T, beta, axis=-1))  # (B, P)
    mean = p @ X  # (B, N)
    second = np.einsum("bk,ki,kj->bij", p, X, X)
    J = beta * (second - mean[:, :, None] * mean[:, None, :])
    return J[0] if xi.ndim == 1 else J


# ----------------------------------------------------------------------------- separation and thresholds

def separation(X) -> np.ndarray:
    r"""Separation :math:`\Delta_i = x_i^\top x_i - \max_{j\ne i}x_i^\top x_j` of each pattern ([CHN] Def. 3.3.2).

    Parameters
    ----------
    X : array_like, shape (P, N)

    Returns
    -------
    ndarray, shape (P,)
        ``+inf`` for every pattern when ``P == 1``.  Builds the ``P x P`` Gram matrix: refused beyond
        1 GiB (``P`` above about 8000).
    """
    X = _patterns_scaled(X)
    check_budget("X", nbytes=2 * 8.0 * X.shape[0] ** 2, work=1.0 * X.shape[0] ** 2 * X.shape[1],
                 what="the P x P Gram matrix")
    G = X @ X.T
    d = np.diag(G).copy()
    if X.shape[0] == 1:
        return np.full(1, np.inf)
    off = G.copy()
    np.fill_diagonal(off, -np.inf)
    return d - off.max(axis=1)


def m_max_sq(X) -> float:
    r""":math:`m_{\max}^2 = \max_i\|x_i - m_X\|^2`, :math:`m_X = \frac1P\sum_i x_i` ([CHN] Def. 3.3.1, Prop. 3.3).

    Parameters
    ----------
    X : array_like, shape (P, N)

    Returns
    -------
    float
    """
    X = _patterns_scaled(X)
    C = X - X.mean(axis=0)
    return float(np.max(np.einsum("ij,ij->i", C, C)))


def threshold_coefficients(X, delta=None) -> tuple[float, float]:
    r"""Coefficients :math:`(a, b)` of the threshold equation :math:`\beta = a + b\log\beta` ([CHN] Prop. 3.4, Remark).

    :math:`b = 1/\Delta`, :math:`a = (2/P + \log(2(P-1)PM^2))/\Delta` with
    :math:`\Delta = \min_i\Delta_i` unless ``delta`` is given.

    Parameters
    ----------
    X : array_like, shape (P, N), P >= 2
    delta : float, optional
        Separation to use instead of :math:`\min_i\Delta_i` (> 0).

    Returns
    -------
    a, b : float
    """
    X = _patterns_scaled(X)
    P = X.shape[0]
    if P < 2:
        raise ValueError("X must have at least two patterns for the threshold equation")
    given = delta
    if delta is None:
        delta = float(np.min(separation(X)))
        if delta <= 0:
            raise ValueError(f"X must have separated patterns (min separation > 0); got {delta:.3g}")
    else:
        delta = as_positive(delta, "delta")
    M2 = max_norm(X) ** 2
    name = "X" if given is None else "delta"
    if M2 == 0.0:
        raise ValueError("X must have a non-zero pattern (log M^2 is -inf)")
    with np.errstate(over="ignore"):
        b = 1.0 / delta
        a = b * (2.0 / P + math.log(2.0 * (P - 1) * P * M2))
    if not (math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"{name}: the separation {delta:.3g} is so small that 1/Delta overflows float64")
    return a, b


def threshold_roots(X, delta=None) -> tuple[float, float]:
    r"""Both roots :math:`\beta_- \le \beta_+` of :math:`\beta = a + b\log\beta` via the Lambert W function.

    :math:`\beta = -b\,W_k(-e^{-a/b}/b)` with branch :math:`k=0` giving
    :math:`\beta_-\le b` and :math:`k=-1` giving :math:`\beta_+\ge b`
    (Corless et al. 1996).  The condition of [CHN] Prop. 3.4 holds for
    :math:`\beta\in(0,\beta_-]\cup[\beta_+,\infty)`.

    Parameters
    ----------
    X : array_like, shape (P, N), P >= 2
    delta : float, optional
        As in :func:`threshold_coefficients`.

    Returns
    -------
    beta_minus, beta_plus : float
        ``(nan, nan)`` if the equation has no real root (then every beta satisfies the condition).
    """
    a, b = threshold_coefficients(X, delta)
    logz = -a / b - math.log(b)  # log(-z), z = -exp(-a/b)/b
    if logz > -1.0:
        return math.nan, math.nan
    z = -math.exp(logz)
    if z == 0.0:  # underflow: use the asymptotic expansions of W_0 and W_{-1}
        beta_minus = math.exp(-a / b)  # -b W_0(z) ~ -b z for z -> 0
        L1 = logz  # log(-z)
        L2 = math.log(-L1)
        wm1 = L1 - L2 + L2 / L1
        # refine W_{-1} by Newton on w + log(-w) = log(-z)
        for _ in range(50):
            g = wm1 + math.log(-wm1) - L1
            wm1 -= g / (1.0 + 1.0 / wm1)
        return beta_minus, -b * wm1
    w0 = lambertw(z, 0).real
    wm1 = lambertw(z, -1).real
    return float(-b * w0), float(-b * wm1)


def beta_threshold(X) -> float:
    r"""Largest root :math:`\beta_+` of the retrieval condition of [CHN] Prop. 3.4 with :math:`\Delta=\min_i\Delta_i`.

    For :math:`\beta\ge\beta_+` every sphere :math:`S_i` (radius
    :math:`1/(\beta PM)` around :math:`x_i`) is mapped into itself by the update.

    Parameters
    ----------
    X : array_like, shape (P, N)

    Returns
    -------
    float
        :math:`\beta_+`; ``0.0`` when ``P == 1`` or when the equation has no real
        root (every beta satisfies the condition); ``inf`` when
        :math:`\min_i\Delta_i\le 0` (no beta does).
    """
    X = _patterns_scaled(X)
    if X.shape[0] == 1:
        return 0.0
    delta = float(np.min(separation(X)))
    if delta <= 0:
        return math.inf
    lo, hi = threshold_roots(X)
    return 0.0 if math.isnan(hi) else hi


# ----------------------------------------------------------------------------- benchmarks

def benchmarks(quick: bool = True):
    """Time the batched update and the numba retrieval kernel against plain NumPy references."""
    from attractors.bench import compare

    rng = np.random.default_rng(0)
    P, N, B = (64, 32, 256) if quick else (512, 128, 2048)
    X = rng.standard_normal((P, N)) / math.sqrt(N)
    Q = X[rng.integers(0, P, B)] + 0.3 * rng.standard_normal((B, N)) / math.sqrt(N)
    beta = 8.0

    def batched():
        return update(X, Q, beta)

    def per_query():
        return np.stack([softmax(X @ q, beta) @ X for q in Q])

    iters = 50

    # Compare the points only: with tol = 0 the stop ("a step of exactly zero") is decided by round-off,
    # so the iteration counts of kernel and reference may differ while the points agree.
    def kernel():
        return _retrieve_kernel(X, Q, beta, 0.0, iters)[0]

    def reference():
        return _retrieve_reference(X, Q, beta, 0.0, iters)[0]

    kw = dict(repeat=3 if quick else 5, min_time=0.02 if quick else 0.1)
    return [
        compare("modern", "update (batched vs loop)", f"P={P} N={N} B={B}", batched, per_query,
                note="one matmul each way vs a Python loop", **kw),
        compare("modern", "retrieve kernel", f"P={P} N={N} B={B} T={iters}", kernel, reference,
                note="numba vs NumPy per-query loop", **kw),
    ]
