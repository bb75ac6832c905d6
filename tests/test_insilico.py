"""Tests of attractors.insilico: data, baselines, evaluation, sweeps, the command line (local and on a scheduler)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attractors import fep
from attractors import insilico as ins

SMALL = dict(n_epochs=20, steps_per_epoch=5, n_trials=4, n_steps=5)


def test_old_fep_names_warn_and_forward():
    for name in sorted(fep._MOVED):  # the names that lived in fep before the split
        with pytest.warns(DeprecationWarning, match=f"attractors.insilico.{name}"):
            assert getattr(fep, name) is getattr(ins, name)
    with pytest.raises(AttributeError):
        fep.no_such_name  # noqa: B018


def _cli_grid(tmp_path, *extra):
    out = tmp_path / "grid.npz"
    code = ins.main(["grid", "--out", str(out), "--evidences", "2", "5", "--betas", "0.1", "--epochs", "15",
                     "--seeds", "0", "1", "--quiet", *extra])
    assert code == 0
    with np.load(out) as z:
        return {k: z[k] for k in z.files}


def test_cli_grid_local_and_on_a_scheduler_by_address(tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    local = _cli_grid(tmp_path, "--n-jobs", "1")
    assert local["retrieval"].shape == (2, 1, 2) and list(local["seeds"]) == [0, 1]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        remote = _cli_grid(tmp_path, "--scheduler", cluster.scheduler_address)
    for key in ("retrieval", "generalisation", "n_attractors", "orthogonality", "J_asymmetry"):
        np.testing.assert_array_equal(remote[key], local[key])
    assert "runs in" in capsys.readouterr().out


def test_cli_help_says_what_and_how_long(capsys):
    with pytest.raises(SystemExit):
        ins.main(["grid", "--help"])
    text = capsys.readouterr().out
    assert "--scheduler ADDRESS" in text and "CPU-minutes" in text and "380 networks" in text


def test_digits_preprocessing():
    from sklearn.datasets import load_digits

    tr, te = ins.digits_patterns()
    assert tr.shape == (10, 64) and te.shape == (1787, 64)
    np.testing.assert_allclose(tr.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(tr.std(axis=1), 1.0, rtol=1e-12)
    raw = load_digits().data[3] ** 2  # plain NumPy reference for one image
    np.testing.assert_allclose(tr[3], (raw - raw.mean()) / raw.std(), rtol=1e-12, atol=1e-12)
    # the manuscript's 29.94 degrees is the mean |90 - angle| over the full 10 x 10 table
    assert abs(ins.orthogonality(tr, include_self=True) - 29.94) < 0.005
    assert abs(ins.orthogonality(tr) - 23.26) < 0.005


def test_cross_patterns():
    tr, third = ins.cross_patterns()
    assert tr.shape == (2, 25) and third.shape == (25,)
    assert abs(np.corrcoef(tr)[0, 1] - 0.77) < 0.005
    np.testing.assert_allclose(tr.std(axis=1), 1.0)


def test_hebbian_matches_numpy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 7))
    ref = np.zeros((7, 7))
    for p in x:
        ref += np.outer(p, p) / 7
    np.fill_diagonal(ref, 0.0)
    np.testing.assert_allclose(ins.hebbian_couplings(x), ref, rtol=1e-13, atol=1e-15)


def test_projector_properties():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 12))
    P = ins.projector_couplings(x, zero_diagonal=False)
    np.testing.assert_allclose(P @ x.T, x.T, atol=1e-10)  # every pattern is a fixed vector
    np.testing.assert_allclose(P @ P, P, atol=1e-10)  # idempotent
    np.testing.assert_allclose(P, P.T)
    assert abs(np.trace(P) - 4) < 1e-10
    assert np.all(np.diag(ins.projector_couplings(x)) == 0)
    # rank-deficient patterns: the pseudo-inverse still projects on their span
    xd = np.vstack([x[:2], x[0] + x[1]])
    Pd = ins.projector_couplings(xd, zero_diagonal=False)
    assert abs(np.trace(Pd) - 2) < 1e-9


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 6), st.integers(2, 9), st.integers(0, 10**6))
def test_angles_match_loop(p, n, seed):
    x = np.random.default_rng(seed).normal(size=(p, n))
    a = ins.pattern_angles(x)
    ref = [math.degrees(math.acos(max(-1.0, min(1.0, x[i] @ x[j] / np.linalg.norm(x[i]) / np.linalg.norm(x[j])))))
           for i in range(p) for j in range(i + 1, p)]
    np.testing.assert_allclose(a, ref, atol=1e-6)
    assert np.all((a >= 0) & (a <= 180))
    # the measure is invariant under rescaling each row by a positive factor
    s = np.random.default_rng(seed + 1).uniform(0.1, 10, size=(p, 1))
    assert abs(ins.orthogonality(x * s) - ins.orthogonality(x)) < 1e-6


def test_orthogonality_extremes():
    assert ins.orthogonality(np.eye(4)) == 0.0
    assert ins.orthogonality(np.eye(4), include_self=True) == pytest.approx(90.0 * 4 / 16)
    same = np.ones((3, 5))
    assert ins.orthogonality(same) == pytest.approx(90.0)
    assert math.isnan(ins.orthogonality(same, drop_duplicates=True))


def test_count_distinct():
    x = np.array([[0.0, 1.0], [0.01, 1.0], [1.0, 0.0], [0.0, 1.02]])
    assert ins.count_distinct(x, tol=0.05) == 2
    assert ins.count_distinct(x, tol=0.005) == 4


def test_deterministic_attractors_zero_coupling():
    starts = np.array([[0.5, -0.3, 0.2], [0.9, 0.9, -0.9]])
    att, conv = ins.deterministic_attractors(np.zeros((3, 3)), starts)
    assert np.all(conv) and np.all(att == 0.0)


def test_deterministic_attractors_two_cycle_reported():
    # a single pair with strong negative coupling 2-cycles under the parallel map
    J = np.array([[0.0, -30.0], [-30.0, 0.0]])
    att, conv = ins.deterministic_attractors(J, np.array([[0.5, 0.5]]), max_steps=50)
    assert not conv[0]


def test_reconstruction_reproducible_and_shapes():
    tr, _ = ins.cross_patterns()
    J = ins.hebbian_couplings(tr)
    a1, b1 = ins.reconstruction_r2(J, tr, scale=1.0, n_trials=6, n_steps=10, rng=3)
    a2, b2 = ins.reconstruction_r2(J, tr, scale=1.0, n_trials=6, n_steps=10, rng=3)
    assert a1.shape == b1.shape == (6,)
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(b1, b2)
    assert np.all((a1 >= 0) & (a1 <= 1) & (b1 >= 0) & (b1 <= 1))
    # no noise: the input explains the target exactly
    a0, _ = ins.reconstruction_r2(J, tr, scale=1.0, noise_sd=0.0, n_trials=2, n_steps=3, rng=0)
    np.testing.assert_allclose(a0, 1.0)


def test_train_matches_manual_loop_and_chunking():
    tr, _ = ins.cross_patterns()
    kw = dict(evidence=3.0, beta=0.5, learning_rate=0.01, n_epochs=13, steps_per_epoch=4)
    J1, s1, shown1 = ins.train(tr, rng=5, **kw)
    J2, s2, shown2 = ins.train(tr, rng=5, chunk_steps=3, **kw)  # one epoch per kernel call
    np.testing.assert_array_equal(shown1, shown2)
    np.testing.assert_allclose(J1, J2, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(s1, s2, rtol=1e-12, atol=1e-14)
    # the same as one fep.run over the whole schedule, drawn from the same generator
    g = np.random.default_rng(5)
    shown = g.integers(0, 2, size=13)
    np.testing.assert_array_equal(shown, shown1)
    states, J3 = fep.run(np.zeros((25, 25)), np.repeat(3.0 * tr[shown], 4, axis=0), 52, beta=0.5,
                         learning_rate=0.01, rng=g)
    np.testing.assert_allclose(J1, J3, rtol=1e-12, atol=1e-14)
    _, _, cyc = ins.train(tr, order="cyclic", rng=0, **kw)
    np.testing.assert_array_equal(cyc, np.arange(13) % 2)


def _printed_loop(x, evidence, beta, lr, n_epochs, steps, reading, seed):
    # train_printed written out with NumPy, one step at a time
    g = np.random.default_rng(seed)
    shown = g.integers(0, x.shape[0], size=n_epochs)
    n = x.shape[1]
    J, s = np.zeros((n, n)), np.zeros(n)
    b_old = np.zeros(n)
    for k in shown:
        b = evidence * x[k]
        for _ in range(steps):
            h = J @ s
            new = fep.cb_sample(beta * (b + h), rng=g)
            pred = {"current": fep.langevin(b + J @ new), "previous": fep.langevin(b + h),
                    "previous-beta": fep.langevin(beta * (b + h)), "previous-nobias": fep.langevin(h),
                    "previous-nobias-beta": fep.langevin(beta * h), "previous-oldbias": fep.langevin(b_old + h),
                    "previous-oldbias-beta": fep.langevin(beta * (b_old + h))}[reading]
            J = J + lr * (1 - np.eye(n)) * np.outer(new - pred, new)
            s, b_old = new, b
    return J, s


@pytest.mark.parametrize("reading", ins.PRINTED_READINGS)
def test_train_printed_matches_numpy_loop(reading):
    tr, _ = ins.cross_patterns()
    kw = dict(evidence=3.0, beta=0.4, learning_rate=0.05, n_epochs=12, steps_per_epoch=5)
    J, s = ins.train_printed(tr, reading=reading, rng=3, **kw)
    J2, s2 = _printed_loop(tr, 3.0, 0.4, 0.05, 12, 5, reading, 3)
    np.testing.assert_allclose(J, J2, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(s, s2, rtol=1e-10, atol=1e-12)
    assert np.all(np.diag(J) == 0.0)


def test_train_printed_previous_beta_is_the_manuscript_rule():
    tr, _ = ins.cross_patterns()
    kw = dict(evidence=3.0, beta=0.4, learning_rate=0.05, n_epochs=12, steps_per_epoch=5)
    J, s = ins.train_printed(tr, reading="previous-beta", rng=9, **kw)
    J2, s2, _ = ins.train(tr, rule="manuscript", rng=9, **kw)
    np.testing.assert_allclose(J, J2, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(s, s2, rtol=1e-10, atol=1e-12)
    # the readings differ from each other
    Jc, _ = ins.train_printed(tr, reading="current", rng=9, **kw)
    Jp, _ = ins.train_printed(tr, reading="previous", rng=9, **kw)
    assert np.abs(Jc - Jp).max() > 1e-3 and np.abs(Jp - J).max() > 1e-3


def test_train_printed_previous_nobias_is_the_reference_rule():
    # the docstring's promise: the note's reading without bias gives train()'s couplings from the same seed
    tr, _ = ins.cross_patterns()
    kw = dict(evidence=3.0, beta=0.4, learning_rate=0.05, n_epochs=12, steps_per_epoch=5)
    J, s = ins.train_printed(tr, reading="previous-nobias", rng=np.random.SeedSequence([4, 2]), **kw)
    J2, s2, _ = ins.train(tr, rng=np.random.SeedSequence([4, 2]), **kw)
    np.testing.assert_allclose(J, J2, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(s, s2, rtol=1e-10, atol=1e-12)


def test_train_printed_previous_nobias_is_the_reference_rule():
    # with the same draws, "previous-nobias" is the reference rule L(h) of fep.run; its stream differs from
    # insilico.train's, so compare one step from the same uniforms through fep.run's default rule
    tr, _ = ins.cross_patterns()
    kw = dict(evidence=3.0, beta=0.4, learning_rate=0.05, n_epochs=12, steps_per_epoch=5)
    J, s = ins.train_printed(tr, reading="previous-nobias", rng=9, **kw)
    J2, s2, _ = ins.train(tr, rng=9, **kw)
    np.testing.assert_allclose(J, J2, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(s, s2, rtol=1e-10, atol=1e-12)
    # the old bias differs from the new one only at the first step of an epoch: the readings differ
    Jo, _ = ins.train_printed(tr, reading="previous-oldbias-beta", rng=9, **kw)
    Jb, _ = ins.train_printed(tr, reading="previous-beta", rng=9, **kw)
    assert np.abs(Jo - Jb).max() > 1e-3


def test_run_replays_the_reference_implementation():
    # tests/data/fep_reference_update.json: trajectories of AttractorNetwork.update of the public reference code
    # (commit named in the file), produced by running that code; the reference code itself is not in this
    # repository.  It samples with rng.uniform(0, 1) and the same inverse CDF, node by node, so fep.run with the
    # same generator must reproduce the states and the learned couplings up to round-off.
    import json
    from pathlib import Path

    data = json.loads((Path(__file__).parent / "data" / "fep_reference_update.json").read_text())
    assert "43cd180aa7029e0297a62f9ff1d6390f0e16418a" in data["source"]
    assert any(c["learning_rate"] > 0 for c in data["cases"])
    for c in data["cases"]:
        ref_states = np.array(c["states"])
        states, J = fep.run(np.array(c["J0"]), np.array(c["bias"]), ref_states.shape[0], beta=c["beta"],
                            learning_rate=c["learning_rate"], rng=np.random.default_rng(c["seed"]))
        np.testing.assert_allclose(states, ref_states, rtol=0, atol=1e-10)   # round-off over <= 15 steps
        np.testing.assert_allclose(J, np.array(c["J"]), rtol=0, atol=1e-10)


def test_simulation2_point_reproducible():
    tr, te = ins.digits_patterns()
    data = (tr, te[:20])
    r1 = ins.simulation2_point(5.0, 0.2, 7, data=data, **SMALL)
    r2 = ins.simulation2_point(5.0, 0.2, 7, data=data, return_network=True, **SMALL)
    assert set(r1) >= {"retrieval", "generalisation", "n_attractors", "orthogonality", "converged", "J_asymmetry",
                       "cpu_seconds"}
    for key in r1:
        if key != "cpu_seconds":  # the only entry that depends on the machine
            assert r1[key] == pytest.approx(r2[key], nan_ok=True)
    assert r2["J"].shape == (64, 64) and r2["sigma"].shape == (64,)
    # the network returned is the one that was evaluated: same asymmetry
    assert np.linalg.norm(r2["J"] - r2["J"].T) / np.linalg.norm(r2["J"]) == pytest.approx(r2["J_asymmetry"])


def test_simulation2_point_more_evaluations():
    tr, te = ins.digits_patterns()
    data = (tr, te[:20])
    one = ins.simulation2_point(5.0, 0.2, 7, data=data, **SMALL)
    three = ins.simulation2_point(5.0, 0.2, 7, data=data, n_evaluations=3, **SMALL)
    # the first evaluation is the one of n_evaluations=1; the others use fresh evaluation noise
    assert three["retrieval"] == one["retrieval"] and three["generalisation"] == one["generalisation"]
    assert three["retrieval_evals"].shape == (3,) and three["retrieval_evals"][0] == one["retrieval"]
    assert len(set(three["generalisation_evals"].tolist())) == 3
    grid = ins.sweep([5.0], [0.2], seeds=(0, 1), data=data, n_evaluations=2, **SMALL)
    assert grid["retrieval_evals"].shape == (1, 1, 2, 2)
    np.testing.assert_array_equal(grid["retrieval_evals"][..., 0], grid["retrieval"])


def test_sweep_serial_and_dask_agree():
    joblib = pytest.importorskip("joblib")
    distributed = pytest.importorskip("distributed")
    tr, te = ins.digits_patterns()
    data = (tr, te[:20])
    ev, bt = [2.0, 4.0], [0.3]
    serial = ins.sweep(ev, bt, seeds=(0,), n_jobs=1, data=data, **SMALL)
    assert serial["retrieval"].shape == (2, 1, 1)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        with joblib.parallel_config(backend="dask"):
            on_dask = ins.sweep(ev, bt, seeds=(0,), n_jobs=-1, data=data, **SMALL)
    for key in ("retrieval", "generalisation", "n_attractors", "J_asymmetry"):
        np.testing.assert_allclose(on_dask[key], serial[key], rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize("call", [
    lambda: ins.hebbian_couplings("abc"),
    lambda: ins.hebbian_couplings(np.full((2, 3), np.nan)),
    lambda: ins.projector_couplings(np.ones((2, 3)), zero_diagonal=1),
    lambda: ins.pattern_angles(np.ones(3)),
    lambda: ins.pattern_angles(np.zeros((2, 3))),
    lambda: ins.orthogonality(np.eye(3), include_self="yes"),
    lambda: ins.count_distinct(np.eye(3), tol=-1.0),
    lambda: ins.deterministic_attractors(np.zeros((3, 2)), np.zeros((1, 3))),
    lambda: ins.deterministic_attractors(np.zeros((3, 3)), np.full((1, 3), 2.0)),
    lambda: ins.deterministic_attractors(np.zeros((3, 3)), np.zeros((1, 3)), max_steps=2**63),
    lambda: ins.reconstruction_r2(np.zeros((3, 3)), np.ones((1, 3)), scale=1.0),
    lambda: ins.reconstruction_r2(np.zeros((3, 3)), np.eye(3), scale=1.0, pick="all"),
    lambda: ins.reconstruction_r2(np.zeros((3, 3)), np.eye(3), scale=1.0, n_trials=2**40, n_steps=2**40),
    lambda: ins.train(np.eye(3), evidence=-1.0, beta=1.0, learning_rate=0.1, n_epochs=1, steps_per_epoch=1),
    lambda: ins.train(np.eye(3), evidence=1.0, beta=1.0, learning_rate=0.1, n_epochs=2**62, steps_per_epoch=4),
    lambda: ins.train(np.eye(3), evidence=1.0, beta=1.0, learning_rate=0.1, n_epochs=1, steps_per_epoch=1,
                      order="sorted"),
    lambda: ins.train(np.eye(3), evidence=1.0, beta=1.0, learning_rate=0.1, n_epochs=1, steps_per_epoch=1,
                      J0=np.zeros((2, 2))),
    lambda: ins.train_printed(np.eye(3), evidence=1.0, beta=1.0, learning_rate=0.1, n_epochs=1,
                              steps_per_epoch=1, reading="next"),
    lambda: ins.train_printed(np.eye(3), evidence=1.0, beta=1.0, learning_rate=0.1, n_epochs=10**6,
                              steps_per_epoch=2, reading="current"),
    lambda: ins.train_printed(np.eye(3), evidence=0.0, beta=1.0, learning_rate=0.1, n_epochs=1,
                              steps_per_epoch=1, reading="current"),
    lambda: ins.simulation2_point(5.0, 0.2, 0, n_evaluations=0),
    lambda: ins.sweep([], [0.1]),
    lambda: ins.sweep([1.0], [-0.1]),
    lambda: ins.sweep([1.0], [0.1], n_jobs=0),
])
def test_bad_input(call):
    with pytest.raises((ValueError, TypeError)):
        call()


# ----------------------------------------------------------------------------- limits and extremes

def test_limits_refuse_before_allocating_and_name_the_argument():
    tr, te = ins.digits_patterns()
    with pytest.raises(ValueError, match="patterns"):  # 11.9 GiB
        ins.hebbian_couplings(np.ones((1, 40000)))
    with pytest.raises(ValueError, match="steps_per_epoch"):  # once a 5.1 GB schedule before failing
        ins.train(tr, evidence=1.0, beta=0.5, learning_rate=0.001, n_epochs=1, steps_per_epoch=10**7)
    with pytest.raises(ValueError, match="max_steps"):
        ins.deterministic_attractors(np.zeros((64, 64)), np.zeros((100, 64)), max_steps=10**7)
    with pytest.raises(ValueError, match="vectors"):
        ins.count_distinct(np.zeros((200_000, 1)))
    with pytest.raises(ValueError, match="n_trials"):
        ins.reconstruction_r2(np.zeros((3, 3)), np.eye(3), scale=1.0, n_trials=10**6, n_steps=10)
    with pytest.raises(ValueError, match="n_evaluations"):
        ins.simulation2_point(5.0, 0.2, 0, n_evaluations=10**9)
    with pytest.raises(ValueError, match="chunk_steps"):
        ins.train(np.eye(3), evidence=1.0, beta=1.0, learning_rate=0.1, n_epochs=10**6, steps_per_epoch=2,
                  chunk_steps=1)


def test_parallel_two_cycle_with_a_million_steps_is_compiled():
    J = np.array([[0.0, -30.0], [-30.0, 0.0]])
    att, conv = ins.deterministic_attractors(J, np.array([[0.5, 0.5]]), max_steps=10**6)
    assert not conv[0] and np.all(np.abs(att) <= 1)
    # the state where the bounded iteration stopped is the last state of the deterministic run
    states, _ = fep.run(J, np.zeros(2), 1001, stochastic=False, sigma0=np.array([0.5, 0.5]))
    att2, _ = ins.deterministic_attractors(J, np.array([[0.5, 0.5]]), max_steps=1001)
    assert np.array_equal(att2[0], states[-1])


def test_long_epochs_run_in_pieces_without_a_schedule():
    tr, _ = ins.cross_patterns()
    kw = dict(evidence=3.0, beta=0.5, learning_rate=0.01, n_epochs=3, steps_per_epoch=7, rng=4)
    J1, s1, shown1 = ins.train(tr, **kw)
    J2, s2, shown2 = ins.train(tr, chunk_steps=3, **kw)  # 7-step epochs in pieces of 3 with a fixed bias
    np.testing.assert_array_equal(shown1, shown2)
    np.testing.assert_allclose(J1, J2, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(s1, s2, rtol=1e-12, atol=1e-14)


def test_huge_learning_rate_refused_and_largest_allowed_is_finite():
    tr, te = ins.digits_patterns()
    data = (tr, te[:10])
    with pytest.raises(ValueError, match="learning_rate"):  # was a NaN asymmetry
        ins.simulation2_point(5.0, 0.2, 0, learning_rate=1e300, data=data, **SMALL)
    lr = 1e300 / (64 * 2 * SMALL["n_epochs"] * SMALL["steps_per_epoch"]) * 0.999
    out = ins.simulation2_point(5.0, 0.2, 0, learning_rate=lr, data=data, **SMALL)
    assert 0.0 <= out["J_asymmetry"] <= 2**0.5 and math.isfinite(out["retrieval"])
    with pytest.raises(ValueError, match="evidence"):  # was "bias must be finite"
        ins.train(tr, evidence=1e300, beta=0.5, learning_rate=0.001, n_epochs=2, steps_per_epoch=10)
    with pytest.raises(ValueError, match="scale"):
        ins.reconstruction_r2(np.zeros((64, 64)), tr, scale=1e300)
    a, b = ins.reconstruction_r2(np.zeros((64, 64)), tr, scale=1e240, n_trials=3, n_steps=3, rng=0)
    assert np.all((a >= 0) & (a <= 1) & (b >= 0) & (b <= 1))


def test_evaluate_names_its_own_arguments_before_working():
    tr, te = ins.digits_patterns()
    J = np.zeros((64, 64))
    for kw, name in [(dict(beta_eval=-1.0), "beta_eval"), (dict(attractor_tol=0.0), "attractor_tol"),
                     (dict(evidence=1e300), "evidence")]:
        with pytest.raises(ValueError, match=name):
            ins.evaluate(J, tr, te[:5], **{"evidence": 1.0, **kw})
    with pytest.raises(ValueError, match="train_patterns"):
        ins.evaluate(J, tr[:, :3], te[:5], evidence=1.0)


def test_scale_free_geometry_and_couplings():
    assert ins.pattern_angles([[1e300, 0.0], [1e300, 1e300]])[0] == pytest.approx(45.0)  # was 90
    assert ins.pattern_angles([[1e-300, 0.0], [1e-300, 1e-300]])[0] == pytest.approx(45.0)  # was refused
    assert ins.pattern_angles([[5e-324, 0.0], [1.0, 1.0]])[0] == pytest.approx(45.0)
    tr, _ = ins.cross_patterns()
    np.testing.assert_allclose(ins.projector_couplings(tr * 1e300), ins.projector_couplings(tr), atol=1e-12)
    np.testing.assert_allclose(ins.projector_couplings(tr * 1e-300), ins.projector_couplings(tr), atol=1e-12)
    with pytest.raises(ValueError, match="patterns"):
        ins.hebbian_couplings(np.full((2, 3), 1e200))


def test_sweep_refuses_bad_options_naming_them():
    for kw, name, exc in [(dict(seeds=None), "seeds", TypeError), (dict(n_jobs=2**62), "n_jobs", ValueError),
                          (dict(backend={}), "backend", TypeError), (dict(n_epochs=-1), "n_epochs", ValueError),
                          (dict(nonsense=1), "nonsense", TypeError)]:
        with pytest.raises(exc, match=name):
            ins.sweep([1.0], [0.5], **kw)


def test_option_arrays_are_refused_by_name():
    A = np.array(["a", "b"])
    pats = np.array([[1.0, -1.0, 1.0, -1.0], [1.0, 1.0, -1.0, -1.0]])
    kw = dict(evidence=1.0, beta=1.0, learning_rate=0.1, n_epochs=1, steps_per_epoch=1)
    with pytest.raises(ValueError, match="pick"):
        ins.reconstruction_r2(np.zeros((4, 4)), pats, scale=1.0, pick=A)
    with pytest.raises(ValueError, match="order"):
        ins.train(pats, order=A, **kw)
    with pytest.raises(ValueError, match="reading"):
        ins.train_printed(pats, reading=A, **kw)


def test_0d_seeds_and_negative_zero_noise():
    with pytest.raises(TypeError, match="seeds"):
        ins.sweep([1.0], [1.0], seeds=np.array(0))
    pats = np.array([[1.0, -1.0, 1.0, -1.0], [1.0, 1.0, -1.0, -1.0]])
    a = ins.reconstruction_r2(np.zeros((4, 4)), pats, scale=1.0, noise_sd=-0.0, n_trials=2, n_steps=2, rng=1)
    b = ins.reconstruction_r2(np.zeros((4, 4)), pats, scale=1.0, noise_sd=0.0, n_trials=2, n_steps=2, rng=1)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    ins.evaluate(np.zeros((4, 4)), pats, pats, evidence=1.0, noise_sd=-0.0, n_trials=2, n_steps=2, rng=0)


def test_underflowing_signal_times_evidence_is_refused_by_name():
    pats = np.array([[1.0, -1.0, 1.0, -1.0], [1.0, 1.0, -1.0, -1.0]])
    with pytest.raises(ValueError, match="evidence"):
        ins.evaluate(np.zeros((4, 4)), pats, pats, evidence=5e-324, n_trials=2, n_steps=2)
    with pytest.raises(ValueError, match="signal"):
        ins.evaluate(np.zeros((4, 4)), pats, pats, evidence=1.0, signal=1e-320 * 1e-10, n_trials=2, n_steps=2)


def test_sweep_names_ragged_seeds():
    with pytest.raises(TypeError, match="seeds"):
        ins.sweep([1.0], [0.1], seeds=[[0], [1, 2]])
