"""Domains of ``attractors._glauber``: the integer form of couplings against a plain NumPy reference,
and the block-draw sequential kernels against ``hopfield.run`` (the same stream, draw for draw)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain
from tests.fuzz_domains.hopfield import BETAS, _bad_J, _couplings, _field, _pm, _run_invalid, _seed


def _compact_valid(data):
    kind = data.draw(st.sampled_from(["hebbian", "gauss", "asym", "zero", "big-P", "nan", "one-ulp"]), label="kind")
    if kind in ("big-P", "nan", "one-ulp"):
        J, _ = _couplings(data, 40, kind="hebbian")
        n = J.shape[0]
        if kind == "big-P":
            J[0, n - 1] = J[n - 1, 0] = 200.0 / n
        elif kind == "nan":
            J[n // 2, 0] = np.nan
        else:
            J[0, n - 1] = np.nextafter(J[0, n - 1], np.inf)
        return {"J": J}
    J, _ = _couplings(data, 40, kind=kind)
    return {"J": J}


def _compact_check(kw, out):
    J = kw["J"]
    n = J.shape[0]
    with np.errstate(invalid="ignore"):
        K = np.rint(J * n)
        exact = bool(np.all(np.isfinite(J)) and np.all(np.abs(J) * n <= 32767) and np.all(K / n == J))
    if not exact:
        assert out is None, "an integer form was reported where none exists"
        return
    assert out is not None and np.array_equal(out.astype(np.int64), K.astype(np.int64))
    assert out.dtype == (np.int8 if np.abs(K).max(initial=0) <= 127 else np.int16)


def _compact_invalid(data):
    kw, arg = _bad_J(data)
    if isinstance(kw["J"], np.ndarray) and kw["J"].dtype.kind == "f" and kw["J"].ndim == 2 and kw["J"].shape == (2, 2):
        kw = {"J": np.zeros((2, 3))}  # a NaN is allowed here (answer None): use a shape error instead
    return kw, arg


def _run_seq_valid(data):
    J, g = _couplings(data, 24)
    n = J.shape[0]
    kw = {"J": J, "s0": _pm(g, n), "h": _field(data, n, g, J), "beta": data.draw(BETAS, label="beta"),
          "sweeps": data.draw(st.sampled_from([0, 1, 5]), label="sweeps"), "rng": _seed(data),
          "couplings": data.draw(st.sampled_from(["auto", "float64"]), label="couplings")}
    if data.draw(st.booleans(), label="patterns"):
        kw["patterns"] = _pm(g, (data.draw(st.integers(1, 3), label="P"), n))
    return kw


def _run_seq_check(kw, out):
    from attractors import hopfield as H

    ref = H.run(**{k: v for k, v in kw.items() if k != "couplings"})
    if "patterns" in kw:
        assert np.array_equal(out[0], ref[0]) and np.array_equal(out[1], ref[1]), "differs from hopfield.run"
    else:
        assert np.array_equal(out, ref), "differs from hopfield.run (same stream)"


def _run_seq_invalid(data):
    if data.draw(st.booleans(), label="couplings"):
        case = data.draw(st.sampled_from(["name", "array", "impossible"]), label="case")
        if case == "impossible":
            return {"J": np.full((3, 3), 0.3), "s0": np.ones(3), "couplings": "compact"}, "couplings"
        return {"J": np.zeros((3, 3)), "s0": np.ones(3),
                "couplings": "int8" if case == "name" else np.array(["auto"])}, "couplings"
    kw, arg = _run_invalid(data)
    if "mode" in kw:  # run_sequential has no mode: take a field that could overflow instead
        return {"J": np.full((3, 3), 1e308), "s0": np.ones(3), "couplings": "float64"}, "J"
    return kw, arg


DOMAINS = {
    "compact_couplings": Domain(_compact_valid, _compact_check, _compact_invalid),
    "run_sequential": Domain(_run_seq_valid, _run_seq_check, _run_seq_invalid),
}
