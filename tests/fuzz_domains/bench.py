"""Domains of ``attractors.bench`` (its data-returning functions; the drivers are skipped by test_fuzz)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain


def _work():
    return np.sqrt(np.arange(200.0)).sum()


def _timing(data):
    return {"repeat": data.draw(st.sampled_from([1, 3]), label="repeat"),
            "min_time": data.draw(st.sampled_from([0, 0.0, 1e-3]), label="min_time")}


def _bt_valid(data):
    return dict(_timing(data), fn=data.draw(st.sampled_from([_work, lambda: None]), label="fn"))


def _positive_time(kw, out):
    assert math.isfinite(out) and 0 < out < 1.0, f"time per call {out!r}"


def _timing_invalid(extra):
    def invalid(data):
        c = data.draw(st.sampled_from(["r0", "rbig", "tnan", "tint", "tlong", "rstr"]), label="c")
        return {"r0": (dict(extra, repeat=0), "repeat"), "rbig": (dict(extra, repeat=2**64), "repeat"),
                "tnan": (dict(extra, min_time=float("nan")), "min_time"),
                "tint": (dict(extra, min_time=2**1024), "min_time"),
                "tlong": (dict(extra, repeat=1000, min_time=60), "min_time"),
                "rstr": (dict(extra, repeat="5"), "repeat")}[c]
    return invalid


def _bts_valid(data):
    return dict(_timing(data), fns=[_work, lambda: None][: data.draw(st.sampled_from([1, 2]), label="k")])


def _bts_check(kw, out):
    assert len(out) == len(kw["fns"])
    for t in out:
        _positive_time(kw, t)


def _bts_invalid(data):
    if data.draw(st.booleans(), label="fns"):
        return {"fns": data.draw(st.sampled_from([[], [1], None]), label="bad")}, "fns"
    return _timing_invalid({"fns": [_work]})(data)


def _cmp_valid(data):
    same = data.draw(st.booleans(), label="same")
    return {"module": "m", "name": "n", "size": "s", "kernel": _work,
            "reference": _work if same else (lambda: _work() + 1.0), "repeat": 1, "min_time": 0.0,
            "check_outputs": data.draw(st.booleans(), label="check")}


def _cmp_check(kw, out):
    from attractors.bench import Result
    assert isinstance(out, Result) and out.t_kernel > 0 and out.t_reference > 0
    if kw["check_outputs"]:
        assert out.agree == (kw["reference"] is kw["kernel"]), "agreement misreported"
    else:
        assert out.agree is None


def _cmp_invalid(data):
    c = data.draw(st.sampled_from(["module", "kernel", "repeat", "check"]), label="c")
    base = {"module": "m", "name": "n", "size": "s", "kernel": _work, "reference": _work}
    return {"module": (dict(base, module=1), "module"), "kernel": (dict(base, kernel=3), "kernel"),
            "repeat": (dict(base, repeat=0), "repeat"), "check": (dict(base, check_outputs="yes"), "check_outputs")}[c]


def _gemm_valid(data):
    return {"m": data.draw(st.sampled_from([1, 7, 64]), label="m"), "k": data.draw(st.sampled_from([1, 33]), label="k"),
            "n": data.draw(st.sampled_from([1, 64]), label="n"), "repeat": 1}


def _rate_check(limit):
    def check(kw, out):
        assert math.isfinite(out) and 0 < out < limit, f"rate {out!r}"
    return check


def _gemm_invalid(data):
    c = data.draw(st.sampled_from(["m0", "big", "k", "repeat"]), label="c")
    return {"m0": ({"m": 0, "k": 1, "n": 1}, "m"), "big": ({"m": 4097, "k": 1, "n": 1}, "m"),
            "k": ({"m": 1, "k": 2**64, "n": 1}, "k"), "repeat": ({"m": 1, "k": 1, "n": 1, "repeat": 0}, "repeat")}[c]


def _rng_valid(data):
    return {"n": data.draw(st.sampled_from([1000, 20_000]), label="n"), "repeat": 1,
            "kind": data.draw(st.sampled_from(["uniform", "normal"]), label="kind")}


def _rng_invalid(data):
    c = data.draw(st.sampled_from(["n", "nbig", "kind", "repeat"]), label="c")
    return {"n": ({"n": 999}, "n"), "nbig": ({"n": 10**8 + 1}, "n"), "kind": ({"n": 1000, "kind": np.array(["uniform"])}, "kind"),
            "repeat": ({"n": 1000, "repeat": 101}, "repeat")}[c]


def _llc_check(kw, out):
    assert isinstance(out, int) and 2**10 <= out <= 2**34, f"cache size {out!r}"


DOMAINS = {
    "best_time": Domain(_bt_valid, _positive_time, _timing_invalid({"fn": _work})),
    "best_times": Domain(_bts_valid, _bts_check, _bts_invalid),
    "compare": Domain(_cmp_valid, _cmp_check, _cmp_invalid),
    "gemm_rate": Domain(_gemm_valid, _rate_check(1e13), _gemm_invalid),
    "rng_rate": Domain(_rng_valid, _rate_check(1e11), _rng_invalid),
    "last_level_cache_bytes": Domain(lambda data: {}, _llc_check,
                                     note="no arguments: nothing to refuse; the answer is a plausible cache size"),
}
