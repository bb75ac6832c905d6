"""Tests of attractors._glauber: same trajectories as hopfield's sequential kernel, compact = float64."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attractors import _glauber as G
from attractors import _pcg
from attractors import hopfield as H


def _patterns(p, n, seed=0):
    g = np.random.default_rng(seed)
    return np.where(g.random((p, n)) < 0.5, -1.0, 1.0)


def _spins(n, seed):
    return np.where(np.random.default_rng(seed).random(n) < 0.5, -1.0, 1.0)


# ---------------------------------------------------------------- the random stream

def test_block_draws_are_the_numba_stream():
    """NumPy's vectorised Generator.random(out=...) yields the same doubles as numba's gen.random()."""
    from numba import njit

    @njit
    def draws(gen, n):
        out = np.empty(n)
        for k in range(n):
            out[k] = gen.random()
        return out

    a = draws(np.random.default_rng(7), 1000)
    buf = np.empty(1000)
    g = np.random.default_rng(7)
    g.random(out=buf[:300])
    g.random(out=buf[300:])
    assert np.array_equal(a, buf)


# ---------------------------------------------------------------- trajectories equal hopfield.run

@pytest.mark.parametrize("n,p,beta,sweeps", [(1, 1, 1.0, 5), (7, 2, 0.5, 30), (50, 3, np.inf, 10),
                                             (200, 5, 2.0, 5), (257, 9, 0.01, 4), (300, 140, 0.3, 2),
                                             (600, 10, 5.0, 3)])
@pytest.mark.parametrize("kind", ["auto", "float64", "compact"])
def test_same_trajectory_as_hopfield_run(n, p, beta, sweeps, kind):
    xi = _patterns(p, n, seed=n)
    J = H.hebbian(xi)
    s0 = _spins(n, n + 1)
    gen_ref, gen_new = np.random.default_rng(3), np.random.default_rng(3)
    s_ref, m_ref = H.run(J, s0, beta=beta, sweeps=sweeps, rng=gen_ref, patterns=xi)
    s_new, m_new = G.run_sequential(J, s0, beta=beta, sweeps=sweeps, rng=gen_new, patterns=xi, couplings=kind)
    assert np.array_equal(s_new, s_ref)
    assert np.array_equal(m_new, m_ref)            # every sweep's overlaps, bit for bit
    assert gen_ref.random() == gen_new.random()    # the caller's generator consumed the same draws


def test_compact_uses_int8_and_int16():
    assert G.compact_couplings(H.hebbian(_patterns(5, 40))).dtype == np.int8
    xi = np.repeat(_patterns(1, 30), 200, axis=0)      # |K_ij| = 200 > 127
    K = G.compact_couplings(H.hebbian(xi))
    assert K is not None and K.dtype == np.int16 and np.array_equal(K / 30, H.hebbian(xi))
    s0 = _spins(30, 2)
    assert np.array_equal(G.run_sequential(H.hebbian(xi), s0, beta=0.01, sweeps=3, rng=1, couplings="compact"),
                          H.run(H.hebbian(xi), s0, beta=0.01, sweeps=3, rng=1))


def test_compact_refuses_non_integer_couplings():
    J = H.hebbian(_patterns(3, 20))
    J2 = J.copy()
    J2[0, 1] += 1e-12
    assert G.compact_couplings(J2) is None
    assert G.compact_couplings(np.random.default_rng(0).standard_normal((5, 5))) is None
    with pytest.raises(ValueError, match="couplings"):
        G.run_sequential(J2, _spins(20, 0), beta=1.0, couplings="compact")
    with pytest.raises(ValueError, match="couplings"):
        G.run_sequential(J, _spins(20, 0), h=0.1, beta=1.0, couplings="compact")


def test_general_couplings_and_field_match_hopfield():
    g = np.random.default_rng(2)
    n = 40
    J = g.standard_normal((n, n)) / np.sqrt(n)      # not symmetric: rows of J^T are streamed
    h = 0.1 * g.standard_normal(n)
    s0 = _spins(n, 4)
    for beta in (0.7, np.inf):
        assert np.array_equal(G.run_sequential(J, s0, h=h, beta=beta, sweeps=20, rng=9),
                              H.run(J, s0, h=h, beta=beta, sweeps=20, rng=9))


def test_compact_equals_float64_trajectory_for_trajectory():
    """200 independent runs (different seeds, couplings, temperatures): identical final states."""
    for k in range(200):
        g = np.random.default_rng(1000 + k)
        n = int(g.integers(20, 120))
        p = int(g.integers(1, 12))
        xi = _patterns(p, n, seed=k)
        J = H.hebbian(xi)
        beta = float(g.choice([0.05, 0.5, 1.0, 3.0, np.inf]))
        s0 = _spins(n, k)
        a = G.run_sequential(J, s0, beta=beta, sweeps=3, rng=k, couplings="float64")
        b = G.run_sequential(J, s0, beta=beta, sweeps=3, rng=k, couplings="compact")
        assert np.array_equal(a, b), (k, n, p, beta)


def test_ties_at_zero_temperature_keep_the_spin():
    # two orthogonal patterns of N = 4: many exact zero fields
    xi = np.array([[1.0, 1.0, 1.0, 1.0], [1.0, -1.0, 1.0, -1.0]])
    J = H.hebbian(xi)
    for seed in range(20):
        s0 = _spins(4, seed)
        a = G.run_sequential(J, s0, sweeps=5, rng=seed, couplings="compact")
        assert np.array_equal(a, H.run(J, s0, sweeps=5, rng=seed))


def test_large_table_falls_back_to_exp():
    # rowmax beyond the table: P (N - 1) > MAX_TABLE / 2 with P = 130, N = 2100
    xi = _patterns(130, 2100, seed=5)
    J = H.hebbian(xi)
    s0 = _spins(2100, 6)
    a = G.run_sequential(J, s0, beta=0.2, sweeps=1, rng=2, couplings="compact")
    assert np.array_equal(a, H.run(J, s0, beta=0.2, sweeps=1, rng=2))


def test_zero_sweeps_and_extremes():
    xi = _patterns(2, 30)
    J = H.hebbian(xi)
    s0 = _spins(30, 1)
    s, m = G.run_sequential(J, s0, sweeps=0, rng=0, patterns=xi)
    assert np.array_equal(s, s0) and m.shape == (1, 2)
    for beta in (1e-300, 1e300):
        assert np.array_equal(G.run_sequential(J, s0, beta=beta, sweeps=2, rng=1),
                              H.run(J, s0, beta=beta, sweeps=2, rng=1))


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40), st.integers(1, 6), st.sampled_from([0.1, 1.0, 4.0, np.inf]), st.integers(0, 2**31))
def test_property_same_as_hopfield(n, p, beta, seed):
    xi = _patterns(p, n, seed=seed)
    J = H.hebbian(xi)
    s0 = _spins(n, seed)
    assert np.array_equal(G.run_sequential(J, s0, beta=beta, sweeps=4, rng=seed),
                          H.run(J, s0, beta=beta, sweeps=4, rng=seed))


def test_same_seed_same_result():
    J = H.hebbian(_patterns(3, 50))
    s0 = _spins(50, 0)
    assert np.array_equal(G.run_sequential(J, s0, beta=1.0, sweeps=5, rng=11),
                          G.run_sequential(J, s0, beta=1.0, sweeps=5, rng=11))


# ---------------------------------------------------------------- bad input

def test_bad_inputs_name_the_argument():
    J = H.hebbian(_patterns(2, 10))
    s0 = _spins(10, 0)
    cases = [
        (dict(J=np.ones((3, 4)), s0=s0), ValueError, "J"),
        (dict(J=J * np.nan, s0=s0), ValueError, "J"),
        (dict(J=J, s0=np.zeros(10)), ValueError, "s0"),
        (dict(J=J, s0=s0[:5]), ValueError, "s0"),
        (dict(J=J, s0=s0, beta=-1.0), ValueError, "beta"),
        (dict(J=J, s0=s0, beta=np.nan), ValueError, "beta"),
        (dict(J=J, s0=s0, sweeps=-1), ValueError, "sweeps"),
        (dict(J=J, s0=s0, sweeps=2**63), ValueError, "sweeps"),
        (dict(J=J, s0=s0, h=np.ones(3)), ValueError, "h"),
        (dict(J=J, s0=s0, rng="x"), TypeError, "rng"),
        (dict(J=J, s0=s0, couplings="int4"), ValueError, "couplings"),
        (dict(J=J, s0=s0, patterns=np.ones((2, 3))), ValueError, "patterns"),
    ]
    for kw, exc, name in cases:
        with pytest.raises(exc, match=name):
            G.run_sequential(**kw)
    with pytest.raises(ValueError, match="J"):
        G.compact_couplings(np.ones((2, 3)))
    with pytest.raises(TypeError, match="J"):
        G.compact_couplings("J")
    assert G.compact_couplings(np.array([[np.nan]])) is None


def test_benchmarks_agree(monkeypatch):
    import attractors.bench as bench
    monkeypatch.setattr(bench, "best_time", lambda fn, **kw: (fn(), 1.0)[1])  # agreement only, no timing
    lim = {"rng_draws": 1e8, "copy_bandwidth": 1e10}
    res = G.benchmarks(quick=True, lim=lim)
    assert len(res) == 4 and all(r.agree for r in res)
    assert all(r.fraction is not None and r.fraction > 0 for r in res)


def test_brackets_bound_the_acceptance_probability():
    """lo[k] <= p_up(x) for x >= k and hi[k] >= p_up(x) for x <= -k: the exp-free decisions are exact."""
    lo, hi = G._brackets()
    xs = np.concatenate([np.linspace(0, 45, 20001), np.nextafter(np.arange(41.0), np.inf), np.arange(41.0)])
    p = np.array([G._p_up(x) for x in xs])
    pm = np.array([G._p_up(-x) for x in xs])
    k = np.minimum(np.floor(xs), 40).astype(int)
    assert np.all(lo[k] <= p) and np.all(hi[k] >= pm)
    assert np.all(np.diff(lo) >= 0) and np.all(np.diff(hi) <= 0)   # monotone (lo saturates near 1)


# ----------------------------------------------------------------------------- one-pass scan, prepared couplings

def _naive_scan(J):
    """Plain NumPy reference of _glauber.scan_couplings: symmetry and the exact integer form K = N J."""
    n = J.shape[0]
    K = np.rint(J * n)
    exact = bool(np.all(np.abs(J) * n <= 32767) and np.all(K / n == J))
    return bool(np.array_equal(J, J.T)), (K if exact else None)


@pytest.mark.parametrize("case", ["hebbian", "hebbian-asym", "big-P", "gaussian", "one", "odd-size"])
def test_scan_against_numpy(case):
    g = np.random.default_rng(3)
    if case == "hebbian":
        J = H.hebbian(_patterns(7, 130))
    elif case == "hebbian-asym":
        J = H.hebbian(_patterns(7, 70))
        J[3, 5] += 2.0 / 70  # still an integer over N, no longer symmetric
    elif case == "big-P":
        J = H.hebbian(_patterns(200, 65))  # |K| up to 200: int16
    elif case == "gaussian":
        J = g.standard_normal((90, 90))
    elif case == "one":
        J = np.array([[0.0]])
    else:
        J = H.hebbian(_patterns(3, 131))
    sym, K = _naive_scan(J)
    C = G.scan_couplings(J)
    assert C.symmetric == sym
    if K is None:
        assert C.K is None and C.rowsum == 0
    else:
        assert C.K is not None and np.array_equal(C.K.astype(np.int64), K.astype(np.int64))
        assert C.K.dtype == (np.int8 if np.abs(K).max() <= 127 else np.int16)
        assert C.rowsum == int(np.abs(K).sum(axis=1).max())


def test_scan_refuses_non_finite_and_bad_shapes():
    with pytest.raises(ValueError, match="J must contain only finite"):
        G.scan_couplings(np.array([[0.0, np.inf], [np.inf, 0.0]]))
    with pytest.raises(ValueError, match="W must be a non-empty square"):
        G.scan_couplings(np.ones((2, 3)), name="W")


@pytest.mark.parametrize("beta", [np.inf, 5.0, 0.05])
def test_prepared_couplings_give_the_same_trajectory(beta):
    xi = _patterns(6, 300)
    J = H.hebbian(xi)
    s0 = _spins(300, 4)
    C = H.prepare(J)
    assert H.prepare(C) is C
    for mode in ("sequential", "parallel"):
        a = H.run(J, s0, beta=beta, sweeps=4, rng=7, patterns=xi, mode=mode)
        b = H.run(C, s0, beta=beta, sweeps=4, rng=7, patterns=xi, mode=mode)
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    # the same with a field (float64 kernel) and with asymmetric couplings
    J2 = J.copy()
    J2[0, 1] += 0.3
    for Jx, h in ((J, 0.1), (J2, None)):
        a = H.run(Jx, s0, h=h, beta=beta, sweeps=3, rng=2)
        b = H.run(H.prepare(Jx), s0, h=h, beta=beta, sweeps=3, rng=2)
        assert np.array_equal(a, b)
    assert H.energy(C, s0) == H.energy(J, s0)


def test_division_free_quotient_is_the_correctly_rounded_one():
    """_div_exact(k, N) == k / N for every order N of J the package allows and every |k| <= 127 (the
    range _scan8 uses it on), and on a sample of the int16 range."""
    import numba

    @numba.njit
    def mismatches(n_max, k_max, step):
        bad = 0
        for n in range(1, n_max + 1):
            nf = float(n)
            inv = 1.0 / nf
            for k in range(-k_max, k_max + 1, step):
                bad += G._div_exact(float(k), nf, inv) != k / nf
        return bad

    n_max = int(G.MAX_ENTRIES ** 0.5)
    assert mismatches(n_max, 127, 1) == 0
    assert mismatches(n_max, 32767, 97) == 0


@pytest.mark.parametrize("n", [1, 7, 8, 16, 40, 63, 64, 200])
def test_wordwise_symmetry_test_against_numpy(n):
    g = np.random.default_rng(n)
    for trial in range(30):
        A = g.integers(-127, 128, (n, n)).astype(np.int8)
        A = np.triu(A) + np.triu(A, 1).T
        if trial % 2:
            i, j = g.integers(0, n, 2)
            A[i, j] = A[i, j] + 1 if A[i, j] < 127 else A[i, j] - 1
        assert G._symmetric(A) == bool(np.array_equal(A, A.T))
        assert G._symmetric(A.astype(np.int16)) == bool(np.array_equal(A, A.T))


@pytest.mark.parametrize("n", [1, 8, 16, 248, 256, 264, 520, 1000, 12, 1001])
def test_scan_and_symmetry_against_numpy(n):
    """scan_couplings on int8 couplings over N (entries up to +-127) against NumPy: K, the row sums and the
    symmetry, for one asymmetric pair anywhere (first and last rows, near the diagonal, at random)."""
    g = np.random.default_rng(n)
    A = g.integers(-127, 128, size=(n, n)) // max(1, n // 64)  # row sums stay below MAX_ROWSUM_COMPACT
    A[0, 0], A[-1, -1] = 127, -127
    A = (np.triu(A) + np.triu(A, 1).T).astype(np.int8)
    pairs = [None, (0, n - 1), (n - 1, 0), (n - 1, max(0, n - 2)), (n // 2, n // 3)]
    pairs += [tuple(g.integers(0, n, 2)) for _ in range(6)]
    for pair in pairs:
        K = A.copy()
        if pair is not None:
            K[pair] += 1 if K[pair] < 127 else -1
        J = K / float(n)
        K8 = np.empty((n, n), np.int8)
        flagged, rmax = G._scan8(J, K8)
        assert not flagged and np.array_equal(K8, np.rint(J * n).astype(np.int8)) and np.array_equal(K8, K)
        assert rmax == int(np.abs(K.astype(np.int64)).sum(axis=1).max())
        expect = bool(np.array_equal(K, K.T))
        assert G._symmetric(K8) == expect
        C = G.scan_couplings(J)
        assert C.symmetric == expect and C.K.dtype == np.int8 and np.array_equal(C.K, K) and C.rowsum == rmax


@pytest.mark.parametrize("n", [24, 25])
@pytest.mark.parametrize("case", ["int8", "int16", "non-integer", "nan", "-nan", "nan-payload", "inf", "large",
                                  "minus-zero"])
def test_fast_scan_and_general_scan_agree(case, n):
    J = H.hebbian(_patterns(5, n))
    if case == "-nan":
        J[7, 7] = -np.nan
    elif case == "nan-payload":  # a quiet NaN with payload bits, and a signalling-pattern one
        J[3, 9] = np.array(0x7FF8000000000123, np.uint64).view(np.float64)
        J[9, 3] = np.array(0xFFF0000000000001, np.uint64).view(np.float64)
    elif case == "minus-zero":  # flagged by the fast scan (its bits differ from 0 / N); exact for the general one
        J[1, 2] = J[2, 1] = 0.0
        J[1, 2] = -0.0
    elif case == "int16":
        J[4, 5] = J[5, 4] = 150.0 / n
    elif case == "non-integer":
        J[2, 3] = np.nextafter(J[2, 3], 1.0)  # one ulp off an integer over N
    elif case == "nan":
        J[5, 1] = np.nan
    elif case == "inf":
        J[0, 0] = -np.inf
    elif case == "large":
        J[4, 4] = 40000.0 / n
    K8 = np.empty((n, n), np.int8)
    flagged, rmax8 = G._scan8(J, K8)
    exact, amax, rmax = G._scan(J, np.empty((n, n), np.int8))
    assert (not flagged) == (case == "int8")
    assert exact == (case in ("int8", "int16", "minus-zero"))
    if case in ("int8", "minus-zero"):
        assert np.array_equal(K8, np.rint(J * n).astype(np.int8)) and rmax8 == rmax
        C = G.scan_couplings(J)
        assert C.K.dtype == np.int8 and np.array_equal(C.K, K8) and C.symmetric and C.rowsum == rmax
    if case in ("nan", "-nan", "nan-payload", "inf"):
        with pytest.raises(ValueError, match="J must contain only finite"):
            G.scan_couplings(J)


# ---------------------------------------------------------------- draws made in the kernel (PCG64)

_PCG_LANES = G.pcg_lanes


class _OtherPCG64(np.random.PCG64):
    """PCG64 under another type: run() then draws in NumPy blocks (the general path), not in the kernel."""


def _generators(seed, buffered):
    a, b = np.random.Generator(np.random.PCG64(seed)), np.random.Generator(_OtherPCG64(seed))
    if buffered:  # leave a buffered 32-bit half-word in both: drawing doubles must keep it
        a.integers(0, 2**32, dtype=np.uint32)
        b.integers(0, 2**32, dtype=np.uint32)
    return a, b


@pytest.mark.parametrize("n,p,beta,sweeps,h", [(1, 1, 1.0, 5, None), (7, 2, 0.5, 30, None), (200, 5, 2.0, 5, None),
                                               (257, 9, 0.01, 4, None), (300, 140, 0.3, 2, None),
                                               (64, 3, 1.5, 7, 0.1)])
@pytest.mark.parametrize("buffered", [False, True])
def test_kernel_draws_are_numpys_stream(n, p, beta, sweeps, h, buffered, monkeypatch):
    """The kernel's own PCG64 chains give the trajectory of NumPy's block draws, and leave the generator
    in the same state (the buffered half-word included); compact and float64 kernels (h != 0) both, and
    runs cut into several kernel calls (the chains carried from one to the next)."""
    xi = _patterns(p, n, seed=n)
    J = H.hebbian(xi)
    s0 = _spins(n, n + 2)
    a, b = _generators(11 + n, buffered)
    lanes = []
    monkeypatch.setattr(G, "pcg_lanes", lambda *args: lanes.append(1) or _PCG_LANES(*args))
    monkeypatch.setattr(_pcg, "PCG_MIN_DRAWS", 0)     # short runs too
    monkeypatch.setattr(G, "KERNEL_DRAW_UPDATES", 7 + n)  # several calls per run, cut inside sweeps
    s_a, m_a = H.run(J, s0, h=h, beta=beta, sweeps=sweeps, rng=a, patterns=xi)
    assert lanes == [1]                            # the kernel drew (PCG64) ...
    s_b, m_b = H.run(J, s0, h=h, beta=beta, sweeps=sweeps, rng=b, patterns=xi)
    assert lanes == [1]                            # ... and the subclass took the block path
    assert np.array_equal(s_a, s_b) and np.array_equal(m_a, m_b)
    assert a.bit_generator.state["state"] == b.bit_generator.state["state"]
    assert a.bit_generator.state["has_uint32"] == b.bit_generator.state["has_uint32"] == int(buffered)
    assert a.bit_generator.state["uinteger"] == b.bit_generator.state["uinteger"]
    assert a.random() == b.random()


def test_kernel_draws_match_the_per_draw_reference():
    """Against hopfield's kernel that calls numba's gen.random() once per draw (no blocks, no chains)."""
    for seed in range(5):
        n = 40 + 13 * seed
        xi = _patterns(3, n, seed=seed)
        J = H.hebbian(xi)
        s0 = _spins(n, seed)
        for beta in (0.2, 1.0, 4.0):
            g_ref, g_new = np.random.default_rng(seed), np.random.default_rng(seed)
            s_ref = s0.copy()
            H._seq_kernel(J, J, s_ref, np.zeros(n), beta, 6, g_ref, np.zeros((0, n)), np.zeros((7, 0)))
            s_new = H.run(J, s0, beta=beta, sweeps=6, rng=g_new)
            assert np.array_equal(s_ref, s_new)
            assert g_ref.random() == g_new.random()


def test_chain_words_step_like_pcg64():
    """pcg_lanes: chain a starts at the first draw's state, chain b at the second, both step by two draws;
    pcg_after jumps ahead like advance()."""
    g = np.random.default_rng(5)
    pcg, _ = _pcg.pcg_state(g, _pcg.PCG_MIN_DRAWS)
    w = [int(x) for x in _pcg.pcg_lanes(pcg)]
    states = []
    for _ in range(4):
        g.bit_generator.advance(1)
        states.append(g.bit_generator.state["state"]["state"])
    a_state, b_state = (w[0] << 64) | w[1], (w[2] << 64) | w[3]
    A, C = (w[4] << 64) | w[5], (w[6] << 64) | w[7]
    mask = (1 << 128) - 1
    assert a_state == states[0] and b_state == states[1]
    assert (A * a_state + C) & mask == states[2] and (A * b_state + C) & mask == states[3]
    for draws in (0, 1, 2, 3, 1000, 2**40 + 17):
        g = np.random.default_rng(9)
        pcg, _ = _pcg.pcg_state(g, _pcg.PCG_MIN_DRAWS)
        after = _pcg.pcg_after(pcg, draws)
        g.bit_generator.advance(draws)
        assert (int(after[0]) << 64) | int(after[1]) == g.bit_generator.state["state"]["state"]
        assert list(after[2:]) == list(pcg[2:])
