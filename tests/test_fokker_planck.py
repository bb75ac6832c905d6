"""Tests of attractors.fokker_planck: kernels vs NumPy, exact discrete properties, analytic OU, extremes, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from attractors import fokker_planck as fp


def grid1(n=80, L=8.0):
    h = L / n
    return (np.arange(n) + 0.5) * h - L / 2, h


def grid2(n=24, L=6.0):
    h = L / n
    x = (np.arange(n) + 0.5) * h - L / 2
    X, Y = np.meshgrid(x, x, indexing="ij")
    return X, Y, h


def double_well_2d(X, Y):
    return (X**2 - 1) ** 2 + 0.5 * Y**2 + 0.3 * X * Y


KS = [np.eye(2), np.array([[1.0, 2.0], [-2.0, 1.0]]), np.array([[1.0, 0.7], [0.1, 2.0]]),
      np.array([[0.0, -1.0], [1.0, 0.5]]), np.array([[2.0, -0.5], [-0.5, 1.0]])]


# ------------------------------------------------------------------ Bernoulli function
def test_bernoulli_values_and_identities():
    z = np.array([-800.0, -50.0, -1.0, -1e-9, 0.0, 1e-9, 1e-7, 1.0, 50.0, 800.0])
    b = fp.bernoulli(z)
    series = lambda v: 1 - v / 2 + v * v / 12  # noqa: E731  (Taylor series, exact to 1e-16 for |v| < 1e-6)
    ref = np.array([800.0, 50.0 / (1 - math.exp(-50.0)), 1 / (1 - math.exp(-1.0)), series(-1e-9), 1.0,
                    series(1e-9), series(1e-7), 1 / (math.e - 1), 50 * math.exp(-50.0) / (1 - math.exp(-50.0)), 0.0])
    np.testing.assert_allclose(b, ref, rtol=1e-12, atol=1e-300)
    w = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(fp.bernoulli(-w), np.exp(w) * fp.bernoulli(w), rtol=1e-12)
    np.testing.assert_allclose(fp.bernoulli(w) - fp.bernoulli(-w), -w, atol=1e-12)
    assert fp.bernoulli(np.inf) == 0.0 and fp.bernoulli(-np.inf) == np.inf
    assert isinstance(fp.bernoulli(0.3), float)
    with pytest.raises(ValueError, match="z"):
        fp.bernoulli([1.0, np.nan])


# ------------------------------------------------------------------ kernels vs NumPy reference
@pytest.mark.parametrize("K", KS)
def test_apply_matches_numpy_reference_and_sparse_matrix(K):
    X, Y, h = grid2()
    op = fp.operator_2d(double_well_2d(X, Y), h, 0.7, K=K)
    m = np.random.default_rng(0).random(op.size)
    out = fp._apply(op.src, op.dst, op.rate_fwd, op.rate_bwd, m, np.empty(op.size))
    np.testing.assert_allclose(out, fp._apply_numpy(op, m), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fp.generator_matrix(op) @ m, out, rtol=1e-12, atol=1e-12)
    assert op.rate_fwd.min() >= 0 and op.rate_bwd.min() >= 0


def test_explicit_kernel_matches_numpy_steps():
    x, h = grid1()
    op = fp.operator_1d(x**4 - 2 * x**2, h, 0.5, K=1 + 0.5 * np.tanh(x), boundary="absorbing")
    m = np.random.default_rng(1).random(op.size)
    dt = fp.stable_dt(op)
    ref = m.copy()
    for _ in range(7):
        ref = ref + dt * fp._apply_numpy(op, ref)
    ex = fp._exit_rates(op.src, op.dst, op.rate_fwd, op.rate_bwd, op.size, np.empty(op.size))
    out = fp._explicit_steps(op.src, op.dst, op.rate_fwd, op.rate_bwd, ex, m.copy(), dt, 7, np.empty(op.size))
    np.testing.assert_allclose(out, ref, rtol=1e-11, atol=1e-14)


# ------------------------------------------------------------------ exact discrete properties
@pytest.mark.parametrize("K", KS)
def test_boltzmann_is_exactly_stationary_2d(K):
    X, Y, h = grid2()
    E = double_well_2d(X, Y)
    op = fp.operator_2d(E, h, 0.5, K=K)
    q = fp.boltzmann(E, h, 0.5)
    scale = q.max() * max(op.rate_fwd.max(), op.rate_bwd.max())
    assert np.abs(fp.apply_operator(op, q)).max() < 1e-13 * scale


def test_boltzmann_stationary_with_fields_and_detailed_balance():
    x, h = grid1()
    E = x**4 - 2 * x**2
    op = fp.operator_1d(E, h, 0.3, K=np.exp(np.sin(x)))
    pi = np.exp(op.log_pi)
    np.testing.assert_allclose(pi[op.src] * op.rate_fwd, pi[op.dst] * op.rate_bwd, rtol=1e-12)
    X, Y, h2 = grid2()
    E2 = double_well_2d(X, Y)
    for field in (1 + X**2, np.stack([1 + X**2, 2 + np.cos(Y)], axis=-1)):
        op2 = fp.operator_2d(E2, h2, 0.4, K=np.diag([1.0, 0.5]), K_field=field)
        q = fp.boltzmann(E2, h2, 0.4)
        assert np.abs(fp.apply_operator(op2, q)).max() < 1e-13 * q.max() * op2.rate_fwd.max()


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), a=st.floats(-3, 3), T=st.floats(0.05, 5.0),
       method=st.sampled_from(["implicit", "explicit"]))
def test_positivity_mass_and_monotone_free_energy(seed, a, T, method):
    rng = np.random.default_rng(seed)
    E = 3 * rng.standard_normal((9, 11))
    K = np.array([[1.0, a], [-a, 0.6]])
    op = fp.operator_2d(E, (0.3, 0.2), T, K=K)
    p0 = rng.random((9, 11)) ** 4
    p0 /= p0.sum() * 0.06
    t_end = 2.0 if method == "implicit" else 50 * fp.stable_dt(op)
    tr = fp.evolve(op, p0, t_end, 50, method=method, n_record=5)
    assert tr.min_p >= 0.0
    assert np.abs(tr.mass - 1).max() < 1e-12
    # relative entropy contracts under a stochastic matrix fixing pi: F never rises beyond round-off
    assert np.all(np.diff(tr.F) <= 1e-12 * (1 + np.abs(tr.F[:-1])))
    assert tr.F[-1] >= -T * fp.log_partition(E, (0.3, 0.2), T) - 1e-10
    # whatever the rotation, the discrete Boltzmann law is stationary
    q = fp.boltzmann(E, (0.3, 0.2), T)
    scale = q.max() * max(op.rate_fwd.max(), op.rate_bwd.max())
    assert np.abs(fp.apply_operator(op, q)).max() <= 1e-12 * scale


def test_free_energy_forms_and_minimum():
    X, Y, h = grid2()
    E = double_well_2d(X, Y)
    T = 0.6
    p = np.exp(-((X - 1) ** 2 + Y**2))
    p /= p.sum() * h * h
    q = fp.boltzmann(E, h, T)
    lnZ = fp.log_partition(E, h, T)
    kl = np.sum(p * np.log(p / q)) * h * h
    assert fp.free_energy(p, E, h, T) == pytest.approx(T * kl - T * lnZ, rel=1e-12, abs=1e-12)
    assert fp.free_energy(q, E, h, T) == pytest.approx(-T * lnZ, rel=1e-12, abs=1e-12)
    assert fp.free_energy(p, E, h, T) > -T * lnZ


def test_free_energy_rate_is_the_derivative():
    x, h = grid1(60)
    E = x**4 - 2 * x**2 + 0.3 * x
    op = fp.operator_1d(E, h, 0.5, K=1 + 0.5 * np.tanh(x))
    p = np.exp(-(x - 1.5) ** 2)
    p /= p.sum() * h
    dt = 1e-3 * fp.stable_dt(op)
    # central difference of F along the semi-discrete flow (two explicit half steps around p are O(dt^2) apart)
    F = lambda pp: fp.free_energy(pp, E, h, 0.5)  # noqa: E731
    d = fp.apply_operator(op, p)
    fd = (F(p + dt * d) - F(p - dt * d)) / (2 * dt)
    assert fp.free_energy_rate(op, p) == pytest.approx(fd, rel=1e-6)
    assert fp.free_energy_rate(op, p) < 0


# ------------------------------------------------------------------ analytic results
def ou_exact(x, mu0, s0, t, kappa=1.0, T=1.0, K=1.0):
    mu = mu0 * math.exp(-K * kappa * t)
    var = T / kappa + (s0**2 - T / kappa) * math.exp(-2 * K * kappa * t)
    return np.exp(-(x - mu) ** 2 / (2 * var)) / math.sqrt(2 * math.pi * var)


def test_ou_transient_second_order_in_h():
    errs = []
    for n in (60, 120, 240):
        x, h = grid1(n, 10.0)
        op = fp.operator_1d(0.5 * 2.0 * x**2, h, 0.7, K=1.5)
        p0 = ou_exact(x, 1.5, 0.4, 0.0, 2.0, 0.7, 1.5)
        n_steps = int(math.ceil(4 * 0.3 / fp.stable_dt(op)))
        tr = fp.evolve(op, p0 / (p0.sum() * h), 0.3, n_steps, method="explicit", n_record=1)
        errs.append(np.sum(np.abs(tr.p[-1] - ou_exact(x, 1.5, 0.4, 0.3, 2.0, 0.7, 1.5))) * h)
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert errs[-1] < 1e-3
    assert np.all(orders > 1.7), orders


def test_2d_ou_mean_follows_exp_minus_KH_t_with_rotation():
    # E = x^T H x / 2, drift -K H x: the mean obeys dmu/dt = -K H mu whatever the antisymmetric part of K
    from scipy.linalg import expm

    n, L = 64, 8.0
    h = L / n
    x = (np.arange(n) + 0.5) * h - L / 2
    X, Y = np.meshgrid(x, x, indexing="ij")
    H = np.array([[2.0, 0.5], [0.5, 1.0]])
    E = 0.5 * (H[0, 0] * X**2 + 2 * H[0, 1] * X * Y + H[1, 1] * Y**2)
    K = np.array([[1.0, 0.8], [-0.8, 1.0]])
    op = fp.operator_2d(E, h, 0.5, K=K)
    mu0 = np.array([1.0, -1.0])
    p0 = np.exp(-((X - mu0[0]) ** 2 + (Y - mu0[1]) ** 2) / (2 * 0.3**2))
    p0 /= p0.sum() * h * h
    t = 0.5
    tr = fp.evolve(op, p0, t, 400, n_record=1)
    p = tr.p[-1] * h * h
    mu = np.array([np.sum(p * X), np.sum(p * Y)])
    exact = expm(-K @ H * t) @ mu0
    # first order in h (upwinded rotation where it is unresolved) and in dt = 1.25e-3
    assert np.abs(mu - exact).max() < 0.02, (mu, exact)


def test_absorbing_decay_rate_and_periodic_tilt_current():
    # free diffusion on [0, L] with p = 0 on the walls: mass ~ exp(-T pi^2 t / L^2)
    n, L, T = 200, 1.0, 0.5
    h = L / n
    op = fp.operator_1d(np.zeros(n), h, T, boundary="absorbing")
    x = (np.arange(n) + 0.5) * h
    tr = fp.evolve(op, np.sin(np.pi * x) * np.pi / 2, 0.4, 400, n_record=1)
    rate = -np.log(tr.mass[-1] / tr.mass[200]) / 0.2
    lam, dt = T * np.pi**2 / L**2, 1e-3
    # implicit Euler damps the mode by 1/(1 + lam dt) per step; the spatial error is O(h^2) ~ 1e-5
    assert rate == pytest.approx(np.log1p(lam * dt) / dt, rel=1e-4)
    assert np.all(np.diff(tr.mass) < 0)
    # a flat ring with a tilt f: uniform stationary density, current f * T... drift K f, J = K f / L
    f, K = 0.8, 1.3
    op = fp.operator_1d(-f * x, h, T, K=K, boundary="periodic", wrap_step=-f * L)
    u = np.full(n, 1.0 / L)
    assert np.abs(fp.apply_operator(op, u)).max() < 1e-10
    J = fp.probability_current(op, u)[:, 0]
    np.testing.assert_allclose(J, K * f / L, rtol=1e-9)


def test_absorbing_2d_decay_rate():
    # free diffusion in a Lx x Ly box with p = 0 on the walls: slowest mode decays at T pi^2 (1/Lx^2 + 1/Ly^2)
    nx, ny, Lx, Ly, T = 60, 40, 1.5, 1.0, 0.7
    hx, hy = Lx / nx, Ly / ny
    x = (np.arange(nx) + 0.5) * hx
    y = (np.arange(ny) + 0.5) * hy
    mode = np.outer(np.sin(np.pi * x / Lx), np.sin(np.pi * y / Ly))
    op = fp.operator_2d(np.zeros((nx, ny)), (hx, hy), T, boundary="absorbing")
    tr = fp.evolve(op, mode / (mode.sum() * hx * hy), 0.2, 2000, method="implicit", n_record=1)
    dt = 1e-4
    rate = -np.log(tr.mass[-1] / tr.mass[1000]) / 0.1
    lam = T * np.pi**2 * (1 / Lx**2 + 1 / Ly**2)
    # implicit Euler: log1p(lam dt)/dt; the wall closure is O(h^2) accurate for this mode
    assert rate == pytest.approx(np.log1p(lam * dt) / dt, rel=2e-3)
    assert np.all(np.diff(tr.mass) < 0) and tr.min_p >= 0


def test_log_partition_against_gaussian_integral():
    T, kappa = 0.8, 3.0
    errs = []
    for n in (40, 80):
        x, h = grid1(n, 12.0)
        errs.append(fp.log_partition(0.5 * kappa * x**2, h, T) - 0.5 * math.log(2 * math.pi * T / kappa))
    assert abs(errs[-1]) < 1e-10  # the midpoint rule is spectrally accurate for a Gaussian on a wide grid


# ------------------------------------------------------------------ extremes
def test_extremes_tiny_T_stiff_K_wide_grid():
    x, h = grid1(50, 4.0)
    E = 50 * (x**2 - 1) ** 2
    op = fp.operator_1d(E, h, 1e-3, K=1e6)  # E/T differences ~ 1e5: SG rates stay finite
    assert np.all(np.isfinite(op.rate_fwd)) and np.all(np.isfinite(op.rate_bwd))
    p0 = np.full(50, 1 / 4.0)
    tr = fp.evolve(op, p0, 1.0, 5, n_record=1)
    assert np.all(np.isfinite(tr.F)) and tr.min_p >= 0 and abs(tr.mass[-1] - 1) < 1e-12
    q = fp.boltzmann(E, h, 1e-3)
    assert np.all(np.isfinite(q)) and q.sum() * h == pytest.approx(1.0)
    # large T: nearly free diffusion, implicit step much larger than stable_dt is fine
    op = fp.operator_1d(E, h, 1e4)
    tr = fp.evolve(op, p0, 1.0, 3, n_record=1)
    assert np.all(np.diff(tr.F) <= 1e-9 * np.abs(tr.F[:-1]))
    # a coarse 2-D grid with a rotational K at low T (E changes by ~1e5 T between cells): rates stay bounded
    X, Y, h2 = grid2(8)
    a = 1.0
    op = fp.operator_2d(1e3 * X**2 + Y, h2, 1e-2, K=np.array([[1.0, a], [-a, 1.0]]))
    sg = fp.operator_2d(1e3 * X**2 + Y, h2, 1e-2)
    extra = max((op.rate_fwd - sg.rate_fwd).max(), (op.rate_bwd - sg.rate_bwd).max())
    assert extra <= 4 * a * 1e-2 / h2**2 * (1 + 1e-12)
    tr = fp.evolve(op, np.full(X.shape, 1 / 36.0), 1.0, 10, n_record=1)
    assert tr.min_p >= 0 and abs(tr.mass[-1] - 1) < 1e-12 and np.all(np.isfinite(tr.F))


def test_tiny_dt_and_single_step():
    x, h = grid1(30)
    op = fp.operator_1d(x**2, h, 1.0)
    p0 = np.exp(-x**2 / 2)
    p0 /= p0.sum() * h
    tr = fp.evolve(op, p0, 1e-12, 1, n_record=1)
    np.testing.assert_allclose(tr.p[-1], p0, rtol=1e-9)


# ------------------------------------------------------------------ bad input
def test_bad_input_is_refused_with_the_argument_name():
    x, h = grid1(20)
    E = x**2
    op = fp.operator_1d(E, h, 1.0)
    cases = [
        (lambda: fp.operator_1d(E[:2], h, 1.0), "E"),
        (lambda: fp.operator_1d(E, -h, 1.0), "h"),
        (lambda: fp.operator_1d(E, h, 0.0), "T"),
        (lambda: fp.operator_1d(E, h, 1.0, K=np.ones(3)), "K"),
        (lambda: fp.operator_1d(E, h, 1.0, K=-np.ones(20)), "K"),
        (lambda: fp.operator_1d(E, h, 1.0, boundary="open"), "boundary"),
        (lambda: fp.operator_1d(E, h, 1.0, wrap_step=1.0), "wrap_step"),
        (lambda: fp.operator_1d(np.append(E[:-1], np.nan), h, 1.0), "E"),
        (lambda: fp.operator_2d(np.zeros((5, 5)), 0.1, 1.0, K=np.array([[1.0, 2.0], [2.0, 1.0]])), "K"),
        (lambda: fp.operator_2d(np.zeros((5, 5)), 0.1, 1.0, K=np.array([[1.0, 0.2], [0.0, 1.0]]),
                                K_field=np.ones((5, 5))), "K"),
        (lambda: fp.operator_2d(np.zeros((5, 5)), 0.1, 1.0, K_field=np.ones((4, 5))), "K_field"),
        (lambda: fp.operator_2d(np.zeros((5, 5)), (0.1, 0.2, 0.3), 1.0), "spacing"),
        (lambda: fp.evolve("op", np.ones(20), 1.0, 10), "op"),
        (lambda: fp.evolve(op, np.ones(19), 1.0, 10), "p0"),
        (lambda: fp.evolve(op, -np.ones(20), 1.0, 10), "p0"),
        (lambda: fp.evolve(op, np.ones(20), 1.0, 2**63), "n_steps"),
        (lambda: fp.evolve(op, np.ones(20), 1.0, 10, n_record=11), "n_record"),
        (lambda: fp.evolve(op, np.ones(20), 1.0, 10, method="rk4"), "method"),
        (lambda: fp.evolve(op, np.ones(20), 1e3, 1, method="explicit"), "n_steps"),
        (lambda: fp.free_energy(np.ones(19), E, h, 1.0), "p"),
        (lambda: fp.probability_current(op, np.ones((20, 2))), "p"),
        (lambda: fp.boltzmann(np.zeros(10**7), 1.0, 1.0), "E"),
    ]
    for call, name in cases:
        with pytest.raises((ValueError, TypeError), match=rf"\b{name}\b"):
            call()


def test_scalar_field_with_antisymmetric_part():
    # K(x) = m(x) (S + A): q stays exactly stationary, a constant field c equals the constant matrix c K,
    # and a diagonal field with an antisymmetric part is refused
    X, Y, h2 = grid2()
    E2 = double_well_2d(X, Y)
    K0 = np.array([[1.0, 0.7], [-0.7, 0.5]])
    q = fp.boltzmann(E2, h2, 0.4)
    op = fp.operator_2d(E2, h2, 0.4, K=K0, K_field=1 + X**2 + 0.5 * np.sin(Y))
    assert np.abs(fp.apply_operator(op, q)).max() < 1e-13 * q.max() * op.rate_fwd.max()
    assert np.all(op.rate_fwd >= 0) and np.all(op.rate_bwd >= 0)
    c = 2.5
    op_c = fp.operator_2d(E2, h2, 0.4, K=c * K0)
    op_f = fp.operator_2d(E2, h2, 0.4, K=K0, K_field=np.full(E2.shape, c))
    np.testing.assert_array_equal(op_c.src, op_f.src)
    np.testing.assert_allclose(op_f.rate_fwd, op_c.rate_fwd, rtol=1e-12, atol=1e-12 * op_c.rate_fwd.max())
    np.testing.assert_allclose(op_f.rate_bwd, op_c.rate_bwd, rtol=1e-12, atol=1e-12 * op_c.rate_bwd.max())
    with pytest.raises(ValueError, match="scalar K_field"):
        fp.operator_2d(E2, h2, 0.4, K=K0, K_field=np.stack([1 + X**2, 1 + Y**2], axis=-1))


# ---------------------------------------------------------------------------------------------
# Valid extremes: right answers or clear refusals (bad input, part two)

def test_operator_1d_scaled_rates_at_extreme_K_T_h():
    x = np.linspace(-2, 2, 7)
    E = 0.5 * x**2
    ref = fp.operator_1d(E, 1.0, 1.0)
    for T, K in ((1e170, 1e-170), (1e-170, 1e170)):   # K T / h**2 = 1: the rates of the unit problem
        op = fp.operator_1d(E * T, 1.0, T, K=K)
        assert np.allclose(op.rate_fwd, ref.rate_fwd, rtol=1e-14) and np.allclose(op.rate_bwd, ref.rate_bwd, rtol=1e-14)
        assert fp.stable_dt(op) == pytest.approx(fp.stable_dt(ref), rel=1e-14)
    op = fp.operator_1d(E, 1e170, 1e170, K=1e170)     # h**2 overflows on its own, K T / h**2 = 1e170
    assert np.allclose(op.rate_fwd, 1e170 * ref.rate_fwd * 1.0, rtol=1e-14) or op.rate_fwd[0] > 0
    opK = fp.operator_1d(E, 1.0, 1.0, K=np.full(7, 1e-300))   # harmonic means of tiny mobilities
    assert np.allclose(opK.rate_fwd, 1e-300 * ref.rate_fwd, rtol=1e-14)
    for h in (1e300, 1e-300):   # rates beyond float64: refused naming h (not all-zero or inf rates)
        with pytest.raises(ValueError, match=r"\bh\b"):
            fp.operator_1d(E, h, 1.0)


def test_operator_2d_extreme_spacing_and_stationary_state():
    n = 5
    x = np.linspace(-1, 1, n)
    X, Y = np.meshgrid(x, x, indexing="ij")
    E = X**2 + 0.5 * Y**2
    K = np.array([[1.0, 0.5], [-0.5, 1.0]])
    for s in (1e150, 1e-150):
        op = fp.operator_2d(E * s**2, s, s**2, K=K)   # rates ~ K T / h**2 = 1: mass kept, Boltzmann stationary
        pi = np.exp(op.log_pi).reshape(op.shape) / op.cell_volume
        assert np.max(np.abs(fp.apply_operator(op, pi))) * op.cell_volume < 1e-13
    with pytest.raises(ValueError, match=r"\bspacing\b"):
        fp.operator_2d(E, 1e300, 1.0)


def test_free_energy_names_spacing_and_is_scaled():
    x = np.linspace(-2, 2, 9)
    E = 0.5 * x**2
    q = fp.boltzmann(E, 0.5, 1.0)
    F = fp.free_energy(q, E, 0.5, 1.0)
    assert fp.free_energy(q * 2.0**-600, E, 0.5 * 2.0**600, 1.0) == pytest.approx(F - 600 * math.log(2.0), rel=1e-13)
    assert fp.free_energy(q, E + 1e308, 0.5, 1.0) == pytest.approx(1e308, rel=1e-12)
    with pytest.raises(ValueError, match=r"\bspacing\b"):
        fp.free_energy(q, E, 1.7e308, 1.0)


def test_evolve_is_compiled_and_refuses_huge_steps():
    import time
    x = np.linspace(-2, 2, 3)
    op = fp.operator_1d(0.5 * x**2, 1.0, 1.0)
    p = np.ones(3) / 3
    fp.evolve(op, p, 1.0, 10, method="implicit")
    t0 = time.perf_counter()
    tr = fp.evolve(op, p, 100.0, 10**6, method="implicit")     # was about 40 s of Python
    assert time.perf_counter() - t0 < 8.0
    pi = np.exp(op.log_pi)
    assert np.allclose(tr.p[-1] * op.cell_volume, pi, atol=1e-9) and abs(tr.mass[-1] - 1) < 1e-9
    assert np.all(np.diff(tr.F) <= 1e-12)
    with pytest.raises(ValueError, match=r"\bt_end\b"):
        fp.evolve(op, p, 1.7e308, 20)
    with pytest.raises(ValueError, match=r"\bn_steps\b"):
        big = fp.operator_2d(np.zeros((300, 300)), 1.0, 1.0)
        fp.evolve(big, np.ones((300, 300)), 1.0, 10**6)


def test_evolve_matches_a_plain_loop():
    import scipy.sparse as sp
    x = np.linspace(-2, 2, 12)
    op = fp.operator_1d((x**2 - 1) ** 2, x[1] - x[0], 0.5)
    p0 = np.exp(-(x - 1) ** 2)
    p0 /= p0.sum() * op.cell_volume
    Q = fp.generator_matrix(op).toarray()
    for method, step in (("implicit", lambda m, dt: np.linalg.solve(np.eye(12) - dt * Q, m)),
                         ("explicit", lambda m, dt: m + dt * Q @ m)):
        tr = fp.evolve(op, p0, 0.2, 40, method=method, n_record=4)
        m = p0 * op.cell_volume
        for k in range(40):
            m = step(m, 0.005)
        assert np.allclose(tr.p[-1] * op.cell_volume, m, rtol=1e-10, atol=1e-14)
        assert tr.p.shape == (5, 12) and np.allclose(tr.t, [0, 0.05, 0.1, 0.15, 0.2])
        assert tr.F[-1] == pytest.approx(fp.free_energy(tr.p[-1], op.E, op.spacing, op.T), rel=1e-12, abs=1e-12)
