r"""Generating functions ("Lagrangians"), Legendre energies and two-family neural dynamics.

Chapters 11 and 12 of the book derive everything here, following [NLR]
sections 2-5 (after Krotov and Hopfield, 2021) and [LF] section 4.

Generating functions
    A generating function is a convex :math:`\mathcal L:\mathbb R^n\to\mathbb R`; its
    gradient :math:`g=\nabla\mathcal L` is the *activation* of the layer and its
    Hessian :math:`H=\nabla^2\mathcal L` the *gain*.  :func:`lagrangian` builds one
    of the following (the other functions accept one state ``(n,)``
    or a batch of states as rows ``(B, n)``):

    ==============  =================================================  ==========================================
    kind            :math:`\mathcal L(x)`                               activation :math:`g(x)`
    ==============  =================================================  ==========================================
    ``quadratic``   :math:`\frac s2\sum_i x_i^2`                        :math:`s\,x`
    ``logcosh``     :math:`\beta^{-1}\sum_i\log\cosh(\beta x_i)`         :math:`\tanh(\beta x)`
    ``lse``         :math:`\beta^{-1}\log\sum_i e^{\beta x_i}`          :math:`\operatorname{softmax}(\beta x)`
    ``power``       :math:`\frac1n\sum_i\max(x_i,0)^n`, :math:`n\ge2`   :math:`\max(x,0)^{n-1}`
    ``quadform``    :math:`\frac12x^\top Ax`, :math:`A\succeq0`        :math:`Ax`
    ``leaky_tanh``  :math:`\frac s2\sum_i x_i^2+\sum_i\log\cosh x_i`      :math:`s\,x+\tanh x`
    ==============  =================================================  ==========================================

    Hessians: :math:`sI`; :math:`\beta\operatorname{diag}(1-g^2)`;
    :math:`\beta(\operatorname{diag}p-pp^\top)` (singular along :math:`\mathbb 1`);
    :math:`(n-1)\operatorname{diag}\max(x,0)^{n-2}`; :math:`A`;
    :math:`\operatorname{diag}(s+1-\tanh^2x)`.

Quasi-equilibrium energy ([NLR] eq. 3, Krotov and Hopfield's energy at :math:`\tau_h\to0`)
    With couplings :math:`J` (shape ``(N_h, N_v)``), visible input :math:`I` and
    hidden bias :math:`b`, the hidden layer sits at :math:`h=Jg(v)+b` and

    .. math::
        E_{\rm QE}(v)=(v-I)\cdot g(v)-\mathcal L_v(v)-\mathcal L_h\big(Jg(v)+b\big),\qquad
        \tau_v\dot v=-v+I+J^\top f\big(Jg(v)+b\big),

    :math:`f=\nabla\mathcal L_h`.  Along every trajectory
    :math:`\dot E_{\rm QE}=-\tau_v\dot v^\top H_v\dot v\le0` ([NLR] eqs. 6-8).

Two-family dynamics ([NLR] eqs. 17-19, [LF] Def. 16)
    .. math::
        \tau_v\dot v=-v+I+J^\top f(h),\qquad \tau_h\dot h=-h+Jg(v)+b,

        E(v,h)=[(v-I)\cdot g-\mathcal L_v]+[h\cdot f-\mathcal L_h]-f^\top(Jg+b),

    with :math:`\dot E=-\tau_v\dot v^\top H_v\dot v-\tau_h\dot h^\top H_h\dot h`;
    on the slow manifold :math:`h=Jg+b` it equals :math:`E_{\rm QE}`.

Stochastic two-family dynamics ([LF] Thm. 17 and its correction, chapter 11)
    :func:`langevin_two` integrates, by Euler-Maruyama, an ensemble of
    ``form="langevin"``: :math:`dx=[-K\nabla E+T\nabla\!\cdot\!K]dt+\sqrt{2TK}\,dW`
    with :math:`K=\operatorname{diag}(H_v^{-1},H_h^{-1})`, whose stationary law is
    :math:`\propto e^{-E/T}`; ``form="no_divergence"`` drops :math:`T\nabla\cdot K`;
    ``form="source"`` is [LF] Thm. 17 as printed:
    :math:`dv=K_v[J^\top f-v+I]dt+\sqrt{2T}\,dW_v` (and the same for :math:`h`).

The integrators run in numba kernels (fixed step RK4 or explicit Euler); the
NumPy functions :func:`value`, :func:`activation`, :func:`hessian` are the
references they are tested against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from attractors._validate import as_array, as_generator, as_int, as_positive, check_budget
from attractors.numerics import logcosh, logsumexp, softmax

__all__ = [
    "KINDS",
    "Lagrangian",
    "lagrangian",
    "value",
    "activation",
    "hessian",
    "legendre",
    "energy_qe",
    "rhs_qe",
    "dissipation_qe",
    "energy_two",
    "integrate_qe",
    "integrate_two",
    "langevin_two",
    "benchmarks",
]

#: The kinds of generating function :func:`lagrangian` accepts, with their kernel codes.
KINDS = {"quadratic": 0, "logcosh": 1, "lse": 2, "power": 3, "quadform": 4, "leaky_tanh": 5}

#: Largest number of steps an integrator accepts (memory and work are capped by ``_validate.check_budget`` too).
MAX_STEPS = 10**8


@dataclass(frozen=True, eq=False)
class Lagrangian:
    """A generating function: ``kind`` and its parameters (see :func:`lagrangian`, which builds one).

    The constructor validates its arguments exactly as :func:`lagrangian` does.
    """

    kind: str
    beta: float = 1.0
    degree: float = 3.0
    scale: float = 1.0
    matrix: np.ndarray | None = None

    def __post_init__(self):
        kind, matrix = self.kind, self.matrix
        if not isinstance(kind, str):
            raise TypeError(f"kind must be a string; got {type(kind).__name__}")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}; got {kind!r}")
        beta = as_positive(self.beta, "beta")
        scale = as_positive(self.scale, "scale")
        degree = as_positive(self.degree, "degree")
        if degree < 2 or degree > 64:
            raise ValueError(f"degree must be between 2 and 64; got {degree}")
        A = None
        if kind == "quadform":
            if matrix is None:
                raise ValueError("matrix is required for kind='quadform'")
            A = as_array(matrix, "matrix", ndim=2)
            if A.shape[0] != A.shape[1] or A.shape[0] == 0:
                raise ValueError(f"matrix must be square and non-empty; got shape {A.shape}")
            n = A.shape[0]
            check_budget("matrix", nbytes=8 * 4 * n * n, work=4 * n**3,
                         what="the symmetric eigenvalue problem that checks convexity")
            s = float(np.max(np.abs(A)))
            if not np.allclose(A, A.T, rtol=0.0, atol=1e-12 * max(s, 1e-300)):
                raise ValueError("matrix must be symmetric")
            A = 0.5 * (A + A.T)
            lo = float(np.min(np.linalg.eigvalsh(A)))
            if lo < -1e-10 * max(s, 1e-300) * A.shape[0]:
                raise ValueError(f"matrix must be positive semi-definite (a convex generating function); "
                                 f"min eigenvalue {lo:.3g}")
            A.setflags(write=False)
        elif matrix is not None:
            raise ValueError(f"matrix is only used by kind='quadform'; got it with kind={kind!r}")
        for name, val in (("beta", beta), ("degree", degree), ("scale", scale), ("matrix", A)):
            object.__setattr__(self, name, val)

    @property
    def code(self) -> int:
        return KINDS[self.kind]

    @property
    def size(self) -> int | None:
        """The dimension the function requires (``quadform`` only), else ``None``."""
        return None if self.matrix is None else self.matrix.shape[0]

    def _kernel_args(self):
        # a writeable copy: a read-only array would make numba compile the kernels a second time
        A = self.matrix.copy() if self.matrix is not None else np.zeros((1, 1))
        return self.code, self.beta, self.degree, self.scale, A

    def __repr__(self) -> str:
        extra = {"quadratic": f"scale={self.scale:g}", "logcosh": f"beta={self.beta:g}", "lse": f"beta={self.beta:g}",
                 "power": f"degree={self.degree:g}", "leaky_tanh": f"scale={self.scale:g}",
                 "quadform": f"matrix of shape {None if self.matrix is None else self.matrix.shape}"}[self.kind]
        return f"Lagrangian({self.kind!r}, {extra})"


def lagrangian(kind: str, *, beta: float = 1.0, degree: float = 3.0, scale: float = 1.0, matrix=None) -> Lagrangian:
    r"""Build a generating function (table in the module docstring).

    Parameters
    ----------
    kind : {"quadratic", "logcosh", "lse", "power", "quadform", "leaky_tanh"}
        Which function.
    beta : float, default 1.0
        Gain of ``logcosh`` and ``lse`` (> 0).
    degree : float, default 3.0
        Exponent :math:`n\in[2, 64]` of ``power``.
    scale : float, default 1.0
        Curvature :math:`s>0` of ``quadratic``; leak :math:`s>0` of ``leaky_tanh``.
    matrix : array_like, shape (n, n)
        The symmetric positive semi-definite :math:`A` of ``quadform`` (required there, refused elsewhere);
        its eigenvalues are computed to check convexity, so ``4 n^3 <= MAX_WORK`` (``n`` up to about 1700,
        a few seconds) and ``32 n^2`` bytes <= 1 GiB.

    Returns
    -------
    Lagrangian

    Raises
    ------
    TypeError
        If ``kind`` is not a string or a parameter is not a real number / array.
    ValueError
        If ``kind`` is unknown, a parameter is out of range, or ``matrix`` is not square,
        symmetric and positive semi-definite.
    """
    return Lagrangian(kind, beta, degree, scale, matrix)


def _check_L(L, name: str) -> Lagrangian:
    if not isinstance(L, Lagrangian):
        raise TypeError(f"{name} must be a Lagrangian (see lagrangian()); got {type(L).__name__}")
    return L


def _states(x, name: str, n: int | None = None) -> np.ndarray:
    arr = as_array(x, name, ndim=(1, 2))
    if arr.shape[-1] == 0:
        raise ValueError(f"{name} must have at least one component; got shape {arr.shape}")
    if n is not None and arr.shape[-1] != n:
        raise ValueError(f"{name} must have {n} components; got shape {arr.shape}")
    return arr


def _for_L(L: Lagrangian, x: np.ndarray, name: str) -> None:
    if L.size is not None and x.shape[-1] != L.size:
        raise ValueError(f"{name} must have {L.size} components (the size of the quadform matrix); got shape {x.shape}")


class _Overflow(ValueError):
    """A finite state whose image under a generating function overflows (re-raised naming the argument)."""


def _no_nan(out, name: str):
    """Finite inputs can overflow (``power`` of a huge state): report it instead of returning NaN."""
    if np.any(np.isnan(out)):
        raise ValueError(f"{name} is too large for these generating functions: the result overflows (inf - inf)")
    return out


# ----------------------------------------------------------------------------- NumPy reference

def value(L, x):
    r"""The generating function :math:`\mathcal L(x)` (NumPy, overflow-free where the kind allows).

    Parameters
    ----------
    L : Lagrangian
    x : array_like, shape (n,) or (B, n)

    Returns
    -------
    float or ndarray of shape (B,)
        (``power`` of a huge argument may be ``inf``, never NaN.)

    Raises
    ------
    TypeError, ValueError
        If ``L`` is not a Lagrangian or ``x`` is not a finite real array of the right size.
    """
    L = _check_L(L, "L")
    x = _states(x, "x")
    _for_L(L, x, "x")
    return _value(L, x)


def _value(L: Lagrangian, x: np.ndarray):
    k = L.kind
    with np.errstate(over="ignore", invalid="ignore"):
        if k == "quadratic":
            out = 0.5 * L.scale * np.sum(x * x, axis=-1)
        elif k == "logcosh":
            out = np.sum(logcosh(L.beta * x), axis=-1) / L.beta
        elif k == "lse":
            out = logsumexp(x, L.beta, axis=-1)
        elif k == "power":
            out = np.sum(np.maximum(x, 0.0) ** L.degree, axis=-1) / L.degree
        elif k == "quadform":
            out = 0.5 * np.einsum("...i,ij,...j->...", x, L.matrix, x)
        else:  # leaky_tanh
            out = 0.5 * L.scale * np.sum(x * x, axis=-1) + np.sum(logcosh(x), axis=-1)
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=float)


def activation(L, x):
    r"""The activation :math:`g(x)=\nabla\mathcal L(x)`.

    Parameters
    ----------
    L : Lagrangian
    x : array_like, shape (n,) or (B, n)

    Returns
    -------
    ndarray, same shape as ``x``

    Raises
    ------
    TypeError, ValueError
        As :func:`value`.
    """
    L = _check_L(L, "L")
    x = _states(x, "x")
    _for_L(L, x, "x")
    try:
        return _activation(L, x)
    except _Overflow as exc:
        raise ValueError(f"x is too large: {exc}") from None


def _activation(L: Lagrangian, x: np.ndarray):
    k = L.kind
    if k == "lse" and not np.all(np.isfinite(x)):
        raise _Overflow("the hidden input of a log-sum-exp layer overflows")
    with np.errstate(over="ignore", invalid="ignore"):
        if k == "quadratic":
            return L.scale * x
        if k == "logcosh":
            return np.tanh(L.beta * x)
        if k == "lse":
            return softmax(x, L.beta, axis=-1)
        if k == "power":
            return np.maximum(x, 0.0) ** (L.degree - 1.0)
        if k == "quadform":
            return x @ L.matrix
        return L.scale * x + np.tanh(x)


def hessian(L, x):
    r"""The Hessian :math:`\nabla^2\mathcal L(x)`.

    Parameters
    ----------
    L : Lagrangian
    x : array_like, shape (n,) or (B, n)

    Returns
    -------
    ndarray, shape (n, n) or (B, n, n)

    Raises
    ------
    TypeError, ValueError
        As :func:`value`; also when the dense answer and its workspace, ``8 (3 B n^2 + n^2)``
        bytes, would exceed 1 GiB (checked before allocating).
    """
    L = _check_L(L, "L")
    x = _states(x, "x")
    _for_L(L, x, "x")
    n = x.shape[-1]
    check_budget("x (its size)", nbytes=8 * (3 * x.size * n + n * n), work=3 * x.size * n, what="dense Hessians")
    k = L.kind
    eye = np.eye(n)
    with np.errstate(over="ignore"):
        if k == "quadratic":
            d = np.full(x.shape, L.scale)
        elif k == "logcosh":
            d = L.beta * (1.0 - np.tanh(L.beta * x) ** 2)
        elif k == "power":
            d = (L.degree - 1.0) * np.maximum(x, 0.0) ** (L.degree - 2.0)
            if L.degree == 2.0:
                d = (x > 0).astype(float)
        elif k == "leaky_tanh":
            d = L.scale + 1.0 - np.tanh(x) ** 2
        elif k == "lse":
            p = softmax(x, L.beta, axis=-1)
            return L.beta * (p[..., :, None] * eye - p[..., :, None] * p[..., None, :])
        else:  # quadform
            return np.broadcast_to(L.matrix, x.shape[:-1] + (n, n)).copy()
    return d[..., :, None] * eye


def legendre(L, x):
    r"""The Legendre transform at the point :math:`g=\nabla\mathcal L(x)`: :math:`\mathcal L^*(g)=x\cdot g-\mathcal L(x)`.

    Parameters
    ----------
    L : Lagrangian
    x : array_like, shape (n,) or (B, n)

    Returns
    -------
    float or ndarray of shape (B,)

    Raises
    ------
    TypeError, ValueError
        As :func:`value`.
    """
    g = activation(L, x)
    x = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        out = _no_nan(np.sum(x * g, axis=-1) - value(L, x), "x")
    return float(out) if np.ndim(out) == 0 else out


# ----------------------------------------------------------------------------- network validation

def _names_overflow(name: str):
    """Decorator: an internal overflow is reported as a ValueError naming the caller's state argument."""
    import functools

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except _Overflow as exc:
                raise ValueError(f"{name} is too large for these generating functions: {exc}") from None
        return wrapper
    return deco


def _network(v, J, Lv, Lh, I, b, vname="v"):
    Lv = _check_L(Lv, "Lv")
    Lh = _check_L(Lh, "Lh")
    J = as_array(J, "J", ndim=2)
    if J.shape[0] == 0 or J.shape[1] == 0:
        raise ValueError(f"J must have at least one row and one column; got shape {J.shape}")
    Nh, Nv = J.shape
    v = _states(v, vname, Nv)
    if Lv.size is not None and Lv.size != Nv:
        raise ValueError(f"Lv's matrix must be {Nv} x {Nv} (J has {Nv} columns); got {Lv.size}")
    if Lh.size is not None and Lh.size != Nh:
        raise ValueError(f"Lh's matrix must be {Nh} x {Nh} (J has {Nh} rows); got {Lh.size}")
    I = np.zeros(Nv) if I is None else as_array(I, "I", ndim=1)
    if I.shape != (Nv,):
        raise ValueError(f"I must have shape ({Nv},); got {I.shape}")
    b = np.zeros(Nh) if b is None else as_array(b, "b", ndim=1)
    if b.shape != (Nh,):
        raise ValueError(f"b must have shape ({Nh},); got {b.shape}")
    return v, J, Lv, Lh, I, b


@_names_overflow("v (or J, I, b)")
def energy_qe(v, J, Lv, Lh, *, I=None, b=None):
    r"""Quasi-equilibrium energy :math:`E_{\rm QE}=(v-I)\cdot g-\mathcal L_v(v)-\mathcal L_h(Jg+b)` ([NLR] eq. 3).

    Parameters
    ----------
    v : array_like, shape (N_v,) or (B, N_v)
        Visible state(s).
    J : array_like, shape (N_h, N_v)
        Couplings (``J = Xi`` for Krotov-Hopfield networks, the identity for [NLR] sec. 5.2).
    Lv, Lh : Lagrangian
        Generating functions of the visible and hidden layers.
    I : array_like, shape (N_v,), optional
        Visible input (default 0).
    b : array_like, shape (N_h,), optional
        Hidden bias (default 0).

    Returns
    -------
    float or ndarray of shape (B,)

    Raises
    ------
    TypeError, ValueError
        On malformed or mismatched inputs.
    """
    v, J, Lv, Lh, I, b = _network(v, J, Lv, Lh, I, b)
    g = _activation(Lv, v)
    with np.errstate(invalid="ignore", over="ignore"):
        h = g @ J.T + b
        out = np.sum((v - I) * g, axis=-1) - np.asarray(_value(Lv, v)) - np.asarray(_value(Lh, h))
    _no_nan(out, "v (or J, I, b)")
    return float(out) if np.ndim(out) == 0 else out


@_names_overflow("v (or J, I, b)")
def rhs_qe(v, J, Lv, Lh, *, I=None, b=None):
    r"""Right-hand side :math:`\tau_v\dot v=-v+I+J^\top f(Jg(v)+b)` of [NLR] eqs. 7 and 9.

    One Euler step with ``dt = tau_v`` maps ``v`` to ``v + rhs_qe(v, ...)``.

    Parameters
    ----------
    v, J, Lv, Lh, I, b
        As :func:`energy_qe`.

    Returns
    -------
    ndarray, same shape as ``v``

    Raises
    ------
    TypeError, ValueError
        On malformed or mismatched inputs.
    """
    v, J, Lv, Lh, I, b = _network(v, J, Lv, Lh, I, b)
    with np.errstate(invalid="ignore", over="ignore"):
        g = _activation(Lv, v)
        f = _activation(Lh, g @ J.T + b)
        out = -v + I + f @ J
    return _no_nan(out, "v (or J, I, b)")


def dissipation_qe(v, J, Lv, Lh, *, tau_v: float = 1.0, I=None, b=None):
    r"""The predicted energy slope :math:`dE_{\rm QE}/dt=-\tau_v\dot v^\top H_v\dot v` ([NLR] eq. 6).

    Evaluated as :math:`-r^\top H_v r/\tau_v` with :math:`r=\tau_v\dot v` (:func:`rhs_qe`), so that
    no intermediate grows with :math:`1/\tau_v`, and without forming the Hessian (its quadratic form
    per kind: :math:`O(n)` per state, :math:`O(n^2)` for ``quadform``).

    Parameters
    ----------
    v, J, Lv, Lh, I, b
        As :func:`energy_qe`.
    tau_v : float, default 1.0
        Visible time constant (> 0).

    Returns
    -------
    float or ndarray of shape (B,)

    Raises
    ------
    TypeError, ValueError
        On malformed or mismatched inputs, or when the slope overflows (``tau_v`` too small for
        the size of :math:`r^\top H_v r`, or ``v``, ``J``, ``I``, ``b`` too large).
    """
    tau_v = as_positive(tau_v, "tau_v")
    r = rhs_qe(v, J, Lv, Lh, I=I, b=b)
    x = np.asarray(v, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        q = _no_nan(_hess_quad(Lv, x, r), "v, J, I or b")
        if not np.all(np.isfinite(q)):
            raise ValueError("v, J, I or b is too large: the quadratic form of the visible Hessian overflows")
        out = -q / tau_v
    if not np.all(np.isfinite(out)):
        raise ValueError(f"tau_v is too small for this state: the energy slope -r.H.r / tau_v overflows; "
                         f"got tau_v={tau_v:g}")
    return float(out) if np.ndim(out) == 0 else out


def _hess_quad(L: Lagrangian, x: np.ndarray, r: np.ndarray):
    """r^T H(x) r for each state (rows), without the dense Hessian."""
    k = L.kind
    if k == "quadratic":
        return L.scale * np.sum(r * r, axis=-1)
    if k == "logcosh":
        t = np.tanh(L.beta * x)
        return L.beta * np.sum((1.0 - t * t) * r * r, axis=-1)
    if k == "power":
        d = (x > 0).astype(float) if L.degree == 2.0 else (L.degree - 1.0) * np.maximum(x, 0.0) ** (L.degree - 2.0)
        return np.sum(d * r * r, axis=-1)
    if k == "leaky_tanh":
        t = np.tanh(x)
        return np.sum((L.scale + 1.0 - t * t) * r * r, axis=-1)
    if k == "lse":
        p = softmax(x, L.beta, axis=-1)
        pr = np.sum(p * r, axis=-1)
        return L.beta * (np.sum(p * r * r, axis=-1) - pr * pr)
    return np.einsum("...i,ij,...j->...", r, L.matrix, r)


@_names_overflow("v (or J, I, b)")
def energy_two(v, h, J, Lv, Lh, *, I=None, b=None):
    r"""Two-family energy of [NLR] eq. 19 / [LF] Def. 16 (with a hidden bias ``b``).

    :math:`E=[(v-I)\cdot g-\mathcal L_v]+[h\cdot f-\mathcal L_h]-f^\top(Jg+b)`.

    Parameters
    ----------
    v : array_like, shape (N_v,) or (B, N_v)
    h : array_like, shape (N_h,) or (B, N_h)
    J, Lv, Lh, I, b
        As :func:`energy_qe`.

    Returns
    -------
    float or ndarray of shape (B,)

    Raises
    ------
    TypeError, ValueError
        On malformed or mismatched inputs.
    """
    v, J, Lv, Lh, I, b = _network(v, J, Lv, Lh, I, b)
    h = _states(h, "h", J.shape[0])
    if h.ndim != v.ndim or (h.ndim == 2 and h.shape[0] != v.shape[0]):
        raise ValueError(f"h must hold as many states as v; got shapes {h.shape} and {v.shape}")
    with np.errstate(invalid="ignore", over="ignore"):
        g = _activation(Lv, v)
        f = _activation(Lh, h)
        out = (np.sum((v - I) * g, axis=-1) - np.asarray(_value(Lv, v)) + np.sum(h * f, axis=-1)
               - np.asarray(_value(Lh, h)) - np.sum(f * (g @ J.T + b), axis=-1))
    _no_nan(out, "v or h (or J, I, b)")
    return float(out) if np.ndim(out) == 0 else out


# ----------------------------------------------------------------------------- numba kernels

@njit(cache=True)
def _lc(x):
    a = abs(x)
    if a < 1.0:
        s = math.sinh(0.5 * x)
        return math.log1p(2.0 * s * s)
    return a + math.log1p(math.exp(-2.0 * a)) - math.log(2.0)


@njit(cache=True)
def _grad(code, beta, degree, scale, A, x, out):
    n = x.shape[0]
    if code == 0:
        for i in range(n):
            out[i] = scale * x[i]
    elif code == 1:
        for i in range(n):
            out[i] = math.tanh(beta * x[i])
    elif code == 2:
        m = -np.inf
        for i in range(n):
            if x[i] > m:
                m = x[i]
        s = 0.0
        for i in range(n):
            out[i] = math.exp(beta * (x[i] - m))
            s += out[i]
        for i in range(n):
            out[i] /= s
    elif code == 3:
        for i in range(n):
            out[i] = x[i] ** (degree - 1.0) if x[i] > 0.0 else 0.0
    elif code == 4:
        for i in range(n):
            acc = 0.0
            for j in range(n):
                acc += A[i, j] * x[j]
            out[i] = acc
    else:
        for i in range(n):
            out[i] = scale * x[i] + math.tanh(x[i])


@njit(cache=True)
def _diag_hess(code, beta, degree, scale, x, out):
    """Diagonal Hessians (codes 0, 1, 3, 5) and the diagonal's derivative, for the SDE kernel."""
    n = x.shape[0]
    for i in range(n):
        if code == 0:
            out[i] = scale
        elif code == 1:
            t = math.tanh(beta * x[i])
            out[i] = beta * (1.0 - t * t)
        elif code == 3:
            if x[i] > 0.0:
                out[i] = (degree - 1.0) * x[i] ** (degree - 2.0)
            else:
                out[i] = 0.0
        else:
            t = math.tanh(x[i])
            out[i] = scale + 1.0 - t * t


@njit(cache=True)
def _rhs_qe_kernel(v, J, I, b, cv, bv, dv, sv, Av, ch, bh, dh, sh, Ah, g, h, f, out):
    Nh, Nv = J.shape
    _grad(cv, bv, dv, sv, Av, v, g)
    for mu in range(Nh):
        acc = b[mu]
        for i in range(Nv):
            acc += J[mu, i] * g[i]
        h[mu] = acc
    _grad(ch, bh, dh, sh, Ah, h, f)
    for i in range(Nv):
        out[i] = I[i] - v[i]
    for mu in range(Nh):
        fm = f[mu]
        for i in range(Nv):
            out[i] += J[mu, i] * fm


@njit(cache=True)
def _integrate_qe_kernel(v0, J, I, b, cv, bv, dv, sv, Av, ch, bh, dh, sh, Ah, tau, dt, n_steps, every, rk4):
    Nh, Nv = J.shape
    n_rec = n_steps // every + 1
    V = np.empty((n_rec, Nv))
    v = v0.copy()
    g = np.empty(Nv)
    h = np.empty(Nh)
    f = np.empty(Nh)
    k1 = np.empty(Nv)
    k2 = np.empty(Nv)
    k3 = np.empty(Nv)
    k4 = np.empty(Nv)
    tmp = np.empty(Nv)
    c = dt / tau
    V[0] = v
    r = 1
    for step in range(1, n_steps + 1):
        _rhs_qe_kernel(v, J, I, b, cv, bv, dv, sv, Av, ch, bh, dh, sh, Ah, g, h, f, k1)
        if rk4:
            for i in range(Nv):
                tmp[i] = v[i] + 0.5 * c * k1[i]
            _rhs_qe_kernel(tmp, J, I, b, cv, bv, dv, sv, Av, ch, bh, dh, sh, Ah, g, h, f, k2)
            for i in range(Nv):
                tmp[i] = v[i] + 0.5 * c * k2[i]
            _rhs_qe_kernel(tmp, J, I, b, cv, bv, dv, sv, Av, ch, bh, dh, sh, Ah, g, h, f, k3)
            for i in range(Nv):
                tmp[i] = v[i] + c * k3[i]
            _rhs_qe_kernel(tmp, J, I, b, cv, bv, dv, sv, Av, ch, bh, dh, sh, Ah, g, h, f, k4)
            for i in range(Nv):
                v[i] += c * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]) / 6.0
        else:
            for i in range(Nv):
                v[i] += c * k1[i]
        if step % every == 0:
            V[r] = v
            r += 1
    return V


@njit(cache=True)
def _rhs_two_kernel(v, h, J, I, b, cv, bv, dv, sv, Av, ch, bh, dh, sh, Ah, tau_v, tau_h, g, f, ov, oh):
    Nh, Nv = J.shape
    _grad(cv, bv, dv, sv, Av, v, g)
    _grad(ch, bh, dh, sh, Ah, h, f)
    for i in range(Nv):
        ov[i] = I[i] - v[i]
    for mu in range(Nh):
        fm = f[mu]
        acc = b[mu] - h[mu]
        for i in range(Nv):
            ov[i] += J[mu, i] * fm
            acc += J[mu, i] * g[i]
        oh[mu] = acc / tau_h
    for i in range(Nv):
        ov[i] /= tau_v


@njit(cache=True)
def _integrate_two_kernel(v0, h0, J, I, b, cv, bv, dv, sv, Av, ch, bh, dh, sh, Ah, tau_v, tau_h, dt, n_steps,
                          every, rk4):
    Nh, Nv = J.shape
    n_rec = n_steps // every + 1
    V = np.empty((n_rec, Nv))
    H = np.empty((n_rec, Nh))
    v = v0.copy()
    h = h0.copy()
    g = np.empty(Nv)
    f = np.empty(Nh)
    kv = np.zeros((4, Nv))
    kh = np.zeros((4, Nh))
    tv = np.empty(Nv)
    th = np.empty(Nh)
    V[0] = v
    H[0] = h
    r = 1
    for step in range(1, n_steps + 1):
        if rk4:
            for s in range(4):
                fac = 0.0 if s == 0 else (0.5 * dt if s < 3 else dt)
                for i in range(Nv):
                    tv[i] = v[i] + fac * (kv[s - 1, i] if s > 0 else 0.0)
                for mu in range(Nh):
                    th[mu] = h[mu] + fac * (kh[s - 1, mu] if s > 0 else 0.0)
                _rhs_two_kernel(tv, th, J, I, b, cv, bv, dv, sv, Av, ch, bh, dh, sh, Ah, tau_v, tau_h, g, f,
                                kv[s], kh[s])
            for i in range(Nv):
                v[i] += dt * (kv[0, i] + 2.0 * kv[1, i] + 2.0 * kv[2, i] + kv[3, i]) / 6.0
            for mu in range(Nh):
                h[mu] += dt * (kh[0, mu] + 2.0 * kh[1, mu] + 2.0 * kh[2, mu] + kh[3, mu]) / 6.0
        else:
            _rhs_two_kernel(v, h, J, I, b, cv, bv, dv, sv, Av, ch, bh, dh, sh, Ah, tau_v, tau_h, g, f, kv[0], kh[0])
            for i in range(Nv):
                v[i] += dt * kv[0, i]
            for mu in range(Nh):
                h[mu] += dt * kh[0, mu]
        if step % every == 0:
            V[r] = v
            H[r] = h
            r += 1
    return V, H


@njit(cache=True)
def _dk(code, scale, x, Hd):
    """d/dx of K = 1/H for the diagonal kinds used by the SDE (0: constant, 5: leaky_tanh)."""
    if code == 0:
        return 0.0
    t = math.tanh(x)
    dH = -2.0 * t * (1.0 - t * t)
    return -dH / (Hd * Hd)


@njit(cache=True)
def _langevin_kernel(V0, H0, J, I, b, cv, sv, ch, sh, T, dt, n_steps, form, rng):
    M, Nv = V0.shape
    Nh = J.shape[0]
    V = V0.copy()
    H = H0.copy()
    Av = np.zeros((1, 1))
    g = np.empty(Nv)
    f = np.empty(Nh)
    Hv = np.empty(Nv)
    Hh = np.empty(Nh)
    ov = np.empty(Nv)
    oh = np.empty(Nh)
    sq = math.sqrt(2.0 * T * dt)
    for m in range(M):
        v = V[m]
        h = H[m]
        for step in range(n_steps):
            _rhs_two_kernel(v, h, J, I, b, cv, 1.0, 3.0, sv, Av, ch, 1.0, 3.0, sh, Av, 1.0, 1.0, g, f, ov, oh)
            _diag_hess(cv, 1.0, 3.0, sv, v, Hv)
            _diag_hess(ch, 1.0, 3.0, sh, h, Hh)
            for i in range(Nv):
                if form == 0:  # source: K [bracket] dt + sqrt(2T) dW, dW standard
                    v[i] += dt * ov[i] / Hv[i] + sq * rng.standard_normal()
                else:
                    drift = ov[i]
                    if form == 1:
                        drift += T * _dk(cv, sv, v[i], Hv[i])
                    v[i] += dt * drift + sq * math.sqrt(1.0 / Hv[i]) * rng.standard_normal()
            for mu in range(Nh):
                if form == 0:
                    h[mu] += dt * oh[mu] / Hh[mu] + sq * rng.standard_normal()
                else:
                    drift = oh[mu]
                    if form == 1:
                        drift += T * _dk(ch, sh, h[mu], Hh[mu])
                    h[mu] += dt * drift + sq * math.sqrt(1.0 / Hh[mu]) * rng.standard_normal()
    return V, H


# ----------------------------------------------------------------------------- integrators

#: Elementary steps charged per multiply-add of the kernels' coupling loops (sums in a fixed order, which the
#: compiler may not vectorise: measured at about 6 times the cost of a vectorised multiply-add).
_MAC = 8


def _grad_cost(L: Lagrangian, n: int) -> int:
    """Elementary steps of one activation of a layer of n units (a matrix-vector product for quadform)."""
    return _MAC * n * n if L.kind == "quadform" else 20 * n


def _steps(dt, n_steps, record_every, width, step_work):
    """Validate the step arguments and check the budget: recorded numbers and ``n_steps * step_work``."""
    dt = as_positive(dt, "dt")
    n_steps = as_int(n_steps, "n_steps", minimum=1)
    if n_steps > MAX_STEPS:
        raise ValueError(f"n_steps must be <= {MAX_STEPS}; got {n_steps}")
    record_every = as_int(record_every, "record_every", minimum=1)
    if record_every > n_steps:
        raise ValueError(f"record_every must be <= n_steps ({n_steps}); got {record_every}")
    n_rec = n_steps // record_every + 1
    check_budget("n_steps / record_every", nbytes=8 * n_rec * (width + 1), what="the recorded trajectory")
    check_budget("n_steps (with the sizes of J)", work=n_steps * step_work, what="right-hand sides")
    return dt, n_steps, record_every


def _method(method) -> bool:
    if not isinstance(method, str):
        raise TypeError(f"method must be a string; got {type(method).__name__}")
    if method not in ("rk4", "euler"):
        raise ValueError(f"method must be 'rk4' or 'euler'; got {method!r}")
    return method == "rk4"


def integrate_qe(v0, J, Lv, Lh, *, tau_v: float = 1.0, dt: float, n_steps: int, I=None, b=None,
                 method: str = "rk4", record_every: int = 1):
    r"""Integrate :math:`\tau_v\dot v=-v+I+J^\top f(Jg(v)+b)` (the quasi-equilibrium limit) in a numba kernel.

    Parameters
    ----------
    v0 : array_like, shape (N_v,)
        Initial visible state.
    J, Lv, Lh, I, b
        As :func:`energy_qe`.
    tau_v : float, default 1.0
        Visible time constant.
    dt : float
        Time step (> 0).  ``method="euler"`` with ``dt = tau_v`` is the one-step update of [NLR] eq. 2.
    n_steps : int
        Number of steps (>= 1).
    method : {"rk4", "euler"}
        Classical Runge-Kutta (4th order) or explicit Euler.
    record_every : int, default 1
        Store the state every this many steps.

    Returns
    -------
    t : ndarray, shape (n_rec,)
    V : ndarray, shape (n_rec, N_v)

    Raises
    ------
    TypeError, ValueError
        On malformed inputs, beyond the limits, or a diverging (non-finite) state.

    Notes
    -----
    Limits, checked before anything is allocated: ``n_steps <= 1e8``; the recorded trajectory,
    ``8 (n_steps // record_every + 1)(N_v + 1)`` bytes, at most 1 GiB; and the work, ``n_steps`` times
    ``s (16 N_h N_v + a_v + a_h) + 4 N_v`` with ``s = 4`` stages for RK4 (1 for Euler) and ``a = 20 n``
    for an activation of ``n`` units (``8 n^2`` for ``quadform``), at most ``MAX_WORK = 2e10``
    (about ten seconds; a multiply-add of the fixed-order coupling sums counts 8 steps).
    """
    v0, J, Lv, Lh, I, b = _network(v0, J, Lv, Lh, I, b, vname="v0")
    if v0.ndim != 1:
        raise ValueError(f"v0 must be one state of shape ({J.shape[1]},); got {v0.shape}")
    tau_v = as_positive(tau_v, "tau_v")
    rk4 = _method(method)
    Nh, Nv = J.shape
    rhs = _MAC * 2 * Nh * Nv + _grad_cost(Lv, Nv) + _grad_cost(Lh, Nh)
    dt, n_steps, record_every = _steps(dt, n_steps, record_every, Nv, (4 if rk4 else 1) * rhs + 4 * Nv)
    V = _integrate_qe_kernel(v0, J, I, b, *Lv._kernel_args(), *Lh._kernel_args(), tau_v, dt, n_steps,
                             record_every, rk4)
    if not np.all(np.isfinite(V)):
        raise ValueError("the integration diverged (non-finite state): dt is too large for tau_v, or v0, J, I or b "
                         "too large")
    t = dt * record_every * np.arange(V.shape[0])
    return t, V


def integrate_two(v0, h0, J, Lv, Lh, *, tau_v: float = 1.0, tau_h: float, dt: float, n_steps: int, I=None, b=None,
                  method: str = "rk4", record_every: int = 1):
    r"""Integrate the two-family dynamics of [NLR] eq. 17 / [LF] Def. 16 in a numba kernel.

    :math:`\tau_v\dot v=-v+I+J^\top f(h)`, :math:`\tau_h\dot h=-h+Jg(v)+b`.

    Parameters
    ----------
    v0 : array_like, shape (N_v,)
    h0 : array_like, shape (N_h,)
    J, Lv, Lh, I, b
        As :func:`energy_qe`.
    tau_v, tau_h : float
        Time constants (> 0).  Explicit schemes need ``dt`` below about ``2.5 tau_h``.
    dt : float
    n_steps : int
    method : {"rk4", "euler"}
    record_every : int, default 1

    Returns
    -------
    t : ndarray, shape (n_rec,)
    V : ndarray, shape (n_rec, N_v)
    H : ndarray, shape (n_rec, N_h)

    Raises
    ------
    TypeError, ValueError
        On malformed inputs, beyond the limits, or a diverging (non-finite) state.

    Notes
    -----
    Limits as :func:`integrate_qe`, with ``N_v + N_h`` recorded numbers per record and
    ``s (16 N_h N_v + a_v + a_h + 2 (N_v + N_h)) + 8 (N_v + N_h)`` elementary steps per time step.
    """
    v0, J, Lv, Lh, I, b = _network(v0, J, Lv, Lh, I, b, vname="v0")
    if v0.ndim != 1:
        raise ValueError(f"v0 must be one state of shape ({J.shape[1]},); got {v0.shape}")
    h0 = as_array(h0, "h0", ndim=1)
    if h0.shape != (J.shape[0],):
        raise ValueError(f"h0 must have shape ({J.shape[0]},); got {h0.shape}")
    tau_v = as_positive(tau_v, "tau_v")
    tau_h = as_positive(tau_h, "tau_h")
    rk4 = _method(method)
    Nh, Nv = J.shape
    rhs = _MAC * 2 * Nh * Nv + _grad_cost(Lv, Nv) + _grad_cost(Lh, Nh) + 2 * (Nv + Nh)
    dt, n_steps, record_every = _steps(dt, n_steps, record_every, Nv + Nh, (4 if rk4 else 1) * rhs + 8 * (Nv + Nh))
    V, H = _integrate_two_kernel(v0, h0, J, I, b, *Lv._kernel_args(), *Lh._kernel_args(), tau_v, tau_h, dt,
                                 n_steps, record_every, rk4)
    if not (np.all(np.isfinite(V)) and np.all(np.isfinite(H))):
        raise ValueError("the integration diverged (non-finite state): dt is too large for tau_v and tau_h, or v0, h0, "
                         "J, I or b too large")
    t = dt * record_every * np.arange(V.shape[0])
    return t, V, H


_FORMS = {"source": 0, "langevin": 1, "no_divergence": 2}


def langevin_two(v0, h0, J, Lv, Lh, *, T: float, dt: float, n_steps: int, rng, form: str = "langevin",
                 I=None, b=None):
    r"""Euler-Maruyama ensemble of the stochastic two-family network (time constants 1).

    ``form`` selects the drift and noise (module docstring): ``"langevin"`` samples
    :math:`e^{-E/T}` (:func:`energy_two`) as :math:`dt\to0`; ``"no_divergence"`` omits
    :math:`T\nabla\cdot K`; ``"source"`` is [LF] Theorem 17 as printed (standard noise).
    Only generating functions with a diagonal Hessian bounded away from 0 are
    accepted: ``quadratic`` and ``leaky_tanh``.  Noise is drawn as the steps go.

    Parameters
    ----------
    v0 : array_like, shape (M, N_v)
        Initial visible states of the M chains.
    h0 : array_like, shape (M, N_h)
        Initial hidden states.
    J, Lv, Lh, I, b
        As :func:`energy_qe`.
    T : float
        Temperature (> 0).
    dt : float
        Time step (> 0).
    n_steps : int
        Steps per chain (>= 1); ``n_steps * M <= 1e8`` and
        ``n_steps M (16 N_h N_v + 300 (N_v + N_h)) <= MAX_WORK`` (checked before any work; a
        Gaussian draw and the Hessian's ``tanh`` count as many steps).
    rng : int, SeedSequence or numpy.random.Generator
        Randomness (same seed, same result).
    form : {"langevin", "no_divergence", "source"}

    Returns
    -------
    V : ndarray, shape (M, N_v)
    H : ndarray, shape (M, N_h)
        The states after ``n_steps``.

    Raises
    ------
    TypeError, ValueError
        On malformed inputs, unsupported kinds, absurd sizes, or a diverging (non-finite) state.
    """
    v0, J, Lv, Lh, I, b = _network(v0, J, Lv, Lh, I, b, vname="v0")
    if v0.ndim != 2:
        raise ValueError(f"v0 must be an ensemble of shape (M, {J.shape[1]}); got {v0.shape}")
    h0 = as_array(h0, "h0", ndim=2)
    if h0.shape != (v0.shape[0], J.shape[0]):
        raise ValueError(f"h0 must have shape ({v0.shape[0]}, {J.shape[0]}); got {h0.shape}")
    for name, L in (("Lv", Lv), ("Lh", Lh)):
        if L.kind not in ("quadratic", "leaky_tanh"):
            raise ValueError(f"{name} must be of kind 'quadratic' or 'leaky_tanh' for langevin_two; got {L.kind!r}")
    T = as_positive(T, "T")
    dt = as_positive(dt, "dt")
    n_steps = as_int(n_steps, "n_steps", minimum=1)
    if n_steps * v0.shape[0] > MAX_STEPS:
        raise ValueError(f"n_steps times the ensemble size must be <= {MAX_STEPS}; got {n_steps * v0.shape[0]}")
    Nh, Nv = J.shape
    check_budget("n_steps (with the ensemble size and the sizes of J)",
                 work=n_steps * v0.shape[0] * (_MAC * 2 * Nh * Nv + 300 * (Nv + Nh)), what="Euler-Maruyama steps")
    if not isinstance(form, str):
        raise TypeError(f"form must be a string; got {type(form).__name__}")
    if form not in _FORMS:
        raise ValueError(f"form must be one of {sorted(_FORMS)}; got {form!r}")
    gen = as_generator(rng)
    V, H = _langevin_kernel(v0, h0, J, I, b, Lv.code, Lv.scale, Lh.code, Lh.scale, T, dt, n_steps, _FORMS[form], gen)
    if not (np.all(np.isfinite(V)) and np.all(np.isfinite(H))):
        raise ValueError("the Euler-Maruyama scheme diverged (non-finite state): reduce dt, or the coupling "
                         "is too strong for exp(-E/T) to exist")
    return V, H


# ----------------------------------------------------------------------------- benchmarks

def _integrate_qe_numpy(v0, J, Lv, Lh, tau, dt, n_steps):
    """Plain NumPy RK4 reference of :func:`integrate_qe` (record every step)."""
    def f(v):
        return rhs_qe(v, J, Lv, Lh)

    V = np.empty((n_steps + 1, v0.size))
    V[0] = v = v0.copy()
    c = dt / tau
    for k in range(1, n_steps + 1):
        k1 = f(v)
        k2 = f(v + 0.5 * c * k1)
        k3 = f(v + 0.5 * c * k2)
        k4 = f(v + c * k3)
        v = v + c * (k1 + 2 * k2 + 2 * k3 + k4) / 6
        V[k] = v
    return V


def benchmarks(quick: bool = True):
    """Time the quasi-equilibrium RK4 kernel against a per-step NumPy loop (modern-Hopfield generating functions)."""
    from attractors.bench import compare

    rng = np.random.default_rng(0)
    Nh, Nv = (16, 32) if quick else (64, 256)
    n = 200 if quick else 1000
    Xi = rng.standard_normal((Nh, Nv)) / math.sqrt(Nv)
    Lv, Lh = lagrangian("quadratic"), lagrangian("lse", beta=4.0)
    v0 = rng.standard_normal(Nv)

    def kernel():
        return integrate_qe(v0, Xi, Lv, Lh, dt=0.05, n_steps=n)[1]

    def reference():
        return _integrate_qe_numpy(v0, Xi, Lv, Lh, 1.0, 0.05, n)

    kw = dict(repeat=3 if quick else 5, min_time=0.02 if quick else 0.1)
    return [compare("lagrangians", "integrate_qe (RK4)", f"Nh={Nh} Nv={Nv} T={n}", kernel, reference,
                    note="numba vs NumPy per-step loop", **kw)]
