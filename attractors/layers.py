r"""Hopfield layers with hand-derived forward and backward passes (Chapter 10).

The book's Chapter 10 (*Hopfield layers*) derives every formula below, following
[CHN] chapter 4 and Ramsauer et al. (2021).  Patterns are rows: ``X`` has shape
``(P, N)`` (``P`` stored patterns of ``N`` units); queries are rows of ``Q``,
shape ``(B, N)``.

Hopfield layer (a recurrent softmax loop on logits)
    With :math:`A = \beta X X^\top` (``P x P``, symmetric, positive semi-definite)
    and a per-pattern bias :math:`b`,

    .. math::

        l_0 = \beta X q + b, \qquad p_t = \operatorname{softmax}(l_t), \qquad
        l_{t+1} = A p_t + b \quad (t = 0, \dots, T-1).

    The layer returns the logits :math:`l_T`; the retrieved state is
    :math:`\xi = X^\top \operatorname{softmax}(l_T)`.  With :math:`b = 0`,
    :math:`l_t = \beta X \xi_t` where :math:`\xi_{t+1} = X^\top\operatorname{softmax}(\beta X\xi_t)`
    is the modern Hopfield update, so the logit loop and the state loop have the
    same fixed points.  With :math:`b_\mu = -\beta\lVert x_\mu\rVert^2/2` the update
    is :math:`\xi \leftarrow X^\top\operatorname{softmax}(-\tfrac\beta2\lVert\xi - x_\mu\rVert^2)`:
    one step of the Gaussian mean-shift iteration.

Backward pass (reverse-mode, derived in the chapter)
    For a loss :math:`\mathcal L` with :math:`g_T = \partial\mathcal L/\partial l_T`,
    for :math:`t = T, \dots, 1`:
    :math:`\partial\mathcal L/\partial A \mathrel{+}= p_{t-1} g_t^\top`,
    :math:`u = A g_t`, :math:`g_{t-1} = p_{t-1}\odot(u - p_{t-1}^\top u)`;
    and :math:`\partial\mathcal L/\partial b = \sum_{t=0}^T g_t`,
    :math:`\partial\mathcal L/\partial q = \beta X^\top g_0`,
    :math:`\partial\mathcal L/\partial X = \beta g_0 q^\top + \beta(G_A + G_A^\top)X`,
    :math:`\partial\mathcal L/\partial\beta = g_0^\top X q + \langle G_A, XX^\top\rangle`.

DeepHNN ([CHN] sec. 4.2)
    ``C`` classes, ``K`` patterns per class (rows ``c*K .. c*K+K-1`` of ``W``);
    class score :math:`s_c = \gamma^{-1}\log\sum_k e^{\gamma l_{T,(c,k)}} + c_c`
    (``gamma = inf``: the maximum, as in the source); loss = mean cross-entropy
    :math:`\operatorname{lse}(s) - s_y` plus :math:`\tfrac\lambda2\lVert W\rVert^2`.
    Parameters are packed as ``theta = [W.ravel(), c, log beta]``.

ConvHNN2d ([CHN] sec. 4.3), used as a denoiser
    Every ``k x k`` patch (stride 1) of an image is replaced by the retrieved
    state over stored patches, and overlapping patches are averaged.

VHNN ([CHN] sec. 4.4)
    One step :math:`\xi \leftarrow X^\top \tilde p`, :math:`p = \operatorname{softmax}(\beta X\xi)`,
    with the source's noise :math:`\tilde p = p + \eta\sqrt{p(1-p)}\odot\varepsilon`
    (``noise="diagonal"``) or the multinomial-covariance noise
    :math:`\tilde p = p + \eta(\sqrt p\odot\varepsilon - p\,\sqrt p^\top\varepsilon)`
    (``noise="multinomial"``; covariance :math:`\eta^2(\operatorname{diag}p - pp^\top)`,
    preserves :math:`\sum_k\tilde p_k = 1`), :math:`\varepsilon\sim\mathcal N(0, I)`.
"""

from __future__ import annotations


import numpy as np
from numba import njit
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from attractors._validate import as_array, as_generator, as_int, as_patterns, as_positive, check_budget
from attractors.bench import compare
from attractors.numerics import logsumexp, softmax

__all__ = [
    "hopfield_layer_forward",
    "hopfield_layer_backward",
    "retrieve",
    "central_difference",
    "deephnn_pack",
    "deephnn_unpack",
    "deephnn_scores",
    "deephnn_loss_grad",
    "train",
    "train_deephnn",
    "kmeans",
    "extract_patches",
    "fold_patches",
    "convhnn2d_denoise",
    "vhnn_noise",
    "vhnn_run",
    "hop_statistics",
    "benchmarks",
]


# --------------------------------------------------------------------------- helpers

#: Work charged for one pass of a Python-level loop (its interpreter and NumPy-call overhead, measured at
#: some 200 us for the layer loop), in the elementary steps of ``MAX_WORK``: a loop of many tiny steps is
#: capped like one of few large ones.
_STEP_OVERHEAD = 1_000_000
#: The same for one step of :func:`vhnn_run` (a softmax, a validated noise draw and two products: ~400 us).
_VHNN_STEP_OVERHEAD = 2_000_000

def _as_beta(beta) -> float:
    return as_positive(beta, "beta")


def _as_queries(xi, n: int, name: str = "xi") -> tuple[np.ndarray, bool]:
    arr = as_array(xi, name, ndim=(1, 2))
    single = arr.ndim == 1
    if single:
        arr = arr[None, :]
    if arr.shape[1] != n:
        raise ValueError(f"{name} must have {n} units (columns of X); got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one query")
    return arr, single


def _as_bias(bias, p: int, name: str = "bias") -> np.ndarray:
    if bias is None:
        return np.zeros(p)
    arr = as_array(bias, name, ndim=1)
    if arr.shape[0] != p:
        raise ValueError(f"{name} must have {p} entries (one per pattern); got shape {arr.shape}")
    return arr


def _softmax_rows(L: np.ndarray) -> np.ndarray:
    return softmax(L, axis=-1)


# --------------------------------------------------------------------------- Hopfield layer

def hopfield_layer_forward(X, xi, beta, steps: int = 1, bias=None):
    r"""Forward pass of the Hopfield layer: the recurrent softmax loop on logits.

    Implements [CHN] sec. 4.1, :math:`l_{t+1} = A_\beta\operatorname{softmax}(l_t)`
    with :math:`A_\beta = \beta XX^\top` (patterns as rows), started from
    :math:`l_0 = \beta X\xi` and with an optional per-pattern bias added at every
    step (module docstring).

    Parameters
    ----------
    X : array_like, shape (P, N)
        Stored patterns as rows.
    xi : array_like, shape (N,) or (B, N)
        Query state(s).
    beta : float
        Inverse temperature, > 0.
    steps : int, default 1
        Number of loop iterations ``T >= 0``.  Limits (checked before any work): the cache keeps every
        softmax, ``8 (T + 2) B P + 8 P^2`` bytes <= 1 GiB, and the work ``T (B P^2 + 1e6) + P^2 N + B P N``
        (multiply-adds, and 1e6 for the overhead of each pass of the loop) is at most
        ``MAX_WORK = 2e10`` (a few seconds).
    bias : array_like, shape (P,), optional
        Bias added to the logits at every step (default 0).

    Raises
    ------
    ValueError
        For malformed ``X``, ``xi`` (wrong width, NaN/inf), ``beta``, ``steps`` or ``bias``.

    Returns
    -------
    logits : ndarray, shape (P,) or (B, P)
        :math:`l_T`.
    cache : dict
        Everything :func:`hopfield_layer_backward` needs.
    """
    X = as_patterns(X, "X")
    Q, single = _as_queries(xi, X.shape[1])
    beta = _as_beta(beta)
    steps = as_int(steps, "steps", minimum=0)
    (P, N), B = X.shape, Q.shape[0]
    check_budget("steps (with the numbers of queries and patterns)", nbytes=8 * ((steps + 2) * B * P + P * P),
                 work=steps * (B * P * P + _STEP_OVERHEAD) + P * P * N + B * P * N,
                 what="the cached softmax of every step")
    b = _as_bias(bias, X.shape[0])
    with np.errstate(over="ignore", invalid="ignore"):
        A = beta * (X @ X.T)
        L = beta * (Q @ X.T) + b
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(L))):
        raise ValueError("beta (times the patterns, queries and bias) is too large: the logits overflow float64")
    probs = []
    for _ in range(steps):
        p = _softmax_rows(L)
        probs.append(p)
        L = p @ A + b
    cache = {"X": X, "Q": Q, "beta": beta, "A": A, "probs": probs, "single": single}
    return (L[0] if single else L), cache


def hopfield_layer_backward(cache: dict, grad_logits):
    r"""Backward pass of :func:`hopfield_layer_forward` (reverse-mode gradient).

    Given :math:`g_T = \partial\mathcal L/\partial l_T`, returns the gradients of
    :math:`\mathcal L` with respect to the patterns, the queries, :math:`\beta`
    and the bias, by the recursion of the module docstring (derived in
    Chapter 10; checked against central finite differences).

    Parameters
    ----------
    cache : dict
        Second output of :func:`hopfield_layer_forward`.
    grad_logits : array_like, same shape as the logits
        :math:`\partial\mathcal L/\partial l_T`.

    Returns
    -------
    dict
        ``{"X": (P, N), "xi": shape of the query, "beta": float, "bias": (P,)}``.
    """
    if not isinstance(cache, dict) or "A" not in cache:
        raise TypeError("cache must be the dict returned by hopfield_layer_forward")
    X, Q, beta, A = cache["X"], cache["Q"], cache["beta"], cache["A"]
    G = as_array(grad_logits, "grad_logits", ndim=(1, 2))
    if G.ndim == 1:
        G = G[None, :]
    if G.shape != (Q.shape[0], X.shape[0]):
        raise ValueError(f"grad_logits must have shape {(Q.shape[0], X.shape[0])}; got {G.shape}")
    gA = np.zeros_like(A)
    gb = np.zeros(X.shape[0])
    for p in reversed(cache["probs"]):
        gb += G.sum(axis=0)
        gA += p.T @ G
        u = G @ A
        G = p * (u - np.sum(p * u, axis=1, keepdims=True))
    gb += G.sum(axis=0)
    gQ = beta * (G @ X)
    gX = beta * (G.T @ Q) + beta * ((gA + gA.T) @ X)
    gbeta = float(np.sum(G * (Q @ X.T)) + np.sum(gA * (X @ X.T)))
    return {"X": gX, "xi": gQ[0] if cache["single"] else gQ, "beta": gbeta, "bias": gb}


def retrieve(X, logits):
    r"""Retrieved state :math:`\xi = X^\top\operatorname{softmax}(l)` (the *probs* read-out of [CHN] fig. 4.1).

    Parameters
    ----------
    X : array_like, shape (P, N)
        Stored patterns.
    logits : array_like, shape (P,) or (B, P)
        Logits, e.g. the output of :func:`hopfield_layer_forward`.

    Returns
    -------
    ndarray, shape (N,) or (B, N)

    Raises
    ------
    TypeError, ValueError
        For malformed ``X`` or ``logits``, or beyond the limits: the answer and the softmax,
        ``8 B (N + P)`` bytes <= 1 GiB, and ``B P N <= MAX_WORK`` multiply-adds.
    """
    X = as_patterns(X, "X")
    L = as_array(logits, "logits", ndim=(1, 2))
    if L.shape[-1] != X.shape[0]:
        raise ValueError(f"logits must have {X.shape[0]} entries per row; got shape {L.shape}")
    B = L.size // L.shape[-1]
    check_budget("logits (rows) and X", nbytes=8 * B * (X.shape[1] + 2 * X.shape[0]), work=B * X.size)
    return softmax(L, axis=-1) @ X


def central_difference(f, theta, h: float = 6e-6):
    r"""Central finite-difference gradient :math:`D_i(h) = (f(\theta + h e_i) - f(\theta - h e_i))/(2h)`.

    Its error is :math:`h^2 f'''/6` (truncation) plus at most
    :math:`\delta/h` where :math:`\delta` bounds the round-off in ``f``.

    Parameters
    ----------
    f : callable
        Scalar function of a 1-D float array.
    theta : array_like, shape (n,)
        Point.
    h : float
        Step, > 0.  The quotient divides by the step actually taken,
        ``(theta_i + h) - (theta_i - h)`` in floating point; a step lost in the
        rounding of ``theta_i`` (or one that overflows) is refused.

    Returns
    -------
    ndarray, shape (n,)

    Raises
    ------
    TypeError, ValueError
        If ``f`` is not callable, ``theta`` is not a finite vector, or ``h`` is not positive, is
        too small to move some ``theta_i`` or so large that ``theta_i +- h`` overflows.
    """
    if not callable(f):
        raise TypeError("f must be callable")
    theta = as_array(theta, "theta", ndim=1)
    h = as_positive(h, "h")
    with np.errstate(over="ignore"):
        step = (theta + h) - (theta - h)
    if not np.all(np.isfinite(step)):
        raise ValueError(f"h is too large: theta +- h overflows; got h={h:g}")
    if np.any(step == 0.0):
        raise ValueError(f"h is too small: theta_i +- h rounds to theta_i; got h={h:g}")
    out = np.empty_like(theta)
    t = theta.copy()
    for i in range(theta.size):  # one work vector, moved and restored: linear in n besides the 2n calls
        t[i] = theta[i] + h
        fp = float(f(t))
        t[i] = theta[i] - h
        fm = float(f(t))
        t[i] = theta[i]
        out[i] = (fp - fm) / step[i]
    return out


# --------------------------------------------------------------------------- DeepHNN

def deephnn_pack(W, bias, beta) -> np.ndarray:
    """Pack DeepHNN parameters into ``theta = [W.ravel(), bias, log(beta)]``.

    Parameters
    ----------
    W : array_like, shape (C*K, N)
        Patterns, class-major (rows ``c*K ... c*K+K-1`` belong to class ``c``).
    bias : array_like, shape (C,)
        Class biases.
    beta : float
        Inverse temperature, > 0.

    Returns
    -------
    ndarray
    """
    W = as_patterns(W, "W")
    bias = as_array(bias, "bias", ndim=1)
    beta = _as_beta(beta)
    return np.concatenate([W.ravel(), bias, [np.log(beta)]])


def deephnn_unpack(theta, n_classes: int, n_per_class: int, n_features: int):
    """Inverse of :func:`deephnn_pack`: returns ``(W, bias, beta)``.

    ``theta`` must have ``C*K*N + C + 1`` entries and its last one, :math:`\\log\\beta`, must lie in
    about ``[-745, 709]`` (so that :math:`\\beta` is finite and positive); otherwise ``ValueError``.
    """
    theta = as_array(theta, "theta", ndim=1)
    C = as_int(n_classes, "n_classes", minimum=1)
    K = as_int(n_per_class, "n_per_class", minimum=1)
    N = as_int(n_features, "n_features", minimum=1)
    if theta.size != C * K * N + C + 1:
        raise ValueError(f"theta must have C*K*N + C + 1 = {C * K * N + C + 1} entries; got {theta.size}")
    W = theta[: C * K * N].reshape(C * K, N)
    bias = theta[C * K * N: C * K * N + C]
    with np.errstate(over="ignore", under="ignore"):
        beta = float(np.exp(theta[-1]))
    if not 0.0 < beta < np.inf:
        raise ValueError(f"theta's last entry (log beta) must give a finite beta > 0; got {theta[-1]:g}")
    return W, bias, beta


def _check_gamma(gamma) -> float:
    return as_positive(gamma, "gamma", allow_inf=True)


def deephnn_scores(W, bias, beta, Q, n_classes: int, steps: int = 1, gamma: float = np.inf):
    r"""Class scores of a DeepHNN ([CHN] sec. 4.2, listing 4.1).

    :math:`s_c = \operatorname{lse}_\gamma(l_{T,(c,1)}, \dots, l_{T,(c,K)}) + \text{bias}_c`,
    where :math:`l_T` are the Hopfield-layer logits; ``gamma = inf`` is the
    source's max reduction.

    Parameters
    ----------
    W : array_like, shape (C*K, N)
        Patterns, class-major.
    bias : array_like, shape (C,)
        Class biases.
    beta : float
        Inverse temperature.
    Q : array_like, shape (B, N)
        Inputs.
    n_classes : int
        ``C``.
    steps : int
        Loop iterations ``T``.
    gamma : float
        Sharpness of the smooth maximum over a class's patterns (``inf``: max).

    Returns
    -------
    ndarray, shape (B, C)
    """
    s, _ = _deephnn_forward(W, bias, beta, Q, n_classes, steps, gamma)
    return s


def _deephnn_forward(W, bias, beta, Q, n_classes, steps, gamma):
    W = as_patterns(W, "W")
    C = as_int(n_classes, "n_classes", minimum=1)
    if W.shape[0] % C:
        raise ValueError(f"W must have a multiple of n_classes={C} rows; got {W.shape[0]}")
    K = W.shape[0] // C
    bias = as_array(bias, "bias", ndim=1)
    if bias.shape[0] != C:
        raise ValueError(f"bias must have n_classes={C} entries; got {bias.shape[0]}")
    gamma = _check_gamma(gamma)
    Q = as_array(Q, "Q", ndim=2)
    if Q.shape[1] != W.shape[1] or Q.shape[0] == 0:
        raise ValueError(f"Q must have at least one row and N = {W.shape[1]} columns (the width of W); got {Q.shape}")
    L, cache = hopfield_layer_forward(W, Q, beta, steps)
    Lr = L.reshape(L.shape[0], C, K)
    with np.errstate(over="ignore", invalid="ignore"):
        s = logsumexp(Lr, beta=gamma, axis=2) + bias
    if not np.all(np.isfinite(s)):
        raise ValueError("gamma is too small (or bias too large): the class scores overflow float64")
    return s, (cache, Lr, gamma, C, K)


def _as_labels(y, B: int, C: int) -> np.ndarray:
    try:
        arr = np.asarray(y)
    except ValueError as exc:
        raise ValueError("y must be a vector of integer labels; got a ragged sequence") from exc
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"y must be an integer array; got dtype {arr.dtype}")
    if arr.shape != (B,):
        raise ValueError(f"y must have shape ({B},); got {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() >= C):
        raise ValueError(f"y must be in [0, {C}); got values in [{arr.min()}, {arr.max()}]")
    return arr.astype(np.int64)


def deephnn_loss_grad(theta, Q, y, n_classes: int, n_per_class: int, steps: int = 1,
                      gamma: float = np.inf, l2: float = 0.0, l2_logbeta: float = 0.0):
    r"""Mean cross-entropy of a DeepHNN and its analytic gradient.

    :math:`\mathcal L = \frac1B\sum_b[\operatorname{lse}(s_b) - s_{b,y_b}] + \frac\lambda2\lVert W\rVert^2
    + \frac{\lambda_\beta}2(\log\beta)^2`,
    :math:`\partial\mathcal L/\partial s = (\operatorname{softmax}(s) - e_y)/B`; the smooth
    maximum passes :math:`\operatorname{softmax}_\gamma` of a class's logits back to them;
    then :func:`hopfield_layer_backward`.  The last parameter is :math:`\log\beta`
    (chain rule: :math:`\beta\,\partial\mathcal L/\partial\beta`).

    Parameters
    ----------
    theta : array_like
        Packed parameters (:func:`deephnn_pack`).
    Q : array_like, shape (B, N)
        Inputs.
    y : array_like of int, shape (B,)
        Labels in ``[0, C)``.
    n_classes, n_per_class : int
        ``C`` and ``K``.
    steps : int
        Loop iterations.
    gamma : float
        Smooth-max sharpness (``inf``: max; its gradient is then a subgradient).
    l2 : float
        Weight decay :math:`\lambda \ge 0` on the patterns.
    l2_logbeta : float
        Penalty :math:`\lambda_\beta \ge 0` on :math:`\log\beta`.  The logits scale as
        :math:`\beta\lVert W\rVert^2`, so with weight decay alone the loss can trade a smaller
        :math:`W` for a larger :math:`\beta` without end (no minimiser); penalising
        :math:`\log\beta` as well makes the objective coercive (Chapter 10).

    Returns
    -------
    loss : float
    grad : ndarray, same shape as ``theta``

    Raises
    ------
    ValueError
        If ``theta`` does not have ``C*K*N + C + 1`` entries, ``Q`` does not have ``N`` columns,
        ``y`` is not a vector of labels in ``[0, C)`` of length ``B``, or a penalty is negative.
    TypeError
        If ``y`` is not an integer array or an argument has the wrong type.
    """
    Q = as_array(Q, "Q", ndim=2)
    theta = as_array(theta, "theta", ndim=1)
    C = as_int(n_classes, "n_classes", minimum=1)
    K = as_int(n_per_class, "n_per_class", minimum=1)
    n_w = theta.size - C - 1
    if n_w <= 0 or n_w % (C * K):
        raise ValueError(f"theta must have C*K*N + C + 1 entries for some N >= 1 (C={C}, K={K}); got {theta.size}")
    if Q.shape[1] != n_w // (C * K):
        raise ValueError(f"Q must have N = {n_w // (C * K)} columns (the pattern width encoded in theta); "
                         f"got shape {Q.shape}")
    W, bias, beta = deephnn_unpack(theta, C, K, Q.shape[1])
    l2 = as_positive(l2, "l2", allow_zero=True)
    l2_logbeta = as_positive(l2_logbeta, "l2_logbeta", allow_zero=True)
    s, (cache, Lr, gamma, C, K) = _deephnn_forward(W, bias, beta, Q, n_classes, steps, gamma)
    B = Q.shape[0]
    yy = _as_labels(y, B, C)
    lse = logsumexp(s, axis=1)
    logb = float(theta[-1])
    loss = float(np.mean(lse - s[np.arange(B), yy]) + 0.5 * l2 * np.sum(W * W) + 0.5 * l2_logbeta * logb**2)
    gs = softmax(s, axis=1)
    gs[np.arange(B), yy] -= 1.0
    gs /= B
    gL = (softmax(Lr, beta=gamma, axis=2) * gs[:, :, None]).reshape(B, C * K)
    g = hopfield_layer_backward(cache, gL)
    gW = g["X"] + l2 * W
    grad = np.concatenate([gW.ravel(), gs.sum(axis=0), [beta * g["beta"] + l2_logbeta * logb]])
    return loss, grad


def train(fun, theta0, *, maxiter: int = 200, bounds=None, gtol: float = 1e-5):
    """Minimise ``fun(theta) -> (value, gradient)`` with SciPy's L-BFGS-B.

    Parameters
    ----------
    fun : callable
        Returns the loss and its gradient (``jac=True`` in SciPy's terms).
    theta0 : array_like, shape (n,)
        Starting point.
    maxiter : int
        Iteration limit of L-BFGS-B, ``1 <= maxiter <= 10**5`` (at most ``4 maxiter`` calls of ``fun``).
    bounds : sequence of (low, high), optional
        One pair per parameter (``None`` for no bound), ``low <= high``; passed to ``scipy.optimize.minimize``.
    gtol : float
        L-BFGS-B stops when the largest projected gradient component is below ``gtol``.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``result.status == 0`` means converged (gradient test met), ``1`` that ``maxiter`` was hit.

    Raises
    ------
    TypeError
        If ``fun`` is not callable.
    ValueError
        If ``theta0`` is not a finite vector, ``maxiter`` is not in ``[1, 10**5]``, ``gtol <= 0``
        or ``bounds`` is not one ``(low, high)`` pair per parameter.
    """
    if not callable(fun):
        raise TypeError("fun must be callable")
    theta0 = as_array(theta0, "theta0", ndim=1)
    maxiter = as_int(maxiter, "maxiter", minimum=1)
    if maxiter > 10**5:
        raise ValueError(f"maxiter must be <= 1e5; got {maxiter}")
    gtol = as_positive(gtol, "gtol")
    if bounds is not None:
        try:
            bd = np.array([[-np.inf if lo is None else lo, np.inf if hi is None else hi] for lo, hi in bounds],
                          dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError("bounds must be a sequence of (low, high) pairs of numbers or None") from exc
        if bd.shape != (theta0.size, 2) or np.any(np.isnan(bd)) or np.any(bd[:, 0] > bd[:, 1]):
            raise ValueError(f"bounds must hold {theta0.size} pairs (low, high) with low <= high")
    # Small matrix products: one BLAS thread is faster here and makes the
    # optimisation path independent of the machine's thread count.
    with threadpool_limits(limits=1, user_api="blas"):
        return minimize(fun, theta0, jac=True, method="L-BFGS-B", bounds=bounds,
                        options={"maxiter": maxiter, "gtol": gtol, "ftol": 1e-15, "maxfun": 4 * maxiter})


def train_deephnn(Q, y, W0, bias0, beta0, *, steps: int = 1, gamma: float = np.inf,
                  l2: float = 0.0, l2_logbeta: float = 0.0, maxiter: int = 200, gtol: float = 1e-5):
    """Train all DeepHNN parameters (patterns, class biases, log beta) by L-BFGS-B.

    Parameters
    ----------
    Q : array_like, shape (B, N)
        Training inputs.
    y : array_like of int, shape (B,)
        Labels.
    W0 : array_like, shape (C*K, N)
        Initial patterns (class-major); ``C = bias0.size``.
    bias0 : array_like, shape (C,)
        Initial class biases.
    beta0 : float
        Initial inverse temperature.
    steps, gamma, l2, l2_logbeta : see :func:`deephnn_loss_grad`.
    maxiter : int
        L-BFGS-B iteration limit, ``<= 10**5``; each iteration's evaluations are checked by
        :func:`hopfield_layer_forward`'s limits.
    gtol : float
        Gradient tolerance of L-BFGS-B (see :func:`train`).

    Returns
    -------
    W, bias, beta, result
        Trained parameters and SciPy's ``OptimizeResult``.
    """
    Q = as_array(Q, "Q", ndim=2)
    W0 = as_patterns(W0, "W0")
    bias0 = as_array(bias0, "bias0", ndim=1)
    C = bias0.size
    if C == 0 or W0.shape[0] % C:
        raise ValueError("W0 must have a multiple of bias0.size rows")
    K = W0.shape[0] // C
    theta0 = deephnn_pack(W0, bias0, as_positive(beta0, "beta0"))

    def fun(theta):
        return deephnn_loss_grad(theta, Q, y, C, K, steps, gamma, l2, l2_logbeta)

    res = train(fun, theta0, maxiter=maxiter, gtol=gtol)
    W, bias, beta = deephnn_unpack(res.x, C, K, Q.shape[1])
    return W.copy(), bias.copy(), beta, res


def kmeans(data, k: int, rng=None, iters: int = 30) -> np.ndarray:
    """Lloyd's k-means (deterministic given ``rng``): ``k`` prototypes of the rows of ``data``.

    Starts from ``k`` distinct rows drawn without replacement; an empty cluster
    keeps its previous centre.

    Parameters
    ----------
    data : array_like, shape (M, N)
    k : int
        Number of prototypes, ``1 <= k <= M``.
    rng : int or numpy.random.Generator
    iters : int
        Largest number of Lloyd iterations (``<= 10**6``); it stops earlier when the assignment repeats.
        Limits: ``iters (M k N + 1e6) <= MAX_WORK`` and ``8 (3 M k + 2 k N)`` bytes <= 1 GiB.

    Returns
    -------
    ndarray, shape (k, N)

    Raises
    ------
    ValueError
        If ``data`` is not a finite 2-D array, ``k`` is not in ``[1, M]`` or ``iters`` is out of range.
    """
    D = as_patterns(data, "data")
    k = as_int(k, "k", minimum=1)
    if k > D.shape[0]:
        raise ValueError(f"k must be <= the number of rows ({D.shape[0]}); got {k}")
    iters = as_int(iters, "iters", minimum=0)
    if iters > 10**6:
        raise ValueError(f"iters must be <= 1e6 (Lloyd's iteration stops once the assignment repeats); got {iters}")
    M, N = D.shape
    check_budget("iters (with the sizes of data and k)", nbytes=8 * (3 * M * k + 2 * k * N),
                 work=iters * (M * k * N + _STEP_OVERHEAD))
    gen = as_generator(rng)
    centres = D[gen.choice(D.shape[0], size=k, replace=False)].copy()
    sq = np.sum(D * D, axis=1)
    prev = None
    for _ in range(iters):
        d2 = sq[:, None] - 2.0 * D @ centres.T + np.sum(centres * centres, axis=1)[None, :]
        lab = np.argmin(d2, axis=1)
        if prev is not None and np.array_equal(lab, prev):
            break  # a repeated assignment gives the same centres again: converged
        prev = lab
        counts = np.bincount(lab, minlength=k)
        sums = np.zeros_like(centres)
        np.add.at(sums, lab, D)
        nz = counts > 0
        centres[nz] = sums[nz] / counts[nz, None]
    return centres


# --------------------------------------------------------------------------- ConvHNN2d

@njit(cache=True)
def _extract_patches_kernel(images, k):
    B, H, Wd = images.shape
    oh = H - k + 1
    ow = Wd - k + 1
    out = np.empty((B, oh * ow, k * k))
    for b in range(B):
        for i in range(oh):
            for j in range(ow):
                r = i * ow + j
                for di in range(k):
                    for dj in range(k):
                        out[b, r, di * k + dj] = images[b, i + di, j + dj]
    return out


@njit(cache=True)
def _fold_patches_kernel(patches, H, Wd, k):
    B = patches.shape[0]
    oh = H - k + 1
    ow = Wd - k + 1
    acc = np.zeros((B, H, Wd))
    cnt = np.zeros((H, Wd))
    for i in range(oh):
        for j in range(ow):
            for di in range(k):
                for dj in range(k):
                    cnt[i + di, j + dj] += 1.0
    for b in range(B):
        for i in range(oh):
            for j in range(ow):
                r = i * ow + j
                for di in range(k):
                    for dj in range(k):
                        acc[b, i + di, j + dj] += patches[b, r, di * k + dj]
    for b in range(B):
        for y in range(H):
            for x in range(Wd):
                acc[b, y, x] /= cnt[y, x]
    return acc


def _as_images(images, name="images"):
    arr = as_array(images, name, ndim=(2, 3))
    single = arr.ndim == 2
    if single:
        arr = arr[None]
    return np.ascontiguousarray(arr), single


def extract_patches(images, k: int) -> np.ndarray:
    """All ``k x k`` patches (stride 1, no padding) of each image, flattened row-major.

    Parameters
    ----------
    images : array_like, shape (H, W) or (B, H, W)
    k : int
        Patch side, ``1 <= k <= min(H, W)``.

    Returns
    -------
    ndarray, shape ((H-k+1)*(W-k+1), k*k) or (B, (H-k+1)*(W-k+1), k*k)

    Raises
    ------
    TypeError, ValueError
        For malformed ``images`` or ``k``, or an answer of more than 1 GiB
        (``8 B (H-k+1)(W-k+1) k^2`` bytes; checked before allocating).
    """
    imgs, single = _as_images(images)
    k = as_int(k, "k", minimum=1)
    if k > min(imgs.shape[1], imgs.shape[2]):
        raise ValueError(f"k must be <= the image side {min(imgs.shape[1:])}; got {k}")
    B, H, Wd = imgs.shape
    check_budget("k (with the size of images)", nbytes=8 * B * (H - k + 1) * (Wd - k + 1) * k * k)
    out = _extract_patches_kernel(imgs, k)
    return out[0] if single else out


def fold_patches(patches, shape, k: int) -> np.ndarray:
    """Average overlapping patches back into images (the adjoint of :func:`extract_patches`, normalised).

    Parameters
    ----------
    patches : array_like, shape (R, k*k) or (B, R, k*k)
    shape : tuple (H, W)
        Image shape; ``R = (H-k+1)*(W-k+1)``.
    k : int
        Patch side.

    Returns
    -------
    ndarray, shape (H, W) or (B, H, W)
        Each pixel is the mean of the patch entries that cover it.
    """
    arr = as_array(patches, "patches", ndim=(2, 3))
    single = arr.ndim == 2
    if single:
        arr = arr[None]
    k = as_int(k, "k", minimum=1)
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise TypeError(f"shape must be a pair (H, W) of integers; got {shape!r}")
    H, Wd = as_int(shape[0], "shape[0]", minimum=k), as_int(shape[1], "shape[1]", minimum=k)
    if arr.shape[1:] != ((H - k + 1) * (Wd - k + 1), k * k):
        raise ValueError(f"patches must have shape (B, {(H - k + 1) * (Wd - k + 1)}, {k * k}); got {arr.shape}")
    out = _fold_patches_kernel(np.ascontiguousarray(arr), H, Wd, k)
    return out[0] if single else out


def convhnn2d_denoise(images, X, beta, k: int, steps: int = 0, bias="distance"):
    r"""Denoise images patch by patch with a Hopfield layer ([CHN] sec. 4.3).

    Each ``k x k`` patch :math:`q` is replaced by :math:`X^\top\operatorname{softmax}(l_T)`
    (:func:`hopfield_layer_forward` then :func:`retrieve`), and overlapping
    patches are averaged (:func:`fold_patches`).

    Parameters
    ----------
    images : array_like, shape (H, W) or (B, H, W)
    X : array_like, shape (P, k*k)
        Stored patches.
    beta : float
        Inverse temperature.
    k : int
        Patch side.
    steps : int
        Loop iterations (0: one Hopfield update).
    bias : {"distance", None} or array_like, shape (P,)
        ``"distance"`` uses :math:`b_\mu = -\beta\lVert x_\mu\rVert^2/2`, so the
        softmax weights are :math:`\propto e^{-\beta\lVert q - x_\mu\rVert^2/2}`
        (a Gaussian kernel: mean shift); ``None`` is the plain dot-product layer.

    Returns
    -------
    ndarray, same shape as ``images``

    Raises
    ------
    TypeError, ValueError
        For malformed arguments, or beyond the limits (checked before any work): with
        ``R = B (H-k+1)(W-k+1)`` patches, ``8 R (2 k^2 + (steps + 3) P)`` bytes <= 1 GiB and
        ``R P (steps P + 2 k^2) <= MAX_WORK``.
    """
    imgs, single = _as_images(images)
    X = as_patterns(X, "X")
    k = as_int(k, "k", minimum=1)
    if X.shape[1] != k * k:
        raise ValueError(f"X must have k*k = {k * k} columns; got {X.shape[1]}")
    steps = as_int(steps, "steps", minimum=0)
    if k > min(imgs.shape[1], imgs.shape[2]):
        raise ValueError(f"k must be <= the image side {min(imgs.shape[1:])}; got {k}")
    R = imgs.shape[0] * (imgs.shape[1] - k + 1) * (imgs.shape[2] - k + 1)
    Pn = X.shape[0]
    check_budget("images, X and steps", nbytes=8 * R * (2 * k * k + (steps + 3) * Pn),
                 work=R * Pn * (steps * Pn + 2 * k * k) + steps * _STEP_OVERHEAD)
    beta = _as_beta(beta)
    if isinstance(bias, str):
        if bias != "distance":
            raise ValueError(f"bias must be 'distance', None or an array; got {bias!r}")
        with np.errstate(over="ignore"):
            b = -0.5 * beta * np.sum(X * X, axis=1)
        if not np.all(np.isfinite(b)):
            raise ValueError("X (with beta) is too large: the distance bias -beta |x|^2 / 2 overflows float64")
    else:
        b = _as_bias(bias, X.shape[0])
    P = extract_patches(imgs, k)
    B, R, _ = P.shape
    L, _ = hopfield_layer_forward(X, P.reshape(B * R, k * k), beta, steps, b)
    out = fold_patches(retrieve(X, L).reshape(B, R, k * k), imgs.shape[1:], k)
    return out[0] if single else out


# --------------------------------------------------------------------------- VHNN

def vhnn_noise(p, eps, eta, noise: str = "diagonal") -> np.ndarray:
    r"""Perturb probabilities as the VHNN does ([CHN] sec. 4.4).

    ``"diagonal"`` (the source): :math:`p + \eta\sqrt{p(1-p)}\odot\varepsilon`.
    ``"multinomial"``: :math:`p + \eta(\sqrt p\odot\varepsilon - p\,\sqrt p^\top\varepsilon)`,
    whose covariance :math:`\eta^2(\operatorname{diag}p - pp^\top)` is that of the
    empirical frequencies of :math:`n = \eta^{-2}` categorical draws.

    Parameters
    ----------
    p : array_like, shape (..., P)
        Probabilities (rows sum to one, to within ``64 P`` ulp).
    eps : array_like, same shape
        Standard normal draws.
    eta : float
        Noise level, >= 0.
    noise : {"diagonal", "multinomial"}

    Returns
    -------
    ndarray, same shape as ``p``

    Raises
    ------
    ValueError
        If ``p`` has entries outside [0, 1] or rows not summing to one, if ``eps`` has another
        shape, if ``eta < 0`` or ``noise`` is unknown.
    """
    p = as_array(p, "p", ndim=(1, 2, 3))
    eps = as_array(eps, "eps", ndim=(1, 2, 3))
    if eps.shape != p.shape:
        raise ValueError(f"eps must have the shape of p {p.shape}; got {eps.shape}")
    eta = as_positive(eta, "eta", allow_zero=True)
    if np.any(p < 0) or np.any(p > 1):
        raise ValueError("p must lie in [0, 1]")
    # rows of probabilities sum to one; allow the rounding of a softmax (a few ulp per entry)
    row_err = np.abs(np.sum(p, axis=-1) - 1.0)
    if np.any(row_err > 64 * np.finfo(float).eps * p.shape[-1]):
        raise ValueError(f"p must sum to one along its last axis; largest |sum - 1| = {np.max(row_err):.3g}")
    if not isinstance(noise, str):
        raise TypeError(f"noise must be a string; got {type(noise).__name__}")
    if noise == "diagonal":
        return p + eta * np.sqrt(p * (1.0 - p)) * eps
    if noise == "multinomial":
        sp = np.sqrt(p)
        return p + eta * (sp * eps - p * np.sum(sp * eps, axis=-1, keepdims=True))
    raise ValueError(f"noise must be 'diagonal' or 'multinomial'; got {noise!r}")


def vhnn_run(X, xi0, beta, eta, n_steps: int, rng=None, noise: str = "diagonal"):
    r"""Run VHNN chains :math:`\xi_{t+1} = X^\top\tilde p_t`, :math:`p_t = \operatorname{softmax}(\beta X\xi_t)`.

    Parameters
    ----------
    X : array_like, shape (P, N)
        Patterns.
    xi0 : array_like, shape (N,) or (B, N)
        Initial states (``B`` independent chains).
    beta : float
        Inverse temperature.
    eta : float
        Noise level :math:`\eta \ge 0` (0: the deterministic Hopfield update).
    n_steps : int
        Number of steps, ``>= 1``.  Limits (checked before any work): traces of ``16 n_steps B`` bytes
        <= 1 GiB and ``n_steps (B (2 P N + 10 P) + 2e6) <= MAX_WORK`` (2e6 for the overhead of each pass
        of the loop: at most 10**4 steps of a tiny problem).
    rng : int or numpy.random.Generator
    noise : {"diagonal", "multinomial"}
        See :func:`vhnn_noise`.

    Raises
    ------
    ValueError
        For malformed ``X``, ``xi0``, ``beta``, ``eta``, ``noise`` or a trace too long to return.

    Returns
    -------
    winners : ndarray of int, shape (n_steps, B)
        :math:`\arg\max_\mu p_{t,\mu}` at each step (the attractor being visited).
    pmax : ndarray, shape (n_steps, B)
        :math:`\max_\mu p_{t,\mu}`.
    xi : ndarray, shape (B, N)
        Final states.
    """
    X = as_patterns(X, "X")
    Q, _ = _as_queries(xi0, X.shape[1], "xi0")
    beta = _as_beta(beta)
    eta = as_positive(eta, "eta", allow_zero=True)
    n_steps = as_int(n_steps, "n_steps", minimum=1)
    if not isinstance(noise, str) or noise not in ("diagonal", "multinomial"):
        raise ValueError(f"noise must be 'diagonal' or 'multinomial'; got {noise!r}")
    B, (P, N) = Q.shape[0], X.shape
    check_budget("n_steps (with the number of chains)", nbytes=16 * n_steps * B + 48 * B * P,
                 work=n_steps * (B * (2 * P * N + 10 * P) + _VHNN_STEP_OVERHEAD), what="traces and steps")
    gen = as_generator(rng)
    winners = np.empty((n_steps, Q.shape[0]), dtype=np.int64)
    pmax = np.empty((n_steps, Q.shape[0]))
    xi = Q.copy()
    for t in range(n_steps):
        p = softmax(beta * (xi @ X.T), axis=1)
        winners[t] = np.argmax(p, axis=1)
        pmax[t] = np.max(p, axis=1)
        # the noise is drawn step by step (the same stream as one (n_steps, B, P) draw, without storing it)
        eps = gen.standard_normal((Q.shape[0], X.shape[0]))
        xi = vhnn_noise(p, eps, eta, noise) @ X
    return winners, pmax, xi


def hop_statistics(winners, burn_in: int = 0):
    """Hopping statistics of VHNN chains.

    Parameters
    ----------
    winners : array_like of int, shape (T, B)
        Output of :func:`vhnn_run`, with ``B >= 2`` chains (the standard error is the spread
        between chains; with one chain it is undefined and the call is refused).
    burn_in : int
        Steps discarded at the start; at least 2 steps must remain.

    Returns
    -------
    rate : float
        Fraction of steps at which the winning pattern changes (pooled over chains).
    rate_se : float
        Its standard error, from the spread of the per-chain rates.
    n_visited : float
        Mean number of distinct patterns visited per chain.
    """
    try:
        w = np.asarray(winners)
    except ValueError as exc:
        raise ValueError("winners must be a 2-D integer array (T, B); got a ragged sequence") from exc
    if w.ndim != 2 or not np.issubdtype(w.dtype, np.integer):
        raise ValueError("winners must be a 2-D integer array (T, B)")
    if w.shape[1] < 2:
        raise ValueError(f"winners must hold at least 2 chains (columns): the standard error is their spread; "
                         f"got shape {w.shape}")
    burn_in = as_int(burn_in, "burn_in", minimum=0)
    if w.shape[0] - burn_in < 2:
        raise ValueError(f"burn_in leaves fewer than 2 of the {w.shape[0]} steps of winners")
    w = w[burn_in:]
    per_chain = np.mean(w[1:] != w[:-1], axis=0)
    B = w.shape[1]
    se = float(np.std(per_chain, ddof=1) / np.sqrt(B))
    visited = float(np.mean([np.unique(w[:, b]).size for b in range(B)]))
    return float(np.mean(per_chain)), se, visited


# --------------------------------------------------------------------------- references and benchmarks

def _extract_patches_numpy(images, k):
    v = np.lib.stride_tricks.sliding_window_view(images, (k, k), axis=(1, 2))
    B, oh, ow = v.shape[:3]
    return v.reshape(B, oh * ow, k * k)


def _fold_patches_numpy(patches, H, Wd, k):
    B = patches.shape[0]
    oh, ow = H - k + 1, Wd - k + 1
    P = patches.reshape(B, oh, ow, k, k)
    acc = np.zeros((B, H, Wd))
    cnt = np.zeros((H, Wd))
    for di in range(k):
        for dj in range(k):
            acc[:, di:di + oh, dj:dj + ow] += P[:, :, :, di, dj]
            cnt[di:di + oh, dj:dj + ow] += 1.0
    return acc / cnt


def benchmarks(quick: bool = True):
    """Time the patch kernels against NumPy references and the batched layer against a per-sample loop."""
    gen = np.random.default_rng(0)
    B = 200 if quick else 2000
    imgs = gen.random((B, 8, 8))
    k = 4
    patches = _extract_patches_kernel(imgs, k)
    X = gen.random((64, 64))
    Q = gen.random((B, 64))
    mt = 0.02 if quick else 0.1
    rep = 3 if quick else 5

    def per_sample():
        return [hopfield_layer_forward(X, q, 0.5, 2)[0] for q in Q]

    return [
        compare("layers", "extract_patches", f"{B}x8x8 k={k}", lambda: _extract_patches_kernel(imgs, k),
                lambda: _extract_patches_numpy(imgs, k).copy(), repeat=rep, min_time=mt),
        compare("layers", "fold_patches", f"{B}x25x16", lambda: _fold_patches_kernel(patches, 8, 8, k),
                lambda: _fold_patches_numpy(patches, 8, 8, k), repeat=rep, min_time=mt),
        compare("layers", "hopfield_layer_forward", f"B={B} P=64 N=64 T=2",
                lambda: hopfield_layer_forward(X, Q, 0.5, 2)[0], per_sample,
                note="batched vs per-sample loop", repeat=rep, min_time=mt),
    ]
