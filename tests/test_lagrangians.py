"""Tests of attractors.lagrangians: generating functions, Legendre energies, integrators, the SDE kernel."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attractors import lagrangians as lg
from attractors import modern

EPS = np.finfo(float).eps


def all_kinds(n=5, rng=None):
    rng = np.random.default_rng(0) if rng is None else rng
    A = rng.standard_normal((n, n))
    return [
        lg.lagrangian("quadratic", scale=1.7),
        lg.lagrangian("logcosh", beta=2.5),
        lg.lagrangian("lse", beta=1.5),
        lg.lagrangian("power", degree=4),
        lg.lagrangian("quadform", matrix=A @ A.T / n),
        lg.lagrangian("leaky_tanh", scale=0.4),
    ]


# ----------------------------------------------------------------------------- derivatives

@pytest.mark.parametrize("k", range(6))
def test_gradient_and_hessian_match_finite_differences(k):
    rng = np.random.default_rng(k)
    L = all_kinds()[k]
    h = 1e-5
    for _ in range(10):
        x = rng.uniform(-2, 2, 5)
        fd_g = np.array([(lg.value(L, x + h * e) - lg.value(L, x - h * e)) / (2 * h) for e in np.eye(5)])
        fd_H = np.array([(lg.activation(L, x + h * e) - lg.activation(L, x - h * e)) / (2 * h) for e in np.eye(5)])
        np.testing.assert_allclose(fd_g, lg.activation(L, x), atol=1e-7)
        np.testing.assert_allclose(fd_H, lg.hessian(L, x), atol=1e-6)


def test_batches_equal_rows():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((7, 5))
    for L in all_kinds():
        np.testing.assert_allclose(lg.value(L, X), [lg.value(L, x) for x in X], rtol=1e-14, atol=1e-14)
        np.testing.assert_allclose(lg.activation(L, X), [lg.activation(L, x) for x in X], rtol=1e-14, atol=1e-14)
        np.testing.assert_allclose(lg.hessian(L, X), [lg.hessian(L, x) for x in X], rtol=1e-14, atol=1e-14)
        assert isinstance(lg.value(L, X[0]), float)


def test_analytic_values():
    x = np.array([0.3, -1.2, 2.0])
    assert lg.value(lg.lagrangian("quadratic", scale=2.0), x) == pytest.approx(np.sum(x**2))
    assert lg.value(lg.lagrangian("logcosh", beta=2.0), x) == pytest.approx(np.sum(np.log(np.cosh(2 * x))) / 2)
    assert lg.value(lg.lagrangian("lse", beta=3.0), x) == pytest.approx(np.log(np.sum(np.exp(3 * x))) / 3)
    assert lg.value(lg.lagrangian("power", degree=3), x) == pytest.approx((0.3**3 + 2.0**3) / 3)
    # Legendre transforms in closed form
    g = np.tanh(x)
    ent = 0.5 * np.sum((1 + g) * np.log1p(g) + (1 - g) * np.log1p(-g))
    assert lg.legendre(lg.lagrangian("logcosh"), x) == pytest.approx(ent, rel=1e-12)
    p = np.exp(2 * x) / np.sum(np.exp(2 * x))
    assert lg.legendre(lg.lagrangian("lse", beta=2.0), x) == pytest.approx(np.sum(p * np.log(p)) / 2, rel=1e-12)


def test_extremes_are_finite():
    big = np.array([1e3, -1e3, 5e2, 0.0])
    for L in (lg.lagrangian("logcosh", beta=50.0), lg.lagrangian("lse", beta=1e4), lg.lagrangian("leaky_tanh")):
        for f in (lg.value, lg.activation, lg.hessian, lg.legendre):
            assert np.all(np.isfinite(f(L, big)))
    p = lg.activation(lg.lagrangian("lse", beta=1e6), big)
    assert p[0] == 1.0 and np.sum(p) == 1.0
    # logcosh near zero has no cancellation
    assert lg.value(lg.lagrangian("logcosh"), np.array([1e-10])) == pytest.approx(0.5e-20, rel=1e-12)
    # power overflows to inf, never NaN
    v = lg.value(lg.lagrangian("power", degree=64), np.array([1e200, -1e200]))
    assert v == math.inf


def test_lse_hessian_is_singular_along_ones():
    L = lg.lagrangian("lse", beta=2.0)
    H = lg.hessian(L, np.array([0.1, -0.5, 2.0]))
    np.testing.assert_allclose(H @ np.ones(3), 0.0, atol=1e-15)
    assert np.all(np.linalg.eigvalsh(H) > -1e-15)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 5), st.lists(st.floats(-3, 3), min_size=8, max_size=8))
def test_fenchel_young_inequality(k, xs):
    L = all_kinds(4)[k]
    x, y = np.array(xs[:4]), np.array(xs[4:])
    g = lg.activation(L, y)
    slack = lg.value(L, x) + lg.legendre(L, y) - x @ g
    assert slack >= -1e-10 * (1 + abs(lg.value(L, x)) + abs(lg.legendre(L, y)))
    assert abs(lg.value(L, y) + lg.legendre(L, y) - y @ g) <= 1e-12 * (1 + abs(y @ g))


# ----------------------------------------------------------------------------- kernels vs NumPy

def test_kernel_gradients_match_numpy():
    rng = np.random.default_rng(2)
    for L in all_kinds():
        x = rng.uniform(-3, 3, 5)
        out = np.empty(5)
        lg._grad(*L._kernel_args(), x, out)
        np.testing.assert_allclose(out, lg.activation(L, x), rtol=1e-13, atol=1e-15)
        if L.kind in ("quadratic", "logcosh", "power", "leaky_tanh"):
            lg._diag_hess(L.code, L.beta, L.degree, L.scale, x, out)
            np.testing.assert_allclose(out, np.diag(lg.hessian(L, x)), rtol=1e-13, atol=1e-15)


def net(rng, Nv=6, Nh=4):
    return (rng.standard_normal((Nh, Nv)) / math.sqrt(Nv), 0.1 * rng.standard_normal(Nv),
            0.1 * rng.standard_normal(Nh))


def test_integrate_qe_matches_numpy_rk4_and_euler_step():
    rng = np.random.default_rng(3)
    J, I, b = net(rng)
    Lv, Lh = lg.lagrangian("logcosh"), lg.lagrangian("lse", beta=3.0)
    v0 = rng.standard_normal(6)
    _, V = lg.integrate_qe(v0, J, Lv, Lh, dt=0.05, n_steps=40)
    np.testing.assert_allclose(V, lg._integrate_qe_numpy(v0, J, Lv, Lh, 1.0, 0.05, 40), rtol=1e-12, atol=1e-13)
    _, V1 = lg.integrate_qe(v0, J, Lv, Lh, tau_v=0.7, dt=0.7, n_steps=1, method="euler", I=I, b=b)
    np.testing.assert_allclose(V1[1], v0 + lg.rhs_qe(v0, J, Lv, Lh, I=I, b=b), rtol=1e-13, atol=1e-14)
    t, Vr = lg.integrate_qe(v0, J, Lv, Lh, dt=0.05, n_steps=40, record_every=10)
    np.testing.assert_allclose(Vr, V[::10], rtol=0, atol=0)
    np.testing.assert_allclose(t, [0.0, 0.5, 1.0, 1.5, 2.0])


def test_one_euler_step_is_modern_update():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((7, 5))
    q = rng.standard_normal(5)
    _, V = lg.integrate_qe(q, X, lg.lagrangian("quadratic"), lg.lagrangian("lse", beta=2.0), dt=1.0, n_steps=1,
                           method="euler")
    np.testing.assert_allclose(V[1], modern.update(X, q, 2.0), rtol=1e-13, atol=1e-14)


def test_integrate_two_matches_numpy_reference():
    rng = np.random.default_rng(5)
    J, I, b = net(rng)
    Lv, Lh = lg.lagrangian("leaky_tanh", scale=0.5), lg.lagrangian("power", degree=3)
    v, h = rng.standard_normal(6), rng.standard_normal(4)
    tv, th, dt, n = 1.0, 0.3, 0.02, 50
    _, V, H = lg.integrate_two(v, h, J, Lv, Lh, tau_v=tv, tau_h=th, dt=dt, n_steps=n, I=I, b=b)

    def f(v, h):
        return ((-v + I + lg.activation(Lh, h) @ J) / tv, (-h + J @ lg.activation(Lv, v) + b) / th)

    for _ in range(n):
        k1 = f(v, h)
        k2 = f(v + dt / 2 * k1[0], h + dt / 2 * k1[1])
        k3 = f(v + dt / 2 * k2[0], h + dt / 2 * k2[1])
        k4 = f(v + dt * k3[0], h + dt * k3[1])
        v = v + dt * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]) / 6
        h = h + dt * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]) / 6
    np.testing.assert_allclose(V[-1], v, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(H[-1], h, rtol=1e-12, atol=1e-13)
    _, Ve, He = lg.integrate_two(V[0], H[0], J, Lv, Lh, tau_h=0.3, dt=dt, n_steps=1, method="euler", I=I, b=b)
    fv, fh = f(V[0], H[0])
    np.testing.assert_allclose(Ve[1], V[0] + dt * fv, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(He[1], H[0] + dt * fh * 0.3 / th, rtol=1e-13, atol=1e-14)


# ----------------------------------------------------------------------------- energies

def test_energies_decrease_and_agree_on_the_manifold():
    rng = np.random.default_rng(6)
    J, I, b = net(rng)
    for Lv, Lh in [(lg.lagrangian("quadratic"), lg.lagrangian("lse", beta=3.0)),
                   (lg.lagrangian("lse", beta=2.0), lg.lagrangian("logcosh")),
                   (lg.lagrangian("logcosh"), lg.lagrangian("power", degree=3))]:
        v0 = rng.standard_normal(6)
        _, V = lg.integrate_qe(v0, J, Lv, Lh, dt=0.02, n_steps=300, I=I, b=b)
        E = lg.energy_qe(V, J, Lv, Lh, I=I, b=b)
        assert np.max(np.diff(E)) <= 8 * EPS * np.max(np.abs(E))
        h = lg.activation(Lv, V) @ J.T + b
        np.testing.assert_allclose(lg.energy_two(V, h, J, Lv, Lh, I=I, b=b), E, rtol=1e-12, atol=1e-12)
        # dE/dt = -tau v'Hv': central differences, second order
        dt = 0.02
        D = lg.dissipation_qe(V, J, Lv, Lh, I=I, b=b)
        e1 = np.max(np.abs((E[2:] - E[:-2]) / (2 * dt) - D[1:-1]))
        e2 = np.max(np.abs((E[4:] - E[:-4]) / (4 * dt) - D[2:-2]))
        assert abs(np.log2(e2 / e1) - 2) < 0.15
        _, V2, H2 = lg.integrate_two(v0, np.zeros(4), J, Lv, Lh, tau_h=0.5, dt=0.02, n_steps=300, I=I, b=b)
        E2 = lg.energy_two(V2, H2, J, Lv, Lh, I=I, b=b)
        assert np.max(np.diff(E2)) <= 8 * EPS * np.max(np.abs(E2))


def test_energy_gradient_in_v():
    rng = np.random.default_rng(7)
    J, I, b = net(rng)
    Lv, Lh = lg.lagrangian("leaky_tanh", scale=0.3), lg.lagrangian("lse", beta=2.0)
    v = rng.standard_normal(6)
    h = 1e-6
    fd = np.array([(lg.energy_qe(v + h * e, J, Lv, Lh, I=I, b=b) - lg.energy_qe(v - h * e, J, Lv, Lh, I=I, b=b))
                   / (2 * h) for e in np.eye(6)])
    np.testing.assert_allclose(fd, -lg.hessian(Lv, v) @ lg.rhs_qe(v, J, Lv, Lh, I=I, b=b), atol=1e-8)


# ----------------------------------------------------------------------------- SDE

def test_langevin_reproducible_and_linear_variance():
    rng = np.random.default_rng(8)
    J = 0.3 * rng.standard_normal((1, 1))
    Lv, Lh = lg.lagrangian("quadratic", scale=2.0), lg.lagrangian("quadratic", scale=0.5)
    V0, H0 = np.zeros((3000, 1)), np.zeros((3000, 1))
    a = lg.langevin_two(V0, H0, J, Lv, Lh, T=0.5, dt=0.01, n_steps=800, rng=3)
    b = lg.langevin_two(V0, H0, J, Lv, Lh, T=0.5, dt=0.01, n_steps=800, rng=3)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert np.all(V0 == 0)  # inputs untouched
    A, B = 2.0, 0.5
    j = J[0, 0]
    M = np.array([[A, -A * j * B], [-B * j * A, B]])
    cov = 0.5 * np.linalg.inv(M)
    x = np.column_stack([a[0][:, 0], a[1][:, 0]])
    emp = x.T @ x / len(x)
    se = np.sqrt((cov[0, 0] * cov[1, 1] + cov**2) / len(x))
    assert np.all(np.abs(emp - cov) <= 5 * se + 0.02 * np.abs(cov))


def test_langevin_forms_differ_and_reject_kinds():
    J = np.array([[0.5]])
    Lv, Lh = lg.lagrangian("leaky_tanh", scale=0.3), lg.lagrangian("quadratic")
    V0, H0 = np.zeros((50, 1)), np.zeros((50, 1))
    outs = [lg.langevin_two(V0, H0, J, Lv, Lh, T=1.0, dt=0.01, n_steps=100, rng=1, form=f)[0]
            for f in ("langevin", "no_divergence", "source")]
    assert not np.allclose(outs[0], outs[1]) and not np.allclose(outs[0], outs[2])
    with pytest.raises(ValueError, match="Lv"):
        lg.langevin_two(V0, H0, J, lg.lagrangian("lse"), Lh, T=1.0, dt=0.01, n_steps=10, rng=1)
    with pytest.raises(ValueError, match="form"):
        lg.langevin_two(V0, H0, J, Lv, Lh, T=1.0, dt=0.01, n_steps=10, rng=1, form="ito")
    with pytest.raises(TypeError, match="rng"):
        lg.langevin_two(V0, H0, J, Lv, Lh, T=1.0, dt=0.01, n_steps=10, rng="seed")
    with pytest.raises(ValueError, match="n_steps"):
        lg.langevin_two(V0, H0, J, Lv, Lh, T=1.0, dt=0.01, n_steps=2**63, rng=1)


# ----------------------------------------------------------------------------- bad input

def test_bad_input_names_the_argument():
    J = np.ones((2, 3))
    Lv, Lh = lg.lagrangian("quadratic"), lg.lagrangian("lse")
    v = np.zeros(3)
    cases = [
        (lambda: lg.lagrangian("cosh"), ValueError, "kind"),
        (lambda: lg.lagrangian(3), TypeError, "kind"),
        (lambda: lg.lagrangian("lse", beta=-1.0), ValueError, "beta"),
        (lambda: lg.lagrangian("lse", beta=float("nan")), ValueError, "beta"),
        (lambda: lg.lagrangian("power", degree=1.5), ValueError, "degree"),
        (lambda: lg.lagrangian("quadratic", scale=0), ValueError, "scale"),
        (lambda: lg.lagrangian("quadform"), ValueError, "matrix"),
        (lambda: lg.lagrangian("quadform", matrix=np.array([[1.0, 2.0], [0.0, 1.0]])), ValueError, "matrix"),
        (lambda: lg.lagrangian("quadform", matrix=-np.eye(2)), ValueError, "matrix"),
        (lambda: lg.lagrangian("lse", matrix=np.eye(2)), ValueError, "matrix"),
        (lambda: lg.value("lse", v), TypeError, "L"),
        (lambda: lg.value(Lv, [np.nan, 0.0]), ValueError, "x"),
        (lambda: lg.value(Lv, np.zeros((2, 2, 2))), ValueError, "x"),
        (lambda: lg.value(lg.lagrangian("quadform", matrix=np.eye(2)), v), ValueError, "x"),
        (lambda: lg.energy_qe(v, np.ones((2, 4)), Lv, Lh), ValueError, "v"),
        (lambda: lg.energy_qe(v, J, Lv, Lh, I=np.zeros(2)), ValueError, "I"),
        (lambda: lg.energy_qe(v, J, Lv, Lh, b=np.zeros(3)), ValueError, "b"),
        (lambda: lg.energy_qe(v, J * np.inf, Lv, Lh), ValueError, "J"),
        (lambda: lg.energy_qe(v, J, Lv, "lse"), TypeError, "Lh"),
        (lambda: lg.energy_two(v, np.zeros(3), J, Lv, Lh), ValueError, "h"),
        (lambda: lg.dissipation_qe(v, J, Lv, Lh, tau_v=0.0), ValueError, "tau_v"),
        (lambda: lg.integrate_qe(v, J, Lv, Lh, dt=0.1, n_steps=2**63), ValueError, "n_steps"),
        (lambda: lg.integrate_qe(v, J, Lv, Lh, dt=0.1, n_steps=-1), ValueError, "n_steps"),
        (lambda: lg.integrate_qe(v, J, Lv, Lh, dt=0.1, n_steps=1.5), TypeError, "n_steps"),
        (lambda: lg.integrate_qe(v, J, Lv, Lh, dt=-0.1, n_steps=10), ValueError, "dt"),
        (lambda: lg.integrate_qe(v, J, Lv, Lh, dt=0.1, n_steps=10, method="rk2"), ValueError, "method"),
        (lambda: lg.integrate_qe(np.zeros((2, 3)), J, Lv, Lh, dt=0.1, n_steps=10), ValueError, "v0"),
        (lambda: lg.integrate_qe(v, J, Lv, Lh, dt=0.1, n_steps=10, record_every=0), ValueError, "record_every"),
        (lambda: lg.integrate_qe(v, J, Lv, Lh, dt=0.1, n_steps=10**9), ValueError, "n_steps"),
        (lambda: lg.integrate_two(v, np.zeros(3), J, Lv, Lh, tau_h=0.1, dt=0.1, n_steps=10), ValueError, "h0"),
        (lambda: lg.integrate_two(v, np.zeros(2), J, Lv, Lh, tau_h=-1, dt=0.1, n_steps=10), ValueError, "tau_h"),
        (lambda: lg.hessian(Lv, np.zeros((3, 10**4))), ValueError, "x"),
    ]
    for fn, exc, name in cases:
        with pytest.raises(exc, match=name):
            fn()


def test_benchmarks_agree():
    res = lg.benchmarks(quick=True)
    assert res and all(r.agree for r in res)


def test_overflow_and_divergence_raise_instead_of_nan():
    J = np.ones((2, 3))
    Lp, Lq = lg.lagrangian("power", degree=64), lg.lagrangian("quadratic")
    big = np.full(3, 1e200)
    with pytest.raises(ValueError, match="v"):
        lg.energy_qe(big, J, Lp, Lq)
    with pytest.raises(ValueError, match="x"):
        lg.legendre(Lp, big)
    with pytest.raises(ValueError, match="dt"):
        lg.integrate_qe(np.ones(3), 10 * J, Lq, Lq, dt=1e3, n_steps=200)
    with pytest.raises(ValueError, match="dt"):
        lg.integrate_two(np.ones(3), np.ones(2), 10 * J, Lq, Lq, tau_h=1.0, dt=1e3, n_steps=200)
    with pytest.raises(ValueError, match="dt"):
        lg.langevin_two(np.ones((2, 3)), np.ones((2, 2)), 10 * J, Lq, Lq, T=1.0, dt=1e3, n_steps=200, rng=0)


# --------------------------------------------------------------------------- extremes and limits

def test_dissipation_tiny_tau_names_tau_v_and_scales_exactly():
    rng = np.random.default_rng(3)
    J = rng.standard_normal((3, 4))
    v = rng.standard_normal(4)
    Lv, Lh = lg.lagrangian("logcosh", beta=1.5), lg.lagrangian("lse", beta=2.0)
    d1 = lg.dissipation_qe(v, J, Lv, Lh)
    assert lg.dissipation_qe(v, J, Lv, Lh, tau_v=2.0**-1000) == d1 * 2.0**1000
    with pytest.raises(ValueError, match="tau_v"):
        lg.dissipation_qe(v, J, Lv, Lh, tau_v=5e-324)


@pytest.mark.parametrize("kind", ["quadratic", "logcosh", "lse", "power", "leaky_tanh", "quadform"])
def test_dissipation_equals_the_dense_hessian_form(kind):
    rng = np.random.default_rng(4)
    J = rng.standard_normal((3, 5))
    V = rng.standard_normal((6, 5))
    A = rng.standard_normal((5, 5))
    Lv = lg.lagrangian(kind, matrix=A @ A.T) if kind == "quadform" else lg.lagrangian(kind)
    Lh = lg.lagrangian("lse", beta=2.0)
    r = lg.rhs_qe(V, J, Lv, Lh) / 0.7
    dense = -0.7 * np.einsum("bi,bij,bj->b", r, lg.hessian(Lv, V), r)
    np.testing.assert_allclose(lg.dissipation_qe(V, J, Lv, Lh, tau_v=0.7), dense, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("call, word", [
    (lambda: lg.integrate_qe(np.zeros(200), np.eye(200), lg.lagrangian("quadratic"), lg.lagrangian("lse"),
                             dt=0.01, n_steps=10**8, record_every=10**8), "n_steps"),
    (lambda: lg.integrate_two(np.zeros(200), np.zeros(200), np.eye(200), lg.lagrangian("quadratic"),
                              lg.lagrangian("lse"), tau_h=1.0, dt=0.01, n_steps=10**7, record_every=10**7), "n_steps"),
    (lambda: lg.integrate_qe(np.zeros(2000), np.eye(2000)[:1], lg.lagrangian("quadratic"), lg.lagrangian("lse"),
                             dt=0.01, n_steps=10**6), "record_every"),
    (lambda: lg.langevin_two(np.zeros((1000, 100)), np.zeros((1000, 100)), np.eye(100), lg.lagrangian("quadratic"),
                             lg.lagrangian("quadratic"), T=1.0, dt=0.01, n_steps=10**5, rng=0), "n_steps"),
    (lambda: lg.hessian(lg.lagrangian("quadratic"), np.zeros((1000, 1000))), "x"),
    (lambda: lg.lagrangian("quadform", matrix=np.eye(2000)), "matrix"),
])
def test_limits_refuse_before_working(call, word):
    import time
    t = time.perf_counter()
    with pytest.raises(ValueError, match=word):
        call()
    assert time.perf_counter() - t < 2.0


def test_energy_two_overflow_of_h_names_h():
    rng = np.random.default_rng(6)
    J, I, b = net(rng)
    Lv, Lh = lg.lagrangian("logcosh"), lg.lagrangian("power", degree=3)
    v = rng.standard_normal(6)
    h = lg.activation(Lv, v) @ J.T + b
    with pytest.raises(ValueError, match=r"\bh\b"):
        lg.energy_two(v, h * 1e300, J, Lv, Lh, I=I, b=b)
