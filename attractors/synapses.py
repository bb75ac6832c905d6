r"""Softmax synaptic dynamics and its cosine-similarity theory (chapter 13).

The memory matrix :math:`\Xi` (shape :math:`N_h\times N_v`, one memory per row)
evolves on the slowest time scale :math:`\tau_\Xi` of the network of [NLR]
(eqs. 12--14).  While the visible layer is clamped to a pattern :math:`v`,

.. math::

    \tau_\Xi\,\dot\Xi_{\mu i} = w_\mu\,\big(-\Xi_{\mu i} + \Lambda_{\mu i} + v_i\big),
    \qquad w = \operatorname{softmax}(\beta\,\Xi v),

so every row relaxes towards :math:`\Lambda_\mu + v` at a rate proportional to
its softmax weight.  :func:`simulate` integrates it with one explicit Euler
step of length :math:`dt = 1` per clamping event,

.. math::

    \Xi \leftarrow \Xi + \frac{w}{\tau_\Xi} \odot (-\Xi + \Lambda + v^\top),

in one numba kernel.  The kernel keeps the logits of every pattern,
:math:`G = \Xi X^\top` (``X`` the patterns), and moves each row of :math:`G` with
the same convex combination as the row of :math:`\Xi` it mirrors, so a step
costs :math:`O(N_h)` plus :math:`O(N_v + P)` per row with a non-zero softmax
weight (at large :math:`\beta` one row) instead of :math:`O(N_h N_v)`.  For
:math:`\tau_\Xi \ge 1` each step is a convex
combination of the old row and its target (the coefficient :math:`w_\mu/\tau_\Xi`
lies in :math:`[0, 1]`), so the iteration cannot blow up; :func:`simulate`
therefore requires ``tau >= 1``.

When pattern :math:`\mu` is clamped with probability :math:`p_\mu` and the
softmax is one-hot on the matching row, row :math:`\mu` obeys on average
:math:`\tau_\Xi\dot\Xi_\mu = p_\mu(\xi'_\mu - \Xi_\mu)`: it relaxes
exponentially with the time scale :math:`\tau_\mu = \tau_\Xi/p_\mu` (eq. 35).
The cosine similarity between the row and its target then follows
(Appendix B, eq. 40, generalised here to targets whose norm differs from
the initial row's by the factor :math:`r = \|\xi'_\mu\|/\|\Xi^{(0)}_\mu\|`)

.. math::

    \operatorname{sim}_\mu(t) = \frac{e\,\alpha + (1 - e)\,r}
    {\sqrt{e^2 + (1-e)^2 r^2 + 2e(1-e)\,\alpha r}},\qquad e = e^{-t/\tau_\mu},

with :math:`\alpha` the initial cosine similarity; [NLR] eq. (40) is
:math:`r = 1` (:func:`cosine_theory`).  Chapter 13 derives both forms and
measures where they hold.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from attractors._validate import MAX_BYTES, as_array, as_generator, as_int, as_positive, check_budget

__all__ = [
    "simulate",
    "cosine_theory",
    "cosine_similarity",
    "random_order",
    "orthogonal_memories",
    "legacy_inputs",
    "benchmarks",
]

#: Largest number of float64 values :func:`simulate` may return (1 GiB, the package's ``MAX_BYTES``); beyond it
#: use ``record_every``.
MAX_OUTPUT_VALUES = MAX_BYTES // 8
#: Largest magnitude accepted for the entries of Ξ, the patterns and Λ: it keeps every logit β Ξ v finite.
MAX_ENTRY = 1e100
#: Longest clamping sequence accepted by :func:`simulate` (its work is capped as well).
MAX_STEPS = 10**9
#: Longest clamping sequence :func:`random_order` draws (an int64 answer of 512 MiB, a few seconds).
MAX_ORDER = 2**26
_ORDER_BLOCK = 2**20


#: The tie rule at ``beta = inf``: logits within ``TIE_RTOL * R * |v|`` of the largest one count as tied and
#: share the update equally, where ``R = max(max_mu |Xi0_mu|, max_mu |Lambda_mu| + max_q |x_q|)`` (``q`` over
#: the clamped patterns) bounds the norm of every row along the run (each step is a convex combination of a
#: row and its target ``Lambda_mu + x_q``), so ``R |v|`` bounds every logit and the rule does not depend on
#: how the logits were rounded.
TIE_RTOL = 1e-9
#: The incremental kernel re-evaluates, as direct dot products, every logit within ``_NEAR_RTOL * R * |v|``
#: of its largest tracked logit (far above the tracked logits' drift), so that both kernels decide ties,
#: and weights at very large beta, from the same numbers.
_NEAR_RTOL = 1e-4
#: Above this value of ``beta * _NEAR_RTOL * R * |v|`` the weight of every row outside the near set
#: underflows to 0 (``exp(-750) == 0``) and only the near rows, recomputed directly, carry weight.
_NEAR_BETA_SCALE = 1500.0


@njit(cache=True)
def _dot(a, b):
    """Plain left-to-right dot product: the one evaluation of a logit (and a norm) every kernel shares."""
    acc = 0.0
    for i in range(a.shape[0]):
        acc += a[i] * b[i]
    return acc


@njit(cache=True)
def _row_bound(xi0, lam, patterns, order, vnorm):
    """R of ``TIE_RTOL`` (and the norms of the patterns in ``vnorm``), the same numbers in every kernel."""
    r0 = 0.0
    rl = 0.0
    for mu in range(xi0.shape[0]):
        r0 = max(r0, math.sqrt(_dot(xi0[mu], xi0[mu])))
        rl = max(rl, math.sqrt(_dot(lam[mu], lam[mu])))
    used = np.zeros(patterns.shape[0], dtype=np.bool_)
    for t in range(order.shape[0]):
        used[order[t]] = True
    rv = 0.0
    for q in range(patterns.shape[0]):
        vnorm[q] = math.sqrt(_dot(patterns[q], patterns[q]))
        if used[q]:
            rv = max(rv, vnorm[q])
    return max(r0, rl + rv)


@njit(cache=True)
def _softmax_rates(s, active, beta, tau, tol, w):
    """w <- softmax(beta * s) / tau over the rows with active[mu] (the others get 0), shifted by the maximum.

    At beta = inf the rows with s >= max - tol share the update equally (the tie rule, ``TIE_RTOL``).
    """
    m = -np.inf
    for mu in range(s.shape[0]):
        if active[mu] and s[mu] > m:
            m = s[mu]
    total = 0.0
    for mu in range(s.shape[0]):
        if not active[mu]:
            w[mu] = 0.0
        elif math.isinf(beta):
            w[mu] = 1.0 if s[mu] >= m - tol else 0.0
        else:
            w[mu] = math.exp(beta * (s[mu] - m))
        total += w[mu]
    for mu in range(s.shape[0]):
        w[mu] = w[mu] / total / tau


@njit(cache=True)
def _simulate_kernel(xi0, patterns, order, beta, tau, lam, record_every, out):
    """Direct form: the logits Xi v are recomputed at every step (O(N_h N_v) per step)."""
    n_h, n_v = xi0.shape
    xi = xi0.copy()
    s = np.empty(n_h)
    w = np.empty(n_h)
    vnorm = np.empty(patterns.shape[0])
    bound = _row_bound(xi0, lam, patterns, order, vnorm)
    active = np.ones(n_h, dtype=np.bool_)
    k = 0
    for t in range(order.shape[0]):
        v = patterns[order[t]]
        for mu in range(n_h):
            s[mu] = _dot(xi[mu], v)
        _softmax_rates(s, active, beta, tau, TIE_RTOL * bound * vnorm[order[t]], w)
        for mu in range(n_h):
            rate = w[mu]
            if rate == 0.0:
                continue
            for i in range(n_v):
                xi[mu, i] += rate * (-xi[mu, i] + lam[mu, i] + v[i])
        if (t + 1) % record_every == 0:
            out[k] = xi
            k += 1
    return out


@njit(cache=True)
def _simulate_incremental(xi0, patterns, order, beta, tau, lam, record_every, out, logits, lam_logits, gram):
    """Incremental form: keeps G = Xi @ patterns.T and updates it with the rows it mirrors.

    Row mu moves as Xi_mu <- Xi_mu + c (-Xi_mu + Lambda_mu + v); then
    G_mu <- G_mu + c (-G_mu + (Lambda patterns^T)_mu + (patterns patterns^T)_q), exactly the same
    linear map, so only rows with a non-zero rate cost anything: O(N_h + active rows (N_v + P)) per step.
    Each update is a convex combination, so round-off in G stays at the level of a few ulps times tau.
    At beta = inf, and at finite beta so large that only rows near the maximum carry weight, the rows
    whose tracked logit is near the maximum get their logit recomputed as a direct dot product (the
    numbers the direct kernel uses), so both kernels take the same decisions.
    """
    n_h, n_v = xi0.shape
    n_p = patterns.shape[0]
    xi = xi0.copy()
    g = logits.copy()
    s = np.empty(n_h)
    w = np.empty(n_h)
    vnorm = np.empty(n_p)
    bound = _row_bound(xi0, lam, patterns, order, vnorm)
    active = np.ones(n_h, dtype=np.bool_)
    k = 0
    for t in range(order.shape[0]):
        q = order[t]
        v = patterns[q]
        gmax = -np.inf
        for mu in range(n_h):
            s[mu] = g[mu, q]
            gmax = max(gmax, s[mu])
        scale = bound * vnorm[q]
        if math.isinf(beta) or beta * _NEAR_RTOL * scale >= _NEAR_BETA_SCALE:
            near = gmax - _NEAR_RTOL * scale
            for mu in range(n_h):
                active[mu] = s[mu] >= near
                if active[mu]:
                    s[mu] = _dot(xi[mu], v)
        _softmax_rates(s, active, beta, tau, TIE_RTOL * scale, w)
        for mu in range(n_h):
            active[mu] = True
            rate = w[mu]
            if rate == 0.0:
                continue
            for i in range(n_v):
                xi[mu, i] += rate * (-xi[mu, i] + lam[mu, i] + v[i])
            for r in range(n_p):
                g[mu, r] += rate * (-g[mu, r] + lam_logits[mu, r] + gram[q, r])
        if (t + 1) % record_every == 0:
            out[k] = xi
            k += 1
    return out


#: Largest number of patterns for which :func:`simulate` keeps the logits of every pattern incrementally.
MAX_INCREMENTAL_PATTERNS = 1024


def _simulate_reference(xi0, patterns, order, beta, tau, lam, record_every=1):
    """Plain NumPy per-step loop of the same update (tests and benchmarks)."""
    xi = np.array(xi0, dtype=float)
    used = patterns[np.unique(order)] if len(order) else patterns[:0]
    bound = max(np.max(np.linalg.norm(xi, axis=1)),
                np.max(np.linalg.norm(lam, axis=1)) + (np.max(np.linalg.norm(used, axis=1)) if len(used) else 0.0))
    out = []
    for t, idx in enumerate(order):
        v = patterns[idx]
        s = xi @ v
        if np.isinf(beta):
            w = (s >= s.max() - TIE_RTOL * bound * np.linalg.norm(v)).astype(float)
        else:
            w = np.exp(beta * (s - s.max()))
        w /= w.sum()
        xi = xi + (w / tau)[:, None] * (-xi + lam + v[None, :])
        if (t + 1) % record_every == 0:
            out.append(xi.copy())
    return np.array(out).reshape(-1, *xi.shape)


def _as_bounded(x, name, ndim):
    arr = as_array(x, name, ndim=ndim)
    if arr.size and np.max(np.abs(arr)) > MAX_ENTRY:
        raise ValueError(f"{name} entries must have magnitude <= {MAX_ENTRY:g} (larger ones overflow the logits)")
    return arr


def simulate(xi0, patterns, order, *, beta, tau, lam=None, record_every=1):
    r"""Integrate the softmax synaptic dynamics (eq. 14 of [NLR]) with Euler steps of length 1.

    At step ``t`` the visible layer is clamped to ``v = patterns[order[t]]``,
    ``w = softmax(beta * Xi @ v)`` and ``Xi += (w / tau)[:, None] * (-Xi + lam + v)``.

    Parameters
    ----------
    xi0 : array_like, shape (N_h, N_v)
        Initial memory matrix, one memory per row.
    patterns : array_like, shape (P, N_v)
        The patterns the visible layer can be clamped to (rows).
    order : array_like of int, shape (T,)
        Index of the clamped pattern at each step, each in ``[0, P)``.
    beta : float
        Inverse temperature of the softmax, ``> 0``; ``np.inf`` gives the
        hard arg-max.  Ties at ``np.inf``: every row whose logit lies within
        ``TIE_RTOL * R * ||v||`` of the largest one shares the update equally,
        with ``TIE_RTOL = 1e-9`` and ``R = max(max_mu ||xi0_mu||, max_mu ||lam_mu||
        + max_q ||patterns_q||)`` (``q`` over the patterns in ``order``), a bound
        on every row's norm along the run, so ``R ||v||`` bounds every logit.  Both
        kernels (the incremental one for ``P <= 1024`` patterns, the direct one
        beyond) decide ties, and weights at very large finite ``beta``, from the
        same direct dot products, so the result does not depend on ``P``.
    tau : float
        Synaptic time scale :math:`\tau_\Xi` in steps, ``>= 1`` (so that each
        step is a convex combination of a row and its target).
    lam : array_like, shape (N_h, N_v), optional
        Synaptic bias :math:`\Lambda`; zero by default.
    record_every : int, default 1
        Store Ξ after every ``record_every``-th step (steps ``record_every``,
        ``2 record_every``, ...).

    Returns
    -------
    ndarray, shape (T // record_every, N_h, N_v)
        Ξ after the recorded steps (with the default, after every step).

    Raises
    ------
    TypeError
        If an argument has the wrong type (``order`` not integer, ...).
    ValueError
        On shape mismatches, non-finite or huge entries, an index of
        ``order`` outside ``[0, P)``, ``beta <= 0``, ``tau < 1``, or beyond
        the limits below.

    Notes
    -----
    Limits (checked before anything is allocated): the output and the
    workspace (``T // record_every * N_h * N_v`` recorded values, the
    ``N_h x P`` logits and the ``P x P`` Gram matrix for ``P <= 1024``) must fit
    in 1 GiB, and the work, ``T * N_h * (N_v + P)`` multiply-adds for
    ``P <= 1024`` (every row moves at small ``beta``) or ``2 T N_h N_v``
    beyond, each counted as 8 elementary steps (the loops are bound by memory
    traffic, not arithmetic), at most ``MAX_WORK = 2e10`` (about ten seconds).
    """
    xi0 = _as_bounded(xi0, "xi0", 2)
    patterns = _as_bounded(patterns, "patterns", 2)
    if xi0.shape[0] == 0 or xi0.shape[1] == 0:
        raise ValueError(f"xi0 must have at least one row and one column; got shape {xi0.shape}")
    if patterns.shape[0] == 0 or patterns.shape[1] != xi0.shape[1]:
        raise ValueError(f"patterns must have shape (P >= 1, {xi0.shape[1]}) to match xi0; got {patterns.shape}")
    try:
        order_arr = np.asarray(order)
    except ValueError as exc:  # a ragged sequence
        raise ValueError("order must be a one-dimensional array of integers; got a ragged sequence") from exc
    if order_arr.dtype == bool or not np.issubdtype(order_arr.dtype, np.integer):
        raise TypeError(f"order must be an array of integers; got dtype {order_arr.dtype}")
    if order_arr.ndim != 1:
        raise ValueError(f"order must be one-dimensional; got shape {order_arr.shape}")
    if order_arr.size > MAX_STEPS:
        raise ValueError(f"order must have at most {MAX_STEPS} steps")
    if order_arr.size and (order_arr.min() < 0 or order_arr.max() >= patterns.shape[0]):
        raise ValueError(f"order must index patterns: every entry in [0, {patterns.shape[0]})")
    order_arr = np.ascontiguousarray(order_arr, dtype=np.int64)
    beta = as_positive(beta, "beta", allow_inf=True)
    tau = as_positive(tau, "tau")
    if tau < 1.0:
        raise ValueError(f"tau must be >= 1 (one Euler step of length 1 overshoots otherwise); got {tau}")
    if lam is None:
        lam = np.zeros_like(xi0)
    else:
        lam = _as_bounded(lam, "lam", 2)
        if lam.shape != xi0.shape:
            raise ValueError(f"lam must have the shape of xi0 {xi0.shape}; got {lam.shape}")
    record_every = as_int(record_every, "record_every", minimum=1)
    record_every = min(record_every, order_arr.size + 1)  # beyond len(order) nothing is recorded either way
    n_rec = order_arr.size // record_every
    if n_rec * xi0.size > MAX_OUTPUT_VALUES:
        raise ValueError(f"the output would hold {n_rec * xi0.size} values (> {MAX_OUTPUT_VALUES}): "
                         "raise record_every or shorten order")
    n_h, n_v = xi0.shape
    n_p = patterns.shape[0]
    incremental = n_p <= MAX_INCREMENTAL_PATTERNS
    ws = (2 * n_h * n_p + n_p * n_p) if incremental else 0
    check_budget("order (its length) and xi0", nbytes=8 * (n_rec * n_h * n_v + ws + 2 * n_h * n_v),
                 work=8 * order_arr.size * n_h * ((n_v + n_p) if incremental else 2 * n_v) + n_h * n_p * n_v,
                 what="recorded states, logits and steps of Xi's rows")
    out = np.empty((n_rec, xi0.shape[0], xi0.shape[1]))
    if incremental:
        logits = np.ascontiguousarray(xi0 @ patterns.T)
        lam_logits = np.ascontiguousarray(lam @ patterns.T)
        gram = np.ascontiguousarray(patterns @ patterns.T)
        return _simulate_incremental(xi0, patterns, order_arr, beta, tau, lam, record_every, out,
                                     logits, lam_logits, gram)
    return _simulate_kernel(xi0, patterns, order_arr, beta, tau, lam, record_every, out)


def cosine_theory(t, tau, alpha, *, ratio=1.0):
    r"""Cosine similarity between an exponentially relaxing memory row and its target.

    With :math:`e = e^{-t/\tau}` and the row
    :math:`\Xi_\mu(t) = e\,\Xi_\mu^{(0)} + (1-e)\,\xi'_\mu`,

    .. math::

        \operatorname{sim}(t) = \frac{e\alpha + (1-e)r}{\sqrt{e^2 + (1-e)^2r^2 + 2e(1-e)\alpha r}},

    where :math:`\alpha` is the initial cosine similarity and
    :math:`r = \|\xi'_\mu\|/\|\Xi_\mu^{(0)}\|`.  With ``ratio=1`` this is eq. (40)
    of [NLR]; ``tau`` is the row's own time scale :math:`\tau_\mu=\tau_\Xi/p_\mu`
    (eq. 35).

    Parameters
    ----------
    t : array_like
        Times (in steps), ``>= 0``.
    tau : float
        Time scale of the row, ``> 0`` (``np.inf``: the row does not move).
    alpha : float or array_like
        Initial cosine similarity, in ``[-1, 1]`` (broadcast against ``t``).
    ratio : float, default 1.0
        Norm of the target over the norm of the initial row, ``> 0``.

    Returns
    -------
    ndarray or float
        The similarity, in ``[-1, 1]``; where the row passes exactly through
        zero (only possible for ``alpha = -1``) the value 0 is returned.

    Raises
    ------
    TypeError, ValueError
        If ``t`` is negative or not finite, ``tau <= 0``, ``alpha`` outside
        ``[-1, 1]`` or ``ratio <= 0``.
    """
    t_arr = as_array(t, "t")
    if np.any(t_arr < 0):
        raise ValueError("t must be >= 0")
    tau = as_positive(tau, "tau", allow_inf=True)
    a = as_array(alpha, "alpha")
    scalar = np.ndim(t) == 0 and np.ndim(alpha) == 0  # both known rectangular here
    if np.any(np.abs(a) > 1.0):
        raise ValueError("alpha must lie in [-1, 1] (it is a cosine)")
    r = as_positive(ratio, "ratio")
    if r > MAX_ENTRY or r < 1.0 / MAX_ENTRY:
        raise ValueError(f"ratio must lie in [{1 / MAX_ENTRY:g}, {MAX_ENTRY:g}]")
    try:
        t_arr, a = np.broadcast_arrays(t_arr, a)
    except ValueError as exc:
        raise ValueError(f"t {t_arr.shape} and alpha {a.shape} do not broadcast") from exc
    e = np.exp(-t_arr / tau)
    one_e = -np.expm1(-t_arr / tau)
    num = e * a + one_e * r
    den2 = e * e + one_e * one_e * r * r + 2.0 * e * one_e * a * r
    den = np.sqrt(np.maximum(den2, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    out = np.clip(out, -1.0, 1.0)
    return float(out.ravel()[0]) if scalar else out


def cosine_similarity(xi, targets):
    r"""Row-wise cosine similarity between memory rows and their targets.

    Parameters
    ----------
    xi : array_like, shape (..., N_h, N_v)
        Memory matrices (e.g. the output of :func:`simulate`).
    targets : array_like, shape (N_h, N_v)
        Target of each row.

    Returns
    -------
    ndarray, shape (..., N_h)
        :math:`\Xi_\mu\cdot\xi'_\mu/(\|\Xi_\mu\|\|\xi'_\mu\|)`; 0 where a row or
        its target is the zero vector.

    Raises
    ------
    TypeError, ValueError
        If the arrays are not finite, or their last two axes do not match.
    """
    x = as_array(xi, "xi")
    tg = as_array(targets, "targets", ndim=2)
    if x.ndim < 2 or x.shape[-2:] != tg.shape:
        raise ValueError(f"xi must end with the shape of targets {tg.shape}; got {x.shape}")
    if x.size == 0:
        raise ValueError("xi and targets must not be empty")
    # scale both by their largest entry so that squares and products cannot overflow
    sx = np.max(np.abs(x), axis=-1, keepdims=True)
    st = np.max(np.abs(tg), axis=-1, keepdims=True)
    xs = x / np.where(sx > 0, sx, 1.0)
    ts = tg / np.where(st > 0, st, 1.0)
    dot = np.sum(xs * ts, axis=-1)
    nrm = np.linalg.norm(xs, axis=-1) * np.linalg.norm(ts, axis=-1)
    return np.where(nrm > 0, dot / np.where(nrm > 0, nrm, 1.0), 0.0)


def random_order(p, n_steps, *, rng=None):
    r"""Independent clamping events: ``n_steps`` indices drawn with probabilities ``p``.

    The same draws as ``rng.choice(len(p), n_steps, p=p)``, made in blocks so that
    nothing but the answer grows with ``n_steps``.

    Parameters
    ----------
    p : array_like, shape (P,)
        Clamping probabilities, ``>= 0``, summing to one (to 1e-9).
    n_steps : int
        Number of steps, ``0 <= n_steps <= MAX_ORDER = 2**26`` (the int64 answer
        then takes 512 MiB and a few seconds).
    rng : int, Generator or None
        Seed or generator (same seed, same sequence).

    Returns
    -------
    ndarray of int64, shape (n_steps,)

    Raises
    ------
    TypeError, ValueError
        If ``p`` is not a finite probability vector or ``n_steps`` is not a
        non-negative integer within the limit.
    """
    prob = as_array(p, "p", ndim=1)
    if prob.size == 0 or np.any(prob < 0) or abs(prob.sum() - 1.0) > 1e-9:
        raise ValueError("p must be a non-empty vector of probabilities >= 0 summing to 1")
    n_steps = as_int(n_steps, "n_steps", minimum=0)
    if n_steps > MAX_ORDER:
        raise ValueError(f"n_steps must be <= MAX_ORDER = {MAX_ORDER} (an int64 answer of 512 MiB); got {n_steps}")
    gen = as_generator(rng)
    if prob.size == 1 or n_steps <= _ORDER_BLOCK:
        return gen.choice(prob.size, size=n_steps, p=prob / prob.sum()).astype(np.int64)
    cdf = np.cumsum(prob / prob.sum())
    cdf /= cdf[-1]
    out = np.empty(n_steps, dtype=np.int64)
    for start in range(0, n_steps, _ORDER_BLOCK):  # Generator.choice's own method, one block at a time
        stop = min(start + _ORDER_BLOCK, n_steps)
        out[start:stop] = cdf.searchsorted(gen.random(stop - start), side="right")
    return out


def orthogonal_memories(n_h, n_v, *, rng=None):
    r"""``n_h`` mutually orthogonal random rows of squared norm ``n_v`` (Gram--Schmidt, [NLR] eq. 42).

    Computed as the Q factor of a Gaussian ``n_v x n_h`` matrix (LAPACK's Householder QR,
    with the signs of Gram--Schmidt).

    Parameters
    ----------
    n_h : int
        Number of memories, ``1 <= n_h <= n_v``.
    n_v : int
        Number of visible units.
    rng : int, Generator or None
        Seed or generator.

    Returns
    -------
    ndarray, shape (n_h, n_v)
        Rows orthogonal to round-off, each of norm ``sqrt(n_v)``.

    Raises
    ------
    TypeError, ValueError
        If the sizes are not integers with ``1 <= n_h <= n_v``, or beyond the
        limits: memory ``32 n_h n_v`` bytes <= 1 GiB (``n_h n_v <= 2**25``) and
        work ``8 n_v n_h**2 <= MAX_WORK = 2e10`` (the QR and the forming of Q count
        ``4 n_v n_h**2`` flops; e.g. ``n_h = 1000``, ``n_v = 2500``: a few seconds).
    """
    n_h = as_int(n_h, "n_h", minimum=1)
    n_v = as_int(n_v, "n_v", minimum=1)
    if n_h > n_v:
        raise ValueError(f"n_h must be <= n_v (at most n_v orthogonal rows); got n_h={n_h}, n_v={n_v}")
    check_budget("n_h and n_v", nbytes=32 * n_h * n_v, work=8 * n_v * n_h * n_h, what="Householder QR")
    gen = as_generator(rng)
    g = gen.standard_normal((n_v, n_h))
    q, r = np.linalg.qr(g)
    del g
    q *= np.sign(np.where(np.diag(r) == 0, 1.0, np.diag(r)))  # the Gram-Schmidt signs
    q *= math.sqrt(n_v)
    return np.ascontiguousarray(q.T)


def legacy_inputs(n_h=4, n_v=50, noise=0.4, *, seed=41):
    r"""The initial memories and the patterns of the reference run of [NLR] Figure 1, rebuilt draw for draw.

    The reference script (``memory-dynamics-theoretical.py`` of github.com/danielelotito/softmax-synapses,
    commit 784cf80d0124beaf2c64184b163135c9fe65117f) seeds NumPy's legacy global generator with
    ``np.random.seed(41)``, builds the memories row by row -- a fresh standard normal row, from which the
    projections on the previous rows are subtracted one at a time (sequential Gram--Schmidt), then normalised and
    scaled to norm :math:`\sqrt{N_v}` -- and then adds ``noise`` times a standard normal row to each memory, row
    by row.  This function does the same with its own :class:`numpy.random.RandomState` (the legacy generator,
    whose ``standard_normal`` draws what the global ``np.random.randn`` draws after the same seed), in the same
    order of operations, so that on one machine the arrays agree bit for bit with the script's.

    Parameters
    ----------
    n_h, n_v : int
        Number of memories and of visible units, ``1 <= n_h <= n_v <= 10**6``, with ``n_h <= 1000``
        (the script's row-by-row Gram--Schmidt is a Python loop of ``n_h (n_h - 1) / 2`` projections),
        ``20 n_h**2 n_v <= MAX_WORK`` (e.g. ``n_h = 300`` at ``n_v = 10**4``) and ``16 n_h n_v`` bytes <= 1 GiB.
    noise : float
        Standard deviation of the noise added to each entry (the script's ``noise_level``),
        ``0 <= noise <= 1e100`` (``MAX_ENTRY``, what :func:`simulate` accepts).
    seed : int
        Seed of the legacy generator (the script uses 41).

    Returns
    -------
    xi0 : ndarray, shape (n_h, n_v)
        The initial memories.
    patterns : ndarray, shape (n_h, n_v)
        The targets :math:`\xi'_\mu = \xi^{(0)}_\mu + \text{noise}\cdot\eta_\mu`.

    Raises
    ------
    TypeError, ValueError
        If a size is not an integer in range, ``noise`` is negative or not finite, or ``seed`` is not a valid
        legacy seed.
    """
    n_h = as_int(n_h, "n_h", minimum=1)
    n_v = as_int(n_v, "n_v", minimum=1)
    if n_h > n_v or n_v > 10**6:
        raise ValueError(f"need 1 <= n_h <= n_v <= 1e6; got n_h={n_h}, n_v={n_v}")
    if n_h > 1000:
        raise ValueError(f"n_h must be <= 1000 (a Python loop of n_h**2/2 projections); got {n_h}")
    check_budget("n_h and n_v", nbytes=16 * n_h * n_v, work=20 * n_h * n_h * n_v,
                 what="sequential Gram-Schmidt, 20 steps per entry of each projection (NumPy temporaries)")
    noise = as_positive(noise, "noise", allow_zero=True)
    if noise > MAX_ENTRY:
        raise ValueError(f"noise must be <= {MAX_ENTRY:g} (larger entries overflow the logits); got {noise}")
    seed = as_int(seed, "seed", minimum=0)
    if seed >= 2**32:
        raise ValueError(f"seed must be < 2**32 (a legacy seed); got {seed}")
    rs = np.random.RandomState(seed)
    xi0 = np.zeros((n_h, n_v))
    for i in range(n_h):
        xi0[i, :] = rs.standard_normal(n_v)
        for j in range(i):
            xi0[i, :] -= np.dot(xi0[i, :], xi0[j, :]) / np.dot(xi0[j, :], xi0[j, :]) * xi0[j, :]
        xi0[i, :] /= np.linalg.norm(xi0[i, :])
        xi0[i, :] *= np.sqrt(n_v)
    patterns = xi0.copy()
    for i in range(n_h):
        patterns[i, :] += noise * rs.standard_normal(n_v)
    return xi0, patterns


def benchmarks(quick: bool = True):
    """Time the synaptic kernel against a per-step NumPy loop on the Figure-1 problem and a larger one."""
    from attractors.bench import compare

    rng = np.random.default_rng(0)
    out = []
    cases = [("Figure 1", 4, 50, 2000), ("large", 100, 1000, 500 if quick else 2000)]
    kw = dict(repeat=3 if quick else 5, min_time=0.02 if quick else 0.1)
    for label, n_h, n_v, steps in cases:
        xi0 = orthogonal_memories(n_h, n_v, rng=rng) if n_h <= n_v else rng.standard_normal((n_h, n_v))
        pats = xi0 + 0.4 * rng.standard_normal((n_h, n_v))
        order = np.arange(steps) % n_h
        lam = np.zeros_like(xi0)
        every = 1 if n_h * n_v <= 10**4 else 100  # keep the recorded trajectory small

        def kernel(xi0=xi0, pats=pats, order=order, every=every):
            return simulate(xi0, pats, order, beta=2.0, tau=250.0, record_every=every)

        def reference(xi0=xi0, pats=pats, order=order, lam=lam, every=every):
            return _simulate_reference(xi0, pats, order, 2.0, 250.0, lam, every)

        out.append(compare("synapses", f"simulate ({label})", f"Nh={n_h} Nv={n_v} T={steps}", kernel, reference,
                           note="numba vs per-step NumPy loop", **kw))
    return out
