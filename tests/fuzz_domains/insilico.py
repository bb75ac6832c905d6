"""Domains of ``attractors.insilico``: baselines against NumPy and exact properties, the experiments on
tiny networks (a few nodes, a few epochs) with their invariants, and the limits that refuse before working."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain

try:  # import scikit-learn here, not inside the first timed call of digits_patterns (seconds on a busy machine)
    import sklearn.datasets  # noqa: F401
except ImportError:  # pragma: no cover
    pass

#: Pattern magnitudes from tiny to the largest the functions accept.
SCALES = [1e-300, 1e-8, 1.0, 1e8, 1e150]


def _patterns(data, max_p=5, max_n=12, min_n=2, scales=SCALES):
    p = data.draw(st.integers(1, max_p), label="P")
    n = data.draw(st.integers(min_n, max_n), label="N")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    x = np.random.default_rng(seed).normal(0.0, 1.0, (p, n))
    return x * data.draw(st.sampled_from(scales), label="scale")


def _nothing(data):
    return {}


def _digits_check(kwargs, out):
    tr, te = out
    assert tr.shape == (10, 64) and te.shape == (1787, 64)
    for x in (tr, te):
        np.testing.assert_allclose(x.mean(axis=1), 0.0, atol=1e-12)
        np.testing.assert_allclose(x.std(axis=1), 1.0, rtol=1e-12)


def _cross_check(kwargs, out):
    tr, third = out
    assert tr.shape == (2, 25) and third.shape == (25,)
    for x in (tr[0], tr[1], third):
        assert abs(x.mean()) < 1e-12 and abs(x.std() - 1.0) < 1e-12
    assert abs(np.corrcoef(tr)[0, 1] - 0.77) < 0.01


def _hebb_valid(data):
    return {"patterns": _patterns(data)}


def _hebb_check(kwargs, out):
    x = kwargs["patterns"]
    n = x.shape[1]
    ref = np.einsum("pi,pj->ij", x, x) / n
    np.fill_diagonal(ref, 0.0)
    assert out.shape == (n, n) and np.array_equal(out, out.T) and np.all(np.diag(out) == 0)
    top = np.max(np.abs(x)) ** 2 * x.shape[0] / n
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-13 * top)


def _hebb_invalid(data):
    return data.draw(st.sampled_from([({"patterns": np.ones((1, 40000))}, "patterns"),
                                      ({"patterns": np.full((2, 3), 1e200)}, "patterns"),
                                      ({"patterns": "abc"}, "patterns"), ({"patterns": np.zeros((0, 3))}, "patterns"),
                                      ({"patterns": [[1.0, 2.0], [1.0]]}, "patterns")]), label="case")


def _proj_valid(data):
    x = _patterns(data, scales=[1e-300, 1.0, 1e300])
    if x.shape[0] > x.shape[1]:
        x = x[: x.shape[1]]
    return {"patterns": x, "zero_diagonal": data.draw(st.booleans(), label="zero_diagonal")}


def _proj_check(kwargs, out):
    x = kwargs["patterns"]
    u = x / np.max(np.abs(x))  # the projector onto the span of the (normal-range) patterns
    q, _ = np.linalg.qr(u.T)
    ref = q @ q.T
    if kwargs["zero_diagonal"]:
        np.fill_diagonal(ref, 0.0)
    assert np.array_equal(out, out.T)
    np.testing.assert_allclose(out, ref, atol=1e-10)


def _proj_invalid(data):
    return data.draw(st.sampled_from([({"patterns": np.ones((2, 8000))}, "patterns"),
                                      ({"patterns": np.eye(3), "zero_diagonal": 1}, "zero_diagonal"),
                                      ({"patterns": np.array([[1.0, np.inf]])}, "patterns")]), label="case")


def _angle_ref(x):
    out = []
    for i in range(x.shape[0]):
        for j in range(i + 1, x.shape[0]):
            a, b = x[i] / np.max(np.abs(x[i])), x[j] / np.max(np.abs(x[j]))
            c = float(a @ b / (math.sqrt(a @ a) * math.sqrt(b @ b)))
            out.append(math.degrees(math.acos(max(-1.0, min(1.0, c)))))
    return np.array(out)


def _vectors(data):
    x = _patterns(data, max_p=6, scales=[5e-324 * 2**20, 1e-300, 1.0, 1e300])
    if x.shape[0] < 2:
        x = np.vstack([x, -x])
    if data.draw(st.booleans(), label="mixed scales"):  # rows of very different magnitudes
        x = x / np.max(np.abs(x)) * np.array([1e-300, 1e300] * x.shape[0])[: x.shape[0], None]
    return x


def _angles_check(kwargs, out):
    ref = _angle_ref(kwargs["vectors"])
    assert np.all((out >= 0) & (out <= 180))
    np.testing.assert_allclose(out, ref, atol=1e-5)


def _vec_invalid(data):
    return data.draw(st.sampled_from([({"vectors": np.ones(3)}, "vectors"), ({"vectors": np.zeros((2, 3))}, "vectors"),
                                      ({"vectors": np.ones((20_000, 1))}, "vectors"),
                                      ({"vectors": np.array([[1.0, np.nan], [1.0, 0.0]])}, "vectors")]), label="case")


def _ortho_valid(data):
    return {"vectors": _vectors(data), "include_self": data.draw(st.booleans(), label="include_self"),
            "drop_duplicates": data.draw(st.booleans(), label="drop_duplicates")}


def _ortho_check(kwargs, out):
    a = _angle_ref(kwargs["vectors"])
    p = kwargs["vectors"].shape[0]
    if kwargs["drop_duplicates"]:
        a = a[(a > 1.0) & (a < 179.0)]
        if a.size == 0:
            assert math.isnan(out)
            return
    dev = np.abs(90.0 - a)
    ref = (2 * dev.sum() + 90.0 * p) / (p * p) if kwargs["include_self"] else dev.mean()
    assert abs(out - ref) <= 1e-5, f"{out} vs {ref}"


def _ortho_invalid(data):
    kw, arg = _vec_invalid(data)
    if data.draw(st.booleans(), label="option"):
        return {"vectors": np.eye(3), "include_self": "yes"}, "include_self"
    return kw, arg


def _count_valid(data):
    x = _patterns(data, max_p=30, scales=[1e-300, 1.0, 1e300])
    if data.draw(st.booleans(), label="repeat"):
        x = np.vstack([x, x, x])
    return {"vectors": x, "tol": float(np.max(np.abs(x))) * data.draw(st.sampled_from([1e-9, 0.1, 10.0]), label="tol")}


def _count_check(kwargs, out):
    x, tol = kwargs["vectors"], kwargs["tol"]
    reps = []
    for row in x:  # the greedy rule, in Python
        if not any(np.max(np.abs(row - r)) < tol for r in reps):
            reps.append(row)
    assert out == len(reps), f"{out} vs {len(reps)}"


def _count_invalid(data):
    return data.draw(st.sampled_from([({"vectors": np.zeros((200_000, 1))}, "vectors"),
                                      ({"vectors": np.eye(3), "tol": -1.0}, "tol"),
                                      ({"vectors": np.ones(3)}, "vectors")]), label="case")


def _det_valid(data):
    n = data.draw(st.integers(1, 8), label="N")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    g = np.random.default_rng(seed)
    J = g.normal(0.0, data.draw(st.sampled_from([0.0, 0.5, 5.0, 1e300 / 64]), label="J scale") / n, (n, n))
    J = 0.5 * (J + J.T)
    np.fill_diagonal(J, 0.0)
    starts = g.uniform(-1.0, 1.0, (data.draw(st.integers(1, 5), label="P"), n))
    return {"J": J, "starts": starts, "beta": data.draw(st.sampled_from([1e-300, 1.0, 1e300]), label="beta"),
            "max_steps": data.draw(st.sampled_from([1, 100, 10_000]), label="max_steps"),
            "tol": data.draw(st.sampled_from([1e-300, 1e-9, 0.1]), label="tol")}


def _det_check(kwargs, out):
    from attractors import fep

    att, conv = out
    J, beta = kwargs["J"], kwargs["beta"]
    assert att.shape == kwargs["starts"].shape and conv.shape == (att.shape[0],)
    assert np.all(np.abs(att) <= 1.0)
    lip = beta * np.max(np.abs(J).sum(axis=1)) / 3.0
    for a, c in zip(att, conv):
        if c and lip <= 10:
            res = np.max(np.abs(fep.cb_mean(beta * (J @ a)) - a))
            assert res <= (1 + lip) * kwargs["tol"] + 1e-12, f"converged row with residual {res:.3g}"
    # the same as fixed_points, start by start
    for a, c, s in zip(att, conv, kwargs["starts"]):
        fp = fep.fixed_points(J, np.zeros(J.shape[0]), beta=beta, starts=s[None], max_iter=kwargs["max_steps"],
                              tol=kwargs["tol"])
        assert (fp.n_failed == 0) == c
        if c:
            assert np.array_equal(fp.points[0], a)


def _det_invalid(data):
    return data.draw(st.sampled_from([
        ({"J": np.zeros((64, 64)), "starts": np.zeros((100, 64)), "max_steps": 10**7}, "max_steps"),
        ({"J": np.zeros((3, 2)), "starts": np.zeros((1, 3))}, "J"),
        ({"J": np.zeros((3, 3)), "starts": np.full((1, 3), 2.0)}, "starts"),
        ({"J": np.full((3, 3), np.nan), "starts": np.zeros((1, 3))}, "J"),
        ({"J": np.zeros((3, 3)), "starts": np.zeros((1, 3)), "max_steps": 2**63}, "max_steps")]), label="case")


def _small_problem(data, n_max=8):
    n = data.draw(st.integers(3, n_max), label="N")
    g = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    x = g.normal(0.0, 1.0, (data.draw(st.integers(1, 4), label="P"), n))
    x[:, 0] += 1.0  # no constant row
    J = g.normal(0.0, 0.3, (n, n))
    np.fill_diagonal(J, 0.0)
    return x, J, g


def _recon_valid(data):
    x, J, g = _small_problem(data)
    noise_sd = data.draw(st.sampled_from([0.0, 1.0, 1e3]), label="noise_sd")
    scale = data.draw(st.sampled_from([1e-300, 1.0, 1e240]), label="scale") / np.max(np.abs(x)) / max(1.0, noise_sd)
    return {"J": J, "targets": x, "scale": scale, "noise_sd": noise_sd,
            "n_trials": data.draw(st.integers(1, 8), label="n_trials"),
            "n_steps": data.draw(st.integers(1, 20), label="n_steps"),
            "beta": data.draw(st.sampled_from([1e-300, 1.0, 1e300]), label="beta"),
            "pick": data.draw(st.sampled_from(["cycle", "random"]), label="pick"), "rng": 3}


def _recon_check(kwargs, out):
    from attractors import insilico

    a, b = out
    assert a.shape == b.shape == (kwargs["n_trials"],)
    assert np.all((a >= 0) & (a <= 1 + 1e-12) & (b >= 0) & (b <= 1 + 1e-12)), "R^2 outside [0, 1]"
    if kwargs["noise_sd"] == 0:
        np.testing.assert_allclose(a, 1.0, rtol=1e-12)
    a2, b2 = insilico.reconstruction_r2(**kwargs)
    assert np.array_equal(a, a2) and np.array_equal(b, b2), "same seed, different result"


def _recon_invalid(data):
    base = {"J": np.zeros((3, 3)), "targets": np.eye(3), "scale": 1.0}
    bad, arg = data.draw(st.sampled_from([
        ({"scale": 1e300}, "scale"), ({"scale": 0.0}, "scale"), ({"n_trials": 2**40, "n_steps": 2**40}, "n_trials"),
        ({"n_trials": 10**6, "n_steps": 10}, "n_trials"), ({"pick": "all"}, "pick"),
        ({"targets": np.ones((1, 3))}, "targets"), ({"noise_sd": -1.0}, "noise_sd"), ({"beta": 0.0}, "beta")]),
        label="case")
    return {**base, **bad}, arg


def _train_valid(data, printed=False):
    x, _, g = _small_problem(data)
    n_epochs = data.draw(st.integers(1, 12), label="n_epochs")
    spe = data.draw(st.integers(1, 6), label="steps_per_epoch")
    lr = data.draw(st.sampled_from([0.0, 0.01, 1.0, "max"]), label="learning_rate")
    if lr == "max":  # the largest learning rate allowed
        lr = 1e300 / (x.shape[1] * 2 * n_epochs * spe) * (1 - 1e-9)
    kw = {"patterns": x, "evidence": data.draw(st.sampled_from([1e-300, 1.0, 1e299]), label="evidence")
          / np.max(np.abs(x)), "beta": data.draw(st.sampled_from([1e-300, 0.5, 1e300]), label="beta"),
          "learning_rate": lr, "n_epochs": n_epochs, "steps_per_epoch": spe, "rng": 5}
    if printed:
        from attractors.insilico import PRINTED_READINGS
        kw["reading"] = data.draw(st.sampled_from(PRINTED_READINGS), label="reading")
    else:
        kw["order"] = data.draw(st.sampled_from(["random", "cyclic"]), label="order")
        kw["chunk_steps"] = data.draw(st.sampled_from([1, 4, 10_000]), label="chunk_steps")
    return kw


def _train_check(kwargs, out, printed=False):
    from attractors import insilico

    J, sigma = out[0], out[1]
    n = kwargs["patterns"].shape[1]
    assert J.shape == (n, n) and sigma.shape == (n,)
    assert np.all(np.isfinite(J)) and np.all(np.abs(sigma) <= 1.0)
    assert np.all(np.diag(J) == 0)
    steps = kwargs["n_epochs"] * kwargs["steps_per_epoch"]
    assert np.all(np.abs(J) <= 2 * kwargs["learning_rate"] * steps * (1 + 1e-12)), "a coupling moved too far"
    if kwargs["learning_rate"] == 0:
        assert np.all(J == 0)
    fn = insilico.train_printed if printed else insilico.train
    again = fn(**kwargs)
    assert np.array_equal(again[0], J) and np.array_equal(again[1], sigma), "same seed, different result"
    if not printed:
        shown = out[2]
        assert shown.shape == (kwargs["n_epochs"],) and np.all((shown >= 0) & (shown < kwargs["patterns"].shape[0]))
        other = insilico.train(**{**kwargs, "chunk_steps": 3})  # chunking changes nothing
        np.testing.assert_allclose(other[0], J, rtol=1e-12, atol=1e-300)


def _train_invalid(data, printed=False):
    base = {"patterns": np.eye(3), "evidence": 1.0, "beta": 1.0, "learning_rate": 0.1, "n_epochs": 1,
            "steps_per_epoch": 1}
    if printed:
        base["reading"] = "current"
    cases = [({"steps_per_epoch": 10**7, "patterns": np.eye(16)}, "steps_per_epoch"),
             ({"learning_rate": 1e300}, "learning_rate"),
             ({"evidence": 1e301}, "evidence"), ({"evidence": 0.0}, "evidence"), ({"n_epochs": 0}, "n_epochs"),
             ({"beta": np.nan}, "beta"), ({"patterns": np.zeros((0, 3))}, "patterns")]
    if printed:
        cases.append(({"reading": "next"}, "reading"))
    else:
        cases += [({"order": "sorted"}, "order"), ({"J0": np.zeros((2, 2))}, "J0"),
                  ({"chunk_steps": 1, "n_epochs": 10**6, "steps_per_epoch": 2}, "chunk_steps")]
    bad, arg = data.draw(st.sampled_from(cases), label="case")
    return {**base, **bad}, arg


def _data_pair(data, n=6):
    g = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="data seed"))
    tr, te = g.normal(0.0, 1.0, (3, n)), g.normal(0.0, 1.0, (4, n))
    return tr, te


def _eval_valid(data):
    tr, te = _data_pair(data)
    J = np.random.default_rng(1).normal(0.0, 0.5, (6, 6))
    np.fill_diagonal(J, 0.0)
    return {"J": J, "train_patterns": tr, "test_patterns": te,
            "evidence": data.draw(st.sampled_from([1e-300, 1.0, 20.0, 1e240]), label="evidence"), "rng": 2,
            "n_trials": data.draw(st.integers(1, 5), label="n_trials"), "n_steps": data.draw(st.integers(1, 10)),
            "beta_eval": data.draw(st.sampled_from([1e-300, 1.0, 1e300]), label="beta_eval")}


def _scores_check(out, n_patterns):
    assert -1.0 <= out["retrieval"] <= 1.0 and -1.0 <= out["generalisation"] <= 1.0
    assert 1 <= out["n_attractors"] <= n_patterns and 0 <= out["converged"] <= n_patterns
    assert math.isnan(out["orthogonality"]) == (out["n_attractors"] == 1) or out["n_attractors"] > 1
    if not math.isnan(out["orthogonality"]):
        assert 0.0 <= out["orthogonality"] <= 90.0


def _eval_check(kwargs, out):
    from attractors import insilico

    _scores_check(out, kwargs["train_patterns"].shape[0])
    assert insilico.evaluate(**kwargs) == out or math.isnan(out["orthogonality"]), "same seed, different scores"


def _eval_invalid(data):
    base = {"J": np.zeros((4, 4)), "train_patterns": np.eye(4)[:2] + 0.1, "test_patterns": np.eye(4)[1:] + 0.1,
            "evidence": 1.0}
    bad, arg = data.draw(st.sampled_from([
        ({"beta_eval": -1.0}, "beta_eval"), ({"attractor_tol": 0.0}, "attractor_tol"),
        ({"train_patterns": np.ones((2, 3))}, "train_patterns"), ({"test_patterns": np.ones((2, 4))}, "test_patterns"),
        ({"evidence": 1e300}, "evidence"), ({"n_trials": 0}, "n_trials"), ({"noise_sd": -1.0}, "noise_sd"),
        ({"signal": 0.0}, "signal"), ({"J": np.zeros((4, 3))}, "J")]), label="case")
    return {**base, **bad}, arg


SMALL = dict(n_epochs=3, steps_per_epoch=2, n_trials=2, n_steps=3)


def _point_valid(data):
    tr, te = _data_pair(data)
    return {"evidence": data.draw(st.sampled_from([1e-300, 5.0, 1e240]), label="evidence"),
            "beta": data.draw(st.sampled_from([1e-300, 0.2, 1e300]), label="beta"),
            "seed": data.draw(st.integers(0, 2**32 - 1), label="seed"),
            "learning_rate": data.draw(st.sampled_from([0.0, 1e-3, 1e290]), label="learning_rate"),
            "n_evaluations": data.draw(st.integers(1, 2), label="n_evaluations"), "data": (tr, te), **SMALL}


def _point_check(kwargs, out):
    from attractors import insilico

    _scores_check(out, kwargs["data"][0].shape[0])
    assert 0.0 <= out["J_asymmetry"] <= math.sqrt(2.0) + 1e-12, f"asymmetry {out['J_asymmetry']}"
    assert out["retrieval_evals"].shape == (kwargs["n_evaluations"],)
    again = insilico.simulation2_point(**kwargs)
    for key in ("retrieval", "generalisation", "n_attractors", "J_asymmetry"):
        assert again[key] == out[key], f"same seed, different {key}"


def _point_invalid(data):
    tr, te = _data_pair(data)
    base = {"evidence": 5.0, "beta": 0.2, "seed": 0, "data": (tr, te), **SMALL}
    bad, arg = data.draw(st.sampled_from([
        ({"learning_rate": 1e300}, "learning_rate"), ({"evidence": -1.0}, "evidence"), ({"beta": 0.0}, "beta"),
        ({"n_evaluations": 0}, "n_evaluations"), ({"seed": -1}, "seed"), ({"data": (tr, te[:, :3])}, "data"),
        ({"steps_per_epoch": 10**7}, "steps_per_epoch"), ({"return_network": 1}, "return_network"),
        ({"n_evaluations": 10**9}, "n_evaluations")]), label="case")
    return {**base, **bad}, arg


def _sweep_valid(data):
    tr, te = _data_pair(data)
    ev = data.draw(st.lists(st.sampled_from([1e-300, 2.0, 1e240]), min_size=1, max_size=2), label="evidences")
    bt = data.draw(st.lists(st.sampled_from([1e-300, 0.3, 1e300]), min_size=1, max_size=2), label="betas")
    return {"evidences": ev, "betas": bt, "seeds": tuple(data.draw(st.lists(st.integers(0, 9), min_size=1,
                                                                            max_size=2), label="seeds")),
            "n_jobs": 1, "data": (tr, te), **SMALL}


def _sweep_check(kwargs, out):
    from attractors import insilico

    shape = (len(kwargs["evidences"]), len(kwargs["betas"]), len(kwargs["seeds"]))
    assert out["retrieval"].shape == shape and out["n_attractors"].shape == shape
    # every grid point is simulation2_point with its own SeedSequence([seed, i, j])
    i, j, k = shape[0] - 1, shape[1] - 1, shape[2] - 1
    kw = {key: kwargs[key] for key in SMALL}
    one = insilico.simulation2_point(kwargs["evidences"][i], kwargs["betas"][j],
                                     np.random.SeedSequence([kwargs["seeds"][k], i, j]), data=kwargs["data"], **kw)
    for key in ("retrieval", "generalisation", "J_asymmetry"):
        assert out[key][i, j, k] == one[key], f"grid point {key} differs from simulation2_point"


def _sweep_invalid(data):
    base = {"evidences": [1.0], "betas": [0.5]}
    bad, arg = data.draw(st.sampled_from([
        ({"seeds": None}, "seeds"), ({"n_jobs": 2**62}, "n_jobs"), ({"backend": {}}, "backend"),
        ({"n_jobs": 0}, "n_jobs"), ({"evidences": []}, "evidences"), ({"betas": [-0.1]}, "betas"),
        ({"n_epochs": -1}, "n_epochs"), ({"learning_rate": 1e300}, "learning_rate"),
        ({"seeds": [-1]}, "seeds"), ({"verbose": -1}, "verbose"),
        ({"evidences": np.ones(100), "betas": np.ones(100)}, "evidences")]), label="case")
    return {**base, **bad}, arg


DOMAINS = {
    "digits_patterns": Domain(_nothing, _digits_check, note="no arguments"),
    "cross_patterns": Domain(_nothing, _cross_check, note="no arguments"),
    "hebbian_couplings": Domain(_hebb_valid, _hebb_check, _hebb_invalid),
    "projector_couplings": Domain(_proj_valid, _proj_check, _proj_invalid),
    "pattern_angles": Domain(lambda data: {"vectors": _vectors(data)}, _angles_check, _vec_invalid),
    "orthogonality": Domain(_ortho_valid, _ortho_check, _ortho_invalid),
    "count_distinct": Domain(_count_valid, _count_check, _count_invalid),
    "deterministic_attractors": Domain(_det_valid, _det_check, _det_invalid),
    "reconstruction_r2": Domain(_recon_valid, _recon_check, _recon_invalid),
    "train": Domain(_train_valid, _train_check, _train_invalid),
    "train_printed": Domain(lambda data: _train_valid(data, True), lambda kw, out: _train_check(kw, out, True),
                            lambda data: _train_invalid(data, True)),
    "evaluate": Domain(_eval_valid, _eval_check, _eval_invalid),
    "simulation2_point": Domain(_point_valid, _point_check, _point_invalid),
    "sweep": Domain(_sweep_valid, _sweep_check, _sweep_invalid),
}
