"""Tests of attractors.sde: kernels against NumPy references, exact OU laws, extremes, bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from numba import njit
from scipy import integrate

from attractors import sde

POTENTIALS = {
    "quadratic": sde.quadratic([[2.0, 0.3], [0.3, 1.0]], center=[0.5, -0.2]),
    "double_well": sde.double_well(1.5, 0.8, 2.0),
    "three_wells": sde.three_wells(0.7),
    "polynomial": sde.polynomial([0.1, -1.0, 0.2, 0.5], stiffness=1.5),
}
MOBILITIES = {
    "none": None,
    "quadratic": sde.quadratic_mobility(0.5, 0.3),
    "bump": sde.bump_mobility(1.0, -0.5, 0.7),
}


def _fd_grad(f, x, h=1e-6):
    g = np.empty_like(x)
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        g[j] = (f(x + e) - f(x - e)) / (2 * h)
    return g


@pytest.mark.parametrize("name", POTENTIALS)
def test_gradient_matches_finite_differences(name):
    pot = POTENTIALS[name]
    X = np.random.default_rng(0).normal(size=(20, 2))
    G = sde.gradient(pot, X)
    for x, g in zip(X, G):
        fd = _fd_grad(lambda y: sde.energy(pot, y), x)
        # central differences: truncation ~h^2 E''' and round-off ~eps |E| / h
        assert np.allclose(g, fd, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["quadratic", "bump"])
def test_mobility_gradient_matches_finite_differences(name):
    mob = MOBILITIES[name]
    X = np.random.default_rng(1).normal(size=(10, 3))
    m, gm = sde.mobility_value(mob, X)
    assert np.all(m > 0)
    for x, g in zip(X, gm):
        assert np.allclose(g, _fd_grad(lambda y: sde.mobility_value(mob, y)[0], x), rtol=1e-6, atol=1e-7)


def test_energies_analytic():
    A = np.array([[2.0, 0.3], [0.3, 1.0]])
    c = np.array([0.5, -0.2])
    x = np.array([1.0, 2.0])
    assert sde.energy(POTENTIALS["quadratic"], x) == pytest.approx(0.5 * (x - c) @ A @ (x - c), rel=1e-14)
    assert sde.energy(sde.double_well(), [1.0, 0.0]) == 0.0
    assert sde.energy(sde.double_well(2.0), [0.0, 0.0]) == 2.0
    # three-hole landscape: deep wells near (+-1, 0), their energies equal by symmetry
    e = sde.energy(sde.three_wells(), np.array([[1.05, -0.04], [-1.05, -0.04]]))
    assert e[0] == pytest.approx(e[1], abs=1e-14) and e[0] < -3.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=1, max_size=6), st.floats(-3, 3))
def test_polynomial_matches_numpy(coeffs, u):
    pot = sde.polynomial(coeffs)
    c = np.concatenate([[0.0], coeffs])
    e = np.polynomial.polynomial.polyval(u, c)
    de = np.polynomial.polynomial.polyval(u, np.polynomial.polynomial.polyder(c))
    scale = 1 + np.sum(np.abs(c) * np.abs(u) ** np.arange(c.size)) * 10
    assert abs(sde.energy(pot, [u]) - e) <= 1e-13 * scale
    assert abs(sde.gradient(pot, [u])[0] - de) <= 1e-13 * scale


@pytest.mark.parametrize("scheme", ["em", "heun"])
@pytest.mark.parametrize("mob", list(MOBILITIES))
@pytest.mark.parametrize("name", POTENTIALS)
def test_kernel_matches_numpy_reference(name, mob, scheme):
    x0 = np.random.default_rng(2).normal(size=(50, 2))
    K = np.array([[1.0, 0.4], [-0.4, 0.8]])
    for div in (True, False):
        kw = dict(T=0.6, K=K, mobility=MOBILITIES[mob], scheme=scheme, divergence_drift=div)
        t, X = sde.simulate(x0, 12, 1e-3, POTENTIALS[name], record_every=4, rng=5, **kw)
        ref = sde._simulate_reference(x0, 12, 1e-3, POTENTIALS[name], rng=5, **kw)
        assert X.shape == (4, 50, 2) and np.allclose(t, [0, 0.004, 0.008, 0.012])
        assert np.array_equal(X[0], x0)
        assert np.allclose(X[-1], ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("scheme", ["em", "heun"])
@pytest.mark.parametrize("mob", list(MOBILITIES))
@pytest.mark.parametrize("name", POTENTIALS)
def test_isotropic_fast_path_is_the_matrix_path_bit_for_bit(name, mob, scheme):
    """K0 = k I: the kernel's per-component products round exactly as its matrix loop does."""
    d = 2
    k = 1.7
    K0, L0 = k * np.eye(d), math.sqrt(k) * np.eye(d)
    assert sde._isotropic(K0, L0) == k and sde._isotropic(K0 + 1e-300 * np.eye(d)[::-1], L0) == 0.0
    pot, mb = POTENTIALS[name], sde._as_mobility(MOBILITIES[mob])
    kernel = sde._sde_kernel(sde._POT_CODES[pot.name], sde._MOB_CODES[mb.name])
    runs = []
    for k_iso in (k, 0.0):                       # fast path, then the general matrix path
        X = np.random.default_rng(2).normal(size=(40, d))
        out = np.empty((4, 40, d))
        kernel(None, pot.params, mb.params, X, 12, 1e-3, 0.6, K0, L0, k_iso, 1.0, scheme == "heun", 4,
               np.random.default_rng(5), out)
        runs.append(out)
    assert np.array_equal(runs[0], runs[1])


def test_same_seed_same_result_and_1d_input():
    pot = sde.double_well()
    a = sde.simulate(np.zeros(30), 10, 1e-2, pot, rng=7)[1]
    b = sde.simulate(np.zeros(30), 10, 1e-2, pot, rng=np.random.default_rng(7))[1]
    c = sde.simulate(np.zeros(30), 10, 1e-2, pot, rng=8)[1]
    assert a.shape == (2, 30, 1) and np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.array_equal(sde.euler_maruyama(np.zeros(30), 10, 1e-2, pot, rng=7)[1], a)


def test_zero_temperature_is_the_euler_map():
    A = np.array([[2.0, 0.0], [0.0, 0.5]])
    x0 = np.array([[1.0, -2.0]])
    _, X = sde.simulate(x0, 100, 0.01, sde.quadratic(A), T=0.0, rng=0)
    assert np.allclose(X[-1, 0], (1 - 0.01 * np.diag(A)) ** 100 * x0[0], rtol=1e-13)


def test_ou_moments_continuous_vs_discrete_and_stationary():
    A = np.array([[2.0, 0.3], [0.3, 1.0]])
    K = np.array([[1.0, 0.5], [-0.5, 1.0]])
    m0, C0 = np.array([1.0, -1.0]), 0.1 * np.eye(2)
    m, C = sde.ou_moments([0.0, 0.5, 1.0], m0, C0, A, K=K, T=0.5)
    assert np.allclose(m[0], m0) and np.allclose(C[0], C0)
    for dt in (1e-3, 5e-4):  # EM law -> exact law at rate O(dt)
        md, Cd = sde.ou_moments([0.5, 1.0], m0, C0, A, K=K, T=0.5, dt=dt)
        err = max(np.abs(md - m[1:]).max(), np.abs(Cd - C[1:]).max())
        assert err < 0.5 * dt
    # stationary law is Boltzmann whatever the antisymmetric part of K: cov -> T A^{-1}
    _, Cinf = sde.ou_moments(40.0, m0, C0, A, K=K, T=0.5)
    assert np.allclose(Cinf[0], 0.5 * np.linalg.inv(A), atol=1e-12)
    # 1-D closed form
    mm, cc = sde.ou_moments(0.7, [2.0], [[0.0]], [[3.0]], T=0.4)
    assert mm[0, 0] == pytest.approx(2 * math.exp(-2.1), rel=1e-12)
    assert cc[0, 0, 0] == pytest.approx(0.4 / 3 * (1 - math.exp(-4.2)), rel=1e-12)


def test_em_ensemble_matches_exact_em_law():
    A = np.array([[2.0, 0.3], [0.3, 1.0]])
    K = np.array([[1.0, 0.5], [-0.5, 1.0]])
    x0 = np.tile([1.0, -1.0], (20000, 1))
    t, X = sde.simulate(x0, 50, 0.02, sde.quadratic(A), T=0.5, K=K, rng=11)
    md, Cd = sde.ou_moments(1.0, x0[0], np.zeros((2, 2)), A, K=K, T=0.5, dt=0.02)
    n = X.shape[1]
    se_mean = np.sqrt(np.diag(Cd[0]) / n)
    assert np.all(np.abs(X[-1].mean(0) - md[0]) < 5 * se_mean)
    se_cov = np.sqrt((Cd[0] ** 2 + np.outer(np.diag(Cd[0]), np.diag(Cd[0]))) / n)
    assert np.all(np.abs(np.cov(X[-1].T) - Cd[0]) < 5 * se_cov)


def test_heun_stationary_variance_is_second_order():
    # linear drift -a x, additive noise: Heun's stationary variance errs by O(dt^2), EM's by O(dt)
    a, T, dt = 1.0, 1.0, 0.2
    x0 = np.zeros(40000)
    var_heun_exact = T / a * (1 - a * dt + (a * dt) ** 2 / 4) / (1 - a * dt + (a * dt) ** 2 / 2 - (a * dt) ** 3 / 8)
    _, X = sde.simulate(x0, 100, dt, sde.quadratic([[a]]), T=T, scheme="heun", rng=3)
    v = X[-1, :, 0].var()
    se = v * math.sqrt(2 / x0.size)
    assert abs(v - var_heun_exact) < 5 * se
    assert abs(var_heun_exact - T / a) < 0.02  # O(dt^2) = 0.01 here; EM would be 1/(1-dt/2)-1 = 0.11 off


def _moment2(weight):
    z = integrate.quad(weight, -6, 6, epsabs=1e-12)[0]
    return integrate.quad(lambda x: x * x * weight(x), -6, 6, epsabs=1e-12)[0] / z


def test_divergence_drift_gives_boltzmann_and_stratonovich_differs():
    pot = sde.quadratic([[1.0]])
    mob = sde.quadratic_mobility(0.5, 1.0)
    T, n, dt, steps = 1.0, 4000, 5e-3, 1000
    x0 = np.random.default_rng(0).normal(size=n)
    boltz = lambda x: math.exp(-0.5 * x * x / T)
    targets = {("em", True): _moment2(boltz),
               ("em", False): _moment2(lambda x: boltz(x) / (0.5 + x * x)),
               ("heun", False): _moment2(lambda x: boltz(x) / math.sqrt(0.5 + x * x))}
    for (scheme, div), target in targets.items():
        _, X = sde.simulate(x0, steps, dt, pot, T=T, mobility=mob, scheme=scheme, divergence_drift=div, rng=4)
        x2 = X[-1, :, 0] ** 2
        se = x2.std() / math.sqrt(n)
        assert abs(x2.mean() - target) < 5 * se + 0.02  # O(dt) bias of EM: about dt * max(m) / 2 ~ 0.0125 at dt = 5e-3


def test_custom_potential():
    @njit
    def e(x, p):
        return 0.5 * p[0] * x[0] * x[0]

    @njit
    def g(x, p, out):
        out[0] = p[0] * x[0]

    pot = sde.custom(e, g, [2.0], dim=1)
    assert sde.energy(pot, [3.0]) == 9.0
    _, X = sde.simulate([[1.0]], 10, 0.1, pot, T=0.0)
    assert X[-1, 0, 0] == pytest.approx(0.8 ** 10)


def test_extremes():
    pot = sde.double_well()
    # tiny dt: positions barely move; large T: still finite; T=0: deterministic
    _, X = sde.simulate(np.ones((10, 2)), 5, 1e-12, pot, T=1.0, rng=0)
    assert np.all(np.abs(X[-1] - 1) < 1e-4)
    _, X = sde.simulate(np.zeros((10, 2)), 10, 1e-4, pot, T=1e6, rng=0)
    assert np.all(np.isfinite(X))
    # stiff mobility with too large a step diverges: refused, naming dt
    with pytest.raises(ValueError, match="dt"):
        sde.simulate(np.ones((4, 1)), 200, 0.1, sde.quadratic([[1.0]]), K=1e4, T=0.0)
    # stiff but stable step is fine
    _, X = sde.simulate(np.ones((4, 1)), 200, 1e-5, sde.quadratic([[1.0]]), K=1e4, T=0.0)
    assert np.all(np.abs(X[-1]) < 1e-8)
    # n_steps = 0 returns x0
    t, X = sde.simulate(np.ones((3, 2)), 0, 0.1, pot)
    assert t.shape == (1,) and np.array_equal(X[0], np.ones((3, 2)))


@pytest.mark.parametrize("call, name", [
    (lambda: sde.simulate(np.ones((2, 2)), 5, 0.1, "double_well"), "potential"),
    (lambda: sde.simulate(np.ones((2, 2)), -1, 0.1, sde.double_well()), "n_steps"),
    (lambda: sde.simulate(np.ones((2, 2)), 2**63, 0.1, sde.double_well()), "n_steps"),
    (lambda: sde.simulate(np.ones((2, 2)), 5.0, 0.1, sde.double_well()), "n_steps"),
    (lambda: sde.simulate(np.ones((2, 2)), 5, 0.0, sde.double_well()), "dt"),
    (lambda: sde.simulate(np.ones((2, 2)), 5, np.nan, sde.double_well()), "dt"),
    (lambda: sde.simulate(np.ones((2, 2)), 5, 0.1, sde.double_well(), T=-1), "T"),
    (lambda: sde.simulate([[np.nan, 0]], 5, 0.1, sde.double_well()), "x0"),
    (lambda: sde.simulate(np.ones((2, 2, 2)), 5, 0.1, sde.double_well()), "x0"),
    (lambda: sde.simulate(np.ones((0, 2)), 5, 0.1, sde.double_well()), "x0"),
    (lambda: sde.simulate(np.ones((2, 3)), 5, 0.1, sde.three_wells()), "x0"),
    (lambda: sde.simulate(np.ones((2, 3)), 5, 0.1, sde.quadratic(np.eye(2))), "x0"),
    (lambda: sde.simulate(np.ones((2, 2)), 5, 0.1, sde.double_well(), K=-np.eye(2)), "K"),
    (lambda: sde.simulate(np.ones((2, 2)), 5, 0.1, sde.double_well(), K=np.eye(3)), "K"),
    (lambda: sde.simulate(np.ones((2, 2)), 5, 0.1, sde.double_well(), mobility="bump"), "mobility"),
    (lambda: sde.simulate(np.ones((2, 2)), 5, 0.1, sde.double_well(), scheme="rk4"), "scheme"),
    (lambda: sde.simulate(np.ones((2, 2)), 5, 0.1, sde.double_well(), record_every=2), "record_every"),
    (lambda: sde.simulate(np.ones((2, 2)), 5, 0.1, sde.double_well(), divergence_drift=1), "divergence_drift"),
    (lambda: sde.simulate(np.ones((2, 2)), 5, 0.1, sde.double_well(), rng="a"), "rng"),
    (lambda: sde.simulate(np.ones((10**4, 2)), 10**6, 0.1, sde.double_well(), record_every=1), "record_every"),
    (lambda: sde.quadratic([[1.0, 2.0], [0.0, 1.0]]), "A"),
    (lambda: sde.quadratic(np.eye(2), center=[1.0]), "center"),
    (lambda: sde.double_well(height=0), "height"),
    (lambda: sde.three_wells(scale=np.inf), "scale"),
    (lambda: sde.polynomial([]), "coeffs"),
    (lambda: sde.polynomial([1.0], stiffness=-1), "stiffness"),
    (lambda: sde.custom(lambda x, p: 0.0, lambda x, p, g: None), "energy_kernel"),
    (lambda: sde.quadratic_mobility(0.0, 1.0), "k0"),
    (lambda: sde.bump_mobility(1.0, -1.0, 1.0), "k1"),
    (lambda: sde.bump_mobility(1.0, "a", 1.0), "k1"),
    (lambda: sde.energy(sde.double_well(), "x"), "x"),
    (lambda: sde.gradient(sde.three_wells(), np.ones(3)), "x"),
    (lambda: sde.mobility_value(3, np.ones(2)), "mobility"),
    (lambda: sde.ou_moments(-1.0, [0.0], [[1.0]], [[1.0]]), "t"),
    (lambda: sde.ou_moments(1.0, [0.0], [[1.0]], [[1.0, 0.0]]), "A"),
    (lambda: sde.ou_moments(0.15, [0.0], [[1.0]], [[1.0]], dt=0.1), "dt"),
    (lambda: sde.benchmarks(quick="yes"), "quick"),
])
def test_bad_input_is_refused(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


# ---------------------------------------------------------------------------
# Valid extremes: right answers or clear refusals (bad input, part two)

def test_quadratic_energy_at_huge_x_is_never_nan():
    A = np.array([[2.0, 1.0], [1.0, 2.0]])
    assert sde.energy(sde.quadratic(A), [1e300, -1e300]) == np.inf   # true value 1e600
    assert sde.energy(sde.quadratic(np.ones((2, 2))), [1e300, -1e300]) == 0.0   # exactly on the null direction
    assert sde.energy(sde.quadratic(A * 1e-300), [1e300, -1e300]) == pytest.approx(1e300, rel=1e-15)
    g = sde.gradient(sde.quadratic(A * 1e10), [1e300, -1e300])
    assert g[0] == np.inf and g[1] == -np.inf
    assert np.allclose(sde.gradient(sde.quadratic(A * 1e-300), [1e300, -1e300]), [1.0, -1.0], rtol=1e-15)
    with pytest.raises(ValueError, match=r"\bx\b"):   # -inf + inf: float64 cannot say
        sde.energy(sde.polynomial([0.0, 0.0, -1.0]), [1e200, 1e200])
    m, gm = sde.mobility_value(sde.quadratic_mobility(1.0, 0.0), [1e200, 1e200])
    assert m == 1.0 and np.all(gm == 0.0)


def _ou_reference(t, m0, S0, A, K, T):
    from scipy.linalg import expm
    d = len(m0)
    B = K @ A
    Q = T * (K + K.T)
    Ld = np.kron(np.eye(d), B) + np.kron(B, np.eye(d))
    aug = np.zeros((d * d + 1, d * d + 1))
    aug[: d * d, : d * d] = -Ld
    aug[: d * d, -1] = Q.reshape(-1, order="F")
    v0 = np.concatenate([S0.reshape(-1, order="F"), [1.0]])
    return expm(-B * t) @ m0, (expm(aug * t) @ v0)[: d * d].reshape(d, d, order="F")


def test_ou_moments_at_extreme_scales():
    A0 = np.array([[2.0, 0.5], [0.5, 1.0]])
    K = np.array([[1.0, 0.3], [-0.3, 0.8]])
    m0, S0 = np.array([1.0, -2.0]), np.array([[1.0, 0.2], [0.2, 0.5]])
    for t in (0.0, 1e-3, 0.7, 5.0):
        m, C = sde.ou_moments(t, m0, S0, A0, K=K, T=0.3)
        mr, Cr = _ou_reference(t, m0, S0, A0, K, 0.3)
        assert np.allclose(m[0], mr, rtol=1e-12, atol=1e-14) and np.allclose(C[0], Cr, rtol=1e-12, atol=1e-14)
    # rates of 1e300: relaxed to T A^-1 = 1e-300 scale at t = 1 (was NaN)
    m, C = sde.ou_moments([1e-300, 1.0], m0, S0, 1e300 * A0)
    assert np.allclose(m[0], _ou_reference(1.0, m0, S0, A0, np.eye(2), 1.0)[0], rtol=1e-12)
    assert np.all(m[1] == 0.0)
    assert np.allclose(C[1], np.linalg.inv(1e300 * A0), rtol=1e-12, atol=0)
    # T near the float64 limit: Sigma_inf = T A^-1 (was NaN)
    T = 1.7e308 / 4
    m, C = sde.ou_moments(1e300, m0, S0, A0, T=T)
    assert np.allclose(C[0], T * np.linalg.inv(A0), rtol=1e-12)
    # unstable A: a finite answer at moderate t, a clear refusal (not inf or NaN) where it is beyond float64
    m, C = sde.ou_moments(10.0, m0, S0, -A0)
    mr, Cr = _ou_reference(10.0, m0, S0, -A0, np.eye(2), 1.0)
    assert np.allclose(m[0], mr, rtol=1e-10) and np.allclose(C[0], Cr, rtol=1e-10)
    with pytest.raises(ValueError, match=r"\bt\b.*float64 range"):
        sde.ou_moments(1000.0, m0, S0, -A0)


def test_ou_moments_refuses_a_bad_cov0():
    A0 = np.eye(2)
    with pytest.raises(ValueError, match="cov0 must be symmetric positive semi-definite"):
        sde.ou_moments(1.0, [0.0, 0.0], [[1.0, 0.0], [0.0, -1.0]], A0)
    with pytest.raises(ValueError, match="cov0 must be symmetric"):
        sde.ou_moments(1.0, [0.0, 0.0], [[1.0, 0.5], [0.0, 1.0]], A0)
    sde.ou_moments(1.0, [0.0, 0.0], [[1.0, 0.0], [0.0, 0.0]], A0)   # PSD, singular: fine


def test_ou_moments_discrete_is_the_recursion_and_fast():
    import time
    A0 = np.array([[2.0, 0.5], [0.5, 1.0]])
    m0, S0 = np.array([1.0, -2.0]), np.array([[1.0, 0.2], [0.2, 0.5]])
    dt, k = 1e-2, 300
    M = np.eye(2) - dt * A0
    m, C = m0.copy(), S0.copy()
    for _ in range(k):
        m, C = M @ m, M @ C @ M.T + 2 * dt * np.eye(2)
    mm, CC = sde.ou_moments(k * dt, m0, S0, A0, dt=dt)
    assert np.allclose(mm[0], m, rtol=1e-12) and np.allclose(CC[0], C, rtol=1e-12)
    t0 = time.perf_counter()
    mm, CC = sde.ou_moments(100.0, m0, S0, A0, dt=1e-4)   # 1e6 steps: log2 of them, not a Python loop
    assert time.perf_counter() - t0 < 1.0
    assert np.allclose(CC[0], np.linalg.inv(A0), rtol=1e-3)   # stationary: T A^-1 up to O(dt)
    with pytest.raises(ValueError, match=r"\bdt\b"):
        sde.ou_moments(1e4, m0, S0, A0, dt=10.0)    # unstable recursion: beyond float64, refused


def test_simulate_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"\bT\b"):
        sde.simulate(np.zeros((3, 1)), 50, 0.1, sde.double_well(), T=1e300, rng=0)
    with pytest.raises(ValueError, match="record_every"):
        sde.simulate(np.zeros((3, 1)), 0, 0.1, sde.double_well(), record_every=2**64)
    with pytest.raises(ValueError, match="n_steps"):   # the work limit, before anything is allocated
        sde.simulate(np.zeros((10**4, 2)), 10**6, 1e-3, sde.double_well())


def test_ou_moments_keeps_the_noise_when_a_t_underflows():
    # ||A|| t below the float64 range: the variance is 2 T t (the drift's effect is relatively ~ A t)
    _, C = sde.ou_moments(1e-300, [0.0], [[0.0]], [[1e-300]], T=1e300)
    assert C[0, 0, 0] == pytest.approx(2.0, rel=1e-14)
    _, C = sde.ou_moments(1e-300, [0.0], [[0.0]], [[1e-300]], T=1.0)
    assert C[0, 0, 0] == pytest.approx(2e-300, rel=1e-14)
    A0 = np.array([[2.0, 1.0], [1.0, 3.0]])
    _, C = sde.ou_moments(1e-300, [0.0, 0.0], np.eye(2), 1e-300 * A0, T=1e300)
    assert np.allclose(C[0], 3.0 * np.eye(2), rtol=1e-14, atol=0)


def test_huge_integer_arguments_are_refused_by_name():
    from attractors import kramers_moyal
    for f in (sde.simulate, sde.euler_maruyama):
        with pytest.raises(ValueError, match="n_steps"):
            f(np.zeros((1, 1)), 2**1100, 0.01, sde.double_well())
    with pytest.raises(ValueError, match="n_steps"):
        kramers_moyal.shot_noise(np.zeros(10), 2**1100, 0.01, rate=1.0, kick=0.1)


def test_custom_ragged_params_are_refused_by_name():
    from numba import njit

    @njit
    def en(x, p):
        return 0.0

    @njit
    def gr(x, p, g):
        g[:] = 0.0

    with pytest.raises(ValueError, match="params"):
        sde.custom(en, gr, params=[[1.0], [1.0, 2.0]])
