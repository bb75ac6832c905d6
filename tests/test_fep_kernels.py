"""The vectorised layer functions of attractors._fep_kernels against 50-digit decimal arithmetic, and the
fast path of fep.run against its validated path (the same bits) and its refusals."""

from __future__ import annotations

from decimal import Decimal as D, localcontext

import numpy as np
import pytest

from attractors import _fep_kernels as K
from attractors import _pcg
from attractors import fep

EPS = np.finfo(float).eps


def _exact_draw(b: float, u: float) -> float:
    """Inverse CDF of CB(b) at u in 50-digit arithmetic from the exact binary inputs."""
    if b == 0.0:
        return 2.0 * u - 1.0
    with localcontext() as ctx:
        ctx.prec = 50 + max(0, -int(np.floor(np.log10(abs(b)))))  # 1 - e^{-2a} keeps 50 digits at tiny a
        a = abs(D(b))
        w = (1 - D(u)) if b > 0 else D(u)
        arg = 1 - w * (1 - (-2 * a).exp())
        x = 1 + arg.ln() / a if arg > 0 else D(-1)
        x = max(D(-1), min(D(1), x))
        return float(x if b > 0 else -x)


def _exact_lang(b: float) -> float:
    with localcontext() as ctx:
        ctx.prec = 60 + max(0, -int(np.floor(np.log10(abs(b))))) if 0 < abs(b) < np.inf else 60
        a = abs(D(b))
        if a == 0:
            return 0.0
        if a > 300:  # e^{-2a} below 1e-260: L = 1 - 1/a to far better than an ulp
            v = 1 - 1 / a
        else:
            e = (-2 * a).exp()
            v = (1 + e) / (1 - e) - 1 / a
        return float(v if b > 0 else -v)


def _fields(n, seed):
    g = np.random.default_rng(seed)
    b = 10 ** g.uniform(-14, 2.8, n) * np.where(g.random(n) < 0.5, -1.0, 1.0)
    b[:20] = 0.0
    b[20:80] = g.uniform(-3.0, 3.0, 60)
    b[80:84] = (1.0, -1.0, 1.0 - 2**-53, 1e-150)
    u = g.random(n)
    u[90:95] = 0.0
    return b, u


def test_draw_fields_within_a_few_ulp_of_the_exact_inverse_cdf_and_of_the_scalar_draw():
    b, u = _fields(3000, 1)
    x = K.draw_fields(b, u, 0, np.empty(b.size))
    exact = np.array([_exact_draw(bi, ui) for bi, ui in zip(b, u)])
    scalar = fep._draw_vec(b, u)
    assert np.all(np.abs(x) <= 1.0)
    assert np.max(np.abs(x - exact)) <= 4 * EPS
    assert np.max(np.abs(x - scalar)) <= 8 * EPS
    # an offset into u selects the uniforms of a later node block
    assert np.array_equal(K.draw_fields(b[:10], np.concatenate([np.zeros(5), u[:10]]), 5, np.empty(10)), x[:10])


def test_lang_fields_within_a_few_ulp_and_equal_to_the_series_below_the_cutoff():
    g = np.random.default_rng(2)
    x = np.concatenate([10 ** g.uniform(-12, 2.9, 2000) * np.where(g.random(2000) < 0.5, -1, 1),
                        [0.0, 0.3, -0.3, 0.2999999999, np.inf, -np.inf, 800.0]])
    out = K.lang_fields(x, np.empty(x.size))
    exact = np.array([_exact_lang(v) for v in x])
    scalar = np.array([fep._lang(v) for v in x])
    err = np.abs(out - exact)
    # absolute error of a few ulp of 1 everywhere (the closed form cancels a little just above the cutoff, as
    # fep._lang's does), relative error of a few ulp on the series and for |x| >= 2
    assert np.max(err) <= 4 * EPS
    tight = (np.abs(x) < 0.3) | (np.abs(x) >= 2.0)
    assert np.all(err[tight] <= 4 * EPS * np.abs(exact[tight]))
    assert np.max(err) <= np.max(np.abs(scalar - exact)) + 2 * EPS
    small = np.abs(x) < 0.3
    assert np.array_equal(out[small], scalar[small])


def test_count_nonfinite():
    J = np.ones((5, 5))
    b = np.zeros(5)
    assert K.count_nonfinite(J, b) == 0
    J[1, 2], J[4, 4], b[3] = np.nan, -np.inf, np.inf
    assert K.count_nonfinite(J, b) == 3
    assert K.count_nonfinite(np.full((2, 2), np.finfo(float).max), np.full(2, 5e-324)) == 0


def _net(n, seed=0):
    g = np.random.default_rng(seed)
    J = g.normal(0.0, 1.0 / np.sqrt(n), (n, n))
    np.fill_diagonal(J, 0.0)
    return J, g.normal(0.0, 1.0, n)


@pytest.mark.parametrize("n", [1, 3, 8, 13])
@pytest.mark.parametrize("update", ["parallel", "sequential"])
@pytest.mark.parametrize("rule", ["reference", "manuscript"])
def test_fast_path_equals_validated_path_bit_for_bit(n, update, rule):
    """A call the fast path takes (float64 arrays, Python scalars) and the same call routed through the full
    validation (a list J, numpy scalars) give identical bits, learning on and off, stochastic or not."""
    J, b = _net(n, n)
    for stochastic in (True, False):
        for lr in (0.0, 0.02):
            kw = dict(beta=0.8, learning_rate=lr, stochastic=stochastic, update=update, rule=rule)
            assert K.fast_args(J, b, 25, 0.8, lr, stochastic, update, rule, None, fep.MAX_STATES) is not None
            s1, J1 = fep.run(J, b, 25, rng=3, **kw)
            s2, J2 = fep.run(J.tolist(), b, np.int64(25), rng=3, **{**kw, "beta": np.float64(0.8)})
            assert np.array_equal(s1, s2) and np.array_equal(J1, J2)
            assert J1 is not J and J1.flags.c_contiguous
            # a start state and a bias schedule take the fast path too
            s0, sched = np.linspace(-1.0, 1.0, n), np.tile(b, (25, 1)) * np.linspace(0.5, 1.5, 25)[:, None]
            assert K.fast_args(J, sched, 25, 0.8, lr, stochastic, update, rule, s0, fep.MAX_STATES) is not None
            s1, J1 = fep.run(J, sched, 25, rng=4, sigma0=s0, **kw)
            s2, J2 = fep.run(J.tolist(), sched.tolist(), 25, rng=4, sigma0=s0.tolist(), **kw)
            assert np.array_equal(s1, s2) and np.array_equal(J1, J2)


def test_fast_path_refuses_what_the_validation_refuses_and_leaves_the_stream():
    J, b = _net(6)
    for bad_J, bad_b in ((np.where(np.eye(6) > 0, np.nan, J), b), (J, np.r_[b[:5], np.inf])):
        g = np.random.default_rng(1)
        with pytest.raises(ValueError, match="finite"):
            fep.run(bad_J, bad_b, 3, rng=g)
        assert g.random() == np.random.default_rng(1).random()
    for bad_s0 in (np.full(6, 1.5), np.r_[np.zeros(5), np.nan]):
        with pytest.raises(ValueError, match="sigma0"):
            fep.run(J, b, 3, sigma0=bad_s0)
    with pytest.raises(ValueError, match="schedule"):
        fep.run(J, np.tile(b, (4, 1)), 3)
    with pytest.raises(ValueError, match="beta"):
        fep.run(J, b, 3, beta=0.0)
    with pytest.raises(ValueError, match="learning_rate"):
        fep.run(J, b, 3, learning_rate=-1.0)
    with pytest.raises(ValueError, match="bias"):
        fep.run(J, b[:5], 3)
    with pytest.raises(TypeError, match="n_steps"):
        fep.run(J, b, 3.0)
    # a transposed (F-ordered) J and a read-only bias take the validated path and give the same result
    ro = b.copy()
    ro.flags.writeable = False
    JF = np.asfortranarray(J)
    assert K.fast_args(JF, b, 3, 1.0, 0.0, True, "parallel", "reference", None, fep.MAX_STATES) is None
    assert np.array_equal(fep.run(JF, ro, 9, rng=2)[0], fep.run(J, b, 9, rng=2)[0])


def test_parallel_stochastic_run_stays_within_round_off_of_the_scalar_draws():
    """The parallel stochastic step draws with draw_fields and predicts with lang_fields; run_reference draws
    node by node with fep._draw and predicts with numerics.langevin: over 200 learning steps at N = 64 the
    two stay within round-off (the map is not chaotic at these parameters)."""
    J, b = _net(64, 5)
    for rule in ("reference", "manuscript"):
        s1, J1 = fep.run(J, b, 60, beta=0.5, learning_rate=0.01, rule=rule, rng=4)
        s2, J2 = fep.run_reference(J, b, 60, beta=0.5, learning_rate=0.01, rule=rule, rng=4)
        assert np.max(np.abs(s1 - s2)) < 1e-12 and np.max(np.abs(J1 - J2)) < 1e-12


def test_pcg_uniforms_are_the_doubles_of_generator_random_and_advance_it_alike():
    """The kernel's PCG64 step (128-bit LCG, XSL-RR output, top 53 bits) against NumPy's own stream."""
    for seed in (0, 1, 2**63 + 5, 12345678901234567890):
        gen, twin = np.random.default_rng(seed), np.random.default_rng(seed)
        pcg, st = K.pcg_state(gen, K.PCG_MIN_DRAWS)
        assert K.pcg_state(np.random.default_rng(seed), K.PCG_MIN_DRAWS - 1) is None
        u = np.empty(1000)
        K.pcg_uniforms(pcg, u, 0, 600)
        K.pcg_uniforms(pcg, u, 600, 400)
        assert np.array_equal(u, twin.random(1000))
        K.pcg_store(gen, pcg, st)
        assert gen.bit_generator.state == twin.bit_generator.state
    assert K.pcg_state(np.random.Generator(np.random.Philox(1)), 10**6) is None
    assert K.pcg_state(np.random.Generator(np.random.PCG64DXSM(1)), 10**6) is None


def test_run_draws_from_pcg64_in_the_kernel_with_the_bits_of_the_numpy_path(monkeypatch):
    """fep.run with a PCG64 Generator (uniforms drawn in the kernel) gives the same bits, and leaves the
    Generator in the same state, as with the uniforms drawn by NumPy in blocks."""
    results = {}
    monkeypatch.setattr(_pcg, "PCG_MIN_DRAWS", 0)  # short runs too
    for numpy_path in (False, True):
        if numpy_path:
            monkeypatch.setattr(fep, "pcg_state", lambda gen, draws: None)
        out = []
        for n in (1, 3, 4, 9, 64):
            J, b = _net(n, n)
            sched = np.random.default_rng(n).normal(0.0, 1.0, (30, n))
            for lr in (0.0, 1e-2):
                for rule in ("reference", "manuscript"):
                    gen = np.random.default_rng(n + 7)
                    out.append(fep.run(J, b, 30, beta=0.7, learning_rate=lr, rule=rule, rng=gen))
                    out.append(fep.run(J, sched, 30, beta=0.3, learning_rate=lr, rule=rule, rng=gen))
                    out.append((gen.random(3),))
        results[numpy_path] = out
    for x, y in zip(results[False], results[True]):
        assert all(a.tobytes() == c.tobytes() for a, c in zip(x, y))


def test_fused_rank_one_update_and_fields_equal_the_row_by_row_loop():
    """_learn_and_fields (four rows per loop over i, diagonal put back, h[j..j+3] recomputed) against the
    plain loop: the same bits, signed-zero diagonals included."""
    none = np.empty(0, dtype=np.uint64)
    for n in (1, 3, 4, 5, 8, 11):
        g = np.random.default_rng(n)
        JT = g.normal(0.0, 1.0, (n, n))
        JT[np.diag_indices(n)] = g.choice([0.0, -0.0, 0.75], n)
        s, d = g.uniform(-1.0, 1.0, n), g.normal(0.0, 0.1, n)
        ref, h_ref = JT.copy(), np.zeros(n)
        for j in range(n):
            for i in range(n):
                if i != j:
                    ref[j, i] = ref[j, i] + d[i] * s[j]
            for i in range(n):
                h_ref[i] = h_ref[i] + ref[j, i] * s[j]
        h = np.full(n, np.nan)
        K._learn_and_fields(JT, s, d, h, True, none, h)
        assert JT.tobytes() == ref.tobytes() and h.tobytes() == h_ref.tobytes()
